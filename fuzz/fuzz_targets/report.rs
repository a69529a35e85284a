//! Report rendering with hostile paths, authors and lines: findings made by the
//! real engine (with the standard decoders) from fuzzed content at a fuzzed
//! path, rendered in every format. Promises checked: the JSON formats parse, the
//! JUnit report is well-formed XML, the human report carries no control,
//! bidirectional or zero-width character, and with the default redaction no
//! report shows a secret whole.
//!
//! Input: `flags path NUL author NUL content`.
#![no_main]

use leakgate::allow::Allow;
use leakgate::engine::Scanner;
use leakgate::pipeline::{Collector, Judge};
use leakgate::report::{self, Context, Format, Options, Redaction};
use leakgate::rules;
use leakgate::source::Visit;
use leakgate::types::{Chunk, CommitInfo, Location, Origin, Rule, SkipReason};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// Two rules that match easily, so fuzzed lines hold findings (several per line).
const RULES: &str = r#"
- id: fuzz-token
  name: Fuzz token
  severity: high
  keywords: [tok_]
  pattern: 'tok_([^\s]{1,40})'
  allow_placeholders: true
- id: fuzz-key
  name: Fuzz key
  severity: medium
  keywords: [key-]
  pattern: 'key-([A-Za-z0-9]{8,40})'
  allow_placeholders: true
"#;

const FORMATS: [Format; 6] = [
    Format::Human,
    Format::Json,
    Format::Jsonl,
    Format::Sarif,
    Format::Gitlab,
    Format::Junit,
];

fn scanner() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(|| {
        let rules = rules::parse_specs(RULES)
            .unwrap()
            .iter()
            .map(|s| Rule::from_spec(s, "fuzz").unwrap())
            .collect();
        Scanner::new(rules)
    })
}

fn location(flags: u8, author: &str) -> Location {
    match flags & 3 {
        0 => Location::Staged,
        1 => Location::File,
        2 => Location::Object(author.to_string()),
        _ => Location::Commit(CommitInfo {
            id: "0123456789abcdef0123456789abcdef01234567".into(),
            author: author.to_string(),
            email: author.to_string(),
            time: i64::from(flags) << 24,
        }),
    }
}

fn render(format: Format, outcome: &report::Outcome, opts: &Options) -> String {
    let mut out = Vec::new();
    report::write(&mut out, format, outcome, opts).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("every report is UTF-8")
}

/// Control, bidirectional and zero-width characters a terminal must not get
/// (newlines and tabs are layout).
fn unsafe_for_terminal(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n')
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{061C}')
}

fn check(format: Format, text: &str) {
    match format {
        Format::Human => {
            if let Some(c) = text.chars().find(|&c| unsafe_for_terminal(c)) {
                panic!("human report echoes {c:?}: {text:?}");
            }
        }
        Format::Jsonl => {
            for line in text.lines() {
                serde_json::from_str::<serde_json::Value>(line).expect("each JSONL line parses");
            }
        }
        Format::Junit => {
            if let Err(e) = roxmltree::Document::parse(text) {
                panic!("JUnit report is not XML ({e}): {text:?}");
            }
        }
        _ => {
            serde_json::from_str::<serde_json::Value>(text).expect("the report parses as JSON");
        }
    }
}

/// The secrets no default report may show whole: long enough to mean something,
/// and seen in the input only as a finding (not also in the path, the author or
/// elsewhere in the content, where it is not a secret).
fn hidden<'a>(
    outcome: &'a report::Outcome,
    path: &str,
    author: &str,
    content: &[u8],
) -> Vec<&'a str> {
    let mut out = Vec::new();
    for f in &outcome.findings {
        let Ok(s) = std::str::from_utf8(&f.secret) else {
            continue;
        };
        if s.len() < 8 || !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            continue;
        }
        if path.contains(s) || author.contains(s) || !only_as_secret(content, s.as_bytes()) {
            continue;
        }
        out.push(s);
    }
    out
}

/// Whether every occurrence of `s` in `content` follows a rule's keyword.
fn only_as_secret(content: &[u8], s: &[u8]) -> bool {
    (0..content.len().saturating_sub(s.len() - 1))
        .filter(|&i| content[i..].starts_with(s))
        .all(|i| i >= 4 && matches!(&content[i - 4..i], b"tok_" | b"key-"))
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let mut parts = rest.splitn(3, |&b| b == 0);
    let (Some(path), Some(author), Some(content)) = (parts.next(), parts.next(), parts.next())
    else {
        return;
    };
    let path = String::from_utf8_lossy(path).into_owned();
    let author = String::from_utf8_lossy(author).into_owned();
    let allow = Allow::default();
    let mut collector = Collector::new(Judge::new(scanner(), &allow));
    let origin = Origin::new(path.clone(), location(flags, &author));
    collector.chunk(&Chunk::whole(origin.clone(), content));
    if flags & 4 != 0 {
        collector.skipped(&origin, SkipReason::Binary);
        collector
            .outcome
            .summary
            .skip_path(SkipReason::Unreadable, path.clone());
    }
    let mut outcome = collector.outcome;
    if flags & 8 != 0 {
        if let Some(f) = outcome.findings.first() {
            let fp = f.fingerprint.clone();
            outcome.not_blocking.insert(fp, author.clone());
        }
    }
    let context = [Context::Commit, Context::Push, Context::Scan][usize::from(flags >> 6) % 3];
    let mut opts = Options {
        redaction: Redaction::Default,
        color: false,
        show_suppressed: flags & 16 != 0,
        context,
        quiet: flags & 32 != 0,
    };
    let secrets = hidden(&outcome, &path, &author, content);
    for format in FORMATS {
        let text = render(format, &outcome, &opts);
        check(format, &text);
        for s in &secrets {
            assert!(
                !text.contains(s),
                "{format:?} report shows the secret {s:?}: {text}"
            );
        }
    }
    opts.redaction = Redaction::Show;
    for format in FORMATS {
        check(format, &render(format, &outcome, &opts));
    }
});
