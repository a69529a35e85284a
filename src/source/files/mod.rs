//! Files, directories and stdin.
//!
//! Directories are walked with the `ignore` crate on every core ([`dirs`]). By
//! default every file is scanned (hidden ones too, since `.env` files are where
//! secrets live) except what is inside `.git` directories; `.gitignore` rules are
//! honoured only on request, because an ignored file on disk can still leak through
//! a backup or an archive. Symlinks are not followed. Each file is read whole and
//! goes on as one chunk ([`paths`]); stdin is one chunk under the path `-`
//! ([`stdin`]).

pub mod dirs;
pub mod paths;
pub mod stdin;

pub use dirs::{walk, VisitorFactory, WalkOptions};
use std::sync::atomic::{AtomicU64, AtomicUsize};
pub use stdin::read_stdin;

/// What a walk looked at.
#[derive(Debug, Default)]
pub struct Stats {
    /// Files read and scanned.
    pub files: AtomicUsize,
    /// Bytes scanned.
    pub bytes: AtomicU64,
}
