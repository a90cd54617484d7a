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
//! Direction: every container knows whether it runs right to left
//! ([`Ctx::rtl`], from a `dir` attribute or its language, the book's by
//! default). In a right-to-left container the indents are mirrored:
//! block quotes and definitions are indented more on the right, list
//! markers hang in the right margin of their items. Lines themselves are
//! ordered and aligned by the paragraph engine.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Span};
use crate::model::{
    plain_text, Align, Block, BlockKind, Book, Definition, Direction, Figure, Heading, Image,
    Inline, InlineKind, LinkTarget, List,
};
use crate::source::image;
use crate::typeset::flow::{
    Elem, Flow, Geometry, Issue, IssueKind, LinkRef, Piece, Role, Slab, EPS,
};
use crate::typeset::fonts::{Face, Fonts};
use crate::typeset::frame::{Item, PlacedImage, Rect};
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

/// What a line's x-range belongs to, beyond its glyphs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Mark {
    Link(LinkRef),
    Strike,
    Underline,
    /// Highlighted text (`<mark>`): a light ground behind it.
    Highlight,
    /// An inline image of this height, its bottom on the baseline.
    Image {
        path: PathBuf,
        height: Pt,
        alt: String,
    },
}

/// A paragraph being built: items for the paragraph engine plus the
/// marks its `link` indices point at.
#[derive(Debug, Clone, Default)]
pub(crate) struct ParBuilder {
    pub items: Vec<ParItem>,
    pub marks: Vec<Mark>,
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
    pub fn text(&mut self, text: &str, style: TextStyle, link: Option<usize>, span: Span) {
        self.push_text(text, style, link, span, true);
    }

    /// Text that is set but is not running text (note numbers, alt text),
    /// so it does not count when page breaks are located by word.
    pub fn aside(&mut self, text: &str, style: TextStyle, link: Option<usize>, span: Span) {
        self.push_text(text, style, link, span, false);
    }

    /// An inline object of `width` (see [`ParItem::Object`]); not running
    /// text.
    pub fn object(
        &mut self,
        width: Pt,
        mark: usize,
        style: TextStyle,
        link: Option<usize>,
        span: Span,
    ) {
        self.items.push(ParItem::Object {
            width,
            mark,
            style,
            link,
            span,
        });
        self.joined += '\u{FFFC}'.len_utf8();
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
            .push((self.joined, self.joined + 1, self.running.len()));
        self.joined += 1;
        self.running.push(' ');
    }

    fn push_text(
        &mut self,
        text: &str,
        style: TextStyle,
        link: Option<usize>,
        span: Span,
        running: bool,
    ) {
        if text.is_empty() {
            return;
        }
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
    link: Option<usize>,
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
    /// Languages of containers ([`Ctx::lang`]), the book's first.
    languages: Vec<String>,
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
        self.flow = Flow::default();

        // A reference inside a note does not place the note it names:
        // only a citation in the text does. What each note cites is kept
        // for notes cited from notes alone (see `attach_note_citations`).
        let mut cites: Vec<Vec<usize>> = Vec::with_capacity(chapter.footnotes.len());
        let notes: Vec<Vec<Slab>> = chapter
            .footnotes
            .iter()
            .map(|note| {
                let cited =
                    std::mem::replace(&mut self.cited, vec![false; chapter.footnotes.len()]);
                self.in_footnote = true;
                let slabs = self.footnote(note.number, &note.id, &note.blocks, note.span);
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
                let (slab, baselines) = self.chapter_head(title, &[], None, chapter.span);
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
            let slabs = self.url_note(&note_letter(k), url, chapter.span);
            self.flow.notes.push(slabs);
            cites.push(Vec::new());
        }
        self.warn_missing_glyphs(Some(chapter.span));
        self.flow.elems = out;
        attach_note_citations(&mut self.flow.notes, &self.cited, &cites);
        std::mem::take(&mut self.flow)
    }

    /// Sets a footnote's blocks as note-sized slabs, its number first.
    fn footnote(&mut self, number: usize, id: &str, blocks: &[Block], span: Span) -> Vec<Slab> {
        let ctx = self.note_ctx();
        let mut elems = Vec::new();
        let marker = number.to_string();
        match blocks.split_first() {
            Some((first, rest)) if matches!(first.kind, BlockKind::Paragraph(_)) => {
                if let BlockKind::Paragraph(inlines) = &first.kind {
                    let mut pb = ParBuilder::default();
                    self.note_number(&mut pb, &marker, &ctx, None, first.span);
                    pb.text(" ", self.plain_style(&ctx), None, first.span);
                    self.inlines(&mut pb, inlines, self.base_style(&ctx));
                    let slabs = self.set(&pb, &ctx, Pt::ZERO, Alignment::Justify, true, first.span);
                    self.push_lines(slabs, &ctx, &mut elems);
                }
                self.blocks_after(rest, &ctx, Prev::Paragraph, &mut elems);
            }
            _ => {
                let mut pb = ParBuilder::default();
                self.note_number(&mut pb, &marker, &ctx, None, span);
                let slabs = self.set(&pb, &ctx, Pt::ZERO, Alignment::Left, false, span);
                self.push_lines(slabs, &ctx, &mut elems);
                self.blocks_after(blocks, &ctx, Prev::Paragraph, &mut elems);
            }
        }
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
        slabs
    }

    /// A superscript note number.
    fn note_number(
        &mut self,
        pb: &mut ParBuilder,
        number: &str,
        ctx: &Ctx,
        link: Option<usize>,
        span: Span,
    ) {
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
        pb.text(number, style, link, span);
    }

    fn base_style(&self, ctx: &Ctx) -> InlineStyleArg {
        InlineStyleArg(InlineStyle {
            italic: ctx.italic,
            bold: false,
            mono: false,
            size: ctx.size,
            rise: Pt::ZERO,
            link: None,
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
                let mut pb = ParBuilder::default();
                self.inlines(&mut pb, inlines, self.base_style(ctx));
                if pb.items.is_empty() {
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
                Prev::Paragraph
            }
            BlockKind::Math(src) => {
                self.separate(ctx, prev, false, out);
                let mut pb = ParBuilder::default();
                let style = TextStyle {
                    face: Face::Italic,
                    ..self.plain_style(ctx)
                };
                pb.text(&collapse_ws(src), style, None, block.span);
                let slabs = self.set(&pb, ctx, Pt::ZERO, Alignment::Center, false, block.span);
                self.push_lines(slabs, ctx, out);
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
                let mut inner = *ctx;
                if let Some(lang) = &d.attrs.lang {
                    inner.lang = self.language_index(lang);
                    inner.rtl = crate::typeset::bidi::language_is_rtl(lang);
                }
                if let Some(dir) = d.attrs.dir {
                    inner.dir = Some(dir == Direction::Rtl);
                    inner.rtl = dir == Direction::Rtl;
                }
                // `align` names sides; the engine's Left and Right are a
                // line's start and end, flipped right to left.
                let (start, end) = if inner.rtl {
                    (Alignment::Right, Alignment::Left)
                } else {
                    (Alignment::Left, Alignment::Right)
                };
                inner.align = match d.attrs.align {
                    Some(Align::Center) => Some(Alignment::Center),
                    Some(Align::Right) => Some(end),
                    Some(Align::Left) => Some(start),
                    _ => ctx.align,
                };
                let first = out.len();
                self.blocks_after(&d.blocks, &inner, prev, out);
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
                let mut pb = ParBuilder::default();
                let st = InlineStyle {
                    bold: true,
                    ..self.base_style(ctx).0
                };
                self.inlines(&mut pb, &d.summary, InlineStyleArg(st));
                let mut after = Prev::Start;
                if !pb.items.is_empty() {
                    let slabs = self.set(&pb, ctx, Pt::ZERO, Alignment::Left, false, block.span);
                    // The summary keeps with what it sums up.
                    out.extend(slabs.into_iter().map(Elem::Slab));
                    after = Prev::Heading;
                }
                self.blocks_after(&d.blocks, ctx, after, out);
                Prev::Other
            }
            BlockKind::BlockQuote(blocks) => {
                self.separate(ctx, prev, false, out);
                // The deeper indent on the side lines start from.
                let (start, end) = (QUOTE_INDENT_LEFT, QUOTE_INDENT_RIGHT);
                let (left, right) = if ctx.rtl { (end, start) } else { (start, end) };
                let inner = Ctx {
                    left: ctx.left + ctx.size * left,
                    right: ctx.right + ctx.size * right,
                    size: ctx.size * QUOTE_SCALE,
                    top: false,
                    ..*ctx
                };
                self.blocks_after(blocks, &inner, Prev::Start, out);
                Prev::Other
            }
            BlockKind::List(list) => {
                self.separate(ctx, prev, false, out);
                self.list(list, ctx, out);
                Prev::Other
            }
            BlockKind::CodeBlock { text, .. } => {
                self.separate(ctx, prev, false, out);
                self.code(text, block.span, ctx, out);
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
                for (i, def) in defs.iter().enumerate() {
                    if i > 0 {
                        out.push(Elem::Space {
                            height: ctx.leading * DEFINITION_GAP,
                            breakable: true,
                        });
                    }
                    self.definition(def, ctx, out);
                }
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
            first_indent,
            protrusion: align == Alignment::Justify,
            expansion: self.geo.expansion,
            ..self.par_options(ctx, self.measure(ctx), align, hyphenate)
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
    /// line keeps no runs), and turns its link ranges into link areas or
    /// strike-through rules.
    pub(crate) fn line_pieces(
        &self,
        line: &mut Line,
        marks: &[Mark],
        x: Pt,
        height: Pt,
        size: Pt,
        slab: &mut Slab,
    ) {
        slab.pieces.reserve(line.runs.len() + line.links.len());
        for run in std::mem::take(&mut line.runs) {
            let mut item = Item::Text(run);
            crate::typeset::flow::shift_item(&mut item, x, height);
            slab.pieces.push(Piece::Item(item));
        }
        let ascent = line.ascent.max(size * LINK_ASCENT);
        let descent = line.descent.max(size * LINK_DESCENT);
        for &(a, b, index) in &line.links {
            match marks.get(index) {
                Some(Mark::Link(target)) => slab.pieces.push(Piece::Link {
                    rect: Rect {
                        x: x + a,
                        y: height - ascent,
                        width: b - a,
                        height: ascent + descent,
                        gray: 0.0,
                    },
                    target: target.clone(),
                }),
                Some(Mark::Image {
                    path,
                    height: h,
                    alt,
                }) => slab.pieces.push(Piece::Item(Item::Image(PlacedImage {
                    path: path.clone(),
                    x: x + a,
                    y: height - *h,
                    width: b - a,
                    height: *h,
                    alt: alt.clone(),
                }))),
                Some(Mark::Strike) => {
                    let x_height = self.fonts.metrics(Face::Regular).x_height;
                    slab.pieces.push(Piece::Item(Item::Rect(Rect {
                        x: x + a,
                        y: height - size * (x_height * STRIKE_RAISE),
                        width: b - a,
                        height: size * STRIKE_THICKNESS,
                        gray: 0.0,
                    })));
                }
                Some(Mark::Underline) => {
                    slab.pieces.push(Piece::Item(Item::Rect(Rect {
                        x: x + a,
                        y: height + size * UNDERLINE_DROP,
                        width: b - a,
                        height: size * STRIKE_THICKNESS,
                        gray: 0.0,
                    })));
                }
                Some(Mark::Highlight) => {
                    // Drawn first, so the text lies on it.
                    let ground = Piece::Item(Item::Rect(Rect {
                        x: x + a,
                        y: height - ascent,
                        width: b - a,
                        height: ascent + descent,
                        gray: HIGHLIGHT_GRAY,
                    }));
                    slab.pieces.insert(0, ground);
                }
                None => {}
            }
        }
        for &m in &line.markers {
            if !slab.notes.contains(&m) {
                slab.notes.push(m);
            }
        }
    }

    /// A paragraph builder for a table cell. With `dry`, nothing is
    /// recorded (used when only measuring), so a note cited in the cell
    /// still gets its marker when the cell is set for real.
    pub(crate) fn cell_builder(
        &mut self,
        inlines: &[Inline],
        ctx: &Ctx,
        bold: bool,
        dry: bool,
    ) -> ParBuilder {
        let saved = dry.then(|| (self.cited.clone(), self.url_notes.len()));
        let mut pb = ParBuilder::default();
        let st = InlineStyle {
            bold,
            ..self.base_style(ctx).0
        };
        self.inlines(&mut pb, inlines, InlineStyleArg(st));
        if let Some((cited, urls)) = saved {
            self.cited = cited;
            self.url_notes.truncate(urls);
        }
        pb
    }

    /// Converts inlines into paragraph items.
    fn inlines(&mut self, pb: &mut ParBuilder, inlines: &[Inline], style: InlineStyleArg) {
        let st = style.0;
        for inline in inlines {
            let span = inline.span;
            match &inline.kind {
                InlineKind::Text(t) => pb.text(t, st.text_style(), st.link, span),
                InlineKind::SoftBreak => pb.text(" ", st.text_style(), st.link, span),
                InlineKind::HardBreak => pb.line_break(),
                InlineKind::Code(t) => {
                    let s = InlineStyle {
                        mono: true,
                        size: st.size * INLINE_CODE_SCALE,
                        ..st
                    };
                    pb.text(t, s.text_style(), st.link, span);
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
                    let link = match st.link {
                        Some(l) => Some(l),
                        None => {
                            pb.marks.push(Mark::Strike);
                            Some(pb.marks.len() - 1)
                        }
                    };
                    self.inlines(pb, c, InlineStyleArg(InlineStyle { link, ..st }));
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
                    pb.marks.push(Mark::Link(target));
                    let s = InlineStyle {
                        link: Some(pb.marks.len() - 1),
                        ..st
                    };
                    self.inlines(pb, &link.content, InlineStyleArg(s));
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
                        pb.aside(&alt, s.text_style(), st.link, span);
                    }
                }
                InlineKind::FootnoteRef { index } => self.note_ref(pb, *index, &st, span),
                InlineKind::Math(m) => {
                    let s = InlineStyle {
                        italic: !st.italic,
                        ..st
                    };
                    pb.text(m, s.text_style(), st.link, span);
                }
                InlineKind::Underline(c) | InlineKind::Mark(c) => {
                    let link = match st.link {
                        Some(l) => Some(l),
                        None => {
                            pb.marks
                                .push(if matches!(inline.kind, InlineKind::Mark(_)) {
                                    Mark::Highlight
                                } else {
                                    Mark::Underline
                                });
                            Some(pb.marks.len() - 1)
                        }
                    };
                    self.inlines(pb, c, InlineStyleArg(InlineStyle { link, ..st }));
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
                InlineKind::Span { attrs, content }
                    if attrs.lang.is_some() || attrs.dir.is_some() =>
                {
                    // Text in a language or direction of its own: shaped
                    // and hyphenated in its language, isolated for bidi.
                    if let Some(lang) = &attrs.lang {
                        pb.language(Some(lang.clone()));
                    }
                    if let Some(dir) = attrs.dir {
                        pb.isolate(Some(dir == Direction::Rtl));
                    }
                    self.inlines(pb, content, style);
                    if attrs.dir.is_some() {
                        pb.end_isolate();
                    }
                    if attrs.lang.is_some() {
                        pb.language(None);
                    }
                }
                InlineKind::Abbr { content, .. } | InlineKind::Span { content, .. } => {
                    self.inlines(pb, content, style);
                }
                // Anchors are placed with their block (see `anchor_inline_ids`).
                InlineKind::Anchor(_) => {}
            }
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
        pb.marks.push(Mark::Image {
            path: path.clone(),
            height: Pt(h * scale),
            alt: collapse_ws(&img.alt),
        });
        let mark = pb.marks.len() - 1;
        pb.object(Pt(w * scale), mark, st.text_style(), st.link, span);
        true
    }

    /// Prints the web address of a link whose text does not show it, as
    /// book.yaml's `pdf: link-urls` says: a reader of paper cannot click.
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
        pb.marks.push(Mark::Link(LinkRef::Uri(uri.to_string())));
        let link = Some(pb.marks.len() - 1);
        if self.geo.link_urls == LinkUrls::Inline || self.in_footnote {
            let plain = st.text_style();
            pb.aside(" (", plain, None, span);
            pb.aside(&shown, plain, link, span);
            pb.aside(")", plain, None, span);
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
        pb.aside(&note_letter(k), style, link, span);
        if let Some(seen) = self.cited.get_mut(index) {
            if !*seen {
                *seen = true;
                pb.items.push(ParItem::Marker(index));
            }
        }
    }

    /// The note giving a link's web address: its letter, then the address.
    fn url_note(&mut self, letter: &str, uri: &str, span: Span) -> Vec<Slab> {
        let ctx = self.note_ctx();
        let mut pb = ParBuilder::default();
        self.note_number(&mut pb, letter, &ctx, None, span);
        pb.aside(" ", self.plain_style(&ctx), None, span);
        pb.marks.push(Mark::Link(LinkRef::Uri(uri.to_string())));
        let link = Some(pb.marks.len() - 1);
        pb.aside(&shown_address(uri), self.plain_style(&ctx), link, span);
        let slabs = self.set(&pb, &ctx, Pt::ZERO, Alignment::Left, false, span);
        let mut elems = Vec::new();
        self.push_lines(slabs, &ctx, &mut elems);
        elems
            .into_iter()
            .filter_map(|e| match e {
                Elem::Slab(s) => Some(s),
                _ => None,
            })
            .collect()
    }

    /// A note reference: a superscript number linking to the note, and a
    /// marker so the note lands on the page of this line.
    fn note_ref(&mut self, pb: &mut ParBuilder, index: usize, st: &InlineStyle, span: Span) {
        let book = self.book;
        let Some(note) = book
            .chapters
            .get(self.chapter)
            .and_then(|c| c.footnotes.get(index))
        else {
            return;
        };
        pb.marks.push(Mark::Link(LinkRef::Anchor(note.id.clone())));
        let link = Some(pb.marks.len() - 1);
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
        // A level-1 heading that opens its file opens a chapter: on a new
        // page, sunk below the top. One further down the file (after an
        // introduction, or a second one) is set in the flow like any
        // section heading, so a page never ends short before it.
        let opens_file = !out.iter().any(|e| matches!(e, Elem::Slab(_)));
        if ctx.top && h.level == 1 && opens_file {
            let (slab, baselines) = self.chapter_head(&title, &h.content, Some(&h.id), span);
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
            link: None,
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
                title: title.clone(),
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
            first_indent,
            ..self.par_options(ctx, self.measure(ctx), align, false)
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
            link: None,
        };
        if content.is_empty() {
            pb.text(title, base.text_style(), None, span);
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
        // Markers hang on the side lines start from.
        let (left, right) = if ctx.rtl {
            (ctx.left, ctx.right + hang)
        } else {
            (ctx.left + hang, ctx.right)
        };
        let inner = Ctx {
            left,
            right,
            top: false,
            list_depth: depth + 1,
            gap: if list.tight {
                Pt::ZERO
            } else {
                ctx.leading * LOOSE_ITEM_GAP
            },
            ..*ctx
        };
        for (i, item) in list.items.iter().enumerate() {
            if i > 0 {
                out.push(Elem::Space {
                    height: inner.gap,
                    breakable: true,
                });
            }
            let start = out.len();
            self.blocks_after(&item.blocks, &inner, Prev::Start, out);
            if !out[start..].iter().any(|e| matches!(e, Elem::Slab(_))) {
                out.push(Elem::Slab(Slab::new(ctx.leading, Role::Other, item.span)));
            }
            let (label, face) = &labels[i];
            let width = self.fonts.width(label, *face, ctx.size);
            let x = if ctx.rtl {
                self.geo.measure - inner.right + ctx.size * MARKER_GAP
            } else {
                inner.left - ctx.size * MARKER_GAP - width
            };
            if let Some(Elem::Slab(first)) =
                out[start..].iter_mut().find(|e| matches!(e, Elem::Slab(_)))
            {
                let baseline = first_baseline(first).unwrap_or(first.height);
                let runs = self.fonts.run(label, *face, ctx.size, x, baseline, 0.0);
                first
                    .pieces
                    .extend(runs.into_iter().map(|r| Piece::Item(Item::Text(r))));
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

    fn definition(&mut self, def: &Definition, ctx: &Ctx, out: &mut Vec<Elem>) {
        let mut pb = ParBuilder::default();
        let st = InlineStyle {
            bold: true,
            ..self.base_style(ctx).0
        };
        self.inlines(&mut pb, &def.term, InlineStyleArg(st));
        let slabs = self.set(&pb, ctx, Pt::ZERO, Alignment::Left, false, def.span);
        // The term keeps with the first lines of its details.
        for slab in slabs {
            out.push(Elem::Slab(slab));
        }
        let indent = ctx.size * DEFINITION_INDENT;
        let inner = Ctx {
            left: ctx.left + if ctx.rtl { Pt::ZERO } else { indent },
            right: ctx.right + if ctx.rtl { indent } else { Pt::ZERO },
            top: false,
            ..*ctx
        };
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
        self.blocks_after(&fig.body, ctx, Prev::Start, out);
        for slab in self.caption(&fig.caption, ctx, span) {
            out.push(Elem::Slab(slab));
        }
    }

    /// A caption: smaller, in the other face, centred.
    fn caption(&mut self, caption: &[Inline], ctx: &Ctx, span: Span) -> Vec<Slab> {
        if caption.is_empty() {
            return Vec::new();
        }
        let small = Ctx {
            size: ctx.size * SMALL_SCALE,
            ..*ctx
        };
        let mut pb = ParBuilder::default();
        let st = InlineStyle {
            italic: !ctx.italic,
            ..self.base_style(&small).0
        };
        self.inlines(&mut pb, caption, InlineStyleArg(st));
        if pb.items.is_empty() {
            return Vec::new();
        }
        self.set(&pb, &small, Pt::ZERO, Alignment::Center, false, span)
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
        let measure = self.measure(ctx);
        // The caption is set first: the image leaves room for all its lines.
        let caption_slabs = self.caption(caption, ctx, span);
        let Some((path, (wpx, hpx))) = size else {
            let label = img.stand_in();
            if !label.is_empty() && collapse_ws(&plain_text(caption)) != label {
                let mut pb = ParBuilder::default();
                let style = TextStyle {
                    face: if ctx.italic {
                        Face::Regular
                    } else {
                        Face::Italic
                    },
                    ..self.plain_style(ctx)
                };
                pb.aside(&label, style, None, span);
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
