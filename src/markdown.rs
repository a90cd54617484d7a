//! Markdown → document model: the third stage, and the only module that
//! knows pulldown-cmark.
//!
//! `parse_chapters` reads each chapter's events once (`collect`), then
//! gives every heading and footnote a book-wide unique id (`assign_ids`),
//! and finally resolves links and images against the book (`resolve`).
//! Problems are collected, not thrown at the first one: errors fail the
//! build, warnings are reported alongside the result.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use pulldown_cmark::{
    Alignment as MdAlign, CodeBlockKind, Event, HeadingLevel, Options, Parser as MdParser, Tag,
    TagEnd,
};

use crate::config::inside_root;
use crate::diag::{Diagnostic, Diagnostics, FileId, SourceMap, Span, StageResult};
use crate::ids::{is_valid_id, slugify, IdSet};
use crate::load::Source;
use crate::model::{
    plain_text, Align, Block, BlockKind, Chapter, Definition, Footnote, Heading, Image, Inline,
    InlineKind, Link, LinkTarget, List, ListItem, Table,
};

/// Nesting deeper than this (block quotes in lists in block quotes…) is
/// flattened into its parent: no book needs it, and it bounds recursion so a
/// pathological file cannot overflow the stack.
const MAX_NESTING: usize = 64;

/// Image file types an EPUB may carry as core media types and the PDF can embed or name.
const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "gif", "svg", "webp"];

/// The Markdown dialect Folio reads: CommonMark plus the extensions authors
/// expect from GitHub and Pandoc.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_MATH
        | Options::ENABLE_SUPERSCRIPT
        | Options::ENABLE_SUBSCRIPT
}

/// Parsed chapters plus the warnings met on the way.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub chapters: Vec<Chapter>,
    pub warnings: Vec<Diagnostic>,
}

/// Parses every chapter and resolves ids, links and images across the book.
pub fn parse_chapters(root: &Path, map: &SourceMap, sources: &[Source]) -> StageResult<Parsed> {
    let mut problems = Vec::new();
    let mut chapters: Vec<Chapter> = Vec::new();
    let mut slugs = IdSet::default();
    for source in sources {
        let text = &map.get(source.file).text;
        let (blocks, footnotes) = collect(source.file, text, map, &mut problems);
        chapters.push(Chapter {
            path: source.relative.clone(),
            slug: slugs.unique(&chapter_slug(&source.relative)),
            title: source.title.clone(),
            blocks,
            footnotes,
            span: Span::new(source.file, 0..text.len()),
        });
    }
    assign_ids(&mut chapters, map, &mut problems);
    resolve(root, &mut chapters, map, &mut problems);
    if problems.iter().any(Diagnostic::is_error) {
        return Err(Diagnostics(problems));
    }
    Ok(Parsed {
        chapters,
        warnings: problems,
    })
}

/// A chapter's output name from its path: `part1/02 Intro.md` → `part1-02-intro`.
fn chapter_slug(relative: &Path) -> String {
    let stem = relative.with_extension("");
    let mut slug = String::new();
    for c in stem.to_string_lossy().chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() {
        "chapter".to_string()
    } else {
        slug
    }
}

// ---------------------------------------------------------------- collect

type Events<'a> =
    std::iter::Peekable<pulldown_cmark::OffsetIter<'a, pulldown_cmark::DefaultBrokenLinkCallback>>;

/// Reads one chapter's event stream into blocks and footnotes.
fn collect(
    file: FileId,
    text: &str,
    map: &SourceMap,
    problems: &mut Vec<Diagnostic>,
) -> (Vec<Block>, Vec<Footnote>) {
    let mut c = Collector {
        events: MdParser::new_ext(text, options())
            .into_offset_iter()
            .peekable(),
        file,
        depth: 0,
        note_labels: Vec::new(),
        note_defs: BTreeMap::new(),
        pending_task: None,
        saw_paragraph: false,
        source: text,
        bad_refs: Vec::new(),
        unprintable: Vec::new(),
    };
    let blocks = c.blocks_until(None);
    for (ch, span) in std::mem::take(&mut c.unprintable) {
        let what = if ch.is_control() {
            "control character"
        } else {
            "noncharacter"
        };
        problems.push(
            Diagnostic::warning(format!(
                "{what} U+{:04X} cannot be printed; it is left out",
                u32::from(ch)
            ))
            .at(map.locate(span)),
        );
    }
    for (reference, span) in std::mem::take(&mut c.bad_refs) {
        problems.push(
            Diagnostic::warning(format!(
                "`{reference}` is not a character (a null, surrogate or out-of-range code point); it is kept as written"
            ))
            .at(map.locate(span))
            .with_hint("write the character itself, or a reference to a valid code point"),
        );
    }
    let mut footnotes = Vec::new();
    for (i, (label, span)) in c.note_labels.iter().enumerate() {
        let (blocks, def_span) = c.note_defs.remove(label).unwrap_or((Vec::new(), *span));
        footnotes.push(Footnote {
            label: label.clone(),
            number: i + 1,
            id: String::new(),
            blocks,
            span: def_span,
        });
    }
    for (label, (_, span)) in c.note_defs {
        problems.push(
            Diagnostic::warning(format!(
                "footnote `[^{label}]` is never referenced; it is left out"
            ))
            .at(map.locate(span)),
        );
    }
    (blocks, footnotes)
}

/// Characters a book cannot show: controls other than tab, line feed and
/// carriage return (C0, DEL, C1), and Unicode noncharacters.
fn unprintable(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || ('\u{FDD0}'..='\u{FDEF}').contains(&c)
        || (u32::from(c) & 0xFFFE) == 0xFFFE
}

/// The length of the numeric character reference `s` starts with (`&#0;`,
/// `&#xD800`, with or without the semicolon) if it names no character (a
/// null, a surrogate, past U+10FFFF); 0 otherwise.
fn bad_reference_len(s: &str) -> usize {
    let Some(body) = s.strip_prefix("&#") else {
        return 0;
    };
    let (hex, digits) = match body.strip_prefix(['x', 'X']) {
        Some(d) => (true, d),
        None => (false, body),
    };
    let n = digits
        .bytes()
        .take_while(|b| {
            if hex {
                b.is_ascii_hexdigit()
            } else {
                b.is_ascii_digit()
            }
        })
        .count();
    if n == 0 {
        return 0;
    }
    // Saturates: anything too long for u64 is past U+10FFFF anyway.
    let value = u64::from_str_radix(&digits[..n], if hex { 16 } else { 10 }).unwrap_or(u64::MAX);
    let bad = value == 0 || (0xD800..=0xDFFF).contains(&value) || value > 0x10FFFF;
    if !bad {
        return 0;
    }
    let semicolon = usize::from(digits[n..].starts_with(';'));
    2 + usize::from(hex) + n + semicolon
}

struct Collector<'a> {
    events: Events<'a>,
    file: FileId,
    depth: usize,
    /// Footnote labels in order of first reference, with that reference's span.
    note_labels: Vec<(String, Span)>,
    /// Footnote definitions by label.
    note_defs: BTreeMap<String, (Vec<Block>, Span)>,
    /// A task-list marker seen at the start of the current list item.
    pending_task: Option<bool>,
    /// Whether a `Paragraph` start was seen (loose lists have them).
    saw_paragraph: bool,
    /// The chapter's Markdown.
    source: &'a str,
    /// Numeric character references naming no character, with their place.
    bad_refs: Vec<(String, Span)>,
    /// Unprintable characters removed, each with its first place.
    unprintable: Vec<(char, Span)>,
}

impl Collector<'_> {
    fn span(&self, range: Range<usize>) -> Span {
        Span::new(self.file, range)
    }

    /// Blocks up to the end tag `end` (or the end of input).
    fn blocks_until(&mut self, end: Option<TagEnd>) -> Vec<Block> {
        let mut blocks = Vec::new();
        // Inlines that appear directly in a container (tight list items).
        let mut loose: Vec<Inline> = Vec::new();
        let mut loose_span: Option<Span> = None;
        // Containers opened past MAX_NESTING: their start and end are ignored.
        let mut transparent = 0usize;
        while let Some((event, range)) = self.events.next() {
            let span = self.span(range.clone());
            let block = match event {
                Event::Start(ref tag) if self.depth >= MAX_NESTING && is_container(tag) => {
                    transparent += 1;
                    continue;
                }
                Event::End(ref e) if transparent > 0 && is_container_end(e) => {
                    transparent -= 1;
                    continue;
                }
                Event::End(e) if Some(e) == end => break,
                Event::End(_) => continue,
                Event::Start(tag) if is_block_tag(&tag) => self.block(tag, span),
                Event::Rule => Some(BlockKind::ThematicBreak),
                other => {
                    if let Some(inline) = self.inline(other, span) {
                        loose_span = Some(loose_span.map_or(span, |s| Span { end: span.end, ..s }));
                        push_inline(&mut loose, inline);
                    }
                    continue;
                }
            };
            if let Some(s) = loose_span.take() {
                blocks.push(Block {
                    kind: BlockKind::Paragraph(std::mem::take(&mut loose)),
                    span: s,
                });
            }
            if let Some(kind) = block {
                blocks.push(Block { kind, span });
            }
        }
        if let Some(s) = loose_span {
            blocks.push(Block {
                kind: BlockKind::Paragraph(loose),
                span: s,
            });
        }
        blocks
    }

    /// Children of a container block, flattened past [`MAX_NESTING`].
    fn nested_blocks(&mut self, end: TagEnd) -> Vec<Block> {
        self.depth += 1;
        let blocks = self.blocks_until(Some(end));
        self.depth -= 1;
        blocks
    }

    fn block(&mut self, tag: Tag<'_>, span: Span) -> Option<BlockKind> {
        let end = tag.to_end();
        Some(match tag {
            Tag::Paragraph => {
                self.saw_paragraph = true;
                let content = self.inlines_until(TagEnd::Paragraph);
                paragraph_kind(content)
            }
            Tag::Heading {
                level, id, classes, ..
            } => {
                let content = self.inlines_until(TagEnd::Heading(level));
                BlockKind::Heading(Heading {
                    level: heading_level(level),
                    // Explicit `{#id}` for now; `assign_ids` fills in the rest.
                    id: id.map(|s| s.to_string()).unwrap_or_default(),
                    content,
                    classes: classes.into_iter().map(|c| c.to_string()).collect(),
                })
            }
            Tag::BlockQuote(_) => BlockKind::BlockQuote(self.nested_blocks(end)),
            Tag::CodeBlock(kind) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split_whitespace()
                        .next()
                        .map(|s| {
                            s.trim_start_matches('{')
                                .trim_start_matches('.')
                                .to_string()
                        })
                        .filter(|s| !s.is_empty()),
                    CodeBlockKind::Indented => None,
                };
                let mut text = String::new();
                while let Some((event, range)) = self.events.next() {
                    match event {
                        Event::Text(t) => {
                            let t = self.printable(&t, self.span(range));
                            text.push_str(&t);
                        }
                        Event::End(TagEnd::CodeBlock) => break,
                        _ => {}
                    }
                }
                BlockKind::CodeBlock { lang, text }
            }
            Tag::HtmlBlock => {
                let mut html = String::new();
                while let Some((event, range)) = self.events.next() {
                    match event {
                        Event::Html(t) | Event::Text(t) => {
                            let t = self.html(&t, self.span(range));
                            html.push_str(&t);
                        }
                        Event::End(TagEnd::HtmlBlock) => break,
                        _ => {}
                    }
                }
                BlockKind::Html(html)
            }
            Tag::List(start) => {
                let before = std::mem::replace(&mut self.saw_paragraph, false);
                let mut items = Vec::new();
                let end = TagEnd::List(start.is_some());
                while let Some((event, range)) = self.events.next() {
                    match event {
                        Event::Start(Tag::Item) => {
                            let item_span = self.span(range);
                            self.pending_task = None;
                            let blocks = self.nested_blocks(TagEnd::Item);
                            items.push(ListItem {
                                task: self.pending_task.take(),
                                blocks,
                                span: item_span,
                            });
                        }
                        Event::End(e) if e == end => break,
                        _ => {}
                    }
                }
                let tight = !self.saw_paragraph;
                self.saw_paragraph = before;
                BlockKind::List(List {
                    start,
                    tight,
                    items,
                })
            }
            Tag::FootnoteDefinition(label) => {
                let blocks = self.nested_blocks(TagEnd::FootnoteDefinition);
                self.note_defs.insert(label.to_string(), (blocks, span));
                return None;
            }
            Tag::DefinitionList => {
                let mut items: Vec<Definition> = Vec::new();
                while let Some((event, range)) = self.events.next() {
                    match event {
                        Event::Start(Tag::DefinitionListTitle) => {
                            let term = self.inlines_until(TagEnd::DefinitionListTitle);
                            items.push(Definition {
                                term,
                                details: Vec::new(),
                                span: self.span(range),
                            });
                        }
                        Event::Start(Tag::DefinitionListDefinition) => {
                            let details = self.nested_blocks(TagEnd::DefinitionListDefinition);
                            match items.last_mut() {
                                Some(item) => item.details.push(details),
                                None => items.push(Definition {
                                    term: Vec::new(),
                                    details: vec![details],
                                    span: self.span(range),
                                }),
                            }
                        }
                        Event::End(TagEnd::DefinitionList) => break,
                        _ => {}
                    }
                }
                BlockKind::DefinitionList(items)
            }
            Tag::Table(aligns) => {
                let aligns: Vec<Align> = aligns.iter().map(align).collect();
                let mut head = Vec::new();
                let mut rows: Vec<Vec<Vec<Inline>>> = Vec::new();
                let mut in_head = false;
                while let Some((event, _)) = self.events.next() {
                    match event {
                        Event::Start(Tag::TableHead) => in_head = true,
                        Event::End(TagEnd::TableHead) => in_head = false,
                        Event::Start(Tag::TableRow) => rows.push(Vec::new()),
                        Event::Start(Tag::TableCell) => {
                            let cell = self.inlines_until(TagEnd::TableCell);
                            if in_head {
                                head.push(cell);
                            } else if let Some(row) = rows.last_mut() {
                                row.push(cell);
                            }
                        }
                        Event::End(TagEnd::Table) => break,
                        _ => {}
                    }
                }
                let columns = aligns.len().max(head.len());
                head.resize_with(columns, Vec::new);
                for row in &mut rows {
                    row.resize_with(columns, Vec::new);
                }
                BlockKind::Table(Table { aligns, head, rows })
            }
            _ => {
                // Metadata blocks (not enabled) and stray table/list parts.
                self.skip_until(end);
                return None;
            }
        })
    }

    fn skip_until(&mut self, end: TagEnd) {
        let mut depth = 0usize;
        for (event, _) in self.events.by_ref() {
            match event {
                Event::Start(_) => depth += 1,
                Event::End(e) if depth == 0 && e == end => break,
                Event::End(_) => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }

    fn inlines_until(&mut self, end: TagEnd) -> Vec<Inline> {
        let mut out = Vec::new();
        while let Some((event, range)) = self.events.next() {
            if let Event::End(e) = &event {
                if *e == end {
                    break;
                }
            }
            let span = self.span(range);
            if let Some(inline) = self.inline(event, span) {
                push_inline(&mut out, inline);
            }
        }
        out
    }

    /// `t` (the text of an event from `span`) without the characters that
    /// have no place in a book: control characters other than tab and line
    /// ends, and Unicode noncharacters. Neither output could show them (a
    /// font has no glyph for them, XML forbids most), so they go from the
    /// model, each kind reported once per chapter at its first place.
    fn printable(&mut self, t: &str, span: Span) -> String {
        if !t.chars().any(unprintable) {
            return t.to_string();
        }
        let verbatim = self.source.get(span.start as usize..span.end as usize) == Some(t);
        let mut out = String::with_capacity(t.len());
        for (i, c) in t.char_indices() {
            if !unprintable(c) {
                out.push(c);
                continue;
            }
            if !self.unprintable.iter().any(|&(seen, _)| seen == c) {
                let place = if verbatim {
                    let start = span.start + i as u32;
                    Span {
                        file: span.file,
                        start,
                        end: start + c.len_utf8() as u32,
                    }
                } else {
                    span
                };
                self.unprintable.push((c, place));
            }
        }
        out
    }

    /// The text of a text event. CommonMark turns a numeric character
    /// reference to no character (`&#0;`, a surrogate, past U+10FFFF) into
    /// U+FFFD, which would print as a replacement mark and extract as a
    /// broken character; such a reference is kept as the author wrote it,
    /// like an unknown named entity, and reported.
    fn text(&mut self, t: &str, span: Span) -> String {
        let printable = self.printable(t, span);
        let t = printable.as_str();
        if t == "\u{FFFD}" {
            let written = self
                .source
                .get(span.start as usize..span.end as usize)
                .unwrap_or("");
            // Only a reference to no character: `&#xFFFD;` is U+FFFD.
            if !written.is_empty() && bad_reference_len(written) == written.len() {
                self.bad_refs.push((written.to_string(), span));
                return written.to_string();
            }
        }
        t.to_string()
    }

    /// Raw HTML from `span`, with numeric references to no character
    /// escaped so that they show as written (an HTML parser would make
    /// them U+FFFD), each reported at its place.
    fn html(&mut self, t: &str, span: Span) -> String {
        let printable = self.printable(t, span);
        let t = printable.as_str();
        if !t.contains("&#") {
            return t.to_string();
        }
        // Places are exact when the event's text is its source verbatim.
        let verbatim = self.source.get(span.start as usize..span.end as usize) == Some(t);
        let mut out = String::with_capacity(t.len() + 8);
        let mut rest = t;
        let mut at = 0usize;
        while let Some(k) = rest.find("&#") {
            out.push_str(&rest[..k]);
            let len = bad_reference_len(&rest[k..]);
            if len > 0 {
                let written = &rest[k..k + len];
                let place = if verbatim {
                    let start = span.start + (at + k) as u32;
                    Span {
                        file: span.file,
                        start,
                        end: start + len as u32,
                    }
                } else {
                    span
                };
                self.bad_refs.push((written.to_string(), place));
                out.push_str("&amp;");
                out.push_str(&written[1..]);
            } else {
                out.push_str("&#");
            }
            let skip = if len > 0 { k + len } else { k + 2 };
            at += skip;
            rest = &rest[skip..];
        }
        out.push_str(rest);
        out
    }

    /// One inline event (consuming a container's children).
    fn inline(&mut self, event: Event<'_>, span: Span) -> Option<Inline> {
        let kind = match event {
            Event::Text(t) => InlineKind::Text(self.text(&t, span)),
            Event::Code(t) => InlineKind::Code(self.printable(&t, span)),
            Event::InlineMath(t) | Event::DisplayMath(t) => InlineKind::Math(t.to_string()),
            Event::Html(t) | Event::InlineHtml(t) => InlineKind::Html(self.html(&t, span)),
            Event::SoftBreak => InlineKind::SoftBreak,
            Event::HardBreak => InlineKind::HardBreak,
            Event::TaskListMarker(checked) => {
                self.pending_task = Some(checked);
                return None;
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
                InlineKind::FootnoteRef { index }
            }
            Event::Start(tag) => match tag {
                Tag::Emphasis => InlineKind::Emphasis(self.inlines_until(TagEnd::Emphasis)),
                Tag::Strong => InlineKind::Strong(self.inlines_until(TagEnd::Strong)),
                Tag::Strikethrough => {
                    InlineKind::Strikethrough(self.inlines_until(TagEnd::Strikethrough))
                }
                Tag::Superscript => {
                    InlineKind::Superscript(self.inlines_until(TagEnd::Superscript))
                }
                Tag::Subscript => InlineKind::Subscript(self.inlines_until(TagEnd::Subscript)),
                Tag::Link {
                    dest_url, title, ..
                } => InlineKind::Link(Link {
                    // Resolved against the book in `resolve`.
                    target: LinkTarget::External(dest_url.to_string()),
                    title: non_empty(&title),
                    content: self.inlines_until(TagEnd::Link),
                }),
                Tag::Image {
                    dest_url, title, ..
                } => {
                    let alt = plain_text(&self.inlines_until(TagEnd::Image));
                    InlineKind::Image(Image {
                        url: dest_url.to_string(),
                        path: None,
                        alt,
                        title: non_empty(&title),
                    })
                }
                other => {
                    self.skip_until(other.to_end());
                    return None;
                }
            },
            Event::End(_) | Event::Rule => return None,
        };
        Some(Inline::new(kind, span))
    }
}

/// Block containers whose children are blocks (flattened past [`MAX_NESTING`]).
fn is_container(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::BlockQuote(_)
            | Tag::List(_)
            | Tag::Item
            | Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListDefinition
    )
}

fn is_container_end(end: &TagEnd) -> bool {
    matches!(
        end,
        TagEnd::BlockQuote(_)
            | TagEnd::List(_)
            | TagEnd::Item
            | TagEnd::FootnoteDefinition
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListDefinition
    )
}

fn is_block_tag(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::Heading { .. }
            | Tag::BlockQuote(_)
            | Tag::CodeBlock(_)
            | Tag::HtmlBlock
            | Tag::List(_)
            | Tag::Item
            | Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::Table(_)
            | Tag::TableHead
            | Tag::TableRow
            | Tag::TableCell
            | Tag::MetadataBlock(_)
    )
}

/// Appends an inline, merging adjacent text (pulldown-cmark splits text at
/// every smart quote and entity).
fn push_inline(out: &mut Vec<Inline>, inline: Inline) {
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

/// A paragraph of a lone image is a figure; of lone display math, a math block.
fn paragraph_kind(content: Vec<Inline>) -> BlockKind {
    let meaningful: Vec<&Inline> = content
        .iter()
        .filter(|i| !matches!(&i.kind, InlineKind::Text(t) if t.trim().is_empty()))
        .filter(|i| !matches!(i.kind, InlineKind::SoftBreak))
        .collect();
    if let [only] = meaningful.as_slice() {
        match &only.kind {
            InlineKind::Image(img) => return BlockKind::Figure(img.clone()),
            InlineKind::Math(m) if content.len() == 1 => return BlockKind::Math(m.clone()),
            _ => {}
        }
    }
    BlockKind::Paragraph(content)
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

fn align(a: &MdAlign) -> Align {
    match a {
        MdAlign::None => Align::None,
        MdAlign::Left => Align::Left,
        MdAlign::Center => Align::Center,
        MdAlign::Right => Align::Right,
    }
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

// ---------------------------------------------------------------- ids

/// Gives every heading and footnote a unique id. Explicit `{#id}`s are
/// claimed first, so they win over generated ids wherever they appear.
fn assign_ids(chapters: &mut [Chapter], map: &SourceMap, problems: &mut Vec<Diagnostic>) {
    let mut ids = IdSet::default();
    for chapter in chapters.iter_mut() {
        for block in &mut chapter.blocks {
            if let BlockKind::Heading(h) = &mut block.kind {
                if h.id.is_empty() {
                    continue;
                }
                if !is_valid_id(&h.id) {
                    problems.push(
                        Diagnostic::warning(format!(
                            "`{{#{}}}` is not a valid id; a generated one is used",
                            h.id
                        ))
                        .at(map.locate(block.span))
                        .with_hint(
                            "ids start with a letter and hold letters, digits, `-`, `_` and `.`",
                        ),
                    );
                    h.id.clear();
                } else if !ids.claim(&h.id) {
                    let new = ids.unique(&h.id);
                    problems.push(
                        Diagnostic::warning(format!(
                            "id `{}` is used twice; this one becomes `{new}`",
                            h.id
                        ))
                        .at(map.locate(block.span)),
                    );
                    h.id = new;
                }
            }
        }
    }
    for chapter in chapters.iter_mut() {
        for block in &mut chapter.blocks {
            if let BlockKind::Heading(h) = &mut block.kind {
                if h.id.is_empty() {
                    h.id = ids.unique(&slugify(&plain_text(&h.content)));
                }
            }
        }
        for note in &mut chapter.footnotes {
            note.id = ids.unique(&format!("fn-{}-{}", chapter.slug, note.number));
        }
    }
}

// ---------------------------------------------------------------- resolve

/// Where each id lives, for resolving `#id` and `file.md#id` links.
struct Targets {
    by_id: BTreeMap<String, usize>,
    by_path: BTreeMap<PathBuf, usize>,
}

/// Turns link URLs into book targets and image URLs into checked paths.
fn resolve(root: &Path, chapters: &mut [Chapter], map: &SourceMap, problems: &mut Vec<Diagnostic>) {
    let mut targets = Targets {
        by_id: BTreeMap::new(),
        by_path: BTreeMap::new(),
    };
    for (i, ch) in chapters.iter().enumerate() {
        targets.by_path.insert(normalize(&ch.path), i);
        for block in &ch.blocks {
            if let BlockKind::Heading(h) = &block.kind {
                targets.by_id.insert(h.id.clone(), i);
            }
        }
        for note in &ch.footnotes {
            targets.by_id.insert(note.id.clone(), i);
        }
    }
    for (index, chapter) in chapters.iter_mut().enumerate() {
        let cx = Resolver {
            root,
            dir: chapter.path.parent().unwrap_or(Path::new("")).to_path_buf(),
            chapter: index,
            targets: &targets,
            map,
        };
        let mut local = Vec::new();
        for block in &mut chapter.blocks {
            cx.block(block, &mut local);
        }
        for note in &mut chapter.footnotes {
            for block in &mut note.blocks {
                cx.block(block, &mut local);
            }
        }
        problems.extend(local);
    }
}

struct Resolver<'a> {
    root: &'a Path,
    /// The chapter's folder, relative to the book root.
    dir: PathBuf,
    chapter: usize,
    targets: &'a Targets,
    map: &'a SourceMap,
}

impl Resolver<'_> {
    fn block(&self, block: &mut Block, problems: &mut Vec<Diagnostic>) {
        let span = block.span;
        match &mut block.kind {
            BlockKind::Heading(h) => self.inlines(&mut h.content, problems),
            BlockKind::Paragraph(c) => self.inlines(c, problems),
            BlockKind::Figure(img) => self.image(img, span, problems),
            BlockKind::BlockQuote(blocks) => {
                for b in blocks {
                    self.block(b, problems);
                }
            }
            BlockKind::List(list) => {
                for item in &mut list.items {
                    for b in &mut item.blocks {
                        self.block(b, problems);
                    }
                }
            }
            BlockKind::Table(t) => {
                for cell in t.head.iter_mut().chain(t.rows.iter_mut().flatten()) {
                    self.inlines(cell, problems);
                }
            }
            BlockKind::DefinitionList(items) => {
                for item in items {
                    self.inlines(&mut item.term, problems);
                    for b in item.details.iter_mut().flatten() {
                        self.block(b, problems);
                    }
                }
            }
            BlockKind::CodeBlock { .. }
            | BlockKind::Html(_)
            | BlockKind::Math(_)
            | BlockKind::ThematicBreak => {}
        }
    }

    fn inlines(&self, inlines: &mut Vec<Inline>, problems: &mut Vec<Diagnostic>) {
        let mut out = Vec::with_capacity(inlines.len());
        for mut inline in std::mem::take(inlines) {
            let span = inline.span;
            match &mut inline.kind {
                InlineKind::Emphasis(c)
                | InlineKind::Strong(c)
                | InlineKind::Strikethrough(c)
                | InlineKind::Superscript(c)
                | InlineKind::Subscript(c) => self.inlines(c, problems),
                InlineKind::Image(img) => self.image(img, span, problems),
                InlineKind::Link(link) => {
                    self.inlines(&mut link.content, problems);
                    let LinkTarget::External(url) = &link.target else {
                        unreachable!("links are external until resolved here")
                    };
                    match self.link_target(url) {
                        Ok(target) => link.target = target,
                        Err(why) => {
                            problems.push(
                                Diagnostic::warning(format!(
                                    "link to `{url}` {why}; its text is kept without the link"
                                ))
                                .at(self.map.locate(span)),
                            );
                            out.append(&mut link.content);
                            continue;
                        }
                    }
                }
                _ => {}
            }
            out.push(inline);
        }
        *inlines = out;
    }

    fn link_target(&self, url: &str) -> Result<LinkTarget, String> {
        if url.is_empty() {
            return Err("is empty".into());
        }
        if has_scheme(url) || url.starts_with("//") {
            return Ok(LinkTarget::External(url.to_string()));
        }
        let (path, fragment) = match url.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (url, None),
        };
        let chapter = if path.is_empty() {
            match fragment.and_then(|f| self.targets.by_id.get(f)) {
                Some(&c) => c,
                None => return Err("points to no heading or footnote in the book".into()),
            }
        } else {
            let target = normalize(&self.dir.join(path));
            match self.targets.by_path.get(&target) {
                Some(&c) => c,
                None => return Err("is not a chapter of this book".into()),
            }
        };
        let id = match fragment {
            None | Some("") => None,
            Some(f) if self.targets.by_id.get(f) == Some(&chapter) => Some(f.to_string()),
            Some(_) => return Err("points to an id that is not in that chapter".into()),
        };
        let _ = self.chapter;
        Ok(LinkTarget::Internal { chapter, id })
    }

    fn image(&self, img: &mut Image, span: Span, problems: &mut Vec<Diagnostic>) {
        if img.alt.trim().is_empty() {
            problems.push(
                Diagnostic::warning(format!("image `{}` has no alt text", img.url))
                    .at(self.map.locate(span))
                    .with_hint("describe the image for readers who cannot see it: ![description](file.png)"),
            );
        }
        if has_scheme(&img.url) || img.url.starts_with("//") {
            problems.push(
                Diagnostic::warning(format!(
                    "remote image `{}` is not fetched; its alt text and a link stand in",
                    img.url
                ))
                .at(self.map.locate(span))
                .with_hint("download the image into the book folder to include it"),
            );
            return;
        }
        let relative = self.dir.join(&img.url);
        let ext = relative
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let located = self.map.locate(span);
        match inside_root(self.root, &relative) {
            Err(why) => problems.push(
                Diagnostic::error(format!("image `{}` {why}", img.url))
                    .at(located)
                    .with_hint("images must be inside the book folder; paths are relative to the chapter file"),
            ),
            Ok(abs) if !abs.is_file() => problems.push(
                Diagnostic::error(format!("image `{}` not found", img.url))
                    .at(located)
                    .with_hint("paths are relative to the chapter file"),
            ),
            Ok(_) if !IMAGE_EXTENSIONS.contains(&ext.as_str()) => problems.push(
                Diagnostic::error(format!("image `{}` is not a PNG, JPEG, GIF, SVG or WebP file", img.url))
                    .at(located),
            ),
            Ok(abs) => img.path = Some(abs),
        }
    }
}

fn has_scheme(url: &str) -> bool {
    match url.split_once(':') {
        Some((scheme, _)) => {
            scheme.len() > 1
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// `a/./b/../c.md` → `a/c.md`, purely lexically.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_one(md: &str) -> (Chapter, Vec<Diagnostic>) {
        let mut map = SourceMap::default();
        let file = map.add("ch.md".into(), md.to_string());
        let sources = vec![Source {
            file,
            relative: "ch.md".into(),
            title: None,
        }];
        match parse_chapters(Path::new("/nonexistent-book"), &map, &sources) {
            Ok(mut p) => (p.chapters.remove(0), p.warnings),
            Err(d) => panic!("{d}"),
        }
    }

    #[test]
    fn references_to_no_character_are_kept_as_written_and_warned() {
        let (c, problems) = parse_one("A &#0; b &#xD800; c &#65; d\n");
        let BlockKind::Paragraph(inlines) = &c.blocks[0].kind else {
            panic!("{:?}", c.blocks)
        };
        let text: String = inlines
            .iter()
            .map(|i| match &i.kind {
                InlineKind::Text(t) => t.as_str(),
                _ => "",
            })
            .collect();
        assert_eq!(text, "A &#0; b &#xD800; c A d");
        // A reference to U+FFFD itself is a character like any other.
        let (_, none) = parse_one("A &#xFFFD; b\n");
        assert!(none.is_empty(), "{none:?}");
        let warned: Vec<String> = problems.iter().map(|d| d.to_string()).collect();
        assert_eq!(warned.len(), 2, "{warned:?}");
        assert!(
            warned[0].contains("`&#0;` is not a character"),
            "{warned:?}"
        );
        assert!(warned[1].contains("`&#xD800;`"), "{warned:?}");
        assert_eq!(
            problems[0].location.as_ref().and_then(|l| l.column()),
            Some(3)
        );
        // In raw HTML too (an HTML parser would make them U+FFFD).
        let (c, problems) = parse_one("<div>\nA &#0; b &#x110000 c &#65; d\n</div>\n");
        let BlockKind::Html(html) = &c.blocks[0].kind else {
            panic!("{:?}", c.blocks)
        };
        assert!(
            html.contains("A &amp;#0; b &amp;#x110000 c &#65; d"),
            "{html}"
        );
        let places: Vec<_> = problems
            .iter()
            .map(|d| d.location.as_ref().map(|l| (l.line(), l.column())))
            .collect();
        assert_eq!(
            places,
            [Some((Some(2), Some(3))), Some((Some(2), Some(10)))]
        );
        assert_eq!(bad_reference_len("&#1114111;"), 0);
        assert_eq!(bad_reference_len("&#1114112;x"), 10);
        assert_eq!(bad_reference_len("&#99999999999999999999999;"), 26);
        assert_eq!(bad_reference_len("&#;"), 0);
    }

    #[test]
    fn unprintable_characters_are_left_out_and_warned_once() {
        let (c, problems) =
            parse_one("A\u{1}b\u{1} c\u{FFFE}d `x\u{7f}y`\n\n```\ntab\there\u{8}\n```\n");
        let BlockKind::Paragraph(inlines) = &c.blocks[0].kind else {
            panic!("{:?}", c.blocks)
        };
        let text: String = inlines
            .iter()
            .map(|i| match &i.kind {
                InlineKind::Text(t) | InlineKind::Code(t) => t.as_str(),
                _ => "",
            })
            .collect();
        assert_eq!(text, "Ab cd xy");
        let BlockKind::CodeBlock { text, .. } = &c.blocks[1].kind else {
            panic!("{:?}", c.blocks)
        };
        assert_eq!(text, "tab\there\n");
        let warned: Vec<String> = problems.iter().map(|d| d.to_string()).collect();
        assert_eq!(warned.len(), 4, "{warned:?}");
        assert!(warned[0].contains("control character U+0001"), "{warned:?}");
        assert!(warned[1].contains("noncharacter U+FFFE"), "{warned:?}");
        assert_eq!(
            problems[0].location.as_ref().and_then(|l| l.column()),
            Some(2)
        );
    }

    fn kinds(blocks: &[Block]) -> Vec<&'static str> {
        blocks
            .iter()
            .map(|b| match &b.kind {
                BlockKind::Heading(_) => "h",
                BlockKind::Paragraph(_) => "p",
                BlockKind::Figure(_) => "figure",
                BlockKind::BlockQuote(_) => "quote",
                BlockKind::List(_) => "list",
                BlockKind::CodeBlock { .. } => "code",
                BlockKind::Table(_) => "table",
                BlockKind::DefinitionList(_) => "dl",
                BlockKind::Html(_) => "html",
                BlockKind::Math(_) => "math",
                BlockKind::ThematicBreak => "hr",
            })
            .collect()
    }

    #[test]
    fn blocks_of_every_kind() {
        let md = "# T\n\npara\n\n> q\n\n- a\n- b\n\n```rust\nfn x() {}\n```\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\nTerm\n: def\n\n<div>x</div>\n\n$$x^2$$\n\n---\n";
        let (ch, _) = parse_one(md);
        assert_eq!(
            kinds(&ch.blocks),
            ["h", "p", "quote", "list", "code", "table", "dl", "html", "math", "hr"]
        );
        let BlockKind::CodeBlock { lang, text } = &ch.blocks[4].kind else {
            panic!()
        };
        assert_eq!(
            (lang.as_deref(), text.as_str()),
            (Some("rust"), "fn x() {}\n")
        );
        let BlockKind::Table(t) = &ch.blocks[5].kind else {
            panic!()
        };
        assert_eq!(t.aligns, [Align::None, Align::Right]);
        assert_eq!(plain_text(&t.rows[0][1]), "2");
    }

    #[test]
    fn spans_point_at_the_source() {
        let md = "intro\n\n## Second *one*\n";
        let mut map = SourceMap::default();
        let file = map.add("ch.md".into(), md.into());
        let sources = vec![Source {
            file,
            relative: "ch.md".into(),
            title: None,
        }];
        let p = parse_chapters(Path::new("/x"), &map, &sources).unwrap();
        let loc = map.locate(p.chapters[0].blocks[1].span);
        assert_eq!((loc.line(), loc.column()), (Some(3), Some(1)));
    }

    #[test]
    fn tight_and_task_lists() {
        let (ch, _) = parse_one("- [x] done\n- [ ] todo\n\n1. a\n\n2. b\n");
        let BlockKind::List(l) = &ch.blocks[0].kind else {
            panic!()
        };
        assert!(l.tight);
        assert_eq!(l.items[0].task, Some(true));
        assert_eq!(l.items[1].task, Some(false));
        let BlockKind::List(l2) = &ch.blocks[1].kind else {
            panic!()
        };
        assert!(!l2.tight);
        assert_eq!(l2.start, Some(1));
    }

    #[test]
    fn footnotes_numbered_by_first_reference() {
        let (ch, warnings) = parse_one(
            "B[^b] then A[^a] and B again[^b].\n\n[^a]: Note A.\n[^b]: Note B.\n[^c]: unused\n",
        );
        let labels: Vec<_> = ch
            .footnotes
            .iter()
            .map(|f| (f.label.as_str(), f.number))
            .collect();
        assert_eq!(labels, [("b", 1), ("a", 2)]);
        assert_eq!(ch.footnotes[0].id, "fn-ch-1");
        assert_eq!(kinds(&ch.footnotes[1].blocks), ["p"]);
        assert!(warnings.iter().any(|w| w.message.contains("[^c]")));
    }

    #[test]
    fn ids_unique_and_explicit_wins() {
        let (ch, _) = parse_one("# Intro\n\n## Intro\n\n## Other {#intro}\n");
        let ids: Vec<_> = ch
            .blocks
            .iter()
            .filter_map(|b| match &b.kind {
                BlockKind::Heading(h) => Some(h.id.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(ids, ["intro-1", "intro-2", "intro"]);
    }

    #[test]
    fn internal_links_resolve_and_broken_ones_warn() {
        let (ch, warnings) =
            parse_one("# Top\n\nSee [top](#top), [x](#nowhere) and [w](https://example.org).\n");
        let BlockKind::Paragraph(p) = &ch.blocks[1].kind else {
            panic!()
        };
        let links: Vec<_> = p
            .iter()
            .filter_map(|i| match &i.kind {
                InlineKind::Link(l) => Some(l.target.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(
            links,
            [
                LinkTarget::Internal {
                    chapter: 0,
                    id: Some("top".into())
                },
                LinkTarget::External("https://example.org".into())
            ]
        );
        assert_eq!(plain_text(p), "See top, x and w.");
        assert!(warnings.iter().any(|w| w.message.contains("#nowhere")));
    }

    #[test]
    fn smart_punctuation_and_lone_image_figure() {
        let (ch, _) =
            parse_one("\"Quote\" -- it's...\n\n![A map](https://example.org/m.png \"Map\")\n");
        let BlockKind::Paragraph(p) = &ch.blocks[0].kind else {
            panic!()
        };
        assert_eq!(plain_text(p), "“Quote” – it’s…");
        let BlockKind::Figure(img) = &ch.blocks[1].kind else {
            panic!()
        };
        assert_eq!(
            (img.alt.as_str(), img.title.as_deref()),
            ("A map", Some("Map"))
        );
    }

    #[test]
    fn missing_image_is_an_error_with_location() {
        let mut map = SourceMap::default();
        let file = map.add("book/ch.md".into(), "text\n\n![x](img/none.png)\n".into());
        let sources = vec![Source {
            file,
            relative: "ch.md".into(),
            title: None,
        }];
        let err = parse_chapters(Path::new("/nonexistent"), &map, &sources).unwrap_err();
        let d = &err.0[0];
        assert!(d.message.contains("not found"), "{}", d.message);
        assert_eq!(
            d.location.as_ref().map(|l| l.to_string()).as_deref(),
            Some("book/ch.md:3:1")
        );
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let md = ">".repeat(5000) + " deep\n";
        let (ch, _) = parse_one(&md);
        assert_eq!(kinds(&ch.blocks), ["quote"]);
    }

    #[test]
    fn chapter_slugs() {
        assert_eq!(chapter_slug(Path::new("01-opening.md")), "01-opening");
        assert_eq!(chapter_slug(Path::new("part 1/Intro.md")), "part-1-intro");
    }
}
