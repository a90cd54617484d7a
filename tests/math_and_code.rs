//! Math and highlighted code, built end to end from the fixture books
//! `tests/fixtures/math` (more than 100 formulas, every construct Folio
//! sets) and `tests/fixtures/code` (every language it highlights).
//!
//! The MathML of the formula chapter is a golden file; after a deliberate
//! change refresh it with
//!
//!     FOLIO_BLESS=1 cargo test --test math_and_code
//!
//! and read the diff before committing it.

mod common;

use std::path::Path;

use common::*;

/// The formulas of a chapter's Markdown: `$$…$$` and `$…$` spans.
fn count_formulas(md: &str) -> usize {
    let display = md.matches("$$").count() / 2;
    let without_display: String = md.split("$$").step_by(2).collect();
    display + without_display.matches('$').count() / 2
}

fn build(book: &Path, dir: &Path) -> (std::path::PathBuf, std::path::PathBuf, String) {
    let o = folio_build(book, dir, &[]);
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(o.status.success(), "{err}");
    let find = |ext: &str| {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|x| x == ext))
            .unwrap()
    };
    (find("epub"), find("pdf"), err)
}

#[test]
fn the_formula_book_is_valid_in_both_formats_and_set_in_the_math_font() {
    let book = fixture("math");
    let sources: Vec<String> = ["01-formulas.md", "02-in-text.md"]
        .iter()
        .map(|f| std::fs::read_to_string(book.join(f)).unwrap())
        .collect();
    let formulas: Vec<usize> = sources.iter().map(|s| count_formulas(s)).collect();
    assert!(formulas.iter().sum::<usize>() >= 100, "{formulas:?}");

    let dir = tempfile::tempdir().unwrap();
    let (epub, pdf, stderr) = build(&book, dir.path());
    assert!(!stderr.contains("warning"), "{stderr}");

    // EPUB: MathML for every formula, TeX kept as alttext, the manifest
    // property on both chapters; EPUBCheck 0/0.
    assert_epubcheck_clean(&epub);
    let opf = epub_file(&epub, "content.opf");
    assert_eq!(opf.matches("properties=\"mathml\"").count(), 2, "{opf}");
    for (i, name) in ["01-formulas.xhtml", "02-in-text.xhtml"].iter().enumerate() {
        let xhtml = epub_file(&epub, name);
        assert_eq!(xhtml.matches("<math ").count(), formulas[i], "{name}");
        assert!(
            !xhtml.contains("math-tex"),
            "a formula fell back to TeX in {name}"
        );
    }
    let chapter = epub_file(&epub, "01-formulas.xhtml");
    assert!(chapter.contains("alttext=\"\\frac{1}{2}\""));
    let golden = repo().join("tests/golden/math-formulas.xhtml");
    if std::env::var_os("FOLIO_BLESS").is_some() {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(&golden, &chapter).unwrap();
    } else {
        let expected = std::fs::read_to_string(&golden)
            .expect("golden file: run `FOLIO_BLESS=1 cargo test --test math_and_code`");
        assert!(
            chapter == expected,
            "01-formulas.xhtml differs from {} (refresh with FOLIO_BLESS=1 if meant)",
            golden.display()
        );
    }

    // PDF: valid, the math font embedded, every formula glyph real.
    assert_qpdf_clean(&pdf);
    let fonts = assert_fonts_embedded(&pdf);
    assert!(fonts.iter().any(|f| f.contains("Asana-Math")), "{fonts:?}");
    let glyphs = traced_glyphs(&pdf);
    let math: Vec<_> = glyphs
        .iter()
        .filter(|g| g.0.contains("Asana-Math"))
        .collect();
    assert!(math.len() > 1000, "only {} math glyphs", math.len());
    assert!(notdef(&glyphs).is_empty(), "{:?}", notdef(&glyphs));
    // The formulas' characters are text again when extracted.
    let text = pdftotext(&pdf, None);
    for c in ["∑", "∫", "√", "α", "ℝ", "⟨", "ΓΔΘΛΞΠΣΥΦΨΩ"] {
        assert!(text.contains(c), "no {c} in the PDF's text");
    }

    // Numbers of displayed equations, and references to them.
    for n in ["(1.1)", "(1)", "(2)"] {
        assert!(text.contains(n), "no {n} in the PDF");
    }
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("gravitation is (1) and Ampère’s is (2)"),
        "{flat}"
    );
    assert!(chapter.contains("#eq-gravity\">(1)</a>"), "{chapter}");
}

#[test]
fn code_is_highlighted_in_both_formats_and_plain_with_theme_none() {
    let dir = tempfile::tempdir().unwrap();
    let (epub, pdf, stderr) = build(&fixture("code"), dir.path());
    assert!(
        !stderr.contains("warning"),
        "an unknown language warned:\n{stderr}"
    );
    assert_epubcheck_clean(&epub);
    assert_qpdf_clean(&pdf);
    let xhtml = epub_file(&epub, "01-code.xhtml");
    // Each language's block has classes; the unknown one none.
    for block in xhtml.split("<pre").skip(1) {
        let block = block.split("</pre>").next().unwrap();
        if block.contains("language-unknownlang") {
            assert!(!block.contains("hl-"), "{block}");
        } else {
            assert!(block.contains("class=\"hl-"), "no classes in {block}");
        }
    }
    for class in [
        "hl-kw", "hl-str", "hl-com", "hl-num", "hl-attr", "hl-tag", "hl-ins", "hl-del",
    ] {
        assert!(xhtml.contains(class), "no {class}");
    }
    assert!(xhtml.contains("data-line=\"8\""), "line numbers");
    assert_eq!(xhtml.matches("hl-line").count(), 2, "marked lines");
    let css = epub_file(&epub, "stylesheet.css");
    assert!(css.contains(".hl-kw") && css.contains("attr(data-line)"));
    // PDF: the print theme's keyword colour (plum #6b1f7c) fills runs.
    let streams = uncompressed_pdf(&pdf);
    assert!(streams.contains(" rg\n"), "no colour in the PDF");
    assert!(streams.contains("0.42 0.122 0.486 rg"), "no keyword colour");

    // The same book with `code-theme: none`: no colour, no classes.
    let book = dir.path().join("book");
    std::fs::create_dir_all(&book).unwrap();
    let yaml = std::fs::read_to_string(fixture("code").join("book.yaml")).unwrap();
    std::fs::write(book.join("book.yaml"), format!("{yaml}code-theme: none\n")).unwrap();
    std::fs::copy(fixture("code").join("01-code.md"), book.join("01-code.md")).unwrap();
    let out = dir.path().join("plain");
    let (epub, pdf, _) = build(&book, &out);
    assert!(!epub_file(&epub, "01-code.xhtml").contains("class=\"hl-"));
    let streams = uncompressed_pdf(&pdf);
    assert!(!streams.contains(" rg\n"), "colour with code-theme: none");
}
