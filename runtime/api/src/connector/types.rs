//! The small value types the connector and task traits exchange with the worker.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

/// Ordered string properties, as the config topic stores them: a connector's configuration or
/// one task's configuration. A `None` value is a JSON `null` and counts as unset; when a key
/// appears twice the last one wins. [`crate::config::ConfigSource`] is implemented for it, so
/// `ConfigDef::parse(&props)` and `props.get_raw(key)` work directly.
pub type Properties = Vec<(String, Option<String>)>;

/// One task's configuration, as returned by `Connector::task_configs` and given to the task's
/// `start`: ordered string properties (the same shape as [`Properties`]).
pub type TaskConfig = Properties;

/// A boxed, `Send` future: what the type-erased traits return, and what the context objects
/// (which are trait objects) return, without an async runtime or macro crate.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A Kafka topic partition (Kafka's `TopicPartition`), ordered by topic then partition.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicPartition {
    /// The topic name.
    pub topic: String,
    /// The partition number.
    pub partition: i32,
}

impl TopicPartition {
    /// The partition `partition` of `topic`.
    pub fn new(topic: impl Into<String>, partition: i32) -> Self {
        TopicPartition {
            topic: topic.into(),
            partition,
        }
    }
}

impl fmt::Display for TopicPartition {
    /// Kafka's form, `topic-partition`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// A consumer offset to commit (Kafka's `OffsetAndMetadata`): the offset of the **next**
/// record to consume, i.e. the last processed record's offset + 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffsetAndMetadata {
    /// The next offset to consume.
    pub offset: i64,
    /// Optional metadata stored with the commit.
    pub metadata: Option<String>,
}

impl OffsetAndMetadata {
    /// An offset without metadata.
    pub fn new(offset: i64) -> Self {
        OffsetAndMetadata {
            offset,
            metadata: None,
        }
    }
}

/// Sink offsets per partition: what the worker has delivered to `put`, and what `pre_commit`
/// answers is safe to commit.
pub type CommitOffsets = BTreeMap<TopicPartition, OffsetAndMetadata>;

/// Where Kafka stored a source record (Kafka's `RecordMetadata`), given to
/// `SourceTask::commit_record` once the producer's acknowledgement arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordMetadata {
    /// The topic written to (after transforms).
    pub topic: String,
    /// The partition written to.
    pub partition: i32,
    /// The record's offset in that partition.
    pub offset: i64,
    /// The record's timestamp in milliseconds since the epoch, if known.
    pub timestamp: Option<i64>,
}

/// Whether a source connector can give exactly-once delivery for a configuration (KIP-618's
/// `ExactlyOnceSupport`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExactlyOnceSupport {
    /// Records and offsets can be written atomically in producer transactions.
    Supported,
    /// Exactly-once cannot be provided with this configuration.
    Unsupported,
    /// The connector does not say (Java's `null`); the worker treats it as Kafka does.
    #[default]
    Unknown,
}

/// The two kinds of connectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectorKind {
    /// Reads from an external system and produces to Kafka.
    Source,
    /// Consumes from Kafka and writes to an external system.
    Sink,
}

impl ConnectorKind {
    /// The name the REST API shows (`source`, `sink`).
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectorKind::Source => "source",
            ConnectorKind::Sink => "sink",
        }
    }
}

impl fmt::Display for ConnectorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
