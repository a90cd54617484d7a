//! The TeX math parser: source → [`Node`]s, or the first thing it cannot
//! set, with its byte range in the source.
//!
//! A recursive descent over the characters: a list of atoms, each possibly
//! followed by `^`, `_` and primes; commands are looked up in
//! [`super::symbols`] or handled here when they take arguments.

use std::ops::Range;

use super::symbols::{self, lookup};
use super::{Class, Node, Place, Style, TableKind, Variant};

/// Deepest nesting of groups the parser follows (a formula nested deeper
/// is refused rather than risking the stack).
const MAX_DEPTH: usize = 64;

/// A parsed formula.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub nodes: Vec<Node>,
    /// The text of `\tag{…}`, if the formula has one.
    pub tag: Option<String>,
}

/// What the parser could not set, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub message: String,
    /// Byte range of the offending command or character in the source.
    pub at: Range<usize>,
}

/// Parses TeX math.
pub fn parse(source: &str) -> Result<Parsed, ParseError> {
    let mut p = Parser {
        src: source,
        pos: 0,
        tag: None,
        depth: 0,
    };
    let nodes = p.list(Stop::End)?;
    if p.pos < source.len() {
        let c = p.peek().unwrap_or('}');
        return Err(p.error_here(format!("unexpected `{c}`"), c.len_utf8()));
    }
    Ok(Parsed { nodes, tag: p.tag })
}

/// Where a list ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// The end of the source.
    End,
    /// A closing brace.
    Brace,
    /// `\right`.
    Right,
    /// `\end`, `&` or `\\` (a table cell).
    Cell,
    /// `]` (the index of `\sqrt[…]`).
    Bracket,
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    tag: Option<String>,
    depth: usize,
}

/// The argument of a command, parsed.
type Res<T> = Result<T, ParseError>;

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn error_here(&self, message: String, len: usize) -> ParseError {
        ParseError {
            message,
            at: self.pos..(self.pos + len).min(self.src.len()),
        }
    }

    fn skip_space(&mut self) {
        while let Some(c) = self.peek() {
            if c.is_whitespace() {
                self.pos += c.len_utf8();
            } else {
                break;
            }
        }
    }

    /// A command name after its backslash (letters, or one other
    /// character); returns it and its range including the backslash.
    fn command(&mut self) -> (&'a str, Range<usize>) {
        let start = self.pos;
        self.pos += 1; // the backslash
        let rest = self.rest();
        let len = rest
            .char_indices()
            .find(|(_, c)| !c.is_ascii_alphabetic())
            .map_or(rest.len(), |(i, _)| i);
        let len = if len == 0 {
            rest.chars().next().map_or(0, char::len_utf8)
        } else {
            len
        };
        let name = &rest[..len];
        self.pos += len;
        (name, start..self.pos)
    }

    fn list(&mut self, stop: Stop) -> Res<Vec<Node>> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error_here("the formula is nested too deeply".into(), 1));
        }
        let mut nodes: Vec<Node> = Vec::new();
        loop {
            self.skip_space();
            let Some(c) = self.peek() else {
                if stop == Stop::End || stop == Stop::Cell {
                    break;
                }
                let what = match stop {
                    Stop::Brace => "a `{` has no matching `}`",
                    Stop::Right => "a `\\left` has no matching `\\right`",
                    _ => "a `[` has no matching `]`",
                };
                return Err(ParseError {
                    message: what.into(),
                    at: self.src.len().saturating_sub(1)..self.src.len(),
                });
            };
            match c {
                '}' if stop == Stop::Brace => {
                    self.pos += 1;
                    break;
                }
                '}' => return Err(self.error_here("a `}` has no matching `{`".into(), 1)),
                ']' if stop == Stop::Bracket => {
                    self.pos += 1;
                    break;
                }
                '&' if stop == Stop::Cell => break,
                '&' => return Err(self.error_here("`&` outside a matrix or aligned".into(), 1)),
                '\\' if stop == Stop::Cell
                    && (self.rest().starts_with("\\\\") || self.rest().starts_with("\\end")) =>
                {
                    break
                }
                '\\' if stop == Stop::Right && self.at_command("right") => break,
                '^' | '_' => {
                    let base = nodes.pop().unwrap_or(Node::Group(Vec::new()));
                    let node = self.scripts(base)?;
                    nodes.push(node);
                }
                '\'' => {
                    let base = nodes.pop().unwrap_or(Node::Group(Vec::new()));
                    let node = self.scripts(base)?;
                    nodes.push(node);
                }
                _ => {
                    if let Some(node) = self.atom(&mut nodes)? {
                        nodes.push(node);
                    }
                }
            }
        }
        self.depth -= 1;
        Ok(nodes)
    }

    /// Whether the source continues with `\name` (and not `\namex`).
    fn at_command(&self, name: &str) -> bool {
        let rest = self.rest();
        rest.strip_prefix('\\')
            .and_then(|r| r.strip_prefix(name))
            .is_some_and(|after| !after.starts_with(|c: char| c.is_ascii_alphabetic()))
    }

    /// Scripts after `base`: any of `'…`, `^x`, `_x`, in any order, once each.
    fn scripts(&mut self, base: Node) -> Res<Node> {
        let (base, mut sub, mut sup, place) = match base {
            Node::Scripts {
                base,
                sub,
                sup,
                place,
            } if sub.is_none() || sup.is_none() => (*base, sub, sup, place),
            other => (other, None, None, Place::Auto),
        };
        loop {
            self.skip_space();
            match self.peek() {
                Some('\'') => {
                    let mut primes = String::new();
                    while self.peek() == Some('\'') {
                        self.pos += 1;
                        primes.push('′');
                    }
                    let node = Node::Operator {
                        text: primes,
                        class: Class::Ord,
                    };
                    sup.get_or_insert_with(Vec::new).insert(0, node);
                }
                Some(c @ ('^' | '_')) => {
                    let at = self.pos;
                    self.pos += 1;
                    let arg = self.argument()?;
                    let slot = if c == '^' { &mut sup } else { &mut sub };
                    if slot.is_some() && !(c == '^' && only_primes(slot.as_deref())) {
                        return Err(ParseError {
                            message: format!(
                                "double {}script",
                                if c == '^' { "super" } else { "sub" }
                            ),
                            at: at..at + 1,
                        });
                    }
                    slot.get_or_insert_with(Vec::new).extend(arg);
                }
                _ => break,
            }
        }
        Ok(Node::Scripts {
            base: Box::new(base),
            sub,
            sup,
            place,
        })
    }

    /// One argument: a group in braces, a command or a single character.
    fn argument(&mut self) -> Res<Vec<Node>> {
        self.skip_space();
        match self.peek() {
            Some('{') => {
                self.pos += 1;
                self.list(Stop::Brace)
            }
            Some(_) => {
                let mut tmp = Vec::new();
                Ok(self.atom(&mut tmp)?.into_iter().collect())
            }
            None => Err(ParseError {
                message: "an argument is missing at the end of the formula".into(),
                at: self.src.len().saturating_sub(1)..self.src.len(),
            }),
        }
    }

    /// The raw text of a braced argument (for `\text`, `\tag`,
    /// `\begin{…}`), without parsing it.
    fn raw_argument(&mut self) -> Res<String> {
        self.skip_space();
        if self.peek() != Some('{') {
            let c = self.peek().map_or(0, char::len_utf8);
            return Err(self.error_here("expected `{`".into(), c.max(1)));
        }
        let open = self.pos;
        self.pos += 1;
        let mut depth = 1;
        let start = self.pos;
        while let Some(c) = self.peek() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        let text = self.src[start..self.pos].to_string();
                        self.pos += 1;
                        return Ok(text);
                    }
                }
                '\\' => self.pos += 1,
                _ => {}
            }
            self.pos += self.peek().map_or(0, char::len_utf8);
        }
        Err(ParseError {
            message: "a `{` has no matching `}`".into(),
            at: open..open + 1,
        })
    }

    /// One atom; `None` for what sets nothing (a style switch that takes
    /// the rest of the list is returned as a node holding it).
    fn atom(&mut self, before: &mut Vec<Node>) -> Res<Option<Node>> {
        let c = self.peek().unwrap_or(' ');
        let start = self.pos;
        if c == '{' {
            self.pos += 1;
            return Ok(Some(Node::Group(self.list(Stop::Brace)?)));
        }
        if c == '\\' {
            return self.command_atom(before);
        }
        if c.is_ascii_digit()
            || (c == '.' && self.rest()[1..].starts_with(|d: char| d.is_ascii_digit()))
        {
            let len = self
                .rest()
                .char_indices()
                .find(|&(_, d)| !(d.is_ascii_digit() || d == '.'))
                .map_or(self.rest().len(), |(i, _)| i);
            let text = self.rest()[..len].trim_end_matches('.').to_string();
            self.pos += text.len();
            return Ok(Some(Node::Number {
                text,
                variant: Variant::Upright,
            }));
        }
        self.pos += c.len_utf8();
        if c.is_alphabetic() {
            let variant = if c.is_ascii_alphabetic() || c.is_lowercase() {
                Variant::Italic
            } else {
                Variant::Upright
            };
            return Ok(Some(Node::Ident {
                text: c.to_string(),
                variant,
            }));
        }
        match c {
            '~' => Ok(Some(Node::Space(0.25))),
            '#' | '%' | '$' => Err(ParseError {
                message: format!("`{c}` must be escaped as `\\{c}` in math"),
                at: start..start + 1,
            }),
            '-' => Ok(Some(Node::Operator {
                text: "−".into(),
                class: Class::Bin,
            })),
            '*' => Ok(Some(Node::Operator {
                text: "∗".into(),
                class: Class::Bin,
            })),
            _ => Ok(Some(Node::Operator {
                text: c.to_string(),
                class: symbols::char_class(c),
            })),
        }
    }

    fn command_atom(&mut self, before: &mut Vec<Node>) -> Res<Option<Node>> {
        let (name, range) = self.command();
        let unknown = || ParseError {
            message: format!("unsupported command `\\{name}`"),
            at: range.clone(),
        };
        if name.is_empty() {
            return Err(unknown());
        }
        if let Some(c) = lookup(symbols::GREEK, name) {
            let variant = if c.is_lowercase() {
                Variant::Italic
            } else {
                Variant::Upright
            };
            return Ok(Some(Node::Ident {
                text: c.to_string(),
                variant,
            }));
        }
        if let Some(s) = lookup(symbols::ORD, name) {
            return Ok(Some(Node::Operator {
                text: s.into(),
                class: Class::Ord,
            }));
        }
        if let Some(s) = lookup(symbols::BIN, name) {
            if s == "mod" {
                return Ok(Some(Node::BigOp {
                    text: s.into(),
                    large: false,
                    limits: false,
                }));
            }
            return Ok(Some(Node::Operator {
                text: s.into(),
                class: Class::Bin,
            }));
        }
        if let Some(s) = lookup(symbols::REL, name) {
            if name == "not" {
                // A slash through the next relation.
                let mut next = self.argument()?;
                if let Some(Node::Operator { text, .. }) = next.first_mut() {
                    text.push('\u{338}');
                }
                return Ok(next.into_iter().next().or(Some(Node::Operator {
                    text: s.into(),
                    class: Class::Rel,
                })));
            }
            return Ok(Some(Node::Operator {
                text: s.into(),
                class: Class::Rel,
            }));
        }
        if let Some((_, s, class)) = symbols::DELIMS.iter().find(|(n, _, _)| *n == name) {
            return Ok(Some(Node::Operator {
                text: (*s).into(),
                class: *class,
            }));
        }
        if let Some((_, s, limits)) = symbols::BIG_OPS.iter().find(|(n, _, _)| *n == name) {
            return Ok(Some(Node::BigOp {
                text: (*s).into(),
                large: true,
                limits: *limits,
            }));
        }
        if let Some(limits) = lookup(symbols::FUNCTIONS, name) {
            let text = match name {
                "liminf" => "lim inf",
                "limsup" => "lim sup",
                "argmax" => "arg max",
                "argmin" => "arg min",
                n => n,
            };
            return Ok(Some(Node::BigOp {
                text: text.into(),
                large: false,
                limits,
            }));
        }
        if let Some(em) = lookup(symbols::SPACES, name) {
            return Ok(Some(Node::Space(em)));
        }
        if let Some(variant) = lookup(symbols::ALPHABETS, name) {
            let mut body = self.argument()?;
            restyle(&mut body, variant);
            return Ok(Some(Node::Group(body)));
        }
        if let Some((_, accent, under, stretch)) = symbols::ACCENTS.iter().find(|a| a.0 == name) {
            let body = self.argument()?;
            return Ok(Some(Node::Accent {
                accent: *accent,
                body,
                under: *under,
                stretch: *stretch,
            }));
        }
        let node = match name {
            "colon" => Node::Operator {
                text: ":".into(),
                class: Class::Punct,
            },
            "{" | "}" | "_" | "&" | "%" | "$" | "#" => {
                let class = match name {
                    "{" => Class::Open,
                    "}" => Class::Close,
                    _ => Class::Ord,
                };
                Node::Operator {
                    text: name.into(),
                    class,
                }
            }
            "frac" | "dfrac" | "tfrac" | "cfrac" | "binom" | "dbinom" | "tbinom" => {
                let num = self.argument()?;
                let den = self.argument()?;
                let style = match name {
                    "dfrac" | "cfrac" | "dbinom" => Some(Style::Display),
                    "tfrac" | "tbinom" => Some(Style::Text),
                    _ => None,
                };
                let frac = Node::Frac {
                    num,
                    den,
                    rule: !name.ends_with("binom"),
                    style,
                };
                if name.ends_with("binom") {
                    Node::Fenced {
                        open: "(".into(),
                        close: ")".into(),
                        body: vec![frac],
                    }
                } else {
                    frac
                }
            }
            "sqrt" => {
                self.skip_space();
                let index = if self.peek() == Some('[') {
                    self.pos += 1;
                    Some(self.list(Stop::Bracket)?)
                } else {
                    None
                };
                let body = self.argument()?;
                Node::Sqrt { index, body }
            }
            "left" => {
                let open = self.delimiter()?;
                let body = self.list(Stop::Right)?;
                let _ = self.command(); // \right
                let close = self.delimiter()?;
                Node::Fenced { open, close, body }
            }
            "right" => {
                return Err(ParseError {
                    message: "a `\\right` has no matching `\\left`".into(),
                    at: range,
                })
            }
            "middle" => Node::Middle(self.delimiter()?),
            "big" | "Big" | "bigg" | "Bigg" | "bigl" | "Bigl" | "biggl" | "Biggl" | "bigr"
            | "Bigr" | "biggr" | "Biggr" | "bigm" | "Bigm" | "biggm" | "Biggm" => {
                let size = match name.trim_end_matches(['l', 'r', 'm']) {
                    "big" => 1,
                    "Big" => 2,
                    "bigg" => 3,
                    _ => 4,
                };
                let text = self.delimiter()?;
                let class = match name.chars().last() {
                    Some('l') => Class::Open,
                    Some('r') => Class::Close,
                    Some('m') => Class::Rel,
                    _ => text.chars().next().map_or(Class::Ord, symbols::char_class),
                };
                Node::Big { text, size, class }
            }
            "overline" | "underline" => Node::Line {
                body: self.argument()?,
                under: name == "underline",
            },
            "text" | "textrm" | "textup" | "textnormal" | "mbox" | "textit" | "textbf" => {
                Node::Text(unescape_text(&self.raw_argument()?))
            }
            "operatorname" => Node::BigOp {
                text: unescape_text(&self.raw_argument()?),
                large: false,
                limits: false,
            },
            "overset" | "underset" | "stackrel" => {
                let mark = self.argument()?;
                let base = self.argument()?;
                let base = Box::new(Node::Group(base));
                if name == "underset" {
                    Node::Scripts {
                        base,
                        sub: Some(mark),
                        sup: None,
                        place: Place::Limits,
                    }
                } else {
                    Node::Scripts {
                        base,
                        sub: None,
                        sup: Some(mark),
                        place: Place::Limits,
                    }
                }
            }
            "limits" | "nolimits" => {
                let place = if name == "limits" {
                    Place::Limits
                } else {
                    Place::Side
                };
                match before.pop() {
                    Some(Node::Scripts { base, sub, sup, .. }) => Node::Scripts {
                        base,
                        sub,
                        sup,
                        place,
                    },
                    Some(base) => Node::Scripts {
                        base: Box::new(base),
                        sub: None,
                        sup: None,
                        place,
                    },
                    None => return Ok(None),
                }
            }
            "displaystyle" | "textstyle" | "scriptstyle" | "scriptscriptstyle" => {
                let style = match name {
                    "displaystyle" => Style::Display,
                    "textstyle" => Style::Text,
                    "scriptstyle" => Style::Script,
                    _ => Style::ScriptScript,
                };
                // The rest of the group, up to what ends it.
                let mut body = Vec::new();
                loop {
                    self.skip_space();
                    match self.peek() {
                        None | Some('}') | Some('&') | Some(']') => break,
                        Some('\\')
                            if self.rest().starts_with("\\\\")
                                || self.at_command("end")
                                || self.at_command("right") =>
                        {
                            break
                        }
                        Some('^' | '_' | '\'') => {
                            let base = body.pop().unwrap_or(Node::Group(Vec::new()));
                            let node = self.scripts(base)?;
                            body.push(node);
                        }
                        _ => {
                            if let Some(n) = self.atom(&mut body)? {
                                body.push(n);
                            }
                        }
                    }
                }
                Node::Styled { style, body }
            }
            "pmod" => {
                let arg = self.argument()?;
                let mut body = vec![
                    Node::BigOp {
                        text: "mod".into(),
                        large: false,
                        limits: false,
                    },
                    Node::Space(1.0 / 6.0),
                ];
                body.extend(arg);
                return Ok(Some(Node::Group(vec![
                    Node::Space(0.5),
                    Node::Fenced {
                        open: "(".into(),
                        close: ")".into(),
                        body,
                    },
                ])));
            }
            "tag" | "tag*" => {
                let text = self.raw_argument()?;
                self.tag = Some(text.trim().to_string());
                return Ok(None);
            }
            "nonumber" | "notag" => return Ok(None),
            "begin" => return self.environment(range.start).map(Some),
            "\\" => {
                return Err(ParseError {
                    message: "`\\\\` (a new line) outside a matrix or aligned".into(),
                    at: range,
                })
            }
            _ => return Err(unknown()),
        };
        Ok(Some(node))
    }

    /// The delimiter after `\left`, `\right`, `\big`…: a character or a
    /// command; `.` is none (`""`).
    fn delimiter(&mut self) -> Res<String> {
        self.skip_space();
        match self.peek() {
            Some('\\') => {
                let (name, range) = self.command();
                if let Some((_, s, _)) = symbols::DELIMS.iter().find(|(n, _, _)| *n == name) {
                    return Ok((*s).into());
                }
                let extra = match name {
                    "|" | "Vert" => Some("‖"),
                    "vert" => Some("|"),
                    "uparrow" => Some("↑"),
                    "downarrow" => Some("↓"),
                    "updownarrow" => Some("↕"),
                    "Uparrow" => Some("⇑"),
                    "Downarrow" => Some("⇓"),
                    "backslash" => Some("∖"),
                    _ => None,
                };
                extra.map(String::from).ok_or(ParseError {
                    message: format!("`\\{name}` is not a delimiter"),
                    at: range,
                })
            }
            Some('.') => {
                self.pos += 1;
                Ok(String::new())
            }
            Some(c @ ('(' | ')' | '[' | ']' | '|' | '/' | '<' | '>')) => {
                self.pos += 1;
                Ok(match c {
                    '<' => "⟨".into(),
                    '>' => "⟩".into(),
                    c => c.to_string(),
                })
            }
            Some(c) => Err(self.error_here(format!("`{c}` is not a delimiter"), c.len_utf8())),
            None => Err(ParseError {
                message: "a delimiter is missing at the end of the formula".into(),
                at: self.src.len().saturating_sub(1)..self.src.len(),
            }),
        }
    }

    /// `\begin{name} … \end{name}`; `start` is where `\begin` is.
    fn environment(&mut self, start: usize) -> Res<Node> {
        let name_start = self.pos;
        let name = self.raw_argument()?;
        let name = name.trim().to_string();
        let kind = match name.as_str() {
            "matrix" | "smallmatrix" => TableKind::Matrix {
                open: String::new(),
                close: String::new(),
            },
            "pmatrix" => fences("(", ")"),
            "bmatrix" => fences("[", "]"),
            "Bmatrix" => fences("{", "}"),
            "vmatrix" => fences("|", "|"),
            "Vmatrix" => fences("‖", "‖"),
            "cases" => TableKind::Cases,
            "aligned" | "align" | "align*" | "split" | "alignat" | "alignat*" | "eqnarray"
            | "eqnarray*" => TableKind::Aligned { gathered: false },
            "gathered" | "gather" | "gather*" | "equation" | "equation*" => {
                TableKind::Aligned { gathered: true }
            }
            _ => {
                return Err(ParseError {
                    message: format!("unsupported environment `{name}`"),
                    at: start..self.pos.max(name_start),
                })
            }
        };
        if name.starts_with("alignat") {
            // The column count: not needed to set it.
            let _ = self.raw_argument()?;
        }
        let mut rows: Vec<Vec<Vec<Node>>> = vec![Vec::new()];
        loop {
            let cell = self.list(Stop::Cell)?;
            rows.last_mut().expect("one row at least").push(cell);
            self.skip_space();
            if self.peek() == Some('&') {
                self.pos += 1;
                continue;
            }
            if self.rest().starts_with("\\\\") {
                self.pos += 2;
                // An optional extra space `[2pt]` is ignored.
                self.skip_space();
                if self.peek() == Some('[') {
                    if let Some(end) = self.rest().find(']') {
                        self.pos += end + 1;
                    }
                }
                rows.push(Vec::new());
                continue;
            }
            if self.at_command("end") {
                let end_at = self.pos;
                let _ = self.command();
                let end_name = self.raw_argument()?;
                if end_name.trim() != name {
                    return Err(ParseError {
                        message: format!(
                            "`\\begin{{{name}}}` ends with `\\end{{{}}}`",
                            end_name.trim()
                        ),
                        at: end_at..self.pos,
                    });
                }
                break;
            }
            return Err(ParseError {
                message: format!("`\\begin{{{name}}}` has no `\\end{{{name}}}`"),
                at: start..name_start,
            });
        }
        // A trailing `\\` leaves an empty last row.
        if rows.len() > 1 && rows.last().is_some_and(|r| r.iter().all(|c| c.is_empty())) {
            rows.pop();
        }
        Ok(Node::Table { kind, rows })
    }
}

fn fences(open: &str, close: &str) -> TableKind {
    TableKind::Matrix {
        open: open.into(),
        close: close.into(),
    }
}

/// Whether a superscript holds only primes (so `f'^2` may add to it).
fn only_primes(nodes: Option<&[Node]>) -> bool {
    nodes.is_some_and(|n| {
        n.iter()
            .all(|n| matches!(n, Node::Operator { text, .. } if text.chars().all(|c| c == '′')))
    })
}

/// Sets every letter and digit of `nodes` in `variant`.
fn restyle(nodes: &mut [Node], variant: Variant) {
    for node in nodes {
        match node {
            Node::Ident { variant: v, .. } | Node::Number { variant: v, .. } => *v = variant,
            Node::Group(b) | Node::Styled { body: b, .. } => restyle(b, variant),
            Node::Scripts { base, .. } => restyle(std::slice::from_mut(base.as_mut()), variant),
            _ => {}
        }
    }
}

/// The text of `\text{…}` with TeX's escapes and spacing commands read.
fn unescape_text(raw: &str) -> String {
    let mut out = String::new();
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(',') | Some(' ') | Some(';') | Some(':') => out.push(' '),
                Some(e) if !e.is_ascii_alphabetic() => out.push(e),
                Some(e) => {
                    // A command name inside text: keep its letters' place.
                    let mut name = String::from(e);
                    while let Some(&n) = chars.peek() {
                        if n.is_ascii_alphabetic() {
                            name.push(n);
                            chars.next();
                        } else {
                            break;
                        }
                    }
                    if name == "quad" || name == "qquad" {
                        out.push_str("  ");
                    }
                }
                None => {}
            },
            '{' | '}' => {}
            '~' => out.push('\u{a0}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fractions_scripts_and_greek() {
        let p = parse(r"\frac{a}{b} + x_i^2 = \alpha").unwrap();
        assert!(matches!(p.nodes[0], Node::Frac { rule: true, .. }));
        assert!(
            matches!(p.nodes[2], Node::Scripts { ref sub, ref sup, .. } if sub.is_some() && sup.is_some())
        );
        assert_eq!(
            p.nodes[4],
            Node::Ident {
                text: "α".into(),
                variant: Variant::Italic
            }
        );
    }

    #[test]
    fn unknown_command_has_its_exact_range() {
        let e = parse(r"x + \foo{y}").unwrap_err();
        assert_eq!(e.at, 4..8);
        assert!(e.message.contains("\\foo"), "{}", e.message);
    }

    #[test]
    fn environments_and_tags() {
        let p = parse(r"\begin{pmatrix} a & b \\ c & d \end{pmatrix} \tag{3.1}").unwrap();
        assert_eq!(p.tag.as_deref(), Some("3.1"));
        let Node::Table { rows, .. } = &p.nodes[0] else {
            panic!("{:?}", p.nodes)
        };
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].len(), 2);
        assert!(parse(r"\begin{foo} a \end{foo}").is_err());
        assert!(parse(r"\left( x").is_err());
        assert!(parse(r"{x").is_err());
        assert!(parse(r"x}").is_err());
    }
}
