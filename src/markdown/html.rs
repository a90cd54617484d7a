//! Raw HTML in Markdown → tokens with their byte ranges.
//!
//! A small tokenizer after the HTML standard's: start and end tags with
//! attributes, text with character references decoded (all 2,231 named
//! ones), comments, doctypes and processing instructions (dropped), and
//! the raw-text elements (`<script>`, `<style>`…) whose content is never
//! markup. It is ours rather than a full HTML parser's because the builder
//! needs each token's exact place in the chapter for its diagnostics, and
//! needs to see the references that name no character (`&#0;`), which an
//! HTML parser silently turns into U+FFFD.
//!
//! What each element *means* to a book is decided here too
//! ([`classify`]), in one table, so the builder's rules read as a list.

use std::ops::Range;

use markup5ever::data::{C1_REPLACEMENTS, NAMED_ENTITIES};

/// One token of a piece of raw HTML, with its byte range in the piece.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub range: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    /// Text with its character references decoded.
    Text(String),
    Start {
        /// Lower case.
        name: String,
        attrs: Vec<(String, String)>,
        self_closing: bool,
    },
    End {
        name: String,
    },
    /// A comment, doctype, processing instruction or CDATA section: not
    /// content, dropped without a word.
    Comment,
}

/// Something in the text that cannot be printed as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flaw {
    /// A numeric reference to no character (`&#0;`, a surrogate, past
    /// U+10FFFF): kept as written.
    BadReference(String),
    /// A control character or noncharacter: left out.
    Unprintable(char),
}

/// Elements whose content is raw text, never markup.
const RAW_TEXT: &[&str] = &[
    "script", "style", "xmp", "iframe", "noembed", "noframes", "textarea", "title",
];
/// Raw-text elements whose character references are still decoded.
const ESCAPABLE_RAW_TEXT: &[&str] = &["textarea", "title"];

/// Splits `src` into tokens. `flaws` receives every character that cannot
/// be printed as written, with its byte range in `src`.
pub fn tokenize(src: &str, flaws: &mut Vec<(Flaw, Range<usize>)>) -> Vec<Token> {
    let mut tokens = Vec::new();
    let bytes = src.as_bytes();
    let mut i = 0;
    while i < src.len() {
        if bytes[i] != b'<' {
            let end = src[i..].find('<').map_or(src.len(), |k| i + k);
            push_text(&mut tokens, src, i..end, true, flaws);
            i = end;
            continue;
        }
        let rest = &src[i..];
        if rest.starts_with("<!--") {
            let end = comment_end(src, i + 4);
            tokens.push(Token {
                kind: TokenKind::Comment,
                range: i..end,
            });
            i = end;
        } else if rest.starts_with("<!") || rest.starts_with("<?") {
            let end = src[i..].find('>').map_or(src.len(), |k| i + k + 1);
            tokens.push(Token {
                kind: TokenKind::Comment,
                range: i..end,
            });
            i = end;
        } else if rest.starts_with("</") && starts_name(&rest[2..]) {
            let name_end = name_end(src, i + 2);
            let name = src[i + 2..name_end].to_ascii_lowercase();
            let end = tag_end(src, name_end).unwrap_or(src.len());
            tokens.push(Token {
                kind: TokenKind::End { name },
                range: i..end,
            });
            i = end;
        } else if starts_name(&rest[1..]) {
            match start_tag(src, i, flaws) {
                Some((token, end)) => {
                    let raw = match &token.kind {
                        TokenKind::Start {
                            name,
                            self_closing: false,
                            ..
                        } if RAW_TEXT.contains(&name.as_str()) => Some(name.clone()),
                        _ => None,
                    };
                    tokens.push(token);
                    i = end;
                    if let Some(name) = raw {
                        i = raw_text(src, i, &name, &mut tokens, flaws);
                    }
                }
                // A tag cut off by the end of the piece: HTML drops it.
                None => {
                    tokens.push(Token {
                        kind: TokenKind::Comment,
                        range: i..src.len(),
                    });
                    i = src.len();
                }
            }
        } else {
            // A `<` that opens no tag is text.
            let end = src[i + 1..].find('<').map_or(src.len(), |k| i + 1 + k);
            push_text(&mut tokens, src, i..end, true, flaws);
            i = end;
        }
    }
    tokens
}

/// Whether `s` starts with an ASCII letter (a tag name's first character).
fn starts_name(s: &str) -> bool {
    s.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
}

/// End of the tag name starting at `i`.
fn name_end(src: &str, i: usize) -> usize {
    src[i..]
        .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
        .map_or(src.len(), |k| i + k)
}

/// Just past the `-->` that closes a comment whose body starts at `i`.
fn comment_end(src: &str, i: usize) -> usize {
    let body = &src[i.min(src.len())..];
    // `<!-->` and `<!--->` are (empty) comments too.
    if body.starts_with('>') {
        return i + 1;
    }
    if body.starts_with("->") {
        return i + 2;
    }
    match (body.find("-->"), body.find("--!>")) {
        (Some(a), Some(b)) if b < a => i + b + 4,
        (Some(a), _) => i + a + 3,
        (None, Some(b)) => i + b + 4,
        (None, None) => src.len(),
    }
}

/// Just past the `>` that ends a tag whose attributes start at `i`,
/// skipping `>` inside quoted values; `None` if the piece ends first.
fn tag_end(src: &str, i: usize) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (k, &b) in src.as_bytes()[i..].iter().enumerate() {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => {
                // Quotes only open a value right after `=`.
                let before = src[i..i + k].trim_end();
                if before.ends_with('=') {
                    quote = Some(b);
                }
            }
            None if b == b'>' => return Some(i + k + 1),
            None => {}
        }
    }
    None
}

/// The start tag at `at` and the offset just past it.
fn start_tag(
    src: &str,
    at: usize,
    flaws: &mut Vec<(Flaw, Range<usize>)>,
) -> Option<(Token, usize)> {
    let name_end = name_end(src, at + 1);
    let name = src[at + 1..name_end].to_ascii_lowercase();
    let end = tag_end(src, name_end)?;
    let inner = &src[name_end..end - 1];
    let self_closing = inner.trim_end().ends_with('/');
    let attrs = attributes(src, name_end, end - 1, flaws);
    Some((
        Token {
            kind: TokenKind::Start {
                name,
                attrs,
                self_closing,
            },
            range: at..end,
        },
        end,
    ))
}

/// Parses the attributes between `from` and `to` (the closing `>`).
/// Names are lower-cased; the first of duplicate names wins, as in HTML.
fn attributes(
    src: &str,
    from: usize,
    to: usize,
    flaws: &mut Vec<(Flaw, Range<usize>)>,
) -> Vec<(String, String)> {
    let mut attrs: Vec<(String, String)> = Vec::new();
    let b = src.as_bytes();
    let mut i = from;
    let skip_ws = |i: &mut usize| {
        while *i < to && (b[*i].is_ascii_whitespace() || b[*i] == b'/') {
            *i += 1;
        }
    };
    loop {
        skip_ws(&mut i);
        if i >= to {
            break;
        }
        let start = i;
        while i < to && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'/' | b'>') {
            i += 1;
        }
        if i == start {
            // A stray `=`: skip it.
            i += 1;
            continue;
        }
        let name = src[start..i].to_ascii_lowercase();
        let mut j = i;
        while j < to && b[j].is_ascii_whitespace() {
            j += 1;
        }
        let mut value = String::new();
        if j < to && b[j] == b'=' {
            j += 1;
            while j < to && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let (vstart, vend, next) = match b.get(j) {
                Some(&q) if (q == b'"' || q == b'\'') && j < to => {
                    let close = src[j + 1..to].find(q as char).map_or(to, |k| j + 1 + k);
                    (j + 1, close, (close + 1).min(to))
                }
                _ => {
                    let mut k = j;
                    while k < to && !b[k].is_ascii_whitespace() {
                        k += 1;
                    }
                    (j, k, k)
                }
            };
            value = decode(src, vstart..vend, flaws);
            i = next;
        }
        if !attrs.iter().any(|(n, _)| *n == name) {
            attrs.push((name, value));
        }
    }
    attrs
}

/// The content of the raw-text element `name` from `i` up to its end tag,
/// pushed as text and an end tag; returns the offset past them.
fn raw_text(
    src: &str,
    i: usize,
    name: &str,
    tokens: &mut Vec<Token>,
    flaws: &mut Vec<(Flaw, Range<usize>)>,
) -> usize {
    let lower = src[i..].to_ascii_lowercase();
    let needle = format!("</{name}");
    let close = lower.match_indices(&needle).map(|(k, _)| i + k).find(|&k| {
        src.as_bytes()
            .get(k + needle.len())
            .is_none_or(|&c| c.is_ascii_whitespace() || c == b'>' || c == b'/')
    });
    let text_end = close.unwrap_or(src.len());
    if text_end > i {
        let decode_refs = ESCAPABLE_RAW_TEXT.contains(&name);
        push_text(tokens, src, i..text_end, decode_refs, flaws);
    }
    let Some(close) = close else {
        return src.len();
    };
    let end = tag_end(src, close + needle.len()).unwrap_or(src.len());
    tokens.push(Token {
        kind: TokenKind::End {
            name: name.to_string(),
        },
        range: close..end,
    });
    end
}

fn push_text(
    tokens: &mut Vec<Token>,
    src: &str,
    range: Range<usize>,
    decode_refs: bool,
    flaws: &mut Vec<(Flaw, Range<usize>)>,
) {
    let text = if decode_refs {
        decode(src, range.clone(), flaws)
    } else {
        printable(src, range.clone(), flaws)
    };
    if let Some(Token {
        kind: TokenKind::Text(prev),
        range: prev_range,
    }) = tokens.last_mut()
    {
        if prev_range.end == range.start {
            prev.push_str(&text);
            prev_range.end = range.end;
            return;
        }
    }
    tokens.push(Token {
        kind: TokenKind::Text(text),
        range,
    });
}

/// Characters a book cannot show: controls other than tab, line feed and
/// carriage return (C0, DEL, C1), and Unicode noncharacters.
pub fn unprintable(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || ('\u{FDD0}'..='\u{FDEF}').contains(&c)
        || (u32::from(c) & 0xFFFE) == 0xFFFE
}

/// `src[range]` without its unprintable characters, each reported.
fn printable(src: &str, range: Range<usize>, flaws: &mut Vec<(Flaw, Range<usize>)>) -> String {
    let s = &src[range.clone()];
    if !s.chars().any(unprintable) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for (k, c) in s.char_indices() {
        if unprintable(c) {
            let at = range.start + k;
            flaws.push((Flaw::Unprintable(c), at..at + c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    out
}

/// `src[range]` with its character references decoded. A numeric
/// reference to no character is kept as written; unprintable characters
/// (written or referenced) are left out; each is reported.
fn decode(src: &str, range: Range<usize>, flaws: &mut Vec<(Flaw, Range<usize>)>) -> String {
    let s = &src[range.clone()];
    if !s.contains('&') {
        return printable(src, range, flaws);
    }
    let mut out = String::with_capacity(s.len());
    let mut k = 0;
    while k < s.len() {
        let rest = &s[k..];
        let Some(amp) = rest.find('&') else {
            out.push_str(&printable(src, range.start + k..range.end, flaws));
            break;
        };
        out.push_str(&printable(
            src,
            range.start + k..range.start + k + amp,
            flaws,
        ));
        k += amp;
        let at = range.start + k;
        match reference(&s[k..]) {
            Reference::Char(c, len) => {
                if unprintable(c) {
                    flaws.push((Flaw::Unprintable(c), at..at + len));
                } else {
                    out.push(c);
                }
                k += len;
            }
            Reference::Chars(a, b, len) => {
                out.push(a);
                out.push(b);
                k += len;
            }
            Reference::Bad(len) => {
                let written = &s[k..k + len];
                flaws.push((Flaw::BadReference(written.to_string()), at..at + len));
                out.push_str(written);
                k += len;
            }
            Reference::None => {
                out.push('&');
                k += 1;
            }
        }
    }
    out
}

enum Reference {
    /// A character and the length of its reference.
    Char(char, usize),
    /// Two characters (a few named references stand for a pair).
    Chars(char, char, usize),
    /// A numeric reference to no character, of this length.
    Bad(usize),
    /// Not a reference: the `&` is text.
    None,
}

/// The character reference `s` starts with (`s` starts with `&`).
fn reference(s: &str) -> Reference {
    let body = &s[1..];
    if let Some(num) = body.strip_prefix('#') {
        let (hex, digits) = match num.strip_prefix(['x', 'X']) {
            Some(d) => (true, d),
            None => (false, num),
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
            return Reference::None;
        }
        let semicolon = usize::from(digits[n..].starts_with(';'));
        let len = 2 + usize::from(hex) + n + semicolon;
        // Saturates: anything too long for u64 is past U+10FFFF anyway.
        let value =
            u64::from_str_radix(&digits[..n], if hex { 16 } else { 10 }).unwrap_or(u64::MAX);
        if value == 0 || (0xD800..=0xDFFF).contains(&value) || value > 0x10FFFF {
            return Reference::Bad(len);
        }
        // References to C1 controls mean Windows-1252 characters, as in HTML.
        if (0x80..=0x9F).contains(&value) {
            if let Some(Some(c)) = C1_REPLACEMENTS.get((value - 0x80) as usize) {
                return Reference::Char(*c, len);
            }
        }
        return char::from_u32(value as u32)
            .map_or(Reference::Bad(len), |c| Reference::Char(c, len));
    }
    let name_len = body.bytes().take_while(u8::is_ascii_alphanumeric).count();
    if name_len == 0 {
        return Reference::None;
    }
    // The table also holds every prefix of a name, as (0, 0), for
    // tokenizers that read a character at a time: those are no reference.
    let chars = |&(a, b): &(u32, u32)| {
        if a == 0 {
            (None, None)
        } else {
            (char::from_u32(a), char::from_u32(b))
        }
    };
    if body[name_len..].starts_with(';') {
        if let Some(found) = NAMED_ENTITIES.get(&body[..=name_len]) {
            return match chars(found) {
                (Some(a), Some(b)) if b != '\0' => Reference::Chars(a, b, name_len + 2),
                (Some(a), _) => Reference::Char(a, name_len + 2),
                _ => Reference::None,
            };
        }
    }
    // Legacy references may omit the semicolon: the longest that matches.
    for len in (2..=name_len).rev() {
        if let Some(found) = NAMED_ENTITIES.get(&body[..len]) {
            if let (Some(a), _) = chars(found) {
                return Reference::Char(a, len + 1);
            }
        }
    }
    Reference::None
}

/// What an HTML element means to a book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Element {
    /// `<p>`.
    Paragraph,
    Heading(u8),
    /// A block container kept as a [`crate::model::Division`]: `div`,
    /// `section`, `aside`…; `center` adds centring.
    Division {
        center: bool,
    },
    BlockQuote,
    List {
        ordered: bool,
    },
    Item,
    DefList,
    Term,
    Desc,
    Table,
    /// `thead` (true), `tbody`, `tfoot`.
    TableSection {
        head: bool,
    },
    Row,
    Cell {
        header: bool,
    },
    Caption,
    Figure,
    FigCaption,
    Details,
    Summary,
    Pre,
    Rule,
    Break,
    Image,
    /// `<input>`: a checkbox becomes ☐/☑, anything else is dropped.
    Input,
    Link,
    Phrase(Phrase),
    /// Ruby annotation text (`<rt>`), set after its base in parentheses.
    RubyText,
    /// Tags that go while their content stays (`<font>`, `<span>` without
    /// attributes that matter, `<picture>`…).
    Unwrap,
    /// Dropped silently with no content of its own: metadata, layout hints
    /// (`<meta>`, `<col>`, `<wbr>`, `<source>`…).
    Ignore,
    /// Dropped silently with its content: fallbacks for what a book shows
    /// anyway (`<rp>`, the parentheses around ruby text).
    Skip,
    /// Dropped with everything inside, with a warning: it runs code, takes
    /// input, plays media or embeds another document.
    Drop,
    /// Not an HTML element at all (`<T>`, `<Links>`): the author meant the
    /// text literally.
    Foreign,
}

/// Text-level elements and what they become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phrase {
    Emphasis,
    Strong,
    Strike,
    Underline,
    Superscript,
    Subscript,
    Small,
    Mark,
    Kbd,
    Code,
    Abbr,
    Quote,
    /// `<span>`, `<bdi>`, `<bdo>`: kept when they carry a language, a
    /// direction or an id.
    Span,
}

/// The meaning of element `name` (lower case).
pub fn classify(name: &str) -> Element {
    use Element::*;
    match name {
        "p" => Paragraph,
        "h1" => Heading(1),
        "h2" => Heading(2),
        "h3" => Heading(3),
        "h4" => Heading(4),
        "h5" => Heading(5),
        "h6" => Heading(6),
        "div" | "section" | "article" | "aside" | "header" | "footer" | "main" | "nav"
        | "address" | "hgroup" | "search" | "fieldset" | "dialog" => Division { center: false },
        "center" => Division { center: true },
        "blockquote" => BlockQuote,
        "ul" | "menu" | "dir" => List { ordered: false },
        "ol" => List { ordered: true },
        "li" => Item,
        "dl" => DefList,
        "dt" => Term,
        "dd" => Desc,
        "table" => Table,
        "thead" => TableSection { head: true },
        "tbody" | "tfoot" => TableSection { head: false },
        "tr" => Row,
        "td" => Cell { header: false },
        "th" => Cell { header: true },
        "caption" => Caption,
        "figure" => Figure,
        "figcaption" => FigCaption,
        "details" => Details,
        "summary" => Summary,
        "pre" | "listing" | "plaintext" => Pre,
        "hr" => Rule,
        "br" => Break,
        "img" => Image,
        "input" => Input,
        "a" => Link,
        "em" | "i" | "cite" | "dfn" | "var" => Phrase(self::Phrase::Emphasis),
        "strong" | "b" => Phrase(self::Phrase::Strong),
        "s" | "del" | "strike" => Phrase(self::Phrase::Strike),
        "u" | "ins" => Phrase(self::Phrase::Underline),
        "sup" => Phrase(self::Phrase::Superscript),
        "sub" => Phrase(self::Phrase::Subscript),
        "small" => Phrase(self::Phrase::Small),
        "mark" => Phrase(self::Phrase::Mark),
        "kbd" => Phrase(self::Phrase::Kbd),
        "code" | "samp" | "tt" => Phrase(self::Phrase::Code),
        "abbr" | "acronym" => Phrase(self::Phrase::Abbr),
        "q" => Phrase(self::Phrase::Quote),
        "span" | "bdi" | "bdo" => Phrase(self::Phrase::Span),
        "rt" => RubyText,
        "font" | "big" | "time" | "data" | "label" | "nobr" | "blink" | "marquee" | "picture"
        | "ruby" | "rb" | "rtc" | "html" | "body" | "legend" | "optgroup" | "option" | "slot"
        | "map" | "meter" | "progress" | "output" | "multicol" | "spacer" | "basefont" => Unwrap,
        "meta" | "link" | "base" | "source" | "track" | "param" | "col" | "colgroup" | "wbr"
        | "area" | "head" => Ignore,
        "rp" => Skip,
        "script" | "style" | "noscript" | "template" | "iframe" | "object" | "embed" | "applet"
        | "video" | "audio" | "canvas" | "svg" | "math" | "form" | "button" | "select"
        | "textarea" | "datalist" | "frameset" | "frame" | "noframes" | "noembed" | "title"
        | "xmp" | "keygen" => Drop,
        // Custom elements (with a hyphen) are HTML: their content shows.
        n if n.contains('-') => Unwrap,
        _ => Foreign,
    }
}

/// Elements that never have content.
pub fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "keygen"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<TokenKind> {
        let mut flaws = Vec::new();
        tokenize(src, &mut flaws)
            .into_iter()
            .map(|t| t.kind)
            .collect()
    }

    fn start(name: &str, attrs: &[(&str, &str)]) -> TokenKind {
        TokenKind::Start {
            name: name.into(),
            attrs: attrs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            self_closing: false,
        }
    }

    #[test]
    fn tags_text_and_ranges() {
        let src =
            "<P Class=\"a>b\" id=x hidden>Hi &amp; &copy &#x41; &nosuch; &notit;</p><!-- c -->";
        let mut flaws = Vec::new();
        let tokens = tokenize(src, &mut flaws);
        assert_eq!(
            tokens.iter().map(|t| t.kind.clone()).collect::<Vec<_>>(),
            [
                start("p", &[("class", "a>b"), ("id", "x"), ("hidden", "")]),
                TokenKind::Text("Hi & © A &nosuch; ¬it;".into()),
                TokenKind::End { name: "p".into() },
                TokenKind::Comment,
            ]
        );
        assert_eq!(
            &src[tokens[0].range.clone()],
            "<P Class=\"a>b\" id=x hidden>"
        );
        assert_eq!(&src[tokens[2].range.clone()], "</p>");
        assert!(flaws.is_empty());
    }

    #[test]
    fn raw_text_is_not_markup() {
        assert_eq!(
            kinds("<script>if (a<b) alert(\"<p>\")</script>x"),
            [
                start("script", &[]),
                TokenKind::Text("if (a<b) alert(\"<p>\")".into()),
                TokenKind::End {
                    name: "script".into()
                },
                TokenKind::Text("x".into()),
            ]
        );
    }

    #[test]
    fn bad_references_are_kept_and_reported() {
        let mut flaws = Vec::new();
        let tokens = tokenize("a &#0; b &#x110000 c &#65; &#128; \u{1}d", &mut flaws);
        assert_eq!(
            tokens[0].kind,
            TokenKind::Text("a &#0; b &#x110000 c A € d".into())
        );
        assert_eq!(
            flaws,
            [
                (Flaw::BadReference("&#0;".into()), 2..6),
                (Flaw::BadReference("&#x110000".into()), 9..18),
                (Flaw::Unprintable('\u{1}'), 34..35),
            ]
        );
    }

    #[test]
    fn stray_angle_brackets_are_text() {
        assert_eq!(
            kinds("a < b <3 </ x"),
            [TokenKind::Text("a < b <3 </ x".into())]
        );
        assert_eq!(kinds("<img src=x"), [TokenKind::Comment]);
    }

    #[test]
    fn classification() {
        assert_eq!(classify("T"), Element::Foreign);
        assert_eq!(classify("my-widget"), Element::Unwrap);
        assert_eq!(classify("script"), Element::Drop);
        assert_eq!(classify("b"), Element::Phrase(Phrase::Strong));
    }
}
