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
/// A path that does not exist is an error before anything is scanned.
pub fn walk(roots: &[PathBuf], opts: &WalkOptions, make: &VisitorFactory<'_>) -> Result<Stats> {
    for p in roots {
        std::fs::symlink_metadata(p).with_context(|| format!("cannot read {}", p.display()))?;
    }
    let stats = Stats::default();
    let Some((first, rest)) = roots.split_first() else {
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
                    paths::visit_file(e.path(), opts.max_size, visitor.as_mut(), stats);
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
        ignore::Error::WithPath { path, .. } => Some(paths::display(path)),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            err_path(err)
        }
        _ => None,
    }
}
