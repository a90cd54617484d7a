//! `folio man`: man pages in roff, generated from the clap definitions so
//! they never fall behind the flags — folio(1) on stdout, one subcommand's
//! page, or every page written into a folder.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, CommandFactory};

use super::{Cli, EXIT_FAILED, EXIT_USAGE};

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Print this subcommand's page (folio-build(1)) instead of folio(1).
    pub subcommand: Option<String>,
    /// Write every page (folio.1, folio-build.1, …) into DIR instead.
    #[arg(long, value_name = "DIR", conflicts_with = "subcommand")]
    pub out: Option<PathBuf>,
}

pub fn run(args: &ManArgs) -> u8 {
    let cmd = Cli::command().name("folio");
    if let Some(dir) = &args.out {
        let written =
            std::fs::create_dir_all(dir).and_then(|()| clap_mangen::generate_to(cmd, dir));
        return match written {
            Ok(()) => 0,
            Err(e) => {
                eprintln!(
                    "error: cannot write the man pages into {}: {e}",
                    dir.display()
                );
                EXIT_FAILED
            }
        };
    }
    let page = match &args.subcommand {
        None => cmd,
        Some(name) => match cmd.find_subcommand(name) {
            Some(sub) => sub.clone().display_name(format!("folio-{name}")),
            None => {
                let names: Vec<&str> = cmd.get_subcommands().map(|c| c.get_name()).collect();
                eprintln!(
                    "error: no subcommand `{name}`; there are: {}",
                    names.join(", ")
                );
                return EXIT_USAGE;
            }
        },
    };
    let mut out = Vec::new();
    let written = clap_mangen::Man::new(page)
        .render(&mut out)
        .and_then(|()| std::io::stdout().write_all(&out));
    match written {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: cannot write the man page: {e}");
            EXIT_FAILED
        }
    }
}
