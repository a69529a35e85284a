//! The keyword prefilter: every rule's keywords (ASCII case-insensitive) say which
//! rules can possibly match a chunk, so only those rules' regexes run. Rules that
//! set `always` are candidates for every chunk.
//! A rule whose matches always start with a keyword at the start of a word
//! ([`Keywords::start_words`]) is not a candidate for a hit inside a longer word
//! (`wise` in `otherwise`): its regex could not match there.
//!
//! Two ways to find the keywords, chosen by [`Profile`]. An Aho-Corasick DFA
//! searches fastest, but building it over a thousand keywords costs more than a
//! pre-commit hook's whole scan of a few changed lines. So a hook starts with an
//! index of the keywords by their first two bytes, built in a few microseconds,
//! and only builds the automaton (once) after it has read [`LAZY_BYTES`]: a small
//! commit never pays for it, a large push pays at most about twice the better of
//! the two.

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
    /// Many bytes: build the DFA, which searches faster, at start-up (history and
    /// directory scans).
    Throughput,
}

/// Bytes a [`Profile::Latency`] prefilter reads with its pair index before it
/// builds the automaton: about what building the automaton costs in time.
pub const LAZY_BYTES: u64 = 1 << 20;

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
    /// Every distinct keyword, ASCII lowercase.
    keywords: Vec<Vec<u8>>,
    /// For each keyword, the rules that use it, each with whether a hit must
    /// start a word to count for it.
    owners: Vec<Vec<(usize, bool)>>,
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
    /// Builds the prefilter from the [`Keywords`] of every rule that has a content
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
        let mut p = Prefilter {
            keywords,
            owners,
            always,
            rule_count,
            pairs: None,
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
        // Marks the rules of keyword `k` found at `at`; true if that settles
        // every one of them (the hit starts a word).
        let mut mark = |k: usize, at: usize| {
            let inside_word = inside_word(bytes, at);
            for &(r, bounded) in &self.owners[k] {
                hit[r] |= !(bounded && inside_word);
            }
            !inside_word
        };
        match self.searcher(bytes.len()) {
            Err(pairs) => pairs.find(&self.keywords, bytes, &mut mark),
            Ok(Some(ac)) => {
                for m in ac.find_overlapping_iter(bytes) {
                    mark(m.pattern().as_usize(), m.start());
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
        for k in keywords.iter().filter(|k| k.len() >= 2) {
            starts[pair(k[0], k[1]) + 1] += 1;
        }
        for p in 0..1 << 16 {
            starts[p + 1] += starts[p];
        }
        let mut next = starts.clone();
        let mut order = vec![0u32; starts[1 << 16] as usize];
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

    /// Calls `mark(keyword, at)` for the hits of each keyword in `bytes`, from the
    /// first up to the first one for which `mark` returns true.
    fn find(
        &self,
        keywords: &[Vec<u8>],
        bytes: &[u8],
        mark: &mut impl FnMut(usize, usize) -> bool,
    ) {
        for &k in &self.empty {
            mark(k, 0);
        }
        for &k in &self.single {
            let b = keywords[k][0];
            for at in memchr::memchr2_iter(b, b.to_ascii_uppercase(), bytes) {
                if mark(k, at) {
                    break;
                }
            }
        }
        let mut settled = vec![false; keywords.len()];
        for (at, w) in bytes.windows(2).enumerate() {
            let p = pair(w[0], w[1]);
            let (from, to) = (self.starts[p] as usize, self.starts[p + 1] as usize);
            for &k in &self.order[from..to] {
                let (k, word) = (k as usize, &keywords[k as usize]);
                let rest = &bytes[at..];
                let here =
                    rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word);
                if here && !settled[k] {
                    settled[k] = mark(k, at);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Keywords, Prefilter, Profile, LAZY_BYTES};

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
        let k4 = ["=".to_string()];
        for profile in [Profile::Latency, Profile::Throughput] {
            let rules = [
                entry(0, &k0, false, false),
                entry(1, &k1, false, false),
                entry(2, &k2, false, false),
                entry(3, &[], true, false),
                entry(4, &k4, false, false),
            ];
            let p = Prefilter::new(rules.into_iter(), profile);
            assert_eq!(p.candidates(b"token = GHP_abc"), vec![0, 1, 3, 4]);
            assert_eq!(p.candidates(b"nothing here"), vec![3]);
            assert_eq!(p.candidates(b"xOxB"), vec![3]);
            assert_eq!(p.candidates(b"g"), vec![3]);
        }
    }

    #[test]
    fn word_start_rules_ignore_hits_inside_words() {
        let wise = ["wise".to_string()];
        let proto = ["://".to_string()];
        let w = ["w".to_string()];
        for profile in [Profile::Latency, Profile::Throughput] {
            let rules = [
                entry(0, &wise, false, true),
                entry(1, &wise, false, false),
                entry(2, &proto, false, true),
                entry(3, &w, false, true),
            ];
            let p = Prefilter::new(rules.into_iter(), profile);
            assert_eq!(p.candidates(b"otherwise, likewise"), vec![1]);
            assert_eq!(p.candidates(b"OTHERWISE"), vec![1]);
            assert_eq!(p.candidates(b"WISE_API_TOKEN=1"), vec![0, 1, 3]);
            assert_eq!(p.candidates(b"otherwise; wise_token"), vec![0, 1, 3]);
            assert_eq!(p.candidates(b"x_wise"), vec![0, 1, 3]);
            assert_eq!(p.candidates(b"myWiseToken"), vec![0, 1, 3]);
            assert_eq!(p.candidates(b"https://x"), vec![2]);
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
                .map(|(i, r)| entry(i, &r.keywords, r.always, i % 3 == 0))
        };
        let dfa = Prefilter::new(list(), Profile::Throughput);
        let lazy = Prefilter::new(list(), Profile::Latency);
        let mut texts: Vec<Vec<u8>> = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            for k in &r.keywords {
                // Mixed case, alone, inside a word, cut short, and in a line.
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
                texts.push(format!("other{mixed}").into_bytes());
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
            let text = String::from_utf8_lossy(t);
            assert_eq!(lazy.candidates(t), dfa.candidates(t), "{text:?}");
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
