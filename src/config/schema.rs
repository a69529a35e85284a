//! `.leakgate.yaml` as written. Every struct denies unknown keys: a misspelt key is
//! an error with its line, never a silently ignored setting.

use super::checked::{CallableName, CustomRule, Glob, RuleId, ValueRegex};
use crate::allow::list::AllowList;
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
    /// The model file detector.
    #[serde(default)]
    pub models: ModelsSpec,
    /// Decoding before the rules run (notebooks, UTF-16, encoded runs, archives).
    #[serde(default)]
    pub decode: DecodeSpec,
}

/// The `decode` section: what is decoded before the rules run, and the bounds on
/// it per file (see `leakgate help scan`).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecodeSpec {
    /// Decode base64, hex, percent-encoded and escaped runs (default true).
    #[serde(default)]
    pub encoded: Option<bool>,
    /// Most layers of decoding, nested (default 5).
    #[serde(default)]
    pub depth: Option<usize>,
    /// Most decoded pieces per file (default 10000).
    #[serde(default)]
    pub max_pieces: Option<usize>,
    /// Most decoded bytes per file (default 64 MiB).
    #[serde(default)]
    pub max_bytes: Option<usize>,
    /// Open archives (zip, tar, gzip, ...). Unset: opened by `scan`, `history`
    /// and the push hooks, not by the pre-commit hook (`staged`).
    #[serde(default)]
    pub archives: Option<bool>,
    /// Most archives opened one inside another (default 3).
    #[serde(default)]
    pub archive_depth: Option<usize>,
    /// Most entries read per archive (default 10000).
    #[serde(default)]
    pub archive_entries: Option<usize>,
    /// Most bytes an archive entry may decompress to per compressed byte
    /// (default 100; an entry may always reach 1 MiB).
    #[serde(default)]
    pub archive_ratio: Option<u64>,
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

    /// The allowlist these entries make, each entry named by its key in the
    /// config (`path `tests/**` (allow.paths[0])`) for reports.
    pub fn to_list(&self) -> AllowList {
        let mut list = AllowList::default();
        for (rule, entries) in self.scopes() {
            entries.add_to(&mut list, rule);
        }
        list
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

    /// Adds every entry to `list`, for `rule` (or every rule).
    fn add_to(&self, list: &mut AllowList, rule: Option<&str>) {
        let key = match rule {
            None => "allow".to_string(),
            Some(id) => format!("allow.per_rule.{id}"),
        };
        for (i, g) in self.paths.iter().enumerate() {
            let what = format!("path `{}` ({key}.paths[{i}])", g.text);
            list.add_path(rule, g.glob.clone(), what);
        }
        for (i, v) in self.values.iter().enumerate() {
            list.add_value(
                rule,
                v.as_bytes(),
                format!("exact value ({key}.values[{i}])"),
            );
        }
        for (i, r) in self.regexes.iter().enumerate() {
            let what = format!("regex `{}` ({key}.regexes[{i}])", r.0);
            list.add_regex(rule, &r.0, what);
        }
        for (i, w) in self.stopwords.iter().enumerate() {
            list.add_stopword(rule, w, format!("stopword `{w}` ({key}.stopwords[{i}])"));
        }
        for (i, r) in self.path_regexes.iter().enumerate() {
            let what = format!("path regex `{}` ({key}.path_regexes[{i}])", r.0);
            list.add_path_regex(rule, &r.0, what);
        }
        for (i, r) in self.line_regexes.iter().enumerate() {
            let what = format!("line regex `{}` ({key}.line_regexes[{i}])", r.0);
            list.add_line_regex(rule, &r.0, what);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(yaml: &str) -> AllowList {
        let spec: AllowSpec = serde_yaml::from_str(yaml).unwrap();
        spec.to_list()
    }

    #[test]
    fn each_kind_allows_and_names_its_entry() {
        let l = list(
            "paths: ['tests/**', '*.snap']\nvalues: [s3cr3tvalue]\nregexes: ['^AKIA.*TEST$']\nstopwords: [Fixture]\n",
        );
        assert_eq!(
            l.check("r", Some("tests/a/b.py"), b"zz", b""),
            Some("path `tests/**` (allow.paths[0])")
        );
        assert_eq!(
            l.check("r", Some("deep/x.snap"), b"zz", b""),
            Some("path `*.snap` (allow.paths[1])")
        );
        assert_eq!(
            l.check("r", Some("src/a.py"), b"s3cr3tvalue", b""),
            Some("exact value (allow.values[0])")
        );
        assert_eq!(
            l.check("r", Some("src/a.py"), b"AKIA1234TEST", b""),
            Some("regex `^AKIA.*TEST$` (allow.regexes[0])")
        );
        assert_eq!(
            l.check("r", Some("src/a.py"), b"myFIXTUREkey", b""),
            Some("stopword `Fixture` (allow.stopwords[0])")
        );
        assert_eq!(l.check("r", Some("src/a.py"), b"s3cr3tvalue2", b""), None);
    }

    #[test]
    fn path_and_line_regexes_search_their_text() {
        let l = list(
            "path_regexes: ['(^|/)vendor/', '\\.lock$']\nline_regexes: ['EXAMPLE_ONLY']\nper_rule:\n  rule-a:\n    line_regexes: ['^\\s*#']\n",
        );
        assert_eq!(
            l.check("r", Some("a/vendor/x.go"), b"zz", b""),
            Some("path regex `(^|/)vendor/` (allow.path_regexes[0])")
        );
        assert!(l.check("r", Some("Cargo.lock"), b"zz", b"").is_some());
        assert_eq!(l.check("r", Some("src/myvendor/x.go"), b"zz", b""), None);
        assert_eq!(
            l.check("r", Some("a.py"), b"zz", b"k = 'zz'  # EXAMPLE_ONLY"),
            Some("line regex `EXAMPLE_ONLY` (allow.line_regexes[0])")
        );
        assert!(l
            .check("rule-a", Some("a.py"), b"zz", b"  # k = zz")
            .is_some());
        assert_eq!(l.check("rule-b", Some("a.py"), b"zz", b"  # k = zz"), None);
        assert!(l.compile().is_ok());
    }

    #[test]
    fn per_rule_entries_apply_to_their_rule_only() {
        let l = list("per_rule:\n  rule-a:\n    paths: ['docs/**']\n    stopwords: [demo]\n");
        assert_eq!(
            l.check("rule-a", Some("docs/x.md"), b"zz", b""),
            Some("path `docs/**` (allow.per_rule.rule-a.paths[0])")
        );
        assert_eq!(l.check("rule-b", Some("docs/x.md"), b"zz", b""), None);
        assert_eq!(l.check("rule-b", Some("x"), b"demokey", b""), None);
        assert!(l.check("rule-a", Some("x"), b"demokey", b"").is_some());
    }
}
