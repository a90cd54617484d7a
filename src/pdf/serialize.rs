//! The file itself: the lopdf document → bytes, with object streams and a
//! cross-reference stream (PDF 1.5).
//!
//! The last step of the PDF writer. Streams (page contents, fonts, images,
//! CMaps, XMP) are written as they are; every other object (pages, link
//! annotations, outline items, names, fonts' dictionaries, the catalog) goes
//! into deflated object streams of [`OBJECTS_PER_STREAM`] objects, and the
//! cross-reference table is a deflated stream with the PNG "up" predictor.
//! On a long book the small dictionaries are a quarter of the file written
//! plainly and a twentieth in object streams. Each object is serialized
//! once, straight into the output or its object stream (lopdf's own object
//! streams serialize each object three times and clone the document).
//!
//! Objects nothing refers to (printpdf's placeholders that were replaced)
//! are left out, and the others are numbered densely in id order as they
//! are written, so the same document gives the same bytes.

use lopdf::{Dictionary, Object, ObjectId, StringFormat};

use super::encoding::{push_int, Deflater};

/// Objects per object stream. Larger streams deflate better; a viewer
/// inflates a whole stream to read one of its objects, so they stay small
/// (a few KiB deflated).
const OBJECTS_PER_STREAM: usize = 100;

/// Bytes per cross-reference entry: type (1), offset or object stream
/// number (4), generation or index in the object stream (2).
const XREF_WIDTHS: [usize; 3] = [1, 4, 2];

/// The four bytes ≥ 128 of the second header line, which tell file
/// transfer tools the file is binary (ISO 32000-1, 7.5.2).
const BINARY_MARK: &[u8] = b"%\xBB\xAD\xC0\xDE\n";

/// Where each object is, for the cross-reference stream.
#[derive(Debug, Clone, Copy)]
enum Entry {
    Free,
    /// At this byte offset of the file.
    Direct(usize),
    /// The `index`th object of object stream `stream`.
    InStream {
        stream: u32,
        index: u16,
    },
}

/// New object numbers: objects reachable from the trailer, numbered
/// densely from 1 in the order of their old ids.
struct Numbering {
    new: std::collections::BTreeMap<ObjectId, u32>,
}

impl Numbering {
    fn of(pdf: &lopdf::Document) -> Numbering {
        fn refs(object: &Object, out: &mut Vec<ObjectId>) {
            match object {
                Object::Reference(id) => out.push(*id),
                Object::Array(items) => items.iter().for_each(|o| refs(o, out)),
                Object::Dictionary(dict) => dict.iter().for_each(|(_, o)| refs(o, out)),
                Object::Stream(stream) => stream.dict.iter().for_each(|(_, o)| refs(o, out)),
                _ => {}
            }
        }
        let mut stack = Vec::new();
        pdf.trailer.iter().for_each(|(_, o)| refs(o, &mut stack));
        let mut live = std::collections::BTreeSet::new();
        while let Some(id) = stack.pop() {
            if let Some(object) = pdf.objects.get(&id) {
                if live.insert(id) {
                    refs(object, &mut stack);
                }
            }
        }
        Numbering {
            new: live
                .into_iter()
                .enumerate()
                .map(|(i, id)| (id, i as u32 + 1))
                .collect(),
        }
    }

    /// The new number of `id`, if it is written.
    fn get(&self, id: ObjectId) -> Option<u32> {
        self.new.get(&id).copied()
    }

    /// No objects: for dictionaries whose references are already final.
    fn none() -> Numbering {
        Numbering {
            new: std::collections::BTreeMap::new(),
        }
    }

    /// How many objects are written.
    fn len(&self) -> u32 {
        self.new.len() as u32
    }
}

/// Serializes `pdf` with object streams and a cross-reference stream
/// deflated by `deflater`, leaving out unreferenced objects and numbering
/// the rest densely; `size_hint` is the expected length.
pub(super) fn save(pdf: &lopdf::Document, deflater: &mut Deflater, size_hint: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(size_hint);
    out.extend_from_slice(b"%PDF-");
    out.extend_from_slice(pdf.version.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(BINARY_MARK);

    let numbers = Numbering::of(pdf);
    let mut next_id = numbers.len() + 1;
    let mut entries: Vec<Entry> = vec![Entry::Free; next_id as usize];
    let mut pending = ObjectStream::default();
    for (&old, object) in &pdf.objects {
        let Some(id) = numbers.get(old) else {
            continue;
        };
        if let Object::Stream(_) = object {
            set(&mut entries, id, Entry::Direct(out.len()));
            write_indirect(&mut out, id, object, &numbers);
        } else {
            if pending.len() == OBJECTS_PER_STREAM {
                let number = next_id;
                next_id += 1;
                pending.flush(number, &mut out, &mut entries, deflater);
            }
            pending.add(id, object, &numbers);
        }
    }
    if pending.len() > 0 {
        let number = next_id;
        next_id += 1;
        pending.flush(number, &mut out, &mut entries, deflater);
    }

    // The cross-reference stream is the last object and lists itself.
    let xref_id = next_id;
    let xref_at = out.len();
    set(&mut entries, xref_id, Entry::Direct(xref_at));
    let rows = xref_rows(&entries);
    let mut dict = Dictionary::new();
    dict.set("Type", Object::Name(b"XRef".to_vec()));
    dict.set("Size", i64::from(xref_id) + 1);
    dict.set(
        "W",
        Object::Array(
            XREF_WIDTHS
                .iter()
                .map(|&w| Object::Integer(w as i64))
                .collect(),
        ),
    );
    for key in [&b"Root"[..], b"Info", b"ID"] {
        if let Ok(value) = pdf.trailer.get(key) {
            dict.set(key, value.clone());
        }
    }
    let mut params = Dictionary::new();
    params.set("Predictor", 12);
    params.set("Columns", XREF_WIDTHS.iter().sum::<usize>() as i64);
    dict.set("DecodeParms", params);
    dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
    let data = deflater.deflate(&rows);
    push_int(&mut out, i64::from(xref_id));
    out.extend_from_slice(b" 0 obj\n");
    write_stream(&mut out, &dict, &data, &numbers);
    out.extend_from_slice(b"\nendobj\nstartxref\n");
    push_int(&mut out, xref_at as i64);
    out.extend_from_slice(b"\n%%EOF");
    out
}

fn set(entries: &mut Vec<Entry>, id: u32, entry: Entry) {
    let i = id as usize;
    if entries.len() <= i {
        entries.resize(i + 1, Entry::Free);
    }
    entries[i] = entry;
}

/// The cross-reference entries as PNG-"up"-predicted rows: each row is a
/// filter byte (2) and the byte-wise difference from the row above, which
/// turns the slowly growing offsets into runs of zeros.
fn xref_rows(entries: &[Entry]) -> Vec<u8> {
    let width: usize = XREF_WIDTHS.iter().sum();
    let mut rows = Vec::with_capacity(entries.len() * (width + 1));
    let mut previous = vec![0u8; width];
    let mut row = vec![0u8; width];
    for entry in entries {
        let (kind, field2, field3) = match *entry {
            // The head of the free list: object 0, generation 65535.
            Entry::Free => (0u8, 0u64, 0xFFFFu64),
            Entry::Direct(offset) => (1, offset as u64, 0),
            Entry::InStream { stream, index } => (2, u64::from(stream), u64::from(index)),
        };
        row[0] = kind;
        row[1..5].copy_from_slice(&(field2 as u32).to_be_bytes());
        row[5..7].copy_from_slice(&(field3 as u16).to_be_bytes());
        rows.push(2);
        rows.extend(row.iter().zip(&previous).map(|(b, a)| b.wrapping_sub(*a)));
        std::mem::swap(&mut previous, &mut row);
    }
    rows
}

/// An object stream being filled.
#[derive(Default)]
struct ObjectStream {
    /// (object number, offset of its serialization in `body`).
    index: Vec<(u32, usize)>,
    body: Vec<u8>,
}

impl ObjectStream {
    fn len(&self) -> usize {
        self.index.len()
    }

    fn add(&mut self, id: u32, object: &Object, numbers: &Numbering) {
        if !self.body.is_empty() {
            self.body.push(b'\n');
        }
        self.index.push((id, self.body.len()));
        write_object(&mut self.body, object, numbers);
    }

    /// Writes the stream as object `number` and records where its objects are.
    fn flush(
        &mut self,
        number: u32,
        out: &mut Vec<u8>,
        entries: &mut Vec<Entry>,
        deflater: &mut Deflater,
    ) {
        let mut data = Vec::with_capacity(self.index.len() * 12 + self.body.len());
        for (k, &(id, offset)) in self.index.iter().enumerate() {
            if k > 0 {
                data.push(b' ');
            }
            push_int(&mut data, i64::from(id));
            data.push(b' ');
            push_int(&mut data, offset as i64);
            set(
                entries,
                id,
                Entry::InStream {
                    stream: number,
                    index: k as u16,
                },
            );
        }
        data.push(b'\n');
        let first = data.len();
        data.extend_from_slice(&self.body);
        let mut dict = Dictionary::new();
        dict.set("Type", Object::Name(b"ObjStm".to_vec()));
        dict.set("N", self.index.len() as i64);
        dict.set("First", first as i64);
        dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
        let deflated = deflater.deflate(&data);
        set(entries, number, Entry::Direct(out.len()));
        push_int(out, i64::from(number));
        out.extend_from_slice(b" 0 obj\n");
        write_stream(out, &dict, &deflated, &Numbering::none());
        out.extend_from_slice(b"\nendobj\n");
        self.index.clear();
        self.body.clear();
    }
}

/// `id 0 obj … endobj` at the end of `out`.
fn write_indirect(out: &mut Vec<u8>, id: u32, object: &Object, numbers: &Numbering) {
    push_int(out, i64::from(id));
    out.extend_from_slice(b" 0 obj\n");
    write_object(out, object, numbers);
    out.extend_from_slice(b"\nendobj\n");
}

/// A stream: its dictionary with the true /Length, then the data.
fn write_stream(out: &mut Vec<u8>, dict: &Dictionary, data: &[u8], numbers: &Numbering) {
    out.extend_from_slice(b"<<");
    for (key, value) in dict.iter().filter(|(k, _)| k.as_slice() != b"Length") {
        write_name(out, key);
        write_value(out, value, numbers);
    }
    out.extend_from_slice(b"/Length ");
    push_int(out, data.len() as i64);
    out.extend_from_slice(b">>stream\n");
    out.extend_from_slice(data);
    out.extend_from_slice(b"\nendstream");
}

/// A value after a name or another value: numbers, keywords and references
/// need a space before them, delimited objects do not.
fn write_value(out: &mut Vec<u8>, object: &Object, numbers: &Numbering) {
    if matches!(
        object,
        Object::Null
            | Object::Boolean(_)
            | Object::Integer(_)
            | Object::Real(_)
            | Object::Reference(_)
    ) {
        out.push(b' ');
    }
    write_object(out, object, numbers);
}

/// Appends one object in PDF syntax, its references renumbered (a
/// reference to an object not written becomes `null`).
fn write_object(out: &mut Vec<u8>, object: &Object, numbers: &Numbering) {
    match object {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(true) => out.extend_from_slice(b"true"),
        Object::Boolean(false) => out.extend_from_slice(b"false"),
        Object::Integer(v) => push_int(out, *v),
        Object::Real(v) => push_real(out, *v),
        Object::Name(name) => write_name(out, name),
        Object::String(bytes, StringFormat::Literal) => write_literal(out, bytes),
        Object::String(bytes, StringFormat::Hexadecimal) => {
            out.push(b'<');
            super::encoding::push_hex(out, bytes);
            out.push(b'>');
        }
        Object::Array(items) => {
            out.push(b'[');
            for (k, item) in items.iter().enumerate() {
                if k == 0 {
                    write_object(out, item, numbers);
                } else {
                    write_value(out, item, numbers);
                }
            }
            out.push(b']');
        }
        Object::Dictionary(dict) => {
            out.extend_from_slice(b"<<");
            for (key, value) in dict.iter() {
                write_name(out, key);
                write_value(out, value, numbers);
            }
            out.extend_from_slice(b">>");
        }
        Object::Stream(stream) => write_stream(out, &stream.dict, &stream.content, numbers),
        Object::Reference(id) => match numbers.get(*id) {
            Some(n) => {
                push_int(out, i64::from(n));
                out.extend_from_slice(b" 0 R");
            }
            None => out.extend_from_slice(b"null"),
        },
    }
}

/// A real number as Rust prints an `f32`: the shortest decimal that reads
/// back as the same value, never in exponent form (which PDF lacks);
/// non-finite values are written as 0.
fn push_real(out: &mut Vec<u8>, v: f32) {
    use std::io::Write;
    if v.is_finite() {
        // Writing into a Vec cannot fail.
        let _ = write!(out, "{v}");
    } else {
        out.push(b'0');
    }
}

/// `/Name`, with delimiters, white space and bytes outside `!`–`~` as `#xx`.
fn write_name(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'/');
    for &byte in name {
        if b" \t\n\r\x0C()<>[]{}/%#".contains(&byte) || !(33..=126).contains(&byte) {
            out.push(b'#');
            super::encoding::push_hex(out, &[byte]);
        } else {
            out.push(byte);
        }
    }
}

/// `(literal)`, escaping parentheses, backslashes and carriage returns.
fn write_literal(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'(');
    super::encoding::push_literal_bytes(out, bytes);
    out.push(b')');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(object: &Object) -> String {
        let numbers = Numbering {
            new: [((9, 0), 4)].into_iter().collect(),
        };
        let mut out = Vec::new();
        write_object(&mut out, object, &numbers);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn objects_in_pdf_syntax() {
        let mut dict = Dictionary::new();
        dict.set("Type", Object::Name(b"Annot".to_vec()));
        dict.set(
            "Rect",
            Object::Array(vec![
                Object::Integer(63),
                Object::Real(423.5),
                Object::Real(-0.25),
                Object::Integer(-2),
            ]),
        );
        // Renumbered, and null where the object is not written.
        dict.set("P", Object::Reference((9, 0)));
        dict.set("Q", Object::Reference((5, 0)));
        dict.set("T", Object::string_literal("a (b) \\ c\r"));
        dict.set(
            "H",
            Object::String(vec![0xFE, 0xFF], StringFormat::Hexadecimal),
        );
        dict.set("N", Object::Null);
        dict.set("B", false);
        dict.set("Odd name", Object::Name(b"x/y#".to_vec()));
        assert_eq!(
            text(&Object::Dictionary(dict)),
            "<</Type/Annot/Rect[63 423.5 -0.25 -2]/P 4 0 R/Q null/T(a \\(b\\) \\\\ c\\r)\
             /H<FEFF>/N null/B false/Odd#20name/x#2Fy#23>>"
        );
        assert_eq!(text(&Object::Real(1e-7)), "0.0000001");
        assert_eq!(text(&Object::Real(f32::NAN)), "0");
        assert_eq!(
            text(&Object::Array(vec![
                Object::Name(b"A".to_vec()),
                Object::Integer(1)
            ])),
            "[/A 1]"
        );
    }

    #[test]
    fn xref_rows_are_up_predicted() {
        let rows = xref_rows(&[
            Entry::Free,
            Entry::Direct(15),
            Entry::InStream {
                stream: 7,
                index: 3,
            },
        ]);
        assert_eq!(rows.len(), 3 * 8);
        // Undo the predictor: each row adds the one above.
        let mut previous = [0u8; 7];
        let mut decoded = Vec::new();
        for row in rows.chunks(8) {
            assert_eq!(row[0], 2);
            for (p, d) in previous.iter_mut().zip(&row[1..]) {
                *p = p.wrapping_add(*d);
            }
            decoded.push(previous);
        }
        assert_eq!(decoded[0], [0, 0, 0, 0, 0, 0xFF, 0xFF]);
        assert_eq!(decoded[1], [1, 0, 0, 0, 15, 0, 0]);
        assert_eq!(decoded[2], [2, 0, 0, 0, 7, 0, 3]);
    }

    #[test]
    fn saved_documents_read_back() {
        let mut pdf = lopdf::Document::with_version("1.7");
        // Nothing refers to this one: it is left out.
        pdf.add_object(Object::string_literal("orphan"));
        let pages_id = pdf.new_object_id();
        let content = pdf.add_object(lopdf::Stream::new(
            Dictionary::new(),
            b"BT /F0 12 Tf (Hi) Tj ET".to_vec(),
        ));
        let mut page = Dictionary::new();
        page.set("Type", Object::Name(b"Page".to_vec()));
        page.set("Parent", Object::Reference(pages_id));
        page.set("Contents", Object::Reference(content));
        page.set(
            "MediaBox",
            Object::Array(vec![0.into(), 0.into(), 200.into(), 100.into()]),
        );
        let page_id = pdf.add_object(page);
        let mut pages = Dictionary::new();
        pages.set("Type", Object::Name(b"Pages".to_vec()));
        pages.set("Kids", Object::Array(vec![Object::Reference(page_id)]));
        pages.set("Count", 1);
        pdf.objects.insert(pages_id, Object::Dictionary(pages));
        // More than one object stream's worth of small objects.
        let mut extra = Vec::new();
        for k in 0..(OBJECTS_PER_STREAM as i64 + 5) {
            extra.push(Object::Reference(pdf.add_object(Object::Integer(k))));
        }
        let mut catalog = Dictionary::new();
        catalog.set("Type", Object::Name(b"Catalog".to_vec()));
        catalog.set("Pages", Object::Reference(pages_id));
        catalog.set("Extra", Object::Array(extra));
        let catalog_id = pdf.add_object(catalog);
        pdf.trailer.set("Root", Object::Reference(catalog_id));
        let bytes = save(&pdf, &mut Deflater::new(), 0);
        assert!(bytes.starts_with(b"%PDF-1.7\n%\xBB"));
        assert!(bytes.ends_with(b"%%EOF"));

        assert!(!String::from_utf8_lossy(&bytes).contains("orphan"));
        let back = lopdf::Document::load_mem(&bytes).expect("lopdf reads it back");
        // Renumbered from 1: pages, content, page, the integers, catalog,
        // two object streams and the cross-reference stream.
        assert_eq!(
            back.trailer.get(b"Size").unwrap().as_i64().unwrap(),
            3 + OBJECTS_PER_STREAM as i64 + 5 + 1 + 2 + 1 + 1
        );
        assert_eq!(back.get_pages().len(), 1);
        let root = back.catalog().unwrap();
        let extra = root.get(b"Extra").unwrap().as_array().unwrap();
        assert_eq!(extra.len(), OBJECTS_PER_STREAM + 5);
        for (k, r) in extra.iter().enumerate() {
            let value = back.get_object(r.as_reference().unwrap()).unwrap();
            assert_eq!(value.as_i64().unwrap(), k as i64);
        }
        let page = back.get_pages()[&1];
        // lopdf ends each content stream it reads with a newline.
        assert_eq!(back.get_page_content(page), b"BT /F0 12 Tf (Hi) Tj ET\n");

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("small.pdf");
        std::fs::write(&path, &bytes).unwrap();
        let check = std::process::Command::new("qpdf")
            .arg("--check")
            .arg(&path)
            .output()
            .expect("qpdf is needed by this test");
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stdout)
        );
    }
}
