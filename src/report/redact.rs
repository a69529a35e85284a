//! Redaction: secrets are never printed whole unless the user asks.

use crate::types::{Finding, Outcome};
use std::sync::Arc;

/// How much of a secret a report shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redaction {
    /// The default: the first 4 characters of secrets of 16 characters or more (a
    /// token's public prefix, such as `ghp_`), nothing of shorter ones, and no
    /// digit ever: a prefix with a digit in it (a card number's issuer digits,
    /// an IBAN's country and check digits, an SSN's area) is masked whole.
    Default,
    /// The first N characters.
    Keep(usize),
    /// The whole secret (`--show-secrets`).
    Show,
}

impl Redaction {
    /// The redaction for one finding: a model finding names a callable and a
    /// place in a file, public text that is shown whole.
    pub fn for_finding(self, f: &Finding) -> Redaction {
        if is_model(f) {
            Redaction::Show
        } else {
            self
        }
    }

    /// The secret as shown: kept characters, then one `*` per hidden character so the
    /// redacted text is as wide as the secret.
    pub fn apply(self, secret: &[u8]) -> String {
        let text = String::from_utf8_lossy(secret);
        let len = text.chars().count();
        let keep = match self {
            Redaction::Show => return text.into_owned(),
            Redaction::Keep(n) => n.min(len),
            Redaction::Default
                if len >= 16 && !text.chars().take(4).any(|c| c.is_ascii_digit()) =>
            {
                4
            }
            Redaction::Default => 0,
        };
        text.chars()
            .take(keep)
            .chain(std::iter::repeat_n('*', len - keep))
            .collect()
    }
}

/// Whether a finding comes from the model file detector rather than a secret rule.
pub fn is_model(f: &Finding) -> bool {
    f.rule.family == crate::detect::rules::FAMILY
}

/// A finding's line as every report shows it: its own secret and every other
/// secret found on the line redacted as the redaction says, invalid UTF-8
/// replaced. Control characters are left for the caller to deal with (the
/// terminal, XML and JSON each have their own rules). The one place that turns a
/// finding's line into text, so no format can show a neighbouring secret.
pub struct RedactedLine {
    /// The text before the finding's own secret.
    pub before: String,
    /// The finding's own secret, redacted.
    pub secret: String,
    /// The text after it.
    pub after: String,
}

impl RedactedLine {
    /// The line of `f` with every secret on it redacted.
    pub fn of(f: &Finding, redaction: Redaction) -> RedactedLine {
        let redaction = redaction.for_finding(f);
        let (s0, s1) = f.secret_span;
        let text = &f.line_text;
        RedactedLine {
            before: masked(text, 0, s0, &f.other_spans, redaction),
            secret: redaction.apply(&text[s0..s1]),
            after: masked(text, s1, text.len(), &f.other_spans, redaction),
        }
    }

    /// The whole line.
    pub fn text(&self) -> String {
        format!("{}{}{}", self.before, self.secret, self.after)
    }
}

/// `text[from..to]` with the parts inside `spans` redacted (spans may overlap,
/// be unsorted or reach outside the range).
pub(crate) fn masked(
    text: &[u8],
    from: usize,
    to: usize,
    spans: &[(usize, usize)],
    redaction: Redaction,
) -> String {
    let mut clipped: Vec<(usize, usize)> = spans
        .iter()
        .map(|&(s, e)| (s.max(from), e.min(to)))
        .filter(|(s, e)| s < e)
        .collect();
    clipped.sort_unstable();
    let mut out = String::new();
    let mut at = from;
    for (s, e) in clipped {
        if e <= at {
            continue;
        }
        let s = s.max(at);
        out.push_str(&String::from_utf8_lossy(&text[at..s]));
        out.push_str(&redaction.apply(&text[s..e]));
        at = e;
    }
    out.push_str(&String::from_utf8_lossy(&text[at..to]));
    out
}

/// Masks every secret found in a file name ([`Origin::is_file_name`]) wherever
/// the outcome holds a path that contains it: the origins of the findings that
/// stand and of the suppressed ones, and the skipped lists. Fingerprints are
/// kept (they were taken from the real path). Nothing to do for `Show`.
///
/// [`Origin::is_file_name`]: crate::types::Origin::is_file_name
pub fn mask_file_names(outcome: &mut Outcome, redaction: Redaction) {
    let suppressed = outcome.suppressed.iter().map(|(f, _)| f);
    let secrets = name_secrets(outcome.findings.iter().chain(suppressed));
    if secrets.is_empty() || redaction == Redaction::Show {
        return;
    }
    let suppressed = outcome.suppressed.iter_mut().map(|(f, _)| f);
    for f in outcome.findings.iter_mut().chain(suppressed) {
        let path = mask_in(&f.origin.path, &secrets, redaction);
        if path != f.origin.path {
            let mut origin = (*f.origin).clone();
            origin.path = path;
            f.origin = Arc::new(origin);
        }
    }
    for path in outcome.summary.skipped.values_mut().flatten() {
        *path = mask_in(path, &secrets, redaction);
    }
}

/// The secrets found in file names, longest first (so a secret that holds
/// another is masked whole).
pub fn name_secrets<'a>(findings: impl Iterator<Item = &'a Finding>) -> Vec<String> {
    let mut secrets: Vec<String> = findings
        .filter(|f| f.origin.is_file_name() && !f.secret.is_empty())
        .map(|f| String::from_utf8_lossy(&f.secret).into_owned())
        .collect();
    secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    secrets.dedup();
    secrets
}

/// `text` with every occurrence of each of `secrets` masked as `redaction` says.
pub fn mask_in(text: &str, secrets: &[String], redaction: Redaction) -> String {
    let mut out = text.to_string();
    for secret in secrets.iter().filter(|s| text.contains(s.as_str())) {
        out = out.replace(secret.as_str(), &redaction.apply(secret.as_bytes()));
    }
    out
}

/// The finding's line as a report may show it: see [`RedactedLine`].
pub fn redacted_line(f: &Finding, redaction: Redaction) -> String {
    RedactedLine::of(f, redaction).text()
}

#[cfg(test)]
mod tests {
    use super::{mask_in, Redaction};

    #[test]
    fn a_secret_is_masked_wherever_a_path_holds_it() {
        let token = "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";
        let secrets = vec![token.to_string()];
        let path = format!("{token}/backup-{token}.txt");
        let masked = mask_in(&path, &secrets, Redaction::Default);
        assert!(!masked.contains(token), "{masked}");
        assert_eq!(masked.matches("ghp_****").count(), 2, "{masked}");
        assert_eq!(masked.len(), path.len());
        assert_eq!(
            mask_in("clean.txt", &secrets, Redaction::Default),
            "clean.txt"
        );
    }

    #[test]
    fn redaction_keeps_width_and_prefix() {
        let token = b"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";
        let shown = Redaction::Default.apply(token);
        assert_eq!(shown.len(), token.len());
        assert!(shown.starts_with("ghp_*"));
        assert_eq!(Redaction::Default.apply(b"hunter2"), "*******");
        assert_eq!(
            Redaction::Default.apply(b"4111 1111 1111 1111"),
            "*******************",
            "no digit of a card number"
        );
        assert_eq!(
            Redaction::Default.apply(b"NL92RABO0991692061"),
            "******************"
        );
        assert_eq!(Redaction::Keep(2).apply(b"hunter2"), "hu*****");
        assert_eq!(Redaction::Show.apply(b"hunter2"), "hunter2");
    }
}
