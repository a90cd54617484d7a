//! What the chosen standard (`pdf.standard` in book.yaml) asks of the
//! file beyond what every Folio PDF has (embedded subset fonts with
//! ToUnicode, tags, /Lang, XMP, a title shown in the window):
//!
//! - PDF/UA-1: the `pdfuaid` mark in the XMP, /MarkInfo, link
//!   descriptions, tab order by structure;
//! - PDF/A-2 and A-3: the `pdfaid` mark and an output intent, so that the
//!   device colours (grey text, RGB images) have a defined meaning; its
//!   profile is a small RGB display profile built here ([`rgb_profile`]).

use pdf_writer::{Finish, Name, Ref, TextStr};

use super::file::Objects;
use crate::config::PdfStandard;
use crate::diag::Diagnostic;
use crate::typeset::frame::{Document, StructKind};

/// What a standard asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Conformance {
    /// PDF/A part and level (`(2, 'B')`).
    pub pdfa: Option<(u8, char)>,
    /// PDF/UA-1.
    pub ua: bool,
}

impl Conformance {
    /// Whether the standard is about the file's logical structure (PDF/UA,
    /// PDF/A level A), not only its appearance.
    pub fn structural(self) -> bool {
        self.ua || matches!(self.pdfa, Some((_, 'A')))
    }

    pub fn of(standard: PdfStandard) -> Conformance {
        let (pdfa, ua) = match standard {
            PdfStandard::Ua1 => (None, true),
            PdfStandard::A2b => (Some((2, 'B')), false),
            PdfStandard::A2a => (Some((2, 'A')), false),
            PdfStandard::A3b => (Some((3, 'B')), false),
            PdfStandard::None => (None, false),
        };
        Conformance { pdfa, ua }
    }
}

/// What of the standard's rules the book itself can break, checked on the
/// frames before writing (the writer takes care of the rest; no PDF/UA or
/// PDF/A validator can be installed here): a title and a language to
/// announce, and headings that do not skip a level. (Images without alt
/// text are reported where they are written, by the Markdown stage, and
/// tagged as decoration.) Warnings; `--strict` makes them errors.
pub(super) fn check(doc: &Document, conformance: Conformance) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if !conformance.structural() {
        return out;
    }
    let name = if conformance.ua {
        "PDF/UA-1"
    } else {
        "PDF/A level A"
    };
    if doc.info.title.trim().is_empty() {
        out.push(
            Diagnostic::warning(format!(
                "{name} wants a document title, and the book has none"
            ))
            .with_hint("set `title` in book.yaml"),
        );
    }
    if doc.info.language.trim().is_empty() {
        out.push(
            Diagnostic::warning(format!("{name} wants the document's language"))
                .with_hint("set `language` in book.yaml (a BCP 47 tag such as `en`)"),
        );
    }
    let mut previous = 0u8;
    for node in &doc.structure.nodes {
        let StructKind::Heading(level) = node.kind else {
            continue;
        };
        if level > previous + 1 {
            let title = node.title.as_deref().unwrap_or("");
            out.push(
                Diagnostic::warning(format!(
                    "{name}: the heading “{title}” (level {level}) follows a level-{previous} \
                     heading; assistive technology expects no skipped levels"
                ))
                .with_hint(format!("make it a level-{} heading", previous + 1)),
            );
        }
        previous = level;
    }
    out
}

/// The output condition the profile describes.
const OUTPUT_CONDITION: &str = "sRGB";

/// Writes the PDF/A output intent with its ICC profile; returns the intent
/// dictionary's id for the catalog's /OutputIntents.
pub(super) fn write_output_intent(objects: &mut Objects) -> Ref {
    let profile = rgb_profile();
    let profile_id = objects.alloc();
    let data = super::encoding::deflate(&profile);
    objects
        .direct(profile_id)
        .icc_profile(profile_id, &data)
        .n(3)
        .range([0.0, 1.0, 0.0, 1.0, 0.0, 1.0])
        .filter(pdf_writer::Filter::FlateDecode);
    let id = objects.alloc();
    let mut intent = objects.small(id).indirect(id).dict();
    intent.pair(Name(b"Type"), Name(b"OutputIntent"));
    intent.pair(Name(b"S"), Name(b"GTS_PDFA1"));
    intent.pair(
        Name(b"OutputConditionIdentifier"),
        TextStr(OUTPUT_CONDITION),
    );
    intent.pair(Name(b"Info"), TextStr(OUTPUT_CONDITION));
    intent.pair(Name(b"DestOutputProfile"), profile_id);
    intent.finish();
    id
}

/// The D50 white of the ICC profile connection space.
const D50: [f64; 3] = [0.9642, 1.0, 0.8249];
/// The white of an sRGB display (D65).
const D65: [f64; 3] = [0.9505, 1.0, 1.089];
/// The sRGB primaries adapted to D50 (Bradford), as every sRGB profile
/// lists them: red, green, blue.
const PRIMARIES: [[f64; 3]; 3] = [
    [0.4361, 0.2225, 0.0139],
    [0.3851, 0.7169, 0.0971],
    [0.1431, 0.0606, 0.7141],
];
/// The transfer curve as one gamma (sRGB's curve is within a percent of it).
const GAMMA: f64 = 2.2;

/// A version 2 ICC display profile for sRGB-like RGB: header, tag table,
/// description, copyright, white point, primaries and gamma curves
/// (ICC.1:2001-04). About 500 bytes.
pub(super) fn rgb_profile() -> Vec<u8> {
    fn s15f16(v: f64) -> [u8; 4] {
        ((v * 65536.0).round() as i32).to_be_bytes()
    }
    fn xyz(v: [f64; 3]) -> Vec<u8> {
        let mut t = b"XYZ \0\0\0\0".to_vec();
        for c in v {
            t.extend(s15f16(c));
        }
        t
    }
    fn curve(gamma: f64) -> Vec<u8> {
        let mut t = b"curv\0\0\0\0".to_vec();
        t.extend(1u32.to_be_bytes());
        t.extend((((gamma * 256.0).round()) as u16).to_be_bytes());
        t
    }
    fn desc(text: &str) -> Vec<u8> {
        let mut t = b"desc\0\0\0\0".to_vec();
        t.extend((text.len() as u32 + 1).to_be_bytes());
        t.extend(text.as_bytes());
        t.push(0);
        // No Unicode or ScriptCode description: language, count, then the
        // ScriptCode code, count and its fixed 67 bytes.
        t.extend([0u8; 8]);
        t.extend([0u8; 3]);
        t.extend([0u8; 67]);
        t
    }
    fn text(s: &str) -> Vec<u8> {
        let mut t = b"text\0\0\0\0".to_vec();
        t.extend(s.as_bytes());
        t.push(0);
        t
    }
    let tags: Vec<(&[u8; 4], Vec<u8>)> = vec![
        (b"desc", desc(OUTPUT_CONDITION)),
        (b"cprt", text("No copyright, use freely")),
        (b"wtpt", xyz(D65)),
        (b"rXYZ", xyz(PRIMARIES[0])),
        (b"gXYZ", xyz(PRIMARIES[1])),
        (b"bXYZ", xyz(PRIMARIES[2])),
        (b"rTRC", curve(GAMMA)),
        (b"gTRC", curve(GAMMA)),
        (b"bTRC", curve(GAMMA)),
    ];
    let table_len = 4 + 12 * tags.len();
    let mut data = Vec::new();
    let mut entries = Vec::new();
    for (sig, body) in &tags {
        let offset = 128 + table_len + data.len();
        entries.push((*sig, offset, body.len()));
        data.extend(body);
        // Tag data starts on 4-byte boundaries.
        while data.len() % 4 != 0 {
            data.push(0);
        }
    }
    let size = 128 + table_len + data.len();
    let mut out = Vec::with_capacity(size);
    out.extend((size as u32).to_be_bytes());
    out.extend([0u8; 4]); // preferred CMM: none
    out.extend([0x02, 0x10, 0, 0]); // version 2.1
    out.extend(b"mntr");
    out.extend(b"RGB ");
    out.extend(b"XYZ ");
    out.extend([0u8; 12]); // creation date: none, for reproducible files
    out.extend(b"acsp");
    out.extend([0u8; 4]); // platform
    out.extend([0u8; 4]); // flags
    out.extend([0u8; 4]); // manufacturer
    out.extend([0u8; 4]); // model
    out.extend([0u8; 8]); // attributes
    out.extend([0u8; 4]); // rendering intent: perceptual
    for c in D50 {
        out.extend(s15f16(c));
    }
    out.extend([0u8; 4]); // creator
    out.extend([0u8; 44]); // profile id (v4 only) and reserved
    debug_assert_eq!(out.len(), 128);
    out.extend((tags.len() as u32).to_be_bytes());
    for (sig, offset, len) in entries {
        out.extend(sig);
        out.extend((offset as u32).to_be_bytes());
        out.extend((len as u32).to_be_bytes());
    }
    out.extend(data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_header_and_tags_are_consistent() {
        let p = rgb_profile();
        assert_eq!(
            u32::from_be_bytes([p[0], p[1], p[2], p[3]]) as usize,
            p.len()
        );
        assert_eq!(&p[36..40], b"acsp");
        assert_eq!(&p[12..20], b"mntrRGB ");
        let count = u32::from_be_bytes([p[128], p[129], p[130], p[131]]) as usize;
        assert_eq!(count, 9);
        for k in 0..count {
            let e = 132 + 12 * k;
            let offset = u32::from_be_bytes([p[e + 4], p[e + 5], p[e + 6], p[e + 7]]) as usize;
            let len = u32::from_be_bytes([p[e + 8], p[e + 9], p[e + 10], p[e + 11]]) as usize;
            assert!(offset.is_multiple_of(4) && offset + len <= p.len());
        }
    }

    #[test]
    fn standards_set_their_marks() {
        assert!(Conformance::of(PdfStandard::Ua1).ua);
        assert_eq!(Conformance::of(PdfStandard::A2a).pdfa, Some((2, 'A')));
        assert_eq!(
            Conformance::of(PdfStandard::None),
            Conformance {
                pdfa: None,
                ua: false
            }
        );
    }
}
