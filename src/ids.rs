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

/// Turns heading text into an id: lower case, letters and digits kept,
/// runs of anything else become one `-`. The result always starts with a
/// letter (XML ids may not start with a digit), so `2024 in review` becomes
/// `h-2024-in-review`, and text with no letters or digits gives `section`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut pending_dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.extend(c.to_lowercase());
        } else if c != '\'' && c != '’' {
            // Apostrophes join words ("Pakistan’s" → "pakistans") as readers expect.
            pending_dash = true;
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
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
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
