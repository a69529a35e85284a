//! A zip reader as tolerant as the loaders that read model archives.
//!
//! PyTorch (`torch.load`), NumPy (`.npz`) and Keras open zips through the central
//! directory and then read each entry at its local header, using the local
//! header's name and extra lengths, as Python's `zipfile` does. They never check
//! a CRC before the data is used, ignore most local-header flags, and accept an
//! archive with bytes prepended (a self-extracting stub, a pickle in front) or
//! two entries of the same name. So does this reader: it trusts the central
//! directory (zip64 included), ignores CRCs, and keeps every entry, duplicates
//! too. An archive with no usable central directory is read from its local
//! headers instead.
//!
//! # Reusing it
//!
//! The reader knows nothing of models: the model detector and the archive
//! decoder both read zips through it.
//!
//! ```
//! use leakgate::decode::formats::zip::Archive;
//! # let bytes: &[u8] = b"";
//! if let Some(archive) = Archive::parse(bytes) {
//!     for entry in archive.entries().iter().filter(|e| !e.is_dir()) {
//!         match entry.read(16 << 20) {
//!             Ok(data) => { /* judge data.bytes; data.over_limit says it was cut */ }
//!             Err(why) => { /* encrypted, unknown method: report, do not skip silently */ }
//!         }
//!     }
//! }
//! ```
//!
//! [`Archive::parse`] never reads past the slice and never allocates more than
//! the directory; [`Entry::read`] and [`Entry::read_head`] decompress with a byte
//! limit, so a bomb costs at most the limit.

use super::compress::{self, Inflated};

/// One entry of the central directory (or of the local headers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<'a> {
    /// The name as stored (bytes; zip names need not be UTF-8).
    pub raw_name: &'a [u8],
    /// The compression method (0 stored, 8 deflate, 12 bzip2, 14 LZMA, ...).
    pub method: u16,
    /// The general-purpose flags of the central directory.
    pub flags: u16,
    /// The compressed bytes.
    pub data: &'a [u8],
    /// The uncompressed size the directory declares (not trusted for limits).
    pub size: u64,
    /// Where the local header starts in the archive's bytes.
    pub offset: u64,
}

impl Entry<'_> {
    /// The name, with invalid UTF-8 replaced.
    pub fn name(&self) -> String {
        String::from_utf8_lossy(self.raw_name).into_owned()
    }

    /// A directory entry (its name ends with `/`).
    pub fn is_dir(&self) -> bool {
        self.raw_name.ends_with(b"/")
    }

    /// Encrypted (flag bit 0): unreadable without the password.
    pub fn is_encrypted(&self) -> bool {
        self.flags & 1 != 0
    }

    /// The entry's bytes, at most `limit` of them.
    pub fn read(&self, limit: u64) -> Result<Inflated, String> {
        if self.is_encrypted() {
            return Err("encrypted".into());
        }
        match self.method {
            0 => {
                let n = self.data.len().min(limit as usize);
                Ok(Inflated {
                    bytes: self.data[..n].to_vec(),
                    over_limit: (self.data.len() as u64) > limit,
                    error: None,
                })
            }
            8 => Ok(compress::inflate(self.data, limit)),
            12 => Ok(compress::bunzip(self.data, limit)),
            14 => Ok(compress::zip_lzma(self.data, self.size, limit)),
            m => Err(format!("compression method {m} is not supported")),
        }
    }

    /// The first `n` bytes (or fewer), decompressing no more than that.
    pub fn read_head(&self, n: usize) -> Result<Vec<u8>, String> {
        self.read(n as u64).map(|i| i.bytes)
    }
}

/// A parsed archive.
#[derive(Debug, Clone)]
pub struct Archive<'a> {
    entries: Vec<Entry<'a>>,
}

const LOCAL: &[u8] = b"PK\x03\x04";
const CENTRAL: &[u8] = b"PK\x01\x02";
const END: &[u8] = b"PK\x05\x06";
const END64_LOCATOR: &[u8] = b"PK\x06\x07";
const END64: &[u8] = b"PK\x06\x06";

/// The largest directory accepted: a directory claiming more entries than this
/// is read only this far.
const MAX_ENTRIES: usize = 1 << 20;

impl<'a> Archive<'a> {
    /// Reads the directory of a zip in `bytes`: `None` if there is neither an end
    /// record nor a local header at the start.
    pub fn parse(bytes: &'a [u8]) -> Option<Archive<'a>> {
        if let Some(entries) = central_directory(bytes) {
            return Some(Archive { entries });
        }
        bytes.starts_with(LOCAL).then(|| Archive {
            entries: local_headers(bytes),
        })
    }

    /// Every entry, in directory order, duplicates included.
    pub fn entries(&self) -> &[Entry<'a>] {
        &self.entries
    }
}

/// Whether `bytes` ends with a zip end record (a zip appended to other bytes).
pub fn has_end_record(bytes: &[u8]) -> bool {
    find_end(bytes).is_some()
}

fn u16_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?) as u64)
}

fn u32_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?) as u64)
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// The offset of the end-of-central-directory record: the last signature in the
/// final 64 KiB + 22 bytes (the longest comment), as `zipfile` searches.
fn find_end(bytes: &[u8]) -> Option<usize> {
    let from = bytes.len().saturating_sub(0xffff + 22);
    let at = from + memchr::memmem::rfind(&bytes[from..], END)?;
    (bytes.len() - at >= 22).then_some(at)
}

/// Where the directory is, how many entries, and the offset correction for bytes
/// prepended to the archive.
struct Directory {
    start: usize,
    count: u64,
    shift: i64,
}

fn directory(bytes: &[u8]) -> Option<Directory> {
    let end = find_end(bytes)?;
    let mut count = u16_at(bytes, end + 10)?;
    let mut size = u32_at(bytes, end + 12)?;
    let mut offset = u32_at(bytes, end + 16)?;
    let mut record_start = end;
    if end >= 20 && &bytes[end - 20..end - 16] == END64_LOCATOR {
        let at = u64_at(bytes, end - 20 + 8)? as usize;
        let at = if bytes.get(at..at + 4) == Some(END64) {
            at
        } else {
            // Bytes prepended: the zip64 record sits right before the locator.
            end.checked_sub(20 + 56)?
        };
        if bytes.get(at..at + 4) == Some(END64) {
            count = u64_at(bytes, at + 32)?;
            size = u64_at(bytes, at + 40)?;
            offset = u64_at(bytes, at + 48)?;
            record_start = at;
        }
    }
    let start = (record_start as u64).checked_sub(size)?;
    Some(Directory {
        start: start as usize,
        count,
        shift: start as i64 - offset as i64,
    })
}

fn central_directory(bytes: &[u8]) -> Option<Vec<Entry<'_>>> {
    let dir = directory(bytes)?;
    let mut entries = Vec::new();
    let mut at = dir.start;
    for _ in 0..dir.count.min(MAX_ENTRIES as u64) {
        if bytes.get(at..at + 4) != Some(CENTRAL) {
            break;
        }
        let (entry, next) = central_entry(bytes, at, dir.shift)?;
        if let Some(e) = entry {
            entries.push(e);
        }
        at = next;
    }
    (!entries.is_empty() || dir.count == 0).then_some(entries)
}

/// One central directory record at `at`: the entry (if its local header is
/// readable) and where the next record starts.
fn central_entry(bytes: &[u8], at: usize, shift: i64) -> Option<(Option<Entry<'_>>, usize)> {
    let flags = u16_at(bytes, at + 8)? as u16;
    let method = u16_at(bytes, at + 10)? as u16;
    let mut csize = u32_at(bytes, at + 20)?;
    let mut size = u32_at(bytes, at + 24)?;
    let name_len = u16_at(bytes, at + 28)? as usize;
    let extra_len = u16_at(bytes, at + 30)? as usize;
    let comment_len = u16_at(bytes, at + 32)? as usize;
    let mut local = u32_at(bytes, at + 42)?;
    let name = bytes.get(at + 46..at + 46 + name_len)?;
    let extra = bytes.get(at + 46 + name_len..at + 46 + name_len + extra_len)?;
    zip64_fields(extra, &mut size, &mut csize, &mut local);
    let next = at + 46 + name_len + extra_len + comment_len;
    let local = local as i64 + shift;
    let entry = usize::try_from(local)
        .ok()
        .and_then(|local| entry_at(bytes, local, name, method, flags, csize, size));
    Some((entry, next))
}

/// The zip64 extra field (id 1) replaces the sizes and offset that are all ones.
fn zip64_fields(extra: &[u8], size: &mut u64, csize: &mut u64, local: &mut u64) {
    let mut i = 0;
    while i + 4 <= extra.len() {
        let id = u16_at(extra, i).unwrap_or(0);
        let len = u16_at(extra, i + 2).unwrap_or(0) as usize;
        let Some(body) = extra.get(i + 4..i + 4 + len) else {
            return;
        };
        if id == 1 {
            let mut j = 0;
            for field in [size, csize, local] {
                if *field == 0xffff_ffff {
                    if let Some(v) = u64_at(body, j) {
                        *field = v;
                    }
                    j += 8;
                }
            }
            return;
        }
        i += 4 + len;
    }
}

/// The entry whose local header is at `local`, with the directory's sizes and
/// the local header's name and extra lengths.
fn entry_at<'a>(
    bytes: &'a [u8],
    local: usize,
    name: &'a [u8],
    method: u16,
    flags: u16,
    csize: u64,
    size: u64,
) -> Option<Entry<'a>> {
    if bytes.get(local..local + 4) != Some(LOCAL) {
        return None;
    }
    let name_len = u16_at(bytes, local + 26)? as usize;
    let extra_len = u16_at(bytes, local + 28)? as usize;
    let start = local + 30 + name_len + extra_len;
    let end = start.checked_add(csize as usize)?.min(bytes.len());
    Some(Entry {
        raw_name: name,
        method,
        flags,
        data: bytes.get(start..end)?,
        size,
        offset: local as u64,
    })
}

/// Entries read from local headers one after the other, for an archive without
/// a usable central directory. An entry whose sizes are deferred to a data
/// descriptor runs to the next header.
fn local_headers(bytes: &[u8]) -> Vec<Entry<'_>> {
    let mut entries = Vec::new();
    let mut at = 0;
    while entries.len() < MAX_ENTRIES && bytes.get(at..at + 4) == Some(LOCAL) {
        let Some(entry) = local_entry(bytes, at) else {
            break;
        };
        let data_end = entry.data.as_ptr() as usize - bytes.as_ptr() as usize + entry.data.len();
        at = data_end;
        if bytes.get(at..at + 4) != Some(LOCAL) {
            // A data descriptor, or junk: find the next header.
            match memchr::memmem::find(&bytes[at..], LOCAL) {
                Some(i) => at += i,
                None => at = bytes.len(),
            }
        }
        entries.push(entry);
    }
    entries
}

fn local_entry(bytes: &[u8], at: usize) -> Option<Entry<'_>> {
    let flags = u16_at(bytes, at + 6)? as u16;
    let method = u16_at(bytes, at + 8)? as u16;
    let csize = u32_at(bytes, at + 18)?;
    let size = u32_at(bytes, at + 22)?;
    let name_len = u16_at(bytes, at + 26)? as usize;
    let extra_len = u16_at(bytes, at + 28)? as usize;
    let name = bytes.get(at + 30..at + 30 + name_len)?;
    let start = at + 30 + name_len + extra_len;
    let rest = bytes.get(start..)?;
    let len = if flags & 8 != 0 && csize == 0 {
        let next = [LOCAL, CENTRAL]
            .iter()
            .filter_map(|sig| memchr::memmem::find(rest, sig))
            .min();
        next.unwrap_or(rest.len())
    } else {
        (csize as usize).min(rest.len())
    };
    Some(Entry {
        raw_name: name,
        method,
        flags,
        data: &rest[..len],
        size,
        offset: at as u64,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A zip written by hand: `(name, data, method, flags)`, each deflated when
    /// `method` is 8; `prefix` bytes before it.
    pub fn build(prefix: &[u8], files: &[(&str, &[u8], u16, u16)]) -> Vec<u8> {
        use std::io::Write;
        let mut out = prefix.to_vec();
        let mut central = Vec::new();
        for (name, data, method, flags) in files {
            let stored = if *method == 8 {
                let mut e =
                    flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
                e.write_all(data).unwrap();
                e.finish().unwrap()
            } else {
                data.to_vec()
            };
            let offset = (out.len() - prefix.len()) as u32;
            let head = |sig: &[u8], out: &mut Vec<u8>| {
                out.extend_from_slice(sig);
                if sig == CENTRAL {
                    out.extend_from_slice(&20u16.to_le_bytes());
                }
                out.extend_from_slice(&20u16.to_le_bytes());
                out.extend_from_slice(&flags.to_le_bytes());
                out.extend_from_slice(&method.to_le_bytes());
                out.extend_from_slice(&[0; 4]); // time, date
                out.extend_from_slice(&0xdeadbeefu32.to_le_bytes()); // a wrong CRC
                out.extend_from_slice(&(stored.len() as u32).to_le_bytes());
                out.extend_from_slice(&(data.len() as u32).to_le_bytes());
                out.extend_from_slice(&(name.len() as u16).to_le_bytes());
                out.extend_from_slice(&0u16.to_le_bytes());
            };
            head(LOCAL, &mut out);
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(&stored);
            head(CENTRAL, &mut central);
            central.extend_from_slice(&[0; 6]); // comment len, disk, internal attrs
            central.extend_from_slice(&[0; 4]);
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
        let cd_offset = (out.len() - prefix.len()) as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(END);
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&(files.len() as u16).to_le_bytes());
        out.extend_from_slice(&(files.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&cd_offset.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }

    #[test]
    fn reads_every_entry_with_bad_crcs_duplicates_and_a_prefix() {
        let zip = build(
            b"#!/bin/sh\nexit 0\n",
            &[
                ("a/data.pkl", b"first", 0, 0),
                ("a/data.pkl", b"second copy", 8, 0x0800),
                ("a/dir/", b"", 0, 0),
            ],
        );
        let archive = Archive::parse(&zip).unwrap();
        let e = archive.entries();
        assert_eq!(e.len(), 3);
        assert_eq!(e[0].read(100).unwrap().bytes, b"first");
        assert_eq!(e[1].name(), "a/data.pkl");
        assert_eq!(e[1].read(100).unwrap().bytes, b"second copy");
        assert_eq!(e[1].read_head(3).unwrap(), b"sec");
        assert!(e[2].is_dir());
    }

    #[test]
    fn without_a_directory_the_local_headers_are_read() {
        let zip = build(b"", &[("x", b"payload", 8, 0), ("y", b"more", 0, 0)]);
        let cut = memchr::memmem::find(&zip, CENTRAL).unwrap();
        let archive = Archive::parse(&zip[..cut]).unwrap();
        let names: Vec<String> = archive.entries().iter().map(|e| e.name()).collect();
        assert_eq!(names, ["x", "y"]);
        assert_eq!(archive.entries()[0].read(100).unwrap().bytes, b"payload");
    }

    #[test]
    fn encrypted_and_unknown_methods_are_errors_not_silence() {
        let zip = build(b"", &[("e", b"x", 0, 1), ("z", b"x", 93, 0)]);
        let archive = Archive::parse(&zip).unwrap();
        assert_eq!(archive.entries()[0].read(10).unwrap_err(), "encrypted");
        assert!(archive.entries()[1].read(10).unwrap_err().contains("93"));
    }

    #[test]
    fn garbage_is_not_a_zip() {
        assert!(Archive::parse(b"not a zip at all").is_none());
        assert!(Archive::parse(b"PK\x05\x06").is_none());
        let mut junk = b"PK\x05\x06".to_vec();
        junk.extend_from_slice(&[0xff; 18]);
        assert!(Archive::parse(&junk).is_none_or(|a| a.entries().is_empty()));
    }
}
