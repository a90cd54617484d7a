//! Images: PNG and JPEG files → image XObjects.
//!
//! JPEG data is embedded as it is (`/DCTDecode`), so there is no loss and no
//! decoding cost; only its frame header is read for the size and colour
//! space. PNG is decoded (palettes expanded, 16-bit reduced to 8) and
//! re-deflated; an alpha channel becomes a soft mask. Each file is embedded
//! once however often it is placed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lopdf::{Dictionary, Object};

use super::encoding::flate_stream;
use crate::diag::{Diagnostic, Diagnostics, StageResult};
use crate::typeset::frame::{Document, Item};

/// What Folio can embed, for the hint of an unsupported file.
const SUPPORTED_HINT: &str =
    "PDF output supports PNG and JPEG images; convert the file to one of them";

/// The images of a document, in order of first placement.
#[derive(Debug, Default)]
pub(super) struct ImageSet {
    images: Vec<LoadedImage>,
    by_path: BTreeMap<PathBuf, usize>,
}

#[derive(Debug)]
struct LoadedImage {
    width: u32,
    height: u32,
    data: ImageData,
}

#[derive(Debug)]
enum ImageData {
    Jpeg {
        bytes: Vec<u8>,
        components: u8,
        bits: u8,
        /// Adobe CMYK JPEGs store inverted values.
        inverted_cmyk: bool,
    },
    Pixels {
        /// 1 (grey) or 3 (RGB) 8-bit samples per pixel.
        components: u8,
        samples: Vec<u8>,
        alpha: Option<Vec<u8>>,
    },
}

impl ImageSet {
    /// Reads every placed image; reports every unreadable file at once.
    pub fn load(doc: &Document) -> StageResult<ImageSet> {
        let mut set = ImageSet::default();
        let mut errors = Vec::new();
        for page in &doc.pages {
            for item in &page.items {
                let Item::Image(image) = item else { continue };
                if set.by_path.contains_key(&image.path)
                    || errors
                        .iter()
                        .any(|(p, _): &(PathBuf, Diagnostic)| *p == image.path)
                {
                    continue;
                }
                match load_image(&image.path) {
                    Ok(loaded) => {
                        set.by_path.insert(image.path.clone(), set.images.len());
                        set.images.push(loaded);
                    }
                    Err(d) => errors.push((image.path.clone(), d)),
                }
            }
        }
        if errors.is_empty() {
            Ok(set)
        } else {
            Err(Diagnostics(errors.into_iter().map(|(_, d)| d).collect()))
        }
    }

    /// Resource name of the image loaded from `path`.
    pub fn resource(&self, path: &Path) -> Option<usize> {
        self.by_path.get(path).copied()
    }

    pub fn is_empty(&self) -> bool {
        self.images.is_empty()
    }

    /// Writes the image objects and returns the /XObject resource dictionary.
    pub fn write(&self, pdf: &mut lopdf::Document) -> Dictionary {
        let mut resources = Dictionary::new();
        for (index, image) in self.images.iter().enumerate() {
            let id = write_image(pdf, image);
            resources.set(resource_name(index), Object::Reference(id));
        }
        resources
    }
}

/// `Im0`, `Im1`, … by order of first placement.
pub(super) fn resource_name(index: usize) -> String {
    format!("Im{index}")
}

fn load_image(path: &Path) -> Result<LoadedImage, Diagnostic> {
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::error(format!("cannot read image {}: {e}", path.display())).in_file(path)
    })?;
    let result = if bytes.starts_with(&[0xff, 0xd8]) {
        load_jpeg(bytes)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        load_png(&bytes)
    } else {
        return Err(
            Diagnostic::error(format!("image {} is neither PNG nor JPEG", path.display()))
                .in_file(path)
                .with_hint(SUPPORTED_HINT),
        );
    };
    result.map_err(|why| {
        Diagnostic::error(format!(
            "image {} cannot be embedded: {why}",
            path.display()
        ))
        .in_file(path)
        .with_hint(SUPPORTED_HINT)
    })
}

/// Reads the JPEG frame header (SOFn) for size, depth and components.
fn load_jpeg(bytes: Vec<u8>) -> Result<LoadedImage, String> {
    let mut pos = 2;
    let mut adobe = false;
    let mut frame = None;
    while pos + 4 <= bytes.len() {
        if bytes[pos] != 0xff {
            return Err("corrupt JPEG marker structure".into());
        }
        let marker = bytes[pos + 1];
        if marker == 0xff {
            pos += 1; // fill byte
            continue;
        }
        if marker == 0x01 || (0xd0..=0xd8).contains(&marker) {
            pos += 2;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([bytes[pos + 2], bytes[pos + 3]]));
        let body = bytes
            .get(pos + 4..pos + 2 + len)
            .ok_or("truncated JPEG segment")?;
        match marker {
            0xc0..=0xcf if !matches!(marker, 0xc4 | 0xc8 | 0xcc) => {
                if body.len() < 6 {
                    return Err("truncated JPEG frame header".into());
                }
                let bits = body[0];
                let height = u32::from(u16::from_be_bytes([body[1], body[2]]));
                let width = u32::from(u16::from_be_bytes([body[3], body[4]]));
                frame = Some((bits, width, height, body[5]));
            }
            0xee if body.starts_with(b"Adobe") => adobe = true,
            0xda => break,
            _ => {}
        }
        pos += 2 + len;
    }
    let (bits, width, height, components) = frame.ok_or("no JPEG frame header found")?;
    if width == 0 || height == 0 {
        return Err("JPEG without explicit dimensions".into());
    }
    if !matches!(components, 1 | 3 | 4) {
        return Err(format!("JPEG with {components} colour components"));
    }
    Ok(LoadedImage {
        width,
        height,
        data: ImageData::Jpeg {
            bytes,
            components,
            bits,
            inverted_cmyk: adobe && components == 4,
        },
    })
}

fn load_png(bytes: &[u8]) -> Result<LoadedImage, String> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let size = reader
        .output_buffer_size()
        .ok_or("PNG too large to decode")?;
    let mut buf = vec![0; size];
    let info = reader.next_frame(&mut buf).map_err(|e| e.to_string())?;
    buf.truncate(info.buffer_size());
    let (components, has_alpha) = match info.color_type {
        png::ColorType::Grayscale => (1, false),
        png::ColorType::GrayscaleAlpha => (1, true),
        png::ColorType::Rgb => (3, false),
        png::ColorType::Rgba => (3, true),
        png::ColorType::Indexed => return Err("palette not expanded".into()),
    };
    if info.bit_depth != png::BitDepth::Eight {
        return Err(format!("unexpected bit depth {:?}", info.bit_depth));
    }
    let (samples, alpha) = if has_alpha {
        let stride = usize::from(components) + 1;
        let pixels = buf.len() / stride;
        let mut samples = Vec::with_capacity(pixels * usize::from(components));
        let mut alpha = Vec::with_capacity(pixels);
        for px in buf.chunks_exact(stride) {
            samples.extend_from_slice(&px[..stride - 1]);
            alpha.push(px[stride - 1]);
        }
        let opaque = alpha.iter().all(|&a| a == 255);
        (samples, (!opaque).then_some(alpha))
    } else {
        (buf, None)
    };
    Ok(LoadedImage {
        width: info.width,
        height: info.height,
        data: ImageData::Pixels {
            components,
            samples,
            alpha,
        },
    })
}

fn name(n: &str) -> Object {
    Object::Name(n.as_bytes().to_vec())
}

fn image_dict(width: u32, height: u32, color_space: &str, bits: u8) -> Dictionary {
    let mut dict = Dictionary::new();
    dict.set("Type", name("XObject"));
    dict.set("Subtype", name("Image"));
    dict.set("Width", i64::from(width));
    dict.set("Height", i64::from(height));
    dict.set("ColorSpace", name(color_space));
    dict.set("BitsPerComponent", i64::from(bits));
    dict
}

fn color_space(components: u8) -> &'static str {
    match components {
        1 => "DeviceGray",
        4 => "DeviceCMYK",
        _ => "DeviceRGB",
    }
}

fn write_image(pdf: &mut lopdf::Document, image: &LoadedImage) -> lopdf::ObjectId {
    match &image.data {
        ImageData::Jpeg {
            bytes,
            components,
            bits,
            inverted_cmyk,
        } => {
            let mut dict = image_dict(image.width, image.height, color_space(*components), *bits);
            dict.set("Filter", name("DCTDecode"));
            if *inverted_cmyk {
                dict.set(
                    "Decode",
                    Object::Array([1, 0, 1, 0, 1, 0, 1, 0].map(Object::Integer).to_vec()),
                );
            }
            // Already compressed: lopdf must not deflate it again.
            pdf.add_object(lopdf::Stream::new(dict, bytes.clone()).with_compression(false))
        }
        ImageData::Pixels {
            components,
            samples,
            alpha,
        } => {
            let mut dict = image_dict(image.width, image.height, color_space(*components), 8);
            if let Some(alpha) = alpha {
                let mask = image_dict(image.width, image.height, "DeviceGray", 8);
                let mask_id = pdf.add_object(flate_stream(mask, alpha));
                dict.set("SMask", Object::Reference(mask_id));
            }
            pdf.add_object(flate_stream(dict, samples))
        }
    }
}
