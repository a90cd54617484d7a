//! The document model: the one resolved representation of a book that both
//! writers read.
//!
//! [`crate::markdown`] builds it from pulldown-cmark events and the raw HTML
//! among them; after that nothing in the pipeline looks at Markdown or HTML
//! again. Every block and inline keeps the
//! [`Span`] it came from so any later stage can name `file:line:column`.
//! Heading ids are final here (unique across the book, stable between
//! builds), and internal links are already resolved to a chapter and id.

use std::path::PathBuf;

use crate::diag::{SourceMap, Span};
pub use crate::math::Formula;

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
#[derive(Debug, Clone, PartialEq)]
pub struct Chapter {
    /// Path relative to the book folder, e.g. `02-history.md`.
    pub path: PathBuf,
    /// Stem used for output file names, unique in the book, e.g. `02-history`.
    pub slug: String,
    /// Title from book.yaml when the chapter has no level-1 heading of its own.
    pub title: Option<String>,
    /// Nesting in the book's outline: 0 for a top-level chapter, one more
    /// inside a part or under a parent chapter (mdBook's SUMMARY.md); its
    /// headings sit that much deeper in the table of contents.
    pub depth: u8,
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

/// A block of the book. Markdown and raw HTML both end up here: what a
/// book cannot hold (scripts, forms, styles) was dropped, with a warning,
/// when the chapter was parsed, so writers never see HTML.
#[derive(Debug, Clone, PartialEq)]
pub enum BlockKind {
    Heading(Heading),
    Paragraph(Vec<Inline>),
    /// A picture shown as a block, possibly captioned: a paragraph that
    /// holds nothing but one image, or an HTML `<figure>`.
    Figure(Figure),
    /// One picture standing as a block of its own (inside a figure's body).
    Image(Image),
    BlockQuote(Vec<Block>),
    List(List),
    CodeBlock {
        /// Info string language, e.g. `rust`.
        lang: Option<String>,
        text: String,
        /// Line numbers and marked lines, from the info string.
        options: CodeOptions,
        /// Syntax classes of `text`, sorted (empty for a language Folio
        /// does not highlight).
        tokens: Vec<crate::highlight::Token>,
    },
    Table(Table),
    DefinitionList(Vec<Definition>),
    /// A group of blocks with attributes of its own (HTML `<div>`,
    /// `<section>`, `<center>`, `<p align>`…): transparent to the outline.
    Division(Division),
    /// A disclosure widget (`<details>`): its summary, then its content,
    /// always shown in print.
    Details(Details),
    /// A display formula (`$$…$$` alone in its paragraph).
    Math(Formula),
    ThematicBreak,
}

/// How a code block is shown, from what follows the language in its
/// info string: ```` ```rust {linenos hl_lines="2-3 5"} ````.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeOptions {
    /// Number the lines.
    pub line_numbers: bool,
    /// Lines to mark, as 1-based inclusive ranges.
    pub marked: Vec<(u32, u32)>,
}

impl CodeOptions {
    /// Whether line `n` (1-based) is marked.
    pub fn is_marked(&self, n: u32) -> bool {
        self.marked.iter().any(|&(a, b)| (a..=b).contains(&n))
    }

    /// Reads the options of an info string (everything after the
    /// language): `linenos` (or `.numberLines`, `linenos=true`) and
    /// `hl_lines="2-3 5"` (or `hl_lines=2-3,5`). Anything else is ignored.
    pub fn from_info(info: &str) -> CodeOptions {
        let mut out = CodeOptions::default();
        let inner = info.trim().trim_start_matches('{').trim_end_matches('}');
        let mut rest = inner;
        while let Some(start) = rest.find(|c: char| !c.is_whitespace() && c != ',') {
            rest = &rest[start..];
            let (item, after) = match rest.find('=') {
                Some(eq) if !rest[..eq].contains(char::is_whitespace) => {
                    let value = &rest[eq + 1..];
                    let (v, after) = match value.strip_prefix(['"', '\'']) {
                        Some(v) => {
                            let close = v.find(['"', '\'']).unwrap_or(v.len());
                            (&v[..close], &v[(close + 1).min(v.len())..])
                        }
                        None => {
                            let end = value.find(char::is_whitespace).unwrap_or(value.len());
                            (&value[..end], &value[end..])
                        }
                    };
                    ((&rest[..eq], Some(v)), after)
                }
                _ => {
                    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                    ((&rest[..end], None), &rest[end..])
                }
            };
            rest = after;
            match item {
                ("linenos" | ".numberLines" | "numberLines" | "line-numbers", v) => {
                    out.line_numbers = !matches!(v, Some("false" | "0" | "no"));
                }
                ("hl_lines" | "hl-lines" | "highlight" | "mark", Some(v)) => {
                    for part in v
                        .trim_matches(['[', ']'])
                        .split(|c: char| c == ',' || c.is_whitespace())
                        .filter(|p| !p.is_empty())
                    {
                        let (a, b) = part.split_once('-').unwrap_or((part, part));
                        if let (Ok(a), Ok(b)) = (a.trim().parse::<u32>(), b.trim().parse::<u32>()) {
                            if a >= 1 && a <= b {
                                out.marked.push((a, b));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    /// 1 for `#` … 6 for `######`.
    pub level: u8,
    /// Unique across the book; from `{#id}` or an HTML `id` when given,
    /// else from the text.
    pub id: String,
    pub content: Vec<Inline>,
    /// Extra classes from `{.class}`.
    pub classes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// What the figure shows: usually one [`BlockKind::Image`], sometimes
    /// a table, code or several images.
    pub body: Vec<Block>,
    /// The caption; empty for none.
    pub caption: Vec<Inline>,
}

/// Writing direction of a part of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Ltr,
    Rtl,
}

/// Attributes a block or span of raw HTML carried that matter to a book.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attrs {
    /// A link target, unique across the book once ids are assigned.
    pub id: Option<String>,
    pub classes: Vec<String>,
    /// BCP 47 language of the content, when it differs from the book's.
    pub lang: Option<String>,
    pub dir: Option<Direction>,
    /// Horizontal alignment of the content (`align="center"`, `<center>`).
    pub align: Option<Align>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Division {
    pub attrs: Attrs,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Details {
    pub summary: Vec<Inline>,
    pub blocks: Vec<Block>,
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
    /// Alignment of each column.
    pub aligns: Vec<Align>,
    /// Header rows (a Markdown table has one; an HTML table may have none).
    pub head: Vec<Row>,
    /// Body rows.
    pub rows: Vec<Row>,
    /// The caption; empty for none.
    pub caption: Vec<Inline>,
}

impl Table {
    /// Number of columns: the widest row, counting spans.
    pub fn columns(&self) -> usize {
        self.head
            .iter()
            .chain(&self.rows)
            .map(|r| r.cells.iter().map(|c| usize::from(c.colspan.max(1))).sum())
            .chain(std::iter::once(self.aligns.len()))
            .max()
            .unwrap_or(0)
    }

    /// Every row, head first.
    pub fn all_rows(&self) -> impl Iterator<Item = &Row> {
        self.head.iter().chain(&self.rows)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub content: Vec<Inline>,
    /// A header cell (`th`): every cell of a head row, and `<th>` in HTML.
    pub header: bool,
    /// Columns and rows the cell spans (at least 1).
    pub colspan: u16,
    pub rowspan: u16,
    /// Its own alignment, over the column's.
    pub align: Option<Align>,
}

impl Cell {
    /// A one-column cell holding `content`.
    pub fn new(content: Vec<Inline>, header: bool) -> Cell {
        Cell {
            content,
            header,
            colspan: 1,
            rowspan: 1,
            align: None,
        }
    }
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
    /// Underlined or inserted text (`<u>`, `<ins>`).
    Underline(Vec<Inline>),
    /// Highlighted text (`<mark>`).
    Mark(Vec<Inline>),
    /// Fine print (`<small>`).
    Small(Vec<Inline>),
    /// Keys to press (`<kbd>`), set in the code face.
    Kbd(Vec<Inline>),
    /// An abbreviation with its expansion (`<abbr title>`).
    Abbr {
        title: Option<String>,
        content: Vec<Inline>,
    },
    /// Text with attributes of its own: a language, a direction, an id.
    Span {
        attrs: Attrs,
        content: Vec<Inline>,
    },
    /// A link target with no text of its own (`<a id>`, `<a name>`).
    Anchor(String),
    Link(Link),
    Image(Image),
    /// Reference to `chapter.footnotes[index]` of the same chapter.
    FootnoteRef {
        index: usize,
    },
    /// A formula in the text (`$…$`, or `$$…$$` amid other text).
    Math(Formula),
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
    /// A web or mail address (`https:`, `http:`, `mailto:`…), percent-encoded.
    External(String),
    /// A place in the book: a chapter and, optionally, an id inside it
    /// (a heading, footnote or anchor id). `None` means the chapter's start.
    Internal { chapter: usize, id: Option<String> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    /// As written in the source.
    pub url: String,
    /// Absolute path of a local image (checked to exist); `None` for a
    /// remote one or one that could not be found (its alt text stands in).
    pub path: Option<PathBuf>,
    /// Alternative text as plain text.
    pub alt: String,
    pub title: Option<String>,
    /// Size the author asked for, in CSS pixels (`width`/`height` of an
    /// HTML `<img>`).
    pub width: Option<u32>,
    pub height: Option<u32>,
}

impl Image {
    /// What stands in for the image where it cannot be shown, in both
    /// outputs: its alt text, else the web address it is at; may be empty.
    pub fn stand_in(&self) -> String {
        let alt = self.alt.split_whitespace().collect::<Vec<_>>().join(" ");
        if !alt.is_empty() {
            return alt;
        }
        let url = self.url.trim();
        let web = ["http://", "https://"].iter().any(|p| {
            url.get(..p.len())
                .is_some_and(|s| s.eq_ignore_ascii_case(p))
        });
        if web {
            url.to_string()
        } else {
            String::new()
        }
    }

    /// An image with no size of its own.
    pub fn new(url: String, alt: String, title: Option<String>) -> Image {
        Image {
            url,
            path: None,
            alt,
            title,
            width: None,
            height: None,
        }
    }
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
/// references, anchors and images count for nothing. Both writers use this
/// one definition, so a word index means the same word in the PDF and EPUB.
pub fn running_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    walk_text(inlines, false, &mut |t| out.push_str(t));
    out
}

/// How many words [`running_text`] has (split at white space), without
/// making it: a paragraph's may be megabytes.
pub fn running_words(inlines: &[Inline]) -> usize {
    let mut words = 0;
    let mut in_word = false;
    walk_text(inlines, false, &mut |t| {
        for c in t.chars() {
            let space = c.is_whitespace();
            if !space && !in_word {
                words += 1;
            }
            in_word = !space;
        }
    });
    words
}

/// The plain text of inlines, as a reader would say it: emphasis and links
/// keep their words, code its text, images their alt text, footnote
/// references and anchors vanish. Used for TOC labels, outline entries, alt
/// text and ids.
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    walk_text(inlines, true, &mut |t| out.push_str(t));
    out
}

/// The walk behind [`running_text`] and [`plain_text`], handing each
/// piece of their text to `text` in order; they differ only in whether an
/// image says its alt text.
fn walk_text(inlines: &[Inline], image_alt: bool, text: &mut dyn FnMut(&str)) {
    for inline in inlines {
        match &inline.kind {
            InlineKind::Text(t) | InlineKind::Code(t) => text(t),
            InlineKind::Math(f) => text(&f.source),
            InlineKind::Image(img) if image_alt => text(&img.alt),
            InlineKind::SoftBreak | InlineKind::HardBreak => text(" "),
            kind => {
                if let Some(content) = kind.content() {
                    walk_text(content, image_alt, text);
                }
            }
        }
    }
}

impl InlineKind {
    /// The inlines inside this one (emphasis, links, spans…), if it has any.
    pub fn content(&self) -> Option<&[Inline]> {
        match self {
            InlineKind::Emphasis(c)
            | InlineKind::Strong(c)
            | InlineKind::Strikethrough(c)
            | InlineKind::Superscript(c)
            | InlineKind::Subscript(c)
            | InlineKind::Underline(c)
            | InlineKind::Mark(c)
            | InlineKind::Small(c)
            | InlineKind::Kbd(c)
            | InlineKind::Abbr { content: c, .. }
            | InlineKind::Span { content: c, .. } => Some(c),
            InlineKind::Link(link) => Some(&link.content),
            InlineKind::Text(_)
            | InlineKind::Code(_)
            | InlineKind::Anchor(_)
            | InlineKind::Image(_)
            | InlineKind::FootnoteRef { .. }
            | InlineKind::Math(_)
            | InlineKind::SoftBreak
            | InlineKind::HardBreak => None,
        }
    }

    /// [`InlineKind::content`], mutably.
    pub fn content_mut(&mut self) -> Option<&mut Vec<Inline>> {
        match self {
            InlineKind::Emphasis(c)
            | InlineKind::Strong(c)
            | InlineKind::Strikethrough(c)
            | InlineKind::Superscript(c)
            | InlineKind::Subscript(c)
            | InlineKind::Underline(c)
            | InlineKind::Mark(c)
            | InlineKind::Small(c)
            | InlineKind::Kbd(c)
            | InlineKind::Abbr { content: c, .. }
            | InlineKind::Span { content: c, .. } => Some(c),
            InlineKind::Link(link) => Some(&mut link.content),
            InlineKind::Text(_)
            | InlineKind::Code(_)
            | InlineKind::Anchor(_)
            | InlineKind::Image(_)
            | InlineKind::FootnoteRef { .. }
            | InlineKind::Math(_)
            | InlineKind::SoftBreak
            | InlineKind::HardBreak => None,
        }
    }
}

/// What a block holds directly: runs of inlines and blocks, in reading
/// order. Generic walks (ids, note references, links) go through this one
/// place, so a new kind of block cannot be forgotten by one of them.
#[derive(Debug)]
pub enum Part<'a> {
    Inlines(&'a [Inline]),
    Blocks(&'a [Block]),
}

/// [`Part`], mutably.
#[derive(Debug)]
pub enum PartMut<'a> {
    Inlines(&'a mut Vec<Inline>),
    Blocks(&'a mut Vec<Block>),
}

impl BlockKind {
    /// Calls `f` on each run of inlines and blocks directly inside, in
    /// reading order.
    pub fn parts<'a>(&'a self, f: &mut dyn FnMut(Part<'a>)) {
        match self {
            BlockKind::Heading(h) => f(Part::Inlines(&h.content)),
            BlockKind::Paragraph(c) => f(Part::Inlines(c)),
            BlockKind::Figure(fig) => {
                f(Part::Blocks(&fig.body));
                f(Part::Inlines(&fig.caption));
            }
            BlockKind::BlockQuote(b) => f(Part::Blocks(b)),
            BlockKind::List(list) => list.items.iter().for_each(|i| f(Part::Blocks(&i.blocks))),
            BlockKind::Table(t) => {
                f(Part::Inlines(&t.caption));
                for row in t.all_rows() {
                    row.cells.iter().for_each(|c| f(Part::Inlines(&c.content)));
                }
            }
            BlockKind::DefinitionList(defs) => {
                for d in defs {
                    f(Part::Inlines(&d.term));
                    d.details.iter().for_each(|b| f(Part::Blocks(b)));
                }
            }
            BlockKind::Division(d) => f(Part::Blocks(&d.blocks)),
            BlockKind::Details(d) => {
                f(Part::Inlines(&d.summary));
                f(Part::Blocks(&d.blocks));
            }
            BlockKind::Image(_)
            | BlockKind::CodeBlock { .. }
            | BlockKind::Math(_)
            | BlockKind::ThematicBreak => {}
        }
    }

    /// [`BlockKind::parts`], mutably.
    pub fn parts_mut(&mut self, f: &mut dyn FnMut(PartMut<'_>)) {
        match self {
            BlockKind::Heading(h) => f(PartMut::Inlines(&mut h.content)),
            BlockKind::Paragraph(c) => f(PartMut::Inlines(c)),
            BlockKind::Figure(fig) => {
                f(PartMut::Blocks(&mut fig.body));
                f(PartMut::Inlines(&mut fig.caption));
            }
            BlockKind::BlockQuote(b) => f(PartMut::Blocks(b)),
            BlockKind::List(list) => list
                .items
                .iter_mut()
                .for_each(|i| f(PartMut::Blocks(&mut i.blocks))),
            BlockKind::Table(t) => {
                f(PartMut::Inlines(&mut t.caption));
                for row in t.head.iter_mut().chain(t.rows.iter_mut()) {
                    row.cells
                        .iter_mut()
                        .for_each(|c| f(PartMut::Inlines(&mut c.content)));
                }
            }
            BlockKind::DefinitionList(defs) => {
                for d in defs {
                    f(PartMut::Inlines(&mut d.term));
                    d.details.iter_mut().for_each(|b| f(PartMut::Blocks(b)));
                }
            }
            BlockKind::Division(d) => f(PartMut::Blocks(&mut d.blocks)),
            BlockKind::Details(d) => {
                f(PartMut::Inlines(&mut d.summary));
                f(PartMut::Blocks(&mut d.blocks));
            }
            BlockKind::Image(_)
            | BlockKind::CodeBlock { .. }
            | BlockKind::Math(_)
            | BlockKind::ThematicBreak => {}
        }
    }
}

/// Calls `on_block` on every block of `blocks` at any depth and
/// `on_inline` on every inline at any depth, in reading order (a block
/// before what it holds).
pub fn walk<'a>(
    blocks: &'a [Block],
    on_block: &mut dyn FnMut(&'a Block),
    on_inline: &mut dyn FnMut(&'a Inline),
) {
    for block in blocks {
        on_block(block);
        block.kind.parts(&mut |part| match part {
            Part::Blocks(b) => walk(b, on_block, on_inline),
            Part::Inlines(i) => walk_inlines(i, on_inline),
        });
    }
}

/// Calls `f` on every inline of `inlines` at any depth, outer first.
pub fn walk_inlines<'a>(inlines: &'a [Inline], f: &mut dyn FnMut(&'a Inline)) {
    for inline in inlines {
        f(inline);
        if let Some(content) = inline.kind.content() {
            walk_inlines(content, f);
        }
    }
}

/// [`walk`], mutably: `on_block` sees each block before what it holds,
/// `on_inlines` each run of inlines (at any depth, outer runs first).
pub fn walk_mut(
    blocks: &mut [Block],
    on_block: &mut dyn FnMut(&mut Block),
    on_inlines: &mut dyn FnMut(&mut Vec<Inline>),
) {
    for block in blocks {
        on_block(block);
        block.kind.parts_mut(&mut |part| match part {
            PartMut::Blocks(b) => walk_mut(b, on_block, on_inlines),
            PartMut::Inlines(i) => walk_inlines_mut(i, on_inlines),
        });
    }
}

/// Calls `f` on `inlines` and on every run of inlines inside them.
pub fn walk_inlines_mut(inlines: &mut Vec<Inline>, f: &mut dyn FnMut(&mut Vec<Inline>)) {
    f(inlines);
    for inline in inlines.iter_mut() {
        if let Some(content) = inline.kind.content_mut() {
            walk_inlines_mut(content, f);
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
    fn code_options_from_the_info_string() {
        let o = CodeOptions::from_info("{linenos hl_lines=\"2-3 5\"}");
        assert!(o.line_numbers);
        assert_eq!(o.marked, vec![(2, 3), (5, 5)]);
        assert!(o.is_marked(3) && o.is_marked(5) && !o.is_marked(4));
        let o = CodeOptions::from_info("{.numberLines hl_lines=1,4-6}");
        assert!(o.line_numbers);
        assert_eq!(o.marked, vec![(1, 1), (4, 6)]);
        let o = CodeOptions::from_info("linenos=false hl_lines=\"x 3-1 0\"");
        assert_eq!(o, CodeOptions::default());
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
