//! One file on disk: its path as reports show it, and its content as a chunk.

use super::Stats;
use crate::source::{is_binary, scannable, visit_whole, Visit, MAX_MODEL_SIZE};
use crate::types::{Location, Origin, SkipReason};
use std::io::Read;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;

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

/// A file over the text size limit: only file judges see it (a model file of
/// gigabytes is still judged), through a memory map, so what they read is
/// what is paged in (a zip's directory and its pickle entries, never its
/// tensor data whole). Text scanning skips it as too large unless a judge
/// read it; it is skipped too above [`MAX_MODEL_SIZE`].
///
/// The map assumes the file does not shrink while it is judged (a file
/// truncated under a running scan can stop the process, as it can ripgrep's).
fn visit_large(path: &Path, origin: &Arc<Origin>, visit: &mut dyn Visit, stats: &Stats) {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) => return unreadable(origin, &e, visit, stats),
    };
    let size = file.metadata().map(|m| m.len()).unwrap_or(u64::MAX);
    if size > MAX_MODEL_SIZE {
        return visit.skipped(origin, SkipReason::TooLarge);
    }
    // SAFETY: the map is read only and dropped before returning; see above for
    // a file changed while it is mapped.
    let map = match unsafe { memmap2::Mmap::map(&file) } {
        Ok(map) => map,
        Err(e) => return unreadable(origin, &e, visit, stats),
    };
    if !(visit.whole(origin, &map) && is_binary(&map)) {
        visit.skipped(origin, SkipReason::TooLarge);
    }
}

/// Reads the file at `path` and hands it to the visitor whole (or says why not).
pub fn visit_file(path: &Path, max_size: u64, visit: &mut dyn Visit, stats: &Stats) {
    let origin = Origin::new(display(path), Location::File);
    visit.file(&origin);
    let too_big = std::fs::metadata(path).map(|m| m.len() > max_size);
    let bytes = match too_big {
        Ok(true) => return visit_large(path, &origin, visit, stats),
        Ok(false) => std::fs::read(path),
        Err(e) => Err(e),
    };
    match bytes {
        Ok(bytes) => scan_bytes(&origin, &bytes, max_size, visit, stats),
        Err(e) => unreadable(&origin, &e, visit, stats),
    }
}

/// Reads a path named on the command line that is not a regular file or a
/// directory (a FIFO, `/dev/stdin`, a process substitution such as `<(cmd)`,
/// a character device) as a stream, up to one byte past `max_size`, and hands it
/// on whole under its own path. What cannot be opened or read is unreadable.
pub fn visit_stream(path: &Path, max_size: u64, visit: &mut dyn Visit, stats: &Stats) {
    let origin = Origin::new(display(path), Location::File);
    visit.file(&origin);
    let mut bytes = Vec::new();
    let read = std::fs::File::open(path)
        .and_then(|f| f.take(max_size.saturating_add(1)).read_to_end(&mut bytes));
    match read {
        Ok(_) => scan_bytes(&origin, &bytes, max_size, visit, stats),
        Err(e) => unreadable(&origin, &e, visit, stats),
    }
}

/// Scans bytes that were read, unless they are binary or too large.
fn scan_bytes(
    origin: &Arc<Origin>,
    bytes: &[u8],
    max_size: u64,
    visit: &mut dyn Visit,
    stats: &Stats,
) {
    if !scannable(origin, bytes, max_size, visit) {
        return;
    }
    stats.files.fetch_add(1, Ordering::Relaxed);
    stats
        .bytes
        .fetch_add(visit_whole(origin, bytes, visit), Ordering::Relaxed);
}

/// Lists a file as unreadable in the report and notes why for the exit status.
fn unreadable(origin: &Arc<Origin>, e: &std::io::Error, visit: &mut dyn Visit, stats: &Stats) {
    stats.unreadable(&origin.path, e);
    visit.skipped(origin, SkipReason::Unreadable);
}
