//! Filters: findings a team has decided to accept.
//!
//! From narrowest to broadest: an inline marker on the line ([`inline`]), and
//! config allowlists. A suppressed finding is kept with its [`Suppression`], so a
//! reviewer can list what was allowed and why.

pub mod inline;

use crate::engine::Finding;

/// Why a finding was suppressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Suppression {
    /// An inline marker on the line (the marker text).
    Inline(&'static str),
    /// A config allowlist entry (a description of it).
    Config(String),
    /// An entry of the baseline file.
    Baseline,
}

impl std::fmt::Display for Suppression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Suppression::Inline(m) => write!(f, "inline marker `{m}`"),
            Suppression::Config(why) => write!(f, "config allowlist: {why}"),
            Suppression::Baseline => write!(f, "baseline entry"),
        }
    }
}

/// The filters, applied in order.
#[derive(Debug, Default)]
pub struct Allow {
    /// Inline markers honoured.
    pub inline: inline::Markers,
}

impl Allow {
    /// Why `finding` is suppressed, or `None` if it stands.
    pub fn check(&self, finding: &Finding) -> Option<Suppression> {
        self.inline
            .check(&finding.allow_context)
            .map(Suppression::Inline)
    }
}
