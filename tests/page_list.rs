//! Print page numbers in the EPUB: every body page of the PDF has a
//! page-list entry and a pagebreak marker standing right before the first
//! word of that page.

mod common;

use common::*;

/// A book long enough to break pages in mid-paragraph, from the sample
/// book's own paragraphs with some markup and notes mixed in.
fn long_book() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let sample: Vec<String> = [
        "01-opening.md",
        "02-who-were-the-taliban.md",
        "03-pakistan-and-afghanistan.md",
    ]
    .iter()
    .map(|f| std::fs::read_to_string(repo().join("book").join(f)).unwrap())
    .collect();
    let paragraphs: Vec<&str> = sample
        .iter()
        .flat_map(|s| s.split("\n\n"))
        .filter(|p| !p.starts_with('#') && !p.trim().is_empty())
        .collect();
    for chapter in 1..=2 {
        let mut md = format!("# Chapter {chapter}\n\n");
        for round in 0..5 {
            for (i, p) in paragraphs.iter().enumerate() {
                let p = p.trim();
                if i == 2 {
                    md.push_str(&format!("{} *Note well.*[^n{round}]\n\n", p));
                } else {
                    md.push_str(p);
                    md.push_str("\n\n");
                }
            }
            md.push_str(&format!("## Section {round}\n\n"));
        }
        for round in 0..5 {
            md.push_str(&format!("[^n{round}]: A note for round {round}.\n\n"));
        }
        std::fs::write(dir.path().join(format!("ch{chapter}.md")), md).unwrap();
    }
    std::fs::write(
        dir.path().join("book.yaml"),
        "title: Long Sample\nlanguage: en\n",
    )
    .unwrap();
    dir
}

fn normalize(word: &str) -> String {
    word.chars().filter(|c| c.is_alphanumeric()).collect()
}

#[test]
fn page_list_matches_the_pdf_pages() {
    let book = long_book();
    let out = tempfile::tempdir().unwrap();
    let (epub, pdf) = build_ok(book.path(), out.path());
    assert_epubcheck_clean(&epub);

    let nav = epub_file(&epub, "nav.xhtml");
    let doc = roxmltree::Document::parse(&nav).unwrap();
    let page_list = doc
        .descendants()
        .find(|n| {
            n.has_tag_name("nav")
                && n.attributes()
                    .any(|a| a.name() == "type" && a.value() == "page-list")
        })
        .expect("nav.xhtml has a page-list");
    let labels: Vec<String> = page_list
        .descendants()
        .filter(|n| n.has_tag_name("a"))
        .map(|a| a.text().unwrap_or("").trim().to_string())
        .collect();
    let pages = pdf_pages(&pdf);
    let front = pages - labels.len();
    assert!(
        labels.len() >= 6,
        "the fixture has several body pages: {labels:?}"
    );
    let expected: Vec<String> = (1..=labels.len()).map(|n| n.to_string()).collect();
    assert_eq!(labels, expected, "one entry per body page, in order");

    // Each marker stands before the first word of its PDF page.
    let mut checked = 0;
    for chapter in ["ch1.xhtml", "ch2.xhtml"] {
        let xhtml = epub_file(&epub, chapter);
        let doc = roxmltree::Document::parse(&xhtml).unwrap();
        let text_after = |node: roxmltree::Node| -> String {
            let mut s = String::new();
            let after = node.range().end;
            for n in doc
                .descendants()
                .filter(|n| n.is_text() && n.range().start >= after)
            {
                // Note references and their asides are not running text.
                let in_note = n.ancestors().any(|a| {
                    a.attributes().any(|x| {
                        x.name() == "type" && (x.value() == "noteref" || x.value() == "footnote")
                    })
                });
                if in_note {
                    continue;
                }
                s.push_str(n.text().unwrap_or(""));
                if s.split_whitespace().count() > 3 {
                    break;
                }
            }
            s
        };
        for marker in doc.descendants().filter(|n| {
            n.attributes()
                .any(|a| a.name() == "type" && a.value() == "pagebreak")
        }) {
            let label = marker
                .attribute("aria-label")
                .or_else(|| marker.attribute("title"))
                .expect("pagebreak has a label")
                .to_string();
            let n: usize = label.parse().unwrap();
            let after = text_after(marker);
            let first = normalize(after.split_whitespace().next().unwrap_or(""));
            let second = after.split_whitespace().nth(1).unwrap_or("").to_string();
            let page_text = pdftotext(&pdf, Some((front + n, front + n)));
            let mut tokens: Vec<String> = page_text
                .split_whitespace()
                .map(normalize)
                .filter(|w| !w.is_empty())
                .collect();
            if first == "Chapter" {
                // A chapter opening: the marker stands before the heading.
                assert_eq!(tokens[0], "Chapter", "page {label}");
            } else {
                // Drop the running head: the book title or the chapter's.
                assert!(
                    tokens[0] == "Long" || tokens[0] == "Chapter",
                    "page {label}: {tokens:?}"
                );
                tokens.drain(..2);
                // A page may open with the tail of a word hyphenated on the
                // page before; the marker then stands before that word.
                let tail = tokens[0] != first && first.ends_with(tokens[0].as_str());
                let ok = tokens[0] == first || (tail && tokens[1] == normalize(&second));
                assert!(
                    ok,
                    "page {label}: the EPUB marker is before `{first}`, the PDF page begins {:?}",
                    &tokens[..4]
                );
            }
            checked += 1;
        }
    }
    assert_eq!(
        checked,
        labels.len(),
        "every page-list entry has its marker"
    );
}
