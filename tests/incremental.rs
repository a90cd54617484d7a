//! Builds in a session (what `folio watch` and `folio serve` do after each
//! save) write the same bytes as a cold build of the same book, whatever
//! the edit: text in one chapter, pages that move, new notes and headings,
//! scripts that need fallback fonts, formulas, images, book.yaml, chapters
//! added and removed, an edit that breaks the build and its fix. And the
//! session does reuse what did not change (else the test would prove
//! nothing about the incremental path).

mod common;

use std::path::{Path, PathBuf};

use folio::{build, build_in, BuildOptions, Formats, Session};

fn options(book: &Path, out: &Path) -> BuildOptions {
    BuildOptions {
        book_dir: book.to_path_buf(),
        out_dir: out.to_path_buf(),
        formats: Formats::default(),
        source_date_epoch: Some(1_700_000_000),
        strict: false,
        report: None,
        threads: 0,
        deny_warnings: false,
    }
}

/// The files of `dir`, by name, with their bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut all: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    all.sort();
    all
}

fn edit(path: &Path, f: impl Fn(&str) -> String) {
    let text = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, f(&text)).unwrap();
}

/// Builds `book` in `session` and cold; both must succeed or fail alike,
/// and write the same bytes.
fn same_as_cold(session: &mut Session, book: &Path, work: &Path, step: &str) {
    let warm_dir = work.join("warm");
    let cold_dir = work.join("cold");
    // The session keeps nothing in the output folder: both start empty.
    let _ = std::fs::remove_dir_all(&warm_dir);
    let _ = std::fs::remove_dir_all(&cold_dir);
    let warm = build_in(session, &options(book, &warm_dir), &());
    let cold = build(&options(book, &cold_dir));
    match (&warm, &cold) {
        (Ok(_), Ok(_)) => {}
        (Err(w), Err(c)) => {
            let text = |d: &folio::diag::Diagnostics| {
                d.0.iter().map(|d| d.message.clone()).collect::<Vec<_>>()
            };
            assert_eq!(text(w), text(c), "{step}: the errors differ");
            return;
        }
        _ => panic!(
            "{step}: the session's build {} but the cold one {}",
            if warm.is_ok() { "succeeded" } else { "failed" },
            if cold.is_ok() { "succeeded" } else { "failed" }
        ),
    }
    let (w, c) = (files(&warm_dir), files(&cold_dir));
    assert_eq!(
        w.iter().map(|f| &f.0).collect::<Vec<_>>(),
        c.iter().map(|f| &f.0).collect::<Vec<_>>(),
        "{step}: different files"
    );
    for ((name, w), (_, c)) in w.iter().zip(&c) {
        assert!(w == c, "{step}: {name} differs from a cold build's");
    }
}

fn name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

fn chapters(book: &Path) -> Vec<PathBuf> {
    let mut c: Vec<PathBuf> = std::fs::read_dir(book)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    c.sort();
    c
}

#[test]
fn a_session_writes_what_a_cold_build_writes_after_every_edit() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    folio::bench_book::generate(12_000, 6, folio::bench_book::Style::Prose)
        .write(&book)
        .unwrap();
    let ch = chapters(&book);
    assert!(ch.len() >= 6, "{ch:?}");
    let mut session = Session::new();
    same_as_cold(&mut session, &book, dir.path(), "first build");

    // One sentence in one chapter: the rest is taken as it was.
    edit(&ch[2], |t| {
        t.replacen(
            ". ",
            ". An edited sentence, long enough to move the line breaks of its paragraph. ",
            1,
        )
    });
    same_as_cold(&mut session, &book, dir.path(), "a sentence");
    assert_eq!(session.chapters_reused(), ch.len() - 1);
    let pages = session.pages_reused();
    assert!(pages > 10, "only {pages} PDF pages were reused");

    // Nothing changed at all.
    same_as_cold(&mut session, &book, dir.path(), "no change");
    assert_eq!(session.chapters_reused(), ch.len());

    type Step<'a> = (&'a str, Box<dyn Fn() + 'a>);
    let steps: Vec<Step> = vec![
        (
            "a paragraph, so that the pages after it move",
            Box::new(|| {
                edit(&ch[1], |t| {
                    format!("{t}\n{}\n", "A new paragraph. ".repeat(60))
                })
            }),
        ),
        (
            "a heading and a note (new ids, structure and contents entries)",
            Box::new(|| {
                edit(&ch[3], |t| {
                    format!(
                        "{t}\n## A new section\n\nIt has a note.[^new]\n\n[^new]: The new note.\n"
                    )
                })
            }),
        ),
        (
            "text in scripts the book's fonts lack (fallback faces)",
            Box::new(|| {
                edit(&ch[4], |t| {
                    format!("{t}\n中文的段落。 العربية هنا. עברית.\n")
                })
            }),
        ),
        (
            "the fallback text removed again",
            Box::new(|| {
                edit(&ch[4], |t| {
                    t.replace("\n中文的段落。 العربية هنا. עברית.\n", "")
                })
            }),
        ),
        (
            "a formula (the math font)",
            Box::new(|| {
                edit(&ch[0], |t| {
                    format!("{t}\n$$\\int_0^1 x^2\\,dx = \\frac13$$\n")
                })
            }),
        ),
        (
            "the formula removed",
            Box::new(|| {
                edit(&ch[0], |t| {
                    t.replace("\n$$\\int_0^1 x^2\\,dx = \\frac13$$\n", "")
                })
            }),
        ),
        (
            "an image",
            Box::new(|| {
                std::fs::copy(
                    common::fixture("features/images/gradient.png"),
                    book.join("gradient.png"),
                )
                .unwrap();
                edit(&ch[5], |t| format!("{t}\n![A gradient](gradient.png)\n"))
            }),
        ),
        (
            "the image replaced by another file of the same name",
            Box::new(|| {
                std::fs::copy(
                    common::fixture("readme/images/logo.png"),
                    book.join("gradient.png"),
                )
                .unwrap();
            }),
        ),
        (
            "book.yaml: the title and the font size",
            Box::new(|| {
                edit(&book.join("book.yaml"), |t| {
                    t.replacen("title:", "title: Retitled,", 1).replacen(
                        "font-size: 11",
                        "font-size: 10.5",
                        1,
                    )
                })
            }),
        ),
        (
            "a chapter left out of the book",
            Box::new(|| {
                edit(&book.join("book.yaml"), |t| {
                    t.replacen(&format!("  - {}\n", name(&ch[3])), "", 1)
                })
            }),
        ),
        (
            "a chapter added in the middle",
            Box::new(|| {
                std::fs::write(
                    book.join("inserted.md"),
                    "# Inserted\n\nA chapter that was not there.\n",
                )
                .unwrap();
                edit(&book.join("book.yaml"), |t| {
                    let after = format!("  - {}\n", name(&ch[1]));
                    t.replacen(&after, &format!("{after}  - inserted.md\n"), 1)
                })
            }),
        ),
        (
            "a broken link and a missing image",
            Box::new(|| {
                edit(&ch[2], |t| {
                    format!("{t}\n[broken](nowhere.md)\n\n![](missing.png)\n")
                })
            }),
        ),
        (
            "an unclosed quote in book.yaml (the build fails)",
            Box::new(|| {
                edit(&book.join("book.yaml"), |t| {
                    format!("{t}\nsubtitle: \"open\n")
                })
            }),
        ),
        (
            "the quote closed",
            Box::new(|| {
                edit(&book.join("book.yaml"), |t| {
                    t.replace("subtitle: \"open\n", "subtitle: \"closed\"\n")
                })
            }),
        ),
    ];
    for (step, change) in &steps {
        change();
        same_as_cold(&mut session, &book, dir.path(), step);
    }
}
