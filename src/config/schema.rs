//! `.leakgate.yaml` as written. Every struct denies unknown keys: a misspelt key is
//! an error with its line, never a silently ignored setting.

use super::checked::{CustomRule, Glob, RuleId, ValueRegex};
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
    /// Findings that are reported but do not block (see [`crate::allow::policy`]).
    #[serde(default)]
    pub non_blocking: NonBlockingSpec,
}

/// The `non_blocking` section: findings that stay in every report, marked
/// "reported, not blocking", and do not set the exit status.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NonBlockingSpec {
    /// Path globs (as in `allow.paths`).
    #[serde(default)]
    pub paths: Vec<Glob>,
    /// Rule ids.
    #[serde(default)]
    pub rules: Vec<RuleId>,
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
    /// Regexes over the repository-relative path (searched, not anchored): for
    /// what a glob cannot say, and for configs converted from other scanners.
    #[serde(default)]
    pub path_regexes: Vec<ValueRegex>,
    /// Regexes over the line that holds the secret (searched, not anchored).
    #[serde(default)]
    pub line_regexes: Vec<ValueRegex>,
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
    /// Path regexes.
    #[serde(default)]
    pub path_regexes: Vec<ValueRegex>,
    /// Line regexes.
    #[serde(default)]
    pub line_regexes: Vec<ValueRegex>,
}

impl AllowSpec {
    /// The entries of every scope: `(None, global)` then `(Some(rule), entries)`.
    pub fn scopes(&self) -> Vec<(Option<&str>, AllowEntries)> {
        let global = AllowEntries {
            paths: self.paths.clone(),
            values: self.values.clone(),
            regexes: self.regexes.clone(),
            stopwords: self.stopwords.clone(),
            path_regexes: self.path_regexes.clone(),
            line_regexes: self.line_regexes.clone(),
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
        self.paths.len()
            + self.values.len()
            + self.regexes.len()
            + self.stopwords.len()
            + self.path_regexes.len()
            + self.line_regexes.len()
    }

    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
