//! Sources turn a place into [`Chunk`]s of bytes with an [`Origin`]: [`git`] reads
//! the staged change, pushed objects and whole histories; [`files`] reads paths,
//! directories and stdin. Sources know nothing of rules or formats: decoders see
//! inside the chunks, the engine judges them.
//!
//! A source reports through a [`Visit`] callback rather than returning a list, so a
//! chunk's bytes can borrow from a blob that lives only while it is visited.

pub mod files;
pub mod git;

pub use crate::types::{Chunk, CommitInfo, Location, Origin, SkipReason};
use std::sync::Arc;

/// What a source reports while it walks its place.
pub trait Visit {
    /// A file was added or changed: path rules judge it (whatever its content).
    fn file(&mut self, origin: &Arc<Origin>);
    /// Bytes to scan.
    fn chunk(&mut self, chunk: &Chunk<'_>);
    /// A file that was not scanned, and why.
    fn skipped(&mut self, origin: &Arc<Origin>, reason: SkipReason);
}

/// Bytes git would call binary: a NUL among the first 8000.
pub fn is_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8000)];
    memchr::memchr(0, head).is_some()
}

/// Whether a git file mode is a regular file (not a symlink, tree or gitlink).
pub fn is_regular(mode: u32) -> bool {
    mode & 0o170000 == 0o100000
}

/// Whether `content` may be scanned: not over `max_size` and not binary. When it
/// may not, the visitor hears why.
pub fn scannable(
    origin: &Arc<Origin>,
    content: &[u8],
    max_size: u64,
    visit: &mut dyn Visit,
) -> bool {
    let skip = if content.len() as u64 > max_size {
        SkipReason::TooLarge
    } else if is_binary(content) {
        SkipReason::Binary
    } else {
        return true;
    };
    visit.skipped(origin, skip);
    false
}

/// Hands all of `content` to the visitor as one chunk from line 1; returns the
/// bytes handed on.
pub fn visit_whole(origin: &Arc<Origin>, content: &[u8], visit: &mut dyn Visit) -> u64 {
    visit.chunk(&Chunk::whole(origin.clone(), content));
    content.len() as u64
}

/// Default size above which a file or blob is skipped, in bytes.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 25 * 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_in_head_is_binary() {
        assert!(is_binary(b"abc\0def"));
        assert!(!is_binary(b"caf\xc3\xa9 \xff\xfe invalid utf-8 is text"));
        let mut late = vec![b'a'; 9000];
        late[8500] = 0;
        assert!(!is_binary(&late));
    }
}
