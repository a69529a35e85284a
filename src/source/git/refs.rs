//! What refs stand for, whatever they point at, and the parts of them that are no
//! file of a commit: tag and commit messages, and trees and blobs a ref names
//! directly.
//!
//! A ref may point at a commit, at an annotated tag (of a commit, a tree, a blob
//! or another tag), or straight at a tree or a blob (`git tag x $(git hash-object
//! -w creds)`). Each is peeled into a [`Target`]: the tags on the way (whose
//! messages are judged) and the object at the end. A commit at the end is judged
//! by the commit walks; a tree or a blob is judged here, whole, at a path that
//! names the ref (`refs/tags/x` for a blob, `refs/tags/x:dir/file` for a file of
//! a tree). Messages are judged as text at `commit <sha> message` or `tag <name>
//! message`, with the commit (or the tag and its tagger) as their location.

use super::objects::Objects;
use crate::source::{is_regular, scannable, visit_whole, Visit};
use crate::types::{Chunk, CommitInfo, Location, Origin, SkipReason};
use anyhow::{bail, Context, Result};
use git2::{Commit, ObjectType, Oid, Repository};

/// Tags of tags followed at most this deep (git itself stops at a few dozen).
const MAX_TAG_DEPTH: usize = 64;

/// A ref (or a pushed tip), peeled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The ref's full name (`refs/tags/v1`), or the object id if it has none.
    pub name: String,
    /// The annotated tags on the way, outermost first.
    pub tags: Vec<Oid>,
    /// The object at the end of the tags.
    pub end: Oid,
    /// Its kind: a commit, a tree or a blob.
    pub kind: ObjectType,
}

impl Target {
    /// The commit at the end, if it is one.
    pub fn commit(&self) -> Option<Oid> {
        (self.kind == ObjectType::Commit).then_some(self.end)
    }
}

/// Peels `id` (named `name`) through its annotated tags.
pub fn peel(objects: &Objects<'_>, name: &str, id: Oid) -> Result<Target> {
    let mut tags = Vec::new();
    let mut at = id;
    loop {
        let object = objects
            .object(at)
            .with_context(|| format!("cannot read {name} ({at})"))?;
        let kind = object.kind().context("an object of unknown kind")?;
        if kind != ObjectType::Tag {
            return Ok(Target {
                name: name.to_string(),
                tags,
                end: at,
                kind,
            });
        }
        if tags.len() >= MAX_TAG_DEPTH {
            bail!("{name}: tags of tags nested over {MAX_TAG_DEPTH} deep");
        }
        tags.push(at);
        at = object.as_tag().expect("a tag").target_id();
    }
}

/// Every ref of the repository and HEAD, peeled. Refs that cannot be read (a
/// dangling symbolic ref) are errors: a history walk that skipped one would not
/// be whole.
pub fn all(objects: &Objects<'_>) -> Result<Vec<Target>> {
    let repo = objects.repo();
    let mut out = Vec::new();
    for r in repo.references().context("cannot list the refs")? {
        let r = r.context("cannot read a ref")?;
        let name = String::from_utf8_lossy(r.name_bytes()).into_owned();
        let Some(id) = r.resolve().ok().and_then(|r| r.target()) else {
            continue; // a symbolic ref to nothing (an unborn branch)
        };
        out.push(peel(objects, &name, id)?);
    }
    if let Some(id) = repo.head().ok().and_then(|h| h.target()) {
        out.push(peel(objects, "HEAD", id)?);
    }
    Ok(out)
}

/// The origin of a commit's message.
pub fn message_origin(commit: &Commit<'_>) -> std::sync::Arc<Origin> {
    let who = super::commits::info(commit);
    Origin::new(format!("commit {} message", who.id), Location::Commit(who))
}

/// Judges a commit's message as text.
pub fn judge_message(commit: &Commit<'_>, visit: &mut dyn Visit) -> u64 {
    let origin = message_origin(commit);
    visit.chunk(&Chunk::whole(origin, commit.message_bytes()));
    commit.message_bytes().len() as u64
}

/// A tag's message and its origin (`tag <name> message`, the tagger as author).
pub fn tag_message(repo: &Repository, id: Oid) -> Result<(std::sync::Arc<Origin>, Vec<u8>)> {
    let tag = repo
        .find_tag(id)
        .with_context(|| format!("cannot read tag {id}"))?;
    let tagger = tag.tagger();
    let info = CommitInfo {
        id: id.to_string(),
        author: tagger
            .as_ref()
            .map(|t| String::from_utf8_lossy(t.name_bytes()).into_owned())
            .unwrap_or_default(),
        email: tagger
            .as_ref()
            .map(|t| String::from_utf8_lossy(t.email_bytes()).into_owned())
            .unwrap_or_default(),
        time: tagger.as_ref().map_or(0, |t| t.when().seconds()),
    };
    let name = String::from_utf8_lossy(tag.name_bytes()).into_owned();
    let origin = Origin::new(format!("tag {name} message"), Location::Commit(info));
    Ok((origin, tag.message_bytes().unwrap_or_default().to_vec()))
}

/// The origin of a file that a ref names with no commit: `refs/tags/x` for a blob,
/// `refs/tags/x:dir/file` for a file of a tree.
pub fn object_origin(target: &Target, path: Option<&str>) -> std::sync::Arc<Origin> {
    let name = match path {
        Some(p) => format!("{}:{p}", target.name),
        None => target.name.clone(),
    };
    Origin::new(name, Location::Object(target.end.to_string()))
}

/// The files of a tree, each with its path and blob, in git's order.
pub fn tree_files(objects: &Objects<'_>, tree: Oid) -> Result<Vec<(String, Oid)>> {
    walk_tree(objects, tree, |_, _| true)
}

/// The files under `tree` that `keep` accepts, with their paths, in git's
/// pre-order. `keep(id, path)` is asked for every subtree (path ending in `/`:
/// `false` skips it) and every regular file (`false` leaves it out). The walk
/// reads each tree through the object guard with an explicit stack, so neither a
/// deep nor a corrupt tree nor a name that is not UTF-8 can stop it: names are
/// shown lossily.
pub fn walk_tree(
    objects: &Objects<'_>,
    tree: Oid,
    mut keep: impl FnMut(Oid, &[u8]) -> bool,
) -> Result<Vec<(String, Oid)>> {
    let mut out = Vec::new();
    let read = |id: Oid| -> Result<Vec<(Vec<u8>, i32, Oid)>> {
        let t = objects
            .tree(id)
            .with_context(|| format!("cannot read tree {id}"))?;
        Ok(t.iter()
            .map(|e| (e.name_bytes().to_vec(), e.filemode(), e.id()))
            .collect())
    };
    // Each open directory: its path prefix, its entries and the next one.
    let mut stack = vec![(Vec::new(), read(tree)?, 0usize)];
    while let Some((prefix, entries, next)) = stack.last_mut() {
        let Some((name, mode, id)) = entries.get(*next).cloned() else {
            stack.pop();
            continue;
        };
        *next += 1;
        let path = [prefix.as_slice(), &name].concat();
        if mode == 0o040000 {
            let sub = [path.as_slice(), b"/"].concat();
            if keep(id, &sub) {
                stack.push((sub, read(id)?, 0));
            }
        } else if is_regular(mode as u32) && keep(id, &path) {
            out.push((String::from_utf8_lossy(&path).into_owned(), id));
        }
    }
    Ok(out)
}

/// Judges what `targets` hold beyond their commits: every tag's message, and
/// every file of a tree or blob a ref names directly (whole). Returns the files
/// and bytes handed on.
pub fn judge_targets(
    objects: &Objects<'_>,
    targets: &[Target],
    max_size: u64,
    visit: &mut dyn Visit,
) -> Result<(usize, u64)> {
    let (mut files, mut bytes) = (0, 0);
    for target in targets {
        for &tag in &target.tags {
            let (origin, message) = tag_message(objects.repo(), tag)?;
            visit.chunk(&Chunk::whole(origin, &message));
            bytes += message.len() as u64;
        }
        let blobs = match target.kind {
            ObjectType::Blob => vec![(object_origin(target, None), target.end)],
            ObjectType::Tree => tree_files(objects, target.end)?
                .into_iter()
                .map(|(path, id)| (object_origin(target, Some(&path)), id))
                .collect(),
            _ => continue,
        };
        for (origin, id) in blobs {
            files += 1;
            bytes += judge_blob(objects, &origin, id, max_size, visit)?;
        }
    }
    Ok((files, bytes))
}

/// Judges one blob whole at `origin`.
fn judge_blob(
    objects: &Objects<'_>,
    origin: &std::sync::Arc<Origin>,
    id: Oid,
    max_size: u64,
    visit: &mut dyn Visit,
) -> Result<u64> {
    visit.file(origin);
    let Some(content) = objects
        .blob(id, max_size)
        .with_context(|| format!("cannot read {}", origin.path))?
    else {
        visit.skipped(origin, SkipReason::TooLarge);
        return Ok(0);
    };
    if !scannable(origin, content.bytes(), max_size, visit) {
        return Ok(0);
    }
    Ok(visit_whole(origin, content.bytes(), visit))
}
