//! `leakgate history`: every secret a repository's history holds, each reported once
//! with the commit that introduced it.
//!
//! The blob-level walk is [`crate::source::history`]; this module picks the commits
//! (every ref by default, or the revisions and ranges given, within `--since` and
//! `--until`), keeps the first finding of each (rule, path, secret), shows progress
//! on a terminal and writes the report. With `--format jsonl` findings are written as
//! they are released (oldest commit first) and not kept, so memory does not grow with
//! the number of findings.

use super::common::{self, ConfigArgs, ReportArgs, Status};
use crate::engine::Finding;
use crate::pipeline::Collector;
use crate::report::{self, jsonl, Context, Format, Outcome};
use crate::rules::Severity;
use crate::source::history::{self, Done, Stats};
use anyhow::{bail, Context as _, Result};
use git2::{Oid, Repository, RevparseMode, Sort};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::HashSet;
use std::io::{IsTerminal, Write};
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
    let repo = Repository::open_from_env()
        .context("cannot open the git repository here (run leakgate inside a repository)")?;
    let loaded = args.config.load(repo.workdir())?;
    let scanner = common::throughput_scanner(&loaded)?;
    let allow = loaded.allow();
    let commits = commits(&repo, &args.revs)?;
    let opts = options(&args)?;
    let mut sink = Sink::new(&args.report)?;
    let stats = Stats::default();
    let progress = progress(args.no_progress);
    history::walk(
        repo.path(),
        &commits,
        &opts,
        &stats,
        || Collector::new(&scanner, &allow),
        |done| sink.take(done, &progress, &stats),
    )?;
    progress.finish_and_clear();
    let summary = &mut sink.outcome.summary;
    summary.scan = "history";
    summary.commits = Some(stats.commits.load(Ordering::Relaxed));
    summary.files = stats.blobs.load(Ordering::Relaxed);
    summary.bytes = sink.bytes;
    summary.elapsed = started.elapsed();
    sink.finish(&args.report, loaded.fail_on())
}

fn options(args: &Args) -> Result<history::Options> {
    let date = |d: &Option<String>, end| d.as_deref().map(|d| parse_date(d, end)).transpose();
    Ok(history::Options {
        max_size: args.config.max_file_size,
        threads: match args.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()) + 1,
            n => n,
        },
        since: date(&args.since, false)?,
        until: date(&args.until, true)?,
    })
}

fn quiet_broken_pipe(e: std::io::Error) -> Result<()> {
    match e.kind() {
        std::io::ErrorKind::BrokenPipe => Ok(()),
        _ => Err(e).context("cannot write the report"),
    }
}

/// Every finding of the whole history (every ref), each secret once with the
/// commit that introduced it, with `allow` applied: what `baseline create --from
/// history` records.
pub fn scan_all(
    repo: &Repository,
    scanner: &crate::engine::Scanner,
    allow: &crate::allow::Allow,
    max_size: u64,
) -> Result<Outcome> {
    let commits = commits(repo, &[])?;
    let opts = history::Options {
        max_size,
        threads: 0,
        since: None,
        until: None,
    };
    let report_opts = report::Options {
        redaction: report::Redaction::Default,
        color: false,
        show_suppressed: true,
        context: Context::Scan,
    };
    let mut sink = Sink::with(None, report_opts);
    let stats = Stats::default();
    let bar = ProgressBar::hidden();
    history::walk(
        repo.path(),
        &commits,
        &opts,
        &stats,
        || Collector::new(scanner, allow),
        |done| sink.take(done, &bar, &stats),
    )?;
    let mut outcome = sink.outcome;
    crate::pipeline::sort(&mut outcome);
    Ok(outcome)
}

/// The commits to walk, oldest first.
fn commits(repo: &Repository, revs: &[String]) -> Result<Vec<Oid>> {
    let mut walk = repo.revwalk().context("cannot walk the commit graph")?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    if revs.is_empty() {
        for r in repo.references().context("cannot list the refs")? {
            if let Ok(commit) = r?.peel_to_commit() {
                walk.push(commit.id())?;
            }
        }
        let _ = walk.push_head();
    }
    for rev in revs {
        add_rev(repo, &mut walk, rev)
            .with_context(|| format!("`{rev}` is not a revision or range of this repository"))?;
    }
    walk.collect::<Result<Vec<_>, _>>()
        .context("cannot walk the commit graph")
}

/// Adds a revision (`main`), an exclusion (`^main`) or a range (`a..b`, `a...b`).
fn add_rev(repo: &Repository, walk: &mut git2::Revwalk<'_>, rev: &str) -> Result<()> {
    let commit = |o: &git2::Object<'_>| o.peel_to_commit().map(|c| c.id());
    if let Some(hidden) = rev.strip_prefix('^') {
        walk.hide(commit(&repo.revparse_single(hidden)?)?)?;
        return Ok(());
    }
    let spec = repo.revparse(rev)?;
    let from = spec.from().map(commit).transpose()?;
    let to = spec.to().map(commit).transpose()?;
    match (from, to) {
        (Some(from), Some(to)) if spec.mode().contains(RevparseMode::MERGE_BASE) => {
            walk.push(from)?;
            walk.push(to)?;
            walk.hide(repo.merge_base(from, to)?)?;
        }
        (Some(from), Some(to)) if spec.mode().contains(RevparseMode::RANGE) => {
            walk.push(to)?;
            walk.hide(from)?;
        }
        (Some(one), None) | (None, Some(one)) => walk.push(one)?,
        _ => bail!("unsupported revision form"),
    }
    Ok(())
}

/// Keeps the first finding of each (rule, path, secret) and either holds it for the
/// report or streams it.
struct Sink {
    seen: HashSet<String>,
    seen_suppressed: HashSet<String>,
    outcome: Outcome,
    bytes: u64,
    stream: Option<Box<dyn Write>>,
    opts: report::Options,
    /// The highest severity streamed, for the exit status.
    blocking: Option<Severity>,
    /// Findings streamed.
    streamed: usize,
}

impl Sink {
    fn new(args: &ReportArgs) -> Result<Sink> {
        let stream: Option<Box<dyn Write>> = match args.format {
            Format::Jsonl => Some(match &args.output {
                Some(path) => Box::new(std::io::BufWriter::new(
                    std::fs::File::create(path)
                        .with_context(|| format!("cannot write report to {}", path.display()))?,
                )),
                None => Box::new(std::io::BufWriter::new(std::io::stdout())),
            }),
            _ => None,
        };
        let opts = report::Options {
            redaction: common::redaction(args),
            color: false,
            show_suppressed: args.show_suppressed,
            context: Context::Scan,
        };
        Ok(Sink::with(stream, opts))
    }

    /// A sink that streams to `stream` (JSON lines), or holds everything when `None`.
    fn with(stream: Option<Box<dyn Write>>, opts: report::Options) -> Sink {
        Sink {
            seen: HashSet::new(),
            seen_suppressed: HashSet::new(),
            outcome: Outcome::default(),
            bytes: 0,
            stream,
            opts,
            blocking: None,
            streamed: 0,
        }
    }

    fn take(&mut self, done: Done<Collector<'_>>, bar: &ProgressBar, stats: &Stats) -> Result<()> {
        self.bytes += done.bytes;
        let found = done.visit.outcome;
        for f in found.findings {
            if self.seen.insert(f.fingerprint.clone()) {
                self.finding(f)?;
            }
        }
        for (f, why) in found.suppressed {
            if self.seen_suppressed.insert(f.fingerprint.clone()) {
                match (&mut self.stream, self.opts.show_suppressed) {
                    (Some(out), true) => jsonl::suppressed_line(out, &f, &why, &self.opts)
                        .and_then(|_| out.flush())
                        .or_else(quiet_broken_pipe)?,
                    (Some(_), false) => {}
                    (None, _) => self.outcome.suppressed.push((f, why)),
                }
            }
        }
        self.outcome.summary.models += found.summary.models;
        for (reason, paths) in found.summary.skipped {
            self.outcome
                .summary
                .skipped
                .entry(reason)
                .or_default()
                .extend(paths);
        }
        tick(bar, done.seq, self.bytes, stats);
        Ok(())
    }

    /// Writes the report (or ends the stream) and works out the exit status.
    fn finish(mut self, args: &ReportArgs, fail_on: Severity) -> Result<Status> {
        let Some(mut out) = self.stream.take() else {
            return common::finish(args, &mut self.outcome, Context::Scan, fail_on);
        };
        let suppressed = self.seen_suppressed.len();
        jsonl::summary_line(&mut out, &self.outcome, self.streamed, suppressed)
            .and_then(|_| out.flush())
            .or_else(quiet_broken_pipe)?;
        let blocking = self.blocking.is_some_and(|s| s >= fail_on);
        Ok(match blocking && !args.exit_zero {
            true => Status::Findings,
            false => Status::Clean,
        })
    }

    fn finding(&mut self, f: Finding) -> Result<()> {
        let Some(out) = &mut self.stream else {
            self.outcome.findings.push(f);
            return Ok(());
        };
        jsonl::line(out, &f, &self.opts)
            .and_then(|_| out.flush())
            .or_else(quiet_broken_pipe)?;
        self.blocking = self.blocking.max(Some(f.rule.severity));
        self.streamed += 1;
        Ok(())
    }
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
    if bar.is_hidden() || seq % 64 != 0 {
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
