//! Syntax highlighting of code blocks: source text → classed token ranges.
//!
//! Place in the pipeline: the Markdown stage highlights each fenced code
//! block with a language once and keeps the tokens in the document model;
//! the EPUB writer turns them into `<span class>` (styled by its
//! stylesheet), the typesetter into coloured glyph runs (the theme in
//! book.yaml decides the colours, or none).
//!
//! Folio's own lexers, small and table-driven: one for the C-like family
//! (Rust, C, C++, Go, Java, JavaScript, TypeScript), shell, Python and
//! SQL (keywords, strings, comments, numbers, types and calls), and a few
//! for data and markup (TOML, YAML, JSON, HTML/XML, CSS, diff). They do
//! not aim at a grammar's precision; they mark what a reader of printed
//! code uses — keywords, literals, comments — and they run in
//! microseconds, where a regex-grammar highlighter (syntect, tried) costs
//! tens of milliseconds per language on first use. An unknown language is
//! set plain.

mod langs;
mod lexer;
mod markup;

/// What a token is, for its colour or its CSS class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TokenClass {
    Keyword,
    Type,
    Function,
    String,
    Number,
    Comment,
    /// `true`, `null`, `None`, an entity.
    Constant,
    /// Keys, properties, attributes.
    Attribute,
    /// Markup tag names, TOML table headers, CSS selectors.
    Tag,
    /// Preprocessor lines, annotations, decorators, diff hunk headers.
    Meta,
    /// Shell and template variables.
    Variable,
    /// Lines a diff adds…
    Inserted,
    /// …and removes.
    Deleted,
}

impl TokenClass {
    /// Every class, in a fixed order (themes list one colour per class).
    pub const ALL: [TokenClass; 13] = [
        TokenClass::Keyword,
        TokenClass::Type,
        TokenClass::Function,
        TokenClass::String,
        TokenClass::Number,
        TokenClass::Comment,
        TokenClass::Constant,
        TokenClass::Attribute,
        TokenClass::Tag,
        TokenClass::Meta,
        TokenClass::Variable,
        TokenClass::Inserted,
        TokenClass::Deleted,
    ];

    /// The CSS class the EPUB writes for it.
    pub fn css_class(self) -> &'static str {
        match self {
            TokenClass::Keyword => "hl-kw",
            TokenClass::Type => "hl-ty",
            TokenClass::Function => "hl-fn",
            TokenClass::String => "hl-str",
            TokenClass::Number => "hl-num",
            TokenClass::Comment => "hl-com",
            TokenClass::Constant => "hl-con",
            TokenClass::Attribute => "hl-attr",
            TokenClass::Tag => "hl-tag",
            TokenClass::Meta => "hl-meta",
            TokenClass::Variable => "hl-var",
            TokenClass::Inserted => "hl-ins",
            TokenClass::Deleted => "hl-del",
        }
    }
}

/// A classed byte range of the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: u32,
    pub end: u32,
    pub class: TokenClass,
}

/// The tokens of `code` in `lang` (an info-string word: `rust`, `py`,
/// `shell`…), sorted and not overlapping; `None` for a language Folio does
/// not highlight.
pub fn highlight(lang: &str, code: &str) -> Option<Vec<Token>> {
    let lang = lang.trim().to_ascii_lowercase();
    let mut out = Vec::new();
    match lang.as_str() {
        "html" | "xhtml" | "xml" | "svg" | "htm" => markup::html(code, &mut out),
        "css" | "scss" => markup::css(code, &mut out),
        "json" | "jsonc" | "json5" => markup::json(code, &mut out),
        "yaml" | "yml" => markup::yaml(code, &mut out),
        "toml" | "ini" | "cfg" => markup::toml(code, &mut out),
        "diff" | "patch" | "udiff" => markup::diff(code, &mut out),
        other => {
            let def = langs::by_name(other)?;
            lexer::scan(def, code, &mut out);
        }
    }
    Some(out)
}

/// Whether Folio highlights `lang`.
pub fn is_known(lang: &str) -> bool {
    highlight(lang, "").is_some()
}

/// Pushes a token, merging it with the previous one of the same class when
/// they touch.
fn push(out: &mut Vec<Token>, start: usize, end: usize, class: TokenClass) {
    if end <= start {
        return;
    }
    if let Some(last) = out.last_mut() {
        if last.class == class && last.end as usize == start {
            last.end = end as u32;
            return;
        }
    }
    out.push(Token {
        start: start as u32,
        end: end as u32,
        class,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(lang: &str, code: &str) -> Vec<(String, TokenClass)> {
        highlight(lang, code)
            .unwrap()
            .into_iter()
            .map(|t| (code[t.start as usize..t.end as usize].to_string(), t.class))
            .collect()
    }

    fn has(lang: &str, code: &str, text: &str, class: TokenClass) {
        let c = classes(lang, code);
        assert!(
            c.iter().any(|(t, k)| t == text && *k == class),
            "{lang}: `{text}` as {class:?} not in {c:?}"
        );
    }

    #[test]
    fn every_promised_language_is_highlighted() {
        let cases: &[(&str, &str, &str, TokenClass)] = &[
            (
                "rust",
                "fn main() { let x = 1; // hi\n}",
                "fn",
                TokenClass::Keyword,
            ),
            (
                "rust",
                "let s = \"a\\\"b\";",
                "\"a\\\"b\"",
                TokenClass::String,
            ),
            (
                "python",
                "def f(x):\n    return None  # no",
                "# no",
                TokenClass::Comment,
            ),
            ("python", "s = '''a\nb'''", "'''a\nb'''", TokenClass::String),
            (
                "javascript",
                "const x = `a${b}`;",
                "const",
                TokenClass::Keyword,
            ),
            (
                "typescript",
                "interface A { b: number }",
                "interface",
                TokenClass::Keyword,
            ),
            (
                "c",
                "#include <stdio.h>\nint main(void) { return 0; }",
                "#include <stdio.h>",
                TokenClass::Meta,
            ),
            (
                "cpp",
                "std::vector<int> v; /* c */",
                "/* c */",
                TokenClass::Comment,
            ),
            (
                "go",
                "func main() { fmt.Println(\"x\") }",
                "Println",
                TokenClass::Function,
            ),
            (
                "java",
                "@Override public String toString() {}",
                "@Override",
                TokenClass::Meta,
            ),
            ("sh", "echo \"$HOME\" # home", "$HOME", TokenClass::Variable),
            (
                "toml",
                "[package]\nname = \"folio\"",
                "[package]",
                TokenClass::Tag,
            ),
            (
                "yaml",
                "title: Folio # t\nn: 3",
                "title",
                TokenClass::Attribute,
            ),
            (
                "json",
                "{\"a\": true, \"b\": 1.5}",
                "\"a\"",
                TokenClass::Attribute,
            ),
            (
                "html",
                "<p class=\"x\">a &amp; b</p>",
                "class",
                TokenClass::Attribute,
            ),
            ("css", "p { color: #333; }", "color", TokenClass::Attribute),
            (
                "sql",
                "SELECT name FROM users WHERE id = 1;",
                "SELECT",
                TokenClass::Keyword,
            ),
            (
                "diff",
                "@@ -1 +1 @@\n-old\n+new\n",
                "+new",
                TokenClass::Inserted,
            ),
        ];
        for (lang, code, text, class) in cases {
            has(lang, code, text, *class);
        }
        assert!(highlight("brainfuck", "+++").is_none());
    }

    #[test]
    fn tokens_are_sorted_and_inside_the_text() {
        let code = "fn f<'a>(x: &'a str) -> u8 { b'x' as u8 + 0x1F }\n#[derive(Debug)]\nr#\"raw\"#";
        let tokens = highlight("rust", code).unwrap();
        let mut end = 0;
        for t in &tokens {
            assert!(t.start >= end && t.end > t.start && t.end as usize <= code.len());
            assert!(
                code.is_char_boundary(t.start as usize) && code.is_char_boundary(t.end as usize)
            );
            end = t.end;
        }
    }
}
