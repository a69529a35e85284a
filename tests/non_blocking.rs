//! The blocking policy: findings under `non_blocking` paths or rules, or below
//! `fail_on`, are still reported in every format, marked "reported, not blocking",
//! and leave the exit code at 0; everything else still blocks. With no config,
//! everything blocks.

mod common;
use common::{fake::*, *};

/// A low-severity finding (a Stripe test-mode key, written for this test).
const STRIPE_TEST: &str = "sk_test_9fQe2LmZ7rWx4TbN8kVc1HsJ";

/// A repository with the starter config `leakgate init` writes, committed.
fn starter_repo() -> Repo {
    let repo = Repo::new();
    let out = repo.leakgate(&["init"]);
    assert!(out.status.success(), "{}", all_output(&out));
    repo.git(&["add", ".leakgate.yaml"]);
    repo.commit_unchecked("adopt leakgate");
    repo
}

#[test]
fn the_starter_config_reports_test_fixtures_and_low_findings_without_blocking() {
    let repo = starter_repo();
    repo.install();

    repo.stage("tests/fixtures/keys.py", format!("TOKEN = \"{GH1}\"\n"));
    repo.stage("app/billing.py", format!("KEY = \"{STRIPE_TEST}\"\n"));
    let before = repo.commit_count();
    let out = repo.commit("fixtures and a test-mode key");
    let text = all_output(&out);
    assert!(out.status.success(), "not blocked: {text}");
    assert_eq!(repo.commit_count(), before + 1);
    assert!(text.contains("tests/fixtures/keys.py:1:10"), "{text}");
    assert!(
        text.contains("reported, not blocking: path `**/tests/**` (non_blocking.paths[1])"),
        "{text}"
    );
    assert!(text.contains("app/billing.py:1:8"), "{text}");
    assert!(
        text.contains("reported, not blocking: severity low is below fail_on: medium"),
        "{text}"
    );
    assert!(text.contains("nothing blocks"), "{text}");
    assert!(!text.contains("the commit is blocked"), "{text}");

    // A real secret outside the test paths still blocks, and the report says which
    // finding blocks and which does not.
    repo.stage("app/settings.py", format!("TOKEN = \"{GH2}\"\n"));
    repo.stage("tests/more.py", format!("TOKEN = \"{GH3}\"\n"));
    let before = repo.commit_count();
    let out = repo.commit("a real one");
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert_eq!(repo.commit_count(), before);
    assert!(
        text.contains("2 secrets in 2 files, 1 of them reported, not blocking"),
        "{text}"
    );
    assert!(text.contains("the commit is blocked"), "{text}");
}

#[test]
fn every_format_marks_findings_that_do_not_block() {
    let repo = starter_repo();
    repo.write("tests/t.py", format!("TOKEN = \"{GH1}\"\n"));
    let scan = |format: &str| {
        let out = repo.leakgate(&["scan", "tests", "--format", format]);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", all_output(&out));
        stdout(&out)
    };
    let json: serde_json::Value = serde_json::from_str(&scan("json")).unwrap();
    let f = &json["findings"][0];
    assert_eq!(f["rule_id"], "github-classic-pat");
    assert_eq!(f["blocking"], false);
    assert_eq!(
        f["not_blocking"],
        "path `**/tests/**` (non_blocking.paths[1])"
    );
    assert_eq!(json["summary"]["findings"], 1);
    assert_eq!(json["summary"]["blocking"], 0);

    let jsonl = scan("jsonl");
    let first: serde_json::Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert_eq!(first["blocking"], false);
    let last: serde_json::Value = serde_json::from_str(jsonl.lines().last().unwrap()).unwrap();
    assert_eq!(last["summary"]["blocking"], 0);

    let sarif: serde_json::Value = serde_json::from_str(&scan("sarif")).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["properties"]["blocking"], false);
    let message = result["message"]["text"].as_str().unwrap();
    assert!(
        message.contains("(reported, not blocking: path"),
        "{message}"
    );

    let gitlab: serde_json::Value = serde_json::from_str(&scan("gitlab")).unwrap();
    let description = gitlab["vulnerabilities"][0]["description"]
        .as_str()
        .unwrap();
    assert!(
        description.contains("reported, not blocking"),
        "{description}"
    );

    let junit = scan("junit");
    assert!(junit.contains("(reported, not blocking: path"), "{junit}");

    let human = scan("human");
    assert!(human.contains("= reported, not blocking: path"), "{human}");
    assert!(
        human.contains("1 secret in 1 file, reported, not blocking"),
        "{human}"
    );

    // A finding that blocks carries `blocking: true`.
    repo.write("src/t.py", format!("TOKEN = \"{GH2}\"\n"));
    let out = repo.leakgate(&["scan", "src", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["findings"][0]["blocking"], true);
    assert!(json["findings"][0].get("not_blocking").is_none());
}

#[test]
fn with_no_config_everything_blocks() {
    let repo = Repo::new();
    repo.install();
    repo.stage("tests/fixtures/keys.py", format!("TOKEN = \"{GH1}\"\n"));
    let out = repo.commit("fixture");
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    let out = repo.leakgate(&["scan", "-"]);
    assert_eq!(out.status.code(), Some(0), "empty stdin is clean");
    let low = Repo::new();
    low.write("app.py", format!("KEY = \"{STRIPE_TEST}\"\n"));
    let out = low.leakgate(&["scan", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    assert!(!all_output(&out).contains("not blocking"));
}

#[test]
fn rules_can_be_made_non_blocking_and_history_streams_the_mark() {
    let repo = Repo::new();
    repo.write(
        ".leakgate.yaml",
        "non_blocking:\n  rules: [github-classic-pat]\n",
    );
    repo.commit_file("a.py", format!("TOKEN = \"{GH1}\"\n"), "a token");
    let out = repo.leakgate(&["history", "--format", "jsonl"]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let text = stdout(&out);
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["blocking"], false, "{text}");
    assert_eq!(
        first["not_blocking"],
        "rule `github-classic-pat` (non_blocking.rules[0])"
    );
    let out = repo.leakgate(&["history"]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    assert!(stdout(&out).contains("reported, not blocking"));
}

#[test]
fn a_push_with_only_non_blocking_findings_goes_through() {
    let bare = Bare::new();
    let config = bare.path().join("leakgate.yaml");
    std::fs::write(&config, "non_blocking:\n  paths: ['tests/**']\n").unwrap();
    bare.install_pre_receive(&format!("--config {}", config.display()));
    let repo = Repo::with_origin(&bare);
    repo.commit_file("tests/k.py", format!("T = \"{GH1}\"\n"), "fixture");
    let out = repo.push(&["origin", "main"]);
    let text = all_output(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("reported, not blocking"), "{text}");
    repo.commit_file("src/k.py", format!("T = \"{GH2}\"\n"), "real");
    let out = repo.push(&["origin", "main"]);
    assert!(!out.status.success(), "{}", all_output(&out));
}
