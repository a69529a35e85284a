//! Files, directories and stdin.
//!
//! Directories are walked with the `ignore` crate on every core ([`dirs`]). By
//! default every file is scanned (hidden ones too, since `.env` files are where
//! secrets live) except what is inside `.git` directories; `.gitignore` rules are
//! honoured only on request, because an ignored file on disk can still leak through
//! a backup or an archive. Symlinks are not followed in a walk. Each file is read
//! whole and goes on as one chunk ([`paths`]); stdin is one chunk under the path
//! `-` ([`stdin`]).
//!
//! Nothing fails open: a path named on the command line is followed and read
//! whatever it is (a FIFO, `/dev/stdin`, a process substitution `<(cmd)` are
//! read as streams); a FIFO, socket or device met inside a walk is listed as
//! skipped, never opened (it could block the scan forever); and every file or
//! directory that could not be read is collected in [`Stats::unreadable`], which
//! the commands turn into exit 2 after the report ([`Stats::check`]).

pub mod dirs;
pub mod paths;
pub mod stdin;

use anyhow::{bail, Result};
pub use dirs::{walk, VisitorFactory, WalkOptions};
use std::sync::atomic::{AtomicU64, AtomicUsize};
use std::sync::Mutex;
pub use stdin::read_stdin;

/// What a walk looked at.
#[derive(Debug, Default)]
pub struct Stats {
    /// Files read and scanned.
    pub files: AtomicUsize,
    /// Bytes scanned.
    pub bytes: AtomicU64,
    /// Every file or directory that could not be read, as `path (why)`.
    pub unreadable: Mutex<Vec<String>>,
}

impl Stats {
    /// Adds what another walk looked at.
    pub fn add(&mut self, other: Stats) {
        *self.files.get_mut() += other.files.into_inner();
        *self.bytes.get_mut() += other.bytes.into_inner();
        let more = other
            .unreadable
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        let list = self.unreadable.get_mut().unwrap_or_else(|e| e.into_inner());
        list.extend(more);
    }

    /// Notes a path that could not be read, and why.
    pub fn unreadable(&self, path: &str, why: &dyn std::fmt::Display) {
        let mut list = self.unreadable.lock().unwrap_or_else(|e| e.into_inner());
        list.push(format!("{path} ({why})"));
    }

    /// An error naming every path that could not be read, if any: what was not
    /// read was not judged, so the scan cannot pass for clean (exit 2).
    pub fn check(&self) -> Result<()> {
        let mut list = self.unreadable.lock().unwrap_or_else(|e| e.into_inner());
        if list.is_empty() {
            return Ok(());
        }
        list.sort();
        bail!(
            "could not read {} {}, so {} not judged: {}",
            list.len(),
            if list.len() == 1 { "path" } else { "paths" },
            if list.len() == 1 {
                "it was"
            } else {
                "they were"
            },
            list.join(", ")
        )
    }
}
