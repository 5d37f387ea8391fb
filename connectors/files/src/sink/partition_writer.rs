//! [`TopicPartitionWriter`]: the commit protocol of one Kafka topic partition (Confluent's
//! `TopicPartitionWriter`).
//!
//! ```text
//! record ─▶ skip if already written (a redelivered batch) or null (ignore)
//!        ─▶ encoded partition ─▶ [first sight since open: list leftovers, see recovery]
//!        ─▶ rotate first? (leftover starts here, record-time interval, partition change,
//!           schedule) ─▶ append to the file of its encoded partition (a new file is named
//!           by this record's offset) ─▶ schema changed? rotate and append again
//!        ─▶ flush.size reached? rotate ─▶ file ≥ part size? stream a part
//! timer  ─▶ scheduled deadline or the rotate.interval.ms timer passed? rotate
//! rotate ─▶ every open file of the topic partition is finished and handed to an upload
//! ```
//!
//! # The offset safe to commit
//! [`TopicPartitionWriter::committable`]: the first offset of the oldest file that is open or
//! whose upload has not succeeded yet, or — when there is none — the offset after the last
//! record delivered. Everything below it is in stored objects, so committing it loses nothing;
//! files above it are rewritten under the same names after a restart (see the recovery module),
//! so nothing is stored twice.

use std::collections::BTreeMap;

use sluice_api::SinkRecord;
use sluice_api::connector::TopicPartition;

use super::open_file::OpenFile;
use super::recovery::{Directory, Recovery};
use super::settings::{NullValues, SinkSettings};
use super::upload::{Upload, Uploader};
use crate::format::{Appended, RecordView};
use crate::partitioner::TimestampExtractor;
use crate::rotation::{RotateReason, Rotation};
use crate::{Error, Result};

/// The state of one assigned topic partition.
#[derive(Debug)]
pub(crate) struct TopicPartitionWriter {
    tp: TopicPartition,
    rotation: Rotation,
    /// Open files by encoded partition.
    files: BTreeMap<String, OpenFile>,
    /// Closed files whose upload has not been confirmed.
    uploads: Vec<Upload>,
    /// The offset after the last record handled.
    next_offset: Option<i64>,
    recovery: Recovery,
    /// Bytes held by the open files.
    buffered: usize,
    /// The memory the last file closed by `flush.size` held, capped (see `append`): the next
    /// file of the same size rule is likely to need as much.
    size_hint: usize,
}

impl TopicPartitionWriter {
    pub(crate) fn new(tp: TopicPartition, settings: &SinkSettings, now_ms: i64) -> Self {
        TopicPartitionWriter {
            tp,
            rotation: Rotation::new(settings.rotation.clone(), now_ms),
            files: BTreeMap::new(),
            uploads: Vec::new(),
            next_offset: None,
            recovery: Recovery::default(),
            buffered: 0,
            size_hint: 0,
        }
    }

    /// Bytes held by the open files.
    pub(crate) fn buffered(&self) -> usize {
        self.buffered
    }

    /// Files open.
    pub(crate) fn open_files(&self) -> usize {
        self.files.len()
    }

    /// Writes one record (see the module doc).
    pub(crate) async fn write(
        &mut self,
        settings: &SinkSettings,
        uploader: &Uploader,
        record: &SinkRecord,
        now_ms: i64,
    ) -> Result<()> {
        let offset = record.kafka_offset;
        if self.next_offset.is_some_and(|n| offset < n) {
            // Already in a file: the worker redelivers a batch whose `put` failed part way.
            return Ok(());
        }
        self.recovery.saw(offset);
        let tombstone = record.has_null_value();
        if tombstone {
            match settings.null_values {
                NullValues::Write => {}
                NullValues::Ignore => {
                    self.next_offset = Some(offset + 1);
                    return Ok(());
                }
                NullValues::Fail => {
                    return Err(Error::NullValue {
                        topic: record.topic.clone(),
                        partition: record.kafka_partition,
                        offset,
                    });
                }
            }
        }
        let encoded = if tombstone {
            settings.tombstone_partition.clone()
        } else {
            let encoded = settings.partitioner.encode_partition(record, now_ms)?;
            if settings.null_values == NullValues::Write && encoded == settings.tombstone_partition
            {
                return Err(Error::format(
                    "file",
                    record,
                    format!(
                        "the record's encoded partition is '{encoded}', the directory of null \
                         values (tombstone.encoded.partition); choose another \
                         tombstone.encoded.partition"
                    ),
                ));
            }
            encoded
        };
        if self.recovery.needs_scan(&encoded) {
            let path = settings
                .partitioner
                .partitioned_path(&record.topic, &encoded);
            let dir = Directory {
                naming: &settings.naming,
                partitioned_path: &path,
                topic: &record.topic,
                partition: record.kafka_partition,
                // A file's objects share its first offset: the first view's names suffice.
                extension: &settings.views_for(&encoded)[0].extension,
            };
            self.recovery
                .scan(uploader.store().as_ref(), &encoded, dir)
                .await?;
        }
        let ts = match settings.partitioner.timestamp_extractor() {
            // A null value has no field to read: its Kafka timestamp stands in (what
            // Confluent's `TombstoneTimestampExtractor` means to do).
            Some(TimestampExtractor::RecordField(_))
                if settings.rotation.interval_ms.is_some() && tombstone =>
            {
                Some(TimestampExtractor::Record.extract(record, now_ms)?)
            }
            Some(e) if settings.rotation.interval_ms.is_some() => Some(e.extract(record, now_ms)?),
            _ => None,
        };
        let before = if self.rotation.record_count() > 0 && self.recovery.is_leftover_start(offset)
        {
            Some(RotateReason::Recovery)
        } else {
            self.rotation.before_record(&encoded, ts, now_ms)
        };
        if let Some(reason) = before {
            self.rotate(reason, uploader, now_ms)?;
        }
        if self.append(settings, record, &encoded)? == Appended::SchemaChanged {
            self.rotate(RotateReason::SchemaChange, uploader, now_ms)?;
            if self.append(settings, record, &encoded)? == Appended::SchemaChanged {
                return Err(Error::format(
                    "file",
                    record,
                    "a new file refused the record's schema",
                ));
            }
        }
        self.next_offset = Some(offset + 1);
        if let Some(reason) = self.rotation.record_written_at(&encoded, ts, now_ms) {
            self.rotate(reason, uploader, now_ms)?;
        } else if let Some(file) = self.files.get_mut(&encoded) {
            let before = file.buffered();
            if before >= settings.upload.part_size {
                file.stream_part(uploader, settings.upload.part_size);
                self.buffered = self.buffered + file.buffered() - before;
            }
        }
        Ok(())
    }

    /// Appends to the file of `encoded`, opening it (named by this record) if needed.
    fn append(
        &mut self,
        settings: &SinkSettings,
        record: &SinkRecord,
        encoded: &str,
    ) -> Result<Appended> {
        let file = match self.files.get_mut(encoded) {
            Some(f) => f,
            None => {
                let path = settings
                    .partitioner
                    .partitioned_path(&record.topic, encoded);
                let views = settings
                    .views_for(encoded)
                    .iter()
                    .map(|v| {
                        let key = settings.naming.object_key(
                            &path,
                            &record.topic,
                            record.kafka_partition,
                            record.kafka_offset,
                            &v.extension,
                        );
                        let mut writer = v.writers.writer(&key);
                        if v.view == RecordView::Value {
                            writer.reserve(self.size_hint);
                        }
                        (v.view, v.format, key, writer)
                    })
                    .collect();
                self.files
                    .entry(encoded.to_string())
                    .or_insert(OpenFile::new(record.kafka_offset, views))
            }
        };
        let before = file.buffered();
        let appended = file.append(record)?;
        self.buffered = self.buffered + file.buffered() - before;
        Ok(appended)
    }

    /// Closes every open file and hands them to uploads.
    pub(crate) fn rotate(
        &mut self,
        reason: RotateReason,
        uploader: &Uploader,
        now_ms: i64,
    ) -> Result<()> {
        tracing::debug!(partition = %self.tp, ?reason, files = self.files.len(),
            records = self.rotation.record_count(), "Rotating the open files.");
        // Only a size rule repeats itself: files cut by time, schema changes or the memory
        // budget say nothing about the next one (and must not make many partitions reserve
        // memory they will not fill).
        self.size_hint = match (reason, self.files.len()) {
            (RotateReason::FlushSize, 1) => self.buffered,
            _ => 0,
        };
        for (_, file) in std::mem::take(&mut self.files) {
            self.uploads.extend(file.finish(uploader)?);
        }
        self.buffered = 0;
        self.rotation.rotated(reason, now_ms);
        Ok(())
    }

    /// Rotates if a timer is due (scheduled rotation, the `rotate.interval.ms` timer).
    pub(crate) fn on_timer(&mut self, uploader: &Uploader, now_ms: i64) -> Result<()> {
        if let Some(reason) = self.rotation.on_timer(now_ms) {
            self.rotate(reason, uploader, now_ms)?;
        }
        Ok(())
    }

    /// Streams a part of every open file holding at least `threshold` bytes.
    pub(crate) fn stream_parts(&mut self, uploader: &Uploader, threshold: usize) {
        for file in self.files.values_mut() {
            file.stream_part(uploader, threshold);
        }
        self.buffered = self.files.values().map(OpenFile::buffered).sum();
    }

    /// Removes the uploads that ended; the first definite failure is returned (retriable
    /// outcomes cannot happen: uploads retry those themselves, except a cancellation).
    pub(crate) async fn reap(&mut self) -> Result<()> {
        let mut result = Ok(());
        let mut i = 0;
        while i < self.uploads.len() {
            if self.uploads[i].is_finished() {
                let upload = self.uploads.swap_remove(i);
                if let Err(e) = upload.outcome().await
                    && result.is_ok()
                {
                    result = Err(e);
                }
            } else {
                i += 1;
            }
        }
        result
    }

    /// Whether uploads are still running.
    pub(crate) fn uploading(&self) -> bool {
        !self.uploads.is_empty()
    }

    /// The offset safe to commit, given the worker's position after the last record it
    /// delivered (see the module doc).
    pub(crate) fn committable(&self, delivered: i64) -> i64 {
        self.files
            .values()
            .map(|f| f.start_offset)
            .chain(self.uploads.iter().map(|u| u.start_offset))
            .min()
            .map_or(delivered, |oldest| oldest.min(delivered))
    }

    /// Records received but not yet committable.
    pub(crate) fn lag(&self) -> u64 {
        match self.next_offset {
            Some(next) => (next - self.committable(next)).unsigned_abs(),
            None => 0,
        }
    }

    /// Drops the open files (their multipart uploads are aborted) and returns the running
    /// uploads, for the caller to wait for or cancel.
    pub(crate) fn close(mut self) -> Vec<Upload> {
        for (_, file) in std::mem::take(&mut self.files) {
            file.abandon();
        }
        self.uploads
    }

    /// The records in the open files.
    #[cfg(test)]
    pub(crate) fn open_records(&self) -> u64 {
        self.files.values().map(OpenFile::record_count).sum()
    }
}
