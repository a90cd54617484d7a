//! Link areas → printpdf link annotations: a URI action for external links,
//! a GoTo action to `[page /XYZ 0 top null]` for places in the book. No
//! border is drawn; the text itself shows that it is a link.

use printpdf::{
    Actions, BorderArray, ColorArray, Destination as PdfDestination, HighlightingMode,
    LinkAnnotation, Op, Pt as PdfPt, Rect as PdfRect,
};

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
