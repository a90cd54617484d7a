//! Navigation documents: `nav.xhtml` (the EPUB 3 table of contents and
//! landmarks) and `toc.ncx` (the same contents for EPUB 2 readers).
//!
//! Both are written from the shared [`Toc`], not from epub-builder's flat
//! per-file outline: a TOC entry may point anywhere in any chapter, and the
//! labels are plain text escaped here.

use crate::model::Book;
use crate::toc::{Toc, TocEntry};

use super::escape::{push_attr, push_text};
use super::layout::Layout;
use super::xhtml::{chapter_title, page};

/// One entry of the navigation tree, ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavEntry {
    pub label: String,
    /// Relative to the package document, e.g. `02-history.xhtml#origins`.
    pub href: String,
    pub children: Vec<NavEntry>,
}

/// One landmark: an `epub:type` structure name, a target and a label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Landmark {
    pub kind: &'static str,
    pub href: String,
    pub label: String,
}

/// The navigation tree for `toc`, with hrefs into the files of `layout`.
/// When the book has no headings or titles at all, every chapter is listed
/// under its document title so the contents are never empty (an empty list
/// is invalid EPUB).
pub fn nav_entries(book: &Book, toc: &Toc, layout: &Layout) -> Vec<NavEntry> {
    fn convert(book: &Book, layout: &Layout, e: &TocEntry) -> Option<NavEntry> {
        let href = layout.href(e.chapter, e.id.as_deref())?;
        let label = e.label.split_whitespace().collect::<Vec<_>>().join(" ");
        let label = if label.is_empty() {
            chapter_title(book, &book.chapters[e.chapter])
        } else {
            label
        };
        Some(NavEntry {
            label,
            href,
            children: e
                .children
                .iter()
                .filter_map(|c| convert(book, layout, c))
                .collect(),
        })
    }
    let entries: Vec<NavEntry> = toc
        .entries
        .iter()
        .filter_map(|e| convert(book, layout, e))
        .collect();
    if !entries.is_empty() {
        return entries;
    }
    book.chapters
        .iter()
        .enumerate()
        .filter_map(|(i, chapter)| {
            Some(NavEntry {
                label: chapter_title(book, chapter),
                href: layout.href(i, None)?,
                children: Vec::new(),
            })
        })
        .collect()
}

/// `entries` cut below `depth` levels (readers such as Kindle and Apple
/// Books show two levels well and flatten or hide the rest).
pub fn limit_depth(entries: &mut [NavEntry], depth: u8) {
    for e in entries {
        if depth <= 1 {
            e.children.clear();
        } else {
            limit_depth(&mut e.children, depth - 1);
        }
    }
}

/// One entry of the page-list: a printed page number and its marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageTarget {
    pub label: String,
    pub href: String,
}

fn push_list(out: &mut String, entries: &[NavEntry], depth: usize) {
    let indent = "  ".repeat(depth);
    out.push_str(&indent);
    out.push_str("<ol>\n");
    for e in entries {
        out.push_str(&indent);
        out.push_str("  <li><a href=\"");
        push_attr(out, &e.href);
        out.push_str("\">");
        push_text(out, &e.label);
        out.push_str("</a>");
        if !e.children.is_empty() {
            out.push('\n');
            push_list(out, &e.children, depth + 2);
            out.push_str(&indent);
            out.push_str("  ");
        }
        out.push_str("</li>\n");
    }
    out.push_str(&indent);
    out.push_str("</ol>\n");
}

/// The EPUB 3 navigation document.
pub fn nav_xhtml(
    lang: &str,
    heading: &str,
    stylesheets: &[String],
    entries: &[NavEntry],
    landmarks: &[Landmark],
    pages: &[PageTarget],
    page_list_label: &str,
) -> String {
    let mut body = String::new();
    body.push_str("<nav epub:type=\"toc\" role=\"doc-toc\" id=\"toc\">\n<h1>");
    push_text(&mut body, heading);
    body.push_str("</h1>\n");
    push_list(&mut body, entries, 0);
    body.push_str("</nav>\n");
    if !landmarks.is_empty() {
        body.push_str("<nav epub:type=\"landmarks\" hidden=\"hidden\">\n<ol>\n");
        for l in landmarks {
            body.push_str("  <li><a epub:type=\"");
            push_attr(&mut body, l.kind);
            body.push_str("\" href=\"");
            push_attr(&mut body, &l.href);
            body.push_str("\">");
            push_text(&mut body, &l.label);
            body.push_str("</a></li>\n");
        }
        body.push_str("</ol>\n</nav>\n");
    }
    if !pages.is_empty() {
        // Hidden: readers use it to show and go to print page numbers.
        body.push_str("<nav epub:type=\"page-list\" role=\"doc-pagelist\" aria-label=\"");
        push_attr(&mut body, page_list_label);
        body.push_str("\" hidden=\"hidden\">\n<ol>\n");
        for p in pages {
            body.push_str("  <li><a href=\"");
            push_attr(&mut body, &p.href);
            body.push_str("\">");
            push_text(&mut body, &p.label);
            body.push_str("</a></li>\n");
        }
        body.push_str("</ol>\n</nav>\n");
    }
    page(lang, heading, stylesheets, "", &body)
}

fn depth(entries: &[NavEntry]) -> usize {
    entries
        .iter()
        .map(|e| 1 + depth(&e.children))
        .max()
        .unwrap_or(0)
}

fn push_nav_points(out: &mut String, entries: &[NavEntry], order: &mut usize, level: usize) {
    let indent = "  ".repeat(level + 1);
    for e in entries {
        *order += 1;
        out.push_str(&format!(
            "{indent}<navPoint id=\"navpoint-{n}\" playOrder=\"{n}\">\n{indent}  <navLabel><text>",
            n = *order
        ));
        push_text(out, &e.label);
        out.push_str("</text></navLabel>\n");
        out.push_str(&indent);
        out.push_str("  <content src=\"");
        push_attr(out, &e.href);
        out.push_str("\"/>\n");
        push_nav_points(out, &e.children, order, level + 1);
        out.push_str(&indent);
        out.push_str("</navPoint>\n");
    }
}

/// The EPUB 2 NCX. `uid` must equal the package's unique identifier.
pub fn toc_ncx(
    uid: &str,
    lang: &str,
    title: &str,
    authors: &[String],
    entries: &[NavEntry],
) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(
        "<ncx xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" version=\"2005-1\" xml:lang=\"",
    );
    push_attr(&mut out, lang);
    out.push_str("\">\n<head>\n<meta name=\"dtb:uid\" content=\"");
    push_attr(&mut out, uid);
    out.push_str(&format!(
        "\"/>\n<meta name=\"dtb:depth\" content=\"{}\"/>\n\
         <meta name=\"dtb:totalPageCount\" content=\"0\"/>\n\
         <meta name=\"dtb:maxPageNumber\" content=\"0\"/>\n</head>\n<docTitle><text>",
        depth(entries).max(1)
    ));
    push_text(&mut out, title);
    out.push_str("</text></docTitle>\n");
    for author in authors {
        out.push_str("<docAuthor><text>");
        push_text(&mut out, author);
        out.push_str("</text></docAuthor>\n");
    }
    out.push_str("<navMap>\n");
    let mut order = 0;
    push_nav_points(&mut out, entries, &mut order, 0);
    out.push_str("</navMap>\n</ncx>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(label: &str, href: &str, children: Vec<NavEntry>) -> NavEntry {
        NavEntry {
            label: label.into(),
            href: href.into(),
            children,
        }
    }

    #[test]
    fn nav_is_nested_escaped_and_well_formed() {
        let entries = vec![
            entry(
                "Pakistan & <Taliban>",
                "01-a.xhtml#p",
                vec![entry("Sub", "01-a.xhtml#s", vec![])],
            ),
            entry("Two", "02-b.xhtml", vec![]),
        ];
        let landmarks = vec![Landmark {
            kind: "bodymatter",
            href: "01-a.xhtml".into(),
            label: "Start".into(),
        }];
        let pages = vec![PageTarget {
            label: "1".into(),
            href: "01-a.xhtml#page-1".into(),
        }];
        let nav = nav_xhtml(
            "en",
            "Contents",
            &["stylesheet.css".into()],
            &entries,
            &landmarks,
            &pages,
            "Page list",
        );
        let doc = crate::epub::tests::parse(&nav);
        let toc = doc
            .descendants()
            .find(|n| n.attribute("id") == Some("toc"))
            .expect("toc nav");
        let lis: Vec<_> = toc.descendants().filter(|n| n.has_tag_name("li")).collect();
        assert_eq!(lis.len(), 3);
        assert!(nav.contains("Pakistan &amp; &lt;Taliban&gt;"));
        // The sub-entry's list sits inside the first entry's <li>.
        let first = lis[0];
        assert!(first.descendants().any(|n| n.text() == Some("Sub")));
        assert!(nav.contains("epub:type=\"bodymatter\""));
        let page_list = doc
            .descendants()
            .find(|n| n.attribute("role") == Some("doc-pagelist"))
            .expect("page-list");
        assert_eq!(page_list.attribute("hidden"), Some("hidden"));
        assert!(nav.contains("<a href=\"01-a.xhtml#page-1\">1</a>"));
    }

    #[test]
    fn depth_limit_drops_deeper_entries() {
        let mut entries = vec![entry(
            "A",
            "a.xhtml",
            vec![entry(
                "B",
                "a.xhtml#b",
                vec![entry("C", "a.xhtml#c", vec![])],
            )],
        )];
        limit_depth(&mut entries, 2);
        assert_eq!(depth(&entries), 2);
        limit_depth(&mut entries, 1);
        assert_eq!(depth(&entries), 1);
    }

    #[test]
    fn ncx_counts_depth_and_play_order() {
        let entries = vec![entry(
            "A & B",
            "a.xhtml",
            vec![entry(
                "C",
                "a.xhtml#c",
                vec![entry("D", "a.xhtml#d", vec![])],
            )],
        )];
        let ncx = toc_ncx("urn:uuid:x", "en", "T", &["Ann".into()], &entries);
        let doc = crate::epub::tests::parse(&ncx);
        assert!(ncx.contains("dtb:depth\" content=\"3\""));
        let orders: Vec<_> = doc
            .descendants()
            .filter_map(|n| n.attribute("playOrder"))
            .collect();
        assert_eq!(orders, ["1", "2", "3"]);
        assert!(ncx.contains("<text>A &amp; B</text>"));
    }
}
