//! Ids for headings, footnotes and chapter files: derived from text, valid
//! as XML ids (NCName) and PDF destination names, unique across the book,
//! and stable — the same book always gets the same ids.

use std::collections::BTreeSet;

/// The ids already taken in a book.
#[derive(Debug, Default, Clone)]
pub struct IdSet {
    taken: BTreeSet<String>,
}

impl IdSet {
    /// Claims `id` exactly; false if it was taken already.
    pub fn claim(&mut self, id: &str) -> bool {
        self.taken.insert(id.to_string())
    }

    /// Claims `base`, or `base-1`, `base-2`… whichever is free first.
    pub fn unique(&mut self, base: &str) -> String {
        if self.claim(base) {
            return base.to_string();
        }
        (1..)
            .map(|n| format!("{base}-{n}"))
            .find(|candidate| self.claim(candidate))
            .expect("an unbounded counter always finds a free id")
    }

    pub fn contains(&self, id: &str) -> bool {
        self.taken.contains(id)
    }
}

/// Whether `c` is a combining mark that belongs to the letter before it
/// (Unicode Mn and Mc): Devanagari's virama and vowel signs, Thai tone
/// marks, accents typed as marks. A word keeps them: `दिल्ली` without its
/// virama is another word, and Thai without its tone marks is misspelt.
/// UAX #14's class CM holds the marks of most scripts (less its control
/// and format characters); the marks of Thai, Lao, Khmer and Burmese are
/// in class SA with their letters, where everything that is not a letter
/// or digit is a mark.
pub fn is_mark(c: char) -> bool {
    use unicode_linebreak::{break_property, BreakClass};
    if c.is_ascii() || c.is_control() || is_format(c) {
        return false;
    }
    match break_property(u32::from(c)) {
        BreakClass::CombiningMark => true,
        BreakClass::ComplexContext => !c.is_alphanumeric(),
        _ => false,
    }
}

/// Invisible format characters that UAX #14 files with the marks: bidi
/// controls, joiners, tags. They are left out of ids (joiners inside a
/// word, as Persian's, leave no gap either).
fn is_format(c: char) -> bool {
    matches!(c,
        '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{E0000}'..='\u{E007F}')
}

/// Zero-width joiners and non-joiners: inside a word (Persian, Indic
/// scripts) they join its parts, so they leave no `-` in an id.
fn is_joiner(c: char) -> bool {
    matches!(c, '\u{200C}' | '\u{200D}')
}

/// Turns heading text into an id: lower case, letters and digits kept
/// with the combining marks on them (see [`is_mark`]), runs of anything
/// else become one `-`. The result always starts with a letter (XML ids
/// may not start with a digit), so `2024 in review` becomes
/// `h-2024-in-review`, and text with no letters or digits gives `section`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut pending_dash = false;
    // The last character was kept: a mark after it belongs to the word.
    let mut in_word = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.extend(c.to_lowercase());
            in_word = true;
        } else if in_word && is_mark(c) {
            slug.push(c);
        } else if c == '\'' || c == '’' || is_joiner(c) {
            // Apostrophes join words ("Pakistan’s" → "pakistans") as readers
            // expect; so do joiners.
        } else {
            pending_dash = true;
            in_word = false;
        }
    }
    if slug.is_empty() {
        return "section".to_string();
    }
    if !slug.starts_with(|c: char| c.is_alphabetic()) {
        slug.insert_str(0, "h-");
    }
    slug
}

/// Whether `id` is usable as written by an author in `{#id}`: an XML NCName
/// made of letters, digits, `-`, `_` and `.`, starting with a letter or `_`.
pub fn is_valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || is_mark(c) || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(
            slugify("Complex Relation b/w Pakistan & Afghanistan"),
            "complex-relation-b-w-pakistan-afghanistan"
        );
        assert_eq!(
            slugify("Who Were the Taliban … (TTP)?"),
            "who-were-the-taliban-ttp"
        );
        assert_eq!(slugify("Pakistan’s Border"), "pakistans-border");
        assert_eq!(slugify("2024 in review"), "h-2024-in-review");
        assert_eq!(slugify("***"), "section");
        assert_eq!(slugify("Ümlaut Straße"), "ümlaut-straße");
    }

    #[test]
    fn slugs_keep_combining_marks() {
        // Devanagari's virama and Thai's tone marks are parts of their words.
        assert_eq!(slugify("पहला अध्याय"), "पहला-अध्याय");
        assert_eq!(slugify("दिल्ली की सैर"), "दिल्ली-की-सैर");
        assert_eq!(slugify("บทที่ 1"), "บทที่-1");
        assert_eq!(slugify("เที่ยวกรุงเทพ"), "เที่ยวกรุงเทพ");
        assert_eq!(slugify("ຂ້ອຍ"), "ຂ້ອຍ");
        // An accent typed as a mark stays on its letter.
        assert_eq!(slugify("Cafe\u{301} noir"), "cafe\u{301}-noir");
        // A mark with no letter before it, and format characters, do not.
        assert_eq!(slugify("\u{94D}x \u{200F}y"), "x-y");
        assert_eq!(slugify("می\u{200C}خواهم"), "میخواهم");
        assert!(is_valid_id("अध्याय") && is_valid_id("บทที่-1"));
        assert!(is_mark('\u{94D}') && is_mark('\u{E48}') && is_mark('\u{301}'));
        assert!(!is_mark('ก') && !is_mark('a') && !is_mark('\u{200D}') && !is_mark('\u{1}'));
    }

    #[test]
    fn unique_ids_get_suffixes_in_order() {
        let mut ids = IdSet::default();
        assert_eq!(ids.unique("intro"), "intro");
        assert_eq!(ids.unique("intro"), "intro-1");
        assert!(ids.claim("x"));
        assert!(!ids.claim("intro-1"));
        assert_eq!(ids.unique("intro"), "intro-2");
    }

    #[test]
    fn valid_ids() {
        assert!(is_valid_id("intro") && is_valid_id("_a.b-c") && is_valid_id("été"));
        assert!(
            !is_valid_id("1st") && !is_valid_id("a b") && !is_valid_id("") && !is_valid_id("a&b")
        );
    }
}
