//! The types every stage shares, at the bottom of the module order: chunks and
//! their origins, rules as the engine runs them, findings, severities and the
//! outcome of a scan. Nothing here imports a stage, so every stage can import
//! this and none has to import a later one (see `layering.rs` for the order).
//!
//! The stages re-export the types they produce (`source::Chunk`,
//! `engine::Finding`, `rules::Rule`, ...): those are these types, not copies.

mod chunk;
mod file_judge;
mod finding;
pub mod fingerprint;
mod origin;
mod outcome;
mod rule;
mod severity;

pub use chunk::{line_starts, range_bytes, Chunk, LineRange, SkipReason};
pub use file_judge::{FileJudge, FileVerdict};
pub use finding::Finding;
pub use fingerprint::fingerprint;
pub use origin::{
    CommitInfo, Encoding, FilePosition, Layer, LayerKind, Location, Origin, Placement,
};
pub use outcome::{Outcome, Summary, Suppression};
pub use rule::Rule;
pub use severity::Severity;
