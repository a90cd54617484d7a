use super::*;
use crate::typeset::fonts::tests::test_fonts;
use crate::typeset::frame::Glyph;

pub(crate) fn body(size: f64) -> TextStyle {
    TextStyle {
        face: Face::Regular,
        size: Pt(size),
        gray: 0.0,
        rise: Pt::ZERO,
    }
}

pub(crate) fn text(t: &str) -> ParItem {
    ParItem::Text {
        text: t.to_owned(),
        style: body(11.0),
        link: None,
        span: Span::default(),
    }
}

pub(crate) fn opts(measure: f64) -> ParOptions {
    ParOptions {
        measure: Pt(measure),
        first_indent: Pt::ZERO,
        align: Alignment::Justify,
        hyphenate: true,
        language: "en".into(),
        rtl: None,
        protrusion: false,
        expansion: 0.0,
    }
}

/// The text of a line, with a space wherever glyphs are visibly apart.
pub(crate) fn line_text(l: &Line) -> String {
    let mut out = String::new();
    let mut end: Option<f64> = None;
    for r in &l.runs {
        for (g, text) in r.glyph_texts() {
            if end.is_some_and(|e| g.x.0 - e > 1.0) {
                out.push(' ');
            }
            out.push_str(text);
            end = Some(g.end().0);
        }
    }
    out
}

/// Lays out `text` in body style with the given options.
fn lay(fonts: &mut Fonts, text_: &str, o: &ParOptions) -> ParagraphLayout {
    layout_paragraph(fonts, &[text(text_)], o)
}

fn texts(lay: &ParagraphLayout) -> Vec<String> {
    lay.lines.iter().map(line_text).collect()
}

#[test]
fn a_spaced_dash_never_opens_a_line() {
    let mut fonts = test_fonts();
    let text: String = (0..60)
        .map(|i| {
            if i % 3 == 2 {
                "слово —"
            } else {
                "время"
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    for measure in [90.0, 120.0, 150.0, 200.0] {
        let l = lay(&mut fonts, &text, &opts(measure));
        let lines = texts(&l);
        assert!(lines.len() > 3, "{lines:?}");
        assert!(
            lines.iter().all(|t| !t.trim_start().starts_with('—')),
            "{lines:#?}"
        );
    }
}

/// First paragraph of book/02-who-were-the-taliban.md.
const BOOK_PAR: &str = "The Taliban is a Sunni Islamist group that started in the early 1990s, mainly made up of farmers and students from religious schools in Afghanistan and Pakistan. The group grew stronger in southern Afghanistan and quickly took control of several provinces.";

/// The golden paragraphs: (name, text, measure in inches, first-line
/// indent in points). 4.5in with an 11pt indent is the body of a 6×9in
/// book at 11pt; 4.25in is a narrower measure.
fn golden_cases() -> Vec<(&'static str, &'static str, f64, f64)> {
    vec![
        ("book 1 at 4.25in", BOOK_PAR, 4.25, 0.0),
        ("book 2 at 4.25in", BOOK_PAR2, 4.25, 0.0),
        ("book 2 at 4.5in", BOOK_PAR2, 4.5, 11.0),
        ("long words at 4.5in", LONG_WORDS, 4.5, 11.0),
        ("learned words at 4.5in", LEARNED, 4.5, 11.0),
    ]
}

/// Long words and names: TeX-style breaking set this paragraph with
/// four hyphenated lines in a row.
const LONG_WORDS: &str = "For almost a century, their fact transformed the representative between every salt. The anger was characteristically ancient. This legitimacy institutionalized the single evening of the leader above Tajikistan’s hand. This decade of Islamabad lost the irreconcilable development. She spread around the demilitarization. A report (at least 427 in 1968) investigated the late light.";

/// Learned vocabulary in long sentences.
const LEARNED: &str = "The representatives of the provincial administration negotiated with the commissioner throughout the winter; their correspondence, preserved in the archive at Peshawar, documents an extraordinary misunderstanding about the responsibilities of each government for the reconstruction of the infrastructure along the border.";

fn golden_layout(fonts: &mut Fonts, text_: &str, inches: f64, indent: f64) -> ParagraphLayout {
    // As body text is set in a book: margin kerning, font expansion.
    let mut o = opts(Pt::from_inches(inches).0);
    o.protrusion = true;
    o.expansion = FONT_EXPANSION;
    o.first_indent = Pt(indent);
    lay(fonts, text_, &o)
}

/// Third paragraph of book/02-who-were-the-taliban.md.
const BOOK_PAR2: &str = "TTP wants to remove Pakistani influence from certain areas and enforce strict Sharia law, and create an Islamic caliphate by overthrowing the Pakistani government. The group has worked closely with al-Qaida and has carried out attacks which include the failed bombing in Times Square in 2010. Under leaders like Baitullah Mehsud and Mullah Fazlullah, TTP has threatened to attack Western countries and called for violence against foreign troops.";

/// All glyphs of a line with their run's size.
fn glyphs(l: &Line) -> impl Iterator<Item = &Glyph> {
    l.runs.iter().flat_map(|r| r.glyphs.iter())
}

/// Right edge of the line's last glyph.
fn right_edge(l: &Line) -> f64 {
    glyphs(l).map(|g| g.end().0).fold(f64::MIN, f64::max)
}

/// The text as the lines show it, hyphens at line ends removed.
fn rejoin(lay: &ParagraphLayout) -> String {
    let mut out = String::new();
    for l in &lay.lines {
        let t = line_text(l);
        if l.hyphenated && t.ends_with('-') && !t.ends_with("--") {
            // Only a discretionary hyphen disappears; explicit ones stay,
            // which `texts_match` ignores anyway.
            out.push_str(&t[..t.len() - 1]);
        } else {
            out.push_str(&t);
            out.push(' ');
        }
    }
    out
}

/// Compares texts ignoring spaces and hyphens.
fn texts_match(a: &str, b: &str) -> bool {
    let f = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect()
    };
    f(a) == f(b)
}

/// Line breaks of fixed paragraphs at fixed measures. They change
/// only when the paragraph engine's tuning does, and then deliberately:
/// print them with `print_golden` and look at them before updating.
#[test]
fn golden_breaks_of_book_paragraphs() {
    let expected: [&[&str]; 5] = [
        &[
            "The Taliban is a Sunni Islamist group that started in the early 1990s,",
            "mainly made up of farmers and students from religious schools in",
            "Afghanistan and Pakistan. The group grew stronger in southern",
            "Afghanistan and quickly took control of several provinces.",
        ],
        &[
            "TTP wants to remove Pakistani influence from certain areas and",
            "enforce strict Sharia law, and create an Islamic caliphate by over-",
            "throwing the Pakistani government. The group has worked closely",
            "with al-Qaida and has carried out attacks which include the failed",
            "bombing in Times Square in 2010. Under leaders like Baitullah",
            "Mehsud and Mullah Fazlullah, TTP has threatened to attack Western",
            "countries and called for violence against foreign troops.",
        ],
        &[
            "TTP wants to remove Pakistani influence from certain areas and",
            "enforce strict Sharia law, and create an Islamic caliphate by overthrow-",
            "ing the Pakistani government. The group has worked closely with al-",
            "Qaida and has carried out attacks which include the failed bombing in",
            "Times Square in 2010. Under leaders like Baitullah Mehsud and Mullah",
            "Fazlullah, TTP has threatened to attack Western countries and called",
            "for violence against foreign troops.",
        ],
        &[
            "For almost a century, their fact transformed the representative",
            "between every salt. The anger was characteristically ancient. This",
            "legitimacy institutionalized the single evening of the leader above",
            "Tajikistan’s hand. This decade of Islamabad lost the irreconcilable",
            "development. She spread around the demilitarization. A report (at",
            "least 427 in 1968) investigated the late light.",
        ],
        &[
            "The representatives of the provincial administration negotiated",
            "with the commissioner throughout the winter; their correspondence,",
            "preserved in the archive at Peshawar, documents an extraordinary",
            "misunderstanding about the responsibilities of each government for",
            "the reconstruction of the infrastructure along the border.",
        ],
    ];
    let mut fonts = test_fonts();
    let layouts: Vec<_> = golden_cases()
        .into_iter()
        .map(|(name, p, inches, indent)| (name, golden_layout(&mut fonts, p, inches, indent)))
        .collect();
    // On a change, show every case's lines (as they would be written
    // above) and ratios, to review the new breaks and update the list.
    let got: Vec<Vec<String>> = layouts.iter().map(|(_, l)| texts(l)).collect();
    if got.iter().zip(&expected).any(|(g, w)| g != w) {
        let mut all = String::new();
        for (name, l) in &layouts {
            all += &format!("{name}:\n");
            for line in &l.lines {
                all += &format!("    {:?}, // {:+.3}\n", line_text(line), line.ratio);
            }
        }
        panic!("golden line breaks changed; now:\n{all}");
    }
    for ((name, l), want) in layouts.iter().zip(expected) {
        assert_eq!(texts(l), want, "{name}");
        // None is overfull or beyond the report's loose limit (ratio 2).
        assert!(
            l.issues
                .iter()
                .all(|i| matches!(i.kind, LineIssueKind::Loose { ratio } if ratio <= 2.0)),
            "{name}: {:?}",
            l.issues
        );
    }
}

#[test]
fn no_line_exceeds_the_measure() {
    let mut fonts = test_fonts();
    let aligns = [
        Alignment::Justify,
        Alignment::Left,
        Alignment::Center,
        Alignment::Right,
    ];
    for align in aligns {
        for protrusion in [false, true] {
            let mut m = 140.0;
            while m < 420.0 {
                let mut o = opts(m);
                o.align = align;
                o.protrusion = protrusion;
                o.first_indent = Pt(11.0);
                for p in [BOOK_PAR, BOOK_PAR2] {
                    let l = lay(&mut fonts, p, &o);
                    assert!(
                        l.issues
                            .iter()
                            .all(|i| !matches!(i.kind, LineIssueKind::Overfull { .. })),
                        "{m} {align:?}: {:?}",
                        l.issues
                    );
                    assert!(texts_match(&rejoin(&l), p), "{m} {align:?}");
                    for line in &l.lines {
                        assert!(line.width.0 <= m + 1e-6, "{m} {align:?}: {}", line.width.0);
                        // Hanging punctuation may pass the edge by less
                        // than half an em; nothing else may.
                        let slack = if protrusion && align == Alignment::Justify {
                            5.5
                        } else {
                            1e-6
                        };
                        assert!(
                            right_edge(line) <= m + slack,
                            "{m} {align:?} {}: {}",
                            line_text(line),
                            right_edge(line)
                        );
                        assert!(glyphs(line).all(|g| g.x.0 >= -slack));
                    }
                }
                m += 23.0;
            }
        }
    }
}

#[test]
fn justified_lines_are_flush_and_the_last_is_ragged() {
    let mut fonts = test_fonts();
    let m = 250.0;
    let l = lay(&mut fonts, BOOK_PAR2, &opts(m));
    let n = l.lines.len();
    for (i, line) in l.lines.iter().enumerate() {
        if i + 1 < n {
            assert!(
                (right_edge(line) - m).abs() < 0.01,
                "line {i}: {}",
                right_edge(line)
            );
            assert!((line.width.0 - m).abs() < 0.01);
        } else {
            assert!(right_edge(line) < m - 20.0);
            assert_eq!(line.ratio, 0.0);
        }
    }
}

#[test]
fn font_expansion_widens_glyphs_within_the_limit_and_keeps_lines_flush() {
    let mut fonts = test_fonts();
    let m = 250.0;
    let mut o = opts(m);
    o.expansion = FONT_EXPANSION;
    let mut scales = Vec::new();
    for text in [BOOK_PAR, BOOK_PAR2, LONG_WORDS, LEARNED] {
        let l = lay(&mut fonts, text, &o);
        let n = l.lines.len();
        for (i, line) in l.lines.iter().enumerate() {
            let h = f64::from(line.runs[0].h_scale);
            // One scale per line, within the limit.
            assert!(line.runs.iter().all(|r| f64::from(r.h_scale) == h));
            assert!((1.0 - FONT_EXPANSION - 1e-6..=1.0 + FONT_EXPANSION + 1e-6).contains(&h));
            if i + 1 < n {
                assert!((right_edge(line) - m).abs() < 0.01, "line {i}");
                assert!((line.width.0 - m).abs() < 0.01, "line {i}");
            } else {
                assert_eq!(h, 1.0, "the last line keeps its natural width");
            }
            scales.push(h);
        }
    }
    // The breaker does use it, both ways.
    assert!(scales.iter().any(|&h| h > 1.005), "{scales:?}");
    assert!(scales.iter().any(|&h| h < 0.995), "{scales:?}");
    // Ragged text is never expanded.
    o.align = Alignment::Left;
    let l = lay(&mut fonts, LEARNED, &o);
    assert!(l
        .lines
        .iter()
        .flat_map(|l| &l.runs)
        .all(|r| r.h_scale == 1.0));
}

#[test]
fn hyphenation_happens_and_text_survives() {
    let mut fonts = test_fonts();
    let p = "International relationships between governments are extraordinarily complicated, particularly considering historical disagreements, unrecognized territorial boundaries and humanitarian responsibilities.";
    let l = lay(&mut fonts, p, &opts(150.0));
    let hyphenated: Vec<&Line> = l.lines.iter().filter(|l| l.hyphenated).collect();
    assert!(!hyphenated.is_empty(), "{:#?}", texts(&l));
    for h in &hyphenated {
        assert!(line_text(h).ends_with('-'));
    }
    assert!(texts_match(&rejoin(&l), p));
    // Minimum fragments: at least 2 letters before, 3 after a hyphen.
    for (i, line) in l.lines.iter().enumerate() {
        let t = line_text(line);
        if line.hyphenated {
            let frag = t.trim_end_matches('-').rsplit(' ').next().unwrap_or("");
            assert!(frag.chars().count() >= 2, "{t}");
            let next = line_text(&l.lines[i + 1]);
            let rest = next.split(' ').next().unwrap_or("");
            assert!(
                rest.trim_end_matches([',', '.']).chars().count() >= 3,
                "{next}"
            );
        }
    }
    // Without hyphenation no line ends in a hyphen.
    let mut o = opts(150.0);
    o.hyphenate = false;
    let l = lay(&mut fonts, p, &o);
    assert!(l.lines.iter().all(|l| !l.hyphenated));
    // Unknown language: no patterns, no hyphens.
    o.hyphenate = true;
    o.language = "xx".into();
    let l = lay(&mut fonts, p, &o);
    assert!(l.lines.iter().all(|l| !l.hyphenated));
}

#[test]
fn ligatures_extract_as_their_letters() {
    let mut fonts = test_fonts();
    let p = "The office staff were efficient, affluent and fluffier than before.";
    let l = lay(&mut fonts, p, &opts(400.0));
    let all: Vec<&Glyph> = l.lines.iter().flat_map(glyphs).collect();
    assert!(
        l.lines
            .iter()
            .flat_map(|l| &l.runs)
            .flat_map(|r| r.glyph_texts().map(|(_, t)| t))
            .any(|t| t.chars().count() > 1),
        "no ligature glyph"
    );
    assert!(all.len() < p.chars().filter(|c| *c != ' ').count());
    assert_eq!(texts(&l).join(" "), p);
}

#[test]
fn shaped_words_are_cached() {
    let mut fonts = test_fonts();
    let o = opts(300.0);
    lay(&mut fonts, "the cat and the dog and the bird", &o);
    let first = fonts.cache_stats();
    // "the" ×3, "and" ×2: 5 distinct words, plus the space.
    assert!(first.hits >= 3, "{first:?}");
    lay(&mut fonts, BOOK_PAR, &o);
    let second = fonts.cache_stats();
    lay(&mut fonts, BOOK_PAR, &o);
    let third = fonts.cache_stats();
    assert_eq!(third.misses, second.misses, "second layout shapes nothing");
    assert!(third.hits > second.hits);
}

#[test]
fn first_line_indent_is_honoured() {
    let mut fonts = test_fonts();
    let mut o = opts(250.0);
    o.first_indent = Pt(15.0);
    let l = lay(&mut fonts, BOOK_PAR, &o);
    let x0 = |l: &Line| glyphs(l).next().map(|g| g.x.0);
    assert!((x0(&l.lines[0]).unwrap_or(0.0) - 15.0).abs() < 1.0);
    assert!(x0(&l.lines[1]).unwrap_or(9.0).abs() < 1.0);
    // The indented line is still flush right.
    assert!((right_edge(&l.lines[0]) - 250.0).abs() < 0.01);
}

#[test]
fn markers_and_links_report_their_lines() {
    let mut fonts = test_fonts();
    let link_style = body(11.0);
    let items = vec![
        text("The Taliban is a Sunni Islamist group that started in the early 1990s"),
        ParItem::Marker(7),
        text(", mainly made up of farmers and students from religious schools in "),
        ParItem::Text {
            text: "Afghanistan and Pakistan".into(),
            style: link_style,
            link: Some(3),
            span: Span::default(),
        },
        text(". The group grew stronger in southern Afghanistan."),
        ParItem::Marker(8),
    ];
    let o = opts(200.0);
    let l = layout_paragraph(&mut fonts, &items, &o);
    let line_of = |needle: &str| {
        l.lines
            .iter()
            .position(|x| line_text(x).contains(needle))
            .unwrap_or(usize::MAX)
    };
    let marker_line = l.lines.iter().position(|x| x.markers.contains(&7));
    assert_eq!(marker_line, Some(line_of("1990s")), "{:#?}", texts(&l));
    assert_eq!(
        l.lines.iter().position(|x| x.markers.contains(&8)),
        Some(l.lines.len() - 1)
    );
    // The link covers "Afghanistan and Pakistan", possibly over two lines.
    let with_link: Vec<(usize, &(Pt, Pt, usize))> = l
        .lines
        .iter()
        .enumerate()
        .flat_map(|(i, x)| x.links.iter().map(move |k| (i, k)))
        .collect();
    assert!(!with_link.is_empty());
    assert!(with_link.iter().all(|(_, k)| k.2 == 3 && k.1 .0 > k.0 .0));
    let first = with_link[0].0;
    assert_eq!(first, line_of("Afghanistan"));
    // The link's x-range starts at the "A" of Afghanistan.
    let line = &l.lines[first];
    let a = line
        .runs
        .iter()
        .flat_map(|r| r.glyph_texts())
        .find(|(g, t)| *t == "A" && g.x.0 >= with_link[0].1 .0 .0 - 0.01)
        .map(|(g, _)| g.x.0);
    assert_eq!(
        a.map(|x| (x - with_link[0].1 .0 .0).abs() < 0.01),
        Some(true)
    );
    let total: f64 = with_link.iter().map(|(_, k)| k.1 .0 - k.0 .0).sum();
    let natural = fonts
        .width("Afghanistan and Pakistan", Face::Regular, Pt(11.0))
        .0;
    assert!(
        total > natural * 0.8 && total < natural * 1.5,
        "{total} vs {natural}"
    );
}

#[test]
fn leading_spaces_and_marker_placement() {
    let mut fonts = test_fonts();
    let mut o = opts(300.0);
    o.first_indent = Pt(20.0);
    let items = vec![
        text("  Leading spaces vanish; the "),
        ParItem::Marker(1),
        text("marker sits before \"marker\"."),
    ];
    let l = layout_paragraph(&mut fonts, &items, &o);
    assert_eq!(l.lines.len(), 1);
    let first = glyphs(&l.lines[0]).next().map(|g| g.x.0).unwrap_or(0.0);
    assert!((first - 20.0).abs() < 1.0, "{first}");
    // On a narrow measure the marker travels with the word after it
    // (the measure just fits the text in two lines, broken before
    // "marker").
    let w = |fonts: &mut Fonts, t: &str| fonts.width(t, Face::Regular, Pt(11.0)).0;
    let first = w(&mut fonts, "Leading spaces vanish; the");
    let second = w(&mut fonts, "marker sits before \"marker\".");
    let o = opts(first.max(second) + 1.0);
    let l = layout_paragraph(&mut fonts, &items, &o);
    let at = l.lines.iter().position(|x| x.markers.contains(&1));
    let word = l
        .lines
        .iter()
        .position(|x| line_text(x).starts_with("marker"));
    assert_eq!(at, word, "{:#?}", texts(&l));
}

#[test]
fn arbitrary_text_never_panics() {
    let mut fonts = test_fonts();
    let pieces = [
        "word",
        " ",
        "  ",
        "\t",
        "\u{a0}",
        "\u{ad}",
        "\u{200b}",
        "co-op",
        "\u{2014}",
        "\u{2013}",
        "http://x.org/a/b",
        "e\u{301}",
        "\u{5d0}\u{5d1}",
        "\u{627}\u{644}",
        "\u{1f600}",
        "ﬁ",
        "office",
        "\u{201c}",
        "\u{201d}",
        ".",
        ",",
        "extraordinarily",
        "\n",
        "\u{0}",
        "\u{fffd}",
        "Ǆ",
        "1990s",
    ];
    let mut seed = 12345u64;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n
    };
    for round in 0..80 {
        let mut items = Vec::new();
        for _ in 0..next(40) {
            match next(10) {
                0 => items.push(ParItem::Marker(next(5))),
                1 => items.push(ParItem::LineBreak),
                _ => {
                    let mut t = String::new();
                    for _ in 0..1 + next(4) {
                        t.push_str(pieces[next(pieces.len())]);
                    }
                    let mut style = body(6.0 + next(10) as f64);
                    style.face = Face::ALL[next(5)];
                    items.push(ParItem::Text {
                        text: t,
                        style,
                        link: (next(3) == 0).then_some(next(4)),
                        span: Span::default(),
                    });
                }
            }
        }
        let mut o = opts(20.0 + next(300) as f64);
        o.align = [
            Alignment::Justify,
            Alignment::Left,
            Alignment::Center,
            Alignment::Right,
        ][round % 4];
        o.protrusion = next(2) == 0;
        o.first_indent = Pt(next(3) as f64 * 7.0);
        let l = layout_paragraph(&mut fonts, &items, &o);
        for line in &l.lines {
            assert!(line.ratio.is_finite());
            assert!(line.width.0.is_finite());
            for g in glyphs(line) {
                assert!(g.x.0.is_finite());
            }
        }
        let markers: usize = items
            .iter()
            .filter(|i| matches!(i, ParItem::Marker(_)))
            .count();
        let reported: usize = l.lines.iter().map(|x| x.markers.len()).sum();
        assert_eq!(markers, reported, "round {round}");
    }
}

#[test]
fn long_paragraphs_break_whole() {
    // Speed is measured by scripts/bench.sh, never timed in a test; this
    // checks that a very long paragraph is broken completely.
    let mut fonts = test_fonts();
    let o = opts(Pt::from_inches(4.5).0);
    let unit = format!("{BOOK_PAR} {BOOK_PAR2} ");
    let n1 = lay(&mut fonts, &unit.repeat(20), &o).lines.len();
    let n2 = lay(&mut fonts, &unit.repeat(160), &o).lines.len();
    assert!(n2 > 7 * n1 && n2 < 9 * n1, "{n1} {n2}");
}

#[test]
fn a_chinese_paragraph_longer_than_a_piece_meets_between_characters() {
    // No spaces to meet at: the pieces meet where a line breaks between
    // two characters, and every line but the last stays justified.
    let mut fonts = test_fonts();
    let mut o = opts(Pt::from_inches(4.5).0);
    o.language = "zh-Hans".into();
    let sentence = "春天来了，北京的公园里开满了花。人们在湖边散步，孩子们在草地上玩耍。";
    let source = sentence.repeat(3 * PIECE_BYTES / sentence.len() + 1);
    let lay = layout_paragraph(&mut fonts, &[text(&source)], &o);
    assert!(texts_match(&rejoin(&lay), &source));
    let n = lay.lines.len();
    for (i, line) in lay.lines.iter().enumerate().take(n - 1) {
        assert!(
            (line.width.0 - o.measure.0).abs() < 0.5,
            "line {i} of {n} is not justified: {:?}",
            line.width
        );
    }
}

#[test]
fn a_paragraph_longer_than_a_piece_keeps_every_word_once_in_order() {
    // Laid out a piece at a time (see PIECE_BYTES): the pieces meet at
    // a space, so no word is lost, doubled or split at the seams.
    let mut fonts = test_fonts();
    let mut o = opts(Pt::from_inches(4.5).0);
    o.first_indent = Pt(11.0);
    let mut source = String::new();
    let mut n = 0;
    while source.len() < 3 * PIECE_BYTES {
        for word in BOOK_PAR.split_whitespace() {
            source.push_str(word);
            source.push(' ');
            if n % 7 == 0 {
                source.push_str(&format!("n{n} "));
            }
            n += 1;
        }
    }
    let head = "Marked ";
    let items = vec![text(head), ParItem::Marker(9), text(source.trim_end())];
    let lay = layout_paragraph(&mut fonts, &items, &o);
    assert!(texts_match(&rejoin(&lay), &format!("{head}{source}")));
    let marked: Vec<usize> = (0..lay.lines.len())
        .filter(|&i| lay.lines[i].markers.contains(&9))
        .collect();
    assert_eq!(marked, [0]);
    let joined = format!("{head}{}", source.trim_end());
    let mut last_start = 0;
    for (i, line) in lay.lines.iter().enumerate() {
        assert!(i == 0 || line.text_start > last_start, "line {i}");
        last_start = line.text_start;
        let first = line_text(line);
        let first = first.split_whitespace().next().unwrap_or("");
        assert!(
            joined[line.text_start..].starts_with(first.trim_end_matches('-'))
                || lay.lines[i - 1].hyphenated,
            "line {i} starts with {first:?} at {}",
            line.text_start
        );
        // Every line but the last is flush with the measure.
        if i + 1 < lay.lines.len() {
            assert!(
                (line.width.0 - o.measure.0).abs() < 0.5,
                "line {i}: {:?}",
                line.width
            );
        }
    }
    assert_eq!(lay.lines[0].runs[0].glyphs[0].x, Pt(11.0));
}

#[test]
fn hard_breaks_end_lines_without_stretching() {
    let mut fonts = test_fonts();
    let items = vec![
        text("Roses are red, "),
        ParItem::LineBreak,
        text("violets are blue"),
        ParItem::LineBreak,
    ];
    let l = layout_paragraph(&mut fonts, &items, &opts(300.0));
    assert_eq!(texts(&l), ["Roses are red,", "violets are blue"]);
    assert_eq!(l.lines[0].ratio, 0.0);
    assert!(l.lines[0].width.0 < 150.0);
    assert!(l.issues.is_empty());
}

#[test]
fn ragged_settings_keep_natural_spaces() {
    let mut fonts = test_fonts();
    let m = 220.0;
    for align in [Alignment::Left, Alignment::Center, Alignment::Right] {
        let mut o = opts(m);
        o.align = align;
        let l = lay(&mut fonts, BOOK_PAR2, &o);
        let space = fonts.width(" ", Face::Regular, Pt(11.0)).0;
        for line in &l.lines {
            let g: Vec<&Glyph> = glyphs(line).collect();
            for w in g.windows(2) {
                let gap = w[1].x.0 - (w[0].end().0);
                assert!(
                    gap < 0.5 || (gap - space).abs() < 1e-6,
                    "{align:?}: gap {gap}"
                );
            }
            let left = g[0].x.0;
            let right = right_edge(line);
            match align {
                Alignment::Left => assert!(left.abs() < 1.0),
                Alignment::Right => assert!((right - m).abs() < 1.0, "{right}"),
                _ => assert!((left - (m - right)).abs() < 1.5, "{left} {right}"),
            }
        }
        // Ragged lines end well inside the measure on average.
        let n = l.lines.len() - 1;
        let short: f64 = l.lines[..n].iter().map(|x| m - x.width.0).sum::<f64>() / n as f64;
        assert!(short < 3.0 * 11.0, "{short}");
    }
}

#[test]
fn an_overlong_word_breaks_between_letters_and_is_reported_with_its_span() {
    let mut fonts = test_fonts();
    let t = "See https://example.org/averyveryverylongpathcomponentwithoutbreaks here.";
    let items = vec![ParItem::Text {
        text: t.into(),
        style: body(11.0),
        link: None,
        span: Span::new(crate::diag::FileId(2), 100..100 + t.len()),
    }];
    let l = layout_paragraph(&mut fonts, &items, &opts(120.0));
    let issue = l
        .issues
        .iter()
        .find(|i| i.kind == LineIssueKind::WordBroken)
        .unwrap_or_else(|| panic!("{:#?} {:?}", texts(&l), l.issues));
    let start = t.find("averyvery").unwrap_or(0) + 100;
    assert_eq!(issue.span.file, crate::diag::FileId(2));
    assert!(issue.span.start as usize >= start, "{:?}", issue.span);
    // The URL broke after its slashes before the long part, and no line
    // is wider than the measure.
    assert!(
        texts(&l).iter().any(|x| x.ends_with('/')),
        "{:#?}",
        texts(&l)
    );
    assert!(l.lines.iter().all(|line| line.width.0 <= 120.0 + 1e-6));
    assert!(!l.issues.iter().any(|i| matches!(
        i.kind,
        LineIssueKind::Overfull { .. } | LineIssueKind::WordTooLong
    )));
    assert!(texts_match(&rejoin(&l), t));
}

#[test]
fn a_line_that_cannot_stretch_is_reported_loose() {
    let mut fonts = test_fonts();
    let mut o = opts(150.0);
    o.hyphenate = false;
    let l = lay(
        &mut fonts,
        "Aaaaaaaaaaaa Bbbbbbbbbbbbbbbbb Cccccccccccc Dddddddd",
        &o,
    );
    assert!(
        l.issues
            .iter()
            .any(|i| matches!(i.kind, LineIssueKind::Loose { ratio } if ratio > 1.0)),
        "{:?}",
        l.issues
    );
    assert!(l.lines.iter().all(|x| x.ratio.is_finite()));
}

#[test]
fn dashes_end_lines_but_never_start_them() {
    let mut fonts = test_fonts();
    let p = "The border\u{2014}never recognized\u{2014}remains a source of tension\u{2014}and the refugees\u{2014}many of them children\u{2014}keep arriving, from 1996\u{2013}2001 and after\u{2014}still.";
    let mut o = opts(130.0);
    o.hyphenate = false;
    let l = lay(&mut fonts, p, &o);
    for t in texts(&l) {
        assert!(
            !t.starts_with('\u{2014}') && !t.starts_with('\u{2013}'),
            "{t}"
        );
    }
    assert!(texts_match(&rejoin(&l), p));
    assert!(
        l.lines
            .iter()
            .any(|x| x.hyphenated && line_text(x).ends_with('\u{2014}')),
        "{:#?}",
        texts(&l)
    );
}

#[test]
fn protrusion_hangs_punctuation_into_the_margin() {
    let mut fonts = test_fonts();
    let m = Pt::from_inches(4.25).0;
    let mut o = opts(m);
    o.protrusion = true;
    let l = lay(&mut fonts, BOOK_PAR, &o);
    // Line 1 ends with "1990s,": the comma hangs.
    let first = &l.lines[0];
    assert!(line_text(first).ends_with(','));
    let comma = glyphs(first)
        .last()
        .map(|g| (g.x.0, f64::from(g.advance)))
        .unwrap_or_default();
    assert!(comma.0 + comma.1 > m + 0.3 * comma.1, "{comma:?}");
    assert!(comma.0 + comma.1 < m + comma.1);
    // Lines ending in a letter end exactly at the measure.
    let second = &l.lines[1];
    assert!((right_edge(second) - m).abs() < 0.01);
    o.protrusion = false;
    let l = lay(&mut fonts, BOOK_PAR, &o);
    assert!(l.lines.iter().all(|x| right_edge(x) <= m + 1e-6));
}

#[test]
fn spans_point_at_the_first_word_of_each_line() {
    let mut fonts = test_fonts();
    let items = vec![ParItem::Text {
        text: BOOK_PAR.into(),
        style: body(11.0),
        link: None,
        span: Span::new(crate::diag::FileId(1), 50..50 + BOOK_PAR.len()),
    }];
    let l = layout_paragraph(&mut fonts, &items, &opts(200.0));
    for line in &l.lines {
        let t = line_text(line);
        let first_word = t.split(' ').next().unwrap_or("");
        let at = line.span.start as usize - 50;
        assert!(
            BOOK_PAR[at..].starts_with(first_word),
            "{t} vs {}",
            &BOOK_PAR[at..]
        );
    }
}

#[test]
fn empty_and_marker_only_paragraphs() {
    let mut fonts = test_fonts();
    let l = layout_paragraph(&mut fonts, &[], &opts(200.0));
    assert!(l.lines.is_empty());
    let l = layout_paragraph(&mut fonts, &[ParItem::Marker(4)], &opts(200.0));
    assert_eq!(l.lines.len(), 1);
    assert_eq!(l.lines[0].markers, [4]);
    let l = layout_paragraph(&mut fonts, &[text("   ")], &opts(200.0));
    assert!(l.lines.len() <= 1 && l.issues.is_empty());
}

#[test]
fn isolated_text_stays_apart_from_a_neighbour_at_its_level() {
    // A `1` isolated after `16` in right-to-left text: both resolve to
    // level 2, and only the isolate controls (level 1) between them
    // keep rule L2 from reversing them as one run `161`. (The test
    // fonts have no Hebrew: its letters are boxes, in their places.)
    let mut fonts = test_fonts();
    let items = [
        text("אב 16"),
        ParItem::Isolate(None),
        text("1"),
        ParItem::EndIsolate,
        text(" גד"),
    ];
    let l = layout_paragraph(&mut fonts, &items, &opts(300.0));
    assert_eq!(l.lines.len(), 1);
    let mut glyphs: Vec<(f64, &str)> = l.lines[0]
        .runs
        .iter()
        .flat_map(|r| r.glyph_texts().map(|(g, t)| (g.x.0, t)))
        .collect();
    glyphs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let visual: String = glyphs.iter().map(|g| g.1).collect();
    // Read right to left: אב, 16, the isolated 1, גד.
    assert_eq!(visual, "דג116בא", "{glyphs:?}");
}

#[test]
fn styles_make_runs_with_metrics() {
    let mut fonts = test_fonts();
    let mut italic = body(11.0);
    italic.face = Face::Italic;
    let mut sup = body(7.0);
    sup.rise = Pt(3.0);
    let items = vec![
        text("Plain and "),
        ParItem::Text {
            text: "italic".into(),
            style: italic,
            link: None,
            span: Span::default(),
        },
        ParItem::Text {
            text: "12".into(),
            style: sup,
            link: None,
            span: Span::default(),
        },
        text(" text."),
    ];
    let l = layout_paragraph(&mut fonts, &items, &opts(300.0));
    assert_eq!(l.lines.len(), 1);
    let runs = &l.lines[0].runs;
    assert_eq!(runs.len(), 4);
    assert_eq!(runs[1].font, fonts.font_id(Face::Italic));
    assert_eq!(runs[2].baseline, Pt(-3.0));
    let m = fonts.metrics(Face::Regular);
    assert!((l.lines[0].ascent.0 - (m.ascender * 11.0).max(m.ascender * 7.0 + 3.0)).abs() < 1e-6);
    assert!((l.lines[0].descent.0 - m.descender * 11.0).abs() < 1e-6);
    assert_eq!(texts(&l), ["Plain and italic12 text."]);
}
