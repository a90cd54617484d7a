//! Chinese and Japanese text: which characters are set one by one, the
//! space between them, and where a line may not end or begin.
//!
//! Place in the pipeline: paragraph layout ([`super::paragraph`]) shapes
//! each ideograph, kana and CJK punctuation mark as a word of its own
//! (so a character met again costs a cache lookup, however long the
//! sentence), and between two such characters, or between one and a
//! Latin letter or digit, puts the [`Join`] this module gives: glue that
//! lets a justified line spread over its characters, not only over its
//! (rare) spaces, as TeX's xeCJK and Typst do.
//!
//! The rules, simplified from JIS X 4051 and the W3C's Requirements for
//! Japanese and Chinese text layout:
//! - Between two characters: no space, a little stretch
//!   ([`INTER_CHARACTER_STRETCH`]).
//! - Punctuation is drawn in a full-width cell, half of it blank. Two
//!   marks in a row close up by that half ([`PUNCTUATION_KERN`]): `。」`,
//!   `）、`, `「『`. A blank half may also be squeezed when a line needs
//!   it, and the blank after a closing mark at the end of a line hangs
//!   into the margin, so the ink of every line ends flush.
//! - Between a CJK character and a Latin letter or digit written without
//!   a space: a quarter em ([`LATIN_GAP`]), as xeCJK's `\CJKecglue`; a
//!   space the author typed there is set that wide too.
//! - Kinsoku (line-start and line-end rules): no closing mark, full stop,
//!   comma, small kana or prolonged sound mark starts a line, no opening
//!   bracket ends one. UAX #14 already forbids most of these breaks; small
//!   kana (class CJ) are added here, as in its strict mode.
//!
//! Traditional Chinese fonts centre their punctuation in the cell, so
//! nothing there is half blank: closing up is only for the other regions.

/// Stretch of the space between two CJK characters, in ems. A line of
/// about thirty characters then has some three ems of stretch, so the
/// fraction of an em a measure leaves over (it is rarely a whole number
/// of characters) spreads at a ratio well under one.
pub const INTER_CHARACTER_STRETCH: f64 = 0.1;
/// How far two punctuation marks in a row close up, in ems: the blank
/// half of the first one's cell (the second's, for two opening marks).
pub const PUNCTUATION_KERN: f64 = 0.5;
/// How far the blank half of a punctuation mark's cell may shrink when a
/// line is too long, in ems (JIS lets it go entirely; half of it keeps
/// the mark clear of its neighbour).
pub const PUNCTUATION_SHRINK: f64 = 0.25;
/// Space between a CJK character and a Latin letter or digit, in ems,
/// with its stretch and shrink (xeCJK's `\CJKecglue` is about a quarter
/// em; Typst's `cjk-latin-spacing` too).
pub const LATIN_GAP: f64 = 0.25;
pub const LATIN_GAP_STRETCH: f64 = 0.125;
pub const LATIN_GAP_SHRINK: f64 = 0.08;

/// What a character is, for spacing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// An ideograph, kana, Bopomofo or a full-width letter or digit.
    Ideograph,
    /// An opening bracket or quote in a full-width cell (ink on the right).
    Opening,
    /// A closing bracket, quote, comma or full stop (ink on the left).
    Closing,
    /// A middle dot, colon or semicolon (ink in the middle).
    Middle,
    /// A Latin (or Greek, Cyrillic) letter or a digit.
    Latin,
    /// Anything else: spaces, Latin punctuation, symbols.
    Other,
}

/// The class of `c`.
pub fn class(c: char) -> Class {
    match c {
        c if c.is_ascii_alphanumeric() => Class::Latin,
        c if c.is_ascii() => Class::Other,
        '\u{3001}' | '\u{3002}' | '\u{FF0C}' | '\u{FF0E}' | '\u{3009}' | '\u{300B}'
        | '\u{300D}' | '\u{300F}' | '\u{3011}' | '\u{3015}' | '\u{3017}' | '\u{3019}'
        | '\u{301B}' | '\u{301E}' | '\u{301F}' | '\u{FF09}' | '\u{FF3D}' | '\u{FF5D}'
        | '\u{FF60}' => Class::Closing,
        '\u{3008}' | '\u{300A}' | '\u{300C}' | '\u{300E}' | '\u{3010}' | '\u{3014}'
        | '\u{3016}' | '\u{3018}' | '\u{301A}' | '\u{301D}' | '\u{FF08}' | '\u{FF3B}'
        | '\u{FF5B}' | '\u{FF5F}' => Class::Opening,
        '\u{30FB}' | '\u{FF1A}' | '\u{FF1B}' => Class::Middle,
        c if is_ideographic(c) => Class::Ideograph,
        c if c.is_alphanumeric() && (c as u32) < 0x2000 => Class::Latin,
        _ => Class::Other,
    }
}

/// Whether `c` is an ideograph, kana, Bopomofo, a CJK symbol or a
/// full-width form: a character set in its own square cell.
fn is_ideographic(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF     // CJK radicals, Kangxi radicals
        | 0x3003..=0x3007   // ditto mark, 々, 〆, 〇
        | 0x3020..=0x303F   // CJK symbols
        | 0x3040..=0x30FF   // Hiragana, Katakana
        | 0x3100..=0x312F   // Bopomofo
        | 0x3190..=0x31FF   // Kanbun, Bopomofo extended, strokes, kana extensions
        | 0x3200..=0x33FF   // enclosed CJK, compatibility
        | 0x3400..=0x4DBF   // extension A
        | 0x4E00..=0x9FFF   // unified ideographs
        | 0xF900..=0xFAFF   // compatibility ideographs
        | 0xFF01..=0xFF60   // full-width forms
        | 0xFFE0..=0xFFE6
        | 0x1B000..=0x1B16F // kana supplement and extended
        | 0x20000..=0x3FFFF) // extensions B and later
}

/// Whether `c` is set as a word of its own, with a [`Join`] on each side.
pub fn is_cjk(c: char) -> bool {
    !c.is_ascii()
        && matches!(
            class(c),
            Class::Ideograph | Class::Opening | Class::Closing | Class::Middle
        )
}

/// Whether `text` holds a character [`is_cjk`]: checks the UTF-8 lead
/// bytes first (every such character is at U+2E80 or above).
pub fn has_cjk(text: &str) -> bool {
    text.bytes().any(|b| b >= 0xE2) && text.chars().any(is_cjk)
}

/// Small kana and the prolonged sound mark, which never start a line
/// (UAX #14's class CJ, broken before only in loose settings).
pub fn never_starts_line(c: char) -> bool {
    matches!(c,
        'ぁ' | 'ぃ' | 'ぅ' | 'ぇ' | 'ぉ' | 'っ' | 'ゃ' | 'ゅ' | 'ょ' | 'ゎ' | 'ゕ' | 'ゖ'
        | 'ァ' | 'ィ' | 'ゥ' | 'ェ' | 'ォ' | 'ッ' | 'ャ' | 'ュ' | 'ョ' | 'ヮ' | 'ヵ' | 'ヶ'
        | 'ー' | '\u{31F0}'..='\u{31FF}' | '\u{FF67}'..='\u{FF70}'
        | '々' | '〻' | 'ゝ' | 'ゞ' | 'ヽ' | 'ヾ')
        || class(c) == Class::Closing
        || class(c) == Class::Middle
}

/// Opening brackets and quotes, which never end a line.
pub fn never_ends_line(c: char) -> bool {
    class(c) == Class::Opening
}

/// What goes between two characters of a word: glue (`gap` wide, with
/// its stretch and shrink, in ems) and, where the line may break, how
/// much of the character before it hangs into the margin at the break.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Join {
    pub gap: f64,
    pub stretch: f64,
    pub shrink: f64,
    /// Ems taken off the line's width when it ends here (the blank half of
    /// a closing mark hangs into the margin).
    pub end_trim: f64,
}

/// The join between `before` and `after` (adjacent characters of one
/// word, at least one of them CJK), or `None` where nothing goes between
/// them. `half_blank`: the book's CJK punctuation is drawn in half of its
/// cell (every region but Traditional Chinese).
pub fn join(before: char, after: char, half_blank: bool) -> Option<Join> {
    let (a, b) = (class(before), class(after));
    let cjk = |k: Class| {
        matches!(
            k,
            Class::Ideograph | Class::Opening | Class::Closing | Class::Middle
        )
    };
    if cjk(a) && cjk(b) {
        let mut j = Join {
            gap: 0.0,
            stretch: INTER_CHARACTER_STRETCH,
            shrink: 0.0,
            end_trim: 0.0,
        };
        if half_blank {
            let punct = |k: Class| matches!(k, Class::Opening | Class::Closing | Class::Middle);
            if (a == Class::Closing && punct(b)) || (a == Class::Opening && b == Class::Opening) {
                j.gap = -PUNCTUATION_KERN;
            } else if a == Class::Closing || b == Class::Opening {
                j.shrink = PUNCTUATION_SHRINK;
            }
            if a == Class::Closing {
                j.end_trim = PUNCTUATION_KERN;
            }
        }
        return Some(j);
    }
    let latin_side = (a == Class::Ideograph && b == Class::Latin)
        || (a == Class::Latin && b == Class::Ideograph);
    latin_side.then_some(Join {
        gap: LATIN_GAP,
        stretch: LATIN_GAP_STRETCH,
        shrink: LATIN_GAP_SHRINK,
        end_trim: 0.0,
    })
}

/// The first-line indent of a paragraph in `language`, in ems: two
/// characters for Chinese (空两格, the convention of Chinese books), one
/// for every other language (Japanese indents by one character, Western
/// books by about an em).
pub fn paragraph_indent(language: &str) -> f64 {
    let primary = language.split(['-', '_']).next().unwrap_or("");
    if primary.eq_ignore_ascii_case("zh") {
        2.0
    } else {
        1.0
    }
}

/// Whether a book in `language` draws its CJK punctuation in half of the
/// cell (Japanese, Simplified Chinese, Korean), rather than centred
/// (Traditional Chinese, Hong Kong).
pub fn half_blank_punctuation(language: &str) -> bool {
    !matches!(
        crate::fonts::script::cjk_region(language),
        Some("TC" | "HK")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_and_kinsoku() {
        assert_eq!(class('中'), Class::Ideograph);
        assert_eq!(class('か'), Class::Ideograph);
        assert_eq!(class('。'), Class::Closing);
        assert_eq!(class('」'), Class::Closing);
        assert_eq!(class('（'), Class::Opening);
        assert_eq!(class('a'), Class::Latin);
        assert_eq!(class('7'), Class::Latin);
        assert_eq!(class(','), Class::Other);
        assert!(never_starts_line('。'));
        assert!(never_starts_line('ょ'));
        assert!(never_starts_line('ー'));
        assert!(!never_starts_line('中'));
        assert!(never_ends_line('「'));
        assert!(has_cjk("abc中"));
        assert!(!has_cjk("naïve — “quoted” Ελλάδα"));
    }

    #[test]
    fn joins_close_up_punctuation_and_space_latin() {
        let plain = join('中', '文', true).unwrap();
        assert_eq!((plain.gap, plain.shrink), (0.0, 0.0));
        assert!(plain.stretch > 0.0);
        assert_eq!(join('。', '」', true).unwrap().gap, -PUNCTUATION_KERN);
        assert_eq!(join('「', '『', true).unwrap().gap, -PUNCTUATION_KERN);
        assert_eq!(join('。', '」', false).unwrap().gap, 0.0);
        let after_stop = join('。', '中', true).unwrap();
        assert_eq!(after_stop.end_trim, PUNCTUATION_KERN);
        assert!(after_stop.shrink > 0.0);
        assert_eq!(join('年', '2', true).unwrap().gap, LATIN_GAP);
        assert_eq!(join('n', '的', true).unwrap().gap, LATIN_GAP);
        assert!(join('a', 'b', true).is_none());
        assert!(join('。', 'a', true).is_none());
        assert!(half_blank_punctuation("ja"));
        assert_eq!(paragraph_indent("zh-Hans"), 2.0);
        assert_eq!(paragraph_indent("zh"), 2.0);
        assert_eq!(paragraph_indent("ja"), 1.0);
        assert_eq!(paragraph_indent("en"), 1.0);
        assert!(!half_blank_punctuation("zh-Hant"));
    }
}
