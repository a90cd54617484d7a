//! Measures the PDF stage alone: typesets a book once, then writes its
//! PDF `RUNS` times from copies of the frames, and prints the best and
//! median wall time, the peak heap the writer allocates on top of the
//! frames (a counting allocator) and the file's size. Steadier than
//! timing whole builds on a busy machine; scripts/bench-compare.sh times
//! whole builds.
//!
//! ```sh
//! cargo run --release --example genbook -- /tmp/b300 300000 40
//! cargo run --release --example pdf_stage -- /tmp/b300 [RUNS] [STANDARD]
//! ```

mod alloc;

use std::path::PathBuf;
use std::time::Instant;

use folio::config::PdfStandard;

#[global_allocator]
static ALLOC: alloc::Counting = alloc::Counting;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first().map(PathBuf::from) else {
        eprintln!("usage: pdf_stage BOOK_DIR [RUNS] [ua-1|a-2b|a-2a|a-3b|none]");
        std::process::exit(2);
    };
    let runs: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(5).max(1);
    let standard = match args.get(2).map(String::as_str) {
        Some("a-2b") => PdfStandard::A2b,
        Some("a-2a") => PdfStandard::A2a,
        Some("a-3b") => PdfStandard::A3b,
        Some("none") => PdfStandard::None,
        _ => PdfStandard::Ua1,
    };
    let loaded = match folio::load_book(&dir, Some(1_700_000_000)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let typeset = match folio::typeset::typeset(&loaded.book, &loaded.toc, &loaded.pdf) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let doc = typeset.document;
    let options = folio::pdf::Options {
        threads: 0,
        standard,
    };
    let mut times = Vec::new();
    let mut peak = 0usize;
    let mut size = 0usize;
    for _ in 0..runs {
        let copy = doc.clone();
        let base = alloc::reset_peak();
        let t = Instant::now();
        let bytes = match folio::pdf::write_pdf_timed(copy, &options) {
            Ok((bytes, _)) => bytes,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        };
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        peak = peak.max(alloc::peak().saturating_sub(base));
        size = bytes.len();
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{} pages: pdf stage best {:.0} ms, median {:.0} ms; peak heap {:.1} MiB; {:.2} MB",
        doc.pages.len(),
        times[0],
        times[times.len() / 2],
        peak as f64 / 1048576.0,
        size as f64 / 1e6
    );
}
