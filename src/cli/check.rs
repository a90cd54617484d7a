//! `folio check`: the stores' rules on a book, each problem at the line
//! that causes it; exit 1 when a store would refuse the book.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::check::{self, Target};
use crate::diag::render::thousands;

use super::{Output, EXIT_FAILED};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The book folder (book.yaml, or mdBook's book.toml), or one Markdown file.
    #[arg(default_value = "book")]
    pub book_dir: PathBuf,
    /// The stores to check for (every store when not given); may be repeated
    /// or comma-separated.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "STORE")]
    pub target: Vec<TargetArg>,
    /// How to report: text (diagnostics on stderr, a summary on stdout) or
    /// json (one JSON document on stdout, for CI).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `--target`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetArg {
    Kindle,
    Kobo,
    Apple,
    Google,
    KdpPrint,
    Ingram,
}

impl From<TargetArg> for Target {
    fn from(t: TargetArg) -> Target {
        match t {
            TargetArg::Kindle => Target::Kindle,
            TargetArg::Kobo => Target::Kobo,
            TargetArg::Apple => Target::Apple,
            TargetArg::Google => Target::Google,
            TargetArg::KdpPrint => Target::KdpPrint,
            TargetArg::Ingram => Target::Ingram,
        }
    }
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

pub fn run(args: &CheckArgs, out: &Output) -> u8 {
    let targets: Vec<Target> = args.target.iter().map(|&t| t.into()).collect();
    let report = match check::check(&args.book_dir, &targets) {
        Ok(r) => r,
        Err(diags) => {
            out.diagnostics(&diags.0);
            let errors = diags.errors();
            eprintln!(
                "check failed: the book does not build ({} error{})",
                thousands(errors),
                if errors == 1 { "" } else { "s" }
            );
            return EXIT_FAILED;
        }
    };
    match args.format {
        Format::Json => println!("{}", report.to_json()),
        Format::Text => {
            out.diagnostics(&report.warnings);
            let findings: Vec<_> = report
                .findings
                .iter()
                .map(|f| f.diagnostic.clone())
                .collect();
            out.diagnostics(&findings);
            for t in &report.targets {
                let of = |err: bool| {
                    report
                        .findings
                        .iter()
                        .filter(|f| f.target == *t && f.diagnostic.is_error() == err)
                        .count()
                };
                let (e, w) = (of(true), of(false));
                println!(
                    "{:<10} {}",
                    t.name(),
                    if e + w == 0 {
                        "ok".to_string()
                    } else {
                        format!(
                            "{e} error{}, {w} warning{}",
                            if e == 1 { "" } else { "s" },
                            if w == 1 { "" } else { "s" }
                        )
                    }
                );
            }
        }
    }
    if report.errors() > 0 {
        EXIT_FAILED
    } else {
        0
    }
}
