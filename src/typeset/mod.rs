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
mod cache;
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

pub use cache::Cache;

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
    typeset_cached(
        book,
        toc,
        settings,
        options,
        &mut Cache::default(),
        page_breaks_ready,
    )
}

/// [`typeset_with_hook`], taking what it can from `cache` (the fonts and
/// their caches, chapters composed before) and leaving there what the next
/// run of the same book can use. The result is the same as without.
pub fn typeset_cached(
    book: &Book,
    toc: &Toc,
    settings: &PdfSettings,
    options: &LayoutOptions,
    cache: &mut Cache,
    page_breaks_ready: &mut dyn FnMut(&[crate::model::PageBreak]),
) -> StageResult<Typeset> {
    let mut geo = flow::Geometry::new(settings).map_err(Diagnostics::from)?;
    geo.rtl = bidi::language_is_rtl(&book.meta.language);
    let fonts = match cache.begin(book, settings) {
        Some(fonts) => fonts,
        None => fonts::Fonts::load(&settings.fonts, &settings.fallback, &book.meta.language)?,
    };
    let mut composer = compose::Composer::new(fonts, &geo, book);
    let mut timings = Timings::default();
    let started = Instant::now();
    let chapters = book.chapters.len();
    let mut hits: Vec<Option<cache::Hit>> = (0..chapters).map(|i| cache.chapter(book, i)).collect();
    let to_compose: Vec<usize> = (0..chapters).filter(|&i| hits[i].is_none()).collect();
    let threads = options.compose_threads(to_compose.len());
    let fresh: Vec<(usize, compose::ComposedChapter)> = if threads == 1 {
        to_compose
            .iter()
            .map(|&i| (i, composer.compose_alone(i)))
            .collect()
    } else {
        compose_in_parallel(&mut composer, &to_compose, threads, &mut timings)
    };
    let mut composed: Vec<Option<compose::ComposedChapter>> = (0..chapters).map(|_| None).collect();
    for (i, chapter) in fresh {
        composed[i] = Some(chapter);
    }
    // In book order: paragraph numbers and warnings as if composed one
    // chapter after the other.
    let mut inputs = Vec::with_capacity(chapters);
    let mut bases = Vec::with_capacity(chapters);
    for (i, (hit, composed)) in hits.iter_mut().zip(&mut composed).enumerate() {
        let input = match hit.take() {
            Some(hit) => {
                let base = composer.adopt_facts(hit.facts);
                bases.push(base);
                let flow = hit.flow;
                let flow_again = move || {
                    let mut flow = flow::Flow::clone(&flow);
                    compose::renumber_flow(&mut flow, base);
                    flow
                };
                match hit.paged {
                    Some(mut paged) => {
                        paginate::renumber_pages(
                            &mut paged.pages,
                            base as isize - paged.base as isize,
                        );
                        assemble::ChapterIn::Paged {
                            nodes: paged.nodes,
                            pages: paged.pages,
                            first_is_recto: paged.first_is_recto,
                            flow: Box::new(flow_again),
                        }
                    }
                    None => assemble::ChapterIn::Flow(flow_again()),
                }
            }
            None => {
                // Every chapter not taken from the cache was composed.
                let composed = composed.take().unwrap_or_else(|| composer.compose_alone(i));
                cache.store(book, i, &composed);
                bases.push(composer.paragraphs());
                assemble::ChapterIn::Flow(composer.adopt(composed))
            }
        };
        inputs.push(input);
    }
    timings.composition = started.elapsed();
    timings.threads = threads;
    let assembled = assemble::assemble(
        &mut composer,
        book,
        toc,
        inputs,
        cache.keeps(),
        &mut timings,
        page_breaks_ready,
    );
    for (i, first_is_recto, nodes, pages) in assembled.paginated {
        if let Some(&base) = bases.get(i) {
            cache.store_pages(i, base, first_is_recto, nodes, pages);
        }
    }
    // Characters met only in running heads or the front matter.
    composer.warn_missing_glyphs(None);
    let own = composer.fonts.timings;
    timings.shaping += own.shaping;
    timings.line_breaking += own.line_breaking;
    timings.line_setting += own.line_setting;
    let mut document = assembled.document;
    let used = put_fonts_in_order(&mut document, &composer.fonts.canonical_order());
    let missing_glyphs = composer
        .fonts
        .missing_glyphs
        .diagnostics(settings.missing_glyphs, |span| compose::locate(book, span));
    let (font_notes, font_problems) = composer.fonts.notes();
    let fonts_used = composer
        .fonts
        .fallback_uses()
        .into_iter()
        .filter(|u| used.contains(&u.postscript_name))
        .collect();
    let compose::Composer {
        fonts,
        mut warnings,
        ..
    } = composer;
    cache.finish(book, fonts);
    warnings.extend(font_problems);
    Ok(Typeset {
        document,
        warnings,
        report: assembled.report,
        page_breaks: assembled.page_breaks,
        timings,
        missing_glyphs,
        fonts_used,
        font_notes,
    })
}

/// Writes the document's fonts in `order` (`order[new] = old`, see
/// [`crate::fonts::FontSet::canonical_order`]), leaving out faces beyond
/// the book's five that no page uses, and renumbers the runs: the threads
/// that composed chapters loaded fallback faces in whatever order they met
/// them, and fonts kept from an earlier build may hold a face this one no
/// longer uses; the PDF must depend on neither. Returns the PostScript
/// names of the fonts written.
fn put_fonts_in_order(document: &mut frame::Document, order: &[usize]) -> Vec<String> {
    let mut used = vec![false; document.fonts.len()];
    for page in &document.pages {
        for item in &page.items {
            if let frame::Item::Text(run) = item {
                if let Some(u) = used.get_mut(run.font.0) {
                    *u = true;
                }
            }
        }
    }
    let book_faces = crate::fonts::Face::ALL.len();
    let order: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&old| old < book_faces || used.get(old).copied().unwrap_or(false))
        .collect();
    let names =
        |fonts: &[frame::FontData]| fonts.iter().map(|f| f.postscript_name.clone()).collect();
    if order.len() == document.fonts.len() && order.iter().enumerate().all(|(new, &old)| new == old)
    {
        return names(&document.fonts);
    }
    let mut new_of = vec![0; document.fonts.len()];
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
    names(&document.fonts)
}

/// Composes `chapters` on `threads` threads (this one and forks of
/// `composer`), each taking the next chapter not yet taken, and returns
/// them in book order for [`compose::Composer::adopt`]: the flows,
/// paragraph numbers and warnings are those of composing one chapter after
/// the other.
fn compose_in_parallel(
    composer: &mut compose::Composer<'_>,
    chapters: &[usize],
    threads: usize,
    timings: &mut Timings,
) -> Vec<(usize, compose::ComposedChapter)> {
    let next = AtomicUsize::new(0);
    let work = |c: &mut compose::Composer<'_>| {
        let mut done = Vec::new();
        loop {
            let Some(&i) = chapters.get(next.fetch_add(1, Ordering::Relaxed)) else {
                return done;
            };
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
}

#[cfg(test)]
mod tests;
