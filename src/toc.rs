//! The table of contents, built once from the model's headings and shared by
//! the EPUB nav and NCX, the PDF contents page and the PDF outline.
//!
//! `#` starts a chapter entry, deeper headings nest under the nearest
//! shallower one; a skipped level (h1 → h3) nests directly under the h1
//! rather than inventing an empty h2. Headings deeper than the configured
//! depth are left out. A chapter without a level-1 heading appears under
//! its configured title, if it has one.
//!
//! A chapter nested in the book's outline (under an mdBook part or parent
//! chapter, [`crate::model::Chapter::depth`]) has its headings that many
//! levels deeper here: a sub-chapter's `#` nests under its parent's.

use crate::model::{plain_text, Block, BlockKind, Book};

/// One entry of the table of contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TocEntry {
    /// Level in the outline: the heading's level (1–6) plus its chapter's
    /// depth. Entries for untitled chapters use level 1 plus the depth.
    pub level: u8,
    /// Plain-text label (no markup; writers escape it for their format).
    pub label: String,
    /// Index of the chapter in [`Book::chapters`].
    pub chapter: usize,
    /// Heading id inside the chapter; `None` points at the chapter start.
    pub id: Option<String>,
    pub children: Vec<TocEntry>,
}

/// The whole table of contents as a forest of entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Toc {
    pub entries: Vec<TocEntry>,
}

impl Toc {
    /// Builds the TOC from every heading of the book down to `meta.toc_depth`.
    pub fn build(book: &Book) -> Toc {
        let depth = book.meta.toc_depth;
        let mut flat = Vec::new();
        for (index, chapter) in book.chapters.iter().enumerate() {
            let has_h1 = chapter
                .blocks
                .iter()
                .any(|b| matches!(&b.kind, BlockKind::Heading(h) if h.level == 1));
            let shift = chapter.depth;
            if let (false, Some(title)) = (has_h1, &chapter.title) {
                flat.push(TocEntry {
                    level: 1 + shift,
                    label: title.clone(),
                    chapter: index,
                    id: None,
                    children: Vec::new(),
                });
            }
            collect_headings(&chapter.blocks, index, depth, shift, &mut flat);
        }
        Toc {
            entries: nest(flat),
        }
    }

    /// Every entry in reading order (depth first), with its depth (0 = top).
    pub fn flatten(&self) -> Vec<(usize, &TocEntry)> {
        fn walk<'a>(entries: &'a [TocEntry], depth: usize, out: &mut Vec<(usize, &'a TocEntry)>) {
            for e in entries {
                out.push((depth, e));
                walk(&e.children, depth + 1, out);
            }
        }
        let mut out = Vec::new();
        walk(&self.entries, 0, &mut out);
        out
    }
}

/// Headings are collected from the top level of a chapter and from the
/// divisions there (an HTML `<section>` or `<div>` is only a wrapper): a
/// heading inside a block quote, list item, table or note is part of that
/// block, not the outline.
fn collect_headings(
    blocks: &[Block],
    chapter: usize,
    depth: u8,
    shift: u8,
    out: &mut Vec<TocEntry>,
) {
    for block in blocks {
        match &block.kind {
            BlockKind::Heading(h) if h.level.saturating_add(shift) <= depth => out.push(TocEntry {
                level: h.level.saturating_add(shift),
                label: normalize_label(&plain_text(&h.content)),
                chapter,
                id: Some(h.id.clone()),
                children: Vec::new(),
            }),
            BlockKind::Division(d) => collect_headings(&d.blocks, chapter, depth, shift, out),
            _ => {}
        }
    }
}

/// Collapses runs of white space so labels read as one line.
fn normalize_label(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Turns a flat list of leveled entries into a tree: each entry becomes a
/// child of the nearest preceding entry with a smaller level.
fn nest(flat: Vec<TocEntry>) -> Vec<TocEntry> {
    let mut roots: Vec<TocEntry> = Vec::new();
    // Stack of the open ancestors' levels; the entries themselves live in `roots`.
    let mut levels: Vec<u8> = Vec::new();
    for entry in flat {
        while levels.last().is_some_and(|&l| l >= entry.level) {
            levels.pop();
        }
        let mut siblings = &mut roots;
        for _ in 0..levels.len() {
            siblings = &mut siblings.last_mut().expect("open ancestor exists").children;
        }
        levels.push(entry.level);
        siblings.push(entry);
    }
    roots
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(level: u8, label: &str) -> TocEntry {
        TocEntry {
            level,
            label: label.into(),
            chapter: 0,
            id: Some(label.into()),
            children: Vec::new(),
        }
    }

    fn shape(entries: &[TocEntry]) -> String {
        entries
            .iter()
            .map(|x| {
                if x.children.is_empty() {
                    x.label.clone()
                } else {
                    format!("{}({})", x.label, shape(&x.children))
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn nests_by_level() {
        let t = nest(vec![e(1, "a"), e(2, "b"), e(3, "c"), e(2, "d"), e(1, "f")]);
        assert_eq!(shape(&t), "a(b(c) d) f");
    }

    #[test]
    fn skipped_level_nests_under_nearest_shallower() {
        let t = nest(vec![e(1, "a"), e(3, "c"), e(2, "b"), e(3, "d")]);
        assert_eq!(shape(&t), "a(c b(d))");
    }

    #[test]
    fn leading_deep_heading_becomes_a_root() {
        let t = nest(vec![e(2, "x"), e(1, "a"), e(2, "b")]);
        assert_eq!(shape(&t), "x a(b)");
    }

    #[test]
    fn labels_are_single_line() {
        assert_eq!(
            normalize_label(" Complex\n Relation  b/w "),
            "Complex Relation b/w"
        );
    }
}
