//! The JUnit XML format, for CI systems that only read test reports (Jenkins,
//! GitLab's `artifacts:reports:junit`, Azure Pipelines, CircleCI, ...).
//!
//! One `<testsuite>` per file with findings, one failing `<testcase>` per finding
//! (its name is the rule id and position, its failure message the severity, rule
//! name and location, its body the redacted line and what to do). A scan with no
//! findings is one passing test case, `no secrets found`, so a dashboard shows the
//! check ran. Suppressed findings (with `--show-suppressed`) are skipped test cases
//! that say why. Every finding is a failure whatever its severity: the exit code,
//! not this report, says whether the job blocks.
//!
//! Text is made safe for XML 1.0 (characters it cannot hold become `�`), and the
//! echoed line and path in message bodies go through the terminal sanitiser too, as
//! CI pages show them to people.

use super::redact::redacted_line;
use super::sanitize::clean;
use super::{Options, Outcome};
use crate::types::{Finding, Suppression};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// A finding and, if suppressed, why.
type Case<'a> = (&'a Finding, Option<&'a Suppression>);

/// Writes the XML document.
pub fn write(out: &mut dyn Write, outcome: &Outcome, opts: &Options) -> io::Result<()> {
    let by_file = group(outcome, opts);
    let failures = outcome.findings.len();
    let skipped = by_file.values().flatten().count() - failures;
    let tests = (failures + skipped).max(1);
    let time = outcome.summary.elapsed.as_secs_f64();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="leakgate" tests="{tests}" failures="{failures}" errors="0" skipped="{skipped}" time="{time:.3}">"#
    )?;
    if failures == 0 {
        clean_suite(out, outcome)?;
    }
    for (path, cases) in &by_file {
        suite(out, path, cases, opts)?;
    }
    writeln!(out, "</testsuites>")
}

/// The findings to show, grouped by path (sorted), in report order within a path.
fn group<'a>(outcome: &'a Outcome, opts: &Options) -> BTreeMap<&'a str, Vec<Case<'a>>> {
    let mut by_file: BTreeMap<&str, Vec<Case<'a>>> = BTreeMap::new();
    for f in &outcome.findings {
        by_file.entry(&f.origin.path).or_default().push((f, None));
    }
    if opts.show_suppressed {
        for (f, why) in &outcome.suppressed {
            by_file
                .entry(&f.origin.path)
                .or_default()
                .push((f, Some(why)));
        }
    }
    by_file
}

fn clean_suite(out: &mut dyn Write, outcome: &Outcome) -> io::Result<()> {
    let s = &outcome.summary;
    let scanned = format!(
        "{} files, {} scanned",
        s.files,
        super::human::bytes(s.bytes)
    );
    writeln!(
        out,
        r#"  <testsuite name="leakgate" tests="1" failures="0" errors="0" skipped="0" time="0">"#
    )?;
    writeln!(
        out,
        r#"    <testcase name="no secrets found" classname="leakgate"><system-out>{}</system-out></testcase>"#,
        text(&scanned)
    )?;
    writeln!(out, "  </testsuite>")
}

fn suite(out: &mut dyn Write, path: &str, cases: &[Case<'_>], opts: &Options) -> io::Result<()> {
    let skipped = cases.iter().filter(|(_, why)| why.is_some()).count();
    writeln!(
        out,
        r#"  <testsuite name="{}" tests="{}" failures="{}" errors="0" skipped="{skipped}" time="0">"#,
        attr(path),
        cases.len(),
        cases.len() - skipped
    )?;
    for (f, why) in cases {
        case(out, f, *why, opts)?;
    }
    writeln!(out, "  </testsuite>")
}

fn case(
    out: &mut dyn Write,
    f: &Finding,
    why: Option<&Suppression>,
    opts: &Options,
) -> io::Result<()> {
    let path = &f.origin.path;
    let at = super::location(f);
    let mut name = match f.origin.layers.is_empty() {
        true => format!("{} at line {}:{}", f.rule.id, f.line, f.column),
        false => format!("{} at {at}", f.rule.id),
    };
    if let Some(c) = f.origin.commit() {
        name.push_str(&format!(" in commit {}", &c.id[..c.id.len().min(12)]));
    }
    writeln!(
        out,
        r#"    <testcase name="{}" classname="{}" file="{}" line="{}">"#,
        attr(&name),
        attr(path),
        attr(path),
        f.file_position().map_or(1, |p| p.line)
    )?;
    match why {
        Some(why) => writeln!(
            out,
            r#"      <skipped message="{}"/>"#,
            attr(&format!("suppressed by {why}"))
        )?,
        None => writeln!(
            out,
            r#"      <failure type="{}" message="{}">{}</failure>"#,
            attr(&f.rule.id),
            attr(&format!(
                "{}: {} at {at}",
                f.rule.severity.as_str(),
                f.rule.name,
            )),
            text(&body(f, opts))
        )?,
    }
    writeln!(out, "    </testcase>")
}

/// The failure's text: where, the redacted line, and what to do.
fn body(f: &Finding, opts: &Options) -> String {
    let mut lines = vec![clean(&super::location(f))];
    if let Some(c) = f.origin.commit() {
        lines.push(format!(
            "commit {} by {} <{}> on {}",
            c.id,
            clean(&c.author),
            clean(&c.email),
            super::human::date(c.time)
        ));
    }
    lines.push(format!(
        "{} | {}",
        f.line,
        clean(&redacted_line(f, opts.redaction))
    ));
    lines.push(format!("help: {}", clean(super::sarif::help(&f.rule))));
    lines.push("not a secret? add `leakgate:allow` in a comment on the line".into());
    lines.join("\n")
}

/// `s` with every character XML 1.0 cannot hold replaced by `�`.
fn xml_safe(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().map(|c| match c {
        '\t' | '\n' | '\r' => c,
        c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
        c => c,
    })
}

/// `s` escaped for element content.
fn text(s: &str) -> String {
    escape(s, |_| None)
}

/// `s` escaped for a double-quoted attribute (line breaks and tabs kept as
/// character references, which attribute normalisation would otherwise turn into
/// spaces).
fn attr(s: &str) -> String {
    escape(s, |c| match c {
        '"' => Some("&quot;"),
        '\n' => Some("&#10;"),
        '\r' => Some("&#13;"),
        '\t' => Some("&#9;"),
        _ => None,
    })
}

/// `s` made XML-safe with `&`, `<`, `>` escaped, plus what `extra` escapes.
fn escape(s: &str, extra: impl Fn(char) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(s.len());
    for c in xml_safe(s) {
        match (c, extra(c)) {
            (_, Some(entity)) => out.push_str(entity),
            ('&', _) => out.push_str("&amp;"),
            ('<', _) => out.push_str("&lt;"),
            ('>', _) => out.push_str("&gt;"),
            (c, None) => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing;

    #[test]
    fn commit_and_author_are_named_and_cleaned() {
        let found = testing::commit_findings("cfg.txt", "k = TESTKEY-a8Zq3LmN0pR7sT2v\n");
        let mut out = Vec::new();
        write(&mut out, &testing::outcome(found), &testing::options()).unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert!(xml.contains("in commit abc123000000"), "{xml}");
        assert!(
            xml.contains("Ann\u{FFFD}Evil"),
            "bidi override replaced: {xml}"
        );
        assert!(!xml.contains('\u{202E}'), "{xml}");
    }

    #[test]
    fn escapes_for_xml() {
        assert_eq!(attr("a\"<&>\n\x1b"), "a&quot;&lt;&amp;&gt;&#10;\u{FFFD}");
        assert_eq!(text("x<y & \x00z"), "x&lt;y &amp; \u{FFFD}z");
    }

    #[test]
    fn a_layered_finding_names_its_chain() {
        let outcome = testing::outcome(vec![
            testing::notebook_finding(),
            testing::archive_finding(),
        ]);
        let mut out = Vec::new();
        write(&mut out, &outcome, &testing::options()).unwrap();
        let xml = String::from_utf8(out).unwrap();
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let cases: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        assert_eq!(cases.len(), 2);
        let nb = cases
            .iter()
            .find(|c| c.attribute("file") == Some("eval.ipynb"))
            .unwrap();
        assert_eq!(nb.attribute("line"), Some("41"));
        assert_eq!(
            nb.attribute("name"),
            Some("test-key at eval.ipynb cell 3, output 1, line 2, column 5 (line 41 of the file)")
        );
        assert!(
            xml.contains("backup.zip!/config/.env base64 at 3:9, line 1, column 1"),
            "{xml}"
        );
    }
}
