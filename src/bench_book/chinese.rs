//! The Chinese benchmark book ([`super::Style::Chinese`]): Simplified
//! Chinese text, as a CJK book stresses the typesetter.
//!
//! Characters are drawn from the first 4,000 of the CJK Unified
//! Ideographs block in a fixed shuffled order with Zipf-like frequencies,
//! so a chapter uses some three thousand distinct characters, the most
//! common ones very often, as real Chinese does (the text means nothing;
//! the work it makes is what counts). Sentences end in `。`, `？` or `！`
//! and hold commas, enumeration commas, quotations in `「」`, asides in
//! full-width parentheses, book titles in `《》`, numbers and Latin words
//! set off by spaces or not, emphasis and footnotes; chapters have
//! sections, lists, a table and block quotes. The length counts
//! characters (each one is a word of a space-less script).

use std::fmt::Write as _;

use super::{BenchBook, Rng};

/// Distinct ideographs the text draws from.
const POOL: u32 = 4_000;
/// Latin words and names met in Chinese technical prose.
const LATIN: &[&str] = &[
    "Python",
    "GPS",
    "CPU",
    "Unicode",
    "PDF",
    "Linux",
    "Wi-Fi",
    "UNESCO",
    "Beethoven",
    "Magnolia",
];

/// The `rank`-th most common character of the pool: a fixed permutation
/// of the block's first [`POOL`] ideographs (multiplying by a number
/// prime to the pool size permutes it).
fn ideograph(rank: u32) -> char {
    let k = (rank % POOL) * 2_957 % POOL;
    char::from_u32(0x4E00 + k).unwrap_or('中')
}

/// A character drawn with falling frequencies: the rank is drawn below
/// a bound itself drawn at random, so small ranks are far more common
/// while every rank of the pool can come up (a product of two draws
/// would reach only the few ranks that factor into small numbers).
fn character(r: &mut Rng) -> char {
    let bound = (r.below(64) + 1) * (POOL as usize / 64);
    ideograph(r.below(bound) as u32)
}

/// A clause of `min` to `min + spread − 1` characters.
fn clause(r: &mut Rng, min: usize, spread: usize, out: &mut String) -> usize {
    let n = min + r.below(spread);
    for _ in 0..n {
        out.push(character(r));
    }
    n
}

/// One sentence; returns how many characters of text it wrote.
fn sentence(r: &mut Rng, out: &mut String) -> usize {
    let mut count = 0;
    let clauses = 1 + r.below(4);
    for k in 0..clauses {
        if k > 0 {
            out.push(if r.chance(20) { '、' } else { '，' });
            count += 1;
        }
        match r.below(14) {
            0 => {
                out.push('「');
                count += clause(r, 4, 10, out) + 2;
                out.push('」');
            }
            1 => {
                count += clause(r, 3, 6, out);
                out.push('（');
                count += clause(r, 2, 5, out) + 2;
                out.push('）');
            }
            2 => {
                out.push('《');
                count += clause(r, 2, 6, out) + 2;
                out.push('》');
            }
            3 => {
                // A number, with the spaces authors often put around it.
                count += clause(r, 2, 5, out);
                let n = 1 + r.below(2_025);
                let _ = write!(out, " {n} ");
                count += n.to_string().len();
                count += clause(r, 2, 5, out);
            }
            4 => {
                count += clause(r, 2, 5, out);
                let w = r.pick(LATIN);
                out.push_str(w);
                count += w.len();
                count += clause(r, 2, 6, out);
            }
            5 => {
                count += clause(r, 2, 4, out);
                out.push_str("**");
                count += clause(r, 2, 4, out);
                out.push_str("**");
            }
            _ => count += clause(r, 4, 14, out),
        }
    }
    out.push(match r.below(12) {
        0 => '？',
        1 => '！',
        _ => '。',
    });
    count + 1
}

/// A paragraph; footnotes it cites go to `notes`.
fn paragraph(r: &mut Rng, notes: &mut Vec<String>, chapter: usize, out: &mut String) -> usize {
    let mut count = 0;
    for _ in 0..(2 + r.below(6)) {
        count += sentence(r, out);
    }
    if r.chance(8) {
        let label = format!("c{chapter}n{}", notes.len() + 1);
        let _ = write!(out, "[^{label}]");
        let mut note = String::new();
        count += sentence(r, &mut note);
        notes.push(format!("[^{label}]: {note}"));
    }
    count
}

/// The book: `target` characters of text in `chapters` chapters.
pub(super) fn book(target: usize, chapters: usize) -> BenchBook {
    let mut r = Rng(0x2545_F491_4F6C_DD1D);
    let per_chapter = target / chapters;
    let mut total = 0;
    let mut files = Vec::new();
    let mut names = Vec::new();
    for c in 1..=chapters {
        let mut count = 0;
        let mut notes = Vec::new();
        let mut md = format!("# 第{c}章 ");
        count += clause(&mut r, 2, 6, &mut md);
        md.push_str("\n\n");
        let mut section = 0;
        while count < per_chapter {
            if r.chance(10) {
                section += 1;
                let _ = write!(md, "## {c}.{section} ");
                count += clause(&mut r, 3, 8, &mut md);
                md.push_str("\n\n");
            }
            count += paragraph(&mut r, &mut notes, c, &mut md);
            md.push_str("\n\n");
            match r.below(40) {
                0 => {
                    for i in 0..(2 + r.below(4)) {
                        let _ = write!(md, "{}. ", i + 1);
                        count += sentence(&mut r, &mut md);
                        md.push('\n');
                    }
                    md.push('\n');
                }
                1 => {
                    for _ in 0..(2 + r.below(4)) {
                        md.push_str("- ");
                        count += clause(&mut r, 4, 12, &mut md);
                        md.push('\n');
                    }
                    md.push('\n');
                }
                2 => {
                    md.push_str("> ");
                    count += sentence(&mut r, &mut md);
                    count += sentence(&mut r, &mut md);
                    md.push_str("\n\n");
                }
                3 => {
                    md.push_str("| 项目 | 数量 | 说明 |\n|---|---:|---|\n");
                    for _ in 0..(2 + r.below(4)) {
                        md.push_str("| ");
                        count += clause(&mut r, 2, 4, &mut md);
                        let _ = write!(md, " | {} | ", r.below(10_000));
                        count += clause(&mut r, 4, 10, &mut md);
                        md.push_str(" |\n");
                    }
                    md.push('\n');
                }
                _ => {}
            }
        }
        for n in &notes {
            md.push_str(n);
            md.push_str("\n\n");
        }
        let name = format!("ch{c:02}.md");
        names.push(name.clone());
        files.push((name, md));
        total += count;
    }
    let mut list = String::new();
    for n in &names {
        let _ = writeln!(list, "  - {n}");
    }
    files.push((
        "book.yaml".into(),
        format!(
            "title: 基准测试书（{target}字）\nauthors: [Folio]\nlanguage: zh-Hans\ndate: 2024-01-01\nchapters:\n{list}pdf:\n  page-size: 6x9in\n  font-size: 11\n"
        ),
    ));
    BenchBook {
        files,
        words: total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_text_is_deterministic_and_varied() {
        let a = book(20_000, 2);
        let b = book(20_000, 2);
        assert_eq!(a.files, b.files);
        assert!(a.words >= 20_000 && a.words < 23_000, "{}", a.words);
        let text: String = a.files.iter().map(|f| f.1.as_str()).collect();
        let distinct: std::collections::BTreeSet<char> = text
            .chars()
            .filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c))
            .collect();
        assert!(distinct.len() > 1_500, "{}", distinct.len());
        for needle in ["。", "，", "「", "（", "《", "[^c1n1]", "## 1.1", "| 项目"] {
            assert!(text.contains(needle), "{needle}");
        }
    }
}
