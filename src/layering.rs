//! Holds the module order: each top-level module may refer only to modules
//! before it, so no import cycle can come back. The test reads every file under
//! `src/`, collects the crate paths it names, and fails on any that points at a
//! later (or the same-rank) module, naming the file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The stages, bottom first. Modules in one group may not refer to each other.
const ORDER: &[&[&str]] = &[
    &["types"],
    &["rules"],
    &["source"],
    &["decode"],
    &["engine", "detect"],
    &["allow"],
    &["config"],
    &["report"],
    &["pipeline"],
    &["hook"],
    &["cli"],
];

fn rank(module: &str) -> Option<usize> {
    ORDER.iter().position(|group| group.contains(&module))
}

/// The top-level modules named after each `crate::` in `text` (including the
/// members of a `crate::{a::X, b}` group).
fn referenced(text: &str) -> BTreeSet<String> {
    let marker = concat!("crate", "::");
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find(marker) {
        let before = rest[..i].chars().next_back();
        rest = &rest[i + marker.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue; // `$crate::` or `mycrate::`
        }
        match rest.strip_prefix('{') {
            Some(group) => out.extend(group_members(group)),
            None => out.extend(ident(rest)),
        }
    }
    out
}

/// The first path segment of each member of a brace group.
fn group_members(group: &str) -> Vec<String> {
    let (mut depth, mut out, mut start) = (0usize, Vec::new(), true);
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => start = true,
            c if start && !c.is_whitespace() => {
                out.extend(ident(&group[i..]));
                start = false;
            }
            _ => {}
        }
    }
    out
}

fn ident(s: &str) -> Option<String> {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    (end > 0).then(|| s[..end].to_string())
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The violations of the order in the file at `rel` (relative to `src/`).
fn violations(rel: &Path, text: &str) -> Vec<String> {
    let module = rel
        .components()
        .next()
        .map(|c| {
            c.as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string()
        })
        .unwrap_or_default();
    if matches!(module.as_str(), "lib" | "main" | "layering") {
        return Vec::new();
    }
    let Some(own) = rank(&module) else {
        return vec![format!(
            "{}: module `{module}` has no place in the order in src/layering.rs; add it",
            rel.display()
        )];
    };
    referenced(text)
        .into_iter()
        .filter(|m| m != &module && m != "self")
        .filter(|m| rank(m).is_none_or(|r| r >= own))
        .map(|m| {
            format!(
                "{}: `{module}` refers to `{m}`, which comes later in the order (or beside it)",
                rel.display()
            )
        })
        .collect()
}

#[test]
fn every_module_refers_only_to_earlier_ones() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(files.len() > 20, "found the sources: {files:?}");
    let mut bad = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        bad.extend(violations(file.strip_prefix(&src).unwrap(), &text));
    }
    assert!(bad.is_empty(), "import order broken:\n{}", bad.join("\n"));
}

#[test]
fn the_check_sees_plain_grouped_and_nested_references() {
    let c = concat!("crate", "::");
    let text = format!(
        "use {c}report::Outcome;\nuse {c}{{allow::X, engine::{{a, b}}, types}};\n$crate::cli::x; my{c}cli"
    );
    let found: Vec<String> = referenced(&text).into_iter().collect();
    assert_eq!(found, ["allow", "engine", "report", "types"]);
    let bad = violations(Path::new("allow/mod.rs"), &text);
    assert_eq!(bad.len(), 1, "only report comes after allow: {bad:?}");
    assert!(
        bad[0].starts_with("allow/mod.rs: `allow` refers to `report`"),
        "{bad:?}"
    );
    assert!(violations(Path::new("types/x.rs"), &text).len() == 3);
    assert!(violations(Path::new("engine/x.rs"), &format!("{c}detect::Y"))[0].contains("beside"));
    assert!(violations(Path::new("newstage/x.rs"), "")[0].contains("has no place"));
}
