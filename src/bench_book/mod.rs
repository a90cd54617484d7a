//! A deterministic benchmark book: the test data of the typesetter's
//! quality and speed measurements, not part of the build pipeline.
//!
//! [`generate`] writes varied English prose: sentences of many shapes
//! (clauses, asides in dashes and parentheses, quotations, questions,
//! dates and figures), a vocabulary of everyday and learned words with
//! long names of places and people, emphasis, links and footnotes,
//! headings to level 3, bulleted and numbered lists, block quotes, pipe
//! tables and fenced code. Word lengths are those of serious non-fiction
//! (about five letters on average, one word in ten of ten letters or
//! more), so what the paragraph engine faces is what a real book gives
//! it, long words included.
//!
//! [`Style::Dense`] keeps the earlier generator's text (every sentence
//! "The X verbed the Y", a third of the words ten letters or longer): a
//! stress test for hyphenation rather than a book. [`Style::Chinese`]
//! writes a book in Simplified Chinese ([`chinese`]), where the length
//! counts characters.
//!
//! The same arguments always give the same files, so measurements of
//! different builds compare. Used by `examples/genbook.rs` and the
//! typesetting tests.

use std::fmt::Write as _;
use std::path::Path;

pub mod chinese;

/// Which kind of text to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Varied prose with realistic word lengths.
    Prose,
    /// The old long-word stress text.
    Dense,
    /// Simplified Chinese; `words` counts characters.
    Chinese,
}

/// A generated book: its files and how many words of text it holds.
#[derive(Debug, Clone)]
pub struct BenchBook {
    /// (file name, contents), `book.yaml` last.
    pub files: Vec<(String, String)>,
    /// Words of text written (whitespace-separated tokens of the prose).
    pub words: usize,
}

impl BenchBook {
    /// Writes the files into `dir` (created if missing).
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        for (name, text) in &self.files {
            std::fs::write(dir.join(name), text)?;
        }
        Ok(())
    }
}

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

/// Generates a book of about `words` words in `chapters` chapters.
pub fn generate(words: usize, chapters: usize, style: Style) -> BenchBook {
    match style {
        Style::Prose => prose::book(words, chapters.max(1)),
        Style::Dense => dense::book(words, chapters.max(1)),
        Style::Chinese => chinese::book(words, chapters.max(1)),
    }
}

/// `book.yaml` of a generated book.
fn book_yaml(target: usize, names: &[String]) -> String {
    let mut list = String::new();
    for n in names {
        let _ = writeln!(list, "  - {n}");
    }
    format!(
        "title: Benchmark Book of {target} Words\nauthors: [Folio Generator]\nlanguage: en\ndate: 2024-01-01\nchapters:\n{list}pdf:\n  page-size: 6x9in\n  font-size: 11\n"
    )
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn count_words(s: &str) -> usize {
    s.split_whitespace().count()
}

mod prose {
    //! The varied-prose generator.
    use super::*;

    const NOUNS: &[&str] = &[
        "road",
        "river",
        "town",
        "village",
        "city",
        "border",
        "valley",
        "mountain",
        "pass",
        "market",
        "school",
        "house",
        "family",
        "farmer",
        "teacher",
        "student",
        "soldier",
        "officer",
        "leader",
        "trader",
        "driver",
        "doctor",
        "child",
        "woman",
        "elder",
        "father",
        "mother",
        "brother",
        "sister",
        "friend",
        "neighbour",
        "letter",
        "report",
        "record",
        "map",
        "book",
        "story",
        "song",
        "voice",
        "name",
        "word",
        "plan",
        "law",
        "rule",
        "tax",
        "debt",
        "price",
        "wage",
        "crop",
        "harvest",
        "field",
        "well",
        "canal",
        "bridge",
        "wall",
        "gate",
        "camp",
        "fort",
        "station",
        "office",
        "court",
        "council",
        "assembly",
        "party",
        "army",
        "press",
        "radio",
        "newspaper",
        "treaty",
        "agreement",
        "election",
        "campaign",
        "movement",
        "protest",
        "strike",
        "attack",
        "war",
        "peace",
        "truce",
        "winter",
        "summer",
        "season",
        "morning",
        "evening",
        "night",
        "week",
        "month",
        "year",
        "decade",
        "century",
        "journey",
        "visit",
        "meeting",
        "speech",
        "question",
        "answer",
        "problem",
        "reason",
        "result",
        "change",
        "choice",
        "chance",
        "risk",
        "fear",
        "hope",
        "trust",
        "anger",
        "silence",
        "memory",
        "history",
        "future",
        "power",
        "money",
        "land",
        "water",
        "food",
        "wheat",
        "cotton",
        "tea",
        "bread",
        "salt",
        "stone",
        "dust",
        "snow",
        "rain",
        "wind",
        "fire",
        "light",
        "smoke",
        "way",
        "time",
        "day",
        "life",
        "world",
        "work",
        "part",
        "place",
        "case",
        "point",
        "fact",
        "group",
        "side",
        "end",
        "door",
        "line",
        "hand",
    ];
    const LONG_NOUNS: &[&str] = &[
        "administration",
        "government",
        "negotiation",
        "correspondence",
        "responsibility",
        "infrastructure",
        "independence",
        "interpretation",
        "representative",
        "establishment",
        "circumstances",
        "consequences",
        "relationship",
        "understanding",
        "organization",
        "investigation",
        "reconstruction",
        "rehabilitation",
        "modernization",
        "accountability",
        "telecommunications",
        "intelligence",
        "constitution",
        "commissioner",
        "institution",
        "neighbourhood",
        "development",
        "agriculture",
        "bureaucracy",
        "legitimacy",
        "sovereignty",
        "settlement",
        "resettlement",
        "counterinsurgency",
        "demilitarization",
        "misunderstanding",
        "disappointment",
        "acknowledgement",
        "recommendation",
        "electroencephalography",
        "internationalization",
        "incomprehensibility",
        "parliamentarian",
        "archaeologist",
        "photographer",
        "contemporaries",
    ];
    const PLURALS: &[&str] = &[
        "roads",
        "villages",
        "families",
        "farmers",
        "teachers",
        "students",
        "soldiers",
        "officers",
        "leaders",
        "traders",
        "children",
        "women",
        "men",
        "elders",
        "letters",
        "reports",
        "maps",
        "books",
        "stories",
        "songs",
        "names",
        "laws",
        "taxes",
        "prices",
        "crops",
        "fields",
        "bridges",
        "camps",
        "courts",
        "parties",
        "newspapers",
        "elections",
        "years",
        "weeks",
        "months",
        "questions",
        "problems",
        "reasons",
        "refugees",
        "tribes",
        "negotiations",
        "representatives",
        "institutions",
        "circumstances",
        "consequences",
        "communities",
        "authorities",
        "observers",
        "historians",
        "correspondents",
    ];
    const ADJECTIVES: &[&str] = &[
        "old", "new", "long", "short", "small", "large", "great", "high", "low", "dry", "cold",
        "warm", "hard", "quiet", "early", "late", "local", "rural", "poor", "rich", "young",
        "narrow", "wide", "dark", "bright", "strong", "weak", "open", "northern", "southern",
        "eastern", "western", "distant", "ancient", "recent", "simple", "strange", "familiar",
        "careful", "bitter", "steady", "sudden", "slow", "modest", "heavy", "thin", "brief",
        "common", "rare", "free", "fair", "firm", "proud", "real", "whole", "single",
    ];
    const LONG_ADJECTIVES: &[&str] = &[
        "extraordinary",
        "unprecedented",
        "comprehensive",
        "controversial",
        "disproportionate",
        "straightforward",
        "administrative",
        "constitutional",
        "international",
        "revolutionary",
        "understandable",
        "uncompromising",
        "characteristic",
        "inconsequential",
        "indistinguishable",
        "humanitarian",
        "bureaucratic",
        "unpredictable",
        "irreconcilable",
        "counterrevolutionary",
    ];
    const VERBS: &[&str] = &[
        "crossed",
        "closed",
        "opened",
        "built",
        "burned",
        "carried",
        "found",
        "lost",
        "kept",
        "left",
        "sold",
        "bought",
        "paid",
        "signed",
        "changed",
        "described",
        "followed",
        "joined",
        "led",
        "met",
        "named",
        "reached",
        "read",
        "wrote",
        "sent",
        "took",
        "gave",
        "held",
        "won",
        "watched",
        "remembered",
        "questioned",
        "recorded",
        "ignored",
        "welcomed",
        "refused",
        "promised",
        "defended",
        "divided",
        "governed",
        "protected",
        "supported",
        "threatened",
        "visited",
        "reported",
        "doubted",
        "moved",
        "saw",
        "knew",
    ];
    const LONG_VERBS: &[&str] = &[
        "negotiated",
        "documented",
        "transformed",
        "encouraged",
        "underestimated",
        "reconsidered",
        "accompanied",
        "misunderstood",
        "overshadowed",
        "characterized",
        "institutionalized",
        "reorganized",
        "administered",
        "consolidated",
        "investigated",
        "strengthened",
        "overestimated",
        "contradicted",
        "discontinued",
        "photographed",
    ];
    const INTRANSITIVE: &[&str] = &[
        "arrived",
        "returned",
        "waited",
        "stayed",
        "failed",
        "grew",
        "fell",
        "rose",
        "collapsed",
        "continued",
        "disappeared",
        "survived",
        "spread",
        "settled",
        "recovered",
        "hesitated",
        "complained",
        "withdrew",
        "prospered",
        "resisted",
    ];
    const ADVERBS: &[&str] = &[
        "slowly",
        "quietly",
        "soon",
        "later",
        "again",
        "often",
        "rarely",
        "still",
        "already",
        "almost",
        "only",
        "finally",
        "suddenly",
        "eventually",
        "gradually",
        "surprisingly",
        "nevertheless",
        "deliberately",
        "simultaneously",
        "unexpectedly",
        "fortunately",
        "reluctantly",
        "immediately",
        "apparently",
        "characteristically",
    ];
    const PREPOSITIONS: &[&str] = &[
        "in", "on", "near", "across", "along", "beyond", "behind", "under", "through", "toward",
        "into", "from", "with", "without", "after", "before", "during", "between", "among",
        "around", "above", "below",
    ];
    const TIMES: &[&str] = &[
        "In 1893",
        "In the spring of 1979",
        "After the war",
        "By the end of the decade",
        "For almost a century",
        "During the long winter of 2001",
        "On 14 August 1947",
        "Within a few weeks",
        "Over the following years",
        "Two days later",
        "At first",
        "In the meantime",
        "Long before the partition",
        "By the summer of 1996",
        "For a while",
        "In those years",
    ];
    const SUBORDINATORS: &[&str] = &[
        "Although",
        "Because",
        "When",
        "While",
        "Before",
        "After",
        "Since",
        "Once",
        "Unless",
        "Even though",
        "As soon as",
    ];
    const PLACES: &[&str] = &[
        "Afghanistan",
        "Pakistan",
        "Kabul",
        "Kandahar",
        "Peshawar",
        "Quetta",
        "Islamabad",
        "Rawalpindi",
        "Lahore",
        "Karachi",
        "Waziristan",
        "Baluchistan",
        "Helmand",
        "Herat",
        "Jalalabad",
        "Khyber",
        "Swat",
        "Chitral",
        "Gilgit",
        "Tehran",
        "Samarkand",
        "Tashkent",
        "Kashmir",
        "Punjab",
        "Sindh",
        "Nangarhar",
        "Kunar",
        "Badakhshan",
        "Mazar-i-Sharif",
        "Khyber Pakhtunkhwa",
        "Turkmenistan",
        "Uzbekistan",
        "Tajikistan",
    ];
    const FIRST: &[&str] = &[
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
        "Malalai",
        "Nasir",
        "Omar",
        "Parveen",
        "Qasim",
        "Rahima",
        "Sher",
        "Tahira",
        "Usman",
        "Wazir",
        "Yasmin",
        "Zarina",
        "Robert",
        "Margaret",
    ];
    const LAST: &[&str] = &[
        "Khan",
        "Rahimi",
        "Yousafzai",
        "Durrani",
        "Afridi",
        "Mehsud",
        "Qureshi",
        "Hussaini",
        "Wardak",
        "Popal",
        "Stanford",
        "Ellison",
        "Whitaker",
        "Montgomery",
        "Fitzgerald",
        "Macpherson",
        "Abdurrahmanzai",
        "Ghaznavi",
    ];
    const PRONOUNS: &[&str] = &["they", "he", "she", "we", "it", "no one", "all of them"];
    const NUMBERS: &[&str] = &[
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "a dozen",
        "twenty",
        "several",
        "hundreds of",
        "thousands of",
        "a few",
        "many",
        "most of the",
        "some of the",
    ];
    const SAY: &[&str] = &[
        "said",
        "wrote",
        "recalled",
        "insisted",
        "admitted",
        "explained",
        "complained",
        "observed",
    ];
    const CODE: &[&str] = &[
        "fn measure(text: &str, size: f64) -> f64 {\n    text.chars().map(|c| advance(c) * size).sum()\n}",
        "for line in paragraph.lines() {\n    if line.width > measure {\n        report.overfull += 1;\n    }\n}",
        "let ratio = (measure - natural) / stretch; // Knuth–Plass adjustment ratio",
        "$ folio build book -o output --report report.json\nwrote output/book.epub and output/book.pdf (312 pages)",
        "struct Census {\n    province: String,\n    year: u16,\n    households: u32,\n}\n\nimpl Census {\n    fn per_household(&self, people: u32) -> f64 {\n        f64::from(people) / f64::from(self.households.max(1))\n    }\n}",
        "SELECT province, COUNT(*) AS villages\n  FROM settlements\n WHERE founded < 1900\n GROUP BY province\n ORDER BY villages DESC;",
    ];

    /// A noun, usually an everyday one.
    fn noun(r: &mut Rng) -> &'static str {
        if r.chance(11) {
            r.pick(LONG_NOUNS)
        } else {
            r.pick(NOUNS)
        }
    }

    fn adjective(r: &mut Rng) -> &'static str {
        if r.chance(14) {
            r.pick(LONG_ADJECTIVES)
        } else {
            r.pick(ADJECTIVES)
        }
    }

    fn verb(r: &mut Rng) -> &'static str {
        if r.chance(15) {
            r.pick(LONG_VERBS)
        } else {
            r.pick(VERBS)
        }
    }

    fn person(r: &mut Rng) -> String {
        match r.below(3) {
            0 => r.pick(FIRST).to_owned(),
            _ => format!("{} {}", r.pick(FIRST), r.pick(LAST)),
        }
    }

    /// "a" or "an" before `word`.
    fn article(word: &str) -> &'static str {
        if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        }
    }

    /// A noun phrase, lower case.
    fn np(r: &mut Rng) -> String {
        match r.below(20) {
            0 => return r.pick(PLACES).to_owned(),
            1 => return person(r),
            2 => return format!("{}’s {}", r.pick(PLACES), noun(r)),
            3 => return format!("{} {}", r.pick(NUMBERS), r.pick(PLURALS)),
            _ => {}
        }
        let mut head = String::new();
        if r.chance(35) {
            let a = adjective(r);
            head.push_str(if r.chance(4) {
                // Emphasis now and then.
                "*"
            } else {
                ""
            });
            head.push_str(a);
            if head.starts_with('*') {
                head.push('*');
            }
            head.push(' ');
        }
        head.push_str(noun(r));
        let det = match r.below(12) {
            0..=5 => "the".to_owned(),
            6 | 7 => article(head.trim_start_matches('*')).to_owned(),
            8 => "their".to_owned(),
            9 => "this".to_owned(),
            10 => "its".to_owned(),
            _ => "every".to_owned(),
        };
        let mut s = format!("{det} {head}");
        if r.chance(15) {
            let _ = write!(s, " of the {}", noun(r));
        } else if r.chance(8) {
            let _ = write!(s, " of {}", r.pick(PLACES));
        }
        s
    }

    /// A prepositional phrase.
    fn pp(r: &mut Rng) -> String {
        format!("{} {}", r.pick(PREPOSITIONS), np(r))
    }

    /// A clause without final punctuation, lower case.
    fn clause(r: &mut Rng) -> String {
        let subject = if r.chance(20) {
            r.pick(PRONOUNS).to_owned()
        } else {
            np(r)
        };
        match r.below(13) {
            10 => return format!("{subject} did not know whether {}", clause(r)),
            11 => return format!("{subject} {} {} as well", verb(r), np(r)),
            12 => {
                return format!(
                    "{subject} {} it {} {}",
                    verb(r),
                    r.pick(PREPOSITIONS),
                    np(r)
                )
            }
            _ => {}
        }
        match r.below(10) {
            0..=3 => format!("{subject} {} {}", verb(r), np(r)),
            4 => format!("{subject} {} {} {}", verb(r), np(r), pp(r)),
            5 => format!("{subject} {} {}", r.pick(INTRANSITIVE), pp(r)),
            6 => format!("{subject} {} {}", r.pick(ADVERBS), verb(r)) + " " + &np(r),
            7 => format!("{subject} was {} {}", r.pick(ADVERBS), adjective(r)),
            8 => {
                let v = verb(r);
                if v.ends_with("ed") {
                    format!("{subject} had {v} {}", np(r))
                } else {
                    format!("{subject} would not have {} {}", r.pick(LONG_VERBS), np(r))
                }
            }
            _ => format!("{subject} {}", r.pick(INTRANSITIVE)),
        }
    }

    /// One sentence, capitalised and punctuated.
    pub(super) fn sentence(r: &mut Rng) -> String {
        let s = match r.below(24) {
            0..=5 => clause(r) + ".",
            6 | 7 => format!("{}, {}.", r.pick(TIMES), clause(r)),
            8 | 9 => format!(
                "{} {}, {}.",
                r.pick(SUBORDINATORS).to_lowercase(),
                clause(r),
                clause(r)
            ),
            10 => format!("{}, and {}.", clause(r), clause(r)),
            11 => format!("{}; {}.", clause(r), clause(r)),
            12 => format!("{}, but {}.", clause(r), clause(r)),
            13 => format!(
                "“{},” {} {}.",
                capitalize(&clause(r)),
                r.pick(SAY),
                person(r)
            ),
            14 => format!(
                "{} {} that {}.",
                person(r),
                r.pick(SAY),
                clause(r).replacen(" was ", " had been ", 1)
            ),
            15 => {
                let (who, rel) = if r.chance(30) {
                    (person(r), "who")
                } else {
                    (np(r), "which")
                };
                format!(
                    "{who}, {rel} had {} {}, {} {}.",
                    r.pick(LONG_VERBS),
                    np(r),
                    r.pick(INTRANSITIVE),
                    pp(r)
                )
            }
            16 => format!(
                "{}—{} and {}—{} {}.",
                np(r),
                adjective(r),
                adjective(r),
                verb(r),
                np(r)
            ),
            17 => format!(
                "{} ({} {} in {}) {} {}.",
                np(r),
                r.pick(&["about", "nearly", "some", "at least"]),
                3 + r.below(900),
                1850 + r.below(170),
                verb(r),
                np(r)
            ),
            18 => format!("it was {} that {}.", adjective(r), clause(r)),
            19 => format!(
                "there were {} {} {}.",
                r.pick(NUMBERS),
                r.pick(PLURALS),
                pp(r)
            ),
            20 => format!("why had {} {} {}?", np(r), r.pick(LONG_VERBS), np(r)),
            21 => format!("{} {} {} in {}.", person(r), verb(r), np(r), r.pick(PLACES)),
            22 => format!(
                "by {}, {} had {} {} (see chapter {}).",
                1900 + r.below(120),
                np(r),
                r.pick(LONG_VERBS),
                np(r),
                1 + r.below(40)
            ),
            _ => format!("{}, {}.", clause(r), r.pick(ADVERBS)),
        };
        capitalize(&s)
    }

    fn paragraph(
        r: &mut Rng,
        words: &mut usize,
        notes: &mut Vec<String>,
        chapter: usize,
    ) -> String {
        let n = match r.below(20) {
            0 | 1 => 1,
            2..=4 => 2,
            5..=15 => 3 + r.below(4),
            _ => 6 + r.below(4),
        };
        let mut p = String::new();
        for _ in 0..n {
            let s = sentence(r);
            *words += count_words(&s);
            if !p.is_empty() {
                p.push(' ');
            }
            p.push_str(&s);
        }
        if r.chance(12) {
            let label = format!("c{chapter}n{}", notes.len() + 1);
            p.push_str(&format!("[^{label}]"));
            let mut note = String::new();
            for _ in 0..1 + r.below(3) {
                let s = sentence(r);
                *words += count_words(&s);
                if !note.is_empty() {
                    note.push(' ');
                }
                note.push_str(&s);
            }
            notes.push(format!("[^{label}]: {note}"));
        }
        if r.chance(5) {
            p.push_str(" See [the provincial archive](https://example.org/archive) for more.");
            *words += 6;
        }
        if r.chance(2) {
            p.push_str(" The figures are in the `census.csv` file of the archive.");
            *words += 9;
        }
        p
    }

    fn table(r: &mut Rng, md: &mut String, words: &mut usize) {
        match r.below(3) {
            0 => {
                md.push_str("| Province | Year | Share |\n|:--|--:|--:|\n");
                for _ in 0..(3 + r.below(5)) {
                    let _ = writeln!(
                        md,
                        "| {} | {} | {}.{} % |",
                        r.pick(PLACES),
                        1900 + r.below(120),
                        r.below(100),
                        r.below(10)
                    );
                    *words += 4;
                }
            }
            1 => {
                md.push_str("| Name | Role | Years |\n|:--|:--|:-:|\n");
                for _ in 0..(2 + r.below(5)) {
                    let y = 1900 + r.below(110);
                    let _ = writeln!(
                        md,
                        "| {} | {} {} | {}–{} |",
                        person(r),
                        capitalize(adjective(r)),
                        noun(r),
                        y,
                        y + 1 + r.below(12)
                    );
                    *words += 5;
                }
            }
            _ => {
                md.push_str("| Event | Where | Notes |\n|:--|:--|:--|\n");
                for _ in 0..(2 + r.below(4)) {
                    let note = clause(r);
                    *words += count_words(&note) + 3;
                    let _ = writeln!(
                        md,
                        "| {} | {} | {}. |",
                        capitalize(noun(r)),
                        r.pick(PLACES),
                        capitalize(&note)
                    );
                }
            }
        }
        md.push('\n');
    }

    pub(super) fn book(target: usize, chapters: usize) -> BenchBook {
        let mut r = Rng(0x9E37_79B9_7F4A_7C15);
        let per_chapter = target / chapters;
        let mut total = 0;
        let mut files = Vec::new();
        let mut names = Vec::new();
        for c in 1..=chapters {
            let mut words = 0;
            let mut notes = Vec::new();
            let mut md = format!(
                "# Chapter {c}: {} and the {}\n\n",
                r.pick(PLACES),
                capitalize(noun(&mut r))
            );
            let mut section = 0;
            while words < per_chapter {
                if r.chance(8) {
                    section += 1;
                    let _ = write!(md, "## {c}.{section} {}\n\n", capitalize(&np(&mut r)));
                } else if r.chance(5) {
                    let _ = write!(md, "### {}\n\n", capitalize(&pp(&mut r)));
                }
                md.push_str(&paragraph(&mut r, &mut words, &mut notes, c));
                md.push_str("\n\n");
                match r.below(36) {
                    0 => {
                        for i in 0..(2 + r.below(5)) {
                            let s = sentence(&mut r);
                            words += count_words(&s);
                            let _ = writeln!(md, "{}. {s}", i + 1);
                        }
                        md.push('\n');
                    }
                    1 => {
                        for _ in 0..(2 + r.below(5)) {
                            let s = if r.chance(40) {
                                capitalize(&np(&mut r))
                            } else {
                                sentence(&mut r)
                            };
                            words += count_words(&s);
                            let _ = writeln!(md, "- {s}");
                        }
                        md.push('\n');
                    }
                    2 => {
                        let mut s = String::new();
                        for _ in 0..(2 + r.below(3)) {
                            if !s.is_empty() {
                                s.push(' ');
                            }
                            s.push_str(&sentence(&mut r));
                        }
                        words += count_words(&s);
                        let _ = write!(md, "> {s}\n\n");
                    }
                    3 => table(&mut r, &mut md, &mut words),
                    4 => {
                        let code = r.pick(CODE);
                        words += count_words(code);
                        let lang = if code.starts_with("SELECT") {
                            "sql"
                        } else if code.starts_with('$') {
                            "text"
                        } else {
                            "rust"
                        };
                        let _ = write!(md, "```{lang}\n{code}\n```\n\n");
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
            files.push((name.clone(), md));
            names.push(name);
        }
        files.push(("book.yaml".to_owned(), book_yaml(target, &names)));
        BenchBook {
            files,
            words: total,
        }
    }
}

mod dense {
    //! The earlier long-word generator, kept byte for byte as a stress test.
    use super::*;

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
        capitalize(&s) + "."
    }

    fn paragraph(
        r: &mut Rng,
        words: &mut usize,
        notes: &mut Vec<String>,
        chapter: usize,
    ) -> String {
        let mut p = String::new();
        for _ in 0..(3 + r.below(5)) {
            let s = sentence(r);
            *words += count_words(&s);
            if !p.is_empty() {
                p.push(' ');
            }
            p.push_str(&s);
        }
        if r.chance(10) {
            let label = format!("c{chapter}n{}", notes.len() + 1);
            p.push_str(&format!("[^{label}]"));
            let note = sentence(r);
            *words += count_words(&note);
            notes.push(format!("[^{label}]: {note}"));
        }
        if r.chance(6) {
            p.push_str(" See [the archive](https://example.org/archive) for more.");
            *words += 5;
        }
        p
    }

    pub(super) fn book(target: usize, chapters: usize) -> BenchBook {
        let mut r = Rng(0x9E37_79B9_7F4A_7C15);
        let per_chapter = target / chapters;
        let mut total = 0;
        let mut files = Vec::new();
        let mut names = Vec::new();
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
                            words += count_words(&s);
                            let _ = writeln!(md, "{}. {s}", i + 1);
                        }
                        md.push('\n');
                    }
                    1 => {
                        for _ in 0..(2 + r.below(4)) {
                            let s = sentence(&mut r);
                            words += count_words(&s);
                            let _ = writeln!(md, "- {s}");
                        }
                        md.push('\n');
                    }
                    2 => {
                        let s = sentence(&mut r) + " " + &sentence(&mut r);
                        words += count_words(&s);
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
            files.push((name.clone(), md));
            names.push(name);
        }
        files.push(("book.yaml".to_owned(), book_yaml(target, &names)));
        BenchBook {
            files,
            words: total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_reaches_the_target() {
        let a = generate(5_000, 3, Style::Prose);
        let b = generate(5_000, 3, Style::Prose);
        assert_eq!(a.files, b.files);
        assert!(a.words >= 5_000 && a.words < 6_500, "{}", a.words);
        assert_eq!(a.files.len(), 4);
        assert!(a.files[3].1.contains("ch03.md"));
    }

    #[test]
    fn prose_has_realistic_word_lengths_and_every_construct() {
        let book = generate(30_000, 3, Style::Prose);
        let text: String = book.files.iter().map(|f| f.1.as_str()).collect();
        let words: Vec<usize> = text
            .split_whitespace()
            .filter(|w| w.starts_with(char::is_alphabetic))
            .map(|w| w.chars().filter(|c| c.is_alphabetic()).count())
            .collect();
        let mean = words.iter().sum::<usize>() as f64 / words.len() as f64;
        let long = words.iter().filter(|&&n| n >= 10).count() as f64 / words.len() as f64;
        assert!((4.3..5.8).contains(&mean), "mean word length {mean}");
        assert!((0.05..0.16).contains(&long), "long words {long}");
        for construct in [
            "\n## ", "\n### ", "\n- ", "\n1. ", "\n> ", "\n| ", "```", "[^", "](", "—", "“", "*",
        ] {
            assert!(text.contains(construct), "{construct}");
        }
    }

    #[test]
    fn dense_text_is_mostly_long_words() {
        let book = generate(5_000, 2, Style::Dense);
        let text = &book.files[0].1;
        let words: Vec<usize> = text
            .split_whitespace()
            .filter(|w| w.starts_with(char::is_alphabetic))
            .map(|w| w.chars().filter(|c| c.is_alphabetic()).count())
            .collect();
        let mean = words.iter().sum::<usize>() as f64 / words.len() as f64;
        assert!(mean > 7.0, "{mean}");
    }
}
