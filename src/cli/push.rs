//! What the two push hooks (`pre-receive` on a server, `pre-push` on a laptop)
//! share: the time budget, the choice of what a timeout or an error means, and the
//! report on stderr.
//!
//! The scan runs on its own thread while the hook waits at most `--timeout` seconds
//! for it: hosted git servers kill a slow hook, and a killed hook tells the pusher
//! nothing. When the budget runs out, or the push cannot be scanned at all (a
//! missing object, a bad config), the hook rejects the push by default (fail
//! closed, exit 2) and says why; `--on-timeout accept` / `--on-error accept` let it
//! through with a warning instead. The report goes to stderr, without colour, which
//! git relays to the pusher as `remote:` lines (pre-receive) or shows as is.

use super::common::{ConfigArgs, Status};
use crate::config::Loaded;
use crate::report::{self, Context, Outcome, Redaction};
use anyhow::{bail, Result};
use std::io::Write;
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

/// Options shared by the push hooks.
#[derive(Debug, clap::Args)]
pub struct HookArgs {
    /// Give up after this many seconds (hosted servers kill slow hooks).
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0)]
    pub timeout: f64,
    /// What a timeout does to the push.
    #[arg(long, value_enum, default_value = "reject", value_name = "WHAT")]
    pub on_timeout: Failure,
    /// What an error that stops the scan (unreadable objects, bad config) does to
    /// the push.
    #[arg(long, value_enum, default_value = "reject", value_name = "WHAT")]
    pub on_error: Failure,
    /// Print only findings: no summary and no advice when the push is clean.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// A judged push: what was found (the blocking policy already applied).
pub struct Judged {
    /// The findings and summary.
    pub outcome: Outcome,
}

/// Judges the added lines of `commits` (oldest first) with the config's rules and
/// filters; `scan` names the hook in the summary.
pub fn judge_commits(
    repo: &git2::Repository,
    commits: &[git2::Oid],
    loaded: Loaded,
    max_size: u64,
    scan: &'static str,
) -> Result<Judged> {
    let scanner = super::common::scanner(&loaded)?;
    let allow = loaded.allow();
    let mut collector = crate::pipeline::Collector::new(&scanner, &allow);
    let stats = crate::source::commits::walk(repo, commits, max_size, &mut collector)?;
    let mut outcome = collector.outcome;
    outcome.summary.scan = scan;
    outcome.summary.commits = Some(stats.commits);
    outcome.summary.files = stats.files;
    outcome.summary.bytes = stats.bytes;
    Ok(Judged { outcome })
}

/// Runs `scan` within the time budget and reports on stderr. `hook` names the hook
/// in messages.
pub fn judge<F>(args: &HookArgs, hook: &str, scan: F) -> Result<Status>
where
    F: FnOnce() -> Result<Judged> + Send + 'static,
{
    let started = Instant::now();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(scan());
    });
    let budget = Duration::try_from_secs_f64(args.timeout).unwrap_or(Duration::MAX);
    match rx.recv_timeout(budget) {
        Ok(Ok(mut judged)) => {
            judged.outcome.summary.elapsed = started.elapsed();
            report(&mut judged, args.quiet)
        }
        Ok(Err(e)) => failed(args.on_error, hook, &format!("cannot scan the push: {e:#}")),
        Err(_) => failed(
            args.on_timeout,
            hook,
            &format!(
                "the scan did not finish within {} s (--timeout)",
                args.timeout
            ),
        ),
    }
}

fn failed(what: Failure, hook: &str, why: &str) -> Result<Status> {
    match what {
        Failure::Accept => {
            eprintln!("leakgate: warning: {why}; the push is accepted unchecked (--on-timeout/--on-error accept)");
            Ok(Status::Clean)
        }
        Failure::Reject => bail!(
            "{why}; the push is rejected (the {hook} hook fails closed). Retry, push fewer \
             commits at a time, or ask an administrator (--timeout, --on-timeout accept, \
             --on-error accept)"
        ),
    }
}

fn report(judged: &mut Judged, quiet: bool) -> Result<Status> {
    let outcome = &mut judged.outcome;
    crate::pipeline::sort(outcome);
    let opts = report::Options {
        redaction: Redaction::Default,
        color: false,
        show_suppressed: false,
        context: Context::Push,
        quiet,
    };
    let mut err = std::io::stderr().lock();
    let _ = report::write(&mut err, report::Format::Human, outcome, &opts);
    let _ = err.flush();
    Ok(if outcome.blocking() > 0 {
        Status::Findings
    } else {
        Status::Clean
    })
}

/// Git's all-zero object id: no object (a created or deleted ref).
pub fn is_zero(hex: &str) -> bool {
    !hex.is_empty() && hex.bytes().all(|b| b == b'0')
}

/// Reads stdin whole (git writes every ref line before the hook answers).
pub fn read_stdin() -> Result<String> {
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
        .map_err(|e| anyhow::anyhow!("cannot read the ref updates on stdin: {e}"))?;
    Ok(text)
}
