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
