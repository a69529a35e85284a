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
    let chunk = Chunk::whole(Origin::new("a.txt", Location::File), text.as_bytes());
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
fn a_token_in_a_file_name_is_found_at_its_component() {
    let s = Scanner::new(vec![rule(TOKEN_RULE)]);
    let path = "tmp/Ab9ZNg2xQ/backup-tok_q8Zr2LxW0pVt7NcK3yHs.json";
    let found = s.scan_path(&Origin::new(path, Location::File));
    assert_eq!(found.len(), 1, "{found:?}");
    let f = &found[0];
    assert!(f.origin.is_file_name());
    assert_eq!(f.origin.path, path);
    assert_eq!((f.line, f.column), (3, 8), "line 3 is the third component");
    assert_eq!(f.secret, b"tok_q8Zr2LxW0pVt7NcK3yHs");
    let plain = s.scan_path(&Origin::new("backup-tok_.json", Location::File));
    assert!(plain.is_empty(), "{plain:?}");
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
        failures.extend(proof::prove(spec, family).unwrap());
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
        check_rule(spec).unwrap_or_else(|e| panic!("{family}/{}: {e:#}", spec.id));
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

#[test]
fn path_rules_are_ruled_out_by_their_literals() {
    let literals = |path: &str| {
        rule(&format!(
            "- id: x\n  name: x\n  severity: low\n  path: '{path}'\n  examples: [a]\n"
        ))
        .path_literals
    };
    let lits = literals(r"(?:^|/)id_(?:rsa|ed25519)$").unwrap();
    assert!(lits.contains(&b"id_rsa".to_vec()) && lits.contains(&b"id_ed25519".to_vec()));
    assert!(lits
        .iter()
        .all(|l| l.ends_with(b"id_rsa") || l.ends_with(b"id_ed25519")));
    assert_eq!(literals(r"\.[a-z]+$"), None);
    let r = rule(
        r#"
- id: p12
  name: P12
  severity: high
  path: '\.p12$'
  examples: [a.p12]
"#,
    );
    let s = Scanner::new(vec![r]);
    assert!(s
        .scan_path(&Origin::new("src/main.rs", Location::File))
        .is_empty());
    assert!(
        s.rules[0].path.get().is_none(),
        "no regex compiled for a path without the literal"
    );
    assert_eq!(
        s.scan_path(&Origin::new("certs/a.p12", Location::File))
            .len(),
        1
    );
}

#[test]
fn a_changed_file_reports_only_findings_on_added_lines() {
    let s = Scanner::new(vec![rule(TOKEN_RULE)]);
    let text = "a = tok_q8Zr2LxW0pVt7NcK3yHs\nb = 1\nc = tok_W0pVt7NcK3yHsq8Zr2Lx\n";
    let added = [(3, 1)];
    let chunk = Chunk::changed(
        Origin::new("a.txt", Location::Staged),
        text.as_bytes(),
        &added,
    );
    let f = s.scan(&chunk);
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].line, f[0].secret.as_slice()),
        (3, &b"tok_W0pVt7NcK3yHsq8Zr2Lx"[..])
    );
    let none: [(u32, u32); 0] = [];
    let deleted_only = Chunk::changed(
        Origin::new("a.txt", Location::Staged),
        text.as_bytes(),
        &none,
    );
    assert!(s.scan(&deleted_only).is_empty());
}

#[test]
fn a_rule_with_an_unknown_validator_cannot_run() {
    let specs: Vec<RuleSpec> =
        serde_yaml::from_str(&format!("{TOKEN_RULE}  validate: no-such-check\n")).unwrap();
    let err = check_rule(&specs[0]).unwrap_err().to_string();
    assert!(err.contains("unknown validator `no-such-check`"), "{err}");
    assert!(
        rules::check_spec(&specs[0]).is_ok(),
        "the shape alone is fine"
    );
}

#[test]
fn generic_rule_defers_to_a_vendor_checksum() {
    let s = Scanner::new(rules::bundled());
    // 36 random characters after `ghp_`: the CRC32 GitHub appends does not match.
    let bad = "auth_token = \"ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d\"\n";
    assert!(scan(&s, bad).is_empty(), "{:?}", scan(&s, bad));
    // The same assignment with a value no vendor rule claims is a generic finding.
    let other = "auth_token = \"u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d\"\n";
    let found = scan(&s, other);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule.family, "generic");
}

#[test]
fn keyword_inside_a_longer_word_runs_no_regex() {
    // `wise` in `otherwise`, `likewise`: the Wise rule's matches start at a word,
    // so those hits do not make it a candidate and its regex never compiles.
    let s = Scanner::new(rules::bundled());
    let wise = s.rules.iter().position(|c| c.rule.id == "wise-api-token");
    let wise = wise.expect("the bundled Wise rule");
    let text = b"Otherwise, likewise: key = \"76f0daf1-ee4c-4413-bd56-9dc9b83092e0\"";
    assert!(!s.prefilter.candidates(text).contains(&wise));
    for hit in [
        &b"WISE_API_TOKEN=1"[..],
        b"const myWiseToken = 1",
        b"transferwise_key",
    ] {
        let shown = String::from_utf8_lossy(hit);
        assert!(s.prefilter.candidates(hit).contains(&wise), "{shown}");
    }
}

#[test]
fn most_bundled_rules_ignore_keywords_inside_words() {
    // The mechanism holds for the rule set, not one rule: a vendor rule whose
    // pattern starts at a word boundary gets it for its keywords too.
    let all = rules::bundled();
    let vendor: Vec<&Rule> = all.iter().filter(|r| r.family != "generic").collect();
    let bounded = vendor.iter().filter(|r| r.keywords_start_words).count();
    assert!(
        bounded * 3 >= vendor.len() * 2,
        "{bounded} of {}",
        vendor.len()
    );
    for id in ["wise-api-token", "github-classic-pat"] {
        let r = all.iter().find(|r| r.id == id).unwrap();
        assert!(r.keywords_start_words, "{id}");
    }
}

#[test]
fn bundled_rules_know_whether_their_patterns_span_lines() {
    let bundled = crate::rules::bundled();
    for r in &bundled {
        let parsed = r
            .pattern
            .as_deref()
            .is_some_and(crate::rules::lint::spans_lines);
        assert_eq!(r.spans_lines, parsed, "rule {}", r.id);
    }
    assert!(bundled.iter().any(|r| r.spans_lines));
    assert!(bundled
        .iter()
        .any(|r| r.pattern.is_some() && !r.spans_lines));
}

#[test]
fn the_trace_sees_every_decision_and_changes_no_finding() {
    use trace::{Dropped, Record, Recorder};
    let s = Scanner::new(vec![rule(TOKEN_RULE)]);
    let text = "tok_aaaaaaaaaaaaaaaaaaaa\ntok_q8Zr2LxW0pVt7NcK3yHs\n";
    let chunk = Chunk::whole(Origin::new("a.txt", Location::File), text.as_bytes());
    let mut rec = Recorder::default();
    let traced = s.scan_traced(&chunk, &mut rec);
    let plain = s.scan(&chunk);
    let ids = |f: &[Finding]| f.iter().map(|f| f.fingerprint.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&traced), ids(&plain));
    assert!(matches!(&rec.records[0], Record::Candidate(r) if r.id == "test-token"));
    assert!(matches!(
        &rec.records[1],
        Record::Dropped {
            secret: (0, 24),
            why: Dropped::Check(checks::Rejection::Entropy(_)),
            ..
        }
    ));
    assert!(matches!(
        &rec.records[2],
        Record::Found {
            secret: (25, 49),
            ..
        }
    ));
    assert_eq!(rec.records.len(), 3);
}

#[test]
fn the_trace_names_the_rule_that_shadows_a_generic_match() {
    use trace::{Dropped, Record, Recorder};
    let generic = rule(
        r#"
- id: test-generic
  name: Test generic
  severity: medium
  keywords: [key]
  pattern: 'key = (\S+)'
"#,
    );
    let generic = Rule {
        family: "generic".into(),
        ..generic
    };
    let s = Scanner::new(vec![generic, rule(TOKEN_RULE)]);
    let chunk = Chunk::whole(
        Origin::new("a.txt", Location::File),
        b"key = tok_q8Zr2LxW0pVt7NcK3yHs",
    );
    let mut rec = Recorder::default();
    assert_eq!(s.scan_traced(&chunk, &mut rec).len(), 1);
    let shadowed = rec.records.iter().any(|r| {
        matches!(r, Record::Dropped { rule, why: Dropped::Shadowed(by), .. }
            if rule.id == "test-generic" && by.id == "test-token")
    });
    assert!(shadowed, "{:?}", rec.records);
}

#[test]
fn one_pass_over_a_path_finds_every_path_rule_it_may_match() {
    let path_rule = |id: &str, path: &str| {
        rule(&format!(
            "- id: {id}\n  name: {id}\n  severity: low\n  path: '{path}'\n  examples: [a]\n"
        ))
    };
    let s = Scanner::new(vec![
        path_rule("p12", r"\.p12$"),
        path_rule("rsa", r"(?:^|/)id_(?:rsa|dsa)$"),
        path_rule("any-ext", r"\.[a-z0-9]+$"),
    ]);
    let ids = |path: &str| -> Vec<String> {
        s.scan_path(&Origin::new(path, Location::File))
            .into_iter()
            .map(|f| f.rule.id.clone())
            .collect()
    };
    assert_eq!(ids("certs/a.p12"), ["p12", "any-ext"]);
    assert_eq!(ids("home/.ssh/id_dsa"), ["rsa"]);
    assert_eq!(ids("home/.ssh/id_dsa.pub"), ["any-ext"]);
    assert!(ids("README").is_empty());
}
