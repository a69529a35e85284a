//! Engine behaviour on hand-made rules, and the proof of every bundled rule's
//! examples.

use super::*;
use crate::rules::{self, RuleSpec};
use crate::source::Location;

fn rule(yaml: &str) -> Rule {
    let specs: Vec<RuleSpec> = serde_yaml::from_str(yaml).unwrap();
    Rule::from_spec(&specs[0], "test").unwrap()
}

fn scan(scanner: &Scanner, text: &str) -> Vec<Finding> {
    let chunk = Chunk {
        origin: Origin::new("a.txt", Location::File),
        first_line: 1,
        bytes: text.as_bytes(),
    };
    scanner.scan(&chunk)
}

const TOKEN_RULE: &str = r#"
- id: test-token
  name: Test token
  severity: high
  keywords: [tok_]
  pattern: '\b(tok_[A-Za-z0-9]{20})\b'
  min_entropy: 3.0
  examples: ['tok_q8Zr2LxW0pVt7NcK3yHs']
"#;

#[test]
fn finds_secret_with_line_and_column() {
    let s = Scanner::new(vec![rule(TOKEN_RULE)]);
    let f = scan(&s, "first\nkey = TOK_ tok_q8Zr2LxW0pVt7NcK3yHs\n");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].line, 2);
    assert_eq!(f[0].column, 12);
    assert_eq!(f[0].secret, b"tok_q8Zr2LxW0pVt7NcK3yHs");
}

#[test]
fn keyword_absent_means_no_regex_run() {
    let s = Scanner::new(vec![rule(TOKEN_RULE)]);
    assert!(scan(&s, "nothing to see").is_empty());
    assert!(s.rules[0].regex.get().is_none(), "regex compiled lazily");
    scan(&s, "tok_ but no token");
    assert!(s.rules[0].regex.get().is_some());
}

#[test]
fn entropy_and_placeholders_filter() {
    let s = Scanner::new(vec![rule(TOKEN_RULE)]);
    assert!(scan(&s, "tok_aaaaaaaaaaaaaaaaaaaa").is_empty());
    assert!(scan(&s, "tok_xxxxABCDefgh12345678").is_empty());
}

#[test]
fn path_only_rules_judge_the_path() {
    let r = rule(
        r#"
- id: key-file
  name: Key file
  severity: high
  path: '(^|/)id_rsa$'
  examples: [id_rsa]
"#,
    );
    let s = Scanner::new(vec![r]);
    assert_eq!(
        s.scan_path(&Origin::new("home/.ssh/id_rsa", Location::File))
            .len(),
        1
    );
    assert!(s
        .scan_path(&Origin::new("id_rsa.pub", Location::File))
        .is_empty());
}

#[test]
fn every_bundled_rule_proves_its_examples() {
    let mut failures = Vec::new();
    let specs = rules::bundled_specs();
    for (family, spec) in &specs {
        failures.extend(rules::proof::prove(spec, family).unwrap());
    }
    let report: Vec<String> = failures.iter().map(|f| f.to_string()).collect();
    assert!(
        report.is_empty(),
        "{} failures:\n{}",
        report.len(),
        report.join("\n")
    );
}

#[test]
fn bundled_rules_load_and_match_their_yaml() {
    let specs = rules::bundled_specs();
    let bundled = rules::bundled();
    assert_eq!(specs.len(), bundled.len());
    for (family, spec) in &specs {
        rules::check_spec(spec).unwrap_or_else(|e| panic!("{family}/{}: {e:#}", spec.id));
        assert!(
            spec.examples.len() >= 2,
            "{}: needs two or more examples",
            spec.id
        );
        assert!(
            !spec.negative_examples.is_empty(),
            "{}: needs a negative example",
            spec.id
        );
    }
}

#[test]
fn exclude_vetoes_a_match_by_its_context() {
    let r = rule(
        r#"
- id: any-token
  name: Any token
  severity: low
  keywords: [token]
  pattern: '(?i)[a-z_]*token\s*=\s*"([A-Za-z0-9]{16,})"'
  exclude: '(?i)next_?token'
  examples: []
"#,
    );
    let s = Scanner::new(vec![r]);
    assert!(scan(&s, "next_token = \"q8Zr2LxW0pVt7NcK3yHs\"").is_empty());
    assert_eq!(scan(&s, "api_token = \"q8Zr2LxW0pVt7NcK3yHs\"").len(), 1);
}
