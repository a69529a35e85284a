//! Archives are opened and their text entries scanned: zip (and jar, whl),
//! tar, tar.gz and single gz files, made here with Python's `zipfile`,
//! `tarfile` and `gzip`. Findings name the entry (`backup.zip!/config/.env:2:14`);
//! zip bombs (deflated zeros, a text bomb, nested zips, a tar that declares a
//! huge size) cost no more than the limits and are reported, never passed as
//! clean; the pre-commit hook leaves archives alone unless configured;
//! `history` finds a secret in a committed zip.

mod common;
use common::{fake::*, *};
use serde_json::Value;
use std::path::Path;
use std::process::Output;

/// Runs a Python script in `dir` (with `GH1` defined as a token).
fn python(dir: &Path, script: &str) {
    let out = std::process::Command::new("python3")
        .current_dir(dir)
        .arg("-c")
        .arg(format!(
            "import zipfile, tarfile, gzip, io\nGH1 = {GH1:?}\n{script}"
        ))
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "{}", all_output(&out));
}

fn scan(dir: &Path, args: &[&str]) -> Output {
    leakgate(dir).arg("scan").args(args).output().unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", all_output(out)))
}

/// Each finding as `path!/entry...:line`.
fn places(report: &Value) -> Vec<String> {
    let mut out: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let mut place = f["path"].as_str().unwrap().to_string();
            for layer in f["layers"].as_array().unwrap() {
                if layer["kind"] == "archive-entry" {
                    place = format!("{place}!/{}", layer["path"].as_str().unwrap());
                }
            }
            format!("{place}:{}", f["line"])
        })
        .collect();
    out.sort();
    out
}

fn unreadable(report: &Value) -> Vec<String> {
    let list = report["summary"]["skipped"]["unreadable"].as_array();
    list.map_or(Vec::new(), |l| {
        l.iter().map(|p| p.as_str().unwrap().to_string()).collect()
    })
}

/// Writes `name` as a zip of one deflated entry.
const ONE_ZIP: &str = "def one_zip(name, entry, data):\n    \
    with zipfile.ZipFile(name, 'w', zipfile.ZIP_DEFLATED) as z: z.writestr(entry, data)\n";

#[test]
fn every_archive_format_is_opened_and_findings_name_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    python(
        dir.path(),
        &format!(
            "{ONE_ZIP}\
one_zip('backup.zip', 'config/.env', 'A=1\\nGITHUB_TOKEN=' + GH1 + '\\n')
one_zip('app.jar', 'META-INF/app.properties', 'token=' + GH1 + '\\n')
one_zip('pkg-1.0-py3-none-any.whl', 'pkg/settings.py', 'X = 1\\nTOKEN = \"' + GH1 + '\"\\n')
data = ('x\\ntoken = ' + GH1 + '\\n').encode()
for name, mode in [('site.tar', 'w'), ('site.tgz', 'w:gz'), ('site.tar.gz', 'w:gz')]:
    with tarfile.open(name, mode) as t:
        info = tarfile.TarInfo('./conf/app.ini'); info.size = len(data)
        t.addfile(info, io.BytesIO(data))
with gzip.open('notes.txt.gz', 'wb') as g: g.write(b'n\\n' + GH1.encode() + b'\\n')
with open('plain.txt', 'w') as f: f.write('nothing here\\n')
"
        ),
    );
    let out = scan(dir.path(), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    let report = json(&out);
    assert_eq!(
        places(&report),
        [
            "app.jar!/META-INF/app.properties:1",
            "backup.zip!/config/.env:2",
            "notes.txt.gz!/notes.txt:2",
            "pkg-1.0-py3-none-any.whl!/pkg/settings.py:2",
            "site.tar!/conf/app.ini:2",
            "site.tar.gz!/conf/app.ini:2",
            "site.tgz!/conf/app.ini:2",
        ]
    );
    assert!(unreadable(&report).is_empty());
    let human = stdout(&scan(dir.path(), &["backup.zip"]));
    assert!(
        human.contains("--> backup.zip!/config/.env:2:14"),
        "{human}"
    );
    assert!(!human.contains(&GH1[4..]), "redacted: {human}");
}

#[test]
fn binary_entries_are_passed_over_and_archives_can_be_turned_off() {
    let dir = tempfile::tempdir().unwrap();
    python(
        dir.path(),
        "with zipfile.ZipFile('mixed.zip', 'w', zipfile.ZIP_DEFLATED) as z:\n    \
             z.writestr('logo.png', b'\\x89PNG\\r\\n\\x1a\\n' + bytes(200))\n    \
             z.writestr('.env', 'GITHUB_TOKEN=' + GH1 + '\\n')\n",
    );
    let report = json(&scan(dir.path(), &["--format", "json"]));
    assert_eq!(places(&report), ["mixed.zip!/.env:1"]);
    assert!(
        report["summary"]["skipped"].get("binary").is_none(),
        "{report}"
    );
    std::fs::write(
        dir.path().join(".leakgate.yaml"),
        "decode:\n  archives: false\n",
    )
    .unwrap();
    let out = scan(dir.path(), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    assert!(places(&json(&out)).is_empty());
}

#[test]
fn a_bomb_of_zeros_costs_a_head_and_its_neighbours_are_still_judged() {
    let dir = tempfile::tempdir().unwrap();
    python(
        dir.path(),
        "with zipfile.ZipFile('zeros.zip', 'w', zipfile.ZIP_DEFLATED) as z:\n    \
             z.writestr('zeros.bin', bytes(1 << 30))\n    \
             z.writestr('after.env', 'GITHUB_TOKEN=' + GH1 + '\\n')\n",
    );
    let size = std::fs::metadata(dir.path().join("zeros.zip"))
        .unwrap()
        .len();
    assert!(size < 2 << 20, "a gigabyte in {size} bytes");
    let report = json(&scan(dir.path(), &["--format", "json"]));
    assert_eq!(places(&report), ["zeros.zip!/after.env:1"]);
    assert!(
        unreadable(&report).is_empty(),
        "binary: passed over, not inflated"
    );
}

#[test]
fn a_text_bomb_stops_at_the_ratio_is_reported_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    python(
        dir.path(),
        &format!(
            "{ONE_ZIP}\
one_zip('bomb.zip', 'big.txt', GH1 + '\\n' + 'a' * (200 << 20) + '\\n' + 'token=' + GH1.lower() + '\\n')
"
        ),
    );
    let out = scan(dir.path(), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
    let report = json(&out);
    assert_eq!(
        places(&report),
        ["bomb.zip!/big.txt:1"],
        "the start is judged"
    );
    let list = unreadable(&report);
    assert_eq!(list.len(), 1, "{list:?}");
    assert!(
        list[0].starts_with("bomb.zip!/big.txt (decompresses to over 100x its size"),
        "{list:?}"
    );
    assert!(stderr(&out).contains("could not read 1 place inside archives"));
    let quiet = scan(dir.path(), &["--quiet"]);
    assert!(
        stdout(&quiet).contains("bomb.zip!/big.txt"),
        "listed even with --quiet: {}",
        all_output(&quiet)
    );
}

#[test]
fn nested_zips_open_to_the_depth_limit_and_no_further() {
    let dir = tempfile::tempdir().unwrap();
    python(
        dir.path(),
        "def zipped(entries):\n    \
             b = io.BytesIO()\n    \
             with zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED) as z:\n        \
                 for n, d in entries: z.writestr(n, d)\n    \
             return b.getvalue()\n\
layer = zipped([('deep.env', 'GITHUB_TOKEN=' + GH1 + '\\n'), ('bomb.txt', ' ' * (20 << 20))])\n\
for level in range(4, 0, -1):\n    \
             layer = zipped([('l%d-%d.zip' % (level, i), layer) for i in range(10)])\n\
open('nested.zip', 'wb').write(layer)\n",
    );
    let out = scan(dir.path(), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
    let report = json(&out);
    assert!(report["findings"].as_array().unwrap().is_empty());
    let list = unreadable(&report);
    assert!(!list.is_empty());
    assert!(
        list.iter()
            .all(|p| p.contains("(decode.archive_depth): not opened")),
        "{list:?}"
    );
    std::fs::write(
        dir.path().join(".leakgate.yaml"),
        "decode:\n  archive_depth: 5\n  depth: 8\n",
    )
    .unwrap();
    let out = scan(dir.path(), &["--format", "json"]);
    let report = json(&out);
    let found = places(&report);
    assert!(
        found
            .first()
            .is_some_and(|p| p == "nested.zip!/l1-0.zip!/l2-0.zip!/l3-0.zip!/l4-0.zip!/deep.env:1"),
        "{found:?}"
    );
    let list = unreadable(&report);
    assert!(
        list.iter().any(|p| p.contains("decode.max_bytes")),
        "10 000 bombs of 20 MiB spend the 64 MiB budget: {list:?}"
    );
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
}

#[test]
fn a_tar_that_declares_a_huge_size_is_reported_and_what_it_holds_is_judged() {
    let dir = tempfile::tempdir().unwrap();
    python(
        dir.path(),
        "data = ('token = ' + GH1 + '\\n').encode()\n\
info = tarfile.TarInfo('huge.log'); info.size = len(data)\n\
header = bytearray(info.tobuf(format=tarfile.USTAR_FORMAT))\n\
header[124:136] = b'%011o\\0' % ((8 << 30) - 1)\n\
header[148:156] = b' ' * 8\n\
header[148:155] = b'%06o\\0' % sum(header[:512])\n\
open('huge.tar', 'wb').write(bytes(header[:512]) + data + bytes(1024))\n\
open('huge.tar.gz', 'wb').write(gzip.compress(bytes(header[:512]) + data))\n",
    );
    let out = scan(dir.path(), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
    let report = json(&out);
    assert_eq!(
        places(&report),
        ["huge.tar!/huge.log:1", "huge.tar.gz!/huge.log:1"]
    );
    let mut list = unreadable(&report);
    list.sort();
    assert_eq!(list.len(), 2, "{list:?}");
    assert!(
        list[0].starts_with("huge.tar!/huge.log (truncated"),
        "{list:?}"
    );
    assert!(
        list[1].starts_with("huge.tar.gz!/huge.log (truncated"),
        "{list:?}"
    );
}

#[test]
fn encrypted_and_corrupt_entries_are_unreadable_never_clean() {
    let dir = tempfile::tempdir().unwrap();
    python(
        dir.path(),
        "with zipfile.ZipFile('locked.zip', 'w', zipfile.ZIP_STORED) as z:\n    \
             z.writestr('secret.env', 'GITHUB_TOKEN=' + GH1 + '\\n')\n\
b = bytearray(open('locked.zip', 'rb').read())\n\
for sig, flags_at in [(b'PK\\x03\\x04', 6), (b'PK\\x01\\x02', 8)]:\n    \
             i = b.find(sig); b[i + flags_at] |= 1\n\
open('locked.zip', 'wb').write(bytes(b))\n\
with zipfile.ZipFile('broken.zip', 'w', zipfile.ZIP_DEFLATED) as z:\n    \
             z.writestr('a.env', ('GITHUB_TOKEN=' + GH1 + '\\n') * 50)\n\
b = bytearray(open('broken.zip', 'rb').read())\n\
for i in range(35, 45): b[i] = 0xff\n\
open('broken.zip', 'wb').write(bytes(b))\n",
    );
    let out = scan(dir.path(), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
    let mut list = unreadable(&json(&out));
    list.sort();
    assert_eq!(list.len(), 2, "{list:?}");
    assert!(
        list[0].starts_with("broken.zip!/a.env (corrupt"),
        "{list:?}"
    );
    assert_eq!(list[1], "locked.zip!/secret.env (encrypted)");
}

#[test]
fn the_pre_commit_hook_opens_archives_only_when_configured() {
    let repo = Repo::new();
    repo.install();
    python(
        repo.path(),
        &format!("{ONE_ZIP}one_zip('backup.zip', 'config/.env', 'GITHUB_TOKEN=' + GH1 + '\\n')\n"),
    );
    repo.git(&["add", "backup.zip"]);
    let out = repo.leakgate(&["staged", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    assert!(places(&json(&out)).is_empty(), "{}", all_output(&out));
    repo.stage(".leakgate.yaml", "decode:\n  archives: true\n");
    let out = repo.commit("a zipped backup");
    assert!(!out.status.success(), "blocked: {}", all_output(&out));
    assert!(
        all_output(&out).contains("backup.zip!/config/.env:1:14"),
        "{}",
        all_output(&out)
    );
    assert_eq!(repo.commit_count(), 0);
}

#[test]
fn history_finds_a_secret_in_a_committed_zip() {
    let repo = Repo::new();
    python(
        repo.path(),
        &format!(
            "{ONE_ZIP}one_zip('export.zip', 'data/settings.ini', 'x\\ntoken=' + GH1 + '\\n')\n"
        ),
    );
    repo.git(&["add", "export.zip"]);
    let commit = repo.commit_unchecked("add the export");
    repo.write("export.zip", b"gone\n");
    repo.git(&["commit", "-qam", "remove the export"]);
    let out = repo.leakgate(&["history", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    let report = json(&out);
    assert_eq!(places(&report), ["export.zip!/data/settings.ini:2"]);
    assert_eq!(report["findings"][0]["commit"], commit.as_str());
}

#[test]
fn help_scan_documents_archives_and_their_limits() {
    let dir = tempfile::tempdir().unwrap();
    let out = leakgate(dir.path())
        .args(["help", "scan"])
        .output()
        .unwrap();
    let text = stdout(&out);
    for key in [
        "backup.zip!/config/.env:3:5",
        "decode.archive_depth",
        "decode.archive_entries",
        "decode.archive_ratio",
        "decode.archives: false",
    ] {
        assert!(text.contains(key), "{key} in {text}");
    }
    let out = leakgate(dir.path())
        .args(["help", "staged"])
        .output()
        .unwrap();
    assert!(stdout(&out).contains("archives: true"), "{}", stdout(&out));
}
