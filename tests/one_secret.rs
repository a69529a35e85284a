//! One secret, one finding (issue 9, item 6), through the real binary: a file
//! judged by its name and by its content is reported through the secrets it
//! holds; the same secret repeated in a file is one finding listing its lines, in
//! every format and through the pre-commit hook; baselines and inline markers keep
//! accepting what they accepted; a token that fails its vendor's checksum is not
//! taken up by a generic rule.

mod common;
use common::{fake::*, *};
use serde_json::Value;

fn write(dir: &std::path::Path, path: &str, content: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

fn findings(doc: &Value) -> Vec<Value> {
    doc["findings"].as_array().unwrap().clone()
}

fn rule_ids(doc: &Value) -> Vec<String> {
    let mut ids: Vec<String> = findings(doc)
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

#[test]
fn a_store_named_and_read_is_one_finding_per_password() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".pgpass",
        "db1:5432:orders:app:hunter22\ndb2:5432:*:backup:Zq8!mW3vLp\n",
    );
    // A file only its name gives away still stands on its name.
    write(dir.path(), "config/master.key", "0123abcd\n");
    let doc = scan_json(dir.path(), 1);
    assert_eq!(
        rule_ids(&doc),
        ["file-rails-master-key", "pgpass-entry", "pgpass-entry"],
        "{doc}"
    );
    assert_eq!(doc["summary"]["findings"], 3, "{doc}");
}

#[test]
fn a_store_whose_passwords_are_placeholders_is_still_reported_by_name() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".pgpass", "db1:5432:orders:app:<password>\n");
    let doc = scan_json(dir.path(), 1);
    assert_eq!(rule_ids(&doc), ["file-pgpass"], "{doc}");
}

#[test]
fn a_repeated_secret_is_one_finding_with_all_its_lines() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app.env",
        &format!("A={GH1}\nB=1\nC={GH1}\nD={GH2}\nE={GH1}\n"),
    );
    let doc = scan_json(dir.path(), 1);
    let found = findings(&doc);
    assert_eq!(found.len(), 2, "{doc}");
    assert_eq!(doc["summary"]["findings"], 2);
    let first = &found[0];
    assert_eq!(
        (first["line"].as_u64(), first["lines"].clone()),
        (Some(1), serde_json::json!([1, 3, 5]))
    );
    assert_eq!(found[1]["lines"], serde_json::json!([4]));

    let human = leakgate(dir.path()).args(["scan", "."]).output().unwrap();
    let text = stdout(&human);
    assert!(text.contains("also on lines 3, 5"), "{text}");
    assert!(text.contains("2 secrets in 1 file"), "{text}");
    assert!(!text.contains(GH1), "{text}");

    let sarif = leakgate(dir.path())
        .args(["scan", ".", "--format", "sarif"])
        .output()
        .unwrap();
    let log: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "one result per secret: {log}");
    let related = results[0]["relatedLocations"].as_array().unwrap();
    let lines: Vec<u64> = related
        .iter()
        .map(|r| {
            r["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(lines, [3, 5]);
    assert!(results[1].get("relatedLocations").is_none());
}

#[test]
fn the_hook_blocks_a_repeated_secret_once() {
    let repo = Repo::new();
    repo.install();
    repo.stage(
        "deploy/.netrc",
        "machine a.corp.example login ci password hunter22\n\
         machine b.corp.example login ci password hunter22\n",
    );
    let out = repo.commit("netrc");
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    let text = all_output(&out);
    assert!(text.contains("1 secret in 1 file"), "{text}");
    assert!(text.contains("also on line 2"), "{text}");
    assert!(!text.contains("file-netrc"), "{text}");
    assert!(!text.contains("hunter22"), "{text}");
    assert_eq!(repo.commit_count(), 0);
}

#[test]
fn a_baseline_and_inline_markers_accept_what_they_did() {
    let repo = Repo::new();
    let content = format!("A={GH1}\nB={GH1}\n");
    repo.commit_file("app.env", &content, "old");
    repo.commit_file(".pgpass", "db:5432:app:app:hunter22\n", "old store");
    let out = repo.leakgate(&["baseline", "create"]);
    assert!(out.status.success(), "{}", all_output(&out));
    repo.install();
    // The same secrets on more lines, in the same files: still the accepted ones.
    repo.stage("app.env", format!("{content}C={GH1}\n"));
    repo.stage(
        ".pgpass",
        "db:5432:app:app:hunter22\ndb2:5432:app:app:hunter22\n",
    );
    let out = repo.commit("more of the same");
    assert!(out.status.success(), "{}", all_output(&out));

    // An inline marker accepts its own line; the repeat elsewhere stands alone.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.txt",
        &format!("x={GH3} # leakgate:allow\ny={GH3}\nz={GH3}\n"),
    );
    let doc = scan_json(dir.path(), 1);
    let found = findings(&doc);
    assert_eq!(found.len(), 1, "{doc}");
    assert_eq!(found[0]["lines"], serde_json::json!([2, 3]));
}

#[test]
fn a_generic_rule_does_not_take_a_token_its_vendor_rule_refused() {
    let dir = tempfile::tempdir().unwrap();
    // `ghp_` and 36 characters whose last six are not the CRC32 of the rest.
    write(
        dir.path(),
        "settings.py",
        "auth_token = \"ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d\"\n",
    );
    let doc = scan_json(dir.path(), 0);
    assert!(findings(&doc).is_empty(), "{doc}");
    // The same assignment of a valid token is the vendor rule's, once.
    write(
        dir.path(),
        "settings.py",
        &format!("auth_token = \"{GH4}\"\n"),
    );
    let doc = scan_json(dir.path(), 1);
    assert_eq!(rule_ids(&doc), ["github-classic-pat"], "{doc}");
}

#[test]
fn history_reports_a_repeated_secret_once_with_its_lines_streamed_or_held() {
    let repo = Repo::new();
    repo.commit_file(
        "ci/.netrc",
        "machine a login ci password hunter22\nmachine b login ci password hunter22\n",
        "netrc",
    );
    repo.commit_file("app.env", format!("A={GH2}\nB=2\nC={GH2}\n"), "env");
    for format in ["json", "jsonl"] {
        let out = repo.leakgate(&["history", "--format", format]);
        assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
        let text = stdout(&out);
        let lines: Vec<Value> = match format {
            "json" => {
                let doc: Value = serde_json::from_str(&text).unwrap();
                findings(&doc)
            }
            _ => text
                .lines()
                .map(|l| serde_json::from_str::<Value>(l).unwrap())
                .filter(|v| v.get("rule_id").is_some())
                .collect(),
        };
        let mut got: Vec<(String, Value)> = lines
            .iter()
            .map(|f| {
                (
                    f["rule_id"].as_str().unwrap().to_string(),
                    f["lines"].clone(),
                )
            })
            .collect();
        got.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            got,
            [
                ("github-classic-pat".to_string(), serde_json::json!([1, 3])),
                ("netrc-password".to_string(), serde_json::json!([1, 2])),
            ],
            "{format}: {text}"
        );
    }
}
