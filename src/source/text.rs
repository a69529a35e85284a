//! Whether bytes are text, and which kind: the test every source applies before
//! handing a file on to be scanned.
//!
//! git calls a file binary when a NUL byte is among its first 8000 bytes. That
//! test alone hides two kinds of text: UTF-16 (every ASCII character is followed,
//! or preceded, by a NUL; Windows tools write it, with or without a byte order
//! mark) and text with a stray NUL (a pasted control character, a padding byte).
//! So the head of the file is looked at more closely:
//!
//! - a UTF-16 byte order mark (`FF FE`, `FE FF`, not a UTF-32 one), or NULs on
//!   nearly every odd (little-endian) or even (big-endian) byte and almost none on
//!   the others, is UTF-16 text: the `decode` stage transcodes it;
//! - a few NULs in bytes that are otherwise text (NULs and other control bytes
//!   together at most 1% of the head, at most 1% invalid UTF-8) is text;
//! - anything else with a NUL in the head is binary, as git says.
//!
//! Compressed and image data fail the second test at once: about one byte in ten
//! of random data is a control byte, and most of its high bytes are invalid UTF-8.

/// How many leading bytes decide (git's number).
pub const HEAD: usize = 8000;

/// What kind of content bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// Text in an 8-bit encoding (UTF-8, Latin-1, ASCII), perhaps with a stray NUL.
    Text,
    /// UTF-16 text.
    Utf16 {
        /// Big-endian (UTF-16BE) rather than little-endian.
        big_endian: bool,
        /// Starts with a byte order mark (two bytes to drop).
        bom: bool,
    },
    /// Not text.
    Binary,
}

/// The kind of `bytes`, judged from their first [`HEAD`] bytes.
pub fn classify(bytes: &[u8]) -> TextKind {
    let head = &bytes[..bytes.len().min(HEAD)];
    if let Some(kind) = utf16_by_bom(head) {
        return kind;
    }
    let nuls = memchr::memchr_iter(0, head).count();
    if nuls == 0 {
        return TextKind::Text;
    }
    if let Some(big_endian) = utf16_by_nuls(head) {
        return TextKind::Utf16 {
            big_endian,
            bom: false,
        };
    }
    if mostly_text(head, nuls) {
        TextKind::Text
    } else {
        TextKind::Binary
    }
}

fn utf16_by_bom(head: &[u8]) -> Option<TextKind> {
    let big_endian = match head {
        [0xFF, 0xFE, 0, 0, ..] => return None, // UTF-32LE
        [0xFF, 0xFE, ..] => false,
        [0xFE, 0xFF, ..] => true,
        _ => return None,
    };
    Some(TextKind::Utf16 {
        big_endian,
        bom: true,
    })
}

/// UTF-16 without a mark: NULs on at least 90% of one parity of bytes and on at
/// most 10% of the other (ASCII-heavy text; CJK text without a mark stays binary,
/// as every tool but a guesser would call it).
fn utf16_by_nuls(head: &[u8]) -> Option<bool> {
    let pairs = head.len() / 2;
    if pairs < 2 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in head.chunks_exact(2) {
        even += (pair[0] == 0) as usize;
        odd += (pair[1] == 0) as usize;
    }
    let most = |n: usize| n * 10 >= pairs * 9;
    let few = |n: usize| n * 10 <= pairs;
    if most(odd) && few(even) {
        Some(false)
    } else if most(even) && few(odd) {
        Some(true)
    } else {
        None
    }
}

/// Whether a head with `nuls` NUL bytes is otherwise text.
fn mostly_text(head: &[u8], nuls: usize) -> bool {
    let one_percent = head.len().div_ceil(100);
    if nuls > one_percent {
        return false;
    }
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && b != 0 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b))
        .count();
    nuls + controls <= one_percent && invalid_utf8(head) <= one_percent
}

/// How many invalid UTF-8 sequences `bytes` hold (a sequence cut off at the end
/// of the head does not count).
fn invalid_utf8(mut bytes: &[u8]) -> usize {
    let mut bad = 0;
    loop {
        match std::str::from_utf8(bytes) {
            Ok(_) => return bad,
            Err(e) => match e.error_len() {
                None => return bad,
                Some(n) => {
                    bad += 1;
                    bytes = &bytes[e.valid_up_to() + n..];
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        text.encode_utf16()
            .flat_map(|u| {
                if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect()
    }

    #[test]
    fn utf16_with_and_without_a_mark() {
        let mut le = vec![0xFF, 0xFE];
        le.extend(utf16("password = \"hunter2\"\r\n", false));
        assert_eq!(
            classify(&le),
            TextKind::Utf16 {
                big_endian: false,
                bom: true
            }
        );
        let be = utf16("key: value\nname: ünïcode\n", true);
        assert_eq!(
            classify(&be),
            TextKind::Utf16 {
                big_endian: true,
                bom: false
            }
        );
        assert_eq!(
            classify(&[0xFF, 0xFE, 0, 0, b'a', 0, 0, 0]),
            TextKind::Binary
        );
    }

    #[test]
    fn a_stray_nul_in_text_is_text_and_real_binaries_are_not() {
        let mut text = b"line one\n".repeat(200);
        text[500] = 0;
        assert_eq!(classify(&text), TextKind::Text);
        let mut pseudo_random = Vec::new();
        let mut x: u32 = 0x1234_5678;
        for _ in 0..8000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            pseudo_random.push((x >> 24) as u8);
        }
        pseudo_random[10] = 0;
        assert_eq!(classify(&pseudo_random), TextKind::Binary);
        let png_like = [
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0".as_slice(),
            &[0; 40],
        ]
        .concat();
        assert_eq!(classify(&png_like), TextKind::Binary);
        assert_eq!(classify(b"plain"), TextKind::Text);
        let mut late = vec![b'a'; 9000];
        late[8500] = 0;
        assert_eq!(classify(&late), TextKind::Text, "past the head");
    }
}
