//! Code blocks in the PDF: monospaced lines on a grey ground, wrapped at
//! the measure (continuations indented), coloured by the highlighter's
//! tokens in the book's code theme, with optional line numbers and marked
//! lines.
//!
//! Place in the pipeline: part of composition ([`super::compose`]); the
//! tokens come from the Markdown stage ([`crate::highlight`]), the colours
//! from `code-theme` ([`super::code_theme`]).

use crate::diag::Span;
use crate::highlight::TokenClass;
use crate::typeset::compose::{Composer, Ctx};
use crate::typeset::flow::{Elem, Piece, Role, Slab, EPS};
use crate::typeset::fonts::Face;
use crate::typeset::frame::{Item, Rect};
use crate::units::Pt;

/// Code blocks are set smaller than the text so ~65 columns fit the measure.
const CODE_SCALE: f64 = 0.82;
/// Padding above and below a code block's grey background, in leadings.
const CODE_PAD: f64 = 0.35;
/// Grey of the code block background (1 = white).
const CODE_BACKGROUND: f32 = 0.94;
/// Grey of the ground of marked code lines (`hl_lines`).
const CODE_MARKED_BACKGROUND: f32 = 0.86;
/// Grey of code line numbers.
const CODE_LINE_NUMBER_GRAY: f32 = 0.5;
/// Columns of a tab stop in code.
const CODE_TAB: usize = 4;
/// Code text is inset from the edges of its grey ground by this many ems.
const CODE_INSET: f64 = 0.5;

impl Composer<'_> {
    /// Code: the mono face, smaller, never justified, wrapped at the
    /// measure (continuations indented), on a light grey ground.
    pub(crate) fn code(
        &mut self,
        code: CodeBlockRef<'_>,
        span: Span,
        ctx: &Ctx,
        out: &mut Vec<Elem>,
    ) {
        let size = ctx.size * CODE_SCALE;
        let leading = ctx.leading * CODE_SCALE;
        let pad = ctx.size * CODE_INSET;
        let width = self.measure(ctx);
        let char_width = self.fonts.width("0", Face::Mono, size);
        let all_columns = if char_width.0 > EPS {
            (((width - pad * 2.0) / char_width) + EPS).floor().max(8.0) as usize
        } else {
            80
        };
        let text = code.text.trim_end_matches('\n');
        let line_count = text.split('\n').count();
        // Line numbers take a gutter of their digits and a space.
        let gutter = if code.options.line_numbers {
            line_count.to_string().len() + 1
        } else {
            0
        };
        let columns = all_columns.saturating_sub(gutter).max(8);
        let palette = self.geo.code_palette.filter(|_| !code.tokens.is_empty());
        let mut rows: Vec<CodeRow> = Vec::new();
        let mut token = 0;
        let mut line_start = 0;
        for (n, line) in text.split('\n').enumerate() {
            let line = line.trim_end_matches('\r');
            let chars = code_chars(line, line_start, code.tokens, &mut token, palette.is_some());
            line_start += line.len() + 1;
            let spans = wrap_spans(&chars, columns);
            let marked = code.options.is_marked(n as u32 + 1);
            for (k, (prefix, from, to)) in spans.into_iter().enumerate() {
                rows.push(CodeRow {
                    number: (k == 0 && gutter > 0).then_some(n + 1),
                    prefix,
                    chars: chars[from..to].to_vec(),
                    marked,
                });
            }
        }
        let par = self.new_par_id();
        let count = rows.len();
        let pad_v = ctx.leading * CODE_PAD;
        let background = |y: Pt, h: Pt, gray: f32| {
            Piece::Item(Item::Rect(Rect {
                x: ctx.left,
                y,
                width,
                height: h,
                gray,
            }))
        };
        let descent = size * self.fonts.metrics(Face::Mono).descender;
        let mut top = Slab::new(pad_v, Role::Other, span);
        top.pieces.push(background(descent, pad_v, CODE_BACKGROUND));
        out.push(Elem::slab(top));
        let mut slabs = Vec::new();
        let text_x = ctx.left + pad + char_width * gutter as f64;
        for (index, row) in rows.iter().enumerate() {
            let mut slab = Slab::new(
                leading,
                Role::Line {
                    par,
                    index,
                    count,
                    hyphenated: false,
                },
                span,
            );
            // The grey of each line reaches down past its descenders so
            // that the next line's ground does not cover them.
            let ground = if row.marked {
                CODE_MARKED_BACKGROUND
            } else {
                CODE_BACKGROUND
            };
            slab.pieces.push(background(descent, leading, ground));
            if let Some(n) = row.number {
                let label = n.to_string();
                let x = ctx.left + pad + char_width * (gutter - 1 - label.len()) as f64;
                let runs =
                    self.fonts
                        .run(&label, Face::Mono, size, x, leading, CODE_LINE_NUMBER_GRAY);
                slab.pieces
                    .extend(runs.into_iter().map(|r| Piece::Item(Item::Text(r))));
            }
            // One run per stretch of one class.
            let mut col = row.prefix;
            let mut k = 0;
            while k < row.chars.len() {
                let class = row.chars[k].1;
                let mut e = k;
                let mut piece = String::new();
                while e < row.chars.len() && row.chars[e].1 == class {
                    piece.push(row.chars[e].0);
                    e += 1;
                }
                let start_col = col;
                col += e - k;
                k = e;
                if piece.trim().is_empty() {
                    continue;
                }
                let x = text_x + char_width * start_col as f64;
                let mut runs = self.fonts.run(&piece, Face::Mono, size, x, leading, 0.0);
                if let (Some(p), Some(c)) = (palette, class) {
                    for r in &mut runs {
                        r.color = Some(p.color(c));
                    }
                }
                slab.pieces
                    .extend(runs.into_iter().map(|r| Piece::Item(Item::Text(r))));
            }
            slabs.push(slab);
        }
        self.warn_missing_glyphs(Some(span));
        self.push_lines(slabs, ctx, out);
        let mut bottom = Slab::new(pad_v, Role::Other, span);
        bottom
            .pieces
            .push(background(descent, pad_v, CODE_BACKGROUND));
        out.push(Elem::slab(bottom));
    }
}

/// Wraps one code line at `columns`, at the last space when there is one
/// in the second half of the line, else hard; continuation lines are
/// indented two columns past the line's own indentation. Returns each
/// row as (indent, start, end) in `chars`.
fn wrap_spans<T>(chars: &[(char, T)], columns: usize) -> Vec<(usize, usize, usize)> {
    let mut rows = Vec::new();
    let indent = chars.iter().take_while(|c| c.0 == ' ').count();
    let cont_indent = (indent + 2).min(columns / 2);
    let mut start = 0;
    let mut first = true;
    while start < chars.len() || first {
        let prefix = if first { 0 } else { cont_indent };
        let room = columns.saturating_sub(prefix).max(1);
        let rest = chars.len() - start;
        if rest <= room {
            rows.push((prefix, start, chars.len()));
            break;
        }
        let window = &chars[start..start + room];
        let cut = window
            .iter()
            .rposition(|c| c.0 == ' ')
            .filter(|&p| p >= room / 2 && p > 0)
            .map(|p| p + 1)
            .unwrap_or(room);
        // The row ends before the spaces the break consumed.
        let mut end = start + cut;
        while end > start && chars[end - 1].0 == ' ' {
            end -= 1;
        }
        rows.push((prefix, start, end));
        start += cut;
        while start < chars.len() && chars[start].0 == ' ' {
            start += 1;
        }
        first = false;
    }
    rows
}

/// [`wrap_spans`] on a plain line, as strings (for tests).
#[cfg(test)]
fn wrap_code_line(line: &str, columns: usize, rows: &mut Vec<String>) {
    let chars: Vec<(char, ())> = line.chars().map(|c| (c, ())).collect();
    for (prefix, a, b) in wrap_spans(&chars, columns) {
        let mut row = " ".repeat(prefix);
        row.extend(chars[a..b].iter().map(|c| c.0));
        rows.push(row);
    }
}

/// A code block as the typesetter sets it.
#[derive(Clone, Copy)]
pub(crate) struct CodeBlockRef<'a> {
    pub text: &'a str,
    pub options: &'a crate::model::CodeOptions,
    pub tokens: &'a [crate::highlight::Token],
}

/// One printed row of a code block.
struct CodeRow {
    /// The line number shown on the row (the first row of a line).
    number: Option<usize>,
    /// Columns of indent of a continuation row.
    prefix: usize,
    chars: Vec<(char, Option<TokenClass>)>,
    marked: bool,
}

/// The characters of one code line, tabs expanded to the next multiple of
/// [`CODE_TAB`] columns, each with its syntax class: the token covering
/// byte `line_start + i` of the block (`token` walks the sorted tokens
/// along). Without `classes`, none.
fn code_chars(
    line: &str,
    line_start: usize,
    tokens: &[crate::highlight::Token],
    token: &mut usize,
    classes: bool,
) -> Vec<(char, Option<TokenClass>)> {
    let mut chars: Vec<(char, Option<TokenClass>)> = Vec::with_capacity(line.len());
    for (i, c) in line.char_indices() {
        let at = (line_start + i) as u32;
        while tokens.get(*token).is_some_and(|t| t.end <= at) {
            *token += 1;
        }
        let class = tokens
            .get(*token)
            .filter(|t| t.start <= at && classes)
            .map(|t| t.class);
        if c == '\t' {
            let n = CODE_TAB - chars.len() % CODE_TAB;
            chars.extend(std::iter::repeat_n((' ', None), n));
        } else {
            chars.push((c, class));
        }
    }
    chars
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_lines_wrap_at_spaces_and_indent_continuations() {
        let mut rows = Vec::new();
        wrap_code_line("  let value = compute(alpha, beta);", 20, &mut rows);
        assert!(rows.iter().all(|r| r.chars().count() <= 20), "{rows:?}");
        assert_eq!(rows[0], "  let value =");
        assert!(rows[1].starts_with("    "));
        let mut rows = Vec::new();
        wrap_code_line(&"x".repeat(45), 20, &mut rows);
        assert_eq!(rows.len(), 3);
        assert!(rows.iter().all(|r| r.chars().count() <= 20));
        let mut rows = Vec::new();
        wrap_code_line("", 20, &mut rows);
        assert_eq!(rows, vec![String::new()]);
    }

    #[test]
    fn tabs_expand_to_four_columns_and_classes_follow_tokens() {
        let text =
            |v: Vec<(char, Option<TokenClass>)>| v.into_iter().map(|c| c.0).collect::<String>();
        assert_eq!(text(code_chars("a\tb", 0, &[], &mut 0, true)), "a   b");
        assert_eq!(text(code_chars("\tx", 0, &[], &mut 0, true)), "    x");
        let tokens = crate::highlight::highlight("rust", "x\nlet y").unwrap();
        let chars = code_chars("let y", 2, &tokens, &mut 0, true);
        assert_eq!(chars[0].1, Some(TokenClass::Keyword));
        assert_eq!(chars[4].1, None);
        assert!(code_chars("let y", 2, &tokens, &mut 0, false)
            .iter()
            .all(|c| c.1.is_none()));
    }
}
