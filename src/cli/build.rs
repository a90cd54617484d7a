//! `folio build`: arguments → a [`BuildOptions`] plan → the pipeline →
//! printed outputs, layout report and diagnostics.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::diag::render::thousands;
use crate::diag::Diagnostic;
use crate::typeset::report::{DefectKind, LayoutReport};
use crate::{BuildOptions, Formats, Progress, STAGES};

use super::{Output, EXIT_FAILED, EXIT_USAGE};

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The book folder (book.yaml, or mdBook's book.toml and src/SUMMARY.md),
    /// or one Markdown file with a YAML metadata block.
    #[arg(default_value = "book")]
    pub book_dir: PathBuf,
    /// Where to write the .epub and .pdf.
    #[arg(short, long = "out", value_name = "OUT_DIR", default_value = "output")]
    pub out_dir: PathBuf,
    /// Build the EPUB.
    #[arg(long)]
    pub epub: bool,
    /// Build the PDF.
    #[arg(long)]
    pub pdf: bool,
    /// Print how long each stage took.
    #[arg(long)]
    pub timings: bool,
    /// Print only errors.
    #[arg(short, long)]
    pub quiet: bool,
    /// Fail (and write nothing) if there is any warning.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Fail (and write nothing) if the PDF layout has any defect: overfull
    /// or very loose lines, runs of 3+ hyphens, widows, orphans, headings
    /// at a page foot.
    #[arg(long)]
    pub strict: bool,
    /// Write the PDF layout report as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Use N threads for composing chapters and deflating PDF pages (0: one
    /// per core). The output is the same for any N.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
}

impl BuildArgs {
    /// Resolves the arguments and the environment into a build plan.
    /// `source_date_epoch` is the raw value of `SOURCE_DATE_EPOCH`, if set.
    pub fn plan(&self, source_date_epoch: Option<&str>) -> Result<BuildOptions, Diagnostic> {
        let formats = if self.epub || self.pdf {
            Formats {
                epub: self.epub,
                pdf: self.pdf,
            }
        } else {
            Formats::default()
        };
        let source_date_epoch = match source_date_epoch.map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(s.parse::<i64>().map_err(|_| {
                Diagnostic::error(format!("SOURCE_DATE_EPOCH=`{s}` is not a number of seconds"))
                    .with_hint("set it to a Unix timestamp, e.g. `SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)`")
            })?),
        };
        Ok(BuildOptions {
            book_dir: self.book_dir.clone(),
            out_dir: self.out_dir.clone(),
            formats,
            source_date_epoch,
            strict: self.strict,
            report: self.report.clone(),
            threads: self.threads,
            deny_warnings: self.deny_warnings,
        })
    }
}

pub fn run(args: &BuildArgs, out: &Output) -> u8 {
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    let plan = match args.plan(epoch.as_deref()) {
        Ok(plan) => plan,
        Err(d) => {
            out.diagnostics(&[d]);
            return EXIT_USAGE;
        }
    };
    out.say(format!(
        "building {} into {}",
        plan.book_dir.display(),
        plan.out_dir.display()
    ));
    let result = with_progress(out, !args.quiet, |progress| {
        crate::build_with_progress(&plan, progress)
    });
    match result {
        Ok(built) => {
            if !args.quiet {
                out.diagnostics(&built.warnings);
                // Which installed fonts stood in for the book's: the same
                // book builds the same bytes only where they are the same.
                for line in &built.fonts {
                    println!("{line}");
                }
                if let Some(p) = &built.epub {
                    println!("wrote {}", p.display());
                }
                if let Some(p) = &built.pdf {
                    let pages = built.pdf_pages.unwrap_or(0);
                    println!("wrote {} ({pages} pages)", p.display());
                }
                if let Some(report) = &built.report {
                    print_report(report);
                }
            }
            if args.timings || out.verbose {
                print_timings(&built);
            }
            0
        }
        Err(diags) => {
            out.diagnostics(&diags.0);
            let errors = diags.errors();
            eprintln!(
                "build failed: {} error{}{}",
                thousands(errors),
                if errors == 1 { "" } else { "s" },
                if args.deny_warnings {
                    " (warnings count as errors under --deny-warnings)"
                } else {
                    ""
                }
            );
            EXIT_FAILED
        }
    }
}

/// A build shorter than this shows no progress bar: it would only flicker.
const PROGRESS_DELAY: Duration = Duration::from_secs(1);
/// How often the bar's spinner moves while a long stage runs.
const PROGRESS_TICK: Duration = Duration::from_millis(100);

/// Tells the user where a long build is: a bar on stderr when it is a
/// terminal and the build has run for [`PROGRESS_DELAY`], and with
/// `--verbose` a line per stage.
struct Listener {
    bar: ProgressBar,
    verbose: bool,
    start: Instant,
}

impl Progress for Listener {
    fn stage(&self, name: &'static str) {
        let i = STAGES.iter().position(|s| *s == name).unwrap_or(0);
        self.bar.set_position(i as u64);
        self.bar.set_message(name);
        if self.verbose {
            self.bar.suspend(|| {
                eprintln!("{:7.2} s  {name}", self.start.elapsed().as_secs_f64());
            });
        }
    }
}

fn with_progress<T>(out: &Output, show: bool, work: impl FnOnce(&dyn Progress) -> T) -> T {
    let bar =
        ProgressBar::with_draw_target(Some(STAGES.len() as u64), ProgressDrawTarget::hidden());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {bar:30} {pos}/{len} {msg}") {
        bar.set_style(style);
    }
    let listener = Listener {
        bar: bar.clone(),
        verbose: out.verbose,
        start: Instant::now(),
    };
    if !(show && out.interactive) {
        return work(&listener);
    }
    let (done, finished) = mpsc::channel::<()>();
    std::thread::scope(|scope| {
        let shown = bar.clone();
        scope.spawn(move || {
            // Only a build still running after the delay gets a bar.
            if finished.recv_timeout(PROGRESS_DELAY) == Err(mpsc::RecvTimeoutError::Timeout) {
                shown.set_draw_target(ProgressDrawTarget::stderr());
                shown.enable_steady_tick(PROGRESS_TICK);
            }
        });
        let result = work(&listener);
        let _ = done.send(());
        bar.finish_and_clear();
        result
    })
}

/// Layout defects shown on the terminal before pointing at `--report`.
const REPORT_LINES: usize = 40;

/// The layout report: one summary line, then a line per defect.
fn print_report(report: &LayoutReport) {
    let summary: Vec<String> = DefectKind::ALL
        .iter()
        .map(|k| format!("{} {}", report.count(*k), k.name()))
        .collect();
    println!("layout: {}", summary.join(", "));
    let spacing = report.spacing;
    if spacing.pairs > 0 {
        println!(
            "spacing: neighbouring lines differ by {:.2} in space ratio on average ({} pairs); {} tight beside loose",
            spacing.mean_contrast, spacing.pairs, spacing.clashes
        );
    }
    for d in report.defects.iter().take(REPORT_LINES) {
        println!(
            "  {:<16} page {:>4} (folio {:>4})  {}  {}",
            d.kind.name(),
            d.page,
            d.folio,
            d.location,
            d.detail
        );
    }
    if report.defects.len() > REPORT_LINES {
        println!(
            "  … and {} more (write them all with --report FILE)",
            report.defects.len() - REPORT_LINES
        );
    }
}

fn print_timings(built: &crate::Outputs) {
    for (stage, t) in &built.timings {
        println!("{stage:<24}  {:8.1} ms", t.as_secs_f64() * 1000.0);
    }
    println!("{:<24}  {:8}", "compose threads", built.compose_threads);
    if let Some(kib) = peak_rss_kib() {
        println!("{:<24}  {:8.1} MiB", "peak RSS", kib as f64 / 1024.0);
    }
}

/// Peak resident set size of this process, where the OS tells it (Linux).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
