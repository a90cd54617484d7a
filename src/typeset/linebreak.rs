//! Line breaking over boxes, glue and penalties.
//!
//! Place in the pipeline: [`super::paragraph`] turns shaped text into
//! [`Item`]s (boxes for text, glue for spaces, penalties for break
//! opportunities such as hyphenation points) and asks [`break_lines`] where
//! the lines end; it then positions glyphs using the returned ratios. This
//! module knows nothing of fonts or glyphs, only widths in points.

/// What an [`Item`] is, in Knuth and Plass's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Unbreakable material of fixed width (text, an indent, a marker).
    Box,
    /// Space that may stretch or shrink; a break may happen at glue that
    /// follows a box, and the glue then disappears.
    Glue,
    /// A possible break with a cost; `width` is added to the line only if the
    /// break is taken (a hyphen).
    Penalty,
}

/// Penalty at or above which a break is forbidden.
pub(crate) const INFINITE_PENALTY: f64 = 10_000.0;

/// One element of the paragraph as the breaker sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Item {
    pub kind: Kind,
    pub width: f64,
    /// Finite stretchability (glue).
    pub stretch: f64,
    /// Shrinkability (glue).
    pub shrink: f64,
    /// Infinitely stretchable glue (TeX's `fil`), used for `\parfillskip`
    /// and before forced breaks; any positive value dominates finite stretch.
    pub fil: f64,
    /// Cost of breaking here (penalties); ≥ [`INFINITE_PENALTY`] forbids,
    /// ≤ −[`INFINITE_PENALTY`] forces.
    pub penalty: f64,
    /// A hyphen-like break (consecutive ones are discouraged).
    pub flagged: bool,
    /// A discretionary from hyphenation: ignored by the first,
    /// hyphenation-free pass.
    pub hyphenation: bool,
    /// How far the line's last glyph may hang into the right margin when
    /// the line breaks here (margin kerning); 0 without protrusion.
    pub hang_right: f64,
    /// How far the first glyph after this break may hang into the left margin.
    pub hang_left: f64,
}

impl Item {
    /// A box of the given width.
    pub fn boxed(width: f64) -> Item {
        Item {
            kind: Kind::Box,
            width,
            stretch: 0.0,
            shrink: 0.0,
            fil: 0.0,
            penalty: 0.0,
            flagged: false,
            hyphenation: false,
            hang_right: 0.0,
            hang_left: 0.0,
        }
    }

    /// Glue with natural width, stretch and shrink.
    pub fn glue(width: f64, stretch: f64, shrink: f64) -> Item {
        Item {
            kind: Kind::Glue,
            stretch,
            shrink,
            ..Item::boxed(width)
        }
    }

    /// A penalty of `width` (taken only at a break) and cost `penalty`.
    pub fn penalty(width: f64, penalty: f64, flagged: bool) -> Item {
        Item {
            kind: Kind::Penalty,
            penalty,
            flagged,
            ..Item::boxed(width)
        }
    }

    /// Whether the item disappears at the start of a line.
    pub fn is_discardable(&self) -> bool {
        self.kind != Kind::Box
    }
}

/// Parameters of the breaker. Widths in points.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Params {
    /// Line width.
    pub measure: f64,
    /// Stretch added to every line (TeX's `\rightskip` plus `\leftskip`
    /// stretch): 0 for justified text, a few ems for ragged settings.
    pub line_stretch: f64,
    /// Whether the text is justified (affects which lines count as loose).
    pub justified: bool,
}

/// One chosen break.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Break {
    /// Index of the item the line ends at (glue or penalty; the last item for
    /// the final line).
    pub at: usize,
    /// Adjustment ratio of the line ending here.
    pub ratio: f64,
}

/// Natural width, stretch, shrink and fil of a candidate line.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct LineSums {
    pub width: f64,
    pub stretch: f64,
    pub shrink: f64,
    pub fil: f64,
}

/// Index of the first item of the line after a break at `at` (skipping
/// discardable items), or `items.len()`.
pub(crate) fn line_start(items: &[Item], at: usize) -> usize {
    let mut i = at + 1;
    while i < items.len() && items[i].is_discardable() {
        // A forced break ends the run of discardables: it must still be seen.
        if items[i].kind == Kind::Penalty && items[i].penalty <= -INFINITE_PENALTY {
            break;
        }
        i += 1;
    }
    i
}

/// Sums of the line from item `start` up to the break at `end`, with the
/// margin hangs of both ends taken off the width.
pub(crate) fn line_sums(items: &[Item], start: usize, end: usize, hang_left: f64) -> LineSums {
    let mut s = LineSums::default();
    for it in &items[start..end.min(items.len())] {
        if it.kind != Kind::Penalty {
            s.width += it.width;
            s.stretch += it.stretch;
            s.shrink += it.shrink;
            s.fil += it.fil;
        }
    }
    if let Some(b) = items.get(end) {
        if b.kind == Kind::Penalty {
            s.width += b.width;
        }
        s.width -= b.hang_right;
    }
    s.width -= hang_left;
    s
}

/// The adjustment ratio for sums `s` on a line of `params`.
pub(crate) fn ratio(s: &LineSums, params: &Params) -> f64 {
    let short = params.measure - s.width;
    if short >= 0.0 {
        if s.fil > 0.0 {
            0.0
        } else {
            let stretch = s.stretch + params.line_stretch;
            if stretch > 0.0 {
                short / stretch
            } else if short > 0.0 {
                f64::INFINITY
            } else {
                0.0
            }
        }
    } else if s.shrink > 0.0 {
        short / s.shrink
    } else {
        f64::NEG_INFINITY
    }
}

/// Whether a break may happen at item `i`.
fn is_legal(items: &[Item], i: usize) -> bool {
    let it = &items[i];
    match it.kind {
        Kind::Penalty => it.penalty < INFINITE_PENALTY,
        Kind::Glue => i > 0 && items[i - 1].kind == Kind::Box,
        Kind::Box => false,
    }
}

/// Chooses line breaks: first fit, a line is filled as long as it fits at
/// full shrink.
pub(crate) fn break_lines(items: &[Item], params: &Params) -> Vec<Break> {
    let mut breaks = Vec::new();
    if items.is_empty() {
        return breaks;
    }
    let mut start = 0usize;
    let mut hang_left = 0.0;
    let mut last_fit: Option<usize> = None;
    let mut i = 0;
    while i < items.len() {
        if is_legal(items, i) {
            let s = line_sums(items, start, i, hang_left);
            let forced = items[i].kind == Kind::Penalty && items[i].penalty <= -INFINITE_PENALTY;
            let fits = s.width - s.shrink <= params.measure;
            if !fits {
                if let Some(b) = last_fit.take() {
                    let s = line_sums(items, start, b, hang_left);
                    breaks.push(Break {
                        at: b,
                        ratio: ratio(&s, params),
                    });
                    hang_left = items[b].hang_left;
                    start = line_start(items, b);
                    i = start;
                    continue;
                }
            }
            if forced || !fits {
                breaks.push(Break {
                    at: i,
                    ratio: ratio(&s, params),
                });
                hang_left = items[i].hang_left;
                start = line_start(items, i);
                last_fit = None;
                i = start;
                continue;
            }
            last_fit = Some(i);
        }
        i += 1;
    }
    breaks
}
