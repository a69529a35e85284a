//! The rule the engine runs: a rule file's fields, bundled or the user's, without
//! its examples. Built by the rules stage from the YAML form or the build script's
//! pre-digested data.

use super::Severity;

/// A rule ready for the engine: the YAML fields plus the family it belongs to.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Stable identifier.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Rule family (the bundled file stem, or `custom` for user rules).
    pub family: String,
    /// Severity of a finding.
    pub severity: Severity,
    /// Prefilter keywords.
    pub keywords: Vec<String>,
    /// Content pattern.
    pub pattern: Option<String>,
    /// Path pattern.
    pub path: Option<String>,
    /// Capture group of the secret.
    pub secret_group: Option<usize>,
    /// Minimum entropy of the secret, bits per byte.
    pub min_entropy: Option<f64>,
    /// Validator name.
    pub validate: Option<String>,
    /// Literals one of which any path a path-only rule matches holds.
    pub path_literals: Option<Vec<Vec<u8>>>,
    /// Pattern on the match's line that vetoes it.
    pub exclude: Option<String>,
    /// Pattern on the match's line that must match.
    pub require: Option<String>,
    /// Run without keywords.
    pub always: bool,
    /// The content pattern can match a newline, so a changed file is read whole
    /// for it. Worked out once (by the build script for bundled rules): parsing
    /// every pattern again would cost a hook run more than the rest of its work.
    pub spans_lines: bool,
    /// Skip the placeholder filter.
    pub allow_placeholders: bool,
    /// Every match starts with a keyword at the start of a word, so a keyword hit
    /// inside a longer word (`wise` in `otherwise`) does not make the rule a candidate.
    pub keywords_start_words: bool,
    /// What to do about a finding.
    pub help: Option<String>,
}
