//! The offset store: each source connector's position per source partition
//! (spec/internals.md §3).
//!
//! Offsets are looked up by the exact bytes of their key, `["<connector>",{<partition>}]`
//! (`sluice_protocol::OffsetKey::encode`), as Kafka Connect and Debezium do; values are the
//! offset map's bytes (`encode_offset`). Every implementation keeps the same table, key bytes →
//! offset, so they agree on what is found and what is not.
//!
//! # When an offset becomes visible
//! [`OffsetStore::set`] returns once the whole batch is durable (Kafka: acknowledged by every
//! in-sync replica; file: renamed into place), and only then are the offsets applied to the
//! table that [`OffsetStore::get`] answers from. A task restarted after a crash therefore never
//! resumes from an offset that was not durably stored: if the write failed, `get` still answers
//! the previous offset, and the records since are replayed (at-least-once), never skipped.

use std::collections::BTreeMap;
use std::future::Future;

use serde_json::{Map, Value};
use sluice_protocol::{OffsetKey, decode_offset, encode_offset};

use super::versioned::{Position, Versioned};
use crate::Result;

/// A source partition, e.g. `{"server":"dbserver1"}` (keys in the connector's order).
pub type SourcePartition = Map<String, Value>;

/// A source offset, e.g. `{"lsn":478745872,"txId":2458}`.
pub type SourceOffset = Map<String, Value>;

/// One offset to write: `offset: None` deletes the partition's offset (a tombstone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffsetWrite {
    /// Connector name.
    pub connector: String,
    /// Source partition.
    pub partition: SourcePartition,
    /// The offset, or `None` to delete it.
    pub offset: Option<SourceOffset>,
}

impl OffsetWrite {
    /// The key and value bytes Kafka Connect writes for this offset.
    pub fn encode(&self) -> (Vec<u8>, Option<Vec<u8>>) {
        let key = OffsetKey {
            connector: self.connector.clone(),
            partition: self.partition.clone(),
        };
        (key.encode(), self.offset.as_ref().map(encode_offset))
    }
}

/// Source offsets per connector and source partition (see the module doc).
pub trait OffsetStore: Send + Sync {
    /// Makes the store usable: Kafka creates or checks the topic and reads it to the end; file
    /// loads the file.
    fn start(&mut self) -> impl Future<Output = Result<()>> + Send;

    /// Stops background work; the store must not be used afterwards.
    fn stop(&mut self) -> impl Future<Output = Result<()>> + Send;

    /// The offset stored for `partition` of `connector`. Kafka reads the topic to the end first
    /// (as Kafka Connect does), so offsets written by a task's previous owner are seen.
    fn get(
        &self,
        connector: &str,
        partition: &SourcePartition,
    ) -> impl Future<Output = Result<Option<SourceOffset>>> + Send;

    /// Writes a batch and returns once it is durable; only then does `get` answer it. When a key
    /// appears twice in the batch, the last write wins.
    fn set(&self, writes: Vec<OffsetWrite>) -> impl Future<Output = Result<()>> + Send;

    /// The source partitions of `connector` that have an offset (`GET /connectors/{c}/offsets`).
    fn partitions(
        &self,
        connector: &str,
    ) -> impl Future<Output = Result<Vec<SourcePartition>>> + Send;
}

/// Encodes a batch, keeping the last write per key.
pub(crate) fn encode_batch(writes: &[OffsetWrite]) -> BTreeMap<Vec<u8>, Option<Vec<u8>>> {
    writes.iter().map(OffsetWrite::encode).collect()
}

/// A stored offset: its exact bytes and their decoding.
#[derive(Debug, Clone)]
pub(crate) struct StoredOffset {
    pub(crate) bytes: Vec<u8>,
    pub(crate) offset: SourceOffset,
}

/// Key bytes → offset, shared by the implementations.
#[derive(Debug, Clone, Default)]
pub(crate) struct OffsetTable {
    entries: Versioned<Vec<u8>, StoredOffset>,
}

impl OffsetTable {
    /// Applies one record. Records Kafka Connect skips are skipped: a key that is not
    /// `[string, object]` (logged at debug: Java writes none, other tools might), and a value
    /// that is not a JSON object (logged: the previous offset stays).
    pub(crate) fn apply_raw(
        &mut self,
        key: &[u8],
        value: Option<&[u8]>,
        position: Option<Position>,
    ) {
        if OffsetKey::decode(key).is_none() {
            tracing::debug!(key = %String::from_utf8_lossy(key), "Skipping an offsets record whose key is not [connector, partition].");
            return;
        }
        let stored = match decode_offset(value) {
            Ok(offset) => offset.zip(value).map(|(offset, bytes)| StoredOffset {
                bytes: bytes.to_vec(),
                offset,
            }),
            Err(e) => {
                tracing::warn!(key = %String::from_utf8_lossy(key), error = %e, "Skipping an offsets record whose value is not an offset.");
                return;
            }
        };
        self.entries.apply(key.to_vec(), stored, position);
    }

    /// The offset of `connector`'s `partition`, looked up by the exact key bytes.
    pub(crate) fn get(&self, connector: &str, partition: &SourcePartition) -> Option<SourceOffset> {
        let key = OffsetKey {
            connector: connector.to_string(),
            partition: partition.clone(),
        };
        self.entries.get(&key.encode()).map(|s| s.offset.clone())
    }

    /// `connector`'s partitions that have an offset, in key-byte order.
    pub(crate) fn partitions(&self, connector: &str) -> Vec<SourcePartition> {
        self.entries
            .iter()
            .filter_map(|(k, _)| OffsetKey::decode(k))
            .filter(|k| k.connector == connector)
            .map(|k| k.partition)
            .collect()
    }

    /// Every stored offset: key bytes and value bytes.
    pub(crate) fn raw(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.entries
            .iter()
            .map(|(k, v)| (k.as_slice(), v.bytes.as_slice()))
    }
}
