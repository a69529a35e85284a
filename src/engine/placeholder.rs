//! The placeholder filter: values that have the shape of a secret but are obviously
//! not one. Code assistants and documentation write a great deal of these
//! (`your-api-key-here`, `xxxxxxxx`, `${API_KEY}`, `<TOKEN>`, `changeme`), and a hook
//! that blocks on them gets uninstalled.
//!
//! The checks are deliberately conservative for random-looking values: a marker word
//! must stand as a word (one case, set off from neighbouring letters), and digit runs
//! must be long, so the odds of a random token of typical length being taken for a
//! placeholder stay around one in a million.

use std::collections::HashSet;
use std::sync::OnceLock;

/// Words that mark a value as a placeholder when written as a word: all lower or
/// all upper case, and not in the middle of a run of letters of that case. A random
/// token holds `fakE` or `YOuR` now and then; it almost never holds `fake` set off
/// from its neighbours.
const WORD_MARKERS: &[&str] = &[
    "example",
    "xxxx",
    "your",
    "placeholder",
    "changeme",
    "dummy",
    "sample",
    "redacted",
    "insert",
    "replace",
    "fake",
    "foobar",
    "notreal",
    "lorem",
];

/// Substrings (compared in lower case) that mark a template or a reference to a
/// secret kept elsewhere rather than a value.
const SYMBOL_MARKERS: &[&str] = &[
    "change_me",
    "change-me",
    "not_real",
    "not-real",
    "****",
    "...",
    "…",
    "${",
    "{{",
    "}}",
    "$(",
    "%(",
    "%s",
    "env[",
    "os.environ",
    "environ[",
    "environ.get",
    "process.env",
    "getenv",
    "secrets.",
    "vault:",
    // Redaction markers written by loggers and exporters (Rails' `[FILTERED]`).
    "[filtered]",
    "[redacted]",
    "[masked]",
    "[hidden]",
    "[removed]",
    // SOPS-encrypted values: ciphertext, safe to commit by design.
    "enc[aes256_gcm,",
    "enc[pgp,",
];

/// Whole values (lowercase, quotes trimmed) that are words, not secrets.
const WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "test",
    "testing",
    "none",
    "null",
    "nil",
    "undefined",
    "true",
    "false",
    "string",
    "value",
    "key",
    "apikey",
    "api_key",
    "secretkey",
    "secret_key",
    "mysecret",
    "mypassword",
    "pass",
    "pwd",
    "admin",
    "default",
    "empty",
    "required",
    "optional",
    "todo",
    "tbd",
    "n/a",
    "na",
];

/// Vendor-documented example values, from `rules/documented-examples.txt`.
const DOCUMENTED: &str = include_str!("../../rules/documented-examples.txt");

fn documented() -> &'static HashSet<&'static [u8]> {
    static SET: OnceLock<HashSet<&'static [u8]>> = OnceLock::new();
    SET.get_or_init(|| {
        DOCUMENTED
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::as_bytes)
            .collect()
    })
}

/// True if `secret` is a vendor's documented example value.
pub fn is_documented_example(secret: &[u8]) -> bool {
    documented().contains(secret)
}

/// True if `secret` looks like a placeholder, template or documented example rather
/// than a real value.
pub fn is_placeholder(secret: &[u8]) -> bool {
    let lower = secret.to_ascii_lowercase();
    let trimmed = lower
        .strip_prefix(b"\"")
        .unwrap_or(&lower)
        .strip_suffix(b"\"")
        .unwrap_or(&lower);
    is_documented_example(secret)
        || WORD_MARKERS.iter().any(|m| has_word(secret, m.as_bytes()))
        || SYMBOL_MARKERS
            .iter()
            .any(|m| contains(&lower, m.as_bytes()))
        || (lower.contains(&b'<') && lower.contains(&b'>'))
        || is_a_word(trimmed)
        || is_identifier_name(secret)
        || has_run(&lower)
        || has_sequence(&lower)
        || mostly_one_byte(&lower)
        || is_variable_reference(secret)
        || is_made_of_words(&lower)
}

/// A value that is one of [`WORDS`], maybe written as a label (`Password:`,
/// `API key`): the key's own word, not a secret.
fn is_a_word(lower: &[u8]) -> bool {
    let label = lower.trim_ascii_end();
    let label = label.strip_suffix(b":").unwrap_or(label).trim_ascii_end();
    let squashed: Vec<u8> = label.iter().copied().filter(|b| *b != b' ').collect();
    WORDS
        .iter()
        .any(|w| label == w.as_bytes() || squashed == w.as_bytes())
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

/// `word` (lowercase) in `s` written as a word: in one case, all lower or all
/// upper, with a neighbour on at least one side that is not a letter of that case.
fn has_word(s: &[u8], word: &[u8]) -> bool {
    let upper = word.to_ascii_uppercase();
    let found = [word, upper.as_slice()].into_iter().any(|w| {
        let same_case = |b: &u8| {
            if w[0].is_ascii_lowercase() {
                b.is_ascii_lowercase()
            } else {
                b.is_ascii_uppercase()
            }
        };
        memchr::memmem::find_iter(s, w).any(|at| {
            let before = at.checked_sub(1).map(|i| &s[i]);
            let after = s.get(at + w.len());
            !before.is_some_and(same_case) || !after.is_some_and(same_case)
        })
    });
    found
}

/// `API_KEY`, `SECRET_TOKEN`: an upper-case name with no digits, such as an
/// environment variable a template refers to.
fn is_identifier_name(s: &[u8]) -> bool {
    s.len() >= 3 && s.iter().all(|&b| b.is_ascii_uppercase() || b == b'_') && s.contains(&b'_')
}

/// Digits repeat and run in sequence by chance far more often than letters do (a
/// 13-digit id holds `345678` about once in ten thousand), so they need longer runs.
fn run_length(b: u8) -> usize {
    if b.is_ascii_digit() {
        8
    } else {
        6
    }
}

/// A run of identical bytes (`aaaaaa`, `00000000`).
fn has_run(s: &[u8]) -> bool {
    let mut len = 0;
    for (i, &b) in s.iter().enumerate() {
        len = if i > 0 && s[i - 1] == b { len + 1 } else { 1 };
        if len >= run_length(b) {
            return true;
        }
    }
    false
}

/// Consecutive ascending or descending letters or digits (`abcdef`, `12345678`).
fn has_sequence(s: &[u8]) -> bool {
    [1i16, -1].into_iter().any(|d| {
        let mut len = 0;
        for (i, &b) in s.iter().enumerate() {
            let follows = i > 0
                && b.is_ascii_alphanumeric()
                && s[i - 1].is_ascii_alphanumeric()
                && b as i16 - s[i - 1] as i16 == d;
            len = if follows { len + 1 } else { 1 };
            if len >= run_length(b) {
                return true;
            }
        }
        false
    })
}

/// Half or more of the value is one byte (`a1aaaa2aaaa`), for values of 8 or more.
fn mostly_one_byte(s: &[u8]) -> bool {
    if s.len() < 8 {
        return false;
    }
    let mut counts = [0usize; 256];
    for &b in s {
        counts[b as usize] += 1;
    }
    counts.iter().any(|&c| c * 2 >= s.len())
}

/// Markers of a reference to a variable in shells and runtimes that the substring
/// list above does not cover (PowerShell, Ruby, Deno, Go templates).
const REFERENCE_MARKERS: &[&str] = &["$env:", "env.fetch", "deno.env", "env.get(", "{{."];

/// `$API_KEY`, `%API_KEY%`, `$env:API_KEY`, `ENV.fetch("KEY")`: the value names a
/// variable instead of holding one.
fn is_variable_reference(s: &[u8]) -> bool {
    let ident = |b: &[u8]| {
        !b.is_empty()
            && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
            && !b[0].is_ascii_digit()
    };
    // An environment variable's name: upper case, so `$a1b2c3` stays a value.
    let env_name = |b: &[u8]| {
        ident(b) && b.iter().any(u8::is_ascii_uppercase) && !b.iter().any(u8::is_ascii_lowercase)
    };
    let lower = s.to_ascii_lowercase();
    REFERENCE_MARKERS
        .iter()
        .any(|m| contains(&lower, m.as_bytes()))
        || s.strip_prefix(b"$").is_some_and(env_name)
        || (s.len() > 2 && s[0] == b'%' && s[s.len() - 1] == b'%' && env_name(&s[1..s.len() - 1]))
}

/// Words that placeholder values are made of (`test-api-key`, `mysecrettoken`).
const FILLER_WORDS: &[&str] = &[
    "access", "api", "apikey", "app", "auth", "client", "default", "demo", "dev", "dummy",
    "example", "fake", "foo", "bar", "baz", "here", "id", "key", "local", "my", "pass", "passwd",
    "password", "private", "pwd", "sample", "secret", "service", "some", "temp", "test", "testing",
    "the", "token", "user", "value", "your",
];

/// True if the value is only filler words, separated (`test_api_key`,
/// `my-secret-token`) or run together (`testtoken`, `mysecretkey`).
fn is_made_of_words(lower: &[u8]) -> bool {
    let pieces = lower.split(|b| matches!(b, b'-' | b'_' | b'.' | b' '));
    lower.len() >= 4 && pieces.filter(|p| !p.is_empty()).all(segments_into_words)
}

/// Whether `s` splits into a sequence of [`FILLER_WORDS`] (dynamic programming).
fn segments_into_words(s: &[u8]) -> bool {
    let mut ok = vec![false; s.len() + 1];
    ok[0] = true;
    for end in 1..=s.len() {
        ok[end] = FILLER_WORDS
            .iter()
            .any(|w| w.len() <= end && ok[end - w.len()] && &s[end - w.len()..end] == w.as_bytes());
    }
    ok[s.len()]
}

#[cfg(test)]
mod tests {
    use super::is_placeholder;

    #[test]
    fn redactions_encryptions_and_labels_are_not_secrets() {
        for p in [
            "[FILTERED]",
            "[REDACTED]",
            "ENC[AES256_GCM,data:Tr7o1r4=,iv:9Xq0MTn+1Ak=,tag:xK8Z1dA7a3+9pq==,type:str]",
            "Password:",
            "API key",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
        assert!(!is_placeholder(b"pW7:kq2!xR9#mZ"));
    }

    #[test]
    fn placeholders_are_recognised() {
        for p in [
            "your-api-key-here",
            "YOUR_API_KEY",
            "xxxxxxxxxxxxxxxx",
            "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "${API_KEY}",
            "{{ secrets.TOKEN }}",
            "<TOKEN>",
            "changeme",
            "password",
            "sk-...",
            "1234567890",
            "abcdefghijkl",
            "sk_live_YOUR_SECRET_KEY_HERE",
            "hf_exampleTokenValue0123",
            "AKIA1234EXAMPLE99",
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "os.environ['KEY']",
            "process.env.TOKEN",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p} should be a placeholder");
        }
    }

    #[test]
    fn random_values_are_not() {
        for s in [
            "ghp_R2x9KqLm7Vb3Nc8Zt1Wy5Hs0Pd4Gf6Ja2Ek7",
            "q8Zr2LxW0pVt7NcK3yHs",
            "hunter2hunter3",
            "d41d8cd98f00b204e9800998ecf8427e",
            // Random tokens that hold a marker in mixed case or inside letters.
            "hf_qTrfakEzWpLmYOuRbnKdVcXsAaQ",
            "sk_live_UabfakexQ2",
            // A 13-digit id with a 6-digit run.
            "xoxb-1234503456789-2345678123456",
            "prod.environment.api.powerplatform.com/abc",
        ] {
            assert!(!is_placeholder(s.as_bytes()), "{s} is not a placeholder");
        }
    }
}

/// One table per class the issue names, so a regression says which class broke.
#[cfg(test)]
mod classes {
    use super::is_placeholder;

    fn all(class: &str, values: &[&str]) {
        for v in values {
            assert!(
                is_placeholder(v.as_bytes()),
                "{class}: {v} should be a placeholder"
            );
        }
    }

    #[test]
    fn elided_values() {
        all(
            "elided",
            &[
                "sk-...",
                "ghp_...",
                "sk-proj-…",
                "AKIA****************",
                "****",
            ],
        );
    }

    #[test]
    fn angle_bracket_templates() {
        all("angle", &["<your-token>", "<API_KEY>", "<insert key here>"]);
    }

    #[test]
    fn your_names() {
        all(
            "your",
            &[
                "YOUR_API_KEY",
                "your-secret",
                "YourTokenHere",
                "API_KEY_HERE",
            ],
        );
    }

    #[test]
    fn repeated_characters() {
        all(
            "repeated",
            &[
                "xxxxxxxx",
                "XXXXXXXXXXXXXXXX",
                "00000000",
                "ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            ],
        );
    }

    #[test]
    fn sequential_characters() {
        all(
            "sequence",
            &["12345678", "abcdefgh", "sk_live_0123456789", "zyxwvuts"],
        );
    }

    #[test]
    fn ci_and_template_expressions() {
        all(
            "ci",
            &[
                "${{ secrets.GITHUB_TOKEN }}",
                "{{ .Values.apiKey }}",
                "{{API_KEY}}",
            ],
        );
    }

    #[test]
    fn variable_references() {
        all(
            "variables",
            &[
                "${VAR}",
                "${API_KEY:-}",
                "$API_KEY",
                "%API_KEY%",
                "$env:API_KEY",
                "$(cat /run/secrets/key)",
                "os.environ['KEY']",
                "os.environ.get(\"KEY\")",
                "os.getenv(\"KEY\")",
                "process.env.TOKEN",
                "process.env['TOKEN']",
                "ENV.fetch('TOKEN')",
                "Deno.env.get(\"TOKEN\")",
                "System.getenv(\"TOKEN\")",
            ],
        );
    }

    #[test]
    fn placeholder_words() {
        all(
            "words",
            &[
                "changeme",
                "change-me",
                "dummy",
                "dummy-token-123",
                "example",
                "my-example-key",
                "test",
                "TEST",
                "placeholder",
                "redacted",
                "fake_key_for_tests",
            ],
        );
    }

    #[test]
    fn values_made_of_filler_words() {
        all(
            "filler",
            &[
                "test_api_key",
                "my-secret-token",
                "testtoken",
                "mysecretpassword",
                "test.key",
                "demo-client-secret",
            ],
        );
    }

    #[test]
    fn documented_vendor_examples() {
        all(
            "documented",
            &[
                "AKIAIOSFODNN7EXAMPLE",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            ],
        );
    }

    #[test]
    fn real_looking_values_are_kept() {
        for v in [
            "sk_test_Q8zr2LxW0pVt7NcK3yHsQ8zr",
            "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
            "mytoken_q8Zr2LxW0pVt",
            "tokenize",
            "Tr0ub4dor&3",
            "%d8f2a%",
            "$a1b2c3d4",
        ] {
            assert!(!is_placeholder(v.as_bytes()), "{v} is not a placeholder");
        }
    }
}
