//! Where the command line writes: results on stdout, diagnostics and
//! progress on stderr, colour only when asked or on a terminal.

use std::io::IsTerminal;

use crate::diag::render::Renderer;
use crate::diag::Diagnostic;

use super::ColorChoice;

/// The terminal's manners for one run.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub renderer: Renderer,
    pub verbose: bool,
    /// stderr is a terminal: progress may be drawn there.
    pub interactive: bool,
}

impl Output {
    pub fn new(color: ColorChoice, verbose: bool) -> Output {
        let interactive = std::io::stderr().is_terminal();
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            // https://no-color.org: any non-empty NO_COLOR turns colour off.
            ColorChoice::Auto => {
                interactive
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var("TERM").map_or(true, |t| t != "dumb")
            }
        };
        Output {
            renderer: Renderer { color },
            verbose,
            interactive,
        }
    }

    /// Prints diagnostics on stderr, repeated kinds grouped.
    pub fn diagnostics(&self, diagnostics: &[Diagnostic]) {
        let text = self.renderer.render_all(diagnostics);
        if !text.is_empty() {
            eprint!("{text}");
        }
    }

    /// A line of `--verbose` narration on stderr.
    pub fn say(&self, line: impl AsRef<str>) {
        if self.verbose {
            eprintln!("{}", line.as_ref());
        }
    }
}
