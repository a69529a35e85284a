//! `leakgate pre-receive` as a bare repository's hook, driven by real `git push`
//! from a clone over the local file transport.

mod common;
use common::{fake::*, *};

fn assert_rejected(out: &std::process::Output) -> String {
    let text = all_output(out);
    assert!(!out.status.success(), "push must be rejected: {text}");
    assert!(text.contains("pre-receive hook declined"), "{text}");
    text
}

#[test]
fn push_adding_a_secret_is_rejected_and_refs_stay() {
    let (server, client) = pre_receive_setup();
    let before = server.refs();
    let id = client.commit_file(
        "app/config.py",
        format!("x = 1\nTOKEN = \"{GH1}\"\n"),
        "cfg",
    );
    let out = client.push(&["origin", "main"]);
    let text = assert_rejected(&out);
    assert_eq!(server.refs(), before, "the server's refs are unchanged");
    assert!(text.contains("remote: "), "relayed by git: {text}");
    assert!(text.contains("github-classic-pat"), "{text}");
    assert!(text.contains("app/config.py:2:10"), "{text}");
    assert!(text.contains(&id[..12]), "names the commit: {text}");
    assert!(!text.contains(GH1), "the secret is redacted: {text}");
    assert!(text.contains("rotate"), "says how to fix: {text}");
    assert!(text.contains("leakgate:allow"), "says how to allow: {text}");
    assert!(!text.contains('\x1b'), "no colour: {text:?}");
}

#[test]
fn first_push_into_an_empty_server_reads_the_quarantined_objects() {
    // Every object of this push exists only in git's quarantine directory while the
    // hook runs: finding the secret proves the hook reads it.
    let server = Bare::new();
    server.install_pre_receive("");
    let client = Repo::with_origin(&server);
    client.commit_file("key.txt", format!("{GH2}\n"), "key");
    let out = client.push(&["origin", "main"]);
    let text = assert_rejected(&out);
    assert!(text.contains("key.txt:1:1"), "{text}");
    assert_eq!(server.refs(), "", "nothing was accepted");
    let objects = server.git(&["count-objects", "-v"]);
    assert!(
        objects.contains("count: 0"),
        "quarantine discarded: {objects}"
    );
}

#[test]
fn clean_push_is_accepted() {
    let (server, client) = pre_receive_setup();
    let id = client.commit_file("src/lib.rs", "fn main() {}\n", "code");
    let out = client.push(&["origin", "main"]);
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(server.refs().contains(&id));
}

#[test]
fn an_allowed_false_positive_is_accepted() {
    let (server, client) = pre_receive_setup();
    let id = client.commit_file(
        "tests/fixture.py",
        format!("SAMPLE = \"{GH1}\"  # leakgate:allow\n"),
        "fixture",
    );
    let out = client.push(&["origin", "main"]);
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(server.refs().contains(&id));
}

#[test]
fn secret_added_then_removed_in_the_same_push_is_rejected() {
    let (server, client) = pre_receive_setup();
    let before = server.refs();
    let bad = client.commit_file("a.env", format!("T={GH3}\n"), "oops");
    client.commit_file("a.env", "T=from-the-vault\n", "remove it");
    let out = client.push(&["origin", "main"]);
    let text = assert_rejected(&out);
    assert!(
        text.contains(&bad[..12]),
        "blames the commit that added it: {text}"
    );
    assert_eq!(server.refs(), before);
}

/// A server that already holds a commit with a secret (pushed before the hook).
fn server_with_old_secret() -> (Bare, Repo, String) {
    let server = Bare::new();
    let client = Repo::with_origin(&server);
    client.commit_file("README.md", "hello\n", "readme");
    let secret = client.commit_file("old.txt", format!("{GH4}\n"), "old secret");
    let out = client.push(&["origin", "main"]);
    assert!(out.status.success(), "{}", all_output(&out));
    server.install_pre_receive("");
    (server, client, secret)
}

#[test]
fn new_branch_of_commits_the_server_has_is_accepted() {
    let (server, client, secret) = server_with_old_secret();
    client.git(&["branch", "feature"]);
    let out = client.push(&["origin", "feature"]);
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(server
        .refs()
        .contains(&format!("{secret} refs/heads/feature")));
    // A clean commit on top of a history that holds a secret is judged alone.
    client.commit_file("b.txt", "fine\n", "clean");
    let out = client.push(&["origin", "main"]);
    assert!(out.status.success(), "{}", all_output(&out));
}

#[test]
fn new_branch_with_a_new_secret_is_rejected() {
    let (server, client) = pre_receive_setup();
    client.git(&["checkout", "-q", "-b", "topic"]);
    client.commit_file("t.py", format!("k = '{GH1}'\n"), "topic");
    let out = client.push(&["origin", "topic"]);
    assert_rejected(&out);
    assert!(!server.refs().contains("refs/heads/topic"));
}

#[test]
fn deleting_a_branch_is_accepted() {
    let (server, client, _) = server_with_old_secret();
    client.git(&["push", "-q", "--no-verify", "origin", "main:doomed"]);
    assert!(server.refs().contains("refs/heads/doomed"));
    let out = client.push(&["origin", "--delete", "doomed"]);
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(!server.refs().contains("refs/heads/doomed"));
}

#[test]
fn push_of_many_commits_finds_the_one_secret() {
    let (server, client) = pre_receive_setup();
    let before = server.refs();
    let mut bad = String::new();
    for i in 0..80 {
        let text = if i == 41 {
            format!("line {i}\nsecret = \"{GH2}\"\n")
        } else {
            format!("line {i}\n")
        };
        let id = client.commit_file(&format!("f{}.txt", i % 7), text, &format!("c{i}"));
        if i == 41 {
            bad = id;
        }
    }
    let out = client.push(&["origin", "main"]);
    let text = assert_rejected(&out);
    assert!(text.contains(&bad[..12]), "{text}");
    assert!(text.contains("1 secret"), "{text}");
    assert!(
        text.contains("80 commits"),
        "judged the 80 new commits: {text}"
    );
    assert_eq!(server.refs(), before);
}

#[test]
fn many_clean_commits_are_accepted() {
    let (server, client) = pre_receive_setup();
    for i in 0..60 {
        client.commit_file(&format!("d/f{}.txt", i % 5), format!("v{i}\n"), "c");
    }
    let out = client.push(&["origin", "main"]);
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(server.refs().contains(&client.head()));
}

#[test]
fn force_push_is_judged_on_the_rewritten_commits() {
    let (server, client) = pre_receive_setup();
    client.commit_file("x.txt", "one\n", "x");
    assert!(client.push(&["origin", "main"]).status.success());
    let before = server.refs();
    client.stage("x.txt", format!("one\n{GH3}\n"));
    client.git(&[
        "commit",
        "-q",
        "--amend",
        "--no-verify",
        "-m",
        "x rewritten",
    ]);
    let out = client.push(&["--force", "origin", "main"]);
    assert_rejected(&out);
    assert_eq!(server.refs(), before);
    client.stage("x.txt", "two\n");
    client.git(&["commit", "-q", "--amend", "--no-verify", "-m", "x clean"]);
    let out = client.push(&["--force", "origin", "main"]);
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(server.refs().contains(&client.head()));
}

#[test]
fn tag_pushes_are_judged() {
    let (server, client) = pre_receive_setup();
    client.git(&["checkout", "-q", "--detach"]);
    client.commit_file("rel.txt", format!("{GH4}\n"), "release");
    client.git(&["tag", "-a", "-m", "release", "v1"]);
    client.git(&["tag", "light"]);
    let out = client.push(&["origin", "v1"]);
    let text = assert_rejected(&out);
    assert!(
        text.contains("rel.txt"),
        "the annotated tag is peeled: {text}"
    );
    assert_rejected(&client.push(&["origin", "light"]));
    assert!(!server.refs().contains("refs/tags/"));
    client.git(&["checkout", "-q", "main"]);
    client.git(&["tag", "-a", "-m", "clean", "v0"]);
    let out = client.push(&["origin", "v0"]);
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(server.refs().contains("refs/tags/v0"));
}

#[test]
fn merge_is_judged_only_for_lines_new_against_every_parent() {
    // The side branch (on the server before the hook) holds a secret; merging it
    // adds that line to main, but it is not new against the side parent.
    let server = Bare::new();
    let client = Repo::with_origin(&server);
    client.commit_file("README.md", "hello\n", "readme");
    client.git(&["checkout", "-q", "-b", "side"]);
    client.commit_file("side.txt", format!("{GH1}\n"), "side secret");
    client.git(&["push", "-q", "origin", "main", "side"]);
    server.install_pre_receive("");
    client.git(&["checkout", "-q", "main"]);
    client.commit_file("main.txt", "main\n", "main work");
    client.git(&["merge", "-q", "--no-edit", "--no-verify", "side"]);
    let out = client.push(&["origin", "main"]);
    assert!(out.status.success(), "{}", all_output(&out));
    // A merge resolution that writes a secret of its own is rejected.
    client.git(&["checkout", "-q", "-b", "a"]);
    client.commit_file("conf.txt", "value = a\n", "a");
    client.git(&["checkout", "-q", "-b", "b", "main"]);
    client.commit_file("conf.txt", "value = b\n", "b");
    let merge = client.git_output(&["merge", "-q", "--no-verify", "a"]);
    assert!(!merge.status.success(), "a conflict is wanted");
    client.stage("conf.txt", format!("value = \"{GH2}\"\n"));
    client.git(&["commit", "-q", "--no-verify", "--no-edit"]);
    let before = server.refs();
    let out = client.push(&["origin", "b"]);
    let text = assert_rejected(&out);
    assert!(text.contains("conf.txt:1"), "{text}");
    assert!(
        text.contains(&client.head()[..12]),
        "blames the merge: {text}"
    );
    assert_eq!(server.refs(), before);
}

#[test]
fn timeout_rejects_by_default_and_can_accept() {
    let (server, client) = pre_receive_setup();
    // 6 MiB of text takes far longer than a millisecond to diff and scan.
    server.install_pre_receive("--timeout 0.001");
    let big: String = (0..200_000)
        .map(|i| format!("line {i} of a big generated file\n"))
        .collect();
    client.commit_file("big.txt", big, "big");
    let out = client.push(&["origin", "main"]);
    let text = assert_rejected(&out);
    assert!(text.contains("--timeout"), "{text}");
    server.install_pre_receive("--timeout 0.001 --on-timeout accept");
    let out = client.push(&["origin", "main"]);
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(all_output(&out).contains("warning"), "{}", all_output(&out));
}

#[test]
fn a_scan_that_cannot_run_rejects_by_default_and_can_accept() {
    let (server, client) = pre_receive_setup();
    server.install_pre_receive("--config /nonexistent/leakgate.yaml");
    client.commit_file("a.txt", "fine\n", "a");
    let text = assert_rejected(&client.push(&["origin", "main"]));
    assert!(text.contains("cannot scan the push"), "{text}");
    server.install_pre_receive("--config /nonexistent/leakgate.yaml --on-error accept");
    let out = client.push(&["origin", "main"]);
    assert!(out.status.success(), "{}", all_output(&out));
}

#[test]
fn server_config_adds_rules() {
    let (server, client) = pre_receive_setup();
    let config = server.path().join("leakgate.yaml");
    std::fs::write(
        &config,
        "rules:\n  - id: internal-token\n    name: Internal token\n    severity: high\n    \
         keywords: [itok_]\n    pattern: '\\b(itok_[a-z0-9]{20})\\b'\n    \
         examples: ['itok_abcdefghij0123456789']\n",
    )
    .unwrap();
    server.install_pre_receive(&format!("--config {}", config.display()));
    client.commit_file("t.txt", "t = itok_q8w7e6r5t4y3u2i1o0pa\n", "internal");
    let text = assert_rejected(&client.push(&["origin", "main"]));
    assert!(text.contains("internal-token"), "{text}");
}
