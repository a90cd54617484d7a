//! Two typesetting edge cases through the whole build, checked with
//! poppler: characters the code font lacks (set in the book face, so they
//! are drawn and extract as text) and an image taller than the page.

mod common;

use std::path::Path;

use common::*;

/// Writes a grey PNG of `width` × `height` pixels.
fn write_png(path: &Path, width: u32, height: u32) {
    let file = std::fs::File::create(path).unwrap();
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), width, height);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    writer
        .write_image_data(&vec![100u8; (width * height) as usize])
        .unwrap();
}

/// A one-chapter book with an en dash and an arrow in code (Inconsolata
/// has neither) and a tall, narrow image.
fn write_book(dir: &Path) {
    std::fs::write(dir.join("book.yaml"), "title: Edge Cases\n").unwrap();
    std::fs::write(
        dir.join("01-edges.md"),
        "# Edges\n\nInline `a\u{2013}b` code.\n\n\
         ```\nlet range = 1\u{2013}10; // x \u{2192} y\n```\n\n\
         ![A tall, narrow image](tall.png)\n",
    )
    .unwrap();
    write_png(&dir.join("tall.png"), 30, 4000);
}

/// Builds the book as PDF only (with `--strict`: no layout defect, such
/// as an overfull page), returning the temporary folders and the PDF.
fn build_pdf() -> (tempfile::TempDir, tempfile::TempDir, std::path::PathBuf) {
    let book = tempfile::tempdir().unwrap();
    write_book(book.path());
    let out = tempfile::tempdir().unwrap();
    let o = folio_build(book.path(), out.path(), &["--pdf", "--strict"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(!stderr.contains("no font has a glyph"), "{stderr}");
    let pdf = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "pdf"))
        .expect("a PDF");
    (book, out, pdf)
}

#[test]
fn code_characters_the_mono_face_lacks_are_drawn_and_extract() {
    let (_book, _out, pdf) = build_pdf();
    assert_qpdf_clean(&pdf);
    let fonts = assert_fonts_embedded(&pdf);
    assert!(fonts.iter().any(|f| f.contains("Inconsolata")), "{fonts:?}");
    assert!(
        fonts.iter().any(|f| f.contains("GentiumBookPlus")),
        "{fonts:?}"
    );
    let text = pdftotext(&pdf, None);
    assert!(text.contains("a\u{2013}b"), "{text}");
    assert!(text.contains("1\u{2013}10;"), "{text}");
    assert!(text.contains("x \u{2192} y"), "{text}");
}

#[test]
fn a_tall_image_is_scaled_to_the_text_block() {
    let (_book, _out, pdf) = build_pdf();
    // pdfimages -list: page num type width height color comp bpc enc interp
    // object ID x-ppi y-ppi size ratio. The image's height on the page is
    // its pixel height over its vertical resolution.
    let o = tool("pdfimages", &["-list", pdf.to_str().unwrap()]);
    let list = stdout(&o);
    let row: Vec<&str> = list
        .lines()
        .skip(2)
        .find(|l| !l.trim().is_empty())
        .unwrap_or_else(|| panic!("no image in the PDF:\n{list}"))
        .split_whitespace()
        .collect();
    assert_eq!((row[3], row[4]), ("30", "4000"), "{list}");
    let y_ppi: f64 = row[13].parse().unwrap();
    let height_in = 4000.0 / y_ppi;
    // 6×9 in page, 0.75 in top and 0.9 in bottom margin: 7.35 in of text
    // block, which must also hold the caption.
    assert!(height_in < 7.35 - 0.2, "{height_in} in tall:\n{list}");
    assert!(
        height_in > 5.0,
        "scaled to the block, not far below: {height_in} in"
    );
}
