//! `scan --explain`: one file through the same source, decoders, engine and
//! filters as an ordinary scan, with the engine's trace on, so a user debugging a
//! miss (or a false alarm) sees every decision that was taken on it.

use super::Judge;
use crate::engine::trace::{Record, Recorder};
use crate::report::explain::{Explanation, Part, Standing};
use crate::source::files::{paths, Stats};
use crate::source::Visit;
use crate::types::{Chunk, Finding, Origin, SkipReason};
use anyhow::{bail, Context, Result};
use std::path::Path;
use std::sync::Arc;

/// What the rules make of the file at `path` (or of its line `line`).
pub fn explain(
    judge: &Judge<'_>,
    path: &Path,
    line: Option<u32>,
    max_size: u64,
) -> Result<Explanation> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if !meta.is_file() {
        bail!(
            "--explain takes one file, and {} is not a file",
            path.display()
        );
    }
    let mut explainer = Explainer {
        judge,
        out: Explanation {
            path: paths::display(path),
            line,
            ..Explanation::default()
        },
    };
    let stats = Stats::default();
    paths::visit_file(path, max_size, &mut explainer, &stats);
    stats.check()?;
    Ok(explainer.out)
}

/// Hears the file from the source and traces each chunk decoded from it.
struct Explainer<'j, 'a> {
    judge: &'j Judge<'a>,
    out: Explanation,
}

impl Explainer<'_, '_> {
    fn standing(&self, f: &Finding) -> Standing {
        let allow = self.judge.allow;
        if let Some(why) = allow.check(f) {
            return Standing::Suppressed(why);
        }
        match allow.not_blocking(f) {
            Some(why) => Standing::NotBlocking(why),
            None => Standing::Blocks,
        }
    }

    fn whole_findings(&mut self, found: Vec<Finding>) {
        for f in found {
            let standing = self.standing(&f);
            self.out.whole.push((f, standing));
        }
    }
}

impl Visit for Explainer<'_, '_> {
    fn file(&mut self, origin: &Arc<Origin>) {
        let found = self.judge.scanner.scan_path(origin);
        self.whole_findings(found);
    }

    fn chunk(&mut self, chunk: &Chunk<'_>) {
        let decoders = self.judge.decoders;
        decoders.expand(chunk, &mut Traced(self));
    }

    fn skipped(&mut self, origin: &Arc<Origin>, reason: SkipReason) {
        self.out.skipped.push((origin.describe(), reason));
    }

    fn whole(&mut self, origin: &Arc<Origin>, content: &[u8]) -> bool {
        let verdict = self.judge.scanner.judge_file(origin, content);
        self.whole_findings(verdict.findings);
        for (reason, path) in verdict.skipped {
            self.out.skipped.push((path, reason));
        }
        verdict.recognised
    }
}

/// Each chunk out of the decoders, scanned with the trace on.
struct Traced<'e, 'j, 'a>(&'e mut Explainer<'j, 'a>);

impl Visit for Traced<'_, '_, '_> {
    fn file(&mut self, _: &Arc<Origin>) {}

    fn chunk(&mut self, chunk: &Chunk<'_>) {
        let mut trace = Recorder::default();
        self.0.judge.scanner.scan_traced(chunk, &mut trace);
        let standings = trace
            .records
            .iter()
            .filter_map(|r| match r {
                Record::Found { finding, .. } => Some(self.0.standing(finding)),
                _ => None,
            })
            .collect();
        self.0.out.parts.push(Part {
            origin: chunk.origin.clone(),
            bytes: chunk.bytes.to_vec(),
            records: trace.records,
            standings,
        });
    }

    fn skipped(&mut self, origin: &Arc<Origin>, reason: SkipReason) {
        self.0.skipped(origin, reason);
    }
}
