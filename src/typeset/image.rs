//! Image sizes for figures: reads the pixel dimensions from a PNG or JPEG
//! header so the composer can scale the image into the measure. The PDF
//! writer embeds the file itself.

use std::path::Path;

/// Width and height in pixels of a PNG or JPEG file.
pub(crate) fn dimensions(path: &Path) -> Result<(u32, u32), String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let (w, h) = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        png(&bytes)?
    } else if bytes.starts_with(&[0xFF, 0xD8]) {
        jpeg(&bytes)?
    } else {
        return Err("not a PNG or JPEG file".into());
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
}
