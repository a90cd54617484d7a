//! Measures an incremental rebuild: builds a copy of a book once (cold,
//! in a [`folio::Session`]), edits one paragraph of its middle chapter,
//! builds again in the same session, and compares the files with a cold
//! build of the edited book (they must be the same bytes).
//!
//! ```sh
//! cargo run --release --example rebuild -- BOOK_DIR WORK_DIR [RUNS]
//! ```
//!
//! Prints the cold build's time, then each incremental rebuild's (RUNS
//! edits, default 5, each a new sentence in a paragraph), with the
//! per-stage timings of the last. Before each edit it lets the session
//! finish what it prepares between builds ([`Session::settle`]), as the
//! author's pause between two saves would. Exits 1 if the outputs differ.

use std::path::{Path, PathBuf};
use std::time::Instant;

use folio::{build_in, BuildOptions, Formats, Session};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(book), Some(work)) = (args.first(), args.get(1)) else {
        eprintln!("usage: rebuild BOOK_DIR WORK_DIR [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(5);
    let work = PathBuf::from(work);
    let copy = work.join("book");
    let _ = std::fs::remove_dir_all(&work);
    copy_dir(Path::new(book), &copy);
    let options = |out: &str| BuildOptions {
        book_dir: copy.clone(),
        out_dir: work.join(out),
        formats: Formats::default(),
        source_date_epoch: Some(1_700_000_000),
        strict: false,
        report: None,
        threads: 0,
        deny_warnings: false,
    };

    let mut session = Session::new();
    let start = Instant::now();
    if let Err(e) = build_in(&mut session, &options("warm"), &()) {
        eprintln!("the book does not build: {e:?}");
        std::process::exit(2);
    }
    println!("cold build           {:8.1} ms", ms(start));

    let chapter = middle_chapter(&copy);
    let mut cpu = std::time::Duration::ZERO;
    let mut last = None;
    let mut times = Vec::new();
    for run in 1..=runs {
        // The author's pause between saves: what the session prepares
        // between builds is done.
        session.settle();
        edit_paragraph(&chapter, run);
        let start = Instant::now();
        let cpu_before = cpu_time();
        let outputs = build_in(&mut session, &options("warm"), &()).expect("rebuild");
        times.push(ms(start));
        cpu += cpu_time().saturating_sub(cpu_before);
        println!(
            "rebuild after edit {run} {:8.1} ms  ({} chapters and {} PDF pages reused)",
            ms(start),
            session.chapters_reused(),
            session.pages_reused()
        );
        last = Some(outputs);
    }
    times.sort_by(f64::total_cmp);
    if let Some(median) = times.get(times.len() / 2) {
        println!(
            "median rebuild       {median:8.1} ms  (CPU time of all threads: {:.1} ms a rebuild)",
            cpu.as_secs_f64() * 1000.0 / runs.max(1) as f64
        );
    }
    if let Some(outputs) = last {
        for (stage, took) in &outputs.timings {
            println!("  {stage:<28} {:6.1} ms", took.as_secs_f64() * 1000.0);
        }
    }
    folio::build(&options("cold")).expect("cold build");
    let mut same = true;
    for entry in std::fs::read_dir(work.join("cold")).expect("cold output") {
        let path = entry.expect("entry").path();
        let warm = work.join("warm").join(path.file_name().expect("name"));
        let equal = std::fs::read(&path).ok() == std::fs::read(&warm).ok();
        println!(
            "{}: {}",
            path.file_name().unwrap_or_default().to_string_lossy(),
            if equal {
                "same bytes as a cold build"
            } else {
                "DIFFERS from a cold build"
            }
        );
        same &= equal;
    }
    if !same {
        std::process::exit(1);
    }
}

/// User and system time of the whole process so far (Linux; zero
/// elsewhere), in clock ticks of 10 ms: averaged over several rebuilds.
fn cpu_time() -> std::time::Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return std::time::Duration::ZERO;
    };
    // Fields after the command name (which may hold spaces): utime is the
    // 12th, stime the 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<u64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse().ok())
        .collect();
    std::time::Duration::from_millis(fields.iter().sum::<u64>() * 10)
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the copy");
    for entry in std::fs::read_dir(from).expect("read the book") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// The Markdown file in the middle of the book, by name.
fn middle_chapter(book: &Path) -> PathBuf {
    let mut chapters: Vec<PathBuf> = std::fs::read_dir(book)
        .expect("read the book")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    chapters.sort();
    chapters
        .get(chapters.len() / 2)
        .cloned()
        .expect("a chapter")
}

/// Adds a sentence to the `run`th paragraph of prose in `chapter`.
fn edit_paragraph(chapter: &Path, run: usize) {
    let text = std::fs::read_to_string(chapter).expect("read the chapter");
    let mut seen = 0;
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.lines() {
        out.push_str(line);
        let prose = line.len() > 200 && line.starts_with(|c: char| c.is_alphabetic());
        if prose {
            seen += 1;
            if seen == run {
                out.push_str(" An edit, and the book is built again.");
            }
        }
        out.push('\n');
    }
    std::fs::write(chapter, out).expect("write the chapter");
}
