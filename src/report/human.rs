//! The human format: one compiler-style diagnostic per finding, then a summary and
//! what to do next.
//!
//! ```text
//! critical: GitHub personal access token (classic) [github-classic-pat]
//!   --> src/config.py:3:17
//!    |
//!  3 | GITHUB_TOKEN = "ghp_************************************"
//!    |                 ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
//!    = help: revoke it at https://github.com/settings/tokens
//! ```

use super::sanitize::clean;
use super::{Context, Options, Outcome, Summary, NOT_BLOCKING};
use crate::types::{Finding, Severity, SkipReason};
use colored::Colorize;
use std::io::{self, Write};

/// Writes the report. Nothing at all for a clean commit.
pub fn write(out: &mut dyn Write, outcome: &Outcome, opts: &Options) -> io::Result<()> {
    colored::control::set_override(opts.color);
    for f in &outcome.findings {
        diagnostic(out, f, opts, Shown::Stands(outcome.not_blocking(f)))?;
    }
    if opts.show_suppressed {
        for (f, why) in &outcome.suppressed {
            diagnostic(out, f, opts, Shown::Suppressed(&why.to_string()))?;
        }
    }
    match opts.quiet {
        true => unreadable(out, &outcome.summary),
        false => summary(out, outcome, opts),
    }
}

/// How a finding is shown.
#[derive(Clone, Copy)]
enum Shown<'a> {
    /// It stands; with why, when the blocking policy only reports it.
    Stands(Option<&'a str>),
    /// A filter suppressed it, for this reason.
    Suppressed(&'a str),
}

/// Under `--quiet`: only the files that could not be read, since a file that was
/// not judged must never pass for clean.
fn unreadable(out: &mut dyn Write, s: &Summary) -> io::Result<()> {
    match s.skipped.get(&SkipReason::Unreadable) {
        Some(paths) => skipped_line(out, SkipReason::Unreadable, paths),
        None => Ok(()),
    }
}

fn severity_label(s: Severity) -> colored::ColoredString {
    match s {
        Severity::Critical | Severity::High => s.as_str().red().bold(),
        Severity::Medium => s.as_str().yellow().bold(),
        Severity::Low => s.as_str().cyan().bold(),
    }
}

fn diagnostic(
    out: &mut dyn Write,
    f: &Finding,
    opts: &Options,
    shown: Shown<'_>,
) -> io::Result<()> {
    let label = match shown {
        Shown::Suppressed(_) => "suppressed".dimmed().bold(),
        Shown::Stands(_) => severity_label(f.rule.severity),
    };
    writeln!(
        out,
        "{label}: {} [{}]",
        clean(&f.rule.name).bold(),
        f.rule.id
    )?;
    writeln!(out, "  {} {}{}", "-->".blue(), location(f), origin_note(f))?;
    if !f.also_lines.is_empty() {
        writeln!(out, "      also on {}", also_on(&f.also_lines))?;
    }
    let (text, under_at, under_len) = shown_line(f, opts);
    let gutter = f.line.to_string();
    let pad = " ".repeat(gutter.len());
    writeln!(out, "{pad} {}", "|".blue())?;
    writeln!(out, "{} {} {text}", gutter.blue(), "|".blue())?;
    let marks = "^".repeat(under_len.max(1));
    writeln!(out, "{pad} {} {under_at}{}", "|".blue(), marks.red().bold())?;
    match shown {
        // Reasons quote the config (globs, values, regexes), which a repository
        // may bring: they are echoed cleaned like every other text.
        Shown::Suppressed(why) => {
            writeln!(out, "{pad} {} suppressed by {}", "=".blue(), clean(why))?
        }
        Shown::Stands(soft) => {
            if let Some(why) = soft {
                writeln!(out, "{pad} {} {NOT_BLOCKING}: {}", "=".blue(), clean(why))?;
            }
            let what = f.rule.help.as_deref().unwrap_or(DEFAULT_HELP);
            writeln!(out, "{pad} {} help: {}", "=".blue(), clean(what))?;
            if super::redact::is_model(f) {
                writeln!(
                    out,
                    "{pad} {} note: a file you trust? allow it by path under `allow.per_rule.{}.paths` in .leakgate.yaml",
                    "=".blue(),
                    f.rule.id
                )?;
            } else if opts.context != Context::Scan {
                writeln!(
                    out,
                    "{pad} {} note: not a secret? add `leakgate:allow` in a comment on this line",
                    "=".blue()
                )?;
            }
        }
    }
    writeln!(out)
}

/// `line 7` or `lines 7, 9, 12`: where else the same secret is.
fn also_on(lines: &[u32]) -> String {
    let list: Vec<String> = lines.iter().map(u32::to_string).collect();
    let word = if list.len() == 1 { "line" } else { "lines" };
    format!("{word} {}", list.join(", "))
}

fn location(f: &Finding) -> String {
    clean(&super::location(f))
}

fn origin_note(f: &Finding) -> String {
    match f.origin.commit() {
        Some(c) => format!(
            " (commit {}, {} <{}>, {})",
            &c.id[..c.id.len().min(12)],
            clean(&c.author),
            clean(&c.email),
            date(c.time)
        ),
        None => String::new(),
    }
}

/// The line with the secret redacted, the prefix that puts the underline under the
/// secret (tabs kept so it aligns), and the underline width in characters.
fn shown_line(f: &Finding, opts: &Options) -> (String, String, usize) {
    let line = super::redact::RedactedLine::of(f, opts.redaction);
    let before = clean(&line.before);
    let redacted = clean(&line.secret);
    let after = clean(&line.after);
    let under_at: String = before
        .chars()
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let width = redacted.chars().count();
    (format!("{before}{redacted}{after}"), under_at, width)
}

/// Advice for rules that have no `help` of their own.
pub(crate) const DEFAULT_HELP: &str = "remove it and rotate it (assume it has leaked)";

fn summary(out: &mut dyn Write, outcome: &Outcome, opts: &Options) -> io::Result<()> {
    let s = &outcome.summary;
    let n = outcome.findings.len();
    if n == 0 && opts.context != Context::Scan && s.skipped.is_empty() {
        return Ok(());
    }
    let files = distinct_paths(&outcome.findings);
    let blocking = outcome.blocking();
    let models = outcome
        .findings
        .iter()
        .filter(|f| super::redact::is_model(f))
        .count();
    let found = match (n - models, models) {
        (s, 0) => plural(s, "secret", "secrets"),
        (0, m) => plural(m, "unsafe model finding", "unsafe model findings"),
        (s, m) => format!(
            "{} and {}",
            plural(s, "secret", "secrets"),
            plural(m, "unsafe model finding", "unsafe model findings")
        ),
    };
    let head = if n == 0 && s.skipped.contains_key(&SkipReason::Unreadable) {
        "no secrets found in what could be read"
            .red()
            .bold()
            .to_string()
    } else if n == 0 {
        "no secrets found".green().bold().to_string()
    } else {
        let found = format!("{found} in {}", plural(files, "file", "files"));
        match n - blocking {
            0 => found.red().bold().to_string(),
            _ if blocking == 0 => format!("{found}, {NOT_BLOCKING}")
                .yellow()
                .bold()
                .to_string(),
            soft => format!("{found}, {soft} of them {NOT_BLOCKING}")
                .red()
                .bold()
                .to_string(),
        }
    };
    writeln!(out, "leakgate: {head} ({})", scanned(s))?;
    for (reason, paths) in &s.skipped {
        skipped_line(out, *reason, paths)?;
    }
    if !outcome.suppressed.is_empty() && !opts.show_suppressed {
        writeln!(
            out,
            "  {} suppressed by inline markers, the baseline or config allowlists (list them with --show-suppressed)",
            outcome.suppressed.len()
        )?;
    }
    if blocking > 0 {
        if n > models {
            advice(out, opts.context)?;
        }
    } else if n > 0 && opts.context != Context::Scan {
        writeln!(
            out,
            "nothing blocks: the findings above are {NOT_BLOCKING} (`fail_on` and `non_blocking` in .leakgate.yaml)."
        )?;
    }
    if models > 0 {
        writeln!(
            out,
            "model files: loading a file listed above can run code on your machine. Do not load it; remove it from the change, or, if you made it and trust it, allow it by path in .leakgate.yaml."
        )?;
    }
    Ok(())
}

fn skipped_line(out: &mut dyn Write, reason: SkipReason, paths: &[String]) -> io::Result<()> {
    let listed: Vec<String> = paths.iter().take(5).map(|p| clean(p)).collect();
    let more = paths.len().saturating_sub(listed.len());
    let tail = if more > 0 {
        format!(", and {more} more")
    } else {
        String::new()
    };
    writeln!(
        out,
        "  skipped {} {}: {}{tail}",
        plural(paths.len(), "file", "files"),
        reason.describe(),
        listed.join(", ")
    )
}

fn advice(out: &mut dyn Write, context: Context) -> io::Result<()> {
    let lines: &[&str] = match context {
        Context::Commit => &[
            "the commit is blocked. To go on:",
            "  fix:    remove each secret from the staged change, rotate it (assume it leaked), and commit again;",
            "  allow:  if a finding is not a secret, add `leakgate:allow` in a comment on its line;",
            "  bypass: `git commit --no-verify` skips this check deliberately.",
        ],
        Context::Push => &[
            "the push is rejected. To go on:",
            "  fix:    rewrite the commits that add a secret (git rebase -i, git commit --amend), rotate each secret, and push again;",
            "  allow:  if a finding is not a secret, add `leakgate:allow` in a comment on its line.",
        ],
        Context::Scan => &["rotate each secret that is real, then remove it from the code."],
    };
    for line in lines {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

fn scanned(s: &Summary) -> String {
    let mut parts = Vec::new();
    if let Some(c) = s.commits {
        parts.push(plural(c, "commit", "commits"));
    }
    match s.scan {
        "history" => parts.push(plural(s.files, "blob", "blobs")),
        _ => parts.push(plural(s.files, "file", "files")),
    }
    parts.push(bytes(s.bytes));
    if s.models > 0 {
        parts.push(plural(s.models, "model file", "model files"));
    }
    format!(
        "{} scanned in {:.2} s",
        parts.join(", "),
        s.elapsed.as_secs_f64()
    )
}

fn distinct_paths(findings: &[Finding]) -> usize {
    let mut paths: Vec<&str> = findings.iter().map(|f| f.origin.path.as_str()).collect();
    paths.sort_unstable();
    paths.dedup();
    paths.len()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A byte count for people: `512 B`, `3.4 KiB`, `12.0 MiB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

/// `YYYY-MM-DD` (UTC) of a Unix time.
pub fn date(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_keeps_findings_and_unreadable_files_only() {
        use crate::report::testing;
        use crate::source::{Location, Origin};
        let found = testing::commit_findings("a.txt", "k = TESTKEY-a8Zq3LmN0pR7sT2v\n");
        let mut outcome = testing::outcome(found);
        let origin = Origin::new("locked.txt", Location::File);
        outcome.summary.skip(&origin, SkipReason::Unreadable);
        outcome.summary.skip(&origin, SkipReason::Binary);
        let render = |quiet| {
            let mut out = Vec::new();
            let opts = Options {
                quiet,
                ..testing::options()
            };
            write(&mut out, &outcome, &opts).unwrap();
            String::from_utf8(out).unwrap()
        };
        let loud = render(false);
        assert!(
            loud.contains("leakgate: 1 secret") && loud.contains("binary"),
            "{loud}"
        );
        let quiet = render(true);
        assert!(quiet.contains("a.txt:7:5"), "{quiet}");
        assert!(
            quiet.contains("skipped 1 file unreadable: locked.txt"),
            "{quiet}"
        );
        assert!(
            !quiet.contains("leakgate: 1 secret") && !quiet.contains("binary"),
            "{quiet}"
        );
    }

    /// Found by the `report` fuzz target: a not-blocking or suppression reason
    /// quoting a config glob with an escape sequence reached the terminal raw.
    #[test]
    fn reasons_from_the_config_are_cleaned() {
        use crate::report::testing;
        use crate::types::Suppression;
        let found = testing::commit_findings("a.txt", "k = TESTKEY-a8Zq3LmN0pR7sT2v\n");
        let mut outcome = testing::outcome(found.clone());
        let why = "path `\u{1b}[2J\u{202E}src/**` (non_blocking.paths[0])".to_string();
        outcome
            .not_blocking
            .insert(found[0].fingerprint.clone(), why);
        let glob = "path `\u{1b}]0;owned\u{7}*` (allow.paths[0])".to_string();
        outcome
            .suppressed
            .push((found[0].clone(), Suppression::Config(glob)));
        let opts = Options {
            show_suppressed: true,
            ..testing::options()
        };
        let mut out = Vec::new();
        write(&mut out, &outcome, &opts).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("reported, not blocking: path `\u{FFFD}[2J\u{FFFD}src/**`"),
            "{text}"
        );
        assert!(
            text.contains("suppressed by config allowlist: path `\u{FFFD}]0;owned\u{FFFD}*`"),
            "{text}"
        );
        assert!(!text.contains(['\u{1b}', '\u{7}', '\u{202E}']), "{text}");
    }

    #[test]
    fn dates_and_sizes() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_700_000_000), "2023-11-14");
        assert_eq!(bytes(10), "10 B");
        assert_eq!(bytes(3 * 1024 * 1024), "3.0 MiB");
    }

    #[test]
    fn a_layered_finding_shows_its_chain_after_the_path() {
        use crate::report::testing;
        let outcome = testing::outcome(vec![
            testing::notebook_finding(),
            testing::archive_finding(),
        ]);
        let mut out = Vec::new();
        write(&mut out, &outcome, &testing::options()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains(
                "--> eval.ipynb cell 3, output 1, line 2, column 5 (line 41 of the file)"
            ),
            "{text}"
        );
        assert!(
            text.contains("--> backup.zip!/config/.env base64 at 3:9, line 1, column 1\n"),
            "{text}"
        );
        assert!(!text.contains("TESTKEY-a8Zq3"), "redacted: {text}");
    }
}
