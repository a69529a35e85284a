//! `leakgate config check`: validate a config and show the rule set it produces.

use super::common::{ConfigArgs, Status};
use crate::config::summary;
use anyhow::{bail, Result};
use std::io::Write;

/// Validate the configuration and show the rule set it produces.
///
/// `.leakgate.yaml` is found at the repository root (or given with --config).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  leakgate config check\n  leakgate config check --rules\n  \
leakgate config check --config ci/leakgate.yaml"
)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Check .leakgate.yaml (or --config FILE) and print the effective rule set:
    /// counts per family, disabled, changed and custom rules, allowlists, baseline.
    /// Exits 2 with the file, line and key of the first problem.
    #[command(
        after_help = "Examples:\n  leakgate config check\n  leakgate config check --config ci/leakgate.yaml\n  leakgate config check --rules"
    )]
    Check(CheckArgs),
}

#[derive(Debug, clap::Args)]
struct CheckArgs {
    /// List every active rule: id, family and severity.
    #[arg(long)]
    rules: bool,
    #[command(flatten)]
    config: ConfigArgs,
}

/// Runs the command.
pub fn run(args: Args) -> Result<Status> {
    let Action::Check(args) = args.action;
    let root = super::baseline::root()?;
    let loaded = args.config.load(Some(&root))?;
    let rules = loaded.rules()?;
    if let Err(e) = loaded.allowlist().compile() {
        bail!("{e}");
    }
    if let Some(Err(e)) = loaded.baseline.as_ref().map(|b| b.get()) {
        bail!("{e}");
    }
    let mut out = std::io::stdout().lock();
    write!(out, "{}", summary::render(&loaded, &rules))?;
    if args.rules {
        for r in &rules {
            writeln!(out, "{}\t{}\t{}", r.id, r.family, r.severity.as_str())?;
        }
    }
    Ok(Status::Clean)
}
