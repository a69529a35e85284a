//! Unsafe model files through the real command line: `git commit` with the
//! installed hook, `scan`, `history`, both push hooks, baselines, path-scoped
//! allows and the `models` config. The pickles are made by CPython's `pickle`;
//! a test that needs it says so and is skipped when `python3` is missing.

mod common;
use common::*;
use std::process::Command;

/// Runs a Python script that writes a file's bytes to stdout.
fn python(script: &str) -> Option<Vec<u8>> {
    match Command::new("python3").args(["-c", script]).output() {
        Ok(out) if out.status.success() => Some(out.stdout),
        Ok(out) => panic!("python3 failed: {}", stderr(&out)),
        Err(_) => {
            eprintln!("SKIPPED: python3 is not installed; this test makes real pickles with it");
            None
        }
    }
}

/// A pickle that runs `os.system` when loaded (the classic `__reduce__`).
fn evil_pickle() -> Option<Vec<u8>> {
    python(
        "import pickle, os, sys\nclass P:\n    def __reduce__(self): return (os.system, ('echo pwned',))\n\
         sys.stdout.buffer.write(pickle.dumps({'weights': [0.5, 1.5], 'hook': P()}, protocol=4))",
    )
}

/// A pickle that calls a function outside the allowlist.
fn unknown_pickle() -> Option<Vec<u8>> {
    python(
        "import pickle, sys\nimport json\nclass P:\n    def __reduce__(self): return (json.loads, ('[1]',))\n\
         sys.stdout.buffer.write(pickle.dumps(P(), protocol=2))",
    )
}

fn benign_pickle() -> Option<Vec<u8>> {
    python(
        "import pickle, sys, collections, datetime\n\
         sys.stdout.buffer.write(pickle.dumps(collections.OrderedDict(w=[0.5, 1.5], when=datetime.date(2024, 1, 2)), protocol=4))",
    )
}

/// A PyTorch-style zip holding `pickle` as `archive/data.pkl`.
fn torch_zip(pickle: &[u8]) -> Option<Vec<u8>> {
    python(&format!(
        "import zipfile, io, sys\nb = io.BytesIO()\nz = zipfile.ZipFile(b, 'w')\n\
         z.writestr('archive/data.pkl', bytes({pickle:?}))\nz.writestr('archive/version', '3')\n\
         z.writestr('archive/data/0', bytes(16))\nz.close()\nsys.stdout.buffer.write(b.getvalue())"
    ))
}

fn blocked(out: &std::process::Output) -> String {
    let text = all_output(out);
    assert!(!out.status.success(), "must be blocked: {text}");
    text
}

#[test]
fn a_malicious_pickle_is_blocked_by_the_pre_commit_hook() {
    let Some(evil) = evil_pickle() else { return };
    let repo = Repo::new();
    repo.install();
    repo.stage("models/model.pkl", &evil);
    let text = blocked(&repo.commit("add model"));
    assert!(text.contains("[model-dangerous-callable]"), "{text}");
    assert!(text.contains("models/model.pkl"), "{text}");
    assert!(text.contains("posix.system"), "{text}");
    assert!(text.contains("runs commands"), "{text}");
    assert!(text.contains("unsafe model finding"), "{text}");
    assert_eq!(repo.commit_count(), 0);
}

#[test]
fn a_benign_model_commits_and_a_changed_model_is_judged_whole() {
    let (Some(good), Some(evil)) = (benign_pickle(), evil_pickle()) else {
        return;
    };
    let repo = Repo::new();
    repo.install();
    repo.stage("model.pkl", &good);
    let out = repo.commit("add model");
    assert!(out.status.success(), "{}", all_output(&out));
    // Changing the file: a binary has no added lines, so the whole new blob is judged.
    repo.stage("model.pkl", &evil);
    let text = blocked(&repo.commit("retrain"));
    assert!(text.contains("posix.system"), "{text}");
    assert_eq!(repo.commit_count(), 1);
}

#[test]
fn the_place_inside_an_archive_is_reported() {
    let Some(evil) = evil_pickle() else { return };
    let Some(zip) = torch_zip(&evil) else { return };
    let repo = Repo::new();
    repo.install();
    repo.stage("model.pt", &zip);
    let text = blocked(&repo.commit("add torch model"));
    assert!(
        text.contains("model.pt!/archive/data.pkl at byte"),
        "{text}"
    );
}

#[test]
fn json_and_sarif_carry_the_chain_inside_the_file() {
    let Some(evil) = evil_pickle() else { return };
    let Some(zip) = torch_zip(&evil) else { return };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("model.pt"), &zip).unwrap();
    let scan = |format: &str| {
        let out = leakgate(dir.path())
            .args(["scan", "model.pt", "--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let doc = scan("json");
    let layers = &doc["findings"][0]["layers"];
    assert_eq!(layers[0]["kind"], "archive-entry", "{layers}");
    assert_eq!(layers[0]["path"], "archive/data.pkl");
    assert_eq!(layers[1]["kind"], "offset");
    let offset = layers[1]["offset"].as_u64().expect("an opcode offset");
    // The offset points at the GLOBAL/STACK_GLOBAL-made call in the entry's pickle.
    assert!(offset > 0 && (offset as usize) < evil.len(), "{offset}");
    let sarif = scan("sarif");
    let logical = &sarif["runs"][0]["results"][0]["locations"][0]["logicalLocations"];
    assert_eq!(
        logical[1]["fullyQualifiedName"],
        format!("model.pt!/archive/data.pkl at byte {offset}"),
        "{logical}"
    );
}

/// Writes a PyTorch-style zip holding `pickle` and `mib` MiB of zero tensor
/// data to `path`, streaming the zeros so the test itself stays small in memory.
fn write_large_torch_zip(path: &std::path::Path, pickle: &[u8], mib: usize) -> Option<()> {
    python(&format!(
        "import zipfile\nz = zipfile.ZipFile({path:?}, 'w')\n\
         z.writestr('archive/data.pkl', bytes({pickle:?}))\n\
         with z.open('archive/data/0', 'w', force_zip64=True) as f:\n    \
         for _ in range({mib}): f.write(bytes(1 << 20))\n\
         z.writestr('archive/version', '3')\nz.close()",
        path = path.to_str().unwrap()
    ))
    .map(|_| ())
}

#[test]
fn a_model_over_the_text_size_limit_is_still_judged() {
    let (Some(evil), Some(good)) = (evil_pickle(), benign_pickle()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (big_evil, big_good) = (dir.path().join("big.pt"), dir.path().join("good.pt"));
    write_large_torch_zip(&big_evil, &evil, 30).unwrap();
    write_large_torch_zip(&big_good, &good, 30).unwrap();
    std::fs::write(dir.path().join("big.log"), vec![b'x'; 26 << 20]).unwrap();
    assert!(std::fs::metadata(&big_evil).unwrap().len() > 25 << 20);
    let doc = scan_json(dir.path(), 1);
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{doc}");
    assert_eq!(findings[0]["path"], "big.pt");
    assert_eq!(findings[0]["layers"][0]["path"], "archive/data.pkl");
    assert_eq!(doc["summary"]["model_files"], 2, "{doc}");
    let skipped = doc["summary"]["skipped"].to_string();
    assert!(
        skipped.contains("big.log"),
        "text over the limit is skipped: {skipped}"
    );
    assert!(
        !skipped.contains(".pt"),
        "judged models are not skipped: {skipped}"
    );
}

#[test]
fn scan_finds_models_by_magic_bytes_not_extension() {
    let (Some(evil), Some(good)) = (evil_pickle(), benign_pickle()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("weights.safetensors"), &evil).unwrap();
    std::fs::write(dir.path().join("good.pkl"), &good).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "cos\nsin\ntan\n").unwrap();
    let doc = scan_json(dir.path(), 1);
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{doc}");
    let f = &findings[0];
    assert_eq!(f["rule_id"], "model-dangerous-callable");
    assert_eq!(f["path"], "weights.safetensors");
    assert_eq!(
        f["secret"], "posix.system",
        "the callable is shown, not redacted"
    );
    assert!(
        f["detail"].as_str().unwrap().contains("runs commands"),
        "{f}"
    );
    assert_eq!(doc["summary"]["model_files"], 2);
    assert!(
        doc["summary"]["skipped"].as_object().unwrap().is_empty(),
        "judged models are not skipped binaries: {doc}"
    );
}

#[test]
fn history_finds_a_model_committed_without_the_hook() {
    let Some(evil) = unknown_pickle() else { return };
    let repo = Repo::new();
    let id = repo.commit_file("data/cache.pkl", &evil, "cache");
    repo.commit_file("data/cache.pkl", b"\x80\x04K\x01.", "replace the cache");
    let out = repo.leakgate(&["history", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &doc["findings"][0];
    assert_eq!(f["rule_id"], "model-unknown-callable");
    assert_eq!(f["secret"], "json.loads");
    assert_eq!(f["commit"], id.as_str());
}

#[test]
fn both_push_hooks_reject_a_malicious_model() {
    let Some(evil) = evil_pickle() else { return };
    // Server side.
    let server = Bare::new();
    server.install_pre_receive("");
    let client = Repo::with_origin(&server);
    client.commit_file("model.pkl", &evil, "model");
    let text = blocked(&client.push(&["origin", "main"]));
    assert!(text.contains("model-dangerous-callable"), "{text}");
    assert!(server.refs().is_empty());
    // Client side.
    let remote = Bare::new();
    let client = Repo::with_origin(&remote);
    let out = client.leakgate(&["install", "--hook", "pre-push"]);
    assert!(out.status.success(), "{}", all_output(&out));
    client.commit_file("model.pkl", &evil, "model");
    let text = blocked(&client.push(&["origin", "main"]));
    assert!(text.contains("posix.system"), "{text}");
}

#[test]
fn a_path_scoped_allow_and_the_baseline_accept_a_trusted_model() {
    let (Some(evil), Some(unknown)) = (evil_pickle(), unknown_pickle()) else {
        return;
    };
    let repo = Repo::new();
    repo.install();
    repo.stage(
        ".leakgate.yaml",
        "allow:\n  per_rule:\n    model-dangerous-callable:\n      paths: ['fixtures/attack.pkl']\n",
    );
    repo.stage("fixtures/attack.pkl", &evil);
    let out = repo.commit("a fixture for the loader's tests");
    assert!(out.status.success(), "{}", all_output(&out));
    // The same file elsewhere is still blocked.
    repo.stage("models/attack.pkl", &evil);
    blocked(&repo.commit("copy"));
    repo.git(&["rm", "-q", "--cached", "models/attack.pkl"]);
    // The baseline accepts one callable in one file.
    repo.write("tools/cache.pkl", &unknown);
    let out = repo.leakgate(&["baseline", "create"]);
    assert!(out.status.success(), "{}", all_output(&out));
    repo.git(&["add", "tools/cache.pkl", ".leakgate-baseline.json"]);
    let out = repo.commit("accepted cache");
    assert!(out.status.success(), "{}", all_output(&out));
}

#[test]
fn the_config_extends_the_allowlist_and_checks_its_names() {
    let Some(unknown) = unknown_pickle() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.pkl"), &unknown).unwrap();
    let scan = |config: &str| {
        std::fs::write(dir.path().join(".leakgate.yaml"), config).unwrap();
        leakgate(dir.path()).args(["scan", "."]).output().unwrap()
    };
    assert_eq!(scan("").status.code(), Some(1));
    assert_eq!(
        scan("models:\n  allow: [json.loads]\n").status.code(),
        Some(0)
    );
    assert_eq!(
        scan("models:\n  allow: ['json.*']\n").status.code(),
        Some(0)
    );
    assert_eq!(
        scan("disable: [model-unknown-callable]\n").status.code(),
        Some(0)
    );
    let out = scan("models:\n  allow: ['not a name']\n");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(":2:") && err.contains("not a module-qualified Python name"),
        "{err}"
    );
    let out = scan("severity:\n  model-unknown-callable: low\nfail_on: medium\n");
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
}

#[test]
fn git_lfs_pointers_are_listed_in_the_summary() {
    let repo = Repo::new();
    repo.install();
    repo.stage(
        "models/big.pt",
        "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 123456789\n",
    );
    let out = repo.leakgate(&["staged"]);
    assert!(out.status.success(), "{}", all_output(&out));
    let text = all_output(&out);
    assert!(
        text.contains("Git LFS pointers") && text.contains("models/big.pt"),
        "{text}"
    );
}

#[test]
fn leakgate_rules_lists_the_model_rules() {
    let out = leakgate(std::path::Path::new("."))
        .args(["rules"])
        .output()
        .unwrap();
    let text = stdout(&out);
    for id in [
        "model-dangerous-callable",
        "model-unknown-callable",
        "model-nonconstant-global",
        "model-global-mutation",
        "model-keras-lambda",
    ] {
        assert!(text.contains(id), "{id} missing from {text}");
    }
    let out = leakgate(std::path::Path::new("."))
        .args(["rules", "show", "model-keras-lambda"])
        .output()
        .unwrap();
    assert!(stdout(&out).contains("Lambda"), "{}", all_output(&out));
}
