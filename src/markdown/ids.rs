//! Ids: every heading (wherever it sits: a quote, a list, a table cell,
//! raw HTML), every anchor and every footnote gets an id unique across the
//! book and stable between builds.
//!
//! Ids the author wrote (`{#id}`, an HTML `id` or `name`) are claimed first,
//! so they win over generated ones wherever they appear; a duplicate gets a
//! suffix and a warning, an invalid one is replaced (headings) or dropped
//! (anchors) with a warning. Then headings without one get an id from their
//! text, and footnotes `fn-<chapter>-<n>`.

use std::cell::RefCell;

use crate::diag::{Diagnostic, SourceMap, Span};
use crate::ids::{is_valid_id, slugify, IdSet};
use crate::model::{plain_text, walk_mut, BlockKind, Chapter, InlineKind};

/// The ids taken so far, and the problems met taking them.
struct Claims<'a> {
    ids: IdSet,
    map: &'a SourceMap,
    problems: &'a mut Vec<Diagnostic>,
}

impl Claims<'_> {
    /// Claims an id the author wrote: false (and a warning) if it cannot
    /// be used; a taken one is renamed with a warning.
    fn claim(&mut self, id: &mut String, span: Span) -> bool {
        if !is_valid_id(id) {
            self.problems.push(
                Diagnostic::warning(format!("`{id}` is not a valid id; it is not used"))
                    .at(self.map.locate(span))
                    .with_hint(
                        "ids start with a letter and hold letters, digits, `-`, `_` and `.`",
                    ),
            );
            id.clear();
            return false;
        }
        if !self.ids.claim(id) {
            let new = self.ids.unique(id);
            self.problems.push(
                Diagnostic::warning(format!("id `{id}` is used twice; this one becomes `{new}`"))
                    .at(self.map.locate(span)),
            );
            *id = new;
        }
        true
    }
}

/// Gives every heading, anchor and footnote of the book its id.
pub fn assign(chapters: &mut [Chapter], map: &SourceMap, problems: &mut Vec<Diagnostic>) {
    let claims = RefCell::new(Claims {
        ids: IdSet::default(),
        map,
        problems,
    });
    // The author's ids first.
    for chapter in chapters.iter_mut() {
        let notes = chapter.footnotes.iter_mut().map(|n| &mut n.blocks);
        for blocks in std::iter::once(&mut chapter.blocks).chain(notes) {
            walk_mut(
                blocks,
                &mut |block| {
                    let span = block.span;
                    let mut c = claims.borrow_mut();
                    match &mut block.kind {
                        BlockKind::Heading(h) if !h.id.is_empty() => {
                            c.claim(&mut h.id, span);
                        }
                        BlockKind::Division(d) => {
                            if let Some(id) = &mut d.attrs.id {
                                if !c.claim(id, span) {
                                    d.attrs.id = None;
                                }
                            }
                        }
                        BlockKind::Math(f) => {
                            if let Some(id) = &mut f.id {
                                if !c.claim(id, span) {
                                    f.id = None;
                                }
                            }
                        }
                        _ => {}
                    }
                },
                &mut |run| {
                    let mut c = claims.borrow_mut();
                    run.retain_mut(|inline| {
                        let span = inline.span;
                        match &mut inline.kind {
                            InlineKind::Anchor(id) => c.claim(id, span),
                            InlineKind::Span { attrs, .. } => {
                                if let Some(id) = &mut attrs.id {
                                    if !c.claim(id, span) {
                                        attrs.id = None;
                                    }
                                }
                                true
                            }
                            _ => true,
                        }
                    });
                },
            );
        }
    }
    // Then ids from the headings' text, and the notes'; labelled
    // equations without a `\tag` are numbered through the book.
    let mut ids = claims.into_inner().ids;
    let mut equations = 0;
    for chapter in chapters.iter_mut() {
        let notes = chapter.footnotes.iter_mut().map(|n| &mut n.blocks);
        for blocks in std::iter::once(&mut chapter.blocks).chain(notes) {
            walk_mut(
                blocks,
                &mut |block| match &mut block.kind {
                    BlockKind::Heading(h) if h.id.is_empty() => {
                        h.id = ids.unique(&slugify(&plain_text(&h.content)));
                    }
                    BlockKind::Math(f) if f.id.is_some() && f.tag.is_none() => {
                        equations += 1;
                        f.tag = Some(equations.to_string());
                    }
                    _ => {}
                },
                &mut |_| {},
            );
        }
        for note in &mut chapter.footnotes {
            note.id = ids.unique(&format!("fn-{}-{}", chapter.slug, note.number));
        }
    }
}
