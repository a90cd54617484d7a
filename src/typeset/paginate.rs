//! Pagination: a chapter's [`Flow`] → pages of placed slabs and notes.
//!
//! Pages are filled greedily on the baseline grid: slabs are added while
//! they (and the footnotes they cite) fit, and the page ends at the last
//! legal break before the first slab that does not. Legal breaks are the
//! breakable spaces the composer put in, so widow/orphan control and
//! keeping headings with what follows are decided there; here a page
//! breaks elsewhere only when no legal break exists (the report then
//! names the defect). Footnotes go to the foot of the page whose line
//! cites them; a long note may split, the rest continuing on the next
//! page's foot before that page's own notes. A table continuing on a new
//! page gets its head again. Facing pages end on the same line: when a
//! verso comes out a line or two short (a widow avoided), the facing recto
//! is tried at the same height; when the recto would come out short, the
//! verso is tried that much shorter first, so the spread's bottom lines
//! match either way.

use crate::typeset::compose::{ceil_to, THIN_RULE};
use crate::typeset::flow::{BlockId, Elem, Flow, Geometry, Piece, Role, Slab, EPS};
use crate::typeset::frame::Rect;
use crate::typeset::tagging::SlabPlace;
use crate::units::Pt;

/// Space between the last body baseline and the top of the notes, in
/// body leadings: room for the descenders, the rule and air.
const NOTE_SEPARATION: f64 = 1.0;
/// The note rule sits this many leadings above the notes' top.
const NOTE_RULE_RAISE: f64 = 0.15;
/// The note rule is this fraction of the measure long.
const NOTE_RULE_FRACTION: f64 = 0.3;
/// A note that must split keeps at least this many of its lines on the
/// citing page.
const NOTE_MIN_LINES: usize = 2;
/// A note that must split keeps at least this share of the room below
/// its citing line, so the text does not crowd it down to two lines.
const NOTE_SPLIT_SHARE: f64 = 0.5;
/// Notes continued from the previous page take at most this fraction of
/// a page, so the page still has room for text.
const CARRY_SHARE: f64 = 0.5;
/// A heading keeps this many slabs (lines) of what follows on its page.
pub(crate) const KEEP_AFTER_HEADING: usize = 2;
/// Facing pages are balanced only when the short page of the spread is
/// short by at most this many lines.
const BALANCE_MAX_LINES: f64 = 2.0;

/// A slab placed on a page: `y` is the absolute top of the slab.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Placed {
    pub y: Pt,
    /// Boxed as in the flow, so a slab moves onto its page without being
    /// copied into memory of another size (a 3,750-page chapter's slabs
    /// would take that much again while the pages are built).
    pub slab: Box<Slab>,
    /// A repeated table head (not part of the flow's own order).
    pub repeated: bool,
}

/// One page of a flow, before margins, heads and folios are added.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct BodyPage {
    pub slabs: Vec<Placed>,
    pub notes: Vec<Placed>,
    /// The short rule above the notes.
    pub rule: Option<Rect>,
    /// The running-head title in force on this page.
    pub title: Option<String>,
    /// The page opens a chapter (holds a level-1 heading): no running head.
    pub opening: bool,
    /// No legal break was found: the page broke where it had to.
    pub forced: bool,
    /// An empty page (inserted so a chapter can open on a recto).
    pub blank: bool,
}

impl BodyPage {
    /// Every slab of the page with its pieces in page coordinates (the
    /// text block's left edge at `x0`), body before notes, and the rule
    /// above the notes. Consumes the page.
    pub fn into_slabs(self, x0: Pt) -> (Vec<SlabPieces>, Option<Rect>) {
        let notes = self.notes.into_iter().map(|p| (p, SlabPlace::Note));
        let slabs = self
            .slabs
            .into_iter()
            .map(|p| {
                let place = if p.repeated {
                    SlabPlace::Repeated
                } else {
                    SlabPlace::Body
                };
                (p, place)
            })
            .chain(notes)
            .map(|(placed, place)| {
                let mut slab = placed.slab;
                let mut pieces = std::mem::take(&mut slab.pieces);
                for piece in &mut pieces {
                    crate::typeset::flow::shift_piece(piece, x0, placed.y);
                }
                SlabPieces {
                    place,
                    notes: slab.take_more().notes,
                    role: slab.role,
                    node: slab.node,
                    pieces,
                }
            })
            .collect();
        let rule = self.rule.map(|mut rule| {
            rule.x += x0;
            rule
        });
        (slabs, rule)
    }
}

/// Adds `by` to the paragraph number of every line of `pages` (pages
/// paginated before, now after a different number of paragraphs).
pub(crate) fn renumber_pages(pages: &mut [BodyPage], by: isize) {
    crate::typeset::compose::renumber(
        pages
            .iter_mut()
            .flat_map(|p| p.slabs.iter_mut().chain(p.notes.iter_mut()))
            .map(|placed| &mut *placed.slab),
        by,
    );
}

/// One slab of a finished page: where it sits, what it is, what it draws.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SlabPieces {
    pub place: SlabPlace,
    pub role: Role,
    /// The structure node of the slab's flow it belongs to.
    pub node: Option<BlockId>,
    /// Notes first cited on the slab.
    pub notes: Vec<usize>,
    pub pieces: Vec<Piece>,
}

/// Which slab a page holds: one of the flow or a repeated table head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SlabRef {
    Elem(usize),
    Head(usize),
}

/// The outcome of filling one page from some point of the flow.
#[derive(Debug, Clone)]
struct Trial {
    /// Slabs with their top relative to the page origin.
    placed: Vec<(Pt, SlabRef)>,
    /// Notes first cited on the page, in order.
    notes: Vec<usize>,
    /// Where the next page starts.
    end: usize,
    /// Body height used (the last baseline, relative to the origin).
    cursor: Pt,
    forced: bool,
    /// The page ended at an explicit page break or the end of the flow.
    natural_end: bool,
}

/// Cuts a flow into pages. `first_is_recto` tells whether the first page
/// is a right-hand page (for balancing spreads).
/// The flow is consumed: its slabs move onto the pages.
pub(crate) fn paginate(flow: Flow, geo: &Geometry, first_is_recto: bool) -> Vec<BodyPage> {
    Paginator::new(flow, geo).run(first_is_recto)
}

struct Paginator<'f> {
    flow: Flow,
    geo: &'f Geometry,
    sep: Pt,
}

impl<'f> Paginator<'f> {
    fn new(flow: Flow, geo: &'f Geometry) -> Self {
        Paginator {
            flow,
            geo,
            sep: geo.leading * NOTE_SEPARATION,
        }
    }

    fn slab(&self, r: SlabRef) -> Option<&Slab> {
        match r {
            SlabRef::Elem(i) => match self.flow.elems.get(i) {
                Some(Elem::Slab(s)) => Some(s),
                _ => None,
            },
            SlabRef::Head(t) => self.flow.table_heads.get(t),
        }
    }

    fn note_height(&self, note: usize) -> Pt {
        self.flow
            .notes
            .get(note)
            .map_or(Pt::ZERO, |n| n.iter().map(|s| s.height).sum())
    }

    fn note_min(&self, note: usize) -> Pt {
        self.flow.notes.get(note).map_or(Pt::ZERO, |n| {
            n.iter().take(NOTE_MIN_LINES).map(|s| s.height).sum()
        })
    }

    /// How much of a note that may split must stay on its citing page:
    /// its first lines, or a share of the room left below the citing line
    /// if that is more, in whole note lines.
    fn split_min(&self, note: usize, room: Pt) -> Pt {
        let full = self.note_height(note);
        let target = self.note_min(note).max(room * NOTE_SPLIT_SHARE);
        if target >= full {
            return full;
        }
        let mut kept = Pt::ZERO;
        for (k, s) in self.flow.notes.get(note).into_iter().flatten().enumerate() {
            if k >= NOTE_MIN_LINES && kept + s.height > target {
                break;
            }
            kept += s.height;
        }
        kept
    }

    /// Room the notes need below the body: all but the last in full, the
    /// last at least `last_min`, plus what is reserved for notes continued
    /// from the previous page.
    fn note_need(&self, notes: &[usize], reserve: Pt, last_min: Pt) -> Pt {
        if notes.is_empty() && reserve.0 <= EPS {
            return Pt::ZERO;
        }
        let mut need = self.sep + reserve;
        if let Some((_, rest)) = notes.split_last() {
            need += rest.iter().map(|&n| self.note_height(n)).sum::<Pt>();
            need += last_min;
        }
        need
    }

    /// Fills one page from `start` with at most `cap` of height.
    fn fill(&self, start: usize, cap: Pt, carry: Pt) -> Trial {
        let elems = &self.flow.elems;
        let reserve = carry.min(cap * CARRY_SHARE);
        let mut placed: Vec<(Pt, SlabRef)> = Vec::new();
        let mut notes: Vec<usize> = Vec::new();
        let mut cursor = Pt::ZERO;
        let mut body = 0usize;
        let mut prev_slab = false;
        // Slabs placed since the last heading: a heading keeps at least
        // two of what follows it on its page.
        let mut since_heading: Option<usize> = None;
        // The part of the last note that must stay on this page.
        let mut last_min = Pt::ZERO;
        // (end, placed, notes, cursor) at the last legal break.
        let mut last_cut: Option<(usize, usize, usize, Pt)> = None;

        if let Some(Elem::Slab(first)) = elems.get(start) {
            if let Role::TableRow { table } = &first.role {
                if let Some(head) = self.flow.table_heads.get(*table) {
                    placed.push((Pt::ZERO, SlabRef::Head(*table)));
                    cursor = head.height;
                }
            }
        }
        let done = |placed, notes, end, cursor, forced, natural_end| Trial {
            placed,
            notes,
            end,
            cursor,
            forced,
            natural_end,
        };

        let mut i = start;
        while i < elems.len() {
            match &elems[i] {
                Elem::Slab(s) => {
                    let top = cursor;
                    let bottom = cursor + s.height;
                    let mut with: Vec<usize> = notes.clone();
                    for &n in s.notes() {
                        if !with.contains(&n) {
                            with.push(n);
                        }
                    }
                    let with_min = match with.split_last() {
                        Some((&last, rest)) if with.len() > notes.len() => {
                            let rest: Pt = rest.iter().map(|&n| self.note_height(n)).sum();
                            self.split_min(last, cap - bottom - self.sep - reserve - rest)
                        }
                        _ => last_min,
                    };
                    let need = self.note_need(&with, reserve, with_min);
                    if bottom + need <= cap + Pt(EPS) {
                        placed.push((top, SlabRef::Elem(i)));
                        notes = with;
                        last_min = with_min;
                        cursor = bottom;
                        body += 1;
                        prev_slab = true;
                        since_heading = match (&s.role, since_heading) {
                            (Role::Heading { .. }, _) => Some(0),
                            (_, Some(n)) if n + 1 < KEEP_AFTER_HEADING => Some(n + 1),
                            _ => None,
                        };
                    } else if let Some((end, p, n, c)) = last_cut.filter(|c| c.1 > 0 && body > 0) {
                        placed.truncate(p);
                        notes.truncate(n);
                        return done(placed, notes, end, c, false, false);
                    } else if body > 0 {
                        return done(placed, notes, i, cursor, true, false);
                    } else {
                        // Nothing fits on an empty page: set it anyway.
                        placed.push((top, SlabRef::Elem(i)));
                        return done(placed, with, i + 1, bottom, true, false);
                    }
                }
                Elem::Space { height, breakable } => {
                    if *breakable && prev_slab && since_heading.is_none() {
                        last_cut = Some((i, placed.len(), notes.len(), cursor));
                    }
                    cursor += *height;
                    prev_slab = false;
                }
                Elem::Snap => cursor = ceil_to(cursor, self.geo.leading),
            }
            i += 1;
        }
        let end_cursor = last_slab_bottom(&placed, self);
        done(placed, notes, elems.len(), end_cursor, false, true)
    }

    fn run(mut self, first_is_recto: bool) -> Vec<BodyPage> {
        let len = self.flow.elems.len();
        let cap = self.geo.capacity();
        let mut pages: Vec<BodyPage> = Vec::new();
        let mut carry: Vec<Slab> = Vec::new();
        let mut title: Option<String> = None;
        let mut short_verso: Option<Pt> = None;
        // The next page, when balancing a spread already filled it.
        let mut next: Option<Trial> = None;
        let mut i = 0;
        loop {
            i = self.page_start(i);
            if i >= len && carry.is_empty() {
                break;
            }
            let carry_h: Pt = carry.iter().map(|s| s.height).sum();
            let recto = first_is_recto == pages.len().is_multiple_of(2);
            let mut trial = next.take();
            if let (None, true, Some(short), true) = (&trial, recto, short_verso, carry.is_empty())
            {
                let t = self.fill(i, cap - short, carry_h);
                if self.fills(&t, cap - short) {
                    trial = Some(t);
                }
            }
            let mut t = match trial {
                Some(t) => t,
                None if i < len => self.fill(i, cap, carry_h),
                None => Trial {
                    placed: Vec::new(),
                    notes: Vec::new(),
                    end: i,
                    cursor: Pt::ZERO,
                    forced: false,
                    natural_end: true,
                },
            };
            short_verso = None;
            if !recto && self.balanceable(&t) && carry.is_empty() {
                let short = cap - t.cursor;
                if short.0 <= EPS {
                    // A full verso: its recto decides the spread's height.
                    let (verso, recto) = self.spread(i, t);
                    t = verso;
                    next = Some(recto);
                } else if short <= self.geo.leading * BALANCE_MAX_LINES + Pt(EPS) {
                    short_verso = Some(short);
                }
            }
            let page = self.build(&t, &mut carry, &mut title);
            pages.push(page);
            i = t.end;
        }
        pages
    }

    /// The first element at or after `i` that can begin a page (spaces,
    /// grid snaps and page breaks at the top of a page are dropped).
    fn page_start(&self, mut i: usize) -> usize {
        while matches!(
            self.flow.elems.get(i),
            Some(Elem::Space { .. } | Elem::Snap)
        ) {
            i += 1;
        }
        i
    }

    /// Whether a page's height may be changed to balance a spread: it
    /// broke at a legal break inside the flow and has no notes (whose
    /// placement would change with the height).
    fn balanceable(&self, t: &Trial) -> bool {
        !t.forced && !t.natural_end && t.notes.is_empty()
    }

    /// Whether trial `t` may stand on a page of a balanced spread whose
    /// text ends at `height`: balanceable and filled to that height.
    fn fills(&self, t: &Trial, height: Pt) -> bool {
        self.balanceable(t) && t.cursor + Pt(EPS) >= height
    }

    /// The spread of a full verso `verso` starting at `start`, as (verso,
    /// recto): when the recto would come out short by a line or two, both
    /// refilled at the recto's height if both then end there; otherwise
    /// the verso as it is and its recto at full height.
    fn spread(&self, start: usize, verso: Trial) -> (Trial, Trial) {
        let cap = self.geo.capacity();
        let recto = self.fill(self.page_start(verso.end), cap, Pt::ZERO);
        let short = cap - recto.cursor;
        if !self.balanceable(&recto)
            || short.0 <= EPS
            || short > self.geo.leading * BALANCE_MAX_LINES + Pt(EPS)
        {
            return (verso, recto);
        }
        let height = cap - short;
        let shorter = self.fill(start, height, Pt::ZERO);
        let facing = self.fill(self.page_start(shorter.end), height, Pt::ZERO);
        if self.fills(&shorter, height) && self.fills(&facing, height) {
            (shorter, facing)
        } else {
            (verso, recto)
        }
    }

    /// Turns a trial into a page, placing its notes (and the carry).
    fn build(&mut self, t: &Trial, carry: &mut Vec<Slab>, title: &mut Option<String>) -> BodyPage {
        let geo = self.geo;
        let cap = geo.capacity();
        let mut page = BodyPage {
            // Exactly: the slabs leave their boxes for this vector, and
            // a long chapter's pages hold them all until they are written.
            slabs: Vec::with_capacity(t.placed.len()),
            ..BodyPage::default()
        };
        for &(top, r) in &t.placed {
            // Slabs of the flow move onto the page (the paginator never
            // looks behind the page it builds); table heads are copied.
            let slab = match r {
                SlabRef::Elem(i) => match self
                    .flow
                    .elems
                    .get_mut(i)
                    .map(|e| std::mem::replace(e, Elem::Snap))
                {
                    Some(Elem::Slab(s)) => s,
                    _ => continue,
                },
                SlabRef::Head(_) => match self.slab(r) {
                    Some(s) => Box::new(s.clone()),
                    None => continue,
                },
            };
            if let Role::Heading { level: 1, title: t } = &slab.role {
                *title = Some(t.clone());
                page.opening = true;
            }
            page.slabs.push(Placed {
                y: geo.origin() + top,
                slab,
                repeated: matches!(r, SlabRef::Head(_)),
            });
        }
        page.title = title.clone();
        page.forced = t.forced;

        // Notes: the carry first, as much as leaves room for this page's
        // own notes; then the new notes, the last of which may split.
        let available = cap - t.cursor - self.sep;
        let min = t.notes.last().map_or(Pt::ZERO, |&n| self.note_min(n));
        let need_new = self.note_need(&t.notes, Pt::ZERO, min);
        let need_new = if t.notes.is_empty() {
            Pt::ZERO
        } else {
            need_new - self.sep
        };
        let mut queue: Vec<Slab> = Vec::new();
        let carry_room = (available - need_new).max(Pt::ZERO);
        let mut used = Pt::ZERO;
        let mut taken = 0;
        for s in carry.iter() {
            if used + s.height <= carry_room + Pt(EPS) || (taken == 0 && t.placed.is_empty()) {
                used += s.height;
                taken += 1;
            } else {
                break;
            }
        }
        let mut rest: Vec<Slab> = std::mem::take(carry);
        let placed_carry: Vec<Slab> = rest.drain(..taken).collect();
        queue.extend(placed_carry);
        let mut overflow: Vec<Slab> = rest;
        for &n in &t.notes {
            let note = self
                .flow
                .notes
                .get_mut(n)
                .map(std::mem::take)
                .unwrap_or_default();
            for s in note {
                if overflow.is_empty()
                    && (used + s.height <= available + Pt(EPS) || queue.is_empty())
                {
                    used += s.height;
                    queue.push(s.clone());
                } else {
                    overflow.push(s.clone());
                }
            }
        }
        *carry = overflow;
        if !queue.is_empty() {
            let total: Pt = queue.iter().map(|s| s.height).sum();
            let mut y = geo.last_baseline() - total;
            // The rule starts where the notes' lines start.
            let width = geo.measure * NOTE_RULE_FRACTION;
            page.rule = Some(Rect {
                x: if geo.rtl {
                    geo.measure - width
                } else {
                    Pt::ZERO
                },
                y: y - geo.leading * NOTE_RULE_RAISE,
                width,
                height: THIN_RULE,
                gray: 0.0,
            });
            for s in queue {
                let h = s.height;
                page.notes.push(Placed {
                    y,
                    slab: Box::new(s),
                    repeated: false,
                });
                y += h;
            }
        }
        page
    }
}

/// Bottom of the last placed slab (relative to the origin).
fn last_slab_bottom(placed: &[(Pt, SlabRef)], p: &Paginator<'_>) -> Pt {
    placed
        .last()
        .and_then(|&(top, r)| p.slab(r).map(|s| top + s.height))
        .unwrap_or(Pt::ZERO)
}
