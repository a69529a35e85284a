//! Config allowlists: path globs, exact values, value regexes and stopwords, for
//! every rule or for one.
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
}

/// Every allowlist entry of a config, ready to check findings against.
#[derive(Debug, Default)]
pub struct AllowList {
    entries: Vec<Entry>,
    values: HashMap<Vec<u8>, Vec<usize>>,
    globs: Vec<(globset::Glob, usize)>,
    regexes: Vec<(String, usize)>,
    stopwords: Vec<(String, usize)>,
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
        match &self.sets().regexes {
            Some(Err(e)) => Err(e.clone()),
            _ => Ok(()),
        }
    }

    fn sets(&self) -> &Sets {
        self.sets.get_or_init(|| Sets {
            globs: build_globs(&self.globs),
            regexes: build_regexes(&self.regexes),
            stopwords: build_stopwords(&self.stopwords),
        })
    }

    /// The entry that allows a secret found by `rule` at `path`, described, if any.
    pub fn check(&self, rule: &str, path: &str, secret: &[u8]) -> Option<&str> {
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
        if let Some(Ok(set)) = &sets.regexes {
            let hit = set
                .matches(secret)
                .into_iter()
                .map(|i| self.regexes[i].1)
                .find(in_scope);
            return pick(hit);
        }
        None
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
        assert_eq!(l.check("r", "tests/a/b.py", b"zz"), Some("p"));
        assert_eq!(l.check("r", "src/a.py", b"s3cr3tvalue"), Some("v"));
        assert_eq!(l.check("q", "src/a.py", b"s3cr3tvalue"), None, "per rule");
        assert_eq!(l.check("r", "src/a.py", b"AKIA1234TEST"), Some("x"));
        assert_eq!(l.check("r", "src/a.py", b"myFIXTUREkey"), Some("w"));
        assert_eq!(l.check("r", "src/a.py", b"s3cr3tvalue2"), None);
    }

    #[test]
    fn an_empty_list_allows_nothing() {
        let l = AllowList::default();
        assert!(l.is_empty());
        assert_eq!(l.check("r", "a", b"b"), None);
        assert!(l.compile().is_ok());
    }
}
