//! Fonts: glyph codes while pages are written, then subsetting with
//! `subsetter` and embedding each used face as a CID-keyed Type0 font with
//! /W widths and a ToUnicode CMap.
//!
//! Codes are handed out in one pass, as the content streams are written:
//! the first time a glyph appears it joins the subset (`GlyphRemapper`
//! numbers glyphs in order of first use) and gets the next code, so codes
//! and subset glyph ids coincide and /CIDToGIDMap is /Identity.
//!
//! A code is its CID. Content streams spell the first [`ONE_BYTE_CODES`]
//! codes with one byte and the rest with two (see [`push_code`]), through
//! an embedded CMap ([`ENCODING_CMAP`]) shared by all fonts: a book's
//! fonts use a hundred glyphs or so each, so nearly every glyph takes one
//! byte instead of Identity-H's two, which makes the content streams a
//! third shorter and an eighth smaller deflated.
//!
//! A PDF maps each code to one Unicode string, so a glyph that stands for
//! different text in different places (a space glyph used for U+0020 and
//! U+00A0, a consonant that is its syllable's second glyph, see
//! `text::split_cluster`) gets an extra code per additional text; those codes reach the shared glyph through a
//! /CIDToGIDMap stream. CFF fonts address glyphs by CID directly, so there
//! the first text seen wins (a glyph shown for another text later carries
//! it as /ActualText, see `text`).

use std::collections::BTreeMap;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Filter, Finish, Name, Ref, Str};
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::raw::{TableProvider, TopLevelTable};
use skrifa::{FontRef, GlyphId, MetadataProvider};

use super::encoding::{deflate, push_hex, push_int, StableHash};
use super::file::Objects;
use crate::diag::{Diagnostic, Diagnostics, StageResult};
use crate::typeset::frame::{Document, FontData};

/// The text a synthesized word space stands for.
const SPACE_TEXT: &str = " ";

/// Widths are written in 1/1000 em rounded to 1/100 of that unit.
const WIDTH_SCALE: f64 = 100.0;

/// How many mappings one `beginbfchar` block may hold (a limit of the CMap
/// format).
const BFCHAR_BLOCK: usize = 100;

/// Codes written as one byte, `<00>`–`<7F>`.
pub(super) const ONE_BYTE_CODES: u16 = 0x80;

/// The first two-byte code: codes from [`ONE_BYTE_CODES`] on are written
/// as `<8000>`–`<FFFF>`, which no one-byte code starts like.
const TWO_BYTE_FIRST: u16 = 0x8000;

/// How many codes (CIDs) a font can have: 128 of one byte, 32,768 of two.
const MAX_CODES: usize = ONE_BYTE_CODES as usize + (0x1_0000 - TWO_BYTE_FIRST as usize);

/// Name of the encoding CMap.
const ENCODING_NAME: &str = "Folio-OneByte-H";

/// The encoding CMap of every font: one-byte codes for CIDs 0–127,
/// two-byte codes `<8000>`… for CIDs from 128.
const ENCODING_CMAP: &str = "%!PS-Adobe-3.0 Resource-CMap
/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> def
/CMapName /Folio-OneByte-H def
/CMapType 1 def
2 begincodespacerange
<00> <7F>
<8000> <FFFF>
endcodespacerange
2 begincidrange
<00> <7F> 0
<8000> <FFFF> 128
endcidrange
endcmap
CMapName currentdict /CMap defineresource pop
end
end
";

/// The codespace ranges, as the ToUnicode CMap must repeat them.
const CODESPACE: &str = "2 begincodespacerange\n<00> <7F>\n<8000> <FFFF>\nendcodespacerange\n";

/// The bytes that stand for `code` in a content stream (before string
/// escaping): the first `.1` of `.0`.
#[inline]
pub(super) fn code_bytes(code: u16) -> ([u8; 2], usize) {
    if code < ONE_BYTE_CODES {
        ([code as u8, 0], 1)
    } else {
        ((TWO_BYTE_FIRST + (code - ONE_BYTE_CODES)).to_be_bytes(), 2)
    }
}

/// String equality with an inline path for the one-byte texts that most
/// glyphs carry (a call to `memcmp` per glyph shows in profiles).
#[inline]
fn same_text(a: &str, b: &str) -> bool {
    match (a.as_bytes(), b.as_bytes()) {
        ([x], [y]) => x == y,
        (a, b) => a == b,
    }
}

/// One code: the original glyph it shows and the text it stands for.
#[derive(Debug)]
struct Code {
    gid: u16,
    text: Box<str>,
}

/// One font of the document while pages are written.
pub(super) struct FontState<'a> {
    data: &'a FontData,
    face: FontRef<'a>,
    advances: GlyphMetrics<'a>,
    /// 1000 / units per em.
    to_1000: f64,
    is_cff: bool,
    /// Resource name in page dictionaries, e.g. `F0`.
    pub resource: String,
    /// By original glyph id: the code of its first use.
    slots: Vec<Option<u16>>,
    /// By code.
    codes: Vec<Code>,
    /// Advance of each code in 1/1000 em, exactly as written to /W.
    widths: Vec<f64>,
    /// Further (text, code) pairs of glyphs used for several texts.
    alternates: BTreeMap<u16, Vec<(Box<str>, u16)>>,
    remapper: subsetter::GlyphRemapper,
    space: Option<u16>,
    /// The first glyph id found outside the font, reported after writing.
    bad_glyph: Option<u16>,
    /// A hash of `codes` in order (see [`FontSet::fingerprint`]).
    codes_hash: u64,
}

impl<'a> FontState<'a> {
    fn new(index: usize, data: &'a FontData) -> Result<FontState<'a>, Diagnostic> {
        let face = FontRef::from_index(&data.bytes, data.index).map_err(|e| {
            Diagnostic::error(format!(
                "the font {} cannot be read for embedding: {e}",
                data.postscript_name
            ))
        })?;
        let is_cff = face
            .table_data(skrifa::raw::tables::cff::Cff::TAG)
            .is_some();
        if !is_cff
            && face
                .table_data(skrifa::raw::tables::glyf::Glyf::TAG)
                .is_none()
        {
            return Err(Diagnostic::error(format!(
                "the font {} has neither TrueType nor CFF outlines (CFF2 is not supported)",
                data.postscript_name
            ))
            .with_hint("use a TrueType or OpenType (CFF) font from fonts/"));
        }
        let glyph_count = face
            .maxp()
            .map(|m| usize::from(m.num_glyphs()))
            .unwrap_or(0);
        let upm = face.head().map(|h| h.units_per_em()).unwrap_or(1000).max(1);
        let space = face
            .charmap()
            .map(' ')
            .and_then(|g| u16::try_from(g.to_u32()).ok());
        let mut state = FontState {
            data,
            advances: face.glyph_metrics(Size::unscaled(), LocationRef::default()),
            face,
            to_1000: 1000.0 / f64::from(upm),
            is_cff,
            resource: format!("F{index}"),
            slots: vec![None; glyph_count],
            codes: Vec::new(),
            widths: Vec::new(),
            alternates: BTreeMap::new(),
            // Maps .notdef to 0 already.
            remapper: subsetter::GlyphRemapper::new(),
            space,
            bad_glyph: None,
            codes_hash: 0,
        };
        // .notdef is code 0, without text.
        state.code(0, "");
        Ok(state)
    }

    /// The code for a glyph standing for `text`, assigning one on first use.
    #[inline]
    pub fn code(&mut self, gid: u16, text: &str) -> u16 {
        if let Some(Some(code)) = self.slots.get(usize::from(gid)) {
            if same_text(&self.codes[usize::from(*code)].text, text) {
                return *code;
            }
        }
        self.code_slow(gid, text)
    }

    #[cold]
    fn code_slow(&mut self, gid: u16, text: &str) -> u16 {
        let Some(&slot) = self.slots.get(usize::from(gid)) else {
            self.bad_glyph.get_or_insert(gid);
            return 0;
        };
        match slot {
            None => {
                let subset_gid = self.remapper.remap(gid);
                let code = self.push_code(gid, text);
                debug_assert!(self.is_cff_consistent(code, subset_gid));
                self.slots[usize::from(gid)] = Some(code);
                code
            }
            // CFF codes are glyph ids: one code per glyph.
            Some(code) if self.is_cff => code,
            Some(primary) => {
                if let Some(&(_, code)) = self
                    .alternates
                    .get(&gid)
                    .and_then(|alts| alts.iter().find(|(t, _)| same_text(t, text)))
                {
                    return code;
                }
                let code = self.push_code(gid, text);
                if code == 0 {
                    return primary;
                }
                self.alternates
                    .entry(gid)
                    .or_default()
                    .push((text.into(), code));
                code
            }
        }
    }

    fn is_cff_consistent(&self, code: u16, subset_gid: u16) -> bool {
        !self.is_cff || code == subset_gid
    }

    fn push_code(&mut self, gid: u16, text: &str) -> u16 {
        let code = match u16::try_from(self.codes.len()) {
            Ok(code) if self.codes.len() < MAX_CODES => code,
            // The font is full (32,896 codes); show .notdef.
            _ => return 0,
        };
        let w = f64::from(
            self.advances
                .advance_width(GlyphId::new(u32::from(gid)))
                .unwrap_or(0.0),
        );
        // Kept at the precision written to /W (f32 reals), so the pen model
        // in `text` matches the viewer's and fonts whose em is not 1000
        // units need no corrections per glyph.
        self.widths.push(f64::from(
            ((w * self.to_1000 * WIDTH_SCALE).round() / WIDTH_SCALE) as f32,
        ));
        self.codes.push(Code {
            gid,
            text: text.into(),
        });
        let mut h = crate::fonts::hash::FxHasher::default();
        std::hash::Hasher::write_u64(&mut h, self.codes_hash);
        std::hash::Hasher::write_u16(&mut h, gid);
        std::hash::Hasher::write(&mut h, text.as_bytes());
        self.codes_hash = std::hash::Hasher::finish(&h);
        code
    }

    /// Whether `code` stands for `text` in the ToUnicode map (a CFF font
    /// has one code per glyph: the first text it showed; a full font
    /// shows further texts with a glyph's first code).
    #[inline]
    pub fn shows(&self, code: u16, text: &str) -> bool {
        self.codes
            .get(usize::from(code))
            .is_none_or(|c| same_text(&c.text, text))
    }

    /// Advance of a code in 1/1000 em, as the viewer will apply it.
    #[inline]
    pub fn width(&self, code: u16) -> f64 {
        self.widths.get(usize::from(code)).copied().unwrap_or(0.0)
    }

    /// Synthesized bold: outline stroke width in ems (0: none).
    pub fn synthetic_bold(&self) -> f64 {
        f64::from(self.data.synthetic_bold)
    }

    /// Synthesized italic: horizontal shear of the text matrix (0: none).
    pub fn synthetic_slant(&self) -> f64 {
        f64::from(self.data.synthetic_slant)
    }

    /// Code of the space glyph, if the font has one.
    pub fn space_code(&mut self) -> Option<u16> {
        self.space.map(|gid| self.code(gid, SPACE_TEXT))
    }
}

/// What writing a page did to the fonts: each font it opened or gave new
/// codes, with the glyph and text of each new code in order.
pub(super) type Added = Vec<(usize, Vec<(u16, Box<str>)>)>;

/// Every font of the document, by [`FontId`] index; a font is opened when a
/// page first uses it.
///
/// [`FontId`]: crate::typeset::frame::FontId
pub(super) struct FontSet<'a> {
    doc: &'a Document,
    fonts: Vec<Option<FontState<'a>>>,
}

impl<'a> FontSet<'a> {
    pub fn new(doc: &'a Document) -> FontSet<'a> {
        FontSet {
            doc,
            fonts: doc.fonts.iter().map(|_| None).collect(),
        }
    }

    /// The state of font `index`, opened on first use.
    pub fn get(&mut self, index: usize) -> Result<&mut FontState<'a>, Diagnostic> {
        let doc = self.doc;
        let Some(slot) = self.fonts.get_mut(index) else {
            return Err(Diagnostic::error(format!(
                "internal error in the PDF writer: font #{index} of {}",
                doc.fonts.len()
            )));
        };
        match slot {
            Some(state) => Ok(state),
            None => Ok(slot.insert(FontState::new(index, &doc.fonts[index])?)),
        }
    }

    /// What identifies the state of every font: which are open and the
    /// codes each has handed out, in order. Equal fingerprints give equal
    /// codes for the same glyphs from here on (see [`super::Cache`]).
    pub fn fingerprint(&self) -> u64 {
        use std::hash::Hasher;
        let mut h = crate::fonts::hash::FxHasher::default();
        h.write_usize(self.fonts.len());
        for (data, font) in self.doc.fonts.iter().zip(&self.fonts) {
            h.write(data.postscript_name.as_bytes());
            h.write_u32(data.synthetic_bold.to_bits());
            h.write_u32(data.synthetic_slant.to_bits());
            h.write_usize(data.bytes.len());
            match font {
                None => h.write_u8(0),
                Some(f) => {
                    h.write_u8(1);
                    h.write_usize(f.codes.len());
                    h.write_u64(f.codes_hash);
                }
            }
        }
        Hasher::finish(&h)
    }

    /// How many codes each font has handed out (`None`: not open yet), to
    /// tell later what a page added ([`FontSet::added_since`]).
    pub fn counts(&self) -> Vec<Option<usize>> {
        self.fonts
            .iter()
            .map(|f| f.as_ref().map(|f| f.codes.len()))
            .collect()
    }

    /// What the fonts gained since `counts`: each font opened or given new
    /// codes, with the glyphs and texts of those codes in order; `None` if
    /// a glyph outside its font was met (nothing to replay then).
    pub fn added_since(&self, counts: &[Option<usize>]) -> Option<Added> {
        let mut added = Vec::new();
        for (index, font) in self.fonts.iter().enumerate() {
            let Some(font) = font else { continue };
            if font.bad_glyph.is_some() {
                return None;
            }
            // A font opened now starts with .notdef, which opening gives.
            let from = counts.get(index).copied().flatten().unwrap_or(1);
            if counts.get(index).copied().flatten().is_none() || font.codes.len() > from {
                added.push((
                    index,
                    font.codes[from.min(font.codes.len())..]
                        .iter()
                        .map(|c| (c.gid, c.text.clone()))
                        .collect(),
                ));
            }
        }
        Some(added)
    }

    /// Does again what writing a page did to the fonts ([`FontSet::added_since`]).
    pub fn replay(&mut self, added: &Added) -> Result<(), Diagnostic> {
        for (index, codes) in added {
            let font = self.get(*index)?;
            for (gid, text) in codes {
                font.code(*gid, text);
            }
        }
        Ok(())
    }

    /// Subsets and writes every used font; returns each one's resource
    /// name and id. Hashes what identifies the fonts into `hash`.
    pub fn finish(
        self,
        objects: &mut Objects,
        hash: &mut StableHash,
    ) -> StageResult<Vec<(String, Ref)>> {
        let mut errors = Vec::new();
        let mut resources = Vec::new();
        let mut encoding = None;
        for font in self.fonts.into_iter().flatten() {
            if let Some(gid) = font.bad_glyph {
                errors.push(Diagnostic::error(format!(
                    "internal error in the PDF writer: glyph {gid} is not in {}, which has {} glyphs",
                    font.data.postscript_name,
                    font.slots.len()
                )));
                continue;
            }
            let encoding = *encoding.get_or_insert_with(|| encoding_cmap(objects));
            match embed(objects, &font, encoding, hash) {
                Ok(id) => resources.push((font.resource.clone(), id)),
                Err(d) => errors.push(d),
            }
        }
        if errors.is_empty() {
            Ok(resources)
        } else {
            Err(Diagnostics(errors))
        }
    }
}

/// The character collection of every font and CMap here.
fn identity() -> SystemInfo<'static> {
    SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    }
}

/// Writes the encoding CMap stream all fonts share.
fn encoding_cmap(objects: &mut Objects) -> Ref {
    let id = objects.alloc();
    let data = deflate(ENCODING_CMAP.as_bytes());
    objects
        .direct(id)
        .cmap(id, &data)
        .name(Name(ENCODING_NAME.as_bytes()))
        .system_info(identity())
        .filter(Filter::FlateDecode);
    id
}

/// The FontDescriptor flag of an italic font (ISO 32000-1, table 123).
const DESCRIPTOR_ITALIC: i64 = 1 << 6;

/// FontDescriptor values, in 1/1000 em.
struct Descriptor {
    ascent: f64,
    descent: f64,
    cap_height: f64,
    italic_angle: f64,
    bbox: [f64; 4],
    flags: i64,
    stem_v: f64,
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
    let mut flags = NONSYMBOLIC;
    if m.is_monospace {
        flags |= FIXED_PITCH;
    }
    if m.italic_angle != 0.0 {
        flags |= DESCRIPTOR_ITALIC;
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

/// Subsets the font and writes the Type0 font, its CIDFont, descriptor,
/// program and ToUnicode; returns the Type0 font's id.
fn embed(
    objects: &mut Objects,
    font: &FontState,
    encoding: Ref,
    hash: &mut StableHash,
) -> Result<Ref, Diagnostic> {
    let data = font.data;
    let fail = |what: String| {
        Diagnostic::error(format!("the font {} {what}", data.postscript_name))
            .with_hint("use a TrueType or OpenType (CFF) font from fonts/")
    };
    let subset = subsetter::subset(&data.bytes, data.index, &font.remapper)
        .map_err(|e| fail(format!("cannot be subset: {e:?}")))?;

    let mut tag_hash = StableHash::new();
    tag_hash.write(data.postscript_name.as_bytes());
    for code in &font.codes {
        tag_hash.write_u32(u32::from(code.gid));
    }
    // A synthesized style is another font made from the same file: its
    // name says so, so two subsets of one file never share a name.
    let synthesized = match (data.synthetic_bold > 0.0, data.synthetic_slant != 0.0) {
        (true, true) => "-SynthBoldItalic",
        (true, false) => "-SynthBold",
        (false, true) => "-SynthItalic",
        (false, false) => "",
    };
    let base_font = format!(
        "{}+{}{synthesized}",
        subset_tag(tag_hash.digest()),
        pdf_name_safe(&data.postscript_name)
    );
    hash.write(base_font.as_bytes());
    let base_name = Name(base_font.as_bytes());

    let mut d = descriptor(&font.face, font.to_1000);
    if data.synthetic_slant != 0.0 {
        // Degrees counter-clockwise from vertical, negative leaning right.
        d.italic_angle = -f64::from(data.synthetic_slant).atan().to_degrees();
        d.flags |= DESCRIPTOR_ITALIC;
    }
    let file_id = objects.alloc();
    if font.is_cff {
        let face = FontRef::new(&subset)
            .map_err(|e| fail(format!("was subset into an unreadable font: {e}")))?;
        let table = face
            .table_data(skrifa::raw::tables::cff::Cff::TAG)
            .ok_or_else(|| fail("lost its CFF table when subset".into()))?;
        let deflated = deflate(table.as_bytes());
        let mut stream = objects.direct(file_id).stream(file_id, &deflated);
        stream.filter(Filter::FlateDecode);
        stream.pair(Name(b"Subtype"), Name(b"CIDFontType0C"));
        stream.finish();
    } else {
        let deflated = deflate(&subset);
        let mut stream = objects.direct(file_id).stream(file_id, &deflated);
        stream.filter(Filter::FlateDecode);
        stream.pair(Name(b"Length1"), subset.len() as i32);
        stream.finish();
    }
    // TrueType CIDs reach glyphs through /CIDToGIDMap: /Identity when
    // codes and subset glyph ids coincide (no glyph with two texts).
    let cid_to_gid = if font.is_cff {
        None
    } else {
        let map: Vec<u16> = font
            .codes
            .iter()
            .map(|c| font.remapper.get(c.gid).unwrap_or(0))
            .collect();
        let identity_map = map
            .iter()
            .enumerate()
            .all(|(code, &gid)| usize::from(gid) == code);
        if identity_map {
            Some(None)
        } else {
            let bytes: Vec<u8> = map.iter().flat_map(|g| g.to_be_bytes()).collect();
            let id = objects.alloc();
            let deflated = deflate(&bytes);
            objects
                .direct(id)
                .stream(id, &deflated)
                .filter(Filter::FlateDecode);
            Some(Some(id))
        }
    };

    let cmap_id = objects.alloc();
    let cmap = deflate(&to_unicode_cmap(&font.codes));
    objects
        .direct(cmap_id)
        .stream(cmap_id, &cmap)
        .filter(Filter::FlateDecode);

    let desc_id = objects.alloc();
    let mut desc = objects.small(desc_id).font_descriptor(desc_id);
    desc.name(base_name)
        .flags(FontFlags::from_bits_truncate(d.flags as u32))
        .bbox(pdf_writer::Rect::new(
            d.bbox[0].round() as f32,
            d.bbox[1].round() as f32,
            d.bbox[2].round() as f32,
            d.bbox[3].round() as f32,
        ))
        .italic_angle(((d.italic_angle * 10.0).round() / 10.0) as f32)
        .ascent(d.ascent.round() as f32)
        .descent(d.descent.round() as f32)
        .cap_height(d.cap_height.round() as f32)
        .stem_v(d.stem_v as f32);
    if font.is_cff {
        desc.font_file3(file_id);
    } else {
        desc.font_file2(file_id);
    }
    desc.finish();

    let cid_id = objects.alloc();
    let mut cid = objects.small(cid_id).cid_font(cid_id);
    cid.subtype(if font.is_cff {
        CidFontType::Type0
    } else {
        CidFontType::Type2
    })
    .base_font(base_name)
    .system_info(identity())
    .font_descriptor(desc_id);
    // `/W [0 [w0 w1 …]]`: codes are dense from 0, so one run covers them all.
    cid.widths()
        .consecutive(0, font.widths.iter().map(|&w| w as f32));
    match cid_to_gid {
        Some(None) => {
            cid.cid_to_gid_map_predefined(Name(b"Identity"));
        }
        Some(Some(id)) => {
            cid.cid_to_gid_map_stream(id);
        }
        None => {}
    }
    cid.finish();

    let id = objects.alloc();
    objects
        .small(id)
        .type0_font(id)
        .base_font(base_name)
        .encoding_cmap(encoding)
        .descendant_font(cid_id)
        .to_unicode(cmap_id);
    Ok(id)
}

/// The ToUnicode CMap: each code → the UTF-16BE of its text. Codes without
/// text (.notdef) are left out, so text extraction skips them.
fn to_unicode_cmap(codes: &[Code]) -> Vec<u8> {
    let mut out = Vec::with_capacity(512 + codes.len() * 16);
    out.extend_from_slice(
        b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n",
    );
    out.extend_from_slice(CODESPACE.as_bytes());
    let mapped: Vec<(u16, &str)> = codes
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.text.is_empty())
        .map(|(code, c)| (code as u16, &*c.text))
        .collect();
    for block in mapped.chunks(BFCHAR_BLOCK) {
        push_int(&mut out, block.len() as i64);
        out.extend_from_slice(b" beginbfchar\n");
        for &(code, text) in block {
            out.push(b'<');
            let (bytes, len) = code_bytes(code);
            push_hex(&mut out, &bytes[..len]);
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
