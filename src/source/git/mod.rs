//! Git sources: what a repository is about to record or already holds.
//!
//! - [`staged`]: the index against HEAD, what `git commit` is about to record
//!   (read with our own [`index`] reader and the cache-tree [`tree_diff`]);
//! - [`push`] and [`commits`]: the commits a push brings, each judged by the lines
//!   it adds against its parents;
//! - [`history`]: every distinct blob of a history once, attributed to the commit
//!   that introduced it;
//! - [`pack`]: many blobs read straight from the pack files, each object inflated
//!   once (what [`history`] reads with).
//!
//! Every changed file goes on as one chunk of its new content with the added
//! lines marked ([`lines`]); a new file as a whole chunk.
//!
//! One rename policy for every source: a file at a path that did not hold it
//! before (added, renamed or copied) is judged whole at its new path, so moving a
//! secret out of an allowed or baselined path (`git mv tests/keys.py src/`) makes
//! a new finding in the pre-commit hook, both push hooks and `history` alike. Only
//! a file modified in place is judged by the lines it adds.

pub mod commits;
pub mod history;
pub mod index;
pub mod lines;
pub mod objects;
pub mod pack;
pub mod push;
pub mod refs;
pub mod staged;
pub mod tree_diff;

use anyhow::{anyhow, Result};

/// Why a SHA-256 repository is refused, and what still works.
const SHA256: &str = "this is a SHA-256 repository (`git init --object-format=sha256`), \
    which leakgate cannot read yet: its git library, libgit2, reads only SHA-1 repositories. \
    Nothing was judged. `leakgate scan` still judges the files on disk \
    (for a commit: `git diff --cached --name-only -z --diff-filter=d | xargs -0 -r leakgate scan --`); \
    or keep the repository in SHA-1, git's default";

/// Opens the repository git's environment names (`GIT_DIR`, a push's
/// quarantine) or the one around the current directory, calling a SHA-256
/// repository what it is rather than "not a repository".
pub fn open_from_env() -> Result<git2::Repository> {
    git2::Repository::open_from_env().map_err(|e| {
        if e.message().contains("unknown object format") {
            anyhow!(SHA256)
        } else {
            e.into()
        }
    })
}
