//! The command line: arguments → a resolved plan → the library → printed
//! diagnostics and an exit code. One file per subcommand; `main.rs` only
//! calls [`run`].

pub mod build;
pub mod check;
pub mod completions;
pub mod init;
pub mod man;
mod output;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

pub use build::BuildArgs;
pub use output::Output;

/// Exit code for a build that failed on the book's content or config.
pub const EXIT_FAILED: u8 = 1;
/// Exit code for a bad invocation (clap uses 2 as well).
pub const EXIT_USAGE: u8 = 2;

/// Build an EPUB 3 and a typeset PDF from Markdown chapters and a book.yaml.
#[derive(Debug, Parser)]
#[command(name = "folio", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// When to colour diagnostics: auto (on a terminal, unless NO_COLOR is
    /// set), always or never.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// Say what is being done: each stage of a build as it starts and the
    /// stage timings, each file `init` writes.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the book into OUT_DIR (both formats unless --epub or --pdf is given).
    Build(build::BuildArgs),
    /// Check the book against the stores' rules (Kindle, Kobo, Apple Books,
    /// Google Play, KDP Print, IngramSpark); exit 1 if a store would refuse it.
    Check(check::CheckArgs),
    /// Write a starter book that shows every feature, ready to build.
    Init(init::InitArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(completions::CompletionsArgs),
    /// Print man pages (roff) for folio and its subcommands.
    Man(man::ManArgs),
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Runs a parsed command line; returns the process's exit code.
pub fn run(cli: Cli) -> ExitCode {
    let out = Output::new(cli.color, cli.verbose);
    let code = match cli.command {
        Command::Build(args) => build::run(&args, &out),
        Command::Check(args) => check::run(&args, &out),
        Command::Init(args) => init::run(&args, &out),
        Command::Completions(args) => completions::run(&args),
        Command::Man(args) => man::run(&args),
    };
    ExitCode::from(code)
}
