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

/// Fails unless the commit was blocked by a finding, and nothing was committed.
fn assert_blocked(repo: &Repo, out: &std::process::Output, commits_before: usize) -> String {
    let text = all_output(out);
    assert_eq!(out.status.code(), Some(1), "expected a block: {text}");
    assert_eq!(
        repo.commit_count(),
        commits_before,
        "nothing may be committed"
    );
    text
}

fn assert_passes(out: &std::process::Output) {
    assert!(out.status.success(), "expected a pass: {}", all_output(out));
}

#[test]
fn only_the_staged_part_of_a_file_is_judged() {
    let repo = Repo::new();
    repo.install();
    repo.stage("app.py", "a = 1\n");
    repo.commit_unchecked("base");
    // The work tree adds a secret that is never staged: the commit must pass.
    repo.stage("app.py", "a = 1\nb = 2\n");
    repo.write("app.py", format!("a = 1\nb = 2\nTOKEN = '{GH1}'\n"));
    assert_passes(&repo.commit("stage b only"));
    // A secret that is staged blocks even after the work tree drops it.
    repo.stage("app.py", format!("a = 1\nb = 2\nTOKEN = '{GH2}'\n"));
    repo.write("app.py", "a = 1\nb = 2\n");
    let text = assert_blocked(&repo, &repo.commit("stage the secret"), 2);
    assert!(text.contains("app.py:3:10"), "{text}");
}

#[test]
fn only_added_lines_are_judged_and_line_numbers_are_the_staged_files() {
    let repo = Repo::new();
    repo.stage("old.txt", format!("legacy = '{GH1}'\n"));
    repo.commit_unchecked("an old secret, accepted earlier");
    repo.install();
    // Touching another line of a file that holds an old secret does not block.
    repo.stage("old.txt", format!("header\nlegacy = '{GH1}'\n"));
    assert_passes(&repo.commit("add a header"));
    // A new secret at line 4 of the staged file is reported at line 4, even though
    // the work tree has more lines above it.
    repo.stage(
        "old.txt",
        format!("header\nlegacy = '{GH1}'\n\nnew = '{GH2}'\n"),
    );
    repo.write(
        "old.txt",
        format!("x\ny\nz\nheader\nlegacy = '{GH1}'\n\nnew = '{GH2}'\n"),
    );
    let text = assert_blocked(&repo, &repo.commit("new secret"), 2);
    assert!(text.contains("old.txt:4:8"), "{text}");
    assert_eq!(text.matches("github-classic-pat").count(), 1, "{text}");
}

#[test]
fn renames_are_judged_whole_at_their_new_path() {
    // A secret at a new path is a new finding (issue 10): a rename is not a way
    // out of an allowed or baselined path.
    let repo = Repo::new();
    let body: String = (0..20).map(|i| format!("line {i}\n")).collect();
    repo.stage("a.py", format!("{body}key = '{GH1}'\n"));
    repo.commit_unchecked("old secret");
    repo.install();
    repo.git(&["mv", "a.py", "b.py"]);
    let text = assert_blocked(&repo, &repo.commit("pure rename"), 1);
    assert!(text.contains("b.py:21:8"), "{text}");
    repo.git(&["mv", "b.py", "c.py"]);
    repo.stage("c.py", format!("{body}key = '{GH1}'\nnew = '{GH3}'\n"));
    let text = assert_blocked(&repo, &repo.commit("rename and add"), 1);
    assert!(
        text.contains("c.py:21:8") && text.contains("c.py:22:8"),
        "{text}"
    );
}

#[test]
fn deleted_files_have_nothing_to_judge() {
    let repo = Repo::new();
    repo.stage("secret.env", format!("T={GH1}\n"));
    repo.commit_unchecked("old");
    repo.install();
    repo.git(&["rm", "-q", "secret.env"]);
    assert_passes(&repo.commit("remove it"));
}

#[test]
fn odd_paths_crlf_and_missing_final_newline() {
    let repo = Repo::new();
    repo.install();
    repo.stage(
        "deep/dir with space/naïve fïle.txt",
        format!("x\r\ntoken: {GH1}\r\n"),
    );
    repo.stage("no-newline.txt", format!("a\nb = {GH2}"));
    let out = repo.leakgate(&["staged", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    let at = |path: &str| {
        findings
            .iter()
            .find(|f| f["path"] == path)
            .unwrap_or_else(|| panic!("no finding in {path}: {doc}"))
    };
    let f = at("deep/dir with space/naïve fïle.txt");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(2), Some(8))
    );
    assert_eq!(
        f["end_column"].as_u64(),
        Some(47),
        "the \\r is not part of the line"
    );
    assert_eq!(f["source"], "staged");
    let f = at("no-newline.txt");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(2), Some(5))
    );
    assert!(
        !f["secret"].as_str().unwrap().contains(&GH2[8..]),
        "redacted"
    );
    assert_eq!(f["fingerprint"].as_str().unwrap().len(), 32);
}

#[test]
fn binary_files_are_skipped_and_said_so_but_invalid_utf8_is_scanned() {
    let repo = Repo::new();
    repo.install();
    let mut binary = b"\x89PNG\r\n\x1a\n\0\0\0".to_vec();
    binary.extend_from_slice(GH1.as_bytes());
    repo.stage("logo.png", &binary);
    let out = repo.leakgate(&["staged"]);
    assert_passes(&out);
    let text = all_output(&out);
    assert!(text.contains("skipped 1 file binary: logo.png"), "{text}");
    let mut latin1 = b"caf\xe9 \xff\xfe = ".to_vec();
    latin1.extend_from_slice(GH2.as_bytes());
    repo.stage("notes.txt", &latin1);
    let text = assert_blocked(&repo, &repo.commit("binary and latin-1"), 0);
    assert!(text.contains("notes.txt:1:"), "{text}");
    assert!(!text.contains("logo.png:"), "{text}");
}

#[cfg(unix)]
#[test]
fn symlinks_and_submodules_are_not_followed() {
    let repo = Repo::new();
    repo.install();
    // A symlink whose target text is a token: the link is not content.
    std::os::unix::fs::symlink(GH1, repo.path().join("link")).unwrap();
    repo.git(&["add", "link"]);
    // A gitlink (submodule entry).
    let sub = "1234567890123456789012345678901234567890";
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{sub},vendor/lib"),
    ]);
    assert_passes(&repo.commit("link and submodule"));
}

#[test]
fn commit_all_uses_gits_temporary_index() {
    let repo = Repo::new();
    repo.stage("app.py", "a = 1\n");
    repo.commit_unchecked("base");
    repo.install();
    repo.write("app.py", format!("a = 1\nt = '{GH1}'\n"));
    let out = repo.git_output(&["commit", "-q", "-a", "-m", "all"]);
    assert_blocked(&repo, &out, 1);
}

#[test]
fn multi_line_key_block_in_one_hunk() {
    let repo = Repo::new();
    repo.write(
        ".leakgate.yaml",
        r#"rules:
  - id: test-key-block
    name: Test key block
    severity: critical
    keywords: ['BEGIN TEST KEY']
    pattern: '(?s)-----BEGIN TEST KEY-----\r?\n([A-Za-z0-9+/=\r\n]{40,}?)\r?\n-----END TEST KEY-----'
    allow_placeholders: true
    examples: []
"#,
    );
    repo.install();
    let key = "-----BEGIN TEST KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\nKUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQJAIJLixBy2qpFoS4DSmoEm\n-----END TEST KEY-----\n";
    repo.stage("deploy/key.txt", format!("intro\n{key}"));
    let text = assert_blocked(&repo, &repo.commit("key"), 0);
    assert!(text.contains("test-key-block"), "{text}");
    assert!(
        text.contains("deploy/key.txt:3:1"),
        "reported at the first key line: {text}"
    );
    // An allow marker on the BEGIN line suppresses the whole block.
    let allowed = key.replacen("-----\n", "----- leakgate:allow\n", 1);
    repo.stage("deploy/key.txt", format!("intro\n{allowed}"));
    assert_passes(&repo.commit("allowed key"));
}

#[test]
fn the_hook_changes_nothing_in_the_repository() {
    let repo = Repo::new();
    repo.stage("a.txt", "one\n");
    repo.commit_unchecked("base");
    repo.install();
    repo.stage("b.txt", format!("t = {GH1}\n"));
    repo.write("a.txt", "one\ntwo (unstaged)\n");
    let status = repo.git(&["status", "--porcelain"]);
    let refs = repo.git(&["for-each-ref"]);
    // leakgate itself leaves the index byte for byte as it was (git commit may
    // refresh stat data on its own, so compare around leakgate alone).
    let index = std::fs::read(repo.path().join(".git/index")).unwrap();
    assert_eq!(repo.leakgate(&["staged"]).status.code(), Some(1));
    assert_eq!(
        std::fs::read(repo.path().join(".git/index")).unwrap(),
        index
    );
    assert_blocked(&repo, &repo.commit("blocked"), 1);
    assert_eq!(repo.git(&["status", "--porcelain"]), status);
    assert_eq!(repo.git(&["for-each-ref"]), refs);
}

#[test]
fn a_broken_config_blocks_with_exit_2_and_says_how_to_bypass() {
    let repo = Repo::new();
    repo.install();
    repo.write(".leakgate.yaml", "fail_on: high\nunknown_key: 1\n");
    repo.stage("a.txt", "hello\n");
    let out = repo.commit("x");
    assert!(!out.status.success());
    assert_eq!(repo.commit_count(), 0);
    let text = all_output(&out);
    assert!(text.contains("unknown_key"), "{text}");
    assert!(text.contains("--no-verify"), "{text}");
    assert_eq!(repo.leakgate(&["staged"]).status.code(), Some(2));
}

#[test]
fn a_corrupt_index_is_exit_2() {
    let repo = Repo::new();
    repo.stage("a.txt", "hello\n");
    std::fs::write(repo.path().join(".git/index"), b"DIRC garbage").unwrap();
    let out = repo.leakgate(&["staged"]);
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
    let text = stderr(&out);
    assert!(
        text.contains("index") && text.contains("--no-verify"),
        "{text}"
    );
}

#[test]
fn outside_a_repository_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = leakgate(dir.path())
        .env("GIT_CEILING_DIRECTORIES", dir.path().parent().unwrap())
        .arg("staged")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("git"), "{}", stderr(&out));
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let repo = Repo::new();
    repo.stage("a.txt", format!("t = {GH1}\n"));
    let piped = repo.leakgate(&["staged"]);
    assert!(!stdout(&piped).contains('\u{1b}'), "no colour when piped");
    let forced = leakgate(repo.path())
        .env_remove("NO_COLOR")
        .args(["staged", "--color", "always"])
        .output()
        .unwrap();
    assert!(stdout(&forced).contains('\u{1b}'), "colour when forced");
}

/// The findings of `leakgate staged` as (path, line, column, rule) tuples.
fn staged_findings(repo: &Repo) -> Vec<(String, u64, u64, String)> {
    let out = repo.leakgate(&["staged", "--format", "json"]);
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{}",
        all_output(&out)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut v: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["rule_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

/// One staged change, judged through every index format git writes: versions 2,
/// 3 (extended flags) and 4 (compressed paths) must agree. A split index is
/// refused with a message that says how to turn it off.
#[test]
fn every_index_format_gives_the_same_findings() {
    let repo = Repo::new();
    // A path longer than the 12-bit length field of an index entry (0xFFF), staged
    // straight into the index since no file system takes a path that long.
    let long_path = format!("{}f.txt", format!("{}/", "d".repeat(210)).repeat(20));
    let add_long = |content: String| {
        let out = with_input(
            git_cmd(repo.path()).args(["hash-object", "-w", "--stdin"]),
            content.as_bytes(),
        );
        let oid = stdout(&out);
        let info = format!("100644,{},{long_path}", oid.trim());
        repo.git(&["update-index", "--add", "--cacheinfo", &info]);
    };
    for i in 0..30 {
        repo.write(
            &format!("dir{}/sub/file{i}.txt", i % 4),
            format!("line {i}\n"),
        );
    }
    repo.git(&["add", "."]);
    add_long("x\n".to_string());
    repo.commit_unchecked("base");
    repo.stage("dir1/sub/file5.txt", format!("line 5\nt = {GH1}\n"));
    add_long(format!("x\ny = {GH2}\n"));
    repo.stage("new dir/ü.txt", format!("{GH3}\n"));
    repo.write("intent.txt", format!("{GH4}\n"));
    repo.git(&["add", "-N", "intent.txt"]); // extended flags: index version 3
    repo.git(&["rm", "-q", "--cached", "dir2/sub/file6.txt"]);
    let mut expected = vec![
        (
            "dir1/sub/file5.txt".to_string(),
            2,
            5,
            "github-classic-pat".to_string(),
        ),
        (long_path.clone(), 2, 5, "github-classic-pat".to_string()),
        (
            "new dir/ü.txt".to_string(),
            1,
            1,
            "github-classic-pat".to_string(),
        ),
    ];
    expected.sort();
    assert_eq!(staged_findings(&repo), expected, "index version 3");
    repo.git(&["update-index", "--index-version", "4"]);
    assert_eq!(staged_findings(&repo), expected, "index version 4");
    repo.git(&["update-index", "--index-version", "2"]);
    assert_eq!(staged_findings(&repo), expected, "index version 2");
    repo.git(&["update-index", "--split-index"]);
    let out = repo.leakgate(&["staged"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--no-split-index"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn moved_directories_and_file_directory_swaps() {
    let repo = Repo::new();
    repo.stage("lib/keys/a.txt", format!("a = {GH1}\n"));
    repo.stage("lib/keys/b.txt", format!("b = {GH2}\n"));
    repo.stage("thing", "a file\n");
    repo.commit_unchecked("old secrets");
    repo.install();
    std::fs::create_dir_all(repo.path().join("vendor")).unwrap();
    repo.git(&["mv", "lib/keys", "vendor/keys"]);
    let text = assert_blocked(&repo, &repo.commit("move a directory"), 1);
    assert!(text.contains("vendor/keys/a.txt:1:5"), "{text}");
    repo.commit_unchecked("move a directory");
    repo.git(&["rm", "-q", "thing"]);
    repo.stage("thing/inner.txt", format!("c = {GH3}\n"));
    let text = assert_blocked(&repo, &repo.commit("file becomes a directory"), 2);
    assert!(text.contains("thing/inner.txt:1:5"), "{text}");
}
