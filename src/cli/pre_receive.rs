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
use crate::source::commits;
use anyhow::{bail, Context, Result};
use git2::{Oid, Repository};

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

/// One line of git's input: a ref moving from `old` to `new`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    /// The ref's value before the push (zeros: the ref is new).
    pub old: String,
    /// The ref's value after the push (zeros: the ref is deleted).
    pub new: String,
    /// The ref's full name.
    pub name: String,
}

/// Parses `<old> <new> <ref>` lines; blank lines are ignored.
pub fn parse(input: &str) -> Result<Vec<Update>> {
    let mut out = Vec::new();
    for line in input.lines().filter(|l| !l.trim().is_empty()) {
        let mut parts = line.split_whitespace();
        let (Some(old), Some(new), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
            bail!("unexpected ref update line from git: `{line}` (want `<old> <new> <ref>`)");
        };
        out.push(Update {
            old: old.into(),
            new: new.into(),
            name: name.into(),
        });
    }
    Ok(out)
}

/// Runs the command.
pub fn run(args: Args) -> Result<Status> {
    let updates = parse(&push::read_stdin()?)?;
    let config = args.hook.config.clone();
    push::judge(&args.hook, "pre-receive", move || {
        let repo =
            Repository::open_from_env().context("cannot open the repository the push goes to")?;
        let loaded = config.load(repo.workdir())?;
        let commits = new_commits(&repo, &updates)?;
        push::judge_commits(&repo, &commits, loaded, config.max_file_size, "pre-receive")
    })
}

/// The commits the push brings: reachable from a new tip and from no existing ref.
fn new_commits(repo: &Repository, updates: &[Update]) -> Result<Vec<Oid>> {
    let mut tips = Vec::new();
    for u in updates.iter().filter(|u| !push::is_zero(&u.new)) {
        let id = Oid::from_str(&u.new)
            .with_context(|| format!("bad object id `{}` for {}", u.new, u.name))?;
        tips.extend(commits::peel(repo, id)?);
    }
    let mut existing = Vec::new();
    for r in repo.references().context("cannot list the server's refs")? {
        if let Ok(commit) = r?.peel_to_commit() {
            existing.push(commit.id());
        }
    }
    commits::pushed(repo, &tips, &existing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_git_input() {
        let z = "0".repeat(40);
        let input = format!("{z} {} refs/heads/main\n\n", "a".repeat(40));
        let u = parse(&input).unwrap();
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].name, "refs/heads/main");
        assert!(push::is_zero(&u[0].old));
        assert!(parse("just-one-field\n").is_err());
    }
}
