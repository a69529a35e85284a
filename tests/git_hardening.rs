//! Hardening of the git sources (issue 10), through real `git commit` and
//! `git push` with the installed hooks: corrupt objects and indexes fail closed
//! and never hang, refs to blobs and trees, messages, renames out of allowed
//! paths, multi-line secrets completed by a later change, repository formats.

mod common;
use common::*;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Runs `cmd`, killing it if it has not finished after `secs` seconds (a hang is
/// the bug some of these tests guard against: the test must fail, not hang).
fn output_within(cmd: &mut Command, secs: u64) -> Output {
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(secs);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!("hung for {secs} s: {}", all_output(&out));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

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
