//! The staged diff without reading the whole repository: the HEAD tree against the
//! index entries, directory by directory, skipping every directory whose cache-tree
//! id equals its HEAD tree id. On a commit that touches a few files, only the trees
//! on the paths to those files are read, whatever the size of the repository.
//!
//! At each level the index children and the tree entries are merged in git's tree
//! order (a directory sorts as its name followed by `/`), which is also the order
//! of the index, so no level needs a lookup table.

use super::index::{CacheTree, Entry, Index};
use super::objects::Objects;
use anyhow::{Context, Result};
use git2::{ObjectType, Oid, Tree, TreeEntry};
use std::cmp::Ordering;

/// What happened to a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// New in the index.
    Added,
    /// Different content in the index.
    Modified,
    /// In HEAD, not in the index.
    Deleted,
    /// Added, with the content of a deleted file (`old` set to it).
    Renamed,
    /// Added, with content copied from a modified file (`old` set to it).
    Copied,
}

/// One changed path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delta {
    /// Repository-relative path.
    pub path: Vec<u8>,
    /// What happened.
    pub status: Status,
    /// The index mode (the HEAD mode for deletions).
    pub mode: u32,
    /// The HEAD blob (or rename/copy source).
    pub old: Option<Oid>,
    /// The index blob.
    pub new: Option<Oid>,
}

/// The changes from `head` (None: unborn branch) to `index`, in path order.
pub fn diff<'r>(
    objects: &Objects<'r>,
    head: Option<Tree<'r>>,
    index: &Index,
) -> Result<Vec<Delta>> {
    let mut out = Vec::new();
    let mut walk = Walk {
        objects,
        index,
        out: &mut out,
    };
    walk.dir(head, b"", &index.entries, index.tree.as_ref())?;
    Ok(out)
}

/// One child of a directory in the index: a file entry, or a subdirectory holding
/// a run of entries.
struct Child<'i> {
    name: &'i [u8],
    is_dir: bool,
    /// Entries of this child: one for a file, the run for a directory.
    end: usize,
}

/// Git's tree order: compare names, a directory's name as if followed by `/`.
fn tree_order(a: &[u8], a_dir: bool, b: &[u8], b_dir: bool) -> Ordering {
    let n = a.len().min(b.len());
    match a[..n].cmp(&b[..n]) {
        Ordering::Equal => {
            let next = |s: &[u8], dir: bool| s.get(n).copied().or(dir.then_some(b'/'));
            next(a, a_dir).cmp(&next(b, b_dir))
        }
        other => other,
    }
}

fn is_tree(te: &TreeEntry<'_>) -> bool {
    te.kind() == Some(ObjectType::Tree)
}

struct Walk<'r, 'i, 'o> {
    objects: &'o Objects<'r>,
    index: &'i Index,
    out: &'o mut Vec<Delta>,
}

impl<'r, 'i> Walk<'r, 'i, '_> {
    /// The child starting at `entries[0]` in a directory whose paths start with
    /// `prefix_len` bytes of prefix.
    fn child(&self, entries: &[Entry], prefix_len: usize) -> Child<'i> {
        let index: &'i Index = self.index;
        let path = index.path(&entries[0]);
        let rest = &path[prefix_len..];
        match memchr::memchr(b'/', rest) {
            None => Child {
                name: rest,
                is_dir: false,
                end: 1,
            },
            Some(slash) => {
                let dir = &path[..prefix_len + slash + 1];
                let end = entries.partition_point(|e| index.path(e).starts_with(dir));
                Child {
                    name: &rest[..slash],
                    is_dir: true,
                    end,
                }
            }
        }
    }

    /// Merges one directory level: `prefix` ends with `/` (or is empty at the root).
    fn dir(
        &mut self,
        tree: Option<Tree<'r>>,
        prefix: &[u8],
        mut entries: &[Entry],
        cache: Option<&CacheTree>,
    ) -> Result<()> {
        if let (Some(t), Some(c)) = (&tree, cache) {
            if c.oid == Some(t.id()) {
                return Ok(());
            }
        }
        let tree_entries: Vec<TreeEntry<'_>> = tree.iter().flat_map(|t| t.iter()).collect();
        let mut old = tree_entries.iter().peekable();
        while !entries.is_empty() || old.peek().is_some() {
            let child = (!entries.is_empty()).then(|| self.child(entries, prefix.len()));
            let order = match (&child, old.peek()) {
                (Some(c), Some(te)) => tree_order(c.name, c.is_dir, te.name_bytes(), is_tree(te)),
                (Some(_), None) => Ordering::Less,
                _ => Ordering::Greater,
            };
            if order == Ordering::Greater {
                let te = old.next().expect("peeked");
                self.deleted(prefix, te)?;
                continue;
            }
            let te = if order == Ordering::Equal {
                old.next()
            } else {
                None
            };
            let c = child.expect("an index child unless Greater");
            let (these, rest) = entries.split_at(c.end);
            if c.is_dir {
                let sub_cache = cache.and_then(|k| k.child(c.name));
                let sub_prefix = &self.index.path(&these[0])[..prefix.len() + c.name.len() + 1];
                self.subdir(te, sub_prefix, these, sub_cache)?;
            } else {
                self.file(te, &these[0])?;
            }
            entries = rest;
        }
        Ok(())
    }

    /// An index directory against the HEAD entry of the same name, if any.
    fn subdir(
        &mut self,
        te: Option<&TreeEntry<'_>>,
        prefix: &[u8],
        entries: &[Entry],
        cache: Option<&CacheTree>,
    ) -> Result<()> {
        let unchanged = te
            .zip(cache.and_then(|c| c.oid))
            .is_some_and(|(te, oid)| te.id() == oid);
        if unchanged {
            return Ok(());
        }
        let tree = te.map(|te| self.find_tree(te.id())).transpose()?;
        self.dir(tree, prefix, entries, cache)
    }

    /// An index file against the HEAD entry of the same name, if any.
    fn file(&mut self, te: Option<&TreeEntry<'_>>, e: &Entry) -> Result<()> {
        let (status, old) = match te {
            Some(te) if te.id() == e.oid => return Ok(()),
            Some(te) => (Status::Modified, Some(te.id())),
            None => (Status::Added, None),
        };
        self.out.push(Delta {
            path: self.index.path(e).to_vec(),
            status,
            mode: e.mode,
            old,
            new: Some(e.oid),
        });
        Ok(())
    }

    /// A HEAD entry with no index counterpart: a deleted file, or every file of a
    /// deleted directory (they may be rename sources).
    fn deleted(&mut self, prefix: &[u8], te: &TreeEntry<'_>) -> Result<()> {
        let path = [prefix, te.name_bytes()].concat();
        if !is_tree(te) {
            self.out.push(Delta {
                path,
                status: Status::Deleted,
                mode: te.filemode() as u32,
                old: Some(te.id()),
                new: None,
            });
            return Ok(());
        }
        let tree = self.find_tree(te.id())?;
        let sub_prefix = [path.as_slice(), b"/"].concat();
        for child in tree.iter() {
            self.deleted(&sub_prefix, &child)?;
        }
        Ok(())
    }

    fn find_tree(&self, id: Oid) -> Result<Tree<'r>> {
        self.objects
            .tree(id)
            .with_context(|| format!("cannot read tree {id} of HEAD"))
    }
}

#[cfg(test)]
mod tests {
    use super::tree_order;
    use std::cmp::Ordering::*;

    #[test]
    fn directories_sort_as_if_followed_by_a_slash() {
        assert_eq!(tree_order(b"a", true, b"a.txt", false), Greater);
        assert_eq!(tree_order(b"a", true, b"a0", false), Less);
        assert_eq!(tree_order(b"a", false, b"a", true), Less);
        assert_eq!(tree_order(b"a", true, b"a", true), Equal);
        assert_eq!(tree_order(b"ab", false, b"a", false), Greater);
    }
}
