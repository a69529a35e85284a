//! gitleaks' `.gitleaks.toml` and `.gitleaksignore`, as its README documents them.
//!
//! | gitleaks | leakgate |
//! |---|---|
//! | `[[rules]]` `id`, `description` | a custom rule's `id` (kebab-cased; prefixed `gitleaks-` if a bundled rule has it) and `name` |
//! | `regex`, `secretGroup`, `entropy`, `keywords`, `path` | `pattern`, `secret_group`, `min_entropy`, `keywords` (none: `always: true`), `path` |
//! | `[allowlist]`, `[[allowlists]]`, `[rules.allowlist]`, `[[rules.allowlists]]` | `allow` and `allow.per_rule` |
//! | allowlist `paths` (regexes) | `path_regexes` |
//! | allowlist `regexes` with `regexTarget` `secret` (default) / `line` | `regexes` / `line_regexes` |
//! | allowlist `stopwords` | `stopwords` |
//! | allowlist `commits` | baseline entries for the findings of those commits |
//! | `[extend] useDefault` | the bundled rules (on in any case; see the note) |
//! | `[extend] path` | read and merged (up to two levels, as gitleaks does) |
//! | `[extend] disabledRules` | `disable` when leakgate has a rule of that id |
//! | `.gitleaksignore` `commit:file:rule:line`, `file:rule:line` | baseline entries, by rescanning the commit or file |
//!
//! Not converted, each said so by the converter: regexes the `regex` crate cannot
//! run, `regexTarget = "match"`, `condition = "AND"` across kinds, `tags`,
//! composite rules (`[[rules.required]]`), and keys gitleaks does not document.

use super::draft::{DraftAllow, DraftRule};
use super::{check_regex, Accept, Conversion, Notes};
use crate::rules::{self, RuleSpec};
use anyhow::{bail, Context, Result};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use toml::{Table, Value};

/// How deep `[extend] path` chains are followed (gitleaks stops at two).
const MAX_EXTEND_DEPTH: usize = 2;

/// Converts a gitleaks config (`config`: its text and the directory relative
/// paths start from) and ignore file.
pub fn convert(config: Option<(&str, &Path)>, ignore: Option<&str>) -> Result<Conversion> {
    let mut c = Conversion::default();
    let bundled: HashSet<String> = rules::bundled().into_iter().map(|r| r.id).collect();
    let mut ids = BTreeMap::new();
    if let Some((text, dir)) = config {
        let table = load(text, dir, 0, &mut c.notes)?;
        let mut conv = Converter {
            c: &mut c,
            bundled: &bundled,
            ids: &mut ids,
        };
        conv.config(&table);
    }
    if let Some(text) = ignore {
        ignores(text, &ids, &bundled, &mut c);
    }
    Ok(c)
}

/// Parses a config and merges the files its `[extend] path` names into it.
fn load(text: &str, dir: &Path, depth: usize, notes: &mut Notes) -> Result<Table> {
    let mut table: Table = toml::from_str(text).context("not a valid gitleaks TOML config")?;
    let extend = table.get("extend").and_then(Value::as_table).cloned();
    let use_default = extend.as_ref().and_then(|e| e.get("useDefault"));
    if use_default.and_then(Value::as_bool) == Some(true)
        && extend.as_ref().is_some_and(|e| e.contains_key("path"))
    {
        bail!("[extend] sets both useDefault and path, which gitleaks refuses too: keep one");
    }
    let Some(path) = extend
        .as_ref()
        .and_then(|e| e.get("path"))
        .and_then(Value::as_str)
    else {
        return Ok(table);
    };
    if depth >= MAX_EXTEND_DEPTH {
        notes.not_converted(
            format!("[extend] path = {path:?}"),
            "gitleaks follows at most two levels of extension, and so does this conversion",
        );
        return Ok(table);
    }
    let full = dir.join(path);
    let base_text = match std::fs::read_to_string(&full) {
        Ok(t) => t,
        Err(e) => {
            notes.not_converted(
                format!("[extend] path = {path:?}"),
                format!("cannot read {}: {e}", full.display()),
            );
            return Ok(table);
        }
    };
    let base_dir = full.parent().unwrap_or(dir).to_path_buf();
    let base = load(&base_text, &base_dir, depth + 1, notes)
        .with_context(|| format!("in {}, extended by [extend] path", full.display()))?;
    notes.converted(
        format!("[extend] path = {path:?}"),
        "its rules and allowlists are merged in (a rule of the same id here replaces the extended one)",
    );
    merge(&mut table, base, path);
    Ok(table)
}

/// The key a merged allowlist carries to say where it came from in the report.
const FROM: &str = "\u{0}from";

/// Merges an extended config (read from `name`) under `table`: its rules first
/// (unless `table` defines the same id), its allowlists added, `useDefault`
/// carried up.
fn merge(table: &mut Table, base: Table, name: &str) {
    let own: HashSet<String> = rule_tables(table)
        .iter()
        .filter_map(|r| r.get("id").and_then(Value::as_str).map(String::from))
        .collect();
    let mut rules: Vec<Value> = rule_tables(&base)
        .into_iter()
        .filter(|r| {
            r.get("id")
                .and_then(Value::as_str)
                .is_none_or(|id| !own.contains(id))
        })
        .map(|r| Value::Table(r.clone()))
        .collect();
    rules.extend(
        rule_tables(table)
            .into_iter()
            .map(|r| Value::Table(r.clone())),
    );
    table.insert("rules".into(), Value::Array(rules));
    let mut lists: Vec<Value> = Vec::new();
    for (t, file) in [(&base, name), (&*table, "")] {
        let label = |v: &Value, what: String| -> Value {
            let mut v = v.clone();
            if let Value::Table(t) = &mut v {
                let label = format!("{file} {what}");
                t.entry(FROM).or_insert_with(|| label.trim().into());
            }
            v
        };
        if let Some(a) = t.get("allowlist") {
            lists.push(label(a, "[allowlist]".into()));
        }
        if let Some(Value::Array(a)) = t.get("allowlists") {
            for (i, v) in a.iter().enumerate() {
                lists.push(label(v, format!("[[allowlists]][{i}]")));
            }
        }
    }
    table.remove("allowlist");
    if !lists.is_empty() {
        table.insert("allowlists".into(), Value::Array(lists));
    }
    let base_default = base
        .get("extend")
        .and_then(|e| e.get("useDefault"))
        .and_then(Value::as_bool)
        == Some(true);
    if base_default {
        if let Some(Value::Table(e)) = table.get_mut("extend") {
            e.insert("useDefault".into(), true.into());
        }
    }
}

fn rule_tables(t: &Table) -> Vec<&Table> {
    match t.get("rules") {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_table).collect(),
        _ => Vec::new(),
    }
}

/// Walks one (merged) config.
struct Converter<'a> {
    c: &'a mut Conversion,
    bundled: &'a HashSet<String>,
    /// gitleaks rule id -> leakgate rule id, for every rule converted.
    ids: &'a mut BTreeMap<String, String>,
}

impl Converter<'_> {
    fn config(&mut self, t: &Table) {
        let n_bundled = self.bundled.len();
        let extend = t.get("extend").and_then(Value::as_table);
        let use_default = extend
            .and_then(|e| e.get("useDefault"))
            .and_then(Value::as_bool);
        self.c.draft.bundled_rules = Some(true);
        match use_default {
            Some(true) => self.c.notes.converted(
                "[extend] useDefault = true",
                format!("leakgate's {n_bundled} bundled rules stand in for gitleaks' default rules (bundled_rules: true)"),
            ),
            _ => self.c.notes.differs(
                "no [extend] useDefault",
                format!(
                    "gitleaks ran only this file's rules; leakgate keeps its {n_bundled} bundled rules on \
                     as well (set `bundled_rules: false` to run only the converted rules)"
                ),
            ),
        }
        if let Some(e) = extend {
            for (k, v) in e {
                match k.as_str() {
                    "useDefault" | "path" => {}
                    "disabledRules" => self.disabled(v),
                    "url" => self
                        .c
                        .notes
                        .not_converted("[extend] url", "leakgate reads no config from the network"),
                    other => self.c.notes.not_converted(
                        format!("[extend] {other}"),
                        "not a gitleaks setting this conversion knows",
                    ),
                }
            }
        }
        for (i, r) in rule_tables(t).into_iter().enumerate() {
            self.rule(i, r);
        }
        if let Some(v) = t.get("allowlist") {
            self.allowlist_value("[allowlist]", v, None);
        }
        if let Some(Value::Array(lists)) = t.get("allowlists") {
            for (i, v) in lists.iter().enumerate() {
                self.allowlist_value(&format!("[[allowlists]][{i}]"), v, None);
            }
        }
        for (k, _) in t {
            match k.as_str() {
                "extend" | "rules" | "allowlist" | "allowlists" => {}
                "title" | "description" | "minVersion" => self
                    .c
                    .notes
                    .not_converted(k.as_str(), "informational; leakgate has no such setting"),
                other => self
                    .c
                    .notes
                    .not_converted(other, "not a gitleaks setting this conversion knows"),
            }
        }
    }

    fn disabled(&mut self, v: &Value) {
        for id in v.as_array().into_iter().flatten().filter_map(Value::as_str) {
            let what = format!("[extend] disabledRules {id:?}");
            if self.bundled.contains(id) {
                self.c.draft.disable.push(id.to_string());
                self.c.notes.converted(
                    what,
                    format!("disable: [{id}] (leakgate has a rule of that id)"),
                );
            } else {
                self.c.notes.not_converted(
                    what,
                    "a gitleaks default rule; leakgate's bundled rules have their own ids \
                     (`leakgate rules list`): disable the matching one by hand if you want",
                );
            }
        }
    }

    fn rule(&mut self, i: usize, r: &Table) {
        let Some(gl_id) = r.get("id").and_then(Value::as_str) else {
            self.c
                .notes
                .not_converted(format!("rules[{i}]"), "has no `id`");
            return;
        };
        let what = format!("rules[{i}] ({gl_id})");
        let id = self.leakgate_id(gl_id);
        let mut rule = DraftRule {
            id: id.clone(),
            name: r
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or(gl_id)
                .to_string(),
            comment: Some(format!(
                "remove it and rotate it (rule converted from gitleaks rule `{gl_id}`)"
            )),
            ..DraftRule::default()
        };
        let mut differs = Vec::new();
        if id != gl_id {
            differs.push(format!(
                "id `{id}` (leakgate ids are kebab-case and unique)"
            ));
        }
        for (k, v) in r {
            match k.as_str() {
                "id" | "description" | "allowlist" | "allowlists" => {}
                "regex" => match v.as_str().map(|p| (p, check_regex(p))) {
                    Some((p, Ok(()))) => rule.pattern = Some(p.to_string()),
                    Some((_, Err(why))) => {
                        self.c.notes.not_converted(
                            format!("{what}.regex"),
                            format!("{why}; the rule is not converted"),
                        );
                        return;
                    }
                    None => {
                        self.c
                            .notes
                            .not_converted(format!("{what}.regex"), "is not a string");
                        return;
                    }
                },
                "path" => match v.as_str().map(|p| (p, check_regex(p))) {
                    Some((p, Ok(()))) => rule.path = Some(p.to_string()),
                    Some((_, Err(why))) => {
                        self.c.notes.not_converted(
                            format!("{what}.path"),
                            format!("{why}; the rule is not converted"),
                        );
                        return;
                    }
                    None => {
                        self.c
                            .notes
                            .not_converted(format!("{what}.path"), "is not a string");
                        return;
                    }
                },
                "secretGroup" => {
                    rule.secret_group = v.as_integer().filter(|g| *g > 0).map(|g| g as usize)
                }
                "entropy" => {
                    rule.min_entropy = v.as_float().or_else(|| v.as_integer().map(|n| n as f64))
                }
                "keywords" => {
                    rule.keywords = v
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_ascii_lowercase)
                        .collect()
                }
                "tags" => self.c.notes.not_converted(
                    format!("{what}.tags"),
                    "leakgate rules have no tags (the family `custom` groups converted rules)",
                ),
                "required" | "skipReport" => {
                    self.c.notes.not_converted(
                        format!("{what}.{k}"),
                        "composite rules (a finding that needs another rule's finding nearby) have no leakgate equivalent; the rule is not converted",
                    );
                    return;
                }
                other => self.c.notes.not_converted(
                    format!("{what}.{other}"),
                    "not a gitleaks rule setting this conversion knows",
                ),
            }
        }
        if rule.pattern.is_some() && rule.keywords.is_empty() && rule.path.is_none() {
            rule.always = true;
            differs.push(
                "no keywords, so it runs on everything (`always: true`, which costs throughput: add keywords)".into(),
            );
        }
        if rule.secret_group.is_none() {
            let groups = rule
                .pattern
                .as_deref()
                .and_then(|p| crate::rules::compile(p).ok())
                .map_or(0, |re| re.captures_len() - 1);
            if groups > 1 {
                differs.push(format!(
                    "{groups} capture groups and no secretGroup: gitleaks takes the first group that matched, leakgate takes group 1 (set secret_group if that is not the secret)"
                ));
            }
        }
        if let Err(e) = rules::check_spec(&spec(&rule)) {
            self.c
                .notes
                .not_converted(what, format!("leakgate cannot run it: {e:#}"));
            return;
        }
        differs.push("severity `high` (gitleaks rules have none)".into());
        self.ids.insert(gl_id.to_string(), id.clone());
        self.c.draft.rules.push(rule);
        self.c.notes.differs(
            what.clone(),
            format!("custom rule `{id}`: {}", differs.join("; ")),
        );
        if let Some(v) = r.get("allowlist") {
            self.allowlist_value(&format!("{what}.allowlist"), v, Some(&id));
        }
        if let Some(Value::Array(lists)) = r.get("allowlists") {
            for (j, v) in lists.iter().enumerate() {
                self.allowlist_value(&format!("{what}.allowlists[{j}]"), v, Some(&id));
            }
        }
    }

    /// The leakgate id for a gitleaks rule id: kebab-case, and not a bundled id.
    fn leakgate_id(&self, gl_id: &str) -> String {
        let mut id: String = gl_id
            .chars()
            .map(|c| match c.to_ascii_lowercase() {
                c @ ('a'..='z' | '0'..='9') => c,
                _ => '-',
            })
            .collect();
        while id.contains("--") {
            id = id.replace("--", "-");
        }
        let id = id.trim_matches('-').to_string();
        let id = if id.is_empty() { "rule".into() } else { id };
        match self.bundled.contains(&id) {
            true => format!("gitleaks-{id}"),
            false => id,
        }
    }

    fn allowlist_value(&mut self, what: &str, v: &Value, rule: Option<&str>) {
        match v.as_table() {
            Some(t) => {
                let from = t.get(FROM).and_then(Value::as_str);
                self.allowlist(from.unwrap_or(what), t, rule)
            }
            None => self.c.notes.not_converted(what, "is not a table"),
        }
    }

    /// One allowlist: for `rule`, or (None) for every rule or its `targetRules`.
    fn allowlist(&mut self, what: &str, t: &Table, rule: Option<&str>) {
        let list = |k: &str| -> Vec<String> {
            t.get(k)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        };
        let (paths, regexes, stopwords, commits) = (
            list("paths"),
            list("regexes"),
            list("stopwords"),
            list("commits"),
        );
        let kinds = [&paths, &regexes, &stopwords, &commits]
            .iter()
            .filter(|l| !l.is_empty())
            .count();
        let condition = t.get("condition").and_then(Value::as_str).unwrap_or("OR");
        if condition.eq_ignore_ascii_case("AND") && kinds > 1 {
            self.c.notes.not_converted(
                what,
                "condition = \"AND\" allows a finding only when several kinds of entry match at once; \
                 leakgate allowlist entries each allow on their own, so converting it would allow more",
            );
            return;
        }
        let targets: Vec<String> = match rule {
            Some(id) => vec![id.to_string()],
            None => list("targetRules")
                .iter()
                .filter_map(|gl| match self.ids.get(gl) {
                    Some(id) => Some(id.clone()),
                    None => {
                        self.c.notes.not_converted(
                            format!("{what}.targetRules {gl:?}"),
                            "no converted rule has that id (a gitleaks default rule?)",
                        );
                        None
                    }
                })
                .collect(),
        };
        if rule.is_none() && !list("targetRules").is_empty() && targets.is_empty() {
            self.c
                .notes
                .not_converted(what, "none of its targetRules was converted");
            return;
        }
        let target = t
            .get("regexTarget")
            .and_then(Value::as_str)
            .unwrap_or("secret");
        let mut entries = DraftAllow::default();
        for (i, p) in paths.iter().enumerate() {
            match check_regex(p) {
                Ok(()) => entries.path_regexes.push(p.clone()),
                Err(why) => self
                    .c
                    .notes
                    .not_converted(format!("{what}.paths[{i}] {p:?}"), why),
            }
        }
        for (i, r) in regexes.iter().enumerate() {
            let item = format!("{what}.regexes[{i}] {r:?}");
            if let Err(why) = check_regex(r) {
                self.c.notes.not_converted(item, why);
                continue;
            }
            match target {
                "secret" => entries.regexes.push(r.clone()),
                "line" => entries.line_regexes.push(r.clone()),
                _ => self.c.notes.not_converted(
                    item,
                    format!(
                        "regexTarget = {target:?}: leakgate matches allowlist regexes against the secret \
                         (`regexes`) or its line (`line_regexes`), not the whole match; rewrite it as one of those"
                    ),
                ),
            }
        }
        entries.stopwords = stopwords;
        for c in &commits {
            self.c.accept.push(Accept::Commit {
                source: format!("{what}.commits {c:?}"),
                commit: c.clone(),
                rules: targets.clone(),
            });
        }
        for (k, _) in t {
            if !matches!(
                k.as_str(),
                "paths"
                    | "regexes"
                    | "stopwords"
                    | "commits"
                    | "condition"
                    | "regexTarget"
                    | "targetRules"
                    | "description"
                    | FROM
            ) {
                self.c.notes.not_converted(
                    format!("{what}.{k}"),
                    "not a gitleaks allowlist setting this conversion knows",
                );
            }
        }
        let scope = match targets.is_empty() {
            true => "allow".to_string(),
            false => format!("allow.per_rule.{}", targets.join(", allow.per_rule.")),
        };
        let how = format!(
            "{scope}: {} path regexes, {} value regexes, {} line regexes, {} stopwords{}",
            entries.path_regexes.len(),
            entries.regexes.len(),
            entries.line_regexes.len(),
            entries.stopwords.len(),
            match commits.len() {
                0 => String::new(),
                n => format!("; {n} commits become baseline entries for the findings they hold"),
            }
        );
        if entries == DraftAllow::default() && commits.is_empty() {
            return;
        }
        self.c.notes.converted(what, how);
        match targets.is_empty() {
            true => self.c.draft.allow.extend(entries),
            false => {
                for id in &targets {
                    self.c.draft.rule_allow(id).extend(entries.clone());
                }
            }
        }
    }
}

/// The rule spec a draft rule becomes (to check it as the config parser will).
fn spec(r: &DraftRule) -> RuleSpec {
    RuleSpec {
        id: r.id.clone(),
        name: r.name.clone(),
        severity: r.severity.unwrap_or(crate::rules::Severity::High),
        keywords: r.keywords.clone(),
        pattern: r.pattern.clone(),
        path: r.path.clone(),
        secret_group: r.secret_group,
        min_entropy: r.min_entropy,
        validate: None,
        exclude: None,
        require: None,
        always: r.always,
        allow_placeholders: false,
        multiline: false,
        inside_words: false,
        help: None,
        examples: Vec::new(),
        negative_examples: Vec::new(),
        references: Vec::new(),
    }
}

/// Parses `.gitleaksignore`: one fingerprint per line, `commit:file:rule:line` from
/// a git scan or `file:rule:line` from a directory scan; `#` starts a comment.
fn ignores(
    text: &str,
    ids: &BTreeMap<String, String>,
    bundled: &HashSet<String>,
    c: &mut Conversion,
) {
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match parse_fingerprint(line) {
            Ok((commit, path, rule, at)) => {
                let rules = match (ids.get(rule), bundled.contains(rule)) {
                    (Some(id), _) => vec![id.clone()],
                    (None, true) => vec![rule.to_string()],
                    (None, false) => Vec::new(),
                };
                c.accept.push(Accept::Finding {
                    source: format!(".gitleaksignore:{}: {line}", n + 1),
                    commit: commit.map(String::from),
                    path: path.trim_start_matches("./").to_string(),
                    line: at,
                    rules,
                });
            }
            Err(e) => c
                .notes
                .not_converted(format!(".gitleaksignore:{}: {line}", n + 1), e.to_string()),
        }
    }
}

/// `(commit, file, rule, line)` of a fingerprint. File names may hold `:`, so the
/// line and rule are taken from the right, and a commit only when the first part
/// is a full object id.
fn parse_fingerprint(fp: &str) -> Result<(Option<&str>, &str, &str, u32)> {
    let mut right = fp.rsplitn(3, ':');
    let (Some(line), Some(rule), Some(rest)) = (right.next(), right.next(), right.next()) else {
        bail!("not a gitleaks fingerprint (want commit:file:rule-id:line or file:rule-id:line)");
    };
    let line: u32 = line
        .parse()
        .with_context(|| format!("`{line}` is not a line number"))?;
    let (commit, file) = match rest.split_once(':') {
        Some((c, f)) if is_object_id(c) => (Some(c), f),
        _ => (None, rest),
    };
    if file.is_empty() || rule.is_empty() {
        bail!("not a gitleaks fingerprint (empty file or rule id)");
    }
    Ok((commit, file, rule, line))
}

fn is_object_id(s: &str) -> bool {
    matches!(s.len(), 40 | 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_parse_from_the_right() {
        let c = "a".repeat(40);
        let fp = format!("{c}:src/a:b.py:generic-api-key:12");
        assert_eq!(
            parse_fingerprint(&fp).unwrap(),
            (Some(c.as_str()), "src/a:b.py", "generic-api-key", 12)
        );
        assert_eq!(
            parse_fingerprint("config/app.yml:aws-access-token:3").unwrap(),
            (None, "config/app.yml", "aws-access-token", 3)
        );
        assert!(parse_fingerprint("just-a-path").is_err());
        assert!(parse_fingerprint("a.py:rule:x").is_err());
    }

    #[test]
    fn ids_become_kebab_case_and_avoid_bundled_ones() {
        let bundled: HashSet<String> = ["github-classic-pat".to_string()].into();
        let mut c = Conversion::default();
        let mut ids = BTreeMap::new();
        let conv = Converter {
            c: &mut c,
            bundled: &bundled,
            ids: &mut ids,
        };
        assert_eq!(conv.leakgate_id("My_Rule.v2"), "my-rule-v2");
        assert_eq!(
            conv.leakgate_id("github-classic-pat"),
            "gitleaks-github-classic-pat"
        );
    }
}
