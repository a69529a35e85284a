//! Fingerprints cannot be brute-forced from a committed baseline or a published
//! report (issue 10, item 2): they are keyed by a key that is never committed,
//! old unkeyed baselines keep working until re-keyed, and personal data is
//! redacted without a digit. Every test drives the real binary.

mod common;
use common::{fake::*, *};
use sha2::{Digest, Sha256};
use std::process::Output;

const CARD_LINE: &str = "{\"customer\": \"c_454752\", \"card_number\": \"4580730215736812\"}\n";

/// The format 1 fingerprint: `sha256("leakgate/v1\0" rule \0 path \0 secret)`.
fn unkeyed(rule: &str, path: &str, secret: &str) -> String {
    let mut h = Sha256::new();
    for part in [
        b"leakgate/v1\0".as_slice(),
        rule.as_bytes(),
        b"\0",
        path.as_bytes(),
        b"\0",
        secret.as_bytes(),
    ] {
        h.update(part);
    }
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The fingerprints of `leakgate scan . --format json` in `repo`.
fn fingerprints(repo: &Repo, env: &[(&str, &str)]) -> Vec<String> {
    let mut cmd = leakgate(repo.path());
    cmd.args(["scan", ".", "--format", "json"]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap().to_string())
        .collect()
}

fn token_repo() -> Repo {
    let repo = Repo::new();
    repo.write("app/config.py", format!("TOKEN = \"{GH1}\"\n"));
    repo
}

#[test]
fn fingerprints_are_keyed_by_a_private_per_repository_key() {
    let (a, b) = (token_repo(), token_repo());
    let fa = fingerprints(&a, &[]);
    assert_eq!(fa, fingerprints(&a, &[]), "stable in one repository");
    assert_ne!(fa, fingerprints(&b, &[]), "another repository, another key");
    assert_ne!(fa[0], unkeyed("github-classic-pat", "app/config.py", GH1));
    let key = a.path().join(".git/leakgate/fingerprint.key");
    assert!(key.is_file(), "made on first use inside .git");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o077,
        0
    );
    let status = a.git(&["status", "--porcelain", "--ignored"]);
    assert!(
        !status.contains("fingerprint"),
        "never in the work tree: {status}"
    );
}

#[test]
fn a_shared_key_in_the_environment_gives_every_clone_the_same_fingerprints() {
    let (a, b) = (token_repo(), token_repo());
    let env = [("LEAKGATE_FINGERPRINT_KEY", "ci-secret-0123456789abcdef")];
    assert_eq!(fingerprints(&a, &env), fingerprints(&b, &env));
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), "ci-secret-0123456789abcdef\n").unwrap();
    let by_file = |repo: &Repo| {
        let mut cmd = leakgate(repo.path());
        cmd.args(["scan", ".", "--format", "json", "--fingerprint-key"])
            .arg(file.path());
        let out = cmd.output().unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        report["findings"][0]["fingerprint"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        by_file(&a),
        fingerprints(&a, &env)[0],
        "the file holds the same key"
    );
}

/// `leakgate scan .` with `env`, for baseline checks.
fn scan(repo: &Repo, env: &[(&str, &str)]) -> Output {
    let mut cmd = leakgate(repo.path());
    cmd.args(["scan", "."]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
fn a_baseline_made_with_another_key_says_so_and_accepts_nothing() {
    let repo = token_repo();
    let out = repo.leakgate(&["baseline", "create"]);
    assert!(out.status.success(), "{}", all_output(&out));
    let text = std::fs::read_to_string(repo.path().join(".leakgate-baseline.json")).unwrap();
    assert!(text.starts_with("{\"leakgate_baseline\": 2"), "{text}");
    assert!(!text.contains(GH1), "{text}");
    assert_eq!(
        scan(&repo, &[]).status.code(),
        Some(0),
        "the baseline applies"
    );
    let other = [("LEAKGATE_FINGERPRINT_KEY", "another-key-0123456789abcdef")];
    let out = scan(&repo, &other);
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(1), "findings stand: {text}");
    assert!(
        text.contains("another fingerprint key") && text.contains("LEAKGATE_FINGERPRINT_KEY"),
        "{text}"
    );
    let mut cmd = leakgate(repo.path());
    cmd.args(["baseline", "update"]).env(other[0].0, other[0].1);
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "not updated under another key: {}",
        all_output(&out)
    );
}

#[test]
fn an_unkeyed_format_1_baseline_still_applies_and_update_rekeys_it_keeping_verdicts() {
    let repo = token_repo();
    let old = unkeyed("github-classic-pat", "app/config.py", GH1);
    std::fs::write(
        repo.path().join(".leakgate-baseline.json"),
        format!(
            "{{\"leakgate_baseline\": 1, \"from\": \"worktree\"\n,\"{old}\": {{\"rule\":\"github-classic-pat\",\"path\":\"app/config.py\",\"verdict\":\"revoked\",\"note\":\"rotated\"}}\n}}\n"
        ),
    )
    .unwrap();
    let out = scan(&repo, &[]);
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(0), "still applies: {text}");
    assert!(
        text.contains("format 1") && text.contains("baseline update"),
        "{text}"
    );
    let out = repo.leakgate(&["baseline", "update"]);
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(
        stderr(&out).contains("re-keyed 1 entries"),
        "{}",
        all_output(&out)
    );
    let text = std::fs::read_to_string(repo.path().join(".leakgate-baseline.json")).unwrap();
    assert!(text.starts_with("{\"leakgate_baseline\": 2"), "{text}");
    assert!(
        !text.contains(&old),
        "the unkeyed fingerprint is gone: {text}"
    );
    assert!(
        text.contains("\"verdict\":\"revoked\"") && text.contains("rotated"),
        "{text}"
    );
    let out = scan(&repo, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    assert!(
        !all_output(&out).contains("format 1"),
        "{}",
        all_output(&out)
    );
}

#[test]
fn pre_receive_fingerprints_with_the_server_repositorys_key() {
    let (server, client) = pre_receive_setup();
    client.commit_file("leak.txt", format!("{GH1}\n"), "leak");
    let out = client.push(&["origin", "main"]);
    assert!(!out.status.success(), "{}", all_output(&out));
    assert!(
        server.path().join("leakgate/fingerprint.key").is_file(),
        "the server's own key, in its git directory"
    );
    assert!(
        !client.path().join(".git/leakgate").exists(),
        "not the pusher's"
    );
}

#[test]
fn personal_data_is_redacted_without_a_digit_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("orders.json"), CARD_LINE).unwrap();
    for format in ["human", "json", "sarif", "junit", "gitlab"] {
        let out = leakgate(dir.path())
            .args(["scan", ".", "--format", format])
            .output()
            .unwrap();
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(1), "{format}: {}", all_output(&out));
        assert!(text.contains("payment-card-number"), "{format}: {text}");
        assert!(
            !text.contains("4580"),
            "{format} shows no digit of the card: {text}"
        );
    }
}
