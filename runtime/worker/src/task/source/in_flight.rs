//! The records a source task sent and Kafka has not acknowledged yet: enqueueing them in the
//! producer in poll order without waiting, the bounded in-flight budget, and what each
//! acknowledgement (or failure) changes in the [`SubmittedRecords`] tracker.
//!
//! Records are enqueued with librdkafka's synchronous `send_result`, so they enter the
//! producer exactly in poll order; the idempotent producer keeps that order per Kafka
//! partition. A failed send is remembered and never acknowledged in the tracker, so its source
//! partition's committable offset stays before it.

use futures::FutureExt;
use futures::stream::{FuturesUnordered, StreamExt};
use rdkafka::error::KafkaError;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{DeliveryFuture, FutureRecord};
use sluice_api::connector::{BoxFuture, RecordMetadata};
use sluice_api::{OffsetMap, SourceRecord};

use super::config::SourceTaskSettings;
use super::convert::ConvertedRecord;
use super::submitted::{Submitted, SubmittedId, SubmittedRecords};
use crate::kafka::Producer;
use crate::{Error, Result};

/// A record whose send finished, successfully or not.
pub(super) struct Ack {
    id: SubmittedId,
    size: usize,
    result: Result<RecordMetadata>,
}

/// A record the tracker holds until it is committable: the record (its key and value already
/// dropped) for `commit_record`, and the broker's answer once acknowledged (`None` for a record
/// skipped under `errors.tolerance=all`).
pub(super) struct Sent {
    pub(super) record: SourceRecord,
    pub(super) meta: Option<RecordMetadata>,
}

impl Submitted for Sent {
    fn partition(&self) -> &OffsetMap {
        &self.record.source_partition
    }

    fn take_offset(&mut self) -> OffsetMap {
        std::mem::take(&mut self.record.source_offset)
    }
}

/// Records sent and not yet committable, and the acknowledgements in flight.
#[derive(Default)]
pub(super) struct Outstanding {
    /// Sent records; popped (and handed to `commit_record`) once committable.
    pub(super) tracker: SubmittedRecords<Sent>,
    pub(super) in_flight: FuturesUnordered<BoxFuture<'static, Ack>>,
    pub(super) records: usize,
    pub(super) bytes: usize,
    /// The first failed send.
    pub(super) failure: Option<Error>,
}

impl Outstanding {
    pub(super) fn complete(&mut self, ack: Ack) {
        self.records -= 1;
        self.bytes -= ack.size;
        match ack.result {
            Ok(meta) => {
                self.tracker.ack_with(ack.id, |sent| sent.meta = Some(meta));
            }
            Err(e) => {
                // Never acknowledged in the tracker: its partition's offset stays before it.
                self.failure.get_or_insert(e);
            }
        }
    }

    pub(super) fn has_room(&self, size: usize, settings: &SourceTaskSettings) -> bool {
        self.records < settings.max_in_flight_records
            && (self.bytes == 0 || self.bytes + size <= settings.max_in_flight_bytes)
    }

    /// Completes every acknowledgement that has already arrived, without waiting. The loop
    /// calls it before handing acks to `commit_record` and before each offset flush: the
    /// `select!` around `poll` takes at most one ack per turn, so when `poll` is always ready
    /// (a source with a backlog) acks would otherwise pile up unprocessed and the stored
    /// offsets lag up to the whole in-flight budget behind what Kafka acknowledged, widening
    /// the window replayed after a crash.
    pub(super) fn complete_ready(&mut self) {
        while let Some(Some(ack)) = self.in_flight.next().now_or_never() {
            self.complete(ack);
        }
    }

    /// The next acknowledgement; pending forever when nothing is in flight (for `select!`).
    pub(super) async fn next(&mut self) -> Ack {
        match self.in_flight.next().await {
            Some(ack) => ack,
            None => std::future::pending().await,
        }
    }
}

/// Enqueues the record in librdkafka without waiting for the acknowledgement.
pub(super) fn enqueue(
    producer: &Producer,
    record: &SourceRecord,
    converted: &ConvertedRecord<'_>,
) -> std::result::Result<DeliveryFuture, KafkaError> {
    let mut fr = FutureRecord::<[u8], [u8]>::to(&record.topic);
    if let Some(p) = record.kafka_partition {
        fr = fr.partition(p);
    }
    if let Some(key) = converted.key.as_deref() {
        fr = fr.key(key);
    }
    if let Some(value) = converted.value.as_deref() {
        fr = fr.payload(value);
    }
    if let Some(ts) = record.timestamp {
        fr = fr.timestamp(ts);
    }
    if !converted.headers.is_empty() {
        let headers = converted.headers.iter().fold(
            OwnedHeaders::new_with_capacity(converted.headers.len()),
            |h, (key, value)| {
                h.insert(Header {
                    key,
                    value: value.as_deref(),
                })
            },
        );
        fr = fr.headers(headers);
    }
    // `send_result` enqueues synchronously, so records enter librdkafka exactly in poll order
    // (the `Producer::send` wrapper awaits, which would let a later record overtake one that
    // waits for queue space).
    producer.inner().send_result(fr).map_err(|(e, _)| e)
}

/// The future of a record's acknowledgement.
pub(super) fn acknowledged(
    id: SubmittedId,
    size: usize,
    topic: String,
    delivery: DeliveryFuture,
) -> BoxFuture<'static, Ack> {
    async move {
        let result = match delivery.await {
            Ok(Ok(d)) => Ok(RecordMetadata {
                topic,
                partition: d.partition,
                offset: d.offset,
                timestamp: d.timestamp.to_millis(),
            }),
            Ok(Err((source, _))) => Err(Error::Delivery { topic, source }),
            Err(_) => Err(Error::Delivery {
                topic,
                source: KafkaError::Canceled,
            }),
        };
        Ack { id, size, result }
    }
    .boxed()
}
