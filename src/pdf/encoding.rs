//! Low-level encodings shared by the PDF writer: numbers and strings in
//! content streams, dates, the deterministic hash behind subset tags and
//! the file /ID, and deflate.
//!
//! Content streams are written by hand into byte buffers (no allocation per
//! number or glyph); everything else goes through pdf-writer.

use std::io::Write;

use flate2::write::ZlibEncoder;
use flate2::Compression;

/// Deflate level for every stream we compress. Measured on the content of
/// a dense 600-page book (4.8 MB of operators, zlib-rs): level 1 takes
/// 6.7 ms for 421 KB, level 3 13.6 ms for 335 KB, level 6 19.9 ms for
/// 310 KB, level 9 34 ms for 295 KB. Level 3 is the knee: a fifth smaller
/// than level 1 for 7 ms, where higher levels buy little more.
const DEFLATE_LEVEL: u32 = 3;

/// Compresses `data` with zlib/deflate, as `/Filter /FlateDecode` expects.
pub(super) fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(
        Vec::with_capacity(data.len() / 3 + 64),
        Compression::new(DEFLATE_LEVEL),
    );
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}

/// A reusable deflate compressor for the many page content streams.
/// Setting up a compressor allocates and clears its window and hash
/// tables (a few hundred KiB); doing that once instead of once per page
/// took a seventh of the whole build's time off a 1,400-page book. The
/// output is the same as [`deflate`]'s.
pub(crate) struct Deflater {
    z: flate2::Compress,
}

impl Deflater {
    pub(super) fn new() -> Deflater {
        Deflater {
            z: flate2::Compress::new(Compression::new(DEFLATE_LEVEL), true),
        }
    }

    /// Compresses `data` as one zlib stream.
    pub(super) fn deflate(&mut self, data: &[u8]) -> Vec<u8> {
        self.z.reset();
        // Content streams deflate to about 40%: room for that at once.
        let mut out = Vec::with_capacity(data.len() / 2 + 64);
        loop {
            let consumed = usize::try_from(self.z.total_in()).unwrap_or(data.len());
            let rest = data.get(consumed..).unwrap_or_default();
            match self
                .z
                .compress_vec(rest, &mut out, flate2::FlushCompress::Finish)
            {
                Ok(flate2::Status::StreamEnd) => return out,
                // Out of room: grow and go on.
                Ok(_) => out.reserve(out.capacity().max(64)),
                // Cannot happen for in-memory input; the plain path is
                // always right.
                Err(_) => return deflate(data),
            }
        }
    }
}

/// Appends an integer in decimal.
pub(super) fn push_int(buf: &mut Vec<u8>, v: i64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    let neg = v < 0;
    let mut n = v.unsigned_abs();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if neg {
        buf.push(b'-');
    }
    buf.extend_from_slice(&tmp[i..]);
}

/// Appends a number rounded to `decimals` (0–4) places, without trailing
/// zeros and never in exponent notation (which PDF does not allow).
/// Non-finite values are written as 0.
pub(super) fn push_num(buf: &mut Vec<u8>, v: f64, decimals: u32) {
    let scale = 10i64.pow(decimals);
    let scaled = if v.is_finite() {
        (v * scale as f64).round() as i64
    } else {
        0
    };
    if scaled < 0 {
        buf.push(b'-');
    }
    let abs = scaled.unsigned_abs();
    push_int(buf, (abs / scale as u64) as i64);
    let mut frac = abs % scale as u64;
    if frac != 0 {
        let mut digits = decimals;
        while frac.is_multiple_of(10) {
            frac /= 10;
            digits -= 1;
        }
        buf.push(b'.');
        let mut tmp = [b'0'; 4];
        for slot in tmp[..digits as usize].iter_mut().rev() {
            *slot = b'0' + (frac % 10) as u8;
            frac /= 10;
        }
        buf.extend_from_slice(&tmp[..digits as usize]);
    }
}

/// Appends bytes as the body of a literal string (without the parentheses),
/// escaping what the PDF syntax requires. A raw CR would be read back as LF,
/// so it is escaped too.
pub(super) fn push_literal_bytes(buf: &mut Vec<u8>, bytes: &[u8]) {
    for &b in bytes {
        match b {
            b'(' | b')' | b'\\' => {
                buf.push(b'\\');
                buf.push(b);
            }
            b'\r' => buf.extend_from_slice(b"\\r"),
            _ => buf.push(b),
        }
    }
}

/// A 128-bit FNV-1a style hash, fed 8 bytes at a time. Stable across Rust
/// versions and platforms (unlike `std`'s hashers), so it can name subset
/// fonts and build the file /ID reproducibly.
#[derive(Debug, Clone)]
pub(super) struct StableHash(u128);

impl StableHash {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;

    pub(super) fn new() -> StableHash {
        StableHash(Self::OFFSET)
    }

    fn mix(&mut self, word: u64) {
        self.0 ^= u128::from(word);
        self.0 = self.0.wrapping_mul(Self::PRIME);
    }

    pub(super) fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        for &b in chunks.remainder() {
            self.mix(u64::from(b));
        }
        // Length terminator so that ("ab", "c") and ("a", "bc") differ.
        self.mix(bytes.len() as u64 ^ 0xff00_0000_0000_0000);
    }

    pub(super) fn write_u32(&mut self, v: u32) {
        self.mix(u64::from(v));
    }

    pub(super) fn digest(&self) -> u128 {
        // A final avalanche so that the low bits depend on every input bit.
        let mut h = self.0;
        h ^= h >> 67;
        h = h.wrapping_mul(Self::PRIME);
        h ^= h >> 59;
        h
    }
}

/// Calendar date and time (UTC) of a Unix timestamp, without reading any
/// clock: (year, month, day, hour, minute, second).
pub(super) fn civil_from_epoch(epoch: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = epoch.div_euclid(86_400);
    let secs = epoch.rem_euclid(86_400);
    // Howard Hinnant's days-from-civil inverse, shifted to start years in March.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        (secs / 3600) as u32,
        (secs / 60 % 60) as u32,
        (secs % 60) as u32,
    )
}

/// A PDF date string, `D:YYYYMMDDHHmmSS+00'00'`.
pub(super) fn pdf_date(epoch: i64) -> String {
    let (y, mo, d, h, mi, s) = civil_from_epoch(epoch);
    format!("D:{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}+00'00'")
}

/// An XMP (ISO 8601) date, `YYYY-MM-DDTHH:mm:SSZ`.
pub(super) fn xmp_date(epoch: i64) -> String {
    let (y, mo, d, h, mi, s) = civil_from_epoch(epoch);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// Upper-case hex of bytes (for the /ID and UTF-16 in CMaps).
pub(super) fn push_hex(buf: &mut Vec<u8>, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    for &b in bytes {
        buf.push(DIGITS[usize::from(b >> 4)]);
        buf.push(DIGITS[usize::from(b & 15)]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(v: f64, d: u32) -> String {
        let mut b = Vec::new();
        push_num(&mut b, v, d);
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn reused_deflater_matches_a_fresh_one() {
        let mut d = Deflater::new();
        // Big enough to need several rounds of output growth.
        let big: Vec<u8> = (0..200_000u32)
            .flat_map(|i| (i.wrapping_mul(2_654_435_761) >> 13).to_le_bytes())
            .collect();
        for data in [&b"BT /F0 11 Tf [(a)-12(b)]TJ ET"[..], &big, b"", b"x"] {
            let out = d.deflate(data);
            assert_eq!(out, deflate(data), "{} bytes", data.len());
            let mut back = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::ZlibDecoder::new(&out[..]), &mut back)
                .unwrap();
            assert_eq!(back, data);
        }
    }

    #[test]
    fn numbers_are_short_and_never_exponential() {
        assert_eq!(num(72.0, 2), "72");
        assert_eq!(num(72.5, 2), "72.5");
        assert_eq!(num(-0.004, 2), "0");
        assert_eq!(num(-12.345_6, 2), "-12.35");
        assert_eq!(num(0.05, 2), "0.05");
        assert_eq!(num(1e-9, 3), "0");
        assert_eq!(num(123456.789, 3), "123456.789");
        assert_eq!(num(f64::NAN, 2), "0");
        let mut b = Vec::new();
        push_int(&mut b, -9_007_199_254_740_993);
        assert_eq!(b, b"-9007199254740993");
    }

    #[test]
    fn literal_escapes_delimiters_and_cr() {
        let mut b = Vec::new();
        push_literal_bytes(&mut b, b"a(b)c\\\r\n");
        assert_eq!(b, b"a\\(b\\)c\\\\\\r\n");
    }

    #[test]
    fn dates_from_epoch() {
        assert_eq!(pdf_date(0), "D:19700101000000+00'00'");
        // 2024-02-29T12:34:56Z, a leap day.
        assert_eq!(pdf_date(1_709_210_096), "D:20240229123456+00'00'");
        assert_eq!(xmp_date(1_709_210_096), "2024-02-29T12:34:56Z");
        assert_eq!(xmp_date(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn hash_is_stable_and_sensitive() {
        let h = |parts: &[&[u8]]| {
            let mut s = StableHash::new();
            for p in parts {
                s.write(p);
            }
            s.digest()
        };
        assert_eq!(h(&[b"abc"]), h(&[b"abc"]));
        assert_ne!(h(&[b"ab", b"c"]), h(&[b"a", b"bc"]));
        assert_ne!(h(&[b"abcdefgh1"]), h(&[b"abcdefgh2"]));
    }
}
