//! The SARIF 2.1.0 format, for code-scanning dashboards (GitHub code scanning, Azure
//! DevOps, SonarQube, IDE viewers).
//!
//! One run whose `tool.driver.rules` lists every rule that fired (id, name, short and
//! full description, help, default level and a `security-severity` property that
//! GitHub uses to rank alerts), and one result per finding with its rule, level,
//! message, physical location and a `partialFingerprints` entry holding the stable
//! finding fingerprint, so a dashboard tracks an alert across line moves.
//!
//! Choices the standard leaves open:
//! - columns count Unicode code points (`columnKind: unicodeCodePoints`), as every
//!   leakgate report does; `endColumn` is exclusive, as SARIF defines it;
//! - paths relative to the scan are relative URIs against `%SRCROOT%`; absolute paths
//!   become `file://` URIs; stdin is the URI `-`;
//! - the region's snippet is the line with the secret redacted (as the options say),
//!   and the secret never appears elsewhere;
//! - a finding in decoded content (a notebook cell, a base64 span, an archive
//!   entry) keeps a physical location in the file itself (its line there when
//!   known, no snippet), one logical location per decoding layer, and the chain
//!   (`layers`) and the line and column within the innermost layer in properties;
//! - a commit origin adds `commit`, `author`, `email` and `date` to the result's
//!   properties; suppressed findings (`--show-suppressed`) are results with a SARIF
//!   `suppressions` entry; skipped files are tool execution notifications.

use super::redact::redacted_line;
use super::{Options, Outcome, NOT_BLOCKING};
use crate::types::{Finding, Rule, Severity, Suppression};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// The schema URI written in `$schema`.
pub const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The key of leakgate's fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "leakgate/v1";

/// Writes the SARIF log, pretty-printed, with a final newline.
pub fn write(out: &mut dyn Write, outcome: &Outcome, opts: &Options) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &log(outcome, opts))?;
    writeln!(out)
}

/// The whole SARIF log as JSON.
pub fn log(outcome: &Outcome, opts: &Options) -> Value {
    let shown = shown(outcome, opts);
    let rules = fired_rules(&shown);
    let index: BTreeMap<&str, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let results: Vec<Value> = shown
        .iter()
        .map(|(f, why)| {
            let soft = why.is_none().then(|| outcome.not_blocking(f)).flatten();
            result(f, *why, soft, index[f.rule.id.as_str()], opts)
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver(&rules) },
            "columnKind": "unicodeCodePoints",
            "invocations": [invocation(outcome)],
            "results": results,
            "properties": run_properties(outcome),
        }],
    })
}

/// The findings the report shows, each with its suppression if it is suppressed.
fn shown<'a>(outcome: &'a Outcome, opts: &Options) -> Vec<(&'a Finding, Option<&'a Suppression>)> {
    let mut shown: Vec<_> = outcome.findings.iter().map(|f| (f, None)).collect();
    if opts.show_suppressed {
        shown.extend(outcome.suppressed.iter().map(|(f, why)| (f, Some(why))));
    }
    shown
}

/// Every distinct rule among the findings, sorted by id.
fn fired_rules<'a>(shown: &[(&'a Finding, Option<&Suppression>)]) -> Vec<&'a Rule> {
    let mut rules: Vec<&Rule> = shown.iter().map(|(f, _)| f.rule.as_ref()).collect();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    rules.dedup_by(|a, b| a.id == b.id);
    rules
}

fn driver(rules: &[&Rule]) -> Value {
    json!({
        "name": "leakgate",
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "version": env!("CARGO_PKG_VERSION"),
        "rules": rules.iter().map(|r| descriptor(r)).collect::<Vec<_>>(),
    })
}

/// A rule as a SARIF `reportingDescriptor`.
fn descriptor(rule: &Rule) -> Value {
    let help = help(rule);
    json!({
        "id": rule.id,
        "name": pascal_case(&rule.id),
        "shortDescription": { "text": rule.name },
        "fullDescription": {
            "text": format!("{} ({} severity secret).", rule.name, rule.severity.as_str()),
        },
        "help": {
            "text": format!("{help}. Not a secret? Add `leakgate:allow` in a comment on the line."),
        },
        "defaultConfiguration": { "level": level(rule.severity) },
        "properties": {
            "security-severity": security_severity(rule.severity),
            "problem.severity": problem_severity(rule.severity),
            "severity": rule.severity.as_str(),
            "tags": ["security", "secret", rule.family],
        },
    })
}

/// The rule's advice without a final full stop.
pub fn help(rule: &Rule) -> &str {
    let help = rule.help.as_deref().unwrap_or(super::human::DEFAULT_HELP);
    help.trim_end().trim_end_matches('.')
}

/// The SARIF level of a severity: critical and high are errors, medium a warning,
/// low a note.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// GitHub's `security-severity` score (a number in a string): over 9.0 is critical,
/// 7.0 to 8.9 high, 4.0 to 6.9 medium, below that low.
pub fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "2.0",
    }
}

fn problem_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "recommendation",
    }
}

/// `github-classic-pat` → `GithubClassicPat`.
fn pascal_case(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            let first = cs.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(cs).collect::<String>()
        })
        .collect()
}

fn result(
    f: &Finding,
    why: Option<&Suppression>,
    not_blocking: Option<&str>,
    rule_index: usize,
    opts: &Options,
) -> Value {
    let secret = opts.redaction.for_finding(f).apply(&f.secret);
    let help = help(&f.rule);
    let soft = not_blocking.map_or(String::new(), |w| format!(" ({NOT_BLOCKING}: {w})"));
    let mut r = json!({
        "ruleId": f.rule.id,
        "ruleIndex": rule_index,
        "level": level(f.rule.severity),
        "message": { "text": format!("{} `{secret}`: {help}.{soft}", f.rule.name) },
        "locations": [{ "physicalLocation": physical_location(f, opts) }],
        "partialFingerprints": { FINGERPRINT_KEY: f.fingerprint },
        "properties": result_properties(f, &secret),
    });
    if !f.origin.layers.is_empty() {
        r["locations"][0]["logicalLocations"] = logical_locations(f);
    }
    if !f.also_lines.is_empty() {
        r["relatedLocations"] = related_locations(f);
    }
    if let Some(why) = why {
        r["suppressions"] = json!([suppression(why)]);
    }
    if let Some(w) = not_blocking {
        r["properties"]["blocking"] = false.into();
        r["properties"]["notBlocking"] = w.into();
    }
    r
}

fn physical_location(f: &Finding, opts: &Options) -> Value {
    if !f.origin.layers.is_empty() {
        return decoded_physical_location(f);
    }
    json!({
        "artifactLocation": artifact_location(&f.origin.path),
        "region": {
            "startLine": f.line,
            "startColumn": f.column,
            "endColumn": f.end_column + 1,
            "snippet": { "text": redacted_line(f, opts.redaction) },
        },
    })
}

/// The other lines of the file the same secret is on: one result is one secret,
/// its repeats are related locations, not results of their own.
fn related_locations(f: &Finding) -> Value {
    let lines = f
        .also_lines
        .iter()
        .filter_map(|&l| f.origin.file_position(l, 1).map(|p| p.line));
    let related = lines.enumerate().map(|(i, line)| {
        json!({
            "id": i + 1,
            "physicalLocation": {
                "artifactLocation": artifact_location(&f.origin.path),
                "region": { "startLine": line },
            },
            "message": { "text": "the same secret again" },
        })
    });
    Value::Array(related.collect())
}

/// The file a decoded finding is in, and its line there when known (with the
/// column when the decoding keeps columns). The decoded line is not the file's
/// line, so there is no snippet; the chain is in the logical locations.
fn decoded_physical_location(f: &Finding) -> Value {
    let mut loc = json!({ "artifactLocation": artifact_location(&f.origin.path) });
    if let Some(at) = f.file_position() {
        let mut region = json!({ "startLine": at.line });
        if let Some(column) = at.column {
            region["startColumn"] = column.into();
        }
        loc["region"] = region;
    }
    loc
}

/// One logical location per decoding layer, outermost first, each naming the
/// chain down to it (`eval.ipynb cell 3`, then `eval.ipynb cell 3, output 1, ...`).
fn logical_locations(f: &Finding) -> Value {
    let mut chain = (*f.origin).clone();
    let layers = std::mem::take(&mut chain.layers);
    let mut out = Vec::new();
    for layer in layers {
        let name = layer.label();
        chain.layers.push(layer);
        out.push(json!({
            "name": name,
            "fullyQualifiedName": chain.describe(),
            "kind": "element",
        }));
    }
    Value::Array(out)
}

/// A path as a SARIF `artifactLocation`.
fn artifact_location(path: &str) -> Value {
    if path == "-" {
        return json!({ "uri": "-", "description": { "text": "standard input" } });
    }
    let path = path.replace('\\', "/");
    if path.starts_with('/') {
        return json!({ "uri": format!("file://{}", percent_encode(&path)) });
    }
    let mut rel = path.as_str();
    while let Some(rest) = rel.strip_prefix("./") {
        rel = rest;
    }
    json!({ "uri": percent_encode(rel), "uriBaseId": "%SRCROOT%" })
}

/// Percent-encodes every byte of `path` but unreserved URI characters and `/`.
pub fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn result_properties(f: &Finding, secret: &str) -> Value {
    let mut m = Map::new();
    m.insert("severity".into(), f.rule.severity.as_str().into());
    m.insert("secret".into(), secret.into());
    super::json::commit_fields(&mut m, f);
    if !f.origin.layers.is_empty() {
        super::json::layer_fields(&mut m, f);
        m.insert("line_in_layer".into(), f.line.into());
        m.insert("column_in_layer".into(), f.column.into());
    }
    Value::Object(m)
}

fn suppression(why: &Suppression) -> Value {
    let kind = match why {
        Suppression::Inline(_) => "inSource",
        Suppression::Config(_) | Suppression::Baseline => "external",
    };
    json!({ "kind": kind, "justification": why.to_string() })
}

fn invocation(outcome: &Outcome) -> Value {
    let notes: Vec<Value> = outcome
        .summary
        .skipped
        .iter()
        .flat_map(|(reason, paths)| {
            paths.iter().map(move |p| {
                json!({
                    "level": "note",
                    "message": { "text": format!("not scanned: {}", reason.describe()) },
                    "locations": [{ "physicalLocation": { "artifactLocation": artifact_location(p) } }],
                })
            })
        })
        .collect();
    json!({ "executionSuccessful": true, "toolExecutionNotifications": notes })
}

fn run_properties(outcome: &Outcome) -> Value {
    let s = &outcome.summary;
    json!({
        "scan": s.scan,
        "commits": s.commits,
        "files": s.files,
        "bytes": s.bytes,
        "suppressed": outcome.suppressed.len(),
        "elapsed_ms": s.elapsed.as_millis() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing;

    #[test]
    fn names_levels_and_uris() {
        assert_eq!(pascal_case("github-classic-pat"), "GithubClassicPat");
        assert_eq!(level(Severity::Medium), "warning");
        assert_eq!(level(Severity::Low), "note");
        assert_eq!(percent_encode("a b/ü#.py"), "a%20b/%C3%BC%23.py");
        assert_eq!(artifact_location("./src/x.py")["uri"], "src/x.py");
        assert_eq!(artifact_location("/tmp/a b")["uri"], "file:///tmp/a%20b");
        assert!(artifact_location("/tmp/x").get("uriBaseId").is_none());
    }

    #[test]
    fn commit_origin_goes_into_properties() {
        let found = testing::commit_findings("a b.txt", "x\nk = TESTKEY-a8Zq3LmN0pR7sT2v\n");
        let log = log(&testing::outcome(found), &testing::options());
        let result = &log["runs"][0]["results"][0];
        assert_eq!(
            result["properties"]["commit"],
            "abc1230000000000000000000000000000000def"
        );
        assert_eq!(result["level"], "warning");
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], 8);
        assert_eq!(
            (region["startColumn"].as_u64(), region["endColumn"].as_u64()),
            (Some(5), Some(29))
        );
        let uri = &result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
        assert_eq!(uri, "a%20b.txt");
        assert!(
            !log.to_string().contains("TESTKEY-a8Zq3"),
            "redacted: {log}"
        );
    }

    #[test]
    fn a_layered_finding_keeps_the_file_location_and_adds_the_chain() {
        let outcome = testing::outcome(vec![
            testing::notebook_finding(),
            testing::archive_finding(),
        ]);
        let log = log(&outcome, &testing::options());
        let schema_path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/sarif-schema-2.1.0.json"
        );
        let schema: Value =
            serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
        let validator = jsonschema::draft4::options().build(&schema).unwrap();
        let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}");
        let results = log["runs"][0]["results"].as_array().unwrap();
        let nb = &results[0]["locations"][0];
        assert_eq!(
            nb["physicalLocation"]["artifactLocation"]["uri"],
            "eval.ipynb"
        );
        assert_eq!(nb["physicalLocation"]["region"], json!({ "startLine": 41 }));
        assert_eq!(
            nb["logicalLocations"],
            json!([{ "name": "cell 3, output 1", "fullyQualifiedName": "eval.ipynb cell 3, output 1", "kind": "element" }])
        );
        let props = &results[0]["properties"];
        assert_eq!(
            (
                props["line_in_layer"].as_u64(),
                props["column_in_layer"].as_u64()
            ),
            (Some(2), Some(5))
        );
        assert_eq!(props["layers"][0]["kind"], "notebook-cell");
        let zip = &results[1]["locations"][0];
        assert_eq!(
            zip["physicalLocation"]["artifactLocation"]["uri"],
            "backup.zip"
        );
        assert!(
            zip["physicalLocation"].get("region").is_none(),
            "no line of the zip holds it"
        );
        assert_eq!(
            zip["logicalLocations"][1]["fullyQualifiedName"],
            "backup.zip!/config/.env base64 at 3:9"
        );
        assert!(
            !log.to_string().contains("TESTKEY-a8Zq3"),
            "redacted: {log}"
        );
    }
}
