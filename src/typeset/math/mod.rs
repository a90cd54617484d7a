//! Math in the PDF: a formula of the model ([`crate::math`]) laid out on
//! the math font's OpenType MATH table into frame items — glyph runs of the
//! math font (and of the text face for `\text`) and rules — so the PDF
//! writer needs nothing of its own for math.
//!
//! Place in the pipeline: called by composition for inline formulas (set
//! as object boxes of the paragraph, on its baseline) and display formulas
//! (a slab of their own). [`font`] reads the font, [`layout`] builds boxes.

mod font;
mod layout;
mod table;

use crate::fonts::Face;
use crate::math::{Node, Style};
use crate::typeset::fonts::Fonts;
use crate::typeset::frame::{FontId, Glyph, Item, Rect, TextRun};
use crate::units::Pt;

use font::{MathFont, Source};
use layout::{Layout, MItem, St};

/// A laid-out formula: its extent around the baseline and what it draws,
/// with x from its left edge and y from its baseline (downwards, as on
/// the page).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MathBox {
    pub width: Pt,
    /// Height above the baseline and depth below it (both positive).
    pub ascent: Pt,
    pub descent: Pt,
    pub items: Vec<Item>,
    /// The math axis above the baseline (where an equation number centres).
    pub axis: Pt,
}

/// Lays out `body` at `size`, in display style or text style; `None` when
/// Folio's math font cannot be used (the caller sets the TeX instead).
pub(crate) fn layout(fonts: &mut Fonts, body: &[Node], display: bool, size: Pt) -> Option<MathBox> {
    let math_face = fonts.math_face()?;
    let math_id = fonts.font_id(math_face);
    let text_id = fonts.font_id(Face::Regular);
    let math_data = fonts.face_data(math_face).clone();
    let text_data = fonts.face_data(Face::Regular).clone();
    let font = MathFont::new(
        &math_data.bytes,
        math_data.index,
        Some((&text_data.bytes, text_data.index)),
    )?;
    let st = St {
        style: if display { Style::Display } else { Style::Text },
        cramped: false,
    };
    let lay = Layout {
        font: &font,
        base: size.0,
        middle: std::cell::Cell::new(None),
    };
    let b = lay.list(body, st, None);
    let axis = font.c(|c| c.axis_height(), size.0);
    Some(MathBox {
        width: Pt(b.width),
        ascent: Pt(b.height.max(0.0)),
        descent: Pt(b.depth.max(0.0)),
        items: frame_items(b.items, math_id, text_id),
        axis: Pt(axis),
    })
}

/// Boxes' glyphs and rules → frame items: consecutive glyphs of one font,
/// size and baseline become one run.
fn frame_items(items: Vec<MItem>, math: FontId, text: FontId) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::new();
    let mut run: Option<TextRun> = None;
    for item in items {
        match item {
            MItem::Glyph {
                source,
                id,
                size,
                x,
                y,
                text: t,
                advance,
            } => {
                let font = match source {
                    Source::Math => math,
                    Source::Text => text,
                };
                let baseline = Pt(-y);
                let same = run.as_ref().is_some_and(|r| {
                    r.font == font && r.size == Pt(size) && (r.baseline - baseline).0.abs() < 1e-6
                });
                if !same {
                    out.extend(run.take().map(Item::Text));
                    run = Some(TextRun {
                        color: None,
                        font,
                        size: Pt(size),
                        baseline,
                        gray: 0.0,
                        text: String::new(),
                        glyphs: Vec::new(),
                        offsets: Vec::new(),
                        h_scale: 1.0,
                    });
                }
                let r = run.as_mut().expect("a run was just started");
                r.text.push_str(&t);
                r.glyphs.push(Glyph {
                    id,
                    text_len: t.len() as u16,
                    x: Pt(x),
                    advance: advance as f32,
                });
            }
            MItem::Rule {
                x,
                y,
                width,
                height,
            } => out.push(Item::Rect(Rect {
                x: Pt(x),
                y: Pt(-(y + height)),
                width: Pt(width),
                height: Pt(height),
                gray: 0.0,
            })),
        }
    }
    out.extend(run.map(Item::Text));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::Formula;
    use crate::typeset::fonts::tests::test_fonts;

    fn lay(tex: &str, display: bool) -> MathBox {
        let mut fonts = test_fonts();
        let (f, e) = Formula::new(tex, display);
        assert!(e.is_none(), "{e:?}");
        layout(&mut fonts, f.body.as_ref().unwrap(), display, Pt(10.0)).expect("math font")
    }

    fn glyphs(b: &MathBox) -> Vec<u16> {
        b.items
            .iter()
            .filter_map(|i| match i {
                Item::Text(r) => Some(r.glyphs.iter().map(|g| g.id)),
                _ => None,
            })
            .flatten()
            .collect()
    }

    #[test]
    fn fraction_has_a_rule_on_the_axis_and_no_notdef() {
        let b = lay(r"\frac{a+b}{c}", true);
        assert!(b.items.iter().any(|i| matches!(i, Item::Rect(_))));
        assert!(!glyphs(&b).contains(&0));
        assert!(b.ascent.0 > 10.0 * 0.6 && b.descent.0 > 10.0 * 0.3, "{b:?}");
    }

    #[test]
    fn display_sum_is_larger_than_inline() {
        let d = lay(r"\sum_{i=1}^n i", true);
        let t = lay(r"\sum_{i=1}^n i", false);
        assert!(d.ascent > t.ascent, "{:?} vs {:?}", d.ascent, t.ascent);
        // Limits in display go over and under: taller than a scripted sum.
        assert!(d.ascent.0 + d.descent.0 > 20.0);
    }

    #[test]
    fn middle_delimiters_grow_with_their_fences() {
        let bar = |b: &MathBox| {
            b.items
                .iter()
                .filter_map(|i| match i {
                    Item::Text(r) => r.glyph_texts().find(|&(_, t)| t == "|").map(|(g, _)| g.id),
                    _ => None,
                })
                .next()
                .expect("a bar is drawn")
        };
        let small = lay(r"\left\langle x \middle| y \right\rangle", true);
        let tall = lay(
            r"\left\langle \frac{\frac{a}{b}}{c} \middle| \frac{d}{\frac{e}{f}} \right\rangle",
            true,
        );
        assert_ne!(bar(&small), bar(&tall), "the middle bar kept its text size");
    }

    #[test]
    fn fences_grow_with_their_content() {
        let small = lay(r"\left( x \right)", true);
        let big = lay(r"\left( \frac{\frac{a}{b}}{\frac{c}{d}} \right)", true);
        assert!(big.ascent.0 + big.descent.0 > 2.0 * (small.ascent.0 + small.descent.0));
        assert!(!glyphs(&big).contains(&0));
    }
}
