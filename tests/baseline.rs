//! Baselines end to end: `leakgate baseline` in real repositories, judged through
//! real `git commit`s with the installed hook, and a real `git merge` of two
//! branches that each add an entry.

mod common;
use common::{fake::*, *};

const BASELINE: &str = ".leakgate-baseline.json";

fn ok(out: &std::process::Output) {
    assert!(out.status.success(), "{}", all_output(out));
}

/// A repository whose history already holds a secret, with the hook installed.
fn legacy_repo() -> Repo {
    let repo = Repo::new();
    repo.stage(
        "app/config.py",
        format!("A = 1\nTOKEN = \"{GH1}\"\nB = 2\n"),
    );
    repo.commit_unchecked("old secret");
    repo.install();
    repo
}

fn read_baseline(repo: &Repo) -> String {
    std::fs::read_to_string(repo.path().join(BASELINE)).unwrap()
}

#[test]
fn adopting_leakgate_takes_one_command_and_later_commits_report_only_new_secrets() {
    let repo = legacy_repo();
    ok(&repo.leakgate(&["baseline", "create"]));
    let text = read_baseline(&repo);
    assert!(
        text.contains("\"rule\":\"github-classic-pat\",\"path\":\"app/config.py\""),
        "{text}"
    );
    assert!(
        !text.contains(GH1) && !text.contains(&GH1[4..20]),
        "never the secret: {text}"
    );
    repo.git(&["add", BASELINE]);
    ok(&repo.commit("accept the existing findings"));

    // The old secret moved to another, rewritten line: the baseline still holds.
    let moved = format!("A = 1\nB = 2\nC = 3\nGITHUB_TOKEN = \"{GH1}\"  # moved\n");
    repo.stage("app/config.py", &moved);
    let staged = repo.leakgate(&["staged", "--show-suppressed"]);
    let judged = stdout(&staged);
    assert!(
        judged.contains("app/config.py:4:"),
        "the line is judged: {judged}"
    );
    assert!(judged.contains("suppressed by baseline entry"), "{judged}");
    ok(&repo.commit("move code around"));

    // A new secret in the same file blocks.
    repo.stage("app/config.py", format!("{moved}OTHER = \"{GH2}\"\n"));
    let out = repo.commit("new secret");
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    assert!(
        all_output(&out).contains("app/config.py:5:"),
        "{}",
        all_output(&out)
    );
    repo.git(&["reset", "-q", "--hard"]);

    // The old secret at a new path is a new finding.
    repo.stage("lib/copy.py", format!("TOKEN = \"{GH1}\"\n"));
    let out = repo.commit("copy");
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    assert!(
        all_output(&out).contains("lib/copy.py:1:10"),
        "{}",
        all_output(&out)
    );
}

#[test]
fn no_baseline_reports_accepted_findings_again_and_show_suppressed_names_the_entry() {
    let repo = legacy_repo();
    ok(&repo.leakgate(&["baseline", "create"]));
    let scan = repo.leakgate(&["scan", ".", "--show-suppressed"]);
    ok(&scan);
    assert!(
        stdout(&scan).contains("suppressed by baseline entry"),
        "{}",
        stdout(&scan)
    );
    let scan = repo.leakgate(&["scan", ".", "--no-baseline"]);
    assert_eq!(scan.status.code(), Some(1), "{}", all_output(&scan));
    // The same from a subdirectory: paths are mapped to the repository root.
    let out = leakgate(&repo.path().join("app"))
        .args(["scan", "."])
        .output()
        .unwrap();
    ok(&out);
}

#[test]
fn create_refuses_to_overwrite_and_update_adds_only_new_findings() {
    let repo = legacy_repo();
    ok(&repo.leakgate(&["baseline", "create"]));
    let out = repo.leakgate(&["baseline", "create"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("baseline update"), "{}", stderr(&out));
    let fp1 = repo.leakgate(&["scan", ".", "--no-baseline", "-f", "json"]);
    let fp1: serde_json::Value = serde_json::from_slice(&fp1.stdout).unwrap();
    let fp1 = fp1["findings"][0]["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    ok(&repo.leakgate(&[
        "baseline",
        "audit",
        "--fingerprint",
        &fp1,
        "--verdict",
        "revoked",
        "--note",
        "rotated 2026-01",
    ]));

    repo.write("lib/new.py", format!("KEY = \"{GH3}\"\n"));
    let out = repo.leakgate(&["baseline", "update"]);
    ok(&out);
    assert!(
        stderr(&out).contains("added 1 new findings"),
        "{}",
        stderr(&out)
    );
    let text = read_baseline(&repo);
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(
        text.contains("\"verdict\":\"revoked\",\"note\":\"rotated 2026-01\""),
        "update keeps verdicts: {text}"
    );
    assert!(text.contains("lib/new.py"), "{text}");
}

#[test]
fn prune_removes_entries_whose_secret_is_gone() {
    let repo = legacy_repo();
    repo.write("lib/other.py", format!("KEY = \"{GH3}\"\n"));
    ok(&repo.leakgate(&["baseline", "create"]));
    assert_eq!(read_baseline(&repo).lines().count(), 4);
    std::fs::remove_file(repo.path().join("lib/other.py")).unwrap();
    let out = repo.leakgate(&["baseline", "prune"]);
    ok(&out);
    assert!(
        stderr(&out).contains("removed github-classic-pat in lib/other.py"),
        "{}",
        stderr(&out)
    );
    let text = read_baseline(&repo);
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(
        text.contains("app/config.py") && !text.contains("lib/other.py"),
        "{text}"
    );
}

#[test]
fn audit_records_a_verdict_without_a_terminal_and_refuses_to_prompt() {
    let repo = legacy_repo();
    ok(&repo.leakgate(&["baseline", "create"]));
    let text = read_baseline(&repo);
    let fp = &text.lines().nth(1).unwrap()[2..34];
    let out = repo.leakgate(&[
        "baseline",
        "audit",
        "--fingerprint",
        &fp[..8],
        "--verdict",
        "false-positive",
        "--note",
        "test fixture",
    ]);
    ok(&out);
    assert!(
        stderr(&out).contains("marked false-positive"),
        "{}",
        stderr(&out)
    );
    let text = read_baseline(&repo);
    assert!(
        text.contains("\"verdict\":\"false-positive\",\"note\":\"test fixture\""),
        "{text}"
    );
    let out = repo.leakgate(&["baseline", "audit"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--fingerprint"), "{}", stderr(&out));
    let out = repo.leakgate(&[
        "baseline",
        "audit",
        "--fingerprint",
        "ffffffff",
        "--verdict",
        "revoked",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_baseline_is_stable_when_code_moves() {
    let repo = legacy_repo();
    repo.write("z/last.py", format!("K = \"{GH3}\"\n"));
    ok(&repo.leakgate(&["baseline", "create"]));
    let first = read_baseline(&repo);
    repo.write("app/config.py", format!("\n\n# moved\nTOKEN = \"{GH1}\"\n"));
    ok(&repo.leakgate(&["baseline", "create", "--force"]));
    assert_eq!(
        read_baseline(&repo),
        first,
        "no line numbers, no timestamps, sorted"
    );
}

/// Sets up main with a baseline of one entry, then two branches that each add a
/// secret and record it with `baseline update`.
fn two_branches(repo: &Repo, first: &str, second: &str) {
    repo.stage("m/middle.py", format!("K = \"{GH1}\"\n"));
    repo.commit_unchecked("middle");
    ok(&repo.leakgate(&["baseline", "create"]));
    repo.git(&["add", BASELINE]);
    repo.commit_unchecked("baseline");
    for (branch, path, token) in [("one", first, GH2), ("two", second, GH3)] {
        repo.git(&["checkout", "-q", "-b", branch, "main"]);
        repo.write(path, format!("K = \"{token}\"\n"));
        ok(&repo.leakgate(&["baseline", "update"]));
        repo.git(&["add", "-A"]);
        repo.commit_unchecked(branch);
    }
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["merge", "-q", "--no-edit", "one"]);
}

#[test]
fn two_branches_that_add_entries_merge_cleanly() {
    let repo = Repo::new();
    // One entry sorts before the existing one and one after it: the last entry is
    // where a trailing-comma layout would conflict.
    two_branches(&repo, "a/first.py", "z/last.py");
    let out = repo.git_output(&["merge", "--no-edit", "two"]);
    assert!(
        out.status.success(),
        "merge conflicted: {}{}",
        stdout(&out),
        stderr(&out)
    );
    let text = read_baseline(&repo);
    assert_eq!(text.lines().count(), 5, "{text}");
    let scan = repo.leakgate(&["scan", "."]);
    ok(&scan);
    // Entries are already in place: an update changes nothing.
    ok(&repo.leakgate(&["baseline", "update"]));
    assert_eq!(read_baseline(&repo), text);
}

#[test]
fn with_merge_union_even_entries_added_at_the_same_spot_merge() {
    let repo = Repo::new();
    repo.write(".gitattributes", format!("{BASELINE} merge=union\n"));
    repo.git(&["add", ".gitattributes"]);
    two_branches(&repo, "z/one.py", "z/two.py");
    let out = repo.git_output(&["merge", "--no-edit", "two"]);
    assert!(
        out.status.success(),
        "merge conflicted: {}{}",
        stdout(&out),
        stderr(&out)
    );
    let text = read_baseline(&repo);
    assert_eq!(text.lines().count(), 5, "{text}");
    ok(&repo.leakgate(&["scan", "."]));
}

#[test]
fn a_broken_baseline_accepts_nothing_and_says_so() {
    let repo = legacy_repo();
    ok(&repo.leakgate(&["baseline", "create"]));
    repo.git(&["add", BASELINE]);
    ok(&repo.commit("baseline"));
    // Say a bad merge resolution left it broken.
    repo.write(BASELINE, "{\"leakgate_baseline\": 1\n,\"nope\"\n");
    // The old secret is no longer accepted, and the hook says why.
    repo.stage(
        "app/config.py",
        format!("X = 0\nGITHUB_TOKEN = \"{GH1}\"\n"),
    );
    let out = repo.commit("x");
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    let err = stderr(&out);
    assert!(
        err.contains("warning: baseline") && err.contains(BASELINE),
        "{err}"
    );
    assert!(err.contains("line 3"), "{err}");
    assert_eq!(repo.commit_count(), 2);
    // A commit with nothing to suppress does not need the baseline.
    repo.git(&["reset", "-q"]);
    repo.stage("notes.txt", "hello\n");
    ok(&repo.commit("notes"));
    let check = repo.leakgate(&["config", "check"]);
    assert_eq!(check.status.code(), Some(2));
    assert!(
        stderr(&check).contains("is not valid"),
        "{}",
        stderr(&check)
    );
}

#[test]
fn audit_on_a_terminal_prompts_per_entry_and_shows_the_redacted_line() {
    let repo = legacy_repo();
    repo.write("lib/b.py", format!("K = \"{GH3}\"\n"));
    ok(&repo.leakgate(&["baseline", "create"]));
    // `script` runs the audit on a pseudo-terminal and types the answers.
    let cmd = format!("{} baseline audit", leakgate_bin().display());
    let out = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(repo.path())
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(b"r\nrotated in 2025\ns\n")?;
            child.wait_with_output()
        })
        .expect("script (util-linux) runs");
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("[1/2] github-classic-pat in app/config.py"),
        "{text}"
    );
    assert!(
        text.contains("app/config.py:2: TOKEN = \"ghp_****"),
        "{text}"
    );
    assert!(!text.contains(GH1), "{text}");
    assert!(
        text.contains("[2/2] github-classic-pat in lib/b.py"),
        "{text}"
    );
    let base = read_baseline(&repo);
    assert!(
        base.contains(
            "\"path\":\"app/config.py\",\"verdict\":\"revoked\",\"note\":\"rotated in 2025\""
        ),
        "{base}"
    );
    assert!(
        base.contains("\"path\":\"lib/b.py\"}"),
        "skipped stays unreviewed: {base}"
    );
}

#[test]
fn the_config_names_where_the_baseline_lives() {
    let repo = legacy_repo();
    repo.write(".leakgate.yaml", "baseline: security/accepted.json\n");
    std::fs::create_dir_all(repo.path().join("security")).unwrap();
    ok(&repo.leakgate(&["baseline", "create"]));
    assert!(repo.path().join("security/accepted.json").is_file());
    assert!(!repo.path().join(BASELINE).exists());
    repo.stage(
        "app/config.py",
        format!("X = 0\nGITHUB_TOKEN = \"{GH1}\"\n"),
    );
    ok(&repo.commit("the accepted secret, moved"));
    let check = repo.leakgate(&["config", "check"]);
    assert!(
        stdout(&check).contains("security/accepted.json (1 entries)"),
        "{}",
        stdout(&check)
    );
    repo.write(
        ".leakgate.yaml",
        "baseline: security/accepted.json\ndisable: [github-classic-pat]\n",
    );
    let check = repo.leakgate(&["config", "check"]);
    assert!(
        stdout(&check)
            .contains("1 entries name rules that do not run (github-classic-pat in app/config.py)"),
        "{}",
        stdout(&check)
    );
}

#[test]
fn a_history_baseline_accepts_old_secrets_even_deleted_ones() {
    let repo = Repo::new();
    repo.stage("old.env", format!("T={GH1}\n"));
    repo.commit_unchecked("an old secret");
    repo.git(&["rm", "-q", "old.env"]);
    repo.commit_unchecked("deleted, still in history");
    let out = repo.leakgate(&["history", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    ok(&repo.leakgate(&["baseline", "create", "--from", "history"]));
    let text = read_baseline(&repo);
    assert!(
        text.contains("\"from\": \"history\"") || text.contains("\"from\":\"history\""),
        "{text}"
    );
    assert!(!text.contains(GH1), "no secret in the baseline");
    let out = repo.leakgate(&["history"]);
    assert_eq!(out.status.code(), Some(0), "accepted: {}", all_output(&out));
    repo.stage("new.txt", format!("t = {GH2}\n"));
    repo.commit_unchecked("a new secret");
    let out = repo.leakgate(&["history", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let paths: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["new.txt"], "only the new secret");
}
