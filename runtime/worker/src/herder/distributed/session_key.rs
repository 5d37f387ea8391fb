//! Session keys (KIP-507): the leader of a `sessioned` group writes a random HMAC key to the
//! config topic (`session-key`), which workers use to sign the requests they forward to each
//! other. The key is `inter.worker.key.size` random bits from the thread-local CSPRNG
//! (ChaCha-based, seeded from the OS), base64-encoded as Java's `Base64.getEncoder()` writes it.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use rand::RngCore;

/// A new key of `bytes` random bytes, base64-encoded (standard alphabet, padded).
pub(crate) fn generate(bytes: usize) -> String {
    let mut key = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut key);
    base64::engine::general_purpose::STANDARD.encode(key)
}

/// Milliseconds since the epoch.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_base64_of_the_requested_size() {
        let a = generate(32);
        let b = generate(32);
        assert_ne!(a, b);
        // 32 bytes → 44 base64 characters with one '=' of padding, like the golden record.
        assert_eq!(a.len(), 44);
        assert!(a.ends_with('='));
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(&a)
            .unwrap();
        assert_eq!(decoded.len(), 32);
    }
}
