//! The JSON format: one document with every finding and a summary of the scan.
//! Secrets are redacted as the options say; non-UTF-8 bytes are replaced.

use super::{Options, Outcome};
use crate::engine::Finding;
use crate::source::Location;
use serde_json::{json, Map, Value};
use std::io::{self, Write};

/// Writes the document, pretty-printed, with a final newline.
pub fn write(out: &mut dyn Write, outcome: &Outcome, opts: &Options) -> io::Result<()> {
    let findings: Vec<Value> = outcome.findings.iter().map(|f| finding(f, opts)).collect();
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

/// One finding as a JSON object (shared by the line-oriented formats).
pub fn finding(f: &Finding, opts: &Options) -> Value {
    let mut m = Map::new();
    m.insert("rule_id".into(), f.rule.id.clone().into());
    m.insert("rule_name".into(), f.rule.name.clone().into());
    m.insert("severity".into(), f.rule.severity.as_str().into());
    m.insert("path".into(), f.origin.path.clone().into());
    m.insert("line".into(), f.line.into());
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
        Location::File => "file",
        Location::Stdin => "stdin",
    };
    m.insert("source".into(), source.into());
    if super::redact::is_model(f) {
        let detail = String::from_utf8_lossy(&f.line_text).into_owned();
        m.insert("detail".into(), detail.into());
    }
    commit_fields(&mut m, f);
    Value::Object(m)
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
        "suppressed": outcome.suppressed.len(),
        "model_files": s.models,
        "skipped": skipped,
        "elapsed_ms": s.elapsed.as_millis() as u64,
    })
}
