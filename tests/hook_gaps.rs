//! What git never runs the pre-commit hook for, and why the README answers with
//! the push hooks: a secret that enters through `git rebase --continue` after a
//! conflict, a merge without conflicts, `git cherry-pick` or `git am` passes the
//! pre-commit hook, because git does not run it; the pre-push hook (and the
//! server's pre-receive hook) still stops it, because they judge commits, however
//! they were made.

mod common;
use common::{fake::*, *};

/// A repository with leakgate's pre-commit and pre-push hooks, pushing to `bare`.
fn guarded(bare: &Bare) -> Repo {
    let repo = Repo::with_origin(bare);
    repo.install();
    let out = repo.leakgate(&["install", "--hook", "pre-push"]);
    assert!(out.status.success(), "{}", all_output(&out));
    repo.commit_file("base.txt", "one\n", "base");
    let out = repo.push(&["origin", "main"]);
    assert!(out.status.success(), "{}", all_output(&out));
    repo
}

/// Pushing what `repo` holds now is stopped by the pre-push hook.
fn push_is_stopped(repo: &Repo, path: &str) {
    let out = repo.push(&["origin", "HEAD:main"]);
    let text = all_output(&out);
    assert!(!out.status.success(), "the push went through: {text}");
    assert!(
        text.contains(path) && text.contains("github-classic-pat"),
        "{text}"
    );
}

#[test]
fn a_secret_typed_into_a_rebase_conflict_passes_pre_commit_and_is_stopped_at_push() {
    let bare = Bare::new();
    let repo = guarded(&bare);
    repo.git(&["checkout", "-q", "-b", "topic"]);
    repo.commit_file("conf.txt", "topic side\n", "topic");
    repo.git(&["checkout", "-q", "main"]);
    repo.commit_file("conf.txt", "main side\n", "main");
    repo.git(&["checkout", "-q", "topic"]);
    let out = repo.git_output(&["rebase", "-q", "main"]);
    assert!(!out.status.success(), "a conflict: {}", all_output(&out));
    repo.stage("conf.txt", format!("token = {GH1}\n"));
    let out = git_cmd(repo.path())
        .env("GIT_EDITOR", "true")
        .args(["rebase", "--continue"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git ran no pre-commit hook: {}",
        all_output(&out)
    );
    assert!(repo.git(&["show", "HEAD:conf.txt"]).contains(GH1));
    push_is_stopped(&repo, "conf.txt");
}

#[test]
fn merge_cherry_pick_and_am_skip_pre_commit_and_pre_push_stops_them() {
    let bare = Bare::new();
    let repo = guarded(&bare);
    // A branch whose commit was made without the hook (another clone, --no-verify).
    repo.git(&["checkout", "-q", "-b", "elsewhere"]);
    repo.commit_file("leak.txt", format!("t = {GH2}\n"), "from elsewhere");
    let leaked = repo.head();
    repo.git(&["format-patch", "-q", "-1", "-o", "patches"]);
    repo.git(&["checkout", "-q", "main"]);

    let out = repo.git_output(&["merge", "-q", "--no-edit", "--no-ff", "elsewhere"]);
    assert!(out.status.success(), "merge: {}", all_output(&out));
    push_is_stopped(&repo, "leak.txt");
    repo.git(&["reset", "-q", "--hard", "origin/main"]);

    let out = repo.git_output(&["cherry-pick", &leaked]);
    assert!(out.status.success(), "cherry-pick: {}", all_output(&out));
    push_is_stopped(&repo, "leak.txt");
    repo.git(&["reset", "-q", "--hard", "origin/main"]);

    let patch = std::fs::read_dir(repo.path().join("patches"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let out = repo.git_output(&["am", "-q", patch.to_str().unwrap()]);
    assert!(out.status.success(), "am: {}", all_output(&out));
    push_is_stopped(&repo, "leak.txt");
}
