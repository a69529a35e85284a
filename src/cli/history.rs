//! `leakgate history`: every secret a repository's history holds, each reported once
//! with the commit that introduced it.
//!
//! The scan is [`crate::pipeline::history`]; this module turns the arguments into
//! its options (revisions, `--since`, `--until`, threads), shows progress on a
//! terminal, and writes the report: held for every format but `--format jsonl`,
//! whose findings are streamed as they are released.

use super::common::{self, ConfigArgs, ReportArgs, Status};
use crate::pipeline::history::{self, Sink, Stream};
use crate::pipeline::Judge;
use crate::report::{self, Context};
use crate::source::git::history::{Options, Stats};
use anyhow::{Context as _, Result};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Scan a repository's whole history for secrets, each distinct blob once.
///
/// By default every ref (branches, tags, remote-tracking refs, stashes) and HEAD are
/// walked. Give revisions to narrow it: a branch, `main..feature` (what feature adds
/// over main), `^old` to exclude. Each secret is reported once per rule and path,
/// attributed to the oldest commit that introduced it, with author and date, even
/// if later commits deleted it. Binary blobs and blobs over --max-file-size are
/// skipped and counted in the summary.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  leakgate history\n  leakgate history main..feature\n  \
leakgate history --since 2024-01-01 --format json -o report.json\n  \
leakgate history --format jsonl | jq .path"
)]
pub struct Args {
    /// Revisions or ranges to walk (default: every ref and HEAD).
    #[arg(value_name = "REV")]
    revs: Vec<String>,
    /// Only commits made on or after this date (YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS in
    /// UTC, or @SECONDS since the epoch).
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Only commits made on or before this date (same forms as --since; a bare date
    /// means the end of that day).
    #[arg(long, value_name = "DATE")]
    until: Option<String>,
    /// Scanning threads (default: one per core, plus one: the commit walker and the
    /// report writer block often, and an extra scanner keeps every core busy).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    threads: usize,
    /// Never show the progress bar (it is shown only when stderr is a terminal).
    #[arg(long)]
    no_progress: bool,
    #[command(flatten)]
    report: ReportArgs,
    #[command(flatten)]
    config: ConfigArgs,
}

/// Runs the command.
pub fn run(args: Args) -> Result<Status> {
    let started = Instant::now();
    let repo = crate::source::git::open_from_env()
        .context("cannot open the git repository here (run leakgate inside a repository)")?;
    let loaded = args.config.load(repo.workdir())?;
    let scanner = common::throughput_scanner(&loaded)?;
    let allow = loaded.allow();
    let commits = history::commits(&repo, &args.revs)?;
    let mut opts = options(&args)?;
    opts.refs = history::refs(&repo, &args.revs)?;
    let mut sink = sink(&args.report)?;
    let progress = progress(args.no_progress || args.report.quiet);
    let mut on_blob = |seq, bytes, stats: &Stats| tick(&progress, seq, bytes, stats);
    let decoders = loaded.decoders();
    let judge = Judge::new(&scanner, &allow).decoding(&decoders);
    history::scan(&repo, &commits, &opts, judge, &mut sink, &mut on_blob)?;
    progress.finish_and_clear();
    sink.outcome.summary.elapsed = started.elapsed();
    let status = match sink.finish_stream()? {
        Some(blocking) => common::status(blocking, args.report.exit_zero),
        None => common::finish(&args.report, &mut sink.outcome, Context::Scan)?,
    };
    common::check_unread(&sink.outcome)?;
    Ok(status)
}

fn options(args: &Args) -> Result<Options> {
    let date = |d: &Option<String>, end| d.as_deref().map(|d| parse_date(d, end)).transpose();
    Ok(Options {
        max_size: args.config.max_file_size,
        threads: match args.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()) + 1,
            n => n,
        },
        since: date(&args.since, false)?,
        until: date(&args.until, true)?,
        refs: Vec::new(),
    })
}

/// Streams JSON lines for `--format jsonl`; holds findings for every other format.
fn sink(args: &ReportArgs) -> Result<Sink> {
    if args.format != report::Format::Jsonl {
        return Ok(Sink::hold());
    }
    let out: Box<dyn std::io::Write> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write report to {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    let opts = report::Options {
        redaction: common::redaction(args),
        color: false,
        show_suppressed: args.show_suppressed,
        context: Context::Scan,
        quiet: true,
    };
    Ok(Sink::stream(Stream::new(out, opts)))
}

/// A progress bar on stderr when it is a terminal; a hidden one otherwise.
fn progress(disabled: bool) -> ProgressBar {
    if disabled || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    let style = ProgressStyle::with_template("{spinner} {elapsed} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    bar.set_style(style);
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn tick(bar: &ProgressBar, seq: u64, bytes: u64, stats: &Stats) {
    if bar.is_hidden() || !seq.is_multiple_of(64) {
        return;
    }
    let secs = bar.elapsed().as_secs_f64().max(0.001);
    bar.set_message(format!(
        "{} commits, {} blobs scanned, {} ({}/s)",
        stats.commits.load(Ordering::Relaxed),
        seq + 1,
        report::human::bytes(bytes),
        report::human::bytes((bytes as f64 / secs) as u64),
    ));
}

/// Seconds since the epoch for `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS]` (UTC) or
/// `@SECONDS`. A bare date is its first second, or its last when `end_of_day`.
fn parse_date(text: &str, end_of_day: bool) -> Result<i64> {
    let bad = || {
        anyhow::anyhow!(
            "`{text}` is not a date (use YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS in UTC, or @SECONDS)"
        )
    };
    if let Some(secs) = text.strip_prefix('@') {
        return secs.parse().map_err(|_| bad());
    }
    let (date, time) = match text.split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let num = |s: &str| s.parse::<i64>().map_err(|_| bad());
    let ymd: Vec<&str> = date.split('-').collect();
    let [y, m, d] = ymd[..] else {
        return Err(bad());
    };
    let (y, m, d) = (num(y)?, num(m)?, num(d)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(bad());
    }
    let day = days_from_civil(y, m, d) * 86_400;
    let Some(time) = time else {
        return Ok(day + if end_of_day { 86_399 } else { 0 });
    };
    let hms: Vec<i64> = time.split(':').map(num).collect::<Result<_>>()?;
    match hms[..] {
        [h, mi] => Ok(day + h * 3600 + mi * 60),
        [h, mi, s] => Ok(day + h * 3600 + mi * 60 + s),
        _ => Err(bad()),
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_in_utc() {
        assert_eq!(parse_date("1970-01-01", false).unwrap(), 0);
        assert_eq!(parse_date("1970-01-01", true).unwrap(), 86_399);
        assert_eq!(
            parse_date("2023-11-14T22:13:20", false).unwrap(),
            1_700_000_000
        );
        assert_eq!(parse_date("@1700000000", false).unwrap(), 1_700_000_000);
        assert_eq!(
            report::human::date(parse_date("2024-02-29", false).unwrap()),
            "2024-02-29"
        );
        assert!(parse_date("yesterday", false).is_err());
        assert!(parse_date("2024-13-01", false).is_err());
    }
}
