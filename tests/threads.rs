//! Builds on one thread and on several give the same files byte for byte:
//! chapters composed in parallel, PDF pages deflated on a second thread,
//! and the EPUB written while the typesetter finishes the pages.

mod common;

use std::path::Path;

use common::*;

/// A book of several chapters with what carries state from chapter to
/// chapter: footnotes, tables, headings, a word too long for the measure.
fn write_book(dir: &Path) {
    let words = [
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
        "administrators",
        "who",
        "never",
        "visited",
        "it",
    ];
    let prose = |n: usize, seed: usize| -> String {
        (0..n)
            .map(|i| words[(i * 7 + seed * 3) % words.len()])
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut chapters = Vec::new();
    for c in 0..6 {
        let name = format!("ch{c}.md");
        let text = format!(
            "# Chapter {c}\n\n{}[^n{c}] Antidisestablishmentarianismforevermoreandeverlastinglyandthensomemoreletters.\n\n\
             ## Part {c}\n\n| a | b |\n|---|---|\n| {} | 2 |\n\n{}\n\n{}\n\n[^n{c}]: A note: {}.\n",
            prose(300 + 50 * c, c),
            prose(3, c + 1),
            prose(500, c + 2),
            prose(250, c + 3),
            prose(40, c + 4),
        );
        std::fs::write(dir.join(&name), text).unwrap();
        chapters.push(format!("  - {name}"));
    }
    std::fs::write(
        dir.join("book.yaml"),
        format!(
            "title: Threads\nlanguage: en\nchapters:\n{}\npdf:\n  page-size: 6x9in\n  font-size: 11\n",
            chapters.join("\n")
        ),
    )
    .unwrap();
}

#[test]
fn any_number_of_threads_builds_the_same_bytes() {
    let book = tempfile::tempdir().unwrap();
    write_book(book.path());
    let build = |threads: &str| {
        let out = tempfile::tempdir().unwrap();
        let o = folio_build(book.path(), out.path(), &["--threads", threads]);
        assert!(
            o.status.success(),
            "--threads {threads} failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let read = |ext: &str| std::fs::read(out.path().join(format!("threads.{ext}"))).unwrap();
        (
            read("epub"),
            read("pdf"),
            String::from_utf8(o.stderr).unwrap(),
        )
    };
    let (epub, pdf, warnings) = build("1");
    // The long word is warned about once per chapter: six warnings,
    // printed as one with a count.
    assert_eq!(warnings.matches("too long").count(), 1, "{warnings}");
    assert!(
        warnings.contains("5 more like this (6 in all)"),
        "{warnings}"
    );
    for threads in ["2", "3", "0"] {
        let (e, p, w) = build(threads);
        assert!(e == epub, "EPUB differs with --threads {threads}");
        assert!(p == pdf, "PDF differs with --threads {threads}");
        assert_eq!(w, warnings, "warnings differ with --threads {threads}");
    }
}
