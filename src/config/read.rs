//! The YAML tree → [`Settings`]: what book.yaml says, each value checked
//! against what the key means and every problem collected, so one build
//! reports them all, in the book's terms (`toc-depth` must be a whole
//! number from 1 to 6), each at its place in the file.

use std::path::PathBuf;

use crate::diag::{Diagnostic, Location};
use crate::units::Pt;

use super::yaml::{path_name, Doc, Node, Step, Value};

/// A value with the path to where book.yaml sets it, located only if a
/// problem needs it (see [`Doc::locate_at`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub at: Vec<Step>,
}

/// What book.yaml sets; `None` where it says nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    pub title: Option<String>,
    pub subtitle: Option<String>,
    pub authors: Vec<String>,
    pub language: Option<String>,
    pub identifier: Option<String>,
    pub date: Option<String>,
    pub publisher: Option<String>,
    pub rights: Option<String>,
    pub description: Option<String>,
    pub subjects: Vec<String>,
    pub cover: Option<Located<PathBuf>>,
    pub chapters: Option<Vec<ChapterEntry>>,
    pub toc_depth: Option<u8>,
    pub epub: EpubSection,
    pub pdf: PdfSection,
    /// The `pdf:` key, for problems of the section as a whole.
    pub pdf_at: Option<Vec<Step>>,
    /// `fonts:`: a family for each script, keyed by script or language
    /// (checked to name one).
    pub fonts: Vec<(String, String)>,
    /// `labels:`: the book's own words for Folio's furniture, by label key
    /// (checked to be one).
    pub labels: Vec<(String, String)>,
    /// The chapters, already resolved by a reader of another book format
    /// (mdBook's SUMMARY.md, a one-file book); `chapters` is then unset.
    pub outline: Option<Vec<super::ResolvedChapter>>,
}

/// One entry of `chapters`.
#[derive(Debug, Clone, PartialEq)]
pub struct ChapterEntry {
    pub file: Located<PathBuf>,
    pub title: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct EpubSection {
    pub stylesheet: Option<Located<PathBuf>>,
    pub split_level: Option<u8>,
    pub embed_fonts: Option<bool>,
    pub nav_depth: Option<u8>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PdfSection {
    /// A named page size, as width × height.
    pub page_size: Option<(Pt, Pt)>,
    pub width: Option<Pt>,
    pub height: Option<Pt>,
    pub top: Option<Pt>,
    pub bottom: Option<Pt>,
    pub inner: Option<Pt>,
    pub outer: Option<Pt>,
    pub font_size: Option<f64>,
    pub leading: Option<Located<f64>>,
    /// Percent.
    pub font_expansion: Option<f64>,
    pub chapters_on_recto: Option<bool>,
    pub font_family: Option<Located<String>>,
    pub mono_family: Option<Located<String>>,
    pub missing_glyphs: Option<MissingGlyphs>,
    pub link_urls: Option<LinkUrls>,
    pub standard: Option<PdfStandard>,
}

/// A PDF standard the writer conforms to (and checks itself against):
/// `pdf: standard` in book.yaml.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PdfStandard {
    /// PDF/UA-1 (ISO 14289-1): tagged, for assistive technology.
    #[default]
    Ua1,
    /// PDF/A-2b (ISO 19005-2, level B): archival, visual appearance.
    A2b,
    /// PDF/A-2a: archival and tagged.
    A2a,
    /// PDF/A-3b: as A-2b, allowing embedded files.
    A3b,
    /// No standard: tagged all the same, without the PDF/A identification.
    None,
}

/// How the PDF prints the web address of a link whose text is not its
/// address (`pdf: link-urls`): a reader of paper cannot click.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LinkUrls {
    /// In a note at the page foot, marked with a letter (as printed books do).
    #[default]
    Footnote,
    /// In parentheses after the link text.
    Inline,
    /// Not at all.
    None,
}

/// What to do with text no font has (`pdf: missing-glyphs`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MissingGlyphs {
    /// Fail the PDF build: a box in print is never wanted.
    #[default]
    Error,
    /// Build anyway, with one warning per script.
    Warn,
}

pub(super) const TOP_KEYS: &[&str] = &[
    "title",
    "subtitle",
    "authors",
    "language",
    "identifier",
    "date",
    "publisher",
    "rights",
    "description",
    "subjects",
    "cover",
    "toc-depth",
    "chapters",
    "fonts",
    "labels",
    "epub",
    "pdf",
];
const EPUB_KEYS: &[&str] = &["stylesheet", "split-level", "embed-fonts", "nav-depth"];
const PDF_KEYS: &[&str] = &[
    "page-size",
    "width",
    "height",
    "margins",
    "font-size",
    "leading",
    "font-expansion",
    "chapters-on-recto",
    "font-family",
    "mono-family",
    "missing-glyphs",
    "link-urls",
    "standard",
];
const MARGIN_KEYS: &[&str] = &["top", "bottom", "inner", "outer"];
const CHAPTER_KEYS: &[&str] = &["file", "title"];

/// Sections, for telling an author which one a misplaced key belongs to.
const SECTIONS: &[(&str, &[&str])] = &[
    ("", TOP_KEYS),
    ("epub", EPUB_KEYS),
    ("pdf", PDF_KEYS),
    ("pdf.margins", MARGIN_KEYS),
];

/// Smallest and largest body size accepted, in points: anything outside is
/// a typo, not a book (books are set at 9–12).
pub const FONT_SIZE_RANGE: (f64, f64) = (4.0, 72.0);
/// Largest font expansion accepted, in percent: past 5% letters visibly
/// change shape (pdfTeX's manual advises 2–3%).
pub const MAX_FONT_EXPANSION_PERCENT: f64 = 5.0;
/// Page sizes by name, for the messages.
pub const PAGE_SIZES: &str = "a4, a5, b5, letter, 6x9in, 5x8in, 5.5x8.5in";

/// Reads the tree; every problem found is in the error list.
pub fn read(doc: &Doc) -> Result<Settings, Vec<Diagnostic>> {
    let mut r = Reader {
        doc,
        errors: Vec::new(),
    };
    let mut s = Settings::default();
    if let Value::Null = doc.root.value {
        r.errors.push(
            Diagnostic::error("book.yaml is empty")
                .at(Location::file(&doc.file.path))
                .with_hint("add at least `title: The Title of the Book`"),
        );
        return Err(r.errors);
    }
    let Some(entries) = r.map(&doc.root, TOP_KEYS) else {
        return Err(r.errors);
    };
    for (key, node) in entries {
        match key {
            "title" => s.title = r.text(node),
            "subtitle" => s.subtitle = r.text(node),
            "authors" => s.authors = r.texts(node, "names"),
            "language" => {
                s.language = r.text(node).and_then(|t| {
                    r.check(node, is_bcp47(&t), t, |t| {
                        Diagnostic::error(format!("`language: {t}` is not a BCP 47 language tag"))
                            .with_hint("use a tag such as `en`, `en-GB`, `fr` or `pt-BR`")
                    })
                })
            }
            "identifier" => s.identifier = r.text(node),
            "date" => {
                s.date = r.text(node).and_then(|t| {
                    r.check(node, is_date(&t), t, |t| {
                        Diagnostic::error(format!("`date: {t}` is not a date"))
                            .with_hint("write YYYY, YYYY-MM or YYYY-MM-DD")
                    })
                })
            }
            "publisher" => s.publisher = r.text(node),
            "rights" => s.rights = r.text(node),
            "description" => s.description = r.text(node),
            "subjects" => s.subjects = r.texts(node, "keywords"),
            "cover" => s.cover = r.path(node),
            "toc-depth" => s.toc_depth = r.level(node),
            "chapters" => s.chapters = r.chapters(node),
            "fonts" => s.fonts = r.fonts(node),
            "labels" => s.labels = r.labels(node),
            "epub" => s.epub = r.epub(node),
            "pdf" => {
                s.pdf_at = Some(node.path.clone());
                s.pdf = r.pdf(node);
            }
            _ => unreachable!("map() keeps known keys only"),
        }
    }
    if s.title.as_deref().is_none_or(|t| t.trim().is_empty()) && r.errors.is_empty() {
        r.errors.push(
            Diagnostic::error("book.yaml has no `title`")
                .at(Location::file(&doc.file.path))
                .with_hint("add a line `title: The Title of the Book`"),
        );
    }
    if r.errors.is_empty() {
        Ok(s)
    } else {
        // In the order of the file, as the author reads it.
        r.errors.sort_by_key(|d| {
            let at = d.location.as_ref();
            (at.and_then(|l| l.line()), at.and_then(|l| l.column()))
        });
        Err(r.errors)
    }
}

struct Reader<'d> {
    doc: &'d Doc,
    errors: Vec<Diagnostic>,
}

impl<'d> Reader<'d> {
    /// Reports a value of the wrong kind at its place.
    fn wrong(&mut self, node: &Node, must: &str, hint: &str) {
        let mut d = Diagnostic::error(format!("{} must be {must}", subject(node)))
            .at(self.doc.locate(node))
            .with_label(format!("this is {}", node.describe()));
        if !hint.is_empty() {
            d = d.with_hint(hint);
        }
        self.errors.push(d);
    }

    /// `value` when `ok`, else an error built by `problem` at the node.
    fn check<T>(
        &mut self,
        node: &Node,
        ok: bool,
        value: T,
        problem: impl FnOnce(&T) -> Diagnostic,
    ) -> Option<T> {
        if ok {
            return Some(value);
        }
        let d = problem(&value).at(self.doc.locate(node));
        self.errors.push(d);
        None
    }

    /// The entries of a group of settings with known keys; unknown keys are
    /// reported with the nearest known one.
    fn map<'n>(&mut self, node: &'n Node, keys: &[&str]) -> Option<Vec<(&'n str, &'n Node)>> {
        let Value::Map(entries) = &node.value else {
            if node.path.is_empty() {
                self.errors.push(
                    Diagnostic::error("book.yaml must be a list of `key: value` settings")
                        .at(self.doc.locate(node))
                        .with_hint("start with a line `title: The Title of the Book`"),
                );
            } else {
                self.wrong(
                    node,
                    "a group of settings, one `key: value` per line, indented under it",
                    "",
                );
            }
            return None;
        };
        let mut known = Vec::new();
        for (key, value) in entries {
            if keys.contains(&key.as_str()) {
                known.push((key.as_str(), value));
            } else {
                let at = self.doc.locate_key(&value.path);
                let section = path_name(&node.path);
                self.errors.push(
                    unknown_key(key, &section, keys)
                        .at(at)
                        .with_label("unknown key"),
                );
            }
        }
        Some(known)
    }

    /// Text; numbers and `true`/`false` are taken as written (`title: 1984`).
    fn text(&mut self, node: &Node) -> Option<String> {
        match &node.value {
            Value::Text(t) => Some(t.clone()),
            Value::Number { .. } | Value::Bool(_) => {
                let at = self.doc.locate(node);
                at.source()
                    .map(|s| s.text().to_string())
                    .or_else(|| Some(describe_scalar(&node.value)))
            }
            Value::Null => None,
            _ => {
                self.wrong(node, "text", "");
                None
            }
        }
    }

    /// A list of texts; one text alone is a list of one.
    fn texts(&mut self, node: &Node, what: &str) -> Vec<String> {
        match &node.value {
            Value::List(items) => items.iter().filter_map(|i| self.text(i)).collect(),
            Value::Null => Vec::new(),
            Value::Map(_) => {
                let key = last_key(node);
                self.wrong(
                    node,
                    &format!("a list of {what}"),
                    &format!("write `{key}: [First, Second]`, or one per line starting with `- `"),
                );
                Vec::new()
            }
            _ => self.text(node).into_iter().collect(),
        }
    }

    fn path(&mut self, node: &Node) -> Option<Located<PathBuf>> {
        let text = self.text(node)?;
        if text.trim().is_empty() {
            self.wrong(node, "a file path", "");
            return None;
        }
        Some(Located {
            value: PathBuf::from(text),
            at: node.path.clone(),
        })
    }

    fn flag(&mut self, node: &Node) -> Option<bool> {
        match node.value {
            Value::Bool(b) => Some(b),
            _ => {
                self.wrong(node, "true or false", "");
                None
            }
        }
    }

    /// A heading level, 1–6.
    fn level(&mut self, node: &Node) -> Option<u8> {
        match node.value {
            Value::Number { value, whole: true } if (1.0..=6.0).contains(&value) => {
                Some(value as u8)
            }
            _ => {
                let key = last_key(node);
                self.wrong(
                    node,
                    "a whole number from 1 to 6",
                    &format!("heading levels: 1 is `#`, 2 is `##`…; e.g. `{key}: 2`"),
                );
                None
            }
        }
    }

    /// A number within `range`; `unit` names it in the message.
    fn number(&mut self, node: &Node, range: (f64, f64), what: &str, hint: &str) -> Option<f64> {
        match node.value {
            Value::Number { value, .. } if value >= range.0 && value <= range.1 => Some(value),
            _ => {
                self.wrong(
                    node,
                    &format!("{what} from {} to {}", range.0, range.1),
                    hint,
                );
                None
            }
        }
    }

    fn length(&mut self, node: &Node) -> Option<Pt> {
        let parsed = match &node.value {
            Value::Number { value, .. } => Some(Pt(*value)),
            Value::Text(t) => parse_length(t),
            _ => None,
        };
        match parsed {
            Some(l) if l.0 > 0.0 => Some(l),
            _ => {
                self.wrong(
                    node,
                    "a length",
                    "write a number with a unit: `20mm`, `0.75in`, `54pt`, `2cm`",
                );
                None
            }
        }
    }

    fn chapters(&mut self, node: &Node) -> Option<Vec<ChapterEntry>> {
        let Value::List(items) = &node.value else {
            self.wrong(
                node,
                "a list of chapter files",
                "one per line starting with `- `, in reading order: `- 01-opening.md`",
            );
            return None;
        };
        let mut out = Vec::new();
        for item in items {
            match &item.value {
                Value::Map(_) => {
                    let Some(entries) = self.map(item, CHAPTER_KEYS) else {
                        continue;
                    };
                    let mut file = None;
                    let mut title = None;
                    for (key, value) in entries {
                        match key {
                            "file" => file = self.path(value),
                            _ => title = self.text(value),
                        }
                    }
                    match file {
                        Some(file) => out.push(ChapterEntry { file, title }),
                        None if !entries_have(item, "file") => self.errors.push(
                            Diagnostic::error("this chapter entry has no `file`")
                                .at(self.doc.locate(item))
                                .with_hint(
                                    "write `- file: 02-preface.md` and `title: Preface` under it",
                                ),
                        ),
                        None => {}
                    }
                }
                _ => {
                    if let Some(file) = self.path(item) {
                        out.push(ChapterEntry { file, title: None });
                    }
                }
            }
        }
        Some(out)
    }

    fn epub(&mut self, node: &Node) -> EpubSection {
        let mut e = EpubSection::default();
        for (key, value) in self.map(node, EPUB_KEYS).unwrap_or_default() {
            match key {
                "stylesheet" => e.stylesheet = self.path(value),
                "split-level" => e.split_level = self.level(value),
                "embed-fonts" => e.embed_fonts = self.flag(value),
                _ => e.nav_depth = self.level(value),
            }
        }
        e
    }

    fn pdf(&mut self, node: &Node) -> PdfSection {
        let mut p = PdfSection::default();
        for (key, value) in self.map(node, PDF_KEYS).unwrap_or_default() {
            match key {
                "page-size" => {
                    p.page_size = self.text(value).and_then(|t| match page_size(&t) {
                        Some(size) => Some(size),
                        None => {
                            self.errors.push(
                                Diagnostic::error(format!("unknown page size `{t}`"))
                                    .at(self.doc.locate(value))
                                    .with_hint(format!(
                                        "use {PAGE_SIZES}, or set width and height"
                                    )),
                            );
                            None
                        }
                    })
                }
                "width" => p.width = self.length(value),
                "height" => p.height = self.length(value),
                "margins" => {
                    for (side, v) in self.map(value, MARGIN_KEYS).unwrap_or_default() {
                        let l = self.length(v);
                        match side {
                            "top" => p.top = l,
                            "bottom" => p.bottom = l,
                            "inner" => p.inner = l,
                            _ => p.outer = l,
                        }
                    }
                }
                "font-size" => {
                    p.font_size = self.number(
                        value,
                        FONT_SIZE_RANGE,
                        "a number of points",
                        "books are set at 9–12 points; e.g. `font-size: 11`",
                    )
                }
                "leading" => {
                    p.leading = self
                        .number(
                            value,
                            (1.0, 300.0),
                            "a number of points",
                            "leading is the baseline distance, usually 1.2–1.5 × font-size",
                        )
                        .map(|v| Located {
                            value: v,
                            at: value.path.clone(),
                        })
                }
                "font-expansion" => {
                    p.font_expansion = self.number(
                        value,
                        (0.0, MAX_FONT_EXPANSION_PERCENT),
                        "a percentage",
                        "font expansion is a percentage from 0 (off) to 5; 2 is usual",
                    )
                }
                "chapters-on-recto" => p.chapters_on_recto = self.flag(value),
                "font-family" => p.font_family = self.family(value),
                "mono-family" => p.mono_family = self.family(value),
                "standard" => {
                    p.standard = self.text(value).and_then(|t| match t.trim() {
                        "ua-1" => Some(PdfStandard::Ua1),
                        "a-2b" => Some(PdfStandard::A2b),
                        "a-2a" => Some(PdfStandard::A2a),
                        "a-3b" => Some(PdfStandard::A3b),
                        "none" => Some(PdfStandard::None),
                        other => {
                            self.errors.push(
                                Diagnostic::error(format!(
                                    "`standard` must be `ua-1`, `a-2b`, `a-2a`, `a-3b` or `none`, not `{other}`"
                                ))
                                .at(self.doc.locate(value))
                                .with_hint(
                                    "`ua-1` (the default) is the accessible, tagged PDF; the \
                                     `a-` standards are for archives",
                                ),
                            );
                            None
                        }
                    })
                }
                "link-urls" => {
                    p.link_urls = self.text(value).and_then(|t| match t.trim() {
                        "footnote" => Some(LinkUrls::Footnote),
                        "inline" => Some(LinkUrls::Inline),
                        "none" => Some(LinkUrls::None),
                        other => {
                            self.errors.push(
                                Diagnostic::error(format!(
                                    "`link-urls` must be `footnote`, `inline` or `none`, not `{other}`"
                                ))
                                .at(self.doc.locate(value))
                                .with_hint(
                                    "how the PDF prints a link's web address: in a note at the \
                                     page foot (the default), in parentheses after the link, or not",
                                ),
                            );
                            None
                        }
                    })
                }
                _ => {
                    p.missing_glyphs = self.text(value).and_then(|t| match t.trim() {
                        "error" => Some(MissingGlyphs::Error),
                        "warn" => Some(MissingGlyphs::Warn),
                        other => {
                            self.errors.push(
                                Diagnostic::error(format!(
                                    "`missing-glyphs` must be `error` or `warn`, not `{other}`"
                                ))
                                .at(self.doc.locate(value))
                                .with_hint(
                                    "`error` (the default) stops the PDF when a character has \
                                     no font; `warn` prints empty boxes instead",
                                ),
                            );
                            None
                        }
                    })
                }
            }
        }
        p
    }

    /// The entries of a group whose keys the author chooses, as
    /// (key, text) pairs; `valid` says why a key is refused, if it is.
    fn open_map(
        &mut self,
        node: &Node,
        valid: impl Fn(&str) -> Result<(), (String, String)>,
    ) -> Vec<(String, String)> {
        let Value::Map(entries) = &node.value else {
            if !matches!(node.value, Value::Null) {
                self.wrong(node, "a group of `key: value` settings", "");
            }
            return Vec::new();
        };
        let mut out = Vec::new();
        for (key, value) in entries {
            if let Err((message, hint)) = valid(key) {
                let at = self.doc.locate_key(&value.path);
                self.errors
                    .push(Diagnostic::error(message).at(at).with_hint(hint));
                continue;
            }
            if let Some(text) = self.text(value) {
                out.push((key.clone(), text.trim().to_string()));
            }
        }
        out
    }

    /// `fonts:` — a family for each script, named by script or language.
    fn fonts(&mut self, node: &Node) -> Vec<(String, String)> {
        self.open_map(node, |key| {
            if crate::fonts::fallback::scripts_of_key(key).is_some() {
                Ok(())
            } else {
                Err((
                    format!("`fonts: {key}` names neither a script nor a language"),
                    "use a script (`Hani`, `Han`, `Arabic`, `Devanagari`) or a language tag \
                     (`ja`, `zh-Hant`, `ar`)"
                        .to_string(),
                ))
            }
        })
    }

    /// `labels:` — the book's own words for Folio's furniture.
    fn labels(&mut self, node: &Node) -> Vec<(String, String)> {
        self.open_map(node, |key| {
            let keys: Vec<&str> = crate::labels::Label::ALL.iter().map(|l| l.key()).collect();
            if keys.contains(&key) {
                return Ok(());
            }
            let hint = match keys.iter().map(|k| (strsim::levenshtein(key, k), *k)).min() {
                Some((d, k)) if d <= key.len().max(3) / 2 + 1 => format!("did you mean `{k}`?"),
                _ => format!("labels are {}", keys.join(", ")),
            };
            Err((format!("`labels: {key}` is not a label Folio prints"), hint))
        })
    }

    fn family(&mut self, node: &Node) -> Option<Located<String>> {
        let name = self.text(node)?;
        Some(Located {
            value: name,
            at: node.path.clone(),
        })
    }
}

fn entries_have(node: &Node, key: &str) -> bool {
    matches!(&node.value, Value::Map(e) if e.iter().any(|(k, _)| k == key))
}

/// The key a node is the value of (for a list item, the list's key).
fn last_key(node: &Node) -> String {
    node.path
        .iter()
        .rev()
        .find_map(|s| match s {
            Step::Key(k) => Some(k.clone()),
            Step::Index(_) => None,
        })
        .unwrap_or_else(|| "book.yaml".into())
}

/// What a message says must be so: `` `toc-depth` `` or, for a list
/// item, `` each entry of `chapters` ``.
fn subject(node: &Node) -> String {
    match node.path.last() {
        Some(Step::Index(_)) => format!("each entry of `{}`", last_key(node)),
        _ => format!("`{}`", last_key(node)),
    }
}

fn describe_scalar(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Number { value, .. } => value.to_string(),
        _ => String::new(),
    }
}

/// `unknown key `toc-dept`` with the nearest valid key, or the key's
/// section when it is misplaced.
fn unknown_key(key: &str, section: &str, keys: &[&str]) -> Diagnostic {
    let d = match section {
        "" => Diagnostic::error(format!("unknown key `{key}`")),
        s => Diagnostic::error(format!("unknown key `{key}` in `{s}`")),
    };
    if let Some((home, _)) = SECTIONS
        .iter()
        .find(|(s, ks)| *s != section && ks.contains(&key))
    {
        return d.with_hint(match *home {
            "" => format!("`{key}` is a top-level key: write it without indentation"),
            h => format!("`{key}` belongs under `{h}:`"),
        });
    }
    let best = keys.iter().map(|k| (strsim::levenshtein(key, k), *k)).min();
    match best {
        // Only suggest a key that is plausibly a typo of what was written.
        Some((distance, k)) if distance <= key.len().max(3) / 2 + 1 => {
            d.with_hint(format!("did you mean `{k}`?"))
        }
        _ => d.with_hint(format!("valid keys here: {}", keys.join(", "))),
    }
}

/// Named page sizes, width × height.
pub fn page_size(name: &str) -> Option<(Pt, Pt)> {
    let mm = Pt::from_mm;
    let inch = Pt::from_inches;
    Some(match name.trim().to_ascii_lowercase().as_str() {
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
pub fn is_bcp47(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    let primary_ok =
        matches!(primary.len(), 2 | 3 | 5..=8) && primary.chars().all(|c| c.is_ascii_alphabetic());
    primary_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

pub fn is_date(s: &str) -> bool {
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
    use std::sync::Arc;

    use super::*;
    use crate::diag::SourceFile;

    fn errors(yaml: &str) -> Vec<Diagnostic> {
        let file = Arc::new(SourceFile::new("book/book.yaml".into(), yaml.into()));
        let doc = super::super::yaml::parse(file).unwrap();
        read(&doc).unwrap_err()
    }

    fn settings(yaml: &str) -> Settings {
        let file = Arc::new(SourceFile::new("book/book.yaml".into(), yaml.into()));
        read(&super::super::yaml::parse(file).unwrap()).unwrap()
    }

    #[test]
    fn unknown_key_names_key_location_and_suggestion() {
        let e = errors("title: X\nlanguag: en\n");
        assert_eq!(e[0].message, "unknown key `languag`");
        assert_eq!(e[0].location, Some(Location::at("book/book.yaml", 2, 1)));
        assert_eq!(e[0].hint.as_deref(), Some("did you mean `language`?"));
    }

    #[test]
    fn unknown_nested_key_is_located() {
        let e = errors("title: X\npdf:\n  font-sise: 11\n");
        assert_eq!(e[0].message, "unknown key `font-sise` in `pdf`");
        assert_eq!(e[0].location.as_ref().and_then(|l| l.line()), Some(3));
        assert_eq!(e[0].hint.as_deref(), Some("did you mean `font-size`?"));
    }

    #[test]
    fn a_misplaced_key_is_sent_to_its_section() {
        let e = errors("title: X\nfont-size: 11\n");
        assert_eq!(
            e[0].hint.as_deref(),
            Some("`font-size` belongs under `pdf:`")
        );
    }

    #[test]
    fn wrong_types_speak_the_book_s_terms() {
        let e =
            errors("title: X\ntoc-depth: deep\npdf:\n  font-size: big\n  chapters-on-recto: 1\n");
        let messages: Vec<&str> = e.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`toc-depth` must be a whole number from 1 to 6",
                "`font-size` must be a number of points from 4 to 72",
                "`chapters-on-recto` must be true or false",
            ]
        );
        let lines: Vec<_> = e
            .iter()
            .map(|d| d.location.as_ref().unwrap().to_string())
            .collect();
        assert_eq!(
            lines,
            [
                "book/book.yaml:2:12",
                "book/book.yaml:4:14",
                "book/book.yaml:5:22"
            ]
        );
        assert_eq!(e[0].label(), Some("this is the text `deep`"));
    }

    #[test]
    fn out_of_range_is_the_same_message() {
        let e = errors("title: X\ntoc-depth: 9\n");
        assert_eq!(
            e[0].message,
            "`toc-depth` must be a whole number from 1 to 6"
        );
    }

    #[test]
    fn numbers_are_text_where_text_is_wanted() {
        let s = settings("title: 1984\ndate: 2024\nauthors: Jane Doe\n");
        assert_eq!(s.title.as_deref(), Some("1984"));
        assert_eq!(s.date.as_deref(), Some("2024"));
        assert_eq!(s.authors, ["Jane Doe"]);
    }

    #[test]
    fn chapters_accept_paths_and_titled_entries() {
        let s = settings("title: X\nchapters:\n  - a.md\n  - file: b.md\n    title: Preface\n");
        let c = s.chapters.unwrap();
        assert_eq!(c[0].file.value, PathBuf::from("a.md"));
        assert_eq!(
            (c[1].file.value.clone(), c[1].title.as_deref()),
            (PathBuf::from("b.md"), Some("Preface"))
        );
        assert_eq!(
            c[1].file.at,
            [
                Step::Key("chapters".into()),
                Step::Index(1),
                Step::Key("file".into())
            ]
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
}
