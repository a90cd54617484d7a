//! Bidirectional text (Unicode's UAX #9): the embedding level of every
//! character of a paragraph, and each line put in visual order.
//!
//! Place in the pipeline: paragraph layout ([`super::paragraph`]) asks
//! [`Levels::of`] once per paragraph, splits its words where the level
//! changes (each piece is shaped in the direction of its level, so a
//! bracket in right-to-left text is mirrored), breaks the lines in logical
//! order, places each line's glyphs as if it ran left to right, and then
//! hands the line to [`reorder_line`], which applies rule L2: every
//! maximal sequence of glyphs and gaps at a level of at least *n* is
//! reversed, from the highest level down to the lowest odd one. The
//! shaper keeps glyphs in logical order, so reversing a right-to-left
//! word gives back exactly the visual order HarfBuzz produced.
//! [`crate::fonts::FontSet::run`] (running heads, the cover, contents
//! numbers) uses the same two steps on one line of text.
//!
//! Books without right-to-left text never pay for any of this: a
//! paragraph with no right-to-left character in a left-to-right context
//! has no [`Levels`], and its lines are set as before.

use unicode_bidi::{BidiClass, Level, ParagraphBidiInfo};

use crate::typeset::frame::TextRun;
use crate::units::Pt;

/// Whether text in language `tag` is written right to left (a book or
/// element in one of them sets its paragraphs right to left).
pub use crate::fonts::script::language_is_rtl;

/// Whether `text` holds a character that may need reordering: a letter of
/// a right-to-left script, an Arabic number sign or an explicit bidi
/// control. A fast byte scan: only characters from U+0590 up (UTF-8 lead
/// bytes 0xD6 and above) are decoded and looked at.
pub fn may_need_bidi(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] < 0xD6 {
            i += 1;
            continue;
        }
        let c = text[i..].chars().next().unwrap_or(' ');
        if matches!(c as u32,
            0x0590..=0x08FF          // Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan…
            | 0x200E | 0x200F        // direction marks
            | 0x202A..=0x202E        // embeddings and overrides
            | 0x2066..=0x2069        // isolates
            | 0xFB1D..=0xFDFF        // Hebrew and Arabic presentation forms
            | 0xFE70..=0xFEFF
            | 0x10800..=0x10FFF      // historic right-to-left scripts
            | 0x1E800..=0x1EFFF)
        // Adlam, Arabic mathematical letters
        {
            return true;
        }
        i += c.len_utf8();
    }
    false
}

/// The direction of the first strong character of `text` (rule P2,
/// skipping isolated text): `Some(true)` right to left, `Some(false)` left
/// to right, `None` when it has none.
pub fn first_strong(text: &str) -> Option<bool> {
    let mut isolates = 0usize;
    for c in text.chars() {
        if c.is_ascii() {
            if isolates == 0 && c.is_ascii_alphabetic() {
                return Some(false);
            }
            continue;
        }
        match unicode_bidi::bidi_class(c) {
            BidiClass::LRI | BidiClass::RLI | BidiClass::FSI => isolates += 1,
            BidiClass::PDI => isolates = isolates.saturating_sub(1),
            BidiClass::L if isolates == 0 => return Some(false),
            BidiClass::R | BidiClass::AL if isolates == 0 => return Some(true),
            _ => {}
        }
    }
    None
}

/// The resolved embedding levels of a paragraph's text.
#[derive(Debug, Clone)]
pub struct Levels {
    /// One level per byte of the text.
    levels: Vec<Level>,
    /// The paragraph's level: 0 left to right, 1 right to left.
    base: Level,
}

impl Levels {
    /// The levels of paragraph `text` set in direction `rtl` (`None`: by
    /// its first strong character, else left to right); `None` when
    /// nothing in it needs reordering (no right-to-left text in a
    /// left-to-right paragraph).
    pub fn of(text: &str, rtl: Option<bool>) -> Option<Levels> {
        let rtl = rtl.or_else(|| first_strong(text)).unwrap_or(false);
        if !rtl && !may_need_bidi(text) {
            return None;
        }
        // A forced line break (U+000A in the joined text) is not a
        // paragraph separator here: the paragraph goes on after it.
        let analysed;
        let text = if text.contains('\n') {
            analysed = text.replace('\n', " ");
            analysed.as_str()
        } else {
            text
        };
        let base = if rtl { Level::rtl() } else { Level::ltr() };
        let info = ParagraphBidiInfo::new(text, Some(base));
        Some(Levels {
            levels: info.levels,
            base,
        })
    }

    /// Whether the paragraph runs right to left.
    pub fn rtl(&self) -> bool {
        self.base.is_rtl()
    }

    /// The paragraph's level.
    pub fn base(&self) -> u8 {
        self.base.number()
    }

    /// The level of the character at byte `at` (the paragraph's level past
    /// the end).
    pub fn at(&self, at: usize) -> u8 {
        self.levels.get(at).map_or(self.base, |l| *l).number()
    }

    /// Where in `range` the level changes: the byte offsets (inside it,
    /// in order) at which a new level run starts.
    pub fn changes(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = usize> + '_ {
        let start = range.start;
        let end = range.end.min(self.levels.len());
        (start.saturating_add(1)..end).filter(move |&i| self.levels[i] != self.levels[i - 1])
    }
}

/// One piece of a line in logical order, as [`reorder_line`] moves it:
/// a glyph or a gap (a space, an indent, an inline object), `width` wide
/// from pen position `x`, at bidi `level`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Atom {
    pub x: f64,
    pub width: f64,
    pub level: u8,
    /// The glyph: (index into the line's runs, index into its glyphs).
    pub glyph: Option<(u32, u32)>,
}

/// Puts a line in visual order (UAX #9 rule L2). `runs` were placed left
/// to right in logical order; `atoms` tile the line from its start in the
/// same order (every glyph of `runs` once, every gap between them).
/// Returns the runs rebuilt in visual order, each glyph moved to its
/// place (a right-to-left word's glyphs reversed), and moves the x-ranges
/// of `links` with their text (one range may become several).
pub(crate) fn reorder_line(
    runs: Vec<TextRun>,
    atoms: &[Atom],
    links: &mut Vec<(Pt, Pt, usize)>,
) -> Vec<TextRun> {
    let Some(first) = atoms.first() else {
        return runs;
    };
    let levels: Vec<Level> = atoms
        .iter()
        .map(|a| Level::new(a.level).unwrap_or_else(|_| Level::ltr()))
        .collect();
    let order = unicode_bidi::BidiInfo::reorder_visual(&levels);
    // New pen position of every atom.
    let mut moved = vec![0.0f64; atoms.len()];
    let mut pen = first.x;
    for &i in &order {
        moved[i] = pen;
        pen += atoms[i].width;
    }
    // Links follow their atoms: the atoms inside each range, at their new
    // places, merged where they touch.
    if !links.is_empty() {
        let mut out: Vec<(Pt, Pt, usize)> = Vec::with_capacity(links.len());
        for &(a, b, index) in links.iter() {
            let mut pieces: Vec<(f64, f64)> = atoms
                .iter()
                .zip(&moved)
                .filter(|(t, _)| t.x >= a.0 - 1e-6 && t.x + t.width <= b.0 + 1e-6)
                .map(|(t, &x)| (x.min(x + t.width), x.max(x + t.width)))
                .collect();
            pieces.sort_by(|p, q| p.0.total_cmp(&q.0));
            let mut merged: Vec<(f64, f64)> = Vec::new();
            for (x0, x1) in pieces {
                match merged.last_mut() {
                    Some(last) if x0 <= last.1 + 1e-6 => last.1 = last.1.max(x1),
                    _ => merged.push((x0, x1)),
                }
            }
            out.extend(
                merged
                    .into_iter()
                    .filter(|(x0, x1)| x1 > x0)
                    .map(|(x0, x1)| (Pt(x0), Pt(x1), index)),
            );
        }
        *links = out;
    }
    // The runs, rebuilt from their glyphs in visual order: a new run
    // wherever the next glyph comes from another run.
    let mut out: Vec<TextRun> = Vec::with_capacity(runs.len());
    let mut from: Option<u32> = None;
    let starts: Vec<Vec<usize>> = runs.iter().map(TextRun::text_starts).collect();
    for &i in &order {
        let atom = &atoms[i];
        let Some((r, g)) = atom.glyph else {
            continue;
        };
        let Some(run) = runs.get(r as usize) else {
            continue;
        };
        let Some(glyph) = run.glyphs.get(g as usize) else {
            continue;
        };
        if from != Some(r) {
            out.push(TextRun {
                text: String::new(),
                glyphs: Vec::new(),
                offsets: Vec::new(),
                ..run.clone_empty()
            });
            from = Some(r);
        }
        let Some(target) = out.last_mut() else {
            continue;
        };
        let mut placed = *glyph;
        placed.x = Pt(glyph.x.0 - atom.x + moved[i]);
        let start = starts[r as usize][g as usize];
        let text = run.text.get(start..start + usize::from(glyph.text_len));
        target.text.push_str(text.unwrap_or(""));
        let rise = run.y_offset(g as usize);
        if rise != Pt::ZERO {
            let index = u32::try_from(target.glyphs.len()).unwrap_or(u32::MAX);
            target.offsets.push((index, rise));
        }
        target.glyphs.push(placed);
    }
    out
}

impl TextRun {
    /// A run with this one's font, size, baseline, colour and scale and
    /// no glyphs.
    fn clone_empty(&self) -> TextRun {
        TextRun {
            font: self.font,
            size: self.size,
            baseline: self.baseline,
            gray: self.gray,
            color: self.color,
            text: String::new(),
            glyphs: Vec::new(),
            offsets: Vec::new(),
            h_scale: self.h_scale,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::frame::{FontId, Glyph};

    #[test]
    fn languages_and_first_strong_characters() {
        assert!(language_is_rtl("ar"));
        assert!(language_is_rtl("he-IL"));
        assert!(language_is_rtl("fa"));
        assert!(language_is_rtl("pa-Arab"));
        assert!(!language_is_rtl("en"));
        assert!(!language_is_rtl("zh-Hans"));
        assert_eq!(first_strong("12 (abc) שלום"), Some(false));
        assert_eq!(first_strong("“שלום” abc"), Some(true));
        assert_eq!(first_strong("1, 2, 3"), None);
        assert!(may_need_bidi("abc القاهرة"));
        assert!(may_need_bidi("x\u{200F}"));
        assert!(may_need_bidi("\u{FEFB}"));
        assert!(!may_need_bidi("naïve café — 中文 ελληνικά Москва"));
    }

    #[test]
    fn levels_of_mixed_text() {
        assert!(Levels::of("plain English", None).is_none());
        // An Arabic sentence with digits and a Latin name.
        let text = "انظر الشكل (1-3) في Europe.";
        let l = Levels::of(text, Some(true)).unwrap();
        assert!(l.rtl());
        let at = |s: &str| l.at(text.find(s).unwrap());
        assert_eq!(at("انظر"), 1);
        assert_eq!(at("1-3"), 2);
        assert_eq!(at("Europe"), 2);
        // The brackets take the paragraph's direction: mirrored.
        assert_eq!(at("("), 1);
        assert_eq!(at(")"), 1);
        assert_eq!(at("."), 1);
        assert!(l.changes(0..text.len()).count() >= 4);
    }

    fn glyph(x: f64, w: f64) -> Glyph {
        Glyph {
            id: 1,
            text_len: 1,
            x: Pt(x),
            advance: w as f32,
        }
    }

    #[test]
    fn a_line_is_reversed_where_its_levels_are_odd() {
        // "ab CD" with C and D at level 1 in a left-to-right line: a, b,
        // a gap, then D before C.
        let run = TextRun {
            font: FontId(0),
            size: Pt(10.0),
            baseline: Pt(0.0),
            gray: 0.0,
            color: None,
            text: "abCD".into(),
            glyphs: vec![
                glyph(0.0, 5.0),
                glyph(5.0, 5.0),
                glyph(13.0, 4.0),
                glyph(17.0, 6.0),
            ],
            offsets: Vec::new(),
            h_scale: 1.0,
        };
        let atoms = [
            Atom {
                x: 0.0,
                width: 5.0,
                level: 0,
                glyph: Some((0, 0)),
            },
            Atom {
                x: 5.0,
                width: 5.0,
                level: 0,
                glyph: Some((0, 1)),
            },
            Atom {
                x: 10.0,
                width: 3.0,
                level: 0,
                glyph: None,
            },
            Atom {
                x: 13.0,
                width: 4.0,
                level: 1,
                glyph: Some((0, 2)),
            },
            Atom {
                x: 17.0,
                width: 6.0,
                level: 1,
                glyph: Some((0, 3)),
            },
        ];
        let mut links = vec![(Pt(13.0), Pt(23.0), 7), (Pt(0.0), Pt(5.0), 8)];
        let runs = reorder_line(vec![run], &atoms, &mut links);
        assert_eq!(runs.len(), 1);
        let order: String = runs[0].glyph_texts().map(|(_, t)| t).collect();
        assert_eq!(order, "abDC");
        let xs: Vec<f64> = runs[0].glyphs.iter().map(|g| g.x.0).collect();
        assert_eq!(xs, [0.0, 5.0, 13.0, 19.0]);
        assert_eq!(links, [(Pt(13.0), Pt(23.0), 7), (Pt(0.0), Pt(5.0), 8)]);
    }
}
