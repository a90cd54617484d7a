//! [`FontSet`]: the book's faces plus the fallback faces loaded so far,
//! the shaper and the shaped-word cache.
//!
//! Place in the font layer: the one object the typesetter and the cover
//! shape through. Faces are shared between the threads that compose
//! chapters ([`FontSet::fork`]); fallback choices are made under one lock
//! ([`super::fallback::Resolver`]) and each fork keeps a copy of the face
//! list, refreshed when another thread has loaded a face. The order in
//! which threads load fallback faces varies, so [`FontSet::canonical_order`]
//! gives the order the document's fonts are written in.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use skrifa::FontRef;

use super::discovery::Catalog;
use super::face::{face_info, load_face, FaceMetrics, LoadedFace, Synthesis};
use super::fallback::{FontUse, Resolver};
use super::hash::FxBuild;
use super::missing::{MissingChar, MissingGlyphs};
use super::script::{for_each_script_run, ScriptTag};
use super::shape::{self, GlyphSink, ShapeProps, ShapedGlyph, Shaper};
use super::{Face, FallbackSettings, FontFiles};
use crate::diag::{Diagnostic, Diagnostics, Span, StageResult};
use crate::typeset::bidi;
use crate::typeset::frame::{FontData, FontId, TextRun};
use crate::units::Pt;

/// Identifies one cached shaped word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct WordId(u32);

/// How a word is shaped beyond its face (its direction and language), as
/// an index into the [`FontSet`]'s variants: each has a word cache of its
/// own. [`Variant::BOOK`] is the book's language, each script in its own
/// direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Variant(u16);

impl Variant {
    /// The book's language, each script run in its script's direction.
    pub const BOOK: Variant = Variant(0);
}

/// What [`FontSet::fallback_pieces`] found for a word: its pieces and the
/// characters no face has (character, byte offset, script), kept so a
/// word met again is split without shaping it again.
type FallbackEntry = (
    Vec<(Face, std::ops::Range<u32>, WordId)>,
    Vec<(char, u32, ScriptTag)>,
);

/// A cached shaping result: a range of the glyph arena plus its total advance.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WordEntry {
    start: u32,
    len: u32,
    /// Sum of the glyph advances, in font units.
    pub advance: i32,
    /// The face the word was shaped in.
    pub face: Face,
    /// Whether part of the word is to be set in another face: some glyph
    /// is .notdef (the face lacks a character), or a character is of a
    /// script book.yaml gives a font of its own.
    pub missing: bool,
}

/// The .notdef glyph, drawn (as a box or nothing) for a character the font
/// does not have.
const NOTDEF: u16 = 0;

/// Cache statistics, for tests and performance reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Lookups that had to shape.
    pub misses: u64,
}

/// Longest text [`FontSet::run`] puts into the word cache; longer runs (code
/// lines) are shaped every time so they do not bloat the cache with text that
/// rarely repeats.
const MAX_CACHED_RUN_BYTES: usize = 64;

/// The book's fonts, the fallback faces, shaping machinery and the
/// shaped-word cache.
pub struct FontSet {
    /// This thread's copy of the resolver's face list.
    faces: Vec<Arc<LoadedFace>>,
    resolver: Arc<Mutex<Resolver>>,
    /// Scripts book.yaml gives a font of their own (set in it even where
    /// the book's faces have them).
    overridden: Arc<[ScriptTag]>,
    shaper: Shaper,
    /// The book's language (BCP 47), shaped with unless told otherwise.
    language: Arc<str>,
    /// Shaping properties by [`Variant`].
    variants: Vec<ShapeProps>,
    /// Per face: word text → cached entry, for [`Variant::BOOK`] (the
    /// one nearly every word is shaped in).
    index: Vec<HashMap<Box<str>, WordId, FxBuild>>,
    /// The same for the other variants: per variant − 1, per face.
    variant_index: Vec<Vec<HashMap<Box<str>, WordId, FxBuild>>>,
    /// Words with glyphs to set in other faces, split once
    /// ([`FontSet::fallback_pieces`]).
    fallback_cache: HashMap<WordId, FallbackEntry, FxBuild>,
    words: Vec<WordEntry>,
    /// All cached glyphs, words are ranges of it (no allocation per word).
    glyphs: Vec<ShapedGlyph>,
    stats: CacheStats,
    /// Characters no face could show, one entry per occurrence, waiting
    /// for the typesetter to place them in the source and count them.
    pub(crate) missing: Vec<MissingChar>,
    /// The counted characters no face could show (see [`MissingGlyphs`]).
    pub missing_glyphs: MissingGlyphs,
    /// What loading the book's faces synthesized, for the build's notes.
    notes: Arc<[String]>,
    /// Folio's math font file, loaded as a face on the first formula.
    math_path: Arc<std::path::Path>,
    /// The math font's face once loaded (`Some(None)`: it cannot be used).
    math: Option<Option<Face>>,
}

/// Folio's OpenType MATH font, in its fonts folder.
pub const MATH_FONT_FILE: &str = "AsanaMath.otf";

impl std::fmt::Debug for FontSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FontSet")
            .field("faces", &self.faces.len())
            .field("cached_words", &self.words.len())
            .finish()
    }
}

impl FontSet {
    /// Loads the five faces of `files` (synthesizing the bold and italic a
    /// family of fewer files lacks) and prepares fallback from `fallback`
    /// for a book in `language`. Errors name the font file.
    pub fn load(
        files: &FontFiles,
        fallback: &FallbackSettings,
        language: &str,
    ) -> StageResult<FontSet> {
        let slots = [
            (&files.regular, Face::Regular),
            (&files.italic, Face::Italic),
            (&files.bold, Face::Bold),
            (&files.bold_italic, Face::BoldItalic),
            (&files.mono, Face::Mono),
        ];
        let mut faces = Vec::with_capacity(slots.len());
        let mut errors = Vec::new();
        let mut notes = Vec::new();
        let mut synthesized: Vec<(String, &str)> = Vec::new();
        // A family of one file names it four times: read it once.
        let mut read: BTreeMap<&std::path::Path, Arc<Vec<u8>>> = BTreeMap::new();
        for (path, slot) in slots {
            let bytes = match read.get(path.as_path()) {
                Some(b) => b.clone(),
                None => match crate::source::files::read(path) {
                    Ok(b) => {
                        read.insert(path, b.clone());
                        b
                    }
                    Err(e) => {
                        errors.push(
                            Diagnostic::error(format!("cannot read font file: {e}"))
                                .in_file(path)
                                .with_hint("fonts are looked up in the book's `fonts/` folder"),
                        );
                        continue;
                    }
                },
            };
            // What the file is decides what must be synthesized for the slot.
            let synthesis = match FontRef::from_index(&bytes, 0) {
                Ok(font) => {
                    let info = face_info(&font, path);
                    Synthesis::between(slot.style(), info.weight, info.italic)
                }
                Err(_) => Synthesis::default(),
            };
            match load_face(bytes, path, 0, synthesis) {
                Ok(face) => {
                    if !synthesis.is_none() {
                        synthesized.push((face.info.family.clone(), slot_name(slot)));
                    }
                    faces.push(Arc::new(face));
                }
                Err(what) => errors.push(
                    Diagnostic::error(format!("not a usable font: {what}"))
                        .in_file(path)
                        .with_hint(
                            "use a TrueType (.ttf), OpenType (.otf) or collection (.ttc) font file",
                        ),
                ),
            }
        }
        if !errors.is_empty() {
            return Err(Diagnostics(errors));
        }
        // One note per family: which styles Folio draws itself.
        let mut families: Vec<&str> = synthesized.iter().map(|(f, _)| f.as_str()).collect();
        families.dedup();
        for family in families {
            let styles: Vec<&str> = synthesized
                .iter()
                .filter(|(f, _)| f == family)
                .map(|(_, s)| *s)
                .collect();
            notes.push(format!(
                "{family} has no {} face: Folio synthesizes it (a stroke around the letters \
                 for bold, a 14° slant for italic)",
                join_or(&styles)
            ));
        }
        let catalog = Catalog::new(
            fallback.book_dir.clone(),
            fallback.folio_dir.clone(),
            fallback.system_dirs.clone(),
        );
        let overridden: Vec<ScriptTag> = fallback.by_script.keys().copied().collect();
        let resolver = Resolver::new(catalog, faces.clone(), fallback.by_script.clone(), language);
        let unknown = resolver.check_configured();
        if !unknown.is_empty() {
            return Err(Diagnostics(
                unknown
                    .into_iter()
                    .map(|(script, family)| {
                        Diagnostic::error(format!(
                            "book.yaml names the font `{family}` for the {} script, and no such \
                             font is installed or in fonts/",
                            script.name()
                        ))
                        .with_hint(
                            "put its files in the book's fonts/ folder or install it; the name is \
                             the font's family name (as `fc-list : family` shows it)",
                        )
                    })
                    .collect(),
            ));
        }
        let mut set = FontSet::with_faces(
            faces,
            Arc::new(Mutex::new(resolver)),
            overridden.into(),
            notes.into(),
            language.into(),
        );
        set.math_path = fallback.folio_dir.join(MATH_FONT_FILE).into();
        Ok(set)
    }

    /// The same faces for another thread, sharing the font files and the
    /// fallback choices, with empty caches of its own. Shaping does not
    /// depend on what is cached, so a fork sets text exactly as `self`.
    pub fn fork(&self) -> FontSet {
        let mut set = FontSet::with_faces(
            self.faces.clone(),
            self.resolver.clone(),
            self.overridden.clone(),
            self.notes.clone(),
            self.language.clone(),
        );
        set.math_path = self.math_path.clone();
        set
    }

    /// The math font's face, loaded on first use (shared by every thread);
    /// `None` when it cannot be used (a warning says why).
    pub fn math_face(&mut self) -> Option<Face> {
        if let Some(face) = self.math {
            return face;
        }
        let path = self.math_path.clone();
        let face = self.resolver().load_file(&path, ScriptTag(*b"Zmth"));
        if let Some(f) = face {
            self.sync(f);
        }
        self.math = Some(face);
        face
    }

    /// The font file of a face and its index in it.
    pub fn face_data(&self, face: Face) -> &FontData {
        &self.faces[face.index()].data
    }

    fn with_faces(
        faces: Vec<Arc<LoadedFace>>,
        resolver: Arc<Mutex<Resolver>>,
        overridden: Arc<[ScriptTag]>,
        notes: Arc<[String]>,
        language: Arc<str>,
    ) -> FontSet {
        let mut shaper = Shaper::default();
        let book = ShapeProps {
            rtl: None,
            language: shaper.language(Some(&language)),
        };
        FontSet {
            index: (0..faces.len()).map(|_| HashMap::default()).collect(),
            variant_index: Vec::new(),
            faces,
            resolver,
            overridden,
            shaper,
            language,
            variants: vec![book],
            fallback_cache: HashMap::default(),
            words: Vec::new(),
            glyphs: Vec::new(),
            stats: CacheStats::default(),
            missing: Vec::new(),
            missing_glyphs: MissingGlyphs::default(),
            notes,
            math_path: std::path::Path::new(MATH_FONT_FILE).into(),
            math: None,
        }
    }

    fn resolver(&self) -> MutexGuard<'_, Resolver> {
        // A panic elsewhere cannot leave the resolver half-updated in a
        // way that matters here: its maps are only ever added to.
        self.resolver.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Makes sure this thread's face list (and word cache) has `face`.
    #[inline]
    fn sync(&mut self, face: Face) {
        if face.index() >= self.faces.len() {
            self.sync_faces();
        }
    }

    /// Takes the faces other threads loaded since the last look.
    #[cold]
    fn sync_faces(&mut self) {
        let faces = self.resolver().faces.clone();
        self.faces = faces;
        self.index.resize_with(self.faces.len(), HashMap::default);
        for maps in &mut self.variant_index {
            maps.resize_with(self.faces.len(), HashMap::default);
        }
    }

    /// The book's language (BCP 47).
    pub fn language(&self) -> &str {
        &self.language
    }

    /// The variant that shapes in `language` (`None`: the book's) and
    /// direction `rtl` (`None`: each script run in its own).
    pub(crate) fn variant(&mut self, language: Option<&str>, rtl: Option<bool>) -> Variant {
        let language = match language {
            Some(l) => self.shaper.language(Some(l)),
            None => self.variants[0].language,
        };
        let props = ShapeProps { rtl, language };
        if let Some(i) = self.variants.iter().position(|v| *v == props) {
            return Variant(i as u16);
        }
        self.new_variant(props)
    }

    /// Adds a variant of properties `props`, with empty caches.
    fn new_variant(&mut self, props: ShapeProps) -> Variant {
        self.variants.push(props);
        self.variant_index
            .push((0..self.faces.len()).map(|_| HashMap::default()).collect());
        Variant((self.variants.len() - 1) as u16)
    }

    /// The word cache of `face` in variant `v`.
    #[inline]
    fn cache(&mut self, v: usize, face: Face) -> &mut HashMap<Box<str>, WordId, FxBuild> {
        match v {
            0 => &mut self.index[face.index()],
            v => &mut self.variant_index[v - 1][face.index()],
        }
    }

    /// The variant `v` shaped in direction `rtl` instead.
    pub(crate) fn with_direction(&mut self, v: Variant, rtl: Option<bool>) -> Variant {
        let props = self.variants[usize::from(v.0)];
        if props.rtl == rtl {
            return v;
        }
        let props = ShapeProps { rtl, ..props };
        if let Some(i) = self.variants.iter().position(|p| *p == props) {
            return Variant(i as u16);
        }
        self.new_variant(props)
    }

    /// The [`FontId`] of a face: an index into [`FontSet::data`].
    pub fn font_id(&self, face: Face) -> FontId {
        FontId(face.index())
    }

    /// The font files of every face loaded by any thread, in [`FontId`]
    /// order, for [`crate::typeset::frame::Document::fonts`].
    pub fn data(&self) -> Vec<FontData> {
        self.resolver()
            .faces
            .iter()
            .map(|f| f.data.clone())
            .collect()
    }

    /// The order to write the faces in: the book's five, then the
    /// fallback faces by what they are (not by which thread loaded them
    /// first), so the same fonts always give the same PDF. `order[new] =
    /// old` face index.
    pub fn canonical_order(&self) -> Vec<usize> {
        let resolver = self.resolver();
        let mut order: Vec<usize> = (0..resolver.faces.len()).collect();
        let book_faces = Face::ALL.len().min(order.len());
        order[book_faces..].sort_by_key(|&i| {
            let face = Face::from_index(i).unwrap_or(Face::Regular);
            let u = resolver.uses.get(&face);
            let f = &resolver.faces[i].data;
            (
                u.map(|u| (u.origin, u.path.clone(), u.index)),
                f.synthetic_bold.to_bits(),
                f.synthetic_slant.to_bits(),
            )
        });
        order
    }

    /// Forgets what the last run noticed (characters no face has), keeping
    /// the faces and the caches, for fonts kept from one build to the next.
    pub fn begin_run(&mut self) {
        self.missing.clear();
        self.missing_glyphs = MissingGlyphs::default();
    }

    /// Whether every face loaded is the book's own or Folio's math font:
    /// fallback chose nothing. What fallback chooses may depend on what it
    /// met first, so only such fonts are kept from one build to the next.
    pub fn only_own_faces(&self) -> bool {
        let resolver = self.resolver();
        resolver
            .faces
            .iter()
            .enumerate()
            .skip(Face::ALL.len())
            .all(|(i, _)| {
                Face::from_index(i)
                    .and_then(|f| resolver.uses.get(&f))
                    .is_some_and(|u| u.path.as_path() == &*self.math_path)
            })
    }

    /// The fallback faces used, in [`FontSet::canonical_order`], for the
    /// build's report.
    pub fn fallback_uses(&self) -> Vec<FontUse> {
        let order = self.canonical_order();
        let resolver = self.resolver();
        order
            .iter()
            .filter_map(|&i| {
                Face::from_index(i)
                    .and_then(|f| resolver.uses.get(&f))
                    .cloned()
            })
            .collect()
    }

    /// Notes on what loading synthesized, and warnings about fonts
    /// fallback could not use.
    pub fn notes(&self) -> (Vec<String>, Vec<Diagnostic>) {
        (self.notes.to_vec(), self.resolver().problems.clone())
    }

    /// Whether the system's fonts were listed (only for a character no
    /// book or Folio font has).
    pub fn system_fonts_listed(&self) -> bool {
        self.resolver().system_listed()
    }

    /// Vertical metrics of a face, as fractions of the em.
    pub fn metrics(&self, face: Face) -> FaceMetrics {
        self.faces[face.index()].metrics
    }

    /// Points per font unit at `size`.
    pub(crate) fn scale(&self, face: Face, size: Pt) -> f64 {
        size.0 / self.faces[face.index()].units_per_em
    }

    /// Shaped-word cache statistics since loading.
    pub fn cache_stats(&self) -> CacheStats {
        self.stats
    }

    /// Shapes `text` as one unbroken run in `face` (cached).
    #[inline]
    pub(crate) fn shape_word(&mut self, face: Face, text: &str) -> WordId {
        self.shape_word_as(face, text, Variant::BOOK)
    }

    /// Shapes `text` as one unbroken run in `face` as `variant` says
    /// (cached).
    pub(crate) fn shape_word_as(&mut self, face: Face, text: &str, variant: Variant) -> WordId {
        self.sync(face);
        let v = usize::from(variant.0);
        if let Some(&id) = self.cache(v, face).get(text) {
            self.stats.hits += 1;
            return id;
        }
        self.stats.misses += 1;
        let start = self.glyphs.len() as u32;
        let advance = self.shaper.shape(
            &self.faces[face.index()],
            text,
            self.variants[v],
            &mut self.glyphs,
        );
        let id = WordId(self.words.len() as u32);
        let missing = has_notdef(&self.glyphs[start as usize..])
            || (face.is_book_face() && self.has_overridden(text));
        self.words.push(WordEntry {
            start,
            len: self.glyphs.len() as u32 - start,
            advance,
            face,
            missing,
        });
        self.cache(v, face).insert(text.into(), id);
        id
    }

    /// Whether `text` has a character of a script book.yaml gives a font.
    fn has_overridden(&self, text: &str) -> bool {
        !self.overridden.is_empty()
            && text
                .chars()
                .any(|c| !c.is_ascii() && self.overridden.contains(&ScriptTag::of(c).family()))
    }

    /// The cache entry of a shaped word.
    pub(crate) fn word(&self, id: WordId) -> WordEntry {
        self.words[id.0 as usize]
    }

    /// The glyphs of a shaped word.
    pub(crate) fn word_glyphs(&self, id: WordId) -> &[ShapedGlyph] {
        let w = self.words[id.0 as usize];
        &self.glyphs[w.start as usize..(w.start + w.len) as usize]
    }

    /// Shapes `text` in `face` as `variant` says, without fallback: into
    /// the cache (returning the word) when it is short, else into
    /// `scratch` (returning `None`).
    fn shape_text(
        &mut self,
        face: Face,
        text: &str,
        variant: Variant,
        scratch: &mut Vec<ShapedGlyph>,
    ) -> Option<WordId> {
        if text.len() <= MAX_CACHED_RUN_BYTES {
            return Some(self.shape_word_as(face, text, variant));
        }
        self.sync(face);
        scratch.clear();
        let props = self.variants[usize::from(variant.0)];
        self.shaper
            .shape(&self.faces[face.index()], text, props, scratch);
        None
    }

    /// The glyphs [`FontSet::shape_text`] left: the cached word's or `scratch`.
    fn shaped<'s>(&'s self, word: Option<WordId>, scratch: &'s [ShapedGlyph]) -> &'s [ShapedGlyph] {
        match word {
            Some(id) => self.word_glyphs(id),
            None => scratch,
        }
    }

    /// Whether `text`, shaped in `face`, is set in it alone.
    fn whole_in_face(&mut self, word: Option<WordId>, scratch: &[ShapedGlyph]) -> bool {
        match word {
            Some(id) => !self.word(id).missing,
            None => !has_notdef(scratch),
        }
    }

    /// Whether `c` can be set in `face` or a fallback of it (a face of
    /// the book, Folio's or the system's): asked before choosing a sign
    /// (a task box) that has a plainer stand-in.
    pub fn can_show(&mut self, face: Face, c: char) -> bool {
        let mut unshown = Vec::new();
        let mut buf = [0u8; 4];
        self.face_stretches(face, c.encode_utf8(&mut buf), Variant::BOOK, &mut unshown);
        unshown.is_empty()
    }

    /// Natural width of `text` shaped as one unbroken run, with what the
    /// face lacks set in its fallbacks (as [`FontSet::run`] sets it).
    pub fn width(&mut self, text: &str, face: Face, size: Pt) -> Pt {
        let variant = Variant::BOOK;
        let mut scratch = Vec::new();
        let word = self.shape_text(face, text, variant, &mut scratch);
        if self.whole_in_face(word, &scratch) && !self.has_overridden(text) {
            let advance: i32 = match word {
                Some(id) => self.word(id).advance,
                None => scratch.iter().map(|g| g.advance).sum(),
            };
            return Pt(f64::from(advance) * self.scale(face, size));
        }
        let mut unshown = Vec::new();
        let cell = self.code_cell(face, size);
        let mut width = Pt::ZERO;
        for (f, range) in self.face_stretches(face, text, variant, &mut unshown) {
            let part = &text[range];
            let word = self.shape_text(f, part, variant, &mut scratch);
            let glyphs = self.shaped(word, &scratch);
            width += match cell {
                Some(cell) if f != face => cell * cells(glyphs, part) as f64,
                _ => {
                    let advance: i32 = glyphs.iter().map(|g| g.advance).sum();
                    Pt(f64::from(advance) * self.scale(f, size))
                }
            };
        }
        width
    }

    /// Shapes `text` as one unbroken line starting at `x` (page
    /// coordinates), on the given baseline: for running heads, folios,
    /// contents numbers, list markers, code lines, the cover. Usually one
    /// run; stretches the face has no glyphs for are set in a fallback
    /// face, as runs of their own. Text with right-to-left parts is put in
    /// visual order ([`crate::typeset::bidi`]): the line runs in the
    /// book's direction when its language is written right to left, else
    /// in that of its first strong character; code (the mono face) always
    /// left to right. Characters no face has are noted in
    /// [`FontSet::missing`] without a span.
    pub fn run(
        &mut self,
        text: &str,
        face: Face,
        size: Pt,
        x: Pt,
        baseline: Pt,
        gray: f32,
    ) -> Vec<TextRun> {
        let rtl = if face == Face::Mono {
            Some(false)
        } else if bidi::language_is_rtl(&self.language) {
            Some(true)
        } else {
            None
        };
        self.run_directed(text, face, size, (x, baseline), gray, rtl)
    }

    /// [`FontSet::run`] in direction `rtl` (`None`: that of the text's
    /// first strong character).
    pub fn run_directed(
        &mut self,
        text: &str,
        face: Face,
        size: Pt,
        (x, baseline): (Pt, Pt),
        gray: f32,
        rtl: Option<bool>,
    ) -> Vec<TextRun> {
        let Some(levels) = bidi::Levels::of(text, rtl) else {
            return self
                .run_logical(text, face, size, (x, baseline), gray, Variant::BOOK, None)
                .0;
        };
        // Each level run shaped in its direction, placed one after the
        // other in logical order; then the line is reordered.
        let mut runs: Vec<TextRun> = Vec::new();
        let mut atoms: Vec<bidi::Atom> = Vec::new();
        let mut cuts: Vec<usize> = levels.changes(0..text.len()).collect();
        cuts.push(text.len());
        let mut pen = x;
        let mut from = 0;
        for to in cuts {
            let level = levels.at(from);
            let variant = self.with_direction(Variant::BOOK, Some(level % 2 == 1));
            let mut pens = Vec::new();
            let (placed, end) = self.run_logical(
                &text[from..to],
                face,
                size,
                (pen, baseline),
                gray,
                variant,
                Some(&mut pens),
            );
            let mut k = 0;
            for run in placed {
                let r = runs.len() as u32;
                for g in 0..run.glyphs.len() {
                    let (x, width) = pens.get(k).copied().unwrap_or_default();
                    k += 1;
                    atoms.push(bidi::Atom {
                        x,
                        width,
                        level,
                        glyph: Some((r, g as u32)),
                    });
                }
                runs.push(run);
            }
            pen = end;
            from = to;
        }
        bidi::reorder_line(runs, &atoms, &mut Vec::new())
    }

    /// Sets `text` as [`FontSet::run`] does, left to right in logical
    /// order, shaped as `variant` says; returns the runs and the pen after
    /// them. With `pens`, also where each glyph's pen starts and how far
    /// it moves (in run order), for [`bidi::reorder_line`].
    #[allow(clippy::too_many_arguments)]
    fn run_logical(
        &mut self,
        text: &str,
        face: Face,
        size: Pt,
        (x, baseline): (Pt, Pt),
        gray: f32,
        variant: Variant,
        mut pens: Option<&mut Vec<(f64, f64)>>,
    ) -> (Vec<TextRun>, Pt) {
        let natural_pens = |sink: &GlyphSink, from: Pt, pens: &mut Option<&mut Vec<(f64, f64)>>| {
            if let Some(pens) = pens.as_deref_mut() {
                let mut pen = from.0;
                for g in &sink.glyphs {
                    pens.push((pen, g.advance.0));
                    pen += g.advance.0;
                }
            }
        };
        let mut scratch = Vec::new();
        let word = self.shape_text(face, text, variant, &mut scratch);
        if self.whole_in_face(word, &scratch) && !self.has_overridden(text) {
            let (sink, end) = self.place_run(text, face, word, &scratch, size, x);
            natural_pens(&sink, x, &mut pens);
            return (vec![self.run_of(sink, face, size, baseline, gray)], end);
        }
        let mut unshown = Vec::new();
        let stretches = self.face_stretches(face, text, variant, &mut unshown);
        for (c, _, script) in unshown {
            self.missing.push(MissingChar {
                c,
                script,
                span: None,
            });
        }
        let cell = self.code_cell(face, size);
        let mut runs = Vec::with_capacity(stretches.len());
        let mut pen = x;
        for (f, range) in stretches {
            let part = &text[range];
            let word = self.shape_text(f, part, variant, &mut scratch);
            let (mut sink, end) = self.place_run(part, f, word, &scratch, size, pen);
            pen = match cell {
                Some(cell) if f != face => fit_cells(&mut sink, pen, cell, pens.as_deref_mut()),
                _ => {
                    natural_pens(&sink, pen, &mut pens);
                    end
                }
            };
            runs.push(self.run_of(sink, f, size, baseline, gray));
        }
        (runs, pen)
    }

    /// The width of a column of code when `face` is the mono face: what it
    /// lacks is then set one character cell per cluster (two for a wide
    /// East Asian character), centred, so code keeps its columns. `None`
    /// for the book faces.
    fn code_cell(&mut self, face: Face, size: Pt) -> Option<Pt> {
        (face == Face::Mono).then(|| self.width(" ", Face::Mono, size))
    }

    /// Places shaped text (see [`FontSet::shape_text`]) as one run from `x`;
    /// returns its glyphs and the pen position after them.
    fn place_run(
        &self,
        text: &str,
        face: Face,
        word: Option<WordId>,
        scratch: &[ShapedGlyph],
        size: Pt,
        x: Pt,
    ) -> (GlyphSink, Pt) {
        let mut sink = GlyphSink {
            glyphs: Vec::with_capacity(text.len()),
            text: String::with_capacity(text.len()),
            offsets: Vec::new(),
        };
        let scale = self.scale(face, size);
        let end = shape::place_glyphs(self.shaped(word, scratch), text, x, scale, &mut sink);
        (sink, end)
    }

    /// The run of `face` at `size` on `baseline` holding `sink`'s glyphs.
    fn run_of(
        &self,
        mut sink: GlyphSink,
        face: Face,
        size: Pt,
        baseline: Pt,
        gray: f32,
    ) -> TextRun {
        let (glyphs, text, offsets) = sink.take();
        TextRun {
            color: None,
            font: self.font_id(face),
            size,
            baseline,
            gray,
            text,
            glyphs,
            offsets,
            h_scale: 1.0,
        }
    }

    /// The pieces of `text` (a word the paragraph builder shaped in
    /// `face` and found [`WordEntry::missing`] glyphs in), each shaped in
    /// the face that has its glyphs: (face, byte range in `text`, word).
    /// Characters no face has are noted in [`FontSet::missing`] at their
    /// place in `span` (the source of `text`; exact when its length is
    /// the text's, else the place of the whole).
    #[cfg(test)]
    pub(crate) fn fallback_pieces(
        &mut self,
        face: Face,
        text: &str,
        span: Span,
    ) -> Vec<(Face, std::ops::Range<u32>, WordId)> {
        self.fallback_pieces_as(face, text, span, Variant::BOOK)
    }

    /// [`FontSet::fallback_pieces`] of a word shaped as `variant` says.
    /// The split of a short word is kept, so a word met again (a CJK
    /// character of a book set in a Latin face) costs a lookup.
    pub(crate) fn fallback_pieces_as(
        &mut self,
        face: Face,
        text: &str,
        span: Span,
        variant: Variant,
    ) -> Vec<(Face, std::ops::Range<u32>, WordId)> {
        let key =
            (text.len() <= MAX_CACHED_RUN_BYTES).then(|| self.shape_word_as(face, text, variant));
        let cached = key.and_then(|k| self.fallback_cache.get(&k));
        let (pieces, unshown) = match cached {
            Some((pieces, unshown)) => (pieces.clone(), unshown.clone()),
            None => {
                let mut unshown = Vec::new();
                let stretches = self.face_stretches(face, text, variant, &mut unshown);
                let pieces: Vec<(Face, std::ops::Range<u32>, WordId)> = stretches
                    .into_iter()
                    .map(|(f, range)| {
                        let word = self.shape_word_as(f, &text[range.clone()], variant);
                        (f, range.start as u32..range.end as u32, word)
                    })
                    .collect();
                if let Some(k) = key {
                    self.fallback_cache
                        .insert(k, (pieces.clone(), unshown.clone()));
                }
                (pieces, unshown)
            }
        };
        self.note_unshown(&unshown, text, span);
        pieces
    }

    /// The one face and word a missing word is set in when fallback sets
    /// it whole in another face with nothing unshown (the usual case of a
    /// CJK character), once [`FontSet::fallback_pieces_as`] has split it.
    #[inline]
    pub(crate) fn fallback_whole(&self, word: WordId) -> Option<(Face, WordId)> {
        match self.fallback_cache.get(&word) {
            Some((pieces, unshown)) if pieces.len() == 1 && unshown.is_empty() => {
                Some((pieces[0].0, pieces[0].2))
            }
            _ => None,
        }
    }

    /// Notes the characters of `text` no face has at their place in
    /// `span` (see [`FontSet::fallback_pieces`]).
    fn note_unshown(&mut self, unshown: &[(char, u32, ScriptTag)], text: &str, span: Span) {
        let exact = (span.end - span.start) as usize == text.len();
        for &(c, at, script) in unshown {
            let at = if exact {
                Span {
                    file: span.file,
                    start: span.start + at,
                    end: span.start + at + c.len_utf8() as u32,
                }
            } else {
                span
            };
            self.missing.push(MissingChar {
                c,
                script,
                span: Some(at),
            });
        }
    }

    /// Splits `text` into stretches by the face that sets them: `face`
    /// wherever its shaping gives real glyphs, elsewhere the first of its
    /// [`Face::fallbacks`] that does, and for what none of the book's faces
    /// has (or what book.yaml gives a font of its own) the face fallback
    /// chooses per character and script. What no face has stays in `face`
    /// (as .notdef); those characters, their byte offsets and the script
    /// of the text around them go to `unshown`. Stretches are in text order and cover all of `text`.
    fn face_stretches(
        &mut self,
        face: Face,
        text: &str,
        variant: Variant,
        unshown: &mut Vec<(char, u32, ScriptTag)>,
    ) -> Vec<(Face, std::ops::Range<usize>)> {
        // Per byte of `text`: the face that sets it.
        let mut owner = vec![face; text.len()];
        let forced = self.overridden_bytes(text);
        // Stretches still lacking glyphs: at first the whole text.
        let mut pending: Vec<std::ops::Range<usize>> = std::iter::once(0..text.len()).collect();
        let mut scratch = Vec::new();
        let chain: Vec<Face> = std::iter::once(face)
            .chain(face.fallbacks().iter().copied())
            .collect();
        for &f in &chain {
            let mut next = Vec::new();
            for range in pending {
                let part = &text[range.clone()];
                let word = self.shape_text(f, part, variant, &mut scratch);
                let mut lacking = notdef_bytes(self.shaped(word, &scratch), part);
                if let Some(forced) = &forced {
                    for (l, &o) in lacking.iter_mut().zip(&forced[range.clone()]) {
                        *l |= o;
                    }
                }
                for (i, &lacks) in lacking.iter().enumerate() {
                    if !lacks {
                        owner[range.start + i] = f;
                    }
                }
                next.extend(stretches_of(&lacking, range.start));
            }
            pending = next;
            if pending.is_empty() {
                break;
            }
        }
        if !pending.is_empty() {
            self.fallback_stretches(face, text, &pending, variant, &mut owner, unshown);
        }
        let mut out: Vec<(Face, std::ops::Range<usize>)> = Vec::new();
        for (i, &f) in owner.iter().enumerate() {
            match out.last_mut() {
                Some((g, r)) if *g == f && r.end == i => r.end = i + 1,
                _ => out.push((f, i..i + 1)),
            }
        }
        // Stretches end on character boundaries (clusters do); if a
        // shaper ever split one, merge it into the stretch before.
        let mut merged: Vec<(Face, std::ops::Range<usize>)> = Vec::with_capacity(out.len());
        for (f, r) in out {
            match merged.last_mut() {
                Some((_, last)) if !text.is_char_boundary(r.start) => last.end = r.end,
                _ => merged.push((f, r)),
            }
        }
        merged
    }

    /// Per byte of `text`: whether its character is of a script book.yaml
    /// gives a font of its own (`None` when it has none there).
    fn overridden_bytes(&self, text: &str) -> Option<Vec<bool>> {
        if !self.has_overridden(text) {
            return None;
        }
        let mut out = vec![false; text.len()];
        for (i, c) in text.char_indices() {
            if self.overridden.contains(&ScriptTag::of(c).family()) {
                out[i..i + c.len_utf8()].fill(true);
            }
        }
        Some(out)
    }

    /// Sets the `pending` stretches of `text` (none of the book's faces
    /// has them) in the faces fallback chooses: each character in the face
    /// for its script (the script of the run around it, for punctuation
    /// and marks), consecutive characters of one face shaped together.
    fn fallback_stretches(
        &mut self,
        face: Face,
        text: &str,
        pending: &[std::ops::Range<usize>],
        variant: Variant,
        owner: &mut [Face],
        unshown: &mut Vec<(char, u32, ScriptTag)>,
    ) {
        let mut scripts: Vec<(std::ops::Range<usize>, ScriptTag)> = Vec::new();
        for_each_script_run(text, |r, s| scripts.push((r, s)));
        let home = self.resolver().home();
        let script_at = |i: usize| match scripts.iter().find(|(r, _)| r.contains(&i)) {
            Some((_, s)) if !s.is_neutral() => *s,
            _ => home,
        };
        let style = face.style();
        // (byte range, face) groups to shape.
        let mut groups: Vec<(std::ops::Range<usize>, Option<Face>)> = Vec::new();
        {
            let mut resolver = self.resolver();
            for range in pending {
                let mut previous: Option<Option<Face>> = None;
                for (i, c) in text[range.clone()].char_indices() {
                    let at = range.start + i;
                    let chosen = match previous {
                        // A mark, joiner or variation selector stays with
                        // the character it belongs to.
                        Some(p) if joins_previous(c) => p,
                        _ => resolver.face_for(c, style, script_at(at)),
                    };
                    previous = Some(chosen);
                    match groups.last_mut() {
                        Some((r, f)) if *f == chosen && r.end == at => r.end = at + c.len_utf8(),
                        _ => groups.push((at..at + c.len_utf8(), chosen)),
                    }
                }
            }
        }
        let mut scratch = Vec::new();
        for (range, chosen) in groups {
            let part = &text[range.clone()];
            let lacking = match chosen {
                Some(f) => {
                    let word = self.shape_text(f, part, variant, &mut scratch);
                    let lacking = notdef_bytes(self.shaped(word, &scratch), part);
                    for (i, &l) in lacking.iter().enumerate() {
                        if !l {
                            owner[range.start + i] = f;
                        }
                    }
                    lacking
                }
                None => vec![true; part.len()],
            };
            for (i, c) in part.char_indices() {
                if lacking[i] {
                    let at = range.start + i;
                    unshown.push((c, at as u32, script_at(at)));
                }
            }
        }
    }

    /// Appends the glyphs of a cached word (or of `glyphs` within it) and
    /// their text to `out`, starting at `x`; returns the x after the last glyph.
    pub(crate) fn place_word(
        &self,
        id: WordId,
        glyph_range: std::ops::Range<usize>,
        text: &str,
        x: Pt,
        scale: (f64, f64),
        out: &mut GlyphSink,
    ) -> Pt {
        let all = self.word_glyphs(id);
        shape::place_glyph_slice(all, glyph_range, text, x, scale, out)
    }
}

/// How a note names a book face's style.
fn slot_name(face: Face) -> &'static str {
    match face {
        Face::Italic => "italic",
        Face::Bold => "bold",
        Face::BoldItalic => "bold italic",
        Face::Mono => "monospaced",
        _ => "regular",
    }
}

/// `a`, `a or b`, `a, b or c`.
fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// The maximal stretches of `true` in `lacking`, offset by `base`.
fn stretches_of(lacking: &[bool], base: usize) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lacking.len() {
        if !lacking[i] {
            i += 1;
            continue;
        }
        let from = i;
        while i < lacking.len() && lacking[i] {
            i += 1;
        }
        out.push(base + from..base + i);
    }
    out
}

/// Whether `c` belongs with the character before it: a combining mark,
/// a zero-width joiner or a variation selector.
fn joins_previous(c: char) -> bool {
    matches!(c, '\u{200D}' | '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
        || ScriptTag::of(c) == ScriptTag::INHERITED
}

/// Whether a character takes two columns of code (East Asian wide).
fn is_wide(c: char) -> bool {
    matches!(c, '\u{1100}'..='\u{115F}' | '\u{2E80}'..='\u{303E}' | '\u{3041}'..='\u{33FF}'
        | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{A000}'..='\u{A4CF}'
        | '\u{AC00}'..='\u{D7A3}' | '\u{F900}'..='\u{FAFF}' | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF00}'..='\u{FF60}' | '\u{FFE0}'..='\u{FFE6}' | '\u{20000}'..='\u{3FFFD}')
}

/// How many code cells `glyphs` (shaped from `text`) take: one per
/// cluster, two for a wide character.
fn cells(glyphs: &[ShapedGlyph], text: &str) -> usize {
    glyphs
        .iter()
        .enumerate()
        .filter(|(i, g)| *i == 0 || g.text_len > 0)
        .map(|(_, g)| {
            let wide = text
                .get(g.cluster as usize..)
                .and_then(|t| t.chars().next())
                .is_some_and(is_wide);
            if wide {
                2
            } else {
                1
            }
        })
        .sum()
}

/// Moves the glyphs of a run, placed from `x` at their natural advances,
/// so each cluster is centred in its cells (one `cell` wide, two for a
/// wide character); returns the x after the last cell. The glyphs keep
/// their natural advances (the PDF writer adjusts between them). With
/// `pens`, each glyph's cells (the cluster's first glyph takes them all).
fn fit_cells(run: &mut GlyphSink, x: Pt, cell: Pt, mut pens: Option<&mut Vec<(f64, f64)>>) -> Pt {
    let mut pen = x;
    let mut natural_pen = x;
    let mut i = 0;
    // Where glyph i's text starts in the run's.
    let mut text_at = 0;
    while i < run.glyphs.len() {
        let mut j = i + 1;
        while j < run.glyphs.len() && run.glyphs[j].text_len == 0 {
            j += 1;
        }
        let natural: Pt = run.glyphs[i..j].iter().map(|g| g.advance).sum();
        let text_len = usize::from(run.glyphs[i].text_len);
        let wide = run
            .text
            .get(text_at..text_at + text_len)
            .and_then(|t| t.chars().next())
            .is_some_and(is_wide);
        text_at += text_len;
        let width = if wide { cell * 2.0 } else { cell };
        let shift = pen + (width - natural) / 2.0 - natural_pen;
        for (k, g) in run.glyphs[i..j].iter_mut().enumerate() {
            g.x += shift;
            if let Some(pens) = pens.as_deref_mut() {
                let w = if k == 0 { width.0 } else { 0.0 };
                pens.push((pen.0 + if k == 0 { 0.0 } else { width.0 }, w));
            }
        }
        natural_pen += natural;
        pen += width;
        i = j;
    }
    pen
}

/// Whether any of `glyphs` is .notdef.
fn has_notdef(glyphs: &[ShapedGlyph]) -> bool {
    glyphs.iter().any(|g| g.id == NOTDEF)
}

/// Per byte of `text` (shaped as `glyphs`): whether it belongs to a
/// cluster with a .notdef glyph.
fn notdef_bytes(glyphs: &[ShapedGlyph], text: &str) -> Vec<bool> {
    let mut lacking = vec![false; text.len()];
    // The byte range of each glyph's cluster: the first glyph of a
    // cluster knows its text's length; the others share its range.
    let mut range = (0usize, 0usize);
    for (i, g) in glyphs.iter().enumerate() {
        let start = g.cluster as usize;
        if g.text_len > 0 {
            range = (start, start + usize::from(g.text_len));
        } else if i == 0 || glyphs[i - 1].cluster != g.cluster {
            range = (start, start);
        }
        if g.id == NOTDEF {
            if let Some(bytes) = lacking.get_mut(range.0..range.1.min(text.len())) {
                bytes.fill(true);
            }
        }
    }
    lacking
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn repo_fonts() -> (FontFiles, FallbackSettings) {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fonts");
        let files = FontFiles {
            regular: dir.join("GentiumBookPlus-Regular.ttf"),
            italic: dir.join("GentiumBookPlus-Italic.ttf"),
            bold: dir.join("GentiumBookPlus-Bold.ttf"),
            bold_italic: dir.join("GentiumBookPlus-BoldItalic.ttf"),
            mono: dir.join("Inconsolata.otf"),
        };
        let fallback = FallbackSettings {
            book_dir: dir.join("no-such-folder"),
            folio_dir: dir,
            by_script: Default::default(),
            // The system's own fonts: fonts-noto-cjk is installed for the tests.
            system_dirs: None,
        };
        (files, fallback)
    }

    #[test]
    fn english_text_never_lists_the_system_fonts_and_chinese_does() {
        let (files, fallback) = repo_fonts();
        let mut fonts = FontSet::load(&files, &fallback, "en").unwrap();
        for (face, text) in [
            (
                Face::Regular,
                "The quick brown fox—“affluent” office, 1,234 €.",
            ),
            (Face::Italic, "naïve café à la Ωmega"),
            (Face::Mono, "let x = a \u{2013} b; // λ"),
        ] {
            fonts.run(text, face, Pt(10.0), Pt(0.0), Pt(0.0), 0.0);
            fonts.width(text, face, Pt(10.0));
        }
        assert!(!fonts.system_fonts_listed());
        assert!(fonts.missing.is_empty(), "{:?}", fonts.missing);
        assert_eq!(fonts.data().len(), 5);
        // A character only a system font has: listed now, and set in the
        // serif CJK face of the Simplified Chinese region (an English book).
        let pieces = fonts.fallback_pieces(Face::Regular, "a中文b", Span::default());
        assert!(fonts.system_fonts_listed());
        let faces: Vec<Face> = pieces.iter().map(|p| p.0).collect();
        assert_eq!(faces.len(), 3, "{pieces:?}");
        assert_eq!((faces[0], faces[2]), (Face::Regular, Face::Regular));
        let uses = fonts.fallback_uses();
        assert_eq!(uses.len(), 1, "{uses:?}");
        assert_eq!(uses[0].scripts, [ScriptTag::HAN]);
        assert!(
            uses[0].postscript_name.starts_with("NotoSerifCJKsc"),
            "{uses:?}"
        );
        // A collection's face: the index inside the .ttc.
        assert!(uses[0].path.extension().is_some_and(|e| e == "ttc"));
        assert_eq!(fonts.data()[5].index, uses[0].index);
        // Bold asks for the bold face of the same family; italic slants it.
        fonts.fallback_pieces(Face::Bold, "中", Span::default());
        fonts.fallback_pieces(Face::Italic, "中", Span::default());
        let names: Vec<(String, Synthesis)> = fonts
            .fallback_uses()
            .into_iter()
            .map(|u| (u.postscript_name, u.synthesis))
            .collect();
        assert!(
            names
                .iter()
                .any(|(n, s)| n == "NotoSerifCJKsc-Bold" && s.is_none()),
            "{names:?}"
        );
        assert!(
            names
                .iter()
                .any(|(n, s)| n == "NotoSerifCJKsc-Regular" && s.slant > 0.0),
            "{names:?}"
        );
    }

    #[test]
    fn japanese_books_choose_the_japanese_face() {
        let (files, fallback) = repo_fonts();
        let mut fonts = FontSet::load(&files, &fallback, "ja").unwrap();
        fonts.fallback_pieces(Face::Regular, "東京の朝", Span::default());
        let uses = fonts.fallback_uses();
        assert_eq!(uses.len(), 1, "{uses:?}");
        assert_eq!(uses[0].postscript_name, "NotoSerifCJKjp-Regular");
        // Code: the monospaced CJK face.
        fonts.run("x = \"朝\"", Face::Mono, Pt(10.0), Pt(0.0), Pt(0.0), 0.0);
        assert!(fonts
            .fallback_uses()
            .iter()
            .any(|u| u.postscript_name.starts_with("NotoSansMonoCJKjp")));
    }
}
