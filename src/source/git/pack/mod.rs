//! Reading many blobs out of pack files at once, each object inflated once.
//!
//! Read one by one (libgit2's `odb.read`), a blob stored as a delta costs its whole
//! delta chain: the base and every delta above it are inflated again for each
//! version, unless libgit2's small delta-base cache still holds them. A history
//! scan asks for every version of every file, oldest first, while git chains them
//! newest first, so on a packed history most of the inflating was repeated work.
//!
//! Here the wanted blobs are located in the packs through their `.idx` files, their
//! delta chains followed up to the bases, and the chains resolved as a tree walk
//! from each base down (as `git index-pack` does): each object on the way is
//! inflated once, each delta applied to its base already in memory. Bases are
//! walked in parallel on the caller's rayon pool; within one base's tree the walk is
//! depth first, so memory holds one object per level of the chain being walked.
//!
//! Anything this reader cannot do (an `.idx` other than version 2, a delta whose
//! base is in another pack, a damaged entry) is left undelivered: the caller reads
//! those blobs the ordinary way, which reports errors with their context.

mod delta;
mod index;

use anyhow::{bail, Context, Result};
use flate2::{Decompress, FlushDecompress, Status};
use git2::Oid;
use index::Index;
use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

/// Object types in a pack entry header.
const BLOB: u8 = 3;
const OFS_DELTA: u8 = 6;
const REF_DELTA: u8 = 7;

/// What the reader hands on for one wanted blob.
pub enum Blob<'a> {
    /// The blob's content.
    Content(&'a [u8]),
    /// The blob is larger than the limit: its size, content not read.
    TooLarge(u64),
}

/// Reads the blobs `wanted` from the repository's packs, calling `each(i, blob)`
/// for every `wanted[i]` found, from several threads at once (the current rayon
/// pool). Returns which of `wanted` were delivered; the rest are not in a pack this
/// reader could read.
pub fn read_blobs<F>(git_dir: &Path, wanted: &[Oid], max_size: u64, each: F) -> Vec<bool>
where
    F: Fn(usize, Blob<'_>) + Sync,
{
    let done: Vec<AtomicBool> = wanted.iter().map(|_| AtomicBool::new(false)).collect();
    let mut slots: HashMap<Oid, usize> = wanted.iter().enumerate().map(|(i, &o)| (o, i)).collect();
    for path in packs(git_dir) {
        if slots.is_empty() {
            break;
        }
        let Ok(pack) = Pack::open(&path) else {
            continue;
        };
        let plan = pack.plan(&mut slots);
        let each = |slot: usize, blob: Blob<'_>| {
            done[slot].store(true, Ordering::Relaxed);
            each(slot, blob)
        };
        let in_flight = AtomicUsize::new(0);
        rayon::scope(|s| {
            for &root in &plan.roots {
                let (pack, plan, each, in_flight) = (&pack, &plan, &each, &in_flight);
                s.spawn(move |s| {
                    pack.walk(
                        plan,
                        root,
                        max_size,
                        &Deliver {
                            scope: s,
                            each,
                            in_flight,
                        },
                    )
                });
            }
        });
    }
    done.into_iter().map(AtomicBool::into_inner).collect()
}

/// The `.pack` files of the repository, newest first (as git looks them up).
fn packs(git_dir: &Path) -> Vec<PathBuf> {
    let dir = std::env::var_os("GIT_OBJECT_DIRECTORY")
        .map(PathBuf::from)
        .unwrap_or_else(|| git_dir.join("objects"))
        .join("pack");
    let mut out: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "pack"))
        .map(|p| {
            (
                p.metadata()
                    .and_then(|m| m.modified())
                    .unwrap_or(std::time::UNIX_EPOCH),
                p,
            )
        })
        .collect();
    out.sort_by(|a, b| b.cmp(a));
    out.into_iter().map(|(_, p)| p).collect()
}

/// One pack: its file and its index, with the objects sorted by offset.
struct Pack {
    file: File,
    index: Index,
    /// Offsets of every object, sorted, then the end of the last one.
    bounds: Vec<u64>,
}

/// One object of the plan: where it is, its base, and whether it is wanted.
struct Node {
    offset: u64,
    /// Where its compressed bytes end (the next object's offset).
    end: u64,
    /// The node it is a delta of, if it is a delta.
    base: Option<usize>,
    /// The wanted slot it fills, if any.
    slot: Option<usize>,
    /// Its size as the entry header declares it (for a delta: the delta's size).
    size: u64,
    /// Where the compressed data starts.
    data: u64,
    /// The nodes that are deltas of it.
    children: Vec<usize>,
}

/// The objects to read from one pack: the wanted blobs and every base they need.
struct Plan {
    nodes: Vec<Node>,
    /// Nodes that are not deltas (each the root of a walk).
    roots: Vec<usize>,
}

impl Pack {
    fn open(path: &Path) -> Result<Pack> {
        let index = Index::read(&path.with_extension("idx"))?;
        let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let len = file.metadata()?.len();
        let mut head = [0u8; 12];
        file.read_exact_at(&mut head, 0)?;
        if &head[..4] != b"PACK" || !matches!(head[7], 2 | 3) {
            bail!("{} is not a version 2 pack", path.display());
        }
        let mut bounds: Vec<u64> = (0..index.len()).map(|i| index.offset(i)).collect();
        bounds.sort_unstable();
        bounds.push(len.saturating_sub(20));
        Ok(Pack {
            file,
            index,
            bounds,
        })
    }

    /// Where the object at `offset` ends.
    fn end_of(&self, offset: u64) -> Option<u64> {
        let i = self.bounds.binary_search(&offset).ok()?;
        self.bounds.get(i + 1).copied()
    }

    /// The nodes for the wanted objects this pack holds (taken out of `slots`) and
    /// the bases they need. A wanted object whose chain cannot be followed here
    /// stays in `slots`.
    fn plan(&self, slots: &mut HashMap<Oid, usize>) -> Plan {
        let mut nodes: Vec<Node> = Vec::new();
        let mut by_offset: HashMap<u64, usize> = HashMap::new();
        let mut found: Vec<(Oid, usize, u64)> = Vec::new();
        for (&oid, &slot) in slots.iter() {
            if let Some(i) = self.index.find(oid.as_bytes()) {
                found.push((oid, slot, self.index.offset(i)));
            }
        }
        found.sort_by_key(|&(_, _, offset)| offset);
        for (oid, slot, offset) in found {
            let before = nodes.len();
            match self.chain(offset, &mut nodes, &mut by_offset) {
                Ok(n) => {
                    nodes[n].slot = Some(slot);
                    slots.remove(&oid);
                }
                Err(_) => {
                    // Undo the nodes of the chain that failed (kept bases of others stay).
                    for node in nodes.drain(before..) {
                        by_offset.remove(&node.offset);
                    }
                }
            }
        }
        let mut roots = Vec::new();
        for i in 0..nodes.len() {
            match nodes[i].base {
                Some(b) => nodes[b].children.push(i),
                None => roots.push(i),
            }
        }
        Plan { nodes, roots }
    }

    /// The node of the object at `offset`, adding it and its bases to `nodes`.
    fn chain(
        &self,
        offset: u64,
        nodes: &mut Vec<Node>,
        by_offset: &mut HashMap<u64, usize>,
    ) -> Result<usize> {
        // Follow the chain up to a known node or a base; then link it top down.
        let mut pending: Vec<(u64, Header)> = Vec::new();
        let mut at = offset;
        let mut top = None;
        loop {
            if let Some(&n) = by_offset.get(&at) {
                top = Some(n);
                break;
            }
            if pending.len() > 10_000 {
                bail!("delta chain too deep at offset {at}");
            }
            let h = self.header(at)?;
            let next = h.base;
            let kind = h.kind;
            pending.push((at, h));
            match next {
                Some(base) => at = base,
                None if kind == BLOB => break,
                None => bail!("object at {at} is not a blob"),
            }
        }
        let mut base = top;
        for (at, h) in pending.into_iter().rev() {
            let end = self.end_of(at).context("offset not in the index")?;
            let n = nodes.len();
            nodes.push(Node {
                offset: at,
                end,
                base,
                slot: None,
                size: h.size,
                data: h.data,
                children: Vec::new(),
            });
            by_offset.insert(at, n);
            base = Some(n);
        }
        base.context("empty chain")
    }

    /// The entry header at `offset`.
    fn header(&self, offset: u64) -> Result<Header> {
        let mut b = [0u8; 64];
        let end = self.end_of(offset).context("offset not in the index")?;
        let want = (end - offset).min(64) as usize;
        self.file.read_exact_at(&mut b[..want], offset)?;
        let b = &b[..want];
        let mut i = 0;
        let byte = |i: &mut usize| -> Result<u8> {
            let c = *b.get(*i).context("entry header is truncated")?;
            *i += 1;
            Ok(c)
        };
        let mut c = byte(&mut i)?;
        let kind = (c >> 4) & 7;
        let mut size = u64::from(c & 15);
        let mut shift = 4;
        while c & 0x80 != 0 {
            c = byte(&mut i)?;
            if shift > 60 {
                bail!("entry size too long");
            }
            size |= u64::from(c & 0x7f) << shift;
            shift += 7;
        }
        let base = match kind {
            OFS_DELTA => {
                c = byte(&mut i)?;
                let mut back = u64::from(c & 0x7f);
                while c & 0x80 != 0 {
                    c = byte(&mut i)?;
                    back = ((back + 1) << 7) | u64::from(c & 0x7f);
                }
                Some(
                    offset
                        .checked_sub(back)
                        .context("delta base before the pack")?,
                )
            }
            REF_DELTA => {
                let id = b.get(i..i + 20).context("entry header is truncated")?;
                i += 20;
                let at = self.index.find(id).context("delta base in another pack")?;
                Some(self.index.offset(at))
            }
            1..=4 => None,
            _ => bail!("unknown object type {kind}"),
        };
        Ok(Header {
            kind,
            size,
            base,
            data: offset + i as u64,
        })
    }

    /// Walks the tree of deltas under `root`, handing on the wanted blobs.
    fn walk<F: Fn(usize, Blob<'_>) + Sync>(
        &self,
        plan: &Plan,
        root: usize,
        max_size: u64,
        to: &Deliver<'_, '_, F>,
    ) {
        let node = &plan.nodes[root];
        if node.children.is_empty() && node.size > max_size {
            if let Some(slot) = node.slot {
                (to.each)(slot, Blob::TooLarge(node.size));
            }
            return;
        }
        let Ok(content) = self.inflate(node) else {
            return;
        };
        let content = Arc::new(content);
        if let Some(slot) = node.slot {
            to.send(slot, &content, max_size);
        }
        // Depth first: each entry holds its content until its children are done.
        let mut stack = vec![(root, content, 0usize)];
        while let Some((n, content, next)) = stack.last_mut() {
            let Some(&child) = plan.nodes[*n].children.get(*next) else {
                stack.pop();
                continue;
            };
            *next += 1;
            let made = self
                .inflate(&plan.nodes[child])
                .and_then(|d| delta::apply(content, &d));
            let Ok(made) = made else {
                continue; // its slot and its children's stay undelivered
            };
            let made = Arc::new(made);
            if let Some(slot) = plan.nodes[child].slot {
                to.send(slot, &made, max_size);
            }
            if !plan.nodes[child].children.is_empty() {
                stack.push((child, made, 0));
            }
        }
    }

    /// The inflated data of a node (an object, or a delta).
    fn inflate(&self, node: &Node) -> Result<Vec<u8>> {
        let mut packed = vec![0u8; (node.end - node.data) as usize];
        self.file.read_exact_at(&mut packed, node.data)?;
        let size = usize::try_from(node.size)?;
        // One byte spare: a stream that runs past its declared size shows.
        let mut out = Vec::with_capacity(size + 1);
        let mut z = Decompress::new(true);
        let status = z.decompress_vec(&packed, &mut out, FlushDecompress::Finish)?;
        if status != Status::StreamEnd || out.len() != size {
            bail!(
                "entry at {} does not inflate to its {size} bytes",
                node.offset
            );
        }
        Ok(out)
    }
}

/// Hands blobs on as parallel tasks, so that one file's long chain of versions is
/// scanned on every thread while its chain is walked on one. Past [`IN_FLIGHT`]
/// bytes waiting, the walking thread scans the blob itself: memory stays bounded.
struct Deliver<'s, 'f, F> {
    scope: &'s rayon::Scope<'f>,
    each: &'f F,
    in_flight: &'f AtomicUsize,
}

/// Bytes of blobs handed on and not yet scanned, at most.
const IN_FLIGHT: usize = 64 << 20;

impl<'f, F: Fn(usize, Blob<'_>) + Sync> Deliver<'_, 'f, F> {
    fn send(&self, slot: usize, content: &Arc<Vec<u8>>, max_size: u64) {
        let (each, len) = (self.each, content.len());
        if len as u64 > max_size {
            return each(slot, Blob::TooLarge(len as u64));
        }
        if self.in_flight.fetch_add(len, Ordering::Relaxed) + len > IN_FLIGHT {
            self.in_flight.fetch_sub(len, Ordering::Relaxed);
            return each(slot, Blob::Content(content));
        }
        let (content, in_flight) = (content.clone(), self.in_flight);
        self.scope.spawn(move |_| {
            each(slot, Blob::Content(&content));
            in_flight.fetch_sub(len, Ordering::Relaxed);
        });
    }
}

/// A pack entry's header.
struct Header {
    kind: u8,
    size: u64,
    base: Option<u64>,
    data: u64,
}

#[cfg(test)]
mod tests;
