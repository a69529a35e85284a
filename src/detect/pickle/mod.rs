//! Pickle streams: an emulation of CPython's C unpickler that judges every
//! callable a stream would import or call.
//!
//! A file may hold several streams one after the other (PyTorch's legacy format
//! writes five; `pickle.load` in a loop reads any number), each with a fresh memo
//! and protocol. After an error, or after the last stream, the rest of the bytes
//! is searched for embedded streams (a `PROTO` opcode); such a candidate counts
//! only if it runs to `STOP`.

pub mod allowlist;
pub mod danger;
mod joblib;
mod judge;
pub mod literals;
mod machine;
pub mod names;
pub mod opcodes;
mod value;

use crate::detect::{Ctx, Layer};
use machine::{End, Machine};

/// Embedded candidates tried per file region.
const MAX_CANDIDATES: usize = 16;

/// Judges `input` as pickle data from offset 0: every stream in a row, then the
/// streams embedded in what follows. Returns whether the first stream proved to
/// be a pickle (a text file that merely starts with an opcode byte does not).
pub(crate) fn judge_streams(input: &[u8], ctx: &mut Ctx<'_>) -> bool {
    let mut pos = 0;
    let mut index = 1;
    let resume = loop {
        let end = if index == 1 {
            let (end, proven) = Machine::new(input, pos, false, ctx).run_proven();
            if !proven {
                return false; // not a pickle after all (a text file starting with `c`)
            }
            end
        } else {
            let layer = Layer::Step(format!("pickle stream {index} at byte {pos}"));
            ctx.within(layer, |ctx| Machine::new(input, pos, false, ctx).run())
                .unwrap_or(End::Error(pos, String::new()))
        };
        match end {
            End::Stop(next) if next < input.len() => {
                pos = next;
                index += 1;
            }
            End::Stop(_) => return true,
            End::Error(at, _) => break at.max(pos + 1),
        }
    };
    judge_embedded(input, resume, ctx);
    true
}

/// Searches `input[from..]` for embedded streams (`PROTO 2..5`) and judges each
/// that runs to `STOP`.
pub(crate) fn judge_embedded(input: &[u8], from: usize, ctx: &mut Ctx<'_>) {
    let mut pos = from;
    let mut tried = 0;
    while tried < MAX_CANDIDATES && pos < input.len() {
        let Some(i) = memchr::memchr(opcodes::PROTO, &input[pos..]) else {
            return;
        };
        let at = pos + i;
        pos = at + 1;
        if !matches!(input.get(at + 1), Some(2..=5)) {
            continue;
        }
        tried += 1;
        let layer = Layer::Step(format!("embedded pickle at byte {at}"));
        let end = ctx.within(layer, |ctx| Machine::new(input, at, true, ctx).run());
        if let Some(End::Stop(next)) = end {
            pos = next;
        }
    }
}
