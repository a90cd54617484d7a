//! Image kinds and sizes, read in one place for every stage that needs
//! them: tells PNG, JPEG, GIF, WebP and SVG files apart by their first
//! bytes and reads their dimensions from the header (pixels; an SVG's in
//! CSS pixels, from usvg). The composer scales figures with them, the PDF
//! writer asks [`kind`] what it embeds, the config checks the cover and
//! `folio check` the pictures against the stores' rules.

use std::path::Path;

/// What an image file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Png,
    Jpeg,
    Gif,
    WebP,
    Svg,
}

/// The kind of image `bytes` hold, from their signature (SVG: XML whose
/// first element is `<svg`).
pub fn kind(bytes: &[u8]) -> Option<ImageKind> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageKind::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8]) {
        Some(ImageKind::Jpeg)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(ImageKind::Gif)
    } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        Some(ImageKind::WebP)
    } else if is_svg(bytes) {
        Some(ImageKind::Svg)
    } else {
        None
    }
}

/// How far into a file the `<svg` element may start (after an XML
/// declaration, comments and a doctype).
const SVG_SNIFF_BYTES: usize = 4096;

fn is_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(SVG_SNIFF_BYTES)];
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    text.starts_with('<') && text.contains("<svg")
}

/// Width and height in pixels of a PNG, JPEG, GIF, WebP or SVG file.
pub fn dimensions(path: &Path) -> Result<(u32, u32), String> {
    let bytes = super::files::read(path).map_err(|e| e.to_string())?;
    dimensions_of(&bytes)
}

/// [`dimensions`] of an image's bytes.
pub fn dimensions_of(bytes: &[u8]) -> Result<(u32, u32), String> {
    let (w, h) = match kind(bytes) {
        Some(ImageKind::Png) => png(bytes)?,
        Some(ImageKind::Jpeg) => jpeg(bytes)?,
        Some(ImageKind::Gif) => gif(bytes)?,
        Some(ImageKind::WebP) => webp(bytes)?,
        Some(ImageKind::Svg) => svg(bytes)?,
        None => return Err("not a PNG, JPEG, GIF, WebP or SVG file".into()),
    };
    if w == 0 || h == 0 {
        return Err("the image has no pixels".into());
    }
    Ok((w, h))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 4)?;
    Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at + 2)?;
    Some(u16::from_be_bytes([s[0], s[1]]))
}

/// The IHDR chunk comes first: length, "IHDR", width, height.
fn png(b: &[u8]) -> Result<(u32, u32), String> {
    if b.get(12..16) != Some(b"IHDR") {
        return Err("damaged PNG header".into());
    }
    match (be32(b, 16), be32(b, 20)) {
        (Some(w), Some(h)) => Ok((w, h)),
        _ => Err("truncated PNG header".into()),
    }
}

/// The logical screen size follows the signature, little-endian.
fn gif(b: &[u8]) -> Result<(u32, u32), String> {
    match (b.get(6..8), b.get(8..10)) {
        (Some(w), Some(h)) => Ok((
            u32::from(u16::from_le_bytes([w[0], w[1]])),
            u32::from(u16::from_le_bytes([h[0], h[1]])),
        )),
        _ => Err("truncated GIF header".into()),
    }
}

fn le24(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 3)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], 0]))
}

/// The first chunk after the RIFF header says: VP8X (extended) holds the
/// canvas size minus one in 24 bits; VP8L (lossless) packs 14-bit sizes
/// minus one after a signature byte; VP8 (lossy) has 14-bit sizes after
/// the frame tag and start code.
fn webp(b: &[u8]) -> Result<(u32, u32), String> {
    let truncated = || "truncated WebP header".to_string();
    match b.get(12..16) {
        Some(b"VP8X") => {
            let w = le24(b, 24).ok_or_else(truncated)? + 1;
            let h = le24(b, 27).ok_or_else(truncated)? + 1;
            Ok((w, h))
        }
        Some(b"VP8L") => {
            let s = b.get(21..25).ok_or_else(truncated)?;
            let bits = u32::from_le_bytes([s[0], s[1], s[2], s[3]]);
            Ok(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        Some(b"VP8 ") => {
            let s = b.get(26..30).ok_or_else(truncated)?;
            let w = u16::from_le_bytes([s[0], s[1]]) & 0x3FFF;
            let h = u16::from_le_bytes([s[2], s[3]]) & 0x3FFF;
            Ok((u32::from(w), u32::from(h)))
        }
        _ => Err("unknown WebP chunk".into()),
    }
}

/// The size usvg resolves from `width`, `height` and `viewBox`.
fn svg(b: &[u8]) -> Result<(u32, u32), String> {
    let tree = usvg::Tree::from_data(b, &usvg::Options::default()).map_err(|e| e.to_string())?;
    let size = tree.size();
    Ok((size.width().ceil() as u32, size.height().ceil() as u32))
}

/// Walks the marker segments up to the first start-of-frame.
fn jpeg(b: &[u8]) -> Result<(u32, u32), String> {
    let mut i = 2;
    while i + 4 <= b.len() {
        if b[i] != 0xFF {
            return Err("damaged JPEG marker".into());
        }
        let marker = b[i + 1];
        if marker == 0xFF {
            // Fill byte.
            i += 1;
            continue;
        }
        if marker == 0xD8 || (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            i += 2;
            continue;
        }
        let len = be16(b, i + 2).ok_or("truncated JPEG")? as usize;
        let is_sof = (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker);
        if is_sof {
            let h = be16(b, i + 5).ok_or("truncated JPEG frame")?;
            let w = be16(b, i + 7).ok_or("truncated JPEG frame")?;
            return Ok((w as u32, h as u32));
        }
        if marker == 0xD9 || len < 2 {
            break;
        }
        i += 2 + len;
    }
    Err("no frame header in JPEG".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_png_and_jpeg_sizes() {
        let mut png_bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png_bytes.extend(640u32.to_be_bytes());
        png_bytes.extend(480u32.to_be_bytes());
        assert_eq!(png(&png_bytes), Ok((640, 480)));

        // SOI, an APP0 segment of length 4, then SOF0 with 200×100.
        let jpg = [
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00,
            0x64, 0x00, 0xC8, 0x03,
        ];
        assert_eq!(jpeg(&jpg), Ok((200, 100)));
        assert!(jpeg(&[0xFF, 0xD8, 0x00]).is_err());
    }

    #[test]
    fn reads_gif_webp_and_svg_sizes() {
        let mut gif_bytes = b"GIF89a".to_vec();
        gif_bytes.extend(300u16.to_le_bytes());
        gif_bytes.extend(200u16.to_le_bytes());
        assert_eq!(kind(&gif_bytes), Some(ImageKind::Gif));
        assert_eq!(gif(&gif_bytes), Ok((300, 200)));

        // An extended WebP: RIFF, size, WEBP, VP8X, chunk size, flags and
        // reserved bytes, then width-1 and height-1 in 24 bits.
        let mut webp_bytes = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
        webp_bytes.extend(&639u32.to_le_bytes()[..3]);
        webp_bytes.extend(&479u32.to_le_bytes()[..3]);
        assert_eq!(kind(&webp_bytes), Some(ImageKind::WebP));
        assert_eq!(webp(&webp_bytes), Ok((640, 480)));

        let svg_bytes = br#"<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80"><rect width="10" height="10"/></svg>"#;
        assert_eq!(kind(svg_bytes), Some(ImageKind::Svg));
        assert_eq!(svg(svg_bytes), Ok((120, 80)));
        assert_eq!(kind(b"<html><body></body></html>"), None);
    }
}
