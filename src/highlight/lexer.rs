//! The lexer of the programming languages: one scanner driven by a
//! [`LangDef`] (comment markers, string quotes, word lists and a few
//! flags).

use super::langs::LangDef;
use super::{push, Token, TokenClass};

/// Scans `code` and pushes its tokens.
pub(super) fn scan(def: &LangDef, code: &str, out: &mut Vec<Token>) {
    let b = code.as_bytes();
    let mut i = 0;
    let mut line_start = true;
    while i < b.len() {
        let c = b[i];
        let rest = &code[i..];
        if c == b'\n' {
            line_start = true;
            i += 1;
            continue;
        }
        if c == b' ' || c == b'\t' || c == b'\r' {
            i += 1;
            continue;
        }
        let at_line_start = line_start;
        line_start = false;
        // Comments.
        if let Some(marker) = def.line_comments.iter().find(|m| rest.starts_with(**m)) {
            let hash_ok = *marker != "#"
                || !def.hash_needs_space
                || i == 0
                || matches!(b[i - 1], b' ' | b'\t' | b'\n' | b';');
            if hash_ok {
                let end = line_end(code, i);
                push(out, i, end, TokenClass::Comment);
                i = end;
                continue;
            }
        }
        if let Some((open, close)) = def.block_comment {
            if rest.starts_with(open) {
                let end = code[i + open.len()..]
                    .find(close)
                    .map_or(code.len(), |e| i + open.len() + e + close.len());
                push(out, i, end, TokenClass::Comment);
                i = end;
                continue;
            }
        }
        // Preprocessor lines (C, C++) and attributes (`#[…]` in Rust).
        if c == b'#' && def.preprocessor && at_line_start {
            let end = line_end(code, i);
            push(out, i, end, TokenClass::Meta);
            i = end;
            continue;
        }
        if def.rust && (rest.starts_with("#[") || rest.starts_with("#![")) {
            let end = code[i..].find(']').map_or(line_end(code, i), |e| i + e + 1);
            push(out, i, end, TokenClass::Meta);
            i = end;
            continue;
        }
        // Annotations and decorators.
        if c == b'@' && def.annotations {
            let end = word_end(code, i + 1);
            if end > i + 1 {
                push(out, i, end, TokenClass::Meta);
                i = end;
                continue;
            }
        }
        // Shell variables.
        if c == b'$' && def.dollar_variables {
            let end = if rest.starts_with("${") {
                code[i..].find('}').map_or(code.len(), |e| i + e + 1)
            } else if rest.len() > 1
                && matches!(
                    b[i + 1],
                    b'?' | b'#' | b'@' | b'*' | b'!' | b'$' | b'0'..=b'9'
                )
            {
                i + 2
            } else {
                word_end(code, i + 1)
            };
            if end > i + 1 {
                push(out, i, end, TokenClass::Variable);
                i = end;
                continue;
            }
        }
        // Rust: raw strings, byte strings, chars and lifetimes.
        if def.rust {
            if let Some(end) = rust_raw_string(code, i) {
                push(out, i, end, TokenClass::String);
                i = end;
                continue;
            }
            if c == b'\'' {
                let (end, is_char) = rust_char_or_lifetime(code, i);
                let class = if is_char {
                    TokenClass::String
                } else {
                    TokenClass::Type
                };
                push(out, i, end, class);
                i = end;
                continue;
            }
        }
        // Strings (with their prefix letters: b"", f'', u8"").
        let prefix = string_prefix(def, code, i);
        let q = i + prefix;
        if q < b.len() && def.quotes.contains(&(b[q] as char)) {
            let end = string_end(def, code, q);
            if def.dollar_variables && b[q] == b'"' {
                interpolated(code, i, end, out);
            } else {
                push(out, i, end, TokenClass::String);
            }
            i = end;
            continue;
        }
        // Numbers.
        if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let prev_word = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
            let end = number_end(code, i);
            if !prev_word {
                push(out, i, end, TokenClass::Number);
            }
            i = end;
            continue;
        }
        // Words.
        if is_word_start(rest) {
            let end = word_end(code, i);
            let word = &code[i..end];
            let class = classify(def, code, word, end);
            if let Some(class) = class {
                push(out, i, end, class);
            }
            i = end;
            continue;
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
}

fn classify(def: &LangDef, code: &str, word: &str, end: usize) -> Option<TokenClass> {
    let key = |list: &[&str]| {
        if def.case_insensitive {
            list.iter().any(|k| k.eq_ignore_ascii_case(word))
        } else {
            list.contains(&word)
        }
    };
    if key(def.keywords) {
        return Some(TokenClass::Keyword);
    }
    if key(def.constants) {
        return Some(TokenClass::Constant);
    }
    if key(def.types) {
        return Some(TokenClass::Type);
    }
    let after = code[end..].trim_start_matches([' ', '\t']);
    if after.starts_with('(') || (def.rust && after.starts_with('!') && !after.starts_with("!=")) {
        return Some(TokenClass::Function);
    }
    if def.capitalized_types
        && word.chars().next().is_some_and(char::is_uppercase)
        && word.chars().any(char::is_lowercase)
    {
        return Some(TokenClass::Type);
    }
    None
}

/// A double-quoted shell string: its `$variables` apart from the text.
fn interpolated(code: &str, start: usize, end: usize, out: &mut Vec<Token>) {
    let mut text_from = start;
    let mut k = start;
    while k < end {
        if code.as_bytes()[k] == b'$' && k + 1 < end {
            let var_end = if code[k..].starts_with("${") {
                code[k..end].find('}').map_or(end, |e| k + e + 1)
            } else {
                word_end(code, k + 1).min(end)
            };
            if var_end > k + 1 {
                push(out, text_from, k, TokenClass::String);
                push(out, k, var_end, TokenClass::Variable);
                text_from = var_end;
                k = var_end;
                continue;
            }
        }
        k += 1;
    }
    push(out, text_from, end, TokenClass::String);
}

fn line_end(code: &str, from: usize) -> usize {
    code[from..].find('\n').map_or(code.len(), |e| from + e)
}

fn is_word_start(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

fn word_end(code: &str, from: usize) -> usize {
    code[from..]
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map_or(code.len(), |(e, _)| from + e)
}

fn number_end(code: &str, from: usize) -> usize {
    let b = code.as_bytes();
    let mut i = from;
    while i < b.len() {
        let c = b[i];
        let exponent_sign = matches!(c, b'+' | b'-')
            && i > from
            && matches!(b[i - 1], b'e' | b'E')
            && !code[from..i].starts_with("0x");
        let decimal = c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit);
        if c.is_ascii_alphanumeric() || c == b'_' || exponent_sign || decimal {
            i += 1;
        } else {
            break;
        }
    }
    i
}

/// How many prefix letters stand before a string quote at `i` (`b`, `r`,
/// `f`, `u8`, `L`…), 0 when none.
fn string_prefix(def: &LangDef, code: &str, i: usize) -> usize {
    for p in def.string_prefixes {
        if code[i..].starts_with(p) {
            let q = i + p.len();
            let before_ok = i == 0 || !code.as_bytes()[i - 1].is_ascii_alphanumeric();
            if before_ok
                && code
                    .as_bytes()
                    .get(q)
                    .is_some_and(|c| def.quotes.contains(&(*c as char)))
            {
                return p.len();
            }
        }
    }
    0
}

/// The end of the string whose quote is at `q`.
fn string_end(def: &LangDef, code: &str, q: usize) -> usize {
    let b = code.as_bytes();
    let quote = b[q];
    if def.triple_quotes && code[q..].starts_with(&(quote as char).to_string().repeat(3)) {
        let delim = (quote as char).to_string().repeat(3);
        return code[q + 3..]
            .find(&delim)
            .map_or(code.len(), |e| q + 3 + e + 3);
    }
    let multiline = quote == b'`' || def.multiline_strings;
    let mut i = q + 1;
    while i < b.len() {
        match b[i] {
            b'\\' if def.escapes && !(def.single_quote_raw && quote == b'\'') => i += 2,
            c if c == quote => return i + 1,
            b'\n' if !multiline => return i,
            _ => i += 1,
        }
    }
    code.len()
}

fn rust_raw_string(code: &str, i: usize) -> Option<usize> {
    let rest = &code[i..];
    let after_prefix = rest.strip_prefix("br").or_else(|| rest.strip_prefix('r'))?;
    if i > 0 && code.as_bytes()[i - 1].is_ascii_alphanumeric() {
        return None;
    }
    let hashes = after_prefix.bytes().take_while(|c| *c == b'#').count();
    if after_prefix.as_bytes().get(hashes) != Some(&b'"') {
        return None;
    }
    let start = i + (rest.len() - after_prefix.len()) + hashes + 1;
    let close = format!("\"{}", "#".repeat(hashes));
    Some(
        code[start..]
            .find(&close)
            .map_or(code.len(), |e| start + e + close.len()),
    )
}

/// A char literal (`'x'`, `'\n'`) or a lifetime (`'a`): its end, and
/// whether it is a char.
fn rust_char_or_lifetime(code: &str, i: usize) -> (usize, bool) {
    let rest = &code[i + 1..];
    let mut chars = rest.char_indices();
    match chars.next() {
        Some((_, '\\')) => {
            let end = rest[1..]
                .find('\'')
                .map_or(code.len(), |e| i + 1 + 1 + e + 1);
            (end, true)
        }
        Some((_, c)) => {
            let after = i + 1 + c.len_utf8();
            if code.as_bytes().get(after) == Some(&b'\'') {
                (after + 1, true)
            } else {
                (word_end(code, i + 1).max(i + 1), false)
            }
        }
        None => (code.len(), true),
    }
}
