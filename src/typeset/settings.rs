//! book.yaml's `pdf` section ([`config::PdfConfig`]) → the typesetter's
//! [`PdfSettings`]: the config knows nothing of the typesetter; the
//! typesetter reads what it needs from the config and adds its defaults.

use crate::config::{self, FontPaths};

use super::paragraph::FONT_EXPANSION;
use super::{FontFiles, PdfSettings};

impl PdfSettings {
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
        }
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
