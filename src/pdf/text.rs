//! Glyph runs → text-showing operators.
//!
//! Each [`TextRun`] is placed at its first glyph's origin with `Td`, a
//! move from where the previous run (or the text object) started, which
//! for the lines of a page is the same short move again and again; a run
//! set in a synthesized italic needs its sheared `Tm`. One `TJ` then shows
//! the run, whose numbers move every following glyph
//! from where the viewer's pen ends up (the previous glyph's origin plus its
//! /W width) to the glyph's own `x`. The pen is tracked with the exact widths
//! written to /W and the rounded numbers actually emitted, so rounding never
//! accumulates along a line. Glyphs raised or lowered (`TextRun::offsets`) are
//! shown with a text rise (`Ts`) around them.
//!
//! Where a run has a visible gap between two words but no space glyph, a
//! real space glyph is inserted (and the gap after it adjusted), so that
//! copy and paste and `pdftotext` give words separated by spaces in every
//! viewer rather than relying on each one's gap heuristics.
//!
//! A cluster whose glyphs do not map one to one to its characters (a
//! Devanagari syllable with its vowel sign drawn first, a Thai vowel
//! drawn as two glyphs) is wrapped in a marked-content span with its
//! text as /ActualText (ISO 32000-1, 14.9.4), which copy, search and
//! extraction use instead of the glyphs' own mappings; see
//! [`actual_text_spans`]. For readers that ignore it (MuPDF), each glyph
//! of the cluster still maps to a share of its text, in order (see
//! [`split_cluster`]): no glyph reads as U+FFFD. A mark drawn inside its
//! base ends the span with character spacing up to the base's end, so no
//! reader sees a word gap after it. A glyph whose code maps to another
//! text (a CFF font has one code per glyph, for the first text it showed)
//! gets a span of its own. Latin text has no such clusters: its runs are
//! written as before, byte for byte. The spans nest inside the page's
//! structure sequences (see [`super::content`]) and close within the run.

use super::encoding::{push_int, push_literal_bytes, push_num};
use super::fonts::{code_bytes, FontState};
use crate::typeset::frame::{Glyph, TextRun};

/// A gap between two glyphs at least this fraction of the font's space
/// width counts as a word space. Kerning moves glyphs by far less; justified
/// word spaces rarely shrink below two thirds of the natural space.
const WORD_GAP_OF_SPACE: f64 = 0.5;

/// Decimal places of coordinates (1/100 pt is far below what a printer
/// resolves, and keeps streams short).
const COORD_DECIMALS: u32 = 2;

/// Decimal places of a synthesized italic's shear in `Tm`.
const SLANT_DECIMALS: u32 = 4;

/// Decimal places of font sizes in `Tf`.
const SIZE_DECIMALS: u32 = 3;

/// Decimal places of the horizontal scale in `Tz` (a percentage): 1/100 %
/// of a 300pt line is 0.03pt, and the glyph positions absorb the rest.
const H_SCALE_DECIMALS: u32 = 2;

/// `v` rounded as [`push_num`] writes it.
fn rounded(v: f64, decimals: u32) -> f64 {
    let scale = 10f64.powi(decimals as i32);
    (v * scale).round() / scale
}

/// The run's font size as written in `Tf`; glyph adjustments are computed
/// with this same value so that they match what the viewer does.
pub(super) fn font_size(run: &TextRun) -> f64 {
    rounded(run.size.0, SIZE_DECIMALS)
}

/// The run's horizontal scale as written in `Tz`, in percent.
pub(super) fn h_scale_percent(run: &TextRun) -> f64 {
    let percent = f64::from(run.h_scale) * 100.0;
    if percent.is_finite() && percent > 0.0 {
        rounded(percent, H_SCALE_DECIMALS)
    } else {
        100.0
    }
}

/// Appends a horizontal scale as [`h_scale_percent`] has it.
pub(super) fn push_h_scale(buf: &mut Vec<u8>, percent: f64) {
    push_num(buf, percent, H_SCALE_DECIMALS);
}

/// Appends a font size as [`font_size`] has it.
pub(super) fn push_font_size(buf: &mut Vec<u8>, size: f64) {
    push_num(buf, size, SIZE_DECIMALS);
}

/// Scale of [`Origin`]'s coordinates: hundredths of a point, as written.
const ORIGIN_SCALE: f64 = 100.0;

/// Where the text line matrix puts the origin, in hundredths of a point,
/// when it is a plain translation (after `BT` it is (0, 0)); `None` when
/// it is sheared (a synthesized italic's `Tm`) or unknown. The next run
/// moves from there with `Td`, in exact hundredths, so no rounding adds up.
pub(super) type Origin = Option<(i64, i64)>;

/// Writes one run: `Td` from `origin` (or `Tm`, sheared for a synthesized
/// italic), then `TJ` (split around rises), and sets `origin` to the
/// run's. Assumes the text object is open and the font,
/// horizontal scale, fill colour and rendering mode are already set. `next` is
/// the first glyph of the following run (with its text) when it continues
/// this line, so a word gap between runs (a change of font mid-sentence)
/// gets its space too.
pub(super) fn write_run(
    buf: &mut Vec<u8>,
    run: &TextRun,
    next: Option<(&Glyph, &str)>,
    font: &mut FontState,
    page_height: f64,
    origin: &mut Origin,
) {
    let Some(first) = run.glyphs.first() else {
        return;
    };
    let size = font_size(run);
    if !(size.is_finite() && size > 0.0) {
        return;
    }
    // TJ numbers and glyph widths are both scaled by `Tz`: one unit moves
    // the pen size·h/1000 points.
    let scale = 1000.0 / (size * h_scale_percent(run) / 100.0);
    // Positions are measured from the origin as written, not as given.
    let x0 = rounded(first.x.0, COORD_DECIMALS);
    let at = (
        (x0 * ORIGIN_SCALE).round() as i64,
        ((page_height - run.baseline.0) * ORIGIN_SCALE).round() as i64,
    );
    // A synthesized italic shears the text space: `1 0 s 1 x y Tm` moves
    // each point right by s times its height above the baseline.
    let slant = font.synthetic_slant();
    match *origin {
        Some((ox, oy)) if slant == 0.0 => {
            push_num(buf, (at.0 - ox) as f64 / ORIGIN_SCALE, COORD_DECIMALS);
            buf.push(b' ');
            push_num(buf, (at.1 - oy) as f64 / ORIGIN_SCALE, COORD_DECIMALS);
            buf.extend_from_slice(b" Td\n");
        }
        _ => {
            if slant != 0.0 {
                buf.extend_from_slice(b"1 0 ");
                push_num(buf, slant, SLANT_DECIMALS);
                buf.extend_from_slice(b" 1 ");
            } else {
                buf.extend_from_slice(b"1 0 0 1 ");
            }
            push_num(buf, at.0 as f64 / ORIGIN_SCALE, COORD_DECIMALS);
            buf.push(b' ');
            push_num(buf, at.1 as f64 / ORIGIN_SCALE, COORD_DECIMALS);
            buf.extend_from_slice(b" Tm\n");
        }
    }
    *origin = (slant == 0.0).then_some(at);

    let space = font.space_code();
    let min_gap = space.map_or(f64::INFINITY, |code| {
        font.width(code) / scale * WORD_GAP_OF_SPACE
    });
    // Whether a word space belongs between the glyphs before (reaching to
    // `end`, the last one standing for `prev_text`) and `glyph` with its
    // text: returns where the glyphs before end. They end where the
    // furthest of them does, not where the last one does: a mark placed
    // over its base (no advance, moved back by the font) ends nothing,
    // and the gap from it to the next letter is no word space.
    let word_gap = |(end, prev_text): (f64, &str), (glyph, text): (&Glyph, &str)| {
        (glyph.x.0 - end >= min_gap
            && !prev_text.ends_with(char::is_whitespace)
            && !text.starts_with(char::is_whitespace))
        .then_some(end)
    };

    let spans = actual_text_spans(run);
    let mut spans = spans.iter().peekable();
    // The glyphs of the open ActualText span, and the text each one maps
    // to (byte ranges of the run's text; empty: a word joiner).
    let mut span_start: Option<usize> = None;
    let mut span_end: Option<usize> = None;
    let mut pieces: Vec<(usize, usize)> = Vec::new();
    // Where the open span's glyphs reach furthest.
    let mut span_reach = f64::NEG_INFINITY;
    let mut tj = Tj::open(buf);
    // Pen position relative to x0, in 1/1000 em, as the viewer computes it.
    let mut pen = 0.0f64;
    let mut rise = 0.0f64;
    let mut prev: Option<(f64, &str)> = None;
    let mut offsets = run.offsets.iter().peekable();
    for (index, (glyph, text)) in run.glyph_texts().enumerate() {
        if let (Some(space), Some(end)) = (space, prev.and_then(|p| word_gap(p, (glyph, text)))) {
            pen = tj.move_to(buf, pen, (end - x0) * scale);
            tj.glyph(buf, space);
            pen += font.width(space);
        }
        if let Some(span) = spans.next_if(|s| s.glyphs.start == index) {
            tj.close(buf);
            let whole = run.text.get(span.text.clone()).unwrap_or("");
            begin_actual_text(buf, whole);
            tj = Tj::open(buf);
            span_start = Some(index);
            span_end = Some(span.glyphs.end);
            split_cluster(span, &run.text, &mut pieces);
            span_reach = run.glyphs[span.glyphs.clone()]
                .iter()
                .map(|g| g.end().0)
                .fold(f64::NEG_INFINITY, f64::max);
        }
        pen = tj.move_to(buf, pen, (glyph.x.0 - x0) * scale);
        let want_rise = offsets
            .next_if(|&&(i, _)| i as usize == index)
            .map_or(0.0, |&(_, y)| y.0);
        if want_rise != rise {
            tj.close(buf);
            push_num(buf, want_rise, COORD_DECIMALS);
            buf.extend_from_slice(b" Ts\n");
            tj = Tj::open(buf);
            rise = want_rise;
        }
        // A cluster's glyph maps to its share of the cluster's text.
        let piece = match span_start {
            Some(start) if span_end.is_some() => pieces
                .get(index - start)
                .and_then(|&(a, b)| run.text.get(a..b))
                .filter(|t| !t.is_empty())
                .unwrap_or(WORD_JOINER),
            _ => text,
        };
        let code = font.code(glyph.id, piece);
        if span_end.is_none() && !font.shows(code, text) {
            // The font maps this glyph to another text already.
            tj.close(buf);
            begin_actual_text(buf, text);
            tj = Tj::open(buf);
            span_start = Some(index);
            span_end = Some(index + 1);
            pieces.clear();
        }
        let reach = glyph.end().0;
        // The last glyph of a cluster, a mark inside its base, advances to
        // the cluster's end (character spacing for this glyph only): a
        // reader that boxes the /ActualText from the first glyph's origin
        // to the last one's advance (poppler) would see a gap after the
        // cluster, a word space inside the word.
        let extra = if span_end == Some(index + 1) && span_reach - reach > 0.01 {
            let h = h_scale_percent(run) / 100.0;
            let tc = rounded((span_reach - reach) / h, COORD_DECIMALS);
            tj.close(buf);
            push_num(buf, tc, COORD_DECIMALS);
            buf.extend_from_slice(b" Tc\n");
            tj = Tj::open(buf);
            tc * h * scale
        } else {
            0.0
        };
        tj.glyph(buf, code);
        pen += font.width(code) + extra;
        if extra != 0.0 {
            tj.close(buf);
            buf.extend_from_slice(b"0 Tc\n");
            tj = Tj::open(buf);
        }
        prev = Some((prev.map_or(reach, |(end, _)| end.max(reach)), text));
        if span_end == Some(index + 1) {
            tj.close(buf);
            buf.extend_from_slice(b"EMC\n");
            tj = Tj::open(buf);
            span_start = None;
            span_end = None;
        }
    }
    if rise != 0.0 {
        tj.close(buf);
        buf.extend_from_slice(b"0 Ts\n");
        tj = Tj::open(buf);
    }
    let trailing = prev.zip(next).and_then(|(p, n)| word_gap(p, n));
    if let (Some(space), Some(end)) = (space, trailing) {
        tj.move_to(buf, pen, (end - x0) * scale);
        tj.glyph(buf, space);
    }
    tj.close(buf);
}

/// What a glyph of a cluster maps to when the cluster has more glyphs
/// than characters: an invisible character that joins (U+2060), never
/// U+FFFD (a reader without /ActualText shows that as a box).
const WORD_JOINER: &str = "\u{2060}";

/// Glyphs `glyphs` of a run that stand together for `text` (a byte range
/// of [`TextRun::text`]) and are shown with it as /ActualText. `rtl`: the
/// glyph with the text is the last (a right-to-left cluster, reversed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ActualText {
    pub glyphs: std::ops::Range<usize>,
    pub text: std::ops::Range<usize>,
    pub rtl: bool,
}

/// Shares out the text of `span` among its glyphs, into `pieces` (one
/// byte range of `text` per glyph, in the run's order): in logical
/// order, one character to each glyph and the rest to the last one; a
/// glyph left without a character gets an empty range. A reader that
/// ignores /ActualText then still reads the cluster's characters once
/// each and in order, and no glyph reads as U+FFFD (each glyph's code
/// maps to its share in the ToUnicode map).
pub(super) fn split_cluster(span: &ActualText, text: &str, pieces: &mut Vec<(usize, usize)>) {
    let n = span.glyphs.len();
    pieces.clear();
    pieces.resize(n, (0, 0));
    let whole = text.get(span.text.clone()).unwrap_or("");
    let base = span.text.start;
    let mut chars = whole
        .char_indices()
        .map(|(i, c)| (base + i, base + i + c.len_utf8()));
    for k in 0..n {
        let slot = if span.rtl { n - 1 - k } else { k };
        pieces[slot] = if k + 1 == n {
            // The last glyph takes what is left.
            match chars.next() {
                Some((a, _)) => (a, span.text.end),
                None => (0, 0),
            }
        } else {
            chars.next().unwrap_or((0, 0))
        };
    }
}

/// The clusters of `run` whose glyphs do not map one to one to their
/// characters, in order: a glyph that carries a cluster's text with the
/// glyphs of no text that belong to it. Empty for nearly every run.
///
/// In a run the glyphs are in visual order, so a cluster's glyphs of no
/// text follow the glyph with its text in left-to-right text and precede
/// it in right-to-left text (reversed, see [`crate::typeset::bidi`]):
/// glyphs of no text go with the glyph after them when that one's text is
/// right to left, else with the one before.
pub(super) fn actual_text_spans(run: &TextRun) -> Vec<ActualText> {
    let glyphs = &run.glyphs;
    if glyphs.iter().all(|g| g.text_len != 0) {
        return Vec::new();
    }
    let n = glyphs.len();
    let starts = run.text_starts();
    let text = |h: usize| {
        let start = starts[h];
        start..start + usize::from(glyphs[h].text_len)
    };
    let rtl = |h: usize| {
        run.text
            .get(text(h))
            .unwrap_or("")
            .chars()
            .next()
            .is_some_and(|c| {
                matches!(
                    unicode_bidi::bidi_class(c),
                    unicode_bidi::BidiClass::R | unicode_bidi::BidiClass::AL
                )
            })
    };
    // The glyphs of each glyph's cluster: first..end.
    let mut first: Vec<usize> = (0..n).collect();
    let mut end: Vec<usize> = (1..=n).collect();
    let mut i = 0;
    while i < n {
        if glyphs[i].text_len != 0 {
            i += 1;
            continue;
        }
        let a = i;
        while i < n && glyphs[i].text_len == 0 {
            i += 1;
        }
        match (a.checked_sub(1), (i < n).then_some(i)) {
            (_, Some(next)) if rtl(next) => first[next] = a,
            (Some(before), _) => end[before] = i,
            (None, Some(next)) => first[next] = a,
            (None, None) => {}
        }
    }
    (0..n)
        .filter(|&h| glyphs[h].text_len != 0 && end[h] - first[h] > 1)
        .map(|h| ActualText {
            glyphs: first[h]..end[h],
            text: text(h),
            rtl: first[h] < h,
        })
        .collect()
}

/// Opens a marked-content span whose text is `text` (/ActualText, a text
/// string: UTF-16BE with its byte order mark).
fn begin_actual_text(buf: &mut Vec<u8>, text: &str) {
    buf.extend_from_slice(b"/Span <</ActualText <FEFF");
    for unit in text.encode_utf16() {
        super::encoding::push_hex(buf, &unit.to_be_bytes());
    }
    buf.extend_from_slice(b">>>BDC\n");
}

/// A `[…] TJ` array being written: strings of 2-byte codes and adjustments.
struct Tj {
    /// Where the `[` was written, to drop an array that stayed empty.
    start: usize,
    in_string: bool,
    /// The last token was a number (two need a space between them).
    after_number: bool,
    empty: bool,
}

impl Tj {
    fn open(buf: &mut Vec<u8>) -> Tj {
        let start = buf.len();
        buf.push(b'[');
        Tj {
            start,
            in_string: false,
            after_number: false,
            empty: true,
        }
    }

    fn glyph(&mut self, buf: &mut Vec<u8>, code: u16) {
        if !self.in_string {
            buf.push(b'(');
            self.in_string = true;
        }
        match code_bytes(code) {
            // Most codes are one byte that needs no escaping.
            ([byte, _], 1) if !matches!(byte, b'(' | b')' | b'\\' | b'\r') => buf.push(byte),
            (bytes, len) => push_literal_bytes(buf, &bytes[..len]),
        }
        self.after_number = false;
        self.empty = false;
    }

    /// Emits the adjustment that moves the pen from `pen` to `target` (both
    /// in 1/1000 em), rounded to whole units; returns the new pen. A TJ
    /// number n moves the next glyph by −n/1000 em.
    fn move_to(&mut self, buf: &mut Vec<u8>, pen: f64, target: f64) -> f64 {
        let delta = pen - target;
        // Most glyphs sit exactly where the pen is; skip the rounding call.
        if delta.abs() < 0.5 || !delta.is_finite() {
            return pen;
        }
        let n = delta.round();
        if self.in_string {
            buf.push(b')');
            self.in_string = false;
        }
        if self.after_number {
            buf.push(b' ');
        }
        push_int(buf, n as i64);
        self.after_number = true;
        self.empty = false;
        pen - n
    }

    fn close(self, buf: &mut Vec<u8>) {
        if self.empty {
            buf.truncate(self.start);
            return;
        }
        if self.in_string {
            buf.push(b')');
        }
        buf.extend_from_slice(b"]TJ\n");
    }
}
