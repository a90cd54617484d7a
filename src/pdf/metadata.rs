//! Document-level metadata: the Info dictionary, the XMP metadata stream,
//! page labels, /Lang and the file identifier.
//!
//! printpdf writes its own Info (with an empty /GTS_PDFXVersion, a random
//! /ID and dates we did not choose); all of it is replaced here from
//! [`DocInfo`], whose epoch is the only source of dates.

use lopdf::{Dictionary, Object, StringFormat};

use super::encoding::{pdf_date, text_string, xmp_date};
use crate::typeset::frame::{DocInfo, LabelStyle, PageLabelRange};

/// The /Creator of every Folio PDF.
const CREATOR: &str = "Folio";

fn producer() -> String {
    format!("Folio {} (printpdf 0.12)", env!("CARGO_PKG_VERSION"))
}

fn name(n: &str) -> Object {
    Object::Name(n.as_bytes().to_vec())
}

/// The subject line: the configured subject, else the subtitle.
fn subject(info: &DocInfo) -> Option<&str> {
    info.subject.as_deref().or(info.subtitle.as_deref())
}

/// The Info dictionary (ISO 32000-1, 14.3.3).
pub(super) fn info_dict(info: &DocInfo) -> Dictionary {
    let mut dict = Dictionary::new();
    if !info.title.is_empty() {
        dict.set("Title", text_string(&info.title));
    }
    if !info.authors.is_empty() {
        dict.set("Author", text_string(&info.authors.join(", ")));
    }
    if let Some(subject) = subject(info) {
        dict.set("Subject", text_string(subject));
    }
    if !info.keywords.is_empty() {
        dict.set("Keywords", text_string(&info.keywords.join(", ")));
    }
    dict.set("Creator", text_string(CREATOR));
    dict.set("Producer", text_string(&producer()));
    let date = pdf_date(info.epoch);
    dict.set("CreationDate", Object::string_literal(date.clone()));
    dict.set("ModDate", Object::string_literal(date));
    dict
}

/// The /PageLabels number tree (a flat /Nums array suffices for books).
/// Returns `None` when there are no ranges.
pub(super) fn page_labels(ranges: &[PageLabelRange], page_count: usize) -> Option<Dictionary> {
    let mut ranges: Vec<&PageLabelRange> = ranges
        .iter()
        .filter(|r| r.first_page < page_count.max(1))
        .collect();
    if ranges.is_empty() {
        return None;
    }
    // Keys must ascend and be unique; the last range given for a page wins.
    ranges.sort_by_key(|r| r.first_page);
    let mut nums = Vec::new();
    if ranges[0].first_page != 0 {
        // The tree must cover page 0: plain decimal numbers until the first range.
        let mut dict = Dictionary::new();
        dict.set("S", name("D"));
        nums.push(Object::Integer(0));
        nums.push(Object::Dictionary(dict));
    }
    for (i, r) in ranges.iter().enumerate() {
        if ranges
            .get(i + 1)
            .is_some_and(|n| n.first_page == r.first_page)
        {
            continue;
        }
        let mut dict = Dictionary::new();
        match r.style {
            LabelStyle::LowerRoman => dict.set("S", name("r")),
            LabelStyle::Decimal => dict.set("S", name("D")),
            LabelStyle::None => {}
        }
        if r.style != LabelStyle::None && r.start != 1 {
            dict.set("St", i64::from(r.start.max(1)));
        }
        nums.push(Object::Integer(r.first_page as i64));
        nums.push(Object::Dictionary(dict));
    }
    let mut tree = Dictionary::new();
    tree.set("Nums", Object::Array(nums));
    Some(tree)
}

/// The file identifier: both halves equal, as for a first-generation file.
pub(super) fn file_id(hash: u128) -> Object {
    let bytes = hash.to_be_bytes().to_vec();
    Object::Array(vec![
        Object::String(bytes.clone(), StringFormat::Hexadecimal),
        Object::String(bytes, StringFormat::Hexadecimal),
    ])
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 forbids most control characters outright.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// The XMP packet: Dublin Core title, creators, language, description and
/// subjects, plus the PDF and XMP basic properties mirroring Info.
pub(super) fn xmp(info: &DocInfo, document_id: u128) -> String {
    let date = xmp_date(info.epoch);
    let lang = if info.language.is_empty() {
        "x-default".to_string()
    } else {
        xml_escape(&info.language)
    };
    let mut x = String::with_capacity(2048);
    x.push_str("<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n");
    x.push_str("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n");
    x.push_str("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n");
    x.push_str("<rdf:Description rdf:about=\"\"\n");
    x.push_str(" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n");
    x.push_str(" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"\n");
    x.push_str(" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n");
    x.push_str(" xmlns:xmpMM=\"http://ns.adobe.com/xap/1.0/mm/\">\n");
    x.push_str("<dc:format>application/pdf</dc:format>\n");
    x.push_str(&format!(
        "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:title>\n",
        xml_escape(&info.title)
    ));
    if !info.authors.is_empty() {
        x.push_str("<dc:creator><rdf:Seq>");
        for author in &info.authors {
            x.push_str(&format!("<rdf:li>{}</rdf:li>", xml_escape(author)));
        }
        x.push_str("</rdf:Seq></dc:creator>\n");
    }
    x.push_str(&format!(
        "<dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>\n"
    ));
    if let Some(subject) = subject(info) {
        x.push_str(&format!(
            "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:description>\n",
            xml_escape(subject)
        ));
    }
    if !info.keywords.is_empty() {
        x.push_str("<dc:subject><rdf:Bag>");
        for keyword in &info.keywords {
            x.push_str(&format!("<rdf:li>{}</rdf:li>", xml_escape(keyword)));
        }
        x.push_str("</rdf:Bag></dc:subject>\n");
        x.push_str(&format!(
            "<pdf:Keywords>{}</pdf:Keywords>\n",
            xml_escape(&info.keywords.join(", "))
        ));
    }
    if !info.identifier.is_empty() {
        x.push_str(&format!(
            "<dc:identifier>{}</dc:identifier>\n",
            xml_escape(&info.identifier)
        ));
    }
    x.push_str(&format!(
        "<pdf:Producer>{}</pdf:Producer>\n",
        xml_escape(&producer())
    ));
    x.push_str(&format!("<xmp:CreatorTool>{CREATOR}</xmp:CreatorTool>\n"));
    x.push_str(&format!("<xmp:CreateDate>{date}</xmp:CreateDate>\n"));
    x.push_str(&format!("<xmp:ModifyDate>{date}</xmp:ModifyDate>\n"));
    x.push_str(&format!("<xmp:MetadataDate>{date}</xmp:MetadataDate>\n"));
    let uuid = format_uuid(document_id);
    x.push_str(&format!(
        "<xmpMM:DocumentID>uuid:{uuid}</xmpMM:DocumentID>\n"
    ));
    x.push_str(&format!(
        "<xmpMM:InstanceID>uuid:{uuid}</xmpMM:InstanceID>\n"
    ));
    x.push_str("</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>");
    x
}

/// A 128-bit value in UUID layout (version/variant bits not set: it is an
/// identifier, not a claim about how it was generated).
fn format_uuid(v: u128) -> String {
    let h = format!("{v:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The metadata stream object for the catalog's /Metadata. Left
/// uncompressed so that tools that scan files for XMP can find it.
pub(super) fn xmp_stream(info: &DocInfo, document_id: u128) -> lopdf::Stream {
    let mut dict = Dictionary::new();
    dict.set("Type", name("Metadata"));
    dict.set("Subtype", name("XML"));
    lopdf::Stream::new(dict, xmp(info, document_id).into_bytes()).with_compression(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(first_page: usize, style: LabelStyle, start: u32) -> PageLabelRange {
        PageLabelRange {
            first_page,
            style,
            start,
        }
    }

    #[test]
    fn labels_cover_page_zero_and_skip_default_start() {
        let tree = page_labels(
            &[
                range(0, LabelStyle::None, 1),
                range(1, LabelStyle::LowerRoman, 1),
                range(4, LabelStyle::Decimal, 1),
            ],
            10,
        )
        .unwrap();
        let nums = tree.get(b"Nums").unwrap().as_array().unwrap();
        assert_eq!(nums.len(), 6);
        assert_eq!(nums[1].as_dict().unwrap().len(), 0);
        assert_eq!(
            nums[3]
                .as_dict()
                .unwrap()
                .get(b"S")
                .unwrap()
                .as_name()
                .unwrap(),
            b"r"
        );
        assert!(!nums[5].as_dict().unwrap().has(b"St"));

        let tree = page_labels(&[range(2, LabelStyle::Decimal, 5)], 10).unwrap();
        let nums = tree.get(b"Nums").unwrap().as_array().unwrap();
        assert_eq!(nums[0], Object::Integer(0));
        assert_eq!(nums[2], Object::Integer(2));
        assert_eq!(
            nums[3].as_dict().unwrap().get(b"St").unwrap(),
            &Object::Integer(5)
        );
        assert!(page_labels(&[], 3).is_none());
    }

    #[test]
    fn xmp_escapes_and_carries_dates() {
        let info = DocInfo {
            title: "Pakistan & the \"Taliban\" <1>".into(),
            authors: vec!["A. Author".into()],
            language: "en-GB".into(),
            epoch: 86_400,
            ..DocInfo::default()
        };
        let x = xmp(&info, 1);
        assert!(x.contains("Pakistan &amp; the &quot;Taliban&quot; &lt;1&gt;"));
        assert!(x.contains("<rdf:li>en-GB</rdf:li>"));
        assert!(x.contains("<xmp:CreateDate>1970-01-02T00:00:00Z</xmp:CreateDate>"));
        assert!(x.contains("uuid:00000000-0000-0000-0000-000000000001"));
    }
}
