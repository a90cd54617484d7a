//! The `folio` command: a thin shell over the library. It parses arguments,
//! runs the build, prints diagnostics and sets the exit code.

use std::process::ExitCode;

use clap::Parser;
use folio::cli::{Cli, Command};

/// Exit code for a build that failed on the book's content or config.
const EXIT_BUILD_FAILED: u8 = 1;
/// Exit code for a bad invocation (clap uses 2 as well).
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => {
            let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
            let plan = match args.plan(epoch.as_deref()) {
                Ok(plan) => plan,
                Err(d) => {
                    eprintln!("{d}");
                    return ExitCode::from(EXIT_USAGE);
                }
            };
            match folio::build(&plan) {
                Ok(out) => {
                    if !args.quiet {
                        for w in &out.warnings {
                            eprintln!("{w}");
                        }
                        for line in &out.fonts {
                            println!("{line}");
                        }
                        if let Some(p) = &out.epub {
                            println!("wrote {}", p.display());
                        }
                        if let Some(p) = &out.pdf {
                            let pages = out.pdf_pages.unwrap_or(0);
                            println!("wrote {} ({pages} pages)", p.display());
                        }
                        if let Some(report) = &out.report {
                            print_report(report);
                        }
                    }
                    if args.timings {
                        for (stage, t) in &out.timings {
                            println!("{stage:<24}  {:8.1} ms", t.as_secs_f64() * 1000.0);
                        }
                        println!("{:<24}  {:8}", "compose threads", out.compose_threads);
                        if let Some(kib) = peak_rss_kib() {
                            println!("{:<24}  {:8.1} MiB", "peak RSS", kib as f64 / 1024.0);
                        }
                    }
                    ExitCode::SUCCESS
                }
                Err(diags) => {
                    let errors = diags.0.iter().filter(|d| d.is_error()).count();
                    eprintln!("{diags}");
                    eprintln!(
                        "build failed: {errors} error{}",
                        if errors == 1 { "" } else { "s" }
                    );
                    ExitCode::from(EXIT_BUILD_FAILED)
                }
            }
        }
    }
}

/// Layout defects shown on the terminal before pointing at `--report`.
const REPORT_LINES: usize = 40;

/// The layout report: one summary line, then a line per defect.
fn print_report(report: &folio::typeset::report::LayoutReport) {
    use folio::typeset::report::DefectKind;
    let summary: Vec<String> = DefectKind::ALL
        .iter()
        .map(|k| format!("{} {}", report.count(*k), k.name()))
        .collect();
    println!("layout: {}", summary.join(", "));
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

/// Peak resident set size of this process, where the OS tells it (Linux).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
