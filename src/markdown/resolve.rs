//! Links and images against the book: the last step of parsing.
//!
//! A link becomes a place in the book (a chapter and an id), or a web or
//! mail address, percent-encoded so every reader and validator accepts it;
//! anything else keeps its text, with a warning, and loses the link. An
//! image becomes a checked local file; a remote, missing or unusable one
//! keeps its alt text in its place in both outputs, with a warning (an
//! error under `--strict`).

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use crate::config::inside_root;
use crate::diag::{Diagnostic, SourceMap, Span};
use crate::model::{
    plain_text, walk, walk_mut, BlockKind, Chapter, Image, Inline, InlineKind, LinkTarget,
};
use crate::url::{percent_decode, percent_encode};

/// Image file types an EPUB may carry as core media types and the PDF can draw.
const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "gif", "svg", "webp"];

/// URL schemes a link may keep: the web's and mail's. Others (`file:`,
/// `javascript:`, a Rust path like `Report::new` read as a scheme) lead
/// nowhere from a book.
const LINK_SCHEMES: &[&str] = &["http", "https", "mailto", "ftp"];

/// Chapter file extensions a link may name; `.html` is how books made by
/// other tools link their chapters.
const CHAPTER_EXTENSIONS: &[&str] = &["md", "markdown"];

/// Where each id lives, for resolving `#id` and `file.md#id` links.
struct Targets {
    by_id: BTreeMap<String, usize>,
    by_path: BTreeMap<PathBuf, usize>,
    /// Numbers of labelled equations, by id.
    equations: BTreeMap<String, String>,
    /// Per chapter, each heading's id under the names other tools give it
    /// (mdBook: `whats-new` for "What's New?", the same name in every
    /// chapter), folded by [`loose`], first heading first.
    local: Vec<BTreeMap<String, String>>,
}

/// Turns link URLs into book targets and image URLs into checked paths.
pub fn resolve(
    root: &Path,
    chapters: &mut [Chapter],
    map: &SourceMap,
    problems: &mut Vec<Diagnostic>,
) {
    let mut targets = Targets {
        by_id: BTreeMap::new(),
        by_path: BTreeMap::new(),
        equations: BTreeMap::new(),
        local: Vec::new(),
    };
    let equations = std::cell::RefCell::new(BTreeMap::new());
    for (i, ch) in chapters.iter().enumerate() {
        // The first chapter of a file is its start (a one-file book's
        // chapters share one path).
        targets.by_path.entry(normalize(&ch.path)).or_insert(i);
        let ids = std::cell::RefCell::new(Vec::new());
        let local = std::cell::RefCell::new(BTreeMap::new());
        let notes = ch.footnotes.iter().map(|n| &n.blocks);
        for blocks in std::iter::once(&ch.blocks).chain(notes) {
            walk(
                blocks,
                &mut |block| match &block.kind {
                    BlockKind::Heading(h) => {
                        ids.borrow_mut().push(h.id.clone());
                        let mut local = local.borrow_mut();
                        for name in [h.id.clone(), plain_text(&h.content)] {
                            local.entry(loose(&name)).or_insert_with(|| h.id.clone());
                        }
                    }
                    BlockKind::Division(d) => ids.borrow_mut().extend(d.attrs.id.clone()),
                    BlockKind::Math(f) => {
                        if let (Some(id), Some(tag)) = (&f.id, &f.tag) {
                            ids.borrow_mut().push(id.clone());
                            equations.borrow_mut().insert(id.clone(), tag.clone());
                        }
                    }
                    _ => {}
                },
                &mut |inline| match &inline.kind {
                    InlineKind::Anchor(id) => ids.borrow_mut().push(id.clone()),
                    InlineKind::Span { attrs, .. } => ids.borrow_mut().extend(attrs.id.clone()),
                    _ => {}
                },
            );
        }
        for id in ids.into_inner() {
            targets.by_id.insert(id, i);
        }
        for note in &ch.footnotes {
            targets.by_id.insert(note.id.clone(), i);
        }
        targets.local.push(local.into_inner());
    }
    targets.equations = equations.into_inner();
    for chapter in chapters.iter_mut() {
        let cx = Resolver {
            root,
            dir: chapter.path.parent().unwrap_or(Path::new("")).to_path_buf(),
            targets: &targets,
            map,
        };
        let found = std::cell::RefCell::new(Vec::new());
        let notes = chapter.footnotes.iter_mut().map(|n| &mut n.blocks);
        for blocks in std::iter::once(&mut chapter.blocks).chain(notes) {
            walk_mut(
                blocks,
                &mut |block| {
                    let span = block.span;
                    if let BlockKind::Image(img) = &mut block.kind {
                        cx.image(img, span, &mut found.borrow_mut());
                    }
                },
                &mut |run| cx.inlines(run, &mut found.borrow_mut()),
            );
        }
        problems.extend(found.into_inner());
    }
}

struct Resolver<'a> {
    root: &'a Path,
    /// The chapter's folder, relative to the book root.
    dir: PathBuf,
    targets: &'a Targets,
    map: &'a SourceMap,
}

impl Resolver<'_> {
    /// Resolves the links and images directly in `run` (the walk visits
    /// the runs inside them).
    fn inlines(&self, run: &mut Vec<Inline>, problems: &mut Vec<Diagnostic>) {
        let mut out = Vec::with_capacity(run.len());
        for mut inline in std::mem::take(run) {
            let span = inline.span;
            match &mut inline.kind {
                InlineKind::Image(img) => self.image(img, span, problems),
                InlineKind::Link(link) => {
                    let LinkTarget::External(url) = &link.target else {
                        out.push(inline);
                        continue;
                    };
                    match self.link_target(url) {
                        Ok(target) => {
                            // `[](#eq-label)`: the equation's number.
                            if let LinkTarget::Internal { id: Some(id), .. } = &target {
                                if let (true, Some(tag)) =
                                    (link.content.is_empty(), self.targets.equations.get(id))
                                {
                                    link.content.push(Inline::new(
                                        InlineKind::Text(format!("({tag})")),
                                        span,
                                    ));
                                }
                            }
                            link.target = target;
                            if link.content.is_empty() {
                                continue;
                            }
                        }
                        Err(why) => {
                            problems.push(
                                Diagnostic::warning(format!(
                                    "link to `{url}` {why}; its text is kept without the link"
                                ))
                                .at(self.map.locate(span)),
                            );
                            out.append(&mut link.content);
                            continue;
                        }
                    }
                }
                _ => {}
            }
            out.push(inline);
        }
        *run = out;
    }

    fn link_target(&self, url: &str) -> Result<LinkTarget, String> {
        let url = url.trim();
        if url.is_empty() {
            return Err("is empty".into());
        }
        if let Some(scheme) = scheme(url) {
            if !LINK_SCHEMES.iter().any(|s| s.eq_ignore_ascii_case(scheme)) {
                return Err(format!(
                    "has a scheme (`{scheme}:`) that is neither the web's nor mail's"
                ));
            }
            return Ok(LinkTarget::External(percent_encode(url)));
        }
        if url.starts_with("//") {
            return Ok(LinkTarget::External(percent_encode(&format!(
                "https:{url}"
            ))));
        }
        let (path, fragment) = match url.split_once('#') {
            Some((p, f)) => (p, Some(percent_decode(f))),
            None => (url, None),
        };
        let path = percent_decode(path.split('?').next().unwrap_or(""));
        let chapter = if path.is_empty() {
            match fragment.as_deref().and_then(|f| self.targets.by_id.get(f)) {
                Some(&c) => c,
                None => return Err("points to no heading, anchor or footnote in the book".into()),
            }
        } else {
            match self.chapter_at(&path) {
                Some(c) => c,
                None => return Err("is not a chapter of this book".into()),
            }
        };
        let id = match fragment.as_deref() {
            None | Some("") => None,
            Some(f) if self.targets.by_id.get(f) == Some(&chapter) => Some(f.to_string()),
            // A heading named as another tool names it (mdBook's ids are
            // unique per page, Folio's per book).
            Some(f) => match self.targets.local[chapter].get(&loose(f)) {
                Some(id) => Some(id.clone()),
                None => return Err("points to an id that is not in that chapter".into()),
            },
        };
        Ok(LinkTarget::Internal { chapter, id })
    }

    /// The chapter a relative link path names: the file itself, or the
    /// Markdown file a `.html` link stands for (mdBook serves README.md
    /// as index.html).
    fn chapter_at(&self, path: &str) -> Option<usize> {
        let target = normalize(&self.dir.join(path));
        if let Some(&c) = self.targets.by_path.get(&target) {
            return Some(c);
        }
        let ext = target.extension()?.to_string_lossy().to_ascii_lowercase();
        if ext != "html" && ext != "htm" {
            return None;
        }
        let readme = (target.file_stem()? == "index").then(|| target.with_file_name("README.md"));
        CHAPTER_EXTENSIONS
            .iter()
            .map(|e| target.with_extension(e))
            .chain(readme)
            .find_map(|p| self.targets.by_path.get(&p).copied())
    }

    /// Checks a local image and records its path; anything else keeps its
    /// alt text in its place, with a warning.
    fn image(&self, img: &mut Image, span: Span, problems: &mut Vec<Diagnostic>) {
        let located = self.map.locate(span);
        if img.alt.trim().is_empty() {
            problems.push(
                // The PDF cannot tag it as a Figure (it stays decoration):
                // `--strict` makes this an error.
                Diagnostic::warning(format!("image `{}` has no alt text", img.url))
                    .at(located.clone())
                    .with_hint(
                        "describe the image for readers who cannot see it: ![description](file.png)",
                    )
                    .strict(),
            );
        }
        let url = img.url.trim();
        if scheme(url).is_some() || url.starts_with("//") {
            problems.push(
                Diagnostic::warning(format!(
                    "remote image `{url}` is not fetched; its alt text stands in"
                ))
                .at(located)
                .with_hint("download the image into the book folder to include it"),
            );
            return;
        }
        let relative = self.dir.join(percent_decode(url));
        let ext = relative
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let problem = match inside_root(self.root, &relative) {
            _ if url.is_empty() => Some(("has no file name".to_string(), "")),
            Err(why) if Path::new(url).is_absolute() => Some((
                why.to_string(),
                "paths are relative to the chapter file; an absolute path would differ on every machine",
            )),
            Err(why) => Some((
                why.to_string(),
                "images must be inside the book folder; paths are relative to the chapter file",
            )),
            Ok(abs) if !abs.is_file() => {
                Some(("not found".to_string(), "paths are relative to the chapter file"))
            }
            Ok(_) if !IMAGE_EXTENSIONS.contains(&ext.as_str()) => Some((
                "is not a PNG, JPEG, GIF, WebP or SVG file".to_string(),
                "convert it to PNG or JPEG",
            )),
            Ok(abs) => {
                img.path = Some(abs);
                None
            }
        };
        if let Some((why, hint)) = problem {
            let mut d = Diagnostic::warning(format!("image `{url}` {why}; its alt text stands in"))
                .at(located)
                .strict();
            if !hint.is_empty() {
                d = d.with_hint(hint);
            }
            problems.push(d);
        }
    }
}

/// A name folded so that ids made by different rules meet: lower case,
/// letters and digits (with their combining marks) only (`What's New?`,
/// `whats-new` and `whats_new` all give `whatsnew`).
fn loose(name: &str) -> String {
    name.chars()
        .filter(|&c| c.is_alphanumeric() || crate::ids::is_mark(c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The scheme of an absolute URL (`https` of `https://…`), if it has one.
fn scheme(url: &str) -> Option<&str> {
    let (scheme, _) = url.split_once(':')?;
    let ok = scheme.len() > 1
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    ok.then_some(scheme)
}

/// `a/./b/../c.md` → `a/c.md`, purely lexically.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        assert_eq!(scheme("https://x"), Some("https"));
        assert_eq!(scheme("Report::with_source_code"), Some("Report"));
        assert_eq!(scheme("c:x"), None);
        assert_eq!(scheme("ch1.md#a:b"), None);
    }
}
