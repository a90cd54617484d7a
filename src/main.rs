//! The `folio` command: a thin shell over the library. Everything it does
//! is in [`folio::cli`].

use clap::Parser;

fn main() -> std::process::ExitCode {
    folio::cli::run(folio::cli::Cli::parse())
}
