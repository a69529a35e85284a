//! `leakgate install`: install or remove a git hook in the current repository.

use super::common::Status;
use crate::hook::{self, Existing, Kind};
use anyhow::{Context, Result};

/// Install leakgate as a git hook in the current repository.
///
/// Honours core.hooksPath. An existing hook that leakgate did not write is never
/// overwritten silently: without --chain or --force the install is refused.
/// --chain keeps the old hook and runs it before leakgate; --force replaces it and
/// keeps a backup. --uninstall removes only what leakgate installed and puts a
/// chained hook back.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  leakgate install                       judge every commit (pre-commit hook)
  leakgate install --chain               keep the hook you have; it runs first
  leakgate install --hook pre-push       judge at push time instead
  leakgate install --uninstall           remove what leakgate installed

The hook runs the binary that installed it (then `leakgate` on PATH). Using the
pre-commit framework, Husky or lefthook instead? See the README; ready-made scripts
are in the hooks/ folder of the leakgate repository.")]
pub struct Args {
    /// Which hook to install.
    #[arg(long, value_enum, default_value = "pre-commit")]
    hook: Kind,
    /// Keep an existing hook and run it before leakgate.
    #[arg(long, conflicts_with_all = ["force", "uninstall"])]
    chain: bool,
    /// Replace an existing hook (it is kept as <hook>.leakgate-backup).
    #[arg(long, conflicts_with = "uninstall")]
    force: bool,
    /// Remove the hook leakgate installed (and restore a chained one).
    #[arg(long)]
    uninstall: bool,
}

/// Runs the command.
pub fn run(args: Args) -> Result<Status> {
    let repo = crate::source::git::open_from_env()
        .context("cannot open the git repository here (run leakgate install from inside one)")?;
    let message = if args.uninstall {
        hook::uninstall(&repo, args.hook)?
    } else {
        let existing = match (args.chain, args.force) {
            (true, _) => Existing::Chain,
            (_, true) => Existing::Replace,
            _ => Existing::Refuse,
        };
        let exe = std::env::current_exe().context("cannot find the leakgate binary's path")?;
        hook::install(&repo, args.hook, existing, &exe)?
    };
    eprintln!("leakgate: {message}");
    Ok(Status::Clean)
}
