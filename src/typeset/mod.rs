//! The typesetter: document model → positioned pages.
//!
//! fonts & shaping → paragraphs & line breaking → pagination → [`frame`].
//! Only this module decides where things go; the PDF writer only emits.
//!
//! The page composer's parts, in the order they run: `compose` turns each
//! chapter into a vertical flow of unbreakable slabs (lines, headings,
//! table rows, figures) and the spaces between them, deciding where page
//! breaks are allowed (`table` sets tables, `image` reads image sizes);
//! `paginate` cuts a flow into pages on the baseline grid, with footnotes
//! at the foot of the citing page; `contents` sets the title page and the
//! contents; `assemble` puts it all in order with mirrored margins,
//! running heads, folios, resolved links, outline and page labels; and
//! [`report`] lists what could not be set well.

mod assemble;
mod compose;
mod contents;
mod flow;
pub mod fonts;
pub mod frame;
pub mod hyphenate;
mod image;
pub mod linebreak;
mod paginate;
pub mod paragraph;
pub mod protrusion;
pub mod report;
pub mod shape;
mod table;

use std::path::PathBuf;

use crate::diag::{Diagnostic, Diagnostics, StageResult};
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

/// Layout choices beyond book.yaml's `pdf` section (all have defaults).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayoutOptions {
    /// Start every chapter on a right-hand page, leaving a blank verso
    /// before it when needed.
    pub chapters_on_recto: bool,
}

/// The typesetter's result: pages plus what it noticed on the way.
#[derive(Debug, Clone)]
pub struct Typeset {
    pub document: frame::Document,
    /// Warnings (e.g. a word too long for the measure), with `file:line`.
    pub warnings: Vec<Diagnostic>,
    /// Typographic defects of the layout (overfull and loose lines, runs
    /// of hyphens, widows, orphans, stranded headings) with page and source.
    pub report: report::LayoutReport,
    /// Where each body page begins in the text (for the EPUB page-list).
    pub page_breaks: Vec<crate::model::PageBreak>,
}

/// Lays out the whole book with the default [`LayoutOptions`].
pub fn typeset(book: &Book, toc: &Toc, settings: &PdfSettings) -> StageResult<Typeset> {
    typeset_with(book, toc, settings, &LayoutOptions::default())
}

/// Lays out the whole book: title page, contents, then every chapter
/// composed into a flow of lines, paginated, and assembled with running
/// heads, folios, links, outline and page labels.
pub fn typeset_with(
    book: &Book,
    toc: &Toc,
    settings: &PdfSettings,
    options: &LayoutOptions,
) -> StageResult<Typeset> {
    let geo = flow::Geometry::new(settings).map_err(Diagnostics::from)?;
    let fonts = fonts::Fonts::load(&settings.fonts)?;
    let mut composer = compose::Composer::new(fonts, &geo, book);
    let flows: Vec<flow::Flow> = (0..book.chapters.len())
        .map(|i| composer.chapter(i))
        .collect();
    let assembled = assemble::assemble(&mut composer, book, toc, flows, options);
    Ok(Typeset {
        document: assembled.document,
        warnings: composer.warnings,
        report: assembled.report,
        page_breaks: assembled.page_breaks,
    })
}

#[cfg(test)]
mod tests;
