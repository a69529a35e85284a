//! The engine judges chunks of bytes against the rules.
//!
//! For each chunk: the keyword [`prefilter`] says which rules can match; only their
//! regexes run (each compiled lazily on first use, Unicode off); each match's secret
//! must pass the rule's minimum entropy, the [`placeholder`] filter and the rule's
//! [`validate`] check; what is left becomes a [`Finding`]. Path rules judge a file by
//! its path alone, whatever its content. For a changed file only the lines around
//! its added lines are read, and only findings that touch an added line stand
//! ([`Scanner::scan`]). [`proof`] runs a rule's examples through the engine.
//! Each decision can be traced ([`trace`], [`Scanner::scan_traced`]) to tell a
//! user why a line gave no finding; an ordinary scan traces nothing, at no cost.

pub mod boundary;
pub mod checks;
pub mod entropy;
pub mod placeholder;
mod position;
pub mod prefilter;
pub mod proof;
pub mod trace;
pub mod validate;

pub use crate::types::{fingerprint, Finding};

use crate::rules::{compile, RuleSpec};
use crate::types::{Chunk, Origin, Rule};
pub use crate::types::{FileJudge, FileVerdict};
use aho_corasick::{AhoCorasick, MatchKind};
use anyhow::{bail, Result};
use position::Locator;
use prefilter::Prefilter;
pub use prefilter::Profile;
use regex::bytes::Regex;
use std::sync::{Arc, OnceLock};
use trace::{Step, Trace, Why};

/// Lines of unchanged context read on each side of a changed file's added lines,
/// so that a rule whose match spans lines sees the whole of it.
pub const CONTEXT_LINES: u32 = 0;

/// At most this many bytes of context on each side of a run of added lines (a
/// changed file with very long lines costs no more than this to judge).
pub const MAX_CONTEXT_BYTES: usize = 64 * 1024;

/// The checks a rule must pass to run in this engine: its shape and patterns
/// ([`crate::rules::check_spec`]) and, if it names a validator, one the engine has.
pub fn check_rule(spec: &RuleSpec) -> Result<()> {
    crate::rules::check_spec(spec)?;
    if let Some(name) = &spec.validate {
        if validate::lookup(name).is_none() {
            bail!(
                "unknown validator `{name}` (known: {})",
                validate::NAMES.join(", ")
            );
        }
    }
    Ok(())
}

struct Compiled {
    rule: Arc<Rule>,
    regex: OnceLock<Regex>,
    path: OnceLock<Regex>,
    exclude: OnceLock<Regex>,
    require: OnceLock<Regex>,
}

/// The regex of `pattern`, compiled on first use into `cell`.
fn lazy<'a>(cell: &'a OnceLock<Regex>, pattern: &str) -> &'a Regex {
    cell.get_or_init(|| compile(pattern).expect("rule patterns are checked at load"))
}

impl Compiled {
    fn regex(&self) -> Option<&Regex> {
        Some(lazy(&self.regex, self.rule.pattern.as_deref()?))
    }

    /// Why the rule's context patterns refuse the match `whole`, given the text
    /// from the start of its line to its end (`require` must match, `exclude` must
    /// not), or `None` when they accept it. Most rules have neither and pay nothing.
    fn context_veto(
        &self,
        at: &mut Locator<'_>,
        whole: &regex::bytes::Match<'_>,
    ) -> Option<Why<'static>> {
        let (require, exclude) = (self.rule.require.as_deref(), self.rule.exclude.as_deref());
        if require.is_none() && exclude.is_none() {
            return None;
        }
        let context = &at.bytes()[at.line_start(whole.start())..whole.end()];
        let matches =
            |cell, pattern: Option<&str>| pattern.map(|p| lazy(cell, p).is_match(context));
        if matches(&self.require, require) == Some(false) {
            return Some(Why::NotRequired);
        }
        (matches(&self.exclude, exclude) == Some(true)).then_some(Why::Excluded)
    }

    fn path_matches(&self, path: &str) -> bool {
        self.rule
            .path
            .as_deref()
            .is_none_or(|p| lazy(&self.path, p).is_match(path.as_bytes()))
    }
}

/// A rule set ready to scan. `Sync`: share one across threads.
pub struct Scanner {
    rules: Vec<Compiled>,
    prefilter: Prefilter,
    /// Rules with a path and no content pattern.
    file_rules: FileRules,
    /// Judges of whole files.
    judges: Vec<Box<dyn FileJudge>>,
    /// The keywords of the rules whose patterns span lines (built on first use).
    multiline: OnceLock<Prefilter>,
}

/// The path-only rules, and one automaton over the literals one of which any
/// path a rule matches must hold (worked out by the build script for bundled
/// rules): one pass over a path rules most of them out, and a rule's regex
/// compiles only for a path that holds one of its literals.
struct FileRules {
    /// Path-only rules with no literal set: their regex judges every path.
    open: Vec<usize>,
    /// Every literal of the other path-only rules.
    automaton: Option<AhoCorasick>,
    /// For each automaton pattern, the rule it belongs to.
    owners: Vec<usize>,
}

impl FileRules {
    fn new(rules: &[Compiled]) -> FileRules {
        let mut open = Vec::new();
        let (mut literals, mut owners) = (Vec::new(), Vec::new());
        for (index, c) in rules.iter().enumerate() {
            if c.rule.pattern.is_some() {
                continue;
            }
            match &c.rule.path_literals {
                None => open.push(index),
                Some(lits) => {
                    literals.extend(lits.iter().cloned());
                    owners.extend(std::iter::repeat_n(index, lits.len()));
                }
            }
        }
        let automaton = (!literals.is_empty()).then(|| {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(&literals)
                .expect("path literal automaton builds")
        });
        FileRules {
            open,
            automaton,
            owners,
        }
    }

    /// The path-only rules that may match `path`, ascending.
    fn candidates(&self, path: &[u8]) -> Vec<usize> {
        let mut out = self.open.clone();
        if let Some(ac) = &self.automaton {
            out.extend(
                ac.find_overlapping_iter(path)
                    .map(|m| self.owners[m.pattern().as_usize()]),
            );
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// A path as the text its name is judged as: one line per component, so a
/// directory name before a token does not read as a run of base64 it continues
/// (`/` is a base64 character).
fn name_text(path: &str) -> Vec<u8> {
    path.bytes()
        .map(|b| if b == b'/' { b'\n' } else { b })
        .collect()
}

impl Scanner {
    /// A scanner over `rules` for small inputs (hooks). Rules are assumed checked
    /// ([`check_rule`] or the build script); patterns compile on first use.
    pub fn new(rules: Vec<Rule>) -> Scanner {
        Scanner::with_profile(rules, Profile::Latency)
    }

    /// A scanner tuned for a workload: see [`Profile`].
    pub fn with_profile(rules: Vec<Rule>, profile: Profile) -> Scanner {
        let rules: Vec<Compiled> = rules
            .into_iter()
            .map(|r| Compiled {
                rule: Arc::new(r),
                regex: OnceLock::new(),
                path: OnceLock::new(),
                exclude: OnceLock::new(),
                require: OnceLock::new(),
            })
            .collect();
        let with_patterns = rules.iter().enumerate().filter_map(|(i, c)| {
            let r = &c.rule;
            r.pattern.is_some().then(|| prefilter::Keywords {
                rule: i,
                words: r.keywords.as_slice(),
                always: r.always || (r.keywords.is_empty() && r.path.is_some()),
                start_words: r.keywords_start_words,
            })
        });
        let prefilter = Prefilter::new(with_patterns, profile);
        let file_rules = FileRules::new(&rules);
        Scanner {
            rules,
            prefilter,
            file_rules,
            judges: Vec::new(),
            multiline: OnceLock::new(),
        }
    }

    /// Adds a judge of whole files.
    pub fn with_judge(mut self, judge: Box<dyn FileJudge>) -> Scanner {
        self.judges.push(judge);
        self
    }

    /// What the file judges find in the whole content of a file.
    pub fn judge_file(&self, origin: &Arc<Origin>, bytes: &[u8]) -> FileVerdict {
        let mut out = FileVerdict::default();
        for judge in &self.judges {
            let v = judge.judge(origin, bytes);
            out.findings.extend(v.findings);
            out.recognised |= v.recognised;
            out.skipped.extend(v.skipped);
        }
        out
    }

    /// The rules this scanner runs.
    pub fn rules(&self) -> impl Iterator<Item = &Arc<Rule>> {
        self.rules.iter().map(|c| &c.rule)
    }

    /// Findings of the path-only rules for a file that was added or changed, and
    /// of the content rules in the file's name (a token pasted into a file name
    /// is as leaked as one in the file; see [`Origin::file_name`]).
    pub fn scan_path(&self, origin: &Arc<Origin>) -> Vec<Finding> {
        let mut found: Vec<Finding> = self
            .file_rules
            .candidates(origin.path.as_bytes())
            .into_iter()
            .map(|i| &self.rules[i])
            .filter(|c| c.path_matches(&origin.path))
            .map(|c| self.file_finding(&c.rule, origin))
            .collect();
        let name = origin.file_name();
        let text = name_text(&origin.path);
        found.extend(self.scan(&Chunk::whole(name, &text)));
        found
    }

    fn file_finding(&self, rule: &Arc<Rule>, origin: &Arc<Origin>) -> Finding {
        let name = origin.path.rsplit('/').next().unwrap_or(&origin.path);
        let secret = origin.path.as_bytes().to_vec();
        Finding {
            rule: rule.clone(),
            origin: origin.clone(),
            line: 1,
            column: 1,
            end_column: 1,
            fingerprint: fingerprint(&rule.id, &rule.family, &origin.path, &secret),
            secret,
            line_text: name.as_bytes().to_vec(),
            secret_span: (0, name.len()),
            allow_context: Vec::new(),
            other_spans: Vec::new(),
            also_lines: Vec::new(),
        }
    }

    /// Every finding in a chunk, in order of position. For a changed file (a
    /// chunk with `added` lines), only the added lines with [`CONTEXT_LINES`] of
    /// context around them are read, except by rules whose pattern spans lines,
    /// which read the whole file (when their keywords are in it) so a block whose
    /// first and last lines were committed earlier is still whole; only findings
    /// that touch an added line are returned.
    pub fn scan(&self, chunk: &Chunk<'_>) -> Vec<Finding> {
        self.scan_with(chunk, &mut trace::Off)
    }

    /// [`Scanner::scan`], telling `trace` every decision it takes: which rules'
    /// keywords hit, which matches each check dropped and why, which findings
    /// stand. Byte spans are in `chunk.bytes` (for a changed file, in the window
    /// the step was taken in; `--explain` traces whole chunks).
    pub fn scan_traced(&self, chunk: &Chunk<'_>, trace: &mut dyn Trace) -> Vec<Finding> {
        self.scan_with(chunk, trace)
    }

    fn scan_with<T: Trace + ?Sized>(&self, chunk: &Chunk<'_>, trace: &mut T) -> Vec<Finding> {
        if chunk.added.is_none() {
            return self.scan_bytes(chunk, trace);
        }
        let mut found = Vec::new();
        for window in chunk.windows(CONTEXT_LINES, MAX_CONTEXT_BYTES) {
            found.extend(self.scan_bytes(&window, trace));
        }
        let same = |a: &Finding, b: &Finding| {
            (a.line, a.column, &a.rule.id) == (b.line, b.column, &b.rule.id)
        };
        for f in self.scan_multiline(chunk, trace) {
            if !found.iter().any(|g| same(g, &f)) {
                found.push(f);
            }
        }
        found.retain(|f| chunk.touches_added(f.line, f.last_line()));
        found.sort_by(|a, b| (a.line, a.column, &a.rule.id).cmp(&(b.line, b.column, &b.rule.id)));
        found
    }

    /// The findings of the rules whose patterns span lines, over all of a chunk.
    fn scan_multiline<T: Trace + ?Sized>(&self, chunk: &Chunk<'_>, trace: &mut T) -> Vec<Finding> {
        let multi = self.multiline.get_or_init(|| {
            let rules = self
                .rules
                .iter()
                .enumerate()
                .filter(|(_, c)| c.rule.spans_lines);
            // Rules with no keyword would read every changed file whole: they
            // keep to the windows.
            let with_keywords =
                rules.filter(|(_, c)| !c.rule.keywords.is_empty() && !c.rule.always);
            Prefilter::new(
                with_keywords.map(|(i, c)| prefilter::Keywords {
                    rule: i,
                    words: c.rule.keywords.as_slice(),
                    always: false,
                    start_words: c.rule.keywords_start_words,
                }),
                Profile::Latency,
            )
        });
        let mut found = Vec::new();
        let mut refused = Vec::new();
        let mut at = Locator::new(chunk.bytes, chunk.first_line);
        for i in multi.candidates(chunk.bytes) {
            let c = &self.rules[i];
            if let (true, Some(re)) = (c.path_matches(&chunk.origin.path), c.regex()) {
                let mut out = Out::new(&mut found, &mut refused, trace);
                self.scan_rule(c, re, chunk, &mut at, &mut out);
            }
        }
        drop_refused(&mut found, &refused, trace);
        let mut secrets: Vec<(usize, usize)> = found.iter().map(|(s, e, _)| (*s, *e)).collect();
        drop_shadowed(&mut found, trace);
        position::mark_neighbours(&mut found, &mut secrets);
        for (start, end, f) in &found {
            trace.step(Step::Found {
                finding: f,
                secret: (*start, *end),
            });
        }
        found.into_iter().map(|(_, _, f)| f).collect()
    }

    /// Every finding in all of a chunk's bytes, in order of position.
    fn scan_bytes<T: Trace + ?Sized>(&self, chunk: &Chunk<'_>, trace: &mut T) -> Vec<Finding> {
        let mut found = Vec::new();
        let mut refused = Vec::new();
        let mut at = Locator::new(chunk.bytes, chunk.first_line);
        for i in self.prefilter.candidates(chunk.bytes) {
            let c = &self.rules[i];
            trace.step(Step::Candidate(&c.rule));
            if !c.path_matches(&chunk.origin.path) {
                trace.step(Step::OutOfScope(&c.rule));
                continue;
            }
            if let Some(re) = c.regex() {
                let mut out = Out::new(&mut found, &mut refused, trace);
                self.scan_rule(c, re, chunk, &mut at, &mut out);
            }
        }
        drop_refused(&mut found, &refused, trace);
        let mut secrets: Vec<(usize, usize)> = found.iter().map(|(s, e, _)| (*s, *e)).collect();
        drop_shadowed(&mut found, trace);
        position::mark_neighbours(&mut found, &mut secrets);
        for (start, end, f) in &found {
            trace.step(Step::Found {
                finding: f,
                secret: (*start, *end),
            });
        }
        found.sort_by_key(|(start, _, f)| (*start, f.rule.id.clone()));
        found.into_iter().map(|(_, _, f)| f).collect()
    }

    /// Every finding of one rule in a chunk. Matches do not overlap: a rejected
    /// candidate's match still consumes its text, so a rule's pattern should match
    /// one secret with its own context, not a run of them.
    fn scan_rule<T: Trace + ?Sized>(
        &self,
        c: &Compiled,
        re: &Regex,
        chunk: &Chunk<'_>,
        at: &mut Locator<'_>,
        out: &mut Out<'_, T>,
    ) {
        let rule = &c.rule;
        let group = rule
            .secret_group
            .unwrap_or(if re.captures_len() > 1 { 1 } else { 0 });
        for caps in re.captures_iter(chunk.bytes) {
            let whole = caps.get(0).expect("group 0 always matches");
            let Some(m) = caps.get(group) else { continue };
            let why = match checks::rejection(rule, m.as_bytes()) {
                None if boundary::inside_encoded_run(
                    chunk.bytes,
                    whole.start(),
                    m.start(),
                    m.end(),
                ) =>
                {
                    Why::InEncodedRun
                }
                None => match c.context_veto(at, &whole) {
                    None => {
                        let f = finding(rule, chunk, at, whole.start(), m);
                        out.found.push((m.start(), m.end(), f));
                        continue;
                    }
                    Some(why) => why,
                },
                Some(r) => {
                    if r == checks::Rejection::Validator && rule.family != "generic" {
                        out.refused.push((m.start(), m.end()));
                    }
                    Why::Check(r)
                }
            };
            out.trace.step(Step::Dropped {
                rule,
                whole: Some((whole.start(), whole.end())),
                secret: (m.start(), m.end()),
                why,
            });
        }
    }
}

/// Where one rule's matches go: findings, the spans of tokens a vendor rule
/// refused, and the trace of the scan.
struct Out<'a, T: ?Sized> {
    found: &'a mut Vec<(usize, usize, Finding)>,
    refused: &'a mut Vec<(usize, usize)>,
    trace: &'a mut T,
}

impl<'a, T: Trace + ?Sized> Out<'a, T> {
    fn new(
        found: &'a mut Vec<(usize, usize, Finding)>,
        refused: &'a mut Vec<(usize, usize)>,
        trace: &'a mut T,
    ) -> Self {
        Out {
            found,
            refused,
            trace,
        }
    }
}

/// The finding for secret `m` of a match starting at `match_start`.
fn finding(
    rule: &Arc<Rule>,
    chunk: &Chunk<'_>,
    at: &mut Locator<'_>,
    match_start: usize,
    m: regex::bytes::Match<'_>,
) -> Finding {
    let secret = m.as_bytes();
    let pos = at.locate(match_start, m.start(), m.end());
    Finding {
        rule: rule.clone(),
        origin: chunk.origin.clone(),
        line: pos.line,
        column: pos.column,
        end_column: pos.end_column,
        fingerprint: fingerprint(&rule.id, &rule.family, &chunk.origin.path, secret),
        secret: secret.to_vec(),
        line_text: pos.line_text,
        secret_span: pos.secret_span,
        allow_context: pos.allow_context,
        other_spans: Vec::new(),
        also_lines: Vec::new(),
    }
}

/// A token a vendor rule refused for its checksum or structure is a random
/// look-alike: a generic rule does not report it either.
fn drop_refused<T: Trace + ?Sized>(
    found: &mut Vec<(usize, usize, Finding)>,
    refused: &[(usize, usize)],
    trace: &mut T,
) {
    if refused.is_empty() {
        return;
    }
    found.retain(|(start, end, f)| {
        let keep =
            f.rule.family != "generic" || !refused.iter().any(|r| r.0 < *end && *start < r.1);
        if !keep {
            trace.step(Step::Dropped {
                rule: &f.rule,
                whole: None,
                secret: (*start, *end),
                why: Why::VendorRefused,
            });
        }
        keep
    });
}

/// One secret, one finding: where findings overlap, only the most specific stands.
/// A vendor rule beats a `generic` one, then the higher severity wins, then the
/// rule declared first. (Two rules that see the same key, such as a service-account
/// JSON rule and a private key rule, would otherwise report it twice.)
fn drop_shadowed<T: Trace + ?Sized>(found: &mut Vec<(usize, usize, Finding)>, trace: &mut T) {
    let rank = |f: &Finding| {
        (
            f.rule.family == "generic",
            std::cmp::Reverse(f.rule.severity),
        )
    };
    // Best first, so each finding only has to look at those already kept. The
    // kept spans never overlap each other, so sorted by start they are sorted by
    // end too, and only the last one starting before a new span ends can touch it.
    found.sort_by_key(|(start, _, f)| (rank(f), *start));
    // Each kept span maps to its end and its index in `kept`.
    let mut taken: std::collections::BTreeMap<usize, (usize, usize)> = Default::default();
    let mut kept: Vec<(usize, usize, Finding)> = Vec::with_capacity(found.len());
    for item in found.drain(..) {
        let (start, end) = (item.0, item.1);
        let overlap = taken
            .range(..end)
            .next_back()
            .filter(|(&s, &(e, _))| s < end && start < e);
        match overlap {
            None => {
                taken.insert(start, (end, kept.len()));
                kept.push(item);
            }
            Some((_, &(_, by))) => trace.step(Step::Dropped {
                rule: &item.2.rule,
                whole: None,
                secret: (start, end),
                why: Why::Shadowed(&kept[by].2.rule),
            }),
        }
    }
    *found = kept;
}

#[cfg(test)]
mod tests;
