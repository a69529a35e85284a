//! `leakgate baseline audit`: a reviewer walks through baseline entries and records
//! a verdict (and a note) for each, so the baseline says why each finding was
//! accepted. On a terminal it prompts entry by entry, saving after each answer;
//! `--fingerprint FP --verdict V [--note N]` does one entry without prompting, for
//! scripts and tests.

use super::baseline::{self, verdict_name};
use super::common::{ConfigArgs, Status};
use crate::allow::baseline::{Baseline, BaselineFile, Verdict};
use crate::config::Loaded;
use crate::pipeline::baseline::{locations, scan, Scope};
use crate::report::sanitize::clean;
use anyhow::{bail, Context, Result};
use std::collections::HashMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;

/// Options of `baseline audit`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The entry to judge (its fingerprint, or a unique prefix of 6 or more digits).
    #[arg(long, value_name = "FP", requires = "verdict")]
    fingerprint: Option<String>,
    /// The verdict to record for --fingerprint.
    #[arg(long, value_enum, requires = "fingerprint")]
    verdict: Option<Verdict>,
    /// A note to record with the verdict (who checked, why).
    #[arg(long, requires = "fingerprint")]
    note: Option<String>,
    /// Prompt for reviewed entries too, not only unreviewed ones.
    #[arg(long)]
    all: bool,
    #[command(flatten)]
    config: ConfigArgs,
}

/// Runs the command.
pub fn run(args: Args) -> Result<Status> {
    let (loaded, file) = baseline::setup(&args.config)?;
    let mut base = Baseline::load(&file)?;
    if let (Some(fp), Some(verdict)) = (&args.fingerprint, args.verdict) {
        let full = resolve(&base, fp)?;
        let entry = base.get_mut(&full).expect("resolved");
        entry.verdict = Some(verdict);
        entry.note = args.note.clone().or(entry.note.take());
        let said = format!(
            "{} in {} ({full}) marked {}",
            entry.rule,
            entry.path,
            verdict.as_str()
        );
        base.save(&file)?;
        eprintln!("leakgate: {said}");
        return Ok(Status::Clean);
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "not a terminal: judge one entry with --fingerprint FP --verdict VERDICT [--note TEXT]"
        );
    }
    let shown = current_locations(loaded, &file, &base, args.config.max_file_size)?;
    let mut input = std::io::stdin().lock();
    let mut out = std::io::stderr();
    let mut save = |b: &Baseline| b.save(&file);
    let judged = prompt_all(&mut base, &shown, args.all, &mut input, &mut out, &mut save)?;
    eprintln!("leakgate: recorded {judged} verdicts in {}", file.display());
    Ok(Status::Clean)
}

/// Scans what the baseline was made from, to show where each entry's secret is now.
fn current_locations(
    mut loaded: Loaded,
    file: &Path,
    base: &Baseline,
    max_size: u64,
) -> Result<HashMap<String, String>> {
    loaded.baseline = Some(Arc::new(BaselineFile::from_baseline(file, base.clone())));
    let allow = loaded.allow();
    let from = Scope::parse_name(&base.from)?;
    let outcome = scan(from, &loaded, &allow, max_size)?;
    Ok(locations(&outcome.suppressed, &allow))
}

/// The full fingerprint an argument names.
fn resolve(base: &Baseline, fp: &str) -> Result<String> {
    if base.contains(fp) {
        return Ok(fp.to_string());
    }
    let hits: Vec<&String> = base
        .sorted()
        .into_iter()
        .map(|(k, _)| k)
        .filter(|k| fp.len() >= 6 && k.starts_with(fp))
        .collect();
    match hits.as_slice() {
        [one] => Ok((*one).clone()),
        [] => bail!("no baseline entry has fingerprint `{fp}` (see the fingerprints in the baseline file or in `--format json` reports)"),
        _ => bail!("`{fp}` matches {} entries; give more digits", hits.len()),
    }
}

/// Prompts for each entry (unreviewed ones unless `all`), saving after each answer.
/// Returns how many verdicts were recorded.
pub fn prompt_all(
    base: &mut Baseline,
    shown: &HashMap<String, String>,
    all: bool,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    save: &mut dyn FnMut(&Baseline) -> Result<()>,
) -> Result<usize> {
    let todo: Vec<String> = base
        .sorted()
        .into_iter()
        .filter(|(_, e)| all || e.verdict.is_none())
        .map(|(fp, _)| fp.clone())
        .collect();
    let mut judged = 0;
    for (i, fp) in todo.iter().enumerate() {
        let e = base.get(fp).expect("listed").clone();
        writeln!(
            out,
            "[{}/{}] {} in {} ({fp}, {})",
            i + 1,
            todo.len(),
            e.rule,
            clean(&e.path),
            verdict_name(e.verdict)
        )?;
        match shown.get(fp) {
            Some(at) => writeln!(out, "  {at}")?,
            None => writeln!(
                out,
                "  (not found in the current scan: `leakgate baseline prune` removes it)"
            )?,
        }
        match ask_verdict(input, out)? {
            Answer::Quit => break,
            Answer::Skip => continue,
            Answer::Verdict(verdict, note) => {
                let entry = base.get_mut(fp).expect("listed");
                entry.verdict = Some(verdict);
                entry.note = note.or(entry.note.take());
                save(base)?;
                judged += 1;
            }
        }
    }
    Ok(judged)
}

enum Answer {
    Verdict(Verdict, Option<String>),
    Skip,
    Quit,
}

/// Asks for a verdict, then a note; end of input quits.
fn ask_verdict(input: &mut dyn BufRead, out: &mut dyn Write) -> Result<Answer> {
    let prompt = "verdict? [f]alse-positive [r]evoked [a]ccepted [s]kip [q]uit: ";
    let verdict = match ask(input, out, prompt)?.as_deref() {
        None | Some("q") => return Ok(Answer::Quit),
        Some("f") => Verdict::FalsePositive,
        Some("r") => Verdict::Revoked,
        Some("a") => Verdict::Accepted,
        Some(_) => return Ok(Answer::Skip),
    };
    let note = ask(input, out, "note (enter to skip): ")?.filter(|n| !n.is_empty());
    Ok(Answer::Verdict(verdict, note))
}

/// Prints a prompt and reads one trimmed line; `None` at end of input.
fn ask(input: &mut dyn BufRead, out: &mut dyn Write, prompt: &str) -> Result<Option<String>> {
    write!(out, "{prompt}")?;
    out.flush()?;
    let mut line = String::new();
    if input
        .read_line(&mut line)
        .context("cannot read the answer")?
        == 0
    {
        return Ok(None);
    }
    Ok(Some(line.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FP1: &str = "0123456789abcdef0123456789abcdef";
    const FP2: &str = "fedcba9876543210fedcba9876543210";

    fn base() -> Baseline {
        let text = format!(
            "{{\"leakgate_baseline\": 1, \"from\": \"worktree\"\n,\"{FP1}\": {{\"rule\":\"r\",\"path\":\"a.py\"}}\n,\"{FP2}\": {{\"rule\":\"r\",\"path\":\"b.py\"}}\n}}\n"
        );
        Baseline::parse(&text).unwrap()
    }

    #[test]
    fn prompts_record_verdicts_and_notes_and_save_each() {
        let mut b = base();
        let shown = HashMap::from([(FP1.to_string(), "a.py:3: key = \"****\"".to_string())]);
        let mut input = std::io::Cursor::new("f\nfixture for tests\ns\n");
        let mut out = Vec::new();
        let mut saves = 0;
        let n = prompt_all(&mut b, &shown, false, &mut input, &mut out, &mut |_| {
            saves += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!((n, saves), (1, 1));
        let e = b.get(FP1).unwrap();
        assert_eq!(e.verdict, Some(Verdict::FalsePositive));
        assert_eq!(e.note.as_deref(), Some("fixture for tests"));
        assert_eq!(b.get(FP2).unwrap().verdict, None);
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("[1/2] r in a.py"), "{text}");
        assert!(text.contains("a.py:3: key = \"****\""), "{text}");
        assert!(text.contains("not found in the current scan"), "{text}");
    }

    #[test]
    fn reviewed_entries_are_skipped_unless_all() {
        let mut b = base();
        b.get_mut(FP1).unwrap().verdict = Some(Verdict::Revoked);
        let mut out = Vec::new();
        let mut input = std::io::Cursor::new("q\n");
        prompt_all(
            &mut b,
            &HashMap::new(),
            false,
            &mut input,
            &mut out,
            &mut |_| Ok(()),
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("[1/1] r in b.py"), "{text}");
    }

    #[test]
    fn fingerprint_prefixes_resolve_when_unique() {
        let b = base();
        assert_eq!(resolve(&b, "012345").unwrap(), FP1);
        assert!(resolve(&b, "0123").is_err());
        assert!(resolve(&b, "999999").is_err());
    }
}
