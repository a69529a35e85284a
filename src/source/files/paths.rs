//! One file on disk: its path as reports show it, and its content as a chunk.

use super::Stats;
use crate::source::{scannable, visit_whole, Visit};
use crate::types::{Location, Origin, SkipReason};
use std::path::Path;
use std::sync::atomic::Ordering;

/// The path as shown in reports: `/` separators, no leading `./`.
pub fn display(path: &Path) -> String {
    let s = path.to_string_lossy();
    let s = s.strip_prefix("./").unwrap_or(&s);
    if std::path::MAIN_SEPARATOR == '/' {
        s.to_string()
    } else {
        s.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

/// Reads the file at `path` and hands it to the visitor whole (or says why not).
pub fn visit_file(path: &Path, max_size: u64, visit: &mut dyn Visit, stats: &Stats) {
    let origin = Origin::new(display(path), Location::File);
    visit.file(&origin);
    let too_big = std::fs::metadata(path).map(|m| m.len() > max_size);
    let bytes = match too_big {
        Ok(true) => return visit.skipped(&origin, SkipReason::TooLarge),
        Ok(false) => std::fs::read(path),
        Err(e) => Err(e),
    };
    let Ok(bytes) = bytes else {
        return visit.skipped(&origin, SkipReason::Unreadable);
    };
    if !scannable(&origin, &bytes, max_size, visit) {
        return;
    }
    stats.files.fetch_add(1, Ordering::Relaxed);
    stats
        .bytes
        .fetch_add(visit_whole(&origin, &bytes, visit), Ordering::Relaxed);
}
