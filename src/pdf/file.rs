//! The file itself: indirect objects written with pdf-writer, the small
//! ones packed into object streams, and a cross-reference stream (PDF 1.5).
//!
//! The last step of the PDF writer. Streams (page contents, fonts, images,
//! CMaps, XMP) are written into the file as they are; every other object
//! (pages, annotations, outline items, structure elements, the catalog)
//! goes, without the white space pdf-writer indents it with, into deflated
//! object streams of about [`OBJECT_STREAM_BYTES`] each, and the
//! cross-reference table is a deflated stream with the PNG "up"
//! predictor. On a long tagged book the small dictionaries would be a
//! third of the file written plainly and a sixth in object streams.
//!
//! Objects are numbered in the order their ids are handed out, and written
//! in the order they are given, so the same document gives the same bytes.

use pdf_writer::{Chunk, Ref};

use super::encoding::push_int;

/// An object stream is closed once its objects reach this many bytes (or
/// [`MAX_OBJECTS_PER_STREAM`] objects). Larger streams deflate better, up
/// to deflate's 32 KiB window; a viewer inflates a whole stream to read
/// one of its objects, so they stay small (a few KiB deflated). On the
/// tagged benchmark book, 100 objects a stream (about 9 KiB) came out
/// 6 % larger.
const OBJECT_STREAM_BYTES: usize = 32 * 1024;

/// The most objects an object stream holds (its index is read whole).
const MAX_OBJECTS_PER_STREAM: usize = 1000;

/// Bytes per cross-reference entry: type (1), offset or object stream
/// number (4), generation or index in the object stream (2).
const XREF_WIDTHS: [usize; 3] = [1, 4, 2];

/// The four bytes ≥ 128 of the second header line, which tell file
/// transfer tools (and PDF/A) that the file is binary (ISO 32000-1, 7.5.2).
const BINARY_MARK: &[u8] = b"%\xBB\xAD\xC0\xDE\n";

/// What pdf-writer writes after each indirect object.
const OBJECT_END: &[u8] = b"\nendobj\n\n";

/// The PDF version written: object and cross-reference streams need 1.5;
/// nothing here needs more than 1.7, the version PDF/A-2 and PDF/UA-1
/// build on.
const PDF_VERSION: &str = "1.7";

/// The objects of a file being written.
pub(super) struct Objects {
    next: i32,
    /// The file so far: its header and the streams (and what svg2pdf
    /// writes), in file order. Kept as bytes, not as a [`Chunk`], so the
    /// file is not copied once more at the end (a 3,750-page book's
    /// content streams are 11 MB).
    file: Vec<u8>,
    /// The direct object being written, and its id; moved into `file`
    /// when the next one begins or the file is finished.
    direct: Chunk,
    direct_id: Option<Ref>,
    /// Each direct object's id and offset in `file`.
    direct_at: Vec<(Ref, usize)>,
    /// Dictionaries and arrays, to be packed into object streams.
    small: Chunk,
    /// Each small object's id and offset in `small`; an object ends where
    /// the next begins.
    small_at: Vec<(Ref, usize)>,
}

/// Where each object is, for the cross-reference stream.
#[derive(Debug, Clone, Copy)]
enum Entry {
    Free,
    /// At this byte offset of the file.
    Direct(usize),
    /// The `index`th object of object stream `stream`.
    InStream {
        stream: i32,
        index: u16,
    },
}

impl Objects {
    pub fn new(size_hint: usize) -> Objects {
        let mut file = Vec::with_capacity(size_hint);
        file.extend_from_slice(b"%PDF-");
        file.extend_from_slice(PDF_VERSION.as_bytes());
        file.push(b'\n');
        file.extend_from_slice(BINARY_MARK);
        Objects {
            next: 1,
            file,
            direct: Chunk::new(),
            direct_id: None,
            direct_at: Vec::new(),
            small: Chunk::with_capacity(64 * 1024),
            small_at: Vec::new(),
        }
    }

    /// A new object id.
    pub fn alloc(&mut self) -> Ref {
        let id = Ref::new(self.next);
        self.next += 1;
        id
    }

    /// The chunk to write object `id` into, written to the file as it is
    /// (streams). Write exactly that one object.
    pub fn direct(&mut self, id: Ref) -> &mut Chunk {
        self.flush_direct();
        self.direct_id = Some(id);
        &mut self.direct
    }

    /// Moves the direct object last written into the file.
    fn flush_direct(&mut self) {
        if let Some(id) = self.direct_id.take() {
            self.direct_at.push((id, self.file.len()));
            self.file.extend_from_slice(self.direct.as_bytes());
            self.direct = Chunk::new();
        }
    }

    /// The chunk to write object `id` into, packed into an object stream
    /// (dictionaries, arrays; never a stream). Write exactly that object.
    pub fn small(&mut self, id: Ref) -> &mut Chunk {
        self.small_at.push((id, self.small.len()));
        &mut self.small
    }

    /// Adds a chunk written by another library (svg2pdf), renumbering its
    /// objects with new ids; returns the new id of `root`.
    pub fn adopt(&mut self, chunk: &Chunk, root: Ref) -> Result<Ref, String> {
        let mut map = std::collections::BTreeMap::new();
        let mut next = self.next;
        let mut renumber = |old: Ref| {
            *map.entry(old).or_insert_with(|| {
                let id = Ref::new(next);
                next += 1;
                id
            })
        };
        let order: Vec<Ref> = chunk.refs().map(&mut renumber).collect();
        let new_root = renumber(root);
        self.flush_direct();
        let start = self.file.len();
        let mut renumbered = Chunk::new();
        chunk.renumber_into(&mut renumbered, &mut renumber);
        self.file.extend_from_slice(renumbered.as_bytes());
        self.next = next;
        // The chunk keeps its objects' offsets to itself: find each
        // object's header after the previous one's end. Headers carry the
        // expected number, so stream data cannot be mistaken for one.
        let bytes = &self.file;
        let mut at = start;
        for (k, id) in order.iter().enumerate() {
            let header = format!("{} 0 obj\n", id.get());
            let found = if k == 0 {
                bytes[at..].starts_with(header.as_bytes()).then_some(at)
            } else {
                let mut needle = OBJECT_END.to_vec();
                needle.extend_from_slice(header.as_bytes());
                find(&bytes[at..], &needle).map(|i| at + i + OBJECT_END.len())
            };
            let Some(offset) = found else {
                return Err(format!("object {} of an SVG drawing not found", id.get()));
            };
            self.direct_at.push((*id, offset));
            at = offset + header.len();
        }
        Ok(new_root)
    }

    /// The file: header, direct objects, object streams, cross-reference
    /// stream pointing at `root` and `info`, with file identifier `file_id`.
    pub fn finish(
        mut self,
        root: Ref,
        info: Ref,
        file_id: [u8; 16],
        deflate: &mut dyn FnMut(&[u8]) -> Vec<u8>,
    ) -> Result<Vec<u8>, String> {
        self.flush_direct();
        let mut out = std::mem::take(&mut self.file);
        out.reserve(self.small.len() / 4 + 4096);
        let mut entries = vec![Entry::Free; self.next as usize];
        for &(id, offset) in &self.direct_at {
            set(&mut entries, id.get(), Entry::Direct(offset));
        }

        let small = std::mem::take(&mut self.small_at);
        let bytes = self.small.as_bytes();
        let ends: Vec<usize> = small
            .iter()
            .skip(1)
            .map(|&(_, at)| at)
            .chain([bytes.len()])
            .collect();
        // Each object compacted, one after the other.
        let mut compacted = Vec::with_capacity(bytes.len() * 3 / 4);
        let mut objects: Vec<(i32, std::ops::Range<usize>)> = Vec::with_capacity(small.len());
        for (&(id, start), &end) in small.iter().zip(&ends) {
            let header = format!("{} 0 obj\n", id.get());
            let object = &bytes[start..end];
            let body = object
                .strip_prefix(header.as_bytes())
                .and_then(|o| o.strip_suffix(OBJECT_END))
                .ok_or_else(|| format!("object {} was not written as one object", id.get()))?;
            let at = compacted.len();
            compact(body, &mut compacted);
            objects.push((id.get(), at..compacted.len()));
        }
        let mut first = 0;
        while first < objects.len() {
            let mut last = first + 1;
            let mut size = objects[first].1.len();
            while last < objects.len()
                && last - first < MAX_OBJECTS_PER_STREAM
                && size + objects[last].1.len() <= OBJECT_STREAM_BYTES
            {
                size += objects[last].1.len();
                last += 1;
            }
            let group: Vec<(i32, &[u8])> = objects[first..last]
                .iter()
                .map(|(id, range)| (*id, &compacted[range.clone()]))
                .collect();
            let number = self.next;
            self.next += 1;
            write_object_stream(number, &group, &mut out, &mut entries, deflate);
            first = last;
        }

        // The cross-reference stream is the last object and lists itself.
        let xref_id = self.next;
        let xref_at = out.len();
        set(&mut entries, xref_id, Entry::Direct(xref_at));
        let data = deflate(&xref_rows(&entries));
        push_int(&mut out, i64::from(xref_id));
        out.extend_from_slice(b" 0 obj\n<</Type/XRef/Size ");
        push_int(&mut out, i64::from(xref_id) + 1);
        out.extend_from_slice(b"/W[");
        for (k, w) in XREF_WIDTHS.iter().enumerate() {
            if k > 0 {
                out.push(b' ');
            }
            push_int(&mut out, *w as i64);
        }
        out.extend_from_slice(b"]/Root ");
        push_ref(&mut out, root);
        out.extend_from_slice(b"/Info ");
        push_ref(&mut out, info);
        out.extend_from_slice(b"/ID[<");
        super::encoding::push_hex(&mut out, &file_id);
        out.extend_from_slice(b"><");
        super::encoding::push_hex(&mut out, &file_id);
        out.extend_from_slice(b">]/DecodeParms<</Predictor 12/Columns ");
        push_int(&mut out, XREF_WIDTHS.iter().sum::<usize>() as i64);
        out.extend_from_slice(b">>/Filter/FlateDecode/Length ");
        push_int(&mut out, data.len() as i64);
        out.extend_from_slice(b">>stream\n");
        out.extend_from_slice(&data);
        out.extend_from_slice(b"\nendstream\nendobj\nstartxref\n");
        push_int(&mut out, xref_at as i64);
        out.extend_from_slice(b"\n%%EOF\n");
        Ok(out)
    }
}

/// Whether `b` is a PDF delimiter (ISO 32000-1, 7.2.2): no white space
/// is needed next to one.
fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_white(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t' | b'\x0C' | b'\0')
}

/// Appends `object` (a dictionary or array as pdf-writer writes it) to
/// `out` without the white space it puts in for the eye: a run of white
/// space becomes one space between two tokens that need one and nothing
/// next to a delimiter. Strings are copied as they are.
fn compact(object: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    let mut i = 0;
    while i < object.len() {
        let b = object[i];
        match b {
            b'(' => {
                // A literal string: balanced parentheses, `\` escapes.
                let mut depth = 0usize;
                let mut j = i;
                while j < object.len() {
                    match object[j] {
                        b'\\' => j += 1,
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                let end = (j + 1).min(object.len());
                out.extend_from_slice(&object[i..end]);
                i = end;
            }
            b'<' if object.get(i + 1) == Some(&b'<') => {
                out.extend_from_slice(b"<<");
                i += 2;
            }
            b'<' => {
                // A hex string.
                let end = object[i..]
                    .iter()
                    .position(|&c| c == b'>')
                    .map_or(object.len(), |p| i + p + 1);
                out.extend_from_slice(&object[i..end]);
                i = end;
            }
            _ if is_white(b) => {
                let mut j = i;
                while j < object.len() && is_white(object[j]) {
                    j += 1;
                }
                let before = out.len() > start && !is_delimiter(out[out.len() - 1]);
                let after = j < object.len() && !is_delimiter(object[j]);
                if before && after {
                    out.push(b' ');
                }
                i = j;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
}

fn push_ref(out: &mut Vec<u8>, id: Ref) {
    push_int(out, i64::from(id.get()));
    out.extend_from_slice(b" 0 R");
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn set(entries: &mut Vec<Entry>, id: i32, entry: Entry) {
    let i = id as usize;
    if entries.len() <= i {
        entries.resize(i + 1, Entry::Free);
    }
    entries[i] = entry;
}

/// Writes the objects of `group` as object stream `number`.
fn write_object_stream(
    number: i32,
    group: &[(i32, &[u8])],
    out: &mut Vec<u8>,
    entries: &mut Vec<Entry>,
    deflate: &mut dyn FnMut(&[u8]) -> Vec<u8>,
) {
    let mut index = Vec::with_capacity(group.len() * 12);
    let mut body = Vec::with_capacity(group.iter().map(|(_, b)| b.len() + 1).sum());
    for (k, &(id, object)) in group.iter().enumerate() {
        if k > 0 {
            index.push(b' ');
            body.push(b'\n');
        }
        push_int(&mut index, i64::from(id));
        index.push(b' ');
        push_int(&mut index, body.len() as i64);
        body.extend_from_slice(object);
        set(
            entries,
            id,
            Entry::InStream {
                stream: number,
                index: k as u16,
            },
        );
    }
    index.push(b'\n');
    let first = index.len();
    index.extend_from_slice(&body);
    let data = deflate(&index);
    set(entries, number, Entry::Direct(out.len()));
    push_int(out, i64::from(number));
    out.extend_from_slice(b" 0 obj\n<</Type/ObjStm/N ");
    push_int(out, group.len() as i64);
    out.extend_from_slice(b"/First ");
    push_int(out, first as i64);
    out.extend_from_slice(b"/Filter/FlateDecode/Length ");
    push_int(out, data.len() as i64);
    out.extend_from_slice(b">>stream\n");
    out.extend_from_slice(&data);
    out.extend_from_slice(b"\nendstream\nendobj\n");
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
            Entry::InStream { stream, index } => (2, stream as u64, u64::from(index)),
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

#[cfg(test)]
mod tests {
    use super::compact;

    fn compacted(s: &str) -> String {
        let mut out = Vec::new();
        compact(s.as_bytes(), &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn compaction_keeps_tokens_apart_and_strings_whole() {
        assert_eq!(
            compacted("<<\n  /Type /Annot\n  /Rect [79.5 352 387 362.45]\n  /P 5 0 R\n>>"),
            "<</Type/Annot/Rect[79.5 352 387 362.45]/P 5 0 R>>"
        );
        // Strings keep their spaces, parentheses and escapes; hex strings too.
        assert_eq!(
            compacted("<<\n  /T (a  (b) \\) c)\n  /ID <AB CD>\n  /K [1  2]\n>>"),
            "<</T(a  (b) \\) c)/ID<AB CD>/K[1 2]>>"
        );
        assert_eq!(compacted("[ /A  /B  true  null ]"), "[/A/B true null]");
    }
}
