//! `.leakgate.yaml` as written. Every struct denies unknown keys: a misspelt key is
//! an error with its line, never a silently ignored setting.

use super::checked::{CallableName, CustomRule, Glob, RuleId, ValueRegex};
use crate::rules::Severity;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// `.leakgate.yaml` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The lowest severity that blocks (default: low, so every finding blocks).
    #[serde(default)]
    pub fail_on: Option<Severity>,
    /// Run the bundled rules (default true). `false` runs only the custom `rules`.
    #[serde(default)]
    pub bundled_rules: Option<bool>,
    /// Bundled rule ids to turn off.
    #[serde(default)]
    pub disable: Vec<RuleId>,
    /// New severities for rules, by id.
    #[serde(default)]
    pub severity: BTreeMap<RuleId, Severity>,
    /// Extra rules, in the bundled schema. They add to the bundled rules.
    #[serde(default)]
    pub rules: Vec<CustomRule>,
    /// Honour other scanners' inline markers (default true).
    #[serde(default)]
    pub peer_markers: Option<bool>,
    /// The baseline file, relative to the repository root (default
    /// `.leakgate-baseline.json`).
    #[serde(default)]
    pub baseline: Option<PathBuf>,
    /// Allowlists.
    #[serde(default)]
    pub allow: AllowSpec,
    /// The model file detector.
    #[serde(default)]
    pub models: ModelsSpec,
}

/// The `models` section: what the model file detector accepts beyond its own
/// allowlist.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelsSpec {
    /// Callables a model file may call or rebuild: `package.module.Name`, or
    /// `package.module.*` for everything in a module. Names on the detector's
    /// dangerous list stay findings.
    #[serde(default)]
    pub allow: Vec<CallableName>,
}

/// The `allow` section: entries for every rule, and entries for one rule.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowSpec {
    /// Path globs: findings in matching files are allowed.
    #[serde(default)]
    pub paths: Vec<Glob>,
    /// Exact secret values that are allowed.
    #[serde(default)]
    pub values: Vec<String>,
    /// Regexes: a secret that any of them matches is allowed.
    #[serde(default)]
    pub regexes: Vec<ValueRegex>,
    /// Words: a secret that contains one (ASCII case-insensitively) is allowed.
    #[serde(default)]
    pub stopwords: Vec<String>,
    /// Entries that apply to one rule only, by rule id.
    #[serde(default)]
    pub per_rule: BTreeMap<RuleId, AllowEntries>,
}

/// Allowlist entries for one rule.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowEntries {
    /// Path globs.
    #[serde(default)]
    pub paths: Vec<Glob>,
    /// Exact secret values.
    #[serde(default)]
    pub values: Vec<String>,
    /// Value regexes.
    #[serde(default)]
    pub regexes: Vec<ValueRegex>,
    /// Stopwords.
    #[serde(default)]
    pub stopwords: Vec<String>,
}

impl AllowSpec {
    /// The entries of every scope: `(None, global)` then `(Some(rule), entries)`.
    pub fn scopes(&self) -> Vec<(Option<&str>, AllowEntries)> {
        let global = AllowEntries {
            paths: self.paths.clone(),
            values: self.values.clone(),
            regexes: self.regexes.clone(),
            stopwords: self.stopwords.clone(),
        };
        let mut out = vec![(None, global)];
        for (id, e) in &self.per_rule {
            out.push((Some(id.0.as_str()), e.clone()));
        }
        out
    }
}

impl AllowEntries {
    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.paths.len() + self.values.len() + self.regexes.len() + self.stopwords.len()
    }

    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
