//! Settling Markdown text: sub- and superscripts inside words, and
//! footnote references that name no note.
//!
//! pulldown-cmark reads `~x~` and `^x^` only between words; authors also
//! write `H~2~O` and `mc^2^` (Pandoc's rule: the delimiters may sit inside
//! a word, the content holds no spaces). A run of text events is gathered
//! per node and settled here once the run ends, so a delimiter in one
//! event can pair with one in the next. Only characters the author wrote
//! as they stand count as delimiters: an escaped `\~` or an entity does
//! not.

use crate::diag::Span;
use crate::model::{Inline, InlineKind};

/// One text event: its text, where it came from, and whether the text is
/// the source as written (no escapes, entities or smart quotes in it).
#[derive(Debug, Clone)]
pub struct Seg {
    pub text: String,
    pub span: Span,
    pub verbatim: bool,
    /// The first character was escaped with a backslash (pulldown-cmark
    /// starts the text after it, so it looks verbatim).
    pub escaped_first: bool,
}

/// Longest footnote label taken for a reference that names no note: past
/// this, `[^…]` is surely something else (a regular expression).
const MAX_LABEL: usize = 40;

/// Turns a run of text into inlines (text, subscripts, superscripts),
/// reporting in `undefined` the `[^label]` references with no note.
pub fn settle(run: Vec<Seg>, out: &mut Vec<Inline>, undefined: &mut Vec<(String, Span)>) {
    // The run as one string, with the segment of every byte.
    let mut text = String::new();
    let mut owner: Vec<u32> = Vec::new();
    let mut escaped: Vec<usize> = Vec::new();
    for (k, seg) in run.iter().enumerate() {
        if seg.escaped_first {
            escaped.push(text.len());
        }
        text.push_str(&seg.text);
        owner.extend(std::iter::repeat_n(k as u32, seg.text.len()));
    }
    let literal = |i: usize| run[owner[i] as usize].verbatim && !escaped.contains(&i);
    let bytes = text.as_bytes();
    let mut protected = vec![false; bytes.len()];
    // `[^label]` left as text by the parser: a note that does not exist.
    let mut i = 0;
    while let Some(k) = text[i..].find("[^") {
        let at = i + k;
        i = at + 2;
        if !literal(at) || !literal(at + 1) {
            continue;
        }
        let label_len = text[at + 2..]
            .find(|c: char| c == ']' || c.is_whitespace() || c == '[')
            .unwrap_or(text.len() - at - 2);
        let close = at + 2 + label_len;
        if label_len == 0 || label_len > MAX_LABEL || bytes.get(close) != Some(&b']') {
            continue;
        }
        if bytes.get(close + 1) == Some(&b':') || !literal(close) {
            continue;
        }
        protected[at..=close].iter_mut().for_each(|p| *p = true);
        undefined.push((
            text[at + 2..close].to_string(),
            span_of(&run, &owner, at, close + 1),
        ));
        i = close + 1;
    }
    // Sub- and superscripts.
    let mut pieces: Vec<(usize, usize, Option<u8>)> = Vec::new(); // (start, end, delimiter)
    let mut plain_from = 0;
    let mut i = 0;
    while i < bytes.len() {
        let d = bytes[i];
        if (d == b'~' || d == b'^') && literal(i) && !protected[i] {
            if let Some(close) = closing(&text, i, d, &protected, &literal) {
                if plain_from < i {
                    pieces.push((plain_from, i, None));
                }
                pieces.push((i + 1, close, Some(d)));
                i = close + 1;
                plain_from = i;
                continue;
            }
            // `~~` left unpaired stays text as a whole.
            if d == b'~' && bytes.get(i + 1) == Some(&b'~') {
                i += 2;
                continue;
            }
        }
        i += 1;
    }
    if plain_from < bytes.len() {
        pieces.push((plain_from, bytes.len(), None));
    }
    for (start, end, delimiter) in pieces {
        let span = span_of(&run, &owner, start, end);
        let piece = Inline::new(InlineKind::Text(text[start..end].to_string()), span);
        let inline = match delimiter {
            None => piece,
            Some(b'~') => Inline::new(InlineKind::Subscript(vec![piece]), span),
            Some(_) => Inline::new(InlineKind::Superscript(vec![piece]), span),
        };
        out.push(inline);
    }
}

/// The closing delimiter of a sub- or superscript opened at `open`, if
/// one follows before any white space.
fn closing(
    text: &str,
    open: usize,
    d: u8,
    protected: &[bool],
    literal: &dyn Fn(usize) -> bool,
) -> Option<usize> {
    let bytes = text.as_bytes();
    let first = *bytes.get(open + 1)?;
    if first == d || first.is_ascii_whitespace() {
        return None;
    }
    let mut j = open + 1;
    while j < bytes.len() {
        let c = bytes[j];
        if c.is_ascii_whitespace() || protected[j] {
            return None;
        }
        // Non-ASCII white space (no-break spaces) ends it too.
        if c >= 0x80 && text[j..].chars().next().is_some_and(char::is_whitespace) {
            return None;
        }
        if c == d && literal(j) {
            // `~~` inside would be a strike-through delimiter: not ours.
            if d == b'~' && bytes.get(j + 1) == Some(&b'~') {
                return None;
            }
            return Some(j);
        }
        j += 1;
    }
    None
}

/// The span of bytes `start..end` of the run: exact inside one verbatim
/// segment, else from the first segment to the last.
fn span_of(run: &[Seg], owner: &[u32], start: usize, end: usize) -> Span {
    let first = owner[start] as usize;
    let last = owner[end.saturating_sub(1).max(start)] as usize;
    let seg_start: usize = owner.iter().position(|&o| o as usize == first).unwrap_or(0);
    let a = &run[first];
    let b = &run[last];
    let begin = if a.verbatim {
        a.span.start + (start - seg_start) as u32
    } else {
        a.span.start
    };
    Span {
        file: a.span.file,
        start: begin,
        end: b.span.end.max(begin),
    }
}

/// The length of the numeric character reference `s` starts with (`&#0;`,
/// `&#xD800`, with or without the semicolon) if it names no character (a
/// null, a surrogate, past U+10FFFF); 0 otherwise.
pub fn bad_reference_len(s: &str) -> usize {
    let Some(body) = s.strip_prefix("&#") else {
        return 0;
    };
    let (hex, digits) = match body.strip_prefix(['x', 'X']) {
        Some(d) => (true, d),
        None => (false, body),
    };
    let n = digits
        .bytes()
        .take_while(|b| {
            if hex {
                b.is_ascii_hexdigit()
            } else {
                b.is_ascii_digit()
            }
        })
        .count();
    if n == 0 {
        return 0;
    }
    // Saturates: anything too long for u64 is past U+10FFFF anyway.
    let value = u64::from_str_radix(&digits[..n], if hex { 16 } else { 10 }).unwrap_or(u64::MAX);
    let bad = value == 0 || (0xD800..=0xDFFF).contains(&value) || value > 0x10FFFF;
    if !bad {
        return 0;
    }
    let semicolon = usize::from(digits[n..].starts_with(';'));
    2 + usize::from(hex) + n + semicolon
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::FileId;

    fn seg(text: &str, at: u32, verbatim: bool) -> Seg {
        Seg {
            text: text.into(),
            span: Span {
                file: FileId(0),
                start: at,
                end: at + text.len() as u32,
            },
            verbatim,
            escaped_first: false,
        }
    }

    fn render(inlines: &[Inline]) -> String {
        inlines
            .iter()
            .map(|i| match &i.kind {
                InlineKind::Text(t) => t.clone(),
                InlineKind::Subscript(c) => format!("_{{{}}}", render(c)),
                InlineKind::Superscript(c) => format!("^{{{}}}", render(c)),
                _ => "?".into(),
            })
            .collect()
    }

    #[test]
    fn inside_words_and_across_events() {
        let mut out = Vec::new();
        let mut undefined = Vec::new();
        settle(
            vec![
                seg("H~2~O and mc^2", 0, true),
                seg("^", 14, true),
                seg(" x^a b^", 15, true),
            ],
            &mut out,
            &mut undefined,
        );
        assert_eq!(render(&out), "H_{2}O and mc^{2} x^a b^");
        assert!(undefined.is_empty());
    }

    #[test]
    fn escaped_delimiters_stay_text() {
        let mut out = Vec::new();
        settle(
            vec![seg("a", 0, true), seg("~", 1, false), seg("b~c", 3, true)],
            &mut out,
            &mut Vec::new(),
        );
        assert_eq!(render(&out), "a~b~c");
    }

    #[test]
    fn undefined_note_references_are_found() {
        let mut out = Vec::new();
        let mut undefined = Vec::new();
        settle(
            vec![seg("See [^nope][^x] and [^a b].", 10, true)],
            &mut out,
            &mut undefined,
        );
        assert_eq!(render(&out), "See [^nope][^x] and [^a b].");
        let labels: Vec<_> = undefined
            .iter()
            .map(|(l, s)| (l.as_str(), s.start))
            .collect();
        assert_eq!(labels, [("nope", 14), ("x", 21)]);
    }
}
