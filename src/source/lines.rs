//! Added lines: which lines of a new blob are not in the old one, and turning those
//! line ranges into chunks. Shared by every git source (staged change, commits).
//!
//! The line diff is imara-diff's histogram algorithm (git's `--histogram`), run
//! in-process on the two blobs; libgit2's blob patch would look up `.gitattributes`
//! diff drivers, which loads and checksums the whole index on every file.

use super::{Chunk, Origin, Visit};
use imara_diff::{Algorithm, Diff, InternedInput};
use std::sync::Arc;

/// The added line ranges of `new` against `old`: `(first line, line count)`, 1-based.
pub fn added_ranges(old: &[u8], new: &[u8]) -> Vec<(u32, u32)> {
    let input = InternedInput::new(old, new);
    let mut diff = Diff::compute(Algorithm::Histogram, &input);
    diff.postprocess_lines(&input);
    diff.hunks()
        .filter(|h| !h.after.is_empty())
        .map(|h| (h.after.start + 1, h.after.end - h.after.start))
        .collect()
}

/// Hands each line range of `content` to the visitor as one chunk; returns the
/// bytes handed on.
pub fn visit_ranges(
    origin: &Arc<Origin>,
    content: &[u8],
    ranges: &[(u32, u32)],
    visit: &mut dyn Visit,
) -> u64 {
    let starts = line_starts(content);
    let mut bytes = 0;
    for &(first, count) in ranges {
        let begin = starts
            .get(first as usize - 1)
            .copied()
            .unwrap_or(content.len());
        let end = starts
            .get((first + count - 1) as usize)
            .copied()
            .unwrap_or(content.len());
        let slice = &content[begin..end];
        bytes += slice.len() as u64;
        visit.chunk(&Chunk {
            origin: origin.clone(),
            first_line: first,
            bytes: slice,
        });
    }
    bytes
}

/// Byte offset where each line starts.
fn line_starts(content: &[u8]) -> Vec<usize> {
    std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', content).map(|i| i + 1))
        .filter(|&i| i < content.len())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Location, SkipReason};

    #[derive(Default)]
    struct Collect(Vec<(u32, Vec<u8>)>);
    impl Visit for Collect {
        fn file(&mut self, _: &Arc<Origin>) {}
        fn chunk(&mut self, c: &Chunk<'_>) {
            self.0.push((c.first_line, c.bytes.to_vec()));
        }
        fn skipped(&mut self, _: &Arc<Origin>, _: SkipReason) {}
    }

    #[test]
    fn ranges_become_line_chunks() {
        let origin = Origin::new("f", Location::Staged);
        let mut c = Collect::default();
        visit_ranges(&origin, b"a\nb\nc\nd", &[(2, 1), (4, 1)], &mut c);
        assert_eq!(c.0, vec![(2, b"b\n".to_vec()), (4, b"d".to_vec())]);
    }

    #[test]
    fn added_ranges_are_the_new_lines() {
        assert_eq!(
            added_ranges(b"a\nb\nc\n", b"a\nX\nb\nc\nY\nZ\n"),
            vec![(2, 1), (5, 2)]
        );
        assert_eq!(added_ranges(b"a\nb\n", b"a\n"), vec![]);
        assert_eq!(added_ranges(b"", b"a\nb"), vec![(1, 2)]);
        assert_eq!(
            added_ranges(b"a\nb", b"a\nb\n"),
            vec![(2, 1)],
            "a changed last line"
        );
    }
}
