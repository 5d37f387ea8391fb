//! [`FileSink`]: the store-agnostic half of a file sink task — what `put`, `pre_commit` and
//! `close` of the S3, Azure Blob and Snowflake sink tasks delegate to.
//!
//! | Module | What |
//! |---|---|
//! | `settings` | [`SinkSettings`]: the checked connector config |
//! | `partition_writer` | the commit protocol of one topic partition |
//! | `open_file` | one file: writer, pending bytes, multipart stream |
//! | `upload` | background uploads with retries and in-flight accounting |
//! | `recovery` | leftovers of a previous owner, rewritten under the same names |
//! | `metrics` | [`SinkMetrics`] |
//!
//! # Exactly once
//! Objects are named by (topic, partition, encoded partition, first offset); `pre_commit` answers
//! per topic partition the first offset of the oldest file not yet stored (see
//! `partition_writer`); after a crash the consumer resumes there and the replay rewrites the same
//! objects. Replays cut files at the same offsets as the first attempt even when the cuts were
//! not a function of the records (scheduled rotation, timers, memory pressure), because the
//! first cut points after the commit are read back from the store (`recovery`). The one case
//! left is the `Wallclock` timestamp extractor, whose directories depend on processing time.
//!
//! # Time-based rotation without new records
//! `put` is called at least every second even when nothing was fetched (Kafka Connect's
//! contract, kept by Sluice's worker), and each call first runs the timers of every topic
//! partition: `rotate.schedule.interval.ms` deadlines and Sluice's `rotate.interval.ms` timer
//! (files open that long in wall time). A quiet partition's last file is uploaded on time.
//!
//! # Bounded memory
//! `sluice.buffer.max.bytes` bounds the bytes held by open files plus the bytes handed to
//! uploads not yet stored. Files larger than the part size stream out as multipart parts as they
//! grow. Before taking a batch, when the total is over the budget, the sink (1) streams a part of
//! every file holding at least the minimum part size, (2) closes the files of the topic
//! partitions holding the most bytes (an early rotation; recovery keeps it exactly-once) until
//! the open files hold at most half the budget, and (3) waits for uploads to free memory. If
//! uploads do not free it within a few seconds (the store is down), `put` fails with a retriable
//! [`Error::Backpressure`] *before* taking any record: the worker delivers the same batch again
//! after a pause, so the task pauses without losing or doubling anything. The budget can be
//! exceeded by at most one batch (`max.poll.records`).

mod metrics;
mod open_file;
mod partition_writer;
mod recovery;
mod settings;
mod upload;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sluice_api::SinkRecord;
use sluice_api::connector::{CommitOffsets, OffsetAndMetadata, TopicPartition};

pub use metrics::SinkMetrics;
pub use settings::{
    BEHAVIOR_ON_NULL_VALUES_CONFIG, BUFFER_MAX_BYTES_CONFIG, DEFAULT_BUFFER_MAX_BYTES,
    DEFAULT_PART_SIZE, HEADERS_FORMAT_CLASS_CONFIG, KEYS_FORMAT_CLASS_CONFIG, MIN_PART_SIZE,
    NullValues, ROTATE_FILE_ON_PARTITION_CHANGE_CONFIG, SCHEMA_COMPATIBILITY_CONFIG,
    STORE_KAFKA_HEADERS_CONFIG, STORE_KAFKA_KEYS_CONFIG, SinkSettings,
    TOMBSTONE_ENCODED_PARTITION_CONFIG, Tagging, UPLOAD_CONCURRENCY_CONFIG, UploadSettings,
    ViewSettings,
};

use metrics::SinkStats;
use partition_writer::TopicPartitionWriter;
use upload::{Upload, Uploader};

use crate::rotation::RotateReason;
use crate::store::ObjectStore;
use crate::{Error, Result};

/// How long `put` waits for uploads to free the memory budget before pausing the task.
const BUDGET_WAIT: Duration = Duration::from_secs(5);
/// How long `close` waits for a revoked partition's uploads before cancelling them.
const CLOSE_WAIT: Duration = Duration::from_secs(30);
/// How often waiting loops look at the uploads.
const POLL_EVERY: Duration = Duration::from_millis(20);

/// The file-sink state of one task (see the module doc).
#[derive(Debug)]
pub struct FileSink {
    settings: Arc<SinkSettings>,
    uploader: Uploader,
    partitions: BTreeMap<TopicPartition, TopicPartitionWriter>,
    stats: Arc<SinkStats>,
}

impl FileSink {
    /// A sink writing to `store` with `settings`.
    pub fn new(settings: SinkSettings, store: Arc<dyn ObjectStore>) -> Self {
        let stats = Arc::new(SinkStats::default());
        if !settings.deterministic() {
            tracing::info!(
                "Rotation depends on time or the wall clock; after a restart the files written \
                 since the last commit are found in the store and rewritten under the same names."
            );
        }
        FileSink {
            uploader: Uploader::new(store, settings.upload.clone(), stats.clone()),
            settings: Arc::new(settings),
            partitions: BTreeMap::new(),
            stats,
        }
    }

    /// See [`SinkSettings::accepts_encoded_values`].
    pub fn accepts_encoded_values(&self) -> bool {
        self.settings.accepts_encoded_values()
    }

    /// The settings in use.
    pub fn settings(&self) -> &SinkSettings {
        &self.settings
    }

    /// `partitions` were assigned: their records follow, from the committed offsets.
    pub fn open(&mut self, partitions: &[TopicPartition], now_ms: i64) {
        for tp in partitions {
            self.partitions
                .entry(tp.clone())
                .or_insert_with(|| TopicPartitionWriter::new(tp.clone(), &self.settings, now_ms));
        }
    }

    /// Writes `records` (in offset order per partition); `now_ms` is the wall clock. Runs
    /// the timers first, so call it also with no records. See the module doc for the errors.
    pub async fn put(&mut self, records: &[SinkRecord], now_ms: i64) -> Result<()> {
        self.reap().await?;
        for tpw in self.partitions.values_mut() {
            tpw.on_timer(&self.uploader, now_ms)?;
        }
        if !records.is_empty() {
            self.make_room(now_ms).await?;
        }
        let count = records.len() as u64;
        // Records come in runs of one partition: its writer is looked up once per run (a
        // TopicPartition allocation and a map search per record were ~2 % of the S3 sink's CPU).
        let mut rest = records;
        while let Some(first) = rest.first() {
            let n = rest
                .iter()
                .position(|r| r.kafka_partition != first.kafka_partition || r.topic != first.topic)
                .unwrap_or(rest.len());
            let (run, tail) = rest.split_at(n);
            rest = tail;
            let tp = TopicPartition::new(first.topic.clone(), first.kafka_partition);
            let tpw = self.partitions.entry(tp).or_insert_with_key(|tp| {
                TopicPartitionWriter::new(tp.clone(), &self.settings, now_ms)
            });
            for record in run {
                tpw.write(&self.settings, &self.uploader, record, now_ms)
                    .await?;
            }
        }
        self.stats.records_written(count);
        Ok(())
    }

    /// The offsets safe to commit, for the partitions of `delivered` (the worker's positions
    /// after the records it gave to `put`). Waits up to `wait` for running uploads first, so a
    /// commit right after a rotation includes it. Never fails: an upload that failed for good
    /// is reported by the next `put`, and its offsets are simply not committed.
    pub async fn pre_commit(&mut self, delivered: &CommitOffsets, wait: Duration) -> CommitOffsets {
        let deadline = Instant::now() + wait;
        while self
            .partitions
            .values()
            .any(TopicPartitionWriter::uploading)
            && Instant::now() < deadline
        {
            if self.reap_quietly().await {
                break;
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
        self.reap_quietly().await;
        delivered
            .iter()
            .filter_map(|(tp, o)| {
                let tpw = self.partitions.get(tp)?;
                Some((
                    tp.clone(),
                    OffsetAndMetadata::new(tpw.committable(o.offset)),
                ))
            })
            .collect()
    }

    /// `partitions` were revoked (or the task stops): their open files are dropped (nothing
    /// committed them; the next owner rewrites them), and their running uploads are given
    /// a moment to finish so they cannot overwrite what the next owner writes.
    pub async fn close(&mut self, partitions: &[TopicPartition]) {
        let mut uploads: Vec<Upload> = Vec::new();
        for tp in partitions {
            if let Some(tpw) = self.partitions.remove(tp) {
                uploads.extend(tpw.close());
            }
        }
        let deadline = Instant::now() + CLOSE_WAIT;
        while uploads.iter().any(|u| !u.is_finished()) && Instant::now() < deadline {
            tokio::time::sleep(POLL_EVERY).await;
        }
        for upload in uploads {
            if !upload.is_finished() {
                tracing::warn!(key = %upload.key, "Cancelling an upload of a closed partition.");
                upload.abort();
            }
            // Outcomes no longer matter: these offsets belong to the next owner.
            let _ = upload.outcome().await;
        }
    }

    /// Closes every partition.
    pub async fn close_all(&mut self) {
        let all: Vec<TopicPartition> = self.partitions.keys().cloned().collect();
        self.close(&all).await;
    }

    /// A snapshot of the metrics.
    pub fn metrics(&self) -> SinkMetrics {
        let mut m = self.stats.snapshot();
        m.buffered_bytes = self.buffered() as u64;
        m.in_flight_bytes = self.uploader.in_flight_bytes() as u64;
        m.open_files = self
            .partitions
            .values()
            .map(|p| p.open_files() as u64)
            .sum();
        m.commit_lag_records = self
            .partitions
            .values()
            .map(TopicPartitionWriter::lag)
            .sum();
        m
    }

    fn buffered(&self) -> usize {
        self.partitions
            .values()
            .map(TopicPartitionWriter::buffered)
            .sum()
    }

    fn total(&self) -> usize {
        self.buffered() + self.uploader.in_flight_bytes()
    }

    /// Collects finished uploads; the first definite failure is returned.
    async fn reap(&mut self) -> Result<()> {
        for tpw in self.partitions.values_mut() {
            tpw.reap().await?;
        }
        Ok(())
    }

    /// [`FileSink::reap`] that keeps failures for the next `put`; returns whether one is there.
    async fn reap_quietly(&mut self) -> bool {
        let mut failed = false;
        for tpw in self.partitions.values_mut() {
            if let Err(e) = tpw.reap().await {
                tracing::error!(error = %e, "An upload failed; the task fails at its next put.");
                failed = true;
            }
        }
        failed
    }

    /// Brings the memory in use under the budget before a batch (see the module doc).
    async fn make_room(&mut self, now_ms: i64) -> Result<()> {
        let budget = self.settings.buffer_max_bytes;
        if self.total() <= budget {
            return Ok(());
        }
        tracing::debug!(
            buffered = self.buffered(),
            in_flight = self.uploader.in_flight_bytes(),
            budget,
            "The memory budget is reached."
        );
        for tpw in self.partitions.values_mut() {
            tpw.stream_parts(&self.uploader, crate::sink::MIN_PART_SIZE);
        }
        while self.buffered() > budget / 2 {
            let Some(largest) = self
                .partitions
                .values_mut()
                .filter(|p| p.buffered() > 0)
                .max_by_key(|p| p.buffered())
            else {
                break;
            };
            tracing::debug!(
                buffered = largest.buffered(),
                budget,
                "The memory budget is reached; closing the largest partition's files early."
            );
            largest.rotate(RotateReason::MemoryBudget, &self.uploader, now_ms)?;
        }
        let deadline = Instant::now() + BUDGET_WAIT;
        while self.total() > budget {
            self.reap().await?;
            if Instant::now() >= deadline {
                let cause = self
                    .uploader
                    .last_error()
                    .map(|e| format!("; the last upload error: {e}"))
                    .unwrap_or_default();
                return Err(Error::Backpressure {
                    message: format!(
                        "The sink's memory budget (sluice.buffer.max.bytes={budget}) is full: \
                         {} bytes are waiting for uploads to finish{cause}. The task pauses and \
                         takes the records again once they do.",
                        self.uploader.in_flight_bytes()
                    ),
                });
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
        Ok(())
    }

    /// Records in open files across partitions (tests).
    #[cfg(test)]
    fn open_records(&self) -> u64 {
        self.partitions
            .values()
            .map(TopicPartitionWriter::open_records)
            .sum()
    }
}

#[cfg(test)]
mod tests;
