//! The git index reader over arbitrary bytes: it may refuse an index, never
//! panic, allocate past the file's size or loop. Every entry it accepts must
//! name a path inside the parsed paths.
#![no_main]

use leakgate::source::git::index::{self, CacheTree};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(index) = index::parse(data) else {
        return;
    };
    for e in &index.entries {
        let path = index.path(e);
        assert_eq!(path.len(), e.path.1);
    }
    if let Some(tree) = &index.tree {
        walk(tree);
    }
});

/// Visits every node (with a stack: a deep tree must not overflow ours either).
fn walk(root: &CacheTree) {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        for child in &node.children {
            assert!(node.child(&child.name).is_some());
            stack.push(child);
        }
    }
}
