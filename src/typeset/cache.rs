//! What one typesetting run keeps for the next run of the same book
//! (see [`crate::Session`]): the fonts with their shaped-word and
//! hyphenation caches, and every chapter as composed, keyed by what it was
//! composed from.
//!
//! Each chapter's pages are kept too, for a first page on a recto or a
//! verso, and taken when the chapter is the same and opens on the same
//! hand (pagination depends on nothing else).
//!
//! A chapter's composition is a function of its model, the source files
//! its spans point into (warnings quote them), the book's metadata and the
//! PDF settings; an entry is used only when all of these are equal to the
//! run's. Font ids in a composed chapter index the fonts it was composed
//! with, so entries live and die with the fonts: both are dropped when the
//! settings change, and when fallback chose faces (which face fallback
//! picks may depend on what it met first, and a cold build must pick the
//! same).

use std::sync::Arc;

use crate::diag::{same_files, SourceFile};
use crate::model::{Book, Chapter, Metadata};

use super::compose::{ChapterFacts, ComposedChapter};
use super::flow::Flow;
use super::fonts::Fonts;
use super::paginate::BodyPage;
use super::tagging::FlowNodes;
use super::PdfSettings;
use crate::keep::{Copying, Kept};

/// See the module doc. [`Cache::default`] keeps nothing (a one-off
/// build); [`Cache::keeping`] keeps what a run made for the next.
#[derive(Default)]
pub struct Cache {
    keep: bool,
    /// What the fonts and chapters were made with.
    key: Option<Key>,
    fonts: Option<Fonts>,
    chapters: Vec<Option<Entry>>,
    /// Copies of the chapters' pages to hand out next run, being made on
    /// another thread while the author writes (see [`Cache::prepare`]).
    copying: Copying<Vec<BodyPage>>,
    /// Chapters taken from the cache by the last run.
    pub(crate) reused: usize,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("typeset::Cache")
            .field("keep", &self.keep)
            .field("fonts", &self.fonts.is_some())
            .field("chapters", &self.chapters.iter().flatten().count())
            .finish()
    }
}

/// The settings a cache's fonts and chapters belong to.
#[derive(Clone, PartialEq)]
struct Key {
    settings: PdfSettings,
    /// The book's metadata, its modification date left out (the
    /// typesetter does not read it, and it changes with every edit).
    meta: Metadata,
    /// Size and modification time of each of the book's font files.
    font_files: Vec<Option<(u64, std::time::SystemTime)>>,
}

impl Key {
    fn of(book: &Book, settings: &PdfSettings) -> Key {
        let f = &settings.fonts;
        Key {
            settings: settings.clone(),
            meta: Metadata {
                modified_epoch: 0,
                ..book.meta.clone()
            },
            font_files: [&f.regular, &f.italic, &f.bold, &f.bold_italic, &f.mono]
                .iter()
                .map(|p| {
                    let m = std::fs::metadata(p).ok()?;
                    Some((m.len(), m.modified().ok()?))
                })
                .collect(),
        }
    }
}

/// One chapter as composed, with what it was composed from, and as
/// paginated.
struct Entry {
    chapter: Chapter,
    files: Vec<Arc<SourceFile>>,
    facts: ChapterFacts,
    /// The flow as composed (paragraphs numbered from 1).
    flow: Arc<Flow>,
    paged: Option<Paged>,
}

/// A chapter's pages as paginated in the last run.
struct Paged {
    /// What its paragraph numbers were shifted by.
    base: usize,
    first_is_recto: bool,
    nodes: FlowNodes,
    pages: Kept<Vec<BodyPage>>,
}

/// A chapter taken from the cache.
pub(crate) struct Hit {
    pub facts: ChapterFacts,
    pub flow: Arc<Flow>,
    /// Its pages, if it was paginated: for a first page on a recto or
    /// not, with paragraph numbers shifted by `base`.
    pub paged: Option<PagedHit>,
}

pub(crate) struct PagedHit {
    pub base: usize,
    pub first_is_recto: bool,
    pub nodes: FlowNodes,
    pub pages: Vec<BodyPage>,
}

impl Cache {
    /// A cache that keeps what each run made for the next.
    pub fn keeping() -> Cache {
        Cache {
            keep: true,
            ..Cache::default()
        }
    }

    /// Whether the run keeps what it makes.
    pub(crate) fn keeps(&self) -> bool {
        self.keep
    }

    /// The run's fonts: the cached ones when the settings are the same,
    /// else none (and the chapters composed with other fonts are
    /// forgotten).
    pub(crate) fn begin(&mut self, book: &Book, settings: &PdfSettings) -> Option<Fonts> {
        self.reused = 0;
        if !self.keep {
            return None;
        }
        self.take_spares();
        let key = Key::of(book, settings);
        if self.key.as_ref() != Some(&key) {
            self.fonts = None;
            self.chapters.clear();
            self.key = Some(key);
        }
        let mut fonts = self.fonts.take()?;
        fonts.begin_run();
        Some(fonts)
    }

    /// Chapter `index` as composed (and paginated) before, if it is the
    /// same chapter read from the same files.
    pub(crate) fn chapter(&mut self, book: &Book, index: usize) -> Option<Hit> {
        let chapter = book.chapters.get(index)?;
        let entry = self.chapters.get_mut(index)?.as_mut()?;
        let same = entry.chapter == *chapter
            && same_files(&book.sources.files_of(chapter.span.file), &entry.files);
        if !same {
            return None;
        }
        self.reused += 1;
        Some(Hit {
            facts: entry.facts.clone(),
            flow: Arc::clone(&entry.flow),
            paged: entry.paged.as_mut().map(|p| PagedHit {
                base: p.base,
                first_is_recto: p.first_is_recto,
                nodes: p.nodes.clone(),
                pages: p.pages.take(),
            }),
        })
    }

    /// Remembers chapter `index` as composed this run.
    pub(crate) fn store(&mut self, book: &Book, index: usize, composed: &ComposedChapter) {
        if !self.keep {
            return;
        }
        let Some(chapter) = book.chapters.get(index) else {
            return;
        };
        if self.chapters.len() < book.chapters.len() {
            self.chapters.resize_with(book.chapters.len(), || None);
        }
        self.chapters[index] = Some(Entry {
            chapter: chapter.clone(),
            files: book.sources.files_of(chapter.span.file),
            facts: composed.facts.clone(),
            flow: Arc::new(composed.flow.clone()),
            paged: None,
        });
    }

    /// Remembers the pages of chapter `index` as paginated this run, its
    /// paragraph numbers shifted by `base`.
    pub(crate) fn store_pages(
        &mut self,
        index: usize,
        base: usize,
        first_is_recto: bool,
        nodes: FlowNodes,
        pages: Vec<BodyPage>,
    ) {
        if let Some(Some(entry)) = self.chapters.get_mut(index) {
            entry.paged = Some(Paged {
                base,
                first_is_recto,
                nodes,
                pages: Kept::of(pages),
            });
        }
    }

    /// Waits for the copies [`Cache::prepare`] set to make, and puts them
    /// in place.
    fn take_spares(&mut self) {
        self.copying.finish(self.chapters.iter_mut().map(|e| {
            e.as_mut()
                .and_then(|e| e.paged.as_mut())
                .map(|p| &mut p.pages)
        }));
    }

    /// Ends a run: keeps its fonts for the next, unless fallback chose
    /// faces beyond the book's own and Folio's math font (then the next
    /// run starts afresh, as a cold build would).
    pub(crate) fn finish(&mut self, book: &Book, fonts: Fonts) {
        if !self.keep {
            return;
        }
        self.chapters.truncate(book.chapters.len());
        if fonts.only_own_faces() {
            self.fonts = Some(fonts);
        } else {
            self.fonts = None;
            self.chapters.clear();
        }
    }

    /// Starts making, on another thread, the copies of the chapters' pages
    /// the next run will take (so that it does not copy them then), and
    /// frees `garbage` there first. Called once the build is written: the
    /// copies are made while the author writes.
    pub fn prepare(&mut self, garbage: Vec<Box<dyn Send>>) {
        if !self.keep {
            return;
        }
        self.take_spares();
        self.copying = Copying::start(
            self.chapters
                .iter()
                .map(|e| e.as_ref().and_then(|e| e.paged.as_ref()).map(|p| &p.pages)),
            garbage,
        );
    }

    /// Waits until the copies for the next run are made (see
    /// [`Cache::prepare`]), as an author's pause between saves would.
    pub(crate) fn settle(&mut self) {
        self.take_spares();
    }
}
