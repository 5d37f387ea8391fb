//! Java `HashMap` iteration order for string keys.
//!
//! Kafka Connect serializes some maps straight from a `java.util.HashMap` (task configs, source
//! offsets built by Debezium), so their JSON key order is HashMap's bucket order, not insertion
//! order. To write byte-identical records we order keys the same way:
//!
//! - a key's bucket is `spread(String.hashCode) & (capacity - 1)`, where
//!   `spread(h) = h ^ (h >>> 16)` and `String.hashCode` runs over UTF-16 code units;
//! - the table starts at 16 buckets and doubles whenever the size exceeds 3/4 of it; a resize
//!   splits each bucket keeping its entries' relative order, so within a bucket entries stay in
//!   insertion order;
//! - iteration walks buckets in index order.
//!
//! Hence the order is a stable sort of the insertion order by bucket index in the final table.
//! (Java turns a bucket of 8+ colliding keys into a tree; the order of such a bucket is not
//! modelled: it needs eight keys with the same spread hash modulo the table size.)

/// Java's `String.hashCode()`.
pub fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

fn spread(h: i32) -> u32 {
    let h = h as u32;
    h ^ (h >> 16)
}

/// The table capacity of a `new HashMap<>()` after `len` insertions of distinct keys.
pub fn default_capacity(len: usize) -> usize {
    let mut cap = 16usize;
    while len > cap / 4 * 3 {
        cap *= 2;
    }
    cap
}

/// Returns `keys` (given in insertion order) in the order a `java.util.HashMap` built by
/// inserting them one by one iterates them.
pub fn hashmap_order<'a, I>(keys: I) -> Vec<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut keys: Vec<&str> = keys.into_iter().collect();
    let mask = default_capacity(keys.len()) as u32 - 1;
    keys.sort_by_key(|k| spread(java_string_hash(k)) & mask);
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_hash_matches_java() {
        // Values from Java's "…".hashCode().
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("a"), 97);
        assert_eq!(java_string_hash("hello"), 99_162_322);
        // Overflowing: "polygenelubricants".hashCode() == Integer.MIN_VALUE.
        assert_eq!(java_string_hash("polygenelubricants"), i32::MIN);
    }

    #[test]
    fn capacity_grows_like_java() {
        assert_eq!(default_capacity(0), 16);
        assert_eq!(default_capacity(12), 16);
        assert_eq!(default_capacity(13), 32);
        assert_eq!(default_capacity(24), 32);
        assert_eq!(default_capacity(25), 64);
    }
}
