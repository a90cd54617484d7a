//! Missing glyphs: characters no font has, counted per script and reported
//! as one diagnostic per script — an error that stops the PDF, or a warning
//! when book.yaml says `pdf: { missing-glyphs: warn }`.
//!
//! Place in the font layer: [`super::FontSet`] notes each character it
//! could not set ([`MissingChar`]); the typesetter adds each to a
//! [`MissingGlyphs`] tally with its place in the source, merges the
//! tallies of its threads and turns the result into diagnostics at the end.

use std::collections::{BTreeMap, BTreeSet};

use super::script::ScriptTag;
use crate::diag::{Diagnostic, Location, Span};

/// A character no face has a glyph for, met while shaping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MissingChar {
    pub c: char,
    /// The script of the text it is in (for punctuation: of the words
    /// around it), which the report groups it under.
    pub script: ScriptTag,
    /// Where it is in the source, when the caller knew.
    pub span: Option<Span>,
}

/// What the PDF build does about text no font covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingGlyphPolicy {
    /// Fail the PDF build (the default): a box in print is never wanted.
    #[default]
    Error,
    /// Build the PDF anyway, with one warning per script.
    Warn,
}

/// How many distinct characters an error lists as examples.
const EXAMPLES: usize = 8;

/// Characters of one script no font has.
#[derive(Debug, Clone, Default, PartialEq)]
struct Tally {
    /// Occurrences in the book's text.
    count: usize,
    distinct: BTreeSet<char>,
    /// The first place in the source (the smallest file id, then offset).
    first: Option<Span>,
}

/// Characters no font has, by script.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MissingGlyphs {
    by_script: BTreeMap<ScriptTag, Tally>,
}

impl MissingGlyphs {
    /// Notes one occurrence of `c` in text of `script`; `span` is its
    /// place in the source when known (text the book does not contain,
    /// such as a running head, repeats what the book says and is not
    /// counted again).
    pub fn add(&mut self, c: char, script: ScriptTag, span: Option<Span>) {
        let script = match script.family() {
            s if s.is_neutral() => ScriptTag::COMMON,
            s => s,
        };
        // An empty span (text the typesetter made up, such as the
        // contents) places nothing.
        let span = span.filter(|s| s.end > s.start);
        let t = self.by_script.entry(script).or_default();
        let new = t.distinct.insert(c);
        if span.is_some() || new {
            t.count += 1;
        }
        if let Some(s) = span {
            let earlier = t
                .first
                .is_none_or(|f| (s.file.0, s.start) < (f.file.0, f.start));
            if earlier {
                t.first = Some(s);
            }
        }
    }

    /// Adds another tally (of chapters composed on another thread).
    pub fn merge(&mut self, other: MissingGlyphs) {
        for (script, o) in other.by_script {
            let t = self.by_script.entry(script).or_default();
            t.count += o.count;
            t.distinct.extend(o.distinct);
            if let Some(s) = o.first {
                if t.first
                    .is_none_or(|f| (s.file.0, s.start) < (f.file.0, f.start))
                {
                    t.first = Some(s);
                }
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.by_script.is_empty()
    }

    /// One diagnostic per script, in script order: an error under
    /// [`MissingGlyphPolicy::Error`], else a warning. `locate` turns a
    /// span into `file:line:col`.
    pub fn diagnostics(
        &self,
        policy: MissingGlyphPolicy,
        locate: impl Fn(Span) -> Option<Location>,
    ) -> Vec<Diagnostic> {
        self.by_script
            .iter()
            .map(|(script, t)| {
                let examples: Vec<String> = t
                    .distinct
                    .iter()
                    .take(EXAMPLES)
                    .map(|c| format!("{c} U+{:04X}", u32::from(*c)))
                    .collect();
                let more = if t.distinct.len() > EXAMPLES { ", …" } else { "" };
                let plural = |n: usize, one: &str, many: &str| {
                    format!("{} {}", group_digits(n), if n == 1 { one } else { many })
                };
                let message = format!(
                    "no font has the {} script: {} ({}) would print as empty boxes: {}{more}",
                    script.name(),
                    plural(t.count, "character", "characters"),
                    plural(t.distinct.len(), "distinct", "distinct"),
                    examples.join(", "),
                );
                let key = match script.short_name() {
                    Some(name) if *script != ScriptTag::COMMON => name.to_string(),
                    _ => "Zyyy".to_string(),
                };
                let hint = format!(
                    "install fonts that cover it (Debian/Ubuntu: `apt install {}`), put a font \
                     file that has it in the book's fonts/ folder, or name an installed font in \
                     book.yaml (`fonts: {{ {key}: Family Name }}`); `pdf: {{ missing-glyphs: warn }}` \
                     builds the PDF anyway",
                    script.debian_package()
                );
                let mut d = match policy {
                    MissingGlyphPolicy::Error => Diagnostic::error(message),
                    MissingGlyphPolicy::Warn => Diagnostic::warning(message),
                }
                .with_hint(hint);
                if let Some(loc) = t.first.and_then(&locate) {
                    d = d.at(loc);
                }
                d
            })
            .collect()
    }
}

/// `1225` → `1,225`.
fn group_digits(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::FileId;

    fn at(file: u32, start: u32) -> Option<Span> {
        Some(Span {
            file: FileId(file),
            start,
            end: start + 3,
        })
    }

    #[test]
    fn one_diagnostic_per_script_with_counts_and_first_place() {
        let mut a = MissingGlyphs::default();
        let han = ScriptTag::HAN;
        for (i, c) in "中文中".chars().enumerate() {
            a.add(c, han, at(2, 10 + i as u32 * 3));
        }
        a.add('中', han, None);
        let mut b = MissingGlyphs::default();
        b.add('字', han, at(1, 50));
        b.add('ب', ScriptTag(*b"Arab"), at(3, 0));
        b.add('☃', ScriptTag::COMMON, None);
        a.merge(b);
        let ds = a.diagnostics(MissingGlyphPolicy::Error, |s| {
            Some(Location::at(
                format!("f{}.md", s.file.0),
                1,
                s.start as usize + 1,
            ))
        });
        assert_eq!(ds.len(), 3, "{ds:?}");
        let text: Vec<String> = ds.iter().map(|d| d.to_string()).collect();
        // Arabic, Han, symbols: in script-tag order.
        assert!(
            text[0].contains("Arabic script: 1 character (1 distinct)"),
            "{}",
            text[0]
        );
        assert!(text[1].starts_with("error: no font has the Han (Chinese, Japanese, Korean) script: 4 characters (3 distinct)"), "{}", text[1]);
        assert!(text[1].contains("--> f1.md:1:51"), "{}", text[1]);
        assert!(
            text[1].contains("apt install fonts-noto-cjk"),
            "{}",
            text[1]
        );
        assert!(
            text[1].contains("fonts: { Han: Family Name }"),
            "{}",
            text[1]
        );
        assert!(text[2].contains("symbols and punctuation"), "{}", text[2]);
        assert!(!text[2].contains("-->"), "{}", text[2]);
        let warned = a.diagnostics(MissingGlyphPolicy::Warn, |_| None);
        assert!(warned.iter().all(|d| !d.is_error()));
        assert_eq!(group_digits(1225), "1,225");
        assert_eq!(group_digits(999), "999");
    }
}
