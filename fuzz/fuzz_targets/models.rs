//! The model file readers (pickle, PyTorch zip and tar, NumPy, joblib, Keras,
//! HDF5, archives and compressed streams) over arbitrary bytes: a verdict for
//! every input, within the limits, never a panic or a hang.
#![no_main]

use leakgate::detect::{self, Policy};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let verdict = detect::judge(data, &Policy::default());
    assert!(
        verdict.findings.len() <= 1000,
        "findings per file are capped"
    );
});
