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
