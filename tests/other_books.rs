//! Books kept by other tools build as they are: an mdBook book (book.toml,
//! src/SUMMARY.md, `{{#include}}` and friends, rustdoc's hidden lines,
//! links between chapters as `.md` and `.html`), a Pandoc-style book in
//! one Markdown file, and chapters with front matter.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

/// Builds `book` into a temp folder; returns (dir, epub, pdf, stderr).
fn build(
    book: &Path,
) -> (
    tempfile::TempDir,
    std::path::PathBuf,
    std::path::PathBuf,
    String,
) {
    let out = tempfile::tempdir().unwrap();
    let o = folio_build(book, out.path(), &[]);
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "build failed:\n{stderr}");
    let (epub, pdf) = build_paths(out.path());
    (out, epub, pdf, stderr)
}

fn build_paths(out: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let find = |ext: &str| {
        std::fs::read_dir(out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|x| x == ext))
            .unwrap()
    };
    (find("epub"), find("pdf"))
}

/// Every `href` of the EPUB's chapters that points into the book, and
/// every id each file holds.
/// (file, href or id) pairs.
type Pairs = Vec<(String, String)>;

fn hrefs_and_ids(epub: &Path) -> (Pairs, Pairs) {
    let mut hrefs = Vec::new();
    let mut ids = Vec::new();
    for name in epub_names(epub) {
        if !name.ends_with(".xhtml") || name.ends_with("nav.xhtml") {
            continue;
        }
        let file = name.rsplit('/').next().unwrap().to_string();
        let xml = epub_file(epub, &name);
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XHTML");
        for n in doc.descendants() {
            if let Some(id) = n.attribute("id") {
                ids.push((file.clone(), id.to_string()));
            }
            if n.has_tag_name("a") {
                if let Some(h) = n.attribute("href") {
                    if !h.contains(':') {
                        hrefs.push((file.clone(), h.to_string()));
                    }
                }
            }
        }
    }
    (hrefs, ids)
}

#[test]
fn an_mdbook_book_builds_as_it_is() {
    let (_out, epub, pdf, stderr) = build(&fixture("mdbook"));
    // The draft chapter is a note at its SUMMARY.md line; nothing else.
    assert!(
        stderr.contains("note: draft chapter `Harvest` has no file yet")
            && stderr.contains("src/SUMMARY.md:9:3"),
        "{stderr}"
    );
    assert!(!stderr.contains("warning"), "{stderr}");
    assert_epubcheck_clean(&epub);
    assert_qpdf_clean(&pdf);

    // SUMMARY.md's order and nesting: prefix chapter, parts holding their
    // numbered chapters, a sub-chapter under its parent, the suffix.
    let toc: Vec<(usize, String)> = nav_toc(&epub);
    let chapters: Vec<(usize, &str)> = toc
        .iter()
        .filter(|(_, l)| {
            [
                "Introduction",
                "Planting",
                "Seeds",
                "Watering",
                "Tending",
                "Weeds",
                "Glossary",
            ]
            .contains(&l.as_str())
        })
        .map(|(d, l)| (*d, l.as_str()))
        .collect();
    assert_eq!(
        chapters,
        [
            (0, "Introduction"),
            (0, "Planting"),
            (1, "Seeds"),
            (2, "Watering"),
            (0, "Tending"),
            (1, "Weeds"),
            (0, "Glossary")
        ]
    );
    let opf = epub_file(&epub, "content.opf");
    assert!(
        opf.contains("Ferris Keeps a Garden") && opf.contains("Ann Gardener"),
        "{opf}"
    );
    assert!(opf.contains("<dc:language>en</dc:language>"), "{opf}");

    // Includes are expanded, hidden lines hidden, and no directive is printed.
    let text = pdftotext(&pdf, None);
    for gone in ["{{#", "ANCHOR", "# fn main", "# }", "{{"] {
        assert!(!text.contains(gone), "`{gone}` printed:\n{text}");
    }
    assert!(text.contains("fn count(seeds: &[&str])"), "{text}");
    assert!(text.contains("About 25 millimetres a week"), "{text}");
    assert!(text.contains("let rows = 3;"), "{text}");
    assert!(text.contains("use std::collections::BTreeMap;"), "{text}");
    assert_eq!(
        text.matches("fn main()").count(),
        1,
        "only the whole file has main"
    );

    // Every link between chapters (`.md`, `.html`, `index.html`, with and
    // without fragments) resolves to a file and id that exist.
    let (hrefs, ids) = hrefs_and_ids(&epub);
    let files: Vec<String> = epub_names(&epub)
        .into_iter()
        .map(|n| n.rsplit('/').next().unwrap().to_string())
        .collect();
    let chapter_links: Vec<&(String, String)> = hrefs
        .iter()
        .filter(|(_, h)| !h.starts_with('#') && !h.ends_with(".css"))
        .collect();
    assert!(chapter_links.len() >= 9, "{chapter_links:?}");
    for (from, href) in &chapter_links {
        let (file, id) = href.split_once('#').unwrap_or((href, ""));
        assert!(
            files.iter().any(|f| f == file),
            "{from}: {href}: no such file"
        );
        if !id.is_empty() {
            assert!(
                ids.iter().any(|(f, i)| f == file && i == id),
                "{from}: {href}: no such id"
            );
        }
    }
    for wanted in ["#how-much", "#pulling-weeds", "#choosing-seeds", "#weed"] {
        assert!(
            chapter_links.iter().any(|(_, h)| h.ends_with(wanted)),
            "{wanted}: {chapter_links:?}"
        );
    }
    // In the PDF, the same links are link annotations.
    let raw = common::uncompressed_pdf(&pdf);
    let links = raw.matches("/Subtype /Link").count();
    assert!(links >= chapter_links.len(), "{links} PDF links");
}

#[test]
fn what_folio_does_not_know_is_a_warning_at_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    let files: &[(&str, &str)] = &[
        (
            "book.toml",
            "[book]\ntitle = \"T\"\nauthors = [\"A\"]\n\n[preprocessor.katex]\nafter = [\"links\"]\n",
        ),
        ("src/SUMMARY.md", "- [One](one.md)\n"),
        (
            "src/one.md",
            "# One\n\nText {{#template footer.md}} here.\n\n{{#include part.md}}\n",
        ),
        ("src/part.md", "A line.\n\nA [broken link](nowhere.md).\n"),
    ];
    for (name, text) in files {
        let p = book.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let out = dir.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_folio"))
        .current_dir(dir.path())
        .args(["build", "book", "-o"])
        .arg(&out)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning: preprocessor `katex` is not run by Folio")
            && stderr.contains("book/book.toml:5:15"),
        "{stderr}"
    );
    assert!(
        stderr.contains("warning: `{{#template}}` is not a directive Folio knows")
            && stderr.contains("book/src/one.md:3:6"),
        "{stderr}"
    );
    // A problem inside included text is reported at the included file's line.
    assert!(
        stderr.contains("link to `nowhere.md`") && stderr.contains("book/src/part.md:3:3"),
        "{stderr}"
    );
}

#[test]
fn a_pandoc_style_book_in_one_file() {
    let (_out, epub, pdf, stderr) = build(&fixture("pandoc").join("book.md"));
    assert!(!stderr.contains("warning"), "{stderr}");
    assert_epubcheck_clean(&epub);
    let toc: Vec<String> = nav_toc(&epub).into_iter().map(|(_, l)| l).collect();
    assert_eq!(
        toc,
        [
            "The First Letter",
            "The Second Letter",
            "Rain",
            "The Third Letter"
        ]
    );
    let opf = epub_file(&epub, "content.opf");
    for want in [
        "Letters from the Hill Station",
        "Ann Writer",
        "Bo Editor",
        "en-GB",
        "2024-05-01",
    ] {
        assert!(opf.contains(want), "{want}: {opf}");
    }
    let text = pdftotext(&pdf, None);
    assert!(
        !text.contains("keywords") && !text.contains("abstract"),
        "{text}"
    );
    assert!(text.contains("For the people of the hills."), "{text}");
    // The link to a later chapter of the same file resolves: to the file
    // that holds the heading (its start, as the heading opens it).
    let (hrefs, ids) = hrefs_and_ids(&epub);
    let holder = &ids
        .iter()
        .find(|(_, i)| i == "the-third-letter")
        .expect("the third letter's id")
        .0;
    assert!(
        hrefs
            .iter()
            .any(|(_, h)| h.split('#').next() == Some(holder.as_str())),
        "{hrefs:?}"
    );
}

#[test]
fn a_chapter_s_front_matter_is_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    std::fs::create_dir_all(&book).unwrap();
    std::fs::write(book.join("book.yaml"), "title: Fronted\nauthors: [A]\n").unwrap();
    std::fs::write(
        book.join("01.md"),
        "---\ntitle: A Chapter Without a Heading\nlayout: post\n---\nThe text of the chapter.\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_folio"))
        .current_dir(dir.path())
        .args(["build", "book", "-o"])
        .arg(&out)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning: `layout` in the chapter's front matter is not used by Folio")
            && stderr.contains("book/01.md:3:1"),
        "{stderr}"
    );
    let (epub, pdf) = build_paths(&out);
    let toc: Vec<String> = nav_toc(&epub).into_iter().map(|(_, l)| l).collect();
    assert_eq!(toc, ["A Chapter Without a Heading"]);
    let text = pdftotext(&pdf, None);
    assert!(!text.contains("layout") && !text.contains("---"), "{text}");
    assert!(text.contains("The text of the chapter."), "{text}");
}
