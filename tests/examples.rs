//! The CI examples in `examples/` stay valid YAML and keep the steps the README
//! promises. (They run on GitHub and GitLab, not here: what they call is tested
//! through the binary in tests/reports.rs.)

use serde_yaml::Value;
use std::path::PathBuf;

fn load(name: &str) -> (String, Value) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let yaml = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    (text, yaml)
}

#[test]
fn github_workflow_scans_the_pushed_range_and_uploads_sarif() {
    let (text, yaml) = load("github-actions.yml");
    let steps = yaml["jobs"]["secrets"]["steps"]
        .as_sequence()
        .expect("steps");
    let uses: Vec<&str> = steps.iter().filter_map(|s| s["uses"].as_str()).collect();
    assert!(
        uses.iter().any(|u| u.starts_with("actions/checkout@")),
        "{uses:?}"
    );
    assert!(
        uses.iter()
            .any(|u| u.starts_with("github/codeql-action/upload-sarif@")),
        "{uses:?}"
    );
    assert_eq!(yaml["permissions"]["security-events"], "write");
    assert!(text.contains(
        "leakgate history \"$range\" --format sarif --output leakgate.sarif --exit-zero"
    ));
    assert!(text.contains("$before..${{ github.sha }}"));
    assert!(text.contains("cargo install --locked"));
}

#[test]
fn gitlab_job_declares_the_secret_detection_report() {
    let (_, yaml) = load("gitlab-ci.yml");
    let job = &yaml["leakgate"];
    assert_eq!(
        job["artifacts"]["reports"]["secret_detection"],
        "gl-secret-detection-report.json"
    );
    let script: Vec<&str> = job["script"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|s| s.as_str())
        .collect();
    assert!(script
        .iter()
        .any(|s| s.contains("--format gitlab --output gl-secret-detection-report.json")));
}
