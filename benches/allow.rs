//! The allow filter on its own: checking findings against no filters, and against
//! a 5,000-entry baseline plus a 200-entry allowlist (50 path globs, 50 values, 50
//! regexes, 50 stopwords), where no entry matches, so every finding pays for every
//! structure. Also what building the filters costs: parsing the baseline and the
//! config, and compiling the sets on the first finding.
//!
//! Run: `cargo bench --bench allow`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use leakgate::allow::baseline::{Baseline, BaselineFile};
use leakgate::allow::Allow;
use leakgate::engine::{Finding, Scanner};
use leakgate::rules::{Rule, RuleSpec};
use leakgate::source::{Chunk, Location, Origin};
use std::sync::Arc;

/// A deterministic pseudo-random generator (xorshift), so runs compare.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn token(&mut self, n: usize) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..n)
            .map(|_| A[(self.next() % A.len() as u64) as usize] as char)
            .collect()
    }
}

fn findings(n: usize) -> Vec<Finding> {
    let spec: RuleSpec = serde_yaml::from_str(
        "id: bench-token\nname: bench\nseverity: high\nkeywords: [benchtok]\npattern: 'benchtok = \"([A-Za-z0-9]{24})\"'\n",
    )
    .unwrap();
    let scanner = Scanner::new(vec![Rule::from_spec(&spec, "custom").unwrap()]);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = Vec::new();
    for i in 0..n {
        let text = format!("benchtok = \"{}\"\n", rng.token(24));
        let origin = Origin::new(format!("src/module{}/file{i}.py", i % 40), Location::Staged);
        let chunk = Chunk {
            origin,
            first_line: 1,
            bytes: text.as_bytes(),
            added: None,
        };
        out.extend(scanner.scan(&chunk));
    }
    out
}

fn baseline_text(rng: &mut Rng, n: usize) -> String {
    let mut b = String::from("{\"leakgate_baseline\": 1, \"from\": \"worktree\"\n");
    for i in 0..n {
        let fp: String = (0..32)
            .map(|_| char::from_digit((rng.next() % 16) as u32, 16).unwrap())
            .collect();
        b.push_str(&format!(
            ",\"{fp}\": {{\"rule\":\"bench-token\",\"path\":\"old/file{i}.py\"}}\n"
        ));
    }
    b.push_str("}\n");
    b
}

fn config_text(rng: &mut Rng) -> String {
    let mut c = String::from("allow:\n  paths:\n");
    for i in 0..50 {
        c.push_str(&format!("    - 'vendor{i}/**/*.min.js'\n"));
    }
    c.push_str("  values:\n");
    for _ in 0..50 {
        c.push_str(&format!("    - '{}'\n", rng.token(24)));
    }
    c.push_str("  regexes:\n");
    for i in 0..50 {
        c.push_str(&format!("    - '^fixture{i}_[a-z]+[0-9]{{2,}}$'\n"));
    }
    c.push_str("  stopwords:\n");
    for i in 0..50 {
        c.push_str(&format!("    - 'nottoken{i}'\n"));
    }
    c
}

fn loaded_allow(base: &str, config: &str) -> Allow {
    let config = leakgate::config::parse(config).unwrap();
    Allow {
        baseline: Some(Arc::new(BaselineFile::from_baseline(
            std::path::Path::new("bench.json"),
            Baseline::parse(base).unwrap(),
        ))),
        list: Arc::new(config.allow.to_list()),
        ..Allow::default()
    }
}

fn bench(c: &mut Criterion) {
    let found = findings(1000);
    assert_eq!(found.len(), 1000);
    let mut rng = Rng(42);
    let base = baseline_text(&mut rng, 5000);
    let config = config_text(&mut rng);
    let empty = Allow::default();
    let full = loaded_allow(&base, &config);
    full.list.compile().unwrap();
    assert!(
        found.iter().all(|f| full.check(f).is_none()),
        "no entry matches"
    );

    let mut g = c.benchmark_group("check 1000 findings");
    g.bench_function("no filters", |b| {
        b.iter(|| found.iter().filter(|f| empty.check(f).is_none()).count())
    });
    g.bench_function("5000 baseline + 200 allowlist", |b| {
        b.iter(|| found.iter().filter(|f| full.check(f).is_none()).count())
    });
    g.finish();

    let mut g = c.benchmark_group("build");
    g.bench_function("parse 5000-entry baseline", |b| {
        b.iter(|| Baseline::parse(black_box(&base)).unwrap())
    });
    g.bench_function("parse 200-entry config", |b| {
        b.iter(|| leakgate::config::parse(black_box(&config)).unwrap())
    });
    g.bench_function("compile 200-entry allowlist", |b| {
        let spec = leakgate::config::parse(&config).unwrap().allow;
        b.iter(|| {
            let l = spec.to_list();
            l.compile().unwrap();
            l
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
