//! Print page numbers in the EPUB: `epub:type="pagebreak"` markers placed
//! where Folio's PDF of the same book starts its pages, and the page-list
//! that lets a reader jump to (and show) those page numbers.
//!
//! Place in the pipeline: the typesetter reports where each page begins as
//! [`PageBreak`]s (a chapter, a block by the byte its span starts at, and a
//! word of the block's [`running_text`](crate::model::running_text)); the XHTML serializer asks this
//! module, block by block, which markers belong there and counts words as
//! it writes text, so a marker lands exactly before the word that begins
//! the printed page. Words are maximal runs of non-white-space
//! (`char::is_whitespace`, the definition `str::split_whitespace` uses) of
//! the running text; tables count their cells' text in reading order with
//! a word break between cells, code blocks and display math their source.
//!
//! A break whose block is never met (a position inside a footnote, a stale
//! offset) is written at the next block of the main text, or at the end of
//! the chapter's text, so every page of the PDF still has its marker and the
//! page-list stays in page order.

use std::collections::BTreeMap;

use crate::model::{running_words, Block, BlockKind, PageBreak, PageBreakAt, Part};

use super::escape::{self, push_attr, push_text};
use super::xhtml::ChapterWriter;

/// One marker waiting to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// Position of the break in the caller's list (page order).
    pub seq: usize,
    pub label: String,
}

/// A marker as written: which part file of its chapter holds it, under
/// which id. The page-list is made from these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedMark {
    pub seq: usize,
    pub label: String,
    pub part: usize,
    pub id: String,
}

/// Per-chapter state of the markers while the chapter is written.
#[derive(Debug, Default)]
pub struct BreakState {
    /// Breaks at the chapter's start.
    at_start: Vec<Pending>,
    /// Breaks inside blocks, by the byte the block starts at, each with
    /// its word index.
    by_block: BTreeMap<u32, Vec<(usize, Pending)>>,
    /// Breaks of the block being written, by word, first word first.
    in_block: Vec<(usize, Pending)>,
    /// Words of the current block met so far.
    words: usize,
    /// Whether the last character written was part of a word.
    in_word: bool,
    /// Every marker written so far.
    pub placed: Vec<PlacedMark>,
}

impl BreakState {
    /// The state for chapter `chapter`, from all of the book's breaks.
    pub fn for_chapter(breaks: &[PageBreak], chapter: usize) -> BreakState {
        let mut state = BreakState::default();
        for (seq, b) in breaks.iter().enumerate() {
            if b.chapter != chapter {
                continue;
            }
            let pending = Pending {
                seq,
                label: b.label.clone(),
            };
            match b.at {
                PageBreakAt::ChapterStart => state.at_start.push(pending),
                PageBreakAt::Block { block_start, word } => state
                    .by_block
                    .entry(block_start)
                    .or_default()
                    .push((word, pending)),
            }
        }
        state
    }

    /// Whether no marker is left to write in the chapter's text.
    fn idle(&self) -> bool {
        self.in_block.is_empty() && self.by_block.is_empty() && self.at_start.is_empty()
    }
}

/// Number of words in `text`.
fn count_words(text: &str) -> usize {
    text.split_whitespace().count()
}

/// Words of a block's own running text (see the module documentation):
/// the text it holds directly, not that of the blocks inside it.
fn block_words(block: &Block) -> usize {
    match &block.kind {
        BlockKind::CodeBlock { text, .. } => count_words(text),
        BlockKind::Math(f) => count_words(&f.source),
        kind => {
            let mut words = 0;
            kind.parts(&mut |part| {
                if let Part::Inlines(inlines) = part {
                    words += running_words(inlines);
                }
            });
            words
        }
    }
}

/// Whether a block nested in `block` starts at byte `start` too (then the
/// break belongs to that innermost block).
fn child_starts_at(block: &Block, start: u32) -> bool {
    let mut found = false;
    block.kind.parts(&mut |part| {
        if let Part::Blocks(blocks) = part {
            found |= blocks
                .iter()
                .any(|b| b.span.start == start || child_starts_at(b, start));
        }
    });
    found
}

impl ChapterWriter<'_, '_> {
    /// Writes the markers of pages that open the chapter.
    pub(super) fn chapter_start_breaks(&mut self) {
        let pending = std::mem::take(&mut self.breaks.at_start);
        for p in pending {
            self.write_mark(p);
        }
    }

    /// Called as a block of the main text starts, before its element is
    /// written: writes the markers of earlier positions that were never
    /// met, and takes those of this block (unless a nested block starting
    /// at the same byte is theirs). Markers of a block without words go
    /// right here; the others wait for their word in [`Self::counted_text`].
    pub(super) fn begin_block(&mut self, block: &Block) {
        // Markers of the previous block whose words never came.
        self.flush_block_breaks();
        if self.breaks.idle() || self.in_notes {
            return;
        }
        let start = block.span.start;
        let mut late: Vec<Pending> = self.breaks.at_start.drain(..).collect();
        while let Some(entry) = self.breaks.by_block.first_entry() {
            if *entry.key() >= start {
                break;
            }
            late.extend(entry.remove().into_iter().map(|(_, p)| p));
        }
        late.sort_by_key(|p| p.seq);
        for p in late {
            self.write_mark(p);
        }
        if child_starts_at(block, start) {
            return;
        }
        let Some(mut mine) = self.breaks.by_block.remove(&start) else {
            return;
        };
        let words = block_words(block);
        for (word, _) in &mut mine {
            if *word >= words {
                *word = 0;
            }
        }
        mine.sort_by_key(|(word, p)| (*word, p.seq));
        if words == 0 {
            for (_, p) in mine {
                self.write_mark(p);
            }
            return;
        }
        self.breaks.in_block = mine;
        self.breaks.words = 0;
        self.breaks.in_word = false;
    }

    /// A word boundary that is not white space in the text (a line break,
    /// the gap between two table cells).
    pub(super) fn word_boundary(&mut self) {
        self.breaks.in_word = false;
    }

    /// Writes text of the current block, placing the markers that wait for
    /// one of its words.
    pub(super) fn counted_text(&mut self, text: &str) {
        if self.breaks.in_block.is_empty() {
            push_text(&mut self.out, text);
            return;
        }
        let mut written = 0;
        self.count_words(text, |w, i| {
            push_text(&mut w.out, &text[written..i]);
            written = i;
        });
        push_text(&mut self.out, &text[written..]);
    }

    /// Counts the words of `text` without writing it (a formula written as
    /// MathML): markers waiting for one of them are written here, before
    /// the formula.
    pub(super) fn uncounted_words(&mut self, text: &str) {
        if !self.breaks.in_block.is_empty() {
            self.count_words(text, |_, _| {});
        }
    }

    /// Counts the words of `text`; where markers wait for a word that
    /// begins at byte `i`, calls `before(self, i)` and writes them.
    fn count_words(&mut self, text: &str, mut before: impl FnMut(&mut Self, usize)) {
        for (i, c) in text.char_indices() {
            if c.is_whitespace() {
                self.breaks.in_word = false;
                continue;
            }
            if self.breaks.in_word {
                continue;
            }
            self.breaks.in_word = true;
            let word = self.breaks.words;
            self.breaks.words += 1;
            if self
                .breaks
                .in_block
                .first()
                .is_some_and(|(w, _)| *w == word)
            {
                before(self, i);
            }
            while self
                .breaks
                .in_block
                .first()
                .is_some_and(|(w, _)| *w == word)
            {
                let (_, p) = self.breaks.in_block.remove(0);
                self.write_mark(p);
            }
        }
    }

    /// Writes the markers of the current block that are still waiting
    /// (its text had fewer words than counted beforehand).
    pub(super) fn flush_block_breaks(&mut self) {
        for (_, p) in std::mem::take(&mut self.breaks.in_block) {
            self.write_mark(p);
        }
    }

    /// Writes every marker not yet written: called at the end of the
    /// chapter's text.
    pub(super) fn flush_all_breaks(&mut self) {
        self.flush_block_breaks();
        let mut rest: Vec<Pending> = self.breaks.at_start.drain(..).collect();
        rest.extend(
            std::mem::take(&mut self.breaks.by_block)
                .into_values()
                .flatten()
                .map(|(_, p)| p),
        );
        rest.sort_by_key(|p| p.seq);
        for p in rest {
            self.write_mark(p);
        }
    }

    /// Writes one marker: an empty, labelled element that readers use to
    /// show the print page and that the page-list points at.
    fn write_mark(&mut self, p: Pending) {
        let label = p.label.trim();
        let id = self.unique_id(&format!("page-{}", escape::id(label)));
        self.out
            .push_str("<span epub:type=\"pagebreak\" role=\"doc-pagebreak\" id=\"");
        push_attr(&mut self.out, &id);
        self.out.push_str("\" aria-label=\"");
        push_attr(&mut self.out, label);
        self.out.push_str("\"></span>");
        self.breaks.placed.push(PlacedMark {
            seq: p.seq,
            label: label.to_string(),
            part: self.part,
            id,
        });
    }
}
