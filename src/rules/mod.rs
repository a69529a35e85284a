//! Rules: what leakgate looks for.
//!
//! Bundled rules are written in `rules/*.yaml`, one file per family, and compiled into
//! the binary by `build.rs` as [`StaticRule`] data (no YAML is parsed at start-up). A
//! user can add rules in the same YAML schema ([`RuleSpec`]); both become [`Rule`]s.
//! Patterns are not compiled here: the engine compiles each one lazily, on its rule's
//! first keyword hit.

pub mod lint;
pub mod schema;

pub use crate::types::{Rule, Severity};
use anyhow::{Context, Result};
use regex::bytes::{Regex, RegexBuilder};
pub use schema::{Example, RuleSpec};
use std::path::Path;

/// Compiles a rule pattern the way the engine runs it: bytes, Unicode off, with
/// the size limits every rule must fit (the build script checks bundled rules with
/// the same dialect).
pub fn compile(pattern: &str) -> Result<Regex> {
    Ok(RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(64 << 20)
        .dfa_size_limit(16 << 20)
        .build()?)
}

/// A bundled rule as pre-digested by the build script.
#[derive(Debug)]
pub struct StaticRule {
    /// See [`RuleSpec::id`].
    pub id: &'static str,
    /// See [`RuleSpec::name`].
    pub name: &'static str,
    /// The rule file's stem (`cloud`, `vcs`, ...).
    pub family: &'static str,
    /// See [`RuleSpec::severity`].
    pub severity: Severity,
    /// See [`RuleSpec::keywords`].
    pub keywords: &'static [&'static str],
    /// See [`RuleSpec::pattern`].
    pub pattern: Option<&'static str>,
    /// See [`RuleSpec::path`].
    pub path: Option<&'static str>,
    /// See [`RuleSpec::secret_group`].
    pub secret_group: Option<usize>,
    /// See [`RuleSpec::min_entropy`].
    pub min_entropy: Option<f64>,
    /// See [`RuleSpec::validate`].
    pub validate: Option<&'static str>,
    /// See [`RuleSpec::path_literals`].
    pub path_literals: Option<&'static [&'static [u8]]>,
    /// See [`RuleSpec::exclude`].
    pub exclude: Option<&'static str>,
    /// See [`RuleSpec::require`].
    pub require: Option<&'static str>,
    /// See [`RuleSpec::always`].
    pub always: bool,
    /// Whether the pattern can match a newline ([`lint::spans_lines`]).
    pub spans_lines: bool,
    /// See [`RuleSpec::allow_placeholders`].
    pub allow_placeholders: bool,
    /// See [`RuleSpec::keywords_start_words`].
    pub keywords_start_words: bool,
    /// See [`RuleSpec::help`].
    pub help: Option<&'static str>,
}

mod bundled {
    use super::{Severity, StaticRule};
    include!(concat!(env!("OUT_DIR"), "/bundled_rules.rs"));
}

impl Rule {
    fn from_static(r: &StaticRule) -> Rule {
        Rule {
            id: r.id.into(),
            name: r.name.into(),
            family: r.family.into(),
            severity: r.severity,
            keywords: r.keywords.iter().map(|k| k.to_string()).collect(),
            pattern: r.pattern.map(Into::into),
            path: r.path.map(Into::into),
            secret_group: r.secret_group,
            min_entropy: r.min_entropy,
            validate: r.validate.map(Into::into),
            path_literals: r
                .path_literals
                .map(|l| l.iter().map(|b| b.to_vec()).collect()),
            exclude: r.exclude.map(Into::into),
            require: r.require.map(Into::into),
            always: r.always,
            spans_lines: r.spans_lines,
            allow_placeholders: r.allow_placeholders,
            keywords_start_words: r.keywords_start_words,
            help: r.help.map(Into::into),
        }
    }

    /// Builds a rule from its YAML form, checking its shape and patterns as the
    /// build script checks bundled rules (whether its validator exists is the
    /// engine's to say: `engine::check_rule`).
    pub fn from_spec(spec: &RuleSpec, family: &str) -> Result<Rule> {
        check_spec(spec).with_context(|| format!("rule `{}`", spec.id))?;
        Ok(Rule {
            id: spec.id.clone(),
            name: spec.name.clone(),
            family: family.into(),
            severity: spec.severity,
            keywords: spec.keywords.clone(),
            pattern: spec.pattern.clone(),
            path: spec.path.clone(),
            secret_group: spec.secret_group,
            min_entropy: spec.min_entropy,
            validate: spec.validate.clone(),
            path_literals: spec.path_literals(),
            exclude: spec.exclude.clone(),
            require: spec.require.clone(),
            always: spec.always,
            spans_lines: spec.pattern.as_deref().is_some_and(lint::spans_lines),
            allow_placeholders: spec.allow_placeholders,
            keywords_start_words: spec.keywords_start_words(),
            help: spec.help.clone(),
        })
    }
}

/// Every bundled rule, in file then declaration order.
pub fn bundled() -> Vec<Rule> {
    bundled::RULES.iter().map(Rule::from_static).collect()
}

/// The bundled rule files as written: `(family, yaml)`. Used for examples and
/// `leakgate rules show`; parsing them costs time, so the scan path never does.
pub fn bundled_sources() -> &'static [(&'static str, &'static str)] {
    bundled::SOURCES
}

/// Parses every bundled rule file with its examples.
pub fn bundled_specs() -> Vec<(String, RuleSpec)> {
    let mut out = Vec::new();
    for (family, text) in bundled::SOURCES {
        let specs: Vec<RuleSpec> =
            serde_yaml::from_str(text).expect("bundled rules are checked by build.rs");
        out.extend(specs.into_iter().map(|s| (family.to_string(), s)));
    }
    out
}

/// Reads a user rule file (a YAML list of rules in the bundled schema).
pub fn load_file(path: &Path) -> Result<Vec<RuleSpec>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read rule file {}", path.display()))?;
    parse_specs(&text).with_context(|| format!("rule file {}", path.display()))
}

/// Parses YAML rule text, reporting the line of a schema error.
pub fn parse_specs(text: &str) -> Result<Vec<RuleSpec>> {
    Ok(serde_yaml::from_str(text)?)
}

/// The checks of a rule's shape every rule must pass to be loaded: a kebab-case
/// id, something to match, a keyword, and patterns that [`compile`] accepts.
/// Whether its `validate` names a known check is the engine's to say
/// (`engine::check_rule`, which runs this first).
pub fn check_spec(spec: &RuleSpec) -> Result<()> {
    spec.check_shape(|p| compile(p).map(|_| ()).map_err(|e| e.to_string()))
        .map_err(anyhow::Error::msg)
}
