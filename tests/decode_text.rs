//! Text that git's binary test hides: UTF-16 files (with and without a byte
//! order mark) and text with a stray NUL byte are scanned, through `scan` and a
//! real `git commit`; real binary files stay skipped.

mod common;
use common::{fake::*, *};

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend(if big_endian {
            [0xFE, 0xFF]
        } else {
            [0xFF, 0xFE]
        });
    }
    for u in text.encode_utf16() {
        out.extend(if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    out
}

fn scan_json(dir: &std::path::Path, path: &str) -> (Option<i32>, serde_json::Value) {
    let out = leakgate(dir)
        .args(["scan", path, "--format", "json"])
        .output()
        .unwrap();
    let doc =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", all_output(&out)));
    (out.status.code(), doc)
}

#[test]
fn utf16_files_are_decoded_and_keep_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("# exported by PowerShell\r\n$token = \"{GH1}\"\r\n");
    for (name, be, bom) in [
        ("le-bom.ps1", false, true),
        ("be-bom.txt", true, true),
        ("le.txt", false, false),
        ("be.txt", true, false),
    ] {
        std::fs::write(dir.path().join(name), utf16(&text, be, bom)).unwrap();
        let (code, doc) = scan_json(dir.path(), name);
        assert_eq!(code, Some(1), "{name}: {doc}");
        let f = &doc["findings"][0];
        assert_eq!(f["rule_id"], "github-classic-pat", "{name}: {doc}");
        assert_eq!(f["line"], 2, "{name}");
        assert_eq!(f["column"], 11, "{name}");
        assert_eq!(f["file_line"], 2, "{name}: {doc}");
        let order = if be { "UTF-16BE" } else { "UTF-16LE" };
        assert_eq!(f["layers"][0]["kind"], "utf16", "{name}: {doc}");
        assert_eq!(f["layers"][0]["big_endian"], be, "{name}: {order}");
        assert!(!doc.to_string().contains(GH1), "the secret is redacted");
    }
    let out = leakgate(dir.path())
        .args(["scan", "le.txt"])
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("le.txt UTF-16LE, line 2, column 11"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_stray_nul_does_not_hide_a_text_file_but_binaries_stay_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = b"[settings]\nname = demo\n".repeat(20);
    text.extend_from_slice(b"pad\0ding\n");
    text.extend_from_slice(format!("token = {GH2}\n").as_bytes());
    std::fs::write(dir.path().join("settings.ini"), &text).unwrap();
    let (code, doc) = scan_json(dir.path(), "settings.ini");
    assert_eq!(code, Some(1), "{doc}");
    assert_eq!(doc["findings"][0]["line"], 42, "{doc}");
    // Noise (as compressed or image data looks) with the token after it is
    // binary, as before. (A gzip file is an archive now: tests/archives.rs.)
    let mut x: u32 = 0x9e37_79b9;
    let mut bin: Vec<u8> = (0..20_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect();
    bin[3] = 0;
    bin.extend_from_slice(format!("\n{GH2}\n").as_bytes());
    std::fs::write(dir.path().join("blob.dat"), &bin).unwrap();
    let (code, doc) = scan_json(dir.path(), "blob.dat");
    assert_eq!(code, Some(0), "{doc}");
    assert!(
        doc["summary"]["skipped"]["binary"]
            .to_string()
            .contains("blob.dat"),
        "{doc}"
    );
}

#[test]
fn the_hook_blocks_a_utf16_file_and_judges_only_its_added_lines() {
    let repo = Repo::new();
    repo.install();
    let old = format!("first = \"{GH3}\"\r\nsecond = 2\r\n");
    repo.stage("export.reg", utf16(&old, false, true));
    repo.commit_unchecked("an old secret, accepted before the hook");
    let new = format!("{old}third = \"{GH4}\"\r\n");
    repo.stage("export.reg", utf16(&new, false, true));
    let out = repo.commit("add a line");
    assert!(!out.status.success(), "blocked: {}", all_output(&out));
    let err = stderr(&out);
    assert!(err.contains("export.reg UTF-16LE, line 3"), "{err}");
    assert!(
        !err.contains("line 1,"),
        "the old line is not judged: {err}"
    );
    assert_eq!(repo.commit_count(), 1);
}
