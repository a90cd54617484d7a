//! The layout report: typographic defects found after pagination, each
//! with the page it is on and the source line it came from, so an author
//! can fix the text (or accept the defect) without leafing through the PDF.
//!
//! Built from the paginated body pages at the end of
//! [`typeset`](super::typeset); exposed as [`Typeset::report`](super::Typeset::report).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diag::Span;
use crate::model::Book;
use crate::typeset::flow::{IssueKind, Piece, Role, Slab};
use crate::typeset::frame::Item;
use crate::typeset::paginate::{BodyPage, KEEP_AFTER_HEADING};
use crate::units::Pt;

/// A run of this many consecutive hyphenated lines is reported.
pub const HYPHEN_RUN: usize = 3;

/// What kind of defect a report entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DefectKind {
    /// A line wider than the measure.
    Overfull,
    /// A line whose spaces are stretched far beyond their natural width
    /// (adjustment ratio above 2).
    Loose,
    /// Three or more consecutive lines ending in a hyphen.
    HyphenRun,
    /// The last line of a paragraph alone at the top of a page.
    Widow,
    /// The first line of a paragraph alone at the bottom of a page.
    Orphan,
    /// A heading at the foot of a page without two lines of what follows.
    HeadingAtFoot,
    /// Something that is not a line of text (a table, figure, code, a
    /// heading) reaching past the text block: below its last line or
    /// beyond the measure.
    Overflow,
}

impl DefectKind {
    /// Every kind, in report order.
    pub const ALL: [DefectKind; 7] = [
        DefectKind::Overfull,
        DefectKind::Loose,
        DefectKind::HyphenRun,
        DefectKind::Widow,
        DefectKind::Orphan,
        DefectKind::HeadingAtFoot,
        DefectKind::Overflow,
    ];

    /// The name used in JSON and messages.
    pub fn name(self) -> &'static str {
        match self {
            DefectKind::Overfull => "overfull",
            DefectKind::Loose => "loose",
            DefectKind::HyphenRun => "hyphen-run",
            DefectKind::Widow => "widow",
            DefectKind::Orphan => "orphan",
            DefectKind::HeadingAtFoot => "heading-at-foot",
            DefectKind::Overflow => "overflow",
        }
    }
}

/// One defect.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Defect {
    pub kind: DefectKind,
    /// 1-based page number in the PDF (as a viewer counts pages).
    pub page: usize,
    /// The folio printed on (or labelling) that page, e.g. `12`.
    pub folio: String,
    /// Source location as `file:line`; empty when unknown.
    pub location: String,
    /// Details, e.g. `by 3.2pt` or `3 lines`.
    pub detail: String,
}

/// Every defect of a layout, in page order, and how evenly it is spaced.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LayoutReport {
    pub defects: Vec<Defect>,
    pub spacing: Spacing,
}

/// Line-to-line contrast: how much the spacing of neighbouring justified
/// lines of a paragraph differs (a tight line next to a loose one makes
/// the page's colour uneven; the line breaker's contrast demerits keep it
/// low). Ratios are adjustment ratios: 0 natural spaces, 1 stretched by
/// their whole stretch, −1 shrunk by their whole shrink.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Spacing {
    /// Pairs of neighbouring justified lines compared.
    pub pairs: usize,
    /// Mean difference of their ratios.
    pub mean_contrast: f64,
    /// Pairs a fitness class apart or more in TeX's terms (a tight line
    /// beside a loose one, or a decent one beside a very loose one).
    pub clashes: usize,
}

/// TeX's fitness class of a line whose spaces have adjustment ratio `r`:
/// 0 tight, 1 decent, 2 loose, 3 very loose.
fn fitness(r: f32) -> i32 {
    if r < -0.5 {
        0
    } else if r <= 0.5 {
        1
    } else if r <= 1.0 {
        2
    } else {
        3
    }
}

impl LayoutReport {
    /// How many defects of one kind the layout has.
    pub fn count(&self, kind: DefectKind) -> usize {
        self.defects.iter().filter(|d| d.kind == kind).count()
    }

    /// The report as a JSON document:
    /// `{"defects":[{"kind":"widow","page":7,"folio":"3","location":"ch.md:12","detail":""}],"counts":{…}}`.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Json<'a> {
            defects: &'a [Defect],
            counts: BTreeMap<&'static str, usize>,
            spacing: Spacing,
        }
        let counts = DefectKind::ALL
            .iter()
            .map(|k| (k.name(), self.count(*k)))
            .collect();
        let json = Json {
            defects: &self.defects,
            counts,
            spacing: self.spacing,
        };
        serde_json::to_string_pretty(&json).expect("plain data always serializes")
    }
}

/// A body page as the report sees it.
pub(crate) struct ReportPage<'a> {
    /// 0-based index in the document.
    pub index: usize,
    pub folio: String,
    pub page: &'a BodyPage,
    /// Content of the same flow follows on a later page.
    pub more_follows: bool,
}

/// The text block a page's slabs must stay inside.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds {
    /// Width of the text block (slab x runs from 0 to it).
    pub measure: Pt,
    /// The last baseline of the page, from the page top.
    pub bottom: Pt,
    /// How far past those edges is still fine: margin kerning hangs
    /// punctuation out, descenders hang below the last baseline.
    pub tolerance: Pt,
}

/// How far `slab`, placed with its top at `y`, reaches past `bounds`, if
/// it does: (past the measure, past the foot).
fn overflow(slab: &Slab, y: Pt, bounds: &Bounds) -> Option<(Pt, Pt)> {
    let mut right = Pt::ZERO;
    let mut left = Pt::ZERO;
    for piece in &slab.pieces {
        let (x0, x1) = match piece {
            Piece::Item(Item::Text(run)) => {
                let x0 = run.glyphs.first().map_or(0.0, |g| g.x.0);
                // A plain loop: a fold with `max` keeps NaN rules this
                // does not need, and every glyph of the book comes here.
                let mut x1 = x0;
                for g in &run.glyphs {
                    let end = g.end().0;
                    if end > x1 {
                        x1 = end;
                    }
                }
                (Pt(x0), Pt(x1))
            }
            Piece::Item(Item::Rect(r)) => (r.x, r.x + r.width),
            Piece::Item(Item::Image(i)) => (i.x, i.x + i.width),
            Piece::Item(Item::Link(_) | Item::Tag(_)) | Piece::Link { .. } | Piece::Node(_) => {
                continue
            }
        };
        right = right.max(x1 - bounds.measure);
        left = left.max(-x0);
    }
    let wide = right.max(left);
    let deep = y + slab.height - bounds.bottom;
    let wide = if wide > bounds.tolerance {
        wide
    } else {
        Pt::ZERO
    };
    let deep = if deep > bounds.tolerance {
        deep
    } else {
        Pt::ZERO
    };
    (wide > Pt::ZERO || deep > Pt::ZERO).then_some((wide, deep))
}

/// The hyphenated lines of a paragraph met in a row so far, and the first.
#[derive(Default)]
struct HyphenRun {
    lines: usize,
    /// Page index and span of the run's first line.
    first: (usize, Span),
}

/// Finds the defects of laid-out body pages.
pub(crate) fn collect(pages: &[ReportPage<'_>], book: &Book, bounds: Bounds) -> LayoutReport {
    let mut report = LayoutReport::default();
    let mut push = |kind, p: &ReportPage<'_>, span: Span, detail: String| {
        report.defects.push(Defect {
            kind,
            page: p.index + 1,
            folio: p.folio.clone(),
            location: location(book, span),
            detail,
        });
    };
    // By paragraph number (numbers are dense, from 1): the run of
    // hyphenated lines under way, and the spacing of its justified lines.
    let mut runs: Vec<HyphenRun> = Vec::new();
    let mut spacings: Vec<Vec<f32>> = Vec::new();
    // Runs of HYPHEN_RUN or more: paragraph, page, first line, lines.
    let mut long_runs: Vec<(usize, usize, Span, usize)> = Vec::new();

    for (pi, p) in pages.iter().enumerate() {
        let body: Vec<_> = p.page.slabs.iter().filter(|s| !s.repeated).collect();
        for (y, placed) in body
            .iter()
            .map(|s| (s.y, &s.slab))
            .chain(p.page.notes.iter().map(|n| (n.y, &n.slab)))
        {
            let overfull = placed
                .issues()
                .iter()
                .any(|i| matches!(i.kind, IssueKind::Overfull(_)));
            if let (false, Some((wide, deep))) = (overfull, overflow(placed, y, &bounds)) {
                let detail = match (wide > Pt::ZERO, deep > Pt::ZERO) {
                    (true, true) => format!(
                        "{:.1}pt past the measure, {:.1}pt below the text block",
                        wide.0, deep.0
                    ),
                    (true, false) => format!("{:.1}pt past the measure", wide.0),
                    _ => format!("{:.1}pt below the text block", deep.0),
                };
                push(DefectKind::Overflow, p, placed.span, detail);
            }
            for issue in placed.issues() {
                let (kind, detail) = match issue.kind {
                    IssueKind::Overfull(by) => (DefectKind::Overfull, format!("by {:.1}pt", by.0)),
                    IssueKind::Loose(r) => (DefectKind::Loose, format!("ratio {r:.2}")),
                };
                push(kind, p, issue.span, detail);
            }
            if let Role::Line {
                par, hyphenated, ..
            } = placed.role
            {
                if runs.len() <= par {
                    runs.resize_with(par + 1, HyphenRun::default);
                    spacings.resize_with(par + 1, Vec::new);
                }
                let run = &mut runs[par];
                if hyphenated {
                    if run.lines == 0 {
                        run.first = (pi, placed.span);
                    }
                    run.lines += 1;
                } else {
                    if run.lines >= HYPHEN_RUN {
                        long_runs.push((par, run.first.0, run.first.1, run.lines));
                    }
                    run.lines = 0;
                }
                if let Some(r) = placed.spacing {
                    spacings[par].push(r);
                }
            }
        }
        if let Some(first) = body.first() {
            if let Role::Line { index, count, .. } = first.slab.role {
                if count > 1 && index + 1 == count {
                    push(DefectKind::Widow, p, first.slab.span, String::new());
                }
            }
        }
        if let Some(last) = body.last() {
            if let Role::Line {
                index: 0, count, ..
            } = last.slab.role
            {
                if count > 1 {
                    push(DefectKind::Orphan, p, last.slab.span, String::new());
                }
            }
        }
        if p.more_follows {
            let heading = body
                .iter()
                .rposition(|s| matches!(s.slab.role, Role::Heading { .. }));
            if let Some(h) = heading {
                let stranded = body.len() - h - 1 < KEEP_AFTER_HEADING;
                if stranded {
                    push(
                        DefectKind::HeadingAtFoot,
                        p,
                        body[h].slab.span,
                        String::new(),
                    );
                }
            }
        }
    }

    // A paragraph's last line ends its run too.
    for (par, run) in runs.iter().enumerate() {
        if run.lines >= HYPHEN_RUN {
            long_runs.push((par, run.first.0, run.first.1, run.lines));
        }
    }
    // In paragraph order, each paragraph's runs in reading order.
    long_runs.sort_by_key(|&(par, ..)| par);
    for (_, pi, span, lines) in long_runs {
        push(
            DefectKind::HyphenRun,
            &pages[pi],
            span,
            format!("{lines} lines"),
        );
    }
    let mut total = 0.0;
    for lines in &spacings {
        for pair in lines.windows(2) {
            report.spacing.pairs += 1;
            total += f64::from((pair[1] - pair[0]).abs());
            if (fitness(pair[1]) - fitness(pair[0])).abs() > 1 {
                report.spacing.clashes += 1;
            }
        }
    }
    if report.spacing.pairs > 0 {
        report.spacing.mean_contrast = total / report.spacing.pairs as f64;
    }
    report
        .defects
        .sort_by(|a, b| a.page.cmp(&b.page).then(a.kind.cmp(&b.kind)));
    report
}

/// `file:line` of a span.
fn location(book: &Book, span: Span) -> String {
    match crate::typeset::compose::locate(book, span) {
        Some(loc) => match loc.line() {
            Some(line) => format!("{}:{line}", loc.path.display()),
            None => loc.path.display().to_string(),
        },
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::SourceMap;
    use crate::model::Metadata;
    use crate::typeset::flow::Issue;

    /// A text block that nothing in these tests reaches past.
    const BOUNDS: Bounds = Bounds {
        measure: Pt(1.0e6),
        bottom: Pt(1.0e6),
        tolerance: Pt(1.0),
    };
    use crate::typeset::paginate::Placed;
    use crate::units::Pt;

    fn empty_book() -> Book {
        Book {
            meta: Metadata {
                title: String::new(),
                subtitle: None,
                authors: vec![],
                language: "en".into(),
                identifier: String::new(),
                date: None,
                modified_epoch: 0,
                publisher: None,
                rights: None,
                description: None,
                subjects: vec![],
                cover: None,
                toc_depth: 2,
                labels: Default::default(),
            },
            chapters: vec![],
            sources: SourceMap::default(),
            root: ".".into(),
        }
    }

    fn line(par: usize, index: usize, count: usize, hyphenated: bool) -> Placed {
        Placed {
            y: Pt::ZERO,
            slab: Box::new(Slab::new(
                Pt(12.0),
                Role::Line {
                    par,
                    index,
                    count,
                    hyphenated,
                },
                Span::default(),
            )),
            repeated: false,
        }
    }

    #[test]
    fn counts_every_kind_of_defect() {
        let mut overfull = line(1, 0, 6, true);
        overfull.slab.more_mut().issues.push(Issue {
            kind: IssueKind::Overfull(Pt(3.0)),
            span: Span::default(),
        });
        let mut loose = line(1, 1, 6, true);
        loose.slab.more_mut().issues.push(Issue {
            kind: IssueKind::Loose(2.5),
            span: Span::default(),
        });
        let page1 = BodyPage {
            slabs: vec![
                overfull,
                loose,
                line(1, 2, 6, true),
                line(1, 3, 6, false),
                // Three hyphenated lines in a row make one run; a lone one does not.
                line(1, 4, 6, true),
                line(2, 0, 3, false),
            ],
            ..BodyPage::default()
        };
        let page2 = BodyPage {
            slabs: vec![
                line(2, 1, 3, true),
                line(2, 2, 3, false),
                Placed {
                    y: Pt::ZERO,
                    slab: Box::new(Slab::new(
                        Pt(24.0),
                        Role::Heading {
                            level: 2,
                            title: "H".into(),
                        },
                        Span::default(),
                    )),
                    repeated: false,
                },
            ],
            ..BodyPage::default()
        };
        let page3 = BodyPage {
            slabs: vec![line(3, 4, 5, false)],
            ..BodyPage::default()
        };
        let pages = [
            ReportPage {
                index: 4,
                folio: "1".into(),
                page: &page1,
                more_follows: true,
            },
            ReportPage {
                index: 5,
                folio: "2".into(),
                page: &page2,
                more_follows: true,
            },
            ReportPage {
                index: 6,
                folio: "3".into(),
                page: &page3,
                more_follows: false,
            },
        ];
        let r = collect(&pages, &empty_book(), BOUNDS);
        assert_eq!(r.count(DefectKind::Overfull), 1);
        assert_eq!(r.count(DefectKind::Loose), 1);
        assert_eq!(r.count(DefectKind::HyphenRun), 1);
        assert_eq!(r.count(DefectKind::Orphan), 1);
        assert_eq!(r.count(DefectKind::HeadingAtFoot), 1);
        assert_eq!(r.count(DefectKind::Widow), 1);
        let run = r
            .defects
            .iter()
            .find(|d| d.kind == DefectKind::HyphenRun)
            .unwrap();
        assert_eq!((run.page, run.detail.as_str()), (5, "3 lines"));
        let widow = r
            .defects
            .iter()
            .find(|d| d.kind == DefectKind::Widow)
            .unwrap();
        assert_eq!(widow.folio, "3");
    }

    #[test]
    fn json_escapes_and_counts() {
        let r = LayoutReport {
            defects: vec![Defect {
                kind: DefectKind::Widow,
                page: 3,
                folio: "1".into(),
                location: "a \"b\".md:2".into(),
                detail: String::new(),
            }],
            spacing: Spacing {
                pairs: 2,
                mean_contrast: 0.5,
                clashes: 1,
            },
        };
        let j: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(j["defects"][0]["kind"], "widow");
        assert_eq!(j["defects"][0]["location"], "a \"b\".md:2");
        assert_eq!(j["counts"]["widow"], 1);
        assert_eq!(j["counts"]["orphan"], 0);
        assert_eq!(j["spacing"]["clashes"], 1);
    }

    #[test]
    fn neighbouring_lines_of_a_paragraph_are_compared_across_pages() {
        let spaced = |par, index, r| {
            let mut l = line(par, index, 9, false);
            l.slab.spacing = Some(r);
            l
        };
        // Paragraph 1: tight (−0.8) beside loose (0.8) is a clash, then
        // two decent lines across the page break; paragraph 2 has one
        // justified line, nothing to compare.
        let page1 = BodyPage {
            slabs: vec![spaced(1, 0, -0.8), spaced(1, 1, 0.8), spaced(1, 2, 0.4)],
            ..BodyPage::default()
        };
        let page2 = BodyPage {
            slabs: vec![spaced(1, 3, 0.2), line(1, 4, 5, false), spaced(2, 0, 3.0)],
            ..BodyPage::default()
        };
        let pages = [
            ReportPage {
                index: 0,
                folio: "1".into(),
                page: &page1,
                more_follows: true,
            },
            ReportPage {
                index: 1,
                folio: "2".into(),
                page: &page2,
                more_follows: false,
            },
        ];
        let r = collect(&pages, &empty_book(), BOUNDS);
        assert_eq!(r.spacing.pairs, 3);
        assert_eq!(r.spacing.clashes, 1);
        assert!((r.spacing.mean_contrast - (1.6 + 0.4 + 0.2) / 3.0).abs() < 1e-6);
    }
}
