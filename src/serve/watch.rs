//! The watch loop: build, wait for the book's files to change (notify's
//! native watcher, debounced), build again. The output folder, hidden
//! files and editors' backup files are not the book and do not count.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify::{Event, EventKind, RecursiveMode, Watcher};

use crate::diag::Diagnostic;

use super::rebuild::{Built, Rebuilder};
use super::WatchOptions;

/// After a change, the build waits until the files have been quiet this
/// long: an editor's save is often several events (write, rename, chmod)
/// and a `git checkout` many; one build covers them all. Short enough not
/// to be felt.
pub const DEBOUNCE: Duration = Duration::from_millis(40);

/// Builds the book, then again after every change, calling `on_build`
/// after each build. Returns only when the watcher fails.
pub fn run(options: &WatchOptions, mut on_build: impl FnMut(&Built)) -> Result<(), Diagnostic> {
    let mut rebuilder = Rebuilder::new(options);
    let (send, changes) = mpsc::channel::<notify::Result<Event>>();
    let mut watcher = notify::recommended_watcher(send).map_err(watch_error)?;
    let book = std::fs::canonicalize(&options.book_dir).map_err(|e| {
        Diagnostic::error(format!("cannot watch {}: {e}", options.book_dir.display()))
    })?;
    // A one-file book: its folder is watched (editors replace files by
    // renaming, which a watch on the file itself would lose).
    let (watched, mode) = if book.is_dir() {
        (book.clone(), RecursiveMode::Recursive)
    } else {
        let parent = book.parent().map_or(book.clone(), Path::to_path_buf);
        (parent, RecursiveMode::NonRecursive)
    };
    watcher.watch(&watched, mode).map_err(watch_error)?;

    on_build(&rebuilder.build());
    let ignore = Ignore::new(&book, &options.out_dir);
    loop {
        let Ok(first) = changes.recv() else {
            return Err(Diagnostic::error("the file watcher stopped"));
        };
        if !ignore.relevant(&first.map_err(watch_error)?) {
            continue;
        }
        // Let the burst settle.
        while let Ok(more) = changes.recv_timeout(DEBOUNCE) {
            more.map_err(watch_error)?;
        }
        on_build(&rebuilder.build());
    }
}

fn watch_error(e: notify::Error) -> Diagnostic {
    Diagnostic::error(format!("cannot watch the book's files: {e}"))
        .with_hint("on Linux, raise fs.inotify.max_user_watches if the book has many folders")
}

/// Which changes are the book's.
struct Ignore {
    book: PathBuf,
    one_file: bool,
    out: Option<PathBuf>,
}

impl Ignore {
    fn new(book: &Path, out_dir: &Path) -> Ignore {
        Ignore {
            book: book.to_path_buf(),
            one_file: !book.is_dir(),
            out: std::fs::canonicalize(out_dir).ok(),
        }
    }

    fn relevant(&self, event: &Event) -> bool {
        if matches!(event.kind, EventKind::Access(_)) {
            return false;
        }
        event.paths.iter().any(|p| self.is_book_file(p))
    }

    fn is_book_file(&self, path: &Path) -> bool {
        if self.one_file {
            return path == self.book;
        }
        if self.out.as_ref().is_some_and(|out| path.starts_with(out)) {
            return false;
        }
        let Ok(inside) = path.strip_prefix(&self.book) else {
            return false;
        };
        let hidden = inside
            .components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        // Editors' backups and swap files.
        let scratch = name.ends_with('~') || name.ends_with(".swp") || name.starts_with(".#");
        !hidden && !scratch
    }
}

#[cfg(test)]
mod tests {
    use super::Ignore;
    use std::path::PathBuf;

    #[test]
    fn the_output_folder_hidden_and_backup_files_are_not_the_book() {
        let ignore = Ignore {
            book: PathBuf::from("/b"),
            one_file: false,
            out: Some(PathBuf::from("/b/output")),
        };
        assert!(ignore.is_book_file(&PathBuf::from("/b/ch1.md")));
        assert!(ignore.is_book_file(&PathBuf::from("/b/images/a.png")));
        assert!(!ignore.is_book_file(&PathBuf::from("/b/output/book.pdf")));
        assert!(!ignore.is_book_file(&PathBuf::from("/b/.git/index")));
        assert!(!ignore.is_book_file(&PathBuf::from("/b/ch1.md~")));
        assert!(!ignore.is_book_file(&PathBuf::from("/b/.ch1.md.swp")));
        assert!(!ignore.is_book_file(&PathBuf::from("/elsewhere/x.md")));
    }
}
