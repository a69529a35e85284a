//! Whole histories, blob by blob: every distinct blob is read and scanned once,
//! attributed to the commit and path that introduced it.
//!
//! One thread walks the commit graph oldest first (topological order), noting for
//! each commit which trees and blobs it is the first to hold ("first seen"): a tree
//! seen before is skipped whole, so each distinct tree is read once too. Each new
//! blob becomes a job on a bounded queue; a rayon pool drains the queue, one
//! `git2::Repository` per worker thread (a repository is not `Sync`), and scans the
//! blob in full. Memory stays bounded by the queue, the workers' blobs in flight and
//! the sets of object ids seen (20 bytes each), however large the history.
//!
//! Results go back to the caller in job order (oldest commit first), whatever order
//! the workers finish in, so a caller that keeps the first of each secret keeps the
//! one from the commit that introduced it, even while streaming.
//!
//! Parents outside the walked commits (the `main` of `main..feature`, or commits
//! older than `--since`) are boundaries: their blobs count as seen, so only what the
//! walked commits introduced is scanned. Blobs over the size limit (checked from the
//! object header, without reading the blob) and binary blobs are skipped and
//! reported. Symlinks and submodules are not content. A blob that appears under a
//! second path later (a rename or a copy) is judged again there: a secret at a new
//! path is a new finding, even if its first path was allowed or baselined.

use super::objects::Objects;
use super::pack;
use super::refs::{self, Target};
use crate::source::{scannable, visit_whole, Visit};
use crate::types::{Chunk, Location, Origin, SkipReason};
use anyhow::{anyhow, Context, Result};
use git2::{Commit, ObjectType, Oid, Repository};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex};

/// How to walk a history.
#[derive(Debug, Clone)]
pub struct Options {
    /// Blobs larger than this many bytes are skipped.
    pub max_size: u64,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Only commits at or after this time (seconds since the epoch, commit time).
    pub since: Option<i64>,
    /// Only commits at or before this time.
    pub until: Option<i64>,
    /// Refs whose tags, trees and blobs are judged beyond their commits (every
    /// ref, for a whole-history walk; see [`super::refs`]).
    pub refs: Vec<Target>,
}

/// What a history walk covered.
#[derive(Debug, Default)]
pub struct Stats {
    /// Commits walked.
    pub commits: AtomicUsize,
    /// Distinct blobs handed to the workers.
    pub blobs: AtomicUsize,
}

/// One scanned blob, handed back to the caller in job order.
pub struct Done<V> {
    /// The job's place in the walk (0, 1, 2, ...): earlier means older.
    pub seq: u64,
    /// Bytes scanned (0 if skipped).
    pub bytes: u64,
    /// The visitor that saw the blob.
    pub visit: V,
}

/// A new blob, or a message, to scan.
struct Job {
    seq: u64,
    what: What,
    origin: Arc<Origin>,
}

/// What a job scans.
enum What {
    /// A blob, read by the worker.
    Blob(Oid),
    /// A commit or tag message.
    Text(Vec<u8>),
}

/// Scans every blob `commits` introduce. `commits` must be oldest first
/// (topological); `make` gives each job a fresh visitor, and `done` receives them
/// in job order. If `done` fails the walk stops and the error is returned.
pub fn walk<V, M, D>(
    git_dir: &Path,
    commits: &[Oid],
    opts: &Options,
    stats: &Stats,
    make: M,
    mut done: D,
) -> Result<()>
where
    V: Visit + Send,
    M: Fn() -> V + Sync,
    D: FnMut(Done<V>) -> Result<()>,
{
    // Re-hashing every object read costs a quarter of the walk, and a scan only
    // reads: git itself does not verify hashes on read either.
    git2::opts::strict_hash_verification(false);
    // Each tree and blob is read once (the seen sets skip the rest), so libgit2's
    // object cache would only hold parsed trees that are never asked for again: up
    // to its 256 MiB limit on a long history.
    git2::opts::enable_caching(false);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .context("cannot start the worker threads")?;
    let (job_tx, job_rx) = mpsc::sync_channel::<Job>(pool.current_num_threads() * 16);
    let (done_tx, done_rx) = mpsc::channel::<Done<V>>();
    let stop = AtomicBool::new(false);
    let failed = Mutex::new(None);
    std::thread::scope(|s| {
        let producer = s.spawn(|| produce(git_dir, commits, opts, stats, &stop, job_tx));
        let (make, failed, stop) = (&make, &failed, &stop);
        s.spawn(move || {
            // Blobs in packs are read in delta order once the walk has listed them
            // all (see `pack`); the rest (loose objects, packs the reader leaves)
            // one by one.
            let jobs: Vec<Job> = job_rx.iter().collect();
            let left =
                pool.install(|| scan_packed(git_dir, jobs, make, &done_tx, stop, opts.max_size));
            let (left_tx, left_rx) = mpsc::channel::<Job>();
            left.into_iter().for_each(|job| drop(left_tx.send(job)));
            drop(left_tx);
            let left_rx = Mutex::new(left_rx);
            pool.broadcast(|_| {
                let out = done_tx.clone();
                if let Err(e) = work(git_dir, &left_rx, make, out, opts.max_size) {
                    first_error(failed, e);
                }
            })
        });
        if let Err(e) = deliver(done_rx, stop, &mut done) {
            first_error(failed, e);
        }
        match producer.join() {
            Ok(Err(e)) => first_error(failed, e),
            Err(_) => first_error(failed, anyhow!("the history walker panicked")),
            Ok(Ok(())) => {}
        }
    });
    failed
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .map_or(Ok(()), Err)
}

fn first_error(slot: &Mutex<Option<anyhow::Error>>, e: anyhow::Error) {
    slot.lock()
        .unwrap_or_else(|e| e.into_inner())
        .get_or_insert(e);
}

/// Hands results to `done` in job order; after an error, stops the walk and drains.
fn deliver<V, D>(rx: Receiver<Done<V>>, stop: &AtomicBool, done: &mut D) -> Result<()>
where
    D: FnMut(Done<V>) -> Result<()>,
{
    let mut pending = BTreeMap::new();
    let mut next = 0u64;
    let mut failed = None;
    for d in rx {
        pending.insert(d.seq, d);
        while let Some(d) = pending.remove(&next) {
            next += 1;
            if failed.is_none() {
                if let Err(e) = done(d) {
                    stop.store(true, Ordering::Relaxed);
                    failed = Some(e);
                }
            }
        }
    }
    failed.map_or(Ok(()), Err)
}

/// Walks the commits, sending each first-seen blob and each message as a job,
/// then what the refs name beyond commits.
fn produce(
    git_dir: &Path,
    commits: &[Oid],
    opts: &Options,
    stats: &Stats,
    stop: &AtomicBool,
    tx: SyncSender<Job>,
) -> Result<()> {
    let repo = Repository::open(git_dir).context("cannot open the repository")?;
    let objects = Objects::new(&repo);
    let selected = select(&objects, commits, opts)?;
    let set: HashSet<Oid> = selected.iter().copied().collect();
    let mut seen = Seen::default();
    let mut queue = Queue { tx, seq: 0, stats };
    for &id in &selected {
        if stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        let commit = objects
            .commit(id)
            .with_context(|| format!("cannot read commit {id}"))?;
        for parent in commit.parent_ids().filter(|p| !set.contains(p)) {
            // A boundary parent missing here (a shallow clone) hides nothing.
            if super::push::exists(&repo, parent) {
                let p = objects.commit(parent)?;
                seen.mark(&objects, p.tree_id())?;
            }
        }
        let who = super::commits::info(&commit);
        for (path, blob) in seen.new_blobs(&objects, commit.tree_id())? {
            let origin = Origin::new(path, Location::Commit(who.clone()));
            if !queue.send(What::Blob(blob), origin) {
                return Ok(());
            }
        }
        let message = What::Text(commit.message_bytes().to_vec());
        if !queue.send(message, super::refs::message_origin(&commit)) {
            return Ok(());
        }
        stats.commits.fetch_add(1, Ordering::Relaxed);
    }
    for target in &opts.refs {
        if stop.load(Ordering::Relaxed) || !produce_ref(&objects, &mut seen, target, &mut queue)? {
            return Ok(());
        }
    }
    Ok(())
}

/// Sends a ref's tag messages, and the blobs of a tree or the blob it names
/// directly, that were not seen before. Returns false once the walk is stopped.
fn produce_ref(
    objects: &Objects<'_>,
    seen: &mut Seen,
    target: &Target,
    queue: &mut Queue<'_>,
) -> Result<bool> {
    for &tag in &target.tags {
        if !seen.tags.insert(tag) {
            continue;
        }
        let (origin, message) = super::refs::tag_message(objects.repo(), tag)?;
        if !queue.send(What::Text(message), origin) {
            return Ok(false);
        }
    }
    let blobs = match target.kind {
        ObjectType::Tree => seen
            .new_blobs(objects, target.end)?
            .into_iter()
            .map(|(path, id)| (super::refs::object_origin(target, Some(&path)), id))
            .collect(),
        ObjectType::Blob
            if seen
                .blobs
                .insert((target.end, path_hash(target.name.as_bytes()))) =>
        {
            vec![(super::refs::object_origin(target, None), target.end)]
        }
        _ => Vec::new(),
    };
    for (origin, blob) in blobs {
        if !queue.send(What::Blob(blob), origin) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The job queue, numbering jobs in the order they are sent.
struct Queue<'s> {
    tx: SyncSender<Job>,
    seq: u64,
    stats: &'s Stats,
}

impl Queue<'_> {
    /// Sends a job; false once the workers are gone.
    fn send(&mut self, what: What, origin: Arc<Origin>) -> bool {
        let is_blob = matches!(what, What::Blob(_));
        let job = Job {
            seq: self.seq,
            what,
            origin,
        };
        if self.tx.send(job).is_err() {
            return false;
        }
        self.seq += 1;
        if is_blob {
            self.stats.blobs.fetch_add(1, Ordering::Relaxed);
        }
        true
    }
}

/// The commits within the date limits, in the given order.
fn select(objects: &Objects<'_>, commits: &[Oid], opts: &Options) -> Result<Vec<Oid>> {
    if opts.since.is_none() && opts.until.is_none() {
        return Ok(commits.to_vec());
    }
    let within = |c: &Commit<'_>| {
        let t = c.time().seconds();
        opts.since.is_none_or(|s| t >= s) && opts.until.is_none_or(|u| t <= u)
    };
    let mut out = Vec::new();
    for &id in commits {
        let commit = objects
            .commit(id)
            .with_context(|| format!("cannot read commit {id}"))?;
        if within(&commit) {
            out.push(id);
        }
    }
    Ok(out)
}

/// The trees and blobs seen so far.
///
/// Trees and blobs are keyed by their id *and* the hash of the path they sit at:
/// a file moved or copied to a new path (out of an allowed or baselined one) is a
/// new place for its content, judged again there, as the hooks judge it.
#[derive(Default)]
struct Seen {
    trees: HashSet<(Oid, u64)>,
    blobs: HashSet<(Oid, u64)>,
    tags: HashSet<Oid>,
}

/// FNV-1a of a path: its identity in the seen sets (a collision only skips one
/// re-judging of content already judged at another path).
fn path_hash(path: &[u8]) -> u64 {
    path.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

impl Seen {
    /// Marks everything under `tree` as seen (a boundary commit's tree).
    fn mark(&mut self, objects: &Objects<'_>, tree: Oid) -> Result<()> {
        self.new_blobs(objects, tree).map(drop)
    }

    /// The blobs under `tree` not seen before, with their paths, in git's
    /// pre-order; marks them (and the subtrees, by id and path) seen.
    fn new_blobs(&mut self, objects: &Objects<'_>, tree: Oid) -> Result<Vec<(String, Oid)>> {
        if !self.trees.insert((tree, path_hash(b""))) {
            return Ok(Vec::new());
        }
        let (trees, blobs) = (&mut self.trees, &mut self.blobs);
        refs::walk_tree(objects, tree, |id, path| {
            if path.ends_with(b"/") {
                trees.insert((id, path_hash(path)))
            } else {
                blobs.insert((id, path_hash(path)))
            }
        })
    }
}

/// Scans the jobs whose blobs [`pack::read_blobs`] finds in the pack files, on the
/// current rayon pool, sending each result to `out`; returns the other jobs.
fn scan_packed<V: Visit + Send>(
    git_dir: &Path,
    jobs: Vec<Job>,
    make: &(dyn Fn() -> V + Sync),
    out: &Sender<Done<V>>,
    stop: &AtomicBool,
    max_size: u64,
) -> Vec<Job> {
    // Jobs that are not blobs ask for the zero id, which no pack holds: they are
    // left to the workers with the loose blobs.
    let ids: Vec<Oid> = jobs
        .iter()
        .map(|j| match j.what {
            What::Blob(blob) => blob,
            What::Text(_) => Oid::ZERO_SHA1,
        })
        .collect();
    let read = pack::read_blobs(git_dir, &ids, max_size, |i, blob| {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let job = &jobs[i];
        let mut visit = make();
        visit.file(&job.origin);
        let bytes = match blob {
            pack::Blob::TooLarge(_) => {
                visit.skipped(&job.origin, SkipReason::TooLarge);
                0
            }
            pack::Blob::Content(c) if scannable(&job.origin, c, max_size, &mut visit) => {
                visit_whole(&job.origin, c, &mut visit)
            }
            pack::Blob::Content(_) => 0,
        };
        let seq = job.seq;
        drop(out.send(Done { seq, bytes, visit }));
    });
    jobs.into_iter()
        .zip(read)
        .filter_map(|(job, read)| (!read).then_some(job))
        .collect()
}

/// A worker: scans jobs until the queue closes.
fn work<V: Visit>(
    git_dir: &Path,
    jobs: &Mutex<Receiver<Job>>,
    make: &dyn Fn() -> V,
    out: Sender<Done<V>>,
    max_size: u64,
) -> Result<()> {
    let next = || jobs.lock().unwrap_or_else(|e| e.into_inner()).recv().ok();
    let repo = match Repository::open(git_dir) {
        Ok(repo) => repo,
        Err(e) => {
            while next().is_some() {}
            return Err(e).context("a worker cannot open the repository");
        }
    };
    let objects = Objects::new(&repo);
    while let Some(job) = next() {
        let mut visit = make();
        let bytes = match scan_blob(&objects, &job, max_size, &mut visit) {
            Ok(bytes) => bytes,
            Err(e) => {
                while next().is_some() {}
                return Err(e);
            }
        };
        let done = Done {
            seq: job.seq,
            bytes,
            visit,
        };
        if out.send(done).is_err() {
            while next().is_some() {}
            return Ok(());
        }
    }
    Ok(())
}

/// Scans one blob in full; returns the bytes scanned. A blob that cannot be read
/// (missing, as in a blobless partial clone, or corrupt) stops the walk: a
/// history that could not be read whole is not clean.
fn scan_blob(
    objects: &Objects<'_>,
    job: &Job,
    max_size: u64,
    visit: &mut dyn Visit,
) -> Result<u64> {
    let blob = match &job.what {
        What::Blob(blob) => *blob,
        What::Text(text) => {
            visit.chunk(&Chunk::whole(job.origin.clone(), text));
            return Ok(text.len() as u64);
        }
    };
    visit.file(&job.origin);
    let content = objects
        .blob(blob, max_size)
        .with_context(|| match &job.origin.location {
            Location::Commit(c) => format!("cannot read {} in commit {}", job.origin.path, c.id),
            _ => format!("cannot read {}", job.origin.path),
        })?;
    let Some(content) = content else {
        visit.skipped(&job.origin, SkipReason::TooLarge);
        return Ok(0);
    };
    let content = content.bytes();
    if !scannable(&job.origin, content, max_size, visit) {
        return Ok(0);
    }
    Ok(visit_whole(&job.origin, content, visit))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn done(seq: u64) -> Done<u64> {
        Done {
            seq,
            bytes: seq * 10,
            visit: seq,
        }
    }

    #[test]
    fn results_are_released_in_job_order() {
        let (tx, rx) = mpsc::channel();
        for seq in [2, 0, 3, 1, 4] {
            tx.send(done(seq)).unwrap();
        }
        drop(tx);
        let mut seen = Vec::new();
        let stop = AtomicBool::new(false);
        deliver(rx, &stop, &mut |d: Done<u64>| {
            seen.push(d.visit);
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, vec![0, 1, 2, 3, 4]);
        assert!(!stop.load(Ordering::Relaxed));
    }

    #[test]
    fn a_failing_consumer_stops_the_walk_and_reports_the_error() {
        let (tx, rx) = mpsc::channel();
        for seq in 0..4 {
            tx.send(done(seq)).unwrap();
        }
        drop(tx);
        let stop = AtomicBool::new(false);
        let mut calls = 0;
        let result = deliver(rx, &stop, &mut |d: Done<u64>| {
            calls += 1;
            match d.seq {
                1 => Err(anyhow!("broken pipe")),
                _ => Ok(()),
            }
        });
        assert_eq!(result.unwrap_err().to_string(), "broken pipe");
        assert!(stop.load(Ordering::Relaxed));
        assert_eq!(calls, 2, "nothing is handed on after the error");
    }
}
