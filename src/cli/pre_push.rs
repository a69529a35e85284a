//! `leakgate pre-push`: the client-side push hook. Judges the commits a push sends
//! that the remote does not have yet, before they leave the machine.
//!
//! Git passes `<remote name> <url>` as arguments and one line per ref on stdin:
//! `<local ref> <local sha> <remote ref> <remote sha>`. The commits judged are those
//! reachable from a pushed local sha and from none of the remote's shas nor the
//! remote-tracking refs `refs/remotes/<remote>/*` (what we know the remote has).
//! Deleting a remote ref is never blocked. The config is `.leakgate.yaml` of the
//! work tree, as for the pre-commit hook.

use super::common::Status;
use super::push::{self, HookArgs};
use crate::source::commits;
use anyhow::{bail, Context, Result};
use git2::{Oid, Repository};

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
    let lines = parse(&push::read_stdin()?)?;
    let config = args.hook.config.clone();
    let remote = args.remote.clone().unwrap_or_default();
    push::judge(&args.hook, "pre-push", move || {
        let repo = Repository::open_from_env().context("cannot open the repository")?;
        let loaded = config.load(repo.workdir())?;
        let commits = outgoing(&repo, &remote, &lines)?;
        push::judge_commits(&repo, &commits, loaded, config.max_file_size, "pre-push")
    })
}

/// `(local sha, remote sha)` of each pushed ref.
fn parse(input: &str) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for line in input.lines().filter(|l| !l.trim().is_empty()) {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [_, local, _, remote] = parts[..] else {
            bail!(
                "unexpected line from git: `{line}` \
                 (want `<local ref> <local sha> <remote ref> <remote sha>`)"
            );
        };
        out.push((local.to_string(), remote.to_string()));
    }
    Ok(out)
}

/// The commits the remote lacks: reachable from the pushed shas, and from neither
/// the remote's shas nor its remote-tracking refs.
fn outgoing(repo: &Repository, remote: &str, lines: &[(String, String)]) -> Result<Vec<Oid>> {
    let oid = |hex: &str| Oid::from_str(hex).with_context(|| format!("bad object id `{hex}`"));
    let mut tips = Vec::new();
    let mut hidden = Vec::new();
    for (local, theirs) in lines {
        if !push::is_zero(local) {
            tips.extend(commits::peel(repo, oid(local)?)?);
        }
        if !push::is_zero(theirs) && commits::exists(repo, oid(theirs)?) {
            hidden.extend(commits::peel(repo, oid(theirs)?)?);
        }
    }
    let prefix = format!("refs/remotes/{remote}/");
    for r in repo.references().context("cannot list the refs")? {
        let r = r?;
        let tracking = !remote.is_empty() && r.name_bytes().starts_with(prefix.as_bytes());
        if let (true, Ok(commit)) = (tracking, r.peel_to_commit()) {
            hidden.push(commit.id());
        }
    }
    commits::pushed(repo, &tips, &hidden)
}
