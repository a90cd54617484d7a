//! Link areas → link annotations: a URI action for external links, a GoTo
//! action to `[page /XYZ 0 top null]` for places in the book. No border is
//! drawn; the text itself shows that it is a link. Each annotation says in
//! /Contents where it goes (PDF/UA asks every annotation for a
//! description) and, in a tagged file, which structure element holds it.
//!
//! Page anchors (heading and footnote ids) become named destinations, so
//! `book.pdf#some-heading` opens at that heading in viewers that support it.

use pdf_writer::types::{ActionType, AnnotationFlags, AnnotationType};
use pdf_writer::{Finish, Name, Ref, Str, TextStr};

use super::file::Objects;
use crate::typeset::frame::{Destination, Document, LinkArea};

/// Writes one link annotation on the page `page_id` as object `id`.
/// `pages` holds each page's id and height (destinations are already
/// validated against it); `struct_parent` is its key in the structure
/// tree's parent tree; `page_label` (`Page {}` in the book's language)
/// describes a link to a page.
pub(super) fn write_link(
    objects: &mut Objects,
    id: Ref,
    link: &LinkArea,
    page: (Ref, f64),
    pages: &[(Ref, f64)],
    struct_parent: Option<i32>,
    page_label: &str,
) {
    let (page_id, height) = page;
    let r = link.rect;
    let rect = pdf_writer::Rect::new(
        r.x.0 as f32,
        (height - r.y.0 - r.height.0) as f32,
        (r.x.0 + r.width.0) as f32,
        (height - r.y.0) as f32,
    );
    let description = match &link.target {
        Destination::Uri(uri) => uri.clone(),
        Destination::Page { page, .. } => {
            let number = (page + 1).to_string();
            if page_label.contains("{}") {
                page_label.replace("{}", &number)
            } else {
                format!("Page {number}")
            }
        }
    };
    let mut annot = objects.small(id).annotation(id);
    annot
        .subtype(AnnotationType::Link)
        .rect(rect)
        .page(page_id)
        .contents(TextStr(&description))
        .flags(AnnotationFlags::PRINT)
        .border(0.0, 0.0, 0.0, None);
    if let Some(key) = struct_parent {
        annot.struct_parent(key);
    }
    let mut action = annot.action();
    match &link.target {
        Destination::Uri(uri) => {
            action
                .action_type(ActionType::Uri)
                .uri(Str(ascii_uri(uri).as_bytes()));
        }
        Destination::Page { page, y } => {
            let (target, target_height) = pages.get(*page).copied().unwrap_or((page_id, height));
            action
                .action_type(ActionType::GoTo)
                .destination()
                .page(target)
                .xyz(0.0, (target_height - y.0) as f32, None);
        }
    }
    action.finish();
    annot.finish();
}

/// Writes the /Dests name tree of every page anchor, `id → [page /XYZ 0
/// top null]`; `None` without anchors. Keys are sorted bytewise as name
/// trees require; an id given twice keeps its first page.
pub(super) fn named_destinations(
    objects: &mut Objects,
    doc: &Document,
    pages: &[(Ref, f64)],
) -> Option<Ref> {
    let mut anchors: Vec<(&str, Ref, f64)> = doc
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
    let id = objects.alloc();
    let mut tree = objects.small(id).indirect(id).dict();
    let mut names = tree.insert(Name(b"Names")).array();
    for (key, page, top) in anchors {
        names.item(Str(key.as_bytes()));
        let mut dest = names.push().array();
        dest.item(page);
        dest.item(Name(b"XYZ"));
        dest.item(0);
        dest.item(top as f32);
        dest.item(pdf_writer::Null);
    }
    names.finish();
    tree.finish();
    Some(id)
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
