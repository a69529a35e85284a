//! Wires a source to the decoders, the engine and the filters: every chunk a
//! source reports goes through the [`Decoders`], every chunk that comes out is
//! scanned, every finding is checked against the allow filters, and the result is
//! an [`Outcome`] ready for a report.
//!
//! The scans the commands run are here too, so the command line only turns
//! arguments into one of them and an outcome into an exit code: [`history`] (the
//! whole-history walk with each secret kept once, streamed or held),
//! [`push`] (judging what a push brings, within a time budget) and [`baseline`]
//! (the scans a baseline is made from), [`explain`] (one file with the engine's
//! trace on, for `scan --explain`).

pub mod baseline;
pub mod explain;
pub mod history;
pub mod push;

use crate::allow::Allow;
use crate::config::Loaded;
use crate::decode::Decoders;
use crate::engine::{Profile, Scanner};
use crate::source::Visit;
use crate::types::{Chunk, Finding, Origin, Outcome, SkipReason};
use std::sync::{Arc, Mutex};

/// What judges a chunk: the decoders that see inside it, the scanner, and the
/// allow filters. `Sync`: one serves every worker thread.
#[derive(Clone, Copy)]
pub struct Judge<'a> {
    /// The rules, ready to scan.
    pub scanner: &'a Scanner,
    /// The filters of accepted findings.
    pub allow: &'a Allow,
    /// The decoders run before the engine.
    pub decoders: &'a Decoders,
}

impl<'a> Judge<'a> {
    /// A judge with the standard decoders.
    pub fn new(scanner: &'a Scanner, allow: &'a Allow) -> Judge<'a> {
        static STANDARD: std::sync::OnceLock<Decoders> = std::sync::OnceLock::new();
        Judge {
            scanner,
            allow,
            decoders: STANDARD.get_or_init(Decoders::standard),
        }
    }
}

impl<'a> Judge<'a> {
    /// This judge with other decoders (the config's: [`Loaded::decoders`]).
    pub fn decoding(self, decoders: &'a Decoders) -> Judge<'a> {
        Judge { decoders, ..self }
    }
}

/// The scanner a loaded config asks for, tuned for `profile`: its rules, and the
/// model file detector unless the config disables every model rule.
pub fn scanner(loaded: &Loaded, profile: Profile) -> anyhow::Result<Scanner> {
    let scanner = Scanner::with_profile(loaded.rules()?, profile);
    Ok(match loaded.model_detector() {
        Some(d) => scanner.with_judge(Box::new(d)),
        None => scanner,
    })
}

/// Where a judge's results go: one outcome, or one shared by worker threads.
trait Take {
    fn finding(&mut self, allow: &Allow, found: Vec<Finding>);
    fn skipped(&mut self, origin: &Arc<Origin>, reason: SkipReason);
    /// Folds in what the file judges found in one whole file.
    fn whole(&mut self, local: Outcome);
}

/// Runs the scanner's file judges on a whole file (before decoding and the text
/// path): findings, what the summary lists, the count of model files. Returns
/// whether a judge read the file's format.
fn judge_whole(
    judge: &Judge<'_>,
    into: &mut impl Take,
    origin: &Arc<Origin>,
    content: &[u8],
) -> bool {
    let verdict = judge.scanner.judge_file(origin, content);
    if !verdict.recognised && verdict.findings.is_empty() && verdict.skipped.is_empty() {
        return false;
    }
    let mut local = Outcome::default();
    for f in verdict.findings {
        sort_finding(&mut local, judge.allow, f);
    }
    for (reason, path) in verdict.skipped {
        local.summary.skip_path(reason, path);
    }
    local.summary.models = verdict.recognised as usize;
    into.whole(local);
    verdict.recognised
}

/// Opens a whole binary file the decoders open (an archive) and scans what
/// comes out of it; returns whether they did. Text goes the text path, where
/// the same decoders see it as a chunk.
fn open_binary<T: Take>(
    judge: &Judge<'_>,
    into: &mut T,
    origin: &Arc<Origin>,
    content: &[u8],
) -> bool {
    crate::source::is_binary(content)
        && judge
            .decoders
            .expand_binary(origin, content, &mut Scan { judge, into })
}

impl Take for Outcome {
    fn finding(&mut self, allow: &Allow, found: Vec<Finding>) {
        for f in found {
            sort_finding(self, allow, f);
        }
    }

    fn skipped(&mut self, origin: &Arc<Origin>, reason: SkipReason) {
        self.summary.skip(origin, reason);
    }

    fn whole(&mut self, mut local: Outcome) {
        self.findings.append(&mut local.findings);
        self.suppressed.append(&mut local.suppressed);
        self.not_blocking.extend(local.not_blocking);
        self.summary.models += local.summary.models;
        for (reason, paths) in local.summary.skipped {
            self.summary
                .skipped
                .entry(reason)
                .or_default()
                .extend(paths);
        }
    }
}

impl Take for &Mutex<Outcome> {
    fn finding(&mut self, allow: &Allow, found: Vec<Finding>) {
        if !found.is_empty() {
            let mut outcome = self.lock().unwrap_or_else(|e| e.into_inner());
            outcome.finding(allow, found);
        }
    }

    fn skipped(&mut self, origin: &Arc<Origin>, reason: SkipReason) {
        let mut outcome = self.lock().unwrap_or_else(|e| e.into_inner());
        outcome.skipped(origin, reason);
    }

    fn whole(&mut self, local: Outcome) {
        let mut outcome = self.lock().unwrap_or_else(|e| e.into_inner());
        outcome.whole(local);
    }
}

/// The chunks that come out of the decoders, scanned into a [`Take`].
struct Scan<'j, 'a, T> {
    judge: &'j Judge<'a>,
    into: &'j mut T,
}

impl<T: Take> Visit for Scan<'_, '_, T> {
    fn file(&mut self, origin: &Arc<Origin>) {
        let found = self.judge.scanner.scan_path(origin);
        self.into.finding(self.judge.allow, found);
    }

    fn chunk(&mut self, chunk: &Chunk<'_>) {
        let found = self.judge.scanner.scan(chunk);
        self.into.finding(self.judge.allow, found);
    }

    fn skipped(&mut self, origin: &Arc<Origin>, reason: SkipReason) {
        self.into.skipped(origin, reason);
    }
}

/// A [`Visit`] that judges what it is shown and collects the outcome.
pub struct Collector<'a> {
    judge: Judge<'a>,
    /// What has been found so far.
    pub outcome: Outcome,
}

impl<'a> Collector<'a> {
    /// A collector with an empty outcome.
    pub fn new(judge: Judge<'a>) -> Collector<'a> {
        Collector {
            judge,
            outcome: Outcome::default(),
        }
    }
}

fn sort_finding(outcome: &mut Outcome, allow: &Allow, f: Finding) {
    match allow.check(&f) {
        Some(why) => outcome.suppressed.push((f, why)),
        None => {
            if let Some(why) = allow.not_blocking(&f) {
                outcome.not_blocking.insert(f.fingerprint.clone(), why);
            }
            outcome.findings.push(f)
        }
    }
}

impl Visit for Collector<'_> {
    fn file(&mut self, origin: &Arc<Origin>) {
        self.outcome
            .finding(self.judge.allow, self.judge.scanner.scan_path(origin));
    }

    fn chunk(&mut self, chunk: &Chunk<'_>) {
        let (judge, into) = (&self.judge, &mut self.outcome);
        judge.decoders.expand(chunk, &mut Scan { judge, into });
    }

    fn skipped(&mut self, origin: &Arc<Origin>, reason: SkipReason) {
        self.outcome.summary.skip(origin, reason);
    }

    fn whole(&mut self, origin: &Arc<Origin>, content: &[u8]) -> bool {
        let model = judge_whole(&self.judge, &mut self.outcome, origin, content);
        open_binary(&self.judge, &mut self.outcome, origin, content) || model
    }
}

/// A [`Visit`] for one worker thread of a parallel source, collecting into an
/// outcome shared by all workers.
pub struct SharedCollector<'a> {
    judge: Judge<'a>,
    shared: &'a Mutex<Outcome>,
}

impl<'a> SharedCollector<'a> {
    /// A worker's collector feeding `shared`.
    pub fn new(judge: Judge<'a>, shared: &'a Mutex<Outcome>) -> Self {
        SharedCollector { judge, shared }
    }
}

impl Visit for SharedCollector<'_> {
    fn file(&mut self, origin: &Arc<Origin>) {
        let found = self.judge.scanner.scan_path(origin);
        self.shared.finding(self.judge.allow, found);
    }

    fn chunk(&mut self, chunk: &Chunk<'_>) {
        let (judge, into) = (&self.judge, &mut self.shared);
        judge.decoders.expand(chunk, &mut Scan { judge, into });
    }

    fn skipped(&mut self, origin: &Arc<Origin>, reason: SkipReason) {
        self.shared.skipped(origin, reason);
    }

    fn whole(&mut self, origin: &Arc<Origin>, content: &[u8]) -> bool {
        let model = judge_whole(&self.judge, &mut self.shared, origin, content);
        open_binary(&self.judge, &mut self.shared, origin, content) || model
    }
}

/// Makes an outcome ready to report: one finding per secret ([`Outcome::dedupe`]),
/// in a stable order: path, decoding layers, line, column, rule.
pub fn sort(outcome: &mut Outcome) {
    outcome.dedupe();
    let key = |f: &Finding| {
        (
            f.origin.path.clone(),
            f.origin.layers.clone(),
            f.line,
            f.column,
            f.rule.id.clone(),
        )
    };
    outcome.findings.sort_by_key(key);
    outcome.suppressed.sort_by_key(|(f, _)| key(f));
    for paths in outcome.summary.skipped.values_mut() {
        paths.sort();
    }
}
