//! EPUB 3 writer: model + TOC → `.epub` bytes (XHTML chapters, CSS, nav and
//! NCX through epub-builder, then a deterministic re-zip).

use std::path::PathBuf;

use crate::diag::{Diagnostic, StageResult};
use crate::model::Book;
use crate::toc::Toc;

/// Resolved EPUB settings (from book.yaml's `epub` section).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EpubSettings {
    /// Extra stylesheet appended after Folio's own (absolute path, checked to exist).
    pub stylesheet: Option<PathBuf>,
}

/// Writes the book as EPUB 3 bytes.
pub fn write_epub(
    _book: &Book,
    _toc: &Toc,
    _settings: &EpubSettings,
) -> StageResult<(Vec<u8>, Vec<Diagnostic>)> {
    Err(Diagnostic::error("the EPUB writer is not written yet").into())
}
