//! The checks a candidate secret must pass to be a finding, cheapest first, and
//! the name of the one that turned it down (so that a generic rule can defer to a
//! vendor rule's checksum, and so that a user can be told why nothing was found).

use super::{entropy, placeholder, validate};
use crate::types::Rule;

/// Why a candidate is not a finding.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rejection {
    /// The secret group matched nothing.
    Empty,
    /// Its Shannon entropy (bits per byte) is under the rule's `min_entropy`.
    Entropy(f64),
    /// It is a vendor's documented example value (`rules/documented-examples.txt`).
    DocumentedExample,
    /// The placeholder filter took it for a placeholder or template.
    Placeholder,
    /// The rule's named validator (a checksum or structure check) refused it.
    Validator,
}

/// The first check `secret` fails for `rule`, or `None` when it passes them all.
pub fn rejection(rule: &Rule, secret: &[u8]) -> Option<Rejection> {
    if secret.is_empty() {
        return Some(Rejection::Empty);
    }
    if let Some(min) = rule.min_entropy {
        let bits = entropy::shannon(secret);
        if bits < min {
            return Some(Rejection::Entropy(bits));
        }
    }
    if placeholder::is_documented_example(secret) {
        return Some(Rejection::DocumentedExample);
    }
    if !rule.allow_placeholders && placeholder::is_placeholder(secret) {
        return Some(Rejection::Placeholder);
    }
    let check = rule.validate.as_deref().and_then(validate::lookup);
    if check.is_some_and(|check| !check(secret)) {
        return Some(Rejection::Validator);
    }
    None
}

impl Rejection {
    /// The reason for people, with the numbers that decided it (`--explain`).
    pub fn describe(self, rule: &Rule) -> String {
        match self {
            Rejection::Empty => "the secret group is empty".to_string(),
            Rejection::Entropy(bits) => format!(
                "entropy {bits:.2} bits/byte is below the rule's min_entropy {:.2}",
                rule.min_entropy.unwrap_or(0.0)
            ),
            Rejection::DocumentedExample => {
                "a vendor's documented example value (rules/documented-examples.txt)".to_string()
            }
            Rejection::Placeholder => {
                "the placeholder filter takes it for a placeholder".to_string()
            }
            Rejection::Validator => format!(
                "validator `{}` refuses it (checksum or structure)",
                rule.validate.as_deref().unwrap_or("none")
            ),
        }
    }
}
