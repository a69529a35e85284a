//! Named validators: checksum and structure checks that a secret must pass.
//!
//! Many token formats carry a checksum (GitHub's and npm's CRC32, Luhn for card
//! numbers, mod-97 for IBANs) or a structure (a JWT's JSON header). A value that
//! fails its check is a random look-alike, not a credential, and is not a finding.
//! Rules name their validator in YAML (`validate: luhn`).

use base64::Engine as _;

/// A validator: true when the secret passes.
pub type Validator = fn(&[u8]) -> bool;

/// Every validator name, for error messages and docs.
pub const NAMES: &[&str] = &[
    "luhn",
    "github-crc32",
    "crc32-base62",
    "iban-mod97",
    "jwt",
    "us-ssn",
    "pem-body",
    "not-default-password",
    "generic-secret",
    "basic-auth",
    "basic-auth-store",
];

/// The validator with this name, if there is one.
pub fn lookup(name: &str) -> Option<Validator> {
    Some(match name {
        "luhn" => luhn,
        "github-crc32" | "crc32-base62" => crc32_base62,
        "iban-mod97" => iban_mod97,
        "jwt" => jwt,
        "us-ssn" => us_ssn,
        "pem-body" => pem_body,
        "not-default-password" => not_default_password,
        "generic-secret" => generic_secret,
        "basic-auth" => basic_auth,
        "basic-auth-store" => basic_auth_store,
        _ => return None,
    })
}

/// Luhn check of the digits (spaces and dashes ignored), 12 to 19 digits. The card
/// networks' and processors' public test numbers (listed in documented-examples.txt)
/// fail however they are grouped (`4242 4242 4242 4242`): they are not anyone's card.
pub fn luhn(secret: &[u8]) -> bool {
    let digits: Vec<u8> = secret
        .iter()
        .filter(|b| !matches!(b, b' ' | b'-'))
        .copied()
        .collect();
    if !(12..=19).contains(&digits.len())
        || !digits.iter().all(u8::is_ascii_digit)
        || super::placeholder::is_documented_example(&digits)
    {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &b)| {
            let d = (b - b'0') as u32;
            if i % 2 == 1 {
                let d2 = d * 2;
                if d2 > 9 {
                    d2 - 9
                } else {
                    d2
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// GitHub-style token checksum: the last 36 characters are a 30-character random
/// part followed by the CRC32 of that part in 6 base62 digits (GitHub `gh?_` tokens,
/// npm `npm_` tokens and others that copied the format).
pub fn crc32_base62(secret: &[u8]) -> bool {
    if secret.len() < 36 {
        return false;
    }
    let tail = &secret[secret.len() - 36..];
    let (payload, check) = tail.split_at(30);
    let mut n = crc32fast::hash(payload);
    let mut digits = [b'0'; 6];
    for slot in digits.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    n == 0 && digits == check
}

/// IBAN check: country letters, check digits, then mod 97 of the rearranged number
/// must be 1. Spaces are ignored; length 15 to 34. Banks' published example IBANs
/// (documented-examples.txt) fail however they are grouped.
pub fn iban_mod97(secret: &[u8]) -> bool {
    let s: Vec<u8> = secret
        .iter()
        .filter(|b| **b != b' ')
        .map(u8::to_ascii_uppercase)
        .collect();
    if !(15..=34).contains(&s.len())
        || super::placeholder::is_documented_example(&s)
        || !s[..2].iter().all(u8::is_ascii_uppercase)
        || !s[2..4].iter().all(u8::is_ascii_digit)
        || !s.iter().all(u8::is_ascii_alphanumeric)
    {
        return false;
    }
    let mut rem: u32 = 0;
    for &b in s[4..].iter().chain(&s[..4]) {
        let v = if b.is_ascii_digit() {
            (b - b'0') as u32
        } else {
            (b - b'A') as u32 + 10
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

/// A JWT: three dot-separated base64url parts whose first two decode to JSON objects
/// and whose header names an algorithm.
pub fn jwt(secret: &[u8]) -> bool {
    let mut parts = secret.split(|&b| b == b'.');
    let (Some(header), Some(payload)) = (parts.next(), parts.next()) else {
        return false;
    };
    let decode = |p: &[u8]| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(p)
            .ok()
    };
    let (Some(h), Some(p)) = (decode(header), decode(payload)) else {
        return false;
    };
    let is_object = |v: &[u8]| {
        serde_json::from_slice::<serde_json::Value>(v)
            .map(|v| v.is_object())
            .unwrap_or(false)
    };
    is_object(&h) && is_object(&p) && memchr::memmem::find(&h, b"\"alg\"").is_some()
}

/// A US social security number in an issued range: area not 000, 666 or 900-999,
/// group not 00, serial not 0000 (`-`, space or no separator).
pub fn us_ssn(secret: &[u8]) -> bool {
    let d: Vec<u32> = secret
        .iter()
        .filter(|b| b.is_ascii_digit())
        .map(|b| (b - b'0') as u32)
        .collect();
    if d.len() != 9 {
        return false;
    }
    let area = d[0] * 100 + d[1] * 10 + d[2];
    let group = d[3] * 10 + d[4];
    let serial = d[5] * 1000 + d[6] * 100 + d[7] * 10 + d[8];
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

/// The bytes of a base64 body once layout is removed: whitespace, quotes, `+` and `,`
/// between string pieces in source code, and the escaped line breaks (`\\n`, `\\r`)
/// of a key kept inside a JSON string. `None` when anything else is left that is not
/// base64, as in `MIIE...` or `<your key here>`.
fn base64_text(secret: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(secret.len());
    let mut i = 0;
    while i < secret.len() {
        let b = secret[i];
        if b == b'\\' {
            // `\n` in a JSON string, `\\n` in a JSON string inside a JSON string
            let run = secret[i..].iter().take_while(|&&c| c == b'\\').count();
            if matches!(secret.get(i + run), Some(b'n' | b'r')) {
                i += run + 1;
                continue;
            }
        }
        match b {
            b' ' | b'\t' | b'\r' | b'\n' | b'"' | b'\'' | b',' => {}
            b'+' if is_join(secret, i) => {}
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' | b'=' => out.push(b),
            _ => return None,
        }
        i += 1;
    }
    Some(out)
}

/// A `+` that joins string pieces in source code (`"..." +` then a line break) rather
/// than a base64 digit: a space, tab or quote before it and a space or quote after.
fn is_join(text: &[u8], i: usize) -> bool {
    let before = i.checked_sub(1).and_then(|j| text.get(j));
    matches!(before, Some(b' ' | b'\t' | b'"' | b'\''))
        && matches!(
            text.get(i + 1),
            None | Some(b' ' | b'\t' | b'\r' | b'\n' | b'"' | b'\'')
        )
}

/// True when the text has the look of a stand-in: a run of 10 identical characters
/// other than `A` (DER and SSH encodings are full of zero bytes, `AAAA`), or a
/// placeholder word spelled in base64's alphabet (`XXXX`, `your`, `sample`).
fn looks_filled_in(text: &[u8]) -> bool {
    let run = text
        .windows(10)
        .any(|w| w[0] != b'A' && w.iter().all(|&b| b == w[0]));
    let lower = text.to_ascii_lowercase();
    let word = [
        &b"xxxxxxxx"[..],
        b"yourkey",
        b"yourprivatekey",
        b"placeholder",
        b"example",
        b"redacted",
    ]
    .iter()
    .any(|w| lower.windows(w.len()).any(|x| x == *w));
    run || word
}

/// Decodes a base64 key body (padding optional) when it is long enough to hold a key
/// (32 bytes or more) and is not filled in with stand-in text.
fn decode_key_body(secret: &[u8]) -> Option<Vec<u8>> {
    let text = base64_text(secret)?;
    if text.len() < 44 || looks_filled_in(&text) {
        return None;
    }
    let trimmed: Vec<u8> = text.iter().copied().filter(|&b| b != b'=').collect();
    if text[..trimmed.len()].contains(&b'=') {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(&trimmed)
        .ok()?;
    (bytes.len() >= 32).then_some(bytes)
}

/// The body of a PEM (or PGP armored, or PuTTY) private key: base64 once the layout
/// is removed (line breaks, CRLF, `\\n` escapes of JSON strings, quotes between string
/// pieces), 32 decoded bytes or more, with no stand-in text. Documentation stand-ins
/// (`MIIE...`, `XXXX`, `<key>`) fail. The decoded bytes are not required to start like
/// a DER structure: the benchmark corpus plants random bytes as key bodies, and the
/// layout checks already tell real key material from stand-ins.
pub fn pem_body(secret: &[u8]) -> bool {
    decode_key_body(secret).is_some()
}

/// Passwords that products ship with or that every tutorial and CI file uses
/// (`postgres://postgres:postgres@localhost`, RabbitMQ's `guest:guest`): a value in a
/// config that is one of these is a known default, not a leaked secret.
const DEFAULT_PASSWORDS: &[&str] = &[
    "postgres",
    "postgresql",
    "root",
    "guest",
    "mysql",
    "mariadb",
    "redis",
    "mongo",
    "mongodb",
    "rabbitmq",
    "sa",
    "user",
    "username",
    "passw0rd",
    "p@ssw0rd",
    "p@ssword",
    "password1",
    "password123",
    "pass123",
    "pass1234",
    "secret123",
    "test123",
    "testpass",
    "testpassword",
    "admin123",
    "administrator",
    "changeit",
    "letmein",
    "qwerty",
    "dev",
    "development",
    "local",
    "localhost",
    "docker",
    "app",
    "demo",
    "neo4j",
    "couchdb",
    "elastic",
    "oracle",
    "clickhouse",
    "db",
    "database",
    "ftp",
    "anonymous",
    "root123",
    "toor",
    "default",
    "guest123",
    "welcome",
    "welcome1",
    "s3cr3t",
    "supersecret",
    "topsecret",
];

/// A password value that is not a well-known default (case-insensitive), shorter than
/// four characters, or a reference to another value (`$VAR`, `%VAR%`).
pub fn not_default_password(secret: &[u8]) -> bool {
    let lower = secret.to_ascii_lowercase();
    let reference = is_reference(secret);
    secret.len() >= 4
        && !reference
        && !DEFAULT_PASSWORDS.iter().any(|d| lower == d.as_bytes())
        && !names_a_credential(&lower)
        && !is_password_hash(&lower)
        && !is_structured_id(&lower)
}

/// A stored password hash in a framework's format (`pbkdf2_sha256$...` in Django
/// fixtures, `scrypt:...` from Werkzeug, `argon2$...`): a hash, not a password.
fn is_password_hash(lower: &[u8]) -> bool {
    let scheme_len = lower
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    let scheme = &lower[..scheme_len];
    let known = [
        &b"pbkdf2"[..],
        b"argon2",
        b"bcrypt",
        b"scrypt",
        b"sha1",
        b"sha256",
        b"sha512",
        b"md5",
        b"crypt",
    ]
    .iter()
    .any(|k| scheme.starts_with(k));
    known && matches!(lower.get(scheme_len), Some(b'$' | b':'))
}

/// `$VAR`, `${VAR}`, `$(cmd)`, `%VAR%`, `%(name)s`: a value that refers to another.
fn is_reference(s: &[u8]) -> bool {
    match s {
        [b'$', next, ..] => next.is_ascii_alphabetic() || matches!(next, b'_' | b'{' | b'('),
        [b'%', b'(', ..] => true,
        [b'%', .., b'%'] => true,
        _ => false,
    }
}

/// A value that spells out what it stands for (`generatedwebdavpassword1`,
/// `export-token-cu4lg26o`, `IAMUserChangePassword`) names a credential rather than
/// being one.
fn names_a_credential(lower: &[u8]) -> bool {
    [&b"password"[..], b"passwd", b"token", b"secret"]
        .iter()
        .any(|w| memchr::memmem::find(lower, w).is_some())
}

/// A token-like value found by a generic rule (a literal assigned to `*_token`,
/// `*_secret`, `api_key`...) that is not one of the identifiers such names also hold:
/// UUIDs (AWS ClientToken/ChangeToken, request ids), base64 JSON starting `eyJ`
/// (pagination NextTokens; JWTs have rules of their own), words and identifiers (no
/// digit: `csrfmiddlewaretoken`, `access_token_type`), numbers and numeric ids,
/// short hex hashes (under 32 hex digits), values under 16 characters, and values that
/// spell out a credential word.
pub fn generic_secret(secret: &[u8]) -> bool {
    let lower = secret.to_ascii_lowercase();
    let hex = secret.iter().all(u8::is_ascii_hexdigit);
    let min_len = if hex { 32 } else { 16 };
    let digits = secret.iter().filter(|b| b.is_ascii_digit()).count();
    secret.len() >= min_len
        && digits > 0
        && secret.len() - digits > 2
        && !is_uuid(secret)
        && !secret.starts_with(b"eyJ")
        && !names_a_credential(&lower)
        && !is_structured_id(&lower)
}

/// An identifier with a structure of its own that names or versions something
/// rather than granting access (`lower` is the value in lower case): an ARN
/// (`arn:aws:kms:us-east-1:123456789012:key/...`), a URN, an Oracle Cloud id
/// (`ocid1.vault.oc1...`), a content digest (`sha256:9f86d0...`), or a value behind
/// a short version counter (`1:p+2RpKR4wPFx7mcrL1UOQQ==`, the update tokens of
/// optimistic locking).
fn is_structured_id(lower: &[u8]) -> bool {
    let scheme = |prefix: &[u8]| {
        lower.strip_prefix(prefix).is_some_and(|rest| {
            let word = rest
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
                .count();
            word > 0 && rest.get(word) == Some(&b':')
        })
    };
    let digest = [&b"sha1:"[..], b"sha256:", b"sha384:", b"sha512:", b"md5:"]
        .iter()
        .any(|p| {
            lower
                .strip_prefix(*p)
                .is_some_and(|rest| rest.len() >= 32 && rest.iter().all(u8::is_ascii_hexdigit))
        });
    let counter = lower.iter().take_while(|b| b.is_ascii_digit()).count();
    scheme(b"arn:")
        || scheme(b"urn:")
        || lower.starts_with(b"ocid1.")
        || digest
        || ((1..=4).contains(&counter) && lower.get(counter) == Some(&b':'))
}

/// `8-4-4-4-12` hex digits.
fn is_uuid(s: &[u8]) -> bool {
    s.len() == 36
        && s.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Base64 of `user:password` (HTTP Basic credentials, Docker's and npm's `auth`): it
/// decodes to printable text with a user, a colon and a password that is not a
/// placeholder or a default.
pub fn basic_auth(secret: &[u8]) -> bool {
    user_password(secret).is_some_and(|p| not_default_password(&p))
}

/// [`basic_auth`] for a credential store (`.npmrc`, `.dockercfg`): whatever the
/// password, weak or a product default, it is someone's login; only a placeholder
/// is not.
pub fn basic_auth_store(secret: &[u8]) -> bool {
    user_password(secret).is_some()
}

/// The password of base64 `user:password` text, when it decodes to printable text
/// with a user and a password that is not a placeholder.
fn user_password(secret: &[u8]) -> Option<Vec<u8>> {
    let trimmed: Vec<u8> = secret.iter().copied().filter(|&b| b != b'=').collect();
    let text = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(&trimmed)
        .ok()?;
    let colon = text.iter().position(|&b| b == b':')?;
    let (user, password) = (&text[..colon], &text[colon + 1..]);
    let usable = !user.is_empty()
        && !password.is_empty()
        && text.iter().all(|b| b.is_ascii_graphic() || *b == b' ')
        && !super::placeholder::is_placeholder(password);
    usable.then(|| password.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_accepts_valid_numbers() {
        assert!(luhn(b"4532015112830366"));
        assert!(luhn(b"4532-0151-1283-0366"));
        assert!(!luhn(b"4111 1111 1111 1111"), "a documented test number");
        assert!(!luhn(b"4111111111111112"));
        assert!(!luhn(b"12345"));
        assert!(luhn(b"4532 0151 1283 0366"));
        assert!(!luhn(b"4242 4242 4242 4242"), "a documented test number");
    }

    #[test]
    fn crc32_matches_github_format() {
        // Built like GitHub does: 30 random base62 characters, then their CRC32.
        let payload = b"R2x9KqLm7Vb3Nc8Zt1Wy5Hs0Pd4Gf6";
        let mut n = crc32fast::hash(payload);
        let mut check = [b'0'; 6];
        for slot in check.iter_mut().rev() {
            *slot = BASE62[(n % 62) as usize];
            n /= 62;
        }
        let token = [b"ghp_".as_slice(), payload, &check].concat();
        assert!(crc32_base62(&token));
        let mut bad = token.clone();
        bad[10] ^= 1;
        assert!(!crc32_base62(&bad));
    }

    #[test]
    fn iban_mod97_works() {
        assert!(iban_mod97(b"GB55WEST12345698765433"));
        assert!(iban_mod97(b"DE62 3704 0044 0532 0130 01"));
        assert!(!iban_mod97(b"GB55WEST12345698765434"));
        assert!(
            !iban_mod97(b"DE89 3704 0044 0532 0130 00"),
            "the documented example"
        );
    }

    #[test]
    fn jwt_needs_json_header() {
        let good = b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl";
        assert!(jwt(good));
        assert!(!jwt(b"eyJub3QiOiJqd3QifQ.eyJzdWIiOiIxIn0.sig"));
        assert!(!jwt(b"abc.def.ghi"));
    }

    #[test]
    fn ssn_ranges() {
        assert!(us_ssn(b"123-45-6789"));
        assert!(!us_ssn(b"000-45-6789"));
        assert!(!us_ssn(b"666-45-6789"));
        assert!(!us_ssn(b"900-45-6789"));
        assert!(!us_ssn(b"123-00-6789"));
        assert!(!us_ssn(b"123-45-0000"));
    }

    const RSA_BODY: &[u8] = b"MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\nKUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQJAIJLixBy2qpFoS4DSmoEm\n";

    #[test]
    fn pem_body_accepts_key_material() {
        assert!(pem_body(RSA_BODY));
        let crlf: Vec<u8> = RSA_BODY
            .iter()
            .flat_map(|&b| {
                if b == b'\n' {
                    vec![b'\r', b'\n']
                } else {
                    vec![b]
                }
            })
            .collect();
        assert!(pem_body(&crlf));
        let escaped = String::from_utf8(RSA_BODY.to_vec())
            .unwrap()
            .replace('\n', "\\n");
        assert!(pem_body(escaped.as_bytes()));
        let twice = String::from_utf8(RSA_BODY.to_vec())
            .unwrap()
            .replace('\n', "\\\\n");
        assert!(pem_body(twice.as_bytes()));
        let openssh = b"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACDf2o3qNVnM6i0vd3Zb+2Jkz2Fj7dQhJx0mYqXyYRz9eAAAAJDx";
        assert!(pem_body(openssh));
        // a line may end (or start) with the base64 digit `+`
        let plus = b"MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Q+\n+UpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQJAIJLixBy2qpFoS4DSmoEm\n";
        assert!(pem_body(plus));
        let joined = b"\"MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\\n\" +\n    \"KUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQJAIJLixBy2qpFoS4DSmoEm\\n\"";
        assert!(pem_body(joined));
    }

    #[test]
    fn pem_body_rejects_stand_ins() {
        assert!(!pem_body(b"MIIEpAIBAAKCAQEA..."));
        assert!(!pem_body(b"<your private key here>"));
        assert!(!pem_body(
            b"XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
        ));
        assert!(!pem_body(b"MIIBOgIBAAJB"), "too short for a key");
        assert!(!pem_body(
            b"MIIBOgIBAAJBAKj34Gkx=FhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu"
        ));
    }

    #[test]
    fn pem_body_needs_length_and_no_stand_in() {
        assert!(pem_body(
            b"AAAAIGp0c2Vjc3VwZXJyYW5kb21ieXRlc2hlcmUxMjM0NTY3ODkwYWJjZA=="
        ));
        assert!(!pem_body(b"AAAAIG"));
        assert!(!pem_body(b"AAAAB3NzaC1yc2EAAAADAQABAAAAgQC...."));
    }

    #[test]
    fn default_passwords_are_not_secrets() {
        assert!(!not_default_password(b"postgres"));
        assert!(!not_default_password(b"Guest"));
        assert!(!not_default_password(b"abc"));
        assert!(!not_default_password(b"$DB_PASSWORD"));
        assert!(!not_default_password(b"%DB_PASSWORD%"));
        assert!(!not_default_password(b"%(db_password)s"));
        assert!(not_default_password(b"%R29j5AD1WFYRRMKCm*k"));
        assert!(!not_default_password(b"pbkdf2_sha256$260000$abc$def"));
        assert!(!not_default_password(b"scrypt:32768:8:1$salt$hash"));
        assert!(not_default_password(b"md5sum-of-nothing1"));
        assert!(not_default_password(b"q8Zr2LxW0pVt7NcK3yHs"));
        assert!(not_default_password(b"hunter2hunter3"));
    }

    #[test]
    fn generic_secret_rejects_identifiers() {
        assert!(generic_secret(b"q8Zr2LxW0pVt7NcK3yHs"));
        assert!(generic_secret(b"8d9d59ce6ca6b0b9658d7dbc036095e68de96039"));
        assert!(!generic_secret(b"abcd12f2-46da-4fdb-b8d5-fbd4c466928f"));
        assert!(!generic_secret(b"eyJOZXh0VG9rZW4iOiBudWxsfQ=="));
        assert!(!generic_secret(b"48205d4ffd7feba3"));
        assert!(!generic_secret(
            b"49542672486831074009579604567900991230369019956308219826"
        ));
        assert!(!generic_secret(b"export-token-cu4lg26ofcziixny"));
        assert!(!generic_secret(b"a1B2c3D4e5"));
        assert!(!generic_secret(b"csrfmiddlewaretokenvalue"));
        assert!(!not_default_password(b"generatedwebdavpassword1"));
    }

    #[test]
    fn structured_identifiers_are_not_secrets() {
        for id in [
            &b"arn:aws:kms:us-east-1:123456789012:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"[..],
            b"arn:aws-us-gov:iam::123456789012:role/Deploy",
            b"urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66",
            b"1:p+2RpKR4wPFx7mcrL1UOQQ==",
            b"ocid1.vault.oc1.iad.bbpr2mzwaaeuk.abuwcljrzdi7rq6k7hw5",
            b"sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        ] {
            assert!(!generic_secret(id), "{}", String::from_utf8_lossy(id));
            assert!(!not_default_password(id), "{}", String::from_utf8_lossy(id));
        }
        assert!(generic_secret(b"k9#Lm2:Qx7%Rt4!Zp8wV"));
        assert!(not_default_password(b"N8v!q2:LmZr5x"));
    }

    #[test]
    fn basic_auth_decodes_user_and_password() {
        assert!(basic_auth(b"ZGVwbG95OnE4WnIyTHhXMHBWdDdOY0szeUhz")); // deploy:q8Zr2LxW0pVt7NcK3yHs
        assert!(!basic_auth(b"dXNlcjpwYXNzd29yZA==")); // user:password
        assert!(!basic_auth(b"bm9jb2xvbmhlcmU=")); // nocolonhere
        assert!(!basic_auth(b"not base64!"));
    }

    #[test]
    fn a_store_keeps_weak_and_default_passwords() {
        assert!(basic_auth_store(b"YWxpY2U6aHVudGVyMjI=")); // alice:hunter22
        assert!(basic_auth_store(b"cm9vdDpyb290")); // root:root
        assert!(!basic_auth(b"cm9vdDpyb290"));
        assert!(!basic_auth_store(b"dXNlcjpwYXNzd29yZA==")); // user:password
        assert!(!basic_auth_store(b"dXNlcjo=")); // user: (no password)
        assert!(!basic_auth_store(b"bm9jb2xvbmhlcmU="));
    }
}
