//! The e-book stores' rules: Kindle, Kobo, Apple Books, Google Play
//! Books. Each problem is located where the author can fix it: a setting
//! at its line in book.yaml (or book.toml), a picture at the Markdown that
//! shows it, a heading too deep for the contents at the heading, a CSS
//! rule at its line of the stylesheet.

use std::sync::Arc;

use crate::diag::{Location, Severity, SourceFile};
use crate::model::BlockKind;
use crate::LoadedBook;

use super::facts::{self, Picture, Use};
use super::rules::*;
use super::{finding, Finding, Locate, Target};

/// Runs every e-book rule for `targets`; `epub_bytes` is the built EPUB's size.
pub fn check(loaded: &LoadedBook, targets: &[Target], epub_bytes: u64, out: &mut Vec<Finding>) {
    let uses = facts::pictures(loaded);
    for &t in targets {
        metadata(loaded, t, out);
        cover(loaded, t, out);
        toc(loaded, t, out);
        pictures(loaded, &uses, t, out);
        book_size(loaded, t, epub_bytes, out);
        fonts(loaded, t, out);
    }
    if targets.contains(&Target::Kindle) {
        kindle_css(loaded, out);
    }
}

/// Where a book-level setting is, or would go: its key, else the title's.
fn setting(loaded: &LoadedBook, keys: &[&str]) -> Location {
    let mut all: Vec<&str> = keys.to_vec();
    all.extend(["title", "book.title", "book"]);
    loaded.config.keys.locate(&all)
}

pub(super) fn metadata(loaded: &LoadedBook, t: Target, out: &mut Vec<Finding>) {
    let c = &loaded.config;
    if c.title.trim().is_empty() {
        out.push(
            finding(
                "metadata-title",
                t,
                Severity::Error,
                "the book has no title".into(),
            )
            .at(setting(loaded, &[]))
            .hint("set `title:`"),
        );
    }
    if c.authors.iter().all(|a| a.trim().is_empty()) {
        out.push(
            finding(
                "metadata-author",
                t,
                Severity::Error,
                format!("the book names no author; {} asks for one", t.store()),
            )
            .at(setting(loaded, &["authors", "author", "book.authors"]))
            .hint("add `authors: [Your Name]` (book.toml: `authors = [\"Your Name\"]`)"),
        );
    }
    if t.is_print() {
        // Language and identifier are the e-book's package metadata.
        return;
    }
    let written = ["language", "lang", "book.language"]
        .iter()
        .any(|k| c.keys.find(k).is_some());
    if !written {
        out.push(
            finding(
                "metadata-language",
                t,
                Severity::Warning,
                format!(
                    "the book does not say its language; Folio assumes `{}`",
                    c.language
                ),
            )
            .at(setting(loaded, &[]))
            .hint("add `language: en` (or the book's BCP 47 tag); stores file the book by it"),
        );
    }
    if c.identifier.trim().is_empty() {
        out.push(
            finding(
                "metadata-identifier",
                t,
                Severity::Error,
                "the book has no identifier".into(),
            )
            .at(setting(loaded, &["identifier"]))
            .hint("set `identifier: urn:isbn:…`, or leave it out for a generated one"),
        );
    }
}

fn cover(loaded: &LoadedBook, t: Target, out: &mut Vec<Finding>) {
    let Some(path) = &loaded.book.meta.cover else {
        // Folio's generated cover: a PNG of `RASTER_SIZE`, made to pass
        // every store's rule.
        return;
    };
    let at = loaded.config.keys.locate(&["cover", "cover-image"]);
    let Some(pic) = Picture::read(path) else {
        out.push(
            finding(
                "cover-raster",
                t,
                Severity::Error,
                "the cover is not an image file".into(),
            )
            .at(at)
            .hint("export the cover as JPEG or PNG, 1600 × 2560 pixels"),
        );
        return;
    };
    if !pic.is_raster_for_stores() {
        out.push(
            finding(
                "cover-raster",
                t,
                Severity::Error,
                format!(
                    "the cover is {}; {} asks for a JPEG or PNG cover",
                    pic.kind.to_uppercase(),
                    t.store()
                ),
            )
            .at(at.clone())
            .hint("export the cover as JPEG or PNG, 1600 × 2560 pixels"),
        );
        return;
    }
    let (w, h) = (pic.width, pic.height);
    let (short, long) = (w.min(h), w.max(h));
    let size = format!("{w} × {h} pixels");
    let mut problem = |severity: Severity, message: String, hint: &str| {
        out.push(
            finding("cover-size", t, severity, message)
                .at(at.clone())
                .hint(hint.to_string()),
        );
    };
    match t {
        Target::Kindle => {
            let (min_short, min_long) = KINDLE_COVER_MIN;
            let (ideal_w, ideal_h) = KINDLE_COVER_IDEAL;
            if short < min_short || long < min_long {
                problem(
                    Severity::Error,
                    format!(
                        "the cover is {size}; Kindle refuses covers under {min_short} × {min_long}"
                    ),
                    "make the cover 1600 × 2560 pixels",
                );
            } else if long > KINDLE_COVER_MAX {
                problem(
                    Severity::Error,
                    format!(
                        "the cover is {size}; Kindle refuses sides over {KINDLE_COVER_MAX} pixels"
                    ),
                    "make the cover 1600 × 2560 pixels",
                );
            } else if h < ideal_h.min(2500) || w < ideal_w.min(1563) {
                problem(
                    Severity::Warning,
                    format!("the cover is {size}, smaller than Kindle's {ideal_w} × {ideal_h}; it looks soft on sharp screens"),
                    "make the cover 1600 × 2560 pixels (at least 2,500 high)",
                );
            }
        }
        Target::Apple => {
            if short < APPLE_COVER_MIN_SHORT {
                problem(
                    Severity::Error,
                    format!("the cover is {size}; Apple Books asks at least {APPLE_COVER_MIN_SHORT} pixels on the short side"),
                    "make the cover 1563 × 2500 pixels",
                );
            }
            if pic.pixels() > APPLE_MAX_PIXELS {
                problem(
                    Severity::Error,
                    format!("the cover is {size} ({} pixels); Apple Books refuses images over 4,000,000 pixels", thousands(pic.pixels())),
                    "make the cover 1563 × 2500 pixels: 1:1.6, under four million pixels",
                );
            }
        }
        Target::Google => {
            if short < GOOGLE_COVER_MIN || long > GOOGLE_COVER_MAX {
                problem(
                    Severity::Error,
                    format!("the cover is {size}; Google Play asks {GOOGLE_COVER_MIN} to {GOOGLE_COVER_MAX} pixels a side"),
                    "make the cover 1600 × 2560 pixels",
                );
            }
        }
        Target::Kobo => {
            if short < KOBO_COVER_MIN_SHORT {
                problem(
                    Severity::Warning,
                    format!("the cover is {size}; Kobo shows covers at up to {KOBO_COVER_MIN_SHORT} pixels wide"),
                    "make the cover 1600 × 2560 pixels",
                );
            }
        }
        Target::KdpPrint | Target::Ingram => {}
    }
}

fn toc(loaded: &LoadedBook, t: Target, out: &mut Vec<Finding>) {
    let flat = loaded.toc.flatten();
    // The contents follow the reading order (they are built from it; a
    // regression here would send readers backwards).
    if let Some(w) = flat.windows(2).find(|w| w[1].1.chapter < w[0].1.chapter) {
        out.push(finding(
            "toc-order",
            t,
            Severity::Error,
            format!(
                "the contents list `{}` before `{}`, against the reading order",
                w[0].1.label, w[1].1.label
            ),
        ));
    }
    if !matches!(t, Target::Kindle | Target::Apple) {
        return;
    }
    let limit = loaded.epub.nav_depth.map_or(usize::MAX, usize::from);
    let deep: Vec<_> = flat
        .iter()
        .filter(|(d, _)| *d >= MAX_TOC_LEVELS && *d < limit)
        .collect();
    let Some((_, entry)) = deep.first() else {
        return;
    };
    let levels = deep.iter().map(|(d, _)| d + 1).max().unwrap_or(0);
    let at = heading_location(loaded, entry.chapter, entry.id.as_deref());
    let mut f = finding(
        "toc-depth",
        t,
        Severity::Warning,
        format!(
            "the contents go {levels} levels deep; {} shows {MAX_TOC_LEVELS} well (`{}` is the first of {} deeper entries)",
            t.store(),
            entry.label,
            deep.len()
        ),
    )
    .hint(if loaded.config.keys.path().ends_with("book.toml") {
        // An mdBook book has no book.yaml to set it in.
        "the e-book's contents follow SUMMARY.md and the chapters' headings: keep them two levels deep there"
    } else {
        "set `epub: nav-depth: 2` in book.yaml to keep two levels in the e-book's contents"
    });
    if let Some(at) = at {
        f = f.at(at);
    }
    out.push(f);
}

/// Where a heading of the contents is written.
fn heading_location(loaded: &LoadedBook, chapter: usize, id: Option<&str>) -> Option<Location> {
    let ch = loaded.book.chapters.get(chapter)?;
    let Some(id) = id else {
        return Some(loaded.book.sources.locate(ch.span));
    };
    let mut found = None;
    crate::model::walk(
        &ch.blocks,
        &mut |b| {
            if let BlockKind::Heading(h) = &b.kind {
                if h.id == id && found.is_none() {
                    found = Some(b.span);
                }
            }
        },
        &mut |_| {},
    );
    found.map(|s| loaded.book.sources.locate(s))
}

fn pictures(loaded: &LoadedBook, uses: &[Use], t: Target, out: &mut Vec<Finding>) {
    let mut seen = std::collections::BTreeSet::new();
    for u in uses {
        if !seen.insert(u.picture.path.clone()) {
            continue;
        }
        let at = loaded.book.sources.locate(u.span);
        let name = u
            .picture
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if t == Target::Apple && u.picture.pixels() > APPLE_MAX_PIXELS {
            out.push(
                finding(
                    "image-pixels",
                    t,
                    Severity::Error,
                    format!(
                        "image `{name}` is {} × {} ({} pixels); Apple Books refuses images over 4,000,000 pixels",
                        u.picture.width,
                        u.picture.height,
                        thousands(u.picture.pixels())
                    ),
                )
                .at(at.clone())
                .hint("scale the image down to under four million pixels (2,000 × 2,000, say)"),
            );
        }
        if t == Target::Kindle && u.picture.bytes > KINDLE_MAX_IMAGE_BYTES {
            out.push(
                finding(
                    "image-file-size",
                    t,
                    Severity::Warning,
                    format!(
                        "image `{name}` is {:.1} MB; Kindle asks at most 5 MB an image",
                        u.picture.bytes as f64 / (1024.0 * 1024.0)
                    ),
                )
                .at(at)
                .hint("save it as JPEG, or scale it down"),
            );
        }
    }
}

fn book_size(loaded: &LoadedBook, t: Target, bytes: u64, out: &mut Vec<Finding>) {
    let limit = match t {
        Target::Kindle => KINDLE_MAX_BOOK_BYTES,
        Target::Apple => APPLE_MAX_BOOK_BYTES,
        Target::Google => GOOGLE_MAX_BOOK_BYTES,
        Target::Kobo => KOBO_MAX_BOOK_BYTES,
        _ => return,
    };
    if bytes > limit {
        out.push(
            finding(
                "book-size",
                t,
                Severity::Error,
                format!(
                    "the EPUB is {} MB; {} takes at most {} MB",
                    bytes / (1024 * 1024),
                    t.store(),
                    limit / (1024 * 1024)
                ),
            )
            .at(Location::file(&loaded.config.path))
            .hint("scale the pictures down: they are most of a book's size"),
        );
    }
}

fn fonts(loaded: &LoadedBook, t: Target, out: &mut Vec<Finding>) {
    if !loaded.config.epub.embed_fonts {
        return;
    }
    let f = &loaded.config.pdf.fonts;
    let mut files = vec![&f.regular, &f.italic, &f.bold, &f.bold_italic, &f.mono];
    files.sort();
    files.dedup();
    for path in files {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        if let Err(why) = facts::embedding(&bytes, 0) {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            out.push(
                finding(
                    "font-embedding",
                    t,
                    Severity::Error,
                    format!("font `{name}` may not be embedded: {why}"),
                )
                .at(loaded.config.keys.locate(&["epub.embed-fonts", "pdf.font-family"]))
                .hint("turn `epub: embed-fonts` off, or choose a font whose licence allows embedding (the OFL does)"),
            );
        }
    }
}

/// CSS Kindle's conversion rejects or mangles (Kindle Publishing
/// Guidelines, HTML and CSS guidelines): fixed and absolute positioning,
/// negative margins, padding, indents and line heights.
fn kindle_css(loaded: &LoadedBook, out: &mut Vec<Finding>) {
    let Some(path) = &loaded.config.epub.stylesheet else {
        return;
    };
    let Ok(text) = std::fs::read_to_string(path) else {
        return;
    };
    let shown = loaded
        .config
        .path
        .parent()
        .map(|d| d.join(path.strip_prefix(&loaded.config.root).unwrap_or(path)))
        .unwrap_or_else(|| path.clone());
    let file = Arc::new(SourceFile::new(shown, text));
    for (range, property, value) in declarations(&file.text) {
        let v = value.to_ascii_lowercase();
        let problem = match property.as_str() {
            "position" if v.contains("fixed") || v.contains("absolute") => Some((
                format!("`position: {value}` is not supported by Kindle's reflowable books"),
                "let the text flow: remove the positioning",
            )),
            "line-height" if v.trim_start().starts_with('-') => Some((
                format!("a negative `line-height` ({value}) is not supported by Kindle"),
                "use a positive line height",
            )),
            p if (p.starts_with("margin") || p.starts_with("padding") || p == "text-indent")
                && v.split_whitespace().any(|x| x.starts_with('-')) =>
            {
                Some((
                    format!("a negative `{p}` ({value}) can cut text off on Kindle"),
                    "avoid negative values; a hanging indent needs padding-left as large as the negative text-indent",
                ))
            }
            _ => None,
        };
        if let Some((message, hint)) = problem {
            out.push(
                finding("kindle-css", Target::Kindle, Severity::Warning, message)
                    .at(Location::range(Arc::clone(&file), range))
                    .hint(hint),
            );
        }
    }
}

/// `property: value` declarations of a stylesheet, with the byte range of
/// each (comments skipped).
fn declarations(css: &str) -> Vec<(std::ops::Range<usize>, String, String)> {
    // Comments become spaces, so offsets stay the file's.
    let mut clean: Vec<u8> = css.as_bytes().to_vec();
    let mut i = 0;
    while let Some(start) = css[i..].find("/*").map(|s| i + s) {
        let end = css[start + 2..]
            .find("*/")
            .map_or(css.len(), |e| start + 2 + e + 2);
        for b in &mut clean[start..end] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
        i = end;
        if i >= css.len() {
            break;
        }
    }
    let clean = String::from_utf8_lossy(&clean).into_owned();
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in clean.char_indices() {
        match c {
            '{' => {
                depth += 1;
                start = i + 1;
            }
            '}' | ';' => {
                if depth > 0 {
                    if let Some((p, v)) = clean[start..i].split_once(':') {
                        let lead = clean[start..i].len() - clean[start..i].trim_start().len();
                        let prop = p.trim().to_ascii_lowercase();
                        if !prop.is_empty() && !prop.contains(['{', '@']) {
                            out.push((start + lead..i, prop, v.trim().to_string()));
                        }
                    }
                }
                if c == '}' {
                    depth = depth.saturating_sub(1);
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    out
}

/// 4096000 → `4,096,000`.
fn thousands(n: u64) -> String {
    crate::diag::render::thousands(n as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_declarations_with_their_places() {
        let css = "p { margin: 0 -1em; /* position: fixed */ }\n.x{position:fixed}\n";
        let d = declarations(css);
        let names: Vec<&str> = d.iter().map(|(_, p, _)| p.as_str()).collect();
        assert_eq!(names, ["margin", "position"]);
        assert_eq!(&css[d[0].0.clone()], "margin: 0 -1em");
        assert_eq!(&css[d[1].0.clone()], "position:fixed");
    }
}
