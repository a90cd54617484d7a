//! Tests of the PDF writer against real PDF tools (qpdf, poppler's
//! pdffonts/pdftotext/pdftoppm). A missing tool fails the test: a skipped
//! check would pass silently on a machine that never ran it.
//!
//! Documents are laid out by hand here: glyph ids from the font's cmap,
//! advances from its metrics, so the tests depend on nothing but the font.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

use super::write_pdf;
use crate::typeset::frame::{
    Anchor, Destination, DocInfo, Document, FontData, FontId, Glyph, Item, LabelStyle, LinkArea,
    OutlineEntry, Page, PageLabelRange, PlacedImage, Rect, TextRun,
};
use crate::units::Pt;

const PAGE_W: f64 = 432.0;
const PAGE_H: f64 = 648.0;

fn font_path(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fonts")
        .join(file)
}

fn load_font(file: &str, postscript_name: &str) -> FontData {
    let bytes = std::fs::read(font_path(file)).expect("font in fonts/");
    let upm = FontRef::new(&bytes)
        .expect("parse font")
        .head()
        .map(|h| h.units_per_em())
        .unwrap_or(1000);
    FontData {
        postscript_name: postscript_name.into(),
        bytes: Arc::new(bytes),
        index: 0,
        units_per_em: upm,
        synthetic_bold: 0.0,
        synthetic_slant: 0.0,
    }
}

fn gentium() -> FontData {
    load_font("GentiumBookPlus-Regular.ttf", "GentiumBookPlus-Regular")
}

use skrifa::raw::TableProvider;

/// How word spaces are set in a hand-made run.
#[derive(Clone, Copy, PartialEq)]
enum Spaces {
    /// A space glyph, as a shaper gives it.
    Glyphs,
    /// No glyph, just a gap `stretch` times the space width (a typesetter
    /// that sets words as boxes and glue).
    Gaps(f64),
}

/// A poor man's shaper: cmap lookup, the `fi` ligature (U+FB01) when the
/// font has one, advances from hmtx.
fn set_line(
    font: &FontData,
    id: usize,
    text: &str,
    size: f64,
    x: f64,
    baseline: f64,
    spaces: Spaces,
) -> (TextRun, f64) {
    let face = FontRef::new(&font.bytes).unwrap();
    let charmap = face.charmap();
    let metrics = face.glyph_metrics(Size::new(size as f32), LocationRef::default());
    let fi = charmap.map('\u{fb01}');
    let mut glyphs = Vec::new();
    let mut run_text = String::new();
    let mut pen = x;
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let (gid, glyph_text, used) = match (c, chars.get(i + 1), fi) {
            ('f', Some('i'), Some(fi)) => (fi, "fi".to_string(), 2),
            _ => (charmap.map(c).expect("char in font"), c.to_string(), 1),
        };
        let advance = f64::from(metrics.advance_width(gid).unwrap());
        if c == ' ' {
            if let Spaces::Gaps(stretch) = spaces {
                pen += advance * stretch;
                i += 1;
                continue;
            }
        }
        glyphs.push(Glyph {
            id: gid.to_u32() as u16,
            text_len: glyph_text.len() as u16,
            x: Pt(pen),
            advance: advance as f32,
        });
        run_text.push_str(&glyph_text);
        pen += advance;
        i += used;
    }
    (
        TextRun {
            color: None,
            font: FontId(id),
            size: Pt(size),
            baseline: Pt(baseline),
            gray: 0.0,
            text: run_text,
            glyphs,
            offsets: Vec::new(),
            h_scale: 1.0,
        },
        pen,
    )
}

/// Writes a one-page document of `items` in `font` to a temporary file.
fn write_one_page(items: Vec<Item>, font: FontData) -> (tempfile::TempDir, PathBuf) {
    let doc = Document {
        pages: vec![page(items)],
        fonts: vec![font],
        outline: vec![],
        page_labels: vec![],
        info: info(),
        structure: Default::default(),
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("one-page.pdf");
    std::fs::write(&path, write_pdf(&doc).unwrap()).unwrap();
    (dir, path)
}

fn info() -> DocInfo {
    DocInfo {
        title: "Pakistan and the Taliban".into(),
        subtitle: Some("A short history".into()),
        authors: vec!["Ayesha Khan".into(), "Tom Smith".into()],
        subject: None,
        keywords: vec!["Pakistan".into(), "Afghanistan".into()],
        language: "en".into(),
        epoch: 1_700_000_000,
        identifier: "urn:uuid:9a3f1c2e-0000-4000-8000-000000000001".into(),
        right_to_left: false,
        page_label: "Page {}".into(),
    }
}

fn page(items: Vec<Item>) -> Page {
    Page {
        width: Pt(PAGE_W),
        height: Pt(PAGE_H),
        items,
        anchors: Vec::new(),
    }
}

fn anchor(id: &str, y: f64) -> Anchor {
    Anchor {
        id: id.into(),
        y: Pt(y),
    }
}

/// Writes a small RGBA PNG with a transparent corner.
fn write_png(path: &Path) {
    let (w, h) = (40u32, 24u32);
    let mut data = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let alpha = if x < 8 && y < 8 { 0 } else { 255 };
            data.extend_from_slice(&[(x * 6) as u8, (y * 10) as u8, 160, alpha]);
        }
    }
    let file = std::fs::File::create(path).unwrap();
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), w, h);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&data).unwrap();
}

/// A hand-assembled baseline JPEG: one 8×8 grey block (value 144), with
/// one-code Huffman tables — the smallest JPEG a decoder must accept.
fn write_jpeg(path: &Path) {
    let mut j = vec![0xff, 0xd8];
    j.extend_from_slice(&[0xff, 0xdb, 0, 67, 0]);
    j.extend_from_slice(&[1; 64]);
    j.extend_from_slice(&[0xff, 0xc0, 0, 11, 8, 0, 8, 0, 8, 1, 1, 0x11, 0]);
    let mut dht = |class: u8, symbol: u8| {
        j.extend_from_slice(&[0xff, 0xc4, 0, 20, class, 1]);
        j.extend_from_slice(&[0; 15]);
        j.push(symbol);
    };
    dht(0x00, 8); // DC: category 8
    dht(0x10, 0); // AC: end of block
    j.extend_from_slice(&[0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0]);
    // DC code "0", value 128 (= 8 × (144 − 128)), EOB "0", padded with ones.
    j.extend_from_slice(&[0b0100_0000, 0b0011_1111]);
    j.extend_from_slice(&[0xff, 0xd9]);
    std::fs::write(path, j).unwrap();
}

/// Three pages: a title page, a text page with links and images, and a
/// page with a footnote mark raised by a glyph offset.
fn sample(dir: &Path, spaces: Spaces) -> Document {
    let regular = gentium();
    let italic = load_font("GentiumBookPlus-Italic.ttf", "GentiumBookPlus-Italic");
    let mono = load_font("Inconsolata.otf", "Inconsolata");
    let png_path = dir.join("map.png");
    let jpg_path = dir.join("grey.jpg");
    write_png(&png_path);
    write_jpeg(&jpg_path);

    let (title, _) = set_line(
        &regular,
        0,
        "Pakistan and the Taliban",
        24.0,
        72.0,
        200.0,
        spaces,
    );
    let title_page = page(vec![
        Item::Text(title),
        Item::Rect(Rect {
            x: Pt(72.0),
            y: Pt(212.0),
            width: Pt(288.0),
            height: Pt(0.5),
            gray: 0.4,
        }),
    ]);

    let mut items = Vec::new();
    let lines = [
        "The first official history finds its office in Kabul.",
        "Efficient fighters defied the difficult terrain.",
    ];
    let mut baseline = 100.0;
    for line in lines {
        let (run, _) = set_line(&regular, 0, line, 11.0, 72.0, baseline, spaces);
        items.push(Item::Text(run));
        baseline += 14.0;
    }
    let (lead, end) = set_line(&regular, 0, "See the ", 11.0, 72.0, baseline, spaces);
    let (link_text, link_end) = set_line(&italic, 1, "project page", 11.0, end, baseline, spaces);
    let (code, _) = set_line(
        &mono,
        2,
        "let x = 1;",
        10.0,
        link_end + 3.0,
        baseline,
        spaces,
    );
    items.push(Item::Text(lead));
    items.push(Item::Link(LinkArea {
        rect: Rect {
            x: Pt(end),
            y: Pt(baseline - 9.0),
            width: Pt(link_end - end),
            height: Pt(12.0),
            gray: 0.0,
        },
        target: Destination::Uri("https://example.org/Kābul (city)".into()),
    }));
    items.push(Item::Text(link_text));
    items.push(Item::Text(code));
    items.push(Item::Link(LinkArea {
        rect: Rect {
            x: Pt(72.0),
            y: Pt(91.0),
            width: Pt(60.0),
            height: Pt(12.0),
            gray: 0.0,
        },
        target: Destination::Page {
            page: 2,
            y: Pt(120.0),
        },
    }));
    items.push(Item::Image(PlacedImage {
        path: png_path,
        x: Pt(72.0),
        y: Pt(200.0),
        width: Pt(160.0),
        height: Pt(96.0),
        alt: "A map".into(),
    }));
    items.push(Item::Image(PlacedImage {
        path: jpg_path,
        x: Pt(250.0),
        y: Pt(200.0),
        width: Pt(96.0),
        height: Pt(96.0),
        alt: "Grey".into(),
    }));
    let mut text_page = page(items);
    text_page.anchors = vec![anchor("opening", 90.0)];

    let (mut heading, _) = set_line(
        &regular,
        0,
        "Who were the Taliban & (why)?",
        16.0,
        72.0,
        120.0,
        spaces,
    );
    heading.gray = 0.2;
    let (mut note, end) = set_line(&regular, 0, "A noted fact", 11.0, 72.0, 150.0, spaces);
    let (mark, _) = set_line(&regular, 0, "1", 7.0, end, 150.0, spaces);
    // A mark of another size in the same run would need its own run; here
    // the raised glyph stays in the 11 pt run to exercise Ts.
    note.offsets.push((note.glyphs.len() as u32, Pt(4.0)));
    note.glyphs.push(Glyph {
        x: Pt(end + 0.5),
        ..mark.glyphs[0]
    });
    note.text.push_str(&mark.text);
    let mut notes_page = page(vec![Item::Text(heading), Item::Text(note)]);
    notes_page.anchors = vec![
        anchor("who-were-the-taliban", 104.0),
        anchor("fn-1", 140.0),
        // A duplicate id: the first page keeps it.
        anchor("opening", 10.0),
    ];

    Document {
        pages: vec![title_page, text_page, notes_page],
        fonts: vec![regular, italic, mono],
        outline: vec![
            OutlineEntry {
                title: "Pakistan & “the” (Taliban)".into(),
                page: 0,
                y: Pt(180.0),
                children: vec![OutlineEntry {
                    title: "Who were the Taliban?".into(),
                    page: 1,
                    y: Pt(80.0),
                    children: vec![OutlineEntry {
                        title: "Kābul".into(),
                        page: 2,
                        y: Pt(100.0),
                        children: vec![],
                    }],
                }],
            },
            OutlineEntry {
                title: "Notes on \"jihad\" (and 'war') \\ more".into(),
                page: 2,
                y: Pt(130.0),
                children: vec![],
            },
        ],
        page_labels: vec![
            PageLabelRange {
                first_page: 0,
                style: LabelStyle::None,
                start: 1,
            },
            PageLabelRange {
                first_page: 1,
                style: LabelStyle::LowerRoman,
                start: 1,
            },
            PageLabelRange {
                first_page: 2,
                style: LabelStyle::Decimal,
                start: 1,
            },
        ],
        info: info(),
        structure: Default::default(),
    }
}

/// Runs a tool; a missing tool is a test failure with instructions.
fn tool(name: &str, args: &[&str]) -> std::process::Output {
    match Command::new(name).args(args).output() {
        Ok(out) => out,
        Err(e) => panic!(
            "`{name}` is needed by this test and could not be run ({e}); \
             install qpdf and poppler-utils"
        ),
    }
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn write_sample(dir: &Path, spaces: Spaces) -> (PathBuf, Vec<u8>) {
    let bytes = write_pdf(&sample(dir, spaces)).expect("write_pdf");
    let path = dir.join("sample.pdf");
    std::fs::write(&path, &bytes).unwrap();
    (path, bytes)
}

#[test]
fn qpdf_finds_no_errors_or_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = write_sample(dir.path(), Spaces::Gaps(1.2));
    let out = tool("qpdf", &["--check", path.to_str().unwrap()]);
    let text = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "qpdf --check failed:\n{text}");
    assert!(
        text.contains("No syntax or stream encoding errors"),
        "{text}"
    );
    assert!(!text.to_lowercase().contains("warning"), "{text}");
}

#[test]
fn fonts_are_embedded_subsets_with_unicode() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = write_sample(dir.path(), Spaces::Glyphs);
    let out = tool("pdffonts", &[path.to_str().unwrap()]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    let rows: Vec<&str> = text.lines().skip(2).collect();
    assert_eq!(rows.len(), 3, "{text}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let name = cols[0];
        let (tag, base) = name.split_once('+').expect("subset tag");
        assert!(
            tag.len() == 6 && tag.bytes().all(|b| b.is_ascii_uppercase()),
            "{row}"
        );
        assert!(
            base.starts_with("GentiumBookPlus") || base == "Inconsolata",
            "{row}"
        );
        // name, type (two words), encoding, emb, sub, uni, object ID (two).
        let n = cols.len();
        assert_eq!(
            &cols[n - 5..n - 2],
            &["yes", "yes", "yes"],
            "emb/sub/uni: {row}"
        );
    }
    assert!(text.contains("CID TrueType"), "{text}");
    assert!(text.contains("CID Type 0C"), "{text}");
}

/// Text extraction gives back every word, in order, single-spaced, with the
/// ligature as its letters — whether the typesetter sets spaces as glyphs
/// or as gaps.
#[test]
fn pdftotext_reads_words_and_ligatures() {
    for spaces in [
        Spaces::Glyphs,
        Spaces::Gaps(1.0),
        Spaces::Gaps(0.7),
        Spaces::Gaps(2.5),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (path, _) = write_sample(dir.path(), spaces);
        let out = tool("pdftotext", &[path.to_str().unwrap(), "-"]);
        let text = stdout(&out);
        assert!(out.status.success());
        for expected in [
            "Pakistan and the Taliban",
            "The first official history finds its office in Kabul.",
            "Efficient fighters defied the difficult terrain.",
            "See the project page let x = 1;",
            "Who were the Taliban & (why)?",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
        // poppler starts a new word where the baseline rises, whatever the
        // gap: a footnote mark reads as "fact 1". No space glyph is added.
        assert!(text.contains("A noted fact 1"), "{text}");
    }
}

#[test]
fn the_ligature_is_one_glyph() {
    // Guard for the test above: the font really has the fi ligature, so
    // "first" is drawn with it and only ToUnicode can give back "fi".
    let font = gentium();
    let (run, _) = set_line(&font, 0, "first", 11.0, 0.0, 0.0, Spaces::Glyphs);
    assert_eq!(run.glyphs.len(), 4);
    assert_eq!(run.glyph_texts().next().map(|(_, t)| t), Some("fi"));
}

#[test]
fn outline_and_page_labels_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = write_sample(dir.path(), Spaces::Glyphs);
    let out = tool(
        "qpdf",
        &[
            "--json",
            "--json-key=outlines",
            "--json-key=pagelabels",
            path.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let outlines = json["outlines"].as_array().unwrap();
    assert_eq!(outlines.len(), 2);
    assert_eq!(outlines[0]["title"], "Pakistan & “the” (Taliban)");
    assert_eq!(outlines[0]["destpageposfrom1"], 1);
    let child = &outlines[0]["kids"][0];
    assert_eq!(child["title"], "Who were the Taliban?");
    assert_eq!(child["destpageposfrom1"], 2);
    assert_eq!(child["dest"][3].as_f64().unwrap(), PAGE_H - 80.0);
    let grandchild = &child["kids"][0];
    assert_eq!(grandchild["title"], "Kābul");
    assert_eq!(grandchild["destpageposfrom1"], 3);
    assert_eq!(
        outlines[1]["title"],
        "Notes on \"jihad\" (and 'war') \\ more"
    );
    // Chapters start open, deeper levels closed.
    assert_eq!(outlines[0]["open"], true);
    assert_eq!(child["open"], false);

    let labels = json["pagelabels"].as_array().unwrap();
    let styles: Vec<(i64, Option<&str>)> = labels
        .iter()
        .map(|l| (l["index"].as_i64().unwrap(), l["label"]["/S"].as_str()))
        .collect();
    assert_eq!(styles, vec![(0, None), (1, Some("/r")), (2, Some("/D"))]);
}

#[test]
fn catalog_and_info_carry_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let (path, bytes) = write_sample(dir.path(), Spaces::Glyphs);
    let out = tool("pdfinfo", &[path.to_str().unwrap()]);
    let text = stdout(&out);
    assert!(
        text.contains("Title:           Pakistan and the Taliban"),
        "{text}"
    );
    assert!(
        text.contains("Author:          Ayesha Khan, Tom Smith"),
        "{text}"
    );
    assert!(text.contains("Creator:         Folio"), "{text}");
    assert!(text.contains("Pages:           3"), "{text}");
    assert!(text.contains("Subject:         A short history"), "{text}");

    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    let catalog = doc.catalog().unwrap();
    assert_eq!(
        catalog.get(b"PageMode").unwrap().as_name().unwrap(),
        b"UseOutlines"
    );
    assert_eq!(catalog.get(b"Lang").unwrap().as_str().unwrap(), b"en");
    let info_id = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
    let info = doc.get_dictionary(info_id).unwrap();
    assert!(!info.has(b"GTS_PDFXVersion"));
    assert_eq!(
        info.get(b"CreationDate").unwrap().as_str().unwrap(),
        b"D:20231114221320+00'00'"
    );
    let xmp_id = catalog.get(b"Metadata").unwrap().as_reference().unwrap();
    let xmp = doc.get_object(xmp_id).unwrap().as_stream().unwrap();
    let xmp = String::from_utf8(xmp.content.clone()).unwrap();
    assert!(xmp.contains("<rdf:li xml:lang=\"x-default\">Pakistan and the Taliban</rdf:li>"));
    assert!(xmp.contains("<rdf:li>Ayesha Khan</rdf:li><rdf:li>Tom Smith</rdf:li>"));
    assert!(xmp.contains("<xmp:CreateDate>2023-11-14T22:13:20Z</xmp:CreateDate>"));
    // Every stream but the XMP packet, the JPEG and the cross-reference
    // stream (lopdf writes it plain) is deflated; object streams are
    // decompressed when loaded, so they are checked in the bytes.
    for object in doc.objects.values() {
        if let lopdf::Object::Stream(s) = object {
            let filter = s.dict.get(b"Filter").ok().and_then(|f| f.as_name().ok());
            let kind = s.dict.get(b"Type").ok().and_then(|t| t.as_name().ok());
            assert!(
                matches!(kind, Some(b"Metadata" | b"ObjStm" | b"XRef"))
                    || matches!(filter, Some(b"FlateDecode" | b"DCTDecode"))
            );
        }
    }
    // The small dictionaries travel in deflated object streams.
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("/Type/XRef"));
    assert!(!text.contains("/Type/Annot"));
    assert!(text.split("/Type/ObjStm").skip(1).all(|rest| rest
        .split(">>")
        .next()
        .unwrap()
        .contains("/Filter/FlateDecode")));
}

#[test]
fn links_are_borderless_uri_and_goto_actions() {
    let dir = tempfile::tempdir().unwrap();
    let (_, bytes) = write_sample(dir.path(), Spaces::Glyphs);
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    let pages = doc.get_pages();
    let annots = doc.get_page_annotations(pages[&2]).unwrap();
    assert_eq!(annots.len(), 2);
    let uri = annots[0].get(b"A").unwrap().as_dict().unwrap();
    assert_eq!(uri.get(b"S").unwrap().as_name().unwrap(), b"URI");
    assert_eq!(
        uri.get(b"URI").unwrap().as_str().unwrap(),
        b"https://example.org/K%C4%81bul%20(city)"
    );
    let goto = annots[1].get(b"A").unwrap().as_dict().unwrap();
    let dest = goto.get(b"D").unwrap().as_array().unwrap();
    assert_eq!(dest[0].as_reference().unwrap(), pages[&3]);
    assert_eq!(dest[1].as_name().unwrap(), b"XYZ");
    assert_eq!(dest[3].as_float().unwrap(), (PAGE_H - 120.0) as f32);
    for annot in &annots {
        let border = annot.get(b"Border").unwrap().as_array().unwrap();
        assert_eq!(border[2].as_float().unwrap(), 0.0);
    }
    // The rectangle is flipped to PDF's bottom-left origin.
    let rect = annots[1].get(b"Rect").unwrap().as_array().unwrap();
    assert_eq!(rect[1].as_float().unwrap(), (PAGE_H - 103.0) as f32);
    assert_eq!(rect[3].as_float().unwrap(), (PAGE_H - 91.0) as f32);
}

#[test]
fn output_is_byte_identical_across_writes() {
    let dir = tempfile::tempdir().unwrap();
    let doc = sample(dir.path(), Spaces::Gaps(1.1));
    let a = write_pdf(&doc).unwrap();
    let b = write_pdf(&doc.clone()).unwrap();
    assert!(a == b, "two writes of the same document differ");
    let mut other = doc.clone();
    other.info.identifier = "urn:uuid:other".into();
    let c = write_pdf(&other).unwrap();
    let id = |bytes: &[u8]| {
        let d = lopdf::Document::load_mem(bytes).unwrap();
        d.trailer.get(b"ID").unwrap().clone()
    };
    assert_eq!(id(&a), id(&b));
    assert_ne!(id(&a), id(&c), "the /ID must depend on the identifier");
}

#[test]
fn unreadable_images_are_named_in_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc = sample(dir.path(), Spaces::Glyphs);
    let missing = dir.path().join("missing.png");
    let bogus = dir.path().join("notes.txt");
    std::fs::write(&bogus, "not an image").unwrap();
    for path in [&missing, &bogus] {
        doc.pages[1].items.push(Item::Image(PlacedImage {
            path: path.clone(),
            x: Pt(0.0),
            y: Pt(0.0),
            width: Pt(10.0),
            height: Pt(10.0),
            alt: String::new(),
        }));
    }
    let err = write_pdf(&doc).unwrap_err();
    assert_eq!(err.0.len(), 2, "{err}");
    assert!(err.0[0].message.contains("missing.png"), "{err}");
    assert_eq!(err.0[0].location.as_ref().unwrap().path, missing);
    assert!(
        err.0[1]
            .message
            .contains("is not a PNG, JPEG, GIF, WebP or SVG file"),
        "{err}"
    );
    assert!(err.0[1].hint.is_some());
}

#[test]
fn bad_references_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc = sample(dir.path(), Spaces::Glyphs);
    doc.outline[1].page = 7;
    if let Item::Text(run) = &mut doc.pages[0].items[0] {
        run.font = FontId(9);
    }
    let err = write_pdf(&doc).unwrap_err();
    assert_eq!(err.0.len(), 2, "{err}");
    let mut doc = sample(dir.path(), Spaces::Glyphs);
    if let Item::Text(run) = &mut doc.pages[0].items[0] {
        run.glyphs[0].id = u16::MAX;
    }
    assert!(write_pdf(&doc).is_err());
}

/// A glyph that stands for different text in different places gets one
/// code per text, so each place extracts correctly.
#[test]
fn one_glyph_with_two_texts_extracts_both() {
    let font = gentium();
    let (mut a, _) = set_line(&font, 0, "AB", 20.0, 72.0, 100.0, Spaces::Glyphs);
    let (mut b, _) = set_line(&font, 0, "AB", 20.0, 72.0, 140.0, Spaces::Glyphs);
    // Claim the second glyph of line one is the tail of a cluster (no
    // text), and the first glyph of line two stands for "Ä".
    a.glyphs[1].text_len = 0;
    b.text = "ÄB".into();
    b.glyphs[0].text_len = 2;
    let (_dir, path) = write_one_page(vec![Item::Text(a), Item::Text(b)], font);
    let text = stdout(&tool("pdftotext", &[path.to_str().unwrap(), "-"]));
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines, vec!["A", "ÄB"], "{text}");
    let check = tool("qpdf", &["--check", path.to_str().unwrap()]);
    assert!(check.status.success() && !stdout(&check).contains("WARNING"));
}

/// Renders the text page and the notes page; the PNGs are left in
/// `target/pdf-render/` for a human to look at.
#[test]
fn pages_render_with_ink_where_text_is() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = write_sample(dir.path(), Spaces::Gaps(1.0));
    let out_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pdf-render");
    std::fs::create_dir_all(&out_dir).unwrap();
    let prefix = out_dir.join("sample");
    let out = tool(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "80",
            path.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png_path = out_dir.join("sample-2.png");
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&png_path).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let (w, h) = (info.width as usize, info.height as usize);
    assert_eq!((w, h), (480, 720));
    let channels = info.line_size / w;
    let dark = |x0: f64, y0: f64, x1: f64, y1: f64| {
        let s = 80.0 / 72.0;
        let mut n = 0;
        for y in (y0 * s) as usize..(y1 * s) as usize {
            for x in (x0 * s) as usize..(x1 * s) as usize {
                let p = &buf[y * info.line_size + x * channels..];
                if p[0] < 128 {
                    n += 1;
                }
            }
        }
        n
    };
    // First line of text: baseline 100, cap height ~8 pt above.
    assert!(
        dark(72.0, 90.0, 300.0, 102.0) > 100,
        "no ink where the first line is"
    );
    assert_eq!(dark(72.0, 30.0, 300.0, 80.0), 0, "ink above the text");
    // The PNG (opaque part) and the JPEG (grey 144 → not dark, but not white).
    assert!(dark(100.0, 220.0, 230.0, 290.0) > 100, "PNG not drawn");
    let grey = &buf[(250.0 * 80.0 / 72.0) as usize * info.line_size
        + (300.0 * 80.0 / 72.0) as usize * channels..];
    assert!((120..170).contains(&grey[0]), "JPEG not drawn: {}", grey[0]);
}

/// What our content streams say, independent of any viewer's heuristics:
/// every TJ string decoded through its font's ToUnicode CMap, one line per
/// baseline, in stream order.
fn content_lines(bytes: &[u8], page_number: u32) -> Vec<String> {
    use lopdf::content::Content;
    use std::collections::BTreeMap;
    let doc = lopdf::Document::load_mem(bytes).unwrap();
    let page_id = doc.get_pages()[&page_number];
    let fonts = doc.get_page_fonts(page_id).unwrap();
    let mut cmaps: BTreeMap<Vec<u8>, BTreeMap<u16, String>> = BTreeMap::new();
    for (name, font) in fonts {
        let cmap_id = font.get(b"ToUnicode").unwrap().as_reference().unwrap();
        let stream = doc.get_object(cmap_id).unwrap().as_stream().unwrap();
        let text = String::from_utf8(stream.decompressed_content().unwrap()).unwrap();
        let mut map = BTreeMap::new();
        let mut in_bfchar = false;
        for line in text.lines() {
            if line.ends_with("beginbfchar") || line == "endbfchar" {
                in_bfchar = line != "endbfchar";
                continue;
            }
            let Some((code, uni)) = line
                .strip_prefix('<')
                .and_then(|l| l.split_once("> <"))
                .filter(|_| in_bfchar)
            else {
                continue;
            };
            let uni = uni.trim_end_matches('>');
            let units: Vec<u16> = (0..uni.len())
                .step_by(4)
                .map(|i| u16::from_str_radix(&uni[i..i + 4], 16).unwrap())
                .collect();
            map.insert(
                u16::from_str_radix(code, 16).unwrap(),
                String::from_utf16(&units).unwrap(),
            );
        }
        cmaps.insert(name, map);
    }
    let content = Content::decode(&doc.get_page_content(page_id)).unwrap();
    let mut lines: Vec<(f32, String)> = Vec::new();
    let mut font = Vec::new();
    let mut y = f32::NAN;
    for op in content.operations {
        match op.operator.as_str() {
            "Tf" => font = op.operands[0].as_name().unwrap().to_vec(),
            // Runs are placed with Td from the previous one (from the
            // origin after BT), or with Tm.
            "BT" => y = 0.0,
            "Td" => y += op.operands[1].as_float().unwrap(),
            "Tm" => y = op.operands[5].as_float().unwrap(),
            "TJ" => {
                if lines.last().is_none_or(|(ly, _)| (*ly - y).abs() > 0.01) {
                    lines.push((y, String::new()));
                }
                let line = &mut lines.last_mut().unwrap().1;
                for item in op.operands[0].as_array().unwrap() {
                    if let Ok(s) = item.as_str() {
                        // Codes below 0x80 are one byte, the others two.
                        let mut bytes = s.iter();
                        while let Some(&b) = bytes.next() {
                            let code = if b < 0x80 {
                                u16::from(b)
                            } else {
                                u16::from_be_bytes([b, *bytes.next().unwrap()])
                            };
                            if let Some(text) = cmaps[&font].get(&code) {
                                line.push_str(text);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    lines.into_iter().map(|(_, l)| l).collect()
}

/// With spaces set as gaps, the writer itself puts space glyphs in the
/// words' gaps — also between runs of different fonts on one line — and
/// nowhere else.
#[test]
fn gaps_between_words_get_space_glyphs() {
    for spaces in [
        Spaces::Gaps(0.7),
        Spaces::Gaps(1.0),
        Spaces::Gaps(3.0),
        Spaces::Glyphs,
    ] {
        let dir = tempfile::tempdir().unwrap();
        let bytes = write_pdf(&sample(dir.path(), spaces)).unwrap();
        let lines = content_lines(&bytes, 2);
        // In the text runs, "See the " ends with a space: as a glyph, or as a
        // gap before the italic run, which becomes a space glyph.
        assert_eq!(
            lines,
            vec![
                "The first official history finds its office in Kabul.",
                "Efficient fighters defied the difficult terrain.",
                "See the project page let x = 1;",
            ],
            "{:?}",
            spaces.label()
        );
        let lines = content_lines(&bytes, 3);
        assert_eq!(
            lines,
            vec!["Who were the Taliban & (why)?", "A noted fact1"]
        );
    }
}

impl Spaces {
    fn label(self) -> String {
        match self {
            Spaces::Glyphs => "glyphs".into(),
            Spaces::Gaps(k) => format!("gaps ×{k}"),
        }
    }
}

#[test]
fn anchors_become_named_destinations() {
    let dir = tempfile::tempdir().unwrap();
    let (_, bytes) = write_sample(dir.path(), Spaces::Glyphs);
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    let pages = doc.get_pages();
    let names = doc
        .catalog()
        .unwrap()
        .get(b"Names")
        .unwrap()
        .as_dict()
        .unwrap();
    let tree_id = names.get(b"Dests").unwrap().as_reference().unwrap();
    let tree = doc.get_dictionary(tree_id).unwrap();
    let entries = tree.get(b"Names").unwrap().as_array().unwrap();
    let keys: Vec<&[u8]> = entries
        .iter()
        .step_by(2)
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        vec![&b"fn-1"[..], b"opening", b"who-were-the-taliban"]
    );
    let opening = entries[3].as_array().unwrap();
    assert_eq!(
        opening[0].as_reference().unwrap(),
        pages[&2],
        "first page wins"
    );
    assert_eq!(opening[3].as_float().unwrap(), (PAGE_H - 90.0) as f32);
}

/// Glyphs land where the typesetter put them: the x of every word start
/// read back by poppler matches the frame (wide gaps, like a justified
/// line, and a 2048-unit em that /W cannot hold as integers).
#[test]
fn words_start_where_the_frame_says() {
    let font = gentium();
    let (run, _) = set_line(
        &font,
        0,
        "The first official history finds its office in Kabul.",
        10.37,
        54.123,
        100.0,
        Spaces::Gaps(1.73),
    );
    let mut starts = vec![run.glyphs[0].x.0];
    for pair in run.glyphs.windows(2) {
        if pair[1].x.0 - pair[0].end().0 > 0.5 {
            starts.push(pair[1].x.0);
        }
    }
    let doc = Document {
        pages: vec![page(vec![Item::Text(run)])],
        fonts: vec![font],
        outline: vec![],
        page_labels: vec![],
        info: info(),
        structure: Default::default(),
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pos.pdf");
    std::fs::write(&path, write_pdf(&doc).unwrap()).unwrap();
    let out = tool("pdftotext", &["-bbox", path.to_str().unwrap(), "-"]);
    let html = stdout(&out);
    let found: Vec<f64> = html
        .lines()
        .filter(|l| l.trim_start().starts_with("<word"))
        .map(|l| {
            let v = l.split("xMin=\"").nth(1).unwrap();
            v[..v.find('"').unwrap()].parse().unwrap()
        })
        .collect();
    assert_eq!(found.len(), starts.len(), "{html}");
    for (got, want) in found.iter().zip(&starts) {
        assert!(
            (got - want).abs() < 0.006,
            "word at {got}, frame says {want}"
        );
    }
}

/// A run set with font expansion (glyphs 2% wider, `h_scale` 1.02) is drawn
/// with `Tz`: every word starts and ends where the frame put it.
#[test]
fn expanded_runs_draw_wider_glyphs_where_the_frame_says() {
    let font = gentium();
    let (mut run, _) = set_line(
        &font,
        0,
        "The first official history finds its office in Kabul.",
        11.0,
        54.0,
        100.0,
        Spaces::Gaps(1.2),
    );
    let h = 1.02;
    let x0 = run.glyphs[0].x.0;
    for g in &mut run.glyphs {
        g.x = Pt(x0 + (g.x.0 - x0) * h);
        g.advance = (f64::from(g.advance) * h) as f32;
    }
    run.h_scale = h as f32;
    // Word extents as the frame has them.
    let mut words = vec![(run.glyphs[0].x.0, 0.0)];
    for pair in run.glyphs.windows(2) {
        if pair[1].x.0 - pair[0].end().0 > 0.5 {
            words.last_mut().unwrap().1 = pair[0].end().0;
            words.push((pair[1].x.0, 0.0));
        }
    }
    let last = run.glyphs.last().unwrap();
    words.last_mut().unwrap().1 = last.end().0;
    let (_dir, path) = write_one_page(vec![Item::Text(run)], font);
    let qpdf = tool(
        "qpdf",
        &[
            "--qdf",
            "--object-streams=disable",
            path.to_str().unwrap(),
            "-",
        ],
    );
    assert!(
        String::from_utf8_lossy(&qpdf.stdout).contains("102 Tz"),
        "the content stream sets the horizontal scale"
    );
    let out = tool("pdftotext", &["-bbox", path.to_str().unwrap(), "-"]);
    let html = stdout(&out);
    let attr = |l: &str, name: &str| -> f64 {
        let v = l.split(&format!("{name}=\"")).nth(1).unwrap();
        v[..v.find('"').unwrap()].parse().unwrap()
    };
    let found: Vec<(f64, f64)> = html
        .lines()
        .filter(|l| l.trim_start().starts_with("<word"))
        .map(|l| (attr(l, "xMin"), attr(l, "xMax")))
        .collect();
    assert_eq!(found.len(), words.len(), "{html}");
    for (got, want) in found.iter().zip(&words) {
        assert!(
            (got.0 - want.0).abs() < 0.01 && (got.1 - want.1).abs() < 0.01,
            "word at {got:?}, frame says {want:?}"
        );
    }
}

/// Past the 128 one-byte codes, glyphs are written with two-byte codes:
/// both kinds extract as their text and the file checks clean, and the
/// common glyphs (met first) take one byte each.
#[test]
fn glyphs_past_the_one_byte_codes_extract() {
    let font = gentium();
    let face = FontRef::new(&font.bytes).unwrap();
    let letters: Vec<char> = ('a'..='z')
        .chain('A'..='Z')
        .chain('À'..='ÿ')
        .chain('Α'..='ω')
        .chain('А'..='я')
        .filter(|c| c.is_alphabetic() && face.charmap().map(*c).is_some())
        .collect();
    assert!(letters.len() > 200, "{}", letters.len());
    let lines: Vec<String> = letters
        .chunks(30)
        .map(|chunk| chunk.iter().collect())
        .collect();
    let items: Vec<Item> = lines
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let (run, _) = set_line(
                &font,
                0,
                text,
                10.0,
                40.0,
                60.0 + 14.0 * i as f64,
                Spaces::Glyphs,
            );
            Item::Text(run)
        })
        .collect();
    let doc = Document {
        pages: vec![page(items)],
        fonts: vec![font.clone()],
        outline: vec![],
        page_labels: vec![],
        info: info(),
        structure: Default::default(),
    };
    let bytes = write_pdf(&doc).unwrap();
    assert_eq!(content_lines(&bytes, 1), lines);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("codes.pdf");
    std::fs::write(&path, &bytes).unwrap();
    let text = stdout(&tool("pdftotext", &[path.to_str().unwrap(), "-"]));
    let got: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(got, lines, "{text}");
    let check = tool("qpdf", &["--check", path.to_str().unwrap()]);
    assert!(check.status.success(), "{}", stdout(&check));
    // The first line's 30 glyphs are codes 1–30 (after .notdef): one byte
    // each in the content stream.
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    let page_id = doc.get_pages()[&1];
    let content = lopdf::content::Content::decode(&doc.get_page_content(page_id)).unwrap();
    let first = content
        .operations
        .iter()
        .find(|op| op.operator == "TJ")
        .unwrap();
    let string_bytes: usize = first.operands[0]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o.as_str().ok())
        .map(<[u8]>::len)
        .sum();
    assert_eq!(string_bytes, 30);
}

/// A paragraph with a link in it, marked as the frame's API describes:
/// P's words, the Link node's words and annotation, P's words again.
#[test]
fn marks_within_a_line_nest_a_link_in_its_paragraph() {
    use crate::typeset::frame::{ArtifactKind, StructKind, StructTree, Tag};
    let font = gentium();
    let mut tree = StructTree::new();
    let p = tree.add(StructKind::P, StructTree::ROOT);
    let link = tree.add(StructKind::Link, p);
    let (before, x) = set_line(&font, 0, "See ", 11.0, 72.0, 100.0, Spaces::Glyphs);
    let (linked, x2) = set_line(&font, 0, "the map", 11.0, x, 100.0, Spaces::Glyphs);
    let (after, _) = set_line(&font, 0, " for more.", 11.0, x2, 100.0, Spaces::Glyphs);
    let (folio, _) = set_line(&font, 0, "7", 11.0, 200.0, 600.0, Spaces::Glyphs);
    let items = vec![
        Item::Tag(Tag::Node(p)),
        Item::Text(before),
        Item::Tag(Tag::Node(link)),
        Item::Text(linked),
        Item::Link(LinkArea {
            rect: Rect {
                x: Pt(x),
                y: Pt(90.0),
                width: Pt(x2 - x),
                height: Pt(12.0),
                gray: 0.0,
            },
            target: Destination::Uri("https://example.org/map".into()),
        }),
        Item::Tag(Tag::Node(p)),
        Item::Text(after),
        Item::Tag(Tag::Artifact(ArtifactKind::Footer)),
        Item::Text(folio),
    ];
    let doc = Document {
        pages: vec![page(items)],
        fonts: vec![font],
        outline: vec![],
        page_labels: vec![],
        info: info(),
        structure: tree,
    };
    let bytes = write_pdf(&doc).unwrap();
    let pdf = lopdf::Document::load_mem(&bytes).unwrap();
    let content = String::from_utf8_lossy(&pdf.get_page_content(pdf.page_iter().next().unwrap()))
        .into_owned();
    assert!(content.contains("/P <</MCID 0>>BDC"), "{content}");
    assert!(content.contains("/Link <</MCID 1>>BDC"), "{content}");
    assert!(content.contains("/P <</MCID 2>>BDC"), "{content}");
    assert!(content.contains("/Artifact <</Type/Pagination/Subtype/Footer>>BDC"));
    assert_eq!(
        content.matches("BDC").count(),
        content.matches("EMC").count()
    );
    // The line's words switch sequences inside one text object, and
    // sequences and text objects nest.
    assert_eq!(content.matches("BT").count(), 1, "{content}");
    let mut open: Vec<&str> = Vec::new();
    for line in content.lines() {
        match line.rsplit(|c: char| c.is_whitespace() || c == '>').next() {
            Some(op @ ("BT" | "BDC")) => open.push(op),
            Some("ET") => assert_eq!(open.pop(), Some("BT"), "{content}"),
            Some("EMC") => assert_eq!(open.pop(), Some("BDC"), "{content}"),
            _ => {}
        }
    }
    assert!(open.is_empty(), "{content}");

    let elem = |o: &lopdf::Object| pdf.get_dictionary(o.as_reference().unwrap()).unwrap();
    let root = elem(pdf.catalog().unwrap().get(b"StructTreeRoot").unwrap());
    let document = elem(root.get(b"K").unwrap());
    assert_eq!(document.get(b"S").unwrap().as_name().unwrap(), b"Document");
    let para = elem(document.get(b"K").unwrap());
    assert_eq!(para.get(b"S").unwrap().as_name().unwrap(), b"P");
    let kids = para.get(b"K").unwrap().as_array().unwrap();
    assert_eq!(kids.len(), 3, "{kids:?}");
    assert_eq!(kids[0].as_i64().unwrap(), 0);
    assert_eq!(kids[2].as_i64().unwrap(), 2);
    let link_elem = elem(&kids[1]);
    assert_eq!(link_elem.get(b"S").unwrap().as_name().unwrap(), b"Link");
    let link_kids = link_elem.get(b"K").unwrap().as_array().unwrap();
    assert_eq!(link_kids[0].as_i64().unwrap(), 1);
    let objr = link_kids[1].as_dict().unwrap();
    assert_eq!(objr.get(b"Type").unwrap().as_name().unwrap(), b"OBJR");
    // The annotation points back at the Link element through the parent tree.
    let annot_id = objr.get(b"Obj").unwrap().as_reference().unwrap();
    let annot = pdf.get_dictionary(annot_id).unwrap();
    let key = annot.get(b"StructParent").unwrap().as_i64().unwrap();
    let nums = root
        .get(b"ParentTree")
        .unwrap()
        .as_dict()
        .unwrap()
        .get(b"Nums")
        .unwrap()
        .as_array()
        .unwrap();
    let at = nums
        .chunks(2)
        .find(|pair| pair[0].as_i64().unwrap() == key)
        .unwrap();
    assert_eq!(
        at[1].as_reference().unwrap(),
        kids[1].as_reference().unwrap()
    );
}

/// The operators of page `page_number`'s content stream, decoded.
fn operators(bytes: &[u8], page_number: u32) -> Vec<lopdf::content::Operation> {
    let doc = lopdf::Document::load_mem(bytes).unwrap();
    let page_id = doc.get_pages()[&page_number];
    lopdf::content::Content::decode(&doc.get_page_content(page_id))
        .unwrap()
        .operations
}

/// `Cafe\u{301} noir` by hand: the `e` carries the cluster's text and the
/// combining acute is a glyph of no text, placed (as a font's mark
/// positioning would) over the middle of the `e`, with no advance.
fn cafe_with_a_mark(font: &FontData) -> TextRun {
    let (mut run, _) = set_line(font, 0, "Cafe noir", 20.0, 72.0, 100.0, Spaces::Glyphs);
    let face = FontRef::new(&font.bytes).unwrap();
    let acute = face.charmap().map('\u{301}').expect("a combining acute");
    let e = run.glyphs[3];
    run.text = "Cafe\u{301} noir".into();
    run.glyphs[3].text_len = 3;
    run.glyphs.insert(
        4,
        Glyph {
            id: acute.to_u32() as u16,
            text_len: 0,
            x: e.x + e.advance() * 0.5,
            advance: 0.0,
        },
    );
    run
}

/// A glyph of no text (the second glyph of a cluster) reads as the
/// cluster's text in every reader: the cluster is an /ActualText span,
/// each of its glyphs maps to its share of the text (no code is left
/// without a Unicode value), and the mark inside its base advances to
/// the base's end, so no reader sees a gap inside the word.
#[test]
fn clusters_of_several_glyphs_extract_as_their_text() {
    let font = gentium();
    let run = cafe_with_a_mark(&font);
    let doc = Document {
        pages: vec![page(vec![Item::Text(run)])],
        fonts: vec![font.clone()],
        outline: vec![],
        page_labels: vec![],
        info: info(),
        structure: Default::default(),
    };
    let bytes = write_pdf(&doc).unwrap();
    // Every code maps to text: the glyphs in stream order give the
    // cluster's characters once each.
    assert_eq!(content_lines(&bytes, 1), vec!["Cafe\u{301} noir"]);
    let ops = operators(&bytes, 1);
    let names: Vec<&str> = ops.iter().map(|o| o.operator.as_str()).collect();
    let spans: Vec<&lopdf::content::Operation> =
        ops.iter().filter(|o| o.operator == "BDC").collect();
    let actual: Vec<String> = spans
        .iter()
        .filter_map(|o| o.operands.get(1)?.as_dict().ok()?.get(b"ActualText").ok())
        .map(|t| {
            let b = t.as_str().unwrap();
            let units: Vec<u16> = b[2..]
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).unwrap()
        })
        .collect();
    assert_eq!(actual, vec!["e\u{301}"], "{names:?}");
    assert_eq!(
        names.iter().filter(|n| **n == "BDC").count(),
        names.iter().filter(|n| **n == "EMC").count(),
        "{names:?}"
    );
    // Character spacing for the mark only, back to 0 after it.
    let tc: Vec<f32> = ops
        .iter()
        .filter(|o| o.operator == "Tc")
        .map(|o| o.operands[0].as_float().unwrap())
        .collect();
    assert_eq!(tc.len(), 2, "{names:?}");
    assert!(tc[0] > 1.0 && tc[1] == 0.0, "{tc:?}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cluster.pdf");
    std::fs::write(&path, &bytes).unwrap();
    let text = stdout(&tool("pdftotext", &[path.to_str().unwrap(), "-"]));
    let words: Vec<&str> = text.split_whitespace().collect();
    assert_eq!(words.len(), 2, "{text:?}");
    assert!(
        ["Café", "Cafe\u{301}"].contains(&words[0]) && words[1] == "noir",
        "{text:?}"
    );
    let check = tool("qpdf", &["--check", path.to_str().unwrap()]);
    assert!(check.status.success() && !stdout(&check).contains("WARNING"));
    // A reader that ignores /ActualText (MuPDF) finds a character for
    // every glyph drawn, none of them U+FFFD.
    let trace = stdout(&tool("mutool", &["trace", path.to_str().unwrap()]));
    let glyphs: Vec<&str> = trace.lines().filter(|l| l.contains("<g ")).collect();
    assert_eq!(glyphs.len(), 10, "{trace}");
    assert!(
        glyphs
            .iter()
            .all(|g| g.contains("unicode=\"") && !g.contains('\u{FFFD}')),
        "{trace}"
    );
}

#[test]
fn a_cluster_takes_the_glyphs_of_no_text_on_its_side() {
    use super::text::{actual_text_spans, ActualText};
    let run = |text: &str, glyphs: &[u16]| TextRun {
        color: None,
        font: FontId(0),
        size: Pt(10.0),
        baseline: Pt(10.0),
        gray: 0.0,
        text: text.into(),
        glyphs: glyphs
            .iter()
            .enumerate()
            .map(|(i, &text_len)| Glyph {
                id: 1,
                text_len,
                x: Pt(i as f64 * 5.0),
                advance: 5.0,
            })
            .collect(),
        offsets: Vec::new(),
        h_scale: 1.0,
    };
    // Devanagari: the vowel sign drawn first carries `कि`, the consonant
    // after it is its cluster's; `ल` stands alone.
    let ltr = run("किल", &[6, 0, 3]);
    assert_eq!(
        actual_text_spans(&ltr),
        vec![ActualText {
            glyphs: 0..2,
            text: 0..6,
            rtl: false
        }]
    );
    // Hebrew, reversed into visual order: the dagesh comes before the bet
    // that carries `בּ`; the alef stands alone.
    let rtl = run("בּא", &[0, 4, 2]);
    assert_eq!(
        actual_text_spans(&rtl),
        vec![ActualText {
            glyphs: 0..2,
            text: 0..4,
            rtl: true
        }]
    );
    // Between two right-to-left clusters, the glyph of no text goes with
    // the one after it.
    let rtl = run("אבּ", &[2, 0, 4]);
    assert_eq!(actual_text_spans(&rtl)[0].glyphs, 1..3);
    // Latin: no cluster of several glyphs, no span.
    assert!(actual_text_spans(&run("ab", &[1, 1])).is_empty());
}

#[test]
fn a_cluster_s_text_is_shared_out_among_its_glyphs() {
    use super::text::{split_cluster, ActualText};
    let mut pieces = Vec::new();
    let text = "कि";
    let span = ActualText {
        glyphs: 0..2,
        text: 0..6,
        rtl: false,
    };
    split_cluster(&span, text, &mut pieces);
    assert_eq!(pieces, vec![(0, 3), (3, 6)]);
    // Three characters on two glyphs: the last takes the rest.
    let span = ActualText {
        glyphs: 0..2,
        text: 0..9,
        rtl: false,
    };
    split_cluster(&span, "क्ष", &mut pieces);
    assert_eq!(pieces, vec![(0, 3), (3, 9)]);
    // One character on two glyphs (Thai's sara am): the second glyph gets
    // no character (it maps to a word joiner).
    split_cluster(
        &ActualText {
            glyphs: 0..2,
            text: 0..3,
            rtl: false,
        },
        "ำ",
        &mut pieces,
    );
    assert_eq!(pieces, vec![(0, 3), (0, 0)]);
    // Right to left: the glyph with the text (the last) comes first.
    split_cluster(
        &ActualText {
            glyphs: 0..2,
            text: 0..4,
            rtl: true,
        },
        "בּ",
        &mut pieces,
    );
    assert_eq!(pieces, vec![(2, 4), (0, 2)]);
}

/// A CFF font has one code per glyph, mapped to the first text it showed:
/// a glyph that later stands for another text carries it as /ActualText.
#[test]
fn a_cff_glyph_standing_for_another_text_extracts_it() {
    let font = load_font("Inconsolata.otf", "Inconsolata-Regular");
    let (a, _) = set_line(&font, 0, "AB", 20.0, 72.0, 100.0, Spaces::Glyphs);
    let (mut b, _) = set_line(&font, 0, "AB", 20.0, 72.0, 140.0, Spaces::Glyphs);
    b.text = "ÄB".into();
    b.glyphs[0].text_len = 2;
    let (_dir, path) = write_one_page(vec![Item::Text(a), Item::Text(b)], font);
    let text = stdout(&tool("pdftotext", &[path.to_str().unwrap(), "-"]));
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines, vec!["AB", "ÄB"], "{text}");
    let check = tool("qpdf", &["--check", path.to_str().unwrap()]);
    assert!(check.status.success() && !stdout(&check).contains("WARNING"));
}
