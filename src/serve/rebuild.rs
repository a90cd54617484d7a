//! One build after another of the same book: the output folder gets the
//! same files a cold `folio build` writes, and the preview gets their bytes
//! and the diagnostics.

use std::time::{Duration, Instant};

use crate::diag::Diagnostic;
use crate::{BuildOptions, Formats};

use super::WatchOptions;

/// What one build gave.
#[derive(Debug, Clone, Default)]
pub struct Built {
    /// The book's title, when its config could be read.
    pub title: Option<String>,
    /// The EPUB and PDF written, when the build succeeded.
    pub epub: Option<Vec<u8>>,
    pub pdf: Option<Vec<u8>>,
    /// Where they were written.
    pub written: Vec<std::path::PathBuf>,
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
    pub took: Duration,
}

impl Built {
    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Builds the book again and again, keeping what a build can reuse.
#[derive(Debug)]
pub struct Rebuilder {
    options: BuildOptions,
    session: crate::Session,
}

impl Rebuilder {
    pub fn new(watch: &WatchOptions) -> Rebuilder {
        Rebuilder {
            options: BuildOptions {
                book_dir: watch.book_dir.clone(),
                out_dir: watch.out_dir.clone(),
                formats: Formats::default(),
                source_date_epoch: watch.source_date_epoch,
                strict: false,
                report: None,
                threads: 0,
                deny_warnings: false,
            },
            session: crate::Session::new(),
        }
    }

    /// Builds the book now, writing the EPUB and PDF as `folio build` does.
    pub fn build(&mut self) -> Built {
        let start = Instant::now();
        let mut built = Built::default();
        match crate::build_in(&mut self.session, &self.options, &()) {
            Ok(mut outputs) => {
                built.title = Some(std::mem::take(&mut outputs.title));
                for (path, bytes) in std::mem::take(&mut outputs.written) {
                    if outputs.epub.as_ref() == Some(&path) {
                        built.epub = Some(bytes);
                    } else if outputs.pdf.as_ref() == Some(&path) {
                        built.pdf = Some(bytes);
                    }
                    built.written.push(path);
                }
                built.warnings = outputs.warnings;
            }
            Err(diags) => {
                let (errors, warnings) = diags.0.into_iter().partition(Diagnostic::is_error);
                built.errors = errors;
                built.warnings = warnings;
            }
        }
        built.took = start.elapsed();
        built
    }
}
