//! `folio watch [DIR]` and `folio serve [DIR]`: arguments → the watch loop
//! of [`crate::serve`], a line per build on the terminal; `serve` also
//! starts the preview server and prints its address.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;

use crate::serve::rebuild::Built;
use crate::serve::{server, watch, Shared, Snapshot, WatchOptions};

use super::{Output, EXIT_FAILED, EXIT_USAGE};

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The book folder (or one-file book) to build and watch.
    #[arg(default_value = "book")]
    pub book_dir: PathBuf,
    /// Where to write the .epub and .pdf after each build.
    #[arg(short, long = "out", value_name = "OUT_DIR", default_value = "output")]
    pub out_dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub watch: WatchArgs,
    /// The port to serve the preview on, on 127.0.0.1 (default: a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
}

impl WatchArgs {
    fn options(&self, out: &Output) -> Option<WatchOptions> {
        let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
        let source_date_epoch = match epoch.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => match s.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    out.diagnostics(&[crate::diag::Diagnostic::error(format!(
                        "SOURCE_DATE_EPOCH=`{s}` is not a number of seconds"
                    ))]);
                    return None;
                }
            },
        };
        Some(WatchOptions {
            book_dir: self.book_dir.clone(),
            out_dir: self.out_dir.clone(),
            source_date_epoch,
        })
    }
}

pub fn run_watch(args: &WatchArgs, out: &Output) -> u8 {
    let Some(options) = args.options(out) else {
        return EXIT_USAGE;
    };
    println!(
        "watching {} (writing into {}; Ctrl-C to stop)",
        options.book_dir.display(),
        options.out_dir.display()
    );
    let result = watch::run(&options, |built| report(built, out));
    finish(result, out)
}

pub fn run_serve(args: &ServeArgs, out: &Output) -> u8 {
    let Some(options) = args.watch.options(out) else {
        return EXIT_USAGE;
    };
    let shared = Arc::new(Shared::default());
    let addr = match server::start(args.port, shared.clone()) {
        Ok(addr) => addr,
        Err(d) => {
            out.diagnostics(&[d]);
            return EXIT_FAILED;
        }
    };
    println!(
        "serving the preview of {} at http://{addr}/ (Ctrl-C to stop)",
        options.book_dir.display()
    );
    let mut snapshot = Snapshot::default();
    let result = watch::run(&options, |built| {
        report(built, out);
        snapshot = snapshot.after(built);
        shared.publish(snapshot.clone());
    });
    finish(result, out)
}

/// A line per build, and its diagnostics.
fn report(built: &Built, out: &Output) {
    out.diagnostics(&built.warnings);
    out.diagnostics(&built.errors);
    let ms = built.took.as_secs_f64() * 1000.0;
    if built.ok() {
        let files: Vec<String> = built
            .written
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        println!("built in {ms:.0} ms: {}", files.join(", "));
    } else {
        println!(
            "build failed in {ms:.0} ms ({} error{}); the previous files are kept",
            built.errors.len(),
            if built.errors.len() == 1 { "" } else { "s" }
        );
    }
}

fn finish(result: Result<(), crate::diag::Diagnostic>, out: &Output) -> u8 {
    match result {
        Ok(()) => 0,
        Err(d) => {
            out.diagnostics(&[d]);
            EXIT_FAILED
        }
    }
}
