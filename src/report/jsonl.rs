//! The JSON-lines format: one finding per line, then one summary line. Each finding
//! line is the same object as in the JSON format ([`super::json::finding`]), so the
//! two formats parse alike; the last line is `{"summary": {...}}`.
//!
//! Lines can be written as findings are found ([`line`]), for histories too big to
//! hold every finding in memory; [`write`] writes a finished outcome the same way.

use super::{json, Options, Outcome};
use crate::types::{Finding, Suppression};
use serde_json::{json, Value};
use std::io::{self, Write};

/// Writes every finding (and suppressed finding, if asked for), then the summary.
pub fn write(out: &mut dyn Write, outcome: &Outcome, opts: &Options) -> io::Result<()> {
    for f in &outcome.findings {
        line(out, f, opts)?;
    }
    if opts.show_suppressed {
        for (f, why) in &outcome.suppressed {
            suppressed_line(out, f, why, opts)?;
        }
    }
    summary_line(
        out,
        outcome,
        outcome.findings.len(),
        outcome.suppressed.len(),
    )
}

/// One finding on one line.
pub fn line(out: &mut dyn Write, f: &Finding, opts: &Options) -> io::Result<()> {
    write_value(out, &json::finding(f, opts))
}

/// One suppressed finding on one line, with what suppressed it.
pub fn suppressed_line(
    out: &mut dyn Write,
    f: &Finding,
    why: &Suppression,
    opts: &Options,
) -> io::Result<()> {
    let mut v = json::finding(f, opts);
    v["suppressed_by"] = Value::String(why.to_string());
    write_value(out, &v)
}

/// The closing line: `{"summary": {...}}`, as the JSON format's summary, with the
/// numbers of findings and suppressed findings given (a stream does not keep them).
pub fn summary_line(
    out: &mut dyn Write,
    outcome: &Outcome,
    findings: usize,
    suppressed: usize,
) -> io::Result<()> {
    let mut summary = json::summary(outcome);
    summary["findings"] = findings.into();
    summary["suppressed"] = suppressed.into();
    write_value(out, &json!({ "summary": summary }))
}

fn write_value(out: &mut dyn Write, v: &Value) -> io::Result<()> {
    serde_json::to_writer(&mut *out, v)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing;

    #[test]
    fn a_layered_finding_line_carries_the_full_chain() {
        let outcome = testing::outcome(vec![
            testing::notebook_finding(),
            testing::archive_finding(),
        ]);
        let mut out = Vec::new();
        write(&mut out, &outcome, &testing::options()).unwrap();
        let lines: Vec<Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0]["layers"][0]["cell"], 3);
        assert_eq!(lines[0]["file_line"], 41);
        assert_eq!(lines[1]["layers"].as_array().unwrap().len(), 2);
        assert_eq!(lines[1]["layers"][0]["path"], "config/.env");
        assert_eq!(lines[2]["summary"]["findings"], 2);
    }
}
