//! The start-of-token boundary, for every rule at once: a token with a fixed
//! prefix (`ghp_`, `EAA`, `AAAA`, `sk-`) that sits inside a longer run of base64
//! (an embedded image, a data URI, a key or certificate blob) is a chance spelling
//! of the encoding, not a token. Patterns start with `\b` so a prefix cannot match
//! inside a word, but base64 also holds `+`, `/`, `-` and `_`, after which `\b`
//! holds: `...Kx3+ghp_...` or `.../EAAb...`. Rather than each pattern spelling
//! out base64's alphabet, the engine looks at what touches the secret.

/// A run of at least this many base64 bytes touching a token makes it part of the run.
const MIN_RUN: usize = 16;

/// How far on each side the run is read: a constant cost per match.
const MAX_LOOK: usize = 64;

/// A byte of standard or URL-safe base64.
fn is_base64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_')
}

/// Whether a run has the look of encoded bytes: long enough, with upper case, lower
/// case and digits mixed (an identifier such as `GITHUB_TOKEN_FOR_CI_` has not).
fn looks_encoded(run: &[u8]) -> bool {
    run.len() >= MIN_RUN
        && run.iter().any(u8::is_ascii_uppercase)
        && run.iter().any(u8::is_ascii_lowercase)
        && run.iter().any(u8::is_ascii_digit)
}

/// True when the secret `start..end` of a match starting at `match_start` in
/// `bytes` is a fixed-prefix token (the match starts with the secret, or with one
/// delimiter before it) that continues a run of base64 on either side. A secret
/// preceded by context of its rule's own (`password = `, a vendor name, a URL) is
/// never judged so: its rule placed it.
pub fn inside_encoded_run(bytes: &[u8], match_start: usize, start: usize, end: usize) -> bool {
    if start - match_start > 1 {
        return false;
    }
    let before_from = start.saturating_sub(MAX_LOOK);
    let before = &bytes[before_from..start];
    let touching_before = before.len()
        - before
            .iter()
            .rposition(|&b| !is_base64(b))
            .map_or(0, |i| i + 1);
    let after_to = (end + MAX_LOOK).min(bytes.len());
    let after = &bytes[end..after_to];
    let touching_after = after
        .iter()
        .position(|&b| !is_base64(b))
        .unwrap_or(after.len());
    looks_encoded(&before[before.len() - touching_before..])
        || looks_encoded(&after[..touching_after])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `token` is taken for part of a run when written in `text` at `{}`.
    fn judged(text: &str, token: &str) -> bool {
        let at = text.find("{}").unwrap();
        let bytes = text.replacen("{}", token, 1);
        inside_encoded_run(bytes.as_bytes(), at, at, at + token.len())
    }

    const TOKEN: &str = "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";

    #[test]
    fn a_token_inside_base64_is_not_one() {
        let image = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB+{}+CAYAAAAfFcSJAAAADUlEQVR42mNk";
        assert!(judged(image, TOKEN));
        assert!(judged(
            "blob = \"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA/{}\"",
            "EAAGm0PX4ZCpsBAKq7yZBZA"
        ));
        assert!(judged("{}/Q8zr2LxW0pVt7NcK3yHs9aB", "AAAAfJo69Ck"));
    }

    #[test]
    fn a_token_set_off_from_its_neighbours_is_one() {
        for text in [
            "TOKEN={}\n",
            "\"token\": \"{}\",",
            "git clone https://{}@github.com/acme/app",
            "export GITHUB_TOKEN_FOR_CI_{}",
            "see https://github.com/settings/tokens/{}",
            "AAAAAAAAAAAAAAAAAAAAAAAA+{}",
        ] {
            assert!(!judged(text, TOKEN), "{text}");
        }
    }

    #[test]
    fn a_secret_its_rule_placed_after_context_is_not_judged() {
        let text = "hooks.slack.com/services/T01ABCDEF2/{}";
        let at = text.find("{}").unwrap();
        let bytes = text.replacen("{}", "B01GHIJKL3/x8Zr2LxW0pVt7NcK3yHsQ8zr", 1);
        assert!(!inside_encoded_run(bytes.as_bytes(), 0, at, bytes.len()));
    }
}
