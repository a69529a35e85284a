//! Criterion benchmarks of the engine's hot spots: start-up (loading the bundled
//! rules and building the keyword automaton, which every pre-commit run pays) and
//! scanning throughput on ordinary code with and without secrets.
//!
//! Run: `cargo bench --bench engine`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use leakgate::engine::Scanner;
use leakgate::rules;
use leakgate::source::{Chunk, Location, Origin};

/// Ordinary source code: this crate's own sources, concatenated.
fn sample_code() -> Vec<u8> {
    let mut out = Vec::new();
    for dir in [
        "src",
        "src/engine",
        "src/source",
        "src/source/git",
        "src/source/files",
        "src/types",
        "src/pipeline",
        "src/report",
        "src/cli",
        "src/rules",
    ] {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
        entries.sort_by_key(|e| e.path());
        for e in entries {
            if e.path().extension().is_some_and(|x| x == "rs") {
                out.extend(std::fs::read(e.path()).unwrap());
            }
        }
    }
    out
}

fn startup(c: &mut Criterion) {
    c.bench_function("startup/load_bundled_rules", |b| b.iter(rules::bundled));
    c.bench_function("startup/scanner_new", |b| {
        b.iter(|| Scanner::new(rules::bundled()))
    });
    c.bench_function("startup/first_scan_small_chunk", |b| {
        b.iter(|| {
            let s = Scanner::new(rules::bundled());
            let chunk = Chunk {
                origin: Origin::new("a.py", Location::Staged),
                first_line: 1,
                bytes: b"def f(password):\n    return token_for(password)\n",
                added: None,
            };
            s.scan(&chunk)
        })
    });
}

fn throughput(c: &mut Criterion) {
    let scanner = Scanner::new(rules::bundled());
    let code = sample_code();
    let mut with_secrets = code.clone();
    for _ in 0..20 {
        with_secrets.extend_from_slice(b"\nTOKEN = \"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\"\n");
        with_secrets.extend_from_slice(&code[..code.len().min(4096)]);
    }
    let origin = Origin::new("sample.rs", Location::File);
    let mut group = c.benchmark_group("scan");
    for (name, bytes) in [("code", &code), ("code_with_secrets", &with_secrets)] {
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                scanner.scan(&Chunk {
                    origin: origin.clone(),
                    first_line: 1,
                    bytes,
                    added: None,
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, startup, throughput);
criterion_main!(benches);
