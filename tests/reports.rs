//! Every report format, read back from the real binary's output on real repositories
//! and files: SARIF validated against the OASIS schema, GitLab's report structure,
//! JUnit parsed as XML; redaction, `--output`, exit codes and terminal sanitising
//! checked across them.

mod common;
use common::{fake::*, *};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

const FORMATS: [&str; 5] = ["human", "json", "sarif", "gitlab", "junit"];

/// A test-only rule of medium severity (so reports show a second level).
const CONFIG: &str = r#"
rules:
  - id: test-key
    name: Test key
    severity: medium
    keywords: [TESTKEY-]
    pattern: '\b(TESTKEY-[A-Za-z0-9]{16})\b'
    help: ask the test team for a new one
    examples: ['k = TESTKEY-a8Zq3LmN0pR7sT2v']
"#;
const TEST_KEY: &str = "TESTKEY-a8Zq3LmN0pR7sT2v";

/// A repository with a config holding the test rule, and two secrets staged.
fn staged_repo() -> Repo {
    let repo = Repo::new();
    repo.stage(".leakgate.yaml", CONFIG);
    repo.commit_unchecked("config");
    repo.stage("app/config.py", format!("TOKEN = \"{GH1}\"\n"));
    repo.stage(
        "docs/setup notes.md",
        format!("# Setup\n\nuse {TEST_KEY} here\n"),
    );
    repo
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", all_output(o)))
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

// ---------------------------------------------------------------- SARIF

/// The OASIS SARIF schema, vendored in tests/fixtures (see its NOTICE). Never skipped.
fn sarif_schema() -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sarif-schema-2.1.0.json");
    let text = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "the SARIF schema {} is missing ({e}); this test does not skip",
            path.display()
        )
    });
    serde_json::from_slice(&text).unwrap()
}

fn sarif_errors(log: &Value) -> Vec<String> {
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&sarif_schema())
        .expect("the schema compiles");
    validator
        .iter_errors(log)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect()
}

#[test]
fn sarif_of_a_staged_change_is_valid_and_complete() {
    let repo = staged_repo();
    let out = repo.leakgate(&["staged", "--format", "sarif", "--output", "leakgate.sarif"]);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    assert_eq!(stdout(&out), "", "the report goes to the file");
    let log = read_json(&repo.path().join("leakgate.sarif"));
    assert_eq!(sarif_errors(&log), Vec::<String>::new(), "{log:#}");
    assert!(!log.to_string().contains(GH1) && !log.to_string().contains(TEST_KEY));

    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["github-classic-pat", "test-key"],
        "only rules that fired"
    );
    let gh = &rules[0];
    assert_eq!(
        gh["shortDescription"]["text"],
        "GitHub personal access token (classic)"
    );
    assert_eq!(gh["defaultConfiguration"]["level"], "error");
    assert_eq!(gh["properties"]["security-severity"], "9.5");
    assert!(gh["help"]["text"]
        .as_str()
        .unwrap()
        .contains("github.com/settings/tokens"));
    assert_eq!(rules[1]["defaultConfiguration"]["level"], "warning");
    assert!(rules[1]["help"]["text"]
        .as_str()
        .unwrap()
        .contains("ask the test team"));

    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let r = results
        .iter()
        .find(|r| r["ruleId"] == "github-classic-pat")
        .unwrap();
    assert_eq!(r["level"], "error");
    assert_eq!(r["ruleIndex"], 0);
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "app/config.py");
    assert_eq!(loc["region"]["startLine"], 1);
    assert_eq!(loc["region"]["startColumn"], 10);
    assert_eq!(
        loc["region"]["endColumn"],
        10 + GH1.len() as u64,
        "exclusive end"
    );
    assert!(r["message"]["text"]
        .as_str()
        .unwrap()
        .contains("GitHub personal access token"));
    let t = results.iter().find(|r| r["ruleId"] == "test-key").unwrap();
    let uri = &t["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert_eq!(uri, "docs/setup%20notes.md");
    assert_eq!(
        t["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
}

#[test]
fn sarif_fingerprints_are_the_findings_fingerprints_and_stable() {
    let repo = staged_repo();
    let sarif = json(&repo.leakgate(&["staged", "--format", "sarif"]));
    let plain = json(&repo.leakgate(&["staged", "--format", "json"]));
    let mut from_sarif: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["partialFingerprints"]["leakgate/v1"].as_str().unwrap())
        .collect();
    let mut from_json: Vec<&str> = plain["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    from_sarif.sort();
    from_json.sort();
    assert_eq!(from_sarif, from_json);
    // The same secret moved down a line keeps its fingerprint.
    repo.stage("app/config.py", format!("# moved\nTOKEN = \"{GH1}\"\n"));
    let moved = json(&repo.leakgate(&["staged", "--format", "sarif"]));
    let r = moved["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "github-classic-pat")
        .unwrap()
        .clone();
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
    assert!(from_json.contains(&r["partialFingerprints"]["leakgate/v1"].as_str().unwrap()));
}

#[test]
fn sarif_of_a_clean_scan_and_of_odd_paths_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("clean.txt"), "nothing here\n").unwrap();
    let clean = json(
        &leakgate(dir.path())
            .args(["scan", ".", "--format", "sarif"])
            .output()
            .unwrap(),
    );
    assert_eq!(sarif_errors(&clean), Vec::<String>::new());
    assert_eq!(clean["runs"][0]["results"].as_array().unwrap().len(), 0);
    assert_eq!(
        clean["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    let odd = "dir with space/ünï#code?.env";
    std::fs::create_dir_all(dir.path().join("dir with space")).unwrap();
    std::fs::write(dir.path().join(odd), format!("T={GH2}\n")).unwrap();
    std::fs::write(dir.path().join("bin.dat"), b"\0\x01binary").unwrap();
    let out = leakgate(dir.path())
        .args(["scan", ".", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let log = json(&out);
    assert_eq!(sarif_errors(&log), Vec::<String>::new(), "{log:#}");
    let uri = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"];
    assert_eq!(uri, "dir%20with%20space/%C3%BCn%C3%AF%23code%3F.env");
    let notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"].to_string();
    assert!(
        notes.contains("bin.dat") && notes.contains("binary"),
        "{notes}"
    );

    let abs = dir.path().join("clean.txt");
    std::fs::write(&abs, format!("T={GH3}\n")).unwrap();
    let out = leakgate(dir.path())
        .args(["scan", abs.to_str().unwrap(), "--format", "sarif"])
        .output()
        .unwrap();
    let log = json(&out);
    assert_eq!(sarif_errors(&log), Vec::<String>::new(), "{log:#}");
    let uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        uri.starts_with("file:///") && uri.ends_with("/clean.txt"),
        "{uri}"
    );
}

#[test]
fn sarif_lists_suppressed_findings_as_suppressed_results() {
    let repo = staged_repo();
    repo.stage(
        "app/allowed.py",
        format!("A = \"{GH2}\"  # leakgate:allow\n"),
    );
    let plain = json(&repo.leakgate(&["staged", "--format", "sarif"]));
    assert_eq!(plain["runs"][0]["results"].as_array().unwrap().len(), 2);
    let out = repo.leakgate(&["staged", "--format", "sarif", "--show-suppressed"]);
    let log = json(&out);
    assert_eq!(sarif_errors(&log), Vec::<String>::new(), "{log:#}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    let suppressed: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    let s = &suppressed[0]["suppressions"][0];
    assert_eq!(s["kind"], "inSource");
    assert!(s["justification"]
        .as_str()
        .unwrap()
        .contains("leakgate:allow"));
}

#[test]
fn the_schema_check_rejects_a_broken_log() {
    let repo = staged_repo();
    let mut log = json(&repo.leakgate(&["staged", "--format", "sarif"]));
    assert!(sarif_errors(&log).is_empty());
    log["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!sarif_errors(&log).is_empty(), "an invalid level is caught");
    log["version"] = "2.0.0".into();
    assert!(sarif_errors(&log).len() >= 2);
}

#[test]
fn sarif_of_stdin_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let input = format!("x = {GH4}\n");
    let out = with_input(
        leakgate(dir.path()).args(["scan", "-", "--format", "sarif"]),
        input.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1));
    let log = json(&out);
    assert_eq!(sarif_errors(&log), Vec::<String>::new(), "{log:#}");
    assert_eq!(
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "-"
    );
}

// ---------------------------------------------------------------- GitLab

fn is_gitlab_time(v: &Value) -> bool {
    let s = v.as_str().unwrap_or("");
    let digits = |r: std::ops::Range<usize>| s[r].bytes().all(|b| b.is_ascii_digit());
    s.len() == 19
        && digits(0..4)
        && &s[4..5] == "-"
        && digits(5..7)
        && &s[7..8] == "-"
        && digits(8..10)
        && &s[10..11] == "T"
        && digits(11..13)
        && &s[13..14] == ":"
        && digits(14..16)
        && &s[16..17] == ":"
        && digits(17..19)
}

#[test]
fn gitlab_report_has_the_secret_detection_structure() {
    let repo = staged_repo();
    let out = repo.leakgate(&["staged", "--format", "gitlab"]);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    let report = json(&out);
    assert!(report["version"].as_str().unwrap().starts_with("15."));
    let scan = &report["scan"];
    assert_eq!(scan["type"], "secret_detection");
    assert_eq!(scan["status"], "success");
    for tool in ["scanner", "analyzer"] {
        assert_eq!(scan[tool]["id"], "leakgate");
        assert!(scan[tool]["name"].is_string() && scan[tool]["version"].is_string());
        assert!(scan[tool]["vendor"]["name"].is_string());
    }
    assert!(
        is_gitlab_time(&scan["start_time"]),
        "{}",
        scan["start_time"]
    );
    assert!(is_gitlab_time(&scan["end_time"]), "{}", scan["end_time"]);
    assert!(scan["start_time"].as_str() <= scan["end_time"].as_str());

    let vulns = report["vulnerabilities"].as_array().unwrap();
    assert_eq!(vulns.len(), 2);
    let gh = vulns
        .iter()
        .find(|v| v["identifiers"][0]["value"] == "github-classic-pat")
        .unwrap();
    assert_eq!(gh["category"], "secret_detection");
    assert_eq!(gh["severity"], "Critical");
    assert_eq!(gh["name"], "GitHub personal access token (classic)");
    assert!(gh["description"].as_str().unwrap().contains("ghp_****"));
    assert_eq!(gh["location"]["file"], "app/config.py");
    assert_eq!(gh["location"]["start_line"], 1);
    assert!(gh["location"]["commit"]["sha"].is_string());
    assert_eq!(gh["identifiers"][0]["type"], "leakgate_rule_id");
    let tk = vulns
        .iter()
        .find(|v| v["identifiers"][0]["value"] == "test-key")
        .unwrap();
    assert_eq!(tk["severity"], "Medium");
    assert_eq!(tk["location"]["file"], "docs/setup notes.md");
    assert_ne!(gh["id"], tk["id"]);
    assert!(!report.to_string().contains(GH1) && !report.to_string().contains(TEST_KEY));
    // The same findings give the same ids on the next run.
    let again = json(&repo.leakgate(&["staged", "--format", "gitlab"]));
    let ids = |r: &Value| {
        let mut v: Vec<String> = r["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["id"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(ids(&report), ids(&again));
}

#[test]
fn gitlab_report_of_a_clean_scan_has_no_vulnerabilities() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "fine\n").unwrap();
    let out = leakgate(dir.path())
        .args(["scan", ".", "--format", "gitlab"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let report = json(&out);
    assert_eq!(report["vulnerabilities"], Value::Array(vec![]));
    assert_eq!(report["scan"]["status"], "success");
}

// ---------------------------------------------------------------- JUnit

#[test]
fn junit_groups_findings_by_file_and_parses() {
    let repo = staged_repo();
    repo.stage(
        "app/more.py",
        format!("A = \"{GH2}\"\nB = \"{GH3}\"  # leakgate:allow\n"),
    );
    let out = repo.leakgate(&["staged", "--format", "junit", "--show-suppressed"]);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    let xml = stdout(&out);
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("4"));
    assert_eq!(root.attribute("failures"), Some("3"));
    assert_eq!(root.attribute("skipped"), Some("1"));
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    let names: Vec<&str> = suites
        .iter()
        .map(|s| s.attribute("name").unwrap())
        .collect();
    assert_eq!(
        names,
        ["app/config.py", "app/more.py", "docs/setup notes.md"]
    );
    let more = suites[1];
    assert_eq!(more.attribute("tests"), Some("2"));
    let cases: Vec<_> = more
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 2);
    let failure = cases[0]
        .children()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert_eq!(failure.attribute("type"), Some("github-classic-pat"));
    assert!(failure
        .attribute("message")
        .unwrap()
        .contains("app/more.py:1:6"));
    assert!(failure.text().unwrap().contains("ghp_****"));
    let skipped = cases[1]
        .children()
        .find(|n| n.has_tag_name("skipped"))
        .unwrap();
    assert!(skipped
        .attribute("message")
        .unwrap()
        .contains("leakgate:allow"));
    for secret in [GH1, GH2, GH3, TEST_KEY] {
        assert!(!xml.contains(secret), "redacted: {xml}");
    }
}

#[test]
fn junit_of_a_clean_scan_is_one_passing_case() {
    let repo = Repo::new();
    repo.stage("README.md", "hello\n");
    let out = repo.leakgate(&["staged", "--format", "junit"]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let xml = stdout(&out);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].attribute("name"), Some("no secrets found"));
    assert!(!cases[0].children().any(|n| n.has_tag_name("failure")));
    assert_eq!(doc.root_element().attribute("failures"), Some("0"));
}

#[test]
fn junit_survives_hostile_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let line = format!("k=\"{GH1}\" \x1b[31m <b>&amp;</b> \x00 \u{202E} \"quoted\" \u{FFFF}\n");
    std::fs::write(dir.path().join("a&<b>.txt"), line.replace('\0', "")).unwrap();
    let mut bytes = format!("k=\"{GH2}\" \x07 ]]> </failure>").into_bytes();
    bytes.extend_from_slice(b" \xff\xfe\n");
    std::fs::write(dir.path().join("raw.txt"), bytes).unwrap();
    let out = leakgate(dir.path())
        .args(["scan", ".", "--format", "junit"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let xml = stdout(&out);
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
    let files: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .map(|n| n.attribute("name").unwrap())
        .collect();
    assert_eq!(files, ["a&<b>.txt", "raw.txt"]);
    assert_eq!(doc.root_element().attribute("failures"), Some("2"));
}

// ---------------------------------------------------------------- across formats

/// Runs `leakgate scan` on a file holding GH1 in each format with `extra` arguments.
fn scan_each_format(extra: &[&str]) -> Vec<(String, Output)> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("env"), format!("GITHUB_TOKEN={GH1}\n")).unwrap();
    FORMATS
        .iter()
        .map(|f| {
            let mut args = vec!["scan", "env", "--format", f];
            args.extend_from_slice(extra);
            let out = leakgate(dir.path()).args(&args).output().unwrap();
            assert_eq!(out.status.code(), Some(1), "{f}: {}", all_output(&out));
            (f.to_string(), out)
        })
        .collect()
}

#[test]
fn secrets_are_redacted_by_default_in_every_format() {
    for (format, out) in scan_each_format(&[]) {
        let text = all_output(&out);
        assert!(!text.contains(GH1), "{format} leaks the secret: {text}");
        assert!(
            !text.contains(&GH1[..5]),
            "{format} shows more than the prefix: {text}"
        );
        assert!(
            text.contains(&format!("ghp_{}", "*".repeat(36))),
            "{format}: {text}"
        );
    }
}

#[test]
fn redact_n_keeps_n_characters_in_every_format() {
    for (format, out) in scan_each_format(&["--redact=9"]) {
        let text = all_output(&out);
        assert!(
            !text.contains(&GH1[..10]),
            "{format} shows a tenth character: {text}"
        );
        let shown = format!("{}{}", &GH1[..9], "*".repeat(GH1.len() - 9));
        assert!(text.contains(&shown), "{format}: {text}");
    }
}

#[test]
fn show_secrets_shows_them_in_every_format() {
    for (format, out) in scan_each_format(&["--show-secrets"]) {
        assert!(
            all_output(&out).contains(GH1),
            "{format}: {}",
            all_output(&out)
        );
    }
}

#[test]
fn show_secrets_and_redact_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let out = leakgate(dir.path())
        .args(["scan", ".", "--show-secrets", "--redact", "3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot be used with"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn output_writes_every_format_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("env"), format!("GITHUB_TOKEN={GH1}\n")).unwrap();
    for f in FORMATS {
        let file = format!("report.{f}");
        let out = leakgate(dir.path())
            .args(["scan", "env", "--format", f, "--output", &file])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
        assert_eq!(stdout(&out), "", "{f}: nothing on stdout");
        let written = std::fs::read_to_string(dir.path().join(&file)).unwrap();
        assert!(written.contains("github-classic-pat"), "{f}: {written}");
    }
    let out = leakgate(dir.path())
        .args(["scan", "env", "--output", "no/such/dir/report.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot write report to no/such/dir/report.json"),
        "{}",
        stderr(&out)
    );
}

// ---------------------------------------------------------------- exit codes

#[test]
fn exit_codes_follow_the_contract() {
    let repo = staged_repo();
    // 1: findings that block; --exit-zero turns that into 0 and still reports.
    assert_eq!(repo.leakgate(&["staged"]).status.code(), Some(1));
    let out = repo.leakgate(&["staged", "--exit-zero", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["findings"].as_array().unwrap().len(), 2);
    // 0: below the blocking severity (fail_on: high, only the medium finding left).
    repo.git(&["rm", "-q", "--cached", "app/config.py"]);
    repo.write(".leakgate.yaml", format!("fail_on: high\n{CONFIG}"));
    repo.git(&["add", ".leakgate.yaml"]);
    let out = repo.leakgate(&["staged"]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    assert!(
        stdout(&out).contains("test-key"),
        "still reported: {}",
        all_output(&out)
    );
    // 2: could not scan, and --exit-zero does not hide it.
    repo.write(".leakgate.yaml", "fail_on: severe\n");
    for extra in [&[][..], &["--exit-zero"][..]] {
        let out = repo.leakgate(&[&["staged"][..], extra].concat());
        assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
        assert!(
            stderr(&out).contains(".leakgate.yaml"),
            "names the file: {}",
            stderr(&out)
        );
    }
    let out = repo.leakgate(&["staged", "--format", "yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("sarif"),
        "lists the formats: {}",
        stderr(&out)
    );
    let outside = tempfile::tempdir().unwrap();
    let out = leakgate(outside.path())
        .args(["staged", "--exit-zero"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
}

#[test]
fn a_clean_scan_exits_zero_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "nothing to see\n").unwrap();
    for f in FORMATS {
        let out = leakgate(dir.path())
            .args(["scan", ".", "--format", f])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{f}: {}", all_output(&out));
    }
}

// ---------------------------------------------------------------- terminal safety

#[test]
fn crafted_names_and_lines_cannot_rewrite_the_terminal() {
    let repo = Repo::new();
    repo.install();
    let name = "evil\x1b[2J\u{202E}txt.py\u{200B}";
    let line = format!("T = \"{GH1}\" # \x1b]0;pwned\x07 \u{202E}gnp.exe \x1b[1A\r\n");
    repo.stage(name, line);
    let out = repo.commit("crafted");
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    assert_eq!(repo.commit_count(), 0, "blocked");
    let text = all_output(&out);
    for bad in ['\x1b', '\x07', '\u{202E}', '\u{200B}', '\r'] {
        assert!(
            !text.contains(bad),
            "{bad:?} reached the terminal: {text:?}"
        );
    }
    assert!(
        text.contains("evil\u{FFFD}[2J\u{FFFD}txt.py\u{FFFD}:1:6"),
        "{text:?}"
    );
    assert!(text.contains("\u{FFFD}]0;pwned\u{FFFD}"), "{text:?}");
}
