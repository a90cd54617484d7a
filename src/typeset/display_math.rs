//! Displayed formulas in the PDF: a formula laid out by [`super::math`],
//! centred on the measure in a slab of whole lines, with its number at the
//! right margin.
//!
//! Place in the pipeline: part of composition ([`super::compose`]), which
//! calls it for a math block; a formula that cannot be laid out comes back
//! as `None` and is shown as its TeX by the caller.

use crate::diag::{Diagnostic, Span};
use crate::typeset::compose::{locate, Composer, Ctx};
use crate::typeset::flow::{shift_item, Piece, Role, Slab, EPS};
use crate::typeset::fonts::Face;
use crate::typeset::frame::Item;
use crate::typeset::math::{layout, MathBox};
use crate::units::Pt;

/// An equation number stands at least this many ems from its formula.
const EQUATION_NUMBER_GAP: f64 = 1.0;
/// A displayed formula too wide for the measure is set smaller, down to
/// this fraction of the text size (then it overflows, with a warning).
const MIN_DISPLAY_MATH_SCALE: f64 = 0.6;
/// Space kept above and below a displayed formula's ink, in leadings (as
/// TeX's `\abovedisplayskip`, about a line, less the line's own white):
/// the slab is then rounded up to whole lines so the text after it stays
/// on the grid, the formula centred in it.
const DISPLAY_MATH_SKIP: f64 = 0.45;
/// A formula at most this many ems tall (ascent and descent) has its
/// number on its baseline; a taller one on its axis, as in print.
const ONE_LINE_FORMULA: f64 = 1.5;
/// A formula is centred as if it reached at least this many ems above
/// its baseline and…
const STRUT_ASCENT: f64 = 0.8;
/// …this many below (a line of text's height, as TeX's `\strut`), so
/// that short formulas one after another stand on evenly spaced baselines.
const STRUT_DESCENT: f64 = 0.3;

impl Composer<'_> {
    /// A display formula as a slab of its own, centred, numbered on the
    /// right when it has a tag, scaled down (with a warning) when it is
    /// wider than the measure. `None` when it cannot be laid out.
    pub(crate) fn display_math(
        &mut self,
        f: &crate::model::Formula,
        span: Span,
        ctx: &Ctx,
    ) -> Option<Slab> {
        let body = f.body.as_ref()?;
        let measure = self.measure(ctx);
        let tag = f.tag.as_ref().map(|t| format!("({t})"));
        let tag_width = tag
            .as_ref()
            .map_or(Pt::ZERO, |t| self.fonts.width(t, Face::Regular, ctx.size));
        let room = |b: &MathBox| {
            if tag.is_some() {
                // Centred with room for the number on both sides.
                b.width + (tag_width + ctx.size * EQUATION_NUMBER_GAP) * 2.0
            } else {
                b.width
            }
        };
        let mut b = layout(&mut self.fonts, body, true, ctx.size)?;
        if room(&b) > measure {
            let scale = (measure / room(&b)).max(MIN_DISPLAY_MATH_SCALE);
            if let Some(smaller) = layout(&mut self.fonts, body, true, ctx.size * scale) {
                b = smaller;
            }
            if room(&b) > measure + Pt(EPS) {
                let mut d =
                    Diagnostic::warning("a displayed formula is wider than the PDF's line width")
                        .with_hint(
                            "break it into lines with `\\begin{aligned}` … `\\end{aligned}`",
                        );
                if let Some(loc) = locate(self.book, span) {
                    d = d.at(loc);
                }
                self.warnings.push(d);
            }
        }
        // Whole lines holding the ink and the skip above and below it, the
        // ink centred between them.
        let ascent = b.ascent.max(ctx.size * STRUT_ASCENT);
        let ink = ascent + b.descent.max(ctx.size * STRUT_DESCENT);
        let wanted = ink + ctx.leading * (2.0 * DISPLAY_MATH_SKIP);
        let lines = ((wanted / ctx.leading) - EPS).ceil().max(1.0);
        let height = ctx.leading * lines;
        let baseline = (height - ink) / 2.0 + ascent;
        let mut slab = Slab::new(height, Role::Other, span);
        let x = ctx.left + ((measure - b.width) / 2.0).max(Pt::ZERO);
        let axis = b.axis;
        for mut item in b.items {
            shift_item(&mut item, x, baseline);
            slab.pieces.push(Piece::Item(item));
        }
        if let Some(tag) = tag {
            // The number sits on the formula's axis, at the right margin.
            let x_height = self.fonts.metrics(Face::Regular).x_height;
            let y = if b.ascent + b.descent < ctx.size * ONE_LINE_FORMULA {
                baseline
            } else {
                baseline - axis + ctx.size * (x_height / 2.0)
            };
            let runs = self.fonts.run(
                &tag,
                Face::Regular,
                ctx.size,
                ctx.left + measure - tag_width,
                y,
                0.0,
            );
            slab.pieces
                .extend(runs.into_iter().map(|r| Piece::Item(Item::Text(r))));
        }
        Some(slab)
    }
}
