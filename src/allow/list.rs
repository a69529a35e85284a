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
    /// Allows findings (of `rule`, or of every rule) in files whose path
    /// matches `glob`; `describe` names the entry in reports.
    pub fn add_path(&mut self, rule: Option<&str>, glob: globset::Glob, describe: String) {
        let n = self.push(rule, describe);
        self.globs.push((glob, n));
    }

    /// Allows a secret that is exactly `value`.
    pub fn add_value(&mut self, rule: Option<&str>, value: &[u8], describe: String) {
        let n = self.push(rule, describe);
        self.values.entry(value.to_vec()).or_default().push(n);
    }

    /// Allows a secret that `regex` (checked by the caller) matches.
    pub fn add_regex(&mut self, rule: Option<&str>, regex: &str, describe: String) {
        let n = self.push(rule, describe);
        self.regexes.push((regex.to_string(), n));
    }

    /// Allows a secret that contains `word`, ASCII case-insensitively.
    pub fn add_stopword(&mut self, rule: Option<&str>, word: &str, describe: String) {
        let n = self.push(rule, describe);
        self.stopwords.push((word.to_string(), n));
    }

    /// Allows findings in files whose path `regex` (checked by the caller) matches.
    pub fn add_path_regex(&mut self, rule: Option<&str>, regex: &str, describe: String) {
        let n = self.push(rule, describe);
        self.path_regexes.push((regex.to_string(), n));
    }

    /// Allows findings on a line that `regex` (checked by the caller) matches.
    pub fn add_line_regex(&mut self, rule: Option<&str>, regex: &str, describe: String) {
        let n = self.push(rule, describe);
        self.line_regexes.push((regex.to_string(), n));
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
    pub fn check(
        &self,
        rule: &str,
        path: Option<&str>,
        secret: &[u8],
        line: &[u8],
    ) -> Option<&str> {
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
        if let (Some(set), Some(path)) = (&sets.globs, path) {
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
        let hit = path
            .and_then(|p| regex_hit(&sets.path_regexes, &self.path_regexes, p.as_bytes()))
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

    #[test]
    fn each_kind_allows_and_names_its_entry() {
        let mut l = AllowList::default();
        l.add_path(None, globset::Glob::new("tests/**").unwrap(), "p".into());
        l.add_value(Some("r"), b"s3cr3tvalue", "v".into());
        l.add_regex(None, "^AKIA.*TEST$", "x".into());
        l.add_stopword(None, "Fixture", "w".into());
        assert_eq!(l.len(), 4);
        assert_eq!(l.check("r", Some("tests/a/b.py"), b"zz", b""), Some("p"));
        assert_eq!(
            l.check("r", Some("src/a.py"), b"s3cr3tvalue", b""),
            Some("v")
        );
        assert_eq!(
            l.check("q", Some("src/a.py"), b"s3cr3tvalue", b""),
            None,
            "per rule"
        );
        assert_eq!(
            l.check("r", Some("src/a.py"), b"AKIA1234TEST", b""),
            Some("x")
        );
        assert_eq!(
            l.check("r", Some("src/a.py"), b"myFIXTUREkey", b""),
            Some("w")
        );
        assert_eq!(l.check("r", Some("src/a.py"), b"s3cr3tvalue2", b""), None);
    }

    #[test]
    fn an_empty_list_allows_nothing() {
        let l = AllowList::default();
        assert!(l.is_empty());
        assert_eq!(l.check("r", Some("a"), b"b", b""), None);
        assert!(l.compile().is_ok());
    }
}
