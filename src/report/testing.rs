//! Findings for the report modules' unit tests, made by the real engine from a
//! rule and a chunk (end-to-end tests drive the binary instead).

use super::{Context, Options, Outcome, Redaction};
use crate::engine::{Finding, Scanner};
use crate::rules::{self, Rule};
use crate::source::{Chunk, CommitInfo, Location, Origin};

/// A test-only rule that finds `TESTKEY-` followed by 16 letters or digits.
const RULE: &str = r#"
- id: test-key
  name: Test key
  severity: medium
  keywords: [TESTKEY-]
  pattern: '\b(TESTKEY-[A-Za-z0-9]{16})\b'
  examples: ['k = TESTKEY-a8Zq3LmN0pR7sT2v']
"#;

/// The findings the test rule makes in `text` at `path` in commit `abc…`.
pub fn commit_findings(path: &str, text: &str) -> Vec<Finding> {
    let spec = &rules::parse_specs(RULE).unwrap()[0];
    let scanner = Scanner::new(vec![Rule::from_spec(spec, "test").unwrap()]);
    let origin = Origin::new(
        path,
        Location::Commit(CommitInfo {
            id: "abc1230000000000000000000000000000000def".into(),
            author: "Ann\u{202E}Evil".into(),
            email: "ann@example.com".into(),
            time: 1_700_000_000,
        }),
    );
    scanner.scan(&Chunk {
        origin,
        first_line: 7,
        bytes: text.as_bytes(),
    })
}

/// An outcome holding `findings`.
pub fn outcome(findings: Vec<Finding>) -> Outcome {
    Outcome {
        findings,
        ..Outcome::default()
    }
}

/// Default report options for a scan.
pub fn options() -> Options {
    Options {
        redaction: Redaction::Default,
        color: false,
        show_suppressed: false,
        context: Context::Scan,
        quiet: false,
    }
}
