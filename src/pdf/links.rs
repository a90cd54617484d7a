//! Link areas → printpdf link annotations: a URI action for external links,
//! a GoTo action to `[page /XYZ 0 top null]` for places in the book. No
//! border is drawn; the text itself shows that it is a link.
//!
//! Page anchors (heading and footnote ids) become named destinations, so
//! `book.pdf#some-heading` opens at that heading in viewers that support it.

use printpdf::{
    Actions, BorderArray, ColorArray, Destination as PdfDestination, HighlightingMode,
    LinkAnnotation, Op, Pt as PdfPt, Rect as PdfRect,
};

use lopdf::{Dictionary, Object, ObjectId, StringFormat};

use crate::typeset::frame::{Destination, Document, Item, Page};

/// The annotation ops of one page (printpdf turns them into /Annots).
/// Destinations must already be validated against the page count.
pub(super) fn link_ops(page: &Page, doc: &Document) -> Vec<Op> {
    let height = page.height.0;
    page.items
        .iter()
        .filter_map(|item| match item {
            Item::Link(link) => Some(link),
            _ => None,
        })
        .map(|link| {
            let r = link.rect;
            let rect = PdfRect::from_xywh(
                PdfPt(r.x.0 as f32),
                PdfPt((height - r.y.0 - r.height.0) as f32),
                PdfPt(r.width.0 as f32),
                PdfPt(r.height.0 as f32),
            );
            let actions = match &link.target {
                Destination::Uri(uri) => Actions::Uri(ascii_uri(uri)),
                Destination::Page { page, y } => {
                    let target_height = doc.pages.get(*page).map_or(height, |p| p.height.0);
                    Actions::Goto(PdfDestination::Xyz {
                        // printpdf counts pages from 1.
                        page: page + 1,
                        left: Some(0.0),
                        top: Some((target_height - y.0) as f32),
                        zoom: None,
                    })
                }
            };
            Op::LinkAnnotation {
                link: LinkAnnotation::new(
                    rect,
                    actions,
                    Some(BorderArray::Solid([0.0, 0.0, 0.0])),
                    Some(ColorArray::Transparent),
                    Some(HighlightingMode::Invert),
                ),
            }
        })
        .collect()
}

/// The /Dests name tree of every page anchor, `id → [page /XYZ 0 top
/// null]`, or `None` without anchors. Keys are sorted bytewise as name trees
/// require; an id given twice keeps its first page.
pub(super) fn named_destinations(doc: &Document, pages: &[(ObjectId, f64)]) -> Option<Dictionary> {
    let mut anchors: Vec<(&str, ObjectId, f64)> = doc
        .pages
        .iter()
        .zip(pages)
        .flat_map(|(page, &(id, height))| {
            page.anchors
                .iter()
                .map(move |a| (a.id.as_str(), id, height - a.y.0))
        })
        .collect();
    if anchors.is_empty() {
        return None;
    }
    // Stable: among equal ids the earliest page stays first.
    anchors.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    anchors.dedup_by(|later, earlier| later.0 == earlier.0);
    let mut names = Vec::with_capacity(anchors.len() * 2);
    for (key, page, top) in anchors {
        names.push(Object::String(
            key.as_bytes().to_vec(),
            StringFormat::Literal,
        ));
        names.push(Object::Array(vec![
            Object::Reference(page),
            Object::Name(b"XYZ".to_vec()),
            Object::Integer(0),
            Object::Real(top as f32),
            Object::Null,
        ]));
    }
    let mut tree = Dictionary::new();
    tree.set("Names", Object::Array(names));
    Some(tree)
}

/// A URI action holds 7-bit ASCII: percent-encode everything else (and
/// spaces and controls), leaving existing escapes alone.
pub(super) fn ascii_uri(uri: &str) -> String {
    let mut out = String::with_capacity(uri.len());
    for b in uri.bytes() {
        if b.is_ascii_graphic() {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::ascii_uri;

    #[test]
    fn uris_become_ascii() {
        assert_eq!(
            ascii_uri("https://example.org/a b"),
            "https://example.org/a%20b"
        );
        assert_eq!(
            ascii_uri("https://de.wikipedia.org/wiki/Kābul"),
            "https://de.wikipedia.org/wiki/K%C4%81bul"
        );
        assert_eq!(
            ascii_uri("https://x.org/?q=(1)&r=%20"),
            "https://x.org/?q=(1)&r=%20"
        );
    }
}
