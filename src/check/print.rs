//! The print stores' rules: KDP Print and IngramSpark. They look at the
//! book as typeset (pages, page size, margins, where pictures land, the
//! fonts used), and report each problem at the setting that decides it
//! (`pdf: page-size`, `margins: inner`) or the Markdown of the picture.

use crate::diag::{Location, Severity};
use crate::units::Pt;
use crate::LoadedBook;

use super::facts::{self, Picture, Print};
use super::rules::*;
use super::{finding, Finding, Locate, Target};

/// Runs every print rule for `targets`.
pub fn check(loaded: &LoadedBook, targets: &[Target], print: &Print, out: &mut Vec<Finding>) {
    let uses = facts::pictures(loaded);
    for &t in targets {
        super::ebook::metadata(loaded, t, out);
        pages(loaded, t, print, out);
        trim(loaded, t, out);
        margins(loaded, t, print, out);
        pictures(loaded, &uses, t, print, out);
        fonts(loaded, t, print, out);
    }
}

fn pdf_key(loaded: &LoadedBook, keys: &[&str]) -> Location {
    let mut all = keys.to_vec();
    all.push("pdf");
    loaded.config.keys.locate(&all)
}

fn inches(p: Pt) -> f64 {
    p.0 / 72.0
}

fn pages(loaded: &LoadedBook, t: Target, print: &Print, out: &mut Vec<Finding>) {
    let (min, max) = match t {
        Target::KdpPrint => KDP_PAGES,
        _ => INGRAM_PAGES,
    };
    let n = print.pages;
    let at = pdf_key(loaded, &["pdf.page-size", "pdf.font-size"]);
    if n < min {
        out.push(
            finding(
                "page-count",
                t,
                Severity::Error,
                format!(
                    "the book has {n} pages; {} prints at least {min}",
                    t.store()
                ),
            )
            .at(at)
            .hint("a smaller page size or a larger font-size gives more pages"),
        );
    } else if n > max {
        out.push(
            finding(
                "page-count",
                t,
                Severity::Error,
                format!("the book has {n} pages; {} prints at most {max}", t.store()),
            )
            .at(at)
            .hint("a larger page size or a smaller font-size gives fewer pages"),
        );
    }
}

fn trim(loaded: &LoadedBook, t: Target, out: &mut Vec<Finding>) {
    let p = &loaded.config.pdf;
    let (w, h) = (inches(p.page_width), inches(p.page_height));
    let list = match t {
        Target::KdpPrint => KDP_TRIMS,
        _ => INGRAM_TRIMS,
    };
    let ok = list
        .iter()
        .any(|(a, b)| (a - w).abs() <= TRIM_TOLERANCE_IN && (b - h).abs() <= TRIM_TOLERANCE_IN);
    if !ok {
        let sizes: Vec<String> = list
            .iter()
            .take(8)
            .map(|(a, b)| format!("{a}×{b}"))
            .collect();
        out.push(
            finding(
                "trim-size",
                t,
                Severity::Error,
                format!(
                    "the page is {w:.2} × {h:.2} in, not a trim size {} prints",
                    t.store()
                ),
            )
            .at(pdf_key(
                loaded,
                &["pdf.page-size", "pdf.width", "pdf.height"],
            ))
            .hint(format!(
                "choose one of its trims (in inches): {}…; `page-size: 6x9in` is the most common",
                sizes.join(", ")
            )),
        );
    }
}

fn margins(loaded: &LoadedBook, t: Target, print: &Print, out: &mut Vec<Finding>) {
    let p = &loaded.config.pdf;
    let inner = inches(p.margin_inner);
    if t == Target::KdpPrint {
        let need = KDP_GUTTER
            .iter()
            .find(|(upto, _)| print.pages <= *upto)
            .map_or(0.875, |(_, g)| *g);
        if inner + 1e-6 < need {
            out.push(
                finding(
                    "gutter",
                    t,
                    Severity::Error,
                    format!(
                        "the inside margin is {inner:.3} in; KDP asks at least {need} in for {} pages",
                        print.pages
                    ),
                )
                .at(pdf_key(loaded, &["pdf.margins.inner", "pdf.margins"]))
                .hint(format!("set `pdf: margins: inner: {need}in` (or more)")),
            );
        }
    }
    let min = match t {
        Target::KdpPrint => KDP_MIN_MARGIN_IN,
        _ => INGRAM_MIN_MARGIN_IN,
    };
    for (name, value) in [
        ("top", p.margin_top),
        ("bottom", p.margin_bottom),
        ("outer", p.margin_outer),
        ("inner", p.margin_inner),
    ] {
        let v = inches(value);
        if v + 1e-6 < min {
            let key = format!("pdf.margins.{name}");
            out.push(
                finding(
                    "margins",
                    t,
                    Severity::Error,
                    format!(
                        "the {name} margin is {v:.3} in; {} asks at least {min} in",
                        t.store()
                    ),
                )
                .at(pdf_key(loaded, &[&key, "pdf.margins"]))
                .hint(format!("set `pdf: margins: {name}: {min}in` (or more)")),
            );
        }
    }
}

fn pictures(
    loaded: &LoadedBook,
    uses: &[facts::Use],
    t: Target,
    print: &Print,
    out: &mut Vec<Finding>,
) {
    let mut reported = std::collections::BTreeSet::new();
    for placed in &print.placed {
        let at = facts::where_used(uses, &placed.path, loaded)
            .unwrap_or_else(|| Location::file(&placed.path));
        let name = placed
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let edge = BLEED_EDGE_PT;
        let touches = placed.x < edge
            || placed.y < edge
            || placed.x + placed.width > placed.page_width - edge
            || placed.y + placed.height > placed.page_height - edge;
        if touches && reported.insert(("bleed", placed.path.clone())) {
            out.push(
                finding(
                    "bleed",
                    t,
                    Severity::Error,
                    format!(
                        "image `{name}` reaches the page edge on page {}; Folio's PDF has no bleed",
                        placed.page + 1
                    ),
                )
                .at(at.clone())
                .hint("keep pictures inside the margins, or add 0.125 in of bleed in a layout program"),
            );
        }
        let Some(pic) = Picture::read(&placed.path) else {
            continue;
        };
        if pic.width == 0 || placed.width <= 0.0 {
            // A vector picture prints sharp at any size.
            continue;
        }
        let dpi = f64::from(pic.width) / (placed.width / 72.0);
        if dpi + 0.5 < MIN_PRINT_DPI && reported.insert(("dpi", placed.path.clone())) {
            out.push(
                finding(
                    "image-dpi",
                    t,
                    Severity::Warning,
                    format!(
                        "image `{name}` prints at {dpi:.0} dpi ({} px across {:.2} in, page {}); {} asks {MIN_PRINT_DPI:.0}",
                        pic.width,
                        placed.width / 72.0,
                        placed.page + 1,
                        t.store()
                    ),
                )
                .at(at)
                .hint(format!(
                    "use an image at least {:.0} px wide, or print it smaller (`<img width=…>`)",
                    (placed.width / 72.0 * MIN_PRINT_DPI).ceil()
                )),
            );
        }
    }
}

fn fonts(loaded: &LoadedBook, t: Target, print: &Print, out: &mut Vec<Finding>) {
    for (name, bytes, index) in &print.fonts {
        if let Err(why) = facts::embedding(bytes, *index) {
            out.push(
                finding(
                    "fonts-embedded",
                    t,
                    Severity::Error,
                    format!("font `{name}` cannot be embedded in the PDF: {why}"),
                )
                .at(pdf_key(loaded, &["pdf.font-family", "pdf.mono-family", "fonts"]))
                .hint(format!("{} needs every font embedded; choose a font whose licence allows it (the OFL does)", t.store())),
            );
        }
    }
}
