//! Folio builds an EPUB 3 and a typeset PDF from a folder of Markdown
//! chapters and one `book.yaml`.
//!
//! The pipeline runs one way: [`config`] reads book.yaml → [`load`] reads
//! the chapters → [`markdown`] parses them into the [`model`] → [`toc`] is
//! built from the headings → writers: [`epub`] (XHTML, CSS, nav) and the
//! typesetter [`typeset`] (shaping, line breaking, pagination) whose pages
//! [`pdf`] emits. Both writers read the same model; neither sees Markdown.

pub mod diag;
pub mod epub;
pub mod model;
pub mod pdf;
pub mod toc;
pub mod typeset;
pub mod units;
