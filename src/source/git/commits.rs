//! Commits: the lines each commit adds against its parent(s), for the push hooks
//! (`pre-receive`, `pre-push`) and anything else that judges a list of commits.
//!
//! A commit is judged like a staged change: for every regular file it adds or
//! changes, the commit's blob goes on with the lines it adds marked (only findings
//! touching them count); a root commit adds every line of every file. Renames are detected, so a
//! moved file is not judged again.
//!
//! A merge commit is judged only for what is new against *every* parent (git's
//! combined diff): a file the merge took unchanged from one side adds nothing, and
//! in a file that differs from all parents only the lines added against each parent
//! count. That is exactly what a merge resolution wrote by hand, which is where a
//! secret can slip in that no side branch had. Which commits to judge is [`super::push`]'s
//! job: the commits reachable from the pushed tips and from nothing hidden.

use super::lines::{added_ranges, visit_ranges};
use crate::source::{is_regular, scannable, visit_whole, Visit};
use crate::types::{CommitInfo, LineRange, Location, Origin};
use anyhow::{Context, Result};
use git2::{Commit, Delta, DiffFindOptions, DiffOptions, Oid, Repository, Tree};
use std::collections::HashMap;

/// What the commits source looked at.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    /// Commits judged.
    pub commits: usize,
    /// Files added or changed, over all commits.
    pub files: usize,
    /// Bytes handed to the engine.
    pub bytes: u64,
}

/// The author and id of a commit, for origins and reports.
pub fn info(commit: &Commit<'_>) -> CommitInfo {
    let author = commit.author();
    CommitInfo {
        id: commit.id().to_string(),
        author: String::from_utf8_lossy(author.name_bytes()).into_owned(),
        email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
        time: author.when().seconds(),
    }
}

/// Judges each commit in `commits` (in the order given).
pub fn walk(
    repo: &Repository,
    commits: &[Oid],
    max_size: u64,
    visit: &mut dyn Visit,
) -> Result<Stats> {
    let mut stats = Stats::default();
    for &id in commits {
        let commit = repo
            .find_commit(id)
            .with_context(|| format!("cannot read commit {id}"))?;
        let who = info(&commit);
        for change in changes(repo, &commit)? {
            stats.files += 1;
            stats.bytes += judge(repo, &who, &change, max_size, visit)
                .with_context(|| format!("cannot judge {} in commit {id}", change.path))?;
        }
        stats.bytes += super::refs::judge_message(&commit, visit);
        stats.commits += 1;
    }
    Ok(stats)
}

/// A file a commit adds or changes against every parent.
#[derive(Debug)]
struct Change {
    path: String,
    new: Oid,
    /// Per parent, the blob this one replaced (`None`: the file is new against it).
    olds: Vec<Option<Oid>>,
}

/// A changed file's new blob and the blob it replaced (`None`: the file is new).
type Pair = (Oid, Option<Oid>);

/// The files `commit` adds or changes against every one of its parents.
fn changes(repo: &Repository, commit: &Commit<'_>) -> Result<Vec<Change>> {
    let tree = commit.tree().context("cannot read a commit's tree")?;
    let parents: Vec<Tree<'_>> = commit
        .parents()
        .map(|p| p.tree())
        .collect::<Result<_, _>>()
        .context("cannot read a parent commit's tree")?;
    let Some((first, others)) = parents.split_first() else {
        return Ok(changed_against(repo, None, &tree)?
            .into_iter()
            .map(|(path, (new, old))| Change {
                path,
                new,
                olds: vec![old],
            })
            .collect());
    };
    let others: Vec<HashMap<String, Pair>> = others
        .iter()
        .map(|p| changed_against(repo, Some(p), &tree).map(|v| v.into_iter().collect()))
        .collect::<Result<_>>()?;
    let mut out = Vec::new();
    for (path, (new, old)) in changed_against(repo, Some(first), &tree)? {
        let rest: Option<Vec<Option<Oid>>> = others
            .iter()
            .map(|m| m.get(&path).map(|&(_, old)| old))
            .collect();
        if let Some(rest) = rest {
            let olds = std::iter::once(old).chain(rest).collect();
            out.push(Change { path, new, olds });
        }
    }
    Ok(out)
}

/// The judged files of `new` that differ from `old` (the empty tree if none):
/// path, new blob, and the old blob (`None` if the file is new).
fn changed_against(
    repo: &Repository,
    old: Option<&Tree<'_>>,
    new: &Tree<'_>,
) -> Result<Vec<(String, Pair)>> {
    let mut opts = DiffOptions::new();
    opts.ignore_submodules(true).include_typechange(true);
    let mut diff = repo
        .diff_tree_to_tree(old, Some(new), Some(&mut opts))
        .context("cannot diff a commit against its parent")?;
    if old.is_some() {
        let mut find = DiffFindOptions::new();
        find.renames(true);
        diff.find_similar(Some(&mut find))
            .context("cannot detect renames in a commit")?;
    }
    let mut out = Vec::new();
    for delta in diff.deltas() {
        let file = delta.new_file();
        if !judged(delta.status(), u32::from(file.mode())) {
            continue;
        }
        let path = file
            .path_bytes()
            .map(String::from_utf8_lossy)
            .unwrap_or_default()
            .into_owned();
        let old = match delta.status() {
            Delta::Added => None,
            _ => Some(delta.old_file().id()).filter(|id| !id.is_zero()),
        };
        out.push((path, (file.id(), old)));
    }
    Ok(out)
}

/// Whether a delta adds content worth judging: not a deletion, and a regular file
/// (a symlink's target and a submodule's commit are not content).
fn judged(status: Delta, mode: u32) -> bool {
    let adds = matches!(
        status,
        Delta::Added | Delta::Modified | Delta::Renamed | Delta::Copied | Delta::Typechange
    );
    adds && is_regular(mode)
}

/// Reports the lines `change` adds against every parent. Returns the bytes handed on.
fn judge(
    repo: &Repository,
    who: &CommitInfo,
    change: &Change,
    max_size: u64,
    visit: &mut dyn Visit,
) -> Result<u64> {
    let origin = Origin::new(change.path.clone(), Location::Commit(who.clone()));
    visit.file(&origin);
    let blob = repo.find_blob(change.new)?;
    let content = blob.content();
    if !scannable(&origin, content, max_size, visit) {
        return Ok(0);
    }
    let mut added: Option<Vec<LineRange>> = None;
    for old in change.olds.iter().flatten() {
        let ranges = added_ranges(repo.find_blob(*old)?.content(), content);
        added = Some(match added {
            None => ranges,
            Some(acc) => intersect(&acc, &ranges),
        });
    }
    match added {
        Some(ranges) => Ok(visit_ranges(&origin, content, &ranges, visit)),
        None => Ok(visit_whole(&origin, content, visit)),
    }
}

/// The lines in both of two sorted lists of `(first line, count)` ranges.
fn intersect(a: &[LineRange], b: &[LineRange]) -> Vec<LineRange> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        let (a0, a1) = (a[i].0, a[i].0 + a[i].1);
        let (b0, b1) = (b[j].0, b[j].0 + b[j].1);
        let (lo, hi) = (a0.max(b0), a1.min(b1));
        if lo < hi {
            out.push((lo, hi - lo));
        }
        if a1 < b1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intersection_keeps_lines_in_both() {
        assert_eq!(
            intersect(&[(1, 10)], &[(3, 2), (8, 5)]),
            vec![(3, 2), (8, 3)]
        );
        assert_eq!(intersect(&[(1, 2)], &[(3, 2)]), vec![]);
        assert_eq!(
            intersect(&[(2, 3), (9, 1)], &[(1, 20)]),
            vec![(2, 3), (9, 1)]
        );
        assert_eq!(intersect(&[], &[(1, 2)]), vec![]);
    }
}
