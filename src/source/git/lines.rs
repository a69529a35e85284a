//! Added lines: which lines of a new blob are not in the old one, and handing the
//! blob on as a changed chunk with those lines marked. Shared by every git source
//! (staged change, commits).
//!
//! The line diff is imara-diff's histogram algorithm (git's `--histogram`), run
//! in-process on the two blobs; libgit2's blob patch would look up `.gitattributes`
//! diff drivers, which loads and checksums the whole index on every file.

use crate::source::Visit;
use crate::types::{range_bytes, Chunk, LineRange, Origin};
use imara_diff::{Algorithm, Diff, InternedInput};
use std::sync::Arc;

/// The added line ranges of `new` against `old`: `(first line, line count)`, 1-based.
pub fn added_ranges(old: &[u8], new: &[u8]) -> Vec<LineRange> {
    let input = InternedInput::new(old, new);
    let mut diff = Diff::compute(Algorithm::Histogram, &input);
    diff.postprocess_lines(&input);
    diff.hunks()
        .filter(|h| !h.after.is_empty())
        .map(|h| (h.after.start + 1, h.after.end - h.after.start))
        .collect()
}

/// Hands `content` to the visitor as a changed file of which the `ranges` lines
/// are new; returns the bytes of those lines.
pub fn visit_ranges(
    origin: &Arc<Origin>,
    content: &[u8],
    ranges: &[LineRange],
    visit: &mut dyn Visit,
) -> u64 {
    visit.chunk(&Chunk::changed(origin.clone(), content, ranges));
    range_bytes(content, ranges)
}

#[cfg(test)]
mod tests {
    use super::*;

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
