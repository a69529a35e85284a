//! The keyword prefilter: every rule's keywords (ASCII case-insensitive) say which
//! rules can possibly match a chunk, so only those rules' regexes run. Rules that
//! set `always` are candidates for every chunk.
//!
//! Two ways to find the keywords, chosen by [`Profile`]. An Aho-Corasick DFA
//! searches fastest, but building it over a thousand keywords costs more than a
//! pre-commit hook's whole scan of a few changed lines. So a hook starts with an
//! index of the keywords by their first two bytes, built in a few microseconds,
//! and only builds the automaton (once) after it has read [`LAZY_BYTES`]: a small
//! commit never pays for it, a large push pays at most twice the best of the two.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// What a scan optimises for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// Few bytes, one process per commit: start at once, with the pair index
    /// (the pre-commit and push hooks).
    #[default]
    Latency,
    /// Many bytes: build a DFA that searches faster at start-up (history and
    /// directory scans).
    Throughput,
}

/// Bytes a [`Profile::Latency`] prefilter reads with its pair index before it
/// builds the automaton: about what building the automaton costs in time.
pub const LAZY_BYTES: u64 = 1 << 20;

/// Which rules a chunk can possibly match.
#[derive(Debug)]
pub struct Prefilter {
    /// Every distinct keyword, ASCII lowercase.
    keywords: Vec<Vec<u8>>,
    /// For each keyword, the rules that use it.
    owners: Vec<Vec<usize>>,
    always: Vec<usize>,
    rule_count: usize,
    /// The keywords by their first two bytes (a latency prefilter's).
    pairs: Option<Pairs>,
    /// Bytes searched with the pair index so far.
    scanned: AtomicU64,
    /// The automaton (`None` inside when there is no keyword), built at once for
    /// throughput, after [`LAZY_BYTES`] for latency.
    automaton: OnceLock<Option<AhoCorasick>>,
}

impl Prefilter {
    /// Builds the prefilter from `(rule index, keywords, always)` of every rule that
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
        let mut p = Prefilter {
            pairs: None,
            keywords,
            owners,
            always,
            rule_count,
            scanned: AtomicU64::new(0),
            automaton: OnceLock::new(),
        };
        match profile {
            Profile::Latency => p.pairs = Some(Pairs::new(&p.keywords)),
            Profile::Throughput => drop(p.automaton.set(p.build())),
        }
        p
    }

    fn build(&self) -> Option<AhoCorasick> {
        (!self.keywords.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .kind(Some(AhoCorasickKind::DFA))
                .build(&self.keywords)
                .expect("keyword automaton builds")
        })
    }

    /// The indexes of the rules that may match `bytes`, ascending.
    pub fn candidates(&self, bytes: &[u8]) -> Vec<usize> {
        let mut hit = vec![false; self.rule_count];
        for &r in &self.always {
            hit[r] = true;
        }
        let mut mark = |keyword: usize| {
            for &r in &self.owners[keyword] {
                hit[r] = true;
            }
        };
        match self.searcher(bytes.len()) {
            Err(pairs) => pairs.find(&self.keywords, bytes, &mut mark),
            Ok(Some(ac)) => {
                for m in ac.find_overlapping_iter(bytes) {
                    mark(m.pattern().as_usize());
                }
            }
            Ok(None) => {}
        }
        hit.iter()
            .enumerate()
            .filter_map(|(i, &h)| h.then_some(i))
            .collect()
    }

    /// The automaton if there is one by now (building it once the pair index has
    /// read enough), else the pair index.
    fn searcher(&self, len: usize) -> Result<&Option<AhoCorasick>, &Pairs> {
        if let Some(ac) = self.automaton.get() {
            return Ok(ac);
        }
        let pairs = self
            .pairs
            .as_ref()
            .expect("a prefilter has one or the other");
        let before = self.scanned.fetch_add(len as u64, Ordering::Relaxed);
        if before + len as u64 > LAZY_BYTES {
            return Ok(self.automaton.get_or_init(|| self.build()));
        }
        Err(pairs)
    }
}

/// The keywords by their first two bytes (ASCII lowercase): `order[starts[p] ..
/// starts[p + 1]]` are the keywords that begin with pair `p`. Keywords of one
/// byte are searched for on their own.
#[derive(Debug)]
struct Pairs {
    starts: Vec<u32>,
    order: Vec<u32>,
    single: Vec<usize>,
    empty: Vec<usize>,
}

fn pair(a: u8, b: u8) -> usize {
    (usize::from(a.to_ascii_lowercase()) << 8) | usize::from(b.to_ascii_lowercase())
}

impl Pairs {
    fn new(keywords: &[Vec<u8>]) -> Pairs {
        let (mut single, mut empty) = (Vec::new(), Vec::new());
        let mut starts = vec![0u32; (1 << 16) + 1];
        for k in keywords {
            if k.len() >= 2 {
                starts[pair(k[0], k[1]) + 1] += 1;
            }
        }
        for p in 0..1 << 16 {
            starts[p + 1] += starts[p];
        }
        let mut next = starts.clone();
        let mut order = vec![0u32; next[1 << 16] as usize];
        for (i, k) in keywords.iter().enumerate() {
            match k.len() {
                0 => empty.push(i),
                1 => single.push(i),
                _ => {
                    let slot = &mut next[pair(k[0], k[1])];
                    order[*slot as usize] = i as u32;
                    *slot += 1;
                }
            }
        }
        Pairs {
            starts,
            order,
            single,
            empty,
        }
    }

    /// Calls `mark(keyword)` for each keyword in `bytes` (at least once each).
    fn find(&self, keywords: &[Vec<u8>], bytes: &[u8], mark: &mut impl FnMut(usize)) {
        for &k in &self.empty {
            mark(k);
        }
        for &k in &self.single {
            let b = keywords[k][0];
            if memchr::memchr2(b, b.to_ascii_uppercase(), bytes).is_some() {
                mark(k);
            }
        }
        let mut found = vec![false; keywords.len()];
        for (i, w) in bytes.windows(2).enumerate() {
            let p = pair(w[0], w[1]);
            let (from, to) = (self.starts[p] as usize, self.starts[p + 1] as usize);
            for &k in &self.order[from..to] {
                let (k, word) = (k as usize, &keywords[k as usize]);
                let rest = &bytes[i..];
                if !found[k]
                    && rest.len() >= word.len()
                    && rest[..word.len()].eq_ignore_ascii_case(word)
                {
                    found[k] = true;
                    mark(k);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Prefilter, Profile, LAZY_BYTES};

    #[test]
    fn finds_overlapping_keywords_case_insensitively() {
        let k0 = ["ghp_".to_string()];
        let k1 = ["gh".to_string()];
        let k2 = ["xoxb-".to_string()];
        let k4 = ["=".to_string()];
        for profile in [Profile::Latency, Profile::Throughput] {
            let rules = [
                (0, &k0[..], false),
                (1, &k1[..], false),
                (2, &k2[..], false),
                (3, &[][..], true),
                (4, &k4[..], false),
            ];
            let p = Prefilter::new(rules.into_iter(), profile);
            assert_eq!(p.candidates(b"token = GHP_abc"), vec![0, 1, 3, 4]);
            assert_eq!(p.candidates(b"nothing here"), vec![3]);
            assert_eq!(p.candidates(b"xOxB"), vec![3]);
            assert_eq!(p.candidates(b"g"), vec![3]);
        }
    }

    /// The pair index, and the automaton a latency prefilter builds once it has
    /// read enough, find the same rules as a throughput prefilter's DFA.
    #[test]
    fn the_pair_index_and_the_automaton_agree_on_every_bundled_keyword() {
        let rules = crate::rules::bundled();
        let list = || {
            rules
                .iter()
                .enumerate()
                .map(|(i, r)| (i, r.keywords.as_slice(), r.always))
        };
        let dfa = Prefilter::new(list(), Profile::Throughput);
        let lazy = Prefilter::new(list(), Profile::Latency);
        let mut texts: Vec<Vec<u8>> = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            for k in &r.keywords {
                // Mixed case, at the very start and end of the text, and inside.
                let mixed: String = k
                    .chars()
                    .enumerate()
                    .map(|(j, c)| {
                        if (i + j) % 2 == 0 {
                            c.to_ascii_uppercase()
                        } else {
                            c
                        }
                    })
                    .collect();
                texts.push(format!("x = \"{mixed}\"\n").into_bytes());
                let mut cut = mixed.into_bytes();
                texts.push(cut.clone());
                cut.pop();
                cut.extend_from_slice("\u{e9}".as_bytes());
                texts.push(cut);
            }
        }
        let all: Vec<u8> = texts.concat();
        assert_eq!(lazy.candidates(&all), dfa.candidates(&all));
        for t in &texts {
            assert_eq!(
                lazy.candidates(t),
                dfa.candidates(t),
                "{:?}",
                String::from_utf8_lossy(t)
            );
        }
        assert!(
            lazy.automaton.get().is_none(),
            "the pair index served so far"
        );
        let big = [&all[..], &vec![b' '; LAZY_BYTES as usize][..]].concat();
        assert_eq!(lazy.candidates(&big), dfa.candidates(&big));
        assert!(lazy.automaton.get().is_some(), "built after LAZY_BYTES");
        for t in &texts {
            assert_eq!(lazy.candidates(t), dfa.candidates(t));
        }
    }
}
