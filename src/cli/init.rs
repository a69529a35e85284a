//! `leakgate init`: write a commented starter `.leakgate.yaml`, or (`--from`) one
//! converted from another scanner, with a baseline of the findings it had accepted.

use super::common::Status;
use crate::allow::baseline::{self, Baseline};
use crate::config::{FILE_NAME, STARTER};
use crate::migrate::{self, Inputs, Tool};
use anyhow::{bail, Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Write a starter .leakgate.yaml, or convert another scanner's setup.
///
/// Without --from: a commented starter config at the repository root. It blocks
/// findings of medium severity and above outside tests and fixtures; findings in
/// tests and fixtures and low ones are still reported, marked "reported, not
/// blocking". An existing file is never overwritten.
///
/// With --from gitleaks: reads .gitleaks.toml (rules, allowlists, [extend]) and
/// .gitleaksignore. With --from detect-secrets: reads .secrets.baseline (results,
/// audit verdicts, exclude filters). Either way it writes the equivalent
/// .leakgate.yaml, rescans what the accepted findings name and records those it
/// finds again in the baseline, and lists every construct as converted or not
/// converted, with why, in its output and as comments at the top of the file.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  leakgate init && leakgate config check
  leakgate init --from gitleaks                 .gitleaks.toml and .gitleaksignore
  leakgate init --from gitleaks --input ci/gitleaks.toml
  leakgate init --from detect-secrets           .secrets.baseline")]
pub struct Args {
    /// Convert this scanner's config and accepted findings.
    #[arg(long, value_enum, value_name = "TOOL")]
    from: Option<Tool>,
    /// The other scanner's file (default: .gitleaks.toml or .secrets.baseline at
    /// the repository root).
    #[arg(long, value_name = "FILE", requires = "from")]
    input: Option<PathBuf>,
    /// gitleaks' ignore file (default: .gitleaksignore at the root).
    #[arg(long, value_name = "FILE", requires = "from")]
    ignore_file: Option<PathBuf>,
    /// Overwrite an existing .leakgate.yaml (its baseline is added to, never
    /// replaced).
    #[arg(long)]
    force: bool,
}

/// Runs the command.
pub fn run(args: Args) -> Result<Status> {
    let root = super::baseline::root()?;
    let path = root.join(FILE_NAME);
    if path.exists() && !args.force {
        bail!(
            "{} exists; leakgate init never overwrites it (check it with `leakgate config check`, or pass --force)",
            path.display()
        );
    }
    let Some(tool) = args.from else {
        write_config(&path, STARTER, args.force)?;
        eprintln!(
            "leakgate: wrote {}; edit it, check it with `leakgate config check`, and commit it",
            path.display()
        );
        return Ok(Status::Clean);
    };
    if args.ignore_file.is_some() && tool != Tool::Gitleaks {
        bail!("--ignore-file is gitleaks' .gitleaksignore; detect-secrets has none");
    }
    let inputs = Inputs {
        input: args.input,
        ignore: args.ignore_file,
    };
    let base_path = root.join(baseline::FILE_NAME);
    let mut base = match base_path.exists() {
        true => Baseline::load(&base_path)?,
        false => Baseline::new("worktree"),
    };
    let had = base.len();
    let done = migrate::migrate(tool, &root, &inputs, &mut base)?;
    write_config(&path, &done.config, args.force)?;
    if done.matched.from_history {
        base.from = "history".into();
    }
    if !base.is_empty() {
        base.save(&base_path)?;
    }
    report(tool, &root, &path, &base_path, &done, base.len() - had)
}

fn write_config(path: &Path, text: &str, force: bool) -> Result<()> {
    let file = match force {
        true => std::fs::File::create(path),
        false => std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path),
    };
    let mut file = match file {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            bail!(
                "{} exists; leakgate init never overwrites it",
                path.display()
            )
        }
        other => other.with_context(|| format!("cannot create {}", path.display()))?,
    };
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// What was converted and what was not, then what was written, on stdout.
fn report(
    tool: Tool,
    root: &Path,
    config: &Path,
    base_path: &Path,
    done: &migrate::Migrated,
    added: usize,
) -> Result<Status> {
    let rel = |p: &Path| p.strip_prefix(root).unwrap_or(p).display().to_string();
    let read: Vec<String> = done.read.iter().map(|p| rel(p)).collect();
    let m = &done.matched;
    let mut out = std::io::stdout().lock();
    let text = format!(
        "leakgate: converting {} ({})\n{}\nwrote {} (check it with `leakgate config check`)\n\
         baseline {}: {added} new entries from {} accepted findings found again{}{}\n",
        tool.name(),
        read.join(", "),
        done.notes,
        rel(config),
        rel(base_path),
        m.records,
        match m.unmatched {
            0 => String::new(),
            n => format!("; {n} not accepted or not found (listed above under \"not converted\")"),
        },
        match m.from_history {
            true => "; some came from commits, so the baseline is kept up with `--from history`",
            false => "",
        },
    );
    out.write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .context("cannot write the report")?;
    Ok(Status::Clean)
}
