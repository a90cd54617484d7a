//! An mdBook book as it is → [`Config`]: book.toml's `[book]` table gives
//! the title, authors, language and description; `src/SUMMARY.md` (see
//! [`super::summary`]) gives the chapters, their order and nesting.
//!
//! What Folio cannot honour is said, never skipped silently: a
//! preprocessor other than mdBook's own `links` and `index` is a warning
//! at its `[preprocessor.…]` line (its output would be missing), a key of
//! `[book]` Folio does not know a warning at the key, a draft chapter a
//! note. The `[output.…]` tables configure mdBook's renderers and mean
//! nothing here.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::diag::{Diagnostic, Diagnostics, Location, SourceFile, StageResult};
use crate::url::percent_decode;

use super::read::{is_bcp47, Settings};
use super::resolve::{inside_root, resolve};
use super::summary::{self, Kind};
use super::yaml::{Doc, Node, Value};
use super::{Config, EntryKind, Flavor, KeyLocator, ResolvedChapter, MDBOOK_FILE};

/// mdBook's own preprocessors, which Folio does the work of (`links`:
/// `{{#include}}` and friends) or which change nothing in a book
/// (`index`: README.md served as index.html).
const BUILTIN_PREPROCESSORS: &[&str] = &["links", "index"];
/// Keys of `[book]` Folio reads, and those it knows mean nothing to a book.
const BOOK_KEYS: &[&str] = &["title", "authors", "language", "description", "src"];
const BOOK_KEYS_IGNORED: &[&str] = &["multilingual", "text-direction"];
/// Top-level tables of book.toml: the ones Folio reads or knowingly ignores.
const TOP_TABLES: &[&str] = &["book", "build", "rust", "preprocessor", "output"];
/// Where mdBook looks for the chapters when `[book] src` is not set.
const DEFAULT_SRC: &str = "src";
const SUMMARY_FILE: &str = "SUMMARY.md";

pub(super) fn load(root: &Path) -> StageResult<Config> {
    let path = root.join(MDBOOK_FILE);
    let text = super::read_text(&path, MDBOOK_FILE)?;
    let file = Arc::new(SourceFile::new(path.clone(), text));
    let table = DeTable::parse(&file.text).map_err(|e| {
        let at = match e.span() {
            Some(r) => Location::range(Arc::clone(&file), r),
            None => Location::file(&path),
        };
        Diagnostics::from(
            Diagnostic::error(format!("{MDBOOK_FILE} is not valid TOML: {}", e.message()))
                .at(at)
                .with_hint("mdBook would refuse this file too; see its `[book]` table"),
        )
    })?;
    let mut warnings = Vec::new();
    let mut keys = Vec::new();
    let at = |r: Range<usize>| Location::range(Arc::clone(&file), r);
    let mut settings = Settings::default();
    let mut src = PathBuf::from(DEFAULT_SRC);
    let mut title_at = None;
    for (key, value) in table.get_ref() {
        let name = key.get_ref().as_ref();
        keys.push((name.to_string(), key.span()));
        if !TOP_TABLES.contains(&name) {
            warnings.push(
                Diagnostic::warning(format!(
                    "`[{name}]` is not an mdBook table; Folio ignores it"
                ))
                .at(at(key.span())),
            );
            continue;
        }
        let DeValue::Table(inner) = value.get_ref() else {
            continue;
        };
        match name {
            "book" => {
                title_at = Some(key.span());
                for (k, v) in inner {
                    let k_name = k.get_ref().as_ref();
                    keys.push((format!("book.{k_name}"), k.span()));
                    let text = || match v.get_ref() {
                        DeValue::String(s) => Some(s.to_string()),
                        _ => None,
                    };
                    match k_name {
                        "title" => settings.title = text(),
                        "description" => settings.description = text(),
                        "authors" => {
                            settings.authors = match v.get_ref() {
                                DeValue::Array(items) => items
                                    .iter()
                                    .filter_map(|i| match i.get_ref() {
                                        DeValue::String(s) => Some(s.to_string()),
                                        _ => None,
                                    })
                                    .collect(),
                                DeValue::String(s) => vec![s.to_string()],
                                _ => Vec::new(),
                            }
                        }
                        "language" => match text() {
                            Some(tag) if is_bcp47(&tag) => settings.language = Some(tag),
                            other => warnings.push(
                                Diagnostic::warning(format!(
                                    "`language = {}` is not a BCP 47 language tag; the book is \
                                     set as English",
                                    other.unwrap_or_default()
                                ))
                                .at(at(v.span()))
                                .with_hint("use a tag such as `en`, `en-GB`, `fr` or `pt-BR`"),
                            ),
                        },
                        "src" => {
                            if let Some(s) = text() {
                                src = PathBuf::from(s);
                            }
                        }
                        k if BOOK_KEYS_IGNORED.contains(&k) || BOOK_KEYS.contains(&k) => {}
                        k => warnings.push(
                            Diagnostic::warning(format!(
                                "`{k}` in `[book]` is not an mdBook setting Folio reads"
                            ))
                            .at(at(k_span(k, v)))
                            .with_hint(format!("Folio reads {}", BOOK_KEYS.join(", "))),
                        ),
                    }
                }
            }
            "preprocessor" => {
                for (k, _) in inner {
                    let p = k.get_ref().as_ref();
                    keys.push((format!("preprocessor.{p}"), k.span()));
                    if !BUILTIN_PREPROCESSORS.contains(&p) {
                        warnings.push(
                            Diagnostic::warning(format!(
                                "preprocessor `{p}` is not run by Folio; what it would add to \
                                 the chapters is missing"
                            ))
                            .at(at(k.span()))
                            .with_hint(
                                "Folio does the work of mdBook's `links` preprocessor \
                                 ({{#include}}, {{#rustdoc_include}}, {{#playground}}, \
                                 {{#title}}); run other preprocessors' output through \
                                 `mdbook build` first, or write the text into the chapter",
                            ),
                        );
                    }
                }
            }
            _ => {}
        }
    }
    let title_at = title_at.unwrap_or(0..0);
    if settings
        .title
        .as_deref()
        .is_none_or(|t| t.trim().is_empty())
    {
        let name = root
            .canonicalize()
            .ok()
            .and_then(|r| r.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "Untitled".into());
        warnings.push(
            Diagnostic::warning(format!(
                "{MDBOOK_FILE} gives no `title`; the book is called `{name}` after its folder"
            ))
            .at(at(title_at.clone()))
            .with_hint("add `title = \"…\"` under `[book]`"),
        );
        settings.title = Some(name);
    }
    let shown_root = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let real_root = root.canonicalize().map_err(|e| {
        Diagnostics::from(Diagnostic::error(format!("cannot open book folder: {e}")).in_file(root))
    })?;
    let (outline, mut problems) = outline(&real_root, &shown_root, &src)?;
    warnings.append(&mut problems);
    let errors: Vec<Diagnostic> = warnings.iter().filter(|d| d.is_error()).cloned().collect();
    if !errors.is_empty() {
        return Err(Diagnostics(warnings));
    }
    settings.outline = Some(outline);
    // No book.yaml: every Folio setting takes its default. An empty YAML
    // document stands in, so `resolve` has something to locate in.
    let doc = Arc::new(Doc {
        file: Arc::new(SourceFile::new(path.clone(), String::new())),
        root: Node {
            value: Value::Null,
            path: Vec::new(),
        },
    });
    let mut config = resolve(root, path, settings, &doc, Flavor::MdBook).map_err(Diagnostics)?;
    config.keys = KeyLocator::spans(file, keys);
    warnings.append(&mut config.warnings);
    config.warnings = warnings;
    Ok(config)
}

/// The span to point at for a key of `[book]` (its value's, for lack of
/// the key's own in a nested table).
fn k_span(_key: &str, value: &Spanned<DeValue<'_>>) -> Range<usize> {
    value.span()
}

/// SUMMARY.md's entries as chapters to load; problems found on the way
/// (missing files, drafts, stray items) in the second list.
fn outline(
    root: &Path,
    shown_root: &Path,
    src: &Path,
) -> StageResult<(Vec<ResolvedChapter>, Vec<Diagnostic>)> {
    let relative = src.join(SUMMARY_FILE);
    let abs = inside_root(root, &relative).map_err(|why| {
        Diagnostic::error(format!("`src = {}` {why}", src.display()))
            .in_file(&shown_root.join(MDBOOK_FILE))
    })?;
    let shown = shown_root.join(&relative);
    if !abs.is_file() {
        return Err(Diagnostic::error(format!(
            "no {SUMMARY_FILE} in {}",
            shown_root.join(src).display()
        ))
        .in_file(&shown)
        .with_hint(
            "an mdBook book lists its chapters in src/SUMMARY.md: `- [Title](chapter.md)` \
                 per line",
        )
        .into());
    }
    let text = super::read_text(&abs, SUMMARY_FILE)?;
    let file = Arc::new(SourceFile::new(shown.clone(), text));
    let (entries, strays) = summary::parse(&file.text);
    let at = |r: Range<usize>| Location::range(Arc::clone(&file), r);
    let mut problems = Vec::new();
    for stray in strays {
        problems.push(
            Diagnostic::warning(format!(
                "`{}` in {SUMMARY_FILE} is not a link to a chapter; it is left out",
                stray.text
            ))
            .at(at(stray.span))
            .with_hint("write each entry as `- [Title](chapter.md)`"),
        );
    }
    let mut chapters = Vec::new();
    for entry in entries {
        let location = at(entry.span.clone());
        match entry.kind {
            Kind::Draft => problems.push(
                Diagnostic::note(format!(
                    "draft chapter `{}` has no file yet; it is left out, as mdBook leaves it",
                    entry.title
                ))
                .at(location),
            ),
            Kind::Part => chapters.push(ResolvedChapter {
                relative: relative.clone(),
                path: abs.clone(),
                title: Some(entry.title),
                location: Some(location),
                depth: entry.depth,
                kind: EntryKind::Part { title: entry.span },
            }),
            Kind::Chapter(dest) => {
                let dest = percent_decode(dest.trim_start_matches('<').trim_end_matches('>'));
                let chapter_relative = src.join(&dest);
                match inside_root(root, &chapter_relative) {
                    Err(why) => problems.push(
                        Diagnostic::error(format!("chapter `{dest}` {why}"))
                            .at(location)
                            .with_hint("chapters live in the book's src folder"),
                    ),
                    Ok(path) if !path.is_file() => problems.push(
                        Diagnostic::error(format!("chapter `{dest}` not found"))
                            .at(location)
                            .with_hint(
                                "paths in SUMMARY.md are relative to its folder; mdBook would \
                                 create an empty chapter here, Folio does not: create the file \
                                 or make the entry a draft, `[Title]()`",
                            ),
                    ),
                    Ok(path) => chapters.push(ResolvedChapter {
                        relative: chapter_relative,
                        path,
                        title: Some(entry.title),
                        location: Some(location),
                        depth: entry.depth,
                        kind: EntryKind::File,
                    }),
                }
            }
        }
    }
    if chapters.is_empty() && !problems.iter().any(Diagnostic::is_error) {
        problems.push(
            Diagnostic::error(format!("{SUMMARY_FILE} lists no chapters"))
                .at(Location::file(&shown))
                .with_hint("list each chapter as `- [Title](chapter.md)`"),
        );
    }
    Ok((chapters, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        dir
    }

    #[test]
    fn book_toml_and_summary_make_the_config() {
        let dir = book(&[
            (
                "book.toml",
                "[book]\ntitle = \"The Book\"\nauthors = [\"Ann\", \"Bo\"]\nlanguage = \"fr\"\n\n[preprocessor.links]\n[preprocessor.katex]\n[output.html]\n",
            ),
            ("src/SUMMARY.md", "# Summary\n\n[Intro](intro.md)\n\n# Part\n\n- [One](one.md)\n  - [Two](sub/two.md)\n- [Draft]()\n"),
            ("src/intro.md", "# Intro\n"),
            ("src/one.md", "# One\n"),
            ("src/sub/two.md", "# Two\n"),
        ]);
        let config = super::super::load(dir.path()).unwrap();
        assert_eq!(config.flavor, Flavor::MdBook);
        assert_eq!(config.title, "The Book");
        assert_eq!(config.authors, ["Ann", "Bo"]);
        assert_eq!(config.language, "fr");
        let outline: Vec<(String, u8)> = config
            .chapters
            .iter()
            .map(|c| (c.relative.to_string_lossy().into_owned(), c.depth))
            .collect();
        assert_eq!(
            outline,
            [
                ("src/intro.md".into(), 0),
                ("src/SUMMARY.md".into(), 0),
                ("src/one.md".into(), 1),
                ("src/sub/two.md".into(), 2)
            ]
        );
        let messages: Vec<String> = config
            .warnings
            .iter()
            .map(|d| format!("{}: {}", d.location.as_ref().unwrap(), d.message))
            .collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(
            messages[0].contains("book.toml:7:15: preprocessor `katex` is not run by Folio"),
            "{messages:?}"
        );
        assert!(
            messages[1].contains("SUMMARY.md:9:3: draft chapter `Draft`"),
            "{messages:?}"
        );
        assert_eq!(config.keys.locate(&["book.title"]).line(), Some(2));
    }

    #[test]
    fn a_missing_chapter_is_an_error_at_its_summary_line() {
        let dir = book(&[
            ("book.toml", "[book]\ntitle = \"T\"\n"),
            ("src/SUMMARY.md", "- [Gone](gone.md)\n"),
        ]);
        let e = super::super::load(dir.path()).unwrap_err();
        assert_eq!(e.0[0].message, "chapter `gone.md` not found");
        assert!(e.0[0]
            .location
            .as_ref()
            .unwrap()
            .to_string()
            .ends_with("SUMMARY.md:1:3"));
    }
}
