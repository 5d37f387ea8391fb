//! [`SubmittedRecords`]: which source offsets may be committed, given the records that were
//! handed to the producer and the acknowledgements that came back (Kafka Connect's
//! `SubmittedRecords`).
//!
//! The tracker holds the submitted items themselves (the task loop's records, each with its
//! offset), not copies of their offsets: popping a committable prefix hands every item to the
//! caller in order (for `commit_record`) and *moves* the last one's offset out, so no offset is
//! ever cloned per record.
//!
//! # Why offsets never run ahead of acknowledged records
//! Records are submitted in poll order, and each source partition keeps its own queue in that
//! order. An acknowledgement only flags its entry. [`SubmittedRecords::committable`] then pops,
//! per source partition, the longest prefix of flagged entries and answers the offset of the
//! last entry popped: every record of that partition up to and including it was acknowledged,
//! so storing that offset and crashing replays only later records, it never skips one. An
//! acknowledgement that arrives out of order (the producer writes to several Kafka partitions
//! in parallel) waits in its queue until the records before it are acknowledged too; a record
//! whose send failed is never flagged, so its partition's offset stays before it for good.
//!
//! A record with an empty offset moves nothing: the committable offset of its partition is
//! that of the last record before it with a non-empty one (a source may give a position only
//! every so often, and replays from the last one given).
//!
//! Source partitions are independent: one partition's stuck record does not hold back another's
//! offsets, exactly as in Kafka Connect, since a task resumes each partition from its own offset.
//!
//! This is pure bookkeeping (no I/O, no clock); the task loop owns one per task.

use std::collections::{HashMap, VecDeque};

use sluice_api::OffsetMap;

/// What the tracker holds per record: its source partition and offset.
pub trait Submitted {
    /// The record's source partition.
    fn partition(&self) -> &OffsetMap;
    /// Moves the record's source offset out (called once, after the caller saw the item).
    fn take_offset(&mut self) -> OffsetMap;
}

/// A bare `(partition, offset)` pair, for callers that keep nothing else.
impl Submitted for (OffsetMap, OffsetMap) {
    fn partition(&self) -> &OffsetMap {
        &self.0
    }

    fn take_offset(&mut self) -> OffsetMap {
        std::mem::take(&mut self.1)
    }
}

/// A submitted record's handle, used to acknowledge it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SubmittedId {
    partition: usize,
    seq: u64,
}

#[derive(Debug)]
struct PartitionQueue<T> {
    partition: OffsetMap,
    /// Sequence number of the front entry of `entries`.
    head: u64,
    /// Each record not yet committable and its acknowledged flag, in submission order.
    entries: VecDeque<(T, bool)>,
}

/// The committable offsets: per source partition, the offset after which a restart resumes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CommittableOffsets {
    /// `(source partition, source offset)`, one entry per partition that advanced.
    pub offsets: Vec<(OffsetMap, OffsetMap)>,
    /// How many records these offsets cover (popped from the queues).
    pub records: usize,
}

impl CommittableOffsets {
    /// Whether nothing became committable.
    pub fn is_empty(&self) -> bool {
        self.offsets.is_empty()
    }
}

/// Tracks submitted records per source partition (see the module doc).
#[derive(Debug)]
pub struct SubmittedRecords<T = (OffsetMap, OffsetMap)> {
    /// Source partition (compact JSON, key order kept) → index in `queues`.
    index: HashMap<String, usize>,
    queues: Vec<PartitionQueue<T>>,
    pending: usize,
    /// The queue of the last submitted record.
    last: Option<usize>,
}

impl<T> Default for SubmittedRecords<T> {
    fn default() -> Self {
        SubmittedRecords {
            index: HashMap::new(),
            queues: Vec::new(),
            pending: 0,
            last: None,
        }
    }
}

/// Whether two source partitions are the same, key order included (as their JSON text).
fn same_partition(a: &OffsetMap, b: &OffsetMap) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b.iter())
            .all(|((ka, va), (kb, vb))| ka == kb && va == vb)
}

impl<T: Submitted> SubmittedRecords<T> {
    /// An empty tracker.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `item`'s partition produced it; must be called in poll order, before the
    /// record is sent.
    pub fn submit(&mut self, item: T) -> SubmittedId {
        let partition = item.partition();
        let idx = match self.last {
            // Most tasks have one source partition: comparing with the last one used avoids
            // serializing the partition for every record.
            Some(last) if same_partition(&self.queues[last].partition, partition) => last,
            _ => self.lookup(partition),
        };
        self.last = Some(idx);
        let q = &mut self.queues[idx];
        let seq = q.head + q.entries.len() as u64;
        q.entries.push_back((item, false));
        self.pending += 1;
        SubmittedId {
            partition: idx,
            seq,
        }
    }

    /// The queue of `partition`, created on first use.
    fn lookup(&mut self, partition: &OffsetMap) -> usize {
        // The compact JSON text identifies a partition exactly as the offsets topic key does
        // (key order included), and serde_json maps are not `Hash`.
        let key = serde_json::to_string(partition).unwrap_or_default();
        let next = self.queues.len();
        let idx = *self.index.entry(key).or_insert(next);
        if idx == next {
            self.queues.push(PartitionQueue {
                partition: partition.clone(),
                head: 0,
                entries: VecDeque::new(),
            });
        }
        idx
    }

    /// Flags `id` as acknowledged. Returns `false` if it was unknown or already committable
    /// (acknowledging twice is harmless).
    pub fn ack(&mut self, id: SubmittedId) -> bool {
        self.ack_with(id, |_| {})
    }

    /// Flags `id` as acknowledged after letting `update` change its item (to attach the
    /// broker's answer). Returns `false`, without calling `update`, if `id` was unknown or
    /// already acknowledged.
    pub fn ack_with(&mut self, id: SubmittedId, update: impl FnOnce(&mut T)) -> bool {
        let Some(q) = self.queues.get_mut(id.partition) else {
            return false;
        };
        let Some(pos) = id.seq.checked_sub(q.head) else {
            return false;
        };
        match usize::try_from(pos).ok().and_then(|p| q.entries.get_mut(p)) {
            Some(entry) if !entry.1 => {
                update(&mut entry.0);
                entry.1 = true;
                true
            }
            _ => false,
        }
    }

    /// The item of `id`, while it is not committable yet.
    pub fn get(&self, id: SubmittedId) -> Option<&T> {
        let q = self.queues.get(id.partition)?;
        let pos = usize::try_from(id.seq.checked_sub(q.head)?).ok()?;
        q.entries.get(pos).map(|(item, _)| item)
    }

    /// Pops every acknowledged prefix and answers the last offset of each (see the module doc).
    pub fn committable(&mut self) -> CommittableOffsets {
        self.committable_each(|_| {})
    }

    /// [`SubmittedRecords::committable`], handing each popped item to `each` first, in
    /// submission order per source partition.
    pub fn committable_each(&mut self, mut each: impl FnMut(&T)) -> CommittableOffsets {
        let mut out = CommittableOffsets::default();
        for q in &mut self.queues {
            let acked_front = |q: &PartitionQueue<T>| q.entries.front().is_some_and(|(_, a)| *a);
            let mut last = None;
            while acked_front(q) {
                let Some((mut item, _)) = q.entries.pop_front() else {
                    break;
                };
                q.head += 1;
                out.records += 1;
                each(&item);
                // An empty offset is "no new position": the partition's offset stays the last
                // non-empty one (see `SourceRecord::source_offset`).
                let offset = item.take_offset();
                if !offset.is_empty() {
                    last = Some(offset);
                }
            }
            if let Some(offset) = last {
                out.offsets.push((q.partition.clone(), offset));
            }
        }
        self.pending -= out.records;
        out
    }

    /// Records submitted and not yet popped by [`SubmittedRecords::committable`] (acknowledged
    /// or not).
    pub fn pending(&self) -> usize {
        self.pending
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn map(v: serde_json::Value) -> OffsetMap {
        match v {
            serde_json::Value::Object(m) => m,
            _ => panic!("not an object"),
        }
    }

    fn pos(n: u64) -> OffsetMap {
        map(json!({ "position": n }))
    }

    #[test]
    fn in_order_acks_commit_the_last() {
        let mut s: SubmittedRecords = SubmittedRecords::new();
        let p = map(json!({"file": "a"}));
        let ids: Vec<_> = (1..=3).map(|n| s.submit((p.clone(), pos(n)))).collect();
        assert!(s.committable().is_empty());
        for id in ids {
            assert!(s.ack(id));
        }
        let c = s.committable();
        assert_eq!(c.offsets, vec![(p, pos(3))]);
        assert_eq!(c.records, 3);
        assert_eq!(s.pending(), 0);
        assert!(s.committable().is_empty());
    }

    #[test]
    fn an_empty_offset_keeps_the_last_position_given() {
        let mut s: SubmittedRecords = SubmittedRecords::new();
        let p = map(json!({"file": "a"}));
        let offsets = [
            pos(1),
            OffsetMap::new(),
            OffsetMap::new(),
            pos(4),
            OffsetMap::new(),
        ];
        let ids: Vec<_> = offsets
            .iter()
            .map(|o| s.submit((p.clone(), o.clone())))
            .collect();
        s.ack(ids[0]);
        s.ack(ids[1]);
        s.ack(ids[2]);
        assert_eq!(
            s.committable().offsets,
            vec![(p.clone(), pos(1))],
            "records 2 and 3 give no position: 1 stands"
        );
        s.ack(ids[4]);
        assert!(s.committable().is_empty(), "record 4 is not acknowledged");
        s.ack(ids[3]);
        let c = s.committable();
        assert_eq!(c.offsets, vec![(p.clone(), pos(4))], "4, not the empty 5");
        assert_eq!(c.records, 2);
        let only_empty = s.submit((p.clone(), OffsetMap::new()));
        s.ack(only_empty);
        let c = s.committable();
        assert!(c.offsets.is_empty(), "nothing new to store: {c:?}");
        assert_eq!(c.records, 1);
    }

    #[test]
    fn out_of_order_acks_wait_for_the_gap() {
        let mut s: SubmittedRecords = SubmittedRecords::new();
        let p = map(json!({"file": "a"}));
        let ids: Vec<_> = (1..=4).map(|n| s.submit((p.clone(), pos(n)))).collect();
        assert!(s.ack(ids[1]));
        assert!(s.ack(ids[3]));
        assert!(s.committable().is_empty(), "record 1 is not acknowledged");
        assert!(s.ack(ids[0]));
        assert_eq!(s.committable().offsets, vec![(p.clone(), pos(2))]);
        assert_eq!(s.pending(), 2);
        assert!(s.ack(ids[2]));
        assert_eq!(s.committable().offsets, vec![(p, pos(4))]);
        assert!(!s.ack(ids[2]), "already committable");
    }

    #[test]
    fn a_failed_send_blocks_its_partition_only() {
        let mut s: SubmittedRecords = SubmittedRecords::new();
        let a = map(json!({"file": "a"}));
        let b = map(json!({"file": "b"}));
        let a1 = s.submit((a.clone(), pos(1)));
        let _a2_failed = s.submit((a.clone(), pos(2)));
        let a3 = s.submit((a.clone(), pos(3)));
        let b1 = s.submit((b.clone(), pos(10)));
        for id in [a1, a3, b1] {
            assert!(s.ack(id));
        }
        let c = s.committable();
        assert_eq!(c.offsets, vec![(a.clone(), pos(1)), (b, pos(10))]);
        // Record 2 never acknowledged: partition a stays at 1 however many acks follow.
        let a4 = s.submit((a.clone(), pos(4)));
        assert!(s.ack(a4));
        assert!(s.committable().is_empty());
        assert_eq!(s.pending(), 3);
    }

    #[test]
    fn partitions_are_told_apart_by_key_order() {
        let mut s: SubmittedRecords = SubmittedRecords::new();
        let ab = map(json!({"a": 1, "b": 2}));
        let mut ba = OffsetMap::new();
        ba.insert("b".into(), 2.into());
        ba.insert("a".into(), 1.into());
        let x = s.submit((ab.clone(), pos(1)));
        let y = s.submit((ba.clone(), pos(2)));
        s.ack(x);
        s.ack(y);
        assert_eq!(s.committable().offsets.len(), 2);
    }

    #[test]
    fn committable_items_are_handed_over_in_order_before_the_last_offset_moves_out() {
        let mut s: SubmittedRecords = SubmittedRecords::new();
        let p = map(json!({"file": "a"}));
        let ids: Vec<_> = (1..=3).map(|n| s.submit((p.clone(), pos(n)))).collect();
        s.ack(ids[0]);
        s.ack(ids[2]);
        let mut seen = Vec::new();
        let c = s.committable_each(|(_, o)| seen.push(o.clone()));
        assert_eq!(seen, vec![pos(1)], "record 3 waits for record 2");
        assert_eq!(c.offsets, vec![(p.clone(), pos(1))]);
        s.ack(ids[1]);
        let c = s.committable_each(|(_, o)| seen.push(o.clone()));
        assert_eq!(seen, vec![pos(1), pos(2), pos(3)]);
        assert_eq!(c.offsets, vec![(p, pos(3))]);
        assert_eq!(c.records, 2);
    }

    #[test]
    fn unknown_ids_are_ignored() {
        let mut s: SubmittedRecords = SubmittedRecords::new();
        assert!(!s.ack(SubmittedId {
            partition: 3,
            seq: 0
        }));
    }
}
