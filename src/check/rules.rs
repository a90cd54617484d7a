//! The stores' rules Folio checks, each with the store's own document it
//! comes from. docs/stores.md is the readable table of the same rules (a
//! test keeps the two in step); the limits are named constants here.

use super::Target;

/// One rule of one store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Stable name, as in `--format json` and docs/stores.md.
    pub id: &'static str,
    pub targets: &'static [Target],
    /// The store's document (and section) that states it.
    pub source: &'static str,
}

use Target::{Apple, Google, Ingram, KdpPrint, Kindle, Kobo};

const EBOOKS: &[Target] = &[Kindle, Kobo, Apple, Google];
const PRINT: &[Target] = &[KdpPrint, Ingram];

const KDP_COVER: &str =
    "KDP Help, Cover Image Guidelines: https://kdp.amazon.com/en_US/help/topic/G6GTK3T3NUHKLEFX";
const KPG: &str = "Kindle Publishing Guidelines (KDP Help, User Guides)";
const APPLE: &str =
    "Apple Books Asset Guide: https://help.apple.com/itc/booksassetguide/en.lproj/static.html";
const GOOGLE: &str =
    "Google Play Books Partner Center, File guidelines: https://support.google.com/books/partner/answer/3424254";
const KOBO: &str =
    "Kobo Writing Life, Content Conversion Guidelines (EPUB files) and User Guide (Cover Images)";
const KDP_PRINT: &str =
    "KDP Help, Paperback Submission Guidelines (Trim Size, Bleed and Margins; Print Options)";
const INGRAM: &str = "IngramSpark File Creation Guide (text files, trim sizes); https://www.ingramspark.com/blog/file-requirements-for-print-books";

/// Every rule, in the order reports list them.
pub const RULES: &[Rule] = &[
    Rule {
        id: "metadata-title",
        targets: &[Kindle, Kobo, Apple, Google, KdpPrint, Ingram],
        source: "every store's title field; EPUB 3.3 package metadata (dc:title)",
    },
    Rule {
        id: "metadata-author",
        targets: &[Kindle, Kobo, Apple, Google, KdpPrint, Ingram],
        source: "every store's contributor field; EPUB 3.3 package metadata (dc:creator)",
    },
    Rule {
        id: "metadata-language",
        targets: EBOOKS,
        source: "EPUB 3.3 package metadata (dc:language); Apple Books Asset Guide, Languages",
    },
    Rule {
        id: "metadata-identifier",
        targets: EBOOKS,
        source:
            "EPUB 3.3 package metadata (dc:identifier); Apple Books Asset Guide, Package Document",
    },
    Rule {
        id: "cover-present",
        targets: EBOOKS,
        source: GOOGLE,
    },
    Rule {
        id: "cover-raster",
        targets: EBOOKS,
        source: KDP_COVER,
    },
    Rule {
        id: "cover-size",
        targets: EBOOKS,
        source: KDP_COVER,
    },
    Rule {
        id: "toc-order",
        targets: EBOOKS,
        source: APPLE,
    },
    Rule {
        id: "toc-depth",
        targets: &[Kindle, Apple],
        source: KPG,
    },
    Rule {
        id: "image-pixels",
        targets: &[Apple],
        source: APPLE,
    },
    Rule {
        id: "image-file-size",
        targets: &[Kindle],
        source: KPG,
    },
    Rule {
        id: "book-size",
        targets: EBOOKS,
        source: KOBO,
    },
    Rule {
        id: "kindle-css",
        targets: &[Kindle],
        source: KPG,
    },
    Rule {
        id: "font-embedding",
        targets: EBOOKS,
        source: KPG,
    },
    Rule {
        id: "page-count",
        targets: PRINT,
        source: KDP_PRINT,
    },
    Rule {
        id: "trim-size",
        targets: PRINT,
        source: KDP_PRINT,
    },
    Rule {
        id: "gutter",
        targets: PRINT,
        source: KDP_PRINT,
    },
    Rule {
        id: "margins",
        targets: PRINT,
        source: INGRAM,
    },
    Rule {
        id: "image-dpi",
        targets: PRINT,
        source: KDP_PRINT,
    },
    Rule {
        id: "bleed",
        targets: PRINT,
        source: KDP_PRINT,
    },
    Rule {
        id: "fonts-embedded",
        targets: PRINT,
        source: INGRAM,
    },
];

/// The rule with this id.
pub fn rule(id: &str) -> &'static Rule {
    RULES
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no rule `{id}`"))
}

/// Kindle's smallest accepted cover (width × height is free; this is
/// the short and the long side), and its ideal: KDP cover guidelines.
pub const KINDLE_COVER_MIN: (u32, u32) = (625, 1000);
pub const KINDLE_COVER_IDEAL: (u32, u32) = (1600, 2560);
/// Largest cover side Kindle accepts.
pub const KINDLE_COVER_MAX: u32 = 10_000;
/// Apple Books wants covers at least this many pixels on the short side.
pub const APPLE_COVER_MIN_SHORT: u32 = 1400;
/// Google Play: covers at least 640 px (short side), at most 7,200 px.
pub const GOOGLE_COVER_MIN: u32 = 640;
pub const GOOGLE_COVER_MAX: u32 = 7200;
/// Kobo gives no hard minimum; it shows covers at up to 1,400 px on the
/// short side, so Folio warns below that, as for Apple.
pub const KOBO_COVER_MIN_SHORT: u32 = 1400;
/// Apple Books refuses images (the cover too) over four million pixels.
pub const APPLE_MAX_PIXELS: u64 = 4_000_000;
/// Kindle: images inside the book of at most 5 MB each.
pub const KINDLE_MAX_IMAGE_BYTES: u64 = 5 * 1024 * 1024;
/// Largest book file each store takes: KDP 650 MB; Apple and Google 2 GB;
/// Kobo refuses files "too large" without a number in its guide, and
/// readers struggle past 100 MB, so Folio warns there.
pub const KINDLE_MAX_BOOK_BYTES: u64 = 650 * 1024 * 1024;
pub const APPLE_MAX_BOOK_BYTES: u64 = 2 * 1024 * 1024 * 1024;
pub const GOOGLE_MAX_BOOK_BYTES: u64 = 2 * 1024 * 1024 * 1024;
pub const KOBO_MAX_BOOK_BYTES: u64 = 100 * 1024 * 1024;
/// Kindle and Apple show two levels of a table of contents well; deeper
/// entries are flattened or hidden.
pub const MAX_TOC_LEVELS: usize = 2;

/// KDP paperback page counts (white paper, black ink): 24 to 828.
pub const KDP_PAGES: (usize, usize) = (24, 828);
/// IngramSpark paperback page counts (black and white, most trims): 18 to 1,200.
pub const INGRAM_PAGES: (usize, usize) = (18, 1200);
/// Trim sizes in inches (width × height) KDP prints as standard.
pub const KDP_TRIMS: &[(f64, f64)] = &[
    (5.0, 8.0),
    (5.06, 7.81),
    (5.25, 8.0),
    (5.5, 8.5),
    (6.0, 9.0),
    (6.14, 9.21),
    (6.69, 9.61),
    (7.0, 10.0),
    (7.44, 9.69),
    (7.5, 9.25),
    (8.0, 10.0),
    (8.25, 6.0),
    (8.25, 8.25),
    (8.5, 8.5),
    (8.5, 11.0),
    (8.27, 11.69),
];
/// Trim sizes in inches IngramSpark prints in black and white.
pub const INGRAM_TRIMS: &[(f64, f64)] = &[
    (4.0, 6.0),
    (4.25, 7.0),
    (5.0, 8.0),
    (5.06, 7.81),
    (5.25, 8.0),
    (5.5, 8.5),
    (5.83, 8.27),
    (6.0, 9.0),
    (6.14, 9.21),
    (6.69, 9.61),
    (7.0, 10.0),
    (7.44, 9.69),
    (7.5, 9.25),
    (8.0, 10.0),
    (8.25, 11.0),
    (8.27, 11.69),
    (8.5, 8.5),
    (8.5, 11.0),
];
/// How far a page size may be from a trim size and still be it (inches):
/// sizes given in millimetres round.
pub const TRIM_TOLERANCE_IN: f64 = 0.01;
/// KDP's smallest inside margin (gutter) by page count: up to this many
/// pages, at least this many inches.
pub const KDP_GUTTER: &[(usize, f64)] = &[
    (150, 0.375),
    (300, 0.5),
    (500, 0.625),
    (700, 0.75),
    (usize::MAX, 0.875),
];
/// KDP's smallest outside, top and bottom margin without bleed.
pub const KDP_MIN_MARGIN_IN: f64 = 0.25;
/// IngramSpark's smallest margin on every side.
pub const INGRAM_MIN_MARGIN_IN: f64 = 0.5;
/// Print images need this resolution at the size they are printed.
pub const MIN_PRINT_DPI: f64 = 300.0;
/// An image this close to a page edge (points) would need bleed.
pub const BLEED_EDGE_PT: f64 = 1.0;
