//! book.yaml → [`Config`]: the first stage of the pipeline.
//!
//! [`load`] runs four steps: read the file → [`yaml`] parses it (syntax
//! errors at the place the reader must look) → [`read`] checks every key
//! and value, collecting all problems in the book's terms → [`resolve`]
//! applies defaults, converts lengths to points, makes paths absolute
//! inside the book folder and finds the fonts.
//!
//! The config owns its types. The writers' settings
//! (`typeset::PdfSettings`, `epub::EpubSettings`) are resolved from it by
//! the writers; nothing here knows them.

mod read;
mod resolve;
mod yaml;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diag::{Diagnostic, Diagnostics, Location, SourceFile, StageResult};
use crate::units::Pt;

pub use read::{parse_length, CodeTheme, MissingGlyphs, MAX_FONT_EXPANSION_PERCENT};
pub use resolve::{builtin_fonts_dir, find_fonts, inside_root};

/// Name of the configuration file inside a book folder.
pub const CONFIG_FILE: &str = "book.yaml";

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
    /// How code blocks are coloured in both formats.
    pub code_theme: CodeTheme,
    pub chapters: Vec<ResolvedChapter>,
    /// `fonts:` as written: a family for each script, keyed by script or
    /// language (each key checked to name one).
    pub script_fonts: Vec<(String, String)>,
    /// `labels:` as written: the book's own words for Folio's furniture,
    /// keyed by label (each key checked).
    pub labels: Vec<(String, String)>,
    pub epub: EpubConfig,
    pub pdf: PdfConfig,
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
    /// Where the entry is written in book.yaml, if it was listed there.
    pub location: Option<Location>,
}

/// Reads and resolves `<root>/book.yaml`, reporting every problem at once.
pub fn load(root: &Path) -> StageResult<Config> {
    let path = root.join(CONFIG_FILE);
    let file = Arc::new(SourceFile::new(path.clone(), read_file(root, &path)?));
    let doc = yaml::parse(file).map_err(Diagnostics::from)?;
    let settings = read::read(&doc).map_err(Diagnostics)?;
    resolve::resolve(root, path, settings, &doc).map_err(Diagnostics)
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
            "a book folder needs a book.yaml with at least `title:`; \
                     `folio init` writes a starter book",
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
