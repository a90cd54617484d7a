//! Diagnostics as the user reads them: the message, `--> file:line:col`,
//! the source line with a caret under the place, notes and a hint — the
//! shape rustc and cargo print, drawn by annotate-snippets (rustc's own
//! renderer). Plain text when not on a terminal, so output in pipes and
//! tests is stable; ANSI colour when asked or on a terminal.
//!
//! annotate-snippets was chosen over codespan-reporting (both tried): its
//! plain output is ASCII and the same layout as the coloured one less the
//! escapes, it renders to a string from borrowed text (no file database to
//! fill, no termcolor writer), it names a `hint` as such, and its only new
//! dependencies here were itself and `anstyle`, already in the tree.
//!
//! Repeated problems of one kind (a character no font has, met 1,225 times)
//! are grouped: the first is printed in full, followed by how many more
//! there are and where the next few are.

use std::borrow::Cow;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer as Snippets, Snippet};

use super::{Diagnostic, Severity};

/// Diagnostics of one kind printed in full before the rest are grouped:
/// two or three image warnings read well one by one, a hundred do not.
pub const GROUP_AFTER: usize = 3;
/// Places listed for the rest of a group, after its first diagnostic.
pub const PLACES_LISTED: usize = 3;

/// Prints diagnostics, plain or in colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Renderer {
    pub color: bool,
}

impl Renderer {
    pub fn plain() -> Renderer {
        Renderer { color: false }
    }

    pub fn colored() -> Renderer {
        Renderer { color: true }
    }

    /// One diagnostic, with its source line when the location has the text.
    pub fn render(&self, d: &Diagnostic) -> String {
        self.render_with(d, None)
    }

    /// Every diagnostic, repeated kinds grouped ([`group`]), separated by
    /// blank lines, ending in a newline (empty for none).
    pub fn render_all(&self, diagnostics: &[Diagnostic]) -> String {
        let mut out = String::new();
        for g in group(diagnostics) {
            if g.members.len() <= GROUP_AFTER {
                for d in &g.members {
                    out.push_str(&self.render(d));
                    out.push_str("\n\n");
                }
            } else {
                let note = group_note(&g.members);
                out.push_str(&self.render_with(g.members[0], Some(note)));
                out.push_str("\n\n");
            }
        }
        out
    }

    fn render_with(&self, d: &Diagnostic, extra_note: Option<String>) -> String {
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
            Severity::Note => Level::NOTE,
        };
        let mut group = Group::with_title(level.primary_title(d.message.as_str()));
        if let Some(loc) = &d.location {
            let path = loc.path.to_string_lossy();
            if let Some(src) = loc.source() {
                // Only the line the problem starts on is shown: a span may
                // cover a whole paragraph, and the caret says where it starts.
                let line = src.file.line_range(src.range().start);
                let text = &src.file.text[line.clone()];
                let range = src.range();
                let start = range.start.clamp(line.start, line.end);
                let end = range.end.clamp(start, line.end);
                let mut annotation =
                    AnnotationKind::Primary.span(start - line.start..end - line.start);
                if let Some(label) = d.label() {
                    annotation = annotation.label(label);
                }
                group = group.element(
                    Snippet::source(text)
                        .line_start(src.line_col().0)
                        .path(path)
                        .annotation(annotation),
                );
            } else {
                let mut origin = Origin::path(path);
                if let (Some(line), Some(column)) = (loc.line(), loc.column()) {
                    origin = origin.line(line).char_column(column);
                }
                group = group.element(origin);
            }
        }
        for note in d
            .notes()
            .iter()
            .map(String::as_str)
            .chain(extra_note.as_deref())
        {
            group = group.element(Level::NOTE.message(note));
        }
        if let Some(hint) = &d.hint {
            group = group.element(Level::HELP.with_name("hint").message(hint.as_str()));
        }
        let renderer = if self.color {
            Snippets::styled()
        } else {
            Snippets::plain()
        };
        renderer.render(&[group])
    }
}

/// Diagnostics of one kind, in the order they were found.
#[derive(Debug)]
pub struct Grouped<'a> {
    pub members: Vec<&'a Diagnostic>,
}

/// Gathers diagnostics of the same kind — same severity and hint, and the
/// same message once the quoted parts (`` `x` ``, `U+0041`) are set aside —
/// keeping the order of each kind's first appearance.
pub fn group(diagnostics: &[Diagnostic]) -> Vec<Grouped<'_>> {
    let mut groups: Vec<Grouped> = Vec::new();
    let mut keys: std::collections::HashMap<(Severity, String, Option<&str>), usize> =
        std::collections::HashMap::new();
    for d in diagnostics {
        let key = (d.severity, template(&d.message), d.hint.as_deref());
        match keys.get(&key) {
            Some(&i) => groups[i].members.push(d),
            None => {
                keys.insert(key, groups.len());
                groups.push(Grouped { members: vec![d] });
            }
        }
    }
    groups
}

/// A message with what varies between problems of one kind blanked out.
fn template(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quoted = false;
    let mut chars = message.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '`' {
            quoted = !quoted;
            out.push(c);
        } else if quoted {
            continue;
        } else if c == 'U' && chars.peek() == Some(&'+') {
            out.push_str("U+");
            chars.next();
            while chars.peek().is_some_and(char::is_ascii_hexdigit) {
                chars.next();
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `1,224 more like this (1,225 in all): `ñ` at a.md:3:5, …, and 1,221 more`.
fn group_note(members: &[&Diagnostic]) -> String {
    let rest = &members[1..];
    let places: Vec<String> = rest
        .iter()
        .take(PLACES_LISTED)
        .map(|d| {
            let what = first_quoted(&d.message).map(|q| format!("`{q}`"));
            let place = d.location.as_ref().map(|l| l.to_string());
            match (what, place) {
                (Some(w), Some(p)) => format!("{w} at {p}"),
                (Some(w), None) => w,
                (None, Some(p)) => p,
                (None, None) => "(no place)".into(),
            }
        })
        .collect();
    let mut note = format!(
        "{} more like this ({} in all): {}",
        thousands(rest.len()),
        thousands(members.len()),
        places.join(", ")
    );
    if rest.len() > PLACES_LISTED {
        note.push_str(&format!(
            ", and {} more",
            thousands(rest.len() - PLACES_LISTED)
        ));
    }
    note
}

fn first_quoted(message: &str) -> Option<Cow<'_, str>> {
    let rest = message.split_once('`')?.1;
    let (q, _) = rest.split_once('`')?;
    Some(Cow::Borrowed(q))
}

/// `1225` → `1,225`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Location, SourceMap, Span};

    #[test]
    fn a_diagnostic_stays_small() {
        // Results carry it by value: clippy's large-error bound is 128 bytes.
        assert!(std::mem::size_of::<Diagnostic>() <= 128);
    }

    fn book_line() -> (SourceMap, Location) {
        let mut map = SourceMap::default();
        let id = map.add(
            "book/02.md".into(),
            "# Two\n\nSee ![a map](map.png) here.\n".into(),
        );
        let loc = map.locate(Span::new(id, 11..29));
        (map, loc)
    }

    #[test]
    fn shows_the_line_and_a_caret_under_the_span() {
        let (_map, loc) = book_line();
        let d = Diagnostic::error("image `map.png` not found")
            .at(loc)
            .with_hint("paths are relative to the chapter file");
        assert_eq!(
            Renderer::plain().render(&d),
            "error: image `map.png` not found\n \
             --> book/02.md:3:5\n  \
             |\n\
             3 | See ![a map](map.png) here.\n  \
             |     ^^^^^^^^^^^^^^^^^^\n  \
             |\n  \
             = hint: paths are relative to the chapter file"
        );
    }

    #[test]
    fn colour_only_adds_escapes() {
        let (_map, loc) = book_line();
        let d = Diagnostic::warning("x").at(loc);
        let colored = Renderer::colored().render(&d);
        assert!(colored.contains("\u{1b}["));
        let stripped: String = {
            let mut s = String::new();
            let mut in_esc = false;
            for c in colored.chars() {
                match (in_esc, c) {
                    (false, '\u{1b}') => in_esc = true,
                    (true, 'm') => in_esc = false,
                    (true, _) => {}
                    (false, c) => s.push(c),
                }
            }
            s
        };
        assert_eq!(stripped, Renderer::plain().render(&d));
    }

    #[test]
    fn a_location_without_text_prints_its_place() {
        let d = Diagnostic::error("not UTF-8").at(Location::at("a.md", 3, 5));
        assert_eq!(
            Renderer::plain().render(&d),
            "error: not UTF-8\n--> a.md:3:5"
        );
    }

    #[test]
    fn repeated_kinds_are_grouped_with_a_count_and_the_next_places() {
        let mut map = SourceMap::default();
        let text: String = (0..10).map(|i| format!("char{i}\n")).collect();
        let id = map.add("c.md".into(), text);
        let diags: Vec<Diagnostic> = (0..10)
            .map(|i| {
                Diagnostic::warning(format!("no font has a glyph for `{i}` (U+00{i}A)"))
                    .at(map.locate(Span::new(id, i * 6..i * 6 + 5)))
                    .with_hint("use other fonts")
            })
            .chain([Diagnostic::warning("another kind")])
            .collect();
        let groups = group(&diags);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].members.len(), 10);
        let out = Renderer::plain().render_all(&diags);
        assert!(
            out.contains(
                "= note: 9 more like this (10 in all): `1` at c.md:2:1, `2` at c.md:3:1, \
                 `3` at c.md:4:1, and 6 more"
            ),
            "{out}"
        );
        assert_eq!(out.matches("warning: no font").count(), 1, "{out}");
        assert!(out.contains("warning: another kind"), "{out}");
    }

    #[test]
    fn few_of_a_kind_are_printed_one_by_one() {
        let diags: Vec<Diagnostic> = (0..GROUP_AFTER)
            .map(|i| Diagnostic::warning(format!("image `{i}.png` has no alt text")))
            .collect();
        let out = Renderer::plain().render_all(&diags);
        assert_eq!(out.matches("warning: image").count(), GROUP_AFTER, "{out}");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1225), "1,225");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
