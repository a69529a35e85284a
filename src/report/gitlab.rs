//! GitLab's secret-detection report (`gl-secret-detection-report.json`), which
//! GitLab reads from a CI job's `artifacts:reports:secret_detection` and shows in
//! merge requests and the security dashboard.
//!
//! Choices the schema leaves to the scanner:
//! - `id` is derived from the finding's fingerprint, commit and line, so it is
//!   stable between runs and unique within a report (the same secret in two places
//!   is two vulnerabilities);
//! - the first identifier is the rule id (`leakgate_rule_id`), which is what GitLab
//!   groups and tracks by;
//! - findings that do not come from a commit (a file or staged scan) carry the sha
//!   `0000000`, as GitLab's own secret-detection analyzer does for such scans;
//! - the secret appears only redacted (as the options say), in the description; the
//!   schema's `raw_source_code_extract` is not written;
//! - suppressed findings are not listed: GitLab has its own dismissal workflow.

use super::{Options, Outcome, NOT_BLOCKING};
use crate::types::{Finding, Severity};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::io::{self, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The schema version written.
pub const VERSION: &str = "15.0.7";

/// The commit sha used for findings that have no commit.
pub const NO_COMMIT: &str = "0000000";

/// Writes the report, pretty-printed, with a final newline.
pub fn write(out: &mut dyn Write, outcome: &Outcome, opts: &Options) -> io::Result<()> {
    let end = SystemTime::now();
    serde_json::to_writer_pretty(&mut *out, &report(outcome, opts, end))?;
    writeln!(out)
}

/// The report as JSON; `end` is when the scan finished.
pub fn report(outcome: &Outcome, opts: &Options, end: SystemTime) -> Value {
    let vulnerabilities: Vec<Value> = outcome
        .findings
        .iter()
        .map(|f| vulnerability(f, outcome.not_blocking(f), opts))
        .collect();
    let start = end.checked_sub(outcome.summary.elapsed).unwrap_or(end);
    json!({
        "version": VERSION,
        "vulnerabilities": vulnerabilities,
        "scan": {
            "analyzer": tool(),
            "scanner": tool(),
            "type": "secret_detection",
            "status": "success",
            "start_time": timestamp(start),
            "end_time": timestamp(end),
        },
    })
}

fn tool() -> Value {
    json!({
        "id": "leakgate",
        "name": "leakgate",
        "version": env!("CARGO_PKG_VERSION"),
        "vendor": { "name": "leakgate" },
    })
}

fn vulnerability(f: &Finding, not_blocking: Option<&str>, opts: &Options) -> Value {
    let help = super::sarif::help(&f.rule);
    let secret = opts.redaction.for_finding(f).apply(&f.secret);
    let sha = f.origin.commit().map_or(NO_COMMIT, |c| c.id.as_str());
    let mut location = json!({ "file": f.origin.path, "commit": { "sha": sha } });
    if let Some(at) = f.file_position() {
        location["start_line"] = at.line.into();
        location["end_line"] = at.line.into();
    }
    let mut description = format!("{} detected: `{secret}`. {help}.", f.rule.name);
    if !f.origin.layers.is_empty() {
        description.push_str(&format!(" Found at {}.", super::location(f)));
    }
    if let Some(why) = not_blocking {
        description.push_str(&format!(" ({NOT_BLOCKING}: {why}.)"));
    }
    json!({
        "id": id(f, sha),
        "category": "secret_detection",
        "name": f.rule.name,
        "description": description,
        "solution": format!("{help}, and rotate the secret: assume it has leaked."),
        "severity": severity(f.rule.severity),
        "location": location,
        "identifiers": [{
            "type": "leakgate_rule_id",
            "name": format!("leakgate rule ID {}", f.rule.id),
            "value": f.rule.id,
        }],
    })
}

/// GitLab's severity names.
pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
    }
}

/// A UUID-shaped id from the fingerprint, the commit and the line.
fn id(f: &Finding, sha: &str) -> String {
    let mut h = Sha256::new();
    h.update(f.fingerprint.as_bytes());
    h.update(b"\0");
    h.update(sha.as_bytes());
    h.update(b"\0");
    h.update(f.line.to_string().as_bytes());
    if !f.origin.layers.is_empty() {
        h.update(b"\0");
        h.update(f.origin.describe().as_bytes());
    }
    let hex: String = h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// `YYYY-MM-DDTHH:MM:SS` in UTC, the form GitLab's schema asks for.
pub fn timestamp(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs() as i64;
    let day = secs.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}",
        super::human::date(secs),
        day / 3600,
        day / 60 % 60,
        day % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing;

    #[test]
    fn commit_sha_and_unique_ids() {
        let text = "k = TESTKEY-a8Zq3LmN0pR7sT2v\nk = TESTKEY-a8Zq3LmN0pR7sT2v\n";
        let found = testing::commit_findings("cfg.txt", text);
        assert_eq!(found.len(), 2);
        let r = report(
            &testing::outcome(found),
            &testing::options(),
            SystemTime::now(),
        );
        let v = r["vulnerabilities"].as_array().unwrap();
        assert_eq!(
            v[0]["location"]["commit"]["sha"],
            "abc1230000000000000000000000000000000def"
        );
        assert_eq!(v[0]["severity"], "Medium");
        assert_ne!(v[0]["id"], v[1]["id"], "same secret on two lines: two ids");
        assert_eq!(v[0]["id"].as_str().unwrap().len(), 36);
    }

    #[test]
    fn timestamps_are_utc_without_zone() {
        let t = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(timestamp(t), "2023-11-14T22:13:20");
    }

    #[test]
    fn a_layered_finding_points_at_the_file_and_names_the_chain() {
        let outcome = testing::outcome(vec![
            testing::notebook_finding(),
            testing::archive_finding(),
        ]);
        let r = report(&outcome, &testing::options(), SystemTime::now());
        let v = r["vulnerabilities"].as_array().unwrap();
        assert_eq!(v[0]["location"]["file"], "eval.ipynb");
        assert_eq!(v[0]["location"]["start_line"], 41);
        let said = v[0]["description"].as_str().unwrap();
        assert!(
            said.contains("Found at eval.ipynb cell 3, output 1, line 2, column 5"),
            "{said}"
        );
        assert_eq!(v[1]["location"]["file"], "backup.zip");
        assert!(v[1]["location"].get("start_line").is_none());
        assert!(v[1]["description"]
            .as_str()
            .unwrap()
            .contains("backup.zip!/config/.env base64 at 3:9"));
    }
}
