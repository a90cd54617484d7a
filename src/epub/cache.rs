//! What one EPUB written keeps for the next of the same book, so that after
//! an edit only what changed is written again: the cover, each chapter's
//! XHTML (as measured for the split plan, and as written), and the files
//! of the container deflated ([`ocf::Cache`]).
//!
//! A chapter's XHTML is a function of its model, the files it was read
//! from (diagnostics quote them), the book's metadata, the layout (every
//! chapter's files and where each id lives, for links), the stylesheets,
//! highlighting, and its page breaks; it is taken from here only when all
//! of these are equal. A chapter that asks for images is always written
//! again (the image store names them in the order they are met).

use std::sync::Arc;

use super::images::ImageStore;
use super::layout::Layout;
use super::ocf;
use super::package::Resource;
use super::xhtml::ChapterOutput;
use super::EpubSettings;
use crate::diag::{same_files, Diagnostic, SourceFile};
use crate::model::{Book, Chapter, Metadata, PageBreak};

/// See the module doc. [`Cache::default`] keeps nothing.
#[derive(Default)]
pub struct Cache {
    keep: bool,
    pub(super) container: ocf::Cache,
    cover: Option<(CoverKey, (Resource, String))>,
    /// Chapters as measured for the split plan (no page breaks).
    pub(super) measured: Pass,
    /// Chapters as written.
    pub(super) written: Pass,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("epub::Cache")
            .field("keep", &self.keep)
            .field("container", &self.container)
            .finish()
    }
}

impl Cache {
    /// A cache that keeps each EPUB's parts for the next.
    pub fn keeping() -> Cache {
        Cache {
            keep: true,
            container: ocf::Cache::keeping(),
            cover: None,
            measured: Pass {
                keep: true,
                ..Pass::default()
            },
            written: Pass {
                keep: true,
                ..Pass::default()
            },
        }
    }

    /// The cover and its page, as made before for the same inputs, or made
    /// by `make` now.
    pub(super) fn cover(
        &mut self,
        book: &Book,
        settings: &EpubSettings,
        stylesheets: &[String],
        make: impl FnOnce() -> Result<(Resource, String), Diagnostic>,
    ) -> Result<(Resource, String), Diagnostic> {
        if !self.keep {
            return make();
        }
        let key = CoverKey {
            meta: without_date(&book.meta),
            // An image of the author's is read again: it may have changed.
            file: book
                .meta
                .cover
                .as_ref()
                .and_then(|p| crate::source::files::read(p).ok()),
            settings: settings.clone(),
            stylesheets: stylesheets.to_vec(),
        };
        if let Some((k, made)) = &self.cover {
            if *k == key {
                return Ok(made.clone());
            }
        }
        let made = make()?;
        self.cover = Some((key, made.clone()));
        Ok(made)
    }
}

#[derive(PartialEq)]
struct CoverKey {
    meta: Metadata,
    file: Option<std::sync::Arc<Vec<u8>>>,
    settings: EpubSettings,
    stylesheets: Vec<String>,
}

/// The book's metadata without the modification date, which no chapter
/// or cover shows and which changes with every edit.
fn without_date(meta: &Metadata) -> Metadata {
    Metadata {
        modified_epoch: 0,
        ..meta.clone()
    }
}

/// One pass over the chapters: what every chapter gave, and what they all
/// shared.
#[derive(Default)]
pub(super) struct Pass {
    keep: bool,
    /// What the chapters were written in.
    context: Option<Context>,
    chapters: Vec<Option<Written>>,
}

#[derive(Clone, PartialEq)]
struct Context {
    meta: Metadata,
    layout: Layout,
    stylesheets: Vec<String>,
    highlight: bool,
}

/// A chapter as written, with what it was written from.
struct Written {
    chapter: Chapter,
    files: Vec<Arc<SourceFile>>,
    breaks: Vec<(usize, PageBreak)>,
    output: ChapterOutput,
    diags: Vec<Diagnostic>,
}

impl Pass {
    /// Starts a pass in this context: chapters written in another are
    /// forgotten.
    pub fn begin(&mut self, book: &Book, layout: &Layout, stylesheets: &[String], highlight: bool) {
        if !self.keep {
            return;
        }
        let context = Context {
            meta: without_date(&book.meta),
            layout: layout.clone(),
            stylesheets: stylesheets.to_vec(),
            highlight,
        };
        if self.context.as_ref() != Some(&context) {
            self.chapters.clear();
            self.context = Some(context);
        }
        self.chapters.truncate(book.chapters.len());
    }

    /// Chapter `index` as `write` writes it with `images` and `diags`, or
    /// as it was written before in the same context with the same page
    /// `breaks` (the whole book's), with the diagnostics writing it gave.
    /// A chapter that asked for images is not kept.
    pub fn chapter(
        &mut self,
        book: &Book,
        index: usize,
        breaks: &[PageBreak],
        images: &mut ImageStore,
        diags: &mut Vec<Diagnostic>,
        write: impl FnOnce(&mut ImageStore, &mut Vec<Diagnostic>) -> ChapterOutput,
    ) -> ChapterOutput {
        if let Some((output, said)) = self.get(book, index, breaks) {
            diags.extend(said);
            return output;
        }
        let (asked, said) = (images.asked, diags.len());
        let output = write(images, diags);
        if images.asked == asked {
            self.put(book, index, breaks, &output, &diags[said..]);
        }
        output
    }

    fn get(
        &self,
        book: &Book,
        index: usize,
        breaks: &[PageBreak],
    ) -> Option<(ChapterOutput, Vec<Diagnostic>)> {
        let w = self.chapters.get(index)?.as_ref()?;
        let chapter = book.chapters.get(index)?;
        let same = w.chapter == *chapter
            && w.breaks
                .iter()
                .map(|(s, b)| (*s, b))
                .eq(of_chapter(breaks, index))
            && same_files(&w.files, &book.sources.files_of(chapter.span.file));
        same.then(|| (w.output.clone(), w.diags.clone()))
    }

    /// Remembers chapter `index` as written in this pass.
    fn put(
        &mut self,
        book: &Book,
        index: usize,
        breaks: &[PageBreak],
        output: &ChapterOutput,
        diags: &[Diagnostic],
    ) {
        let Some(chapter) = book.chapters.get(index).filter(|_| self.keep) else {
            return;
        };
        if self.chapters.len() < book.chapters.len() {
            self.chapters.resize_with(book.chapters.len(), || None);
        }
        self.chapters[index] = Some(Written {
            chapter: chapter.clone(),
            files: book.sources.files_of(chapter.span.file),
            breaks: of_chapter(breaks, index)
                .map(|(s, b)| (s, b.clone()))
                .collect(),
            output: output.clone(),
            diags: diags.to_vec(),
        });
    }
}

/// The page breaks of chapter `index`, with their places in the book's.
fn of_chapter(breaks: &[PageBreak], index: usize) -> impl Iterator<Item = (usize, &PageBreak)> {
    breaks
        .iter()
        .enumerate()
        .filter(move |(_, b)| b.chapter == index)
}
