//! Command-line arguments → a resolved [`BuildOptions`] plan, before any work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::diag::Diagnostic;
use crate::{BuildOptions, Formats};

/// Build an EPUB 3 and a typeset PDF from Markdown chapters and a book.yaml.
#[derive(Debug, Parser)]
#[command(name = "folio", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the book into OUT_DIR (both formats unless --epub or --pdf is given).
    Build(BuildArgs),
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The book folder, holding book.yaml and the chapters.
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
        })
    }
}
