//! Migration from other scanners: `leakgate init --from gitleaks|detect-secrets`.
//!
//! A team leaving another scanner brings two things it must not lose: its tuning
//! (custom rules, allowlists) and its accepted findings (gitleaks' ignore file,
//! detect-secrets' audited baseline). Each converter reads the other tool's files
//! as that tool documents them and produces a [`Conversion`]: a config [`Draft`],
//! the findings to accept ([`Accept`]), and a [`Notes`] list naming every construct
//! it met as converted or not converted, with why. Nothing is dropped silently.
//!
//! Accepted findings cannot be copied: the other tool's fingerprints and hashes
//! are not leakgate's. [`rescan`] scans the files and commits they name with the
//! converted config and matches each one to the finding leakgate makes there; what
//! matches becomes a baseline entry, what does not is reported.

pub mod detect_secrets;
pub mod draft;
pub mod gitleaks;
pub mod rescan;

use crate::allow::baseline::Baseline;
use crate::config::Loaded;
use anyhow::{bail, Context, Result};
pub use draft::Draft;
use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

/// Which tool a migration reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Tool {
    /// gitleaks (and tools that read its config): `.gitleaks.toml`, `.gitleaksignore`.
    Gitleaks,
    /// Yelp's detect-secrets: `.secrets.baseline`.
    DetectSecrets,
}

impl Tool {
    /// The tool's name as users write it.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Gitleaks => "gitleaks",
            Tool::DetectSecrets => "detect-secrets",
        }
    }
}

/// Whether a construct made it into the leakgate config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Converted to an equivalent leakgate setting.
    Converted,
    /// Converted, but leakgate's setting differs in a way the user should know.
    Differs,
    /// Not converted.
    NotConverted,
}

/// One construct of the other tool's files and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// What happened.
    pub fate: Fate,
    /// Where it was (`rules[3] (aws-key).regex`, `filters_used[2]`, ...).
    pub what: String,
    /// What it became, or why it did not.
    pub why: String,
}

/// Every construct met, in the order met.
#[derive(Debug, Clone, Default)]
pub struct Notes(pub Vec<Note>);

impl Notes {
    /// Records a construct converted as is.
    pub fn converted(&mut self, what: impl Into<String>, how: impl Into<String>) {
        self.push(Fate::Converted, what, how);
    }

    /// Records a construct converted with a difference worth knowing.
    pub fn differs(&mut self, what: impl Into<String>, how: impl Into<String>) {
        self.push(Fate::Differs, what, how);
    }

    /// Records a construct that was not converted, and why.
    pub fn not_converted(&mut self, what: impl Into<String>, why: impl Into<String>) {
        self.push(Fate::NotConverted, what, why);
    }

    fn push(&mut self, fate: Fate, what: impl Into<String>, why: impl Into<String>) {
        self.0.push(Note {
            fate,
            what: what.into(),
            why: why.into(),
        });
    }

    /// The notes with one fate.
    pub fn with(&self, fate: Fate) -> impl Iterator<Item = &Note> {
        self.0.iter().filter(move |n| n.fate == fate)
    }
}

impl fmt::Display for Notes {
    /// The notes grouped by fate, one per line, as the command prints them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (fate, title) in [
            (Fate::Converted, "converted"),
            (Fate::Differs, "converted, with a difference"),
            (Fate::NotConverted, "not converted"),
        ] {
            let notes: Vec<&Note> = self.with(fate).collect();
            if notes.is_empty() {
                continue;
            }
            writeln!(f, "{title} ({}):", notes.len())?;
            for n in notes {
                writeln!(f, "  {}: {}", n.what, n.why)?;
            }
        }
        Ok(())
    }
}

/// A finding the other tool had accepted, to find again and put in the baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accept {
    /// gitleaks: a finding of `rule` at `path` (and `line`), in `commit`'s change
    /// or, without a commit, in the work tree's file. `rules` are the leakgate rule
    /// ids it may have become (empty: any rule not converted from gitleaks).
    Finding {
        /// The ignore file's line, for the report.
        source: String,
        /// The commit whose change held it (`None`: the work tree).
        commit: Option<String>,
        /// Repository-relative path.
        path: String,
        /// 1-based line, as the other tool counted it.
        line: u32,
        /// Leakgate rule ids it may match (empty: any).
        rules: Vec<String>,
    },
    /// Every finding in a commit's change (`rules` as above, empty: any).
    Commit {
        /// The allowlist entry, for the report.
        source: String,
        /// The commit id.
        commit: String,
        /// Leakgate rule ids (empty: any).
        rules: Vec<String>,
    },
    /// detect-secrets: the secret whose SHA-1 is `sha1` at `path`, `line`.
    Hashed {
        /// The baseline entry, for the report.
        source: String,
        /// Repository-relative path.
        path: String,
        /// 1-based line.
        line: u32,
        /// Lowercase hex SHA-1 of the secret.
        sha1: String,
        /// The reviewer's verdict: `Some(false)` not a secret, `Some(true)` a real
        /// one (never accepted), `None` unaudited.
        is_secret: Option<bool>,
        /// detect-secrets' detector name, for the entry's note.
        kind: String,
    },
}

/// What a converter produced.
#[derive(Debug, Default)]
pub struct Conversion {
    /// The config to write.
    pub draft: Draft,
    /// What became of each construct.
    pub notes: Notes,
    /// Findings the other tool accepted.
    pub accept: Vec<Accept>,
}

/// The other tool's files a migration reads (`None`: its usual place at the root).
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// `.gitleaks.toml` or `.secrets.baseline`.
    pub input: Option<PathBuf>,
    /// `.gitleaksignore` (gitleaks only).
    pub ignore: Option<PathBuf>,
}

/// A finished migration, ready to write.
#[derive(Debug)]
pub struct Migrated {
    /// The `.leakgate.yaml` text, notes included as comments.
    pub config: String,
    /// Every construct and record, and what became of it.
    pub notes: Notes,
    /// What the rescan matched.
    pub matched: rescan::Matched,
    /// The files read, for the report.
    pub read: Vec<PathBuf>,
}

/// Reads the other tool's files under `root`, converts them, and adds the findings
/// they had accepted to `base`.
pub fn migrate(tool: Tool, root: &Path, inputs: &Inputs, base: &mut Baseline) -> Result<Migrated> {
    let at = |given: &Option<PathBuf>, name: &str| -> (PathBuf, bool) {
        match given {
            Some(p) => (p.clone(), true),
            None => (root.join(name), false),
        }
    };
    let read = |(path, given): &(PathBuf, bool)| -> Result<Option<String>> {
        match std::fs::read_to_string(path) {
            Ok(t) => Ok(Some(t)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !given => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    };
    let mut files = Vec::new();
    let conversion = match tool {
        Tool::Gitleaks => {
            let config = at(&inputs.input, ".gitleaks.toml");
            let ignore = at(&inputs.ignore, ".gitleaksignore");
            let (config_text, ignore_text) = (read(&config)?, read(&ignore)?);
            if config_text.is_none() && ignore_text.is_none() {
                bail!(
                    "there is no .gitleaks.toml or .gitleaksignore in {} (name them with --input and --ignore-file)",
                    root.display()
                );
            }
            let dir = config.0.parent().unwrap_or(root).to_path_buf();
            files.extend(config_text.is_some().then(|| config.0.clone()));
            files.extend(ignore_text.is_some().then(|| ignore.0.clone()));
            gitleaks::convert(
                config_text.as_deref().map(|t| (t, dir.as_path())),
                ignore_text.as_deref(),
            )
            .with_context(|| format!("cannot convert {}", config.0.display()))?
        }
        Tool::DetectSecrets => {
            let input = at(&inputs.input, ".secrets.baseline");
            let Some(text) = read(&input)? else {
                bail!(
                    "there is no .secrets.baseline in {} (name it with --input)",
                    root.display()
                );
            };
            files.push(input.0.clone());
            let name = input
                .0
                .strip_prefix(root)
                .unwrap_or(&input.0)
                .to_string_lossy()
                .into_owned();
            detect_secrets::convert(&text, &name, root)
                .with_context(|| format!("cannot convert {}", input.0.display()))?
        }
    };
    let Conversion {
        draft,
        mut notes,
        accept,
    } = conversion;
    let source = tool.name();
    let text = draft.render(source, &notes);
    let config = crate::config::parse(&text).map_err(|e| {
        anyhow::anyhow!(
            "the converted config does not parse ({e}); this is a leakgate bug:\n{text}"
        )
    })?;
    let loaded = Loaded::from_config(config, None, Some(root));
    let custom: HashSet<String> = draft.rules.iter().map(|r| r.id.clone()).collect();
    let matched = rescan::accept(&loaded, root, &accept, &custom, base, &mut notes)?;
    Ok(Migrated {
        config: draft.render(source, &notes),
        notes,
        matched,
        read: files,
    })
}

/// Checks a regex the way leakgate will run it (bytes, Unicode off), and says in
/// plain words why one that does not compile cannot (look-around, back-references
/// and possessive quantifiers are the usual reasons: the `regex` crate guarantees
/// linear time and has none of them).
pub fn check_regex(pattern: &str) -> Result<(), String> {
    if possessive(pattern) {
        // The regex crate reads `a++` as `(?:a+)+`: it compiles, and means
        // something else (a possessive quantifier never gives back what it took).
        return Err(
            "possessive quantifiers (*+, ++, ?+, {n}+) are not supported by the regex crate \
             (it would read them as plain repetitions and match more)"
                .into(),
        );
    }
    let Err(e) = crate::rules::compile(pattern) else {
        return Ok(());
    };
    let detail = e.to_string();
    let detail = detail.lines().last().unwrap_or("").trim();
    let has = |s: &str| pattern.contains(s);
    let reason = if has("(?=") || has("(?!") || has("(?<=") || has("(?<!") {
        "look-around ((?=, (?!, (?<=, (?<!) is not supported by the regex crate"
    } else if backreference(pattern) {
        "back-references (\\1, \\k<name>) are not supported by the regex crate"
    } else if has("\\p") || has("\\P") {
        "Unicode classes are off in leakgate patterns (they run on bytes)"
    } else {
        "it does not compile"
    };
    Err(format!("{reason}: {detail}"))
}

fn backreference(p: &str) -> bool {
    let b = p.as_bytes();
    (0..b.len().saturating_sub(1)).any(|i| {
        b[i] == b'\\'
            && (i == 0 || b[i - 1] != b'\\')
            && (b[i + 1].is_ascii_digit() && b[i + 1] != b'0' || b[i + 1] == b'k')
    })
}

/// True if a quantifier (`*`, `+`, `?`, `{n,m}`) outside a class is followed by
/// `+`. Escapes and classes are skipped, so `\++` and `[+]+` are not possessive.
fn possessive(p: &str) -> bool {
    let b = p.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'[' => {
                i += 1;
                if b.get(i) == Some(&b'^') {
                    i += 1;
                }
                if b.get(i) == Some(&b']') {
                    i += 1;
                }
                while i < b.len() && b[i] != b']' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'*' | b'+' | b'?' | b'}' if b.get(i + 1) == Some(&b'+') => return true,
            // `+?` and `??` are lazy, not possessive: step over the pair.
            b'*' | b'+' | b'?' | b'}' if b.get(i + 1) == Some(&b'?') => i += 2,
            _ => i += 1,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regexes_the_crate_cannot_run_are_explained() {
        assert!(check_regex(r"\b(acme_[a-z0-9]{32})\b").is_ok());
        let e = check_regex(r"key(?=[0-9])").unwrap_err();
        assert!(e.starts_with("look-around"), "{e}");
        let e = check_regex(r#"(['"])[a-z]{8}\1"#).unwrap_err();
        assert!(e.starts_with("back-references"), "{e}");
        let e = check_regex(r"x[a-z]++y").unwrap_err();
        assert!(e.starts_with("possessive"), "{e}");
        assert!(check_regex(r"a{2}+b").is_err());
        assert!(
            check_regex(r"\++[+]+x+?y").is_ok(),
            "escaped, in a class, lazy"
        );
        let e = check_regex(r"(unclosed").unwrap_err();
        assert!(e.starts_with("it does not compile"), "{e}");
    }
}
