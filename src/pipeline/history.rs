//! A whole history, judged: which commits to walk (every ref, or the revisions and
//! ranges given) and which refs name tags, trees or blobs beyond them, the blob-level walk of [`crate::source::git::history`], and a
//! [`Sink`] that keeps the first finding of each (rule, path, secret) and either
//! holds it for the report or streams it as JSON lines, so memory does not grow
//! with the number of findings. Results come back oldest commit first, so the
//! finding kept is the one from the commit that introduced the secret.

use super::{Collector, Judge};
use crate::report::{self, jsonl};
use crate::source::git::history::{self, Done, Stats};
use crate::source::git::objects::Objects;
use crate::source::git::refs::Target;
use crate::types::{Finding, Outcome};
use anyhow::{bail, Context as _, Result};
use git2::{Oid, Repository, RevparseMode, Sort};
use std::collections::HashSet;
use std::io::Write;
use std::sync::atomic::Ordering;

/// The commits to walk, oldest first: those reachable from `revs` (revisions,
/// `^excluded` ones and `a..b` / `a...b` ranges), or from every ref and HEAD when
/// `revs` is empty.
pub fn commits(repo: &Repository, revs: &[String]) -> Result<Vec<Oid>> {
    Objects::new(repo).check_loose_graph()?;
    let mut walk = repo.revwalk().context("cannot walk the commit graph")?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    if revs.is_empty() {
        for r in repo.references().context("cannot list the refs")? {
            if let Ok(commit) = r?.peel_to_commit() {
                walk.push(commit.id())?;
            }
        }
        let _ = walk.push_head();
    }
    for rev in revs {
        add_rev(repo, &mut walk, rev)
            .with_context(|| format!("`{rev}` is not a revision or range of this repository"))?;
    }
    walk.collect::<Result<Vec<_>, _>>()
        .context("cannot walk the commit graph")
}

/// The refs whose tags, trees and blobs a walk judges beyond their commits: with
/// no `revs`, every ref that names a tag, a tree or a blob (a ref straight at a
/// blob is history too); with `revs`, none (the revisions name commits).
pub fn refs(repo: &Repository, revs: &[String]) -> Result<Vec<Target>> {
    if !revs.is_empty() {
        return Ok(Vec::new());
    }
    let all = crate::source::git::refs::all(&Objects::new(repo))?;
    Ok(all
        .into_iter()
        .filter(|t| !t.tags.is_empty() || t.commit().is_none())
        .collect())
}

/// Adds a revision (`main`), an exclusion (`^main`) or a range (`a..b`, `a...b`).
fn add_rev(repo: &Repository, walk: &mut git2::Revwalk<'_>, rev: &str) -> Result<()> {
    let commit = |o: &git2::Object<'_>| o.peel_to_commit().map(|c| c.id());
    if let Some(hidden) = rev.strip_prefix('^') {
        walk.hide(commit(&repo.revparse_single(hidden)?)?)?;
        return Ok(());
    }
    let spec = repo.revparse(rev)?;
    let from = spec.from().map(commit).transpose()?;
    let to = spec.to().map(commit).transpose()?;
    match (from, to) {
        (Some(from), Some(to)) if spec.mode().contains(RevparseMode::MERGE_BASE) => {
            walk.push(from)?;
            walk.push(to)?;
            walk.hide(repo.merge_base(from, to)?)?;
        }
        (Some(from), Some(to)) if spec.mode().contains(RevparseMode::RANGE) => {
            walk.push(to)?;
            walk.hide(from)?;
        }
        (Some(one), None) | (None, Some(one)) => walk.push(one)?,
        _ => bail!("unsupported revision form"),
    }
    Ok(())
}

/// Judges every blob `commits` introduce (see [`commits`]) into `sink`; `tick` hears
/// of each blob scanned (its place in the walk, the bytes scanned so far, the
/// walk's counters), for a progress display. Fills the summary of the sink's
/// outcome.
pub fn scan(
    repo: &Repository,
    commits: &[Oid],
    opts: &history::Options,
    judge: Judge<'_>,
    sink: &mut Sink,
    tick: &mut dyn FnMut(u64, u64, &Stats),
) -> Result<()> {
    let stats = Stats::default();
    history::walk(
        repo.path(),
        commits,
        opts,
        &stats,
        || Collector::new(judge),
        |done| {
            let seq = done.seq;
            sink.take(done)?;
            tick(seq, sink.bytes, &stats);
            Ok(())
        },
    )?;
    let summary = &mut sink.outcome.summary;
    summary.scan = "history";
    summary.commits = Some(stats.commits.load(Ordering::Relaxed));
    summary.files = stats.blobs.load(Ordering::Relaxed);
    summary.bytes = sink.bytes;
    Ok(())
}

/// Every finding of the whole history (every ref), each secret once with the
/// commit that introduced it, suppressed ones included, sorted: what `baseline
/// create --from history` records.
pub fn scan_all(repo: &Repository, judge: Judge<'_>, max_size: u64) -> Result<Outcome> {
    let commits = commits(repo, &[])?;
    let opts = history::Options {
        max_size,
        threads: 0,
        since: None,
        until: None,
        refs: refs(repo, &[])?,
    };
    let mut sink = Sink::hold();
    scan(repo, &commits, &opts, judge, &mut sink, &mut |_, _, _| {})?;
    let mut outcome = sink.outcome;
    super::sort(&mut outcome);
    Ok(outcome)
}

/// Where findings stream to, as JSON lines, and how to render them.
pub struct Stream {
    out: Box<dyn Write>,
    opts: report::Options,
}

impl Stream {
    /// Findings (and, with `opts.show_suppressed`, suppressed ones) go to `out`.
    pub fn new(out: Box<dyn Write>, opts: report::Options) -> Stream {
        Stream { out, opts }
    }
}

/// Keeps the first finding of each (rule, path, secret) and either holds it for the
/// report or streams it.
pub struct Sink {
    seen: HashSet<String>,
    seen_suppressed: HashSet<String>,
    /// The findings held (all of them, unless streaming), and the summary.
    pub outcome: Outcome,
    bytes: u64,
    stream: Option<Stream>,
    /// Blocking findings streamed, for the exit status.
    blocking_streamed: usize,
    streamed: usize,
}

impl Sink {
    /// A sink that holds every finding for a report.
    pub fn hold() -> Sink {
        Sink::with(None)
    }

    /// A sink that streams findings as they are released, holding none.
    pub fn stream(stream: Stream) -> Sink {
        Sink::with(Some(stream))
    }

    fn with(stream: Option<Stream>) -> Sink {
        Sink {
            seen: HashSet::new(),
            seen_suppressed: HashSet::new(),
            outcome: Outcome::default(),
            bytes: 0,
            stream,
            blocking_streamed: 0,
            streamed: 0,
        }
    }

    /// Whether findings are streamed rather than held.
    pub fn is_streaming(&self) -> bool {
        self.stream.is_some()
    }

    fn take(&mut self, done: Done<Collector<'_>>) -> Result<()> {
        self.bytes += done.bytes;
        let mut found = done.visit.outcome;
        found.dedupe();
        if let Some(s) = &self.stream {
            // Held findings are masked by the report step; streamed ones leave
            // from here, so a token in a file name is masked here.
            crate::report::redact::mask_file_names(&mut found, s.opts.redaction);
        }
        for f in std::mem::take(&mut found.findings) {
            if self.seen.insert(f.fingerprint.clone()) {
                let why = found.not_blocking.remove(&f.fingerprint);
                self.finding(f, why)?;
            }
        }
        for (f, why) in found.suppressed {
            if !self.seen_suppressed.insert(f.fingerprint.clone()) {
                continue;
            }
            match &mut self.stream {
                Some(s) if s.opts.show_suppressed => {
                    jsonl::suppressed_line(&mut s.out, &f, &why, &s.opts)
                        .and_then(|_| s.out.flush())
                        .or_else(quiet_broken_pipe)?;
                }
                Some(_) => {}
                None => self.outcome.suppressed.push((f, why)),
            }
        }
        self.outcome.summary.models += found.summary.models;
        for (reason, paths) in found.summary.skipped {
            self.outcome
                .summary
                .skipped
                .entry(reason)
                .or_default()
                .extend(paths);
        }
        Ok(())
    }

    fn finding(&mut self, f: Finding, not_blocking: Option<String>) -> Result<()> {
        let Some(s) = &mut self.stream else {
            if let Some(why) = not_blocking {
                self.outcome.not_blocking.insert(f.fingerprint.clone(), why);
            }
            self.outcome.findings.push(f);
            return Ok(());
        };
        jsonl::line(&mut s.out, &f, not_blocking.as_deref(), &s.opts)
            .and_then(|_| s.out.flush())
            .or_else(quiet_broken_pipe)?;
        self.blocking_streamed += usize::from(not_blocking.is_none());
        self.streamed += 1;
        Ok(())
    }

    /// Ends a stream with its summary line; returns whether a streamed finding
    /// blocks. A sink that holds its findings writes nothing and returns `None`:
    /// report the outcome instead.
    pub fn finish_stream(&mut self) -> Result<Option<bool>> {
        let Some(mut s) = self.stream.take() else {
            return Ok(None);
        };
        let counts = jsonl::Counts {
            findings: self.streamed,
            blocking: self.blocking_streamed,
            suppressed: self.seen_suppressed.len(),
        };
        jsonl::summary_line(&mut s.out, &self.outcome, &counts)
            .and_then(|_| s.out.flush())
            .or_else(quiet_broken_pipe)?;
        Ok(Some(self.blocking_streamed > 0))
    }
}

/// A reader that went away (`| head`) is not an error: the report just stops.
fn quiet_broken_pipe(e: std::io::Error) -> Result<()> {
    match e.kind() {
        std::io::ErrorKind::BrokenPipe => Ok(()),
        _ => Err(e).context("cannot write the report"),
    }
}
