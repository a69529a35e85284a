//! Where a secret sits in a chunk: its line and columns, worked out from byte
//! offsets, and the text of its line for reports and inline markers.
//!
//! A chunk may hold many findings (a minified file, a dump of keys), so nothing
//! here rescans the chunk per finding: a [`Locator`] indexes the chunk's line
//! breaks once, finds a line by binary search, and counts columns on from the
//! previous finding on the same line. The cost is linear in the chunk for each
//! rule that matches in it.

use std::cell::Cell;

/// Longest line kept whole for display; longer lines keep a window around the secret.
const MAX_LINE: usize = 512;
/// Bytes of context kept on each side of a secret on a long line.
const WINDOW: usize = 120;
/// At most this many bytes before the end of a line may hold an inline marker.
const MAX_CONTEXT: usize = 4096;

/// Where a secret sits in a chunk, worked out from byte offsets.
pub(crate) struct Position {
    pub line: u32,
    pub column: u32,
    pub end_column: u32,
    pub line_text: Vec<u8>,
    pub secret_span: (usize, usize),
    pub allow_context: Vec<u8>,
}

/// Finds lines and columns in one chunk's bytes (see the module docs).
pub(crate) struct Locator<'a> {
    bytes: &'a [u8],
    first_line: u32,
    /// Offsets of every `\n`, built on first use.
    breaks: Option<Vec<usize>>,
    /// The last offset whose column was counted, and that column.
    cursor: Cell<(usize, u32)>,
}

impl<'a> Locator<'a> {
    /// A locator for a chunk whose first line is `first_line`.
    pub fn new(bytes: &'a [u8], first_line: u32) -> Locator<'a> {
        Locator {
            bytes,
            first_line,
            breaks: None,
            cursor: Cell::new((usize::MAX, 0)),
        }
    }

    fn breaks(&mut self) -> &[usize] {
        let bytes = self.bytes;
        self.breaks
            .get_or_insert_with(|| memchr::memchr_iter(b'\n', bytes).collect())
    }

    /// The 0-based line index of `offset` and the start of that line.
    fn line_of(&mut self, offset: usize) -> (usize, usize) {
        let breaks = self.breaks();
        let index = breaks.partition_point(|&b| b < offset);
        let start = if index == 0 { 0 } else { breaks[index - 1] + 1 };
        (index, start)
    }

    /// The chunk's bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Where the line holding `offset` starts.
    pub fn line_start(&mut self, offset: usize) -> usize {
        self.line_of(offset).1
    }

    /// Where the line of index `index` ends, before its `\r\n` or `\n`.
    fn line_end(&mut self, index: usize) -> usize {
        let len = self.bytes.len();
        let end = self.breaks().get(index).copied().unwrap_or(len);
        if end > 0 && self.bytes.get(end - 1) == Some(&b'\r') {
            end - 1
        } else {
            end
        }
    }

    /// The 1-based column of `offset` on the line starting at `line_start`,
    /// counted on from the previous call when that was earlier on the same line.
    fn column(&self, line_start: usize, offset: usize) -> u32 {
        let (last, col) = self.cursor.get();
        let column = if last != usize::MAX && last >= line_start && last <= offset {
            col + chars(&self.bytes[last..offset])
        } else {
            chars(&self.bytes[line_start..offset]) + 1
        };
        self.cursor.set((offset, column));
        column
    }

    /// Locates `bytes[start..end]` (the secret); `match_start` is where the whole
    /// match begins.
    pub fn locate(&mut self, match_start: usize, start: usize, end: usize) -> Position {
        let bytes = self.bytes;
        let (index, line_start) = self.line_of(start);
        let line_end = self.line_end(index).max(line_start);
        let line = self.first_line + index as u32;
        let column = self.column(line_start, start);
        let secret_end = end.min(line_end).max(start);
        let end_column = column + chars(&bytes[start..secret_end]).max(1) - 1;
        let (win_start, win_end) = if line_end - line_start <= MAX_LINE {
            (line_start, line_end)
        } else {
            (
                start.saturating_sub(WINDOW).max(line_start),
                (secret_end + WINDOW).min(line_end),
            )
        };
        let match_line_start = self.line_start(match_start);
        let context_start = match_line_start.max(line_end.saturating_sub(MAX_CONTEXT));
        Position {
            line,
            column,
            end_column,
            line_text: bytes[win_start..win_end].to_vec(),
            secret_span: (start - win_start, secret_end - win_start),
            allow_context: bytes[context_start.min(line_end)..line_end].to_vec(),
        }
    }
}

/// Characters in UTF-8 bytes: every byte that is not a continuation byte.
fn chars(bytes: &[u8]) -> u32 {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count() as u32
}

/// Records on each finding the other secrets its echoed line shows, so that a
/// report redacts every secret on a line, not only the finding's own.
///
/// `found` holds `(start, end, finding)` in chunk offsets; `secrets` holds the
/// chunk offsets of every secret found in the chunk (also those a more specific
/// finding shadowed, and those an allow rule may later suppress).
pub(crate) fn mark_neighbours(
    found: &mut [(usize, usize, crate::types::Finding)],
    secrets: &mut [(usize, usize)],
) {
    secrets.sort_unstable();
    // The furthest end among the secrets up to each index: a secret that starts
    // long before a window can still reach into it.
    let mut reach = Vec::with_capacity(secrets.len());
    let mut furthest = 0;
    for &(_, e) in secrets.iter() {
        furthest = furthest.max(e);
        reach.push(furthest);
    }
    for (start, _, f) in found.iter_mut() {
        let win_start = *start - f.secret_span.0;
        let win_end = win_start + f.line_text.len();
        let mut i = secrets.partition_point(|&(s, _)| s < win_end);
        let mut spans = Vec::new();
        while i > 0 && reach[i - 1] > win_start {
            i -= 1;
            let (s, e) = secrets[i];
            if e > win_start && (s, e) != (*start, *start + f.secret.len()) {
                spans.push((s.max(win_start) - win_start, e.min(win_end) - win_start));
            }
        }
        spans.retain(|&(s, e)| s < e && (s, e) != f.secret_span);
        spans.reverse();
        f.other_spans = spans;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locate(text: &[u8], first: u32, m: usize, s: usize, e: usize) -> Position {
        Locator::new(text, first).locate(m, s, e)
    }

    #[test]
    fn locates_line_and_columns() {
        let text = b"a = 1\r\nkey = \"S3CRET\"\r\n";
        let start = text.windows(6).position(|w| w == b"S3CRET").unwrap();
        let p = locate(text, 10, start, start, start + 6);
        assert_eq!(p.line, 11);
        assert_eq!(p.column, 8);
        assert_eq!(p.end_column, 13);
        assert_eq!(p.line_text, b"key = \"S3CRET\"");
        assert_eq!(&p.line_text[p.secret_span.0..p.secret_span.1], b"S3CRET");
    }

    #[test]
    fn columns_count_characters() {
        let text = "é = \"tok\"".as_bytes();
        let start = text.len() - 4;
        let p = locate(text, 1, 0, start, start + 3);
        assert_eq!(p.column, 6);
    }

    #[test]
    fn columns_counted_on_agree_with_counting_afresh() {
        let text = "é1 é2 é3\nx é4 é5\n".as_bytes();
        let mut loc = Locator::new(text, 1);
        let mut offsets: Vec<usize> = (0..text.len()).filter(|&i| text[i] == b'\xc3').collect();
        for &o in &offsets {
            let p = loc.locate(o, o, o + 2);
            let fresh = locate(text, 1, o, o, o + 2);
            assert_eq!((p.line, p.column), (fresh.line, fresh.column), "offset {o}");
        }
        // Going backwards (another rule) starts the count afresh.
        offsets.reverse();
        for &o in &offsets {
            let p = loc.locate(o, o, o + 2);
            assert_eq!(p.column, locate(text, 1, o, o, o + 2).column);
        }
    }
}
