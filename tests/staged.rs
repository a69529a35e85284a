//! `leakgate staged` and the pre-commit hook, driven through real `git commit`.

mod common;
use common::{fake::*, *};

#[test]
fn hook_blocks_a_commit_that_adds_a_secret() {
    let repo = Repo::new();
    repo.install();
    repo.stage("app/config.py", format!("TOKEN = \"{GH1}\"\n"));
    let out = repo.commit("add config");
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    assert_eq!(repo.commit_count(), 0, "nothing is committed");
    let text = all_output(&out);
    assert!(text.contains("github-classic-pat"), "{text}");
    assert!(text.contains("app/config.py:1:10"), "{text}");
    assert!(!text.contains(GH1), "the secret is redacted: {text}");
    assert!(text.contains("leakgate:allow"), "says how to allow: {text}");
}

#[test]
fn clean_commit_passes_silently() {
    let repo = Repo::new();
    repo.install();
    repo.stage("README.md", "hello\n");
    let out = repo.commit("readme");
    assert!(out.status.success(), "{}", all_output(&out));
    assert_eq!(all_output(&out), "");
    assert_eq!(repo.commit_count(), 1);
}
