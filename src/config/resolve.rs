//! [`Settings`] → [`Config`]: defaults, paths made absolute and kept inside
//! the book folder, chapters found, fonts found, and the checks that need
//! more than one value (the margins must leave room for text).

use std::path::{Component, Path, PathBuf};

use crate::diag::{Diagnostic, Location};
use crate::units::Pt;

use super::read::{page_size, Located, PdfSection, Settings};
use super::yaml::{Doc, Step};
use super::{Config, EpubConfig, FontPaths, PdfConfig, ResolvedChapter};

/// Default table-of-contents depth: chapters, sections, subsections.
const DEFAULT_TOC_DEPTH: u8 = 3;
/// Default heading level at which over-long chapters are split for EPUB.
const DEFAULT_SPLIT_LEVEL: u8 = 2;
/// Default body size; 11 pt is the common size for trade books.
const DEFAULT_FONT_SIZE: f64 = 11.0;
/// Default leading as a multiple of the font size: 1.3 suits a book serif
/// with Gentium's generous x-height at 60–70 characters a line.
const DEFAULT_LEADING_RATIO: f64 = 1.3;
/// Leading outside these multiples of the font size is a mistake: lines
/// would overlap, or stand apart like a list.
const LEADING_RATIO_RANGE: (f64, f64) = (0.8, 4.0);
/// The smallest text block: this many lines of at least this many ems.
const MIN_TEXT_BLOCK: f64 = 10.0;
const DEFAULT_FAMILY: &str = "Gentium Book Plus";
const DEFAULT_MONO: &str = "Inconsolata";
const DEFAULT_PAGE_SIZE: &str = "6x9in";
/// Default margins for a 6×9 in book: a wider inner margin for the binding
/// and a deeper bottom one for the folio, giving a ~4.5 in measure.
const DEFAULT_MARGINS_IN: [f64; 4] = [0.75, 0.9, 0.875, 0.625]; // top, bottom, inner, outer

/// Fonts shipped with Folio, used when a book has no `fonts/` folder of its own.
pub fn builtin_fonts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts")
}

pub(super) fn resolve(
    root: &Path,
    path: PathBuf,
    s: Settings,
    doc: &Doc,
) -> Result<Config, Vec<Diagnostic>> {
    let root = root.canonicalize().map_err(|e| {
        vec![Diagnostic::error(format!("cannot open book folder: {e}")).in_file(root)]
    })?;
    let mut errors = Vec::new();
    let title = s.title.clone().unwrap_or_default().trim().to_string();

    let identifier = s.identifier.clone().unwrap_or_else(|| {
        // A name-based UUID: the same title always gives the same identifier.
        let uuid = uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_URL,
            format!("folio:{title}").as_bytes(),
        );
        format!("urn:uuid:{uuid}")
    });

    let mut inside = |p: &Located<PathBuf>, what: &str| -> Option<PathBuf> {
        match inside_root(&root, &p.value) {
            Ok(abs) => Some(abs),
            Err(msg) => {
                errors.push(
                    Diagnostic::error(format!("{what} `{}` {msg}", p.value.display()))
                        .at(doc.locate_at(&p.at))
                        .with_hint("paths in book.yaml are relative to the book folder and must stay inside it"),
                );
                None
            }
        }
    };
    let cover = s.cover.as_ref().and_then(|p| inside(p, "cover image"));
    let stylesheet = s
        .epub
        .stylesheet
        .as_ref()
        .and_then(|p| inside(p, "stylesheet"));
    let chapters = match &s.chapters {
        Some(entries) => entries
            .iter()
            .filter_map(|entry| {
                let abs = inside(&entry.file, "chapter")?;
                // Located only when missing: each look-up parses book.yaml
                // again, and a book may list hundreds of chapters.
                let location = (!abs.is_file()).then(|| doc.locate_at(&entry.file.at));
                Some(ResolvedChapter {
                    relative: entry.file.value.clone(),
                    path: abs,
                    title: entry.title.clone(),
                    location,
                })
            })
            .collect(),
        None => discover_chapters(&root).unwrap_or_else(|d| {
            errors.push(d);
            Vec::new()
        }),
    };
    if chapters.is_empty() && errors.is_empty() {
        errors.push(
            Diagnostic::error("the book has no chapters")
                .in_file(&path)
                .with_hint("add .md files to the book folder or list them under `chapters:`"),
        );
    }

    let pdf = resolve_pdf(&s.pdf, s.pdf_at.as_deref(), &root, doc, &mut errors);

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Config {
        root,
        path,
        title,
        subtitle: s.subtitle,
        authors: s.authors,
        language: s.language.unwrap_or_else(|| "en".into()),
        identifier,
        date: s.date,
        publisher: s.publisher,
        rights: s.rights,
        description: s.description,
        subjects: s.subjects,
        cover,
        toc_depth: s.toc_depth.unwrap_or(DEFAULT_TOC_DEPTH),
        chapters,
        epub: EpubConfig {
            stylesheet,
            split_level: s.epub.split_level.unwrap_or(DEFAULT_SPLIT_LEVEL),
            embed_fonts: s.epub.embed_fonts.unwrap_or(false),
            nav_depth: s.epub.nav_depth,
        },
        pdf: pdf.expect("no errors means the PDF settings resolved"),
    })
}

fn resolve_pdf(
    p: &PdfSection,
    section: Option<&[Step]>,
    root: &Path,
    doc: &Doc,
    errors: &mut Vec<Diagnostic>,
) -> Option<PdfConfig> {
    // The `pdf:` key, for problems of the section as a whole.
    let pdf_at = || match section {
        Some(at) => doc.locate_key(at),
        None => Location::file(&doc.file.path),
    };
    let (w, h) = p
        .page_size
        .unwrap_or_else(|| page_size(DEFAULT_PAGE_SIZE).expect("the default page size exists"));
    let page_width = p.width.unwrap_or(w);
    let page_height = p.height.unwrap_or(h);
    let [t, b, i, o] = DEFAULT_MARGINS_IN.map(Pt::from_inches);
    let margin_top = p.top.unwrap_or(t);
    let margin_bottom = p.bottom.unwrap_or(b);
    let margin_inner = p.inner.unwrap_or(i);
    let margin_outer = p.outer.unwrap_or(o);
    let font_size = p.font_size.unwrap_or(DEFAULT_FONT_SIZE);
    let leading = p
        .leading
        .as_ref()
        .map_or(font_size * DEFAULT_LEADING_RATIO, |l| l.value);
    let mut ok = true;
    if let Some(l) = &p.leading {
        let (lo, hi) = LEADING_RATIO_RANGE;
        if l.value < font_size * lo || l.value > font_size * hi {
            ok = false;
            errors.push(
                Diagnostic::error(format!(
                    "`leading: {}` does not suit font-size {font_size}",
                    l.value
                ))
                .at(doc.locate_at(&l.at))
                .with_hint(
                    "leading is the baseline distance in points, usually 1.2–1.5 × font-size",
                ),
            );
        }
    }
    let measure = page_width - margin_inner - margin_outer;
    let text_height = page_height - margin_top - margin_bottom;
    if measure.0 < font_size * MIN_TEXT_BLOCK || text_height.0 < leading * MIN_TEXT_BLOCK {
        ok = false;
        errors.push(
            Diagnostic::error("the margins leave too little room for text")
                .at(pdf_at())
                .with_hint("the text block must hold at least 10 lines of at least 10 ems"),
        );
    }
    let family = p.font_family.as_ref();
    let mono = p.mono_family.as_ref();
    let fonts = match find_fonts(
        root,
        family.map_or(DEFAULT_FAMILY, |f| f.value.as_str()),
        mono.map_or(DEFAULT_MONO, |f| f.value.as_str()),
    ) {
        Ok(f) => Some(f),
        Err((d, which_mono)) => {
            let at = if which_mono { mono } else { family };
            errors.push(d.at(at.map_or_else(pdf_at, |f| doc.locate_at(&f.at))));
            None
        }
    };
    if !ok {
        return None;
    }
    Some(PdfConfig {
        page_width,
        page_height,
        margin_top,
        margin_bottom,
        margin_inner,
        margin_outer,
        font_size: Pt(font_size),
        leading: Pt(leading),
        font_expansion_percent: p.font_expansion,
        chapters_on_recto: p.chapters_on_recto.unwrap_or(false),
        fonts: fonts?,
    })
}

/// Every `.md` file directly in the book folder, in name order.
fn discover_chapters(root: &Path) -> Result<Vec<ResolvedChapter>, Diagnostic> {
    let entries = std::fs::read_dir(root).map_err(|e| {
        Diagnostic::error(format!("cannot list the book folder: {e}")).in_file(root)
    })?;
    let mut names: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| PathBuf::from(e.file_name()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    names.sort();
    Ok(names
        .into_iter()
        .map(|relative| ResolvedChapter {
            path: root.join(&relative),
            relative,
            title: None,
            location: None,
        })
        .collect())
}

/// Resolves `p` against the book folder and makes sure it stays inside it,
/// without following the file system (so a missing file still gets the
/// right message later).
pub fn inside_root(root: &Path, p: &Path) -> Result<PathBuf, &'static str> {
    if p.is_absolute() {
        return Err("is an absolute path");
    }
    let mut depth = 0i32;
    for c in p.components() {
        match c {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            _ => return Err("is not a plain relative path"),
        }
        if depth < 0 {
            return Err("is outside the book folder");
        }
    }
    let joined = root.join(p);
    // A symlink could still lead outside: check the real path when it exists.
    if let Ok(real) = joined.canonicalize() {
        if !real.starts_with(root) {
            return Err("is outside the book folder");
        }
    }
    Ok(joined)
}

/// Finds a family's four styles and the mono face: first in the book's own
/// `fonts/` folder, then in the fonts shipped with Folio. The error says
/// whether the mono family is the one missing.
pub fn find_fonts(root: &Path, family: &str, mono: &str) -> Result<FontPaths, (Diagnostic, bool)> {
    let dirs = [root.join("fonts"), builtin_fonts_dir()];
    let find = |family: &str, style: &str| -> Option<PathBuf> {
        let stem = family.replace(' ', "");
        let names = if style == "Regular" {
            vec![format!("{stem}-Regular"), stem.clone()]
        } else {
            vec![format!("{stem}-{style}")]
        };
        dirs.iter().find_map(|dir| {
            names.iter().find_map(|name| {
                ["ttf", "otf"]
                    .iter()
                    .map(|ext| dir.join(format!("{name}.{ext}")))
                    .find(|p| p.is_file())
            })
        })
    };
    let need = |family: &str, style: &str, is_mono: bool| {
        find(family, style).ok_or_else(|| {
            (
                Diagnostic::error(format!("font `{family}` {style} not found")).with_hint(format!(
                    "put {}-{style}.ttf (or .otf) in the book's fonts/ folder; \
                     Folio ships Gentium Book Plus and Inconsolata",
                    family.replace(' ', "")
                )),
                is_mono,
            )
        })
    };
    Ok(FontPaths {
        regular: need(family, "Regular", false)?,
        italic: need(family, "Italic", false)?,
        bold: need(family, "Bold", false)?,
        bold_italic: need(family, "BoldItalic", false)?,
        mono: need(mono, "Regular", true)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_must_stay_inside_the_book() {
        let root = Path::new("/book");
        assert!(inside_root(root, Path::new("a/b.md")).is_ok());
        assert!(inside_root(root, Path::new("a/../b.md")).is_ok());
        assert_eq!(
            inside_root(root, Path::new("../x.md")),
            Err("is outside the book folder")
        );
        assert_eq!(
            inside_root(root, Path::new("/etc/passwd")),
            Err("is an absolute path")
        );
    }
}
