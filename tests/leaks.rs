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
