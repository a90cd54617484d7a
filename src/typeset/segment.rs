//! Word boundaries in scripts written without spaces between words:
//! Thai, Lao, Khmer and Burmese.
//!
//! Place in the pipeline: paragraph layout ([`super::paragraph`]) asks for
//! the boundaries inside every stretch of such text; a line may break at
//! each, and a justified line may open there a little, as between words.
//! UAX #14 leaves these scripts (its class SA) to a dictionary, so
//! without this a sentence would be one unbreakable word. The
//! dictionaries are ICU4X's, compiled into the program: only those of
//! these four scripts. ICU4X's dictionary segmenter also loads a
//! Chinese/Japanese dictionary (1.9 MB of the binary), which Folio does
//! not need (CJK text breaks between any two characters, see
//! [`super::cjk`]); the data provider here reports it missing, so the
//! linker leaves it out.

use icu_provider::prelude::*;
use icu_segmenter::options::WordBreakOptions;
use icu_segmenter::provider::{
    Baked, SegmenterBreakGraphemeClusterV1, SegmenterBreakWordOverrideV1, SegmenterBreakWordV1,
    SegmenterDictionaryAutoV2, SegmenterDictionaryExtendedV2,
};
use icu_segmenter::WordSegmenter;

/// Stretch of the joint between two words of these scripts, in ems: a
/// line of Thai has few spaces (they end phrases), so its words share
/// the slack too, but a quarter as much as a space (0.18 em of stretch),
/// so that gaps inside a phrase stay all but invisible.
pub const WORD_JOINT_STRETCH: f64 = 0.05;

/// Whether `c` belongs to a script written without spaces between words
/// (UAX #14's complex-context class SA).
pub fn is_unspaced(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF     // Thai, Lao
        | 0x1000..=0x109F   // Myanmar
        | 0x1780..=0x17FF   // Khmer
        | 0x19E0..=0x19FF   // Khmer symbols
        | 0x1950..=0x19DF   // Tai Le, New Tai Lue
        | 0x1A20..=0x1AAF   // Tai Tham
        | 0xA9E0..=0xA9FF   // Myanmar extended B
        | 0xAA60..=0xAADF) // Myanmar extended A, Tai Viet
}

/// Whether `text` holds such a character (all are at U+0E00 or above:
/// UTF-8 lead bytes 0xE0 and up).
pub fn has_unspaced(text: &str) -> bool {
    text.bytes().any(|b| b >= 0xE0) && text.chars().any(is_unspaced)
}

/// ICU4X's compiled data without the Chinese/Japanese dictionary.
struct SpacelessScripts;

/// Hands a data marker's requests to the compiled data.
macro_rules! compiled {
    ($($marker:ty),*) => {$(
        impl DataProvider<$marker> for SpacelessScripts {
            fn load(&self, req: DataRequest) -> Result<DataResponse<$marker>, DataError> {
                Baked.load(req)
            }
        }
    )*};
}

compiled!(
    SegmenterBreakWordV1,
    SegmenterBreakWordOverrideV1,
    SegmenterDictionaryExtendedV2,
    SegmenterBreakGraphemeClusterV1
);

impl DataProvider<SegmenterDictionaryAutoV2> for SpacelessScripts {
    fn load(&self, req: DataRequest) -> Result<DataResponse<SegmenterDictionaryAutoV2>, DataError> {
        // "Not found" is what the segmenter accepts as "no dictionary".
        Err(DataErrorKind::IdentifierNotFound.with_req(SegmenterDictionaryAutoV2::INFO, req))
    }
}

thread_local! {
    /// The dictionary segmenter, made once per thread.
    static SEGMENTER: Option<WordSegmenter> =
        WordSegmenter::try_new_dictionary_unstable(&SpacelessScripts, WordBreakOptions::default())
            .ok();
}

/// Byte offsets inside `text` (strictly between its start and end) where
/// one word of a space-less script ends and the next begins: each stretch
/// of such characters is segmented on its own, so the Latin words and
/// digits around it are left to UAX #14.
pub fn word_boundaries(text: &str, out: &mut Vec<u32>) {
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if !is_unspaced(c) {
            continue;
        }
        let mut end = i + c.len_utf8();
        while let Some(&(j, d)) = chars.peek() {
            if !is_unspaced(d) {
                break;
            }
            end = j + d.len_utf8();
            chars.next();
        }
        let stretch = &text[i..end];
        SEGMENTER.with(|s| {
            let Some(s) = s else {
                return;
            };
            for b in s.as_borrowed().segment_str(stretch) {
                if b > 0 && b < stretch.len() {
                    out.push((i + b) as u32);
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        let mut cuts = Vec::new();
        word_boundaries(text, &mut cuts);
        let mut out = Vec::new();
        let mut at = 0;
        for c in cuts.into_iter().chain(std::iter::once(text.len() as u32)) {
            out.push(&text[at..c as usize]);
            at = c as usize;
        }
        out
    }

    #[test]
    fn thai_splits_into_words() {
        // "Bangkok is the capital of Thailand".
        let w = words("กรุงเทพมหานครเป็นเมืองหลวงของประเทศไทย");
        assert!(w.len() >= 5, "{w:?}");
        assert!(w.contains(&"เป็น"), "{w:?}");
        assert!(w.contains(&"ของ"), "{w:?}");
        // Latin around it is left alone.
        let w = words("Europeและ Japan");
        assert_eq!(w, ["Europeและ Japan"]);
        assert!(has_unspaced("ลาว ພາສາລາວ"));
        assert!(!has_unspaced("中文 English"));
    }

    #[test]
    fn lao_khmer_and_burmese_split_too() {
        assert!(words("ພາສາລາວເປັນພາສາທາງການ").len() >= 2);
        assert!(words("ភាសាខ្មែរគឺជាភាសាផ្លូវការ").len() >= 2);
        assert!(words("မြန်မာဘာသာစကားသည်").len() >= 2);
    }
}
