//! YAML blocks at the top of Markdown files, as Pandoc, Jekyll and Hugo
//! write them: a line `---`, YAML, a line `---` or `...`.
//!
//! In a book of one Markdown file ([`load`]) the block is the book's
//! metadata: Pandoc's keys (`title`, `author`, `lang`, `date`,
//! `cover-image`, `abstract`, `keywords`…) and every book.yaml key are
//! read, and the file is cut into chapters at its top headings when it is
//! loaded. In a chapter file ([`front_matter`]) the block is the chapter's
//! own: `title` names the chapter when it has no `#` heading. Either way
//! the block is metadata and is never printed; a key Folio does not use is
//! a warning at its line, since other tools' templates invent their own.
//!
//! The YAML is parsed from the file's text cut just before the closing
//! line, so every position the YAML layer reports is the file's own.

use std::path::Path;
use std::sync::Arc;

use crate::diag::{Diagnostic, Diagnostics, Location, SourceFile, StageResult};

use super::read::{read, Settings};
use super::resolve::resolve;
use super::yaml::{self, Doc, Node, Step, Value};
use super::{Config, EntryKind, Flavor, ResolvedChapter};

/// Pandoc's metadata keys and the book.yaml keys they stand for.
const PANDOC_ALIASES: &[(&str, &str)] = &[
    ("author", "authors"),
    ("lang", "language"),
    ("cover-image", "cover"),
    ("abstract", "description"),
    ("keywords", "subjects"),
    ("subject", "subjects"),
];
/// Keys of a chapter's front matter Folio reads.
const CHAPTER_KEYS: &[&str] = &["title"];

/// A metadata block found at the top of a file.
struct Block {
    /// The file's text up to the closing line: the YAML, positioned as in
    /// the file.
    doc: Doc,
    /// Where the text after the block starts.
    body: usize,
}

/// The block at the top of `text`, if there is one and it is YAML
/// settings (a `---` opening a document that is not a mapping is a
/// thematic break, and Markdown).
fn block(path: &Path, text: &str) -> Result<Option<Block>, Diagnostic> {
    let first_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if text[..first_end].trim_end() != "---" {
        return Ok(None);
    }
    let mut at = first_end;
    let close = loop {
        if at >= text.len() {
            return Ok(None);
        }
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
        let line = text[at..end].trim_end();
        if line == "---" || line == "..." {
            break (at, end);
        }
        at = end;
    };
    let yaml_text = text[..close.0].to_string();
    let file = Arc::new(SourceFile::new(path.to_path_buf(), yaml_text));
    match yaml::parse(file) {
        Ok(doc) if matches!(doc.root.value, Value::Map(_)) => {
            Ok(Some(Block { doc, body: close.1 }))
        }
        // Not settings: leave the text to Markdown.
        Ok(_) => Ok(None),
        Err(d) => Err(d),
    }
}

/// A chapter's front matter, read.
#[derive(Debug, Clone, Default)]
pub struct FrontMatter {
    /// Where the chapter's text begins, after the block.
    pub body: usize,
    pub title: Option<String>,
    /// Keys Folio does not use, values it cannot read.
    pub warnings: Vec<Diagnostic>,
}

/// The front matter at the top of a chapter's text (`path` as shown to
/// the user), if it has one.
pub fn front_matter(path: &Path, text: &str) -> Option<FrontMatter> {
    let block = match block(path, text) {
        Ok(b) => b?,
        Err(d) => {
            // A block that opens and closes like front matter but is not
            // YAML: it stays Markdown, and the author learns why.
            return Some(FrontMatter {
                body: 0,
                title: None,
                warnings: vec![Diagnostic::warning(format!(
                    "this front matter is not valid YAML, so it is printed as text: {}",
                    d.message
                ))
                .at(d.location.unwrap_or_else(|| Location::file(path)))],
            });
        }
    };
    let mut out = FrontMatter {
        body: block.body,
        ..FrontMatter::default()
    };
    if let Value::Map(entries) = &block.doc.root.value {
        for (key, node) in entries {
            match key.as_str() {
                "title" => match &node.value {
                    Value::Text(t) => out.title = Some(t.trim().to_string()),
                    _ => out.warnings.push(
                        Diagnostic::warning("the chapter's `title` must be text")
                            .at(block.doc.locate(node)),
                    ),
                },
                other => out.warnings.push(
                    Diagnostic::warning(format!(
                        "`{other}` in the chapter's front matter is not used by Folio"
                    ))
                    .at(block.doc.locate_key(&node.path))
                    .with_hint(format!(
                        "a chapter's front matter may set {}; book settings belong in book.yaml",
                        CHAPTER_KEYS.join(", ")
                    )),
                ),
            }
        }
    }
    Some(out)
}

/// A book in one Markdown file: its metadata block → [`Config`], with one
/// entry that the source stage cuts into chapters.
pub(super) fn load(file: &Path) -> StageResult<Config> {
    let text = super::read_text(file, "the book file")?;
    let root = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Some(mut block) = block(file, &text).map_err(Diagnostics::from)? else {
        return Err(Diagnostic::error(format!(
            "{} has no metadata block",
            file.display()
        ))
        .at(Location::at(file, 1, 1))
        .with_hint("start the file with `---`, then `title: The Title`, `author: Name`, then `---`")
        .into());
    };
    let mut warnings = Vec::new();
    // Pandoc's names for book.yaml's keys; keys neither knows are left out
    // with a warning (templates invent their own).
    let taken = match &mut block.doc.root.value {
        Value::Map(entries) => Some(std::mem::take(entries)),
        _ => None,
    };
    if let Some(entries) = taken {
        let mut kept = Vec::new();
        for (key, node) in entries {
            let name = PANDOC_ALIASES
                .iter()
                .find(|(alias, _)| *alias == key)
                .map_or(key.as_str(), |(_, k)| k)
                .to_string();
            if super::read::TOP_KEYS.contains(&name.as_str()) {
                // The node keeps the path as written, so problems are
                // located at the key the author wrote.
                kept.push((name, pandoc_authors(node)));
            } else {
                warnings.push(
                    Diagnostic::warning(format!(
                        "`{key}` in the metadata block is not used by Folio"
                    ))
                    .at(block.doc.locate_key(&[Step::Key(key.clone())]))
                    .with_hint(
                        "Folio reads title, subtitle, author, lang, date, publisher, rights, \
                             abstract, keywords, cover-image, identifier and every book.yaml key",
                    ),
                );
            }
        }
        block.doc.root.value = Value::Map(kept);
    }
    let has_title = matches!(&block.doc.root.value, Value::Map(e)
        if e.iter().any(|(k, n)| k == "title" && matches!(&n.value, Value::Text(t) if !t.trim().is_empty())));
    if !has_title {
        return Err(
            Diagnostic::error(format!("{} gives no `title`", file.display()))
                .at(Location::at(file, 1, 1))
                .with_hint("add `title: The Title of the Book` to the metadata block")
                .into(),
        );
    }
    let mut settings: Settings = read(&block.doc).map_err(Diagnostics)?;
    if settings.chapters.is_some() {
        warnings.push(
            Diagnostic::warning("`chapters` means nothing in a one-file book; the file's top headings make the chapters")
                .at(block.doc.locate_key(&[Step::Key("chapters".into())])),
        );
        settings.chapters = None;
    }
    let name = file
        .file_name()
        .map(std::path::PathBuf::from)
        .unwrap_or_default();
    let abs = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    settings.outline = Some(vec![ResolvedChapter {
        kind: EntryKind::Split { body: block.body },
        ..ResolvedChapter::file(name, abs)
    }]);
    let doc = Arc::new(block.doc);
    let mut config =
        resolve(root, file.to_path_buf(), settings, &doc, Flavor::Pandoc).map_err(Diagnostics)?;
    warnings.append(&mut config.warnings);
    config.warnings = warnings;
    Ok(config)
}

/// Pandoc allows authors as maps (`- name: Ann`): their names are taken.
fn pandoc_authors(node: Node) -> Node {
    let Value::List(items) = node.value else {
        return node;
    };
    let items = items
        .into_iter()
        .map(|item| match &item.value {
            Value::Map(fields) => match fields.iter().find(|(k, _)| k == "name") {
                Some((_, name)) => name.clone(),
                None => item,
            },
            _ => item,
        })
        .collect();
    Node {
        value: Value::List(items),
        path: node.path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_is_metadata_and_unknown_keys_are_warned_at_their_line() {
        let text = "---\ntitle: Opening\nlayout: post\n---\nText.\n";
        let fm = front_matter(Path::new("ch.md"), text).unwrap();
        assert_eq!(fm.title.as_deref(), Some("Opening"));
        assert_eq!(&text[fm.body..], "Text.\n");
        assert_eq!(fm.warnings.len(), 1);
        assert_eq!(
            fm.warnings[0].location.as_ref().unwrap().to_string(),
            "ch.md:3:1"
        );
    }

    #[test]
    fn a_thematic_break_is_not_front_matter() {
        assert!(front_matter(Path::new("a.md"), "---\n\nText\n").is_none());
        assert!(front_matter(Path::new("a.md"), "Text\n---\n").is_none());
        assert!(front_matter(Path::new("a.md"), "---\nJust a line\n---\n").is_none());
    }

    #[test]
    fn a_one_file_book_reads_pandoc_keys() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("book.md");
        std::fs::write(
            &p,
            "---\ntitle: One File\nauthor:\n  - name: Ann\n  - Bo\nlang: de\ntheme: dark\n---\n\n# A\n\nx\n\n# B\n\ny\n",
        )
        .unwrap();
        let c = super::super::load(&p).unwrap();
        assert_eq!(c.title, "One File");
        assert_eq!(c.authors, ["Ann", "Bo"]);
        assert_eq!(c.language, "de");
        assert_eq!(c.flavor, Flavor::Pandoc);
        assert!(matches!(c.chapters[0].kind, EntryKind::Split { .. }));
        assert_eq!(c.warnings.len(), 1);
        assert!(c.warnings[0]
            .location
            .as_ref()
            .unwrap()
            .to_string()
            .ends_with("book.md:7:1"));
    }
}
