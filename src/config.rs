//! book.yaml → [`Config`]: the first stage of the pipeline.
//!
//! The file is parsed strictly (unknown keys are errors that suggest the
//! nearest valid key) and then resolved: defaults applied, lengths converted
//! to points, paths made absolute and checked to stay inside the book folder.
//! This is the only module that knows YAML, so the backend could change
//! without touching the rest.

use std::path::{Component, Path, PathBuf};

use serde::Deserialize;

use crate::diag::{Diagnostic, Location, StageResult};
use crate::epub::EpubSettings;
use crate::typeset::{FontFiles, PdfSettings};
use crate::units::Pt;

/// Name of the configuration file inside a book folder.
pub const CONFIG_FILE: &str = "book.yaml";

/// The raw contents of book.yaml, as the author wrote them.
#[derive(Debug, Clone, Deserialize, Default, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawConfig {
    /// The book's title (required).
    pub title: Option<String>,
    /// A subtitle, shown on the title pages.
    pub subtitle: Option<String>,
    /// Authors in display order. Leave out rather than invent one.
    #[serde(default)]
    pub authors: Vec<String>,
    /// BCP 47 language tag (`en`, `en-GB`, `de`). Default `en`.
    pub language: Option<String>,
    /// Unique identifier (URN, ISBN URN, URL). Default: a UUID derived from the title.
    pub identifier: Option<String>,
    /// Publication date: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub date: Option<String>,
    pub publisher: Option<String>,
    /// Copyright / licence statement.
    pub rights: Option<String>,
    /// A short description (blurb).
    pub description: Option<String>,
    /// Subject keywords.
    #[serde(default)]
    pub subjects: Vec<String>,
    /// Cover image (PNG or JPEG), relative to the book folder.
    pub cover: Option<PathBuf>,
    /// Chapter files in reading order, relative to the book folder. Default:
    /// every `.md` file in the folder, in name order.
    pub chapters: Option<Vec<ChapterEntry>>,
    /// Deepest heading level listed in the table of contents. Default 3.
    pub toc_depth: Option<u8>,
    /// EPUB-only settings.
    #[serde(default)]
    pub epub: RawEpub,
    /// PDF-only settings.
    #[serde(default)]
    pub pdf: RawPdf,
}

/// One entry of `chapters`: a path, or a path with a title for a chapter
/// that has no `#` heading of its own.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum ChapterEntry {
    Path(PathBuf),
    Titled {
        file: PathBuf,
        title: Option<String>,
    },
}

#[derive(Debug, Clone, Deserialize, Default, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawEpub {
    /// An extra CSS file appended after Folio's stylesheet.
    pub stylesheet: Option<PathBuf>,
    /// Heading level at which over-long chapters are split into several
    /// files (1–6). Default 2.
    pub split_level: Option<u8>,
    /// Embed the book's fonts, subset, in the EPUB. Default false.
    pub embed_fonts: Option<bool>,
    /// Deepest TOC level in the EPUB's nav and NCX (e.g. 2 for Kindle and
    /// Apple Books). Default: toc-depth.
    pub nav_depth: Option<u8>,
}

#[derive(Debug, Clone, Deserialize, Default, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawPdf {
    /// `a4`, `a5`, `b5`, `letter`, `6x9in`, `5x8in`, `5.5x8.5in`. Default `6x9in`.
    pub page_size: Option<String>,
    /// Page width, overriding `page-size` (`150mm`, `6in`, `432pt`).
    pub width: Option<String>,
    /// Page height, overriding `page-size`.
    pub height: Option<String>,
    #[serde(default)]
    pub margins: RawMargins,
    /// Body text size in points. Default 11.
    pub font_size: Option<f64>,
    /// Baseline-to-baseline distance in points. Default 1.3 × font-size.
    pub leading: Option<f64>,
    /// Font expansion of justified text, in percent: letters may be set up
    /// to this much wider or narrower to even out word spaces. Default 2;
    /// 0 turns it off.
    pub font_expansion: Option<f64>,
    /// Open every chapter on a right-hand page (a blank verso before it
    /// when needed), as printed books do. Default false.
    pub chapters_on_recto: Option<bool>,
    /// Text family from fonts/ (`Gentium Book Plus`); files are found as
    /// `FamilyWithoutSpaces-{Regular,Italic,Bold,BoldItalic}.{ttf,otf}`.
    pub font_family: Option<String>,
    /// Monospace family for code (`Inconsolata`).
    pub mono_family: Option<String>,
    /// The standard the PDF is written to: `ua-1` (accessible, tagged; the
    /// default), `a-2b`, `a-2a`, `a-3b` (archival), or `none`.
    pub standard: Option<PdfStandard>,
}

/// A PDF standard the writer conforms to (and checks itself against).
#[derive(Debug, Clone, Copy, Deserialize, Default, PartialEq, Eq)]
pub enum PdfStandard {
    /// PDF/UA-1 (ISO 14289-1): tagged, for assistive technology.
    #[default]
    #[serde(rename = "ua-1")]
    Ua1,
    /// PDF/A-2b (ISO 19005-2, level B): archival, visual appearance.
    #[serde(rename = "a-2b")]
    A2b,
    /// PDF/A-2a: archival and tagged.
    #[serde(rename = "a-2a")]
    A2a,
    /// PDF/A-3b: as A-2b, allowing embedded files.
    #[serde(rename = "a-3b")]
    A3b,
    /// No standard: tagged all the same, without the PDF/A identification.
    #[serde(rename = "none")]
    None,
}

#[derive(Debug, Clone, Deserialize, Default, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawMargins {
    pub top: Option<String>,
    pub bottom: Option<String>,
    /// Binding side (left on right-hand pages).
    pub inner: Option<String>,
    pub outer: Option<String>,
}

/// The resolved configuration the pipeline runs on.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The book folder (absolute).
    pub root: PathBuf,
    /// book.yaml as read, for locating values in diagnostics.
    pub source: String,
    /// Path of book.yaml as shown to the user.
    pub path: PathBuf,
    pub raw: RawConfig,
    pub title: String,
    pub language: String,
    pub identifier: String,
    pub toc_depth: u8,
    pub cover: Option<PathBuf>,
    pub chapters: Vec<ResolvedChapter>,
    pub epub: EpubSettings,
    pub pdf: PdfSettings,
}

/// A chapter file to load.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedChapter {
    /// Path relative to the book folder.
    pub relative: PathBuf,
    /// Absolute path.
    pub path: PathBuf,
    pub title: Option<String>,
    /// Where the entry is written in book.yaml, if it was listed there.
    pub location: Option<Location>,
}

/// Default table-of-contents depth: chapters, sections, subsections.
const DEFAULT_TOC_DEPTH: u8 = 3;
/// Default heading level at which over-long chapters are split for EPUB.
const DEFAULT_SPLIT_LEVEL: u8 = 2;
/// Default body size; 11 pt is the common size for trade books.
const DEFAULT_FONT_SIZE: f64 = 11.0;
/// Default leading as a multiple of the font size: 1.3 suits a book serif
/// with Gentium's generous x-height at 60–70 characters a line.
const DEFAULT_LEADING_RATIO: f64 = 1.3;
/// Default font expansion in percent, as the typesetter's
/// `paragraph::FONT_EXPANSION` has it.
const DEFAULT_FONT_EXPANSION_PERCENT: f64 = crate::typeset::paragraph::FONT_EXPANSION * 100.0;
/// Largest font expansion accepted, in percent.
const MAX_FONT_EXPANSION_PERCENT: f64 = crate::typeset::paragraph::MAX_EXPANSION * 100.0;
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

/// Reads and resolves `<root>/book.yaml`.
pub fn load(root: &Path) -> StageResult<Config> {
    let path = root.join(CONFIG_FILE);
    let source =
        match std::fs::read(&path) {
            Ok(bytes) => {
                String::from_utf8(bytes).map_err(|e| {
                    Diagnostic::error(format!("{CONFIG_FILE} is not valid UTF-8")).at(
                        utf8_location(&path, e.as_bytes(), e.utf8_error().valid_up_to()),
                    )
                })?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Diagnostic::error(format!("no {CONFIG_FILE} in {}", root.display()))
                .in_file(&path)
                .with_hint("a book folder needs a book.yaml with at least `title:`; see the README")
                .into());
            }
            Err(e) => {
                return Err(Diagnostic::error(format!("cannot read {CONFIG_FILE}: {e}"))
                    .in_file(&path)
                    .into())
            }
        };
    let raw = parse(&source, &path)?;
    resolve(root, path, source, raw)
}

/// Parses book.yaml text into the raw config, with YAML errors located.
pub fn parse(source: &str, path: &Path) -> StageResult<RawConfig> {
    if source.trim().is_empty() {
        return Err(Diagnostic::error(format!("{CONFIG_FILE} is empty"))
            .in_file(path)
            .with_hint("add at least `title: …`")
            .into());
    }
    serde_yaml::from_str::<RawConfig>(source).map_err(|e| yaml_error(e, path).into())
}

/// Turns a serde_yaml error into a diagnostic with line, column and, for
/// an unknown key, the nearest valid one.
fn yaml_error(e: serde_yaml::Error, path: &Path) -> Diagnostic {
    let full = e.to_string();
    // serde_yaml appends " at line L column C"; the location is shown separately.
    let message = match full.find(" at line ") {
        Some(i) => full[..i].to_string(),
        None => full.clone(),
    };
    let location = match e.location() {
        Some(loc) => Location::at(path, loc.line(), loc.column()),
        None => Location::file(path),
    };
    match unknown_key_hint(&message) {
        // The hint carries the valid keys; the message needs only the bad one.
        Some(hint) => {
            let short = message.split(", expected").next().unwrap_or(&message);
            Diagnostic::error(format!("in {CONFIG_FILE}: {short}"))
                .at(location)
                .with_hint(hint)
        }
        None => Diagnostic::error(format!("in {CONFIG_FILE}: {message}")).at(location),
    }
}

/// For "unknown field `x`, expected one of `a`, `b`" suggests the closest
/// expected key.
fn unknown_key_hint(message: &str) -> Option<String> {
    let rest = message.split("unknown field `").nth(1)?;
    let key = rest.split('`').next()?;
    let expected: Vec<&str> = rest
        .split("expected ")
        .nth(1)?
        .split('`')
        .skip(1)
        .step_by(2)
        .collect();
    let best = expected
        .iter()
        .map(|k| (strsim::levenshtein(key, k), *k))
        .min()?;
    // Only suggest a key that is plausibly a typo of what was written.
    if best.0 <= key.len().max(3) / 2 + 1 {
        Some(format!("did you mean `{}`?", best.1))
    } else {
        Some(format!("valid keys here: {}", expected.join(", ")))
    }
}

fn utf8_location(path: &Path, bytes: &[u8], valid_up_to: usize) -> Location {
    let before = &bytes[..valid_up_to];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    Location::at(path, line, column)
}

/// Location of a UTF-8 error in a file's bytes, for chapter loading too.
pub(crate) fn invalid_utf8_location(path: &Path, bytes: &[u8], valid_up_to: usize) -> Location {
    utf8_location(path, bytes, valid_up_to)
}

fn resolve(root: &Path, path: PathBuf, source: String, raw: RawConfig) -> StageResult<Config> {
    let root = root
        .canonicalize()
        .map_err(|e| Diagnostic::error(format!("cannot open book folder: {e}")).in_file(root))?;
    let mut errors = Vec::new();
    let locate = |needle: &str| locate_value(&source, &path, needle);

    let title = match raw.title.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => t.to_string(),
        _ => {
            errors.push(
                Diagnostic::error(format!("{CONFIG_FILE} has no `title`"))
                    .at(Location::at(&path, 1, 1))
                    .with_hint("add a line `title: The Title of the Book`"),
            );
            String::new()
        }
    };

    let language = raw.language.clone().unwrap_or_else(|| "en".into());
    if !is_bcp47(&language) {
        errors.push(
            Diagnostic::error(format!(
                "`language: {language}` is not a BCP 47 language tag"
            ))
            .at(locate(&language))
            .with_hint("use a tag such as `en`, `en-GB`, `fr` or `pt-BR`"),
        );
    }

    if let Some(date) = &raw.date {
        if !is_date(date) {
            errors.push(
                Diagnostic::error(format!("`date: {date}` is not a date"))
                    .at(locate(date))
                    .with_hint("write YYYY, YYYY-MM or YYYY-MM-DD"),
            );
        }
    }

    let identifier = raw.identifier.clone().unwrap_or_else(|| {
        // A name-based UUID: the same title always gives the same identifier.
        let uuid = uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_URL,
            format!("folio:{title}").as_bytes(),
        );
        format!("urn:uuid:{uuid}")
    });

    let toc_depth = raw.toc_depth.unwrap_or(DEFAULT_TOC_DEPTH);
    if !(1..=6).contains(&toc_depth) {
        errors.push(
            Diagnostic::error(format!("`toc-depth: {toc_depth}` must be between 1 and 6"))
                .at(locate("toc-depth")),
        );
    }

    let mut inside = |p: &Path, what: &str| -> Option<PathBuf> {
        match inside_root(&root, p) {
            Ok(abs) => Some(abs),
            Err(msg) => {
                errors.push(
                    Diagnostic::error(format!("{what} `{}` {msg}", p.display()))
                        .at(locate(&p.to_string_lossy()))
                        .with_hint("paths in book.yaml are relative to the book folder and must stay inside it"),
                );
                None
            }
        }
    };

    let cover = raw.cover.as_deref().and_then(|p| inside(p, "cover image"));
    let stylesheet = raw
        .epub
        .stylesheet
        .as_deref()
        .and_then(|p| inside(p, "stylesheet"));

    let chapters = match &raw.chapters {
        Some(entries) => {
            let mut out = Vec::new();
            for entry in entries {
                let (file, title) = match entry {
                    ChapterEntry::Path(p) => (p, None),
                    ChapterEntry::Titled { file, title } => (file, title.clone()),
                };
                if let Some(abs) = inside(file, "chapter") {
                    out.push(ResolvedChapter {
                        relative: file.clone(),
                        path: abs,
                        title,
                        location: Some(locate(&file.to_string_lossy())),
                    });
                }
            }
            out
        }
        None => discover_chapters(&root)
            .map_err(|d| {
                errors.push(d);
            })
            .unwrap_or_default(),
    };
    if chapters.is_empty() && errors.is_empty() {
        errors.push(
            Diagnostic::error("the book has no chapters")
                .in_file(&path)
                .with_hint("add .md files to the book folder or list them under `chapters:`"),
        );
    }

    let pdf = resolve_pdf(&raw.pdf, &root, &source, &path, &mut errors);
    let split_level = raw.epub.split_level.unwrap_or(DEFAULT_SPLIT_LEVEL);
    for (key, value) in [
        ("split-level", Some(split_level)),
        ("nav-depth", raw.epub.nav_depth),
    ] {
        if let Some(v) = value.filter(|v| !(1..=6).contains(v)) {
            errors.push(
                Diagnostic::error(format!("`{key}: {v}` must be between 1 and 6")).at(locate(key)),
            );
        }
    }

    if !errors.is_empty() {
        return Err(crate::diag::Diagnostics(errors));
    }
    Ok(Config {
        epub: EpubSettings {
            stylesheet,
            split_level,
            embed_fonts: raw.epub.embed_fonts.unwrap_or(false),
            nav_depth: raw.epub.nav_depth,
            fonts: pdf.as_ref().map(|p| p.fonts.clone()),
        },
        pdf: pdf.expect("no errors means PDF settings resolved"),
        root,
        source,
        path,
        title,
        language,
        identifier,
        toc_depth,
        cover,
        chapters,
        raw,
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

/// Where `needle` first appears as a value in book.yaml, for pointing at it.
fn locate_value(source: &str, path: &Path, needle: &str) -> Location {
    for (i, line) in source.lines().enumerate() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        if let Some(col) = line.find(needle) {
            return Location::at(path, i + 1, line[..col].chars().count() + 1);
        }
    }
    Location::file(path)
}

fn resolve_pdf(
    raw: &RawPdf,
    root: &Path,
    source: &str,
    path: &Path,
    errors: &mut Vec<Diagnostic>,
) -> Option<PdfSettings> {
    let before = errors.len();
    let size_name = raw.page_size.as_deref().unwrap_or(DEFAULT_PAGE_SIZE);
    let (w, h) = match page_size(size_name) {
        Some(s) => s,
        None => {
            errors.push(
                Diagnostic::error(format!("unknown page size `{size_name}`"))
                    .at(locate_value(source, path, size_name))
                    .with_hint(
                        "use a4, a5, b5, letter, 6x9in, 5x8in, 5.5x8.5in, or set width and height",
                    ),
            );
            page_size(DEFAULT_PAGE_SIZE).expect("default page size exists")
        }
    };
    let mut length = |value: &Option<String>, default: Pt, key: &str| -> Pt {
        match value {
            None => default,
            Some(v) => match parse_length(v) {
                Some(l) if l.0 > 0.0 => l,
                _ => {
                    errors.push(
                        Diagnostic::error(format!("`{key}: {v}` is not a length"))
                            .at(locate_value(source, path, v))
                            .with_hint(
                                "write a number with a unit: `20mm`, `0.75in`, `54pt`, `2cm`",
                            ),
                    );
                    default
                }
            },
        }
    };
    let page_width = length(&raw.width, w, "width");
    let page_height = length(&raw.height, h, "height");
    let [t, b, i, o] = DEFAULT_MARGINS_IN.map(Pt::from_inches);
    let margin_top = length(&raw.margins.top, t, "top");
    let margin_bottom = length(&raw.margins.bottom, b, "bottom");
    let margin_inner = length(&raw.margins.inner, i, "inner");
    let margin_outer = length(&raw.margins.outer, o, "outer");

    let font_size = raw.font_size.unwrap_or(DEFAULT_FONT_SIZE);
    if !(4.0..=72.0).contains(&font_size) {
        errors.push(
            Diagnostic::error(format!("`font-size: {font_size}` is out of range"))
                .at(locate_value(source, path, "font-size"))
                .with_hint("body text is set between 4 and 72 points; books use 9–12"),
        );
    }
    let leading = raw.leading.unwrap_or(font_size * DEFAULT_LEADING_RATIO);
    if leading < font_size * 0.8 || leading > font_size * 4.0 {
        errors.push(
            Diagnostic::error(format!(
                "`leading: {leading}` does not suit font-size {font_size}"
            ))
            .at(locate_value(source, path, "leading"))
            .with_hint("leading is the baseline distance in points, usually 1.2–1.5 × font-size"),
        );
    }
    let expansion = raw.font_expansion.unwrap_or(DEFAULT_FONT_EXPANSION_PERCENT);
    if !(0.0..=MAX_FONT_EXPANSION_PERCENT).contains(&expansion) {
        errors.push(
            Diagnostic::error(format!("`font-expansion: {expansion}` is out of range"))
                .at(locate_value(source, path, "font-expansion"))
                .with_hint("font expansion is a percentage from 0 (off) to 5; 2 is usual"),
        );
    }
    let measure = page_width - margin_inner - margin_outer;
    let text_height = page_height - margin_top - margin_bottom;
    if measure.0 < font_size * 10.0 || text_height.0 < leading * 10.0 {
        errors.push(
            Diagnostic::error("the margins leave too little room for text")
                .at(locate_value(source, path, "pdf"))
                .with_hint("the text block must hold at least 10 lines of at least 10 ems"),
        );
    }

    let family = raw.font_family.as_deref().unwrap_or(DEFAULT_FAMILY);
    let mono = raw.mono_family.as_deref().unwrap_or(DEFAULT_MONO);
    let fonts = match find_fonts(root, family, mono) {
        Ok(f) => Some(f),
        Err(d) => {
            errors.push(d.at(locate_value(source, path, family)));
            None
        }
    };
    if errors.len() > before {
        return None;
    }
    Some(PdfSettings {
        page_width,
        page_height,
        margin_top,
        margin_bottom,
        margin_inner,
        margin_outer,
        font_size: Pt(font_size),
        leading: Pt(leading),
        font_expansion: expansion / 100.0,
        chapters_on_recto: raw.chapters_on_recto.unwrap_or(false),
        standard: raw.standard.unwrap_or_default(),
        fonts: fonts?,
    })
}

/// Finds a family's four styles and the mono face: first in the book's own
/// `fonts/` folder, then in the fonts shipped with Folio.
pub fn find_fonts(root: &Path, family: &str, mono: &str) -> Result<FontFiles, Diagnostic> {
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
    let need = |family: &str, style: &str| {
        find(family, style).ok_or_else(|| {
            Diagnostic::error(format!("font `{family}` {style} not found"))
                .with_hint(format!(
                    "put {}-{style}.ttf (or .otf) in the book's fonts/ folder; Folio ships Gentium Book Plus and Inconsolata",
                    family.replace(' ', "")
                ))
        })
    };
    Ok(FontFiles {
        regular: need(family, "Regular")?,
        italic: need(family, "Italic")?,
        bold: need(family, "Bold")?,
        bold_italic: need(family, "BoldItalic")?,
        mono: need(mono, "Regular")?,
    })
}

/// Named page sizes, width × height.
fn page_size(name: &str) -> Option<(Pt, Pt)> {
    let mm = Pt::from_mm;
    let inch = Pt::from_inches;
    Some(match name.to_ascii_lowercase().as_str() {
        "a4" => (mm(210.0), mm(297.0)),
        "a5" => (mm(148.0), mm(210.0)),
        "b5" => (mm(176.0), mm(250.0)),
        "letter" => (inch(8.5), inch(11.0)),
        "6x9in" | "6x9" => (inch(6.0), inch(9.0)),
        "5x8in" | "5x8" => (inch(5.0), inch(8.0)),
        "5.5x8.5in" | "5.5x8.5" => (inch(5.5), inch(8.5)),
        _ => return None,
    })
}

/// `12mm`, `1.5cm`, `0.75in`, `54pt` or a bare number of points.
pub fn parse_length(s: &str) -> Option<Pt> {
    let s = s.trim();
    let split = s.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: f64 = num.trim().parse().ok()?;
    if !n.is_finite() {
        return None;
    }
    Some(match unit.trim() {
        "" | "pt" => Pt(n),
        "mm" => Pt::from_mm(n),
        "cm" => Pt::from_mm(n * 10.0),
        "in" => Pt::from_inches(n),
        _ => return None,
    })
}

/// A structural check of a BCP 47 tag: a 2–3 or 5–8 letter primary subtag,
/// then subtags of 1–8 letters or digits.
fn is_bcp47(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    let primary_ok =
        matches!(primary.len(), 2 | 3 | 5..=8) && primary.chars().all(|c| c.is_ascii_alphabetic());
    primary_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let digits = |p: &str, n: usize| p.len() == n && p.chars().all(|c| c.is_ascii_digit());
    let in_range =
        |p: &str, lo: u32, hi: u32| p.parse::<u32>().is_ok_and(|v| (lo..=hi).contains(&v));
    match parts.as_slice() {
        [y] => digits(y, 4),
        [y, m] => digits(y, 4) && digits(m, 2) && in_range(m, 1, 12),
        [y, m, d] => {
            digits(y, 4) && digits(m, 2) && digits(d, 2) && in_range(m, 1, 12) && in_range(d, 1, 31)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(yaml: &str) -> Diagnostic {
        parse(yaml, Path::new("book/book.yaml"))
            .unwrap_err()
            .0
            .remove(0)
    }

    #[test]
    fn unknown_key_names_key_location_and_suggestion() {
        let d = err("title: X\nlanguag: en\n");
        assert!(
            d.message.contains("unknown field `languag`"),
            "{}",
            d.message
        );
        assert_eq!(d.location, Some(Location::at("book/book.yaml", 2, 1)));
        assert_eq!(d.hint.as_deref(), Some("did you mean `language`?"));
    }

    #[test]
    fn unknown_nested_key_is_located() {
        let d = err("title: X\npdf:\n  font-sise: 11\n");
        assert!(d.message.contains("font-sise"));
        assert_eq!(d.location.as_ref().and_then(|l| l.line), Some(3));
        assert_eq!(d.hint.as_deref(), Some("did you mean `font-size`?"));
    }

    #[test]
    fn wrong_type_is_located() {
        let d = err("title: X\npdf:\n  font-size: big\n");
        assert!(d.message.contains("invalid type"), "{}", d.message);
        assert_eq!(d.location.as_ref().and_then(|l| l.line), Some(3));
    }

    #[test]
    fn syntax_error_is_located() {
        let d = err("title: [unclosed\n");
        assert!(d.location.as_ref().and_then(|l| l.line).is_some());
    }

    #[test]
    fn chapters_accept_paths_and_titled_entries() {
        let raw = parse(
            "title: X\nchapters:\n  - a.md\n  - file: b.md\n    title: Preface\n",
            Path::new("b.yaml"),
        )
        .unwrap();
        assert_eq!(
            raw.chapters.unwrap(),
            vec![
                ChapterEntry::Path("a.md".into()),
                ChapterEntry::Titled {
                    file: "b.md".into(),
                    title: Some("Preface".into())
                }
            ]
        );
    }

    #[test]
    fn pdf_typesetting_keys_reach_the_settings() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), "# A\n").unwrap();
        let with = |yaml: &str| {
            std::fs::write(dir.path().join("book.yaml"), yaml).unwrap();
            match load(dir.path()) {
                Ok(c) => c.pdf,
                Err(e) => panic!("{:?}", e.0),
            }
        };
        let defaults = with("title: X\n");
        assert!(!defaults.chapters_on_recto);
        assert!((defaults.font_expansion - 0.02).abs() < 1e-12);
        assert_eq!(defaults.standard, PdfStandard::Ua1);
        assert_eq!(
            with("title: X\npdf:\n  standard: a-2b\n").standard,
            PdfStandard::A2b
        );
        assert_eq!(
            with("title: X\npdf:\n  standard: none\n").standard,
            PdfStandard::None
        );
        let set = with("title: X\npdf:\n  chapters-on-recto: true\n  font-expansion: 1.5\n");
        assert!(set.chapters_on_recto);
        assert!((set.font_expansion - 0.015).abs() < 1e-12);
        assert_eq!(
            with("title: X\npdf:\n  font-expansion: 0\n").font_expansion,
            0.0
        );
    }

    #[test]
    fn lengths() {
        assert_eq!(parse_length("72"), Some(Pt(72.0)));
        assert_eq!(parse_length("1in"), Some(Pt(72.0)));
        assert!((parse_length("25.4mm").unwrap().0 - 72.0).abs() < 1e-9);
        assert!((parse_length("2.54 cm").unwrap().0 - 72.0).abs() < 1e-9);
        assert_eq!(parse_length("12px"), None);
        assert_eq!(parse_length("in"), None);
    }

    #[test]
    fn language_tags_and_dates() {
        assert!(is_bcp47("en") && is_bcp47("en-GB") && is_bcp47("zh-Hant-TW"));
        assert!(!is_bcp47("english!") && !is_bcp47("e") && !is_bcp47("en_GB"));
        assert!(is_date("2024") && is_date("2024-02") && is_date("2024-02-29"));
        assert!(!is_date("2024-13") && !is_date("24-01-01") && !is_date("yesterday"));
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
