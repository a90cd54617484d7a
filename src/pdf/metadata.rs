//! Document-level metadata: the Info dictionary, the XMP metadata stream
//! (with the PDF/A or PDF/UA identification), page labels and the file
//! identifier. [`DocInfo`]'s epoch is the only source of dates.

use pdf_writer::{Finish, Name, Ref, Str, TextStr};

use super::encoding::{pdf_date, xmp_date};
use super::file::Objects;
use super::standard::Conformance;
use crate::typeset::frame::{DocInfo, LabelStyle, PageLabelRange};

/// The /Creator of every Folio PDF.
const CREATOR: &str = "Folio";

fn producer() -> String {
    format!("Folio {} (pdf-writer 0.12)", env!("CARGO_PKG_VERSION"))
}

/// The subject line: the configured subject, else the subtitle.
fn subject(info: &DocInfo) -> Option<&str> {
    info.subject.as_deref().or(info.subtitle.as_deref())
}

/// Writes the Info dictionary (ISO 32000-1, 14.3.3); PDF/A wants each
/// entry to match the XMP's.
pub(super) fn write_info(objects: &mut Objects, info: &DocInfo) -> Ref {
    let id = objects.alloc();
    let mut dict = objects
        .small(id)
        .indirect(id)
        .start::<pdf_writer::writers::DocumentInfo>();
    if !info.title.is_empty() {
        dict.title(TextStr(&info.title));
    }
    if !info.authors.is_empty() {
        dict.author(TextStr(&authors(info)));
    }
    if let Some(subject) = subject(info) {
        dict.subject(TextStr(subject));
    }
    if !info.keywords.is_empty() {
        dict.keywords(TextStr(&info.keywords.join(", ")));
    }
    dict.creator(TextStr(CREATOR));
    dict.producer(TextStr(&producer()));
    let date = pdf_date(info.epoch);
    dict.pair(Name(b"CreationDate"), Str(date.as_bytes()));
    dict.pair(Name(b"ModDate"), Str(date.as_bytes()));
    dict.finish();
    id
}

/// The authors as one line for Info's /Author (XMP lists them one by one
/// in dc:creator, which PDF/A readers join the same way).
fn authors(info: &DocInfo) -> String {
    info.authors.join(", ")
}

/// One entry of the /PageLabels number tree: the first page index, the
/// numbering style (`None`: no number) and the first number when not 1.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct LabelEntry {
    pub first_page: i32,
    pub style: Option<&'static [u8]>,
    pub start: Option<i32>,
}

/// The /PageLabels number tree's entries (a flat /Nums array suffices for
/// books). Empty when there are no ranges.
pub(super) fn page_labels(ranges: &[PageLabelRange], page_count: usize) -> Vec<LabelEntry> {
    let mut ranges: Vec<&PageLabelRange> = ranges
        .iter()
        .filter(|r| r.first_page < page_count.max(1))
        .collect();
    if ranges.is_empty() {
        return Vec::new();
    }
    // Keys must ascend and be unique; the last range given for a page wins.
    ranges.sort_by_key(|r| r.first_page);
    let mut nums = Vec::new();
    if ranges[0].first_page != 0 {
        // The tree must cover page 0: plain decimal numbers until the first range.
        nums.push(LabelEntry {
            first_page: 0,
            style: Some(b"D"),
            start: None,
        });
    }
    for (i, r) in ranges.iter().enumerate() {
        if ranges
            .get(i + 1)
            .is_some_and(|n| n.first_page == r.first_page)
        {
            continue;
        }
        let style: Option<&'static [u8]> = match r.style {
            LabelStyle::LowerRoman => Some(b"r"),
            LabelStyle::Decimal => Some(b"D"),
            LabelStyle::None => None,
        };
        let start = (r.style != LabelStyle::None && r.start != 1).then(|| r.start.max(1) as i32);
        nums.push(LabelEntry {
            first_page: r.first_page as i32,
            style,
            start,
        });
    }
    nums
}

/// The file identifier's bytes (both halves of /ID are equal, as for a
/// first-generation file).
pub(super) fn file_id(hash: u128) -> [u8; 16] {
    hash.to_be_bytes()
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
pub(super) fn xmp(info: &DocInfo, document_id: u128, conformance: Conformance) -> String {
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
    x.push_str(" xmlns:xmpMM=\"http://ns.adobe.com/xap/1.0/mm/\"");
    if conformance.pdfa.is_some() {
        x.push_str("\n xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"");
    }
    if conformance.ua {
        x.push_str("\n xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\"");
    }
    x.push_str(">\n");
    if let Some((part, level)) = conformance.pdfa {
        x.push_str(&format!(
            "<pdfaid:part>{part}</pdfaid:part>\n<pdfaid:conformance>{level}</pdfaid:conformance>\n"
        ));
    }
    if conformance.ua {
        x.push_str("<pdfuaid:part>1</pdfuaid:part>\n");
    }
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

/// Writes the metadata stream for the catalog's /Metadata. Left
/// uncompressed so that tools that scan files for XMP can find it (and
/// PDF/A wants it so).
pub(super) fn write_xmp(
    objects: &mut Objects,
    info: &DocInfo,
    document_id: u128,
    conformance: Conformance,
) -> Ref {
    let id = objects.alloc();
    let xmp = xmp(info, document_id, conformance);
    objects.direct(id).metadata(id, xmp.as_bytes());
    id
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
        let nums = page_labels(
            &[
                range(0, LabelStyle::None, 1),
                range(1, LabelStyle::LowerRoman, 1),
                range(4, LabelStyle::Decimal, 1),
            ],
            10,
        );
        assert_eq!(nums.len(), 3);
        assert_eq!(nums[0].style, None);
        assert_eq!(nums[1].style, Some(&b"r"[..]));
        assert_eq!(nums[2].start, None);

        let nums = page_labels(&[range(2, LabelStyle::Decimal, 5)], 10);
        assert_eq!(nums[0].first_page, 0);
        assert_eq!(nums[1].first_page, 2);
        assert_eq!(nums[1].start, Some(5));
        assert!(page_labels(&[], 3).is_empty());
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
        let x = xmp(&info, 1, Conformance::of(crate::config::PdfStandard::A2b));
        assert!(x.contains("<pdfaid:part>2</pdfaid:part>"));
        assert!(x.contains("<pdfaid:conformance>B</pdfaid:conformance>"));
        assert!(!x.contains("pdfuaid"));
        assert!(x.contains("Pakistan &amp; the &quot;Taliban&quot; &lt;1&gt;"));
        assert!(x.contains("<rdf:li>en-GB</rdf:li>"));
        assert!(x.contains("<xmp:CreateDate>1970-01-02T00:00:00Z</xmp:CreateDate>"));
        assert!(x.contains("uuid:00000000-0000-0000-0000-000000000001"));
    }
}
