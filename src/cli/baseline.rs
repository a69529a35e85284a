//! `leakgate baseline`: record the findings a repository already has, so the hooks
//! and scans report only new ones.
//!
//! Every subcommand scans the way the baseline was made (`from` in its first line,
//! [`crate::pipeline::baseline`]) and hands the [`Outcome`] to [`Baseline::record`].

use super::audit;
use super::common::{ConfigArgs, Status};
use crate::allow::baseline::{Baseline, Verdict};
use crate::allow::Allow;
use crate::config::Loaded;
use crate::pipeline::baseline::{masked_key, present, scan, Scope};
use crate::types::fingerprint::{self, key_now};
use crate::types::Outcome;
use anyhow::{bail, Context, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Record existing findings so later scans report only new ones.
///
/// `create` scans the repository and writes every finding to
/// .leakgate-baseline.json (rule id, path and a hash of the secret, never the
/// secret). Commit that file: `leakgate staged`, the pre-commit hook and `leakgate
/// scan` then report only findings that are not in it. A secret that appears at a
/// new path is a new finding.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  leakgate baseline create\n  leakgate baseline update\n  \
leakgate baseline prune\n  leakgate baseline audit\n  \
leakgate baseline audit --fingerprint 3f9c0a12 --verdict false-positive --note \"test fixture\""
)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Scan the repository and record every finding (refuses to overwrite).
    Create(CreateArgs),
    /// Scan again and add findings that are not in the baseline yet.
    Update(ScanArgs),
    /// Scan again and remove entries whose secret no longer exists.
    Prune(ScanArgs),
    /// Review entries and record a verdict and note for each.
    Audit(audit::Args),
}

#[derive(Debug, clap::Args)]
struct CreateArgs {
    /// What to scan.
    #[arg(long, value_enum, default_value = "worktree")]
    from: Scope,
    /// Overwrite an existing baseline (its verdicts and notes are lost).
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    config: ConfigArgs,
}

#[derive(Debug, clap::Args)]
struct ScanArgs {
    /// What to scan (default: what the baseline was made from).
    #[arg(long, value_enum)]
    from: Option<Scope>,
    #[command(flatten)]
    config: ConfigArgs,
}

/// Runs the command.
pub fn run(args: Args) -> Result<Status> {
    match args.action {
        Action::Create(a) => create(a),
        Action::Update(a) => update(a),
        Action::Prune(a) => prune(a),
        Action::Audit(a) => audit::run(a),
    }
}

/// The repository's work tree root (or the current directory outside git).
pub fn root() -> Result<PathBuf> {
    let repo = git2::Repository::discover(".").ok();
    match repo.as_ref().and_then(|r| r.workdir()) {
        Some(p) => Ok(p.to_path_buf()),
        None => std::env::current_dir().context("cannot read the current directory"),
    }
}

/// Loads the config without its baseline, and says where the baseline file is.
pub fn setup(config: &ConfigArgs) -> Result<(Loaded, PathBuf)> {
    if config.no_baseline {
        bail!("--no-baseline makes no sense for a baseline command");
    }
    config.choose_key()?;
    let root = root()?;
    let loaded = Loaded::find(config.config.as_deref(), Some(&root), config.no_config)?;
    let file = match &config.baseline {
        Some(p) => p.clone(),
        None => loaded.baseline_path().expect("the root is set"),
    };
    Ok((loaded, file))
}

fn create(args: CreateArgs) -> Result<Status> {
    let (loaded, file) = setup(&args.config)?;
    if file.exists() && !args.force {
        bail!(
            "{} exists (add new findings with `leakgate baseline update`, or start over with --force)",
            file.display()
        );
    }
    let allow = loaded.allow();
    let outcome = scan(args.from, &loaded, &allow, args.config.max_file_size)?;
    let mut base = Baseline::new(args.from.name());
    let added = base.record(&outcome, masked_key(&outcome, &allow));
    base.save(&file)?;
    eprintln!(
        "leakgate: recorded {added} findings in {} (scanned the {}); commit it so every clone and hook uses it",
        file.display(),
        args.from.name()
    );
    Ok(Status::Clean)
}

fn load_existing(file: &Path) -> Result<Baseline> {
    if !file.exists() {
        bail!(
            "there is no baseline at {} (make one with `leakgate baseline create`)",
            file.display()
        );
    }
    Baseline::load(file)
}

/// An existing baseline and a fresh scan of what it was made from (or `--from`).
struct Rescan {
    file: PathBuf,
    base: Baseline,
    allow: Allow,
    outcome: Outcome,
}

fn rescan(args: &ScanArgs) -> Result<Rescan> {
    let (loaded, file) = setup(&args.config)?;
    let base = load_existing(&file)?;
    let from = args
        .from
        .map_or_else(|| Scope::parse_name(&base.from), Ok)?;
    let allow = loaded.allow();
    let outcome = scan(from, &loaded, &allow, args.config.max_file_size)?;
    let mut rescan = Rescan {
        file,
        base,
        allow,
        outcome,
    };
    rescan.migrate()?;
    Ok(rescan)
}

impl Rescan {
    /// Re-keys a format 1 baseline to keyed fingerprints (saved by the caller),
    /// or refuses a baseline made with another key (updating it would record
    /// every finding again under this key).
    fn migrate(&mut self) -> Result<()> {
        if !self.base.is_legacy() {
            return match self.base.key_mismatch() {
                Some(why) => bail!("baseline {}: {why}", self.file.display()),
                None => Ok(()),
            };
        }
        let to_new = legacy_keys(&self.outcome, &self.allow);
        let dropped = self.base.rekey(&to_new);
        for (fp, e) in &dropped {
            eprintln!("  dropped {} in {} ({fp}): its secret is no longer found, so it cannot be re-keyed", e.rule, e.path);
        }
        eprintln!(
            "leakgate: re-keyed {} entries of {} to keyed fingerprints (format 2); commit it, and share the key ({}) with every clone and CI job that uses it",
            self.base.len(),
            self.file.display(),
            key_now().source
        );
        Ok(())
    }
}

/// The old unkeyed fingerprint of every finding a scan saw, mapped to its keyed one.
fn legacy_keys(outcome: &Outcome, allow: &Allow) -> HashMap<String, String> {
    outcome
        .findings
        .iter()
        .chain(outcome.suppressed.iter().map(|(f, _)| f))
        .map(|f| {
            let (path, fp) = allow.key(f);
            (fingerprint::legacy(&f.rule.id, &path, &f.secret), fp)
        })
        .collect()
}

fn update(args: ScanArgs) -> Result<Status> {
    let Rescan {
        file,
        mut base,
        allow,
        outcome,
    } = rescan(&args)?;
    let added = base.record(&outcome, masked_key(&outcome, &allow));
    base.save(&file)?;
    eprintln!(
        "leakgate: added {added} new findings to {} ({} entries)",
        file.display(),
        base.len()
    );
    Ok(Status::Clean)
}

fn prune(args: ScanArgs) -> Result<Status> {
    let Rescan {
        file,
        mut base,
        allow,
        outcome,
    } = rescan(&args)?;
    let removed = base.retain(&present(&outcome, &allow));
    for (fp, e) in &removed {
        eprintln!("  removed {} in {} ({fp})", e.rule, e.path);
    }
    base.save(&file)?;
    eprintln!(
        "leakgate: removed {} entries whose secret no longer exists from {} ({} left)",
        removed.len(),
        file.display(),
        base.len()
    );
    Ok(Status::Clean)
}

/// A verdict's name, for messages.
pub fn verdict_name(v: Option<Verdict>) -> &'static str {
    v.map_or("unreviewed", Verdict::as_str)
}
