//! The worker's producer: idempotent, `acks=all`, compressed and batched by default.
//!
//! Why these defaults: source records must be neither lost nor duplicated by producer retries.
//! `enable.idempotence=true` gives each partition's writes a producer id and sequence numbers, so
//! a retried batch is written once and in order (librdkafka keeps up to 5 batches in flight
//! without reordering); it requires `acks=all`, which also means a record is acknowledged only
//! once every in-sync replica has it, so the offset committed for it cannot run ahead of durable
//! data. `compression.type=lz4` and `linger.ms=5` trade 5 ms of latency for much larger, cheaper
//! batches. All of these can be overridden by `producer.*` worker properties or by the caller
//! (the internal-topic stores turn idempotence off, as Kafka Connect does).
//!
//! [`Producer::send`] waits for the broker's acknowledgement, which is what offset tracking and
//! the internal-topic stores need; throughput comes from calling it concurrently (librdkafka
//! batches all records queued meanwhile).

use std::fmt;
use std::time::Duration;

use rdkafka::error::KafkaError;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer as _};

use super::config::{Properties, client_config};
use crate::{Error, Result};

/// Defaults applied before the worker's properties (see the module doc).
pub const PRODUCER_DEFAULTS: &[(&str, &str)] = &[
    ("enable.idempotence", "true"),
    ("acks", "all"),
    ("compression.type", "lz4"),
    ("linger.ms", "5"),
    // librdkafka's default partitioner is CRC32-based; Java's (and so Kafka Connect's, which the
    // offsets topic layout relies on) is murmur2, with null keys spread at random.
    ("partitioner", "murmur2_random"),
];

/// A record to produce. `value: None` is a tombstone.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProduceRecord<'a> {
    /// Target topic.
    pub topic: &'a str,
    /// Explicit partition, or `None` for the default partitioner (murmur2 of the key, like Java
    /// clients, so byte-identical keys land on the same partition).
    pub partition: Option<i32>,
    /// Key bytes.
    pub key: Option<&'a [u8]>,
    /// Value bytes; `None` is a tombstone.
    pub value: Option<&'a [u8]>,
    /// Headers (name, value).
    pub headers: &'a [(&'a str, Option<&'a [u8]>)],
}

/// Where a record was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    /// Partition.
    pub partition: i32,
    /// Offset in the partition.
    pub offset: i64,
}

/// A producer shared by the tasks of a worker (cheap to clone).
#[derive(Clone)]
pub struct Producer {
    inner: FutureProducer,
}

impl fmt::Debug for Producer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Producer").finish_non_exhaustive()
    }
}

impl Producer {
    /// Builds a producer from the worker properties (`bootstrap.servers`, security, `producer.*`)
    /// and `overrides`, on top of [`PRODUCER_DEFAULTS`].
    pub fn new(worker: &Properties, overrides: &Properties) -> Result<Self> {
        let config = client_config(worker, "producer", PRODUCER_DEFAULTS, overrides)?;
        let inner = config.create().map_err(|source| Error::ClientConfig {
            client: "producer",
            source,
        })?;
        Ok(Producer { inner })
    }

    /// The underlying rdkafka producer, for what this wrapper does not cover.
    pub fn inner(&self) -> &FutureProducer {
        &self.inner
    }

    /// Produces `record` and waits for the broker's acknowledgement.
    ///
    /// librdkafka retries transient failures itself until `delivery.timeout.ms` (default 300 s);
    /// an error here is final for this record and says whether a later retry may succeed
    /// ([`Error::is_retriable`]).
    pub async fn send(&self, record: ProduceRecord<'_>) -> Result<Delivered> {
        let mut future = FutureRecord::<[u8], [u8]>::to(record.topic);
        if let Some(partition) = record.partition {
            future = future.partition(partition);
        }
        if let Some(key) = record.key {
            future = future.key(key);
        }
        if let Some(value) = record.value {
            future = future.payload(value);
        }
        if !record.headers.is_empty() {
            let headers = record.headers.iter().fold(
                OwnedHeaders::new_with_capacity(record.headers.len()),
                |h, (key, value)| h.insert(Header { key, value: *value }),
            );
            future = future.headers(headers);
        }
        // The local queue is bounded (queue.buffering.max.messages): when it is full, wait for
        // room rather than fail, since the caller applies backpressure by awaiting us.
        match self.inner.send(future, rdkafka::util::Timeout::Never).await {
            Ok(delivery) => Ok(Delivered {
                partition: delivery.partition,
                offset: delivery.offset,
            }),
            Err((source, _)) => Err(Error::Delivery {
                topic: record.topic.to_string(),
                source,
            }),
        }
    }

    /// Waits until every queued record is acknowledged or failed.
    pub async fn flush(&self, timeout: Duration) -> Result<()> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || inner.flush(timeout))
            .await
            .map_err(|_| Error::kafka("producer flush", KafkaError::Canceled))?
            .map_err(|source| Error::kafka("producer flush", source))
    }
}
