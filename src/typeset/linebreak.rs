//! Line breaking over boxes, glue and penalties.
//!
//! Place in the pipeline: [`super::paragraph`] turns shaped text into
//! `Item`s (boxes for text, glue for spaces, penalties for break
//! opportunities such as hyphenation points) and asks `break_lines` where
//! the lines end; it then positions glyphs using the returned ratios. This
//! module knows nothing of fonts or glyphs, only widths in points.
//!
//! The breaker is Knuth and Plass's total-fit algorithm as in TeX: every
//! feasible break is an "active node"; for each legal breakpoint the lines
//! from all active nodes are scored (badness from the adjustment ratio,
//! demerits from badness, penalties, consecutive hyphens and jumps between
//! tight and loose lines) and the best predecessor per fitness class is
//! kept. Like TeX it runs up to three passes: without hyphenation at a
//! strict tolerance, with hyphenation at the normal tolerance, and an
//! emergency pass with extra stretch that always succeeds (an unbreakable
//! word longer than the measure then sticks out into the margin).
//!
//! Work is linear in the paragraph length: prefix sums give any line's width
//! in O(1) and an active node is dropped as soon as its line would be
//! overfull, so only breakpoints within about one line stay active.

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
    /// Finite stretchability. For glue, how far the space may widen; for a
    /// box (or a penalty's width, taken at a break), how far its glyphs may
    /// be widened by font expansion (see [`LineSums::font_stretch`]).
    pub stretch: f64,
    /// Shrinkability: of the space (glue) or of the glyphs (box, penalty).
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
    /// How far the paragraph's first glyph may hang into the left margin.
    pub start_hang: f64,
    /// Extra stretch per line allowed in the emergency pass (TeX's
    /// `\emergencystretch`); it only helps choose breaks, it is not set.
    pub emergency_stretch: f64,
    /// The body size, the unit of [`Tuning::evenness_center`].
    pub em: f64,
    pub tuning: Tuning,
}

/// The breaker's scoring parameters (defaults: the named constants below).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Tuning {
    pub pretolerance: f64,
    pub tolerance: f64,
    pub line_penalty: f64,
    pub double_hyphen_demerits: f64,
    pub hyphen_run_demerits: f64,
    pub final_hyphen_demerits: f64,
    pub adj_demerits: f64,
    pub runt_demerits: f64,
    pub badness_weight: f64,
    pub evenness: f64,
    pub evenness_center: f64,
    pub evenness_tight: f64,
    pub contrast: f64,
}

impl Default for Tuning {
    fn default() -> Tuning {
        Tuning {
            pretolerance: PRETOLERANCE,
            tolerance: TOLERANCE,
            line_penalty: LINE_PENALTY,
            double_hyphen_demerits: DOUBLE_HYPHEN_DEMERITS,
            hyphen_run_demerits: HYPHEN_RUN_DEMERITS,
            final_hyphen_demerits: FINAL_HYPHEN_DEMERITS,
            adj_demerits: ADJ_DEMERITS,
            runt_demerits: RUNT_DEMERITS,
            badness_weight: BADNESS_WEIGHT,
            evenness: EVENNESS,
            evenness_center: EVENNESS_CENTER,
            evenness_tight: EVENNESS_TIGHT,
            contrast: CONTRAST,
        }
    }
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
    /// Stretch of the line's glue (its spaces).
    pub stretch: f64,
    /// Shrink of the line's glue.
    pub shrink: f64,
    pub fil: f64,
    /// How much wider the line's glyphs may be set by font expansion
    /// (pdfTeX's hz): the sum of its boxes' stretch. The line's adjustment
    /// ratio spreads its slack over glue and glyphs alike, as pdfTeX does,
    /// so a line that must open by 3pt widens its letters by a part of
    /// that and its spaces by the rest; see [`LineSums::split`].
    pub font_stretch: f64,
    /// How much narrower the glyphs may be set.
    pub font_shrink: f64,
}

/// How a line's slack is shared out: see [`LineSums::split`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Split {
    /// Glue adjustment ratio: each space changes by this times its stretch
    /// (or shrink, when negative). 0 for a line without glue to set.
    pub glue_ratio: f64,
    /// Expansion ratio of the glyphs, in −1..=1: each box changes by this
    /// times its stretch (or shrink).
    pub font_ratio: f64,
}

impl LineSums {
    /// Adds an item inside a line: glue to the spaces' sums, a box to the
    /// width and the font expansion; a penalty counts only where a line
    /// ends at it.
    fn add(&mut self, it: &Item) {
        match it.kind {
            Kind::Glue => {
                self.width += it.width;
                self.stretch += it.stretch;
                self.shrink += it.shrink;
                self.fil += it.fil;
            }
            Kind::Box => {
                self.width += it.width;
                self.font_stretch += it.stretch;
                self.font_shrink += it.shrink;
            }
            Kind::Penalty => {}
        }
    }

    /// How much font expansion widens (or, negative, narrows) the line's
    /// glyphs at expansion ratio `font_ratio` (see [`Split`]).
    pub fn font_delta(&self, font_ratio: f64) -> f64 {
        font_ratio
            * if font_ratio >= 0.0 {
                self.font_stretch
            } else {
                self.font_shrink
            }
    }

    /// Shares out the line's adjustment ratio `r` (over glue and glyphs
    /// together, as [`ratio`] computes it): glyphs follow `r` up to their
    /// limit (±1) and the glue takes whatever is left, so a line looser
    /// than the fonts can follow still ends flush. A line with fil glue
    /// (a paragraph's last) stays natural unless it must shrink.
    pub fn split(&self, r: f64) -> Split {
        if !r.is_finite() || (self.fil > 0.0 && r >= 0.0) {
            return Split {
                glue_ratio: 0.0,
                font_ratio: 0.0,
            };
        }
        let font_ratio = r.clamp(-1.0, 1.0);
        let (glue, font) = if r >= 0.0 {
            (self.stretch, self.font_stretch)
        } else {
            (self.shrink, self.font_shrink)
        };
        let glue_ratio = if r.abs() <= 1.0 || font == 0.0 {
            r
        } else if glue > 0.0 {
            // Beyond the fonts' limit: the glue takes the rest of the slack.
            (r * (glue + font) - font_ratio * font) / glue
        } else {
            0.0
        };
        Split {
            glue_ratio: glue_ratio.max(-1.0),
            font_ratio,
        }
    }
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
        s.add(it);
    }
    if let Some(b) = items.get(end) {
        if b.kind == Kind::Penalty {
            s.width += b.width;
            s.font_stretch += b.stretch;
            s.font_shrink += b.shrink;
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
            let stretch = s.stretch + s.font_stretch + params.line_stretch;
            if stretch > 0.0 {
                short / stretch
            } else if short > 0.0 {
                f64::INFINITY
            } else {
                0.0
            }
        }
    } else if s.shrink + s.font_shrink > 0.0 {
        short / (s.shrink + s.font_shrink)
    } else {
        f64::NEG_INFINITY
    }
}

/// Whether a break may happen at item `i` (in a pass with or without
/// hyphenation).
fn is_legal(items: &[Item], i: usize, hyphenate: bool) -> bool {
    let it = &items[i];
    match it.kind {
        Kind::Penalty => it.penalty < INFINITE_PENALTY && (hyphenate || !it.hyphenation),
        Kind::Glue => i > 0 && items[i - 1].kind == Kind::Box,
        Kind::Box => false,
    }
}

// The demerits. The breaker minimises, over the whole paragraph, the sum
// of each line's demerits: TeX's `(line penalty + badness)²` (weighted),
// penalties squared, and the evenness term below. The evenness term sets
// the scale: a line of ten spaces each 0.05 em away from the common width
// costs 250,000, so the penalties and the extra demerits for hyphen pairs
// and fitness jumps are given in those units, not TeX's (whose scale is
// set by the badness alone). Every value was chosen on the 300,000-word
// benchmark book at 11pt on a 6×9in page (scripts/measure-typesetting.py,
// README "Typesetting quality"): the hyphen penalty trades hyphens against
// evenness, the rest are as small as still does their job.

/// Tolerance of the first pass, without hyphenation (TeX's `\pretolerance`,
/// 100 in plain TeX): a paragraph whose lines all set within this badness
/// (ratio ≤ 1) needs no hyphens.
pub(crate) const PRETOLERANCE: f64 = 100.0;
/// Tolerance of the second pass, with hyphenation (TeX's `\tolerance`):
/// badness 800 is ratio 2, the limit above which a line is reported as
/// loose (`compose::VERY_LOOSE`). Within it the evenness demerits, not the
/// tolerance, decide; TeX's 200 (ratio 1.26) sends too many paragraphs to
/// the later passes, which then hyphenate or loosen more than needed.
pub(crate) const TOLERANCE: f64 = 800.0;
/// Tolerance of the third pass, tried when the hyphenating pass finds no
/// breaks or only breaks with three hyphens in a row: any line that still
/// has a meaningful badness (ratio below about 4.6), without emergency
/// stretch, so a run or an impossible line is traded against the least
/// looseness that avoids it. Only if this fails too does the emergency
/// pass spread the looseness.
pub(crate) const LOOSE_TOLERANCE: f64 = INF_BAD - 1.0;
/// Weight of the evenness demerits, `EVENNESS · n · (a − c)²` for a
/// justified line of `n` spaces each adjusted by `a` ems (`c` is
/// [`EVENNESS_CENTER`]). TeX's demerits grow with the sixth power of the
/// adjustment ratio, so they hardly tell a slightly loose line from a
/// natural one and leave the spacing of most lines to chance; this
/// quadratic term makes the breaker prefer lines whose spaces are all
/// close to one width, which is what a reader sees as even colour and what
/// the word-space deviation measures. On the benchmark it lowers the
/// deviation by about 0.004 em at the same share of hyphenated lines.
pub(crate) const EVENNESS: f64 = 10_000_000.0;
/// The per-space adjustment, in ems, that the evenness demerits centre on.
/// Spaces shrink by at most a third (0.07 em for Gentium's 0.22 em space)
/// but stretch further, so justified lines average about 0.07 em above
/// the natural space; centring there rather than on the natural width
/// stops the breaker from pulling lines towards a width most cannot reach.
pub(crate) const EVENNESS_CENTER: f64 = 0.07;
/// Factor on the evenness demerits of lines whose spaces are narrower than
/// the centre. Spaces can only shrink by 0.07em but may stretch much
/// further, and a squeezed line reads worse than an equally open one; at 3
/// the breaker takes fewer tight lines, which on the benchmark lowers both
/// the word-space deviation (0.0836 → 0.0826em) and the contrast between
/// neighbouring lines at the same share of hyphens.
pub(crate) const EVENNESS_TIGHT: f64 = 3.0;
/// Weight of the contrast demerits, `CONTRAST · n · (a − a')²` for a
/// justified line of `n` spaces adjusted by `a` ems below one adjusted by
/// `a'`: a tight line under a loose one is what makes a page look blotchy,
/// more than the same two lines paragraphs apart. TeX's `\adjdemerits`
/// ([`ADJ_DEMERITS`]) only sees jumps across its four fitness classes; this
/// term sees every difference (the fitness classes still keep the best
/// predecessors of each kind apart). On the benchmark it lowers the mean
/// difference between neighbouring lines' spaces from 0.086 to 0.082em at
/// the same share of hyphens, for +0.001em of overall deviation.
pub(crate) const CONTRAST: f64 = 5_000_000.0;
/// Badness of a line that cannot be set (TeX's `inf_bad`); the emergency
/// pass accepts anything up to this.
pub(crate) const INF_BAD: f64 = 10_000.0;
/// Added to every line's badness before squaring (TeX's `\linepenalty`):
/// makes fewer lines better.
pub(crate) const LINE_PENALTY: f64 = 10.0;
/// Extra demerits for two hyphenated lines in a row (TeX's
/// `\doublehyphendemerits`): as much as ten spaces 0.1 em off, under a
/// tenth of a hyphen. Pairs are acceptable; stronger values only trade
/// them for more looseness.
pub(crate) const DOUBLE_HYPHEN_DEMERITS: f64 = 1_000_000.0;
/// Extra demerits for a third (or later) hyphenated line in a row, on top
/// of [`DOUBLE_HYPHEN_DEMERITS`]. TeX has no such parameter: its breaker
/// only remembers whether the previous line was hyphenated, so a run of
/// three costs no more than two pairs and happens whenever pairs are cheap
/// (hundreds of runs in a long book). Here the breaker's state counts the
/// run (0, 1, 2 or more) and a third hyphen costs as much as ten spaces a
/// whole em off: only a paragraph with no other way to set it gets one,
/// and a pass that can only set the paragraph with a run counts as failed.
pub(crate) const HYPHEN_RUN_DEMERITS: f64 = 100_000_000.0;
/// Extra demerits when the second-last line ends with a hyphen (TeX's
/// `\finalhyphendemerits`): a hyphenated word completed on a short last
/// line looks poor. Same weight as a hyphen pair.
pub(crate) const FINAL_HYPHEN_DEMERITS: f64 = 1_000_000.0;
/// Extra demerits when neighbouring lines are in fitness classes more than
/// one apart, e.g. a very loose line after a tight one (TeX's
/// `\adjdemerits`). [`CONTRAST`] does this job continuously; the class
/// jump adds a small step (as much as a hyphen pair) for the worst cases.
pub(crate) const ADJ_DEMERITS: f64 = 3_000_000.0;
/// Extra demerits when the last line of a justified paragraph of several
/// lines is a single word (a "runt"): a lone short word under a full
/// paragraph looks like a mistake and wastes a line. (Ragged text, such as
/// headings and table cells, has no full lines for it to stand out under.)
/// Chosen as much as a hyphen when the hyphen penalty was 3,600 (its
/// square); at today's 2,800 it is about 1.7 hyphens: a runt is avoided
/// when a hyphen or slightly looser lines can do it (on the benchmark, 53
/// fewer lines for +0.0005em of word-space deviation).
pub(crate) const RUNT_DEMERITS: f64 = 13_000_000.0;
/// Weight of TeX's demerits `(line penalty + badness)²` against the
/// evenness demerits. The evenness term is quadratic and so is lenient
/// with the odd very loose line; TeX's term grows with the sixth power of
/// the ratio and is what keeps those rare. At 30 a line at ratio 1.5
/// (spaces of 0.48em) costs as much again as its evenness demerits; the
/// 99th percentile of word spaces on the benchmark drops by about 0.015em
/// at the same evenness and hyphenation.
pub(crate) const BADNESS_WEIGHT: f64 = 30.0;
/// Looseness (TeX's `\looseness`): 0 means the optimum number of lines.
/// Kept as a named constant to document that it is not used.
pub(crate) const LOOSENESS: i32 = 0;

/// TeX's badness: 100·|r|³, capped at [`INF_BAD`].
fn badness(r: f64) -> f64 {
    if r.is_infinite() {
        INF_BAD
    } else {
        (100.0 * r.abs().powi(3)).min(INF_BAD)
    }
}

/// Fitness class of a line with adjustment ratio `r` and badness `b`:
/// 0 very loose, 1 loose, 2 decent, 3 tight (TeX's classes).
fn fitness(r: f64, b: f64) -> u8 {
    if r > 0.0 {
        if b > 99.0 {
            0
        } else if b > 12.0 {
            1
        } else {
            2
        }
    } else if b > 12.0 {
        3
    } else {
        2
    }
}

/// Prefix sums of width, stretch, shrink, fil and font expansion over the
/// items (penalties contribute nothing unless a line ends at them).
struct Prefix {
    /// Sums of the items before each index (and after the last).
    sums: Vec<LineSums>,
    /// Number of adjustable glue items (inter-word spaces).
    spaces: Vec<u32>,
}

impl Prefix {
    fn new(items: &[Item]) -> Prefix {
        let n = items.len() + 1;
        let mut p = Prefix {
            sums: Vec::with_capacity(n),
            spaces: Vec::with_capacity(n),
        };
        let mut s = LineSums::default();
        let mut c = 0u32;
        for it in items {
            p.sums.push(s);
            p.spaces.push(c);
            s.add(it);
            if it.kind == Kind::Glue && (it.stretch > 0.0 || it.shrink > 0.0) {
                c += 1;
            }
        }
        p.sums.push(s);
        p.spaces.push(c);
        p
    }

    /// Sums of the line from item `start` to the break at `end`.
    fn line(&self, items: &[Item], start: usize, end: usize, hang_left: f64) -> LineSums {
        let start = start.min(end);
        let b = &items[end];
        let (e, s) = (&self.sums[end], &self.sums[start]);
        let mut line = LineSums {
            width: e.width - s.width - b.hang_right - hang_left,
            stretch: e.stretch - s.stretch,
            shrink: e.shrink - s.shrink,
            fil: e.fil - s.fil,
            font_stretch: e.font_stretch - s.font_stretch,
            font_shrink: e.font_shrink - s.font_shrink,
        };
        if b.kind == Kind::Penalty {
            line.width += b.width;
            line.font_stretch += b.stretch;
            line.font_shrink += b.shrink;
        }
        line
    }
}

/// A feasible break found by a pass.
#[derive(Debug, Clone, Copy)]
struct Node {
    /// Item index of the break; `usize::MAX` for the paragraph start.
    at: usize,
    /// First item of the line after this break.
    start: usize,
    /// Margin hang of that line's first glyph.
    hang_left: f64,
    /// Predecessor in the arena.
    prev: Option<usize>,
    fitness: u8,
    /// How many lines in a row up to this break end with a flagged
    /// (hyphen) penalty, counted up to [`MAX_RUN`].
    run: u8,
    /// Per-space adjustment (ems) of the line ending here, NaN if none.
    adj: f64,
    total: f64,
}

/// A candidate line from a start to a breakpoint as a pass judges it:
/// all that does not depend on the state of the node it starts after.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    start: usize,
    /// Bits of the margin hang of the line's first glyph.
    hang_left: u64,
    sums: LineSums,
    /// Adjustment ratio, with the pass's extra stretch.
    r: f64,
    /// Within the pass's tolerance: `bad`, `even`, `adj`, `spaces` and
    /// `fit` are those of the line (else left at their defaults).
    feasible: bool,
    bad: f64,
    /// Evenness demerits and per-space adjustment (see
    /// [`evenness_demerits`]).
    even: f64,
    adj: f64,
    /// Adjustable spaces of the line.
    spaces: u32,
    fit: u8,
    /// Too loose for the pass even one em wider: so are the lines from
    /// every later start.
    too_loose: bool,
}

impl Candidate {
    fn new(
        items: &[Item],
        params: &Params,
        prefix: &Prefix,
        pass: &Pass,
        (start, hang_left): (usize, f64),
        b: usize,
    ) -> Candidate {
        let sums = prefix.line(items, start, b, hang_left);
        let mut stretched = sums;
        stretched.stretch += pass.extra_stretch;
        let r = ratio(&stretched, params);
        let spaces = prefix.spaces[b] - prefix.spaces[start.min(b)];
        let mut c = Candidate {
            start,
            hang_left: hang_left.to_bits(),
            sums,
            r,
            feasible: false,
            bad: 0.0,
            even: 0.0,
            adj: f64::NAN,
            spaces,
            fit: 0,
            too_loose: false,
        };
        if r >= -1.0 {
            let bad = badness(r);
            if bad <= pass.threshold {
                (c.even, c.adj) = evenness_demerits(params, &sums, || spaces);
                c.feasible = true;
                c.bad = bad;
                c.fit = fitness(r, bad);
            }
        }
        if r > 0.0 {
            let mut wider = stretched;
            wider.width += params.em;
            c.too_loose = badness(ratio(&wider, params)) > pass.threshold;
        }
        c
    }
}

/// Longest run of hyphenated lines the breaker tells apart: a longer run
/// costs the same per line as a run of this length.
const MAX_RUN: u8 = 2;
/// Breaker states per breakpoint: fitness class × hyphen run.
const STATES: usize = 4 * (MAX_RUN as usize + 1);

/// How strict one pass is.
struct Pass {
    threshold: f64,
    hyphenate: bool,
    /// Background stretch added to each line when judging it.
    extra_stretch: f64,
    /// The last pass: never fails.
    last: bool,
}

/// Where a window of a long paragraph starts: the state of the break
/// before it (see [`break_lines`]).
#[derive(Debug, Clone, Copy)]
struct Origin {
    hang_left: f64,
    fitness: u8,
    run: u8,
    adj: f64,
}

/// The result of one pass.
struct Chosen {
    /// The breaks: item index, and the state after it (for the next window).
    breaks: Vec<(usize, Origin)>,
    /// Whether the breaks make three or more hyphenated lines in a row.
    hyphen_run: bool,
}

/// Runs one Knuth–Plass pass; the chosen breaks, or `None` if no feasible
/// set of breaks exists at this tolerance.
///
/// With `open_end`, `items` is a window of a longer paragraph that goes on
/// past its end: no break is the paragraph's last, and the breaks chosen
/// are those of the best path to the furthest break reached.
fn knuth_plass(
    items: &[Item],
    params: &Params,
    prefix: &Prefix,
    pass: &Pass,
    origin: Origin,
    open_end: bool,
) -> Option<Chosen> {
    let mut nodes: Vec<Node> = Vec::with_capacity(items.len() / 4 + 8);
    nodes.push(Node {
        at: usize::MAX,
        // An indent or a leading marker is content: the first line starts
        // at item 0.
        start: 0,
        hang_left: origin.hang_left,
        prev: None,
        fitness: origin.fitness,
        run: origin.run,
        adj: origin.adj,
        total: 0.0,
    });
    let mut active: Vec<usize> = vec![0];
    let last_index = if open_end {
        usize::MAX
    } else {
        items.len() - 1
    };
    for b in 0..items.len() {
        if !is_legal(items, b, pass.hyphenate) {
            continue;
        }
        let item = &items[b];
        let forced = item.kind == Kind::Penalty && item.penalty <= -INFINITE_PENALTY;
        let flagged = item.kind == Kind::Penalty && item.flagged;
        // Best candidate per state (fitness class × hyphen run):
        // (demerits, predecessor). Keeping the run in the state lets a
        // slightly worse path without a hyphen survive next to the best
        // one, so a third hyphen in a row can be avoided later.
        let mut best: [(f64, usize, f64); STATES] = [(f64::INFINITY, 0, f64::NAN); STATES];
        let mut any = false;
        // (node, overflow, demerits) of the least overfull dropped line.
        let mut rescue: Option<(usize, f64, f64)> = None;
        // The line from the start last looked at: the nodes of one break
        // (its states) follow one another in `active` and share it.
        let mut line: Option<Candidate> = None;
        let mut k = 0;
        while k < active.len() {
            let a = active[k];
            let node = nodes[a];
            if node.start > b {
                // The line after this node has not begun yet.
                k += 1;
                continue;
            }
            let c = match line {
                Some(c) if c.start == node.start && c.hang_left == node.hang_left.to_bits() => c,
                _ => Candidate::new(items, params, prefix, pass, (node.start, node.hang_left), b),
            };
            line = Some(c);
            let remove = c.r < -1.0 || forced;
            if c.feasible {
                let d = node.total
                    + line_demerits(
                        &params.tuning,
                        c.bad,
                        item,
                        flagged,
                        node.run,
                        b == last_index,
                    );
                let mut d = d + c.even;
                if c.adj.is_finite() && node.adj.is_finite() {
                    let gap = c.adj - node.adj;
                    d += params.tuning.contrast * f64::from(c.spaces.max(1)) * gap * gap;
                }
                if params.justified && b == last_index && node.at != usize::MAX && c.spaces == 0 {
                    d += params.tuning.runt_demerits;
                }
                let d = if node.at != usize::MAX && c.fit.abs_diff(node.fitness) > 1 {
                    d + params.tuning.adj_demerits
                } else {
                    d
                };
                let run = if flagged {
                    (node.run + 1).min(MAX_RUN)
                } else {
                    0
                };
                let state = state_index(c.fit, run);
                if d < best[state].0 {
                    best[state] = (d, a, c.adj);
                    any = true;
                }
            }
            if remove {
                if pass.last && c.r < -1.0 {
                    // Remember the least overfull line that is being given up.
                    let sums = &c.sums;
                    let over = sums.width - sums.shrink - sums.font_shrink - params.measure;
                    if rescue.is_none_or(|(_, o, t)| over < o || (over == o && node.total < t)) {
                        rescue = Some((a, over, node.total));
                    }
                }
                // `remove`, not `swap_remove`: the order is what lets the
                // loop stop early.
                active.remove(k);
            } else {
                k += 1;
            }
            // `active` is in the order the nodes were made, so the lines
            // from the nodes after this one hold less: if this line is too
            // loose even one em wider (more than any margin hang can
            // differ), so are all of theirs, and none needs a look. This
            // keeps a long paragraph's passes to the few nodes about a
            // line back instead of every node in the line.
            if c.too_loose && !forced {
                break;
            }
        }
        // In the last pass, never let the active list run dry: keep the
        // least overfull of the lines just given up (TeX's "artificial
        // demerits"), so an overlong word sits alone on its line.
        if pass.last && !any && active.is_empty() {
            if let Some((a, _, total)) = rescue {
                let run = if flagged {
                    (nodes[a].run + 1).min(MAX_RUN)
                } else {
                    0
                };
                best[state_index(2, run)] = (total, a, f64::NAN);
                any = true;
            }
        }
        if any {
            // A state can win later by at most what the states cost
            // differently on the next lines: a fitness jump, a second or
            // third hyphen, a hyphen before the last line (TeX prunes with
            // the first only).
            let t = &params.tuning;
            let slack = t.adj_demerits
                + (t.double_hyphen_demerits + t.hyphen_run_demerits).max(t.final_hyphen_demerits);
            let min = best.iter().map(|c| c.0).fold(f64::INFINITY, f64::min);
            for (state, &(d, a, adj)) in best.iter().enumerate() {
                if d.is_finite() && d <= min + slack {
                    let (fitness, run) = state_of(state);
                    nodes.push(Node {
                        at: b,
                        start: line_start(items, b),
                        hang_left: item.hang_left,
                        prev: Some(a),
                        fitness,
                        run,
                        adj,
                        total: d,
                    });
                    active.push(nodes.len() - 1);
                }
            }
        }
        if active.is_empty() {
            return None;
        }
    }
    // The best node at the final break (in an open window, at the
    // furthest break reached).
    let mut best: Option<usize> = None;
    let end = if open_end {
        active
            .iter()
            .map(|&a| nodes[a].at)
            .filter(|&at| at != usize::MAX)
            .max()?
    } else {
        last_index
    };
    for &a in &active {
        if nodes[a].at == end && best.is_none_or(|b| nodes[a].total < nodes[b].total) {
            best = Some(a);
        }
    }
    let mut out = Vec::new();
    let mut cur = best?;
    let mut hyphen_run = false;
    while let Some(prev) = nodes[cur].prev {
        out.push(Chosen::state(&nodes[cur]));
        // Two breaks in a row that both end a run of two or more: the
        // later one ends a run of three or more.
        hyphen_run |= nodes[cur].run >= MAX_RUN && nodes[prev].run >= MAX_RUN;
        cur = prev;
    }
    out.reverse();
    Some(Chosen {
        breaks: out,
        hyphen_run,
    })
}

impl Chosen {
    /// A break and the state a window starting after it begins in.
    fn state(node: &Node) -> (usize, Origin) {
        (
            node.at,
            Origin {
                hang_left: node.hang_left,
                fitness: node.fitness,
                run: node.run,
                adj: node.adj,
            },
        )
    }
}

/// The evenness demerits (see [`EVENNESS`]) of a justified line with sums
/// `sums`; `spaces` counts its adjustable spaces. The adjustment is what
/// the line's spaces really get (measure minus natural width, less what
/// font expansion takes), also in the emergency pass, whose extra stretch
/// only helps compare awful lines.
fn evenness_demerits(params: &Params, sums: &LineSums, spaces: impl Fn() -> u32) -> (f64, f64) {
    let t = &params.tuning;
    // A line with fil glue (a paragraph's last) has natural spaces, unless
    // it is too long for that and must shrink: then they are as tight as
    // any other line's.
    if t.evenness == 0.0 || !params.justified || (sums.fil > 0.0 && sums.width <= params.measure) {
        return (0.0, f64::NAN);
    }
    // A line without spaces cannot be justified: its whole shortfall shows
    // as one gap at the end, so it counts as one space.
    let n = f64::from(spaces().max(1));
    // The part of the slack that font expansion takes does not reach the
    // spaces.
    let font = sums.font_delta(sums.split(ratio(sums, params)).font_ratio);
    let adj = (params.measure - sums.width - font) / n / params.em;
    let a = adj - t.evenness_center;
    let w = if a < 0.0 {
        t.evenness * t.evenness_tight
    } else {
        t.evenness
    };
    (w * n * a * a, adj)
}

/// Index into a breakpoint's states of fitness class `fit` and hyphen run `run`.
fn state_index(fit: u8, run: u8) -> usize {
    usize::from(run) * 4 + usize::from(fit)
}

/// Fitness class and hyphen run of a state index.
fn state_of(state: usize) -> (u8, u8) {
    ((state % 4) as u8, (state / 4) as u8)
}

/// TeX's demerits of one line with badness `bad` ending at `item`, after
/// `prev_run` hyphenated lines in a row.
fn line_demerits(
    t: &Tuning,
    bad: f64,
    item: &Item,
    flagged: bool,
    prev_run: u8,
    last: bool,
) -> f64 {
    let base = t.line_penalty + bad;
    let mut d = t.badness_weight * base * base;
    if item.kind == Kind::Penalty {
        let p = item.penalty;
        if p >= 0.0 {
            d += p * p;
        } else if p > -INFINITE_PENALTY {
            d -= p * p;
        }
    }
    if prev_run > 0 {
        if flagged {
            d += t.double_hyphen_demerits;
            if prev_run >= MAX_RUN {
                d += t.hyphen_run_demerits;
            }
        } else if last {
            d += t.final_hyphen_demerits;
        }
    }
    d
}

/// Paragraphs longer than this many items (about 1,500 words) are
/// broken a window at a time, so time and memory stay linear however long
/// a paragraph is: each window of [`WINDOW`] items is broken as if the
/// paragraph went on, its breaks in the first [`KEEP`] are kept, and the
/// next window starts after the last of them, in its state. The breaks a
/// window keeps were chosen with many lines still to come, so they are
/// those of the whole paragraph in all but rare cases.
const WINDOW: usize = 6_000;
/// The share of a window whose breaks are kept: the last tenth (some ten
/// lines) is set again at the start of the next window, enough lookahead
/// for the breaks kept to be those of the whole paragraph.
const KEEP: f64 = 0.9;

/// Chooses where the lines of a paragraph end. Items must end with a
/// forced break.
pub(crate) fn break_lines(items: &[Item], params: &Params) -> Vec<Break> {
    if items.is_empty() {
        return Vec::new();
    }
    debug_assert_eq!(LOOSENESS, 0);
    let mut origin = Origin {
        hang_left: params.start_hang,
        fitness: 2,
        run: 0,
        adj: f64::NAN,
    };
    let mut out = Vec::new();
    let mut start = 0;
    loop {
        let rest = items.len() - start;
        let open = rest > WINDOW + WINDOW / 2;
        let window = &items[start..if open { start + WINDOW } else { items.len() }];
        let prefix = Prefix::new(window);
        // A window of a long paragraph holds a hundred lines or more: the
        // first pass, which needs every one of them to set without a
        // hyphen, all but never succeeds there and is skipped.
        let windowed = open || start > 0;
        let chosen = choose(window, params, &prefix, origin, open, windowed);
        let keep = if open {
            let limit = (WINDOW as f64 * KEEP) as usize;
            // At least one line, so the windows move on.
            let n = chosen.iter().take_while(|(at, _)| *at < limit).count();
            n.max(1).min(chosen.len())
        } else {
            chosen.len()
        };
        let mut line_from = 0;
        let mut hang_left = origin.hang_left;
        for &(at, state) in &chosen[..keep] {
            let sums = prefix.line(window, line_from, at, hang_left);
            out.push(Break {
                at: start + at,
                ratio: ratio(&sums, params),
            });
            hang_left = window[at].hang_left;
            line_from = line_start(window, at);
            origin = state;
        }
        if !open || keep == 0 {
            break;
        }
        let next = start + line_from;
        if next <= start || next >= items.len() {
            break;
        }
        start = next;
    }
    out
}

/// Runs the passes on one window (or a whole paragraph): the first set of
/// breaks a pass finds, as (item, state after it).
fn choose(
    items: &[Item],
    params: &Params,
    prefix: &Prefix,
    origin: Origin,
    open_end: bool,
    skip_first: bool,
) -> Vec<(usize, Origin)> {
    let passes = [
        Pass {
            threshold: params.tuning.pretolerance,
            hyphenate: false,
            extra_stretch: 0.0,
            last: false,
        },
        Pass {
            threshold: params.tuning.tolerance,
            hyphenate: true,
            extra_stretch: 0.0,
            last: false,
        },
        Pass {
            threshold: LOOSE_TOLERANCE,
            hyphenate: true,
            extra_stretch: 0.0,
            last: false,
        },
        Pass {
            threshold: INF_BAD,
            hyphenate: true,
            extra_stretch: params.emergency_stretch,
            last: true,
        },
    ];
    let mut chosen: Option<Chosen> = None;
    for (n, pass) in passes.iter().enumerate() {
        // As in TeX, a negative pretolerance skips the first pass.
        if pass.threshold < 0.0 || (n == 0 && skip_first) {
            continue;
        }
        match knuth_plass(items, params, prefix, pass, origin, open_end) {
            // A set of breaks that needs three hyphens in a row counts as
            // failing this tolerance, like a line that is too loose: a
            // looser pass may avoid the run. The first such set is kept in
            // case none can.
            Some(c) if c.hyphen_run && !pass.last => {
                chosen = chosen.or(Some(c));
            }
            Some(c) => {
                if !(c.hyphen_run && chosen.is_some()) {
                    chosen = Some(c);
                }
                break;
            }
            None => {}
        }
    }
    chosen.map_or_else(
        || {
            vec![(
                items.len() - 1,
                Origin {
                    hang_left: 0.0,
                    ..origin
                },
            )]
        },
        |c| c.breaks,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words of the given widths separated by spaces of width 3, with
    /// paragraph-end fill.
    fn words(widths: &[f64]) -> Vec<Item> {
        let mut v = Vec::new();
        for (i, &w) in widths.iter().enumerate() {
            if i > 0 {
                v.push(Item::glue(3.0, 1.5, 1.0));
            }
            v.push(Item::boxed(w));
        }
        v.push(Item::penalty(0.0, INFINITE_PENALTY, false));
        let mut fill = Item::glue(0.0, 0.0, 0.0);
        fill.fil = 1.0;
        v.push(fill);
        v.push(Item::penalty(0.0, -INFINITE_PENALTY, false));
        v
    }

    #[test]
    fn font_expansion_shares_the_slack_and_the_glue_takes_the_rest() {
        // Two words of 40 (each may widen or narrow by 0.8) and one space
        // of 3 (stretch 1.5, shrink 1): 83 wide, 3.1 of stretch, 2.6 of shrink.
        let mut items = words(&[40.0, 40.0]);
        for it in items.iter_mut().filter(|i| i.kind == Kind::Box) {
            (it.stretch, it.shrink) = (0.8, 0.8);
        }
        let line = |measure: f64| {
            let sums = line_sums(&items, 0, 3, 0.0);
            let mut p = params(measure);
            p.justified = true;
            (sums, sums.split(ratio(&sums, &p)))
        };
        // Within the fonts' limit both follow one ratio.
        let (sums, s) = line(84.55);
        assert!((sums.font_stretch - 1.6).abs() < 1e-9);
        assert!((s.glue_ratio - 0.5).abs() < 1e-9 && (s.font_ratio - 0.5).abs() < 1e-9);
        let (_, s) = line(81.7);
        assert!((s.glue_ratio + 0.5).abs() < 1e-9 && (s.font_ratio + 0.5).abs() < 1e-9);
        // Beyond it the glyphs stop at their limit and the space opens by
        // the rest: 83 + 1.6 + 1.5·g = 89 gives g = 4.4/1.5.
        let (sums, s) = line(89.0);
        assert_eq!(s.font_ratio, 1.0);
        assert!((s.glue_ratio - 4.4 / 1.5).abs() < 1e-9, "{s:?}");
        let set = sums.width + s.glue_ratio * sums.stretch + s.font_ratio * sums.font_stretch;
        assert!((set - 89.0).abs() < 1e-9);
        // A last line (fil) stays natural.
        let sums = line_sums(&items, 0, items.len() - 1, 0.0);
        assert!(sums.fil > 0.0);
        let s = sums.split(ratio(&sums, &params(100.0)));
        assert_eq!((s.glue_ratio, s.font_ratio), (0.0, 0.0));
    }

    fn params(measure: f64) -> Params {
        Params {
            measure,
            line_stretch: 0.0,
            justified: true,
            start_hang: 0.0,
            emergency_stretch: 6.0,
            em: 10.0,
            tuning: Tuning::default(),
        }
    }

    #[test]
    fn lines_stay_within_tolerance() {
        let items = words(&[20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0]);
        let br = break_lines(&items, &params(44.0));
        for b in &br[..br.len() - 1] {
            assert!(b.ratio.abs() <= 1.0, "{br:?}");
        }
        assert_eq!(br.last().map(|b| b.at), Some(items.len() - 1));
    }

    #[test]
    fn overlong_word_still_breaks() {
        let items = words(&[10.0, 80.0, 10.0]);
        let br = break_lines(&items, &params(40.0));
        assert!(br.len() >= 2, "{br:?}");
        assert_eq!(br.last().map(|b| b.at), Some(items.len() - 1));
    }

    #[test]
    fn hyphenation_only_when_needed() {
        // Two words that fit loosely without hyphenation: the discretionary
        // is not used in the first pass.
        let mut items = vec![Item::boxed(20.0)];
        let mut h = Item::penalty(2.0, 50.0, true);
        h.hyphenation = true;
        items.push(h);
        items.push(Item::boxed(20.0));
        items.push(Item::glue(3.0, 1.5, 1.0));
        items.push(Item::boxed(20.0));
        let end = words(&[]);
        items.extend_from_slice(&end);
        let br = break_lines(&items, &params(43.0));
        assert_eq!(br.len(), 2);
        assert_eq!(br[0].at, 3);
    }

    /// Words of `per_word` 10pt syllables with a hyphenation point between
    /// each, spaced by 4pt glue; at a measure of `k` words and one syllable,
    /// every line but each `per_word`-th would naturally end inside a word.
    fn syllables(words: usize, per_word: usize) -> Vec<Item> {
        let mut v = Vec::new();
        for w in 0..words {
            if w > 0 {
                v.push(Item::glue(4.0, 2.0, 1.3));
            }
            for s in 0..per_word {
                if s > 0 {
                    let mut h = Item::penalty(2.0, 50.0, true);
                    h.hyphenation = true;
                    v.push(h);
                }
                v.push(Item::boxed(10.0));
            }
        }
        v.extend(words_end());
        v
    }

    /// The end of a paragraph: no break, fill glue, forced break.
    fn words_end() -> Vec<Item> {
        words(&[])
    }

    /// Lengths of the runs of consecutive lines ending at flagged breaks.
    fn hyphen_runs(items: &[Item], br: &[Break]) -> Vec<usize> {
        let mut runs = Vec::new();
        let mut run = 0;
        for b in br {
            if items[b.at].kind == Kind::Penalty && items[b.at].flagged {
                run += 1;
            } else {
                if run > 0 {
                    runs.push(run);
                }
                run = 0;
            }
        }
        runs
    }

    #[test]
    fn hyphen_runs_of_three_are_avoided() {
        let items = syllables(60, 4);
        // Five words and a syllable per line.
        let measure = 5.0 * 44.0 + 10.0 + 2.0;
        let mut p = params(measure);
        // Without the run demerits the natural rhythm wins: three
        // hyphenated lines, then one ending at a space.
        p.tuning.hyphen_run_demerits = 0.0;
        p.tuning.double_hyphen_demerits = 0.0;
        let loose = break_lines(&items, &p);
        assert!(
            hyphen_runs(&items, &loose).iter().any(|&r| r >= 3),
            "{:?}",
            hyphen_runs(&items, &loose)
        );
        // With them (the default), no run reaches three lines.
        let p = params(measure);
        let br = break_lines(&items, &p);
        let runs = hyphen_runs(&items, &br);
        assert!(runs.iter().all(|&r| r < 3), "{runs:?}");
        assert!(!runs.is_empty(), "hyphens are still used");
        // Every line still sets within the loose limit.
        for b in &br[..br.len() - 1] {
            assert!(b.ratio.abs() <= 2.0, "{br:?}");
        }
    }

    #[test]
    fn double_hyphen_demerits_make_pairs_rarer() {
        let mut items = syllables(60, 3);
        // Stretchier spaces, so that avoiding a pair is possible (at a
        // price) within the hyphenating pass's tolerance.
        for it in items
            .iter_mut()
            .filter(|i| i.kind == Kind::Glue && i.fil == 0.0)
        {
            it.stretch = it.stretch.max(3.0);
        }
        let measure = 5.0 * 34.0 + 10.0 + 2.0;
        let count_pairs = |dh: f64| {
            let mut p = params(measure);
            p.tuning.double_hyphen_demerits = dh;
            let br = break_lines(&items, &p);
            hyphen_runs(&items, &br)
                .iter()
                .map(|r| r.saturating_sub(1))
                .sum::<usize>()
        };
        let free = count_pairs(0.0);
        let costly = count_pairs(DOUBLE_HYPHEN_DEMERITS * 100.0);
        assert!(free > 0 && costly < free, "{free} {costly}");
    }

    #[test]
    fn an_unavoidable_run_keeps_the_best_spaced_breaks() {
        // One word and a syllable per line: every pass needs runs of
        // hyphens, so the first (tightest) set of breaks found is kept
        // rather than the emergency pass's looser one.
        let items = syllables(12, 4);
        let measure = 44.0 + 10.0 + 2.0;
        let br = break_lines(&items, &params(measure));
        assert!(hyphen_runs(&items, &br).iter().any(|&r| r >= 3));
        for b in &br[..br.len() - 1] {
            assert!(b.ratio.abs() <= 1.0, "{br:?}");
        }
    }
}
