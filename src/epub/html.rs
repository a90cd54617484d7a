//! Raw HTML from the Markdown (`BlockKind::Html`, `InlineKind::Html`).
//!
//! For now it is dropped with a warning naming where it was; the state
//! kept here tracks raw elements left open so containers can close them.

use crate::diag::Span;

use super::xhtml::ChapterWriter;

/// Raw HTML elements currently open, innermost last, and the index where
/// the current container's own elements start.
#[derive(Debug, Default)]
pub struct HtmlState {
    open: Vec<String>,
    floor: usize,
}

impl HtmlState {
    /// Starts a container; returns what [`Self::leave`] needs to end it.
    pub fn enter(&mut self) -> usize {
        let saved = self.floor;
        self.floor = self.open.len();
        saved
    }

    /// Ends the current container: returns the names of the elements that
    /// must be closed now, innermost first.
    pub fn leave(&mut self, saved: usize) -> Vec<String> {
        let closing: Vec<String> = self.open.drain(self.floor..).rev().collect();
        self.floor = saved;
        closing
    }
}

impl ChapterWriter<'_, '_> {
    /// Handles one piece of raw HTML; `block` tells whether it stood as a
    /// block of its own or inside a paragraph.
    pub(super) fn raw_html(&mut self, html: &str, span: Span, block: bool) {
        if html.trim().is_empty() {
            return;
        }
        let what = if block { "HTML block" } else { "inline HTML" };
        self.warn(
            span,
            format!("{what} is not supported in the EPUB yet and was left out"),
        );
    }
}
