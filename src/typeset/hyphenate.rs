//! Hyphenation: where a word may take a discretionary hyphen.
//!
//! Place in the pipeline: paragraph layout ([`super::paragraph`]) asks for
//! the hyphenation points of every alphabetic word it may break; the line
//! breaker ([`super::linebreak`]) then decides whether to use one. Patterns
//! come from hypher, chosen by the book's BCP 47 language tag (any language
//! hypher was built with; none when unknown). Results are cached per word.

use std::collections::HashMap;

use hypher::Lang;

use super::fonts::FxBuild;

/// Fewest letters before a hyphen (TeX's `\lefthyphenmin` for English).
pub const LEFT_MIN: usize = 2;
/// Fewest letters after a hyphen (TeX's `\righthyphenmin` for English): a
/// two-letter fragment on the next line reads badly.
pub const RIGHT_MIN: usize = 3;
/// Shortest word considered at all.
pub const MIN_WORD_CHARS: usize = LEFT_MIN + RIGHT_MIN;
/// Capitalised words (names, sentence starts) are hyphenated like any
/// other, as TeX does (`\uchyph=1`): name-heavy prose (Afghanistan,
/// Baluchistan, Abdurrahmanzai) otherwise leaves long unbreakable words
/// that force loose lines. Words with more than one capital (acronyms,
/// `McDonald`, `iPhone`) never break.
pub const HYPHENATE_CAPITALISED: bool = true;

/// The hyphenation language for a BCP 47 tag (`en`, `en-GB`, `de-CH`…), if
/// hypher has patterns for it.
pub fn language(tag: &str) -> Option<Lang> {
    let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
    let bytes: [u8; 2] = primary.as_bytes().try_into().ok()?;
    Lang::from_iso(bytes)
}

/// Word → (start, count) in [`Hyphenator::points`].
type WordPoints = HashMap<Box<str>, (u32, u32), FxBuild>;

/// Hyphenation points with a per-word cache.
#[derive(Default)]
pub(crate) struct Hyphenator {
    /// Per language (ISO code): word → range of `points`.
    caches: Vec<(Lang, WordPoints)>,
    points: Vec<u16>,
}

impl Hyphenator {
    /// Byte offsets inside `word` where a hyphen may be inserted. `word`
    /// should be letters only; anything else gets no points.
    pub fn points(&mut self, lang: Lang, word: &str) -> &[u16] {
        // Most words are short: answer without hashing.
        if word.len() < MIN_WORD_CHARS {
            return &[];
        }
        let slot = match self.caches.iter().position(|c| c.0 == lang) {
            Some(i) => i,
            None => {
                self.caches.push((lang, HashMap::default()));
                self.caches.len() - 1
            }
        };
        if let Some(&(s, n)) = self.caches[slot].1.get(word) {
            return &self.points[s as usize..(s + n) as usize];
        }
        let start = self.points.len() as u32;
        if hyphenatable(word) {
            let mut offset = 0usize;
            let mut syllables = hypher::hyphenate_bounded(word, lang, LEFT_MIN, RIGHT_MIN);
            // Every syllable but the last ends at a break point.
            let mut prev = syllables.next();
            for s in syllables.by_ref() {
                if let Some(p) = prev {
                    offset += p.len();
                    self.points.push(offset as u16);
                }
                prev = Some(s);
            }
        }
        let n = self.points.len() as u32 - start;
        self.caches[slot].1.insert(word.into(), (start, n));
        &self.points[start as usize..(start + n) as usize]
    }
}

/// Whether `word` is a candidate at all: letters only, long enough, short
/// enough for hypher's inline buffer, and not an acronym.
fn hyphenatable(word: &str) -> bool {
    if word.len() > hypher::MAX_INLINE_SIZE {
        return false;
    }
    let mut chars = 0;
    let mut upper = 0;
    let mut first_upper = false;
    for (i, c) in word.chars().enumerate() {
        // Marks belong to the letters they sit on: an Indic virama
        // (which makes a conjunct) is a mark, not a letter.
        if !c.is_alphabetic() && !is_mark(c) {
            return false;
        }
        if c.is_uppercase() {
            upper += 1;
            first_upper |= i == 0;
        }
        chars += 1;
    }
    if chars < MIN_WORD_CHARS || upper > 1 {
        return false;
    }
    HYPHENATE_CAPITALISED || !first_upper
}

/// Whether `c` is a combining mark (Devanagari's virama and vowel signs,
/// accents written apart).
fn is_mark(c: char) -> bool {
    !c.is_ascii()
        && unicode_linebreak::break_property(u32::from(c))
            == unicode_linebreak::BreakClass::CombiningMark
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_points_respect_minimum_fragments() {
        let lang = language("en-GB").expect("English patterns");
        let mut h = Hyphenator::default();
        let word = "relationship";
        let pts = h.points(lang, word).to_vec();
        assert!(!pts.is_empty());
        for &p in &pts {
            assert!(p as usize >= LEFT_MIN && word.len() - p as usize >= RIGHT_MIN);
        }
        // Cached: same answer again.
        assert_eq!(h.points(lang, word), &pts[..]);
    }

    #[test]
    fn the_books_language_picks_its_patterns() {
        let mut h = Hyphenator::default();
        let de = language("de-DE").expect("German patterns");
        let fr = language("fr").expect("French patterns");
        assert!(!h.points(de, "Silbentrennung").is_empty());
        assert!(!h.points(fr, "hyphénation").is_empty());
        // German patterns do not break an English word the English way.
        let en = language("en").expect("English patterns");
        assert_ne!(
            h.points(de, "relationship").to_vec(),
            h.points(en, "relationship").to_vec()
        );
        assert!(language("zz").is_none());
    }

    #[test]
    fn names_break_but_acronyms_and_short_words_do_not() {
        let lang = language("en").expect("English patterns");
        let mut h = Hyphenator::default();
        // Capitalised words break where their lower-case form would.
        let name = h.points(lang, "Pakistan").to_vec();
        assert!(!name.is_empty());
        assert_eq!(name, h.points(lang, "pakistan"));
        assert!(!h.points(lang, "Baluchistan").is_empty());
        assert!(h.points(lang, "NATIONALISM").is_empty());
        assert!(h.points(lang, "McNamaraship").is_empty());
        assert!(h.points(lang, "into").is_empty());
        assert!(h.points(lang, "co-operate").is_empty());
    }

    #[test]
    fn long_and_accented_words_never_panic() {
        let lang = language("en").expect("English patterns");
        let mut h = Hyphenator::default();
        for n in 40..=50 {
            let w: String = "supercalifragilistic".chars().cycle().take(n).collect();
            let _ = h.points(lang, &w);
        }
        for w in ["naïveté", "façadeless", "ǆungla", "straße", "ﬁnancial"] {
            let pts = h.points(lang, w).to_vec();
            assert!(pts.iter().all(|&p| w.is_char_boundary(p as usize)), "{w}");
        }
    }

    #[test]
    fn indic_words_with_conjuncts_break_between_syllables() {
        let hi = language("hi").expect("Hindi patterns");
        let mut h = Hyphenator::default();
        // वि-द्या-र्थी: the virama of द्य and र्थ is no obstacle, and no
        // break separates a consonant from its vowel sign or virama.
        let word = "विद्यार्थी";
        let pts = h.points(hi, word).to_vec();
        assert_eq!(pts, [6, 18], "{word}");
        let bn = language("bn").expect("Bengali patterns");
        assert!(!h.points(bn, "বিদ্যালয়ের").is_empty());
    }

    #[test]
    fn unknown_language_has_no_patterns() {
        assert!(language("xx").is_none());
        assert!(language("").is_none());
        assert!(language("tlh-Latn").is_none());
    }
}
