//! Tests of the PDF writer against real PDF tools.
