//! The typesetter's fonts: the font layer's [`FontSet`] (faces,
//! fallback, shaping, the shaped-word cache) with the state the
//! typesetter keeps beside it on each thread — the hyphenation cache and
//! the time spent in paragraph layout.
//!
//! Place in the pipeline: first step of the typesetter. [`Fonts::load`]
//! reads the files named by [`FontFiles`] and prepares fallback; paragraph
//! layout ([`super::paragraph`]) shapes each word through
//! `Fonts::shape_word` (a [`FontSet`] method, reached through `Deref`).

use std::ops::{Deref, DerefMut};

pub use crate::fonts::{CacheStats, Face, FaceMetrics, FontSet};
pub(crate) use crate::fonts::{FxBuild, WordId};

use super::hyphenate::Hyphenator;
use super::Timings;
use crate::diag::StageResult;
use crate::fonts::{FallbackSettings, FontFiles};

/// The book's fonts with the typesetter's per-thread caches.
pub struct Fonts {
    set: FontSet,
    /// Hyphenation patterns and their per-word cache.
    pub(crate) hyphenator: Hyphenator,
    /// Time spent in paragraph layout with these fonts (shaping, line
    /// breaking, line setting), added up by [`super::paragraph`].
    pub(crate) timings: Timings,
}

impl std::fmt::Debug for Fonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.set.fmt(f)
    }
}

impl Deref for Fonts {
    type Target = FontSet;
    fn deref(&self) -> &FontSet {
        &self.set
    }
}

impl DerefMut for Fonts {
    fn deref_mut(&mut self) -> &mut FontSet {
        &mut self.set
    }
}

impl Fonts {
    /// Loads the five faces and prepares fallback for a book in
    /// `language`. Errors name the font file.
    pub fn load(
        files: &FontFiles,
        fallback: &FallbackSettings,
        language: &str,
    ) -> StageResult<Fonts> {
        Ok(Fonts::with_set(FontSet::load(files, fallback, language)?))
    }

    /// The same faces for another thread, with empty caches and timings of
    /// its own (see [`FontSet::fork`]).
    pub(crate) fn fork(&self) -> Fonts {
        Fonts::with_set(self.set.fork())
    }

    /// Readies fonts kept from an earlier run (see
    /// [`super::cache::Cache`]) for a new one: its caches stay, what it
    /// noticed and timed goes.
    pub(crate) fn begin_run(&mut self) {
        self.set.begin_run();
        self.timings = Timings::default();
    }

    fn with_set(set: FontSet) -> Fonts {
        Fonts {
            set,
            hyphenator: Hyphenator::default(),
            timings: Timings::default(),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::diag::Span;
    use crate::fonts::missing::MissingChar;
    use crate::fonts::ScriptTag;
    use crate::typeset::frame::{FontId, Glyph, TextRun};
    use crate::units::Pt;
    use std::path::PathBuf;

    /// The .notdef glyph.
    const NOTDEF: u16 = 0;

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
    /// Fallback limited to Folio's own fonts (no system fonts), so tests
    /// of the typesetter do not depend on what a machine has installed.
    pub(crate) fn test_fallback() -> FallbackSettings {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fonts");
        FallbackSettings {
            book_dir: dir.join("no-such-folder"),
            folio_dir: dir,
            by_script: Default::default(),
            system_dirs: Some(Vec::new()),
        }
    }

    /// The repository's fonts, for tests of the typesetter.
    pub(crate) fn test_fonts() -> Fonts {
        Fonts::load(&test_font_files(), &test_fallback(), "en").expect("repository fonts load")
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
        let err = Fonts::load(&files, &test_fallback(), "en").unwrap_err();
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
            // A run keeps advances in single precision.
            let centre = g.x.0 + f64::from(g.advance) / 2.0;
            let want = 5.0 + (column as f64 + 0.5) * cell;
            assert!((centre - want).abs() < 1e-6, "{column}: {font} {g:?}");
        }
        let width = fonts.width(text, Face::Mono, Pt(10.0));
        assert!((width.0 - 6.0 * cell).abs() < 1e-9, "{width:?}");
        assert!(fonts.missing.is_empty(), "{:?}", fonts.missing);
    }

    #[test]
    fn characters_no_face_has_stay_notdef_and_are_noted_each_time() {
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
            [
                MissingChar {
                    c: '\u{4e2d}',
                    script: ScriptTag::HAN,
                    span: None
                },
                MissingChar {
                    c: '\u{4e2d}',
                    script: ScriptTag::HAN,
                    span: Some(span)
                }
            ]
        );
        // Every occurrence is noted: the tally counts them.
        fonts.fallback_pieces(Face::Regular, "\u{4e2d}", span);
        assert_eq!(fonts.missing.len(), 1);
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
        let text: String = run.glyph_texts().map(|(_, t)| t).collect();
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
