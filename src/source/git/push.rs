//! What a push brings: git's ref-update lines for the push hooks, and the commits
//! they make reachable that the other side does not have.
//!
//! `pre-receive` (on the server) reads `<old> <new> <ref>` lines; the commits it
//! judges are those reachable from a new tip and from no ref the server already
//! has. `pre-push` (on the laptop) reads `<local ref> <local sha> <remote ref>
//! <remote sha>` lines; the commits it judges are those reachable from a pushed
//! local sha and from none of the remote's shas nor the remote-tracking refs
//! `refs/remotes/<remote>/*` (what we know the remote has; see
//! [`known_prefixes`] for a push to a URL). Deleting a ref brings nothing. A tip
//! that is no commit (a tag of a tree, a ref straight at a blob) is judged too.

use super::objects::Objects;
use super::refs::{peel, Target};
use anyhow::{bail, Context, Result};
use git2::{Oid, Repository, Sort};

/// One line of pre-receive's input: a ref moving from `old` to `new`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    /// The ref's value before the push (zeros: the ref is new).
    pub old: String,
    /// The ref's value after the push (zeros: the ref is deleted).
    pub new: String,
    /// The ref's full name.
    pub name: String,
}

/// One line of pre-push's input: what a local ref pushes over on the remote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The local ref pushed (`refs/heads/main`, or what the user typed).
    pub local_ref: String,
    /// The local object pushed (zeros: the remote ref is deleted).
    pub local: String,
    /// The remote's current value of the ref (zeros: the ref is new there).
    pub remote: String,
}

/// Git's all-zero object id: no object (a created or deleted ref).
pub fn is_zero(hex: &str) -> bool {
    !hex.is_empty() && hex.bytes().all(|b| b == b'0')
}

/// Parses pre-receive's `<old> <new> <ref>` lines; blank lines are ignored.
pub fn parse_updates(input: &str) -> Result<Vec<Update>> {
    let mut out = Vec::new();
    for line in input.lines().filter(|l| !l.trim().is_empty()) {
        let mut parts = line.split_whitespace();
        let (Some(old), Some(new), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
            bail!("unexpected ref update line from git: `{line}` (want `<old> <new> <ref>`)");
        };
        out.push(Update {
            old: old.into(),
            new: new.into(),
            name: name.into(),
        });
    }
    Ok(out)
}

/// Parses pre-push's `<local ref> <local sha> <remote ref> <remote sha>` lines.
pub fn parse_outgoing(input: &str) -> Result<Vec<Outgoing>> {
    let mut out = Vec::new();
    for line in input.lines().filter(|l| !l.trim().is_empty()) {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [local_ref, local, _, remote] = parts[..] else {
            bail!(
                "unexpected line from git: `{line}` \
                 (want `<local ref> <local sha> <remote ref> <remote sha>`)"
            );
        };
        out.push(Outgoing {
            local_ref: local_ref.to_string(),
            local: local.to_string(),
            remote: remote.to_string(),
        });
    }
    Ok(out)
}

/// What a push brings: the commits the other side lacks, oldest first, and every
/// pushed tip peeled ([`Target`]): its tags' messages, and a tree or blob it
/// names directly, are judged too ([`super::refs::judge_targets`]).
#[derive(Debug, Default)]
pub struct Pushed {
    /// The commits to judge, oldest first.
    pub commits: Vec<Oid>,
    /// The pushed tips, peeled.
    pub targets: Vec<Target>,
}

/// What a push to this (server) repository brings: the commits reachable from a
/// new tip and from no existing ref, and every new tip whatever it points at.
pub fn received(repo: &Repository, updates: &[Update]) -> Result<Pushed> {
    let objects = Objects::new(repo);
    objects.check_loose_graph()?;
    let mut targets = Vec::new();
    for u in updates.iter().filter(|u| !is_zero(&u.new)) {
        let id = Oid::from_str(&u.new)
            .with_context(|| format!("bad object id `{}` for {}", u.name, u.new))?;
        targets.push(peel(&objects, &u.name, id)?);
    }
    let tips: Vec<Oid> = targets.iter().filter_map(Target::commit).collect();
    let mut existing = Vec::new();
    for r in repo.references().context("cannot list the server's refs")? {
        if let Ok(commit) = r?.peel_to_commit() {
            existing.push(commit.id());
        }
    }
    let commits = pushed(repo, &tips, &existing)?;
    Ok(Pushed { commits, targets })
}

/// What a push to `remote` brings that it lacks: the commits reachable from the
/// pushed shas and from neither the remote's shas nor what we know it has
/// ([`known_prefixes`]), and every pushed tip whatever it points at.
pub fn outgoing(repo: &Repository, remote: &str, lines: &[Outgoing]) -> Result<Pushed> {
    let objects = Objects::new(repo);
    objects.check_loose_graph()?;
    let oid = |hex: &str| Oid::from_str(hex).with_context(|| format!("bad object id `{hex}`"));
    let mut targets = Vec::new();
    let mut hidden = Vec::new();
    for line in lines {
        if !is_zero(&line.local) {
            targets.push(peel(&objects, &line.local_ref, oid(&line.local)?)?);
        }
        if !is_zero(&line.remote) && exists(repo, oid(&line.remote)?) {
            hidden.extend(peel_commit(repo, oid(&line.remote)?)?);
        }
    }
    let prefixes = known_prefixes(repo, remote);
    for r in repo.references().context("cannot list the refs")? {
        let r = r?;
        let known = prefixes
            .iter()
            .any(|p| r.name_bytes().starts_with(p.as_bytes()));
        if let (true, Ok(commit)) = (known, r.peel_to_commit()) {
            hidden.push(commit.id());
        }
    }
    let tips: Vec<Oid> = targets.iter().filter_map(Target::commit).collect();
    let commits = pushed(repo, &tips, &hidden)?;
    Ok(Pushed { commits, targets })
}

/// The ref prefixes that show what `remote` already has: its remote-tracking refs
/// when it is a configured remote, or one whose URL it is (git passes the URL as
/// the remote's name when pushing to a URL); for a URL no remote has, every
/// remote-tracking ref (commits already on some remote were judged when pushed
/// there), so a push to a URL does not re-judge the whole history.
pub fn known_prefixes(repo: &Repository, remote: &str) -> Vec<String> {
    let names: Vec<String> = repo
        .remotes()
        .map(|r| r.iter().flatten().flatten().map(String::from).collect())
        .unwrap_or_default();
    if names.iter().any(|n| n == remote) {
        return vec![format!("refs/remotes/{remote}/")];
    }
    let same = |u: Option<&str>| {
        u.is_some_and(|u| u.trim_end_matches('/') == remote.trim_end_matches('/'))
    };
    let by_url: Vec<String> = names
        .iter()
        .filter(|n| {
            repo.find_remote(n)
                .is_ok_and(|r| same(r.url().ok()) || same(r.pushurl().ok().flatten()))
        })
        .map(|n| format!("refs/remotes/{n}/"))
        .collect();
    if by_url.is_empty() {
        vec!["refs/remotes/".to_string()]
    } else {
        by_url
    }
}

/// The commits reachable from `tips` and from none of `hidden`, oldest first
/// (topological order). Hidden ids that are not in the repository are ignored:
/// nothing can be reachable from them here.
pub fn pushed(repo: &Repository, tips: &[Oid], hidden: &[Oid]) -> Result<Vec<Oid>> {
    let mut walk = repo.revwalk().context("cannot walk the commit graph")?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    for &tip in tips {
        walk.push(tip)
            .with_context(|| format!("cannot walk from commit {tip}"))?;
    }
    for &id in hidden {
        let _ = walk.hide(id);
    }
    walk.collect::<Result<Vec<_>, _>>()
        .context("cannot walk the commit graph")
}

/// Whether `id` names an object the repository holds.
pub fn exists(repo: &Repository, id: Oid) -> bool {
    repo.odb().is_ok_and(|odb| odb.exists(id))
}

/// The commit an object stands for: itself, or what an annotated tag points at.
/// `None` for objects that are no commit (a tag of a tree or blob).
pub fn peel_commit(repo: &Repository, id: Oid) -> Result<Option<Oid>> {
    let object = repo
        .find_object(id, None)
        .with_context(|| format!("cannot read pushed object {id}"))?;
    Ok(object.peel(git2::ObjectType::Commit).ok().map(|c| c.id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_git_input() {
        let z = "0".repeat(40);
        let input = format!("{z} {} refs/heads/main\n\n", "a".repeat(40));
        let u = parse_updates(&input).unwrap();
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].name, "refs/heads/main");
        assert!(is_zero(&u[0].old));
        assert!(parse_updates("just-one-field\n").is_err());
        let o = parse_outgoing(&format!(
            "refs/heads/a {} refs/heads/a {z}\n",
            "b".repeat(40)
        ))
        .unwrap();
        assert_eq!(o[0].local, "b".repeat(40));
        assert!(parse_outgoing("a b c\n").is_err());
    }
}
