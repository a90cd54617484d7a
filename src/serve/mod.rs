//! The author's loop: `folio watch` and `folio serve`. Sits beside the
//! pipeline, not in it: it runs builds ([`rebuild`]) when the book's files
//! change ([`watch`]), and `serve` shows each build in a local preview page
//! ([`server`], [`page`]) that reloads itself.
//!
//! One build at a time, on the watching thread; the server only reads the
//! latest [`Snapshot`] (taken under a lock, swapped whole after each
//! build), so a page is never served half of one build and half of the
//! next. A failed build keeps the last good EPUB and PDF on show, with the
//! errors above them.

pub mod epub_view;
pub mod page;
pub mod rebuild;
pub mod server;
pub mod watch;

use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use crate::diag::render::Renderer;
use crate::diag::Diagnostic;

pub use rebuild::Rebuilder;

/// What `watch` and `serve` build, and where.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// The book folder (watched, everything in it but the output folder
    /// and hidden files).
    pub book_dir: PathBuf,
    /// Where the EPUB and PDF are written after each build.
    pub out_dir: PathBuf,
    /// `SOURCE_DATE_EPOCH`, as for `build`.
    pub source_date_epoch: Option<i64>,
}

/// One build as the preview shows it.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Counts builds, failed ones too: the page reloads when it changes.
    pub generation: u64,
    pub title: String,
    /// The EPUB's files by their path in the archive, and its chapters in
    /// reading order (from the last build that wrote an EPUB).
    pub epub: epub_view::EpubView,
    /// The PDF's bytes (from the last build that wrote one).
    pub pdf: Option<Arc<Vec<u8>>>,
    /// Diagnostics of the latest build, rendered as the terminal shows them
    /// (without colour, repeated kinds grouped); empty when there are none.
    pub errors: String,
    pub warnings: String,
    /// How long the latest build took.
    pub took: Duration,
}

impl Snapshot {
    /// The next snapshot after a build: its outputs when it wrote any, the
    /// previous ones otherwise, and its diagnostics.
    pub fn after(&self, result: &rebuild::Built) -> Snapshot {
        let render = |ds: &[Diagnostic]| Renderer::plain().render_all(ds);
        let mut next = Snapshot {
            generation: self.generation + 1,
            title: self.title.clone(),
            epub: self.epub.clone(),
            pdf: self.pdf.clone(),
            errors: render(&result.errors),
            warnings: render(&result.warnings),
            took: result.took,
        };
        if let Some(title) = &result.title {
            next.title = title.clone();
        }
        if let Some(epub) = &result.epub {
            match epub_view::EpubView::read(epub) {
                Ok(view) => next.epub = view,
                Err(e) => next
                    .errors
                    .push_str(&format!("error: the preview cannot read the EPUB: {e}\n")),
            }
        }
        if let Some(pdf) = &result.pdf {
            next.pdf = Some(Arc::new(pdf.clone()));
        }
        next
    }
}

/// The latest snapshot, shared by the builder (which replaces it) and the
/// server (which reads it and waits for the next).
#[derive(Debug, Default)]
pub struct Shared {
    latest: Mutex<Arc<Snapshot>>,
    changed: Condvar,
}

impl Shared {
    pub fn latest(&self) -> Arc<Snapshot> {
        self.latest.lock().map(|s| s.clone()).unwrap_or_default()
    }

    pub fn publish(&self, snapshot: Snapshot) {
        if let Ok(mut latest) = self.latest.lock() {
            *latest = Arc::new(snapshot);
        }
        self.changed.notify_all();
    }

    /// Waits until a snapshot newer than `generation` is published, or
    /// `timeout` passes; returns the latest generation.
    pub fn wait_newer(&self, generation: u64, timeout: Duration) -> u64 {
        let Ok(guard) = self.latest.lock() else {
            return generation;
        };
        match self
            .changed
            .wait_timeout_while(guard, timeout, |s| s.generation <= generation)
        {
            Ok((s, _)) => s.generation,
            Err(_) => generation,
        }
    }
}
