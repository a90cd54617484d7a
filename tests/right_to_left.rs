//! Right-to-left books as a reader sees them: `mutool trace` gives the
//! place of every glyph drawn, so lines are read back in visual order.
//! Hebrew and Arabic lines end at the right margin (last lines too), the
//! first line is indented from the right, numbers and Latin words inside
//! them keep their own left-to-right order while the words around them
//! run right to left, running heads, contents and outline are in the
//! right order, the margins mirror (a recto's inner margin is its right),
//! the PDF turns its pages right to left and the EPUB's spine does too.

mod common;

use std::path::{Path, PathBuf};

use common::trace::{trace, TracedGlyph, TracedPage};
use common::*;

/// Inner and outer margins of the default 6×9 in page, in points (see
/// `DEFAULT_MARGINS_IN` in the config): wide enough apart to tell them.
const INNER: f64 = 0.875 * 72.0;
const OUTER: f64 = 0.625 * 72.0;
/// How far a line's end may be from the margin and still end there
/// (rounding of the glyph positions mutool prints).
const AT_EDGE: f64 = 0.6;

/// One paragraph of the long Hebrew book: Hebrew with a year, numbers in
/// parentheses and a Latin title and name inside.
const HEBREW_PARAGRAPH: &str = "ירושלים היא עיר עתיקה מאוד, ובשנת 2023 ביקרו בה יותר \
     מ־3 מיליון תיירים מכל העולם. המדריך שלנו, דוד לוי, סיפר לנו על ההיסטוריה של העיר \
     (ראו פרק 2) ועל הספר Jerusalem: The Biography של Simon Sebag Montefiore.";

/// The Hebrew fixture book with a second chapter of `paragraphs`
/// paragraphs, each one to three times [`HEBREW_PARAGRAPH`] (so their last
/// lines are of every length), in `dir`.
fn long_hebrew_book(dir: &Path, paragraphs: usize) -> PathBuf {
    let from = fixture("scripts").join("he");
    for e in std::fs::read_dir(&from).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
    let mut text = String::from("# פרק שני: חיפה\n\n");
    for k in 0..paragraphs {
        let repeat = 1 + k % 3;
        let words: Vec<&str> = HEBREW_PARAGRAPH.split(' ').collect();
        // Cut each paragraph at a different word, for varied last lines.
        let cut = words.len() - (k * 7) % 11;
        let mut p = vec![HEBREW_PARAGRAPH; repeat - 1].join(" ");
        if !p.is_empty() {
            p.push(' ');
        }
        p.push_str(&words[..cut].join(" "));
        text.push_str(&p);
        text.push_str("\n\n");
    }
    std::fs::write(dir.join("02-haifa.md"), text).unwrap();
    dir.to_path_buf()
}

/// The lines of a page: glyphs grouped by baseline, each line in visual
/// order (left to right), spaces left out.
fn lines(page: &TracedPage) -> Vec<Vec<TracedGlyph>> {
    let mut out: Vec<Vec<TracedGlyph>> = Vec::new();
    let mut glyphs: Vec<&TracedGlyph> = page
        .glyphs
        .iter()
        .filter(|g| !g.unicode.trim().is_empty())
        .collect();
    glyphs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    for g in glyphs {
        match out.last_mut() {
            Some(line) if (line[0].y - g.y).abs() < 0.5 => line.push(g.clone()),
            _ => out.push(vec![g.clone()]),
        }
    }
    out
}

/// A line's text in visual order (left to right).
fn visual(line: &[TracedGlyph]) -> String {
    line.iter().map(|g| g.unicode.as_str()).collect()
}

/// Where a line ends on the right.
fn right(line: &[TracedGlyph]) -> f64 {
    line.iter()
        .map(|g| g.x + g.advance)
        .fold(f64::NEG_INFINITY, f64::max)
}

fn left(line: &[TracedGlyph]) -> f64 {
    line.iter().map(|g| g.x).fold(f64::INFINITY, f64::min)
}

/// `text` backwards: what a right-to-left line of letters that do not
/// change shape reads as, left to right.
fn reversed(text: &str) -> String {
    text.chars().rev().filter(|c| !c.is_whitespace()).collect()
}

/// The size most glyphs of the book are drawn at: the body text's.
fn body_size(pages: &[TracedPage]) -> f64 {
    let mut counts: Vec<(i64, usize)> = Vec::new();
    for g in pages.iter().flat_map(|p| &p.glyphs) {
        let k = (g.size * 10.0).round() as i64;
        match counts.iter_mut().find(|(s, _)| *s == k) {
            Some(c) => c.1 += 1,
            None => counts.push((k, 1)),
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    counts[0].0 as f64 / 10.0
}

/// Whether the text has a Hebrew letter.
fn hebrew(text: &str) -> bool {
    text.chars().any(|c| ('\u{05D0}'..='\u{05EA}').contains(&c))
}

#[test]
fn right_to_left_lines_end_at_the_right_margin_of_mirrored_pages() {
    let dir = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let book = long_hebrew_book(src.path(), 24);
    let (epub, pdf) = build_ok(&book, dir.path());
    let pages = trace(&pdf);
    let size = body_size(&pages);
    // The second chapter's pages: body paragraphs only.
    let start = pages
        .iter()
        .position(|p| {
            lines(p)
                .iter()
                .any(|l| visual(l).contains(&reversed("פרק שני")) && l[0].size > size)
        })
        .expect("the second chapter's opening page");
    let mut checked = 0;
    let mut short_last_lines = 0;
    let mut indented = 0;
    for page in &pages[start..] {
        // A recto's inner margin is on its right in a right-to-left book.
        let right_margin = if page.number % 2 == 1 { INNER } else { OUTER };
        let edge = page.width - right_margin;
        let left_edge = page.width - right_margin - (page.width - INNER - OUTER);
        for line in lines(page) {
            let text = visual(&line);
            // Paragraph lines: body size, Hebrew, not the running head.
            if (line[0].size - size).abs() > 0.05
                || !hebrew(&text)
                || text == reversed("פרק שני: חיפה")
                || text == reversed("טיול בירושלים")
            {
                continue;
            }
            checked += 1;
            let end = right(&line);
            let gap = edge - end;
            // Every line ends at the right margin, the first of each
            // paragraph an indent short of it.
            assert!(
                gap.abs() < AT_EDGE || (size * 0.5..size * 2.5).contains(&gap),
                "p.{}: line ends {gap:.1}pt from the right margin: {text}",
                page.number
            );
            if gap > AT_EDGE {
                indented += 1;
            }
            // No line reaches past the left margin.
            assert!(
                left(&line) > left_edge - AT_EDGE,
                "p.{}: {text}",
                page.number
            );
            if left(&line) > left_edge + 60.0 && gap.abs() < AT_EDGE {
                short_last_lines += 1;
            }
        }
    }
    assert!(checked > 100, "{checked} lines checked");
    // Last lines of paragraphs stop short on the left, not the right.
    assert!(
        short_last_lines >= 10,
        "{short_last_lines} short last lines"
    );
    assert!(indented >= 10, "{indented} first lines indented");

    // The PDF turns its pages right to left, the EPUB's spine too.
    let raw = common::uncompressed_pdf(&pdf);
    assert!(raw.contains("/Direction /R2L"), "no /Direction /R2L");
    let opf = epub_file(&epub, "content.opf");
    assert!(opf.contains("page-progression-direction=\"rtl\""), "{opf}");
    let chapter = epub_file(&epub, "02-haifa.xhtml");
    assert!(chapter.contains("dir=\"rtl\""), "{chapter}");
    assert_epubcheck_clean(&epub);
    assert_ace_clean(&epub);
}

#[test]
fn numbers_and_latin_words_keep_their_order_inside_right_to_left_lines() {
    let dir = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let book = long_hebrew_book(src.path(), 3);
    let (_, pdf) = build_ok(&book, dir.path());
    let pages = trace(&pdf);
    let all: Vec<Vec<TracedGlyph>> = pages.iter().flat_map(lines).collect();
    let find = |needle: &str| {
        all.iter()
            .find(|l| visual(l).contains(needle))
            .unwrap_or_else(|| {
                let text: Vec<String> = all.iter().map(|l| visual(l)).collect();
                panic!("no line reads {needle:?}:\n{}", text.join("\n"))
            })
    };
    // Latin and numbers read left to right; Hebrew words right to left.
    let line = find("English");
    let text = visual(line);
    assert!(text.contains("Français"), "{text}");
    let x = |s: &str| {
        let i = text.find(s).unwrap();
        text[..i].chars().count()
    };
    // Logical "עברית, English ו־Français.": English stands right of
    // Français, the period at the far left, "עברית" right of both.
    assert!(x("English") > x("Français"), "{text}");
    assert!(text.starts_with('.'), "{text}");
    assert!(x(&reversed("עברית")) > x("English"), "{text}");
    // Numbers: 2023 reads 2023, and the year stands left of the word
    // before it ("בשנת 2023 ביקרו").
    let line = find("2023");
    let text = visual(line);
    assert!(
        x_of(&text, &reversed("בשנת")) > x_of(&text, "2023"),
        "{text}"
    );
    assert!(
        x_of(&text, "2023") > x_of(&text, &reversed("ביקרו")),
        "{text}"
    );
    // A Latin title of several words stays in its order.
    assert!(
        all.iter()
            .any(|l| visual(l).contains("Jerusalem:TheBiography")),
        "Latin title out of order"
    );
    // The footnote number and the table's years.
    find("1965");
    find("1541");

    // Arabic: "أكثر من 20 مليون شخص" and "أكثر من 4500 سنة".
    let dir = tempfile::tempdir().unwrap();
    let (_, pdf) = build_ok(&fixture("scripts").join("ar"), dir.path());
    let pages = trace(&pdf);
    let all: Vec<Vec<TracedGlyph>> = pages.iter().flat_map(lines).collect();
    for n in ["20", "4500"] {
        // "من" (before the number) stands right of it, the number reads
        // left to right.
        let want = format!("{n}{}", reversed("من"));
        assert!(
            all.iter().any(|l| visual(l).contains(&want)),
            "no Arabic line reads {want}: {:?}",
            all.iter().map(|l| visual(l)).collect::<Vec<_>>()
        );
    }
}

#[test]
fn note_numbers_follow_the_number_or_latin_word_they_mark() {
    // A note number after a number or a Latin word is isolated: read right
    // to left it comes after the word, so it is drawn on the word's left,
    // touching it (not on its right, inside the word's left-to-right run).
    let src = tempfile::tempdir().unwrap();
    let arabic = src.path().join("ar");
    std::fs::create_dir_all(&arabic).unwrap();
    for e in std::fs::read_dir(fixture("scripts").join("ar")).unwrap() {
        let p = e.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap();
        let text = text
            .replace("4500 سنة[^1]", "4500[^1] سنة")
            .replace("Europe", "Europe[^2]")
            .replace("[^1]: ", "[^2]: أوروبا.\n\n[^1]: ");
        std::fs::write(arabic.join(p.file_name().unwrap()), text).unwrap();
    }
    let cases = [
        (fixture("scripts").join("he"), vec![("1", "16")]),
        (arabic, vec![("1", "Europe"), ("2", "4500")]),
    ];
    for (book, notes) in cases {
        let dir = tempfile::tempdir().unwrap();
        let (_, pdf) = build_ok(&book, dir.path());
        let pages = trace(&pdf);
        let body = body_size(&pages);
        for (number, word) in notes {
            // The note number: a small glyph on some body page…
            let (page, note) = pages
                .iter()
                .find_map(|p| {
                    p.glyphs
                        .iter()
                        .find(|g| {
                            g.unicode == number && g.size < 0.8 * body && g.y > 0.3 * p.height
                        })
                        .map(|g| (p, g.clone()))
                })
                .unwrap_or_else(|| panic!("{}: no note {number}", book.display()));
            // …raised above the line it belongs to.
            let mut line: Vec<&TracedGlyph> = page
                .glyphs
                .iter()
                .filter(|g| {
                    (g.size - body).abs() < 0.01 && g.y < note.y && note.y - g.y < 0.5 * body
                })
                .collect();
            line.sort_by(|a, b| a.x.total_cmp(&b.x));
            let text: String = line.iter().map(|g| g.unicode.as_str()).collect();
            let at = text
                .find(word)
                .unwrap_or_else(|| panic!("{word} not in the line {text}"));
            let left = line[text[..at].chars().count()].x;
            let right = note.x + note.advance;
            assert!(
                right <= left + 0.05 && left - right < 1.0,
                "{}: note {number} at {}..{right}, {word} starts at {left}: {text}",
                book.display(),
                note.x
            );
        }
    }
}

/// Where `s` starts in `text`, in characters.
fn x_of(text: &str, s: &str) -> usize {
    let i = text
        .find(s)
        .unwrap_or_else(|| panic!("{s:?} not in {text}"));
    text[..i].chars().count()
}

#[test]
fn running_heads_contents_and_outline_read_right_to_left() {
    let dir = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let book = long_hebrew_book(src.path(), 24);
    let (_, pdf) = build_ok(&book, dir.path());
    let pages = trace(&pdf);
    // Running heads: the book's title and the chapter's, read backwards
    // left to right as Hebrew is.
    let heads: Vec<String> = pages
        .iter()
        .filter_map(|p| lines(p).last().map(|l| visual(l)))
        .collect();
    for title in ["טיול בירושלים", "פרק שני: חיפה"] {
        assert!(
            heads.contains(&reversed(title)),
            "no running head {title}: {heads:?}"
        );
    }
    // The contents page: entries start at the right margin, page numbers
    // at the left.
    let contents = pages
        .iter()
        .find(|p| {
            lines(p)
                .iter()
                .any(|l| visual(l) == reversed("תוכן העניינים"))
        })
        .expect("a contents page");
    let right_margin = if contents.number % 2 == 1 {
        INNER
    } else {
        OUTER
    };
    let entry = lines(contents)
        .into_iter()
        .find(|l| visual(l).contains(&reversed("פרק שני: חיפה")))
        .expect("the second chapter's entry");
    let text = visual(&entry);
    assert!(
        (contents.width - right_margin - right(&entry)).abs() < AT_EDGE,
        "entry ends at {:.1}: {text}",
        right(&entry)
    );
    assert!(
        text.chars().next().is_some_and(|c| c.is_ascii_digit()),
        "page number not at the left: {text}"
    );
    // Bookmarks hold the titles in logical order (a viewer lays them out).
    let outline = pdf_outline(&pdf);
    let expected = [(0, "פרק ראשון"), (1, "מה ראינו"), (0, "פרק שני: חיפה")];
    assert_eq!(
        outline
            .iter()
            .map(|(d, t)| (*d, t.as_str()))
            .collect::<Vec<_>>(),
        expected
    );
}
