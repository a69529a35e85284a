//! A pack's `.idx` file (version 2): object ids in sorted order and each one's offset
//! in the pack, which is all the pack reader needs to find an object and the one
//! that follows it (where its compressed bytes end).

use anyhow::{bail, Context, Result};
use std::path::Path;

/// The ids and offsets of one pack.
pub struct Index {
    /// Object ids, sorted (20 bytes each).
    ids: Vec<u8>,
    /// Each object's offset in the pack, in the order of `ids`.
    offsets: Vec<u64>,
}

impl Index {
    /// Reads a version-2 `.idx` file (SHA-1 ids). Anything else is an error: the
    /// caller then leaves that pack to libgit2.
    pub fn read(path: &Path) -> Result<Index> {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        Self::parse(&bytes)
            .with_context(|| format!("{} is not a pack index we read", path.display()))
    }

    fn parse(b: &[u8]) -> Result<Index> {
        if b.len() < 8 + 256 * 4 || b[..4] != [0xff, b't', b'O', b'c'] || be32(b, 4) != 2 {
            bail!("not a version 2 index");
        }
        let n = be32(b, 8 + 255 * 4) as usize;
        let ids_at = 8 + 256 * 4;
        let offsets_at = ids_at + n * 20 + n * 4;
        let large_at = offsets_at + n * 4;
        if b.len() < large_at + 40 {
            bail!("truncated ({n} objects)");
        }
        let large = &b[large_at..b.len() - 40];
        let mut offsets = Vec::with_capacity(n);
        for i in 0..n {
            let o = be32(b, offsets_at + i * 4);
            if o & 0x8000_0000 == 0 {
                offsets.push(u64::from(o));
            } else {
                let at = (o & 0x7fff_ffff) as usize * 8;
                let Some(v) = large.get(at..at + 8) else {
                    bail!("large offset {at} out of range");
                };
                offsets.push(u64::from_be_bytes(v.try_into().unwrap_or_default()));
            }
        }
        Ok(Index {
            ids: b[ids_at..ids_at + n * 20].to_vec(),
            offsets,
        })
    }

    /// Objects in the pack.
    pub fn len(&self) -> usize {
        self.offsets.len()
    }

    /// The offset of the `i`th object (in id order).
    pub fn offset(&self, i: usize) -> u64 {
        self.offsets[i]
    }

    /// Where `id` is, if this pack holds it.
    pub fn find(&self, id: &[u8]) -> Option<usize> {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.ids[mid * 20..mid * 20 + 20].cmp(id) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_what_is_not_a_version_2_index() {
        assert!(Index::parse(b"").is_err());
        assert!(Index::parse(&[0u8; 2000]).is_err());
        let mut v1 = vec![0xff, b't', b'O', b'c', 0, 0, 0, 1];
        v1.resize(2000, 0);
        assert!(Index::parse(&v1).is_err());
    }

    #[test]
    fn a_count_beyond_the_file_is_an_error_not_a_panic() {
        let mut b = vec![0xff, b't', b'O', b'c', 0, 0, 0, 2];
        b.resize(8 + 256 * 4, 0);
        b[8 + 255 * 4..8 + 256 * 4].copy_from_slice(&1000u32.to_be_bytes());
        assert!(Index::parse(&b).is_err());
    }
}
