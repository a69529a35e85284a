//! Sources turn a place (the staged change, commits, files, stdin) into [`Chunk`]s of
//! bytes with an [`Origin`]. They know nothing of rules: the engine judges chunks.
//!
//! A source reports through a [`Visit`] callback rather than returning a list, so a
//! chunk's bytes can borrow from a blob that lives only while it is visited.

pub mod commits;
pub mod files;
pub mod history;
pub mod index;
pub mod lines;
pub mod renames;
pub mod staged;
pub mod tree_diff;

use std::sync::Arc;

/// Where a chunk came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The staged change (the index against HEAD).
    Staged,
    /// A commit.
    Commit(CommitInfo),
    /// A file on disk.
    File,
    /// Standard input.
    Stdin,
}

/// The commit a chunk was added in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    /// Full hex object id.
    pub id: String,
    /// Author name.
    pub author: String,
    /// Author e-mail.
    pub email: String,
    /// Author time, seconds since the Unix epoch.
    pub time: i64,
}

/// The place a chunk (and so a finding) came from: a path and a location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Repository-relative path with `/` separators (for git sources), the path as
    /// given (for files) or `-` (for stdin). Non-UTF-8 bytes are replaced.
    pub path: String,
    /// Which kind of place.
    pub location: Location,
}

impl Origin {
    /// A shared origin for a path at a location.
    pub fn new(path: impl Into<String>, location: Location) -> Arc<Origin> {
        Arc::new(Origin {
            path: path.into(),
            location,
        })
    }

    /// The commit id, if this origin is a commit.
    pub fn commit(&self) -> Option<&CommitInfo> {
        match &self.location {
            Location::Commit(c) => Some(c),
            _ => None,
        }
    }
}

/// A run of bytes to scan: for git sources, a contiguous run of added lines.
#[derive(Debug, Clone)]
pub struct Chunk<'a> {
    /// Where the bytes came from.
    pub origin: Arc<Origin>,
    /// The 1-based line number of the first byte.
    pub first_line: u32,
    /// The bytes, as stored (no decoding).
    pub bytes: &'a [u8],
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
    /// A Git LFS pointer: the content is not in git.
    LfsPointer,
    /// A model file (or a part of one) that could not be judged: encrypted, an
    /// unknown compression, over a size limit.
    NotJudged,
}

impl SkipReason {
    /// Plural noun phrase for summaries ("binary files").
    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::Binary => "binary",
            SkipReason::TooLarge => "over the size limit",
            SkipReason::Unreadable => "unreadable",
            SkipReason::LfsPointer => {
                "that are Git LFS pointers (the content is not in git, so it was not judged)"
            }
            SkipReason::NotJudged => "not fully judged as model files",
        }
    }
}

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

/// Bytes git would call binary: a NUL among the first 8000.
pub fn is_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8000)];
    memchr::memchr(0, head).is_some()
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
    visit.chunk(&Chunk {
        origin: origin.clone(),
        first_line: 1,
        bytes: content,
    });
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
