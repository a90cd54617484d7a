//! book.yaml's `pdf` section ([`config::PdfConfig`]) → the typesetter's
//! [`PdfSettings`]: the config knows nothing of the typesetter; the
//! typesetter reads what it needs from the config and adds its defaults.

use crate::config::{self, FontPaths};

use crate::fonts::{FallbackSettings, MissingGlyphPolicy};

use super::paragraph::FONT_EXPANSION;
use super::{FontFiles, LinkUrls, PdfSettings};

impl PdfSettings {
    /// The typesetter's settings for a book, from its config.
    pub fn from_book(c: &config::Config) -> PdfSettings {
        PdfSettings {
            fallback: fallback_settings(c),
            code_palette: match c.code_theme {
                config::CodeTheme::Print => Some(super::code_theme::PRINT),
                config::CodeTheme::Gray => Some(super::code_theme::GRAY),
                config::CodeTheme::None => None,
            },
            ..PdfSettings::from_config(&c.pdf)
        }
    }

    /// The settings of the `pdf:` section alone (no fonts by script).
    pub fn from_config(c: &config::PdfConfig) -> PdfSettings {
        PdfSettings {
            page_width: c.page_width,
            page_height: c.page_height,
            margin_top: c.margin_top,
            margin_bottom: c.margin_bottom,
            margin_inner: c.margin_inner,
            margin_outer: c.margin_outer,
            font_size: c.font_size,
            leading: c.leading,
            font_expansion: c
                .font_expansion_percent
                .map_or(FONT_EXPANSION, |p| p / 100.0),
            chapters_on_recto: c.chapters_on_recto,
            fonts: FontFiles::from(&c.fonts),
            fallback: FallbackSettings {
                folio_dir: config::builtin_fonts_dir(),
                system_dirs: crate::fonts::discovery::Catalog::system_dirs_from_env(),
                ..FallbackSettings::default()
            },
            missing_glyphs: match c.missing_glyphs {
                config::MissingGlyphs::Error => MissingGlyphPolicy::Error,
                config::MissingGlyphs::Warn => MissingGlyphPolicy::Warn,
            },
            code_palette: Some(super::code_theme::PRINT),
            standard: c.standard,
            link_urls: match c.link_urls {
                config::LinkUrls::Footnote => LinkUrls::Footnote,
                config::LinkUrls::Inline => LinkUrls::Inline,
                config::LinkUrls::None => LinkUrls::None,
            },
        }
    }
}

/// Where fonts for characters the book's faces lack are looked for: the
/// book's `fonts/`, Folio's, the families book.yaml names per script, then
/// the system's (or the folders of `FOLIO_SYSTEM_FONT_DIRS`).
pub fn fallback_settings(c: &config::Config) -> FallbackSettings {
    let mut by_script = std::collections::BTreeMap::new();
    for (key, family) in &c.script_fonts {
        for script in crate::fonts::fallback::scripts_of_key(key).unwrap_or_default() {
            by_script.insert(script, family.clone());
        }
    }
    FallbackSettings {
        book_dir: c.root.join("fonts"),
        folio_dir: config::builtin_fonts_dir(),
        by_script,
        system_dirs: crate::fonts::discovery::Catalog::system_dirs_from_env(),
    }
}

impl From<&FontPaths> for FontFiles {
    fn from(f: &FontPaths) -> FontFiles {
        FontFiles {
            regular: f.regular.clone(),
            italic: f.italic.clone(),
            bold: f.bold.clone(),
            bold_italic: f.bold_italic.clone(),
            mono: f.mono.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::paragraph::MAX_EXPANSION;
    use crate::config::MAX_FONT_EXPANSION_PERCENT;

    #[test]
    fn the_config_accepts_what_the_typesetter_can_set() {
        assert_eq!(MAX_FONT_EXPANSION_PERCENT / 100.0, MAX_EXPANSION);
    }
}
