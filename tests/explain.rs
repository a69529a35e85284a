//! `leakgate scan --explain FILE[:LINE]` on real files: it names the rule and the
//! check or filter that decided each candidate, and never prints a secret whole.

mod common;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use common::{fake::*, *};
use std::path::Path;
use std::process::Output;

/// `leakgate scan --explain TARGET` (and any extra arguments) in `dir`.
fn explain(dir: &Path, target: &str, extra: &[&str]) -> Output {
    leakgate(dir)
        .args(["scan", "--explain", target])
        .args(extra)
        .output()
        .unwrap()
}

/// The explanation's text, after checking the exit code and that no secret in
/// `secrets` is printed whole.
fn text(out: &Output, code: i32, secrets: &[&str]) -> String {
    let all = all_output(out);
    assert_eq!(out.status.code(), Some(code), "{all}");
    for s in secrets {
        assert!(!all.contains(s), "secret printed whole:\n{all}");
    }
    all
}

#[test]
fn a_found_secret_is_reported_with_its_rule_and_masked() {
    let dir = tempfile::tempdir().unwrap();
    let file = format!("# settings\nGITHUB_TOKEN={GH1}\n");
    std::fs::write(dir.path().join("app.env"), file).unwrap();
    let all = text(&explain(dir.path(), "app.env", &[]), 1, &[GH1]);
    assert!(all.contains("rule `github-classic-pat`"), "{all}");
    assert!(all.contains("keyword `ghp_` at 2:14"), "{all}");
    assert!(all.contains("matched `ghp_*"), "{all}");
    assert!(
        all.contains("REPORTED: GitHub personal access token"),
        "{all}"
    );
    let shown = explain(dir.path(), "app.env:2", &["--show-secrets"]);
    assert!(stdout(&shown).contains(GH1), "--show-secrets shows it");
}

#[test]
fn a_placeholder_is_dropped_by_the_placeholder_filter() {
    let dir = tempfile::tempdir().unwrap();
    let file = "x = 1\napi_key = \"your-api-key-here\"\n";
    std::fs::write(dir.path().join("settings.py"), file).unwrap();
    let all = text(&explain(dir.path(), "settings.py:2", &[]), 0, &[]);
    assert!(all.contains("line 2: api_key = "), "{all}");
    assert!(
        all.contains("dropped: the placeholder filter takes it for a placeholder"),
        "{all}"
    );
    assert!(!all.contains("REPORTED"), "{all}");
}

#[test]
fn a_low_entropy_value_is_dropped_with_its_entropy_and_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let file = "db:\n  password: \"abababababab\"\n";
    std::fs::write(dir.path().join("db.yaml"), file).unwrap();
    let all = text(&explain(dir.path(), "db.yaml:2", &[]), 0, &["abababababab"]);
    assert!(
        all.contains("dropped: entropy 1.00 bits/byte is below the rule's min_entropy"),
        "{all}"
    );
}

#[test]
fn an_allowlisted_path_names_the_allowlist_entry() {
    let dir = tempfile::tempdir().unwrap();
    let config = "allow:\n  paths: ['fixtures/**']\n";
    std::fs::write(dir.path().join(".leakgate.yaml"), config).unwrap();
    std::fs::create_dir(dir.path().join("fixtures")).unwrap();
    let file = format!("token = \"{GH2}\"\n");
    std::fs::write(dir.path().join("fixtures/auth.py"), file).unwrap();
    let all = text(&explain(dir.path(), "fixtures/auth.py:1", &[]), 0, &[GH2]);
    assert!(
        all.contains("allowed by config allowlist: path `fixtures/**`"),
        "{all}"
    );
}

#[test]
fn a_baselined_finding_is_allowed_by_the_baseline() {
    let repo = Repo::new();
    repo.commit_file("deploy.sh", format!("export TOKEN={GH3}\n"), "deploy");
    let out = repo.leakgate(&["baseline", "create"]);
    assert!(out.status.success(), "{}", all_output(&out));
    let all = text(&explain(repo.path(), "deploy.sh", &[]), 0, &[GH3]);
    assert!(all.contains("allowed by baseline entry"), "{all}");
    let all = text(
        &explain(repo.path(), "deploy.sh", &["--no-baseline"]),
        1,
        &[GH3],
    );
    assert!(all.contains("REPORTED"), "{all}");
}

#[test]
fn an_inline_marker_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = format!("token = \"{GH4}\"  # leakgate:allow test fixture\n");
    std::fs::write(dir.path().join("t.py"), file).unwrap();
    let all = text(&explain(dir.path(), "t.py:1", &[]), 0, &[GH4]);
    assert!(
        all.contains("allowed by inline marker `leakgate:allow`"),
        "{all}"
    );
}

#[test]
fn a_line_without_a_keyword_says_no_pattern_ran() {
    let dir = tempfile::tempdir().unwrap();
    let file = format!("print('hello')\nGITHUB_TOKEN={GH1}\n");
    std::fs::write(dir.path().join("run.py"), file).unwrap();
    let all = text(&explain(dir.path(), "run.py:1", &[]), 0, &[GH1]);
    assert!(all.contains("line 1: print('hello')"), "{all}");
    assert!(
        all.contains("no rule's keyword occurs on this line"),
        "{all}"
    );
    assert!(
        !all.contains("github-classic-pat"),
        "line 2 is out of scope:\n{all}"
    );
}

#[test]
fn a_base64_layer_is_explained_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let encoded = STANDARD.encode(format!("token={GH2}\n"));
    let file = format!("# ci\nblob: {encoded}\n");
    std::fs::write(dir.path().join("ci.yaml"), file).unwrap();
    let all = text(&explain(dir.path(), "ci.yaml:2", &[]), 1, &[GH2, &encoded]);
    assert!(all.contains("ci.yaml base64 at 2:7 (decoded)"), "{all}");
    assert!(
        all.contains("REPORTED: GitHub personal access token"),
        "{all}"
    );
}

#[test]
fn a_checksum_refusal_names_the_validator() {
    let dir = tempfile::tempdir().unwrap();
    // A classic PAT shape whose last six characters are not its CRC32.
    let bad = format!("{}000000", &GH1[..34]);
    std::fs::write(dir.path().join("a.txt"), format!("{bad}\n")).unwrap();
    let all = text(&explain(dir.path(), "a.txt", &[]), 0, &[&bad]);
    assert!(all.contains("dropped: validator `"), "{all}");
}

#[test]
fn bad_targets_and_formats_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "x\n").unwrap();
    for (target, extra) in [
        ("missing.txt:3", &[][..]),
        ("a.txt:0", &[]),
        (".", &[]),
        ("a.txt", &["--format", "json"][..]),
    ] {
        let out = explain(dir.path(), target, extra);
        assert_eq!(out.status.code(), Some(2), "{target}: {}", all_output(&out));
        assert!(!stderr(&out).is_empty(), "{target}: says why");
    }
}

#[test]
fn help_scan_documents_explain() {
    let dir = tempfile::tempdir().unwrap();
    let out = leakgate(dir.path())
        .args(["help", "scan"])
        .output()
        .unwrap();
    let help = stdout(&out);
    assert!(help.contains("--explain <FILE[:LINE]>"), "{help}");
    assert!(help.contains("entropy with its value"), "{help}");
}

#[test]
fn a_notebook_cell_is_explained_with_its_cell() {
    let dir = tempfile::tempdir().unwrap();
    let nb = serde_json::json!({
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# notes\n"]},
            {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [],
             "source": ["import os\n", format!("os.environ['GH'] = '{GH3}'\n")]}
        ],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5
    });
    std::fs::write(dir.path().join("eval.ipynb"), nb.to_string()).unwrap();
    let all = text(&explain(dir.path(), "eval.ipynb", &[]), 1, &[GH3]);
    assert!(all.contains("eval.ipynb cell 2 (decoded)"), "{all}");
    assert!(all.contains("matched `ghp_*"), "{all}");
    assert!(all.contains("at 2:"), "line 2 of the cell:\n{all}");
}
