//! book.yaml → [`Config`]: the first stage of the pipeline.
//!
//! [`load`] runs four steps: read the file → [`yaml`] parses it (syntax
//! errors at the place the reader must look) → [`read`] checks every key
//! and value, collecting all problems in the book's terms → [`resolve`]
//! applies defaults, converts lengths to points, makes paths absolute
//! inside the book folder and finds the fonts.
//!
//! Books kept by other tools are read as they are: an mdBook book
//! ([`mdbook`]: book.toml for the metadata, [`summary`] for SUMMARY.md's
//! outline) and a Pandoc-style book in one Markdown file ([`pandoc`]: its
//! YAML metadata block; a chapter file's own front matter is read there
//! too). Each ends in the same [`resolve`], so every book gets the same
//! defaults and checks; [`KeyLocator`] remembers where each setting is
//! written, for problems found later (`folio check`).
//!
//! The config owns its types. The writers' settings
//! (`typeset::PdfSettings`, `epub::EpubSettings`) are resolved from it by
//! the writers; nothing here knows them.

mod locate;
mod mdbook;
mod pandoc;
mod read;
mod resolve;
mod summary;
mod yaml;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diag::{Diagnostic, Diagnostics, Location, SourceFile, StageResult};
use crate::units::Pt;

pub use locate::KeyLocator;
pub use pandoc::{front_matter, FrontMatter};
pub use read::{
    page_size, parse_length, LinkUrls, MissingGlyphs, PdfStandard, MAX_FONT_EXPANSION_PERCENT,
};
pub use resolve::{builtin_fonts_dir, find_fonts, inside_root};

/// Name of the configuration file inside a book folder.
pub const CONFIG_FILE: &str = "book.yaml";
/// mdBook's configuration file, read when a folder has no book.yaml.
pub const MDBOOK_FILE: &str = "book.toml";

/// Where the book's settings come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// A folder with book.yaml.
    Folio,
    /// A folder with mdBook's book.toml and src/SUMMARY.md.
    MdBook,
    /// One Markdown file with a YAML metadata block, as Pandoc reads it.
    Pandoc,
}

/// The resolved configuration the pipeline runs on.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The book folder (absolute).
    pub root: PathBuf,
    /// Path of book.yaml as shown to the user.
    pub path: PathBuf,
    pub title: String,
    pub subtitle: Option<String>,
    /// Authors in display order.
    pub authors: Vec<String>,
    /// BCP 47 tag.
    pub language: String,
    pub identifier: String,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub date: Option<String>,
    pub publisher: Option<String>,
    pub rights: Option<String>,
    pub description: Option<String>,
    pub subjects: Vec<String>,
    /// Cover image (absolute path inside the book folder).
    pub cover: Option<PathBuf>,
    /// Deepest heading level in the table of contents (1–6).
    pub toc_depth: u8,
    pub chapters: Vec<ResolvedChapter>,
    /// `fonts:` as written: a family for each script, keyed by script or
    /// language (each key checked to name one).
    pub script_fonts: Vec<(String, String)>,
    /// `labels:` as written: the book's own words for Folio's furniture,
    /// keyed by label (each key checked).
    pub labels: Vec<(String, String)>,
    pub epub: EpubConfig,
    pub pdf: PdfConfig,
    /// Which kind of book this is.
    pub flavor: Flavor,
    /// Where each setting is written, for problems found after loading.
    pub keys: KeyLocator,
    /// Problems that do not stop the build (an mdBook preprocessor Folio
    /// does not run, a draft chapter left out).
    pub warnings: Vec<Diagnostic>,
}

/// book.yaml's `epub` section, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct EpubConfig {
    /// Extra CSS appended after Folio's (absolute path).
    pub stylesheet: Option<PathBuf>,
    /// Heading level at which over-long chapters are split (1–6).
    pub split_level: u8,
    pub embed_fonts: bool,
    /// Deepest level of the EPUB's nav and NCX; `None`: the toc-depth.
    pub nav_depth: Option<u8>,
}

/// book.yaml's `pdf` section, resolved: lengths in points.
#[derive(Debug, Clone, PartialEq)]
pub struct PdfConfig {
    pub page_width: Pt,
    pub page_height: Pt,
    pub margin_top: Pt,
    pub margin_bottom: Pt,
    /// Binding side.
    pub margin_inner: Pt,
    pub margin_outer: Pt,
    pub font_size: Pt,
    pub leading: Pt,
    /// Font expansion of justified text in percent; `None`: the
    /// typesetter's default.
    pub font_expansion_percent: Option<f64>,
    pub chapters_on_recto: bool,
    pub fonts: FontPaths,
    /// What to do with text no font has.
    pub missing_glyphs: MissingGlyphs,
    /// How links' web addresses are printed.
    pub link_urls: LinkUrls,
    /// The standard the PDF is written to.
    pub standard: PdfStandard,
}

/// The font files of the book's families.
#[derive(Debug, Clone, PartialEq)]
pub struct FontPaths {
    pub regular: PathBuf,
    pub italic: PathBuf,
    pub bold: PathBuf,
    pub bold_italic: PathBuf,
    pub mono: PathBuf,
}

/// A chapter file to load.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedChapter {
    /// Path relative to the book folder.
    pub relative: PathBuf,
    /// Absolute path.
    pub path: PathBuf,
    pub title: Option<String>,
    /// Where the entry is written in book.yaml (or SUMMARY.md), if it was
    /// listed there.
    pub location: Option<Location>,
    /// Nesting in the book's outline: 0 for a top-level chapter, one more
    /// under a part or a parent chapter (mdBook's SUMMARY.md). The table of
    /// contents nests the chapter's headings that much deeper.
    pub depth: u8,
    pub kind: EntryKind,
}

/// What an entry of the outline is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// A chapter file.
    File,
    /// A part title with no file of its own (an mdBook `# Part` line):
    /// `path` is the outline's file and `title` the byte range of the
    /// title's text in it.
    Part { title: std::ops::Range<usize> },
    /// One Markdown file holding the whole book, cut into chapters at its
    /// top headings; its text starts at `body` (after the metadata block).
    Split { body: usize },
}

impl ResolvedChapter {
    /// A chapter file at the top of the outline.
    pub fn file(relative: PathBuf, path: PathBuf) -> ResolvedChapter {
        ResolvedChapter {
            relative,
            path,
            title: None,
            location: None,
            depth: 0,
            kind: EntryKind::File,
        }
    }
}

/// Reads and resolves a book's settings, reporting every problem at once:
/// `<root>/book.yaml`; else mdBook's `<root>/book.toml`; or, when `root`
/// is a Markdown file, that file's metadata block.
pub fn load(root: &Path) -> StageResult<Config> {
    let is_markdown = root
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"));
    if is_markdown && root.is_file() {
        return pandoc::load(root);
    }
    let path = root.join(CONFIG_FILE);
    if !path.exists() && root.join(MDBOOK_FILE).is_file() {
        return mdbook::load(root);
    }
    let file = Arc::new(SourceFile::new(path.clone(), read_file(root, &path)?));
    let doc = Arc::new(yaml::parse(file).map_err(Diagnostics::from)?);
    let settings = read::read(&doc).map_err(Diagnostics)?;
    resolve::resolve(root, path, settings, &doc, Flavor::Folio).map_err(Diagnostics)
}

/// A text file of the book's settings, as text.
fn read_text(path: &Path, what: &str) -> StageResult<String> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|e| {
            Diagnostic::error(format!("{what} is not valid UTF-8"))
                .at(invalid_utf8_location(
                    path,
                    e.as_bytes(),
                    e.utf8_error().valid_up_to(),
                ))
                .with_hint("save the file as UTF-8")
                .into()
        }),
        Err(e) => Err(Diagnostic::error(format!("cannot read {what}: {e}"))
            .in_file(path)
            .into()),
    }
}

fn read_file(root: &Path, path: &Path) -> StageResult<String> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|e| {
            Diagnostic::error(format!("{CONFIG_FILE} is not valid UTF-8"))
                .at(invalid_utf8_location(
                    path,
                    e.as_bytes(),
                    e.utf8_error().valid_up_to(),
                ))
                .with_hint("save the file as UTF-8")
                .into()
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Diagnostic::error(format!(
            "no {CONFIG_FILE} in {}",
            root.display()
        ))
        .in_file(path)
        .with_hint(
            "a book folder needs a book.yaml with at least `title:` (or mdBook's \
                     book.toml and src/SUMMARY.md); `folio init` writes a starter book",
        )
        .into()),
        Err(e) => Err(Diagnostic::error(format!("cannot read {CONFIG_FILE}: {e}"))
            .in_file(path)
            .into()),
    }
}

/// Location of a UTF-8 error in a file's bytes (no text to show: it is not text).
pub(crate) fn invalid_utf8_location(path: &Path, bytes: &[u8], valid_up_to: usize) -> Location {
    let before = &bytes[..valid_up_to];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    Location::at(path, line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(yaml: &str) -> StageResult<Config> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), "# A\n").unwrap();
        std::fs::write(dir.path().join("book.yaml"), yaml).unwrap();
        load(dir.path())
    }

    #[test]
    fn pdf_typesetting_keys_reach_the_config() {
        let defaults = with("title: X\n").unwrap().pdf;
        assert!(!defaults.chapters_on_recto);
        assert_eq!(defaults.font_expansion_percent, None);
        assert_eq!(defaults.standard, PdfStandard::Ua1);
        for (written, standard) in [("a-2b", PdfStandard::A2b), ("none", PdfStandard::None)] {
            let c = with(&format!("title: X\npdf:\n  standard: {written}\n")).unwrap();
            assert_eq!(c.pdf.standard, standard);
        }
        assert!(with("title: X\npdf:\n  standard: x-1\n").is_err());
        let set = with("title: X\npdf:\n  chapters-on-recto: true\n  font-expansion: 1.5\n")
            .unwrap()
            .pdf;
        assert!(set.chapters_on_recto);
        assert_eq!(set.font_expansion_percent, Some(1.5));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let e = with("title: X\ntoc-dept: 2\nlanguage: english!\npdf:\n  font-size: big\n  page-size: huge\n")
            .unwrap_err();
        let places: Vec<String> =
            e.0.iter()
                .map(|d| d.location.as_ref().unwrap().to_string())
                .collect();
        assert_eq!(e.0.len(), 4, "{e}");
        assert!(places[0].ends_with("book.yaml:2:1"), "{places:?}");
        assert!(places[3].ends_with("book.yaml:6:14"), "{places:?}");
    }

    #[test]
    fn a_title_is_required() {
        let e = with("subtitle: X\n").unwrap_err();
        assert_eq!(e.0[0].message, "book.yaml has no `title`");
    }
}
