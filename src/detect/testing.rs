//! Helpers for the detector's tests: real files made by CPython.

use super::{judge, Kind, Policy, Verdict};
use std::io::Write;
use std::process::{Command, Stdio};

/// Runs `script` with `python3` and returns what it writes to stdout; `None`
/// (with a message saying the test is skipped) when Python, or a module the
/// script imports, is not installed.
pub fn python(script: &str) -> Option<Vec<u8>> {
    let child = Command::new("python3")
        .args(["-c", script])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let Ok(child) = child else {
        eprintln!(
            "SKIPPED: python3 is not installed; this test needs CPython to make real pickles"
        );
        return None;
    };
    let out = child.wait_with_output().expect("python3 runs");
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        if err.contains("ModuleNotFoundError") {
            eprintln!(
                "SKIPPED: a Python module this test needs is missing: {}",
                err.trim().lines().last().unwrap_or("")
            );
            return None;
        }
        panic!("python3 failed: {err}\n{script}");
    }
    Some(out.stdout)
}

/// Runs `script`, which calls `out(b)` for each file it makes, and returns the
/// files in order (`None` when Python or a module is missing, as [`python`]).
pub fn python_files(script: &str) -> Option<Vec<Vec<u8>>> {
    let prelude =
        "import sys\ndef out(b):\n    sys.stdout.buffer.write(len(b).to_bytes(8, 'little') + b)\n";
    let mut bytes = &python(&format!("{prelude}{script}"))?[..];
    let mut files = Vec::new();
    while bytes.len() >= 8 {
        let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        files.push(bytes[8..8 + n].to_vec());
        bytes = &bytes[8 + n..];
    }
    Some(files)
}

/// A script that pickles `expr` (after `setup`) with `protocol` to stdout.
pub fn pickled(setup: &str, expr: &str, protocol: u8) -> Option<Vec<u8>> {
    python(&format!(
        "import pickle, sys\n{setup}\nsys.stdout.buffer.write(pickle.dumps({expr}, protocol={protocol}))"
    ))
}

/// The verdict on `bytes` under the default policy.
pub fn verdict(bytes: &[u8]) -> Verdict {
    judge(bytes, &Policy::default())
}

/// `(rule id, callable)` of each finding.
pub fn found(bytes: &[u8]) -> Vec<(&'static str, String)> {
    verdict(bytes)
        .findings
        .into_iter()
        .map(|f| (f.kind.rule_id(), f.callable))
        .collect()
}

/// Whether a finding of `kind` names `callable` (a prefix of it).
pub fn has(bytes: &[u8], kind: Kind, callable: &str) -> bool {
    verdict(bytes)
        .findings
        .iter()
        .any(|f| f.kind == kind && f.callable.starts_with(callable))
}

/// Writes `data` into a gzip stream.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}
