//! Suppression end to end, from narrowest to broadest: inline markers, config
//! allowlists (paths, values, regexes, stopwords, per rule) and the placeholder
//! filter, each through a real `git commit` with the installed hook; and
//! `--show-suppressed`, which lists every suppressed finding with why.

mod common;
use common::{fake::*, *};

/// A test-only rule that takes any quoted value after `mytoken =`, so placeholder
/// shapes reach the placeholder filter instead of failing a token format.
const MYTOKEN_RULE: &str = "rules:
  - id: mytoken
    name: My token
    severity: high
    keywords: [mytoken]
    pattern: 'mytoken\\s*=\\s*\"([^\"]+)\"'
";

fn repo_with(config: &str) -> Repo {
    let repo = Repo::new();
    if !config.is_empty() {
        repo.write(".leakgate.yaml", config);
    }
    repo.install();
    repo
}

fn commit_passes(repo: &Repo, path: &str, content: &str) {
    repo.stage(path, content);
    let before = repo.commit_count();
    let out = repo.commit("try");
    assert!(
        out.status.success(),
        "expected a pass for {path}: {}",
        all_output(&out)
    );
    assert_eq!(repo.commit_count(), before + 1);
}

fn commit_blocked(repo: &Repo, path: &str, content: &str) -> String {
    repo.stage(path, content);
    let before = repo.commit_count();
    let out = repo.commit("try");
    assert_eq!(
        out.status.code(),
        Some(1),
        "expected a block for {path}: {}",
        all_output(&out)
    );
    assert_eq!(repo.commit_count(), before);
    repo.git(&["rm", "-q", "--cached", "--", path]);
    all_output(&out)
}

#[test]
fn inline_markers_own_and_peer() {
    let repo = repo_with("");
    commit_passes(
        &repo,
        "a.py",
        &format!("t = \"{GH1}\"  # leakgate:allow test fixture\n"),
    );
    commit_passes(
        &repo,
        "b.js",
        &format!("const t = \"{GH2}\"; // gitleaks:allow\n"),
    );
    commit_passes(
        &repo,
        "c.py",
        &format!("t = \"{GH3}\"  # pragma: allowlist secret\n"),
    );
    commit_blocked(
        &repo,
        "d.py",
        &format!("t = \"{GH4}\"  # allowed, honest\n"),
    );
}

#[test]
fn peer_markers_can_be_turned_off_in_config_and_on_the_command_line() {
    let repo = repo_with("peer_markers: false\n");
    commit_blocked(
        &repo,
        "b.js",
        &format!("const t = \"{GH2}\"; // gitleaks:allow\n"),
    );
    commit_passes(&repo, "a.py", &format!("t = \"{GH1}\"  # leakgate:allow\n"));

    let repo = repo_with("");
    repo.stage(
        "b.js",
        format!("const t = \"{GH2}\"; // trufflehog:ignore\n"),
    );
    assert!(repo.leakgate(&["staged"]).status.success());
    let out = repo.leakgate(&["staged", "--no-peer-markers"]);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
}

#[test]
fn path_globs_allow_matching_files_only() {
    let repo = repo_with("allow:\n  paths: ['tests/fixtures/**', '*.snap']\n");
    commit_passes(&repo, "tests/fixtures/deep/tokens.txt", &format!("{GH1}\n"));
    commit_passes(&repo, "src/ui/__snapshots__/view.snap", &format!("{GH2}\n"));
    commit_blocked(&repo, "src/tests/fixtures/x.txt", &format!("{GH3}\n"));
}

#[test]
fn exact_values_regexes_and_stopwords() {
    let config =
        format!("allow:\n  values: ['{GH1}']\n  regexes: ['^ghp_oOOL8d']\n  stopwords: [mxgjte]\n");
    let repo = repo_with(&config);
    commit_passes(&repo, "a.py", &format!("t = \"{GH1}\"\n"));
    commit_passes(&repo, "b.py", &format!("t = \"{GH2}\"\n"));
    commit_passes(&repo, "c.py", &format!("t = \"{GH3}\"\n"));
    commit_blocked(&repo, "d.py", &format!("t = \"{GH4}\"\n"));
}

#[test]
fn per_rule_allowlists_apply_to_their_rule_only() {
    let config =
        format!("{MYTOKEN_RULE}allow:\n  per_rule:\n    mytoken:\n      paths: ['docs/**']\n");
    let repo = repo_with(&config);
    commit_passes(
        &repo,
        "docs/setup.md",
        "mytoken = \"q8Zr2LxW0pVt7NcK3yHs\"\n",
    );
    let text = commit_blocked(&repo, "docs/gh.md", &format!("t = \"{GH1}\"\n"));
    assert!(text.contains("[github-classic-pat]"), "{text}");
    commit_blocked(&repo, "src/a.py", "mytoken = \"q8Zr2LxW0pVt7NcK3yHs\"\n");
}

#[test]
fn placeholders_are_not_findings_through_a_real_commit() {
    let repo = repo_with(MYTOKEN_RULE);
    let lines = [
        "sk-...",
        "<your-token>",
        "YOUR_API_KEY",
        "xxxxxxxxxxxxxxxx",
        "${{ secrets.DEPLOY_TOKEN }}",
        "${API_TOKEN}",
        "$API_TOKEN",
        "os.environ['API_TOKEN']",
        "process.env.API_TOKEN",
        "changeme",
        "dummy",
        "example-token",
        "test",
        "test_api_key",
        "aaaaaaaaaaaa",
        "1234567890",
        "AKIAIOSFODNN7EXAMPLE",
    ];
    let body: String = lines
        .iter()
        .map(|v| format!("mytoken = \"{v}\"\n"))
        .collect();
    commit_passes(&repo, "settings.py", &body);
    // The same template with a real-looking value blocks: the rule itself works.
    commit_blocked(&repo, "real.py", "mytoken = \"q8Zr2LxW0pVt7NcK3yHs\"\n");
    commit_passes(
        &repo,
        "gh.py",
        "t = \"ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n",
    );
}

#[test]
fn show_suppressed_lists_every_suppression_with_why() {
    let config = "allow:\n  paths: ['fixtures/**']\n  stopwords: [mxgjte]\n";
    let repo = repo_with(config);
    repo.write("app/a.py", format!("t = \"{GH1}\"  # leakgate:allow\n"));
    repo.write("fixtures/b.txt", format!("{GH2}\n"));
    repo.write("app/c.py", format!("t = \"{GH3}\"\n"));
    repo.write("app/old.py", format!("t = \"{GH4}\"\n"));
    assert!(repo.leakgate(&["baseline", "create"]).status.success());
    // The baseline took only what stood: a.py, b.txt and c.py are allowed already.
    let base = std::fs::read_to_string(repo.path().join(".leakgate-baseline.json")).unwrap();
    assert_eq!(base.lines().count(), 3, "{base}");

    let out = repo.leakgate(&["scan", "app", "fixtures", "--show-suppressed"]);
    assert!(out.status.success(), "{}", all_output(&out));
    let text = stdout(&out);
    for why in [
        "suppressed by inline marker `leakgate:allow`",
        "suppressed by config allowlist: path `fixtures/**` (allow.paths[0])",
        "suppressed by config allowlist: stopword `mxgjte` (allow.stopwords[0])",
        "suppressed by baseline entry",
    ] {
        assert!(text.contains(why), "missing {why:?}:\n{text}");
    }
    assert!(
        !text.contains(GH1) && !text.contains(GH4),
        "still redacted: {text}"
    );

    let out = repo.leakgate(&["scan", "app", "fixtures", "--show-suppressed", "-f", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut why: Vec<(String, String)> = doc["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap().into(),
                s["suppressed_by"].as_str().unwrap().into(),
            )
        })
        .collect();
    why.sort();
    assert_eq!(
        why,
        [
            ("app/a.py".into(), "inline marker `leakgate:allow`".into()),
            (
                "app/c.py".into(),
                "config allowlist: stopword `mxgjte` (allow.stopwords[0])".into()
            ),
            ("app/old.py".into(), "baseline entry".into()),
            (
                "fixtures/b.txt".into(),
                "config allowlist: path `fixtures/**` (allow.paths[0])".into()
            ),
        ]
    );
    // Without the flag, suppressed findings are only counted.
    let out = repo.leakgate(&["scan", "app", "fixtures"]);
    assert!(stdout(&out).contains("4 suppressed"), "{}", stdout(&out));
}
