//! The keyword prefilter: one Aho-Corasick automaton over every rule's keywords
//! (ASCII case-insensitive) says which rules can possibly match a chunk, so only
//! those rules' regexes run. Rules that set `always` are candidates for every chunk.
//! A rule whose matches always start with a keyword at the start of a word
//! ([`Keywords::start_words`]) is not a candidate for a hit inside a longer word
//! (`wise` in `otherwise`): its regex could not match there.

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

/// Whether a keyword hit at `at` is inside a longer word: right after a letter or
/// digit, and not a camelCase word start (an upper-case letter then a lower-case one).
fn inside_word(bytes: &[u8], at: usize) -> bool {
    let after_word = at
        .checked_sub(1)
        .is_some_and(|i| bytes[i].is_ascii_alphanumeric());
    let camel = bytes.get(at).is_some_and(u8::is_ascii_uppercase)
        && bytes.get(at + 1).is_some_and(u8::is_ascii_lowercase);
    after_word && !camel
}

/// One rule's entry in the prefilter.
#[derive(Debug, Clone, Copy)]
pub struct Keywords<'a> {
    /// The rule's index in the scanner.
    pub rule: usize,
    /// Its keywords (ASCII case-insensitive).
    pub words: &'a [String],
    /// A candidate for every chunk, whatever its keywords.
    pub always: bool,
    /// Every match starts with a keyword at the start of a word: a hit right after a
    /// letter or digit does not count unless it starts a camelCase word (keywords
    /// that start with a delimiter always do).
    pub start_words: bool,
}

/// Which rules a chunk can possibly match.
#[derive(Debug)]
pub struct Prefilter {
    automaton: Option<AhoCorasick>,
    /// For each automaton pattern, the rules that use that keyword, each with
    /// whether a hit must start a word to count for it.
    owners: Vec<Vec<(usize, bool)>>,
    always: Vec<usize>,
    rule_count: usize,
}

impl Prefilter {
    /// Builds the automaton from the [`Keywords`] of every rule that has a content
    /// pattern.
    pub fn new<'a>(rules: impl Iterator<Item = Keywords<'a>>, profile: Profile) -> Prefilter {
        let mut keywords: Vec<Vec<u8>> = Vec::new();
        let mut owners: Vec<Vec<(usize, bool)>> = Vec::new();
        let mut index = std::collections::HashMap::new();
        let mut always = Vec::new();
        let mut rule_count = 0;
        for k in rules {
            let rule = k.rule;
            rule_count = rule_count.max(rule + 1);
            if k.always || k.words.is_empty() {
                always.push(rule);
            }
            for word in k.words {
                let word = word.to_ascii_lowercase().into_bytes();
                let bounded = k.start_words && word.first().is_some_and(u8::is_ascii_alphanumeric);
                let slot = *index.entry(word.clone()).or_insert_with(|| {
                    keywords.push(word);
                    owners.push(Vec::new());
                    owners.len() - 1
                });
                owners[slot].push((rule, bounded));
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
                let inside_word = inside_word(bytes, m.start());
                for &(r, bounded) in &self.owners[m.pattern().as_usize()] {
                    hit[r] |= !(bounded && inside_word);
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
    use super::{Keywords, Prefilter, Profile};

    fn entry(rule: usize, words: &[String], always: bool, start_words: bool) -> Keywords<'_> {
        Keywords {
            rule,
            words,
            always,
            start_words,
        }
    }

    #[test]
    fn finds_overlapping_keywords_case_insensitively() {
        let k0 = ["ghp_".to_string()];
        let k1 = ["gh".to_string()];
        let k2 = ["xoxb-".to_string()];
        for profile in [Profile::Latency, Profile::Throughput] {
            let rules = [
                entry(0, &k0, false, false),
                entry(1, &k1, false, false),
                entry(2, &k2, false, false),
                entry(3, &[], true, false),
            ];
            let p = Prefilter::new(rules.into_iter(), profile);
            assert_eq!(p.candidates(b"token = GHP_abc"), vec![0, 1, 3]);
            assert_eq!(p.candidates(b"nothing here"), vec![3]);
        }
    }

    #[test]
    fn word_start_rules_ignore_hits_inside_words() {
        let wise = ["wise".to_string()];
        let proto = ["://".to_string()];
        let rules = [
            entry(0, &wise, false, true),
            entry(1, &wise, false, false),
            entry(2, &proto, false, true),
        ];
        let p = Prefilter::new(rules.into_iter(), Profile::Latency);
        assert_eq!(p.candidates(b"otherwise, likewise"), vec![1]);
        assert_eq!(p.candidates(b"OTHERWISE"), vec![1]);
        assert_eq!(p.candidates(b"WISE_API_TOKEN=1"), vec![0, 1]);
        assert_eq!(p.candidates(b"otherwise; wise_token"), vec![0, 1]);
        assert_eq!(p.candidates(b"x_wise"), vec![0, 1]);
        assert_eq!(p.candidates(b"myWiseToken"), vec![0, 1]);
        assert_eq!(p.candidates(b"https://x"), vec![2]);
    }
}
