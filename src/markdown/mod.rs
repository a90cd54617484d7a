//! Markdown (and the raw HTML in it) → document model: the third stage,
//! and the only module that knows pulldown-cmark or HTML.
//!
//! [`parse_chapters`] reads each chapter's events once into blocks and
//! inlines ([`builder`], with [`html`] for raw HTML and [`text`] for what
//! the parser leaves as text), then gives every heading, anchor and
//! footnote a book-wide unique id ([`ids`]), and finally resolves links and
//! images against the book ([`resolve`]). Rust code blocks lose the lines
//! rustdoc hides ([`hidden`]). Problems are collected, not
//! thrown at the first one: errors fail the build, warnings are reported
//! alongside the result.

mod builder;
mod hidden;
mod html;
mod ids;
mod resolve;
mod text;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use pulldown_cmark::{Options, Parser as MdParser};

use crate::diag::{Diagnostic, Diagnostics, FileId, SourceFile, SourceMap, Span, StageResult};
use crate::ids::IdSet;
use crate::keep::{Copying, Kept};
use crate::model::Chapter;
use crate::source::Source;

pub use builder::MAX_NESTING;

/// The Markdown dialect Folio reads: CommonMark plus the extensions authors
/// expect from GitHub and Pandoc.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_MATH
        | Options::ENABLE_SUPERSCRIPT
        | Options::ENABLE_SUBSCRIPT
}

/// Parsed chapters plus the warnings met on the way.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub chapters: Vec<Chapter>,
    pub warnings: Vec<Diagnostic>,
}

/// Parses every chapter and resolves ids, links and images across the book.
pub fn parse_chapters(root: &Path, map: &SourceMap, sources: &[Source]) -> StageResult<Parsed> {
    parse_chapters_cached(root, map, sources, &mut Cache::default())
}

/// What one parse keeps for the next of the same book: each chapter text
/// as parsed, before ids and links are resolved across the book (which is
/// done again every time). [`Cache::default`] keeps nothing.
#[derive(Default)]
pub struct Cache {
    keep: bool,
    /// By the chapter's file: its text, and what it parsed into.
    built: BTreeMap<FileId, (Arc<SourceFile>, Kept<builder::Built>)>,
    copying: Copying<builder::Built>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("markdown::Cache")
            .field("keep", &self.keep)
            .field("chapters", &self.built.len())
            .finish()
    }
}

impl Cache {
    /// A cache that keeps each parse's chapters for the next.
    pub fn keeping() -> Cache {
        Cache {
            keep: true,
            ..Cache::default()
        }
    }

    /// Starts copying, on another thread, the chapters the next parse will
    /// take (see [`crate::keep`]).
    pub fn prepare(&mut self) {
        if self.keep {
            self.settle();
            self.copying = Copying::start(self.built.values().map(|(_, b)| Some(b)), Vec::new());
        }
    }

    /// Waits for the copies [`Cache::prepare`] started.
    pub fn settle(&mut self) {
        self.copying
            .finish(self.built.values_mut().map(|(_, b)| Some(b)));
    }
}

/// [`parse_chapters`], taking the chapters whose text is the same from
/// `cache`, and leaving this parse's there. The result is the same.
pub fn parse_chapters_cached(
    root: &Path,
    map: &SourceMap,
    sources: &[Source],
    cache: &mut Cache,
) -> StageResult<Parsed> {
    let mut problems = Vec::new();
    let mut chapters: Vec<Chapter> = Vec::new();
    let mut slugs = IdSet::default();
    cache.settle();
    let mut old = std::mem::take(&mut cache.built);
    for source in sources {
        let file = map.shared(source.file);
        let text = &file.text;
        let kept = match old.remove(&source.file) {
            Some((was, kept)) if was.text == *text => Some(kept),
            _ => None,
        };
        let built = match kept {
            Some(mut kept) => {
                let built = kept.take();
                cache.built.insert(source.file, (file.clone(), kept));
                built
            }
            None => {
                let built = build_chapter(source.file, text);
                if cache.keep {
                    cache
                        .built
                        .insert(source.file, (file.clone(), Kept::new(&built)));
                }
                built
            }
        };
        for note in built.notes {
            let mut d = Diagnostic::warning(note.warning).at(map.locate(note.span));
            if let Some(hint) = note.hint {
                d = d.with_hint(hint);
            }
            problems.push(d);
        }
        chapters.push(Chapter {
            path: source.relative.clone(),
            slug: slugs.unique(&chapter_slug(&source.relative)),
            title: source.title.clone(),
            depth: source.depth,
            blocks: built.blocks,
            footnotes: built.footnotes,
            span: Span::new(source.file, 0..text.len()),
        });
    }
    hidden::hide_rust_lines(&mut chapters);
    ids::assign(&mut chapters, map, &mut problems);
    resolve::resolve(root, &mut chapters, map, &mut problems);
    if problems.iter().any(Diagnostic::is_error) {
        return Err(Diagnostics(problems));
    }
    Ok(Parsed {
        chapters,
        warnings: problems,
    })
}

/// Byte offsets where the headings of the shallowest level a text uses
/// begin, outside block quotes and lists: where a one-file book is cut
/// into chapters.
pub fn top_heading_starts(text: &str) -> Vec<usize> {
    use pulldown_cmark::{Event, Tag, TagEnd};
    let mut found: Vec<(u8, usize)> = Vec::new();
    let mut nesting = 0usize;
    for (event, range) in MdParser::new_ext(text, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::BlockQuote(_) | Tag::List(_) | Tag::FootnoteDefinition(_)) => {
                nesting += 1
            }
            Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::FootnoteDefinition) => {
                nesting = nesting.saturating_sub(1)
            }
            Event::Start(Tag::Heading { level, .. }) if nesting == 0 => {
                found.push((level as u8, range.start))
            }
            _ => {}
        }
    }
    let top = found.iter().map(|(l, _)| *l).min().unwrap_or(1);
    found
        .into_iter()
        .filter(|(l, _)| *l == top)
        .map(|(_, at)| at)
        .collect()
}

/// One chapter's events through the builder.
fn build_chapter(file: FileId, text: &str) -> builder::Built {
    let mut b = builder::Builder::new(file, text);
    for (event, range) in MdParser::new_ext(text, options()).into_offset_iter() {
        b.event(event, range);
    }
    b.finish()
}

/// A chapter's output name from its path: `part1/02 Intro.md` → `part1-02-intro`.
fn chapter_slug(relative: &Path) -> String {
    let stem = relative.with_extension("");
    let mut slug = String::new();
    for c in stem.to_string_lossy().chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() {
        "chapter".to_string()
    } else {
        slug
    }
}
