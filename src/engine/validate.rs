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
];

/// The validator with this name, if there is one.
pub fn lookup(name: &str) -> Option<Validator> {
    Some(match name {
        "luhn" => luhn,
        "github-crc32" | "crc32-base62" => crc32_base62,
        "iban-mod97" => iban_mod97,
        "jwt" => jwt,
        "us-ssn" => us_ssn,
        _ => return None,
    })
}

/// Luhn check of the digits (spaces and dashes ignored), 12 to 19 digits.
pub fn luhn(secret: &[u8]) -> bool {
    let digits: Vec<u8> = secret
        .iter()
        .filter(|b| !matches!(b, b' ' | b'-'))
        .copied()
        .collect();
    if !(12..=19).contains(&digits.len()) || !digits.iter().all(u8::is_ascii_digit) {
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
    sum % 10 == 0
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
/// must be 1. Spaces are ignored; length 15 to 34.
pub fn iban_mod97(secret: &[u8]) -> bool {
    let s: Vec<u8> = secret
        .iter()
        .filter(|b| **b != b' ')
        .map(u8::to_ascii_uppercase)
        .collect();
    if !(15..=34).contains(&s.len())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_accepts_valid_numbers() {
        assert!(luhn(b"4111111111111111"));
        assert!(luhn(b"4111 1111 1111 1111"));
        assert!(!luhn(b"4111111111111112"));
        assert!(!luhn(b"12345"));
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
        assert!(iban_mod97(b"GB82WEST12345698765432"));
        assert!(iban_mod97(b"DE89 3704 0044 0532 0130 00"));
        assert!(!iban_mod97(b"GB82WEST12345698765433"));
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
}
