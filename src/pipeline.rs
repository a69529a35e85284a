//! Wires a source to the engine and the filters: every chunk a source reports is
//! scanned, every finding is checked against the allow filters, and the result is
//! an [`Outcome`] ready for a report.

use crate::allow::Allow;
use crate::engine::{Finding, Scanner};
use crate::report::Outcome;
use crate::source::{Chunk, Origin, SkipReason, Visit};
use std::sync::{Arc, Mutex};

/// A [`Visit`] that scans what it is shown and collects the outcome.
pub struct Collector<'a> {
    scanner: &'a Scanner,
    allow: &'a Allow,
    /// What has been found so far.
    pub outcome: Outcome,
}

impl<'a> Collector<'a> {
    /// A collector with an empty outcome.
    pub fn new(scanner: &'a Scanner, allow: &'a Allow) -> Collector<'a> {
        Collector {
            scanner,
            allow,
            outcome: Outcome::default(),
        }
    }
}

fn sort_finding(outcome: &mut Outcome, allow: &Allow, f: Finding) {
    match allow.check(&f) {
        Some(why) => outcome.suppressed.push((f, why)),
        None => outcome.findings.push(f),
    }
}

/// Runs the scanner's file judges on a whole file; returns whether one read it.
fn judge_whole(
    scanner: &Scanner,
    allow: &Allow,
    outcome: &mut Outcome,
    origin: &Arc<Origin>,
    content: &[u8],
) -> bool {
    let verdict = scanner.judge_file(origin, content);
    for f in verdict.findings {
        sort_finding(outcome, allow, f);
    }
    for (reason, path) in verdict.skipped {
        outcome.summary.skip_path(reason, path);
    }
    outcome.summary.models += verdict.recognised as usize;
    verdict.recognised
}

impl Visit for Collector<'_> {
    fn file(&mut self, origin: &Arc<Origin>) {
        for f in self.scanner.scan_path(origin) {
            sort_finding(&mut self.outcome, self.allow, f);
        }
    }

    fn chunk(&mut self, chunk: &Chunk<'_>) {
        for f in self.scanner.scan(chunk) {
            sort_finding(&mut self.outcome, self.allow, f);
        }
    }

    fn skipped(&mut self, origin: &Arc<Origin>, reason: SkipReason) {
        self.outcome.summary.skip(origin, reason);
    }

    fn whole(&mut self, origin: &Arc<Origin>, content: &[u8]) -> bool {
        judge_whole(self.scanner, self.allow, &mut self.outcome, origin, content)
    }
}

/// A [`Visit`] for one worker thread of a parallel source, collecting into an
/// outcome shared by all workers.
pub struct SharedCollector<'a> {
    scanner: &'a Scanner,
    allow: &'a Allow,
    shared: &'a Mutex<Outcome>,
}

impl<'a> SharedCollector<'a> {
    /// A worker's collector feeding `shared`.
    pub fn new(scanner: &'a Scanner, allow: &'a Allow, shared: &'a Mutex<Outcome>) -> Self {
        SharedCollector {
            scanner,
            allow,
            shared,
        }
    }

    fn take(&self, found: Vec<Finding>) {
        if found.is_empty() {
            return;
        }
        let mut outcome = self.shared.lock().unwrap_or_else(|e| e.into_inner());
        for f in found {
            sort_finding(&mut outcome, self.allow, f);
        }
    }
}

impl Visit for SharedCollector<'_> {
    fn file(&mut self, origin: &Arc<Origin>) {
        self.take(self.scanner.scan_path(origin));
    }

    fn chunk(&mut self, chunk: &Chunk<'_>) {
        self.take(self.scanner.scan(chunk));
    }

    fn skipped(&mut self, origin: &Arc<Origin>, reason: SkipReason) {
        let mut outcome = self.shared.lock().unwrap_or_else(|e| e.into_inner());
        outcome.summary.skip(origin, reason);
    }

    fn whole(&mut self, origin: &Arc<Origin>, content: &[u8]) -> bool {
        let mut local = Outcome::default();
        let read = judge_whole(self.scanner, self.allow, &mut local, origin, content);
        if read || !local.summary.skipped.is_empty() {
            let mut outcome = self.shared.lock().unwrap_or_else(|e| e.into_inner());
            outcome.summary.models += local.summary.models;
            outcome.findings.append(&mut local.findings);
            outcome.suppressed.append(&mut local.suppressed);
            for (reason, paths) in local.summary.skipped {
                outcome
                    .summary
                    .skipped
                    .entry(reason)
                    .or_default()
                    .extend(paths);
            }
        }
        read
    }
}

/// Puts findings in a stable order: path, line, column, rule.
pub fn sort(outcome: &mut Outcome) {
    let key = |f: &Finding| (f.origin.path.clone(), f.line, f.column, f.rule.id.clone());
    outcome.findings.sort_by_key(key);
    outcome.suppressed.sort_by_key(|(f, _)| key(f));
    for paths in outcome.summary.skipped.values_mut() {
        paths.sort();
    }
}
