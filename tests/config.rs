//! `.leakgate.yaml` end to end: found at the repository root by the installed hook,
//! custom rules, disabled rules, severities, `fail_on`, errors with file, line and
//! key, `leakgate config check` and `leakgate init`.

mod common;
use common::{fake::*, *};

const ACME_RULE: &str = "rules:
  - id: acme-key
    name: ACME internal key
    severity: high
    keywords: [acme_]
    pattern: '\\b(acme_[a-z0-9]{16})\\b'
";
const ACME: &str = "acme_q8zr2lxw0pvt7nck";

fn config_repo(config: &str) -> Repo {
    let repo = Repo::new();
    repo.write(".leakgate.yaml", config);
    repo.install();
    repo
}

fn blocked(repo: &Repo, path: &str, content: &str) -> String {
    let before = repo.commit_count();
    repo.stage(path, content);
    let out = repo.commit("try");
    assert_eq!(
        out.status.code(),
        Some(1),
        "expected a block: {}",
        all_output(&out)
    );
    assert_eq!(repo.commit_count(), before);
    repo.git(&["rm", "-q", "--cached", "--", path]);
    all_output(&out)
}

fn passes(repo: &Repo, path: &str, content: &str) -> String {
    repo.stage(path, content);
    let out = repo.commit("try");
    assert!(
        out.status.success(),
        "expected a pass: {}",
        all_output(&out)
    );
    all_output(&out)
}

#[test]
fn custom_rules_extend_the_bundled_rules() {
    let repo = config_repo(ACME_RULE);
    let text = blocked(&repo, "a.py", &format!("k = \"{ACME}\"\n"));
    assert!(
        text.contains("[acme-key]") && !text.contains(ACME),
        "{text}"
    );
    let text = blocked(&repo, "b.py", &format!("t = \"{GH1}\"\n"));
    assert!(
        text.contains("[github-classic-pat]"),
        "bundled rules still run: {text}"
    );
}

#[test]
fn replacing_the_bundled_rules_is_explicit() {
    let repo = config_repo(&format!("bundled_rules: false\n{ACME_RULE}"));
    blocked(&repo, "a.py", &format!("k = \"{ACME}\"\n"));
    passes(&repo, "b.py", &format!("t = \"{GH1}\"\n"));
}

#[test]
fn disabled_rules_do_not_run() {
    let repo = config_repo("disable: [github-classic-pat]\n");
    passes(&repo, "b.py", &format!("t = \"{GH1}\"\n"));
}

#[test]
fn severity_and_fail_on_decide_what_blocks() {
    let repo = config_repo(&format!(
        "fail_on: high\nseverity:\n  acme-key: medium\n{ACME_RULE}"
    ));
    let text = passes(&repo, "a.py", &format!("k = \"{ACME}\"\n"));
    assert!(
        text.contains("medium: ACME internal key [acme-key]"),
        "reported below fail_on: {text}"
    );
    blocked(&repo, "b.py", &format!("t = \"{GH1}\"\n"));
}

#[test]
fn a_bad_config_blocks_the_commit_and_names_file_line_and_key() {
    for (config, expect) in [
        (
            "fail_on: low\nalow:\n  paths: []\n",
            ".leakgate.yaml:2:1: unknown field `alow`",
        ),
        (
            "allow:\n  paths:\n    - 'docs/[x'\n",
            ".leakgate.yaml:3:7: allow.paths[0]: invalid glob `docs/[x`",
        ),
        (
            "allow:\n  regexes:\n    - '^(x'\n",
            ".leakgate.yaml:3:7: allow.regexes[0]: invalid regex `^(x`",
        ),
        (
            "disable:\n  - github-clasic-pat\n",
            ".leakgate.yaml:2:5: disable[0]: unknown rule id `github-clasic-pat`",
        ),
        (
            "severity:\n  nope: low\n",
            ".leakgate.yaml:2:3: severity: unknown rule id `nope`",
        ),
    ] {
        let repo = config_repo(config);
        repo.stage("x.txt", "hello\n");
        let out = repo.commit("x");
        assert!(!out.status.success(), "{config}: {}", all_output(&out));
        assert!(stderr(&out).contains(expect), "{config}: {}", stderr(&out));
        assert_eq!(repo.commit_count(), 0);
        let check = repo.leakgate(&["config", "check"]);
        assert_eq!(check.status.code(), Some(2), "{config}");
        assert!(stderr(&check).contains(expect), "{}", stderr(&check));
    }
}

#[test]
fn config_override_and_no_config() {
    let repo = config_repo("disable: [github-classic-pat]\n");
    repo.write("t.py", format!("t = \"{GH1}\"\n"));
    assert!(repo.leakgate(&["scan", "t.py"]).status.success());
    assert_eq!(
        repo.leakgate(&["scan", "t.py", "--no-config"])
            .status
            .code(),
        Some(1)
    );
    repo.write("other.yaml", ACME_RULE);
    let out = repo.leakgate(&["scan", "t.py", "--config", "other.yaml"]);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
}

#[test]
fn config_check_summarises_the_effective_rule_set() {
    let config = format!(
        "disable: [github-classic-pat]\nseverity:\n  acme-key: low\nallow:\n  paths: ['tests/**']\n  stopwords: [dummy]\n  per_rule:\n    acme-key:\n      values: [x]\n{ACME_RULE}"
    );
    let repo = config_repo(&config);
    let out = repo.leakgate(&["config", "check"]);
    assert!(out.status.success(), "{}", all_output(&out));
    let text = stdout(&out);
    for want in [
        ".leakgate.yaml is valid",
        "active (",
        "1 custom)",
        "custom 1",
        "disabled: github-classic-pat",
        "severity changed: acme-key high -> low",
        "custom: acme-key (low)",
        "allowlists: 1 paths, 0 values, 0 regexes, 1 stopwords",
        "acme-key: 1 entries",
        "baseline: none",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
    let out = repo.leakgate(&["config", "check", "--rules"]);
    assert!(
        stdout(&out).contains("acme-key\tcustom\tlow"),
        "{}",
        stdout(&out)
    );
    assert!(
        !stdout(&out).contains("github-classic-pat\t"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn init_writes_a_valid_starter_and_never_overwrites() {
    let repo = Repo::new();
    let out = repo.leakgate(&["init"]);
    assert!(out.status.success(), "{}", all_output(&out));
    let written = std::fs::read_to_string(repo.path().join(".leakgate.yaml")).unwrap();
    assert!(written.contains("# leakgate configuration"), "{written}");
    let check = repo.leakgate(&["config", "check"]);
    assert!(check.status.success(), "{}", all_output(&check));
    repo.write(".leakgate.yaml", "fail_on: high\n");
    let again = repo.leakgate(&["init"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("never overwrites"),
        "{}",
        stderr(&again)
    );
    let kept = std::fs::read_to_string(repo.path().join(".leakgate.yaml")).unwrap();
    assert_eq!(kept, "fail_on: high\n");
    // The starter config still blocks a real secret outside tests and fixtures.
    repo.install();
    std::fs::write(repo.path().join(".leakgate.yaml"), &written).unwrap();
    blocked(&repo, "t.py", &format!("t = \"{GH1}\"\n"));
}

#[test]
fn the_readme_example_config_is_valid() {
    let readme = include_str!("../README.md");
    let start = readme
        .find("```yaml\nfail_on: medium")
        .expect("the README has the example");
    let block = &readme[start + "```yaml\n".len()..];
    let block = &block[..block.find("```").unwrap()];
    let repo = Repo::new();
    repo.write("example.yaml", block);
    let out = repo.leakgate(&["config", "check", "--config", "example.yaml"]);
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(
        stdout(&out).contains("custom: acme-api-key (critical)"),
        "{}",
        stdout(&out)
    );
}
