//! Encoded secrets: base64 (standard and URL-safe), hex, percent-encoding and
//! `\u`/`\x` escapes, decoded where they sit.
//!
//! For each line holding a candidate run, the piece is that line with every run
//! replaced by its decoded text: the words around the run stay, so a rule that
//! needs them still sees them (`password: cGFzc3dvcmQ...` in a Kubernetes
//! `Secret` becomes `password: <decoded>`; a base64 PEM block becomes the PEM
//! block). The piece's layer points at the first run ([`Placement::Span`]), and
//! the pieces are decoded again by the stage, so base64 inside base64 is found to
//! the depth limit.
//!
//! It must be cheap, since it sees every line of every text file, so only
//! candidates are decoded, and only decoded text is kept:
//! - base64: runs of the alphabet at least [`MIN_BASE64`] long, not mixing the
//!   standard (`+/`) and URL-safe (`-_`) extra characters, with a length base64
//!   can have;
//! - hex: runs of hex digits, even, at least [`MIN_HEX`] long;
//! - percent-encoding and escapes: a word holding at least one `%XX` (or two
//!   `\xXX` / `\uXXXX`);
//! - what a run decodes to must be UTF-8 text with no control bytes but tab and
//!   line breaks, at least [`MIN_DECODED`] bytes: hashes, images and other binary
//!   data decode to bytes that are not, and are dropped without a piece.

use super::{Claim, Decoder, Piece, Pieces};
use crate::types::{Chunk, Encoding, Layer, LayerKind, Placement};
use base64::Engine as _;

/// Shortest base64 run decoded (12 bytes decoded).
pub const MIN_BASE64: usize = 16;
/// Shortest hex run decoded (16 bytes decoded).
pub const MIN_HEX: usize = 32;
/// Shortest decoded text kept.
pub const MIN_DECODED: usize = 6;

/// Decodes encoded runs in text lines.
pub struct Encoded;

impl Decoder for Encoded {
    fn name(&self) -> &'static str {
        "encoded"
    }

    fn decode(&self, chunk: &Chunk<'_>, out: &mut Pieces) -> Claim {
        for (this, line) in (chunk.first_line..).zip(chunk.bytes.split(|&b| b == b'\n')) {
            if line.len() < 8 || !chunk.touches_added(this, this) {
                continue;
            }
            let Some((bytes, encoding, column)) = decode_line(line) else {
                continue;
            };
            let piece = Piece {
                layer: Layer {
                    kind: LayerKind::Encoded { encoding },
                    at: Placement::Span { line: this, column },
                },
                lines: (this, 1),
                bytes,
            };
            if !out.push(piece) {
                break;
            }
        }
        Claim::Extend
    }
}

/// The line with every decodable run replaced by its text, the first run's
/// encoding and its column; `None` when nothing on the line decodes.
fn decode_line(line: &[u8]) -> Option<(Vec<u8>, Encoding, u32)> {
    let mut out = Vec::new();
    let mut first: Option<(Encoding, usize)> = None;
    let mut done = 0;
    let mut i = 0;
    while i < line.len() {
        let Some((end, text, encoding)) = run_at(line, i) else {
            i += 1;
            continue;
        };
        out.extend_from_slice(&line[done..i]);
        out.extend_from_slice(&text);
        first.get_or_insert((encoding, i));
        done = end;
        i = end;
    }
    let (encoding, at) = first?;
    out.extend_from_slice(&line[done..]);
    let column = line[..at].iter().filter(|&&b| b & 0xC0 != 0x80).count() as u32 + 1;
    Some((out, encoding, column))
}

/// A decodable run starting at `i` (at a word start): its end, its text, how it
/// was encoded.
fn run_at(line: &[u8], i: usize) -> Option<(usize, Vec<u8>, Encoding)> {
    if i > 0 && is_b64(line[i - 1]) && is_b64(line[i]) {
        return None; // inside a run that did not decode
    }
    let b = line[i];
    let word_start =
        i == 0 || !(line[i - 1].is_ascii_alphanumeric() || matches!(line[i - 1], b'%' | b'\\'));
    if word_start && (b == b'%' || b == b'\\' || word_has_escape(line, i)) {
        if let Some(found) = escaped_word(line, i) {
            return Some(found);
        }
    }
    if !is_b64(b) {
        return None;
    }
    let len = line[i..].iter().take_while(|&&c| is_b64(c)).count();
    let mut end = i + len;
    while end < line.len() && end - i - len < 2 && line[end] == b'=' {
        end += 1;
    }
    let run = &line[i..end];
    if run.len() < MIN_BASE64 {
        return None;
    }
    if len >= MIN_HEX && len % 2 == 0 && run[..len].iter().all(u8::is_ascii_hexdigit) {
        if let Some(text) = hex(&run[..len]).filter(|t| is_text(t)) {
            return Some((i + len, text, Encoding::Hex));
        }
    }
    let (text, encoding) = base64(run)?;
    is_text(&text).then_some((end, text, encoding))
}

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_')
}

/// Whether the word from `i` holds a `%` or a backslash before white space or a
/// quote.
fn word_has_escape(line: &[u8], i: usize) -> bool {
    let word = word_end(line, i);
    line[i..word].iter().any(|&c| c == b'%' || c == b'\\')
}

fn word_end(line: &[u8], i: usize) -> usize {
    line[i..]
        .iter()
        .position(|&c| c.is_ascii_whitespace() || matches!(c, b'"' | b'\'' | b'`' | b'<' | b'>'))
        .map_or(line.len(), |n| i + n)
}

fn base64(run: &[u8]) -> Option<(Vec<u8>, Encoding)> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let standard = run.iter().any(|&c| c == b'+' || c == b'/');
    let url = run.iter().any(|&c| c == b'-' || c == b'_');
    let body_len = run.iter().take_while(|&&c| c != b'=').count();
    if (standard && url) || body_len % 4 == 1 {
        return None;
    }
    let padded = body_len < run.len();
    let (engine, encoding) = match (url, padded) {
        (false, true) => (&STANDARD, Encoding::Base64),
        (false, false) => (&STANDARD_NO_PAD, Encoding::Base64),
        (true, true) => (&URL_SAFE, Encoding::Base64Url),
        (true, false) => (&URL_SAFE_NO_PAD, Encoding::Base64Url),
    };
    engine.decode(run).ok().map(|t| (t, encoding))
}

fn hex(run: &[u8]) -> Option<Vec<u8>> {
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    run.chunks_exact(2)
        .map(|p| Some(digit(p[0])? << 4 | digit(p[1])?))
        .collect()
}

/// A word with `%XX` or `\xXX`/`\uXXXX` escapes, decoded.
fn escaped_word(line: &[u8], i: usize) -> Option<(usize, Vec<u8>, Encoding)> {
    let end = word_end(line, i);
    let word = &line[i..end];
    let (text, escapes, encoding) = if memchr::memchr(b'%', word).is_some() {
        let (t, n) = unpercent(word);
        (t, n, Encoding::Percent)
    } else {
        let (t, n) = unescape(word);
        if n < 2 {
            return None;
        }
        (t, n, Encoding::Escape)
    };
    (escapes > 0 && text.len() >= MIN_DECODED && is_text(&text)).then_some((end, text, encoding))
}

fn hex_at(word: &[u8], at: usize, n: usize) -> Option<u32> {
    let digits = std::str::from_utf8(word.get(at..at + n)?).ok()?;
    u32::from_str_radix(digits, 16).ok()
}

fn unpercent(word: &[u8]) -> (Vec<u8>, usize) {
    let (mut out, mut n, mut k) = (Vec::with_capacity(word.len()), 0, 0);
    while k < word.len() {
        if word[k] == b'%' {
            if let Some(v) = hex_at(word, k + 1, 2) {
                out.push(v as u8);
                n += 1;
                k += 3;
                continue;
            }
        }
        out.push(word[k]);
        k += 1;
    }
    (out, n)
}

fn unescape(word: &[u8]) -> (Vec<u8>, usize) {
    let (mut out, mut n, mut k) = (Vec::with_capacity(word.len()), 0, 0);
    while k < word.len() {
        let code = match word.get(k..k + 2) {
            Some(b"\\x") => hex_at(word, k + 2, 2).map(|v| (v, 4)),
            Some(b"\\u") => hex_at(word, k + 2, 4).map(|v| (v, 6)),
            _ => None,
        };
        match code.and_then(|(v, len)| char::from_u32(v).map(|c| (c, len))) {
            Some((c, len)) => {
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                n += 1;
                k += len;
            }
            None => {
                out.push(word[k]);
                k += 1;
            }
        }
    }
    (out, n)
}

/// Whether decoded bytes are text worth scanning: UTF-8, no control bytes but
/// tab and line breaks, at least [`MIN_DECODED`] long.
fn is_text(bytes: &[u8]) -> bool {
    bytes.len() >= MIN_DECODED
        && !bytes
            .iter()
            .any(|&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f)
        && std::str::from_utf8(bytes).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(s: &str) -> Option<(String, Encoding, u32)> {
        decode_line(s.as_bytes()).map(|(t, e, c)| (String::from_utf8(t).unwrap(), e, c))
    }

    #[test]
    fn each_encoding_is_decoded_in_place() {
        let b64 = "  password: c3VwZXItc2VjcmV0LXBhc3N3b3JkLTIwMjQ=";
        assert_eq!(
            line(b64),
            Some((
                "  password: super-secret-password-2024".into(),
                Encoding::Base64,
                13
            ))
        );
        let url = "t=aGVsbG8_d29ybGQ-Pz4_Pz4-";
        assert_eq!(line(url).unwrap().1, Encoding::Base64Url);
        let hex = "key 70617373776f72643d68756e7465723232";
        assert_eq!(line(hex).unwrap().0, "key password=hunter22");
        assert_eq!(line(hex).unwrap().1, Encoding::Hex);
        let pct = "url=postgres://app:p%40ss%2Fw0rd@db/prod";
        assert_eq!(line(pct).unwrap().0, "url=postgres://app:p@ss/w0rd@db/prod");
        let esc = r#"s = "\x67\x68\x70\x5f\u0041\u0042""#;
        assert_eq!(
            line(esc).unwrap(),
            ("s = \"ghp_AB\"".into(), Encoding::Escape, 6)
        );
    }

    #[test]
    fn binary_hashes_and_plain_words_are_not_pieces() {
        assert_eq!(
            line("sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            None
        );
        assert_eq!(line("integrity: sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="), None);
        assert_eq!(line("fn averyLongIdentifierWithoutMeaning() {}"), None);
        assert_eq!(line("see /usr/lib/python3/dist-packages/setuptools"), None);
        assert_eq!(line("50% done, 100% sure"), None);
    }

    #[test]
    fn a_base64_pem_block_decodes_to_the_block() {
        let pem =
            "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAK\n-----END RSA PRIVATE KEY-----\n";
        let enc = base64::engine::general_purpose::STANDARD.encode(pem);
        assert!(enc.starts_with("LS0tLS1CRUdJTi"));
        let (text, enc_kind, column) = line(&format!("client-key-data: {enc}")).unwrap();
        assert_eq!(text, format!("client-key-data: {pem}"));
        assert_eq!((enc_kind, column), (Encoding::Base64, 18));
    }
}
