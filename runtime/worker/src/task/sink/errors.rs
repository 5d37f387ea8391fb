//! What happens to a record that fails a stage (Kafka's `RetryWithToleranceOperator` with its
//! `LogReporter` and `DeadLetterQueueReporter`).
//!
//! 1. A **retriable** failure (a Schema Registry that is unreachable) is retried with
//!    exponential backoff (300 ms doubling, at most `errors.retry.delay.max.ms`) for up to
//!    `errors.retry.timeout` (0: no retry; -1: forever). A definite failure (bytes the converter
//!    cannot read) is never retried: the same bytes fail the same way.
//! 2. If it still fails: with `errors.log.enable` the failure is logged; with
//!    `errors.tolerance=all` the record is reported to the dead-letter queue (if configured) and
//!    skipped; with `none` the task fails with a trace naming the topic, partition, offset,
//!    stage and cause.
//!
//! Offsets: a skipped record counts as consumed (it is in the dead-letter queue, acknowledged,
//! before its offset can be committed); a record that fails the task is never counted, so the
//! committed offset stays at or before it and a restarted task reads it again.

use std::time::{Duration, Instant};

use sluice_api::{SinkRecord, TimestampType};

use super::config::{ErrorsConfig, Tolerance};
use super::convert::{ConversionFailure, Converters};
use super::dlq::{DeadLetterQueue, FailureContext};
use crate::Result;
use crate::kafka::{Properties, Record};
use crate::task::TaskId;

/// The first pause between retries (Kafka's `RETRIES_DELAY_MIN_MS`).
const RETRY_DELAY_MIN: Duration = Duration::from_millis(300);

/// Kafka Connect's exception class for a conversion error of this kind.
fn exception_class(error: &sluice_converters::Error) -> &'static str {
    if error.is_retriable() {
        "org.apache.kafka.connect.errors.RetriableException"
    } else {
        "org.apache.kafka.connect.errors.DataException"
    }
}

/// The error and its causes, one per line (Sluice's equivalent of a Java stack trace).
fn trace_of(class: &str, error: &(dyn std::error::Error + 'static)) -> String {
    let mut out = format!("{class}: {error}");
    let mut cause = error.source();
    while let Some(c) = cause {
        out.push_str("\nCaused by: ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

/// The outcome of a record's conversion.
#[derive(Debug)]
// Boxing the record would cost an allocation per record; it is moved once, into the batch.
#[allow(clippy::large_enum_variant)]
pub enum Converted {
    /// The record to give the task.
    Record(SinkRecord),
    /// The record failed and was tolerated (logged / sent to the dead-letter queue): skip it.
    Skipped,
}

/// Applies the `errors.*` settings to failing records (see the module doc).
#[derive(Debug)]
pub struct ErrorHandler {
    config: ErrorsConfig,
    dlq: Option<DeadLetterQueue>,
    task: TaskId,
    failed: u64,
}

impl ErrorHandler {
    /// A handler for `task`; creates the dead-letter queue topic and producer when one is
    /// configured.
    pub async fn new(
        config: ErrorsConfig,
        task: TaskId,
        worker: &Properties,
        producer_overrides: &Properties,
    ) -> Result<Self> {
        let dlq = match (&config.dlq_topic, config.tolerance) {
            (Some(topic), Tolerance::All) => Some(
                DeadLetterQueue::new(
                    worker,
                    producer_overrides,
                    topic,
                    config.dlq_replication_factor,
                    config.dlq_context_headers,
                    task.clone(),
                )
                .await?,
            ),
            (Some(topic), Tolerance::None) => {
                tracing::warn!(
                    topic = %topic,
                    "A dead-letter queue topic is set but errors.tolerance=none, so no record \
                     will ever be sent to it; set errors.tolerance=all to use it."
                );
                None
            }
            (None, _) => None,
        };
        Ok(ErrorHandler {
            config,
            dlq,
            task,
            failed: 0,
        })
    }

    /// How many records failed so far (tolerated or not).
    pub fn failed_records(&self) -> u64 {
        self.failed
    }

    /// Converts `record` (see [`Converters::convert`]), retrying retriable failures; a record
    /// that still fails is skipped (tolerance `all`) or fails the task: `Err(trace)` with the
    /// task's failure trace.
    pub async fn convert(
        &mut self,
        converters: &Converters,
        record: &mut Record,
        timestamp_type: TimestampType,
    ) -> Result<Converted, String> {
        // Read the clock only once a retry is needed: a clock read per record was ~1 % of the
        // sink task's CPU in the S3 sink benchmark.
        let mut started: Option<Instant> = None;
        let mut delay = RETRY_DELAY_MIN;
        let failure = loop {
            match converters.convert(record, timestamp_type) {
                Ok(r) => return Ok(Converted::Record(r)),
                Err(f) if f.error.is_retriable() => {
                    let remaining = match self.config.retry_timeout {
                        None => Duration::MAX,
                        Some(t) => {
                            t.saturating_sub(started.get_or_insert_with(Instant::now).elapsed())
                        }
                    };
                    if remaining.is_zero() {
                        break f;
                    }
                    let pause = delay.min(self.config.retry_delay_max).min(remaining);
                    tracing::debug!(
                        stage = f.stage.name(),
                        error = %f.error,
                        ?pause,
                        "A retriable conversion error; retrying."
                    );
                    tokio::time::sleep(pause).await;
                    delay = delay.saturating_mul(2);
                }
                Err(f) => break f,
            }
        };
        self.failed += 1;
        self.handle_failure(record, failure).await
    }

    async fn handle_failure(
        &mut self,
        record: &Record,
        failure: ConversionFailure,
    ) -> Result<Converted, String> {
        let exception = exception_class(&failure.error);
        let context = FailureContext {
            stage: failure.stage,
            class: failure.class.to_string(),
            exception_class: exception.to_string(),
            message: failure.error.to_string(),
            trace: trace_of(exception, &failure.error),
        };
        let coordinates = format!(
            "topic '{}', partition {}, offset {}",
            record.topic, record.partition, record.offset
        );
        if self.config.log_enable {
            if self.config.log_include_messages {
                tracing::error!(
                    stage = failure.stage.name(),
                    class = failure.class,
                    topic = %record.topic,
                    partition = record.partition,
                    offset = record.offset,
                    timestamp = ?record.timestamp,
                    error = %failure.error,
                    "Error encountered in task {}; the record failed in stage {} with class {}.",
                    self.task, failure.stage.name(), failure.class,
                );
            } else {
                tracing::error!(
                    stage = failure.stage.name(),
                    class = failure.class,
                    error = %failure.error,
                    "Error encountered in task {}; a record failed in stage {} with class {}.",
                    self.task, failure.stage.name(), failure.class,
                );
            }
        }
        match self.config.tolerance {
            Tolerance::All => {
                if let Some(dlq) = &self.dlq {
                    // Kafka Connect logs a failed dead-letter write and carries on; so do we.
                    if let Err(e) = dlq.report(record, &context).await {
                        tracing::error!(
                            topic = dlq.topic(),
                            error = %e,
                            "Could not write a failed record ({coordinates}) to the dead-letter queue."
                        );
                    }
                }
                Ok(Converted::Skipped)
            }
            Tolerance::None => Err(format!(
                "org.apache.kafka.connect.errors.ConnectException: Tolerance exceeded in error \
                 handler\nCaused by: error in stage {} with class {} on the record at \
                 {coordinates}: {}\nFix the record or set errors.tolerance=all (with \
                 errors.deadletterqueue.topic.name) to skip such records.\n{}",
                failure.stage.name(),
                failure.class,
                failure.error,
                context.trace,
            )),
        }
    }
}
