//! The typesetter: document model → positioned pages.
//!
//! fonts & shaping → paragraphs & line breaking → pagination → [`frame`].
//! Only this module decides where things go; the PDF writer only emits.

pub mod fonts;
pub mod frame;
pub mod hyphenate;
pub mod linebreak;
pub mod paragraph;
pub mod protrusion;
pub mod shape;

use std::path::PathBuf;

use crate::diag::{Diagnostic, StageResult};
use crate::model::Book;
use crate::toc::Toc;
use crate::units::Pt;

/// The font files of the book's families, all from `fonts/`.
#[derive(Debug, Clone, PartialEq)]
pub struct FontFiles {
    pub regular: PathBuf,
    pub italic: PathBuf,
    pub bold: PathBuf,
    pub bold_italic: PathBuf,
    pub mono: PathBuf,
}

/// Resolved PDF layout settings (from book.yaml's `pdf` section).
#[derive(Debug, Clone, PartialEq)]
pub struct PdfSettings {
    pub page_width: Pt,
    pub page_height: Pt,
    pub margin_top: Pt,
    pub margin_bottom: Pt,
    /// Margin on the binding side (left on recto pages).
    pub margin_inner: Pt,
    pub margin_outer: Pt,
    /// Body text size.
    pub font_size: Pt,
    /// Baseline-to-baseline distance of body text.
    pub leading: Pt,
    pub fonts: FontFiles,
}

/// The typesetter's result: pages plus what it noticed on the way.
#[derive(Debug, Clone)]
pub struct Typeset {
    pub document: frame::Document,
    /// Warnings (e.g. a word too long for the measure), with `file:line`.
    pub warnings: Vec<Diagnostic>,
}

/// Lays out the whole book.
pub fn typeset(_book: &Book, _toc: &Toc, _settings: &PdfSettings) -> StageResult<Typeset> {
    Err(Diagnostic::error("the typesetter is not written yet").into())
}
