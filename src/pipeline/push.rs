//! Judging a push, for both push hooks (`pre-receive` on a server, `pre-push` on
//! a laptop): the commits it brings ([`crate::source::git::push`]) judged by the
//! lines each adds and by their messages, and the tags, trees and blobs its tips
//! name, within a time budget.
//!
//! The scan runs on its own thread while the hook waits at most the budget for
//! it: hosted git servers kill a slow hook, and a killed hook tells the pusher
//! nothing. What a timeout or an error means for the push (reject, the default,
//! or accept with a warning) is the caller's [`Failure`] choice.

use super::Judge;
use crate::config::Loaded;
use crate::source::git::objects::Objects;
use crate::source::git::push::Pushed;
use crate::source::git::{commits, refs};
use crate::types::Outcome;
use anyhow::Result;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What to do with the push when it could not be judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Failure {
    /// Reject the push (fail closed).
    Reject,
    /// Accept the push and print a warning.
    Accept,
}

/// A judged push: what was found and the config's blocking severity.
pub struct Judged {
    /// The findings and summary.
    pub outcome: Outcome,
    /// The loaded config (for `fail_on`).
    pub config: Loaded,
}

/// Judges what a push brings with the config's rules and filters: the added lines
/// and the message of each commit (oldest first), and the tags, trees and blobs
/// its tips name beyond commits; `scan` names the hook in the summary.
pub fn judge_push(
    repo: &git2::Repository,
    pushed: &Pushed,
    loaded: Loaded,
    max_size: u64,
    scan: &'static str,
) -> Result<Judged> {
    let scanner = super::scanner(&loaded, crate::engine::Profile::Latency)?;
    let allow = loaded.allow();
    let decoders = loaded.decoders();
    let judge = Judge::new(&scanner, &allow).decoding(&decoders);
    let mut collector = super::Collector::new(judge);
    let stats = commits::walk(repo, &pushed.commits, max_size, &mut collector)?;
    let objects = Objects::new(repo);
    let (files, bytes) = refs::judge_targets(&objects, &pushed.targets, max_size, &mut collector)?;
    let mut outcome = collector.outcome;
    outcome.summary.scan = scan;
    outcome.summary.commits = Some(stats.commits);
    outcome.summary.files = stats.files + files;
    outcome.summary.bytes = stats.bytes + bytes;
    Ok(Judged {
        outcome,
        config: loaded,
    })
}

/// How a push judged within its budget ended.
pub enum Ending {
    /// The scan finished (the elapsed time is in its summary).
    Judged(Box<Judged>),
    /// The scan stopped with an error.
    Failed(anyhow::Error),
    /// The budget ran out first.
    TimedOut,
}

/// Runs `scan` on its own thread and waits at most `budget` for it.
pub fn within<F>(budget: Duration, scan: F) -> Ending
where
    F: FnOnce() -> Result<Judged> + Send + 'static,
{
    let started = Instant::now();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(scan());
    });
    match rx.recv_timeout(budget) {
        Ok(Ok(mut judged)) => {
            judged.outcome.summary.elapsed = started.elapsed();
            Ending::Judged(Box::new(judged))
        }
        Ok(Err(e)) => Ending::Failed(e),
        // The scan thread ended without an answer: it crashed. That is an error,
        // not a timeout, so `--on-error` decides, not `--on-timeout`.
        Err(mpsc::RecvTimeoutError::Disconnected) => Ending::Failed(anyhow::anyhow!(
            "the scan crashed (a bug in leakgate: please report it)"
        )),
        Err(mpsc::RecvTimeoutError::Timeout) => Ending::TimedOut,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crashed_scan_is_an_error_not_a_timeout() {
        let ending = within(Duration::from_secs(30), || -> Result<Judged> {
            panic!("simulated crash in the scan thread")
        });
        match ending {
            Ending::Failed(e) => assert!(e.to_string().contains("crashed"), "{e}"),
            Ending::TimedOut => panic!("a crash was taken for a timeout"),
            Ending::Judged(_) => panic!("a crash was taken for a clean scan"),
        }
    }

    #[test]
    fn a_slow_scan_is_a_timeout() {
        let ending = within(Duration::from_millis(10), || -> Result<Judged> {
            std::thread::sleep(Duration::from_secs(2));
            anyhow::bail!("too late")
        });
        assert!(matches!(ending, Ending::TimedOut));
    }
}
