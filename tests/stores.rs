//! Credential stores, password hashes, vendors' published sample keys and tokens
//! inside base64 (issue 9, items 4 and 5), through the real binary on real files.

mod common;
use common::{fake::*, *};
use serde_json::Value;

fn write(dir: &std::path::Path, path: &str, content: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

/// `(path, rule id)` of every finding, sorted.
fn found(doc: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap().to_string();
            (s("path"), s("rule_id"))
        })
        .collect();
    out.sort();
    out
}

/// Store files, each holding the weak password `hunter22`.
const STORES: &[(&str, &str, &str)] = &[
    (
        "sftp-config.json",
        "{\n    \"host\": \"web01\",\n    \"password\": \"hunter22\",\n}\n",
        "sublime-sftp-password",
    ),
    (
        ".fetchmailrc",
        "poll imap.corp.example user \"joe\" password \"hunter22\"\n",
        "mail-rc-password",
    ),
    (
        "config/deploy.rb",
        "set :user, \"deploy\"\nset :password, \"hunter22\"\n",
        "capistrano-password",
    ),
    (
        ".pypirc",
        "[internal]\nusername = deploy\npassword = hunter22\n",
        "pypirc-password",
    ),
    (
        "inventory/hosts.ini",
        "web ansible_user=root ansible_password=hunter22\n",
        "ansible-password-variable",
    ),
    (
        "Chrome Passwords.csv",
        "name,url,username,password,note\nmail,https://mail.corp.example/,joe,hunter22,\n",
        "browser-passwords-csv",
    ),
];

#[test]
fn a_weak_password_in_a_credential_store_is_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    for (path, content, _) in STORES {
        write(dir.path(), path, content);
    }
    // The same line in a file that is no store: a weak password in code is the
    // generic rules' to judge, and they leave `hunter22` alone.
    write(dir.path(), "notes.txt", "password = \"hunter22\"\n");
    let doc = scan_json(dir.path(), 1);
    let mut want: Vec<(String, String)> = STORES
        .iter()
        .map(|(p, _, r)| (p.to_string(), r.to_string()))
        .collect();
    want.sort();
    assert_eq!(found(&doc), want, "{doc}");
}

#[test]
fn a_store_with_placeholders_or_no_passwords_is_clean() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "sftp-config.json",
        "{\n    \"user\": \"username\",\n    //\"password\": \"password\",\n}\n",
    );
    write(
        dir.path(),
        "config/deploy.rb",
        "set :password, ask('Server password', nil, echo: false)\n",
    );
    write(
        dir.path(),
        ".msmtprc",
        "account work\npasswordeval \"pass show mail\"\n",
    );
    write(
        dir.path(),
        "passwords.csv",
        "name,url,username,password,note\n",
    );
    let doc = scan_json(dir.path(), 0);
    assert!(found(&doc).is_empty(), "{doc}");
}

#[test]
fn password_hashes_in_a_dump_are_low_and_published_ones_are_not_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "db/dump.sql",
        "INSERT INTO `users` VALUES (1,'ops','$2y$10$Jq7cH0wG0uJmQz8yqv3u8eYV0m6p5nB1HcQeZ2bXvR7kT9s4aLdWe');\n\
         INSERT INTO `users` VALUES (2,'dev','$2y$10$92IXUNpkjO0rOQ5byMi.Ye4oKoEa3Ro9llC/.og/at2.uheWG/igi');\n",
    );
    let doc = scan_json(dir.path(), 1);
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(
        findings.len(),
        1,
        "Laravel's factory hash is not a leak: {doc}"
    );
    assert_eq!(findings[0]["rule_id"], "password-hash");
    assert_eq!(findings[0]["severity"], "low");
    assert_eq!(findings[0]["line"], 1);
}

#[test]
fn vendors_published_sample_keys_are_not_findings() {
    let dir = tempfile::tempdir().unwrap();
    let docs = "aws_access_key_id = AKIAI44QH8DHBEXAMPLE\n\
                aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY\n\
                minio_secret_access_key = zuf+tfteSlswRu7BJ86wekitnifILbZam1KYY3TG\n\
                stripe.api_key = \"sk_test_4eC39HqLyjWDarjtT1zdp7dc\"\n";
    write(dir.path(), "README.md", docs);
    let doc = scan_json(dir.path(), 0);
    assert!(found(&doc).is_empty(), "{doc}");
    // One character changed and each is a key nobody published.
    let real = docs
        .replace("HBEXAMPLE", "HBQ3ZX7W4")
        .replace("nvbEXAMPLEKEY", "nvbQ7x2LmP9kZ")
        .replace("KYY3TG", "KYY3TH")
        .replace("dp7dc", "dp7dQ");
    write(dir.path(), "README.md", &real);
    let doc = scan_json(dir.path(), 1);
    let rules: Vec<String> = found(&doc).into_iter().map(|(_, r)| r).collect();
    assert_eq!(
        rules,
        [
            "aws-access-key-id",
            "aws-secret-access-key",
            "aws-secret-access-key",
            "stripe-test-secret-key"
        ],
        "{doc}"
    );
}

#[test]
fn a_token_prefix_inside_an_embedded_image_is_not_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let image = format!(
        "<img src=\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ+{GH1}/AAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==\">\n"
    );
    write(dir.path(), "index.html", &image);
    let doc = scan_json(dir.path(), 0);
    assert!(found(&doc).is_empty(), "{doc}");
    write(
        dir.path(),
        "index.html",
        &format!("<meta token=\"{GH1}\">\n"),
    );
    let doc = scan_json(dir.path(), 1);
    assert_eq!(
        found(&doc),
        [("index.html".to_string(), "github-classic-pat".to_string())]
    );
}

#[test]
fn aws_credential_files_are_found_wherever_they_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let ini = "[default]\naws_access_key_id = AKIAMQ7IM2EYIG76NZEJ\n\
               aws_secret_access_key = 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\n";
    write(dir.path(), "deploy/aws_credentials", ini);
    write(dir.path(), ".aws/credentials", ini);
    let doc = scan_json(dir.path(), 1);
    let want: Vec<(String, String)> = [
        (".aws/credentials", "aws-access-key-id"),
        (".aws/credentials", "aws-secret-access-key"),
        ("deploy/aws_credentials", "aws-access-key-id"),
        ("deploy/aws_credentials", "aws-secret-access-key"),
    ]
    .iter()
    .map(|(p, r)| (p.to_string(), r.to_string()))
    .collect();
    // The key pair, not also the file by its name: one secret, one finding.
    assert_eq!(found(&doc), want, "{doc}");
}
