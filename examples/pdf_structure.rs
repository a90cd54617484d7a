//! Prints the structure tree of a tagged PDF, one element a line with its
//! properties and the start of its text, as the tests read it back:
//!
//!     cargo run --example pdf_structure -- output/book.pdf

#[path = "../tests/common/structure.rs"]
mod structure;

fn main() {
    let Some(pdf) = std::env::args_os().nth(1) else {
        eprintln!("usage: pdf_structure FILE.pdf");
        std::process::exit(2);
    };
    print!(
        "{}",
        structure::dump(&structure::read(std::path::Path::new(&pdf)))
    );
}
