//! NumPy `.npy` files (format versions 1, 2 and 3) and so `.npz` members.
//!
//! A `.npy` file is a magic string, a version, a header length (2 bytes in
//! version 1, 4 in versions 2 and 3) and a header that is a Python dict literal
//! (`{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }`). When the dtype
//! holds Python objects (`'|O'`, alone or as a field of a structured dtype),
//! `numpy.load(allow_pickle=True)` unpickles the data that follows the header.

use crate::detect::{pickle, Ctx, Layer};

/// Where the data of a `.npy` file starts, and whether its dtype holds objects;
/// `None` when the header is malformed (NumPy refuses the file).
pub fn header(bytes: &[u8]) -> Option<(usize, bool)> {
    let major = *bytes.get(6)?;
    let (len, start): (usize, usize) = match major {
        1 => (
            u16::from_le_bytes(bytes.get(8..10)?.try_into().ok()?) as usize,
            10,
        ),
        2 | 3 => (
            u32::from_le_bytes(bytes.get(8..12)?.try_into().ok()?) as usize,
            12,
        ),
        _ => return None,
    };
    let end = start.checked_add(len)?;
    let header = bytes.get(start..end)?;
    Some((end, descr_has_object(header)))
}

/// Whether the `descr` of a header names an object type anywhere: a quoted type
/// string `O`, `|O`, `<O8`, ... (a field merely named `O` also counts: the data
/// is then judged as a pickle, which costs nothing if it is not one).
fn descr_has_object(header: &[u8]) -> bool {
    let Some(at) = memchr::memmem::find(header, b"descr") else {
        return false;
    };
    let after = &header[at + 5..];
    let Some(colon) = memchr::memchr(b':', after) else {
        return false;
    };
    let value = &after[colon + 1..];
    let end = ["fortran_order", "shape"]
        .iter()
        .filter_map(|key| memchr::memmem::find(value, key.as_bytes()))
        .min()
        .unwrap_or(value.len());
    let mut rest = &value[..end.saturating_sub(1)];
    while let Some(q) = rest.iter().position(|&b| b == b'\'' || b == b'"') {
        let quote = rest[q];
        let body = &rest[q + 1..];
        let Some(close) = body.iter().position(|&b| b == quote) else {
            return false;
        };
        let s = &body[..close];
        let s = s
            .strip_prefix(b"|")
            .or(s.strip_prefix(b"<"))
            .or(s.strip_prefix(b">"))
            .or(s.strip_prefix(b"="))
            .unwrap_or(s);
        if s.first() == Some(&b'O') && s[1..].iter().all(u8::is_ascii_digit) {
            return true;
        }
        rest = &body[close + 1..];
    }
    false
}

/// Judges a `.npy` file: an object array's data as pickle streams.
pub(crate) fn judge(bytes: &[u8], ctx: &mut Ctx<'_>) {
    match header(bytes) {
        Some((start, true)) => {
            let data = &bytes[start..];
            ctx.within(Layer::Step("object array data".into()), |ctx| {
                pickle::judge_streams(data, ctx)
            });
        }
        Some((_, false)) => {}
        None => ctx.unjudged("a .npy header NumPy cannot read"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npy(major: u8, header: &str) -> Vec<u8> {
        let mut out = b"\x93NUMPY".to_vec();
        out.push(major);
        out.push(0);
        if major == 1 {
            out.extend_from_slice(&(header.len() as u16).to_le_bytes());
        } else {
            out.extend_from_slice(&(header.len() as u32).to_le_bytes());
        }
        out.extend_from_slice(header.as_bytes());
        out
    }

    #[test]
    fn object_dtypes_in_every_version() {
        let h = "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }\n";
        for major in [1, 2, 3] {
            let f = npy(major, h);
            assert_eq!(header(&f), Some((f.len(), true)), "version {major}");
        }
        let plain = npy(
            1,
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n",
        );
        assert!(!header(&plain).unwrap().1);
        let structured = npy(
            1,
            "{'descr': [('a', '<i4'), ('b', '|O')], 'fortran_order': False, 'shape': (1,), }",
        );
        assert!(header(&structured).unwrap().1);
        assert!(header(&npy(4, h)).is_none());
        assert!(header(b"\x93NUMPY\x01\x00\xff\xff{").is_none());
    }
}
