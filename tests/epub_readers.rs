//! What e-readers need from the EPUB, on the sample book, the feature
//! fixture and the hostile fixture (raw HTML, bad entities, control
//! characters, remote and missing images, duplicate headings, a chapter
//! long enough to be split): EPUBCheck 0/0, split chapters whose links,
//! TOC and notes point into the right part, a cover on every book,
//! accessibility metadata and roles, Kindle-safe files, the optional
//! two-level TOC and embedded fonts, and byte-identical rebuilds.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::*;

/// The limit above which chapters are split, plus room for the notes and
/// markup a part gains after it is measured.
const MAX_PART_BYTES: usize = 256 * 1024;

/// Builds `book` as EPUB only into a fresh folder; returns the folder,
/// the EPUB and folio's stderr (its warnings).
fn build_epub(book: &Path) -> (tempfile::TempDir, PathBuf, String) {
    let out = tempfile::tempdir().unwrap();
    let o = folio_build(book, out.path(), &["--epub"]);
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "folio build failed:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let epub = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "epub"))
        .expect("an .epub was written");
    (out, epub, stderr)
}

/// Every file of the EPUB, by name.
fn files(epub: &Path) -> BTreeMap<String, Vec<u8>> {
    let file = std::fs::File::open(epub).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut bytes).unwrap();
        out.insert(f.name().to_string(), bytes);
    }
    out
}

fn text(files: &BTreeMap<String, Vec<u8>>, name: &str) -> String {
    String::from_utf8(files[name].clone()).unwrap_or_else(|_| panic!("{name} is not UTF-8"))
}

/// Spine document names (under OEBPS/), in reading order.
fn spine(files: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let opf = text(files, "OEBPS/content.opf");
    let doc = roxmltree::Document::parse(&opf).unwrap();
    let hrefs: BTreeMap<&str, &str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("item"))
        .map(|n| (n.attribute("id").unwrap(), n.attribute("href").unwrap()))
        .collect();
    doc.descendants()
        .filter(|n| n.has_tag_name("itemref"))
        .map(|n| format!("OEBPS/{}", hrefs[n.attribute("idref").unwrap()]))
        .collect()
}

/// Ids of an XHTML document, in document order.
fn ids(xhtml: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(xhtml).unwrap();
    doc.descendants()
        .filter_map(|n| n.attribute("id").map(String::from))
        .collect()
}

/// The hrefs of the nav's `nav` element of the given `epub:type`.
fn nav_hrefs(files: &BTreeMap<String, Vec<u8>>, kind: &str) -> Vec<String> {
    let nav = text(files, "OEBPS/nav.xhtml");
    let doc = roxmltree::Document::parse(&nav).unwrap();
    let Some(nav) = doc.descendants().find(|n| {
        n.has_tag_name("nav")
            && n.attributes()
                .any(|a| a.name() == "type" && a.value() == kind)
    }) else {
        return Vec::new();
    };
    nav.descendants()
        .filter_map(|n| n.attribute("href").map(String::from))
        .collect()
}

/// The spine and the ids of every spine document, read once.
struct Index {
    spine: Vec<String>,
    ids: BTreeMap<String, Vec<String>>,
}

impl Index {
    fn new(files: &BTreeMap<String, Vec<u8>>) -> Index {
        let spine = spine(files);
        let ids = spine
            .iter()
            .map(|name| (name.clone(), ids(&text(files, name))))
            .collect();
        Index { spine, ids }
    }

    /// Position of an href in reading order: spine index, then the index
    /// of its target id in that document (-1 for the file's start).
    /// Panics when the file or id does not exist.
    fn position(&self, href: &str) -> (usize, isize) {
        let (file, fragment) = match href.split_once('#') {
            Some((f, id)) => (f, Some(id)),
            None => (href, None),
        };
        let name = format!("OEBPS/{file}");
        let index = self
            .spine
            .iter()
            .position(|s| *s == name)
            .unwrap_or_else(|| panic!("{href}: {file} is not in the spine"));
        let at = match fragment {
            None => -1,
            Some(id) => self.ids[&name]
                .iter()
                .position(|i| i == id)
                .unwrap_or_else(|| panic!("{href}: no id {id} in {file}"))
                as isize,
        };
        (index, at)
    }
}

#[test]
fn hostile_book_is_valid_and_warns_with_places() {
    let (_dir, epub, stderr) = build_epub(&fixture("hostile"));
    assert_epubcheck_clean(&epub);
    for expected in [
        "01-raw-html.md:3:",  // inline <script>
        "01-raw-html.md:14:", // <form>
        "`<iframe>` is left out",
        "01-raw-html.md:46:", // remote Markdown image
        "missing.png",        // raw <img> of a missing file
        "javascript:alert(1)",
        "`&#0;` is not a character",
        "01-raw-html.md:6:", // the bad character references
        "control character U+0001 cannot be printed",
        "01-raw-html.md:8:22", // where it is
    ] {
        assert!(stderr.contains(expected), "{expected} not in:\n{stderr}");
    }
    let files = files(&epub);
    let raw = text(&files, "OEBPS/01-raw-html.xhtml");
    for gone in [
        "<script",
        "<iframe",
        "<form",
        "onclick",
        "<svg",
        "<object",
        "javascript:",
    ] {
        assert!(!raw.contains(gone), "{gone} survived:\n{raw}");
    }
    // Bad entities stay visible as text; control characters are gone.
    assert!(raw.contains("&amp;nosuch;"), "{raw}");
    // So do numeric references to no character, rather than U+FFFD.
    for written in ["&amp;#0;", "&amp;#xD800;"] {
        assert!(raw.contains(written), "{written} not in:\n{raw}");
    }
    assert!(!raw.contains('\u{fffd}'), "{raw}");
    assert!(!raw.contains('\u{1}') && !raw.contains('\u{7f}') && !raw.contains('\u{fffe}'));
    // The remote image is a link, the missing one its alt text.
    assert!(
        raw.contains("href=\"https://example.org/picture.png\""),
        "{raw}"
    );
    assert!(raw.contains("A missing picture"), "{raw}");
    // Duplicate headings get distinct ids.
    let dups = ids(&text(&files, "OEBPS/02-duplicates.xhtml"));
    let unique: BTreeSet<&String> = dups.iter().collect();
    assert_eq!(unique.len(), dups.len(), "{dups:?}");
}

#[test]
fn long_chapters_are_split_and_everything_points_into_the_right_part() {
    let (_dir, epub, _) = build_epub(&fixture("hostile"));
    let files = files(&epub);
    let parts: Vec<&String> = files
        .keys()
        .filter(|n| n.starts_with("OEBPS/03-long"))
        .collect();
    assert!(
        parts.len() > 10,
        "the long chapter was not split: {parts:?}"
    );
    for (name, bytes) in &files {
        if name.ends_with(".xhtml") {
            assert!(
                bytes.len() <= MAX_PART_BYTES,
                "{name}: {} bytes",
                bytes.len()
            );
        }
    }
    // Every link of every document goes to an existing file and id.
    let index = Index::new(&files);
    for name in spine(&files) {
        let xhtml = text(&files, &name);
        let doc = roxmltree::Document::parse(&xhtml).unwrap();
        for href in doc.descendants().filter_map(|n| n.attribute("href")) {
            if href.contains(':') || href.ends_with(".css") {
                continue;
            }
            let target = if let Some(id) = href.strip_prefix('#') {
                format!("{}#{id}", name.trim_start_matches("OEBPS/"))
            } else {
                href.to_string()
            };
            index.position(&target);
        }
    }
    // The TOC entry of the last section opens its own part, and the link
    // to it from chapter one goes there too.
    let toc = nav_hrefs(&files, "toc");
    let endless = toc
        .iter()
        .find(|h| {
            let file = h.split('#').next().unwrap();
            text(&files, &format!("OEBPS/{file}")).contains("The Endless Section</h2>")
        })
        .expect("TOC entry of the endless section");
    assert!(!endless.contains('#'), "{endless}");
    assert!(
        text(&files, "OEBPS/01-raw-html.xhtml").contains(&format!("href=\"{endless}\"")),
        "link from chapter one"
    );
    // Each part that refers to a note carries the note itself.
    for name in &parts {
        let xhtml = text(&files, name);
        if xhtml.contains("epub:type=\"noteref\"") {
            let doc = roxmltree::Document::parse(&xhtml).unwrap();
            let ids = ids(&xhtml);
            for a in doc.descendants().filter(|n| {
                n.attributes()
                    .any(|a| a.name() == "type" && a.value() == "noteref")
            }) {
                let target = a.attribute("href").unwrap().trim_start_matches('#');
                assert!(ids.iter().any(|i| i == target), "{name}: no note {target}");
            }
        }
    }
}

#[test]
fn every_book_gets_a_cover() {
    let (_dir, epub, _) = build_epub(&repo().join("book"));
    let files = files(&epub);
    let opf = text(&files, "OEBPS/content.opf");
    // A raster cover of the size stores ask: Kindle conversion, Apple
    // Books and Kobo want JPEG or PNG.
    assert!(
        opf.contains("href=\"cover.png\"")
            && opf.contains("media-type=\"image/png\" properties=\"cover-image\""),
        "{opf}"
    );
    assert_eq!(spine(&files)[0], "OEBPS/cover.xhtml");
    let png = &files["OEBPS/cover.png"];
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    // IHDR: width and height, big-endian, at bytes 16..24.
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    // 1:1.6 as Kindle asks, 2,500 px high, under Apple's 4 million pixels.
    assert_eq!((be(&png[16..20]), be(&png[20..24])), (1563, 2500));
    let cover = text(&files, "OEBPS/cover.xhtml");
    assert!(
        cover.contains("alt=\"Cover: Pakistan and the Taliban\""),
        "{cover}"
    );
    let landmarks = nav_hrefs(&files, "landmarks");
    assert_eq!(landmarks[0], "cover.xhtml");
    assert!(landmarks.iter().any(|h| h.starts_with("nav.xhtml#toc")));
}

#[test]
fn accessibility_metadata_languages_and_roles() {
    let (_dir, epub, _) = build_epub(&fixture("features"));
    let files = files(&epub);
    let opf = text(&files, "OEBPS/content.opf");
    assert!(
        opf.contains("<package version=\"3.0\" xml:lang=\"en-GB\""),
        "{opf}"
    );
    for property in [
        "schema:accessMode",
        "schema:accessModeSufficient",
        "schema:accessibilityFeature",
        "schema:accessibilityHazard",
        "schema:accessibilitySummary",
        "dcterms:conformsTo",
    ] {
        assert!(
            opf.contains(&format!("<meta property=\"{property}\">")),
            "{property} missing:\n{opf}"
        );
    }
    // The fixture has a picture: visual mode and alternative text.
    assert!(opf.contains(">visual</meta>") && opf.contains(">alternativeText</meta>"));
    for (name, _) in files.iter().filter(|(n, _)| n.ends_with(".xhtml")) {
        let xhtml = text(&files, name);
        let doc = roxmltree::Document::parse(&xhtml).unwrap();
        let html = doc.root_element();
        assert_eq!(html.attribute("lang"), Some("en-GB"), "{name}");
        assert_eq!(
            html.attribute(("http://www.w3.org/XML/1998/namespace", "lang")),
            Some("en-GB"),
            "{name}"
        );
    }
    let ch1 = text(&files, "OEBPS/01-basics.xhtml");
    assert!(ch1.contains("role=\"doc-noteref\"") && ch1.contains("role=\"doc-footnote\""));
    assert!(ch1.contains("role=\"doc-chapter\""));
    assert!(text(&files, "OEBPS/nav.xhtml").contains("role=\"doc-toc\""));
}

#[test]
fn kindle_safe_files_and_a_toc_in_spine_order() {
    for book in [repo().join("book"), fixture("features"), fixture("hostile")] {
        let (_dir, epub, _) = build_epub(&book);
        let files = files(&epub);
        for (name, bytes) in &files {
            if [".xhtml", ".opf", ".ncx", ".svg"]
                .iter()
                .any(|e| name.ends_with(e))
            {
                assert!(
                    bytes.starts_with(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
                    "{name} has no XML declaration with its encoding"
                );
            }
            if name.ends_with(".xhtml") {
                let xhtml = text(&files, name);
                assert!(!xhtml.contains("<body id="), "{name}: id on <body>");
            }
        }
        // The TOC in nav.xhtml and toc.ncx follows the reading order.
        let ncx = text(&files, "OEBPS/toc.ncx");
        let ncx_doc = roxmltree::Document::parse(&ncx).unwrap();
        let ncx_hrefs: Vec<String> = ncx_doc
            .descendants()
            .filter(|n| n.has_tag_name("content"))
            .map(|n| n.attribute("src").unwrap().to_string())
            .collect();
        let toc = nav_hrefs(&files, "toc");
        assert_eq!(toc, ncx_hrefs, "{}", book.display());
        let index = Index::new(&files);
        let positions: Vec<(usize, isize)> = toc.iter().map(|h| index.position(h)).collect();
        assert!(
            positions.windows(2).all(|w| w[0] <= w[1]),
            "{}: TOC out of reading order: {toc:?}",
            book.display()
        );
        // No fragment that points at the very start of a file: Kindle
        // resolves those to the body and the TOC entry then opens the
        // file, not the heading, so Folio links the file itself.
        for href in &toc {
            if let Some((file, id)) = href.split_once('#') {
                let first = ids(&text(&files, &format!("OEBPS/{file}")))
                    .into_iter()
                    .find(|i| !i.starts_with("page-"));
                assert_ne!(first.as_deref(), Some(id), "{href} opens its file");
            }
        }
    }
}

#[test]
fn two_level_toc_and_embedded_fonts_stay_valid() {
    let dir = tempfile::tempdir().unwrap();
    let src = fixture("features");
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let target = dir.path().join(path.file_name().unwrap());
        if path.is_dir() {
            std::fs::create_dir(&target).unwrap();
            for inner in std::fs::read_dir(&path).unwrap() {
                let inner = inner.unwrap().path();
                std::fs::copy(&inner, target.join(inner.file_name().unwrap())).unwrap();
            }
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
    let yaml = dir.path().join("book.yaml");
    let mut config = std::fs::read_to_string(&yaml).unwrap();
    config.push_str("epub:\n  nav-depth: 1\n  embed-fonts: true\n");
    std::fs::write(&yaml, config).unwrap();
    let (_out, epub, _) = build_epub(dir.path());
    assert_epubcheck_clean(&epub);
    let toc = nav_toc(&epub);
    assert!(toc.iter().all(|(depth, _)| *depth == 0), "{toc:?}");
    assert_eq!(toc.len(), 2);
    assert!(ncx_toc(&epub).iter().all(|(depth, _)| *depth == 0));
    let names = epub_names(&epub);
    let fonts: Vec<&String> = names.iter().filter(|n| n.contains("/fonts/")).collect();
    assert_eq!(fonts.len(), 5, "{names:?}");
    let files = files(&epub);
    let css = text(&files, "OEBPS/fonts.css");
    assert!(
        css.contains("@font-face") && css.contains("Gentium Book Plus"),
        "{css}"
    );
    for font in fonts {
        // Subset: far smaller than the 800 KB originals.
        assert!(files[font.as_str()].len() < 200_000, "{font} not subset");
    }
    let ch1 = text(&files, "OEBPS/01-basics.xhtml");
    assert!(ch1.contains("href=\"fonts.css\""), "{ch1}");
}

#[test]
fn rebuilds_are_byte_identical() {
    for book in [repo().join("book"), fixture("features"), fixture("hostile")] {
        let (_a, first, _) = build_epub(&book);
        let (_b, second, _) = build_epub(&book);
        assert!(
            std::fs::read(&first).unwrap() == std::fs::read(&second).unwrap(),
            "{} builds differ",
            book.display()
        );
    }
}

#[test]
fn sample_and_feature_books_pass_epubcheck() {
    for book in [repo().join("book"), fixture("features")] {
        let (_dir, epub, _) = build_epub(&book);
        assert_epubcheck_clean(&epub);
    }
}

/// The label of every PDF page, from its /PageLabels (decimal and roman
/// styles; pages without a label get their 1-based index).
fn pdf_page_labels(pdf: &Path) -> Vec<String> {
    fn roman(mut n: u32) -> String {
        let table = [
            (1000, "m"),
            (900, "cm"),
            (500, "d"),
            (400, "cd"),
            (100, "c"),
            (90, "xc"),
            (50, "l"),
            (40, "xl"),
            (10, "x"),
            (9, "ix"),
            (5, "v"),
            (4, "iv"),
            (1, "i"),
        ];
        let mut out = String::new();
        for (value, letters) in table {
            while n >= value {
                out.push_str(letters);
                n -= value;
            }
        }
        out
    }
    let count = pdf_pages(pdf);
    let json = qpdf_json(pdf, &["pagelabels"]);
    let ranges: Vec<(usize, String, u32)> = json["pagelabels"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    (
                        r["index"].as_u64().unwrap_or(0) as usize,
                        r["label"]["/S"].as_str().unwrap_or("").to_string(),
                        r["label"]["/St"].as_u64().unwrap_or(1) as u32,
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    (0..count)
        .map(
            |page| match ranges.iter().rev().find(|(i, _, _)| *i <= page) {
                Some((first, style, start)) => {
                    let n = *start + (page - first) as u32;
                    match style.as_str() {
                        "/r" => roman(n),
                        "/R" => roman(n).to_uppercase(),
                        _ => n.to_string(),
                    }
                }
                None => (page + 1).to_string(),
            },
        )
        .collect()
}

/// The first word of text after `marker` in `xhtml` (tags skipped, the
/// five XML entities decoded).
fn word_after(xhtml: &str, marker: &str) -> String {
    let start = xhtml.find(marker).expect("marker in its file") + marker.len();
    let mut text = String::new();
    let mut in_tag = false;
    for c in xhtml[start..].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => {
                if c.is_whitespace() && !text.trim().is_empty() {
                    break;
                }
                text.push(c);
            }
            _ => {}
        }
    }
    text.trim()
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Letters and digits only, for comparing words across formats.
fn letters(word: &str) -> String {
    word.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// The page-list says the same as the PDF: one entry per numbered page,
/// and the word after each marker opens that page of the PDF (among the
/// first words of its text, after the running head and folio).
#[test]
fn page_list_matches_the_pdf_pages() {
    /// Words of a page's text that may come before its first body word.
    const HEAD_WORDS: usize = 15;
    for book in [repo().join("book"), fixture("features")] {
        let out = tempfile::tempdir().unwrap();
        let (epub, pdf) = build_ok(&book, out.path());
        let files = files(&epub);
        let labels = pdf_page_labels(&pdf);
        let targets = nav_hrefs(&files, "page-list");
        assert!(!targets.is_empty(), "{}: no page-list", book.display());
        let numbered = labels.iter().filter(|l| l.parse::<u32>().is_ok()).count();
        assert_eq!(targets.len(), numbered, "{}", book.display());
        for href in &targets {
            let (file, id) = href.split_once('#').expect("page-list links to markers");
            let xhtml = text(&files, &format!("OEBPS/{file}"));
            let marker_start = format!("id=\"{id}\"");
            let label = id.trim_start_matches("page-");
            let at = xhtml.find(&marker_start).expect("marker");
            let close = xhtml[at..].find("</span>").expect("marker end") + at;
            let word = letters(&word_after(&xhtml, &xhtml[at..close + 7]));
            let page = labels
                .iter()
                .position(|l| l == label)
                .unwrap_or_else(|| panic!("no PDF page labelled {label}"));
            let page_text = pdftotext(&pdf, Some((page + 1, page + 1)));
            let page_words: Vec<String> = words(&page_text)
                .iter()
                .take(HEAD_WORDS)
                .map(|w| letters(w))
                .collect();
            assert!(
                word.is_empty()
                    || page_words
                        .iter()
                        .any(|w| !w.is_empty() && (w.contains(&word) || word.ends_with(w.as_str()))),
                "{}: page {label} starts with {page_words:?}, the EPUB marker is before {word:?}",
                book.display()
            );
        }
    }
}
