//! A reader for git's index file that is fast enough for a pre-commit hook.
//!
//! libgit2 verifies the index's SHA-1 trailer with the collision-detecting SHA-1 on
//! every read; on a 100k-file repository that alone costs more than our whole time
//! budget, and git itself does not do it on ordinary reads. This reader parses the
//! entries (versions 2, 3 and 4) and the cache-tree extension (`TREE`), which lets
//! the staged diff skip every directory whose tree is unchanged. It reads, never
//! writes. A split or sparse index is refused by name with a workaround that
//! sticks ([`Unsupported`]); an unknown required extension is an error too.

use anyhow::{bail, Context, Result};
use git2::Oid;
use std::path::Path;

const OID_LEN: usize = 20;

/// The smallest entry on disk (version 2 and 3: 62 fixed bytes and a NUL; version
/// 4 entries are smaller: 40 fixed bytes, a varint and a NUL).
const MIN_ENTRY: usize = 42;

/// The deepest cache tree read (git paths are at most 4096 bytes, so at most
/// 2048 directories deep): bounds the recursion on a hostile index.
const MAX_TREE_DEPTH: usize = 2048;

/// One index entry (stage 0). Its path lives in [`Index::paths`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Where the path starts in [`Index::paths`], and its length.
    pub path: (usize, usize),
    /// Git file mode (`0o100644`, `0o120000`, `0o160000`, ...).
    pub mode: u32,
    /// The staged blob (or commit, for a gitlink).
    pub oid: Oid,
}

/// A node of the cache tree: a directory and, when valid, the tree id its index
/// entries would write.
#[derive(Debug, Clone, Default)]
pub struct CacheTree {
    /// Directory name (empty for the root).
    pub name: Vec<u8>,
    /// The tree id, if this node is valid (nothing under it changed since written).
    pub oid: Option<Oid>,
    /// Subdirectories.
    pub children: Vec<CacheTree>,
}

impl Index {
    /// The repository-relative path of an entry, `/`-separated.
    pub fn path(&self, e: &Entry) -> &[u8] {
        &self.paths[e.path.0..e.path.0 + e.path.1]
    }
}

impl CacheTree {
    /// The child named `name`.
    pub fn child(&self, name: &[u8]) -> Option<&CacheTree> {
        self.children.iter().find(|c| c.name == name)
    }
}

/// The parsed index.
#[derive(Debug, Default)]
pub struct Index {
    /// Stage-0 entries, sorted by path as git stores them.
    pub entries: Vec<Entry>,
    /// Every entry's path, back to back (one allocation, not one per entry).
    pub paths: Vec<u8>,
    /// The cache tree, if the index has one.
    pub tree: Option<CacheTree>,
}

/// Reads the index at `path`.
pub fn read(path: &Path) -> Result<Index> {
    let data = std::fs::read(path)
        .with_context(|| format!("cannot read the git index {}", path.display()))?;
    parse(&data).map_err(|e| {
        let what = if e.is::<Unsupported>() {
            "is in a format leakgate cannot read"
        } else {
            "is corrupt"
        };
        e.context(format!("the git index {} {what}", path.display()))
    })
}

/// An index that is sound but in a format this reader does not handle (split or
/// sparse): refused by name with a workaround, never called corrupt.
#[derive(Debug)]
pub struct Unsupported(&'static str);

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Unsupported {}

/// Why a split index is refused, and how to turn it off for good (`core.splitIndex`
/// would split the index again on the next write).
const SPLIT: &str = "it is a split index (core.splitIndex), which leakgate cannot read yet; \
     turn it off for good with `git config core.splitIndex false && git update-index --no-split-index`";

/// Why a sparse index is refused, and how to turn it off (the command records
/// `index.sparse = false`, so it sticks; the sparse checkout itself stays).
const SPARSE: &str = "it is a sparse index (index.sparse), which leakgate cannot read yet; \
     turn it off for good with `git sparse-checkout reapply --no-sparse-index` (the sparse checkout stays as it is)";

/// Parses index bytes.
pub fn parse(data: &[u8]) -> Result<Index> {
    let mut r = Reader { data, pos: 0 };
    if data.len() < 12 + OID_LEN || r.take(4)? != b"DIRC" {
        bail!("not an index file (bad signature)");
    }
    let version = r.u32()?;
    if !(2..=4).contains(&version) {
        bail!("unsupported index version {version}");
    }
    let count = r.u32()? as usize;
    let end = data.len() - OID_LEN;
    // Every size below comes from the file: none may allocate more than the file
    // could hold, so a corrupt count is an error, not a 100 GB allocation.
    if count > data.len() / MIN_ENTRY {
        bail!(
            "it declares {count} entries but its {} bytes can hold at most {}",
            data.len(),
            data.len() / MIN_ENTRY
        );
    }
    let mut index = Index {
        entries: Vec::with_capacity(count),
        paths: Vec::with_capacity(data.len() / 2),
        tree: None,
    };
    let mut prev: Vec<u8> = Vec::new();
    for _ in 0..count {
        index
            .entries
            .extend(read_entry(&mut r, version, &mut prev, &mut index.paths)?);
    }
    while r.pos < end {
        let sig: [u8; 4] = r.take(4)?.try_into().unwrap();
        let len = r.u32()? as usize;
        let body = r.take(len)?;
        match &sig {
            b"TREE" => index.tree = Some(parse_tree(body)?),
            b"link" => return Err(Unsupported(SPLIT).into()),
            b"sdir" => return Err(Unsupported(SPARSE).into()),
            s if s[0].is_ascii_uppercase() => {} // optional extension: ignore
            s => bail!(
                "it needs the extension `{}`, which this leakgate does not know",
                String::from_utf8_lossy(s)
            ),
        }
    }
    if r.pos != end {
        bail!("entries overrun the checksum");
    }
    Ok(index)
}

/// Reads one entry: `None` for entries that stage no content (conflict stages,
/// which git refuses to commit, and `git add -N` intent-to-add entries).
fn read_entry(
    r: &mut Reader<'_>,
    version: u32,
    prev: &mut Vec<u8>,
    paths: &mut Vec<u8>,
) -> Result<Option<Entry>> {
    let start = r.pos;
    r.take(24)?; // ctime, mtime, dev, ino
    let mode = r.u32()?;
    r.take(12)?; // uid, gid, size
    let oid = Oid::from_bytes(r.take(OID_LEN)?)?;
    let flags = r.u16()?;
    let extended = flags & 0x4000 != 0;
    let mut intent_to_add = false;
    if extended {
        if version < 3 {
            bail!("extended flags in a version 2 index");
        }
        let ext = r.u16()?;
        intent_to_add = ext & 0x2000 != 0;
    }
    let stage = (flags >> 12) & 0x3;
    let path = if version == 4 {
        let strip = r.varint()?;
        if strip > prev.len() {
            bail!("bad path compression");
        }
        prev.truncate(prev.len() - strip);
        prev.extend_from_slice(r.until_nul()?);
        prev.as_slice()
    } else {
        let name_len = (flags & 0xFFF) as usize;
        let path = if name_len < 0xFFF {
            r.take(name_len)?
        } else {
            r.until_nul_peek()?
        };
        // The entry is padded with 1 to 8 NULs to a multiple of 8 bytes.
        let fixed = if extended { 64 } else { 62 };
        r.pos = start + ((fixed + path.len() + 8) & !7);
        if r.pos > r.data.len() {
            bail!("entry runs past the end");
        }
        path
    };
    if stage != 0 || intent_to_add {
        return Ok(None);
    }
    let start = paths.len();
    paths.extend_from_slice(path);
    Ok(Some(Entry {
        path: (start, path.len()),
        mode,
        oid,
    }))
}

/// The cache tree: nodes in pre-order, each `name NUL count SP subtrees LF
/// [oid]` followed by its children. Read with an explicit stack, not recursion,
/// so a hostile nesting cannot overflow the thread's stack.
fn parse_tree(mut body: &[u8]) -> Result<CacheTree> {
    // Each open node with the number of children it still expects.
    let mut open: Vec<(CacheTree, usize)> = Vec::new();
    loop {
        let (node, subtrees) = parse_tree_node(&mut body)?;
        if open.len() >= MAX_TREE_DEPTH {
            bail!("bad cache tree (nested over {MAX_TREE_DEPTH} directories deep)");
        }
        open.push((node, subtrees));
        // Close every node whose children are all read.
        while let Some((_, 0)) = open.last() {
            let (done, _) = open.pop().expect("just looked");
            match open.last_mut() {
                Some((parent, left)) => {
                    parent.children.push(done);
                    *left -= 1;
                }
                None => return Ok(done),
            }
        }
    }
}

/// One node's own fields, and how many subtrees follow it.
fn parse_tree_node(body: &mut &[u8]) -> Result<(CacheTree, usize)> {
    let nul = memchr::memchr(0, body).context("bad cache tree")?;
    let name = body[..nul].to_vec();
    *body = &body[nul + 1..];
    let lf = memchr::memchr(b'\n', body).context("bad cache tree")?;
    let line = std::str::from_utf8(&body[..lf]).context("bad cache tree")?;
    *body = &body[lf + 1..];
    let (count, subtrees) = line.split_once(' ').context("bad cache tree")?;
    let count: i64 = count.parse().context("bad cache tree")?;
    let subtrees: usize = subtrees.parse().context("bad cache tree")?;
    let oid = if count >= 0 {
        if body.len() < OID_LEN {
            bail!("bad cache tree");
        }
        let oid = Oid::from_bytes(&body[..OID_LEN])?;
        *body = &body[OID_LEN..];
        Some(oid)
    } else {
        None
    };
    // A child takes at least 6 bytes (`NUL-1 0LF`): more cannot be there.
    if subtrees > body.len() / 6 {
        bail!("bad cache tree (declares {subtrees} subtrees)");
    }
    let node = CacheTree {
        name,
        oid,
        children: Vec::with_capacity(subtrees),
    };
    Ok((node, subtrees))
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.data.len());
        let Some(end) = end else { bail!("truncated") };
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_be_bytes(self.take(4)?.try_into().unwrap()))
    }

    fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_be_bytes(self.take(2)?.try_into().unwrap()))
    }

    /// Bytes up to a NUL, consuming the NUL.
    fn until_nul(&mut self) -> Result<&'a [u8]> {
        let rest = &self.data[self.pos..];
        let n = memchr::memchr(0, rest).context("unterminated path")?;
        self.pos += n + 1;
        Ok(&rest[..n])
    }

    /// Bytes up to a NUL, leaving the position after them (padding follows).
    fn until_nul_peek(&mut self) -> Result<&'a [u8]> {
        let rest = &self.data[self.pos..];
        let n = memchr::memchr(0, rest).context("unterminated path")?;
        self.pos += n;
        Ok(&rest[..n])
    }

    /// Git's offset varint (used by index v4 path compression).
    fn varint(&mut self) -> Result<usize> {
        let mut b = self.take(1)?[0];
        let mut v = (b & 0x7F) as usize;
        while b & 0x80 != 0 {
            b = self.take(1)?[0];
            v = v
                .checked_add(1)
                .and_then(|v| v.checked_mul(128))
                .context("bad path compression (varint overflows)")?
                | (b & 0x7F) as usize;
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An index with no entries, the given count and extensions, and a fake trailer.
    fn index(count: u32, extensions: &[u8]) -> Vec<u8> {
        let mut v = b"DIRC".to_vec();
        v.extend(2u32.to_be_bytes());
        v.extend(count.to_be_bytes());
        v.extend_from_slice(extensions);
        v.extend([0u8; OID_LEN]);
        v
    }

    fn extension(sig: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut v = sig.to_vec();
        v.extend((body.len() as u32).to_be_bytes());
        v.extend_from_slice(body);
        v
    }

    #[test]
    fn an_empty_index_parses() {
        let i = parse(&index(0, &[])).unwrap();
        assert!(i.entries.is_empty() && i.tree.is_none());
    }

    #[test]
    fn a_huge_entry_count_is_an_error_not_an_allocation() {
        let err = parse(&index(u32::MAX, &[])).unwrap_err().to_string();
        assert!(err.contains("declares 4294967295 entries"), "{err}");
    }

    #[test]
    fn a_hostile_cache_tree_is_an_error() {
        let mut deep = Vec::new();
        for _ in 0..100_000 {
            deep.extend_from_slice(b"a\0-1 1\n");
        }
        deep.extend_from_slice(b"a\0-1 0\n");
        let err = parse(&index(0, &extension(b"TREE", &deep))).unwrap_err();
        assert!(format!("{err:#}").contains("deep"), "{err:#}");
        let wide = extension(b"TREE", b"\0-1 4000000000\n");
        let err = parse(&index(0, &wide)).unwrap_err();
        assert!(format!("{err:#}").contains("subtrees"), "{err:#}");
        let fine = extension(b"TREE", b"\0-1 1\nsub\0-1 0\n");
        let tree = parse(&index(0, &fine)).unwrap().tree.unwrap();
        assert_eq!(tree.children[0].name, b"sub");
    }

    #[test]
    fn an_overflowing_varint_is_an_error() {
        let mut r = Reader {
            data: &[0xFF; 32],
            pos: 0,
        };
        assert!(r.varint().is_err());
    }
}
