//! Jupyter notebooks (`.ipynb`, nbformat 4, and nbformat 3's worksheets), read
//! as cells rather than as JSON.
//!
//! What is scanned, one piece each, under a `cell N` layer (`cell N, output M`
//! for outputs):
//! - every cell's source (code, markdown, raw);
//! - every text output: `stream` text, the text MIME types of `execute_result` and
//!   `display_data` (`text/*`, `application/json`, `application/javascript`,
//!   `*+json` that is not an image), and `error` tracebacks.
//!
//! What is not: image and other binary MIME payloads (`image/png` base64, PDFs),
//! cell attachments and metadata. A key someone hid in an image's base64 is no
//! leak anyone makes by accident; a key printed by `print(os.environ)` is, and it
//! sits in `text/plain` or a stream.
//!
//! Each piece keeps the JSON lines it came from, so the pre-commit hook judges
//! only cells (and outputs) whose lines the commit adds or changes, and each
//! finding can name its line in the file: nbformat writes one JSON string per
//! line, so line `n` of a cell is line `first + n - 1` of the file
//! ([`Placement::Lines`]); a source stored as one string points at that string
//! ([`Placement::Span`]). A file named `.ipynb` that is not a notebook (broken
//! JSON, a merge conflict) is scanned as the text it is.

use super::json::{self, Kind, Node};
use super::{Claim, Decoder, Piece, Pieces};
use crate::types::{line_starts, Chunk, Layer, LayerKind, Placement};

/// Reads notebooks as cells and text outputs.
pub struct Notebook;

impl Decoder for Notebook {
    fn name(&self) -> &'static str {
        "notebook"
    }

    fn decode(&self, chunk: &Chunk<'_>, out: &mut Pieces) -> Claim {
        if !super::file_name(chunk)
            .to_ascii_lowercase()
            .ends_with(".ipynb")
        {
            return Claim::Pass;
        }
        let Some(root) = json::parse(chunk.bytes) else {
            return Claim::Pass;
        };
        let cells = notebook_cells(&root);
        if cells.is_empty() && root.get("cells").is_none() && root.get("worksheets").is_none() {
            return Claim::Pass;
        }
        let lines = Lines::new(chunk.bytes);
        for (i, cell) in cells.into_iter().enumerate() {
            if !cell_pieces(cell, i as u32 + 1, &lines, out) {
                break;
            }
        }
        Claim::Replace
    }
}

/// The cells: nbformat 4's `cells`, or nbformat 3's cells of every worksheet.
fn notebook_cells<'n, 'a>(root: &'n Node<'a>) -> Vec<&'n Node<'a>> {
    if let Some(cells) = root.get("cells") {
        return cells.items().iter().collect();
    }
    let sheets = root.get("worksheets").map_or(&[][..], |w| w.items());
    sheets
        .iter()
        .flat_map(|s| s.get("cells").map_or(&[][..], |c| c.items()))
        .collect()
}

/// Hands on one cell's source and text outputs; false when a limit stopped it.
fn cell_pieces(cell: &Node<'_>, index: u32, lines: &Lines, out: &mut Pieces) -> bool {
    let execution_count = cell
        .get("execution_count")
        .or_else(|| cell.get("prompt_number"))
        .and_then(Node::as_u32);
    let layer = |output| LayerKind::NotebookCell {
        cell: index,
        execution_count,
        output,
    };
    let source = cell.get("source").or_else(|| cell.get("input"));
    if let Some(text) = source.and_then(|s| text_of(s, lines, false)) {
        if !text.push(layer(None), out) {
            return false;
        }
    }
    let outputs = cell.get("outputs").map_or(&[][..], |o| o.items());
    for (j, output) in outputs.iter().enumerate() {
        for field in output_fields(output) {
            let Some(text) = text_of(field.0, lines, field.1) else {
                continue;
            };
            if !text.push(layer(Some(j as u32 + 1)), out) {
                return false;
            }
        }
    }
    true
}

/// The text fields of one output, each with whether its items are lines without
/// their line breaks (tracebacks).
fn output_fields<'n, 'a>(output: &'n Node<'a>) -> Vec<(&'n Node<'a>, bool)> {
    let mut fields = Vec::new();
    if let Some(tb) = output.get("traceback") {
        fields.push((tb, true));
    }
    if let Some(text) = output.get("text") {
        fields.push((text, false)); // stream (v3, v4) and v3's text/plain
    }
    for (mime, value) in output.get("data").map_or(&[][..], |d| d.members()) {
        if is_text_mime(mime) {
            fields.push((value, false));
        }
    }
    for key in ["html", "json", "javascript", "latex", "markdown"] {
        if let Some(value) = output.get(key) {
            fields.push((value, false)); // nbformat 3 keeps MIME data on the output
        }
    }
    fields
}

/// Whether a MIME type's payload is text worth scanning (not an image, not binary
/// data encoded as base64).
fn is_text_mime(mime: &[u8]) -> bool {
    let Ok(mime) = std::str::from_utf8(mime) else {
        return false;
    };
    if mime.starts_with("image/") {
        return false;
    }
    mime.starts_with("text/")
        || mime == "application/json"
        || mime == "application/javascript"
        || mime.ends_with("+json")
}

/// A text field decoded, with where it sits.
struct Text {
    bytes: Vec<u8>,
    at: Placement,
    lines: (u32, u32),
}

impl Text {
    fn push(self, kind: LayerKind, out: &mut Pieces) -> bool {
        out.push(Piece {
            layer: Layer { kind, at: self.at },
            lines: self.lines,
            bytes: self.bytes,
        })
    }
}

/// The text of a field: a string, a list of strings (lines), or a JSON value
/// (`application/json`, kept as written). `None` when empty.
fn text_of(node: &Node<'_>, lines: &Lines, add_breaks: bool) -> Option<Text> {
    let first = lines.line(node.start);
    let range = (first, lines.line(node.end.saturating_sub(1)) - first + 1);
    let (bytes, one_per_line) = match &node.kind {
        Kind::Str(_) => {
            let t = node.text()?;
            let single = !t.trim_end_matches('\n').contains('\n');
            (t.into_owned().into_bytes(), single)
        }
        Kind::Array(items) => joined(items, lines, add_breaks)?,
        Kind::Object(_) => (lines.bytes[node.start..node.end].to_vec(), true),
        Kind::Scalar(_) => return None,
    };
    if bytes.is_empty() {
        return None;
    }
    let at = match (&node.kind, one_per_line) {
        (Kind::Array(items), true) => Placement::Lines {
            first: items.first().map_or(first, |s| lines.line(s.start)),
        },
        (Kind::Object(_) | Kind::Scalar(_), _) | (Kind::Str(_), true) => Placement::Lines { first },
        (Kind::Array(items), false) => lines.span(items.first().map_or(node.start, |s| s.start)),
        (_, false) => lines.span(node.start),
    };
    Some(Text {
        bytes,
        at,
        lines: range,
    })
}

/// A list of strings joined, and whether each held one line on consecutive
/// lines of the file (so line numbers carry over).
fn joined(items: &[Node<'_>], lines: &Lines, add_breaks: bool) -> Option<(Vec<u8>, bool)> {
    let mut bytes = Vec::new();
    let mut one_per_line = true;
    let first = items.first().map(|s| lines.line(s.start))?;
    for (k, item) in items.iter().enumerate() {
        let text = item.text()?;
        let body = text.strip_suffix('\n').unwrap_or(&text);
        let last = k + 1 == items.len();
        one_per_line &= !body.contains('\n')
            && (last || add_breaks || text.ends_with('\n'))
            && lines.line(item.start) == first + k as u32;
        bytes.extend_from_slice(text.as_bytes());
        if add_breaks && !text.ends_with('\n') && !last {
            bytes.push(b'\n');
        }
    }
    Some((bytes, one_per_line))
}

/// Line numbers of byte offsets in the notebook file.
struct Lines<'a> {
    bytes: &'a [u8],
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(bytes: &'a [u8]) -> Lines<'a> {
        Lines {
            bytes,
            starts: line_starts(bytes),
        }
    }

    /// The 1-based line holding byte `offset`.
    fn line(&self, offset: usize) -> u32 {
        self.starts.partition_point(|&s| s <= offset).max(1) as u32
    }

    /// Where the text of the string whose quote is at `quote` starts.
    fn span(&self, quote: usize) -> Placement {
        let line = self.line(quote);
        let start = self.starts.get(line as usize - 1).copied().unwrap_or(0);
        let before = &self.bytes[start..=quote.min(self.bytes.len().saturating_sub(1))];
        let column = before.iter().filter(|&&b| b & 0xC0 != 0x80).count() as u32 + 1;
        Placement::Span { line, column }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{Decoders, Limits};
    use crate::source::Visit;
    use crate::types::{Location, Origin, SkipReason};
    use std::sync::Arc;

    #[derive(Default)]
    struct Seen(Vec<(String, String)>);
    impl Visit for Seen {
        fn file(&mut self, _: &Arc<Origin>) {}
        fn chunk(&mut self, c: &Chunk<'_>) {
            let text = String::from_utf8_lossy(c.bytes).into_owned();
            self.0.push((c.origin.describe(), text));
        }
        fn skipped(&mut self, _: &Arc<Origin>, _: SkipReason) {}
    }

    fn pieces(path: &str, doc: &str) -> Vec<(String, String)> {
        let d = Decoders::new(vec![Box::new(Notebook)], Limits::default());
        let mut seen = Seen::default();
        let chunk = Chunk::whole(Origin::new(path, Location::File), doc.as_bytes());
        d.expand(&chunk, &mut seen);
        seen.0
    }

    const V4: &str = r##"{
 "cells": [
  {
   "cell_type": "code",
   "execution_count": 2,
   "metadata": {},
   "outputs": [
    {"name": "stdout", "output_type": "stream", "text": ["hello\n", "world\n"]},
    {"data": {"image/png": "iVBORw0KGgo=", "text/plain": ["<Figure>"]},
     "metadata": {}, "output_type": "display_data"}
   ],
   "source": ["import os\n", "print(os.environ)"]
  },
  {"cell_type": "markdown", "metadata": {}, "source": "# Title\nbody"}
 ],
 "metadata": {}, "nbformat": 4, "nbformat_minor": 5
}"##;

    #[test]
    fn cells_and_text_outputs_are_pieces_and_images_are_not() {
        let got = pieces("eval.ipynb", V4);
        let want = [
            ("eval.ipynb cell 1", "import os\nprint(os.environ)"),
            ("eval.ipynb cell 1, output 1", "hello\nworld\n"),
            ("eval.ipynb cell 1, output 2", "<Figure>"),
            ("eval.ipynb cell 2", "# Title\nbody"),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(got, want);
        assert!(!got.iter().any(|(_, t)| t.contains("iVBOR")));
    }

    #[test]
    fn lines_map_back_into_the_file() {
        let root = json::parse(V4.as_bytes()).unwrap();
        let lines = Lines::new(V4.as_bytes());
        let cells = notebook_cells(&root);
        let src = text_of(cells[0].get("source").unwrap(), &lines, false).unwrap();
        assert_eq!(
            src.at,
            Placement::Span {
                line: 12,
                column: 16
            },
            "two lines on one"
        );
        assert_eq!(src.lines, (12, 1));
        let pretty = "{\n \"cells\": [{\n  \"source\": [\n   \"a\\n\",\n   \"b\"\n  ]\n }]\n}";
        let root = json::parse(pretty.as_bytes()).unwrap();
        let cell = notebook_cells(&root)[0];
        let plines = Lines::new(pretty.as_bytes());
        let src = text_of(cell.get("source").unwrap(), &plines, false).unwrap();
        assert_eq!((src.at, src.lines), (Placement::Lines { first: 4 }, (3, 4)));
        assert_eq!(src.bytes, b"a\nb");
        let md = text_of(cells[1].get("source").unwrap(), &lines, false).unwrap();
        assert_eq!(
            md.at,
            Placement::Span {
                line: 14,
                column: 56
            }
        );
    }

    #[test]
    fn nbformat_3_worksheets_and_non_notebooks() {
        let v3 = r#"{"nbformat": 3, "worksheets": [{"cells": [
          {"cell_type": "code", "input": ["x = 1\n"], "prompt_number": 7,
           "outputs": [{"output_type": "pyout", "text": ["1"], "png": "AAAA"},
                       {"output_type": "pyerr", "traceback": ["Traceback", "KeyError: 'k'"]}]}
        ]}]}"#;
        let got = pieces("old.ipynb", v3);
        assert_eq!(got[0], ("old.ipynb cell 1".into(), "x = 1\n".into()));
        assert_eq!(got[1].1, "1");
        assert_eq!(got[2].1, "Traceback\nKeyError: 'k'");
        assert_eq!(got.len(), 3);
        let broken = "{\"cells\": [ <<<<<<< HEAD";
        assert_eq!(
            pieces("x.ipynb", broken),
            vec![("x.ipynb".into(), broken.into())]
        );
        assert_eq!(
            pieces("x.json", V4).len(),
            1,
            "only .ipynb files are notebooks"
        );
    }
}
