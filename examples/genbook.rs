//! Writes a deterministic benchmark book (see `folio::bench_book`): varied
//! English prose with long words, headings to level 3, lists, block
//! quotes, tables, code blocks, footnotes, links and curly quotes.
//!
//! ```sh
//! cargo run --release --example genbook -- OUT_DIR [WORDS] [CHAPTERS] [--dense|--cjk]
//! ```
//!
//! Defaults: 300,000 words in 40 chapters. `--dense` writes the older
//! long-word stress text instead of prose; `--cjk` a book in Simplified
//! Chinese, WORDS then counting characters. The same arguments always
//! give the same files, so timings of different builds compare.

use std::path::PathBuf;

use folio::bench_book::{generate, Style};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let style = if let Some(i) = args.iter().position(|a| a == "--dense") {
        args.remove(i);
        Style::Dense
    } else if let Some(i) = args.iter().position(|a| a == "--cjk") {
        args.remove(i);
        Style::Chinese
    } else {
        Style::Prose
    };
    let Some(out) = args.first().map(PathBuf::from) else {
        eprintln!("usage: genbook OUT_DIR [WORDS] [CHAPTERS] [--dense|--cjk]");
        std::process::exit(2);
    };
    let target: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(300_000);
    let chapters: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(40);
    let book = generate(target, chapters, style);
    if let Err(e) = book.write(&out) {
        eprintln!("genbook: cannot write {}: {e}", out.display());
        std::process::exit(1);
    }
    eprintln!(
        "wrote {} chapters, {} words, to {}",
        chapters,
        book.words,
        out.display()
    );
}
