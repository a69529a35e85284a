//! The decoders (UTF-16, notebooks, base64/hex/percent/escaped runs) and the
//! JSON reader under them, over arbitrary bytes: every piece stays within the
//! limits, and nothing panics. The first byte picks the file name, so the
//! notebook decoder sees its `.ipynb` input.
#![no_main]

use leakgate::decode::{json, Decoders};
use leakgate::source::Visit;
use leakgate::types::{Chunk, Location, Origin, SkipReason};
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

#[derive(Default)]
struct Count {
    chunks: usize,
    bytes: usize,
}

impl Visit for Count {
    fn file(&mut self, _: &Arc<Origin>) {}
    fn chunk(&mut self, chunk: &Chunk<'_>) {
        self.chunks += 1;
        self.bytes += chunk.bytes.len();
    }
    fn skipped(&mut self, _: &Arc<Origin>, _: SkipReason) {}
}

/// Walks a parsed JSON value with a stack, reading every string.
fn walk(root: &json::Node<'_>) {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        let _ = (node.text(), node.as_u32());
        stack.extend(node.items());
        stack.extend(node.members().iter().map(|(_, v)| v));
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&head, content)) = data.split_first() else {
        return;
    };
    if let Some(node) = json::parse(content) {
        walk(&node);
    }
    let name = if head & 1 == 0 {
        "nb.ipynb"
    } else {
        "notes.txt"
    };
    let origin = Origin::new(name, Location::File);
    let mut count = Count::default();
    static DECODERS: std::sync::OnceLock<Decoders> = std::sync::OnceLock::new();
    let decoders = DECODERS.get_or_init(Decoders::standard);
    decoders.expand(&Chunk::whole(origin, content), &mut count);
    assert!(count.chunks <= 10_001, "pieces are capped");
    assert!(
        count.bytes <= content.len() + (64 << 20),
        "decoded bytes are capped"
    );
});
