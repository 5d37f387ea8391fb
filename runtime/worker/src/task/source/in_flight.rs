//! The records a source task sent and Kafka has not acknowledged yet: enqueueing them in the
//! producer in poll order without waiting, the bounded in-flight budget, and what each
//! acknowledgement (or failure) changes in the [`SubmittedRecords`] tracker.
//!
//! Records are enqueued with librdkafka's synchronous send, so they enter the producer exactly
//! in poll order; the idempotent producer keeps that order per Kafka partition. Each send
//! carries a token, the index of its slot in a slab of in-flight records (tracker id and
//! size), and its acknowledgement comes back with that token through the [`crate::kafka::AckedProducer`]'s
//! queue: no allocation per record on the way back. A failed send is remembered and never
//! acknowledged in the tracker, so its source partition's committable offset stays before it.

use rdkafka::error::KafkaError;
use slab::Slab;
use sluice_api::connector::RecordMetadata;
use sluice_api::{OffsetMap, SourceRecord};

use super::config::SourceTaskSettings;
use super::convert::ConvertedRecord;
use super::submitted::{Submitted, SubmittedId, SubmittedRecords};
use crate::Error;
use crate::kafka::acked::{AckedRecord, AckedSender, Acknowledgement, Deliveries};

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
pub(super) struct Outstanding {
    /// Sent records; popped (and handed to `commit_record`) once committable.
    pub(super) tracker: SubmittedRecords<Sent>,
    /// Per record in flight, by send token: its tracker id and its size in bytes.
    slots: Slab<(SubmittedId, usize)>,
    deliveries: Deliveries,
    pub(super) records: usize,
    pub(super) bytes: usize,
    /// The first failed send.
    pub(super) failure: Option<Error>,
}

impl Outstanding {
    pub(super) fn new(deliveries: Deliveries) -> Self {
        Outstanding {
            tracker: SubmittedRecords::default(),
            slots: Slab::new(),
            deliveries,
            records: 0,
            bytes: 0,
            failure: None,
        }
    }

    /// Whether no record waits for its acknowledgement.
    pub(super) fn is_idle(&self) -> bool {
        self.slots.is_empty()
    }

    /// Enqueues `record` in librdkafka without waiting for its acknowledgement; answers the
    /// token to [`Outstanding::submit`] it with, which must follow before any other send.
    pub(super) fn enqueue(
        &self,
        producer: &AckedSender,
        record: &SourceRecord,
        converted: &ConvertedRecord<'_>,
    ) -> std::result::Result<usize, KafkaError> {
        let token = self.slots.vacant_key();
        let out = AckedRecord {
            topic: &record.topic,
            partition: record.kafka_partition,
            key: converted.key.as_deref(),
            value: converted.value.as_deref(),
            timestamp: record.timestamp,
        };
        let headers = converted.headers.iter().map(|(k, v)| (*k, v.as_deref()));
        producer.send(&out, headers, token)?;
        Ok(token)
    }

    /// Submits the record enqueued with `token` to the tracker (in poll order) and counts its
    /// `size` against the in-flight budget until its acknowledgement.
    pub(super) fn submit(&mut self, token: usize, size: usize, record: SourceRecord) {
        let id = self.tracker.submit(Sent { record, meta: None });
        let key = self.slots.insert((id, size));
        debug_assert_eq!(key, token, "a send between enqueue and submit");
        self.records += 1;
        self.bytes += size;
    }

    pub(super) fn complete(&mut self, ack: Acknowledgement) {
        let Some((id, size)) = self.slots.try_remove(ack.token) else {
            // Not one of ours: tokens are only handed out by `send`.
            return;
        };
        self.records -= 1;
        self.bytes -= size;
        match ack.result {
            Ok((partition, offset, timestamp)) => {
                self.tracker.ack_with(id, |sent| {
                    sent.meta = Some(RecordMetadata {
                        topic: sent.record.topic.clone(),
                        partition,
                        offset,
                        timestamp,
                    })
                });
            }
            Err(source) => {
                // Never acknowledged in the tracker: its partition's offset stays before it.
                let topic = self
                    .tracker
                    .get(id)
                    .map(|sent| sent.record.topic.clone())
                    .unwrap_or_default();
                self.failure
                    .get_or_insert(Error::Delivery { topic, source });
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
        while let Some(ack) = self.deliveries.try_next() {
            self.complete(ack);
        }
    }

    /// The next acknowledgement; pending forever when nothing is in flight (for `select!`).
    /// Cancel-safe.
    pub(super) async fn next(&mut self) -> Acknowledgement {
        if self.slots.is_empty() {
            std::future::pending::<()>().await;
        }
        self.deliveries.next().await
    }
}
