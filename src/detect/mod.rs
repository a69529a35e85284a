//! Detectors: judges of binary formats that the regex engine cannot read.
//!
//! The engine judges text against rules; a model file is judged by what it does
//! when loaded. Pickle-based formats (`.pkl`, joblib, PyTorch `.pt`/`.bin`/`.ckpt`,
//! NumPy object arrays, ...) run code at `load()`: a pickle is a small program for
//! a stack machine that can import any callable and call it. This module finds
//! such files by their magic bytes ([`formats`]), opens their containers as the
//! loaders do (zip, tar, compression, `.npy` headers, joblib's interleaved array
//! bytes, Keras configs), and runs every pickle stream on an emulation of
//! CPython's C unpickler ([`pickle`]) that resolves each callable exactly as the
//! unpickler would and judges it against an allowlist of what real model files
//! use. No Python is needed, so the verdict is the same on every machine.
//!
//! The result is a [`Verdict`]: findings (each naming the callable, why it is
//! dangerous, the path inside the file and the opcode offset), notes (what was
//! seen but does not block) and what could not be judged (an encrypted entry, a
//! size limit reached). Judging never fails: a malformed file is judged as far as
//! a loader would read it.

mod detector;
pub mod formats;
pub mod pickle;
pub mod rules;

pub use detector::Detector;

use crate::rules::Severity;
pub use pickle::allowlist::Extra;

/// What kind of problem a finding is; each kind is one rule id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A callable known to run code, touch the system or load more code.
    DangerousCallable,
    /// A callable outside the allowlist, called with arguments the file chooses.
    UnknownCallable,
    /// A callable or global name computed while loading, so what runs cannot be
    /// read from the file.
    NonConstantGlobal,
    /// The file changes a module-level object of the loading program.
    GlobalMutation,
    /// A Keras Lambda layer: Python code stored in the model.
    KerasLambda,
}

impl Kind {
    /// Every kind, in rule order.
    pub const ALL: [Kind; 5] = [
        Kind::DangerousCallable,
        Kind::UnknownCallable,
        Kind::NonConstantGlobal,
        Kind::GlobalMutation,
        Kind::KerasLambda,
    ];

    /// The rule id findings of this kind carry.
    pub fn rule_id(self) -> &'static str {
        match self {
            Kind::DangerousCallable => "model-dangerous-callable",
            Kind::UnknownCallable => "model-unknown-callable",
            Kind::NonConstantGlobal => "model-nonconstant-global",
            Kind::GlobalMutation => "model-global-mutation",
            Kind::KerasLambda => "model-keras-lambda",
        }
    }

    /// The default severity.
    pub fn severity(self) -> Severity {
        match self {
            Kind::DangerousCallable => Severity::Critical,
            _ => Severity::High,
        }
    }
}

/// One step of the way from a file to what a finding is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layer {
    /// A member of an archive (a zip or tar entry), by its name in the archive.
    Entry(String),
    /// A decoding or a place within the bytes (`xz`, `pickle stream 2 at byte 120`).
    Step(String),
}

/// Writes `path` followed by the layers: `model.pt!/archive/data.pkl`,
/// `model.joblib -> xz`.
pub fn display_chain(path: &str, layers: &[Layer]) -> String {
    let mut out = path.to_string();
    for layer in layers {
        match layer {
            Layer::Entry(name) => {
                out.push_str("!/");
                out.push_str(name);
            }
            Layer::Step(what) => {
                out.push_str(" -> ");
                out.push_str(what);
            }
        }
    }
    out
}

/// A model file that runs code when loaded, or may.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What kind of problem (and so which rule).
    pub kind: Kind,
    /// The callable, fully qualified as the loader resolves it (`posix.system`),
    /// or what stands in its place.
    pub callable: String,
    /// Why it is a problem, in a sentence for people.
    pub why: String,
    /// Where inside the file, outermost first.
    pub layers: Vec<Layer>,
    /// Byte offset of the opcode (or the JSON object) in the innermost layer.
    pub offset: Option<u64>,
}

/// Something seen that does not block: an unknown class rebuilt from saved state,
/// a Git LFS pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Where inside the file.
    pub layers: Vec<Layer>,
    /// What was seen.
    pub text: String,
}

/// What judging one file found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    /// The outermost model format recognised, if any (`pickle`, `zip`, `npy`, ...).
    pub format: Option<&'static str>,
    /// Findings, in the order found.
    pub findings: Vec<Finding>,
    /// Notes.
    pub notes: Vec<Note>,
    /// Parts that could not be judged, and why (`archive/x: encrypted`).
    pub unjudged: Vec<String>,
}

impl Verdict {
    /// True when nothing was recognised: the file is not a model format.
    pub fn is_irrelevant(&self) -> bool {
        self.format.is_none() && self.findings.is_empty() && self.unjudged.is_empty()
    }
}

/// Bounds on the work one file may cause: containers nest, and compressed data
/// can expand a thousandfold (bombs are an input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How many containers or decodings deep to go (zip in gzip in zip ...).
    pub max_depth: usize,
    /// Bytes all decompression of one file may produce in total.
    pub max_output: u64,
    /// Archive entries judged per file, over all archives in it.
    pub max_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 6,
            max_output: 512 << 20,
            max_entries: 10_000,
        }
    }
}

/// How to judge: the user's extra allowed names and the limits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// Names the user allows (`.leakgate.yaml` `models.allow`).
    pub extra: Extra,
    /// Bounds on the work.
    pub limits: Limits,
}

/// Judges one file's bytes. Never fails: what cannot be read is in
/// [`Verdict::unjudged`].
pub fn judge(bytes: &[u8], policy: &Policy) -> Verdict {
    let mut ctx = Ctx::new(policy);
    ctx.verdict.format = formats::judge(bytes, &mut ctx);
    ctx.verdict
}

/// Whether `bytes` is a Git LFS pointer: the file's content is not in git.
pub fn is_lfs_pointer(bytes: &[u8]) -> bool {
    bytes.len() < 1024 && bytes.starts_with(b"version https://git-lfs.github.com/spec/")
}

/// Findings reported per file; a file with more is surely hostile, and listing
/// them all helps no one.
const MAX_FINDINGS: usize = 1000;
/// Notes kept per file.
const MAX_NOTES: usize = 100;

/// The state of one judgement: where we are inside the file, the budget left,
/// and what has been found.
pub(crate) struct Ctx<'p> {
    policy: &'p Policy,
    layers: Vec<Layer>,
    output_left: u64,
    entries_left: usize,
    verdict: Verdict,
}

impl<'p> Ctx<'p> {
    fn new(policy: &'p Policy) -> Ctx<'p> {
        Ctx {
            policy,
            layers: Vec::new(),
            output_left: policy.limits.max_output,
            entries_left: policy.limits.max_entries,
            verdict: Verdict::default(),
        }
    }

    /// The user's extra allowed names.
    pub(crate) fn extra(&self) -> &Extra {
        &self.policy.extra
    }

    /// Records a finding at the current place.
    pub(crate) fn found(&mut self, kind: Kind, callable: String, why: String, offset: Option<u64>) {
        if self.verdict.findings.len() >= MAX_FINDINGS {
            if self.verdict.findings.len() == MAX_FINDINGS {
                self.unjudged("more findings than are reported per file: the rest were not listed");
                self.verdict.findings.push(Finding {
                    kind,
                    callable: "...".into(),
                    why: "and more".into(),
                    layers: Vec::new(),
                    offset: None,
                });
            }
            return;
        }
        self.verdict.findings.push(Finding {
            kind,
            callable,
            why,
            layers: self.layers.clone(),
            offset,
        });
    }

    /// Records a note at the current place.
    pub(crate) fn note(&mut self, text: String) {
        if self.verdict.notes.len() >= MAX_NOTES {
            return;
        }
        let layers = self.layers.clone();
        if !self
            .verdict
            .notes
            .iter()
            .any(|n| n.text == text && n.layers == layers)
        {
            self.verdict.notes.push(Note { layers, text });
        }
    }

    /// Records that something here could not be judged.
    pub(crate) fn unjudged(&mut self, why: &str) {
        let place = display_chain("", &self.layers);
        let place = place.trim_start_matches("!/").trim_start_matches(" -> ");
        let text = if place.is_empty() {
            why.to_string()
        } else {
            format!("{place}: {why}")
        };
        self.verdict.unjudged.push(text);
    }

    /// Runs `f` one layer deeper, unless the depth limit is reached (then the
    /// layer is recorded as not judged). Returns what `f` returned.
    pub(crate) fn within<T>(
        &mut self,
        layer: Layer,
        f: impl FnOnce(&mut Ctx<'p>) -> T,
    ) -> Option<T> {
        self.layers.push(layer);
        let out = if self.layers.len() > self.policy.limits.max_depth {
            self.unjudged("nested too deep, not opened");
            None
        } else {
            Some(f(self))
        };
        self.layers.pop();
        out
    }

    /// Takes `n` bytes of decompression budget; false (and nothing taken) when the
    /// budget cannot cover them.
    pub(crate) fn output_budget(&self) -> u64 {
        self.output_left
    }

    /// Spends decompression budget.
    pub(crate) fn spend_output(&mut self, n: u64) {
        self.output_left = self.output_left.saturating_sub(n);
    }

    /// Takes one archive entry from the budget; false when it is spent.
    pub(crate) fn take_entry(&mut self) -> bool {
        if self.entries_left == 0 {
            return false;
        }
        self.entries_left -= 1;
        true
    }
}

#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;
