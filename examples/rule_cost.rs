//! Per-rule cost: how long each bundled rule takes to compile and to run over the
//! files of a directory (only on files holding one of its keywords, as the engine
//! runs it). For rule writers: a rule that shows up at the top slows every commit.
//!
//! Run: `cargo run --release --example rule_cost -- DIR [TOP]`

use leakgate::rules;
use leakgate::rules::compile;
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: rule_cost DIR [TOP]");
    let top: usize = args.next().map_or(25, |n| n.parse().unwrap());
    let (paths, files): (Vec<String>, Vec<Vec<u8>>) = ignore::WalkBuilder::new(&dir)
        .standard_filters(false)
        .build()
        .flatten()
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .filter_map(|e| {
            let path = e.path().to_string_lossy().into_owned();
            std::fs::read(e.path()).ok().map(|b| (path, b))
        })
        .unzip();
    let lower: Vec<Vec<u8>> = files.iter().map(|f| f.to_ascii_lowercase()).collect();
    let mut costs: Vec<(Duration, Duration, usize, String)> = Vec::new();
    for rule in rules::bundled() {
        let Some(pattern) = &rule.pattern else {
            continue;
        };
        let t = Instant::now();
        let re = compile(pattern).unwrap();
        let compiled = t.elapsed();
        let keywords: Vec<Vec<u8>> = rule
            .keywords
            .iter()
            .map(|k| k.to_ascii_lowercase().into_bytes())
            .collect();
        // As the engine does: the path pattern first, then a keyword.
        let path_re = rule.path.as_deref().map(|p| compile(p).unwrap());
        let hits: Vec<&Vec<u8>> = files
            .iter()
            .zip(&lower)
            .zip(&paths)
            .filter(|(_, path)| {
                path_re
                    .as_ref()
                    .is_none_or(|re| re.is_match(path.as_bytes()))
            })
            .filter(|((_, l), _)| {
                rule.always
                    || keywords.is_empty()
                    || keywords
                        .iter()
                        .any(|k| memchr::memmem::find(l, k).is_some())
            })
            .map(|((f, _), _)| f)
            .collect();
        // The fastest of three runs: the machine may be busy.
        let run = (0..3)
            .map(|_| {
                let t = Instant::now();
                for f in &hits {
                    for c in re.captures_iter(f) {
                        std::hint::black_box(c);
                    }
                }
                t.elapsed()
            })
            .min()
            .unwrap_or_default();
        costs.push((compiled, run, hits.len(), rule.id));
    }
    let total_compile: Duration = costs.iter().map(|c| c.0).sum();
    let total_run: Duration = costs.iter().map(|c| c.1).sum();
    println!(
        "{} files; all rules: compile {:?}, run {:?}",
        files.len(),
        total_compile,
        total_run
    );
    costs.sort_by_key(|c| std::cmp::Reverse(c.0 + c.1));
    println!("{:>10} {:>10} {:>6}  rule", "compile", "run", "files");
    for (c, r, n, id) in costs.iter().take(top) {
        println!("{:>10.2?} {:>10.2?} {:>6}  {id}", c, r, n);
    }
}
