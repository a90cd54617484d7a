//! Where each setting is written, for problems found after the config is
//! loaded: `folio check` reports a cover too small at the `cover:` line,
//! a gutter too narrow at `margins: inner:`. A setting the book does not
//! write is reported at the file itself (or at a nearby key the caller
//! names as a fallback).

use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use crate::diag::{Location, SourceFile};

use super::yaml::{Doc, Step};

/// Finds the line of a setting, by its dotted name in book.yaml's terms
/// (`cover`, `pdf.margins.inner`), in whichever file the book's settings
/// come from.
#[derive(Clone)]
pub struct KeyLocator(Inner);

#[derive(Clone)]
enum Inner {
    /// book.yaml, or a Markdown file's metadata block.
    Yaml(Arc<Doc>),
    /// A file whose keys were found while reading it (mdBook's book.toml):
    /// each dotted name with the byte range of its key.
    Spans {
        file: Arc<SourceFile>,
        keys: Vec<(String, Range<usize>)>,
    },
}

impl KeyLocator {
    pub(super) fn yaml(doc: Arc<Doc>) -> KeyLocator {
        KeyLocator(Inner::Yaml(doc))
    }

    pub(super) fn spans(file: Arc<SourceFile>, keys: Vec<(String, Range<usize>)>) -> KeyLocator {
        KeyLocator(Inner::Spans { file, keys })
    }

    /// The settings file, as shown to the user.
    pub fn path(&self) -> &Path {
        match &self.0 {
            Inner::Yaml(doc) => &doc.file.path,
            Inner::Spans { file, .. } => &file.path,
        }
    }

    /// Where the key `dotted` is written, if it is.
    pub fn find(&self, dotted: &str) -> Option<Location> {
        match &self.0 {
            Inner::Yaml(doc) => {
                let path: Vec<Step> = dotted.split('.').map(|k| Step::Key(k.into())).collect();
                let at = doc.locate_key(&path);
                // A key that is not there leaves the probe at some other
                // place: only a place showing the key itself counts.
                let last = dotted.rsplit('.').next().unwrap_or(dotted);
                let shows_key = at.source().is_some_and(|s| {
                    let rest = &s.file.text[s.range().start..];
                    rest.trim_start_matches(['"', '\'']).starts_with(last)
                });
                shows_key.then_some(at)
            }
            Inner::Spans { file, keys } => keys
                .iter()
                .find(|(k, _)| k == dotted)
                .map(|(_, r)| Location::range(Arc::clone(file), r.clone())),
        }
    }

    /// Where the first of `keys` that is written is; else the file.
    pub fn locate(&self, keys: &[&str]) -> Location {
        keys.iter()
            .find_map(|k| self.find(k))
            .unwrap_or_else(|| Location::file(self.path()))
    }
}

impl fmt::Debug for KeyLocator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyLocator({})", self.path().display())
    }
}

impl PartialEq for KeyLocator {
    /// Two locators are the same when they read the same file.
    fn eq(&self, other: &KeyLocator) -> bool {
        self.path() == other.path()
    }
}
