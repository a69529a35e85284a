//! Encoded secrets: base64 (standard, URL-safe, nested), hex, percent-encoding
//! and escapes are decoded where they sit, in the manifests and headers where
//! people put them; findings point at the encoded span with the decoding chain;
//! the decoded secret is redacted; `decode.encoded: false` turns it off.

mod common;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use common::{fake::*, *};
use serde_json::Value;

const AWS_ID: &str = "AKIAGTNP34XDCCESQJZI";
const AWS_SECRET: &str = "gUZn8xtYxzJDurLsdwQBQT0HDHZWp3m79nTOW1uX";

fn b64(s: &str) -> String {
    STANDARD.encode(s)
}

fn pem() -> String {
    let body = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo9z+40RQzuVaE8AkAFmxZzow3x+VJYKdjykkJ0iT9wCS0DRTXu269V264Vf/3jvredZiKRkgwlL9xNAwxXFg0x/XFw005UWVRIkdgcKWTjpBP2dPwVZ4WWC+9aGVd+Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbcmwIDAQABAoIBAQCE";
    format!("-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\n")
}

/// The recall set: each file, and the (rule, file line) findings its decoded
/// content must give.
/// A file of the recall set: its path, its content, the (rule, file line)
/// findings it must give.
type Case = (&'static str, String, Vec<(&'static str, u64)>);

fn cases() -> Vec<Case> {
    let env = format!(
        "PATH=/usr/bin\nHOME=/root\nGITHUB_TOKEN={GH1}\nAWS_SECRET_ACCESS_KEY={AWS_SECRET}\n"
    );
    vec![
        (
            "k8s/secret.yaml",
            format!(
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ntype: Opaque\ndata:\n  GITHUB_TOKEN: {}\n  AWS_ACCESS_KEY_ID: {}\n  AWS_SECRET_ACCESS_KEY: {}\n  tls.key: {}\n",
                b64(GH1), b64(AWS_ID), b64(AWS_SECRET), b64(&pem())
            ),
            vec![("github-classic-pat", 7), ("aws-access-key-id", 8), ("aws-secret-access-key", 9), ("private-key-rsa", 10)],
        ),
        (
            "deploy.sh",
            format!("curl -H 'Authorization: Basic {}' https://api.example.com\n", b64(&format!("deploy:{GH2}"))),
            vec![("github-classic-pat", 1)],
        ),
        (
            ".docker/config.json",
            format!("{{\"auths\": {{\"ghcr.io\": {{\"auth\": \"{}\"}}}}}}\n", b64(&format!("bot:{GH3}"))),
            vec![("github-classic-pat", 1)],
        ),
        ("ci/env.b64", b64(&env) + "\n", vec![("github-classic-pat", 1), ("aws-secret-access-key", 1)]),
        (
            "kubeconfig",
            format!("users:\n- name: admin\n  user:\n    client-key-data: {}\n", b64(&pem())),
            vec![("private-key-rsa", 4)],
        ),
        ("hex.cfg", format!("token_hex = {}\n", hex(GH4)), vec![("github-classic-pat", 1)]),
        (
            "callback.txt",
            format!("url = https://x.example/cb?token={}\n", percent(GH1)),
            vec![("github-classic-pat", 1)],
        ),
        (
            "bundle.js",
            format!("const t = \"{}\";\n", GH2.bytes().map(|c| format!("\\x{c:02x}")).collect::<String>()),
            vec![("github-classic-pat", 1)],
        ),
        (
            "jwt-claims.txt",
            format!("claims={}\n", URL_SAFE_NO_PAD.encode(format!("{{\"gh\":\"{GH3}\"}}??>"))),
            vec![("github-classic-pat", 1)],
        ),
        ("nested.txt", format!("blob: {}\n", b64(&format!("inner: {}", b64(GH4)))), vec![("github-classic-pat", 1)]),
    ]
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

fn percent(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

fn write_all(dir: &std::path::Path) {
    for (path, content, _) in cases() {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
}

fn decoded_findings(doc: &Value) -> Vec<(String, String, u64)> {
    let mut out: Vec<(String, String, u64)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["layers"]
                .as_array()
                .is_some_and(|l| l.iter().any(|l| l["kind"] == "encoded"))
        })
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["rule_id"].as_str().unwrap().to_string(),
                f["file_line"].as_u64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_encoded_secret_in_the_recall_set_is_found_at_its_span() {
    let dir = tempfile::tempdir().unwrap();
    write_all(dir.path());
    let out = leakgate(dir.path())
        .args(["scan", ".", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut want: Vec<(String, String, u64)> = cases()
        .into_iter()
        .flat_map(|(path, _, found)| {
            found
                .into_iter()
                .map(move |(rule, line)| (path.to_string(), rule.to_string(), line))
        })
        .collect();
    want.sort();
    assert_eq!(decoded_findings(&doc), want, "{doc:#}");
    let text = doc.to_string();
    for secret in [
        GH1,
        GH2,
        GH3,
        GH4,
        AWS_SECRET,
        "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo",
    ] {
        assert!(
            !text.contains(secret),
            "decoded secrets are redacted: {secret}"
        );
    }
    let nested = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "nested.txt")
        .unwrap();
    let chain: Vec<&str> = nested["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["encoding"].as_str().unwrap())
        .collect();
    assert_eq!(chain, ["base64", "base64"]);
    assert_eq!(nested["layers"][0]["at"]["column"], 7);

    let human = stdout(
        &leakgate(dir.path())
            .args(["scan", "hex.cfg"])
            .output()
            .unwrap(),
    );
    assert!(
        human.contains("hex.cfg hex at 1:13, line 1, column 13"),
        "{human}"
    );
    assert!(!human.contains(GH4), "{human}");
}

#[test]
fn hashes_integrity_strings_and_images_stay_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let lock = "\"integrity\": \"sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==\"\n\
                sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
                url: https://example.com/search?q=hello%20world%21&lang=en\n\
                path: /usr/lib/python3/dist-packages/setuptools/command\n";
    let mut text = lock.to_string();
    let noise: Vec<u8> = (0..3000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    text.push_str(&format!(
        "icon: data:image/png;base64,{}\n",
        STANDARD.encode(noise)
    ));
    std::fs::write(dir.path().join("package-lock.txt"), text).unwrap();
    let out = leakgate(dir.path())
        .args(["scan", ".", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
}

#[test]
fn the_config_turns_decoding_off_and_the_hook_blocks_an_encoded_key() {
    let repo = Repo::new();
    repo.install();
    let manifest = format!("kind: Secret\ndata:\n  token: {}\n", b64(GH1));
    repo.stage("secret.yaml", &manifest);
    let out = repo.leakgate(&["staged", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        decoded_findings(&doc),
        [("secret.yaml".into(), "github-classic-pat".into(), 3)]
    );

    repo.write(".leakgate.yaml", "decode:\n  encoded: false\n");
    let out = repo.leakgate(&["staged", "--format", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(decoded_findings(&doc), [], "{doc}");

    repo.write(".leakgate.yaml", "decode:\n  depth: 0\n");
    let out = repo.leakgate(&["staged", "--format", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(decoded_findings(&doc), [], "depth 0 decodes nothing: {doc}");

    repo.write(".leakgate.yaml", "decode:\n  depht: 2\n");
    let out = repo.leakgate(&["staged"]);
    assert_eq!(out.status.code(), Some(2), "a misspelt key is an error");
    assert!(stderr(&out).contains("depht"), "{}", stderr(&out));
}

#[test]
fn help_scan_documents_decoding_and_its_limits() {
    let dir = tempfile::tempdir().unwrap();
    let out = leakgate(dir.path())
        .args(["help", "scan"])
        .output()
        .unwrap();
    let text = stdout(&out);
    for needle in [
        "notebooks",
        "UTF-16",
        "base64",
        "decode.depth",
        "decode.max_bytes",
        "decode.encoded",
    ] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
}
