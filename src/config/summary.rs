//! `leakgate config check`'s report: the effective rule set and what the config
//! changed, so a reviewer sees what a config does without reading every rule.

use super::Loaded;
use crate::rules::{self, Rule};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A plain-text summary of a loaded config and the rules it produces.
pub fn render(loaded: &Loaded, rules: &[Rule]) -> String {
    let mut out = String::new();
    let source = match &loaded.path {
        Some(p) => format!("config {} is valid", p.display()),
        None => "no config file: bundled rules and defaults".to_string(),
    };
    let _ = writeln!(out, "{source}");
    rule_set(&mut out, loaded, rules);
    let _ = writeln!(out, "fail_on: {}", loaded.fail_on().as_str());
    non_blocking(&mut out, loaded);
    let markers = if loaded.no_peer_markers || loaded.config.peer_markers == Some(false) {
        "leakgate:allow only"
    } else {
        "leakgate:allow and peer markers"
    };
    let _ = writeln!(out, "inline markers: {markers}");
    allowlists(&mut out, loaded);
    baseline(&mut out, loaded, rules);
    out
}

/// The baseline file, its size, and entries of rules that no longer run.
fn baseline(out: &mut String, loaded: &Loaded, rules: &[Rule]) {
    let Some(file) = &loaded.baseline else {
        let _ = writeln!(out, "baseline: none");
        return;
    };
    let Ok(base) = file.get() else { return };
    let _ = writeln!(
        out,
        "baseline: {} ({} entries)",
        file.path().display(),
        base.len()
    );
    let active: std::collections::HashSet<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    let stale: Vec<String> = base
        .sorted()
        .into_iter()
        .filter(|(_, e)| !active.contains(e.rule.as_str()))
        .map(|(_, e)| format!("{} in {}", e.rule, e.path))
        .collect();
    if !stale.is_empty() {
        let shown: Vec<&str> = stale.iter().take(5).map(String::as_str).collect();
        let more = stale.len() - shown.len();
        let tail = if more > 0 {
            format!(", and {more} more")
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  {} entries name rules that do not run ({}{tail}); `leakgate baseline prune` removes them",
            stale.len(),
            shown.join(", ")
        );
    }
}

/// Counts per family, then what the config disabled, changed and added.
fn rule_set(out: &mut String, loaded: &Loaded, rules: &[Rule]) {
    let c = &loaded.config;
    let custom = rules.iter().filter(|r| r.family == "custom");
    let replaced = if c.bundled_rules == Some(false) {
        "; bundled rules replaced (bundled_rules: false)"
    } else {
        ""
    };
    let n_custom = custom.clone().count();
    let _ = writeln!(
        out,
        "rules: {} active ({} bundled, {n_custom} custom){replaced}",
        rules.len(),
        rules.len() - n_custom,
    );
    let mut families: BTreeMap<&str, usize> = BTreeMap::new();
    for r in rules {
        *families.entry(r.family.as_str()).or_default() += 1;
    }
    let fam: Vec<String> = families.iter().map(|(f, n)| format!("{f} {n}")).collect();
    let _ = writeln!(out, "  by family: {}", fam.join(", "));
    list(out, "disabled", c.disable.iter().map(|d| d.0.clone()));
    list(
        out,
        "severity changed",
        severity_changes(loaded).into_iter(),
    );
    list(
        out,
        "custom",
        custom.map(|r| format!("{} ({})", r.id, r.severity.as_str())),
    );
}

/// `id old -> new` for each severity the config sets.
fn severity_changes(loaded: &Loaded) -> Vec<String> {
    let c = &loaded.config;
    let mut declared: BTreeMap<String, rules::Severity> = rules::bundled()
        .into_iter()
        .map(|r| (r.id, r.severity))
        .collect();
    declared.extend(c.rules.iter().map(|r| (r.0.id.clone(), r.0.severity)));
    c.severity
        .iter()
        .map(|(id, sev)| match declared.get(&id.0) {
            Some(old) if old != sev => format!("{} {} -> {}", id.0, old.as_str(), sev.as_str()),
            _ => format!("{} {} (unchanged)", id.0, sev.as_str()),
        })
        .collect()
}

fn list(out: &mut String, label: &str, items: impl Iterator<Item = String>) {
    let items: Vec<String> = items.collect();
    if !items.is_empty() {
        let _ = writeln!(out, "  {label}: {}", items.join(", "));
    }
}

/// What is reported but does not block, besides severities below `fail_on`.
fn non_blocking(out: &mut String, loaded: &Loaded) {
    let nb = &loaded.config.non_blocking;
    if nb.paths.is_empty() && nb.rules.is_empty() {
        return;
    }
    let paths: Vec<&str> = nb.paths.iter().map(|g| g.text.as_str()).collect();
    let rules: Vec<&str> = nb.rules.iter().map(|r| r.0.as_str()).collect();
    let _ = writeln!(
        out,
        "non_blocking (reported, not blocking): paths [{}], rules [{}]",
        paths.join(", "),
        rules.join(", ")
    );
}

fn allowlists(out: &mut String, loaded: &Loaded) {
    let a = &loaded.config.allow;
    let _ = writeln!(
        out,
        "allowlists: {} paths, {} values, {} regexes, {} stopwords, {} path regexes, {} line regexes for every rule",
        a.paths.len(),
        a.values.len(),
        a.regexes.len(),
        a.stopwords.len(),
        a.path_regexes.len(),
        a.line_regexes.len()
    );
    for (id, e) in &a.per_rule {
        let _ = writeln!(out, "  {}: {} entries", id.0, e.len());
    }
}
