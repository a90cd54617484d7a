//! Lexers of data and markup: TOML, YAML, JSON, HTML/XML, CSS and diff.

use super::{push, Token, TokenClass};

/// A quoted string starting at `i` (the quote there): its end.
fn quoted(code: &str, i: usize, escapes: bool) -> usize {
    let b = code.as_bytes();
    let q = b[i];
    let mut k = i + 1;
    while k < b.len() {
        match b[k] {
            b'\\' if escapes => k += 2,
            c if c == q => return k + 1,
            b'\n' => return k,
            _ => k += 1,
        }
    }
    code.len()
}

fn is_number(s: &str) -> bool {
    let s = s.trim_start_matches(['+', '-']);
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | ':'))
}

/// Lines of `code` with their start offsets.
fn lines(code: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    code.split_inclusive('\n').map(move |l| {
        let start = at;
        at += l.len();
        (start, l.trim_end_matches(['\n', '\r']))
    })
}

/// A scalar value (of TOML, YAML or JSON) at `start..end`.
fn value(code: &str, start: usize, end: usize, out: &mut Vec<Token>) {
    let v = code[start..end].trim_end();
    let end = start + v.len();
    if v.is_empty() {
        return;
    }
    let class = if matches!(
        v,
        "true" | "false" | "null" | "~" | "yes" | "no" | "on" | "off" | "True" | "False" | "Null"
    ) {
        TokenClass::Constant
    } else if is_number(v) {
        TokenClass::Number
    } else {
        return;
    };
    push(out, start, end, class);
}

/// Scans the rest of a line of data: strings, numbers, constants, and a
/// comment after `#`.
fn data_line(code: &str, from: usize, to: usize, out: &mut Vec<Token>, hash_comments: bool) {
    let b = code.as_bytes();
    let mut i = from;
    let mut word = None;
    while i < to {
        let c = b[i];
        match c {
            b'"' | b'\'' => {
                if let Some(w) = word.take() {
                    value(code, w, i, out);
                }
                let end = quoted(code, i, c == b'"').min(to);
                push(out, i, end, TokenClass::String);
                i = end;
            }
            b'#' if hash_comments && (i == from || matches!(b[i - 1], b' ' | b'\t')) => {
                if let Some(w) = word.take() {
                    value(code, w, i, out);
                }
                push(out, i, to, TokenClass::Comment);
                return;
            }
            b' ' | b'\t' | b',' | b'[' | b']' | b'{' | b'}' | b'=' => {
                if let Some(w) = word.take() {
                    value(code, w, i, out);
                }
                i += 1;
            }
            _ => {
                if word.is_none() {
                    word = Some(i);
                }
                i += 1;
            }
        }
    }
    if let Some(w) = word {
        value(code, w, to, out);
    }
}

pub(super) fn toml(code: &str, out: &mut Vec<Token>) {
    for (start, line) in lines(code) {
        let trimmed = line.trim_start();
        let indent = start + line.len() - trimmed.len();
        let end = start + line.len();
        if trimmed.starts_with('#') || trimmed.starts_with(';') {
            push(out, indent, end, TokenClass::Comment);
        } else if trimmed.starts_with('[') {
            let close = line.rfind(']').map_or(end, |e| start + e + 1);
            push(out, indent, close, TokenClass::Tag);
            data_line(code, close, end, out, true);
        } else if let Some(eq) = line.find('=') {
            let key_end = start + line[..eq].trim_end().len();
            if key_end > indent {
                push(out, indent, key_end, TokenClass::Attribute);
            }
            data_line(code, start + eq + 1, end, out, true);
        } else {
            data_line(code, indent, end, out, true);
        }
    }
}

pub(super) fn yaml(code: &str, out: &mut Vec<Token>) {
    for (start, line) in lines(code) {
        let trimmed = line.trim_start();
        let mut at = start + line.len() - trimmed.len();
        let end = start + line.len();
        if trimmed.starts_with('#') {
            push(out, at, end, TokenClass::Comment);
            continue;
        }
        if trimmed.starts_with("---") || trimmed.starts_with("...") {
            push(out, at, end, TokenClass::Meta);
            continue;
        }
        // List dashes.
        while code[at..end].starts_with("- ") {
            at += 2;
        }
        let rest = &code[at..end];
        // A key is what comes before `: ` (or a final `:`), unquoted or quoted.
        let colon = rest
            .find(": ")
            .or_else(|| rest.ends_with(':').then(|| rest.len() - 1));
        let key_ok = colon.is_some_and(|c| {
            let k = &rest[..c];
            !k.is_empty() && !k.contains('#') && (!k.contains(' ') || k.starts_with(['"', '\'']))
        });
        if let (true, Some(c)) = (key_ok, colon) {
            push(out, at, at + c, TokenClass::Attribute);
            at += c + 1;
        }
        // Anchors, aliases and tags.
        let value_start = at + code[at..end].len() - code[at..end].trim_start().len();
        if code[value_start..end].starts_with(['&', '*', '!']) {
            let e = code[value_start..end]
                .find(' ')
                .map_or(end, |e| value_start + e);
            push(out, value_start, e, TokenClass::Meta);
            at = e;
        }
        data_line(code, at, end, out, true);
    }
}

pub(super) fn json(code: &str, out: &mut Vec<Token>) {
    let b = code.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let end = quoted(code, i, true);
                let after = code[end..].trim_start();
                let class = if after.starts_with(':') {
                    TokenClass::Attribute
                } else {
                    TokenClass::String
                };
                push(out, i, end, class);
                i = end;
            }
            b'/' if code[i..].starts_with("//") => {
                let end = code[i..].find('\n').map_or(code.len(), |e| i + e);
                push(out, i, end, TokenClass::Comment);
                i = end;
            }
            c if c.is_ascii_alphanumeric() || c == b'-' => {
                let end = code[i..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+')))
                    .map_or(code.len(), |e| i + e);
                value(code, i, end, out);
                i = end.max(i + 1);
            }
            _ => i += 1,
        }
    }
}

pub(super) fn html(code: &str, out: &mut Vec<Token>) {
    let b = code.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let rest = &code[i..];
        if rest.starts_with("<!--") {
            let end = rest.find("-->").map_or(code.len(), |e| i + e + 3);
            push(out, i, end, TokenClass::Comment);
            i = end;
        } else if rest.starts_with("<!") || rest.starts_with("<?") {
            let end = rest.find('>').map_or(code.len(), |e| i + e + 1);
            push(out, i, end, TokenClass::Meta);
            i = end;
        } else if b[i] == b'<' {
            let name_start = i + 1 + usize::from(b.get(i + 1) == Some(&b'/'));
            let name_end = code[name_start..]
                .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .map_or(code.len(), |e| name_start + e);
            push(out, i, name_end, TokenClass::Tag);
            i = name_end;
            // Attributes up to the tag's end.
            while i < b.len() && b[i] != b'>' {
                match b[i] {
                    b'"' | b'\'' => {
                        let end = quoted(code, i, false);
                        push(out, i, end, TokenClass::String);
                        i = end;
                    }
                    c if c.is_ascii_alphabetic() => {
                        let end = code[i..]
                            .find(|c: char| {
                                !(c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '_'))
                            })
                            .map_or(code.len(), |e| i + e);
                        push(out, i, end, TokenClass::Attribute);
                        i = end;
                    }
                    _ => i += 1,
                }
            }
            if i < b.len() {
                let slash = usize::from(i > 0 && b[i - 1] == b'/');
                push(out, i - slash, i + 1, TokenClass::Tag);
                i += 1;
            }
        } else if b[i] == b'&' {
            let end = rest
                .find(';')
                .filter(|e| *e < 12 && !rest[..*e].contains(char::is_whitespace))
                .map_or(i + 1, |e| i + e + 1);
            if end > i + 1 {
                push(out, i, end, TokenClass::Constant);
            }
            i = end;
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
}

pub(super) fn css(code: &str, out: &mut Vec<Token>) {
    let b = code.as_bytes();
    let mut i = 0;
    let mut depth = 0usize;
    while i < b.len() {
        let rest = &code[i..];
        let c = b[i];
        if rest.starts_with("/*") {
            let end = rest.find("*/").map_or(code.len(), |e| i + e + 2);
            push(out, i, end, TokenClass::Comment);
            i = end;
        } else if c == b'"' || c == b'\'' {
            let end = quoted(code, i, true);
            push(out, i, end, TokenClass::String);
            i = end;
        } else if c == b'{' {
            depth += 1;
            i += 1;
        } else if c == b'}' {
            depth = depth.saturating_sub(1);
            i += 1;
        } else if c == b'@' {
            let end = code[i + 1..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .map_or(code.len(), |e| i + 1 + e);
            push(out, i, end, TokenClass::Keyword);
            i = end;
        } else if depth == 0 && !c.is_ascii_whitespace() && c != b',' {
            // A selector, up to the block or the next one.
            let end = code[i..]
                .find(['{', ',', '\n'])
                .map_or(code.len(), |e| i + e);
            let sel = code[i..end].trim_end();
            push(out, i, i + sel.len(), TokenClass::Tag);
            i = end;
        } else if depth > 0 && (c.is_ascii_alphabetic() || c == b'-') {
            let end = code[i..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .map_or(code.len(), |e| i + e);
            let after = code[end..].trim_start();
            if after.starts_with(':') && !after.starts_with("::") {
                push(out, i, end, TokenClass::Attribute);
            } else if after.starts_with('(') {
                push(out, i, end, TokenClass::Function);
            } else if matches!(
                &code[i..end],
                "important" | "inherit" | "initial" | "none" | "auto"
            ) {
                push(out, i, end, TokenClass::Constant);
            }
            i = end;
        } else if depth > 0
            && (c.is_ascii_digit()
                || c == b'#'
                || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)))
        {
            let end = code[i + 1..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '%'))
                .map_or(code.len(), |e| i + 1 + e);
            push(out, i, end, TokenClass::Number);
            i = end;
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
}

pub(super) fn diff(code: &str, out: &mut Vec<Token>) {
    for (start, line) in lines(code) {
        let end = start + line.len();
        let class = if line.starts_with("+++") || line.starts_with("---") {
            TokenClass::Keyword
        } else if line.starts_with("@@") {
            TokenClass::Meta
        } else if line.starts_with('+') || line.starts_with('>') {
            TokenClass::Inserted
        } else if line.starts_with('-') || line.starts_with('<') {
            TokenClass::Deleted
        } else if line.starts_with("diff ") || line.starts_with("index ") {
            TokenClass::Comment
        } else {
            continue;
        };
        push(out, start, end, class);
    }
}
