//! Fingerprints that dedupe findings but give nothing away.
//!
//! A fingerprint is committed in the baseline and printed in every report (JSON,
//! SARIF, GitLab), so it must not let a reader recover the secret by guessing:
//! an unsalted hash of a season+year password falls in a few hundred guesses, a
//! US SSN in minutes. So a fingerprint is an HMAC-SHA256 under a key that is
//! never committed, of the rule id, the repository path and the secret; it still
//! dedupes (same rule, path and secret, same fingerprint) and survives line
//! moves and rebases (no line or commit goes in). Low-entropy secrets (the `pii`
//! family: card numbers, SSNs, IBANs; and any secret shorter than
//! [`SHORT_SECRET`] bytes, which is where human passwords and PINs are) go
//! through PBKDF2-HMAC-SHA256 first, so even someone who has the key pays
//! [`SLOW_ROUNDS`] rounds per guess.
//!
//! The key, in order: `LEAKGATE_FINGERPRINT_KEY` (the key itself, for CI and
//! servers: keep it in the CI's secret store), a key file given with
//! `--fingerprint-key FILE`, or the repository's own key in
//! `$GIT_COMMON_DIR/leakgate/fingerprint.key` (32 random bytes, made on first use,
//! mode 0600; git never pushes or clones it). Clones that share a committed
//! baseline must share the key: copy the file, or set the variable. Outside any
//! repository with no key given, a random key lives for the one run (fingerprints
//! then dedupe within that run only).
//!
//! Format 1 baselines hold the old unkeyed `sha256(rule, path, secret)`
//! ([`legacy`]): they still apply, with a warning, until `leakgate baseline
//! update` re-keys them.

use anyhow::{bail, Context, Result};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// Secrets shorter than this many bytes count as low-entropy (slow-hashed).
pub const SHORT_SECRET: usize = 16;

/// PBKDF2 rounds for a low-entropy secret, paid once per run for each distinct
/// (rule, secret) (the result is cached). A debug build measured 11 ms each
/// (2000 distinct short passwords: 22.9 s user); a release build, whose PBKDF2 is
/// optimised as a whole, pays much less.
pub const SLOW_ROUNDS: u32 = 2_000;

/// The environment variable that holds a key.
pub const KEY_ENV: &str = "LEAKGATE_FINGERPRINT_KEY";

/// Where the key lives inside a repository's common git directory.
pub const KEY_FILE: &str = "leakgate/fingerprint.key";

/// The key fingerprints are made with, and where it came from.
#[derive(Debug, Clone)]
pub struct Key {
    bytes: Vec<u8>,
    /// For people: `LEAKGATE_FINGERPRINT_KEY`, a path, or `a key for this run only`.
    pub source: String,
}

impl Key {
    /// A short public id of the key (an HMAC of a constant under it), written in
    /// baselines so a clone with another key is told so instead of silently
    /// matching nothing. It reveals nothing of the key.
    pub fn id(&self) -> String {
        hex(&mac(&self.bytes, &[b"leakgate/key-id"])[..4])
    }
}

static KEY: OnceLock<Key> = OnceLock::new();
static SLOW: OnceLock<Mutex<HashMap<Vec<u8>, [u8; 32]>>> = OnceLock::new();

/// Uses the key in `file` for this run (`--fingerprint-key`). The variable,
/// when set, still wins (it is how CI overrides a checked-in setting).
pub fn use_key_file(file: &Path) -> Result<()> {
    let key = match from_env() {
        Some(key) => key,
        None => read_key(file)?,
    };
    if KEY.set(key).is_err() && key_now().source != file.display().to_string() {
        bail!(
            "the fingerprint key was already chosen ({})",
            key_now().source
        );
    }
    Ok(())
}

/// The key of this run, chosen on first use.
pub fn key_now() -> &'static Key {
    KEY.get_or_init(|| from_env().unwrap_or_else(repository_key))
}

fn from_env() -> Option<Key> {
    let text = std::env::var(KEY_ENV)
        .ok()
        .filter(|t| !t.trim().is_empty())?;
    Some(Key {
        bytes: text.trim().as_bytes().to_vec(),
        source: KEY_ENV.to_string(),
    })
}

/// The repository's key (made on first use), or a key for this run only when
/// there is no repository or its key cannot be read or written.
fn repository_key() -> Key {
    let dir = git2::Repository::open_from_env()
        .ok()
        .map(|r| r.commondir().to_path_buf());
    let Some(dir) = dir else {
        return run_key();
    };
    let file = dir.join(KEY_FILE);
    match read_or_make(&file) {
        Ok(key) => key,
        Err(e) => {
            eprintln!(
                "leakgate: warning: {e:#}; fingerprints are for this run only (baselines will not match)"
            );
            run_key()
        }
    }
}

fn run_key() -> Key {
    Key {
        bytes: random().unwrap_or_else(|_| b"leakgate: no randomness".to_vec()),
        source: "a key for this run only".into(),
    }
}

fn random() -> Result<Vec<u8>> {
    let mut bytes = vec![0u8; 32];
    getrandom::getrandom(&mut bytes).context("no random bytes from the system")?;
    Ok(bytes)
}

fn read_key(file: &Path) -> Result<Key> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read the fingerprint key {}", file.display()))?;
    let text = text.trim();
    if text.len() < 16 {
        bail!(
            "the fingerprint key {} is too short (want at least 16 characters)",
            file.display()
        );
    }
    Ok(Key {
        bytes: text.as_bytes().to_vec(),
        source: file.display().to_string(),
    })
}

/// Reads the key file, or makes it (64 hex digits, mode 0600) if there is none.
fn read_or_make(file: &Path) -> Result<Key> {
    if file.exists() {
        return read_key(file);
    }
    let dir: PathBuf = file.parent().expect("the key file has a directory").into();
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot make {} for the fingerprint key", dir.display()))?;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    match opts.open(file) {
        Ok(mut f) => {
            use std::io::Write;
            f.write_all(format!("{}\n", hex(&random()?)).as_bytes())
                .with_context(|| format!("cannot write the fingerprint key {}", file.display()))?;
        }
        // Another hook made it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => {
            return Err(e)
                .with_context(|| format!("cannot make the fingerprint key {}", file.display()))
        }
    }
    read_key(file)
}

/// Whether a secret is low-entropy enough to be slow-hashed: a personal-data rule
/// (card numbers, SSNs, IBANs) or a short secret (passwords, PINs).
pub fn is_low_entropy(family: &str, secret: &[u8]) -> bool {
    family == "pii" || secret.len() < SHORT_SECRET
}

/// The fingerprint of a secret found by a rule (of `family`) at a path, under
/// this run's key: 32 hex digits.
pub fn fingerprint(rule_id: &str, family: &str, path: &str, secret: &[u8]) -> String {
    keyed(&key_now().bytes, rule_id, family, path, secret)
}

/// The fingerprint under `key` (see [`fingerprint`]).
pub fn keyed(key: &[u8], rule_id: &str, family: &str, path: &str, secret: &[u8]) -> String {
    let slow;
    let material: &[u8] = if is_low_entropy(family, secret) {
        slow = slow_hash(rule_id, secret);
        &slow
    } else {
        secret
    };
    let out = mac(
        key,
        &[
            b"leakgate/v2\0",
            rule_id.as_bytes(),
            b"\0",
            path.as_bytes(),
            b"\0",
            material,
        ],
    );
    hex(&out[..16])
}

/// PBKDF2-HMAC-SHA256 of a secret, salted by its rule, cached for the run.
fn slow_hash(rule_id: &str, secret: &[u8]) -> [u8; 32] {
    let mut cache_key = rule_id.as_bytes().to_vec();
    cache_key.push(0);
    cache_key.extend_from_slice(secret);
    let cache = SLOW.get_or_init(Default::default);
    if let Some(hit) = cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&cache_key)
    {
        return *hit;
    }
    let salt = [b"leakgate/v2/slow\0".as_slice(), rule_id.as_bytes()].concat();
    let mut out = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(secret, &salt, SLOW_ROUNDS, &mut out);
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(cache_key, out);
    out
}

/// The format 1 fingerprint, `sha256(rule, path, secret)` unkeyed: only to match
/// and re-key the entries of an old baseline.
pub fn legacy(rule_id: &str, path: &str, secret: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(b"leakgate/v1\0");
    h.update(rule_id.as_bytes());
    h.update(b"\0");
    h.update(path.as_bytes());
    h.update(b"\0");
    h.update(secret);
    hex(&h.finalize()[..16])
}

fn mac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn a_fingerprint_depends_on_key_rule_path_and_secret_and_nothing_else() {
        let secret = b"ghp_000000000000000000000000000000000000";
        let a = keyed(KEY, "r", "vcs", "a.txt", secret);
        assert_eq!(a.len(), 32);
        assert_eq!(a, keyed(KEY, "r", "vcs", "a.txt", secret));
        assert_ne!(a, keyed(KEY, "r", "vcs", "b.txt", secret));
        assert_ne!(a, keyed(KEY, "q", "vcs", "a.txt", secret));
        assert_ne!(
            a,
            keyed(b"another key entirely", "r", "vcs", "a.txt", secret)
        );
        assert_ne!(a, legacy("r", "a.txt", secret), "not the unkeyed hash");
    }

    #[test]
    fn low_entropy_secrets_are_slow_hashed_before_the_hmac() {
        assert!(is_low_entropy("pii", b"4111111111111111111111"));
        assert!(is_low_entropy("generic", b"Summer2024!"));
        assert!(!is_low_entropy(
            "vcs",
            b"ghp_000000000000000000000000000000000000"
        ));
        let fast = mac(
            KEY,
            &[b"leakgate/v2\0", b"r", b"\0", b"p", b"\0", b"Summer2024!"],
        );
        assert_ne!(
            keyed(KEY, "r", "generic", "p", b"Summer2024!"),
            hex(&fast[..16]),
            "the password went through PBKDF2 first"
        );
        assert_eq!(slow_hash("r", b"pw"), slow_hash("r", b"pw"));
        assert_ne!(slow_hash("r", b"pw"), slow_hash("q", b"pw"));
    }

    #[test]
    fn a_repository_key_is_made_once_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(KEY_FILE);
        let made = read_or_make(&file).unwrap();
        let again = read_or_make(&file).unwrap();
        assert_eq!(made.bytes, again.bytes);
        assert_eq!(made.bytes.len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "only its owner reads it");
        }
        std::fs::write(&file, "short\n").unwrap();
        assert!(read_or_make(&file).is_err(), "a weak key is refused");
    }

    #[test]
    fn the_legacy_fingerprint_is_the_format_1_hash() {
        let a = legacy("r", "a.txt", b"s");
        assert_eq!(a.len(), 32);
        assert_ne!(a, legacy("r", "b.txt", b"s"));
    }
}
