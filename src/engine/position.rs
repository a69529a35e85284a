//! Where a secret sits in a chunk: its line and columns, worked out from byte
//! offsets, and the text of its line for reports and inline markers.

/// Longest line kept whole for display; longer lines keep a window around the secret.
const MAX_LINE: usize = 512;
/// Bytes of context kept on each side of a secret on a long line.
const WINDOW: usize = 120;

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
}
