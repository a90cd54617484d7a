//! Formula layout: the math model → nested boxes of glyphs and rules, on
//! the rules of TeX's appendix G with the distances the OpenType MATH
//! table gives (as the OpenType specification and Typst do).
//!
//! Coordinates here are in points with y growing upwards from the
//! baseline; [`super`] turns the result into frame items.

use crate::math::symbols::styled_char;
use crate::math::{Class, Node, Place, Style, Variant};

use super::font::{GlyphBox, MathFont, Source, Stretched};

/// TeX's `\nulldelimiterspace` (1.2pt at 10pt): the space on each side of
/// a fraction.
pub(super) const NULL_DELIMITER: f64 = 0.12;
/// TeX's `\delimiterfactor`: a fence covers at least this share of the
/// formula it encloses…
const DELIMITER_FACTOR: f64 = 0.901;
/// …and falls short of it by at most this many ems (`\delimitershortfall`).
const DELIMITER_SHORTFALL: f64 = 0.5;
/// Heights of `\big`, `\Big`, `\bigg`, `\Bigg` in ems (as in plain TeX).
const BIG_SIZES: [f64; 4] = [1.2, 1.8, 2.4, 3.0];
/// A large operator in display style is at least this many times its
/// text size (some fonts' text integral already meets the MATH table's
/// minimum, and would not grow).
const DISPLAY_OPERATOR_GROWTH: f64 = std::f64::consts::SQRT_2;
/// A mu is 1/18 em.
const MU: f64 = 1.0 / 18.0;

/// A laid-out piece: its extent and what it draws.
#[derive(Debug, Clone, Default)]
pub(crate) struct MBox {
    pub width: f64,
    pub height: f64,
    pub depth: f64,
    /// Italic correction of its last glyph.
    pub italic: f64,
    /// Accent attachment, when the box is one glyph.
    pub attach: Option<f64>,
    /// The box is a single character (scripts then ignore its drop).
    pub simple: bool,
    pub items: Vec<MItem>,
}

#[derive(Debug, Clone)]
pub(crate) enum MItem {
    Glyph {
        source: Source,
        id: u16,
        size: f64,
        x: f64,
        y: f64,
        /// The text the glyph stands for (empty for assembly pieces after
        /// the first).
        text: String,
        advance: f64,
    },
    Rule {
        x: f64,
        y: f64,
        width: f64,
        height: f64,
    },
}

impl MBox {
    fn glyph(g: GlyphBox, text: &str) -> MBox {
        MBox {
            width: g.width,
            height: g.height,
            depth: g.depth,
            italic: g.italic,
            attach: Some(g.attach),
            simple: true,
            items: vec![MItem::Glyph {
                source: g.source,
                id: g.id,
                size: g.size,
                x: 0.0,
                y: 0.0,
                text: text.to_string(),
                advance: g.width,
            }],
        }
    }

    /// Draws `other` with its origin at (dx, dy) of this box (the extent is
    /// the caller's to set).
    pub(super) fn put(&mut self, other: MBox, dx: f64, dy: f64) {
        for mut item in other.items {
            match &mut item {
                MItem::Glyph { x, y, .. } | MItem::Rule { x, y, .. } => {
                    *x += dx;
                    *y += dy;
                }
            }
            self.items.push(item);
        }
    }

    fn rule(&mut self, x: f64, y: f64, width: f64, height: f64) {
        self.items.push(MItem::Rule {
            x,
            y,
            width,
            height,
        });
    }

    /// Shifts everything up by `dy`.
    pub(super) fn raise(mut self, dy: f64) -> MBox {
        for item in &mut self.items {
            match item {
                MItem::Glyph { y, .. } | MItem::Rule { y, .. } => *y += dy,
            }
        }
        self.height += dy;
        self.depth -= dy;
        self
    }
}

/// A style with its crampedness.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct St {
    pub style: Style,
    pub cramped: bool,
}

impl St {
    fn level(self) -> u8 {
        match self.style {
            Style::Display | Style::Text => 0,
            Style::Script => 1,
            Style::ScriptScript => 2,
        }
    }
    pub(super) fn script(self) -> bool {
        self.level() > 0
    }
    fn sup(self) -> St {
        St {
            style: match self.style {
                Style::Display | Style::Text => Style::Script,
                _ => Style::ScriptScript,
            },
            ..self
        }
    }
    fn sub(self) -> St {
        St {
            cramped: true,
            ..self.sup()
        }
    }
    fn num(self) -> St {
        St {
            style: match self.style {
                Style::Display => Style::Text,
                Style::Text => Style::Script,
                _ => Style::ScriptScript,
            },
            ..self
        }
    }
    fn den(self) -> St {
        St {
            cramped: true,
            ..self.num()
        }
    }
    fn cramp(self) -> St {
        St {
            cramped: true,
            ..self
        }
    }
}

/// Lays out formulas at one base size.
pub(crate) struct Layout<'a, 'f> {
    pub font: &'f MathFont<'a>,
    pub base: f64,
    /// The height `\middle` delimiters grow to while the body of their
    /// `\left…\right` is set again (`None`: their natural size).
    pub middle: std::cell::Cell<Option<f64>>,
}

impl Layout<'_, '_> {
    pub(super) fn size(&self, st: St) -> f64 {
        let c = &self.font.constants;
        match st.level() {
            0 => self.base,
            1 => self.base * f64::from(c.script_percent_scale_down()) / 100.0,
            _ => self.base * f64::from(c.script_script_percent_scale_down()) / 100.0,
        }
    }

    pub(super) fn axis(&self, size: f64) -> f64 {
        self.font.c(|c| c.axis_height(), size)
    }

    /// A list of nodes, with TeX's spacing between atoms; `prev` is the
    /// class of what stands before it (a cell of `aligned` after `&`).
    pub fn list(&self, nodes: &[Node], st: St, prev: Option<Class>) -> MBox {
        let size = self.size(st);
        let mut atoms: Vec<(MBox, Class)> = Vec::with_capacity(nodes.len());
        let mut i = 0;
        while i < nodes.len() {
            let node = &nodes[i];
            if let Node::Styled { style, body } = node {
                let inner = St {
                    style: *style,
                    ..st
                };
                atoms.push((self.list(body, inner, None), Class::Ord));
            } else {
                atoms.push((self.node(node, st), node.class()));
            }
            i += 1;
        }
        // A binary operator with nothing to operate on is ordinary.
        let n = atoms.len();
        for k in 0..n {
            if atoms[k].1 != Class::Bin {
                continue;
            }
            let before = if k == 0 { prev } else { Some(atoms[k - 1].1) };
            let after = atoms.get(k + 1).map(|a| a.1);
            let lonely_before = matches!(
                before,
                None | Some(Class::Bin | Class::Op | Class::Rel | Class::Open | Class::Punct)
            );
            let lonely_after =
                matches!(after, None | Some(Class::Rel | Class::Close | Class::Punct));
            if lonely_before || lonely_after {
                atoms[k].1 = Class::Ord;
            }
        }
        let mut out = MBox::default();
        let mut x = 0.0;
        let mut last: Option<Class> = prev;
        let single = atoms.len() == 1;
        for (b, class) in atoms {
            if let Some(l) = last {
                x += spacing(l, class, st.script()) * size;
            }
            out.height = out.height.max(b.height);
            out.depth = out.depth.max(b.depth);
            out.italic = b.italic;
            if single {
                out.attach = b.attach;
                out.simple = b.simple;
            }
            let w = b.width;
            out.put(b, x, 0.0);
            x += w;
            last = Some(class);
        }
        out.width = x;
        out
    }

    fn node(&self, node: &Node, st: St) -> MBox {
        let size = self.size(st);
        match node {
            Node::Ident { text, variant } => {
                let mut b = self.chars(text, *variant, size, false);
                // An italic letter keeps its correction unless a script follows.
                if *variant == Variant::Italic && text.chars().count() == 1 {
                    b.width += b.italic;
                }
                b
            }
            Node::Number { text, variant } => self.chars(text, *variant, size, false),
            Node::Operator { text, .. } => self.chars(text, Variant::Upright, size, false),
            Node::BigOp { text, large, .. } => {
                if *large {
                    self.big_op(text, st)
                } else {
                    self.chars(text, Variant::Upright, size, false)
                }
            }
            Node::Text(t) => self.chars(t, Variant::Upright, size, true),
            Node::Group(b) => {
                let mut g = self.list(b, st, None);
                if b.len() != 1 {
                    g.simple = false;
                }
                g
            }
            Node::Styled { style, body } => self.list(
                body,
                St {
                    style: *style,
                    ..st
                },
                None,
            ),
            Node::Frac {
                num,
                den,
                rule,
                style,
            } => {
                let st = match style {
                    Some(s) => St { style: *s, ..st },
                    None => st,
                };
                self.frac(num, den, *rule, st)
            }
            Node::Sqrt { index, body } => self.sqrt(index.as_deref(), body, st),
            Node::Scripts {
                base,
                sub,
                sup,
                place,
            } => self.scripts(base, sub.as_deref(), sup.as_deref(), *place, st),
            Node::Fenced { open, close, body } => {
                let mut inner = self.list(body, st, None);
                if body.iter().any(|n| matches!(n, Node::Middle(_))) {
                    // Once more, with the middles as tall as the fences.
                    let outer = self.middle.replace(Some(self.fence_target(&inner, size)));
                    inner = self.list(body, st, None);
                    self.middle.set(outer);
                }
                self.fence(inner, open, close, size)
            }
            Node::Middle(text) => match self.middle.get() {
                Some(target) => self.delimiter(text, target, size),
                None => self.chars(text, Variant::Upright, size, false),
            },
            Node::Big { text, size: n, .. } => {
                let target = BIG_SIZES[usize::from((*n).clamp(1, 4) - 1)] * self.base;
                self.delimiter(text, target, size)
            }
            Node::Accent {
                accent,
                body,
                under,
                stretch,
            } => self.accent(*accent, body, *under, *stretch, st),
            Node::Line { body, under } => self.line(body, *under, st),
            Node::Table { kind, rows } => self.table(kind, rows, st),
            Node::Space(em) => MBox {
                width: f64::from(*em) * size,
                ..MBox::default()
            },
        }
    }

    /// Characters set one after the other (no kerning: math letters are
    /// spaced by their atoms, not pairs).
    fn chars(&self, text: &str, variant: Variant, size: f64, prefer_text: bool) -> MBox {
        let mut out = MBox::default();
        let mut x = 0.0;
        let count = text.chars().count();
        for c in text.chars() {
            let styled = styled_char(c, variant);
            let g = self
                .font
                .glyph(styled, size, prefer_text)
                .or_else(|| self.font.glyph(c, size, prefer_text));
            let Some(g) = g else {
                // Neither font has it: a space of half an em keeps its place.
                x += size / 2.0;
                continue;
            };
            // The text a reader copies: plain letters for italic (so a
            // search finds `x`), the alphabet's own character otherwise (ℝ).
            let text = match variant {
                Variant::Italic | Variant::Upright => c,
                _ => styled,
            };
            let b = MBox::glyph(g, &text.to_string());
            out.height = out.height.max(b.height);
            out.depth = out.depth.max(b.depth);
            out.italic = b.italic;
            if count == 1 {
                out.attach = b.attach;
                out.simple = true;
            }
            out.put(b, x, 0.0);
            x += g.width;
        }
        out.width = x;
        out
    }

    /// A large operator: its display variant in display style, centred on
    /// the math axis.
    fn big_op(&self, text: &str, st: St) -> MBox {
        let size = self.size(st);
        let c = text.chars().next().unwrap_or('∑');
        let Some(g) = self.font.glyph(c, size, false) else {
            return self.chars(text, Variant::Upright, size, false);
        };
        let g = if st.style == Style::Display {
            let min = self
                .font
                .pt(self.font.constants.display_operator_min_height(), size)
                .max((g.height + g.depth) * DISPLAY_OPERATOR_GROWTH);
            match self.font.stretch(g, min, true) {
                Stretched::Glyph(v) => v,
                Stretched::Assembly { .. } => g,
            }
        } else {
            g
        };
        let b = MBox::glyph(g, text);
        let shift = self.axis(size) - (b.height - b.depth) / 2.0;
        let mut b = b.raise(shift);
        b.simple = false;
        b
    }

    fn frac(&self, num: &[Node], den: &[Node], rule: bool, st: St) -> MBox {
        let size = self.size(st);
        let f = self.font;
        let display = st.style == Style::Display;
        let n = self.list(num, st.num(), None);
        let d = self.list(den, st.den(), None);
        let axis = self.axis(size);
        let (u, v) = if rule {
            let t = f.c(|c| c.fraction_rule_thickness(), size);
            let (up, down, gn, gd) = if display {
                (
                    f.c(|c| c.fraction_numerator_display_style_shift_up(), size),
                    f.c(|c| c.fraction_denominator_display_style_shift_down(), size),
                    f.c(|c| c.fraction_num_display_style_gap_min(), size),
                    f.c(|c| c.fraction_denom_display_style_gap_min(), size),
                )
            } else {
                (
                    f.c(|c| c.fraction_numerator_shift_up(), size),
                    f.c(|c| c.fraction_denominator_shift_down(), size),
                    f.c(|c| c.fraction_numerator_gap_min(), size),
                    f.c(|c| c.fraction_denominator_gap_min(), size),
                )
            };
            (
                up.max(axis + t / 2.0 + gn + n.depth),
                down.max(d.height + gd - (axis - t / 2.0)),
            )
        } else {
            let (up, down, gap) = if display {
                (
                    f.c(|c| c.stack_top_display_style_shift_up(), size),
                    f.c(|c| c.stack_bottom_display_style_shift_down(), size),
                    f.c(|c| c.stack_display_style_gap_min(), size),
                )
            } else {
                (
                    f.c(|c| c.stack_top_shift_up(), size),
                    f.c(|c| c.stack_bottom_shift_down(), size),
                    f.c(|c| c.stack_gap_min(), size),
                )
            };
            let clear = (up - n.depth) - (d.height - down);
            if clear < gap {
                let more = (gap - clear) / 2.0;
                (up + more, down + more)
            } else {
                (up, down)
            }
        };
        let pad = NULL_DELIMITER * size;
        let inner = n.width.max(d.width);
        let mut out = MBox {
            width: inner + 2.0 * pad,
            height: u + n.height,
            depth: v + d.depth,
            ..MBox::default()
        };
        let (nw, dw) = (n.width, d.width);
        out.put(n, pad + (inner - nw) / 2.0, u);
        out.put(d, pad + (inner - dw) / 2.0, -v);
        if rule {
            let t = f.c(|c| c.fraction_rule_thickness(), size);
            out.rule(pad, axis - t / 2.0, inner, t);
        }
        out
    }

    fn sqrt(&self, index: Option<&[Node]>, body: &[Node], st: St) -> MBox {
        let size = self.size(st);
        let f = self.font;
        let b = self.list(body, st.cramp(), None);
        let t = f.c(|c| c.radical_rule_thickness(), size);
        let mut gap = if st.style == Style::Display {
            f.c(|c| c.radical_display_style_vertical_gap(), size)
        } else {
            f.c(|c| c.radical_vertical_gap(), size)
        };
        let target = b.height + b.depth + gap + t;
        let radical = self.stretched('√', target, size, true);
        let total = radical.height + radical.depth;
        if total > target {
            gap += (total - target) / 2.0;
        }
        // The radical's top meets the rule's top.
        let rule_bottom = b.height + gap;
        let shift = rule_bottom + t - radical.height;
        let extra = f.c(|c| c.radical_extra_ascender(), size);
        let mut out = MBox::default();
        let mut x = 0.0;
        if let Some(index) = index {
            let ss = St {
                style: Style::ScriptScript,
                cramped: true,
            };
            let deg = self.list(index, ss, None);
            let before = f.c(|c| c.radical_kern_before_degree(), size);
            let after = f.c(|c| c.radical_kern_after_degree(), size);
            let raise_pct = f64::from(f.constants.radical_degree_bottom_raise_percent()) / 100.0;
            let bottom = shift - radical.depth;
            let raise = bottom + raise_pct * total;
            out.height = out.height.max(raise + deg.height);
            let w = deg.width;
            out.put(deg, before, raise);
            x = (before + w + after).max(0.0);
        }
        let rw = radical.width;
        let rdepth = radical.depth;
        out.put(radical, x, shift);
        x += rw;
        out.rule(x, rule_bottom, b.width, t);
        out.height = out.height.max(rule_bottom + t + extra);
        out.depth = b.depth.max(rdepth - shift);
        let bw = b.width;
        out.put(b, x, 0.0);
        out.width = x + bw;
        out
    }

    fn scripts(
        &self,
        base: &Node,
        sub: Option<&[Node]>,
        sup: Option<&[Node]>,
        place: Place,
        st: St,
    ) -> MBox {
        let size = self.size(st);
        let f = self.font;
        let limits = match place {
            Place::Limits => true,
            Place::Side => false,
            Place::Auto => {
                (st.style == Style::Display && matches!(base, Node::BigOp { limits: true, .. }))
                    || matches!(base, Node::Accent { stretch: true, .. })
            }
        };
        let mut b = match base {
            // An italic letter's correction goes to the superscript instead.
            Node::Ident { text, variant } => self.chars(text, *variant, size, false),
            n => self.node(n, st),
        };
        if limits {
            return self.limits(b, sub, sup, st);
        }
        let sup_box = sup.map(|s| self.list(s, st.sup(), None));
        let sub_box = sub.map(|s| self.list(s, st.sub(), None));
        let script_size = self.size(st.sup());
        let simple = b.simple;
        let (drop_sup, drop_sub) = if simple {
            (0.0, 0.0)
        } else {
            (
                b.height - f.c(|c| c.superscript_baseline_drop_max(), script_size),
                b.depth + f.c(|c| c.subscript_baseline_drop_min(), script_size),
            )
        };
        let mut u = 0.0;
        let mut v = 0.0;
        if let Some(p) = &sup_box {
            let shift = if st.cramped {
                f.c(|c| c.superscript_shift_up_cramped(), size)
            } else {
                f.c(|c| c.superscript_shift_up(), size)
            };
            u = shift
                .max(drop_sup)
                .max(p.depth + f.c(|c| c.superscript_bottom_min(), size));
        }
        if let Some(s) = &sub_box {
            let down = f.c(|c| c.subscript_shift_down(), size);
            v = down
                .max(drop_sub)
                .max(s.height - f.c(|c| c.subscript_top_max(), size));
        }
        if let (Some(p), Some(s)) = (&sup_box, &sub_box) {
            let gap = (u - p.depth) - (s.height - v);
            let min = f.c(|c| c.sub_superscript_gap_min(), size);
            if gap < min {
                v += min - gap;
                let max_bottom = f.c(|c| c.superscript_bottom_max_with_subscript(), size);
                let lift = max_bottom - (u - p.depth);
                if lift > 0.0 {
                    u += lift;
                    v -= lift;
                }
            }
        }
        let is_integral = matches!(
            base,
            Node::BigOp {
                large: true,
                limits: false,
                ..
            }
        );
        let italic = b.italic;
        let base_w = b.width;
        let mut out = MBox {
            height: b.height,
            depth: b.depth,
            ..MBox::default()
        };
        b.items.shrink_to_fit();
        out.put(b, 0.0, 0.0);
        let after = f.c(|c| c.space_after_script(), size);
        let mut width = base_w;
        if let Some(p) = sup_box {
            let x = base_w + if is_integral { 0.0 } else { italic };
            out.height = out.height.max(u + p.height);
            width = width.max(x + p.width);
            out.put(p, x, u);
        }
        if let Some(s) = sub_box {
            let x = base_w - if is_integral { italic } else { 0.0 };
            out.depth = out.depth.max(v + s.depth);
            width = width.max(x + s.width);
            out.put(s, x, -v);
        }
        out.width = width + after;
        out
    }

    /// Limits under and over a base (`\sum_{i=1}^n` in display style).
    fn limits(&self, b: MBox, sub: Option<&[Node]>, sup: Option<&[Node]>, st: St) -> MBox {
        let size = self.size(st);
        let f = self.font;
        let over = sup.map(|s| self.list(s, st.sup(), None));
        let under = sub.map(|s| self.list(s, st.sub(), None));
        let width = b
            .width
            .max(over.as_ref().map_or(0.0, |o| o.width))
            .max(under.as_ref().map_or(0.0, |u| u.width));
        let italic = b.italic;
        let mut out = MBox {
            width,
            height: b.height,
            depth: b.depth,
            ..MBox::default()
        };
        let (bh, bd, bw) = (b.height, b.depth, b.width);
        out.put(b, (width - bw) / 2.0, 0.0);
        if let Some(o) = over {
            let gap = f.c(|c| c.upper_limit_gap_min(), size);
            let rise = f.c(|c| c.upper_limit_baseline_rise_min(), size);
            let y = bh + gap.max(rise - o.depth) + o.depth;
            out.height = y + o.height;
            let ow = o.width;
            out.put(o, (width - ow) / 2.0 + italic / 2.0, y);
        }
        if let Some(u) = under {
            let gap = f.c(|c| c.lower_limit_gap_min(), size);
            let drop = f.c(|c| c.lower_limit_baseline_drop_min(), size);
            let y = bd + gap.max(drop - u.height) + u.height;
            out.depth = y + u.depth;
            let uw = u.width;
            out.put(u, (width - uw) / 2.0 - italic / 2.0, -y);
        }
        out
    }

    /// A glyph of `c` at least `target` long (vertical: tall), built from
    /// its variants or parts; vertical ones keep their designed baseline
    /// offset only when not assembled (assemblies start at the baseline).
    fn stretched(&self, c: char, target: f64, size: f64, vertical: bool) -> MBox {
        let Some(g) = self.font.glyph(c, size, false) else {
            return MBox::default();
        };
        match self.font.stretch(g, target, vertical) {
            Stretched::Glyph(v) => MBox::glyph(v, &c.to_string()),
            Stretched::Assembly {
                pieces,
                length,
                vertical,
            } => {
                // Horizontal parts may sit well above the baseline (a
                // brace): their extent is what they cover, not from 0.
                let mut out = MBox {
                    height: if vertical { 0.0 } else { f64::MIN },
                    depth: if vertical { 0.0 } else { f64::MIN },
                    ..MBox::default()
                };
                for (k, (p, offset)) in pieces.into_iter().enumerate() {
                    let text = if k == 0 { c.to_string() } else { String::new() };
                    let piece = MBox::glyph(p, &text);
                    if vertical {
                        out.width = out.width.max(p.width);
                        out.put(piece, 0.0, offset);
                    } else {
                        out.height = out.height.max(p.height);
                        out.depth = out.depth.max(p.depth);
                        out.put(piece, offset, 0.0);
                    }
                }
                if vertical {
                    out.height = length;
                } else {
                    out.width = length;
                }
                out
            }
        }
    }

    /// A delimiter `target` tall in total, centred on the axis.
    fn delimiter(&self, text: &str, target: f64, size: f64) -> MBox {
        let Some(c) = text.chars().next() else {
            return MBox::default();
        };
        let b = self.stretched(c, target, size, true);
        let shift = self.axis(size) - (b.height - b.depth) / 2.0;
        let mut b = b.raise(shift);
        b.simple = false;
        b
    }

    /// How tall fences around `inner` are (TeX's rule for `\left…\right`):
    /// 0 for a formula too small to need larger ones.
    fn fence_target(&self, inner: &MBox, size: f64) -> f64 {
        let axis = self.axis(size);
        let delta = (inner.height - axis).max(inner.depth + axis);
        let target = (2.0 * delta * DELIMITER_FACTOR).max(2.0 * delta - DELIMITER_SHORTFALL * size);
        let min = self
            .font
            .pt(self.font.constants.delimited_sub_formula_min_height(), size);
        if inner.height + inner.depth < min {
            0.0
        } else {
            target
        }
    }

    /// Fences that grow to cover `inner`.
    pub(super) fn fence(&self, inner: MBox, open: &str, close: &str, size: f64) -> MBox {
        let target = self.fence_target(&inner, size);
        let mut out = MBox::default();
        let mut x = 0.0;
        let mut parts = Vec::new();
        if !open.is_empty() {
            parts.push(self.delimiter(open, target, size));
        }
        parts.push(inner);
        if !close.is_empty() {
            parts.push(self.delimiter(close, target, size));
        }
        for p in parts {
            out.height = out.height.max(p.height);
            out.depth = out.depth.max(p.depth);
            let w = p.width;
            out.put(p, x, 0.0);
            x += w;
        }
        out.width = x;
        out
    }

    fn accent(&self, accent: char, body: &[Node], under: bool, stretch: bool, st: St) -> MBox {
        let size = self.size(st);
        let f = self.font;
        let b = self.list(body, st.cramp(), None);
        let combining = matches!(accent as u32, 0x300..=0x36F | 0x20D0..=0x20FF);
        let mark = if stretch {
            self.stretched(accent, b.width, size, false)
        } else {
            let g = f
                .glyph(accent, size, false)
                .or_else(|| f.glyph(crate::math::mathml::spacing_accent(accent), size, false));
            g.map_or_else(MBox::default, |g| MBox::glyph(g, &accent.to_string()))
        };
        let base_attach = if b.simple {
            b.attach.unwrap_or(b.width / 2.0)
        } else {
            b.width / 2.0
        };
        let mark_attach = if stretch {
            mark.width / 2.0
        } else {
            mark.attach.unwrap_or(mark.width / 2.0)
        };
        let dx = base_attach - mark_attach;
        let mut out = MBox {
            width: b.width.max(dx + mark.width),
            height: b.height,
            depth: b.depth,
            italic: b.italic,
            ..MBox::default()
        };
        let (bh, bd) = (b.height, b.depth);
        let x0 = (-dx).max(0.0);
        out.put(b, x0, 0.0);
        let (mh, md) = (mark.height, mark.depth);
        if under {
            let gap = f.c(|c| c.underbar_vertical_gap(), size);
            let y = -(bd + gap + mh);
            out.depth = out.depth.max(-y + md);
            out.put(mark, x0 + dx, y);
        } else {
            let y = if combining {
                // Accents are drawn for a base of the accent base height.
                (bh - f.c(|c| c.accent_base_height(), size)).max(0.0)
            } else {
                bh + f.c(|c| c.overbar_vertical_gap(), size) + md
            };
            out.height = out.height.max(y + mh);
            out.put(mark, x0 + dx, y);
        }
        out.width += x0;
        out
    }

    fn line(&self, body: &[Node], under: bool, st: St) -> MBox {
        let size = self.size(st);
        let f = self.font;
        let b = self.list(body, if under { st } else { st.cramp() }, None);
        let mut out = MBox {
            width: b.width,
            height: b.height,
            depth: b.depth,
            ..MBox::default()
        };
        if under {
            let gap = f.c(|c| c.underbar_vertical_gap(), size);
            let t = f.c(|c| c.underbar_rule_thickness(), size);
            let extra = f.c(|c| c.underbar_extra_descender(), size);
            out.rule(0.0, -(b.depth + gap + t), b.width, t);
            out.depth = b.depth + gap + t + extra;
        } else {
            let gap = f.c(|c| c.overbar_vertical_gap(), size);
            let t = f.c(|c| c.overbar_rule_thickness(), size);
            let extra = f.c(|c| c.overbar_extra_ascender(), size);
            out.rule(0.0, b.height + gap, b.width, t);
            out.height = b.height + gap + t + extra;
        }
        out.put(b, 0.0, 0.0);
        out
    }
}

/// TeX's spacing between atoms, in ems (`script`: in script styles,
/// where only thin spaces next to operators remain).
fn spacing(left: Class, right: Class, script: bool) -> f64 {
    use Class::*;
    // 0 none, 1 thin, 2 medium, 3 thick; negative: only outside scripts.
    let code: i8 = match (left, right) {
        (Ord, Op) | (Op, Ord) | (Op, Op) | (Close, Op) | (Inner, Op) => 1,
        (Ord, Inner) | (Close, Inner) | (Op, Inner) => -1,
        (Inner, Ord) | (Inner, Open) | (Inner, Punct) | (Inner, Inner) => -1,
        (Punct, _) => -1,
        (Ord | Close | Inner, Bin) | (Bin, Ord | Op | Open | Inner) => -2,
        (Ord | Op | Close | Inner, Rel) | (Rel, Ord | Op | Open | Inner) => -3,
        _ => 0,
    };
    let mu = match code {
        1 => 3.0,
        c if c < 0 && script => 0.0,
        -1 => 3.0,
        -2 => 4.0,
        -3 => 5.0,
        _ => 0.0,
    };
    mu * MU
}
