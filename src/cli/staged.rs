//! `leakgate staged`: judge what `git commit` is about to record. This is what the
//! pre-commit hook runs.

use super::common::{self, ConfigArgs, ReportArgs, Status};
use crate::pipeline::{Collector, Judge};
use crate::report::Context;
use crate::source::git::staged;
use anyhow::Result;
use std::time::Instant;

/// Check the staged change (what the next commit will record) for secrets.
///
/// Only the lines the staged change adds are judged, read from the index (never the
/// work tree), so a partially staged file is judged by what will be committed.
/// Binary files are skipped and listed in the summary, except model files
/// (pickles, PyTorch, NumPy, joblib, Keras), which are judged whole. Archives
/// (zip, jar, tar, .gz, ...) are not opened here unless .leakgate.yaml says
/// `decode: {archives: true}`: opening them can cost far more than the hook's
/// few milliseconds, and what people stage is mostly source. `leakgate scan`,
/// `leakgate history` and the push hooks open them (see `leakgate help scan`).
/// A clean change prints
/// nothing and exits 0; findings print a diagnostic each and exit 1, which blocks
/// the commit when this runs as the pre-commit hook (`leakgate install`, the
/// scripts in hooks/, the pre-commit framework, Husky or lefthook).
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  leakgate staged                       what the hook would say about the staged change
  leakgate staged --format json         the same, for a script
  leakgate staged --show-suppressed     also list findings allowed by markers or config
  git commit --no-verify                skip the hook once, deliberately

When it blocks: remove the secret from the change and rotate it; if it is not a
secret, add `leakgate:allow` in a comment on its line.")]
pub struct Args {
    #[command(flatten)]
    report: ReportArgs,
    #[command(flatten)]
    config: ConfigArgs,
}

/// Runs the command.
pub fn run(args: Args) -> Result<Status> {
    let started = Instant::now();
    let repo = staged::open_repository()?;
    let loaded = args.config.load(repo.workdir())?;
    let scanner = common::scanner(&loaded)?;
    let allow = loaded.allow();
    let decoders = loaded.staged_decoders();
    let mut collector = Collector::new(Judge::new(&scanner, &allow).decoding(&decoders));
    let stats = staged::walk(&repo, args.config.max_file_size, &mut collector)?;
    let mut outcome = collector.outcome;
    outcome.summary.scan = "staged";
    outcome.summary.files = stats.files;
    outcome.summary.bytes = stats.bytes;
    outcome.summary.elapsed = started.elapsed();
    common::finish(&args.report, &mut outcome, Context::Commit)
}
