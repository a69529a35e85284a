//! Hardening of the git sources (issue 10), through real `git commit` and
//! `git push` with the installed hooks: corrupt objects and indexes fail closed
//! and never hang, refs to blobs and trees, messages, renames out of allowed
//! paths, multi-line secrets completed by a later change, repository formats.

mod common;
use common::{fake::*, *};
use std::process::Output;

/// The loose object file of `id` in `repo`, made writable.
fn loose_file(repo: &Repo, id: &str) -> std::path::PathBuf {
    let f = repo
        .path()
        .join(".git/objects")
        .join(&id[..2])
        .join(&id[2..]);
    let mut perms = std::fs::metadata(&f).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&f, perms).unwrap();
    f
}

fn truncate(path: &std::path::Path, len: u64) {
    let f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.set_len(len).unwrap();
}

/// Many distinct lines, so the object compresses to well over 200 bytes.
fn numbered_lines(n: usize) -> String {
    (0..n).map(|i| format!("line {i} of the data\n")).collect()
}

#[test]
fn a_truncated_staged_blob_blocks_the_commit_naming_the_object() {
    let repo = Repo::new();
    repo.install();
    repo.commit_file("README.md", "hello\n", "init");
    repo.stage("data.txt", numbered_lines(20_000));
    let id = repo.git(&["rev-parse", ":data.txt"]).trim().to_string();
    truncate(&loose_file(&repo, &id), 200);
    let out = output_within(
        git_cmd(repo.path()).args(["commit", "-q", "-m", "data"]),
        60,
    );
    let text = all_output(&out);
    assert!(!out.status.success(), "the commit is blocked: {text}");
    assert_eq!(repo.commit_count(), 1, "nothing is committed");
    assert!(text.contains(&id), "names the bad object: {text}");
    assert!(text.contains("corrupt"), "{text}");
    let out = output_within(leakgate(repo.path()).arg("staged"), 60);
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
}

#[test]
fn a_truncated_head_tree_is_exit_2_naming_the_object() {
    let repo = Repo::new();
    let files: String = (0..300).map(|i| format!("file{i}.txt ")).collect();
    for name in files.split_whitespace() {
        repo.write(name, name);
    }
    repo.git(&["add", "."]);
    repo.commit_unchecked("many files");
    let tree = repo.git(&["rev-parse", "HEAD^{tree}"]).trim().to_string();
    repo.stage("file0.txt", "changed\n");
    truncate(&loose_file(&repo, &tree), 100);
    let out = output_within(leakgate(repo.path()).arg("staged"), 60);
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains(&tree), "names the bad tree: {text}");
}

#[test]
fn a_corrupt_index_with_a_huge_count_is_exit_2_not_an_abort() {
    let repo = Repo::new();
    repo.commit_file("a.txt", "a\n", "init");
    let index = repo.path().join(".git/index");
    let mut bytes = std::fs::read(&index).unwrap();
    bytes[8..12].copy_from_slice(&u32::MAX.to_be_bytes());
    std::fs::write(&index, &bytes).unwrap();
    let out = output_within(leakgate(repo.path()).arg("staged"), 60);
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("index"), "{text}");
    assert!(text.contains("corrupt"), "{text}");
    assert!(text.contains("4294967295 entries"), "{text}");
}

#[test]
fn a_corrupt_cache_tree_nested_deep_is_exit_2_not_a_stack_overflow() {
    let repo = Repo::new();
    repo.commit_file("a.txt", "a\n", "init");
    let index = repo.path().join(".git/index");
    let bytes = std::fs::read(&index).unwrap();
    let mut body = Vec::new();
    for _ in 0..200_000 {
        body.extend_from_slice(b"a\0-1 1\n");
    }
    let mut ext = b"TREE".to_vec();
    ext.extend((body.len() as u32).to_be_bytes());
    ext.extend(body);
    // The entries, then the hostile extension in place of any real one, then a
    // trailer (leakgate does not verify it, as git does not on ordinary reads).
    let entries_end = 12 + ((62 + "a.txt".len() + 8) & !7);
    let mut hostile = bytes[..entries_end].to_vec();
    hostile.extend(ext);
    hostile.extend([0u8; 20]);
    std::fs::write(&index, &hostile).unwrap();
    let out = output_within(leakgate(repo.path()).arg("staged"), 60);
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("cache tree"), "{text}");
}

#[test]
fn history_in_a_blobless_partial_clone_is_exit_2_naming_the_missing_blob() {
    let server = Repo::new();
    server.commit_file("a.txt", "first\n", "one");
    server.commit_file("a.txt", "second\n", "two");
    server.git(&["config", "uploadpack.allowFilter", "true"]);
    let dir = tempfile::tempdir().unwrap();
    let url = format!("file://{}", server.path().display());
    let out = git_cmd(dir.path())
        .args([
            "clone",
            "-q",
            "--no-checkout",
            "--filter=blob:none",
            &url,
            "c",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    let out = output_within(leakgate(&dir.path().join("c")).arg("history"), 60);
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(2), "never clean: {text}");
    assert!(
        text.contains("a.txt"),
        "names what could not be read: {text}"
    );
    assert!(text.contains("partial clone"), "says what to do: {text}");
}

#[test]
fn history_reads_a_directory_whose_name_is_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let repo = Repo::new();
    let dir = std::ffi::OsStr::from_bytes(b"caf\xe9");
    std::fs::create_dir(repo.path().join(dir)).unwrap();
    std::fs::write(
        repo.path().join(dir).join("config.py"),
        format!("TOKEN = \"{}\"\n", fake::GH1),
    )
    .unwrap();
    repo.git(&["add", "-A"]);
    repo.commit_unchecked("latin-1 directory");
    let out = output_within(leakgate(repo.path()).arg("history"), 60);
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(1), "the secret is found: {text}");
    assert!(text.contains("config.py"), "{text}");
}

/// Writes `content` as a blob (no commit, no tree) and returns its id.
fn hash_object(repo: &Repo, content: &str) -> String {
    repo.write("loose.txt", content);
    let id = repo.git(&["hash-object", "-w", "loose.txt"]);
    std::fs::remove_file(repo.path().join("loose.txt")).unwrap();
    id.trim().to_string()
}

/// A tree holding `creds/key.txt` with `content`, and its id.
fn tree_object(repo: &Repo, content: &str) -> String {
    let blob = hash_object(repo, content);
    let inner = pipe(repo, &["mktree"], &format!("100644 blob {blob}\tkey.txt\n"));
    pipe(repo, &["mktree"], &format!("040000 tree {inner}\tcreds\n"))
}

/// Runs git with `input` on stdin; its trimmed stdout.
fn pipe(repo: &Repo, args: &[&str], input: &str) -> String {
    let out = with_input(git_cmd(repo.path()).args(args), input.as_bytes());
    assert!(out.status.success(), "{}", all_output(&out));
    stdout(&out).trim().to_string()
}

fn assert_rejected(server: &Bare, before: &str, out: &Output, expect: &str) {
    let text = all_output(out);
    assert!(!out.status.success(), "the push is rejected: {text}");
    assert!(text.contains("github-classic-pat"), "{text}");
    assert!(text.contains(expect), "says where: {text}");
    assert!(
        !text.contains(GH1) && !text.contains(GH2),
        "redacted: {text}"
    );
    assert_eq!(server.refs(), before, "no ref moved");
}

#[test]
fn pre_receive_rejects_a_tag_that_points_straight_at_a_blob() {
    let (server, client) = pre_receive_setup();
    let before = server.refs();
    let blob = hash_object(&client, &format!("token: {GH1}\n"));
    client.git(&["tag", "creds", &blob]);
    let out = client.push(&["origin", "refs/tags/creds"]);
    assert_rejected(&server, &before, &out, "refs/tags/creds");
}

#[test]
fn pre_receive_rejects_an_annotated_tag_of_a_tree_and_any_ref_name() {
    let (server, client) = pre_receive_setup();
    let before = server.refs();
    let tree = tree_object(&client, &format!("token: {GH1}\n"));
    client.git(&["tag", "-a", "-m", "a tree", "treetag", &tree]);
    let out = client.push(&["origin", "refs/tags/treetag"]);
    assert_rejected(&server, &before, &out, "refs/tags/treetag:creds/key.txt");
    let blob = hash_object(&client, &format!("token: {GH1}\n"));
    let out = client.push(&["origin", &format!("{blob}:refs/anything/x")]);
    assert_rejected(&server, &before, &out, "refs/anything/x");
}

#[test]
fn pre_push_stops_a_tag_of_a_blob_and_of_a_tree() {
    let (server, client) = pre_push_setup();
    let before = server.refs();
    let blob = hash_object(&client, &format!("token: {GH1}\n"));
    client.git(&["tag", "creds", &blob]);
    let out = client.push(&["origin", "refs/tags/creds"]);
    assert_rejected(&server, &before, &out, "refs/tags/creds");
    let tree = tree_object(&client, &format!("token: {GH1}\n"));
    client.git(&["tag", "-a", "-m", "a tree", "treetag", &tree]);
    let out = client.push(&["origin", "refs/tags/treetag"]);
    assert_rejected(&server, &before, &out, "creds/key.txt");
}

#[test]
fn history_walks_refs_to_blobs_trees_and_tags_of_tags() {
    let repo = Repo::new();
    repo.commit_file("README.md", "hello\n", "readme");
    let blob = hash_object(&repo, &format!("token: {GH1}\n"));
    repo.git(&["tag", "blobtag", &blob]);
    let tree = tree_object(&repo, &format!("token: {GH2}\n"));
    repo.git(&["tag", "-a", "-m", "inner", "inner", &tree]);
    repo.git(&["tag", "-a", "-m", "outer", "outer", "inner"]);
    repo.git(&["tag", "-d", "inner"]);
    let out = output_within(
        leakgate(repo.path()).args(["history", "--format", "json"]),
        60,
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    assert!(text.contains("\"refs/tags/blobtag\""), "{text}");
    assert!(text.contains("refs/tags/outer:creds/key.txt"), "{text}");
}

#[test]
fn commit_messages_are_judged_by_pre_receive_pre_push_and_history() {
    let (server, client) = pre_receive_setup();
    let before = server.refs();
    client.stage("notes.txt", "nothing secret here\n");
    client.git(&[
        "commit",
        "-q",
        "--no-verify",
        "-m",
        &format!("debug with {GH1}"),
    ]);
    let id = client.head();
    let out = client.push(&["origin", "main"]);
    assert_rejected(&server, &before, &out, &format!("commit {id} message"));

    assert!(
        all_output(&out).contains("remote:"),
        "pre-receive stopped it"
    );
    let out = client.leakgate(&["install", "--hook", "pre-push"]);
    assert!(out.status.success(), "{}", all_output(&out));
    let out = client.push(&["origin", "main"]);
    assert_rejected(&server, &before, &out, &format!("commit {id} message"));
    assert!(!all_output(&out).contains("remote:"), "pre-push stopped it");

    let out = output_within(leakgate(client.path()).arg("history"), 60);
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains(&format!("commit {id} message")), "{text}");
}

#[test]
fn tag_messages_are_judged_by_pre_receive_and_history() {
    let (server, client) = pre_receive_setup();
    let before = server.refs();
    client.git(&["tag", "-a", "-m", &format!("release, token {GH2}"), "v1"]);
    let out = client.push(&["origin", "refs/tags/v1"]);
    assert_rejected(&server, &before, &out, "tag v1 message");
    let out = output_within(leakgate(client.path()).arg("history"), 60);
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("tag v1 message"), "{text}");
}

#[test]
fn pre_push_to_a_url_does_not_judge_again_what_a_remote_has() {
    let (server, client) = pre_push_setup();
    client.commit_file("old.txt", format!("{GH1}\n"), "old secret");
    let out = client.git_output(&["push", "-q", "--no-verify", "origin", "main"]);
    assert!(out.status.success(), "{}", all_output(&out));
    client.commit_file("new.txt", "clean\n", "clean");
    // The URL of `origin`: its remote-tracking refs are the boundary.
    let out = client.push(&[&server.url(), "main"]);
    assert!(out.status.success(), "{}", all_output(&out));
    // A URL no remote has: what any remote has was judged when pushed there.
    let other = Bare::new();
    client.commit_file("newer.txt", "clean too\n", "clean");
    let out = client.push(&[&other.url(), "main"]);
    assert!(out.status.success(), "{}", all_output(&out));
    // What is new is still judged when pushing to a URL.
    client.commit_file("leak.txt", format!("{GH2}\n"), "leak");
    let out = client.push(&[&other.url(), "main"]);
    let text = all_output(&out);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("leak.txt") && !text.contains("old.txt"),
        "{text}"
    );
}

/// A made-up RSA key body: `lines` lines of 64 base64 characters from `seed`.
fn key_body(seed: u64, lines: usize) -> String {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = String::from("MIIEowIBAAKCAQEA");
    for i in 0..lines * 64 - 16 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.push(B64[(x % 64) as usize] as char);
        if (i + 17) % 64 == 0 {
            out.push('\n');
        }
    }
    out.push('\n');
    out
}

const BEGIN: &str = "-----BEGIN RSA PRIVATE KEY-----\n";
const END: &str = "-----END RSA PRIVATE KEY-----\n";

#[test]
fn a_key_body_pasted_between_committed_pem_lines_is_blocked() {
    let repo = Repo::new();
    repo.install();
    repo.stage(
        "deploy/key.pem",
        format!("# paste the key below\n{BEGIN}{END}"),
    );
    let out = repo.commit("key template");
    assert!(
        out.status.success(),
        "an empty template is clean: {}",
        all_output(&out)
    );
    repo.stage(
        "deploy/key.pem",
        format!("# paste the key below\n{BEGIN}{}{END}", key_body(1, 20)),
    );
    let out = repo.commit("fill in the key");
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("private-key-rsa"), "{text}");
    assert!(
        text.contains("deploy/key.pem:3"),
        "points at the first body line: {text}"
    );
}

#[test]
fn a_key_replaced_in_place_is_blocked_by_pre_commit_and_pre_receive() {
    let server = Bare::new();
    let client = Repo::with_origin(&server);
    client.commit_file(
        "k.pem",
        format!("{BEGIN}{}{END}", key_body(2, 20)),
        "old key",
    );
    let out = client.push(&["origin", "main"]);
    assert!(out.status.success(), "{}", all_output(&out));
    server.install_pre_receive("");
    client.install();
    client.stage("k.pem", format!("{BEGIN}{}{END}", key_body(3, 20)));
    let out = client.commit("rotate the key");
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("k.pem:2"), "{text}");
    client.git(&["commit", "-q", "--no-verify", "-m", "rotate the key"]);
    let before = server.refs();
    let out = client.push(&["origin", "main"]);
    let text = all_output(&out);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("private-key-rsa") && text.contains("k.pem:2"),
        "{text}"
    );
    assert_eq!(server.refs(), before);
}

#[test]
fn a_key_body_pasted_later_is_rejected_by_pre_receive() {
    let (server, client) = pre_receive_setup();
    client.commit_file("t.pem", format!("{BEGIN}{END}"), "template");
    let out = client.push(&["origin", "main"]);
    assert!(out.status.success(), "{}", all_output(&out));
    let before = server.refs();
    client.commit_file("t.pem", format!("{BEGIN}{}{END}", key_body(4, 20)), "key");
    let out = client.push(&["origin", "main"]);
    let text = all_output(&out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("t.pem:2"), "{text}");
    assert_eq!(server.refs(), before);
}

const ALLOW_TESTS: &str = "allow:\n  paths: ['tests/**']\n";

#[test]
fn a_secret_moved_out_of_an_allowed_path_is_judged_by_every_hook_and_history() {
    let server = Bare::new();
    let client = Repo::with_origin(&server);
    client.stage(".leakgate.yaml", ALLOW_TESTS);
    client.stage("tests/fixtures/keys.py", format!("KEY = \"{GH1}\"\n"));
    client.install();
    let out = client.commit("fixtures");
    assert!(out.status.success(), "allowed: {}", all_output(&out));
    let out = client.push(&["origin", "main"]);
    assert!(out.status.success(), "{}", all_output(&out));
    server.install_pre_receive("");
    let out = client.leakgate(&["install", "--hook", "pre-push"]);
    assert!(out.status.success(), "{}", all_output(&out));

    std::fs::create_dir(client.path().join("src")).unwrap();
    client.git(&["mv", "tests/fixtures/keys.py", "src/keys.py"]);
    let out = client.commit("move the keys");
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(1), "pre-commit: {text}");
    assert!(text.contains("src/keys.py:1"), "{text}");

    client.git(&["commit", "-q", "--no-verify", "-m", "move the keys"]);
    let before = server.refs();
    let out = client.push(&["origin", "main"]);
    let text = all_output(&out);
    assert!(
        !out.status.success() && !text.contains("remote:"),
        "pre-push: {text}"
    );
    assert!(text.contains("src/keys.py:1"), "{text}");
    let out = client.push(&["--no-verify", "origin", "main"]);
    let text = all_output(&out);
    assert!(
        !out.status.success() && text.contains("remote:"),
        "pre-receive: {text}"
    );
    assert!(text.contains("src/keys.py:1"), "{text}");
    assert_eq!(server.refs(), before);

    let out = output_within(leakgate(client.path()).arg("history"), 60);
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(1), "history: {text}");
    assert!(text.contains("src/keys.py:1"), "{text}");
}

#[test]
fn a_secret_copied_out_of_an_allowed_path_is_a_new_finding() {
    let repo = Repo::new();
    repo.stage(".leakgate.yaml", ALLOW_TESTS);
    repo.stage("tests/keys.py", format!("KEY = \"{GH2}\"\n"));
    repo.install();
    let out = repo.commit("fixtures");
    assert!(out.status.success(), "{}", all_output(&out));
    repo.stage("tests/keys.py", format!("KEY = \"{GH2}\"\n# touched\n"));
    repo.stage("app/keys.py", format!("KEY = \"{GH2}\"\n"));
    let out = repo.commit("copy the keys");
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("app/keys.py:1"), "{text}");
}

/// Commits a change with a long message (so its loose object is long enough to
/// cut in the middle of its data) and returns the commit id.
fn commit_long_message(repo: &Repo, path: &str) -> String {
    repo.stage(path, "clean\n");
    repo.git(&["commit", "-q", "--no-verify", "-m", &numbered_lines(200)]);
    repo.head()
}

#[test]
fn a_truncated_loose_commit_is_exit_2_in_history_not_a_hang() {
    let repo = Repo::new();
    let first = commit_long_message(&repo, "a.txt");
    commit_long_message(&repo, "b.txt");
    truncate(&loose_file(&repo, &first), 120);
    let out = output_within(leakgate(repo.path()).arg("history"), 60);
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains(&first) && text.contains("corrupt"), "{text}");
}

#[test]
fn a_truncated_loose_commit_blocks_pre_push_not_a_hang() {
    let (server, client) = pre_push_setup();
    let tip = commit_long_message(&client, "a.txt");
    truncate(&loose_file(&client, &tip), 120);
    let zero = "0".repeat(40);
    let line = format!("refs/heads/main {tip} refs/heads/main {zero}\n");
    let mut cmd = leakgate(client.path());
    cmd.args(["pre-push", "origin", &server.url()]);
    let out = with_input(&mut cmd, line.as_bytes());
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains(&tip) && text.contains("corrupt"), "{text}");
}

#[test]
fn a_truncated_loose_commit_on_the_server_fails_pre_receive_closed() {
    let (server, client) = pre_receive_setup();
    let tip = server.git(&["rev-parse", "main"]).trim().to_string();
    let file = server
        .path()
        .join("objects")
        .join(&tip[..2])
        .join(&tip[2..]);
    assert!(file.is_file(), "the pushed commit is loose on the server");
    let mut perms = std::fs::metadata(&file).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&file, perms).unwrap();
    let len = std::fs::metadata(&file).unwrap().len();
    truncate(&file, len / 2);
    client.git(&["checkout", "-q", "--orphan", "other"]);
    client.commit_file("leak.txt", format!("{GH1}\n"), "leak");
    let before = server.refs();
    let mut push = git_cmd(client.path());
    push.args(["push", "-q", "origin", "other"]);
    let out = output_within(&mut push, 60);
    let text = all_output(&out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains(&tip) && text.contains("corrupt"), "{text}");
    assert_eq!(server.refs(), before, "no ref moved");
}

#[test]
fn message_findings_never_match_allowed_path_globs() {
    let (server, client) = pre_receive_setup();
    client.stage(
        ".leakgate.yaml",
        "allow:\n  paths: ['**/fixtures/**', '*message']\n",
    );
    client.commit_unchecked("config");
    let out = client.push(&["origin", "main"]);
    assert!(out.status.success(), "{}", all_output(&out));
    let before = server.refs();
    client.git(&["tag", "-a", "-m", &format!("token {GH1}"), "v1/fixtures/x"]);
    let out = client.push(&["origin", "refs/tags/v1/fixtures/x"]);
    assert_rejected(&server, &before, &out, "tag v1/fixtures/x message");
    client.stage("notes.txt", "nothing here\n");
    client.git(&["commit", "-q", "--no-verify", "-m", &format!("token {GH2}")]);
    let id = client.head();
    let out = client.push(&["origin", "main"]);
    let text = all_output(&out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains(&format!("commit {id} message")), "{text}");
    let out = output_within(leakgate(client.path()).arg("history"), 60);
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("tag v1/fixtures/x message"), "{text}");
    assert!(text.contains(&format!("commit {id} message")), "{text}");
}

/// Asserts that a commit through the hook was refused for `what` (named, with
/// no claim of corruption) and recorded nothing.
fn assert_refused_format(repo: &Repo, out: &Output, before: usize, what: &str) {
    let text = all_output(out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains(what), "names it: {text}");
    assert!(
        !text.contains("corrupt"),
        "a sound repository is not corrupt: {text}"
    );
    assert_eq!(repo.commit_count(), before, "nothing is committed");
}

/// Runs a shell line in the repository (for the documented workarounds).
fn sh(repo: &Repo, line: &str) -> Output {
    let mut c = std::process::Command::new("bash");
    c.args(["-c", line])
        .current_dir(repo.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("NO_COLOR", "1")
        .env("PATH", path_with_leakgate());
    c.output().unwrap()
}

/// `PATH` with the directory of the binary under test first.
fn path_with_leakgate() -> String {
    let dir = leakgate_bin().parent().unwrap().to_path_buf();
    format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

#[test]
fn a_split_index_is_refused_by_name_and_the_workaround_sticks() {
    let repo = Repo::new();
    repo.git(&["config", "core.splitIndex", "true"]);
    repo.install();
    repo.commit_file("a.txt", "a\n", "init");
    repo.stage("b.txt", "b\n");
    let out = repo.commit("b");
    assert_refused_format(&repo, &out, 1, "split index");
    assert!(all_output(&out).contains("git config core.splitIndex false"));
    let out = sh(
        &repo,
        "git config core.splitIndex false && git update-index --no-split-index",
    );
    assert!(out.status.success(), "{}", all_output(&out));
    let out = repo.commit("b");
    assert!(out.status.success(), "{}", all_output(&out));
    repo.stage("c.txt", "c\n");
    assert!(repo.commit("c").status.success());
    repo.stage("leak.txt", format!("{GH1}\n"));
    let out = repo.commit("leak");
    assert_eq!(
        out.status.code(),
        Some(1),
        "judged again: {}",
        all_output(&out)
    );
}

#[test]
fn a_sparse_index_is_refused_by_name_and_the_workaround_sticks() {
    let repo = Repo::new();
    repo.write("d1/a.txt", "a\n");
    repo.write("d2/b.txt", "b\n");
    repo.git(&["add", "."]);
    repo.commit_unchecked("init");
    repo.git(&["sparse-checkout", "set", "--sparse-index", "d1"]);
    repo.install();
    repo.stage("d1/c.txt", "c\n");
    let out = repo.commit("c");
    assert_refused_format(&repo, &out, 1, "sparse index");
    assert!(all_output(&out).contains("git sparse-checkout reapply --no-sparse-index"));
    let out = sh(&repo, "git sparse-checkout reapply --no-sparse-index");
    assert!(out.status.success(), "{}", all_output(&out));
    let out = repo.commit("c");
    assert!(out.status.success(), "{}", all_output(&out));
    repo.stage("d1/leak.txt", format!("{GH1}\n"));
    let out = repo.commit("leak");
    assert_eq!(
        out.status.code(),
        Some(1),
        "judged again: {}",
        all_output(&out)
    );
    assert!(
        !repo.path().join("d2").exists(),
        "the sparse checkout stays"
    );
}

#[test]
fn a_sha256_repository_is_refused_by_name_and_scan_still_judges_its_files() {
    let repo = Repo::new();
    let dir = tempfile::tempdir().unwrap();
    let out = git_cmd(dir.path())
        .args(["init", "-q", "--object-format=sha256", "-b", "main"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    let sha = Repo { dir };
    sha.git(&["config", "user.name", "Test User"]);
    sha.git(&["config", "user.email", "test@example.com"]);
    let out = sha.leakgate(&["install"]);
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
    assert!(
        stderr(&out).contains("SHA-256 repository"),
        "{}",
        all_output(&out)
    );
    // A hook installed by hand (copied from a SHA-1 repository) fails closed.
    repo.install();
    let hook = repo.path().join(".git/hooks/pre-commit");
    std::fs::copy(&hook, sha.path().join(".git/hooks/pre-commit")).unwrap();
    sha.stage("leak.txt", format!("{GH1}\n"));
    let out = sha.commit("leak");
    assert_refused_format(&sha, &out, 0, "SHA-256 repository");
    for args in [&["staged"][..], &["history"][..]] {
        let out = sha.leakgate(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", all_output(&out));
        assert!(stderr(&out).contains("SHA-256"), "{}", all_output(&out));
    }
    let out = sh(
        &sha,
        "git diff --cached --name-only -z --diff-filter=d | xargs -0 -r leakgate scan --",
    );
    let text = all_output(&out);
    assert!(!out.status.success(), "the workaround judges it: {text}");
    assert!(text.contains("leak.txt:1") && !text.contains(GH1), "{text}");
}
