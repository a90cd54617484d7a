//! The document outline (bookmarks), nested like the table of contents.
//!
//! printpdf's own bookmarks are flat and sorted by name, so the /Outlines
//! tree is built here on the lopdf document: every item links to its parent
//! and siblings (/Parent, /Prev, /Next, /First, /Last), carries /Count as
//! ISO 32000 defines it (open items count their visible descendants, closed
//! items the negative of what opening them would show) and jumps to
//! `[page /XYZ 0 top null]`.

use lopdf::{Dictionary, Object, ObjectId};

use super::encoding::text_string;
use crate::typeset::frame::OutlineEntry;

/// Entries shallower than this start expanded: chapters show their
/// sections, deeper levels start folded so long books stay scannable.
const OPEN_DEPTH: usize = 1;

/// Writes the outline tree; returns the /Outlines dictionary's id, or
/// `None` when there are no entries. `pages` holds each page's object id
/// and height; entry pages must be valid indices.
pub(super) fn write_outline(
    pdf: &mut lopdf::Document,
    entries: &[OutlineEntry],
    pages: &[(ObjectId, f64)],
) -> Option<ObjectId> {
    if entries.is_empty() {
        return None;
    }
    let root = pdf.new_object_id();
    let level = write_level(pdf, entries, root, 0, pages);
    let mut dict = Dictionary::new();
    dict.set("Type", Object::Name(b"Outlines".to_vec()));
    dict.set("First", Object::Reference(level.first));
    dict.set("Last", Object::Reference(level.last));
    dict.set("Count", level.visible);
    pdf.objects.insert(root, Object::Dictionary(dict));
    Some(root)
}

struct Level {
    first: ObjectId,
    last: ObjectId,
    /// Items of this level and below that show when its parent is open.
    visible: i64,
}

fn write_level(
    pdf: &mut lopdf::Document,
    entries: &[OutlineEntry],
    parent: ObjectId,
    depth: usize,
    pages: &[(ObjectId, f64)],
) -> Level {
    let ids: Vec<ObjectId> = entries.iter().map(|_| pdf.new_object_id()).collect();
    let mut visible = 0;
    for (i, entry) in entries.iter().enumerate() {
        let id = ids[i];
        let mut dict = Dictionary::new();
        dict.set("Title", text_string(&entry.title));
        dict.set("Parent", Object::Reference(parent));
        if i > 0 {
            dict.set("Prev", Object::Reference(ids[i - 1]));
        }
        if let Some(next) = ids.get(i + 1) {
            dict.set("Next", Object::Reference(*next));
        }
        if let Some(&(page_id, height)) = pages.get(entry.page) {
            dict.set(
                "Dest",
                Object::Array(vec![
                    Object::Reference(page_id),
                    Object::Name(b"XYZ".to_vec()),
                    Object::Integer(0),
                    Object::Real((height - entry.y.0) as f32),
                    Object::Null,
                ]),
            );
        }
        visible += 1;
        if !entry.children.is_empty() {
            let open = depth < OPEN_DEPTH;
            let children = write_level(pdf, &entry.children, id, depth + 1, pages);
            dict.set("First", Object::Reference(children.first));
            dict.set("Last", Object::Reference(children.last));
            dict.set(
                "Count",
                if open {
                    children.visible
                } else {
                    -children.visible
                },
            );
            if open {
                visible += children.visible;
            }
        }
        pdf.objects.insert(id, Object::Dictionary(dict));
    }
    Level {
        first: ids[0],
        last: ids[ids.len() - 1],
        visible,
    }
}
