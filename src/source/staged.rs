//! The staged change: what `git commit` is about to record.
//!
//! The deltas come from a diff of the HEAD tree (none on an unborn branch) against
//! the index, with renames and copies detected so a moved file is not judged again.
//! Content always comes from the index blobs, never the work tree, so a partially
//! staged file is judged by what will be committed. For a changed file, only the
//! lines added against the old blob are chunks (zero context); a new file is one
//! chunk. Symlinks and submodules are not followed. Nothing here writes to the
//! index, the work tree or any ref.

use super::{is_binary, Chunk, Location, Origin, SkipReason, Visit};
use anyhow::{Context, Result};
use git2::{Delta, DiffFindOptions, DiffOptions, FileMode, Oid, Patch, Repository};
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
    Repository::open_from_env()
        .context("cannot open the git repository here (run leakgate inside a git work tree)")
}

/// Walks the staged change of `repo`, reporting each added run of lines.
pub fn walk(repo: &Repository, max_size: u64, visit: &mut dyn Visit) -> Result<Stats> {
    let index = repo.index().context("cannot read the git index")?;
    let head = head_tree(repo)?;
    let mut opts = DiffOptions::new();
    opts.ignore_submodules(true).include_typechange(true);
    let mut diff = repo
        .diff_tree_to_index(head.as_ref(), Some(&index), Some(&mut opts))
        .context("cannot diff the index against HEAD")?;
    let mut find = DiffFindOptions::new();
    find.renames(true).copies(true);
    diff.find_similar(Some(&mut find))
        .context("cannot detect renames in the staged change")?;
    let mut stats = Stats::default();
    for delta in diff.deltas() {
        let new = delta.new_file();
        if !judged(delta.status(), new.mode()) {
            continue;
        }
        let path = new
            .path_bytes()
            .map(String::from_utf8_lossy)
            .unwrap_or_default();
        let origin = Origin::new(path.into_owned(), Location::Staged);
        stats.files += 1;
        visit.file(&origin);
        let old = match delta.status() {
            Delta::Added => None,
            _ => Some(delta.old_file().id()).filter(|id| !id.is_zero()),
        };
        stats.bytes += judge_blob(repo, &origin, old, new.id(), max_size, visit)?;
    }
    Ok(stats)
}

fn head_tree(repo: &Repository) -> Result<Option<git2::Tree<'_>>> {
    match repo.head() {
        Ok(head) => Ok(Some(
            head.peel_to_tree().context("cannot read the HEAD tree")?,
        )),
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

/// Whether a delta adds content worth judging: not a deletion, and a regular file
/// (a symlink's target and a submodule's commit are not content).
pub(crate) fn judged(status: Delta, mode: FileMode) -> bool {
    let adds = matches!(
        status,
        Delta::Added | Delta::Modified | Delta::Renamed | Delta::Copied | Delta::Typechange
    );
    adds && matches!(mode, FileMode::Blob | FileMode::BlobExecutable)
}

/// Reports the added lines of `new` against `old` (all of `new` if there is no old
/// blob). Returns the bytes handed on.
fn judge_blob(
    repo: &Repository,
    origin: &Arc<Origin>,
    old: Option<Oid>,
    new: Oid,
    max_size: u64,
    visit: &mut dyn Visit,
) -> Result<u64> {
    let blob = repo
        .find_blob(new)
        .with_context(|| format!("cannot read the staged blob of {}", origin.path))?;
    let content = blob.content();
    if content.len() as u64 > max_size {
        visit.skipped(origin, SkipReason::TooLarge);
        return Ok(0);
    }
    if is_binary(content) {
        visit.skipped(origin, SkipReason::Binary);
        return Ok(0);
    }
    let Some(old) = old else {
        visit.chunk(&Chunk {
            origin: origin.clone(),
            first_line: 1,
            bytes: content,
        });
        return Ok(content.len() as u64);
    };
    let old_blob = repo
        .find_blob(old)
        .with_context(|| format!("cannot read the HEAD blob of {}", origin.path))?;
    let ranges = added_ranges(&old_blob, &blob)?;
    Ok(visit_ranges(origin, content, &ranges, visit))
}

/// The added line ranges `(first line, line count)` of `new` against `old`.
pub(crate) fn added_ranges(old: &git2::Blob<'_>, new: &git2::Blob<'_>) -> Result<Vec<(u32, u32)>> {
    let mut opts = DiffOptions::new();
    opts.context_lines(0).force_text(true);
    let patch = Patch::from_blobs(old, None, new, None, Some(&mut opts))
        .context("cannot diff a file against its previous version")?;
    let mut ranges = Vec::with_capacity(patch.num_hunks());
    for i in 0..patch.num_hunks() {
        let (hunk, _) = patch.hunk(i)?;
        if hunk.new_lines() > 0 {
            ranges.push((hunk.new_start(), hunk.new_lines()));
        }
    }
    Ok(ranges)
}

/// Hands each line range of `content` to the visitor as one chunk.
pub(crate) fn visit_ranges(
    origin: &Arc<Origin>,
    content: &[u8],
    ranges: &[(u32, u32)],
    visit: &mut dyn Visit,
) -> u64 {
    let starts = line_starts(content);
    let mut bytes = 0;
    for &(first, count) in ranges {
        let begin = starts
            .get(first as usize - 1)
            .copied()
            .unwrap_or(content.len());
        let end = starts
            .get((first + count - 1) as usize)
            .copied()
            .unwrap_or(content.len());
        let slice = &content[begin..end];
        bytes += slice.len() as u64;
        visit.chunk(&Chunk {
            origin: origin.clone(),
            first_line: first,
            bytes: slice,
        });
    }
    bytes
}

/// Byte offset where each line starts.
fn line_starts(content: &[u8]) -> Vec<usize> {
    std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', content).map(|i| i + 1))
        .filter(|&i| i < content.len())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Collect(Vec<(u32, Vec<u8>)>);
    impl Visit for Collect {
        fn file(&mut self, _: &Arc<Origin>) {}
        fn chunk(&mut self, c: &Chunk<'_>) {
            self.0.push((c.first_line, c.bytes.to_vec()));
        }
        fn skipped(&mut self, _: &Arc<Origin>, _: SkipReason) {}
    }

    #[test]
    fn ranges_become_line_chunks() {
        let origin = Origin::new("f", Location::Staged);
        let mut c = Collect::default();
        visit_ranges(&origin, b"a\nb\nc\nd", &[(2, 1), (4, 1)], &mut c);
        assert_eq!(c.0, vec![(2, b"b\n".to_vec()), (4, b"d".to_vec())]);
    }
}
