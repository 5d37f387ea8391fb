//! A keyed table where each entry remembers where in the topic its value came from, so applying
//! the same record twice, or an older record after a newer one, changes nothing.
//!
//! A Kafka store applies a record from two paths: its own write, right after the broker acked
//! it (read-your-writes), and the background reader, which meets the same record later. Records
//! of one key always land on the same partition (the key's murmur2), where offsets order them;
//! so "apply only if the offset is newer than the entry's" makes the table the last value per
//! key in topic order whatever the order the two paths deliver in. Tombstones are kept as
//! valueless entries for the same reason (an older value read after the tombstone must not
//! resurrect the key). Memory and file stores have no positions; their writes apply in call
//! order.

use std::collections::BTreeMap;

/// Where a record is in the topic: (partition, offset).
pub(crate) type Position = (i32, i64);

#[derive(Debug, Clone)]
struct Slot<V> {
    position: Option<Position>,
    value: Option<V>,
}

/// Last value per key (see the module doc).
#[derive(Debug, Clone)]
pub(crate) struct Versioned<K, V> {
    slots: BTreeMap<K, Slot<V>>,
}

impl<K, V> Default for Versioned<K, V> {
    fn default() -> Self {
        Versioned {
            slots: BTreeMap::new(),
        }
    }
}

impl<K: Ord, V> Versioned<K, V> {
    /// Sets `key` to `value` (`None`: deleted) unless the entry already holds a record at or
    /// after `position` on the same partition. Returns whether it applied.
    pub(crate) fn apply(&mut self, key: K, value: Option<V>, position: Option<Position>) -> bool {
        if let Some(slot) = self.slots.get(&key)
            && let (Some((p_old, o_old)), Some((p_new, o_new))) = (slot.position, position)
            && p_old == p_new
            && o_new <= o_old
        {
            return false;
        }
        self.slots.insert(key, Slot { position, value });
        true
    }

    /// Clears the value of `key`, keeping its position (used when another record implies the
    /// deletion, e.g. a connector's tombstone deleting its tasks' statuses).
    pub(crate) fn clear(&mut self, key: &K) {
        if let Some(slot) = self.slots.get_mut(key) {
            slot.value = None;
        }
    }

    /// The value of `key`, if it has one.
    pub(crate) fn get(&self, key: &K) -> Option<&V> {
        self.slots.get(key).and_then(|s| s.value.as_ref())
    }

    /// Every key with a value, in key order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.slots
            .iter()
            .filter_map(|(k, s)| s.value.as_ref().map(|v| (k, v)))
    }

    /// Keys in `range` with a value.
    pub(crate) fn range<R>(&self, range: R) -> impl Iterator<Item = (&K, &V)>
    where
        R: std::ops::RangeBounds<K>,
    {
        self.slots
            .range(range)
            .filter_map(|(k, s)| s.value.as_ref().map(|v| (k, v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn older_records_and_replays_do_not_override() {
        let mut t = Versioned::<&str, u32>::default();
        assert!(t.apply("a", Some(2), Some((0, 5))));
        assert!(!t.apply("a", Some(1), Some((0, 4))), "older");
        assert!(!t.apply("a", Some(2), Some((0, 5))), "replay");
        assert_eq!(t.get(&"a"), Some(&2));
        assert!(t.apply("a", None, Some((0, 6))), "tombstone");
        assert!(!t.apply("a", Some(2), Some((0, 5))), "no resurrection");
        assert_eq!(t.get(&"a"), None);
        assert!(t.apply("a", Some(3), None), "unpositioned writes apply");
        assert_eq!(t.iter().count(), 1);
    }
}
