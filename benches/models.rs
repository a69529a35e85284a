//! Criterion benchmarks of the model file detector: what it costs on files that
//! are not models (the pre-commit hook pays this for every staged file), on a
//! large pickle, and on every file of the evaluation corpus when it has been
//! built (`python3 benches/model_corpus.py` writes it to
//! `$TMPDIR/leakgate-model-corpus`, or set `LEAKGATE_MODEL_CORPUS`).
//!
//! Run: `cargo bench --bench models`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use leakgate::detect::{judge, Policy};
use std::path::PathBuf;

/// A protocol 4 pickle of a list of `n` floats, as `pickle.dumps` writes it.
fn float_list(n: usize) -> Vec<u8> {
    let mut p = b"\x80\x04]\x94(".to_vec();
    for i in 0..n {
        p.push(b'G');
        p.extend_from_slice(&(i as f64).to_be_bytes());
    }
    p.extend_from_slice(b"e.");
    p
}

fn not_models(c: &mut Criterion) {
    let policy = Policy::default();
    let code = std::fs::read("src/detect/pickle/machine.rs").unwrap();
    let mut binary = vec![0u8; 1 << 20];
    for (i, b) in binary.iter_mut().enumerate() {
        *b = (i * 7919 % 251) as u8;
    }
    binary[..8].copy_from_slice(b"\x89PNG\r\n\x1a\n");
    let mut g = c.benchmark_group("not_a_model");
    g.bench_function("source_file", |b| b.iter(|| judge(&code, &policy)));
    g.bench_function("png_1MiB", |b| b.iter(|| judge(&binary, &policy)));
    g.bench_function("text_starting_with_an_opcode", |b| {
        b.iter(|| judge(b"Some notes\nabout the model\n", &policy))
    });
    g.finish();
}

fn pickles(c: &mut Criterion) {
    let policy = Policy::default();
    let big = float_list(125_000);
    let mut g = c.benchmark_group("pickle");
    g.throughput(Throughput::Bytes(big.len() as u64));
    g.bench_function("float_list_1MB", |b| b.iter(|| judge(&big, &policy)));
    g.finish();
}

fn corpus(c: &mut Criterion) {
    let dir = std::env::var_os("LEAKGATE_MODEL_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("leakgate-model-corpus"));
    let mut files = Vec::new();
    let mut stack = vec![dir.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(bytes) = std::fs::read(&p) {
                files.push(bytes);
            }
        }
    }
    if files.is_empty() {
        eprintln!(
            "corpus benchmark skipped: run `python3 benches/model_corpus.py` first ({} is empty)",
            dir.display()
        );
        return;
    }
    let policy = Policy::default();
    let total: usize = files.iter().map(Vec::len).sum();
    let mut g = c.benchmark_group("corpus");
    g.throughput(Throughput::Elements(files.len() as u64));
    g.bench_function(
        format!("all_{}_files_{}KB", files.len(), total / 1000),
        |b| {
            b.iter(|| {
                files
                    .iter()
                    .map(|f| judge(f, &policy).findings.len())
                    .sum::<usize>()
            })
        },
    );
    g.finish();
}

criterion_group!(benches, not_models, pickles, corpus);
criterion_main!(benches);
