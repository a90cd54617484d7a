//! book.yaml's `epub` section ([`config::EpubConfig`]) → the EPUB writer's
//! [`EpubSettings`]: the config knows nothing of the writer.

use crate::config::Config;
use crate::typeset::FontFiles;

use super::EpubSettings;

impl EpubSettings {
    /// The writer's settings for a book; the fonts are the PDF's (the
    /// generated cover is set in them, `embed-fonts` embeds them).
    pub fn from_config(c: &Config) -> EpubSettings {
        EpubSettings {
            stylesheet: c.epub.stylesheet.clone(),
            split_level: c.epub.split_level,
            embed_fonts: c.epub.embed_fonts,
            nav_depth: c.epub.nav_depth,
            fonts: Some(FontFiles::from(&c.pdf.fonts)),
            fallback: crate::typeset::settings::fallback_settings(c),
            highlight: c.code_theme != crate::config::CodeTheme::None,
        }
    }
}
