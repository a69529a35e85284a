//! `leakgate scan`: files, directories and stdin.

use super::common::{self, ConfigArgs, ReportArgs, Status};
use crate::pipeline::{Judge, SharedCollector};
use crate::report::{Context, Outcome};
use crate::source::files::{self, WalkOptions};
use anyhow::Result;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::Instant;

/// Scan files, directories or stdin for secrets.
///
/// Directories are walked on every core. Every file is scanned, hidden ones included,
/// except inside `.git` directories; pass --gitignore to honour .gitignore files.
/// Binary files and files over --max-file-size are skipped and listed. Model files
/// (pickles, PyTorch, NumPy, joblib, Keras), binary or not, are judged by what
/// they would run when loaded (the `model` rules), found by their magic bytes.
///
/// Decoding (every command; the `decode:` section of .leakgate.yaml sets it):
/// Jupyter notebooks (.ipynb) are read as cells: cell sources and text outputs
/// are scanned, embedded images and attachments are not, and a finding names the
/// cell, the output and the line in it. UTF-16 text (with or without a byte order
/// mark) is transcoded; a stray NUL does not make a text file binary. Encoded
/// runs are decoded where they sit and scanned again: base64 (standard and
/// URL-safe, at least 16 characters), hex (at least 32 digits), percent-encoding
/// and \x/\u escapes, only when they decode to text. Limits per file: 5 layers
/// deep (decode.depth), 10000 decoded pieces (decode.max_pieces), 64 MiB decoded
/// (decode.max_bytes); what goes past them is listed as skipped.
/// decode.encoded: false turns encoded runs off.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  leakgate scan                                  the current directory
  leakgate scan --gitignore                      skip what git ignores (build output, deps)
  leakgate scan config/ .env --format json       some files, for a script
  cat dump.sql | leakgate scan -                 standard input
  leakgate scan . --format sarif -o leakgate.sarif --exit-zero
                                                 a report for code scanning that never fails the job")]
pub struct Args {
    /// Files or directories to scan; `-` reads stdin.
    #[arg(value_name = "PATH", default_value = ".")]
    paths: Vec<PathBuf>,
    /// Honour .gitignore, .ignore and git's exclude files while walking.
    #[arg(long)]
    gitignore: bool,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    threads: usize,
    #[command(flatten)]
    report: ReportArgs,
    #[command(flatten)]
    config: ConfigArgs,
}

/// Runs the command.
pub fn run(args: Args) -> Result<Status> {
    let started = Instant::now();
    let cwd = std::env::current_dir().ok();
    let root = git2::Repository::discover(".")
        .ok()
        .and_then(|r| r.workdir().map(|p| p.to_path_buf()))
        .or(cwd);
    let loaded = args.config.load(root.as_deref())?;
    let scanner = common::throughput_scanner(&loaded)?;
    let allow = loaded.allow();
    let decoders = loaded.decoders();
    let judge = Judge::new(&scanner, &allow).decoding(&decoders);
    let shared = Mutex::new(Outcome::default());
    let (stdin, paths): (Vec<_>, Vec<_>) = args
        .paths
        .iter()
        .cloned()
        .partition(|p| p.as_os_str() == "-");
    let mut stats = files::Stats::default();
    if !stdin.is_empty() {
        let mut collector = SharedCollector::new(judge, &shared);
        stats = files::read_stdin(args.config.max_file_size, &mut collector)?;
    }
    if !paths.is_empty() {
        let opts = WalkOptions {
            max_size: args.config.max_file_size,
            gitignore: args.gitignore,
            threads: args.threads,
        };
        let walked = files::walk(&paths, &opts, &|| {
            Box::new(SharedCollector::new(judge, &shared))
        })?;
        stats.add(walked);
    }
    let mut outcome = shared.into_inner().unwrap_or_else(|e| e.into_inner());
    outcome.summary.files = stats.files.load(Ordering::Relaxed);
    outcome.summary.bytes = stats.bytes.load(Ordering::Relaxed);
    outcome.summary.scan = "files";
    outcome.summary.elapsed = started.elapsed();
    let status = common::finish(&args.report, &mut outcome, Context::Scan)?;
    stats.check()?;
    Ok(status)
}
