//! Archives, opened so the rules judge what is inside them: zip (and the
//! formats that are zips: jar, war, whl, nupkg, apk, docx, ...), tar, and files
//! compressed with gzip, bzip2 or xz (`.tar.gz`, `.tgz`, a single `.gz`). A
//! finding inside one names the entry, `backup.zip!/config/.env:3:5`, and
//! archives inside archives are opened too
//! (`app.war!/WEB-INF/lib/x.jar!/app.properties`). A compressed tar is one
//! archive: its members come straight under it (`site.tar.gz!/conf/.env`).
//!
//! An archive is input someone else chose, and a small one can expand without
//! end (a zip bomb: a kilobyte of deflated zeros is a megabyte, and nested
//! zips multiply it). So every archive is read within bounds
//! ([`ArchiveLimits`]), on top of the decode stage's budget of bytes and pieces
//! per file:
//! - at most [`ArchiveLimits::depth`] archives one inside another;
//! - at most [`ArchiveLimits::entries`] entries per archive;
//! - an entry stops at [`ArchiveLimits::ratio`] bytes out per compressed byte
//!   (never below [`RATIO_FLOOR`], so small, very repetitive text still opens).
//!
//! Nothing is dropped in silence. What cannot be read (an encrypted entry, an
//! unknown compression method, a corrupt or truncated stream, a limit reached)
//! is reported unreadable with the place and why
//! (`backup.zip!/db.env (encrypted)`), and what was read before the break is
//! still judged. Binary entries (images, class files, a model's tensors) are
//! passed over, as the binary bytes inside any file are, and not listed: a jar
//! holds thousands, and the model detector judges pickles itself. Only their
//! first bytes are decompressed to tell.
//!
//! Archives are recognised by their magic bytes, never by their names, so a
//! chunk that is none costs a few compares. The readers are shared with the
//! model detector ([`super::formats`]).

use super::formats::compress::{self, Compression, Inflated};
use super::formats::{tar, zip};
use super::{Claim, Decoder, Piece, Pieces};
use crate::source::text::{classify, TextKind, HEAD};
use crate::types::{Chunk, Layer, LayerKind, LineRange, Placement, SkipReason};

/// Bounds on opening archives (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// Most archives opened one inside another (a jar in a war in an ear is 3).
    pub depth: usize,
    /// Most entries read per archive.
    pub entries: usize,
    /// Most bytes an entry may decompress to per compressed byte.
    pub ratio: u64,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            depth: 3,
            entries: 10_000,
            ratio: 100,
        }
    }
}

/// The bytes an entry may always decompress to, whatever its ratio: text that
/// repeats a line compresses far past any ratio a bomb check can use, and a
/// megabyte costs little to judge.
pub const RATIO_FLOOR: u64 = 1 << 20;

/// Opens archives (see the module docs).
pub struct Archives {
    limits: ArchiveLimits,
}

impl Archives {
    /// The decoder, within `limits`.
    pub fn new(limits: ArchiveLimits) -> Archives {
        Archives { limits }
    }
}

/// An archive format, by its magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Zip,
    Tar,
    Compressed(Compression),
}

/// Whether `bytes` start like an archive this decoder opens.
pub fn is_archive(bytes: &[u8]) -> bool {
    format(bytes).is_some()
}

fn format(bytes: &[u8]) -> Option<Format> {
    let format = match bytes {
        [b'P', b'K', 3, 4, ..] | [b'P', b'K', 5, 6, ..] => Format::Zip,
        [0x1f, 0x8b, 8, ..] => Format::Compressed(Compression::Gzip),
        [b'B', b'Z', b'h', b'1'..=b'9', 0x31, 0x41, 0x59, 0x26, 0x53, 0x59, ..] => {
            Format::Compressed(Compression::Bzip2)
        }
        [0xfd, b'7', b'z', b'X', b'Z', 0, ..] => Format::Compressed(Compression::Xz),
        _ if tar::starts_with_header(bytes) => Format::Tar,
        _ => return None,
    };
    Some(format)
}

impl Decoder for Archives {
    fn name(&self) -> &'static str {
        "archive"
    }

    fn decode(&self, chunk: &Chunk<'_>, out: &mut Pieces) -> Claim {
        let Some(format) = format(chunk.bytes) else {
            return Claim::Pass;
        };
        let lines = (
            chunk.first_line,
            memchr::memchr_iter(b'\n', chunk.bytes).count() as u32 + 1,
        );
        let mut open = Open {
            limits: self.limits,
            out,
            lines,
        };
        let opened = if nesting(chunk) >= self.limits.depth {
            let why = format!(
                "an archive inside {} others (decode.archive_depth): not opened",
                self.limits.depth
            );
            open.unread(Vec::new(), &why);
            true
        } else {
            match format {
                Format::Zip => open.zip(chunk.bytes),
                Format::Tar => open.tar(chunk.bytes),
                Format::Compressed(c) => open.compressed(c, chunk.bytes, super::file_name(chunk)),
            }
        };
        // Bytes that only looked like an archive are still scanned where they are text.
        match opened || classify(chunk.bytes) == TextKind::Binary {
            true => Claim::Replace,
            false => Claim::Extend,
        }
    }

    fn opens_binary(&self, bytes: &[u8]) -> bool {
        is_archive(bytes)
    }
}

/// How many archives the chunk is already inside.
fn nesting(chunk: &Chunk<'_>) -> usize {
    let layers = &chunk.origin.layers;
    layers
        .iter()
        .filter(|l| matches!(l.kind, LayerKind::ArchiveEntry { .. }))
        .count()
}

fn entry(path: &str) -> Layer {
    Layer {
        kind: LayerKind::ArchiveEntry {
            path: path.trim_start_matches("./").to_string(),
        },
        at: Placement::Unknown,
    }
}

/// Whether an entry whose first bytes are `head` is worth reading whole: text
/// (UTF-16 too) or another archive.
fn worth_reading(head: &[u8]) -> bool {
    is_archive(head) || classify(head) != TextKind::Binary
}

/// How much of an entry to read, and whether the ratio (rather than the
/// file's budget) set it.
#[derive(Clone, Copy)]
struct Limit {
    bytes: u64,
    by_ratio: bool,
}

/// One archive being opened: the limits and where its pieces go.
struct Open<'o> {
    limits: ArchiveLimits,
    out: &'o mut Pieces,
    lines: LineRange,
}

impl Open<'_> {
    /// Reports the place reached through `layers` as unreadable, and why.
    fn unread(&mut self, mut layers: Vec<Layer>, why: &str) {
        layers.push(Layer {
            kind: LayerKind::Part {
                what: format!("({why})"),
            },
            at: Placement::Unknown,
        });
        self.out.skip_in(layers, SkipReason::Unreadable);
    }

    /// The limit for an entry of `compressed` bytes; `None` (reported) when the
    /// file's decoding budget is spent.
    fn limit(&mut self, compressed: usize) -> Option<Limit> {
        let left = self.out.bytes_left() as u64;
        if left == 0 {
            let why = "the decoding budget (decode.max_bytes, decode.max_pieces) is spent: \
                       the rest was not read";
            self.unread(Vec::new(), why);
            return None;
        }
        let by_ratio = self
            .limits
            .ratio
            .saturating_mul(compressed as u64)
            .max(RATIO_FLOOR);
        Some(Limit {
            bytes: by_ratio.min(left),
            by_ratio: by_ratio <= left,
        })
    }

    /// Reports what went wrong reading `layers`, if anything did.
    fn report(&mut self, layers: &[Layer], read: &Inflated, limit: Limit) {
        if let Some(e) = &read.error {
            self.unread(layers.to_vec(), &format!("corrupt: {e}"));
        }
        if read.over_limit {
            let why = match limit.by_ratio {
                true => format!(
                    "decompresses to over {}x its size (decode.archive_ratio): only the first {} bytes were read",
                    self.limits.ratio, limit.bytes
                ),
                false => format!(
                    "the decoding budget (decode.max_bytes) ran out: only the first {} bytes were read",
                    limit.bytes
                ),
            };
            self.unread(layers.to_vec(), &why);
        }
    }

    /// Reports and hands on an entry's bytes; false when the pieces must stop.
    fn hand_on(&mut self, layer: Layer, read: Inflated, limit: Limit) -> bool {
        self.report(std::slice::from_ref(&layer), &read, limit);
        if read.bytes.is_empty() {
            return true;
        }
        self.out.push(Piece {
            layer,
            lines: self.lines,
            bytes: read.bytes,
        })
    }

    /// Reports that there are more entries than the limit.
    fn too_many(&mut self) {
        let why = format!(
            "more than {} entries (decode.archive_entries): the rest were not read",
            self.limits.entries
        );
        self.unread(Vec::new(), &why);
    }

    /// Opens a zip; false when it is no readable zip (reported).
    fn zip(&mut self, bytes: &[u8]) -> bool {
        let Some(archive) = zip::Archive::parse(bytes) else {
            self.unread(Vec::new(), "not a readable zip");
            return false;
        };
        let files = archive.entries().iter().filter(|e| !e.is_dir());
        for (i, e) in files.enumerate() {
            if i == self.limits.entries {
                self.too_many();
                break;
            }
            if !self.zip_entry(e) {
                break;
            }
        }
        true
    }

    /// Reads one zip entry; false when the pieces must stop.
    fn zip_entry(&mut self, e: &zip::Entry<'_>) -> bool {
        let layer = entry(&e.name());
        let head = match e.read(HEAD as u64) {
            Ok(head) => head,
            Err(why) => {
                self.unread(vec![layer], &why);
                return true;
            }
        };
        if !worth_reading(&head.bytes) {
            if let Some(why) = &head.error {
                self.unread(vec![layer], &format!("corrupt: {why}"));
            }
            return true;
        }
        let Some(limit) = self.limit(e.data.len()) else {
            return false;
        };
        match e.read(limit.bytes) {
            Ok(read) => self.hand_on(layer, read, limit),
            Err(why) => {
                self.unread(vec![layer], &why);
                true
            }
        }
    }

    /// Opens a tar (its members are stored, so only the budget bounds them).
    fn tar(&mut self, bytes: &[u8]) -> bool {
        let listing = tar::read(bytes, self.limits.entries.saturating_add(1));
        for (i, member) in listing.members.iter().enumerate() {
            if i == self.limits.entries {
                self.too_many();
                return true;
            }
            if !self.tar_member(member) {
                return true;
            }
        }
        if let Some(at) = listing.broken_at {
            let why = format!("a broken header at byte {at}: the rest was not read");
            self.unread(Vec::new(), &why);
        }
        true
    }

    /// Reads one tar member; false when the pieces must stop.
    fn tar_member(&mut self, member: &tar::Member<'_>) -> bool {
        let layer = entry(&member.name);
        let mut data = member.data;
        if member.truncated {
            let why = "truncated: the archive ends before the size its header declares";
            self.unread(vec![layer.clone()], why);
            // What follows the data is the archive's padding and end blocks.
            let end = data.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
            data = &data[..end];
        }
        if !worth_reading(&data[..data.len().min(HEAD)]) {
            return true;
        }
        let Some(limit) = self.limit(data.len()) else {
            return false;
        };
        let n = data.len().min(limit.bytes as usize);
        let read = Inflated {
            bytes: data[..n].to_vec(),
            over_limit: n < data.len(),
            error: None,
        };
        self.hand_on(layer, read, limit)
    }

    /// Opens a compressed file named `name`: a compressed tar as the tar, else
    /// one entry (named as the gzip header says, or as the file without its
    /// extension).
    fn compressed(&mut self, c: Compression, bytes: &[u8], name: &str) -> bool {
        let Some(limit) = self.limit(bytes.len()) else {
            return true;
        };
        let read = compress::decompress(c, bytes, limit.bytes);
        if format(&read.bytes) == Some(Format::Tar) {
            self.report(&[], &read, limit);
            return self.tar(&read.bytes);
        }
        let inner = match c {
            Compression::Gzip => compress::gzip_name(bytes),
            _ => None,
        };
        let inner = inner.unwrap_or_else(|| decompressed_name(name));
        self.hand_on(entry(&inner), read, limit);
        true
    }
}

/// The name of a compressed file's content: its own name without the
/// compression's extension (`notes.txt.gz` holds `notes.txt`, `site.tgz` a tar).
fn decompressed_name(path: &str) -> String {
    let base = path.rsplit('/').next().unwrap_or(path);
    let lower = base.to_ascii_lowercase();
    for (ext, becomes) in [
        (".tgz", ".tar"),
        (".tbz2", ".tar"),
        (".txz", ".tar"),
        (".gz", ""),
        (".bz2", ""),
        (".xz", ""),
    ] {
        if lower.ends_with(ext) && base.len() > ext.len() {
            return format!("{}{becomes}", &base[..base.len() - ext.len()]);
        }
    }
    base.to_string()
}

#[cfg(test)]
mod tests {
    use super::super::formats::tar::tests::tar;
    use super::super::formats::zip::tests::build as zip;
    use super::super::tests::Seen;
    use super::super::{Decoders, Limits};
    use super::*;
    use crate::types::{Location, Origin};
    use std::io::Write as _;

    fn open_with(limits: ArchiveLimits, name: &str, bytes: &[u8]) -> Seen {
        let d = Decoders::new(vec![Box::new(Archives::new(limits))], Limits::default());
        let mut seen = Seen::default();
        let origin = Origin::new(name, Location::File);
        assert!(d.expand_binary(&origin, bytes, &mut seen), "opened {name}");
        seen
    }

    fn open(name: &str, bytes: &[u8]) -> Seen {
        open_with(ArchiveLimits::default(), name, bytes)
    }

    fn names(seen: &Seen) -> Vec<&str> {
        seen.chunks.iter().map(|(n, _)| n.as_str()).collect()
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn magic_bytes_decide_and_text_is_no_archive() {
        assert!(is_archive(&zip(b"", &[("a", b"x", 0, 0)])));
        assert!(is_archive(&tar("a", b"x")));
        assert!(is_archive(&gzip(b"x")));
        assert!(!is_archive(b"PK is a fine way to start a sentence"));
        let mut fake = vec![b' '; 600];
        fake[257..262].copy_from_slice(b"ustar");
        assert!(!is_archive(&fake), "ustar at 257 without a header checksum");
        assert!(!is_archive(b""));
    }

    #[test]
    fn text_entries_become_pieces_and_binary_ones_are_passed_over() {
        let z = zip(
            b"",
            &[
                ("config/.env", b"TOKEN=abc\n", 8, 0),
                ("img.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0", 0, 0),
                ("dir/", b"", 0, 0),
                ("notes.txt", b"plain\n", 0, 0),
            ],
        );
        let seen = open("backup.zip", &z);
        assert_eq!(
            seen.chunks,
            vec![
                ("backup.zip!/config/.env".into(), b"TOKEN=abc\n".to_vec()),
                ("backup.zip!/notes.txt".into(), b"plain\n".to_vec()),
            ]
        );
        assert!(seen.skipped.is_empty(), "{:?}", seen.skipped);
    }

    #[test]
    fn what_cannot_be_read_is_reported_with_why() {
        let z = zip(
            b"",
            &[
                ("secret.env", b"x", 0, 1),
                ("odd", b"x", 93, 0),
                ("ok", b"fine", 0, 0),
            ],
        );
        let seen = open("a.zip", &z);
        assert_eq!(names(&seen), ["a.zip!/ok"]);
        assert_eq!(
            seen.skipped,
            vec![
                (
                    "a.zip!/secret.env (encrypted)".into(),
                    SkipReason::Unreadable
                ),
                (
                    "a.zip!/odd (compression method 93 is not supported)".into(),
                    SkipReason::Unreadable
                ),
            ]
        );
        let mut broken = gzip(&b"line\n".repeat(10_000));
        broken.truncate(broken.len() / 2);
        let seen = open("log.gz", &broken);
        assert_eq!(names(&seen), ["log.gz!/log"], "what came before the break");
        assert!(
            seen.skipped[0].0.starts_with("log.gz!/log (corrupt"),
            "{:?}",
            seen.skipped
        );
    }

    #[test]
    fn a_bomb_stops_at_the_ratio_and_says_so() {
        let text = b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n".repeat(1 << 16);
        let z = zip(
            b"",
            &[("bomb.txt", &text, 8, 0), ("after.env", b"K=v\n", 0, 0)],
        );
        let limits = ArchiveLimits {
            ratio: 10,
            ..ArchiveLimits::default()
        };
        let seen = open_with(limits, "b.zip", &z);
        assert_eq!(names(&seen), ["b.zip!/bomb.txt", "b.zip!/after.env"]);
        assert_eq!(seen.chunks[0].1.len() as u64, RATIO_FLOOR, "the floor");
        assert_eq!(seen.skipped.len(), 1);
        assert!(
            seen.skipped[0]
                .0
                .starts_with("b.zip!/bomb.txt (decompresses to over 10x"),
            "{:?}",
            seen.skipped
        );
        let seen = open("small.zip", &zip(b"", &[("t", &text[..1 << 19], 8, 0)]));
        assert!(
            seen.skipped.is_empty(),
            "under the floor: {:?}",
            seen.skipped
        );
    }

    #[test]
    fn nested_archives_open_to_the_depth_limit() {
        let mut inner = zip(b"", &[("deep.env", b"K=v\n", 0, 0)]);
        for level in (1..=3).rev() {
            inner = zip(b"", &[(&format!("l{level}.zip"), &inner, 8, 0)]);
        }
        let seen = open("top.zip", &inner);
        assert!(seen.chunks.is_empty());
        assert_eq!(
            seen.skipped,
            vec![(
                "top.zip!/l1.zip!/l2.zip!/l3.zip (an archive inside 3 others \
                 (decode.archive_depth): not opened)"
                    .into(),
                SkipReason::Unreadable
            )]
        );
        let deeper = ArchiveLimits {
            depth: 4,
            ..ArchiveLimits::default()
        };
        let seen = open_with(deeper, "top.zip", &inner);
        assert_eq!(names(&seen), ["top.zip!/l1.zip!/l2.zip!/l3.zip!/deep.env"]);
    }

    #[test]
    fn entries_past_the_limit_are_reported() {
        let z = zip(
            b"",
            &[("a", b"1", 0, 0), ("b", b"2", 0, 0), ("c", b"3", 0, 0)],
        );
        let limits = ArchiveLimits {
            entries: 2,
            ..ArchiveLimits::default()
        };
        let seen = open_with(limits, "many.zip", &z);
        assert_eq!(names(&seen), ["many.zip!/a", "many.zip!/b"]);
        assert!(
            seen.skipped[0].0.contains("more than 2 entries"),
            "{:?}",
            seen.skipped
        );
    }

    #[test]
    fn a_compressed_tar_is_one_archive_and_a_gz_holds_one_file() {
        let t = tar("./conf/app.env", b"K=v\n");
        let seen = open("site.tar.gz", &gzip(&t));
        assert_eq!(names(&seen), ["site.tar.gz!/conf/app.env"]);
        assert!(seen.skipped.is_empty(), "{:?}", seen.skipped);
        let seen = open("site.tar", &t);
        assert_eq!(names(&seen), ["site.tar!/conf/app.env"]);
        let seen = open("dir/notes.txt.gz", &gzip(b"hello\n"));
        assert_eq!(names(&seen), ["dir/notes.txt.gz!/notes.txt"]);
        assert_eq!(decompressed_name("a/site.TGZ"), "site.tar");
        assert_eq!(decompressed_name("blob"), "blob");
        assert_eq!(decompressed_name(".gz"), ".gz");
    }

    #[test]
    fn a_tar_that_declares_more_than_it_holds_is_reported() {
        let mut t = tar("big.log", b"K=v\n");
        t[124..136].copy_from_slice(format!("{:011o}\0", 1u64 << 32).as_bytes());
        t[148..156].copy_from_slice(b"        ");
        let sum: u32 = t[..512].iter().map(|&b| b as u32).sum();
        t[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        let seen = open("huge.tar", &t);
        assert_eq!(names(&seen), ["huge.tar!/big.log"]);
        assert!(seen.skipped[0]
            .0
            .starts_with("huge.tar!/big.log (truncated"));
        assert_eq!(seen.skipped[0].1, SkipReason::Unreadable);
    }

    #[test]
    fn the_file_budget_bounds_every_archive_together() {
        let big = vec![b'x'; 1000];
        let z = zip(b"", &[("a", &big, 0, 0), ("b", &big, 0, 0)]);
        let d = Decoders::new(
            vec![Box::new(Archives::new(ArchiveLimits::default()))],
            Limits {
                bytes: 1500,
                ..Limits::default()
            },
        );
        let mut seen = Seen::default();
        d.expand_binary(&Origin::new("z.zip", Location::File), &z, &mut seen);
        assert_eq!(seen.chunks[0].1.len(), 1000);
        assert_eq!(seen.chunks[1].1.len(), 500);
        assert!(
            seen.skipped[0].0.contains("decoding budget"),
            "{:?}",
            seen.skipped
        );
    }
}
