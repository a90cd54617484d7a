//! The document model: the one resolved representation of a book that both
//! writers read.
//!
//! `markdown.rs` builds it from pulldown-cmark events; after that nothing in
//! the pipeline looks at Markdown again. Every block and inline keeps the
//! [`Span`] it came from so any later stage can name `file:line:column`.
//! Heading ids are final here (unique across the book, stable between
//! builds), and internal links are already resolved to a chapter and id.

use std::path::PathBuf;

use crate::diag::{SourceMap, Span};

/// A whole book: metadata, chapters in reading order and their sources.
#[derive(Debug, Clone)]
pub struct Book {
    pub meta: Metadata,
    pub chapters: Vec<Chapter>,
    /// Every file read for this book, for rendering spans as `file:line:col`.
    pub sources: SourceMap,
    /// Folder the book was loaded from (images and stylesheets resolve inside it).
    pub root: PathBuf,
}

/// Resolved book metadata (defaults applied, dates decided).
#[derive(Debug, Clone, PartialEq)]
pub struct Metadata {
    pub title: String,
    pub subtitle: Option<String>,
    pub authors: Vec<String>,
    /// BCP 47 language tag, e.g. `en` or `en-GB`.
    pub language: String,
    /// A URN or URI; by default `urn:uuid:` + a UUID derived from the title.
    pub identifier: String,
    /// Publication date as written in book.yaml (`YYYY`, `YYYY-MM-DD`…), if any.
    pub date: Option<String>,
    /// Build time as seconds since the Unix epoch: `SOURCE_DATE_EPOCH` when
    /// set, otherwise fixed so that builds are reproducible.
    pub modified_epoch: i64,
    pub publisher: Option<String>,
    pub rights: Option<String>,
    pub description: Option<String>,
    pub subjects: Vec<String>,
    /// Absolute path of the cover image, checked to exist.
    pub cover: Option<PathBuf>,
    /// Deepest heading level listed in the table of contents (1–6).
    pub toc_depth: u8,
    /// The words Folio prints around the text ("Contents", "Cover"…) in
    /// the book's language, with book.yaml's `labels:` applied.
    pub labels: crate::labels::Labels,
}

/// One Markdown file of the book.
#[derive(Debug, Clone)]
pub struct Chapter {
    /// Path relative to the book folder, e.g. `02-history.md`.
    pub path: PathBuf,
    /// Stem used for output file names, unique in the book, e.g. `02-history`.
    pub slug: String,
    /// Title from book.yaml when the chapter has no level-1 heading of its own.
    pub title: Option<String>,
    pub blocks: Vec<Block>,
    /// Footnotes in the order they are first referenced; numbered from 1.
    pub footnotes: Vec<Footnote>,
    /// Span covering the whole file.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub kind: BlockKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BlockKind {
    Heading(Heading),
    Paragraph(Vec<Inline>),
    /// A paragraph that holds nothing but one image: set as a figure.
    Figure(Image),
    BlockQuote(Vec<Block>),
    List(List),
    CodeBlock {
        /// Info string language, e.g. `rust`.
        lang: Option<String>,
        text: String,
    },
    Table(Table),
    DefinitionList(Vec<Definition>),
    /// Raw HTML block, verbatim from the source. Writers decide what to keep.
    Html(String),
    /// Display math source (`$$…$$`), set as text.
    Math(String),
    ThematicBreak,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    /// 1 for `#` … 6 for `######`.
    pub level: u8,
    /// Unique across the book; from `{#id}` when given, else from the text.
    pub id: String,
    pub content: Vec<Inline>,
    /// Extra classes from `{.class}`.
    pub classes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct List {
    /// `Some(n)` for an ordered list starting at n.
    pub start: Option<u64>,
    /// Tight lists have no blank lines between items.
    pub tight: bool,
    pub items: Vec<ListItem>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ListItem {
    /// `Some(checked)` for a task-list item.
    pub task: Option<bool>,
    pub blocks: Vec<Block>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    None,
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub aligns: Vec<Align>,
    /// Header row: one cell per column.
    pub head: Vec<Vec<Inline>>,
    /// Body rows: one cell per column (short rows are padded with empty cells).
    pub rows: Vec<Vec<Vec<Inline>>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    pub term: Vec<Inline>,
    pub details: Vec<Vec<Block>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Footnote {
    /// The label written in the source (`[^label]`).
    pub label: String,
    /// 1-based number within its chapter, in order of first reference.
    pub number: usize,
    /// Unique across the book, usable as an XML id and a PDF destination.
    pub id: String,
    pub blocks: Vec<Block>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Inline {
    pub kind: InlineKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum InlineKind {
    Text(String),
    Code(String),
    Emphasis(Vec<Inline>),
    Strong(Vec<Inline>),
    Strikethrough(Vec<Inline>),
    Superscript(Vec<Inline>),
    Subscript(Vec<Inline>),
    Link(Link),
    Image(Image),
    /// Reference to `chapter.footnotes[index]` of the same chapter.
    FootnoteRef {
        index: usize,
    },
    /// Inline math source, set as text.
    Math(String),
    /// Raw inline HTML, verbatim. Writers decide what to keep.
    Html(String),
    SoftBreak,
    HardBreak,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub target: LinkTarget,
    pub title: Option<String>,
    pub content: Vec<Inline>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// Anything with a scheme (`https:`, `mailto:`) or otherwise not in the book.
    External(String),
    /// A place in the book: a chapter and, optionally, an id inside it
    /// (a heading or footnote id). `None` means the chapter's start.
    Internal { chapter: usize, id: Option<String> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    /// As written in the source.
    pub url: String,
    /// Absolute path for a local image (checked to exist); `None` for a remote one.
    pub path: Option<PathBuf>,
    /// Alternative text as plain text.
    pub alt: String,
    pub title: Option<String>,
}

/// Where a page of the typeset PDF begins, so the EPUB can mark the same
/// place (`epub:type="pagebreak"` and the page-list) and e-readers show
/// print page numbers that match the PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageBreak {
    /// The printed folio of the page: `1`, `2`, … (front matter is not marked).
    pub label: String,
    /// Index of the chapter in [`Book::chapters`].
    pub chapter: usize,
    pub at: PageBreakAt,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageBreakAt {
    /// The page opens the chapter.
    ChapterStart,
    /// The page begins before word `word` (0-based) of the [`running_text`]
    /// of the innermost block (paragraph, heading, list-item paragraph,
    /// table, code block…) whose span starts at byte `block_start` of the
    /// chapter's file. Blocks without running text use word 0.
    Block { block_start: u32, word: usize },
}

impl Inline {
    pub fn new(kind: InlineKind, span: Span) -> Inline {
        Inline { kind, span }
    }
}

/// The text that page-break positions count words in: text, code and
/// math (inside emphasis, links…), with line breaks as spaces; footnote
/// references, images and raw HTML count for nothing. Both writers use this
/// one definition, so a word index means the same word in the PDF and EPUB.
pub fn running_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    push_text(inlines, false, &mut out);
    out
}

/// The plain text of inlines, as a reader would say it: emphasis and links
/// keep their words, code its text, images their alt text, footnote
/// references and HTML vanish. Used for TOC labels, outline entries, alt
/// text and ids.
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    push_text(inlines, true, &mut out);
    out
}

/// The walk behind [`running_text`] and [`plain_text`]; they differ only in
/// whether an image says its alt text.
fn push_text(inlines: &[Inline], image_alt: bool, out: &mut String) {
    for inline in inlines {
        match &inline.kind {
            InlineKind::Text(t) | InlineKind::Code(t) | InlineKind::Math(t) => out.push_str(t),
            InlineKind::Emphasis(c)
            | InlineKind::Strong(c)
            | InlineKind::Strikethrough(c)
            | InlineKind::Superscript(c)
            | InlineKind::Subscript(c) => push_text(c, image_alt, out),
            InlineKind::Link(link) => push_text(&link.content, image_alt, out),
            InlineKind::Image(img) if image_alt => out.push_str(&img.alt),
            InlineKind::SoftBreak | InlineKind::HardBreak => out.push(' '),
            InlineKind::Image(_) | InlineKind::FootnoteRef { .. } | InlineKind::Html(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Inline {
        Inline::new(InlineKind::Text(s.into()), Span::default())
    }

    #[test]
    fn plain_text_drops_markup_and_note_refs() {
        let inlines = vec![
            text("The "),
            Inline::new(InlineKind::Emphasis(vec![text("Durand")]), Span::default()),
            text(" "),
            Inline::new(InlineKind::Code("Line".into()), Span::default()),
            Inline::new(InlineKind::FootnoteRef { index: 0 }, Span::default()),
        ];
        assert_eq!(plain_text(&inlines), "The Durand Line");
    }
}
