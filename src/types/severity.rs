//! How bad a leak is. Shared by the rule files (and so by the build script, which
//! includes this file), findings and reports.

use serde::{Deserialize, Serialize};

/// How bad a leak of what a rule finds is. Ordered: `Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Weak signal or little damage (generic detectors, hashes).
    Low,
    /// Sensitive data or a credential of limited reach.
    Medium,
    /// A live credential.
    High,
    /// A credential that opens a whole account, cloud or private key.
    Critical,
}

impl Severity {
    /// The lowercase name used in YAML, reports and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}
