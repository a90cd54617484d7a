//! The document outline (bookmarks), nested like the table of contents:
//! every item links to its parent and siblings (/Parent, /Prev, /Next,
//! /First, /Last), carries /Count as ISO 32000 defines it (open items count
//! their visible descendants, closed items the negative of what opening
//! them would show) and jumps to `[page /XYZ 0 top null]`.

use pdf_writer::{Ref, TextStr};

use super::file::Objects;
use crate::typeset::frame::OutlineEntry;

/// Entries shallower than this start expanded: chapters show their
/// sections, deeper levels start folded so long books stay scannable.
const OPEN_DEPTH: usize = 1;

/// Writes the outline tree; returns the /Outlines dictionary's id, or
/// `None` when there are no entries. `pages` holds each page's object id
/// and height; entry pages must be valid indices.
pub(super) fn write_outline(
    objects: &mut Objects,
    entries: &[OutlineEntry],
    pages: &[(Ref, f64)],
) -> Option<Ref> {
    if entries.is_empty() {
        return None;
    }
    let root = objects.alloc();
    let level = write_level(objects, entries, root, 0, pages);
    objects
        .small(root)
        .outline(root)
        .first(level.first)
        .last(level.last)
        .count(level.visible);
    Some(root)
}

struct Level {
    first: Ref,
    last: Ref,
    /// Items of this level and below that show when its parent is open.
    visible: i32,
}

fn write_level(
    objects: &mut Objects,
    entries: &[OutlineEntry],
    parent: Ref,
    depth: usize,
    pages: &[(Ref, f64)],
) -> Level {
    let ids: Vec<Ref> = entries.iter().map(|_| objects.alloc()).collect();
    let mut visible = 0;
    for (i, entry) in entries.iter().enumerate() {
        let id = ids[i];
        visible += 1;
        let children = (!entry.children.is_empty())
            .then(|| write_level(objects, &entry.children, id, depth + 1, pages));
        let mut item = objects.small(id).outline_item(id);
        item.title(TextStr(&entry.title)).parent(parent);
        if i > 0 {
            item.prev(ids[i - 1]);
        }
        if let Some(next) = ids.get(i + 1) {
            item.next(*next);
        }
        if let Some(&(page_id, height)) = pages.get(entry.page) {
            item.dest()
                .page(page_id)
                .xyz(0.0, (height - entry.y.0) as f32, None);
        }
        if let Some(children) = children {
            let open = depth < OPEN_DEPTH;
            item.first(children.first)
                .last(children.last)
                .count(if open {
                    children.visible
                } else {
                    -children.visible
                });
            if open {
                visible += children.visible;
            }
        }
    }
    Level {
        first: ids[0],
        last: ids[ids.len() - 1],
        visible,
    }
}
