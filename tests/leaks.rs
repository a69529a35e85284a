//! A security tool must never be the leak: no report, hook message or baseline
//! shows a secret whole, even when a line holds several (issue 10, item 1).
//! Every test drives the real binary; the hooks run through real `git commit`
//! and `git push`.

mod common;
use common::{fake::*, *};

/// A line holding two tokens, so each finding's line shows the other secret.
fn two_on_a_line() -> String {
    format!("creds = {{\"a\": \"{GH1}\", \"b\": \"{GH2}\"}}\n")
}

/// Fails if `text` holds either token whole.
fn assert_masked(text: &str, what: &str) {
    for secret in [GH1, GH2] {
        assert!(!text.contains(secret), "{what} shows {secret}:\n{text}");
    }
}

#[test]
fn every_format_of_scan_masks_every_secret_on_a_line() {
    let repo = Repo::new();
    repo.write("app.py", two_on_a_line());
    for format in ["human", "json", "jsonl", "sarif", "gitlab", "junit"] {
        let out = repo.leakgate(&["scan", "app.py", "-f", format]);
        assert_eq!(out.status.code(), Some(1), "{format}: {}", all_output(&out));
        assert_masked(&all_output(&out), format);
    }
    let out = repo.leakgate(&["scan", "app.py"]);
    let text = stdout(&out);
    assert_eq!(text.matches("ghp_****").count(), 4, "{text}");
}

#[test]
fn the_pre_commit_hook_masks_every_secret_on_a_line() {
    let repo = Repo::new();
    repo.install();
    repo.stage("app.py", two_on_a_line());
    let out = repo.commit("two tokens");
    assert!(!out.status.success(), "{}", all_output(&out));
    assert!(
        stderr(&out).contains("github-classic-pat"),
        "{}",
        stderr(&out)
    );
    assert_masked(&all_output(&out), "git commit");
    assert_eq!(repo.commit_count(), 0);
}

#[test]
fn the_pushers_remote_lines_mask_every_secret_on_a_line() {
    let server = Bare::new();
    server.install_pre_receive("");
    let client = Repo::with_origin(&server);
    client.commit_file("app.py", two_on_a_line(), "two tokens");
    let out = client.push(&["origin", "main"]);
    let text = all_output(&out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("remote:"), "{text}");
    assert_masked(&text, "git push");
    assert_eq!(server.refs(), "");
}

#[test]
fn a_baselined_secret_beside_a_new_one_stays_masked() {
    let repo = Repo::new();
    repo.commit_file("app.py", format!("creds = {{\"a\": \"{GH1}\"}}\n"), "old");
    let out = repo.leakgate(&["baseline", "create"]);
    assert!(out.status.success(), "{}", all_output(&out));
    repo.write("app.py", two_on_a_line());
    for args in [
        &["scan", "app.py"][..],
        &["scan", "app.py", "--show-suppressed"],
    ] {
        let out = repo.leakgate(args);
        assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
        assert_masked(&all_output(&out), "scan beside a baselined secret");
    }
}

#[test]
fn a_time_budget_that_is_no_budget_is_refused() {
    let repo = Repo::new();
    for bad in ["-1", "nan", "inf", "0"] {
        let out = repo.leakgate(&["pre-receive", &format!("--timeout={bad}")]);
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", all_output(&out));
        assert!(stderr(&out).contains("seconds"), "{bad}: {}", stderr(&out));
    }
}

#[test]
fn a_reader_that_goes_away_is_no_crash() {
    let repo = Repo::new();
    std::fs::write(repo.path().join("r.yaml"), "[]\n").unwrap();
    for args in [
        &["rules"][..],
        &["rules", "show", "github-classic-pat"],
        &["rules", "test", "r.yaml"],
        &["config", "check"],
    ] {
        let mut child = leakgate(repo.path())
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_ne!(out.status.code(), Some(101), "{args:?}: {}", stderr(&out));
        assert!(
            !stderr(&out).contains("panicked"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn installing_twice_keeps_the_first_chained_hook_and_every_backup() {
    let repo = Repo::new();
    let hooks = repo.path().join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let hook = hooks.join("pre-commit");
    std::fs::write(&hook, "#!/bin/sh\n# first\n").unwrap();
    assert!(repo.leakgate(&["install", "--chain"]).status.success());
    std::fs::write(&hook, "#!/bin/sh\n# second\n").unwrap();
    let out = repo.leakgate(&["install", "--chain"]);
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
    let chained = std::fs::read_to_string(hooks.join("pre-commit.leakgate-chained")).unwrap();
    assert!(chained.contains("# first"), "{chained}");
    assert!(std::fs::read_to_string(&hook).unwrap().contains("# second"));
    assert!(repo.leakgate(&["install", "--force"]).status.success());
    std::fs::write(&hook, "#!/bin/sh\n# third\n").unwrap();
    assert!(repo.leakgate(&["install", "--force"]).status.success());
    let first = std::fs::read_to_string(hooks.join("pre-commit.leakgate-backup")).unwrap();
    let second = std::fs::read_to_string(hooks.join("pre-commit.leakgate-backup.1")).unwrap();
    assert!(first.contains("# second"), "{first}");
    assert!(second.contains("# third"), "{second}");
}

/// A file name holding a token (issue 10, item 9).
fn named_after(token: &str) -> String {
    format!("backup-{token}.txt")
}

/// Fails unless `text` reports GH1 in a file name and never shows it whole.
fn assert_name_finding(text: &str, what: &str) {
    assert!(text.contains("github-classic-pat"), "{what}: {text}");
    assert!(text.contains("file name"), "{what}: {text}");
    assert!(!text.contains(GH1), "{what} shows {GH1}:\n{text}");
}

#[test]
fn a_token_in_a_file_name_is_found_and_masked_in_every_format() {
    let repo = Repo::new();
    repo.write(&named_after(GH1), "nothing secret here\n");
    for format in ["human", "json", "jsonl", "sarif", "gitlab", "junit"] {
        let out = repo.leakgate(&["scan", ".", "-f", format]);
        assert_eq!(out.status.code(), Some(1), "{format}: {}", all_output(&out));
        let text = all_output(&out);
        assert!(!text.contains(GH1), "{format} shows {GH1}:\n{text}");
        assert!(text.contains("backup-ghp_****"), "{format}: {text}");
    }
    let json = scan_json(repo.path(), 1);
    let finding = &json["findings"][0];
    assert_eq!(finding["rule_id"], "github-classic-pat", "{json}");
    assert_eq!(finding["layers"][0]["what"], "file name", "{json}");
    assert_eq!(
        (finding["line"].as_u64(), finding["column"].as_u64()),
        (Some(1), Some(8))
    );
    let shown = repo.leakgate(&["scan", ".", "--show-secrets"]);
    assert!(
        stdout(&shown).contains(GH1),
        "--show-secrets shows it: {}",
        stdout(&shown)
    );
}

#[test]
fn a_file_name_without_a_token_gives_no_finding() {
    let repo = Repo::new();
    repo.write("backup-ghp_not-a-token.txt", "nothing secret here\n");
    let out = repo.leakgate(&["scan", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
}

#[test]
fn a_skipped_file_named_after_a_token_is_listed_masked() {
    let repo = Repo::new();
    repo.write(
        &named_after(GH1),
        b"\x00\x01\x02binary\x00\xff\xfe\x00".repeat(64),
    );
    let out = repo.leakgate(&["scan", ".", "-f", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    let text = all_output(&out);
    assert!(!text.contains(GH1), "shows {GH1}:\n{text}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let skipped = json["summary"]["skipped"].to_string();
    assert!(
        skipped.contains("backup-ghp_****"),
        "the skipped list names it: {json}"
    );
}

#[test]
fn the_pre_commit_hook_blocks_a_token_in_a_file_name() {
    let repo = Repo::new();
    repo.install();
    repo.stage(
        &format!("notes/{}", named_after(GH1)),
        "nothing secret here\n",
    );
    let out = repo.commit("a backup");
    assert!(!out.status.success(), "{}", all_output(&out));
    assert_name_finding(&stderr(&out), "git commit");
    assert_eq!(repo.commit_count(), 0);
}

#[test]
fn the_pushers_remote_lines_report_a_token_in_a_file_name() {
    let (server, client) = pre_receive_setup();
    let before = server.refs();
    client.commit_file(&named_after(GH1), "nothing secret here\n", "a backup");
    let out = client.push(&["origin", "main"]);
    let text = all_output(&out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("remote:"), "{text}");
    assert_name_finding(&text, "git push");
    assert_eq!(server.refs(), before);
}

#[test]
fn history_and_the_baseline_never_hold_a_token_in_a_file_name() {
    let repo = Repo::new();
    repo.commit_file(&named_after(GH1), "nothing secret here\n", "a backup");
    let out = repo.leakgate(&["history"]);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    assert_name_finding(&all_output(&out), "history");
    let out = repo.leakgate(&["baseline", "create"]);
    assert!(out.status.success(), "{}", all_output(&out));
    let saved = std::fs::read_to_string(repo.path().join(".leakgate-baseline.json")).unwrap();
    assert!(!saved.contains(GH1), "the baseline holds {GH1}: {saved}");
    assert!(
        saved.contains("backup-ghp_****"),
        "{saved} {}",
        all_output(&out)
    );
    let out = repo.leakgate(&["scan", "."]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "baselined: {}",
        all_output(&out)
    );
}

#[test]
fn streamed_history_never_shows_a_token_in_a_file_name() {
    let repo = Repo::new();
    repo.commit_file(&named_after(GH1), "nothing secret here\n", "a backup");
    let out = repo.leakgate(&["history", "--format", "jsonl"]);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    assert_name_finding(&all_output(&out), "history --format jsonl");
}

#[test]
fn the_pre_push_hook_blocks_a_token_in_a_directory_name() {
    let (server, client) = pre_push_setup();
    let before = server.refs();
    let path = format!("dumps/{GH1}/notes.txt");
    client.commit_file(&path, "nothing secret here\n", "a dump");
    let out = client.push(&["origin", "main"]);
    assert!(!out.status.success(), "{}", all_output(&out));
    assert_name_finding(&all_output(&out), "git push (pre-push)");
    assert_eq!(server.refs(), before);
}
