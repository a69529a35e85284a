//! Files, directories and stdin.
//!
//! Directories are walked with the `ignore` crate on every core. By default every
//! file is scanned (hidden ones too, since `.env` files are where secrets live) except
//! what is inside `.git` directories; `.gitignore` rules are honoured only on request,
//! because an ignored file on disk can still leak through a backup or an archive.
//! Symlinks are not followed.

use super::{scannable, visit_whole, Location, Origin, SkipReason, Visit};
use anyhow::{Context, Result};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// How to walk.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Files larger than this are skipped.
    pub max_size: u64,
    /// Honour `.gitignore`, `.ignore` and git's exclude files.
    pub gitignore: bool,
    /// Worker threads (0: one per core).
    pub threads: usize,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            max_size: super::DEFAULT_MAX_FILE_SIZE,
            gitignore: false,
            threads: 0,
        }
    }
}

/// What a walk looked at.
#[derive(Debug, Default)]
pub struct Stats {
    /// Files read and scanned.
    pub files: AtomicUsize,
    /// Bytes scanned.
    pub bytes: AtomicU64,
}

/// Makes one visitor per worker thread.
pub type VisitorFactory<'a> = dyn Fn() -> Box<dyn Visit + Send + 'a> + Sync + 'a;

/// Walks `paths` (files or directories) in parallel, reporting every file.
/// A path that does not exist is an error before anything is scanned.
pub fn walk(paths: &[PathBuf], opts: &WalkOptions, make: &VisitorFactory<'_>) -> Result<Stats> {
    for p in paths {
        std::fs::symlink_metadata(p).with_context(|| format!("cannot read {}", p.display()))?;
    }
    let stats = Stats::default();
    let Some((first, rest)) = paths.split_first() else {
        return Ok(stats);
    };
    let mut builder = ignore::WalkBuilder::new(first);
    for p in rest {
        builder.add(p);
    }
    builder
        .standard_filters(false)
        .git_ignore(opts.gitignore)
        .git_exclude(opts.gitignore)
        .ignore(opts.gitignore)
        .parents(opts.gitignore)
        .require_git(false)
        .follow_links(false)
        .threads(opts.threads)
        .filter_entry(|e| e.file_name() != ".git");
    builder.build_parallel().run(|| {
        let mut visitor = make();
        let stats = &stats;
        Box::new(move |entry| {
            match entry {
                Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                    visit_file(e.path(), opts.max_size, visitor.as_mut(), stats);
                }
                Ok(_) => {}
                Err(err) => {
                    let path = err_path(&err).unwrap_or_default();
                    let origin = Origin::new(path, Location::File);
                    visitor.skipped(&origin, SkipReason::Unreadable);
                }
            }
            ignore::WalkState::Continue
        })
    });
    Ok(stats)
}

fn err_path(err: &ignore::Error) -> Option<String> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(display(path)),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            err_path(err)
        }
        _ => None,
    }
}

/// The path as shown in reports: `/` separators, no leading `./`.
fn display(path: &Path) -> String {
    let s = path.to_string_lossy();
    let s = s.strip_prefix("./").unwrap_or(&s);
    if std::path::MAIN_SEPARATOR == '/' {
        s.to_string()
    } else {
        s.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

fn visit_file(path: &Path, max_size: u64, visit: &mut dyn Visit, stats: &Stats) {
    let origin = Origin::new(display(path), Location::File);
    visit.file(&origin);
    let too_big = std::fs::metadata(path).map(|m| m.len() > max_size);
    let bytes = match too_big {
        Ok(true) => return visit.skipped(&origin, SkipReason::TooLarge),
        Ok(false) => std::fs::read(path),
        Err(e) => Err(e),
    };
    let Ok(bytes) = bytes else {
        return visit.skipped(&origin, SkipReason::Unreadable);
    };
    if !scannable(&origin, &bytes, max_size, visit) {
        return;
    }
    stats.files.fetch_add(1, Ordering::Relaxed);
    stats
        .bytes
        .fetch_add(visit_whole(&origin, &bytes, visit), Ordering::Relaxed);
}

/// Reads all of stdin as one chunk under the path `-`.
pub fn read_stdin(max_size: u64, visit: &mut dyn Visit) -> Result<Stats> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(max_size + 1)
        .read_to_end(&mut bytes)
        .context("cannot read standard input")?;
    let origin = Origin::new("-", Location::Stdin);
    let stats = Stats::default();
    if scannable(&origin, &bytes, max_size, visit) {
        stats.files.store(1, Ordering::Relaxed);
        stats
            .bytes
            .store(visit_whole(&origin, &bytes, visit), Ordering::Relaxed);
    }
    Ok(stats)
}
