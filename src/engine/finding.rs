//! A finding: a secret a rule found, where it is, and a stable fingerprint.

use crate::rules::Rule;
use crate::source::Origin;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Longest line kept whole for display; longer lines keep a window around the secret.
const MAX_LINE: usize = 512;
/// Bytes of context kept on each side of a secret on a long line.
const WINDOW: usize = 120;

/// A secret found by a rule.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The rule that found it.
    pub rule: Arc<Rule>,
    /// Where the chunk came from.
    pub origin: Arc<Origin>,
    /// 1-based line of the secret's first byte.
    pub line: u32,
    /// 1-based column of the secret's first character (UTF-8 code points; an invalid
    /// byte counts as one).
    pub column: u32,
    /// 1-based column of the secret's last character on its first line.
    pub end_column: u32,
    /// The secret's bytes. Reports redact them unless asked not to.
    pub secret: Vec<u8>,
    /// The secret's first line (without its line break), or a window of it when the
    /// line is long.
    pub line_text: Vec<u8>,
    /// The secret's byte range within `line_text` (clipped to the line).
    pub secret_span: (usize, usize),
    /// The text from the start of the match's first line to the end of the secret's
    /// first line: where an inline allow marker may stand.
    pub allow_context: Vec<u8>,
    /// `sha256(rule id, path, secret)` in hex: stable across line moves and
    /// rebases, and not reversible to the secret.
    pub fingerprint: String,
}

/// The fingerprint of a secret found by a rule at a path.
pub fn fingerprint(rule_id: &str, path: &str, secret: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(b"leakgate/v1\0");
    h.update(rule_id.as_bytes());
    h.update(b"\0");
    h.update(path.as_bytes());
    h.update(b"\0");
    h.update(secret);
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Where a secret sits in a chunk, worked out from byte offsets.
pub(crate) struct Position {
    pub line: u32,
    pub column: u32,
    pub end_column: u32,
    pub line_text: Vec<u8>,
    pub secret_span: (usize, usize),
    pub allow_context: Vec<u8>,
}

impl Position {
    /// Locates `bytes[start..end]` (the secret) in a chunk whose first line is
    /// `first_line`; `match_start` is where the whole match begins.
    pub fn locate(
        bytes: &[u8],
        first_line: u32,
        match_start: usize,
        start: usize,
        end: usize,
    ) -> Position {
        let line_start = memchr::memrchr(b'\n', &bytes[..start]).map_or(0, |i| i + 1);
        let mut line_end =
            memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
        if line_end > line_start && bytes[line_end - 1] == b'\r' {
            line_end -= 1;
        }
        let line = first_line + memchr::memchr_iter(b'\n', &bytes[..start]).count() as u32;
        let column = chars(&bytes[line_start..start]) + 1;
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
        let match_line_start = memchr::memrchr(b'\n', &bytes[..match_start]).map_or(0, |i| i + 1);
        let context_start = match_line_start.max(line_end.saturating_sub(4096));
        Position {
            line,
            column,
            end_column,
            line_text: bytes[win_start..win_end].to_vec(),
            secret_span: (start - win_start, secret_end - win_start),
            allow_context: bytes[context_start..line_end].to_vec(),
        }
    }
}

/// Characters in UTF-8 bytes: every byte that is not a continuation byte.
fn chars(bytes: &[u8]) -> u32 {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_line_and_columns() {
        let text = b"a = 1\r\nkey = \"S3CRET\"\r\n";
        let start = text.windows(6).position(|w| w == b"S3CRET").unwrap();
        let p = Position::locate(text, 10, start, start, start + 6);
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
        let p = Position::locate(text, 1, 0, start, start + 3);
        assert_eq!(p.column, 6);
    }

    #[test]
    fn fingerprint_depends_on_rule_path_and_secret() {
        let a = fingerprint("r", "a.txt", b"s");
        assert_eq!(a.len(), 32);
        assert_ne!(a, fingerprint("r", "b.txt", b"s"));
        assert_ne!(a, fingerprint("q", "a.txt", b"s"));
        assert_eq!(a, fingerprint("r", "a.txt", b"s"));
    }
}
