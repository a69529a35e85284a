//! Config allowlists: path globs, exact values, value regexes, stopwords, path
//! regexes and line regexes, for every rule or for one.
//!
//! A peer scanner lost most of its CPU to allowlist regexes run one by one for every
//! finding. Here each kind is one structure built once for the whole config, global
//! and per-rule entries together: one `GlobSet` for every path glob, one `RegexSet`
//! for every value regex, one Aho-Corasick automaton for every stopword and a hash
//! map of exact values. A finding costs one lookup per kind, whatever the number of
//! entries. The sets are built on the first finding, so a clean commit never pays
//! for them.

use crate::config::schema::{AllowEntries, AllowSpec};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use globset::{GlobSet, GlobSetBuilder};
use regex::bytes::{RegexSet, RegexSetBuilder};
use std::collections::HashMap;
use std::sync::OnceLock;

/// One allowlist entry: the rule it is limited to, and how to name it in a report.
#[derive(Debug, Clone)]
struct Entry {
    rule: Option<String>,
    describe: String,
}

#[derive(Debug, Default)]
struct Sets {
    globs: Option<GlobSet>,
    regexes: Option<Result<RegexSet, String>>,
    stopwords: Option<AhoCorasick>,
    path_regexes: Option<Result<RegexSet, String>>,
    line_regexes: Option<Result<RegexSet, String>>,
}

/// Every allowlist entry of a config, ready to check findings against.
#[derive(Debug, Default)]
pub struct AllowList {
    entries: Vec<Entry>,
    values: HashMap<Vec<u8>, Vec<usize>>,
    globs: Vec<(globset::Glob, usize)>,
    regexes: Vec<(String, usize)>,
    stopwords: Vec<(String, usize)>,
    path_regexes: Vec<(String, usize)>,
    line_regexes: Vec<(String, usize)>,
    sets: OnceLock<Sets>,
}

impl AllowList {
    /// Collects the entries of an `allow` section.
    pub fn new(spec: &AllowSpec) -> AllowList {
        let mut list = AllowList::default();
        for (rule, entries) in spec.scopes() {
            list.add_scope(rule, &entries);
        }
        list
    }

    fn add_scope(&mut self, rule: Option<&str>, e: &AllowEntries) {
        let key = match rule {
            None => "allow".to_string(),
            Some(id) => format!("allow.per_rule.{id}"),
        };
        for (i, g) in e.paths.iter().enumerate() {
            let n = self.push(rule, format!("path `{}` ({key}.paths[{i}])", g.text));
            self.globs.push((g.glob.clone(), n));
        }
        for (i, v) in e.values.iter().enumerate() {
            let n = self.push(rule, format!("exact value ({key}.values[{i}])"));
            self.values
                .entry(v.as_bytes().to_vec())
                .or_default()
                .push(n);
        }
        for (i, r) in e.regexes.iter().enumerate() {
            let n = self.push(rule, format!("regex `{}` ({key}.regexes[{i}])", r.0));
            self.regexes.push((r.0.clone(), n));
        }
        for (i, w) in e.stopwords.iter().enumerate() {
            let n = self.push(rule, format!("stopword `{w}` ({key}.stopwords[{i}])"));
            self.stopwords.push((w.clone(), n));
        }
        for (i, r) in e.path_regexes.iter().enumerate() {
            let n = self.push(
                rule,
                format!("path regex `{}` ({key}.path_regexes[{i}])", r.0),
            );
            self.path_regexes.push((r.0.clone(), n));
        }
        for (i, r) in e.line_regexes.iter().enumerate() {
            let n = self.push(
                rule,
                format!("line regex `{}` ({key}.line_regexes[{i}])", r.0),
            );
            self.line_regexes.push((r.0.clone(), n));
        }
    }

    fn push(&mut self, rule: Option<&str>, describe: String) -> usize {
        self.entries.push(Entry {
            rule: rule.map(Into::into),
            describe,
        });
        self.entries.len() - 1
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Builds the sets now, reporting a value regex set that cannot be built (too
    /// large). Scans build them lazily and, should that fail, allow nothing by regex.
    pub fn compile(&self) -> Result<(), String> {
        let sets = self.sets();
        for set in [&sets.regexes, &sets.path_regexes, &sets.line_regexes] {
            if let Some(Err(e)) = set {
                return Err(e.clone());
            }
        }
        Ok(())
    }

    fn sets(&self) -> &Sets {
        self.sets.get_or_init(|| Sets {
            globs: build_globs(&self.globs),
            regexes: build_regexes(&self.regexes),
            stopwords: build_stopwords(&self.stopwords),
            path_regexes: build_regexes(&self.path_regexes),
            line_regexes: build_regexes(&self.line_regexes),
        })
    }

    /// The entry that allows a secret found by `rule` at `path` on `line`,
    /// described, if any.
    pub fn check(&self, rule: &str, path: &str, secret: &[u8], line: &[u8]) -> Option<&str> {
        if self.entries.is_empty() {
            return None;
        }
        let in_scope = |n: &usize| self.entries[*n].rule.as_deref().is_none_or(|r| r == rule);
        let pick = |n: Option<usize>| n.map(|n| self.entries[n].describe.as_str());
        if let Some(owners) = self.values.get(secret) {
            if let Some(&n) = owners.iter().find(|n| in_scope(n)) {
                return pick(Some(n));
            }
        }
        let sets = self.sets();
        if let Some(set) = &sets.globs {
            let hit = set
                .matches(path)
                .into_iter()
                .map(|i| self.globs[i].1)
                .find(in_scope);
            if hit.is_some() {
                return pick(hit);
            }
        }
        if let Some(ac) = &sets.stopwords {
            let hit = ac
                .find_overlapping_iter(secret)
                .map(|m| self.stopwords[m.pattern().as_usize()].1)
                .find(in_scope);
            if hit.is_some() {
                return pick(hit);
            }
        }
        let regex_hit =
            |set: &Option<Result<RegexSet, String>>, owners: &[(String, usize)], text: &[u8]| {
                let Some(Ok(set)) = set else { return None };
                set.matches(text)
                    .into_iter()
                    .map(|i| owners[i].1)
                    .find(in_scope)
            };
        let hit = regex_hit(&sets.path_regexes, &self.path_regexes, path.as_bytes())
            .or_else(|| regex_hit(&sets.regexes, &self.regexes, secret))
            .or_else(|| regex_hit(&sets.line_regexes, &self.line_regexes, line));
        pick(hit)
    }
}

fn build_globs(globs: &[(globset::Glob, usize)]) -> Option<GlobSet> {
    if globs.is_empty() {
        return None;
    }
    let mut b = GlobSetBuilder::new();
    for (g, _) in globs {
        b.add(g.clone());
    }
    // Each glob compiled alone when the config was read, so the set builds.
    b.build().ok()
}

fn build_regexes(regexes: &[(String, usize)]) -> Option<Result<RegexSet, String>> {
    // Value, path and line regexes alike.
    if regexes.is_empty() {
        return None;
    }
    Some(
        RegexSetBuilder::new(regexes.iter().map(|(r, _)| r))
            .unicode(false)
            .size_limit(256 << 20)
            .dfa_size_limit(64 << 20)
            .build()
            .map_err(|e| format!("the allowlist regexes cannot be compiled together: {e}")),
    )
}

fn build_stopwords(words: &[(String, usize)]) -> Option<AhoCorasick> {
    if words.is_empty() {
        return None;
    }
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .build(words.iter().map(|(w, _)| w))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(yaml: &str) -> AllowList {
        let spec: AllowSpec = serde_yaml::from_str(yaml).unwrap();
        AllowList::new(&spec)
    }

    #[test]
    fn each_kind_allows_and_names_its_entry() {
        let l = list(
            "paths: ['tests/**', '*.snap']\nvalues: [s3cr3tvalue]\nregexes: ['^AKIA.*TEST$']\nstopwords: [Fixture]\n",
        );
        assert_eq!(
            l.check("r", "tests/a/b.py", b"zz", b""),
            Some("path `tests/**` (allow.paths[0])")
        );
        assert_eq!(
            l.check("r", "deep/x.snap", b"zz", b""),
            Some("path `*.snap` (allow.paths[1])")
        );
        assert_eq!(
            l.check("r", "src/a.py", b"s3cr3tvalue", b""),
            Some("exact value (allow.values[0])")
        );
        assert_eq!(
            l.check("r", "src/a.py", b"AKIA1234TEST", b""),
            Some("regex `^AKIA.*TEST$` (allow.regexes[0])")
        );
        assert_eq!(
            l.check("r", "src/a.py", b"myFIXTUREkey", b""),
            Some("stopword `Fixture` (allow.stopwords[0])")
        );
        assert_eq!(l.check("r", "src/a.py", b"s3cr3tvalue2", b""), None);
    }

    #[test]
    fn per_rule_entries_apply_to_their_rule_only() {
        let l = list("per_rule:\n  rule-a:\n    paths: ['docs/**']\n    stopwords: [demo]\n");
        assert_eq!(
            l.check("rule-a", "docs/x.md", b"zz", b""),
            Some("path `docs/**` (allow.per_rule.rule-a.paths[0])")
        );
        assert_eq!(l.check("rule-b", "docs/x.md", b"zz", b""), None);
        assert_eq!(l.check("rule-b", "x", b"demokey", b""), None);
        assert!(l.check("rule-a", "x", b"demokey", b"").is_some());
    }

    #[test]
    fn path_and_line_regexes_search_their_text() {
        let l = list(
            "path_regexes: ['(^|/)vendor/', '\\.lock$']\nline_regexes: ['EXAMPLE_ONLY']\nper_rule:\n  rule-a:\n    line_regexes: ['^\\s*#']\n",
        );
        assert_eq!(
            l.check("r", "a/vendor/x.go", b"zz", b""),
            Some("path regex `(^|/)vendor/` (allow.path_regexes[0])")
        );
        assert!(l.check("r", "Cargo.lock", b"zz", b"").is_some());
        assert_eq!(l.check("r", "src/myvendor/x.go", b"zz", b""), None);
        assert_eq!(
            l.check("r", "a.py", b"zz", b"k = 'zz'  # EXAMPLE_ONLY"),
            Some("line regex `EXAMPLE_ONLY` (allow.line_regexes[0])")
        );
        assert!(l.check("rule-a", "a.py", b"zz", b"  # k = zz").is_some());
        assert_eq!(l.check("rule-b", "a.py", b"zz", b"  # k = zz"), None);
        assert!(l.compile().is_ok());
    }

    #[test]
    fn an_empty_list_allows_nothing() {
        let l = AllowList::default();
        assert!(l.is_empty());
        assert_eq!(l.check("r", "a", b"b", b""), None);
        assert!(l.compile().is_ok());
    }
}
