//! Local images packaged into the EPUB: read once, media type decided from
//! the file's own bytes, given a stable name under `images/`, deduplicated
//! by path.
//!
//! The XHTML writer asks the store for an image's `href` while it serialises
//! a chapter; the package step then adds every stored image as a manifest
//! resource. Names are assigned in reading order, so they are the same on
//! every build of the same book.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Folder inside the package where content images go.
pub const IMAGE_DIR: &str = "images";

/// One image as it will be written into the package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackagedImage {
    /// Path inside the package (relative to the OPF), e.g. `images/map.png`.
    pub href: String,
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
}

/// The EPUB 3 core media types for raster and vector images, found from
/// the file's first bytes (extensions lie more often than magic numbers).
/// `None` for anything an EPUB reader is not required to display.
pub fn sniff_media_type(bytes: &[u8], path: &Path) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some("image/png");
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some("image/jpeg");
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Some("image/gif");
    }
    if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some("image/webp");
    }
    let is_svg_name = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    // How far into an SVG file the root element may start (after an XML
    // declaration, comments and a doctype).
    const SVG_SNIFF_BYTES: usize = 4096;
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(SVG_SNIFF_BYTES)]);
    if is_svg_name && head.contains("<svg") {
        return Some("image/svg+xml");
    }
    None
}

/// The usual file extension for a media type returned by [`sniff_media_type`].
pub fn extension_for(media_type: &str) -> &'static str {
    match media_type {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        _ => "svg",
    }
}

/// Images collected while writing chapters.
#[derive(Debug, Default)]
pub struct ImageStore {
    by_path: BTreeMap<PathBuf, usize>,
    /// File names already used inside [`IMAGE_DIR`].
    names: BTreeSet<String>,
    pub images: Vec<PackagedImage>,
    /// How many times an image was asked for (a chapter that asked for
    /// none can be written again without the store).
    pub asked: usize,
}

impl ImageStore {
    /// The package `href` for the local image at `path`, reading and
    /// registering it on first use. The error is a sentence for a
    /// diagnostic.
    pub fn add(&mut self, path: &Path) -> Result<String, String> {
        self.asked += 1;
        if let Some(&i) = self.by_path.get(path) {
            return Ok(self.images[i].href.clone());
        }
        let bytes = crate::source::files::read(path)
            .map_err(|e| format!("cannot read image `{}`: {e}", path.display()))?
            .to_vec();
        let media_type = sniff_media_type(&bytes, path).ok_or_else(|| {
            format!(
                "image `{}` is not PNG, JPEG, GIF, WebP or SVG, which EPUB readers must support",
                path.display()
            )
        })?;
        let name = self.unique_name(path, extension_for(media_type));
        let href = format!("{IMAGE_DIR}/{name}");
        self.by_path.insert(path.to_path_buf(), self.images.len());
        self.images.push(PackagedImage {
            href: href.clone(),
            media_type,
            bytes,
        });
        Ok(href)
    }

    /// `stem.ext` from the source name reduced to characters that are safe
    /// in a URL and a zip entry, numbered when two images share a stem.
    fn unique_name(&mut self, path: &Path, ext: &str) -> String {
        let stem: String = path
            .file_stem()
            .map(|s| s.to_string_lossy())
            .unwrap_or_default()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        let stem = stem.trim_matches('-');
        let stem = if stem.is_empty() { "image" } else { stem };
        let mut name = format!("{stem}.{ext}");
        let mut n = 2;
        while self.names.contains(&name) {
            name = format!("{stem}-{n}.{ext}");
            n += 1;
        }
        self.names.insert(name.clone());
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG_HEADER: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn sniffs_by_content_not_extension() {
        assert_eq!(
            sniff_media_type(PNG_HEADER, Path::new("x.jpg")),
            Some("image/png")
        );
        assert_eq!(
            sniff_media_type(&[0xFF, 0xD8, 0xFF, 0xE0], Path::new("x")),
            Some("image/jpeg")
        );
        assert_eq!(
            sniff_media_type(b"RIFF\0\0\0\0WEBPVP8 ", Path::new("x.webp")),
            Some("image/webp")
        );
        assert_eq!(
            sniff_media_type(b"<?xml version=\"1.0\"?><svg/>", Path::new("a.SVG")),
            Some("image/svg+xml")
        );
        assert_eq!(sniff_media_type(b"BM....", Path::new("a.bmp")), None);
    }

    #[test]
    fn dedupes_by_path_and_numbers_clashing_stems() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("Map One.png");
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let b = sub.join("map one.png");
        std::fs::write(&a, PNG_HEADER).unwrap();
        std::fs::write(&b, PNG_HEADER).unwrap();
        let mut store = ImageStore::default();
        assert_eq!(store.add(&a).unwrap(), "images/map-one.png");
        assert_eq!(store.add(&b).unwrap(), "images/map-one-2.png");
        assert_eq!(store.add(&a).unwrap(), "images/map-one.png");
        assert_eq!(store.images.len(), 2);
        assert!(store.add(&dir.path().join("missing.png")).is_err());
    }
}
