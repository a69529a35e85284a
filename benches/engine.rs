//! Criterion benchmarks of the engine's hot spots: start-up (loading the bundled
//! rules and building the keyword automaton, which every pre-commit run pays),
//! scanning throughput on ordinary code with and without secrets, the throughput of
//! each rule family on its own, and the whole judging path (decoders, engine,
//! filters) with decoding on and off.
//!
//! The code scanned is this crate's own `src/` tree, file by file: real code, the
//! same bytes on every machine that builds this checkout.
//!
//! Run: `cargo bench --bench engine` (or `-- family/` for one group).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use leakgate::allow::Allow;
use leakgate::decode::Decoders;
use leakgate::engine::{Profile, Scanner};
use leakgate::pipeline::{Collector, Judge};
use leakgate::rules;
use leakgate::source::{visit_whole, Chunk, Location, Origin, Visit};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Every `.rs` file under `dir`, sorted by path.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let path = e.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// Ordinary source code: this crate's sources, as (path, bytes) per file.
fn sample_files() -> Vec<(Arc<Origin>, Vec<u8>)> {
    let mut paths = Vec::new();
    rust_files(Path::new("src"), &mut paths);
    paths
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (Origin::new(p.display().to_string(), Location::File), bytes)
        })
        .collect()
}

fn total_bytes(files: &[(Arc<Origin>, Vec<u8>)]) -> u64 {
    files.iter().map(|(_, b)| b.len() as u64).sum()
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
    let code: Vec<u8> = sample_files().into_iter().flat_map(|(_, b)| b).collect();
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

/// Each rule family alone over the code, file by file (a family's cost is its
/// keywords' hit rate times its regexes' cost).
fn families(c: &mut Criterion) {
    let files = sample_files();
    let all = rules::bundled();
    let mut names: Vec<String> = all.iter().map(|r| r.family.clone()).collect();
    names.sort();
    names.dedup();
    let mut group = c.benchmark_group("family");
    group.throughput(Throughput::Bytes(total_bytes(&files)));
    for family in names {
        let only = all.iter().filter(|r| r.family == family).cloned().collect();
        let scanner = Scanner::with_profile(only, Profile::Throughput);
        group.bench_function(BenchmarkId::from_parameter(&family), |b| {
            b.iter(|| {
                let mut found = 0;
                for (origin, bytes) in &files {
                    found += scanner.scan(&Chunk::whole(origin.clone(), bytes)).len();
                }
                found
            })
        });
    }
    group.finish();
}

/// The whole judging path of a directory scan (path rules, decoders, engine, allow
/// filters), every bundled rule, with the standard decoders and with none.
fn decoding(c: &mut Criterion) {
    let files = sample_files();
    let scanner = Scanner::with_profile(rules::bundled(), Profile::Throughput);
    let allow = Allow::default();
    let mut group = c.benchmark_group("judge");
    group.throughput(Throughput::Bytes(total_bytes(&files)));
    for (name, decoders) in [
        ("decoding_off", Decoders::none()),
        ("decoding_on", Decoders::standard()),
    ] {
        let judge = Judge::new(&scanner, &allow).decoding(&decoders);
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut collector = Collector::new(judge);
                for (origin, bytes) in &files {
                    collector.file(origin);
                    visit_whole(origin, bytes, &mut collector);
                }
                collector.outcome.findings.len()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, startup, throughput, families, decoding);
criterion_main!(benches);
