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
    // Whether a word space belongs between `prev` and `glyph` (each with
    // its text): returns where the previous glyph ends.
    let word_gap = |(prev, prev_text): (&Glyph, &str), (glyph, text): (&Glyph, &str)| {
        let end = prev.x.0 + prev.advance.0;
        (glyph.x.0 - end >= min_gap
            && !prev_text.ends_with(char::is_whitespace)
            && !text.starts_with(char::is_whitespace))
        .then_some(end)
    };

    let mut tj = Tj::open(buf);
    // Pen position relative to x0, in 1/1000 em, as the viewer computes it.
    let mut pen = 0.0f64;
    let mut rise = 0.0f64;
    let mut prev: Option<(&Glyph, &str)> = None;
    let mut offsets = run.offsets.iter().peekable();
    for (index, glyph) in run.glyphs.iter().enumerate() {
        let text = run.glyph_text(glyph);
        if let (Some(space), Some(end)) = (space, prev.and_then(|p| word_gap(p, (glyph, text)))) {
            pen = tj.move_to(buf, pen, (end - x0) * scale);
            tj.glyph(buf, space);
            pen += font.width(space);
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
        let code = font.code(glyph.id, text);
        tj.glyph(buf, code);
        pen += font.width(code);
        prev = Some((glyph, text));
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
