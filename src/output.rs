//! Writing artifacts safely: a build either replaces an output file whole
//! or leaves the previous one untouched.

use std::io::Write;
use std::path::Path;

use crate::diag::{Diagnostic, StageResult};

/// Writes `bytes` to a temporary file beside `path`, syncs it, then renames
/// it over `path` (atomic on the same file system).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> StageResult<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .map_err(|e| Diagnostic::error(format!("cannot create output folder: {e}")).in_file(dir))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Diagnostic::error(format!("cannot write output: {e}"))
            .in_file(path)
            .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out/book.pdf");
        write_atomically(&path, b"first").unwrap();
        write_atomically(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("book.pdf")]);
    }

    #[test]
    fn failure_keeps_previous_output() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("book.epub");
        std::fs::write(&path, b"good").unwrap();
        // A directory where the temp file should go makes the write fail.
        let blocker = dir
            .path()
            .join(format!(".book.epub.{}.tmp", std::process::id()));
        std::fs::create_dir(&blocker).unwrap();
        assert!(write_atomically(&path, b"new").is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"good");
    }
}
