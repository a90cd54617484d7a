//! Nothing lost, nothing off the page: every fixture book, built end to
//! end, shows in its PDF every word and image its EPUB shows, draws no
//! glyph off the page, over another line or as a box, and its chapters'
//! XHTML and the PDF's text match the golden files in tests/golden/
//! (refreshed with `FOLIO_BLESS=1 cargo test --test nothing_lost`).

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// The fixture books, by folder under tests/fixtures.
const FIXTURES: &[&str] = &[
    "features",
    "hostile",
    "readme",
    "commonmark",
    "scripts/ar",
    "scripts/el",
    "scripts/he",
    "scripts/hi",
    "scripts/ja",
    "scripts/ru",
    "scripts/th",
    "scripts/zh",
];

/// Fixtures whose output is compared with golden files: those set only
/// in the repository's fonts (the others depend on the system's).
const GOLDEN: &[&str] = &["features", "hostile", "readme", "commonmark"];

fn build(fixture: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let (epub, pdf) = build_ok(&common::fixture(fixture), out.path());
    (out, epub, pdf)
}

#[test]
fn every_word_and_image_of_the_epub_is_in_the_pdf() {
    let mut failures = Vec::new();
    for fixture in FIXTURES {
        let (_out, epub, pdf) = build(fixture);
        let p = parity::compare(&epub, &pdf);
        eprintln!(
            "{fixture}: {} words, {:.2} % in the PDF; images raster {}/{} svg {}/{}",
            p.epub_words,
            p.words_percent(),
            p.pdf_raster,
            p.epub_raster,
            p.pdf_svg,
            p.epub_svg
        );
        if p.missing_count() > 0 {
            failures.push(format!(
                "{fixture}: words missing from the PDF: {:?}",
                p.missing
            ));
        }
        if p.pdf_raster < p.epub_raster || p.pdf_svg < p.epub_svg {
            failures.push(format!(
                "{fixture}: the EPUB shows {} raster and {} SVG images, the PDF draws {} and {}",
                p.epub_raster, p.epub_svg, p.pdf_raster, p.pdf_svg
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn no_glyph_off_the_page_over_another_line_or_as_a_box() {
    let mut failures = Vec::new();
    for fixture in FIXTURES {
        let (_out, _epub, pdf) = build(fixture);
        let pages = trace::trace(&pdf);
        assert!(!pages.is_empty() && pages.iter().any(|p| !p.glyphs.is_empty()));
        let placed = trace::placement(&pages);
        if !placed.is_clean() {
            failures.push(format!("{fixture}: {placed:#?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Compares `actual` with the golden file, or writes it when blessing.
fn golden(path: &Path, actual: &str) -> Option<String> {
    if std::env::var_os("FOLIO_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, actual).unwrap();
        return None;
    }
    match std::fs::read_to_string(path) {
        Ok(expected) if expected == actual => None,
        Ok(expected) => {
            let line = expected
                .lines()
                .zip(actual.lines())
                .position(|(a, b)| a != b)
                .map_or(expected.lines().count().min(actual.lines().count()), |i| i);
            Some(format!(
                "{} differs from the build at line {}:\n  golden: {:?}\n  built:  {:?}",
                path.display(),
                line + 1,
                expected.lines().nth(line).unwrap_or(""),
                actual.lines().nth(line).unwrap_or("")
            ))
        }
        Err(_) => Some(format!("{} is missing", path.display())),
    }
}

#[test]
fn chapters_and_pdf_text_match_the_golden_files() {
    let root = repo().join("tests/golden");
    let mut failures = Vec::new();
    for fixture in GOLDEN {
        let (_out, epub, pdf) = build(fixture);
        let dir = root.join(fixture);
        let mut expected: Vec<PathBuf> = Vec::new();
        for (name, xhtml) in parity::epub_chapters(&epub) {
            let path = dir.join(&name);
            failures.extend(golden(&path, &xhtml));
            expected.push(path);
        }
        let path = dir.join("book.pdf.txt");
        failures.extend(golden(&path, &pdftotext(&pdf, None)));
        expected.push(path);
        // No stale golden files: a chapter that is no longer written.
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                if !expected.contains(&e.path()) {
                    if std::env::var_os("FOLIO_BLESS").is_some() {
                        std::fs::remove_file(e.path()).unwrap();
                    } else {
                        failures.push(format!("{} is not written any more", e.path().display()));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n(refresh with FOLIO_BLESS=1 cargo test --test nothing_lost if the change is meant)",
        failures.join("\n")
    );
}

#[test]
fn the_checks_can_fail() {
    // Parity: the feature book's EPUB against another book's PDF.
    let (_a, epub, _) = build("features");
    let (_b, _, other_pdf) = build("commonmark");
    let p = parity::compare(&epub, &other_pdf);
    assert!(p.missing_count() > 100, "{p:?}");
    assert!(p.pdf_raster < p.epub_raster, "{p:?}");
    // Placement: a glyph past the page edge, one line printed over another,
    // and a box.
    let pages = trace::parse(
        r#"<page number="1" mediabox="0 0 100 100">
<span font="F" trm="10 0 0 10">
<g unicode="a" glyph="a" x="97" y="50" adv=".5"/>
<g unicode="b" glyph="b" x="10" y="20" adv=".5"/>
<g unicode="c" glyph="c" x="10" y="25" adv=".5"/>
<g unicode="d" glyph=".notdef" x="40" y="40" adv=".5"/>
</span>
</page>"#,
    );
    let placed = trace::placement(&pages);
    assert_eq!(
        (
            placed.off_page.len(),
            placed.overprint.len(),
            placed.notdef.len()
        ),
        (1, 1, 1),
        "{placed:#?}"
    );
}
