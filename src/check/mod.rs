//! `folio check`: what the stores would refuse or degrade, found before an
//! upload fails, each problem at the Markdown or settings line that causes
//! it, with what to do.
//!
//! Beside the pipeline, not in it: [`check`] loads the book as a build
//! does, gathers the [`facts`] the rules need (pictures from their file
//! headers; the EPUB built in memory and the book typeset, only when a
//! chosen store's rules need them), then runs the [`ebook`] stores' rules
//! (Kindle, Kobo, Apple Books, Google Play) and the [`print`] ones (KDP
//! Print, IngramSpark). Every rule and the store document it comes from
//! are listed in [`rules`] and, for people, in docs/stores.md.

pub mod ebook;
pub mod facts;
pub mod print;
pub mod rules;

use std::path::Path;

use crate::diag::{Diagnostic, Severity, StageResult};

/// A store Folio checks a book against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    Kindle,
    Kobo,
    Apple,
    Google,
    KdpPrint,
    Ingram,
}

impl Target {
    pub const ALL: [Target; 6] = [
        Target::Kindle,
        Target::Kobo,
        Target::Apple,
        Target::Google,
        Target::KdpPrint,
        Target::Ingram,
    ];

    /// The name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Target::Kindle => "kindle",
            Target::Kobo => "kobo",
            Target::Apple => "apple",
            Target::Google => "google",
            Target::KdpPrint => "kdp-print",
            Target::Ingram => "ingram",
        }
    }

    /// The store as people call it, for messages.
    pub fn store(self) -> &'static str {
        match self {
            Target::Kindle => "Kindle",
            Target::Kobo => "Kobo",
            Target::Apple => "Apple Books",
            Target::Google => "Google Play Books",
            Target::KdpPrint => "KDP Print",
            Target::Ingram => "IngramSpark",
        }
    }

    pub fn is_print(self) -> bool {
        matches!(self, Target::KdpPrint | Target::Ingram)
    }
}

/// One problem: which rule, for which store, and the diagnostic that
/// says where and what to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub rule: &'static str,
    pub target: Target,
    pub diagnostic: Diagnostic,
}

/// What `check` found.
#[derive(Debug, Clone)]
pub struct Report {
    pub targets: Vec<Target>,
    pub findings: Vec<Finding>,
    /// Warnings of loading the book itself (a dropped element, a missing
    /// image): the stores would get the book with these too.
    pub warnings: Vec<Diagnostic>,
    /// Pages of the typeset book, when a print store was checked.
    pub pages: Option<usize>,
    /// Bytes of the EPUB, when an e-book store was checked.
    pub epub_bytes: Option<usize>,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.diagnostic.is_error())
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.diagnostic.is_warning())
            .count()
    }

    /// The report as JSON, for CI: every finding with its rule, store,
    /// severity, message, place (`file`, `line`, `column`), hint and the
    /// store document the rule comes from.
    pub fn to_json(&self) -> String {
        let findings: Vec<serde_json::Value> = self
            .findings
            .iter()
            .map(|f| {
                let d = &f.diagnostic;
                let loc = d.location.as_ref();
                serde_json::json!({
                    "rule": f.rule,
                    "store": f.target.name(),
                    "severity": d.severity.name(),
                    "message": d.message,
                    "file": loc.map(|l| l.path.to_string_lossy().into_owned()),
                    "line": loc.and_then(|l| l.line()),
                    "column": loc.and_then(|l| l.column()),
                    "hint": d.hint,
                    "source": rules::rule(f.rule).source,
                })
            })
            .collect();
        let warnings: Vec<serde_json::Value> = self
            .warnings
            .iter()
            .map(|d| {
                let loc = d.location.as_ref();
                serde_json::json!({
                    "severity": d.severity.name(),
                    "message": d.message,
                    "file": loc.map(|l| l.path.to_string_lossy().into_owned()),
                    "line": loc.and_then(|l| l.line()),
                    "column": loc.and_then(|l| l.column()),
                })
            })
            .collect();
        let value = serde_json::json!({
            "targets": self.targets.iter().map(|t| t.name()).collect::<Vec<_>>(),
            "errors": self.errors(),
            "warnings": self.warnings(),
            "pages": self.pages,
            "epub_bytes": self.epub_bytes,
            "findings": findings,
            "book_warnings": warnings,
        });
        serde_json::to_string_pretty(&value).unwrap_or_default()
    }
}

/// Checks the book at `book` (a folder, or one Markdown file) against the
/// `targets` (every store when empty).
pub fn check(book: &Path, targets: &[Target]) -> StageResult<Report> {
    let targets: Vec<Target> = if targets.is_empty() {
        Target::ALL.to_vec()
    } else {
        let mut t = targets.to_vec();
        t.sort();
        t.dedup();
        t
    };
    let loaded = crate::load_book(book, None)?;
    let mut findings = Vec::new();
    let ebooks: Vec<Target> = targets.iter().copied().filter(|t| !t.is_print()).collect();
    let prints: Vec<Target> = targets.iter().copied().filter(|t| t.is_print()).collect();
    let mut epub_bytes = None;
    let mut pages = None;
    if !ebooks.is_empty() {
        let (bytes, _) = crate::render_epub(&loaded, &[])?;
        epub_bytes = Some(bytes.len());
        ebook::check(&loaded, &ebooks, bytes.len() as u64, &mut findings);
    }
    if !prints.is_empty() {
        let typeset = crate::typeset::typeset(&loaded.book, &loaded.toc, &loaded.pdf)?;
        let facts = facts::Print::from_document(&typeset.document);
        pages = Some(facts.pages);
        print::check(&loaded, &prints, &facts, &mut findings);
    }
    // In the order of the rules, then of the stores, then of the places.
    findings.sort_by_key(|f| {
        let rule = rules::RULES.iter().position(|r| r.id == f.rule);
        let at = f.diagnostic.location.as_ref();
        (
            rule,
            f.target,
            at.map(|l| l.path.clone()),
            at.and_then(|l| l.line()),
        )
    });
    Ok(Report {
        targets,
        findings,
        warnings: loaded.warnings,
        pages,
        epub_bytes,
    })
}

/// A finding of `rule` for `target`: the message says which store.
pub(crate) fn finding(
    rule: &'static str,
    target: Target,
    severity: Severity,
    message: String,
) -> Finding {
    let message = format!("{}: {message}", target.name());
    let diagnostic = match severity {
        Severity::Error => Diagnostic::error(message),
        Severity::Warning => Diagnostic::warning(message),
        Severity::Note => Diagnostic::note(message),
    };
    Finding {
        rule,
        target,
        diagnostic,
    }
}

/// Adds a location and a hint to a finding.
pub(crate) trait Locate {
    fn at(self, location: crate::diag::Location) -> Self;
    fn hint(self, hint: impl Into<String>) -> Self;
}

impl Locate for Finding {
    fn at(mut self, location: crate::diag::Location) -> Finding {
        self.diagnostic = self.diagnostic.at(location);
        self
    }
    fn hint(mut self, hint: impl Into<String>) -> Finding {
        self.diagnostic = self.diagnostic.with_hint(hint);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_in_the_docs_table_with_its_source() {
        let docs =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/stores.md"))
                .expect("docs/stores.md");
        for r in rules::RULES {
            assert!(
                docs.contains(&format!("`{}`", r.id)),
                "{} not in docs/stores.md",
                r.id
            );
        }
    }
}
