//! `folio init [DIR]`: writes a starter book that shows every feature —
//! headings, notes, a block quote, an image, links between chapters, a
//! table, code, math, a definition list — with a commented book.yaml. It
//! builds clean as it is, and never overwrites anything.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::diag::{Diagnostic, Location};

use super::{Output, EXIT_FAILED};

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to write the book into (created if missing); `book` is
    /// where `folio build` looks by default.
    #[arg(default_value = "book")]
    pub dir: PathBuf,
}

/// The starter book's files: path inside the book folder, contents.
pub const STARTER: &[(&str, &[u8])] = &[
    ("book.yaml", include_bytes!("starter/book.yaml")),
    ("01-welcome.md", include_bytes!("starter/01-welcome.md")),
    ("02-features.md", include_bytes!("starter/02-features.md")),
    (
        "images/open-book.png",
        include_bytes!("starter/images/open-book.png"),
    ),
];

pub fn run(args: &InitArgs, out: &Output) -> u8 {
    match write_starter(&args.dir, out) {
        Ok(()) => {
            println!("wrote a starter book in {}", args.dir.display());
            let build = if args.dir == Path::new("book") {
                "folio build".to_string()
            } else {
                format!("folio build {}", args.dir.display())
            };
            println!("build it with `{build}`; the files land in output/");
            0
        }
        Err(d) => {
            out.diagnostics(&[d]);
            EXIT_FAILED
        }
    }
}

/// Writes the starter book into `dir`, or refuses — before writing
/// anything — if a book or any file it would write is already there.
pub fn write_starter(dir: &Path, out: &Output) -> Result<(), Diagnostic> {
    let existing_book = dir.join(crate::config::CONFIG_FILE);
    if existing_book.exists() {
        return Err(Diagnostic::error(format!(
            "there is already a book in {}; nothing was written",
            dir.display()
        ))
        .at(Location::file(&existing_book))
        .with_hint(format!(
            "choose a new folder (`folio init my-book`), or move {} away first",
            existing_book.display()
        )));
    }
    if let Some((name, _)) = STARTER.iter().find(|(name, _)| dir.join(name).exists()) {
        let path = dir.join(name);
        return Err(Diagnostic::error(format!(
            "{} is already there; nothing was written",
            path.display()
        ))
        .at(Location::file(&path))
        .with_hint("`folio init` never overwrites a file: choose a new or empty folder"));
    }
    for (name, bytes) in STARTER {
        let path = dir.join(name);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| {
                // `create_new`: a file that appeared since the check above is not overwritten.
                use std::io::Write;
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&path)?
                    .write_all(bytes)
            });
        written.map_err(|e| {
            Diagnostic::error(format!("cannot write {}: {e}", path.display())).in_file(&path)
        })?;
        out.say(format!("wrote {}", path.display()));
    }
    Ok(())
}
