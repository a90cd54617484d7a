//! The TeX commands the parser knows, as tables: what character each
//! stands for and its atom class. Kept apart from the parser so adding a
//! symbol is one line.

use super::{Class, Variant};

/// Greek letters: (command, character). Lowercase are italic in math,
/// uppercase upright (TeX's convention).
pub const GREEK: &[(&str, char)] = &[
    ("alpha", 'α'),
    ("beta", 'β'),
    ("gamma", 'γ'),
    ("delta", 'δ'),
    ("epsilon", 'ϵ'),
    ("varepsilon", 'ε'),
    ("zeta", 'ζ'),
    ("eta", 'η'),
    ("theta", 'θ'),
    ("vartheta", 'ϑ'),
    ("iota", 'ι'),
    ("kappa", 'κ'),
    ("lambda", 'λ'),
    ("mu", 'μ'),
    ("nu", 'ν'),
    ("xi", 'ξ'),
    ("omicron", 'ο'),
    ("pi", 'π'),
    ("varpi", 'ϖ'),
    ("rho", 'ρ'),
    ("varrho", 'ϱ'),
    ("sigma", 'σ'),
    ("varsigma", 'ς'),
    ("tau", 'τ'),
    ("upsilon", 'υ'),
    ("phi", 'ϕ'),
    ("varphi", 'φ'),
    ("chi", 'χ'),
    ("psi", 'ψ'),
    ("omega", 'ω'),
    ("Gamma", 'Γ'),
    ("Delta", 'Δ'),
    ("Theta", 'Θ'),
    ("Lambda", 'Λ'),
    ("Xi", 'Ξ'),
    ("Pi", 'Π'),
    ("Sigma", 'Σ'),
    ("Upsilon", 'Υ'),
    ("Phi", 'Φ'),
    ("Psi", 'Ψ'),
    ("Omega", 'Ω'),
];

/// Symbols that are ordinary atoms (letters-like, set upright).
pub const ORD: &[(&str, &str)] = &[
    ("infty", "∞"),
    ("partial", "∂"),
    ("nabla", "∇"),
    ("forall", "∀"),
    ("exists", "∃"),
    ("nexists", "∄"),
    ("emptyset", "∅"),
    ("varnothing", "∅"),
    ("neg", "¬"),
    ("lnot", "¬"),
    ("prime", "′"),
    ("hbar", "ℏ"),
    ("ell", "ℓ"),
    ("Re", "ℜ"),
    ("Im", "ℑ"),
    ("aleph", "ℵ"),
    ("wp", "℘"),
    ("angle", "∠"),
    ("triangle", "△"),
    ("top", "⊤"),
    ("bot", "⊥"),
    ("ldots", "…"),
    ("dots", "…"),
    ("cdots", "⋯"),
    ("vdots", "⋮"),
    ("ddots", "⋱"),
    ("dag", "†"),
    ("ddag", "‡"),
    ("S", "§"),
    ("P", "¶"),
    ("checkmark", "✓"),
    ("Box", "□"),
    ("square", "□"),
    ("blacksquare", "■"),
    ("diamond", "⋄"),
    ("clubsuit", "♣"),
    ("heartsuit", "♡"),
    ("spadesuit", "♠"),
    ("diamondsuit", "♢"),
    ("flat", "♭"),
    ("sharp", "♯"),
    ("natural", "♮"),
    ("backslash", "∖"),
    ("vert", "|"),
    ("Vert", "‖"),
    ("|", "‖"),
    ("degree", "°"),
    ("imath", "ı"),
    ("jmath", "ȷ"),
    ("mho", "℧"),
    ("complement", "∁"),
    ("surd", "√"),
];

/// Binary operators.
pub const BIN: &[(&str, &str)] = &[
    ("pm", "±"),
    ("mp", "∓"),
    ("times", "×"),
    ("div", "÷"),
    ("cdot", "⋅"),
    ("ast", "∗"),
    ("star", "⋆"),
    ("circ", "∘"),
    ("bullet", "∙"),
    ("cap", "∩"),
    ("cup", "∪"),
    ("setminus", "∖"),
    ("smallsetminus", "∖"),
    ("wedge", "∧"),
    ("land", "∧"),
    ("vee", "∨"),
    ("lor", "∨"),
    ("oplus", "⊕"),
    ("ominus", "⊖"),
    ("otimes", "⊗"),
    ("oslash", "⊘"),
    ("odot", "⊙"),
    ("sqcup", "⊔"),
    ("sqcap", "⊓"),
    ("uplus", "⊎"),
    ("wr", "≀"),
    ("dagger", "†"),
    ("ddagger", "‡"),
    ("amalg", "⨿"),
    ("triangleleft", "◁"),
    ("triangleright", "▷"),
    ("bigtriangleup", "△"),
    ("bigtriangledown", "▽"),
    ("mod", "mod"),
    ("bmod", "mod"),
];

/// Relations (arrows included).
pub const REL: &[(&str, &str)] = &[
    ("le", "≤"),
    ("leq", "≤"),
    ("ge", "≥"),
    ("geq", "≥"),
    ("leqslant", "⩽"),
    ("geqslant", "⩾"),
    ("ne", "≠"),
    ("neq", "≠"),
    ("equiv", "≡"),
    ("approx", "≈"),
    ("sim", "∼"),
    ("simeq", "≃"),
    ("cong", "≅"),
    ("propto", "∝"),
    ("subset", "⊂"),
    ("supset", "⊃"),
    ("subseteq", "⊆"),
    ("supseteq", "⊇"),
    ("subsetneq", "⊊"),
    ("supsetneq", "⊋"),
    ("sqsubseteq", "⊑"),
    ("sqsupseteq", "⊒"),
    ("in", "∈"),
    ("notin", "∉"),
    ("ni", "∋"),
    ("owns", "∋"),
    ("to", "→"),
    ("rightarrow", "→"),
    ("leftarrow", "←"),
    ("gets", "←"),
    ("leftrightarrow", "↔"),
    ("Rightarrow", "⇒"),
    ("Leftarrow", "⇐"),
    ("Leftrightarrow", "⇔"),
    ("implies", "⟹"),
    ("impliedby", "⟸"),
    ("iff", "⟺"),
    ("mapsto", "↦"),
    ("longmapsto", "⟼"),
    ("longrightarrow", "⟶"),
    ("longleftarrow", "⟵"),
    ("longleftrightarrow", "⟷"),
    ("Longrightarrow", "⟹"),
    ("Longleftarrow", "⟸"),
    ("Longleftrightarrow", "⟺"),
    ("uparrow", "↑"),
    ("downarrow", "↓"),
    ("updownarrow", "↕"),
    ("Uparrow", "⇑"),
    ("Downarrow", "⇓"),
    ("nearrow", "↗"),
    ("searrow", "↘"),
    ("nwarrow", "↖"),
    ("swarrow", "↙"),
    ("hookrightarrow", "↪"),
    ("hookleftarrow", "↩"),
    ("rightharpoonup", "⇀"),
    ("leftharpoonup", "↼"),
    ("rightleftharpoons", "⇌"),
    ("perp", "⊥"),
    ("parallel", "∥"),
    ("nparallel", "∦"),
    ("mid", "∣"),
    ("nmid", "∤"),
    ("ll", "≪"),
    ("gg", "≫"),
    ("prec", "≺"),
    ("succ", "≻"),
    ("preceq", "⪯"),
    ("succeq", "⪰"),
    ("models", "⊨"),
    ("vdash", "⊢"),
    ("dashv", "⊣"),
    ("asymp", "≍"),
    ("doteq", "≐"),
    ("coloneqq", "≔"),
    ("triangleq", "≜"),
    ("lesssim", "≲"),
    ("gtrsim", "≳"),
    ("nleq", "≰"),
    ("ngeq", "≱"),
    ("nsim", "≁"),
    ("ncong", "≇"),
    ("not", "̸"),
];

/// Opening and closing delimiters usable after `\left`, `\right`, `\big`.
pub const DELIMS: &[(&str, &str, Class)] = &[
    ("langle", "⟨", Class::Open),
    ("rangle", "⟩", Class::Close),
    ("lceil", "⌈", Class::Open),
    ("rceil", "⌉", Class::Close),
    ("lfloor", "⌊", Class::Open),
    ("rfloor", "⌋", Class::Close),
    ("lvert", "|", Class::Open),
    ("rvert", "|", Class::Close),
    ("lVert", "‖", Class::Open),
    ("rVert", "‖", Class::Close),
    ("lbrace", "{", Class::Open),
    ("rbrace", "}", Class::Close),
    ("{", "{", Class::Open),
    ("}", "}", Class::Close),
    ("lbrack", "[", Class::Open),
    ("rbrack", "]", Class::Close),
    ("lgroup", "⟮", Class::Open),
    ("rgroup", "⟯", Class::Close),
    ("llbracket", "⟦", Class::Open),
    ("rrbracket", "⟧", Class::Close),
];

/// Large operators: (command, character, takes limits in display style).
pub const BIG_OPS: &[(&str, &str, bool)] = &[
    ("sum", "∑", true),
    ("prod", "∏", true),
    ("coprod", "∐", true),
    ("int", "∫", false),
    ("iint", "∬", false),
    ("iiint", "∭", false),
    ("oint", "∮", false),
    ("bigcup", "⋃", true),
    ("bigcap", "⋂", true),
    ("bigoplus", "⨁", true),
    ("bigotimes", "⨂", true),
    ("bigodot", "⨀", true),
    ("bigvee", "⋁", true),
    ("bigwedge", "⋀", true),
    ("bigsqcup", "⨆", true),
    ("biguplus", "⨄", true),
];

/// Function names set upright: (command, takes limits in display style).
pub const FUNCTIONS: &[(&str, bool)] = &[
    ("sin", false),
    ("cos", false),
    ("tan", false),
    ("cot", false),
    ("sec", false),
    ("csc", false),
    ("arcsin", false),
    ("arccos", false),
    ("arctan", false),
    ("sinh", false),
    ("cosh", false),
    ("tanh", false),
    ("coth", false),
    ("log", false),
    ("ln", false),
    ("lg", false),
    ("exp", false),
    ("dim", false),
    ("ker", false),
    ("hom", false),
    ("arg", false),
    ("deg", false),
    ("det", true),
    ("gcd", true),
    ("max", true),
    ("min", true),
    ("sup", true),
    ("inf", true),
    ("lim", true),
    ("liminf", true),
    ("limsup", true),
    ("Pr", true),
    ("argmax", true),
    ("argmin", true),
];

/// Accents: (command, accent character, under, stretches with its body).
pub const ACCENTS: &[(&str, char, bool, bool)] = &[
    ("hat", '\u{302}', false, false),
    ("widehat", '\u{302}', false, true),
    ("check", '\u{30C}', false, false),
    ("widecheck", '\u{30C}', false, true),
    ("tilde", '\u{303}', false, false),
    ("widetilde", '\u{303}', false, true),
    ("acute", '\u{301}', false, false),
    ("grave", '\u{300}', false, false),
    ("dot", '\u{307}', false, false),
    ("ddot", '\u{308}', false, false),
    ("dddot", '\u{20DB}', false, false),
    ("breve", '\u{306}', false, false),
    ("bar", '\u{304}', false, false),
    ("vec", '\u{20D7}', false, false),
    ("mathring", '\u{30A}', false, false),
    ("overrightarrow", '→', false, true),
    ("overleftarrow", '←', false, true),
    ("overleftrightarrow", '↔', false, true),
    ("overbrace", '⏞', false, true),
    ("underbrace", '⏟', true, true),
    ("underrightarrow", '→', true, true),
    ("underleftarrow", '←', true, true),
];

/// Spaces: (command, width in ems).
pub const SPACES: &[(&str, f32)] = &[
    (",", 3.0 / 18.0),
    ("thinspace", 3.0 / 18.0),
    (":", 4.0 / 18.0),
    (">", 4.0 / 18.0),
    ("medspace", 4.0 / 18.0),
    (";", 5.0 / 18.0),
    ("thickspace", 5.0 / 18.0),
    ("!", -3.0 / 18.0),
    ("negthinspace", -3.0 / 18.0),
    (" ", 0.25),
    ("quad", 1.0),
    ("qquad", 2.0),
    ("enspace", 0.5),
];

/// Commands that pick an alphabet for their argument.
pub const ALPHABETS: &[(&str, Variant)] = &[
    ("mathrm", Variant::Upright),
    ("mathit", Variant::Italic),
    ("mathbf", Variant::Bold),
    ("boldsymbol", Variant::BoldItalic),
    ("bm", Variant::BoldItalic),
    ("mathbb", Variant::DoubleStruck),
    ("mathcal", Variant::Script),
    ("mathscr", Variant::Script),
    ("mathfrak", Variant::Fraktur),
    ("mathsf", Variant::SansSerif),
    ("mathtt", Variant::Monospace),
];

/// The class of a plain character written in the formula.
pub fn char_class(c: char) -> Class {
    match c {
        '+' | '-' | '*' | '−' | '±' | '×' | '÷' | '·' => Class::Bin,
        '=' | '<' | '>' | ':' | '≤' | '≥' | '≠' | '→' | '←' | '∈' => Class::Rel,
        '(' | '[' => Class::Open,
        ')' | ']' | '!' | '?' => Class::Close,
        ',' | ';' => Class::Punct,
        _ => Class::Ord,
    }
}

/// The character a letter becomes in a Unicode mathematical alphabet, for
/// the fonts (and the MathML of alphabets other than italic and upright).
/// Letters an alphabet lacks stay as they are.
pub fn styled_char(c: char, variant: Variant) -> char {
    let (upper, lower, digit): (u32, u32, Option<u32>) = match variant {
        Variant::Upright => return c,
        Variant::Italic => {
            if c == 'h' {
                return 'ℎ';
            }
            if let Some(g) = greek_italic(c, 0x1D6E2) {
                return g;
            }
            (0x1D434, 0x1D44E, None)
        }
        Variant::Bold => (0x1D400, 0x1D41A, Some(0x1D7CE)),
        Variant::BoldItalic => {
            if let Some(g) = greek_italic(c, 0x1D71C) {
                return g;
            }
            (0x1D468, 0x1D482, None)
        }
        Variant::DoubleStruck => {
            let exception = match c {
                'C' => Some('ℂ'),
                'H' => Some('ℍ'),
                'N' => Some('ℕ'),
                'P' => Some('ℙ'),
                'Q' => Some('ℚ'),
                'R' => Some('ℝ'),
                'Z' => Some('ℤ'),
                _ => None,
            };
            if let Some(e) = exception {
                return e;
            }
            (0x1D538, 0x1D552, Some(0x1D7D8))
        }
        Variant::Script => {
            let exception = match c {
                'B' => Some('ℬ'),
                'E' => Some('ℰ'),
                'F' => Some('ℱ'),
                'H' => Some('ℋ'),
                'I' => Some('ℐ'),
                'L' => Some('ℒ'),
                'M' => Some('ℳ'),
                'R' => Some('ℛ'),
                'e' => Some('ℯ'),
                'g' => Some('ℊ'),
                'o' => Some('ℴ'),
                _ => None,
            };
            if let Some(e) = exception {
                return e;
            }
            (0x1D49C, 0x1D4B6, None)
        }
        Variant::Fraktur => {
            let exception = match c {
                'C' => Some('ℭ'),
                'H' => Some('ℌ'),
                'I' => Some('ℑ'),
                'R' => Some('ℜ'),
                'Z' => Some('ℨ'),
                _ => None,
            };
            if let Some(e) = exception {
                return e;
            }
            (0x1D504, 0x1D51E, None)
        }
        Variant::SansSerif => (0x1D5A0, 0x1D5BA, Some(0x1D7E2)),
        Variant::Monospace => (0x1D670, 0x1D68A, Some(0x1D7F6)),
    };
    let mapped = match c {
        'A'..='Z' => upper + (c as u32 - 'A' as u32),
        'a'..='z' => lower + (c as u32 - 'a' as u32),
        '0'..='9' => match digit {
            Some(d) => d + (c as u32 - '0' as u32),
            None => return c,
        },
        _ => return c,
    };
    char::from_u32(mapped).unwrap_or(c)
}

/// Italic Greek: `base` is the alphabet's capital Alpha; the lowercase
/// letters follow 26 places later (U+1D6E2 italic, U+1D71C bold italic).
fn greek_italic(c: char, base: u32) -> Option<char> {
    let offset = match c {
        'Α'..='Ω' => c as u32 - 'Α' as u32,
        'α'..='ω' => 26 + c as u32 - 'α' as u32,
        'ϵ' => 52,
        'ϑ' => 53,
        'ϰ' => 54,
        'ϕ' => 55,
        'ϱ' => 56,
        'ϖ' => 57,
        _ => return None,
    };
    char::from_u32(base + offset)
}

/// Finds `name` in a table of (command, value) pairs.
pub fn lookup<T: Copy>(table: &[(&str, T)], name: &str) -> Option<T> {
    table.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}
