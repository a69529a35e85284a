//! `leakgate pre-push`: the client-side push hook. Judges the commits a push sends
//! that the remote does not have yet, before they leave the machine.
//!
//! Git passes `<remote name> <url>` as arguments and one line per ref on stdin;
//! which commits that makes is [`crate::source::git::push::outgoing`]'s to say.
//! Deleting a remote ref is never blocked. The config is `.leakgate.yaml` of the
//! work tree, as for the pre-commit hook.

use super::common::Status;
use super::push::{self, HookArgs};
use crate::pipeline::push::judge_push;
use crate::source::git::push::{outgoing, parse_outgoing};
use anyhow::{Context, Result};

/// Judge the commits being pushed (run by git as the pre-push hook).
///
/// Only commits the remote does not have are judged, and in each only the lines it
/// adds. The report goes to stderr; a push with secrets is stopped before it leaves
/// the machine. Install with `leakgate install --hook pre-push`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  leakgate install --hook pre-push\n  \
git push --no-verify      skip the hook deliberately")]
pub struct Args {
    /// The remote's name (as git passes it).
    #[arg(value_name = "REMOTE")]
    remote: Option<String>,
    /// The remote's URL (as git passes it).
    #[arg(value_name = "URL")]
    url: Option<String>,
    #[command(flatten)]
    hook: HookArgs,
}

/// Runs the command.
pub fn run(args: Args) -> Result<Status> {
    let lines = parse_outgoing(&push::read_stdin()?)?;
    let config = args.hook.config.clone();
    let remote = args.remote.clone().unwrap_or_default();
    push::judge(&args.hook, "pre-push", move || {
        let repo = crate::source::git::open_from_env().context("cannot open the repository")?;
        let loaded = config.load(repo.workdir())?;
        let pushed = outgoing(&repo, &remote, &lines)?;
        judge_push(&repo, &pushed, loaded, config.max_file_size, "pre-push")
    })
}
