//! [`OpenFile`]: one file being written — its key, its first offset, the format's writer, and,
//! once it outgrows a part, the multipart upload its bytes stream into.
//!
//! Bytes leave the writer in order ([`crate::RecordWriter::take_ready`] then `finish`), first
//! into `pending`, then as parts: the object is exactly the concatenation of the parts, which
//! is exactly what the writer produced. Every part but the last holds at least the threshold
//! it was cut at (≥ the store's minimum part size).

use sluice_api::SinkRecord;

use super::upload::{FileSummary, PartStream, Upload, Uploader};
use crate::Result;
use crate::format::{Appended, RecordWriter};

/// A file of one (topic partition, encoded partition) between two rotations.
#[derive(Debug)]
pub(crate) struct OpenFile {
    /// The object key.
    pub(crate) key: String,
    /// The offset of its first record (part of the key).
    pub(crate) start_offset: i64,
    /// The offset of the last record appended.
    end_offset: i64,
    writer: Box<dyn RecordWriter>,
    /// Bytes taken from the writer and not yet sent as a part.
    pending: Vec<u8>,
    parts: Option<PartStream>,
}

impl OpenFile {
    pub(crate) fn new(key: String, start_offset: i64, writer: Box<dyn RecordWriter>) -> Self {
        OpenFile {
            key,
            start_offset,
            end_offset: start_offset,
            writer,
            pending: Vec::new(),
            parts: None,
        }
    }

    pub(crate) fn append(&mut self, record: &SinkRecord) -> Result<Appended> {
        let appended = self.writer.append(record)?;
        if appended == Appended::Written {
            self.end_offset = self.end_offset.max(record.kafka_offset);
        }
        Ok(appended)
    }

    /// Records written.
    #[cfg(test)]
    pub(crate) fn record_count(&self) -> u64 {
        self.writer.record_count()
    }

    /// Bytes of memory held by this file.
    pub(crate) fn buffered(&self) -> usize {
        self.writer.buffered_bytes() + self.pending.capacity()
    }

    /// Sends the bytes ready so far as the next part if there are at least `threshold` of
    /// them (starting the multipart upload on the first part); returns whether it did.
    pub(crate) fn stream_part(&mut self, uploader: &Uploader, threshold: usize) -> bool {
        if self.buffered() < threshold {
            return false;
        }
        let ready = self.writer.take_ready();
        if self.pending.is_empty() {
            self.pending = ready;
        } else {
            self.pending.extend_from_slice(&ready);
        }
        if self.pending.len() < threshold {
            return false;
        }
        let part = std::mem::take(&mut self.pending);
        self.parts
            .get_or_insert_with(|| uploader.start_parts(&self.key))
            .send(part);
        true
    }

    /// Closes the file and hands it to an upload: the rest of it as the last part of its
    /// multipart upload, or the whole file as one put. `None` for a file without records
    /// (nothing is published, as Confluent never writes an empty file).
    pub(crate) fn finish(mut self, uploader: &Uploader) -> Result<Option<Upload>> {
        if self.writer.record_count() == 0 {
            self.abandon();
            return Ok(None);
        }
        let records = self.writer.record_count();
        let rest = self.writer.finish()?;
        let mut bytes = std::mem::take(&mut self.pending);
        if bytes.is_empty() {
            bytes = rest;
        } else {
            bytes.extend_from_slice(&rest);
        }
        let summary = FileSummary {
            start_offset: self.start_offset,
            end_offset: self.end_offset,
            records,
        };
        Ok(Some(match self.parts {
            None => uploader.put(self.key, summary, bytes),
            Some(parts) => {
                if !bytes.is_empty() {
                    parts.send(bytes);
                }
                parts.complete(self.key, summary)
            }
        }))
    }

    /// Drops the file without publishing it (its multipart upload, if any, is aborted).
    pub(crate) fn abandon(self) {
        if let Some(parts) = self.parts {
            parts.abandon();
        }
    }
}
