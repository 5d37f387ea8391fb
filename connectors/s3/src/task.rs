//! [`S3SinkTask`]: the SPI's sink task over [`sluice_files::FileSink`] writing to an
//! [`S3Store`].
//!
//! - `start` parses the configuration, builds the client and checks the bucket with one listing:
//!   a missing bucket or rejected credentials fail the task at once with S3's words and what to
//!   fix (a server that does not answer is only logged: uploads retry until it is back);
//! - `put` hands the records and the wall clock to the file sink (which also runs the rotation
//!   timers: the worker calls `put` at least every second); when the memory budget is full it
//!   answers a retriable error after asking the worker for a short pause, and the same batch
//!   comes again;
//! - `pre_commit` answers the offsets of the data stored in S3, waiting briefly for running uploads;
//! - `close`/`stop` drop what is not stored (it is consumed again by the next owner).

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use sluice_api::SinkRecord;
use sluice_api::connector::{
    CommitOffsets, ConnectError, ConnectResult, SinkTask, SinkTaskContext, TaskConfig,
    TopicPartition,
};
use sluice_files::FileSink;

use crate::config::S3SinkConfig;
use crate::error::Error;
use crate::metrics::SinkMetricsExporter;
use crate::store::S3Store;

/// How long `pre_commit` waits for running uploads.
const COMMIT_WAIT: Duration = Duration::from_secs(10);
/// The pause asked of the worker when the memory budget is full.
const BACKPRESSURE_PAUSE: Duration = Duration::from_millis(500);
/// How often the task logs its metrics.
const METRICS_EVERY: Duration = Duration::from_secs(60);

/// The S3 sink task (see the module doc).
#[derive(Debug, Default)]
pub struct S3SinkTask {
    sink: Option<FileSink>,
    ctx: Option<SinkTaskContext>,
    last_metrics: Option<Instant>,
    exporter: Option<SinkMetricsExporter>,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl S3SinkTask {
    fn sink(&mut self) -> ConnectResult<&mut FileSink> {
        self.sink
            .as_mut()
            .ok_or_else(|| ConnectError::definite("The S3 sink task was used before it started."))
    }

    fn log_metrics(&mut self, force: bool) {
        if let (Some(sink), Some(exporter)) = (&self.sink, self.exporter.as_mut()) {
            exporter.export(&sink.metrics());
        }
        let due = self
            .last_metrics
            .is_none_or(|t| t.elapsed() >= METRICS_EVERY);
        if !(force || due) {
            return;
        }
        if let Some(sink) = &self.sink {
            let m = sink.metrics();
            tracing::info!(
                records_written = m.records_written,
                objects_published = m.objects_published,
                bytes_published = m.bytes_published,
                mean_upload_ms = m.mean_upload_latency.as_millis() as u64,
                upload_retries = m.upload_retries,
                buffered_bytes = m.buffered_bytes,
                in_flight_bytes = m.in_flight_bytes,
                open_files = m.open_files,
                commit_lag_records = m.commit_lag_records,
                "S3 sink metrics."
            );
        }
        self.last_metrics = Some(Instant::now());
    }
}

impl SinkTask for S3SinkTask {
    async fn start(&mut self, props: TaskConfig, ctx: SinkTaskContext) -> ConnectResult<()> {
        let config = S3SinkConfig::parse(&props)?;
        let store = S3Store::connect(config.store.clone()).await?;
        match store.check_access(&config.sink.naming.topics_dir).await {
            Ok(()) => {}
            Err(e) if e.is_retriable() => tracing::warn!(error = %e,
                "S3 does not answer yet; the task starts and its uploads retry until it does."),
            Err(e) => return Err(Error::Store(e).into()),
        }
        tracing::info!(bucket = %config.store.bucket, "The S3 sink task started.");
        self.sink = Some(FileSink::new(config.sink, Arc::new(store)));
        self.exporter = Some(SinkMetricsExporter::new(&ctx, &props));
        self.ctx = Some(ctx);
        self.last_metrics = Some(Instant::now());
        Ok(())
    }

    async fn open(&mut self, partitions: &[TopicPartition]) -> ConnectResult<()> {
        self.sink()?.open(partitions, now_ms());
        Ok(())
    }

    async fn put(&mut self, records: &[SinkRecord]) -> ConnectResult<()> {
        let result = self.sink()?.put(records, now_ms()).await;
        if let Err(e) = result {
            if let (sluice_files::Error::Backpressure { .. }, Some(ctx)) = (&e, &self.ctx) {
                ctx.set_timeout(BACKPRESSURE_PAUSE);
            }
            return Err(Error::Store(e).into());
        }
        self.log_metrics(false);
        Ok(())
    }

    fn accepts_encoded_values(&self) -> bool {
        self.sink
            .as_ref()
            .is_some_and(FileSink::accepts_encoded_values)
    }

    async fn pre_commit(&mut self, offsets: CommitOffsets) -> ConnectResult<CommitOffsets> {
        Ok(self.sink()?.pre_commit(&offsets, COMMIT_WAIT).await)
    }

    async fn close(&mut self, partitions: &[TopicPartition]) -> ConnectResult<()> {
        self.sink()?.close(partitions).await;
        Ok(())
    }

    async fn stop(&mut self) -> ConnectResult<()> {
        self.log_metrics(true);
        if let Some(sink) = self.sink.as_mut() {
            sink.close_all().await;
            if let Some(exporter) = self.exporter.as_mut() {
                exporter.export(&sink.metrics());
            }
        }
        self.sink = None;
        Ok(())
    }
}
