//! Finds again, with leakgate's rules, the findings another tool had accepted, and
//! records them in a leakgate baseline.
//!
//! The other tool's records cannot be copied: gitleaks names a finding by commit,
//! file, rule and line, detect-secrets by file, line and the SHA-1 of the secret;
//! leakgate's baseline names it by a hash of rule, path and secret. So the files
//! and commits they name are scanned with the converted config, and each record is
//! matched to the findings leakgate makes there: by rule and line (gitleaks; when
//! gitleaks counted lines differently, the one finding of that rule in the file),
//! by the secret's SHA-1 (detect-secrets; when leakgate's secret is a longer or
//! shorter span of the same text, by the text on that line whose SHA-1 it is).
//! Every record ends as a baseline entry or as a note that says why not.

use super::{Accept, Notes};
use crate::allow::baseline::{Baseline, Verdict};
use crate::allow::Allow;
use crate::config::Loaded;
use crate::engine::{Finding, Scanner};
use crate::pipeline::{Collector, Judge, SharedCollector};
use crate::report::Outcome;
use crate::source::files::{self, WalkOptions};
use anyhow::{Context, Result};
use sha1::{Digest, Sha1};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// How many lines before leakgate's secret a match may begin and still count as
/// the finding detect-secrets reported on its first line.
const MATCH_LINES: u32 = 8;

/// What matching added.
#[derive(Debug, Default)]
pub struct Matched {
    /// Records that became at least one baseline entry.
    pub records: usize,
    /// Records that did not.
    pub unmatched: usize,
    /// Entries new to the baseline.
    pub entries: usize,
    /// Some entry came from a commit rather than the work tree.
    pub from_history: bool,
}

/// A finding with its repository-relative path and baseline fingerprint.
struct Found {
    finding: Finding,
    path: String,
    fp: String,
}

/// Scans what `accepts` name with `loaded`'s rules and filters, and adds the
/// findings that match to `base`. `custom` are the ids of rules converted from the
/// other tool (a record of one of the other tool's own rules never matches them).
pub fn accept(
    loaded: &Loaded,
    root: &Path,
    accepts: &[Accept],
    custom: &HashSet<String>,
    base: &mut Baseline,
    notes: &mut Notes,
) -> Result<Matched> {
    let scanner = Scanner::new(loaded.rules()?);
    let allow = loaded.allow();
    let tree = scan_tree(&scanner, &allow, root, accepts)?;
    let commits = scan_commits(&scanner, &allow, root, accepts, notes)?;
    let mut m = Matched::default();
    for a in accepts {
        let (source, hits, note) = match a {
            Accept::Finding {
                source,
                commit,
                path,
                line,
                rules,
            } => {
                let scope = match commit {
                    Some(c) => commits.get(c.as_str()),
                    None => Some(&tree),
                };
                let ok = |id: &str| rule_ok(id, rules, custom);
                let (hits, note) = match scope {
                    Some(found) => by_line(found, path, *line, ok),
                    None => (
                        Vec::new(),
                        "the commit is not in this repository".to_string(),
                    ),
                };
                (source, hits, note)
            }
            Accept::Commit {
                source,
                commit,
                rules,
            } => {
                let hits: Vec<&Found> = commits
                    .get(commit.as_str())
                    .into_iter()
                    .flatten()
                    .filter(|f| rule_ok(&f.finding.rule.id, rules, custom))
                    .collect();
                let note = match (hits.is_empty(), commits.contains_key(commit.as_str())) {
                    (false, _) => String::new(),
                    (true, true) => "leakgate finds nothing in that commit's change".to_string(),
                    (true, false) => "the commit is not in this repository".to_string(),
                };
                (source, hits, note)
            }
            Accept::Hashed {
                source,
                path,
                line,
                sha1,
                is_secret: Some(true),
                ..
            } => {
                let seen = !by_hash(&tree, root, path, *line, sha1).0.is_empty();
                notes.not_converted(
                    source.as_str(),
                    format!(
                        "audited as a real secret (is_secret: true or verified), so it is not accepted: \
                         leakgate keeps reporting it{}; rotate it and remove it",
                        if seen { "" } else { " (leakgate does not find it today)" }
                    ),
                );
                m.unmatched += 1;
                continue;
            }
            Accept::Hashed {
                source,
                path,
                line,
                sha1,
                ..
            } => {
                let (hits, note) = by_hash(&tree, root, path, *line, sha1);
                (source, hits, note)
            }
        };
        if hits.is_empty() {
            notes.not_converted(source.as_str(), format!("not matched: {note}"));
            m.unmatched += 1;
            continue;
        }
        m.records += 1;
        let mut described = Vec::new();
        for f in &hits {
            if base.add(&f.finding, &f.path, &f.fp) {
                m.entries += 1;
                if let Some(e) = base.get_mut(&f.fp) {
                    (e.verdict, e.note) = entry_note(a);
                }
            }
            m.from_history |= f.finding.origin.commit().is_some();
            described.push(format!(
                "{} at {}:{}",
                f.finding.rule.id, f.path, f.finding.line
            ));
        }
        let how = format!("baseline entry: {}", described.join(", "));
        match note.is_empty() {
            true => notes.converted(source.as_str(), how),
            false => notes.differs(source.as_str(), format!("{how} ({note})")),
        }
    }
    Ok(m)
}

/// The verdict and note an accepted record gives its baseline entry.
fn entry_note(a: &Accept) -> (Option<Verdict>, Option<String>) {
    match a {
        Accept::Finding { source, .. } | Accept::Commit { source, .. } => {
            (None, Some(format!("from gitleaks: {source}")))
        }
        Accept::Hashed {
            kind, is_secret, ..
        } => match is_secret {
            Some(false) => (
                Some(Verdict::FalsePositive),
                Some(format!(
                    "from detect-secrets ({kind}): audited, not a secret"
                )),
            ),
            _ => (
                None,
                Some(format!("from detect-secrets ({kind}): unaudited")),
            ),
        },
    }
}

/// True if a finding of rule `id` may be the record's: one of `rules`, or when
/// none are named, any rule not converted from the other tool.
fn rule_ok(id: &str, rules: &[String], custom: &HashSet<String>) -> bool {
    match rules.is_empty() {
        true => !custom.contains(id),
        false => rules.iter().any(|r| r == id),
    }
}

/// gitleaks: the findings of an allowed rule at `path` on `line`; else the one
/// such finding in the file (gitleaks counts lines of a commit's change its own
/// way), with a note saying so.
fn by_line<'a>(
    found: &'a [Found],
    path: &str,
    line: u32,
    ok: impl Fn(&str) -> bool,
) -> (Vec<&'a Found>, String) {
    let in_file: Vec<&Found> = found
        .iter()
        .filter(|f| f.path == path && ok(&f.finding.rule.id))
        .collect();
    let exact: Vec<&Found> = in_file
        .iter()
        .copied()
        .filter(|f| f.finding.line == line)
        .collect();
    if !exact.is_empty() {
        return (exact, String::new());
    }
    match in_file[..] {
        [one] => (
            vec![one],
            format!(
                "gitleaks said line {line}, leakgate finds it on line {}",
                one.finding.line
            ),
        ),
        [] => (
            Vec::new(),
            format!("leakgate finds no secret of a matching rule in {path}"),
        ),
        _ => (
            Vec::new(),
            format!(
                "{} findings in {path}, none on line {line}: which one is meant is not clear",
                in_file.len()
            ),
        ),
    }
}

/// detect-secrets: the findings at `path` whose secret has this SHA-1; else the
/// findings that hold, or are held by, the text on `line` that has this SHA-1
/// (detect-secrets' private-key detector hashes the `BEGIN ... PRIVATE KEY` line,
/// leakgate's secret is the key body below it).
fn by_hash<'a>(
    found: &'a [Found],
    root: &Path,
    path: &str,
    line: u32,
    sha1: &str,
) -> (Vec<&'a Found>, String) {
    let in_file: Vec<&Found> = found.iter().filter(|f| f.path == path).collect();
    let exact: Vec<&Found> = in_file
        .iter()
        .copied()
        .filter(|f| hex_sha1(&f.finding.secret) == sha1)
        .collect();
    if !exact.is_empty() {
        return (exact, String::new());
    }
    let text = std::fs::read(root.join(path)).unwrap_or_default();
    let Some(line_text) = text
        .split(|&b| b == b'\n')
        .nth(line.saturating_sub(1) as usize)
    else {
        return (
            Vec::new(),
            format!("{path} has no line {line} (or no longer exists)"),
        );
    };
    let Some(secret) = find_hashed(line_text, sha1) else {
        return (
            Vec::new(),
            format!("nothing on line {line} of {path} has that SHA-1 any more"),
        );
    };
    // The text detect-secrets hashed is part of leakgate's secret, holds it, or is
    // part of the match that leads up to it (a key block's BEGIN line).
    let near: Vec<&Found> = in_file
        .into_iter()
        .filter(|f| {
            let f = &f.finding;
            let same_line =
                f.line == line && (contains(&f.secret, secret) || contains(secret, &f.secret));
            let leads_up = f.line >= line
                && f.line <= line.saturating_add(MATCH_LINES)
                && contains(&f.allow_context, secret);
            same_line || leads_up
        })
        .collect();
    match near.is_empty() {
        true => (
            Vec::new(),
            format!("the secret is still on line {line}, but leakgate does not report it"),
        ),
        false => (
            near,
            "leakgate's secret is a different span of the same text".into(),
        ),
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

/// Lowercase hex SHA-1.
pub fn hex_sha1(bytes: &[u8]) -> String {
    Sha1::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The part of `line` whose SHA-1 is `sha1`, among spans that start and end at a
/// word boundary (a secret is a token, not a piece of one). Bounded: lines up to
/// 4 KiB, spans up to 512 bytes.
fn find_hashed<'a>(line: &'a [u8], sha1: &str) -> Option<&'a [u8]> {
    let line = &line[..line.len().min(4096)];
    let word = |b: u8| b.is_ascii_alphanumeric();
    let starts = (0..line.len()).filter(|&i| word(line[i]) && (i == 0 || !word(line[i - 1])));
    for s in starts {
        let ends = (s + 1..=line.len().min(s + 512))
            .filter(|&e| word(line[e - 1]) && (e == line.len() || !word(line[e])));
        for e in ends {
            if hex_sha1(&line[s..e]) == sha1 {
                return Some(&line[s..e]);
            }
        }
    }
    None
}

/// Scans the work-tree files the records name (those that exist).
fn scan_tree(
    scanner: &Scanner,
    allow: &Allow,
    root: &Path,
    accepts: &[Accept],
) -> Result<Vec<Found>> {
    let paths: BTreeSet<PathBuf> = accepts
        .iter()
        .filter_map(|a| match a {
            Accept::Finding {
                commit: None, path, ..
            }
            | Accept::Hashed { path, .. } => Some(root.join(path)),
            _ => None,
        })
        .filter(|p| p.is_file())
        .collect();
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    let shared = Mutex::new(Outcome::default());
    let opts = WalkOptions {
        gitignore: false,
        ..WalkOptions::default()
    };
    let paths: Vec<PathBuf> = paths.into_iter().collect();
    files::walk(&paths, &opts, &|| {
        Box::new(SharedCollector::new(Judge::new(scanner, allow), &shared))
    })?;
    let outcome = shared.into_inner().unwrap_or_else(|e| e.into_inner());
    Ok(keyed(outcome, allow))
}

/// Scans the change of every commit the records name, by commit id.
fn scan_commits<'a>(
    scanner: &Scanner,
    allow: &Allow,
    root: &Path,
    accepts: &'a [Accept],
    notes: &mut Notes,
) -> Result<BTreeMap<&'a str, Vec<Found>>> {
    let ids: BTreeSet<&str> = accepts
        .iter()
        .filter_map(|a| match a {
            Accept::Finding {
                commit: Some(c), ..
            }
            | Accept::Commit { commit: c, .. } => Some(c.as_str()),
            _ => None,
        })
        .collect();
    let mut out = BTreeMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let repo = match git2::Repository::discover(root) {
        Ok(r) => r,
        Err(e) => {
            notes.not_converted(
                "records that name a commit",
                format!(
                    "there is no git repository here to find them in: {}",
                    e.message()
                ),
            );
            return Ok(out);
        }
    };
    for id in ids {
        let Some(oid) = git2::Oid::from_str(id)
            .ok()
            .filter(|o| repo.find_commit(*o).is_ok())
        else {
            continue;
        };
        let mut collector = Collector::new(Judge::new(scanner, allow));
        crate::source::git::commits::walk(
            &repo,
            &[oid],
            crate::source::DEFAULT_MAX_FILE_SIZE,
            &mut collector,
        )
        .with_context(|| format!("cannot scan commit {id}"))?;
        out.insert(id, keyed(collector.outcome, allow));
    }
    Ok(out)
}

/// The findings that stand, with their repository paths and fingerprints.
fn keyed(outcome: Outcome, allow: &Allow) -> Vec<Found> {
    outcome
        .findings
        .into_iter()
        .map(|finding| {
            let (path, fp) = allow.key(&finding);
            Found { finding, path, fp }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hashed_text_is_found_on_its_line() {
        let line = b"  password = \"hunter2-Zq8x\"  # db";
        let sha = hex_sha1(b"hunter2-Zq8x");
        assert_eq!(find_hashed(line, &sha), Some(&b"hunter2-Zq8x"[..]));
        assert_eq!(
            find_hashed(line, &hex_sha1(b"unter2")),
            None,
            "not part of a word"
        );
        assert_eq!(find_hashed(b"", &sha), None);
    }
}
