//! The feature fixture (every Markdown construct Folio reads) through both
//! writers, checked with the validators and for the structures each
//! feature must produce.

mod common;

use common::*;

fn build_features() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let (epub, pdf) = build_ok(&fixture("features"), out.path());
    (out, epub, pdf)
}

/// The TOC the fixture's headings must give (h4 is beyond toc-depth 3; the
/// h3 right after the h1 nests under it).
fn expected_toc() -> Vec<(usize, String)> {
    [
        (0, "Basics: Emphasis, Code & <Links>"),
        (1, "Lists"),
        (1, "Quotes & Code"),
        (0, "Structures"),
        (1, "Skipped Level Straight to Three"),
        (1, "Tables"),
        (1, "Definitions"),
        (1, "Figures & Math"),
        (1, "Duplicate"),
        (1, "Duplicate"),
    ]
    .into_iter()
    .map(|(d, s)| (d, s.to_string()))
    .collect()
}

#[test]
fn epub_passes_epubcheck() {
    let (_dir, epub, _) = build_features();
    assert_epubcheck_clean(&epub);
}

#[test]
fn pdf_is_valid() {
    let (_dir, _, pdf) = build_features();
    assert_qpdf_clean(&pdf);
    let fonts = assert_fonts_embedded(&pdf);
    assert!(
        fonts.iter().any(|f| f.contains("Inconsolata")),
        "code font embedded: {fonts:?}"
    );
    assert!(fonts.iter().any(|f| f.contains("Italic")), "{fonts:?}");
    assert!(fonts.iter().any(|f| f.contains("Bold")), "{fonts:?}");
}

#[test]
fn toc_nests_the_same_in_all_four_places() {
    let (_dir, epub, pdf) = build_features();
    assert_eq!(nav_toc(&epub), expected_toc(), "nav.xhtml");
    assert_eq!(ncx_toc(&epub), expected_toc(), "toc.ncx");
    assert_eq!(pdf_outline(&pdf), expected_toc(), "PDF outline");
    let front = pdftotext(&pdf, Some((1, 4)));
    let flat = front.split_whitespace().collect::<Vec<_>>().join(" ");
    for (_, label) in expected_toc() {
        assert!(
            flat.contains(&label),
            "contents page lacks `{label}`:\n{front}"
        );
    }
}

#[test]
fn epub_structures() {
    let (_dir, epub, _) = build_features();
    let names = epub_names(&epub);
    assert_eq!(names[0], "mimetype", "mimetype must be the first entry");
    assert!(
        names.iter().any(|n| n.ends_with(".png")),
        "image packaged: {names:?}"
    );
    let ch1 = epub_file(&epub, "01-basics.xhtml");
    let ch2 = epub_file(&epub, "02-structures.xhtml");
    for (name, xhtml) in [("ch1", &ch1), ("ch2", &ch2)] {
        roxmltree::Document::parse(xhtml)
            .unwrap_or_else(|e| panic!("{name} is not well-formed: {e}"));
    }
    assert!(ch1.contains("epub:type=\"noteref\""), "noteref");
    assert!(ch1.contains("epub:type=\"footnote\""), "footnote aside");
    assert!(ch1.contains("Hello &amp; &lt;goodbye&gt;"), "code escaped");
    assert!(
        ch1.contains("<del>") || ch1.contains("<s>"),
        "strikethrough"
    );
    assert!(
        ch1.contains("<sub>") && ch1.contains("<sup>"),
        "sub/superscript"
    );
    assert!(
        ch1.contains("href=\"https://example.org/path?a=1&amp;b=2\""),
        "link escaped"
    );
    assert!(ch2.contains("<table") && ch2.contains("<thead"), "table");
    assert!(
        ch2.contains("<dl") && ch2.contains("<dd"),
        "definition list"
    );
    assert!(
        ch2.contains("<figure") && ch2.contains("alt=\"A gradient from red to blue\""),
        "figure"
    );
    assert!(
        ch2.contains("01-basics.xhtml#lists"),
        "cross-chapter link resolved"
    );
    assert!(
        ch2.contains("id=\"duplicate\"") && ch2.contains("id=\"duplicate-1\""),
        "unique ids"
    );
}

#[test]
fn pdf_text_has_ligatures_as_letters_and_every_feature() {
    let (_dir, _, pdf) = build_features();
    let text = pdftotext(&pdf, None);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "office",
        "affluent",
        "fjord",
        "flight",
        "Islamabad",
        "Hello & <goodbye>",
        "Durand Line",
        "The second footnote.",
    ] {
        assert!(
            flat.contains(needle),
            "`{needle}` missing from the PDF text"
        );
    }
    assert!(!text.contains('\u{FFFD}'));
}

#[test]
fn builds_are_byte_identical() {
    let (_a, e1, p1) = build_features();
    let (_b, e2, p2) = build_features();
    assert_eq!(std::fs::read(e1).unwrap(), std::fs::read(e2).unwrap());
    assert_eq!(std::fs::read(p1).unwrap(), std::fs::read(p2).unwrap());
}
