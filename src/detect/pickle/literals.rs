//! The text literals of protocol 0, parsed as `Modules/_pickle.c` parses them
//! (not as `pickletools` does): `INT` with C's `strtol(s, NULL, 0)` and a Python
//! `int(s, 0)` fallback, `LONG` with `int(s, 0)`, `STRING` with Python's bytes
//! escapes, `UNICODE` with `raw-unicode-escape`. A scanner that rejects `I0x1f`
//! stops where CPython goes on, and misses what follows.

/// The value of an `INT` line (without its newline), or `None` when CPython
/// rejects it. `Some(None)` is an integer too large for 64 bits.
pub fn int(line: &[u8]) -> Option<Option<i64>> {
    strtol_base0(line).map(Some).or_else(|| python_int(line))
}

/// The value of a `LONG` line (without its newline; a trailing `L` is dropped).
pub fn long(line: &[u8]) -> Option<Option<i64>> {
    let line = line.strip_suffix(b"L").unwrap_or(line);
    python_int(line)
}

/// Whether a `FLOAT` line parses as CPython's `PyOS_string_to_double` would.
pub fn float(line: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(line) else {
        return false;
    };
    !s.is_empty() && !s.starts_with(char::is_whitespace) && s.parse::<f64>().is_ok()
}

/// C `strtol` in base 0 consuming the whole line: optional leading whitespace and
/// sign, `0x` hex, a leading `0` for octal, else decimal. `None` on overflow or
/// trailing bytes.
fn strtol_base0(line: &[u8]) -> Option<i64> {
    let mut i = line
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(line.len());
    let negative = match line.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let rest = &line[i..];
    let (radix, digits) = match rest {
        [b'0', b'x' | b'X', d, ..] if d.is_ascii_hexdigit() => (16, &rest[2..]),
        [b'0', ..] => (8, rest),
        _ => (10, rest),
    };
    if digits.is_empty() {
        return None;
    }
    let mut value: i64 = 0;
    for &b in digits {
        let d = (b as char).to_digit(radix)? as i64;
        value = value.checked_mul(radix as i64)?.checked_add(d)?;
    }
    Some(if negative { -value } else { value })
}

/// Python's `int(s, 0)`: surrounding whitespace, a sign, `0x`/`0o`/`0b`
/// prefixes, `_` between digits, and no leading zeros in decimal.
fn python_int(line: &[u8]) -> Option<Option<i64>> {
    let s = std::str::from_utf8(line).ok()?.trim();
    let (negative, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = s.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d.trim_start_matches('_'))
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d.trim_start_matches('_'))
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d.trim_start_matches('_'))
    } else {
        if lower.len() > 1
            && lower.starts_with('0')
            && lower.bytes().any(|b| b != b'0' && b != b'_')
        {
            return None;
        }
        (10, lower.as_str())
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let mut value: Option<i64> = Some(0);
    for c in digits.chars().filter(|&c| c != '_') {
        let d = c.to_digit(radix)? as i64;
        value = value
            .and_then(|v| v.checked_mul(radix as i64))
            .and_then(|v| v.checked_add(d));
    }
    Some(value.map(|v| if negative { -v } else { v }))
}

/// A `STRING` argument (without its newline): quoted with matching `'` or `"`,
/// escapes decoded as `PyBytes_DecodeEscape` does. `None` when CPython rejects it.
pub fn string(line: &[u8]) -> Option<Vec<u8>> {
    let quoted =
        line.len() >= 2 && line[0] == line[line.len() - 1] && (line[0] == b'\'' || line[0] == b'"');
    if !quoted {
        return None;
    }
    decode_escapes(&line[1..line.len() - 1])
}

fn decode_escapes(s: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        i += 1;
        if b != b'\\' {
            out.push(b);
            continue;
        }
        let Some(&e) = s.get(i) else {
            return None; // a trailing backslash
        };
        i += 1;
        match e {
            b'\n' => {}
            b'\\' | b'\'' | b'"' => out.push(e),
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(11),
            b'0'..=b'7' => {
                let mut v = (e - b'0') as u32;
                for _ in 0..2 {
                    match s.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            v = v * 8 + (d - b'0') as u32;
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push(v as u8);
            }
            b'x' => {
                let hex = s.get(i..i + 2)?;
                let v = u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
                out.push(v);
                i += 2;
            }
            other => {
                out.push(b'\\');
                out.push(other);
            }
        }
    }
    Some(out)
}

/// A `UNICODE` argument (without its newline) decoded as `raw-unicode-escape`:
/// `\uXXXX` and `\UXXXXXXXX` escapes, every other byte as Latin-1.
pub fn raw_unicode_escape(line: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < line.len() {
        let b = line[i];
        let width = match (b, line.get(i + 1)) {
            (b'\\', Some(b'u')) => 4,
            (b'\\', Some(b'U')) => 8,
            _ => 0,
        };
        if width == 0 {
            out.push(b as char);
            i += 1;
            continue;
        }
        let hex = std::str::from_utf8(line.get(i + 2..i + 2 + width)?).ok()?;
        let code = u32::from_str_radix(hex, 16).ok()?;
        out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
        i += 2 + width;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_accepts_what_c_accepts() {
        assert_eq!(int(b"42"), Some(Some(42)));
        assert_eq!(int(b"0x1f"), Some(Some(31)));
        assert_eq!(
            int(b"010"),
            Some(Some(8)),
            "strtol reads a leading 0 as octal"
        );
        assert_eq!(int(b" -7"), Some(Some(-7)));
        assert_eq!(int(b"0o17"), Some(Some(15)), "the int(s, 0) fallback");
        assert_eq!(int(b"1_000"), Some(Some(1000)));
        assert_eq!(int(b"99999999999999999999999"), Some(None));
        assert_eq!(int(b"12ab"), None);
        assert_eq!(int(b""), None);
    }

    #[test]
    fn long_is_python_int_base_0() {
        assert_eq!(long(b"123L"), Some(Some(123)));
        assert_eq!(long(b"0x10"), Some(Some(16)));
        assert_eq!(long(b"010"), None);
        assert_eq!(long(b"00"), Some(Some(0)));
    }

    #[test]
    fn strings_are_quoted_and_unescaped() {
        assert_eq!(string(b"'os'").unwrap(), b"os");
        assert_eq!(string(b"\"o\\x73\"").unwrap(), b"os");
        assert_eq!(string(b"'\\157s'").unwrap(), b"os");
        assert_eq!(string(b"'a\\qb'").unwrap(), b"a\\qb");
        assert!(string(b"os").is_none());
        assert!(string(b"'os\"").is_none());
        assert_eq!(raw_unicode_escape(b"\\u006fs").unwrap(), "os");
    }

    #[test]
    fn floats() {
        assert!(float(b"1.5"));
        assert!(float(b"inf"));
        assert!(!float(b"1.5x"));
    }
}
