//! The optional user stylesheet: its local `url(…)` references (fonts,
//! images) are packaged and rewritten to their names inside the EPUB, so a
//! stylesheet that brings its own fonts just works.
//!
//! References the EPUB cannot satisfy — remote files (they would need the
//! `remote-resources` property and a network), missing files, `@import` —
//! are errors naming the stylesheet's line: left in, they would make the
//! EPUB invalid.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Location};

use super::images::{sniff_media_type, ImageStore};

/// Folder inside the package for fonts a stylesheet uses.
const FONT_DIR: &str = "fonts";

/// A font file referenced by the stylesheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackagedFont {
    pub href: String,
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
}

/// The EPUB core media type of a font file, from its extension.
fn font_media_type(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "ttf" | "otf" => super::fonts::OPENTYPE_MEDIA_TYPE,
        // The EPUB 3.0 name calibre expects; EPUBCheck accepts both.
        "woff" => "application/font-woff",
        "woff2" => "font/woff2",
        _ => return None,
    })
}

/// 1-based line and column of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Rewrites `css` (read from `path`) so its local references point into
/// the package; fonts are returned, images go to `images`.
pub fn package_stylesheet(
    css: &str,
    path: &Path,
    images: &mut ImageStore,
) -> Result<(String, Vec<PackagedFont>), Diagnostic> {
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let error = |offset: usize, message: String| {
        let (line, col) = line_col(css, offset);
        Diagnostic::error(message).at(Location::at(path, line, col))
    };
    if let Some(at) = css.to_ascii_lowercase().find("@import") {
        return Err(error(
            at,
            "`@import` is not supported in the EPUB stylesheet".into(),
        )
        .with_hint("put the imported rules into this stylesheet"));
    }
    let mut out = String::with_capacity(css.len());
    let mut fonts: Vec<PackagedFont> = Vec::new();
    let mut font_by_path: BTreeMap<PathBuf, String> = BTreeMap::new();
    let mut font_names: BTreeSet<String> = BTreeSet::new();
    let mut rest = css;
    let mut consumed = 0;
    while let Some(start) = rest.find("url(") {
        let arg_start = start + 4;
        let Some(close) = rest[arg_start..].find(')') else {
            break;
        };
        let raw = rest[arg_start..arg_start + close].trim();
        let url = raw.trim_matches(|c| c == '"' || c == '\'').trim();
        let offset = consumed + start;
        out.push_str(&rest[..start]);
        let target = url.split(['?', '#']).next().unwrap_or("");
        let href = if url.starts_with("data:") || url.starts_with('#') {
            url.to_string()
        } else if url.contains("://") || url.starts_with("//") {
            return Err(error(
                offset,
                format!("the EPUB stylesheet uses the remote file `{url}`"),
            )
            .with_hint("download it next to the stylesheet and refer to it by a relative path"));
        } else {
            let file = dir.join(target);
            if !file.is_file() {
                return Err(error(
                    offset,
                    format!("the EPUB stylesheet refers to `{url}`, which does not exist"),
                )
                .with_hint("paths in the stylesheet are relative to the stylesheet's folder"));
            }
            if let Some(media_type) = font_media_type(&file) {
                match font_by_path.get(&file) {
                    Some(href) => href.clone(),
                    None => {
                        let bytes = std::fs::read(&file).map_err(|e| {
                            error(offset, format!("cannot read `{}`: {e}", file.display()))
                        })?;
                        let name = unique_font_name(&file, &mut font_names);
                        let href = format!("{FONT_DIR}/{name}");
                        font_by_path.insert(file.clone(), href.clone());
                        fonts.push(PackagedFont {
                            href: href.clone(),
                            media_type,
                            bytes,
                        });
                        href
                    }
                }
            } else {
                let head = std::fs::read(&file).unwrap_or_default();
                if sniff_media_type(&head, &file).is_none() {
                    return Err(error(
                        offset,
                        format!("the EPUB stylesheet refers to `{url}`, which is neither a font (TTF, OTF, WOFF, WOFF2) nor an image (PNG, JPEG, GIF, WebP, SVG)"),
                    ));
                }
                images.add(&file).map_err(|m| error(offset, m))?
            }
        };
        out.push_str("url(\"");
        out.push_str(&href.replace('"', "%22"));
        out.push_str("\")");
        consumed += arg_start + close + 1;
        rest = &rest[arg_start + close + 1..];
    }
    out.push_str(rest);
    Ok((out, fonts))
}

fn unique_font_name(path: &Path, taken: &mut BTreeSet<String>) -> String {
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let clean: String = file
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    let (stem, ext) = match clean.rsplit_once('.') {
        Some((s, e)) => (s.to_string(), format!(".{e}")),
        None => (clean.clone(), String::new()),
    };
    let mut name = format!("{stem}{ext}");
    let mut n = 2;
    while taken.contains(&name.to_ascii_lowercase()) {
        name = format!("{stem}-{n}{ext}");
        n += 1;
    }
    taken.insert(name.to_ascii_lowercase());
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_fonts_and_images_are_packaged_and_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("f")).unwrap();
        std::fs::write(dir.path().join("f/My Font.woff2"), b"wOF2....").unwrap();
        std::fs::write(dir.path().join("bg.png"), crate::epub::tests::PNG).unwrap();
        let css =
            "@font-face { font-family: X; src: url('f/My Font.woff2?v=1') format('woff2'); }\n\
                   h1 { background: url(bg.png); }\n\
                   p { src: url(\"f/My Font.woff2\"); b: url(data:image/png;base64,AA==) }\n";
        let mut images = ImageStore::default();
        let path = dir.path().join("extra.css");
        let (out, fonts) = package_stylesheet(css, &path, &mut images).unwrap();
        assert_eq!(fonts.len(), 1);
        assert_eq!(fonts[0].href, "fonts/My-Font.woff2");
        assert_eq!(fonts[0].media_type, "font/woff2");
        assert!(
            out.contains("src: url(\"fonts/My-Font.woff2\") format('woff2')"),
            "{out}"
        );
        assert!(out.contains("background: url(\"images/bg.png\")"), "{out}");
        assert!(out.contains("url(\"data:image/png;base64,AA==\")"), "{out}");
        assert_eq!(images.images.len(), 1);
    }

    #[test]
    fn remote_missing_and_imports_are_errors_with_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("extra.css");
        let mut images = ImageStore::default();
        let e = package_stylesheet(
            "a{}\nb { src: url(https://x.org/f.woff) }",
            &path,
            &mut images,
        )
        .unwrap_err();
        assert!(e.to_string().contains("extra.css:2:10"), "{e}");
        let e = package_stylesheet("b { src: url(gone.ttf) }", &path, &mut images).unwrap_err();
        assert!(e.to_string().contains("does not exist"), "{e}");
        let e = package_stylesheet("@import 'x.css';", &path, &mut images).unwrap_err();
        assert!(e.to_string().contains("@import"), "{e}");
    }
}
