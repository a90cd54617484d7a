//! The math model → MathML (presentation markup, as MathML Core and EPUB 3
//! readers know it), for the EPUB writer.
//!
//! The TeX goes into `alttext` for readers without MathML. Letters of the
//! italic and upright alphabets stay plain (`<mi>x</mi>` is italic by
//! MathML's own rule, a multi-letter `<mi>` upright); the other alphabets
//! are written as their Unicode mathematical characters, which MathML Core
//! prefers to `mathvariant`.

use super::symbols::styled_char;
use super::{Class, Formula, Node, Place, Style, TableKind, Variant};

/// Writes `<math>…</math>` for a formula that has a body; `display`
/// makes it a block (`display="block"`).
pub fn write(formula: &Formula, display: bool, out: &mut String) {
    let Some(body) = &formula.body else {
        return;
    };
    out.push_str("<math xmlns=\"http://www.w3.org/1998/Math/MathML\"");
    if display {
        out.push_str(" display=\"block\"");
    }
    out.push_str(" alttext=\"");
    escape(formula.source.trim(), true, out);
    out.push_str("\">");
    row(body, out);
    out.push_str("</math>");
}

fn escape(text: &str, attr: bool, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            '\n' | '\r' | '\t' if attr => out.push(' '),
            c => out.push(c),
        }
    }
}

fn element(name: &str, attrs: &str, text: &str, out: &mut String) {
    out.push('<');
    out.push_str(name);
    out.push_str(attrs);
    out.push('>');
    escape(text, false, out);
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// A list of nodes as one `<mrow>` (or the node itself when alone).
fn row(nodes: &[Node], out: &mut String) {
    if nodes.len() == 1 {
        node(&nodes[0], out);
        return;
    }
    out.push_str("<mrow>");
    for n in nodes {
        node(n, out);
    }
    out.push_str("</mrow>");
}

fn styled(text: &str, variant: Variant) -> String {
    match variant {
        Variant::Italic | Variant::Upright => text.to_string(),
        v => text.chars().map(|c| styled_char(c, v)).collect(),
    }
}

fn node(n: &Node, out: &mut String) {
    match n {
        Node::Ident { text, variant } => {
            let attrs = if *variant == Variant::Upright && text.chars().count() == 1 {
                " mathvariant=\"normal\""
            } else {
                ""
            };
            element("mi", attrs, &styled(text, *variant), out);
        }
        Node::Number { text, variant } => element("mn", "", &styled(text, *variant), out),
        Node::Operator { text, class } => {
            let attrs = match (class, text.as_str()) {
                (Class::Open | Class::Close, _) => " stretchy=\"false\"",
                (Class::Ord, _) if text.chars().all(|c| c == '′') => "",
                (Class::Ord, _) => " form=\"prefix\" lspace=\"0\" rspace=\"0\"",
                (Class::Bin | Class::Rel | Class::Punct, "|" | "/") => " stretchy=\"false\"",
                _ => "",
            };
            if *class == Class::Ord && !text.chars().all(|c| c == '′') && is_letterlike(text) {
                element("mi", "", text, out);
            } else {
                element("mo", attrs, text, out);
            }
        }
        Node::BigOp { text, large, .. } => {
            if *large {
                element("mo", "", text, out);
            } else {
                element("mi", "", text, out);
                // The invisible function application after `sin` & co.
                out.push_str("<mo>\u{2061}</mo>");
            }
        }
        Node::Text(t) => element("mtext", "", t, out),
        Node::Group(b) => row_always(b, out),
        Node::Frac {
            num,
            den,
            rule,
            style,
        } => {
            let wrap = style_attr(*style);
            if let Some(a) = wrap {
                out.push_str(&format!("<mstyle {a}>"));
            }
            out.push_str(if *rule {
                "<mfrac>"
            } else {
                "<mfrac linethickness=\"0\">"
            });
            row_always(num, out);
            row_always(den, out);
            out.push_str("</mfrac>");
            if wrap.is_some() {
                out.push_str("</mstyle>");
            }
        }
        Node::Sqrt { index, body } => match index {
            Some(i) => {
                out.push_str("<mroot>");
                row_always(body, out);
                row_always(i, out);
                out.push_str("</mroot>");
            }
            None => {
                out.push_str("<msqrt>");
                row(body, out);
                out.push_str("</msqrt>");
            }
        },
        Node::Scripts {
            base,
            sub,
            sup,
            place,
        } => {
            let limits = match place {
                Place::Limits => true,
                Place::Side => false,
                Place::Auto => matches!(
                    **base,
                    Node::BigOp { limits: true, .. } | Node::Accent { stretch: true, .. }
                ),
            };
            let name = match (sub.is_some(), sup.is_some(), limits) {
                (true, true, false) => "msubsup",
                (true, false, false) => "msub",
                (false, true, false) => "msup",
                (true, true, true) => "munderover",
                (true, false, true) => "munder",
                (false, true, true) => "mover",
                (false, false, _) => {
                    node(base, out);
                    return;
                }
            };
            out.push('<');
            out.push_str(name);
            out.push('>');
            // The function-application mark goes after the scripts.
            match &**base {
                Node::BigOp {
                    text, large: false, ..
                } => element("mi", "", text, out),
                b => node(b, out),
            }
            if let Some(s) = sub {
                row_always(s, out);
            }
            if let Some(s) = sup {
                row_always(s, out);
            }
            out.push_str("</");
            out.push_str(name);
            out.push('>');
            if matches!(**base, Node::BigOp { large: false, .. }) {
                out.push_str("<mo>\u{2061}</mo>");
            }
        }
        Node::Fenced { open, close, body } => {
            out.push_str("<mrow>");
            if !open.is_empty() {
                element("mo", " fence=\"true\" stretchy=\"true\"", open, out);
            }
            for n in body {
                node(n, out);
            }
            if !close.is_empty() {
                element("mo", " fence=\"true\" stretchy=\"true\"", close, out);
            }
            out.push_str("</mrow>");
        }
        Node::Middle(text) => element("mo", " stretchy=\"true\" fence=\"true\"", text, out),
        Node::Big { text, size, .. } => {
            let em = [1.2, 1.8, 2.4, 3.0][usize::from(size.clamp(&1, &4) - 1)];
            element(
                "mo",
                &format!(
                    " stretchy=\"true\" symmetric=\"true\" minsize=\"{em}em\" maxsize=\"{em}em\""
                ),
                text,
                out,
            );
        }
        Node::Accent {
            accent,
            body,
            under,
            stretch,
        } => {
            let (name, attr) = if *under {
                ("munder", " accentunder=\"true\"")
            } else {
                ("mover", " accent=\"true\"")
            };
            out.push_str(&format!("<{name}{attr}>"));
            row_always(body, out);
            let text = spacing_accent(*accent).to_string();
            let stretchy = if *stretch { "true" } else { "false" };
            element("mo", &format!(" stretchy=\"{stretchy}\""), &text, out);
            out.push_str(&format!("</{name}>"));
        }
        Node::Line { body, under } => {
            let (name, attr, mark) = if *under {
                ("munder", " accentunder=\"true\"", "_")
            } else {
                ("mover", " accent=\"true\"", "\u{203E}")
            };
            out.push_str(&format!("<{name}{attr}>"));
            row_always(body, out);
            element("mo", " stretchy=\"true\"", mark, out);
            out.push_str(&format!("</{name}>"));
        }
        Node::Table { kind, rows } => table(kind, rows, out),
        Node::Space(em) => out.push_str(&format!("<mspace width=\"{:.3}em\"/>", em)),
        Node::Styled { style, body } => match style_attr(Some(*style)) {
            Some(a) => {
                out.push_str(&format!("<mstyle {a}>"));
                row_always(body, out);
                out.push_str("</mstyle>");
            }
            None => row_always(body, out),
        },
    }
}

fn row_always(nodes: &[Node], out: &mut String) {
    out.push_str("<mrow>");
    for n in nodes {
        node(n, out);
    }
    out.push_str("</mrow>");
}

fn is_letterlike(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_alphabetic() || matches!(c, '∞' | '∂' | '∇' | 'ℏ' | 'ℓ' | '∅'))
}

fn style_attr(style: Option<Style>) -> Option<&'static str> {
    Some(match style? {
        Style::Display => "displaystyle=\"true\" scriptlevel=\"0\"",
        Style::Text => "displaystyle=\"false\" scriptlevel=\"0\"",
        Style::Script => "displaystyle=\"false\" scriptlevel=\"1\"",
        Style::ScriptScript => "displaystyle=\"false\" scriptlevel=\"2\"",
    })
}

/// The spacing form of a combining accent, which MathML renderers draw
/// over their base.
pub fn spacing_accent(c: char) -> char {
    match c {
        '\u{302}' => '^',
        '\u{30C}' => 'ˇ',
        '\u{303}' => '~',
        '\u{301}' => '´',
        '\u{300}' => '`',
        '\u{307}' => '˙',
        '\u{308}' => '¨',
        '\u{306}' => '˘',
        '\u{304}' => '¯',
        '\u{20D7}' => '→',
        '\u{30A}' => '˚',
        '\u{20DB}' => '⃛',
        c => c,
    }
}

fn table(kind: &TableKind, rows: &[Vec<Vec<Node>>], out: &mut String) {
    let (open, close, align) = match kind {
        TableKind::Matrix { open, close } => (open.as_str(), close.as_str(), None),
        TableKind::Cases => ("{", "", Some("left left")),
        TableKind::Aligned { gathered: true } => ("", "", None),
        TableKind::Aligned { gathered: false } => ("", "", Some("right left")),
    };
    let fenced = !open.is_empty() || !close.is_empty();
    if fenced {
        out.push_str("<mrow>");
        if !open.is_empty() {
            element("mo", " fence=\"true\" stretchy=\"true\"", open, out);
        }
    }
    out.push_str("<mtable");
    if let Some(a) = align {
        out.push_str(&format!(" columnalign=\"{a}\""));
    }
    if matches!(kind, TableKind::Aligned { .. }) {
        out.push_str(" displaystyle=\"true\" columnspacing=\"0em 2em\"");
    }
    out.push('>');
    for r in rows {
        out.push_str("<mtr>");
        for cell in r {
            out.push_str("<mtd>");
            row_always(cell, out);
            out.push_str("</mtd>");
        }
        out.push_str("</mtr>");
    }
    out.push_str("</mtable>");
    if fenced {
        if !close.is_empty() {
            element("mo", " fence=\"true\" stretchy=\"true\"", close, out);
        }
        out.push_str("</mrow>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ml(tex: &str) -> String {
        let (f, e) = Formula::new(tex, false);
        assert!(e.is_none(), "{e:?}");
        let mut out = String::new();
        write(&f, false, &mut out);
        out
    }

    #[test]
    fn fraction_and_scripts() {
        let m = ml(r"\frac{1}{x^2}");
        assert!(m.contains("<mfrac><mrow><mn>1</mn></mrow><mrow><msup><mi>x</mi><mrow><mn>2</mn></mrow></msup></mrow></mfrac>"), "{m}");
        assert!(m.contains("alttext=\"\\frac{1}{x^2}\""), "{m}");
    }

    #[test]
    fn limits_and_functions() {
        let m = ml(r"\sum_{i=1}^n \sin x < \mathbb{R}");
        assert!(m.contains("<munderover><mo>∑</mo>"), "{m}");
        assert!(m.contains("<mi>sin</mi><mo>\u{2061}</mo>"), "{m}");
        assert!(m.contains("<mo>&lt;</mo>"), "{m}");
        assert!(m.contains("<mi>ℝ</mi>"), "{m}");
    }
}
