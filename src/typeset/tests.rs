//! Tests of the page composer on small books built from Markdown strings:
//! pagination rules, notes, contents numbers, outline, labels, the report.

use std::path::{Path, PathBuf};

use crate::diag::SourceMap;
use crate::model::{Book, Metadata};
use crate::source::Source;
use crate::toc::Toc;
use crate::typeset::compose::Composer;
use crate::typeset::flow::{Elem, Geometry, Role};
use crate::typeset::fonts::Fonts;
use crate::typeset::frame::{Destination, Document, Item, LabelStyle, OutlineEntry, Page, TextRun};
use crate::typeset::paginate::{paginate, BodyPage};
use crate::typeset::report::DefectKind;
use crate::typeset::{typeset, typeset_with, LayoutOptions, PdfSettings, Typeset};
use crate::units::Pt;

use crate::typeset::fonts::tests::test_font_files as fonts;

/// A page whose text block holds `lines` body lines of 10/12.
fn settings(lines: usize) -> PdfSettings {
    let leading = Pt(12.0);
    let top = Pt(40.0);
    let bottom = Pt(40.0);
    // topskip is the font size: height = 10 + (lines - 1) * 12.
    let height = Pt(10.0) + leading * (lines as f64 - 1.0) + Pt(0.5);
    PdfSettings {
        page_width: Pt(300.0),
        page_height: top + height + bottom,
        margin_top: top,
        margin_bottom: bottom,
        margin_inner: Pt(40.0),
        margin_outer: Pt(30.0),
        font_size: Pt(10.0),
        leading,
        font_expansion: 0.0,
        chapters_on_recto: false,
        standard: crate::config::PdfStandard::default(),
        fonts: fonts(),
        fallback: crate::typeset::fonts::tests::test_fallback(),
        code_palette: Some(crate::typeset::code_theme::PRINT),
        missing_glyphs: Default::default(),
        link_urls: Default::default(),
    }
}

fn book(chapters: &[&str]) -> Book {
    book_in(Path::new("."), chapters)
}

/// [`book`] with its files (images) in `root`.
fn book_in(root: &Path, chapters: &[&str]) -> Book {
    let mut map = SourceMap::default();
    let sources: Vec<Source> = chapters
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let relative = PathBuf::from(format!("ch{}.md", i + 1));
            let file = map.add(relative.clone(), text.to_string());
            Source {
                file,
                relative,
                title: None,
                depth: 0,
            }
        })
        .collect();
    let parsed = crate::markdown::parse_chapters(root, &map, &sources).expect("fixture parses");
    Book {
        meta: Metadata {
            title: "Test Book".into(),
            subtitle: Some("A Fixture".into()),
            authors: vec!["A. Author".into()],
            language: "en".into(),
            identifier: "urn:uuid:0".into(),
            date: None,
            modified_epoch: 0,
            publisher: Some("Press".into()),
            rights: None,
            description: None,
            subjects: vec![],
            cover: None,
            toc_depth: 3,
            labels: Default::default(),
        },
        chapters: parsed.chapters,
        sources: map,
        root: root.to_path_buf(),
    }
}

fn set(book: &Book, lines: usize) -> Typeset {
    let toc = Toc::build(book);
    typeset(book, &toc, &settings(lines)).expect("typesets")
}

/// Paginates chapter 0 only, returning its body pages.
fn body_pages(book: &Book, lines: usize) -> Vec<BodyPage> {
    let s = settings(lines);
    let geo = Geometry::new(&s).unwrap();
    let fonts = Fonts::load(&s.fonts, &s.fallback, "en").unwrap();
    let mut c = Composer::new(fonts, &geo, book);
    let flow = c.chapter(0);
    paginate(flow, &geo, true)
}

/// Words of prose that break into many lines.
fn prose(words: usize, seed: usize) -> String {
    const W: [&str; 12] = [
        "the",
        "border",
        "between",
        "two",
        "countries",
        "was",
        "drawn",
        "long",
        "ago",
        "by",
        "surveyors",
        "and",
    ];
    (0..words)
        .map(|i| W[(i * 7 + seed * 3) % W.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

fn page_text(page: &Page) -> String {
    let mut out = String::new();
    for item in &page.items {
        if let Item::Text(run) = item {
            for (_, text) in run.glyph_texts() {
                out.push_str(text);
            }
            out.push(' ');
        }
    }
    out
}

fn anchor_page(doc: &Document, id: &str) -> Option<usize> {
    doc.pages
        .iter()
        .position(|p| p.anchors.iter().any(|a| a.id == id))
}

fn line_role(p: &crate::typeset::paginate::Placed) -> Option<(usize, usize)> {
    match p.slab.role {
        Role::Line { index, count, .. } => Some((index, count)),
        _ => None,
    }
}

#[test]
fn no_widows_or_orphans_on_many_page_heights() {
    let text: Vec<String> = (0..14).map(|i| prose(12 + i * 9, i)).collect();
    let b = book(&[&text.join("\n\n")]);
    for lines in 5..16 {
        let pages = body_pages(&b, lines);
        assert!(pages.len() > 1, "{lines} lines per page should need pages");
        for (k, page) in pages.iter().enumerate() {
            assert!(!page.forced, "page {k} at {lines} lines was forced");
            let first = page.slabs.first().and_then(line_role);
            let last = page.slabs.last().and_then(line_role);
            if let Some((i, n)) = first {
                assert!(!(n > 1 && i + 1 == n), "widow on page {k} at {lines} lines");
            }
            if let Some((i, n)) = last {
                assert!(!(n > 1 && i == 0), "orphan on page {k} at {lines} lines");
            }
        }
    }
}

#[test]
fn headings_keep_with_two_lines_of_what_follows() {
    let mut src = String::from("# Chapter\n\n");
    for i in 0..8 {
        src.push_str(&format!(
            "{}\n\n## Section {i}\n\n{}\n\n## Short {i}\n\nOne line.\n\n{}\n\n",
            prose(20 + i * 13, i),
            prose(60, i),
            prose(30, i + 1)
        ));
    }
    let b = book(&[&src]);
    for lines in 8..18 {
        let pages = body_pages(&b, lines);
        for (k, page) in pages.iter().enumerate() {
            let n = page.slabs.len();
            for (j, placed) in page.slabs.iter().enumerate() {
                if let Role::Heading { level: 2, .. } = placed.slab.role {
                    let after = n - j - 1;
                    assert!(
                        after >= 2 || k + 1 == pages.len(),
                        "heading with {after} lines after it at the foot of page {k} ({lines} lines)"
                    );
                }
            }
        }
    }
}

#[test]
fn spaces_vanish_at_the_top_of_a_page_and_lines_stay_on_the_grid() {
    let mut src = String::new();
    for i in 0..10 {
        src.push_str(&format!("{}\n\n- item one\n- item two\n\n", prose(40, i)));
    }
    let b = book(&[&src]);
    let s = settings(12);
    let geo = Geometry::new(&s).unwrap();
    for page in body_pages(&b, 12) {
        let first = &page.slabs[0];
        assert!(
            (first.y - geo.origin()).0.abs() < 1e-6,
            "page starts at the origin"
        );
        for p in &page.slabs {
            if let Role::Line { .. } = p.slab.role {
                // Every body line's baseline is on the grid.
                let baseline = p.y + p.slab.height - geo.origin();
                let k = baseline.0 / geo.leading.0;
                assert!(
                    (k - k.round()).abs() < 1e-6,
                    "off-grid baseline {baseline:?}"
                );
            }
        }
    }
}

#[test]
fn footnotes_land_on_the_page_that_cites_them() {
    let mut src = String::from("# Notes\n\n");
    for i in 0..12 {
        src.push_str(&format!(
            "{} cite{i}[^n{i}] {}\n\n",
            prose(30 + i * 5, i),
            prose(20, i + 1)
        ));
    }
    for i in 0..12 {
        src.push_str(&format!(
            "[^n{i}]: Note number {i}. {}\n\n",
            prose(8 + i * 4, i)
        ));
    }
    let b = book(&[&src]);
    let t = set(&b, 24);
    let doc = &t.document;
    let notes = &b.chapters[0].footnotes;
    assert_eq!(notes.len(), 12);
    for (i, note) in notes.iter().enumerate() {
        let citing = doc
            .pages
            .iter()
            .position(|p| page_text(p).contains(&format!("cite{i}")))
            .expect("citing word is set");
        let at = anchor_page(doc, &note.id).expect("note is placed");
        assert_eq!(
            citing, at,
            "note {i} is on page {at}, cited on page {citing}"
        );
    }
    // The note's number links from the text to the note.
    let note_page = anchor_page(doc, &notes[0].id).unwrap();
    let links_to_note = doc.pages[note_page].items.iter().any(|it| {
        matches!(it, Item::Link(l) if l.target == Destination::Page { page: note_page, y: l_y(doc, note_page, &notes[0].id) })
    });
    assert!(links_to_note);
}

#[test]
fn a_note_cited_only_from_a_note_follows_it() {
    // The text cites `a`; `a` cites `b`, and `b` cites `c`: none of `b`
    // and `c` is cited from the text, yet both must be printed, after `a`.
    let src = format!(
        "# Notes\n\n{} here[^a] {}\n\n{}\n\n[^a]: Note a, see also[^b].\n\n\
         [^b]: Note b, citing[^c].\n\n[^c]: Note c, the last.\n",
        prose(60, 1),
        prose(10, 2),
        prose(200, 3),
    );
    let b = book(&[&src]);
    let t = set(&b, 24);
    let doc = &t.document;
    let ids: Vec<&str> = b.chapters[0]
        .footnotes
        .iter()
        .map(|n| n.id.as_str())
        .collect();
    assert_eq!(ids.len(), 3);
    let pages: Vec<usize> = ids
        .iter()
        .map(|id| anchor_page(doc, id).unwrap_or_else(|| panic!("note {id} is placed")))
        .collect();
    let citing = doc
        .pages
        .iter()
        .position(|p| page_text(p).contains("here"))
        .expect("citing word is set");
    assert_eq!(pages, vec![citing; 3], "all on the citing page");
    let text = page_text(&doc.pages[citing]);
    // (Word spaces are gaps, not text, in `page_text`.)
    let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("{s} in {text}"));
    assert!(
        at("Notea") < at("Noteb") && at("Noteb") < at("Notec"),
        "{text}"
    );
    // Each note is printed once.
    let all: String = doc.pages.iter().map(page_text).collect();
    assert_eq!(all.matches("Noteb").count(), 1, "{all}");
}

fn l_y(doc: &Document, page: usize, id: &str) -> Pt {
    let y = doc.pages[page]
        .anchors
        .iter()
        .find(|a| a.id == id)
        .map(|a| a.y)
        .unwrap();
    (y - Pt(4.0)).max(Pt::ZERO)
}

#[test]
fn a_long_note_splits_and_continues_on_the_next_page() {
    let src = format!(
        "{} here[^long] {}\n\n{}\n\n[^long]: {}\n",
        prose(150, 1),
        prose(10, 2),
        prose(200, 3),
        prose(260, 4)
    );
    let b = book(&[&src]);
    let pages = body_pages(&b, 20);
    let with_notes: Vec<usize> = pages
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.notes.is_empty())
        .map(|(i, _)| i)
        .collect();
    assert!(
        with_notes.len() >= 2,
        "the note should split: {with_notes:?}"
    );
    assert_eq!(
        with_notes[1],
        with_notes[0] + 1,
        "continued on the next page"
    );
    // Nothing overlaps: the body ends above the notes on every page.
    for p in &pages {
        if let (Some(last), Some(first_note)) = (p.slabs.last(), p.notes.first()) {
            assert!(last.y + last.slab.height <= first_note.y + Pt(1e-6));
        }
    }
    // The first part keeps at least two lines on the citing page.
    assert!(pages[with_notes[0]].notes.len() >= 2);
}

#[test]
fn chapters_open_on_new_pages_and_contents_numbers_match() {
    let b = book(&[
        &format!(
            "# First\n\n{}\n\n## Inner\n\n{}",
            prose(300, 1),
            prose(100, 2)
        ),
        &format!("# Second\n\n{}", prose(40, 3)),
        &format!("# Third\n\n{}", prose(40, 4)),
    ]);
    let t = set(&b, 20);
    let doc = &t.document;
    let toc = Toc::build(&b);
    let offset = doc.page_labels[1].first_page;
    assert_eq!(offset % 2, 0, "page 1 is a recto");
    let second = anchor_page(doc, "second").unwrap();
    let third = anchor_page(doc, "third").unwrap();
    assert!(second > anchor_page(doc, "inner").unwrap());
    assert_eq!(third, second + 1, "each chapter on its own page");
    // The chapter heading is the first thing on its page (after no running head).
    assert!(!page_text(&doc.pages[second]).contains("Test Book"));

    // Every contents entry links to its heading's page and prints its number.
    let contents: Vec<&Page> = doc.pages[..offset]
        .iter()
        .filter(|p| page_text(p).contains("Contents"))
        .collect();
    assert_eq!(contents.len(), 1);
    for (_, entry) in toc.flatten() {
        let id = entry.id.as_deref().unwrap();
        let target = anchor_page(doc, id).unwrap();
        let link = contents[0]
            .items
            .iter()
            .find_map(|it| match it {
                Item::Link(l) if matches!(l.target, Destination::Page { page, .. } if page == target) => {
                    Some(l.rect)
                }
                _ => None,
            })
            .unwrap_or_else(|| panic!("no contents link for {id}"));
        let expected = (target - offset + 1).to_string();
        let printed = contents[0].items.iter().any(|it| match it {
            Item::Text(run) => {
                let text: String = run.glyph_texts().map(|(_, t)| t).collect();
                text == expected && run.baseline > link.y && run.baseline < link.y + link.height
            }
            _ => false,
        });
        assert!(
            printed,
            "{id}: page number {expected} not printed on its line"
        );
    }
}

#[test]
fn outline_mirrors_the_toc_and_labels_match_folios() {
    let b = book(&[
        &format!(
            "# One\n\n## One A\n\n{}\n\n### Deep\n\ntext\n\n## One B\n\ntext",
            prose(200, 1)
        ),
        &format!("# Two\n\n{}", prose(30, 2)),
    ]);
    let t = set(&b, 20);
    let doc = &t.document;
    let toc = Toc::build(&b);
    fn same(o: &[OutlineEntry], e: &[crate::toc::TocEntry], doc: &Document) {
        assert_eq!(o.len(), e.len());
        for (o, e) in o.iter().zip(e) {
            assert_eq!(o.title, e.label);
            assert_eq!(Some(o.page), anchor_page(doc, e.id.as_deref().unwrap()));
            same(&o.children, &e.children, doc);
        }
    }
    same(&doc.outline, &toc.entries, doc);
    assert_eq!(doc.outline[0].children.len(), 2);
    assert_eq!(doc.outline[0].children[0].children[0].title, "Deep");

    let offset = doc.page_labels[1].first_page;
    assert_eq!(doc.page_labels[0].style, LabelStyle::LowerRoman);
    assert_eq!(doc.page_labels[1].style, LabelStyle::Decimal);
    assert_eq!(doc.page_labels[1].start, 1);
    // The folio printed on a body page is its label.
    let p = offset + 1;
    assert!(page_text(&doc.pages[p]).contains(" 2 "));
    // The contents page (iii) prints its roman folio.
    assert!(page_text(&doc.pages[2]).contains("iii"));
    // The title page prints no folio.
    assert!(!page_text(&doc.pages[0]).contains(" i "));
    assert_eq!(doc.info.title, "Test Book");
}

#[test]
fn running_heads_and_mirrored_margins() {
    let b = book(&[&format!("# The Chapter\n\n{}", prose(900, 1))]);
    let t = set(&b, 20);
    let doc = &t.document;
    let offset = doc.page_labels[1].first_page;
    let opening = &doc.pages[offset];
    assert!(!page_text(opening).contains("Test Book"));
    let verso = &doc.pages[offset + 1];
    let recto = &doc.pages[offset + 2];
    assert!(
        page_text(verso).contains("Test Book"),
        "verso carries the book title"
    );
    assert!(
        page_text(recto).contains("The Chapter"),
        "recto carries the chapter"
    );
    let min_x = |p: &Page| {
        p.items
            .iter()
            .filter_map(|it| match it {
                Item::Text(r) => r.glyphs.first().map(|g| g.x.0),
                _ => None,
            })
            .fold(f64::MAX, f64::min)
    };
    // Inner margin 40 on the left of a recto, outer 30 on a verso.
    assert!((min_x(recto) - 40.0).abs() < 2.0, "{}", min_x(recto));
    assert!((min_x(verso) - 30.0).abs() < 2.0, "{}", min_x(verso));
}

#[test]
fn chapters_can_open_on_rectos() {
    let b = book(&[
        &format!("# A\n\n{}", prose(20, 1)),
        &format!("# B\n\n{}", prose(20, 2)),
    ]);
    let toc = Toc::build(&b);
    let s = PdfSettings {
        chapters_on_recto: true,
        ..settings(20)
    };
    let t = typeset_with(&b, &toc, &s, &LayoutOptions::default()).unwrap();
    let a = anchor_page(&t.document, "a").unwrap();
    let bb = anchor_page(&t.document, "b").unwrap();
    assert_eq!(a % 2, 0);
    assert_eq!(bb, a + 2, "a blank verso sits between");
    assert!(page_text(&t.document.pages[a + 1]).trim().is_empty());
}

#[test]
fn internal_and_external_links_resolve() {
    let b = book(&[
        "# Start\n\nSee [the end](ch2.md#the-end) or [the web](https://example.org/).",
        &format!("# Middle\n\n{}\n\n## The End\n\nDone.", prose(400, 2)),
    ]);
    let t = set(&b, 20);
    let doc = &t.document;
    let end = anchor_page(doc, "the-end").unwrap();
    let start = anchor_page(doc, "start").unwrap();
    let targets: Vec<&Destination> = doc.pages[start]
        .items
        .iter()
        .filter_map(|it| match it {
            Item::Link(l) => Some(&l.target),
            _ => None,
        })
        .collect();
    assert!(targets
        .iter()
        .any(|d| matches!(d, Destination::Page { page, .. } if *page == end)));
    assert!(targets
        .iter()
        .any(|d| **d == Destination::Uri("https://example.org/".into())));
}

#[test]
fn table_heads_repeat_on_continuation_pages() {
    let mut src = String::from("Intro.\n\n| Name | Value |\n|---|--:|\n");
    for i in 0..40 {
        src.push_str(&format!("| row {i} | {} |\n", i * 7));
    }
    let b = book(&[&src]);
    let pages = body_pages(&b, 16);
    assert!(pages.len() >= 3);
    for page in &pages[1..] {
        let first = &page.slabs[0];
        if page
            .slabs
            .iter()
            .any(|p| matches!(p.slab.role, Role::TableRow { .. }))
        {
            assert!(first.repeated, "continuation page starts with the head");
            assert!(matches!(first.slab.role, Role::TableHead { .. }));
        }
    }
}

#[test]
fn code_never_overflows_the_measure() {
    let long = "x".repeat(300);
    let src = format!("```\nfn f() {{ let {long} = 1; }}\n\tindented\n```\n");
    let b = book(&[&src]);
    let s = settings(30);
    let geo = Geometry::new(&s).unwrap();
    for page in body_pages(&b, 30) {
        for p in &page.slabs {
            for piece in &p.slab.pieces {
                if let crate::typeset::flow::Piece::Item(Item::Text(run)) = piece {
                    for g in &run.glyphs {
                        assert!(g.end() <= geo.measure + Pt(0.01));
                    }
                }
            }
        }
    }
}

/// The smallest number of words of [`prose`] that sets in `lines` lines.
fn words_for_lines(lines: usize, page_lines: usize) -> usize {
    (4..200)
        .find(|&w| {
            let b = book(&[&prose(w, 7)]);
            let pages = body_pages(&b, page_lines);
            pages
                .first()
                .and_then(|p| p.slabs.iter().find_map(line_role))
                .is_some_and(|(_, n)| n == lines)
        })
        .expect("some length sets in that many lines")
}

#[test]
fn report_names_forced_defects_with_pages_and_lines() {
    // Three lines per page: a heading takes two grid lines, so a
    // two-line paragraph after it cannot stay with it. The page breaks
    // where it must: an orphan and a stranded heading at the foot of
    // page 1, a widow at the top of page 2.
    let words = words_for_lines(2, 40);
    let src = format!(
        "## Heading

{}

After.
",
        prose(words, 7)
    );
    let b = book(&[&src]);
    let t = set(&b, 3);
    let r = &t.report;
    assert_eq!(r.count(DefectKind::Orphan), 1, "{r:?}");
    assert_eq!(r.count(DefectKind::Widow), 1, "{r:?}");
    assert_eq!(r.count(DefectKind::HeadingAtFoot), 1, "{r:?}");
    let find = |k| r.defects.iter().find(|d| d.kind == k).unwrap();
    let orphan = find(DefectKind::Orphan);
    assert_eq!(
        (orphan.location.as_str(), orphan.folio.as_str()),
        ("ch1.md:3", "1")
    );
    let widow = find(DefectKind::Widow);
    assert_eq!(
        (widow.location.as_str(), widow.folio.as_str()),
        ("ch1.md:3", "2")
    );
    assert_eq!(widow.page, orphan.page + 1);
    let heading = find(DefectKind::HeadingAtFoot);
    assert_eq!(
        (heading.location.as_str(), heading.folio.as_str()),
        ("ch1.md:1", "1")
    );
    let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(
        (&json["counts"]["widow"], &json["counts"]["orphan"]),
        (&serde_json::json!(1), &serde_json::json!(1)),
        "{json}"
    );

    // With room for the heading and both lines, nothing is reported.
    let t = set(&b, 5);
    assert_eq!(t.report.count(DefectKind::Orphan), 0);
    assert_eq!(t.report.count(DefectKind::Widow), 0);
    assert_eq!(t.report.count(DefectKind::HeadingAtFoot), 0);
}

#[test]
fn words_too_long_for_the_measure_break_between_letters_and_warn_with_their_line() {
    let word = "Pneumonoultramicroscopicsilicovolcanoconiosis".repeat(3);
    let b = book(&[&format!("Short.\n\nA {word} b.\n")]);
    let t = set(&b, 20);
    let w = t
        .warnings
        .iter()
        .find(|d| d.message.contains("broken between two of its letters"))
        .expect("a warning for the long word");
    let loc = w.location.as_ref().unwrap();
    assert_eq!(loc.path, PathBuf::from("ch1.md"));
    assert_eq!(loc.line(), Some(3));
    // Nothing sticks out: the word is cut to the measure.
    assert_eq!(t.report.count(DefectKind::Overfull), 0, "{:?}", t.report);
    assert_eq!(t.report.count(DefectKind::Overflow), 0, "{:?}", t.report);
    let text: String = t.document.pages.iter().map(page_text).collect();
    assert!(text.contains("Pneumono"), "{text}");
}

#[test]
fn every_flow_element_is_placed_exactly_once() {
    let mut src = String::from("# Title\n\n");
    for i in 0..6 {
        src.push_str(&format!(
            "{}[^a{i}]\n\n> {}\n\n```\ncode {i}\n```\n\n1. one\n2. two\n\n---\n\n",
            prose(50, i),
            prose(20, i)
        ));
        src.push_str(&format!("[^a{i}]: {}\n\n", prose(30, i)));
    }
    let b = book(&[&src]);
    let s = settings(14);
    let geo = Geometry::new(&s).unwrap();
    let fonts = Fonts::load(&s.fonts, &s.fallback, "en").unwrap();
    let mut c = Composer::new(fonts, &geo, &b);
    let flow = c.chapter(0);
    let slabs = flow
        .elems
        .iter()
        .filter(|e| matches!(e, Elem::Slab(_)))
        .count();
    let note_slabs: usize = flow.notes.iter().map(Vec::len).sum();
    let pages = paginate(flow.clone(), &geo, true);
    let placed: usize = pages
        .iter()
        .map(|p| p.slabs.iter().filter(|s| !s.repeated).count())
        .sum();
    let placed_notes: usize = pages.iter().map(|p| p.notes.len()).sum();
    assert_eq!(placed, slabs);
    assert_eq!(placed_notes, note_slabs);
    for p in &pages {
        let bottom = p
            .slabs
            .iter()
            .map(|s| s.y + s.slab.height)
            .fold(Pt::ZERO, Pt::max);
        assert!(bottom <= geo.last_baseline() + Pt(1e-6), "body overflows");
    }
}

/// A six-line page's geometry and a flow of body lines in blocks: a block
/// of `n` lines cannot break inside, and a legal break follows it.
fn blocks_flow(blocks: &[usize]) -> (Geometry, crate::typeset::flow::Flow) {
    use crate::diag::Span;
    use crate::typeset::flow::{Flow, Slab};
    let geo = Geometry::new(&settings(6)).unwrap();
    let mut elems = Vec::new();
    for &n in blocks {
        for _ in 0..n {
            elems.push(Elem::slab(Slab::new(
                geo.leading,
                Role::Other,
                Span::default(),
            )));
        }
        elems.push(Elem::brk());
    }
    let flow = Flow {
        elems,
        ..Flow::default()
    };
    (geo, flow)
}

#[test]
fn facing_pages_are_balanced_when_the_verso_comes_up_short() {
    // Recto: six lines that may break anywhere. Verso: five kept lines;
    // the next three cannot join them. Then text that may break anywhere.
    let mut blocks = vec![1; 6];
    blocks.extend([5, 3]);
    blocks.extend([1; 20]);
    let (geo, flow) = blocks_flow(&blocks);
    let pages = paginate(flow.clone(), &geo, true);
    let lines = |p: &BodyPage| p.slabs.len();
    assert_eq!(lines(&pages[0]), 6);
    assert_eq!(lines(&pages[1]), 5, "the verso is a line short");
    assert_eq!(lines(&pages[2]), 5, "so is the facing recto");
    assert_eq!(lines(&pages[3]), 6, "the next spread is full again");
    // Starting on a verso, the short page is a recto; a verso a line
    // shorter would push its last line onto the recto, where the five kept
    // lines then no longer fit: the spread stays unbalanced.
    let pages = paginate(flow, &geo, false);
    assert_eq!(lines(&pages[0]), 6);
    assert_eq!(lines(&pages[1]), 5);
    assert_eq!(lines(&pages[2]), 6);
}

#[test]
fn facing_pages_are_balanced_when_the_recto_comes_up_short() {
    // A recto and a verso of lines that may break anywhere, then four kept
    // lines, one, and three: a full-height recto would take five lines and
    // leave the sixth empty.
    let mut blocks = vec![1; 12];
    blocks.extend([4, 1, 3]);
    blocks.extend([1; 20]);
    let (geo, flow) = blocks_flow(&blocks);
    let pages = paginate(flow, &geo, true);
    let lines = |p: &BodyPage| p.slabs.len();
    assert_eq!(lines(&pages[0]), 6);
    assert_eq!(lines(&pages[1]), 5, "the verso ends a line early");
    assert_eq!(lines(&pages[2]), 5, "level with its recto");
    assert_eq!(lines(&pages[3]), 6, "the next spread is full again");
    // Nothing is lost or repeated.
    assert_eq!(pages.iter().map(lines).sum::<usize>(), 12 + 8 + 20);
}

/// A small deterministic generator for varied documents.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

#[test]
fn varied_documents_lay_out_without_overlaps() {
    for seed in 0..12u64 {
        let mut r = Lcg(seed);
        let mut src = String::from("# Opening\n\n");
        let mut notes = String::new();
        for k in 0..30 {
            match r.next(9) {
                0 => src.push_str(&format!("## Part {k}\n\n")),
                1 => src.push_str(&format!(
                    "- {}\n- {}\n  1. {}\n\n",
                    prose(5, k),
                    prose(30, k),
                    prose(8, k)
                )),
                2 => src.push_str(&format!("```\n{}\n```\n\n", prose(r.next(40) + 1, k))),
                3 => src.push_str(&format!("> {}\n\n", prose(r.next(60) + 5, k))),
                4 => src.push_str(&format!(
                    "| a | b |\n|---|---|\n| {} | {} |\n| x | y |\n\n",
                    prose(6, k),
                    prose(12, k)
                )),
                5 => {
                    src.push_str(&format!(
                        "{} cite[^f{k}] {}\n\n",
                        prose(r.next(50) + 3, k),
                        prose(10, k)
                    ));
                    notes.push_str(&format!("[^f{k}]: {}\n\n", prose(r.next(120) + 2, k)));
                }
                6 => src.push_str("---\n\n"),
                7 => src.push_str(&format!("Term {k}\n: {}\n\n", prose(14, k))),
                _ => src.push_str(&format!("{}\n\n", prose(r.next(150) + 1, k))),
            }
        }
        src.push_str(&notes);
        let b = book(&[&src, &format!("# Second\n\n{}", prose(50, 1))]);
        let lines = 6 + r.next(30);
        let s = settings(lines);
        let geo = Geometry::new(&s).unwrap();
        let t = set(&b, lines);
        assert!(t.document.pages.len() > 4);
        let fonts = Fonts::load(&s.fonts, &s.fallback, "en").unwrap();
        let mut c = Composer::new(fonts, &geo, &b);
        let flow = c.chapter(0);
        let note_slabs: usize = flow.notes.iter().map(Vec::len).sum();
        for page in paginate(flow, &geo, true) {
            let body_bottom = page
                .slabs
                .iter()
                .map(|p| p.y + p.slab.height)
                .fold(Pt::ZERO, Pt::max);
            if !page.forced {
                assert!(body_bottom <= geo.last_baseline() + Pt(1e-6), "seed {seed}");
            }
            if let Some(first) = page.notes.first() {
                assert!(
                    body_bottom <= first.y + Pt(1e-6),
                    "notes overlap text, seed {seed}"
                );
            }
        }
        assert!(note_slabs > 0 || !src.contains("[^"));
    }
}

/// The text of each line of a page (running head and folio included), top
/// to bottom, from the glyphs' own text; word gaps are not glyphs, so
/// words run together.
fn lines_of_page(page: &Page) -> Vec<String> {
    let mut runs: Vec<(i64, f64, String)> = page
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Text(run) => Some((
                run.baseline.0.round() as i64,
                run.glyphs.first().map_or(0.0, |g| g.x.0),
                run.glyph_texts().map(|(_, t)| t).collect::<String>(),
            )),
            _ => None,
        })
        .collect();
    runs.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut lines: Vec<(i64, String)> = Vec::new();
    for (y, _, text) in runs {
        match lines.last_mut() {
            Some((ly, l)) if *ly == y => l.push_str(&text),
            _ => lines.push((y, text)),
        }
    }
    lines.into_iter().map(|(_, l)| l).collect()
}

#[test]
fn page_breaks_name_the_first_word_of_each_body_page() {
    use crate::model::{running_text, BlockKind, PageBreakAt};
    let sentence = "Pakistan faces challenges in managing its relationships with neighbours, \
                    while dealing with the rule of its neighbour. ";
    let long = sentence.repeat(30);
    let b = book(&[&format!("# One\n\n{long}\n\n{long}\n"), "# Two\n\nShort.\n"]);
    let toc = Toc::build(&b);
    let t = typeset(&b, &toc, &settings(12)).unwrap();
    let first_body = t.document.page_labels[1].first_page;
    let body_pages = t.document.pages.len() - first_body;
    assert_eq!(t.page_breaks.len(), body_pages, "one break per body page");
    for (k, br) in t.page_breaks.iter().enumerate() {
        assert_eq!(br.label, (k + 1).to_string());
    }
    let starts: Vec<_> = t
        .page_breaks
        .iter()
        .filter(|b| b.at == PageBreakAt::ChapterStart)
        .map(|b| b.chapter)
        .collect();
    assert_eq!(starts, [0, 1]);
    // A page in mid-paragraph starts with the word the break names.
    let mut checked = 0;
    for (k, br) in t.page_breaks.iter().enumerate() {
        let PageBreakAt::Block { block_start, word } = br.at else {
            continue;
        };
        let block = b.chapters[br.chapter]
            .blocks
            .iter()
            .find(|bl| bl.span.start == block_start)
            .expect("the break names a block of its chapter");
        let BlockKind::Paragraph(inlines) = &block.kind else {
            continue;
        };
        let words: Vec<String> = running_text(inlines)
            .split_whitespace()
            .map(String::from)
            .collect();
        let lines = lines_of_page(&t.document.pages[first_body + k]);
        // Skip the running head and the folio; undo hyphenation.
        let stream: String = lines[1..lines.len() - 1]
            .iter()
            .map(|l| l.trim_end_matches('-'))
            .collect();
        let expected: String = words[word..].concat();
        let n = expected.len().min(60);
        // A page may open with the tail of a word hyphenated on the page
        // before; the break then names that word, which ends on the page.
        let previous = lines_of_page(&t.document.pages[first_body + k - 1]);
        let hyphenated = previous
            .len()
            .checked_sub(2)
            .is_some_and(|i| previous[i].ends_with('-'));
        let rest: String = words[word + 1..].concat();
        let m = rest.len().min(60);
        let tail = stream.find(&rest[..m]).unwrap_or(usize::MAX);
        let ok = stream.starts_with(&expected[..n])
            || (hyphenated
                && tail != usize::MAX
                && tail > 0
                && words[word].len() > tail
                && words[word].ends_with(&stream[..tail]));
        assert!(
            ok,
            "page {} should begin with word {word} `{}`:\n{stream}",
            br.label, words[word]
        );
        checked += 1;
    }
    assert!(
        checked >= 2,
        "the fixture has pages that begin mid-paragraph"
    );
}

/// A book of several chapters with what carries state between chapters:
/// paragraphs (numbered through the book), notes, tables, words too long
/// for the measure (warned about once), headings for the contents.
fn varied_book(chapters: usize) -> Book {
    // Longer than the measure: broken between letters, with a warning.
    let long = "Antidisestablishmentarianismforevermoreandeverlastinglysomanytimes";
    let texts: Vec<String> = (0..chapters)
        .map(|i| {
            format!(
                "# Chapter {i}\n\n{}[^n{i}] {long}.\n\n## Part {i}\n\n| a | b |\n|---|---|\n| {} | 2 |\n\n{}\n\n[^n{i}]: A note {}.\n",
                prose(150 + 40 * i, i),
                prose(3, i + 5),
                prose(400, i + 20),
                prose(30, i + 10),
            )
        })
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    book(&refs)
}

#[test]
fn chapters_composed_on_several_threads_give_the_same_book() {
    let b = varied_book(7);
    let toc = Toc::build(&b);
    let with = |threads: usize| {
        let options = LayoutOptions { threads };
        typeset_with(&b, &toc, &settings(20), &options).expect("typesets")
    };
    let one = with(1);
    assert_eq!(one.timings.threads, 1);
    assert!(one.warnings.len() >= 7, "{:?}", one.warnings);
    // Deflating on the writing thread or another gives the same bytes too.
    let one_pdf = crate::pdf::write_pdf_timed(
        one.document.clone(),
        &crate::pdf::Options {
            threads: 1,
            ..Default::default()
        },
    )
    .unwrap()
    .0;
    for threads in [2, 3, 16] {
        let many = with(threads);
        assert_eq!(many.timings.threads, threads.min(7));
        assert!(
            many.document.pages == one.document.pages
                && many.document.structure == one.document.structure,
            "{threads} threads"
        );
        assert_eq!(many.document.outline, one.document.outline);
        assert_eq!(many.page_breaks, one.page_breaks);
        assert_eq!(many.report.to_json(), one.report.to_json());
        let warnings = |t: &Typeset| t.warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        assert_eq!(warnings(&many), warnings(&one));
        assert!(
            crate::pdf::write_pdf_timed(
                many.document.clone(),
                &crate::pdf::Options {
                    threads,
                    ..Default::default()
                },
            )
            .unwrap()
            .0 == one_pdf,
            "PDF bytes differ on {threads} threads"
        );
    }
}

#[test]
fn chapters_composed_apart_merge_as_if_composed_in_turn() {
    let b = varied_book(3);
    let s = settings(20);
    let geo = Geometry::new(&s).unwrap();
    let mut seq = Composer::new(Fonts::load(&s.fonts, &s.fallback, "en").unwrap(), &geo, &b);
    let mut par = Composer::new(Fonts::load(&s.fonts, &s.fallback, "en").unwrap(), &geo, &b);
    let mut fork = par.fork();
    // Chapter 1 is composed first, on another composer, as a thread would.
    let c1 = fork.compose_alone(1);
    let c0 = par.compose_alone(0);
    let c2 = fork.compose_alone(2);
    // Chapter 0 once more: as if a file were listed twice, its long word
    // must not be warned about again.
    let again = par.compose_alone(0);
    for (i, c) in [(0, c0), (1, c1), (2, c2), (0, again)] {
        assert!(par.adopt(c) == seq.chapter(i), "chapter {i}");
    }
    let texts = |c: &Composer<'_>| c.warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>();
    assert_eq!(texts(&par), texts(&seq));
    assert_eq!(texts(&par).len(), 3, "{:?}", texts(&par));
    // Paragraph numbers continue through the book.
    let next = |c: &mut Composer<'_>| c.new_par_id();
    assert_eq!(next(&mut par), next(&mut seq));
}

/// Every text run of the document with its page index.
fn runs(doc: &Document) -> impl Iterator<Item = (usize, &crate::typeset::frame::TextRun)> {
    doc.pages.iter().enumerate().flat_map(|(i, p)| {
        p.items.iter().filter_map(move |item| match item {
            Item::Text(run) => Some((i, run)),
            _ => None,
        })
    })
}

#[test]
fn code_sets_what_the_mono_face_lacks_in_the_book_face() {
    // Inconsolata has no en dash; Gentium does.
    let b = book(&["Inline `1\u{2013}2` too.\n\n```\nlet r = 1\u{2013}10; // x\n```\n"]);
    let t = set(&b, 20);
    let serif = crate::typeset::frame::FontId(0);
    assert_eq!(t.document.fonts[serif.0].postscript_name, "GentiumBookPlus");
    let dashes: Vec<_> = runs(&t.document)
        .flat_map(|(_, r)| r.glyph_texts().map(move |(g, t)| (r, g, t)))
        .filter(|&(_, _, t)| t == "\u{2013}")
        .map(|(r, g, _)| (r, g))
        .collect();
    assert_eq!(dashes.len(), 2, "inline and block: {dashes:?}");
    for (run, g) in dashes {
        assert_eq!(run.font, serif, "{run:?}");
        assert_ne!(g.id, 0, "{run:?}");
    }
    // The code line reads whole, in order, and nothing is .notdef.
    let body = t
        .document
        .pages
        .iter()
        .map(page_text)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(body.contains("let r = 1 \u{2013} 10; // x"), "{body}");
    assert!(runs(&t.document).all(|(_, r)| r.glyphs.iter().all(|g| g.id != 0)));
    assert!(t.warnings.is_empty(), "{:?}", t.warnings);
}

#[test]
fn characters_no_font_has_are_reported_once_per_script_with_their_first_line() {
    // U+4E2D is in neither face (nor in Folio's fonts; the tests' fallback
    // sees no system fonts): in code (line 4 of ch1), then in prose twice
    // (ch1 and ch2), on any number of threads.
    let chapters = [
        "# One\n\n```\nlet \u{4e2d} = 1;\n```\n\nText \u{4e2d}.\n",
        "# Two\n\nMore \u{4e2d} and \u{4e2e}.\n",
    ];
    let b = book(&chapters);
    let toc = Toc::build(&b);
    let mut seen = Vec::new();
    for threads in [1, 2] {
        let options = LayoutOptions { threads };
        let t = typeset_with(&b, &toc, &settings(20), &options).expect("typesets");
        assert!(t.warnings.is_empty(), "{:?}", t.warnings);
        let texts: Vec<String> = t.missing_glyphs.iter().map(|w| w.to_string()).collect();
        assert_eq!(texts.len(), 1, "{texts:?}");
        assert!(
            texts[0].starts_with(
                "error: no font has the Han (Chinese, Japanese, Korean) script: \
                 4 characters (2 distinct)"
            ) && texts[0].contains("U+4E2D")
                && texts[0].contains("U+4E2E")
                && texts[0].contains("ch1.md:4:5"),
            "{texts:?}"
        );
        seen.push(texts);
    }
    assert_eq!(seen[0], seen[1]);
    // Allowed through on purpose: a warning instead.
    let s = PdfSettings {
        missing_glyphs: crate::fonts::MissingGlyphPolicy::Warn,
        ..settings(20)
    };
    let t = typeset_with(&b, &toc, &s, &LayoutOptions::default()).expect("typesets");
    assert_eq!(t.missing_glyphs.len(), 1);
    assert!(!t.missing_glyphs[0].is_error());
}

/// Writes a grey PNG of `width` × `height` pixels to `path`.
fn write_png(path: &Path, width: u32, height: u32) {
    let file = std::fs::File::create(path).expect("png file");
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), width, height);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().expect("png header");
    writer
        .write_image_data(&vec![128u8; (width * height) as usize])
        .expect("png data");
}

#[test]
fn inline_images_sit_on_the_baseline_among_the_words() {
    let dir = tempfile::tempdir().expect("temp dir");
    // 32×16 px is 24×12 pt at 96 px per inch: scaled to one em (10 pt) tall.
    write_png(&dir.path().join("icon.png"), 32, 16);
    write_png(&dir.path().join("dot.png"), 4, 4);
    let src = format!(
        "{} before ![icon](icon.png) after, and [a link ![dot](dot.png) too](https://example.org). {}\n",
        prose(12, 1),
        prose(30, 2)
    );
    let b = book_in(dir.path(), &[&src]);
    let t = set(&b, 20);
    let page = t
        .document
        .pages
        .iter()
        .find(|p| p.items.iter().any(|i| matches!(i, Item::Image(_))))
        .expect("a page with the images");
    let images: Vec<&crate::typeset::frame::PlacedImage> = page
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Image(img) => Some(img),
            _ => None,
        })
        .collect();
    assert_eq!(images.len(), 2, "{images:?}");
    let (icon, dot) = (images[0], images[1]);
    assert!((icon.height.0 - 10.0).abs() < 1e-6, "{icon:?}");
    assert!((icon.width.0 - 20.0).abs() < 1e-6, "{icon:?}");
    // The dot keeps its natural 3 pt.
    assert!((dot.height.0 - 3.0).abs() < 1e-6, "{dot:?}");
    // Each sits on the baseline of a text run, between the words around it.
    let runs: Vec<&TextRun> = page
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Text(r) => Some(r),
            _ => None,
        })
        .collect();
    for img in [icon, dot] {
        let bottom = img.y + img.height;
        let line: Vec<&&TextRun> = runs
            .iter()
            .filter(|r| (r.baseline - bottom).0.abs() < 1e-6)
            .collect();
        assert!(!line.is_empty(), "no line at the image's bottom {img:?}");
        for r in &line {
            for g in &r.glyphs {
                let (a, z) = (g.x, g.end());
                assert!(
                    z <= img.x + Pt(1e-6) || a >= img.x + img.width - Pt(1e-6),
                    "{img:?} {g:?}"
                );
            }
        }
    }
    // The linked image is clickable with its link.
    assert!(page.items.iter().any(|item| matches!(item,
        Item::Link(l) if l.rect.x <= dot.x && l.rect.x + l.rect.width >= dot.x + dot.width)));
    // Alt texts are not printed as words.
    assert!(!page_text(page).contains("icon"));
}

#[test]
fn tall_images_are_scaled_into_the_text_block_with_their_caption() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_png(&dir.path().join("tall.png"), 20, 2000);
    write_png(&dir.path().join("towering.png"), 1, 40_000);
    let caption = prose(60, 3);
    let src = format!(
        "Text.\n\n![A tall image](tall.png \"{caption}\")\n\n![Towering](towering.png)\n\n\
         ![Short caption](tall.png)\n"
    );
    let b = book_in(dir.path(), &[&src]);
    let s = settings(20);
    let geo = Geometry::new(&s).unwrap();
    let t = set(&b, 20);
    let images: Vec<(usize, &crate::typeset::frame::PlacedImage)> = t
        .document
        .pages
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            p.items.iter().filter_map(move |item| match item {
                Item::Image(img) => Some((i, img)),
                _ => None,
            })
        })
        .collect();
    assert_eq!(images.len(), 3, "{images:?}");
    let bottom = s.page_height - s.margin_bottom;
    for (page, img) in &images {
        let left = geo.left(*page);
        assert!(img.y >= s.margin_top - Pt(1e-6), "{img:?}");
        assert!(img.y + img.height <= bottom + Pt(1e-6), "{img:?}");
        // Centred in the measure, proportions kept.
        let centre = img.x + img.width / 2.0;
        assert!(
            (centre - (left + geo.measure / 2.0)).0.abs() < 1e-6,
            "{img:?}"
        );
        assert!(img.width <= geo.measure + Pt(1e-6), "{img:?}");
    }
    let ratio = |img: &crate::typeset::frame::PlacedImage| img.height.0 / img.width.0;
    assert!((ratio(images[0].1) - 100.0).abs() < 1e-6);
    assert!((ratio(images[1].1) - 40_000.0).abs() < 1e-3);
    // The long caption (several lines) sits below its image on the same
    // page, inside the text block too.
    let (page, first) = images[0];
    let caption_lines: Vec<Pt> = t.document.pages[page]
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Text(run) if run.baseline > first.y + first.height && run.baseline <= bottom => {
                Some(run.baseline)
            }
            _ => None,
        })
        .collect();
    assert!(caption_lines.len() >= 4, "{caption_lines:?}");
    assert_eq!(t.report.count(DefectKind::Overfull), 0, "{:?}", t.report);
}

#[test]
fn a_table_row_taller_than_a_page_continues_on_the_next_pages() {
    let src = format!(
        "Text.\n\n| a | b |\n|---|---|\n| short | x |\n| {} | y |\n| after | z |\n",
        prose(900, 1)
    );
    let b = book(&[&src]);
    let t = set(&b, 20);
    assert_eq!(t.report.count(DefectKind::Overflow), 0, "{:?}", t.report);
    let pages: Vec<String> = t.document.pages.iter().map(page_text).collect();
    let with_rows: Vec<usize> = (0..pages.len())
        .filter(|&i| pages[i].contains('y') || pages[i].contains("after"))
        .collect();
    assert!(with_rows.len() >= 2, "the row spans pages: {pages:#?}");
    // Every page the table continues on repeats its head.
    let starts = pages
        .iter()
        .filter(|p| p.starts_with("a b") || p.contains("\na b"))
        .count();
    assert!(starts >= 2, "{pages:#?}");
    assert!(
        pages.concat().contains("after"),
        "the rows after it are set"
    );
}

/// Every text run of the document, with the text it sets.
fn runs_with_text(doc: &Document) -> Vec<(String, &crate::typeset::frame::TextRun)> {
    doc.pages
        .iter()
        .flat_map(|p| &p.items)
        .filter_map(|i| match i {
            Item::Text(run) => Some((run.glyph_texts().map(|(_, t)| t).collect(), run)),
            _ => None,
        })
        .collect()
}

#[test]
fn code_runs_take_the_themes_colours_and_none_without_a_theme() {
    use crate::highlight::TokenClass;
    use crate::typeset::code_theme::PRINT;
    let b = book(&[
        "# Code\n\n```rust\nfn main() { let s = \"hi\"; } // done\n```\n\n```\nfn plain\n```\n",
    ]);
    let toc = Toc::build(&b);
    let t = typeset_with(&b, &toc, &settings(30), &LayoutOptions::default()).unwrap();
    let runs = runs_with_text(&t.document);
    let color_of = |text: &str| {
        runs.iter()
            .filter(|(t, _)| t == text)
            .map(|(_, r)| r.color)
            .collect::<Vec<_>>()
    };
    assert_eq!(color_of("fn")[0], Some(PRINT.color(TokenClass::Keyword)));
    assert_eq!(color_of("\"hi\"")[0], Some(PRINT.color(TokenClass::String)));
    assert_eq!(
        color_of("// done")[0],
        Some(PRINT.color(TokenClass::Comment))
    );
    // A block without a language is set in black, word runs and all.
    assert!(runs
        .iter()
        .any(|(t, r)| t == "fn plain" && r.color.is_none()));
    let s = PdfSettings {
        code_palette: None,
        ..settings(30)
    };
    let t = typeset_with(&b, &toc, &s, &LayoutOptions::default()).unwrap();
    assert!(runs_with_text(&t.document)
        .iter()
        .all(|(_, r)| r.color.is_none()));
}

#[test]
fn formulas_are_set_in_the_math_font_on_their_line() {
    let b = book(&["# Math\n\nEuler: $e^{i\\pi} + 1 = 0$ and more text.\n\n$$\\int_0^1 x^2\\,dx = \\frac{1}{3} \\tag{7}$$\n"]);
    let toc = Toc::build(&b);
    let t = typeset_with(&b, &toc, &settings(30), &LayoutOptions::default()).unwrap();
    let math = t
        .document
        .fonts
        .iter()
        .position(|f| f.postscript_name.contains("Asana"))
        .expect("the math font is in the document");
    let runs = runs_with_text(&t.document);
    let math_runs: Vec<_> = runs.iter().filter(|(_, r)| r.font.0 == math).collect();
    assert!(
        math_runs.iter().any(|(t, _)| t.contains('∫')),
        "{math_runs:?}"
    );
    assert!(math_runs
        .iter()
        .all(|(_, r)| r.glyphs.iter().all(|g| g.id != 0)));
    // The inline formula's `e` sits on the baseline of "Euler:".
    let euler = runs.iter().find(|(t, _)| t.starts_with("Euler")).unwrap().1;
    let e = math_runs
        .iter()
        .find(|(t, _)| t.starts_with('e'))
        .unwrap()
        .1;
    assert!((e.baseline - euler.baseline).0.abs() < 0.01);
    // The displayed equation carries its number.
    assert!(runs.iter().any(|(t, _)| t == "(7)"));
    // Display math is on a rule: the fraction bar.
    assert!(t
        .document
        .pages
        .iter()
        .flat_map(|p| &p.items)
        .any(|i| matches!(i, Item::Rect(r) if r.height.0 < 1.0 && r.width.0 < 20.0)));
}

#[test]
fn a_display_formula_wider_than_the_measure_shrinks_then_warns() {
    // A little too wide: set smaller, no warning, inside the measure.
    let terms = |n: usize| {
        (0..n)
            .map(|i| format!("x_{{{i}}}"))
            .collect::<Vec<_>>()
            .join(" + ")
    };
    let s = settings(30);
    let measure = s.page_width - s.margin_inner - s.margin_outer;
    let b = book(&[&format!("# M\n\n$${}$$\n", terms(14))]);
    let toc = Toc::build(&b);
    let t = typeset_with(&b, &toc, &s, &LayoutOptions::default()).unwrap();
    assert!(t.warnings.is_empty(), "{:?}", t.warnings);
    let math_font = t
        .document
        .fonts
        .iter()
        .position(|f| f.postscript_name.contains("Asana"))
        .unwrap();
    let (min, max) = runs_with_text(&t.document)
        .iter()
        .filter(|(_, r)| r.font.0 == math_font)
        .flat_map(|(_, r)| r.glyphs.iter().map(|g| (g.x, g.end())))
        .fold((Pt(f64::MAX), Pt(0.0)), |(a, b), (x, e)| {
            (a.min(x), b.max(e))
        });
    assert!(
        max - min <= measure + Pt(0.01),
        "{:?} wide in {:?}",
        max - min,
        measure
    );
    // Far too wide: a warning that says what to do.
    let b = book(&[&format!("# M\n\n$${}$$\n", terms(60))]);
    let t = typeset_with(&b, &toc, &s, &LayoutOptions::default()).unwrap();
    let w: Vec<String> = t.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        w.iter()
            .any(|w| w.contains("wider than the PDF's line width")),
        "{w:?}"
    );
}

#[test]
fn displays_take_whole_lines_close_together_and_the_text_after_goes_on() {
    let b = book(&["# M\n\nBefore the formulas.\n\n$$x^2$$\n\n$$y^2$$\n\nAfter them.\n"]);
    let toc = Toc::build(&b);
    let t = typeset_with(&b, &toc, &settings(30), &LayoutOptions::default()).unwrap();
    let runs = runs_with_text(&t.document);
    let at = |start: &str| {
        runs.iter()
            .find(|(t, _)| t.starts_with(start))
            .unwrap_or_else(|| panic!("no {start} in {runs:?}"))
            .1
    };
    let (before, x, y, after) = (at("Before"), at("x"), at("y"), at("After"));
    let leading = 12.0;
    // The text after the displays stays on the grid of the text before.
    let k = (after.baseline - before.baseline).0 / leading;
    assert!((k - k.round()).abs() < 1e-6, "off the grid by {k}");
    // A one-line display takes two lines: half a line of space each side.
    assert!((x.baseline - before.baseline).0 <= 2.0 * leading + 0.01);
    assert!((y.baseline - x.baseline - Pt(2.0 * leading)).0.abs() < 0.01);
    assert!((after.baseline - y.baseline).0 <= 2.0 * leading + 0.01);
    // …and goes on without an indent, as after TeX's `$$`.
    assert!((after.glyphs[0].x - before.glyphs[0].x).0.abs() < 0.01);
}

/// The glyphs drawn on the pages of `doc`: (page, baseline, x, right
/// edge, size, text), in the order they are drawn.
fn placed_glyphs(doc: &Document) -> Vec<(usize, f64, f64, f64, f64, String)> {
    runs(doc)
        .flat_map(|(page, r)| {
            r.glyph_texts().map(move |(g, t)| {
                (
                    page,
                    r.baseline.0,
                    g.x.0,
                    g.end().0,
                    r.size.0,
                    t.to_string(),
                )
            })
        })
        .collect()
}

/// The note number `number` of body text at 10 pt (a raised glyph at
/// the superscript size), and the body glyphs of its line.
#[allow(clippy::type_complexity)]
fn note_and_its_line(
    glyphs: &[(usize, f64, f64, f64, f64, String)],
    number: &str,
) -> ((f64, f64), Vec<(f64, f64, String)>) {
    let sup = 10.0 * crate::typeset::compose::SUPERSCRIPT_SCALE;
    let rise = 10.0 * crate::typeset::compose::SUPERSCRIPT_RISE;
    let note = glyphs
        .iter()
        .find(|g| (g.4 - sup).abs() < 1e-6 && g.5 == number)
        .unwrap_or_else(|| panic!("note {number} in {glyphs:?}"));
    let mut line: Vec<(f64, f64, String)> = glyphs
        .iter()
        .filter(|g| g.0 == note.0 && (g.1 - (note.1 + rise)).abs() < 1e-6 && g.4 == 10.0)
        .map(|g| (g.2, g.3, g.5.clone()))
        .collect();
    line.sort_by(|a, b| a.0.total_cmp(&b.0));
    ((note.2, note.3), line)
}

/// Where `word` (its characters drawn one glyph each, in logical order)
/// is on a line sorted left to right, read in `rtl` order: (left, right).
fn word_extent(line: &[(f64, f64, String)], word: &str, rtl: bool) -> (f64, f64) {
    let chars: Vec<String> = word.chars().map(String::from).collect();
    let n = chars.len();
    let found = (0..line.len().saturating_sub(n - 1)).find(|&i| {
        (0..n).all(|k| {
            let c = if rtl { &chars[n - 1 - k] } else { &chars[k] };
            line[i + k].2 == *c
        })
    });
    let i = found.unwrap_or_else(|| panic!("{word} in {line:?}"));
    (line[i].0, line[i + n - 1].1)
}

#[test]
fn note_numbers_in_right_to_left_text_follow_numbers_and_latin_words() {
    // Without the isolate, the number 1 joins the run of `16` (and 2 that
    // of `Europe`) and is drawn on its right: before it, read right to left.
    let mut b = book(&[
        "החומות נבנו במאה ה־16[^1] בידי Europe[^2] וגם העיר[^3] כולה.\n\n\
         [^1]: א.\n\n[^2]: ב.\n\n[^3]: ג.\n",
    ]);
    b.meta.language = "he".into();
    let t = set(&b, 30);
    let glyphs = placed_glyphs(&t.document);
    for (number, word, rtl) in [
        ("1", "16", false),
        ("2", "Europe", false),
        ("3", "העיר", true),
    ] {
        let ((x0, x1), line) = note_and_its_line(&glyphs, number);
        let (left, _) = word_extent(&line, word, rtl);
        // Read right to left, the number comes right after the word: on
        // its left, touching it.
        assert!(
            x1 <= left + 1e-6,
            "note {number} right of {word}: {x0}..{x1}, {line:?}"
        );
        assert!(
            left - x1 < 0.5,
            "note {number} far from {word}: {x1} {left}"
        );
    }
    // In left-to-right text nothing changes: after the word, on its right.
    let b = book(&["Built in the 16th century, 1541[^1] in Europe[^2].\n\n[^1]: a.\n\n[^2]: b.\n"]);
    let glyphs = placed_glyphs(&set(&b, 30).document);
    for (number, word) in [("1", "1541"), ("2", "Europe")] {
        let ((x0, _), line) = note_and_its_line(&glyphs, number);
        let (_, right) = word_extent(&line, word, false);
        assert!(
            (x0 - right).abs() < 0.5,
            "note {number} not after {word}: {x0} {right}"
        );
    }
}

#[test]
fn note_numbers_after_chinese_and_japanese_get_no_latin_spacing() {
    // A raised note number is no Latin word: it sits against the
    // character before it, with no quarter-em gap.
    for (language, text, before) in [
        (
            "zh-Hans",
            "北京植物园有超过10000种植物[^1]。\n\n[^1]: 注。\n",
            "物",
        ),
        (
            "ja",
            "この町には3つの図書館があります[^1]。\n\n[^1]: 注。\n",
            "す",
        ),
    ] {
        let mut b = book(&[text]);
        b.meta.language = language.into();
        let glyphs = placed_glyphs(&set(&b, 30).document);
        let ((x0, _), line) = note_and_its_line(&glyphs, "1");
        let (_, right, c) = line
            .iter()
            .rfind(|g| g.1 <= x0 + 1e-6)
            .expect("a character before the note");
        assert_eq!(c, before, "{line:?}");
        assert!(
            (x0 - right).abs() < 0.3,
            "{language}: note at {x0}, {before} ends at {right} ({line:?})"
        );
        // A number written against the text still gets its space.
        let number = if language == "ja" { "3" } else { "10000" };
        let (left, _) = word_extent(&line, number, false);
        let (_, ideograph) = line
            .iter()
            .rfind(|g| g.1 <= left + 1e-6)
            .map(|g| (g.0, g.1))
            .expect("a character before the number");
        let gap = left - ideograph;
        assert!(
            (gap - crate::typeset::cjk::LATIN_GAP * 10.0).abs() < 0.5,
            "{language}: gap before {number}: {gap}"
        );
    }
}

#[test]
fn chinese_paragraphs_are_indented_two_characters() {
    for (language, ems) in [("zh-Hans", 2.0), ("ja", 1.0), ("en", 1.0)] {
        let mut b = book(&["# 标题\n\n第一段文字。\n\n第二段文字。\n"]);
        b.meta.language = language.into();
        let glyphs = placed_glyphs(&set(&b, 30).document);
        let first_x = |c: &str| {
            glyphs
                .iter()
                .filter(|g| g.4 == 10.0 && g.5 == c)
                .map(|g| g.2)
                .next()
                .unwrap_or_else(|| panic!("{c}"))
        };
        let indent = first_x("二") - first_x("一");
        assert!(
            (indent - ems * 10.0).abs() < 1e-6,
            "{language}: indent {indent}"
        );
    }
}
