//! The `scan --explain` report: for one file (or one line of it), which rules'
//! keywords hit, which patterns matched, and for each match the check that
//! dropped it or the filter that allowed it, or that it is reported.
//!
//! It reads the engine's trace ([`crate::engine::trace`]) of each chunk the file
//! gave (the file as read, then each decoded layer: notebook cells, base64 runs),
//! so it explains the decisions the ordinary scan takes, not a second opinion.
//! Every candidate secret is masked as findings are in other reports, whether or
//! not a check dropped it: a value dropped for low entropy can still be a password.

use super::{sanitize::clean, Redaction};
use crate::engine::trace::{Record, Span};
use crate::types::{Finding, Origin, Rule, SkipReason, Suppression};
use std::io::{self, Write};
use std::sync::Arc;

/// What became of a finding the engine produced.
#[derive(Debug, Clone)]
pub enum Standing {
    /// Reported, and it blocks.
    Blocks,
    /// Reported, but the blocking policy lets it pass (why).
    NotBlocking(String),
    /// Allowed: an inline marker, the baseline or a config allowlist.
    Suppressed(Suppression),
}

impl Standing {
    fn describe(&self, f: &Finding) -> String {
        let what = format!("{} (severity {})", f.rule.name, f.rule.severity.as_str());
        match self {
            Standing::Blocks => format!("REPORTED: {what}"),
            Standing::NotBlocking(why) => format!("REPORTED, not blocking ({why}): {what}"),
            Standing::Suppressed(why) => format!("allowed by {why}: {what}"),
        }
    }
}

/// One chunk the file gave, and the engine's trace of it.
#[derive(Debug)]
pub struct Part {
    /// Where the chunk came from (the file, or a decoded layer of it).
    pub origin: Arc<Origin>,
    /// The chunk's bytes (the trace's spans index them).
    pub bytes: Vec<u8>,
    /// The engine's steps, in order.
    pub records: Vec<Record>,
    /// For each `Found` record, in order, what the filters made of it.
    pub standings: Vec<Standing>,
}

/// Everything `--explain` found out about one file.
#[derive(Debug, Default)]
pub struct Explanation {
    /// The file, as given.
    pub path: String,
    /// The line asked about, if one was.
    pub line: Option<u32>,
    /// Findings on the file as a whole (path rules, model file judges).
    pub whole: Vec<(Finding, Standing)>,
    /// The chunks scanned.
    pub parts: Vec<Part>,
    /// What could not be scanned, and why.
    pub skipped: Vec<(String, SkipReason)>,
}

impl Explanation {
    /// How many findings in scope stand and block.
    pub fn blocking(&self) -> usize {
        let whole = self.whole.iter().map(|(_, s)| s);
        let parts = self
            .parts
            .iter()
            .flat_map(|p| p.in_scope_standings(self.line));
        whole
            .chain(parts)
            .filter(|s| matches!(s, Standing::Blocks))
            .count()
    }
}

/// Lines and their starts in a part's bytes.
struct Lines<'a> {
    part: &'a Part,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(part: &'a Part) -> Self {
        Lines {
            part,
            starts: crate::types::line_starts(&part.bytes),
        }
    }

    /// The 0-based index of the line holding `offset`.
    fn index(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// The line of `offset` in the file (through the layers), if it has one.
    fn file_line(&self, offset: usize) -> Option<u32> {
        let line = self.index(offset) as u32 + 1;
        self.part.origin.file_position(line, 1).map(|p| p.line)
    }

    /// The byte range of line `index`, without its line break.
    fn range(&self, index: usize) -> Span {
        let start = self.starts.get(index).copied().unwrap_or(0);
        let bytes = &self.part.bytes;
        let mut end = self.starts.get(index + 1).copied().unwrap_or(bytes.len());
        while end > start && matches!(bytes[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        (start, end)
    }

    /// Whether the span touches the file line asked about (always, if none was).
    fn in_scope(&self, span: Span, line: Option<u32>) -> bool {
        let Some(line) = line else { return true };
        let first = self.file_line(span.0);
        let last = self.file_line(span.1.saturating_sub(1).max(span.0));
        matches!((first, last), (Some(a), Some(b)) if a <= line && line <= b)
    }
}

impl Part {
    fn in_scope_standings(&self, line: Option<u32>) -> Vec<&Standing> {
        let lines = Lines::new(self);
        let found = self.records.iter().filter_map(|r| match r {
            Record::Found { secret, .. } => Some(*secret),
            _ => None,
        });
        found
            .zip(&self.standings)
            .filter(|(span, _)| lines.in_scope(*span, line))
            .map(|(_, s)| s)
            .collect()
    }

    /// Every candidate secret's span: masked wherever text is shown.
    fn masks(&self) -> Vec<Span> {
        self.records
            .iter()
            .filter_map(|r| match r {
                Record::Dropped { secret, .. } | Record::Found { secret, .. } => Some(*secret),
                _ => None,
            })
            .collect()
    }
}

/// Longest text shown of a line or a match, in characters.
const MAX_SHOWN: usize = 160;

/// `bytes[from..to]` with every masked span in it redacted, cleaned for a
/// terminal and cut to [`MAX_SHOWN`] characters.
fn shown(bytes: &[u8], (from, to): Span, masks: &[Span], redaction: Redaction) -> String {
    let out = super::redact::masked(bytes, from, to, masks, redaction);
    let text = clean(&out);
    match text.char_indices().nth(MAX_SHOWN) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}

/// Shortest run of token characters that is masked on a shown line.
const MIN_TOKEN_RUN: usize = 20;

/// The runs of token characters (base64, hex, URL-safe) of [`MIN_TOKEN_RUN`] or
/// more with both a letter and a digit in `bytes[from..to]`. A line shown whole
/// may hold a secret no rule reported (an encoded one, found in a decoded layer,
/// or one the user is asking about): such runs are masked like secrets.
fn token_runs(bytes: &[u8], (from, to): Span) -> Vec<Span> {
    let token = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-');
    let mut runs = Vec::new();
    let mut i = from;
    while i < to {
        if !token(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < to && token(bytes[i]) {
            i += 1;
        }
        let run = &bytes[start..i];
        let mixed = run.iter().any(u8::is_ascii_digit) && run.iter().any(u8::is_ascii_alphabetic);
        if run.len() >= MIN_TOKEN_RUN && mixed {
            runs.push((start, i));
        }
    }
    runs
}

/// Where each of a rule's keywords occurs in a part (ASCII case-insensitive),
/// as `(offset, keyword)`.
fn keyword_hits(rule: &Rule, bytes: &[u8]) -> Vec<(usize, String)> {
    let lower = bytes.to_ascii_lowercase();
    let mut hits = Vec::new();
    for word in &rule.keywords {
        let needle = word.to_ascii_lowercase();
        for at in memchr::memmem::find_iter(&lower, needle.as_bytes()) {
            hits.push((at, word.clone()));
        }
    }
    hits.sort();
    hits
}

/// Writes the explanation for people.
pub fn write(out: &mut dyn Write, e: &Explanation, redaction: Redaction) -> io::Result<()> {
    let target = match e.line {
        Some(line) => format!("{}:{line}", e.path),
        None => e.path.clone(),
    };
    writeln!(out, "Explaining {}", clean(&target))?;
    for (f, standing) in &e.whole {
        writeln!(out, "  the file as a whole: `{}`", f.rule.id)?;
        writeln!(out, "    {}", standing.describe(f))?;
    }
    for (place, reason) in &e.skipped {
        writeln!(
            out,
            "  {}: not scanned ({})",
            clean(place),
            reason.describe()
        )?;
    }
    for part in &e.parts {
        write_part(out, part, e.line, redaction)?;
    }
    Ok(())
}

/// What one rule did in one part, in scope.
struct RuleSteps<'a> {
    rule: &'a Arc<Rule>,
    keywords: Vec<(usize, String)>,
    out_of_scope: bool,
    matches: Vec<(&'a Record, Option<&'a Standing>)>,
}

fn write_part(
    out: &mut dyn Write,
    part: &Part,
    line: Option<u32>,
    redaction: Redaction,
) -> io::Result<()> {
    let lines = Lines::new(part);
    let steps = rule_steps(part, &lines, line);
    let masks = part.masks();
    writeln!(out, "\n{}", clean(&describe_origin(&part.origin)))?;
    if let Some(l) = line {
        if let Some(index) = (0..lines.starts.len()).find(|&i| {
            let (s, _) = lines.range(i);
            lines.file_line(s) == Some(l)
        }) {
            let range = lines.range(index);
            let mut masks = masks.clone();
            masks.extend(token_runs(&part.bytes, range));
            let text = shown(&part.bytes, range, &masks, redaction);
            writeln!(out, "  line {l}: {text}")?;
        }
    }
    let silent = steps.iter().filter(|s| !telling(s)).count();
    if silent > 0 && line.is_none() {
        writeln!(
            out,
            "  {silent} rules without keywords (run on every chunk, or only on some paths) matched nothing"
        )?;
    }
    if !steps.iter().any(telling) {
        let scope = if line.is_some() {
            "on this line"
        } else {
            "in it"
        };
        return writeln!(
            out,
            "  no rule's keyword occurs {scope} and no pattern matched: nothing to report"
        );
    }
    for s in steps.iter().filter(|s| telling(s)) {
        write_rule(out, part, &lines, s, &masks, redaction)?;
    }
    Ok(())
}

fn describe_origin(origin: &Origin) -> String {
    if origin.layers.is_empty() {
        format!("{} (as read)", origin.path)
    } else {
        format!("{} (decoded)", origin.describe())
    }
}

/// The steps of each rule that has any in scope, in the order the engine met them.
fn rule_steps<'a>(part: &'a Part, lines: &Lines<'_>, line: Option<u32>) -> Vec<RuleSteps<'a>> {
    let mut steps: Vec<RuleSteps<'a>> = Vec::new();
    let mut found = part.standings.iter();
    for r in &part.records {
        let (rule, span) = match r {
            Record::Candidate(rule) => {
                let keywords: Vec<(usize, String)> = keyword_hits(rule, &part.bytes)
                    .into_iter()
                    .filter(|(at, w)| lines.in_scope((*at, at + w.len()), line))
                    .collect();
                steps.push(RuleSteps {
                    rule,
                    keywords,
                    out_of_scope: false,
                    matches: Vec::new(),
                });
                continue;
            }
            Record::OutOfScope(rule) => {
                if let Some(s) = steps.iter_mut().find(|s| Arc::ptr_eq(s.rule, rule)) {
                    s.out_of_scope = true;
                }
                continue;
            }
            Record::Dropped {
                rule,
                whole,
                secret,
                ..
            } => (rule, whole.unwrap_or(*secret)),
            Record::Found { finding, secret } => (&finding.rule, *secret),
        };
        let standing = matches!(r, Record::Found { .. })
            .then(|| found.next())
            .flatten();
        if !lines.in_scope(span, line) {
            continue;
        }
        match steps.iter_mut().find(|s| Arc::ptr_eq(s.rule, rule)) {
            Some(s) => s.matches.push((r, standing)),
            None => steps.push(RuleSteps {
                rule,
                keywords: Vec::new(),
                out_of_scope: false,
                matches: vec![(r, standing)],
            }),
        }
    }
    let found = |s: &RuleSteps<'_>| s.matches.iter().any(|(_, st)| st.is_some());
    steps.sort_by_key(|s| (s.matches.is_empty(), !found(s)));
    steps
}

/// Whether a rule's steps say anything about the scope: a keyword of it occurs
/// there or it matched there. (Rules without keywords run on every chunk; they
/// are counted, not listed, when they match nothing.)
fn telling(s: &RuleSteps<'_>) -> bool {
    !s.keywords.is_empty() || !s.matches.is_empty()
}

fn write_rule(
    out: &mut dyn Write,
    part: &Part,
    lines: &Lines<'_>,
    s: &RuleSteps<'_>,
    masks: &[Span],
    redaction: Redaction,
) -> io::Result<()> {
    let words = keyword_list(s, lines);
    writeln!(out, "  rule `{}` ({}): {words}", s.rule.id, s.rule.name)?;
    if s.out_of_scope {
        let path = s.rule.path.as_deref().unwrap_or("");
        return writeln!(
            out,
            "    its path pattern `{}` does not match this file: its pattern did not run",
            clean(path)
        );
    }
    if s.matches.is_empty() {
        return writeln!(out, "    its pattern matched nothing here");
    }
    for (record, standing) in &s.matches {
        write_match(out, part, lines, record, *standing, masks, redaction)?;
    }
    Ok(())
}

fn keyword_list(s: &RuleSteps<'_>, lines: &Lines<'_>) -> String {
    if s.rule.keywords.is_empty() {
        return "no keywords: runs on every chunk".to_string();
    }
    if s.keywords.is_empty() {
        return "keyword elsewhere in the file".to_string();
    }
    let hits: Vec<String> = s
        .keywords
        .iter()
        .take(5)
        .map(|(at, w)| {
            let index = lines.index(*at);
            let column = at - lines.starts.get(index).copied().unwrap_or(0) + 1;
            format!("`{}` at {}:{column}", clean(w), index + 1)
        })
        .collect();
    let more = s.keywords.len().saturating_sub(5);
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!("keyword {}{more}", hits.join(", "))
}

fn write_match(
    out: &mut dyn Write,
    part: &Part,
    lines: &Lines<'_>,
    record: &Record,
    standing: Option<&Standing>,
    masks: &[Span],
    redaction: Redaction,
) -> io::Result<()> {
    let (span, verdict) = match (record, standing) {
        (
            Record::Dropped {
                rule,
                whole,
                secret,
                why,
            },
            _,
        ) => (
            whole.unwrap_or(*secret),
            format!("dropped: {}", why.describe(rule)),
        ),
        (Record::Found { finding, secret }, Some(s)) => (*secret, s.describe(finding)),
        _ => return Ok(()),
    };
    let index = lines.index(span.0);
    let column = span.0 - lines.starts.get(index).copied().unwrap_or(0) + 1;
    let text = shown(&part.bytes, span, masks, redaction);
    writeln!(out, "    matched `{text}` at {}:{column}", index + 1)?;
    writeln!(out, "      {verdict}")
}
