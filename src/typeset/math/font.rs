//! The math font as the layout reads it: glyphs by character, their
//! metrics, the MATH table's constants, italic corrections, accent
//! attachments, and the larger variants and assemblies of stretchy glyphs.
//!
//! Everything is returned in points at the size asked for; the font is
//! parsed once per formula (the table directory only, a few microseconds).

use ttf_parser::math::{Constants, GlyphConstruction};
use ttf_parser::{Face as TtfFace, GlyphId};

/// Which font a glyph comes from: the math font, or the book's text face
/// (for `\text{…}` and characters the math font lacks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Math,
    Text,
}

/// A glyph with its metrics at a size.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GlyphBox {
    pub source: Source,
    pub id: u16,
    pub size: f64,
    pub width: f64,
    pub height: f64,
    pub depth: f64,
    pub italic: f64,
    /// Where an accent over it centres (from its left edge).
    pub attach: f64,
}

/// The two faces of a formula, parsed.
pub(crate) struct MathFont<'a> {
    pub math: TtfFace<'a>,
    pub text: Option<TtfFace<'a>>,
    pub constants: Constants<'a>,
    upem: f64,
}

impl<'a> MathFont<'a> {
    /// `None` when the math font has no MATH table.
    pub fn new(math: &'a [u8], index: u32, text: Option<(&'a [u8], u32)>) -> Option<MathFont<'a>> {
        let math = TtfFace::parse(math, index).ok()?;
        let constants = math.tables().math?.constants?;
        let upem = f64::from(math.units_per_em());
        let text = text.and_then(|(b, i)| TtfFace::parse(b, i).ok());
        Some(MathFont {
            math,
            text,
            constants,
            upem,
        })
    }

    /// Font units of the math font to points at `size`.
    pub fn pt(&self, units: impl Into<f64>, size: f64) -> f64 {
        units.into() * size / self.upem
    }

    /// A MATH constant in points at `size`.
    pub fn c(
        &self,
        f: impl Fn(&Constants<'a>) -> ttf_parser::math::MathValue<'a>,
        size: f64,
    ) -> f64 {
        self.pt(f(&self.constants).value, size)
    }

    /// The glyph of `c`: from the math font, else the text face; `None`
    /// when neither has it.
    pub fn glyph(&self, c: char, size: f64, prefer_text: bool) -> Option<GlyphBox> {
        let text_first = [Source::Text, Source::Math];
        let math_first = [Source::Math, Source::Text];
        let order = if prefer_text { text_first } else { math_first };
        for source in order {
            let face = match source {
                Source::Math => Some(&self.math),
                Source::Text => self.text.as_ref(),
            };
            if let Some(id) = face.and_then(|f| f.glyph_index(c)) {
                return Some(self.measure(source, id, size));
            }
        }
        None
    }

    /// Metrics of glyph `id` of `source` at `size`.
    pub fn measure(&self, source: Source, id: GlyphId, size: f64) -> GlyphBox {
        let face = match source {
            Source::Math => &self.math,
            Source::Text => self.text.as_ref().unwrap_or(&self.math),
        };
        let scale = size / f64::from(face.units_per_em());
        let width = f64::from(face.glyph_hor_advance(id).unwrap_or(0)) * scale;
        let (height, depth) = face.glyph_bounding_box(id).map_or((0.0, 0.0), |b| {
            (f64::from(b.y_max) * scale, -f64::from(b.y_min) * scale)
        });
        let (italic, attach) = match source {
            Source::Math => {
                let info = self.math.tables().math.and_then(|m| m.glyph_info);
                let italic = info
                    .and_then(|i| i.italic_corrections)
                    .and_then(|v| v.get(id))
                    .map_or(0.0, |v| f64::from(v.value) * scale);
                let attach = info
                    .and_then(|i| i.top_accent_attachments)
                    .and_then(|v| v.get(id))
                    .map_or(width / 2.0, |v| f64::from(v.value) * scale);
                (italic, attach)
            }
            Source::Text => (0.0, width / 2.0),
        };
        GlyphBox {
            source,
            id: id.0,
            size,
            width,
            height,
            depth,
            italic,
            attach,
        }
    }

    fn construction(&self, id: GlyphId, vertical: bool) -> Option<GlyphConstruction<'a>> {
        let variants = self.math.tables().math?.variants?;
        if vertical {
            variants.vertical_constructions.get(id)
        } else {
            variants.horizontal_constructions.get(id)
        }
    }

    /// The smallest variant of `base` at least `target` points long
    /// (tall when `vertical`, else wide), or else an assembly of its parts
    /// that long; the largest variant when neither reaches it.
    pub fn stretch(&self, base: GlyphBox, target: f64, vertical: bool) -> Stretched {
        let size = base.size;
        let length = |g: &GlyphBox| {
            if vertical {
                g.height + g.depth
            } else {
                g.width
            }
        };
        if base.source != Source::Math || length(&base) >= target {
            return Stretched::Glyph(base);
        }
        let Some(construction) = self.construction(GlyphId(base.id), vertical) else {
            return Stretched::Glyph(base);
        };
        let mut best = base;
        for v in construction.variants {
            let g = self.measure(Source::Math, v.variant_glyph, size);
            best = g;
            if self.pt(v.advance_measurement, size) >= target {
                return Stretched::Glyph(g);
            }
        }
        let Some(assembly) = construction.assembly else {
            return Stretched::Glyph(best);
        };
        let overlap = self.pt(
            self.math
                .tables()
                .math
                .and_then(|m| m.variants)
                .map_or(0, |v| v.min_connector_overlap),
            size,
        );
        let parts: Vec<_> = assembly.parts.into_iter().collect();
        if parts.is_empty() {
            return Stretched::Glyph(best);
        }
        // Repeat the extenders until the parts, overlapping as little as
        // allowed, reach the target (TeX's and the spec's algorithm).
        let mut repeats = 0usize;
        let sequence = loop {
            let seq: Vec<_> = parts
                .iter()
                .flat_map(|p| {
                    let n = if p.part_flags.extender() { repeats } else { 1 };
                    std::iter::repeat_n(*p, n)
                })
                .collect();
            let full: f64 = seq.iter().map(|p| self.pt(p.full_advance, size)).sum();
            let max_len = full - overlap * (seq.len().saturating_sub(1)) as f64;
            if max_len >= target || repeats > 64 {
                break seq;
            }
            repeats += 1;
        };
        // Then overlap more, evenly, to land on the target where the
        // connectors allow it.
        let full: f64 = sequence.iter().map(|p| self.pt(p.full_advance, size)).sum();
        let joints = sequence.len().saturating_sub(1);
        let mut joint_overlap = overlap;
        if joints > 0 {
            let max_overlap = sequence
                .windows(2)
                .map(|w| {
                    self.pt(
                        w[0].end_connector_length.min(w[1].start_connector_length),
                        size,
                    )
                })
                .fold(f64::INFINITY, f64::min)
                .max(overlap);
            joint_overlap = ((full - target) / joints as f64).clamp(overlap, max_overlap);
        }
        let mut pieces = Vec::with_capacity(sequence.len());
        let mut pos = 0.0;
        for (i, p) in sequence.iter().enumerate() {
            if i > 0 {
                pos -= joint_overlap;
            }
            pieces.push((self.measure(Source::Math, p.glyph_id, size), pos));
            pos += self.pt(p.full_advance, size);
        }
        Stretched::Assembly {
            pieces,
            length: pos,
            vertical,
        }
    }
}

/// A stretched glyph: one variant, or parts laid end to end (from the
/// bottom up, or left to right) at the given offsets.
pub(crate) enum Stretched {
    Glyph(GlyphBox),
    Assembly {
        pieces: Vec<(GlyphBox, f64)>,
        length: f64,
        vertical: bool,
    },
}
