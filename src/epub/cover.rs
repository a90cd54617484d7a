//! A generated cover for books that configure none: an SVG with the title,
//! subtitle and authors set in the book's own fonts.
//!
//! Place in the pipeline: called by [`super::build`] when `meta.cover` is
//! `None`. The text is shaped with the typesetter's [`Fonts`] (kerning and
//! ligatures as in the PDF) and every glyph is written as its outline
//! (`<path>`), so no font has to be embedded and every reader that shows
//! SVG shows the cover exactly. What the book's fonts lack is set in the
//! font layer's fallback faces, as in the PDF; a synthesized bold is
//! stroked and a synthesized italic sheared here too. Without usable font
//! files the text is written as SVG `<text>` in a generic serif instead.
//!
//! Stores and Kindle conversion want a raster cover: [`cover_png`] renders
//! the SVG (resvg) at [`RASTER_SIZE`]. The SVG's text is already outlines,
//! so the renderer needs no fonts.

use crate::fonts::{Face, FallbackSettings, FontFiles, FontSet};
use crate::labels::Label;
use crate::model::Metadata;
use crate::units::Pt;

use skrifa::instance::{LocationRef, Size};
use skrifa::outline::{DrawSettings, OutlinePen};
use skrifa::{FontRef, GlyphId, MetadataProvider};

use super::escape;

/// Cover size in SVG user units: 1600 × 2560, the 1:1.6 portrait ratio
/// stores and Kindle recommend.
const WIDTH: f64 = 1600.0;
const HEIGHT: f64 = 2560.0;
/// Left and right margin of the text block.
const MARGIN: f64 = 170.0;
/// Title size, and the smallest it may shrink to so a long word fits.
const TITLE_SIZE: f64 = 150.0;
const MIN_TITLE_SIZE: f64 = 70.0;
/// Most title lines before the size shrinks.
const MAX_TITLE_LINES: usize = 6;
const SUBTITLE_SIZE: f64 = 72.0;
const AUTHOR_SIZE: f64 = 80.0;
/// Baseline-to-baseline distance as a multiple of the size.
const LINE_SPACING: f64 = 1.18;
/// Where the title block starts (top of its first line) and where the
/// authors' last baseline sits.
const TITLE_TOP: f64 = 620.0;
const AUTHORS_BOTTOM: f64 = 2180.0;
/// The rule above the authors: its top and width.
const RULE_Y: f64 = 1900.0;
const RULE_WIDTH: f64 = 240.0;
/// Colours: dark ink on a warm paper tone, a frame in a muted red.
const PAPER: &str = "#f3ede1";
const INK: &str = "#1f1a17";
const ACCENT: &str = "#8c2f23";

/// One line of cover text, as set.
struct Line {
    text: String,
    face: Face,
    size: f64,
    baseline: f64,
}

/// Measures text; the real fonts when there are any, else an estimate.
enum Measure {
    Fonts(Box<FontSet>),
    /// Average advance of a serif text face, in ems, for the fallback.
    Estimate,
}

/// Average character width of a serif face in ems (for the `<text>`
/// fallback, whose real width the reader decides).
const ESTIMATED_EM_PER_CHAR: f64 = 0.5;

impl Measure {
    fn width(&mut self, text: &str, face: Face, size: f64) -> f64 {
        match self {
            Measure::Fonts(fonts) => fonts.width(text, face, Pt(size)).0,
            Measure::Estimate => text.chars().count() as f64 * size * ESTIMATED_EM_PER_CHAR,
        }
    }
}

/// Greedy line breaking of `text` to `max` wide.
fn break_lines(m: &mut Measure, text: &str, face: Face, size: f64, max: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        if current.is_empty() || m.width(&candidate, face, size) <= max {
            current = candidate;
        } else {
            lines.push(std::mem::replace(&mut current, word.to_string()));
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// The title's size and lines: the largest size (down to the minimum) at
/// which every word fits the measure and the lines are few enough.
fn fit_title(m: &mut Measure, title: &str, max: f64) -> (f64, Vec<String>) {
    let mut size = TITLE_SIZE;
    loop {
        let lines = break_lines(m, title, Face::Bold, size, max);
        let fits = lines.len() <= MAX_TITLE_LINES
            && lines.iter().all(|l| m.width(l, Face::Bold, size) <= max);
        if fits || size <= MIN_TITLE_SIZE {
            return (size, lines);
        }
        size = (size * 0.9).max(MIN_TITLE_SIZE);
    }
}

/// Lays out the cover's lines.
fn layout(m: &mut Measure, meta: &Metadata) -> Vec<Line> {
    let max = WIDTH - 2.0 * MARGIN;
    let mut lines = Vec::new();
    let title = meta.title.trim();
    let (size, title_lines) = fit_title(m, title, max);
    let mut baseline = TITLE_TOP + size;
    for text in title_lines {
        lines.push(Line {
            text,
            face: Face::Bold,
            size,
            baseline,
        });
        baseline += size * LINE_SPACING;
    }
    if let Some(subtitle) = meta.subtitle.as_deref().map(str::trim) {
        baseline += SUBTITLE_SIZE * 0.8;
        for text in break_lines(m, subtitle, Face::Italic, SUBTITLE_SIZE, max) {
            lines.push(Line {
                text,
                face: Face::Italic,
                size: SUBTITLE_SIZE,
                baseline,
            });
            baseline += SUBTITLE_SIZE * LINE_SPACING;
        }
    }
    let authors = named_authors(meta);
    let mut author_lines = Vec::new();
    for author in authors {
        author_lines.extend(break_lines(m, author, Face::Regular, AUTHOR_SIZE, max));
    }
    let step = AUTHOR_SIZE * LINE_SPACING;
    let mut baseline = AUTHORS_BOTTOM - step * author_lines.len().saturating_sub(1) as f64;
    for text in author_lines {
        lines.push(Line {
            text,
            face: Face::Regular,
            size: AUTHOR_SIZE,
            baseline,
        });
        baseline += step;
    }
    lines
}

/// Writes SVG path data for glyph outlines, moved to a pen position and
/// flipped (font y goes up, SVG y down). Coordinates are rounded to a
/// tenth of a unit: far below a pixel, and the same on every build.
struct SvgPath<'a> {
    d: &'a mut String,
    x: f64,
    y: f64,
    /// Shear of a synthesized italic (x grows with y).
    slant: f64,
}

impl SvgPath<'_> {
    fn point(&mut self, x: f32, y: f32) {
        let px = self.x + f64::from(x) + self.slant * f64::from(y);
        let py = self.y - f64::from(y);
        self.d.push_str(&format!("{} {}", tenth(px), tenth(py)));
    }
}

/// A number rounded to one decimal, without a trailing `.0`.
fn tenth(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

impl OutlinePen for SvgPath<'_> {
    fn move_to(&mut self, x: f32, y: f32) {
        self.d.push('M');
        self.point(x, y);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.d.push('L');
        self.point(x, y);
    }
    fn quad_to(&mut self, cx0: f32, cy0: f32, x: f32, y: f32) {
        self.d.push('Q');
        self.point(cx0, cy0);
        self.d.push(' ');
        self.point(x, y);
    }
    fn curve_to(&mut self, cx0: f32, cy0: f32, cx1: f32, cy1: f32, x: f32, y: f32) {
        self.d.push('C');
        self.point(cx0, cy0);
        self.d.push(' ');
        self.point(cx1, cy1);
        self.d.push(' ');
        self.point(x, y);
    }
    fn close(&mut self) {
        self.d.push('Z');
    }
}

/// Path data of one line of text set in `fonts`, centred: one (data,
/// stroke width) per stretch of one face, the stroke drawing a
/// synthesized bold (0: none).
fn line_path(fonts: &mut FontSet, line: &Line) -> Option<Vec<(String, f64)>> {
    let width = fonts.width(&line.text, line.face, Pt(line.size)).0;
    let x = (WIDTH - width) / 2.0;
    // Usually one run; more where a fallback face sets what the face lacks.
    let runs = fonts.run(
        &line.text,
        line.face,
        Pt(line.size),
        Pt(x),
        Pt(line.baseline),
        0.0,
    );
    let data = fonts.data();
    let settings = || DrawSettings::unhinted(Size::new(line.size as f32), LocationRef::default());
    let mut out: Vec<(String, f64)> = Vec::new();
    for run in &runs {
        let font_data = data.get(run.font.0)?;
        let font = FontRef::from_index(font_data.bytes.as_slice(), font_data.index).ok()?;
        let stroke = f64::from(font_data.synthetic_bold) * line.size;
        let mut d = String::new();
        let outlines = font.outline_glyphs();
        for (index, glyph) in run.glyphs.iter().enumerate() {
            let Some(outline) = outlines.get(GlyphId::new(u32::from(glyph.id))) else {
                continue;
            };
            let mut pen = SvgPath {
                d: &mut d,
                x: glyph.x.0,
                y: line.baseline - run.y_offset(index).0,
                slant: f64::from(font_data.synthetic_slant),
            };
            // A glyph that cannot be drawn is left out; the rest still reads.
            let _ = outline.draw(settings(), &mut pen);
        }
        match out.last_mut() {
            Some((last, s)) if *s == stroke => last.push_str(&d),
            _ => out.push((d, stroke)),
        }
    }
    Some(out)
}

/// The cover as an SVG document, with its text in `fonts` (and what they
/// lack in the faces `fallback` finds) when given.
pub fn cover_svg(
    meta: &Metadata,
    fonts: Option<&FontFiles>,
    fallback: &FallbackSettings,
) -> String {
    let loaded = fonts.and_then(|f| FontSet::load(f, fallback, &meta.language).ok());
    let mut measure = match loaded {
        Some(fonts) => Measure::Fonts(Box::new(fonts)),
        None => Measure::Estimate,
    };
    let lines = layout(&mut measure, meta);
    let label = cover_label(meta);
    let mut svg = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    svg.push_str(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
         width=\"{WIDTH}\" height=\"{HEIGHT}\" role=\"img\" aria-label=\"{}\">\n<title>{}</title>\n",
        escape::attr(&label),
        escape::text(&label)
    ));
    svg.push_str(&format!(
        "<rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"{PAPER}\"/>\n\
         <rect x=\"80\" y=\"80\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"{ACCENT}\" stroke-width=\"8\"/>\n\
         <rect x=\"104\" y=\"104\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"{ACCENT}\" stroke-width=\"2\"/>\n",
        WIDTH - 160.0,
        HEIGHT - 160.0,
        WIDTH - 208.0,
        HEIGHT - 208.0
    ));
    // A short rule between the title block and the authors.
    if lines.iter().any(|l| l.face == Face::Regular) {
        svg.push_str(&format!(
            "<rect x=\"{}\" y=\"{RULE_Y}\" width=\"{RULE_WIDTH}\" height=\"6\" fill=\"{ACCENT}\"/>\n",
            (WIDTH - RULE_WIDTH) / 2.0
        ));
    }
    for line in &lines {
        let paths = match &mut measure {
            Measure::Fonts(fonts) => line_path(fonts, line),
            Measure::Estimate => None,
        };
        match paths {
            Some(paths) if paths.iter().any(|(d, _)| !d.is_empty()) => {
                for (d, stroke) in paths.iter().filter(|(d, _)| !d.is_empty()) {
                    if *stroke > 0.0 {
                        svg.push_str(&format!(
                            "<path fill=\"{INK}\" stroke=\"{INK}\" stroke-width=\"{}\" stroke-linejoin=\"round\" d=\"{d}\"/>\n",
                            tenth(*stroke)
                        ));
                    } else {
                        svg.push_str(&format!("<path fill=\"{INK}\" d=\"{d}\"/>\n"));
                    }
                }
            }
            _ => {
                let (weight, style) = match line.face {
                    Face::Bold => ("bold", "normal"),
                    Face::Italic => ("normal", "italic"),
                    _ => ("normal", "normal"),
                };
                svg.push_str(&format!(
                    "<text x=\"{}\" y=\"{}\" font-family=\"serif\" font-size=\"{}\" font-weight=\"{weight}\" font-style=\"{style}\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>\n",
                    WIDTH / 2.0,
                    tenth(line.baseline),
                    tenth(line.size),
                    escape::text(&line.text)
                ));
            }
        }
    }
    svg.push_str("</svg>\n");
    svg
}

/// Pixels of the raster cover: the 1:1.6 shape Kindle asks, 2,500 px
/// high (Kindle's "at least 2,500"), 1,563 wide (over Apple's 1,400 on the
/// short side) — 3.9 million pixels, under the 4 million Apple Books
/// accepts for any image in a book, which Kindle's 1600 × 2560 ideal
/// (4.1 million) is not. See docs/stores.md.
pub const RASTER_SIZE: (u32, u32) = (1563, 2500);

/// The cover SVG rendered as an opaque RGB PNG of [`RASTER_SIZE`]; `None`
/// if it cannot be rendered (an SVG with `<text>`, written when the book
/// has no usable font, needs fonts the renderer does not have).
pub fn cover_png(svg: &str) -> Option<Vec<u8>> {
    if svg.contains("<text") {
        return None;
    }
    let tree = resvg::usvg::Tree::from_str(svg, &resvg::usvg::Options::default()).ok()?;
    let (w, h) = RASTER_SIZE;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h)?;
    let (sx, sy) = (
        w as f32 / tree.size().width(),
        h as f32 / tree.size().height(),
    );
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(sx, sy),
        &mut pixmap.as_mut(),
    );
    // The paper colour fills the cover, so every pixel is opaque and its
    // premultiplied colour is its colour: alpha is dropped.
    let rgb: Vec<u8> = pixmap
        .data()
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().ok()?;
    writer.write_image_data(&rgb).ok()?;
    writer.finish().ok()?;
    Some(out)
}

/// What the cover says, as alternative text: "Title: Subtitle, by A and B".
pub fn cover_label(meta: &Metadata) -> String {
    let mut label = meta.title.trim().to_string();
    if let Some(subtitle) = meta.subtitle.as_deref().map(str::trim) {
        if !subtitle.is_empty() {
            label.push_str(": ");
            label.push_str(subtitle);
        }
    }
    let authors = named_authors(meta);
    if !authors.is_empty() {
        let labels = &meta.labels;
        label.push_str(labels.get(Label::ListSeparator));
        label.push_str(&labels.fill(Label::By, &labels.list(&authors)));
    }
    label
}

/// The book's authors, trimmed, leaving out empty names.
fn named_authors(meta: &Metadata) -> Vec<&str> {
    meta.authors
        .iter()
        .map(|a| a.trim())
        .filter(|a| !a.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::typeset::fonts::tests::{test_fallback, test_font_files as files};

    fn meta(title: &str) -> Metadata {
        Metadata {
            title: title.into(),
            subtitle: Some("A Subtitle".into()),
            authors: vec!["Ann Author".into(), "Bo Writer".into()],
            language: "en".into(),
            identifier: "urn:x".into(),
            date: None,
            modified_epoch: 0,
            publisher: None,
            rights: None,
            description: None,
            subjects: vec![],
            cover: None,
            toc_depth: 2,
            labels: Default::default(),
        }
    }

    #[test]
    fn text_becomes_outlines_and_long_titles_wrap() {
        let long = "The Extraordinarily Long and Winding Title of a Book That Never Seems to End";
        let svg = cover_svg(&meta(long), Some(&files()), &test_fallback());
        let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
        let paths: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("path"))
            .collect();
        // Several title lines, the subtitle and two authors: all outlines.
        assert!(paths.len() >= 6, "{} paths", paths.len());
        assert!(!svg.contains("<text"), "no text fallback with fonts");
        for p in &paths {
            let d = p.attribute("d").unwrap();
            assert!(d.starts_with('M') && d.contains('Z'), "{d}");
        }
        // Every point stays on the cover.
        for p in &paths {
            for n in p
                .attribute("d")
                .unwrap()
                .split(|c: char| c.is_ascii_alphabetic() || c == ' ')
                .filter(|s| !s.is_empty())
                .map(|s| s.parse::<f64>().unwrap())
            {
                assert!((-50.0..=HEIGHT).contains(&n), "{n}");
            }
        }
        assert!(svg.contains("by Ann Author and Bo Writer"));
        assert_eq!(
            svg,
            cover_svg(&meta(long), Some(&files()), &test_fallback()),
            "deterministic"
        );
    }

    #[test]
    fn the_raster_cover_is_a_png_of_the_stores_size() {
        let svg = cover_svg(&meta("A Title"), Some(&files()), &test_fallback());
        let png = cover_png(&svg).expect("renders");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let size = crate::source::image::dimensions_of(&png).unwrap();
        assert_eq!(size, (1563, 2500));
        assert!(png.len() < 400_000, "{} bytes", png.len());
        assert_eq!(Some(png), cover_png(&svg), "deterministic");
    }

    #[test]
    fn without_fonts_text_is_written_as_text() {
        let svg = cover_svg(&meta("Short & <Sweet>"), None, &test_fallback());
        roxmltree::Document::parse(&svg).expect("well-formed SVG");
        assert!(svg.contains(">Short &amp; &lt;Sweet&gt;</text>"), "{svg}");
    }

    #[test]
    fn a_long_word_shrinks_the_title() {
        let mut m = Measure::Fonts(Box::new(
            FontSet::load(&files(), &test_fallback(), "en").unwrap(),
        ));
        let (size, lines) = fit_title(
            &mut m,
            "Pneumonoultramicroscopicsilicovolcanoconiosis",
            WIDTH - 2.0 * MARGIN,
        );
        assert!(size < TITLE_SIZE, "{size}");
        assert_eq!(lines.len(), 1);
    }
}
