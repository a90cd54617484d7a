//! The Markdown stage on small inputs: blocks, inlines, raw HTML, ids,
//! links and the problems reported.

use std::path::Path;

use super::*;
use crate::model::*;
use crate::source::Source;

fn parse_in(root: &Path, files: &[(&str, &str)]) -> (Vec<Chapter>, Vec<Diagnostic>) {
    let mut map = SourceMap::default();
    let sources: Vec<Source> = files
        .iter()
        .map(|(name, md)| Source {
            file: map.add(format!("book/{name}").into(), md.to_string()),
            relative: (*name).into(),
            title: None,
            depth: 0,
        })
        .collect();
    match parse_chapters(root, &map, &sources) {
        Ok(p) => (p.chapters, p.warnings),
        Err(d) => panic!("{d}"),
    }
}

fn parse_one(md: &str) -> (Chapter, Vec<Diagnostic>) {
    let (mut chapters, warnings) = parse_in(Path::new("/nonexistent-book"), &[("ch.md", md)]);
    (chapters.remove(0), warnings)
}

fn messages(d: &[Diagnostic]) -> String {
    d.iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A compact rendering of blocks for assertions: kinds as tags, text as is.
fn show(blocks: &[Block]) -> String {
    let mut out = String::new();
    for b in blocks {
        match &b.kind {
            BlockKind::Heading(h) => {
                out += &format!("<h{} #{}>{}</h>", h.level, h.id, show_inl(&h.content))
            }
            BlockKind::Paragraph(c) => out += &format!("<p>{}</p>", show_inl(c)),
            BlockKind::Figure(f) => {
                out += &format!("<fig>{}|{}</fig>", show(&f.body), show_inl(&f.caption))
            }
            BlockKind::Image(i) => out += &format!("<img {}>", i.alt),
            BlockKind::BlockQuote(c) => out += &format!("<quote>{}</quote>", show(c)),
            BlockKind::List(l) => {
                out += if l.start.is_some() { "<ol>" } else { "<ul>" };
                for item in &l.items {
                    out += &format!("<li>{}</li>", show(&item.blocks));
                }
                out += "</list>";
            }
            BlockKind::CodeBlock { lang, text, .. } => {
                out += &format!("<code {}>{}</code>", lang.as_deref().unwrap_or("-"), text)
            }
            BlockKind::Table(t) => {
                out += "<table>";
                if !t.caption.is_empty() {
                    out += &format!("<cap>{}</cap>", show_inl(&t.caption));
                }
                for (head, row) in t
                    .head
                    .iter()
                    .map(|r| (true, r))
                    .chain(t.rows.iter().map(|r| (false, r)))
                {
                    out += if head { "<hr>" } else { "<tr>" };
                    for c in &row.cells {
                        let tag = if c.header { "th" } else { "td" };
                        let span = if c.colspan > 1 || c.rowspan > 1 {
                            format!(" {}x{}", c.colspan, c.rowspan)
                        } else {
                            String::new()
                        };
                        out += &format!("<{tag}{span}>{}", show_inl(&c.content));
                    }
                }
                out += "</table>";
            }
            BlockKind::DefinitionList(defs) => {
                out += "<dl>";
                for d in defs {
                    out += &format!("<dt>{}", show_inl(&d.term));
                    for dd in &d.details {
                        out += &format!("<dd>{}", show(dd));
                    }
                }
                out += "</dl>";
            }
            BlockKind::Division(d) => {
                let mut a = String::new();
                if let Some(id) = &d.attrs.id {
                    a += &format!(" #{id}");
                }
                if let Some(al) = d.attrs.align {
                    a += &format!(" {al:?}");
                }
                if let Some(l) = &d.attrs.lang {
                    a += &format!(" lang={l}");
                }
                out += &format!("<div{a}>{}</div>", show(&d.blocks))
            }
            BlockKind::Details(d) => {
                out += &format!(
                    "<details>{}|{}</details>",
                    show_inl(&d.summary),
                    show(&d.blocks)
                )
            }
            BlockKind::Math(m) => out += &format!("<math>{}</math>", m.source),
            BlockKind::ThematicBreak => out += "<hr/>",
        }
    }
    out
}

fn show_inl(inlines: &[Inline]) -> String {
    let mut out = String::new();
    for i in inlines {
        let wrap = |tag: &str, c: &[Inline]| format!("<{tag}>{}</{tag}>", show_inl(c));
        out += &match &i.kind {
            InlineKind::Text(t) => t.clone(),
            InlineKind::Code(t) => format!("`{t}`"),
            InlineKind::Emphasis(c) => wrap("em", c),
            InlineKind::Strong(c) => wrap("b", c),
            InlineKind::Strikethrough(c) => wrap("s", c),
            InlineKind::Superscript(c) => wrap("sup", c),
            InlineKind::Subscript(c) => wrap("sub", c),
            InlineKind::Underline(c) => wrap("u", c),
            InlineKind::Mark(c) => wrap("mark", c),
            InlineKind::Small(c) => wrap("small", c),
            InlineKind::Kbd(c) => wrap("kbd", c),
            InlineKind::Abbr { content, .. } => wrap("abbr", content),
            InlineKind::Span { attrs, content } => format!(
                "<span{}{}>{}</span>",
                attrs
                    .id
                    .as_deref()
                    .map(|i| format!(" #{i}"))
                    .unwrap_or_default(),
                attrs
                    .lang
                    .as_deref()
                    .map(|l| format!(" lang={l}"))
                    .unwrap_or_default(),
                show_inl(content)
            ),
            InlineKind::Anchor(id) => format!("<#{id}>"),
            InlineKind::Link(l) => {
                let to = match &l.target {
                    LinkTarget::External(u) => u.clone(),
                    LinkTarget::Internal { chapter, id } => {
                        format!("{chapter}#{}", id.as_deref().unwrap_or(""))
                    }
                };
                format!("<a {to}>{}</a>", show_inl(&l.content))
            }
            InlineKind::Image(img) => format!("<img {}>", img.alt),
            InlineKind::FootnoteRef { index } => format!("[{index}]"),
            InlineKind::Math(m) => format!("${}$", m.source),
            InlineKind::SoftBreak => " ".into(),
            InlineKind::HardBreak => "<br>".into(),
        };
    }
    out
}

fn shown(md: &str) -> (String, String) {
    let (ch, warnings) = parse_one(md);
    (show(&ch.blocks), messages(&warnings))
}

#[test]
fn references_to_no_character_are_kept_as_written_and_warned() {
    let (c, problems) = parse_one("A &#0; b &#xD800; c &#65; d\n");
    assert_eq!(show(&c.blocks), "<p>A &#0; b &#xD800; c A d</p>");
    // A reference to U+FFFD itself is a character like any other.
    let (_, none) = parse_one("A &#xFFFD; b\n");
    assert!(none.is_empty(), "{none:?}");
    let warned = messages(&problems);
    assert_eq!(problems.len(), 2, "{warned}");
    assert!(warned.contains("`&#0;` is not a character"), "{warned}");
    assert!(warned.contains("`&#xD800;`"), "{warned}");
    assert_eq!(
        problems[0].location.as_ref().and_then(|l| l.column()),
        Some(3)
    );
    // In raw HTML too (an HTML parser would make them U+FFFD).
    let (c, problems) = parse_one("<div>\nA &#0; b &#x110000 c &#65; d\n</div>\n");
    assert_eq!(show(&c.blocks), "<p>A &#0; b &#x110000 c A d</p>");
    let places: Vec<_> = problems
        .iter()
        .map(|d| d.location.as_ref().map(|l| (l.line(), l.column())))
        .collect();
    assert_eq!(
        places,
        [Some((Some(2), Some(3))), Some((Some(2), Some(10)))]
    );
}

#[test]
fn unprintable_characters_are_left_out_of_formulas_too() {
    // Found by the fuzz test: MathML is XML, where U+0001 cannot stand.
    let (c, problems) = parse_one("# $$ \u{1} $$\n\nText $x\u{1}y$.\n");
    let mut sources = Vec::new();
    fn walk(inlines: &[Inline], out: &mut Vec<String>) {
        for i in inlines {
            if let InlineKind::Math(m) = &i.kind {
                out.push(m.source.clone());
            }
        }
    }
    for b in &c.blocks {
        match &b.kind {
            BlockKind::Heading(h) => walk(&h.content, &mut sources),
            BlockKind::Paragraph(p) => walk(p, &mut sources),
            _ => {}
        }
    }
    assert_eq!(sources.len(), 2, "{sources:?}");
    assert!(sources.iter().all(|s| !s.contains('\u{1}')), "{sources:?}");
    assert!(
        problems
            .iter()
            .any(|d| d.to_string().contains("control character U+0001")),
        "{problems:?}"
    );
}

#[test]
fn unprintable_characters_are_left_out_and_warned_once() {
    let (c, problems) =
        parse_one("A\u{1}b\u{1} c\u{FFFE}d `x\u{7f}y`\n\n```\ntab\there\u{8}\n```\n");
    assert_eq!(
        show(&c.blocks),
        "<p>Ab cd `xy`</p><code ->tab\there\n</code>"
    );
    let warned: Vec<String> = problems.iter().map(|d| d.to_string()).collect();
    assert_eq!(warned.len(), 4, "{warned:?}");
    assert!(warned[0].contains("control character U+0001"), "{warned:?}");
    assert!(warned[1].contains("noncharacter U+FFFE"), "{warned:?}");
    assert_eq!(
        problems[0].location.as_ref().and_then(|l| l.column()),
        Some(2)
    );
}

#[test]
fn blocks_of_every_kind() {
    let md = "# T\n\npara\n\n> q\n\n- a\n- b\n\n```rust,ignore\nfn x() {}\n```\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\nTerm\n: def\n\n<div>x</div>\n\n$$x^2$$\n\n---\n";
    let (ch, _) = parse_one(md);
    assert_eq!(
        show(&ch.blocks),
        "<h1 #t>T</h><p>para</p><quote><p>q</p></quote><ul><li><p>a</p></li><li><p>b</p></li></list>\
         <code rust>fn x() {}\n</code><table><hr><th>a<th>b<tr><td>1<td>2</table>\
         <dl><dt>Term<dd><p>def</p></dl><p>x</p><math>x^2</math><hr/>"
    );
    let BlockKind::Table(t) = &ch.blocks[5].kind else {
        panic!()
    };
    assert_eq!(t.aligns, [Align::None, Align::Right]);
}

#[test]
fn spans_point_at_the_source() {
    let (chapters, _) = parse_in(Path::new("/x"), &[("ch.md", "intro\n\n## Second *one*\n")]);
    let span = chapters[0].blocks[1].span;
    assert_eq!((span.start, span.end), (7, 23));
}

#[test]
fn tight_and_task_lists() {
    let (ch, _) = parse_one("- [x] done\n- [ ] todo\n\n1. a\n\n2. b\n");
    let BlockKind::List(l) = &ch.blocks[0].kind else {
        panic!()
    };
    assert!(l.tight);
    assert_eq!(l.items[0].task, Some(true));
    assert_eq!(l.items[1].task, Some(false));
    let BlockKind::List(l2) = &ch.blocks[1].kind else {
        panic!()
    };
    assert!(!l2.tight);
    assert_eq!(l2.start, Some(1));
}

#[test]
fn footnotes_numbered_by_first_reference_and_undefined_ones_warned() {
    let (ch, warnings) = parse_one(
        "B[^b] then A[^a] and B again[^b], none[^nope].\n\n[^a]: Note A.\n[^b]: Note B.\n[^c]: unused\n",
    );
    let labels: Vec<_> = ch
        .footnotes
        .iter()
        .map(|f| (f.label.as_str(), f.number))
        .collect();
    assert_eq!(labels, [("b", 1), ("a", 2)]);
    assert_eq!(ch.footnotes[0].id, "fn-ch-1");
    assert_eq!(show(&ch.footnotes[1].blocks), "<p>Note A.</p>");
    assert_eq!(
        show(&ch.blocks),
        "<p>B[0] then A[1] and B again[0], none[^nope].</p>"
    );
    let all = messages(&warnings);
    assert!(all.contains("[^c]` is never referenced"), "{all}");
    assert!(all.contains("`[^nope]` is not defined"), "{all}");
    assert!(all.contains("book/ch.md:1:39"), "{all}");
}

#[test]
fn sub_and_superscripts_inside_words() {
    let (out, warnings) =
        shown("H~2~O and mc^2^, ~~gone~~, ~two words~, x^a b^, 2^10^ and a\\~b~c.\n");
    assert_eq!(
        out,
        "<p>H<sub>2</sub>O and mc<sup>2</sup>, <s>gone</s>, <s>two words</s>, x^a b^, \
         2<sup>10</sup> and a~b~c.</p>"
    );
    assert!(warnings.is_empty(), "{warnings}");
}

#[test]
fn ids_unique_everywhere_and_explicit_wins() {
    let (ch, warnings) = parse_one(
        "# Intro\n\n## Intro\n\n## Other {#intro}\n\n> ## Quoted\n>\n> - ### In a list\n\n\
         <h3 id=\"html-id\">HTML</h3>\n\n<h3>Bare HTML</h3>\n\n<p><a name=\"spot\"></a>x <span id=\"intro\">dup</span></p>\n",
    );
    let ids = std::cell::RefCell::new(Vec::new());
    walk(
        &ch.blocks,
        &mut |b| {
            if let BlockKind::Heading(h) = &b.kind {
                ids.borrow_mut().push(h.id.clone());
            }
        },
        &mut |i| match &i.kind {
            InlineKind::Anchor(id) => ids.borrow_mut().push(id.clone()),
            InlineKind::Span { attrs, .. } => ids.borrow_mut().extend(attrs.id.clone()),
            _ => {}
        },
    );
    assert_eq!(
        ids.into_inner(),
        [
            "intro-2",
            "intro-3",
            "intro",
            "quoted",
            "in-a-list",
            "html-id",
            "bare-html",
            "spot",
            "intro-1"
        ]
    );
    assert!(messages(&warnings).contains("id `intro` is used twice"));
}

#[test]
fn links_resolve_encode_and_warn() {
    let dir = tempfile::tempdir().unwrap();
    let (chapters, warnings) = parse_in(
        dir.path(),
        &[
            (
                "a.md",
                "# Top\n\nSee [top](#top), [x](#nowhere), [w](https://example.org), \
                 <foo@example.com>, <https://x.org/a[1] >, <Report::with_source_code>, \
                 [b](b.html#sub), [b2](./b.md) and [js](javascript:alert(1)).\n",
            ),
            ("b.md", "## Sub\n"),
        ],
    );
    assert_eq!(
        show(&chapters[0].blocks[1..]),
        "<p>See <a 0#top>top</a>, x, <a https://example.org>w</a>, \
         <a mailto:foo@example.com>foo@example.com</a>, <https://x.org/a[1] >, \
         Report::with_source_code, <a 1#sub>b</a>, <a 1#>b2</a> and js.</p>"
    );
    let all = messages(&warnings);
    assert!(all.contains("#nowhere"), "{all}");
    assert!(all.contains("(`Report:`) that is neither"), "{all}");
    assert!(all.contains("(`javascript:`)"), "{all}");
    // Autolinks with characters URLs may not hold are encoded.
    let (out, _) = shown("<https://x.org/a[1]>\n");
    assert_eq!(
        out,
        "<p><a https://x.org/a%5B1%5D>https://x.org/a[1]</a></p>"
    );
}

#[test]
fn images_missing_absolute_or_remote_keep_their_alt_text() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("img")).unwrap();
    std::fs::write(dir.path().join("img/a.png"), b"png").unwrap();
    let (chapters, warnings) = parse_in(
        dir.path(),
        &[(
            "ch.md",
            "![A](img/a.png \"Map\")\n\n![B](img/none.png)\n\n![C](/abs.png)\n\n![D](https://x.org/d.png)\n\n<img src=\"img/a.png\">\n",
        )],
    );
    let images: Vec<(String, bool)> = {
        let mut v = Vec::new();
        walk(
            &chapters[0].blocks,
            &mut |b| {
                if let BlockKind::Image(i) = &b.kind {
                    v.push((i.alt.clone(), i.path.is_some()));
                }
            },
            &mut |_| {},
        );
        v
    };
    assert_eq!(
        images,
        [
            ("A".into(), true),
            ("B".into(), false),
            ("C".into(), false),
            ("D".into(), false),
            ("".into(), true)
        ]
    );
    assert_eq!(show(&chapters[0].blocks[..1]), "<fig><img A>|Map</fig>");
    let strict: Vec<String> = warnings
        .iter()
        .filter(|d| d.strict)
        .map(|d| d.to_string())
        .collect();
    assert_eq!(strict.len(), 3, "{strict:?}");
    assert!(strict[0].contains("`img/none.png` not found") && strict[0].contains("book/ch.md:3:1"));
    assert!(strict[1].contains("`/abs.png` is an absolute path"));
    // An image without alt text cannot be tagged as a figure: reported
    // once, at its place, and an error under --strict.
    assert!(
        strict[2].contains("image `img/a.png` has no alt text") && strict[2].contains("ch.md:9:1"),
        "{strict:?}"
    );
    let all = messages(&warnings);
    assert!(all.contains("remote image `https://x.org/d.png`"), "{all}");
    assert_eq!(all.matches("has no alt text").count(), 1, "{all}");
}

#[test]
fn raw_html_blocks_become_model_blocks() {
    let (out, warnings) = shown(
        "<p align=\"center\">\n  <img src=\"logo.png\" width=\"120\" alt=\"Logo\">\n</p>\n\n\
         <h1 align=\"center\">Project</h1>\n\n\
         <figure><img src=\"a.png\" alt=\"A\"><figcaption>Cap<br><br></figcaption></figure>\n\n\
         <blockquote><p>Said.</p></blockquote>\n\n<hr>\n\n\
         <pre><code class=\"language-rust\">\nfn main() {}\n</code></pre>\n\n\
         <dl><dt>T<dd>D</dl>\n",
    );
    assert_eq!(
        out,
        "<div Center><fig><img Logo>|</fig></div><h1 #project>Project</h><fig><img A>|Cap</fig>\
         <quote><p>Said.</p></quote><hr/><code rust>fn main() {}\n</code><dl><dt>T<dd><p>D</p></dl>"
    );
    assert!(!warnings.contains("left out"), "{warnings}");
}

#[test]
fn html_containers_hold_the_markdown_between_them() {
    let (out, _) = shown(
        "<details>\n<summary>Click <b>here</b></summary>\n\nInner *md*\n\n- item\n\n</details>\n\n\
         <div align=\"center\" lang=\"fr\">\n\n## Centred\n\nTexte.\n\n</div>\n\nAfter.\n",
    );
    assert_eq!(
        out,
        "<details>Click <b>here</b>|<p>Inner <em>md</em></p><ul><li><p>item</p></li></list></details>\
         <div Center lang=fr><h2 #centred>Centred</h><p>Texte.</p></div><p>After.</p>"
    );
}

#[test]
fn html_inline_elements() {
    let (out, _) = shown(
        "A <sup>1</sup>, <sub>2</sub>, <kbd>Ctrl</kbd>, <mark>m</mark>, <small>s</small>, \
         <u>u</u>, <ins>i</ins>, <del>d</del>, <b>b</b>, <i>i</i>, <code>c</code>, \
         <abbr title=\"x\">abbr</abbr>, <span lang=\"fr\">oui</span>, <span class=\"x\">plain</span>, \
         <q>q</q>, <ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>, <input type=\"checkbox\" checked> done, \
         Vec<T> and <a href=\"https://x.org\">link</a><br>end.\n",
    );
    assert_eq!(
        out,
        "<p>A <sup>1</sup>, <sub>2</sub>, <kbd>Ctrl</kbd>, <mark>m</mark>, <small>s</small>, \
         <u>u</u>, <u>i</u>, <s>d</s>, <b>b</b>, <em>i</em>, `c`, <abbr>abbr</abbr>, \
         <span lang=fr>oui</span>, plain, “q”, 漢(kan), ☑  done, Vec<T> and \
         <a https://x.org>link</a><br>end.</p>"
    );
}

#[test]
fn dropped_elements_take_their_content_and_are_warned_at_their_place() {
    let (out, warnings) = shown(
        "Before <script>alert(\"x\")</script> after.\n\n\
         <div>\n<form><input type=\"text\" value=\"v\">form text</form>\n<style>p{}</style>\n\
         <iframe src=\"x\"><p>inside</p></iframe>kept\n</div>\n\n\
         Open <script>gone\n\nNext paragraph.\n",
    );
    assert_eq!(
        out,
        "<p>Before  after.</p><p>kept</p><p>Open</p><p>Next paragraph.</p>"
    );
    for (what, place) in [
        ("`<script>`", "book/ch.md:1:8"),
        ("`<form>`", "book/ch.md:4:1"),
        ("`<style>`", "book/ch.md:5:1"),
        ("`<iframe>`", "book/ch.md:6:1"),
    ] {
        let found = warnings
            .lines()
            .zip(warnings.lines().skip(1))
            .any(|(a, b)| a.contains(what) && b.contains(place));
        assert!(found, "{what} at {place} in\n{warnings}");
    }
}

#[test]
fn html_tables_lists_and_repairs() {
    let (out, _) = shown(
        "<table>\n<caption>Cap</caption>\n<tr><th>A<th>B</tr>\n<tr><td colspan=\"2\">both\n\
         <tr><td rowspan=\"2\">r<td>1</tr><tr><td>2</td></tr>\n stray </table>\n\n\
         <ul><li>a<li>b</ul>\n\n<li>orphan item</li>\n",
    );
    assert_eq!(
        out,
        "<table><cap>Cap</cap><hr><th>A<th>B<tr><td 2x1>both<tr><td 1x2>r<td>1<tr><td>2<tr><td>stray</table>\
         <ul><li><p>a</p></li><li><p>b</p></li></list><ul><li><p>orphan item</p></li></list>"
    );
}

#[test]
fn tables_markdown_in_html_cells() {
    let (out, _) = shown("<table><tr><td>\n\n**bold** cell\n\n</td></tr></table>\n");
    assert_eq!(out, "<table><tr><td><b>bold</b> cell</table>");
}

#[test]
fn nesting_past_the_cap_is_flattened_with_a_warning_and_spaced() {
    let depth = MAX_NESTING + 10;
    let mut md = String::new();
    for d in 0..depth {
        md.push_str(&"  ".repeat(d));
        md.push_str(&format!("- item{d}\n"));
    }
    let (ch, warnings) = parse_one(&md);
    let text = {
        let mut s = String::new();
        walk(&ch.blocks, &mut |_| {}, &mut |i| {
            if let InlineKind::Text(t) = &i.kind {
                s.push_str(t);
                s.push('|');
            }
        });
        s
    };
    for d in 0..depth {
        assert!(text.contains(&format!("item{d}|")), "item{d} in {text}");
    }
    let all = messages(&warnings);
    assert!(all.contains("nesting deeper than 64 levels"), "{all}");
    // Deep block quotes and HTML stay bounded too.
    let (_, w) = parse_one(&(">".repeat(10_000) + " deep\n"));
    assert_eq!(w.len(), 1);
    let (_, w) = parse_one(&("<div>".repeat(10_000) + "deep"));
    assert_eq!(w.len(), 1);
}

#[test]
fn chapter_slugs() {
    assert_eq!(chapter_slug(Path::new("01-opening.md")), "01-opening");
    assert_eq!(chapter_slug(Path::new("part 1/Intro.md")), "part-1-intro");
}

#[test]
fn a_display_inside_a_paragraph_becomes_a_block_between_its_text() {
    let (blocks, warnings) =
        shown("The integral\n$$\\int_0^1 x\\,dx$$\nis finite, and\n$$E = mc^2$$ {#eq-e} holds.\n");
    assert_eq!(warnings, "");
    assert_eq!(
        blocks,
        "<p>The integral</p><math>\\int_0^1 x\\,dx</math><p>is finite, and</p>\
         <math>E = mc^2</math><p>holds.</p>"
    );
    let (ch, _) = parse_one("Energy\n$$E = mc^2$$ {#eq-e} holds.\n");
    let BlockKind::Math(m) = &ch.blocks[1].kind else {
        panic!("{:?}", ch.blocks[1].kind)
    };
    assert_eq!(m.id.as_deref(), Some("eq-e"));
    assert_eq!(m.tag.as_deref(), Some("1"));
    // Each piece points at its own text.
    assert!(ch.blocks[0].span.end <= ch.blocks[1].span.start);
    assert!(ch.blocks[1].span.end <= ch.blocks[2].span.start);
    // Inline math stays in its paragraph.
    let (blocks, _) = shown("so $x$ and $y$.\n");
    assert_eq!(blocks, "<p>so $x$ and $y$.</p>");
}
