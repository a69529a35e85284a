//! The rules of the model detector: one per [`Kind`], in the `model` family.
//!
//! They are listed by `leakgate rules` with the bundled rules and configured like
//! them: `disable`, `severity`, per-rule allowlists and baselines name them by id.
//! They have no pattern (the detector finds what they report), so their examples
//! are files rather than text: protocol 0 pickles, which are ASCII, written
//! with `\n` escapes. The test suite proves each example.

use super::Kind;
use crate::rules::Rule;

/// The family of the detector's rules.
pub const FAMILY: &str = "model";

/// One detector rule.
#[derive(Debug, Clone, Copy)]
pub struct ModelRule {
    /// What the rule reports.
    pub kind: Kind,
    /// The human name.
    pub name: &'static str,
    /// What to do about a finding.
    pub help: &'static str,
    /// Files that must produce a finding of this rule.
    pub examples: &'static [&'static [u8]],
    /// Files that must not.
    pub negative_examples: &'static [&'static [u8]],
}

const HELP: &str = "do not load this file: loading it calls what is named above. Remove it from the change; if you made it and trust it, accept it in the baseline or allow its path";

/// Every detector rule.
pub const RULES: &[ModelRule] = &[
    ModelRule {
        kind: Kind::DangerousCallable,
        name: "Model file calls a dangerous function when loaded",
        help: HELP,
        examples: &[
            b"cposix\nsystem\n(S'echo pwned'\ntR.",
            b"c__builtin__\neval\n(S'1+1'\ntR.",
            b"csubprocess\ncheck_output\n((S'id'\nltR.",
        ],
        negative_examples: &[b"ccollections\nOrderedDict\n)R.", b"(lp0\nI1\naI2\na."],
    },
    ModelRule {
        kind: Kind::UnknownCallable,
        name: "Model file calls a function outside the allowlist when loaded",
        help: HELP,
        examples: &[b"cmypkg.tools\nrun\n(S'x'\ntR.", b"(S'x'\nimypkg\nRunner\n."],
        negative_examples: &[
            b"cdatetime\ndate\n(I2024\nI1\nI2\ntR.",
            b"ccopy_reg\n_reconstructor\n(cmypkg\nModel\nc__builtin__\nobject\nNtR(dS'w'\nI1\nsb.",
        ],
    },
    ModelRule {
        kind: Kind::NonConstantGlobal,
        name: "Model file calls or imports something computed while loading",
        help: HELP,
        examples: &[b"ccollections\nOrderedDict\n)R)R."],
        negative_examples: &[b"ccollections\nOrderedDict\n)R."],
    },
    ModelRule {
        kind: Kind::GlobalMutation,
        name: "Model file changes the loading program's own objects",
        help: HELP,
        examples: &[b"ccollections\nOrderedDict\n(dS'x'\nI1\nsb."],
        negative_examples: &[b"(dS'x'\nI1\ns."],
    },
    ModelRule {
        kind: Kind::KerasLambda,
        name: "Keras model with a Lambda layer (stored Python code)",
        help: "a Lambda layer runs the Python code stored in the model; load it only if you trust its source, or rebuild the layer in code",
        examples: &[br#"{"class_name": "Sequential", "config": {"layers": [{"class_name": "Lambda", "config": {"name": "l", "function": ["4wEAAAAA", null, null], "function_type": "lambda"}}]}}"#],
        negative_examples: &[br#"{"class_name": "Sequential", "config": {"layers": [{"class_name": "Dense", "config": {"units": 1}}]}}"#],
    },
];

/// The rule of `kind`.
pub fn rule(kind: Kind) -> &'static ModelRule {
    RULES
        .iter()
        .find(|r| r.kind == kind)
        .expect("every kind has a rule")
}

/// The detector's rules as rules of the rule set (no pattern: only the detector
/// reports them).
pub fn all() -> Vec<Rule> {
    RULES
        .iter()
        .map(|r| Rule {
            id: r.kind.rule_id().into(),
            name: r.name.into(),
            family: FAMILY.into(),
            severity: r.kind.severity(),
            keywords: Vec::new(),
            pattern: None,
            path: None,
            secret_group: None,
            min_entropy: None,
            validate: None,
            path_literals: None,
            exclude: None,
            require: None,
            always: false,
            spans_lines: false,
            allow_placeholders: false,
            keywords_start_words: false,
            help: Some(r.help.into()),
        })
        .collect()
}

/// A rule described for `leakgate rules show`: what it reports, why, and its
/// examples (bytes written with escapes).
pub fn describe(r: &ModelRule) -> String {
    let mut out = format!(
        "# family: {FAMILY} (reported by the model file detector; no pattern)\nid: {}\nname: {}\nseverity: {}\nhelp: {}\n",
        r.kind.rule_id(),
        r.name,
        r.kind.severity().as_str(),
        r.help
    );
    for (label, list) in [
        ("examples", r.examples),
        ("negative_examples", r.negative_examples),
    ] {
        out.push_str(label);
        out.push_str(":\n");
        for e in list {
            out.push_str(&format!("  - {:?}\n", String::from_utf8_lossy(e)));
        }
    }
    out
}

/// The id of every detector rule.
pub fn ids() -> impl Iterator<Item = &'static str> {
    RULES.iter().map(|r| r.kind.rule_id())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::testing::verdict;

    #[test]
    fn every_example_is_proved() {
        for r in RULES {
            for e in r.examples {
                let v = verdict(e);
                assert!(
                    v.findings.iter().any(|f| f.kind == r.kind),
                    "{}: example found nothing: {}: {v:?}",
                    r.kind.rule_id(),
                    String::from_utf8_lossy(e)
                );
            }
            for e in r.negative_examples {
                let v = verdict(e);
                assert!(
                    v.findings.iter().all(|f| f.kind != r.kind),
                    "{}: negative example found: {}: {v:?}",
                    r.kind.rule_id(),
                    String::from_utf8_lossy(e)
                );
            }
            assert!(!r.examples.is_empty());
        }
        assert_eq!(RULES.len(), Kind::ALL.len());
    }
}
