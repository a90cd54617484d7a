//! Source files and byte spans: what a diagnostic points into.
//!
//! Every file a build reads as text (book.yaml, the chapters) is held once,
//! shared (`Arc`), in a [`SourceMap`]. The model keeps 12-byte [`Span`]s;
//! a diagnostic keeps a [`SourceRange`] (the shared file and a byte range),
//! so it can show the line and a caret long after the stage that found the
//! problem, without copying the text and without computing line:column until
//! it is printed.
//!
//! A chapter's text is not always one file as written: a front matter
//! block is left out, an mdBook `{{#include}}` splices in lines of another
//! file, a one-file book is cut into chapters. Such a text is *composed*:
//! it is added with the [`Piece`]s it was made of, the parser and the
//! model see the composed text and spans into it, and [`SourceMap::locate`]
//! maps a span back to the file and line the author wrote, so a diagnostic
//! inside included text points at the included file.

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

/// Index of a file in the [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, range: Range<usize>) -> Span {
        Span {
            file,
            start: range.start as u32,
            end: range.end as u32,
        }
    }
}

/// One loaded source file: its path as the user should see it and its text.
#[derive(Clone)]
pub struct SourceFile {
    /// Path shown in diagnostics (relative to the working directory when possible).
    pub path: PathBuf,
    pub text: String,
    /// Byte offset of the start of every line, for offset → line:column.
    line_starts: Vec<usize>,
}

/// Whether two lists of files (see [`SourceMap::files_of`]) hold the same
/// paths and texts.
pub fn same_files(a: &[Arc<SourceFile>], b: &[Arc<SourceFile>]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(a, b)| Arc::ptr_eq(a, b) || (a.path == b.path && a.text == b.text))
}

impl fmt::Debug for SourceFile {
    /// The path and size only: a chapter's text has no place in a debug dump.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceFile")
            .field("path", &self.path)
            .field("bytes", &self.text.len())
            .finish()
    }
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> SourceFile {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            path,
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.line_index(offset);
        let start = self.line_starts[line];
        let offset = offset.min(self.text.len());
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, col + 1)
    }

    /// Byte offset of a 1-based line and character column, clamped to the
    /// text (for positions reported by parsers that count lines).
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        let line_len = rest.find('\n').unwrap_or(rest.len());
        start
            + rest[..line_len]
                .char_indices()
                .nth(column.saturating_sub(1))
                .map_or(line_len, |(i, _)| i)
    }

    /// The 0-based index of the line holding a byte offset.
    fn line_index(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// The byte range of the line holding `offset`, without its line break.
    pub fn line_range(&self, offset: usize) -> Range<usize> {
        let start = self.line_starts[self.line_index(offset)];
        let rest = &self.text[start..];
        let len = rest.find('\n').unwrap_or(rest.len());
        let len = if rest[..len].ends_with('\r') {
            len - 1
        } else {
            len
        };
        start..start + len
    }
}

/// A byte range in a shared source file: where a diagnostic points.
#[derive(Clone)]
pub struct SourceRange {
    pub file: Arc<SourceFile>,
    /// Byte offsets, as in [`Span`] (u32 keeps a diagnostic small).
    start: u32,
    end: u32,
}

impl SourceRange {
    pub fn new(file: Arc<SourceFile>, range: Range<usize>) -> SourceRange {
        SourceRange {
            file,
            start: range.start as u32,
            end: range.end.max(range.start) as u32,
        }
    }

    pub fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The text the range covers.
    pub fn text(&self) -> &str {
        self.file.text.get(self.range()).unwrap_or("")
    }

    /// 1-based line and column of the range's start.
    pub fn line_col(&self) -> (usize, usize) {
        self.file.line_col(self.start as usize)
    }
}

impl fmt::Debug for SourceRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{:?}", self.file.path.display(), self.range())
    }
}

/// A stretch of a composed text and where it was taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    /// Byte offset of the stretch in the composed text.
    pub at: u32,
    /// Its length in bytes.
    pub len: u32,
    /// The file it comes from (a file as written, never a composed one).
    pub file: FileId,
    /// Byte offset in that file.
    pub from: u32,
    /// The stretch is that file's text byte for byte; when not (text made
    /// up where a directive stood, such as the `# ` rustdoc-include adds),
    /// every offset in it maps to `from`.
    pub exact: bool,
}

/// All source files of a build, addressed by [`FileId`].
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<Arc<SourceFile>>,
    /// For each file, the pieces it was composed of; `None` for a file as
    /// written.
    pieces: Vec<Option<Arc<[Piece]>>>,
}

impl SourceMap {
    pub fn add(&mut self, path: PathBuf, text: String) -> FileId {
        self.files.push(Arc::new(SourceFile::new(path, text)));
        self.pieces.push(None);
        FileId(self.files.len() as u32 - 1)
    }

    /// Adds a composed text (see the module doc); `pieces` in order of
    /// `at`, pointing into files already in the map.
    pub fn add_composed(&mut self, path: PathBuf, text: String, pieces: Vec<Piece>) -> FileId {
        debug_assert!(pieces.windows(2).all(|w| w[0].at <= w[1].at));
        self.files.push(Arc::new(SourceFile::new(path, text)));
        self.pieces.push(Some(pieces.into()));
        FileId(self.files.len() as u32 - 1)
    }

    /// The pieces a composed file was made of (empty for a file as written).
    pub fn pieces(&self, id: FileId) -> &[Piece] {
        self.pieces
            .get(id.0 as usize)
            .and_then(|p| p.as_deref())
            .unwrap_or(&[])
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The span in the file as the author wrote it: a span of a composed
    /// text is mapped through the piece its start falls in (its end is
    /// kept inside that piece); any other span is itself.
    pub fn original(&self, span: Span) -> Span {
        let pieces = self.pieces(span.file);
        if pieces.is_empty() {
            return span;
        }
        // The last piece starting at or before the span; text between
        // pieces (a line break the composition added) belongs to the one
        // before it.
        let i = pieces
            .partition_point(|p| p.at <= span.start)
            .saturating_sub(1);
        let p = pieces[i];
        if !p.exact {
            return Span {
                file: p.file,
                start: p.from,
                end: p.from,
            };
        }
        let map = |offset: u32| p.from + offset.clamp(p.at, p.at + p.len) - p.at;
        let start = map(span.start);
        Span {
            file: p.file,
            start,
            end: map(span.end).max(start),
        }
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// The files the text of file `id` comes from: itself and every file
    /// it was composed of, for caches keyed by what a chapter was read from.
    pub fn files_of(&self, id: FileId) -> Vec<Arc<SourceFile>> {
        let mut files = vec![self.shared(id)];
        for piece in self.pieces(id) {
            let file = self.shared(piece.file);
            if !files.iter().any(|f| Arc::ptr_eq(f, &file)) {
                files.push(file);
            }
        }
        files
    }

    /// The shared file, for diagnostics that outlive the map's borrow.
    pub fn shared(&self, id: FileId) -> Arc<SourceFile> {
        Arc::clone(&self.files[id.0 as usize])
    }

    /// Where a span is, ready for a diagnostic: the byte range travels with
    /// the diagnostic, and line:column is worked out when it is printed.
    pub fn locate(&self, span: Span) -> super::Location {
        let span = self.original(span);
        super::Location::range(
            self.shared(span.file),
            span.start as usize..span.end as usize,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let f = SourceFile::new("a.md".into(), "ab\n’x y\n".into());
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        // ’ is three bytes; "y" is the 4th character of line 2.
        assert_eq!(f.line_col(3 + 3 + 2), (2, 4));
        assert_eq!(f.offset_of(2, 4), 3 + 3 + 2);
        assert_eq!(f.offset_of(9, 1), f.text.len());
    }

    #[test]
    fn a_composed_span_points_at_the_file_it_came_from() {
        let mut map = SourceMap::default();
        let chapter = map.add("a.md".into(), "# A\n\n{{#include b.rs}}\nend\n".into());
        let included = map.add("b.rs".into(), "fn x() {}\nfn y() {}\n".into());
        // "# A\n\n" + "fn y() {}\n" + "# " (made up) + "\nend\n"
        let text = "# A\n\nfn y() {}\n# \nend\n".to_string();
        let pieces = vec![
            Piece {
                at: 0,
                len: 5,
                file: chapter,
                from: 0,
                exact: true,
            },
            Piece {
                at: 5,
                len: 10,
                file: included,
                from: 10,
                exact: true,
            },
            Piece {
                at: 15,
                len: 2,
                file: chapter,
                from: 5,
                exact: false,
            },
            Piece {
                at: 17,
                len: 5,
                file: chapter,
                from: 22,
                exact: true,
            },
        ];
        let composed = map.add_composed("a.md".into(), text, pieces);
        let loc = map.locate(Span::new(composed, 8..9));
        assert_eq!(loc.to_string(), "b.rs:2:4");
        assert_eq!(
            map.locate(Span::new(composed, 15..16)).to_string(),
            "a.md:3:1"
        );
        assert_eq!(
            map.locate(Span::new(composed, 18..21)).to_string(),
            "a.md:4:1"
        );
        assert_eq!(
            map.locate(Span::new(composed, 0..3)).to_string(),
            "a.md:1:1"
        );
    }

    #[test]
    fn line_range_leaves_out_the_break() {
        let f = SourceFile::new("a.md".into(), "ab\r\ncd\nlast".into());
        assert_eq!(f.line_range(1), 0..2);
        assert_eq!(f.line_range(4), 4..6);
        assert_eq!(f.line_range(9), 7..11);
    }
}
