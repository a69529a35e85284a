//! Reports: one module per format. Every format redacts secrets unless the user
//! asked for them ([`Redaction`]); paths, commit ids and rule ids are always whole.

pub mod gitlab;
pub mod human;
pub mod json;
pub mod jsonl;
pub mod junit;
pub mod redact;
pub mod sanitize;
pub mod sarif;
#[cfg(test)]
mod testing;

use crate::allow::Suppression;
use crate::engine::Finding;
use crate::source::{Origin, SkipReason};
pub use redact::Redaction;
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

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
    /// Records a skipped file.
    pub fn skip(&mut self, origin: &Arc<Origin>, reason: SkipReason) {
        self.skip_path(reason, origin.path.clone());
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
}

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Compiler-style diagnostics for people.
    Human,
    /// One JSON document with the findings and a summary.
    Json,
    /// One JSON object per line: each finding (streamed as found by `history`), then
    /// a summary line.
    Jsonl,
    /// SARIF 2.1.0, for code-scanning dashboards (GitHub, Azure DevOps, IDEs).
    Sarif,
    /// GitLab's secret-detection report, for merge requests and the security dashboard.
    Gitlab,
    /// JUnit XML, for CI systems that only read test reports.
    Junit,
}

/// How to render a report.
#[derive(Debug, Clone)]
pub struct Options {
    /// How much of each secret to show.
    pub redaction: Redaction,
    /// Use colour (human format only).
    pub color: bool,
    /// List suppressed findings too, with why.
    pub show_suppressed: bool,
    /// The command, for the advice lines (`commit`, `push`, `scan`).
    pub context: Context,
}

/// What the report's advice should speak of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// A pre-commit hook or `leakgate staged`: the commit is blocked.
    Commit,
    /// A pre-push or pre-receive hook: the push is rejected.
    Push,
    /// A scan of files, stdin or history: nothing is blocked.
    Scan,
}

/// Writes `outcome` to `out` in `format`.
pub fn write(
    out: &mut dyn Write,
    format: Format,
    outcome: &Outcome,
    opts: &Options,
) -> std::io::Result<()> {
    match format {
        Format::Human => human::write(out, outcome, opts),
        Format::Json => json::write(out, outcome, opts),
        Format::Jsonl => jsonl::write(out, outcome, opts),
        Format::Sarif => sarif::write(out, outcome, opts),
        Format::Gitlab => gitlab::write(out, outcome, opts),
        Format::Junit => junit::write(out, outcome, opts),
    }
}
