//! `leakgate scan`: files, directories and stdin.

use super::common::{self, ConfigArgs, ReportArgs, Status};
use crate::pipeline::{Judge, SharedCollector};
use crate::report::Format;
use crate::report::{Context, Outcome};
use crate::source::files::{self, WalkOptions};
use anyhow::{bail, Context as _, Result};
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
///
/// Archives (scan, history and the push hooks; the pre-commit hook only with
/// decode.archives: true): zip and the formats that are zips (jar, war, whl,
/// nupkg, apk, ...), tar, and gzip/bzip2/xz files (.tar.gz, .tgz, a single .gz)
/// are opened, found by their magic bytes, and every text entry is scanned; a
/// finding names the entry: backup.zip!/config/.env:3:5. Archives inside
/// archives are opened too, at most 3 deep (decode.archive_depth), at most
/// 10000 entries each (decode.archive_entries), and an entry stops at 100 times
/// its compressed size (decode.archive_ratio; 1 MiB always), within the 64 MiB
/// per file above: a zip bomb costs no more than that. Binary entries (images,
/// class files) are passed over. What cannot be read (an encrypted entry, an unsupported
/// method, a corrupt or truncated archive, a limit reached) is listed as
/// unreadable with the reason, and the scan exits 2: it is never passed as
/// clean. decode.archives: false turns archives off.
///
/// Why was this (not) found? `--explain FILE` or `--explain FILE:LINE` scans one
/// file as an ordinary scan would, with the same config, decoders and filters,
/// and prints every decision taken on it (or on that line): which rules'
/// keywords occur, which patterns matched, and for each match the check that
/// dropped it (entropy with its value and the rule's threshold, placeholder,
/// documented example, validator/checksum, the rule's exclude/require context, a
/// vendor rule's checksum refusal, an overlap with a more specific rule's
/// finding), or the filter that allowed it (inline marker, baseline, config
/// allowlist path/value/regex/stopword), or that it is reported. Decoded layers
/// (notebook cells, base64 runs, ...) are explained each on their own. Every
/// candidate secret is masked as in reports (--redact N, --show-secrets). Exit
/// code: 1 if a finding in scope blocks, else 0.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  leakgate scan                                  the current directory
  leakgate scan --gitignore                      skip what git ignores (build output, deps)
  leakgate scan config/ .env --format json       some files, for a script
  cat dump.sql | leakgate scan -                 standard input
  leakgate scan . --format sarif -o leakgate.sarif --exit-zero
                                                 a report for code scanning that never fails the job
  leakgate scan --explain config/app.env:12      why line 12 gives (or does not give) a finding")]
pub struct Args {
    /// Files or directories to scan; `-` reads stdin.
    #[arg(value_name = "PATH", default_value = ".")]
    paths: Vec<PathBuf>,
    /// Honour .gitignore, .ignore and git's exclude files while walking.
    #[arg(long)]
    gitignore: bool,
    /// Explain what the rules make of FILE, or of line LINE of it: see above.
    #[arg(long, value_name = "FILE[:LINE]", conflicts_with = "paths")]
    explain: Option<String>,
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
    if let Some(target) = &args.explain {
        return explain(&args, &judge, target);
    }
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
    common::check_unread(&outcome)?;
    Ok(status)
}

/// `--explain FILE[:LINE]`: the trace of one file, for people.
fn explain(args: &Args, judge: &Judge<'_>, target: &str) -> Result<Status> {
    if args.report.format != Format::Human || args.report.output.is_some() {
        bail!("--explain prints its text to stdout: it takes no --format or --output");
    }
    let (path, line) = explain_target(target)?;
    let max_size = args.config.max_file_size;
    let explained = crate::pipeline::explain::explain(judge, &path, line, max_size)?;
    let mut out = std::io::stdout().lock();
    let redaction = common::redaction(&args.report);
    match crate::report::explain::write(&mut out, &explained, redaction) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.context("cannot write the explanation")?,
    }
    Ok(common::status(
        explained.blocking() > 0,
        args.report.exit_zero,
    ))
}

/// `FILE` or `FILE:LINE`: a path that exists is taken whole, so a file whose
/// name ends in `:N` can still be named.
fn explain_target(target: &str) -> Result<(PathBuf, Option<u32>)> {
    let whole = PathBuf::from(target);
    if whole.exists() {
        return Ok((whole, None));
    }
    match target.rsplit_once(':') {
        Some((path, line)) if !path.is_empty() && line.bytes().all(|b| b.is_ascii_digit()) => {
            match line.parse::<u32>() {
                Ok(n) if n > 0 => Ok((PathBuf::from(path), Some(n))),
                _ => bail!("--explain {target}: the line must be a number from 1"),
            }
        }
        _ => Ok((whole, None)),
    }
}
