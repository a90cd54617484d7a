//! Paragraph layout: styled text → shaped, broken, justified lines.
//!
//! Place in the pipeline: the page composer hands every paragraph (body
//! text, headings, list items, table cells, code) to [`layout_paragraph`]
//! as [`ParItem`]s and receives [`Line`]s positioned relative to the line's
//! left edge and baseline, which it then stacks onto pages.
//!
//! Inside, the text of all items is joined so UAX #14 (unicode-linebreak)
//! sees the whole paragraph; every run of non-space text is shaped through
//! the word cache in [`Fonts`], split at its break opportunities (hyphenation
//! points from hypher, breaks after dashes and slashes) and becomes boxes and
//! penalties; spaces become glue. [`super::linebreak`] chooses the breaks;
//! this module then places glyphs, distributes the adjustment over the
//! inter-word glue and records links, markers and problems per line.
//!
//! Decisions worth knowing:
//! - Nothing leaves the page: a stretch of text with no break opportunity
//!   that is wider than the measure (a long URL, a hash, a word of five
//!   thousand letters) may break between any two characters, after the
//!   punctuation of URLs and paths first (`/ . - _ ? & = #`), at a high
//!   cost so that only such stretches ever break there. A long URL
//!   narrower than the measure may break after its punctuation too, at a
//!   lower cost, rather than leave a gaping line before it.
//! - Justified text hangs punctuation into the margins when
//!   [`ParOptions::protrusion`] is set ([`super::protrusion`]); the breaker
//!   counts the hang, [`Line::width`] does not.
//! - Ragged settings (Left, Center, Right) use the same breaker with natural
//!   spaces and [`RAGGED_STRETCH_EM`] of stretch at the line end, like
//!   TeX's `\raggedright`.
//! - URLs, paths and identifiers (anything with `/`, `@`, `_`…) are never
//!   hyphenated, but may break after their slashes.
//! - Right-to-left and mixed text ([`super::bidi`]): the paragraph's
//!   direction comes from [`ParOptions::rtl`] (a `dir` attribute), else
//!   its language, else its first strong character. Words are cut where
//!   the bidi level changes and each piece is shaped in the direction of
//!   its level; lines are broken in logical order, then each is put in
//!   visual order. In a right-to-left paragraph `Left` and `Right` name
//!   the line's start and end: ragged and last lines sit flush right.
//! - Chinese and Japanese ([`super::cjk`]): every ideograph, kana and
//!   punctuation mark is shaped on its own (through the word cache) and
//!   joined to its neighbours by glue, so justified lines spread over
//!   their characters; kinsoku keeps closing marks and small kana off the
//!   start of a line and opening brackets off its end.
//! - Thai, Lao, Khmer and Burmese ([`super::segment`]) break between the
//!   words a dictionary finds.

use std::borrow::Cow;
use std::time::Instant;

use unicode_linebreak::BreakOpportunity;

use super::bidi::{self, Atom, Levels};
use super::cjk;
use super::fonts::{Face, Fonts, WordId};
use super::frame::TextRun;
use super::hyphenate;
use super::linebreak::{self, Item, Kind, Params, INFINITE_PENALTY};
use super::protrusion;
use super::segment;
use super::shape::GlyphSink;
use crate::diag::Span;
use crate::fonts::Variant;
use crate::units::Pt;

mod breaks;
mod build;
mod set;
#[cfg(test)]
mod tests;

use build::*;
use set::*;

/// Characters after which a URL or path may break.
const URL_BREAK_AFTER: &[char] = &['/', '.', '-', '_', '?', '&', '=', '#', ':', '@', '~', ','];
/// Cost of breaking a URL after its punctuation: about a hyphen's, since
/// nothing is added to the text.
const URL_BREAK_PENALTY: f64 = 1_000.0;
/// Cost of breaking between two letters of a stretch wider than the
/// measure: more than any other break, so it happens only where it must.
const CHARACTER_BREAK_PENALTY: f64 = 5_000.0;
/// A URL wider than this share of the measure may break after its
/// punctuation even though it would fit a line of its own.
const URL_BREAK_SHARE: f64 = 0.4;

/// How a piece of text looks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextStyle {
    pub face: Face,
    pub size: Pt,
    /// Fill colour as grey (0 = black).
    pub gray: f32,
    /// Baseline shift upwards (superscript note markers); 0 normally.
    pub rise: Pt,
}

/// One element of a paragraph's content.
#[derive(Debug, Clone, PartialEq)]
pub enum ParItem {
    Text {
        text: String,
        style: TextStyle,
        /// Index into the caller's link table.
        link: Option<usize>,
        span: Span,
    },
    /// A forced line break (Markdown hard break).
    LineBreak,
    /// An unbreakable box of `width` set inline, like a word (an inline
    /// image): the layout reports where it landed as a range of
    /// [`Line::links`] with index `mark`. `style` is the surrounding
    /// text's, for the spaces next to it. In the joined text it is U+FFFC,
    /// the object replacement character.
    Object {
        width: Pt,
        mark: usize,
        style: TextStyle,
        /// The link it is part of, reported like link text.
        link: Option<usize>,
        span: Span,
    },
    /// Zero-width marker; the layout reports which line it landed on
    /// (footnote references, anchors).
    Marker(usize),
    /// The language of the text items that follow (a span's `lang`), up
    /// to the next `Language`; `None`: the paragraph's again. It chooses
    /// hyphenation patterns and the shaper's language-specific forms.
    Language(Option<String>),
    /// Text that follows, up to the matching [`ParItem::EndIsolate`], is
    /// set in a direction of its own inside the paragraph (a span's `dir`:
    /// `Some(true)` right to left), isolated from the text around it.
    Isolate(Option<bool>),
    EndIsolate,
}

/// How lines sit in the measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alignment {
    /// Flush on both sides, the last line ragged.
    Justify,
    /// Ragged right.
    Left,
    Center,
    /// Ragged left.
    Right,
}

/// Settings of one paragraph.
#[derive(Debug, Clone, PartialEq)]
pub struct ParOptions {
    /// Line width.
    pub measure: Pt,
    /// Indent of the first line (0 after headings).
    pub first_indent: Pt,
    /// In a right-to-left paragraph, `Left` and `Right` are the line's
    /// start and end sides (flipped).
    pub align: Alignment,
    pub hyphenate: bool,
    /// BCP 47 tag of the paragraph's language (the book's unless an
    /// element says otherwise); hyphenation patterns, shaping forms and,
    /// for Arabic, Hebrew…, the direction are chosen from it.
    pub language: String,
    /// The paragraph's direction, when an element's `dir` sets it:
    /// `Some(true)` right to left. `None`: right to left if the language
    /// is written so, else the direction of the first strong character.
    pub rtl: Option<bool>,
    /// Margin kerning (hanging punctuation) on justified text.
    pub protrusion: bool,
    /// Font expansion on justified text: how much wider or narrower, as a
    /// fraction (0.02 = 2%), a line's glyphs may be set to even out its
    /// spaces; 0 turns it off. See [`FONT_EXPANSION`].
    pub expansion: f64,
}

/// One laid-out line.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Glyph runs positioned with x relative to the line's left edge
    /// (0 = start of the measure) and `baseline` relative to the line's
    /// baseline: 0, or `-rise` for raised text (y grows downwards, as on the
    /// page), so the composer adds its baseline to every run's `baseline`.
    pub runs: Vec<TextRun>,
    /// x-ranges (start, end) of link text, and of objects, on this line,
    /// with the link's (or object's) index.
    pub links: Vec<(Pt, Pt, usize)>,
    /// Markers that landed on this line.
    pub markers: Vec<usize>,
    /// Width actually set (≤ measure unless overfull), not counting
    /// punctuation hanging into the margins.
    pub width: Pt,
    /// Tallest ascent and deepest descent of the line's glyph runs (positive).
    pub ascent: Pt,
    pub descent: Pt,
    /// Ends with a hyphen inserted by hyphenation (or a break after an explicit hyphen/dash).
    pub hyphenated: bool,
    /// Adjustment ratio of the line's spaces (0 = natural, >0 stretched,
    /// <0 shrunk; 1 = by their whole stretch or shrink), after font
    /// expansion took its part of the slack.
    pub ratio: f64,
    /// Source of the line's first item, for reports.
    pub span: Span,
    /// Byte offset of the line's first word in the paragraph's text: the
    /// concatenation of its `ParItem::Text` texts, each `LineBreak` counting
    /// as one byte and each `Object` as the three of U+FFFC. A line that opens with the tail of a hyphenated word
    /// points at that word's start. Lets the caller say which word opens
    /// the line.
    pub text_start: usize,
}

/// What is wrong with a line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LineIssueKind {
    /// Wider than the measure.
    Overfull { by: Pt },
    /// Spaces stretched beyond their stretchability (ratio > 1).
    Loose { ratio: f64 },
    /// A word that cannot be broken is longer than the measure; it overflows
    /// into the right margin (only a single glyph wider than the measure
    /// can: anything longer breaks between its letters).
    WordTooLong,
    /// A word too long for the measure was broken between two of its
    /// letters at the end of this line.
    WordBroken,
}

/// A problem on one line, with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct LineIssue {
    /// Index into [`ParagraphLayout::lines`].
    pub line: usize,
    pub kind: LineIssueKind,
    pub span: Span,
}

/// A laid-out paragraph.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParagraphLayout {
    pub lines: Vec<Line>,
    pub issues: Vec<LineIssue>,
}

/// Stretch of an inter-word space as a fraction of its width. TeX gives
/// Computer Modern 1/2 of a 0.33em space; Gentium's space is only 0.22em, so
/// the fraction is larger for a similar absolute room (0.18em). The stretch
/// sets the scale of the adjustment ratio, hence of badness, tolerances and
/// the "loose" report (ratio 2 = spaces of 0.57em); how far lines actually
/// stretch is decided by the breaker's evenness demerits.
pub const SPACE_STRETCH: f64 = 0.8;
/// Shrink of an inter-word space as a fraction of its width, TeX's 1/3: a
/// fully shrunk Gentium space is 0.147em, still clearly a word gap. (0.45
/// let spaces close to 0.12em, and such tight lines beside loose ones made
/// the colour of a page uneven.)
pub const SPACE_SHRINK: f64 = 1.0 / 3.0;
/// Stretch at the end of every ragged line, in ems (TeX's `\raggedright`
/// uses 2em): lines may end anywhere within about this much of the measure
/// without counting as bad. 3em lets the hyphen-free first pass succeed for
/// most paragraphs (about 2% hyphenated lines against 9% at 2em on long
/// test texts) while the mean line still ends within 1.6em of the measure.
pub const RAGGED_STRETCH_EM: f64 = 3.0;
/// Cost of a hyphenation point in ragged settings: a ragged line has room
/// to end short, so hyphens are needed less and should be rarer.
pub const RAGGED_HYPHEN_PENALTY: f64 = 300.0;
/// Extra stretch per line in the breaker's emergency pass, in ems (TeX's
/// `\emergencystretch`): lets a paragraph with a hard-to-break stretch
/// spread the looseness over several lines instead of one awful line.
pub const EMERGENCY_STRETCH_EM: f64 = 2.0;
/// Cost of breaking at a hyphenation point, in the breaker's demerit scale
/// (see `linebreak`: it is squared, so a hyphen costs as much as ten spaces
/// each 0.28em away from the common width). This is the one knob between
/// hyphens and evenness. On the 300,000-word benchmark at 6×9in, with font
/// expansion: 3,600 gives 2.7% hyphenated lines and a word-space deviation
/// of 0.072em, 2,800 gives 4.0% and 0.068em, 2,000 gives 5.5% and 0.065em
/// (without expansion, 2,800 gives 10.5% and 0.080em). Typst, on the same
/// text, hyphenates 10.6% of lines for 0.083em.
pub const HYPHEN_PENALTY: f64 = 3000.0;
/// Cost of breaking after an explicit hyphen or dash (TeX's
/// `\exhyphenpenalty`): small, because a line ending in a dash or in a
/// compound's own hyphen breaks nothing the author did not write.
pub const EX_HYPHEN_PENALTY: f64 = 50.0;
/// Cost of other break opportunities inside words (after a slash in a URL):
/// allowed but less good than a space.
pub const OTHER_BREAK_PENALTY: f64 = 100.0;
/// Bound of [`Line::ratio`]: a line without any glue has an infinite ratio,
/// reported as this (any value this large is "hopeless" for reports).
pub const MAX_REPORTED_RATIO: f64 = 100.0;
/// Default limit of font expansion ([`ParOptions::expansion`]), as a
/// fraction of the glyphs' widths: pdfTeX's microtype sets letters up to 2%
/// wider or narrower (its `stretch=20, shrink=20`), below what a reader
/// notices in one line, yet it gives a line of 60 letters about a third
/// more room to adjust than its ten spaces alone. The breaker counts it as
/// part of each line's stretch and shrink (`linebreak::LineSums::split`);
/// the PDF scales the line's glyphs horizontally (`Tz`).
pub const FONT_EXPANSION: f64 = 0.02;
/// Upper bound accepted for [`ParOptions::expansion`]: beyond 5% letters
/// visibly change shape.
pub const MAX_EXPANSION: f64 = 0.05;
/// Slack when checking a line against the measure (rounding of sums).
const WIDTH_EPSILON: f64 = 1e-6;

/// All tunable numbers of paragraph layout (defaults: the named constants).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ParTuning {
    pub space_stretch: f64,
    pub space_shrink: f64,
    pub hyphen_penalty: f64,
    pub ragged_hyphen_penalty: f64,
    pub ragged_stretch_em: f64,
    pub ex_hyphen_penalty: f64,
    pub emergency_stretch_em: f64,
    pub breaker: linebreak::Tuning,
}

impl Default for ParTuning {
    fn default() -> ParTuning {
        ParTuning {
            space_stretch: SPACE_STRETCH,
            space_shrink: SPACE_SHRINK,
            hyphen_penalty: HYPHEN_PENALTY,
            ragged_hyphen_penalty: RAGGED_HYPHEN_PENALTY,
            ragged_stretch_em: RAGGED_STRETCH_EM,
            ex_hyphen_penalty: EX_HYPHEN_PENALTY,
            emergency_stretch_em: EMERGENCY_STRETCH_EM,
            breaker: linebreak::Tuning::default(),
        }
    }
}

/// The joined-text length of a paragraph item that is not text: what
/// callers counting offsets into it (see [`Line::text_start`]) must add.
pub fn joined_len(item: &ParItem) -> usize {
    match item {
        ParItem::Text { text, .. } => text.len(),
        ParItem::LineBreak => 1,
        ParItem::Object { .. } => OBJECT_CHAR.len_utf8(),
        ParItem::Isolate(_) | ParItem::EndIsolate => POP_DIRECTIONAL_ISOLATE.len_utf8(),
        ParItem::Marker(_) | ParItem::Language(_) => 0,
    }
}

/// Lays out one paragraph.
pub fn layout_paragraph(
    fonts: &mut Fonts,
    items: &[ParItem],
    opts: &ParOptions,
) -> ParagraphLayout {
    layout_tuned(fonts, items, opts, ParTuning::default())
}

/// A paragraph longer than twice this (bytes of its joined text) is laid
/// out a piece of about this length at a time, so its cost in memory stays
/// that of a piece however long it is (a 10 MB paragraph); shorter ones,
/// every paragraph of a real book, are laid out whole.
const PIECE_BYTES: usize = 1 << 16;
/// Lines at the end of a piece that are set again at the start of the next:
/// the end of a piece is not the end of the paragraph, and these lines'
/// breaks were chosen as if it were.
const PIECE_OVERLAP_LINES: usize = 4;

/// [`layout_paragraph`] with explicit tuning (for measurements).
pub(crate) fn layout_tuned(
    fonts: &mut Fonts,
    items: &[ParItem],
    opts: &ParOptions,
    tuning: ParTuning,
) -> ParagraphLayout {
    let mut pieces = Pieces::new(Cow::Borrowed(items), opts, tuning);
    let mut out = pieces.next(fonts).unwrap_or_default();
    while let Some(piece) = pieces.next(fonts) {
        out.lines.extend(piece.lines);
        out.issues.extend(piece.issues);
    }
    out
}

/// A paragraph laid out a piece at a time (see [`PIECE_BYTES`]), so a
/// caller can turn each piece's lines into what it keeps before the next
/// piece is laid out, instead of holding every line of a long paragraph
/// next to what it makes of them. A paragraph of at most twice
/// [`PIECE_BYTES`] is one piece.
pub(crate) struct Pieces<'a> {
    /// The paragraph's items. When they are the caller's to give, the
    /// text of those before the next piece is freed as the layout goes on.
    items: Cow<'a, [ParItem]>,
    /// Where each item starts in the joined text (and, last, its length):
    /// what `items` said before any text was freed.
    starts: Vec<usize>,
    /// Items before this one have had their text freed.
    freed: usize,
    opts: ParOptions,
    tuning: ParTuning,
    /// Length of the paragraph's joined text.
    total: usize,
    /// Where the next piece starts in the joined text; `None` when done.
    from: Option<usize>,
    /// Lines of the pieces laid out so far.
    lines: usize,
}

impl<'a> Pieces<'a> {
    pub(crate) fn new(
        items: Cow<'a, [ParItem]>,
        opts: &ParOptions,
        tuning: ParTuning,
    ) -> Pieces<'a> {
        let mut starts = Vec::with_capacity(items.len() + 1);
        let mut total = 0;
        for item in items.iter() {
            starts.push(total);
            total += joined_len(item);
        }
        starts.push(total);
        Pieces {
            items,
            starts,
            freed: 0,
            opts: opts.clone(),
            tuning,
            total,
            from: Some(0),
            lines: 0,
        }
    }

    /// Whether the last piece has been laid out.
    pub(crate) fn done(&self) -> bool {
        self.from.is_none()
    }

    /// Frees the text of the items that end at or before `at`, where the
    /// next piece starts, if the items are this layout's own: pieces after
    /// it only look at them for the language and isolates in force.
    fn free_before(&mut self, at: usize) {
        let Cow::Owned(items) = &mut self.items else {
            return;
        };
        while self.freed < items.len() && self.starts[self.freed + 1] <= at {
            if let ParItem::Text { text, .. } = &mut items[self.freed] {
                *text = String::new();
            }
            self.freed += 1;
        }
    }

    /// Lays out the next piece: its lines, and its issues numbered among
    /// all the paragraph's lines (the first piece's lines are lines 0…);
    /// `None` after the last piece.
    pub(crate) fn next(&mut self, fonts: &mut Fonts) -> Option<ParagraphLayout> {
        let from = self.from?;
        if from == 0 && self.total <= 2 * PIECE_BYTES {
            self.from = None;
            let layout = layout_piece(fonts, &self.items, &self.opts, self.tuning, false).layout;
            self.lines = layout.lines.len();
            return Some(layout);
        }
        let last = self.total - from <= 2 * PIECE_BYTES;
        let end = if last { self.total } else { from + PIECE_BYTES };
        let (piece, prefix, reached) = slice_items(&self.items, &self.starts, from, end);
        let laid = layout_piece(fonts, &piece, &self.opts, self.tuning, !last);
        let mut out = laid.layout;
        // Offsets in the piece's text (after the state re-opened in front
        // of it) → offsets in the paragraph's.
        let shift = |at: usize| (at + from).saturating_sub(prefix);
        for line in &mut out.lines {
            line.text_start = shift(line.text_start);
        }
        for issue in &mut out.issues {
            issue.line += self.lines;
        }
        self.lines += out.lines.len();
        self.from = if last {
            None
        } else {
            // The next piece goes on from the word after the last line
            // kept, in the same direction and without an indent.
            self.opts.first_indent = Pt::ZERO;
            self.opts.rtl = Some(laid.rtl);
            // Without a break to start again from, the next piece starts
            // where this one stopped.
            let stop = reached.max(from + 1);
            let next = laid.next.map_or(stop, shift).clamp(from + 1, stop);
            self.free_before(next);
            Some(next)
        };
        Some(out)
    }
}

/// A piece of a paragraph laid out.
struct LaidPiece {
    layout: ParagraphLayout,
    /// With an open end: where (in the piece's joined text) the word after
    /// the last line kept begins; `None` when no line could be given back.
    next: Option<usize>,
    /// The paragraph's direction.
    rtl: bool,
}

/// The items of a paragraph (starting at `starts` in the joined text) from
/// joined-text offset `from` (a character boundary) to about `end`, after
/// the language and the isolates open at `from`; with the length those
/// re-opened items add in front, and where
/// (a character boundary) the piece stops. Items of no length at `from`
/// (markers, a language) go with the text after them.
fn slice_items(
    items: &[ParItem],
    starts: &[usize],
    from: usize,
    end: usize,
) -> (Vec<ParItem>, usize, usize) {
    let mut language: Option<String> = None;
    let mut isolates: Vec<Option<bool>> = Vec::new();
    let mut piece = Vec::new();
    let mut reached = from;
    let mut started = false;
    for (k, item) in items.iter().enumerate() {
        let (a, b) = (starts[k], starts[k + 1]);
        let len = b - a;
        if !started {
            if b < from || (b == from && len > 0) {
                match item {
                    ParItem::Language(l) => language.clone_from(l),
                    ParItem::Isolate(d) => isolates.push(*d),
                    ParItem::EndIsolate => {
                        isolates.pop();
                    }
                    _ => {}
                }
                continue;
            }
            started = true;
            if language.is_some() {
                piece.push(ParItem::Language(language.take()));
            }
            piece.extend(isolates.iter().map(|&d| ParItem::Isolate(d)));
        }
        if a >= end && a > from {
            break;
        }
        match item {
            ParItem::Text {
                text,
                style,
                link,
                span,
            } if a < from || b > end => {
                let mut x = from.saturating_sub(a);
                let mut y = (end - a).min(text.len());
                while !text.is_char_boundary(x) {
                    x += 1;
                }
                while y > x && !text.is_char_boundary(y) {
                    y -= 1;
                }
                let exact = (span.end - span.start) as usize == text.len();
                let span = if exact {
                    Span {
                        file: span.file,
                        start: span.start + x as u32,
                        end: span.start + y as u32,
                    }
                } else {
                    *span
                };
                piece.push(ParItem::Text {
                    text: text[x..y].to_string(),
                    style: *style,
                    link: *link,
                    span,
                });
                reached = a + y;
            }
            _ => {
                piece.push(item.clone());
                reached = b;
            }
        }
    }
    let prefix = piece
        .iter()
        .take_while(|i| matches!(i, ParItem::Language(_) | ParItem::Isolate(_)))
        .map(joined_len)
        .sum();
    (piece, prefix, reached)
}

/// Lays out `items` as a paragraph; with `open_end`, as the start of a
/// longer one: its last lines are given back (see [`LaidPiece::next`]).
fn layout_piece(
    fonts: &mut Fonts,
    items: &[ParItem],
    opts: &ParOptions,
    tuning: ParTuning,
    open_end: bool,
) -> LaidPiece {
    let started = Instant::now();
    let mut b = Builder::new(fonts, items, opts, tuning);
    let has_text = !b.runs.is_empty() || !b.markers.is_empty();
    if !has_text {
        return LaidPiece {
            layout: ParagraphLayout {
                lines: Vec::new(),
                issues: Vec::new(),
            },
            next: None,
            rtl: b.rtl,
        };
    }
    b.build();
    let built = Instant::now();
    let em = b.runs.first().map_or(10.0, |r| r.style.size.0);
    let params = Params {
        measure: opts.measure.0,
        line_stretch: if b.justified() {
            0.0
        } else {
            b.tuning.ragged_stretch_em * em
        },
        justified: b.justified(),
        start_hang: b.start_hang(),
        emergency_stretch: b.tuning.emergency_stretch_em * em,
        em,
        tuning: b.tuning.breaker,
    };
    let mut breaks = linebreak::break_lines(&b.items, &params);
    let broken = Instant::now();
    // An open end gives back its last lines, up to a break at a space (a
    // line ending inside a word would have the next piece begin there).
    let mut next = None;
    if open_end {
        let keep = breaks.len().saturating_sub(PIECE_OVERLAP_LINES);
        let at_space = (0..keep).rev().find_map(|n| {
            let i = breaks[n].at;
            match b.content[i] {
                Content::Space { at, .. } if b.items[i].kind == Kind::Glue => Some((n, at)),
                // Between two CJK characters (or Thai words): the break is
                // the penalty before the join's glue, and the next line
                // starts at the character after it.
                Content::Nothing if b.items[i].kind == Kind::Penalty => {
                    match b.content.get(i + 1) {
                        Some(&Content::Gap { at }) => Some((n, at)),
                        _ => None,
                    }
                }
                _ => None,
            }
        });
        if let Some((n, at)) = at_space {
            breaks.truncate(n + 1);
            let after = b.text[at as usize..]
                .char_indices()
                .find(|&(_, c)| !is_space(c))
                .map_or(b.text.len(), |(i, _)| at as usize + i);
            next = Some(after);
        }
    }
    let mut out = ParagraphLayout {
        lines: Vec::with_capacity(breaks.len()),
        issues: Vec::new(),
    };
    let mut start = 0usize;
    let mut hang_left = params.start_hang;
    let default_span = b.runs.first().map(|r| r.span).unwrap_or_default();
    // Glyphs of the run being set, reused for every run of the paragraph.
    let mut sink = GlyphSink::default();
    for (n, br) in breaks.iter().enumerate() {
        let last = n + 1 == breaks.len() && next.is_none();
        set_line(
            &b,
            &params,
            start,
            br,
            hang_left,
            last,
            default_span,
            &mut out,
            &mut sink,
        );
        hang_left = b.items[br.at].hang_left;
        start = linebreak::line_start(&b.items, br.at);
    }
    let timings = &mut b.fonts.timings;
    timings.shaping += built - started;
    timings.line_breaking += broken - built;
    timings.line_setting += broken.elapsed();
    LaidPiece {
        layout: out,
        next,
        rtl: b.rtl,
    }
}
