//! Filters: findings a team has decided to accept.
//!
//! From narrowest to broadest: an inline marker on the line ([`inline`]), an entry
//! of the baseline file ([`baseline`]: one secret at one path), and the config
//! allowlists ([`list`]: globs, values, regexes, stopwords). They are checked in that
//! order, so a suppressed finding is credited to the most specific reason. A
//! suppressed finding is kept with its [`Suppression`], so a reviewer can list what
//! was allowed and why.

pub mod baseline;
pub mod inline;
pub mod list;
pub mod policy;

pub use crate::types::Suppression;
use crate::types::{fingerprint, Finding, Location};
use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Turns the path of a file scanned from disk into a repository-relative path, so
/// `leakgate scan .` from a subdirectory, or with an absolute path, matches the
/// same globs and baseline entries as the pre-commit hook. Git sources already
/// give repository-relative paths.
#[derive(Debug, Clone, Default)]
pub struct PathMap {
    root: Option<PathBuf>,
    cwd: Option<PathBuf>,
}

impl PathMap {
    /// Paths relative to `root`, for files named relative to the current directory.
    pub fn new(root: Option<&Path>) -> PathMap {
        let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        PathMap {
            root: root.map(canon),
            cwd: std::env::current_dir().ok().map(|p| canon(&p)),
        }
    }

    /// The repository-relative path of a finding's origin (the path as given when
    /// it lies outside the repository).
    pub fn relative<'a>(&self, f: &'a Finding) -> Cow<'a, str> {
        let path = f.origin.path.as_str();
        let (Location::File, Some(root)) = (&f.origin.location, &self.root) else {
            return Cow::Borrowed(path);
        };
        let p = Path::new(path);
        let full = match (&self.cwd, p.is_absolute()) {
            (_, true) => p.to_path_buf(),
            (Some(cwd), false) if cwd != root => cwd.join(p),
            _ => return Cow::Borrowed(path),
        };
        match full.strip_prefix(root) {
            Ok(rel) => Cow::Owned(normalise(rel)),
            Err(_) => Cow::Borrowed(path),
        }
    }
}

fn normalise(rel: &Path) -> String {
    let parts: Vec<String> = rel
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// The filters, applied in order.
#[derive(Debug, Default, Clone)]
pub struct Allow {
    /// Inline markers honoured.
    pub inline: inline::Markers,
    /// The accepted findings, if a baseline is in use.
    pub baseline: Option<Arc<baseline::BaselineFile>>,
    /// The config allowlists.
    pub list: Arc<list::AllowList>,
    /// How scanned paths map to repository paths.
    pub paths: PathMap,
    /// Which findings that stand block.
    pub policy: Arc<policy::Policy>,
}

impl Allow {
    /// Why `finding` is suppressed, or `None` if it stands.
    pub fn check(&self, finding: &Finding) -> Option<Suppression> {
        if let Some(m) = self.inline.check(&finding.allow_context) {
            return Some(Suppression::Inline(m));
        }
        if self.baseline.is_none() && self.list.is_empty() {
            return None;
        }
        let (path, fp) = self.key(finding);
        if self
            .baseline
            .as_ref()
            .is_some_and(|b| b.accepts(finding, &path, &fp))
        {
            return Some(Suppression::Baseline);
        }
        let path = (!finding.origin.is_message()).then_some(path.as_str());
        self.list
            .check(
                &finding.rule.id,
                path,
                &finding.secret,
                &finding.allow_context,
            )
            .map(|why| Suppression::Config(why.to_string()))
    }

    /// Why a finding that stands does not block (the blocking policy), if it does not.
    pub fn not_blocking(&self, finding: &Finding) -> Option<String> {
        let path = self.paths.relative(finding);
        let path = (!finding.origin.is_message()).then_some(path.as_ref());
        self.policy.not_blocking(finding, path)
    }

    /// A finding's repository-relative path and its fingerprint under that path
    /// (the key of a baseline entry).
    pub fn key(&self, finding: &Finding) -> (String, String) {
        match self.paths.relative(finding) {
            Cow::Borrowed(p) => (p.to_string(), finding.fingerprint.clone()),
            Cow::Owned(p) => {
                let fp = fingerprint(&finding.rule.id, &finding.rule.family, &p, &finding.secret);
                (p, fp)
            }
        }
    }
}
