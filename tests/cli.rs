//! The command line end to end with the real binary: `init` → `build` →
//! EPUBCheck and qpdf clean; `init` never overwrites; completions and man
//! pages come out; output names keep the title's words; no progress bar or
//! colour in a pipe.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

fn folio(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_folio"))
        .current_dir(dir)
        .args(args)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .output()
        .expect("the folio binary runs")
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn init_then_build_is_clean_in_both_formats() {
    let dir = tempfile::tempdir().unwrap();
    let o = folio(dir.path(), &["init"]);
    assert!(o.status.success(), "{}", text(&o));
    for file in [
        "book/book.yaml",
        "book/01-welcome.md",
        "book/02-features.md",
        "book/images/open-book.png",
    ] {
        assert!(dir.path().join(file).is_file(), "init wrote no {file}");
    }
    // The defaults of `build` find the book `init` wrote.
    let o = folio(dir.path(), &["build", "--deny-warnings"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(o.stderr.is_empty(), "the starter book warns:\n{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains(
            "layout: 0 overfull, 0 loose, 0 hyphen-run, 0 widow, 0 orphan, 0 heading-at-foot"
        ),
        "{stdout}"
    );
    let epub = dir.path().join("output/my-first-book.epub");
    let pdf = dir.path().join("output/my-first-book.pdf");
    assert_epubcheck_clean(&epub);
    assert_qpdf_clean(&pdf);
    assert_fonts_embedded(&pdf);

    // Every feature the starter book promises reaches the EPUB…
    let features = epub_file(&epub, "02-features.xhtml");
    for needle in [
        "<table",
        "<pre",
        "<dl",
        "E = mc^2",
        "01-welcome.xhtml#sections-and-notes",
    ] {
        assert!(
            features.contains(needle),
            "no {needle} in the features chapter:\n{features}"
        );
    }
    let welcome = epub_file(&epub, "01-welcome.xhtml");
    for needle in [
        "<blockquote",
        "<img",
        "epub:type=\"noteref\"",
        "02-features.xhtml",
        "<h2",
    ] {
        assert!(
            welcome.contains(needle),
            "no {needle} in the welcome chapter:\n{welcome}"
        );
    }
    assert!(epub_names(&epub)
        .iter()
        .any(|n| n.ends_with("open-book.png")));
    // … and the PDF.
    let words = pdftotext(&pdf, None);
    for needle in [
        "Welcome",
        "Sections and Notes",
        "Features",
        "Definitions",
        "println!",
    ] {
        assert!(words.contains(needle), "no {needle} in the PDF text");
    }
}

#[test]
fn init_into_a_named_folder_and_refuse_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let o = folio(dir.path(), &["init", "novel"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("folio build novel"));
    let yaml = dir.path().join("novel/book.yaml");
    std::fs::write(&yaml, "title: Mine\n").unwrap();

    let o = folio(dir.path(), &["init", "novel"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("error: there is already a book in novel; nothing was written"),
        "{stderr}"
    );
    assert!(stderr.contains("novel/book.yaml"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&yaml).unwrap(), "title: Mine\n");

    // A folder without a book.yaml but with one of the starter's files.
    std::fs::create_dir_all(dir.path().join("other")).unwrap();
    std::fs::write(dir.path().join("other/01-welcome.md"), "# Mine\n").unwrap();
    let o = folio(dir.path(), &["init", "other"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("other/01-welcome.md is already there"));
    assert!(
        !dir.path().join("other/book.yaml").exists(),
        "init wrote before refusing"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("other/01-welcome.md")).unwrap(),
        "# Mine\n"
    );
}

#[test]
fn completions_for_every_shell() {
    let dir = tempfile::tempdir().unwrap();
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef folio"),
        ("fish", "complete -c folio"),
        ("elvish", "edit:completion:arg-completer[folio]"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let o = folio(dir.path(), &["completions", shell]);
        assert!(o.status.success(), "{}", text(&o));
        let script = String::from_utf8_lossy(&o.stdout);
        assert!(script.contains(marker), "{shell}: no {marker}:\n{script}");
        for flag in ["deny-warnings", "color"] {
            assert!(script.contains(flag), "{shell}: no {flag}");
        }
    }
    let o = folio(dir.path(), &["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn man_pages_are_roff_from_the_clap_definitions() {
    let dir = tempfile::tempdir().unwrap();
    let o = folio(dir.path(), &["man"]);
    assert!(o.status.success(), "{}", text(&o));
    let page = String::from_utf8_lossy(&o.stdout);
    assert!(page.starts_with(".ie \\n(.g .ds Aq"), "{page}");
    for needle in [
        ".TH folio 1",
        ".SH NAME",
        ".SH SUBCOMMANDS",
        "folio\\-build(1)",
        "folio\\-init(1)",
    ] {
        assert!(page.contains(needle), "no {needle} in folio(1):\n{page}");
    }
    let o = folio(dir.path(), &["man", "build"]);
    let page = String::from_utf8_lossy(&o.stdout);
    for needle in [".TH folio-build 1", "\\-\\-deny\\-warnings", "\\-\\-out"] {
        assert!(
            page.contains(needle),
            "no {needle} in folio-build(1):\n{page}"
        );
    }
    let o = folio(dir.path(), &["man", "--out", "man"]);
    assert!(o.status.success(), "{}", text(&o));
    for name in [
        "folio.1",
        "folio-build.1",
        "folio-init.1",
        "folio-completions.1",
        "folio-man.1",
    ] {
        assert!(dir.path().join("man").join(name).is_file(), "no {name}");
    }
    let o = folio(dir.path(), &["man", "nope"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn output_names_keep_the_title_s_words() {
    for (title, stem) in [
        ("H-Bomb", "h-bomb"),
        ("Section", "section"),
        ("The Road: A Story", "the-road-a-story"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("book.yaml"),
            format!("title: \"{title}\"\n"),
        )
        .unwrap();
        std::fs::write(dir.path().join("a.md"), "# One\n\nText.\n").unwrap();
        let out = dir.path().join("out");
        let o = folio_build(dir.path(), &out, &["--epub"]);
        assert!(o.status.success(), "{}", text(&o));
        assert!(
            out.join(format!("{stem}.epub")).is_file(),
            "{title} gave {:?}",
            std::fs::read_dir(&out)
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect::<Vec<_>>()
        );
    }
}

#[test]
fn no_progress_bar_or_colour_in_a_pipe_and_verbose_names_the_stages() {
    let dir = tempfile::tempdir().unwrap();
    assert!(folio(dir.path(), &["init"]).status.success());
    let o = folio(dir.path(), &["build", "--verbose"]);
    assert!(o.status.success(), "{}", text(&o));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        !stderr.contains('\r') && !stderr.contains('\u{1b}'),
        "{stderr:?}"
    );
    for stage in ["config", "parse", "typeset", "write files"] {
        assert!(
            stderr.contains(stage),
            "--verbose does not name {stage}:\n{stderr}"
        );
    }
    let o = folio(dir.path(), &["build"]);
    assert!(o.stderr.is_empty(), "{}", text(&o));
}
