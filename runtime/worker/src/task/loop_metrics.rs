//! The task loops' metrics, named after Kafka Connect's JMX metrics in Prometheus style
//! (`source-task-metrics`, `sink-task-metrics` and `connector-task-metrics`, e.g.
//! `source-record-poll-total` → `sluice_source_record_poll_total`), each with `connector` and
//! `task` labels. They go to whatever `metrics` recorder the process installed (the `sluice`
//! binary renders them on `GET /metrics`); without one they cost nothing.
//!
//! Every handle is registered once, when the task starts: the loops add whole batches to
//! counters and set gauges between polls, so no label is hashed per record. Names, labels and
//! meanings are listed in `docs/metrics.md`.

use std::sync::Once;
use std::time::Duration;

use metrics::{Counter, Gauge, Histogram, Unit};

use super::{TaskId, TaskState};

/// `sluice_task_status{status=…}`: 1 for the loop's current state, 0 for the others.
const STATUSES: [&str; 4] = ["unassigned", "running", "failed", "stopped"];

/// Registers the help texts once per process.
fn describe() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        metrics::describe_gauge!(
            "sluice_task_status",
            "1 for the task loop's current state (unassigned, running, failed, stopped), 0 for the others."
        );
        metrics::describe_histogram!(
            "sluice_batch_size",
            "Records per non-empty batch: returned by a source task's poll, or given to a sink task's put."
        );
        metrics::describe_histogram!(
            "sluice_offset_commit_seconds",
            Unit::Seconds,
            "Time of a periodic offset commit: storing source offsets and the task's commit, or a sink task's pre_commit and the consumer commit."
        );
        metrics::describe_counter!(
            "sluice_offset_commit_completion_total",
            "Offset commits that succeeded."
        );
        metrics::describe_counter!(
            "sluice_offset_commit_failure_total",
            "Offset commits that failed (retried by the next commit)."
        );
        metrics::describe_counter!(
            "sluice_source_record_poll_total",
            "Records returned by the source task's poll."
        );
        metrics::describe_counter!(
            "sluice_source_record_write_total",
            "Records the source task produced that Kafka acknowledged."
        );
        metrics::describe_gauge!(
            "sluice_source_record_active_count",
            "Records produced to Kafka and not yet acknowledged."
        );
        metrics::describe_gauge!(
            "sluice_source_record_active_bytes",
            Unit::Bytes,
            "Bytes (converted keys, values and headers) of the records not yet acknowledged."
        );
        metrics::describe_counter!(
            "sluice_sink_record_read_total",
            "Records the sink task's consumer read from Kafka."
        );
        metrics::describe_counter!(
            "sluice_sink_record_send_total",
            "Records given to the sink task's put (after conversion; skipped records excluded)."
        );
        metrics::describe_gauge!(
            "sluice_sink_record_active_count",
            "Records given to put whose offsets are not committed yet (from partitions with a committed offset)."
        );
        metrics::describe_gauge!(
            "sluice_sink_partition_count",
            "Topic partitions assigned to the sink task."
        );
        metrics::describe_histogram!(
            "sluice_sink_put_batch_seconds",
            Unit::Seconds,
            "Time of a successful put of one batch."
        );
    });
}

/// What both loops report (Kafka's `connector-task-metrics`).
#[derive(Debug, Clone)]
pub(crate) struct TaskMetrics {
    status: [Gauge; STATUSES.len()],
    batch_size: Histogram,
    commit_seconds: Histogram,
    commit_completions: Counter,
    commit_failures: Counter,
}

impl TaskMetrics {
    fn new(id: &TaskId) -> Self {
        describe();
        let (connector, task) = labels(id);
        let status = STATUSES.map(|s| {
            metrics::gauge!("sluice_task_status", "connector" => connector.clone(), "task" => task.clone(), "status" => s)
        });
        TaskMetrics {
            status,
            batch_size: metrics::histogram!("sluice_batch_size", "connector" => connector.clone(), "task" => task.clone()),
            commit_seconds: metrics::histogram!("sluice_offset_commit_seconds", "connector" => connector.clone(), "task" => task.clone()),
            commit_completions: metrics::counter!("sluice_offset_commit_completion_total", "connector" => connector.clone(), "task" => task.clone()),
            commit_failures: metrics::counter!("sluice_offset_commit_failure_total", "connector" => connector, "task" => task),
        }
    }

    /// Shows `state` as the task's status.
    pub(crate) fn status(&self, state: &TaskState) {
        let current = match state {
            TaskState::Unassigned => "unassigned",
            TaskState::Running => "running",
            TaskState::Failed { .. } => "failed",
            TaskState::Stopped => "stopped",
        };
        for (gauge, name) in self.status.iter().zip(STATUSES) {
            gauge.set(if name == current { 1.0 } else { 0.0 });
        }
    }

    /// A batch of `n` records (empty batches are not recorded).
    pub(crate) fn batch(&self, n: usize) {
        if n > 0 {
            self.batch_size.record(n as f64);
        }
    }

    /// An offset commit that took `took` and succeeded or not.
    pub(crate) fn commit(&self, succeeded: bool, took: Duration) {
        self.commit_seconds.record(took);
        if succeeded {
            self.commit_completions.increment(1);
        } else {
            self.commit_failures.increment(1);
        }
    }
}

/// A source task's metrics (Kafka's `source-task-metrics`).
#[derive(Debug, Clone)]
pub(crate) struct SourceMetrics {
    pub(crate) task: TaskMetrics,
    polled: Counter,
    written: Counter,
    active_records: Gauge,
    active_bytes: Gauge,
}

impl SourceMetrics {
    /// Registers the handles of task `id`.
    pub(crate) fn new(id: &TaskId) -> Self {
        let task = TaskMetrics::new(id);
        let (connector, t) = labels(id);
        SourceMetrics {
            task,
            polled: metrics::counter!("sluice_source_record_poll_total", "connector" => connector.clone(), "task" => t.clone()),
            written: metrics::counter!("sluice_source_record_write_total", "connector" => connector.clone(), "task" => t.clone()),
            active_records: metrics::gauge!("sluice_source_record_active_count", "connector" => connector.clone(), "task" => t.clone()),
            active_bytes: metrics::gauge!("sluice_source_record_active_bytes", "connector" => connector, "task" => t),
        }
    }

    /// `poll` returned `n` records.
    pub(crate) fn polled(&self, n: usize) {
        self.polled.increment(n as u64);
        self.task.batch(n);
    }

    /// Kafka acknowledged `n` more records.
    pub(crate) fn written(&self, n: usize) {
        if n > 0 {
            self.written.increment(n as u64);
        }
    }

    /// `records` records of `bytes` bytes are in flight.
    pub(crate) fn in_flight(&self, records: usize, bytes: usize) {
        self.active_records.set(records as f64);
        self.active_bytes.set(bytes as f64);
    }
}

/// A sink task's metrics (Kafka's `sink-task-metrics`).
#[derive(Debug, Clone)]
pub(crate) struct SinkMetrics {
    pub(crate) task: TaskMetrics,
    read: Counter,
    sent: Counter,
    active: Gauge,
    partitions: Gauge,
    put_seconds: Histogram,
}

impl SinkMetrics {
    /// Registers the handles of task `id`.
    pub(crate) fn new(id: &TaskId) -> Self {
        let task = TaskMetrics::new(id);
        let (connector, t) = labels(id);
        SinkMetrics {
            task,
            read: metrics::counter!("sluice_sink_record_read_total", "connector" => connector.clone(), "task" => t.clone()),
            sent: metrics::counter!("sluice_sink_record_send_total", "connector" => connector.clone(), "task" => t.clone()),
            active: metrics::gauge!("sluice_sink_record_active_count", "connector" => connector.clone(), "task" => t.clone()),
            partitions: metrics::gauge!("sluice_sink_partition_count", "connector" => connector.clone(), "task" => t.clone()),
            put_seconds: metrics::histogram!("sluice_sink_put_batch_seconds", "connector" => connector, "task" => t),
        }
    }

    /// The consumer returned `n` records.
    pub(crate) fn read(&self, n: usize) {
        if n > 0 {
            self.read.increment(n as u64);
        }
    }

    /// `put` took `n` records in `took`.
    pub(crate) fn put(&self, n: usize, took: Duration) {
        self.task.batch(n);
        if n > 0 {
            self.sent.increment(n as u64);
            self.put_seconds.record(took);
        }
    }

    /// `n` records were put and not committed yet.
    pub(crate) fn active(&self, n: i64) {
        self.active.set(n as f64);
    }

    /// `n` partitions are assigned.
    pub(crate) fn partitions(&self, n: usize) {
        self.partitions.set(n as f64);
    }
}

/// The `connector` and `task` label values of `id`.
fn labels(id: &TaskId) -> (String, String) {
    (id.connector.clone(), id.task.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `f` with a Prometheus recorder of its own and returns the rendered text.
    fn rendered(f: impl FnOnce()) -> String {
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        metrics::with_local_recorder(&recorder, f);
        handle.render()
    }

    #[test]
    fn source_counters_add_batches_and_status_is_a_state_set() {
        let text = rendered(|| {
            let m = SourceMetrics::new(&TaskId::new("orders", 2));
            m.polled(3);
            m.polled(0);
            m.polled(4);
            m.written(5);
            m.in_flight(2, 100);
            m.task.status(&TaskState::Running);
            m.task.status(&TaskState::Failed { trace: "x".into() });
            m.task.commit(true, Duration::from_millis(5));
            m.task.commit(false, Duration::from_millis(5));
        });
        let l = r#"connector="orders",task="2""#;
        for line in [
            format!("sluice_source_record_poll_total{{{l}}} 7"),
            format!("sluice_source_record_write_total{{{l}}} 5"),
            format!("sluice_source_record_active_count{{{l}}} 2"),
            format!("sluice_source_record_active_bytes{{{l}}} 100"),
            format!("sluice_task_status{{{l},status=\"failed\"}} 1"),
            format!("sluice_task_status{{{l},status=\"running\"}} 0"),
            format!("sluice_offset_commit_completion_total{{{l}}} 1"),
            format!("sluice_offset_commit_failure_total{{{l}}} 1"),
            // Empty polls are not batches.
            format!("sluice_batch_size_count{{{l}}} 2"),
            format!("sluice_batch_size_sum{{{l}}} 7"),
        ] {
            assert!(
                text.lines().any(|t| t == line),
                "no line {line} in:\n{text}"
            );
        }
    }

    #[test]
    fn sink_counters() {
        let text = rendered(|| {
            let m = SinkMetrics::new(&TaskId::new("s3", 0));
            m.read(10);
            m.put(8, Duration::from_millis(3));
            m.put(0, Duration::from_millis(3));
            m.active(8);
            m.partitions(3);
        });
        let l = r#"connector="s3",task="0""#;
        for line in [
            format!("sluice_sink_record_read_total{{{l}}} 10"),
            format!("sluice_sink_record_send_total{{{l}}} 8"),
            format!("sluice_sink_record_active_count{{{l}}} 8"),
            format!("sluice_sink_partition_count{{{l}}} 3"),
            format!("sluice_sink_put_batch_seconds_count{{{l}}} 1"),
        ] {
            assert!(
                text.lines().any(|t| t == line),
                "no line {line} in:\n{text}"
            );
        }
    }
}
