//! The keyword prefilter: one Aho-Corasick automaton over every rule's keywords
//! (ASCII case-insensitive) says which rules can possibly match a chunk, so only
//! those rules' regexes run. Rules that set `always` are candidates for every chunk.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

/// What a scan optimises for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// Few bytes, one process per commit: build the automaton cheaply (the
    /// pre-commit and push hooks).
    #[default]
    Latency,
    /// Many bytes: pay ~3 ms more at start-up for a DFA that searches faster
    /// (history and directory scans).
    Throughput,
}

/// Which rules a chunk can possibly match.
#[derive(Debug)]
pub struct Prefilter {
    automaton: Option<AhoCorasick>,
    /// For each automaton pattern, the rules that use that keyword.
    owners: Vec<Vec<usize>>,
    always: Vec<usize>,
    rule_count: usize,
}

impl Prefilter {
    /// Builds the automaton from `(rule index, keywords, always)` of every rule that
    /// has a content pattern.
    pub fn new<'a>(
        rules: impl Iterator<Item = (usize, &'a [String], bool)>,
        profile: Profile,
    ) -> Prefilter {
        let mut keywords: Vec<Vec<u8>> = Vec::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        let mut index = std::collections::HashMap::new();
        let mut always = Vec::new();
        let mut rule_count = 0;
        for (rule, words, is_always) in rules {
            rule_count = rule_count.max(rule + 1);
            if is_always || words.is_empty() {
                always.push(rule);
            }
            for word in words {
                let word = word.to_ascii_lowercase().into_bytes();
                let slot = *index.entry(word.clone()).or_insert_with(|| {
                    keywords.push(word);
                    owners.push(Vec::new());
                    owners.len() - 1
                });
                owners[slot].push(rule);
            }
        }
        let automaton = (!keywords.is_empty()).then(|| {
            let kind = match profile {
                Profile::Latency => None,
                Profile::Throughput => Some(AhoCorasickKind::DFA),
            };
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .kind(kind)
                .build(&keywords)
                .expect("keyword automaton builds")
        });
        Prefilter {
            automaton,
            owners,
            always,
            rule_count,
        }
    }

    /// The indexes of the rules that may match `bytes`, ascending.
    pub fn candidates(&self, bytes: &[u8]) -> Vec<usize> {
        let mut hit = vec![false; self.rule_count];
        for &r in &self.always {
            hit[r] = true;
        }
        if let Some(ac) = &self.automaton {
            for m in ac.find_overlapping_iter(bytes) {
                for &r in &self.owners[m.pattern().as_usize()] {
                    hit[r] = true;
                }
            }
        }
        hit.iter()
            .enumerate()
            .filter_map(|(i, &h)| h.then_some(i))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{Prefilter, Profile};

    #[test]
    fn finds_overlapping_keywords_case_insensitively() {
        let k0 = ["ghp_".to_string()];
        let k1 = ["gh".to_string()];
        let k2 = ["xoxb-".to_string()];
        for profile in [Profile::Latency, Profile::Throughput] {
            let rules = [
                (0, &k0[..], false),
                (1, &k1[..], false),
                (2, &k2[..], false),
                (3, &[][..], true),
            ];
            let p = Prefilter::new(rules.into_iter(), profile);
            assert_eq!(p.candidates(b"token = GHP_abc"), vec![0, 1, 3]);
            assert_eq!(p.candidates(b"nothing here"), vec![3]);
        }
    }
}
