//! Config → chapter sources in reading order: the second stage.
//!
//! Reads every chapter file into the [`SourceMap`], reporting all missing,
//! unreadable or non-UTF-8 chapters at once.

use std::path::PathBuf;

use crate::config::{invalid_utf8_location, Config, CONFIG_FILE};
use crate::diag::{Diagnostic, Diagnostics, FileId, SourceMap, StageResult};

/// One chapter file, read.
#[derive(Debug, Clone)]
pub struct Source {
    pub file: FileId,
    /// Path relative to the book folder.
    pub relative: PathBuf,
    pub title: Option<String>,
}

/// Reads the chapters listed by the config.
pub fn load_sources(config: &Config) -> StageResult<(SourceMap, Vec<Source>)> {
    let mut map = SourceMap::default();
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for chapter in &config.chapters {
        let shown = display_path(config, &chapter.relative);
        match std::fs::read(&chapter.path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => {
                    let file = map.add(shown, text);
                    sources.push(Source {
                        file,
                        relative: chapter.relative.clone(),
                        title: chapter.title.clone(),
                    });
                }
                Err(e) => {
                    let valid = e.utf8_error().valid_up_to();
                    errors.push(
                        Diagnostic::error("chapter is not valid UTF-8 text")
                            .at(invalid_utf8_location(&shown, e.as_bytes(), valid))
                            .with_hint("save the file as UTF-8"),
                    );
                }
            },
            Err(e) => {
                let message = if e.kind() == std::io::ErrorKind::NotFound {
                    format!("chapter `{}` not found", chapter.relative.display())
                } else {
                    format!("cannot read chapter `{}`: {e}", chapter.relative.display())
                };
                let mut d = Diagnostic::error(message).with_hint(format!(
                    "chapter paths in {CONFIG_FILE} are relative to the book folder"
                ));
                d = match &chapter.location {
                    Some(loc) => d.at(loc.clone()),
                    None => d.in_file(&shown),
                };
                errors.push(d);
            }
        }
    }
    if errors.is_empty() {
        Ok((map, sources))
    } else {
        Err(Diagnostics(errors))
    }
}

/// The path a user should see: the book folder as they named it, joined
/// with the chapter's relative path.
fn display_path(config: &Config, relative: &std::path::Path) -> PathBuf {
    config
        .path
        .parent()
        .map_or_else(|| relative.to_path_buf(), |dir| dir.join(relative))
}
