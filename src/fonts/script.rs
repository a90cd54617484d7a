//! Scripts: which writing system a character belongs to, how text splits
//! into runs of one script, and what to tell a user about a script.
//!
//! Place in the font layer: fallback chooses a face per script
//! ([`super::fallback`]), the shaper needs each run's script and direction
//! ([`super::shape`]), and the missing-glyph report groups characters by
//! script ([`super::missing`]). The Unicode Script property comes from
//! harfrust's tables, the same data shaping uses.

use harfrust::{Direction, Script};

/// A script, as an ISO 15924 tag (`Hani`, `Arab`); ordered by its tag so
/// maps keyed by script iterate in a stable order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScriptTag(pub [u8; 4]);

impl ScriptTag {
    pub const COMMON: ScriptTag = ScriptTag(*b"Zyyy");
    pub const INHERITED: ScriptTag = ScriptTag(*b"Zinh");
    pub const UNKNOWN: ScriptTag = ScriptTag(*b"Zzzz");
    pub const LATIN: ScriptTag = ScriptTag(*b"Latn");
    pub const HAN: ScriptTag = ScriptTag(*b"Hani");
    pub const HIRAGANA: ScriptTag = ScriptTag(*b"Hira");
    pub const KATAKANA: ScriptTag = ScriptTag(*b"Kana");
    pub const HANGUL: ScriptTag = ScriptTag(*b"Hang");
    pub const BOPOMOFO: ScriptTag = ScriptTag(*b"Bopo");

    /// The script of `c` (Common for punctuation, digits and symbols,
    /// Inherited for combining marks).
    pub fn of(c: char) -> ScriptTag {
        ScriptTag::from_harfrust(harfrust::unicode::script(u32::from(c)))
    }

    fn from_harfrust(s: Script) -> ScriptTag {
        ScriptTag(s.tag().to_be_bytes())
    }

    /// The harfrust script, for shaping.
    pub fn to_harfrust(self) -> Option<Script> {
        Script::from_iso15924_tag(harfrust::Tag::new(&self.0))
    }

    /// The four-letter tag as text.
    pub fn code(self) -> &'static str {
        // Tags are ASCII letters; the match gives a 'static str without
        // allocating for the scripts books use, the rest are leaked once.
        match &self.0 {
            b"Zyyy" => "Zyyy",
            b"Zinh" => "Zinh",
            b"Zzzz" => "Zzzz",
            _ => name_entry(self).map_or("Zzzz", |e| e.0),
        }
    }

    /// Whether the script belongs to no writing system of its own
    /// (punctuation, digits, symbols, combining marks): such characters
    /// take the script of the text around them.
    pub fn is_neutral(self) -> bool {
        matches!(self, ScriptTag::COMMON | ScriptTag::INHERITED)
    }

    /// The writing direction of the script.
    pub fn direction(self) -> Direction {
        // The right-to-left scripts in use today (UAX #9's strong R and AL
        // letters belong to these).
        match &self.0 {
            b"Arab" | b"Hebr" | b"Syrc" | b"Thaa" | b"Nkoo" | b"Samr" | b"Mand" | b"Adlm"
            | b"Rohg" | b"Yezi" => Direction::RightToLeft,
            _ => Direction::LeftToRight,
        }
    }

    /// The scripts chosen together: Japanese kana and Han, Korean Hangul
    /// and Han, Bopomofo and Han are set in one CJK face, so a fallback
    /// face chosen for one serves the others (the same face for the whole
    /// sentence). Other scripts stand for themselves.
    pub fn family(self) -> ScriptTag {
        match self {
            ScriptTag::HIRAGANA | ScriptTag::KATAKANA | ScriptTag::HANGUL | ScriptTag::BOPOMOFO => {
                ScriptTag::HAN
            }
            s => s,
        }
    }

    /// A name for messages: `Han (Chinese, Japanese, Korean)`, `Arabic`.
    pub fn name(self) -> String {
        if self.is_neutral() {
            return "symbols and punctuation".into();
        }
        match name_entry(self) {
            Some((_, name, _)) => (*name).to_string(),
            None => format!("script {}", String::from_utf8_lossy(&self.0)),
        }
    }

    /// The script's English name alone (`Devanagari`, `Han`), as font
    /// families made for it carry it.
    pub fn short_name(self) -> Option<&'static str> {
        name_entry(self).and_then(|e| e.1.split(" (").next())
    }

    /// The Debian package of Noto fonts that covers the script, for the
    /// hint of the missing-glyph error.
    pub fn debian_package(self) -> &'static str {
        match self.family() {
            ScriptTag::HAN => "fonts-noto-cjk",
            ScriptTag::COMMON => "fonts-noto-core fonts-noto-extra",
            _ => "fonts-noto-core",
        }
    }

    /// Parses a script named in book.yaml: its ISO 15924 tag in any case
    /// (`Hani`, `arab`) or its English name (`Han`, `Arabic`, `Devanagari`).
    pub fn parse(name: &str) -> Option<ScriptTag> {
        let lower = name.trim().to_ascii_lowercase();
        for (code, display, aliases) in SCRIPT_NAMES {
            if code.eq_ignore_ascii_case(&lower)
                || display
                    .split(" (")
                    .next()
                    .is_some_and(|d| d.eq_ignore_ascii_case(&lower))
                || aliases.split(',').any(|a| !a.is_empty() && a == lower)
            {
                let b = code.as_bytes();
                return Some(ScriptTag([b[0], b[1], b[2], b[3]]));
            }
        }
        None
    }
}

/// The scripts a language is written in, for book.yaml's `fonts:` keys
/// that name a language (`ja: Noto Serif CJK JP`) and for choosing the
/// regional CJK face of a book in that language.
pub fn language_scripts(tag: &str) -> &'static [ScriptTag] {
    const ARAB: ScriptTag = ScriptTag(*b"Arab");
    const HEBR: ScriptTag = ScriptTag(*b"Hebr");
    const DEVA: ScriptTag = ScriptTag(*b"Deva");
    const THAI: ScriptTag = ScriptTag(*b"Thai");
    const GREK: ScriptTag = ScriptTag(*b"Grek");
    const CYRL: ScriptTag = ScriptTag(*b"Cyrl");
    const BENG: ScriptTag = ScriptTag(*b"Beng");
    const TAML: ScriptTag = ScriptTag(*b"Taml");
    const ARMN: ScriptTag = ScriptTag(*b"Armn");
    const GEOR: ScriptTag = ScriptTag(*b"Geor");
    const ETHI: ScriptTag = ScriptTag(*b"Ethi");
    const KHMR: ScriptTag = ScriptTag(*b"Khmr");
    const LAOO: ScriptTag = ScriptTag(*b"Laoo");
    const MYMR: ScriptTag = ScriptTag(*b"Mymr");
    let primary = tag
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match primary.as_str() {
        "zh" => &[ScriptTag::HAN, ScriptTag::BOPOMOFO],
        "ja" => &[ScriptTag::HAN, ScriptTag::HIRAGANA, ScriptTag::KATAKANA],
        "ko" => &[ScriptTag::HANGUL, ScriptTag::HAN],
        "ar" | "fa" | "ur" | "ps" | "ug" | "ckb" => &[ARAB],
        "he" | "yi" => &[HEBR],
        "hi" | "mr" | "ne" | "sa" => &[DEVA],
        "bn" | "as" => &[BENG],
        "ta" => &[TAML],
        "th" => &[THAI],
        "lo" => &[LAOO],
        "km" => &[KHMR],
        "my" => &[MYMR],
        "el" => &[GREK],
        "ru" | "uk" | "be" | "bg" | "mk" | "sr" | "kk" | "ky" | "mn" | "tg" => &[CYRL],
        "hy" => &[ARMN],
        "ka" => &[GEOR],
        "am" | "ti" => &[ETHI],
        _ => &[ScriptTag::LATIN],
    }
}

/// The languages written right to left (primary subtags).
const RTL_LANGUAGES: &[&str] = &[
    "ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ku", "ps", "sd", "syr", "ug", "ur", "yi",
];

/// Whether text in language `tag` (BCP 47) is written right to left:
/// Arabic, Hebrew, Persian, Urdu… or any language with a right-to-left
/// script subtag (`pa-Arab`), unless a script subtag says otherwise
/// (`ku-Latn`). Both writers ask: the EPUB's spine and `dir`, the PDF's
/// paragraphs, margins and viewer preferences.
pub fn language_is_rtl(tag: &str) -> bool {
    let lower = tag.trim().to_ascii_lowercase();
    let mut parts = lower.split(['-', '_']);
    let primary = parts.next().unwrap_or("");
    let script = parts.find(|p| p.len() == 4 && p.bytes().all(|b| b.is_ascii_alphabetic()));
    match script {
        Some(s) => {
            let b = s.as_bytes();
            let tag = [b[0].to_ascii_uppercase(), b[1], b[2], b[3]];
            ScriptTag(tag).direction() == Direction::RightToLeft
        }
        None => RTL_LANGUAGES.contains(&primary),
    }
}

/// The region suffix Noto CJK (and Source Han) families carry for a
/// language: the same Han character is drawn differently in Japan,
/// mainland China, Taiwan, Hong Kong and Korea.
pub fn cjk_region(language: &str) -> Option<&'static str> {
    let lower = language.to_ascii_lowercase();
    let mut parts = lower.split(['-', '_']);
    let primary = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    match primary {
        "ja" => Some("JP"),
        "ko" => Some("KR"),
        "zh" => {
            if rest.contains(&"hk") || rest.contains(&"mo") {
                Some("HK")
            } else if rest.contains(&"hant") || rest.contains(&"tw") {
                Some("TC")
            } else {
                Some("SC")
            }
        }
        _ => None,
    }
}

/// Splits `text` into maximal runs of one script (by [`ScriptTag::family`]):
/// neutral characters (punctuation, digits, marks) join the run before
/// them, or the first run when the text starts with them. Calls `f` with
/// each run's byte range and script; a text of neutral characters only is
/// one run of [`ScriptTag::COMMON`].
pub fn for_each_script_run(text: &str, mut f: impl FnMut(std::ops::Range<usize>, ScriptTag)) {
    let mut start = 0;
    let mut current = ScriptTag::COMMON;
    for (i, c) in text.char_indices() {
        if c.is_ascii() {
            // ASCII letters are Latin, the rest neutral: no table lookup.
            if c.is_ascii_alphabetic() {
                if current == ScriptTag::COMMON {
                    current = ScriptTag::LATIN;
                } else if current != ScriptTag::LATIN {
                    f(start..i, current);
                    start = i;
                    current = ScriptTag::LATIN;
                }
            }
            continue;
        }
        let s = ScriptTag::of(c).family();
        if s.is_neutral() || s == current {
            continue;
        }
        if current == ScriptTag::COMMON {
            current = s;
        } else {
            f(start..i, current);
            start = i;
            current = s;
        }
    }
    if start < text.len() || text.is_empty() {
        f(start..text.len(), current);
    }
}

/// (ISO 15924 tag, English name for messages, lowercase aliases).
type NameEntry = (&'static str, &'static str, &'static str);

/// The scripts Folio names in messages and accepts in book.yaml.
const SCRIPT_NAMES: &[NameEntry] = &[
    ("Latn", "Latin", "latin"),
    ("Grek", "Greek", "greek"),
    ("Cyrl", "Cyrillic", "cyrillic"),
    ("Armn", "Armenian", "armenian"),
    ("Geor", "Georgian", "georgian"),
    ("Hebr", "Hebrew", "hebrew"),
    ("Arab", "Arabic", "arabic"),
    ("Syrc", "Syriac", "syriac"),
    ("Thaa", "Thaana", "thaana"),
    ("Nkoo", "N'Ko", "nko"),
    ("Deva", "Devanagari", "devanagari,hindi"),
    ("Beng", "Bengali", "bengali,bangla"),
    ("Guru", "Gurmukhi", "gurmukhi"),
    ("Gujr", "Gujarati", "gujarati"),
    ("Orya", "Oriya", "oriya,odia"),
    ("Taml", "Tamil", "tamil"),
    ("Telu", "Telugu", "telugu"),
    ("Knda", "Kannada", "kannada"),
    ("Mlym", "Malayalam", "malayalam"),
    ("Sinh", "Sinhala", "sinhala"),
    ("Thai", "Thai", "thai"),
    ("Laoo", "Lao", "lao"),
    ("Tibt", "Tibetan", "tibetan"),
    ("Mymr", "Myanmar", "myanmar,burmese"),
    ("Khmr", "Khmer", "khmer"),
    ("Ethi", "Ethiopic", "ethiopic"),
    ("Cher", "Cherokee", "cherokee"),
    ("Cans", "Canadian Syllabics", "canadian syllabics"),
    ("Mong", "Mongolian", "mongolian"),
    (
        "Hani",
        "Han (Chinese, Japanese, Korean)",
        "han,cjk,chinese,kanji,hanzi",
    ),
    ("Hira", "Hiragana", "hiragana"),
    ("Kana", "Katakana", "katakana"),
    ("Hang", "Hangul", "hangul,korean"),
    ("Bopo", "Bopomofo", "bopomofo"),
    ("Yiii", "Yi", "yi"),
    ("Tfng", "Tifinagh", "tifinagh"),
    ("Vaii", "Vai", "vai"),
    ("Copt", "Coptic", "coptic"),
    ("Runr", "Runic", "runic"),
    ("Ogam", "Ogham", "ogham"),
    ("Goth", "Gothic", "gothic"),
    ("Brai", "Braille", "braille"),
    ("Zyyy", "Common", "common,symbols"),
    ("Zmth", "Mathematical notation", ""),
];

fn name_entry(s: ScriptTag) -> Option<&'static NameEntry> {
    SCRIPT_NAMES.iter().find(|e| e.0.as_bytes() == s.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(text: &str) -> Vec<(&str, &'static str)> {
        let mut out = Vec::new();
        for_each_script_run(text, |r, s| out.push((&text[r], s.code())));
        out
    }

    #[test]
    fn scripts_of_characters() {
        assert_eq!(ScriptTag::of('a'), ScriptTag::LATIN);
        assert_eq!(ScriptTag::of('中'), ScriptTag::HAN);
        assert_eq!(ScriptTag::of('あ'), ScriptTag::HIRAGANA);
        assert_eq!(ScriptTag::of('ب').code(), "Arab");
        assert_eq!(ScriptTag::of('1'), ScriptTag::COMMON);
        assert_eq!(ScriptTag::of('\u{301}'), ScriptTag::INHERITED);
        assert_eq!(ScriptTag(*b"Arab").direction(), Direction::RightToLeft);
        assert_eq!(ScriptTag::HAN.direction(), Direction::LeftToRight);
    }

    #[test]
    fn runs_split_at_script_changes_and_keep_neutrals() {
        assert_eq!(runs("word"), [("word", "Latn")]);
        assert_eq!(runs("12."), [("12.", "Zyyy")]);
        assert_eq!(
            runs("(Unicode字符)"),
            [("(Unicode", "Latn"), ("字符)", "Hani")]
        );
        // Kana and Han are one run: one CJK face sets both.
        assert_eq!(runs("日本語のテキスト"), [("日本語のテキスト", "Hani")]);
        assert_eq!(
            runs("«Привет», world"),
            [("«Привет», ", "Cyrl"), ("world", "Latn")]
        );
        assert_eq!(runs(""), [("", "Zyyy")]);
    }

    #[test]
    fn names_parse_both_ways() {
        assert_eq!(ScriptTag::parse("Hani"), Some(ScriptTag::HAN));
        assert_eq!(ScriptTag::parse("han"), Some(ScriptTag::HAN));
        assert_eq!(ScriptTag::parse("Arabic"), Some(ScriptTag(*b"Arab")));
        assert_eq!(ScriptTag::parse("deva"), Some(ScriptTag(*b"Deva")));
        assert_eq!(ScriptTag::parse("Klingon"), None);
        assert_eq!(ScriptTag::HAN.name(), "Han (Chinese, Japanese, Korean)");
        assert_eq!(ScriptTag::HIRAGANA.debian_package(), "fonts-noto-cjk");
        assert_eq!(cjk_region("zh-Hant-TW"), Some("TC"));
        assert_eq!(cjk_region("zh"), Some("SC"));
        assert_eq!(cjk_region("ja"), Some("JP"));
        assert_eq!(cjk_region("en"), None);
        assert_eq!(language_scripts("ja-JP")[1], ScriptTag::HIRAGANA);
        assert!(language_is_rtl("ar-EG") && language_is_rtl("he") && language_is_rtl("FA"));
        assert!(language_is_rtl("pa-Arab") && !language_is_rtl("ku-Latn"));
        assert!(!language_is_rtl("en") && !language_is_rtl("urd") && !language_is_rtl("zh-Hant"));
    }
}
