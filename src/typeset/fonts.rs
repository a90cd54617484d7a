//! Fonts: loading the book's five faces, their metrics, and the shaped-word
//! cache every later typesetting stage draws from.
//!
//! Place in the pipeline: first step of the typesetter. [`Fonts::load`]
//! reads the files named by [`FontFiles`]; skrifa supplies metrics and names,
//! harfrust (via [`super::shape`]) turns text into glyphs. Paragraph layout
//! ([`super::paragraph`]) shapes each word through `Fonts::shape_word`,
//! which caches results per face and word so a common word is shaped once per
//! book. Shaping happens in font units, so one cache entry serves every size.

use std::collections::HashMap;
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
use crate::diag::{Diagnostic, StageResult};
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
}

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
        Ok(Fonts {
            faces,
            shaper: Shaper::default(),
            index: Default::default(),
            words: Vec::new(),
            glyphs: Vec::new(),
            stats: CacheStats::default(),
            hyphenator: Hyphenator::default(),
            timings: Timings::default(),
        })
    }

    /// The same faces for another thread, sharing the font files, with
    /// empty caches and timings of its own. Shaping and hyphenation do not
    /// depend on what is cached, so a fork sets text exactly as `self`.
    pub(crate) fn fork(&self) -> Fonts {
        Fonts {
            faces: self.faces.clone(),
            shaper: Shaper::default(),
            index: Default::default(),
            words: Vec::new(),
            glyphs: Vec::new(),
            stats: CacheStats::default(),
            hyphenator: Hyphenator::default(),
            timings: Timings::default(),
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
        self.words.push(WordEntry {
            start,
            len: self.glyphs.len() as u32 - start,
            advance,
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

    /// Natural width of `text` shaped as one unbroken run.
    pub fn width(&mut self, text: &str, face: Face, size: Pt) -> Pt {
        let advance = if text.len() <= MAX_CACHED_RUN_BYTES {
            let id = self.shape_word(face, text);
            self.word(id).advance
        } else {
            let mut scratch = Vec::new();
            self.shaper
                .shape(&self.faces[face.index()].font, text, &mut scratch)
        };
        Pt(f64::from(advance) * self.scale(face, size))
    }

    /// Shapes `text` as one unbroken run starting at `x` (page coordinates),
    /// on the given baseline: for running heads, folios, TOC numbers, code lines.
    pub fn run(
        &mut self,
        text: &str,
        face: Face,
        size: Pt,
        x: Pt,
        baseline: Pt,
        gray: f32,
    ) -> TextRun {
        let scale = self.scale(face, size);
        let mut sink = GlyphSink {
            glyphs: Vec::with_capacity(text.len()),
            text: String::with_capacity(text.len()),
            offsets: Vec::new(),
        };
        if text.len() <= MAX_CACHED_RUN_BYTES {
            let id = self.shape_word(face, text);
            shape::place_glyphs(self.word_glyphs(id), text, x, scale, &mut sink);
        } else {
            let mut scratch = Vec::new();
            self.shaper
                .shape(&self.faces[face.index()].font, text, &mut scratch);
            shape::place_glyphs(&scratch, text, x, scale, &mut sink);
        }
        TextRun {
            font: self.font_id(face),
            size,
            baseline,
            gray,
            text: sink.text,
            glyphs: sink.glyphs,
            offsets: sink.offsets,
            h_scale: 1.0,
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
    use std::path::PathBuf;

    /// The repository's fonts, for tests of the typesetter.
    pub(crate) fn test_fonts() -> Fonts {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fonts");
        Fonts::load(&FontFiles {
            regular: dir.join("GentiumBookPlus-Regular.ttf"),
            italic: dir.join("GentiumBookPlus-Italic.ttf"),
            bold: dir.join("GentiumBookPlus-Bold.ttf"),
            bold_italic: dir.join("GentiumBookPlus-BoldItalic.ttf"),
            mono: dir.join("Inconsolata.otf"),
        })
        .expect("repository fonts load")
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
        let mut files = test_fonts_files();
        files.bold = PathBuf::from("nowhere/Missing-Bold.ttf");
        let err = Fonts::load(&files).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("Missing-Bold.ttf"), "{text}");
    }

    fn test_fonts_files() -> FontFiles {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fonts");
        FontFiles {
            regular: dir.join("GentiumBookPlus-Regular.ttf"),
            italic: dir.join("GentiumBookPlus-Italic.ttf"),
            bold: dir.join("GentiumBookPlus-Bold.ttf"),
            bold_italic: dir.join("GentiumBookPlus-BoldItalic.ttf"),
            mono: dir.join("Inconsolata.otf"),
        }
    }

    #[test]
    fn ligatures_map_back_to_their_letters() {
        let mut fonts = test_fonts();
        let run = fonts.run("office", Face::Regular, Pt(11.0), Pt(0.0), Pt(0.0), 0.0);
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
        let run = fonts.run("X\u{301}x", Face::Regular, Pt(10.0), Pt(0.0), Pt(0.0), 0.0);
        assert_eq!(run.glyphs.len(), 3, "{run:?}");
        assert_eq!(run.offsets.len(), 1, "{run:?}");
        assert_eq!(run.offsets[0].0, 1);
        assert!(run.y_offset(1).0 > 0.5, "{run:?}");
        assert_eq!(run.y_offset(0), Pt::ZERO);
        assert_eq!(run.y_offset(2), Pt::ZERO);
        let plain = fonts.run("Xx", Face::Regular, Pt(10.0), Pt(0.0), Pt(0.0), 0.0);
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
