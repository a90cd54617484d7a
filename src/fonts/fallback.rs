//! Fallback: which face sets a character the book's faces do not have.
//!
//! Place in the font layer: [`super::FontSet`] asks [`Resolver::face_for`]
//! for each character its faces lack (and for every character of a script
//! book.yaml gives a font of its own). The answer depends only on the
//! character, the style asked for, the script of the text around it and
//! the installed fonts — never on what was set before — so chapters
//! composed on several threads choose alike, and a script is set in one
//! face throughout the book: the first candidate, in a fixed ranking, that
//! has the character.
//!
//! The ranking, most important first: a family book.yaml names for the
//! script; the book's own fonts, then Folio's, then the system's; a family
//! made for the script (its name says `Arabic`, `CJK`, `Devanagari`…);
//! for Han, the region of the book's language (`JP`, `SC`, `TC`…); a
//! monospaced family for code and a proportional one for text; a serif
//! family for a serif book face; no display, UI or condensed variant; then
//! by family name, and inside the family the face nearest in slant and
//! weight. A bold or italic the chosen face is not is synthesized
//! ([`super::face::Synthesis`]).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::discovery::{Candidate, Catalog, Group, Origin};
use super::face::{load_face, LoadedFace, Style, Synthesis};
use super::script::{cjk_region, language_scripts, ScriptTag};
use super::Face;
use crate::diag::Diagnostic;

/// A face fallback chose, for the build's report of the fonts it used.
#[derive(Debug, Clone, PartialEq)]
pub struct FontUse {
    /// The scripts set in it.
    pub scripts: Vec<ScriptTag>,
    pub family: String,
    pub postscript_name: String,
    pub origin: Origin,
    pub path: PathBuf,
    /// Face index inside a collection.
    pub index: u32,
    pub synthesis: Synthesis,
}

impl std::fmt::Display for FontUse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scripts: Vec<String> = self.scripts.iter().map(|s| s.name()).collect();
        write!(
            f,
            "{} → {} ({}: {}",
            scripts.join(", "),
            self.postscript_name,
            self.origin.describe(),
            self.path.display()
        )?;
        if self.index > 0 {
            write!(f, ", face {}", self.index)?;
        }
        write!(f, ")")?;
        if !self.synthesis.is_none() {
            write!(f, ", {} synthesized", self.synthesis.describe())?;
        }
        Ok(())
    }
}

/// The faces of a book and the fallback choices made so far; shared by
/// the threads that compose chapters (behind a mutex in
/// [`super::FontSet`]).
pub(crate) struct Resolver {
    catalog: Catalog,
    /// Families book.yaml names, by script family.
    configured: BTreeMap<ScriptTag, String>,
    /// Region of Han faces for the book's language (`JP`, `SC`…).
    region: Option<&'static str>,
    /// Whether the book's text face is a serif.
    serif: bool,
    /// The main script of the book's language: punctuation and symbols
    /// met with no script around them are set as in its text.
    home: ScriptTag,
    /// Every face, the book's five first; [`Face`] indexes it.
    pub faces: Vec<Arc<LoadedFace>>,
    /// Candidates ranked per (script, style, group), computed on first use.
    ranked: BTreeMap<(ScriptTag, Style, u8), Vec<usize>>,
    /// Answers given, per (character, style, script).
    choices: BTreeMap<(char, Style, ScriptTag), Option<Face>>,
    /// Faces loaded for fallback, by (file, face index, synthesis).
    loaded: BTreeMap<(PathBuf, u32, u32, u32), Face>,
    /// File contents read so far (a collection's faces share one).
    files: BTreeMap<PathBuf, Arc<Vec<u8>>>,
    /// What each fallback face was used for.
    pub uses: BTreeMap<Face, FontUse>,
    /// Fonts that could not be loaded, reported once each.
    pub problems: Vec<Diagnostic>,
}

impl std::fmt::Debug for Resolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolver")
            .field("faces", &self.faces.len())
            .field("catalog", &self.catalog)
            .finish()
    }
}

/// How a candidate's family name fits a request; see the module doc.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    configured: bool,
    origin: Origin,
    script_named: bool,
    region: bool,
    mono: bool,
    serif: u8,
    variant: bool,
    family: String,
    italic: bool,
    weight: u16,
    path: PathBuf,
    index: u32,
}

/// Words in family names of faces made for a variant rather than for
/// running text (or of last-resort fonts): ranked after the rest.
const VARIANT_WORDS: &[&str] = &[
    " UI",
    "Display",
    "Condensed",
    "Extra",
    "Semi",
    "Kufi",
    "Nastaliq",
    "Rashi",
    "Unjoined",
    "Looped",
    "Slanted",
    "Fallback",
    "Emoji",
];

impl Resolver {
    pub fn new(
        catalog: Catalog,
        faces: Vec<Arc<LoadedFace>>,
        configured: BTreeMap<ScriptTag, String>,
        language: &str,
    ) -> Resolver {
        let serif = faces
            .first()
            .is_none_or(|f| !f.info.family.contains("Sans"));
        Resolver {
            catalog,
            configured,
            region: cjk_region(language),
            serif,
            home: language_scripts(language)
                .first()
                .map_or(ScriptTag::LATIN, |s| s.family()),
            faces,
            ranked: BTreeMap::new(),
            choices: BTreeMap::new(),
            loaded: BTreeMap::new(),
            files: BTreeMap::new(),
            uses: BTreeMap::new(),
            problems: Vec::new(),
        }
    }

    /// The main script of the book's language.
    pub fn home(&self) -> ScriptTag {
        self.home
    }

    /// Whether the system's fonts have been listed.
    pub fn system_listed(&self) -> bool {
        self.catalog.system_listed()
    }

    /// Checks that every family book.yaml names exists somewhere (lists
    /// the system's fonts when one is not in the book's or Folio's).
    pub fn check_configured(&self) -> Vec<(ScriptTag, String)> {
        let mut unknown = Vec::new();
        for (script, family) in &self.configured {
            let found = [Group::Local, Group::System].iter().any(|&g| {
                self.catalog
                    .faces(g)
                    .iter()
                    .any(|c| c.family.eq_ignore_ascii_case(family))
            });
            if !found {
                unknown.push((*script, family.clone()));
            }
        }
        unknown
    }

    /// The face that sets `c` (of a run in `script`) in `style`, loading
    /// it on first use; `None` when no font has the character.
    pub fn face_for(&mut self, c: char, style: Style, script: ScriptTag) -> Option<Face> {
        let script = match script {
            s if !s.is_neutral() => s,
            _ => match ScriptTag::of(c).family() {
                s if s.is_neutral() => self.home,
                s => s,
            },
        };
        let key = (c, style, script);
        if let Some(&answer) = self.choices.get(&key) {
            return answer;
        }
        let mut answer = None;
        'groups: for group in [Group::Local, Group::System] {
            let ranked = self.ranked(script, style, group);
            for i in ranked {
                let candidate = self.catalog.faces(group)[i].clone();
                if !self.catalog.covers(group, &candidate, c) {
                    continue;
                }
                if let Some(face) = self.load(&candidate, style, script) {
                    answer = Some(face);
                    break 'groups;
                }
            }
        }
        self.choices.insert(key, answer);
        answer
    }

    /// Candidate indexes of `group`, best first, for `script` and `style`.
    fn ranked(&mut self, script: ScriptTag, style: Style, group: Group) -> Vec<usize> {
        let key = (script, style, group as u8);
        if let Some(r) = self.ranked.get(&key) {
            return r.clone();
        }
        let faces = self.catalog.faces(group);
        let mut ranks: Vec<(Rank, usize)> = faces
            .iter()
            .enumerate()
            .map(|(i, c)| (self.rank(c, script, style), i))
            .collect();
        ranks.sort();
        let order: Vec<usize> = ranks.into_iter().map(|(_, i)| i).collect();
        self.ranked.insert(key, order.clone());
        order
    }

    fn rank(&self, c: &Candidate, script: ScriptTag, style: Style) -> Rank {
        let family = &c.family;
        let has = |w: &str| family.contains(w);
        let configured = self
            .configured
            .get(&script)
            .is_some_and(|f| f.eq_ignore_ascii_case(family));
        let words = script_words(script);
        let script_named = words.is_empty() || words.iter().any(|w| has(w));
        let region = match (script == ScriptTag::HAN, self.region) {
            (true, Some(r)) => family.split(' ').any(|w| w == r),
            // A book in another language: Simplified Chinese forms.
            (true, None) => family.split(' ').any(|w| w == "SC"),
            _ => true,
        };
        let monospaced = c.monospaced || has("Mono");
        let serif_name = has("Serif") || has("Naskh") || has("Mincho") || has("Ming");
        let sans_name = has("Sans") || has("Gothic");
        let serif = if style.mono {
            0
        } else {
            match (self.serif, serif_name, sans_name) {
                (true, true, _) | (false, false, true) => 0,
                (_, false, false) => 1,
                _ => 2,
            }
        };
        Rank {
            configured: !configured,
            origin: c.origin,
            script_named: !script_named,
            region: !region,
            mono: style.mono != monospaced,
            serif,
            variant: VARIANT_WORDS.iter().any(|w| has(w)),
            family: family.clone(),
            italic: style.italic != c.italic,
            weight: c.weight.abs_diff(style.weight()),
            path: c.path.clone(),
            index: c.index,
        }
    }

    /// Loads a candidate for `style` (synthesizing what it lacks), once.
    fn load(&mut self, c: &Candidate, style: Style, script: ScriptTag) -> Option<Face> {
        let synthesis = Synthesis::between(style, c.weight, c.italic);
        let key = (
            c.path.clone(),
            c.index,
            synthesis.embolden.to_bits(),
            synthesis.slant.to_bits(),
        );
        if let Some(&face) = self.loaded.get(&key) {
            self.note_use(face, script);
            return Some(face);
        }
        let bytes = match self.files.get(&c.path) {
            Some(b) => b.clone(),
            None => match crate::source::files::read(&c.path) {
                Ok(b) => {
                    self.files.insert(c.path.clone(), b.clone());
                    b
                }
                Err(e) => {
                    self.problem(c, &e.to_string());
                    return None;
                }
            },
        };
        let loaded = match load_face(bytes, &c.path, c.index, synthesis) {
            Ok(f) => f,
            Err(what) => {
                self.problem(c, &what);
                return None;
            }
        };
        let face = Face::from_index(self.faces.len())?;
        self.faces.push(Arc::new(loaded));
        self.loaded.insert(key, face);
        self.uses.insert(
            face,
            FontUse {
                scripts: Vec::new(),
                family: c.family.clone(),
                postscript_name: c.postscript_name.clone(),
                origin: c.origin,
                path: c.path.clone(),
                index: c.index,
                synthesis,
            },
        );
        self.note_use(face, script);
        Some(face)
    }

    /// Loads the font file at `path` (once) as a face of its own, for
    /// `script`: the math font, which formulas ask for by name rather than
    /// through fallback. `None` (with a problem noted) if it cannot be used.
    pub fn load_file(&mut self, path: &std::path::Path, script: ScriptTag) -> Option<Face> {
        let key = (path.to_path_buf(), 0, 0, 0);
        if let Some(&face) = self.loaded.get(&key) {
            return Some(face);
        }
        let loaded = crate::source::files::read(path)
            .map_err(|e| e.to_string())
            .and_then(|b| load_face(b, path, 0, Synthesis::default()));
        let loaded = match loaded {
            Ok(f) => f,
            Err(what) => {
                self.problems.push(
                    Diagnostic::warning(format!("the math font cannot be used: {what}"))
                        .in_file(path),
                );
                return None;
            }
        };
        let face = Face::from_index(self.faces.len())?;
        self.uses.insert(
            face,
            FontUse {
                scripts: vec![script],
                family: loaded.info.family.clone(),
                postscript_name: loaded.info.postscript_name.clone(),
                origin: super::discovery::Origin::Folio,
                path: path.to_path_buf(),
                index: 0,
                synthesis: Synthesis::default(),
            },
        );
        self.faces.push(Arc::new(loaded));
        self.loaded.insert(key, face);
        Some(face)
    }

    fn note_use(&mut self, face: Face, script: ScriptTag) {
        if let Some(u) = self.uses.get_mut(&face) {
            if !u.scripts.contains(&script) {
                u.scripts.push(script);
                u.scripts.sort();
            }
        }
    }

    fn problem(&mut self, c: &Candidate, what: &str) {
        self.problems.push(
            Diagnostic::warning(format!(
                "the font {} cannot be used for fallback: {what}",
                c.postscript_name
            ))
            .in_file(&c.path),
        );
    }
}

/// Words a family made for `script` has in its name; none for the scripts
/// every text face covers (Latin, Greek, Cyrillic) and for symbols.
fn script_words(script: ScriptTag) -> Vec<&'static str> {
    match &script.0 {
        b"Hani" => vec!["CJK", "Han ", "Ming", "Song", "Hei", "Mincho", "Gothic"],
        b"Arab" => vec!["Arabic", "Naskh"],
        b"Latn" | b"Grek" | b"Cyrl" | b"Zyyy" | b"Zinh" => Vec::new(),
        _ => script.short_name().into_iter().collect(),
    }
}

/// The scripts a `fonts:` key of book.yaml names: a script (`Hani`,
/// `Arabic`) or a language (`ja`, `zh-Hant`), whose scripts it stands for.
pub fn scripts_of_key(key: &str) -> Option<Vec<ScriptTag>> {
    if let Some(s) = ScriptTag::parse(key) {
        return Some(vec![s.family()]);
    }
    let primary = key.split(['-', '_']).next().unwrap_or("");
    let known_language =
        (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_alphabetic());
    if !known_language {
        return None;
    }
    let mut scripts: Vec<ScriptTag> = language_scripts(key).iter().map(|s| s.family()).collect();
    scripts.dedup();
    Some(scripts)
}
