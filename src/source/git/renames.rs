//! Rename and copy detection for the staged diff, so a moved or copied file is
//! judged by its new lines only, as `git diff -M -C` would show them.
//!
//! An added file is a rename when a deleted file has the same blob, or one similar
//! enough (half or more of its bytes in lines the other has, git's default
//! threshold); a copy when the source is a file modified in the same change (git's
//! `-C`: copies of unmodified files are new files, as git shows them). Inexact
//! pairing stops past [`PAIR_LIMIT`] comparisons, like git's rename limit.

use super::objects::Objects;
use super::tree_diff::{Delta, Status};
use crate::source::{is_binary, is_regular};
use anyhow::Result;
use git2::Oid;
use std::collections::HashMap;

/// Most inexact comparisons made before giving up on similarity (git: 1000).
pub const PAIR_LIMIT: usize = 1000;

/// Half the bytes in common makes a rename (git's default `-M50%`).
const THRESHOLD: f64 = 0.5;

/// Marks added deltas that are renames or copies, setting `old` to their source.
pub fn pair(objects: &Objects<'_>, deltas: &mut [Delta]) -> Result<()> {
    let deleted = sources(deltas, Status::Deleted);
    let modified = sources(deltas, Status::Modified);
    if deleted.is_empty() && modified.is_empty() {
        return Ok(());
    }
    let added: Vec<usize> = (0..deltas.len())
        .filter(|&i| deltas[i].status == Status::Added && is_regular(deltas[i].mode))
        .collect();
    let mut candidates = Candidates::new(objects, &deleted, &modified);
    for i in added {
        let new = deltas[i].new.expect("added deltas have a blob");
        let best = if deleted.contains(&new) {
            Some((new, Status::Renamed))
        } else {
            candidates.most_similar(new)?
        };
        if let Some((old, status)) = best {
            deltas[i].old = Some(old);
            deltas[i].status = status;
        }
    }
    Ok(())
}

fn sources(deltas: &[Delta], status: Status) -> Vec<Oid> {
    deltas
        .iter()
        .filter(|d| d.status == status && is_regular(d.mode))
        .filter_map(|d| d.old)
        .collect()
}

/// The rename and copy sources, each read and split into lines once.
struct Candidates<'o, 'r> {
    objects: &'o Objects<'r>,
    list: Vec<(Oid, Status)>,
    loaded: HashMap<Oid, Option<Lines>>,
    budget: usize,
}

/// A blob's size and its lines (by hash) with their counts and lengths.
struct Lines {
    size: usize,
    counts: HashMap<u64, (usize, usize)>,
}

/// FNV-1a: a line's identity for similarity (a collision only nudges a score).
fn line_hash(line: &[u8]) -> u64 {
    line.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

impl Lines {
    fn of(content: &[u8]) -> Option<Lines> {
        if is_binary(content) {
            return None;
        }
        let mut counts: HashMap<u64, (usize, usize)> = HashMap::new();
        for line in content.split_inclusive(|&b| b == b'\n') {
            counts.entry(line_hash(line)).or_insert((0, line.len())).0 += 1;
        }
        Some(Lines {
            size: content.len(),
            counts,
        })
    }

    /// The share of bytes in lines both have, over the larger size.
    fn similarity(&self, other: &Lines) -> f64 {
        let larger = self.size.max(other.size);
        if larger == 0 || (self.size.min(other.size) as f64) < THRESHOLD * larger as f64 {
            return 0.0;
        }
        let common: usize = other
            .counts
            .iter()
            .filter_map(|(h, &(n, len))| self.counts.get(h).map(|&(m, _)| n.min(m) * len))
            .sum();
        common as f64 / larger as f64
    }
}

impl<'o, 'r> Candidates<'o, 'r> {
    fn new(objects: &'o Objects<'r>, deleted: &[Oid], modified: &[Oid]) -> Self {
        let list = deleted
            .iter()
            .map(|&o| (o, Status::Renamed))
            .chain(modified.iter().map(|&o| (o, Status::Copied)))
            .collect();
        Candidates {
            objects,
            list,
            loaded: HashMap::new(),
            budget: PAIR_LIMIT,
        }
    }

    fn lines(&mut self, oid: Oid) -> Result<Option<&Lines>> {
        if !self.loaded.contains_key(&oid) {
            let blob = self.objects.whole_blob(oid)?;
            self.loaded.insert(oid, Lines::of(blob.bytes()));
        }
        Ok(self.loaded[&oid].as_ref())
    }

    fn most_similar(&mut self, new: Oid) -> Result<Option<(Oid, Status)>> {
        let Some(new_lines) = Lines::of(self.objects.whole_blob(new)?.bytes()) else {
            return Ok(None);
        };
        let mut best: Option<(f64, Oid, Status)> = None;
        for (old, status) in self.list.clone() {
            if self.budget == 0 {
                break;
            }
            self.budget -= 1;
            let Some(old_lines) = self.lines(old)? else {
                continue;
            };
            let score = old_lines.similarity(&new_lines);
            if score >= THRESHOLD && best.is_none_or(|(s, _, _)| score > s) {
                best = Some((score, old, status));
            }
        }
        Ok(best.map(|(_, o, s)| (o, s)))
    }
}

/// The share of bytes of `new` in lines that `old` also has, over the larger of
/// the two sizes (0 for binary content).
pub fn similarity(old: &[u8], new: &[u8]) -> f64 {
    match (Lines::of(old), Lines::of(new)) {
        (Some(a), Some(b)) => a.similarity(&b),
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::similarity;

    #[test]
    fn similarity_counts_shared_lines() {
        assert_eq!(similarity(b"a\nb\n", b"a\nb\n"), 1.0);
        assert_eq!(similarity(b"a\nb\n", b"x\ny\n"), 0.0);
        let s = similarity(b"a\nb\nc\nd\n", b"a\nb\nc\nz\n");
        assert!((s - 0.75).abs() < 1e-9);
        assert_eq!(similarity(b"", b""), 0.0);
    }
}
