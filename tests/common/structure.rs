//! The structure tree of a tagged PDF, read back from the file with lopdf
//! (independently of the writer), each element with the text of its own
//! marked content: for the tests, and for `examples/pdf_structure.rs`,
//! which prints it.
//!
//! Text is decoded through each font's ToUnicode CMap; a content stream's
//! codes are one byte below 0x80 and two bytes from 0x80 on (Folio's
//! encoding), and separate text-showing operators of one marked-content
//! sequence are joined with a space unless one already ends or starts with
//! white space.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};

/// One structure element, depth first in reading order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Elem {
    pub depth: usize,
    pub role: String,
    pub alt: Option<String>,
    pub title: Option<String>,
    pub lang: Option<String>,
    pub id: Option<String>,
    /// The expansion of an abbreviation (/E).
    pub expansion: Option<String>,
    /// Attributes as `Name=Value` (`Scope=Column`, `ColSpan=2`,
    /// `ListNumbering=Decimal`).
    pub attributes: Vec<String>,
    /// The text of the element's own marked content, in order.
    pub text: String,
    /// Annotations it holds (OBJR), e.g. a Link's.
    pub annotations: usize,
}

/// Reads the structure tree of `pdf`.
pub fn read(pdf: &Path) -> Vec<Elem> {
    let doc = Document::load(pdf).expect("lopdf reads the PDF");
    let texts = marked_text(&doc);
    let catalog = doc.catalog().expect("a catalog");
    let root = catalog
        .get(b"StructTreeRoot")
        .and_then(Object::as_reference)
        .expect("a StructTreeRoot");
    let root = doc.get_dictionary(root).expect("the StructTreeRoot");
    let mut out = Vec::new();
    if let Ok(k) = root.get(b"K") {
        walk(&doc, &texts, k, 0, None, &mut out);
    }
    out
}

/// Text of each marked-content sequence, by (page object, MCID).
fn marked_text(doc: &Document) -> BTreeMap<(ObjectId, i64), String> {
    let mut out: BTreeMap<(ObjectId, i64), String> = BTreeMap::new();
    for (_, page) in doc.get_pages() {
        let fonts = doc.get_page_fonts(page).unwrap_or_default();
        let mut maps: BTreeMap<Vec<u8>, BTreeMap<u16, String>> = BTreeMap::new();
        for (name, font) in &fonts {
            maps.insert(name.clone(), to_unicode(doc, font));
        }
        let bytes = doc.get_page_content(page);
        let Ok(content) = Content::decode(&bytes) else {
            continue;
        };
        // The MCIDs of the open sequences (None for one without).
        let mut stack: Vec<Option<i64>> = Vec::new();
        let mut font: Vec<u8> = Vec::new();
        // The baseline of the text shown last, and of the next: text on
        // another line is a word apart.
        let (mut last_y, mut y) = (f64::NAN, f64::NAN);
        for op in &content.operations {
            match op.operator.as_str() {
                "BDC" => {
                    let mcid = op.operands.get(1).and_then(|o| match o {
                        Object::Dictionary(d) => d.get(b"MCID").and_then(Object::as_i64).ok(),
                        _ => None,
                    });
                    stack.push(mcid);
                }
                "BMC" => stack.push(None),
                "EMC" => {
                    stack.pop();
                }
                "Tm" => {
                    if let Some(v) = op.operands.get(5) {
                        y = v.as_float().map(f64::from).unwrap_or(f64::NAN);
                    }
                }
                "BT" => y = 0.0,
                "Td" | "TD" => {
                    if let Some(v) = op.operands.get(1) {
                        y += v.as_float().map(f64::from).unwrap_or(f64::NAN);
                    }
                }
                "Tf" => {
                    if let Some(Ok(name)) = op.operands.first().map(Object::as_name) {
                        font = name.to_vec();
                    }
                }
                "Tj" | "TJ" => {
                    let Some(Some(mcid)) = stack.iter().rev().find(|m| m.is_some()) else {
                        continue;
                    };
                    let map = maps.get(&font);
                    let mut shown = String::new();
                    let mut strings = Vec::new();
                    for operand in &op.operands {
                        match operand {
                            Object::String(s, _) => strings.push(s.clone()),
                            Object::Array(items) => {
                                for item in items {
                                    if let Object::String(s, _) = item {
                                        strings.push(s.clone());
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                    for s in strings {
                        shown.push_str(&decode(&s, map));
                    }
                    let text = out.entry((page, *mcid)).or_default();
                    let same_line = (y - last_y).abs() < 0.01;
                    last_y = y;
                    let joined = same_line
                        || text.is_empty()
                        || text.ends_with(char::is_whitespace)
                        || shown.starts_with(char::is_whitespace);
                    if !joined {
                        text.push(' ');
                    }
                    text.push_str(&shown);
                }
                _ => {}
            }
        }
    }
    out
}

/// A font's ToUnicode mappings (bfchar entries).
fn to_unicode(doc: &Document, font: &Dictionary) -> BTreeMap<u16, String> {
    let mut map = BTreeMap::new();
    let Ok(stream) = font
        .get(b"ToUnicode")
        .and_then(Object::as_reference)
        .and_then(|id| doc.get_object(id))
        .and_then(Object::as_stream)
    else {
        return map;
    };
    let data = stream
        .decompressed_content()
        .unwrap_or_else(|_| stream.content.clone());
    let text = String::from_utf8_lossy(&data);
    let mut in_chars = false;
    for line in text.lines() {
        let line = line.trim();
        if line.ends_with("beginbfchar") {
            in_chars = true;
            continue;
        }
        if line == "endbfchar" {
            in_chars = false;
            continue;
        }
        if !in_chars {
            continue;
        }
        let hex: Vec<&str> = line
            .split(['<', '>'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if let [code, unicode] = hex[..] {
            let Ok(code) = u16::from_str_radix(code, 16) else {
                continue;
            };
            let units: Vec<u16> = (0..unicode.len() / 4)
                .filter_map(|i| u16::from_str_radix(&unicode[i * 4..i * 4 + 4], 16).ok())
                .collect();
            map.insert(code, String::from_utf16_lossy(&units));
        }
    }
    map
}

/// The text of a shown string: one-byte codes below 0x80, two-byte ones
/// from 0x80 on.
fn decode(bytes: &[u8], map: Option<&BTreeMap<u16, String>>) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let (code, len) = if bytes[i] < 0x80 {
            (u16::from(bytes[i]), 1)
        } else if i + 1 < bytes.len() {
            (u16::from_be_bytes([bytes[i], bytes[i + 1]]), 2)
        } else {
            (u16::from(bytes[i]), 1)
        };
        if let Some(text) = map.and_then(|m| m.get(&code)) {
            out.push_str(text);
        } else {
            out.push('\u{FFFD}');
        }
        i += len;
    }
    out
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

fn resolve<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(o),
        o => o,
    }
}

/// The attributes of an element as `Name=Value`.
fn attributes(doc: &Document, dict: &Dictionary) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(a) = dict.get(b"A") else {
        return out;
    };
    let list: Vec<&Object> = match resolve(doc, a) {
        Object::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    for item in list {
        let Object::Dictionary(d) = resolve(doc, item) else {
            continue;
        };
        for (key, value) in d.iter() {
            if key == b"O" {
                continue;
            }
            let value = match resolve(doc, value) {
                Object::Name(n) => String::from_utf8_lossy(n).into_owned(),
                Object::Integer(i) => i.to_string(),
                other => format!("{other:?}"),
            };
            out.push(format!("{}={value}", String::from_utf8_lossy(key)));
        }
    }
    out
}

fn walk(
    doc: &Document,
    texts: &BTreeMap<(ObjectId, i64), String>,
    k: &Object,
    depth: usize,
    page: Option<ObjectId>,
    out: &mut Vec<Elem>,
) {
    match k {
        Object::Array(items) => items
            .iter()
            .for_each(|i| walk(doc, texts, i, depth, page, out)),
        Object::Reference(id) => {
            let Ok(dict) = doc.get_dictionary(*id) else {
                return;
            };
            walk_dict(doc, texts, dict, depth, page, out);
        }
        Object::Dictionary(dict) => walk_dict(doc, texts, dict, depth, page, out),
        _ => {}
    }
}

fn walk_dict(
    doc: &Document,
    texts: &BTreeMap<(ObjectId, i64), String>,
    dict: &Dictionary,
    depth: usize,
    page: Option<ObjectId>,
    out: &mut Vec<Elem>,
) {
    let Ok(role) = dict.get(b"S").and_then(Object::as_name) else {
        return; // an OBJR or MCR: handled by the element holding it
    };
    let page = dict.get(b"Pg").and_then(Object::as_reference).ok().or(page);
    let name = |key: &[u8]| dict.get(key).ok().and_then(|a| text_of(doc, a));
    let index = out.len();
    out.push(Elem {
        depth,
        role: String::from_utf8_lossy(role).into_owned(),
        alt: name(b"Alt"),
        title: name(b"T"),
        lang: name(b"Lang"),
        id: name(b"ID"),
        expansion: name(b"E"),
        attributes: attributes(doc, dict),
        ..Elem::default()
    });
    let Ok(kids) = dict.get(b"K") else {
        return;
    };
    let kids: Vec<&Object> = match kids {
        Object::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    for kid in kids {
        let add_text = |out: &mut Vec<Elem>, page: Option<ObjectId>, mcid: i64| {
            if let Some(t) = page.and_then(|p| texts.get(&(p, mcid))) {
                let text = &mut out[index].text;
                if !text.is_empty() && !text.ends_with(' ') && !t.starts_with(' ') {
                    text.push(' ');
                }
                text.push_str(t);
            }
        };
        match kid {
            Object::Integer(mcid) => add_text(out, page, *mcid),
            _ => {
                let resolved = resolve(doc, kid);
                let Object::Dictionary(d) = resolved else {
                    continue;
                };
                let kind = d.get(b"Type").and_then(Object::as_name).ok();
                match kind {
                    Some(b"MCR") => {
                        let pg = d.get(b"Pg").and_then(Object::as_reference).ok().or(page);
                        if let Ok(mcid) = d.get(b"MCID").and_then(Object::as_i64) {
                            add_text(out, pg, mcid);
                        }
                    }
                    Some(b"OBJR") => out[index].annotations += 1,
                    _ => walk(doc, texts, kid, depth + 1, page, out),
                }
            }
        }
    }
}

/// Shortens `text` to about `max` characters at a word boundary.
fn short(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => &cut[..],
    };
    format!("{cut}…")
}

/// The tree as text, one element a line, indented by depth: its role,
/// properties and attributes, then the start of its own text.
pub fn dump(elems: &[Elem]) -> String {
    let mut out = String::new();
    for e in elems {
        out.push_str(&"  ".repeat(e.depth));
        out.push_str(&e.role);
        let mut props = Vec::new();
        if let Some(t) = &e.title {
            props.push(format!("T=\"{}\"", short(t, 40)));
        }
        if let Some(a) = &e.alt {
            props.push(format!("Alt=\"{}\"", short(a, 50)));
        }
        if let Some(l) = &e.lang {
            props.push(format!("Lang={l}"));
        }
        if let Some(x) = &e.expansion {
            props.push(format!("E=\"{x}\""));
        }
        if let Some(id) = &e.id {
            props.push(format!("ID={id}"));
        }
        props.extend(e.attributes.iter().cloned());
        if e.annotations > 0 {
            props.push(format!("annotations={}", e.annotations));
        }
        if !props.is_empty() {
            out.push_str(&format!(" [{}]", props.join(" ")));
        }
        if !e.text.trim().is_empty() {
            out.push_str(&format!(" \"{}\"", short(&e.text, 60)));
        }
        out.push('\n');
    }
    out
}
