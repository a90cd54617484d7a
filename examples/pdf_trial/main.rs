//! Trial of three PDF back ends on the same frames (issue 12, phase 1):
//! (a) Folio's own writer, (b) krilla, (c) pdf-writer + subsetter. Each
//! writes the benchmark book's typeset document; the harness reports the
//! wall time of the PDF stage, the peak heap it allocated on top of the
//! frames (a counting allocator), and the size of the file.
//!
//! ```sh
//! cargo run --release --example genbook -- /tmp/b300 300000 40
//! cargo run --release --example pdf_trial -- /tmp/b300 [RUNS] [OUT_DIR]
//! ```

mod alloc;
mod krilla_backend;
mod pdfwriter_backend;

use std::path::PathBuf;
use std::time::Instant;

use folio::typeset::frame::Document;

#[global_allocator]
static ALLOC: alloc::Counting = alloc::Counting;

type Backend = fn(Document) -> Vec<u8>;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first().map(PathBuf::from) else {
        eprintln!("usage: pdf_trial BOOK_DIR [RUNS] [OUT_DIR]");
        std::process::exit(2);
    };
    let runs: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(3);
    let out = args.get(2).map(PathBuf::from);
    let loaded = folio::load_book(&dir, Some(1_700_000_000)).expect("book loads");
    let typeset = folio::typeset::typeset(&loaded.book, &loaded.toc, &loaded.config.pdf)
        .expect("book typesets");
    let doc = typeset.document;
    let glyphs: usize = doc
        .pages
        .iter()
        .flat_map(|p| &p.items)
        .map(|i| match i {
            folio::typeset::frame::Item::Text(r) => r.glyphs.len(),
            _ => 0,
        })
        .sum();
    println!(
        "{} pages, {} glyphs, {} fonts",
        doc.pages.len(),
        glyphs,
        doc.fonts.len()
    );
    let backends: [(&str, Backend); 3] = [
        ("a: own writer (printpdf+lopdf)", |d| {
            folio::pdf::write_pdf_timed(d, 0).expect("own writer").0
        }),
        ("b: krilla", krilla_backend::write),
        ("c: pdf-writer + subsetter", pdfwriter_backend::write),
    ];
    println!(
        "{:<34} {:>9} {:>9} {:>12} {:>10}",
        "back end", "best ms", "median", "peak MiB", "size MB"
    );
    for (name, backend) in backends {
        let mut times = Vec::new();
        let mut peak = 0usize;
        let mut size = 0usize;
        for run in 0..runs {
            let copy = doc.clone();
            let base = alloc::reset_peak();
            let t = Instant::now();
            let bytes = backend(copy);
            let elapsed = t.elapsed();
            peak = peak.max(alloc::peak().saturating_sub(base));
            times.push(elapsed.as_secs_f64() * 1000.0);
            size = bytes.len();
            if run == 0 {
                if let Some(out) = &out {
                    let file = out.join(format!("{}.pdf", &name[..1]));
                    std::fs::write(&file, &bytes).expect("write trial pdf");
                }
            }
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{:<34} {:>9.0} {:>9.0} {:>12.1} {:>10.2}",
            name,
            times[0],
            times[times.len() / 2],
            peak as f64 / 1048576.0,
            size as f64 / 1e6
        );
    }
}
