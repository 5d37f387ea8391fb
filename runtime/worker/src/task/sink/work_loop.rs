//! The sink task loop (Kafka's `WorkerSinkTask`): consume → convert → `put`, commit what
//! `pre_commit` answers, and follow the group's rebalances with `open`/`close`.
//!
//! ```text
//! start ─▶ ┌─ rebalance events ─▶ open(new) / pre_commit+commit+close(revoked)
//!          ├─ task requests     ─▶ seek / pause / resume / commit soon
//!          ├─ commit due?       ─▶ pre_commit(consumed) ─▶ commit exactly the answer
//!          └─ batch (≤ max.poll.records, ≤ 1 s wait) ─▶ convert (errors.*) ─▶ put
//! stop/failure ─▶ pre_commit+commit ─▶ close(all) ─▶ stop ─▶ leave the group
//! ```
//!
//! Correctness: `consumed` advances only after `put` returned (or a failed record was
//! tolerated and, if configured, acknowledged by the dead-letter queue); commits send only what
//! `pre_commit` answered and never past `consumed` ([`super::offsets`]). When `pre_commit`
//! fails, the task's buffered data is in doubt, so the consumer rewinds to the last committed
//! offsets and the records are delivered again (Kafka Connect does the same): no record is
//! ever committed without having been made durable by the task.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use sluice_api::SinkRecord;
use sluice_api::connector::{
    CommitOffsets, DynSinkTask, OffsetAndMetadata, SinkTaskContext, TopicPartition,
};
use tokio::sync::watch;

use super::config::SinkTaskConfig;
use super::consumer::{RebalanceEvent, SinkConsumer};
use super::convert::Converters;
use super::errors::{Converted, ErrorHandler};
use super::offsets::committable;
use crate::task::loop_metrics::SinkMetrics;
use crate::task::{ActiveTopics, TaskId};

/// The longest a poll waits for records, so `put([])`, commits and stop requests are timely.
const POLL_WAIT: Duration = Duration::from_secs(1);
/// The pause before redelivering a batch whose `put` failed with a retriable error, when the
/// task did not ask for one (`SinkTaskContext::set_timeout`).
const DEFAULT_RETRY_PAUSE: Duration = Duration::from_secs(1);

/// Why the loop ends early: a failure trace for the task's status.
pub(crate) type Failure = String;

/// The partition of a run of consecutive records in one batch, and what the loop decided for it.
struct Run {
    tp: TopicPartition,
    paused: bool,
    assigned: bool,
    /// The offset after the run's last record taken (converted or tolerated).
    next_offset: Option<i64>,
}

impl Run {
    fn is(&self, topic: &str, partition: i32) -> bool {
        self.tp.partition == partition && self.tp.topic == topic
    }

    /// Adds the run's next offset to the batch's offsets (a later run of the same partition in
    /// the batch has higher offsets and replaces it).
    fn end(self, offsets: &mut CommitOffsets) {
        if let Some(next) = self.next_offset {
            offsets.insert(self.tp, OffsetAndMetadata::new(next));
        }
    }
}

/// The loop's state while the task runs.
pub(crate) struct Loop {
    pub(crate) id: TaskId,
    pub(crate) config: SinkTaskConfig,
    pub(crate) task: Box<dyn DynSinkTask>,
    pub(crate) ctx: SinkTaskContext,
    pub(crate) consumer: SinkConsumer,
    pub(crate) converters: Converters,
    pub(crate) errors: ErrorHandler,
    pub(crate) stop: watch::Receiver<bool>,
    assigned: BTreeSet<TopicPartition>,
    paused: BTreeSet<TopicPartition>,
    /// Next offset after the last record put (or tolerated), per partition.
    consumed: CommitOffsets,
    /// Last committed offset per assigned partition (`None`: the group has none).
    committed: BTreeMap<TopicPartition, Option<i64>>,
    next_commit: Instant,
    commit_requested: bool,
    /// The topics consumed, reported once each (KIP-558).
    pub(crate) active_topics: ActiveTopics,
    pub(crate) metrics: SinkMetrics,
}

impl std::fmt::Debug for Loop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loop")
            .field("id", &self.id)
            .field("assigned", &self.assigned)
            .finish_non_exhaustive()
    }
}

impl Loop {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        id: TaskId,
        config: SinkTaskConfig,
        task: Box<dyn DynSinkTask>,
        ctx: SinkTaskContext,
        consumer: SinkConsumer,
        converters: Converters,
        errors: ErrorHandler,
        stop: watch::Receiver<bool>,
        metrics: SinkMetrics,
    ) -> Self {
        let next_commit = Instant::now() + config.offset_flush_interval;
        Loop {
            id,
            config,
            task,
            ctx,
            consumer,
            converters,
            errors,
            stop,
            assigned: BTreeSet::new(),
            paused: BTreeSet::new(),
            consumed: CommitOffsets::new(),
            committed: BTreeMap::new(),
            next_commit,
            commit_requested: false,
            metrics,
            active_topics: ActiveTopics::disabled(),
        }
    }

    /// Whether the herder asked to stop (or dropped the handle).
    pub(crate) fn stopping(&self) -> bool {
        *self.stop.borrow() || self.stop.has_changed().is_err()
    }

    /// Runs until stopped (`Ok`) or failed (`Err(trace)`); the caller then calls [`Loop::finish`].
    pub(crate) async fn run(&mut self) -> Result<(), Failure> {
        while !self.stopping() {
            self.handle_rebalances().await?;
            self.apply_requests().await;
            if self.commit_requested || Instant::now() >= self.next_commit {
                self.commit(None).await;
            }
            self.poll_and_put().await?;
        }
        Ok(())
    }

    /// The end: a last commit, `close` of every partition, `stop`, leaving the group.
    pub(crate) async fn finish(mut self) -> Result<(), Failure> {
        self.commit(None).await;
        let parts: Vec<TopicPartition> = self.assigned.iter().cloned().collect();
        let mut result = Ok(());
        if let Err(e) = self.task.close(&parts).await {
            result = Err(format!(
                "The task failed to close its partitions: {}",
                e.report()
            ));
        }
        self.ctx.set_assignment([]);
        if let Err(e) = self.task.stop().await {
            tracing::error!(error = %e.report(), "The sink task failed to stop cleanly.");
        }
        self.consumer.close().await;
        result
    }

    async fn handle_rebalances(&mut self) -> Result<(), Failure> {
        for event in self.consumer.take_rebalance_events() {
            match event {
                RebalanceEvent::Assigned(parts) => self.on_assigned(parts).await?,
                RebalanceEvent::Revoked(parts) => self.on_revoked(parts).await?,
            }
        }
        Ok(())
    }

    async fn on_assigned(&mut self, parts: Vec<TopicPartition>) -> Result<(), Failure> {
        let new: BTreeSet<TopicPartition> = parts
            .into_iter()
            .filter(|p| !self.assigned.contains(p))
            .collect();
        if new.is_empty() {
            return Ok(());
        }
        tracing::info!(partitions = ?new, "Partitions assigned; opening them.");
        match self.consumer.committed(&new).await {
            Ok(c) => self.committed.extend(c),
            Err(e) => {
                tracing::warn!(error = %e, "Could not read the committed offsets of new partitions.");
                self.committed.extend(new.iter().map(|p| (p.clone(), None)));
            }
        }
        self.assigned.extend(new.iter().cloned());
        self.metrics.partitions(self.assigned.len());
        self.ctx.set_assignment(self.assigned.iter().cloned());
        let list: Vec<TopicPartition> = new.iter().cloned().collect();
        self.task.open(&list).await.map_err(|e| {
            format!(
                "The task failed to open partitions {list:?}: {}",
                e.report()
            )
        })?;
        // librdkafka forgets a pause when a partition is reassigned; pause it again.
        let repause: BTreeSet<_> = self.paused.intersection(&new).cloned().collect();
        if let Err(e) = self.consumer.pause(&repause) {
            tracing::warn!(error = %e, "Could not pause reassigned partitions.");
        }
        self.apply_requests().await;
        Ok(())
    }

    async fn on_revoked(&mut self, parts: Vec<TopicPartition>) -> Result<(), Failure> {
        let revoked: BTreeSet<TopicPartition> = parts
            .into_iter()
            .filter(|p| self.assigned.contains(p))
            .collect();
        if revoked.is_empty() {
            return Ok(());
        }
        tracing::info!(partitions = ?revoked, "Partitions revoked; committing and closing them.");
        self.commit(Some(&revoked)).await;
        let list: Vec<TopicPartition> = revoked.iter().cloned().collect();
        self.task.close(&list).await.map_err(|e| {
            format!(
                "The task failed to close partitions {list:?}: {}",
                e.report()
            )
        })?;
        for p in &revoked {
            self.assigned.remove(p);
            self.consumed.remove(p);
            self.committed.remove(p);
        }
        self.metrics.partitions(self.assigned.len());
        self.ctx.set_assignment(self.assigned.iter().cloned());
        Ok(())
    }

    /// Acts on what the task asked through its context; returns the retry pause it asked for.
    async fn apply_requests(&mut self) -> Option<Duration> {
        let requests = self.ctx.take_requests();
        for (tp, offset) in requests.offsets {
            if !self.assigned.contains(&tp) {
                tracing::warn!(partition = %tp, offset,
                    "Ignoring an offset reset for a partition that is not assigned.");
                continue;
            }
            match self.consumer.seek(&tp, Some(offset)).await {
                Ok(()) => {
                    tracing::info!(partition = %tp, offset, "Reset the consumer offset as the task asked.");
                    self.consumed.insert(tp, OffsetAndMetadata::new(offset));
                }
                Err(e) => tracing::error!(partition = %tp, offset, error = %e,
                    "Could not reset the consumer offset as the task asked."),
            }
        }
        let pause: BTreeSet<_> = requests
            .pause
            .intersection(&self.assigned)
            .cloned()
            .collect();
        if let Err(e) = self.consumer.pause(&pause) {
            tracing::warn!(error = %e, "Could not pause partitions as the task asked.");
        }
        self.paused.extend(requests.pause);
        let resume: BTreeSet<_> = requests
            .resume
            .intersection(&self.assigned)
            .cloned()
            .collect();
        if let Err(e) = self.consumer.resume(&resume) {
            tracing::warn!(error = %e, "Could not resume partitions as the task asked.");
        }
        for p in &requests.resume {
            self.paused.remove(p);
        }
        self.commit_requested |= requests.commit;
        requests.timeout
    }

    /// `pre_commit` with the consumed offsets of `only` (or of every assigned partition), then
    /// commits exactly the valid part of the answer. Failures are logged: the data stays
    /// uncommitted and is replayed rather than lost.
    async fn commit(&mut self, only: Option<&BTreeSet<TopicPartition>>) {
        self.next_commit = Instant::now() + self.config.offset_flush_interval;
        self.commit_requested = false;
        let current: CommitOffsets = self
            .consumed
            .iter()
            .filter(|(tp, _)| only.is_none_or(|o| o.contains(*tp)) && self.assigned.contains(*tp))
            .map(|(tp, o)| (tp.clone(), o.clone()))
            .collect();
        if current.is_empty() {
            return;
        }
        let started = Instant::now();
        let answered = match self.task.pre_commit(current.clone()).await {
            Ok(a) => a,
            Err(e) => {
                self.metrics.task.commit(false, started.elapsed());
                tracing::error!(error = %e.report(),
                    "The task's pre_commit failed; rewinding to the last committed offsets so \
                     the uncommitted records are delivered again.");
                self.rewind(current.keys()).await;
                return;
            }
        };
        let offsets = committable(answered, &current, &self.assigned, &self.committed);
        if offsets.is_empty() {
            return;
        }
        match self.consumer.commit(&offsets).await {
            Ok(()) => {
                tracing::debug!(offsets = ?offsets, "Committed consumer offsets.");
                for (tp, o) in offsets {
                    self.committed.insert(tp, Some(o.offset));
                }
                self.metrics.task.commit(true, started.elapsed());
                self.metrics.active(self.uncommitted());
            }
            Err(e) => tracing::warn!(error = %e,
                "Could not commit consumer offsets; they are committed at the next attempt, or \
                 the records are delivered again after a rebalance."),
        }
    }

    async fn rewind<'a>(&mut self, parts: impl Iterator<Item = &'a TopicPartition>) {
        let parts: Vec<TopicPartition> = parts.cloned().collect();
        for tp in parts {
            let to = self.committed.get(&tp).copied().flatten();
            match self.consumer.seek(&tp, to).await {
                Ok(()) => match to {
                    Some(o) => {
                        self.consumed.insert(tp, OffsetAndMetadata::new(o));
                    }
                    None => {
                        self.consumed.remove(&tp);
                    }
                },
                Err(e) => tracing::error!(partition = %tp, error = %e, "Could not rewind."),
            }
        }
    }

    /// One batch: waits up to [`POLL_WAIT`] for a first record, takes what is already fetched up
    /// to `max.poll.records`, converts and puts it (an empty `put` when nothing came).
    async fn poll_and_put(&mut self) -> Result<(), Failure> {
        let wait = POLL_WAIT.min(self.next_commit.saturating_duration_since(Instant::now()));
        let mut next = self
            .consumer
            .recv(wait.max(Duration::from_millis(10)))
            .await;
        let mut batch: Vec<SinkRecord> = Vec::new();
        let mut batch_offsets = CommitOffsets::new();
        // Records arrive in runs of one partition: what is known about the current run's
        // partition is looked up once per run, not per record (a TopicPartition allocation, two
        // set lookups and a map insert per record were ~5 % of the S3 sink's CPU). Its next
        // offset joins `batch_offsets` when the run ends.
        let mut run: Option<Run> = None;
        let mut received = 0usize;
        loop {
            let mut consumed = match next {
                Ok(Some(c)) => c,
                Ok(None) => break,
                Err(e) => {
                    // Kafka Connect treats consumer errors as transient: log and poll again.
                    tracing::warn!(error = %e, "Consuming failed; polling again.");
                    break;
                }
            };
            received += 1;
            if self.consumer.has_rebalance_events() {
                // `open` must run before records of new partitions reach `put`, and records
                // already taken must reach `put` before their partitions are closed.
                if let Some(done) = run.take() {
                    done.end(&mut batch_offsets);
                }
                self.put(
                    std::mem::take(&mut batch),
                    std::mem::take(&mut batch_offsets),
                )
                .await?;
                self.handle_rebalances().await?;
            }
            let r = &consumed.record;
            if !run.as_ref().is_some_and(|c| c.is(&r.topic, r.partition))
                && let Some(done) = run.take()
            {
                done.end(&mut batch_offsets);
            }
            let current = match run {
                Some(ref mut current) => current,
                None => {
                    let tp = TopicPartition::new(r.topic.clone(), r.partition);
                    let assigned = self.assigned.contains(&tp);
                    let paused = self.paused.contains(&tp);
                    if assigned && !paused {
                        // Kafka Connect records the topic when it first consumes a record from
                        // it; once per run is as good (a reset is seen at the next run).
                        self.active_topics.record(&r.topic);
                    }
                    run.insert(Run {
                        paused,
                        assigned,
                        next_offset: None,
                        tp,
                    })
                }
            };
            if current.paused {
                // Fetched before the pause took effect. librdkafka counts it as consumed, so
                // seek back to it: it is fetched again on resume, never lost.
                if let Err(e) = self.consumer.seek(&current.tp, Some(r.offset)).await {
                    return Err(format!(
                        "Could not hold back a record of paused partition {} at offset {}: {e}",
                        current.tp, r.offset
                    ));
                }
            } else if current.assigned {
                let offset = r.offset;
                match self
                    .errors
                    .convert(
                        &self.converters,
                        &mut consumed.record,
                        consumed.timestamp_type,
                    )
                    .await?
                {
                    Converted::Record(record) => batch.push(record),
                    Converted::Skipped => {}
                }
                current.next_offset = Some(offset + 1);
            } else {
                tracing::debug!(partition = %current.tp, "Dropping a record of a partition not assigned.");
            }
            if received >= self.config.max_poll_records {
                break;
            }
            next = match self.consumer.try_recv() {
                None => break,
                Some(r) => r.map(Some),
            };
        }
        if let Some(done) = run.take() {
            done.end(&mut batch_offsets);
        }
        self.metrics.read(received);
        self.put(batch, batch_offsets).await
    }

    /// Records put whose offsets are not committed, over the partitions with a committed
    /// offset (offset distance: an estimate where the topic has gaps, e.g. compacted).
    fn uncommitted(&self) -> i64 {
        self.consumed
            .iter()
            .filter_map(|(tp, o)| Some(o.offset - self.committed.get(tp).copied().flatten()?))
            .sum()
    }

    /// `put` with redelivery on retriable errors; advances `consumed` once it succeeded.
    async fn put(
        &mut self,
        batch: Vec<SinkRecord>,
        batch_offsets: CommitOffsets,
    ) -> Result<(), Failure> {
        loop {
            // `put` borrows the batch: a retriable failure redelivers the same records.
            let started = Instant::now();
            match self.task.put(&batch).await {
                Ok(()) => {
                    self.metrics.put(batch.len(), started.elapsed());
                    self.consumed.extend(batch_offsets);
                    self.metrics.active(self.uncommitted());
                    return Ok(());
                }
                Err(e) if e.is_retriable() => {
                    let pause = self.apply_requests().await.unwrap_or(DEFAULT_RETRY_PAUSE);
                    tracing::warn!(error = %e.report(), ?pause,
                        "The task's put failed with a retriable error; redelivering the batch.");
                    tokio::time::sleep(pause).await;
                    if self.stopping() {
                        // Not consumed: the batch is delivered again after the restart.
                        return Ok(());
                    }
                }
                Err(e) => {
                    return Err(format!(
                        "org.apache.kafka.connect.errors.ConnectException: Exiting \
                         WorkerSinkTask due to unrecoverable exception.\nCaused by: the task's \
                         put failed: {}",
                        e.report()
                    ));
                }
            }
        }
    }
}
