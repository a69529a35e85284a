use super::*;

fn err(text: &str) -> String {
    parse(text).unwrap_err()
}

const CUSTOM: &str = "rules:\n  - id: acme-key\n    name: ACME key\n    severity: high\n    keywords: [acme_]\n    pattern: '\\b(acme_[a-z0-9]{16})\\b'\n";

#[test]
fn errors_name_line_column_and_key() {
    assert!(err("fail_on: low\nallow:\n  pathz: []\n")
        .starts_with(":3:3: allow: unknown field `pathz`"));
    let e = err("allow:\n  paths:\n    - ok/**\n    - 'a/[b'\n");
    assert!(
        e.starts_with(":4:7: allow.paths[1]: invalid glob `a/[b`"),
        "{e}"
    );
    let e = err("allow:\n  regexes: ['^ok$', '(open']\n");
    assert!(
        e.starts_with(":2:21: allow.regexes[1]: invalid regex `(open`"),
        "{e}"
    );
    let e = err("disable:\n  - github-classic-pat\n  - no-such-rule\n");
    assert!(
        e.starts_with(":3:5: disable[1]: unknown rule id `no-such-rule`"),
        "{e}"
    );
    let e = err("severity:\n  github-classic-pat: low\n  nope: high\n");
    assert!(
        e.starts_with(":3:3: severity: unknown rule id `nope`"),
        "{e}"
    );
    let e = err("allow:\n  per_rule:\n    nope:\n      paths: [x]\n");
    assert!(
        e.starts_with(":3:5: allow.per_rule: unknown rule id `nope`"),
        "{e}"
    );
    let e = err("severity:\n  github-classic-pat: urgent\n");
    assert!(
        e.starts_with(":2:23: severity.github-classic-pat: unknown variant `urgent`"),
        "{e}"
    );
}

#[test]
fn custom_rules_are_checked_where_they_stand() {
    let e = err("fail_on: low\nrules:\n  - id: github-classic-pat\n    name: x\n    severity: low\n    keywords: [x]\n    pattern: x\n");
    assert!(
        e.starts_with(":3:5: rules[0]: rule `github-classic-pat` has the id of a bundled rule"),
        "{e}"
    );
    let e = err("rules:\n  - id: mine\n    name: x\n    severity: low\n    keywords: [x]\n    pattern: '(x'\n");
    assert!(
        e.starts_with(":2:5: rules[0]: rule `mine`: pattern does not compile"),
        "{e}"
    );
    let twice = format!("{CUSTOM}{}", &CUSTOM["rules:\n".len()..]);
    let e = err(&twice);
    assert!(
        e.starts_with(":7:5: rules[1]: rule `acme-key` is defined twice"),
        "{e}"
    );
    // Disabling the bundled rule frees its id for a replacement.
    let replace = "disable: [github-classic-pat]\nrules:\n  - id: github-classic-pat\n    name: x\n    severity: low\n    keywords: [ghp_]\n    pattern: 'ghp_\\w+'\n";
    assert!(parse(replace).is_ok());
}

fn loaded(text: &str) -> Loaded {
    let config = parse(text).unwrap();
    let list = Arc::new(config.allow.to_list());
    Loaded {
        config,
        list,
        ..Loaded::default()
    }
}

#[test]
fn custom_rules_extend_the_bundled_set_unless_replacing_is_explicit() {
    let bundled = rules::bundled().len();
    let extended = loaded(CUSTOM).rules().unwrap();
    assert_eq!(extended.len(), bundled + 1);
    assert!(extended.iter().any(|r| r.id == "github-classic-pat"));
    let only = loaded(&format!("bundled_rules: false\n{CUSTOM}"))
        .rules()
        .unwrap();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0].id, "acme-key");
    assert_eq!(only[0].family, "custom");
}

#[test]
fn disable_and_severity_change_the_rule_set() {
    let text = format!("disable: [github-classic-pat]\nseverity:\n  acme-key: low\n{CUSTOM}");
    let rules = loaded(&text).rules().unwrap();
    assert!(!rules.iter().any(|r| r.id == "github-classic-pat"));
    let acme = rules.iter().find(|r| r.id == "acme-key").unwrap();
    assert_eq!(acme.severity, Severity::Low);
}

#[test]
fn the_starter_config_is_valid_and_changes_nothing() {
    let l = loaded(STARTER);
    assert_eq!(l.rules().unwrap().len(), rules::bundled().len());
    assert!(l.allowlist().is_empty());
    assert_eq!(l.fail_on(), Severity::Low);
}

#[test]
fn yaml_syntax_errors_are_errors_with_a_line() {
    let e = err("fail_on: low\nallow:\n  paths: [a, b\n");
    assert!(e.starts_with(":4:1: "), "{e}");
    let e = err("- just\n- a list\n");
    assert!(e.contains("invalid type: sequence"), "{e}");
}

#[test]
fn an_empty_file_is_the_defaults() {
    assert!(parse("").is_ok());
    assert!(parse("# only a comment\n").is_ok());
}
