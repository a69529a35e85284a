//! Legacy Keras `.h5` files: HDF5 with the model's JSON config in the
//! `model_config` attribute of the root group (and `training_config` beside it).
//!
//! h5py stores such a string attribute as one contiguous run of bytes (inline in
//! the attribute message, or in a heap object for large ones); HDF5 never
//! compresses attributes. So the configs are found by searching the file for the
//! JSON objects that name a Keras class, and parsing each from its opening
//! brace, without a full HDF5 reader. Weights (datasets) are data.

use super::keras;
use crate::detect::{Ctx, Layer};

/// JSON objects tried per file.
const MAX_CONFIGS: usize = 64;
/// How far before `"class_name"` its object's brace may be.
const BRACE_WINDOW: usize = 512;

/// Judges every Keras config stored in an HDF5 file.
pub(crate) fn judge(bytes: &[u8], ctx: &mut Ctx<'_>) {
    let finder = memchr::memmem::Finder::new(b"\"class_name\"");
    let mut pos = 0;
    let mut tried = 0;
    while tried < MAX_CONFIGS {
        let Some(i) = finder.find(&bytes[pos..]) else {
            return;
        };
        let at = pos + i;
        pos = at + 1;
        let Some(start) = opening_brace(bytes, at) else {
            continue;
        };
        tried += 1;
        let Some((config, len)) = keras::parse(&bytes[start..]) else {
            continue;
        };
        let layer = Layer::Step(format!("HDF5 attribute JSON at byte {start}"));
        ctx.within(layer, |ctx| keras::judge_config(&config, start as u64, ctx));
        pos = start + len;
    }
}

/// The `{` that opens the object holding the key at `at`: the nearest one
/// before it with only whitespace or other keys' text between.
fn opening_brace(bytes: &[u8], at: usize) -> Option<usize> {
    let from = at.saturating_sub(BRACE_WINDOW);
    let window = &bytes[from..at];
    let rel = memchr::memrchr(b'{', window)?;
    let between = &window[rel + 1..];
    between
        .iter()
        .all(|&b| b != b'}' && b != 0)
        .then_some(from + rel)
}
