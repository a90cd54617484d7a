//! Shaping: text → glyph ids and advances, with kerning and ligatures.
//!
//! Place in the font layer: used only by [`super::FontSet`], which caches
//! the results. harfrust (a HarfBuzz port) applies the fonts' default
//! features (`kern`, `liga`, mark positioning…); results stay in font units
//! so they are independent of the size. Text is itemized into runs of one
//! script first ([`super::script::for_each_script_run`]) and each run is
//! shaped with its script, direction and language, as HarfBuzz needs
//! (the language selects language-specific forms, `locl`: Japanese and
//! Chinese punctuation in one CJK font). The direction is the script's,
//! or the one the caller gives ([`ShapeProps::rtl`]: the bidi level of
//! the text, so that a bracket in right-to-left text is mirrored).
//!
//! Glyphs always come out in *logical* order (a right-to-left run's are
//! reversed back after shaping): breaking lines, finding clusters and
//! fallback all work on the text's order, and the typesetter reorders
//! each line for display ([`crate::typeset::bidi`]); reversing a
//! right-to-left run again gives exactly HarfBuzz's visual order. Glyph
//! clusters map glyphs back to the text they stand for, so a ligature
//! `ffi` extracts as "ffi".

use std::ops::Range;

use harfrust::{Buffer, Direction, Language, Script, ShapeOptions, ShapePlan, ShaperFont};

use super::face::LoadedFace;
use super::script::{for_each_script_run, ScriptTag};
use crate::typeset::frame::Glyph;
use crate::units::Pt;

/// One shaped glyph in font units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ShapedGlyph {
    pub id: u16,
    /// Byte offset of the glyph's cluster in the shaped text.
    pub cluster: u32,
    pub advance: i32,
    pub x_offset: i32,
    pub y_offset: i32,
    /// Bytes of text from `cluster` that the glyph stands for (see
    /// [`glyph_text`]), worked out once when the word is shaped.
    pub text_len: u16,
}

/// How text is shaped beyond its face: direction and language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct ShapeProps {
    /// `Some(true)`: every run right to left (text at an odd bidi level),
    /// `Some(false)`: left to right; `None`: each script run in its
    /// script's direction.
    pub rtl: Option<bool>,
    /// The language, as an index into the shaper's languages
    /// ([`Shaper::language`]); 0 for none.
    pub language: u16,
}

/// Reusable shaping state: one buffer, the shaping plans built so far and
/// the languages text was shaped in.
#[derive(Default)]
pub(crate) struct Shaper {
    buffer: Option<Buffer>,
    /// Plans by (font identity, script, direction, language). A book has
    /// few, so a linear search beats hashing.
    plans: Vec<(usize, Option<Script>, Direction, u16, ShapePlan)>,
    /// Languages by [`ShapeProps::language`] − 1.
    languages: Vec<Language>,
}

impl Shaper {
    /// The [`ShapeProps::language`] of a BCP 47 tag (0 for none or an
    /// empty tag).
    pub(crate) fn language(&mut self, tag: Option<&str>) -> u16 {
        let Some(lang) = tag.and_then(Language::new) else {
            return 0;
        };
        let i = match self.languages.iter().position(|l| *l == lang) {
            Some(i) => i,
            None => {
                self.languages.push(lang);
                self.languages.len() - 1
            }
        };
        u16::try_from(i + 1).unwrap_or(0)
    }

    /// Shapes `text` with `face`, appending glyphs to `out` in logical
    /// order; returns the total advance in font units. Runs of different
    /// scripts are shaped one after the other, in text order.
    pub(crate) fn shape(
        &mut self,
        face: &LoadedFace,
        text: &str,
        props: ShapeProps,
        out: &mut Vec<ShapedGlyph>,
    ) -> i32 {
        if text.is_empty() {
            return 0;
        }
        let first = out.len();
        let mut total = 0;
        if text.is_ascii() && props.rtl != Some(true) {
            // Latin letters, digits and punctuation: one run (the common
            // case, without a look at the script tables).
            total += self.shape_run(face, text, 0, Some(Script::LATIN), props, out);
        } else {
            for_each_script_run(text, |range, script| {
                let start = range.start;
                total +=
                    self.shape_run(face, &text[range], start, script.to_harfrust(), props, out);
            });
        }
        let word = &mut out[first..];
        for i in 0..word.len() {
            // A cluster longer than a glyph can name (64 KiB) maps to "".
            let len = u16::try_from(glyph_text(word, i, text).len()).unwrap_or(0);
            word[i].text_len = len;
        }
        total
    }

    /// Shapes one run of one script (`None`: let harfrust guess), whose
    /// text starts at byte `offset` of the text being shaped.
    fn shape_run(
        &mut self,
        face: &LoadedFace,
        text: &str,
        offset: usize,
        script: Option<Script>,
        props: ShapeProps,
        out: &mut Vec<ShapedGlyph>,
    ) -> i32 {
        let font = &face.font;
        let mut buffer = self.buffer.take().unwrap_or_default();
        buffer.clear();
        buffer.push_str(text);
        if let Some(script) = script {
            buffer.set_script(Some(script));
            buffer.set_direction(ScriptTag(script.tag().to_be_bytes()).direction());
        }
        match props.rtl {
            Some(true) => buffer.set_direction(Direction::RightToLeft),
            Some(false) => buffer.set_direction(Direction::LeftToRight),
            None => {}
        }
        let language = usize::from(props.language)
            .checked_sub(1)
            .and_then(|i| self.languages.get(i));
        buffer.set_language(language.cloned());
        buffer.guess_segment_properties();
        let key = font as *const harfrust::Font as usize;
        let (script, direction) = (buffer.script(), buffer.direction());
        let pos =
            match self.plans.iter().position(|p| {
                p.0 == key && p.1 == script && p.2 == direction && p.3 == props.language
            }) {
                Some(i) => i,
                None => {
                    let plan = ShapePlan::new(font, direction, script, language, &[]);
                    self.plans
                        .push((key, script, direction, props.language, plan));
                    self.plans.len() - 1
                }
            };
        let shaper_font = ShaperFont::new(font);
        let options = ShapeOptions::new().plan(Some(&self.plans[pos].4));
        let first = out.len();
        let mut total = 0;
        let offset = offset as u32;
        if harfrust::shape(&shaper_font, &mut buffer, options).is_ok() {
            for (info, p) in buffer.glyph_infos().iter().zip(buffer.glyph_positions()) {
                // Synthesized bold widens every spacing glyph by its stroke.
                let advance = if p.x_advance != 0 {
                    p.x_advance + face.extra_advance
                } else {
                    0
                };
                total += advance;
                out.push(ShapedGlyph {
                    id: u16::try_from(info.glyph_id).unwrap_or(0),
                    cluster: info.cluster + offset,
                    advance,
                    x_offset: p.x_offset,
                    y_offset: p.y_offset,
                    text_len: 0,
                });
            }
        }
        if direction == Direction::RightToLeft {
            // Back to logical order (see the module docs).
            out[first..].reverse();
        }
        self.buffer = Some(buffer);
        total
    }
}

/// The text glyph `i` of `glyphs` stands for: its cluster's text for the first
/// glyph of a cluster, "" for the others.
pub(crate) fn glyph_text<'t>(glyphs: &[ShapedGlyph], i: usize, text: &'t str) -> &'t str {
    let c = glyphs[i].cluster;
    if i > 0 && glyphs[i - 1].cluster == c {
        return "";
    }
    // End of the cluster: the next larger cluster value (clusters increase in
    // left-to-right text; the scan also covers reordered clusters).
    let mut end = text.len() as u32;
    let mut fast = None;
    for g in &glyphs[i + 1..] {
        if g.cluster != c {
            fast = Some(g.cluster);
            break;
        }
    }
    match fast {
        Some(n) if n > c => end = n,
        _ => {
            for g in glyphs {
                if g.cluster > c && g.cluster < end {
                    end = g.cluster;
                }
            }
        }
    }
    text.get(c as usize..end as usize).unwrap_or("")
}

/// A glyph while its run is being set: a [`Glyph`] with its advance at
/// full precision, which justification, bidi reordering and code cells
/// measure positions with. [`GlyphSink::take`] makes it a [`Glyph`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PlacedGlyph {
    pub id: u16,
    /// See [`Glyph::text_len`].
    pub text_len: u16,
    pub x: Pt,
    pub advance: Pt,
}

impl PlacedGlyph {
    /// The glyph as a run keeps it.
    pub fn glyph(&self) -> Glyph {
        Glyph {
            x: self.x,
            advance: self.advance.0 as f32,
            id: self.id,
            text_len: self.text_len,
        }
    }
}

/// Where placed glyphs go: the glyphs of a [`super::frame::TextRun`] being
/// built and the text they stand for, each glyph's text after the one
/// before's.
#[derive(Debug, Default)]
pub(crate) struct GlyphSink {
    pub glyphs: Vec<PlacedGlyph>,
    pub text: String,
    /// See [`super::frame::TextRun::offsets`].
    pub offsets: Vec<(u32, Pt)>,
}

impl GlyphSink {
    /// Takes the glyphs, text and offsets out in allocations of their
    /// exact size (they live until the PDF is written), leaving the sink
    /// empty with its buffers for the next run.
    pub fn take(&mut self) -> (Vec<Glyph>, String, Vec<(u32, Pt)>) {
        let out = (
            self.glyphs.iter().map(PlacedGlyph::glyph).collect(),
            self.text.as_str().to_owned(),
            self.offsets.as_slice().to_vec(),
        );
        self.glyphs.clear();
        self.text.clear();
        self.offsets.clear();
        out
    }
}

impl GlyphSink {
    /// Appends shaped glyph `g` at pen position `pen` (its text being the
    /// `text_len` bytes just added to [`GlyphSink::text`]); returns the
    /// pen after it. `scale` is horizontal, `y_scale` vertical.
    fn push_placed(
        &mut self,
        g: &ShapedGlyph,
        text_len: u16,
        pen: f64,
        (scale, y_scale): (f64, f64),
    ) -> f64 {
        if g.y_offset != 0 {
            let index = u32::try_from(self.glyphs.len()).unwrap_or(u32::MAX);
            self.offsets
                .push((index, Pt(f64::from(g.y_offset) * y_scale)));
        }
        self.glyphs.push(PlacedGlyph {
            id: g.id,
            text_len,
            x: Pt(pen + f64::from(g.x_offset) * scale),
            advance: Pt(f64::from(g.advance) * scale),
        });
        pen + f64::from(g.advance) * scale
    }
}

/// Positions all `glyphs` (shaped from `text`) from pen position `x`.
pub(crate) fn place_glyphs(
    glyphs: &[ShapedGlyph],
    text: &str,
    x: Pt,
    scale: f64,
    out: &mut GlyphSink,
) -> Pt {
    place_glyph_slice(glyphs, 0..glyphs.len(), text, x, (scale, 1.0), out)
}

/// Positions the glyphs `range` of `glyphs` (shaped from `text`) from pen
/// position `x`, appending them and their text to `out`; returns the pen
/// position after them. `scale` turns font units into points; `h_scale`
/// widens (or narrows) the glyphs horizontally, for font expansion (1 =
/// as designed).
pub(crate) fn place_glyph_slice(
    glyphs: &[ShapedGlyph],
    range: Range<usize>,
    text: &str,
    x: Pt,
    (scale, h_scale): (f64, f64),
    out: &mut GlyphSink,
) -> Pt {
    let y_scale = scale;
    let scale = scale * h_scale;
    let mut pen = x.0;
    let slice = glyphs.get(range).unwrap_or_default();
    // Usually the glyphs' texts follow each other in `text` (left to
    // right, no reordering): then that stretch is copied at once.
    let whole = slice.first().and_then(|first| {
        let start = first.cluster as usize;
        let mut end = start;
        for g in slice.iter().filter(|g| g.text_len > 0) {
            if g.cluster as usize != end {
                return None;
            }
            end += usize::from(g.text_len);
        }
        text.get(start..end)
    });
    if let Some(whole) = whole {
        out.text.push_str(whole);
        out.glyphs.reserve(slice.len());
        for g in slice {
            pen = out.push_placed(g, g.text_len, pen, (scale, y_scale));
        }
        return Pt(pen);
    }
    for g in slice {
        let start = g.cluster as usize;
        let own = text
            .get(start..start + usize::from(g.text_len))
            .unwrap_or("");
        out.text.push_str(own);
        pen = out.push_placed(g, own.len() as u16, pen, (scale, y_scale));
    }
    Pt(pen)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(cluster: u32) -> ShapedGlyph {
        ShapedGlyph {
            id: 1,
            cluster,
            advance: 10,
            x_offset: 0,
            y_offset: 0,
            text_len: 0,
        }
    }

    fn with_len(cluster: u32, text_len: u16) -> ShapedGlyph {
        ShapedGlyph {
            text_len,
            ..g(cluster)
        }
    }

    #[test]
    fn placed_glyphs_carry_their_texts_in_order_or_not() {
        // In order ("ffi" ligature, a mark with no text, "o"): copied at
        // once, after what the sink holds.
        let glyphs = [with_len(0, 3), with_len(0, 0), with_len(3, 1)];
        let mut sink = GlyphSink::default();
        place_glyphs(&[with_len(0, 1)], "x", Pt(0.0), 0.1, &mut sink);
        place_glyphs(&glyphs, "ffio", Pt(0.0), 0.1, &mut sink);
        assert_eq!(sink.text, "xffio");
        let lens: Vec<u16> = sink.glyphs.iter().map(|g| g.text_len).collect();
        assert_eq!(lens, [1, 3, 0, 1]);
        // Reordered clusters: glyph by glyph, each text where it is met.
        let glyphs = [with_len(3, 1), with_len(0, 3)];
        let mut sink = GlyphSink::default();
        place_glyphs(&glyphs, "ffio", Pt(0.0), 0.1, &mut sink);
        assert_eq!(sink.text, "offi");
        let lens: Vec<u16> = sink.glyphs.iter().map(|g| g.text_len).collect();
        assert_eq!(lens, [1, 3]);
        assert_eq!(sink.glyphs[1].x, Pt(1.0));
        // Taken out as a run keeps them: each glyph's text after the last.
        let (glyphs, text, _) = sink.take();
        let run = crate::typeset::frame::TextRun {
            font: crate::typeset::frame::FontId(0),
            size: Pt(10.0),
            baseline: Pt::ZERO,
            gray: 0.0,
            color: None,
            text,
            glyphs,
            offsets: Vec::new(),
            h_scale: 1.0,
        };
        let texts: Vec<&str> = run.glyph_texts().map(|(_, t)| t).collect();
        assert_eq!(texts, ["o", "ffi"]);
        assert_eq!(run.glyphs[1].advance, 1.0);
    }

    #[test]
    fn cluster_text_covers_ligatures_and_marks() {
        // "ffio": ffi ligature (cluster 0), o (cluster 3).
        let glyphs = [g(0), g(3)];
        assert_eq!(glyph_text(&glyphs, 0, "ffio"), "ffi");
        assert_eq!(glyph_text(&glyphs, 1, "ffio"), "o");
        // base + mark in one cluster: second glyph gets "".
        let glyphs = [g(0), g(0), g(3)];
        assert_eq!(glyph_text(&glyphs, 0, "e\u{301}x"), "e\u{301}");
        assert_eq!(glyph_text(&glyphs, 1, "e\u{301}x"), "");
        assert_eq!(glyph_text(&glyphs, 2, "e\u{301}x"), "x");
    }
}
