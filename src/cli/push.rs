//! What the two push hooks (`pre-receive` on a server, `pre-push` on a laptop)
//! share on the command line: the time budget, the choice of what a timeout or an
//! error means, and the report on stderr.
//!
//! The judging is [`crate::pipeline::push`]. When the budget runs out, or the push
//! cannot be scanned at all (a missing object, a bad config), the hook rejects the
//! push by default (fail closed, exit 2) and says why; `--on-timeout accept` /
//! `--on-error accept` let it through with a warning instead. The report goes to
//! stderr, without colour, which git relays to the pusher as `remote:` lines
//! (pre-receive) or shows as is.

use super::common::{ConfigArgs, Status};
use crate::pipeline::push::{self, Ending, Failure, Judged};
use crate::report::{self, Context, Redaction};
use anyhow::{bail, Result};
use std::io::Write;
use std::time::Duration;

/// Options shared by the push hooks.
#[derive(Debug, clap::Args)]
pub struct HookArgs {
    /// Give up after this many seconds (hosted servers kill slow hooks).
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0, value_parser = seconds)]
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

/// A time budget in seconds: a finite number above zero. `-1`, `nan` and `inf`
/// would otherwise silently mean "no limit", which a hosted server then enforces
/// by killing the hook.
fn seconds(text: &str) -> std::result::Result<f64, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if value.is_finite() && value > 0.0 && Duration::try_from_secs_f64(value).is_ok() {
        Ok(value)
    } else {
        Err(format!(
            "`{text}` is not a usable time budget: give a finite number of seconds above 0, such as 5 or 0.5"
        ))
    }
}

/// Runs `scan` within the time budget and reports on stderr. `hook` names the hook
/// in messages.
pub fn judge<F>(args: &HookArgs, hook: &str, scan: F) -> Result<Status>
where
    F: FnOnce() -> Result<Judged> + Send + 'static,
{
    let budget = Duration::from_secs_f64(args.timeout);
    match push::within(budget, scan) {
        Ending::Judged(mut judged) => report(&mut judged, args.quiet),
        Ending::Failed(e) => failed(args.on_error, hook, &format!("cannot scan the push: {e:#}")),
        Ending::TimedOut => failed(
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
    report::redact::mask_file_names(outcome, Redaction::Default);
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
    Ok(super::common::status(outcome.blocking() > 0, false))
}

/// Reads stdin whole (git writes every ref line before the hook answers).
pub fn read_stdin() -> Result<String> {
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
        .map_err(|e| anyhow::anyhow!("cannot read the ref updates on stdin: {e}"))?;
    Ok(text)
}
