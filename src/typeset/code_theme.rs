//! Colours of highlighted code in the PDF: book.yaml's `code-theme`
//! resolved to a palette, one colour per token class.
//!
//! The print palette is muted and dark enough that every class keeps
//! contrast on white paper (and tells apart in a grey print: comments are
//! the lightest, keywords the darkest); the grey palette is for
//! black-and-white printing.

use crate::highlight::TokenClass;
use crate::typeset::frame::Rgb;

/// One colour per [`TokenClass`], in [`TokenClass::ALL`] order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette([Rgb; 13]);

impl Palette {
    /// The colour of a token class.
    pub fn color(&self, class: TokenClass) -> Rgb {
        let i = TokenClass::ALL
            .iter()
            .position(|c| *c == class)
            .unwrap_or(0);
        self.0[i]
    }
}

/// `code-theme: print`.
pub const PRINT: Palette = Palette([
    Rgb(0x6b, 0x1f, 0x7c), // keyword: plum
    Rgb(0x1a, 0x5a, 0x7a), // type: petrol blue
    Rgb(0x1d, 0x47, 0x8c), // function: blue
    Rgb(0x2f, 0x6b, 0x1f), // string: green
    Rgb(0x9a, 0x4a, 0x12), // number: rust
    Rgb(0x6e, 0x6e, 0x6e), // comment: grey
    Rgb(0x9a, 0x4a, 0x12), // constant: rust
    Rgb(0x7a, 0x45, 0x0a), // attribute: brown
    Rgb(0x1a, 0x5a, 0x7a), // tag: petrol blue
    Rgb(0x80, 0x5c, 0x00), // meta: ochre
    Rgb(0x8f, 0x23, 0x23), // variable: dark red
    Rgb(0x1e, 0x6e, 0x2c), // inserted: green
    Rgb(0xa3, 0x1d, 0x1d), // deleted: red
]);

/// `code-theme: gray`.
pub const GRAY: Palette = Palette([
    Rgb(0x00, 0x00, 0x00), // keyword
    Rgb(0x30, 0x30, 0x30), // type
    Rgb(0x20, 0x20, 0x20), // function
    Rgb(0x48, 0x48, 0x48), // string
    Rgb(0x40, 0x40, 0x40), // number
    Rgb(0x80, 0x80, 0x80), // comment
    Rgb(0x40, 0x40, 0x40), // constant
    Rgb(0x38, 0x38, 0x38), // attribute
    Rgb(0x30, 0x30, 0x30), // tag
    Rgb(0x58, 0x58, 0x58), // meta
    Rgb(0x30, 0x30, 0x30), // variable
    Rgb(0x20, 0x20, 0x20), // inserted
    Rgb(0x60, 0x60, 0x60), // deleted
]);
