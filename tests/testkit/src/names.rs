//! Unique names for the things tests create on shared servers (topics, databases, buckets,
//! containers, tables), so parallel tests and repeated runs against the same servers never meet.

use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn suffix() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let r: u32 = rand::random();
    format!("{}-{n}-{:06x}", std::process::id(), r & 0xff_ffff)
}

/// A unique lower-case name with `-` separators, valid as a Kafka topic, an S3 bucket and an
/// Azure container name (3–63 characters of `[a-z0-9-]`): `<prefix>-<pid>-<n>-<random>`.
///
/// `prefix` should be short, lower-case letters and digits.
pub fn unique_name(prefix: &str) -> String {
    let name = format!("{}-{}", sanitize(prefix, '-'), suffix());
    name.chars().take(63).collect()
}

/// A unique lower-case SQL identifier with `_` separators (PostgreSQL and MariaDB databases,
/// tables, replication slots, publications): `<prefix>_<pid>_<n>_<random>`.
pub fn unique_ident(prefix: &str) -> String {
    let name = format!("{}_{}", sanitize(prefix, '_'), suffix().replace('-', "_"));
    name.chars().take(63).collect()
}

fn sanitize(prefix: &str, sep: char) -> String {
    let s: String = prefix
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { sep })
        .collect();
    if s.starts_with(|c: char| c.is_ascii_alphabetic()) { s } else { format!("t{sep}{s}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_valid() {
        let a = unique_name("Orders_Topic");
        let b = unique_name("Orders_Topic");
        assert_ne!(a, b);
        assert!(a.starts_with("orders-topic-"), "{a}");
        assert!(a.len() <= 63 && a.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{a}");
        let i = unique_ident("9db");
        assert!(i.starts_with("t_9db_"), "{i}");
        assert!(i.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'), "{i}");
    }
}
