//! The baseline: findings a team has accepted, in `.leakgate-baseline.json`.
//!
//! An entry is a finding's fingerprint (a keyed HMAC of rule, path and secret,
//! never the secret: see [`crate::types::fingerprint`]), its rule id and path, and
//! optionally a reviewer's verdict and note. It
//! holds no line number, commit id or timestamp, so moving code, rebasing or merging
//! never invalidates it; a secret that shows up at another path is a new finding.
//!
//! The file is JSON laid out for git's line merge:
//!
//! ```text
//! {"leakgate_baseline": 2, "from": "worktree", "key": "9c41e07a"
//! ,"3f9c...": {"rule": "github-classic-pat", "path": "app/config.py"}
//! ,"a81e...": {"rule": "generic-api-key", "path": "tests/fixtures.py", "verdict": "false-positive", "note": "fake"}
//! }
//! ```
//!
//! One entry per line, sorted by path, rule and fingerprint, each line starting with
//! its own comma. Adding an entry anywhere, even last, adds one line and changes no
//! other, so two branches that add different entries merge cleanly; and since every
//! entry line stands alone, `merge=union` in `.gitattributes` makes even two entries
//! added at the same spot merge into valid JSON (duplicate lines are merged on load).
//!
//! `key` is the public id of the fingerprint key that made the entries: a clone
//! with another key is told so, since none of the entries can match for it.
//! Format 1 files (unkeyed `sha256` fingerprints, no `key`) still apply, with a
//! warning, and `baseline update` or `prune` re-keys them ([`Baseline::rekey`]).

use crate::types::fingerprint::{self as fp, key_now};
use crate::types::{Finding, Outcome};
use anyhow::{bail, Context, Result};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// The baseline's file name at a repository root.
pub const FILE_NAME: &str = ".leakgate-baseline.json";

/// The format version written in the first line.
const VERSION: u64 = 2;

/// The format of unkeyed fingerprints, still read.
const LEGACY: u64 = 1;

/// A reviewer's verdict on an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Not a secret (a fixture, an example, a hash that looks like a key).
    FalsePositive,
    /// A real secret that has been revoked: the copy in the repository is harmless.
    Revoked,
    /// A real secret the team has decided to live with for now.
    Accepted,
}

impl Verdict {
    /// The name used in the file and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::FalsePositive => "false-positive",
            Verdict::Revoked => "revoked",
            Verdict::Accepted => "accepted",
        }
    }
}

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The rule that found it.
    pub rule: String,
    /// Repository-relative path.
    pub path: String,
    /// The reviewer's verdict, once audited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// The reviewer's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The accepted findings, by fingerprint.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    /// What was scanned to make it (`worktree`, `history`); `update` and `prune`
    /// scan the same.
    pub from: String,
    entries: HashMap<String, Entry>,
    /// The format of the file ([`VERSION`], or [`LEGACY`] for unkeyed entries).
    format: u64,
    /// The id of the key that made the entries (none in format 1).
    key: Option<String>,
}

impl Baseline {
    /// An empty baseline made from scans of `from`.
    pub fn new(from: &str) -> Baseline {
        Baseline {
            from: from.into(),
            entries: HashMap::new(),
            format: VERSION,
            key: Some(key_now().id()),
        }
    }

    /// Whether the entries are unkeyed format 1 fingerprints.
    pub fn is_legacy(&self) -> bool {
        self.format == LEGACY
    }

    /// Why the entries cannot match in this run (made with another key), if so.
    pub fn key_mismatch(&self) -> Option<String> {
        let now = key_now();
        let made = self.key.as_deref()?;
        (made != now.id()).then(|| {
            format!(
                "its entries were made with another fingerprint key (key {made}; this run uses key {} from {}), so none of them can match: \
                 share the key that made it (copy .git/{} from that clone, or set {})",
                now.id(),
                now.source,
                fp::KEY_FILE,
                fp::KEY_ENV
            )
        })
    }

    /// Re-keys a format 1 baseline: each entry whose old fingerprint is in
    /// `to_new` moves to the new fingerprint, verdict and note kept; the others
    /// (secrets no longer found, which cannot be re-keyed) are dropped and
    /// returned. The baseline is then format 2 under this run's key.
    pub fn rekey(&mut self, to_new: &HashMap<String, String>) -> Vec<(String, Entry)> {
        let old = std::mem::take(&mut self.entries);
        let mut dropped = Vec::new();
        for (fp, entry) in old {
            match to_new.get(&fp) {
                Some(new) => self.merge(new.clone(), entry),
                None => dropped.push((fp, entry)),
            }
        }
        self.format = VERSION;
        self.key = Some(key_now().id());
        dropped.sort_by(|a, b| (&a.1.path, &a.0).cmp(&(&b.1.path, &b.0)));
        dropped
    }

    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Baseline> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read baseline {}", path.display()))?;
        Baseline::parse(&text).with_context(|| {
            format!(
                "baseline {} is not valid (restore it from git, or recreate it with `leakgate baseline create --force`)",
                path.display()
            )
        })
    }

    /// Parses a baseline document.
    pub fn parse(text: &str) -> Result<Baseline> {
        let doc: Document = serde_json::from_str(text)?;
        let format = match doc.version {
            Some(v @ (LEGACY | VERSION)) => v,
            Some(v) => bail!("baseline format {v} is newer than this leakgate reads (1 and {VERSION}): upgrade leakgate"),
            None => bail!(
                "not a leakgate baseline (its first key must be \"leakgate_baseline\": {VERSION})"
            ),
        };
        let mut base = Baseline {
            from: doc.from.clone(),
            entries: HashMap::new(),
            format,
            key: if format == LEGACY { None } else { doc.key },
        };
        for (fp, entry) in doc.entries {
            base.merge(fp, entry);
        }
        Ok(base)
    }

    /// Adds an entry; of two entries for one fingerprint (a union merge of an edited
    /// line), the reviewed one wins.
    fn merge(&mut self, fp: String, entry: Entry) {
        match self.entries.get(&fp) {
            Some(old) if old.verdict.is_some() && entry.verdict.is_none() => {}
            _ => {
                self.entries.insert(fp, entry);
            }
        }
    }

    /// The document, one entry per line, sorted.
    pub fn render(&self) -> String {
        let header = serde_json::json!(self.from);
        let key = match &self.key {
            Some(k) => format!(", \"key\": {}", serde_json::json!(k)),
            None => String::new(),
        };
        let mut out = format!(
            "{{\"leakgate_baseline\": {}, \"from\": {header}{key}\n",
            self.format
        );
        for (fp, entry) in self.sorted() {
            let line = serde_json::to_string(entry).expect("entries serialize");
            out.push_str(&format!(",\"{fp}\": {line}\n"));
        }
        out.push_str("}\n");
        out
    }

    /// Writes the file whole or not at all (a temporary file, then a rename).
    pub fn save(&self, path: &Path) -> Result<()> {
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, self.render())
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
    }

    /// Entries sorted by path, rule, then fingerprint.
    pub fn sorted(&self) -> Vec<(&String, &Entry)> {
        let mut v: Vec<_> = self.entries.iter().collect();
        v.sort_by(|a, b| (&a.1.path, &a.1.rule, a.0).cmp(&(&b.1.path, &b.1.rule, b.0)));
        v
    }

    /// The entry for a fingerprint.
    pub fn get(&self, fingerprint: &str) -> Option<&Entry> {
        self.entries.get(fingerprint)
    }

    /// The entry for a fingerprint, to change its verdict or note.
    pub fn get_mut(&mut self, fingerprint: &str) -> Option<&mut Entry> {
        self.entries.get_mut(fingerprint)
    }

    /// True if the fingerprint is accepted.
    pub fn contains(&self, fingerprint: &str) -> bool {
        self.entries.contains_key(fingerprint)
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds a finding under its `(path, fingerprint)` key; returns true if it is new.
    pub fn add(&mut self, f: &Finding, path: &str, fingerprint: &str) -> bool {
        if self.entries.contains_key(fingerprint) {
            return false;
        }
        let entry = Entry {
            rule: f.rule.id.clone(),
            path: path.to_string(),
            verdict: None,
            note: None,
        };
        self.entries.insert(fingerprint.to_string(), entry);
        true
    }

    /// Adds every finding that stands in `outcome` (suppressed ones are already
    /// allowed elsewhere); `key` gives a finding's repository-relative path and
    /// fingerprint. Any scan's outcome works: work tree, staged, history. Returns how
    /// many entries were new.
    pub fn record(
        &mut self,
        outcome: &Outcome,
        key: impl Fn(&Finding) -> (String, String),
    ) -> usize {
        let mut added = 0;
        for f in &outcome.findings {
            let (path, fp) = key(f);
            added += usize::from(self.add(f, &path, &fp));
        }
        added
    }

    /// Keeps only the entries whose fingerprint is in `present`; returns the removed.
    pub fn retain(&mut self, present: &std::collections::HashSet<String>) -> Vec<(String, Entry)> {
        let gone: Vec<String> = self
            .entries
            .keys()
            .filter(|fp| !present.contains(*fp))
            .cloned()
            .collect();
        let mut removed: Vec<(String, Entry)> = gone
            .into_iter()
            .filter_map(|fp| self.entries.remove_entry(&fp))
            .collect();
        removed.sort_by(|a, b| (&a.1.path, &a.0).cmp(&(&b.1.path, &b.0)));
        removed
    }
}

/// A baseline file as a scan uses it: read at start-up, parsed on the first finding
/// that needs it, so a clean commit never pays for parsing thousands of entries. A
/// file that does not parse is reported once on stderr and applies no entry: the
/// findings stand, so a broken baseline never lets a secret through.
#[derive(Debug)]
pub struct BaselineFile {
    path: PathBuf,
    text: String,
    parsed: OnceLock<std::result::Result<Baseline, String>>,
    warned: AtomicBool,
}

impl BaselineFile {
    /// Reads the file (parsing waits for [`BaselineFile::get`]).
    pub fn read(path: &Path) -> Result<BaselineFile> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read baseline {}", path.display()))?;
        Ok(BaselineFile {
            path: path.to_path_buf(),
            text,
            parsed: OnceLock::new(),
            warned: AtomicBool::new(false),
        })
    }

    /// A baseline already in memory, as if read from `path`.
    pub fn from_baseline(path: &Path, base: Baseline) -> BaselineFile {
        BaselineFile {
            path: path.to_path_buf(),
            text: String::new(),
            parsed: OnceLock::from(Ok(base)),
            warned: AtomicBool::new(false),
        }
    }

    /// Where it was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The parsed baseline, or why it is not valid.
    pub fn get(&self) -> std::result::Result<&Baseline, &str> {
        let parsed = self.parsed.get_or_init(|| {
            Baseline::parse(&self.text).map_err(|e| {
                format!(
                    "baseline {} is not valid (restore it from git, or recreate it with `leakgate baseline create --force`): {e:#}",
                    self.path.display()
                )
            })
        });
        parsed.as_ref().map_err(String::as_str)
    }

    /// True if the fingerprint is accepted. A baseline that does not parse accepts
    /// nothing, and says so once.
    pub fn contains(&self, fingerprint: &str) -> bool {
        match self.get() {
            Ok(base) => base.contains(fingerprint),
            Err(why) => {
                self.warn_once(&format!("{why}; none of its entries applies"));
                false
            }
        }
    }

    /// True if the baseline accepts `f` at the repository path `path` (whose
    /// fingerprint there is `fingerprint`). A format 1 baseline is matched by
    /// the old unkeyed fingerprint, with a warning once; a baseline made with
    /// another key matches nothing, and says why once.
    pub fn accepts(&self, f: &Finding, path: &str, fingerprint: &str) -> bool {
        match self.get() {
            Ok(base) if base.is_legacy() => {
                self.warn_once(&format!(
                    "baseline {} holds unkeyed (format 1) fingerprints, which let anyone who reads it guess a short secret; \
                     re-key it with `leakgate baseline update` (verdicts and notes are kept) and commit it",
                    self.path.display()
                ));
                base.contains(&fp::legacy(&f.rule.id, path, &f.secret))
            }
            Ok(base) => {
                if let Some(why) = base.key_mismatch() {
                    self.warn_once(&format!("baseline {}: {why}", self.path.display()));
                }
                base.contains(fingerprint)
            }
            Err(_) => self.contains(fingerprint),
        }
    }

    fn warn_once(&self, what: &str) {
        if !self.warned.swap(true, Ordering::Relaxed) {
            eprintln!("leakgate: warning: {what}");
        }
    }
}

fn is_fingerprint(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The file as read: the header keys, then every entry in file order, duplicates
/// kept (a map would silently keep the last of two lines for one fingerprint).
struct Document {
    version: Option<u64>,
    from: String,
    key: Option<String>,
    entries: Vec<(String, Entry)>,
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Document;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document, A::Error> {
                let mut doc = Document {
                    version: None,
                    from: String::new(),
                    key: None,
                    entries: Vec::new(),
                };
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "leakgate_baseline" => doc.version = Some(map.next_value()?),
                        "from" => doc.from = map.next_value()?,
                        "key" => doc.key = Some(map.next_value()?),
                        fp if is_fingerprint(fp) => {
                            let entry = map.next_value::<Entry>().map_err(|e| {
                                de::Error::custom(format!("entry {fp}: {e}"))
                            })?;
                            doc.entries.push((key, entry));
                        }
                        other => {
                            return Err(de::Error::custom(format!(
                                "unexpected key `{other}` (entries are keyed by a 32-digit hex fingerprint)"
                            )))
                        }
                    }
                }
                Ok(doc)
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FP1: &str = "0123456789abcdef0123456789abcdef";
    const FP2: &str = "fedcba9876543210fedcba9876543210";

    fn sample() -> Baseline {
        let mut b = Baseline::new("worktree");
        let e = |path: &str| Entry {
            rule: "r".into(),
            path: path.into(),
            verdict: None,
            note: None,
        };
        b.entries.insert(FP2.into(), e("a.py"));
        b.entries.insert(FP1.into(), e("b.py"));
        b
    }

    #[test]
    fn renders_one_sorted_entry_per_line_and_reads_it_back() {
        let mut b = sample();
        b.get_mut(FP1).unwrap().note = Some("multi\nline \"note\"".into());
        b.get_mut(FP1).unwrap().verdict = Some(Verdict::FalsePositive);
        let text = b.render();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        let key = key_now().id();
        assert_eq!(
            lines[0],
            format!(r#"{{"leakgate_baseline": 2, "from": "worktree", "key": "{key}""#)
        );
        assert!(lines[1].starts_with(&format!(",\"{FP2}\": {{\"rule\":\"r\",\"path\":\"a.py\"")));
        assert!(
            lines[2].contains("\"verdict\":\"false-positive\""),
            "{text}"
        );
        assert_eq!(lines[3], "}");
        let back = Baseline::parse(&text).unwrap();
        assert_eq!(back.get(FP1), b.get(FP1));
        assert_eq!(back.render(), text);
    }

    #[test]
    fn duplicate_lines_from_a_union_merge_keep_the_reviewed_entry() {
        let text = format!(
            "{{\"leakgate_baseline\": 1, \"from\": \"worktree\"\n,\"{FP1}\": {{\"rule\":\"r\",\"path\":\"a\",\"verdict\":\"revoked\"}}\n,\"{FP1}\": {{\"rule\":\"r\",\"path\":\"a\"}}\n}}\n"
        );
        let b = Baseline::parse(&text).unwrap();
        assert_eq!(b.len(), 1);
        assert_eq!(b.get(FP1).unwrap().verdict, Some(Verdict::Revoked));
    }

    #[test]
    fn rejects_what_is_not_a_baseline() {
        assert!(Baseline::parse("{}").is_err());
        assert!(Baseline::parse("[]").is_err());
        assert!(Baseline::parse("{\"leakgate_baseline\": 1, \"zz\": {}}").is_err());
        let bad_entry = format!("{{\"leakgate_baseline\": 1, \"{FP1}\": {{\"rule\": \"r\"}}}}");
        let err = format!("{:#}", Baseline::parse(&bad_entry).unwrap_err());
        assert!(err.contains(FP1), "{err}");
    }

    #[test]
    fn a_baseline_file_parses_on_first_use_and_a_broken_one_accepts_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.json");
        std::fs::write(&good, sample().render()).unwrap();
        let file = BaselineFile::read(&good).unwrap();
        assert!(file.parsed.get().is_none(), "not parsed before use");
        assert!(file.contains(FP1) && !file.contains("00"));
        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, "{\"leakgate_baseline\": 1\n,").unwrap();
        let file = BaselineFile::read(&bad).unwrap();
        assert!(!file.contains(FP1));
        assert!(file.get().unwrap_err().contains("bad.json is not valid"));
        assert!(BaselineFile::read(&dir.path().join("missing.json")).is_err());
    }

    #[test]
    fn retain_removes_entries_not_present() {
        let mut b = sample();
        let present = [FP1.to_string()].into_iter().collect();
        let removed = b.retain(&present);
        assert_eq!(removed.len(), 1);
        assert_eq!(removed[0].0, FP2);
        assert!(b.contains(FP1) && !b.contains(FP2));
    }
}
