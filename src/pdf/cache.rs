//! What one PDF written keeps for the next of the same book, so that after
//! an edit only the pages that changed are written and deflated again:
//!
//! - each page's content stream, deflated, with the marks and the glyph
//!   codes writing it gave, by [`content::page_key`] (the page's items
//!   and the state of the fonts before it): a page with the same key is
//!   not written again, its codes are handed out again in the same order
//!   ([`FontSet::replay`]), so the pages after it get the same codes too;
//! - every stream deflated (pages written again that came out the same,
//!   object streams, the cross-reference stream), by its bytes.
//!
//! Keys are 128 bits of FxHash (the items and the fonts' state); streams
//! are compared byte for byte.

use std::collections::HashMap;

use super::content::{self, page_key};
use super::encoding::Deflater;
use super::fonts::{Added, FontSet};
use super::images::ImageSet;
use super::{Compressor, Job};
use crate::diag::Diagnostic;
use crate::fonts::hash::FxBuild;
use crate::typeset::frame::{Item, NodeId, StructTree};
use crate::units::Pt;

/// See the module doc. [`Cache::default`] keeps nothing.
#[derive(Default)]
pub struct Cache {
    keep: bool,
    /// Pages the last file took from the one before.
    pub(crate) reused: usize,
    pages: HashMap<(u64, u64), Page, FxBuild>,
    streams: HashMap<Box<[u8]>, Vec<u8>, FxBuild>,
    /// What the last file was made from (its document, page by page), to
    /// be freed after the build.
    garbage: Vec<Box<dyn Send>>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("pdf::Cache")
            .field("keep", &self.keep)
            .field("pages", &self.pages.len())
            .field("streams", &self.streams.len())
            .finish()
    }
}

impl Cache {
    /// A cache that keeps each file's pages and streams for the next.
    pub fn keeping() -> Cache {
        Cache {
            keep: true,
            ..Cache::default()
        }
    }

    /// What the last file was made from, which it did not free while writing
    /// (freeing a book's glyph runs takes a while: a session frees them
    /// once the build is written).
    pub fn take_garbage(&mut self) -> Vec<Box<dyn Send>> {
        std::mem::take(&mut self.garbage)
    }
}

/// A page's content stream as written before.
struct Page {
    deflated: Vec<u8>,
    marks: Vec<NodeId>,
    /// What writing it did to the fonts (see [`FontSet::added_since`]).
    added: Added,
}

/// What [`content::write_page`] reads of a page, besides the fonts.
pub(super) struct PageIn<'a> {
    pub height: Pt,
    pub items: &'a [Item],
    pub images: &'a ImageSet,
    pub tree: &'a StructTree,
}

/// The [`page_key`] of every page of `pages` (heights and items), on two
/// threads: the second core has nothing else to do while the PDF is
/// written.
pub(super) fn page_keys(pages: &[(Pt, &[Item])], tree: &StructTree, images: &ImageSet) -> Vec<u64> {
    let keys = |part: &[(Pt, &[Item])]| -> Vec<u64> {
        part.iter()
            .map(|&(height, items)| page_key(height, items, tree, images))
            .collect()
    };
    let (first, second) = pages.split_at(pages.len() / 2);
    std::thread::scope(|scope| {
        let other = std::thread::Builder::new()
            .name("page-keys".into())
            .spawn_scoped(scope, || keys(second));
        let mut all = keys(first);
        match other {
            Ok(handle) => all.extend(
                handle
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e)),
            ),
            Err(_) => all.extend(keys(second)),
        }
        all
    })
}

/// One file's use of a [`Cache`]: what it takes from the last file and
/// what it leaves for the next.
pub(super) struct Reuse {
    keep: bool,
    reused: usize,
    old_pages: HashMap<(u64, u64), Page, FxBuild>,
    old_streams: HashMap<Box<[u8]>, Vec<u8>, FxBuild>,
    pages: HashMap<(u64, u64), Page, FxBuild>,
    streams: HashMap<Box<[u8]>, Vec<u8>, FxBuild>,
    /// Pages written afresh, waiting for their deflated streams: index,
    /// key, raw stream (when it is to be kept), marks, codes added.
    #[allow(clippy::type_complexity)]
    fresh: std::collections::VecDeque<(usize, Option<(u64, u64)>, Option<Box<[u8]>>, Page)>,
    garbage: Vec<Box<dyn Send>>,
}

impl Reuse {
    /// Whether pages are kept (then their keys are wanted).
    pub fn keeps(&self) -> bool {
        self.keep
    }

    pub fn start(cache: &mut Cache) -> Reuse {
        Reuse {
            keep: cache.keep,
            reused: 0,
            old_pages: std::mem::take(&mut cache.pages),
            old_streams: std::mem::take(&mut cache.streams),
            pages: HashMap::default(),
            streams: HashMap::default(),
            fresh: std::collections::VecDeque::new(),
            garbage: Vec::new(),
        }
    }

    /// Frees what is no longer needed (a page's items once written, the
    /// document once the file is), or keeps it for the session to free
    /// after the build ([`Cache::take_garbage`]).
    pub fn discard<T: Send + 'static>(&mut self, waste: T) {
        if self.keep {
            self.garbage.push(Box::new(waste));
        }
    }

    /// The content stream of page `index`: deflated already when the same
    /// page was written before (its codes handed out again and its marks
    /// put in `marks`), else written into a buffer of `compressor`'s.
    /// `items_key` is the page's [`page_key`], when the cache keeps pages.
    pub fn content(
        &mut self,
        page: &PageIn<'_>,
        items_key: Option<u64>,
        fonts: &mut FontSet<'_>,
        compressor: &mut Compressor,
        marks: &mut Vec<NodeId>,
        index: usize,
    ) -> Result<Job, Diagnostic> {
        let key = items_key
            .filter(|_| self.keep)
            .map(|k| (k, fonts.fingerprint()));
        if let Some((key, old)) = key.and_then(|k| self.old_pages.remove_entry(&k)) {
            fonts.replay(&old.added)?;
            marks.clone_from(&old.marks);
            let job = Job::Ready(old.deflated.clone());
            self.pages.insert(key, old);
            self.reused += 1;
            return Ok(job);
        }
        let counts = if self.keep {
            fonts.counts()
        } else {
            Vec::new()
        };
        let mut buf = compressor.buffer();
        content::write_page(
            &mut buf,
            page.height,
            page.items,
            fonts,
            page.images,
            page.tree,
            marks,
        )?;
        if !self.keep {
            return Ok(Job::Raw(buf));
        }
        // A page whose codes cannot be replayed is not kept.
        let (key, added) = match fonts.added_since(&counts) {
            Some(added) => (key, added),
            None => (None, Vec::new()),
        };
        let page = Page {
            deflated: Vec::new(),
            marks: marks.clone(),
            added,
        };
        if let Some((raw, deflated)) = self.old_streams.remove_entry(buf.as_slice()) {
            let job = Job::Ready(deflated.clone());
            compressor.give_back(buf);
            self.fresh.push_back((index, key, None, page));
            self.streams.insert(raw, deflated);
            return Ok(job);
        }
        self.fresh
            .push_back((index, key, Some(buf.as_slice().into()), page));
        Ok(Job::Raw(buf))
    }

    /// Takes note of page `index`'s deflated content stream (pages come in
    /// order).
    pub fn deflated_page(&mut self, index: usize, deflated: &[u8]) {
        while self.fresh.front().is_some_and(|f| f.0 < index) {
            self.fresh.pop_front();
        }
        if self.fresh.front().is_none_or(|f| f.0 != index) {
            return;
        }
        let Some((_, key, raw, mut page)) = self.fresh.pop_front() else {
            return;
        };
        if let Some(raw) = raw {
            self.streams.insert(raw, deflated.to_vec());
        }
        if let Some(key) = key {
            page.deflated = deflated.to_vec();
            self.pages.insert(key, page);
        }
    }

    /// `data` deflated: as before if it was deflated before.
    pub fn deflate(&mut self, data: &[u8], deflater: &mut Deflater) -> Vec<u8> {
        if !self.keep {
            return deflater.deflate(data);
        }
        let (raw, deflated) = self
            .old_streams
            .remove_entry(data)
            .unwrap_or_else(|| (data.into(), deflater.deflate(data)));
        let out = deflated.clone();
        self.streams.insert(raw, deflated);
        out
    }

    /// Leaves this file's pages and streams in `cache` for the next.
    pub fn finish(self, cache: &mut Cache) {
        cache.reused = self.reused;
        if self.keep {
            cache.pages = self.pages;
            cache.streams = self.streams;
            cache.garbage = self.garbage;
        }
    }
}
