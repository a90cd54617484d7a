//! Which file every chapter (or part of a chapter) goes to, and where every
//! id ends up, so links, the TOC, notes and the page-list point into the
//! right file after long chapters are split.
//!
//! Place in the pipeline: between a first, measuring serialization of the
//! chapters and the real one (see [`super::build`]). A chapter whose XHTML
//! exceeds [`super::SPLIT_THRESHOLD_BYTES`] is cut before every top-level
//! heading of the configured split level or higher; a piece that is still
//! too large is cut again between top-level blocks. Footnotes travel with
//! the part that references them (see [`super::notes`]).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use crate::model::{Block, BlockKind, Book, InlineKind};

use super::escape;

/// Top-level block ranges of one chapter's parts, in order; never empty.
pub type Plan = Vec<Range<usize>>;

/// The plan of a chapter of `n` top-level blocks that is not split.
pub fn whole(n: usize) -> Plan {
    std::iter::once(0..n).collect()
}

/// Where the parts of a chapter are cut. `offsets[i]` is the byte offset at
/// which top-level block `i` starts in the measured (unsplit) document and
/// `total` its whole size.
pub fn plan_parts(
    blocks: &[Block],
    offsets: &[usize],
    total: usize,
    split_level: u8,
    threshold: usize,
) -> Plan {
    let n = blocks.len();
    if total <= threshold || n < 2 || offsets.len() != n {
        return whole(n);
    }
    let size = |range: &Range<usize>| {
        let end = offsets.get(range.end).copied().unwrap_or(total);
        end.saturating_sub(offsets[range.start])
    };
    let mut cuts: Vec<usize> = (1..n)
        .filter(|&i| matches!(&blocks[i].kind, BlockKind::Heading(h) if h.level <= split_level))
        .collect();
    cuts.push(n);
    let mut parts = Vec::new();
    let mut start = 0;
    for end in cuts {
        let segment = start..end;
        if size(&segment) <= threshold {
            parts.push(segment);
        } else {
            // Still too large: cut between top-level blocks, greedily.
            let mut piece = start;
            for i in start + 1..end {
                if size(&(piece..i + 1)) > threshold {
                    parts.push(piece..i);
                    piece = i;
                }
            }
            parts.push(piece..end);
        }
        start = end;
    }
    parts
}

/// Files of every chapter part and the part each id lives in.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layout {
    /// Per chapter, the file of each part in order (at least one).
    pub files: Vec<Vec<String>>,
    /// Per chapter, the top-level block range of each part.
    pub plans: Vec<Plan>,
    /// Per chapter: id as written → (part, whether the id's heading opens
    /// that part's file, so links can name the file alone).
    ids: Vec<BTreeMap<String, (usize, bool)>>,
}

impl Layout {
    /// The layout for the given plans, naming part files after `bases`
    /// (one unsplit file name per chapter): part 1 keeps the base name,
    /// later parts add `-partN`; `taken` holds names already used (in
    /// lower case) and receives the new ones.
    pub fn new(
        book: &Book,
        bases: &[String],
        plans: Vec<Plan>,
        taken: &mut BTreeSet<String>,
    ) -> Layout {
        let mut files = Vec::new();
        let mut ids = Vec::new();
        for ((chapter, base), plan) in book.chapters.iter().zip(bases).zip(&plans) {
            let stem = base.strip_suffix(".xhtml").unwrap_or(base);
            let mut names = vec![base.clone()];
            for k in 2..=plan.len() {
                let mut name = format!("{stem}-part{k}.xhtml");
                let mut n = 2;
                while taken.contains(&name.to_ascii_lowercase()) {
                    name = format!("{stem}-part{k}-{n}.xhtml");
                    n += 1;
                }
                taken.insert(name.to_ascii_lowercase());
                names.push(name);
            }
            files.push(names);

            let generated_title = chapter.title.is_some()
                && !chapter
                    .blocks
                    .iter()
                    .any(|b| matches!(&b.kind, BlockKind::Heading(h) if h.level == 1));
            let mut map = BTreeMap::new();
            for (part, range) in plan.iter().enumerate() {
                let blocks = &chapter.blocks[range.clone()];
                let mut found = BTreeSet::new();
                heading_ids(blocks, &mut found);
                let top = match blocks.first().map(|b| &b.kind) {
                    Some(BlockKind::Heading(h)) if part > 0 || !generated_title => {
                        Some(escape::id(&h.id))
                    }
                    _ => None,
                };
                for id in found {
                    let at_top = top.as_deref() == Some(id.as_str());
                    map.entry(id).or_insert((part, at_top));
                }
            }
            // A note lives in the first part that references it; notes
            // nobody references go to the last part.
            for (part, range) in plan.iter().enumerate() {
                for index in notes_referenced(chapter, &chapter.blocks[range.clone()]) {
                    if let Some(note) = chapter.footnotes.get(index) {
                        map.entry(escape::id(&note.id)).or_insert((part, false));
                    }
                }
            }
            let last = plan.len().saturating_sub(1);
            for note in &chapter.footnotes {
                map.entry(escape::id(&note.id)).or_insert((last, false));
            }
            ids.push(map);
        }
        Layout { files, plans, ids }
    }

    /// One part per chapter, named `files`.
    pub fn single(book: &Book, files: &[String]) -> Layout {
        let plans = book
            .chapters
            .iter()
            .map(|c| whole(c.blocks.len()))
            .collect();
        Layout::new(book, files, plans, &mut BTreeSet::new())
    }

    /// The file of a chapter's part.
    pub fn file(&self, chapter: usize, part: usize) -> Option<&str> {
        self.files.get(chapter)?.get(part).map(String::as_str)
    }

    /// The `href` of a place in the book, from any document: the file
    /// alone for a chapter's start or a heading that opens its file (no
    /// fragment that Kindle would resolve to the top of the body anyway),
    /// else `file#id`.
    pub fn href(&self, chapter: usize, id: Option<&str>) -> Option<String> {
        let files = self.files.get(chapter)?;
        let Some(id) = id else {
            return files.first().cloned();
        };
        let id = escape::id(id);
        match self.ids.get(chapter).and_then(|m| m.get(&id)) {
            Some(&(part, true)) => files.get(part).cloned(),
            Some(&(part, false)) => files
                .get(part)
                .map(|f| format!("{f}#{}", escape::fragment(&id))),
            None => files
                .first()
                .map(|f| format!("{f}#{}", escape::fragment(&id))),
        }
    }
}

/// Every id of the model in `blocks` (headings, divisions, spans,
/// anchors), at any depth, as written.
pub fn heading_ids(blocks: &[Block], ids: &mut BTreeSet<String>) {
    let found = std::cell::RefCell::new(Vec::new());
    crate::model::walk(
        blocks,
        &mut |block| match &block.kind {
            BlockKind::Heading(h) => found.borrow_mut().push(h.id.as_str()),
            BlockKind::Division(d) => found.borrow_mut().extend(d.attrs.id.as_deref()),
            _ => {}
        },
        &mut |inline| match &inline.kind {
            InlineKind::Anchor(id) => found.borrow_mut().push(id.as_str()),
            InlineKind::Span { attrs, .. } => found.borrow_mut().extend(attrs.id.as_deref()),
            _ => {}
        },
    );
    ids.extend(found.into_inner().into_iter().map(escape::id));
}

/// Indices of the footnotes of `chapter` that `blocks` reference, directly
/// or through the notes they reference, in order of index.
pub fn notes_referenced(chapter: &crate::model::Chapter, blocks: &[Block]) -> BTreeSet<usize> {
    let mut found = BTreeSet::new();
    refs_in_blocks(blocks, &mut found);
    let mut queue: Vec<usize> = found.iter().copied().collect();
    while let Some(i) = queue.pop() {
        let mut more = BTreeSet::new();
        if let Some(note) = chapter.footnotes.get(i) {
            refs_in_blocks(&note.blocks, &mut more);
        }
        for m in more {
            if found.insert(m) {
                queue.push(m);
            }
        }
    }
    found
}

fn refs_in_blocks(blocks: &[Block], out: &mut BTreeSet<usize>) {
    crate::model::walk(blocks, &mut |_| {}, &mut |inline| {
        if let InlineKind::FootnoteRef { index } = inline.kind {
            out.insert(index);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Span;
    use crate::model::{Heading, Inline};

    fn heading(level: u8) -> Block {
        Block {
            kind: BlockKind::Heading(Heading {
                level,
                id: format!("h{level}"),
                content: vec![],
                classes: vec![],
            }),
            span: Span::default(),
        }
    }
    fn para() -> Block {
        Block {
            kind: BlockKind::Paragraph(vec![Inline::new(
                InlineKind::Text("x".into()),
                Span::default(),
            )]),
            span: Span::default(),
        }
    }

    #[test]
    fn small_chapters_stay_whole() {
        let blocks = vec![heading(1), para(), heading(2), para()];
        assert_eq!(plan_parts(&blocks, &[0, 10, 20, 30], 40, 2, 100), whole(4));
    }

    #[test]
    fn large_chapters_split_at_the_level_then_between_blocks() {
        // h1 p h2 p h3 p h2 p p p, each block 10 bytes, 100 in all.
        let blocks = vec![
            heading(1),
            para(),
            heading(2),
            para(),
            heading(3),
            para(),
            heading(2),
            para(),
            para(),
            para(),
        ];
        let offsets: Vec<usize> = (0..10).map(|i| i * 10).collect();
        assert_eq!(
            plan_parts(&blocks, &offsets, 100, 2, 45),
            [0..2, 2..6, 6..10]
        );
        // Level 3 also cuts before the h3.
        assert_eq!(
            plan_parts(&blocks, &offsets, 100, 3, 45),
            [0..2, 2..4, 4..6, 6..10]
        );
        // A section over the limit is cut between blocks.
        assert_eq!(
            plan_parts(&blocks, &offsets, 100, 2, 25),
            [0..2, 2..4, 4..6, 6..8, 8..10]
        );
        // Level 1 headings only: the whole chapter is one section, cut by size.
        assert_eq!(
            plan_parts(&blocks, &offsets, 100, 1, 45),
            [0..4, 4..8, 8..10]
        );
    }
}
