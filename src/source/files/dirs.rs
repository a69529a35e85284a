//! Directories (and the files named on the command line), walked in parallel.

use super::{paths, Stats};
use crate::source::Visit;
use crate::types::{Location, Origin, SkipReason};
use anyhow::{Context, Result};
use std::path::PathBuf;

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
            max_size: crate::source::DEFAULT_MAX_FILE_SIZE,
            gitignore: false,
            threads: 0,
        }
    }
}

/// Makes one visitor per worker thread.
pub type VisitorFactory<'a> = dyn Fn() -> Box<dyn Visit + Send + 'a> + Sync + 'a;

/// Walks `roots` (files or directories) in parallel, reporting every file.
/// A path that does not exist is an error before anything is scanned. A root is
/// followed if it is a symlink and read whatever it is: a directory is walked, any
/// other root (a regular file, a FIFO, `/dev/stdin`, `<(cmd)`) is read whole.
/// Inside a walk, symlinks are not followed and special files are listed unread.
/// What could not be read is in the returned [`Stats::unreadable`].
pub fn walk(roots: &[PathBuf], opts: &WalkOptions, make: &VisitorFactory<'_>) -> Result<Stats> {
    let mut kinds = Vec::with_capacity(roots.len());
    for p in roots {
        let meta = std::fs::metadata(p).with_context(|| format!("cannot read {}", p.display()))?;
        kinds.push(meta.file_type());
    }
    let stats = Stats::default();
    let mut dirs = Vec::new();
    let mut visitor = make();
    for (p, kind) in roots.iter().zip(kinds) {
        if kind.is_dir() {
            dirs.push(p);
        } else if kind.is_file() {
            paths::visit_file(p, opts.max_size, visitor.as_mut(), &stats);
        } else {
            paths::visit_stream(p, opts.max_size, visitor.as_mut(), &stats);
        }
    }
    drop(visitor);
    walk_dirs(&dirs, opts, make, &stats);
    Ok(stats)
}

/// Walks directories in parallel.
fn walk_dirs(dirs: &[&PathBuf], opts: &WalkOptions, make: &VisitorFactory<'_>, stats: &Stats) {
    let Some((first, rest)) = dirs.split_first() else {
        return;
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
        Box::new(move |entry| {
            visit_entry(entry, opts, visitor.as_mut(), stats);
            ignore::WalkState::Continue
        })
    });
}

/// One entry of a walk: a regular file is read, a special file (FIFO, socket,
/// device) is listed unread, an error is an unreadable path.
fn visit_entry(
    entry: std::result::Result<ignore::DirEntry, ignore::Error>,
    opts: &WalkOptions,
    visitor: &mut (dyn Visit + Send + '_),
    stats: &Stats,
) {
    match entry {
        Ok(e) => match e.file_type() {
            Some(t) if t.is_file() => paths::visit_file(e.path(), opts.max_size, visitor, stats),
            Some(t) if t.is_dir() || t.is_symlink() => {}
            _ => {
                let origin = Origin::new(paths::display(e.path()), Location::File);
                visitor.skipped(&origin, SkipReason::Special);
            }
        },
        Err(err) => {
            let path = err_path(&err).unwrap_or_default();
            stats.unreadable(&path, &io_cause(&err));
            let origin = Origin::new(path, Location::File);
            visitor.skipped(&origin, SkipReason::Unreadable);
        }
    }
}

/// The OS error under a walk error, or the error itself.
fn io_cause(err: &ignore::Error) -> String {
    match err.io_error() {
        Some(e) => e.to_string(),
        None => err.to_string(),
    }
}

fn err_path(err: &ignore::Error) -> Option<String> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(paths::display(path)),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            err_path(err)
        }
        _ => None,
    }
}
