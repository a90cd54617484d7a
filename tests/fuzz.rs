//! Property tests on generated input: Markdown with raw HTML, entities,
//! deep nesting and everything in between. For any such chapter the build
//! never panics, every XHTML document of the EPUB is well-formed XML, and
//! the PDF parses; a book of many generated chapters passes EPUBCheck and
//! `qpdf --check`.
//!
//! `FOLIO_FUZZ_CASES=N` sets how many chapters the in-memory property
//! tries (default 128, a short run for CI); `FOLIO_FUZZ_PDF=0` leaves out
//! the PDF, for long runs of the Markdown and EPUB stages alone:
//!
//! ```sh
//! FOLIO_FUZZ_CASES=1000000 FOLIO_FUZZ_PDF=0 cargo test --release --test fuzz
//! ```

mod common;

use std::io::Read;
use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use common::*;

/// Words, with what trips parsers: delimiters, entities, escapes.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z]{1,12}",
        1 => "[0-9]{1,5}",
        1 => Just("Ünïcödé".to_string()),
        1 => Just("漢字".to_string()),
        1 => Just("مرحبا".to_string()),
        1 => prop::sample::select(vec![
            "*", "**", "_", "~", "~~", "^", "`", "``", "\\", "[", "]", "(", ")", "<", ">", "&",
            "&amp;", "&nbsp;", "&#0;", "&#xD800;", "&#65;", "&bogus;", "&copy", "|", "#", "$",
            "$$", "!", "\u{1}", "\u{FFFE}", "\u{AD}", "[^n]", "H~2~O", "x^2^", "-->", "<!--",
        ])
        .prop_map(String::from),
    ]
}

/// An HTML tag, open or close, with attributes good and bad.
fn tag() -> impl Strategy<Value = String> {
    let names = prop::sample::select(vec![
        "p",
        "div",
        "span",
        "b",
        "i",
        "em",
        "strong",
        "table",
        "thead",
        "tbody",
        "tr",
        "td",
        "th",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "details",
        "summary",
        "figure",
        "figcaption",
        "blockquote",
        "pre",
        "code",
        "sup",
        "sub",
        "kbd",
        "mark",
        "small",
        "a",
        "center",
        "h1",
        "h3",
        "script",
        "style",
        "svg",
        "iframe",
        "form",
        "input",
        "br",
        "hr",
        "img",
        "T",
        "my-widget",
        "caption",
        "ruby",
        "rt",
        "rp",
        "q",
        "abbr",
        "section",
    ]);
    let attrs = prop::sample::select(vec![
        "",
        " id=\"x\"",
        " id=\"1bad\"",
        " name=\"anchor\"",
        " class=\"a b\"",
        " lang=\"fr\"",
        " dir=\"rtl\"",
        " align=\"center\"",
        " href=\"https://example.org/a b\"",
        " href=\"#x\"",
        " href=\"javascript:alert(1)\"",
        " src=\"pic.png\" alt=\"pic\"",
        " src=\"missing.png\"",
        " src=\"/abs.png\"",
        " colspan=\"3\"",
        " rowspan=\"2\"",
        " onclick=\"x()\"",
        " style=\"color:red\"",
        " type=\"checkbox\" checked",
        " width=\"50\"",
    ]);
    (names, attrs, 0..4u8).prop_map(|(n, a, kind)| match kind {
        0 | 1 => format!("<{n}{a}>"),
        2 => format!("</{n}>"),
        _ => format!("<{n}{a}/>"),
    })
}

/// A few words.
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(word(), 1..12).prop_map(|w| w.join(" "))
}

/// One line-level piece of a chapter.
fn piece() -> impl Strategy<Value = String> {
    let text = text;
    prop_oneof![
        6 => text(),
        3 => tag(),
        1 => (1..7usize, text()).prop_map(|(n, t)| format!("{} {t}", "#".repeat(n))),
        1 => (0..6usize, prop::sample::select(vec!["- ", "1. ", "* ", "- [x] ", "> "]))
            .prop_map(|(d, m)| format!("{}{m}", "  ".repeat(d))),
        1 => Just("```rust\nfn main() {}\n```".to_string()),
        1 => Just("| a | b |\n|---|:-:|\n| 1 | 2 |".to_string()),
        1 => text().prop_map(|t| format!("[{t}](https://example.org/{})", t.len())),
        1 => text().prop_map(|t| format!("![{t}](pic.png)")),
        1 => Just("[^n]: A note.".to_string()),
        1 => Just("Term\n: definition".to_string()),
        1 => Just("$$\n\\frac{a}{b}\n$$".to_string()),
        1 => (1..80usize).prop_map(|n| ">".repeat(n) + " deep"),
        1 => (1..40usize).prop_map(|n| "<div>".repeat(n)),
        1 => Just("---".to_string()),
        1 => Just("".to_string()),
    ]
}

/// A chapter: pieces joined by line ends or blank lines.
fn chapter() -> impl Strategy<Value = String> {
    prop::collection::vec((piece(), prop::bool::ANY), 1..30).prop_map(|pieces| {
        let mut md = String::from("# Chapter\n\n");
        for (p, blank) in pieces {
            md.push_str(&p);
            md.push_str(if blank { "\n\n" } else { "\n" });
        }
        md
    })
}

fn cases() -> u32 {
    std::env::var("FOLIO_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(128)
}

/// Every XHTML document of an EPUB (in memory) parses as XML.
fn check_epub(bytes: &[u8]) -> Result<(), String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| e.to_string())?;
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).map_err(|e| e.to_string())?;
        let name = f.name().to_string();
        if name.ends_with(".xhtml") || name.ends_with(".opf") || name.ends_with(".ncx") {
            let mut s = String::new();
            f.read_to_string(&mut s).map_err(|e| e.to_string())?;
            roxmltree::Document::parse(&s).map_err(|e| format!("{name}: {e}"))?;
        }
    }
    Ok(())
}

fn write_book(dir: &Path, chapters: &[String]) {
    std::fs::write(dir.join("book.yaml"), "title: Generated\nauthors: [Fuzz]\n").unwrap();
    std::fs::write(
        dir.join("pic.png"),
        include_bytes!("fixtures/features/images/gradient.png"),
    )
    .unwrap();
    for (i, md) in chapters.iter().enumerate() {
        std::fs::write(dir.join(format!("ch{i:03}.md")), md).unwrap();
    }
}

#[test]
fn any_markdown_builds_well_formed_xhtml_and_a_readable_pdf() {
    let with_pdf = std::env::var("FOLIO_FUZZ_PDF").map_or(true, |v| v != "0");
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let dir = tempfile::tempdir().unwrap();
    runner
        .run(&chapter(), |md| {
            // Chapters from earlier cases are overwritten: one per case.
            write_book(dir.path(), std::slice::from_ref(&md));
            let loaded = folio::load_book(dir.path(), Some(1_700_000_000))
                .map_err(|d| TestCaseError::fail(format!("{d}\n---\n{md}")))?;
            let (epub, _) = folio::render_epub(&loaded, &[])
                .map_err(|d| TestCaseError::fail(format!("{d}\n---\n{md}")))?;
            check_epub(&epub).map_err(|e| TestCaseError::fail(format!("{e}\n---\n{md}")))?;
            if with_pdf {
                match folio::render_pdf(&loaded) {
                    Ok(pdf) => {
                        lopdf::Document::load_mem(&pdf.bytes).map_err(|e| {
                            TestCaseError::fail(format!("PDF does not parse: {e}\n---\n{md}"))
                        })?;
                    }
                    // Only text no font has may stop the PDF (an error by
                    // design, with its place); nothing else.
                    Err(d) if d.0.iter().all(|e| e.message.contains("no font has")) => {}
                    Err(d) => return Err(TestCaseError::fail(format!("{d}\n---\n{md}"))),
                }
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn a_book_of_generated_chapters_passes_epubcheck_and_qpdf() {
    let mut runner = TestRunner::new(Config {
        cases: 1,
        failure_persistence: None,
        ..Config::default()
    });
    let chapters = prop::collection::vec(chapter(), 40);
    let tree = chapters.new_tree(&mut runner).unwrap();
    let chapters = proptest::strategy::ValueTree::current(&tree);
    let dir = tempfile::tempdir().unwrap();
    write_book(dir.path(), &chapters);
    let out = tempfile::tempdir().unwrap();
    let (epub, pdf) = build_ok(dir.path(), out.path());
    assert_epubcheck_clean(&epub);
    assert_qpdf_clean(&pdf);
}
