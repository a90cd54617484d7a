//! Tables: model table → a head slab (repeated on every page the table
//! continues on) and one slab per body row.
//!
//! Column widths come from the content: each column gets at least its
//! longest word and, when the natural widths (every cell on one line) do
//! not fit the measure, the rest of the room in proportion to how much
//! each column would like to grow. Rules are "booktabs" style: a heavier
//! rule above and below, a thin one under the head, none between rows.
//! Cells are never justified; the column alignment of the source is kept.

use crate::diag::{Diagnostic, Span};
use crate::model::{plain_text, Align, Inline, Table};
use crate::typeset::compose::{locate, Composer, Ctx, ParBuilder, SMALL_SCALE, THIN_RULE};
use crate::typeset::flow::{Issue, IssueKind, Piece, Role, Slab, EPS};
use crate::typeset::fonts::Face;
use crate::typeset::frame::{Item, Rect};
use crate::typeset::paragraph::{layout_paragraph, Alignment, LineIssueKind, ParOptions};
use crate::units::Pt;

/// Thickness of the rules above and below a table.
const HEAVY_RULE: Pt = Pt(0.8);
/// Padding on each side of a cell, in ems of the table's size.
const CELL_PAD: f64 = 0.5;
/// Space between a rule and the text next to it, in table leadings.
const RULE_GAP: f64 = 0.3;

/// One laid-out cell: its lines, ready to be placed.
struct CellLines {
    lines: Vec<crate::typeset::paragraph::Line>,
    marks: Vec<crate::typeset::compose::Mark>,
    issues: Vec<Issue>,
}

/// Composes a table: returns its head slab and its body rows. The last
/// row carries the bottom rule.
pub(crate) fn compose(
    c: &mut Composer<'_>,
    table: &Table,
    span: Span,
    ctx: &Ctx,
    id: usize,
) -> (Slab, Vec<Slab>) {
    let small = Ctx {
        size: ctx.size * SMALL_SCALE,
        leading: ctx.leading * SMALL_SCALE,
        ..*ctx
    };
    let columns = table
        .rows
        .iter()
        .map(Vec::len)
        .chain([table.head.len(), table.aligns.len()])
        .max()
        .unwrap_or(0)
        .max(1);
    let pad = small.size * CELL_PAD;
    let measure = c.measure(ctx);
    let available = (measure - pad * (2.0 * columns as f64)).max(Pt(1.0));

    // Natural (one-line) and minimum (longest word) width of every column.
    let mut natural = vec![Pt::ZERO; columns];
    let mut minimum = vec![Pt::ZERO; columns];
    let all_rows =
        std::iter::once((&table.head, true)).chain(table.rows.iter().map(|r| (r, false)));
    for (row, head) in all_rows.clone() {
        for (col, cell) in row.iter().enumerate().take(columns) {
            let face = if head { Face::Bold } else { Face::Regular };
            let (nat, min) = cell_widths(c, cell, &small, face, span);
            natural[col] = natural[col].max(nat);
            minimum[col] = minimum[col].max(min);
        }
    }
    let widths = column_widths(&natural, &minimum, available);

    let lead = small.leading;
    let rule_gap = lead * RULE_GAP;
    let aligns: Vec<Alignment> = (0..columns)
        .map(|i| match table.aligns.get(i) {
            Some(Align::Right) => Alignment::Right,
            Some(Align::Center) => Alignment::Center,
            _ => Alignment::Left,
        })
        .collect();
    let x_of = |col: usize| -> Pt {
        ctx.left + widths[..col].iter().copied().sum::<Pt>() + pad * (2 * col + 1) as f64
    };
    let rule = |y: Pt, h: Pt| {
        Piece::Item(Item::Rect(Rect {
            x: ctx.left,
            y,
            width: measure,
            height: h,
            gray: 0.0,
        }))
    };

    // Head: top rule, header row in bold, thin rule.
    let mut head = Slab::new(Pt::ZERO, Role::TableHead { table: id }, span);
    let top_rule_y = rule_gap;
    head.pieces.push(rule(top_rule_y, HEAVY_RULE));
    let text_top = top_rule_y + HEAVY_RULE + rule_gap * 0.5;
    let mut head_cells: Vec<CellLines> = (0..columns)
        .map(|col| {
            let cell = table.head.get(col).map(Vec::as_slice).unwrap_or(&[]);
            set_cell(c, cell, &small, widths[col], aligns[col], Face::Bold, span)
        })
        .collect();
    let head_lines = head_cells
        .iter()
        .map(|x| x.lines.len())
        .max()
        .unwrap_or(0)
        .max(1);
    for (col, cell) in head_cells.iter_mut().enumerate() {
        for (j, line) in cell.lines.iter_mut().enumerate() {
            let baseline = text_top + lead * (j + 1) as f64;
            c.line_pieces(
                line,
                &cell.marks,
                x_of(col),
                baseline,
                small.size,
                &mut head,
            );
        }
        head.issues.extend(cell.issues.iter().cloned());
    }
    let mid_rule_y = text_top + lead * head_lines as f64 + rule_gap;
    head.pieces.push(rule(mid_rule_y, THIN_RULE));
    head.height = mid_rule_y + THIN_RULE;

    // Body rows.
    let mut rows = Vec::new();
    let n = table.rows.len();
    for (r, row) in table.rows.iter().enumerate() {
        let mut cells: Vec<CellLines> = (0..columns)
            .map(|col| {
                let cell = row.get(col).map(Vec::as_slice).unwrap_or(&[]);
                set_cell(
                    c,
                    cell,
                    &small,
                    widths[col],
                    aligns[col],
                    Face::Regular,
                    span,
                )
            })
            .collect();
        let lines = cells
            .iter()
            .map(|x| x.lines.len())
            .max()
            .unwrap_or(0)
            .max(1);
        let row_span = row
            .iter()
            .flatten()
            .next()
            .map(|i: &Inline| i.span)
            .unwrap_or(span);
        let mut slab = Slab::new(Pt::ZERO, Role::TableRow { table: id }, row_span);
        let top = rule_gap * 0.5;
        for (col, cell) in cells.iter_mut().enumerate() {
            for (j, line) in cell.lines.iter_mut().enumerate() {
                let baseline = top + lead * (j + 1) as f64;
                c.line_pieces(
                    line,
                    &cell.marks,
                    x_of(col),
                    baseline,
                    small.size,
                    &mut slab,
                );
            }
            slab.issues.extend(cell.issues.iter().cloned());
        }
        slab.height = top + lead * lines as f64;
        if r + 1 == n {
            let y = slab.height + rule_gap;
            slab.pieces.push(rule(y, HEAVY_RULE));
            slab.height = y + HEAVY_RULE;
        }
        // A row never breaks; one taller than a page (below the repeated
        // head) runs off its foot, so say where it is.
        let room = c.geo.capacity() - head.height;
        if slab.height > room {
            warn_tall_row(c, slab.height, room, row_span);
        }
        rows.push(slab);
    }
    if rows.is_empty() {
        // A table with only a head still closes with its bottom rule.
        let y = head.height + rule_gap;
        head.pieces.push(rule(y, HEAVY_RULE));
        head.height = y + HEAVY_RULE;
    }
    (head, rows)
}

/// Warns that the table row at `span`, `height` tall, does not fit in the
/// `room` a page leaves it.
fn warn_tall_row(c: &mut Composer<'_>, height: Pt, room: Pt, span: Span) {
    let mut d = Diagnostic::warning(format!(
        "a table row is taller than a page ({:.0}pt, the page has room for {:.0}pt): \
         its end runs off the foot of the page in the PDF",
        height.0,
        room.0.max(0.0)
    ))
    .with_hint("split the row into several, or shorten its cells");
    if let Some(loc) = locate(c.book, span) {
        d = d.at(loc);
    }
    c.warnings.push(d);
}

/// The widths of the columns, summing to `available` where the content allows.
pub(crate) fn column_widths(natural: &[Pt], minimum: &[Pt], available: Pt) -> Vec<Pt> {
    let nat_sum: Pt = natural.iter().copied().sum();
    let min_sum: Pt = minimum.iter().copied().sum();
    if nat_sum.0 <= EPS {
        let n = natural.len().max(1) as f64;
        return natural.iter().map(|_| available / n).collect();
    }
    if nat_sum <= available {
        // Everything fits on one line: share the spare room in proportion
        // to the natural widths so the table spans the measure.
        let k = available / nat_sum;
        return natural.iter().map(|&w| w * k).collect();
    }
    if min_sum >= available {
        // Even the longest words do not fit: scale them (cells overflow).
        let k = available / min_sum.max(Pt(EPS));
        return minimum.iter().map(|&w| w * k).collect();
    }
    // Columns whose whole text fits in an even share of the room keep
    // it (short columns do not wrap); the others share what is left,
    // each at least its longest word, the rest in proportion to how much
    // each would like to grow.
    let mut widths: Vec<Option<Pt>> = vec![None; natural.len()];
    let mut room = available;
    loop {
        let open: Vec<usize> = (0..natural.len())
            .filter(|&i| widths[i].is_none())
            .collect();
        if open.is_empty() {
            break;
        }
        let share = room / open.len() as f64;
        let fitting: Vec<usize> = open.into_iter().filter(|&i| natural[i] <= share).collect();
        if fitting.is_empty() {
            break;
        }
        for i in fitting {
            widths[i] = Some(natural[i]);
            room -= natural[i];
        }
    }
    let open: Vec<usize> = (0..natural.len())
        .filter(|&i| widths[i].is_none())
        .collect();
    let open_min: Pt = open.iter().map(|&i| minimum[i]).sum();
    if open_min > room {
        return grow_from_minimum(natural, minimum, available);
    }
    let grown = grow_from_minimum(
        &open.iter().map(|&i| natural[i]).collect::<Vec<_>>(),
        &open.iter().map(|&i| minimum[i]).collect::<Vec<_>>(),
        room,
    );
    for (&i, w) in open.iter().zip(grown) {
        widths[i] = Some(w);
    }
    widths.into_iter().map(|w| w.unwrap_or(Pt::ZERO)).collect()
}

/// Every column gets its minimum plus a share of the spare room in
/// proportion to how much it would like to grow.
fn grow_from_minimum(natural: &[Pt], minimum: &[Pt], available: Pt) -> Vec<Pt> {
    let min_sum: Pt = minimum.iter().copied().sum();
    let want: Pt = natural
        .iter()
        .zip(minimum)
        .map(|(&n, &m)| (n - m).max(Pt::ZERO))
        .sum();
    let spare = (available - min_sum).max(Pt::ZERO);
    natural
        .iter()
        .zip(minimum)
        .map(|(&n, &m)| {
            let grow = (n - m).max(Pt::ZERO);
            if want.0 > EPS {
                m + spare * (grow / want)
            } else {
                m
            }
        })
        .collect()
}

/// Natural and minimum width of one cell's text.
fn cell_widths(
    c: &mut Composer<'_>,
    cell: &[Inline],
    ctx: &Ctx,
    face: Face,
    span: Span,
) -> (Pt, Pt) {
    let pb = c.cell_builder(cell, ctx, face == Face::Bold, true);
    let opts = ParOptions {
        measure: Pt(1.0e6),
        first_indent: Pt::ZERO,
        align: Alignment::Left,
        hyphenate: false,
        language: c.book.meta.language.clone(),
        protrusion: false,
        expansion: 0.0,
    };
    let layout = layout_paragraph(&mut c.fonts, &pb.items, &opts);
    let natural = layout.lines.iter().map(|l| l.width).fold(Pt::ZERO, Pt::max);
    let _ = span;
    let min = plain_text(cell)
        .split_whitespace()
        .map(|w| c.fonts.width(w, face, ctx.size))
        .fold(Pt::ZERO, Pt::max);
    (natural, min.min(natural.max(min)))
}

fn set_cell(
    c: &mut Composer<'_>,
    cell: &[Inline],
    ctx: &Ctx,
    width: Pt,
    align: Alignment,
    face: Face,
    span: Span,
) -> CellLines {
    let pb: ParBuilder = c.cell_builder(cell, ctx, face == Face::Bold, false);
    let opts = ParOptions {
        measure: width.max(Pt(1.0)),
        first_indent: Pt::ZERO,
        align,
        hyphenate: true,
        language: c.book.meta.language.clone(),
        protrusion: false,
        expansion: 0.0,
    };
    let layout = layout_paragraph(&mut c.fonts, &pb.items, &opts);
    let mut issues = Vec::new();
    for issue in &layout.issues {
        let at = if issue.span == Span::default() {
            span
        } else {
            issue.span
        };
        match issue.kind {
            LineIssueKind::Overfull { by } => issues.push(Issue {
                kind: IssueKind::Overfull(by),
                span: at,
            }),
            LineIssueKind::WordTooLong => c.warn_long_word(at),
            // Ragged cells are loose by nature; not worth reporting.
            LineIssueKind::Loose { .. } => {}
        }
    }
    CellLines {
        lines: layout.lines,
        marks: pb.marks,
        issues,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pts(v: &[f64]) -> Vec<Pt> {
        v.iter().map(|&x| Pt(x)).collect()
    }

    #[test]
    fn widths_fill_the_measure_when_content_fits() {
        let w = column_widths(&pts(&[50.0, 150.0]), &pts(&[20.0, 40.0]), Pt(400.0));
        assert!((w[0].0 - 100.0).abs() < 1e-9 && (w[1].0 - 300.0).abs() < 1e-9);
    }

    #[test]
    fn short_columns_keep_their_natural_width() {
        // A label column, a long text column and a number column.
        let w = column_widths(
            &pts(&[30.0, 500.0, 20.0]),
            &pts(&[18.0, 60.0, 20.0]),
            Pt(250.0),
        );
        assert_eq!(w[0], Pt(30.0));
        assert_eq!(w[2], Pt(20.0));
        assert!((w[1].0 - 200.0).abs() < 1e-9);
    }

    #[test]
    fn narrow_measure_keeps_longest_words() {
        let w = column_widths(&pts(&[300.0, 100.0]), &pts(&[60.0, 80.0]), Pt(200.0));
        let total: f64 = w.iter().map(|x| x.0).sum();
        assert!((total - 200.0).abs() < 1e-9);
        assert!(w[0].0 >= 60.0 && w[1].0 >= 80.0, "{w:?}");
    }
}
