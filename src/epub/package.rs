//! The package: metadata, manifest and spine through epub-builder, then the
//! few things epub-builder 0.8.2 cannot express patched into its OPF.
//!
//! This is the only file that talks to epub-builder. What it gets from the
//! builder: container.xml, the OPF skeleton (title, creators with roles,
//! language, description, subjects, rights, `dcterms:modified`, cover-image
//! property, spine, guide). What is added afterwards, at the one place the
//! pinned template allows (`</metadata>`): the book's own identifier as the
//! unique identifier, the subtitle, publisher and the publication date as
//! written. The builder's own nav.xhtml and toc.ncx are replaced by ours.

use std::collections::BTreeMap;

use epub_builder::{
    EpubBuilder, EpubContent, EpubVersion, MetadataOpfV3, ReferenceType, ZipLibrary,
};

use crate::model::Metadata;

use super::escape;
use super::ocf;

/// What a spine document is for (its guide reference and landmark).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Cover,
    TitlePage,
    /// The first chapter: where reading starts.
    BodyStart,
    Chapter,
}

/// One XHTML document of the spine.
#[derive(Debug, Clone)]
pub struct SpineDoc {
    pub href: String,
    pub title: String,
    pub xhtml: String,
    pub role: Role,
}

/// A file of the manifest that is not in the spine.
#[derive(Debug, Clone)]
pub struct Resource {
    pub href: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// Everything the package needs, already rendered.
#[derive(Debug)]
pub struct PackageInput<'a> {
    pub meta: &'a Metadata,
    /// Written as the package's unique identifier and the NCX `dtb:uid`.
    pub identifier: String,
    /// Heading of the contents page (also the guide's label for it).
    pub toc_title: String,
    /// Folio's stylesheet (becomes `stylesheet.css`).
    pub stylesheet: &'a str,
    pub spine: Vec<SpineDoc>,
    pub resources: Vec<Resource>,
    pub cover_image: Option<Resource>,
    pub nav_xhtml: String,
    pub toc_ncx: String,
    pub accessibility: Accessibility,
}

/// What the accessibility metadata says about the book.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Accessibility {
    /// The book has pictures besides its cover.
    pub has_images: bool,
    /// The print edition whose page numbers the page-list carries, when
    /// there is one (`pageBreakSource`).
    pub page_source: Option<String>,
}

/// Conformance claimed in `dcterms:conformsTo`: Folio writes semantic
/// structure, language on every document, alt text, roles for notes and
/// navigation, no colours or fixed sizes; DAISY Ace checks the result.
const CONFORMS_TO: &str = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA";

/// The schema.org accessibility metadata (EPUB Accessibility 1.1) and the
/// conformance claim.
fn accessibility_metadata(a: &Accessibility) -> String {
    let mut xml = String::new();
    let mut meta = |property: &str, value: &str| {
        xml.push_str(&format!(
            "    <meta property=\"{property}\">{}</meta>\n",
            escape::text(value)
        ));
    };
    meta("schema:accessMode", "textual");
    if a.has_images {
        meta("schema:accessMode", "visual");
    }
    // Every picture has alternative text (or is replaced by it), so the
    // text alone carries the book.
    meta("schema:accessModeSufficient", "textual");
    // Every book has a cover image with alternative text.
    let mut features = vec![
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "displayTransformability",
        "alternativeText",
    ];
    if a.page_source.is_some() {
        features.push("pageBreakMarkers");
        features.push("pageNavigation");
    }
    for feature in features {
        meta("schema:accessibilityFeature", feature);
    }
    meta("schema:accessibilityHazard", "none");
    let mut summary = String::from(
        "This publication has a table of contents, headings in a logical order, \
         a reading order that follows the text, and footnotes as linked notes. \
         Text can be resized and restyled by the reader.",
    );
    summary.push_str(" Images have text alternatives.");
    if a.page_source.is_some() {
        summary.push_str(" Page numbers of the print (PDF) edition are marked and listed.");
    }
    meta("schema:accessibilitySummary", &summary);
    meta("dcterms:conformsTo", CONFORMS_TO);
    if let Some(source) = &a.page_source {
        meta("pageBreakSource", source);
    }
    xml
}

/// The UUID epub-builder is given: the identifier itself when it is a
/// `urn:uuid:`, else one derived from it (so it never changes between
/// builds).
fn builder_uuid(identifier: &str) -> uuid::Uuid {
    let trimmed = identifier.trim();
    let parsed = trimmed
        .get(..9)
        .filter(|p| p.eq_ignore_ascii_case("urn:uuid:"))
        .and_then(|_| uuid::Uuid::parse_str(&trimmed[9..]).ok());
    parsed.unwrap_or_else(|| uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, trimmed.as_bytes()))
}

/// Whether `s` is a W3C date (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`, optionally
/// with a time), the form EPUB requires for `dc:date`.
pub fn is_w3c_date(s: &str) -> bool {
    if !s.is_ascii() {
        return false;
    }
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let month_ok = || matches!(s.get(5..7).and_then(|m| m.parse::<u8>().ok()), Some(1..=12));
    let day_ok = || {
        matches!(
            s.get(8..10).and_then(|d| d.parse::<u8>().ok()),
            Some(1..=31)
        )
    };
    match b.len() {
        4 => digits(0..4),
        7 => digits(0..4) && b[4] == b'-' && digits(5..7) && month_ok(),
        10 => {
            digits(0..4)
                && b[4] == b'-'
                && digits(5..7)
                && b[7] == b'-'
                && digits(8..10)
                && month_ok()
                && day_ok()
        }
        n if n > 10 => {
            is_w3c_date(&s[..10]) && b[10] == b'T' && {
                let time = &s[11..];
                let (clock, zone) = match time.find(['Z', '+', '-']) {
                    Some(i) => time.split_at(i),
                    None => (time, ""),
                };
                let clock_ok = clock.split(':').count() >= 2
                    && clock.split(':').all(|p| {
                        !p.is_empty() && p.chars().all(|c| c.is_ascii_digit() || c == '.')
                    });
                let zone_ok = zone == "Z"
                    || (zone.len() == 6
                        && zone.as_bytes()[3] == b':'
                        && zone[1..3]
                            .chars()
                            .chain(zone[4..].chars())
                            .all(|c| c.is_ascii_digit()));
                clock_ok && zone_ok
            }
        }
        _ => false,
    }
}

/// The Dublin Core elements epub-builder's template has no slot for.
fn extra_metadata(meta: &Metadata) -> String {
    let mut xml = String::new();
    if let Some(subtitle) = meta.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
        xml.push_str(&format!(
            "    <dc:title id=\"subtitle\">{}</dc:title>\n",
            escape::text(subtitle.trim())
        ));
    }
    if let Some(publisher) = meta.publisher.as_deref().filter(|s| !s.trim().is_empty()) {
        xml.push_str(&format!(
            "    <dc:publisher>{}</dc:publisher>\n",
            escape::text(publisher.trim())
        ));
    }
    if let Some(date) = meta
        .date
        .as_deref()
        .map(str::trim)
        .filter(|d| is_w3c_date(d))
    {
        xml.push_str(&format!("    <dc:date>{}</dc:date>\n", escape::text(date)));
    }
    xml
}

/// The manifest id epub-builder 0.8.2 gives a file: `id_` and the path
/// with every character outside `[A-Za-z0-9_.-]` (and a few Unicode
/// ranges we never produce) replaced by `_`.
fn builder_item_id(href: &str) -> String {
    let mapped: String = href
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_-.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("id_{mapped}")
}

/// Patches the builder's OPF: the unique identifier's value becomes the
/// book's identifier, the extra elements go at the end of `<metadata>`,
/// and the navigation document joins the spine right after `nav_after`
/// (the contents page is a landmark, and landmarks must be spine items).
fn patch_opf(
    opf: &str,
    lang: &str,
    uuid: uuid::Uuid,
    identifier: &str,
    extra: &str,
    nav_after: &str,
) -> Result<String, String> {
    let package_open = "<package version=\"3.0\" ";
    let builder_id = format!(
        "<dc:identifier id=\"epub-id-1\">{}</dc:identifier>",
        uuid::fmt::Urn::from_uuid(uuid)
    );
    let own_id = format!(
        "<dc:identifier id=\"epub-id-1\">{}</dc:identifier>",
        escape::text(identifier.trim())
    );
    let itemref = format!("<itemref idref=\"{}\"/>", builder_item_id(nav_after));
    if !opf.contains(&builder_id)
        || !opf.contains("  </metadata>")
        || !opf.contains(&itemref)
        || !opf.contains(package_open)
    {
        return Err("the package document has an unexpected shape".into());
    }
    // The package's own language (Ace and some readers look there first).
    let with_lang = format!("{package_open}xml:lang=\"{}\" ", escape::attr(lang.trim()));
    Ok(opf
        .replacen(package_open, &with_lang, 1)
        .replacen(&builder_id, &own_id, 1)
        .replacen("  </metadata>", &format!("{extra}  </metadata>"), 1)
        .replacen(
            &itemref,
            &format!("{itemref}\n    <itemref idref=\"nav\"/>"),
            1,
        ))
}

/// Builds the package with epub-builder and returns its files by name,
/// with our navigation documents in place of the builder's.
pub fn assemble(mut input: PackageInput<'_>) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let err = |e: epub_builder::Error| e.to_string();
    let meta = input.meta;
    let mut b = EpubBuilder::new(ZipLibrary::new().map_err(err)?).map_err(err)?;
    b.epub_version(EpubVersion::V30);
    // Values below are plain text: the builder escapes them itself.
    b.escape_html(true);
    b.set_title(escape::clean(meta.title.trim()));
    for author in meta
        .authors
        .iter()
        .map(|a| a.trim())
        .filter(|a| !a.is_empty())
    {
        b.add_author(escape::clean(author));
    }
    b.set_lang(escape::clean(meta.language.trim()));
    if super::xhtml::is_rtl(&meta.language) {
        // The spine's page-progression-direction comes from this key.
        b.metadata("direction", "rtl").map_err(err)?;
    }
    b.set_generator("Folio");
    b.set_toc_name(escape::clean(&input.toc_title));
    if let Some(d) = meta.description.as_deref().filter(|d| !d.trim().is_empty()) {
        b.add_description(escape::clean(d.trim()));
    }
    for subject in meta.subjects.iter().filter(|s| !s.trim().is_empty()) {
        b.add_subject(escape::clean(subject.trim()));
    }
    if let Some(rights) = meta.rights.as_deref().filter(|r| !r.trim().is_empty()) {
        b.set_license(escape::clean(rights.trim()));
    }
    let modified = chrono::DateTime::from_timestamp(meta.modified_epoch, 0)
        .ok_or_else(|| format!("build time {} is out of range", meta.modified_epoch))?;
    b.set_modified_date(modified);
    let uuid = builder_uuid(&input.identifier);
    b.set_uuid(uuid);
    if meta
        .subtitle
        .as_deref()
        .is_some_and(|s| !s.trim().is_empty())
    {
        // `MetadataOpfV3::add_refines` sets `id` in 0.8.2, so the field is
        // set directly. The content is written unescaped by the builder.
        let mut title_type = MetadataOpfV3::new("title-type".into(), "subtitle".into());
        title_type.refines = Some("#subtitle".into());
        b.add_metadata_opf(Box::new(title_type));
    }

    // The builder gets empty files and writes only the package document
    // and navigation from their names; the real files are put in below.
    // It deflates what it is given, and the container is unpacked and
    // written again in a fixed order (`ocf`): passing the chapters through
    // it would deflate and inflate every chapter once more for nothing.
    b.stylesheet(input.stylesheet.as_bytes()).map_err(err)?;
    for r in &input.resources {
        b.add_resource(&r.href, &[][..], r.media_type.as_str())
            .map_err(err)?;
    }
    if let Some(cover) = &input.cover_image {
        b.add_cover_image(&cover.href, &[][..], cover.media_type.as_str())
            .map_err(err)?;
    }
    for doc in &input.spine {
        let mut content =
            EpubContent::new(doc.href.as_str(), &[][..]).title(escape::clean(&doc.title));
        content = match doc.role {
            Role::Cover => content.reftype(ReferenceType::Cover),
            Role::TitlePage => content.reftype(ReferenceType::TitlePage),
            // Without a `Text` reference the guide has no start of reading.
            Role::BodyStart => content.reftype(ReferenceType::Text),
            Role::Chapter => content,
        };
        b.add_content(content).map_err(err)?;
    }
    let mut zipped = Vec::new();
    b.generate(&mut zipped).map_err(err)?;

    // EPUB 3 wants the `mathml` property on each document with MathML;
    // epub-builder has no way to say it, so the manifest is patched.
    let with_math: Vec<String> = input
        .spine
        .iter()
        .filter(|d| d.xhtml.contains("<math "))
        .map(|d| builder_item_id(&d.href))
        .collect();
    let mut entries = ocf::read_entries(&zipped)?;
    let files = input
        .resources
        .into_iter()
        .chain(input.cover_image)
        .map(|r| (r.href, r.bytes))
        .chain(
            input
                .spine
                .iter_mut()
                .map(|d| (d.href.clone(), std::mem::take(&mut d.xhtml).into_bytes())),
        );
    for (href, bytes) in files {
        match entries.get_mut(&format!("OEBPS/{href}")) {
            Some(slot) => *slot = bytes,
            None => return Err(format!("the builder did not write {href}")),
        }
    }
    let opf = entries
        .get("OEBPS/content.opf")
        .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
        .ok_or("the builder wrote no package document")?;
    let title_page = input
        .spine
        .iter()
        .find(|d| d.role == Role::TitlePage)
        .ok_or("the book has no title page")?;
    let extra = extra_metadata(meta) + &accessibility_metadata(&input.accessibility);
    let opf = patch_opf(
        &opf,
        &meta.language,
        uuid,
        &input.identifier,
        &extra,
        &title_page.href,
    )?;
    let mut opf = opf;
    for id in with_math {
        let item = format!(" id=\"{id}\" href=");
        if !opf.contains(&item) {
            return Err(format!("the package document has no item {id}"));
        }
        opf = opf.replacen(&item, &format!(" properties=\"mathml\"{item}"), 1);
    }
    entries.insert("OEBPS/content.opf".into(), opf.into_bytes());
    entries.insert("OEBPS/nav.xhtml".into(), input.nav_xhtml.into_bytes());
    entries.insert("OEBPS/toc.ncx".into(), input.toc_ncx.into_bytes());
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn w3c_dates() {
        for ok in [
            "2024",
            "2024-03",
            "2024-03-09",
            "2024-03-09T10:00Z",
            "2024-03-09T10:00:05+01:00",
        ] {
            assert!(is_w3c_date(ok), "{ok}");
        }
        for bad in [
            "24",
            "2024-13",
            "2024/03/09",
            "March 2024",
            "2024-03-09T",
            "2024-03-32",
        ] {
            assert!(!is_w3c_date(bad), "{bad}");
        }
    }

    #[test]
    fn uuid_identifiers_are_kept_others_derived() {
        let u = "urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8";
        assert_eq!(
            builder_uuid(u).to_string(),
            "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
        );
        assert_eq!(builder_uuid("isbn:123"), builder_uuid("isbn:123"));
        assert_ne!(builder_uuid("isbn:123"), builder_uuid("isbn:124"));
    }
}
