//! Fonts: which glyphs the pages use, subsetting with `subsetter`, and
//! embedding each used face as a CID-keyed Type0 font (Identity-H) with
//! /W widths and a ToUnicode CMap.
//!
//! Character codes in content streams are CIDs. A glyph normally gets the
//! CID equal to its id in the subset. Because a PDF maps each code to one
//! Unicode string, a glyph that stands for different text in different
//! places (a space glyph used for U+0020 and U+00A0, a mark that is "" as
//! the tail of a cluster) gets an extra CID per additional text, pointing
//! at the same glyph through a /CIDToGIDMap stream. CFF fonts address glyphs
//! by CID directly, so there the first text seen wins.

use std::collections::BTreeMap;

use lopdf::{Dictionary, Object};
use skrifa::instance::{LocationRef, Size};
use skrifa::raw::{TableProvider, TopLevelTable};
use skrifa::{FontRef, GlyphId, MetadataProvider};

use super::encoding::{flate_stream, push_hex, push_int, StableHash};
use crate::diag::{Diagnostic, Diagnostics, StageResult};
use crate::typeset::frame::{Document, FontData, Item};

/// The text a synthesized word space stands for.
const SPACE_TEXT: &str = " ";

/// Widths are written in 1/1000 em rounded to 1/100 of that unit.
const WIDTH_SCALE: f64 = 100.0;

/// How many mappings one `beginbfchar` block may hold (a limit of the CMap
/// format).
const BFCHAR_BLOCK: usize = 100;

/// The glyph-to-code tables of one embedded font, used while writing pages.
#[derive(Debug)]
pub(super) struct EmbeddedFont {
    /// Resource name in page dictionaries, e.g. `F0`.
    pub resource: String,
    /// By original glyph id: the code and text of its first use.
    primary: Vec<Option<Primary>>,
    /// Further (text, code) pairs of glyphs used for several texts.
    alternates: BTreeMap<u16, Vec<(Box<str>, u16)>>,
    /// Advance of each code in 1/1000 em, exactly as written to /W.
    widths: Vec<f64>,
    /// Original glyph id of the space, for synthesized word spaces.
    space: Option<u16>,
    program: Program,
    base_font: String,
    /// Code → glyph id in the subset, when some codes share a glyph.
    cid_to_gid: Option<Vec<u16>>,
    descriptor: Descriptor,
}

#[derive(Debug)]
struct Primary {
    code: u16,
    text: Box<str>,
}

#[derive(Debug)]
enum Program {
    /// A TrueType (glyf) font file, for /FontFile2.
    TrueType(Vec<u8>),
    /// A bare CID-keyed CFF table, for /FontFile3 /CIDFontType0C.
    Cff(Vec<u8>),
}

/// FontDescriptor values, already in 1/1000 em.
#[derive(Debug)]
struct Descriptor {
    ascent: f64,
    descent: f64,
    cap_height: f64,
    italic_angle: f64,
    bbox: [f64; 4],
    flags: i64,
    stem_v: f64,
}

impl EmbeddedFont {
    /// The code for a glyph standing for `text`.
    #[inline]
    pub fn code(&self, gid: u16, text: &str) -> u16 {
        match self.primary.get(usize::from(gid)) {
            Some(Some(p)) if &*p.text == text => p.code,
            Some(Some(p)) => self
                .alternates
                .get(&gid)
                .and_then(|alts| alts.iter().find(|(t, _)| &**t == text))
                .map_or(p.code, |(_, code)| *code),
            // Collection registered every glyph; unreachable in practice.
            _ => 0,
        }
    }

    /// Advance of a code in 1/1000 em, as the viewer will apply it.
    #[inline]
    pub fn width(&self, code: u16) -> f64 {
        self.widths.get(usize::from(code)).copied().unwrap_or(0.0)
    }

    /// Code of the space glyph, if the font has one.
    pub fn space_code(&self) -> Option<u16> {
        self.space.map(|gid| self.code(gid, SPACE_TEXT))
    }
}

/// Every font of the document that some page uses, by [`FontId`] index.
///
/// [`FontId`]: crate::typeset::frame::FontId
#[derive(Debug)]
pub(super) struct FontSet {
    pub fonts: Vec<Option<EmbeddedFont>>,
}

/// What the pages use of one font, gathered before subsetting.
struct Usage<'a> {
    face: FontRef<'a>,
    glyph_count: usize,
    /// By original glyph id: the text of its first use.
    primary: Vec<Option<Box<str>>>,
    alternates: BTreeMap<u16, Vec<Box<str>>>,
    space: Option<u16>,
}

impl<'a> Usage<'a> {
    fn new(data: &'a FontData) -> Result<Usage<'a>, Diagnostic> {
        let face = FontRef::from_index(&data.bytes, data.index).map_err(|e| {
            Diagnostic::error(format!(
                "the font {} cannot be read for embedding: {e}",
                data.postscript_name
            ))
        })?;
        let glyph_count = face
            .maxp()
            .map(|m| usize::from(m.num_glyphs()))
            .unwrap_or(0);
        let space = face
            .charmap()
            .map(' ')
            .and_then(|g| u16::try_from(g.to_u32()).ok());
        let mut usage = Usage {
            face,
            glyph_count,
            primary: vec![None; glyph_count],
            alternates: BTreeMap::new(),
            space,
        };
        // .notdef is always in a subset; give it a code without text.
        usage.add(0, "");
        if let Some(space) = space {
            usage.add(space, SPACE_TEXT);
        }
        Ok(usage)
    }

    #[inline]
    fn add(&mut self, gid: u16, text: &str) -> bool {
        let Some(slot) = self.primary.get_mut(usize::from(gid)) else {
            return false;
        };
        match slot {
            None => *slot = Some(text.into()),
            Some(first) if **first == *text => {}
            Some(_) => {
                let alts = self.alternates.entry(gid).or_default();
                if !alts.iter().any(|t| **t == *text) {
                    alts.push(text.into());
                }
            }
        }
        true
    }
}

impl FontSet {
    /// Gathers the glyphs of every text run, subsets each used font and
    /// assigns codes.
    pub fn collect(doc: &Document) -> StageResult<FontSet> {
        let mut usages: Vec<Option<Usage>> = doc.fonts.iter().map(|_| None).collect();
        let mut errors = Vec::new();
        for (page_index, page) in doc.pages.iter().enumerate() {
            for item in &page.items {
                let Item::Text(run) = item else { continue };
                let Some(data) = doc.fonts.get(run.font.0) else {
                    return Err(Diagnostic::error(format!(
                        "internal error: page {} uses font #{} but the document has {} fonts",
                        page_index + 1,
                        run.font.0,
                        doc.fonts.len()
                    ))
                    .into());
                };
                let usage = match &mut usages[run.font.0] {
                    Some(u) => u,
                    slot => match Usage::new(data) {
                        Ok(u) => slot.insert(u),
                        Err(d) => return Err(d.into()),
                    },
                };
                for glyph in &run.glyphs {
                    if !usage.add(glyph.id, &glyph.text) {
                        errors.push(Diagnostic::error(format!(
                            "internal error: page {} uses glyph {} of {}, which has only {} glyphs",
                            page_index + 1,
                            glyph.id,
                            data.postscript_name,
                            usage.glyph_count
                        )));
                        break;
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(Diagnostics(errors));
        }
        let fonts = usages
            .into_iter()
            .enumerate()
            .map(|(index, usage)| {
                usage
                    .map(|u| embed_plan(index, &doc.fonts[index], u))
                    .transpose()
            })
            .collect::<Result<Vec<_>, Diagnostic>>()?;
        Ok(FontSet { fonts })
    }

    /// Writes the font objects and returns the /Font resource dictionary.
    pub fn write(&self, pdf: &mut lopdf::Document) -> Dictionary {
        let mut resources = Dictionary::new();
        for font in self.fonts.iter().flatten() {
            let id = write_font(pdf, font);
            resources.set(font.resource.as_bytes(), Object::Reference(id));
        }
        resources
    }

    /// Hashes what identifies the fonts' content, for the file /ID.
    pub fn hash_into(&self, hash: &mut StableHash) {
        for font in self.fonts.iter().flatten() {
            hash.write(font.base_font.as_bytes());
        }
    }
}

/// Subsets one font and lays out its codes and widths.
fn embed_plan(index: usize, data: &FontData, usage: Usage) -> Result<EmbeddedFont, Diagnostic> {
    let fail = |what: &str| {
        Diagnostic::error(format!("the font {} {what}", data.postscript_name))
            .with_hint("use a TrueType or OpenType (CFF) font from fonts/")
    };
    let is_cff = usage
        .face
        .table_data(skrifa::raw::tables::cff::Cff::TAG)
        .is_some();
    if usage
        .face
        .table_data(skrifa::raw::tables::glyf::Glyf::TAG)
        .is_none()
        && !is_cff
    {
        return Err(fail(
            "has neither TrueType nor CFF outlines (CFF2 is not supported)",
        ));
    }

    // Ascending original ids give ascending subset ids: compact /W runs and a
    // subset that does not depend on the order of pages.
    let used: Vec<u16> = (0..usage.primary.len())
        .filter(|&g| usage.primary[g].is_some())
        .map(|g| g as u16)
        .collect();
    let mut remapper = subsetter::GlyphRemapper::new();
    for &gid in &used {
        remapper.remap(gid);
    }
    let subset = subsetter::subset(&data.bytes, data.index, &remapper)
        .map_err(|e| fail(&format!("cannot be subset: {e:?}")))?;
    let subset_face = FontRef::new(&subset)
        .map_err(|e| fail(&format!("was subset into an unreadable font: {e}")))?;
    let subset_glyphs = subset_face.maxp().map(|m| m.num_glyphs()).unwrap_or(0);
    let program = if is_cff {
        let table = subset_face
            .table_data(skrifa::raw::tables::cff::Cff::TAG)
            .ok_or_else(|| fail("lost its CFF table when subset"))?;
        Program::Cff(table.as_bytes().to_vec())
    } else {
        Program::TrueType(subset.clone())
    };

    let upm = f64::from(
        usage
            .face
            .head()
            .map(|h| h.units_per_em())
            .unwrap_or(1000)
            .max(1),
    );
    let to_1000 = 1000.0 / upm;
    let advances = usage
        .face
        .glyph_metrics(Size::unscaled(), LocationRef::default());
    // Widths are kept at the precision they are written with (/W holds
    // f32 reals), so the pen model in `text` matches the viewer's exactly
    // and fonts whose em is not 1000 units need no corrections per glyph.
    let advance = |gid: u16| {
        let w = f64::from(
            advances
                .advance_width(GlyphId::new(u32::from(gid)))
                .unwrap_or(0.0),
        );
        f64::from(((w * to_1000 * WIDTH_SCALE).round() / WIDTH_SCALE) as f32)
    };

    let mut primary: Vec<Option<Primary>> = (0..usage.primary.len()).map(|_| None).collect();
    let mut widths = vec![0.0; usize::from(subset_glyphs)];
    let mut tag_hash = StableHash::new();
    tag_hash.write(data.postscript_name.as_bytes());
    for (gid, text) in usage.primary.into_iter().enumerate() {
        let Some(text) = text else { continue };
        let gid = gid as u16;
        let code = remapper.get(gid).unwrap_or(0);
        tag_hash.write_u32(u32::from(gid));
        if let Some(w) = widths.get_mut(usize::from(code)) {
            *w = advance(gid);
        }
        primary[usize::from(gid)] = Some(Primary { code, text });
    }

    // Extra codes for glyphs with several texts (TrueType only).
    let mut alternates: BTreeMap<u16, Vec<(Box<str>, u16)>> = BTreeMap::new();
    let mut cid_to_gid = None;
    if !is_cff && !usage.alternates.is_empty() {
        let mut map: Vec<u16> = (0..subset_glyphs).collect();
        for (gid, texts) in usage.alternates {
            let subset_gid = remapper.get(gid).unwrap_or(0);
            for text in texts {
                let Ok(code) = u16::try_from(map.len()) else {
                    break;
                };
                map.push(subset_gid);
                widths.push(advance(gid));
                alternates.entry(gid).or_default().push((text, code));
            }
        }
        cid_to_gid = Some(map);
    }

    let base_font = format!(
        "{}+{}",
        subset_tag(tag_hash.finish()),
        pdf_name_safe(&data.postscript_name)
    );
    Ok(EmbeddedFont {
        resource: format!("F{index}"),
        primary,
        alternates,
        widths,
        space: usage.space,
        program,
        base_font,
        cid_to_gid,
        descriptor: descriptor(&usage.face, to_1000),
    })
}

/// Six upper-case letters from a hash, as ISO 32000 asks of subset names.
fn subset_tag(mut h: u128) -> String {
    (0..6)
        .map(|_| {
            let c = char::from(b'A' + (h % 26) as u8);
            h /= 26;
            c
        })
        .collect()
}

/// PostScript names are ASCII without delimiters; keep the name readable if
/// a font's is not.
fn pdf_name_safe(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .filter(|c| c.is_ascii_graphic() && !"()<>[]{}/%#".contains(*c))
        .collect();
    if cleaned.is_empty() {
        "Font".into()
    } else {
        cleaned
    }
}

fn descriptor(face: &FontRef, to_1000: f64) -> Descriptor {
    let m = face.metrics(Size::unscaled(), LocationRef::default());
    let ascent = f64::from(m.ascent) * to_1000;
    let bbox = m
        .bounds
        .map_or([0.0, f64::from(m.descent) * to_1000, 1000.0, ascent], |b| {
            [
                f64::from(b.x_min) * to_1000,
                f64::from(b.y_min) * to_1000,
                f64::from(b.x_max) * to_1000,
                f64::from(b.y_max) * to_1000,
            ]
        });
    /// FontDescriptor flag bits (ISO 32000-1, table 123).
    const FIXED_PITCH: i64 = 1;
    const NONSYMBOLIC: i64 = 1 << 5;
    const ITALIC: i64 = 1 << 6;
    let mut flags = NONSYMBOLIC;
    if m.is_monospace {
        flags |= FIXED_PITCH;
    }
    if m.italic_angle != 0.0 {
        flags |= ITALIC;
    }
    // No font table records the stem width; viewers only use it to pick a
    // substitute, which never happens for an embedded font. Estimate it from
    // the weight class the way common PDF producers do (400 → ~80, 700 → ~150).
    let weight = f64::from(face.attributes().weight.value());
    Descriptor {
        ascent,
        descent: f64::from(m.descent) * to_1000,
        cap_height: m.cap_height.map_or(ascent, |c| f64::from(c) * to_1000),
        italic_angle: f64::from(m.italic_angle),
        bbox,
        flags,
        stem_v: (10.0 + 220.0 * (weight - 50.0) / 900.0).round().max(10.0),
    }
}

fn real(v: f64) -> Object {
    if v.fract() == 0.0 && v.abs() < 1e9 {
        Object::Integer(v as i64)
    } else {
        Object::Real(v as f32)
    }
}

fn name(n: &str) -> Object {
    Object::Name(n.as_bytes().to_vec())
}

/// Writes the Type0 font, its CIDFont, descriptor, program and ToUnicode.
fn write_font(pdf: &mut lopdf::Document, font: &EmbeddedFont) -> lopdf::ObjectId {
    let d = &font.descriptor;
    let (subtype, file_key, file_id) = match &font.program {
        Program::TrueType(bytes) => {
            let mut dict = Dictionary::new();
            dict.set("Length1", bytes.len() as i64);
            let id = pdf.add_object(flate_stream(dict, bytes));
            ("CIDFontType2", "FontFile2", id)
        }
        Program::Cff(bytes) => {
            let mut dict = Dictionary::new();
            dict.set("Subtype", name("CIDFontType0C"));
            let id = pdf.add_object(flate_stream(dict, bytes));
            ("CIDFontType0", "FontFile3", id)
        }
    };
    let mut desc = Dictionary::new();
    desc.set("Type", name("FontDescriptor"));
    desc.set("FontName", name(&font.base_font));
    desc.set("Flags", d.flags);
    desc.set(
        "FontBBox",
        Object::Array(d.bbox.iter().map(|&v| real(v.round())).collect()),
    );
    desc.set("ItalicAngle", real((d.italic_angle * 10.0).round() / 10.0));
    desc.set("Ascent", real(d.ascent.round()));
    desc.set("Descent", real(d.descent.round()));
    desc.set("CapHeight", real(d.cap_height.round()));
    desc.set("StemV", real(d.stem_v));
    desc.set(file_key, Object::Reference(file_id));
    let desc_id = pdf.add_object(desc);

    let mut cid_font = Dictionary::new();
    cid_font.set("Type", name("Font"));
    cid_font.set("Subtype", name(subtype));
    cid_font.set("BaseFont", name(&font.base_font));
    let mut info = Dictionary::new();
    info.set("Registry", Object::string_literal("Adobe"));
    info.set("Ordering", Object::string_literal("Identity"));
    info.set("Supplement", 0);
    cid_font.set("CIDSystemInfo", info);
    cid_font.set("FontDescriptor", Object::Reference(desc_id));
    cid_font.set("W", Object::Array(width_array(font)));
    if let Program::TrueType(_) = font.program {
        match &font.cid_to_gid {
            Some(map) => {
                let bytes: Vec<u8> = map.iter().flat_map(|g| g.to_be_bytes()).collect();
                let id = pdf.add_object(flate_stream(Dictionary::new(), &bytes));
                cid_font.set("CIDToGIDMap", Object::Reference(id));
            }
            None => cid_font.set("CIDToGIDMap", name("Identity")),
        }
    }
    let cid_font_id = pdf.add_object(cid_font);

    let cmap = to_unicode_cmap(font);
    let cmap_id = pdf.add_object(flate_stream(Dictionary::new(), &cmap));

    let mut type0 = Dictionary::new();
    type0.set("Type", name("Font"));
    type0.set("Subtype", name("Type0"));
    type0.set("BaseFont", name(&font.base_font));
    type0.set("Encoding", name("Identity-H"));
    type0.set(
        "DescendantFonts",
        Object::Array(vec![Object::Reference(cid_font_id)]),
    );
    type0.set("ToUnicode", Object::Reference(cmap_id));
    pdf.add_object(type0)
}

/// Every code in use, in ascending order, with its text.
fn used_codes(font: &EmbeddedFont) -> Vec<(u16, &str)> {
    let mut codes: Vec<(u16, &str)> = font
        .primary
        .iter()
        .flatten()
        .map(|p| (p.code, &*p.text))
        .chain(
            font.alternates
                .values()
                .flatten()
                .map(|(text, code)| (*code, &**text)),
        )
        .collect();
    codes.sort_unstable_by_key(|&(code, _)| code);
    codes.dedup_by_key(|&mut (code, _)| code);
    codes
}

/// `/W [c [w1 w2 …] …]` over runs of consecutive codes.
fn width_array(font: &EmbeddedFont) -> Vec<Object> {
    let mut out = Vec::new();
    let mut run: Vec<Object> = Vec::new();
    let mut start = 0u16;
    let mut next = None;
    for (code, _) in used_codes(font) {
        if next != Some(code) && !run.is_empty() {
            out.push(Object::Integer(i64::from(start)));
            out.push(Object::Array(std::mem::take(&mut run)));
        }
        if run.is_empty() {
            start = code;
        }
        run.push(real(font.width(code)));
        next = code.checked_add(1);
    }
    if !run.is_empty() {
        out.push(Object::Integer(i64::from(start)));
        out.push(Object::Array(run));
    }
    out
}

/// The ToUnicode CMap: each code → the UTF-16BE of its text. Codes without
/// text (.notdef, the tail glyphs of a cluster) are left out, so text
/// extraction skips them.
fn to_unicode_cmap(font: &EmbeddedFont) -> Vec<u8> {
    let mut out = Vec::with_capacity(4096);
    out.extend_from_slice(
        b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let mapped: Vec<(u16, &str)> = used_codes(font)
        .into_iter()
        .filter(|(_, text)| !text.is_empty())
        .collect();
    for block in mapped.chunks(BFCHAR_BLOCK) {
        push_int(&mut out, block.len() as i64);
        out.extend_from_slice(b" beginbfchar\n");
        for &(code, text) in block {
            out.push(b'<');
            push_hex(&mut out, &code.to_be_bytes());
            out.extend_from_slice(b"> <");
            for unit in text.encode_utf16() {
                push_hex(&mut out, &unit.to_be_bytes());
            }
            out.extend_from_slice(b">\n");
        }
        out.extend_from_slice(b"endbfchar\n");
    }
    out.extend_from_slice(b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    out
}
