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
}
