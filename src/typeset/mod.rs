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
//! running heads, folios, resolved links, outline and page labels, with
//! `tagging` giving every item its place in the logical structure; and
//! [`report`] lists what could not be set well.
//!
//! Chapters are composed independently, so they are composed on several
//! threads ([`LayoutOptions::threads`]), each with its own fork of the
//! fonts and caches, and merged in book order: paragraph numbers and
//! warnings come out as if composed one after the other, and the pages are
//! the same for any number of threads. [`Timings`] says where the time went.

mod assemble;
pub mod bidi;
pub(crate) mod cjk;
mod code;
pub mod code_theme;
mod compose;
mod contents;
mod display_math;
mod flow;
pub mod fonts;
pub mod frame;
pub mod hyphenate;
pub mod linebreak;
mod math;
mod paginate;
pub mod paragraph;
pub mod protrusion;
pub mod report;
pub(crate) mod segment;
pub mod settings;
mod table;
mod tagging;

/// Shaping moved to the font layer; kept reachable here for the
/// typesetter's stages.
pub use crate::fonts::shape;
/// The book's font files (they belong to the font layer).
pub use crate::fonts::FontFiles;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::diag::{Diagnostic, Diagnostics, StageResult};
use crate::model::Book;
use crate::toc::Toc;
use crate::units::Pt;

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
    /// Font expansion of justified text, as a fraction (0.02 = letters up
    /// to 2% wider or narrower); 0 turns it off.
    pub font_expansion: f64,
    /// Open every chapter on a right-hand page, leaving a blank verso
    /// before it when needed.
    pub chapters_on_recto: bool,
    /// The PDF standard to write (not used by the layout).
    pub standard: crate::config::PdfStandard,
    pub fonts: FontFiles,
    /// Where fallback finds fonts for what the book's faces lack, and the
    /// fonts book.yaml names per script.
    pub fallback: crate::fonts::FallbackSettings,
    /// Whether text no font has fails the build or only warns.
    pub missing_glyphs: crate::fonts::MissingGlyphPolicy,
    /// Colours of highlighted code (`code-theme`); `None`: code in black.
    pub code_palette: Option<code_theme::Palette>,
    /// How links' web addresses are printed.
    pub link_urls: LinkUrls,
}

/// How the PDF prints the web address of a link whose text is not its
/// address: a reader of paper cannot click.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LinkUrls {
    /// In a note at the page foot marked with a letter (`a`, `b`…, per
    /// chapter), as printed books do; in notes themselves, inline.
    #[default]
    Footnote,
    /// In parentheses after the link text.
    Inline,
    /// Not at all.
    None,
}

/// Layout choices beyond book.yaml's `pdf` section (all have defaults).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayoutOptions {
    /// Threads to compose chapters on; 0 means one per core (at most
    /// [`MAX_COMPOSE_THREADS`]). The layout is the same for any number.
    pub threads: usize,
}

/// Most threads chapters are composed on. Each has its own shaping and
/// hyphenation caches (a few MB); past a handful of threads the
/// sequential steps (pagination, assembly, PDF writing) dominate anyway.
pub const MAX_COMPOSE_THREADS: usize = 8;

impl LayoutOptions {
    /// Threads to compose `chapters` chapters on.
    fn compose_threads(&self, chapters: usize) -> usize {
        let wanted = match self.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        wanted.min(MAX_COMPOSE_THREADS).min(chapters).max(1)
    }
}

/// How long the typesetter's stages took. `shaping`, `line_breaking` and
/// `line_setting` add up the time of every thread that composed
/// chapters, so on several threads they can exceed `composition`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timings {
    /// Paragraph text → shaped, hyphenated boxes and glue (word-cache
    /// lookups, shaping new words, hyphenation, break opportunities).
    pub shaping: Duration,
    /// Choosing the line breaks of paragraphs.
    pub line_breaking: Duration,
    /// Placing the glyphs of the chosen lines.
    pub line_setting: Duration,
    /// Composing every chapter into a flow (wall time; includes the
    /// three above for the body).
    pub composition: Duration,
    /// Cutting the chapters' flows into pages.
    pub pagination: Duration,
    /// Front matter and contents, running heads, folios, links, outline,
    /// report: the rest of assembly.
    pub assembly: Duration,
    /// Threads the chapters were composed on.
    pub threads: usize,
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
    /// Where the time went.
    pub timings: Timings,
    /// Text no font has: one diagnostic per script, errors unless
    /// book.yaml's `pdf.missing-glyphs` is `warn` (see
    /// [`crate::fonts::MissingGlyphs`]). They concern the PDF only.
    pub missing_glyphs: Vec<Diagnostic>,
    /// The fallback faces used and the scripts each set, for the build's
    /// report of the fonts it chose.
    pub fonts_used: Vec<crate::fonts::FontUse>,
    /// What was synthesized (bold or italic of a family without them).
    pub font_notes: Vec<String>,
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
    typeset_with_hook(book, toc, settings, options, &mut |_| {})
}

/// [`typeset_with`], calling `page_breaks_ready` with
/// [`Typeset::page_breaks`] as soon as they are known, after pagination and
/// before the pages are finished, so the EPUB can be written meanwhile.
pub fn typeset_with_hook(
    book: &Book,
    toc: &Toc,
    settings: &PdfSettings,
    options: &LayoutOptions,
    page_breaks_ready: &mut dyn FnMut(&[crate::model::PageBreak]),
) -> StageResult<Typeset> {
    let mut geo = flow::Geometry::new(settings).map_err(Diagnostics::from)?;
    geo.rtl = bidi::language_is_rtl(&book.meta.language);
    let fonts = fonts::Fonts::load(&settings.fonts, &settings.fallback, &book.meta.language)?;
    let mut composer = compose::Composer::new(fonts, &geo, book);
    let mut timings = Timings::default();
    let started = Instant::now();
    let chapters = book.chapters.len();
    let threads = options.compose_threads(chapters);
    let flows: Vec<flow::Flow> = if threads == 1 {
        (0..chapters).map(|i| composer.chapter(i)).collect()
    } else {
        compose_in_parallel(&mut composer, chapters, threads, &mut timings)
    };
    timings.composition = started.elapsed();
    timings.threads = threads;
    let assembled = assemble::assemble(
        &mut composer,
        book,
        toc,
        flows,
        &mut timings,
        page_breaks_ready,
    );
    // Characters met only in running heads or the front matter.
    composer.warn_missing_glyphs(None);
    let own = composer.fonts.timings;
    timings.shaping += own.shaping;
    timings.line_breaking += own.line_breaking;
    timings.line_setting += own.line_setting;
    let mut document = assembled.document;
    put_fonts_in_order(&mut document, &composer.fonts.canonical_order());
    let missing_glyphs = composer
        .fonts
        .missing_glyphs
        .diagnostics(settings.missing_glyphs, |span| compose::locate(book, span));
    let (font_notes, font_problems) = composer.fonts.notes();
    let mut warnings = composer.warnings;
    warnings.extend(font_problems);
    Ok(Typeset {
        document,
        warnings,
        report: assembled.report,
        page_breaks: assembled.page_breaks,
        timings,
        missing_glyphs,
        fonts_used: composer.fonts.fallback_uses(),
        font_notes,
    })
}

/// Writes the document's fonts in `order` (`order[new] = old`, see
/// [`crate::fonts::FontSet::canonical_order`]) and renumbers the runs: the
/// threads that composed chapters loaded fallback faces in whatever order
/// they met them, the PDF must not depend on it.
fn put_fonts_in_order(document: &mut frame::Document, order: &[usize]) {
    if order.iter().enumerate().all(|(new, &old)| new == old) {
        return;
    }
    let mut new_of = vec![0; order.len()];
    for (new, &old) in order.iter().enumerate() {
        new_of[old] = new;
    }
    let fonts = std::mem::take(&mut document.fonts);
    document.fonts = order
        .iter()
        .filter_map(|&old| fonts.get(old).cloned())
        .collect();
    for page in &mut document.pages {
        for item in &mut page.items {
            if let frame::Item::Text(run) = item {
                if let Some(&new) = new_of.get(run.font.0) {
                    run.font = frame::FontId(new);
                }
            }
        }
    }
}

/// Composes the chapters on `threads` threads (this one and forks of
/// `composer`), each taking the next chapter not yet taken, and merges
/// them in book order: the flows, paragraph numbers and warnings are
/// those of composing one chapter after the other.
fn compose_in_parallel(
    composer: &mut compose::Composer<'_>,
    chapters: usize,
    threads: usize,
    timings: &mut Timings,
) -> Vec<flow::Flow> {
    let next = AtomicUsize::new(0);
    let work = |c: &mut compose::Composer<'_>| {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= chapters {
                return done;
            }
            done.push((i, c.compose_alone(i)));
        }
    };
    let forks: Vec<compose::Composer<'_>> = (1..threads).map(|_| composer.fork()).collect();
    let mut composed = std::thread::scope(|scope| {
        let helpers: Vec<_> = forks
            .into_iter()
            .map(|mut fork| {
                scope.spawn(move || {
                    let done = work(&mut fork);
                    let missing = std::mem::take(&mut fork.fonts.missing_glyphs);
                    (done, fork.fonts.timings, missing)
                })
            })
            .collect();
        let mut all = work(composer);
        for helper in helpers {
            // A panic in a helper is a bug; pass it on as one.
            let (done, t, missing) = helper
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            all.extend(done);
            composer.fonts.missing_glyphs.merge(missing);
            timings.shaping += t.shaping;
            timings.line_breaking += t.line_breaking;
            timings.line_setting += t.line_setting;
        }
        all
    });
    composed.sort_by_key(|(i, _)| *i);
    composed
        .into_iter()
        .map(|(_, chapter)| composer.adopt(chapter))
        .collect()
}

#[cfg(test)]
mod tests;
