//! mdBook's SUMMARY.md → the book's outline: which chapters, in which
//! order, how they nest.
//!
//! SUMMARY.md is Markdown with a fixed shape: an optional title heading;
//! prefix chapters (links standing alone, before the first list); parts
//! (a heading naming the part) each followed by a list of numbered
//! chapters, nested lists for sub-chapters; suffix chapters (links after
//! the last list). `[Title]()` is a draft chapter with no file yet.
//! Separators (`---`) only draw a line in mdBook's sidebar.
//!
//! The shape is read from pulldown-cmark's events (list nesting and
//! positions come with them): the one place outside [`crate::markdown`]
//! that parses Markdown, because this file is configuration, not text of
//! the book.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// One entry of the outline, in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub title: String,
    pub kind: Kind,
    /// Nesting: 0 for a part, a prefix or suffix chapter or a top-level
    /// numbered chapter outside parts; one more per list level and inside
    /// a part.
    pub depth: u8,
    /// Byte range of the entry in SUMMARY.md: the link, or for a part the
    /// heading's text.
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A chapter: its link target as written (relative to SUMMARY.md).
    Chapter(String),
    /// A draft chapter (`[Title]()`): no file yet.
    Draft,
    /// A part title.
    Part,
}

/// A list item with text but no link: mdBook refuses it; Folio leaves it
/// out with a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stray {
    pub text: String,
    pub span: Range<usize>,
}

/// Reads the outline; list items that are not links come back apart.
pub fn parse(text: &str) -> (Vec<Entry>, Vec<Stray>) {
    let mut entries = Vec::new();
    let mut strays = Vec::new();
    // Depth of list nesting, and whether a part has begun.
    let mut lists = 0u8;
    let mut in_part = false;
    let mut seen_chapter = false;
    // The heading being read: its text and range.
    let mut heading: Option<(String, Range<usize>)> = None;
    // The link being read: target, text, range.
    let mut link: Option<(String, String, Range<usize>)> = None;
    // Text of the current list item outside links, to report strays.
    let mut item: Option<(String, Range<usize>, bool)> = None;
    for (event, range) in Parser::new(text).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { .. }) => heading = Some((String::new(), range)),
            Event::End(TagEnd::Heading(_)) => {
                if let Some((title, span)) = heading.take() {
                    // The first heading before any chapter is the summary's
                    // own title; later ones name parts.
                    if seen_chapter || in_part {
                        in_part = true;
                        let span = heading_text(text, span);
                        entries.push(Entry {
                            title: title.trim().to_string(),
                            kind: Kind::Part,
                            depth: 0,
                            span,
                        });
                    } else {
                        seen_chapter = true;
                    }
                }
            }
            Event::Start(Tag::List(_)) => lists = lists.saturating_add(1),
            Event::End(TagEnd::List(_)) => lists = lists.saturating_sub(1),
            Event::Start(Tag::Item) => {
                if let Some((t, r, false)) = item.take() {
                    push_stray(&mut strays, t, r);
                }
                item = Some((String::new(), range, false));
            }
            Event::End(TagEnd::Item) => {
                if let Some((t, r, false)) = item.take() {
                    push_stray(&mut strays, t, r);
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                link = Some((dest_url.to_string(), String::new(), range));
            }
            Event::End(TagEnd::Link) => {
                if let Some((dest, title, span)) = link.take() {
                    seen_chapter = true;
                    if let Some(i) = item.as_mut() {
                        i.2 = true;
                    }
                    let depth = lists.saturating_sub(1) + u8::from(in_part && lists > 0);
                    let dest = dest.trim().to_string();
                    entries.push(Entry {
                        title: title.trim().to_string(),
                        kind: if dest.is_empty() {
                            Kind::Draft
                        } else {
                            Kind::Chapter(dest)
                        },
                        depth,
                        span,
                    });
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, title, _)) = link.as_mut() {
                    title.push_str(&t);
                } else if let Some((title, _)) = heading.as_mut() {
                    title.push_str(&t);
                } else if let Some((item_text, _, _)) = item.as_mut() {
                    item_text.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((_, title, _)) = link.as_mut() {
                    title.push(' ');
                }
            }
            _ => {}
        }
    }
    (entries, strays)
}

fn push_stray(strays: &mut Vec<Stray>, text: String, span: Range<usize>) {
    let text = text.trim().to_string();
    if !text.is_empty() {
        strays.push(Stray { text, span });
    }
}

/// The range of a heading's text: after its `#` marks and spaces.
fn heading_text(text: &str, span: Range<usize>) -> Range<usize> {
    let line = &text[span.clone()];
    let line = line.split('\n').next().unwrap_or("");
    let skip = line.len() - line.trim_start_matches(['#', ' ', '\t']).len();
    let content = line[skip..].trim_end_matches(['#', ' ', '\t', '\r']);
    span.start + skip..span.start + skip + content.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_parts_nesting_drafts_and_suffix() {
        let text = "# Summary\n\n[Preface](preface.md)\n\n# Part One\n\n- [Start](start.md)\n  - [Deeper](deeper.md)\n- [Later]()\n\n---\n\n# Part Two\n\n- [Other](other.html)\n- Not a link\n\n[Appendix](appendix.md)\n";
        let (entries, strays) = parse(text);
        let shape: Vec<(String, u8, Kind)> = entries
            .iter()
            .map(|e| (e.title.clone(), e.depth, e.kind.clone()))
            .collect();
        assert_eq!(
            shape,
            [
                ("Preface".into(), 0, Kind::Chapter("preface.md".into())),
                ("Part One".into(), 0, Kind::Part),
                ("Start".into(), 1, Kind::Chapter("start.md".into())),
                ("Deeper".into(), 2, Kind::Chapter("deeper.md".into())),
                ("Later".into(), 1, Kind::Draft),
                ("Part Two".into(), 0, Kind::Part),
                ("Other".into(), 1, Kind::Chapter("other.html".into())),
                ("Appendix".into(), 0, Kind::Chapter("appendix.md".into())),
            ]
        );
        assert_eq!(&text[entries[1].span.clone()], "Part One");
        assert_eq!(&text[entries[0].span.clone()], "[Preface](preface.md)");
        assert_eq!(strays.len(), 1);
        assert_eq!(strays[0].text, "Not a link");
    }

    #[test]
    fn without_parts_numbered_chapters_start_at_the_top() {
        let (entries, _) = parse("- [A](a.md)\n    - [B](b.md)\n");
        assert_eq!(entries[0].depth, 0);
        assert_eq!(entries[1].depth, 1);
    }
}
