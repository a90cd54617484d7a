//! `folio check` against books that break each store rule: the message,
//! its place (file:line:col) and the exit code; `--format json` for CI.
//! The rules and their sources: docs/stores.md.

use std::path::Path;
use std::process::Command;

/// Writes a book into `<tmp>/book` and runs `folio check book ARGS` from
/// `<tmp>`; returns (exit code, stderr, stdout).
fn check(files: &[(&str, &[u8])], args: &[&str]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        let p = dir.path().join("book").join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    let o = Command::new(env!("CARGO_BIN_EXE_folio"))
        .current_dir(dir.path())
        .arg("check")
        .arg("book")
        .args(args)
        .output()
        .expect("folio runs");
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        o.status.code().unwrap_or(-1),
        stderr,
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

/// A PNG of one colour, `w` × `h`.
fn png(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Grayscale);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().unwrap();
    writer
        .write_image_data(&vec![200u8; (w * h) as usize])
        .unwrap();
    writer.finish().unwrap();
    out
}

/// Asserts that stderr holds `message` with its location right after it.
fn reported(stderr: &str, message: &str, at: &str) {
    let i = stderr
        .find(message)
        .unwrap_or_else(|| panic!("no `{message}` in:\n{stderr}"));
    let after = &stderr[i..];
    let arrow = after.find("--> ").expect("a location");
    let place = after[arrow + 4..].lines().next().unwrap();
    assert_eq!(place, at, "{message}:\n{stderr}");
}

const CHAPTER: &[u8] = b"# One\n\nText.\n";

#[test]
fn a_book_without_authors_fails_every_store_at_its_title_line() {
    let (code, stderr, stdout) = check(
        &[
            ("book.yaml", b"title: Nobody Wrote This\nlanguage: en\n"),
            ("a.md", CHAPTER),
        ],
        &["--target", "kindle,apple"],
    );
    assert_eq!(code, 1, "{stderr}");
    reported(
        &stderr,
        "error: kindle: the book names no author",
        "book/book.yaml:1:1",
    );
    reported(
        &stderr,
        "error: apple: the book names no author",
        "book/book.yaml:1:1",
    );
    assert!(
        stdout.contains("kindle     1 error, 0 warnings"),
        "{stdout}"
    );
}

#[test]
fn a_language_left_out_is_a_warning_and_exit_0() {
    let (code, stderr, _) = check(
        &[
            ("book.yaml", b"title: T\nauthors: [A]\n"),
            ("a.md", CHAPTER),
        ],
        &["--target", "kobo"],
    );
    assert_eq!(code, 0, "{stderr}");
    reported(
        &stderr,
        "warning: kobo: the book does not say its language",
        "book/book.yaml:1:1",
    );
}

#[test]
fn covers_of_the_wrong_kind_or_size() {
    let yaml = b"title: T\nauthors: [A]\nlanguage: en\ncover: images/cover.png\n";
    let small = png(500, 800);
    let (code, stderr, _) = check(
        &[
            ("book.yaml", yaml),
            ("a.md", CHAPTER),
            ("images/cover.png", &small),
        ],
        &["--target", "kindle,apple,google,kobo"],
    );
    assert_eq!(code, 1);
    reported(
        &stderr,
        "error: kindle: the cover is 500 × 800 pixels; Kindle refuses covers under 625 × 1000",
        "book/book.yaml:4:1",
    );
    reported(
        &stderr,
        "error: apple: the cover is 500 × 800 pixels; Apple Books asks at least 1400",
        "book/book.yaml:4:1",
    );
    reported(
        &stderr,
        "error: google: the cover is 500 × 800 pixels; Google Play asks 640 to 7200",
        "book/book.yaml:4:1",
    );
    reported(
        &stderr,
        "warning: kobo: the cover is 500 × 800 pixels",
        "book/book.yaml:4:1",
    );
    // The build says it too, once, at the same line.
    reported(
        &stderr,
        "warning: cover image `images/cover.png` is 500 × 800 pixels",
        "book/book.yaml:4:8",
    );

    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"16\"/>";
    let (code, stderr, _) = check(
        &[
            (
                "book.yaml",
                b"title: T\nauthors: [A]\nlanguage: en\ncover: c.svg\n",
            ),
            ("a.md", CHAPTER),
            ("c.svg", svg),
        ],
        &["--target", "kindle"],
    );
    assert_eq!(code, 1);
    reported(
        &stderr,
        "error: kindle: the cover is SVG; Kindle asks for a JPEG or PNG cover",
        "book/book.yaml:4:1",
    );
}

#[test]
fn a_generated_cover_passes_every_e_book_store() {
    let (code, stderr, stdout) = check(
        &[
            ("book.yaml", b"title: T\nauthors: [A]\nlanguage: en\n"),
            ("a.md", CHAPTER),
        ],
        &["--target", "kindle,kobo,apple,google"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.matches(" ok").count(), 4, "{stdout}");
}

#[test]
fn contents_three_levels_deep_for_kindle_and_apple() {
    let (code, stderr, _) = check(
        &[
            ("book.yaml", b"title: T\nauthors: [A]\nlanguage: en\n"),
            ("a.md", b"# One\n\n## Two\n\n### Three\n\nText.\n"),
        ],
        &["--target", "kindle,apple,kobo"],
    );
    assert_eq!(code, 0);
    reported(
        &stderr,
        "warning: kindle: the contents go 3 levels deep",
        "book/a.md:5:1",
    );
    reported(
        &stderr,
        "warning: apple: the contents go 3 levels deep",
        "book/a.md:5:1",
    );
    assert!(!stderr.contains("kobo: the contents"), "{stderr}");
    // nav-depth: 2 is the fix the hint gives.
    let (_, stderr, _) = check(
        &[
            (
                "book.yaml",
                b"title: T\nauthors: [A]\nlanguage: en\nepub:\n  nav-depth: 2\n",
            ),
            ("a.md", b"# One\n\n## Two\n\n### Three\n\nText.\n"),
        ],
        &["--target", "kindle"],
    );
    assert!(!stderr.contains("contents go"), "{stderr}");
}

#[test]
fn pictures_too_large_for_apple_and_too_coarse_for_print() {
    let big = png(2100, 2000);
    let tiny = png(60, 40);
    let (code, stderr, _) = check(
        &[
            ("book.yaml", b"title: T\nauthors: [A]\nlanguage: en\n"),
            (
                "a.md",
                b"# One\n\n![A big map](big.png)\n\nText.\n\n![A small seal](tiny.png)\n",
            ),
            ("big.png", &big),
            ("tiny.png", &tiny),
        ],
        &["--target", "apple,kdp-print"],
    );
    assert_eq!(code, 1);
    reported(
        &stderr,
        "error: apple: image `big.png` is 2100 × 2000 (4,200,000 pixels); Apple Books refuses images over 4,000,000 pixels",
        "book/a.md:3:1",
    );
    reported(
        &stderr,
        "warning: kdp-print: image `tiny.png` prints at",
        "book/a.md:7:1",
    );
}

#[test]
fn css_kindle_rejects_is_reported_at_its_line() {
    let (code, stderr, _) = check(
        &[
            (
                "book.yaml",
                b"title: T\nauthors: [A]\nlanguage: en\nepub:\n  stylesheet: extra.css\n",
            ),
            ("a.md", CHAPTER),
            (
                "extra.css",
                b"p { margin: 0; }\n\n.aside {\n  position: fixed;\n  text-indent: -2em;\n}\n",
            ),
        ],
        &["--target", "kindle"],
    );
    assert_eq!(code, 0);
    reported(
        &stderr,
        "warning: kindle: `position: fixed` is not supported",
        "book/extra.css:4:3",
    );
    reported(
        &stderr,
        "warning: kindle: a negative `text-indent` (-2em)",
        "book/extra.css:5:3",
    );
}

#[test]
fn print_trim_gutter_margins_and_page_count() {
    let yaml = b"title: T\nauthors: [A]\nlanguage: en\npdf:\n  page-size: a5\n  margins:\n    inner: 0.25in\n";
    let (code, stderr, _) = check(
        &[("book.yaml", yaml), ("a.md", CHAPTER)],
        &["--target", "kdp-print,ingram"],
    );
    assert_eq!(code, 1);
    reported(
        &stderr,
        "error: kdp-print: the page is 5.83 × 8.27 in, not a trim size KDP Print prints",
        "book/book.yaml:5:3",
    );
    // A5 is one of IngramSpark's trims.
    assert!(!stderr.contains("ingram: the page is"), "{stderr}");
    reported(
        &stderr,
        "error: kdp-print: the inside margin is 0.250 in; KDP asks at least 0.375 in",
        "book/book.yaml:7:5",
    );
    reported(
        &stderr,
        "error: ingram: the inner margin is 0.250 in; IngramSpark asks at least 0.5 in",
        "book/book.yaml:7:5",
    );
    reported(
        &stderr,
        "error: kdp-print: the book has 5 pages; KDP Print prints at least 24",
        "book/book.yaml:5:3",
    );
}

#[test]
fn json_for_ci() {
    let (code, _, stdout) = check(
        &[
            ("book.yaml", b"title: T\nlanguage: en\n"),
            ("a.md", CHAPTER),
        ],
        &["--target", "google", "--format", "json"],
    );
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("JSON on stdout");
    assert_eq!(v["targets"], serde_json::json!(["google"]));
    assert_eq!(v["errors"], 1);
    let f = &v["findings"][0];
    assert_eq!(f["rule"], "metadata-author");
    assert_eq!(f["store"], "google");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["file"], "book/book.yaml");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(1), Some(1))
    );
    assert!(f["source"].as_str().unwrap().contains("EPUB"), "{f}");
}

#[test]
fn an_mdbook_book_is_checked_at_its_book_toml() {
    let (code, stderr, _) = check(
        &[
            ("book.toml", b"[book]\ntitle = \"T\"\nlanguage = \"en\"\n"),
            ("src/SUMMARY.md", b"- [One](one.md)\n"),
            ("src/one.md", CHAPTER),
        ],
        &["--target", "kindle"],
    );
    assert_eq!(code, 1);
    reported(
        &stderr,
        "error: kindle: the book names no author",
        "book/book.toml:2:1",
    );
}

#[test]
fn the_sample_book_per_store() {
    let out = Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(["check"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("book"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    // It names no author (every store refuses that) and is too short to print.
    assert!(
        stdout.contains("kindle     1 error, 0 warnings"),
        "{stdout}"
    );
    assert!(
        stdout.contains("kdp-print  2 errors, 0 warnings"),
        "{stdout}"
    );
    assert_eq!(out.status.code(), Some(1));
}
