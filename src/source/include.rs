//! mdBook's `{{#…}}` directives, expanded where they stand, before the
//! Markdown is parsed (as mdBook's `links` preprocessor does, in code
//! blocks and out):
//!
//! - `{{#include file}}` — the file's text; `file:5` its line 5,
//!   `file:2:10` lines 2 to 10, `file:2:` from line 2, `file::10` up to
//!   line 10, `file:name` the lines between `ANCHOR: name` and
//!   `ANCHOR_END: name`. Lines that mark anchors are never included.
//! - `{{#rustdoc_include file…}}` — the same selection: mdBook includes
//!   the rest of the file as hidden `# ` lines, which no reader of a book
//!   sees, so only the selection is included.
//! - `{{#playground file…}}` (and its old name `playpen`) — the file, as
//!   `include`; the attributes after it concern mdBook's web page.
//! - `{{#title …}}` — the web page's title: nothing in a book.
//! - `\{{#…}}` — the directive's text itself, without the backslash.
//!
//! Any other `{{#name …}}` is kept as written, with a warning at it.
//! Included files may include others, up to [`MAX_INCLUDE_DEPTH`] deep.
//! Text is copied as [`Piece`]s of the files it comes from, so a problem
//! in included lines is reported at the included file's line.

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::config::inside_root;
use crate::diag::{Diagnostic, FileId, Piece, Span};

use super::Reader;

/// How deep includes may nest: mdBook stops at the same depth, and a file
/// including itself stops here too.
pub const MAX_INCLUDE_DEPTH: usize = 10;

/// Directives Folio knows, for the hint of an unknown one.
const KNOWN: &str = "{{#include}}, {{#rustdoc_include}}, {{#playground}} and {{#title}}";

/// Whether a text may hold a directive (cheap test before composing).
pub fn has_directive(text: &str) -> bool {
    text.contains("{{")
}

/// A directive found in a text.
#[derive(Debug, PartialEq, Eq)]
struct Directive<'t> {
    /// Byte range of the whole `{{#…}}` (with the backslash, if escaped).
    range: Range<usize>,
    escaped: bool,
    name: &'t str,
    args: &'t str,
}

/// The next directive at or after `from`.
fn next_directive(text: &str, mut from: usize) -> Option<Directive<'_>> {
    loop {
        let open = from + text.get(from..)?.find("{{")?;
        from = open + 2;
        let rest = &text[open + 2..];
        let trimmed = rest.trim_start_matches([' ', '\t']);
        let Some(after_hash) = trimmed.strip_prefix('#') else {
            continue;
        };
        let name_len = after_hash
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after_hash.len());
        if name_len == 0 {
            continue;
        }
        let name = &after_hash[..name_len];
        let tail = &after_hash[name_len..];
        let Some(close) = tail.find("}}") else {
            continue;
        };
        let inner = &tail[..close];
        // `{{#name args}}`: the arguments are separated by white space and
        // hold no brace or line break.
        if inner.contains(['{', '}', '\n']) || !(inner.is_empty() || inner.starts_with([' ', '\t']))
        {
            continue;
        }
        let end = text.len() - tail.len() + close + 2;
        let escaped = open > 0 && text.as_bytes()[open - 1] == b'\\';
        return Some(Directive {
            range: if escaped { open - 1..end } else { open..end },
            escaped,
            name,
            args: inner.trim(),
        });
    }
}

/// Which lines of a file an include takes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Selection {
    All,
    /// 1-based, inclusive; `None` for an open end.
    Lines(Option<usize>, Option<usize>),
    Anchor(String),
}

/// `file.rs`, `file.rs:3`, `file.rs:2:10`, `file.rs::10`, `file.rs:name`.
fn parse_target(target: &str) -> Result<(&str, Selection), String> {
    let Some((path, sel)) = target.split_once(':') else {
        return Ok((target, Selection::All));
    };
    let number = |s: &str| -> Result<Option<usize>, String> {
        if s.is_empty() {
            return Ok(None);
        }
        s.parse::<usize>()
            .map(Some)
            .map_err(|_| format!("`{s}` is not a line number"))
    };
    match sel.split_once(':') {
        Some((a, b)) => Ok((path, Selection::Lines(number(a)?, number(b)?))),
        None if sel.chars().all(|c| c.is_ascii_digit()) && !sel.is_empty() => {
            let n = number(sel)?;
            Ok((path, Selection::Lines(n, n)))
        }
        None if !sel.is_empty() => Ok((path, Selection::Anchor(sel.to_string()))),
        None => Ok((path, Selection::All)),
    }
}

/// Byte ranges of the lines `sel` takes from `text` (each line with its
/// break), anchor marker lines left out; `Err` names a missing anchor.
fn select(text: &str, sel: &Selection) -> Result<Vec<Range<usize>>, ()> {
    let mut lines = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let end = text[start..]
            .find('\n')
            .map_or(text.len(), |i| start + i + 1);
        lines.push(start..end);
        start = end;
    }
    let marks = |line: &str, what: &str| -> Option<String> {
        let at = line.find(what)? + what.len();
        let name: String = line[at..]
            .trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        Some(name)
    };
    let is_marker =
        |line: &str| marks(line, "ANCHOR:").is_some() || marks(line, "ANCHOR_END:").is_some();
    let chosen: Vec<Range<usize>> = match sel {
        Selection::All => lines,
        Selection::Lines(a, b) => {
            let first = a.unwrap_or(1).max(1) - 1;
            let last = b.unwrap_or(lines.len()).min(lines.len());
            lines.get(first..last.max(first)).unwrap_or(&[]).to_vec()
        }
        Selection::Anchor(name) => {
            let begin = lines
                .iter()
                .position(|l| marks(&text[l.clone()], "ANCHOR:").as_deref() == Some(name))
                .ok_or(())?;
            let end = lines[begin + 1..]
                .iter()
                .position(|l| marks(&text[l.clone()], "ANCHOR_END:").as_deref() == Some(name))
                .map_or(lines.len(), |i| begin + 1 + i);
            lines[begin + 1..end].to_vec()
        }
    };
    // Adjacent kept lines become one range.
    let mut out: Vec<Range<usize>> = Vec::new();
    for line in chosen.into_iter().filter(|l| !is_marker(&text[l.clone()])) {
        match out.last_mut() {
            Some(last) if last.end == line.start => last.end = line.end,
            _ => out.push(line),
        }
    }
    // The directive's own line break follows the included text, as in
    // mdBook: the last included line gives up its break.
    if let Some(last) = out.last_mut() {
        if text[last.clone()].ends_with('\n') {
            last.end -= 1;
            if text[last.clone()].ends_with('\r') {
                last.end -= 1;
            }
        }
        if last.start == last.end {
            out.pop();
        }
    }
    Ok(out)
}

/// Builds one chapter's text out of pieces of files.
pub(super) struct Composer {
    text: String,
    pieces: Vec<Piece>,
}

impl Composer {
    pub fn new(_dir: &Path) -> Composer {
        Composer {
            text: String::new(),
            pieces: Vec::new(),
        }
    }

    pub fn finish(self) -> (String, Vec<Piece>) {
        (self.text, self.pieces)
    }

    /// Copies `range` of `file` as it is.
    fn copy(&mut self, reader: &Reader, file: FileId, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        let at = self.text.len();
        self.text
            .push_str(&reader.map.get(file).text[range.clone()]);
        self.pieces.push(Piece {
            at: at as u32,
            len: range.len() as u32,
            file,
            from: range.start as u32,
            exact: true,
        });
    }

    /// `range` of `file` (whose folder in the book is `dir`), its
    /// directives expanded.
    pub fn expand(
        &mut self,
        reader: &mut Reader,
        file: FileId,
        range: Range<usize>,
        dir: &Path,
        depth: usize,
    ) {
        let mut at = range.start;
        loop {
            let text = &reader.map.get(file).text;
            let found = next_directive(&text[..range.end], at);
            let Some(d) = found else {
                self.copy(reader, file, at..range.end);
                return;
            };
            let (start, end, name, args, escaped) = (
                d.range.start,
                d.range.end,
                d.name.to_string(),
                d.args.to_string(),
                d.escaped,
            );
            self.copy(reader, file, at..start);
            at = end;
            let span = Span::new(file, start..end);
            if escaped {
                // `\{{#…}}`: the directive as text, without the backslash.
                self.copy(reader, file, start + 1..end);
                continue;
            }
            match name.as_str() {
                "include" | "rustdoc_include" | "playground" | "playpen" => {
                    let target = args.split_whitespace().next().unwrap_or("");
                    self.include(reader, span, target, dir, depth);
                }
                "title" => {}
                _ => {
                    reader.problems.push(
                        Diagnostic::warning(format!(
                            "`{{{{#{name}}}}}` is not a directive Folio knows; it is printed as written"
                        ))
                        .at(reader.map.locate(span))
                        .with_hint(format!(
                            "Folio expands {KNOWN}; write the text it stands for, or escape it \
                             as `\\{{{{#{name} …}}}}` to print it on purpose"
                        )),
                    );
                    self.copy(reader, file, start..end);
                }
            }
        }
    }

    /// Expands one include directive at `span`.
    fn include(&mut self, reader: &mut Reader, span: Span, target: &str, dir: &Path, depth: usize) {
        let at = reader.map.locate(span);
        let fail = |reader: &mut Reader, message: String, hint: &str| {
            reader.problems.push(
                Diagnostic::error(message)
                    .at(at.clone())
                    .with_hint(hint.to_string()),
            );
        };
        if depth >= MAX_INCLUDE_DEPTH {
            fail(
                reader,
                format!("includes nest deeper than {MAX_INCLUDE_DEPTH} files"),
                "a file may be including itself, directly or through others",
            );
            return;
        }
        let (path, selection) = match parse_target(target) {
            Ok(t) => t,
            Err(why) => {
                fail(
                    reader,
                    format!("cannot read the include target `{target}`: {why}"),
                    "write `file`, `file:5`, `file:2:10`, `file:2:`, `file::10` or `file:anchor`",
                );
                return;
            }
        };
        if path.is_empty() {
            fail(
                reader,
                "the include names no file".into(),
                "write `{{#include file.rs}}`",
            );
            return;
        }
        let relative = normalize(&dir.join(path));
        let abs = match inside_root(&reader.config.root, &relative) {
            Ok(abs) => abs,
            Err(why) => {
                fail(
                    reader,
                    format!("included file `{path}` {why}"),
                    "included files must be inside the book folder",
                );
                return;
            }
        };
        if !abs.is_file() {
            fail(
                reader,
                format!("included file `{path}` not found"),
                "paths in a directive are relative to the file that holds it",
            );
            return;
        }
        let shown = super::display_path(reader.config, &relative);
        let Some(included) = reader.read(&abs, &shown, Some(&at)) else {
            return;
        };
        let ranges = match select(&reader.map.get(included).text, &selection) {
            Ok(r) => r,
            Err(()) => {
                let Selection::Anchor(name) = &selection else {
                    unreachable!("only an anchor can be missing");
                };
                fail(
                    reader,
                    format!("anchor `{name}` not found in `{path}`"),
                    "mark the lines with `ANCHOR: name` and `ANCHOR_END: name` comments",
                );
                return;
            }
        };
        let included_dir = super::parent(&relative);
        for range in ranges {
            self.expand(reader, included, range, &included_dir, depth + 1);
        }
    }
}

/// `a/./b/../c` → `a/c`, lexically (an include may climb out of its
/// chapter's folder: `../listings/x.rs`).
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_are_found_with_their_arguments() {
        let t = "a {{#include x.rs:2:3}} b \\{{#include y}} {{ #title T }} {{name}} {{#each}}";
        let d = next_directive(t, 0).unwrap();
        assert_eq!((d.name, d.args, d.escaped), ("include", "x.rs:2:3", false));
        assert_eq!(&t[d.range.clone()], "{{#include x.rs:2:3}}");
        let e = next_directive(t, d.range.end).unwrap();
        assert!(e.escaped);
        assert_eq!(&t[e.range.clone()], "\\{{#include y}}");
        let f = next_directive(t, e.range.end).unwrap();
        assert_eq!((f.name, f.args), ("title", "T"));
        let g = next_directive(t, f.range.end).unwrap();
        assert_eq!((g.name, g.args), ("each", ""));
        assert!(next_directive(t, g.range.end).is_none());
    }

    #[test]
    fn targets_and_selections() {
        assert_eq!(parse_target("a.rs"), Ok(("a.rs", Selection::All)));
        assert_eq!(
            parse_target("a.rs:3"),
            Ok(("a.rs", Selection::Lines(Some(3), Some(3))))
        );
        assert_eq!(
            parse_target("a.rs:2:"),
            Ok(("a.rs", Selection::Lines(Some(2), None)))
        );
        assert_eq!(
            parse_target("a.rs::4"),
            Ok(("a.rs", Selection::Lines(None, Some(4))))
        );
        assert_eq!(
            parse_target("a.rs:main"),
            Ok(("a.rs", Selection::Anchor("main".into())))
        );
        assert!(parse_target("a.rs:x:2").is_err());
        let text = "one\n// ANCHOR: main\ntwo\nthree\n// ANCHOR_END: main\nfour\n";
        let pick = |sel: Selection| -> String {
            select(text, &sel)
                .unwrap()
                .into_iter()
                .map(|r| &text[r])
                .collect()
        };
        assert_eq!(pick(Selection::Anchor("main".into())), "two\nthree");
        assert_eq!(pick(Selection::Lines(Some(1), Some(3))), "one\ntwo");
        assert_eq!(pick(Selection::All), "one\ntwo\nthree\nfour");
        assert!(select(text, &Selection::Anchor("nope".into())).is_err());
    }
}
