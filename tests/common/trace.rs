//! What a PDF draws, as `mutool trace` (mupdf-tools) reports it: every
//! glyph with its font, name, text and place, and every image. The tests
//! read pages through this rather than through our own writer's data, so
//! they see what a viewer sees.

use std::path::Path;

use super::{stdout, tool};

/// One glyph drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct TracedGlyph {
    pub font: String,
    /// The glyph's name in the font (`.notdef` for a box).
    pub name: String,
    /// The text it stands for (from the ToUnicode map).
    pub unicode: String,
    /// Origin in PDF user space (y up from the page's bottom).
    pub x: f64,
    pub y: f64,
    /// Font size (the text matrix's scale).
    pub size: f64,
    /// Advance width in points.
    pub advance: f64,
}

impl TracedGlyph {
    /// The glyph's box (x0, y0, x1, y1), y up: its advance wide, from a
    /// fifth of the size below the baseline to seven tenths above (the body
    /// of most letters; accents and descenders of neighbouring lines may
    /// touch without it counting as overprint).
    pub fn bbox(&self) -> (f64, f64, f64, f64) {
        (
            self.x,
            self.y - 0.2 * self.size,
            self.x + self.advance.max(0.0),
            self.y + 0.7 * self.size,
        )
    }
}

/// An image drawn, with its box in user space (y up).
#[derive(Debug, Clone, PartialEq)]
pub struct TracedImage {
    pub bbox: (f64, f64, f64, f64),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TracedPage {
    /// 1-based.
    pub number: usize,
    pub width: f64,
    pub height: f64,
    pub glyphs: Vec<TracedGlyph>,
    pub images: Vec<TracedImage>,
}

/// Reads `mutool trace` of the whole document.
pub fn trace(pdf: &Path) -> Vec<TracedPage> {
    let o = tool("mutool", &["trace", pdf.to_str().unwrap()]);
    assert!(
        o.status.success(),
        "mutool trace failed (install mupdf-tools: scripts/install-test-tools.sh): {}",
        String::from_utf8_lossy(&o.stderr)
    );
    parse(&stdout(&o))
}

fn attr<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = line.find(&key)? + key.len();
    let end = line[start..].find('"')? + start;
    Some(&line[start..end])
}

fn numbers(s: &str) -> Vec<f64> {
    s.split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Parses the trace: pages, spans (font and size), glyphs, images.
pub fn parse(trace: &str) -> Vec<TracedPage> {
    let mut pages: Vec<TracedPage> = Vec::new();
    let mut font = String::new();
    let mut size = 0.0;
    for line in trace.lines() {
        let l = line.trim_start();
        if l.starts_with("<page ") {
            let mb = attr(l, "mediabox").map(numbers).unwrap_or_default();
            let (w, h) = match mb.as_slice() {
                [x0, y0, x1, y1] => (x1 - x0, y1 - y0),
                _ => (0.0, 0.0),
            };
            pages.push(TracedPage {
                number: attr(l, "number")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(pages.len() + 1),
                width: w,
                height: h,
                ..TracedPage::default()
            });
        } else if l.starts_with("<span ") {
            font = attr(l, "font").unwrap_or("").to_string();
            let trm = attr(l, "trm").map(numbers).unwrap_or_default();
            // The text matrix's vertical scale is the size (its horizontal
            // one includes font expansion).
            size = trm.get(3).or(trm.first()).copied().unwrap_or(0.0).abs();
        } else if l.starts_with("<g ") {
            let Some(page) = pages.last_mut() else {
                continue;
            };
            let num = |k: &str| {
                attr(l, k)
                    .and_then(|v| v.parse::<f64>().ok())
                    .unwrap_or(0.0)
            };
            page.glyphs.push(TracedGlyph {
                font: font.clone(),
                name: attr(l, "glyph").map(unescape).unwrap_or_default(),
                unicode: attr(l, "unicode").map(unescape).unwrap_or_default(),
                x: num("x"),
                y: num("y"),
                size,
                advance: num("adv") * size,
            });
        } else if l.starts_with("<fill_image ") {
            let Some(page) = pages.last_mut() else {
                continue;
            };
            // The image is the unit square under `transform` (device
            // space, y down from the page top as mutool gives it).
            let t = attr(l, "transform").map(numbers).unwrap_or_default();
            if let [a, b, c, d, e, f] = t.as_slice() {
                let xs = [*e, e + a, e + c, e + a + c];
                let ys = [*f, f + b, f + d, f + b + d];
                let (x0, x1) = (
                    xs.iter().copied().fold(f64::INFINITY, f64::min),
                    xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                );
                let (y0, y1) = (
                    ys.iter().copied().fold(f64::INFINITY, f64::min),
                    ys.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                );
                // To user space, y up.
                let h = page.height;
                page.images.push(TracedImage {
                    bbox: (x0, h - y1, x1, h - y0),
                });
            }
        }
    }
    pages
}

/// What lies outside its page or on top of other text, in a form a test
/// failure can show.
#[derive(Debug, Default)]
pub struct Placement {
    pub off_page: Vec<String>,
    pub overprint: Vec<String>,
    pub notdef: Vec<String>,
}

impl Placement {
    pub fn is_clean(&self) -> bool {
        self.off_page.is_empty() && self.overprint.is_empty() && self.notdef.is_empty()
    }
}

/// How far past the page edge a glyph may reach (rounding, hanging
/// punctuation is well inside) before it counts as off the page.
const EDGE: f64 = 0.5;
/// Two glyphs of different lines overprint when their boxes share more
/// than this share of the smaller one.
const OVERLAP_SHARE: f64 = 0.3;

/// Checks every page: no glyph or image off the page, no glyph drawn over
/// a glyph of another line, no `.notdef`.
pub fn placement(pages: &[TracedPage]) -> Placement {
    let mut out = Placement::default();
    for p in pages {
        let text =
            |g: &TracedGlyph| format!("p.{} {:?} at ({:.1}, {:.1})", p.number, g.unicode, g.x, g.y);
        for g in &p.glyphs {
            if g.name == ".notdef" {
                out.notdef.push(text(g));
            }
            let (x0, y0, x1, y1) = g.bbox();
            if x0 < -EDGE || y0 < -EDGE || x1 > p.width + EDGE || y1 > p.height + EDGE {
                out.off_page.push(text(g));
            }
        }
        for img in &p.images {
            let (x0, y0, x1, y1) = img.bbox;
            if x0 < -EDGE || y0 < -EDGE || x1 > p.width + EDGE || y1 > p.height + EDGE {
                out.off_page
                    .push(format!("p.{} image at {:?}", p.number, img.bbox));
            }
        }
        // Glyphs by baseline: only neighbours within a size of each other
        // can touch.
        let mut glyphs: Vec<&TracedGlyph> = p
            .glyphs
            .iter()
            .filter(|g| !g.unicode.trim().is_empty() && g.advance > 0.0)
            .collect();
        glyphs.sort_by(|a, b| a.y.total_cmp(&b.y));
        for (i, a) in glyphs.iter().enumerate() {
            for b in &glyphs[i + 1..] {
                let reach = a.size.max(b.size);
                if b.y - a.y > reach {
                    break;
                }
                // Same line (or a super/subscript on it): not overprint.
                if (b.y - a.y).abs() < 0.5 * reach {
                    continue;
                }
                let (ax0, ay0, ax1, ay1) = a.bbox();
                let (bx0, by0, bx1, by1) = b.bbox();
                let w = ax1.min(bx1) - ax0.max(bx0);
                let h = ay1.min(by1) - ay0.max(by0);
                if w <= 0.0 || h <= 0.0 {
                    continue;
                }
                let smaller = ((ax1 - ax0) * (ay1 - ay0)).min((bx1 - bx0) * (by1 - by0));
                if smaller > 0.0 && w * h > OVERLAP_SHARE * smaller {
                    out.overprint.push(format!("{} over {}", text(a), text(b)));
                }
            }
        }
    }
    out
}
