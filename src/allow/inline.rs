//! Inline allow markers: `leakgate:allow` in a comment on the line of a finding (for
//! a multi-line secret such as a key block, on its first line). The markers of
//! widely used peers are honoured too, so a team can switch tools without touching
//! its code; [`Markers::own_only`] turns that off.

/// leakgate's own marker.
pub const OWN: &str = "leakgate:allow";

/// Markers of other scanners that mean the same thing.
pub const PEERS: &[&str] = &[
    "gitleaks:allow",
    "betterleaks:allow",
    "pragma: allowlist secret",
    "trufflehog:ignore",
    "kingfisher:ignore",
    "ggignore",
];

/// Which markers are honoured.
#[derive(Debug, Clone)]
pub struct Markers {
    peers: bool,
}

impl Default for Markers {
    fn default() -> Self {
        Markers { peers: true }
    }
}

impl Markers {
    /// Honour only `leakgate:allow`.
    pub fn own_only() -> Markers {
        Markers { peers: false }
    }

    /// The marker found in `line` (compared ASCII case-insensitively), if any.
    pub fn check(&self, line: &[u8]) -> Option<&'static str> {
        let lower = line.to_ascii_lowercase();
        let has = |m: &str| memchr::memmem::find(&lower, m.as_bytes()).is_some();
        if has(OWN) {
            return Some(OWN);
        }
        if self.peers {
            return PEERS.iter().copied().find(|m| has(m));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_markers_in_any_comment_syntax() {
        let m = Markers::default();
        assert_eq!(m.check(b"key = 'x' # leakgate:allow"), Some(OWN));
        assert_eq!(
            m.check(b"key = 'x' // LeakGate:Allow test fixture"),
            Some(OWN)
        );
        assert_eq!(
            m.check(b"k: x <!-- gitleaks:allow -->"),
            Some("gitleaks:allow")
        );
        assert_eq!(
            m.check(b"k = x  # pragma: allowlist secret"),
            Some("pragma: allowlist secret")
        );
        assert_eq!(m.check(b"key = 'x'"), None);
        assert_eq!(Markers::own_only().check(b"k # gitleaks:allow"), None);
    }
}
