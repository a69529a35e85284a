//! `leakgate scan`: files, directories and stdin.

mod common;
use common::{fake::*, *};

#[test]
fn scans_a_directory_tree_including_hidden_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src/.hidden")).unwrap();
    std::fs::write(dir.path().join("src/.hidden/conf"), format!("k={GH1}\n")).unwrap();
    std::fs::write(dir.path().join("src/ok.rs"), "fn main() {}\n").unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join(".git/config"), format!("k={GH2}\n")).unwrap();
    let doc = scan_json(dir.path(), 1);
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{doc}");
    assert_eq!(findings[0]["path"], "src/.hidden/conf");
    assert_eq!(findings[0]["source"], "file");
    assert_eq!(doc["summary"]["files"], 2, "{doc}");
}

#[test]
fn scans_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let input = format!("one\ntwo {GH3}\n");
    let out = with_input(leakgate(dir.path()).args(["scan", "-"]), input.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("-:2:5"), "{}", stdout(&out));
}

#[test]
fn clean_scan_exits_0_and_exit_zero_overrides_findings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "nothing here\n").unwrap();
    let out = leakgate(dir.path())
        .args(["scan", "a.txt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("no secrets found"));
    std::fs::write(dir.path().join("b.txt"), GH1).unwrap();
    let out = leakgate(dir.path())
        .args(["scan", "b.txt", "--exit-zero"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("1 secret"));
}

#[test]
fn a_missing_path_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = leakgate(dir.path())
        .args(["scan", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nope"));
}

#[test]
fn show_secrets_is_explicit() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("b.txt"), GH1).unwrap();
    let hidden = leakgate(dir.path())
        .args(["scan", "b.txt"])
        .output()
        .unwrap();
    assert!(!all_output(&hidden).contains(GH1));
    let shown = leakgate(dir.path())
        .args(["scan", "b.txt", "--show-secrets"])
        .output()
        .unwrap();
    assert!(stdout(&shown).contains(GH1));
}

#[test]
fn sample_in_the_readme_has_findings() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = leakgate(std::path::Path::new(root))
        .args(["scan", "tests/fixtures/sample"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
}

#[test]
fn rules_list_show_and_test() {
    let dir = tempfile::tempdir().unwrap();
    let out = leakgate(dir.path()).arg("rules").output().unwrap();
    assert!(out.status.success());
    assert!(stdout(&out).contains("github-classic-pat"));
    let out = leakgate(dir.path())
        .args(["rules", "show", "github-classic-pat"])
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("negative_examples"),
        "{}",
        stdout(&out)
    );
    let good = r#"- id: acme-key
  name: Acme key
  severity: high
  keywords: [acme_]
  pattern: '\b(acme_[a-z0-9]{24})\b'
  examples: ['k = acme_q8zr2lxw0pvt7nck3yhsa1b2']
  negative_examples: ['k = acme_short']
"#;
    std::fs::write(dir.path().join("good.yaml"), good).unwrap();
    let out = leakgate(dir.path())
        .args(["rules", "test", "good.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let bad = good.replace("acme_short", "acme_q8zr2lxw0pvt7nck3yhsz9y8");
    std::fs::write(dir.path().join("bad.yaml"), bad).unwrap();
    let out = leakgate(dir.path())
        .args(["rules", "test", "bad.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    assert!(stdout(&out).contains("negative example produced a finding"));
    let loose = good.replace(
        r"'\b(acme_[a-z0-9]{24})\b'",
        r"'acme\s*=\s*(acme_[a-z0-9]{24})'",
    );
    std::fs::write(dir.path().join("loose.yaml"), loose).unwrap();
    let out = leakgate(dir.path())
        .args(["rules", "test", "loose.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    for problem in ["can match a newline", "no boundary", "bounded run"] {
        assert!(stdout(&out).contains(problem), "{}", stdout(&out));
    }
    std::fs::write(dir.path().join("broken.yaml"), "- id: Bad Id\n  name: x\n").unwrap();
    let out = leakgate(dir.path())
        .args(["rules", "test", "broken.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
}
