//! Percent-encoding of the addresses in links, in one place: the Markdown
//! stage encodes what a reader cannot follow as written and decodes local
//! paths; mdBook's SUMMARY.md, the preview server and the PDF's printed
//! addresses decode with the same rules.

/// A URL with every character that may not appear in one percent-encoded
/// (white space, `[ ] < > " { } | \ ^` and backquote outside the host,
/// non-ASCII outside the host); `%XX` escapes already there are kept.
pub fn percent_encode(url: &str) -> String {
    // The authority (`//host`) may hold `[::1]` and an internationalized name.
    let host = url
        .find("://")
        .map(|k| {
            let start = k + 3;
            let end = url[start..]
                .find(['/', '?', '#'])
                .map_or(url.len(), |e| start + e);
            start..end
        })
        .unwrap_or(0..0);
    let bytes = url.as_bytes();
    let mut out = String::with_capacity(url.len());
    for (i, c) in url.char_indices() {
        let in_host = host.contains(&i);
        let keep = match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' => true,
            '-' | '.' | '_' | '~' | ':' | '/' | '?' | '#' | '@' | '!' | '$' | '&' | '\'' | '('
            | ')' | '*' | '+' | ',' | ';' | '=' => true,
            '%' => {
                bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                    && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
            }
            '[' | ']' => in_host,
            c if !c.is_ascii() => in_host,
            _ => false,
        };
        if keep {
            out.push(c);
        } else {
            push_escaped(&mut out, c);
        }
    }
    out
}

/// Appends `c` as `%XX` escapes of its UTF-8 bytes.
pub fn push_escaped(out: &mut String, c: char) {
    let mut buf = [0u8; 4];
    for b in c.encode_utf8(&mut buf).bytes() {
        out.push('%');
        out.push(char::from(b"0123456789ABCDEF"[usize::from(b >> 4)]));
        out.push(char::from(b"0123456789ABCDEF"[usize::from(b & 15)]));
    }
}

/// `s` with its `%XX` escapes decoded where `decode` accepts the byte; an
/// escape that is not two hex digits stays as written. The bytes may not
/// be UTF-8.
pub fn percent_decode_where(s: &str, decode: impl Fn(u8) -> bool) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) if decode(b) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// `%20` and friends decoded (a path in a link, a request, SUMMARY.md).
pub fn percent_decode(s: &str) -> String {
    String::from_utf8_lossy(&percent_decode_where(s, |_| true)).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_percent_encoded() {
        assert_eq!(
            percent_encode("https://x.org/a[1] b?q=<c>&d=é#f"),
            "https://x.org/a%5B1%5D%20b?q=%3Cc%3E&d=%C3%A9#f"
        );
        assert_eq!(percent_encode("https://[::1]/%41"), "https://[::1]/%41");
        assert_eq!(
            percent_encode("https://例え.jp/パス"),
            "https://例え.jp/%E3%83%91%E3%82%B9"
        );
        assert_eq!(percent_encode("mailto:a@b.c"), "mailto:a@b.c");
        assert_eq!(percent_encode("https://x.org/100%"), "https://x.org/100%25");
    }

    #[test]
    fn decoding_keeps_what_is_not_an_escape() {
        assert_eq!(percent_decode("/epub/a%20b.xhtml"), "/epub/a b.xhtml");
        assert_eq!(percent_decode("/x%2"), "/x%2");
        assert_eq!(percent_decode("100%zz"), "100%zz");
        assert_eq!(percent_decode_where("a%20b%41", |b| b > b' '), b"a%20bA");
    }
}
