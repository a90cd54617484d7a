//! The sample book end to end: both artifacts built from book/, validated
//! with the real tools, the TOC identical in all four places, every word
//! of the text in the PDF, and byte-identical rebuilds.

mod common;

use common::*;

fn build_sample() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let (epub, pdf) = build_ok(&repo().join("book"), out.path());
    (out, epub, pdf)
}

/// The headings of the sample book, read from its chapters.
fn headings() -> Vec<String> {
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(repo().join("book"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    for f in files {
        for line in std::fs::read_to_string(f).unwrap().lines() {
            if let Some(h) = line.strip_prefix("# ") {
                out.push(h.trim().to_string());
            }
        }
    }
    out
}

/// Lower-case letters and digits of a text, for comparing across line breaks
/// and hyphenation.
fn letters(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[test]
fn epub_passes_epubcheck() {
    let (_dir, epub, _) = build_sample();
    assert_epubcheck_clean(&epub);
}

#[test]
fn pdf_is_valid_with_embedded_fonts() {
    let (_dir, _, pdf) = build_sample();
    assert_qpdf_clean(&pdf);
    let fonts = assert_fonts_embedded(&pdf);
    assert!(
        fonts.iter().any(|f| f.contains("GentiumBookPlus")),
        "{fonts:?}"
    );
    // Subset fonts carry a six-letter tag.
    assert!(
        fonts.iter().all(|f| f.len() > 7 && f.as_bytes()[6] == b'+'),
        "{fonts:?}"
    );
}

#[test]
fn every_word_of_the_book_is_in_the_pdf_in_order() {
    let (_dir, _, pdf) = build_sample();
    let text = pdftotext(&pdf, None);
    let stream = letters(&text);
    let mut cursor = 0;
    let mut files: Vec<_> = std::fs::read_dir(repo().join("book"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    // Running heads and folios may sit between two words across a page
    // break, so a small gap is allowed; anything more means lost text.
    const MAX_GAP: usize = 160;
    for f in files {
        let source = std::fs::read_to_string(&f).unwrap();
        for word in source
            .split_whitespace()
            .map(letters)
            .filter(|w| !w.is_empty())
        {
            let found = stream[cursor..].find(&word).unwrap_or_else(|| {
                panic!(
                    "`{word}` of {} not found in the PDF after offset {cursor}",
                    f.display()
                )
            });
            assert!(
                found <= MAX_GAP,
                "`{word}` found {found} letters further than expected"
            );
            cursor += found + word.len();
        }
    }
    // Ligatures extract as letters.
    assert!(!text.contains('\u{FB01}') && !text.contains('\u{FB02}') && !text.contains('\u{FFFD}'));
}

#[test]
fn toc_is_the_headings_in_nav_ncx_contents_page_and_outline() {
    let (_dir, epub, pdf) = build_sample();
    let expected: Vec<(usize, String)> = headings().into_iter().map(|h| (0, h)).collect();
    assert_eq!(expected.len(), 2);
    assert_eq!(nav_toc(&epub), expected, "nav.xhtml");
    assert_eq!(ncx_toc(&epub), expected, "toc.ncx");
    assert_eq!(pdf_outline(&pdf), expected, "PDF outline");
    // The contents page lists every heading with a page number.
    let contents = pdftotext(&pdf, Some((1, 4)));
    let flat = contents.split_whitespace().collect::<Vec<_>>().join(" ");
    for (_, h) in &expected {
        assert!(
            flat.contains(h.as_str()),
            "contents page lacks `{h}`:\n{contents}"
        );
    }
    // The `&` heading survives escaping everywhere.
    assert!(expected.iter().any(|(_, h)| h.contains('&')));
}

#[test]
fn builds_are_byte_identical() {
    let (_a, epub1, pdf1) = build_sample();
    let (_b, epub2, pdf2) = build_sample();
    assert_eq!(
        std::fs::read(&epub1).unwrap(),
        std::fs::read(&epub2).unwrap(),
        "EPUB differs"
    );
    assert_eq!(
        std::fs::read(&pdf1).unwrap(),
        std::fs::read(&pdf2).unwrap(),
        "PDF differs"
    );
}

#[test]
fn source_date_epoch_sets_the_dates() {
    let (_dir, epub, pdf) = build_sample();
    let opf = epub_file(&epub, ".opf");
    assert!(
        opf.contains("2023-11-14T22:13:20Z"),
        "dcterms:modified from SOURCE_DATE_EPOCH:\n{opf}"
    );
    let info = stdout(&tool("pdfinfo", &[pdf.to_str().unwrap()]));
    assert!(info.contains("2023"), "{info}");
    assert!(info.contains("Pakistan and the Taliban"), "{info}");
}
