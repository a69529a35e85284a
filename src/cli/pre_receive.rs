//! `leakgate pre-receive`: the server-side hook. Judges what a push adds before git
//! updates any ref, and rejects the whole push if it adds a secret.
//!
//! Git runs the hook inside its object quarantine: the pushed objects are only in
//! the directory named by `GIT_OBJECT_DIRECTORY` (with the repository's own objects
//! as `GIT_ALTERNATE_OBJECT_DIRECTORIES`) until the hook accepts. The repository is
//! opened from that environment ([`git2::Repository::open_from_env`] honours both
//! variables), so the pushed commits are read, not missed. The refs seen inside the
//! quarantine are the ones from before the push, which is what "already on the
//! server" means: the commits judged are those reachable from a pushed tip and from
//! no existing ref. `GIT_QUARANTINE_PATH` needs no handling of its own: it only
//! tells git to refuse ref updates from the hook, and this hook writes nothing. A
//! bare repository has no work tree and so no `.leakgate.yaml`:
//! it uses `--config FILE` or the bundled defaults.

use super::common::Status;
use super::push::{self, HookArgs};
use crate::pipeline::push::judge_push;
use crate::source::git::push::{parse_updates, received};
use anyhow::{Context, Result};

/// Judge a push on the server (run by git as the pre-receive hook).
///
/// Reads git's `<old> <new> <ref>` lines on stdin and judges only what the push
/// adds: the commits reachable from each new tip and from no ref the server already
/// has, and in each commit only the lines it adds against its parents. Deleting a
/// ref is never blocked. The report goes to stderr, which git shows the pusher.
/// Install it in a bare repository with `leakgate install --hook pre-receive`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  leakgate install --hook pre-receive     (inside the bare repository)\n  \
leakgate pre-receive --config /etc/leakgate.yaml --timeout 10\n\n\
Exit status: 0 accepts the push, 1 rejects it (findings), 2 rejects it (could not \
scan in time or at all, unless --on-timeout/--on-error accept)."
)]
pub struct Args {
    #[command(flatten)]
    hook: HookArgs,
}

/// Runs the command.
pub fn run(args: Args) -> Result<Status> {
    let updates = parse_updates(&push::read_stdin()?)?;
    let config = args.hook.config.clone();
    push::judge(&args.hook, "pre-receive", move || {
        let repo = crate::source::git::open_from_env()
            .context("cannot open the repository the push goes to")?;
        let loaded = config.load(repo.workdir())?;
        let pushed = received(&repo, &updates)?;
        judge_push(&repo, &pushed, loaded, config.max_file_size, "pre-receive")
    })
}
