//! The font layer: faces, discovery, fallback by script, shaping and the
//! shaped-word cache — used by the typesetter and by the EPUB writer's
//! generated cover.
//!
//! Place in the pipeline: the typesetter's first step loads a [`FontSet`]
//! from the book's five faces ([`FontFiles`]: text regular, italic, bold,
//! bold italic, and mono for code) and book.yaml's font settings
//! ([`FallbackSettings`]). Every later stage asks it for glyphs:
//! [`FontSet::shape_word`] shapes a word in a face (cached per face and
//! text, so a common word is shaped once per book), [`FontSet::run`] sets a
//! line of furniture, [`FontSet::width`] measures.
//!
//! A font for every character: where a face has no glyph for part of a
//! word, that part is set by the first face of the chain that has it
//! ([`FontSet::fallback_pieces`]): the book's other faces of the nearest
//! style (code falls back to the text face and back), then a face chosen
//! by [`fallback`] per script from the book's `fonts/` folder, Folio's
//! fonts and the fonts installed on the system. The system's fonts are
//! listed only when a character is in none of the book's and Folio's
//! fonts, so the English book never pays for them. What no font has is
//! noted ([`missing`]) and fails the PDF build with one error per script.
//!
//! Styles a family lacks are synthesized: a family of one file gets its
//! bold (the outline stroked) and italic (sheared) drawn by the writers
//! ([`face::Synthesis`], carried to the PDF in
//! [`crate::typeset::frame::FontData`]).

pub mod discovery;
pub mod face;
pub mod fallback;
pub(crate) mod hash;
pub mod missing;
pub mod script;
mod set;
pub mod shape;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use face::{FaceMetrics, Style, Synthesis};
pub use fallback::FontUse;
pub(crate) use hash::FxBuild;
pub use missing::{MissingGlyphPolicy, MissingGlyphs};
pub use script::ScriptTag;
pub use set::{CacheStats, FontSet};
pub(crate) use set::{Variant, WordId};

/// The font files of the book's families, found in the book's `fonts/` or
/// Folio's. A family of one file names that file for all four text
/// styles; the styles it is not are then synthesized.
#[derive(Debug, Clone, PartialEq)]
pub struct FontFiles {
    pub regular: PathBuf,
    pub italic: PathBuf,
    pub bold: PathBuf,
    pub bold_italic: PathBuf,
    pub mono: PathBuf,
}

/// Where fallback looks for fonts, and the fonts book.yaml names per script.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FallbackSettings {
    /// The book's `fonts/` folder (it need not exist).
    pub book_dir: PathBuf,
    /// Folio's own fonts.
    pub folio_dir: PathBuf,
    /// Families named in book.yaml's `fonts:`, by script family: they set
    /// their script even where the book's faces have it.
    pub by_script: BTreeMap<ScriptTag, String>,
    /// Folders to read instead of the system's fonts (`None`: the system's;
    /// empty: none). See [`discovery::SYSTEM_FONT_DIRS_ENV`].
    pub system_dirs: Option<Vec<PathBuf>>,
}

/// A face of a [`FontSet`]: one of the book's five (the named constants)
/// or a fallback face loaded for characters they lack. Also the index of
/// the face's [`crate::typeset::frame::FontId`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Face(u16);

// The book's five faces keep the names they had as enum variants.
#[allow(non_upper_case_globals)]
impl Face {
    pub const Regular: Face = Face(0);
    pub const Italic: Face = Face(1);
    pub const Bold: Face = Face(2);
    pub const BoldItalic: Face = Face(3);
    pub const Mono: Face = Face(4);

    /// The book's five faces, in [`crate::typeset::frame::FontId`] order.
    pub const ALL: [Face; 5] = [
        Face::Regular,
        Face::Italic,
        Face::Bold,
        Face::BoldItalic,
        Face::Mono,
    ];

    /// Index of the face in its [`FontSet`] (and its `FontId`).
    pub fn index(self) -> usize {
        usize::from(self.0)
    }

    pub(crate) fn from_index(i: usize) -> Option<Face> {
        u16::try_from(i).ok().map(Face)
    }

    /// Whether it is one of the book's five faces.
    pub fn is_book_face(self) -> bool {
        self.0 < 5
    }

    /// The style a book face stands for (fallback faces: the regular).
    pub fn style(self) -> Style {
        let (bold, italic, mono) = match self {
            Face::Italic => (false, true, false),
            Face::Bold => (true, false, false),
            Face::BoldItalic => (true, true, false),
            Face::Mono => (false, false, true),
            _ => (false, false, false),
        };
        Style { bold, italic, mono }
    }

    /// The book faces tried, in order, for text this face has no glyphs
    /// for, before fallback looks further: the book face nearest in
    /// style first, the mono face last (it may have symbols the book face
    /// lacks).
    pub fn fallbacks(self) -> &'static [Face] {
        match self {
            Face::Mono => &[Face::Regular],
            Face::Regular => &[Face::Mono],
            Face::Italic | Face::Bold => &[Face::Regular, Face::Mono],
            Face::BoldItalic => &[Face::Bold, Face::Italic, Face::Regular, Face::Mono],
            _ => &[],
        }
    }
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Face::Regular => write!(f, "Regular"),
            Face::Italic => write!(f, "Italic"),
            Face::Bold => write!(f, "Bold"),
            Face::BoldItalic => write!(f, "BoldItalic"),
            Face::Mono => write!(f, "Mono"),
            Face(i) => write!(f, "Fallback({i})"),
        }
    }
}
