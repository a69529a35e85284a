//! Judges of whole files: detectors that read a file's format (the model file
//! detector) rather than its text. The scanner carries them; they see every
//! file's bytes, binary or not, before the text path decides whether to scan it.

use super::{Finding, Origin, SkipReason};
use std::sync::Arc;

/// A judge of whole files by their format rather than their text (the model
/// detector, `detect::Detector`): it sees every file's bytes, binary or
/// not, before the text path decides whether to scan them.
pub trait FileJudge: Send + Sync {
    /// Findings in `bytes`, the whole content of the file at `origin`.
    fn judge(&self, origin: &Arc<Origin>, bytes: &[u8]) -> FileVerdict;
}

/// What a [`FileJudge`] found in one file.
#[derive(Debug, Default)]
pub struct FileVerdict {
    /// Findings.
    pub findings: Vec<Finding>,
    /// The file is a format the judge read (so a binary file was judged, not
    /// skipped).
    pub recognised: bool,
    /// What the summary should list, and why (a Git LFS pointer, a part that
    /// could not be judged), by path.
    pub skipped: Vec<(SkipReason, String)>,
}
