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
#[derive(Debug, Clone, PartialEq)]
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

/// What an item stands for, parallel to the breaker's items.
#[derive(Debug, Clone, Copy)]
enum Content {
    /// The first-line indent.
    Indent,
    /// Glyphs `glyphs` of the shaped word `word`, which was shaped from the
    /// paragraph text `piece`; `run` is the style run.
    Text {
        word: WordId,
        run: u32,
        piece: (u32, u32),
        glyphs: (u32, u32),
    },
    /// An inter-word space of style run `run`, at byte `at` of the text.
    Space { run: u32, at: u32 },
    /// Glue between two characters of a word (CJK, Thai), at byte `at`.
    Gap { at: u32 },
    /// A discretionary hyphen in the style of `run` (shaped as `word`),
    /// drawn if the line breaks here.
    Hyphen { run: u32, word: WordId },
    /// A marker box.
    Marker(usize),
    /// An object box (see [`ParItem::Object`]) of style run `run`.
    Object { run: u32, mark: usize },
    /// Invisible: penalties, paragraph-fill glue.
    Nothing,
    /// A break between two letters of a word too long for the measure.
    CharBreak,
}

/// A stretch of the joined paragraph text that came from one [`ParItem::Text`].
#[derive(Debug, Clone, Copy)]
struct StyleRun {
    start: u32,
    end: u32,
    style: TextStyle,
    link: Option<usize>,
    span: Span,
    /// Whether the span covers exactly the text (so offsets map 1:1).
    exact: bool,
    /// Width of a space in this style, once known.
    space: Option<f64>,
    /// For the U+FFFC of a [`ParItem::Object`]: its width and mark.
    object: Option<(f64, usize)>,
    /// The run's language: an index into [`Builder::languages`] (0: the
    /// paragraph's).
    lang: u16,
}

/// Stands for a [`ParItem::Object`] in the joined paragraph text.
const OBJECT_CHAR: char = '\u{FFFC}';
/// Bidi controls standing for [`ParItem::Isolate`] and
/// [`ParItem::EndIsolate`] in the joined paragraph text (never drawn).
const LEFT_TO_RIGHT_ISOLATE: char = '\u{2066}';
const RIGHT_TO_LEFT_ISOLATE: char = '\u{2067}';
const FIRST_STRONG_ISOLATE: char = '\u{2068}';
const POP_DIRECTIONAL_ISOLATE: char = '\u{2069}';

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

/// Is `c` an inter-word space (breakable, stretchable)?
fn is_space(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\r' | '\u{2002}'
            ..='\u{2006}' | '\u{2008}' | '\u{2009}' | '\u{200A}' | '\u{205F}' | '\u{3000}'
    )
}

/// Whether a non-space run is a URL, e-mail address, path or identifier,
/// which must not take hyphens (a hyphen would read as part of it).
fn looks_like_code_or_url(word: &str) -> bool {
    word.contains(['/', '@', '\\', '_', '=', '<', '>', '{', '}', '|'])
        || word.contains("://")
        || word.starts_with("www.")
}

/// Whether `c` is a combining mark (UAX #14's class CM: accents, Indic
/// vowel signs and viramas, variation selectors): it belongs to the
/// character before it.
fn is_combining(c: char) -> bool {
    !c.is_ascii()
        && matches!(
            unicode_linebreak::break_property(u32::from(c)),
            unicode_linebreak::BreakClass::CombiningMark
                | unicode_linebreak::BreakClass::ZeroWidthJoiner
        )
}

/// Is `c` a dash or hyphen after which a line may end as "hyphenated"?
fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
    )
}

struct Builder<'a> {
    fonts: &'a mut Fonts,
    opts: &'a ParOptions,
    tuning: ParTuning,
    text: String,
    runs: Vec<StyleRun>,
    /// Markers at byte offsets of `text`, in order.
    markers: Vec<(u32, usize)>,
    items: Vec<Item>,
    content: Vec<Content>,
    /// Languages of the runs ([`StyleRun::lang`]): the paragraph's first.
    languages: Vec<String>,
    /// Hyphenation patterns per language of `languages`.
    hyphenation: Vec<Option<hypher::Lang>>,
    /// Bidi levels, when the paragraph has text to reorder.
    levels: Option<Levels>,
    /// The paragraph runs right to left.
    rtl: bool,
    /// Shaping variants by (language, direction: 0 by script, 1 left to
    /// right, 2 right to left).
    variants: Vec<((u16, u8), Variant)>,
    /// The paragraph has CJK characters (see [`cjk::has_cjk`]).
    cjk: bool,
    /// It has characters of scripts written without spaces (see
    /// [`segment::has_unspaced`]).
    unspaced: bool,
    /// Some of the text is code (the mono face): its spaces keep their
    /// width and it breaks only at them.
    mono: bool,
    /// The paragraph's language is the one the fonts shape in by default.
    book_language: bool,
    /// Joins between characters ([`BreakKind::Join`] indexes them).
    joins: Vec<(cjk::Join, bool)>,
    /// Whether any join with stretch was pushed (then the breaker's
    /// evenness demerits, made for word spaces, are off).
    joined: bool,
    /// Break opportunities inside the current word (scratch, reused).
    scratch: Vec<(u32, BreakKind)>,
    /// Where the current piece is cut for shaping (scratch, reused).
    cuts: Vec<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum BreakKind {
    /// A hyphenation point.
    Hyphenation,
    /// After a soft hyphen typed by the author.
    Soft,
    /// After an explicit hyphen or dash.
    AfterDash,
    /// Any other UAX #14 opportunity (after a slash…).
    Other,
    /// Glue between two characters (see [`cjk::Join`]), breakable or not:
    /// an index into [`Builder::joins`].
    Join(u32),
}

impl<'a> Builder<'a> {
    fn new(
        fonts: &'a mut Fonts,
        items: &[ParItem],
        opts: &'a ParOptions,
        tuning: ParTuning,
    ) -> Builder<'a> {
        let mut text = String::new();
        let mut runs = Vec::new();
        let mut markers = Vec::new();
        let mut languages = vec![opts.language.clone()];
        let mut lang = 0u16;
        let last_content = items
            .iter()
            .rposition(|i| !matches!(i, ParItem::LineBreak))
            .map_or(0, |i| i + 1);
        for it in &items[..last_content] {
            match it {
                ParItem::Text {
                    text: t,
                    style,
                    link,
                    span,
                } => {
                    if t.is_empty() {
                        continue;
                    }
                    let start = text.len() as u32;
                    // Line feeds inside text are spaces (soft breaks); only
                    // `LineBreak` forces a break. Same byte length, so
                    // offsets stay valid.
                    text.extend(t.chars().map(|c| if c == '\n' { ' ' } else { c }));
                    let end = text.len() as u32;
                    runs.push(StyleRun {
                        start,
                        end,
                        style: *style,
                        link: *link,
                        span: *span,
                        exact: (span.end - span.start) as usize == t.len(),
                        space: None,
                        object: None,
                        lang,
                    });
                }
                ParItem::Object {
                    width,
                    mark,
                    style,
                    link,
                    span,
                } => {
                    let start = text.len() as u32;
                    text.push(OBJECT_CHAR);
                    runs.push(StyleRun {
                        start,
                        end: text.len() as u32,
                        style: *style,
                        link: *link,
                        span: *span,
                        exact: false,
                        space: None,
                        object: Some((width.0.max(0.0), *mark)),
                        lang,
                    });
                }
                ParItem::LineBreak => text.push('\n'),
                ParItem::Marker(m) => markers.push((text.len() as u32, *m)),
                ParItem::Language(l) => {
                    let l = l.as_deref().unwrap_or(&opts.language);
                    lang = match languages.iter().position(|k| k == l) {
                        Some(i) => i as u16,
                        None => {
                            languages.push(l.to_string());
                            (languages.len() - 1) as u16
                        }
                    };
                }
                ParItem::Isolate(rtl) => text.push(match rtl {
                    Some(true) => RIGHT_TO_LEFT_ISOLATE,
                    Some(false) => LEFT_TO_RIGHT_ISOLATE,
                    None => FIRST_STRONG_ISOLATE,
                }),
                ParItem::EndIsolate => text.push(POP_DIRECTIONAL_ISOLATE),
            }
        }
        let hyphenation = languages
            .iter()
            .map(|l| {
                if opts.hyphenate {
                    hyphenate::language(l)
                } else {
                    None
                }
            })
            .collect();
        let rtl = opts
            .rtl
            .or_else(|| bidi::language_is_rtl(&opts.language).then_some(true));
        let levels = Levels::of(&text, rtl);
        let book_language = opts.language == fonts.language();
        let (cjk, unspaced) = if text.is_ascii() {
            (false, false)
        } else {
            (cjk::has_cjk(&text), segment::has_unspaced(&text))
        };
        let mono = runs.iter().any(|r| r.style.face == Face::Mono);
        Builder {
            fonts,
            opts,
            tuning,
            rtl: levels.as_ref().is_some_and(Levels::rtl),
            levels,
            text,
            runs,
            markers,
            items: Vec::new(),
            content: Vec::new(),
            languages,
            hyphenation,
            variants: Vec::new(),
            cjk,
            unspaced,
            mono,
            book_language,
            joins: Vec::new(),
            joined: false,
            scratch: Vec::new(),
            cuts: Vec::new(),
        }
    }

    /// How the text of run `run` at byte `at` is shaped: in the run's
    /// language and, in a paragraph with bidi levels, the direction of
    /// the level there.
    fn variant(&mut self, run: u32, at: u32) -> Variant {
        let lang = self.runs[run as usize].lang;
        let dir = match &self.levels {
            None => 0u8,
            Some(l) if l.at(at as usize) % 2 == 1 => 2,
            Some(_) => 1,
        };
        if lang == 0 && dir == 0 && self.book_language {
            return Variant::BOOK;
        }
        if let Some(&(_, v)) = self.variants.iter().find(|(k, _)| *k == (lang, dir)) {
            return v;
        }
        let rtl = match dir {
            0 => None,
            d => Some(d == 2),
        };
        let v = self
            .fonts
            .variant(Some(&self.languages[usize::from(lang)]), rtl);
        self.variants.push(((lang, dir), v));
        v
    }

    fn justified(&self) -> bool {
        self.opts.align == Alignment::Justify
    }

    /// The font expansion limit of this paragraph: 0 unless justified.
    fn expansion(&self) -> f64 {
        if self.justified() && self.opts.expansion.is_finite() {
            self.opts.expansion.clamp(0.0, MAX_EXPANSION)
        } else {
            0.0
        }
    }

    /// A text box of width `w`, expandable within the paragraph's limit.
    fn text_box(&self, w: f64) -> Item {
        let e = self.expansion();
        let mut item = Item::boxed(w);
        item.stretch = w.max(0.0) * e;
        item.shrink = w.max(0.0) * e;
        item
    }

    fn push(&mut self, item: Item, content: Content) {
        self.items.push(item);
        self.content.push(content);
    }

    /// Removes glue (and invisible penalties) at the end of the item list.
    fn trim_trailing_glue(&mut self) {
        while let Some(last) = self.items.last() {
            if last.kind == Kind::Box {
                break;
            }
            if last.kind == Kind::Penalty && last.penalty <= -INFINITE_PENALTY {
                break;
            }
            self.items.pop();
            self.content.pop();
        }
    }

    /// Ends a line by force (hard break) or the paragraph: no break before
    /// the fill glue, fill glue, forced break.
    fn push_fill_and_break(&mut self) {
        self.trim_trailing_glue();
        self.push(
            Item::penalty(0.0, INFINITE_PENALTY, false),
            Content::Nothing,
        );
        let mut fill = Item::glue(0.0, 0.0, 0.0);
        fill.fil = 1.0;
        self.push(fill, Content::Nothing);
        self.push(
            Item::penalty(0.0, -INFINITE_PENALTY, false),
            Content::Nothing,
        );
    }

    fn run_at(&self, offset: u32) -> Option<u32> {
        let i = self.runs.partition_point(|r| r.end <= offset);
        (i < self.runs.len() && self.runs[i].start <= offset).then_some(i as u32)
    }

    /// Whether the character at byte `offset` is raised or lowered (a
    /// note marker, a superscript).
    fn raised_at(&self, offset: u32) -> bool {
        self.run_at(offset)
            .is_some_and(|r| self.runs[r as usize].style.rise != Pt::ZERO)
    }

    /// Whether the character at byte `offset` is code (the mono face).
    fn code_at(&self, offset: u32) -> bool {
        self.run_at(offset)
            .is_some_and(|r| self.runs[r as usize].style.face == Face::Mono)
    }

    fn build(&mut self) {
        if self.opts.first_indent.0 != 0.0 {
            self.push(Item::boxed(self.opts.first_indent.0), Content::Indent);
        }
        let text = std::mem::take(&mut self.text);
        let opportunities: Vec<(u32, BreakOpportunity)> = unicode_linebreak::linebreaks(&text)
            .map(|(i, o)| (i as u32, o))
            .collect();
        let mut next_marker = 0usize;
        let mut pos = 0usize;
        let bytes = text.as_bytes();
        while pos < text.len() {
            let c = text[pos..].chars().next().unwrap_or(' ');
            if c == '\n' {
                self.flush_markers(&mut next_marker, pos as u32);
                self.push_fill_and_break();
                pos += 1;
                continue;
            }
            if is_space(c) {
                let start = pos;
                while pos < text.len() {
                    let c = text[pos..].chars().next().unwrap_or('x');
                    if !is_space(c) {
                        break;
                    }
                    pos += c.len_utf8();
                }
                // Markers inside a space run stay with the word before it;
                // one right after the spaces goes with the next word.
                self.flush_markers(&mut next_marker, pos as u32 - 1);
                // A spaced dash never opens a line (Russian typography
                // forbids it outright, and it reads as a list marker in any
                // language): the space before it does not break.
                let before_dash = text[pos..]
                    .chars()
                    .next()
                    .is_some_and(|c| matches!(c, '\u{2013}' | '\u{2014}' | '\u{2015}'));
                let glue_at = self.items.len();
                self.add_space(&text, start as u32, pos as u32);
                if before_dash && self.items.len() > glue_at {
                    self.items
                        .insert(glue_at, Item::penalty(0.0, INFINITE_PENALTY, false));
                    self.content.insert(glue_at, Content::Nothing);
                }
                continue;
            }
            let start = pos;
            while pos < text.len() {
                let b = bytes[pos];
                if b == b' ' || b == b'\n' {
                    break;
                }
                let c = text[pos..].chars().next().unwrap_or(' ');
                if is_space(c) {
                    break;
                }
                pos += c.len_utf8();
            }
            self.add_word(
                &text,
                start as u32,
                pos as u32,
                &opportunities,
                &mut next_marker,
            );
        }
        self.flush_markers(&mut next_marker, u32::MAX);
        self.text = text;
        self.push_fill_and_break();
        self.break_long_stretches();
        if self.protrudes() {
            self.set_hangs();
        }
        if self.joined {
            // Glue between characters is not a word space: lines of CJK
            // text are as tight as their characters allow, not pulled
            // towards the spaces' favourite width.
            self.tuning.breaker.evenness = 0.0;
        }
    }

    /// Whether punctuation hangs into the margins: justified
    /// left-to-right text, when asked (the hanging amounts are those of
    /// Latin punctuation).
    fn protrudes(&self) -> bool {
        self.opts.protrusion && self.justified() && !self.rtl
    }

    /// Lets the stretches of boxes that no break opportunity interrupts
    /// break inside when they are too wide (see the module docs): their
    /// boxes are cut at glyph clusters, with a penalty between.
    fn break_long_stretches(&mut self) {
        let measure = (self.opts.measure.0 - self.opts.first_indent.0.max(0.0)).max(1.0);
        // Stretches: (first item, end item, width).
        let mut stretches: Vec<(usize, usize, f64)> = Vec::new();
        let mut i = 0;
        while i < self.items.len() {
            if self.items[i].kind != Kind::Box {
                i += 1;
                continue;
            }
            let start = i;
            let mut width = 0.0;
            while i < self.items.len() {
                let it = &self.items[i];
                let breakable = match it.kind {
                    Kind::Box => false,
                    Kind::Glue => true,
                    Kind::Penalty => it.penalty < INFINITE_PENALTY,
                };
                if breakable {
                    break;
                }
                width += if it.kind == Kind::Box { it.width } else { 0.0 };
                i += 1;
            }
            let url = width > measure * URL_BREAK_SHARE && self.stretch_is_url(start, i);
            if width > measure || url {
                stretches.push((start, i, width));
            }
        }
        if stretches.is_empty() {
            return;
        }
        let items = std::mem::take(&mut self.items);
        let content = std::mem::take(&mut self.content);
        let mut next = stretches.iter().peekable();
        let mut k = 0;
        while k < items.len() {
            match next.peek() {
                Some(&&(start, end, width)) if k == start => {
                    next.next();
                    let anywhere = width > measure;
                    for j in start..end {
                        self.split_box(items[j], content[j], anywhere);
                    }
                    k = end;
                }
                _ => {
                    self.items.push(items[k]);
                    self.content.push(content[k]);
                    k += 1;
                }
            }
        }
    }

    /// Whether the text of boxes `start..end` is a URL or a path.
    fn stretch_is_url(&self, start: usize, end: usize) -> bool {
        let mut text = String::new();
        for c in &self.content[start..end] {
            if let Content::Text { piece, .. } = c {
                text.push_str(
                    self.text
                        .get(piece.0 as usize..piece.1 as usize)
                        .unwrap_or(""),
                );
            }
        }
        text.contains("://") || text.starts_with("www.") || text.matches('/').count() >= 2
    }

    /// Pushes `item` cut at its glyph clusters: after URL punctuation
    /// always, anywhere else when `anywhere`.
    fn split_box(&mut self, item: Item, content: Content, anywhere: bool) {
        let Content::Text {
            word,
            run,
            piece,
            glyphs,
        } = content
        else {
            self.push(item, content);
            return;
        };
        let all = self.fonts.word_glyphs(word);
        let text = self
            .text
            .get(piece.0 as usize..piece.1 as usize)
            .unwrap_or("");
        // Where a cut may go, and at what cost.
        let mut cuts: Vec<(u32, f64)> = Vec::new();
        for g in glyphs.0 + 1..glyphs.1 {
            let (prev, here) = (all[g as usize - 1].cluster, all[g as usize].cluster);
            if prev == here {
                continue;
            }
            let before = text
                .get(..here.max(prev) as usize)
                .and_then(|t| t.chars().next_back());
            let url_break = before.is_some_and(|c| URL_BREAK_AFTER.contains(&c));
            if url_break {
                cuts.push((g, URL_BREAK_PENALTY));
            } else if anywhere {
                cuts.push((g, CHARACTER_BREAK_PENALTY));
            }
        }
        if cuts.is_empty() {
            self.push(item, content);
            return;
        }
        let scale = {
            let style = self.runs[run as usize].style;
            self.fonts.scale(self.fonts.word(word).face, style.size)
        };
        // The parts keep the box's font expansion (CJK boxes have none).
        let expand = !(item.stretch == 0.0 && self.expansion() > 0.0);
        let mut g0 = glyphs.0;
        for (g, cost) in cuts {
            self.push_glyphs(word, run, piece, (g0, g), scale, expand);
            let kind = if cost == CHARACTER_BREAK_PENALTY {
                Content::CharBreak
            } else {
                Content::Nothing
            };
            self.push(Item::penalty(0.0, cost, false), kind);
            g0 = g;
        }
        self.push_glyphs(word, run, piece, (g0, glyphs.1), scale, expand);
    }

    /// Emits marker boxes for all markers at offsets ≤ `upto`.
    fn flush_markers(&mut self, next: &mut usize, upto: u32) {
        while *next < self.markers.len() && self.markers[*next].0 <= upto {
            let m = self.markers[*next].1;
            self.push(Item::boxed(0.0), Content::Marker(m));
            *next += 1;
        }
    }

    fn add_space(&mut self, text: &str, at: u32, end: u32) {
        let Some(run) = self.run_at(at) else {
            return;
        };
        // Space only between content: not at the start of the paragraph
        // or after the indent (nothing to separate), and runs of spaces
        // (across style changes) collapse into one glue.
        match (self.items.last(), self.content.last()) {
            (Some(last), Some(c)) if last.kind == Kind::Box && !matches!(c, Content::Indent) => {}
            _ => return,
        }
        // A space between CJK text and a Latin word is set as the gap
        // between them would be without it (see `cjk::LATIN_GAP`).
        let ideograph = |c: Option<char>| {
            c.is_some_and(|c| !c.is_ascii() && cjk::class(c) == cjk::Class::Ideograph)
        };
        // (Not beside raised text: a note marker is no Latin word.)
        if self.cjk
            && (ideograph(text[..at as usize].chars().next_back())
                || ideograph(text[end as usize..].chars().next()))
            && !self.raised_at(at.saturating_sub(1))
            && !self.raised_at(end)
        {
            let em = self.runs[run as usize].style.size.0;
            let item = if self.justified() {
                Item::glue(
                    cjk::LATIN_GAP * em,
                    cjk::LATIN_GAP_STRETCH * em,
                    cjk::LATIN_GAP_SHRINK * em,
                )
            } else {
                Item::glue(cjk::LATIN_GAP * em, 0.0, 0.0)
            };
            self.push(item, Content::Space { run, at });
            return;
        }
        let r = &mut self.runs[run as usize];
        let w = match r.space {
            Some(w) => w,
            None => {
                let w = self.fonts.width(" ", r.style.face, r.style.size).0;
                r.space = Some(w);
                w
            }
        };
        if r.style.face == Face::Mono {
            // Spaces inside code are as wide as they are written: each one
            // a character cell, never stretched or shrunk.
            let code_end = end.min(r.end) as usize;
            let n = text[at as usize..code_end].chars().count();
            self.push(
                Item::glue(w * n.max(1) as f64, 0.0, 0.0),
                Content::Space { run, at },
            );
            return;
        }
        let item = if self.justified() {
            Item::glue(
                w,
                w * self.tuning.space_stretch,
                w * self.tuning.space_shrink,
            )
        } else {
            Item::glue(w, 0.0, 0.0)
        };
        self.push(item, Content::Space { run, at });
    }

    /// Adds a run of non-space text `start..end`: shaped pieces (split at
    /// style runs and markers, and for shaping where the bidi level
    /// changes and around CJK characters) with their internal break
    /// opportunities and joins.
    fn add_word(
        &mut self,
        text: &str,
        start: u32,
        end: u32,
        opportunities: &[(u32, BreakOpportunity)],
        next_marker: &mut usize,
    ) {
        // Opportunities strictly inside the word.
        let lo = opportunities.partition_point(|o| o.0 <= start);
        let hi = opportunities.partition_point(|o| o.0 < end);
        self.scratch.clear();
        for &(at, _) in &opportunities[lo..hi] {
            let before = text[..at as usize].chars().next_back().unwrap_or(' ');
            let after = text[at as usize..].chars().next().unwrap_or(' ');
            let kind = if before == '\u{AD}' {
                BreakKind::Soft
            } else if is_dash(after) {
                // Never start a line with a dash.
                continue;
            } else if is_dash(before) {
                BreakKind::AfterDash
            } else {
                BreakKind::Other
            };
            self.scratch.push((at, kind));
        }
        let word = &text[start as usize..end as usize];
        if !self.hyphenation.iter().all(Option::is_none) && !looks_like_code_or_url(word) {
            // Hyphenation points of each alphabetic stretch of the word
            // (combining marks, as Devanagari's vowel signs, belong to it),
            // in the language of the run it starts in.
            let mut it = word.char_indices().peekable();
            while let Some((i, c)) = it.next() {
                if !c.is_alphabetic() {
                    continue;
                }
                let mut j = i + c.len_utf8();
                while let Some(&(k, d)) = it.peek() {
                    if !(d.is_alphabetic() || (!d.is_ascii() && is_combining(d))) {
                        break;
                    }
                    j = k + d.len_utf8();
                    it.next();
                }
                let lang = if self.hyphenation.len() == 1 {
                    self.hyphenation[0]
                } else {
                    self.run_at(start + i as u32)
                        .and_then(|r| self.hyphenation[usize::from(self.runs[r as usize].lang)])
                };
                let Some(lang) = lang else {
                    continue;
                };
                for &p in self.fonts.hyphenator.points(lang, &word[i..j]) {
                    self.scratch
                        .push((start + i as u32 + u32::from(p), BreakKind::Hyphenation));
                }
            }
            self.scratch.sort_unstable();
        }
        if self.mono {
            // Code breaks only at its spaces: not after `!` in `!Send`, nor
            // at a hyphen of `--release` (a word too long for the line
            // still breaks, see `break_long_stretches`).
            let mut scratch = std::mem::take(&mut self.scratch);
            scratch.retain(|&(at, _)| !self.code_at(at) && !self.code_at(at.saturating_sub(1)));
            self.scratch = scratch;
        }
        if (self.cjk || self.unspaced) && !word.is_ascii() {
            self.add_joins(text, start, end);
        }
        // Pieces: split at style-run boundaries and markers.
        let mut piece_start = start;
        let mut opp = 0usize;
        while piece_start < end {
            let Some(run) = self.run_at(piece_start) else {
                // A bidi control between runs: it is not drawn.
                let c = text[piece_start as usize..]
                    .chars()
                    .next()
                    .map_or(1, char::len_utf8);
                piece_start += c as u32;
                continue;
            };
            let mut piece_end = end.min(self.runs[run as usize].end);
            if *next_marker < self.markers.len() {
                let m = self.markers[*next_marker].0;
                if m <= piece_start {
                    self.flush_markers(next_marker, piece_start);
                } else if m < piece_end {
                    piece_end = m;
                }
            }
            if let Some((width, mark)) = self.runs[run as usize].object {
                // An object is its own piece (its run holds only U+FFFC).
                self.push(Item::boxed(width), Content::Object { run, mark });
                while opp < self.scratch.len() && self.scratch[opp].0 <= piece_end {
                    let (at, kind) = self.scratch[opp];
                    opp += 1;
                    if at == piece_end {
                        self.push_break(kind, run, at);
                    }
                }
                piece_start = piece_end;
                if *next_marker < self.markers.len() && self.markers[*next_marker].0 == piece_start
                {
                    self.flush_markers(next_marker, piece_start);
                }
                continue;
            }
            let style = self.runs[run as usize].style;
            self.cut_piece(text, piece_start, piece_end);
            let mut seg_start = piece_start;
            for k in 0..self.cuts.len() {
                let seg_end = self.cuts[k];
                let seg_text = &text[seg_start as usize..seg_end as usize];
                let variant = self.variant(run, seg_start);
                let word = self.fonts.shape_word_as(style.face, seg_text, variant);
                // CJK characters are not widened by font expansion.
                let expand = !seg_text.chars().next().is_some_and(cjk::is_cjk);
                // What the face has no glyphs for is set in a fallback face:
                // the piece splits into sub-pieces, one per face.
                let whole = [(style.face, 0..seg_end - seg_start, word)];
                let split;
                let subs = if !self.fonts.word(word).missing {
                    &whole[..]
                } else if let Some((face, w)) = self.fonts.fallback_whole(word) {
                    split = vec![(face, 0..seg_end - seg_start, w)];
                    split.as_slice()
                } else {
                    let span = self.span_of(run, (seg_start, seg_end));
                    split = self
                        .fonts
                        .fallback_pieces_as(style.face, seg_text, span, variant);
                    split.as_slice()
                };
                for (face, sub, word) in subs {
                    let (word, sub_start, sub_end) =
                        (*word, seg_start + sub.start, seg_start + sub.end);
                    let scale = self.fonts.scale(*face, style.size);
                    let nglyphs = self.fonts.word_glyphs(word).len() as u32;
                    let mut g0 = 0u32;
                    while opp < self.scratch.len() && self.scratch[opp].0 <= sub_end {
                        let (at, kind) = self.scratch[opp];
                        opp += 1;
                        // Glyph boundary for the break: a glyph whose cluster starts
                        // exactly there (not inside a ligature).
                        let g1 = if at == sub_end {
                            nglyphs
                        } else {
                            let rel = at - sub_start;
                            let glyphs = self.fonts.word_glyphs(word);
                            match glyphs.iter().position(|g| g.cluster == rel) {
                                Some(g) => g as u32,
                                None => continue,
                            }
                        };
                        if g1 <= g0 && at != sub_end {
                            continue;
                        }
                        let piece = (sub_start, sub_end);
                        self.push_glyphs(word, run, piece, (g0, g1), scale, expand);
                        g0 = g1;
                        self.push_break(kind, run, at);
                        if at == sub_end {
                            break;
                        }
                    }
                    if g0 < nglyphs {
                        let piece = (sub_start, sub_end);
                        self.push_glyphs(word, run, piece, (g0, nglyphs), scale, expand);
                    }
                }
                seg_start = seg_end;
            }
            piece_start = piece_end;
            if *next_marker < self.markers.len() && self.markers[*next_marker].0 == piece_start {
                self.flush_markers(next_marker, piece_start);
            }
        }
    }

    /// Where the piece `start..end` of one style run is cut for shaping,
    /// into `self.cuts` (each cut is the end of a part; the last is `end`):
    /// where the bidi level changes, and around each CJK character (a
    /// word of its own, with the marks and variation selectors after it).
    fn cut_piece(&mut self, text: &str, start: u32, end: u32) {
        self.cuts.clear();
        let piece = &text[start as usize..end as usize];
        let cjk = self.cjk && !piece.is_ascii() && cjk::has_cjk(piece);
        if !cjk && self.levels.is_none() {
            self.cuts.push(end);
            return;
        }
        let mut prev: Option<(usize, char)> = None;
        for (i, c) in piece.char_indices() {
            let at = start as usize + i;
            if let Some((p, pc)) = prev {
                let level_change = self.levels.as_ref().is_some_and(|l| l.at(at) != l.at(p));
                let around_cjk = cjk && (cjk::is_cjk(c) || cjk::is_cjk(pc)) && !is_combining(c);
                if level_change || around_cjk {
                    self.cuts.push(at as u32);
                }
            }
            if !is_combining(c) || prev.is_none() {
                prev = Some((at, c));
            }
        }
        self.cuts.push(end);
    }

    /// Adds to `self.scratch` the joins inside the word `start..end`:
    /// between CJK characters and their neighbours ([`cjk::join`]), and at
    /// the word boundaries of Thai, Lao, Khmer and Burmese
    /// ([`segment::word_boundaries`]). A join where UAX #14 allows a break
    /// (and kinsoku does not forbid it) is breakable and replaces that
    /// opportunity; elsewhere it only spaces the characters.
    fn add_joins(&mut self, text: &str, start: u32, end: u32) {
        let word = &text[start as usize..end as usize];
        let has_cjk = cjk::has_cjk(word);
        let has_unspaced = segment::has_unspaced(word);
        if !has_cjk && !has_unspaced {
            return;
        }
        // (offset, join, whether kinsoku lets a line break there, whether
        // a dictionary found a word boundary there).
        let mut joins: Vec<(u32, cjk::Join, bool, bool)> = Vec::new();
        if has_cjk {
            let half_blank = cjk::half_blank_punctuation(&self.opts.language);
            let mut prev: Option<(u32, char)> = None;
            for (i, c) in word.char_indices() {
                if is_combining(c) {
                    continue;
                }
                let at = start + i as u32;
                if let Some((p_at, p)) = prev {
                    if let Some(mut j) = cjk::join(p, c, half_blank) {
                        let mut allowed = !cjk::never_starts_line(c) && !cjk::never_ends_line(p);
                        let latin = cjk::class(p) == cjk::Class::Latin
                            || cjk::class(c) == cjk::Class::Latin;
                        if latin && (self.raised_at(p_at) || self.raised_at(at)) {
                            // A note marker (raised text) sits right against
                            // its word: no CJK–Latin space, and no break
                            // before it.
                            j = cjk::Join {
                                gap: 0.0,
                                stretch: 0.0,
                                shrink: 0.0,
                                end_trim: 0.0,
                            };
                            allowed &= !self.raised_at(at);
                        }
                        joins.push((at, j, allowed, false));
                    }
                }
                prev = Some((at, c));
            }
        }
        if has_unspaced {
            let mut cuts = Vec::new();
            segment::word_boundaries(word, &mut cuts);
            let joint = cjk::Join {
                gap: 0.0,
                stretch: segment::WORD_JOINT_STRETCH,
                shrink: 0.0,
                end_trim: 0.0,
            };
            joins.extend(cuts.into_iter().map(|c| (start + c, joint, true, true)));
            joins.sort_by_key(|j| j.0);
        }
        if joins.is_empty() {
            return;
        }
        // Merge: a join takes the place of the opportunity at its offset
        // (breakable if there was one, or for a dictionary boundary).
        let old = std::mem::take(&mut self.scratch);
        let mut k = 0;
        for (at, join, allowed, dictionary) in joins {
            let mut breakable = false;
            while k < old.len() && old[k].0 <= at {
                if old[k].0 == at && old[k].1 == BreakKind::Other {
                    breakable = true;
                } else {
                    self.scratch.push(old[k]);
                }
                k += 1;
            }
            let breakable = allowed && (breakable || dictionary);
            self.joins.push((join, breakable));
            self.scratch
                .push((at, BreakKind::Join((self.joins.len() - 1) as u32)));
        }
        self.scratch.extend_from_slice(&old[k..]);
        self.scratch.sort_by_key(|o| o.0);
    }

    fn push_glyphs(
        &mut self,
        word: WordId,
        run: u32,
        piece: (u32, u32),
        glyphs: (u32, u32),
        scale: f64,
        expand: bool,
    ) {
        let g = &self.fonts.word_glyphs(word)[glyphs.0 as usize..glyphs.1 as usize];
        let units: i32 = g.iter().map(|g| g.advance).sum();
        let w = f64::from(units) * scale;
        let item = if expand {
            self.text_box(w)
        } else {
            Item::boxed(w)
        };
        self.push(
            item,
            Content::Text {
                word,
                run,
                piece,
                glyphs,
            },
        );
    }

    fn push_break(&mut self, kind: BreakKind, run: u32, at: u32) {
        match kind {
            BreakKind::Hyphenation | BreakKind::Soft => {
                let style = self.runs[run as usize].style;
                let word = self.fonts.shape_word(style.face, "-");
                let w = f64::from(self.fonts.word(word).advance)
                    * self.fonts.scale(style.face, style.size);
                let cost = if self.justified() {
                    self.tuning.hyphen_penalty
                } else {
                    self.tuning.ragged_hyphen_penalty
                };
                let mut item = Item::penalty(w, cost, true);
                item.hyphenation = kind == BreakKind::Hyphenation;
                // The hyphen is expanded with the line it ends.
                let e = self.expansion();
                (item.stretch, item.shrink) = (w * e, w * e);
                self.push(item, Content::Hyphen { run, word });
            }
            BreakKind::AfterDash => self.push(
                Item::penalty(0.0, self.tuning.ex_hyphen_penalty, true),
                Content::Nothing,
            ),
            BreakKind::Other => self.push(
                Item::penalty(0.0, OTHER_BREAK_PENALTY, false),
                Content::Nothing,
            ),
            BreakKind::Join(i) => {
                let (join, breakable) = self.joins[i as usize];
                let em = self.runs[run as usize].style.size.0;
                let glue = join.gap != 0.0 || join.stretch != 0.0 || join.shrink != 0.0;
                if breakable {
                    // Breaking here, the blank of a closing mark hangs out.
                    self.push(
                        Item::penalty(-join.end_trim * em, 0.0, false),
                        Content::Nothing,
                    );
                } else if glue {
                    // Glue after a box would be a break: not here.
                    self.push(
                        Item::penalty(0.0, INFINITE_PENALTY, false),
                        Content::Nothing,
                    );
                }
                if glue {
                    let item = if self.justified() {
                        self.joined |= join.stretch > 0.0;
                        Item::glue(join.gap * em, join.stretch * em, join.shrink * em)
                    } else {
                        Item::glue(join.gap * em, 0.0, 0.0)
                    };
                    self.push(item, Content::Gap { at });
                }
            }
        }
    }

    /// How far the last (`last`) or first glyph of text box `i` may hang
    /// into the margin: 0 unless it is a single punctuation character with
    /// a protrusion factor.
    fn hang(&self, i: usize, last: bool) -> f64 {
        let Content::Text {
            word,
            run,
            piece,
            glyphs,
        } = self.content[i]
        else {
            return 0.0;
        };
        let all = self.fonts.word_glyphs(word);
        let text = self
            .text
            .get(piece.0 as usize..piece.1 as usize)
            .unwrap_or("");
        // Cheap test first: the character at the box edge.
        let (gi, factor) = if last {
            let Some(gi) = (glyphs.1 as usize).checked_sub(1) else {
                return 0.0;
            };
            let end = all
                .get(glyphs.1 as usize)
                .map_or(text.len(), |g| g.cluster as usize);
            let c = text.get(..end).and_then(|t| t.chars().next_back());
            (gi, c.map_or(0.0, protrusion::right))
        } else {
            let gi = glyphs.0 as usize;
            let start = all.get(gi).map_or(text.len(), |g| g.cluster as usize);
            let c = text.get(start..).and_then(|t| t.chars().next());
            (gi, c.map_or(0.0, protrusion::left))
        };
        if factor == 0.0 {
            return 0.0;
        }
        // Only a glyph that stands for exactly one character protrudes.
        let Some(g) = all.get(gi) else {
            return 0.0;
        };
        if super::shape::glyph_text(all, gi, text).chars().count() != 1 {
            return 0.0;
        }
        let style = self.runs[run as usize].style;
        factor * f64::from(g.advance) * self.fonts.scale(self.fonts.word(word).face, style.size)
    }

    /// Fills in the margin hangs of every possible break.
    fn set_hangs(&mut self) {
        for i in 0..self.items.len() {
            let it = self.items[i];
            if it.kind == Kind::Box {
                continue;
            }
            let right = match self.content[i] {
                Content::Hyphen { .. } => protrusion::right('-') * it.width,
                _ if (it.penalty > -INFINITE_PENALTY || it.kind == Kind::Glue)
                    && i > 0
                    && self.items[i - 1].kind == Kind::Box =>
                {
                    self.hang(i - 1, true)
                }
                _ => 0.0,
            };
            let next = linebreak::line_start(&self.items, i);
            let left = if next < self.items.len() {
                self.hang(next, false)
            } else {
                0.0
            };
            self.items[i].hang_right = right;
            self.items[i].hang_left = left;
        }
    }

    fn start_hang(&self) -> f64 {
        if !self.protrudes() || self.items.is_empty() {
            return 0.0;
        }
        self.hang(0, false)
    }

    /// Source span of the text of box `i` (the glyphs it holds, not the
    /// whole word it was cut from).
    fn box_span(&self, i: usize) -> Option<Span> {
        if let Content::Object { run, .. } = self.content[i] {
            return self.runs.get(run as usize).map(|r| r.span);
        }
        let Content::Text {
            word,
            run,
            piece,
            glyphs,
        } = self.content[i]
        else {
            return None;
        };
        let all = self.fonts.word_glyphs(word);
        let len = piece.1 - piece.0;
        let at = |g: u32| all.get(g as usize).map_or(len, |g| g.cluster.min(len));
        Some(self.span_of(run, (piece.0 + at(glyphs.0), piece.0 + at(glyphs.1))))
    }

    fn span_of(&self, run: u32, range: (u32, u32)) -> Span {
        let r = &self.runs[run as usize];
        if r.exact {
            Span {
                file: r.span.file,
                start: r.span.start + (range.0 - r.start),
                end: r.span.start + (range.1 - r.start),
            }
        } else {
            r.span
        }
    }
}

/// Pushes a zero-width atom at pen position `x` for each bidi isolate
/// control right before byte `at` of the paragraph text, at its level.
/// The controls are never drawn, but they keep the text inside an
/// isolate apart from its neighbours when the line is reordered: a note
/// number isolated after `16` in right-to-left text has the number's
/// level, and without them rule L2 would reverse the two as one run.
fn isolate_atoms(b: &Builder, at: u32, x: f64, atoms: &mut Vec<Atom>) {
    let Some(levels) = &b.levels else {
        return;
    };
    let before = &b.text[..at as usize];
    let controls = before
        .chars()
        .rev()
        .take_while(|c| {
            matches!(
                *c,
                LEFT_TO_RIGHT_ISOLATE
                    | RIGHT_TO_LEFT_ISOLATE
                    | FIRST_STRONG_ISOLATE
                    | POP_DIRECTIONAL_ISOLATE
            )
        })
        .count();
    // Each control is three bytes (U+2066–U+2069).
    let first = at as usize - controls * POP_DIRECTIONAL_ISOLATE.len_utf8();
    for k in 0..controls {
        atoms.push(Atom {
            x,
            width: 0.0,
            level: levels.at(first + k * POP_DIRECTIONAL_ISOLATE.len_utf8()),
            glyph: None,
        });
    }
}

/// Key deciding when a new [`TextRun`] starts.
fn same_run(a: &TextStyle, b: &TextStyle) -> bool {
    a.face == b.face && a.size == b.size && a.gray == b.gray && a.rise == b.rise
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
    let total: usize = items.iter().map(joined_len).sum();
    if total <= 2 * PIECE_BYTES {
        return layout_piece(fonts, items, opts, tuning, false).layout;
    }
    let mut out = ParagraphLayout {
        lines: Vec::new(),
        issues: Vec::new(),
    };
    let mut opts = opts.clone();
    let mut from = 0;
    loop {
        let last = total - from <= 2 * PIECE_BYTES;
        let end = if last { total } else { from + PIECE_BYTES };
        let (piece, prefix) = slice_items(items, from, end);
        let laid = layout_piece(fonts, &piece, &opts, tuning, !last);
        let first_line = out.lines.len();
        // Offsets in the piece's text (after the state re-opened in front
        // of it) → offsets in the paragraph's.
        let shift = |at: usize| (at + from).saturating_sub(prefix);
        for mut line in laid.layout.lines {
            line.text_start = shift(line.text_start);
            out.lines.push(line);
        }
        for mut issue in laid.layout.issues {
            issue.line += first_line;
            out.issues.push(issue);
        }
        if last {
            return out;
        }
        // The next piece goes on from the word after the last line kept,
        // in the same direction and without an indent.
        opts.first_indent = Pt::ZERO;
        opts.rtl = Some(laid.rtl);
        from = laid.next.map_or(end, shift).clamp(from + 1, end);
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

/// The items of a paragraph from joined-text offset `from` (a character
/// boundary) to about `end`, after the language and the isolates open at
/// `from`; with the length those re-opened items add in front. Items of no
/// length at `from` (markers, a language) go with the text after them.
fn slice_items(items: &[ParItem], from: usize, end: usize) -> (Vec<ParItem>, usize) {
    let mut language: Option<String> = None;
    let mut isolates: Vec<Option<bool>> = Vec::new();
    let mut piece = Vec::new();
    let mut pos = 0;
    let mut started = false;
    for item in items {
        let len = joined_len(item);
        let (a, b) = (pos, pos + len);
        pos = b;
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
            }
            _ => piece.push(item.clone()),
        }
    }
    let prefix = piece
        .iter()
        .take_while(|i| matches!(i, ParItem::Language(_) | ParItem::Isolate(_)))
        .map(joined_len)
        .sum();
    (piece, prefix)
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
        let at_space = (0..keep).rev().find_map(|n| match b.content[breaks[n].at] {
            Content::Space { at, .. } if b.items[breaks[n].at].kind == Kind::Glue => Some((n, at)),
            _ => None,
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

/// Positions the glyphs of the line `start..br.at` and appends it to `out`.
#[allow(clippy::too_many_arguments)]
fn set_line(
    b: &Builder<'_>,
    params: &Params,
    start: usize,
    br: &linebreak::Break,
    hang_left: f64,
    last: bool,
    default_span: Span,
    out: &mut ParagraphLayout,
    glyphs: &mut GlyphSink,
) {
    let end = br.at;
    let items = &b.items;
    let sums = linebreak::line_sums(items, start, end, hang_left);
    // Glue setting: justified lines stretch or shrink their glue; a line with
    // fill glue (the last) keeps natural spaces unless it must shrink.
    let r = br.ratio;
    // How the slack is shared between spaces and font expansion (an
    // infinite ratio means there is nothing to set: nothing moves).
    let split = sums.split(r);
    let glue_ratio = split.glue_ratio;
    // Every expandable box stretches by the same fraction of its width.
    let h_scale = 1.0 + split.font_ratio * b.expansion();
    let set_width = sums.width
        + if glue_ratio >= 0.0 {
            glue_ratio * sums.stretch
        } else {
            glue_ratio * sums.shrink
        }
        + sums.font_delta(split.font_ratio);
    // Where the line starts inside the measure (a right-to-left line's
    // start is the right edge).
    let flush_right = (params.measure - set_width).max(0.0);
    let offset = match (b.opts.align, b.rtl) {
        (Alignment::Justify | Alignment::Left, false) | (Alignment::Right, true) => 0.0,
        (Alignment::Center, _) => flush_right / 2.0,
        (Alignment::Right, false) | (Alignment::Justify | Alignment::Left, true) => flush_right,
    };
    // With bidi levels, the line is placed in logical order first and
    // then reordered: every glyph and gap is noted as an atom.
    let mut atoms: Option<Vec<Atom>> = b.levels.as_ref().map(|_| Vec::new());
    let level_at = |at: u32| b.levels.as_ref().map_or(0, |l| l.at(at as usize));
    let base_level = b.levels.as_ref().map_or(0, Levels::base);
    let mut x = offset - hang_left;
    let mut line = Line {
        runs: Vec::new(),
        links: Vec::new(),
        markers: Vec::new(),
        width: Pt(set_width),
        ascent: Pt::ZERO,
        descent: Pt::ZERO,
        hyphenated: false,
        // What the spaces did; for a line without them, the whole line's
        // ratio (a line that cannot stretch is hopelessly loose).
        ratio: if sums.fil > 0.0 && r >= 0.0 {
            0.0
        } else if (r >= 0.0 && sums.stretch > 0.0) || (r < 0.0 && sums.shrink > 0.0) {
            glue_ratio.clamp(-MAX_REPORTED_RATIO, MAX_REPORTED_RATIO)
        } else {
            r.clamp(-MAX_REPORTED_RATIO, MAX_REPORTED_RATIO)
        },
        span: default_span,
        text_start: b.text.len(),
    };
    let mut have_span = false;
    let mut cur_style: Option<TextStyle> = None;
    // Longest unbreakable stretch of boxes, for WordTooLong.
    let mut chunk = (0.0f64, 0usize);
    let mut too_long: Option<(usize, usize)> = None;

    let flush = |style: Option<TextStyle>, glyphs: &mut GlyphSink, line: &mut Line| {
        if let Some(s) = style {
            if !glyphs.glyphs.is_empty() {
                let m = b.fonts.metrics(s.face);
                line.ascent = line.ascent.max(Pt(m.ascender * s.size.0 + s.rise.0));
                line.descent = line.descent.max(Pt(m.descender * s.size.0 - s.rise.0));
                let (glyphs, text, offsets) = glyphs.take();
                line.runs.push(TextRun {
                    color: None,
                    font: b.fonts.font_id(s.face),
                    size: s.size,
                    baseline: -s.rise,
                    gray: s.gray,
                    text,
                    glyphs,
                    offsets,
                    h_scale: h_scale as f32,
                });
            }
        }
    };
    let add_link = |line: &mut Line, link: Option<usize>, x0: f64, x1: f64| {
        if let Some(l) = link {
            if let Some(lastl) = line.links.last_mut() {
                if lastl.2 == l && (lastl.1 .0 - x0).abs() < 1e-6 {
                    lastl.1 = Pt(x1);
                    return;
                }
            }
            line.links.push((Pt(x0), Pt(x1), l));
        }
    };

    let stop = if end < items.len() && items[end].kind == Kind::Penalty {
        end + 1
    } else {
        end
    };
    for (i, it) in items.iter().enumerate().take(stop).skip(start) {
        match b.content[i] {
            Content::Text {
                word,
                run,
                piece,
                glyphs: g,
            } => {
                // The word's face: the run's, or a fallback for glyphs it lacks.
                let face = b.fonts.word(word).face;
                let style = TextStyle {
                    face,
                    ..b.runs[run as usize].style
                };
                if !cur_style.is_some_and(|c| same_run(&c, &style)) {
                    flush(cur_style, glyphs, &mut line);
                    cur_style = Some(style);
                }
                if !have_span {
                    line.span = b.box_span(i).unwrap_or(line.span);
                    line.text_start = piece.0 as usize;
                    have_span = true;
                }
                let scale = b.fonts.scale(style.face, style.size);
                let text = &b.text[piece.0 as usize..piece.1 as usize];
                let x0 = x;
                let first_glyph = glyphs.glyphs.len();
                x = b
                    .fonts
                    .place_word(
                        word,
                        g.0 as usize..g.1 as usize,
                        text,
                        Pt(x),
                        (scale, h_scale),
                        glyphs,
                    )
                    .0;
                if let Some(atoms) = atoms.as_mut() {
                    if g.0 == 0 {
                        isolate_atoms(b, piece.0, x0, atoms);
                    }
                    let shaped = &b.fonts.word_glyphs(word)[g.0 as usize..g.1 as usize];
                    let r = line.runs.len() as u32;
                    let mut pen = x0;
                    for (k, placed) in glyphs.glyphs[first_glyph..].iter().enumerate() {
                        let at = piece.0 + shaped.get(k).map_or(0, |s| s.cluster);
                        atoms.push(Atom {
                            x: pen,
                            width: placed.advance.0,
                            level: level_at(at),
                            glyph: Some((r, (first_glyph + k) as u32)),
                        });
                        pen += placed.advance.0;
                    }
                }
                add_link(&mut line, b.runs[run as usize].link, x0, x);
                if chunk.0 == 0.0 {
                    chunk.1 = i;
                }
                chunk.0 += it.width;
                if chunk.0 > params.measure + WIDTH_EPSILON && too_long.is_none() {
                    too_long = Some((chunk.1, i));
                }
            }
            Content::Space { run, at } => {
                let w = it.width
                    + if glue_ratio >= 0.0 {
                        glue_ratio * it.stretch
                    } else {
                        glue_ratio * it.shrink
                    };
                let x0 = x;
                x += w;
                if let Some(atoms) = atoms.as_mut() {
                    isolate_atoms(b, at, x0, atoms);
                    atoms.push(Atom {
                        x: x0,
                        width: w,
                        level: level_at(at),
                        glyph: None,
                    });
                }
                // A space inside a link is part of it.
                let link = b.runs[run as usize].link;
                if link.is_some() && line.links.last().is_some_and(|l| Some(l.2) == link) {
                    add_link(&mut line, link, x0, x);
                }
                chunk.0 = 0.0;
            }
            Content::Hyphen { run, word } => {
                if i == end {
                    let style = b.runs[run as usize].style;
                    if !cur_style.is_some_and(|c| same_run(&c, &style)) {
                        flush(cur_style, glyphs, &mut line);
                        cur_style = Some(style);
                    }
                    let scale = b.fonts.scale(style.face, style.size);
                    let n = b.fonts.word_glyphs(word).len();
                    let x0 = x;
                    let first_glyph = glyphs.glyphs.len();
                    x = b
                        .fonts
                        .place_word(word, 0..n, "-", Pt(x), (scale, h_scale), glyphs)
                        .0;
                    if let Some(atoms) = atoms.as_mut() {
                        // The hyphen goes with the word it ends.
                        let level = atoms.last().map_or(base_level, |a| a.level);
                        let r = line.runs.len() as u32;
                        let mut pen = x0;
                        for k in first_glyph..glyphs.glyphs.len() {
                            let w = glyphs.glyphs[k].advance.0;
                            atoms.push(Atom {
                                x: pen,
                                width: w,
                                level,
                                glyph: Some((r, k as u32)),
                            });
                            pen += w;
                        }
                    }
                    add_link(&mut line, b.runs[run as usize].link, x0, x);
                    line.hyphenated = true;
                }
                chunk.0 = 0.0;
            }
            Content::Indent => {
                if let Some(atoms) = atoms.as_mut() {
                    atoms.push(Atom {
                        x,
                        width: it.width,
                        level: base_level,
                        glyph: None,
                    });
                }
                x += it.width;
            }
            Content::Gap { at } => {
                let w = it.width
                    + if glue_ratio >= 0.0 {
                        glue_ratio * it.stretch
                    } else {
                        glue_ratio * it.shrink
                    };
                if let Some(atoms) = atoms.as_mut() {
                    atoms.push(Atom {
                        x,
                        width: w,
                        level: level_at(at),
                        glyph: None,
                    });
                }
                x += w;
                chunk.0 = 0.0;
            }
            Content::Object { run, mark } => {
                if !have_span {
                    line.span = b.box_span(i).unwrap_or(line.span);
                    line.text_start = b.runs[run as usize].start as usize;
                    have_span = true;
                }
                // The object's range first, then its link's, so a space
                // after it extends the link.
                add_link(&mut line, Some(mark), x, x + it.width);
                add_link(&mut line, b.runs[run as usize].link, x, x + it.width);
                if let Some(atoms) = atoms.as_mut() {
                    atoms.push(Atom {
                        x,
                        width: it.width,
                        level: level_at(b.runs[run as usize].start),
                        glyph: None,
                    });
                }
                x += it.width;
                if chunk.0 == 0.0 {
                    chunk.1 = i;
                }
                chunk.0 += it.width;
                if chunk.0 > params.measure + WIDTH_EPSILON && too_long.is_none() {
                    too_long = Some((chunk.1, i));
                }
            }
            Content::Marker(m) => line.markers.push(m),
            Content::Nothing | Content::CharBreak => {
                if it.kind == Kind::Glue {
                    if let Some(atoms) = atoms.as_mut() {
                        atoms.push(Atom {
                            x,
                            width: it.width,
                            level: base_level,
                            glyph: None,
                        });
                    }
                    x += it.width;
                }
                if i == end && it.kind == Kind::Penalty && it.width < 0.0 {
                    // The line ends in the blank half of a closing mark,
                    // which hangs into the margin (see `cjk::Join`): the
                    // line's extent stops at the ink.
                    if let Some(g) = glyphs.glyphs.last_mut() {
                        g.advance = Pt((g.advance.0 + it.width).max(0.0));
                    }
                    if let Some(a) = atoms.as_mut().and_then(|a| a.last_mut()) {
                        a.width = (a.width + it.width).max(0.0);
                    }
                }
                if it.kind == Kind::Penalty && it.penalty < INFINITE_PENALTY {
                    chunk.0 = 0.0;
                    if i == end && it.flagged {
                        line.hyphenated = true;
                    }
                }
            }
        }
    }
    flush(cur_style, glyphs, &mut line);
    if let Some(atoms) = atoms.filter(|a| !a.is_empty()) {
        line.runs = bidi::reorder_line(std::mem::take(&mut line.runs), &atoms, &mut line.links);
    }
    let n = out.lines.len();
    let over = sums.width - sums.shrink - sums.font_shrink - params.measure;
    if let Some((a, z)) = too_long {
        let span = match (b.box_span(a), b.box_span(z)) {
            (Some(s0), Some(s1)) => {
                if s0.file == s1.file && s1.end >= s0.start {
                    Span {
                        file: s0.file,
                        start: s0.start,
                        end: s1.end,
                    }
                } else {
                    s0
                }
            }
            _ => line.span,
        };
        out.issues.push(LineIssue {
            line: n,
            kind: LineIssueKind::WordTooLong,
            span,
        });
    } else if over > WIDTH_EPSILON {
        out.issues.push(LineIssue {
            line: n,
            kind: LineIssueKind::Overfull { by: Pt(over) },
            span: line.span,
        });
    } else if params.justified && !last && sums.fil == 0.0 && line.ratio > 1.0 {
        out.issues.push(LineIssue {
            line: n,
            kind: LineIssueKind::Loose { ratio: line.ratio },
            span: line.span,
        });
    }
    if matches!(b.content.get(end), Some(Content::CharBreak)) {
        let span = end
            .checked_sub(1)
            .and_then(|i| b.box_span(i))
            .unwrap_or(line.span);
        out.issues.push(LineIssue {
            line: n,
            kind: LineIssueKind::WordBroken,
            span,
        });
    }
    out.lines.push(line);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::fonts::tests::test_fonts;
    use crate::typeset::frame::Glyph;

    pub(crate) fn body(size: f64) -> TextStyle {
        TextStyle {
            face: Face::Regular,
            size: Pt(size),
            gray: 0.0,
            rise: Pt::ZERO,
        }
    }

    pub(crate) fn text(t: &str) -> ParItem {
        ParItem::Text {
            text: t.to_owned(),
            style: body(11.0),
            link: None,
            span: Span::default(),
        }
    }

    pub(crate) fn opts(measure: f64) -> ParOptions {
        ParOptions {
            measure: Pt(measure),
            first_indent: Pt::ZERO,
            align: Alignment::Justify,
            hyphenate: true,
            language: "en".into(),
            rtl: None,
            protrusion: false,
            expansion: 0.0,
        }
    }

    /// The text of a line, with a space wherever glyphs are visibly apart.
    pub(crate) fn line_text(l: &Line) -> String {
        let mut out = String::new();
        let mut end: Option<f64> = None;
        for r in &l.runs {
            for g in &r.glyphs {
                if end.is_some_and(|e| g.x.0 - e > 1.0) {
                    out.push(' ');
                }
                out.push_str(r.glyph_text(g));
                end = Some(g.x.0 + g.advance.0);
            }
        }
        out
    }

    /// Lays out `text` in body style with the given options.
    fn lay(fonts: &mut Fonts, text_: &str, o: &ParOptions) -> ParagraphLayout {
        layout_paragraph(fonts, &[text(text_)], o)
    }

    fn texts(lay: &ParagraphLayout) -> Vec<String> {
        lay.lines.iter().map(line_text).collect()
    }

    #[test]
    fn a_spaced_dash_never_opens_a_line() {
        let mut fonts = test_fonts();
        let text: String = (0..60)
            .map(|i| {
                if i % 3 == 2 {
                    "слово —"
                } else {
                    "время"
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        for measure in [90.0, 120.0, 150.0, 200.0] {
            let l = lay(&mut fonts, &text, &opts(measure));
            let lines = texts(&l);
            assert!(lines.len() > 3, "{lines:?}");
            assert!(
                lines.iter().all(|t| !t.trim_start().starts_with('—')),
                "{lines:#?}"
            );
        }
    }

    /// First paragraph of book/02-who-were-the-taliban.md.
    const BOOK_PAR: &str = "The Taliban is a Sunni Islamist group that started in the early 1990s, mainly made up of farmers and students from religious schools in Afghanistan and Pakistan. The group grew stronger in southern Afghanistan and quickly took control of several provinces.";

    /// The golden paragraphs: (name, text, measure in inches, first-line
    /// indent in points). 4.5in with an 11pt indent is the body of a 6×9in
    /// book at 11pt; 4.25in is a narrower measure.
    fn golden_cases() -> Vec<(&'static str, &'static str, f64, f64)> {
        vec![
            ("book 1 at 4.25in", BOOK_PAR, 4.25, 0.0),
            ("book 2 at 4.25in", BOOK_PAR2, 4.25, 0.0),
            ("book 2 at 4.5in", BOOK_PAR2, 4.5, 11.0),
            ("long words at 4.5in", LONG_WORDS, 4.5, 11.0),
            ("learned words at 4.5in", LEARNED, 4.5, 11.0),
        ]
    }

    /// Long words and names: TeX-style breaking set this paragraph with
    /// four hyphenated lines in a row.
    const LONG_WORDS: &str = "For almost a century, their fact transformed the representative between every salt. The anger was characteristically ancient. This legitimacy institutionalized the single evening of the leader above Tajikistan’s hand. This decade of Islamabad lost the irreconcilable development. She spread around the demilitarization. A report (at least 427 in 1968) investigated the late light.";

    /// Learned vocabulary in long sentences.
    const LEARNED: &str = "The representatives of the provincial administration negotiated with the commissioner throughout the winter; their correspondence, preserved in the archive at Peshawar, documents an extraordinary misunderstanding about the responsibilities of each government for the reconstruction of the infrastructure along the border.";

    fn golden_layout(fonts: &mut Fonts, text_: &str, inches: f64, indent: f64) -> ParagraphLayout {
        // As body text is set in a book: margin kerning, font expansion.
        let mut o = opts(Pt::from_inches(inches).0);
        o.protrusion = true;
        o.expansion = FONT_EXPANSION;
        o.first_indent = Pt(indent);
        lay(fonts, text_, &o)
    }

    /// Third paragraph of book/02-who-were-the-taliban.md.
    const BOOK_PAR2: &str = "TTP wants to remove Pakistani influence from certain areas and enforce strict Sharia law, and create an Islamic caliphate by overthrowing the Pakistani government. The group has worked closely with al-Qaida and has carried out attacks which include the failed bombing in Times Square in 2010. Under leaders like Baitullah Mehsud and Mullah Fazlullah, TTP has threatened to attack Western countries and called for violence against foreign troops.";

    /// All glyphs of a line with their run's size.
    fn glyphs(l: &Line) -> impl Iterator<Item = &Glyph> {
        l.runs.iter().flat_map(|r| r.glyphs.iter())
    }

    /// Right edge of the line's last glyph.
    fn right_edge(l: &Line) -> f64 {
        glyphs(l)
            .map(|g| g.x.0 + g.advance.0)
            .fold(f64::MIN, f64::max)
    }

    /// The text as the lines show it, hyphens at line ends removed.
    fn rejoin(lay: &ParagraphLayout) -> String {
        let mut out = String::new();
        for l in &lay.lines {
            let t = line_text(l);
            if l.hyphenated && t.ends_with('-') && !t.ends_with("--") {
                // Only a discretionary hyphen disappears; explicit ones stay,
                // which `texts_match` ignores anyway.
                out.push_str(&t[..t.len() - 1]);
            } else {
                out.push_str(&t);
                out.push(' ');
            }
        }
        out
    }

    /// Compares texts ignoring spaces and hyphens.
    fn texts_match(a: &str, b: &str) -> bool {
        let f = |s: &str| -> String {
            s.chars()
                .filter(|c| !c.is_whitespace() && *c != '-')
                .collect()
        };
        f(a) == f(b)
    }

    /// Line breaks of fixed paragraphs at fixed measures. They change
    /// only when the paragraph engine's tuning does, and then deliberately:
    /// print them with `print_golden` and look at them before updating.
    #[test]
    fn golden_breaks_of_book_paragraphs() {
        let expected: [&[&str]; 5] = [
            &[
                "The Taliban is a Sunni Islamist group that started in the early 1990s,",
                "mainly made up of farmers and students from religious schools in",
                "Afghanistan and Pakistan. The group grew stronger in southern",
                "Afghanistan and quickly took control of several provinces.",
            ],
            &[
                "TTP wants to remove Pakistani influence from certain areas and",
                "enforce strict Sharia law, and create an Islamic caliphate by over-",
                "throwing the Pakistani government. The group has worked closely",
                "with al-Qaida and has carried out attacks which include the failed",
                "bombing in Times Square in 2010. Under leaders like Baitullah",
                "Mehsud and Mullah Fazlullah, TTP has threatened to attack Western",
                "countries and called for violence against foreign troops.",
            ],
            &[
                "TTP wants to remove Pakistani influence from certain areas and",
                "enforce strict Sharia law, and create an Islamic caliphate by overthrow-",
                "ing the Pakistani government. The group has worked closely with al-",
                "Qaida and has carried out attacks which include the failed bombing in",
                "Times Square in 2010. Under leaders like Baitullah Mehsud and Mullah",
                "Fazlullah, TTP has threatened to attack Western countries and called",
                "for violence against foreign troops.",
            ],
            &[
                "For almost a century, their fact transformed the representative",
                "between every salt. The anger was characteristically ancient. This",
                "legitimacy institutionalized the single evening of the leader above",
                "Tajikistan’s hand. This decade of Islamabad lost the irreconcilable",
                "development. She spread around the demilitarization. A report (at",
                "least 427 in 1968) investigated the late light.",
            ],
            &[
                "The representatives of the provincial administration negotiated",
                "with the commissioner throughout the winter; their correspondence,",
                "preserved in the archive at Peshawar, documents an extraordinary",
                "misunderstanding about the responsibilities of each government for",
                "the reconstruction of the infrastructure along the border.",
            ],
        ];
        let mut fonts = test_fonts();
        let layouts: Vec<_> = golden_cases()
            .into_iter()
            .map(|(name, p, inches, indent)| (name, golden_layout(&mut fonts, p, inches, indent)))
            .collect();
        // On a change, show every case's lines (as they would be written
        // above) and ratios, to review the new breaks and update the list.
        let got: Vec<Vec<String>> = layouts.iter().map(|(_, l)| texts(l)).collect();
        if got.iter().zip(&expected).any(|(g, w)| g != w) {
            let mut all = String::new();
            for (name, l) in &layouts {
                all += &format!("{name}:\n");
                for line in &l.lines {
                    all += &format!("    {:?}, // {:+.3}\n", line_text(line), line.ratio);
                }
            }
            panic!("golden line breaks changed; now:\n{all}");
        }
        for ((name, l), want) in layouts.iter().zip(expected) {
            assert_eq!(texts(l), want, "{name}");
            // None is overfull or beyond the report's loose limit (ratio 2).
            assert!(
                l.issues
                    .iter()
                    .all(|i| matches!(i.kind, LineIssueKind::Loose { ratio } if ratio <= 2.0)),
                "{name}: {:?}",
                l.issues
            );
        }
    }

    #[test]
    fn no_line_exceeds_the_measure() {
        let mut fonts = test_fonts();
        let aligns = [
            Alignment::Justify,
            Alignment::Left,
            Alignment::Center,
            Alignment::Right,
        ];
        for align in aligns {
            for protrusion in [false, true] {
                let mut m = 140.0;
                while m < 420.0 {
                    let mut o = opts(m);
                    o.align = align;
                    o.protrusion = protrusion;
                    o.first_indent = Pt(11.0);
                    for p in [BOOK_PAR, BOOK_PAR2] {
                        let l = lay(&mut fonts, p, &o);
                        assert!(
                            l.issues
                                .iter()
                                .all(|i| !matches!(i.kind, LineIssueKind::Overfull { .. })),
                            "{m} {align:?}: {:?}",
                            l.issues
                        );
                        assert!(texts_match(&rejoin(&l), p), "{m} {align:?}");
                        for line in &l.lines {
                            assert!(line.width.0 <= m + 1e-6, "{m} {align:?}: {}", line.width.0);
                            // Hanging punctuation may pass the edge by less
                            // than half an em; nothing else may.
                            let slack = if protrusion && align == Alignment::Justify {
                                5.5
                            } else {
                                1e-6
                            };
                            assert!(
                                right_edge(line) <= m + slack,
                                "{m} {align:?} {}: {}",
                                line_text(line),
                                right_edge(line)
                            );
                            assert!(glyphs(line).all(|g| g.x.0 >= -slack));
                        }
                    }
                    m += 23.0;
                }
            }
        }
    }

    #[test]
    fn justified_lines_are_flush_and_the_last_is_ragged() {
        let mut fonts = test_fonts();
        let m = 250.0;
        let l = lay(&mut fonts, BOOK_PAR2, &opts(m));
        let n = l.lines.len();
        for (i, line) in l.lines.iter().enumerate() {
            if i + 1 < n {
                assert!(
                    (right_edge(line) - m).abs() < 0.01,
                    "line {i}: {}",
                    right_edge(line)
                );
                assert!((line.width.0 - m).abs() < 0.01);
            } else {
                assert!(right_edge(line) < m - 20.0);
                assert_eq!(line.ratio, 0.0);
            }
        }
    }

    #[test]
    fn font_expansion_widens_glyphs_within_the_limit_and_keeps_lines_flush() {
        let mut fonts = test_fonts();
        let m = 250.0;
        let mut o = opts(m);
        o.expansion = FONT_EXPANSION;
        let mut scales = Vec::new();
        for text in [BOOK_PAR, BOOK_PAR2, LONG_WORDS, LEARNED] {
            let l = lay(&mut fonts, text, &o);
            let n = l.lines.len();
            for (i, line) in l.lines.iter().enumerate() {
                let h = f64::from(line.runs[0].h_scale);
                // One scale per line, within the limit.
                assert!(line.runs.iter().all(|r| f64::from(r.h_scale) == h));
                assert!((1.0 - FONT_EXPANSION - 1e-6..=1.0 + FONT_EXPANSION + 1e-6).contains(&h));
                if i + 1 < n {
                    assert!((right_edge(line) - m).abs() < 0.01, "line {i}");
                    assert!((line.width.0 - m).abs() < 0.01, "line {i}");
                } else {
                    assert_eq!(h, 1.0, "the last line keeps its natural width");
                }
                scales.push(h);
            }
        }
        // The breaker does use it, both ways.
        assert!(scales.iter().any(|&h| h > 1.005), "{scales:?}");
        assert!(scales.iter().any(|&h| h < 0.995), "{scales:?}");
        // Ragged text is never expanded.
        o.align = Alignment::Left;
        let l = lay(&mut fonts, LEARNED, &o);
        assert!(l
            .lines
            .iter()
            .flat_map(|l| &l.runs)
            .all(|r| r.h_scale == 1.0));
    }

    #[test]
    fn hyphenation_happens_and_text_survives() {
        let mut fonts = test_fonts();
        let p = "International relationships between governments are extraordinarily complicated, particularly considering historical disagreements, unrecognized territorial boundaries and humanitarian responsibilities.";
        let l = lay(&mut fonts, p, &opts(150.0));
        let hyphenated: Vec<&Line> = l.lines.iter().filter(|l| l.hyphenated).collect();
        assert!(!hyphenated.is_empty(), "{:#?}", texts(&l));
        for h in &hyphenated {
            assert!(line_text(h).ends_with('-'));
        }
        assert!(texts_match(&rejoin(&l), p));
        // Minimum fragments: at least 2 letters before, 3 after a hyphen.
        for (i, line) in l.lines.iter().enumerate() {
            let t = line_text(line);
            if line.hyphenated {
                let frag = t.trim_end_matches('-').rsplit(' ').next().unwrap_or("");
                assert!(frag.chars().count() >= 2, "{t}");
                let next = line_text(&l.lines[i + 1]);
                let rest = next.split(' ').next().unwrap_or("");
                assert!(
                    rest.trim_end_matches([',', '.']).chars().count() >= 3,
                    "{next}"
                );
            }
        }
        // Without hyphenation no line ends in a hyphen.
        let mut o = opts(150.0);
        o.hyphenate = false;
        let l = lay(&mut fonts, p, &o);
        assert!(l.lines.iter().all(|l| !l.hyphenated));
        // Unknown language: no patterns, no hyphens.
        o.hyphenate = true;
        o.language = "xx".into();
        let l = lay(&mut fonts, p, &o);
        assert!(l.lines.iter().all(|l| !l.hyphenated));
    }

    #[test]
    fn ligatures_extract_as_their_letters() {
        let mut fonts = test_fonts();
        let p = "The office staff were efficient, affluent and fluffier than before.";
        let l = lay(&mut fonts, p, &opts(400.0));
        let all: Vec<&Glyph> = l.lines.iter().flat_map(glyphs).collect();
        assert!(
            l.lines
                .iter()
                .flat_map(|l| &l.runs)
                .flat_map(|r| r.glyphs.iter().map(move |g| r.glyph_text(g)))
                .any(|t| t.chars().count() > 1),
            "no ligature glyph"
        );
        assert!(all.len() < p.chars().filter(|c| *c != ' ').count());
        assert_eq!(texts(&l).join(" "), p);
    }

    #[test]
    fn shaped_words_are_cached() {
        let mut fonts = test_fonts();
        let o = opts(300.0);
        lay(&mut fonts, "the cat and the dog and the bird", &o);
        let first = fonts.cache_stats();
        // "the" ×3, "and" ×2: 5 distinct words, plus the space.
        assert!(first.hits >= 3, "{first:?}");
        lay(&mut fonts, BOOK_PAR, &o);
        let second = fonts.cache_stats();
        lay(&mut fonts, BOOK_PAR, &o);
        let third = fonts.cache_stats();
        assert_eq!(third.misses, second.misses, "second layout shapes nothing");
        assert!(third.hits > second.hits);
    }

    #[test]
    fn first_line_indent_is_honoured() {
        let mut fonts = test_fonts();
        let mut o = opts(250.0);
        o.first_indent = Pt(15.0);
        let l = lay(&mut fonts, BOOK_PAR, &o);
        let x0 = |l: &Line| glyphs(l).next().map(|g| g.x.0);
        assert!((x0(&l.lines[0]).unwrap_or(0.0) - 15.0).abs() < 1.0);
        assert!(x0(&l.lines[1]).unwrap_or(9.0).abs() < 1.0);
        // The indented line is still flush right.
        assert!((right_edge(&l.lines[0]) - 250.0).abs() < 0.01);
    }

    #[test]
    fn markers_and_links_report_their_lines() {
        let mut fonts = test_fonts();
        let link_style = body(11.0);
        let items = vec![
            text("The Taliban is a Sunni Islamist group that started in the early 1990s"),
            ParItem::Marker(7),
            text(", mainly made up of farmers and students from religious schools in "),
            ParItem::Text {
                text: "Afghanistan and Pakistan".into(),
                style: link_style,
                link: Some(3),
                span: Span::default(),
            },
            text(". The group grew stronger in southern Afghanistan."),
            ParItem::Marker(8),
        ];
        let o = opts(200.0);
        let l = layout_paragraph(&mut fonts, &items, &o);
        let line_of = |needle: &str| {
            l.lines
                .iter()
                .position(|x| line_text(x).contains(needle))
                .unwrap_or(usize::MAX)
        };
        let marker_line = l.lines.iter().position(|x| x.markers.contains(&7));
        assert_eq!(marker_line, Some(line_of("1990s")), "{:#?}", texts(&l));
        assert_eq!(
            l.lines.iter().position(|x| x.markers.contains(&8)),
            Some(l.lines.len() - 1)
        );
        // The link covers "Afghanistan and Pakistan", possibly over two lines.
        let with_link: Vec<(usize, &(Pt, Pt, usize))> = l
            .lines
            .iter()
            .enumerate()
            .flat_map(|(i, x)| x.links.iter().map(move |k| (i, k)))
            .collect();
        assert!(!with_link.is_empty());
        assert!(with_link.iter().all(|(_, k)| k.2 == 3 && k.1 .0 > k.0 .0));
        let first = with_link[0].0;
        assert_eq!(first, line_of("Afghanistan"));
        // The link's x-range starts at the "A" of Afghanistan.
        let line = &l.lines[first];
        let a = line
            .runs
            .iter()
            .flat_map(|r| r.glyphs.iter().map(move |g| (g, r.glyph_text(g))))
            .find(|(g, t)| *t == "A" && g.x.0 >= with_link[0].1 .0 .0 - 0.01)
            .map(|(g, _)| g.x.0);
        assert_eq!(
            a.map(|x| (x - with_link[0].1 .0 .0).abs() < 0.01),
            Some(true)
        );
        let total: f64 = with_link.iter().map(|(_, k)| k.1 .0 - k.0 .0).sum();
        let natural = fonts
            .width("Afghanistan and Pakistan", Face::Regular, Pt(11.0))
            .0;
        assert!(
            total > natural * 0.8 && total < natural * 1.5,
            "{total} vs {natural}"
        );
    }

    #[test]
    fn leading_spaces_and_marker_placement() {
        let mut fonts = test_fonts();
        let mut o = opts(300.0);
        o.first_indent = Pt(20.0);
        let items = vec![
            text("  Leading spaces vanish; the "),
            ParItem::Marker(1),
            text("marker sits before \"marker\"."),
        ];
        let l = layout_paragraph(&mut fonts, &items, &o);
        assert_eq!(l.lines.len(), 1);
        let first = glyphs(&l.lines[0]).next().map(|g| g.x.0).unwrap_or(0.0);
        assert!((first - 20.0).abs() < 1.0, "{first}");
        // On a narrow measure the marker travels with the word after it
        // (the measure just fits the text in two lines, broken before
        // "marker").
        let w = |fonts: &mut Fonts, t: &str| fonts.width(t, Face::Regular, Pt(11.0)).0;
        let first = w(&mut fonts, "Leading spaces vanish; the");
        let second = w(&mut fonts, "marker sits before \"marker\".");
        let o = opts(first.max(second) + 1.0);
        let l = layout_paragraph(&mut fonts, &items, &o);
        let at = l.lines.iter().position(|x| x.markers.contains(&1));
        let word = l
            .lines
            .iter()
            .position(|x| line_text(x).starts_with("marker"));
        assert_eq!(at, word, "{:#?}", texts(&l));
    }

    #[test]
    fn arbitrary_text_never_panics() {
        let mut fonts = test_fonts();
        let pieces = [
            "word",
            " ",
            "  ",
            "\t",
            "\u{a0}",
            "\u{ad}",
            "\u{200b}",
            "co-op",
            "\u{2014}",
            "\u{2013}",
            "http://x.org/a/b",
            "e\u{301}",
            "\u{5d0}\u{5d1}",
            "\u{627}\u{644}",
            "\u{1f600}",
            "ﬁ",
            "office",
            "\u{201c}",
            "\u{201d}",
            ".",
            ",",
            "extraordinarily",
            "\n",
            "\u{0}",
            "\u{fffd}",
            "Ǆ",
            "1990s",
        ];
        let mut seed = 12345u64;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) as usize) % n
        };
        for round in 0..80 {
            let mut items = Vec::new();
            for _ in 0..next(40) {
                match next(10) {
                    0 => items.push(ParItem::Marker(next(5))),
                    1 => items.push(ParItem::LineBreak),
                    _ => {
                        let mut t = String::new();
                        for _ in 0..1 + next(4) {
                            t.push_str(pieces[next(pieces.len())]);
                        }
                        let mut style = body(6.0 + next(10) as f64);
                        style.face = Face::ALL[next(5)];
                        items.push(ParItem::Text {
                            text: t,
                            style,
                            link: (next(3) == 0).then_some(next(4)),
                            span: Span::default(),
                        });
                    }
                }
            }
            let mut o = opts(20.0 + next(300) as f64);
            o.align = [
                Alignment::Justify,
                Alignment::Left,
                Alignment::Center,
                Alignment::Right,
            ][round % 4];
            o.protrusion = next(2) == 0;
            o.first_indent = Pt(next(3) as f64 * 7.0);
            let l = layout_paragraph(&mut fonts, &items, &o);
            for line in &l.lines {
                assert!(line.ratio.is_finite());
                assert!(line.width.0.is_finite());
                for g in glyphs(line) {
                    assert!(g.x.0.is_finite());
                }
            }
            let markers: usize = items
                .iter()
                .filter(|i| matches!(i, ParItem::Marker(_)))
                .count();
            let reported: usize = l.lines.iter().map(|x| x.markers.len()).sum();
            assert_eq!(markers, reported, "round {round}");
        }
    }

    #[test]
    fn long_paragraphs_break_whole() {
        // Speed is measured by scripts/bench.sh, never timed in a test; this
        // checks that a very long paragraph is broken completely.
        let mut fonts = test_fonts();
        let o = opts(Pt::from_inches(4.5).0);
        let unit = format!("{BOOK_PAR} {BOOK_PAR2} ");
        let n1 = lay(&mut fonts, &unit.repeat(20), &o).lines.len();
        let n2 = lay(&mut fonts, &unit.repeat(160), &o).lines.len();
        assert!(n2 > 7 * n1 && n2 < 9 * n1, "{n1} {n2}");
    }

    #[test]
    fn a_paragraph_longer_than_a_piece_keeps_every_word_once_in_order() {
        // Laid out a piece at a time (see PIECE_BYTES): the pieces meet at
        // a space, so no word is lost, doubled or split at the seams.
        let mut fonts = test_fonts();
        let mut o = opts(Pt::from_inches(4.5).0);
        o.first_indent = Pt(11.0);
        let mut source = String::new();
        let mut n = 0;
        while source.len() < 3 * PIECE_BYTES {
            for word in BOOK_PAR.split_whitespace() {
                source.push_str(word);
                source.push(' ');
                if n % 7 == 0 {
                    source.push_str(&format!("n{n} "));
                }
                n += 1;
            }
        }
        let head = "Marked ";
        let items = vec![text(head), ParItem::Marker(9), text(source.trim_end())];
        let lay = layout_paragraph(&mut fonts, &items, &o);
        assert!(texts_match(&rejoin(&lay), &format!("{head}{source}")));
        let marked: Vec<usize> = (0..lay.lines.len())
            .filter(|&i| lay.lines[i].markers.contains(&9))
            .collect();
        assert_eq!(marked, [0]);
        let joined = format!("{head}{}", source.trim_end());
        let mut last_start = 0;
        for (i, line) in lay.lines.iter().enumerate() {
            assert!(i == 0 || line.text_start > last_start, "line {i}");
            last_start = line.text_start;
            let first = line_text(line);
            let first = first.split_whitespace().next().unwrap_or("");
            assert!(
                joined[line.text_start..].starts_with(first.trim_end_matches('-'))
                    || lay.lines[i - 1].hyphenated,
                "line {i} starts with {first:?} at {}",
                line.text_start
            );
            // Every line but the last is flush with the measure.
            if i + 1 < lay.lines.len() {
                assert!(
                    (line.width.0 - o.measure.0).abs() < 0.5,
                    "line {i}: {:?}",
                    line.width
                );
            }
        }
        assert_eq!(lay.lines[0].runs[0].glyphs[0].x, Pt(11.0));
    }

    #[test]
    fn hard_breaks_end_lines_without_stretching() {
        let mut fonts = test_fonts();
        let items = vec![
            text("Roses are red, "),
            ParItem::LineBreak,
            text("violets are blue"),
            ParItem::LineBreak,
        ];
        let l = layout_paragraph(&mut fonts, &items, &opts(300.0));
        assert_eq!(texts(&l), ["Roses are red,", "violets are blue"]);
        assert_eq!(l.lines[0].ratio, 0.0);
        assert!(l.lines[0].width.0 < 150.0);
        assert!(l.issues.is_empty());
    }

    #[test]
    fn ragged_settings_keep_natural_spaces() {
        let mut fonts = test_fonts();
        let m = 220.0;
        for align in [Alignment::Left, Alignment::Center, Alignment::Right] {
            let mut o = opts(m);
            o.align = align;
            let l = lay(&mut fonts, BOOK_PAR2, &o);
            let space = fonts.width(" ", Face::Regular, Pt(11.0)).0;
            for line in &l.lines {
                let g: Vec<&Glyph> = glyphs(line).collect();
                for w in g.windows(2) {
                    let gap = w[1].x.0 - (w[0].x.0 + w[0].advance.0);
                    assert!(
                        gap < 0.5 || (gap - space).abs() < 1e-6,
                        "{align:?}: gap {gap}"
                    );
                }
                let left = g[0].x.0;
                let right = right_edge(line);
                match align {
                    Alignment::Left => assert!(left.abs() < 1.0),
                    Alignment::Right => assert!((right - m).abs() < 1.0, "{right}"),
                    _ => assert!((left - (m - right)).abs() < 1.5, "{left} {right}"),
                }
            }
            // Ragged lines end well inside the measure on average.
            let n = l.lines.len() - 1;
            let short: f64 = l.lines[..n].iter().map(|x| m - x.width.0).sum::<f64>() / n as f64;
            assert!(short < 3.0 * 11.0, "{short}");
        }
    }

    #[test]
    fn an_overlong_word_breaks_between_letters_and_is_reported_with_its_span() {
        let mut fonts = test_fonts();
        let t = "See https://example.org/averyveryverylongpathcomponentwithoutbreaks here.";
        let items = vec![ParItem::Text {
            text: t.into(),
            style: body(11.0),
            link: None,
            span: Span::new(crate::diag::FileId(2), 100..100 + t.len()),
        }];
        let l = layout_paragraph(&mut fonts, &items, &opts(120.0));
        let issue = l
            .issues
            .iter()
            .find(|i| i.kind == LineIssueKind::WordBroken)
            .unwrap_or_else(|| panic!("{:#?} {:?}", texts(&l), l.issues));
        let start = t.find("averyvery").unwrap_or(0) + 100;
        assert_eq!(issue.span.file, crate::diag::FileId(2));
        assert!(issue.span.start as usize >= start, "{:?}", issue.span);
        // The URL broke after its slashes before the long part, and no line
        // is wider than the measure.
        assert!(
            texts(&l).iter().any(|x| x.ends_with('/')),
            "{:#?}",
            texts(&l)
        );
        assert!(l.lines.iter().all(|line| line.width.0 <= 120.0 + 1e-6));
        assert!(!l.issues.iter().any(|i| matches!(
            i.kind,
            LineIssueKind::Overfull { .. } | LineIssueKind::WordTooLong
        )));
        assert!(texts_match(&rejoin(&l), t));
    }

    #[test]
    fn a_line_that_cannot_stretch_is_reported_loose() {
        let mut fonts = test_fonts();
        let mut o = opts(150.0);
        o.hyphenate = false;
        let l = lay(
            &mut fonts,
            "Aaaaaaaaaaaa Bbbbbbbbbbbbbbbbb Cccccccccccc Dddddddd",
            &o,
        );
        assert!(
            l.issues
                .iter()
                .any(|i| matches!(i.kind, LineIssueKind::Loose { ratio } if ratio > 1.0)),
            "{:?}",
            l.issues
        );
        assert!(l.lines.iter().all(|x| x.ratio.is_finite()));
    }

    #[test]
    fn dashes_end_lines_but_never_start_them() {
        let mut fonts = test_fonts();
        let p = "The border\u{2014}never recognized\u{2014}remains a source of tension\u{2014}and the refugees\u{2014}many of them children\u{2014}keep arriving, from 1996\u{2013}2001 and after\u{2014}still.";
        let mut o = opts(130.0);
        o.hyphenate = false;
        let l = lay(&mut fonts, p, &o);
        for t in texts(&l) {
            assert!(
                !t.starts_with('\u{2014}') && !t.starts_with('\u{2013}'),
                "{t}"
            );
        }
        assert!(texts_match(&rejoin(&l), p));
        assert!(
            l.lines
                .iter()
                .any(|x| x.hyphenated && line_text(x).ends_with('\u{2014}')),
            "{:#?}",
            texts(&l)
        );
    }

    #[test]
    fn protrusion_hangs_punctuation_into_the_margin() {
        let mut fonts = test_fonts();
        let m = Pt::from_inches(4.25).0;
        let mut o = opts(m);
        o.protrusion = true;
        let l = lay(&mut fonts, BOOK_PAR, &o);
        // Line 1 ends with "1990s,": the comma hangs.
        let first = &l.lines[0];
        assert!(line_text(first).ends_with(','));
        let comma = glyphs(first)
            .last()
            .map(|g| (g.x.0, g.advance.0))
            .unwrap_or_default();
        assert!(comma.0 + comma.1 > m + 0.3 * comma.1, "{comma:?}");
        assert!(comma.0 + comma.1 < m + comma.1);
        // Lines ending in a letter end exactly at the measure.
        let second = &l.lines[1];
        assert!((right_edge(second) - m).abs() < 0.01);
        o.protrusion = false;
        let l = lay(&mut fonts, BOOK_PAR, &o);
        assert!(l.lines.iter().all(|x| right_edge(x) <= m + 1e-6));
    }

    #[test]
    fn spans_point_at_the_first_word_of_each_line() {
        let mut fonts = test_fonts();
        let items = vec![ParItem::Text {
            text: BOOK_PAR.into(),
            style: body(11.0),
            link: None,
            span: Span::new(crate::diag::FileId(1), 50..50 + BOOK_PAR.len()),
        }];
        let l = layout_paragraph(&mut fonts, &items, &opts(200.0));
        for line in &l.lines {
            let t = line_text(line);
            let first_word = t.split(' ').next().unwrap_or("");
            let at = line.span.start as usize - 50;
            assert!(
                BOOK_PAR[at..].starts_with(first_word),
                "{t} vs {}",
                &BOOK_PAR[at..]
            );
        }
    }

    #[test]
    fn empty_and_marker_only_paragraphs() {
        let mut fonts = test_fonts();
        let l = layout_paragraph(&mut fonts, &[], &opts(200.0));
        assert!(l.lines.is_empty());
        let l = layout_paragraph(&mut fonts, &[ParItem::Marker(4)], &opts(200.0));
        assert_eq!(l.lines.len(), 1);
        assert_eq!(l.lines[0].markers, [4]);
        let l = layout_paragraph(&mut fonts, &[text("   ")], &opts(200.0));
        assert!(l.lines.len() <= 1 && l.issues.is_empty());
    }

    #[test]
    fn isolated_text_stays_apart_from_a_neighbour_at_its_level() {
        // A `1` isolated after `16` in right-to-left text: both resolve to
        // level 2, and only the isolate controls (level 1) between them
        // keep rule L2 from reversing them as one run `161`. (The test
        // fonts have no Hebrew: its letters are boxes, in their places.)
        let mut fonts = test_fonts();
        let items = [
            text("אב 16"),
            ParItem::Isolate(None),
            text("1"),
            ParItem::EndIsolate,
            text(" גד"),
        ];
        let l = layout_paragraph(&mut fonts, &items, &opts(300.0));
        assert_eq!(l.lines.len(), 1);
        let mut glyphs: Vec<(f64, &str)> = l.lines[0]
            .runs
            .iter()
            .flat_map(|r| r.glyphs.iter().map(move |g| (g.x.0, r.glyph_text(g))))
            .collect();
        glyphs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let visual: String = glyphs.iter().map(|g| g.1).collect();
        // Read right to left: אב, 16, the isolated 1, גד.
        assert_eq!(visual, "דג116בא", "{glyphs:?}");
    }

    #[test]
    fn styles_make_runs_with_metrics() {
        let mut fonts = test_fonts();
        let mut italic = body(11.0);
        italic.face = Face::Italic;
        let mut sup = body(7.0);
        sup.rise = Pt(3.0);
        let items = vec![
            text("Plain and "),
            ParItem::Text {
                text: "italic".into(),
                style: italic,
                link: None,
                span: Span::default(),
            },
            ParItem::Text {
                text: "12".into(),
                style: sup,
                link: None,
                span: Span::default(),
            },
            text(" text."),
        ];
        let l = layout_paragraph(&mut fonts, &items, &opts(300.0));
        assert_eq!(l.lines.len(), 1);
        let runs = &l.lines[0].runs;
        assert_eq!(runs.len(), 4);
        assert_eq!(runs[1].font, fonts.font_id(Face::Italic));
        assert_eq!(runs[2].baseline, Pt(-3.0));
        let m = fonts.metrics(Face::Regular);
        assert!(
            (l.lines[0].ascent.0 - (m.ascender * 11.0).max(m.ascender * 7.0 + 3.0)).abs() < 1e-6
        );
        assert!((l.lines[0].descent.0 - m.descender * 11.0).abs() < 1e-6);
        assert_eq!(texts(&l), ["Plain and italic12 text."]);
    }
}
