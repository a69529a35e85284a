//! The scans a baseline is made from: the work tree, or the whole history. Every
//! baseline command (`create`, `update`, `prune`, `audit`) scans the way the
//! baseline was made (`from` in its first line), so its entries stay comparable.

use super::{Judge, SharedCollector};
use crate::allow::Allow;
use crate::config::Loaded;
use crate::engine::Profile;
use crate::report::redact::{mask_in, name_secrets};
use crate::report::sanitize::clean;
use crate::report::Redaction;
use crate::source::files::{self, WalkOptions};
use crate::types::{Finding, Outcome, Suppression};
use anyhow::{bail, Context, Result};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Mutex;

/// What a baseline is made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scope {
    /// The files of the work tree, honouring .gitignore.
    Worktree,
    /// Every blob of the whole history (every ref), as `leakgate history` reads it.
    History,
}

impl Scope {
    /// The name written in the baseline's first line.
    pub fn name(self) -> &'static str {
        match self {
            Scope::Worktree => "worktree",
            Scope::History => "history",
        }
    }

    /// The scope a baseline file names in its first line.
    pub fn parse_name(name: &str) -> Result<Scope> {
        match name {
            "worktree" | "" => Ok(Scope::Worktree),
            "history" => Ok(Scope::History),
            other => bail!("the baseline was made from `{other}`, which this leakgate cannot scan"),
        }
    }
}

/// Scans what a baseline is made from, with `allow` applied, sorted.
pub fn scan(from: Scope, loaded: &Loaded, allow: &Allow, max_size: u64) -> Result<Outcome> {
    let scanner = super::scanner(loaded, Profile::Throughput)?;
    let judge = Judge::new(&scanner, allow);
    let root = loaded
        .root
        .clone()
        .context("a baseline needs a repository root")?;
    match from {
        Scope::Worktree => scan_worktree(judge, &root, max_size),
        Scope::History => {
            let repo = git2::Repository::discover(&root)
                .context("a history baseline needs a git repository")?;
            super::history::scan_all(&repo, judge, max_size)
        }
    }
}

fn scan_worktree(judge: Judge<'_>, root: &Path, max_size: u64) -> Result<Outcome> {
    let shared = Mutex::new(Outcome::default());
    let opts = WalkOptions {
        max_size,
        gitignore: true,
        threads: 0,
    };
    files::walk(&[root.to_path_buf()], &opts, &|| {
        Box::new(SharedCollector::new(judge, &shared))
    })?
    .check()?;
    let mut outcome = shared.into_inner().unwrap_or_else(|e| e.into_inner());
    super::sort(&mut outcome);
    Ok(outcome)
}

/// A finding's baseline key (repository path and fingerprint), with every
/// secret found in a file name masked in the path: the key a baseline records,
/// so a committed baseline never holds a token pasted into a file name.
pub fn masked_key<'a>(
    outcome: &Outcome,
    allow: &'a Allow,
) -> impl Fn(&Finding) -> (String, String) + 'a {
    let names = name_secrets(outcome.findings.iter());
    move |f| {
        let (path, fp) = allow.key(f);
        let path = mask_in(&path, &names, Redaction::Default);
        (path, fp)
    }
}

/// The baseline keys (fingerprints under repository paths) of every finding a
/// scan saw, standing or suppressed: what `prune` keeps.
pub fn present(outcome: &Outcome, allow: &Allow) -> HashSet<String> {
    outcome
        .findings
        .iter()
        .chain(outcome.suppressed.iter().map(|(f, _)| f))
        .map(|f| allow.key(f).1)
        .collect()
}

/// Where each baselined secret is now, by fingerprint, as `path:line: text` with
/// the secret redacted and the text made safe for a terminal.
pub fn locations(suppressed: &[(Finding, Suppression)], allow: &Allow) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let names = name_secrets(suppressed.iter().map(|(f, _)| f));
    for (f, _) in suppressed {
        let line = crate::report::redact::redacted_line(f, Redaction::Default);
        let (path, fp) = allow.key(f);
        let path = mask_in(&path, &names, Redaction::Default);
        out.entry(fp)
            .or_insert_with(|| format!("{}:{}: {}", clean(&path), f.line, clean(line.trim())));
    }
    out
}
