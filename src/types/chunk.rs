//! Chunks: the bytes a source hands on to be judged, and why a file was not.

use super::Origin;
use std::sync::Arc;

/// A run of lines, 1-based: `(first line, line count)`.
pub type LineRange = (u32, u32);

/// Bytes to judge, with where they came from.
///
/// For a file that is new (or read whole: files, stdin, history blobs) the chunk is
/// its content and `added` is `None`. For a file a change modifies, the chunk is
/// still the whole new content, and `added` lists the lines the change adds: only
/// findings that touch one of them are reported, and the engine reads only the
/// lines around them. Decoders see the whole content either way, so a notebook is
/// parsed whole even when one cell changed.
#[derive(Debug, Clone)]
pub struct Chunk<'a> {
    /// Where the bytes came from.
    pub origin: Arc<Origin>,
    /// The 1-based line number of the first byte.
    pub first_line: u32,
    /// The bytes, as stored (or as a decoder produced them).
    pub bytes: &'a [u8],
    /// For a changed file, the added lines (sorted, not overlapping); `None` when
    /// every line is new.
    pub added: Option<&'a [LineRange]>,
}

impl<'a> Chunk<'a> {
    /// All of `bytes` is new, from line 1.
    pub fn whole(origin: Arc<Origin>, bytes: &'a [u8]) -> Chunk<'a> {
        Chunk {
            origin,
            first_line: 1,
            bytes,
            added: None,
        }
    }

    /// The new content of a changed file, of which the `added` lines are new.
    pub fn changed(origin: Arc<Origin>, bytes: &'a [u8], added: &'a [LineRange]) -> Chunk<'a> {
        Chunk {
            origin,
            first_line: 1,
            bytes,
            added: Some(added),
        }
    }

    /// Whether lines `first..=last` touch a line this chunk adds.
    pub fn touches_added(&self, first: u32, last: u32) -> bool {
        self.added.is_none_or(|ranges| {
            ranges
                .iter()
                .any(|&(start, count)| first < start + count && start <= last)
        })
    }

    /// The parts to scan: the whole chunk when every line is new; else each added
    /// run widened by up to `context` lines on each side, as long as the widening
    /// adds no more than `max_context_bytes` on that side, with runs whose windows
    /// meet merged. Each part carries its own first line and no `added` list.
    pub fn windows(&self, context: u32, max_context_bytes: usize) -> Vec<Chunk<'a>> {
        let Some(ranges) = self.added else {
            return vec![self.clone()];
        };
        let starts = line_starts(self.bytes);
        let at = |line: u32| {
            let i = line.saturating_sub(self.first_line) as usize;
            starts.get(i).copied().unwrap_or(self.bytes.len())
        };
        let last_line = self.first_line + (starts.len() as u32).max(1) - 1;
        let mut spans: Vec<(u32, u32)> = Vec::new();
        for &(first, count) in ranges.iter().filter(|r| r.1 > 0) {
            let last = first + count - 1;
            let mut lo = first.max(self.first_line);
            while lo > self.first_line
                && first - lo < context
                && at(first) - at(lo - 1) <= max_context_bytes
            {
                lo -= 1;
            }
            let mut hi = last;
            while hi < last_line
                && hi - last < context
                && at(hi + 2) - at(last + 1) <= max_context_bytes
            {
                hi += 1;
            }
            match spans.last_mut() {
                Some(prev) if lo <= prev.1 + 1 => prev.1 = prev.1.max(hi),
                _ => spans.push((lo, hi)),
            }
        }
        spans
            .into_iter()
            .map(|(lo, hi)| Chunk {
                origin: self.origin.clone(),
                first_line: lo,
                bytes: &self.bytes[at(lo)..at(hi + 1)],
                added: None,
            })
            .collect()
    }
}

/// The byte offset where each line of `bytes` starts.
pub fn line_starts(bytes: &[u8]) -> Vec<usize> {
    std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1))
        .filter(|&i| i < bytes.len())
        .collect()
}

/// The bytes of the lines in `ranges` (the lines a change adds).
pub fn range_bytes(bytes: &[u8], ranges: &[LineRange]) -> u64 {
    let starts = line_starts(bytes);
    let at = |line: u32| {
        starts
            .get(line.saturating_sub(1) as usize)
            .copied()
            .unwrap_or(bytes.len())
    };
    ranges
        .iter()
        .map(|&(first, count)| (at(first + count) - at(first)) as u64)
        .sum()
}

/// Why a file was not scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SkipReason {
    /// It holds a NUL byte in its first 8000 bytes (git's test).
    Binary,
    /// It is larger than the size limit.
    TooLarge,
    /// It could not be read.
    Unreadable,
    /// Decoding it (an archive, nested encodings) went past the decoding limits.
    DecodeLimit,
    /// A Git LFS pointer: the content is not in git.
    LfsPointer,
    /// A model file (or a part of one) that could not be judged: encrypted, an
    /// unknown compression, over a size limit.
    NotJudged,
    /// Not a regular file (a FIFO, socket or device met while walking a
    /// directory): reading it could block or never end, so it is listed instead.
    Special,
}

impl SkipReason {
    /// Plural noun phrase for summaries ("binary files").
    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::Binary => "binary",
            SkipReason::TooLarge => "over the size limit",
            SkipReason::Unreadable => "unreadable",
            SkipReason::DecodeLimit => "past the decoding limits",
            SkipReason::LfsPointer => {
                "that are Git LFS pointers (the content is not in git, so it was not judged)"
            }
            SkipReason::NotJudged => "not fully judged as model files",
            SkipReason::Special => "of a special kind (FIFO, socket, device: never read in a walk)",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Location;

    fn texts(chunk: &Chunk<'_>, context: u32, max: usize) -> Vec<(u32, String)> {
        chunk
            .windows(context, max)
            .iter()
            .map(|c| (c.first_line, String::from_utf8_lossy(c.bytes).into_owned()))
            .collect()
    }

    #[test]
    fn without_context_windows_are_the_added_lines() {
        let origin = Origin::new("f", Location::Staged);
        let ranges = [(2, 1), (4, 1)];
        let c = Chunk::changed(origin, b"a\nb\nc\nd", &ranges);
        assert_eq!(
            texts(&c, 0, 1 << 20),
            vec![(2, "b\n".into()), (4, "d".into())]
        );
    }

    #[test]
    fn context_widens_and_merges_windows_within_the_byte_bound() {
        let origin = Origin::new("f", Location::Staged);
        let ranges = [(2, 1), (5, 1)];
        let c = Chunk::changed(origin, b"1\n2\n3\n4\n5\n6\n7\n", &ranges);
        assert_eq!(
            texts(&c, 1, 1 << 20),
            vec![(1, "1\n2\n3\n4\n5\n6\n".into())]
        );
        assert_eq!(texts(&c, 3, 2), vec![(1, "1\n2\n3\n4\n5\n6\n".into())]);
        let ranges = [(4, 1)];
        let c = Chunk::changed(
            Origin::new("f", Location::Staged),
            b"1\n2\n3\n4\n5\n6\n7\n",
            &ranges,
        );
        assert_eq!(texts(&c, 10, 4), vec![(2, "2\n3\n4\n5\n6\n".into())]);
    }

    #[test]
    fn whole_chunks_touch_everything_and_changed_ones_only_their_lines() {
        let o = Origin::new("f", Location::File);
        assert!(Chunk::whole(o.clone(), b"x").touches_added(9, 9));
        let ranges = [(3, 2)];
        let c = Chunk::changed(o, b"", &ranges);
        assert!(c.touches_added(1, 3) && c.touches_added(4, 9));
        assert!(!c.touches_added(1, 2) && !c.touches_added(5, 6));
    }

    #[test]
    fn range_bytes_counts_the_added_lines() {
        assert_eq!(range_bytes(b"a\nbb\nccc", &[(2, 2)]), 6);
        assert_eq!(range_bytes(b"a\nbb\n", &[(1, 1)]), 2);
    }
}
