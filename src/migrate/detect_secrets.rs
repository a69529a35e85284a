//! detect-secrets' `.secrets.baseline`, as its README and `audit` documentation
//! describe it (1.x, and the older 0.x layout with a top-level `exclude`).
//!
//! | detect-secrets | leakgate |
//! |---|---|
//! | `results` (file, `line_number`, `hashed_secret`, `type`) | baseline entries, by rescanning the file and matching the secret's SHA-1 |
//! | `is_secret: false` (audited: not a secret) | accepted, verdict `false-positive` |
//! | unaudited entries | accepted, no verdict (detect-secrets' hook ignores them too) |
//! | `is_secret: true`, or `is_verified: true` without `is_secret: false` | not accepted: a real secret keeps being reported |
//! | `filters.regex.should_exclude_file` / `_line` / `_secret` `pattern` | `allow.path_regexes` / `line_regexes` / `regexes` |
//! | `exclude.files` / `exclude.lines` (0.x) | `allow.path_regexes` / `line_regexes` |
//! | `filters.allowlist.is_line_allowlisted` | `pragma: allowlist secret` is honoured (peer markers) |
//! | `filters.common.is_baseline_file` | `allow.paths` for the baseline file |
//! | `filters.heuristic.is_lock_file`, `is_swagger_file` | `allow.paths` / `allow.path_regexes` with detect-secrets' names |
//! | `filters.wordlist.should_exclude_secret` | `allow.stopwords` from the word list file |
//!
//! Not converted, each said so by the converter: the other heuristic filters
//! (leakgate's placeholder filter does that job, with no setting), gibberish and
//! verification filters, custom filters and plugins, plugin settings.

use super::{check_regex, Accept, Conversion};
use anyhow::{Context, Result};
use serde_json::Value;
use std::path::Path;

/// detect-secrets' lock file names (its `is_lock_file` filter).
const LOCK_FILES: &[&str] = &[
    "Brewfile.lock.json",
    "Cartfile.resolved",
    "composer.lock",
    "Gemfile.lock",
    "Package.resolved",
    "package-lock.json",
    "Podfile.lock",
    "yarn.lock",
    "Pipfile.lock",
    "poetry.lock",
    "Cargo.lock",
    "packages.lock.json",
];

/// Converts a baseline document; `root` is where relative word-list paths start,
/// `name` the baseline's repository-relative path.
pub fn convert(text: &str, name: &str, root: &Path) -> Result<Conversion> {
    let doc: Value = serde_json::from_str(text).context("not a detect-secrets baseline (JSON)")?;
    let Some(top) = doc.as_object() else {
        anyhow::bail!("not a detect-secrets baseline (want a JSON object)");
    };
    if !top.contains_key("results") {
        anyhow::bail!("not a detect-secrets baseline (it has no `results`)");
    }
    let mut c = Conversion::default();
    c.draft.peer_markers = Some(true);
    for (k, v) in top {
        match k.as_str() {
            "results" => results(v, &mut c),
            "filters_used" => filters(v, name, root, &mut c),
            "exclude" => exclude(v, &mut c),
            "plugins_used" => plugins(v, &mut c),
            "version" | "generated_at" => {}
            "word_list" => word_list_v0(v, root, &mut c),
            other => c.notes.not_converted(
                other,
                "not a detect-secrets baseline key this conversion knows",
            ),
        }
    }
    Ok(c)
}

fn results(v: &Value, c: &mut Conversion) {
    let Some(files) = v.as_object() else {
        c.notes
            .not_converted("results", "is not an object of files");
        return;
    };
    for (file, list) in files {
        for (i, r) in list.as_array().into_iter().flatten().enumerate() {
            let source = format!("results[{file:?}][{i}]");
            let sha1 = r["hashed_secret"].as_str().unwrap_or("");
            let line = r["line_number"].as_u64().unwrap_or(0);
            if sha1.len() != 40 || !sha1.bytes().all(|b| b.is_ascii_hexdigit()) || line == 0 {
                c.notes
                    .not_converted(source, "lacks a 40-digit hashed_secret or a line_number");
                continue;
            }
            let verified = r["is_verified"].as_bool() == Some(true);
            let is_secret = match r["is_secret"].as_bool() {
                Some(v) => Some(v),
                None if verified => Some(true),
                None => None,
            };
            c.accept.push(Accept::Hashed {
                source,
                path: file.trim_start_matches("./").to_string(),
                line: line as u32,
                sha1: sha1.to_ascii_lowercase(),
                is_secret,
                kind: r["type"].as_str().unwrap_or("secret").to_string(),
            });
        }
    }
}

/// The regexes of a filter's `pattern` (a list, or one string), checked.
fn patterns(what: &str, v: &Value, c: &mut Conversion) -> Vec<String> {
    let list: Vec<&str> = match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let mut ok = Vec::new();
    for (i, p) in list.into_iter().enumerate() {
        match check_regex(p) {
            Ok(()) => ok.push(p.to_string()),
            Err(why) => c
                .notes
                .not_converted(format!("{what}.pattern[{i}] {p:?}"), why),
        }
    }
    ok
}

fn filters(v: &Value, name: &str, root: &Path, c: &mut Conversion) {
    for (i, f) in v.as_array().into_iter().flatten().enumerate() {
        let path = f["path"].as_str().unwrap_or("");
        let what = format!("filters_used[{i}] {path}");
        let short = path.strip_prefix("detect_secrets.filters.").unwrap_or(path);
        match short {
            "regex.should_exclude_file" => {
                let p = patterns(&what, &f["pattern"], c);
                c.notes.converted(&what, format!("allow.path_regexes ({})", p.len()));
                c.draft.allow.path_regexes.extend(p);
            }
            "regex.should_exclude_line" => {
                let p = patterns(&what, &f["pattern"], c);
                c.notes.converted(&what, format!("allow.line_regexes ({})", p.len()));
                c.draft.allow.line_regexes.extend(p);
            }
            "regex.should_exclude_secret" => {
                let p = patterns(&what, &f["pattern"], c);
                c.notes.converted(&what, format!("allow.regexes ({})", p.len()));
                c.draft.allow.regexes.extend(p);
            }
            "allowlist.is_line_allowlisted" => c.notes.differs(
                &what,
                "`pragma: allowlist secret` on the line is honoured (peer_markers: true); \
                 `pragma: allowlist nextline secret` on the line before is not: put the marker on the line itself",
            ),
            "common.is_baseline_file" => {
                let file = f["filename"].as_str().unwrap_or(name).to_string();
                c.notes.converted(&what, format!("allow.paths: [{file}]"));
                c.draft.allow.paths.push(file);
            }
            "heuristic.is_lock_file" => {
                c.notes.converted(&what, "allow.paths: detect-secrets' lock file names");
                c.draft.allow.paths.extend(LOCK_FILES.iter().map(|s| s.to_string()));
            }
            "heuristic.is_swagger_file" => {
                c.notes.converted(&what, "allow.path_regexes: [swagger]");
                c.draft.allow.path_regexes.push("swagger".into());
            }
            "wordlist.should_exclude_secret" => word_list(&what, f, root, c),
            "heuristic.is_indirect_reference"
            | "heuristic.is_likely_id_string"
            | "heuristic.is_not_alphanumeric_string"
            | "heuristic.is_potential_uuid"
            | "heuristic.is_prefixed_with_dollar_sign"
            | "heuristic.is_sequential_string"
            | "heuristic.is_templated_secret" => c.notes.not_converted(
                &what,
                "no setting needed: leakgate's placeholder filter (${VAR}, $VAR, <TOKEN>, runs, \
                 sequences, ...) and its rules' context checks always apply",
            ),
            "gibberish.should_exclude_secret" => c.notes.not_converted(
                &what,
                "needs detect-secrets' own language model; leakgate rules use entropy and placeholders instead",
            ),
            "common.is_ignored_due_to_verification_policies" => c.notes.not_converted(
                &what,
                "leakgate never verifies secrets with their provider (it makes no network calls)",
            ),
            _ => c.notes.not_converted(
                &what,
                "a custom or unknown filter; leakgate cannot run detect-secrets' Python filters",
            ),
        }
    }
}

/// The word list filter: words of at least `min_length` become stopwords.
fn word_list(what: &str, f: &Value, root: &Path, c: &mut Conversion) {
    let Some(file) = f["file_name"].as_str() else {
        c.notes.not_converted(what, "names no word list file");
        return;
    };
    let min = f["min_length"].as_u64().unwrap_or(3) as usize;
    match std::fs::read_to_string(root.join(file)) {
        Ok(text) => {
            let words: Vec<String> = text
                .lines()
                .map(|w| w.trim().to_ascii_lowercase())
                .filter(|w| w.len() >= min)
                .collect();
            c.notes.converted(
                what,
                format!(
                    "allow.stopwords: {} words of {file} (min_length {min})",
                    words.len()
                ),
            );
            c.draft.allow.stopwords.extend(words);
        }
        Err(e) => c
            .notes
            .not_converted(what, format!("cannot read the word list {file}: {e}")),
    }
}

/// 0.x: `"word_list": {"file": ..., "hash": ...}`.
fn word_list_v0(v: &Value, root: &Path, c: &mut Conversion) {
    if v["file"].is_null() {
        return;
    }
    let f = serde_json::json!({ "file_name": v["file"], "min_length": 3 });
    word_list("word_list", &f, root, c);
}

/// 0.x: `"exclude": {"files": REGEX|null, "lines": REGEX|null}`.
fn exclude(v: &Value, c: &mut Conversion) {
    for (key, to_line) in [("files", false), ("lines", true)] {
        let pattern = &v[key];
        if pattern.is_null() {
            continue;
        }
        let what = format!("exclude.{key}");
        let p = patterns(&what, pattern, c);
        let target = if to_line {
            "line_regexes"
        } else {
            "path_regexes"
        };
        c.notes
            .converted(&what, format!("allow.{target} ({})", p.len()));
        match to_line {
            true => c.draft.allow.line_regexes.extend(p),
            false => c.draft.allow.path_regexes.extend(p),
        }
    }
}

fn plugins(v: &Value, c: &mut Conversion) {
    let names: Vec<String> = v
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let name = p["name"].as_str().unwrap_or("?");
            let settings: Vec<String> = p
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(k, _)| *k != "name")
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            match settings.is_empty() {
                true => name.to_string(),
                false => format!("{name} ({})", settings.join(", ")),
            }
        })
        .collect();
    if !names.is_empty() {
        c.notes.not_converted(
            format!("plugins_used: {}", names.join(", ")),
            "leakgate's bundled rules replace detect-secrets' detectors; their settings \
             (entropy limits, keyword_exclude, custom plugin files) have no leakgate equivalent",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_follow_the_audit() {
        let text = r#"{"version": "1.5.0", "results": {"a.py": [
            {"type": "Secret Keyword", "filename": "a.py", "hashed_secret": "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8", "is_verified": false, "line_number": 2, "is_secret": false},
            {"type": "Secret Keyword", "filename": "a.py", "hashed_secret": "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd9", "is_verified": true, "line_number": 3},
            {"type": "Secret Keyword", "filename": "a.py", "hashed_secret": "nothex", "is_verified": false, "line_number": 4}
        ]}}"#;
        let c = convert(text, ".secrets.baseline", Path::new(".")).unwrap();
        let verdicts: Vec<Option<bool>> = c
            .accept
            .iter()
            .map(|a| match a {
                Accept::Hashed { is_secret, .. } => *is_secret,
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(verdicts, [Some(false), Some(true)]);
        assert_eq!(c.notes.0.len(), 1, "{}", c.notes);
        assert!(convert("{}", "x", Path::new(".")).is_err());
        assert!(convert("[1]", "x", Path::new(".")).is_err());
    }
}
