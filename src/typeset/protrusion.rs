//! Margin kerning (character protrusion): how far punctuation at a line's
//! edge may hang into the margin so the text block looks straight.
//!
//! Place in the pipeline: [`super::paragraph`] asks for the hang of the last
//! glyph before every break and of the first glyph after it; the breaker
//! ([`super::linebreak`]) subtracts these from the line width, and the line
//! is then set that much wider. Only justified text protrudes.
//!
//! Amounts are fractions of the glyph's own advance, chosen by eye for a
//! book face: light marks (period, comma, hyphen) hang most of their width
//! because they leave a visible notch otherwise; heavy ones (em dash,
//! question mark) hang little so they still read as part of the line.

/// Fraction of its advance a glyph standing for `c` may hang into the right
/// margin at a line end.
pub fn right(c: char) -> f64 {
    match c {
        // Full stop and comma: small marks, a notch if set flush.
        '.' | ',' => 0.7,
        // Hyphens, including the discretionary one from hyphenation.
        '-' | '\u{2010}' | '\u{2011}' | '\u{00AD}' => 0.7,
        // Closing quotes.
        '\u{2019}' | '\'' => 0.7,
        '\u{201D}' | '"' | '\u{00BB}' | '\u{203A}' => 0.5,
        ':' | ';' => 0.5,
        // En dash hangs less than a hyphen: it is longer.
        '\u{2013}' => 0.5,
        '\u{2014}' => 0.3,
        '!' | '?' => 0.2,
        ')' | ']' => 0.1,
        '\u{2026}' => 0.3,
        _ => 0.0,
    }
}

/// Fraction of its advance a glyph standing for `c` may hang into the left
/// margin at a line start.
pub fn left(c: char) -> f64 {
    match c {
        // Opening quotes.
        '\u{2018}' | '\'' => 0.7,
        '\u{201C}' | '"' | '\u{00AB}' | '\u{2039}' | '\u{201E}' => 0.5,
        '(' | '[' => 0.1,
        '\u{2013}' => 0.3,
        '\u{2014}' => 0.2,
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn punctuation_hangs_letters_do_not() {
        assert!(right('.') > 0.5);
        assert!(right('-') > 0.5);
        assert!(right('\u{2014}') < right('-'));
        assert_eq!(right('a'), 0.0);
        assert!(left('\u{201C}') > 0.0);
        assert_eq!(left('T'), 0.0);
    }
}
