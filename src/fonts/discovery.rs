//! Discovery: the font files fallback may choose from — the book's
//! `fonts/` folder, Folio's own `fonts/`, then the fonts installed on the
//! system — each listed lazily, the first time a character needs them.
//!
//! Place in the font layer: [`super::fallback`] ranks these candidates
//! and asks which cover a character. System fonts are found with fontdb
//! (fontconfig's directories on Linux, the usual folders on macOS and
//! Windows); the English book, whose characters the book's fonts all
//! have, never lists them. The candidates are sorted by family, style and
//! path, so the same installed fonts give the same choice on every run.
//!
//! Which characters a candidate has is read once per candidate, from its
//! `cmap`, into a sorted list of ranges ([`Coverage`]): a CJK book asks
//! about thousands of distinct characters, and opening a 20 MB collection
//! for each was most of its build time.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use skrifa::{FontRef, MetadataProvider};

/// Environment variable that replaces the system's font folders with the
/// folders it lists (separated like `PATH`); empty, it hides all system
/// fonts. For tests and reproducible builds that must not depend on what
/// a machine has installed.
pub const SYSTEM_FONT_DIRS_ENV: &str = "FOLIO_SYSTEM_FONT_DIRS";

/// Where a candidate face comes from, in the order fallback prefers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    /// The book's own `fonts/` folder.
    Book,
    /// The fonts shipped with Folio.
    Folio,
    /// Installed on the system.
    System,
}

impl Origin {
    pub fn describe(self) -> &'static str {
        match self {
            Origin::Book => "the book's fonts/",
            Origin::Folio => "Folio's fonts",
            Origin::System => "system font",
        }
    }
}

/// One face fallback may use.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub path: PathBuf,
    /// Face index inside a collection (0 for a single font).
    pub index: u32,
    pub family: String,
    pub postscript_name: String,
    pub weight: u16,
    pub italic: bool,
    pub monospaced: bool,
    pub origin: Origin,
    /// Position in its database, for reading the face's data.
    id: fontdb::ID,
}

/// One group of candidates and the database that reads their data.
struct Listing {
    db: fontdb::Database,
    faces: Vec<Candidate>,
}

impl Listing {
    fn new(db: fontdb::Database, origin_of: impl Fn(&Path) -> Origin) -> Listing {
        let mut faces: Vec<Candidate> = db
            .faces()
            .filter_map(|f| {
                let path = match &f.source {
                    fontdb::Source::File(p) | fontdb::Source::SharedFile(p, _) => p.clone(),
                    fontdb::Source::Binary(_) => return None,
                };
                // Bitmap and colour-only fonts (emoji) cannot be drawn as
                // outlines in the PDF; fontdb lists them like any other.
                let family = f.families.first().map(|(name, _)| name.clone())?;
                Some(Candidate {
                    origin: origin_of(&path),
                    path,
                    index: f.index,
                    family,
                    postscript_name: f.post_script_name.clone(),
                    weight: f.weight.0,
                    italic: f.style != fontdb::Style::Normal,
                    monospaced: f.monospaced,
                    id: f.id,
                })
            })
            .collect();
        faces.sort_by(|a, b| {
            (a.origin, &a.family, a.weight, a.italic, &a.path, a.index)
                .cmp(&(b.origin, &b.family, b.weight, b.italic, &b.path, b.index))
        });
        Listing { db, faces }
    }
}

/// The candidate faces: the book's and Folio's folders, and the system's,
/// each listed on first use.
pub struct Catalog {
    local_dirs: Vec<(PathBuf, Origin)>,
    /// `None`: the system's folders; `Some`: these instead (see
    /// [`SYSTEM_FONT_DIRS_ENV`]).
    system_dirs: Option<Vec<PathBuf>>,
    local: OnceLock<Listing>,
    system: OnceLock<Listing>,
    /// The characters of each candidate asked about so far.
    coverage: Mutex<HashMap<(Group, fontdb::ID), Arc<Coverage>>>,
}

/// The characters a face has glyphs for, as sorted ranges of code points;
/// empty for a face whose outlines the PDF cannot embed.
#[derive(Debug, Default)]
struct Coverage {
    ranges: Vec<(u32, u32)>,
}

impl Coverage {
    fn of(font: &FontRef<'_>) -> Coverage {
        use skrifa::raw::TableProvider;
        if font.glyf().is_err() && font.cff().is_err() {
            return Coverage::default();
        }
        let mut codes: Vec<u32> = font.charmap().mappings().map(|(c, _)| c).collect();
        codes.sort_unstable();
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        for c in codes {
            match ranges.last_mut() {
                Some(r) if c <= r.1 + 1 => r.1 = r.1.max(c),
                _ => ranges.push((c, c)),
            }
        }
        Coverage { ranges }
    }

    fn has(&self, c: char) -> bool {
        let c = u32::from(c);
        let i = self.ranges.partition_point(|r| r.1 < c);
        self.ranges.get(i).is_some_and(|r| r.0 <= c)
    }
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("local_dirs", &self.local_dirs)
            .field("system_dirs", &self.system_dirs)
            .finish()
    }
}

/// Which listing a candidate is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    Local,
    System,
}

impl Catalog {
    /// A catalog of the book's `fonts/` folder (`book`), Folio's
    /// (`folio`), and the system's fonts, or those of `system_dirs`.
    pub fn new(book: PathBuf, folio: PathBuf, system_dirs: Option<Vec<PathBuf>>) -> Catalog {
        Catalog {
            local_dirs: vec![(book, Origin::Book), (folio, Origin::Folio)],
            system_dirs,
            local: OnceLock::new(),
            system: OnceLock::new(),
            coverage: Mutex::new(HashMap::new()),
        }
    }

    /// The system folders from [`SYSTEM_FONT_DIRS_ENV`], if it is set.
    pub fn system_dirs_from_env() -> Option<Vec<PathBuf>> {
        let value = std::env::var_os(SYSTEM_FONT_DIRS_ENV)?;
        Some(
            std::env::split_paths(&value)
                .filter(|p| !p.as_os_str().is_empty())
                .collect(),
        )
    }

    fn listing(&self, group: Group) -> &Listing {
        match group {
            Group::Local => self.local.get_or_init(|| {
                let mut db = fontdb::Database::new();
                for (dir, _) in &self.local_dirs {
                    if dir.is_dir() {
                        db.load_fonts_dir(dir);
                    }
                }
                let dirs = self.local_dirs.clone();
                Listing::new(db, move |p| {
                    dirs.iter()
                        .find(|(d, _)| p.starts_with(d))
                        .map_or(Origin::Book, |(_, o)| *o)
                })
            }),
            Group::System => self.system.get_or_init(|| {
                let mut db = fontdb::Database::new();
                match &self.system_dirs {
                    None => db.load_system_fonts(),
                    Some(dirs) => {
                        for dir in dirs {
                            db.load_fonts_dir(dir);
                        }
                    }
                }
                Listing::new(db, |_| Origin::System)
            }),
        }
    }

    /// The candidates of a group (listing it now if it was not yet).
    pub fn faces(&self, group: Group) -> &[Candidate] {
        &self.listing(group).faces
    }

    /// Whether the system's fonts have been listed (tests check that the
    /// English book never does).
    pub fn system_listed(&self) -> bool {
        self.system.get().is_some()
    }

    /// Runs `f` on the font data of a candidate of `group`.
    pub fn with_data<T>(
        &self,
        group: Group,
        candidate: &Candidate,
        f: impl FnOnce(&FontRef<'_>) -> T,
    ) -> Option<T> {
        self.listing(group)
            .db
            .with_face_data(candidate.id, |data, index| {
                FontRef::from_index(data, index).ok().map(|font| f(&font))
            })
            .flatten()
    }

    /// Whether a candidate has a glyph for `c` and outlines the PDF can
    /// embed (TrueType or CFF).
    pub fn covers(&self, group: Group, candidate: &Candidate, c: char) -> bool {
        let key = (group, candidate.id);
        let known = self
            .coverage
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
            .cloned();
        let coverage = match known {
            Some(k) => k,
            None => {
                let read = self
                    .with_data(group, candidate, Coverage::of)
                    .unwrap_or_default();
                let read = Arc::new(read);
                self.coverage
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(key, read.clone());
                read
            }
        };
        coverage.has(c)
    }
}
