//! Embedded fonts (`epub.embed-fonts`): the book's five faces, subset to
//! the characters the book uses, packaged with `@font-face` rules.
//!
//! Place in the pipeline: after every XHTML document is written (so the
//! characters are known), before the package is assembled. Subsetting uses
//! the `subsetter` crate, which targets PDF: its output has no `cmap` (PDF
//! maps characters itself) and no `OS/2`, and browsers' font sanitizers
//! reject such a font. So the subset is completed here: a new `cmap` maps
//! the used characters to their new glyph ids and the original `OS/2` is
//! copied back, then the table directory and checksums are rebuilt. The
//! result is checked by loading it with skrifa; a face that cannot be
//! subset (or fails the check) is embedded whole, with a warning. Layout
//! tables (kerning, ligatures) do not survive subsetting: readers set the
//! embedded text without them.

use std::collections::BTreeSet;
use std::path::Path;

use skrifa::raw::types::Tag;
use skrifa::string::StringId;
use skrifa::{FontRef, MetadataProvider};

use crate::diag::Diagnostic;
use crate::fonts::FontFiles;

use super::package::Resource;

/// Package name of the stylesheet with the `@font-face` rules.
pub const FONT_STYLESHEET: &str = "fonts.css";
/// Folder inside the package for embedded fonts.
const FONT_DIR: &str = "fonts";
/// Media type of TrueType and OpenType fonts in the manifest. EPUB 3.3
/// allows `font/ttf`, `font/otf` and this older name; calibre's checker
/// (and the readers built on it) expects this one in an EPUB 3.0 package,
/// and EPUBCheck accepts it.
pub const OPENTYPE_MEDIA_TYPE: &str = "application/vnd.ms-opentype";
/// Characters always kept, whatever the text uses: printable ASCII (the
/// reader may show numbers, punctuation of its own) and common typographic
/// marks.
const ALWAYS_KEPT: &str = "\u{a0}\u{2018}\u{2019}\u{201c}\u{201d}\u{2013}\u{2014}\u{2026}\u{2022}";

/// The book's fonts as package resources, their stylesheet and warnings.
#[derive(Debug, Default)]
pub struct EmbeddedFonts {
    pub resources: Vec<Resource>,
    pub css: String,
    pub warnings: Vec<Diagnostic>,
}

/// One face to embed: its file and CSS descriptors.
struct FaceSpec<'a> {
    path: &'a Path,
    family: &'a str,
    weight: &'static str,
    style: &'static str,
}

/// Every character of the documents (markup included: it is ASCII, kept
/// anyway) plus [`ALWAYS_KEPT`].
pub fn used_chars<'a>(documents: impl IntoIterator<Item = &'a str>) -> BTreeSet<char> {
    let mut chars: BTreeSet<char> = (' '..='~').chain(ALWAYS_KEPT.chars()).collect();
    for doc in documents {
        chars.extend(doc.chars().filter(|c| !c.is_control()));
    }
    chars
}

/// The family name a font gives itself (typographic family first).
fn family_name(bytes: &[u8]) -> Option<String> {
    let font = FontRef::new(bytes).ok()?;
    [StringId::TYPOGRAPHIC_FAMILY_NAME, StringId::FAMILY_NAME]
        .iter()
        .find_map(|&id| {
            font.localized_strings(id)
                .english_or_first()
                .map(|s| s.to_string())
                .filter(|s| !s.trim().is_empty())
        })
}

/// Subsets and packages the five faces of `files` for `chars`.
pub fn embed_fonts(files: &FontFiles, chars: &BTreeSet<char>) -> Result<EmbeddedFonts, Diagnostic> {
    let read = |path: &Path| {
        crate::source::files::read(path).map_err(|e| {
            Diagnostic::error(format!("cannot read font file to embed: {e}")).in_file(path)
        })
    };
    let text_family = family_name(&read(&files.regular)?)
        .unwrap_or_else(|| "Folio Text".into())
        .replace(['"', '\\'], "");
    let mono_family = family_name(&read(&files.mono)?)
        .unwrap_or_else(|| "Folio Mono".into())
        .replace(['"', '\\'], "");
    let faces = [
        FaceSpec {
            path: &files.regular,
            family: &text_family,
            weight: "normal",
            style: "normal",
        },
        FaceSpec {
            path: &files.italic,
            family: &text_family,
            weight: "normal",
            style: "italic",
        },
        FaceSpec {
            path: &files.bold,
            family: &text_family,
            weight: "bold",
            style: "normal",
        },
        FaceSpec {
            path: &files.bold_italic,
            family: &text_family,
            weight: "bold",
            style: "italic",
        },
        FaceSpec {
            path: &files.mono,
            family: &mono_family,
            weight: "normal",
            style: "normal",
        },
    ];
    let mut out = EmbeddedFonts::default();
    let mut names = BTreeSet::new();
    for face in &faces {
        let bytes = read(face.path)?;
        let is_cff = bytes.starts_with(b"OTTO");
        let ext = if is_cff { "otf" } else { "ttf" };
        let data = match subset_for_web(&bytes, chars) {
            Ok(subset) => subset,
            Err(why) => {
                out.warnings.push(
                    Diagnostic::warning(format!(
                        "font could not be subset ({why}); it is embedded whole"
                    ))
                    .in_file(face.path),
                );
                bytes.to_vec()
            }
        };
        let stem: String = face
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let stem = if stem.is_empty() {
            "font".to_string()
        } else {
            stem
        };
        let mut name = format!("{stem}.{ext}");
        let mut n = 2;
        while !names.insert(name.to_ascii_lowercase()) {
            name = format!("{stem}-{n}.{ext}");
            n += 1;
        }
        let href = format!("{FONT_DIR}/{name}");
        out.css.push_str(&format!(
            "@font-face {{\n  font-family: \"{}\";\n  font-weight: {};\n  font-style: {};\n  src: url(\"{href}\");\n}}\n",
            face.family, face.weight, face.style
        ));
        out.resources.push(Resource {
            href,
            media_type: OPENTYPE_MEDIA_TYPE.into(),
            bytes: data,
        });
    }
    out.css.push_str(&format!(
        "body, .math {{\n  font-family: \"{text_family}\", serif;\n}}\ncode, pre, kbd, samp {{\n  font-family: \"{mono_family}\", monospace;\n}}\n"
    ));
    Ok(out)
}

/// A subset of `font` for `chars` that works as a web font: glyph
/// outlines from `subsetter`, plus a `cmap` and `OS/2`. Checked by loading
/// it back and mapping every kept character.
pub fn subset_for_web(font: &[u8], chars: &BTreeSet<char>) -> Result<Vec<u8>, String> {
    let original = FontRef::new(font).map_err(|e| e.to_string())?;
    let charmap = original.charmap();
    let mut remapper = subsetter::GlyphRemapper::new();
    remapper.remap(0);
    let mut mapped: Vec<(char, u16)> = Vec::new();
    for &c in chars {
        if let Some(gid) = charmap.map(c) {
            let gid = u16::try_from(gid.to_u32()).map_err(|_| "glyph id over 65535")?;
            mapped.push((c, gid));
            remapper.remap(gid);
        }
    }
    let subset = subsetter::subset(font, 0, &remapper).map_err(|e| format!("{e:?}"))?;
    let new_ids: Vec<(u32, u16)> = mapped
        .iter()
        .filter_map(|&(c, gid)| Some((u32::from(c), remapper.get(gid)?)))
        .collect();
    let os2 = original
        .table_data(Tag::new(b"OS/2"))
        .ok_or("the font has no OS/2 table")?;
    let sub = FontRef::new(&subset).map_err(|e| e.to_string())?;
    let mut tables: Vec<(Tag, Vec<u8>)> = sub
        .table_directory()
        .table_records()
        .iter()
        .filter_map(|r| {
            let tag = r.tag();
            Some((tag, sub.table_data(tag)?.as_bytes().to_vec()))
        })
        .filter(|(tag, _)| *tag != Tag::new(b"cmap") && *tag != Tag::new(b"OS/2"))
        .collect();
    tables.push((Tag::new(b"cmap"), cmap_table(&new_ids)));
    tables.push((Tag::new(b"OS/2"), os2.as_bytes().to_vec()));
    let sfnt_version = if subset.starts_with(b"OTTO") {
        0x4F54_544F
    } else {
        0x0001_0000
    };
    let bytes = write_sfnt(sfnt_version, tables)?;

    // The check: it loads, and every character maps to the glyph it should.
    let check = FontRef::new(&bytes).map_err(|e| format!("the subset does not load: {e}"))?;
    let cmap = check.charmap();
    for &(code, gid) in &new_ids {
        let c = char::from_u32(code).ok_or("bad character")?;
        if cmap.map(c).map(|g| g.to_u32()) != Some(u32::from(gid)) {
            return Err(format!("the subset does not map U+{code:04X}"));
        }
    }
    Ok(bytes)
}

fn push16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}
fn push32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// `searchRange`, `entrySelector`, `rangeShift` for `n` items of `size` bytes.
fn search_params(n: u16, size: u16) -> (u16, u16, u16) {
    let mut power = 1u16;
    let mut log = 0u16;
    while power.saturating_mul(2) <= n {
        power *= 2;
        log += 1;
    }
    let range = power * size;
    (range, log, n.saturating_mul(size).saturating_sub(range))
}

/// A `cmap` with a format 4 subtable (BMP, platform 3 encoding 1) and a
/// format 12 subtable (all of Unicode, platform 3 encoding 10) for the
/// (code point, glyph id) pairs, sorted by code point.
fn cmap_table(map: &[(u32, u16)]) -> Vec<u8> {
    // Runs of consecutive code points with consecutive glyph ids.
    let mut groups: Vec<(u32, u32, u16)> = Vec::new();
    for &(code, gid) in map {
        match groups.last_mut() {
            Some((start, end, first))
                if code == *end + 1 && u32::from(gid) == u32::from(*first) + (code - *start) =>
            {
                *end = code;
            }
            _ => groups.push((code, code, gid)),
        }
    }

    // Format 4: BMP groups and the final 0xFFFF segment.
    let bmp: Vec<(u16, u16, u16)> = groups
        .iter()
        .filter(|(start, _, _)| *start < 0xFFFF)
        .map(|&(start, end, gid)| (start as u16, end.min(0xFFFE) as u16, gid))
        .chain(std::iter::once((0xFFFF, 0xFFFF, 0)))
        .collect();
    let seg_count = bmp.len() as u16;
    let mut f4 = Vec::new();
    let (search, selector, shift) = search_params(seg_count, 2);
    push16(&mut f4, 4);
    push16(&mut f4, 16 + 8 * seg_count);
    push16(&mut f4, 0);
    push16(&mut f4, seg_count * 2);
    push16(&mut f4, search);
    push16(&mut f4, selector);
    push16(&mut f4, shift);
    for &(_, end, _) in &bmp {
        push16(&mut f4, end);
    }
    push16(&mut f4, 0);
    for &(start, _, _) in &bmp {
        push16(&mut f4, start);
    }
    for &(start, end, gid) in &bmp {
        // The last segment maps 0xFFFF to glyph 0 (delta 1 wraps to 0).
        let delta = if start == 0xFFFF && end == 0xFFFF {
            1
        } else {
            gid.wrapping_sub(start)
        };
        push16(&mut f4, delta);
    }
    for _ in &bmp {
        push16(&mut f4, 0);
    }

    let mut f12 = Vec::new();
    push16(&mut f12, 12);
    push16(&mut f12, 0);
    push32(&mut f12, 16 + 12 * groups.len() as u32);
    push32(&mut f12, 0);
    push32(&mut f12, groups.len() as u32);
    for &(start, end, gid) in &groups {
        push32(&mut f12, start);
        push32(&mut f12, end);
        push32(&mut f12, u32::from(gid));
    }

    let mut cmap = Vec::new();
    push16(&mut cmap, 0);
    push16(&mut cmap, 2);
    let header = 4 + 2 * 8;
    push16(&mut cmap, 3);
    push16(&mut cmap, 1);
    push32(&mut cmap, header);
    push16(&mut cmap, 3);
    push16(&mut cmap, 10);
    push32(&mut cmap, header + f4.len() as u32);
    cmap.extend(f4);
    cmap.extend(f12);
    cmap
}

fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, chunk| {
        let mut word = [0u8; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

/// An OpenType file from its tables: directory sorted by tag, tables
/// 4-byte aligned, checksums and `head.checkSumAdjustment` recomputed.
fn write_sfnt(version: u32, mut tables: Vec<(Tag, Vec<u8>)>) -> Result<Vec<u8>, String> {
    tables.sort_by_key(|(tag, _)| *tag);
    let head = Tag::new(b"head");
    for (tag, data) in &mut tables {
        if *tag == head {
            // checkSumAdjustment is zero while checksums are computed.
            data.get_mut(8..12)
                .ok_or("the head table is too short")?
                .fill(0);
        }
    }
    let n = u16::try_from(tables.len()).map_err(|_| "too many tables")?;
    let (search, selector, shift) = search_params(n, 16);
    let mut out = Vec::new();
    push32(&mut out, version);
    push16(&mut out, n);
    push16(&mut out, search);
    push16(&mut out, selector);
    push16(&mut out, shift);
    let mut offset = 12 + 16 * tables.len();
    let mut head_offset = None;
    for (tag, data) in &tables {
        out.extend_from_slice(&tag.to_be_bytes());
        push32(&mut out, checksum(data));
        push32(&mut out, offset as u32);
        push32(&mut out, data.len() as u32);
        if *tag == head {
            head_offset = Some(offset);
        }
        offset += data.len().div_ceil(4) * 4;
    }
    for (_, data) in &tables {
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(4) * 4, 0);
    }
    let head_offset = head_offset.ok_or("the font has no head table")?;
    let adjustment = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
    out[head_offset + 8..head_offset + 12].copy_from_slice(&adjustment.to_be_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn font(name: &str) -> Vec<u8> {
        std::fs::read(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("fonts")
                .join(name),
        )
        .unwrap()
    }

    #[test]
    fn subsets_keep_a_working_charmap_and_are_small() {
        let chars = used_chars(["<p>Caf\u{e9} \u{201c}office\u{201d} \u{2014} \u{1d400}</p>"]);
        for name in ["GentiumBookPlus-Regular.ttf", "Inconsolata.otf"] {
            let original = font(name);
            let subset = subset_for_web(&original, &chars).expect("subset");
            assert!(
                subset.len() * 2 < original.len(),
                "{name}: {} bytes",
                subset.len()
            );
            let f = FontRef::new(&subset).unwrap();
            for tag in [
                b"cmap", b"OS/2", b"head", b"hhea", b"hmtx", b"maxp", b"name", b"post",
            ] {
                assert!(
                    f.table_data(Tag::new(tag)).is_some(),
                    "{name} lacks {tag:?}"
                );
            }
            let g = f.charmap().map('\u{e9}').expect("é mapped");
            assert_ne!(g.to_u32(), 0);
            assert!(f.charmap().map('\u{4e00}').is_none());
            // The glyph still has its outline.
            let outline = f.outline_glyphs().get(g).expect("outline");
            let mut bounds = skrifa::outline::pen::ControlBoundsPen::default();
            outline
                .draw(
                    skrifa::outline::DrawSettings::unhinted(
                        skrifa::instance::Size::unscaled(),
                        skrifa::instance::LocationRef::default(),
                    ),
                    &mut bounds,
                )
                .unwrap();
            assert!(bounds.bounding_box().is_some(), "{name}: empty é");
            // Whole-file checksum is the magic number.
            assert_eq!(checksum(&subset), 0xB1B0_AFBA, "{name}");
            assert_eq!(subset, subset_for_web(&original, &chars).unwrap());
        }
    }

    #[test]
    fn cmap_groups_consecutive_runs() {
        let cmap = cmap_table(&[(0x41, 3), (0x42, 4), (0x43, 5), (0x61, 9), (0x1F600, 10)]);
        let data = skrifa::raw::FontData::new(&cmap);
        let table = <skrifa::raw::tables::cmap::Cmap as skrifa::raw::FontRead>::read(data).unwrap();
        let lookup = |c: u32| table.map_codepoint(c).map(|g| g.to_u32());
        assert_eq!(lookup(0x42), Some(4));
        assert_eq!(lookup(0x61), Some(9));
        assert_eq!(lookup(0x1F600), Some(10));
        assert_eq!(lookup(0x44), None);
    }
}
