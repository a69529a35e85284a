//! A small JSON reader that keeps where every value sits: decoders of JSON
//! containers (notebooks) must say which line of the file a string came from,
//! which a parser into plain values forgets. Strings stay raw (a slice between
//! the quotes) until asked for, so a megabyte of base64 image data costs one
//! pass and no allocation. Nesting is bounded ([`MAX_DEPTH`]): deeper input is
//! refused, not a stack overflow.

use std::borrow::Cow;

/// Deepest nesting read (notebooks nest about six deep).
pub const MAX_DEPTH: usize = 128;

/// A JSON value and the byte range of its text in the input.
#[derive(Debug, Clone)]
pub struct Node<'a> {
    /// What it is.
    pub kind: Kind<'a>,
    /// Offset of its first byte (the quote of a string, the brace of an object).
    pub start: usize,
    /// Offset just past its last byte.
    pub end: usize,
}

/// The kinds of JSON value.
#[derive(Debug, Clone)]
pub enum Kind<'a> {
    /// An object's members in order (keys raw, as [`Kind::Str`] holds them).
    Object(Vec<(&'a [u8], Node<'a>)>),
    /// An array's items.
    Array(Vec<Node<'a>>),
    /// A string's raw bytes between the quotes (escapes not yet undone).
    Str(&'a [u8]),
    /// A number, `true`, `false` or `null`, as written.
    Scalar(&'a [u8]),
}

impl<'a> Node<'a> {
    /// The member `key` of an object (keys are compared raw: the keys a decoder
    /// asks for have no escapes).
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        match &self.kind {
            Kind::Object(members) => members
                .iter()
                .find(|(k, _)| *k == key.as_bytes())
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The object's members, or none.
    pub fn members(&self) -> &[(&'a [u8], Node<'a>)] {
        match &self.kind {
            Kind::Object(m) => m,
            _ => &[],
        }
    }

    /// The array's items, or none.
    pub fn items(&self) -> &[Node<'a>] {
        match &self.kind {
            Kind::Array(items) => items,
            _ => &[],
        }
    }

    /// The string's text with escapes undone; `None` for other kinds.
    pub fn text(&self) -> Option<Cow<'a, str>> {
        match self.kind {
            Kind::Str(raw) => Some(unescape(raw)),
            _ => None,
        }
    }

    /// Whether this is the string `s` (raw comparison).
    pub fn is_str(&self, s: &str) -> bool {
        matches!(self.kind, Kind::Str(raw) if raw == s.as_bytes())
    }

    /// A number as an unsigned integer.
    pub fn as_u32(&self) -> Option<u32> {
        match self.kind {
            Kind::Scalar(raw) => std::str::from_utf8(raw).ok()?.parse().ok(),
            _ => None,
        }
    }
}

/// Parses `bytes` as one JSON value (surrounding white space allowed); `None`
/// when they are not JSON or nest deeper than [`MAX_DEPTH`].
pub fn parse(bytes: &[u8]) -> Option<Node<'_>> {
    let mut p = Parser { bytes, at: 0 };
    let node = p.value(0)?;
    p.space();
    (p.at == bytes.len()).then_some(node)
}

struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Parser<'a> {
    fn space(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Option<Node<'a>> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.space();
        let start = self.at;
        let kind = match *self.bytes.get(self.at)? {
            b'{' => self.object(depth)?,
            b'[' => self.array(depth)?,
            b'"' => Kind::Str(self.string()?),
            _ => self.scalar()?,
        };
        Some(Node {
            kind,
            start,
            end: self.at,
        })
    }

    fn object(&mut self, depth: usize) -> Option<Kind<'a>> {
        self.at += 1;
        let mut members = Vec::new();
        self.space();
        if self.eat(b'}') {
            return Some(Kind::Object(members));
        }
        loop {
            self.space();
            if self.bytes.get(self.at) != Some(&b'"') {
                return None;
            }
            let key = self.string()?;
            self.space();
            if !self.eat(b':') {
                return None;
            }
            members.push((key, self.value(depth + 1)?));
            self.space();
            if self.eat(b'}') {
                return Some(Kind::Object(members));
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<Kind<'a>> {
        self.at += 1;
        let mut items = Vec::new();
        self.space();
        if self.eat(b']') {
            return Some(Kind::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.space();
            if self.eat(b']') {
                return Some(Kind::Array(items));
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    /// The raw bytes of the string at `self.at` (its opening quote).
    fn string(&mut self) -> Option<&'a [u8]> {
        let open = self.at + 1;
        let mut i = open;
        loop {
            i += memchr::memchr2(b'"', b'\\', self.bytes.get(i..)?)?;
            if self.bytes[i] == b'\\' {
                i += 2;
                continue;
            }
            self.at = i + 1;
            return Some(&self.bytes[open..i]);
        }
    }

    fn scalar(&mut self) -> Option<Kind<'a>> {
        let start = self.at;
        while let Some(b) = self.bytes.get(self.at) {
            if !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.')) {
                break;
            }
            self.at += 1;
        }
        (self.at > start).then(|| Kind::Scalar(&self.bytes[start..self.at]))
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.bytes.get(self.at) == Some(&b);
        self.at += hit as usize;
        hit
    }
}

/// A JSON string's raw bytes with escapes undone (a bad escape is kept as
/// written; invalid UTF-8 and lone surrogates become U+FFFD).
pub fn unescape(raw: &[u8]) -> Cow<'_, str> {
    if memchr::memchr(b'\\', raw).is_none() {
        return String::from_utf8_lossy(raw);
    }
    let mut out: Vec<u8> = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if b != b'\\' || i + 1 >= raw.len() {
            out.push(b);
            i += 1;
            continue;
        }
        let simple = match raw[i + 1] {
            b'n' => Some(b'\n'),
            b't' => Some(b'\t'),
            b'r' => Some(b'\r'),
            b'b' => Some(8),
            b'f' => Some(12),
            b'/' => Some(b'/'),
            b'\\' => Some(b'\\'),
            b'"' => Some(b'"'),
            _ => None,
        };
        if let Some(c) = simple {
            out.push(c);
            i += 2;
            continue;
        }
        match unicode_escape(raw, i) {
            Some((c, len)) => {
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                i += len;
            }
            None => {
                out.push(b'\\');
                i += 1;
            }
        }
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// The character of a `\uXXXX` escape (a surrogate pair when two follow) at `i`,
/// and the bytes it took.
fn unicode_escape(raw: &[u8], i: usize) -> Option<(char, usize)> {
    let unit = |at: usize| -> Option<u16> {
        let hex = raw.get(at..at + 6)?;
        if &hex[..2] != b"\\u" {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&hex[2..]).ok()?, 16).ok()
    };
    let first = unit(i)?;
    if (0xD800..0xDC00).contains(&first) {
        if let Some(second) = unit(i + 6).filter(|u| (0xDC00..0xE000).contains(u)) {
            let c = char::decode_utf16([first, second]).next()?.ok()?;
            return Some((c, 12));
        }
    }
    Some((char::from_u32(first as u32).unwrap_or('\u{FFFD}'), 6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_offsets_and_undoes_escapes_on_demand() {
        let doc = br#" {"a": ["x\n", "caf\u00e9 \ud83d\ude00 \"q\""], "n": 12, "o": {}} "#;
        let root = parse(doc).unwrap();
        let items = root.get("a").unwrap().items();
        assert_eq!(items[0].text().unwrap(), "x\n");
        assert_eq!(items[1].text().unwrap(), "café 😀 \"q\"");
        assert_eq!(&doc[items[0].start..items[0].end], br#""x\n""#);
        assert_eq!(root.get("n").unwrap().as_u32(), Some(12));
        assert!(root.get("o").unwrap().members().is_empty());
        assert!(root.get("missing").is_none());
    }

    #[test]
    fn refuses_broken_and_too_deep_input() {
        assert!(parse(b"{\"a\": [1, 2}").is_none());
        assert!(parse(b"{\"a\": \"unterminated}").is_none());
        assert!(parse(b"[1] trailing").is_none());
        let deep = "[".repeat(MAX_DEPTH + 5) + &"]".repeat(MAX_DEPTH + 5);
        assert!(parse(deep.as_bytes()).is_none());
        assert!(parse(b"[[[]]]").is_some());
    }
}
