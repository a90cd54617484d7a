//! Composition: model blocks → the vertical [`Flow`] of one chapter.
//!
//! Sits between the paragraph engine (which breaks one paragraph into
//! lines) and [`paginate`](super::paginate) (which cuts the flow into
//! pages). This module decides the book's look: sizes and faces of
//! headings, indents, the space between blocks, where page breaks are
//! allowed (widow/orphan control, headings kept with what follows), and
//! how lists, quotes, code, figures and notes are set. Tables live in
//! [`table`](super::table).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Span};
use crate::model::{
    plain_text, Align, Block, BlockKind, Book, Definition, Figure, Heading, Image, Inline,
    InlineKind, LinkTarget, List,
};
use crate::source::image;
use crate::typeset::flow::{
    BlockId, Elem, Flow, FlowStructure, Geometry, Issue, IssueKind, LinkRef, Owner, Piece, Role,
    Slab, EPS,
};
use crate::typeset::fonts::{Face, Fonts};
use crate::typeset::frame::{Item, Numbering, PlacedImage, Rect, StructKind, StructNode, TextRun};
use crate::typeset::paragraph::{
    layout_paragraph, Alignment, Line, LineIssueKind, ParItem, ParOptions, TextStyle,
};
use crate::units::Pt;

/// Superscripts (note numbers, `^sup^`) are set at this fraction of the
/// surrounding size…
pub(crate) const SUPERSCRIPT_SCALE: f64 = 0.62;
/// …and raised by this fraction of the surrounding size (about the
/// x-height plus a little, so the figure's top aligns with capitals).
pub(crate) const SUPERSCRIPT_RISE: f64 = 0.36;
/// Subscripts drop by this fraction of the surrounding size.
const SUBSCRIPT_DROP: f64 = 0.14;
/// Inline code in the mono face looks large beside the serif; this
/// brings its x-height near the text's.
const INLINE_CODE_SCALE: f64 = 0.9;
/// Code blocks are set smaller than the text so ~65 columns fit the measure.
const CODE_SCALE: f64 = 0.82;
/// Padding above and below a code block's grey background, in leadings.
const CODE_PAD: f64 = 0.35;
/// Grey of the code block background (1 = white).
const CODE_BACKGROUND: f32 = 0.94;
/// Footnotes are set at this fraction of the body size and leading.
pub(crate) const NOTE_SCALE: f64 = 0.8;
/// Block quotes are set slightly smaller than the body, on the body grid.
const QUOTE_SCALE: f64 = 0.92;
/// Block quotes are indented by this many ems on the left…
const QUOTE_INDENT_LEFT: f64 = 1.5;
/// …and this many on the right.
const QUOTE_INDENT_RIGHT: f64 = 1.0;
/// Definition details are indented by this many ems.
const DEFINITION_INDENT: f64 = 1.5;
/// Width of the hang of a bulleted list item, in ems.
const BULLET_HANG: f64 = 1.4;
/// Space between a list marker and the item text, in ems.
const MARKER_GAP: f64 = 0.5;
/// Table-cell and caption text size relative to the context size.
pub(crate) const SMALL_SCALE: f64 = 0.9;
/// Images are set at 96 px per inch (CSS pixels, the same size the EPUB
/// shows them at) unless that is wider than the measure.
const IMAGE_PX_PER_PT: f64 = 96.0 / 72.0;
/// Inline images are at most this many ems tall: set on the baseline, they
/// then stay clear of the line above at any usual leading.
const INLINE_IMAGE_EM: f64 = 1.0;
/// Thematic breaks are a centred rule this fraction of the measure wide.
const RULE_FRACTION: f64 = 0.25;
/// Thickness of thin rules (thematic breaks, table rules, note separator).
pub(crate) const THIN_RULE: Pt = Pt(0.5);
/// Chapter openings sink this fraction of the text block (in whole
/// lines) so that every chapter title stands at the same height.
const SINK_FRACTION: f64 = 0.2;
/// Space between the entries of a definition list, in leadings.
const DEFINITION_GAP: f64 = 0.5;
/// Space between the items of a loose list, in leadings.
const LOOSE_ITEM_GAP: f64 = 0.5;
/// Link areas reach at least this far above the baseline (in ems)…
pub(crate) const LINK_ASCENT: f64 = 0.75;
/// …and this far below it, so a click on a short word still hits.
pub(crate) const LINK_DESCENT: f64 = 0.2;
/// A strike-through rule sits at this fraction of the x-height…
const STRIKE_RAISE: f64 = 0.55;
/// …and is this many ems thick.
const STRIKE_THICKNESS: f64 = 0.05;
/// An underline sits this many ems below the baseline.
const UNDERLINE_DROP: f64 = 0.12;
/// Grey of the ground behind highlighted text (1 = white): light enough
/// for black text to read on it in print.
const HIGHLIGHT_GRAY: f32 = 0.85;
/// Fine print (`<small>`) is set at this fraction of the size around it.
const SMALL_TEXT_SCALE: f64 = 0.85;
/// Code text is inset from the edges of its grey ground by this many ems.
const CODE_INSET: f64 = 0.5;
/// An image scaled down to fit the page with its caption is never less
/// than this many lines high (a caption may leave it no room at all).
const MIN_IMAGE_LINES: f64 = 1.0;
/// Space above an image, in ems: clears the descenders of the line above.
const FIGURE_TOP: f64 = 0.25;
/// Space between an image and its caption, in leadings.
const CAPTION_GAP: f64 = 0.5;
/// Lines stretched beyond this adjustment ratio are reported as very
/// loose (badness 800; TeX warns of underfull lines from about 2.15).
pub(crate) const VERY_LOOSE: f64 = 2.0;
/// Paragraphs must keep at least this many lines on each side of a page
/// break (widow and orphan control; also how much text a heading keeps).
const MIN_LINES_AT_BREAK: usize = 2;

/// What a stretch of a paragraph's text is part of beyond its style: a
/// link, decorations, an inline structure node. Text items point at one
/// (their `link` index into [`Marks::marks`]), and the paragraph engine
/// reports where each stretch landed on each line, so nested ones (a
/// struck word in a link, a link in a span in another language) keep all
/// they are part of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Marking {
    /// The link: an index into [`Marks::links`].
    pub link: Option<u32>,
    pub strike: bool,
    pub underline: bool,
    /// Highlighted text (`<mark>`): a light ground behind it.
    pub highlight: bool,
    /// The inline structure node (a link's, a span's in another
    /// language, a formula's, a note reference's); `None`: the
    /// paragraph's own.
    pub node: Option<BlockId>,
}

/// What a line's x-range belongs to, beyond its glyphs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Mark {
    Text(Marking),
    /// An inline image of this height, its bottom on the baseline.
    Image {
        path: PathBuf,
        height: Pt,
        alt: String,
    },
}

/// A link of a paragraph: where it goes and its Link node.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MarkLink {
    pub target: LinkRef,
    pub node: Option<BlockId>,
}

/// The marks of a paragraph, which its items' `link` indices point at,
/// and the links its [`Marking`]s name.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Marks {
    pub marks: Vec<Mark>,
    pub links: Vec<MarkLink>,
    /// The node of the paragraph's own text, when it is not its slab's
    /// (a table cell's, in a row's slab).
    pub base: Option<BlockId>,
}

impl Marks {
    /// The index of marking `m` for a text item: `None` for plain text;
    /// the previous text mark when it is the same, so that consecutive
    /// items of one link make one range.
    pub fn of(&mut self, m: Marking) -> Option<usize> {
        if m == Marking::default() {
            return None;
        }
        if let Some(Mark::Text(last)) = self.marks.last() {
            if *last == m {
                return Some(self.marks.len() - 1);
            }
        }
        self.marks.push(Mark::Text(m));
        Some(self.marks.len() - 1)
    }

    /// Registers a link to `target` with Link node `node`; returns its
    /// index for [`Marking::link`].
    pub fn link(&mut self, target: LinkRef, node: Option<BlockId>) -> u32 {
        self.links.push(MarkLink { target, node });
        self.links.len() as u32 - 1
    }

    /// Forgets the structure nodes (text set for measuring only, or as a
    /// decoration).
    pub fn strip_nodes(&mut self) {
        self.base = None;
        for mark in &mut self.marks {
            if let Mark::Text(m) = mark {
                m.node = None;
            }
        }
        for link in &mut self.links {
            link.node = None;
        }
    }

    /// The text marking of mark `index`, if it is one.
    fn marking(&self, index: usize) -> Option<&Marking> {
        match self.marks.get(index) {
            Some(Mark::Text(m)) => Some(m),
            _ => None,
        }
    }
}

/// A paragraph being built: items for the paragraph engine plus the
/// marks its `link` indices point at.
#[derive(Debug, Clone, Default)]
pub(crate) struct ParBuilder {
    pub items: Vec<ParItem>,
    pub marks: Marks,
    /// Length of the paragraph text as the engine joins it (see
    /// [`Line::text_start`]).
    joined: usize,
    /// Pieces of the joined text that are running text in the sense of
    /// [`crate::model::running_text`]: (joined start, joined end, start in
    /// `running`). Note numbers, image alt text and HTML are not.
    segments: Vec<(usize, usize, usize)>,
    running: String,
}

impl ParBuilder {
    /// Running text of the paragraph.
    pub fn text(&mut self, text: &str, style: TextStyle, mark: Marking, span: Span) {
        self.push_text(text, style, mark, span, true);
    }

    /// Text that is set but is not running text (note numbers, alt text),
    /// so it does not count when page breaks are located by word.
    pub fn aside(&mut self, text: &str, style: TextStyle, mark: Marking, span: Span) {
        self.push_text(text, style, mark, span, false);
    }

    /// An inline object of `width` (see [`ParItem::Object`]) standing for
    /// mark `object`, inside what `mark` says; not running text.
    pub fn object(&mut self, width: Pt, object: Mark, style: TextStyle, mark: Marking, span: Span) {
        self.marks.marks.push(object);
        let object = self.marks.marks.len() - 1;
        let link = self.marks.of(mark);
        self.items.push(ParItem::Object {
            width,
            mark: object,
            style,
            link,
            span,
        });
        self.joined += '\u{FFFC}'.len_utf8();
    }

    /// A forced line break; a space as far as words are concerned.
    pub fn line_break(&mut self) {
        self.items.push(ParItem::LineBreak);
        self.segments
            .push((self.joined, self.joined + 1, self.running.len()));
        self.joined += 1;
        self.running.push(' ');
    }

    fn push_text(
        &mut self,
        text: &str,
        style: TextStyle,
        mark: Marking,
        span: Span,
        running: bool,
    ) {
        if text.is_empty() {
            return;
        }
        let link = self.marks.of(mark);
        self.items.push(ParItem::Text {
            text: text.to_string(),
            style,
            link,
            span,
        });
        if running {
            self.segments
                .push((self.joined, self.joined + text.len(), self.running.len()));
            self.running.push_str(text);
        }
        self.joined += text.len();
    }

    /// Offsets in the running text where words begin.
    fn word_starts(&self) -> Vec<usize> {
        let mut starts = Vec::new();
        let mut in_word = false;
        for (i, c) in self.running.char_indices() {
            let space = c.is_whitespace();
            if !space && !in_word {
                starts.push(i);
            }
            in_word = !space;
        }
        starts
    }

    /// How many running-text words begin before byte `at` of the joined
    /// text; `starts` is [`ParBuilder::word_starts`].
    fn words_before(&self, starts: &[usize], at: usize) -> usize {
        let idx = self.segments.partition_point(|&(start, _, _)| start <= at);
        let running_at = match idx.checked_sub(1).map(|i| self.segments[i]) {
            Some((start, end, run)) => run + at.min(end) - start,
            None => 0,
        };
        starts.partition_point(|&s| s < running_at)
    }
}

/// Inline styling while walking inlines.
#[derive(Debug, Clone, Copy)]
struct InlineStyle {
    italic: bool,
    bold: bool,
    mono: bool,
    size: Pt,
    rise: Pt,
    mark: Marking,
}

impl InlineStyle {
    fn face(&self) -> Face {
        match (self.mono, self.bold, self.italic) {
            (true, _, _) => Face::Mono,
            (false, true, true) => Face::BoldItalic,
            (false, true, false) => Face::Bold,
            (false, false, true) => Face::Italic,
            (false, false, false) => Face::Regular,
        }
    }

    fn text_style(&self) -> TextStyle {
        TextStyle {
            face: self.face(),
            size: self.size,
            gray: 0.0,
            rise: self.rise,
        }
    }
}

/// The setting of a block container: where its text goes and how big it is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Ctx {
    /// Indents from the text block's edges.
    pub left: Pt,
    pub right: Pt,
    pub size: Pt,
    pub leading: Pt,
    pub italic: bool,
    /// Space between blocks (not between consecutive paragraphs).
    pub gap: Pt,
    /// The chapter's top level: blocks snap back to the baseline grid.
    pub top: bool,
    /// Inside a footnote: no page breaks, no notes of notes.
    pub in_note: bool,
    pub list_depth: usize,
    /// Alignment of paragraphs other than justified (a centred division).
    pub align: Option<Alignment>,
}

/// What the previous block of a container was, for indents and spacing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prev {
    Start,
    Paragraph,
    Heading,
    Break,
    Other,
}

/// Which characters the faces can show (list markers, task boxes).
#[derive(Debug, Clone, Default)]
pub(crate) struct Coverage {
    regular: BTreeSet<char>,
}

impl Coverage {
    fn probe(fonts: &Fonts) -> Coverage {
        use skrifa::MetadataProvider;
        let data = fonts.data();
        let mut regular = BTreeSet::new();
        if let Some(font) = data.get(fonts.font_id(Face::Regular).0) {
            if let Ok(f) = skrifa::FontRef::from_index(&font.bytes, font.index) {
                let charmap = f.charmap();
                for c in ['•', '◦', '▪', '–', '☐', '☑', '☒', '…', '⁂'] {
                    if charmap.map(c).is_some() {
                        regular.insert(c);
                    }
                }
            }
        }
        Coverage { regular }
    }

    pub fn has(&self, c: char) -> bool {
        self.regular.contains(&c)
    }
}

/// Composes chapters into flows. Lives for the whole typesetting run and
/// owns the fonts and the warnings.
pub(crate) struct Composer<'a> {
    pub fonts: Fonts,
    pub geo: &'a Geometry,
    pub book: &'a Book,
    pub warnings: Vec<Diagnostic>,
    pub coverage: Coverage,
    /// Next paragraph id (unique over the whole book, for the report).
    next_par: usize,
    /// The chapter being composed.
    chapter: usize,
    cited: Vec<bool>,
    flow: Flow,
    /// Index in the output where the block being composed begins.
    block_start: usize,
    /// Words too long for the measure, already warned about (by span).
    warned: BTreeSet<(u32, u32, u32)>,
    /// Each such warning's key and index in `warnings`, so chapters
    /// composed apart can be merged with the same warnings as in one pass.
    long_words: Vec<((u32, u32, u32), usize)>,
    /// Web addresses of the chapter's links printed in notes (see
    /// [`crate::typeset::LinkUrls::Footnote`]), in order of first citation;
    /// note `k` is the chapter's note `footnotes.len() + k`.
    url_notes: Vec<String>,
    /// A footnote is being set: links in it print their address inline.
    in_footnote: bool,
    /// Where the structure nodes of the blocks being set go.
    place: Place,
    /// The language of the text being set where a division says one.
    lang: Option<String>,
}

/// Where new structure nodes go while a flow is composed.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Place {
    /// The node blocks go under (`None`: the flow's root).
    container: Option<BlockId>,
    /// The container holds one paragraph, whose text is its own (a list
    /// item's body, a note, a quote of one paragraph): no P of its own.
    bare: bool,
    /// The block being set, under which inline nodes go.
    block: Option<BlockId>,
}

/// Gives the slabs from `out[start..]` that belong to no node yet to
/// `node`: what a block set is its own, unless a block inside it claimed
/// it first.
pub(crate) fn claim(out: &mut [Elem], start: usize, node: BlockId) {
    for e in out.iter_mut().skip(start) {
        if let Elem::Slab(slab) = e {
            slab.node.get_or_insert(node);
        }
    }
}

/// [`claim`] for slabs.
pub(crate) fn claim_slabs(slabs: &mut [Slab], node: BlockId) {
    for slab in slabs {
        slab.node.get_or_insert(node);
    }
}

/// Whether `blocks` hold exactly one paragraph, which may then give its
/// text to their container (see [`Place::bare`]).
fn one_paragraph(blocks: &[Block]) -> bool {
    blocks
        .iter()
        .filter(|b| matches!(b.kind, BlockKind::Paragraph(_)))
        .count()
        == 1
}

/// Places notes cited only from other notes: each is set right after the
/// first placed note that cites it (on that note's page, following it if
/// it splits), and a note it cites in turn after it. `notes` are the
/// chapter's notes as slabs, `cited` whether the text cites each, `cites`
/// which notes each note cites. A note nobody reaches stays unplaced (the
/// Markdown stage already warned that it is never referenced).
fn attach_note_citations(notes: &mut [Vec<Slab>], cited: &[bool], cites: &[Vec<usize>]) {
    let mut placed: Vec<bool> = (0..notes.len())
        .map(|i| cited.get(i).copied().unwrap_or(false))
        .collect();
    // Breadth first from the notes the text cites, remembering for each
    // newly reached note the text-cited note it travels with.
    let mut queue: std::collections::VecDeque<(usize, usize)> = (0..notes.len())
        .filter(|&i| placed[i])
        .map(|i| (i, i))
        .collect();
    while let Some((note, host)) = queue.pop_front() {
        for &next in cites.get(note).map_or(&[][..], Vec::as_slice) {
            if next < notes.len() && !placed[next] {
                placed[next] = true;
                let slabs = std::mem::take(&mut notes[next]);
                notes[host].extend(slabs);
                queue.push_back((next, host));
            }
        }
    }
}

/// One chapter composed on its own by [`Composer::compose_alone`]: its
/// paragraphs are numbered from 1 and its warnings are its own, until
/// [`Composer::adopt`] merges it in book order.
pub(crate) struct ComposedChapter {
    flow: Flow,
    /// How many paragraph ids the chapter used.
    pars: usize,
    warnings: Vec<Diagnostic>,
    long_words: Vec<((u32, u32, u32), usize)>,
}

impl<'a> Composer<'a> {
    pub fn new(fonts: Fonts, geo: &'a Geometry, book: &'a Book) -> Composer<'a> {
        let coverage = Coverage::probe(&fonts);
        Composer {
            fonts,
            geo,
            book,
            warnings: Vec::new(),
            coverage,
            next_par: 0,
            chapter: 0,
            cited: Vec::new(),
            flow: Flow::default(),
            block_start: 0,
            warned: BTreeSet::new(),
            long_words: Vec::new(),
            url_notes: Vec::new(),
            in_footnote: false,
            place: Place::default(),
            lang: None,
        }
    }

    /// Starts a flow of its own (the contents): nodes from here on go to
    /// a fresh structure.
    pub fn begin_flow(&mut self) {
        self.flow = Flow::default();
        self.place = Place::default();
    }

    /// The structure built since [`Composer::begin_flow`].
    pub fn take_structure(&mut self) -> FlowStructure {
        std::mem::take(&mut self.flow.structure)
    }

    /// Adds a node of `kind` to the flow's structure under `parent`.
    pub fn add_node(&mut self, kind: StructKind, parent: Option<BlockId>) -> BlockId {
        self.flow.structure.add(kind, parent)
    }

    /// Node `id` of the flow's structure, to set its properties.
    pub fn structure_mut(&mut self, id: BlockId) -> &mut StructNode {
        let i = id.0 as usize;
        &mut self.flow.structure.nodes[i]
    }

    /// Makes `container` the node new blocks go under (`bare`: it holds
    /// one paragraph whose text is its own); returns what to restore.
    fn enter(&mut self, container: Option<BlockId>, bare: bool) -> Place {
        std::mem::replace(
            &mut self.place,
            Place {
                container,
                bare,
                block: container,
            },
        )
    }

    fn leave(&mut self, saved: Place) {
        self.place = saved;
    }

    /// A node of `kind` under the current container, which inline nodes
    /// then go under.
    fn leaf(&mut self, kind: StructKind) -> BlockId {
        let id = match self.place.container {
            Some(container) if kind == StructKind::P && self.place.bare => container,
            container => self.flow.structure.add(kind, container),
        };
        self.place.block = Some(id);
        id
    }

    /// A container node of `kind` under the current container.
    pub(crate) fn group(&mut self, kind: StructKind) -> BlockId {
        self.flow.structure.add(kind, self.place.container)
    }

    /// An inline node of `kind` inside `outer`'s node, or else the block
    /// being set.
    pub fn inline_node(&mut self, kind: StructKind, outer: &Marking) -> BlockId {
        let parent = outer.node.or(self.place.block).or(self.place.container);
        self.flow.structure.add(kind, parent)
    }

    /// Whether `lang` names a language other than that of the text
    /// around (the book's, or an enclosing division's).
    fn other_language(&self, lang: &Option<String>) -> bool {
        let Some(lang) = lang else {
            return false;
        };
        let around = self.lang.as_deref().unwrap_or(&self.book.meta.language);
        !lang.trim().is_empty() && !lang.trim().eq_ignore_ascii_case(around)
    }

    /// A composer for another thread: the same fonts (with a cache of its
    /// own), geometry and book, nothing composed yet.
    pub fn fork(&self) -> Composer<'a> {
        Composer::new(self.fonts.fork(), self.geo, self.book)
    }

    /// Composes chapter `index` independently of the chapters before it
    /// (the only state carried from chapter to chapter is paragraph
    /// numbering and which long words and missing glyphs were warned about; [`Composer::adopt`]
    /// settles both), so chapters can be composed on several threads.
    pub fn compose_alone(&mut self, index: usize) -> ComposedChapter {
        let next_par = std::mem::replace(&mut self.next_par, 0);
        let warnings = std::mem::take(&mut self.warnings);
        let warned = std::mem::take(&mut self.warned);
        let long_words = std::mem::take(&mut self.long_words);
        let flow = self.chapter(index);
        self.warned = warned;
        ComposedChapter {
            flow,
            pars: std::mem::replace(&mut self.next_par, next_par),
            warnings: std::mem::replace(&mut self.warnings, warnings),
            long_words: std::mem::replace(&mut self.long_words, long_words),
        }
    }

    /// Takes in a chapter from [`Composer::compose_alone`] (in book order):
    /// its paragraphs are numbered after those composed before, and a
    /// long word warned about before is not warned about again. The result
    /// is what [`Composer::chapter`] would have given.
    pub fn adopt(&mut self, mut c: ComposedChapter) -> Flow {
        let base = self.next_par;
        let renumber = |slab: &mut Slab| {
            if let Role::Line { par, .. } = &mut slab.role {
                *par += base;
            }
        };
        for e in &mut c.flow.elems {
            if let Elem::Slab(slab) = e {
                renumber(slab);
            }
        }
        c.flow.notes.iter_mut().flatten().for_each(renumber);
        c.flow.table_heads.iter_mut().for_each(renumber);
        self.next_par += c.pars;
        // `long_words` is in the order of `warnings`.
        let mut long_words = c.long_words.iter().peekable();
        for (i, w) in c.warnings.into_iter().enumerate() {
            if let Some(&(key, _)) = long_words.next_if(|(_, at)| *at == i) {
                if !self.warned.insert(key) {
                    continue;
                }
                self.long_words.push((key, self.warnings.len()));
            }
            self.warnings.push(w);
        }
        c.flow
    }

    /// The body context of a chapter's top level.
    pub fn body_ctx(&self) -> Ctx {
        Ctx {
            left: Pt::ZERO,
            right: Pt::ZERO,
            size: self.geo.size,
            leading: self.geo.leading,
            italic: false,
            gap: self.geo.leading,
            top: true,
            in_note: false,
            list_depth: 0,
            align: None,
        }
    }

    /// The context footnotes are set in.
    pub fn note_ctx(&self) -> Ctx {
        Ctx {
            size: self.geo.size * NOTE_SCALE,
            leading: self.geo.leading * NOTE_SCALE,
            gap: Pt::ZERO,
            top: false,
            in_note: true,
            ..self.body_ctx()
        }
    }

    pub fn measure(&self, ctx: &Ctx) -> Pt {
        self.geo.measure - ctx.left - ctx.right
    }

    pub fn new_par_id(&mut self) -> usize {
        self.next_par += 1;
        self.next_par
    }

    /// Composes chapter `index` into its flow.
    pub fn chapter(&mut self, index: usize) -> Flow {
        let book = self.book;
        let Some(chapter) = book.chapters.get(index) else {
            return Flow::default();
        };
        self.chapter = index;
        self.cited = vec![false; chapter.footnotes.len()];
        self.url_notes.clear();
        self.begin_flow();
        self.lang = None;

        // A reference inside a note does not place the note it names:
        // only a citation in the text does. What each note cites is kept
        // for notes cited from notes alone (see `attach_note_citations`).
        let mut cites: Vec<Vec<usize>> = Vec::with_capacity(chapter.footnotes.len());
        let mut note_nodes = Vec::with_capacity(chapter.footnotes.len());
        let notes: Vec<Vec<Slab>> = chapter
            .footnotes
            .iter()
            .map(|note| {
                let cited =
                    std::mem::replace(&mut self.cited, vec![false; chapter.footnotes.len()]);
                self.in_footnote = true;
                let (slabs, node) = self.footnote(note.number, &note.id, &note.blocks, note.span);
                note_nodes.push(Some(node));
                self.in_footnote = false;
                cites.push(
                    self.cited
                        .iter()
                        .enumerate()
                        .filter_map(|(i, &c)| c.then_some(i))
                        .collect(),
                );
                self.cited = cited;
                slabs
            })
            .collect();
        self.flow.notes = notes;

        let has_h1 = chapter
            .blocks
            .iter()
            .any(|b| matches!(&b.kind, BlockKind::Heading(h) if h.level == 1));
        let mut out = Vec::new();
        let mut prev = Prev::Start;
        match (has_h1, &chapter.title) {
            (false, Some(title)) => {
                let (mut slab, baselines) = self.chapter_head(title, &[], None, chapter.span);
                slab.node = Some(self.heading_node(1, title));
                self.push_tall(slab, &baselines, &mut out);
                prev = Prev::Heading;
            }
            (false, None) if !chapter.blocks.is_empty() => {
                // An untitled chapter still opens below the same sink.
                let sink = self.sink();
                if sink.0 > EPS {
                    out.push(Elem::Slab(Slab::new(sink, Role::Other, chapter.span)));
                    prev = Prev::Heading;
                }
            }
            _ => {}
        }
        let ctx = self.body_ctx();
        self.blocks_after(&chapter.blocks, &ctx, prev, &mut out);
        // The notes of the web addresses the chapter's links cited.
        for (k, url) in std::mem::take(&mut self.url_notes).iter().enumerate() {
            let (slabs, node) = self.url_note(&note_letter(k), url, chapter.span);
            self.flow.notes.push(slabs);
            note_nodes.push(Some(node));
            cites.push(Vec::new());
        }
        self.warn_missing_glyphs(Some(chapter.span));
        self.flow.elems = out;
        self.flow.note_nodes = note_nodes;
        attach_note_citations(&mut self.flow.notes, &self.cited, &cites);
        std::mem::take(&mut self.flow)
    }

    /// A heading node of `level` titled `title`, under the current
    /// container.
    fn heading_node(&mut self, level: u8, title: &str) -> BlockId {
        let id = self.leaf(StructKind::Heading(level.clamp(1, 6)));
        self.structure_mut(id).title = Some(normalize(title));
        id
    }

    /// Sets a footnote's blocks as note-sized slabs, its number first, as
    /// a Note (whose text is its own when it is one paragraph).
    fn footnote(
        &mut self,
        number: usize,
        id: &str,
        blocks: &[Block],
        span: Span,
    ) -> (Vec<Slab>, BlockId) {
        let ctx = self.note_ctx();
        let note = self.flow.structure.add(StructKind::Note, None);
        let saved = self.enter(Some(note), one_paragraph(blocks));
        let mut elems = Vec::new();
        let marker = number.to_string();
        match blocks.split_first() {
            Some((first, rest)) if matches!(first.kind, BlockKind::Paragraph(_)) => {
                if let BlockKind::Paragraph(inlines) = &first.kind {
                    let par = self.leaf(StructKind::P);
                    let mut pb = ParBuilder::default();
                    self.note_number(&mut pb, &marker, &ctx, first.span);
                    pb.text(" ", self.plain_style(&ctx), Marking::default(), first.span);
                    self.inlines(&mut pb, inlines, self.base_style(&ctx));
                    let slabs = self.set(&pb, &ctx, Pt::ZERO, Alignment::Justify, true, first.span);
                    self.push_lines(slabs, &ctx, &mut elems);
                    claim(&mut elems, 0, par);
                }
                self.blocks_after(rest, &ctx, Prev::Paragraph, &mut elems);
            }
            _ => {
                let mut pb = ParBuilder::default();
                self.note_number(&mut pb, &marker, &ctx, span);
                let slabs = self.set(&pb, &ctx, Pt::ZERO, Alignment::Left, false, span);
                self.push_lines(slabs, &ctx, &mut elems);
                claim(&mut elems, 0, note);
                self.blocks_after(blocks, &ctx, Prev::Paragraph, &mut elems);
            }
        }
        self.leave(saved);
        let mut slabs: Vec<Slab> = elems
            .into_iter()
            .filter_map(|e| match e {
                Elem::Slab(s) => Some(s),
                Elem::Space { height, .. } if height.0 > EPS => Some(Slab::space(height)),
                _ => None,
            })
            .collect();
        if let Some(first) = slabs.first_mut() {
            let y = (first.height - ctx.size).max(Pt::ZERO);
            first.anchors.push((id.to_string(), y));
        }
        (slabs, note)
    }

    /// A superscript note number.
    fn note_number(&mut self, pb: &mut ParBuilder, number: &str, ctx: &Ctx, span: Span) {
        let style = TextStyle {
            face: if ctx.italic {
                Face::Italic
            } else {
                Face::Regular
            },
            size: ctx.size * SUPERSCRIPT_SCALE,
            gray: 0.0,
            rise: ctx.size * SUPERSCRIPT_RISE,
        };
        pb.text(number, style, Marking::default(), span);
    }

    fn base_style(&self, ctx: &Ctx) -> InlineStyleArg {
        InlineStyleArg(InlineStyle {
            italic: ctx.italic,
            bold: false,
            mono: false,
            size: ctx.size,
            rise: Pt::ZERO,
            mark: Marking::default(),
        })
    }

    fn plain_style(&self, ctx: &Ctx) -> TextStyle {
        self.base_style(ctx).0.text_style()
    }

    /// Lays out blocks of one container, given what preceded them.
    fn blocks_after(&mut self, blocks: &[Block], ctx: &Ctx, mut prev: Prev, out: &mut Vec<Elem>) {
        for block in blocks {
            self.block_start = out.len();
            prev = self.block(block, ctx, prev, out);
            let off_grid = !matches!(
                block.kind,
                BlockKind::Paragraph(_) | BlockKind::Heading(_) | BlockKind::Division(_)
            );
            if ctx.top && off_grid {
                self.centre_on_grid(ctx, out);
            }
        }
    }

    /// A block whose height is not a whole number of grid lines (a table,
    /// code, a figure) would leave all of the rounding below it when the
    /// next block snaps back to the grid; half of it goes above instead.
    /// The space is dropped, like any other, at the top of a page.
    fn centre_on_grid(&mut self, ctx: &Ctx, out: &mut Vec<Elem>) {
        let start = self.block_start.min(out.len());
        let content = out[start..]
            .iter()
            .position(|e| matches!(e, Elem::Slab(_)))
            .map_or(out.len(), |p| start + p);
        let height: Pt = out[content..]
            .iter()
            .map(|e| match e {
                Elem::Slab(s) => s.height,
                Elem::Space { height, .. } => *height,
                Elem::Snap => Pt::ZERO,
            })
            .sum();
        let pad = ceil_to(height, ctx.leading) - height;
        if pad.0 > EPS {
            out.insert(
                content,
                Elem::Space {
                    height: pad / 2.0,
                    breakable: false,
                },
            );
        }
    }

    /// Pushes the separator before a block: nothing after a heading (the
    /// heading keeps with it), a bare break between paragraphs, otherwise
    /// the context's gap; then snaps back to the grid at the top level.
    fn separate(&mut self, ctx: &Ctx, prev: Prev, is_paragraph: bool, out: &mut Vec<Elem>) {
        match prev {
            Prev::Start | Prev::Heading => {}
            Prev::Paragraph if is_paragraph => out.push(Elem::brk()),
            _ => out.push(Elem::Space {
                height: ctx.gap,
                breakable: true,
            }),
        }
        if ctx.top && prev != Prev::Start {
            out.push(Elem::Snap);
        }
    }

    fn block(&mut self, block: &Block, ctx: &Ctx, prev: Prev, out: &mut Vec<Elem>) -> Prev {
        match &block.kind {
            BlockKind::Heading(h) => {
                self.heading(h, block.span, ctx, prev, out);
                Prev::Heading
            }
            BlockKind::Paragraph(inlines) => {
                let saved = self.place;
                let par = self.leaf(StructKind::P);
                let mut pb = ParBuilder::default();
                self.inlines(&mut pb, inlines, self.base_style(ctx));
                if pb.items.is_empty() {
                    self.place = saved;
                    return prev;
                }
                self.separate(ctx, prev, true, out);
                let align = ctx.align.unwrap_or(Alignment::Justify);
                let indent = match prev {
                    Prev::Start | Prev::Heading | Prev::Break => Pt::ZERO,
                    _ if align != Alignment::Justify => Pt::ZERO,
                    _ => ctx.size,
                };
                let slabs = self.set(&pb, ctx, indent, align, true, block.span);
                let first = out.len();
                self.push_lines(slabs, ctx, out);
                self.anchor_inline_ids(inlines, first, out);
                claim(out, first, par);
                self.place = saved;
                Prev::Paragraph
            }
            BlockKind::Math(src) => {
                self.separate(ctx, prev, false, out);
                let formula = self.formula(src);
                let first = out.len();
                let mut pb = ParBuilder::default();
                let style = TextStyle {
                    face: Face::Italic,
                    ..self.plain_style(ctx)
                };
                pb.text(&collapse_ws(src), style, Marking::default(), block.span);
                let slabs = self.set(&pb, ctx, Pt::ZERO, Alignment::Center, false, block.span);
                self.push_lines(slabs, ctx, out);
                claim(out, first, formula);
                Prev::Other
            }
            BlockKind::Figure(fig) => {
                self.separate(ctx, prev, false, out);
                self.figure(fig, block.span, ctx, out);
                Prev::Other
            }
            BlockKind::Image(img) => {
                self.separate(ctx, prev, false, out);
                self.block_image(img, &[], block.span, ctx, out);
                Prev::Other
            }
            BlockKind::Division(d) => {
                let inner = Ctx {
                    align: match d.attrs.align {
                        Some(Align::Center) => Some(Alignment::Center),
                        Some(Align::Right) => Some(Alignment::Right),
                        Some(Align::Left) => Some(Alignment::Left),
                        _ => ctx.align,
                    },
                    ..*ctx
                };
                // A division is transparent to the structure unless it
                // says its text is in another language: a Div with /Lang.
                let lang = self
                    .other_language(&d.attrs.lang)
                    .then(|| d.attrs.lang.clone())
                    .flatten();
                let saved = match &lang {
                    Some(lang) => {
                        let div = self.group(StructKind::Div);
                        self.structure_mut(div).lang = Some(lang.clone());
                        Some(self.enter(Some(div), false))
                    }
                    None => None,
                };
                let inner_lang = lang.or_else(|| self.lang.clone());
                let outer_lang = std::mem::replace(&mut self.lang, inner_lang);
                let first = out.len();
                self.blocks_after(&d.blocks, &inner, prev, out);
                self.lang = outer_lang;
                if let Some(saved) = saved {
                    self.leave(saved);
                }
                if let Some(id) = &d.attrs.id {
                    self.anchor_at(id, first, out);
                }
                if out.len() == first {
                    prev
                } else {
                    Prev::Other
                }
            }
            BlockKind::Details(d) => {
                self.separate(ctx, prev, false, out);
                // Summary and content, always shown in print, as a group.
                let div = self.group(StructKind::Div);
                let saved = self.enter(Some(div), false);
                let mut pb = ParBuilder::default();
                let st = InlineStyle {
                    bold: true,
                    ..self.base_style(ctx).0
                };
                let summary = self.leaf(StructKind::P);
                self.inlines(&mut pb, &d.summary, InlineStyleArg(st));
                let mut after = Prev::Start;
                if !pb.items.is_empty() {
                    let mut slabs =
                        self.set(&pb, ctx, Pt::ZERO, Alignment::Left, false, block.span);
                    claim_slabs(&mut slabs, summary);
                    // The summary keeps with what it sums up.
                    out.extend(slabs.into_iter().map(Elem::Slab));
                    after = Prev::Heading;
                }
                self.place.block = Some(div);
                self.blocks_after(&d.blocks, ctx, after, out);
                self.leave(saved);
                Prev::Other
            }
            BlockKind::BlockQuote(blocks) => {
                self.separate(ctx, prev, false, out);
                let inner = Ctx {
                    left: ctx.left + ctx.size * QUOTE_INDENT_LEFT,
                    right: ctx.right + ctx.size * QUOTE_INDENT_RIGHT,
                    size: ctx.size * QUOTE_SCALE,
                    top: false,
                    ..*ctx
                };
                let quote = self.group(StructKind::BlockQuote);
                let saved = self.enter(Some(quote), one_paragraph(blocks));
                self.blocks_after(blocks, &inner, Prev::Start, out);
                self.leave(saved);
                Prev::Other
            }
            BlockKind::List(list) => {
                self.separate(ctx, prev, false, out);
                self.list(list, ctx, out);
                Prev::Other
            }
            BlockKind::CodeBlock { text, .. } => {
                self.separate(ctx, prev, false, out);
                let code = self.leaf(StructKind::Code);
                let first = out.len();
                self.code(text, block.span, ctx, out);
                claim(out, first, code);
                Prev::Other
            }
            BlockKind::Table(table) => {
                self.separate(ctx, prev, false, out);
                let first = self.flow.table_heads.len();
                let parts = crate::typeset::table::compose(self, table, block.span, ctx, first);
                for (k, part) in parts.into_iter().enumerate() {
                    if k > 0 {
                        out.push(Elem::Space {
                            height: ctx.gap,
                            breakable: true,
                        });
                    }
                    self.flow.table_heads.push(part.head.clone());
                    out.push(Elem::Slab(part.head));
                    let n = part.rows.len();
                    for (i, row) in part.rows.into_iter().enumerate() {
                        // The head keeps with the first row; the last row
                        // carries the bottom rule, so any other gap may break.
                        if i > 0 && i < n && !ctx.in_note {
                            out.push(Elem::brk());
                        }
                        out.push(Elem::Slab(row));
                    }
                }
                Prev::Other
            }
            BlockKind::DefinitionList(defs) => {
                self.separate(ctx, prev, false, out);
                // As the PDF association's guidance has it for PDF 1.7: a
                // list whose items label a term and hold its details.
                let list = self.group(StructKind::L);
                self.structure_mut(list).numbering = Some(Numbering::None);
                let saved = self.enter(Some(list), false);
                for (i, def) in defs.iter().enumerate() {
                    if i > 0 {
                        out.push(Elem::Space {
                            height: ctx.leading * DEFINITION_GAP,
                            breakable: true,
                        });
                    }
                    self.definition(def, ctx, out);
                }
                self.leave(saved);
                Prev::Other
            }
            BlockKind::ThematicBreak => {
                self.separate(ctx, prev, false, out);
                let height = ctx.leading;
                let mut slab = Slab::new(height, Role::Other, block.span);
                let width = self.measure(ctx) * RULE_FRACTION;
                // Centre the rule between the previous baseline and the
                // x-height of the next line, counting the gaps around it.
                let x_height = self.fonts.metrics(Face::Regular).x_height;
                let y = (ctx.gap + height + ctx.gap + ctx.leading - ctx.size * x_height) / 2.0
                    - ctx.gap;
                slab.pieces.push(Piece::Item(Item::Rect(Rect {
                    x: ctx.left + (self.measure(ctx) - width) / 2.0,
                    y: y.max(Pt::ZERO),
                    width,
                    height: THIN_RULE,
                    gray: 0.0,
                })));
                out.push(Elem::Slab(slab));
                Prev::Break
            }
        }
    }

    /// A Formula node for TeX source `tex` (its alt text), under the
    /// current container, for a display formula's slabs to belong to
    /// (whatever draws the formula, its pieces are the Formula's when its
    /// slabs are claimed with it).
    pub(crate) fn formula(&mut self, tex: &str) -> BlockId {
        let id = self.leaf(StructKind::Formula);
        self.structure_mut(id).alt = Some(collapse_ws(tex));
        id
    }

    /// Turns lines of one paragraph into flow elements, allowing page
    /// breaks only where both sides keep at least two lines.
    pub(crate) fn push_lines(&mut self, slabs: Vec<Slab>, ctx: &Ctx, out: &mut Vec<Elem>) {
        let n = slabs.len();
        for (i, slab) in slabs.into_iter().enumerate() {
            if i > 0 && !ctx.in_note && i >= MIN_LINES_AT_BREAK && n - i >= MIN_LINES_AT_BREAK {
                out.push(Elem::brk());
            }
            out.push(Elem::Slab(slab));
        }
    }

    /// Runs the paragraph engine and turns its lines into slabs of
    /// `ctx.leading`, recording issues and over-long words.
    pub(crate) fn set(
        &mut self,
        pb: &ParBuilder,
        ctx: &Ctx,
        first_indent: Pt,
        align: Alignment,
        hyphenate: bool,
        span: Span,
    ) -> Vec<Slab> {
        let opts = ParOptions {
            measure: self.measure(ctx),
            first_indent,
            align,
            hyphenate,
            language: self.book.meta.language.clone(),
            protrusion: align == Alignment::Justify,
            expansion: self.geo.expansion,
        };
        let mut layout = layout_paragraph(&mut self.fonts, &pb.items, &opts);
        self.warn_missing_glyphs(Some(span));
        let par = self.new_par_id();
        let count = layout.lines.len();
        let word_starts = pb.word_starts();
        let mut slabs: Vec<Slab> = layout
            .lines
            .iter_mut()
            .enumerate()
            .map(|(index, line)| {
                let role = Role::Line {
                    par,
                    index,
                    count,
                    hyphenated: line.hyphenated,
                };
                let mut slab = Slab::new(ctx.leading, role, line_span(line, span));
                slab.origin = Some((span.start, pb.words_before(&word_starts, line.text_start)));
                self.line_pieces(line, &pb.marks, ctx.left, ctx.leading, ctx.size, &mut slab);
                slab
            })
            .collect();
        let measure = self.measure(ctx);
        let too_long: BTreeSet<usize> = layout
            .issues
            .iter()
            .filter(|i| i.kind == LineIssueKind::WordTooLong)
            .map(|i| i.line)
            .collect();
        for issue in &layout.issues {
            let issue_span = if issue.span == Span::default() {
                span
            } else {
                issue.span
            };
            match issue.kind {
                // A line holding a word too long for the measure is
                // overfull whatever its spacing says.
                LineIssueKind::Loose { .. } if too_long.contains(&issue.line) => {}
                LineIssueKind::WordTooLong => {
                    self.warn_long_word(issue_span);
                    let by = layout.lines.get(issue.line).map_or(Pt::ZERO, |l| {
                        let indent = if issue.line == 0 {
                            first_indent
                        } else {
                            Pt::ZERO
                        };
                        (l.width + indent - measure).max(Pt::ZERO)
                    });
                    if let Some(s) = slabs.get_mut(issue.line) {
                        if !s
                            .issues
                            .iter()
                            .any(|i| matches!(i.kind, IssueKind::Overfull(_)))
                        {
                            s.issues.push(Issue {
                                kind: IssueKind::Overfull(by),
                                span: issue_span,
                            });
                        }
                    }
                }
                LineIssueKind::WordBroken => self.warn_broken_word(issue_span),
                LineIssueKind::Overfull { by } => {
                    if let Some(s) = slabs.get_mut(issue.line) {
                        s.issues
                            .retain(|i| !matches!(i.kind, IssueKind::Overfull(_)));
                        s.issues.push(Issue {
                            kind: IssueKind::Overfull(by),
                            span: issue_span,
                        });
                    }
                }
                LineIssueKind::Loose { ratio } if ratio > VERY_LOOSE => {
                    if let Some(s) = slabs.get_mut(issue.line) {
                        s.issues.push(Issue {
                            kind: IssueKind::Loose(ratio),
                            span: issue_span,
                        });
                    }
                }
                LineIssueKind::Loose { .. } => {}
            }
        }
        slabs
    }

    /// Warns, once per place like a long word, that a word too long for
    /// its line was broken between two letters: the book still reads, but
    /// the author may want to shorten it or allow a break.
    pub(crate) fn warn_broken_word(&mut self, span: Span) {
        self.warn_once(
            span,
            "a word too long for the line is broken between two of its letters",
            "allow a break (a space, a hyphen, or a soft hyphen &shy;) or shorten the word",
        );
    }

    pub(crate) fn warn_long_word(&mut self, span: Span) {
        self.warn_once(
            span,
            "a word is too long for the PDF's line width",
            "allow a break (e.g. a space or a hyphen) or shorten the word",
        );
    }

    /// A warning at `span`, once per place in the book however often the
    /// place is set (a table cell is set twice; chapters apart).
    fn warn_once(&mut self, span: Span, message: &str, hint: &str) {
        let key = (span.file.0, span.start, span.end);
        if !self.warned.insert(key) {
            return;
        }
        self.long_words.push((key, self.warnings.len()));
        let mut d = Diagnostic::warning(message).with_hint(hint);
        if let Some(loc) = locate(self.book, span) {
            d = d.at(loc);
        }
        self.warnings.push(d);
    }

    /// Counts the characters [`Fonts::missing`] lists (no face has a
    /// glyph for them) in the fonts' missing-glyph tally, at the place the
    /// paragraph builder noted, else at the character's first place
    /// inside `fallback` (the block being set) in the source. The
    /// typesetter reports the tally once per script at the end.
    pub(crate) fn warn_missing_glyphs(&mut self, fallback: Option<Span>) {
        for m in std::mem::take(&mut self.fonts.missing) {
            // The character's own place where a span covers more.
            let span = m.span.or(fallback).map(|s| char_span(self.book, s, m.c));
            self.fonts.missing_glyphs.add(m.c, m.script, span);
        }
    }

    /// Moves a line's runs into a slab whose baseline is at `height` (the
    /// line keeps no runs), turns its marked ranges into link areas,
    /// images and rules, and says which structure node each part of the
    /// line belongs to (a run is cut where a link's words begin or end).
    pub(crate) fn line_pieces(
        &self,
        line: &mut Line,
        marks: &Marks,
        x: Pt,
        height: Pt,
        size: Pt,
        slab: &mut Slab,
    ) {
        slab.pieces.reserve(line.runs.len() + line.links.len());
        // The inline nodes' stretches of the line, in order.
        let nodes: Vec<(Pt, Pt, BlockId)> = line
            .links
            .iter()
            .filter_map(|&(a, b, i)| Some((a, b, marks.marking(i)?.node?)))
            .collect();
        let base = marks.base.map_or(Owner::Slab, Owner::Node);
        let owner_at = |at: Pt| {
            nodes
                .iter()
                .find(|&&(a, b, _)| at >= a && at < b)
                .map_or(base, |&(_, _, n)| Owner::Node(n))
        };
        let mut owner = Owner::Slab;
        let mut own = |pieces: &mut Vec<Piece>, o: Owner| {
            if owner != o {
                pieces.push(Piece::Node(o));
                owner = o;
            }
        };
        let ascent = line.ascent.max(size * LINK_ASCENT);
        let descent = line.descent.max(size * LINK_DESCENT);
        // A link's stretches on the line (its words may be marked apart,
        // a struck word among them) make one area; images go among the
        // words, where they are read.
        let mut areas: Vec<(u32, Pt, Pt)> = Vec::new();
        let mut images: Vec<(Pt, Pt, &Mark)> = Vec::new();
        for &(a, b, index) in &line.links {
            match marks.marks.get(index) {
                Some(Mark::Text(m)) => {
                    if let Some(link) = m.link {
                        match areas.last_mut() {
                            Some(last) if last.0 == link && (last.2 - a).0.abs() < LINK_JOIN => {
                                last.2 = b
                            }
                            _ => areas.push((link, a, b)),
                        }
                    }
                    self.decorate(m, (x + a, x + b), height, (ascent, descent), size, slab);
                }
                Some(image @ Mark::Image { .. }) => images.push((a, b, image)),
                None => {}
            }
        }
        // Images not yet placed start at `images[next]`.
        let mut next = 0;
        let image_piece = |(a, b, mark): (Pt, Pt, &Mark)| match mark {
            Mark::Image {
                path,
                height: h,
                alt,
            } => Some((
                owner_at((a + b) / 2.0),
                Piece::Item(Item::Image(PlacedImage {
                    path: path.clone(),
                    x: x + a,
                    y: height - *h,
                    width: b - a,
                    height: *h,
                    alt: alt.clone(),
                })),
            )),
            Mark::Text(_) => None,
        };
        for run in std::mem::take(&mut line.runs) {
            if nodes.is_empty() && next == images.len() {
                own(&mut slab.pieces, base);
                push_run(&mut slab.pieces, run, x, height);
                continue;
            }
            let owners: Vec<Owner> = run
                .glyphs
                .iter()
                .map(|g| owner_at(g.x + g.advance / 2.0))
                .collect();
            for (o, part) in split_run(run, &owners) {
                let start = part.glyphs.first().map_or(Pt::ZERO, |g| g.x);
                while next < images.len() && images[next].0 < start {
                    if let Some((o, piece)) = image_piece(images[next]) {
                        own(&mut slab.pieces, o);
                        slab.pieces.push(piece);
                    }
                    next += 1;
                }
                own(&mut slab.pieces, o);
                push_run(&mut slab.pieces, part, x, height);
            }
        }
        for &image in &images[next..] {
            if let Some((o, piece)) = image_piece(image) {
                own(&mut slab.pieces, o);
                slab.pieces.push(piece);
            }
        }
        for (link, a, b) in areas {
            let Some(l) = marks.links.get(link as usize) else {
                continue;
            };
            own(&mut slab.pieces, l.node.map_or(base, Owner::Node));
            slab.pieces.push(Piece::Link {
                rect: Rect {
                    x: x + a,
                    y: height - ascent,
                    width: b - a,
                    height: ascent + descent,
                    gray: 0.0,
                },
                target: l.target.clone(),
            });
        }
        own(&mut slab.pieces, Owner::Slab);
        for &m in &line.markers {
            if !slab.notes.contains(&m) {
                slab.notes.push(m);
            }
        }
    }

    /// The rules and grounds of a marked stretch `xs` of a line: struck
    /// through, underlined, highlighted.
    fn decorate(
        &self,
        m: &Marking,
        (x0, x1): (Pt, Pt),
        height: Pt,
        (ascent, descent): (Pt, Pt),
        size: Pt,
        slab: &mut Slab,
    ) {
        let rule = |y: Pt| {
            Piece::Item(Item::Rect(Rect {
                x: x0,
                y,
                width: x1 - x0,
                height: size * STRIKE_THICKNESS,
                gray: 0.0,
            }))
        };
        if m.strike {
            let x_height = self.fonts.metrics(Face::Regular).x_height;
            slab.pieces
                .push(rule(height - size * (x_height * STRIKE_RAISE)));
        }
        if m.underline {
            slab.pieces.push(rule(height + size * UNDERLINE_DROP));
        }
        if m.highlight {
            // Drawn first, so the text lies on it.
            let ground = Piece::Item(Item::Rect(Rect {
                x: x0,
                y: height - ascent,
                width: x1 - x0,
                height: ascent + descent,
                gray: HIGHLIGHT_GRAY,
            }));
            slab.pieces.insert(0, ground);
        }
    }

    /// A paragraph builder for a table cell (or caption) whose text
    /// belongs to node `node`. With `dry`, nothing is recorded (used when
    /// only measuring), so a note cited in the cell still gets its marker,
    /// and its links their nodes, when the cell is set for real.
    pub(crate) fn cell_builder(
        &mut self,
        inlines: &[Inline],
        ctx: &Ctx,
        bold: bool,
        dry: bool,
        node: Option<BlockId>,
    ) -> ParBuilder {
        let saved = dry.then(|| {
            (
                self.cited.clone(),
                self.url_notes.len(),
                self.flow.structure.nodes.len(),
            )
        });
        let place = self.place;
        self.place.block = node.or(place.block);
        let mut pb = ParBuilder::default();
        pb.marks.base = node;
        let st = InlineStyle {
            bold,
            ..self.base_style(ctx).0
        };
        self.inlines(&mut pb, inlines, InlineStyleArg(st));
        self.place = place;
        if let Some((cited, urls, nodes)) = saved {
            self.cited = cited;
            self.url_notes.truncate(urls);
            self.flow.structure.nodes.truncate(nodes);
            pb.marks.strip_nodes();
        }
        pb
    }

    /// Converts inlines into paragraph items, with the inline structure
    /// (links, spans in another language, formulas, note references) as
    /// nodes under the block being set.
    fn inlines(&mut self, pb: &mut ParBuilder, inlines: &[Inline], style: InlineStyleArg) {
        let st = style.0;
        for inline in inlines {
            let span = inline.span;
            match &inline.kind {
                InlineKind::Text(t) => pb.text(t, st.text_style(), st.mark, span),
                InlineKind::SoftBreak => pb.text(" ", st.text_style(), st.mark, span),
                InlineKind::HardBreak => pb.line_break(),
                InlineKind::Code(t) => {
                    let s = InlineStyle {
                        mono: true,
                        size: st.size * INLINE_CODE_SCALE,
                        ..st
                    };
                    pb.text(t, s.text_style(), st.mark, span);
                }
                InlineKind::Emphasis(c) => {
                    let s = InlineStyle {
                        italic: !st.italic,
                        ..st
                    };
                    self.inlines(pb, c, InlineStyleArg(s));
                }
                InlineKind::Strong(c) => {
                    let s = InlineStyle { bold: true, ..st };
                    self.inlines(pb, c, InlineStyleArg(s));
                }
                InlineKind::Strikethrough(c) => {
                    let mark = Marking {
                        strike: true,
                        ..st.mark
                    };
                    self.inlines(pb, c, InlineStyleArg(InlineStyle { mark, ..st }));
                }
                InlineKind::Superscript(c) => {
                    let s = InlineStyle {
                        size: st.size * SUPERSCRIPT_SCALE,
                        rise: st.rise + st.size * SUPERSCRIPT_RISE,
                        ..st
                    };
                    self.inlines(pb, c, InlineStyleArg(s));
                }
                InlineKind::Subscript(c) => {
                    let s = InlineStyle {
                        size: st.size * SUPERSCRIPT_SCALE,
                        rise: st.rise - st.size * SUBSCRIPT_DROP,
                        ..st
                    };
                    self.inlines(pb, c, InlineStyleArg(s));
                }
                InlineKind::Link(link) => {
                    let target = match &link.target {
                        LinkTarget::External(uri) => LinkRef::Uri(uri.clone()),
                        LinkTarget::Internal { id: Some(id), .. } => LinkRef::Anchor(id.clone()),
                        LinkTarget::Internal { chapter, id: None } => LinkRef::Chapter(*chapter),
                    };
                    let mark = self.link_marking(pb, target, &st.mark);
                    self.inlines(
                        pb,
                        &link.content,
                        InlineStyleArg(InlineStyle { mark, ..st }),
                    );
                    if let LinkTarget::External(uri) = &link.target {
                        self.print_address(pb, uri, &link.content, &st, span);
                    }
                }
                InlineKind::Image(img) if self.inline_image(pb, img, &st, span) => {}
                InlineKind::Image(img) => {
                    let alt = img.stand_in();
                    if !alt.is_empty() {
                        let s = InlineStyle {
                            italic: !st.italic,
                            ..st
                        };
                        pb.aside(&alt, s.text_style(), st.mark, span);
                    }
                }
                InlineKind::FootnoteRef { index } => self.note_ref(pb, *index, &st, span),
                InlineKind::Math(tex) => {
                    let node = self.inline_node(StructKind::Formula, &st.mark);
                    self.structure_mut(node).alt = Some(collapse_ws(tex));
                    let s = InlineStyle {
                        italic: !st.italic,
                        mark: Marking {
                            node: Some(node),
                            ..st.mark
                        },
                        ..st
                    };
                    pb.text(tex, s.text_style(), s.mark, span);
                }
                InlineKind::Underline(c) => {
                    let mark = Marking {
                        underline: true,
                        ..st.mark
                    };
                    self.inlines(pb, c, InlineStyleArg(InlineStyle { mark, ..st }));
                }
                InlineKind::Mark(c) => {
                    let mark = Marking {
                        highlight: true,
                        ..st.mark
                    };
                    self.inlines(pb, c, InlineStyleArg(InlineStyle { mark, ..st }));
                }
                InlineKind::Small(c) => {
                    let s = InlineStyle {
                        size: st.size * SMALL_TEXT_SCALE,
                        ..st
                    };
                    self.inlines(pb, c, InlineStyleArg(s));
                }
                InlineKind::Kbd(c) => {
                    let s = InlineStyle {
                        mono: true,
                        size: st.size * INLINE_CODE_SCALE,
                        ..st
                    };
                    self.inlines(pb, c, InlineStyleArg(s));
                }
                InlineKind::Abbr {
                    title: Some(title),
                    content,
                } if !title.trim().is_empty() => {
                    // A screen reader speaks the expansion (/E) instead.
                    let node = self.inline_node(StructKind::Span, &st.mark);
                    self.structure_mut(node).expansion = Some(collapse_ws(title));
                    let mark = Marking {
                        node: Some(node),
                        ..st.mark
                    };
                    self.inlines(pb, content, InlineStyleArg(InlineStyle { mark, ..st }));
                }
                InlineKind::Span { attrs, content } if self.other_language(&attrs.lang) => {
                    let node = self.inline_node(StructKind::Span, &st.mark);
                    self.structure_mut(node).lang = attrs.lang.clone();
                    let mark = Marking {
                        node: Some(node),
                        ..st.mark
                    };
                    self.inlines(pb, content, InlineStyleArg(InlineStyle { mark, ..st }));
                }
                InlineKind::Abbr { content, .. } | InlineKind::Span { content, .. } => {
                    self.inlines(pb, content, style);
                }
                // Anchors are placed with their block (see `anchor_inline_ids`).
                InlineKind::Anchor(_) => {}
            }
        }
    }

    /// The marking of a link's text: a Link node (under the inline node
    /// `outer` is in) and the link's target.
    fn link_marking(&mut self, pb: &mut ParBuilder, target: LinkRef, outer: &Marking) -> Marking {
        let node = self.inline_node(StructKind::Link, outer);
        let link = pb.marks.link(target, Some(node));
        Marking {
            link: Some(link),
            node: Some(node),
            ..*outer
        }
    }

    /// Sets a local image inline (scaled to at most [`INLINE_IMAGE_EM`]
    /// tall and the measure wide); false, with nothing added, when it
    /// cannot be placed (remote, unreadable), so its alt text stands in.
    fn inline_image(
        &mut self,
        pb: &mut ParBuilder,
        img: &Image,
        st: &InlineStyle,
        span: Span,
    ) -> bool {
        let Some(path) = &img.path else {
            return false;
        };
        let (wpx, hpx) = match image::dimensions(path) {
            Ok(d) => d,
            Err(e) => {
                self.warn_image(path, &e, span);
                return false;
            }
        };
        if wpx == 0 || hpx == 0 {
            return false;
        }
        let (w, h) = (wpx as f64 / IMAGE_PX_PER_PT, hpx as f64 / IMAGE_PX_PER_PT);
        let max_h = st.size.0 * INLINE_IMAGE_EM;
        let max_w = self.geo.measure.0;
        let scale = 1f64.min(max_h / h).min(max_w / w);
        let image = Mark::Image {
            path: path.clone(),
            height: Pt(h * scale),
            alt: collapse_ws(&img.alt),
        };
        pb.object(Pt(w * scale), image, st.text_style(), st.mark, span);
        true
    }

    /// Prints the web address of a link whose text does not show it, as
    /// book.yaml's `pdf: link-urls` says: a reader of paper cannot click.
    /// Printed inline, the address is a link of its own; in a note, the
    /// note's letter is a Reference holding a link to the address.
    fn print_address(
        &mut self,
        pb: &mut ParBuilder,
        uri: &str,
        content: &[Inline],
        st: &InlineStyle,
        span: Span,
    ) {
        use crate::typeset::LinkUrls;
        let shown = shown_address(uri);
        if self.geo.link_urls == LinkUrls::None || shows_address(content, &shown) {
            return;
        }
        let target = LinkRef::Uri(uri.to_string());
        if self.geo.link_urls == LinkUrls::Inline || self.in_footnote {
            let plain = st.text_style();
            let link = self.link_marking(pb, target, &st.mark);
            pb.aside(" (", plain, st.mark, span);
            pb.aside(&shown, plain, link, span);
            pb.aside(")", plain, st.mark, span);
            return;
        }
        let k = match self.url_notes.iter().position(|u| u == uri) {
            Some(k) => k,
            None => {
                self.url_notes.push(uri.to_string());
                self.cited.push(false);
                self.url_notes.len() - 1
            }
        };
        let index = self.book.chapters[self.chapter].footnotes.len() + k;
        let style = TextStyle {
            face: st.face(),
            size: st.size * SUPERSCRIPT_SCALE,
            gray: 0.0,
            rise: st.rise + st.size * SUPERSCRIPT_RISE,
        };
        let reference = self.reference_marking(&st.mark);
        let link = self.link_marking(pb, target, &reference);
        pb.aside(&note_letter(k), style, link, span);
        if let Some(seen) = self.cited.get_mut(index) {
            if !*seen {
                *seen = true;
                pb.items.push(ParItem::Marker(index));
            }
        }
    }

    /// The marking of a note's citation: a Reference node (which will hold
    /// the Link to the note) inside what `outer` is in.
    fn reference_marking(&mut self, outer: &Marking) -> Marking {
        let node = self.inline_node(StructKind::Reference, outer);
        Marking {
            node: Some(node),
            ..*outer
        }
    }

    /// The note giving a link's web address: its letter, then the address
    /// (a link), as a Note.
    fn url_note(&mut self, letter: &str, uri: &str, span: Span) -> (Vec<Slab>, BlockId) {
        let ctx = self.note_ctx();
        let note = self.flow.structure.add(StructKind::Note, None);
        let saved = self.enter(Some(note), false);
        self.place.block = Some(note);
        let mut pb = ParBuilder::default();
        self.note_number(&mut pb, letter, &ctx, span);
        pb.aside(" ", self.plain_style(&ctx), Marking::default(), span);
        let link = self.link_marking(&mut pb, LinkRef::Uri(uri.to_string()), &Marking::default());
        pb.aside(&shown_address(uri), self.plain_style(&ctx), link, span);
        let slabs = self.set(&pb, &ctx, Pt::ZERO, Alignment::Left, false, span);
        let mut elems = Vec::new();
        self.push_lines(slabs, &ctx, &mut elems);
        claim(&mut elems, 0, note);
        self.leave(saved);
        let slabs = elems
            .into_iter()
            .filter_map(|e| match e {
                Elem::Slab(s) => Some(s),
                _ => None,
            })
            .collect();
        (slabs, note)
    }

    /// A note reference: a superscript number linking to the note (a
    /// Reference holding the Link), and a marker so the note lands on the
    /// page of this line.
    fn note_ref(&mut self, pb: &mut ParBuilder, index: usize, st: &InlineStyle, span: Span) {
        let book = self.book;
        let Some(note) = book
            .chapters
            .get(self.chapter)
            .and_then(|c| c.footnotes.get(index))
        else {
            return;
        };
        let reference = self.reference_marking(&st.mark);
        let link = self.link_marking(pb, LinkRef::Anchor(note.id.clone()), &reference);
        let style = TextStyle {
            face: st.face(),
            size: st.size * SUPERSCRIPT_SCALE,
            gray: 0.0,
            rise: st.rise + st.size * SUPERSCRIPT_RISE,
        };
        pb.aside(&note.number.to_string(), style, link, span);
        if let Some(seen) = self.cited.get_mut(index) {
            if !*seen {
                *seen = true;
                pb.items.push(ParItem::Marker(index));
            }
        }
    }

    /// Headings: chapter openings at the top level, smaller heads within.
    fn heading(&mut self, h: &Heading, span: Span, ctx: &Ctx, prev: Prev, out: &mut Vec<Elem>) {
        let title = normalize(&plain_text(&h.content));
        // The heading's node, at the level the source gives it (inside a
        // list or quote it is set smaller, but it heads the same level).
        let saved = self.place;
        let node = self.heading_node(h.level, &title);
        let first = out.len();
        self.heading_slabs(h, &title, span, ctx, prev, out);
        claim(out, first, node);
        self.place = saved;
    }

    fn heading_slabs(
        &mut self,
        h: &Heading,
        title: &str,
        span: Span,
        ctx: &Ctx,
        prev: Prev,
        out: &mut Vec<Elem>,
    ) {
        // A level-1 heading that opens its file opens a chapter: on a new
        // page, sunk below the top. One further down the file (after an
        // introduction, or a second one) is set in the flow like any
        // section heading, so a page never ends short before it.
        let opens_file = !out.iter().any(|e| matches!(e, Elem::Slab(_)));
        if ctx.top && h.level == 1 && opens_file {
            let (slab, baselines) = self.chapter_head(title, &h.content, Some(&h.id), span);
            self.push_tall(slab, &baselines, out);
            return;
        }
        let level = if ctx.top { h.level } else { h.level.max(4) };
        let spec = if level == 1 {
            HeadSpec::IN_FLOW_CHAPTER
        } else {
            HeadSpec::of(level)
        };
        if prev != Prev::Heading && prev != Prev::Start {
            out.push(Elem::Space {
                height: ctx.leading * spec.above,
                breakable: true,
            });
            if ctx.top {
                out.push(Elem::Snap);
            }
        } else if ctx.top && prev != Prev::Start {
            out.push(Elem::Snap);
        }
        let size = ctx.size * spec.scale;
        let line_height = (size * spec.line).max(ctx.leading);
        let mut pb = ParBuilder::default();
        let base = InlineStyle {
            italic: spec.face == Face::Italic || spec.face == Face::BoldItalic,
            bold: spec.face == Face::Bold || spec.face == Face::BoldItalic,
            mono: false,
            size,
            rise: Pt::ZERO,
            mark: Marking::default(),
        };
        self.inlines(&mut pb, &h.content, InlineStyleArg(base));
        let inner = Ctx { size, ..*ctx };
        let mut lines = self.lines_of(&pb, &inner, Alignment::Left);
        let text_height = line_height * lines.len() as f64 + ctx.leading * spec.below;
        let height = ceil_to(text_height, ctx.leading);
        let extra = height - text_height;
        let mut slab = Slab::new(
            height,
            Role::Heading {
                level,
                title: title.to_string(),
            },
            span,
        );
        let mut baselines = Vec::with_capacity(lines.len());
        for (i, line) in lines.iter_mut().enumerate() {
            let baseline = extra + line_height * (i + 1) as f64;
            self.line_pieces(line, &pb.marks, ctx.left, baseline, size, &mut slab);
            baselines.push(baseline);
        }
        let anchor_y = (extra + line_height - size).max(Pt::ZERO);
        slab.anchors.push((h.id.clone(), anchor_y));
        self.push_tall(slab, &baselines, out);
    }

    /// Pushes a slab that may be taller than a page (a heading of many
    /// lines): cut at its lines' `baselines` into slabs a page can hold,
    /// with page breaks allowed between them.
    pub(crate) fn push_tall(&mut self, slab: Slab, baselines: &[Pt], out: &mut Vec<Elem>) {
        let room = self.geo.capacity();
        for (i, part) in slab.split_at(baselines, room).into_iter().enumerate() {
            if i > 0 {
                out.push(Elem::brk());
            }
            out.push(Elem::Slab(part));
        }
    }

    /// Lays out a heading-like paragraph without recording it as a
    /// paragraph (no widow rules, no report).
    pub(crate) fn lines_of(&mut self, pb: &ParBuilder, ctx: &Ctx, align: Alignment) -> Vec<Line> {
        self.lines_indented(pb, ctx, align, Pt::ZERO)
    }

    /// [`Composer::lines_of`] with a first-line indent (negative for a
    /// hanging first line).
    pub(crate) fn lines_indented(
        &mut self,
        pb: &ParBuilder,
        ctx: &Ctx,
        align: Alignment,
        first_indent: Pt,
    ) -> Vec<Line> {
        let opts = ParOptions {
            measure: self.measure(ctx),
            first_indent,
            align,
            hyphenate: false,
            language: self.book.meta.language.clone(),
            protrusion: false,
            expansion: 0.0,
        };
        let layout = layout_paragraph(&mut self.fonts, &pb.items, &opts);
        for issue in &layout.issues {
            match issue.kind {
                LineIssueKind::WordTooLong => self.warn_long_word(issue.span),
                LineIssueKind::WordBroken => self.warn_broken_word(issue.span),
                _ => {}
            }
        }
        self.warn_missing_glyphs(None);
        layout.lines
    }

    /// How far a chapter opening sinks below the top of the text block:
    /// a fifth of the page, in whole lines.
    fn sink(&self) -> Pt {
        self.geo.leading * (self.geo.lines as f64 * SINK_FRACTION).floor()
    }

    /// The opening of a chapter: the title sunk below the top of the page,
    /// with the baselines of its lines (where it may be cut if it is taller
    /// than a page).
    pub(crate) fn chapter_head(
        &mut self,
        title: &str,
        content: &[Inline],
        id: Option<&str>,
        span: Span,
    ) -> (Slab, Vec<Pt>) {
        let ctx = self.body_ctx();
        let spec = HeadSpec::of(1);
        let size = ctx.size * spec.scale;
        let line_height = size * spec.line;
        let mut pb = ParBuilder::default();
        let base = InlineStyle {
            italic: false,
            bold: false,
            mono: false,
            size,
            rise: Pt::ZERO,
            mark: Marking::default(),
        };
        if content.is_empty() {
            pb.text(title, base.text_style(), Marking::default(), span);
        } else {
            self.inlines(&mut pb, content, InlineStyleArg(base));
        }
        let inner = Ctx { size, ..ctx };
        let mut lines = self.lines_of(&pb, &inner, Alignment::Left);
        let sink = self.sink();
        let text_height = sink + line_height * lines.len() as f64 + ctx.leading * spec.below;
        let height = ceil_to(text_height, ctx.leading);
        let mut slab = Slab::new(
            height,
            Role::Heading {
                level: 1,
                title: normalize(title),
            },
            span,
        );
        let mut baselines = Vec::with_capacity(lines.len());
        for (i, line) in lines.iter_mut().enumerate() {
            let baseline = sink + line_height * (i + 1) as f64;
            self.line_pieces(line, &pb.marks, ctx.left, baseline, size, &mut slab);
            baselines.push(baseline);
        }
        if let Some(id) = id {
            slab.anchors.push((id.to_string(), Pt::ZERO));
        }
        (slab, baselines)
    }

    /// A list: an L of LIs, each with its label (Lbl) and body (LBody,
    /// whose text is its own when the item is one paragraph).
    fn list(&mut self, list: &List, ctx: &Ctx, out: &mut Vec<Elem>) {
        let depth = ctx.list_depth;
        let mut hang = ctx.size * BULLET_HANG;
        let labels: Vec<(String, Face)> = list
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| self.list_label(list, i, item.task, depth))
            .collect();
        for (label, face) in &labels {
            let w = self.fonts.width(label, *face, ctx.size) + ctx.size * MARKER_GAP;
            hang = hang.max(w);
        }
        let inner = Ctx {
            left: ctx.left + hang,
            top: false,
            list_depth: depth + 1,
            gap: if list.tight {
                Pt::ZERO
            } else {
                ctx.leading * LOOSE_ITEM_GAP
            },
            ..*ctx
        };
        let node = self.group(StructKind::L);
        self.structure_mut(node).numbering = Some(self.numbering(list, depth));
        let outer = self.enter(Some(node), false);
        for (i, item) in list.items.iter().enumerate() {
            if i > 0 {
                out.push(Elem::Space {
                    height: inner.gap,
                    breakable: true,
                });
            }
            let li = self.add_node(StructKind::LI, Some(node));
            let lbl = self.add_node(StructKind::Lbl, Some(li));
            let body = self.add_node(StructKind::LBody, Some(li));
            let saved = self.enter(Some(body), one_paragraph(&item.blocks));
            let start = out.len();
            self.blocks_after(&item.blocks, &inner, Prev::Start, out);
            self.leave(saved);
            if !out[start..].iter().any(|e| matches!(e, Elem::Slab(_))) {
                out.push(Elem::Slab(Slab::new(ctx.leading, Role::Other, item.span)));
            }
            claim(out, start, body);
            let (label, face) = &labels[i];
            let width = self.fonts.width(label, *face, ctx.size);
            let x = inner.left - ctx.size * MARKER_GAP - width;
            if let Some(Elem::Slab(first)) =
                out[start..].iter_mut().find(|e| matches!(e, Elem::Slab(_)))
            {
                let baseline = first_baseline(first).unwrap_or(first.height);
                let runs = self.fonts.run(label, *face, ctx.size, x, baseline, 0.0);
                // The label first, as it is read.
                let label = std::iter::once(Piece::Node(Owner::Node(lbl)))
                    .chain(runs.into_iter().map(|r| Piece::Item(Item::Text(r))))
                    .chain(std::iter::once(Piece::Node(Owner::Slab)));
                first.pieces.splice(0..0, label);
            }
        }
        self.leave(outer);
    }

    /// How list `list` at nesting `depth` numbers its items, as
    /// [`Composer::list_label`] draws them.
    fn numbering(&self, list: &List, depth: usize) -> Numbering {
        if list.items.iter().all(|i| i.task.is_some()) {
            Numbering::None
        } else if list.start.is_some() {
            Numbering::Decimal
        } else {
            match depth % 3 {
                0 => Numbering::Disc,
                1 => Numbering::Circle,
                _ => Numbering::Square,
            }
        }
    }

    /// The marker of list item `i`: a number, a bullet by depth, or a box.
    fn list_label(
        &self,
        list: &List,
        i: usize,
        task: Option<bool>,
        depth: usize,
    ) -> (String, Face) {
        if let Some(done) = task {
            let (boxed, plain) = if done { ('☑', "[x]") } else { ('☐', "[ ]") };
            return if self.coverage.has(boxed) {
                (boxed.to_string(), Face::Regular)
            } else {
                (plain.to_string(), Face::Mono)
            };
        }
        if let Some(start) = list.start {
            return (
                format!("{}.", start.saturating_add(i as u64)),
                Face::Regular,
            );
        }
        let candidates: &[char] = match depth % 3 {
            0 => &['•'],
            1 => &['◦', '–'],
            _ => &['▪', '–'],
        };
        let bullet = candidates
            .iter()
            .copied()
            .find(|c| self.coverage.has(*c))
            .map(String::from)
            .unwrap_or_else(|| "-".to_string());
        (bullet, Face::Regular)
    }

    /// A term and its details: an LI of the open L, labelled by the term,
    /// the details its body.
    fn definition(&mut self, def: &Definition, ctx: &Ctx, out: &mut Vec<Elem>) {
        let li = self.group(StructKind::LI);
        let term = self.add_node(StructKind::Lbl, Some(li));
        let body = self.add_node(StructKind::LBody, Some(li));
        let outer = self.enter(Some(li), false);
        self.place.block = Some(term);
        let mut pb = ParBuilder::default();
        let st = InlineStyle {
            bold: true,
            ..self.base_style(ctx).0
        };
        self.inlines(&mut pb, &def.term, InlineStyleArg(st));
        let mut slabs = self.set(&pb, ctx, Pt::ZERO, Alignment::Left, false, def.span);
        claim_slabs(&mut slabs, term);
        // The term keeps with the first lines of its details.
        for slab in slabs {
            out.push(Elem::Slab(slab));
        }
        let inner = Ctx {
            left: ctx.left + ctx.size * DEFINITION_INDENT,
            top: false,
            ..*ctx
        };
        let single = def.details.len() == 1 && one_paragraph(&def.details[0]);
        self.enter(Some(body), single);
        let start = out.len();
        for (i, blocks) in def.details.iter().enumerate() {
            // Each further detail starts afresh: flush, after a break.
            let prev = if i == 0 {
                Prev::Heading
            } else {
                out.push(Elem::brk());
                Prev::Start
            };
            self.blocks_after(blocks, &inner, prev, out);
        }
        claim(out, start, body);
        self.leave(outer);
    }

    /// Code: the mono face, smaller, never justified, wrapped at the
    /// measure (continuations indented), on a light grey ground.
    fn code(&mut self, text: &str, span: Span, ctx: &Ctx, out: &mut Vec<Elem>) {
        let size = ctx.size * CODE_SCALE;
        let leading = ctx.leading * CODE_SCALE;
        let pad = ctx.size * CODE_INSET;
        let width = self.measure(ctx);
        let char_width = self.fonts.width("0", Face::Mono, size);
        let columns = if char_width.0 > EPS {
            (((width - pad * 2.0) / char_width) + EPS).floor().max(8.0) as usize
        } else {
            80
        };
        let mut rows: Vec<String> = Vec::new();
        for line in text.trim_end_matches('\n').split('\n') {
            wrap_code_line(
                &expand_tabs(line.trim_end_matches('\r')),
                columns,
                &mut rows,
            );
        }
        let par = self.new_par_id();
        let count = rows.len();
        let pad_v = ctx.leading * CODE_PAD;
        let background = |y: Pt, h: Pt| {
            Piece::Item(Item::Rect(Rect {
                x: ctx.left,
                y,
                width,
                height: h,
                gray: CODE_BACKGROUND,
            }))
        };
        let descent = size * self.fonts.metrics(Face::Mono).descender;
        let mut top = Slab::new(pad_v, Role::Other, span);
        top.pieces.push(background(descent, pad_v));
        out.push(Elem::Slab(top));
        let mut slabs = Vec::new();
        for (index, row) in rows.iter().enumerate() {
            let mut slab = Slab::new(
                leading,
                Role::Line {
                    par,
                    index,
                    count,
                    hyphenated: false,
                },
                span,
            );
            // The grey of each line reaches down past its descenders so
            // that the next line's ground does not cover them.
            slab.pieces.push(background(descent, leading));
            if !row.is_empty() {
                let runs = self
                    .fonts
                    .run(row, Face::Mono, size, ctx.left + pad, leading, 0.0);
                slab.pieces
                    .extend(runs.into_iter().map(|r| Piece::Item(Item::Text(r))));
            }
            slabs.push(slab);
        }
        self.warn_missing_glyphs(Some(span));
        self.push_lines(slabs, ctx, out);
        let mut bottom = Slab::new(pad_v, Role::Other, span);
        bottom.pieces.push(background(descent, pad_v));
        out.push(Elem::Slab(bottom));
    }

    /// A figure: its body (an image scaled into the measure and the page,
    /// or other blocks as they are), then its caption.
    fn figure(&mut self, fig: &Figure, span: Span, ctx: &Ctx, out: &mut Vec<Elem>) {
        if let [Block {
            kind: BlockKind::Image(img),
            span: img_span,
        }] = fig.body.as_slice()
        {
            self.block_image(img, &fig.caption, *img_span, ctx, out);
            return;
        }
        // Blocks shown as a figure (a table, code) keep their own
        // structure; with the caption they make a group.
        let div = self.group(StructKind::Div);
        let saved = self.enter(Some(div), false);
        self.blocks_after(&fig.body, ctx, Prev::Start, out);
        for slab in self.caption(&fig.caption, ctx, span) {
            out.push(Elem::Slab(slab));
        }
        self.leave(saved);
    }

    /// A caption: smaller, in the other face, centred; a Caption node
    /// under the current container.
    fn caption(&mut self, caption: &[Inline], ctx: &Ctx, span: Span) -> Vec<Slab> {
        if caption.is_empty() {
            return Vec::new();
        }
        let small = Ctx {
            size: ctx.size * SMALL_SCALE,
            ..*ctx
        };
        let saved = self.place;
        let node = self.leaf(StructKind::Caption);
        let mut pb = ParBuilder::default();
        let st = InlineStyle {
            italic: !ctx.italic,
            ..self.base_style(&small).0
        };
        self.inlines(&mut pb, caption, InlineStyleArg(st));
        self.place = saved;
        if pb.items.is_empty() {
            return Vec::new();
        }
        let mut slabs = self.set(&pb, &small, Pt::ZERO, Alignment::Center, false, span);
        claim_slabs(&mut slabs, node);
        slabs
    }

    /// A picture standing as a block, with its caption: scaled into the
    /// measure and, with the caption, into the text block. An image that
    /// cannot be placed is replaced by its alt text (unless the caption
    /// already says it), as in the EPUB.
    fn block_image(
        &mut self,
        img: &Image,
        caption: &[Inline],
        span: Span,
        ctx: &Ctx,
        out: &mut Vec<Elem>,
    ) {
        let size = img
            .path
            .as_ref()
            .and_then(|path| match image::dimensions(path) {
                Ok(d) => Some((path.clone(), d)),
                Err(e) => {
                    self.warn_image(path, &e, span);
                    None
                }
            });
        // A Figure with the image's alt text (the image stays decoration,
        // an artifact, without one); with its caption, a group.
        let group = (!caption.is_empty()).then(|| {
            let div = self.group(StructKind::Div);
            self.enter(Some(div), false)
        });
        let figure = self.leaf(StructKind::Figure);
        self.structure_mut(figure).alt = Some(collapse_ws(&img.alt));
        let first = out.len();
        // The caption is set first: the image leaves room for all its lines.
        let caption_slabs = self.caption(caption, ctx, span);
        let caption_text = collapse_ws(&plain_text(caption));
        self.block_image_slabs(img, size, (caption_slabs, &caption_text), span, ctx, out);
        claim(out, first, figure);
        if let Some(saved) = group {
            self.leave(saved);
        }
    }

    /// The slabs of [`Composer::block_image`]: the image (or its alt text
    /// when it cannot be placed), then the caption's.
    fn block_image_slabs(
        &mut self,
        img: &Image,
        size: Option<(PathBuf, (u32, u32))>,
        (caption_slabs, caption_text): (Vec<Slab>, &str),
        span: Span,
        ctx: &Ctx,
        out: &mut Vec<Elem>,
    ) {
        let measure = self.measure(ctx);
        let Some((path, (wpx, hpx))) = size else {
            let label = img.stand_in();
            if !label.is_empty() && caption_text != label {
                let mut pb = ParBuilder::default();
                let style = TextStyle {
                    face: if ctx.italic {
                        Face::Regular
                    } else {
                        Face::Italic
                    },
                    ..self.plain_style(ctx)
                };
                pb.aside(&label, style, Marking::default(), span);
                let slabs = self.set(&pb, ctx, Pt::ZERO, Alignment::Center, false, span);
                out.extend(slabs.into_iter().map(Elem::Slab));
            }
            out.extend(caption_slabs.into_iter().map(Elem::Slab));
            return;
        };
        let (natural_w, natural_h) = natural_size(img, wpx, hpx);
        // The image's top sits just under the descenders of the line
        // above (and inside the text block at the top of a page); a
        // caption follows after half a line.
        let top = (ctx.size * FIGURE_TOP).max(self.geo.leading - self.geo.topskip);
        let below = if caption_slabs.is_empty() {
            Pt::ZERO
        } else {
            ctx.leading * CAPTION_GAP
        };
        // Image and caption fit in the text block's height: a tall image
        // is scaled down (keeping its proportions) to the room its caption
        // leaves, though never below a line's height.
        let caption_h: Pt = caption_slabs.iter().map(|s| s.height).sum();
        let max_h =
            (self.geo.capacity() - top - below - caption_h).max(ctx.leading * MIN_IMAGE_LINES);
        let scale = 1f64.min(measure / natural_w).min(max_h / natural_h);
        let (w, h) = (natural_w * scale, natural_h * scale);
        let x = match ctx.align {
            Some(Alignment::Left) => ctx.left,
            Some(Alignment::Right) => ctx.left + measure - w,
            _ => ctx.left + (measure - w) / 2.0,
        };
        let mut slab = Slab::new(top + h + below, Role::Other, span);
        slab.pieces.push(Piece::Item(Item::Image(PlacedImage {
            path,
            x,
            y: top,
            width: w,
            height: h,
            alt: img.alt.clone(),
        })));
        out.push(Elem::Slab(slab));
        // A figure never breaks: image and caption stay together.
        out.extend(caption_slabs.into_iter().map(Elem::Slab));
    }

    /// Records ids of anchors and spans in `inlines` as destinations at
    /// the first slab pushed since `first`.
    fn anchor_inline_ids(&mut self, inlines: &[Inline], first: usize, out: &mut [Elem]) {
        let mut ids = Vec::new();
        crate::model::walk_inlines(inlines, &mut |i| match &i.kind {
            InlineKind::Anchor(id) => ids.push(id.clone()),
            InlineKind::Span { attrs, .. } => ids.extend(attrs.id.clone()),
            _ => {}
        });
        for id in ids {
            self.anchor_at(&id, first, out);
        }
    }

    /// Makes `id` a destination at the top of the first slab from `first`.
    fn anchor_at(&mut self, id: &str, first: usize, out: &mut [Elem]) {
        if let Some(Elem::Slab(slab)) = out
            .get_mut(first..)
            .and_then(|rest| rest.iter_mut().find(|e| matches!(e, Elem::Slab(_))))
        {
            slab.anchors.push((id.to_string(), Pt::ZERO));
        }
    }

    fn warn_image(&mut self, path: &Path, error: &str, span: Span) {
        let mut d = Diagnostic::warning(format!(
            "image {} cannot be placed in the PDF: {error}",
            path.display()
        ))
        .with_hint("use a PNG or JPEG file");
        if let Some(loc) = locate(self.book, span) {
            d = d.at(loc);
        }
        // A table cell is set twice (measured, then placed): warn once.
        if !self.warnings.contains(&d) {
            self.warnings.push(d);
        }
    }
}

/// The letter of web-address note `k` of a chapter: a, b… z, aa, ab…
fn note_letter(k: usize) -> String {
    let mut n = k;
    let mut out = Vec::new();
    loop {
        out.push(char::from(b'a' + (n % 26) as u8));
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    out.iter().rev().collect()
}

/// A web address as a reader would type it: `mailto:` goes.
fn shown_address(uri: &str) -> String {
    let shown = uri.strip_prefix("mailto:").unwrap_or(uri);
    // Percent-encoding was for the machine: the printed address reads as
    // the author wrote it.
    let bytes = shown.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) if b > b' ' => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| shown.to_string())
}

/// Whether a link's text already shows its address (an autolink, or
/// `[example.org](https://example.org/)`), so printing it again is noise.
fn shows_address(content: &[Inline], shown: &str) -> bool {
    let text = collapse_ws(&plain_text(content));
    let bare = |s: &str| {
        s.trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_start_matches("www.")
            .trim_end_matches('/')
            .to_ascii_lowercase()
    };
    !text.is_empty() && bare(&text) == bare(shown)
}

/// An image's size in points: the author's `width`/`height` (CSS pixels)
/// when given, else its pixels at [`IMAGE_PX_PER_PT`]; proportions kept
/// when only one is given.
fn natural_size(img: &Image, wpx: u32, hpx: u32) -> (Pt, Pt) {
    let (wpx, hpx) = (f64::from(wpx.max(1)), f64::from(hpx.max(1)));
    let (w, h) = match (img.width, img.height) {
        (Some(w), Some(h)) => (f64::from(w), f64::from(h)),
        (Some(w), None) => (f64::from(w), f64::from(w) * hpx / wpx),
        (None, Some(h)) => (f64::from(h) * wpx / hpx, f64::from(h)),
        (None, None) => (wpx, hpx),
    };
    (Pt(w / IMAGE_PX_PER_PT), Pt(h / IMAGE_PX_PER_PT))
}

/// Newtype so helper signatures stay short.
#[derive(Debug, Clone, Copy)]
struct InlineStyleArg(InlineStyle);

/// Sizes and spacing of headings by level.
#[derive(Debug, Clone, Copy, PartialEq)]
struct HeadSpec {
    face: Face,
    /// Size relative to the context size.
    scale: f64,
    /// Line height relative to the heading size.
    line: f64,
    /// Space above in leadings.
    above: f64,
    /// Minimum space below in leadings (rounded up to the grid).
    below: f64,
}

impl HeadSpec {
    /// A level-1 heading in the flow of a chapter (not the one opening it):
    /// smaller than a chapter title, with room above.
    const IN_FLOW_CHAPTER: HeadSpec = HeadSpec {
        face: Face::Regular,
        scale: 1.6,
        line: 1.15,
        above: 2.0,
        below: 1.0,
    };

    fn of(level: u8) -> HeadSpec {
        match level {
            1 => HeadSpec {
                face: Face::Regular,
                scale: 2.0,
                line: 1.15,
                // Chapter titles sit below the sink instead.
                above: 0.0,
                below: 2.0,
            },
            2 => HeadSpec {
                face: Face::Bold,
                scale: 1.3,
                line: 1.2,
                above: 1.0,
                below: 0.5,
            },
            3 => HeadSpec {
                face: Face::Bold,
                scale: 1.1,
                line: 1.2,
                above: 1.0,
                below: 0.4,
            },
            _ => HeadSpec {
                face: Face::BoldItalic,
                scale: 1.0,
                line: 1.0,
                above: 1.0,
                below: 0.0,
            },
        }
    }
}

/// The smallest multiple of `unit` not below `x`.
pub(crate) fn ceil_to(x: Pt, unit: Pt) -> Pt {
    if unit.0 <= EPS {
        return x;
    }
    unit * ((x / unit) - EPS).ceil().max(0.0)
}

/// Stretches of one link closer than this (in pt) are one area.
const LINK_JOIN: f64 = 0.01;

/// Pushes a run of a line onto a slab, moved to the line's place.
fn push_run(pieces: &mut Vec<Piece>, run: TextRun, x: Pt, height: Pt) {
    let mut item = Item::Text(run);
    crate::typeset::flow::shift_item(&mut item, x, height);
    pieces.push(Piece::Item(item));
}

/// Cuts `run` where the owner of its glyphs (`owners`, one per glyph)
/// changes: each part with its own text, glyphs and offsets.
fn split_run(run: TextRun, owners: &[Owner]) -> Vec<(Owner, TextRun)> {
    let Some(&first) = owners.first() else {
        return vec![(Owner::Slab, run)];
    };
    if owners.iter().all(|&o| o == first) {
        return vec![(first, run)];
    }
    let mut parts: Vec<(Owner, TextRun)> = Vec::new();
    for (i, (glyph, &owner)) in run.glyphs.iter().zip(owners).enumerate() {
        if parts.last().is_none_or(|(o, _)| *o != owner) {
            let part = TextRun {
                font: run.font,
                size: run.size,
                baseline: run.baseline,
                gray: run.gray,
                text: String::new(),
                glyphs: Vec::new(),
                offsets: Vec::new(),
                h_scale: run.h_scale,
            };
            parts.push((owner, part));
        }
        let Some((_, part)) = parts.last_mut() else {
            continue;
        };
        let mut g = *glyph;
        g.text_start = part.text.len() as u32;
        part.text.push_str(run.glyph_text(glyph));
        g.text_len = (part.text.len() as u32 - g.text_start) as u16;
        let offset = run.y_offset(i);
        if offset != Pt::ZERO {
            part.offsets.push((part.glyphs.len() as u32, offset));
        }
        part.glyphs.push(g);
    }
    parts
}

/// Baseline of the first text run in a slab, if any.
fn first_baseline(slab: &Slab) -> Option<Pt> {
    slab.pieces.iter().find_map(|p| match p {
        Piece::Item(Item::Text(run)) => Some(run.baseline),
        _ => None,
    })
}

fn line_span(line: &Line, fallback: Span) -> Span {
    if line.span == Span::default() {
        fallback
    } else {
        line.span
    }
}

/// The first place of `c` inside `span` in the book's sources; `span`
/// itself when it is not there (or the file is not a chapter's).
fn char_span(book: &Book, span: Span, c: char) -> Span {
    if !book.chapters.iter().any(|ch| ch.span.file == span.file) {
        return span;
    }
    let text = &book.sources.get(span.file).text;
    let start = span.start as usize;
    text.get(start..(span.end as usize).min(text.len()))
        .and_then(|t| t.find(c))
        .map_or(span, |at| Span {
            file: span.file,
            start: (start + at) as u32,
            end: (start + at + c.len_utf8()) as u32,
        })
}

/// `file:line:col` of a span when the book knows the file (a chapter's
/// own span names every file the loader put in the source map).
pub(crate) fn locate(book: &Book, span: Span) -> Option<crate::diag::Location> {
    if !book.chapters.iter().any(|c| c.span.file == span.file) {
        return None;
    }
    Some(book.sources.locate(span))
}

/// Collapses white space runs to single spaces and trims.
pub(crate) fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn normalize(s: &str) -> String {
    collapse_ws(s)
}

/// Expands tabs to the next multiple of four columns.
fn expand_tabs(line: &str) -> String {
    const TAB: usize = 4;
    let mut out = String::new();
    let mut col = 0;
    for c in line.chars() {
        if c == '\t' {
            let n = TAB - col % TAB;
            out.extend(std::iter::repeat_n(' ', n));
            col += n;
        } else {
            out.push(c);
            col += 1;
        }
    }
    out
}

/// Wraps one code line at `columns`, at the last space when there is one
/// in the second half of the line, else hard; continuation lines are
/// indented two columns past the line's own indentation.
fn wrap_code_line(line: &str, columns: usize, rows: &mut Vec<String>) {
    let chars: Vec<char> = line.chars().collect();
    let indent = chars.iter().take_while(|c| **c == ' ').count();
    let cont_indent = (indent + 2).min(columns / 2);
    let mut start = 0;
    let mut first = true;
    while start < chars.len() || first {
        let prefix = if first { 0 } else { cont_indent };
        let room = columns.saturating_sub(prefix).max(1);
        let rest = chars.len() - start;
        if rest <= room {
            let mut row: String = " ".repeat(prefix);
            row.extend(&chars[start..]);
            rows.push(row);
            break;
        }
        let window = &chars[start..start + room];
        let cut = window
            .iter()
            .rposition(|c| *c == ' ')
            .filter(|&p| p >= room / 2 && p > 0)
            .map(|p| p + 1)
            .unwrap_or(room);
        let mut row: String = " ".repeat(prefix);
        row.extend(&chars[start..start + cut]);
        rows.push(row.trim_end().to_string());
        start += cut;
        // Skip the spaces the break consumed.
        while start < chars.len() && chars[start] == ' ' {
            start += 1;
        }
        first = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_lines_wrap_at_spaces_and_indent_continuations() {
        let mut rows = Vec::new();
        wrap_code_line("  let value = compute(alpha, beta);", 20, &mut rows);
        assert!(rows.iter().all(|r| r.chars().count() <= 20), "{rows:?}");
        assert_eq!(rows[0], "  let value =");
        assert!(rows[1].starts_with("    "));
        let mut rows = Vec::new();
        wrap_code_line(&"x".repeat(45), 20, &mut rows);
        assert_eq!(rows.len(), 3);
        assert!(rows.iter().all(|r| r.chars().count() <= 20));
        let mut rows = Vec::new();
        wrap_code_line("", 20, &mut rows);
        assert_eq!(rows, vec![String::new()]);
    }

    #[test]
    fn tabs_expand_to_four_columns() {
        assert_eq!(expand_tabs("a\tb"), "a   b");
        assert_eq!(expand_tabs("\tx"), "    x");
    }

    #[test]
    fn ceil_to_grid() {
        assert_eq!(ceil_to(Pt(13.0), Pt(13.0)), Pt(13.0));
        assert_eq!(ceil_to(Pt(13.5), Pt(13.0)), Pt(26.0));
        assert_eq!(ceil_to(Pt(0.0), Pt(13.0)), Pt(0.0));
    }
}
