//! Escaping for everything the EPUB writer puts into XML: element text,
//! attribute values, ids and URL fragments.
//!
//! Every string that comes from the model or from book.yaml goes through
//! one of these functions before it reaches an XHTML, OPF or NCX file, so a
//! `&` in a heading or a `"` in a link title can never break the markup.

/// Whether `c` may appear in an XML 1.0 document we write.
///
/// XML forbids most C0 controls outright; C1 controls and the two
/// non-characters at the end of the BMP are allowed by XML but rejected or
/// flagged by HTML validators, so they are dropped too.
fn is_allowed_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r')
        || (('\u{20}'..='\u{7E}').contains(&c))
        || (('\u{A0}'..='\u{D7FF}').contains(&c))
        || (('\u{E000}'..='\u{FFFD}').contains(&c))
        || c >= '\u{10000}'
}

/// Appends `s` as element text: `&`, `<` and `>` escaped, characters XML
/// cannot carry dropped.
pub fn push_text(out: &mut String, s: &str) {
    // Runs of characters written as they are go in at once.
    let mut plain = 0;
    for (at, c) in s.char_indices() {
        let escaped = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            c if is_allowed_char(c) => continue,
            _ => "",
        };
        out.push_str(&s[plain..at]);
        out.push_str(escaped);
        plain = at + c.len_utf8();
    }
    out.push_str(&s[plain..]);
}

/// Appends `s` as a double-quoted attribute value: like [`push_text`] plus
/// both quote characters; tabs and newlines become spaces (an attribute
/// value would normalise them anyway).
pub fn push_attr(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if is_allowed_char(c) => out.push(c),
            _ => {}
        }
    }
}

/// `s` escaped as element text.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_text(&mut out, s);
    out
}

/// `s` escaped as an attribute value (without the quotes).
pub fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_attr(&mut out, s);
    out
}

/// `s` with characters XML cannot carry removed, unescaped (for values
/// handed to epub-builder, which escapes them itself).
pub fn clean(s: &str) -> String {
    s.chars().filter(|&c| is_allowed_char(c)).collect()
}

/// An id as written in the document: the model's ids are already unique and
/// XML-safe; this only guarantees that an odd one (white space, an empty
/// string) still yields a valid attribute. Links use the same function, so
/// both ends always agree.
pub fn id(s: &str) -> String {
    let mut out: String = s
        .chars()
        .filter(|&c| is_allowed_char(c))
        .map(|c| if c.is_whitespace() { '-' } else { c })
        .collect();
    if out.is_empty() {
        out.push_str("id");
    }
    out
}

/// A URL fragment pointing at [`id`]`(s)`: ASCII characters that are not
/// allowed in a fragment are percent-encoded, other characters are kept
/// (IRIs may carry them).
pub fn fragment(s: &str) -> String {
    let mut out = String::new();
    for c in id(s).chars() {
        let keep = c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@/?".contains(c) || !c.is_ascii();
        if keep {
            out.push(c);
        } else {
            crate::url::push_escaped(&mut out, c);
        }
    }
    out
}

/// An external URL as written by the author, made safe to put in an
/// `href`: white space and ASCII characters never valid in a URL are
/// percent-encoded; everything else is left as is.
pub fn url(s: &str) -> String {
    let mut out = String::new();
    for c in s.trim().chars() {
        if c.is_ascii_whitespace() || c.is_ascii_control() || "\"<>\\^`{|}".contains(c) {
            crate::url::push_escaped(&mut out, c);
        } else if is_allowed_char(c) {
            out.push(c);
        }
    }
    out
}

/// Classes from the model as one `class` value: tokens are split on white
/// space so an odd class can never inject a second token silently.
pub fn class_list<'a>(classes: impl IntoIterator<Item = &'a str>) -> String {
    classes
        .into_iter()
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_markup_and_drops_controls() {
        assert_eq!(text("a & b <c> \"d\""), "a &amp; b &lt;c&gt; \"d\"");
        assert_eq!(text("x\u{1}y\u{FFFF}z\u{85}"), "xyz");
        assert_eq!(text("tab\there"), "tab\there");
    }

    #[test]
    fn attr_escapes_both_quotes() {
        assert_eq!(
            attr("say \"hi\" & 'bye'"),
            "say &quot;hi&quot; &amp; &#39;bye&#39;"
        );
        assert_eq!(attr("a\nb"), "a b");
    }

    #[test]
    fn ids_and_fragments_agree() {
        assert_eq!(id("a b"), "a-b");
        assert_eq!(id(""), "id");
        assert_eq!(fragment("caf\u{e9}-1"), "caf\u{e9}-1");
        assert_eq!(fragment("50%"), "50%25");
        assert_eq!(fragment("a\"b"), "a%22b");
    }

    #[test]
    fn urls_lose_only_what_is_invalid() {
        assert_eq!(
            url(" https://example.org/a b?q=1&r=<2> "),
            "https://example.org/a%20b?q=1&r=%3C2%3E"
        );
    }

    #[test]
    fn class_list_splits_tokens() {
        assert_eq!(class_list(["a b", " c"]), "a b c");
    }
}
