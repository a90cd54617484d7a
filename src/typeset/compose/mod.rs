//! Composition: model blocks → the vertical [`Flow`] of one chapter.
//!
//! Sits between the paragraph engine (which breaks one paragraph into
//! lines) and [`paginate`](super::paginate) (which cuts the flow into
//! pages). This module decides the book's look: sizes and faces of
//! headings, indents, the space between blocks, where page breaks are
//! allowed (widow/orphan control, headings kept with what follows), and
//! how lists, quotes, code, figures and notes are set. Tables live in
//! [`table`](super::table).
//!
//! Here: the composer, its state and a chapter's and a note's setting;
//! [`blocks`] sets each kind of block, [`inline`] turns inlines into
//! paragraph items, [`lines`] places broken lines as slabs, and
//! [`structure`] records the structure nodes the PDF is tagged from.
//!
//! Direction: every container knows whether it runs right to left
//! ([`Ctx::rtl`], from a `dir` attribute or its language, the book's by
//! default). In a right-to-left container the indents are mirrored:
//! block quotes and definitions are indented more on the right, list
//! markers hang in the right margin of their items. Lines themselves are
//! ordered and aligned by the paragraph engine.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Span};
use crate::fonts::MissingGlyphs;
use crate::model::{
    plain_text, Align, Block, BlockKind, Book, Definition, Direction, Figure, Heading, Image,
    Inline, InlineKind, LinkTarget, List,
};
use crate::source::image;
use crate::typeset::code::CodeBlockRef;
use crate::typeset::flow::{
    BlockId, Elem, Flow, FlowStructure, Geometry, Issue, IssueKind, LinkRef, Owner, Piece, Role,
    Slab, EPS,
};
use crate::typeset::fonts::{Face, Fonts};
use crate::typeset::frame::{Item, Numbering, PlacedImage, Rect, StructKind, StructNode, TextRun};
use crate::typeset::paragraph::{
    layout_paragraph, Alignment, Line, LineIssueKind, ParItem, ParOptions, ParTuning,
    ParagraphLayout, Pieces, TextStyle,
};
use crate::units::Pt;

mod blocks;
mod inline;
mod lines;
mod structure;

use inline::*;
use lines::*;
pub(crate) use structure::*;

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
    /// An inline formula: its items drawn from the object's left edge
    /// on the baseline.
    Math(Box<crate::typeset::math::MathBox>),
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
    /// the running text). Note numbers, image alt text and HTML are not.
    segments: Vec<(usize, usize, usize)>,
    /// Length of the running text so far (the running pieces joined).
    running_len: usize,
    /// Offsets in the running text where words begin, noted as the text
    /// comes rather than kept whole: a 10 MB paragraph's text would be a
    /// third copy of it.
    word_starts: Vec<u32>,
    /// The running text so far ends inside a word.
    in_word: bool,
    /// The items so far may need the bidi algorithm (see
    /// [`ParBuilder::has_bidi`]); kept as they are pushed, since a long
    /// paragraph asks after every note reference.
    bidi: bool,
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

    /// An object that stands for running text (an inline formula, whose
    /// TeX source is in the model's running text): page-break word counts
    /// see `running` at its place.
    pub fn running_object(
        &mut self,
        width: Pt,
        object: Mark,
        style: TextStyle,
        mark: Marking,
        span: Span,
        running: &str,
    ) {
        let at = self.joined;
        self.object(width, object, style, mark, span);
        self.segments.push((at, self.joined, self.running_len));
        self.push_running(running);
    }

    /// The language of the text that follows (`None`: the paragraph's).
    pub fn language(&mut self, lang: Option<String>) {
        self.items.push(ParItem::Language(lang));
    }

    /// Text that follows, up to [`ParBuilder::end_isolate`], runs in
    /// direction `rtl` (`None`: its first strong character's).
    pub fn isolate(&mut self, rtl: Option<bool>) {
        let item = ParItem::Isolate(rtl);
        self.joined += crate::typeset::paragraph::joined_len(&item);
        self.items.push(item);
        self.bidi = true;
    }

    /// Whether the paragraph so far may need the bidi algorithm: it has
    /// right-to-left text or text isolated in a direction of its own.
    pub fn has_bidi(&self) -> bool {
        self.bidi
    }

    /// Ends the text [`ParBuilder::isolate`] began.
    pub fn end_isolate(&mut self) {
        let item = ParItem::EndIsolate;
        self.joined += crate::typeset::paragraph::joined_len(&item);
        self.items.push(item);
    }

    /// A forced line break; a space as far as words are concerned.
    pub fn line_break(&mut self) {
        self.items.push(ParItem::LineBreak);
        self.segments
            .push((self.joined, self.joined + 1, self.running_len));
        self.joined += 1;
        self.push_running(" ");
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
        self.bidi = self.bidi || crate::typeset::bidi::may_need_bidi(text);
        self.items.push(ParItem::Text {
            text: text.to_string(),
            style,
            link,
            span,
        });
        if running {
            self.segments
                .push((self.joined, self.joined + text.len(), self.running_len));
            self.push_running(text);
        }
        self.joined += text.len();
    }

    /// Appends `text` to the running text, noting where its words begin.
    fn push_running(&mut self, text: &str) {
        for (i, c) in text.char_indices() {
            let space = c.is_whitespace();
            if !space && !self.in_word {
                let at = self.running_len + i;
                self.word_starts.push(u32::try_from(at).unwrap_or(u32::MAX));
            }
            self.in_word = !space;
        }
        self.running_len += text.len();
    }

    /// How many running-text words begin before byte `at` of the joined
    /// text.
    fn words_before(&self, at: usize) -> usize {
        let idx = self.segments.partition_point(|&(start, _, _)| start <= at);
        let running_at = match idx.checked_sub(1).map(|i| self.segments[i]) {
            Some((start, end, run)) => run + at.min(end) - start,
            None => 0,
        };
        self.word_starts
            .partition_point(|&s| (s as usize) < running_at)
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
    /// The paragraph runs right to left: note references are isolated
    /// from the text around them (see [`Composer::note_ref`]).
    rtl: bool,
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
    /// The direction an element's `dir` gives the paragraphs inside
    /// (`Some(true)`: right to left); `None`: each finds its own (see
    /// [`ParOptions::rtl`]).
    pub dir: Option<bool>,
    /// The container runs right to left: indents and list markers are
    /// mirrored.
    pub rtl: bool,
    /// The language of the text inside: an index into
    /// [`Composer::languages`] (0: the book's).
    pub lang: u16,
}

/// What the previous block of a container was, for indents and spacing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prev {
    Start,
    Paragraph,
    Heading,
    Break,
    /// A displayed formula, which has its space below it already, and
    /// after which the text goes on without an indent (as after TeX's `$$`).
    Display,
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
    /// Languages of containers ([`Ctx::lang`]), the book's first.
    languages: Vec<String>,
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
#[derive(Clone)]
pub(crate) struct ComposedChapter {
    pub flow: Flow,
    pub facts: ChapterFacts,
}

/// What composing a chapter noticed besides its flow.
#[derive(Clone)]
pub(crate) struct ChapterFacts {
    /// How many paragraph ids the chapter used.
    pars: usize,
    warnings: Vec<Diagnostic>,
    long_words: Vec<((u32, u32, u32), usize)>,
    /// The characters of the chapter no font has.
    missing_glyphs: MissingGlyphs,
}

/// Shifts the paragraph numbers of a chapter's flow by `base` (see
/// [`Composer::adopt`]).
pub(crate) fn renumber_flow(flow: &mut Flow, base: usize) {
    renumber(
        flow.elems
            .iter_mut()
            .filter_map(|e| match e {
                Elem::Slab(slab) => Some(&mut **slab),
                _ => None,
            })
            .chain(flow.notes.iter_mut().flatten())
            .chain(flow.table_heads.iter_mut()),
        base as isize,
    );
}

/// Adds `by` to the paragraph number of every line of `slabs`.
pub(crate) fn renumber<'s>(slabs: impl Iterator<Item = &'s mut Slab>, by: isize) {
    if by == 0 {
        return;
    }
    for slab in slabs {
        if let Role::Line { par, .. } = &mut slab.role {
            *par = par.wrapping_add_signed(by);
        }
    }
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
            languages: vec![book.meta.language.clone()],
        }
    }

    /// The [`Ctx::lang`] of BCP 47 tag `tag`.
    fn language_index(&mut self, tag: &str) -> u16 {
        match self.languages.iter().position(|l| l == tag) {
            Some(i) => i as u16,
            None => {
                self.languages.push(tag.to_string());
                (self.languages.len() - 1) as u16
            }
        }
    }

    /// The language of the text in `ctx`.
    pub(crate) fn language(&self, ctx: &Ctx) -> &str {
        self.languages
            .get(usize::from(ctx.lang))
            .unwrap_or(&self.book.meta.language)
    }

    /// The paragraph settings of `ctx` for lines of `measure`.
    pub(crate) fn par_options(
        &self,
        ctx: &Ctx,
        measure: Pt,
        align: Alignment,
        hyphenate: bool,
    ) -> ParOptions {
        ParOptions {
            measure,
            first_indent: Pt::ZERO,
            align,
            hyphenate,
            language: self.language(ctx).to_string(),
            rtl: ctx.dir,
            protrusion: false,
            expansion: 0.0,
        }
    }

    /// A composer for another thread: the same fonts (with a cache of its
    /// own), geometry and book, nothing composed yet.
    pub fn fork(&self) -> Composer<'a> {
        Composer::new(self.fonts.fork(), self.geo, self.book)
    }

    /// Composes chapter `index` independently of the chapters before it
    /// (the only state carried from chapter to chapter is paragraph
    /// numbering and which long words and missing glyphs were warned
    /// about; [`Composer::adopt`] settles both), so chapters can be
    /// composed on several threads, or taken from an earlier run.
    pub fn compose_alone(&mut self, index: usize) -> ComposedChapter {
        let next_par = std::mem::replace(&mut self.next_par, 0);
        let warnings = std::mem::take(&mut self.warnings);
        let warned = std::mem::take(&mut self.warned);
        let long_words = std::mem::take(&mut self.long_words);
        let missing_glyphs = std::mem::take(&mut self.fonts.missing_glyphs);
        let flow = self.chapter(index);
        self.warned = warned;
        ComposedChapter {
            flow,
            facts: ChapterFacts {
                pars: std::mem::replace(&mut self.next_par, next_par),
                warnings: std::mem::replace(&mut self.warnings, warnings),
                long_words: std::mem::replace(&mut self.long_words, long_words),
                missing_glyphs: std::mem::replace(&mut self.fonts.missing_glyphs, missing_glyphs),
            },
        }
    }

    /// Takes in a chapter from [`Composer::compose_alone`] (in book order):
    /// its paragraphs are numbered after those composed before, and a
    /// long word warned about before is not warned about again. The result
    /// is what [`Composer::chapter`] would have given.
    pub fn adopt(&mut self, c: ComposedChapter) -> Flow {
        let mut flow = c.flow;
        let base = self.adopt_facts(c.facts);
        renumber_flow(&mut flow, base);
        flow
    }

    /// [`Composer::adopt`] but for the flow (paginated before): returns
    /// the number the chapter's paragraph numbers are to be shifted by.
    pub fn adopt_facts(&mut self, facts: ChapterFacts) -> usize {
        let base = self.next_par;
        self.next_par += facts.pars;
        self.fonts.missing_glyphs.merge(facts.missing_glyphs);
        // `long_words` is in the order of `warnings`.
        let mut long_words = facts.long_words.iter().peekable();
        for (i, w) in facts.warnings.into_iter().enumerate() {
            if let Some(&(key, _)) = long_words.next_if(|(_, at)| *at == i) {
                if !self.warned.insert(key) {
                    continue;
                }
                self.long_words.push((key, self.warnings.len()));
            }
            self.warnings.push(w);
        }
        base
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
            dir: None,
            rtl: crate::typeset::bidi::language_is_rtl(&self.book.meta.language),
            lang: 0,
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

    /// How many paragraph ids were handed out so far.
    pub fn paragraphs(&self) -> usize {
        self.next_par
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
                    out.push(Elem::slab(Slab::new(sink, Role::Other, chapter.span)));
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
                Elem::Slab(s) => Some(*s),
                Elem::Space { height, .. } if height.0 > EPS => Some(Slab::space(height)),
                _ => None,
            })
            .collect();
        if let Some(first) = slabs.first_mut() {
            let y = (first.height - ctx.size).max(Pt::ZERO);
            first.more_mut().anchors.push((id.to_string(), y));
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
            rtl: ctx.rtl || ctx.dir == Some(true),
        })
    }

    fn plain_style(&self, ctx: &Ctx) -> TextStyle {
        self.base_style(ctx).0.text_style()
    }
}

/// Newtype so helper signatures stay short.
#[derive(Debug, Clone, Copy)]
struct InlineStyleArg(InlineStyle);

/// The smallest multiple of `unit` not below `x`.
pub(crate) fn ceil_to(x: Pt, unit: Pt) -> Pt {
    if unit.0 <= EPS {
        return x;
    }
    unit * ((x / unit) - EPS).ceil().max(0.0)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceil_to_grid() {
        assert_eq!(ceil_to(Pt(13.0), Pt(13.0)), Pt(13.0));
        assert_eq!(ceil_to(Pt(13.5), Pt(13.0)), Pt(26.0));
        assert_eq!(ceil_to(Pt(0.0), Pt(13.0)), Pt(0.0));
    }
}
