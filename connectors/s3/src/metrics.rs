//! The file sink's [`SinkMetrics`] exported through the `metrics` facade (Prometheus on the
//! worker's `GET /metrics`), with the task's `connector` and `task` labels: counters for what
//! was written and published, gauges for what is buffered, uploading, open and not yet
//! committable. Names and meanings are listed in `docs/metrics.md`.
//!
//! The task hands a snapshot over after each `put` (at least once a second); counters advance
//! by the difference from the previous snapshot, so a restarted task (whose file sink counts
//! from zero again) only adds to them.

use std::sync::Once;

use metrics::{Counter, Gauge, Unit};
use sluice_api::connector::{SinkTaskContext, TaskConfig};
use sluice_files::SinkMetrics;

fn describe() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        metrics::describe_counter!(
            "sluice_file_sink_records_written_total",
            "Records encoded into files."
        );
        metrics::describe_counter!(
            "sluice_file_sink_objects_committed_total",
            "Objects published to the store (whole puts and completed multipart uploads)."
        );
        metrics::describe_counter!(
            "sluice_file_sink_bytes_written_total",
            Unit::Bytes,
            "Bytes of the objects published."
        );
        metrics::describe_counter!(
            "sluice_file_sink_upload_retries_total",
            "Retries of failed upload requests."
        );
        metrics::describe_gauge!(
            "sluice_file_sink_upload_mean_seconds",
            Unit::Seconds,
            "Mean time from the start of an upload to the object's publication, since the task started."
        );
        metrics::describe_gauge!(
            "sluice_file_sink_buffered_bytes",
            Unit::Bytes,
            "Bytes encoded in open files, not yet handed to an upload."
        );
        metrics::describe_gauge!(
            "sluice_file_sink_in_flight_bytes",
            Unit::Bytes,
            "Bytes handed to uploads and not yet stored."
        );
        metrics::describe_gauge!(
            "sluice_file_sink_open_files",
            "Files open (one per topic partition and encoded partition)."
        );
        metrics::describe_gauge!(
            "sluice_file_sink_commit_lag_records",
            "Records received but not yet committable (in open files or unfinished uploads)."
        );
    });
}

/// The handles of one sink task and the last snapshot exported.
#[derive(Debug)]
pub(crate) struct SinkMetricsExporter {
    records: Counter,
    objects: Counter,
    bytes: Counter,
    retries: Counter,
    upload_mean: Gauge,
    buffered: Gauge,
    in_flight: Gauge,
    open_files: Gauge,
    commit_lag: Gauge,
    last: SinkMetrics,
}

impl SinkMetricsExporter {
    /// The handles of the task the worker named in `ctx` (else task 0 of the configuration's
    /// `name`).
    pub(crate) fn new(ctx: &SinkTaskContext, props: &TaskConfig) -> Self {
        describe();
        let (connector, task) = match ctx.identity() {
            Some(id) => (id.connector.clone(), id.task.to_string()),
            None => {
                let name = props
                    .iter()
                    .find(|(k, _)| k == "name")
                    .and_then(|(_, v)| v.clone())
                    .unwrap_or_default();
                (name, "0".to_string())
            }
        };
        let labels = [("connector", connector), ("task", task)];
        SinkMetricsExporter {
            records: metrics::counter!("sluice_file_sink_records_written_total", &labels),
            objects: metrics::counter!("sluice_file_sink_objects_committed_total", &labels),
            bytes: metrics::counter!("sluice_file_sink_bytes_written_total", &labels),
            retries: metrics::counter!("sluice_file_sink_upload_retries_total", &labels),
            upload_mean: metrics::gauge!("sluice_file_sink_upload_mean_seconds", &labels),
            buffered: metrics::gauge!("sluice_file_sink_buffered_bytes", &labels),
            in_flight: metrics::gauge!("sluice_file_sink_in_flight_bytes", &labels),
            open_files: metrics::gauge!("sluice_file_sink_open_files", &labels),
            commit_lag: metrics::gauge!("sluice_file_sink_commit_lag_records", &labels),
            last: SinkMetrics::default(),
        }
    }

    /// Exports snapshot `m`.
    pub(crate) fn export(&mut self, m: &SinkMetrics) {
        let last = &self.last;
        self.records
            .increment(m.records_written.saturating_sub(last.records_written));
        self.objects
            .increment(m.objects_published.saturating_sub(last.objects_published));
        self.bytes
            .increment(m.bytes_published.saturating_sub(last.bytes_published));
        self.retries
            .increment(m.upload_retries.saturating_sub(last.upload_retries));
        self.upload_mean.set(m.mean_upload_latency.as_secs_f64());
        self.buffered.set(m.buffered_bytes as f64);
        self.in_flight.set(m.in_flight_bytes as f64);
        self.open_files.set(m.open_files as f64);
        self.commit_lag.set(m.commit_lag_records as f64);
        self.last = *m;
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sluice_api::connector::TaskIdentity;

    use super::*;

    #[test]
    fn counters_advance_by_differences_and_gauges_follow() {
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        metrics::with_local_recorder(&recorder, || {
            let ctx = SinkTaskContext::new().with_identity(TaskIdentity {
                connector: "s3".into(),
                task: 1,
            });
            let mut e = SinkMetricsExporter::new(&ctx, &Vec::new());
            let mut m = SinkMetrics {
                records_written: 10,
                objects_published: 1,
                bytes_published: 500,
                mean_upload_latency: Duration::from_millis(250),
                buffered_bytes: 77,
                open_files: 2,
                commit_lag_records: 4,
                ..SinkMetrics::default()
            };
            e.export(&m);
            m.records_written = 25;
            m.objects_published = 3;
            e.export(&m);
            // A restarted task counts from zero: a new exporter adds its own.
            let mut again = SinkMetricsExporter::new(&ctx, &Vec::new());
            again.export(&SinkMetrics {
                records_written: 5,
                ..SinkMetrics::default()
            });
        });
        let text = handle.render();
        let l = r#"connector="s3",task="1""#;
        for line in [
            format!("sluice_file_sink_records_written_total{{{l}}} 30"),
            format!("sluice_file_sink_objects_committed_total{{{l}}} 3"),
            format!("sluice_file_sink_bytes_written_total{{{l}}} 500"),
            format!("sluice_file_sink_upload_mean_seconds{{{l}}} 0"),
            format!("sluice_file_sink_buffered_bytes{{{l}}} 0"),
        ] {
            assert!(
                text.lines().any(|t| t == line),
                "no line {line} in:\n{text}"
            );
        }
    }
}
