//! Folio builds an EPUB 3 and a typeset PDF from a folder of Markdown
//! chapters and one `book.yaml`.
//!
//! The pipeline runs one way: [`config`] reads book.yaml → [`source`] reads
//! the chapters → [`markdown`] parses them into the [`model`] → [`toc`] is
//! built from the headings → writers: [`epub`] (XHTML, CSS, nav) and the
//! typesetter [`typeset`] (shaping, line breaking, pagination) whose pages
//! [`pdf`] emits. Both writers read the same model; neither sees Markdown.
//!
//! [`build`] runs the whole pipeline and writes the files atomically;
//! [`load_book`], [`render_epub`] and [`render_pdf`] are its steps for
//! callers that want the bytes instead.

pub mod bench_book;
pub mod check;
pub mod cli;
pub mod config;
pub mod diag;
pub mod epub;
pub mod fonts;
pub mod highlight;
pub mod ids;
mod keep;
pub mod labels;
pub mod markdown;
pub mod math;
pub mod model;
pub mod output;
pub mod pdf;
pub mod serve;
pub mod source;
pub mod toc;
pub mod typeset;
pub mod units;
pub mod url;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use config::Config;
use diag::{Diagnostic, Diagnostics, Severity, StageResult};
use epub::EpubSettings;
use model::{Book, Metadata};
use toc::Toc;
use typeset::report::LayoutReport;
use typeset::PdfSettings;

/// Which artifacts to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    pub epub: bool,
    pub pdf: bool,
}

impl Default for Formats {
    fn default() -> Formats {
        Formats {
            epub: true,
            pdf: true,
        }
    }
}

/// Everything [`build`] needs to know, resolved from the command line.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildOptions {
    /// The book folder holding book.yaml.
    pub book_dir: PathBuf,
    /// Where the .epub and .pdf go (created if missing).
    pub out_dir: PathBuf,
    pub formats: Formats,
    /// Seconds since the epoch to stamp the book with (`SOURCE_DATE_EPOCH`);
    /// `None` uses the newest modification time of the book's sources.
    pub source_date_epoch: Option<i64>,
    /// Fail the build (writing nothing) when the PDF's layout report lists
    /// any defect (overfull or very loose lines, hyphen runs, widows,
    /// orphans, headings at a page foot) or a warning says the book is not
    /// as written (an image that could not be used).
    pub strict: bool,
    /// Also write the layout report as JSON to this file.
    pub report: Option<PathBuf>,
    /// Threads to compose chapters and deflate PDF pages on; 0 means one
    /// per core. The output is the same byte for byte whatever the number.
    pub threads: usize,
    /// Fail the build (writing nothing) when there is any warning; the
    /// warnings come back as errors.
    pub deny_warnings: bool,
}

/// Told as each stage of a build starts (a progress bar listens).
pub trait Progress: Sync {
    fn stage(&self, name: &'static str);
}

/// No one is listening.
impl Progress for () {
    fn stage(&self, _name: &'static str) {}
}

/// The stages [`build`] reports to [`Progress`], in order.
pub const STAGES: &[&str] = &["config", "load", "parse", "toc", "typeset", "write files"];

/// What a successful build produced.
#[derive(Debug, Clone)]
pub struct Outputs {
    /// The book's title.
    pub title: String,
    pub epub: Option<PathBuf>,
    pub pdf: Option<PathBuf>,
    /// The files written (EPUB, PDF, report), with their bytes.
    pub written: Vec<(PathBuf, Vec<u8>)>,
    /// Number of PDF pages, when a PDF was built.
    pub pdf_pages: Option<usize>,
    /// The PDF's layout report, when a PDF was built.
    pub report: Option<LayoutReport>,
    /// Problems that did not stop the build.
    pub warnings: Vec<Diagnostic>,
    /// Wall time of each stage, in pipeline order. Names of the parts of
    /// a stage start with two spaces per level (`typeset`, `  compose`,
    /// `    shaping`); parts that run on several threads add up their
    /// threads' time. The EPUB and the PDF are written at the same time.
    pub timings: Vec<(&'static str, Duration)>,
    /// Threads the chapters were composed on.
    pub compose_threads: usize,
    /// The fonts fallback chose beyond the book's (which script, which
    /// face, from where) and what was synthesized, one line each.
    pub fonts: Vec<String>,
}

/// A loaded book: the model, its TOC, the resolved config and the warnings
/// met while reading it.
#[derive(Debug, Clone)]
pub struct LoadedBook {
    pub book: Book,
    pub toc: Toc,
    pub config: Config,
    /// The EPUB writer's settings, resolved from the config.
    pub epub: EpubSettings,
    /// The typesetter's settings, resolved from the config.
    pub pdf: PdfSettings,
    pub warnings: Vec<Diagnostic>,
}

/// Records how long each stage takes, and tells the progress listener.
struct Stopwatch<'p> {
    laps: Vec<(&'static str, Duration)>,
    progress: &'p dyn Progress,
}

impl Default for Stopwatch<'_> {
    fn default() -> Self {
        Stopwatch {
            laps: Vec::new(),
            progress: &(),
        }
    }
}

impl Stopwatch<'_> {
    fn time<T>(&mut self, stage: &'static str, f: impl FnOnce() -> T) -> T {
        if STAGES.contains(&stage) {
            self.progress.stage(stage);
        }
        let start = Instant::now();
        let out = f();
        self.laps.push((stage, start.elapsed()));
        out
    }
}

/// What one build of a book keeps for the next build of the same book, so
/// that after an edit only what changed is done again: the chapters as
/// parsed, composed (with the fonts and their shaped words) and
/// paginated, the PDF's pages and deflated streams, the EPUB's chapters,
/// cover and deflated files. Every build through a session writes the same
/// bytes as a cold [`build`]. [`Session::default`] keeps nothing (a
/// one-off build); `folio watch` and `folio serve` build in a
/// [`Session::new`].
#[derive(Debug, Default)]
pub struct Session {
    parse: markdown::Cache,
    typeset: typeset::Cache,
    pdf: pdf::Cache,
    epub: epub::Cache,
}

impl Session {
    /// A session that keeps what each build makes for the next.
    pub fn new() -> Session {
        Session {
            parse: markdown::Cache::keeping(),
            typeset: typeset::Cache::keeping(),
            pdf: pdf::Cache::keeping(),
            epub: epub::Cache::keeping(),
        }
    }

    /// How many chapters the last build took as they were composed before.
    pub fn chapters_reused(&self) -> usize {
        self.typeset.reused
    }

    /// Waits for what the session prepares between builds (copies of the
    /// chapters for the next build to take, made on another thread while
    /// the author writes) to be done.
    pub fn settle(&mut self) {
        self.typeset.settle();
        self.parse.settle();
    }

    /// How many PDF pages the last build took as they were written before.
    pub fn pages_reused(&self) -> usize {
        self.pdf.reused
    }
}

/// Runs the whole pipeline and writes the requested artifacts into
/// `out_dir`. Each file is written to a temporary name and renamed, so a
/// failed build leaves the previous good output untouched.
pub fn build(options: &BuildOptions) -> Result<Outputs, Diagnostics> {
    build_with_progress(options, &())
}

/// [`build`], telling `progress` as each stage starts.
pub fn build_with_progress(
    options: &BuildOptions,
    progress: &dyn Progress,
) -> Result<Outputs, Diagnostics> {
    build_in(&mut Session::default(), options, progress)
}

/// [`build_with_progress`] in `session`: reuses what the session's last
/// build made, and keeps what this one makes for the next.
pub fn build_in(
    session: &mut Session,
    options: &BuildOptions,
    progress: &dyn Progress,
) -> Result<Outputs, Diagnostics> {
    let mut clock = Stopwatch {
        laps: Vec::new(),
        progress,
    };
    let loaded = load_book_timed(
        &options.book_dir,
        options.source_date_epoch,
        &mut clock,
        &mut session.parse,
    )?;
    let mut warnings = loaded.warnings.clone();
    let name = output_stem(&loaded.book.meta.title);

    // The EPUB's page-list marks where the PDF's pages break, so the book
    // is typeset whichever formats are asked for: the EPUB is the same
    // with or without `--pdf`.
    let layout = typeset::LayoutOptions {
        threads: options.threads,
    };
    // The EPUB is written on another thread, begun at once and finished
    // as soon as the typesetter knows the page breaks (before it finishes
    // the pages); the PDF writer then takes the pages and frees them as it
    // goes. They share nothing mutable.
    let mut font_lines = Vec::new();
    let mut glyph_errors = Vec::new();
    let (typeset_parts, epub, pdf) = std::thread::scope(|scope| {
        let (send_breaks, breaks) = std::sync::mpsc::channel::<Vec<model::PageBreak>>();
        let loaded = &loaded;
        let epub_cache = &mut session.epub;
        let epub = options.formats.epub.then(|| {
            std::thread::Builder::new()
                .name("epub".into())
                .spawn_scoped(scope, move || {
                    // What needs no page breaks is done while the book is
                    // typeset, on the core the typesetter leaves free.
                    let (prepared, before) = timed(|| {
                        epub::prepare(&loaded.book, &loaded.toc, &loaded.epub, epub_cache)
                    });
                    // No breaks: typesetting failed, and so does the build.
                    let page_breaks = breaks.recv().ok()?;
                    let (written, after) = timed(|| prepared.and_then(|p| p.finish(&page_breaks)));
                    Some((written, before + after))
                })
        });
        let typeset = clock.time("typeset", || {
            typeset::typeset_cached(
                &loaded.book,
                &loaded.toc,
                &loaded.pdf,
                &layout,
                &mut session.typeset,
                &mut |breaks| {
                    // The EPUB thread only stops listening once it has them.
                    let _ = send_breaks.send(breaks.to_vec());
                },
            )
        })?;
        warnings.extend(typeset.warnings.iter().cloned());
        font_lines = font_report(&typeset);
        // Text no font has concerns the PDF only (an EPUB is set in the
        // reader's fonts).
        if options.formats.pdf {
            for d in &typeset.missing_glyphs {
                if d.is_error() {
                    glyph_errors.push(d.clone());
                } else {
                    warnings.push(d.clone());
                }
            }
        }
        let t = typeset.timings;
        clock.laps.extend([
            ("  compose", t.composition),
            ("    shaping", t.shaping),
            ("    line breaking", t.line_breaking),
            ("    line setting", t.line_setting),
            ("  paginate", t.pagination),
            ("  assemble", t.assembly),
        ]);
        let typeset::Typeset {
            document, report, ..
        } = typeset;
        let page_count = document.pages.len();
        let standard_findings = if options.formats.pdf {
            pdf::check_standard(&document, loaded.config.pdf.standard)
        } else {
            Vec::new()
        };
        warnings.extend(standard_findings.iter().cloned());
        // A PDF that would print boxes is not written.
        let pdf = (options.formats.pdf && !typeset.missing_glyphs.iter().any(|d| d.is_error()))
            .then(|| {
                let pdf_options = pdf::Options {
                    threads: options.threads,
                    standard: loaded.config.pdf.standard,
                };
                timed(|| pdf::write_pdf_cached(document, &pdf_options, &mut session.pdf))
            });
        let epub = match epub {
            Some(Ok(h)) => h.join().expect("EPUB writer thread panicked"),
            Some(Err(e)) => Some((
                Err(Diagnostic::error(format!("cannot start the EPUB writer: {e}")).into()),
                Duration::ZERO,
            )),
            None => None,
        };
        Ok::<_, Diagnostics>((
            (report, page_count, t.threads, standard_findings),
            epub,
            pdf,
        ))
    })?;
    let (report, page_count, compose_threads, standard_findings) = typeset_parts;

    let mut errors = glyph_errors;
    let mut outputs = Outputs {
        title: loaded.book.meta.title.clone(),
        epub: None,
        pdf: None,
        written: Vec::new(),
        pdf_pages: None,
        report: None,
        warnings: Vec::new(),
        timings: Vec::new(),
        compose_threads,
        fonts: font_lines,
    };
    let mut to_write: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    if let Some((result, elapsed)) = epub {
        clock.laps.push(("epub", elapsed));
        match result {
            Ok((bytes, w)) => {
                warnings.extend(w);
                let path = options.out_dir.join(format!("{name}.epub"));
                outputs.epub = Some(path.clone());
                to_write.push((path, bytes));
            }
            Err(d) => errors.extend(d.0),
        }
    }
    if let Some((result, elapsed)) = pdf {
        clock.laps.push(("pdf", elapsed));
        match result {
            Ok((bytes, t)) => {
                clock.laps.extend([
                    ("  content streams", t.content),
                    ("  compression", t.compression),
                    ("  fonts", t.fonts),
                    ("  objects", t.objects),
                ]);
                outputs.pdf_pages = Some(page_count);
                if options.strict {
                    errors.extend(strict_errors(&report));
                    // What the PDF standard asks is an error too.
                    errors.extend(standard_findings.into_iter().map(|mut d| {
                        d.severity = diag::Severity::Error;
                        d
                    }));
                }
                if let Some(path) = &options.report {
                    to_write.push((path.clone(), report.to_json().into_bytes()));
                }
                let path = options.out_dir.join(format!("{name}.pdf"));
                outputs.pdf = Some(path.clone());
                to_write.push((path, bytes));
                outputs.report = Some(report);
            }
            Err(d) => errors.extend(d.0),
        }
    }
    if options.strict {
        // Warnings that mean the book is not as the author wrote it (an
        // image that could not be used) fail a strict build.
        let (strict, rest): (Vec<Diagnostic>, Vec<Diagnostic>) =
            warnings.into_iter().partition(|w| w.strict);
        errors.extend(strict.into_iter().map(|mut w| {
            w.severity = Severity::Error;
            if w.hint.is_none() {
                w.hint = Some("--strict makes this warning an error".into());
            }
            w
        }));
        warnings = rest;
    }
    if options.deny_warnings && errors.is_empty() && warnings.iter().any(Diagnostic::is_warning) {
        // Notes (a draft chapter left out) need no action and stay notes.
        errors.extend(warnings.drain(..).map(|mut w| {
            if w.is_warning() {
                w.severity = Severity::Error;
            }
            w
        }));
    }
    if !errors.is_empty() {
        errors.extend(warnings);
        return Err(Diagnostics(errors));
    }
    // The EPUB, the PDF and the report replace the previous build's
    // together, or not at all.
    clock.time("write files", || output::write_all_or_none(&to_write))?;
    outputs.warnings = warnings;
    outputs.timings = clock.laps;
    // What the build leaves is freed, and the next build prepared, on
    // another thread once the files are written.
    outputs.written = to_write;
    let garbage: Vec<Box<dyn Send>> = vec![Box::new(loaded), Box::new(session.pdf.take_garbage())];
    session.typeset.prepare(garbage);
    session.parse.prepare();
    Ok(outputs)
}

/// Runs `f` and says how long it took.
fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

/// Reads book.yaml and the chapters, and builds the model and its TOC.
pub fn load_book(book_dir: &Path, source_date_epoch: Option<i64>) -> StageResult<LoadedBook> {
    load_book_timed(
        book_dir,
        source_date_epoch,
        &mut Stopwatch::default(),
        &mut markdown::Cache::default(),
    )
}

fn load_book_timed(
    book_dir: &Path,
    source_date_epoch: Option<i64>,
    clock: &mut Stopwatch,
    parse_cache: &mut markdown::Cache,
) -> StageResult<LoadedBook> {
    let config = clock.time("config", || config::load(book_dir))?;
    let read = clock.time("load", || source::load_sources(&config))?;
    let parsed = clock.time("parse", || {
        markdown::parse_chapters_cached(&config.root, &read.map, &read.chapters, parse_cache)
    })?;
    let sources = read.map;
    let modified_epoch = match source_date_epoch {
        Some(epoch) => epoch,
        None => newest_mtime(&config),
    };
    let book = Book {
        meta: metadata(&config, modified_epoch),
        chapters: parsed.chapters,
        sources,
        root: config.root.clone(),
    };
    let toc = clock.time("toc", || Toc::build(&book));
    Ok(LoadedBook {
        book,
        toc,
        epub: EpubSettings::from_config(&config),
        pdf: PdfSettings::from_book(&config),
        warnings: [config.warnings.clone(), read.warnings, parsed.warnings].concat(),
        config,
    })
}

/// EPUB bytes of a loaded book, with the writer's warnings. `page_breaks`
/// (from [`typeset::Typeset::page_breaks`]) become the EPUB's page-list
/// and pagebreak markers; pass none for an EPUB without print page numbers.
pub fn render_epub(
    loaded: &LoadedBook,
    page_breaks: &[model::PageBreak],
) -> StageResult<(Vec<u8>, Vec<Diagnostic>)> {
    epub::write_epub(&loaded.book, &loaded.toc, &loaded.epub, page_breaks)
}

/// A typeset and written PDF.
#[derive(Debug, Clone)]
pub struct RenderedPdf {
    pub bytes: Vec<u8>,
    pub pages: usize,
    pub warnings: Vec<Diagnostic>,
    pub report: LayoutReport,
}

/// PDF bytes of a loaded book: typeset, then emitted.
pub fn render_pdf(loaded: &LoadedBook) -> StageResult<RenderedPdf> {
    let typeset = typeset::typeset(&loaded.book, &loaded.toc, &loaded.pdf)?;
    let (errors, glyph_warnings): (Vec<Diagnostic>, Vec<Diagnostic>) = typeset
        .missing_glyphs
        .iter()
        .cloned()
        .partition(Diagnostic::is_error);
    if !errors.is_empty() {
        return Err(Diagnostics(errors));
    }
    let pages = typeset.document.pages.len();
    let options = pdf::Options {
        threads: 0,
        standard: loaded.config.pdf.standard,
    };
    let (bytes, _) = pdf::write_pdf_timed(typeset.document, &options)?;
    let mut warnings = typeset.warnings;
    warnings.extend(glyph_warnings);
    Ok(RenderedPdf {
        bytes,
        pages,
        warnings,
        report: typeset.report,
    })
}

/// The typesetter's font choices as lines for the build's output: each
/// fallback face (`font: Han (…) → NotoSerifCJKsc-Regular (system font:
/// /usr/…, face 2)`) and each synthesized style (`note: …`).
fn font_report(typeset: &typeset::Typeset) -> Vec<String> {
    typeset
        .fonts_used
        .iter()
        .map(|u| format!("font: {u}"))
        .chain(typeset.font_notes.iter().map(|n| format!("note: {n}")))
        .collect()
}

/// Under `--strict`, every layout defect is an error.
fn strict_errors(report: &LayoutReport) -> Vec<Diagnostic> {
    report
        .defects
        .iter()
        .map(|d| {
            let mut e = Diagnostic::error(format!(
                "layout: {} on page {} (folio {}){}",
                d.kind.name(),
                d.page,
                d.folio,
                if d.detail.is_empty() {
                    String::new()
                } else {
                    format!(": {}", d.detail)
                }
            ))
            .with_hint("--strict fails the build on every defect of the layout report");
            if !d.location.is_empty() {
                e = e.at(diag::Location::file(&d.location));
            }
            e
        })
        .collect()
}

fn metadata(config: &Config, modified_epoch: i64) -> Metadata {
    Metadata {
        title: config.title.clone(),
        subtitle: config.subtitle.clone(),
        authors: config.authors.clone(),
        language: config.language.clone(),
        identifier: config.identifier.clone(),
        date: config.date.clone(),
        modified_epoch,
        publisher: config.publisher.clone(),
        rights: config.rights.clone(),
        description: config.description.clone(),
        subjects: config.subjects.clone(),
        cover: config.cover.clone(),
        toc_depth: config.toc_depth,
        labels: {
            let mut labels = labels::Labels::for_language(&config.language);
            let overrides: std::collections::BTreeMap<String, String> =
                config.labels.iter().cloned().collect();
            // Unknown keys were refused when book.yaml was read.
            labels.apply(&overrides);
            labels
        },
    }
}

/// The newest modification time among book.yaml and the chapters: the same
/// checkout builds the same bytes, and "modified" means what it says.
fn newest_mtime(config: &Config) -> i64 {
    std::iter::once(config.root.join(config::CONFIG_FILE))
        .chain(config.chapters.iter().map(|c| c.path.clone()))
        .filter_map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
        .filter_map(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64)
        .max()
        .unwrap_or(0)
}

/// File name stem of the outputs, from the title, keeping all its words:
/// `Pakistan and the Taliban` → `pakistan-and-the-taliban`, `H-Bomb` →
/// `h-bomb`, `Section` → `section`. A title with no letters or digits
/// gives `book`.
pub fn output_stem(title: &str) -> String {
    let mut stem = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            stem.push(c);
        } else if ids::is_mark(c) && !stem.is_empty() && !stem.ends_with('-') {
            // A combining mark belongs to its letter: `दिल्ली`, `เที่ยว`.
            stem.push(c);
        } else if c == '\'' || c == '’' || matches!(c, '\u{200C}' | '\u{200D}') {
            // Apostrophes join words: `Pakistan’s` → `pakistans`; so do
            // zero-width joiners.
        } else if !stem.is_empty() && !stem.ends_with('-') {
            stem.push('-');
        }
    }
    let stem = stem.trim_end_matches('-');
    if stem.is_empty() {
        "book".to_string()
    } else {
        stem.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::output_stem;

    #[test]
    fn output_names_keep_the_title_s_words() {
        assert_eq!(
            output_stem("Pakistan and the Taliban"),
            "pakistan-and-the-taliban"
        );
        assert_eq!(output_stem("H-Bomb"), "h-bomb");
        assert_eq!(output_stem("Section"), "section");
        assert_eq!(output_stem("1984"), "1984");
        assert_eq!(
            output_stem("Pakistan’s Army: A History…"),
            "pakistans-army-a-history"
        );
        assert_eq!(output_stem("Ça ira"), "ça-ira");
        assert_eq!(output_stem("?!"), "book");
        // Combining marks stay with their letters.
        assert_eq!(output_stem("दिल्ली की सैर"), "दिल्ली-की-सैर");
        assert_eq!(output_stem("เที่ยวกรุงเทพ"), "เที่ยวกรุงเทพ");
    }
}
