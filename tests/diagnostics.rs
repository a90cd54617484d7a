//! Diagnostics as the user sees them, kept as golden text files in
//! `tests/diagnostics/` (plain rendering, as in a pipe). After a deliberate
//! change, refresh them all with
//!
//!     FOLIO_BLESS=1 cargo test --test diagnostics
//!
//! and read the diff before committing it.

mod common;

use std::process::Command;

use common::*;

/// Writes a book into `<tmp>/book`, builds it from `<tmp>` (so paths print
/// as `book/…`) and compares stderr with `tests/diagnostics/NAME.txt`.
/// Returns the exit code.
fn snapshot(name: &str, files: &[(&str, &[u8])], extra: &[&str]) -> Option<i32> {
    let dir = tempfile::tempdir().unwrap();
    for (file, bytes) in files {
        let path = dir.path().join("book").join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let o = Command::new(env!("CARGO_BIN_EXE_folio"))
        .current_dir(dir.path())
        .args(["build", "book", "-o", "out"])
        .args(extra)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env_remove("NO_COLOR")
        .output()
        .expect("the folio binary runs");
    let stderr = String::from_utf8(o.stderr).expect("stderr is UTF-8");
    assert!(!stderr.contains('\u{1b}'), "colour in a pipe:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let golden = repo().join("tests/diagnostics").join(format!("{name}.txt"));
    if std::env::var_os("FOLIO_BLESS").is_some() {
        std::fs::write(&golden, &stderr).unwrap();
    } else {
        let expected = std::fs::read_to_string(&golden).unwrap_or_else(|_| {
            panic!(
                "no golden file {}: run `FOLIO_BLESS=1 cargo test --test diagnostics`",
                golden.display()
            )
        });
        assert_eq!(
            stderr,
            expected,
            "stderr differs from {} (refresh with FOLIO_BLESS=1 if the change is meant)",
            golden.display()
        );
    }
    o.status.code()
}

const CHAPTER: &[u8] = b"# One\n\nText.\n";

#[test]
fn unknown_key() {
    let code = snapshot(
        "unknown-key",
        &[
            (
                "book.yaml",
                b"title: A Book\ntoc-dept: 2\npdf:\n  font-sise: 11\n",
            ),
            ("a.md", CHAPTER),
        ],
        &[],
    );
    assert_eq!(code, Some(1));
}

#[test]
fn wrong_type() {
    let code = snapshot(
        "wrong-type",
        &[
            ("book.yaml", b"title: A Book\ntoc-depth: deep\n"),
            ("a.md", CHAPTER),
        ],
        &[],
    );
    assert_eq!(code, Some(1));
}

#[test]
fn several_errors_at_once() {
    let yaml = b"title: A Book\n\
authors:\n  name: Jane Doe\n\
language: english!\n\
font-size: 11\n\
pdf:\n  page-size: huge\n  margins:\n    top: 2 furlongs\n  chapters-on-recto: sometimes\n\
epub:\n  split-level: 9\n";
    let code = snapshot(
        "several-errors",
        &[("book.yaml", yaml), ("a.md", CHAPTER)],
        &[],
    );
    assert_eq!(code, Some(1));
}

#[test]
fn unclosed_quote() {
    let code = snapshot(
        "unclosed-quote",
        &[
            (
                "book.yaml",
                b"title: \"A Book\nsubtitle: Stories\nlanguage: en\nauthors: [Jane Doe]\n",
            ),
            ("a.md", CHAPTER),
        ],
        &[],
    );
    assert_eq!(code, Some(1));
}

#[test]
fn unclosed_bracket() {
    let code = snapshot(
        "unclosed-bracket",
        &[
            (
                "book.yaml",
                b"title: A Book\nauthors: [Jane Doe, John Roe\nlanguage: en\n",
            ),
            ("a.md", CHAPTER),
        ],
        &[],
    );
    assert_eq!(code, Some(1));
}

#[test]
fn missing_image_in_a_chapter() {
    let code = snapshot(
        "missing-image",
        &[
            ("book.yaml", b"title: A Book\n"),
            (
                "01-one.md",
                b"# One\n\nA map of the valley:\n\n![The valley](images/valley.png)\n",
            ),
        ],
        // A missing image is a warning; `--strict` makes it an error.
        &["--strict"],
    );
    assert_eq!(code, Some(1));
}

/// Images no book can hold (remote ones, never fetched): one warning per
/// image, grouped into one with a count.
fn remote_images_chapter() -> Vec<u8> {
    let mut text = String::from("# One\n\nPictures of the valley:\n\n");
    for n in 1..=6 {
        text.push_str(&format!(
            "![View {n}](https://example.org/view-{n}.png)\n\n"
        ));
    }
    text.into_bytes()
}

#[test]
fn grouped_repeated_warnings() {
    let chapter = remote_images_chapter();
    let code = snapshot(
        "grouped-warnings",
        &[("book.yaml", b"title: A Book\n"), ("a.md", &chapter)],
        &["--pdf"],
    );
    assert_eq!(code, Some(0), "warnings alone do not fail a build");
}

#[test]
fn deny_warnings_fails_and_writes_nothing() {
    let chapter = remote_images_chapter();
    let code = snapshot(
        "deny-warnings",
        &[("book.yaml", b"title: A Book\n"), ("a.md", &chapter)],
        &["--pdf", "--deny-warnings"],
    );
    assert_eq!(code, Some(1));
}

#[test]
fn deny_warnings_leaves_the_output_folder_alone() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("book.yaml"), "title: Quiet\n").unwrap();
    std::fs::write(dir.path().join("a.md"), remote_images_chapter()).unwrap();
    let out = dir.path().join("out");
    let o = folio_build(dir.path(), &out, &["--deny-warnings"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!out.join("quiet.pdf").exists() && !out.join("quiet.epub").exists());
    // The same book without the flag builds.
    let o = folio_build(dir.path(), &out, &[]);
    assert_eq!(o.status.code(), Some(0));
    assert!(out.join("quiet.pdf").exists());
    // A clean book passes under --deny-warnings.
    std::fs::write(dir.path().join("a.md"), CHAPTER).unwrap();
    let o = folio_build(dir.path(), &out, &["--deny-warnings"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn colour_is_only_escapes_around_the_plain_text() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("book.yaml"), "title: A\ntoc-dept: 2\n").unwrap();
    std::fs::write(dir.path().join("a.md"), CHAPTER).unwrap();
    let run = |color: &str| {
        let o = Command::new(env!("CARGO_BIN_EXE_folio"))
            .args(["build", "--color", color])
            .arg(dir.path())
            .arg("-o")
            .arg(dir.path().join("out"))
            .output()
            .unwrap();
        String::from_utf8(o.stderr).unwrap()
    };
    let always = run("always");
    let never = run("never");
    let auto = run("auto");
    assert!(always.contains("\u{1b}["), "{always}");
    assert!(!never.contains('\u{1b}') && !auto.contains('\u{1b}'));
    assert_eq!(strip_ansi(&always), never);
    assert_eq!(auto, never, "auto in a pipe is plain");
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut in_escape = false;
    for c in s.chars() {
        match (in_escape, c) {
            (false, '\u{1b}') => in_escape = true,
            (true, 'm') => in_escape = false,
            (true, _) => {}
            (false, c) => out.push(c),
        }
    }
    out
}

#[test]
fn golden_files_have_no_stray_cases() {
    // Every golden file belongs to a test above: a renamed case leaves none behind.
    let known = [
        "unknown-key",
        "wrong-type",
        "several-errors",
        "unclosed-quote",
        "unclosed-bracket",
        "missing-image",
        "grouped-warnings",
        "deny-warnings",
        "unsupported-math",
    ];
    for entry in std::fs::read_dir(repo().join("tests/diagnostics")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let stem = name.trim_end_matches(".txt");
        assert!(known.contains(&stem), "stray golden file {name}");
    }
}

#[test]
fn unsupported_math_command() {
    let code = snapshot(
        "unsupported-math",
        &[
            ("book.yaml", b"title: A Book\n"),
            (
                "a.md",
                "# One\n\nInline $x + \\foo{y}$ here.\n\n> quoted $$\\begin{weird} a \\end{weird}$$\n\n$$\\frac{1}{2} \\bar$$\n"
                    .as_bytes(),
            ),
        ],
        &[],
    );
    assert_eq!(code, Some(0));
}
