//! The staged change: what `git commit` is about to record.
//!
//! The deltas come from a diff of the HEAD tree (none on an unborn branch) against
//! the index ([`super::tree_diff`], reading the index with [`super::index`] and
//! skipping unchanged directories). A renamed or copied file is judged whole at
//! its new path (the rename policy of [`super`]).
//! Content always comes from the index blobs, never the work tree, so a partially
//! staged file is judged by what will be committed. A changed file goes on as its
//! new content with the lines added against the old blob marked (only findings
//! touching them count); a new file as a whole chunk. Symlinks and submodules are not followed. Nothing here writes to the
//! index, the work tree or any ref.

use super::objects::Objects;
use super::tree_diff::{self, Delta, Status};
use super::{index, lines};
use crate::source::{is_regular, scannable, visit_whole, Visit};
use crate::types::{Location, Origin, SkipReason};
use anyhow::{Context, Result};
use git2::{Oid, Repository};
use std::path::PathBuf;
use std::sync::Arc;

/// What the staged source looked at.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    /// Files added or changed by the staged change.
    pub files: usize,
    /// Bytes handed to the engine.
    pub bytes: u64,
}

/// Opens the repository the way git hands it to a hook: from the environment
/// (`GIT_DIR`, `GIT_INDEX_FILE`, ...) or by discovery from the current directory.
pub fn open_repository() -> Result<Repository> {
    crate::source::git::open_from_env()
        .context("cannot open the git repository here (run leakgate inside a git work tree)")
}

/// Walks the staged change of `repo`, reporting each added run of lines.
pub fn walk(repo: &Repository, max_size: u64, visit: &mut dyn Visit) -> Result<Stats> {
    // Git does not re-hash objects on ordinary reads either; hashing every tree
    // and blob read with collision-detecting SHA-1 would double the hook's cost.
    git2::opts::strict_hash_verification(false);
    let objects = Objects::new(repo);
    let deltas = deltas(&objects)?;
    let mut stats = Stats::default();
    for delta in &deltas {
        if delta.status == Status::Deleted || !is_regular(delta.mode) {
            continue;
        }
        let path = String::from_utf8_lossy(&delta.path).into_owned();
        let origin = Origin::new(path, Location::Staged);
        stats.files += 1;
        visit.file(&origin);
        let new = delta.new.expect("added and changed files have a blob");
        stats.bytes += judge_blob(&objects, &origin, delta.old, new, max_size, visit)?;
    }
    Ok(stats)
}

/// The path of the index git uses: `GIT_INDEX_FILE` (as git sets it for
/// `git commit -a` and `git commit PATH`) or `$GIT_DIR/index`.
fn index_path(repo: &Repository) -> PathBuf {
    match std::env::var_os("GIT_INDEX_FILE") {
        Some(p) => PathBuf::from(p),
        None => repo.path().join("index"),
    }
}

/// The deltas from our own index reader and the cache-tree walk.
fn deltas(objects: &Objects<'_>) -> Result<Vec<Delta>> {
    let path = index_path(objects.repo());
    let index = if path.exists() {
        index::read(&path)?
    } else {
        index::Index::default() // nothing staged yet in a new repository
    };
    let head = head_tree(objects)?;
    tree_diff::diff(objects, head, &index)
}

fn head_tree<'r>(objects: &Objects<'r>) -> Result<Option<git2::Tree<'r>>> {
    match objects.repo().head() {
        Ok(head) => {
            let id = head.resolve()?.target().context("HEAD names no commit")?;
            let object = objects.object(id).context("cannot read the HEAD commit")?;
            let commit = object.peel_to_commit().context("HEAD is not a commit")?;
            let tree = objects.tree(commit.tree_id());
            Ok(Some(tree.context("cannot read the HEAD tree")?))
        }
        Err(e)
            if matches!(
                e.code(),
                git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(e).context("cannot resolve HEAD"),
    }
}

/// Reports the added lines of `new` against `old` (all of `new` if there is no old
/// blob). Returns the bytes handed on.
fn judge_blob(
    objects: &Objects<'_>,
    origin: &Arc<Origin>,
    old: Option<Oid>,
    new: Oid,
    max_size: u64,
    visit: &mut dyn Visit,
) -> Result<u64> {
    let blob = objects
        .blob(new, max_size)
        .with_context(|| format!("cannot read the staged blob of {}", origin.path))?;
    let Some(blob) = blob else {
        visit.skipped(origin, SkipReason::TooLarge);
        return Ok(0);
    };
    let content = blob.bytes();
    if !scannable(origin, content, max_size, visit) {
        return Ok(0);
    }
    let Some(old) = old else {
        return Ok(visit_whole(origin, content, visit));
    };
    let old_blob = objects
        .whole_blob(old)
        .with_context(|| format!("cannot read the HEAD blob of {}", origin.path))?;
    let ranges = lines::added_ranges(old_blob.bytes(), content);
    Ok(lines::visit_ranges(origin, content, &ranges, visit))
}
