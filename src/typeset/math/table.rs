//! Grids in formulas: matrices (bare or fenced), `cases` and the
//! `aligned` family, laid out as rows of cells centred on the math axis.

use crate::math::{Class, Node, Style, TableKind};

use super::layout::{Layout, MBox, St, NULL_DELIMITER};

/// Space between matrix and cases columns, in ems (twice TeX's `\arraycolsep`).
const COLUMN_GAP: f64 = 1.0;
/// Space between the column pairs of `aligned`, in ems.
const ALIGN_PAIR_GAP: f64 = 2.0;
/// Rows of a grid are at least this tall and deep, in ems (a strut:
/// TeX's 0.7/0.3 of `\baselineskip` at 1.2 em), and apart by…
const STRUT_HEIGHT: f64 = 0.84;
/// (the depth of that strut)
const STRUT_DEPTH: f64 = 0.36;
/// …this much more in `aligned` and `cases` (TeX's `\jot`, 3pt at 10pt).
const JOT: f64 = 0.3;
/// Space between a matrix's fences and its entries, in ems (a thin space).
const MATRIX_FENCE_PAD: f64 = 3.0 / 18.0;

impl Layout<'_, '_> {
    pub(super) fn table(&self, kind: &TableKind, rows: &[Vec<Vec<Node>>], st: St) -> MBox {
        let size = self.size(st);
        let cell_st = match kind {
            TableKind::Aligned { .. } => St {
                style: Style::Display,
                ..st
            },
            _ => St {
                style: if st.script() { st.style } else { Style::Text },
                ..st
            },
        };
        let aligned = matches!(kind, TableKind::Aligned { gathered: false });
        let cells: Vec<Vec<MBox>> = rows
            .iter()
            .map(|r| {
                r.iter()
                    .enumerate()
                    .map(|(c, cell)| {
                        // The right side of an `&=` pair is spaced as if
                        // its left side stood before it.
                        let prev = (aligned && c % 2 == 1).then_some(Class::Ord);
                        self.list(cell, cell_st, prev)
                    })
                    .collect()
            })
            .collect();
        let columns = cells.iter().map(Vec::len).max().unwrap_or(0);
        let mut widths = vec![0.0f64; columns];
        for r in &cells {
            for (c, b) in r.iter().enumerate() {
                widths[c] = widths[c].max(b.width);
            }
        }
        let gap_after = |c: usize| -> f64 {
            match kind {
                TableKind::Aligned { gathered: false } => {
                    if c % 2 == 1 {
                        ALIGN_PAIR_GAP * size
                    } else {
                        0.0
                    }
                }
                _ => COLUMN_GAP * size,
            }
        };
        let jot = match kind {
            TableKind::Matrix { .. } => 0.0,
            _ => JOT * size,
        };
        let mut grid = MBox::default();
        let mut y = 0.0;
        let mut total_width: f64 = 0.0;
        for (ri, r) in cells.into_iter().enumerate() {
            let height = r
                .iter()
                .map(|b| b.height)
                .fold(STRUT_HEIGHT * size, f64::max);
            let depth = r.iter().map(|b| b.depth).fold(STRUT_DEPTH * size, f64::max);
            if ri > 0 {
                y -= jot;
            }
            y -= height;
            let mut x = 0.0;
            for (c, b) in r.into_iter().enumerate() {
                let w = widths[c];
                let dx = match kind {
                    TableKind::Cases => 0.0,
                    TableKind::Aligned { gathered: false } if c % 2 == 0 => w - b.width,
                    TableKind::Aligned { gathered: false } => 0.0,
                    _ => (w - b.width) / 2.0,
                };
                grid.put(b, x + dx, y);
                x += w;
                if c + 1 < columns {
                    x += gap_after(c);
                }
            }
            total_width = total_width.max(x);
            y -= depth;
        }
        let full: f64 =
            widths.iter().sum::<f64>() + (0..columns.saturating_sub(1)).map(gap_after).sum::<f64>();
        grid.width = full.max(total_width);
        // Centre the grid on the axis.
        let total = -y;
        grid.height = 0.0;
        grid.depth = total;
        let grid = grid.raise(self.axis(size) + total / 2.0);
        match kind {
            TableKind::Matrix { open, close } if !open.is_empty() => {
                // A thin space inside the fences keeps them off the entries.
                let pad = MATRIX_FENCE_PAD * size;
                let mut padded = MBox {
                    width: grid.width + 2.0 * pad,
                    height: grid.height,
                    depth: grid.depth,
                    ..MBox::default()
                };
                padded.put(grid, pad, 0.0);
                self.fence(padded, open, close, size)
            }
            TableKind::Matrix { .. } => grid,
            TableKind::Cases => {
                let pad = NULL_DELIMITER * size;
                let mut g = grid;
                g.width += pad;
                self.fence(g, "{", "", size)
            }
            TableKind::Aligned { .. } => grid,
        }
    }
}
