//! book.yaml's text → a tree of [`Node`]s, and where each node is written.
//!
//! The only file that knows the YAML parser (serde_yaml). The parser gives
//! no positions for values that parse well, so a node is located when a
//! problem needs it: the text is parsed again, descending to that node and
//! failing there on purpose, and the parser's error says where it stood
//! (exact, whatever the style: block, flow, quoted). Problems are rare, so
//! the extra parses cost nothing in a good build.
//!
//! Syntax errors are reported where the reader has to look: an unclosed
//! quote or bracket where it opens, not at the end of the file where the
//! parser gave up.

use std::fmt;
use std::sync::Arc;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::diag::{Diagnostic, Location, SourceFile};

/// One step of the path from the top of the file to a node.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// A YAML value, with the path that leads to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub path: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// A number as YAML reads it; `whole` when it has no fraction.
    Number {
        value: f64,
        whole: bool,
    },
    Text(String),
    List(Vec<Node>),
    /// Keys in the order written.
    Map(Vec<(String, Node)>),
}

impl Node {
    /// The value as the author would say it: `a list`, `the text "x"`.
    pub fn describe(&self) -> String {
        match &self.value {
            Value::Null => "nothing".into(),
            Value::Bool(b) => format!("`{b}`"),
            Value::Number { value, .. } => format!("the number {value}"),
            Value::Text(t) => format!("the text `{t}`"),
            Value::List(_) => "a list".into(),
            Value::Map(_) => "a group of settings".into(),
        }
    }
}

pub fn path_name(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{}]", i + 1)),
        }
    }
    out
}

/// A parsed book.yaml: its text (shared with the diagnostics) and its tree.
#[derive(Debug, Clone)]
pub struct Doc {
    pub file: Arc<SourceFile>,
    pub root: Node,
}

/// Parses the text, or says where its syntax is wrong.
pub fn parse(file: Arc<SourceFile>) -> Result<Doc, Diagnostic> {
    let value: serde_yaml::Value =
        serde_yaml::from_str(&file.text).map_err(|e| syntax_error(&file, &e))?;
    let root = convert(value, Vec::new());
    Ok(Doc { file, root })
}

fn convert(value: serde_yaml::Value, path: Vec<Step>) -> Node {
    use serde_yaml::Value as Y;
    let value = match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => Value::Number {
            value: n.as_f64().unwrap_or(f64::NAN),
            whole: n.is_i64() || n.is_u64(),
        },
        Y::String(s) => Value::Text(s),
        Y::Sequence(items) => Value::List(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| {
                    let mut p = path.clone();
                    p.push(Step::Index(i));
                    convert(v, p)
                })
                .collect(),
        ),
        Y::Mapping(map) => Value::Map(
            map.into_iter()
                .map(|(k, v)| {
                    let key = key_text(&k);
                    let mut p = path.clone();
                    p.push(Step::Key(key.clone()));
                    (key, convert(v, p))
                })
                .collect(),
        ),
        // `!tag value`: the tag means nothing in book.yaml; the value counts.
        Y::Tagged(t) => return convert(t.value, path),
    };
    Node { value, path }
}

fn key_text(k: &serde_yaml::Value) -> String {
    match k {
        serde_yaml::Value::String(s) => s.clone(),
        serde_yaml::Value::Number(n) => n.to_string(),
        serde_yaml::Value::Bool(b) => b.to_string(),
        serde_yaml::Value::Null => "~".into(),
        _ => "(complex key)".into(),
    }
}

impl Doc {
    /// Where a node's value is written: its first line, with the value's
    /// extent under the caret. The whole file if it cannot be found.
    pub fn locate(&self, node: &Node) -> Location {
        self.locate_path(&node.path, false)
    }

    /// Where the value at `path` is written.
    pub fn locate_at(&self, path: &[Step]) -> Location {
        self.locate_path(path, false)
    }

    /// Where the last key of `path` is written (for an unknown key).
    pub fn locate_key(&self, path: &[Step]) -> Location {
        self.locate_path(path, true)
    }

    fn locate_path(&self, path: &[Step], key: bool) -> Location {
        let start = if path.is_empty() {
            Some(0)
        } else {
            probe(&self.file.text, path, key)
        };
        match start {
            Some(start) => {
                let end = value_end(&self.file.text, start, key);
                Location::range(Arc::clone(&self.file), start..end)
            }
            None => Location::file(&self.file.path),
        }
    }
}

/// Byte offset where the node at `path` (or its key) starts: the text is
/// deserialized down that path and made to fail at the node, and the
/// parser's error carries the position it stood at.
fn probe(text: &str, path: &[Step], key: bool) -> Option<usize> {
    let target = Target { path, key };
    let err = target
        .deserialize(serde_yaml::Deserializer::from_str(text))
        .err()?;
    let at = err.location()?.index();
    text.is_char_boundary(at).then_some(at)
}

/// Why a probe stopped: only these errors carry the position we want.
const FOUND: &str = "folio: found";

#[derive(Clone, Copy)]
struct Target<'p> {
    path: &'p [Step],
    /// Stop at the last step's key rather than at its value.
    key: bool,
}

impl<'de> DeserializeSeed<'de> for Target<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        if self.path.is_empty() {
            // Failing inside the node's own deserialization is what makes
            // the parser report the node's position.
            return d.deserialize_any(Stop);
        }
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Target<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping or sequence on the path")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some(Step::Key(wanted)) = self.path.first() else {
            return Err(de::Error::custom("not found"));
        };
        let last = self.path.len() == 1;
        loop {
            let seed = KeySeed {
                wanted,
                stop: last && self.key,
            };
            match map.next_key_seed(seed)? {
                None => return Err(de::Error::custom("not found")),
                Some(true) => {
                    return map.next_value_seed(Target {
                        path: &self.path[1..],
                        key: self.key,
                    })
                }
                Some(false) => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some(&Step::Index(wanted)) = self.path.first() else {
            return Err(de::Error::custom("not found"));
        };
        for _ in 0..wanted {
            if seq.next_element::<IgnoredAny>()?.is_none() {
                return Err(de::Error::custom("not found"));
            }
        }
        seq.next_element_seed(Target {
            path: &self.path[1..],
            key: self.key,
        })?;
        Err(de::Error::custom("not found"))
    }
}

/// Reads a key: `Some(true)` when it is the one wanted.
struct KeySeed<'w> {
    wanted: &'w str,
    /// Fail on the wanted key itself, to learn where it is.
    stop: bool,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<bool, E> {
        match (s == self.wanted, self.stop) {
            (true, true) => Err(E::custom(FOUND)),
            (found, _) => Ok(found),
        }
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<bool, E> {
        self.visit_str(&n.to_string())
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<bool, E> {
        self.visit_str(&n.to_string())
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<bool, E> {
        self.visit_str(&n.to_string())
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<bool, E> {
        self.visit_str(&b.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        self.visit_str("~")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(false)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(false)
    }
}

/// Accepts nothing: every value it is offered is an error at that value.
struct Stop;

impl<'de> Visitor<'de> for Stop {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(FOUND)
    }
}

/// End of the value (or key) that starts at `start`, for the caret: a
/// quoted scalar to its closing quote, a flow collection to its closing
/// bracket, a key to its colon, anything else to the end of the line, a
/// comment or (in a flow collection) the next separator.
fn value_end(text: &str, start: usize, key: bool) -> usize {
    let rest = &text[start..];
    let line_len = rest.find(['\n', '\r']).unwrap_or(rest.len());
    let line = &rest[..line_len];
    let mut chars = line.char_indices();
    let end = match chars.next() {
        None => 0,
        Some((_, q @ ('"' | '\''))) => {
            let mut escaped = false;
            let mut end = line_len;
            for (i, c) in chars {
                if q == '"' && c == '\\' && !escaped {
                    escaped = true;
                    continue;
                }
                if c == q && !escaped {
                    end = i + 1;
                    break;
                }
                escaped = false;
            }
            end
        }
        Some((_, open @ ('[' | '{'))) => {
            let close = if open == '[' { ']' } else { '}' };
            let mut depth = 0usize;
            let mut end = line_len;
            for (i, c) in line.char_indices() {
                if c == open {
                    depth += 1;
                } else if c == close {
                    depth -= 1;
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
            }
            end
        }
        Some(_) => {
            let in_flow = text[..start]
                .trim_end_matches([' ', '\t'])
                .ends_with(['[', ',', '{']);
            let mut end = line_len;
            let mut prev = ' ';
            for (i, c) in line.char_indices() {
                let stop = (c == '#' && prev.is_whitespace())
                    || (key && c == ':')
                    || (in_flow && matches!(c, ',' | ']' | '}'));
                if stop {
                    end = i;
                    break;
                }
                prev = c;
            }
            line[..end].trim_end().len()
        }
    };
    // Always at least one character under the caret.
    let end = start + end.max(line.chars().next().map_or(0, char::len_utf8));
    end.max(start)
}

/// A syntax error, located where the problem begins for the reader.
fn syntax_error(file: &Arc<SourceFile>, e: &serde_yaml::Error) -> Diagnostic {
    let full = e.to_string();
    // serde_yaml writes "PROBLEM at line L column C[, while CONTEXT at line L column C]".
    let (problem_part, context_part) = match full.split_once(", while ") {
        Some((p, c)) => (p, Some(c)),
        None => (full.as_str(), None),
    };
    let problem = strip_position(problem_part);
    let context = context_part.map(|c| (strip_position(c), position_of(c)));
    let problem_at = e
        .location()
        .map(|l| l.index())
        .filter(|&i| file.text.is_char_boundary(i));
    let at = |offset: Option<usize>| match offset {
        Some(o) => Location::range(Arc::clone(file), o..value_end(&file.text, o, false)),
        None => Location::file(&file.path),
    };
    // An opening quote or bracket: the caret goes under that one character.
    let mark = |offset: Option<usize>| match offset {
        Some(o) => {
            let len = file.text[o..].chars().next().map_or(0, char::len_utf8);
            Location::range(Arc::clone(file), o..o + len)
        }
        None => Location::file(&file.path),
    };
    let opened_at =
        |ctx: &(String, Option<(usize, usize)>)| ctx.1.map(|(line, col)| file.offset_of(line, col));
    match &context {
        Some(ctx) if ctx.0.contains("quoted scalar") => {
            let start = opened_at(ctx);
            let quote = start
                .and_then(|s| file.text[s..].chars().next())
                .unwrap_or('"');
            Diagnostic::error("this quoted value is never closed")
                .at(mark(start))
                .with_label("the quote opens here")
                .with_hint(format!(
                    "end the value with a matching {quote} on the same line"
                ))
        }
        Some(ctx) if ctx.0.contains("flow sequence") || ctx.0.contains("flow mapping") => {
            let (open, close, what) = if ctx.0.contains("sequence") {
                ('[', ']', "list")
            } else {
                ('{', '}', "group")
            };
            Diagnostic::error(format!("this `{open}` {what} is never closed"))
                .at(mark(opened_at(ctx)))
                .with_label(format!("the {what} opens here"))
                .with_note(format!("YAML says: {problem}"))
                .with_hint(format!(
                    "separate the items with `,` and end the {what} with `{close}`"
                ))
        }
        _ => {
            let mut d = Diagnostic::error(format!("book.yaml is not valid YAML: {problem}"))
                .at(at(problem_at));
            if let Some((c, _)) = &context {
                d = d.with_note(format!("while {c}"));
            }
            let line_has_tab = problem_at
                .map(|o| file.text[file.line_range(o)].contains('\t'))
                .unwrap_or(false);
            if line_has_tab {
                d = d.with_hint("YAML indents with spaces; this line has a tab");
            } else if problem.contains("mapping values are not allowed") {
                d = d.with_hint(
                    "a value holding `: ` must be quoted, and keys of one group line up",
                );
            }
            d
        }
    }
}

/// `found x at line 3 column 1` → `found x`.
fn strip_position(s: &str) -> String {
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s.to_string(),
    }
}

/// `… at line 3 column 1` → (3, 1).
fn position_of(s: &str) -> Option<(usize, usize)> {
    let rest = &s[s.rfind(" at line ")? + " at line ".len()..];
    let (line, rest) = rest.split_once(" column ")?;
    let col: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((line.trim().parse().ok()?, col.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Doc {
        parse(Arc::new(SourceFile::new("book.yaml".into(), text.into()))).unwrap()
    }

    fn find<'n>(node: &'n Node, path: &[&str]) -> &'n Node {
        let mut n = node;
        for key in path {
            n = match &n.value {
                Value::Map(entries) => &entries.iter().find(|(k, _)| k == key).unwrap().1,
                Value::List(items) => &items[key.parse::<usize>().unwrap()],
                _ => panic!("no {key}"),
            };
        }
        n
    }

    fn shown(loc: &Location) -> (String, String) {
        let r = loc.source().unwrap();
        (loc.to_string(), r.text().to_string())
    }

    #[test]
    fn values_are_located_in_block_and_flow_style() {
        let d = doc("title: \"Ä €\"  # c\npdf:\n  font-size: big # c\nchapters: [a.md, 'b.md', c.md]\nauthors:\n  - X\n");
        let at = |p: &[&str]| shown(&d.locate(find(&d.root, p)));
        assert_eq!(at(&["title"]), ("book.yaml:1:8".into(), "\"Ä €\"".into()));
        assert_eq!(
            at(&["pdf", "font-size"]),
            ("book.yaml:3:14".into(), "big".into())
        );
        assert_eq!(
            at(&["chapters", "1"]),
            ("book.yaml:4:18".into(), "'b.md'".into())
        );
        assert_eq!(
            at(&["chapters", "2"]),
            ("book.yaml:4:26".into(), "c.md".into())
        );
        assert_eq!(
            at(&["chapters"]),
            ("book.yaml:4:11".into(), "[a.md, 'b.md', c.md]".into())
        );
        assert_eq!(at(&["authors", "0"]), ("book.yaml:6:5".into(), "X".into()));
        let key = d.locate_key(&[Step::Key("pdf".into()), Step::Key("font-size".into())]);
        assert_eq!(shown(&key), ("book.yaml:3:3".into(), "font-size".into()));
    }

    fn syntax(text: &str) -> Diagnostic {
        parse(Arc::new(SourceFile::new("book.yaml".into(), text.into()))).unwrap_err()
    }

    #[test]
    fn an_unclosed_quote_is_reported_where_it_opens() {
        let d = syntax("title: \"The Book\nlanguage: en\nauthors: [A]\n");
        assert_eq!(d.message, "this quoted value is never closed");
        assert_eq!(d.location.unwrap().to_string(), "book.yaml:1:8");
    }

    #[test]
    fn an_unclosed_bracket_is_reported_where_it_opens() {
        let d = syntax("title: A\nauthors: [Jane Doe\nlanguage: en\n");
        assert_eq!(d.message, "this `[` list is never closed");
        assert_eq!(d.location.unwrap().to_string(), "book.yaml:2:10");
    }

    #[test]
    fn other_syntax_errors_are_reported_where_the_parser_stopped() {
        let d = syntax("title: A\n lang: en\n");
        assert!(
            d.message.starts_with("book.yaml is not valid YAML"),
            "{}",
            d.message
        );
        assert_eq!(d.location.unwrap().line(), Some(2));
    }
}
