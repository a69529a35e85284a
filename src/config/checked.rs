//! Config values that are checked while they are parsed: rule ids, path globs, value
//! regexes and custom rules.
//!
//! Why at parse time: `serde_yaml` attaches the line, column and key path of the
//! value being read to an error raised inside a visitor. Checking a glob or a rule id
//! there, rather than after parsing, gives the user `.leakgate.yaml:12:7:
//! allow.paths[2]: ...` for free and exactly, with no second YAML parser to keep in
//! step. Rule ids need to know which ids exist (bundled and custom), which the parser
//! cannot pass down, so [`Known`] is set for the duration of one parse.

use crate::rules::RuleSpec;
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

/// The rule ids a config may name, set while one config is parsed.
#[derive(Debug, Default, Clone)]
pub struct Known {
    /// Every id a config may refer to: bundled and custom.
    pub ids: HashSet<String>,
    /// Bundled ids that stay active (a custom rule may not reuse one).
    pub active_bundled: HashSet<String>,
}

thread_local! {
    static KNOWN: RefCell<Option<Known>> = const { RefCell::new(None) };
    static SEEN_CUSTOM: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
}

/// Runs `parse` with `known` as the set of valid rule ids.
pub fn with_known<T>(known: Known, parse: impl FnOnce() -> T) -> T {
    KNOWN.with(|k| *k.borrow_mut() = Some(known));
    SEEN_CUSTOM.with(|s| s.borrow_mut().clear());
    let out = parse();
    KNOWN.with(|k| *k.borrow_mut() = None);
    out
}

fn check_id(id: &str) -> Result<(), String> {
    KNOWN.with(|k| match &*k.borrow() {
        Some(known) if !known.ids.contains(id) => Err(format!(
            "unknown rule id `{id}` (list the bundled ids with `leakgate config check --rules`)"
        )),
        _ => Ok(()),
    })
}

/// Deserializes a string through `check`, so an error carries the string's location.
fn checked_str<'de, D, T>(
    d: D,
    what: &'static str,
    check: fn(&str) -> Result<T, String>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct V<T> {
        what: &'static str,
        check: fn(&str) -> Result<T, String>,
    }
    impl<T> Visitor<'_> for V<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.what)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            (self.check)(v).map_err(E::custom)
        }
    }
    d.deserialize_str(V { what, check })
}

/// A rule id that names a bundled or custom rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleId(pub String);

impl<'de> Deserialize<'de> for RuleId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked_str(d, "a rule id", |s| check_id(s).map(|_| RuleId(s.into())))
    }
}

/// A path glob, as written and compiled. A glob without `/` matches at any depth
/// (`*.pem` is `**/*.pem`), as in `.gitignore`; `*` never crosses a `/`, `**` does.
#[derive(Debug, Clone)]
pub struct Glob {
    /// The glob as written.
    pub text: String,
    /// The compiled glob.
    pub glob: globset::Glob,
}

impl Glob {
    /// Compiles a glob the way the config means it.
    pub fn new(text: &str) -> Result<Glob, String> {
        let full = if text.contains('/') {
            text.trim_start_matches('/').to_string()
        } else {
            format!("**/{text}")
        };
        let glob = globset::GlobBuilder::new(&full)
            .literal_separator(true)
            .build()
            .map_err(|e| format!("invalid glob `{text}`: {}", e.kind()))?;
        Ok(Glob {
            text: text.into(),
            glob,
        })
    }
}

impl<'de> Deserialize<'de> for Glob {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked_str(d, "a path glob", Glob::new)
    }
}

/// A regex over a secret's bytes (Unicode off, like rule patterns). Only its syntax
/// is checked here; the allowlist compiles all of them into one set, once.
#[derive(Debug, Clone)]
pub struct ValueRegex(pub String);

impl ValueRegex {
    /// Checks the syntax of a value regex.
    pub fn new(text: &str) -> Result<ValueRegex, String> {
        regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(text)
            .map_err(|e| format!("invalid regex `{text}`: {}", first_line(&e.to_string())))?;
        Ok(ValueRegex(text.into()))
    }
}

fn first_line(s: &str) -> String {
    s.lines().last().unwrap_or(s).trim().to_string()
}

impl<'de> Deserialize<'de> for ValueRegex {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked_str(d, "a regex", ValueRegex::new)
    }
}

/// A Python callable the model detector may accept: a dotted name
/// (`mypkg.layers.Block`), or a module followed by `.*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallableName(pub String);

impl CallableName {
    /// Checks the shape of a name.
    pub fn new(text: &str) -> Result<CallableName, String> {
        let (name, prefix) = match text.strip_suffix(".*") {
            Some(module) => (module, true),
            None => (text, false),
        };
        if !crate::detect::pickle::names::is_dotted_identifier(name)
            || !(prefix || name.contains('.'))
        {
            return Err(format!(
                "`{text}` is not a module-qualified Python name (write `package.module.Name` or `package.module.*`)"
            ));
        }
        Ok(CallableName(text.into()))
    }
}

impl<'de> Deserialize<'de> for CallableName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked_str(d, "a Python name", CallableName::new)
    }
}

/// A custom rule, checked as bundled rules are (pattern compiles, keywords, id).
#[derive(Debug, Clone)]
pub struct CustomRule(pub RuleSpec);

fn check_custom(spec: &RuleSpec) -> Result<(), String> {
    crate::engine::check_rule(spec).map_err(|e| format!("rule `{}`: {e:#}", spec.id))?;
    let clash = KNOWN.with(|k| {
        k.borrow()
            .as_ref()
            .is_some_and(|k| k.active_bundled.contains(&spec.id))
    });
    if clash {
        return Err(format!(
            "rule `{}` has the id of a bundled rule (pick another id, or add it to `disable` to replace the bundled one)",
            spec.id
        ));
    }
    if !SEEN_CUSTOM.with(|s| s.borrow_mut().insert(spec.id.clone())) {
        return Err(format!("rule `{}` is defined twice", spec.id));
    }
    Ok(())
}

impl<'de> Deserialize<'de> for CustomRule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CustomRule;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a rule (a mapping with id, name, severity, keywords, pattern)")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<CustomRule, A::Error> {
                let spec = RuleSpec::deserialize(de::value::MapAccessDeserializer::new(map))?;
                check_custom(&spec).map_err(de::Error::custom)?;
                Ok(CustomRule(spec))
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_without_a_slash_match_at_any_depth() {
        let m = |g: &str, p: &str| Glob::new(g).unwrap().glob.compile_matcher().is_match(p);
        assert!(m("*.pem", "a/b/key.pem"));
        assert!(m("*.pem", "key.pem"));
        assert!(m("tests/**", "tests/a/b.py"));
        assert!(!m("tests/*", "tests/a/b.py"));
        assert!(!m("tests/**", "src/tests/a.py"));
        assert!(m("/docs/*.md", "docs/a.md"));
        assert!(Glob::new("a/[b").is_err());
    }

    #[test]
    fn regex_syntax_is_checked() {
        assert!(ValueRegex::new("^AKIA[A-Z0-9]{16}$").is_ok());
        let err = ValueRegex::new("(unclosed").unwrap_err();
        assert!(err.contains("(unclosed"), "{err}");
    }
}
