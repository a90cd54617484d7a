//! The files a book names besides its chapters — images, fonts, the cover,
//! a stylesheet — read in one place, once: every stage that needs one asks
//! [`read`]. A file is read again only when its size or modification time
//! changed, so the rebuilds of `folio watch` and `folio serve` read only
//! what the author changed, and what they keep from a file is known to be
//! of the file as it is.
//!
//! (Chapters and what they include are read by [`super::load_sources`],
//! whose texts the caches compare.)

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

/// A file as read, and what it was then.
struct Read {
    len: u64,
    modified: SystemTime,
    bytes: Arc<Vec<u8>>,
}

static FILES: Mutex<BTreeMap<PathBuf, Read>> = Mutex::new(BTreeMap::new());

fn files() -> MutexGuard<'static, BTreeMap<PathBuf, Read>> {
    // The map is only ever replaced entry by entry: a panic elsewhere
    // cannot leave it half-updated.
    FILES.lock().unwrap_or_else(|e| e.into_inner())
}

/// The bytes of the file at `path`: as read before if its size and
/// modification time are the same, else read now.
pub fn read(path: &Path) -> std::io::Result<Arc<Vec<u8>>> {
    let meta = std::fs::metadata(path)?;
    // A file system without modification times: read every time.
    let Ok(modified) = meta.modified() else {
        return std::fs::read(path).map(Arc::new);
    };
    if let Some(read) = files().get(path) {
        if read.len == meta.len() && read.modified == modified {
            return Ok(Arc::clone(&read.bytes));
        }
    }
    let bytes = Arc::new(std::fs::read(path)?);
    files().insert(
        path.to_path_buf(),
        Read {
            len: meta.len(),
            modified,
            bytes: Arc::clone(&bytes),
        },
    );
    Ok(bytes)
}

/// The file at `path` as UTF-8 text (see [`read`]).
pub fn read_to_string(path: &Path) -> std::io::Result<String> {
    let bytes = read(path)?;
    String::from_utf8(bytes.to_vec())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_file_is_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.bin");
        std::fs::write(&path, b"one").unwrap();
        let first = read(&path).unwrap();
        assert_eq!(first.as_slice(), b"one");
        // The same file: the same bytes, not read again.
        assert!(Arc::ptr_eq(&first, &read(&path).unwrap()));
        // Another size.
        std::fs::write(&path, b"three").unwrap();
        assert_eq!(read(&path).unwrap().as_slice(), b"three");
        // The same size, another time.
        std::fs::write(&path, b"THREE").unwrap();
        let later = SystemTime::now() + std::time::Duration::from_secs(5);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(later)
            .unwrap();
        assert_eq!(read(&path).unwrap().as_slice(), b"THREE");
        assert!(read(&dir.path().join("missing")).is_err());
    }
}
