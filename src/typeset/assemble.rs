//! Assembly: paginated flows → the final [`Document`].
//!
//! The last step of the typesetter. Puts the front matter (title page,
//! its verso, the contents) before the body, shifts every page's content
//! into its mirrored margins, adds running heads and folios, resolves
//! links now that every anchor's page is known, and builds the outline,
//! page labels and document info. The contents is laid out here too,
//! because its page numbers exist only after the body is paginated.

use std::collections::BTreeMap;
use std::time::Instant;

use crate::diag::Span;
use crate::labels::Label;
use crate::model::{Book, PageBreak, PageBreakAt};
use crate::toc::{Toc, TocEntry};
use crate::typeset::compose::{collapse_ws, Composer};
use crate::typeset::contents::{contents_flow, imprint_page, title_page};
use crate::typeset::flow::{Flow, Geometry, LinkRef, Piece};
use crate::typeset::fonts::Face;
use crate::typeset::frame::{
    Anchor, ArtifactKind, Destination, DocInfo, Document, Item, LabelStyle, LinkArea, OutlineEntry,
    Page, PageLabelRange, StructKind, Tag,
};
use crate::typeset::paginate::{paginate, BodyPage};
use crate::typeset::report::{collect, Bounds, LayoutReport, ReportPage};
use crate::typeset::tagging::{FlowNodes, PageRole, SlabPlace, Tagger};

/// How far past the text block (in body ems) something may reach before
/// the report calls it an overflow: margin kerning hangs punctuation out
/// by less, descenders hang below the last baseline by less.
const OVERFLOW_TOLERANCE: f64 = 0.6;
use crate::typeset::Timings;
use crate::units::Pt;

/// Running heads are set at this fraction of the body size…
const HEAD_SCALE: f64 = 0.9;
/// …with their baseline this many leadings above the first text baseline
/// (the head sits in the top margin, clear of the text).
const HEAD_RAISE: f64 = 2.0;
/// Folios sit this many leadings below the last baseline of the page.
const FOLIO_DROP: f64 = 2.0;
/// A link shows its target this far below the top of the window.
const DESTINATION_AIR: Pt = Pt(4.0);
/// How often the contents may be laid out again because the front
/// matter changed length (it settles in two passes; this bounds it).
const MAX_CONTENTS_PASSES: usize = 4;

/// Items a page has besides its slabs' pieces, about: the tags and runs
/// of its running head and folio, the notes' rule, a tag or two more.
const PAGE_FURNITURE_ITEMS: usize = 8;

/// What a page is, for heads and folios.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Title,
    Imprint,
    Contents,
    /// Padding so that the body starts on a recto.
    Blank,
    Body {
        chapter: usize,
    },
}

/// The body of the book, paginated.
struct Body {
    pages: Vec<(Kind, BodyPage)>,
    /// Whether content of the same chapter follows each page.
    more_follows: Vec<bool>,
}

/// A chapter for [`assemble`]: its flow, or its pages as paginated before.
pub(crate) enum ChapterIn<'a> {
    Flow(Flow),
    /// Paginated before for a first page that is a recto or not
    /// (`first_is_recto`); on a page of the other hand, the pages may
    /// differ, and `flow` gives the flow to paginate again.
    Paged {
        nodes: FlowNodes,
        pages: Vec<BodyPage>,
        first_is_recto: bool,
        flow: Box<dyn FnOnce() -> Flow + 'a>,
    },
}

/// A chapter paginated by this assembly: its index, whether its first page
/// is a recto, its structure and a copy of its pages (see
/// [`Assembled::paginated`]).
pub(crate) type Paginated = (usize, bool, FlowNodes, Vec<BodyPage>);

/// Paginates every chapter; each opens on a new page (a recto when asked).
/// With `keep`, a copy of each chapter paginated here (not taken as it
/// was) is returned too.
fn layout_body(
    chapters: Vec<ChapterIn<'_>>,
    geo: &Geometry,
    keep: bool,
) -> (Body, Vec<FlowNodes>, Vec<Paginated>) {
    let mut pages: Vec<(Kind, BodyPage)> = Vec::new();
    let mut more_follows = Vec::new();
    let mut all_nodes = Vec::with_capacity(chapters.len());
    let mut paginated = Vec::new();
    for (chapter, input) in chapters.into_iter().enumerate() {
        let empty = match &input {
            ChapterIn::Flow(flow) => flow.elems.is_empty(),
            ChapterIn::Paged { pages, .. } => pages.is_empty(),
        };
        if !empty && geo.chapters_on_recto && pages.len() % 2 == 1 {
            pages.push((
                Kind::Blank,
                BodyPage {
                    blank: true,
                    ..BodyPage::default()
                },
            ));
            more_follows.push(false);
        }
        let first_is_recto = pages.len().is_multiple_of(2);
        let mut paginate_flow = |mut flow: Flow| {
            let nodes = FlowNodes {
                structure: std::mem::take(&mut flow.structure),
                notes: std::mem::take(&mut flow.note_nodes),
            };
            if flow.elems.is_empty() {
                return (nodes, Vec::new());
            }
            let mut made = paginate(flow, geo, first_is_recto);
            if let Some(first) = made.first_mut() {
                // A chapter's first page is an opening even without a title.
                first.opening = true;
            }
            if keep {
                paginated.push((chapter, first_is_recto, nodes.clone(), made.clone()));
            }
            (nodes, made)
        };
        let (nodes, chapter_pages) = match input {
            ChapterIn::Flow(flow) => paginate_flow(flow),
            ChapterIn::Paged {
                nodes,
                pages,
                first_is_recto: was,
                ..
            } if was == first_is_recto => (nodes, pages),
            ChapterIn::Paged { flow, .. } => paginate_flow(flow()),
        };
        all_nodes.push(nodes);
        let n = chapter_pages.len();
        for (k, page) in chapter_pages.into_iter().enumerate() {
            pages.push((Kind::Body { chapter }, page));
            more_follows.push(k + 1 < n);
        }
    }
    (
        Body {
            pages,
            more_follows,
        },
        all_nodes,
        paginated,
    )
}

/// Where each anchor and chapter start landed, by page index.
#[derive(Debug, Default)]
struct Targets {
    anchors: BTreeMap<String, (usize, Pt)>,
    chapters: BTreeMap<usize, usize>,
}

impl Targets {
    fn of(pages: &[(Kind, BodyPage)], offset: usize) -> Targets {
        let mut t = Targets::default();
        for (i, (kind, page)) in pages.iter().enumerate() {
            if let Kind::Body { chapter } = kind {
                t.chapters.entry(*chapter).or_insert(i + offset);
            }
            for placed in page.slabs.iter().chain(&page.notes) {
                if placed.repeated {
                    continue;
                }
                for (id, y) in placed.slab.anchors() {
                    t.anchors
                        .entry(id.clone())
                        .or_insert((i + offset, placed.y + *y));
                }
            }
        }
        t
    }

    fn resolve(&self, target: &LinkRef) -> Option<Destination> {
        match target {
            LinkRef::Uri(uri) => Some(Destination::Uri(uri.clone())),
            LinkRef::Anchor(id) => self.anchors.get(id).map(|&(page, y)| Destination::Page {
                page,
                y: (y - DESTINATION_AIR).max(Pt::ZERO),
            }),
            LinkRef::Chapter(c) => self
                .chapters
                .get(c)
                .map(|&page| Destination::Page { page, y: Pt::ZERO }),
        }
    }

    /// Page and y of a TOC entry's target.
    fn entry(&self, e: &TocEntry) -> Option<(usize, Pt)> {
        let by_id = e.id.as_ref().and_then(|id| self.anchors.get(id).copied());
        by_id.or_else(|| self.chapters.get(&e.chapter).map(|&p| (p, Pt::ZERO)))
    }
}

/// Lower-case roman numerals for front-matter folios.
pub(crate) fn roman(mut n: u32) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut out = String::new();
    for (value, digits) in TABLE {
        while n >= value {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}

/// The result of assembly.
pub(crate) struct Assembled {
    pub document: Document,
    pub report: LayoutReport,
    /// Where each body page begins in the text, for the EPUB page-list.
    pub page_breaks: Vec<PageBreak>,
    /// The chapters paginated here (not taken as paginated before), when
    /// asked for, to be taken next time.
    pub paginated: Vec<Paginated>,
}

/// Builds the whole document from the composed chapters (see
/// [`ChapterIn`]); with `keep`, [`Assembled::paginated`] holds copies of
/// the chapters paginated here.
pub(crate) fn assemble(
    c: &mut Composer<'_>,
    book: &Book,
    toc: &Toc,
    chapters: Vec<ChapterIn<'_>>,
    keep: bool,
    timings: &mut Timings,
    page_breaks_ready: &mut dyn FnMut(&[PageBreak]),
) -> Assembled {
    let started = Instant::now();
    let geo = c.geo.clone();
    let (body, chapter_nodes, paginated) = layout_body(chapters, &geo, keep);
    timings.pagination = started.elapsed();
    let started = Instant::now();
    // Body-relative targets give the printed numbers: arabic from 1.
    let body_targets = Targets::of(&body.pages, 0);
    let number = |e: &TocEntry| -> String {
        body_targets
            .entry(e)
            .map(|(p, _)| (p + 1).to_string())
            .unwrap_or_default()
    };

    // The layout report reads only the body pages: it is drawn up on
    // another thread while the front matter is set here.
    let bounds = Bounds {
        measure: geo.measure,
        bottom: geo.last_baseline(),
        tolerance: geo.size * OVERFLOW_TOLERANCE,
    };
    let (mut report, front, contents_nodes) = std::thread::scope(|scope| {
        let reporting = scope.spawn(|| {
            // Body-relative: page k is folio k + 1.
            let report_pages: Vec<ReportPage<'_>> = body
                .pages
                .iter()
                .enumerate()
                .map(|(k, (_, page))| ReportPage {
                    index: k,
                    folio: (k + 1).to_string(),
                    page,
                    more_follows: body.more_follows.get(k).copied().unwrap_or(false),
                })
                .collect();
            collect(&report_pages, book, bounds)
        });
        let (front, contents_nodes) = front_matter(c, book, toc, &geo, &number);
        // A panic in the report is a bug; pass it on as one.
        let report = reporting
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (report, front, contents_nodes)
    });
    let offset = front.len();
    for defect in &mut report.defects {
        defect.page += offset;
    }

    let mut all = front;
    all.extend(body.pages);
    let targets = Targets::of(&all, 0);

    let folio_of = |i: usize| -> String {
        if i < offset {
            roman(i as u32 + 1)
        } else {
            (i - offset + 1).to_string()
        }
    };

    // Known now: where the body pages begin, for the EPUB's page-list.
    let page_breaks = page_breaks(&all, offset, &targets, &folio_of);
    page_breaks_ready(&page_breaks);

    let page_count = all.len();
    let mut pages = Vec::with_capacity(page_count);
    let mut tagger = Tagger::new(chapter_nodes, contents_nodes);
    for (i, (kind, page)) in all.into_iter().enumerate() {
        pages.push(finish_page(
            c,
            book,
            toc,
            &geo,
            &targets,
            &mut tagger,
            i,
            kind,
            page,
            &folio_of(i),
        ));
    }

    let outline = outline(&toc.entries, &targets);
    let mut page_labels = vec![PageLabelRange {
        first_page: 0,
        style: LabelStyle::LowerRoman,
        start: 1,
    }];
    if page_count > offset {
        page_labels.push(PageLabelRange {
            first_page: offset,
            style: LabelStyle::Decimal,
            start: 1,
        });
    }

    let meta = &book.meta;
    let document = Document {
        pages,
        fonts: c.fonts.data(),
        outline,
        page_labels,
        info: DocInfo {
            title: meta.title.clone(),
            subtitle: meta.subtitle.clone(),
            authors: meta.authors.clone(),
            subject: meta.description.clone(),
            keywords: meta.subjects.clone(),
            language: meta.language.clone(),
            epoch: meta.modified_epoch,
            identifier: meta.identifier.clone(),
            right_to_left: geo.rtl,
            page_label: meta.labels.get(Label::Page).to_string(),
        },
        structure: tagger.finish(),
    };
    timings.assembly = started.elapsed();
    Assembled {
        document,
        report,
        page_breaks,
        paginated,
    }
}

/// The front matter: title, its verso, the contents, and a blank page if
/// needed so that page 1 is a recto; with the contents' structure. The
/// contents' numbers do not depend on its own length (the body always
/// starts on a recto), but its length decides where the body starts: it is
/// laid out until that settles.
fn front_matter(
    c: &mut Composer<'_>,
    book: &Book,
    toc: &Toc,
    geo: &Geometry,
    number: &dyn Fn(&TocEntry) -> String,
) -> (Vec<(Kind, BodyPage)>, FlowNodes) {
    let mut front: Vec<(Kind, BodyPage)> = Vec::new();
    let mut front_len = 0usize;
    let mut contents_nodes = FlowNodes::default();
    for _ in 0..MAX_CONTENTS_PASSES {
        front = vec![
            (Kind::Title, title_page(c, &book.meta)),
            (Kind::Imprint, imprint_page(c, &book.meta)),
        ];
        if !toc.entries.is_empty() {
            let mut flow = contents_flow(c, toc, number);
            contents_nodes.structure = std::mem::take(&mut flow.structure);
            for page in paginate(flow, geo, true) {
                front.push((Kind::Contents, page));
            }
        }
        if front.len() % 2 == 1 {
            front.push((
                Kind::Blank,
                BodyPage {
                    blank: true,
                    ..BodyPage::default()
                },
            ));
        }
        if front.len() == front_len {
            break;
        }
        front_len = front.len();
    }
    (front, contents_nodes)
}

/// Where each body page begins: the chapter start for a chapter's first
/// page, else the block and word of the first slab that has a place in
/// the text.
fn page_breaks(
    all: &[(Kind, BodyPage)],
    offset: usize,
    targets: &Targets,
    folio_of: &dyn Fn(usize) -> String,
) -> Vec<PageBreak> {
    let mut out = Vec::new();
    for (i, (kind, page)) in all.iter().enumerate().skip(offset) {
        let Kind::Body { chapter } = *kind else {
            continue;
        };
        let at = if targets.chapters.get(&chapter) == Some(&i) {
            Some(PageBreakAt::ChapterStart)
        } else {
            page.slabs
                .iter()
                .filter(|p| !p.repeated)
                .find_map(|p| match p.slab.origin {
                    Some((block_start, word)) => Some(PageBreakAt::Block {
                        block_start,
                        word: word as usize,
                    }),
                    None if p.slab.span != Span::default() => Some(PageBreakAt::Block {
                        block_start: p.slab.span.start,
                        word: 0,
                    }),
                    None => None,
                })
        };
        if let Some(at) = at {
            out.push(PageBreak {
                label: folio_of(i),
                chapter,
                at,
            });
        }
    }
    out
}

fn outline(entries: &[TocEntry], targets: &Targets) -> Vec<OutlineEntry> {
    entries
        .iter()
        .map(|e| {
            let (page, y) = targets.entry(e).unwrap_or((0, Pt::ZERO));
            OutlineEntry {
                title: e.label.clone(),
                page,
                y,
                children: outline(&e.children, targets),
            }
        })
        .collect()
}

/// The running-head title of a chapter before its first level-1 heading.
fn chapter_title(book: &Book, toc: &Toc, chapter: usize) -> String {
    toc.entries
        .iter()
        .find(|e| e.chapter == chapter)
        .map(|e| e.label.clone())
        .or_else(|| book.chapters.get(chapter).and_then(|c| c.title.clone()))
        .unwrap_or_else(|| book.meta.title.clone())
}

/// The face of running heads: italic where the book's script has
/// italics (Latin, Greek, Cyrillic), else the regular face — Arabic,
/// Hebrew, CJK or Devanagari would only get a synthesized slant.
fn head_face(book: &Book) -> Face {
    use crate::fonts::script::language_scripts;
    let has_italics = language_scripts(&book.meta.language)
        .first()
        .is_none_or(|s| matches!(&s.0, b"Latn" | b"Grek" | b"Cyrl"));
    if has_italics {
        Face::Italic
    } else {
        Face::Regular
    }
}

/// Shortens a running head at a word boundary until it fits `width`.
fn fit_head(c: &mut Composer<'_>, text: &str, face: Face, size: Pt, width: Pt) -> String {
    if c.fonts.width(text, face, size) <= width {
        return text.to_string();
    }
    let ellipsis = if c.coverage.has('…') { "…" } else { "..." };
    let words: Vec<&str> = text.split_whitespace().collect();
    for n in (1..words.len()).rev() {
        let candidate = format!("{}{ellipsis}", words[..n].join(" "));
        if c.fonts.width(&candidate, face, size) <= width {
            return candidate;
        }
    }
    words.first().map_or_else(String::new, |w| w.to_string())
}

#[allow(clippy::too_many_arguments)]
fn finish_page(
    c: &mut Composer<'_>,
    book: &Book,
    toc: &Toc,
    geo: &Geometry,
    targets: &Targets,
    tagger: &mut Tagger,
    index: usize,
    kind: Kind,
    page: BodyPage,
    folio: &str,
) -> Page {
    let anchors: Vec<Anchor> = page
        .slabs
        .iter()
        .chain(&page.notes)
        .filter(|p| !p.repeated)
        .flat_map(|p| {
            p.slab.anchors().iter().map(move |(id, y)| Anchor {
                id: id.clone(),
                y: p.y + *y,
            })
        })
        .collect();

    let (blank, opening) = (page.blank, page.opening);
    let title = page.title.clone();
    let x0 = geo.left(index);
    let role = match kind {
        Kind::Title | Kind::Imprint => PageRole::Front,
        Kind::Contents => PageRole::Contents,
        Kind::Blank => PageRole::Blank,
        Kind::Body { chapter } => PageRole::Chapter(chapter),
    };
    let sect_title = || match kind {
        Kind::Body { chapter } => chapter_title(book, toc, chapter),
        _ => String::new(),
    };
    // Light grounds (code blocks) go first so no text is covered; before
    // the page's first tag, they are artifacts.
    let mut backgrounds = Vec::new();
    let (slabs, rule) = page.into_slabs(x0);
    // Room for every piece and the page's furniture: a long book's pages
    // all wait for the PDF, and most hold lines of one paragraph, whose
    // pieces need no tags between them.
    let pieces: usize = slabs.iter().map(|s| s.pieces.len()).sum();
    let mut items = Vec::with_capacity(pieces + PAGE_FURNITURE_ITEMS);
    // The tag in force for the items pushed so far.
    let mut current = Tag::Artifact(ArtifactKind::Layout);
    let mut set = |items: &mut Vec<Item>, tag: Tag| {
        if current != tag {
            items.push(Item::Tag(tag));
            current = tag;
        }
    };
    tagger.page(role, &sect_title);
    for slab in slabs {
        let own = tagger.slab(slab.place, slab.node);
        if slab.place != SlabPlace::Repeated {
            tagger.cite(&slab.notes, own);
        }
        let mut tag = own;
        for piece in slab.pieces {
            match piece {
                Piece::Node(owner) => tag = tagger.owner(owner, own),
                Piece::Item(Item::Rect(r)) if r.gray > 0.5 => backgrounds.push(Item::Rect(r)),
                Piece::Item(Item::Rect(r)) => {
                    set(&mut items, Tag::Artifact(ArtifactKind::Layout));
                    items.push(Item::Rect(r));
                }
                Piece::Item(Item::Image(image)) => {
                    // An image without alt text says nothing to a reader
                    // who cannot see it: it is decoration, an artifact. A
                    // block image has its Figure; one in a line gets one.
                    let figure = match tag {
                        Tag::Node(_) if image.alt.trim().is_empty() => {
                            Tag::Artifact(ArtifactKind::Layout)
                        }
                        Tag::Node(id) if tagger.kind(id) == Some(StructKind::Figure) => tag,
                        Tag::Node(_) => tagger.figure(tag, &collapse_ws(&image.alt)),
                        artifact => artifact,
                    };
                    set(&mut items, figure);
                    items.push(Item::Image(image));
                }
                Piece::Item(item) => {
                    set(&mut items, tag);
                    items.push(item);
                }
                Piece::Link { rect, target } => {
                    if let Some(target) = targets.resolve(&target) {
                        set(&mut items, tag);
                        items.push(Item::Link(LinkArea { rect, target }));
                    }
                }
            }
        }
    }
    if let Some(rule) = rule {
        set(&mut items, Tag::Artifact(ArtifactKind::Layout));
        items.push(Item::Rect(rule));
    }
    if !backgrounds.is_empty() {
        items.splice(0..0, backgrounds);
    }

    let size = geo.size * HEAD_SCALE;
    let recto = index.is_multiple_of(2);
    let head = match kind {
        _ if blank || opening => None,
        Kind::Contents => Some(book.meta.labels.get(Label::Contents).to_string()),
        Kind::Body { chapter } if recto => {
            Some(title.unwrap_or_else(|| chapter_title(book, toc, chapter)))
        }
        Kind::Body { .. } => Some(book.meta.title.clone()),
        _ => None,
    };
    if let Some(text) = head {
        items.push(Item::Tag(Tag::Artifact(ArtifactKind::Header)));
        let face = head_face(book);
        let text = fit_head(c, &text, face, size, geo.measure);
        let w = c.fonts.width(&text, face, size);
        let baseline = (geo.margin_top + geo.topskip - geo.leading * HEAD_RAISE).max(size * 1.5);
        let run = c.fonts.run(
            &text,
            face,
            size,
            x0 + (geo.measure - w) / 2.0,
            baseline,
            0.0,
        );
        items.extend(run.into_iter().map(Item::Text));
    }
    let show_folio = !blank && matches!(kind, Kind::Contents | Kind::Body { .. });
    if show_folio {
        items.push(Item::Tag(Tag::Artifact(ArtifactKind::Footer)));
        let w = c.fonts.width(folio, Face::Regular, size);
        let baseline =
            (geo.last_baseline() + geo.leading * FOLIO_DROP).min(geo.page_height - size * 1.5);
        let run = c.fonts.run(
            folio,
            Face::Regular,
            size,
            x0 + (geo.measure - w) / 2.0,
            baseline,
            0.0,
        );
        items.extend(run.into_iter().map(Item::Text));
    }
    Page {
        width: geo.page_width,
        height: geo.page_height,
        items,
        anchors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roman_numerals() {
        assert_eq!(roman(1), "i");
        assert_eq!(roman(4), "iv");
        assert_eq!(roman(9), "ix");
        assert_eq!(roman(14), "xiv");
        assert_eq!(roman(1999), "mcmxcix");
    }
}
