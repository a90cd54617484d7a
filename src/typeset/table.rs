//! Tables: model table → a head slab (repeated on every page the table
//! continues on) and one slab per body row.
//!
//! Column widths come from the content: each column gets at least its
//! longest word and, when the natural widths (every cell on one line) do
//! not fit the measure, the rest of the room in proportion to how much
//! each column would like to grow. Rules are "booktabs" style: a heavier
//! rule above and below, a thin one under the head, none between rows.
//! Cells are never justified; the column alignment of the source is kept.
//!
//! The structure follows the model's table, not its parts on the page: a
//! Table of TRs of cells (TH with its scope, TD), each with its spans; a
//! cell repeated at the head of a further part (the row labels) is drawn
//! again as an artifact.

use crate::diag::Span;
use crate::model::{plain_text, Align, Inline, Table};
use crate::typeset::compose::{Composer, Ctx, Marks, ParBuilder, SMALL_SCALE, THIN_RULE};
use crate::typeset::flow::{BlockId, Issue, IssueKind, Owner, Piece, Role, Slab, EPS};
use crate::typeset::fonts::Face;
use crate::typeset::frame::{CellSpan, Item, Rect, StructKind};
use crate::typeset::paragraph::{layout_paragraph, Alignment, LineIssueKind};
use crate::units::Pt;

/// Thickness of the rules above and below a table.
const HEAVY_RULE: Pt = Pt(0.8);
/// Padding on each side of a cell, in ems of the table's size.
const CELL_PAD: f64 = 0.5;
/// Space between a rule and the text next to it, in table leadings.
const RULE_GAP: f64 = 0.3;

/// Tables are set at this fraction of the context size when they fit;
/// a table too wide for the measure is tried smaller, down to
/// [`MIN_TABLE_SCALE`], before its columns are split into several tables.
const TABLE_SCALES: &[f64] = &[SMALL_SCALE, 0.8, 0.72];
/// A column repeated at the head of every part of a split table (its
/// first, the row labels) takes at most this share of the measure.
const KEY_COLUMN_SHARE: f64 = 0.3;

/// One laid-out cell: its lines, ready to be placed.
struct CellLines {
    lines: Vec<crate::typeset::paragraph::Line>,
    marks: Marks,
    issues: Vec<Issue>,
}

/// A cell placed on the table's grid of columns.
#[derive(Debug, Clone)]
struct GridCell<'t> {
    col: usize,
    /// Columns spanned (at least 1).
    span: usize,
    content: &'t [Inline],
    header: bool,
    align: Alignment,
    /// Rows spanned (at least 1).
    rows: usize,
    /// Its TH or TD node.
    node: Option<BlockId>,
}

#[derive(Debug, Clone)]
struct GridRow<'t> {
    cells: Vec<GridCell<'t>>,
    head: bool,
    span: Span,
    /// Its TR node.
    node: Option<BlockId>,
}

/// The rows of `table` on a grid: every cell at its column, spanning
/// columns, with the columns that a cell spanning rows from above covers
/// left free. Returns the rows and the number of columns.
fn grid(table: &Table, span: Span) -> (Vec<GridRow<'_>>, usize) {
    let mut covered: Vec<usize> = Vec::new();
    let mut rows = Vec::new();
    let mut columns = table.aligns.len();
    for (row, head) in table
        .head
        .iter()
        .map(|r| (r, true))
        .chain(table.rows.iter().map(|r| (r, false)))
    {
        let busy: Vec<bool> = covered.iter().map(|&c| c > 0).collect();
        let mut fresh: Vec<(usize, usize, usize)> = Vec::new();
        let mut cells = Vec::with_capacity(row.cells.len());
        let mut col = 0;
        for cell in &row.cells {
            while busy.get(col).copied().unwrap_or(false) {
                col += 1;
            }
            let width = usize::from(cell.colspan.max(1));
            let align = match cell
                .align
                .or_else(|| table.aligns.get(col).copied())
                .unwrap_or(Align::None)
            {
                Align::Right => Alignment::Right,
                Align::Center => Alignment::Center,
                _ => Alignment::Left,
            };
            cells.push(GridCell {
                col,
                span: width,
                content: &cell.content,
                header: cell.header || head,
                align,
                rows: usize::from(cell.rowspan.max(1)),
                node: None,
            });
            if cell.rowspan > 1 {
                fresh.push((col, width, usize::from(cell.rowspan) - 1));
            }
            col += width;
        }
        columns = columns.max(col);
        for (c, b) in busy.iter().enumerate() {
            if *b {
                covered[c] -= 1;
            }
        }
        for (c, w, n) in fresh {
            if covered.len() < c + w {
                covered.resize(c + w, 0);
            }
            covered[c..c + w].iter_mut().for_each(|x| *x = n);
        }
        let row_span = row
            .cells
            .iter()
            .flat_map(|c| c.content.first())
            .next()
            .map_or(span, |i| i.span);
        rows.push(GridRow {
            cells,
            head,
            span: row_span,
            node: None,
        });
    }
    (rows, columns.max(1))
}

/// A table laid out: a head slab (repeated on every page the table
/// continues on; it holds the top rule, the caption of the first part and
/// the head rows) and one slab per body row, the last with the bottom rule.
pub(crate) struct TablePart {
    pub head: Slab,
    pub rows: Vec<Slab>,
}

/// Composes a table into one part or, when its columns cannot fit the
/// measure even in smaller type, several parts of as many columns as fit
/// (the first column repeated in each when it is narrow: it labels the
/// rows). Parts are numbered from `first_id` for their repeated heads.
pub(crate) fn compose(
    c: &mut Composer<'_>,
    table: &Table,
    span: Span,
    ctx: &Ctx,
    first_id: usize,
) -> Vec<TablePart> {
    let (mut rows, columns) = grid(table, span);
    let (table_node, caption_node) = structure(c, &mut rows, !table.caption.is_empty());
    let measure = c.measure(ctx);
    // The largest size at which every column gets at least its longest word.
    let mut chosen = None;
    for &scale in TABLE_SCALES {
        let small = table_ctx(ctx, scale);
        let (natural, minimum) = column_needs(c, &rows, columns, &small, span);
        let pad = small.size * CELL_PAD;
        let available = measure - pad * (2.0 * columns as f64);
        let min_sum: Pt = minimum.iter().copied().sum();
        if min_sum <= available || scale == *TABLE_SCALES.last().unwrap_or(&SMALL_SCALE) {
            chosen = Some((small, natural, minimum));
            break;
        }
    }
    let Some((small, natural, minimum)) = chosen else {
        return Vec::new();
    };
    let pad = small.size * CELL_PAD;
    let groups = column_groups(&minimum, pad, measure);
    let mut parts = Vec::with_capacity(groups.len());
    for (k, group) in groups.iter().enumerate() {
        // A cell is the table's in the first part that holds its first
        // column; wherever else it shows, it repeats.
        let home = |col: usize| groups.iter().position(|g| g.contains(&col)) == Some(k);
        let part = set_part(
            c,
            &rows,
            group,
            &natural,
            &minimum,
            PartSetting {
                ctx,
                small: &small,
                span,
                id: first_id + k,
                caption: if k == 0 { &table.caption[..] } else { &[] },
                caption_node,
                table_node,
                home: &home,
            },
        );
        parts.push(part);
    }
    parts
}

/// The structure nodes of a table: the Table (under the composer's
/// container), its Caption, a TR per row and a TH or TD per cell, each
/// row's cells right after it. Head cells head their column; header cells
/// of body rows their row.
fn structure(
    c: &mut Composer<'_>,
    rows: &mut [GridRow<'_>],
    caption: bool,
) -> (BlockId, Option<BlockId>) {
    let table = c.group(StructKind::Table);
    let caption = caption.then(|| c.add_node(StructKind::Caption, Some(table)));
    for row in rows {
        let tr = c.add_node(StructKind::TR, Some(table));
        row.node = Some(tr);
        for cell in &mut row.cells {
            let kind = match (cell.header, row.head) {
                (true, head) => StructKind::TH { row: !head },
                (false, _) => StructKind::TD,
            };
            let node = c.add_node(kind, Some(tr));
            if cell.span > 1 || cell.rows > 1 {
                c.structure_mut(node).cell_span = Some(CellSpan {
                    rows: cell.rows as u16,
                    cols: cell.span as u16,
                });
            }
            cell.node = Some(node);
        }
    }
    (table, caption)
}

fn table_ctx(ctx: &Ctx, scale: f64) -> Ctx {
    Ctx {
        size: ctx.size * scale,
        leading: ctx.leading * scale,
        ..*ctx
    }
}

/// Natural (one-line) and minimum (longest word) width of every column;
/// a cell spanning columns makes them share what it needs.
fn column_needs(
    c: &mut Composer<'_>,
    rows: &[GridRow<'_>],
    columns: usize,
    small: &Ctx,
    span: Span,
) -> (Vec<Pt>, Vec<Pt>) {
    let mut natural = vec![Pt::ZERO; columns];
    let mut minimum = vec![Pt::ZERO; columns];
    let pad = small.size * CELL_PAD;
    let mut spanning = Vec::new();
    for row in rows {
        for cell in &row.cells {
            let face = if cell.header {
                Face::Bold
            } else {
                Face::Regular
            };
            let (nat, min) = cell_widths(c, cell.content, small, face, span);
            if cell.span == 1 {
                natural[cell.col] = natural[cell.col].max(nat);
                minimum[cell.col] = minimum[cell.col].max(min);
            } else {
                spanning.push((cell.col, cell.span, nat, min));
            }
        }
    }
    for (col, n, nat, min) in spanning {
        let cols = col..(col + n).min(columns);
        let inner_pads = pad * (2.0 * (cols.len().max(1) - 1) as f64);
        let share = |have: Pt, need: Pt| {
            ((need - inner_pads - have) / cols.len().max(1) as f64).max(Pt::ZERO)
        };
        let have_min: Pt = minimum[cols.clone()].iter().copied().sum();
        let extra_min = share(have_min, min);
        let have_nat: Pt = natural[cols.clone()].iter().copied().sum();
        let extra_nat = share(have_nat, nat);
        for i in cols {
            minimum[i] += extra_min;
            natural[i] += extra_nat;
        }
    }
    (natural, minimum)
}

/// Splits the columns into groups whose longest words fit the measure
/// side by side. The first column is repeated at the head of every group
/// when it is narrow enough to label the rows.
fn column_groups(minimum: &[Pt], pad: Pt, measure: Pt) -> Vec<Vec<usize>> {
    let need = |i: usize| minimum[i] + pad * 2.0;
    let total: Pt = (0..minimum.len()).map(need).sum();
    if total <= measure || minimum.len() <= 1 {
        return vec![(0..minimum.len()).collect()];
    }
    let key = (need(0) <= measure * KEY_COLUMN_SHARE).then_some(0);
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut width = Pt::ZERO;
    let start = if key.is_some() { 1 } else { 0 };
    for i in start..minimum.len() {
        if current.is_empty() {
            if let Some(k) = key {
                current.push(k);
                width = need(k);
            }
        }
        let fresh = current.len() == usize::from(key.is_some());
        if !fresh && width + need(i) > measure {
            groups.push(std::mem::take(&mut current));
            if let Some(k) = key {
                current.push(k);
                width = need(k);
            } else {
                width = Pt::ZERO;
            }
        }
        current.push(i);
        width += need(i);
    }
    if current.len() > usize::from(key.is_some()) || groups.is_empty() {
        groups.push(current);
    }
    groups
}

/// What a part of a table is set with.
struct PartSetting<'s> {
    ctx: &'s Ctx,
    small: &'s Ctx,
    span: Span,
    id: usize,
    caption: &'s [Inline],
    caption_node: Option<BlockId>,
    table_node: BlockId,
    /// Whether a cell starting in this column is the table's own here (not
    /// a repetition).
    home: &'s dyn Fn(usize) -> bool,
}

/// Sets the columns `group` of the table's rows as one part.
fn set_part(
    c: &mut Composer<'_>,
    rows: &[GridRow<'_>],
    group: &[usize],
    natural: &[Pt],
    minimum: &[Pt],
    setting: PartSetting<'_>,
) -> TablePart {
    let PartSetting {
        ctx,
        small,
        span,
        id,
        caption,
        caption_node,
        table_node,
        home,
    } = setting;
    let pad = small.size * CELL_PAD;
    let measure = c.measure(ctx);
    let n = group.len();
    let available = (measure - pad * (2.0 * n as f64)).max(Pt(1.0));
    let sub = |v: &[Pt]| group.iter().map(|&i| v[i]).collect::<Vec<_>>();
    let widths = column_widths(&sub(natural), &sub(minimum), available);
    // Where each of the table's columns is in this part.
    let slot = |col: usize| group.iter().position(|&g| g == col);
    let x_of = |k: usize| -> Pt {
        ctx.left + widths[..k].iter().copied().sum::<Pt>() + pad * (2 * k + 1) as f64
    };
    // A cell's place in this part: its first slot and width across the
    // slots of the columns it spans.
    let place = |cell: &GridCell<'_>| -> Option<(Pt, Pt)> {
        let slots: Vec<usize> = (cell.col..cell.col + cell.span).filter_map(slot).collect();
        let (&first, &last) = (slots.first()?, slots.last()?);
        let width: Pt =
            widths[first..=last].iter().copied().sum::<Pt>() + pad * (2.0 * (last - first) as f64);
        // Right to left, the first column is on the right.
        let x = if ctx.rtl {
            ctx.left * 2.0 + measure - x_of(first) - width
        } else {
            x_of(first)
        };
        Some((x, width))
    };
    let lead = small.leading;
    let rule_gap = lead * RULE_GAP;
    let rule = |y: Pt, h: Pt| {
        Piece::Item(Item::Rect(Rect {
            x: ctx.left,
            y,
            width: measure,
            height: h,
            gray: 0.0,
        }))
    };
    // Head: caption, top rule, head rows in bold, thin rule.
    let mut head = Slab::new(Pt::ZERO, Role::TableHead { table: id }, span);
    head.node = Some(table_node);
    let mut y = Pt::ZERO;
    if !caption.is_empty() {
        let pb = c.cell_builder(caption, small, false, false, caption_node);
        let lines = set_lines(c, pb, small, measure, Alignment::Center, span);
        let CellLines {
            mut lines, marks, ..
        } = lines;
        for (j, line) in lines.iter_mut().enumerate() {
            c.line_pieces(
                line,
                &marks,
                ctx.left,
                lead * (j + 1) as f64,
                small.size,
                &mut head,
            );
        }
        y = lead * lines.len() as f64;
    }
    let top_rule_y = y + rule_gap;
    head.pieces.push(rule(top_rule_y, HEAVY_RULE));
    y = top_rule_y + HEAVY_RULE + rule_gap * 0.5;
    let head_rows: Vec<&GridRow<'_>> = rows.iter().filter(|r| r.head).collect();
    for row in &head_rows {
        let h = place_row(c, row, (&place, home), small, y, &mut head, span);
        y += h;
    }
    if !head_rows.is_empty() {
        let mid_rule_y = y + rule_gap;
        head.pieces.push(rule(mid_rule_y, THIN_RULE));
        y = mid_rule_y + THIN_RULE;
    }
    head.height = y;

    // Body rows.
    let body: Vec<&GridRow<'_>> = rows.iter().filter(|r| !r.head).collect();
    let mut out = Vec::with_capacity(body.len());
    let last = body.len();
    for (r, row) in body.into_iter().enumerate() {
        let mut slab = Slab::new(Pt::ZERO, Role::TableRow { table: id }, row.span);
        slab.node = row.node;
        let top = rule_gap * 0.5;
        let h = place_row(c, row, (&place, home), small, top, &mut slab, span);
        slab.height = top + h;
        if r + 1 == last {
            let y = slab.height + rule_gap;
            slab.pieces.push(rule(y, HEAVY_RULE));
            slab.height = y + HEAVY_RULE;
        }
        // A row taller than a page (below the repeated head) is cut
        // between its lines, each part a row of its own.
        let room = c.geo.capacity() - head.height;
        let cuts: Vec<Pt> = (1..=(h / small.leading).round() as usize)
            .map(|j| top + small.leading * j as f64)
            .collect();
        out.extend(slab.split_at(&cuts, room));
    }
    if out.is_empty() {
        // A table with only a head still closes with its bottom rule.
        let y = head.height + rule_gap;
        head.pieces.push(rule(y, HEAVY_RULE));
        head.height = y + HEAVY_RULE;
    }
    TablePart { head, rows: out }
}

/// Where a part places a cell, and whether the cell is the table's own
/// there (see [`PartSetting::home`]).
type Placing<'p> = (
    &'p dyn Fn(&GridCell<'_>) -> Option<(Pt, Pt)>,
    &'p dyn Fn(usize) -> bool,
);

/// Sets the cells of one row of a part at `top`; returns its height.
fn place_row(
    c: &mut Composer<'_>,
    row: &GridRow<'_>,
    (place, home): Placing<'_>,
    small: &Ctx,
    top: Pt,
    slab: &mut Slab,
    span: Span,
) -> Pt {
    let lead = small.leading;
    let mut lines_max = 1;
    for cell in &row.cells {
        let Some((x, width)) = place(cell) else {
            continue;
        };
        let face = if cell.header {
            Face::Bold
        } else {
            Face::Regular
        };
        let own = home(cell.col);
        let node = cell.node.filter(|_| own);
        let mut set = set_cell(c, cell.content, small, width, cell.align, face, span, node);
        if !own {
            // Drawn again for the reader of the page, not the structure.
            set.marks.strip_nodes();
            slab.pieces.push(Piece::Node(Owner::Artifact));
        }
        for (j, line) in set.lines.iter_mut().enumerate() {
            let baseline = top + lead * (j + 1) as f64;
            c.line_pieces(line, &set.marks, x, baseline, small.size, slab);
        }
        if !own {
            slab.pieces.push(Piece::Node(Owner::Slab));
        }
        lines_max = lines_max.max(set.lines.len());
        if !set.issues.is_empty() {
            slab.more_mut().issues.extend(set.issues.iter().cloned());
        }
    }
    lead * lines_max as f64
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
    let pb = c.cell_builder(cell, ctx, face == Face::Bold, true, None);
    let opts = c.par_options(ctx, Pt(1.0e6), Alignment::Left, false);
    let layout = layout_paragraph(&mut c.fonts, &pb.items, &opts);
    let natural = layout.lines.iter().map(|l| l.width).fold(Pt::ZERO, Pt::max);
    let _ = span;
    let min = plain_text(cell)
        .split_whitespace()
        .map(|w| c.fonts.width(w, face, ctx.size))
        .fold(Pt::ZERO, Pt::max);
    (natural, min.min(natural.max(min)))
}

#[allow(clippy::too_many_arguments)]
fn set_cell(
    c: &mut Composer<'_>,
    cell: &[Inline],
    ctx: &Ctx,
    width: Pt,
    align: Alignment,
    face: Face,
    span: Span,
    node: Option<BlockId>,
) -> CellLines {
    let pb: ParBuilder = c.cell_builder(cell, ctx, face == Face::Bold, false, node);
    set_lines(c, pb, ctx, width, align, span)
}

/// Breaks a cell's (or caption's) paragraph into lines of `width`.
fn set_lines(
    c: &mut Composer<'_>,
    pb: ParBuilder,
    ctx: &Ctx,
    width: Pt,
    align: Alignment,
    span: Span,
) -> CellLines {
    let opts = c.par_options(ctx, width.max(Pt(1.0)), align, true);
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
            LineIssueKind::WordBroken => c.warn_broken_word(at),
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
