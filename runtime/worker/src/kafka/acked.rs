//! [`AckedProducer`]: a producer that hands every acknowledgement to one consumer, as a small
//! token, through a queue ([`Deliveries`]) — for a source task's loop, which sends hundreds of
//! thousands of records a second and needs only "record N was written at (partition, offset)".
//!
//! Why not [`super::Producer::send`]: rdkafka's `FutureProducer` allocates a boxed
//! oneshot channel per record, and awaiting one future per record means one more boxed future
//! in a `FuturesUnordered`; at 100,000 records a second that was about a tenth of a source
//! task's CPU. Here librdkafka's delivery callback (run by rdkafka's `ThreadedProducer` polling
//! thread) pushes `(token, result)` into a vector under a mutex and wakes the consumer only when
//! the vector was empty, so the consumer takes acknowledgements in batches.
//!
//! The configuration (defaults, `producer.*` properties, overrides) is the same as
//! [`super::Producer`]'s, so the delivery guarantees argued there hold unchanged, except for
//! one default: `linger.ms` is 20 instead of 5 ([`source_task_defaults`]).

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex};

use rdkafka::ClientContext;
use rdkafka::error::KafkaError;
use rdkafka::message::{Header, Message as _, OwnedHeaders};
use rdkafka::producer::{BaseRecord, DeliveryResult, ProducerContext, ThreadedProducer};
use tokio::sync::Notify;

use super::config::{Properties, client_config};
use super::producer::PRODUCER_DEFAULTS;
use crate::{Error, Result};

/// The source task producer's defaults: [`PRODUCER_DEFAULTS`] with `linger.ms=20`.
///
/// Why 20: a source task under load fills batches anyway, and with records of a few KB (a
/// Debezium change event with JsonConverter schemas is ~3.9 KB) a 5 ms linger cuts batches
/// short and wakes librdkafka's broker thread several times as often. Measured on the
/// PostgreSQL benchmark (`bench/pg_source.sh`, JSON, 300,000 rows, runs interleaved on the
/// same box): 5 ms cost 20.2–21.2 µs of worker CPU per snapshot event and 21.7–23.3 µs per
/// streamed event; 20 ms 17.5–19.3 and 17.5–18.4 µs; 50 ms no better than 20. Avro records
/// (~400 bytes) showed no difference. The added latency is at most 15 ms per batch, under a
/// change's usual end-to-end delay. `producer.linger.ms` or `producer.override.linger.ms`
/// still set it.
pub fn source_task_defaults() -> Vec<(&'static str, &'static str)> {
    PRODUCER_DEFAULTS
        .iter()
        .map(|&(k, v)| if k == "linger.ms" { (k, "20") } else { (k, v) })
        .collect()
}

/// What the broker answered for one record: where it was written, or why it failed for good
/// (librdkafka retried meanwhile, up to `delivery.timeout.ms`).
#[derive(Debug)]
pub struct Acknowledgement {
    /// The token given to [`AckedProducer::send`].
    pub token: usize,
    /// `(partition, offset, timestamp in ms)` on success.
    pub result: std::result::Result<(i32, i64, Option<i64>), KafkaError>,
}

/// The queue between librdkafka's callback thread and the consumer.
#[derive(Default)]
struct Shared {
    queue: Mutex<Vec<Acknowledgement>>,
    ready: Notify,
}

/// The producer context: the delivery callback pushes into [`Shared`].
struct AckContext {
    shared: Arc<Shared>,
}

impl ClientContext for AckContext {}

impl ProducerContext for AckContext {
    type DeliveryOpaque = usize;

    fn delivery(&self, result: &DeliveryResult<'_>, token: usize) {
        let result = match result {
            Ok(m) => Ok((m.partition(), m.offset(), m.timestamp().to_millis())),
            Err((e, _)) => Err(e.clone()),
        };
        let mut queue = self.shared.queue.lock().unwrap_or_else(|p| p.into_inner());
        let was_empty = queue.is_empty();
        queue.push(Acknowledgement { token, result });
        drop(queue);
        // A non-empty queue was already signalled and not yet drained: one wake-up per batch.
        if was_empty {
            self.shared.ready.notify_one();
        }
    }
}

/// A record to produce with [`AckedProducer::send`]. `value: None` is a tombstone.
#[derive(Debug, Clone, Copy, Default)]
pub struct AckedRecord<'a> {
    /// Target topic.
    pub topic: &'a str,
    /// Explicit partition, or `None` for the configured partitioner.
    pub partition: Option<i32>,
    /// Key bytes.
    pub key: Option<&'a [u8]>,
    /// Value bytes; `None` is a tombstone.
    pub value: Option<&'a [u8]>,
    /// Record timestamp in ms, or `None` for the producer's clock.
    pub timestamp: Option<i64>,
}

/// A producer whose acknowledgements arrive in a [`Deliveries`] queue (see the module doc).
/// One per source task: the queue has a single consumer. [`AckedProducer::split`] gives the
/// sending half and the queue.
#[derive(Debug)]
pub struct AckedProducer {
    sender: AckedSender,
    deliveries: Deliveries,
}

/// The sending half of an [`AckedProducer`].
pub struct AckedSender {
    inner: ThreadedProducer<AckContext>,
}

impl fmt::Debug for AckedSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AckedSender").finish_non_exhaustive()
    }
}

impl AckedProducer {
    /// Builds the producer from the worker properties and `overrides`, on top of
    /// [`source_task_defaults`], with the queue its acknowledgements arrive in.
    pub fn new(worker: &Properties, overrides: &Properties) -> Result<Self> {
        let config = client_config(worker, "producer", &source_task_defaults(), overrides)?;
        let shared = Arc::new(Shared::default());
        let context = AckContext {
            shared: Arc::clone(&shared),
        };
        let inner = config
            .create_with_context(context)
            .map_err(|source| Error::ClientConfig {
                client: "producer",
                source,
            })?;
        Ok(AckedProducer {
            sender: AckedSender { inner },
            deliveries: Deliveries {
                shared,
                batch: VecDeque::new(),
            },
        })
    }

    /// The sending half and the acknowledgement queue.
    pub fn split(self) -> (AckedSender, Deliveries) {
        (self.sender, self.deliveries)
    }
}

impl AckedSender {
    /// Enqueues `record` in librdkafka without waiting; its acknowledgement arrives in the
    /// [`Deliveries`] queue with `token`. Enqueueing is synchronous, so records enter the
    /// producer exactly in call order. `QueueFull` means librdkafka's local queue
    /// (`queue.buffering.max.messages`) has no room: wait for acknowledgements and retry.
    pub fn send<'h>(
        &self,
        record: &AckedRecord<'_>,
        headers: impl ExactSizeIterator<Item = (&'h str, Option<&'h [u8]>)>,
        token: usize,
    ) -> std::result::Result<(), KafkaError> {
        let mut r = BaseRecord::<[u8], [u8], usize>::with_opaque_to(record.topic, token);
        if let Some(p) = record.partition {
            r = r.partition(p);
        }
        if let Some(key) = record.key {
            r = r.key(key);
        }
        if let Some(value) = record.value {
            r = r.payload(value);
        }
        if let Some(ts) = record.timestamp {
            r = r.timestamp(ts);
        }
        let count = headers.len();
        if count > 0 {
            let h = headers.fold(OwnedHeaders::new_with_capacity(count), |h, (key, value)| {
                h.insert(Header { key, value })
            });
            r = r.headers(h);
        }
        self.inner.send(r).map_err(|(e, _)| e)
    }
}

/// The acknowledgements of an [`AckedProducer`]'s records, in the order the broker answered.
pub struct Deliveries {
    shared: Arc<Shared>,
    /// Taken from the shared queue, not yet handed out.
    batch: VecDeque<Acknowledgement>,
}

impl fmt::Debug for Deliveries {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Deliveries")
            .field("batch", &self.batch.len())
            .finish_non_exhaustive()
    }
}

impl Deliveries {
    /// The next acknowledgement that already arrived, without waiting.
    pub fn try_next(&mut self) -> Option<Acknowledgement> {
        if self.batch.is_empty() {
            self.refill();
        }
        self.batch.pop_front()
    }

    /// The next acknowledgement, waiting for one (cancel-safe: nothing is taken until it is
    /// returned).
    pub async fn next(&mut self) -> Acknowledgement {
        loop {
            // Registered before the queue is checked, so a push between the check and the
            // await is not missed (`notify_one` also keeps a permit when nobody waits).
            let shared = Arc::clone(&self.shared);
            let ready = shared.ready.notified();
            if let Some(ack) = self.try_next() {
                return ack;
            }
            ready.await;
        }
    }

    fn refill(&mut self) {
        let mut queue = self.shared.queue.lock().unwrap_or_else(|p| p.into_inner());
        self.batch.extend(queue.drain(..));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_task_defaults_differ_from_the_producers_only_in_linger() {
        let linger = |d: &[(&str, &str)]| {
            d.iter()
                .find(|(k, _)| *k == "linger.ms")
                .map(|(_, v)| v.to_string())
        };
        assert_eq!(linger(&source_task_defaults()).as_deref(), Some("20"));
        let others = |d: &[(&'static str, &'static str)]| {
            d.iter()
                .filter(|(k, _)| *k != "linger.ms")
                .copied()
                .collect::<Vec<_>>()
        };
        assert_eq!(
            others(&source_task_defaults()),
            others(super::super::producer::PRODUCER_DEFAULTS)
        );
    }
}
