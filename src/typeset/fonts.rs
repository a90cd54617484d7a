//! Fonts: loading the book's five faces, their metrics, and the shaped-word
//! cache every later typesetting stage draws from.
//!
//! Place in the pipeline: first step of the typesetter. [`Fonts::load`]
//! reads the files named by [`FontFiles`]; skrifa supplies metrics and names,
//! harfrust (via [`super::shape`]) turns text into glyphs. Paragraph layout
//! ([`super::paragraph`]) shapes each word through `Fonts::shape_word`,
//! which caches results per face and word so a common word is shaped once per
//! book. Shaping happens in font units, so one cache entry serves every size.
//!
//! Glyph fallback: where a face's shaping gives the .notdef glyph (id 0) for
//! a cluster, that stretch of text is set in the first of
//! [`Face::fallbacks`] that has glyphs for it (code in the mono face falls
//! back to the book face), so the character is drawn and extracts as text.
//! [`Fonts::fallback_pieces`] splits a word into such stretches for the
//! paragraph builder, and [`Fonts::run`] returns one [`TextRun`] per
//! stretch. A character no face has stays .notdef in its own face and is
//! noted once in [`Fonts::missing`], for the composer to warn about.

use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;
use std::sync::Arc;

use skrifa::instance::{LocationRef, Size};
use skrifa::string::StringId;
use skrifa::{FontRef, MetadataProvider};

use super::frame::{FontData, FontId, TextRun};
use super::hyphenate::Hyphenator;
use super::shape::{self, GlyphSink, ShapedGlyph, Shaper};
use super::{FontFiles, Timings};
use crate::diag::{Diagnostic, Span, StageResult};
use crate::units::Pt;

/// One of the book's five faces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Face {
    Regular,
    Italic,
    Bold,
    BoldItalic,
    Mono,
}

impl Face {
    /// All faces, in [`FontId`] order.
    pub const ALL: [Face; 5] = [
        Face::Regular,
        Face::Italic,
        Face::Bold,
        Face::BoldItalic,
        Face::Mono,
    ];

    /// Index of the face in [`Face::ALL`] (and its [`FontId`]).
    pub fn index(self) -> usize {
        match self {
            Face::Regular => 0,
            Face::Italic => 1,
            Face::Bold => 2,
            Face::BoldItalic => 3,
            Face::Mono => 4,
        }
    }

    /// The faces tried, in order, for text this face has no glyphs for:
    /// the book face nearest in style first, the mono face last (it may
    /// have symbols the book face lacks).
    pub fn fallbacks(self) -> &'static [Face] {
        match self {
            Face::Mono => &[Face::Regular],
            Face::Regular => &[Face::Mono],
            Face::Italic | Face::Bold => &[Face::Regular, Face::Mono],
            Face::BoldItalic => &[Face::Bold, Face::Italic, Face::Regular, Face::Mono],
        }
    }
}

/// Vertical metrics of a face as fractions of the em (multiply by size).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceMetrics {
    /// Height above the baseline of the tallest usual glyphs (typographic ascender).
    pub ascender: f64,
    /// Depth below the baseline (positive).
    pub descender: f64,
    pub cap_height: f64,
    pub x_height: f64,
}

/// Identifies one cached shaped word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct WordId(u32);

/// A cached shaping result: a range of the glyph arena plus its total advance.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WordEntry {
    start: u32,
    len: u32,
    /// Sum of the glyph advances, in font units.
    pub advance: i32,
    /// The face the word was shaped in.
    pub face: Face,
    /// Whether some glyph is .notdef (id 0): the face lacks a character.
    pub missing: bool,
}

/// A character no face has a glyph for, met while shaping (see
/// [`Fonts::missing`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MissingChar {
    pub c: char,
    /// Where it is in the source, when the caller knew.
    pub span: Option<Span>,
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

/// Longest text [`Fonts::run`] puts into the word cache; longer runs (code
/// lines) are shaped every time so they do not bloat the cache with text that
/// rarely repeats.
const MAX_CACHED_RUN_BYTES: usize = 64;

/// One loaded face (cloning shares the font data).
#[derive(Clone)]
struct LoadedFace {
    font: harfrust::Font,
    data: FontData,
    metrics: FaceMetrics,
    units_per_em: f64,
}

/// The book's fonts, shaping machinery and shaped-word cache.
pub struct Fonts {
    faces: Vec<LoadedFace>,
    shaper: Shaper,
    /// Per face: word text → cached entry.
    index: [HashMap<Box<str>, WordId, FxBuild>; 5],
    words: Vec<WordEntry>,
    /// All cached glyphs, words are ranges of it (no allocation per word).
    glyphs: Vec<ShapedGlyph>,
    stats: CacheStats,
    /// Hyphenation patterns and their per-word cache.
    pub(crate) hyphenator: Hyphenator,
    /// Time spent in paragraph layout with these fonts (shaping, line
    /// breaking, line setting), added up by [`super::paragraph`].
    pub(crate) timings: Timings,
    /// Characters no face could show, each noted once (by the first text
    /// it was met in) and waiting for the composer to warn about them.
    pub(crate) missing: Vec<MissingChar>,
    /// Every character ever put in `missing`.
    noted: BTreeSet<char>,
}

impl std::fmt::Debug for Fonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fonts")
            .field("faces", &self.faces.len())
            .field("cached_words", &self.words.len())
            .finish()
    }
}

fn read_face(path: &Path) -> StageResult<LoadedFace> {
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::error(format!("cannot read font file: {e}"))
            .in_file(path)
            .with_hint("fonts are looked up in the book's `fonts/` folder")
    })?;
    let bytes = Arc::new(bytes);
    let bad = |what: &str| {
        Diagnostic::error(format!("not a usable font: {what}"))
            .in_file(path)
            .with_hint("use a TrueType (.ttf) or OpenType (.otf) font file")
    };
    let font_ref = FontRef::new(&bytes).map_err(|e| bad(&e.to_string()))?;
    let m = font_ref.metrics(Size::unscaled(), LocationRef::default());
    if m.units_per_em == 0 {
        return Err(bad("units per em is 0").into());
    }
    if font_ref.charmap().map(' ').is_none() {
        return Err(bad("it has no Unicode character map").into());
    }
    let upem = f64::from(m.units_per_em);
    let postscript_name = font_ref
        .localized_strings(StringId::POSTSCRIPT_NAME)
        .english_or_first()
        .map(|s| s.to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| {
            path.file_stem()
                .map_or_else(|| "Font".to_owned(), |s| s.to_string_lossy().into_owned())
        });
    // Fallbacks used when the OS/2 table lacks cap and x heights: typical
    // proportions of a book face.
    const FALLBACK_CAP_HEIGHT: f64 = 0.7;
    const FALLBACK_X_HEIGHT: f64 = 0.45;
    let metrics = FaceMetrics {
        ascender: f64::from(m.ascent) / upem,
        descender: -f64::from(m.descent) / upem,
        cap_height: m
            .cap_height
            .map_or(FALLBACK_CAP_HEIGHT, |v| f64::from(v) / upem),
        x_height: m
            .x_height
            .map_or(FALLBACK_X_HEIGHT, |v| f64::from(v) / upem),
    };
    let shared: Arc<dyn AsRef<[u8]> + Send + Sync> = bytes.clone();
    let font = harfrust::Font::new(shared, 0).ok_or_else(|| bad("cannot parse its tables"))?;
    Ok(LoadedFace {
        font,
        data: FontData {
            postscript_name,
            bytes,
            index: 0,
            units_per_em: m.units_per_em,
        },
        metrics,
        units_per_em: upem,
    })
}

impl Fonts {
    /// Loads the five faces. Errors name the font file.
    pub fn load(files: &FontFiles) -> StageResult<Fonts> {
        let paths = [
            &files.regular,
            &files.italic,
            &files.bold,
            &files.bold_italic,
            &files.mono,
        ];
        let mut faces = Vec::with_capacity(paths.len());
        let mut errors = Vec::new();
        for p in paths {
            match read_face(p) {
                Ok(f) => faces.push(f),
                Err(e) => errors.extend(e.0),
            }
        }
        if !errors.is_empty() {
            return Err(crate::diag::Diagnostics(errors));
        }
        Ok(Fonts::with_faces(faces))
    }

    /// The same faces for another thread, sharing the font files, with
    /// empty caches and timings of its own. Shaping and hyphenation do not
    /// depend on what is cached, so a fork sets text exactly as `self`.
    pub(crate) fn fork(&self) -> Fonts {
        Fonts::with_faces(self.faces.clone())
    }

    /// Loaded faces with empty caches, timings and notes.
    fn with_faces(faces: Vec<LoadedFace>) -> Fonts {
        Fonts {
            faces,
            shaper: Shaper::default(),
            index: Default::default(),
            words: Vec::new(),
            glyphs: Vec::new(),
            stats: CacheStats::default(),
            hyphenator: Hyphenator::default(),
            timings: Timings::default(),
            missing: Vec::new(),
            noted: BTreeSet::new(),
        }
    }

    /// The [`FontId`] of a face: an index into [`Fonts::data`].
    pub fn font_id(&self, face: Face) -> FontId {
        FontId(face.index())
    }

    /// The font files for [`super::frame::Document::fonts`], in [`FontId`] order.
    pub fn data(&self) -> Vec<FontData> {
        self.faces.iter().map(|f| f.data.clone()).collect()
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
    pub(crate) fn shape_word(&mut self, face: Face, text: &str) -> WordId {
        let map = &mut self.index[face.index()];
        if let Some(&id) = map.get(text) {
            self.stats.hits += 1;
            return id;
        }
        self.stats.misses += 1;
        let start = self.glyphs.len() as u32;
        let advance = self
            .shaper
            .shape(&self.faces[face.index()].font, text, &mut self.glyphs);
        let id = WordId(self.words.len() as u32);
        let missing = has_notdef(&self.glyphs[start as usize..]);
        self.words.push(WordEntry {
            start,
            len: self.glyphs.len() as u32 - start,
            advance,
            face,
            missing,
        });
        map.insert(text.into(), id);
        id
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

    /// Shapes `text` in `face` without fallback: into the cache (returning
    /// the word) when it is short, else into `scratch` (returning `None`).
    fn shape_text(
        &mut self,
        face: Face,
        text: &str,
        scratch: &mut Vec<ShapedGlyph>,
    ) -> Option<WordId> {
        if text.len() <= MAX_CACHED_RUN_BYTES {
            return Some(self.shape_word(face, text));
        }
        scratch.clear();
        self.shaper
            .shape(&self.faces[face.index()].font, text, scratch);
        None
    }

    /// The glyphs [`Fonts::shape_text`] left: the cached word's or `scratch`.
    fn shaped<'s>(&'s self, word: Option<WordId>, scratch: &'s [ShapedGlyph]) -> &'s [ShapedGlyph] {
        match word {
            Some(id) => self.word_glyphs(id),
            None => scratch,
        }
    }

    /// Natural width of `text` shaped as one unbroken run, with what the
    /// face lacks set in its fallbacks (as [`Fonts::run`] sets it).
    pub fn width(&mut self, text: &str, face: Face, size: Pt) -> Pt {
        let mut scratch = Vec::new();
        let word = self.shape_text(face, text, &mut scratch);
        let glyphs = self.shaped(word, &scratch);
        if !has_notdef(glyphs) {
            let advance: i32 = match word {
                Some(id) => self.word(id).advance,
                None => glyphs.iter().map(|g| g.advance).sum(),
            };
            return Pt(f64::from(advance) * self.scale(face, size));
        }
        let mut unshown = Vec::new();
        let cell = self.code_cell(face, size);
        let mut width = Pt::ZERO;
        for (f, range) in self.face_stretches(face, text, &mut unshown) {
            let word = self.shape_text(f, &text[range], &mut scratch);
            let glyphs = self.shaped(word, &scratch);
            width += match cell {
                Some(cell) if f != face => cell * clusters(glyphs) as f64,
                _ => {
                    let advance: i32 = glyphs.iter().map(|g| g.advance).sum();
                    Pt(f64::from(advance) * self.scale(f, size))
                }
            };
        }
        width
    }

    /// Shapes `text` as one unbroken run starting at `x` (page coordinates),
    /// on the given baseline: for running heads, folios, TOC numbers, code
    /// lines. Usually one run; stretches the face has no glyphs for are
    /// set in a fallback face, as runs of their own, one after the other.
    /// Characters no face has are noted in [`Fonts::missing`] without a span.
    pub fn run(
        &mut self,
        text: &str,
        face: Face,
        size: Pt,
        x: Pt,
        baseline: Pt,
        gray: f32,
    ) -> Vec<TextRun> {
        let mut scratch = Vec::new();
        let word = self.shape_text(face, text, &mut scratch);
        if !has_notdef(self.shaped(word, &scratch)) {
            let (run, _) = self.place_run(text, face, word, &scratch, size, x, baseline, gray);
            return vec![run];
        }
        let mut unshown = Vec::new();
        let stretches = self.face_stretches(face, text, &mut unshown);
        for (c, _) in unshown {
            self.note_missing(c, None);
        }
        let cell = self.code_cell(face, size);
        let mut runs = Vec::with_capacity(stretches.len());
        let mut pen = x;
        for (f, range) in stretches {
            let part = &text[range];
            let word = self.shape_text(f, part, &mut scratch);
            let (mut run, end) = self.place_run(part, f, word, &scratch, size, pen, baseline, gray);
            pen = match cell {
                Some(cell) if f != face => fit_cells(&mut run, pen, cell),
                _ => end,
            };
            runs.push(run);
        }
        runs
    }

    /// The width of a column of code when `face` is the mono face: what it
    /// lacks is then set one character cell per cluster, centred, so code
    /// keeps its columns. `None` for the book faces.
    fn code_cell(&mut self, face: Face, size: Pt) -> Option<Pt> {
        (face == Face::Mono).then(|| self.width(" ", Face::Mono, size))
    }

    /// Places shaped text (see [`Fonts::shape_text`]) as one run from `x`;
    /// returns it and the pen position after it.
    #[allow(clippy::too_many_arguments)]
    fn place_run(
        &self,
        text: &str,
        face: Face,
        word: Option<WordId>,
        scratch: &[ShapedGlyph],
        size: Pt,
        x: Pt,
        baseline: Pt,
        gray: f32,
    ) -> (TextRun, Pt) {
        let mut sink = GlyphSink {
            glyphs: Vec::with_capacity(text.len()),
            text: String::with_capacity(text.len()),
            offsets: Vec::new(),
        };
        let scale = self.scale(face, size);
        let end = shape::place_glyphs(self.shaped(word, scratch), text, x, scale, &mut sink);
        let run = TextRun {
            font: self.font_id(face),
            size,
            baseline,
            gray,
            text: sink.text,
            glyphs: sink.glyphs,
            offsets: sink.offsets,
            h_scale: 1.0,
        };
        (run, end)
    }

    /// The pieces of `text` (a word the paragraph builder shaped in
    /// `face` and found [`WordEntry::missing`] glyphs in), each shaped in
    /// the face that has its glyphs: (face, byte range in `text`, word).
    /// Characters no face has are noted in [`Fonts::missing`] at their
    /// place in `span` (the source of `text`; exact when its length is
    /// the text's, else the place of the whole).
    pub(crate) fn fallback_pieces(
        &mut self,
        face: Face,
        text: &str,
        span: Span,
    ) -> Vec<(Face, std::ops::Range<u32>, WordId)> {
        let mut unshown = Vec::new();
        let stretches = self.face_stretches(face, text, &mut unshown);
        let exact = (span.end - span.start) as usize == text.len();
        for (c, at) in unshown {
            let at = if exact {
                Span {
                    file: span.file,
                    start: span.start + at,
                    end: span.start + at + c.len_utf8() as u32,
                }
            } else {
                span
            };
            self.note_missing(c, Some(at));
        }
        stretches
            .into_iter()
            .map(|(f, range)| {
                let word = self.shape_word(f, &text[range.clone()]);
                (f, range.start as u32..range.end as u32, word)
            })
            .collect()
    }

    /// Notes a character no face has, once per character.
    fn note_missing(&mut self, c: char, span: Option<Span>) {
        if self.noted.insert(c) {
            self.missing.push(MissingChar { c, span });
        }
    }

    /// Splits `text` into stretches by the face that sets them: `face`
    /// wherever its shaping gives real glyphs, elsewhere the first of its
    /// [`Face::fallbacks`] that does. What no face has stays in `face`
    /// (as .notdef); those characters and their byte offsets go to
    /// `unshown`. Stretches are in text order and cover all of `text`.
    fn face_stretches(
        &mut self,
        face: Face,
        text: &str,
        unshown: &mut Vec<(char, u32)>,
    ) -> Vec<(Face, std::ops::Range<usize>)> {
        let faces: Vec<Face> = std::iter::once(face)
            .chain(face.fallbacks().iter().copied())
            .collect();
        // Per byte of `text`: index into `faces` of the face that sets it.
        let mut owner = vec![0usize; text.len()];
        // Stretches still lacking glyphs: at first the whole text.
        let mut pending: Vec<std::ops::Range<usize>> = std::iter::once(0..text.len()).collect();
        let mut scratch = Vec::new();
        for (k, &f) in faces.iter().enumerate() {
            let mut next = Vec::new();
            for range in pending {
                let part = &text[range.clone()];
                let word = self.shape_text(f, part, &mut scratch);
                let lacking = notdef_bytes(self.shaped(word, &scratch), part);
                for (i, &lacks) in lacking.iter().enumerate() {
                    if !lacks {
                        owner[range.start + i] = k;
                    }
                }
                // Maximal stretches still lacking, for the next face.
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
                    next.push(range.start + from..range.start + i);
                }
            }
            pending = next;
            if pending.is_empty() {
                break;
            }
        }
        // What no face has stays with `face` (owner 0, never changed).
        for range in pending {
            for (i, c) in text[range.clone()].char_indices() {
                unshown.push((c, (range.start + i) as u32));
            }
        }
        let mut out: Vec<(Face, std::ops::Range<usize>)> = Vec::new();
        for (i, &k) in owner.iter().enumerate() {
            match out.last_mut() {
                Some((f, r)) if *f == faces[k] && r.end == i => r.end = i + 1,
                _ => out.push((faces[k], i..i + 1)),
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

/// How many clusters `glyphs` has (a cluster's first glyph carries its
/// text; the others follow it with none).
fn clusters(glyphs: &[ShapedGlyph]) -> usize {
    glyphs
        .iter()
        .enumerate()
        .filter(|(i, g)| *i == 0 || g.text_len > 0)
        .count()
}

/// Moves the glyphs of `run`, placed from `x` at their natural advances,
/// so each cluster is centred in a cell `cell` wide; returns the x after
/// the last cell. The glyphs keep their natural advances (the PDF writer
/// adjusts between them).
fn fit_cells(run: &mut TextRun, x: Pt, cell: Pt) -> Pt {
    let mut pen = x;
    let mut natural_pen = x;
    let mut i = 0;
    while i < run.glyphs.len() {
        let mut j = i + 1;
        while j < run.glyphs.len() && run.glyphs[j].text_len == 0 {
            j += 1;
        }
        let natural: Pt = run.glyphs[i..j].iter().map(|g| g.advance).sum();
        let shift = pen + (cell - natural) / 2.0 - natural_pen;
        for g in &mut run.glyphs[i..j] {
            g.x += shift;
        }
        natural_pen += natural;
        pen += cell;
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

/// A small, fast, non-cryptographic hasher for the word cache (word keys are
/// short and not attacker-chosen in a way that matters for a batch tool).
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

/// Multiplier of the Fx hash (from the golden ratio), spreads bits well.
const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.add(u64::from_le_bytes(b));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// Builds [`FxHasher`]s.
pub(crate) type FxBuild = BuildHasherDefault<FxHasher>;

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::typeset::frame::Glyph;
    use std::path::PathBuf;

    /// The repository's font files (Gentium Book Plus, Inconsolata).
    pub(crate) fn test_font_files() -> FontFiles {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fonts");
        FontFiles {
            regular: dir.join("GentiumBookPlus-Regular.ttf"),
            italic: dir.join("GentiumBookPlus-Italic.ttf"),
            bold: dir.join("GentiumBookPlus-Bold.ttf"),
            bold_italic: dir.join("GentiumBookPlus-BoldItalic.ttf"),
            mono: dir.join("Inconsolata.otf"),
        }
    }

    /// The repository's fonts, for tests of the typesetter.
    pub(crate) fn test_fonts() -> Fonts {
        Fonts::load(&test_font_files()).expect("repository fonts load")
    }

    #[test]
    fn loads_faces_with_names_and_metrics() {
        let fonts = test_fonts();
        let data = fonts.data();
        assert_eq!(data.len(), 5);
        assert_eq!(data[0].postscript_name, "GentiumBookPlus");
        assert_eq!(
            data[fonts.font_id(Face::Italic).0].postscript_name,
            "GentiumBookPlus-Italic"
        );
        let m = fonts.metrics(Face::Regular);
        assert!(m.ascender > 0.5 && m.ascender < 1.5, "{m:?}");
        assert!(m.descender > 0.1 && m.descender < 0.6, "{m:?}");
        assert!(m.x_height < m.cap_height);
    }

    #[test]
    fn missing_font_names_the_file() {
        let mut files = test_font_files();
        files.bold = PathBuf::from("nowhere/Missing-Bold.ttf");
        let err = Fonts::load(&files).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("Missing-Bold.ttf"), "{text}");
    }

    /// `text` set by [`Fonts::run`] at `size`, which must give one run.
    fn one_run(fonts: &mut Fonts, text: &str, face: Face, size: f64) -> TextRun {
        let mut runs = fonts.run(text, face, Pt(size), Pt(0.0), Pt(0.0), 0.0);
        assert_eq!(runs.len(), 1, "{runs:?}");
        runs.remove(0)
    }

    #[test]
    fn mono_sets_what_it_lacks_in_the_book_face() {
        let mut fonts = test_fonts();
        // Inconsolata has no en dash or Greek; Gentium has both.
        let text = "a\u{2013}b \u{3bb}x";
        let runs = fonts.run(text, Face::Mono, Pt(10.0), Pt(5.0), Pt(0.0), 0.0);
        let faces: Vec<usize> = runs.iter().map(|r| r.font.0).collect();
        let mono = fonts.font_id(Face::Mono).0;
        let serif = fonts.font_id(Face::Regular).0;
        assert_eq!(faces, [mono, serif, mono, serif, mono], "{runs:?}");
        let texts: Vec<&str> = runs.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["a", "\u{2013}", "b ", "\u{3bb}", "x"]);
        assert!(runs.iter().flat_map(|r| &r.glyphs).all(|g| g.id != NOTDEF));
        // Code keeps its columns: every character takes one cell, the
        // fallback glyphs centred in theirs; `width` measures the same.
        let cell = fonts.width(" ", Face::Mono, Pt(10.0)).0;
        let glyphs: Vec<(usize, &Glyph)> = runs
            .iter()
            .flat_map(|r| r.glyphs.iter().map(move |g| (r.font.0, g)))
            .collect();
        assert_eq!(glyphs.len(), 6);
        for (column, (font, g)) in glyphs.iter().enumerate() {
            let centre = g.x.0 + g.advance.0 / 2.0;
            let want = 5.0 + (column as f64 + 0.5) * cell;
            assert!((centre - want).abs() < 1e-9, "{column}: {font} {g:?}");
        }
        let width = fonts.width(text, Face::Mono, Pt(10.0));
        assert!((width.0 - 6.0 * cell).abs() < 1e-9, "{width:?}");
        assert!(fonts.missing.is_empty(), "{:?}", fonts.missing);
    }

    #[test]
    fn characters_no_face_has_stay_notdef_and_are_noted_once() {
        let mut fonts = test_fonts();
        let runs = fonts.run(
            "a\u{4e2d}\u{2013}",
            Face::Mono,
            Pt(10.0),
            Pt(0.0),
            Pt(0.0),
            0.0,
        );
        let mono = fonts.font_id(Face::Mono);
        let serif = fonts.font_id(Face::Regular);
        let summary: Vec<(FontId, &str)> = runs.iter().map(|r| (r.font, r.text.as_str())).collect();
        assert_eq!(summary, [(mono, "a\u{4e2d}"), (serif, "\u{2013}")]);
        assert_eq!(runs[0].glyphs[1].id, NOTDEF);
        let span = Span {
            file: crate::diag::FileId(2),
            start: 100,
            end: 103,
        };
        let pieces = fonts.fallback_pieces(Face::Regular, "\u{4e2d}", span);
        assert_eq!(pieces.len(), 1);
        assert_eq!(pieces[0].0, Face::Regular);
        let chars: Vec<MissingChar> = std::mem::take(&mut fonts.missing);
        assert_eq!(
            chars,
            [MissingChar {
                c: '\u{4e2d}',
                span: None
            }]
        );
        // Noted once: a later text with a span does not note it again.
        let pieces = fonts.fallback_pieces(Face::Regular, "\u{4e2e}", span);
        assert_eq!(pieces.len(), 1);
        assert_eq!(
            fonts.missing,
            [MissingChar {
                c: '\u{4e2e}',
                span: Some(span)
            }]
        );
    }

    #[test]
    fn fallback_pieces_cover_the_word_on_character_boundaries() {
        let mut fonts = test_fonts();
        for text in [
            "\u{2013}",
            "x\u{2014}",
            "\u{3b1}\u{3b2}y\u{2192}",
            "e\u{301}\u{2013}",
            "\u{2013}\u{4e2d}z",
        ] {
            let id = fonts.shape_word(Face::Mono, text);
            assert!(fonts.word(id).missing, "{text}");
            let pieces = fonts.fallback_pieces(Face::Mono, text, Span::default());
            let mut at = 0;
            for (face, range, word) in &pieces {
                assert_eq!(range.start, at, "{text}: {pieces:?}");
                at = range.end;
                assert_eq!(fonts.word(*word).face, *face);
                let part = &text[range.start as usize..range.end as usize];
                assert_eq!(fonts.shape_word(*face, part), *word, "cached");
            }
            assert_eq!(at as usize, text.len(), "{text}: {pieces:?}");
        }
    }

    #[test]
    fn ligatures_map_back_to_their_letters() {
        let mut fonts = test_fonts();
        let run = one_run(&mut fonts, "office", Face::Regular, 11.0);
        let text: String = run.glyphs.iter().map(|g| run.glyph_text(g)).collect();
        assert_eq!(run.text, "office");
        assert_eq!(text, "office");
        assert!(
            run.glyphs.len() < 6,
            "expected an ffi ligature: {:?}",
            run.glyphs
        );
    }

    #[test]
    fn marks_off_the_baseline_are_kept_per_run() {
        let mut fonts = test_fonts();
        // A combining acute over a capital with no precomposed form: the
        // font's GPOS lifts the mark above the cap height.
        let run = one_run(&mut fonts, "X\u{301}x", Face::Regular, 10.0);
        assert_eq!(run.glyphs.len(), 3, "{run:?}");
        assert_eq!(run.offsets.len(), 1, "{run:?}");
        assert_eq!(run.offsets[0].0, 1);
        assert!(run.y_offset(1).0 > 0.5, "{run:?}");
        assert_eq!(run.y_offset(0), Pt::ZERO);
        assert_eq!(run.y_offset(2), Pt::ZERO);
        let plain = one_run(&mut fonts, "Xx", Face::Regular, 10.0);
        assert!(plain.offsets.is_empty());
    }

    #[test]
    fn width_uses_cache_and_kerning() {
        let mut fonts = test_fonts();
        let a = fonts.width("the", Face::Regular, Pt(11.0));
        let b = fonts.width("the", Face::Regular, Pt(22.0));
        assert!((b.0 - 2.0 * a.0).abs() < 1e-9);
        assert_eq!(fonts.cache_stats(), CacheStats { hits: 1, misses: 1 });
        // "AV" is kerned in Gentium: narrower than A + V apart.
        let av = fonts.width("AV", Face::Regular, Pt(11.0));
        let sum =
            fonts.width("A", Face::Regular, Pt(11.0)) + fonts.width("V", Face::Regular, Pt(11.0));
        assert!(av.0 < sum.0, "{av:?} vs {sum:?}");
    }
}
