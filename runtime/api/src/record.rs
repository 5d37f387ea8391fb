//! The records connectors exchange with the runtime: [`SourceRecord`] (what a source task polls)
//! and [`SinkRecord`] (what a sink task is given), as Java's `ConnectRecord` subclasses.
//!
//! Source partitions and offsets are ordered JSON-like maps ([`OffsetMap`]): the worker writes them
//! to the offsets topic as compact JSON in this order, and Java workers look offsets up by the
//! exact bytes, so the order a connector inserts keys in is part of the contract.

use std::borrow::Cow;

use crate::encoded::EncodedValue;
use crate::header::Headers;
use crate::schema::Schema;
use crate::value::Value;

/// A source partition or offset: string keys to JSON primitives, in insertion order.
pub type OffsetMap = serde_json::Map<String, serde_json::Value>;

/// A record produced by a source task.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRecord {
    /// Which part of the source this record comes from (e.g. `{"server":"dbserver1"}`).
    pub source_partition: OffsetMap,
    /// The position in that partition after this record. Sluice reads an empty map as "no new
    /// position": once the record is acknowledged, the partition's stored offset stays the last
    /// non-empty one before it, so a source may give its position only every so often and
    /// replays from there after a crash.
    pub source_offset: OffsetMap,
    /// The destination topic.
    pub topic: String,
    /// The destination partition, `None` to let the producer's partitioner choose.
    pub kafka_partition: Option<i32>,
    /// The key's schema.
    pub key_schema: Option<Schema>,
    /// The key ([`Value::Null`] for none).
    pub key: Value,
    /// The value's schema.
    pub value_schema: Option<Schema>,
    /// The value ([`Value::Null`] for a tombstone).
    pub value: Value,
    /// The record timestamp in milliseconds since the epoch, `None` for the producer's time.
    pub timestamp: Option<i64>,
    /// The Connect headers.
    pub headers: Headers,
}

impl SourceRecord {
    /// A record with key and value, no explicit partition, timestamp or headers.
    pub fn new(
        source_partition: OffsetMap,
        source_offset: OffsetMap,
        topic: impl Into<String>,
        key_schema: Option<Schema>,
        key: Value,
        value_schema: Option<Schema>,
        value: Value,
    ) -> Self {
        SourceRecord {
            source_partition,
            source_offset,
            topic: topic.into(),
            kafka_partition: None,
            key_schema,
            key,
            value_schema,
            value,
            timestamp: None,
            headers: Headers::new(),
        }
    }
}

/// How a Kafka record's timestamp was set (Kafka's `TimestampType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TimestampType {
    /// The record has no timestamp (very old message formats).
    #[default]
    NoTimestampType,
    /// Set by the producer.
    CreateTime,
    /// Set by the broker when appending.
    LogAppendTime,
}

impl TimestampType {
    /// Kafka's numeric id (`-1`, `0`, `1`).
    pub fn id(self) -> i32 {
        match self {
            TimestampType::NoTimestampType => -1,
            TimestampType::CreateTime => 0,
            TimestampType::LogAppendTime => 1,
        }
    }

    /// Kafka's display name (`NoTimestampType`, `CreateTime`, `LogAppendTime`).
    pub fn name(self) -> &'static str {
        match self {
            TimestampType::NoTimestampType => "NoTimestampType",
            TimestampType::CreateTime => "CreateTime",
            TimestampType::LogAppendTime => "LogAppendTime",
        }
    }
}

/// A record given to a sink task, read from Kafka and converted.
#[derive(Debug, Clone, PartialEq)]
pub struct SinkRecord {
    /// The topic it was read from.
    pub topic: String,
    /// The partition it was read from.
    pub kafka_partition: i32,
    /// Its offset in that partition.
    pub kafka_offset: i64,
    /// The record timestamp in milliseconds since the epoch.
    pub timestamp: Option<i64>,
    /// How the timestamp was set.
    pub timestamp_type: TimestampType,
    /// The key's schema.
    pub key_schema: Option<Schema>,
    /// The key.
    pub key: Value,
    /// The value's schema.
    pub value_schema: Option<Schema>,
    /// The value ([`Value::Null`] for a tombstone, and when it is kept encoded).
    pub value: Value,
    /// The value still encoded, when the task accepts encoded values
    /// ([`SinkTask::accepts_encoded_values`](crate::connector::SinkTask)): then `value` is
    /// [`Value::Null`] and [`SinkRecord::value_decoded`] gives the Connect value.
    pub encoded_value: Option<EncodedValue>,
    /// The Connect headers.
    pub headers: Headers,
}

impl SinkRecord {
    /// Whether the value is null (a tombstone): no Connect value and none kept encoded.
    pub fn has_null_value(&self) -> bool {
        self.value.is_null() && self.encoded_value.is_none()
    }

    /// The Connect value, decoded first if it was kept encoded.
    pub fn value_decoded(&self) -> Result<Cow<'_, Value>, String> {
        match &self.encoded_value {
            Some(encoded) if self.value.is_null() => encoded.decode().map(Cow::Owned),
            _ => Ok(Cow::Borrowed(&self.value)),
        }
    }
}
