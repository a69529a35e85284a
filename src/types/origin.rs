//! Where a chunk (and so a finding) came from: a place, and how the bytes were
//! reached from it.
//!
//! An [`Origin`] is a chain. Its head is the place a source read: a path and a
//! [`Location`] (the staged change, a commit with its author and time, a file,
//! stdin). Its tail is one [`Layer`] per decoder that turned the place's bytes
//! into the bytes that were scanned, outermost first: `eval.ipynb` → cell 3,
//! output 1; `secret.yaml` → base64 at 12:40; `backup.zip` → `config/.env` →
//! base64 at 3:9. A finding's line and column count within the innermost layer's
//! content; each layer's [`Placement`] says where that content sits in the one
//! before it, so [`Origin::file_position`] can point into the outer file where that
//! is known.

use serde::Serialize;
use std::fmt::Write as _;
use std::sync::Arc;

/// The layer label of a file's name read as text.
const FILE_NAME: &str = "file name";

/// Which kind of place a chunk came from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Location {
    /// The staged change (the index against HEAD).
    Staged,
    /// A commit.
    Commit(CommitInfo),
    /// A blob or tree that a ref names directly, with no commit (its full hex id).
    Object(String),
    /// A file on disk.
    File,
    /// Standard input.
    Stdin,
}

/// The commit a chunk was added in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CommitInfo {
    /// Full hex object id.
    pub id: String,
    /// Author name.
    pub author: String,
    /// Author e-mail.
    pub email: String,
    /// Author time, seconds since the Unix epoch.
    pub time: i64,
}

/// The place a chunk came from, and the decoding layers between that place and
/// the scanned bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Repository-relative path with `/` separators (for git sources), the path as
    /// given (for files) or `-` (for stdin). Non-UTF-8 bytes are replaced.
    pub path: String,
    /// Which kind of place.
    pub location: Location,
    /// One layer per decoder that produced the bytes, outermost first; empty for
    /// bytes read as they are stored.
    pub layers: Vec<Layer>,
}

/// One decoding step: what a decoder took out of its input, and where in the input
/// it sat.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Layer {
    /// What was decoded.
    #[serde(flatten)]
    pub kind: LayerKind,
    /// Where the decoded content sits in the content it was decoded from.
    pub at: Placement,
}

/// What a decoder took out of its input.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum LayerKind {
    /// A Jupyter notebook cell's source, or one of its text outputs.
    NotebookCell {
        /// 1-based index of the cell in the notebook.
        cell: u32,
        /// The cell's execution count (`In [5]`), for code cells that ran.
        execution_count: Option<u32>,
        /// 1-based index of the output within the cell; `None` for the source.
        output: Option<u32>,
    },
    /// An encoded span (base64, hex, ...) decoded to its bytes.
    Encoded {
        /// The encoding.
        encoding: Encoding,
    },
    /// An entry of an archive (zip, tar, gzip member).
    ArchiveEntry {
        /// The entry's path inside the archive, `/`-separated.
        path: String,
    },
    /// A part of binary content a format reader went into: a decompressed
    /// stream (`xz`), a file's second pickle stream (`pickle stream 2 at byte
    /// 120`), an object array's data.
    Part {
        /// The part, for people.
        what: String,
    },
    /// The byte of binary content a finding sits at: a model file's pickle
    /// opcode, a Keras config object.
    Offset {
        /// Bytes from the start of the content the layer before names.
        offset: u64,
    },
    /// UTF-16 text transcoded to UTF-8.
    Utf16 {
        /// Big-endian (UTF-16BE) rather than little-endian.
        big_endian: bool,
    },
}

/// The encodings a decoder may undo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// Standard base64 (`+` and `/`).
    Base64,
    /// URL-safe base64 (`-` and `_`).
    Base64Url,
    /// Hexadecimal.
    Hex,
    /// Percent-encoding (`%41`).
    Percent,
    /// Backslash escapes (`\u0041`, `\x41`).
    Escape,
}

impl Encoding {
    /// The name reports use.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Base64 => "base64",
            Encoding::Base64Url => "base64url",
            Encoding::Hex => "hex",
            Encoding::Percent => "percent-encoding",
            Encoding::Escape => "escapes",
        }
    }
}

/// Where a layer's content sits in the content it was decoded from (lines and
/// columns 1-based, columns in characters, as findings count them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Placement {
    /// Line for line where it was (UTF-16 transcoding keeps every line break).
    Same,
    /// Line `n` of the content is line `first + n - 1` of its input (a notebook
    /// cell whose source is stored one line per JSON string); columns differ.
    Lines {
        /// The input line of the content's first line.
        first: u32,
    },
    /// The whole content came from one span starting here (an encoded span).
    Span {
        /// The span's line in the input.
        line: u32,
        /// The span's column in the input.
        column: u32,
    },
    /// No line of the input holds it (an archive entry's bytes).
    Unknown,
}

/// A position in the outer file: its line, and its column when known exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilePosition {
    /// 1-based line in the file.
    pub line: u32,
    /// 1-based column, when the layers keep columns (no layers, or UTF-16).
    pub column: Option<u32>,
}

impl Origin {
    /// A shared origin for a path at a location, with no layers.
    pub fn new(path: impl Into<String>, location: Location) -> Arc<Origin> {
        Arc::new(Origin {
            path: path.into(),
            location,
            layers: Vec::new(),
        })
    }

    /// This origin with one more layer (what a decoder's output comes from).
    pub fn with_layer(&self, layer: Layer) -> Arc<Origin> {
        let mut next = self.clone();
        next.layers.push(layer);
        Arc::new(next)
    }

    /// The origin of this file's name read as text: the path itself, one line
    /// per `/`-separated component, under a `file name` layer that no line of
    /// the file holds. A token pasted into a file name is found there, and reports mask
    /// it wherever they print the path ([`Origin::is_file_name`]).
    pub fn file_name(&self) -> Arc<Origin> {
        self.with_layer(Layer {
            kind: LayerKind::Part {
                what: FILE_NAME.to_string(),
            },
            at: Placement::Unknown,
        })
    }

    /// Whether this is a file's name read as text ([`Origin::file_name`]).
    pub fn is_file_name(&self) -> bool {
        matches!(self.layers.last(), Some(Layer { kind: LayerKind::Part { what }, .. }) if what == FILE_NAME)
    }

    /// Whether this is a commit's or a tag's message (`commit <id> message`,
    /// `tag <name> message`), not a file: a message has no path, so path globs
    /// of allowlists and of the blocking policy never match it (a tag named
    /// `v1/fixtures/x` must not borrow an allowed `**/fixtures/**`).
    pub fn is_message(&self) -> bool {
        let path = self.path.as_str();
        matches!(self.location, Location::Commit(_))
            && path.ends_with(" message")
            && (path.starts_with("commit ") || path.starts_with("tag "))
    }

    /// The commit, if this origin is a commit.
    pub fn commit(&self) -> Option<&CommitInfo> {
        match &self.location {
            Location::Commit(c) => Some(c),
            _ => None,
        }
    }

    /// The path and the layers, compactly, for people: `eval.ipynb cell 3,
    /// output 1`, `backup.zip!/config/.env`, `k8s.yaml base64 at 12:40`. Just the
    /// path when there are no layers.
    pub fn describe(&self) -> String {
        let mut out = self.path.clone();
        let mut after_path = true;
        for layer in &self.layers {
            if let LayerKind::ArchiveEntry { path } = &layer.kind {
                let _ = write!(out, "!/{path}");
                after_path = true;
                continue;
            }
            out.push_str(if after_path { " " } else { ", " });
            out.push_str(&layer.label());
            after_path = false;
        }
        out
    }

    /// Where `line:column` of the innermost content sits in the outer file, going
    /// out through each layer's placement; `None` where no line of the file holds
    /// it.
    pub fn file_position(&self, line: u32, column: u32) -> Option<FilePosition> {
        let mut pos = FilePosition {
            line,
            column: Some(column),
        };
        for layer in self.layers.iter().rev() {
            pos = match layer.at {
                Placement::Same => pos,
                Placement::Lines { first } => FilePosition {
                    line: first + pos.line.saturating_sub(1),
                    column: None,
                },
                Placement::Span { line, column } => FilePosition {
                    line,
                    column: Some(column),
                },
                Placement::Unknown => return None,
            };
        }
        Some(pos)
    }
}

impl Layer {
    /// The layer for people: `cell 3, output 1`, `base64 at 12:40`,
    /// `archive entry config/.env`, `UTF-16LE`.
    pub fn label(&self) -> String {
        match &self.kind {
            LayerKind::NotebookCell { cell, output, .. } => match output {
                Some(o) => format!("cell {cell}, output {o}"),
                None => format!("cell {cell}"),
            },
            LayerKind::Encoded { encoding } => match self.at {
                Placement::Span { line, column } => {
                    format!("{} at {line}:{column}", encoding.as_str())
                }
                _ => encoding.as_str().to_string(),
            },
            LayerKind::ArchiveEntry { path } => format!("archive entry {path}"),
            LayerKind::Part { what } => what.clone(),
            LayerKind::Offset { offset } => format!("at byte {offset}"),
            LayerKind::Utf16 { big_endian: true } => "UTF-16BE".into(),
            LayerKind::Utf16 { big_endian: false } => "UTF-16LE".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(cell: u32, output: Option<u32>, first: u32) -> Layer {
        Layer {
            kind: LayerKind::NotebookCell {
                cell,
                execution_count: Some(4),
                output,
            },
            at: Placement::Lines { first },
        }
    }

    fn base64(line: u32, column: u32) -> Layer {
        Layer {
            kind: LayerKind::Encoded {
                encoding: Encoding::Base64,
            },
            at: Placement::Span { line, column },
        }
    }

    fn entry(path: &str) -> Layer {
        Layer {
            kind: LayerKind::ArchiveEntry { path: path.into() },
            at: Placement::Unknown,
        }
    }

    #[test]
    fn describes_the_chain_compactly() {
        let o = Origin::new("eval.ipynb", Location::File);
        assert_eq!(o.describe(), "eval.ipynb");
        let o = o.with_layer(cell(3, Some(1), 40));
        assert_eq!(o.describe(), "eval.ipynb cell 3, output 1");
        let o = o.with_layer(base64(2, 7));
        assert_eq!(o.describe(), "eval.ipynb cell 3, output 1, base64 at 2:7");
        let z = Origin::new("backup.zip", Location::File)
            .with_layer(entry("config/.env"))
            .with_layer(base64(3, 9));
        assert_eq!(z.describe(), "backup.zip!/config/.env base64 at 3:9");
    }

    #[test]
    fn file_positions_go_out_through_each_placement() {
        let plain = Origin::new("a.txt", Location::File);
        let at = |o: &Origin, l, c| o.file_position(l, c).map(|p| (p.line, p.column));
        assert_eq!(at(&plain, 5, 3), Some((5, Some(3))));
        let cell = plain.with_layer(cell(2, None, 40));
        assert_eq!(at(&cell, 3, 5), Some((42, None)));
        let span = cell.with_layer(base64(3, 9));
        assert_eq!(at(&span, 1, 1), Some((42, None)), "the span's cell line");
        let zip = Origin::new("b.zip", Location::File).with_layer(entry("x"));
        assert_eq!(at(&zip, 1, 1), None);
        let utf16 = plain.with_layer(Layer {
            kind: LayerKind::Utf16 { big_endian: false },
            at: Placement::Same,
        });
        assert_eq!(at(&utf16, 7, 2), Some((7, Some(2))));
    }
}
