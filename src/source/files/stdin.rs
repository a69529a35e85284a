//! Standard input, read whole as one chunk.

use super::Stats;
use crate::source::{scannable, visit_whole, Visit};
use crate::types::{Location, Origin};
use anyhow::{Context, Result};
use std::io::Read;
use std::sync::atomic::Ordering;

/// Reads all of stdin as one chunk under the path `-`.
pub fn read_stdin(max_size: u64, visit: &mut dyn Visit) -> Result<Stats> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(max_size + 1)
        .read_to_end(&mut bytes)
        .context("cannot read standard input")?;
    let origin = Origin::new("-", Location::Stdin);
    let stats = Stats::default();
    if scannable(&origin, &bytes, max_size, visit) {
        stats.files.store(1, Ordering::Relaxed);
        stats
            .bytes
            .store(visit_whole(&origin, &bytes, visit), Ordering::Relaxed);
    }
    Ok(stats)
}
