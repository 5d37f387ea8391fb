//! The sink's counters, kept in one place: records and bytes written, objects published,
//! upload latency and retries; buffered bytes, open files and the commit lag are read from the
//! live state when a [`SinkMetrics`] snapshot is taken. The task logs a snapshot periodically
//! and at shutdown; a metrics registry can read the same snapshot.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Counters updated by the sink and its uploads.
#[derive(Debug, Default)]
pub(crate) struct SinkStats {
    records: AtomicU64,
    objects: AtomicU64,
    bytes: AtomicU64,
    upload_micros: AtomicU64,
    retries: AtomicU64,
}

impl SinkStats {
    pub(crate) fn records_written(&self, n: u64) {
        self.records.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn object_published(&self, bytes: usize, took: Duration) {
        self.objects.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes as u64, Ordering::Relaxed);
        self.upload_micros.fetch_add(
            u64::try_from(took.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    pub(crate) fn upload_retried(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }
}

/// A snapshot of the sink's metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SinkMetrics {
    /// Records encoded into files.
    pub records_written: u64,
    /// Objects published (whole puts and completed multipart uploads).
    pub objects_published: u64,
    /// Bytes of the published objects.
    pub bytes_published: u64,
    /// Mean time from the start of an upload to its publication.
    pub mean_upload_latency: Duration,
    /// Retries of failed upload requests.
    pub upload_retries: u64,
    /// Bytes encoded in open files (not yet handed to an upload).
    pub buffered_bytes: u64,
    /// Bytes handed to uploads and not yet stored.
    pub in_flight_bytes: u64,
    /// Files open (one per topic partition and encoded partition).
    pub open_files: u64,
    /// Records received but not yet committable (in open files or uploads not finished),
    /// summed over the topic partitions.
    pub commit_lag_records: u64,
}

impl SinkStats {
    pub(crate) fn snapshot(&self) -> SinkMetrics {
        let objects = self.objects.load(Ordering::Relaxed);
        let micros = self.upload_micros.load(Ordering::Relaxed);
        SinkMetrics {
            records_written: self.records.load(Ordering::Relaxed),
            objects_published: objects,
            bytes_published: self.bytes.load(Ordering::Relaxed),
            mean_upload_latency: Duration::from_micros(micros.checked_div(objects).unwrap_or(0)),
            upload_retries: self.retries.load(Ordering::Relaxed),
            ..SinkMetrics::default()
        }
    }
}
