//! Sources turn a place into [`Chunk`]s of bytes with an [`Origin`]: [`git`] reads
//! the staged change, pushed objects and whole histories; [`files`] reads paths,
//! directories and stdin. Sources know nothing of rules or formats: decoders see
//! inside the chunks, the engine judges them.
//!
//! A source reports through a [`Visit`] callback rather than returning a list, so a
//! chunk's bytes can borrow from a blob that lives only while it is visited.

pub mod files;
pub mod git;
pub mod text;

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
    /// The whole content of a file, binary or not, before the text path decides
    /// whether to scan it: for judges of file formats (model files). Returns
    /// whether a judge read the file's format, so a binary file it read is not
    /// reported as skipped.
    fn whole(&mut self, _origin: &Arc<Origin>, _content: &[u8]) -> bool {
        false
    }
}

/// Bytes that are not text: a NUL among the first 8000 (git's test), unless
/// they are UTF-16 text or text with a stray NUL ([`text::classify`]).
pub fn is_binary(bytes: &[u8]) -> bool {
    text::classify(bytes) == text::TextKind::Binary
}

/// Whether a git file mode is a regular file (not a symlink, tree or gitlink).
pub fn is_regular(mode: u32) -> bool {
    mode & 0o170000 == 0o100000
}

/// Whether `content` may be scanned as text: not over `max_size` and not
/// binary. When it may not, the visitor hears why. First, the visitor's file
/// judges see the whole content ([`Visit::whole`]), so a binary model file is
/// judged before the text path skips it.
pub fn scannable(
    origin: &Arc<Origin>,
    content: &[u8],
    max_size: u64,
    visit: &mut dyn Visit,
) -> bool {
    let too_large = content.len() as u64 > max_size;
    let judged = !too_large && visit.whole(origin, content);
    let skip = if too_large {
        SkipReason::TooLarge
    } else if is_binary(content) {
        if judged {
            return false;
        }
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

/// Size up to which a file on disk over the text limit is still handed to file
/// judges (model files are hundreds of megabytes to gigabytes), in bytes.
pub const MAX_MODEL_SIZE: u64 = 64 << 30;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_in_head_is_binary() {
        assert!(is_binary(b"abc\0def\x01\x02\x03"));
        assert!(!is_binary(b"caf\xc3\xa9 \xff\xfe invalid utf-8 is text"));
        let mut late = vec![b'a'; 9000];
        late[8500] = 0;
        assert!(!is_binary(&late));
    }
}
