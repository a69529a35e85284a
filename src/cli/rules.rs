//! `leakgate rules`: list the rules, show one, or prove a rule file's examples.

use super::common::Status;
use crate::engine::{check_rule, proof};
use crate::rules::{self, RuleSpec};
use anyhow::{bail, Context, Result};
use std::io::Write;
use std::path::PathBuf;

/// List, show or test rules.
///
/// Without a subcommand, lists every bundled rule: id, severity, family and name.
/// The `model` family is reported by the model file detector (pickles, PyTorch,
/// NumPy, joblib and Keras files that run code when loaded).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  leakgate rules\n  leakgate rules show github-classic-pat\n  \
leakgate rules test my-rules.yaml"
)]
pub struct Args {
    #[command(subcommand)]
    action: Option<Action>,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// List every bundled rule (the default).
    List,
    /// Print one rule as YAML, with its examples.
    Show {
        /// The rule id.
        id: String,
    },
    /// Check a rule file (the bundled schema) and prove every rule's examples:
    /// each example must produce a finding, no negative example may. Exit 1 when
    /// an example fails.
    Test {
        /// The YAML rule file.
        file: PathBuf,
    },
}

/// Runs the command.
pub fn run(args: Args) -> Result<Status> {
    match args.action.unwrap_or(Action::List) {
        Action::List => list(),
        Action::Show { id } => show(&id),
        Action::Test { file } => test(&file),
    }
}

fn list() -> Result<Status> {
    let mut out = std::io::stdout().lock();
    let mut all = rules::bundled();
    all.extend(crate::detect::rules::all());
    for r in &all {
        writeln!(
            out,
            "{:<44} {:<9} {:<12} {}",
            r.id,
            r.severity.as_str(),
            r.family,
            r.name
        )?;
    }
    let mut families: Vec<&str> = all.iter().map(|r| r.family.as_str()).collect();
    families.sort_unstable();
    families.dedup();
    writeln!(out, "{} rules in {} families", all.len(), families.len())?;
    Ok(Status::Clean)
}

fn show(id: &str) -> Result<Status> {
    if let Some(r) = crate::detect::rules::RULES
        .iter()
        .find(|r| r.kind.rule_id() == id)
    {
        write!(
            std::io::stdout().lock(),
            "{}",
            crate::detect::rules::describe(r)
        )?;
        return Ok(Status::Clean);
    }
    let specs = rules::bundled_specs();
    let Some((family, spec)) = specs.iter().find(|(_, s)| s.id == id) else {
        bail!("no rule `{id}` (see `leakgate rules` for the list)");
    };
    let yaml = serde_yaml::to_string(&vec![spec])?;
    write!(std::io::stdout().lock(), "# family: {family}\n{yaml}")?;
    Ok(Status::Clean)
}

fn test(file: &std::path::Path) -> Result<Status> {
    let specs: Vec<RuleSpec> = rules::load_file(file)?;
    let mut failures = 0;
    let mut out = std::io::stdout().lock();
    for spec in &specs {
        check_rule(spec).with_context(|| format!("{}: rule `{}`", file.display(), spec.id))?;
        if spec.examples.is_empty() {
            writeln!(
                out,
                "rule `{}`: has no examples; add some to prove it",
                spec.id
            )?;
            failures += 1;
        }
        for problem in spec.lint() {
            println!("rule `{}`: {problem}", spec.id);
            failures += 1;
        }
        for failure in proof::prove(spec, "custom")? {
            writeln!(out, "{failure}")?;
            failures += 1;
        }
    }
    let n = specs.len();
    if failures > 0 {
        writeln!(out, "{}: {failures} problems in {n} rules", file.display())?;
        return Ok(Status::Findings);
    }
    writeln!(out, "{}: {n} rules, every example proved", file.display())?;
    Ok(Status::Clean)
}
