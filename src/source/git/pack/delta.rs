//! Git's delta format: a new object written as copies from its base and inserted
//! bytes. Applied here to a base already in memory, so each base is inflated once
//! however many objects are deltas of it.

use anyhow::{bail, Result};

/// The object `delta` makes of `base`. Errors on a delta that does not fit its base
/// (wrong base size, a copy past the end, a result of the wrong size).
pub fn apply(base: &[u8], delta: &[u8]) -> Result<Vec<u8>> {
    let mut at = 0;
    let base_size = varint(delta, &mut at)?;
    let size = varint(delta, &mut at)?;
    if base_size != base.len() as u64 {
        bail!(
            "delta expects a base of {base_size} bytes, got {}",
            base.len()
        );
    }
    let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or(0).min(1 << 30));
    while at < delta.len() {
        let op = delta[at];
        at += 1;
        if op & 0x80 != 0 {
            let (mut offset, mut len) = (0usize, 0usize);
            for i in 0..4 {
                if op & (1 << i) != 0 {
                    offset |= usize::from(*delta.get(at).unwrap_or(&0)) << (8 * i);
                    at += 1;
                }
            }
            for i in 0..3 {
                if op & (0x10 << i) != 0 {
                    len |= usize::from(*delta.get(at).unwrap_or(&0)) << (8 * i);
                    at += 1;
                }
            }
            if len == 0 {
                len = 0x10000;
            }
            let Some(piece) = base.get(offset..offset.saturating_add(len)) else {
                bail!("delta copies past the end of its base");
            };
            out.extend_from_slice(piece);
        } else if op != 0 {
            let Some(piece) = delta.get(at..at + usize::from(op)) else {
                bail!("delta ends inside an insert");
            };
            out.extend_from_slice(piece);
            at += usize::from(op);
        } else {
            bail!("delta has a reserved opcode");
        }
    }
    if at > delta.len() || out.len() as u64 != size {
        bail!(
            "delta result is {} bytes, not the {size} it declares",
            out.len()
        );
    }
    Ok(out)
}

/// A size of the delta header: 7 bits a byte, least significant first.
fn varint(b: &[u8], at: &mut usize) -> Result<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let Some(&c) = b.get(*at) else {
            bail!("delta header is truncated");
        };
        *at += 1;
        v |= u64::from(c & 0x7f) << shift;
        if c & 0x80 == 0 {
            return Ok(v);
        }
    }
    bail!("delta header size is too long")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_and_inserts() {
        let base = b"hello, world\n";
        // base 13, result 18: copy 7 bytes at 0 ("hello, "), insert "there ", copy 6 at 7.
        let mut d = vec![13, 19];
        d.extend([0x80 | 0x10, 7]);
        d.push(6);
        d.extend(b"there ");
        d.extend([0x80 | 0x01 | 0x10, 7, 6]);
        assert_eq!(apply(base, &d).unwrap(), b"hello, there world\n");
    }

    #[test]
    fn a_delta_that_does_not_fit_is_an_error() {
        assert!(apply(b"abc", &[4, 1, 1, b'x']).is_err(), "wrong base size");
        assert!(
            apply(b"abc", &[3, 9, 0x80 | 0x10, 9]).is_err(),
            "copy past the end"
        );
        assert!(
            apply(b"abc", &[3, 5, 3, b'x']).is_err(),
            "insert past the end"
        );
        assert!(
            apply(b"abc", &[3, 2, 1, b'x']).is_err(),
            "result size differs"
        );
        assert!(apply(b"abc", &[3]).is_err(), "truncated header");
    }
}
