//! Positioned pages: what the typesetter hands to the PDF writer.
//!
//! Everything here is final geometry: glyph ids at absolute positions, rules,
//! link rectangles, outline entries and page labels. The PDF writer turns it
//! into bytes and knows nothing of paragraphs or pages; the typesetter knows
//! nothing of PDF. Coordinates are in points with the origin at the page's
//! top-left corner and y growing downwards; the PDF writer flips them.
//!
//! The logical structure travels with the geometry: [`Document::structure`]
//! is the tree of the book's parts (chapters, headings, paragraphs,
//! figures…), and each page's items say which node they belong to with
//! [`Item::Tag`] marks (or that they are artifacts: running heads, folios,
//! rules). The PDF writer turns that into a tagged PDF.

use std::sync::Arc;

use crate::units::Pt;

/// A laid-out book, ready to be written as PDF.
#[derive(Debug, Clone)]
pub struct Document {
    pub pages: Vec<Page>,
    /// Fonts referenced by [`TextRun::font`], by index.
    pub fonts: Vec<FontData>,
    /// The bookmark tree, mirroring the table of contents.
    pub outline: Vec<OutlineEntry>,
    /// Page-label ranges, sorted by `first_page`; the first starts at page 0.
    pub page_labels: Vec<PageLabelRange>,
    pub info: DocInfo,
    /// The logical structure, in reading order; items point into it with
    /// [`Item::Tag`]. Empty: an untagged document.
    pub structure: StructTree,
}

/// The logical structure of a document: nodes in reading order, each
/// knowing its parent. Node 0 is the [`StructKind::Document`] root.
///
/// A node's children are listed in the order the nodes were added, which
/// is the reading order (the typesetter adds a footnote's Note right after
/// the block citing it, though its text is at the foot of the page); a
/// node's own content (the items marked with it) sits among its children
/// where that content first appears on the pages. A node that ends up with
/// no content and no children with content is left out of the PDF, except
/// a table cell (an empty cell keeps its row's columns in place).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StructTree {
    pub nodes: Vec<StructNode>,
}

impl StructTree {
    /// A tree holding only the root.
    pub fn new() -> StructTree {
        StructTree {
            nodes: vec![StructNode::new(StructKind::Document, None)],
        }
    }

    /// The root node.
    pub const ROOT: NodeId = NodeId(0);

    /// Adds `node` (whose parent must already be in the tree) and returns
    /// its id.
    pub fn push(&mut self, node: StructNode) -> NodeId {
        self.nodes.push(node);
        NodeId(self.nodes.len() as u32 - 1)
    }

    /// Adds a node of `kind` under `parent`.
    pub fn add(&mut self, kind: StructKind, parent: NodeId) -> NodeId {
        self.push(StructNode::new(kind, Some(parent)))
    }

    pub fn get(&self, id: NodeId) -> Option<&StructNode> {
        self.nodes.get(id.0 as usize)
    }
}

/// Index into [`StructTree::nodes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

/// One structure element.
#[derive(Debug, Clone, PartialEq)]
pub struct StructNode {
    pub kind: StructKind,
    /// `None` only for the root.
    pub parent: Option<NodeId>,
    /// Alternative text (figures, formulas), or the expansion a screen
    /// reader should speak.
    pub alt: Option<String>,
    /// BCP 47 language where it differs from the document's.
    pub lang: Option<String>,
    /// The element's name: a chapter's on its Sect (written as `/T` on
    /// Document, Part and Sect), a heading's text (for diagnostics).
    pub title: Option<String>,
    /// What an abbreviation stands for (written as `/E`).
    pub expansion: Option<String>,
    /// Rows and columns a table cell spans, when more than one.
    pub cell_span: Option<CellSpan>,
    /// How a list's items are numbered (the `/ListNumbering` attribute).
    pub numbering: Option<Numbering>,
}

/// The rows and columns a table cell covers (at least 1 each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellSpan {
    pub rows: u16,
    pub cols: u16,
}

/// The numbering of a list's labels (ISO 32000-1, table 347).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numbering {
    /// No numbering: task boxes, definition terms.
    None,
    /// Bullets: a filled disc, an open circle, a filled square.
    Disc,
    Circle,
    Square,
    /// 1, 2, 3…
    Decimal,
}

impl StructNode {
    pub fn new(kind: StructKind, parent: Option<NodeId>) -> StructNode {
        StructNode {
            kind,
            parent,
            alt: None,
            lang: None,
            title: None,
            expansion: None,
            cell_span: None,
            numbering: None,
        }
    }
}

/// What a structure node is: the standard structure types of ISO 32000-1
/// (14.8.4) that a book uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StructKind {
    Document,
    /// A group of chapters.
    Part,
    /// A chapter, or a section within one.
    Sect,
    /// A heading of level 1–6.
    Heading(u8),
    P,
    /// A generic group of blocks (a division in another language, a
    /// disclosure's summary and content, a figure with its caption).
    Div,
    /// A list, its items, an item's label (bullet or number) and body.
    L,
    LI,
    Lbl,
    LBody,
    Table,
    TR,
    /// A header cell; `row` true when it heads its row, else its column.
    TH {
        row: bool,
    },
    TD,
    /// An image or drawing; its alt text is in [`StructNode::alt`].
    Figure,
    Caption,
    /// Mathematics; the TeX or MathML source as alt text.
    Formula,
    Code,
    BlockQuote,
    /// A footnote or endnote body.
    Note,
    /// A citation of a note (its number, holding the Link to it).
    Reference,
    /// A link's text and its annotation.
    Link,
    /// The contents page and its entries.
    TOC,
    TOCI,
    /// Inline text with a property of its own (language, expansion).
    Span,
}

/// Which node a page's items belong to, until the next [`Item::Tag`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    Node(NodeId),
    /// Not content: drawn for the page, not for the reader.
    Artifact(ArtifactKind),
}

/// Kinds of artifacts (ISO 32000-1, 14.8.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArtifactKind {
    /// Running heads.
    Header,
    /// Folios (page numbers) at the foot of the page.
    Footer,
    /// Rules, backgrounds and other decoration.
    Layout,
    /// What pagination repeats, like a table head continued on a new page.
    Pagination,
}

/// Document information written to the PDF's Info dictionary and XMP.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DocInfo {
    pub title: String,
    pub subtitle: Option<String>,
    pub authors: Vec<String>,
    pub subject: Option<String>,
    pub keywords: Vec<String>,
    /// BCP 47 tag for `/Lang`.
    pub language: String,
    /// Seconds since the Unix epoch, for CreationDate and ModDate.
    pub epoch: i64,
    /// Stable identifier, used to derive the PDF file /ID.
    pub identifier: String,
    /// The book reads right to left: viewers should show its spreads and
    /// turn its pages that way (`/Direction /R2L`).
    pub right_to_left: bool,
    /// How a link to a page describes itself to a screen reader, in the
    /// book's language: a pattern with `{}` for the page number.
    pub page_label: String,
}

/// The bytes of one font face as loaded from `fonts/`.
#[derive(Debug, Clone)]
pub struct FontData {
    /// PostScript name, e.g. `GentiumBookPlus-Regular`.
    pub postscript_name: String,
    /// The full font file (the PDF writer subsets it to the glyphs used).
    pub bytes: Arc<Vec<u8>>,
    /// Face index inside a collection (`.ttc`); 0 for plain TTF/OTF.
    pub index: u32,
    pub units_per_em: u16,
    /// Synthesized bold: stroke the glyph outlines with a line this many
    /// ems wide (0: none). The face has no bold of its own; advances
    /// already include the stroke. The PDF draws it with text rendering
    /// mode 2 (fill, then stroke) and a line width of this × the size.
    pub synthetic_bold: f32,
    /// Synthesized italic: shear the glyphs by this much (x += slant · y,
    /// 0: none); the PDF puts it in the text matrix (`1 0 slant 1 x y Tm`).
    pub synthetic_slant: f32,
}

/// Index into [`Document::fonts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FontId(pub usize);

#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub width: Pt,
    pub height: Pt,
    pub items: Vec<Item>,
    /// Named destinations on this page (heading and footnote ids), with the
    /// y of the spot a link to them should show at the top of the view.
    pub anchors: Vec<Anchor>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// The items after this one on the page, up to the next `Tag`, belong
    /// to this node (or are artifacts). Items before a page's first tag
    /// are artifacts.
    Tag(Tag),
    Text(TextRun),
    /// A filled rectangle (rules, table borders, footnote separator).
    Rect(Rect),
    Link(LinkArea),
    Image(PlacedImage),
}

/// A run of glyphs of one font and size on one baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct TextRun {
    pub font: FontId,
    pub size: Pt,
    /// Baseline, measured from the page top.
    pub baseline: Pt,
    /// Fill colour as grey (0 = black, 1 = white)…
    pub gray: f32,
    /// …unless it has a colour of its own (highlighted code), which wins.
    pub color: Option<Rgb>,
    /// The text the glyphs stand for, held once per run: each glyph's
    /// text follows the one before's, [`Glyph::text_len`] bytes long (see
    /// [`TextRun::glyph_texts`]). Word spaces are gaps between glyphs, not
    /// text.
    pub text: String,
    pub glyphs: Vec<Glyph>,
    /// The few glyphs that sit off the baseline (marks the font's GPOS
    /// places above or below their base), as (index into `glyphs`,
    /// offset upwards), in index order; empty for most runs. Kept apart
    /// from [`Glyph`] so a glyph is 16 bytes. See [`TextRun::y_offset`].
    pub offsets: Vec<(u32, Pt)>,
    /// Horizontal scale of the glyphs (font expansion): 1 as designed,
    /// 1.02 two percent wider. Glyph `x` and `advance` already include it;
    /// the writer draws the glyphs that much wider (PDF `Tz`).
    pub h_scale: f32,
}

impl TextRun {
    /// Vertical offset from the baseline (positive = up) of glyph `index`.
    pub fn y_offset(&self, index: usize) -> Pt {
        self.offsets
            .binary_search_by_key(&index, |&(i, _)| i as usize)
            .map_or(Pt::ZERO, |k| self.offsets[k].1)
    }

    /// The glyphs with the text each stands for ("" where the text is
    /// shorter than the glyphs say), in order.
    pub fn glyph_texts(&self) -> impl Iterator<Item = (&Glyph, &str)> + '_ {
        let mut start = 0;
        self.glyphs.iter().map(move |g| {
            let end = start + usize::from(g.text_len);
            let text = self.text.get(start..end).unwrap_or("");
            start = end;
            (g, text)
        })
    }

    /// Where each glyph's text starts in [`TextRun::text`], for the
    /// rare reader that needs them out of order.
    pub fn text_starts(&self) -> Vec<usize> {
        let mut start = 0;
        self.glyphs
            .iter()
            .map(|g| {
                let at = start;
                start += usize::from(g.text_len);
                at
            })
            .collect()
    }
}

/// An sRGB colour, 8 bits a channel (the PDF writes `r g b rg` with each
/// channel / 255).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// The channels as fractions of 1, for the PDF.
    pub fn fractions(self) -> [f32; 3] {
        [self.0, self.1, self.2].map(|c| f32::from(c) / 255.0)
    }
}

/// One shaped glyph placed on the baseline. 16 bytes: a long book has
/// millions (a 10 MB paragraph eight million, all alive until the PDF is
/// written), so the text it stands for and its rare vertical offset live
/// in its [`TextRun`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Glyph {
    /// Absolute x of the glyph origin from the page's left edge, at full
    /// precision: the PDF writer works out the moves between glyphs from
    /// it.
    pub x: Pt,
    /// The glyph's natural advance at this size in points, so the writer
    /// can tell where the glyph ends (word gaps, cluster extents). Single
    /// precision (a millionth of a point at these sizes) is far finer
    /// than anything those decisions look at.
    pub advance: f32,
    /// Glyph id in the *original* font (the PDF writer remaps when subsetting).
    pub id: u16,
    /// Length in bytes of the text this glyph stands for, which follows
    /// the text of the glyphs before it in [`TextRun::text`] (a ligature
    /// `ffi` has the 3 bytes of "ffi"; the second glyph of a cluster has
    /// 0). Becomes the PDF's ToUnicode mapping; see
    /// [`TextRun::glyph_texts`].
    pub text_len: u16,
}

impl Glyph {
    /// Where the glyph's advance takes the pen: its x plus its advance.
    pub fn end(&self) -> Pt {
        self.x + self.advance()
    }

    /// The advance in points.
    pub fn advance(&self) -> Pt {
        Pt(f64::from(self.advance))
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: Pt,
    pub y: Pt,
    pub width: Pt,
    pub height: Pt,
    pub gray: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LinkArea {
    /// Clickable area; `y` is its top edge.
    pub rect: Rect,
    pub target: Destination,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Destination {
    Uri(String),
    /// A place in this document: a page index and the y to show at the top.
    Page {
        page: usize,
        y: Pt,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Anchor {
    pub id: String,
    pub y: Pt,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlacedImage {
    /// Absolute path of a PNG, JPEG, GIF, WebP or SVG file.
    pub path: std::path::PathBuf,
    pub x: Pt,
    /// Top edge.
    pub y: Pt,
    pub width: Pt,
    pub height: Pt,
    pub alt: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutlineEntry {
    pub title: String,
    pub page: usize,
    pub y: Pt,
    pub children: Vec<OutlineEntry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelStyle {
    /// i, ii, iii…
    LowerRoman,
    /// 1, 2, 3…
    Decimal,
    /// No number (title page).
    None,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PageLabelRange {
    /// Index of the first page of the range (0-based).
    pub first_page: usize,
    pub style: LabelStyle,
    /// The number shown on `first_page`.
    pub start: u32,
}
