//! Config → chapter sources in reading order: the second stage, and the
//! one place that reads the book's text files.
//!
//! Each entry of the config's outline becomes one or more chapter texts
//! in the [`SourceMap`]:
//! - a chapter file is read; a front matter block at its top is read as
//!   metadata and left out of the text; mdBook's `{{#…}}` directives are
//!   expanded ([`include`]) — the included lines are read here too;
//! - a part title (mdBook's `# Part` line in SUMMARY.md) becomes a chapter
//!   holding only that heading;
//! - a one-file book is cut into chapters at its top headings ([`split`]).
//!
//! A text that is not one file as written is added as a composed file
//! ([`SourceMap::add_composed`]): the parser sees the text, diagnostics
//! point at the file and line the author wrote. Every missing, unreadable
//! or non-UTF-8 file is reported at once.

pub mod files;
pub mod image;
mod include;
mod split;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::{front_matter, invalid_utf8_location, Config, EntryKind, CONFIG_FILE};
use crate::diag::{Diagnostic, Diagnostics, FileId, Piece, SourceMap, StageResult};

pub use include::MAX_INCLUDE_DEPTH;

/// One chapter text, read.
#[derive(Debug, Clone)]
pub struct Source {
    pub file: FileId,
    /// Path relative to the book folder.
    pub relative: PathBuf,
    /// Title from the outline or the front matter, for a chapter without a
    /// `#` heading of its own.
    pub title: Option<String>,
    /// Nesting in the book's outline (see `ResolvedChapter::depth`).
    pub depth: u8,
}

/// The book's texts: every file read, the chapters in reading order, and
/// the warnings met reading them.
#[derive(Debug, Clone)]
pub struct Sources {
    pub map: SourceMap,
    pub chapters: Vec<Source>,
    pub warnings: Vec<Diagnostic>,
}

/// Reads the chapters the config lists.
pub fn load_sources(config: &Config) -> StageResult<Sources> {
    let mut reader = Reader {
        config,
        map: SourceMap::default(),
        read: BTreeMap::new(),
        problems: Vec::new(),
    };
    let mut chapters = Vec::new();
    for chapter in &config.chapters {
        let shown = display_path(config, &chapter.relative);
        match &chapter.kind {
            EntryKind::Part { title } => {
                let Some(file) = reader.read(&chapter.path, &shown, chapter.location.as_ref())
                else {
                    continue;
                };
                let text = format!("# {}\n", &reader.map.get(file).text[title.clone()]);
                let piece = |at: usize, len: usize, from: usize, exact: bool| Piece {
                    at: at as u32,
                    len: len as u32,
                    file,
                    from: from as u32,
                    exact,
                };
                let pieces = vec![
                    piece(0, 2, title.start, false),
                    piece(2, title.len(), title.start, true),
                    piece(2 + title.len(), 1, title.end, false),
                ];
                let id = reader.map.add_composed(shown, text, pieces);
                chapters.push(Source {
                    file: id,
                    relative: chapter.relative.clone(),
                    title: chapter.title.clone(),
                    depth: chapter.depth,
                });
            }
            EntryKind::File => {
                let Some(file) = reader.read(&chapter.path, &shown, chapter.location.as_ref())
                else {
                    continue;
                };
                let text = &reader.map.get(file).text;
                let front = front_matter(&shown, text);
                let body = front.as_ref().map_or(0, |f| f.body);
                let mut title = chapter.title.clone();
                if let Some(front) = front {
                    reader.problems.extend(front.warnings);
                    title = title.or(front.title);
                }
                let len = text.len();
                let dir = parent(&chapter.relative);
                let id = reader.compose(file, body..len, &dir, &shown);
                chapters.push(Source {
                    file: id,
                    relative: chapter.relative.clone(),
                    title,
                    depth: chapter.depth,
                });
            }
            EntryKind::Split { body } => {
                let Some(file) = reader.read(&chapter.path, &shown, chapter.location.as_ref())
                else {
                    continue;
                };
                let text = &reader.map.get(file).text;
                let ranges = split::chapters(text, *body);
                let dir = parent(&chapter.relative);
                for range in ranges {
                    let id = reader.compose(file, range, &dir, &shown);
                    chapters.push(Source {
                        file: id,
                        relative: chapter.relative.clone(),
                        title: None,
                        depth: chapter.depth,
                    });
                }
            }
        }
    }
    if reader.problems.iter().any(Diagnostic::is_error) {
        return Err(Diagnostics(reader.problems));
    }
    Ok(Sources {
        map: reader.map,
        chapters,
        warnings: reader.problems,
    })
}

/// Reads files into the source map, each once.
struct Reader<'c> {
    config: &'c Config,
    map: SourceMap,
    /// Files read so far, by absolute path (`None`: could not be read).
    read: BTreeMap<PathBuf, Option<FileId>>,
    problems: Vec<Diagnostic>,
}

impl Reader<'_> {
    /// A file's text in the map (read once); a problem, reported at
    /// `cited` (where the file is named) if given, otherwise at the file.
    fn read(
        &mut self,
        path: &Path,
        shown: &Path,
        cited: Option<&crate::diag::Location>,
    ) -> Option<FileId> {
        if let Some(&known) = self.read.get(path) {
            return known;
        }
        let result = match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => Some(self.map.add(shown.to_path_buf(), text)),
                Err(e) => {
                    let valid = e.utf8_error().valid_up_to();
                    self.problems.push(
                        Diagnostic::error(format!("`{}` is not valid UTF-8 text", shown.display()))
                            .at(invalid_utf8_location(shown, e.as_bytes(), valid))
                            .with_hint("save the file as UTF-8"),
                    );
                    None
                }
            },
            Err(e) => {
                let relative = path
                    .strip_prefix(&self.config.root)
                    .unwrap_or(path)
                    .display();
                let message = if e.kind() == std::io::ErrorKind::NotFound {
                    format!("chapter `{relative}` not found")
                } else {
                    format!("cannot read `{relative}`: {e}")
                };
                let mut d = Diagnostic::error(message).with_hint(format!(
                    "chapter paths in {CONFIG_FILE} are relative to the book folder"
                ));
                d = match cited {
                    Some(loc) => d.at(loc.clone()),
                    None => d.in_file(shown),
                };
                self.problems.push(d);
                None
            }
        };
        self.read.insert(path.to_path_buf(), result);
        result
    }

    /// The chapter text of `range` of `file`: the file itself when that is
    /// all of it and it holds no directive, else a composed text with the
    /// directives expanded.
    fn compose(
        &mut self,
        file: FileId,
        range: std::ops::Range<usize>,
        dir: &Path,
        shown: &Path,
    ) -> FileId {
        let text = &self.map.get(file).text;
        if range == (0..text.len()) && !include::has_directive(text) {
            return file;
        }
        let mut composer = include::Composer::new(dir);
        composer.expand(self, file, range, dir, 0);
        let (text, pieces) = composer.finish();
        self.map.add_composed(shown.to_path_buf(), text, pieces)
    }
}

/// The folder of a book-relative path.
fn parent(relative: &Path) -> PathBuf {
    relative.parent().unwrap_or(Path::new("")).to_path_buf()
}

/// The path a user should see: the book folder as they named it, joined
/// with the chapter's relative path.
fn display_path(config: &Config, relative: &Path) -> PathBuf {
    config
        .path
        .parent()
        .map_or_else(|| relative.to_path_buf(), |dir| dir.join(relative))
}
