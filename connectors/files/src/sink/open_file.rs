//! [`OpenFile`]: one file being written — its first offset and, per record view (the data file
//! and the `.keys`/`.headers` side files of `store.kafka.keys`/`store.kafka.headers`), the
//! object's key, the format's writer, and, once it outgrows a part, the multipart upload its
//! bytes stream into.
//!
//! Bytes leave a writer in order ([`crate::RecordWriter::take_ready`] then `finish`), first
//! into `pending`, then as parts: each object is exactly the concatenation of its parts, which
//! is exactly what its writer produced. Every part but the last holds at least the threshold
//! it was cut at (≥ the store's minimum part size).
//!
//! # Side files stay aligned
//! A record goes into every view or into none: all views are projected first (a null key or a
//! null header value fails there), then every writer is asked whether the record's view schema
//! fits its file, and only then is the record appended to each. The side files of a file have
//! its first offset in their names and are uploaded with it; the topic partition's committable
//! offset waits for all of them (they are separate uploads with the same first offset).

use sluice_api::SinkRecord;

use super::upload::{FileSummary, PartStream, Upload, Uploader};
use crate::Result;
use crate::format::{Appended, RecordView, RecordWriter};
use crate::naming::FileFormat;

/// One object of a file: the bytes of one record view.
#[derive(Debug)]
struct ViewFile {
    view: RecordView,
    format: FileFormat,
    /// The object key.
    key: String,
    writer: Box<dyn RecordWriter>,
    /// Bytes taken from the writer and not yet sent as a part.
    pending: Vec<u8>,
    parts: Option<PartStream>,
}

/// What a new file is made of: per view, its format, object key and writer.
pub(crate) type ViewSpec = (RecordView, FileFormat, String, Box<dyn RecordWriter>);

/// A file of one (topic partition, encoded partition) between two rotations.
#[derive(Debug)]
pub(crate) struct OpenFile {
    /// The offset of its first record (part of every key).
    pub(crate) start_offset: i64,
    /// The offset of the last record appended.
    end_offset: i64,
    records: u64,
    views: Vec<ViewFile>,
}

impl OpenFile {
    pub(crate) fn new(start_offset: i64, views: Vec<ViewSpec>) -> Self {
        OpenFile {
            start_offset,
            end_offset: start_offset,
            records: 0,
            views: views
                .into_iter()
                .map(|(view, format, key, writer)| ViewFile {
                    view,
                    format,
                    key,
                    writer,
                    pending: Vec::new(),
                    parts: None,
                })
                .collect(),
        }
    }

    pub(crate) fn append(&mut self, record: &SinkRecord) -> Result<Appended> {
        if let [only] = self.views.as_mut_slice()
            && only.view == RecordView::Value
        {
            // The usual case, without side files: no projection.
            let appended = only.writer.append(record)?;
            if appended == Appended::Written {
                self.note(record);
            }
            return Ok(appended);
        }
        let projected = self
            .views
            .iter()
            .map(|v| v.view.project(record, v.format))
            .collect::<Result<Vec<_>>>()?;
        if self
            .views
            .iter()
            .zip(&projected)
            .any(|(v, p)| !v.writer.accepts(p))
        {
            return Ok(Appended::SchemaChanged);
        }
        for (v, p) in self.views.iter_mut().zip(&projected) {
            // Accepted above, so every writer writes (or fails on data it cannot encode).
            let _ = v.writer.append(p)?;
        }
        self.note(record);
        Ok(Appended::Written)
    }

    fn note(&mut self, record: &SinkRecord) {
        self.records += 1;
        self.end_offset = self.end_offset.max(record.kafka_offset);
    }

    /// Records written.
    #[cfg(test)]
    pub(crate) fn record_count(&self) -> u64 {
        self.records
    }

    /// Bytes of memory held by this file.
    pub(crate) fn buffered(&self) -> usize {
        self.views.iter().map(ViewFile::buffered).sum()
    }

    /// Sends the bytes ready so far of each view as its next part if there are at least
    /// `threshold` of them (starting the multipart upload on the first part).
    pub(crate) fn stream_part(&mut self, uploader: &Uploader, threshold: usize) {
        for v in &mut self.views {
            v.stream_part(uploader, threshold);
        }
    }

    /// Closes the file and hands each view to an upload: the rest of it as the last part of
    /// its multipart upload, or the whole object as one put. Nothing for a file without
    /// records (nothing is published, as Confluent never writes an empty file).
    pub(crate) fn finish(self, uploader: &Uploader) -> Result<Vec<Upload>> {
        if self.records == 0 {
            self.abandon();
            return Ok(Vec::new());
        }
        let summary = FileSummary {
            start_offset: self.start_offset,
            end_offset: self.end_offset,
            records: self.records,
        };
        let mut uploads = Vec::with_capacity(self.views.len());
        let mut views = self.views.into_iter();
        while let Some(v) = views.next() {
            match v.finish(uploader, summary) {
                Ok(u) => uploads.push(u),
                Err(e) => {
                    views.for_each(ViewFile::abandon);
                    return Err(e);
                }
            }
        }
        Ok(uploads)
    }

    /// Drops the file without publishing it (its multipart uploads, if any, are aborted).
    pub(crate) fn abandon(self) {
        self.views.into_iter().for_each(ViewFile::abandon);
    }
}

impl ViewFile {
    fn buffered(&self) -> usize {
        self.writer.buffered_bytes() + self.pending.capacity()
    }

    fn stream_part(&mut self, uploader: &Uploader, threshold: usize) {
        if self.buffered() < threshold {
            return;
        }
        let ready = self.writer.take_ready();
        if self.pending.is_empty() {
            self.pending = ready;
        } else {
            self.pending.extend_from_slice(&ready);
        }
        if self.pending.len() < threshold {
            return;
        }
        let part = std::mem::take(&mut self.pending);
        self.parts
            .get_or_insert_with(|| uploader.start_parts(&self.key))
            .send(part);
    }

    fn finish(mut self, uploader: &Uploader, summary: FileSummary) -> Result<Upload> {
        let rest = self.writer.finish()?;
        let mut bytes = std::mem::take(&mut self.pending);
        if bytes.is_empty() {
            bytes = rest;
        } else {
            bytes.extend_from_slice(&rest);
        }
        Ok(match self.parts {
            None => uploader.put(self.key, summary, bytes),
            Some(parts) => {
                if !bytes.is_empty() {
                    parts.send(bytes);
                }
                parts.complete(self.key, summary)
            }
        })
    }

    fn abandon(self) {
        if let Some(parts) = self.parts {
            parts.abandon();
        }
    }
}
