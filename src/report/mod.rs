//! Reports: one module per format. Every format redacts secrets unless the user
//! asked for them ([`Redaction`]); paths, commit ids and rule ids are always whole.

pub mod explain;
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

use crate::types::{Finding, LayerKind};
pub use crate::types::{Outcome, Summary};
pub use redact::Redaction;
use std::io::Write;

/// How every format names a finding that is reported but does not block.
pub const NOT_BLOCKING: &str = "reported, not blocking";

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
    /// Print only findings (human format): no summary, advice or "no secrets found".
    pub quiet: bool,
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

/// Where a finding is, for people (not sanitised): `path:line:column` for a
/// finding read as stored (also inside an archive entry:
/// `backup.zip!/config/.env:3:5`); for decoded content, the layers, then the line
/// and column within the innermost one, then the line of the file where that is
/// known and differs: `eval.ipynb cell 3, output 1, line 2, column 5 (line 41 of
/// the file)`; in binary content, the byte: `model.pt!/archive/data.pkl at byte
/// 84`.
pub fn location(f: &Finding) -> String {
    let place = f.origin.describe();
    let plain = f
        .origin
        .layers
        .last()
        .is_none_or(|l| matches!(l.kind, LayerKind::ArchiveEntry { .. }));
    if f.origin
        .layers
        .last()
        .is_some_and(|l| matches!(l.kind, LayerKind::Offset { .. }))
    {
        return place; // in binary content: the byte is the place, lines mean nothing
    }
    if plain {
        return format!("{place}:{}:{}", f.line, f.column);
    }
    let mut out = format!("{place}, line {}, column {}", f.line, f.column);
    if let Some(at) = f.file_position().filter(|p| p.line != f.line) {
        out.push_str(&format!(" (line {} of the file)", at.line));
    }
    out
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
