//! Findings for the report modules' unit tests, made by the real engine from a
//! rule and a chunk (end-to-end tests drive the binary instead).

use super::{Context, Options, Outcome, Redaction};
use crate::engine::Scanner;
use crate::rules;
use crate::types::{
    Chunk, CommitInfo, Encoding, Finding, Layer, LayerKind, Location, Origin, Placement, Rule,
};

/// A test-only rule that finds `TESTKEY-` followed by 16 letters or digits.
const RULE: &str = r#"
- id: test-key
  name: Test key
  severity: medium
  keywords: [TESTKEY-]
  pattern: '\b(TESTKEY-[A-Za-z0-9]{16})\b'
  examples: ['k = TESTKEY-a8Zq3LmN0pR7sT2v']
"#;

fn scanner() -> Scanner {
    let spec = &rules::parse_specs(RULE).unwrap()[0];
    Scanner::new(vec![Rule::from_spec(spec, "test").unwrap()])
}

/// The findings the test rule makes in `text` at `path` in commit `abc…`.
pub fn commit_findings(path: &str, text: &str) -> Vec<Finding> {
    let scanner = scanner();
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
        added: None,
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
    }
}

/// A finding in a decoded notebook output: `eval.ipynb` cell 3 (source lines
/// from line 40 of the file), output 1, line 2 of that output, found by the real
/// engine in a chunk whose origin is built by hand.
pub fn notebook_finding() -> Finding {
    let origin = Origin::new("eval.ipynb", Location::File).with_layer(Layer {
        kind: LayerKind::NotebookCell {
            cell: 3,
            execution_count: Some(7),
            output: Some(1),
        },
        at: Placement::Lines { first: 40 },
    });
    let text = "loaded\nkey TESTKEY-a8Zq3LmN0pR7sT2v\n";
    let mut found = scanner().scan(&Chunk::whole(origin, text.as_bytes()));
    assert_eq!(found.len(), 1);
    found.remove(0)
}

/// A finding in a base64 span of a `.env` inside `backup.zip`: no line of the
/// zip file holds it.
pub fn archive_finding() -> Finding {
    let origin = Origin::new("backup.zip", Location::File)
        .with_layer(Layer {
            kind: LayerKind::ArchiveEntry {
                path: "config/.env".into(),
            },
            at: Placement::Unknown,
        })
        .with_layer(Layer {
            kind: LayerKind::Encoded {
                encoding: Encoding::Base64,
            },
            at: Placement::Span { line: 3, column: 9 },
        });
    let mut found = scanner().scan(&Chunk::whole(origin, b"TESTKEY-a8Zq3LmN0pR7sT2v"));
    assert_eq!(found.len(), 1);
    found.remove(0)
}
