//! Decoding: seeing inside containers and encodings before the engine judges.
//!
//! A [`Decoder`] turns one chunk into zero or more pieces, each the content of
//! something inside it (a notebook cell, a base64 span, an archive entry, UTF-16
//! text as UTF-8), and gives each piece one more [`Layer`] of origin, so a finding
//! in it can say where it sits and how it got there. Pieces are decoded again, up
//! to [`Limits::depth`] layers deep. Sources know nothing of decoding; the engine
//! knows nothing of formats; this stage sits between them ([`Decoders::expand`]).
//!
//! Contract for a decoder:
//! - it reads only the chunk it is given, never a file or the network;
//! - it is cheap on input that is not its format (a file name, a magic number or
//!   a keyword decides), because it sees every chunk;
//! - it says whether its pieces replace the chunk ([`Claim::Replace`]: a container
//!   whose raw bytes mean nothing, such as a notebook's JSON or a zip) or come on
//!   top of it ([`Claim::Extend`]: encoded spans inside text that is scanned too);
//! - it gives each piece the lines of the chunk it came from, so that for a changed
//!   file only pieces from changed lines are judged (a changed cell, not the whole
//!   notebook);
//! - what it cannot decode within the limits it reports ([`Pieces::skip`]) rather
//!   than dropping silently.
//!
//! The limits bound the work per chunk a source hands on, however the decoders
//! nest: [`Limits::depth`] layers, [`Limits::pieces`] pieces and
//! [`Limits::bytes`] decoded bytes in all.

pub mod archive;
pub mod encoded;
pub mod formats;
pub mod json;
pub mod notebook;
pub mod utf16;

use crate::source::Visit;
use crate::types::{Chunk, Layer, LayerKind, LineRange, Origin, Placement, SkipReason};
use std::sync::Arc;

pub use archive::ArchiveLimits;

/// What a decoder did with a chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Not this decoder's format: the chunk goes on as it is.
    Pass,
    /// A container: its pieces are judged instead of the chunk.
    Replace,
    /// Text with decodable spans: the pieces are judged as well as the chunk.
    Extend,
}

/// Turns a chunk into the pieces inside it.
pub trait Decoder: Send + Sync {
    /// A short name for messages (`notebook`, `base64`, `zip`).
    fn name(&self) -> &'static str;

    /// Decodes `chunk`, handing every piece to `out`, and says what the pieces
    /// mean for the chunk. Stops early when `out` says a limit is reached.
    fn decode(&self, chunk: &Chunk<'_>, out: &mut Pieces) -> Claim;

    /// Whether this decoder opens `bytes`, a whole file that is binary. Sources
    /// skip binary content as text; [`Decoders::expand_binary`] offers it to the
    /// decoders that open it (archives). No by default.
    fn opens_binary(&self, _bytes: &[u8]) -> bool {
        false
    }
}

/// Bounds on decoding, per chunk a source hands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most layers of decoding (a base64 span in a notebook cell in a zip is 3).
    pub depth: usize,
    /// Most pieces in all.
    pub pieces: usize,
    /// Most decoded bytes in all.
    pub bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            depth: 5,
            pieces: 10_000,
            bytes: 64 << 20,
        }
    }
}

/// One decoded piece.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// What it is and where it sits in the chunk it came from.
    pub layer: Layer,
    /// The lines of that chunk it came from (first line, count), as the chunk
    /// counts them.
    pub lines: LineRange,
    /// The decoded bytes; their first line is line 1.
    pub bytes: Vec<u8>,
}

/// What a decoder hands on: pieces, and what it had to skip. Keeps the budget
/// shared by every decoder and every depth of one source chunk.
#[derive(Debug)]
pub struct Pieces {
    items: Vec<Piece>,
    skipped: Vec<(Vec<Layer>, SkipReason)>,
    budget: Budget,
}

#[derive(Debug, Clone, Copy)]
struct Budget {
    pieces: usize,
    bytes: usize,
}

impl Pieces {
    fn new(budget: Budget) -> Pieces {
        Pieces {
            items: Vec::new(),
            skipped: Vec::new(),
            budget,
        }
    }

    /// Adds a piece. Returns false, and keeps nothing, when the piece would go past
    /// the limits: the decoder should stop (the skip is recorded for it).
    pub fn push(&mut self, piece: Piece) -> bool {
        if self.budget.pieces == 0 || piece.bytes.len() > self.budget.bytes {
            self.skipped
                .push((vec![piece.layer], SkipReason::DecodeLimit));
            self.budget.pieces = 0;
            return false;
        }
        self.budget.pieces -= 1;
        self.budget.bytes -= piece.bytes.len();
        self.items.push(piece);
        true
    }

    /// Records something inside the chunk that could not be decoded, and why.
    pub fn skip(&mut self, layer: Layer, reason: SkipReason) {
        self.skipped.push((vec![layer], reason));
    }

    /// Records something inside the chunk that could not be decoded, reached
    /// through `layers` (none: the chunk itself), and why.
    pub fn skip_in(&mut self, layers: Vec<Layer>, reason: SkipReason) {
        self.skipped.push((layers, reason));
    }

    /// Whether another piece of `len` bytes would fit (to stop before decoding it).
    pub fn room_for(&self, len: usize) -> bool {
        self.budget.pieces > 0 && len <= self.budget.bytes
    }

    /// The decoded bytes the budget has left (0 when no piece is left either).
    pub fn bytes_left(&self) -> usize {
        if self.budget.pieces == 0 {
            0
        } else {
            self.budget.bytes
        }
    }
}

/// The name of the file a chunk is: the innermost archive entry's path, else the
/// path the source read (for decoders that go by file name).
pub fn file_name<'c>(chunk: &'c Chunk<'_>) -> &'c str {
    let entry = chunk
        .origin
        .layers
        .iter()
        .rev()
        .find_map(|l| match &l.kind {
            LayerKind::ArchiveEntry { path } => Some(path.as_str()),
            _ => None,
        });
    entry.unwrap_or(&chunk.origin.path)
}

/// The decoders a scan runs, with their limits.
#[derive(Default)]
pub struct Decoders {
    list: Vec<Box<dyn Decoder>>,
    limits: Limits,
}

impl std::fmt::Debug for Decoders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.list.iter().map(|d| d.name()).collect();
        f.debug_struct("Decoders")
            .field("list", &names)
            .field("limits", &self.limits)
            .finish()
    }
}

impl Decoders {
    /// No decoding: every chunk goes to the engine as the source read it.
    pub fn none() -> Decoders {
        Decoders::default()
    }

    /// The decoders every scan runs by default, with the default limits.
    pub fn standard() -> Decoders {
        Decoders::configured(Limits::default(), true, Some(ArchiveLimits::default()))
    }

    /// The standard decoders within `limits`, with or without the decoding of
    /// encoded runs (base64, hex, percent, escapes), and opening archives within
    /// `archives` (none: archives are not opened).
    pub fn configured(limits: Limits, encoded: bool, archives: Option<ArchiveLimits>) -> Decoders {
        let mut list: Vec<Box<dyn Decoder>> = Vec::new();
        if let Some(archive_limits) = archives {
            list.push(Box::new(archive::Archives::new(archive_limits)));
        }
        list.push(Box::new(utf16::Utf16));
        list.push(Box::new(notebook::Notebook));
        if encoded {
            list.push(Box::new(encoded::Encoded));
        }
        Decoders::new(list, limits)
    }

    /// These decoders, tried in order on every chunk, within `limits`.
    pub fn new(list: Vec<Box<dyn Decoder>>, limits: Limits) -> Decoders {
        Decoders { list, limits }
    }

    /// Hands a whole binary file to the decoders that open it (an archive) and
    /// what comes out of it to `visit`, as [`Decoders::expand`] does; returns
    /// whether one did. A source skips binary content as text, so this is how
    /// an archive it read is judged (see [`Visit::whole`]).
    pub fn expand_binary(
        &self,
        origin: &Arc<Origin>,
        content: &[u8],
        visit: &mut dyn Visit,
    ) -> bool {
        if self.limits.depth == 0 || !self.list.iter().any(|d| d.opens_binary(content)) {
            return false;
        }
        self.expand(&Chunk::whole(origin.clone(), content), visit);
        true
    }

    /// Hands `chunk` and everything decoded from it to `visit`: `visit.chunk` for
    /// each chunk to judge (the chunk itself unless a decoder replaced it, then each
    /// piece, recursively), `visit.skipped` for what could not be decoded.
    pub fn expand(&self, chunk: &Chunk<'_>, visit: &mut dyn Visit) {
        if self.list.is_empty() {
            return visit.chunk(chunk);
        }
        let mut budget = Budget {
            pieces: self.limits.pieces,
            bytes: self.limits.bytes,
        };
        self.expand_at(chunk, 0, &mut budget, visit);
    }

    fn expand_at(
        &self,
        chunk: &Chunk<'_>,
        depth: usize,
        budget: &mut Budget,
        visit: &mut dyn Visit,
    ) {
        let mut out = Pieces::new(*budget);
        let mut replaced = false;
        if depth < self.limits.depth {
            for decoder in &self.list {
                match decoder.decode(chunk, &mut out) {
                    Claim::Replace => {
                        replaced = true;
                        break;
                    }
                    Claim::Extend | Claim::Pass => {}
                }
            }
        }
        *budget = out.budget;
        if !replaced {
            visit.chunk(chunk);
        }
        for (layers, reason) in out.skipped {
            let mut origin = chunk.origin.as_ref().clone();
            origin.layers.extend(layers);
            visit.skipped(&Arc::new(origin), reason);
        }
        for piece in out.items {
            let (first, count) = piece.lines;
            let last = first + count.max(1) - 1;
            if !chunk.touches_added(first, last) {
                continue;
            }
            let same_lines = piece.layer.at == Placement::Same;
            let mut inner = Chunk::whole(chunk.origin.with_layer(piece.layer), &piece.bytes);
            if same_lines {
                inner.added = chunk.added; // line for line: only the added lines are new
            }
            self.expand_at(&inner, depth + 1, budget, visit);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::types::{Encoding, LayerKind, Location, Placement};

    /// Decodes every line `b64:<text>` into a piece holding `<text>` reversed,
    /// to exercise the stage without a real format.
    struct Reverse(Claim);
    impl Decoder for Reverse {
        fn name(&self) -> &'static str {
            "reverse"
        }
        fn decode(&self, chunk: &Chunk<'_>, out: &mut Pieces) -> Claim {
            let mut claim = Claim::Pass;
            for (i, line) in chunk.bytes.split(|&b| b == b'\n').enumerate() {
                let Some(body) = line.strip_prefix(b"b64:") else {
                    continue;
                };
                let line_no = chunk.first_line + i as u32;
                let piece = Piece {
                    layer: Layer {
                        kind: LayerKind::Encoded {
                            encoding: Encoding::Base64,
                        },
                        at: Placement::Span {
                            line: line_no,
                            column: 5,
                        },
                    },
                    lines: (line_no, 1),
                    bytes: body.iter().rev().copied().collect(),
                };
                if !out.push(piece) {
                    break;
                }
                claim = self.0;
            }
            claim
        }
    }

    /// Records what a decoding stage hands on: each chunk's origin and bytes,
    /// each skipped part and why (shared by the decoders' tests).
    #[derive(Default)]
    pub(crate) struct Seen {
        pub(crate) chunks: Vec<(String, Vec<u8>)>,
        pub(crate) skipped: Vec<(String, SkipReason)>,
    }
    impl Visit for Seen {
        fn file(&mut self, _: &Arc<Origin>) {}
        fn chunk(&mut self, c: &Chunk<'_>) {
            self.chunks.push((c.origin.describe(), c.bytes.to_vec()));
        }
        fn skipped(&mut self, o: &Arc<Origin>, r: SkipReason) {
            self.skipped.push((o.describe(), r));
        }
    }

    fn run(decoders: &Decoders, chunk: &Chunk<'_>) -> Seen {
        let mut seen = Seen::default();
        decoders.expand(chunk, &mut seen);
        seen
    }

    #[test]
    fn no_decoders_is_the_identity() {
        let chunk = Chunk::whole(Origin::new("a", Location::File), b"b64:cba\n");
        let seen = run(&Decoders::none(), &chunk);
        assert_eq!(seen.chunks, vec![("a".into(), b"b64:cba\n".to_vec())]);
    }

    #[test]
    fn pieces_are_decoded_again_and_carry_a_layer_each() {
        let d = Decoders::new(vec![Box::new(Reverse(Claim::Extend))], Limits::default());
        let chunk = Chunk::whole(Origin::new("a", Location::File), b"x\nb64:cba\n");
        let seen = run(&d, &chunk);
        assert_eq!(
            seen.chunks,
            vec![
                ("a".into(), b"x\nb64:cba\n".to_vec()),
                ("a base64 at 2:5".into(), b"abc".to_vec()),
            ]
        );
        let nested = Chunk::whole(Origin::new("a", Location::File), b"b64:cba:46b");
        let seen = run(&d, &nested);
        assert_eq!(seen.chunks[1].1, b"b64:abc");
        assert_eq!(seen.chunks[2].0, "a base64 at 1:5, base64 at 1:5");
        assert_eq!(seen.chunks[2].1, b"cba");
    }

    #[test]
    fn a_container_replaces_its_chunk_and_limits_are_reported() {
        let limits = Limits {
            depth: 5,
            pieces: 1,
            bytes: 1 << 20,
        };
        let d = Decoders::new(vec![Box::new(Reverse(Claim::Replace))], limits);
        let chunk = Chunk::whole(Origin::new("a", Location::File), b"b64:cba\nb64:fed\n");
        let seen = run(&d, &chunk);
        assert_eq!(
            seen.chunks,
            vec![("a base64 at 1:5".into(), b"abc".to_vec())]
        );
        assert_eq!(
            seen.skipped,
            vec![("a base64 at 2:5".into(), SkipReason::DecodeLimit)]
        );
        let shallow = Decoders::new(
            vec![Box::new(Reverse(Claim::Extend))],
            Limits {
                depth: 1,
                ..Limits::default()
            },
        );
        let seen = run(
            &shallow,
            &Chunk::whole(Origin::new("a", Location::File), b"b64:cba:46b"),
        );
        assert_eq!(seen.chunks.len(), 2, "one layer deep only");
    }

    #[test]
    fn in_a_changed_file_only_pieces_from_added_lines_are_judged() {
        let d = Decoders::new(vec![Box::new(Reverse(Claim::Replace))], Limits::default());
        let added = [(2, 1)];
        let chunk = Chunk::changed(
            Origin::new("a", Location::Staged),
            b"b64:cba\nb64:fed\n",
            &added,
        );
        let seen = run(&d, &chunk);
        assert_eq!(
            seen.chunks,
            vec![("a base64 at 2:5".into(), b"def".to_vec())]
        );
    }
}
