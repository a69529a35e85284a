//! What a scan ends with: the findings that stand, the ones a filter suppressed
//! and why, and a summary of what was scanned. Filled by the pipeline, read by
//! the allow stage (a baseline records an outcome) and by every report.

use super::{Finding, Origin, SkipReason};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

/// Why a finding was suppressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Suppression {
    /// An inline marker on the line (the marker text).
    Inline(&'static str),
    /// A config allowlist entry (a description of it).
    Config(String),
    /// An entry of the baseline file.
    Baseline,
}

impl std::fmt::Display for Suppression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Suppression::Inline(m) => write!(f, "inline marker `{m}`"),
            Suppression::Config(why) => write!(f, "config allowlist: {why}"),
            Suppression::Baseline => write!(f, "baseline entry"),
        }
    }
}

/// What was scanned, for the summary line and the JSON `summary` object.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// What kind of scan (`staged`, `files`, `history`, `pre-receive`).
    pub scan: &'static str,
    /// Commits judged, for git history sources.
    pub commits: Option<usize>,
    /// Files (or blobs) scanned.
    pub files: usize,
    /// Bytes scanned.
    pub bytes: u64,
    /// Files judged as model files (pickles, PyTorch, NumPy, joblib, Keras, ...).
    pub models: usize,
    /// Files not scanned, by reason.
    pub skipped: BTreeMap<SkipReason, Vec<String>>,
    /// Wall time of the scan.
    pub elapsed: Duration,
}

impl Summary {
    /// Records a skipped file (with its decoding layers, if a decoder skipped it).
    pub fn skip(&mut self, origin: &Arc<Origin>, reason: SkipReason) {
        self.skipped
            .entry(reason)
            .or_default()
            .push(origin.describe());
    }

    /// Records a skipped file, or a place inside one (`model.pt!/x: encrypted`).
    pub fn skip_path(&mut self, reason: SkipReason, path: String) {
        self.skipped.entry(reason).or_default().push(path);
    }
}

/// Everything a report shows.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Findings that stand.
    pub findings: Vec<Finding>,
    /// Findings a filter suppressed, and why.
    pub suppressed: Vec<(Finding, Suppression)>,
    /// What was scanned.
    pub summary: Summary,
    /// Findings that stand but do not block (by fingerprint), and why.
    pub not_blocking: HashMap<String, String>,
}

impl Outcome {
    /// Why a finding that stands is reported but does not block, if it does not.
    pub fn not_blocking(&self, f: &Finding) -> Option<&str> {
        self.not_blocking.get(&f.fingerprint).map(String::as_str)
    }

    /// How many findings block.
    pub fn blocking(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| self.not_blocking(f).is_none())
            .count()
    }

    /// One secret, one finding. A path-only rule's finding (`.pgpass`, `.netrc`)
    /// gives way to the content findings inside the same file, standing or
    /// suppressed: the file is reported through the secrets it holds, and a file
    /// whose passwords are all accepted is accepted. The same rule finding the same
    /// secret again in the same content is one finding at its first line, listing
    /// the others in [`Finding::also_lines`] (suppressed findings merge only with
    /// those suppressed for the same reason). Runs after the allow filters, so an
    /// inline marker still accepts the one line it is on, and every finding kept has
    /// the fingerprint it had: a baseline suppresses what it did before.
    pub fn dedupe(&mut self) {
        self.drop_covered_files();
        self.findings = merge_repeats(std::mem::take(&mut self.findings));
        self.suppressed = merge_repeats(std::mem::take(&mut self.suppressed));
    }

    /// Drops the findings of path-only rules for files that content rules found
    /// secrets in.
    fn drop_covered_files(&mut self) {
        let (keep, keep_suppressed) = {
            let all = || {
                self.findings
                    .iter()
                    .chain(self.suppressed.iter().map(|(f, _)| f))
            };
            let mut inside: HashMap<&str, Vec<&Origin>> = HashMap::new();
            for f in all().filter(|f| f.rule.pattern.is_some()) {
                inside.entry(&f.origin.path).or_default().push(&f.origin);
            }
            let covered = |f: &Finding| {
                is_file_finding(f)
                    && inside
                        .get(f.origin.path.as_str())
                        .is_some_and(|found| found.iter().any(|o| holds(&f.origin, o)))
            };
            let keep: Vec<bool> = self.findings.iter().map(|f| !covered(f)).collect();
            let keep_suppressed: Vec<bool> =
                self.suppressed.iter().map(|(f, _)| !covered(f)).collect();
            (keep, keep_suppressed)
        };
        let mut flags = keep.into_iter();
        self.findings.retain(|_| flags.next().unwrap_or(true));
        let mut flags = keep_suppressed.into_iter();
        self.suppressed.retain(|_| flags.next().unwrap_or(true));
    }
}

/// A finding of a rule that judges the file by its path alone.
fn is_file_finding(f: &Finding) -> bool {
    f.rule.pattern.is_none() && f.rule.path.is_some()
}

/// Whether content reached through `inner` lies in the file `outer` names: the
/// same place, and `outer`'s decoding layers (an archive entry's) leading to it.
fn holds(outer: &Origin, inner: &Origin) -> bool {
    outer.path == inner.path
        && outer.location == inner.location
        && inner.layers.starts_with(&outer.layers)
}

/// Something that holds a finding: a finding that stands, or one suppressed with
/// its reason. Two repeats merge only when [`Repeat::same_kind`] says so.
trait Repeat {
    fn finding(&self) -> &Finding;
    fn finding_mut(&mut self) -> &mut Finding;
    fn same_kind(&self, other: &Self) -> bool;
}

impl Repeat for Finding {
    fn finding(&self) -> &Finding {
        self
    }
    fn finding_mut(&mut self) -> &mut Finding {
        self
    }
    fn same_kind(&self, _: &Self) -> bool {
        true
    }
}

impl Repeat for (Finding, Suppression) {
    fn finding(&self) -> &Finding {
        &self.0
    }
    fn finding_mut(&mut self) -> &mut Finding {
        &mut self.0
    }
    fn same_kind(&self, other: &Self) -> bool {
        self.1 == other.1
    }
}

/// Whether two findings are the same rule finding the same secret in the same
/// content (the fingerprint already covers rule, path and secret).
fn repeats(a: &Finding, b: &Finding) -> bool {
    a.fingerprint == b.fingerprint
        && a.rule.id == b.rule.id
        && a.secret == b.secret
        && (Arc::ptr_eq(&a.origin, &b.origin) || a.origin == b.origin)
}

/// Folds every repeat into the earliest of its group (by line, then column),
/// which lists the other lines; groups keep the order of their first item.
fn merge_repeats<T: Repeat>(items: Vec<T>) -> Vec<T> {
    let mut groups: Vec<Vec<T>> = Vec::new();
    let mut by_print: HashMap<String, Vec<usize>> = HashMap::new();
    for item in items {
        let candidates = by_print
            .entry(item.finding().fingerprint.clone())
            .or_default();
        let same = candidates.iter().copied().find(|&g| {
            let first = &groups[g][0];
            repeats(first.finding(), item.finding()) && first.same_kind(&item)
        });
        match same {
            Some(g) => groups[g].push(item),
            None => {
                candidates.push(groups.len());
                groups.push(vec![item]);
            }
        }
    }
    groups.into_iter().filter_map(fold_group).collect()
}

/// One item for a group of repeats: the earliest, with the others' lines.
fn fold_group<T: Repeat>(mut group: Vec<T>) -> Option<T> {
    if group.len() == 1 {
        return group.pop();
    }
    group.sort_by_key(|i| (i.finding().line, i.finding().column));
    let mut lines: Vec<u32> = group.iter().flat_map(|i| i.finding().lines()).collect();
    lines.sort_unstable();
    lines.dedup();
    let mut first = group.into_iter().next()?;
    let own = first.finding().line;
    first.finding_mut().also_lines = lines.into_iter().filter(|&l| l != own).collect();
    Some(first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{fingerprint, Location, Rule, Severity};

    fn rule(id: &str, content: bool) -> Arc<Rule> {
        Arc::new(Rule {
            id: id.into(),
            name: id.into(),
            family: "test".into(),
            severity: Severity::High,
            keywords: Vec::new(),
            pattern: content.then(|| "x".to_string()),
            path: Some("x".into()),
            secret_group: None,
            min_entropy: None,
            validate: None,
            path_literals: None,
            exclude: None,
            require: None,
            always: false,
            allow_placeholders: false,
            help: None,
            spans_lines: false,
            keywords_start_words: false,
        })
    }

    fn at(rule: &Arc<Rule>, origin: &Arc<Origin>, line: u32, secret: &str) -> Finding {
        Finding {
            rule: rule.clone(),
            origin: origin.clone(),
            line,
            column: 1,
            end_column: 1,
            secret: secret.as_bytes().to_vec(),
            line_text: Vec::new(),
            secret_span: (0, 0),
            allow_context: Vec::new(),
            other_spans: Vec::new(),
            fingerprint: fingerprint(&rule.id, &rule.family, &origin.path, secret.as_bytes()),
            also_lines: Vec::new(),
        }
    }

    fn lines(found: &[Finding]) -> Vec<(String, Vec<u32>)> {
        found
            .iter()
            .map(|f| (f.rule.id.clone(), f.lines()))
            .collect()
    }

    #[test]
    fn repeats_fold_into_the_earliest_whatever_the_order() {
        let (r, a) = (rule("r", true), Origin::new("a", Location::File));
        let other_place = Origin::new("a", Location::Stdin);
        let mut o = Outcome {
            findings: vec![
                at(&r, &a, 7, "s"),
                at(&r, &a, 2, "s"),
                at(&r, &a, 3, "t"),
                at(&r, &a, 7, "s"),
                at(&r, &other_place, 1, "s"),
            ],
            ..Outcome::default()
        };
        o.dedupe();
        let want = [("r", vec![2, 7]), ("r", vec![3]), ("r", vec![1])];
        let want: Vec<(String, Vec<u32>)> = want
            .iter()
            .map(|(i, l)| (i.to_string(), l.clone()))
            .collect();
        assert_eq!(lines(&o.findings), want);
        assert_eq!(o.findings[0].fingerprint, at(&r, &a, 1, "s").fingerprint);
    }

    #[test]
    fn suppressed_repeats_merge_by_reason_and_a_file_gives_way_to_its_content() {
        let (content, file) = (rule("c", true), rule("f", false));
        let (a, b) = (
            Origin::new("a", Location::File),
            Origin::new("b", Location::File),
        );
        let mut o = Outcome {
            findings: vec![at(&file, &a, 1, "a"), at(&file, &b, 1, "b")],
            suppressed: vec![
                (at(&content, &a, 4, "s"), Suppression::Baseline),
                (
                    at(&content, &a, 5, "s"),
                    Suppression::Inline("leakgate:allow"),
                ),
                (at(&content, &a, 6, "s"), Suppression::Baseline),
            ],
            ..Outcome::default()
        };
        o.dedupe();
        let path_of = |f: &Finding| f.origin.path.clone();
        assert_eq!(o.findings.iter().map(path_of).collect::<Vec<_>>(), ["b"]);
        let suppressed: Vec<(Vec<u32>, String)> = o
            .suppressed
            .iter()
            .map(|(f, why)| (f.lines(), why.to_string()))
            .collect();
        assert_eq!(
            suppressed,
            [
                (vec![4, 6], "baseline entry".to_string()),
                (vec![5], "inline marker `leakgate:allow`".to_string()),
            ]
        );
    }
}
