//! The dead-letter queue (Kafka's `DeadLetterQueueReporter`): a record that failed with
//! `errors.tolerance=all` is written, with its **original** key, value, timestamp and headers, to
//! `errors.deadletterqueue.topic.name`, plus — with
//! `errors.deadletterqueue.context.headers.enable=true` — the `__connect.errors.*` headers that say
//! where it came from and why it failed (names and values as Kafka Connect writes them, so tools
//! that reprocess a Java worker's dead-letter queue read ours).
//!
//! Unlike Kafka Connect 2.x, [`DeadLetterQueue::report`] waits for the broker's acknowledgement:
//! the failed record's offset is committed only after it, so a crash between the two replays the
//! record (it may land twice in the queue) but never loses it.

use std::time::Duration;

use super::convert::Stage;
use crate::task::TaskId;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::FutureRecord;

use crate::kafka::{Admin, Producer, Properties, Record};
use crate::{Error, Result};

/// The prefix of every error context header.
pub const ERROR_HEADER_PREFIX: &str = "__connect.errors.";
/// The original topic.
pub const HEADER_ORIG_TOPIC: &str = "__connect.errors.topic";
/// The original partition.
pub const HEADER_ORIG_PARTITION: &str = "__connect.errors.partition";
/// The original offset.
pub const HEADER_ORIG_OFFSET: &str = "__connect.errors.offset";
/// The connector's name.
pub const HEADER_CONNECTOR_NAME: &str = "__connect.errors.connector.name";
/// The task number.
pub const HEADER_TASK_ID: &str = "__connect.errors.task.id";
/// The stage that failed (`VALUE_CONVERTER`, …).
pub const HEADER_STAGE: &str = "__connect.errors.stage";
/// The class executing that stage (the converter's Java class name).
pub const HEADER_EXECUTING_CLASS: &str = "__connect.errors.class.name";
/// The exception's class name (Kafka Connect's exception class for the error's kind).
pub const HEADER_EXCEPTION: &str = "__connect.errors.exception.class.name";
/// The exception's message.
pub const HEADER_EXCEPTION_MESSAGE: &str = "__connect.errors.exception.message";
/// The exception's trace (here: the error and its causes, one per line).
pub const HEADER_EXCEPTION_STACK_TRACE: &str = "__connect.errors.exception.stacktrace";

/// Why a record failed, as the dead-letter queue and the logs describe it.
#[derive(Debug, Clone)]
pub struct FailureContext {
    /// The stage.
    pub stage: Stage,
    /// The executing class.
    pub class: String,
    /// The Java exception class matching the error's kind.
    pub exception_class: String,
    /// The error's message.
    pub message: String,
    /// The message followed by its causes.
    pub trace: String,
}

/// A connector's dead-letter queue.
#[derive(Debug)]
pub struct DeadLetterQueue {
    topic: String,
    producer: Producer,
    context_headers: bool,
    task: TaskId,
}

impl DeadLetterQueue {
    /// Creates the topic when it does not exist (one partition, `replication_factor`, as Kafka
    /// Connect does) and the producer (worker `producer.*` properties, then the connector's
    /// `producer.override.*`).
    pub async fn new(
        worker: &Properties,
        producer_overrides: &Properties,
        topic: &str,
        replication_factor: i32,
        context_headers: bool,
        task: TaskId,
    ) -> Result<Self> {
        let admin = Admin::new(worker, &Properties::new(), Duration::from_secs(30))?;
        if admin
            .create_topic(topic, 1, replication_factor, &[])
            .await?
        {
            tracing::info!(topic, "Created the dead-letter queue topic.");
        }
        Ok(DeadLetterQueue {
            topic: topic.to_string(),
            producer: Producer::new(worker, producer_overrides)?,
            context_headers,
            task,
        })
    }

    /// The topic.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// Writes `record`'s original bytes (and the context headers, if enabled) and waits for
    /// the acknowledgement.
    pub async fn report(&self, record: &Record, failure: &FailureContext) -> Result<()> {
        let mut headers: Vec<(String, Option<Vec<u8>>)> = record
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.as_ref().map(|v| v.to_vec())))
            .collect();
        if self.context_headers {
            let context = [
                (HEADER_ORIG_TOPIC, record.topic.clone()),
                (HEADER_ORIG_PARTITION, record.partition.to_string()),
                (HEADER_ORIG_OFFSET, record.offset.to_string()),
                (HEADER_CONNECTOR_NAME, self.task.connector.clone()),
                (HEADER_TASK_ID, self.task.task.to_string()),
                (HEADER_STAGE, failure.stage.name().to_string()),
                (HEADER_EXECUTING_CLASS, failure.class.clone()),
                (HEADER_EXCEPTION, failure.exception_class.clone()),
                (HEADER_EXCEPTION_MESSAGE, failure.message.clone()),
                (HEADER_EXCEPTION_STACK_TRACE, failure.trace.clone()),
            ];
            for (name, value) in context {
                // As Kafka Connect: an error header already on the record is kept, not doubled.
                if headers.iter().any(|(k, _)| k == name) {
                    tracing::error!(header = name, "The record already has this error header.");
                } else {
                    headers.push((name.to_string(), Some(value.into_bytes())));
                }
            }
        }
        // Built on the rdkafka producer directly because `Producer::send` takes no timestamp,
        // and Kafka Connect keeps the original record's timestamp in the dead-letter queue.
        let owned = headers.iter().fold(
            OwnedHeaders::new_with_capacity(headers.len()),
            |h, (key, value)| {
                h.insert(Header {
                    key: key.as_str(),
                    value: value.as_deref(),
                })
            },
        );
        let mut future = FutureRecord::<[u8], [u8]>::to(&self.topic).headers(owned);
        if let Some(key) = record.key.as_deref() {
            future = future.key(key);
        }
        if let Some(value) = record.value.as_deref() {
            future = future.payload(value);
        }
        if let Some(ts) = record.timestamp {
            future = future.timestamp(ts);
        }
        self.producer
            .inner()
            .send(future, rdkafka::util::Timeout::Never)
            .await
            .map_err(|(source, _)| Error::Delivery {
                topic: self.topic.clone(),
                source,
            })?;
        Ok(())
    }
}
