//! A reader for git's index file that is fast enough for a pre-commit hook.
//!
//! libgit2 verifies the index's SHA-1 trailer with the collision-detecting SHA-1 on
//! every read; on a 100k-file repository that alone costs more than our whole time
//! budget, and git itself does not do it on ordinary reads. This reader parses the
//! entries (versions 2, 3 and 4) and the cache-tree extension (`TREE`), which lets
//! the staged diff skip every directory whose tree is unchanged. It reads, never
//! writes. An index it does not handle (split or sparse index, SHA-256 repository,
//! unknown required extension) yields `Ok(None)` and the caller falls back to
//! libgit2.

use anyhow::{bail, Context, Result};
use git2::Oid;
use std::path::Path;

const OID_LEN: usize = 20;

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
    parse(&data).with_context(|| format!("the git index {} is corrupt", path.display()))
}

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
            b"link" => bail!(
                "it is a split index (core.splitIndex), which leakgate cannot read yet; \
                 run `git update-index --no-split-index` to turn it off"
            ),
            b"sdir" => bail!(
                "it is a sparse index (index.sparse), which leakgate cannot read yet; \
                 run `git sparse-checkout set --no-sparse-index` to turn it off"
            ),
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

fn parse_tree(mut body: &[u8]) -> Result<CacheTree> {
    let (root, _) = parse_tree_node(&mut body)?;
    Ok(root)
}

/// One node in pre-order: `name NUL count SP subtrees LF [oid]`, then its children.
fn parse_tree_node(body: &mut &[u8]) -> Result<(CacheTree, ())> {
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
    let mut node = CacheTree {
        name,
        oid,
        children: Vec::with_capacity(subtrees),
    };
    for _ in 0..subtrees {
        node.children.push(parse_tree_node(body)?.0);
    }
    Ok((node, ()))
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
            v = ((v + 1) << 7) | (b & 0x7F) as usize;
        }
        Ok(v)
    }
}
