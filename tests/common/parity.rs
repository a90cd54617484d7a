//! Is what the EPUB shows also in the PDF? Words and images, counted.
//!
//! The EPUB's words: the visible text of its chapter documents (the
//! spine, less the cover, title page and navigation), cut into tokens:
//! runs of letters and digits, case folded; a character of a script
//! written without spaces (Han, kana, Thai…) is a token by itself. The
//! PDF's words: `pdftotext` of the whole file, cut the same way. Every
//! EPUB token must be matched by one of the PDF's (a multiset: a word the
//! EPUB shows three times must be in the PDF three times). Second chances,
//! for what print does to words: a word the PDF broke across two lines
//! (between letters, or a compound at its hyphen) matches the two pieces
//! joined; a word followed by the letter of a web-address note matches;
//! in right-to-left text a word and the note number after it read back
//! in visual order (the number first). A word of a complex script must
//! come out of the text layer whole: Devanagari and Thai clusters carry
//! their text as /ActualText.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use super::{pdftotext, trace};

/// A character of a script written without spaces: a word by itself.
fn no_space_script(c: char) -> bool {
    matches!(u32::from(c),
        0x0E00..=0x0EFF | 0x1000..=0x109F | 0x1780..=0x17FF | 0x3040..=0x30FF | 0x3100..=0x312F
        | 0x31F0..=0x31FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF
        | 0x20000..=0x3FFFF)
}

/// A combining mark: part of the word it follows.
fn is_mark(c: char) -> bool {
    matches!(u32::from(c), 0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05C7 | 0x0610..=0x061A
        | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06ED | 0x0900..=0x0903 | 0x093A..=0x094F
        | 0x0951..=0x0957 | 0x0962..=0x0963 | 0x0E31 | 0x0E34..=0x0E3A | 0x0E47..=0x0E4E
        | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// A letter of a script written right to left.
fn rtl(c: char) -> bool {
    matches!(u32::from(c), 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF)
}

/// Tokens of `text`, each with whether a hyphen joins it to the next. A
/// run mixing right-to-left letters with others (`ב1948`, a prefix letter
/// on a number or a Latin name) is two words: print sets them apart.
pub fn tokens(text: &str) -> Vec<(String, bool)> {
    tokens_of(text)
        .into_iter()
        .flat_map(|(t, hyphen)| {
            let mut parts: Vec<(String, bool)> = Vec::new();
            let mut cur = String::new();
            let mut side = None;
            for c in t.chars() {
                let s = rtl(c);
                if side.is_some_and(|x| x != s) && !cur.is_empty() {
                    parts.push((std::mem::take(&mut cur), false));
                }
                side = Some(s);
                cur.push(c);
            }
            parts.push((cur, hyphen));
            parts
        })
        .collect()
}

fn tokens_of(text: &str) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    let mut cur = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        // Soft hyphens and joiners are invisible.
        if matches!(
            c,
            '\u{AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}'
        ) {
            continue;
        }
        if no_space_script(c) {
            if !cur.is_empty() {
                out.push((std::mem::take(&mut cur), false));
            }
            out.push((c.to_string(), false));
        } else if c.is_alphanumeric() || (is_mark(c) && !cur.is_empty()) {
            if !is_mark(c) {
                cur.extend(c.to_lowercase());
            }
        } else if !cur.is_empty() {
            let hyphen = matches!(c, '-' | '\u{2010}' | '\u{2011}')
                && chars.peek().is_some_and(|n| n.is_alphanumeric());
            out.push((std::mem::take(&mut cur), hyphen));
        }
    }
    if !cur.is_empty() {
        out.push((cur, false));
    }
    out
}

/// The visible text of one XHTML document's body. A footnote the EPUB
/// repeats in several files of a split chapter (each file holds the notes
/// it cites) counts once: `notes_seen` holds the ids already met.
fn visible_text(xhtml: &str, notes_seen: &mut Vec<String>) -> String {
    let doc = roxmltree::Document::parse(xhtml).expect("chapter XHTML is well-formed");
    let mut out = String::new();
    fn walk(node: roxmltree::Node<'_, '_>, out: &mut String, notes_seen: &mut Vec<String>) {
        if node.is_text() {
            out.push_str(node.text().unwrap_or(""));
            return;
        }
        if !node.is_element() {
            return;
        }
        let name = node.tag_name().name();
        // A formula is not words: its MathML tokens run together as text,
        // while the PDF draws each glyph where the layout puts it. That
        // every formula is drawn, in the math font, is checked by the
        // math tests (tests/math_and_code.rs).
        if matches!(name, "head" | "script" | "style" | "title" | "math") {
            return;
        }
        let hidden = node.attribute("hidden").is_some()
            || node.attribute("aria-hidden") == Some("true")
            || node
                .attributes()
                .any(|a| a.name() == "type" && a.value().contains("pagebreak"));
        if hidden {
            return;
        }
        let note = node
            .attributes()
            .any(|a| a.name() == "type" && a.value().contains("footnote"));
        if let (true, Some(id)) = (note, node.attribute("id")) {
            if notes_seen.iter().any(|s| s == id) {
                return;
            }
            notes_seen.push(id.to_string());
        }
        // Block boundaries and line breaks separate words; inline
        // elements do not (`H<sub>2</sub>O` is one word), but isolated
        // text does (a note number after a word in right-to-left text).
        let block = matches!(
            name,
            "bdi"
                | "html"
                | "body"
                | "section"
                | "article"
                | "aside"
                | "header"
                | "footer"
                | "nav"
                | "main"
                | "div"
                | "p"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "ul"
                | "ol"
                | "li"
                | "dl"
                | "dt"
                | "dd"
                | "table"
                | "thead"
                | "tbody"
                | "tfoot"
                | "tr"
                | "td"
                | "th"
                | "caption"
                | "figure"
                | "figcaption"
                | "blockquote"
                | "pre"
                | "hr"
                | "br"
                | "details"
                | "summary"
                | "address"
        );
        if block {
            out.push(' ');
        }
        for child in node.children() {
            walk(child, out, notes_seen);
        }
        if block {
            out.push(' ');
        }
    }
    walk(doc.root_element(), &mut out, notes_seen);
    out
}

/// The EPUB's chapter documents in reading order (the spine without the
/// cover, title page and navigation), each as (name, XHTML).
pub fn epub_chapters(epub: &Path) -> Vec<(String, String)> {
    let file = std::fs::File::open(epub).unwrap();
    let mut zip = zip::ZipArchive::new(file).expect("EPUB is a zip");
    let mut read = |name: &str| -> Option<String> {
        let mut s = String::new();
        zip.by_name(name).ok()?.read_to_string(&mut s).ok()?;
        Some(s)
    };
    let container = read("META-INF/container.xml").expect("container.xml");
    let opf_path = container
        .split("full-path=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a rootfile")
        .to_string();
    let opf = read(&opf_path).expect("the package document");
    let dir = opf_path.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    let doc = roxmltree::Document::parse(&opf).expect("OPF is well-formed");
    let hrefs: BTreeMap<&str, &str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("item"))
        .filter_map(|n| Some((n.attribute("id")?, n.attribute("href")?)))
        .collect();
    let mut out = Vec::new();
    for itemref in doc.descendants().filter(|n| n.has_tag_name("itemref")) {
        let Some(href) = itemref.attribute("idref").and_then(|id| hrefs.get(id)) else {
            continue;
        };
        if ["cover.xhtml", "titlepage.xhtml", "nav.xhtml"].contains(href) {
            continue;
        }
        let name = if dir.is_empty() {
            href.to_string()
        } else {
            format!("{dir}/{href}")
        };
        if let Some(x) = read(&name) {
            out.push((href.to_string(), x));
        }
    }
    out
}

/// The images the EPUB's chapters show: (raster, SVG).
pub fn epub_images(epub: &Path) -> (usize, usize) {
    let mut raster = 0;
    let mut svg = 0;
    for (_, xhtml) in epub_chapters(epub) {
        let doc = roxmltree::Document::parse(&xhtml).expect("well-formed");
        for img in doc.descendants().filter(|n| n.has_tag_name("img")) {
            match img.attribute("src") {
                Some(src) if src.to_ascii_lowercase().ends_with(".svg") => svg += 1,
                Some(_) => raster += 1,
                None => {}
            }
        }
    }
    (raster, svg)
}

/// Form XObjects the PDF's pages draw (an SVG is drawn as one).
fn pdf_forms_drawn(pdf: &Path) -> usize {
    let doc = lopdf::Document::load(pdf).expect("the PDF loads");
    let mut n = 0;
    for (_, page) in doc.get_pages() {
        let content = doc.get_page_content(page);
        let Ok(ops) = lopdf::content::Content::decode(&content) else {
            continue;
        };
        let (resources, ids) = doc.get_page_resources(page).unwrap_or((None, vec![]));
        let mut dicts: Vec<&lopdf::Dictionary> = resources.into_iter().collect();
        for id in &ids {
            if let Ok(d) = doc.get_dictionary(*id) {
                dicts.push(d);
            }
        }
        let xobject = |name: &[u8]| -> bool {
            dicts.iter().any(|r| {
                let Ok(x) = r.get(b"XObject") else {
                    return false;
                };
                let x = match x {
                    lopdf::Object::Reference(id) => doc.get_dictionary(*id).ok(),
                    lopdf::Object::Dictionary(d) => Some(d),
                    _ => None,
                };
                let Some(target) = x.and_then(|x| x.get(name).ok()) else {
                    return false;
                };
                let stream = match target {
                    lopdf::Object::Reference(id) => doc.get_object(*id).ok(),
                    other => Some(other),
                };
                matches!(stream, Some(lopdf::Object::Stream(s))
                    if s.dict.get(b"Subtype").ok().and_then(|o| o.as_name().ok()) == Some(b"Form"))
            })
        };
        for op in ops.operations.iter().filter(|o| o.operator == "Do") {
            if let Some(Ok(name)) = op.operands.first().map(|o| o.as_name()) {
                if xobject(name) {
                    n += 1;
                }
            }
        }
    }
    n
}

/// The outcome of comparing an EPUB with its PDF.
#[derive(Debug)]
pub struct Parity {
    pub epub_words: usize,
    /// EPUB words not found in the PDF, with a count each.
    pub missing: BTreeMap<String, usize>,
    pub epub_raster: usize,
    pub pdf_raster: usize,
    pub epub_svg: usize,
    pub pdf_svg: usize,
}

impl Parity {
    pub fn missing_count(&self) -> usize {
        self.missing.values().sum()
    }

    /// Share of the EPUB's words the PDF has, in percent.
    pub fn words_percent(&self) -> f64 {
        if self.epub_words == 0 {
            return 100.0;
        }
        100.0 * (1.0 - self.missing_count() as f64 / self.epub_words as f64)
    }
}

/// Compares the words and images of an EPUB and the PDF built with it.
pub fn compare(epub: &Path, pdf: &Path) -> Parity {
    let mut epub_tokens: Vec<(String, bool)> = Vec::new();
    let mut notes_seen = Vec::new();
    for (_, xhtml) in epub_chapters(epub) {
        epub_tokens.extend(tokens(&visible_text(&xhtml, &mut notes_seen)));
    }
    let text = pdftotext(pdf, None);
    let mut have: BTreeMap<String, usize> = BTreeMap::new();
    let mut joined: BTreeMap<String, usize> = BTreeMap::new();
    // A word with the letter of a web-address note after it (`pagea`):
    // the letter is the PDF's own, set right after the word.
    let mut marked: BTreeMap<String, usize> = BTreeMap::new();
    let lines: Vec<Vec<(String, bool)>> = text.lines().map(tokens).collect();
    for (i, line) in lines.iter().enumerate() {
        for (t, _) in line {
            *have.entry(t.clone()).or_default() += 1;
            for cut in 1..=2 {
                if t.len() > cut && t.is_char_boundary(t.len() - cut) {
                    let (word, tail) = t.split_at(t.len() - cut);
                    if tail.bytes().all(|b| b.is_ascii_lowercase()) {
                        *marked.entry(word.to_string()).or_default() += 1;
                    }
                }
            }
        }
        // A word broken at a line end: the last piece of a line and the
        // first of the next (skipping empty lines) stand for one word.
        if let (Some((last, _)), Some(next)) = (
            line.last(),
            lines[i + 1..]
                .iter()
                .find(|l| !l.is_empty())
                .and_then(|l| l.first()),
        ) {
            *joined.entry(format!("{last}{}", next.0)).or_default() += 1;
        }
    }
    let take = |map: &mut BTreeMap<String, usize>, t: &str| -> bool {
        match map.get_mut(t) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    };
    let mut missing: BTreeMap<String, usize> = BTreeMap::new();
    let mut i = 0;
    while i < epub_tokens.len() {
        let (t, hyphen) = &epub_tokens[i];
        if take(&mut have, t) || take(&mut joined, t) || take(&mut marked, t) {
            i += 1;
            continue;
        }
        // A word and the note number isolated after it in right-to-left
        // text: the number is drawn on the word's left, so a left-to-right
        // run (`16`, `Europe`) reads back with the number first.
        if let Some((next, _)) = epub_tokens.get(i + 1) {
            if next.bytes().all(|b| b.is_ascii_digit()) && take(&mut have, &format!("{next}{t}")) {
                i += 2;
                continue;
            }
        }
        // A compound the PDF broke at its hyphen: "al-Qaida" as "alqaida".
        if *hyphen {
            if let Some((next, _)) = epub_tokens.get(i + 1) {
                let whole = format!("{t}{next}");
                if take(&mut have, &whole) || take(&mut joined, &whole) {
                    i += 2;
                    continue;
                }
            }
        }
        *missing.entry(t.clone()).or_default() += 1;
        i += 1;
    }
    let (epub_raster, epub_svg) = epub_images(epub);
    let pages = trace::trace(pdf);
    let pdf_raster = pages.iter().map(|p| p.images.len()).sum();
    Parity {
        epub_words: epub_tokens.len(),
        missing,
        epub_raster,
        pdf_raster,
        epub_svg,
        pdf_svg: pdf_forms_drawn(pdf),
    }
}
