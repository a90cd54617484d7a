//! PDF emission: positioned pages → PDF bytes via printpdf (and its lopdf
//! document for the outline, page labels and `/Lang`). The only module that
//! knows the PDF library.

use crate::diag::{Diagnostic, StageResult};
use crate::typeset::frame::Document;

/// Writes a laid-out document as PDF bytes.
pub fn write_pdf(_doc: &Document) -> StageResult<Vec<u8>> {
    Err(Diagnostic::error("the PDF writer is not written yet").into())
}
