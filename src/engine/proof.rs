//! Proves a rule's examples: every example must produce a finding of the rule, no
//! negative example may. The test suite runs this over every bundled rule, and
//! `leakgate rules test FILE` runs it over a user's rule file.

use super::{check_rule, Scanner};
use crate::rules::{Example, RuleSpec};
use crate::types::{Chunk, Location, Origin, Rule};

/// An example that did not behave.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The rule id.
    pub rule: String,
    /// The example text (or path).
    pub example: String,
    /// True for a positive example that found nothing; false for a negative example
    /// that produced a finding.
    pub missed: bool,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = if self.missed {
            "example found nothing"
        } else {
            "negative example produced a finding"
        };
        write!(f, "rule `{}`: {what}: {:?}", self.rule, self.example)
    }
}

/// Runs every example of `spec` against the rule alone (after checking the rule:
/// a rule that cannot run is an error, not a failed example).
pub fn prove(spec: &RuleSpec, family: &str) -> anyhow::Result<Vec<Failure>> {
    check_rule(spec)?;
    let rule = Rule::from_spec(spec, family)?;
    let scanner = Scanner::new(vec![rule]);
    let mut failures = Vec::new();
    let cases = spec
        .examples
        .iter()
        .map(|e| (e, true))
        .chain(spec.negative_examples.iter().map(|e| (e, false)));
    for (example, positive) in cases {
        if finds(&scanner, spec, example) != positive {
            failures.push(Failure {
                rule: spec.id.clone(),
                example: describe(example),
                missed: positive,
            });
        }
    }
    Ok(failures)
}

/// Whether the scanner finds anything in one example.
fn finds(scanner: &Scanner, spec: &RuleSpec, example: &Example) -> bool {
    let (path, content) = match example {
        Example::Text(t) if spec.pattern.is_none() => (t.as_str(), None),
        Example::Text(t) => ("example.txt", Some(t.as_str())),
        Example::File { path, content } => (path.as_str(), content.as_deref()),
    };
    let origin = Origin::new(path, Location::File);
    let mut found = !scanner.scan_path(&origin).is_empty();
    if let Some(content) = content {
        found |= !scanner
            .scan(&Chunk::whole(origin, content.as_bytes()))
            .is_empty();
    }
    found
}

fn describe(example: &Example) -> String {
    match example {
        Example::Text(t) => t.clone(),
        Example::File { path, content } => match content {
            Some(c) => format!("{path}: {c}"),
            None => path.clone(),
        },
    }
}
