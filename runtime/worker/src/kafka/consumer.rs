//! The worker's group consumer (sink tasks: group `connect-<connector>`), with manual commits.
//!
//! Offsets are committed only when the caller says so ([`GroupConsumer::commit`]), never by a
//! timer: a sink commits what its `pre_commit` reports durable, so a crash replays records
//! instead of skipping them. Both `enable.auto.commit` and `enable.auto.offset.store` are off,
//! so librdkafka never commits on its own (not even on a rebalance or close).
//!
//! A committed offset is the offset of the *next* record to read (Kafka's convention): a member
//! that takes over the partition resumes exactly there.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::message::{BorrowedMessage, Headers, Message};
use rdkafka::{Offset, TopicPartitionList};

use super::config::{Properties, client_config};
use crate::{Error, Result};

/// Defaults applied before the worker's `consumer.*` properties.
pub const CONSUMER_DEFAULTS: &[(&str, &str)] = &[
    ("enable.auto.commit", "false"),
    ("enable.auto.offset.store", "false"),
    // Kafka Connect's sink default: a new group starts at the beginning of its topics.
    ("auto.offset.reset", "earliest"),
    // librdkafka stops fetching a partition whose local queue is over `queued.min.messages` or
    // `queued.max.messages.kbytes` and looks again only after this long (1,000 ms by default);
    // Java's consumer fetches again as soon as its buffer has room. With the default, a sink
    // that takes records more slowly than the broker sends them drained its queue and then
    // waited most of each second: an owned-record reader of one Tansu partition got 187,000
    // records/s at 1,000 ms and 570,000–770,000 at 1–100 ms (`throughput drain`, see
    // docs/benchmarks.md). The queue limits still bound memory; only the wait is shorter.
    ("fetch.queue.backoff.ms", "10"),
];

/// A record read from Kafka, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Topic.
    pub topic: String,
    /// Partition.
    pub partition: i32,
    /// Offset.
    pub offset: i64,
    /// Timestamp in milliseconds since the epoch, when the record has one.
    pub timestamp: Option<i64>,
    /// Key bytes.
    pub key: Option<Bytes>,
    /// Value bytes; `None` is a tombstone.
    pub value: Option<Bytes>,
    /// Headers in order (name, value).
    pub headers: Vec<(String, Option<Bytes>)>,
}

impl Record {
    pub(crate) fn from_message(m: &BorrowedMessage<'_>) -> Record {
        let headers = m
            .headers()
            .map(|hs| {
                hs.iter()
                    .map(|h| (h.key.to_string(), h.value.map(Bytes::copy_from_slice)))
                    .collect()
            })
            .unwrap_or_default();
        Record {
            topic: m.topic().to_string(),
            partition: m.partition(),
            offset: m.offset(),
            timestamp: m.timestamp().to_millis(),
            key: m.key().map(Bytes::copy_from_slice),
            value: m.payload().map(Bytes::copy_from_slice),
            headers,
        }
    }
}

/// An offset to commit: the next offset to read in one partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionOffset {
    /// Topic.
    pub topic: String,
    /// Partition.
    pub partition: i32,
    /// The offset of the next record to read (last processed + 1).
    pub offset: i64,
}

/// A consumer in a consumer group, committing only on request.
#[derive(Clone)]
pub struct GroupConsumer {
    inner: Arc<StreamConsumer>,
    group_id: String,
}

impl fmt::Debug for GroupConsumer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupConsumer")
            .field("group_id", &self.group_id)
            .finish_non_exhaustive()
    }
}

impl GroupConsumer {
    /// Builds a consumer of group `group_id` from the worker properties (`bootstrap.servers`,
    /// security, `consumer.*`) and `overrides`, on top of [`CONSUMER_DEFAULTS`].
    pub fn new(worker: &Properties, group_id: &str, overrides: &Properties) -> Result<Self> {
        let mut config = client_config(worker, "consumer", CONSUMER_DEFAULTS, overrides)?;
        config.set("group.id", group_id);
        let inner: StreamConsumer = config.create().map_err(|source| Error::ClientConfig {
            client: "consumer",
            source,
        })?;
        Ok(GroupConsumer {
            inner: Arc::new(inner),
            group_id: group_id.to_string(),
        })
    }

    /// The group id.
    pub fn group_id(&self) -> &str {
        &self.group_id
    }

    /// The underlying rdkafka consumer, for what this wrapper does not cover.
    pub fn inner(&self) -> &StreamConsumer {
        &self.inner
    }

    /// Subscribes to `topics`; partitions are assigned by the group's rebalances.
    pub fn subscribe(&self, topics: &[&str]) -> Result<()> {
        self.inner.subscribe(topics).map_err(|e| {
            Error::kafka(
                format!("subscribe group '{}' to {topics:?}", self.group_id),
                e,
            )
        })
    }

    /// The next record. Waits as long as needed (the first one after subscribing waits for the
    /// group's first rebalance); wrap it in a timeout to bound the wait.
    pub async fn recv(&self) -> Result<Record> {
        match self.inner.recv().await {
            Ok(m) => Ok(Record::from_message(&m)),
            Err(e) => Err(Error::kafka(
                format!("consume for group '{}'", self.group_id),
                e,
            )),
        }
    }

    /// Commits `offsets` synchronously: returns once the coordinator has stored them.
    pub async fn commit(&self, offsets: &[PartitionOffset]) -> Result<()> {
        let mut tpl = TopicPartitionList::with_capacity(offsets.len());
        for o in offsets {
            tpl.add_partition_offset(&o.topic, o.partition, Offset::Offset(o.offset))
                .map_err(|e| {
                    Error::kafka(format!("commit offsets for group '{}'", self.group_id), e)
                })?;
        }
        let inner = Arc::clone(&self.inner);
        // librdkafka's synchronous commit blocks the calling thread; keep it off the runtime.
        tokio::task::spawn_blocking(move || inner.commit(&tpl, CommitMode::Sync))
            .await
            .map_err(|_| Error::kafka("commit offsets", rdkafka::error::KafkaError::Canceled))?
            .map_err(|e| Error::kafka(format!("commit offsets for group '{}'", self.group_id), e))
    }

    /// The group's committed offsets for `partitions` of `topic` (`None` where nothing is
    /// committed).
    pub async fn committed(
        &self,
        topic: &str,
        partitions: &[i32],
        timeout: Duration,
    ) -> Result<Vec<(i32, Option<i64>)>> {
        let mut tpl = TopicPartitionList::with_capacity(partitions.len());
        for p in partitions {
            tpl.add_partition(topic, *p);
        }
        let inner = Arc::clone(&self.inner);
        let operation = format!("read committed offsets of group '{}'", self.group_id);
        let result = tokio::task::spawn_blocking(move || inner.committed_offsets(tpl, timeout))
            .await
            .map_err(|_| Error::kafka(operation.clone(), rdkafka::error::KafkaError::Canceled))?
            .map_err(|e| Error::kafka(operation, e))?;
        Ok(result
            .elements()
            .iter()
            .map(|e| match e.offset() {
                Offset::Offset(o) => (e.partition(), Some(o)),
                _ => (e.partition(), None),
            })
            .collect())
    }
}
