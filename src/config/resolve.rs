//! [`Settings`] → [`Config`]: defaults, paths made absolute and kept inside
//! the book folder, chapters found, fonts found, and the checks that need
//! more than one value (the margins must leave room for text).

use std::path::{Component, Path, PathBuf};

use crate::diag::{Diagnostic, Location};
use crate::units::Pt;

use super::read::{page_size, Located, PdfSection, Settings};
use super::yaml::{Doc, Step};
use super::{Config, EpubConfig, Flavor, FontPaths, KeyLocator, PdfConfig, ResolvedChapter};

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
    mut s: Settings,
    doc: &std::sync::Arc<Doc>,
    flavor: Flavor,
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
    let mut warnings = Vec::new();
    if let (Some(abs), Some(given)) = (&cover, &s.cover) {
        if let Some(w) = cover_warning(abs, &given.value) {
            warnings.push(w.at(doc.locate_at(&given.at)));
        }
    }
    let stylesheet = s
        .epub
        .stylesheet
        .as_ref()
        .and_then(|p| inside(p, "stylesheet"));
    let chapters = match (&s.chapters, s.outline.take()) {
        (_, Some(outline)) => outline,
        (Some(entries), None) => entries
            .iter()
            .filter_map(|entry| {
                let abs = inside(&entry.file, "chapter")?;
                // Located only when missing: each look-up parses book.yaml
                // again, and a book may list hundreds of chapters.
                let location = (!abs.is_file()).then(|| doc.locate_at(&entry.file.at));
                Some(ResolvedChapter {
                    title: entry.title.clone(),
                    location,
                    ..ResolvedChapter::file(entry.file.value.clone(), abs)
                })
            })
            .collect(),
        (None, None) => discover_chapters(&root).unwrap_or_else(|d| {
            errors.push(d);
            Vec::new()
        }),
    };
    // A missing cover is an error, found with its warnings.
    let (cover_errors, warnings): (Vec<Diagnostic>, Vec<Diagnostic>) =
        warnings.into_iter().partition(Diagnostic::is_error);
    errors.extend(cover_errors);
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
        script_fonts: s.fonts,
        labels: s.labels,
        epub: EpubConfig {
            stylesheet,
            split_level: s.epub.split_level.unwrap_or(DEFAULT_SPLIT_LEVEL),
            embed_fonts: s.epub.embed_fonts.unwrap_or(false),
            nav_depth: s.epub.nav_depth,
        },
        pdf: pdf.expect("no errors means the PDF settings resolved"),
        flavor,
        keys: KeyLocator::yaml(std::sync::Arc::clone(doc)),
        warnings,
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
        missing_glyphs: p.missing_glyphs.unwrap_or_default(),
        link_urls: p.link_urls.unwrap_or_default(),
        standard: p.standard.unwrap_or_default(),
    })
}

/// The shortest side a cover may have before stores refuse or blur it:
/// Apple Books asks at least 1,400 px; Kindle's ideal is 1,600 × 2,560.
pub const MIN_COVER_SHORT_SIDE: u32 = 1400;

/// What is wrong with a given cover image for the stores, if anything:
/// not a JPEG or PNG, or smaller than they ask (see docs/stores.md).
fn cover_warning(abs: &Path, written: &Path) -> Option<Diagnostic> {
    if !abs.is_file() {
        return Some(
            Diagnostic::error(format!("cover image `{}` not found", written.display()))
                .with_hint("paths in book.yaml are relative to the book folder"),
        );
    }
    let kind = std::fs::read(abs).ok().and_then(|bytes| {
        let kind = crate::source::image::kind(&bytes)?;
        let size = crate::source::image::dimensions(abs).ok()?;
        Some((kind, size))
    });
    let Some((kind, size)) = kind else {
        return Some(
            Diagnostic::warning(format!(
                "cover image `{}` is not an image Folio can read",
                written.display()
            ))
            .with_hint("stores ask for a JPEG or PNG cover of 1600 × 2560 pixels"),
        );
    };
    use crate::source::image::ImageKind;
    if !matches!(kind, ImageKind::Jpeg | ImageKind::Png) {
        return Some(
            Diagnostic::warning(format!(
                "cover image `{}` is not a JPEG or PNG; Kindle, Apple Books, Kobo and Google Play ask for one",
                written.display()
            ))
            .with_hint("export the cover as JPEG or PNG, 1600 × 2560 pixels"),
        );
    }
    let (width, height) = size;
    let short = width.min(height);
    (short < MIN_COVER_SHORT_SIDE).then(|| {
        Diagnostic::warning(format!(
            "cover image `{}` is {} × {} pixels, smaller than stores ask",
            written.display(),
            width,
            height
        ))
        .with_hint(format!(
            "Apple Books refuses covers under {MIN_COVER_SHORT_SIDE} px on the short side; \
             Kindle's ideal is 1600 × 2560"
        ))
    })
}

/// File name extensions of Markdown chapters.
const CHAPTER_EXTENSIONS: &[&str] = &["md", "markdown"];
/// Folders that never hold chapters: the book's assets and Folio's output,
/// and anything hidden.
const NOT_CHAPTER_FOLDERS: &[&str] = &["images", "fonts", "output", "target", "node_modules"];
/// How deep chapter folders may nest (a loop of links cannot run away).
const MAX_CHAPTER_DEPTH: usize = 8;

/// Every Markdown file of the book folder and its subfolders, in reading
/// order: by path, folder by folder, names compared as people count
/// (`ch2` before `ch10`).
fn discover_chapters(root: &Path) -> Result<Vec<ResolvedChapter>, Diagnostic> {
    let mut found = Vec::new();
    collect_chapters(root, Path::new(""), 0, &mut found).map_err(|e| {
        Diagnostic::error(format!("cannot list the book folder: {e}")).in_file(root)
    })?;
    found.sort_by(|a, b| natural_path_cmp(a, b));
    Ok(found
        .into_iter()
        .map(|relative| ResolvedChapter::file(relative.clone(), root.join(&relative)))
        .collect())
}

fn collect_chapters(
    root: &Path,
    dir: &Path,
    depth: usize,
    out: &mut Vec<PathBuf>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(root.join(dir))? {
        let entry = entry?;
        let name = PathBuf::from(entry.file_name());
        let text = name.to_string_lossy();
        if text.starts_with('.') {
            continue;
        }
        let relative = dir.join(&name);
        let kind = entry.file_type()?;
        let is_dir = kind.is_dir() || (kind.is_symlink() && root.join(&relative).is_dir());
        if is_dir {
            if depth + 1 < MAX_CHAPTER_DEPTH
                && !NOT_CHAPTER_FOLDERS.contains(&text.to_ascii_lowercase().as_str())
            {
                collect_chapters(root, &relative, depth + 1, out)?;
            }
        } else if name.extension().is_some_and(|x| {
            CHAPTER_EXTENSIONS.contains(&x.to_string_lossy().to_ascii_lowercase().as_str())
        }) {
            out.push(relative);
        }
    }
    Ok(())
}

/// Compares paths component by component, each with [`natural_cmp`].
fn natural_path_cmp(a: &Path, b: &Path) -> std::cmp::Ordering {
    let mut x = a.components();
    let mut y = b.components();
    loop {
        match (x.next(), y.next()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(p), Some(q)) => {
                let o = natural_cmp(
                    &p.as_os_str().to_string_lossy(),
                    &q.as_os_str().to_string_lossy(),
                );
                if o != std::cmp::Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

/// Compares names as people count: runs of digits by their value
/// (`ch2` < `ch10`), everything else by character, case ignored first.
fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (mut x, mut y) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (x.peek().copied(), y.peek().copied()) {
            (None, None) => break,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let mut m = String::new();
                while let Some(c) = x.next_if(char::is_ascii_digit) {
                    m.push(c);
                }
                let mut n = String::new();
                while let Some(d) = y.next_if(char::is_ascii_digit) {
                    n.push(d);
                }
                let (m, n) = (m.trim_start_matches('0'), n.trim_start_matches('0'));
                let o = m.len().cmp(&n.len()).then_with(|| m.cmp(n));
                if o != Ordering::Equal {
                    return o;
                }
            }
            (Some(c), Some(d)) => {
                let o = c.to_lowercase().cmp(d.to_lowercase());
                if o != Ordering::Equal {
                    return o;
                }
                x.next();
                y.next();
            }
        }
    }
    // Equal but for case or leading zeros: a stable, total order still.
    a.cmp(b)
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
/// `fonts/` folder, then in the fonts shipped with Folio. A style without
/// a file of its own takes the nearest one the family has (bold italic:
/// bold, then italic; any: the regular), and the typesetter synthesizes
/// the difference; only the regular is required. The error says whether
/// the mono family is the one missing.
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
                ["ttf", "otf", "ttc", "otc"]
                    .iter()
                    .map(|ext| dir.join(format!("{name}.{ext}")))
                    .find(|p| p.is_file())
            })
        })
    };
    let need = |family: &str, is_mono: bool| {
        find(family, "Regular").ok_or_else(|| {
            (
                Diagnostic::error(format!("font `{family}` not found")).with_hint(format!(
                    "put {}-Regular.ttf (or .otf, .ttc; with -Italic, -Bold, -BoldItalic if \
                     the family has them) in the book's fonts/ folder; Folio ships Gentium \
                     Book Plus and Inconsolata",
                    family.replace(' ', "")
                )),
                is_mono,
            )
        })
    };
    let regular = need(family, false)?;
    let italic = find(family, "Italic").unwrap_or_else(|| regular.clone());
    let bold = find(family, "Bold").unwrap_or_else(|| regular.clone());
    let bold_italic = find(family, "BoldItalic")
        .or_else(|| find(family, "Bold"))
        .or_else(|| find(family, "Italic"))
        .unwrap_or_else(|| regular.clone());
    Ok(FontPaths {
        regular,
        italic,
        bold,
        bold_italic,
        mono: need(mono, true)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chapters_sort_as_people_count_and_are_found_in_folders() {
        let mut v = vec![
            "ch10.md",
            "ch2.md",
            "Ch1.md",
            "part2/a.md",
            "part10/a.md",
            "ch02b.md",
        ];
        v.sort_by(|a, b| natural_path_cmp(Path::new(a), Path::new(b)));
        assert_eq!(
            v,
            [
                "Ch1.md",
                "ch2.md",
                "ch02b.md",
                "ch10.md",
                "part2/a.md",
                "part10/a.md"
            ]
        );
        let dir = tempfile::tempdir().unwrap();
        for f in [
            "b/2.markdown",
            "b/10.md",
            "a.md",
            "images/x.md",
            ".hidden/y.md",
            "notes.txt",
        ] {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "# x\n").unwrap();
        }
        let found: Vec<String> = discover_chapters(dir.path())
            .unwrap()
            .into_iter()
            .map(|c| c.relative.to_string_lossy().into_owned())
            .collect();
        assert_eq!(found, ["a.md", "b/2.markdown", "b/10.md"]);
    }

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
