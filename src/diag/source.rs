//! Source files and byte spans: what a diagnostic points into.
//!
//! Every file a build reads as text (book.yaml, the chapters) is held once,
//! shared (`Arc`), in a [`SourceMap`]. The model keeps 12-byte [`Span`]s;
//! a diagnostic keeps a [`SourceRange`] (the shared file and a byte range),
//! so it can show the line and a caret long after the stage that found the
//! problem, without copying the text and without computing line:column until
//! it is printed.

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

/// All source files of a build, addressed by [`FileId`].
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<Arc<SourceFile>>,
}

impl SourceMap {
    pub fn add(&mut self, path: PathBuf, text: String) -> FileId {
        self.files.push(Arc::new(SourceFile::new(path, text)));
        FileId(self.files.len() as u32 - 1)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// The shared file, for diagnostics that outlive the map's borrow.
    pub fn shared(&self, id: FileId) -> Arc<SourceFile> {
        Arc::clone(&self.files[id.0 as usize])
    }

    /// Where a span is, ready for a diagnostic: the byte range travels with
    /// the diagnostic, and line:column is worked out when it is printed.
    pub fn locate(&self, span: Span) -> super::Location {
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
    fn line_range_leaves_out_the_break() {
        let f = SourceFile::new("a.md".into(), "ab\r\ncd\nlast".into());
        assert_eq!(f.line_range(1), 0..2);
        assert_eq!(f.line_range(4), 4..6);
        assert_eq!(f.line_range(9), 7..11);
    }
}
