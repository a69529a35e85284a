//! Tracing a scan: what the engine did with a chunk, step by step, so a user can
//! be told why a line gave a finding or why it gave none (`scan --explain`).
//!
//! The engine has one scan path. It reports each decision it takes (a rule's
//! keyword hit, a rule out of scope for the path, a pattern match and the check
//! that dropped it, the overlap that shadowed it, the finding that stands) to a
//! [`Trace`]. An ordinary scan passes [`Off`], whose method does nothing and is
//! inlined away, so tracing costs nothing when it is off; `--explain` passes a
//! [`Recorder`] and reads the steps back. Nothing here prints: reports do.

use super::checks::Rejection;
use crate::types::{Finding, Rule};
use std::sync::Arc;

/// A byte range `(start, end)` in the chunk's bytes.
pub type Span = (usize, usize);

/// One decision of the engine on a chunk.
#[derive(Debug, Clone, Copy)]
pub enum Step<'a> {
    /// A rule's keyword occurs in the chunk (or the rule runs on every chunk):
    /// its pattern will run, if the path is in its scope.
    Candidate(&'a Arc<Rule>),
    /// A candidate rule whose `path` pattern does not match the chunk's path: its
    /// pattern does not run.
    OutOfScope(&'a Arc<Rule>),
    /// A match of a rule's pattern that is not a finding, and why.
    Dropped {
        /// The rule.
        rule: &'a Arc<Rule>,
        /// The whole match, where known (dedupe steps only know the secret).
        whole: Option<Span>,
        /// The secret group.
        secret: Span,
        /// What dropped it.
        why: Why<'a>,
    },
    /// A finding that came out of the engine, with its secret's span in the
    /// chunk. Allowlists, the baseline and inline markers judge it next.
    Found {
        /// The finding.
        finding: &'a Finding,
        /// The secret group.
        secret: Span,
    },
}

/// Why a match is not a finding.
#[derive(Debug, Clone, Copy)]
pub enum Why<'a> {
    /// A check of the secret itself failed (entropy, placeholder, validator, ...).
    Check(Rejection),
    /// A fixed-prefix token that continues a run of base64 (an embedded image, a
    /// key blob): a chance spelling of the encoding ([`super::boundary`]).
    InEncodedRun,
    /// The rule's `exclude` pattern matched the line up to the match.
    Excluded,
    /// The rule's `require` pattern did not match the line up to the match.
    NotRequired,
    /// A generic rule's match overlaps a token that a vendor rule refused for its
    /// checksum or structure: a random look-alike.
    VendorRefused,
    /// It overlaps a finding of a more specific rule (one secret, one finding).
    Shadowed(&'a Arc<Rule>),
}

/// Hears every step of a scan.
pub trait Trace {
    /// Called for each step, in the order the engine takes them.
    fn step(&mut self, step: Step<'_>);
}

/// No tracing: the ordinary scan.
#[derive(Debug, Default, Clone, Copy)]
pub struct Off;

impl Trace for Off {
    #[inline(always)]
    fn step(&mut self, _: Step<'_>) {}
}

/// A step, owned, as a [`Recorder`] keeps it.
#[derive(Debug, Clone)]
pub enum Record {
    /// See [`Step::Candidate`].
    Candidate(Arc<Rule>),
    /// See [`Step::OutOfScope`].
    OutOfScope(Arc<Rule>),
    /// See [`Step::Dropped`].
    Dropped {
        /// The rule.
        rule: Arc<Rule>,
        /// The whole match, where known.
        whole: Option<Span>,
        /// The secret group.
        secret: Span,
        /// What dropped it.
        why: Dropped,
    },
    /// See [`Step::Found`].
    Found {
        /// The finding.
        finding: Box<Finding>,
        /// The secret group.
        secret: Span,
    },
}

/// [`Why`], owned.
#[derive(Debug, Clone)]
pub enum Dropped {
    /// See [`Why::Check`].
    Check(Rejection),
    /// See [`Why::InEncodedRun`].
    InEncodedRun,
    /// See [`Why::Excluded`].
    Excluded,
    /// See [`Why::NotRequired`].
    NotRequired,
    /// See [`Why::VendorRefused`].
    VendorRefused,
    /// See [`Why::Shadowed`].
    Shadowed(Arc<Rule>),
}

impl From<Why<'_>> for Dropped {
    fn from(why: Why<'_>) -> Dropped {
        match why {
            Why::Check(r) => Dropped::Check(r),
            Why::InEncodedRun => Dropped::InEncodedRun,
            Why::Excluded => Dropped::Excluded,
            Why::NotRequired => Dropped::NotRequired,
            Why::VendorRefused => Dropped::VendorRefused,
            Why::Shadowed(rule) => Dropped::Shadowed(rule.clone()),
        }
    }
}

/// Keeps every step, owned, in order.
#[derive(Debug, Default)]
pub struct Recorder {
    /// The steps so far.
    pub records: Vec<Record>,
}

impl Trace for Recorder {
    fn step(&mut self, step: Step<'_>) {
        self.records.push(match step {
            Step::Candidate(rule) => Record::Candidate(rule.clone()),
            Step::OutOfScope(rule) => Record::OutOfScope(rule.clone()),
            Step::Dropped {
                rule,
                whole,
                secret,
                why,
            } => Record::Dropped {
                rule: rule.clone(),
                whole,
                secret,
                why: why.into(),
            },
            Step::Found { finding, secret } => Record::Found {
                finding: Box::new(finding.clone()),
                secret,
            },
        });
    }
}

impl Dropped {
    /// The reason for people, with the numbers that decided it.
    pub fn describe(&self, rule: &Rule) -> String {
        match self {
            Dropped::Check(r) => r.describe(rule),
            Dropped::InEncodedRun => {
                "it continues a run of base64 (an embedded image or blob), so it is not a token"
                    .to_string()
            }
            Dropped::Excluded => "the rule's `exclude` pattern matches the line".to_string(),
            Dropped::NotRequired => {
                "the rule's `require` pattern does not match the line".to_string()
            }
            Dropped::VendorRefused => {
                "a vendor rule refused this token's checksum or structure (a look-alike)"
                    .to_string()
            }
            Dropped::Shadowed(by) => format!(
                "overlaps a finding of `{}` (one secret, one finding: the more specific rule stands)",
                by.id
            ),
        }
    }
}
