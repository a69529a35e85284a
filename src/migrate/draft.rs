//! The `.leakgate.yaml` a migration writes: built up by a converter, rendered with
//! the conversion notes as comments at the top, and checked by the config parser
//! before it is written (a converter bug must never leave a broken config).

use super::{Fate, Notes};
use crate::rules::Severity;
use serde_yaml::{Mapping, Value};
use std::collections::BTreeMap;

/// A custom rule converted from another tool.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DraftRule {
    /// The leakgate id.
    pub id: String,
    /// The name shown in reports.
    pub name: String,
    /// Its severity.
    pub severity: Option<Severity>,
    /// Prefilter keywords.
    pub keywords: Vec<String>,
    /// Content pattern.
    pub pattern: Option<String>,
    /// Path pattern.
    pub path: Option<String>,
    /// Capture group of the secret.
    pub secret_group: Option<usize>,
    /// Minimum entropy.
    pub min_entropy: Option<f64>,
    /// Run without a keyword.
    pub always: bool,
    /// A comment line written above the rule.
    pub comment: Option<String>,
}

/// Allowlist entries of one scope (every rule, or one rule).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DraftAllow {
    /// Path globs.
    pub paths: Vec<String>,
    /// Exact values.
    pub values: Vec<String>,
    /// Regexes over the secret.
    pub regexes: Vec<String>,
    /// Stopwords.
    pub stopwords: Vec<String>,
    /// Regexes over the path.
    pub path_regexes: Vec<String>,
    /// Regexes over the line.
    pub line_regexes: Vec<String>,
}

impl DraftAllow {
    /// Adds the entries of `other`, skipping ones already present.
    pub fn extend(&mut self, other: DraftAllow) {
        let add = |to: &mut Vec<String>, from: Vec<String>| {
            for v in from {
                if !to.contains(&v) {
                    to.push(v);
                }
            }
        };
        add(&mut self.paths, other.paths);
        add(&mut self.values, other.values);
        add(&mut self.regexes, other.regexes);
        add(&mut self.stopwords, other.stopwords);
        add(&mut self.path_regexes, other.path_regexes);
        add(&mut self.line_regexes, other.line_regexes);
    }

    fn is_empty(&self) -> bool {
        *self == DraftAllow::default()
    }

    fn to_yaml(&self) -> Mapping {
        let mut m = Mapping::new();
        for (key, list) in [
            ("paths", &self.paths),
            ("values", &self.values),
            ("regexes", &self.regexes),
            ("stopwords", &self.stopwords),
            ("path_regexes", &self.path_regexes),
            ("line_regexes", &self.line_regexes),
        ] {
            if !list.is_empty() {
                m.insert(key.into(), strings(list));
            }
        }
        m
    }
}

/// The config being built.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    /// `bundled_rules` (None: leave the default, true).
    pub bundled_rules: Option<bool>,
    /// Bundled rule ids to disable.
    pub disable: Vec<String>,
    /// Custom rules.
    pub rules: Vec<DraftRule>,
    /// Entries for every rule.
    pub allow: DraftAllow,
    /// Entries for one rule, by id.
    pub per_rule: BTreeMap<String, DraftAllow>,
    /// `peer_markers` (None: the default, true).
    pub peer_markers: Option<bool>,
}

impl Draft {
    /// The entries for one rule, created when first asked for.
    pub fn rule_allow(&mut self, id: &str) -> &mut DraftAllow {
        self.per_rule.entry(id.to_string()).or_default()
    }

    /// The YAML document: a comment block naming the source and every note, then
    /// the settings.
    pub fn render(&self, source: &str, notes: &Notes) -> String {
        let mut out = format!(
            "# leakgate configuration converted from {source} by `leakgate init --from`.\n\
             # Check it with `leakgate config check`; what was converted and what was not\n\
             # is listed here (and was printed by the command).\n#\n"
        );
        for (fate, title) in [
            (Fate::Converted, "Converted"),
            (Fate::Differs, "Converted, with a difference"),
            (Fate::NotConverted, "Not converted"),
        ] {
            let list: Vec<_> = notes.with(fate).collect();
            if list.is_empty() {
                continue;
            }
            out.push_str(&format!("# {title}:\n"));
            for n in list {
                let text = format!("{}: {}", n.what, n.why);
                for line in text.lines() {
                    out.push_str(&format!("#   {line}\n"));
                }
            }
        }
        out.push_str("#\n");
        let body = serde_yaml::to_string(&Value::Mapping(self.to_yaml()))
            .expect("a config draft serializes");
        if body.trim() != "{}" {
            out.push_str(&body);
        }
        out
    }

    fn to_yaml(&self) -> Mapping {
        let mut m = Mapping::new();
        if let Some(b) = self.bundled_rules {
            m.insert("bundled_rules".into(), b.into());
        }
        if let Some(p) = self.peer_markers {
            m.insert("peer_markers".into(), p.into());
        }
        if !self.disable.is_empty() {
            m.insert("disable".into(), strings(&self.disable));
        }
        if !self.rules.is_empty() {
            let rules = self.rules.iter().map(|r| Value::Mapping(rule(r))).collect();
            m.insert("rules".into(), Value::Sequence(rules));
        }
        let mut allow = self.allow.to_yaml();
        let per_rule: Mapping = self
            .per_rule
            .iter()
            .filter(|(_, a)| !a.is_empty())
            .map(|(id, a)| (id.as_str().into(), Value::Mapping(a.to_yaml())))
            .collect();
        if !per_rule.is_empty() {
            allow.insert("per_rule".into(), Value::Mapping(per_rule));
        }
        if !allow.is_empty() {
            m.insert("allow".into(), Value::Mapping(allow));
        }
        m
    }
}

fn rule(r: &DraftRule) -> Mapping {
    let mut m = Mapping::new();
    m.insert("id".into(), r.id.as_str().into());
    m.insert("name".into(), r.name.as_str().into());
    let sev = r.severity.unwrap_or(Severity::High);
    m.insert("severity".into(), sev.as_str().into());
    if !r.keywords.is_empty() {
        m.insert("keywords".into(), strings(&r.keywords));
    }
    if let Some(p) = &r.pattern {
        m.insert("pattern".into(), p.as_str().into());
    }
    if let Some(p) = &r.path {
        m.insert("path".into(), p.as_str().into());
    }
    if let Some(g) = r.secret_group {
        m.insert("secret_group".into(), (g as u64).into());
    }
    if let Some(e) = r.min_entropy {
        m.insert("min_entropy".into(), e.into());
    }
    if r.always {
        m.insert("always".into(), true.into());
    }
    if let Some(c) = &r.comment {
        m.insert("help".into(), c.as_str().into());
    }
    m
}

fn strings(list: &[String]) -> Value {
    Value::Sequence(list.iter().map(|s| s.as_str().into()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_renders_to_a_config_leakgate_accepts() {
        let mut d = Draft {
            bundled_rules: Some(true),
            ..Draft::default()
        };
        d.rules.push(DraftRule {
            id: "acme-key".into(),
            name: "ACME key".into(),
            keywords: vec!["acme_".into()],
            pattern: Some(r"\b(acme_[a-z0-9]{16})\b".into()),
            min_entropy: Some(3.5),
            ..DraftRule::default()
        });
        d.allow.path_regexes.push(r"(^|/)vendor/".into());
        d.rule_allow("acme-key").stopwords.push("example".into());
        let mut notes = Notes::default();
        notes.converted("rules[0] (acme-key)", "custom rule `acme-key`");
        notes.not_converted("title", "informational");
        let text = d.render(".gitleaks.toml", &notes);
        assert!(
            text.contains("# Not converted:\n#   title: informational\n"),
            "{text}"
        );
        let config = crate::config::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(config.rules.len(), 1);
        assert_eq!(config.allow.path_regexes.len(), 1);
        assert_eq!(config.allow.per_rule.len(), 1);
    }
}
