//! TeX math → the math model: what `$…$` and `$$…$$` hold, parsed once.
//!
//! Place in the pipeline: the Markdown stage calls [`parse`] on the source
//! of every formula and keeps the result in the document model
//! ([`Formula`]); the EPUB writer turns it into MathML ([`mathml`]) and the
//! typesetter lays it out on the math font's OpenType MATH table
//! (`typeset::math`). Neither writer looks at the TeX again.
//!
//! The model is a tree of [`Node`]s that says what a formula is (an
//! identifier, a fraction, a radical, an operator with limits…), not how it
//! looks. A formula with something Folio cannot set (an unknown command,
//! unbalanced braces) has no tree: the parse error is a warning at its
//! place in the chapter, and both writers show the TeX as code, so nothing
//! is ever dropped.

pub mod mathml;
mod parse;
pub mod symbols;

pub use parse::{parse, ParseError, Parsed};

/// A formula of the book, as the document model holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Formula {
    /// The TeX as written between the dollars (kept for `alttext`, for the
    /// fallback and for page-break word counts).
    pub source: String,
    /// `$$…$$`: a display formula (in its own block when alone in its
    /// paragraph).
    pub display: bool,
    /// The parsed formula; `None` when it could not be parsed (a warning
    /// was given and writers show [`Formula::source`] as code).
    pub body: Option<Vec<Node>>,
    /// The equation number shown beside a display formula: the text of
    /// `\tag{…}`, or the number given to a `{#eq:label}` formula.
    pub tag: Option<String>,
    /// The id of a labelled formula (`{#eq:label}` after `$$…$$`), unique
    /// in the book; links to `#eq:label` go to it.
    pub id: Option<String>,
}

impl Formula {
    /// Parses `source`; the error (if any) is returned for the caller to
    /// report at its place.
    pub fn new(source: &str, display: bool) -> (Formula, Option<ParseError>) {
        let (body, tag, error) = match parse(source) {
            Ok(p) => (Some(p.nodes), p.tag, None),
            Err(e) => (None, None, Some(e)),
        };
        (
            Formula {
                source: source.to_string(),
                display,
                body,
                tag,
                id: None,
            },
            error,
        )
    }
}

/// TeX's atom classes: they decide the space between neighbours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Ord,
    /// A large operator (`\sum`) or a function name (`\sin`).
    Op,
    Bin,
    Rel,
    Open,
    Close,
    Punct,
    /// A fenced or fraction-like sub-formula.
    Inner,
}

/// The alphabet a letter is drawn from (`\mathbf`, `\mathbb`…).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// The default for single Latin and lowercase Greek letters.
    Italic,
    Upright,
    Bold,
    BoldItalic,
    DoubleStruck,
    Script,
    Fraktur,
    SansSerif,
    Monospace,
}

/// Where the scripts of a base go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Limits under and over in display style when the base is an
    /// operator that takes them (`\sum`, `\lim`), beside it otherwise.
    Auto,
    /// Always under and over (`\limits`, `\overset`, `\underbrace`).
    Limits,
    /// Always beside (`\nolimits`).
    Side,
}

/// A style switch (`\displaystyle`…).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Display,
    Text,
    Script,
    ScriptScript,
}

/// What kind of grid an environment is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableKind {
    /// `matrix` and its fenced forms; the fences are `""` for none.
    Matrix { open: String, close: String },
    /// `cases`: a left brace, two left-aligned columns.
    Cases,
    /// `aligned`, `align`, `split`, `gathered`: columns right- and
    /// left-aligned in turn (a single centred column for `gathered`).
    Aligned { gathered: bool },
}

/// One node of a formula.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A letter or a name (`x`, `α`), in `variant`.
    Ident { text: String, variant: Variant },
    /// Digits with their decimal point.
    Number { text: String, variant: Variant },
    /// An operator, relation, fence or punctuation: one character or more.
    Operator { text: String, class: Class },
    /// A large operator or function name. `large`: drawn bigger in display
    /// style (`\sum`, `\int`); `limits`: takes limits under and over in
    /// display style (`\sum`, `\lim`, not `\int`).
    BigOp {
        text: String,
        large: bool,
        limits: bool,
    },
    /// Upright text (`\text{…}`, `\operatorname` has its own node above).
    Text(String),
    /// `{…}`: a sub-formula set as one ordinary atom.
    Group(Vec<Node>),
    Frac {
        num: Vec<Node>,
        den: Vec<Node>,
        /// `false` for `\binom` (no rule).
        rule: bool,
        /// `\dfrac`, `\tfrac`.
        style: Option<Style>,
    },
    Sqrt {
        index: Option<Vec<Node>>,
        body: Vec<Node>,
    },
    Scripts {
        base: Box<Node>,
        sub: Option<Vec<Node>>,
        sup: Option<Vec<Node>>,
        place: Place,
    },
    /// `\left( … \right)`: fences that grow with the body; `""` = none.
    Fenced {
        open: String,
        close: String,
        body: Vec<Node>,
    },
    /// `\middle|`: a delimiter inside `\left…\right` that grows with them.
    Middle(String),
    /// `\big(`…`\Bigg)`: a delimiter of a fixed larger size (1 to 4).
    Big {
        text: String,
        size: u8,
        class: Class,
    },
    /// An accent over (or a mark under) its body. `stretch`: as wide as
    /// the body (`\widehat`, `\overrightarrow`, `\overbrace`).
    Accent {
        accent: char,
        body: Vec<Node>,
        under: bool,
        stretch: bool,
    },
    /// `\overline`, `\underline`.
    Line { body: Vec<Node>, under: bool },
    Table {
        kind: TableKind,
        rows: Vec<Vec<Vec<Node>>>,
    },
    /// Horizontal space in ems (negative for `\!`).
    Space(f32),
    /// `\displaystyle` and friends: the rest of the group in that style.
    Styled { style: Style, body: Vec<Node> },
}

impl Node {
    /// The atom class the node has among its neighbours.
    pub fn class(&self) -> Class {
        match self {
            Node::Operator { class, .. } | Node::Big { class, .. } => *class,
            Node::Middle(_) => Class::Rel,
            Node::BigOp { .. } => Class::Op,
            Node::Scripts { base, .. } => base.class(),
            Node::Fenced { .. } | Node::Frac { .. } => Class::Inner,
            _ => Class::Ord,
        }
    }
}
