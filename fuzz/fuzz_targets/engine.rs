//! The engine over arbitrary bytes with the bundled rules, the standard decoders
//! and the model detector, as the staged hook runs them: the first byte picks a
//! file name (so notebooks, model files and dotfiles are reached) and whether the
//! content is a new file or a changed one with some lines added. Nothing may
//! panic or hang, and every finding read as stored must be inside the content
//! and, for a changed file, touch an added line.
#![no_main]

use leakgate::allow::Allow;
use leakgate::config::{Config, Loaded};
use leakgate::engine::{Profile, Scanner};
use leakgate::pipeline::{self, Collector, Judge};
use leakgate::source::{scannable, DEFAULT_MAX_FILE_SIZE};
use leakgate::types::{Chunk, LineRange, Location, Origin};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const NAMES: &[&str] = &[
    "src/app.py",
    ".env",
    "notebooks/eval.ipynb",
    "model.pkl",
    "model.pt",
    "weights.npy",
    "weights.npz",
    "config/settings.json",
    ".ssh/id_rsa",
    "home/.npmrc",
    "data.h5",
    "model.joblib",
    "model.keras",
    "archive.zip",
    "notes.txt",
    "values.yaml",
];

fn judge() -> &'static (Scanner, Allow) {
    static JUDGE: OnceLock<(Scanner, Allow)> = OnceLock::new();
    JUDGE.get_or_init(|| {
        let loaded = Loaded::from_config(Config::default(), None, None);
        let scanner = pipeline::scanner(&loaded, Profile::Latency).expect("bundled rules load");
        (scanner, loaded.allow())
    })
}

/// Every `step`-th line (from `first`) marked as added, over `lines` lines.
fn added(lines: u32, first: u32, step: u32) -> Vec<LineRange> {
    (first..=lines.max(1))
        .step_by(step as usize)
        .map(|l| (l, 1))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&head, content)) = data.split_first() else {
        return;
    };
    let name = NAMES[(head & 0x0f) as usize];
    let changed = head & 0x10 != 0;
    let step = 1 + u32::from(head >> 5);
    let (scanner, allow) = judge();
    let mut collector = Collector::new(Judge::new(scanner, allow));
    let origin = Origin::new(name, Location::Staged);
    use leakgate::source::Visit;
    collector.file(&origin);
    if !scannable(&origin, content, DEFAULT_MAX_FILE_SIZE, &mut collector) {
        return;
    }
    let lines = content.split(|&b| b == b'\n').count() as u32;
    let ranges = added(lines, 1 + u32::from(head & 1), step);
    let chunk = if changed {
        Chunk::changed(origin, content, &ranges)
    } else {
        Chunk::whole(origin, content)
    };
    collector.chunk(&chunk);
    for f in &collector.outcome.findings {
        let (a, b) = f.secret_span;
        assert!(
            a <= b && b <= f.line_text.len(),
            "secret span inside the line"
        );
        for &(a, b) in &f.other_spans {
            assert!(
                a <= b && b <= f.line_text.len(),
                "other spans inside the line"
            );
        }
        let as_stored = f.origin.layers.is_empty()
            && f.rule.pattern.is_some()
            && !f.rule.id.starts_with("model-");
        if as_stored && !f.secret.is_empty() {
            assert!(
                f.line >= 1 && f.last_line() <= lines,
                "finding inside the content"
            );
            assert!(
                chunk.touches_added(f.line, f.last_line()),
                "finding on lines {}..{} touches no added line",
                f.line,
                f.last_line()
            );
        }
    }
});
