//! Images: PNG, JPEG, GIF, WebP and SVG files → XObjects.
//!
//! JPEG data is embedded as it is (`/DCTDecode`), so there is no loss and no
//! decoding cost; only its frame header is read for the size and colour
//! space. PNG, GIF (its first frame) and WebP are decoded and re-deflated;
//! an alpha channel becomes a soft mask. SVG is drawn as vectors by
//! svg2pdf into a form XObject, its text kept as text in the book's fonts.
//! Each file is embedded once however often it is placed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use pdf_writer::{Filter, Finish, Ref};

use super::encoding::deflate;
use super::file::Objects;
use crate::diag::{Diagnostic, Diagnostics, StageResult};
use crate::source::image::{kind, ImageKind};
use crate::typeset::frame::{Document, Item};

/// What Folio can embed, for the hint of an unsupported file.
const SUPPORTED_HINT: &str =
    "PDF output supports PNG, JPEG, GIF, WebP and SVG images; convert the file to one of them";

/// The images of a document, in order of first placement.
#[derive(Default)]
pub(super) struct ImageSet {
    images: Vec<LoadedImage>,
    by_path: BTreeMap<PathBuf, usize>,
}

struct LoadedImage {
    width: u32,
    height: u32,
    data: ImageData,
}

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
    Svg(Box<usvg::Tree>),
}

impl ImageSet {
    /// Reads every placed image; reports every unreadable file at once.
    /// SVG text is set in the document's fonts.
    pub fn load(doc: &Document) -> StageResult<ImageSet> {
        let mut set = ImageSet::default();
        let mut errors = Vec::new();
        let svg_options = std::cell::OnceCell::new();
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
                match load_image(&image.path, &|| {
                    svg_options.get_or_init(|| svg_options_for(doc))
                }) {
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

    /// Writes the image objects; returns each image's id, by resource
    /// index. `pdfa`: SVG drawings avoid what PDF/A forbids.
    pub fn write(&self, objects: &mut Objects, pdfa: bool) -> StageResult<Vec<Ref>> {
        let mut ids = Vec::with_capacity(self.images.len());
        for image in &self.images {
            ids.push(write_image(objects, image, pdfa)?);
        }
        Ok(ids)
    }
}

/// `Im0`, `Im1`, … by order of first placement.
pub(super) fn resource_name(index: usize) -> String {
    format!("Im{index}")
}

/// usvg's options for SVG files: text in the document's own fonts (serif
/// text in the first, monospace in the last), never the system's, so the
/// drawing is the same on every machine.
fn svg_options_for(doc: &Document) -> usvg::Options<'static> {
    let mut db = fontdb::Database::new();
    for font in &doc.fonts {
        db.load_font_source(fontdb::Source::Binary(Arc::new(font.bytes.to_vec())));
    }
    let family = |i: Option<usize>| {
        i.and_then(|i| db.faces().nth(i))
            .and_then(|f| f.families.first())
            .map(|(name, _)| name.clone())
    };
    let main = family(Some(0));
    let mono = family(db.len().checked_sub(1));
    if let Some(main) = &main {
        db.set_serif_family(main.clone());
        db.set_sans_serif_family(main.clone());
        db.set_cursive_family(main.clone());
        db.set_fantasy_family(main.clone());
    }
    if let Some(mono) = mono {
        db.set_monospace_family(mono);
    }
    let mut options = usvg::Options::default();
    if let Some(main) = main {
        options.font_family = main;
    }
    *options.fontdb_mut() = db;
    options
}

fn load_image<'a>(
    path: &Path,
    svg_options: &dyn Fn() -> &'a usvg::Options<'static>,
) -> Result<LoadedImage, Diagnostic> {
    let bytes = crate::source::files::read(path)
        .map_err(|e| {
            Diagnostic::error(format!("cannot read image {}: {e}", path.display())).in_file(path)
        })?
        .to_vec();
    let result = match kind(&bytes) {
        Some(ImageKind::Jpeg) => load_jpeg(bytes),
        Some(ImageKind::Png) => load_png(&bytes),
        Some(ImageKind::Gif) => load_gif(&bytes),
        Some(ImageKind::WebP) => load_webp(&bytes),
        Some(ImageKind::Svg) => load_svg(&bytes, svg_options()),
        None => {
            return Err(Diagnostic::error(format!(
                "image {} is not a PNG, JPEG, GIF, WebP or SVG file",
                path.display()
            ))
            .in_file(path)
            .with_hint(SUPPORTED_HINT))
        }
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
    let (samples, alpha) = split_alpha(buf, components, has_alpha);
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

/// Splits interleaved samples with alpha into colour samples and an alpha
/// channel (none when every pixel is opaque).
fn split_alpha(buf: Vec<u8>, components: u8, has_alpha: bool) -> (Vec<u8>, Option<Vec<u8>>) {
    if !has_alpha {
        return (buf, None);
    }
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
}

/// The first frame of a GIF on its canvas (an animation shows its first
/// picture in print).
fn load_gif(bytes: &[u8]) -> Result<LoadedImage, String> {
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options.read_info(bytes).map_err(|e| e.to_string())?;
    let (width, height) = (u32::from(decoder.width()), u32::from(decoder.height()));
    let frame = decoder
        .read_next_frame()
        .map_err(|e| e.to_string())?
        .ok_or("GIF without a picture")?;
    let mut canvas = vec![0u8; width as usize * height as usize * 4];
    let (fw, left, top) = (
        usize::from(frame.width),
        usize::from(frame.left),
        usize::from(frame.top),
    );
    for (row, line) in frame.buffer.chunks_exact(fw * 4).enumerate() {
        let y = top + row;
        if y >= height as usize || left >= width as usize {
            continue;
        }
        let n = fw.min(width as usize - left) * 4;
        let at = (y * width as usize + left) * 4;
        canvas[at..at + n].copy_from_slice(&line[..n]);
    }
    let (samples, alpha) = split_alpha(canvas, 3, true);
    Ok(LoadedImage {
        width,
        height,
        data: ImageData::Pixels {
            components: 3,
            samples,
            alpha,
        },
    })
}

/// A WebP picture (lossy or lossless; the first frame of an animation).
fn load_webp(bytes: &[u8]) -> Result<LoadedImage, String> {
    let mut decoder =
        image_webp::WebPDecoder::new(std::io::Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let (width, height) = decoder.dimensions();
    let has_alpha = decoder.has_alpha();
    let size = decoder
        .output_buffer_size()
        .ok_or("WebP too large to decode")?;
    let mut buf = vec![0; size];
    decoder.read_image(&mut buf).map_err(|e| e.to_string())?;
    let (samples, alpha) = split_alpha(buf, 3, has_alpha);
    Ok(LoadedImage {
        width,
        height,
        data: ImageData::Pixels {
            components: 3,
            samples,
            alpha,
        },
    })
}

fn load_svg(bytes: &[u8], options: &usvg::Options<'static>) -> Result<LoadedImage, String> {
    let tree = usvg::Tree::from_data(bytes, options).map_err(|e| e.to_string())?;
    let size = tree.size();
    Ok(LoadedImage {
        width: size.width().ceil() as u32,
        height: size.height().ceil() as u32,
        data: ImageData::Svg(Box::new(tree)),
    })
}

/// Sets the device colour space of `components` samples per pixel.
fn set_color_space(space: pdf_writer::writers::ColorSpace, components: u8) {
    match components {
        1 => space.device_gray(),
        4 => space.device_cmyk(),
        _ => space.device_rgb(),
    }
}

fn write_image(objects: &mut Objects, image: &LoadedImage, pdfa: bool) -> StageResult<Ref> {
    let (w, h) = (image.width as i32, image.height as i32);
    match &image.data {
        ImageData::Jpeg {
            bytes,
            components,
            bits,
            inverted_cmyk,
        } => {
            let id = objects.alloc();
            let mut xobject = objects.direct(id).image_xobject(id, bytes);
            xobject.width(w).height(h);
            set_color_space(xobject.color_space(), *components);
            xobject.bits_per_component(i32::from(*bits));
            if *inverted_cmyk {
                xobject.decode([1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
            }
            xobject.filter(Filter::DctDecode);
            xobject.finish();
            Ok(id)
        }
        ImageData::Pixels {
            components,
            samples,
            alpha,
        } => {
            let mask = alpha.as_ref().map(|alpha| {
                let id = objects.alloc();
                let data = deflate(alpha);
                let mut mask = objects.direct(id).image_xobject(id, &data);
                mask.width(w).height(h);
                set_color_space(mask.color_space(), 1);
                mask.bits_per_component(8);
                mask.filter(Filter::FlateDecode);
                mask.finish();
                id
            });
            let id = objects.alloc();
            let data = deflate(samples);
            let mut xobject = objects.direct(id).image_xobject(id, &data);
            xobject.width(w).height(h);
            set_color_space(xobject.color_space(), *components);
            xobject.bits_per_component(8);
            if let Some(mask) = mask {
                xobject.s_mask(mask);
            }
            xobject.filter(Filter::FlateDecode);
            xobject.finish();
            Ok(id)
        }
        ImageData::Svg(tree) => {
            let options = svg2pdf::ConversionOptions {
                pdfa,
                ..svg2pdf::ConversionOptions::default()
            };
            let fail = |why: String| {
                Diagnostics::from(Diagnostic::error(format!(
                    "an SVG image cannot be drawn: {why}"
                )))
            };
            let (chunk, root) =
                svg2pdf::to_chunk(tree, options).map_err(|e| fail(e.to_string()))?;
            objects.adopt(&chunk, root).map_err(fail)
        }
    }
}
