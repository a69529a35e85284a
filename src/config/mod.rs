//! The user's configuration: `.leakgate.yaml` at the repository root (or the file
//! given with `--config`).
//!
//! It can add rules in the bundled schema (they extend the bundled set; replacing
//! it takes an explicit `bundled_rules: false`), disable bundled rules, change a
//! rule's severity, set the severity that blocks, choose which inline markers count,
//! name the baseline file, and add allowlists. Unknown keys, bad globs, bad regexes
//! and unknown rule ids are errors that name the file, line and key, never silently
//! ignored ([`checked`] explains how).

pub mod checked;
pub mod schema;
pub mod summary;

use crate::allow::baseline::{self, BaselineFile};
use crate::allow::{inline::Markers, list::AllowList, policy::Policy, Allow, PathMap};
use crate::rules::{self, Rule, Severity};
use anyhow::{Context, Result};
use checked::Known;
pub use schema::Config;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The name of the config file found at a repository root.
pub const FILE_NAME: &str = ".leakgate.yaml";

/// The commented starter config `leakgate init` writes.
pub const STARTER: &str = include_str!("starter.yaml");

/// A loaded configuration and where it came from.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The parsed config.
    pub config: Config,
    /// Its file, if one was read.
    pub path: Option<PathBuf>,
    /// The repository root (or scan root) paths are relative to.
    pub root: Option<PathBuf>,
    /// The baseline in use.
    pub baseline: Option<Arc<BaselineFile>>,
    /// `--no-peer-markers` was given.
    pub no_peer_markers: bool,
    list: Arc<AllowList>,
    policy: Arc<Policy>,
}

/// Which baseline a scan uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaselineChoice {
    /// The config's `baseline`, else `.leakgate-baseline.json` at the root, if it exists.
    Auto,
    /// This file (it must exist).
    File(PathBuf),
    /// None.
    Off,
}

impl Loaded {
    /// Reads the config: `explicit` if given, else `.leakgate.yaml` under `root` if it
    /// exists, else the defaults. `disabled` skips the file entirely.
    pub fn find(explicit: Option<&Path>, root: Option<&Path>, disabled: bool) -> Result<Loaded> {
        let path = match (disabled, explicit, root) {
            (true, _, _) => None,
            (false, Some(p), _) => Some(p.to_path_buf()),
            (false, None, Some(root)) if root.join(FILE_NAME).is_file() => {
                Some(root.join(FILE_NAME))
            }
            _ => None,
        };
        let config = match &path {
            Some(path) => read(path)?,
            None => Config::default(),
        };
        Ok(Loaded::from_config(config, path, root))
    }

    /// A config already parsed (from `path`, if it came from a file), for a scan
    /// rooted at `root`.
    pub fn from_config(config: Config, path: Option<PathBuf>, root: Option<&Path>) -> Loaded {
        let list = Arc::new(config.allow.to_list());
        let nb = &config.non_blocking;
        let paths: Vec<_> = nb
            .paths
            .iter()
            .map(|g| (g.glob.clone(), g.text.clone()))
            .collect();
        let rules = nb.rules.iter().map(|r| r.0.clone()).collect();
        let policy = Arc::new(Policy::new(config.fail_on, &paths, rules));
        Loaded {
            config,
            path,
            root: root.map(Path::to_path_buf),
            list,
            policy,
            ..Loaded::default()
        }
    }

    /// Loads the baseline the scan should use (see [`BaselineChoice`]).
    pub fn use_baseline(&mut self, choice: &BaselineChoice) -> Result<()> {
        let path = match choice {
            BaselineChoice::Off => return Ok(()),
            BaselineChoice::File(p) => p.clone(),
            BaselineChoice::Auto => match self.baseline_path() {
                Some(p) if p.is_file() => p,
                _ => return Ok(()),
            },
        };
        self.baseline = Some(Arc::new(BaselineFile::read(&path)?));
        Ok(())
    }

    /// Where the baseline lives: the config's `baseline` (relative to the root), or
    /// `.leakgate-baseline.json` at the root.
    pub fn baseline_path(&self) -> Option<PathBuf> {
        let name = self
            .config
            .baseline
            .clone()
            .unwrap_or_else(|| PathBuf::from(baseline::FILE_NAME));
        Some(self.root.as_ref()?.join(name))
    }

    /// The rules to run: bundled (unless `bundled_rules: false`) minus disabled, plus
    /// the config's own rules, with severities changed as the config says.
    pub fn rules(&self) -> Result<Vec<Rule>> {
        let c = &self.config;
        let mut rules = if c.bundled_rules.unwrap_or(true) {
            rules::bundled()
        } else {
            Vec::new()
        };
        rules.retain(|r| !c.disable.iter().any(|d| d.0 == r.id));
        for spec in &c.rules {
            rules.push(Rule::from_spec(&spec.0, "custom").with_context(|| self.describe())?);
        }
        for rule in &mut rules {
            if let Some((_, sev)) = c.severity.iter().find(|(id, _)| id.0 == rule.id) {
                rule.severity = *sev;
            }
        }
        Ok(rules)
    }

    /// The model rules to run (none disabled, severities as the config says) and
    /// the detector that reports them; `None` when every model rule is disabled.
    pub fn model_detector(&self) -> Option<crate::detect::Detector> {
        let c = &self.config;
        let mut rules = crate::detect::rules::all();
        rules.retain(|r| !c.disable.iter().any(|d| d.0 == r.id));
        for rule in &mut rules {
            if let Some((_, sev)) = c.severity.iter().find(|(id, _)| id.0 == rule.id) {
                rule.severity = *sev;
            }
        }
        let allow: Vec<&str> = c.models.allow.iter().map(|n| n.0.as_str()).collect();
        let policy = crate::detect::Policy {
            extra: crate::detect::Extra::new(&allow),
            ..Default::default()
        };
        crate::detect::Detector::new(rules, policy)
    }

    /// The decoders the `decode` section asks for, within its limits, for a
    /// scan of files or history (archives opened unless the config says not).
    pub fn decoders(&self) -> crate::decode::Decoders {
        self.decoders_with(true)
    }

    /// The decoders for the pre-commit hook: as [`Loaded::decoders`], but
    /// archives are opened only when the config asks (`decode.archives: true`):
    /// opening them costs more than the hook's budget of milliseconds, and what
    /// people stage is mostly source.
    pub fn staged_decoders(&self) -> crate::decode::Decoders {
        self.decoders_with(false)
    }

    fn decoders_with(&self, archives_by_default: bool) -> crate::decode::Decoders {
        let spec = &self.config.decode;
        let default = crate::decode::Limits::default();
        let limits = crate::decode::Limits {
            depth: spec.depth.unwrap_or(default.depth),
            pieces: spec.max_pieces.unwrap_or(default.pieces),
            bytes: spec.max_bytes.unwrap_or(default.bytes),
        };
        let archives = spec.archives.unwrap_or(archives_by_default).then(|| {
            let default = crate::decode::ArchiveLimits::default();
            crate::decode::ArchiveLimits {
                depth: spec.archive_depth.unwrap_or(default.depth),
                entries: spec.archive_entries.unwrap_or(default.entries),
                ratio: spec.archive_ratio.unwrap_or(default.ratio),
            }
        });
        crate::decode::Decoders::configured(limits, spec.encoded.unwrap_or(true), archives)
    }

    /// The allow filters the config (and the command line) ask for.
    pub fn allow(&self) -> Allow {
        let inline = match (self.no_peer_markers, self.config.peer_markers) {
            (true, _) | (_, Some(false)) => Markers::own_only(),
            _ => Markers::default(),
        };
        Allow {
            inline,
            baseline: self.baseline.clone(),
            list: self.list.clone(),
            paths: PathMap::new(self.root.as_deref()),
            policy: self.policy.clone(),
        }
    }

    /// The compiled allowlists.
    pub fn allowlist(&self) -> &AllowList {
        &self.list
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

/// Reads and checks a config file.
pub fn read(path: &Path) -> Result<Config> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read config {}", path.display()))?;
    parse(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}{e} (fix the config, or pass --no-config to ignore it)",
            path.display()
        )
    })
}

/// Parses config text. The error starts with `:LINE:COLUMN: ` when the parser
/// knows where, then the key path and what is wrong.
pub fn parse(text: &str) -> std::result::Result<Config, String> {
    let value: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| locate(&e))?;
    if value.is_null() {
        return Ok(Config::default());
    }
    let known = known_ids(&value);
    checked::with_known(known, || serde_yaml::from_str::<Config>(text)).map_err(|e| locate(&e))
}

/// `:LINE:COLUMN: key.path: what` from a parser error.
fn locate(e: &serde_yaml::Error) -> String {
    let msg = e.to_string();
    let msg = match msg.rfind(" at line ") {
        Some(i) if e.location().is_some() => msg[..i].to_string(),
        _ => msg,
    };
    match e.location() {
        Some(l) => format!(":{}:{}: {msg}", l.line(), l.column()),
        None => format!(": {msg}"),
    }
}

/// The rule ids a config may name: bundled ones, and the ids of its own rules (read
/// loosely here; the typed parse checks the rules themselves).
fn known_ids(value: &serde_yaml::Value) -> Known {
    let bundled: HashSet<String> = rules::bundled()
        .into_iter()
        .map(|r| r.id)
        .chain(crate::detect::rules::ids().map(String::from))
        .collect();
    let custom = value["rules"]
        .as_sequence()
        .into_iter()
        .flatten()
        .filter_map(|r| r["id"].as_str().map(String::from));
    let disabled: HashSet<&str> = value["disable"]
        .as_sequence()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str())
        .collect();
    let active_bundled = if value["bundled_rules"].as_bool() == Some(false) {
        HashSet::new()
    } else {
        bundled
            .iter()
            .filter(|id| !disabled.contains(id.as_str()))
            .cloned()
            .collect()
    };
    let mut ids = bundled;
    ids.extend(custom);
    Known {
        ids,
        active_bundled,
    }
}

#[cfg(test)]
mod tests;
