//! The blocking policy: which findings that stand stop a commit or a push, and
//! which are only reported.
//!
//! A team tuning leakgate often wants fewer blocked commits without fewer findings:
//! fake keys in test fixtures, low-severity generic matches. Allowing them (an
//! allowlist or the baseline) hides them; this policy keeps them in every report,
//! marked "reported, not blocking" with the reason, and leaves them out of the exit
//! status. A finding is not blocking when its severity is below `fail_on`, its
//! repository-relative path matches a `non_blocking.paths` glob, or its rule is in
//! `non_blocking.rules`. With no config everything blocks.

use crate::types::{Finding, Severity};
use globset::{GlobSet, GlobSetBuilder};

/// Decides whether a finding blocks.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    fail_on: Option<Severity>,
    globs: Option<GlobSet>,
    glob_texts: Vec<String>,
    rules: Vec<String>,
}

impl Policy {
    /// The policy of a config: its `fail_on` (default `low`: everything blocks),
    /// the path globs of its `non_blocking` section (each with its text, for
    /// reports) and its rule ids.
    pub fn new(
        fail_on: Option<Severity>,
        paths: &[(globset::Glob, String)],
        rules: Vec<String>,
    ) -> Policy {
        let mut b = GlobSetBuilder::new();
        for (glob, _) in paths {
            b.add(glob.clone());
        }
        Policy {
            fail_on,
            // Each glob compiled alone when the config was read, so the set builds.
            globs: (!paths.is_empty()).then(|| b.build().ok()).flatten(),
            glob_texts: paths.iter().map(|(_, text)| text.clone()).collect(),
            rules,
        }
    }

    /// Why a finding at the repository-relative `path` does not block, or `None`
    /// when it blocks. A finding with no path (a commit or tag message) is never
    /// matched by path globs.
    pub fn not_blocking(&self, f: &Finding, path: Option<&str>) -> Option<String> {
        let sev = f.rule.severity;
        if let Some(fail_on) = self.fail_on.filter(|&min| sev < min) {
            return Some(format!(
                "severity {} is below fail_on: {}",
                sev.as_str(),
                fail_on.as_str()
            ));
        }
        if let Some(i) = self.rules.iter().position(|r| *r == f.rule.id) {
            return Some(format!(
                "rule `{}` (non_blocking.rules[{i}])",
                self.rules[i]
            ));
        }
        let i = self.globs.as_ref()?.matches(path?).into_iter().min()?;
        Some(format!(
            "path `{}` (non_blocking.paths[{i}])",
            self.glob_texts[i]
        ))
    }
}
