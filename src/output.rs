//! Writing artifacts safely: one build's files (the EPUB, the PDF, the
//! report) replace the previous build's together, or not at all.
//!
//! [`write_all_or_none`] runs a small transaction. First every file is
//! written beside its target under a temporary name and synced; a failure
//! there (a full disk, a write cut short) removes the temporary files and
//! leaves the previous outputs as they were. Then each existing target is
//! kept under a backup name (a hard link, so the target never goes
//! missing) and the new files are renamed over the targets; if a rename
//! fails, the targets already replaced get their backups back and the new
//! files of targets that did not exist are removed. Only then are the
//! backups removed. Renames within a folder are atomic, so a reader never
//! sees half a file, and the old EPUB never stands beside a new PDF.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, StageResult};

/// The file system operations the transaction needs; tests inject
/// failures through it.
pub(crate) trait Disk {
    /// Creates `path` with `bytes` and syncs it to storage.
    fn write(&mut self, path: &Path, bytes: &[u8]) -> io::Result<()>;
    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()>;
    fn hard_link(&mut self, from: &Path, to: &Path) -> io::Result<()>;
    fn remove(&mut self, path: &Path) -> io::Result<()>;
    fn is_file(&self, path: &Path) -> bool;
}

/// The real file system.
struct RealDisk;

impl Disk for RealDisk {
    fn write(&mut self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        let mut file = std::fs::File::create(path)?;
        file.write_all(bytes)?;
        file.sync_all()
    }

    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        std::fs::rename(from, to)
    }

    fn hard_link(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        std::fs::hard_link(from, to)
    }

    fn remove(&mut self, path: &Path) -> io::Result<()> {
        std::fs::remove_file(path)
    }

    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }
}

/// Writes `bytes` to `path` on its own (see [`write_all_or_none`]).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> StageResult<()> {
    write_all_or_none(&[(path.to_path_buf(), bytes.to_vec())])
}

/// Replaces every `(path, bytes)` file, or none of them: if any cannot be
/// written, every target is left as it was before the call.
pub fn write_all_or_none(files: &[(PathBuf, Vec<u8>)]) -> StageResult<()> {
    for (path, _) in files {
        let dir = folder(path);
        std::fs::create_dir_all(dir).map_err(|e| {
            Diagnostic::error(format!("cannot create output folder: {e}")).in_file(dir)
        })?;
    }
    transact(&mut RealDisk, files, std::process::id()).map_err(|(path, e)| {
        Diagnostic::error(format!(
            "cannot write output: {e}; the previous output is left as it was"
        ))
        .in_file(&path)
        .into()
    })
}

fn folder(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// `.name.<tag>.<kind>` beside `path`.
fn sibling(path: &Path, tag: u32, kind: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    folder(path).join(format!(".{name}.{tag}.{kind}"))
}

/// The transaction: on failure, the file it failed on and why, with the
/// targets as they were.
fn transact(
    disk: &mut dyn Disk,
    files: &[(PathBuf, Vec<u8>)],
    tag: u32,
) -> Result<(), (PathBuf, io::Error)> {
    // 1. Every new file under a temporary name, synced.
    let mut staged: Vec<PathBuf> = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        let tmp = sibling(path, tag, "tmp");
        if let Err(e) = disk.write(&tmp, bytes) {
            let _ = disk.remove(&tmp);
            for t in &staged {
                let _ = disk.remove(t);
            }
            return Err((path.clone(), e));
        }
        staged.push(tmp);
    }
    // 2. Old files kept aside (linked, so the target stays in place until
    // it is replaced), new ones renamed over the targets.
    let mut backups: Vec<Option<PathBuf>> = Vec::with_capacity(files.len());
    let mut done = 0;
    let mut failure = None;
    for ((path, _), tmp) in files.iter().zip(&staged) {
        let backup = if disk.is_file(path) {
            let b = sibling(path, tag, "bak");
            let _ = disk.remove(&b);
            if let Err(e) = disk.hard_link(path, &b) {
                failure = Some((path.clone(), e));
                break;
            }
            Some(b)
        } else {
            None
        };
        backups.push(backup);
        if let Err(e) = disk.rename(tmp, path) {
            failure = Some((path.clone(), e));
            break;
        }
        done += 1;
    }
    if let Some(err) = failure {
        // Put back what was replaced; remove what was new.
        for ((path, _), backup) in files.iter().zip(&backups).take(done) {
            match backup {
                Some(b) => {
                    let _ = disk.rename(b, path);
                }
                None => {
                    let _ = disk.remove(path);
                }
            }
        }
        for backup in backups.iter().skip(done).flatten() {
            let _ = disk.remove(backup);
        }
        for tmp in staged.iter().skip(done) {
            let _ = disk.remove(tmp);
        }
        return Err(err);
    }
    // 3. The backups are no longer needed.
    for backup in backups.iter().flatten() {
        let _ = disk.remove(backup);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn replaces_whole_files_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out/book.pdf");
        write_atomically(&path, b"first").unwrap();
        write_atomically(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        assert_eq!(names(path.parent().unwrap()), ["book.pdf"]);
    }

    /// The real disk, failing at one operation: a write cut short after
    /// half its bytes (as on a full disk), or a rename, link or removal.
    struct Failing {
        ops: usize,
        fail_at: usize,
    }

    impl Failing {
        fn step(&mut self) -> io::Result<()> {
            self.ops += 1;
            if self.ops == self.fail_at {
                return Err(io::Error::other("no space left on device (simulated)"));
            }
            Ok(())
        }
    }

    impl Disk for Failing {
        fn write(&mut self, path: &Path, bytes: &[u8]) -> io::Result<()> {
            if self.ops + 1 == self.fail_at {
                // Part of the file reaches the disk, then the write fails.
                std::fs::write(path, &bytes[..bytes.len() / 2])?;
            }
            self.step()?;
            RealDisk.write(path, bytes)
        }
        fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
            self.step()?;
            RealDisk.rename(from, to)
        }
        fn hard_link(&mut self, from: &Path, to: &Path) -> io::Result<()> {
            self.step()?;
            RealDisk.hard_link(from, to)
        }
        fn remove(&mut self, path: &Path) -> io::Result<()> {
            // Clean-up removals do not fail (they are best effort anyway).
            RealDisk.remove(path)
        }
        fn is_file(&self, path: &Path) -> bool {
            path.is_file()
        }
    }

    #[test]
    fn a_failure_at_any_step_leaves_the_previous_pair_exactly_as_it_was() {
        // Old EPUB and PDF present; a report file is new this time.
        for fail_at in 1.. {
            let dir = tempfile::tempdir().unwrap();
            let epub = dir.path().join("book.epub");
            let pdf = dir.path().join("book.pdf");
            let report = dir.path().join("report.json");
            std::fs::write(&epub, b"old epub").unwrap();
            std::fs::write(&pdf, b"old pdf").unwrap();
            let files = vec![
                (epub.clone(), b"new epub bytes".to_vec()),
                (report.clone(), b"{}".to_vec()),
                (pdf.clone(), b"new pdf bytes".to_vec()),
            ];
            let mut disk = Failing { ops: 0, fail_at };
            let result = transact(&mut disk, &files, 7);
            let listing = names(dir.path());
            match result {
                Err(_) => {
                    assert_eq!(std::fs::read(&epub).unwrap(), b"old epub", "step {fail_at}");
                    assert_eq!(std::fs::read(&pdf).unwrap(), b"old pdf", "step {fail_at}");
                    assert_eq!(listing, ["book.epub", "book.pdf"], "step {fail_at}");
                }
                Ok(()) => {
                    // Past the last operation: everything was replaced.
                    assert!(fail_at > 7, "only {fail_at} steps");
                    assert_eq!(std::fs::read(&epub).unwrap(), b"new epub bytes");
                    assert_eq!(std::fs::read(&pdf).unwrap(), b"new pdf bytes");
                    assert_eq!(listing, ["book.epub", "book.pdf", "report.json"]);
                    break;
                }
            }
        }
    }

    #[test]
    fn a_target_that_cannot_be_replaced_rolls_back_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let epub = dir.path().join("book.epub");
        let pdf = dir.path().join("book.pdf");
        std::fs::write(&epub, b"old epub").unwrap();
        // A folder where the PDF goes: the rename onto it fails.
        std::fs::create_dir(&pdf).unwrap();
        std::fs::write(pdf.join("keep"), b"x").unwrap();
        let err = write_all_or_none(&[
            (epub.clone(), b"new epub".to_vec()),
            (pdf.clone(), b"new pdf".to_vec()),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("book.pdf"), "{err}");
        assert_eq!(std::fs::read(&epub).unwrap(), b"old epub");
        assert_eq!(names(dir.path()), ["book.epub", "book.pdf"]);
    }
}
