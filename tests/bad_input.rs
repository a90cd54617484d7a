//! Bad input: each problem gives a clear message naming file:line:column
//! where known, exit code 1, no panic, and leaves earlier output alone.

mod common;

use std::path::Path;

use common::*;

/// Writes a small book into a temp folder: `files` are (relative path, bytes).
fn book(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    dir
}

/// Builds and expects failure; returns stderr.
fn fails(dir: &Path) -> String {
    fails_with(dir, &[])
}

/// Builds with `args` and expects failure; returns stderr.
fn fails_with(dir: &Path, args: &[&str]) -> String {
    let out = tempfile::tempdir().unwrap();
    let o = folio_build(dir, out.path(), args);
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(
        o.status.code(),
        Some(1),
        "expected exit 1, stderr:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "panic:\n{stderr}");
    assert!(stderr.contains("error: "), "{stderr}");
    assert_eq!(
        std::fs::read_dir(out.path()).unwrap().count(),
        0,
        "a failed build wrote files"
    );
    stderr
}

const CHAPTER: &[u8] = b"# One\n\nText.\n";

#[test]
fn no_book_yaml() {
    let dir = book(&[("a.md", CHAPTER)]);
    let err = fails(dir.path());
    assert!(err.contains("no book.yaml"), "{err}");
    assert!(err.contains("book.yaml"), "{err}");
}

#[test]
fn yaml_syntax_error_has_line_and_column() {
    let dir = book(&[
        ("book.yaml", b"title: A\nauthors: [unclosed\n"),
        ("a.md", CHAPTER),
    ]);
    let err = fails(dir.path());
    assert!(err.contains("book.yaml:"), "{err}");
    assert!(
        err.lines()
            .any(|l| l.contains("--> ") && l.matches(':').count() >= 2),
        "{err}"
    );
}

#[test]
fn unknown_key_is_named_with_a_suggestion() {
    let dir = book(&[("book.yaml", b"title: A\ntoc-dept: 2\n"), ("a.md", CHAPTER)]);
    let err = fails(dir.path());
    assert!(err.contains("unknown key `toc-dept`"), "{err}");
    assert!(err.contains("book.yaml:2:1"), "{err}");
    assert!(err.contains("did you mean `toc-depth`?"), "{err}");
}

#[test]
fn wrong_type_is_located() {
    let dir = book(&[
        ("book.yaml", b"title: A\npdf:\n  font-size: big\n"),
        ("a.md", CHAPTER),
    ]);
    let err = fails(dir.path());
    assert!(
        err.contains("`font-size` must be a number of points from 4 to 72"),
        "{err}"
    );
    assert!(err.contains("book.yaml:3:14"), "{err}");
}

#[test]
fn out_of_range_font_expansion_is_located() {
    let dir = book(&[
        (
            "book.yaml",
            b"title: A\npdf:\n  font-size: 11\n  font-expansion: 8\n",
        ),
        ("a.md", CHAPTER),
    ]);
    let err = fails(dir.path());
    assert!(
        err.contains("`font-expansion` must be a percentage from 0 to 5"),
        "{err}"
    );
    assert!(err.contains("book.yaml:4:"), "{err}");
    assert!(err.contains("from 0 (off) to 5"), "{err}");
}

#[test]
fn missing_chapter_points_at_its_entry() {
    let dir = book(&[
        ("book.yaml", b"title: A\nchapters:\n  - a.md\n  - gone.md\n"),
        ("a.md", CHAPTER),
    ]);
    let err = fails(dir.path());
    assert!(err.contains("chapter `gone.md` not found"), "{err}");
    assert!(err.contains("book.yaml:4:5"), "{err}");
}

#[test]
fn chapter_not_utf8_is_located() {
    let dir = book(&[
        ("book.yaml", b"title: A\n"),
        ("a.md", b"# One\n\nabc \xff\xfe def\n"),
    ]);
    let err = fails(dir.path());
    assert!(err.contains("not valid UTF-8"), "{err}");
    assert!(err.contains("a.md:3:5"), "{err}");
}

#[test]
fn chapter_outside_the_book_is_refused() {
    let dir = book(&[
        ("book/book.yaml", b"title: A\nchapters: [../secret.md]\n"),
        ("secret.md", CHAPTER),
    ]);
    let err = fails(&dir.path().join("book"));
    assert!(err.contains("outside the book folder"), "{err}");
    assert!(err.contains("book.yaml:2:"), "{err}");
}

/// Builds and expects success; returns stderr.
fn builds(dir: &Path) -> String {
    let out = tempfile::tempdir().unwrap();
    let o = folio_build(dir, out.path(), &[]);
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{stderr}");
    stderr
}

#[test]
fn image_outside_the_book_is_a_warning_and_strict_an_error() {
    let dir = book(&[
        ("book/book.yaml", b"title: A\n"),
        (
            "book/a.md",
            b"# One\n\n![x](../pic.png)\n\n![y](/abs/pic.png)\n",
        ),
        ("pic.png", b"not really"),
    ]);
    let book_dir = dir.path().join("book");
    let warned = builds(&book_dir);
    assert!(
        warned.contains("warning: image `../pic.png` is outside the book folder"),
        "{warned}"
    );
    assert!(warned.contains("a.md:3:1"), "{warned}");
    assert!(
        warned.contains("`/abs/pic.png` is an absolute path"),
        "{warned}"
    );
    let err = fails_with(&book_dir, &["--strict"]);
    assert!(
        err.contains("error: image `../pic.png` is outside"),
        "{err}"
    );
    assert!(
        err.contains("error: image `/abs/pic.png` is an absolute path"),
        "{err}"
    );
}

#[test]
fn missing_image_is_located_and_its_alt_text_printed() {
    let dir = book(&[
        ("book.yaml", b"title: A\n"),
        ("a.md", b"# One\n\nSee ![a map](map.png) here.\n"),
    ]);
    let out = tempfile::tempdir().unwrap();
    let o = folio_build(dir.path(), out.path(), &[]);
    let warned = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{warned}");
    assert!(
        warned.contains("warning: image `map.png` not found"),
        "{warned}"
    );
    assert!(warned.contains("a.md:3:5"), "{warned}");
    assert!(
        warned.contains("hint: paths are relative to the chapter file"),
        "{warned}"
    );
    let text = pdftotext(&out.path().join("a.pdf"), None);
    assert!(text.contains("a map"), "{text}");
    let err = fails_with(dir.path(), &["--strict"]);
    assert!(err.contains("error: image `map.png` not found"), "{err}");
}

#[test]
fn several_problems_are_reported_at_once() {
    let dir = book(&[
        ("book.yaml", b"title: A\nchapters: [a.md, b.md, c.md]\n"),
        ("a.md", CHAPTER),
    ]);
    let err = fails(dir.path());
    assert!(
        err.contains("`b.md` not found") && err.contains("`c.md` not found"),
        "{err}"
    );
    assert!(err.contains("build failed: 2 errors"), "{err}");
}

#[test]
fn failed_build_keeps_previous_output() {
    let dir = book(&[("book.yaml", b"title: Keep\n"), ("a.md", CHAPTER)]);
    let out = tempfile::tempdir().unwrap();
    let ok = folio_build(dir.path(), out.path(), &[]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let before: Vec<_> = ["keep.epub", "keep.pdf"]
        .iter()
        .map(|n| std::fs::read(out.path().join(n)).unwrap())
        .collect();
    std::fs::write(dir.path().join("a.md"), b"# One\n\n![gone](gone.png)\n").unwrap();
    let bad = folio_build(dir.path(), out.path(), &["--strict"]);
    assert_eq!(bad.status.code(), Some(1));
    let after: Vec<_> = ["keep.epub", "keep.pdf"]
        .iter()
        .map(|n| std::fs::read(out.path().join(n)).unwrap())
        .collect();
    assert_eq!(
        before, after,
        "previous output was changed by a failed build"
    );
    let names: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "temp files left behind: {names:?}");
}

#[test]
fn bad_source_date_epoch_is_a_usage_error() {
    let dir = book(&[("book.yaml", b"title: A\n"), ("a.md", CHAPTER)]);
    let out = tempfile::tempdir().unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_folio"))
        .args([
            "build",
            dir.path().to_str().unwrap(),
            "-o",
            out.path().to_str().unwrap(),
        ])
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("SOURCE_DATE_EPOCH"));
}

#[test]
fn help_and_version() {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_folio"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("folio "));
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(["build", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&o.stdout);
    for flag in ["--out", "--epub", "--pdf", "BOOK_DIR"] {
        assert!(help.contains(flag), "{help}");
    }
}

#[test]
fn both_or_neither_a_pdf_that_cannot_be_written_keeps_the_previous_epub_too() {
    let dir = book(&[("book.yaml", b"title: Pair\n"), ("a.md", CHAPTER)]);
    let out = tempfile::tempdir().unwrap();
    let ok = folio_build(dir.path(), out.path(), &[]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let epub = out.path().join("pair.epub");
    let before = std::fs::read(&epub).unwrap();
    // Change the book, and put a folder where the PDF must go: the new
    // EPUB is written first, the PDF cannot replace a folder.
    std::fs::write(dir.path().join("a.md"), b"# One\n\nOther text.\n").unwrap();
    let pdf = out.path().join("pair.pdf");
    std::fs::remove_file(&pdf).unwrap();
    std::fs::create_dir(&pdf).unwrap();
    std::fs::write(pdf.join("occupied"), b"x").unwrap();
    let bad = folio_build(dir.path(), out.path(), &[]);
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("previous output is left as it was"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(&epub).unwrap(),
        before,
        "the EPUB was replaced alone"
    );
    let mut names: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["pair.epub", "pair.pdf"],
        "temporary files left behind"
    );
}
