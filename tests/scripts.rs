//! Books in eight scripts, built end to end with the fonts Debian's
//! fonts-noto-core and fonts-noto-cjk install: every glyph drawn is a real
//! one (`mutool trace` names each glyph drawn; none is `.notdef`), the
//! EPUB passes EPUBCheck and DAISY Ace, the furniture speaks the book's language. Then
//! what the font layer promises around them: one error per script for text
//! no font has, collections (`.ttc`) loaded by face, fonts named per script
//! in book.yaml, and the bold and italic of a one-file family synthesized.
//! The order and alignment of right-to-left lines are checked in
//! `right_to_left.rs`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

/// The fixture books, with a word of their text, the contents heading in
/// their language, and the family (PostScript name prefix) fallback must
/// choose for their script (`None`: the book's own font covers it).
const BOOKS: &[(&str, &str, &str, Option<&str>)] = &[
    ("zh", "北京植物园", "目录", Some("NotoSerifCJKsc-")),
    ("ja", "図書館", "目次", Some("NotoSerifCJKjp-")),
    ("ar", "القاهرة", "المحتويات", Some("NotoNaskhArabic-")),
    ("he", "ירושלים", "תוכן העניינים", Some("NotoSerifHebrew-")),
    ("hi", "दिल्ली", "विषय-सूची", Some("NotoSerifDevanagari-")),
    ("th", "กรุงเทพมหานคร", "สารบัญ", Some("NotoSerifThai-")),
    ("el", "Αθήνα", "Περιεχόμενα", None),
    ("ru", "Москва", "Содержание", None),
];

fn book(name: &str) -> PathBuf {
    fixture("scripts").join(name)
}

/// Runs `folio build` with extra environment variables.
fn build_with_env(book: &Path, out: &Path, env: &[(&str, &str)], extra: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_folio"));
    cmd.arg("build")
        .arg(book)
        .arg("-o")
        .arg(out)
        .args(extra)
        .env("SOURCE_DATE_EPOCH", EPOCH);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the folio binary runs")
}

#[test]
fn every_script_is_set_in_real_glyphs_in_a_valid_book() {
    for &(name, word, contents, family) in BOOKS {
        let dir = tempfile::tempdir().unwrap();
        let o = folio_build(&book(name), dir.path(), &[]);
        let out = stdout(&o);
        assert!(
            o.status.success(),
            "{name}: {out}{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let (epub, pdf) = outputs(dir.path());
        let glyphs = traced_glyphs(&pdf);
        assert!(glyphs.len() > 200, "{name}: {} glyphs", glyphs.len());
        assert!(notdef(&glyphs).is_empty(), "{name}: {:?}", notdef(&glyphs));
        // Every glyph maps to text, even one of several drawn for one
        // character or syllable (a reader without /ActualText, as MuPDF,
        // would show U+FFFD).
        let unmapped: Vec<&(String, String, String)> = glyphs
            .iter()
            .filter(|(_, g, u)| !g.is_empty() && (u.is_empty() || no_text(u)))
            .collect();
        assert!(unmapped.is_empty(), "{name}: {unmapped:?}");
        let fonts = assert_fonts_embedded(&pdf);
        match family {
            Some(f) => {
                assert!(fonts.iter().any(|n| n.contains(f)), "{name}: {fonts:?}");
                // The build says which system font it used.
                assert!(
                    out.lines()
                        .any(|l| l.starts_with("font: ") && l.contains(f.trim_end_matches('-'))),
                    "{name}: {out}"
                );
                // The script's own words are drawn in that font.
                let first = word.chars().next().unwrap().to_string();
                assert!(
                    glyphs
                        .iter()
                        .any(|(font, _, u)| font.contains(f) && *u == first),
                    "{name}: {first} not in {f}"
                );
            }
            None => assert!(
                fonts.iter().all(|n| n.contains("GentiumBookPlus")),
                "{name}: {fonts:?}"
            ),
        }
        // Latin words and numbers stay in the book's face.
        assert!(
            glyphs
                .iter()
                .any(|(font, _, u)| font.contains("GentiumBookPlus") && u == "1"),
            "{name}"
        );
        assert_qpdf_clean(&pdf);
        // Word by word, spaces left out: a viewer may put the words of a
        // right-to-left line in its own order, and guesses word gaps
        // inside Devanagari's reordered vowel signs.
        let text = pdftotext(&pdf, None);
        let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        for w in contents.split(' ') {
            assert!(squeezed.contains(w), "{name}: contents heading: {text}");
        }
        // EPUB: valid, its nav in the book's language, the cover drawn as
        // outlines of real glyphs.
        assert_epubcheck_clean(&epub);
        assert_ace_clean(&epub);
        let nav = epub_file(&epub, "nav.xhtml");
        assert!(
            nav.contains(&format!("<h1>{contents}</h1>")),
            "{name}: {nav}"
        );
        // The EPUB carries the cover as a PNG rendered from this SVG.
        let loaded = folio::load_book(&book(name), None).expect("the book loads");
        let cover = folio::epub::cover_svg(
            &loaded.book.meta,
            loaded.epub.fonts.as_ref(),
            &loaded.epub.fallback,
        );
        assert!(
            cover.contains("<path fill=") && !cover.contains("<text"),
            "{name}: cover text not outlined"
        );
        assert!(epub_names(&epub).iter().any(|n| n.ends_with("cover.png")));
    }
}

/// Whether `mutool trace` reports `unicode` as the replacement character.
fn no_text(unicode: &str) -> bool {
    unicode.contains('\u{FFFD}') || unicode.eq_ignore_ascii_case("&#xfffd;")
}

#[test]
fn devanagari_and_thai_words_copy_whole() {
    // Their syllables are drawn as several glyphs, reordered (a vowel sign
    // before its consonant) or stacked (marks inside their base): the PDF
    // carries each syllable's text, so a word copies as it was typed, in
    // one piece.
    let cases: [(&str, &[&str]); 2] = [
        (
            "hi",
            &[
                "दिल्ली",
                "राजधानी",
                "ज़्यादा",
                "पर्यटक",
                "क़ुतुब",
                "ऊँचाई",
                "इंडिया",
                "जानकारी",
                "वेबसाइट",
            ],
        ),
        ("th", &["เที่ยว", "แม่น้ำเจ้าพระยา", "วัดพระแก้ว", "ประชากร"]),
    ];
    for (name, words) in cases {
        let source: String = std::fs::read_dir(book(name))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let (_, pdf) = build_ok(&book(name), dir.path());
        let text = pdftotext(&pdf, None);
        let tokens: Vec<&str> = text.split_whitespace().collect();
        for w in words {
            assert!(source.contains(w), "{name}: {w} is not in the fixture");
            assert!(
                tokens.iter().any(|t| t.contains(w)),
                "{name}: {w} does not read back whole: {text}"
            );
        }
    }
}

#[test]
fn the_same_fonts_give_the_same_bytes_on_any_number_of_threads() {
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    let o = folio_build(&book("ja"), one.path(), &["--threads", "1"]);
    assert!(o.status.success());
    let o = folio_build(&book("ja"), two.path(), &["--threads", "2"]);
    assert!(o.status.success());
    let (_, a) = outputs(one.path());
    let (_, b) = outputs(two.path());
    assert!(
        std::fs::read(a).unwrap() == std::fs::read(b).unwrap(),
        "PDFs differ"
    );
}

#[test]
fn text_no_font_has_fails_the_pdf_with_one_error_per_script() {
    let dir = tempfile::tempdir().unwrap();
    // No system fonts: nothing has Chinese.
    let o = build_with_env(
        &book("zh"),
        dir.path(),
        &[("FOLIO_SYSTEM_FONT_DIRS", "")],
        &[],
    );
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(1), "{err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(
        errors[0].starts_with("error: no font has the Han (Chinese, Japanese, Korean) script: ")
            && errors[0].contains(" characters (")
            && errors[0].contains(" distinct) would print as empty boxes: "),
        "{err}"
    );
    assert!(err.contains("01-chuntian.md:1:3"), "first place: {err}");
    assert!(err.contains("apt install fonts-noto-cjk"), "{err}");
    assert!(err.contains("book's fonts/ folder"), "{err}");
    assert!(err.contains("fonts: { Han: Family Name }"), "{err}");
    assert!(err.contains("missing-glyphs: warn"), "{err}");
    assert!(err.contains("build failed: 1 error"), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).map_or(0, |d| d.count()), 0);

    // Let through on purpose: one warning, and the boxes are really there.
    let warned = tempfile::tempdir().unwrap();
    let copy = copy_book(&book("zh"), warned.path());
    append(&copy.join("book.yaml"), "pdf:\n  missing-glyphs: warn\n");
    let out = warned.path().join("out");
    let o = build_with_env(&copy, &out, &[("FOLIO_SYSTEM_FONT_DIRS", "")], &[]);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{err}");
    let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(warnings[0].contains("Han"), "{err}");
    let (_, pdf) = outputs(&out);
    assert!(!notdef(&traced_glyphs(&pdf)).is_empty());
}

#[test]
fn a_font_named_per_script_is_used_and_collections_load_by_face() {
    let dir = tempfile::tempdir().unwrap();
    // Chinese text in the Japanese face of the Noto Serif CJK collection
    // (another face of the same .ttc than the default Simplified Chinese).
    let copy = copy_book(&book("zh"), dir.path());
    append(
        &copy.join("book.yaml"),
        "fonts:\n  ja: Noto Serif CJK JP\n  Arabic: Noto Sans Arabic\n",
    );
    let (_, pdf) = build_ok(&copy, &dir.path().join("out"));
    let fonts = assert_fonts_embedded(&pdf);
    assert!(
        fonts.iter().any(|n| n.contains("NotoSerifCJKjp-Regular")),
        "{fonts:?}"
    );
    assert!(!fonts.iter().any(|n| n.contains("CJKsc")), "{fonts:?}");
    assert!(notdef(&traced_glyphs(&pdf)).is_empty());

    // A script the book's face has, given a font of its own.
    let ar = copy_book(&book("ar"), &dir.path().join("ar"));
    append(
        &ar.join("book.yaml"),
        "fonts:\n  Arabic: Noto Sans Arabic\n",
    );
    let (_, pdf) = build_ok(&ar, &dir.path().join("ar-out"));
    let fonts = assert_fonts_embedded(&pdf);
    assert!(
        fonts.iter().any(|n| n.contains("NotoSansArabic-")),
        "{fonts:?}"
    );
    assert!(
        !fonts.iter().any(|n| n.contains("NotoNaskhArabic")),
        "{fonts:?}"
    );

    // A family that is nowhere: said at once.
    let bad = copy_book(&book("el"), &dir.path().join("bad"));
    append(&bad.join("book.yaml"), "fonts:\n  Greek: No Such Font\n");
    let o = folio_build(&bad, &dir.path().join("bad-out"), &[]);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!o.status.success());
    assert!(
        err.contains("book.yaml names the font `No Such Font` for the Greek script"),
        "{err}"
    );
}

#[test]
fn a_family_of_one_file_gets_synthesized_bold_and_italic() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("solo");
    std::fs::create_dir_all(root.join("fonts")).unwrap();
    std::fs::copy(
        repo().join("fonts/GentiumBookPlus-Regular.ttf"),
        root.join("fonts/Solo-Regular.ttf"),
    )
    .unwrap();
    std::fs::write(
        root.join("book.yaml"),
        "title: Solo\npdf:\n  font-family: Solo\n",
    )
    .unwrap();
    std::fs::write(
        root.join("01.md"),
        "# One face\n\nPlain, **bold words**, *italic words* and ***both***.\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = folio_build(&root, &out, &[]);
    let said = stdout(&o);
    assert!(o.status.success(), "{said}");
    assert!(
        said.contains(
            "note: Gentium Book Plus has no italic, bold or bold italic face: Folio synthesizes it"
        ),
        "{said}"
    );
    let (_, pdf) = outputs(&out);
    let fonts = assert_fonts_embedded(&pdf);
    for style in ["-SynthBold", "-SynthItalic", "-SynthBoldItalic"] {
        // (pdffonts gives whole names; mutool trace cuts them at 32 bytes.)
        assert!(
            fonts.iter().any(|n| n.ends_with(style)),
            "{style}: {fonts:?}"
        );
    }
    let glyphs = traced_glyphs(&pdf);
    assert!(notdef(&glyphs).is_empty());
    assert!(glyphs
        .iter()
        .any(|(f, _, u)| f.contains("-SynthBol") && u == "b"));
    // The content streams: bold stroked (2 Tr, a line width), italic
    // sheared in the text matrix (tan 14° ≈ 0.249).
    let raw = common::uncompressed_pdf(&pdf);
    assert!(raw.contains(" w 2 Tr\n"), "no stroked text");
    assert!(raw.contains("0 Tr\n"), "stroke never turned off");
    assert!(raw.contains("1 0 0.249 1 "), "no sheared text matrix");
}

#[test]
fn a_variable_font_is_set_and_embedded_in_its_default_instance() {
    // Inter's variable files (Debian's fonts-inter-variable) as the
    // book's family: upright and italic, each one file with a weight axis.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("vf");
    std::fs::create_dir_all(root.join("fonts")).unwrap();
    let system = Path::new("/usr/share/fonts/truetype/inter-vf");
    for (from, to) in [
        ("Inter-roman.var.ttf", "InterVF-Regular.ttf"),
        ("Inter-italic.var.ttf", "InterVF-Italic.ttf"),
    ] {
        std::fs::copy(system.join(from), root.join("fonts").join(to)).unwrap_or_else(|e| {
            panic!("{from}: {e} (install fonts-inter-variable: scripts/install-test-tools.sh)")
        });
    }
    std::fs::write(
        root.join("book.yaml"),
        "title: Variable\npdf:\n  font-family: InterVF\n",
    )
    .unwrap();
    std::fs::write(
        root.join("01.md"),
        "# Variable\n\nPlain, **bold**, *italic* and ***both***; office 1234.\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = folio_build(&root, &out, &[]);
    let said = stdout(&o);
    assert!(o.status.success(), "{said}");
    // The default instance is regular: bold is drawn by Folio.
    assert!(
        said.contains("note: Inter has no bold or bold italic face"),
        "{said}"
    );
    let (_, pdf) = outputs(&out);
    assert_qpdf_clean(&pdf);
    let fonts = assert_fonts_embedded(&pdf);
    assert!(fonts.iter().any(|n| n.ends_with("+Inter")), "{fonts:?}");
    let glyphs = traced_glyphs(&pdf);
    assert!(notdef(&glyphs).is_empty());
    assert!(pdftotext(&pdf, None).contains("office 1234"));
}

/// Copies a fixture book into `to` (created) and returns the copy's path.
fn copy_book(from: &Path, to: &Path) -> PathBuf {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
    }
    to.to_path_buf()
}

fn append(path: &Path, text: &str) {
    let mut s = std::fs::read_to_string(path).unwrap();
    s.push_str(text);
    std::fs::write(path, s).unwrap();
}

/// The (epub, pdf) a build left in `out`.
fn outputs(out: &Path) -> (PathBuf, PathBuf) {
    let find = |ext: &str| {
        std::fs::read_dir(out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|x| x == ext))
            .unwrap_or_else(|| panic!("no .{ext} in {}", out.display()))
    };
    (find("epub"), find("pdf"))
}
