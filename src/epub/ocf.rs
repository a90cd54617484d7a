//! Deterministic zip of the container's files.
//!
//! epub-builder stamps entries with the current time and writes them in
//! the order they were added. Here every entry is rewritten in a fixed
//! order — `mimetype` first and stored (the OCF rule), then `META-INF/`,
//! then the package document, then the rest by name — with one timestamp
//! taken from the book's metadata, so two builds of the same book are
//! byte-identical.

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

use zip::{DateTime, ZipArchive};

/// Reads every file of a zip into memory, by name.
pub fn read_entries(bytes: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut entries = BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).map_err(|e| e.to_string())?;
        if file.is_dir() {
            continue;
        }
        let mut data = Vec::with_capacity(file.size() as usize);
        file.read_to_end(&mut data).map_err(|e| e.to_string())?;
        entries.insert(file.name().to_string(), data);
    }
    Ok(entries)
}

/// Sort key: mimetype, container.xml, the rest of META-INF, the package
/// document, then everything else by name.
fn rank(name: &str) -> (u8, &str) {
    let group = match name {
        "mimetype" => 0,
        "META-INF/container.xml" => 1,
        n if n.starts_with("META-INF/") => 2,
        n if n.ends_with(".opf") => 3,
        _ => 4,
    };
    (group, name)
}

/// Files that are already compressed gain nothing from deflate.
fn is_precompressed(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".png", ".jpg", ".jpeg", ".gif", ".webp"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// The zip timestamp for seconds since the Unix epoch (UTC), clamped to the
/// range a zip can hold (1980–2107, two-second steps).
pub fn zip_time(epoch: i64) -> DateTime {
    // Days-from-civil inverse (proleptic Gregorian), from the epoch day.
    let days = epoch.div_euclid(86_400);
    let secs = epoch.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (hour, minute, second) = (secs / 3600, secs / 60 % 60, (secs % 60) & !1);
    let fallback = || {
        if year < 1980 {
            DateTime::default()
        } else {
            DateTime::from_date_and_time(2107, 12, 31, 23, 59, 58).unwrap_or_default()
        }
    };
    if !(1980..=2107).contains(&year) {
        return fallback();
    }
    DateTime::from_date_and_time(
        year as u16,
        month as u8,
        day as u8,
        hour as u8,
        minute as u8,
        second as u8,
    )
    .unwrap_or_else(|_| fallback())
}

/// What one EPUB container keeps for the next of the same book: each
/// file's bytes and their deflated form, so that a file written the same
/// again is not deflated again. [`Cache::default`] keeps nothing.
#[derive(Default)]
pub struct Cache {
    keep: bool,
    files: BTreeMap<String, Deflated>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ocf::Cache")
            .field("keep", &self.keep)
            .field("files", &self.files.len())
            .finish()
    }
}

impl Cache {
    /// A cache that keeps each container's files for the next.
    pub fn keeping() -> Cache {
        Cache {
            keep: true,
            ..Cache::default()
        }
    }
}

/// A file as it goes into the zip.
#[derive(Clone)]
struct Deflated {
    raw: Vec<u8>,
    crc: u32,
    /// The deflated bytes; `None`: stored as they are.
    data: Option<Vec<u8>>,
}

/// Deflate level 6: measured on the 300,000-word book, level 9 made the
/// EPUB under 1 % smaller and took two to three times as long.
const DEFLATE_LEVEL: u32 = 6;

/// Writes `entries` as an OCF container: `mimetype` first and stored,
/// everything else deflated (images stored) with the fixed `epoch` time.
#[cfg(test)]
pub fn write_container(entries: &BTreeMap<String, Vec<u8>>, epoch: i64) -> Result<Vec<u8>, String> {
    write_container_cached(entries, epoch, &mut Cache::default())
}

/// [`write_container`], taking the deflated files it can from `cache` and
/// leaving this container's there. The bytes are the same.
///
/// The zip is written here rather than with the zip crate's writer, which
/// cannot take data deflated before: a plain zip of small files (no zip64,
/// no data descriptors, no extra fields), as the OCF asks.
pub fn write_container_cached(
    entries: &BTreeMap<String, Vec<u8>>,
    epoch: i64,
    cache: &mut Cache,
) -> Result<Vec<u8>, String> {
    let time = zip_time(epoch);
    let (dos_time, dos_date) = (time.timepart(), time.datepart());
    let mut names: Vec<&String> = entries.keys().filter(|n| *n != "mimetype").collect();
    names.sort_by_key(|n| rank(n));
    let mimetype = b"application/epub+zip".to_vec();
    let files = std::iter::once(("mimetype", &mimetype)).chain(
        names
            .into_iter()
            .map(|name| (name.as_str(), &entries[name.as_str()])),
    );
    let mut old = std::mem::take(&mut cache.files);
    let mut out = Vec::with_capacity(entries.values().map(Vec::len).sum::<usize>() / 3 + 4096);
    let mut central = Vec::new();
    let mut count: u16 = 0;
    for (name, raw) in files {
        let stored = name == "mimetype" || is_precompressed(name);
        let file = match old.remove(name) {
            Some(f) if f.raw == *raw && f.data.is_none() == stored => f,
            _ => Deflated {
                // A copy of the file only when it is kept for the next.
                raw: if cache.keep { raw.clone() } else { Vec::new() },
                crc: crc32fast::hash(raw),
                data: (!stored).then(|| deflate(raw)),
            },
        };
        let offset = u32::try_from(out.len()).map_err(|_| "the EPUB is over 4 GB")?;
        let size = u32::try_from(raw.len()).map_err(|_| format!("{name} is over 4 GB"))?;
        let written = file.data.as_deref().unwrap_or(raw);
        let csize = u32::try_from(written.len()).map_err(|_| format!("{name} is over 4 GB"))?;
        let name_len = u16::try_from(name.len()).map_err(|_| format!("{name}: name too long"))?;
        let (method, version): (u16, u16) = if file.data.is_some() {
            (8, 20)
        } else {
            (0, 10)
        };
        // Bit 11: the name is UTF-8.
        let flags: u16 = if name.is_ascii() { 0 } else { 1 << 11 };
        let fixed = |out: &mut Vec<u8>| {
            for v in [version, flags, method, dos_time, dos_date] {
                out.extend_from_slice(&v.to_le_bytes());
            }
            for v in [file.crc, csize, size] {
                out.extend_from_slice(&v.to_le_bytes());
            }
        };
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        fixed(&mut out);
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(written);

        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        // Made by: Unix, zip 2.0 (the permissions below are Unix ones).
        central.extend_from_slice(&0x0314u16.to_le_bytes());
        fixed(&mut central);
        for v in [name_len, 0, 0, 0, 0] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        // A regular file, rw-r--r--.
        central.extend_from_slice(&(0o100_644u32 << 16).to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
        count = count
            .checked_add(1)
            .ok_or("the EPUB has more than 65,535 files")?;
        if cache.keep {
            cache.files.insert(name.to_string(), file);
        }
    }
    let central_at = u32::try_from(out.len()).map_err(|_| "the EPUB is over 4 GB")?;
    let central_len = central.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    for v in [0u16, 0, count, count] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&central_len.to_le_bytes());
    out.extend_from_slice(&central_at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    Ok(out)
}

/// Raw deflate (as zip stores it) at [`DEFLATE_LEVEL`].
fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::DeflateEncoder::new(
        Vec::with_capacity(data.len() / 3 + 64),
        flate2::Compression::new(DEFLATE_LEVEL),
    );
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_time_from_epoch() {
        let t = zip_time(1_700_000_000); // 2023-11-14 22:13:20 UTC
        assert_eq!(
            (
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
            (2023, 11, 14, 22, 13, 20)
        );
        let t = zip_time(951_825_599); // 2000-02-29 11:59:59 → even second
        assert_eq!(
            (t.year(), t.month(), t.day(), t.second()),
            (2000, 2, 29, 58)
        );
        assert_eq!(zip_time(0), DateTime::default());
    }

    #[test]
    fn mimetype_first_and_stored_then_fixed_order() {
        let mut entries = BTreeMap::new();
        entries.insert("OEBPS/b.xhtml".to_string(), b"<b/>".to_vec());
        entries.insert("OEBPS/content.opf".to_string(), b"<package/>".to_vec());
        entries.insert("META-INF/container.xml".to_string(), b"<c/>".to_vec());
        entries.insert("mimetype".to_string(), b"ignored".to_vec());
        let bytes = write_container(&entries, 1_700_000_000).unwrap();
        assert_eq!(&bytes[30..38], b"mimetype");
        assert_eq!(&bytes[38..58], b"application/epub+zip");
        // Local header: compression method (offset 8) 0 = stored.
        assert_eq!(&bytes[8..10], &[0, 0]);
        let mut archive = ZipArchive::new(Cursor::new(&bytes)).unwrap();
        let names: Vec<String> = (0..archive.len())
            .map(|i| archive.by_index(i).unwrap().name().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "mimetype",
                "META-INF/container.xml",
                "OEBPS/content.opf",
                "OEBPS/b.xhtml"
            ]
        );
        assert_eq!(write_container(&entries, 1_700_000_000).unwrap(), bytes);
    }
}
