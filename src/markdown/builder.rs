//! Markdown events and raw HTML tokens → the model's blocks and inlines.
//!
//! One builder takes both streams, so raw HTML becomes the same blocks and
//! inlines as Markdown, once, here: a `<figure>` is a [`Figure`], `<sup>` a
//! superscript, `<details>` a [`Details`]; what a book cannot hold
//! (`<script>`, forms, media) is dropped with a warning at its place. The
//! writers never see HTML.
//!
//! The builder keeps a stack of open nodes, as an HTML tree builder does,
//! because HTML elements need not nest with the Markdown around them: a
//! `<details>` opened in one HTML block holds the Markdown paragraphs that
//! follow until a later block closes it. Each node knows whether Markdown
//! or HTML opened it: a Markdown end event closes everything opened inside
//! it, an HTML end tag only closes HTML elements opened since the nearest
//! Markdown node, and a stray end tag is ignored. HTML's implied end tags
//! (`<li>` after an open `<li>`, a block after an open `<p>`) and missing
//! parents (`<li>` outside a list, text directly in a `<table>`) are
//! repaired the way browsers repair them, so no content is lost.
//!
//! Nesting is capped at [`MAX_NESTING`] containers: past it, containers are
//! flattened into their parent (with one warning), so every later stage may
//! recurse over the model without fear for its stack.

use std::collections::BTreeMap;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, LinkType, Tag, TagEnd};

use crate::diag::{FileId, Span};
use crate::model::{
    plain_text, Align, Attrs, Block, BlockKind, Cell, CodeOptions, Definition, Details, Direction,
    Division, Figure, Footnote, Formula, Heading, Image, Inline, InlineKind, Link, LinkTarget,
    List, ListItem, Row, Table,
};

use super::html::{self, classify, is_void, Element, Flaw, Phrase, TokenKind};
use super::text::{self, Seg};

/// Containers (block quotes, lists, items, HTML blocks…) nested deeper
/// than this are flattened into their parent: no book needs more, and the
/// cap bounds the recursion of every later stage over the model.
pub const MAX_NESTING: usize = 64;
/// Text-level elements (emphasis, spans…) nested deeper than this are
/// unwrapped, for the same reason.
const MAX_INLINE_NESTING: usize = 64;

/// A problem met while building, located by span; turned into a
/// diagnostic by the caller, which knows the source map.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub span: Span,
    pub warning: String,
    pub hint: Option<&'static str>,
}

/// A chapter's content as built.
#[derive(Debug, Default, Clone)]
pub struct Built {
    pub blocks: Vec<Block>,
    pub footnotes: Vec<Footnote>,
    pub notes: Vec<Note>,
}

/// How a node takes what is put into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Model {
    /// Blocks, and inlines gathered into implicit paragraphs.
    Flow,
    /// Inlines only.
    Phrasing,
    /// Raw text (code).
    Text,
    /// Only particular children (list items, table rows…).
    Structure,
    /// Nothing: a dropped element swallows its content.
    Swallow,
}

/// Who opened a node, and so what may close it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Markdown,
    /// An HTML element, by its tag name.
    Html,
    /// Made up to hold content that needs a parent (an `<li>` outside a
    /// list): closed with its parent or by a sibling.
    Implicit,
}

#[derive(Debug)]
enum Kind {
    Root,
    Paragraph {
        attrs: Attrs,
    },
    Heading {
        level: u8,
        id: String,
        classes: Vec<String>,
    },
    Quote,
    Code {
        lang: Option<String>,
        text: String,
        html: bool,
        options: CodeOptions,
    },
    List {
        start: Option<u64>,
        loose: bool,
        items: Vec<ListItem>,
    },
    Item {
        task: Option<bool>,
    },
    Footnote {
        label: String,
    },
    DefList {
        defs: Vec<Definition>,
    },
    Term,
    Desc,
    Table {
        aligns: Vec<Align>,
        head: Vec<Row>,
        rows: Vec<Row>,
        caption: Vec<Inline>,
    },
    TableSection {
        head: bool,
        rows: Vec<Row>,
    },
    Row {
        head: bool,
        cells: Vec<crate::model::Cell>,
    },
    Cell {
        header: bool,
        colspan: u16,
        rowspan: u16,
        align: Option<Align>,
    },
    Caption,
    Division {
        attrs: Attrs,
    },
    Figure {
        caption: Vec<Inline>,
    },
    FigCaption,
    Details {
        summary: Vec<Inline>,
    },
    Summary,
    Phrase {
        phrase: Phrase,
        attrs: Attrs,
        title: Option<String>,
    },
    /// A Markdown inline container: emphasis, strong, strike, sup, sub.
    MdInline(MdInline),
    Link {
        url: String,
        title: Option<String>,
        id: Option<String>,
    },
    /// A Markdown image: its content is the alt text.
    ImageAlt {
        url: String,
        title: Option<String>,
    },
    RubyText,
    Drop {
        /// Markdown blocks swallowed, reported when the element closes.
        swallowed: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MdInline {
    Emphasis,
    Strong,
    Strike,
    Superscript,
    Subscript,
}

impl Kind {
    fn model(&self) -> Model {
        match self {
            Kind::Root
            | Kind::Quote
            | Kind::Item { .. }
            | Kind::Footnote { .. }
            | Kind::Desc
            | Kind::Cell { .. }
            | Kind::Caption
            | Kind::Division { .. }
            | Kind::Figure { .. }
            | Kind::FigCaption
            | Kind::Details { .. } => Model::Flow,
            Kind::Paragraph { .. }
            | Kind::Heading { .. }
            | Kind::Term
            | Kind::Summary
            | Kind::Phrase { .. }
            | Kind::MdInline(_)
            | Kind::Link { .. }
            | Kind::ImageAlt { .. }
            | Kind::RubyText => Model::Phrasing,
            Kind::Code { .. } => Model::Text,
            Kind::List { .. }
            | Kind::DefList { .. }
            | Kind::Table { .. }
            | Kind::TableSection { .. }
            | Kind::Row { .. } => Model::Structure,
            Kind::Drop { .. } => Model::Swallow,
        }
    }

    /// Whether the node counts towards [`MAX_NESTING`].
    fn is_container(&self) -> bool {
        matches!(
            self.model(),
            Model::Flow | Model::Structure | Model::Swallow
        ) && !matches!(self, Kind::Root)
    }
}

#[derive(Debug)]
struct Node {
    kind: Kind,
    origin: Origin,
    /// The HTML tag name that closes it (for [`Origin::Html`]).
    name: &'static str,
    span: Span,
    blocks: Vec<Block>,
    inlines: Vec<Inline>,
    /// Markdown text not yet turned into inlines (see [`text::flush`]).
    run: Vec<Seg>,
}

impl Node {
    fn new(kind: Kind, origin: Origin, name: &'static str, span: Span) -> Node {
        Node {
            kind,
            origin,
            name,
            span,
            blocks: Vec::new(),
            inlines: Vec::new(),
            run: Vec::new(),
        }
    }
}

/// A piece of raw HTML being gathered (an HTML block spans several
/// events), with where each event's text starts in the source.
#[derive(Debug, Default)]
struct Piece {
    text: String,
    /// (offset in `text`, offset in the source) of each event's start.
    starts: Vec<(usize, usize)>,
}

impl Piece {
    fn push(&mut self, text: &str, source_start: usize) {
        self.starts.push((self.text.len(), source_start));
        self.text.push_str(text);
    }

    /// The source offset of offset `at` of the piece.
    fn source(&self, at: usize) -> usize {
        let k = self.starts.partition_point(|&(p, _)| p <= at);
        match k.checked_sub(1).and_then(|k| self.starts.get(k)) {
            Some(&(p, s)) => s + (at - p),
            None => self.starts.first().map_or(at, |&(_, s)| s),
        }
    }
}

pub struct Builder<'a> {
    file: FileId,
    source: &'a str,
    stack: Vec<Node>,
    /// For each open Markdown start event: whether it opened a node (it
    /// did not when flattened past the nesting cap).
    md_open: Vec<bool>,
    /// Containers on the stack.
    depth: usize,
    /// Text-level nodes on the stack.
    inline_depth: usize,
    /// The HTML block being gathered.
    piece: Option<Piece>,
    /// Footnote labels in order of first reference, with that reference's span.
    note_labels: Vec<(String, Span)>,
    /// Footnote definitions by label.
    note_defs: BTreeMap<String, (Vec<Block>, Span)>,
    notes: Vec<Note>,
    /// Whether the nesting cap was reported.
    capped: bool,
    /// Unprintable characters reported so far (each once per chapter).
    unprintable_seen: Vec<char>,
}

impl<'a> Builder<'a> {
    pub fn new(file: FileId, source: &'a str) -> Builder<'a> {
        Builder {
            file,
            source,
            stack: vec![Node::new(
                Kind::Root,
                Origin::Markdown,
                "",
                Span::new(file, 0..source.len()),
            )],
            md_open: Vec::new(),
            depth: 0,
            inline_depth: 0,
            piece: None,
            note_labels: Vec::new(),
            note_defs: BTreeMap::new(),
            notes: Vec::new(),
            capped: false,
            unprintable_seen: Vec::new(),
        }
    }

    fn span(&self, range: Range<usize>) -> Span {
        Span::new(self.file, range)
    }

    fn warn(&mut self, span: Span, warning: impl Into<String>, hint: Option<&'static str>) {
        self.notes.push(Note {
            span,
            warning: warning.into(),
            hint,
        });
    }

    /// A formula: parsed once here; what cannot be parsed is a warning
    /// at the offending command and the formula keeps only its source.
    fn math(&mut self, tex: &str, display: bool, range: Range<usize>) {
        let span = self.span(range.clone());
        // Control characters have no place in a formula either (nor in its
        // MathML, which is XML).
        let tex = self.printable(tex, span);
        let tex = tex.as_str();
        let (formula, error) = Formula::new(tex, display);
        if let Some(e) = error {
            // The TeX sits between the dollars; find it to name the column
            // of the very command (a formula inside a quote or a list has
            // prefixes on its lines: then look for the command itself).
            let raw = self.source.get(range.clone()).unwrap_or("");
            let at = match raw.find(tex) {
                Some(i) => range.start + i + e.at.start..range.start + i + e.at.end,
                None => {
                    let bad = tex.get(e.at.clone()).unwrap_or("");
                    match raw.find(bad).filter(|_| !bad.is_empty()) {
                        Some(i) => range.start + i..range.start + i + bad.len(),
                        None => range.clone(),
                    }
                }
            };
            let at = self.span(at);
            self.warn(
                at,
                format!("{}: the formula is shown as its TeX source", e.message),
                Some("the README's Math section lists the commands and environments Folio sets"),
            );
        }
        self.add_inline(Inline::new(InlineKind::Math(formula), span));
    }

    fn top(&self) -> &Node {
        self.stack.last().expect("the root is never closed")
    }

    fn top_mut(&mut self) -> &mut Node {
        self.stack.last_mut().expect("the root is never closed")
    }

    // ------------------------------------------------------------ events

    /// Takes one pulldown-cmark event.
    pub fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        let span = self.span(range.clone());
        if let Some(piece) = &mut self.piece {
            match event {
                Event::Html(t) | Event::Text(t) => {
                    piece.push(&t, range.start);
                    return;
                }
                Event::End(TagEnd::HtmlBlock) => {
                    let piece = self.piece.take().unwrap_or_default();
                    self.html_piece(&piece);
                    self.close_html_phrasing();
                    return;
                }
                _ => {}
            }
        }
        match event {
            Event::Start(Tag::HtmlBlock) => {
                self.piece = Some(Piece::default());
            }
            Event::Start(tag) => self.md_start(tag, span),
            Event::End(_) => self.md_end(),
            Event::Text(t) => {
                if matches!(self.top().kind, Kind::Code { .. }) {
                    let clean = self.printable(&t, span);
                    if let Kind::Code { text, .. } = &mut self.top_mut().kind {
                        text.push_str(&clean);
                    }
                    return;
                }
                let t = self.markdown_text(&t, span);
                let escaped_first = range
                    .start
                    .checked_sub(1)
                    .is_some_and(|b| self.source.as_bytes()[b] == b'\\');
                let verbatim = self.source.get(range) == Some(t.as_str());
                self.add_text_seg(Seg {
                    text: t,
                    span,
                    verbatim,
                    escaped_first,
                });
            }
            Event::Code(t) => {
                let t = self.printable(&t, span);
                self.add_inline(Inline::new(InlineKind::Code(t), span));
            }
            Event::InlineMath(t) => self.math(&t, false, range),
            Event::DisplayMath(t) => self.math(&t, true, range),
            Event::Html(t) | Event::InlineHtml(t) => {
                let mut piece = Piece::default();
                piece.push(&t, range.start);
                self.html_piece(&piece);
            }
            Event::FootnoteReference(label) => {
                let label = label.to_string();
                let index = match self.note_labels.iter().position(|(l, _)| *l == label) {
                    Some(i) => i,
                    None => {
                        self.note_labels.push((label, span));
                        self.note_labels.len() - 1
                    }
                };
                self.add_inline(Inline::new(InlineKind::FootnoteRef { index }, span));
            }
            Event::SoftBreak => self.add_inline(Inline::new(InlineKind::SoftBreak, span)),
            Event::HardBreak => self.add_inline(Inline::new(InlineKind::HardBreak, span)),
            Event::Rule => {
                self.prepare_for_block();
                self.add_block(Block {
                    kind: BlockKind::ThematicBreak,
                    span,
                });
            }
            Event::TaskListMarker(checked) => {
                if let Some(Kind::Item { task }) = self
                    .stack
                    .iter_mut()
                    .rev()
                    .map(|n| &mut n.kind)
                    .find(|k| matches!(k, Kind::Item { .. }))
                {
                    *task = Some(checked);
                }
            }
        }
    }

    fn md_start(&mut self, tag: Tag<'_>, span: Span) {
        let kind = match tag {
            Tag::Paragraph => Kind::Paragraph {
                attrs: Attrs::default(),
            },
            Tag::Heading {
                level, id, classes, ..
            } => Kind::Heading {
                level: heading_level(level),
                id: id.map(|s| s.to_string()).unwrap_or_default(),
                classes: classes.into_iter().map(|c| c.to_string()).collect(),
            },
            Tag::BlockQuote(_) => Kind::Quote,
            Tag::CodeBlock(kind) => {
                let (lang, options) = match kind {
                    CodeBlockKind::Fenced(info) => {
                        let lang = info_language(&info);
                        // The options follow the language word.
                        let after = info
                            .trim_start()
                            .split_once(char::is_whitespace)
                            .map_or("", |(_, rest)| rest);
                        let after = if info.trim_start().starts_with('{') {
                            info.as_ref()
                        } else {
                            after
                        };
                        (lang, CodeOptions::from_info(after))
                    }
                    CodeBlockKind::Indented => (None, CodeOptions::default()),
                };
                Kind::Code {
                    lang,
                    text: String::new(),
                    html: false,
                    options,
                }
            }
            Tag::List(start) => Kind::List {
                start,
                loose: false,
                items: Vec::new(),
            },
            Tag::Item => Kind::Item { task: None },
            Tag::FootnoteDefinition(label) => Kind::Footnote {
                label: label.to_string(),
            },
            Tag::DefinitionList => Kind::DefList { defs: Vec::new() },
            Tag::DefinitionListTitle => Kind::Term,
            Tag::DefinitionListDefinition => Kind::Desc,
            Tag::Table(aligns) => Kind::Table {
                aligns: aligns.iter().map(align).collect(),
                head: Vec::new(),
                rows: Vec::new(),
                caption: Vec::new(),
            },
            Tag::TableHead => Kind::Row {
                head: true,
                cells: Vec::new(),
            },
            Tag::TableRow => Kind::Row {
                head: false,
                cells: Vec::new(),
            },
            Tag::TableCell => {
                let header = matches!(self.top().kind, Kind::Row { head: true, .. });
                Kind::Cell {
                    header,
                    colspan: 1,
                    rowspan: 1,
                    align: None,
                }
            }
            Tag::Emphasis => Kind::MdInline(MdInline::Emphasis),
            Tag::Strong => Kind::MdInline(MdInline::Strong),
            Tag::Strikethrough => Kind::MdInline(MdInline::Strike),
            Tag::Superscript => Kind::MdInline(MdInline::Superscript),
            Tag::Subscript => Kind::MdInline(MdInline::Subscript),
            Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            } => Kind::Link {
                url: if link_type == LinkType::Email && !dest_url.starts_with("mailto:") {
                    format!("mailto:{dest_url}")
                } else {
                    dest_url.to_string()
                },
                title: non_empty(&title),
                id: None,
            },
            Tag::Image {
                dest_url, title, ..
            } => Kind::ImageAlt {
                url: dest_url.to_string(),
                title: non_empty(&title),
            },
            // Metadata blocks are not enabled; anything else is ignored
            // with its content.
            Tag::HtmlBlock | Tag::MetadataBlock(_) => Kind::Drop { swallowed: 0 },
        };
        let is_block = !matches!(
            kind,
            Kind::MdInline(_) | Kind::Link { .. } | Kind::ImageAlt { .. }
        );
        if is_block
            && !matches!(
                kind,
                Kind::Cell { .. } | Kind::Row { .. } | Kind::Term | Kind::Desc | Kind::Item { .. }
            )
        {
            self.prepare_for_block();
        }
        // A paragraph directly in a list item makes the list loose.
        if matches!(kind, Kind::Paragraph { .. }) {
            let n = self.stack.len();
            if n >= 2 && matches!(self.stack[n - 1].kind, Kind::Item { .. }) {
                if let Kind::List { loose, .. } = &mut self.stack[n - 2].kind {
                    *loose = true;
                }
            }
        }
        let opened = self.open(kind, Origin::Markdown, "", span);
        self.md_open.push(opened);
    }

    fn md_end(&mut self) {
        if !self.md_open.pop().unwrap_or(false) {
            return;
        }
        // Close what HTML left open inside, then the Markdown node itself.
        while self.stack.len() > 1 {
            let origin = self.top().origin;
            self.close_top();
            if origin == Origin::Markdown {
                break;
            }
        }
    }

    /// Opens a node unless the nesting cap says to flatten it; returns
    /// whether it did.
    fn open(&mut self, kind: Kind, origin: Origin, name: &'static str, span: Span) -> bool {
        if kind.is_container() && self.depth >= MAX_NESTING {
            if !self.capped {
                self.capped = true;
                self.warn(
                    span,
                    format!("nesting deeper than {MAX_NESTING} levels is flattened here"),
                    Some("no book needs blocks this deep: lists, quotes or HTML elements inside one another"),
                );
            }
            // Whatever was gathered so far stays a paragraph of its own.
            self.flush_paragraph();
            return false;
        }
        let phrasing = kind.model() == Model::Phrasing;
        if phrasing && self.inline_depth >= MAX_INLINE_NESTING {
            return false;
        }
        if kind.is_container() {
            self.depth += 1;
        }
        if phrasing {
            self.inline_depth += 1;
        }
        // Inline content starts a new run: the text before it is settled.
        if phrasing {
            self.flush_run();
        }
        self.stack.push(Node::new(kind, origin, name, span));
        true
    }

    // ------------------------------------------------------------ adding

    /// Markdown text, kept in the node's run until it is settled
    /// (sub- and superscripts inside words need to see all of it).
    fn add_text_seg(&mut self, seg: Seg) {
        match self.top().kind.model() {
            Model::Flow | Model::Phrasing => self.top_mut().run.push(seg),
            _ => self.add_inline(Inline::new(InlineKind::Text(seg.text), seg.span)),
        }
    }

    /// Turns the top node's pending Markdown text into inlines.
    fn flush_run(&mut self) {
        let Some(node) = self.stack.last_mut() else {
            return;
        };
        if node.run.is_empty() {
            return;
        }
        let run = std::mem::take(&mut node.run);
        let mut out = Vec::new();
        let mut undefined = Vec::new();
        text::settle(run, &mut out, &mut undefined);
        for inline in out {
            push_inline(&mut self.top_mut().inlines, inline);
        }
        for (label, span) in undefined {
            self.warn(
                span,
                format!("footnote `[^{label}]` is not defined; it is printed as written"),
                Some("define it on a line of its own: [^label]: The note's text."),
            );
        }
    }

    fn add_inline(&mut self, inline: Inline) {
        self.flush_run();
        match self.top().kind.model() {
            Model::Flow | Model::Phrasing => push_inline(&mut self.top_mut().inlines, inline),
            Model::Text => {
                let text = match &inline.kind {
                    InlineKind::HardBreak | InlineKind::SoftBreak => "\n".to_string(),
                    _ => plain_text(std::slice::from_ref(&inline)),
                };
                if let Kind::Code { text: code, .. } = &mut self.top_mut().kind {
                    code.push_str(&text);
                }
            }
            Model::Structure => {
                if is_blank(&inline) {
                    return;
                }
                self.open_implicit_child(inline.span);
                self.add_inline(inline);
            }
            Model::Swallow => {}
        }
    }

    /// Settles the top flow node's gathered inlines into a paragraph.
    fn flush_paragraph(&mut self) {
        self.flush_run();
        let node = self.top_mut();
        if node.kind.model() != Model::Flow || node.inlines.is_empty() {
            return;
        }
        let inlines = std::mem::take(&mut node.inlines);
        let in_figure = matches!(node.kind, Kind::Figure { .. });
        if let Some(block) = paragraph(inlines, in_figure, false) {
            self.top_mut().blocks.push(block);
        }
    }

    fn add_block(&mut self, block: Block) {
        match self.top().kind.model() {
            Model::Flow => {
                self.flush_paragraph();
                self.top_mut().blocks.push(block);
            }
            Model::Phrasing => {
                // Only HTML repairs can bring a block here: keep its text.
                let span = block.span;
                for inline in flatten(vec![block]) {
                    self.add_inline(inline);
                }
                let _ = span;
            }
            Model::Text => {
                let text = block_text(&block);
                if let Kind::Code { text: code, .. } = &mut self.top_mut().kind {
                    code.push_str(&text);
                }
            }
            Model::Structure => {
                self.open_implicit_child(block.span);
                self.add_block(block);
            }
            Model::Swallow => {
                if let Kind::Drop { swallowed } = &mut self.top_mut().kind {
                    *swallowed += 1;
                }
            }
        }
    }

    /// Before a block opens: HTML text-level elements and paragraphs left
    /// open cannot hold it (HTML closes them too), and a list or table
    /// takes it only inside an item or cell.
    fn prepare_for_block(&mut self) {
        self.close_html_phrasing();
        if self.top().kind.model() == Model::Structure {
            let span = self.top().span;
            self.open_implicit_child(span);
        }
    }

    /// Closes the HTML text-level nodes (and `<p>`, headings…) on top.
    fn close_html_phrasing(&mut self) {
        while self.stack.len() > 1
            && self.top().origin != Origin::Markdown
            && self.top().kind.model() == Model::Phrasing
        {
            self.close_top();
        }
    }

    /// Opens what a list, definition list or table needs around content
    /// put directly into it.
    fn open_implicit_child(&mut self, span: Span) {
        let kind = match &self.top().kind {
            Kind::List { .. } => Kind::Item { task: None },
            Kind::DefList { .. } => Kind::Desc,
            Kind::Table { .. } | Kind::TableSection { .. } => Kind::Row {
                head: false,
                cells: Vec::new(),
            },
            Kind::Row { .. } => Kind::Cell {
                header: false,
                colspan: 1,
                rowspan: 1,
                align: None,
            },
            _ => return,
        };
        let is_row = matches!(kind, Kind::Row { .. });
        self.stack.push(Node::new(kind, Origin::Implicit, "", span));
        self.depth += 1;
        if is_row {
            self.open_implicit_child(span);
        }
    }

    // ------------------------------------------------------------ closing

    /// Closes the top node and gives what it made to its parent.
    fn close_top(&mut self) {
        self.flush_run();
        if self.top().kind.model() == Model::Flow {
            self.flush_paragraph();
        }
        let node = self.stack.pop().expect("the root is never closed");
        if node.kind.is_container() {
            self.depth -= 1;
        }
        if node.kind.model() == Model::Phrasing {
            self.inline_depth -= 1;
        }
        let Node {
            kind,
            origin,
            span,
            blocks,
            inlines,
            ..
        } = node;
        let html = origin != Origin::Markdown;
        match kind {
            Kind::Root => unreachable!("the root is never closed"),
            Kind::Paragraph { attrs } => {
                let inlines = if html { trim(inlines) } else { inlines };
                let in_figure = matches!(self.top().kind, Kind::Figure { .. });
                let parts = split_at_displays(inlines);
                let whole = parts.len() == 1;
                for part in parts {
                    if let Some(block) = paragraph(part, in_figure, !html) {
                        // A paragraph cut at its displays keeps each
                        // piece's own span.
                        let block = if whole {
                            Block { span, ..block }
                        } else {
                            block
                        };
                        self.add_block(wrap_aligned(block, attrs.clone()));
                    }
                }
            }
            Kind::Heading { level, id, classes } => {
                let content = if html { trim(inlines) } else { inlines };
                self.add_block(Block {
                    kind: BlockKind::Heading(Heading {
                        level,
                        id,
                        content,
                        classes,
                    }),
                    span,
                });
            }
            Kind::Quote => self.add_block(Block {
                kind: BlockKind::BlockQuote(blocks),
                span,
            }),
            Kind::Code {
                lang,
                text,
                html,
                options,
            } => {
                let text = if html {
                    // HTML drops one newline right after `<pre>`.
                    let t = text.strip_prefix('\n').unwrap_or(&text);
                    let mut t = t.to_string();
                    if !t.ends_with('\n') {
                        t.push('\n');
                    }
                    t
                } else {
                    text
                };
                let tokens = lang
                    .as_deref()
                    .and_then(|l| crate::highlight::highlight(l, &text))
                    .unwrap_or_default();
                self.add_block(Block {
                    kind: BlockKind::CodeBlock {
                        lang,
                        text,
                        options,
                        tokens,
                    },
                    span,
                });
            }
            Kind::List {
                start,
                loose,
                items,
            } => {
                if !items.is_empty() {
                    self.add_block(Block {
                        kind: BlockKind::List(List {
                            start,
                            tight: !loose,
                            items,
                        }),
                        span,
                    });
                }
            }
            Kind::Item { task } => {
                let item = ListItem { task, blocks, span };
                match &mut self.top_mut().kind {
                    Kind::List { items, .. } => items.push(item),
                    _ => {
                        for block in item.blocks {
                            self.add_block(block);
                        }
                    }
                }
            }
            Kind::Footnote { label } => {
                self.note_defs.entry(label).or_insert((blocks, span));
            }
            Kind::DefList { defs } => {
                if !defs.is_empty() {
                    self.add_block(Block {
                        kind: BlockKind::DefinitionList(defs),
                        span,
                    });
                }
            }
            Kind::Term => {
                let term = if html { trim(inlines) } else { inlines };
                match &mut self.top_mut().kind {
                    Kind::DefList { defs } => defs.push(Definition {
                        term,
                        details: Vec::new(),
                        span,
                    }),
                    _ => self.add_paragraph(term, span),
                }
            }
            Kind::Desc => match &mut self.top_mut().kind {
                Kind::DefList { defs } => match defs.last_mut() {
                    Some(def) => def.details.push(blocks),
                    None => defs.push(Definition {
                        term: Vec::new(),
                        details: vec![blocks],
                        span,
                    }),
                },
                _ => {
                    for block in blocks {
                        self.add_block(block);
                    }
                }
            },
            Kind::Table {
                aligns,
                mut head,
                mut rows,
                caption,
            } => {
                if head.is_empty() && rows.len() > 1 && html {
                    // An HTML table whose first row is all `<th>` has a head.
                    if rows[0].cells.iter().all(|c| c.header) {
                        head.push(rows.remove(0));
                    }
                }
                if head.is_empty() && rows.is_empty() {
                    if !caption.is_empty() {
                        self.add_paragraph(caption, span);
                    }
                    return;
                }
                let mut table = Table {
                    aligns,
                    head,
                    rows,
                    caption,
                };
                if !html {
                    // Markdown rows have as many cells as the delimiter row.
                    let columns = table.aligns.len();
                    for row in table.head.iter_mut().chain(table.rows.iter_mut()) {
                        row.cells
                            .resize_with(columns, || Cell::new(Vec::new(), false));
                    }
                }
                self.add_block(Block {
                    kind: BlockKind::Table(table),
                    span,
                });
            }
            Kind::TableSection { head, rows } => {
                if let Kind::Table {
                    head: table_head,
                    rows: table_rows,
                    ..
                } = &mut self.top_mut().kind
                {
                    if head {
                        table_head.extend(rows);
                    } else {
                        table_rows.extend(rows);
                    }
                }
            }
            Kind::Row { head, cells } => {
                if cells.is_empty() {
                    return;
                }
                let row = Row { cells };
                match &mut self.top_mut().kind {
                    Kind::TableSection { head: h, rows } => {
                        let _ = h;
                        rows.push(row);
                    }
                    Kind::Table {
                        head: table_head,
                        rows,
                        ..
                    } => {
                        if head {
                            table_head.push(row);
                        } else {
                            rows.push(row);
                        }
                    }
                    _ => {
                        for cell in row.cells {
                            self.add_paragraph(cell.content, span);
                        }
                    }
                }
            }
            Kind::Cell {
                header,
                colspan,
                rowspan,
                align,
            } => {
                let mut content = flatten(blocks);
                if !inlines.is_empty() {
                    if !content.is_empty() {
                        content.push(Inline::new(InlineKind::HardBreak, span));
                    }
                    content.extend(inlines);
                }
                let content = if html { trim(content) } else { content };
                let cell = Cell {
                    content,
                    header,
                    colspan,
                    rowspan,
                    align,
                };
                match &mut self.top_mut().kind {
                    Kind::Row { cells, .. } => cells.push(cell),
                    _ => self.add_paragraph(cell.content, span),
                }
            }
            Kind::Caption | Kind::FigCaption => {
                let content = trim(flatten_with(blocks, inlines, span));
                match &mut self.top_mut().kind {
                    Kind::Table { caption, .. } | Kind::Figure { caption, .. } => {
                        caption.extend(content)
                    }
                    _ => self.add_paragraph(content, span),
                }
            }
            Kind::Division { attrs } => {
                if blocks.is_empty() {
                    if let Some(id) = attrs.id {
                        self.add_inline(Inline::new(InlineKind::Anchor(id), span));
                    }
                    return;
                }
                if attrs == Attrs::default() {
                    for block in blocks {
                        self.add_block(block);
                    }
                } else {
                    self.add_block(Block {
                        kind: BlockKind::Division(Division { attrs, blocks }),
                        span,
                    });
                }
            }
            Kind::Figure { caption } => {
                if blocks.is_empty() && caption.is_empty() {
                    return;
                }
                if blocks.is_empty() {
                    self.add_paragraph(caption, span);
                    return;
                }
                self.add_block(Block {
                    kind: BlockKind::Figure(Figure {
                        body: blocks,
                        caption,
                    }),
                    span,
                });
            }
            Kind::Details { summary } => {
                self.add_block(Block {
                    kind: BlockKind::Details(Details { summary, blocks }),
                    span,
                });
            }
            Kind::Summary => {
                let content = trim(inlines);
                match &mut self.top_mut().kind {
                    Kind::Details { summary } => summary.extend(content),
                    _ => self.add_paragraph(content, span),
                }
            }
            Kind::Phrase {
                phrase,
                attrs,
                title,
            } => self.close_phrase(phrase, attrs, title, inlines, span),
            Kind::MdInline(which) => {
                let kind = match which {
                    MdInline::Emphasis => InlineKind::Emphasis(inlines),
                    MdInline::Strong => InlineKind::Strong(inlines),
                    MdInline::Strike => InlineKind::Strikethrough(inlines),
                    // Sub- and superscripts hold no spaces (as in Pandoc):
                    // `~two words~` strikes, as on GitHub; `^a b^` is text.
                    MdInline::Subscript if has_space(&inlines) => {
                        InlineKind::Strikethrough(inlines)
                    }
                    MdInline::Subscript => InlineKind::Subscript(inlines),
                    MdInline::Superscript if has_space(&inlines) => {
                        self.add_inline(Inline::new(InlineKind::Text("^".into()), span));
                        for inline in inlines {
                            self.add_inline(inline);
                        }
                        self.add_inline(Inline::new(InlineKind::Text("^".into()), span));
                        return;
                    }
                    MdInline::Superscript => InlineKind::Superscript(inlines),
                };
                self.add_inline(Inline::new(kind, span));
            }
            Kind::Link { url, title, id } => {
                if let Some(id) = id {
                    self.add_inline(Inline::new(InlineKind::Anchor(id), span));
                }
                // An empty link to `#id` may be a reference to an
                // equation, which gets its number when links are resolved.
                if inlines.is_empty() && !url.starts_with('#') {
                    return;
                }
                self.add_inline(Inline::new(
                    InlineKind::Link(Link {
                        // Resolved against the book later.
                        target: LinkTarget::External(url),
                        title,
                        content: inlines,
                    }),
                    span,
                ));
            }
            Kind::ImageAlt { url, title } => {
                let alt = plain_text(&inlines);
                self.add_inline(Inline::new(
                    InlineKind::Image(Image::new(url, alt, title)),
                    span,
                ));
            }
            Kind::RubyText => {
                let text = plain_text(&inlines);
                if !text.trim().is_empty() {
                    self.add_inline(Inline::new(
                        InlineKind::Text(format!("({})", text.trim())),
                        span,
                    ));
                }
            }
            Kind::Drop { swallowed } => {
                if swallowed > 0 {
                    self.warn(
                        span,
                        format!(
                            "{swallowed} Markdown block{} inside this dropped element {} dropped with it",
                            if swallowed == 1 { "" } else { "s" },
                            if swallowed == 1 { "is" } else { "are" }
                        ),
                        Some("close the element before the text that should show"),
                    );
                }
            }
        }
    }

    fn add_paragraph(&mut self, inlines: Vec<Inline>, span: Span) {
        if let Some(block) = paragraph(inlines, false, false) {
            self.add_block(Block { span, ..block });
        }
    }

    fn close_phrase(
        &mut self,
        phrase: Phrase,
        attrs: Attrs,
        title: Option<String>,
        inlines: Vec<Inline>,
        span: Span,
    ) {
        let kind = match phrase {
            Phrase::Emphasis => InlineKind::Emphasis(inlines),
            Phrase::Strong => InlineKind::Strong(inlines),
            Phrase::Strike => InlineKind::Strikethrough(inlines),
            Phrase::Underline => InlineKind::Underline(inlines),
            Phrase::Superscript => InlineKind::Superscript(inlines),
            Phrase::Subscript => InlineKind::Subscript(inlines),
            Phrase::Small => InlineKind::Small(inlines),
            Phrase::Mark => InlineKind::Mark(inlines),
            Phrase::Kbd => InlineKind::Kbd(inlines),
            Phrase::Code => InlineKind::Code(plain_text(&inlines)),
            Phrase::Abbr => InlineKind::Abbr {
                title,
                content: inlines,
            },
            Phrase::Quote => {
                self.add_inline(Inline::new(InlineKind::Text("\u{201C}".into()), span));
                for inline in inlines {
                    self.add_inline(inline);
                }
                self.add_inline(Inline::new(InlineKind::Text("\u{201D}".into()), span));
                return;
            }
            Phrase::Span => {
                if attrs.lang.is_none() && attrs.dir.is_none() && attrs.id.is_none() {
                    for inline in inlines {
                        self.add_inline(inline);
                    }
                    return;
                }
                if inlines.is_empty() {
                    if let Some(id) = attrs.id {
                        self.add_inline(Inline::new(InlineKind::Anchor(id), span));
                    }
                    return;
                }
                InlineKind::Span {
                    attrs,
                    content: inlines,
                }
            }
        };
        let empty = kind.content().is_some_and(<[Inline]>::is_empty)
            || matches!(&kind, InlineKind::Code(c) if c.is_empty());
        if !empty {
            self.add_inline(Inline::new(kind, span));
        }
    }

    // ------------------------------------------------------------ HTML

    /// Tokenizes a piece of raw HTML and feeds its tokens.
    fn html_piece(&mut self, piece: &Piece) {
        let mut flaws = Vec::new();
        let tokens = html::tokenize(&piece.text, &mut flaws);
        let place = |r: Range<usize>| piece.source(r.start)..piece.source(r.end);
        for (flaw, range) in flaws {
            let span = self.span(place(range));
            self.flaw(flaw, span);
        }
        for token in tokens {
            let range = place(token.range.clone());
            let span = self.span(range.clone());
            match token.kind {
                TokenKind::Comment => {}
                TokenKind::Text(t) => self.html_text(t, span),
                TokenKind::Start {
                    name,
                    attrs,
                    self_closing,
                } => {
                    let written = piece.text[token.range].to_string();
                    self.html_start(&name, &attrs, self_closing, span, &written);
                }
                TokenKind::End { name } => {
                    let written = piece.text[token.range].to_string();
                    self.html_end(&name, span, &written);
                }
            }
        }
    }

    fn html_text(&mut self, text: String, span: Span) {
        match self.top().kind.model() {
            Model::Swallow => {}
            Model::Text => {
                if let Kind::Code { text: code, .. } = &mut self.top_mut().kind {
                    code.push_str(&text);
                }
            }
            model => {
                let collapsed = collapse_ws(&text);
                let pending = !self.top().inlines.is_empty() || !self.top().run.is_empty();
                if collapsed == " " && (model != Model::Phrasing && !pending) {
                    return;
                }
                if collapsed.is_empty() {
                    return;
                }
                self.add_inline(Inline::new(InlineKind::Text(collapsed), span));
            }
        }
    }

    fn html_start(
        &mut self,
        name: &str,
        attrs: &[(String, String)],
        self_closing: bool,
        span: Span,
        written: &str,
    ) {
        let element = classify(name);
        let in_code = self.top().kind.model() == Model::Text;
        if self.top().kind.model() == Model::Swallow {
            // Inside a dropped element: only nesting of its own kind counts.
            if element == Element::Drop && !is_void(name) && !self_closing {
                self.open_html(Kind::Drop { swallowed: 0 }, name, span);
            }
            return;
        }
        if in_code {
            match element {
                Element::Break => self.html_text("\n".into(), span),
                Element::Phrase(Phrase::Code) => {
                    if let Some(lang) = class_language(attrs) {
                        if let Kind::Code { lang: l, .. } = &mut self.top_mut().kind {
                            l.get_or_insert(lang);
                        }
                    }
                }
                _ => {}
            }
            return;
        }
        let get = |key: &str| {
            attrs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.trim().to_string())
        };
        let mut common = attrs_of(attrs);
        match element {
            Element::Foreign => {
                self.add_inline(Inline::new(InlineKind::Text(written.to_string()), span));
            }
            Element::Ignore => {}
            Element::Skip => {
                if !is_void(name) && !self_closing {
                    self.flush_run();
                    self.open_html(Kind::Drop { swallowed: 0 }, name, span);
                }
            }
            Element::Unwrap => {
                if let Some(id) = common.id.take() {
                    self.add_inline(Inline::new(InlineKind::Anchor(id), span));
                }
            }
            Element::Drop => {
                let what = dropped_reason(name);
                self.warn(
                    span,
                    format!("`<{name}>` is left out: {what}"),
                    drop_hint(name),
                );
                if !is_void(name) && !self_closing {
                    self.prepare_for_drop();
                    self.open_html(Kind::Drop { swallowed: 0 }, name, span);
                }
            }
            Element::Input => {
                let checkbox = get("type").is_some_and(|t| t.eq_ignore_ascii_case("checkbox"));
                if checkbox {
                    let glyph = if get("checked").is_some() {
                        "\u{2611} "
                    } else {
                        "\u{2610} "
                    };
                    self.add_inline(Inline::new(InlineKind::Text(glyph.into()), span));
                } else {
                    self.warn(span, "`<input>` is left out: a book has no forms", None);
                }
            }
            Element::Break => self.add_inline(Inline::new(InlineKind::HardBreak, span)),
            Element::Image => {
                let mut image = Image::new(
                    get("src").unwrap_or_default(),
                    get("alt").unwrap_or_default(),
                    get("title").filter(|t| !t.is_empty()),
                );
                image.width = get("width").and_then(|w| pixels(&w));
                image.height = get("height").and_then(|h| pixels(&h));
                if let Some(id) = common.id.take() {
                    self.add_inline(Inline::new(InlineKind::Anchor(id), span));
                }
                self.add_inline(Inline::new(InlineKind::Image(image), span));
            }
            Element::Rule => {
                self.close_open_p();
                self.prepare_for_block();
                self.add_block(Block {
                    kind: BlockKind::ThematicBreak,
                    span,
                });
            }
            Element::RubyText => {
                self.open_html(Kind::RubyText, name, span);
            }
            Element::Phrase(phrase) => {
                let kind = Kind::Phrase {
                    phrase,
                    attrs: common,
                    title: get("title").filter(|t| !t.is_empty()),
                };
                if self.top().kind.model() == Model::Structure {
                    self.open_implicit_child(span);
                }
                if self.open_html(kind, name, span) && self_closing {
                    self.close_top();
                }
            }
            Element::Link => {
                // Links never nest: a new `<a>` ends the open one.
                self.close_html_until(|k| matches!(k, Kind::Link { .. }), |_| false);
                let href = get("href").filter(|h| !h.is_empty());
                let id = common.id.take();
                match href {
                    Some(url) => {
                        if self.top().kind.model() == Model::Structure {
                            self.open_implicit_child(span);
                        }
                        let kind = Kind::Link {
                            url,
                            title: get("title").filter(|t| !t.is_empty()),
                            id,
                        };
                        if self.open_html(kind, name, span) && self_closing {
                            self.close_top();
                        }
                    }
                    None => {
                        if let Some(id) = id {
                            self.add_inline(Inline::new(InlineKind::Anchor(id), span));
                        }
                    }
                }
            }
            block => self.html_block_start(block, name, attrs, common, self_closing, span),
        }
    }

    /// A dropped element swallows what follows; text-level content before
    /// it is settled first so nothing already gathered goes with it.
    fn prepare_for_drop(&mut self) {
        self.flush_run();
    }

    fn html_block_start(
        &mut self,
        element: Element,
        name: &str,
        attrs: &[(String, String)],
        common: Attrs,
        self_closing: bool,
        span: Span,
    ) {
        // Implied end tags, as HTML parsers close them.
        match element {
            Element::Item => self.close_html_until(
                |k| matches!(k, Kind::Item { .. }),
                |k| matches!(k, Kind::List { .. }),
            ),
            Element::Term | Element::Desc => self.close_html_until(
                |k| matches!(k, Kind::Term | Kind::Desc),
                |k| matches!(k, Kind::DefList { .. }),
            ),
            Element::Row => self.close_html_until(
                |k| matches!(k, Kind::Row { .. }),
                |k| matches!(k, Kind::Table { .. } | Kind::TableSection { .. }),
            ),
            Element::Cell { .. } => self.close_html_until(
                |k| matches!(k, Kind::Cell { .. }),
                |k| matches!(k, Kind::Row { .. } | Kind::Table { .. }),
            ),
            Element::TableSection { .. } => self.close_html_until(
                |k| matches!(k, Kind::TableSection { .. }),
                |k| matches!(k, Kind::Table { .. }),
            ),
            Element::Heading(_) => {
                self.close_html_until(|k| matches!(k, Kind::Heading { .. }), |_| false)
            }
            _ => {}
        }
        self.close_open_p();
        // A block cannot open inside text-level HTML, nor inside a
        // Markdown paragraph (inline HTML): there its tags are unwrapped.
        self.close_html_phrasing();
        if self.top().kind.model() == Model::Phrasing {
            return;
        }
        let get = |key: &str| {
            attrs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.trim().to_string())
        };
        let top_is = |b: &Self, f: fn(&Kind) -> bool| f(&b.top().kind);
        let kind = match element {
            Element::Paragraph => Kind::Paragraph { attrs: common },
            Element::Heading(level) => Kind::Heading {
                level,
                id: common.id.unwrap_or_default(),
                classes: common.classes,
            },
            Element::Division { center } => {
                let mut attrs = common;
                if center {
                    attrs.align = Some(Align::Center);
                }
                Kind::Division { attrs }
            }
            Element::BlockQuote => Kind::Quote,
            Element::List { ordered } => {
                self.prepare_for_block();
                Kind::List {
                    start: ordered.then(|| {
                        get("start")
                            .and_then(|s| s.parse::<u64>().ok())
                            .unwrap_or(1)
                    }),
                    loose: false,
                    items: Vec::new(),
                }
            }
            Element::Item => {
                if !top_is(self, |k| matches!(k, Kind::List { .. })) {
                    self.prepare_for_block();
                    self.open(
                        Kind::List {
                            start: None,
                            loose: false,
                            items: Vec::new(),
                        },
                        Origin::Implicit,
                        "",
                        span,
                    );
                }
                Kind::Item { task: None }
            }
            Element::DefList => Kind::DefList { defs: Vec::new() },
            Element::Term | Element::Desc => {
                if !top_is(self, |k| matches!(k, Kind::DefList { .. })) {
                    self.prepare_for_block();
                    self.open(
                        Kind::DefList { defs: Vec::new() },
                        Origin::Implicit,
                        "",
                        span,
                    );
                }
                if element == Element::Term {
                    Kind::Term
                } else {
                    Kind::Desc
                }
            }
            Element::Table => Kind::Table {
                aligns: Vec::new(),
                head: Vec::new(),
                rows: Vec::new(),
                caption: Vec::new(),
            },
            Element::TableSection { head } => {
                if !top_is(self, |k| matches!(k, Kind::Table { .. })) {
                    return;
                }
                Kind::TableSection {
                    head,
                    rows: Vec::new(),
                }
            }
            Element::Row => {
                if !top_is(self, |k| {
                    matches!(k, Kind::Table { .. } | Kind::TableSection { .. })
                }) {
                    return;
                }
                let head = matches!(self.top().kind, Kind::TableSection { head: true, .. });
                Kind::Row {
                    head,
                    cells: Vec::new(),
                }
            }
            Element::Cell { header } => {
                if top_is(self, |k| {
                    matches!(k, Kind::Table { .. } | Kind::TableSection { .. })
                }) {
                    self.open_implicit_child(span);
                    // That opened a row and a cell: use the row.
                    self.close_top();
                }
                if !top_is(self, |k| matches!(k, Kind::Row { .. })) {
                    Kind::Division {
                        attrs: Attrs::default(),
                    }
                } else {
                    let count = |key: &str| {
                        get(key)
                            .and_then(|v| v.parse::<u16>().ok())
                            .map_or(1, |n| n.clamp(1, 1000))
                    };
                    Kind::Cell {
                        header,
                        colspan: count("colspan"),
                        rowspan: count("rowspan"),
                        align: common.align,
                    }
                }
            }
            Element::Caption => {
                if top_is(self, |k| matches!(k, Kind::Table { .. })) {
                    Kind::Caption
                } else {
                    Kind::Division {
                        attrs: Attrs::default(),
                    }
                }
            }
            Element::Figure => Kind::Figure {
                caption: Vec::new(),
            },
            Element::FigCaption => {
                if top_is(self, |k| matches!(k, Kind::Figure { .. })) {
                    Kind::FigCaption
                } else {
                    Kind::Division {
                        attrs: Attrs::default(),
                    }
                }
            }
            Element::Details => Kind::Details {
                summary: Vec::new(),
            },
            Element::Summary => {
                if top_is(self, |k| matches!(k, Kind::Details { .. })) {
                    Kind::Summary
                } else {
                    Kind::Paragraph {
                        attrs: Attrs::default(),
                    }
                }
            }
            Element::Pre => Kind::Code {
                lang: class_language(attrs),
                text: String::new(),
                html: true,
                options: CodeOptions::default(),
            },
            _ => return,
        };
        if !matches!(
            kind,
            Kind::Item { .. }
                | Kind::Term
                | Kind::Desc
                | Kind::Row { .. }
                | Kind::Cell { .. }
                | Kind::TableSection { .. }
                | Kind::Caption
                | Kind::FigCaption
                | Kind::Summary
        ) {
            self.prepare_for_block();
        }
        if self.open_html(kind, name, span) && (self_closing || is_void(name)) {
            self.close_top();
        }
    }

    /// Opens an HTML element's node; false when flattened by the cap.
    fn open_html(&mut self, kind: Kind, name: &str, span: Span) -> bool {
        let opened = self.open(kind, Origin::Html, intern(name), span);
        if opened {
            self.top_mut().name = intern(name);
        }
        opened
    }

    /// A block start closes an open `<p>` among the text-level nodes on top.
    fn close_open_p(&mut self) {
        self.close_html_until(
            |k| matches!(k, Kind::Paragraph { .. }),
            |k| k.model() != Model::Phrasing,
        );
    }

    /// Searching down from the top, through HTML and implicit nodes only:
    /// if a node matching `target` comes before one matching `boundary`,
    /// closes everything down to and including it.
    fn close_html_until(&mut self, target: fn(&Kind) -> bool, boundary: fn(&Kind) -> bool) {
        let mut found = None;
        for (i, node) in self.stack.iter().enumerate().rev() {
            if node.origin == Origin::Markdown {
                break;
            }
            if target(&node.kind) {
                found = Some(i);
                break;
            }
            if boundary(&node.kind) {
                break;
            }
        }
        if let Some(i) = found {
            while self.stack.len() > i {
                self.close_top();
            }
        }
    }

    fn html_end(&mut self, name: &str, span: Span, written: &str) {
        if self.top().kind.model() == Model::Text && name != "pre" && name != "listing" {
            return;
        }
        match classify(name) {
            Element::Foreign => {
                if self.top().kind.model() != Model::Swallow {
                    self.add_inline(Inline::new(InlineKind::Text(written.to_string()), span));
                }
                return;
            }
            // `</br>` is a line break to browsers.
            Element::Break => {
                self.add_inline(Inline::new(InlineKind::HardBreak, span));
                return;
            }
            _ => {}
        }
        let mut found = None;
        for (i, node) in self.stack.iter().enumerate().rev() {
            if node.origin == Origin::Markdown {
                break;
            }
            if node.origin == Origin::Html && node.name == name {
                found = Some(i);
                break;
            }
            // Inside a dropped element, only its own end tag counts.
            if node.kind.model() == Model::Swallow {
                break;
            }
        }
        if let Some(i) = found {
            while self.stack.len() > i {
                let closing_span = self.top().span;
                if self.stack.len() == i + 1 {
                    self.top_mut().span.end = span.end.max(closing_span.end);
                }
                self.close_top();
            }
        }
    }

    // ------------------------------------------------------------ text

    /// Reports a flaw of raw HTML text at its place.
    fn flaw(&mut self, flaw: Flaw, span: Span) {
        match flaw {
            Flaw::BadReference(written) => self.warn(
                span,
                format!("`{written}` is not a character (a null, surrogate or out-of-range code point); it is kept as written"),
                Some("write the character itself, or a reference to a valid code point"),
            ),
            Flaw::Unprintable(c) => self.unprintable(c, span),
        }
    }

    fn unprintable(&mut self, c: char, span: Span) {
        if self.unprintable_seen.contains(&c) {
            return;
        }
        self.unprintable_seen.push(c);
        let what = if c.is_control() {
            "control character"
        } else {
            "noncharacter"
        };
        self.warn(
            span,
            format!(
                "{what} U+{:04X} cannot be printed; it is left out",
                u32::from(c)
            ),
            None,
        );
    }

    /// `t` (the text of an event from `span`) without the characters that
    /// have no place in a book, each kind reported once per chapter.
    fn printable(&mut self, t: &str, span: Span) -> String {
        if !t.chars().any(html::unprintable) {
            return t.to_string();
        }
        let verbatim = self.source.get(span.start as usize..span.end as usize) == Some(t);
        let mut out = String::with_capacity(t.len());
        for (i, c) in t.char_indices() {
            if !html::unprintable(c) {
                out.push(c);
                continue;
            }
            let place = if verbatim {
                let start = span.start as usize + i;
                self.span(start..start + c.len_utf8())
            } else {
                span
            };
            self.unprintable(c, place);
        }
        out
    }

    /// The text of a Markdown text event. CommonMark turns a numeric
    /// character reference to no character (`&#0;`, a surrogate, past
    /// U+10FFFF) into U+FFFD, which would print as a replacement mark; such
    /// a reference is kept as the author wrote it, and reported.
    fn markdown_text(&mut self, t: &str, span: Span) -> String {
        let t = self.printable(t, span);
        if t == "\u{FFFD}" {
            let written = self
                .source
                .get(span.start as usize..span.end as usize)
                .unwrap_or("");
            if !written.is_empty() && text::bad_reference_len(written) == written.len() {
                self.flaw(Flaw::BadReference(written.to_string()), span);
                return written.to_string();
            }
        }
        t
    }

    // ------------------------------------------------------------ finish

    /// Closes everything still open and hands over the chapter.
    pub fn finish(mut self) -> Built {
        if let Some(piece) = self.piece.take() {
            self.html_piece(&piece);
        }
        while self.stack.len() > 1 {
            self.close_top();
        }
        self.flush_paragraph();
        let root = self.stack.pop().expect("the root");
        let mut footnotes = Vec::new();
        for (i, (label, span)) in self.note_labels.iter().enumerate() {
            let (blocks, def_span) = self.note_defs.remove(label).unwrap_or((Vec::new(), *span));
            footnotes.push(Footnote {
                label: label.clone(),
                number: i + 1,
                id: String::new(),
                blocks,
                span: def_span,
            });
        }
        let mut notes = self.notes;
        for (label, (_, span)) in self.note_defs {
            notes.push(Note {
                span,
                warning: format!("footnote `[^{label}]` is never referenced; it is left out"),
                hint: None,
            });
        }
        Built {
            blocks: root.blocks,
            footnotes,
            notes,
        }
    }
}

// ---------------------------------------------------------------- helpers

/// A paragraph of `inlines`, or `None` if there is nothing in it. A lone
/// image is a figure (in a figure's body, the image itself); lone display
/// math a math block. A Markdown image alone is captioned with its title,
/// else its alt text (as Pandoc does); an HTML one is not.
fn paragraph(inlines: Vec<Inline>, in_figure: bool, markdown: bool) -> Option<Block> {
    let inlines = trim(inlines);
    let first = inlines.first()?;
    let last = inlines.last()?;
    let span = Span {
        end: last.span.end.max(first.span.end),
        ..first.span
    };
    let meaningful: Vec<&Inline> = inlines.iter().filter(|i| !is_blank(i)).collect();
    if let [only] = meaningful.as_slice() {
        match &only.kind {
            InlineKind::Image(img) => {
                let image = Block {
                    kind: BlockKind::Image(img.clone()),
                    span: only.span,
                };
                if in_figure {
                    return Some(image);
                }
                let caption_text = if markdown {
                    img.title
                        .as_deref()
                        .filter(|t| !t.trim().is_empty())
                        .unwrap_or(&img.alt)
                        .trim()
                        .to_string()
                } else {
                    String::new()
                };
                let caption = if caption_text.is_empty() {
                    Vec::new()
                } else {
                    vec![Inline::new(InlineKind::Text(caption_text), only.span)]
                };
                return Some(Block {
                    kind: BlockKind::Figure(Figure {
                        body: vec![image],
                        caption,
                    }),
                    span,
                });
            }
            InlineKind::Math(m) if m.display && inlines.len() == 1 => {
                return Some(Block {
                    kind: BlockKind::Math(m.clone()),
                    span,
                })
            }
            _ => {}
        }
    }
    // `$$…$$ {#eq:label}`: a display formula numbered and labelled.
    if let [math, label] = meaningful.as_slice() {
        if let (InlineKind::Math(m), InlineKind::Text(t)) = (&math.kind, &label.kind) {
            let id = t
                .trim()
                .strip_prefix("{#")
                .and_then(|r| r.strip_suffix('}'))
                .filter(|id| !id.is_empty() && !id.contains(char::is_whitespace));
            if let (true, Some(id)) = (m.display, id) {
                let mut m = m.clone();
                m.id = Some(id.to_string());
                return Some(Block {
                    kind: BlockKind::Math(m),
                    span,
                });
            }
        }
    }
    Some(Block {
        kind: BlockKind::Paragraph(inlines),
        span,
    })
}

/// A paragraph's inlines cut before and after each display formula among
/// other text (`text $$…$$ more text`, as Pandoc-style books write a
/// display inside its sentence), so that the formula becomes a block of its
/// own; a `{#label}` right after the formula stays with it. One part when
/// there is nothing to cut.
fn split_at_displays(inlines: Vec<Inline>) -> Vec<Vec<Inline>> {
    if !inlines
        .iter()
        .any(|i| matches!(&i.kind, InlineKind::Math(m) if m.display))
    {
        return vec![inlines];
    }
    let mut parts = Vec::new();
    let mut current = Vec::new();
    let mut rest = inlines.into_iter().peekable();
    while let Some(inline) = rest.next() {
        if !matches!(&inline.kind, InlineKind::Math(m) if m.display) {
            current.push(inline);
            continue;
        }
        parts.push(std::mem::take(&mut current));
        let mut display = vec![inline];
        if let Some(Inline {
            kind: InlineKind::Text(t),
            span,
        }) = rest.peek()
        {
            let lead = t.len() - t.trim_start().len();
            let label_end = t[lead..]
                .strip_prefix("{#")
                .and_then(|r| r.find('}'))
                .map(|close| lead + 2 + close + 1);
            if let Some(end) = label_end {
                let span = *span;
                let (label, after) = t.split_at(end);
                let at = |offset: usize| span.start.saturating_add(offset as u32).min(span.end);
                display.push(Inline::new(
                    InlineKind::Text(label.to_string()),
                    Span {
                        end: at(end),
                        ..span
                    },
                ));
                let after = Inline::new(
                    InlineKind::Text(after.to_string()),
                    Span {
                        start: at(end),
                        ..span
                    },
                );
                rest.next();
                current.push(after);
            }
        }
        parts.push(display);
    }
    parts.push(current);
    parts.retain(|p| p.iter().any(|i| !is_blank(i)));
    if parts.is_empty() {
        parts.push(Vec::new());
    }
    parts
}

/// A block aligned by its HTML attributes is wrapped in a division that
/// says so.
fn wrap_aligned(block: Block, attrs: Attrs) -> Block {
    if attrs == Attrs::default() {
        return block;
    }
    let span = block.span;
    Block {
        kind: BlockKind::Division(Division {
            attrs,
            blocks: vec![block],
        }),
        span,
    }
}

/// Whether an inline is only white space.
fn is_blank(inline: &Inline) -> bool {
    match &inline.kind {
        InlineKind::Text(t) => t.trim().is_empty(),
        InlineKind::SoftBreak => true,
        _ => false,
    }
}

/// `inlines` without white space or line breaks at either end.
fn trim(mut inlines: Vec<Inline>) -> Vec<Inline> {
    let edge = |i: &Inline| is_blank(i) || matches!(i.kind, InlineKind::HardBreak);
    let lead = inlines.iter().take_while(|i| edge(i)).count();
    inlines.drain(..lead);
    while inlines.last().is_some_and(edge) {
        inlines.pop();
    }
    if let Some(Inline {
        kind: InlineKind::Text(t),
        ..
    }) = inlines.first_mut()
    {
        let trimmed = t.trim_start();
        if trimmed.len() != t.len() {
            *t = trimmed.to_string();
        }
    }
    if let Some(Inline {
        kind: InlineKind::Text(t),
        ..
    }) = inlines.last_mut()
    {
        let trimmed = t.trim_end();
        if trimmed.len() != t.len() {
            *t = trimmed.to_string();
        }
    }
    inlines
}

/// Blocks as one run of inlines, their paragraphs separated by line
/// breaks: what a table cell or caption can hold of them.
fn flatten(blocks: Vec<Block>) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::new();
    for block in blocks {
        let span = block.span;
        let mut inlines: Vec<Inline> = Vec::new();
        match block.kind {
            BlockKind::Paragraph(c) => inlines = c,
            BlockKind::Heading(h) => inlines.push(Inline::new(InlineKind::Strong(h.content), span)),
            BlockKind::Image(img) => inlines.push(Inline::new(InlineKind::Image(img), span)),
            BlockKind::CodeBlock { text, .. } => {
                inlines.push(Inline::new(
                    InlineKind::Code(text.trim_end().to_string()),
                    span,
                ));
            }
            BlockKind::Math(mut m) => {
                m.display = false;
                inlines.push(Inline::new(InlineKind::Math(m), span));
            }
            BlockKind::ThematicBreak => {}
            BlockKind::List(list) => {
                for (n, item) in list.items.into_iter().enumerate() {
                    let marker = match list.start {
                        Some(start) => format!("{}. ", start + n as u64),
                        None => "\u{2022} ".to_string(),
                    };
                    let content = flatten(item.blocks);
                    if content.is_empty() {
                        continue;
                    }
                    if !inlines.is_empty() {
                        inlines.push(Inline::new(InlineKind::HardBreak, span));
                    }
                    inlines.push(Inline::new(InlineKind::Text(marker), item.span));
                    inlines.extend(content);
                }
            }
            BlockKind::Table(t) => {
                for row in t.head.into_iter().chain(t.rows) {
                    let mut first = true;
                    for cell in row.cells {
                        if !first {
                            inlines.push(Inline::new(InlineKind::Text(" \u{2013} ".into()), span));
                        }
                        first = false;
                        inlines.extend(cell.content);
                    }
                    inlines.push(Inline::new(InlineKind::HardBreak, span));
                }
                inlines.pop();
            }
            BlockKind::DefinitionList(defs) => {
                for def in defs {
                    if !inlines.is_empty() {
                        inlines.push(Inline::new(InlineKind::HardBreak, span));
                    }
                    inlines.push(Inline::new(InlineKind::Strong(def.term), def.span));
                    for details in def.details {
                        inlines.push(Inline::new(InlineKind::Text(": ".into()), def.span));
                        inlines.extend(flatten(details));
                    }
                }
            }
            BlockKind::Figure(fig) => {
                inlines = flatten(fig.body);
                if !fig.caption.is_empty() {
                    inlines.push(Inline::new(InlineKind::HardBreak, span));
                    inlines.extend(fig.caption);
                }
            }
            BlockKind::BlockQuote(b) => inlines = flatten(b),
            BlockKind::Division(d) => inlines = flatten(d.blocks),
            BlockKind::Details(d) => {
                inlines.push(Inline::new(InlineKind::Strong(d.summary), span));
                let rest = flatten(d.blocks);
                if !rest.is_empty() {
                    inlines.push(Inline::new(InlineKind::HardBreak, span));
                    inlines.extend(rest);
                }
            }
        }
        if inlines.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(Inline::new(InlineKind::HardBreak, span));
        }
        out.extend(inlines);
    }
    out
}

fn flatten_with(blocks: Vec<Block>, inlines: Vec<Inline>, span: Span) -> Vec<Inline> {
    let mut out = flatten(blocks);
    if !inlines.is_empty() {
        if !out.is_empty() {
            out.push(Inline::new(InlineKind::HardBreak, span));
        }
        out.extend(inlines);
    }
    out
}

/// The text of a block put where only text goes (inside `<pre>`).
fn block_text(block: &Block) -> String {
    let mut out = String::new();
    crate::model::walk(
        std::slice::from_ref(block),
        &mut |b| {
            if let BlockKind::CodeBlock { text, .. } = &b.kind {
                out.push_str(text);
            }
        },
        &mut |_| {},
    );
    let inlines = flatten(vec![block.clone()]);
    out.push_str(&plain_text(&inlines));
    out
}

/// Appends an inline, merging adjacent text (pulldown-cmark splits text at
/// every smart quote and entity).
pub fn push_inline(out: &mut Vec<Inline>, inline: Inline) {
    if let (Some(last), InlineKind::Text(t)) = (out.last_mut(), &inline.kind) {
        if let InlineKind::Text(prev) = &mut last.kind {
            if last.span.file == inline.span.file {
                prev.push_str(t);
                last.span.end = last.span.end.max(inline.span.end);
                return;
            }
        }
    }
    out.push(inline);
}

/// Runs of white space as one space, as HTML shows text.
fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_ascii_whitespace() {
            space = true;
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    if space {
        out.push(' ');
    }
    out
}

fn has_space(inlines: &[Inline]) -> bool {
    plain_text(inlines).chars().any(char::is_whitespace)
}

/// The attributes that matter to a book, from an element's.
fn attrs_of(attrs: &[(String, String)]) -> Attrs {
    let mut out = Attrs::default();
    for (name, value) in attrs {
        let value = value.trim();
        match name.as_str() {
            "id" | "name" if !value.is_empty() && out.id.is_none() => {
                out.id = Some(value.to_string())
            }
            "lang" | "xml:lang" if !value.is_empty() => out.lang = Some(value.to_string()),
            "dir" => {
                out.dir = match value.to_ascii_lowercase().as_str() {
                    "rtl" => Some(Direction::Rtl),
                    "ltr" => Some(Direction::Ltr),
                    _ => None,
                }
            }
            "align" => {
                out.align = match value.to_ascii_lowercase().as_str() {
                    "center" | "middle" => Some(Align::Center),
                    "right" => Some(Align::Right),
                    "left" => Some(Align::Left),
                    _ => None,
                }
            }
            "class" => {
                out.classes = value
                    .split_ascii_whitespace()
                    .filter(|c| {
                        c.chars()
                            .all(|ch| ch.is_alphanumeric() || ch == '-' || ch == '_')
                    })
                    .map(str::to_string)
                    .collect()
            }
            _ => {}
        }
    }
    out
}

/// A length in CSS pixels from an HTML `width`/`height` (`300`, `300px`).
fn pixels(value: &str) -> Option<u32> {
    let v = value.trim().trim_end_matches("px").trim();
    v.parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 1.0 && *n <= 100_000.0)
        .map(|n| n.round() as u32)
}

/// The language named by a `class="language-x"` (or `lang-x`).
fn class_language(attrs: &[(String, String)]) -> Option<String> {
    attrs.iter().find(|(k, _)| k == "class").and_then(|(_, v)| {
        v.split_ascii_whitespace().find_map(|c| {
            c.strip_prefix("language-")
                .or_else(|| c.strip_prefix("lang-"))
                .map(str::to_string)
        })
    })
}

/// The language of a fenced code block's info string (`rust,ignore`,
/// `{.python}`).
fn info_language(info: &str) -> Option<String> {
    info.split(|c: char| c.is_whitespace() || c == ',')
        .next()
        .map(|s| {
            s.trim_start_matches('{')
                .trim_start_matches('.')
                .trim_end_matches('}')
                .to_string()
        })
        .filter(|s| !s.is_empty())
}

/// Why an element is left out, for its warning.
fn dropped_reason(name: &str) -> &'static str {
    match name {
        "script" | "noscript" | "template" => "a book runs no scripts",
        "style" => "styles inside chapters are not applied",
        "svg" => "inline SVG is not drawn",
        "math" => "MathML written as HTML is not set",
        "video" | "audio" | "canvas" => "a book cannot play media",
        "form" | "button" | "select" | "textarea" | "datalist" | "keygen" => "a book has no forms",
        _ => "a book cannot embed other documents",
    }
}

fn drop_hint(name: &str) -> Option<&'static str> {
    match name {
        "style" => Some("put CSS in a stylesheet named by epub.stylesheet in book.yaml"),
        "svg" => Some("save the drawing as an .svg file and include it as an image"),
        "math" => Some("write the formula in TeX between $ signs"),
        "iframe" | "video" | "audio" | "object" | "embed" => {
            Some("link to it instead, so readers can open it")
        }
        _ => None,
    }
}

/// A `&'static str` for the tag names the builder keeps (closing tags are
/// matched against them); unknown names share one placeholder that no
/// end tag matches.
fn intern(name: &str) -> &'static str {
    const NAMES: &[&str] = &[
        "a",
        "abbr",
        "acronym",
        "address",
        "article",
        "aside",
        "b",
        "bdi",
        "bdo",
        "blockquote",
        "caption",
        "center",
        "cite",
        "code",
        "dd",
        "del",
        "details",
        "dfn",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "em",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "i",
        "ins",
        "kbd",
        "li",
        "listing",
        "main",
        "mark",
        "menu",
        "nav",
        "ol",
        "p",
        "plaintext",
        "pre",
        "q",
        "rt",
        "s",
        "samp",
        "search",
        "section",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "tt",
        "u",
        "ul",
        "var",
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "object",
        "embed",
        "applet",
        "video",
        "audio",
        "canvas",
        "svg",
        "math",
        "form",
        "button",
        "select",
        "textarea",
        "datalist",
        "frameset",
        "frame",
        "noframes",
        "noembed",
        "title",
        "xmp",
        "keygen",
        "rp",
    ];
    NAMES
        .iter()
        .find(|&&n| n == name)
        .copied()
        .unwrap_or("\u{0}")
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn align(a: &pulldown_cmark::Alignment) -> Align {
    match a {
        pulldown_cmark::Alignment::None => Align::None,
        pulldown_cmark::Alignment::Left => Align::Left,
        pulldown_cmark::Alignment::Center => Align::Center,
        pulldown_cmark::Alignment::Right => Align::Right,
    }
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}
