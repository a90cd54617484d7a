//! Tagged PDF and the standards: the structure tree read back from the
//! file and compared with the book (headings in order and at their level,
//! figures with their alt text, tables, notes, the contents as TOC), the
//! PyPI `pdfua` checker, `pdfinfo` (Tagged: yes), PDF/A identification,
//! and images of every kind drawn (GIF and WebP decoded, SVG as vectors
//! with its text kept as text).

mod common;

use std::path::{Path, PathBuf};

use common::*;
use lopdf::{Document, Object};

/// One structure element: its depth, role, alt text and title.
#[derive(Debug, Clone, PartialEq)]
struct Elem {
    depth: usize,
    role: String,
    alt: Option<String>,
    title: Option<String>,
}

fn text_of(doc: &Document, o: &Object) -> Option<String> {
    let o = match o {
        Object::Reference(id) => doc.get_object(*id).ok()?,
        o => o,
    };
    let bytes = o.as_str().ok()?;
    Some(match bytes {
        [0xfe, 0xff, rest @ ..] => String::from_utf16_lossy(
            &rest
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect::<Vec<_>>(),
        ),
        b => String::from_utf8_lossy(b).into_owned(),
    })
}

/// The structure tree, depth first in reading order.
fn structure(pdf: &Path) -> Vec<Elem> {
    let doc = Document::load(pdf).expect("lopdf reads the PDF");
    let catalog = doc.catalog().unwrap();
    let root = catalog
        .get(b"StructTreeRoot")
        .and_then(Object::as_reference)
        .expect("a StructTreeRoot");
    let root = doc.get_dictionary(root).unwrap();
    let mut out = Vec::new();
    fn walk(doc: &Document, k: &Object, depth: usize, out: &mut Vec<Elem>) {
        match k {
            Object::Array(items) => items.iter().for_each(|i| walk(doc, i, depth, out)),
            Object::Reference(id) => {
                let Ok(dict) = doc.get_dictionary(*id) else {
                    return;
                };
                let Ok(role) = dict.get(b"S").and_then(Object::as_name) else {
                    return; // an OBJR or MCR
                };
                out.push(Elem {
                    depth,
                    role: String::from_utf8_lossy(role).into_owned(),
                    alt: dict.get(b"Alt").ok().and_then(|a| text_of(doc, a)),
                    title: dict.get(b"T").ok().and_then(|a| text_of(doc, a)),
                });
                if let Ok(kids) = dict.get(b"K") {
                    walk(doc, kids, depth + 1, out);
                }
            }
            _ => {}
        }
    }
    walk(&doc, root.get(b"K").unwrap(), 0, &mut out);
    out
}

/// Heading levels of the Markdown chapters, in book order.
fn markdown_heading_levels(book: &Path, files: &[&str]) -> Vec<usize> {
    let mut levels = Vec::new();
    let mut in_code = false;
    for f in files {
        for line in std::fs::read_to_string(book.join(f)).unwrap().lines() {
            if line.starts_with("```") {
                in_code = !in_code;
            }
            let hashes = line.chars().take_while(|&c| c == '#').count();
            if !in_code && hashes > 0 && line[hashes..].starts_with(' ') {
                levels.push(hashes);
            }
        }
    }
    levels
}

fn pdfua_check(pdf: &Path) {
    let o = tool("pdfua", &["check", pdf.to_str().unwrap()]);
    let out = stdout(&o) + &String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "pdfua found problems:\n{out}");
    assert!(out.contains("result: PASS"), "{out}");
}

fn assert_tagged(pdf: &Path) {
    let info = stdout(&tool("pdfinfo", &[pdf.to_str().unwrap()]));
    assert!(info.contains("Tagged:          yes"), "{info}");
}

#[test]
fn the_structure_tree_follows_the_book() {
    let out = tempfile::tempdir().unwrap();
    let book = fixture("features");
    let (_, pdf) = build_ok(&book, out.path());
    assert_qpdf_clean(&pdf);
    assert_tagged(&pdf);
    assert_fonts_embedded(&pdf);
    pdfua_check(&pdf);

    let tree = structure(&pdf);
    assert_eq!(tree[0].role, "Document");
    assert!(tree.iter().skip(1).all(|e| e.depth >= 1), "one root");
    // The contents: its title, then one TOC of entries.
    let toc = tree.iter().position(|e| e.role == "TOC").expect("a TOC");
    assert_eq!(tree[toc - 1].role, "H1");
    let entries = tree[toc + 1..]
        .iter()
        .take_while(|e| e.depth > tree[toc].depth)
        .filter(|e| e.role == "TOCI")
        .count();
    assert_eq!(entries, pdf_outline(&pdf).len(), "{tree:#?}");
    // A Sect per chapter, titled.
    let sects: Vec<&Elem> = tree.iter().filter(|e| e.role == "Sect").collect();
    assert_eq!(sects.len(), 2, "{tree:#?}");
    assert!(sects[1].title.as_deref() == Some("Structures"), "{sects:?}");
    // Every heading of the chapters, in order and at its level.
    let levels: Vec<usize> = tree
        .iter()
        .skip(toc + 1)
        .filter_map(|e| e.role.strip_prefix('H')?.parse().ok())
        .collect();
    assert_eq!(
        levels,
        markdown_heading_levels(&book, &["01-basics.md", "02-structures.md"])
    );
    // Figures carry their alt text; tables have rows of cells; notes are there.
    let alts: Vec<&str> = tree
        .iter()
        .filter(|e| e.role == "Figure")
        .filter_map(|e| e.alt.as_deref())
        .collect();
    assert!(alts.contains(&"A gradient from red to blue"), "{alts:?}");
    assert!(alts.contains(&"gradient swatch"), "{alts:?}");
    let has = |role: &str| tree.iter().any(|e| e.role == role);
    assert!(
        has("Table") && has("TR") && has("TH") && has("TD"),
        "{tree:#?}"
    );
    assert!(has("Note") && has("P") && has("Link"), "{tree:#?}");
}

#[test]
fn running_heads_and_folios_are_artifacts() {
    let out = tempfile::tempdir().unwrap();
    let (_, pdf) = build_ok(&fixture("features"), out.path());
    let doc = Document::load(&pdf).unwrap();
    let pages = doc.get_pages();
    let (_, &page) = pages.iter().nth(pages.len() - 1).unwrap();
    let content = String::from_utf8_lossy(&doc.get_page_content(page)).into_owned();
    assert!(
        content.contains("/Artifact <</Type/Pagination/Subtype/Footer>>BDC"),
        "{content}"
    );
    let all: String = pages
        .values()
        .map(|&p| String::from_utf8_lossy(&doc.get_page_content(p)).into_owned())
        .collect();
    assert!(all.contains("/Artifact <</Type/Pagination/Subtype/Header>>BDC"));
    // Every BDC is closed.
    assert_eq!(all.matches("BDC").count(), all.matches("EMC").count());
}

#[test]
fn pdf_a_2b_is_identified_with_an_output_intent() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    copy_dir(&fixture("features"), &book);
    let yaml = std::fs::read_to_string(book.join("book.yaml")).unwrap();
    std::fs::write(
        book.join("book.yaml"),
        yaml.replace("pdf:\n", "pdf:\n  standard: a-2b\n"),
    )
    .unwrap();
    let out = dir.path().join("out");
    let (_, pdf) = build_ok(&book, &out);
    assert_qpdf_clean(&pdf);
    assert_tagged(&pdf);
    let doc = Document::load(&pdf).unwrap();
    let catalog = doc.catalog().unwrap();
    let intents = catalog.get(b"OutputIntents").unwrap().as_array().unwrap();
    let intent = doc
        .get_dictionary(intents[0].as_reference().unwrap())
        .unwrap();
    assert_eq!(intent.get(b"S").unwrap().as_name().unwrap(), b"GTS_PDFA1");
    let profile = doc
        .get_object(
            intent
                .get(b"DestOutputProfile")
                .unwrap()
                .as_reference()
                .unwrap(),
        )
        .unwrap()
        .as_stream()
        .unwrap()
        .decompressed_content()
        .unwrap();
    assert_eq!(&profile[36..40], b"acsp", "an ICC profile");
    let xmp = doc
        .get_object(catalog.get(b"Metadata").unwrap().as_reference().unwrap())
        .unwrap()
        .as_stream()
        .unwrap()
        .content
        .clone();
    let xmp = String::from_utf8(xmp).unwrap();
    assert!(xmp.contains("<pdfaid:part>2</pdfaid:part>"), "{xmp}");
    assert!(xmp.contains("<pdfaid:conformance>B</pdfaid:conformance>"));
    assert!(!xmp.contains("pdfuaid"));
    // The default, PDF/UA-1, says so instead.
    let (_, ua) = build_ok(&fixture("features"), &dir.path().join("ua"));
    let ua = std::fs::read(ua).unwrap();
    assert!(String::from_utf8_lossy(&ua).contains("<pdfuaid:part>1</pdfuaid:part>"));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// A 2×2 picture of four colours in each format the tests need.
fn write_images(dir: &Path) {
    let rgb: Vec<u8> = [[200u8, 30, 30], [30, 200, 30], [30, 30, 200], [20, 20, 20]]
        .iter()
        .flat_map(|p| p.iter().copied())
        .collect();
    // PNG.
    let file = std::fs::File::create(dir.join("p.png")).unwrap();
    let mut png = png::Encoder::new(std::io::BufWriter::new(file), 2, 2);
    png.set_color(png::ColorType::Rgb);
    png.set_depth(png::BitDepth::Eight);
    png.write_header().unwrap().write_image_data(&rgb).unwrap();
    // GIF: a palette of the four colours.
    let mut gif_bytes = Vec::new();
    {
        let palette: Vec<u8> = rgb.clone();
        let mut encoder = gif::Encoder::new(&mut gif_bytes, 2, 2, &palette).unwrap();
        let frame = gif::Frame {
            width: 2,
            height: 2,
            buffer: std::borrow::Cow::Owned(vec![0, 1, 2, 3]),
            ..gif::Frame::default()
        };
        encoder.write_frame(&frame).unwrap();
    }
    std::fs::write(dir.join("g.gif"), gif_bytes).unwrap();
    // WebP, lossless.
    let mut webp = Vec::new();
    image_webp::WebPEncoder::new(&mut webp)
        .encode(&rgb, 2, 2, image_webp::ColorType::Rgb8)
        .unwrap();
    std::fs::write(dir.join("w.webp"), webp).unwrap();
    // SVG: a filled shape and a label.
    std::fs::write(
        dir.join("d.svg"),
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">
  <rect x="10" y="10" width="80" height="80" fill="#3366cc"/>
  <circle cx="150" cy="50" r="30" fill="#cc3333"/>
  <text x="100" y="95" font-size="12" text-anchor="middle">Vector label</text>
</svg>"##,
    )
    .unwrap();
}

fn image_book(dir: &Path) -> PathBuf {
    let book = dir.join("book");
    std::fs::create_dir_all(&book).unwrap();
    write_images(&book);
    std::fs::write(
        book.join("book.yaml"),
        "title: Pictures\nlanguage: en\nchapters:\n  - a.md\n",
    )
    .unwrap();
    std::fs::write(
        book.join("a.md"),
        "# Pictures\n\nA PNG:\n\n![A PNG square](p.png)\n\nA GIF:\n\n![A GIF square](g.gif)\n\n\
         A WebP:\n\n![A WebP square](w.webp)\n\nA drawing:\n\n![A drawing](d.svg)\n\n\
         Decoration without alt text:\n\n![](p.png)\n",
    )
    .unwrap();
    book
}

#[test]
fn images_of_every_kind_are_drawn_and_svg_stays_vector() {
    let dir = tempfile::tempdir().unwrap();
    let book = image_book(dir.path());
    let (_, pdf) = build_ok(&book, &dir.path().join("out"));
    assert_qpdf_clean(&pdf);
    assert_fonts_embedded(&pdf);
    pdfua_check(&pdf);
    // pdfimages lists the raster images where they are drawn (the PNG
    // twice) and no rasterized SVG.
    let list = stdout(&tool("pdfimages", &["-list", pdf.to_str().unwrap()]));
    let images: Vec<&str> = list.lines().skip(2).collect();
    assert_eq!(images.len(), 4, "{list}");
    // mutool draws them, and the SVG as filled paths and text.
    let trace = stdout(&tool("mutool", &["trace", pdf.to_str().unwrap()]));
    assert_eq!(trace.matches("<fill_image").count(), 4, "{trace}");
    assert!(trace.contains("<fill_path"), "the SVG's shapes are paths");
    let text = pdftotext(&pdf, None);
    assert!(
        text.contains("Vector label"),
        "the SVG's text is text:\n{text}"
    );
    // Each figure with its alt text; the image without one is an artifact.
    let figures: Vec<Option<String>> = structure(&pdf)
        .into_iter()
        .filter(|e| e.role == "Figure")
        .map(|e| e.alt)
        .collect();
    assert_eq!(
        figures,
        ["A PNG square", "A GIF square", "A WebP square", "A drawing"].map(|a| Some(a.to_string()))
    );
}

#[test]
fn what_the_standard_asks_of_the_book_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    // The fixture skips heading levels (h1 → h3, h2 → h4) on purpose.
    let o = folio_build(&fixture("features"), &dir.path().join("ua"), &[]);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("warning: PDF/UA-1: the heading “Skipped Level Straight to Three” (level 3) follows a level-1 heading"),
        "{err}"
    );
    let strict = folio_build(
        &fixture("features"),
        &dir.path().join("strict"),
        &["--strict"],
    );
    let strict_err = String::from_utf8_lossy(&strict.stderr).into_owned();
    assert!(!strict.status.success(), "{strict_err}");
    assert!(
        strict_err.contains("error: PDF/UA-1: the heading “Skipped Level Straight to Three”"),
        "{strict_err}"
    );
    // PDF/A level B is about appearance: no structural findings.
    let book = dir.path().join("book");
    copy_dir(&fixture("features"), &book);
    let yaml = std::fs::read_to_string(book.join("book.yaml")).unwrap();
    std::fs::write(
        book.join("book.yaml"),
        yaml.replace("pdf:\n", "pdf:\n  standard: a-2b\n"),
    )
    .unwrap();
    let o = folio_build(&book, &dir.path().join("a2b"), &["--strict"]);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success() && !err.contains("heading"), "{err}");
}
