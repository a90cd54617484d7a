//! Faces: one font face loaded for shaping and embedding, with its
//! metrics, the style it stands for, and the style Folio draws on top of
//! it when the font has no such face (synthesized bold and slant).
//!
//! Place in the font layer: [`super::FontSet`] holds loaded faces; this
//! module turns font bytes (a `.ttf`, `.otf`, or one face of a `.ttc`
//! collection) into one. Variable fonts are set in their default instance
//! (the PDF writer's subsetter keeps the default outlines and drops the
//! variation tables, so shaping, metrics and the embedded glyphs agree); a
//! bold or italic the default instance is not gets synthesized like the
//! style of a one-file family.

use std::path::Path;
use std::sync::Arc;

use skrifa::instance::{LocationRef, Size};
use skrifa::raw::TableProvider;
use skrifa::string::StringId;
use skrifa::{FontRef, MetadataProvider, Tag};

use crate::typeset::frame::FontData;

/// Width of the outline stroke that emboldens a face without a bold
/// (synthesized bold), as a fraction of the em: stems grow by this much,
/// about a third of a regular stem, close to the step from a regular to a
/// bold weight. Each glyph's advance grows by the same amount so the
/// thicker letters keep their spacing.
pub const SYNTHETIC_BOLD_STROKE: f32 = 0.03;

/// Horizontal shear of a synthesized italic (oblique): tan 14°, the slant
/// CSS gives `font-style: oblique` by default and browsers use.
pub const SYNTHETIC_SLANT: f32 = 0.249;

/// Weight from which a face counts as bold (CSS `font-weight: 600`, semibold).
pub const BOLD_WEIGHT: u16 = 600;

/// What a piece of text asks of its face.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Style {
    pub bold: bool,
    pub italic: bool,
    /// Code: a monospaced face is wanted.
    pub mono: bool,
}

impl Style {
    /// The CSS weight asked for.
    pub fn weight(self) -> u16 {
        if self.bold {
            700
        } else {
            400
        }
    }
}

/// The style Folio adds to a face that lacks it: writers draw the outline
/// with a stroke of `embolden` ems and shear it by `slant`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Synthesis {
    /// Stroke width in ems (0: none). See [`SYNTHETIC_BOLD_STROKE`].
    pub embolden: f32,
    /// Horizontal shear, x += slant · y (0: none). See [`SYNTHETIC_SLANT`].
    pub slant: f32,
}

impl Synthesis {
    /// What a face of `weight` and `italic` needs to look like `want`.
    pub fn between(want: Style, weight: u16, italic: bool) -> Synthesis {
        Synthesis {
            embolden: if want.bold && weight < BOLD_WEIGHT {
                SYNTHETIC_BOLD_STROKE
            } else {
                0.0
            },
            slant: if want.italic && !italic {
                SYNTHETIC_SLANT
            } else {
                0.0
            },
        }
    }

    pub fn is_none(self) -> bool {
        self.embolden == 0.0 && self.slant == 0.0
    }

    /// "bold and italic", "bold", "italic" or "": what is synthesized.
    pub fn describe(self) -> &'static str {
        match (self.embolden > 0.0, self.slant != 0.0) {
            (true, true) => "bold and italic",
            (true, false) => "bold",
            (false, true) => "italic",
            (false, false) => "",
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

/// What a face file says about itself.
#[derive(Debug, Clone, PartialEq)]
pub struct FaceInfo {
    /// Family name (typographic family first): `Noto Serif CJK SC`.
    pub family: String,
    /// PostScript name, or the file name when the font has none.
    pub postscript_name: String,
    /// CSS weight from the OS/2 table (400 when absent).
    pub weight: u16,
    pub italic: bool,
    pub monospaced: bool,
    /// Whether it has variation axes (a variable font).
    pub variable: bool,
}

/// One loaded face (cloning shares the font data).
#[derive(Clone)]
pub(crate) struct LoadedFace {
    pub font: harfrust::Font,
    pub data: FontData,
    pub metrics: FaceMetrics,
    pub units_per_em: f64,
    pub info: FaceInfo,
    /// Added to every glyph's advance, in font units (synthesized bold).
    pub extra_advance: i32,
}

/// Reads a face's names and style.
pub fn face_info(font: &FontRef<'_>, path: &Path) -> FaceInfo {
    let string = |id: StringId| {
        font.localized_strings(id)
            .english_or_first()
            .map(|s| s.to_string())
            .filter(|s| !s.trim().is_empty())
    };
    let family = string(StringId::TYPOGRAPHIC_FAMILY_NAME)
        .or_else(|| string(StringId::FAMILY_NAME))
        .unwrap_or_else(|| stem(path));
    let postscript_name = string(StringId::POSTSCRIPT_NAME).unwrap_or_else(|| stem(path));
    let attributes = font.attributes();
    let weight = attributes.weight.value().round().clamp(1.0, 1000.0) as u16;
    let italic = attributes.style != skrifa::attribute::Style::Normal;
    let monospaced = font
        .post()
        .map(|p| p.is_fixed_pitch() != 0)
        .unwrap_or(false);
    FaceInfo {
        family,
        postscript_name,
        weight,
        italic,
        monospaced,
        variable: font.table_data(Tag::new(b"fvar")).is_some(),
    }
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map_or_else(|| "Font".to_owned(), |s| s.to_string_lossy().into_owned())
}

/// Loads face `index` of the font file `bytes` (read from `path`), drawn
/// with `synthesis` on top. Errors say what is wrong, for a message that
/// names the file.
pub(crate) fn load_face(
    bytes: Arc<Vec<u8>>,
    path: &Path,
    index: u32,
    synthesis: Synthesis,
) -> Result<LoadedFace, String> {
    let font_ref = FontRef::from_index(&bytes, index).map_err(|e| e.to_string())?;
    let m = font_ref.metrics(Size::unscaled(), LocationRef::default());
    if m.units_per_em == 0 {
        return Err("units per em is 0".into());
    }
    if font_ref.charmap().map(' ').is_none() {
        return Err("it has no Unicode character map".into());
    }
    let has = |tag: &[u8; 4]| font_ref.table_data(Tag::new(tag)).is_some();
    if !has(b"glyf") && !has(b"CFF ") {
        return Err(if has(b"CFF2") {
            "its outlines are CFF2 (a variable OpenType-CFF font), which the PDF cannot embed yet; \
             use its TrueType or static version"
                .into()
        } else {
            "it has no outlines Folio can embed (TrueType or CFF)".into()
        });
    }
    let upem = f64::from(m.units_per_em);
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
    let info = face_info(&font_ref, path);
    let shared: Arc<dyn AsRef<[u8]> + Send + Sync> = bytes.clone();
    // No coordinates: a variable font is shaped in its default instance.
    let font = harfrust::Font::new(shared, index).ok_or("cannot parse its tables")?;
    let extra_advance = (f64::from(synthesis.embolden) * upem).round() as i32;
    Ok(LoadedFace {
        font,
        data: FontData {
            postscript_name: info.postscript_name.clone(),
            bytes,
            index,
            units_per_em: m.units_per_em,
            synthetic_bold: synthesis.embolden,
            synthetic_slant: synthesis.slant,
        },
        metrics,
        units_per_em: upem,
        info,
        extra_advance,
    })
}
