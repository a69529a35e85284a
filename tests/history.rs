//! `leakgate history`: every secret in a repository's history, once each, with the
//! commit that introduced it.

mod common;
use common::{fake::*, *};
use serde_json::Value;

/// A history with a secret in a file later deleted, one in an old version of a file,
/// one only on another branch, one written by a merge resolution, and one that
/// stays in the file over several later commits.
struct Story {
    repo: Repo,
    deleted: String,
    old_version: String,
    branch: String,
    merge: String,
    kept: String,
}

fn story() -> Story {
    let repo = Repo::new();
    repo.commit_file("README.md", "hello\n", "readme");
    let deleted = repo.commit_file("tmp/creds.txt", format!("{GH1}\n"), "creds");
    repo.git(&["rm", "-q", "tmp/creds.txt"]);
    repo.commit_unchecked("remove creds");
    let old_version = repo.commit_file("app.py", format!("a = 1\nkey = '{GH2}'\n"), "app");
    repo.commit_file("app.py", "a = 1\nkey = os.environ['KEY']\n", "use env");
    let kept = repo.commit_file("keep.cfg", format!("[x]\ntoken = {GH3}\n"), "keep");
    for i in 0..3 {
        repo.commit_file("keep.cfg", format!("[x]\ntoken = {GH3}\nn = {i}\n"), "edit");
    }
    repo.git(&["checkout", "-q", "-b", "other"]);
    let branch = repo.commit_file("other/b.txt", format!("x\n{GH4}\n"), "on a branch");
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["checkout", "-q", "-b", "a"]);
    repo.commit_file("conf.txt", "value = a\n", "a");
    repo.git(&["checkout", "-q", "main"]);
    repo.commit_file("conf.txt", "value = b\n", "b");
    assert!(!repo.git_output(&["merge", "-q", "a"]).status.success());
    let resolution = github_pat("Zq3Vb7Nm1Kp5Lr9Ts2Wx6Yc8Ud4Fe0");
    repo.stage("conf.txt", format!("value = \"{resolution}\"\n"));
    repo.git(&["commit", "-q", "--no-verify", "--no-edit"]);
    let merge = repo.head();
    Story {
        repo,
        deleted,
        old_version,
        branch,
        merge,
        kept,
    }
}

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", all_output(out)))
}

/// (path, commit, line) of each finding, sorted.
fn found(findings: &[Value]) -> Vec<(String, String, u64)> {
    let mut v: Vec<_> = findings
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["commit"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

fn expected(s: &Story) -> Vec<(String, String, u64)> {
    let mut v = vec![
        ("app.py".to_string(), s.old_version.clone(), 2),
        ("conf.txt".to_string(), s.merge.clone(), 1),
        ("keep.cfg".to_string(), s.kept.clone(), 2),
        ("other/b.txt".to_string(), s.branch.clone(), 2),
        ("tmp/creds.txt".to_string(), s.deleted.clone(), 1),
    ];
    v.sort();
    v
}

#[test]
fn finds_every_secret_once_with_the_commit_that_introduced_it() {
    let s = story();
    let out = s.repo.leakgate(&["history", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    let doc = json(&out);
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(found(findings), expected(&s));
    assert!(findings
        .iter()
        .all(|f| f["secret"].as_str().unwrap().contains('*')));
    assert!(findings.iter().all(|f| f["author"] == "Test User"));
    let summary = &doc["summary"];
    assert_eq!(summary["scan"], "history");
    assert_eq!(
        summary["commits"],
        s.repo
            .git(&["rev-list", "--all", "--count"])
            .trim()
            .parse::<u64>()
            .unwrap()
    );
    assert_eq!(summary["findings"], 5);
}

#[test]
fn jsonl_streams_the_same_findings_then_a_summary() {
    let s = story();
    let out = s
        .repo
        .leakgate(&["history", "--format", "jsonl", "-j", "2"]);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (last, findings) = lines.split_last().unwrap();
    assert_eq!(found(findings), expected(&s));
    assert_eq!(last["summary"]["findings"], 5);
    assert_eq!(last["summary"]["scan"], "history");
}

#[test]
fn human_report_names_commits_and_counts_blobs() {
    let s = story();
    let out = s.repo.leakgate(&["history"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains(&format!("tmp/creds.txt:1:1 (commit {}", &s.deleted[..12])),
        "{text}"
    );
    assert!(text.contains("5 secrets in 5 files"), "{text}");
    assert!(text.contains("blobs"), "{text}");
    assert!(!text.contains(GH1), "redacted: {text}");
    assert!(
        !text.contains('\x1b'),
        "no progress bar or colour when piped: {text:?}"
    );
    assert!(
        stderr(&out).is_empty(),
        "no progress bar when piped: {}",
        stderr(&out)
    );
}

#[test]
fn ranges_and_dates_narrow_the_walk() {
    let s = story();
    let out = s
        .repo
        .leakgate(&["history", "main..other", "--format", "json"]);
    let doc = json(&out);
    let v = found(doc["findings"].as_array().unwrap());
    assert_eq!(v, vec![("other/b.txt".to_string(), s.branch.clone(), 2)]);
    let out = s
        .repo
        .leakgate(&["history", "--since", "2999-01-01", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    assert_eq!(json(&out)["summary"]["commits"], 0);
    let out = s.repo.leakgate(&["history", "--until", "1999-01-01"]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let out = s.repo.leakgate(&["history", "no-such-branch"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no-such-branch"), "{}", stderr(&out));
}

#[test]
fn binary_and_oversize_blobs_are_skipped_and_reported() {
    let repo = Repo::new();
    let mut bin = format!("{GH1}\n").into_bytes();
    bin.extend_from_slice(b"\0\x01\x02\x03\xff\0"); // a stray NUL alone is text
    repo.commit_file("blob.bin", bin, "binary");
    repo.commit_file("big.txt", format!("{}\n{GH2}\n", "a".repeat(200)), "big");
    let out = repo.leakgate(&["history", "--max-file-size", "100", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let skipped = &json(&out)["summary"]["skipped"];
    assert_eq!(skipped["binary"], serde_json::json!(["blob.bin"]));
    assert_eq!(
        skipped["over the size limit"],
        serde_json::json!(["big.txt"])
    );
}

#[test]
fn a_bare_repository_is_scanned_too() {
    let s = story();
    let bare = tempfile::tempdir().unwrap();
    let out = git_cmd(s.repo.path())
        .args([
            "clone",
            "-q",
            "--mirror",
            ".",
            &bare.path().to_string_lossy(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    let out = leakgate(bare.path())
        .args(["history", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        found(json(&out)["findings"].as_array().unwrap()),
        expected(&s)
    );
}
