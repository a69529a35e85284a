//! `leakgate init --from gitleaks|detect-secrets` on real repositories: the other
//! tool's files written as that tool documents them (a gitleaks config that extends
//! a base file, with rules, allowlists of every kind and an ignore file; a
//! detect-secrets 1.x baseline with audited results and filters), converted, then
//! real scans and real commits through the hook proving that what the other tool
//! had accepted stays accepted and everything else is still reported.

mod common;
use base64::Engine as _;
use common::{fake::*, *};
use sha1::{Digest, Sha1};
use std::collections::BTreeSet;

/// Three keys in the format of an internal "ACME" service (a custom rule's job).
const ACME1: &str = "acme_q8zr2lxw0pvt7nck3yhs9e1mbj4dfu6a";
const ACME2: &str = "acme_m3vb8qk1zr6tnx0wlc5pj2hd9gey7sau";
const ACME3: &str = "acme_t5kc0wq8nz3mrb6ylh1xv9dj4epg2fsa";
const ACME4: &str = "acme_h2pw7dn4kx9qz1rv5tb8mc3lj6yfs0eg";

/// `(rule, path)` of every finding a JSON report lists.
fn findings(out: &std::process::Output) -> BTreeSet<(String, String)> {
    let doc: serde_json::Value =
        serde_json::from_str(&stdout(out)).unwrap_or_else(|e| panic!("{e}: {}", all_output(out)));
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn set(items: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    items
        .iter()
        .map(|(r, p)| (r.to_string(), p.to_string()))
        .collect()
}

fn init_from(repo: &Repo, tool: &str) -> String {
    let out = repo.leakgate(&["init", "--from", tool]);
    assert!(out.status.success(), "{}", all_output(&out));
    let check = repo.leakgate(&["config", "check"]);
    assert!(check.status.success(), "{}", all_output(&check));
    stdout(&out)
}

/// The gitleaks config: the repository's own file extends a shared base file (the
/// old `[allowlist]` form, and `useDefault`), adds rules, and per-rule and global
/// allowlists in the newer `[[allowlists]]` form.
fn gitleaks_files(repo: &Repo, allowed_commit: &str) {
    repo.write(
        "ci/gitleaks-base.toml",
        format!(
            r#"# Shared by every repository of the team.
[extend]
useDefault = true

[allowlist]
description = "vendored code, lock files and a rotated key's commit"
paths = [
  '''(^|/)vendor/''',
  '''\.lock$''',
]
stopwords = ["notasecret"]
commits = ["{allowed_commit}"]
"#
        ),
    );
    repo.write(
        ".gitleaks.toml",
        r#"title = "payments service"

[extend]
path = "ci/gitleaks-base.toml"

[[rules]]
id = "acme-api-key"
description = "ACME internal API key"
regex = '''\b(acme_[a-z0-9]{32})\b'''
secretGroup = 1
entropy = 3.0
keywords = ["acme_"]
tags = ["internal", "key"]

    [[rules.allowlists]]
    description = "lines that document the format"
    regexTarget = "line"
    regexes = ['''#\s*example\b''']

    [[rules.allowlists]]
    regexTarget = "match"
    regexes = ['''acme_0{32}''']

[[rules]]
id = "legacy-session-token"
description = "Legacy session token"
regex = '''(?<=session_token=)[a-f0-9]{40}'''
keywords = ["session_token="]

[[rules]]
id = "quoted-s3-secret"
description = "S3 secret between matching quotes"
regex = '''(['"])s3_[A-Za-z0-9]{20}\1'''
keywords = ["s3_"]

[[allowlists]]
description = "generated fixtures, when marked"
condition = "AND"
paths = ['''^generated/''']
stopwords = ["fixture"]
"#,
    );
}

#[test]
fn gitleaks_config_and_ignores_convert_and_suppress_the_same_findings() {
    let repo = Repo::new();
    let c1 = repo.commit_file(
        "app/config.py",
        format!("GITHUB_TOKEN = \"{GH1}\"\n"),
        "config",
    );
    // A key committed long ago, rotated and deleted; gitleaks allowlisted its commit.
    let c2 = repo.commit_file("old/creds.txt", format!("token {GH4}\n"), "old creds");
    repo.git(&["rm", "-q", "old/creds.txt"]);
    repo.commit_unchecked("remove old creds");
    repo.write(
        "deploy/settings.env",
        format!("# deploy settings\nACME_KEY={ACME1}\n"),
    );
    repo.write("src/client.py", format!("KEY = \"{ACME2}\"\n"));
    repo.write(
        "src/docs.py",
        format!("KEY = \"{ACME3}\"  # example of the format\n"),
    );
    repo.write("vendor/lib/x.js", format!("const t = \"{GH3}\";\n"));
    repo.write("src/settings.py", format!("TOKEN = \"{GH2}\"\n"));
    gitleaks_files(&repo, &c2);
    repo.write(
        ".gitleaksignore",
        format!(
            "# reviewed in SEC-142: rotated\n{c1}:app/config.py:github-pat:1\n\
             deploy/settings.env:acme-api-key:2\n{c1}:no/such/file.py:generic-api-key:4\n"
        ),
    );
    repo.git(&["add", "-A"]);
    repo.commit_unchecked("the rest");

    // Before: the bundled rules find the three GitHub tokens, nothing knows ACME.
    let before = findings(&repo.leakgate(&["scan", ".", "--format", "json"]));
    assert_eq!(
        before,
        set(&[
            ("github-classic-pat", "app/config.py"),
            ("github-classic-pat", "src/settings.py"),
            ("github-classic-pat", "vendor/lib/x.js"),
        ])
    );

    let report = init_from(&repo, "gitleaks");
    let config = std::fs::read_to_string(repo.path().join(".leakgate.yaml")).unwrap();
    if std::env::var_os("SHOW_MIGRATION").is_some() {
        eprintln!("{report}\n{config}");
    }
    for said in [
        "[extend] path = \"ci/gitleaks-base.toml\"",
        "[extend] useDefault = true: leakgate's",
        "rules[0] (acme-api-key): custom rule `acme-api-key`",
        "rules[0] (acme-api-key).tags: leakgate rules have no tags",
        "rules[1] (legacy-session-token).regex: look-around",
        "rules[2] (quoted-s3-secret).regex: back-references",
        "rules[0] (acme-api-key).allowlists[1].regexes[0] \"acme_0{32}\": regexTarget = \"match\"",
        "[[allowlists]][0]: condition = \"AND\"",
        "ci/gitleaks-base.toml [allowlist]: allow: 2 path regexes, 0 value regexes, 0 line regexes, 1 stopwords; 1 commits",
        "title: informational",
        &format!(".gitleaksignore:2: {c1}:app/config.py:github-pat:1: baseline entry: github-classic-pat at app/config.py:1"),
        ".gitleaksignore:3: deploy/settings.env:acme-api-key:2: baseline entry: acme-api-key at deploy/settings.env:2",
        &format!(".gitleaksignore:4: {c1}:no/such/file.py:generic-api-key:4: not matched"),
        "baseline entry: github-classic-pat at old/creds.txt:1",
    ] {
        assert!(report.contains(said), "output lacks {said:?}:\n{report}");
        let first = said.lines().next().unwrap();
        assert!(config.contains(first), "config comments lack {first:?}:\n{config}");
    }
    assert!(report.contains("not converted ("), "{report}");

    // After: what gitleaks ignored or allowlisted is suppressed, the rest reported,
    // and the custom rule finds the ACME key gitleaks would have found.
    let out = repo.leakgate(&["scan", ".", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        findings(&out),
        set(&[
            ("acme-api-key", "src/client.py"),
            ("github-classic-pat", "src/settings.py"),
        ])
    );
    let out = repo.leakgate(&["scan", ".", "--show-suppressed", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let why: BTreeSet<String> = doc["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                s["path"].as_str().unwrap(),
                s["suppressed_by"].as_str().unwrap()
            )
        })
        .collect();
    for expected in [
        "app/config.py baseline entry",
        "deploy/settings.env baseline entry",
        "src/docs.py config allowlist: line regex `#\\s*example\\b` (allow.per_rule.acme-api-key.line_regexes[0])",
        "vendor/lib/x.js config allowlist: path regex `(^|/)vendor/` (allow.path_regexes[0])",
    ] {
        assert!(why.contains(expected), "{expected:?} not in {why:#?}");
    }
    // The history too: the allowlisted commit's key is in the baseline.
    let out = repo.leakgate(&["history", "--format", "json"]);
    let history = findings(&out);
    assert!(
        !history
            .iter()
            .any(|(_, p)| p == "old/creds.txt" || p == "app/config.py"),
        "{history:?}"
    );
    assert!(
        history.contains(&("acme-api-key".into(), "src/client.py".into())),
        "{history:?}"
    );

    // Real commits through the hook: the accepted secret at its path and vendored
    // code pass; a new ACME key is blocked by the converted rule.
    repo.install();
    repo.stage(
        "app/config.py",
        format!("GITHUB_TOKEN = \"{GH1}\"\nBACKUP = \"{GH1}\"\n"),
    );
    repo.stage("vendor/other.js", format!("x = \"{GH4}\"\n"));
    let out = repo.commit("more config");
    assert!(out.status.success(), "{}", all_output(&out));
    repo.stage("src/new.py", format!("KEY = \"{ACME4}\"\n"));
    let out = repo.commit("a new key");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}\n{}",
        all_output(&out),
        repo.git(&["log", "--stat"])
    );
    assert!(
        all_output(&out).contains("acme-api-key"),
        "{}",
        all_output(&out)
    );
}

#[test]
fn gitleaks_without_extend_keeps_bundled_rules_and_says_so() {
    let repo = Repo::new();
    repo.write(
        ".gitleaks.toml",
        "[[rules]]\nid = \"My Token\"\nregex = '''tok_[a-z0-9]{24}'''\n\n[extend]\ndisabledRules = [\"generic-api-key\", \"github-classic-pat\"]\n",
    );
    let report = init_from(&repo, "gitleaks");
    assert!(
        report.contains("no [extend] useDefault: gitleaks ran only this file's rules"),
        "{report}"
    );
    assert!(
        report.contains("custom rule `my-token`: id `my-token`"),
        "{report}"
    );
    assert!(
        report.contains("no keywords, so it runs on everything (`always: true`"),
        "{report}"
    );
    assert!(
        report.contains(
            "[extend] disabledRules \"github-classic-pat\": disable: [github-classic-pat]"
        ),
        "{report}"
    );
    assert!(
        report.contains("[extend] disabledRules \"generic-api-key\": a gitleaks default rule"),
        "{report}"
    );
    repo.write("a.txt", "x tok_q8zr2lxw0pvt7nck3yhs9e1m y\n");
    let out = repo.leakgate(&["scan", "a.txt", "--format", "json"]);
    assert_eq!(findings(&out), set(&[("my-token", "a.txt")]));
    // An existing config is never overwritten without --force.
    let again = repo.leakgate(&["init", "--from", "gitleaks"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("never overwrites"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn a_broken_gitleaks_config_is_an_error_that_names_it() {
    let repo = Repo::new();
    repo.write(".gitleaks.toml", "[[rules]\nid = 1\n");
    let out = repo.leakgate(&["init", "--from", "gitleaks"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(".gitleaks.toml"), "{}", stderr(&out));
    assert!(!repo.path().join(".leakgate.yaml").exists());
    let empty = Repo::new();
    let out = empty.leakgate(&["init", "--from", "detect-secrets"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no .secrets.baseline"),
        "{}",
        stderr(&out)
    );
}

fn sha1_hex(s: &str) -> String {
    Sha1::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A PEM block with a random body, as a key file looks.
fn rsa_block() -> String {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let bytes: Vec<u8> = (0..600)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    let body = base64::engine::general_purpose::STANDARD.encode(bytes);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n",
        lines.join("\n")
    )
}

#[test]
fn detect_secrets_baseline_converts_by_hash_and_audit_verdict() {
    const PW: &str = "qV7#tLw2Rz9!mKe4XpB1";
    let repo = Repo::new();
    repo.write(
        "config/settings.py",
        format!("import os\n\nDB_PASSWORD = \"{PW}\"\n"),
    );
    repo.write("deploy/key.txt", rsa_block());
    repo.write("src/real.py", format!("TOKEN = \"{GH2}\"\n"));
    repo.write(
        "fixtures/sample.json",
        format!("{{\"token\": \"{GH3}\"}}\n"),
    );
    repo.write(
        "src/dummy.py",
        format!("TOKEN = \"{GH4}\"  # DUMMY_VALUE\n"),
    );
    // detect-secrets' own inline marker: leakgate honours it with no conversion.
    repo.write(
        "src/pragma.py",
        format!("TOKEN = \"{GH1}\"  # pragma: allowlist secret\n"),
    );
    let result = |file: &str, kind: &str, secret: &str, line: u32, audit: &str| {
        format!(
            "      {{\n        \"type\": \"{kind}\",\n        \"filename\": \"{file}\",\n        \
             \"hashed_secret\": \"{}\",\n        \"is_verified\": false,\n        \
             \"line_number\": {line}{audit}\n      }}",
            sha1_hex(secret)
        )
    };
    let baseline = format!(
        r#"{{
  "version": "1.5.0",
  "plugins_used": [
    {{"name": "AWSKeyDetector"}},
    {{"name": "Base64HighEntropyString", "limit": 4.5}},
    {{"name": "GitHubTokenDetector"}},
    {{"name": "KeywordDetector", "keyword_exclude": ""}},
    {{"name": "PrivateKeyDetector"}}
  ],
  "filters_used": [
    {{"path": "detect_secrets.filters.allowlist.is_line_allowlisted"}},
    {{"path": "detect_secrets.filters.common.is_baseline_file", "filename": ".secrets.baseline"}},
    {{"path": "detect_secrets.filters.common.is_ignored_due_to_verification_policies", "min_level": 2}},
    {{"path": "detect_secrets.filters.heuristic.is_indirect_reference"}},
    {{"path": "detect_secrets.filters.heuristic.is_lock_file"}},
    {{"path": "detect_secrets.filters.heuristic.is_sequential_string"}},
    {{"path": "detect_secrets.filters.heuristic.is_templated_secret"}},
    {{"path": "detect_secrets.filters.regex.should_exclude_file", "pattern": ["^fixtures/"]}},
    {{"path": "detect_secrets.filters.regex.should_exclude_line", "pattern": ["DUMMY_VALUE"]}},
    {{"path": "detect_secrets.filters.regex.should_exclude_secret", "pattern": ["(?<=pre)fix"]}}
  ],
  "results": {{
    "config/settings.py": [
{}
    ],
    "deploy/key.txt": [
{}
    ],
    "src/moved.py": [
{}
    ],
    "src/real.py": [
{}
    ]
  }},
  "generated_at": "2026-01-05T09:30:00Z"
}}
"#,
        result(
            "config/settings.py",
            "Secret Keyword",
            PW,
            3,
            ",\n        \"is_secret\": false"
        ),
        result(
            "deploy/key.txt",
            "Private Key",
            "BEGIN RSA PRIVATE KEY",
            1,
            ""
        ),
        result("src/moved.py", "Secret Keyword", "an-old-password", 2, ""),
        result(
            "src/real.py",
            "GitHub Token",
            GH2,
            1,
            ",\n        \"is_secret\": true"
        ),
    );
    repo.write(".secrets.baseline", &baseline);
    repo.git(&["add", "-A"]);
    repo.commit_unchecked("detect-secrets era");

    let before = findings(&repo.leakgate(&["scan", ".", "--format", "json", "--no-peer-markers"]));
    assert!(
        before.contains(&("private-key-rsa".into(), "deploy/key.txt".into())),
        "{before:?}"
    );
    assert!(
        before.contains(&("github-classic-pat".into(), "src/pragma.py".into())),
        "{before:?}"
    );

    let report = init_from(&repo, "detect-secrets");
    let config = std::fs::read_to_string(repo.path().join(".leakgate.yaml")).unwrap();
    for said in [
        "results[\"config/settings.py\"][0]: baseline entry: generic-password-assignment at config/settings.py:3",
        "results[\"deploy/key.txt\"][0]: baseline entry: private-key-rsa at deploy/key.txt:2 (leakgate's secret is a different span of the same text)",
        "results[\"src/real.py\"][0]: audited as a real secret",
        "results[\"src/moved.py\"][0]: not matched: src/moved.py has no line 2",
        "detect_secrets.filters.regex.should_exclude_file: allow.path_regexes (1)",
        "detect_secrets.filters.regex.should_exclude_line: allow.line_regexes (1)",
        "should_exclude_secret.pattern[0] \"(?<=pre)fix\": look-around",
        "is_line_allowlisted: `pragma: allowlist secret` on the line is honoured",
        "is_ignored_due_to_verification_policies: leakgate never verifies",
        "plugins_used: AWSKeyDetector, Base64HighEntropyString (limit=4.5)",
    ] {
        assert!(report.contains(said), "output lacks {said:?}:\n{report}");
        assert!(config.contains(said), "config comments lack {said:?}:\n{config}");
    }
    let base = std::fs::read_to_string(repo.path().join(".leakgate-baseline.json")).unwrap();
    assert_eq!(base.lines().count(), 4, "two entries:\n{base}");
    assert!(base.contains("\"verdict\":\"false-positive\",\"note\":\"from detect-secrets (Secret Keyword): audited, not a secret\""), "{base}");
    assert!(
        base.contains("from detect-secrets (Private Key): unaudited"),
        "{base}"
    );
    assert!(!base.contains(PW), "the baseline never holds a secret");

    // Only the audited real secret is still reported; the marker, the excluded
    // file and line, and the accepted findings are suppressed.
    let out = repo.leakgate(&["scan", ".", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        findings(&out),
        set(&[("github-classic-pat", "src/real.py")])
    );
    let out = repo.leakgate(&["scan", ".", "--show-suppressed"]);
    let text = stdout(&out);
    for why in [
        "suppressed by inline marker `pragma: allowlist secret`",
        "suppressed by config allowlist: path regex `^fixtures/`",
        "suppressed by config allowlist: line regex `DUMMY_VALUE`",
        "suppressed by baseline entry",
    ] {
        assert!(text.contains(why), "{why}:\n{text}");
    }

    // Real commits: the accepted password at its path passes, a new one is blocked.
    repo.install();
    repo.stage(
        "config/settings.py",
        format!("import os\n\nDB_PASSWORD = \"{PW}\"\nREPLICA_PASSWORD = \"{PW}\"\n"),
    );
    let out = repo.commit("replica");
    assert!(out.status.success(), "{}", all_output(&out));
    repo.stage(
        "config/other.py",
        "ADMIN_PASSWORD = \"Hx4!pQz8Lm2#vRt6Wn9K\"\n",
    );
    let out = repo.commit("another password");
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    assert!(
        all_output(&out).contains("config/other.py:1"),
        "{}",
        all_output(&out)
    );
}

#[test]
fn detect_secrets_0x_exclude_converts_to_allowlists() {
    let repo = Repo::new();
    repo.write(
        ".secrets.baseline",
        r#"{
  "exclude": {"files": "^tests/", "lines": "FAKE_TOKEN"},
  "generated_at": "2020-05-01T10:00:00Z",
  "plugins_used": [{"name": "KeywordDetector"}],
  "results": {},
  "version": "0.14.3",
  "word_list": {"file": null, "hash": null}
}
"#,
    );
    let report = init_from(&repo, "detect-secrets");
    assert!(
        report.contains("exclude.files: allow.path_regexes (1)"),
        "{report}"
    );
    assert!(
        report.contains("exclude.lines: allow.line_regexes (1)"),
        "{report}"
    );
    repo.write("tests/t.py", format!("T = \"{GH1}\"\n"));
    repo.write("src/a.py", format!("T = \"{GH2}\"  # FAKE_TOKEN\n"));
    repo.write("src/b.py", format!("T = \"{GH3}\"\n"));
    let out = repo.leakgate(&["scan", ".", "--format", "json"]);
    assert_eq!(findings(&out), set(&[("github-classic-pat", "src/b.py")]));
}
