//! [`SourceTaskRunner`]: the loop that drives one source task (Kafka Connect's
//! `WorkerSourceTask` with its `OffsetStorageWriter`).
//!
//! ```text
//!  start(ctx: offsets from the OffsetStore)
//!  loop:  poll ──► convert ──► wait for in-flight room ──► enqueue in librdkafka ──► submit
//!           ▲                                                         │ ack (any order)
//!           │                                         tracker.ack ◄───┘
//!           └── between polls: pop the committable records (commit_record, in poll order);
//!               every offset.flush.interval.ms:
//!               committable offsets ──► OffsetStore.set (durable) ──► task.commit()
//!  stop:  wait for acks (offset.flush.timeout.ms) ──► final flush ──► task.stop()
//! ```
//!
//! # Why no record is skipped
//! A record is enqueued in the producer before it is submitted to the [`SubmittedRecords`]
//! tracker, both in poll order, and only the tracker decides which offsets are stored: the
//! offset of a record is written only once it and every earlier record of its source partition
//! were acknowledged by Kafka (`acks=all`). Offsets popped from the tracker are kept until a
//! store write succeeds, so a failed flush is retried by the next one. A crash, a failed send
//! or a stop that times out therefore leaves the stored offsets at or before the last record
//! that is durably in Kafka: a restart replays, it never skips. The producer is idempotent, so
//! its own retries neither reorder nor duplicate; duplicates come only from the records after
//! the last stored offset (the unflushed window).
//!
//! # Bounded memory
//! At most `sluice.source.max.in.flight.records` records and `…bytes` bytes are sent and not
//! yet acknowledged; the loop waits for acknowledgements before sending more, and does not poll
//! until the previous batch is sent. A librdkafka queue that is full is waited on the same way.
//!
//! # `commit_record` only for committable records
//! Kafka Connect calls `commitRecord` as each acknowledgement arrives, in any order. Sluice calls
//! it when the record becomes committable (it and every earlier record of its source partition
//! acknowledged), in poll order. A task that confirms upstream what `commit_record` reported (the
//! PostgreSQL source confirms the slot's flushed LSN in `commit`) can then never confirm past a
//! record whose offset is not stored yet: `commit` runs only after a flush stored every offset
//! popped so far. With Kafka Connect's order, a record acknowledged before an earlier one of
//! another Kafka partition would let the slot run ahead of the stored offsets.
//!
//! # Cancellation
//! Only `poll` is raced against the stop signal (the SPI requires it to be cancel-safe);
//! acknowledgements that arrive during a poll are recorded at once and handed to
//! `commit_record` after the poll returns, since the task is never called concurrently.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use rdkafka::error::KafkaError;
use rdkafka::types::RDKafkaErrorCode;
use sluice_api::connector::{DynSourceTask, SourceTaskContext, TaskConfig, TaskIdentity};
use sluice_api::{OffsetMap, SourceRecord, Value};
use tokio::sync::watch;
use tokio::time::{Instant, MissedTickBehavior};
use tracing::Instrument;

use super::config::{ErrorTolerance, SourceTaskSettings};
use super::convert::RecordConverters;
use super::in_flight::{Outstanding, Sent};
use super::offsets::StoreOffsetReader;
use super::topics::TopicCreator;
use crate::kafka::{AckedProducer, AckedSender, Admin};
use crate::stores::{OffsetStore, OffsetWrite};
use crate::task::loop_metrics::SourceMetrics;
use crate::task::{ActiveTopics, TaskHandle, TaskId, TaskState, TopicTracking};
use crate::{Error, Result};

/// Pause after a retriable `poll` error before polling again.
const POLL_RETRY_BACKOFF: Duration = Duration::from_millis(250);
/// Pause when librdkafka's queue is full and nothing of ours is in flight to wait for.
const QUEUE_FULL_BACKOFF: Duration = Duration::from_millis(10);

/// Drives one source task: start, poll, convert, produce, track acknowledgements, flush
/// offsets, stop (see the module doc).
pub struct SourceTaskRunner<S> {
    id: TaskId,
    task: Box<dyn DynSourceTask>,
    config: TaskConfig,
    converters: RecordConverters,
    producer: AckedProducer,
    offsets: Arc<S>,
    settings: SourceTaskSettings,
    admin: Option<Admin>,
    active_topics: ActiveTopics,
}

impl<S> std::fmt::Debug for SourceTaskRunner<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceTaskRunner")
            .field("id", &self.id)
            .field("task", &self.task)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl<S: OffsetStore + 'static> SourceTaskRunner<S> {
    /// A runner for `task` (not started yet) with its configuration, the worker's producer and
    /// offset store (already started), and the task's converters and settings.
    pub fn new(
        id: TaskId,
        task: Box<dyn DynSourceTask>,
        config: TaskConfig,
        converters: RecordConverters,
        producer: AckedProducer,
        offsets: Arc<S>,
        settings: SourceTaskSettings,
    ) -> Self {
        SourceTaskRunner {
            id,
            task,
            config,
            converters,
            producer,
            offsets,
            settings,
            admin: None,
            active_topics: ActiveTopics::disabled(),
        }
    }

    /// Reports each topic the task produces to (once acknowledged) to `tracking` (KIP-558);
    /// without it, nothing is reported.
    pub fn with_topic_tracking(mut self, tracking: &TopicTracking) -> Self {
        self.active_topics = tracking.recorder();
        self
    }

    /// The admin client used to create missing topics when the settings ask for it
    /// (`topic.creation.default.*`); without one, topics are left to the broker.
    pub fn with_admin(mut self, admin: Admin) -> Self {
        self.admin = Some(admin);
        self
    }

    /// Runs the loop on a thread of its own (see `TaskHandle::spawn_on_thread`), inside a
    /// `task` span with `connector` and `task` fields, and returns the handle to stop it and
    /// watch its state.
    pub fn spawn(self) -> TaskHandle {
        let span = tracing::info_span!("task", connector = %self.id.connector, task = self.id.task);
        // Kafka Connect's thread name for a source task, `task-thread-<connector>-<task>`,
        // shortened to Linux's 15 characters by the kernel.
        let name = format!("task-{}", self.id);
        TaskHandle::spawn_on_thread("source", name, move |stop, status| {
            self.run(stop, status).instrument(span)
        })
    }

    /// Runs the loop until `stop` becomes `true` (or its sender is dropped) or the task fails,
    /// publishing state changes on `status`; returns the final state. [`Self::spawn`] is the
    /// usual entry point.
    pub async fn run(
        self,
        mut stop: watch::Receiver<bool>,
        status: watch::Sender<TaskState>,
    ) -> TaskState {
        let SourceTaskRunner {
            id,
            mut task,
            config,
            converters,
            producer,
            offsets,
            settings,
            admin,
            active_topics,
        } = self;
        let creation = match (settings.topic_creation.clone(), admin) {
            (Some(c), Some(a)) => Some((c, a)),
            (Some(_), None) => {
                tracing::warn!(
                    "Topic creation is configured but the runner has no admin client; missing topics are left to the broker."
                );
                None
            }
            (None, _) => None,
        };
        let reader = StoreOffsetReader::new(Arc::clone(&offsets), id.connector.clone());
        let ctx = SourceTaskContext::new(Arc::new(reader)).with_identity(TaskIdentity {
            connector: id.connector.clone(),
            task: id.task,
        });
        let metrics = SourceMetrics::new(&id);
        metrics.task.status(&TaskState::Unassigned);
        if let Err(source) = task.start(config, ctx).await {
            let e = task_error(&id, "start", source);
            tracing::error!(error = %e, "The source task could not start.");
            let state = TaskState::Failed { trace: trace(&e) };
            metrics.task.status(&state);
            status.send_replace(state.clone());
            return state;
        }
        tracing::info!("The source task started.");
        metrics.task.status(&TaskState::Running);
        status.send_replace(TaskState::Running);
        let (producer, deliveries) = producer.split();
        let mut l = Loop {
            id,
            task,
            converters,
            producer,
            offsets,
            topics: TopicCreator::new(creation),
            out: Outstanding::new(deliveries),
            unflushed: BTreeMap::new(),
            flush_due: false,
            settings,
            active_topics,
            metrics,
        };
        let mut failure = l.run(&mut stop).await.err();
        if let Some(e) = &failure {
            tracing::error!(error = %e, "The source task failed; storing the offsets of the records acknowledged so far.");
        }
        if let Some(e) = l.finish(failure.is_some()).await {
            failure.get_or_insert(e);
        }
        if let Err(e) = l.task.stop().await {
            tracing::warn!(error = %e.report(), "The source task's stop failed.");
        }
        let state = match failure {
            Some(e) => TaskState::Failed { trace: trace(&e) },
            None => {
                tracing::info!("The source task stopped.");
                TaskState::Stopped
            }
        };
        l.metrics.in_flight(l.out.records, l.out.bytes);
        l.metrics.task.status(&state);
        status.send_replace(state.clone());
        state
    }
}

/// What a wait inside the loop ended with.
enum Wait {
    Done,
    Stopped,
}

struct Loop<S> {
    id: TaskId,
    task: Box<dyn DynSourceTask>,
    converters: RecordConverters,
    producer: AckedSender,
    offsets: Arc<S>,
    topics: TopicCreator,
    settings: SourceTaskSettings,
    out: Outstanding,
    /// Committable offsets not yet stored, by source partition (compact JSON).
    unflushed: BTreeMap<String, (OffsetMap, OffsetMap)>,
    flush_due: bool,
    active_topics: ActiveTopics,
    metrics: SourceMetrics,
}

impl<S: OffsetStore + 'static> Loop<S> {
    /// Polls and sends until stopped (`Ok`) or failed (`Err`).
    async fn run(&mut self, stop: &mut watch::Receiver<bool>) -> Result<()> {
        let period = self
            .settings
            .offset_flush_interval
            .max(Duration::from_millis(1));
        let mut tick = tokio::time::interval_at(Instant::now() + period, period);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            self.between_polls().await?;
            if is_stopped(stop) {
                return Ok(());
            }
            let polled = {
                let mut poll = self.task.poll();
                loop {
                    tokio::select! {
                        r = &mut poll => break r,
                        ack = self.out.next() => self.out.complete(ack),
                        _ = tick.tick() => self.flush_due = true,
                        // Dropping the pending poll is allowed: `poll` is cancel-safe.
                        _ = stopped(stop) => return Ok(()),
                    }
                }
            };
            match polled {
                Ok(records) => {
                    self.metrics.polled(records.len());
                    if let Wait::Stopped = self.send_all(records, stop, &mut tick).await? {
                        return Ok(());
                    }
                }
                Err(e) if e.is_retriable() => {
                    tracing::warn!(error = %e.report(), "The source task's poll failed; polling again.");
                    tokio::select! {
                        _ = tokio::time::sleep(POLL_RETRY_BACKOFF) => {}
                        _ = stopped(stop) => return Ok(()),
                    }
                }
                Err(e) => return Err(task_error(&self.id, "poll", e)),
            }
        }
    }

    /// Hands acknowledged records to `commit_record`, reports a failed send, flushes if due.
    async fn between_polls(&mut self) -> Result<()> {
        self.out.complete_ready();
        if let Some(e) = self.out.failure.take() {
            return Err(e);
        }
        self.collect_committable();
        self.metrics.in_flight(self.out.records, self.out.bytes);
        if self.flush_due {
            self.flush_due = false;
            let started = Instant::now();
            let stored = self.flush().await;
            self.metrics.task.commit(stored, started.elapsed());
        }
        Ok(())
    }

    /// Converts and sends `records` in order, waiting for room as needed.
    async fn send_all(
        &mut self,
        records: Vec<SourceRecord>,
        stop: &mut watch::Receiver<bool>,
        tick: &mut tokio::time::Interval,
    ) -> Result<Wait> {
        for record in records {
            if self.out.failure.is_some() {
                // Reported by `between_polls`; the rest of the batch is not sent.
                return Ok(Wait::Done);
            }
            let converted = match self.converters.convert(&record) {
                Ok(c) => c,
                Err(e) if self.settings.errors_tolerance == ErrorTolerance::All => {
                    tracing::warn!(error = %e, "Skipping a record that cannot be converted (errors.tolerance=all).");
                    // As Kafka Connect: a dropped record's offset is committable in its turn.
                    let id = self.out.tracker.submit(Sent { record, meta: None });
                    self.out.tracker.ack(id);
                    continue;
                }
                Err(e) => return Err(e),
            };
            self.topics.ensure(&record.topic).await?;
            let size = converted.size();
            while !self.out.has_room(size, &self.settings) {
                tokio::select! {
                    ack = self.out.next() => self.out.complete(ack),
                    _ = tick.tick() => self.flush_due = true,
                    _ = stopped(stop) => return Ok(Wait::Stopped),
                }
            }
            let token = loop {
                match self.out.enqueue(&self.producer, &record, &converted) {
                    Ok(token) => break token,
                    Err(KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull)) => {
                        if self.out.is_idle() {
                            tokio::time::sleep(QUEUE_FULL_BACKOFF).await;
                        } else {
                            let ack = self.out.next().await;
                            self.out.complete(ack);
                        }
                    }
                    Err(source) => {
                        return Err(Error::Delivery {
                            topic: record.topic.clone(),
                            source,
                        });
                    }
                }
            };
            drop(converted);
            // Only the topic, offsets and headers are needed once the record is converted
            // (`commit_record`, see `SourceTask::commit_record`): dropping the key and value
            // now keeps the in-flight window's memory to about its encoded bytes.
            let mut record = record;
            record.key = Value::Null;
            record.key_schema = None;
            record.value = Value::Null;
            record.value_schema = None;
            self.out.submit(token, size, record);
        }
        Ok(Wait::Done)
    }

    /// Moves the offsets that became committable from the tracker to `unflushed` (the latest
    /// per source partition). Done between polls, not only at a flush, so the tracker holds
    /// only the records still in flight: otherwise every record acknowledged since the last
    /// flush stays queued with its offset (a million records and half a gigabyte between two
    /// flushes at 100,000 records/s and a 10 s interval), and memory grows with the flush
    /// interval instead of staying within the in-flight budget.
    /// Each popped record goes to `commit_record` first (see the module doc).
    fn collect_committable(&mut self) {
        let (task, active_topics) = (&mut self.task, &mut self.active_topics);
        let mut written = 0;
        let committable = self.out.tracker.committable_each(|sent| {
            if sent.meta.is_some() {
                // Kafka Connect records the topic once the broker acknowledged the record.
                active_topics.record(&sent.record.topic);
                written += 1;
            }
            if let Err(e) = task.commit_record(&sent.record, sent.meta.as_ref()) {
                tracing::warn!(error = %e.report(), topic = %sent.record.topic, "The source task's commit_record failed; continuing.");
            }
        });
        self.metrics.written(written);
        for (partition, offset) in committable.offsets {
            let key = serde_json::Value::Object(partition.clone()).to_string();
            self.unflushed.insert(key, (partition, offset));
        }
    }

    /// Stores the committable offsets, then lets the task commit upstream. A failed write is
    /// logged and retried by the next flush (the offsets stay in `unflushed`), and the task's
    /// `commit` is then skipped, since nothing new is durable.
    async fn flush(&mut self) -> bool {
        self.out.complete_ready();
        self.collect_committable();
        if !self.unflushed.is_empty() {
            let writes: Vec<OffsetWrite> = self
                .unflushed
                .values()
                .map(|(partition, offset)| OffsetWrite {
                    connector: self.id.connector.clone(),
                    partition: partition.clone(),
                    offset: Some(offset.clone()),
                })
                .collect();
            let count = writes.len();
            let timeout = self.settings.offset_flush_timeout;
            match tokio::time::timeout(timeout, self.offsets.set(writes)).await {
                Ok(Ok(())) => {
                    tracing::debug!(partitions = count, "Stored the source offsets.");
                    self.unflushed.clear();
                }
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "Could not store the source offsets; the next flush retries.");
                    return false;
                }
                Err(_) => {
                    tracing::warn!(
                        ?timeout,
                        "Storing the source offsets timed out (offset.flush.timeout.ms); the next flush retries."
                    );
                    return false;
                }
            }
        }
        if let Err(e) = self.task.commit().await {
            tracing::warn!(error = %e.report(), "The source task's commit failed; continuing.");
        }
        true
    }

    /// The final flush: unless the task failed, waits up to `offset.flush.timeout.ms` for the
    /// records in flight; then stores what is committable. Returns a send failure met meanwhile.
    async fn finish(&mut self, failed: bool) -> Option<Error> {
        if !failed {
            let deadline = Instant::now() + self.settings.offset_flush_timeout;
            while !self.out.is_idle() {
                match tokio::time::timeout_at(deadline, self.out.next()).await {
                    Ok(ack) => self.out.complete(ack),
                    Err(_) => {
                        tracing::warn!(
                            records = self.out.records,
                            "Some records were not acknowledged within offset.flush.timeout.ms; their offsets are not stored and they will be sent again after a restart."
                        );
                        break;
                    }
                }
            }
        }
        let failure = self.out.failure.take();
        self.flush().await;
        failure
    }
}

/// Whether the stop signal was given (or its sender dropped).
fn is_stopped(stop: &watch::Receiver<bool>) -> bool {
    *stop.borrow() || stop.has_changed().is_err()
}

/// Resolves when the stop signal is given or its sender is dropped.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    // An error means the sender (the handle) was dropped: stop as well.
    let _ = stop.wait_for(|s| *s).await;
}

fn task_error(
    id: &TaskId,
    operation: &'static str,
    source: sluice_api::connector::ConnectError,
) -> Error {
    Error::Task {
        connector: id.connector.clone(),
        task: id.task,
        operation,
        source: Box::new(source),
    }
}

/// The error and its causes, for the status trace; causes already quoted are not repeated.
pub(crate) fn trace(e: &Error) -> String {
    let mut out = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        let text = c.to_string();
        if !out.contains(&text) {
            out.push_str("\nCaused by: ");
            out.push_str(&text);
        }
        cause = c.source();
    }
    out
}
