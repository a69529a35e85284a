//! Redaction: secrets are never printed whole unless the user asks.

use crate::types::Finding;

/// How much of a secret a report shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redaction {
    /// The default: the first 4 characters of secrets of 16 characters or more (a
    /// token's public prefix, such as `ghp_`), nothing of shorter ones.
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
            Redaction::Default if len >= 16 => 4,
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

/// The finding's line as a report may show it: the secret redacted as `redaction`
/// says, invalid UTF-8 replaced. Control characters are left for the caller to deal
/// with (the terminal, XML and JSON each have their own rules).
pub fn redacted_line(f: &Finding, redaction: Redaction) -> String {
    let (s0, s1) = f.secret_span;
    let before = String::from_utf8_lossy(&f.line_text[..s0]);
    let secret = redaction.for_finding(f).apply(&f.line_text[s0..s1]);
    let after = String::from_utf8_lossy(&f.line_text[s1..]);
    format!("{before}{secret}{after}")
}

#[cfg(test)]
mod tests {
    use super::Redaction;

    #[test]
    fn redaction_keeps_width_and_prefix() {
        let token = b"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";
        let shown = Redaction::Default.apply(token);
        assert_eq!(shown.len(), token.len());
        assert!(shown.starts_with("ghp_*"));
        assert_eq!(Redaction::Default.apply(b"hunter2"), "*******");
        assert_eq!(Redaction::Keep(2).apply(b"hunter2"), "hu*****");
        assert_eq!(Redaction::Show.apply(b"hunter2"), "hunter2");
    }
}
