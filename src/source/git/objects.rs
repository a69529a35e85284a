//! Reading objects so that a corrupt one cannot hang a hook.
//!
//! libgit2 (1.9) spins forever inflating a truncated loose object: its inflate
//! loop waits for input that never comes, so `git commit` would never return. Every
//! object the git sources read goes through [`Objects`] first: a loose object is
//! read from its file and inflated here with `flate2`, in one call over the whole
//! file, into a buffer no larger than the size its header declares; a stream that
//! ends early, runs past its declared size or does not inflate is an error naming
//! the object and its file (exit 2, fail closed). Loose blobs are handed on from
//! that buffer, so nothing is inflated twice; packed objects (whose pack has its
//! own checksums and index) and loose trees and commits once checked are read by
//! libgit2. Before libgit2 walks a commit graph or peels refs by itself (history,
//! pre-receive, pre-push), every loose commit, tag and tree is checked
//! ([`Objects::check_loose_graph`]).
//!
//! The object directories are those git uses: `GIT_OBJECT_DIRECTORY` (a push's
//! quarantine) or `$GIT_DIR/objects`, then `GIT_ALTERNATE_OBJECT_DIRECTORIES` and
//! `objects/info/alternates`.

use anyhow::{bail, Context, Result};
use flate2::{Decompress, FlushDecompress, Status};
use git2::{Blob, Commit, Oid, Repository, Tree};
use std::path::{Path, PathBuf};

/// The largest object header (`blob 18446744073709551615\0` fits easily).
const HEADER_MAX: usize = 64;

/// A repository's objects, read through the loose-object guard.
pub struct Objects<'r> {
    repo: &'r Repository,
    dirs: Vec<PathBuf>,
}

/// A blob's content: inflated here from a loose object, or read by libgit2.
pub enum Content<'r> {
    /// A loose blob, inflated and checked here.
    Loose(Vec<u8>),
    /// A packed blob, read by libgit2.
    Stored(Blob<'r>),
}

impl Content<'_> {
    /// The blob's bytes.
    pub fn bytes(&self) -> &[u8] {
        match self {
            Content::Loose(v) => v,
            Content::Stored(b) => b.content(),
        }
    }
}

impl<'r> Objects<'r> {
    /// The objects of `repo`, with the object directories git would search.
    pub fn new(repo: &'r Repository) -> Objects<'r> {
        Objects {
            repo,
            dirs: object_dirs(repo),
        }
    }

    /// The repository.
    pub fn repo(&self) -> &'r Repository {
        self.repo
    }

    /// The blob `id`: `Ok(None)` if it is larger than `limit` bytes (not inflated).
    pub fn blob(&self, id: Oid, limit: u64) -> Result<Option<Content<'r>>> {
        if let Some(file) = self.loose_file(id) {
            return match inflate(&file, limit).with_context(|| corrupt(id, &file))? {
                Some((kind, data)) if kind == b"blob" => Ok(Some(Content::Loose(data))),
                Some((kind, _)) => bail!(
                    "object {id} is a {}, not a blob",
                    String::from_utf8_lossy(&kind)
                ),
                None => Ok(None),
            };
        }
        let (size, _) = self
            .repo
            .odb()
            .and_then(|odb| odb.read_header(id))
            .with_context(|| missing(id))?;
        if size as u64 > limit {
            return Ok(None);
        }
        let blob = self.repo.find_blob(id).with_context(|| missing(id))?;
        Ok(Some(Content::Stored(blob)))
    }

    /// The blob `id`, whatever its size.
    pub fn whole_blob(&self, id: Oid) -> Result<Content<'r>> {
        Ok(self.blob(id, u64::MAX)?.expect("no blob is over u64::MAX"))
    }

    /// The tree `id`, its loose file checked first.
    pub fn tree(&self, id: Oid) -> Result<Tree<'r>> {
        self.check(id)?;
        self.repo.find_tree(id).with_context(|| missing(id))
    }

    /// The commit `id` and its tree, their loose files checked first.
    pub fn commit(&self, id: Oid) -> Result<Commit<'r>> {
        self.check(id)?;
        let commit = self.repo.find_commit(id).with_context(|| missing(id))?;
        self.check(commit.tree_id())?;
        Ok(commit)
    }

    /// Any object `id` (a tag, a commit, a tree, a blob), its loose file checked.
    pub fn object(&self, id: Oid) -> Result<git2::Object<'r>> {
        self.check(id)?;
        self.repo.find_object(id, None).with_context(|| missing(id))
    }

    /// Fails if `id` is a loose object whose file does not inflate whole.
    pub fn check(&self, id: Oid) -> Result<()> {
        if let Some(file) = self.loose_file(id) {
            inflate(&file, u64::MAX).with_context(|| corrupt(id, &file))?;
        }
        Ok(())
    }

    /// Checks every loose object that is not a blob (commits, tags, trees) in
    /// every object directory: libgit2 reads them itself while it walks the commit
    /// graph, peels a ref or diffs two trees, and would spin forever on a truncated
    /// one. Blobs are checked as they are read ([`Objects::blob`]). The cost is one
    /// small read per loose object; packed objects have their own checksums.
    pub fn check_loose_graph(&self) -> Result<()> {
        for dir in &self.dirs {
            let Ok(fan_out) = std::fs::read_dir(dir) else {
                continue;
            };
            for sub in fan_out.flatten() {
                let prefix = sub.file_name().to_string_lossy().into_owned();
                if prefix.len() == 2 && is_hex(&prefix) {
                    check_fan_out(&prefix, &sub.path())?;
                }
            }
        }
        Ok(())
    }

    fn loose_file(&self, id: Oid) -> Option<PathBuf> {
        let hex = id.to_string();
        let (dir, name) = hex.split_at(2);
        self.dirs
            .iter()
            .map(|d| d.join(dir).join(name))
            .find(|p| p.is_file())
    }
}

/// Checks the loose objects in one `objects/xx` directory (see
/// [`Objects::check_loose_graph`]).
fn check_fan_out(prefix: &str, dir: &Path) -> Result<()> {
    let files = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the object directory {}", dir.display()))?;
    for f in files.flatten() {
        let rest = f.file_name().to_string_lossy().into_owned();
        if !is_hex(&rest) {
            continue; // a temporary file of a write in progress
        }
        let path = f.path();
        if !matches!(kind(&path).as_deref(), Ok(b"blob")) {
            let id = format!("{prefix}{rest}");
            inflate(&path, u64::MAX).with_context(|| corrupt(&id, &path))?;
        }
    }
    Ok(())
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The type in a loose object's header, from the first bytes of its file.
fn kind(file: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut input = Vec::with_capacity(HEADER_MAX * 4);
    std::fs::File::open(file)?
        .take(HEADER_MAX as u64 * 4)
        .read_to_end(&mut input)?;
    let mut head = Vec::with_capacity(HEADER_MAX);
    Decompress::new(true).decompress_vec(&input, &mut head, FlushDecompress::None)?;
    let space = memchr::memchr(b' ', &head).context("no object header")?;
    head.truncate(space);
    Ok(head)
}

fn corrupt(id: impl std::fmt::Display, file: &Path) -> String {
    format!(
        "object {id} is corrupt ({}); run `git fsck` and restore the object \
         (for example with `git hash-object -w` from the original file, or by fetching it again)",
        file.display()
    )
}

fn missing(id: Oid) -> String {
    format!(
        "cannot read object {id} (missing or corrupt: run `git fsck`; in a partial \
         clone, fetch the missing objects first, e.g. `git fetch --refetch` or \
         `git rev-list --objects --missing=print HEAD`)"
    )
}

/// The directories git searches for objects, the primary one first.
fn object_dirs(repo: &Repository) -> Vec<PathBuf> {
    let primary = std::env::var_os("GIT_OBJECT_DIRECTORY")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo.path().join("objects"));
    let mut dirs = vec![primary.clone()];
    if let Some(alt) = std::env::var_os("GIT_ALTERNATE_OBJECT_DIRECTORIES") {
        dirs.extend(std::env::split_paths(&alt));
    }
    let mut i = 0;
    while i < dirs.len() && dirs.len() < 16 {
        let base = dirs[i].clone();
        if let Ok(text) = std::fs::read_to_string(base.join("info/alternates")) {
            for line in text
                .lines()
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
            {
                let p = base.join(line);
                if !dirs.contains(&p) {
                    dirs.push(p);
                }
            }
        }
        i += 1;
    }
    if !dirs.contains(&repo.path().join("objects")) {
        dirs.push(repo.path().join("objects"));
    }
    dirs
}

/// Inflates a loose object file: its type and content, or `None` if the header
/// declares more than `limit` bytes. Never allocates more than the declared size.
fn inflate(file: &Path, limit: u64) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
    let input = std::fs::read(file).context("cannot read the object file")?;
    let mut z = Decompress::new(true);
    let mut head = Vec::with_capacity(HEADER_MAX);
    let mut status = z
        .decompress_vec(&input, &mut head, FlushDecompress::None)
        .context("the object does not inflate")?;
    let Some(nul) = memchr::memchr(0, &head) else {
        bail!("the object has no header");
    };
    let header = std::str::from_utf8(&head[..nul]).context("bad object header")?;
    let (kind, size) = header.split_once(' ').context("bad object header")?;
    let kind = kind.as_bytes().to_vec();
    let size: u64 = size.parse().context("bad object size in the header")?;
    if size > limit {
        return Ok(None);
    }
    let size = usize::try_from(size).context("object too large for this machine")?;
    let mut data = head.split_off(nul + 1);
    if data.len() > size {
        bail!("the object holds more than its header declares");
    }
    if status != Status::StreamEnd {
        // One spare byte: content past the declared size shows as a full buffer.
        // Deflate expands at most 1032 times, so a header that lies about its
        // size cannot make this allocate more than the file could hold.
        let bound = input.len().saturating_mul(1032).saturating_add(HEADER_MAX);
        let target = size.min(bound) + 1;
        data.reserve_exact(target.saturating_sub(data.len()));
        // Each call makes progress or the stream is done (or stuck: truncated);
        // the output never grows past its capacity, so this loop is bounded.
        loop {
            let (used, made) = (z.total_in() as usize, z.total_out());
            status = z
                .decompress_vec(&input[used..], &mut data, FlushDecompress::Finish)
                .context("the object does not inflate")?;
            let stuck = z.total_out() == made && z.total_in() as usize == used;
            if status == Status::StreamEnd || stuck || data.len() == data.capacity() {
                break;
            }
        }
    }
    if data.len() == size && status != Status::StreamEnd {
        bail!("the object's compressed data is truncated (its checksum is missing)");
    }
    if data.len() != size {
        bail!(
            "the object's data is truncated or runs past its declared size \
             ({}{} bytes, its header declares {size})",
            if data.len() > size { "over " } else { "" },
            data.len().min(size)
        );
    }
    Ok(Some((kind, data)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::ZlibEncoder;
    use std::io::Write;

    fn loose(content: &[u8]) -> Vec<u8> {
        let mut e = ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(format!("blob {}\0", content.len()).as_bytes())
            .unwrap();
        e.write_all(content).unwrap();
        e.finish().unwrap()
    }

    fn run(bytes: &[u8], limit: u64) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("obj");
        std::fs::write(&f, bytes).unwrap();
        inflate(&f, limit)
    }

    #[test]
    fn a_whole_object_inflates_to_its_content() {
        let content: Vec<u8> = (0..100_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let (kind, data) = run(&loose(&content), u64::MAX).unwrap().unwrap();
        assert_eq!(kind, b"blob");
        assert_eq!(data, content);
        assert_eq!(run(&loose(b""), 10).unwrap().unwrap().1, b"");
        assert!(
            run(&loose(&content), 10).unwrap().is_none(),
            "over the limit"
        );
    }

    #[test]
    fn truncated_or_lying_objects_are_errors() {
        let content: Vec<u8> = (0..100_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let whole = loose(&content);
        for cut in [0, 1, 2, 10, 200, whole.len() / 2, whole.len() - 1] {
            assert!(run(&whole[..cut], u64::MAX).is_err(), "cut at {cut}");
        }
        let mut e = ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(b"blob 3\0abcdef").unwrap();
        assert!(
            run(&e.finish().unwrap(), u64::MAX).is_err(),
            "longer than declared"
        );
        let mut e = ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(b"blob 99999999999\0abc").unwrap();
        assert!(
            run(&e.finish().unwrap(), u64::MAX).is_err(),
            "shorter than declared"
        );
        assert!(run(b"not zlib at all", u64::MAX).is_err());
    }
}
