//! Diagnostics: every stage reports problems as [`Diagnostic`]s.
//!
//! Spans travel through the pipeline as byte ranges into shared source
//! files ([`source`]); line and column are computed only when a diagnostic
//! is printed, so the model stays small and a span never goes stale.
//! [`render`] prints them with the source line and a caret, in colour on a
//! terminal, with repeated problems grouped.

pub mod render;
pub mod source;

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use source::{same_files, FileId, Piece, SourceFile, SourceMap, SourceRange, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// A fact worth saying that needs no action (a draft chapter of an
    /// mdBook book left out, as mdBook leaves it out).
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// Where a problem is: a file, and the line and column when known.
///
/// Built from a span ([`SourceMap::locate`], [`Location::range`]) it keeps
/// the byte range and the shared file, so the printed diagnostic can show
/// the line with a caret; [`Location::at`] is for places known only by line
/// and column (a file that is not text, say).
#[derive(Clone)]
pub struct Location {
    pub path: PathBuf,
    place: Place,
}

#[derive(Clone)]
enum Place {
    File,
    LineCol(usize, usize),
    Range(SourceRange),
}

impl Location {
    /// A whole file.
    pub fn file(path: impl Into<PathBuf>) -> Location {
        Location {
            path: path.into(),
            place: Place::File,
        }
    }

    /// A 1-based line and column in a file whose text is not at hand.
    pub fn at(path: impl Into<PathBuf>, line: usize, column: usize) -> Location {
        Location {
            path: path.into(),
            place: Place::LineCol(line, column),
        }
    }

    /// A byte range of a loaded file.
    pub fn range(file: Arc<SourceFile>, range: Range<usize>) -> Location {
        Location {
            path: file.path.clone(),
            place: Place::Range(SourceRange::new(file, range)),
        }
    }

    /// 1-based line, when known.
    pub fn line(&self) -> Option<usize> {
        self.line_col().map(|(l, _)| l)
    }

    /// 1-based column in characters, when known.
    pub fn column(&self) -> Option<usize> {
        self.line_col().map(|(_, c)| c)
    }

    fn line_col(&self) -> Option<(usize, usize)> {
        match &self.place {
            Place::File => None,
            Place::LineCol(l, c) => Some((*l, *c)),
            Place::Range(r) => Some(r.line_col()),
        }
    }

    /// The source text and byte range, when the location has them.
    pub fn source(&self) -> Option<&SourceRange> {
        match &self.place {
            Place::Range(r) => Some(r),
            _ => None,
        }
    }
}

impl PartialEq for Location {
    /// Two locations are equal when they print the same.
    fn eq(&self, other: &Location) -> bool {
        self.path == other.path && self.line_col() == other.line_col()
    }
}

impl Eq for Location {}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Location({self})")
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some((line, col)) = self.line_col() {
            write!(f, ":{line}:{col}")?;
        }
        Ok(())
    }
}

/// A problem found by some stage, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub location: Option<Location>,
    pub hint: Option<String>,
    /// A warning that `--strict` turns into an error (an image that could
    /// not be used, a figure without alt text): the book builds, but not
    /// as the author meant.
    pub strict: bool,
    /// What few diagnostics have; boxed, so a `Result<_, Diagnostic>`
    /// stays small.
    extra: Option<Box<Extra>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Extra {
    /// A short text under the caret (`this is the text `big``).
    label: Option<String>,
    /// Further facts, each printed as `= note: …`.
    notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            location: None,
            hint: None,
            strict: false,
            extra: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    /// A fact that needs no action; `--deny-warnings` lets it pass.
    pub fn note(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Note,
            ..Diagnostic::error(message)
        }
    }

    pub fn at(mut self, location: Location) -> Diagnostic {
        self.location = Some(location);
        self
    }

    pub fn in_file(self, path: &Path) -> Diagnostic {
        self.at(Location::file(path))
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    /// A short text printed under the caret.
    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.extra.get_or_insert_default().label = Some(label.into());
        self
    }

    /// A further fact, printed as `= note: …`.
    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.extra.get_or_insert_default().notes.push(note.into());
        self
    }

    pub fn label(&self) -> Option<&str> {
        self.extra.as_ref()?.label.as_deref()
    }

    pub fn notes(&self) -> &[String] {
        self.extra.as_ref().map_or(&[], |e| &e.notes)
    }

    /// Marks a warning as one `--strict` makes an error.
    pub fn strict(mut self) -> Diagnostic {
        self.strict = true;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    pub fn is_warning(&self) -> bool {
        self.severity == Severity::Warning
    }
}

impl fmt::Display for Diagnostic {
    /// The short form, without the source line (see [`render`] for the full
    /// one): `error: image not found` / `  --> book/02.md:14:3` / `  = hint: …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.severity.name(), self.message)?;
        if let Some(loc) = &self.location {
            write!(f, "\n  --> {loc}")?;
        }
        for note in self.notes() {
            write!(f, "\n  = note: {note}")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  = hint: {hint}")?;
        }
        Ok(())
    }
}

/// The problems of a failed build: at least one is an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// How many are errors.
    pub fn errors(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Diagnostics {
        Diagnostics(vec![d])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// Result of a stage that may fail with diagnostics.
pub type StageResult<T> = Result<T, Diagnostics>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_location_and_hint() {
        let d = Diagnostic::error("image not found")
            .at(Location::at("book/02.md", 14, 3))
            .with_hint("paths are relative to the chapter file");
        assert_eq!(
            d.to_string(),
            "error: image not found\n  --> book/02.md:14:3\n  = hint: paths are relative to the chapter file"
        );
    }

    #[test]
    fn a_span_location_computes_line_and_column_when_asked() {
        let mut map = SourceMap::default();
        let id = map.add("a.md".into(), "# A\n\nab ’x\n".into());
        let loc = map.locate(Span::new(id, 5 + 3 + 3..5 + 3 + 4));
        assert_eq!((loc.line(), loc.column()), (Some(3), Some(5)));
        assert_eq!(loc, Location::at("a.md", 3, 5));
        assert_eq!(loc.to_string(), "a.md:3:5");
        assert_eq!(loc.source().map(|s| s.range()), Some(11..12));
    }
}
