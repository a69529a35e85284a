//! The user's configuration: `.leakgate.yaml` at the repository root (or the file
//! given with `--config`). It can add rules in the bundled schema, disable bundled
//! rules, set the severity that blocks, and choose which inline markers count.
//! Unknown keys and unknown rule ids are errors, never silently ignored.

use crate::allow::{inline::Markers, Allow};
use crate::rules::{self, Rule, RuleSpec, Severity};
use anyhow::{bail, Context, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The name of the config file found at a repository root.
pub const FILE_NAME: &str = ".leakgate.yaml";

/// `.leakgate.yaml` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The lowest severity that blocks (default: low, so every finding blocks).
    #[serde(default)]
    pub fail_on: Option<Severity>,
    /// Bundled rule ids to turn off.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Extra rules, in the bundled schema.
    #[serde(default)]
    pub rules: Vec<RuleSpec>,
    /// Honour other scanners' inline markers (default true).
    #[serde(default)]
    pub peer_markers: Option<bool>,
}

/// A loaded configuration and where it came from.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The parsed config.
    pub config: Config,
    /// Its file, if one was read.
    pub path: Option<PathBuf>,
}

impl Loaded {
    /// Reads the config: `explicit` if given, else `.leakgate.yaml` under `root` if it
    /// exists, else the defaults. `disabled` skips the file entirely.
    pub fn find(explicit: Option<&Path>, root: Option<&Path>, disabled: bool) -> Result<Loaded> {
        if disabled {
            return Ok(Loaded::default());
        }
        let path = match (explicit, root) {
            (Some(p), _) => p.to_path_buf(),
            (None, Some(root)) if root.join(FILE_NAME).is_file() => root.join(FILE_NAME),
            _ => return Ok(Loaded::default()),
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read config {}", path.display()))?;
        let config: Config = serde_yaml::from_str(&text).with_context(|| {
            format!(
                "config {} is not valid (fix it, or pass --no-config)",
                path.display()
            )
        })?;
        Ok(Loaded {
            config,
            path: Some(path),
        })
    }

    /// The rules to run: bundled minus disabled, plus the config's own rules.
    pub fn rules(&self) -> Result<Vec<Rule>> {
        let mut rules = rules::bundled();
        for id in &self.config.disable {
            if !rules.iter().any(|r| &r.id == id) {
                bail!("{}: `disable` names unknown rule `{id}`", self.describe());
            }
        }
        rules.retain(|r| !self.config.disable.contains(&r.id));
        for spec in &self.config.rules {
            if rules.iter().any(|r| r.id == spec.id) {
                bail!("{}: rule `{}` already exists", self.describe(), spec.id);
            }
            rules.push(Rule::from_spec(spec, "custom").with_context(|| self.describe())?);
        }
        Ok(rules)
    }

    /// The allow filters the config asks for.
    pub fn allow(&self) -> Allow {
        let inline = match self.config.peer_markers {
            Some(false) => Markers::own_only(),
            _ => Markers::default(),
        };
        Allow { inline }
    }

    /// The lowest severity that blocks.
    pub fn fail_on(&self) -> Severity {
        self.config.fail_on.unwrap_or(Severity::Low)
    }

    fn describe(&self) -> String {
        match &self.path {
            Some(p) => format!("config {}", p.display()),
            None => "config".into(),
        }
    }
}
