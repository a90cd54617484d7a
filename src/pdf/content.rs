//! Page content streams: text runs, filled rectangles and image placements
//! in the order the typesetter listed them, with y flipped from the
//! frame's top-left origin to PDF's bottom-left.
//!
//! Streams are written straight into a reusable byte buffer; the only state
//! kept is what avoids redundant operators (current font, size and grey,
//! whether a text object is open).
//!
//! Items are wrapped in marked-content sequences as the frame's
//! [`Item::Tag`]s say: `/P <</MCID n>> BDC … EMC` for content of a structure
//! node (the page's MCIDs are returned, to become the structure tree's
//! leaves), `/Artifact` for running heads, folios and rules. A sequence is
//! opened only when something is drawn in it. Sequences and text objects
//! nest: a sequence of text opens inside the text object, so the words of
//! a link in a line switch sequences without ending it; a rule or image
//! ends the text object first. Inside a run, a cluster whose glyphs do
//! not map one to one to its text is a `/Span <</ActualText …>> BDC … EMC`
//! of its own (see [`super::text`]), nested in the open sequence and
//! closed before the run ends.

use super::encoding::push_num;
use super::fonts::FontSet;
use super::images::{resource_name, ImageSet};
use super::structure::role_name;
use super::text::{font_size, h_scale_percent, push_font_size, push_h_scale, write_run, Origin};
use crate::diag::Diagnostic;
use crate::typeset::frame::{ArtifactKind, Glyph, Item, NodeId, Rgb, StructTree, Tag};
use crate::units::Pt;

/// Decimal places of rectangle and image coordinates.
const COORD_DECIMALS: u32 = 2;
/// Decimal places of grey levels (1/1000 is finer than any halftone).
const GRAY_DECIMALS: u32 = 3;
/// Decimal places of a synthesized bold's stroke width (1/1000 pt).
const STROKE_DECIMALS: u32 = 3;

/// Writes the uncompressed content stream of a page of height `height`
/// holding `items` into `buf` (cleared first), assigning glyph codes in
/// `fonts` as it goes. The node of each marked-content id used, in order,
/// goes into `marks` (cleared first).
pub(super) fn write_page(
    buf: &mut Vec<u8>,
    height: Pt,
    items: &[Item],
    fonts: &mut FontSet,
    images: &ImageSet,
    tree: &StructTree,
    marks: &mut Vec<NodeId>,
) -> Result<(), Diagnostic> {
    buf.clear();
    marks.clear();
    let height = height.0;
    let mut state = State {
        in_text: false,
        // The initial graphics state fills with black.
        fill: Fill::Gray(0.0),
        font: None,
        h_scale: 100.0,
        bold: None,
        wanted: Tag::Artifact(ArtifactKind::Layout),
        open: None,
        open_in_text: false,
        origin: None,
    };
    for (index, item) in items.iter().enumerate() {
        match item {
            Item::Tag(tag) => state.wanted = *tag,
            Item::Text(run) => {
                if run.glyphs.is_empty() {
                    continue;
                }
                state.mark_text(buf, tree, marks);
                let font = fonts.get(run.font.0)?;
                let size = font_size(run);
                if state.font != Some((run.font.0, size)) {
                    buf.push(b'/');
                    buf.extend_from_slice(font.resource.as_bytes());
                    buf.push(b' ');
                    push_font_size(buf, size);
                    buf.extend_from_slice(b" Tf\n");
                    state.font = Some((run.font.0, size));
                }
                let fill = match run.color {
                    Some(c) => Fill::Rgb(c),
                    None => Fill::Gray(run.gray),
                };
                state.set_fill(buf, fill);
                state.set_bold(buf, font.synthetic_bold() * size, fill);
                let h_scale = h_scale_percent(run);
                if h_scale != state.h_scale {
                    push_h_scale(buf, h_scale);
                    buf.extend_from_slice(b" Tz\n");
                    state.h_scale = h_scale;
                }
                let next = continuation(&items[index + 1..], run.baseline.0);
                write_run(buf, run, next, font, height, &mut state.origin);
            }
            Item::Rect(rect) => {
                state.mark(buf, tree, marks);
                state.set_fill(buf, Fill::Gray(rect.gray));
                push_num(buf, rect.x.0, COORD_DECIMALS);
                buf.push(b' ');
                push_num(buf, height - rect.y.0 - rect.height.0, COORD_DECIMALS);
                buf.push(b' ');
                push_num(buf, rect.width.0, COORD_DECIMALS);
                buf.push(b' ');
                push_num(buf, rect.height.0, COORD_DECIMALS);
                buf.extend_from_slice(b" re f\n");
            }
            Item::Image(image) => {
                let Some(index) = images.resource(&image.path) else {
                    continue;
                };
                state.mark(buf, tree, marks);
                buf.extend_from_slice(b"q ");
                push_num(buf, image.width.0, COORD_DECIMALS);
                buf.extend_from_slice(b" 0 0 ");
                push_num(buf, image.height.0, COORD_DECIMALS);
                buf.push(b' ');
                push_num(buf, image.x.0, COORD_DECIMALS);
                buf.push(b' ');
                push_num(buf, height - image.y.0 - image.height.0, COORD_DECIMALS);
                buf.extend_from_slice(b" cm /");
                buf.extend_from_slice(resource_name(index).as_bytes());
                buf.extend_from_slice(b" Do Q\n");
            }
            // Links are annotations, not content.
            Item::Link(_) => {}
        }
    }
    state.end_text(buf);
    if state.open.is_some() {
        buf.extend_from_slice(b"EMC\n");
    }
    Ok(())
}

/// Baselines closer than this (in pt) are the same line.
const SAME_BASELINE: f64 = 0.01;

/// The first glyph of the next text run, with its text, if it continues
/// the line of a run on `baseline` (links in between are skipped; anything
/// else ends it).
fn continuation(rest: &[Item], baseline: f64) -> Option<(&Glyph, &str)> {
    for item in rest {
        match item {
            Item::Text(next) if (next.baseline.0 - baseline).abs() < SAME_BASELINE => {
                return next.glyph_texts().next();
            }
            Item::Link(_) | Item::Tag(_) => continue,
            _ => return None,
        }
    }
    None
}

/// A fill (and synthesized-bold stroke) colour: a grey, or an sRGB colour
/// (highlighted code).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fill {
    Gray(f32),
    Rgb(Rgb),
}

impl Fill {
    /// Writes the colour's operands and operator: `g`/`rg` for the fill,
    /// `G`/`RG` for the stroke.
    fn push(self, buf: &mut Vec<u8>, stroke: bool) {
        match self {
            Fill::Gray(gray) => {
                let gray = if gray.is_finite() {
                    gray.clamp(0.0, 1.0)
                } else {
                    0.0
                };
                push_num(buf, f64::from(gray), GRAY_DECIMALS);
                buf.extend_from_slice(if stroke { b" G" } else { b" g" });
            }
            Fill::Rgb(c) => {
                for (i, v) in c.fractions().into_iter().enumerate() {
                    if i > 0 {
                        buf.push(b' ');
                    }
                    push_num(buf, f64::from(v), GRAY_DECIMALS);
                }
                buf.extend_from_slice(if stroke { b" RG" } else { b" rg" });
            }
        }
    }
}

struct State {
    in_text: bool,
    fill: Fill,
    font: Option<(usize, f64)>,
    /// Horizontal scale (`Tz`, percent); part of the text state, which
    /// lasts across text objects and is restored by `Q`.
    h_scale: f64,
    /// Synthesized bold in force: text rendering mode 2 (fill, then
    /// stroke) with this line width and stroke colour; `None`: mode 0.
    bold: Option<(f64, Fill)>,
    /// The tag the next drawn item belongs to…
    wanted: Tag,
    /// …and the one whose marked-content sequence is open,
    open: Option<Tag>,
    /// which began inside the open text object (and ends with it).
    open_in_text: bool,
    /// Where the text line matrix is (see [`Origin`]).
    origin: Origin,
}

impl State {
    /// Makes the wanted tag's sequence the open one for something other
    /// than text: outside any text object.
    fn mark(&mut self, buf: &mut Vec<u8>, tree: &StructTree, marks: &mut Vec<NodeId>) {
        self.end_text(buf);
        if self.open == Some(self.wanted) {
            return;
        }
        if self.open.is_some() {
            buf.extend_from_slice(b"EMC\n");
        }
        self.open_in_text = false;
        self.begin(buf, tree, marks);
    }

    /// Makes the wanted tag's sequence the open one for text, in an open
    /// text object: a sequence opened for text stays inside it.
    fn mark_text(&mut self, buf: &mut Vec<u8>, tree: &StructTree, marks: &mut Vec<NodeId>) {
        if self.open == Some(self.wanted) {
            self.begin_text(buf);
            return;
        }
        if self.open.is_some() {
            // A sequence begun outside the text object ends outside it.
            if !self.open_in_text {
                self.end_text(buf);
            }
            buf.extend_from_slice(b"EMC\n");
            self.open = None;
        }
        self.begin_text(buf);
        self.open_in_text = true;
        self.begin(buf, tree, marks);
    }

    fn begin_text(&mut self, buf: &mut Vec<u8>) {
        if !self.in_text {
            buf.extend_from_slice(b"BT\n");
            self.in_text = true;
            // BT makes the text matrix the identity.
            self.origin = Some((0, 0));
        }
    }

    /// Opens the wanted tag's sequence.
    fn begin(&mut self, buf: &mut Vec<u8>, tree: &StructTree, marks: &mut Vec<NodeId>) {
        match self.wanted {
            Tag::Node(node) => {
                let role = tree.get(node).map_or("Span", |n| role_name(n.kind));
                buf.push(b'/');
                buf.extend_from_slice(role.as_bytes());
                buf.extend_from_slice(b" <</MCID ");
                super::encoding::push_int(buf, marks.len() as i64);
                buf.extend_from_slice(b">>BDC\n");
                marks.push(node);
            }
            Tag::Artifact(kind) => buf.extend_from_slice(artifact(kind)),
        }
        self.open = Some(self.wanted);
    }

    /// Ends the text object, and first the sequence begun inside it.
    fn end_text(&mut self, buf: &mut Vec<u8>) {
        if self.in_text {
            if self.open.is_some() && self.open_in_text {
                buf.extend_from_slice(b"EMC\n");
                self.open = None;
                self.open_in_text = false;
            }
            buf.extend_from_slice(b"ET\n");
            self.in_text = false;
        }
    }

    /// Sets up a synthesized bold of outline stroke `width` (pt; 0: none)
    /// in `fill`: `G`/`RG` (stroke colour), `w` (line width) and `2 Tr`
    /// (fill and stroke glyphs); back to `0 Tr` for a face of its own. The
    /// line width is in user space, so it does not follow `Tz` or the shear.
    fn set_bold(&mut self, buf: &mut Vec<u8>, width: f64, fill: Fill) {
        let want = (width > 0.0 && width.is_finite()).then_some((width, fill));
        if want == self.bold {
            return;
        }
        match want {
            Some((width, fill)) => {
                fill.push(buf, true);
                buf.push(b' ');
                push_num(buf, width, STROKE_DECIMALS);
                buf.extend_from_slice(b" w 2 Tr\n");
            }
            None => buf.extend_from_slice(b"0 Tr\n"),
        }
        self.bold = want;
    }

    fn set_fill(&mut self, buf: &mut Vec<u8>, fill: Fill) {
        let fill = match fill {
            Fill::Gray(g) if !g.is_finite() => Fill::Gray(0.0),
            Fill::Gray(g) => Fill::Gray(g.clamp(0.0, 1.0)),
            rgb => rgb,
        };
        if fill != self.fill {
            fill.push(buf, false);
            buf.push(b'\n');
            self.fill = fill;
        }
    }
}

/// The opening of an artifact's marked-content sequence (ISO 32000-1,
/// 14.8.2.2.2): pagination artifacts say which, layout ones need nothing.
fn artifact(kind: ArtifactKind) -> &'static [u8] {
    match kind {
        ArtifactKind::Header => b"/Artifact <</Type/Pagination/Subtype/Header>>BDC\n",
        ArtifactKind::Footer => b"/Artifact <</Type/Pagination/Subtype/Footer>>BDC\n",
        ArtifactKind::Pagination => b"/Artifact <</Type/Pagination>>BDC\n",
        ArtifactKind::Layout => b"/Artifact <</Type/Layout>>BDC\n",
    }
}

/// A key for everything [`write_page`] reads of a page: its height, its
/// items (links aside: they are annotations, not content), the kind of each
/// structure node it marks, and the resource of each image. With the
/// state of the document's fonts before the page
/// ([`FontSet::fingerprint`]), two pages of the same key have the same
/// content stream, marks and new glyph codes. Structs are taken apart field
/// by field, so a field added to the frame does not compile until it is
/// hashed here.
pub(super) fn page_key(height: Pt, items: &[Item], tree: &StructTree, images: &ImageSet) -> u64 {
    /// One lane of FxHash.
    #[inline]
    fn mix(lane: u64, v: u64) -> u64 {
        (lane.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
    }
    use crate::typeset::frame::{PlacedImage, Rect, TextRun};
    use std::hash::Hasher;
    let mut h = crate::fonts::hash::FxHasher::default();
    let pt = |h: &mut crate::fonts::hash::FxHasher, p: Pt| h.write_u64(p.0.to_bits());
    pt(&mut h, height);
    h.write_usize(items.len());
    for item in items {
        match item {
            Item::Tag(Tag::Node(node)) => {
                h.write_u8(0);
                h.write_u32(node.0);
                h.write(tree.get(*node).map_or("", |n| role_name(n.kind)).as_bytes());
            }
            Item::Tag(Tag::Artifact(kind)) => {
                h.write_u8(1);
                h.write(artifact(*kind));
            }
            Item::Text(TextRun {
                font,
                size,
                baseline,
                gray,
                color,
                text,
                glyphs,
                offsets,
                h_scale,
            }) => {
                h.write_u8(2);
                h.write_usize(font.0);
                pt(&mut h, *size);
                pt(&mut h, *baseline);
                h.write_u32(gray.to_bits());
                h.write_u32(
                    color.map_or(u32::MAX, |Rgb(r, g, b)| u32::from_be_bytes([0, r, g, b])),
                );
                h.write_u32(h_scale.to_bits());
                h.write_usize(text.len());
                h.write(text.as_bytes());
                h.write_usize(glyphs.len());
                // Two lanes hashed side by side: the glyphs are most of
                // a page.
                let mut lanes = [0u64; 2];
                for &Glyph {
                    x,
                    advance,
                    id,
                    text_len,
                } in glyphs
                {
                    lanes[0] = mix(
                        lanes[0],
                        u64::from(id)
                            | (u64::from(text_len) << 16)
                            | (u64::from(advance.to_bits()) << 32),
                    );
                    lanes[1] = mix(lanes[1], x.0.to_bits());
                }
                for lane in lanes {
                    h.write_u64(lane);
                }
                h.write_usize(offsets.len());
                for &(at, dy) in offsets {
                    h.write_u32(at);
                    pt(&mut h, dy);
                }
            }
            Item::Rect(Rect {
                x,
                y,
                width,
                height,
                gray,
            }) => {
                h.write_u8(3);
                for v in [x, y, width, height] {
                    pt(&mut h, *v);
                }
                h.write_u32(gray.to_bits());
            }
            Item::Image(PlacedImage {
                path,
                x,
                y,
                width,
                height,
                alt: _,
            }) => {
                h.write_u8(4);
                h.write_usize(images.resource(path).map_or(usize::MAX, |i| i + 1));
                for v in [x, y, width, height] {
                    pt(&mut h, *v);
                }
            }
            Item::Link(_) => {}
        }
    }
    h.finish()
}
