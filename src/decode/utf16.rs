//! UTF-16 text, transcoded to UTF-8 so the rules (written for bytes of UTF-8
//! text) can read it. Which chunks are UTF-16 is the source's text test
//! ([`crate::source::text::classify`]); this decoder only transcodes. Every line
//! break stays where it was, so lines keep their numbers ([`Placement::Same`]),
//! and columns count characters either way. A byte order mark is dropped; an
//! unpaired surrogate becomes U+FFFD; an odd last byte is dropped.

use super::{Claim, Decoder, Piece, Pieces};
use crate::source::text::{classify, TextKind};
use crate::types::{Chunk, Layer, LayerKind, Placement};

/// Transcodes UTF-16 chunks (with or without a byte order mark) to UTF-8.
pub struct Utf16;

impl Decoder for Utf16 {
    fn name(&self) -> &'static str {
        "utf-16"
    }

    fn decode(&self, chunk: &Chunk<'_>, out: &mut Pieces) -> Claim {
        let TextKind::Utf16 { big_endian, bom } = classify(chunk.bytes) else {
            return Claim::Pass;
        };
        let body = &chunk.bytes[if bom { 2 } else { 0 }..];
        let layer = Layer {
            kind: LayerKind::Utf16 { big_endian },
            at: Placement::Same,
        };
        if !out.room_for(body.len() / 2 * 3) {
            out.skip(layer, crate::types::SkipReason::DecodeLimit);
            return Claim::Replace;
        }
        let bytes = transcode(body, big_endian);
        let lines = memchr::memchr_iter(b'\n', &bytes).count() as u32 + 1;
        out.push(Piece {
            layer,
            lines: (chunk.first_line, lines),
            bytes,
        });
        Claim::Replace
    }
}

/// `body` (UTF-16 code units, no mark) as UTF-8.
pub fn transcode(body: &[u8], big_endian: bool) -> Vec<u8> {
    let units = body.chunks_exact(2).map(|p| {
        let pair = [p[0], p[1]];
        if big_endian {
            u16::from_be_bytes(pair)
        } else {
            u16::from_le_bytes(pair)
        }
    });
    let mut out = String::with_capacity(body.len() / 2);
    for c in char::decode_utf16(units) {
        out.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transcodes_both_orders_and_keeps_lines() {
        let text = "a = 1\nkey = \"ünï 😀\"\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(transcode(&le, false), text.as_bytes());
        assert_eq!(transcode(&be, true), text.as_bytes());
        assert_eq!(
            transcode(&[0x00, 0xD8, b'a', 0], false),
            "\u{FFFD}a".as_bytes()
        );
    }
}
