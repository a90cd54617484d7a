//! Front matter: the title page, its verso (rights and imprint) and the
//! contents, whose entries carry dot leaders, right-aligned page numbers
//! and links to their headings.
//!
//! The contents is composed as a [`Flow`] and paginated like a chapter;
//! the page numbers it prints are passed in by
//! [`typeset`](super::typeset) once the body has been paginated. Its
//! structure is its title (H1), then a TOC of one TOCI per entry, whose
//! Link holds the entry's text, page number and link; the leader dots are
//! decoration. In a right-to-left book it is mirrored: entries start at the
//! right, the page numbers stand in a column on the left, the leaders run
//! between.

use crate::diag::Span;
use crate::labels::Label;
use crate::model::Metadata;
use crate::toc::{Toc, TocEntry};
use crate::typeset::compose::{Composer, Ctx, Marking, ParBuilder, LINK_ASCENT, LINK_DESCENT};
use crate::typeset::flow::{Elem, Flow, LinkRef, Owner, Piece, Role, Slab};
use crate::typeset::fonts::Face;
use crate::typeset::frame::{Glyph, Item, Rect, StructKind, TextRun};
use crate::typeset::paginate::{BodyPage, Placed};
use crate::typeset::paragraph::{Alignment, TextStyle};
use crate::units::Pt;

/// Nested contents entries are indented by this many ems per level.
const CONTENTS_INDENT: f64 = 1.5;
/// Continuation lines of a long entry are indented this many ems.
const CONTENTS_HANG: f64 = 1.0;
/// Entry labels stop at least this many ems before the page numbers, so
/// a leader of a few dots is always visible.
const LEADER_ROOM: f64 = 2.5;
/// Distance between leader dots, in ems.
const LEADER_PITCH: f64 = 0.6;
/// Space between a label or number and the nearest leader dot, in ems.
const LEADER_GAP: f64 = 0.4;
/// Grey of the leader dots: lighter than the text so they guide, not shout.
const LEADER_GRAY: f32 = 0.35;
/// Space before a top-level entry when the contents has nested entries,
/// in leadings.
const GROUP_SPACE: f64 = 0.5;
/// The title starts this far down the text block (fraction of its height).
const TITLE_DROP: f64 = 0.2;
/// Sizes on the title page relative to the body size.
const TITLE_SCALE: f64 = 2.4;
const SUBTITLE_SCALE: f64 = 1.35;
const AUTHOR_SCALE: f64 = 1.25;
/// Line height of title-page text relative to its size.
const TITLE_LINE: f64 = 1.2;
/// Space above the subtitle and above the authors, in body leadings.
const SUBTITLE_DROP: f64 = 2.0;
const AUTHOR_DROP: f64 = 3.0;
/// Imprint text on the title verso relative to the body size.
const IMPRINT_SCALE: f64 = 0.85;

/// Composes the contents: a chapter-style heading and one entry per TOC
/// entry; `number` gives the printed page number of an entry's target.
pub(crate) fn contents_flow(
    c: &mut Composer<'_>,
    toc: &Toc,
    number: &dyn Fn(&TocEntry) -> String,
) -> Flow {
    c.begin_flow();
    let mut flow = Flow::default();
    let title = c.book.meta.labels.get(Label::Contents).to_string();
    let heading = c.add_node(StructKind::Heading(1), None);
    c.structure_mut(heading).title = Some(title.clone());
    let (mut head, baselines) = c.chapter_head(&title, &[], None, Span::default());
    head.node = Some(heading);
    c.push_tall(head, &baselines, &mut flow.elems);
    let toc_node = c.add_node(StructKind::TOC, None);

    let ctx = c.body_ctx();
    let rtl = ctx.rtl;
    let size = ctx.size;
    let lead = ctx.leading;
    let measure = c.geo.measure;
    let entries = toc.flatten();
    let nested = entries.iter().any(|(d, _)| *d > 0);
    let numbers: Vec<String> = entries.iter().map(|(_, e)| number(e)).collect();
    let number_width = numbers
        .iter()
        .map(|n| c.fonts.width(n, Face::Regular, size))
        .fold(Pt::ZERO, Pt::max);
    // Leader dots sit on one grid measured from the number column, so
    // they line up down the page.
    let column = measure - number_width - size * LEADER_GAP;
    let pitch = size * LEADER_PITCH;
    // One run: the book face has a full stop.
    let dot = c
        .fonts
        .run(".", Face::Regular, size, Pt::ZERO, Pt::ZERO, LEADER_GRAY)
        .into_iter()
        .next();
    // Its width at full precision (a run's glyphs keep theirs in single).
    let dot_width = c.fonts.width(".", Face::Regular, size);

    for (k, ((depth, entry), num)) in entries.iter().zip(&numbers).enumerate() {
        if k > 0 {
            let space = if nested && *depth == 0 {
                lead * GROUP_SPACE
            } else {
                Pt::ZERO
            };
            // A chapter's entry stays with its first section's.
            let after_chapter = entries[k - 1].0 == 0 && *depth > 0;
            flow.elems.push(Elem::Space {
                height: space,
                breakable: !after_chapter,
            });
        }
        let indent = size * CONTENTS_INDENT * *depth as f64;
        // Lines after the first of a long entry hang in by an em.
        let hang = size * CONTENTS_HANG;
        let (start, end) = (indent + hang, number_width + size * LEADER_ROOM);
        let inner = Ctx {
            left: if rtl { end } else { start },
            right: if rtl { start } else { end },
            top: false,
            ..ctx
        };
        let mut pb = ParBuilder::default();
        let style = TextStyle {
            face: Face::Regular,
            size,
            gray: 0.0,
            rise: Pt::ZERO,
        };
        pb.text(&entry.label, style, Marking::default(), Span::default());
        let mut lines = c.lines_indented(&pb, &inner, Alignment::Left, -hang);
        let target = match &entry.id {
            Some(id) => LinkRef::Anchor(id.clone()),
            None => LinkRef::Chapter(entry.chapter),
        };
        let item = c.add_node(StructKind::TOCI, Some(toc_node));
        let link = c.add_node(StructKind::Link, Some(item));
        let count = lines.len().max(1);
        for j in 0..count {
            let mut slab = Slab::new(lead, Role::Other, Span::default());
            slab.node = Some(link);
            // Where the text ends, from its glyphs (the first line starts
            // outside the hang): its right edge, or its left edge right
            // to left.
            let mut end = if rtl { measure - indent } else { indent };
            if let Some(line) = lines.get_mut(j) {
                let glyphs = line.runs.iter().flat_map(|r| &r.glyphs);
                end = if rtl {
                    glyphs.map(|g| inner.left + g.x).fold(end, Pt::min)
                } else {
                    glyphs.map(|g| inner.left + g.end()).fold(end, Pt::max)
                };
                c.line_pieces(line, &pb.marks, inner.left, lead, size, &mut slab);
            }
            if let (true, Some(dot)) = (j + 1 == count, &dot) {
                // Where each dot goes, left to right.
                let mut xs = Vec::new();
                if rtl {
                    // From the number column rightwards to the text.
                    let mut x = measure - column;
                    while x + dot_width <= end - size * LEADER_GAP {
                        xs.push(x);
                        x += pitch;
                    }
                } else {
                    let mut x = column - dot_width;
                    while x >= end + size * LEADER_GAP {
                        xs.push(x);
                        x -= pitch;
                    }
                    xs.reverse();
                }
                let mut leaders = TextRun {
                    baseline: lead,
                    text: dot.text.repeat(xs.len()),
                    glyphs: Vec::with_capacity(xs.len() * dot.glyphs.len()),
                    offsets: Vec::new(),
                    ..dot.clone()
                };
                for x in xs {
                    leaders
                        .glyphs
                        .extend(dot.glyphs.iter().map(|&g| Glyph { x: g.x + x, ..g }));
                }
                if !leaders.glyphs.is_empty() {
                    slab.pieces.push(Piece::Node(Owner::Artifact));
                    slab.pieces.push(Piece::Item(Item::Text(leaders)));
                    slab.pieces.push(Piece::Node(Owner::Slab));
                }
                let w = c.fonts.width(num, Face::Regular, size);
                let x = if rtl { Pt::ZERO } else { measure - w };
                let runs = c.fonts.run(num, Face::Regular, size, x, lead, 0.0);
                slab.pieces
                    .extend(runs.into_iter().map(|r| Piece::Item(Item::Text(r))));
            }
            slab.pieces.push(Piece::Link {
                rect: Rect {
                    x: if rtl { Pt::ZERO } else { indent },
                    y: lead - size * LINK_ASCENT,
                    width: measure - indent,
                    height: size * (LINK_ASCENT + LINK_DESCENT),
                    gray: 0.0,
                },
                target: target.clone(),
            });
            flow.elems.push(Elem::slab(slab));
        }
    }
    flow.structure = c.take_structure();
    flow
}

/// Places lines centred in the measure, first baseline at `baseline`;
/// returns the baseline of the last line.
fn centred(
    c: &mut Composer<'_>,
    slab: &mut Slab,
    text: &str,
    face: Face,
    size: Pt,
    leading: Pt,
    baseline: Pt,
) -> Pt {
    let ctx = Ctx {
        size,
        leading,
        top: false,
        ..c.body_ctx()
    };
    let mut pb = ParBuilder::default();
    let style = TextStyle {
        face,
        size,
        gray: 0.0,
        rise: Pt::ZERO,
    };
    pb.text(text, style, Marking::default(), Span::default());
    let mut lines = c.lines_of(&pb, &ctx, Alignment::Center);
    let mut y = baseline;
    for (j, line) in lines.iter_mut().enumerate() {
        y = baseline + leading * j as f64;
        c.line_pieces(line, &pb.marks, Pt::ZERO, y, size, slab);
    }
    y
}

fn single_slab_page(slab: Slab) -> BodyPage {
    BodyPage {
        slabs: vec![Placed {
            y: Pt::ZERO,
            slab: Box::new(slab),
            repeated: false,
        }],
        opening: true,
        ..BodyPage::default()
    }
}

/// The title page: title, subtitle and authors centred in the upper part
/// of the text block, the publisher at its foot.
pub(crate) fn title_page(c: &mut Composer<'_>, meta: &Metadata) -> BodyPage {
    let geo = c.geo.clone();
    let mut slab = Slab::new(Pt::ZERO, Role::Other, Span::default());
    let size = geo.size * TITLE_SCALE;
    let mut y = geo.margin_top + geo.capacity() * TITLE_DROP + size;
    y = centred(
        c,
        &mut slab,
        &meta.title,
        Face::Regular,
        size,
        size * TITLE_LINE,
        y,
    );
    if let Some(sub) = &meta.subtitle {
        let s = geo.size * SUBTITLE_SCALE;
        y = centred(
            c,
            &mut slab,
            sub,
            Face::Italic,
            s,
            s * TITLE_LINE,
            y + geo.leading * SUBTITLE_DROP,
        );
    }
    if !meta.authors.is_empty() {
        let s = geo.size * AUTHOR_SCALE;
        y += geo.leading * AUTHOR_DROP;
        for author in &meta.authors {
            y = centred(c, &mut slab, author, Face::Regular, s, s * TITLE_LINE, y) + s * TITLE_LINE;
        }
    }
    if let Some(publisher) = &meta.publisher {
        let bottom = geo.last_baseline();
        centred(
            c,
            &mut slab,
            publisher,
            Face::Italic,
            geo.size,
            geo.leading,
            bottom,
        );
    }
    single_slab_page(slab)
}

/// The title verso: rights and imprint at the foot, in small type; blank
/// when the book has none.
pub(crate) fn imprint_page(c: &mut Composer<'_>, meta: &Metadata) -> BodyPage {
    let geo = c.geo.clone();
    let mut lines: Vec<String> = Vec::new();
    if let Some(rights) = &meta.rights {
        lines.push(rights.clone());
    }
    if let Some(publisher) = &meta.publisher {
        lines.push(meta.labels.fill(Label::PublishedBy, publisher));
    }
    if let Some(date) = &meta.date {
        lines.push(date.clone());
    }
    let mut slab = Slab::new(Pt::ZERO, Role::Other, Span::default());
    if lines.is_empty() {
        let mut page = single_slab_page(slab);
        page.blank = true;
        return page;
    }
    let size = geo.size * IMPRINT_SCALE;
    let leading = geo.leading * IMPRINT_SCALE;
    let ctx = Ctx {
        size,
        leading,
        top: false,
        ..c.body_ctx()
    };
    let mut laid = Vec::new();
    for text in &lines {
        let mut pb = ParBuilder::default();
        let style = TextStyle {
            face: Face::Regular,
            size,
            gray: 0.0,
            rise: Pt::ZERO,
        };
        pb.text(text, style, Marking::default(), Span::default());
        laid.push((c.lines_of(&pb, &ctx, Alignment::Left), pb.marks));
    }
    let total: usize = laid.iter().map(|(l, _)| l.len()).sum();
    let mut y = geo.last_baseline() - leading * total.saturating_sub(1) as f64;
    for (ls, marks) in &mut laid {
        for line in ls {
            c.line_pieces(line, marks, Pt::ZERO, y, size, &mut slab);
            y += leading;
        }
    }
    single_slab_page(slab)
}
