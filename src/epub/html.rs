//! Raw HTML from the Markdown (`BlockKind::Html`, `InlineKind::Html`),
//! sanitized into well-formed XHTML.
//!
//! Each piece is tokenized with html5ever's tokenizer (so entities such as
//! `&nbsp;` are decoded and attributes parsed as a browser would), then
//! filtered against an allow-list and re-serialized:
//!
//! - safe text-level and block elements are kept with safe attributes;
//! - scripts, styles, forms, iframes, embedded media and foreign content
//!   (SVG, MathML) are dropped with their content, unknown or obsolete
//!   elements are unwrapped (their text kept), event handlers, `style` and
//!   other attributes EPUB does not allow are removed — each with a
//!   warning naming the file and line;
//! - elements are only opened where XHTML allows them (a `<div>` is never
//!   written inside a paragraph, an `<li>` only inside a list…), and every
//!   element is closed: raw elements left open by one piece may span later
//!   Markdown (`<div class="note">` … `</div>` around paragraphs) but are
//!   closed when their container ends;
//! - local images are packaged like Markdown images, remote ones become a
//!   link.
//!
//! Pieces are tokenized one at a time, as the model holds them; a start tag
//! in one piece and its end tag in another still pair up through
//! [`HtmlState`].

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

use crate::diag::Span;

use super::escape::{self, push_attr, push_text};
use super::xhtml::{has_safe_scheme, ChapterWriter};

/// Text-level elements that are kept.
const PHRASING: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "del", "dfn", "em", "i", "img",
    "ins", "kbd", "mark", "q", "rt", "ruby", "s", "samp", "small", "span", "strong", "sub", "sup",
    "time", "u", "var", "wbr",
];
/// Block-level elements that are kept.
const FLOW: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "caption",
    "col",
    "colgroup",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];
/// Kept elements that never have content (written as `<x/>`).
const VOID: &[&str] = &["br", "hr", "img", "wbr", "col"];
/// Dropped together with everything inside them: they run code, take
/// input, embed other documents or need manifest properties we do not set
/// (`rp`, ruby's fallback parentheses, is discouraged in EPUB).
const DROP_WITH_CONTENT: &[&str] = &[
    "applet", "audio", "button", "canvas", "datalist", "form", "frameset", "head", "iframe",
    "math", "noembed", "noframes", "noscript", "object", "rp", "script", "select", "style", "svg",
    "template", "textarea", "title", "video", "xmp",
];
/// Dropped elements without content of their own.
const DROP_VOID: &[&str] = &[
    "area", "base", "embed", "frame", "input", "keygen", "link", "meta", "param", "source", "track",
];
/// Real HTML elements (obsolete, presentational or interactive) that are
/// unwrapped: their tags go, their text stays. A tag that is not HTML at
/// all (`<Links>`, `<T>`) standing alone is taken for text the author
/// meant literally and written as such.
const UNWRAP: &[&str] = &[
    "acronym", "basefont", "big", "blink", "body", "center", "dialog", "dir", "fieldset", "font",
    "html", "label", "legend", "listing", "map", "marquee", "menu", "meter", "multicol", "nobr",
    "optgroup", "option", "output", "picture", "progress", "search", "slot", "spacer", "strike",
    "tt",
];
/// Kept elements whose content is text only: no block may open inside.
const PHRASING_CONTENT: &[&str] = &[
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "dt", "summary", "caption",
];
/// Kept elements that hold only certain children and no text.
const NO_TEXT: &[(&str, &[&str])] = &[
    ("ul", &["li"]),
    ("ol", &["li"]),
    ("dl", &["dt", "dd", "div"]),
    (
        "table",
        &["caption", "colgroup", "thead", "tbody", "tfoot", "tr"],
    ),
    ("thead", &["tr"]),
    ("tbody", &["tr"]),
    ("tfoot", &["tr"]),
    ("tr", &["td", "th"]),
    ("colgroup", &["col"]),
    ("hgroup", &["h1", "h2", "h3", "h4", "h5", "h6", "p"]),
];
/// Elements that may only appear inside one of the listed parents.
const PARENTS: &[(&str, &[&str])] = &[
    ("li", &["ul", "ol"]),
    ("dt", &["dl", "div"]),
    ("dd", &["dl", "div"]),
    ("tr", &["table", "thead", "tbody", "tfoot"]),
    ("td", &["tr"]),
    ("th", &["tr"]),
    ("thead", &["table"]),
    ("tbody", &["table"]),
    ("tfoot", &["table"]),
    ("caption", &["table"]),
    ("colgroup", &["table"]),
    ("col", &["colgroup"]),
    ("figcaption", &["figure"]),
    ("summary", &["details"]),
    ("rt", &["ruby"]),
];
/// An open element that a new start tag closes first, as HTML parsers do
/// (`<li>` after an open `<li>`, `<tr>` after an open cell…).
const IMPLIED_END: &[(&str, &[&str])] = &[
    ("li", &["li"]),
    ("dt", &["dt", "dd"]),
    ("dd", &["dt", "dd"]),
    ("tr", &["td", "th", "tr"]),
    ("td", &["td", "th"]),
    ("th", &["td", "th"]),
    ("thead", &["td", "th", "tr", "thead", "tbody", "tfoot"]),
    ("tbody", &["td", "th", "tr", "thead", "tbody", "tfoot"]),
    ("tfoot", &["td", "th", "tr", "thead", "tbody", "tfoot"]),
];
/// Block elements that may stay open after a raw HTML block, around the
/// Markdown blocks that follow (their content model is flow content).
const FLOW_CONTAINERS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "dd",
    "details",
    "div",
    "figcaption",
    "figure",
    "footer",
    "header",
    "li",
    "main",
    "nav",
    "section",
    "td",
    "th",
];
/// Attributes kept on every element.
const GLOBAL_ATTRS: &[&str] = &["id", "class", "title", "lang", "dir", "role", "epub:type"];
/// Attributes kept on particular elements; values are checked by kind.
const ELEMENT_ATTRS: &[(&str, &[&str])] = &[
    ("a", &["href", "hreflang"]),
    ("img", &["src", "alt", "width", "height"]),
    ("ol", &["start", "reversed", "type"]),
    ("li", &["value"]),
    ("td", &["colspan", "rowspan"]),
    ("th", &["colspan", "rowspan", "scope", "abbr"]),
    ("col", &["span"]),
    ("colgroup", &["span"]),
    ("time", &["datetime"]),
    ("data", &["value"]),
    ("del", &["cite", "datetime"]),
    ("ins", &["cite", "datetime"]),
    ("q", &["cite"]),
    ("blockquote", &["cite"]),
    ("details", &["open"]),
];

fn lookup<'t>(table: &'t [(&str, &'t [&str])], key: &str) -> Option<&'t [&'t str]> {
    table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// The static name of a kept element, or `None`.
fn kept(name: &str) -> Option<&'static str> {
    PHRASING.iter().chain(FLOW).find(|&&n| n == name).copied()
}

/// Whether `name` is no HTML element at all (custom elements, which
/// contain a hyphen, count as HTML).
fn is_not_html(name: &str) -> bool {
    kept(name).is_none()
        && !DROP_WITH_CONTENT.contains(&name)
        && !DROP_VOID.contains(&name)
        && !UNWRAP.contains(&name)
        && !name.contains('-')
}

fn is_phrasing(name: &str) -> bool {
    PHRASING.contains(&name)
}

/// A token of one raw HTML piece, simplified.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Start {
        name: String,
        attrs: Vec<(String, String)>,
        self_closing: bool,
    },
    End(String),
    Text(String),
}

/// Collects html5ever tokens, switching the tokenizer to raw text inside
/// `<script>`, `<style>` and the like so their content never looks like
/// markup.
#[derive(Default)]
struct Collector {
    tokens: RefCell<Vec<Tok>>,
}

impl TokenSink for Collector {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut tokens = self.tokens.borrow_mut();
        match token {
            Token::TagToken(tag) => {
                let name = tag.name.to_string();
                if tag.kind == TagKind::EndTag {
                    tokens.push(Tok::End(name));
                    return TokenSinkResult::Continue;
                }
                let attrs = tag
                    .attrs
                    .iter()
                    .map(|a| (a.name.local.to_string(), a.value.to_string()))
                    .collect();
                let raw = match name.as_str() {
                    "script" => Some(RawKind::ScriptData),
                    "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
                        Some(RawKind::Rawtext)
                    }
                    "textarea" | "title" => Some(RawKind::Rcdata),
                    _ => None,
                };
                let plaintext = name == "plaintext";
                tokens.push(Tok::Start {
                    name,
                    attrs,
                    self_closing: tag.self_closing,
                });
                match raw {
                    Some(kind) if !tag.self_closing => TokenSinkResult::RawData(kind),
                    _ if plaintext => TokenSinkResult::Plaintext,
                    _ => TokenSinkResult::Continue,
                }
            }
            Token::CharacterTokens(text) => {
                if let Some(Tok::Text(last)) = tokens.last_mut() {
                    last.push_str(&text);
                } else {
                    tokens.push(Tok::Text(text.to_string()));
                }
                TokenSinkResult::Continue
            }
            _ => TokenSinkResult::Continue,
        }
    }
}

fn tokenize(html: &str) -> Vec<Tok> {
    let tokenizer = Tokenizer::new(Collector::default(), TokenizerOpts::default());
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    tokenizer.sink.tokens.take()
}

/// Raw HTML elements currently open, innermost last, and the index where
/// the current container's own elements start.
#[derive(Debug, Default)]
pub struct HtmlState {
    open: Vec<&'static str>,
    floor: usize,
    /// A dropped element (`<script>`, `<svg>`…) whose end tag has not come
    /// yet, with its nesting depth: Markdown inlines between its pieces
    /// (the script's text, an SVG's inner tags) are dropped with it until
    /// the end tag or the end of the container.
    pub skipping: Option<(String, usize)>,
}

impl HtmlState {
    /// Starts a container; returns what [`Self::leave`] needs to end it.
    pub fn enter(&mut self) -> usize {
        let saved = self.floor;
        self.floor = self.open.len();
        saved
    }

    /// Ends the current container: returns the names of the elements that
    /// must be closed now, innermost first.
    pub fn leave(&mut self, saved: usize) -> Vec<&'static str> {
        let closing: Vec<&'static str> = self.open.drain(self.floor..).rev().collect();
        self.floor = saved;
        self.skipping = None;
        closing
    }

    /// The innermost raw element of the current container.
    fn current(&self) -> Option<&'static str> {
        self.open[self.floor..].last().copied()
    }
}

/// What was changed in one piece of raw HTML, for its single warning.
#[derive(Default)]
struct Report {
    dropped: BTreeSet<String>,
    unwrapped: BTreeSet<String>,
    attributes: BTreeSet<String>,
    other: BTreeSet<String>,
}

impl Report {
    fn message(&self, block: bool) -> Option<String> {
        let list = |set: &BTreeSet<String>| set.iter().cloned().collect::<Vec<_>>().join(", ");
        let mut parts = Vec::new();
        if !self.dropped.is_empty() {
            parts.push(format!("dropped {}", list(&self.dropped)));
        }
        if !self.unwrapped.is_empty() {
            parts.push(format!("kept only the text of {}", list(&self.unwrapped)));
        }
        if !self.attributes.is_empty() {
            parts.push(format!("removed attributes {}", list(&self.attributes)));
        }
        parts.extend(self.other.iter().cloned());
        if parts.is_empty() {
            return None;
        }
        let what = if block { "HTML block" } else { "inline HTML" };
        Some(format!("{what} changed for the EPUB: {}", parts.join("; ")))
    }
}

/// Decodes `%XX` escapes of a relative URL into a path.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl ChapterWriter<'_, '_> {
    /// Sanitizes and writes one piece of raw HTML; `block` tells whether it
    /// stood as a block of its own or inside a paragraph.
    pub(super) fn raw_html(&mut self, html: &str, span: Span, block: bool) {
        let tokens = tokenize(html);
        if let [Tok::Start { name, .. } | Tok::End(name)] = tokens.as_slice() {
            if is_not_html(name) && self.html.skipping.is_none() {
                push_text(&mut self.out, html);
                return;
            }
        }
        let mut report = Report::default();
        // The dropped element being skipped (perhaps opened by an earlier
        // piece) and its nesting depth.
        let mut skipping = self.html.skipping.take();
        for token in tokens {
            if let Some((skip_name, depth)) = &mut skipping {
                match &token {
                    Tok::Start {
                        name,
                        self_closing: false,
                        ..
                    } if name == skip_name => *depth += 1,
                    Tok::End(name) if name == skip_name => {
                        *depth -= 1;
                        if *depth == 0 {
                            skipping = None;
                        }
                    }
                    _ => {}
                }
                continue;
            }
            match token {
                Tok::Text(text) => self.raw_text(&text, &mut report),
                Tok::End(name) => self.raw_end(&name),
                Tok::Start {
                    name,
                    attrs,
                    self_closing,
                } => {
                    if DROP_WITH_CONTENT.contains(&name.as_str()) {
                        report.dropped.insert(format!("<{name}>"));
                        if !self_closing {
                            skipping = Some((name, 1));
                        }
                    } else if DROP_VOID.contains(&name.as_str()) {
                        report.dropped.insert(format!("<{name}>"));
                    } else if let Some(name) = kept(&name) {
                        self.raw_start(name, &attrs, self_closing, block, &mut report);
                    } else {
                        report.unwrapped.insert(format!("<{name}>"));
                    }
                }
            }
        }
        if block {
            self.close_after_block();
        } else {
            self.html.skipping = skipping;
        }
        if let Some(message) = report.message(block) {
            self.warn(span, message);
        }
    }

    fn raw_text(&mut self, text: &str, report: &mut Report) {
        if let Some(current) = self.html.current() {
            if lookup(NO_TEXT, current).is_some() {
                if !text.trim().is_empty() {
                    report
                        .other
                        .insert(format!("dropped text directly inside <{current}>"));
                }
                return;
            }
        }
        push_text(&mut self.out, text);
    }

    /// Closes the raw element `name` (and anything opened inside it) if it
    /// is open in the current container; stray end tags are ignored.
    fn raw_end(&mut self, name: &str) {
        let floor = self.html.floor;
        let Some(pos) = self.html.open[floor..].iter().rposition(|&n| n == name) else {
            return;
        };
        let closing: Vec<&'static str> = self.html.open.drain(floor + pos..).rev().collect();
        self.write_end_tags(&closing);
    }

    /// Writes end tags for raw elements just taken off the stack.
    pub(super) fn write_end_tags(&mut self, names: &[&'static str]) {
        for &name in names {
            if name == "a" {
                self.in_link = self.in_link.saturating_sub(1);
            }
            self.out.push_str("</");
            self.out.push_str(name);
            self.out.push('>');
        }
        self.flush_deferred_notes();
    }

    /// Closes the innermost raw element of the current container.
    fn close_current(&mut self) {
        if self.html.open.len() > self.html.floor {
            if let Some(name) = self.html.open.pop() {
                self.write_end_tags(&[name]);
            }
        }
    }

    /// Whether the insertion point only takes text-level content.
    fn in_phrasing(&self, block: bool) -> bool {
        match self.html.current() {
            Some(current) => is_phrasing(current) || PHRASING_CONTENT.contains(&current),
            None => !block,
        }
    }

    /// After a raw HTML block the next thing is a Markdown block: close the
    /// raw elements that cannot hold one.
    fn close_after_block(&mut self) {
        let floor = self.html.floor;
        if let Some(first_bad) = self.html.open[floor..]
            .iter()
            .position(|n| !FLOW_CONTAINERS.contains(n))
        {
            let closing: Vec<&'static str> =
                self.html.open.drain(floor + first_bad..).rev().collect();
            self.write_end_tags(&closing);
        }
    }

    fn raw_start(
        &mut self,
        name: &'static str,
        attrs: &[(String, String)],
        self_closing: bool,
        block: bool,
        report: &mut Report,
    ) {
        // Close what HTML closes implicitly: an open <p> before a block,
        // an open <li> before the next one…
        loop {
            let current = self.html.current();
            let implied = current.is_some_and(|c| {
                lookup(IMPLIED_END, name).is_some_and(|closers| closers.contains(&c))
                    || (c == "p" && !is_phrasing(name))
            });
            if !implied {
                break;
            }
            self.close_current();
        }
        let current = self.html.current();
        let allowed_here = match lookup(PARENTS, name) {
            Some(parents) => current.is_some_and(|c| parents.contains(&c)),
            None => true,
        } && match current.and_then(|c| lookup(NO_TEXT, c)) {
            Some(children) => children.contains(&name),
            None => true,
        } && (is_phrasing(name) || !self.in_phrasing(block))
            && !(name == "a" && self.in_link > 0);
        if !allowed_here {
            report
                .unwrapped
                .insert(format!("<{name}> (not allowed there)"));
            return;
        }
        if name == "img" {
            self.raw_img(attrs, report);
            return;
        }
        let mut tag = String::from("<");
        tag.push_str(name);
        self.push_attrs(&mut tag, name, attrs, report);
        if VOID.contains(&name) {
            tag.push_str("/>");
            self.out.push_str(&tag);
            return;
        }
        tag.push('>');
        self.out.push_str(&tag);
        if self_closing {
            // `<div/>` is an empty element to an author, not an open one.
            self.out.push_str(&format!("</{name}>"));
            return;
        }
        if name == "a" {
            self.in_link += 1;
        }
        self.html.open.push(name);
    }

    /// Writes the kept attributes of a raw element.
    fn push_attrs(
        &mut self,
        tag: &mut String,
        element: &str,
        attrs: &[(String, String)],
        report: &mut Report,
    ) {
        let specific = lookup(ELEMENT_ATTRS, element).unwrap_or(&[]);
        let has_id = attrs.iter().any(|(n, _)| n == "id");
        for (name, value) in attrs {
            let name = name.as_str();
            let value = value.trim();
            let allowed = GLOBAL_ATTRS.contains(&name)
                || specific.contains(&name)
                || (name == "name" && element == "a" && !has_id)
                || name == "hidden"
                || name.starts_with("aria-")
                || name.starts_with("data-");
            if !allowed {
                if name.starts_with("on") {
                    report.attributes.insert(format!("{name} (event handler)"));
                } else if name != "xml:lang" {
                    // xml:lang is written from lang; anything else is
                    // presentational, obsolete or unknown to EPUB.
                    report.attributes.insert(name.to_string());
                }
                continue;
            }
            let numeric = || !value.is_empty() && value.chars().all(|c| c.is_ascii_digit());
            let keep: Option<String> = match name {
                // `<a name>` is obsolete; it becomes the id it meant.
                "id" | "name" => self.raw_id(value, report),
                "href" => self.raw_href(value, report),
                "cite" => has_safe_scheme(value).then(|| escape::url(value)),
                "width" | "height" | "colspan" | "rowspan" | "span" | "value" => {
                    numeric().then(|| value.to_string())
                }
                "start" => value.parse::<i64>().ok().map(|n| n.to_string()),
                "type" => ["1", "a", "A", "i", "I"]
                    .contains(&value)
                    .then(|| value.to_string()),
                "scope" => ["row", "col", "rowgroup", "colgroup"]
                    .contains(&value)
                    .then(|| value.to_string()),
                // Boolean attributes need a value in XHTML.
                "reversed" | "open" | "hidden" => Some(name.to_string()),
                n if n.starts_with("aria-") || n.starts_with("data-") => n
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    .then(|| value.to_string()),
                _ => Some(value.to_string()),
            };
            let Some(value) = keep else {
                if !matches!(name, "id" | "name" | "href") {
                    report.attributes.insert(format!("{name} (invalid value)"));
                }
                continue;
            };
            let out_name = if name == "name" { "id" } else { name };
            tag.push(' ');
            tag.push_str(out_name);
            tag.push_str("=\"");
            push_attr(tag, &value);
            tag.push('"');
            if name == "lang" {
                tag.push_str(" xml:lang=\"");
                push_attr(tag, &value);
                tag.push('"');
            }
        }
    }

    /// A raw `id`, if it is valid and still free in this document.
    fn raw_id(&mut self, value: &str, report: &mut Report) -> Option<String> {
        let id = escape::id(value);
        if value.is_empty() || !self.claim_id(&id) {
            report
                .other
                .insert(format!("removed id \"{value}\" (empty or already used)"));
            return None;
        }
        Some(id)
    }

    /// A raw link target: web addresses as they are, `#id` when the id is
    /// in this document; anything else is dropped (it would dangle).
    fn raw_href(&mut self, value: &str, report: &mut Report) -> Option<String> {
        if has_safe_scheme(value) {
            return Some(escape::url(value));
        }
        if let Some(fragment) = value.strip_prefix('#') {
            let id = escape::id(&percent_decode(fragment));
            if let Some(href) = self.local_href(&id) {
                return Some(href);
            }
        }
        report.other.insert(format!(
            "removed link target \"{value}\" (only web addresses and ids of this chapter are kept)"
        ));
        None
    }

    /// A raw `<img>`: local files are packaged, remote ones linked.
    fn raw_img(&mut self, attrs: &[(String, String)], report: &mut Report) {
        let get = |key: &str| {
            attrs
                .iter()
                .find(|(n, _)| n == key)
                .map(|(_, v)| v.trim().to_string())
        };
        let src = get("src").unwrap_or_default();
        let alt = get("alt").unwrap_or_default();
        if has_safe_scheme(&src) {
            let label = if alt.is_empty() { src.clone() } else { alt };
            if self.in_link > 0 {
                push_text(&mut self.out, &label);
            } else {
                self.out.push_str("<a class=\"remote-image\" href=\"");
                push_attr(&mut self.out, &escape::url(&src));
                self.out.push_str("\">");
                push_text(&mut self.out, &label);
                self.out.push_str("</a>");
            }
            return;
        }
        let packaged = if src.is_empty() || src.contains(':') {
            None
        } else {
            let path = self.chapter_dir().join(percent_decode(&src));
            match self.images.add(&path) {
                Ok(href) => Some(href),
                Err(message) => {
                    report.other.insert(message);
                    None
                }
            }
        };
        let Some(href) = packaged else {
            report
                .other
                .insert(format!("replaced image \"{src}\" by its alternative text"));
            if !alt.is_empty() {
                self.out.push_str("<span class=\"image-alt\">");
                push_text(&mut self.out, &alt);
                self.out.push_str("</span>");
            }
            return;
        };
        let mut tag = String::from("<img src=\"");
        push_attr(&mut tag, &href);
        tag.push_str("\" alt=\"");
        push_attr(&mut tag, &alt);
        tag.push('"');
        let rest: Vec<(String, String)> = attrs
            .iter()
            .filter(|(n, _)| n != "src" && n != "alt")
            .cloned()
            .collect();
        self.push_attrs(&mut tag, "img", &rest, report);
        tag.push_str("/>");
        self.out.push_str(&tag);
    }

    /// Folder of the chapter's source file, where relative image paths
    /// in its raw HTML start.
    fn chapter_dir(&self) -> PathBuf {
        let file = self.ctx.book.root.join(&self.chapter.path);
        file.parent().map(Path::to_path_buf).unwrap_or_default()
    }
}
