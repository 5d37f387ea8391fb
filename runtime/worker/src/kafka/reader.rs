//! Reading a whole topic "to the end": what the config, offsets and status stores do before they
//! act (Kafka Connect's `KafkaBasedLog.readToEnd`).
//!
//! # Where "the end" comes from
//! Kafka Connect asks for the end offsets with ListOffsets(latest) and consumes up to them. We
//! take the end from the **high watermark carried by Fetch responses** instead, because Tansu
//! (the test broker) answers ListOffsets(latest) wrongly: it returns the base offset of the newest
//! batch + 1, which is short of the end whenever that batch holds more than one record (checked
//! against Tansu 0.6: after one batch of 20 records at offsets 0..19, ListOffsets(latest) says 1
//! while every Fetch reports a high watermark of 20). The high watermark is also exactly right on
//! Apache Kafka (for `read_committed` librdkafka uses the last stable offset, as it should).
//!
//! # How, with librdkafka
//! The `rdkafka` crate does not expose `rd_kafka_get_watermark_offsets` (the cached high
//! watermark of the last Fetch), but librdkafka's partition EOF event carries the same fact: with
//! `enable.partition.eof=true` it reports `PARTITION_EOF` when a Fetch response's high watermark
//! equals the fetch position, i.e. when the consumer has every record the broker had at that
//! moment. A partition reports EOF once per end reached; to ask "are we at the end *now*" again,
//! [`TopicReader::read_to_end`] seeks every partition to its current position first: a seek
//! starts a new fetch version, which discards events of older fetches (so a stale EOF cannot be
//! taken for a fresh one) and re-arms EOF for the next Fetch response.
//!
//! So when `read_to_end` returns, every record written (and acknowledged) before it was called
//! has been returned, by this call or an earlier one; records written meanwhile may be too.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use rdkafka::consumer::{Consumer, ConsumerContext, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{ClientContext, Offset, TopicPartitionList};

use super::config::{Properties, client_config};
use super::consumer::Record;
use crate::{Error, Result};

/// Defaults applied before the worker's `consumer.*` properties: no commits, EOF events, and
/// short fetch waits so reaching the end is noticed quickly.
///
/// The group id is never joined nor committed to: librdkafka refuses `assign()` on a consumer
/// without one ("Local: Unknown group"), so the reader names a group it only uses locally.
pub const READER_DEFAULTS: &[(&str, &str)] = &[
    ("group.id", "sluice-topic-reader"),
    ("enable.auto.commit", "false"),
    ("enable.auto.offset.store", "false"),
    ("enable.partition.eof", "true"),
    ("fetch.wait.max.ms", "100"),
];

/// The reader's client context. End-of-partition is how the reader knows it reached the end,
/// not a failure; librdkafka also hands EOF events to the error callback when they arrive
/// while the stream is not polled (between two reads of a store's background reader), and the
/// default context logs each one at ERROR, dozens a second per store. Those are logged at
/// TRACE here; every other error as before.
pub(crate) struct ReaderContext;

impl ClientContext for ReaderContext {
    fn error(&self, error: KafkaError, reason: &str) {
        match error {
            KafkaError::Global(RDKafkaErrorCode::PartitionEOF) | KafkaError::PartitionEOF(_) => {
                tracing::trace!(%reason, "librdkafka reported an end of partition.");
            }
            error => tracing::error!("librdkafka: {error}: {reason}"),
        }
    }
}

impl ConsumerContext for ReaderContext {}

/// The least time a seek (re-arming end-of-partition) may take before `read_to_end` gives up.
const MIN_SEEK_TIMEOUT: Duration = Duration::from_secs(5);

/// A consumer of every partition of one topic, from the beginning, assigned directly (it joins no
/// group and commits nothing).
pub struct TopicReader {
    consumer: Arc<StreamConsumer<ReaderContext>>,
    topic: String,
    /// Partition → offset of the next record to read (`None`: nothing read yet).
    positions: BTreeMap<i32, Option<i64>>,
    /// Records read by a call that then failed; the next call returns them first.
    undelivered: Vec<Record>,
}

impl fmt::Debug for TopicReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TopicReader")
            .field("topic", &self.topic)
            .field("positions", &self.positions)
            .finish_non_exhaustive()
    }
}

impl TopicReader {
    /// Opens a reader of all partitions of `topic` from the beginning. Fails when the topic does
    /// not exist or its metadata cannot be read within `timeout`.
    pub async fn open(
        worker: &Properties,
        topic: &str,
        overrides: &Properties,
        timeout: Duration,
    ) -> Result<Self> {
        let config = client_config(worker, "consumer", READER_DEFAULTS, overrides)?;
        let consumer: StreamConsumer<ReaderContext> = config
            .create_with_context(ReaderContext)
            .map_err(|source| Error::ClientConfig {
                client: "consumer",
                source,
            })?;
        let consumer = Arc::new(consumer);
        let partitions = partitions_of(&consumer, topic, timeout).await?;
        let mut tpl = TopicPartitionList::with_capacity(partitions.len());
        for p in &partitions {
            tpl.add_partition_offset(topic, *p, Offset::Beginning)
                .map_err(|e| Error::kafka(format!("assign topic '{topic}'"), e))?;
        }
        consumer
            .assign(&tpl)
            .map_err(|e| Error::kafka(format!("assign topic '{topic}'"), e))?;
        Ok(TopicReader {
            consumer,
            topic: topic.to_string(),
            positions: partitions.into_iter().map(|p| (p, None)).collect(),
            undelivered: Vec::new(),
        })
    }

    /// The topic.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// Partition → offset of the next record to read (`None` until a record was read there).
    pub fn positions(&self) -> &BTreeMap<i32, Option<i64>> {
        &self.positions
    }

    /// Returns the records not returned yet, up to the current end of every partition (see the
    /// module doc for what "end" means and guarantees). In offset order within a partition.
    ///
    /// Never loses a record: when the read fails part way (a timeout, a broker error), the
    /// records already read — whose offsets the positions have moved past — are kept and
    /// returned first by the next call.
    pub async fn read_to_end(&mut self, timeout: Duration) -> Result<Vec<Record>> {
        // Every call re-arms EOF, the first one too: an EOF reported by the fetch that followed
        // `open` is stale if records were written between `open` and this call, and taking it
        // would return before those records (a reader opened on an empty topic would return
        // nothing).
        // The seek gets a floor of its own: one that times out may still be applied later and
        // rewind the fetcher behind records already returned (read_into drops those anyway).
        self.rearm_eof(timeout.max(MIN_SEEK_TIMEOUT)).await?;
        let mut records = std::mem::take(&mut self.undelivered);
        match self.read_into(&mut records, timeout).await {
            Ok(()) => {
                tracing::debug!(topic = %self.topic, records = records.len(), "Read the topic to the end.");
                Ok(records)
            }
            Err(e) => {
                self.undelivered = records;
                Err(e)
            }
        }
    }

    /// Appends records to `records` until every partition reported its end.
    async fn read_into(&mut self, records: &mut Vec<Record>, timeout: Duration) -> Result<()> {
        let mut pending: BTreeSet<i32> = self.positions.keys().copied().collect();
        let deadline = tokio::time::Instant::now() + timeout;
        while !pending.is_empty() {
            let next = tokio::time::timeout_at(deadline, self.consumer.recv()).await.map_err(|_| Error::Timeout {
                operation: format!(
                    "read topic '{}' to the end (partitions {pending:?} did not reach their high watermark)",
                    self.topic
                ),
                after: timeout,
            })?;
            match next {
                Ok(m) => {
                    let record = Record::from_message(&m);
                    // Never hand out a record twice: positions only move forward as records are
                    // returned, so anything below one comes from a fetch a seek has rewound.
                    if let Some(Some(next)) = self.positions.get(&record.partition)
                        && record.offset < *next
                    {
                        continue;
                    }
                    self.positions
                        .insert(record.partition, Some(record.offset + 1));
                    records.push(record);
                }
                Err(KafkaError::PartitionEOF(p)) => {
                    pending.remove(&p);
                }
                Err(e) => return Err(Error::kafka(format!("read topic '{}'", self.topic), e)),
            }
        }
        Ok(())
    }

    /// Seeks every partition to where we are, so the next Fetch at the end reports EOF again.
    async fn rearm_eof(&self, timeout: Duration) -> Result<()> {
        let mut tpl = TopicPartitionList::with_capacity(self.positions.len());
        for (p, pos) in &self.positions {
            let offset = pos.map_or(Offset::Beginning, Offset::Offset);
            tpl.add_partition_offset(&self.topic, *p, offset)
                .map_err(|e| Error::kafka(format!("seek topic '{}'", self.topic), e))?;
        }
        let consumer = Arc::clone(&self.consumer);
        let operation = format!("seek topic '{}'", self.topic);
        // rd_kafka_seek_partitions blocks until the fetcher applied the seek.
        let result = tokio::task::spawn_blocking(move || consumer.seek_partitions(tpl, timeout))
            .await
            .map_err(|_| Error::kafka(operation.clone(), KafkaError::Canceled))?
            .map_err(|e| Error::kafka(operation.clone(), e))?;
        for e in result.elements() {
            if let Err(err) = e.error() {
                return Err(Error::kafka(
                    format!("{operation} partition {}", e.partition()),
                    err,
                ));
            }
        }
        Ok(())
    }
}

/// The partition ids of `topic`, from the cluster metadata.
pub(crate) async fn partitions_of(
    consumer: &Arc<StreamConsumer<ReaderContext>>,
    topic: &str,
    timeout: Duration,
) -> Result<Vec<i32>> {
    let consumer = Arc::clone(consumer);
    let name = topic.to_string();
    let metadata =
        tokio::task::spawn_blocking(move || consumer.fetch_metadata(Some(&name), timeout))
            .await
            .map_err(|_| {
                Error::kafka(
                    format!("read metadata of topic '{topic}'"),
                    KafkaError::Canceled,
                )
            })?
            .map_err(|e| Error::kafka(format!("read metadata of topic '{topic}'"), e))?;
    let t = metadata
        .topics()
        .iter()
        .find(|t| t.name() == topic)
        .ok_or_else(|| Error::Topic {
            topic: topic.to_string(),
            message: "the broker's metadata does not list it".into(),
        })?;
    if let Some(err) = t.error() {
        return Err(Error::Topic {
            topic: topic.to_string(),
            message: format!(
                "the broker reports {}; does the topic exist?",
                rdkafka::types::RDKafkaErrorCode::from(err)
            ),
        });
    }
    let mut ids: Vec<i32> = t.partitions().iter().map(|p| p.id()).collect();
    ids.sort_unstable();
    if ids.is_empty() {
        return Err(Error::Topic {
            topic: topic.to_string(),
            message: "it has no partitions; does the topic exist?".into(),
        });
    }
    Ok(ids)
}
