//! The JSON format: one document with every finding and a summary of the scan.
//! Secrets are redacted as the options say; non-UTF-8 bytes are replaced.
//!
//! A finding's `line` and `column` count within the content it was found in; for
//! decoded content (a notebook cell, a base64 span, an archive entry) `layers`
//! holds the chain from the file to that content, and `file_line` where it sits in
//! the file ([`layer_fields`]).

use super::{Options, Outcome};
use crate::types::{Finding, Location};
use serde_json::{json, Map, Value};
use std::io::{self, Write};

/// Writes the document, pretty-printed, with a final newline.
pub fn write(out: &mut dyn Write, outcome: &Outcome, opts: &Options) -> io::Result<()> {
    let findings: Vec<Value> = outcome
        .findings
        .iter()
        .map(|f| standing(f, outcome.not_blocking(f), opts))
        .collect();
    let mut doc = json!({
        "version": 1,
        "findings": findings,
        "summary": summary(outcome),
    });
    if opts.show_suppressed {
        doc["suppressed"] = outcome
            .suppressed
            .iter()
            .map(|(f, why)| {
                let mut v = finding(f, opts);
                v["suppressed_by"] = Value::String(why.to_string());
                v
            })
            .collect();
    }
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// A finding that stands: [`finding`] plus `blocking` (false when the blocking
/// policy only reports it) and, then, `not_blocking` with why.
pub fn standing(f: &Finding, not_blocking: Option<&str>, opts: &Options) -> Value {
    let mut v = finding(f, opts);
    v["blocking"] = not_blocking.is_none().into();
    if let Some(why) = not_blocking {
        v["not_blocking"] = why.into();
    }
    v
}

/// One finding as a JSON object (shared by the line-oriented formats).
pub fn finding(f: &Finding, opts: &Options) -> Value {
    let mut m = Map::new();
    m.insert("rule_id".into(), f.rule.id.clone().into());
    m.insert("rule_name".into(), f.rule.name.clone().into());
    m.insert("severity".into(), f.rule.severity.as_str().into());
    m.insert("path".into(), f.origin.path.clone().into());
    m.insert("line".into(), f.line.into());
    m.insert("lines".into(), f.lines().into());
    m.insert("column".into(), f.column.into());
    m.insert("end_column".into(), f.end_column.into());
    m.insert(
        "secret".into(),
        opts.redaction.for_finding(f).apply(&f.secret).into(),
    );
    m.insert("fingerprint".into(), f.fingerprint.clone().into());
    let source = match &f.origin.location {
        Location::Staged => "staged",
        Location::Commit(_) => "commit",
        Location::Object(_) => "object",
        Location::File => "file",
        Location::Stdin => "stdin",
    };
    m.insert("source".into(), source.into());
    if super::redact::is_model(f) {
        let detail = String::from_utf8_lossy(&f.line_text).into_owned();
        m.insert("detail".into(), detail.into());
    }
    commit_fields(&mut m, f);
    layer_fields(&mut m, f);
    Value::Object(m)
}

/// Adds `layers`, the decoding chain from the file to the content `line` and
/// `column` count in (outermost first; empty for content read as stored), and,
/// for decoded content, `file_line` and `file_column`: where it sits in the file,
/// where that is known (else null).
pub fn layer_fields(m: &mut Map<String, Value>, f: &Finding) {
    let layers = serde_json::to_value(&f.origin.layers).unwrap_or_else(|_| json!([]));
    m.insert("layers".into(), layers);
    if f.origin.layers.is_empty() {
        return;
    }
    let at = f.file_position();
    m.insert("file_line".into(), at.map(|p| p.line).into());
    m.insert("file_column".into(), at.and_then(|p| p.column).into());
}

/// Adds `commit`, `author`, `email` and `date` for a finding from a commit.
pub fn commit_fields(m: &mut Map<String, Value>, f: &Finding) {
    if let Some(c) = f.origin.commit() {
        m.insert("commit".into(), c.id.clone().into());
        m.insert("author".into(), c.author.clone().into());
        m.insert("email".into(), c.email.clone().into());
        m.insert("date".into(), super::human::date(c.time).into());
    }
}

/// The summary object (shared by the line-oriented formats).
pub fn summary(outcome: &Outcome) -> Value {
    let s = &outcome.summary;
    let skipped: Map<String, Value> = s
        .skipped
        .iter()
        .map(|(reason, paths)| (reason.describe().to_string(), json!(paths)))
        .collect();
    json!({
        "scan": s.scan,
        "commits": s.commits,
        "files": s.files,
        "bytes": s.bytes,
        "findings": outcome.findings.len(),
        "blocking": outcome.blocking(),
        "suppressed": outcome.suppressed.len(),
        "model_files": s.models,
        "skipped": skipped,
        "elapsed_ms": s.elapsed.as_millis() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing;

    #[test]
    fn a_layered_finding_carries_the_full_chain() {
        let nb = finding(&testing::notebook_finding(), &testing::options());
        assert_eq!(
            (nb["line"].as_u64(), nb["column"].as_u64()),
            (Some(2), Some(5))
        );
        assert_eq!(nb["path"], "eval.ipynb");
        assert_eq!(
            nb["layers"],
            json!([{
                "kind": "notebook-cell", "cell": 3, "execution_count": 7, "output": 1,
                "at": { "kind": "lines", "first": 40 },
            }])
        );
        assert_eq!(
            (nb["file_line"].as_u64(), nb["file_column"].is_null()),
            (Some(41), true)
        );
        let zip = finding(&testing::archive_finding(), &testing::options());
        assert_eq!(
            zip["layers"][0],
            json!({ "kind": "archive-entry", "path": "config/.env", "at": { "kind": "unknown" } })
        );
        assert_eq!(zip["layers"][1]["encoding"], "base64");
        assert_eq!(
            zip["layers"][1]["at"],
            json!({ "kind": "span", "line": 3, "column": 9 })
        );
        assert!(zip["file_line"].is_null());
        let plain = finding(
            &testing::commit_findings("a", "k = TESTKEY-a8Zq3LmN0pR7sT2v")[0],
            &testing::options(),
        );
        assert_eq!(plain["layers"], json!([]));
        assert!(plain.get("file_line").is_none());
    }
}
