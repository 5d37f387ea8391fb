//! The sink task's consumer: a group consumer with manual commits (as
//! [`crate::kafka::GroupConsumer`]) that also reports the group's rebalances, which the runner
//! turns into `open`/`close` calls, and that can seek, pause and resume partitions.
//!
//! # Rebalances
//! librdkafka runs the rebalance callback inside the consumer's poll, i.e. inside the runner's
//! own `recv`, so the callback cannot await the task (`pre_commit`, `close`). It only records
//! the event; the runner acts on it as soon as `recv` returns. For an assignment that is exact:
//! `open` runs before any record of the new partitions is given to `put`. For a revocation it
//! means the partitions are already gone when the runner commits their offsets and calls
//! `close`: the commit may be refused (the group has moved to a new generation) and the next
//! owner then re-reads from the previous commit. That costs duplicates, never loss, since
//! offsets are still only committed up to what `pre_commit` answered. (Kafka Connect commits
//! inside the callback; on stop we do the same — commit, then `close`, then leave the group.)

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::FutureExt;
use rdkafka::consumer::{
    BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance, StreamConsumer,
};
use rdkafka::message::{BorrowedMessage, Message};
use rdkafka::{ClientContext, Offset, Timestamp, TopicPartitionList};
use sluice_api::TimestampType;
use sluice_api::connector::{CommitOffsets, TopicPartition};

use super::config::TopicSelection;
use crate::kafka::config::client_config;
use crate::kafka::consumer::CONSUMER_DEFAULTS;
use crate::kafka::{Properties, Record};
use crate::{Error, Result};

/// A change of the consumer's assignment, in the order the group made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RebalanceEvent {
    /// These partitions were assigned.
    Assigned(Vec<TopicPartition>),
    /// These partitions were taken away.
    Revoked(Vec<TopicPartition>),
}

/// The rdkafka context that records rebalance events for the runner.
#[derive(Debug, Default)]
pub struct RebalanceRecorder {
    events: Mutex<Vec<RebalanceEvent>>,
}

fn partitions(tpl: &TopicPartitionList) -> Vec<TopicPartition> {
    tpl.elements()
        .iter()
        .map(|e| TopicPartition::new(e.topic(), e.partition()))
        .collect()
}

impl RebalanceRecorder {
    fn push(&self, event: RebalanceEvent) {
        // Plain data behind the lock: a poisoned lock still holds a consistent list.
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(event);
    }

    /// Whether events are waiting.
    pub fn is_empty(&self) -> bool {
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty()
    }

    /// Takes the events recorded since the last call.
    pub fn take(&self) -> Vec<RebalanceEvent> {
        std::mem::take(&mut *self.events.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl ClientContext for RebalanceRecorder {}

impl ConsumerContext for RebalanceRecorder {
    fn pre_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Revoke(tpl) => self.push(RebalanceEvent::Revoked(partitions(tpl))),
            Rebalance::Assign(_) => {}
            Rebalance::Error(e) => {
                tracing::warn!(error = %e, "The consumer group reported a rebalance error.");
            }
        }
    }

    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Assign(tpl) = rebalance {
            self.push(RebalanceEvent::Assigned(partitions(tpl)));
        }
    }
}

/// A consumed record with its timestamp type.
#[derive(Debug, Clone)]
pub struct Consumed {
    /// The record.
    pub record: Record,
    /// How its timestamp was set.
    pub timestamp_type: TimestampType,
}

fn consumed(m: &BorrowedMessage<'_>) -> Consumed {
    Consumed {
        record: Record::from_message(m),
        timestamp_type: match m.timestamp() {
            Timestamp::NotAvailable => TimestampType::NoTimestampType,
            Timestamp::CreateTime(_) => TimestampType::CreateTime,
            Timestamp::LogAppendTime(_) => TimestampType::LogAppendTime,
        },
    }
}

/// The sink task's group consumer (see the module doc).
pub struct SinkConsumer {
    inner: Arc<StreamConsumer<RebalanceRecorder>>,
    group_id: String,
}

impl fmt::Debug for SinkConsumer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SinkConsumer")
            .field("group_id", &self.group_id)
            .finish_non_exhaustive()
    }
}

impl SinkConsumer {
    /// A consumer of `group_id` from the worker properties and `overrides`.
    pub fn new(worker: &Properties, group_id: &str, overrides: &Properties) -> Result<Self> {
        let mut config = client_config(worker, "consumer", CONSUMER_DEFAULTS, overrides)?;
        config.set("group.id", group_id);
        let inner: StreamConsumer<RebalanceRecorder> = config
            .create_with_context(RebalanceRecorder::default())
            .map_err(|source| Error::ClientConfig {
                client: "consumer",
                source,
            })?;
        Ok(SinkConsumer {
            inner: Arc::new(inner),
            group_id: group_id.to_string(),
        })
    }

    fn error(&self, what: &str, e: rdkafka::error::KafkaError) -> Error {
        Error::kafka(format!("{what} for group '{}'", self.group_id), e)
    }

    /// Subscribes to the topics (a regex is anchored as Java's `matches()` is).
    pub fn subscribe(&self, topics: &TopicSelection) -> Result<()> {
        let patterns: Vec<String> = match topics {
            TopicSelection::List(list) => list.clone(),
            // librdkafka treats a subscription starting with '^' as a regular expression.
            TopicSelection::Regex(r) => {
                let r = r.trim_start_matches('^').trim_end_matches('$');
                vec![format!("^(?:{r})$")]
            }
        };
        let refs: Vec<&str> = patterns.iter().map(String::as_str).collect();
        self.inner
            .subscribe(&refs)
            .map_err(|e| self.error(&format!("subscribe to {refs:?}"), e))
    }

    /// The next record, waiting at most `wait`; `None` when none came.
    pub async fn recv(&self, wait: Duration) -> Result<Option<Consumed>> {
        match tokio::time::timeout(wait, self.inner.recv()).await {
            Err(_) => Ok(None),
            Ok(Ok(m)) => Ok(Some(consumed(&m))),
            Ok(Err(e)) => Err(self.error("consume", e)),
        }
    }

    /// A record already fetched, without waiting.
    pub fn try_recv(&self) -> Option<Result<Consumed>> {
        self.inner.recv().now_or_never().map(|r| {
            r.map(|m| consumed(&m))
                .map_err(|e| self.error("consume", e))
        })
    }

    /// The rebalance events since the last call.
    pub fn take_rebalance_events(&self) -> Vec<RebalanceEvent> {
        self.inner.context().take()
    }

    /// Whether rebalance events are waiting to be taken.
    pub fn has_rebalance_events(&self) -> bool {
        !self.inner.context().is_empty()
    }

    /// Commits `offsets` synchronously.
    pub async fn commit(&self, offsets: &CommitOffsets) -> Result<()> {
        let mut tpl = TopicPartitionList::with_capacity(offsets.len());
        for (tp, o) in offsets {
            tpl.add_partition_offset(&tp.topic, tp.partition, Offset::Offset(o.offset))
                .map_err(|e| self.error("commit offsets", e))?;
            if let Some(m) = &o.metadata
                && let Some(mut e) = tpl.find_partition(&tp.topic, tp.partition)
            {
                e.set_metadata(m.clone());
            }
        }
        let inner = Arc::clone(&self.inner);
        // A synchronous commit blocks its thread until the coordinator answers.
        tokio::task::spawn_blocking(move || inner.commit(&tpl, CommitMode::Sync))
            .await
            .map_err(|_| self.error("commit offsets", rdkafka::error::KafkaError::Canceled))?
            .map_err(|e| self.error("commit offsets", e))
    }

    /// Makes `partition` continue at `offset`; `None` means the beginning (where a group with
    /// no committed offset starts, Kafka Connect's `auto.offset.reset=earliest`).
    pub async fn seek(&self, partition: &TopicPartition, offset: Option<i64>) -> Result<()> {
        let inner = Arc::clone(&self.inner);
        let tp = partition.clone();
        let to = offset.map_or(Offset::Beginning, Offset::Offset);
        tokio::task::spawn_blocking(move || {
            inner.seek(&tp.topic, tp.partition, to, Duration::from_secs(10))
        })
        .await
        .map_err(|_| self.error("seek", rdkafka::error::KafkaError::Canceled))?
        .map_err(|e| self.error(&format!("seek {partition} to {offset:?}"), e))
    }

    /// The group's committed offsets of `parts` (`None` where nothing is committed).
    pub async fn committed(
        &self,
        parts: &BTreeSet<TopicPartition>,
    ) -> Result<BTreeMap<TopicPartition, Option<i64>>> {
        let inner = Arc::clone(&self.inner);
        let tpl = Self::tpl(parts);
        let answer = tokio::task::spawn_blocking(move || {
            inner.committed_offsets(tpl, Duration::from_secs(30))
        })
        .await
        .map_err(|_| {
            self.error(
                "read committed offsets",
                rdkafka::error::KafkaError::Canceled,
            )
        })?
        .map_err(|e| self.error("read committed offsets", e))?;
        Ok(answer
            .elements()
            .iter()
            .map(|e| {
                let tp = TopicPartition::new(e.topic(), e.partition());
                match e.offset() {
                    Offset::Offset(o) => (tp, Some(o)),
                    _ => (tp, None),
                }
            })
            .collect())
    }

    fn tpl(parts: &BTreeSet<TopicPartition>) -> TopicPartitionList {
        let mut tpl = TopicPartitionList::with_capacity(parts.len());
        for p in parts {
            tpl.add_partition(&p.topic, p.partition);
        }
        tpl
    }

    /// Stops fetching from `parts`.
    pub fn pause(&self, parts: &BTreeSet<TopicPartition>) -> Result<()> {
        if parts.is_empty() {
            return Ok(());
        }
        self.inner
            .pause(&Self::tpl(parts))
            .map_err(|e| self.error("pause partitions", e))
    }

    /// Fetches again from `parts`.
    pub fn resume(&self, parts: &BTreeSet<TopicPartition>) -> Result<()> {
        if parts.is_empty() {
            return Ok(());
        }
        self.inner
            .resume(&Self::tpl(parts))
            .map_err(|e| self.error("resume partitions", e))
    }

    /// Leaves the group and closes the consumer (librdkafka's close blocks while it leaves, so
    /// it runs on the blocking pool).
    pub async fn close(self) {
        let inner = self.inner;
        let _ = tokio::task::spawn_blocking(move || {
            inner.unsubscribe();
            drop(inner);
        })
        .await;
    }
}
