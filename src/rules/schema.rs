//! The YAML schema of a rule file, shared by the build script (which validates the
//! bundled rules at compile time) and the library (which loads user rules at run time).
//!
//! A rule file is a YAML list of rules. Each rule names what it finds, how severe a
//! leak of it is, the keywords that make a match possible, and the pattern that finds
//! it, plus the examples that prove it.

use super::Severity;
use serde::{Deserialize, Serialize};

/// One example of a rule: either text that is scanned as file content, or a file with
/// a path (and, for rules that look at content, its content).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Example {
    /// Content scanned under a neutral path (`example.txt`); for a rule that only
    /// matches paths, the text is the path.
    Text(String),
    /// A file: its path and, optionally, its content.
    File {
        /// The path the content is scanned under.
        path: String,
        /// The content; absent for path-only rules.
        #[serde(default)]
        content: Option<String>,
    },
}

/// A rule as written in YAML.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Stable kebab-case identifier, used in reports, baselines and config.
    pub id: String,
    /// Human name of what the rule finds.
    pub name: String,
    /// How severe a leak is.
    pub severity: Severity,
    /// Literal keywords (ASCII case-insensitive); the rule's pattern only runs on a
    /// chunk that contains one. May be empty only for rules with a `path`, or rules
    /// that set `always: true`.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The content pattern (`regex::bytes` syntax, Unicode off). Absent for rules
    /// that match on the file path alone.
    #[serde(default)]
    pub pattern: Option<String>,
    /// A path pattern: the rule applies only to files whose path matches it. A rule
    /// with a `path` and no `pattern` reports the file itself.
    #[serde(default)]
    pub path: Option<String>,
    /// Which capture group holds the secret (default: 1 when the pattern has a
    /// group, else the whole match).
    #[serde(default)]
    pub secret_group: Option<usize>,
    /// Minimum Shannon entropy of the secret (the whole capture group, a token's
    /// fixed prefix included), in bits per byte.
    #[serde(default)]
    pub min_entropy: Option<f64>,
    /// A named checksum or structure check the secret must pass.
    #[serde(default)]
    pub validate: Option<String>,
    /// A pattern run on the text from the start of the match's line to the end of
    /// the match: when it matches, the match is not a finding (for context the
    /// secret alone does not show, such as a variable named `next_page_token`).
    #[serde(default)]
    pub exclude: Option<String>,
    /// A pattern that must match the same text as `exclude` (the match's line up
    /// to the end of the match) for the match to be a finding: context a cheap
    /// pattern leaves out, such as the word `card` somewhere before a number.
    #[serde(default)]
    pub require: Option<String>,
    /// Run the pattern on every chunk, without a keyword (for formats with no
    /// literal, like card numbers). Costs throughput; use sparingly.
    #[serde(default)]
    pub always: bool,
    /// Skip the placeholder filter (for formats that legitimately hold long runs or
    /// words). Vendor-documented example values are still never findings.
    #[serde(default)]
    pub allow_placeholders: bool,
    /// The format spans lines by design (a PEM body, a YAML block, a netrc entry):
    /// the pattern may match `\n`. Without it, the lint (`rules::lint`) rejects
    /// patterns whose gaps can cross a line.
    #[serde(default)]
    pub multiline: bool,
    /// The pattern's context word is matched inside longer identifiers by design
    /// (`dbPassword`, `customerSSN`, `PostmarkClient`): the lint does not ask for
    /// word boundaries around it.
    #[serde(default)]
    pub inside_words: bool,
    /// One line on what to do about a finding, shown under it.
    #[serde(default)]
    pub help: Option<String>,
    /// Texts that must produce a finding.
    #[serde(default)]
    pub examples: Vec<Example>,
    /// Texts that must not.
    #[serde(default)]
    pub negative_examples: Vec<Example>,
    /// Where the format is documented.
    #[serde(default)]
    pub references: Vec<String>,
}

impl RuleSpec {
    /// The checks every rule must pass, bundled or not: a kebab-case id, something
    /// to match, a keyword for the prefilter, and patterns that `compile` accepts.
    /// Shared by the build script and the library, so both judge rules alike.
    pub fn check_shape(&self, compile: impl Fn(&str) -> Result<(), String>) -> Result<(), String> {
        let kebab = !self.id.is_empty()
            && self
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !kebab {
            return Err("id must be kebab-case (a-z, 0-9, -)".into());
        }
        if self.pattern.is_none() && self.path.is_none() {
            return Err("needs a `pattern`, a `path`, or both".into());
        }
        if self.pattern.is_some() && self.keywords.is_empty() && self.path.is_none() && !self.always
        {
            return Err("needs at least one keyword (or `always: true`)".into());
        }
        let patterns = [&self.pattern, &self.path, &self.exclude, &self.require];
        for pattern in patterns.into_iter().flatten() {
            compile(pattern).map_err(|e| format!("pattern does not compile: {e}"))?;
        }
        Ok(())
    }
}

impl RuleSpec {
    /// The precision problems of the rule's content pattern (see `rules::lint`):
    /// empty when it has none. The build fails on any in a bundled rule;
    /// `leakgate rules test` reports those of a user rule.
    pub fn lint(&self) -> Vec<String> {
        self.pattern.as_deref().map_or_else(Vec::new, |p| {
            super::lint::lint_pattern(p, self.multiline, self.inside_words, self.secret_group)
        })
    }
}

impl RuleSpec {
    /// Whether every match of the content pattern starts with one of the keywords at
    /// the start of a word (see `rules::lint::keywords_start_words`): the prefilter
    /// then ignores keyword hits inside longer words. Never for `inside_words` rules.
    pub fn keywords_start_words(&self) -> bool {
        !self.inside_words
            && self
                .pattern
                .as_deref()
                .is_some_and(|p| super::lint::keywords_start_words(p, &self.keywords))
    }
}

impl RuleSpec {
    /// For a path-only rule: literals one of which every path it matches must
    /// contain (each match ends with one), or `None` when there is no finite set.
    /// The engine tests them before compiling the path pattern; the build script
    /// works them out for bundled rules, so start-up parses no pattern.
    pub fn path_literals(&self) -> Option<Vec<Vec<u8>>> {
        use regex_syntax::hir::literal::{ExtractKind, Extractor};
        if self.pattern.is_some() {
            return None;
        }
        let hir = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(self.path.as_deref()?)
            .ok()?;
        let seq = Extractor::new().kind(ExtractKind::Suffix).extract(&hir);
        let literals = seq.literals()?;
        let usable = !literals.is_empty() && literals.iter().all(|l| !l.as_bytes().is_empty());
        usable.then(|| literals.iter().map(|l| l.as_bytes().to_vec()).collect())
    }
}
