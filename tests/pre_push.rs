//! `leakgate pre-push` as a clone's pre-push hook, driven by real `git push` to a
//! bare repository over the local file transport.

mod common;
use common::{fake::*, *};

#[test]
fn push_with_a_secret_is_stopped_before_it_leaves() {
    let (server, client) = pre_push_setup();
    let before = server.refs();
    let id = client.commit_file("deploy/env.sh", format!("export T={GH1}\n"), "env");
    let out = client.push(&["origin", "main"]);
    let text = all_output(&out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("deploy/env.sh:1:10"), "{text}");
    assert!(text.contains(&id[..12]), "{text}");
    assert!(text.contains("the push is rejected"), "{text}");
    assert!(!text.contains(GH1), "{text}");
    assert_eq!(server.refs(), before, "nothing reached the remote");
}

#[test]
fn commits_the_remote_has_are_not_judged_again() {
    let (server, client) = pre_push_setup();
    client.commit_file("old.txt", format!("{GH2}\n"), "old secret");
    let out = client.git_output(&["push", "-q", "--no-verify", "origin", "main"]);
    assert!(out.status.success(), "{}", all_output(&out));
    client.commit_file("new.txt", "clean\n", "clean");
    let out = client.push(&["origin", "main"]);
    assert!(out.status.success(), "{}", all_output(&out));
    // A new branch at a commit the remote has (via remote-tracking refs) is clean too.
    client.git(&["branch", "copy", "HEAD~1"]);
    let out = client.push(&["origin", "copy"]);
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(server.refs().contains("refs/heads/copy"));
}

#[test]
fn new_branch_with_a_secret_is_stopped_and_deletion_passes() {
    let (server, client) = pre_push_setup();
    client.git(&["checkout", "-q", "-b", "topic"]);
    client.commit_file("k.txt", format!("{GH3}\n"), "k");
    let out = client.push(&["origin", "topic"]);
    assert!(!out.status.success(), "{}", all_output(&out));
    client.git(&["push", "-q", "--no-verify", "origin", "topic"]);
    let out = client.push(&["origin", "--delete", "topic"]);
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(!server.refs().contains("refs/heads/topic"));
}
