//! Shannon entropy of a secret, in bits per byte.
//!
//! Random tokens score high (base64 approaches 6 bits per byte, hex 4), words and
//! placeholders low; a rule's `min_entropy` turns that into a cheap first filter.

use statrs::distribution::Categorical;
use statrs::statistics::Distribution;

/// The Shannon entropy of the byte distribution of `bytes`, in bits per byte.
/// Empty input has entropy 0.
pub fn shannon(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0f64; 256];
    for &b in bytes {
        counts[b as usize] += 1.0;
    }
    let used: Vec<f64> = counts.into_iter().filter(|&c| c > 0.0).collect();
    if used.len() == 1 {
        return 0.0;
    }
    // Categorical normalises the counts; its entropy is in nats.
    let nats = Categorical::new(&used)
        .ok()
        .and_then(|d| d.entropy())
        .unwrap_or(0.0);
    nats / std::f64::consts::LN_2
}

#[cfg(test)]
mod tests {
    use super::shannon;

    #[test]
    fn known_values() {
        assert_eq!(shannon(b""), 0.0);
        assert_eq!(shannon(b"aaaa"), 0.0);
        assert!((shannon(b"ab") - 1.0).abs() < 1e-9);
        assert!((shannon(b"0123456789abcdef") - 4.0).abs() < 1e-9);
        assert!(shannon(b"password") < 3.0);
        assert!(shannon(b"q8Zr2LxW0pVt7NcK3yHs") > 4.0);
    }
}
