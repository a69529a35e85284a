//! A finding: a secret a rule found, where it is, and a stable fingerprint.
//!
//! Lines and columns count within the content the finding was found in: the file
//! for a finding without decoding layers, the innermost decoded content (a notebook
//! cell, a base64 span, an archive entry) otherwise. Where that content sits in the
//! outer file is the origin's to say ([`Origin::file_position`]).

use super::{Origin, Rule};
use std::sync::Arc;

/// A secret found by a rule.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The rule that found it.
    pub rule: Arc<Rule>,
    /// Where the chunk came from.
    pub origin: Arc<Origin>,
    /// 1-based line of the secret's first byte, within the innermost content (see
    /// the module docs; [`Finding::file_position`] gives the line in the file).
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
    /// The byte ranges within `line_text` of the other secrets found on that
    /// line: reports redact them too, so no echoed line shows a secret whole.
    pub other_spans: Vec<(usize, usize)>,
    /// A keyed HMAC of (rule id, path, secret) in hex ([`super::fingerprint`]):
    /// stable across line moves and rebases, and not open to guessing without
    /// the key, which is never committed.
    pub fingerprint: String,
    /// The other lines of the same content where the same rule found the same
    /// secret, in order: one secret is one finding, listing every line it is on
    /// ([`crate::types::Outcome::dedupe`]). Empty for a secret found once.
    pub also_lines: Vec<u32>,
}

impl Finding {
    /// The line of the secret's last byte (a key block spans several).
    pub fn last_line(&self) -> u32 {
        self.line + memchr::memchr_iter(b'\n', &self.secret).count() as u32
    }

    /// Every line the secret is on: its own, then [`Finding::also_lines`].
    pub fn lines(&self) -> Vec<u32> {
        std::iter::once(self.line)
            .chain(self.also_lines.iter().copied())
            .collect()
    }

    /// Where the secret starts in the outer file: its line there, and its column
    /// when that is known exactly. `None` when the file has no lines to point at
    /// (an archive entry). For a finding without layers, its own line and column.
    pub fn file_position(&self) -> Option<super::FilePosition> {
        self.origin.file_position(self.line, self.column)
    }
}
