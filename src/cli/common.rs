//! What every scanning command shares: report options, config options, and turning
//! an outcome into a report and an exit status.

use crate::config::{BaselineChoice, Loaded};
use crate::engine::Scanner;
use crate::report::{self, Context, Format, Outcome, Redaction};
use crate::types::SkipReason;
use anyhow::{Context as _, Result};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// The exit status of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Nothing blocks (exit 0).
    Clean,
    /// Findings that block (exit 1).
    Findings,
}

impl Status {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Status::Clean => 0,
            Status::Findings => 1,
        }
    }
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The help heading of the report options.
const REPORT: &str = "Report options";

/// Report options, shared by every scanning command.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Output format.
    ///
    /// human is for people (and the default); json for scripts; sarif for GitHub code
    /// scanning and other SARIF viewers; gitlab for GitLab's security dashboard
    /// (`artifacts:reports:secret_detection`); junit for CI systems that only read
    /// test reports. Every format redacts secrets unless --show-secrets is given.
    #[arg(long, short = 'f', value_enum, default_value = "human", help_heading = REPORT)]
    pub format: Format,
    /// Write the report to FILE instead of stdout (the exit code is the same).
    #[arg(long, short = 'o', value_name = "FILE", help_heading = REPORT)]
    pub output: Option<PathBuf>,
    /// Print secrets in full. They are redacted by default; think twice before
    /// using this where output is kept (CI logs, uploaded reports).
    #[arg(long, help_heading = REPORT)]
    pub show_secrets: bool,
    /// Show the first N characters of each secret and mask the rest with `*`
    /// (default: 4 for secrets of 16 characters or more, such as `ghp_`, else none).
    #[arg(long, value_name = "N", conflicts_with = "show_secrets", help_heading = REPORT)]
    pub redact: Option<usize>,
    /// List suppressed findings too (inline markers, config, baseline), with why.
    #[arg(long, help_heading = REPORT)]
    pub show_suppressed: bool,
    /// Exit 0 even when there are findings, for report-only CI jobs. A scan that
    /// could not be done still exits 2.
    #[arg(long, help_heading = REPORT)]
    pub exit_zero: bool,
    /// Print only findings: no summary, no progress, no "no secrets found" (for
    /// hooks and scripts that want silence when all is well). Files that could not
    /// be read are still listed: a file that was not judged is never silently clean.
    #[arg(long, short = 'q', help_heading = REPORT)]
    pub quiet: bool,
    /// When to use colour in the human format.
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN", help_heading = REPORT)]
    pub color: ColorChoice,
}

/// Config options, shared by every scanning command.
#[derive(Debug, Clone, clap::Args)]
pub struct ConfigArgs {
    /// Read this config file instead of `.leakgate.yaml` at the repository root.
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore `.leakgate.yaml`; use the bundled rules and defaults only.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Use this baseline file instead of `.leakgate-baseline.json` at the root.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Ignore the baseline file: report findings it has accepted too.
    #[arg(long, conflicts_with = "baseline")]
    pub no_baseline: bool,
    /// Honour only `leakgate:allow`, not other scanners' inline markers.
    #[arg(long)]
    pub no_peer_markers: bool,
    /// Skip files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::source::DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,
    /// Make fingerprints with the key in FILE instead of the repository's own
    /// (.git/leakgate/fingerprint.key, made on first use). The
    /// LEAKGATE_FINGERPRINT_KEY variable, when set, holds the key and wins (for
    /// CI and servers). Clones that share a baseline need the same key.
    #[arg(long, value_name = "FILE")]
    pub fingerprint_key: Option<PathBuf>,
}

impl ConfigArgs {
    /// Loads the config for a scan rooted at `root`.
    pub fn load(&self, root: Option<&Path>) -> Result<Loaded> {
        self.choose_key()?;
        let mut loaded = Loaded::find(self.config.as_deref(), root, self.no_config)?;
        loaded.no_peer_markers = self.no_peer_markers;
        loaded.use_baseline(&self.baseline_choice())?;
        Ok(loaded)
    }

    /// Uses the key file of `--fingerprint-key`, if given, for this run.
    pub fn choose_key(&self) -> Result<()> {
        match &self.fingerprint_key {
            Some(file) => crate::types::fingerprint::use_key_file(file),
            None => Ok(()),
        }
    }

    /// The baseline the options ask for.
    pub fn baseline_choice(&self) -> BaselineChoice {
        match (&self.baseline, self.no_baseline) {
            (_, true) => BaselineChoice::Off,
            (Some(p), _) => BaselineChoice::File(p.clone()),
            (None, false) => BaselineChoice::Auto,
        }
    }
}

/// Builds the scanner for a loaded config.
pub fn scanner(config: &Loaded) -> Result<Scanner> {
    crate::pipeline::scanner(config, crate::engine::Profile::Latency)
}

/// Builds the scanner for a scan of many bytes (history, directories).
pub fn throughput_scanner(config: &Loaded) -> Result<Scanner> {
    crate::pipeline::scanner(config, crate::engine::Profile::Throughput)
}

/// Writes the report and works out the exit status.
pub fn finish(args: &ReportArgs, outcome: &mut Outcome, context: Context) -> Result<Status> {
    report::redact::mask_file_names(outcome, redaction(args));
    crate::pipeline::sort(outcome);
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none(),
    };
    let opts = report::Options {
        redaction: redaction(args),
        color,
        show_suppressed: args.show_suppressed,
        context,
        quiet: args.quiet,
    };
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write report to {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let written = report::write(&mut out, args.format, outcome, &opts).and_then(|_| out.flush());
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.context("cannot write the report")?,
    }
    Ok(status(outcome.blocking() > 0, args.exit_zero))
}

/// An error (exit 2, after the report) when the outcome lists places inside
/// files that could not be read: an archive entry that is encrypted, corrupt,
/// or past a limit. What was not read was not judged, so the scan cannot pass
/// for clean. (Files that could not be read are the source's to report.)
pub fn check_unread(outcome: &Outcome) -> Result<()> {
    let Some(list) = outcome.summary.skipped.get(&SkipReason::Unreadable) else {
        return Ok(());
    };
    let (n, them) = match list.len() {
        1 => ("1 place".to_string(), "it was"),
        n => (format!("{n} places"), "they were"),
    };
    anyhow::bail!(
        "could not read {n} inside archives, so {them} not judged: {}",
        list.join(", ")
    )
}

/// The exit status of a scan: findings that block, unless `--exit-zero`.
pub fn status(blocking: bool, exit_zero: bool) -> Status {
    if blocking && !exit_zero {
        Status::Findings
    } else {
        Status::Clean
    }
}

/// The redaction the report options ask for.
pub fn redaction(args: &ReportArgs) -> Redaction {
    match (args.show_secrets, args.redact) {
        (true, _) => Redaction::Show,
        (false, Some(n)) => Redaction::Keep(n),
        (false, None) => Redaction::Default,
    }
}
