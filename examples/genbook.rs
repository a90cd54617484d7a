//! Writes a deterministic benchmark book: varied English prose with long
//! words, headings to level 3, lists, block quotes, tables, code blocks,
//! footnotes, links and curly quotes.
//!
//! ```sh
//! cargo run --release --example genbook -- OUT_DIR [WORDS] [CHAPTERS]
//! ```
//!
//! Defaults: 300,000 words in 40 chapters. The same arguments always give
//! the same files, so timings of different builds compare.

use std::fmt::Write as _;
use std::path::PathBuf;

/// A small, fixed-seed xorshift generator: deterministic across platforms.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const NOUNS: &[&str] = &[
    "river",
    "border",
    "government",
    "village",
    "mountain",
    "treaty",
    "history",
    "market",
    "teacher",
    "province",
    "council",
    "harvest",
    "library",
    "journey",
    "frontier",
    "argument",
    "merchant",
    "question",
    "language",
    "evening",
    "soldier",
    "valley",
    "road",
    "season",
    "letter",
    "archive",
    "committee",
    "neighbourhood",
    "administration",
    "infrastructure",
    "responsibility",
    "correspondence",
    "interpretation",
    "independence",
    "circumstances",
    "characteristics",
    "representatives",
    "establishment",
    "disproportion",
    "electroencephalography",
    "internationalization",
    "counterrevolutionary",
    "incomprehensibility",
    "telecommunications",
];
const VERBS: &[&str] = &[
    "crossed",
    "described",
    "considered",
    "changed",
    "remembered",
    "questioned",
    "rebuilt",
    "negotiated",
    "underestimated",
    "reconsidered",
    "accompanied",
    "misunderstood",
    "documented",
    "transformed",
    "encouraged",
    "overshadowed",
    "characterized",
    "institutionalized",
];
const ADJECTIVES: &[&str] = &[
    "old",
    "quiet",
    "difficult",
    "northern",
    "remarkable",
    "uncertain",
    "ordinary",
    "official",
    "extraordinary",
    "unprecedented",
    "comprehensive",
    "controversial",
    "inconsequential",
    "disproportionate",
    "straightforward",
    "affluent",
    "efficient",
    "fictional",
    "fluent",
];
const ADVERBS: &[&str] = &[
    "slowly",
    "quietly",
    "eventually",
    "surprisingly",
    "nevertheless",
    "unexpectedly",
    "deliberately",
    "simultaneously",
    "fortunately",
    "characteristically",
];
const CONNECTIVES: &[&str] = &[
    "and",
    "but",
    "although",
    "because",
    "while",
    "so that",
    "even though",
    "whereas",
];
const NAMES: &[&str] = &[
    "Amina",
    "Baitullah",
    "Catherine",
    "Dawud",
    "Eleanor",
    "Farid",
    "Gulalai",
    "Hamid",
    "Isabella",
    "Jahangir",
    "Khadija",
    "Lutfullah",
];
const CODE: &[&str] = &[
    "fn measure(text: &str, size: f64) -> f64 {\n    text.chars().map(|c| advance(c) * size).sum()\n}",
    "for line in paragraph.lines() {\n    if line.width > measure {\n        report.overfull += 1;\n    }\n}",
    "let ratio = (measure - natural) / stretch; // Knuth–Plass adjustment ratio",
];

fn noun_phrase(r: &mut Rng) -> String {
    if r.chance(40) {
        format!("the {} {}", r.pick(ADJECTIVES), r.pick(NOUNS))
    } else {
        format!("the {}", r.pick(NOUNS))
    }
}

fn sentence(r: &mut Rng) -> String {
    let mut s = format!("{} {} {}", noun_phrase(r), r.pick(VERBS), noun_phrase(r));
    if r.chance(45) {
        let _ = write!(
            s,
            " {} {} {} {}",
            r.pick(CONNECTIVES),
            r.pick(NAMES),
            r.pick(VERBS),
            noun_phrase(r)
        );
    }
    if r.chance(25) {
        let _ = write!(s, ", {}", r.pick(ADVERBS));
    }
    if r.chance(12) {
        let _ = write!(
            s,
            ", as {} said, “{} {}”",
            r.pick(NAMES),
            r.pick(ADJECTIVES),
            r.pick(NOUNS)
        );
    }
    if r.chance(8) {
        s = s.replacen(" the ", " *the* ", 1);
    }
    if r.chance(5) {
        let _ = write!(s, " in {}’s {}", r.pick(NAMES), r.pick(NOUNS));
    }
    let mut chars = s.chars();
    let first = chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>())
        .unwrap_or_default();
    format!("{first}{}.", chars.as_str())
}

fn paragraph(r: &mut Rng, words: &mut usize, notes: &mut Vec<String>, chapter: usize) -> String {
    let mut p = String::new();
    for _ in 0..(3 + r.below(5)) {
        let s = sentence(r);
        *words += s.split_whitespace().count();
        if !p.is_empty() {
            p.push(' ');
        }
        p.push_str(&s);
    }
    if r.chance(10) {
        let label = format!("c{chapter}n{}", notes.len() + 1);
        p.push_str(&format!("[^{label}]"));
        let note = sentence(r);
        *words += note.split_whitespace().count();
        notes.push(format!("[^{label}]: {note}"));
    }
    if r.chance(6) {
        p.push_str(" See [the archive](https://example.org/archive) for more.");
        *words += 5;
    }
    p
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first().map(PathBuf::from) else {
        eprintln!("usage: genbook OUT_DIR [WORDS] [CHAPTERS]");
        std::process::exit(2);
    };
    let target: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(300_000);
    let chapters: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(40);
    std::fs::create_dir_all(&out).expect("create output folder");
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let per_chapter = target / chapters;
    let mut total = 0;
    let mut list = String::new();
    for c in 1..=chapters {
        let mut words = 0;
        let mut notes = Vec::new();
        let mut md = format!(
            "# Chapter {c}: The {} {}\n\n",
            capitalize(r.pick(ADJECTIVES)),
            capitalize(r.pick(NOUNS))
        );
        let mut section = 0;
        while words < per_chapter {
            if r.chance(12) {
                section += 1;
                let _ = write!(
                    md,
                    "## {c}.{section} {}\n\n",
                    capitalize(&noun_phrase(&mut r))
                );
            } else if r.chance(6) {
                let _ = write!(md, "### {}\n\n", capitalize(&noun_phrase(&mut r)));
            }
            md.push_str(&paragraph(&mut r, &mut words, &mut notes, c));
            md.push_str("\n\n");
            match r.below(40) {
                0 => {
                    for i in 0..(2 + r.below(4)) {
                        let s = sentence(&mut r);
                        words += s.split_whitespace().count();
                        let _ = writeln!(md, "{}. {s}", i + 1);
                    }
                    md.push('\n');
                }
                1 => {
                    for _ in 0..(2 + r.below(4)) {
                        let s = sentence(&mut r);
                        words += s.split_whitespace().count();
                        let _ = writeln!(md, "- {s}");
                    }
                    md.push('\n');
                }
                2 => {
                    let s = sentence(&mut r) + " " + &sentence(&mut r);
                    words += s.split_whitespace().count();
                    let _ = write!(md, "> {s}\n\n");
                }
                3 => {
                    md.push_str("| Province | Year | Share |\n|:--|--:|--:|\n");
                    for _ in 0..(3 + r.below(4)) {
                        let _ = writeln!(
                            md,
                            "| {} | {} | {}.{} % |",
                            capitalize(r.pick(NOUNS)),
                            1900 + r.below(120),
                            r.below(100),
                            r.below(10)
                        );
                        words += 4;
                    }
                    md.push('\n');
                }
                4 => {
                    let _ = write!(md, "```rust\n{}\n```\n\n", r.pick(CODE));
                    words += 12;
                }
                _ => {}
            }
        }
        for n in &notes {
            md.push_str(n);
            md.push_str("\n\n");
        }
        total += words;
        let name = format!("ch{c:02}.md");
        std::fs::write(out.join(&name), md).expect("write chapter");
        let _ = writeln!(list, "  - {name}");
    }
    let yaml = format!(
        "title: Benchmark Book of {target} Words\nauthors: [Folio Generator]\nlanguage: en\ndate: 2024-01-01\nchapters:\n{list}pdf:\n  page-size: 6x9in\n  font-size: 11\n"
    );
    std::fs::write(out.join("book.yaml"), yaml).expect("write book.yaml");
    eprintln!(
        "wrote {} chapters, {total} words, to {}",
        chapters,
        out.display()
    );
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
