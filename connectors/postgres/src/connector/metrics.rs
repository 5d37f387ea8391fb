//! The PostgreSQL source's metrics (Debezium's streaming and snapshot MBeans in Prometheus
//! style), each with the task's `connector` and `task` labels: events emitted, the reader
//! queue, how far behind the source the last acknowledged record is, the replication slot's
//! lag in bytes, and the snapshot's progress per table. Names and meanings are listed in
//! `docs/metrics.md`.
//!
//! Handles are registered once per task (per table for the snapshot): the reader adds whole
//! batches, so no label is hashed per record. The slot lag is read by a background poller on
//! an ordinary connection of its own, never on the replication connection.

use std::sync::Once;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use metrics::{Counter, Gauge, Unit};
use sluice_api::connector::TaskIdentity;
use tokio::task::JoinHandle;
use tracing::Instrument;

use super::config::PostgresConfig;

/// How often the slot lag is read.
pub const SLOT_LAG_INTERVAL: Duration = Duration::from_secs(10);
/// How often the slot-lag warning is repeated while the lag stays over the threshold.
const SLOT_LAG_WARN_EVERY: Duration = Duration::from_secs(300);

/// The bytes of WAL the slot still holds: written by the server and not confirmed by the task.
const SLOT_LAG_QUERY: &str = "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint \
     FROM pg_replication_slots WHERE slot_name = $1";

fn describe() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        metrics::describe_counter!(
            "sluice_postgres_events_total",
            "Records the PostgreSQL reader emitted (snapshot rows, changes, tombstones, transaction and heartbeat events)."
        );
        metrics::describe_gauge!(
            "sluice_postgres_queue_records",
            "Records the reader handed to the queue that the worker's poll has not taken yet."
        );
        metrics::describe_gauge!(
            "sluice_postgres_queue_capacity_records",
            "The queue's capacity in records (max.queue.size)."
        );
        metrics::describe_gauge!(
            "sluice_postgres_milliseconds_behind_source",
            Unit::Milliseconds,
            "Time from the source timestamp (commit time; snapshot start for snapshot rows) of the last record Kafka acknowledged to its acknowledgement."
        );
        metrics::describe_gauge!(
            "sluice_postgres_slot_lag_bytes",
            Unit::Bytes,
            "WAL bytes the replication slot retains: pg_current_wal_lsn() minus the slot's confirmed_flush_lsn."
        );
        metrics::describe_gauge!(
            "sluice_postgres_snapshot_running",
            "1 while the initial snapshot is being read, else 0."
        );
        metrics::describe_gauge!(
            "sluice_postgres_snapshot_rows_scanned",
            "Rows of the table read by the snapshot so far (by this run, for a resumed snapshot)."
        );
        metrics::describe_gauge!(
            "sluice_postgres_snapshot_rows_estimated",
            "The planner's row estimate of the table (pg_class.reltuples) when its snapshot began; absent when never analyzed."
        );
    });
}

/// The task's metric handles (cheap to clone: handles share their values).
#[derive(Debug, Clone)]
pub struct PgMetrics {
    connector: String,
    task: String,
    events: Counter,
    queue: Gauge,
    behind_source: Gauge,
    snapshot_running: Gauge,
}

impl PgMetrics {
    /// The handles of the task the worker named in `identity` (else task 0 of `connector`, the
    /// configuration's `name`), for a queue of `queue_capacity` records.
    pub fn new(identity: Option<&TaskIdentity>, connector: &str, queue_capacity: usize) -> Self {
        describe();
        let (connector, task) = match identity {
            Some(id) => (id.connector.clone(), id.task.to_string()),
            None => (connector.to_string(), "0".to_string()),
        };
        let labels = [("connector", connector.clone()), ("task", task.clone())];
        metrics::gauge!("sluice_postgres_queue_capacity_records", &labels)
            .set(queue_capacity as f64);
        PgMetrics {
            events: metrics::counter!("sluice_postgres_events_total", &labels),
            queue: metrics::gauge!("sluice_postgres_queue_records", &labels),
            behind_source: metrics::gauge!("sluice_postgres_milliseconds_behind_source", &labels),
            snapshot_running: metrics::gauge!("sluice_postgres_snapshot_running", &labels),
            connector,
            task,
        }
    }

    /// The reader is handing `n` records to the queue.
    pub(crate) fn enqueued(&self, n: usize) {
        self.queue.increment(n as f64);
    }

    /// The hand-off of `n` records did not happen (the task is stopping).
    pub(crate) fn not_enqueued(&self, n: usize) {
        self.queue.decrement(n as f64);
    }

    /// `n` records reached the queue.
    pub(crate) fn emitted(&self, n: usize) {
        self.events.increment(n as u64);
    }

    /// `poll` took `n` records from the queue.
    pub(crate) fn taken(&self, n: usize) {
        self.queue.decrement(n as f64);
    }

    /// Kafka acknowledged a record whose source timestamp is `ts_usec` (µs since the epoch).
    pub(crate) fn acknowledged(&self, ts_usec: i64) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX));
        self.behind_source
            .set((now.saturating_sub(ts_usec).max(0) / 1000) as f64);
    }

    /// Whether the snapshot is being read.
    pub fn snapshot_running(&self, running: bool) {
        self.snapshot_running.set(if running { 1.0 } else { 0.0 });
    }

    /// The progress handles of `table` (`schema.table`), whose estimated size is `estimate`.
    pub fn snapshot_table(&self, table: &str, estimate: Option<u64>) -> TableProgress {
        let labels = [
            ("connector", self.connector.clone()),
            ("task", self.task.clone()),
            ("table", table.to_string()),
        ];
        if let Some(e) = estimate {
            metrics::gauge!("sluice_postgres_snapshot_rows_estimated", &labels).set(e as f64);
        }
        let scanned = metrics::gauge!("sluice_postgres_snapshot_rows_scanned", &labels);
        scanned.set(0.0);
        TableProgress { scanned }
    }

    /// Starts reading the lag of `config`'s slot every [`SLOT_LAG_INTERVAL`] (the first time at
    /// once), warning when it exceeds `sluice.slot.lag.warn.bytes`. The poller stops when the
    /// returned guard is dropped.
    pub fn poll_slot_lag(&self, config: &PostgresConfig) -> SlotLagPoller {
        let slot = config.slot.clone();
        let labels = [
            ("connector", self.connector.clone()),
            ("task", self.task.clone()),
            ("slot", slot.clone()),
        ];
        let gauge = metrics::gauge!("sluice_postgres_slot_lag_bytes", &labels);
        let connection = config.connection.clone();
        let warn_over = config.slot_lag_warn_bytes;
        let poll = async move {
            let mut client = None;
            let mut warned: Option<Instant> = None;
            let mut every = tokio::time::interval(SLOT_LAG_INTERVAL);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                if client.is_none() {
                    match connection.connect("reading the replication slot lag").await {
                        Ok(c) => client = Some(c),
                        Err(e) => {
                            tracing::debug!(error = %e, "Cannot read the replication slot lag now.");
                            continue;
                        }
                    }
                }
                let Some(c) = client.as_ref() else { continue };
                let lag: i64 = match c.query_opt(SLOT_LAG_QUERY, &[&slot]).await {
                    Ok(Some(row)) => match row.try_get::<_, Option<i64>>(0) {
                        Ok(Some(lag)) => lag,
                        // No confirmed position yet (a slot being created).
                        _ => continue,
                    },
                    // The slot does not exist (yet): the reader creates it.
                    Ok(None) => continue,
                    Err(e) => {
                        tracing::debug!(error = %e, "Cannot read the replication slot lag now.");
                        if c.is_closed() {
                            client = None;
                        }
                        continue;
                    }
                };
                gauge.set(lag as f64);
                warned = warn(&slot, lag, warn_over, warned);
            }
        };
        SlotLagPoller(tokio::spawn(poll.instrument(tracing::Span::current())))
    }
}

/// Logs the slot-lag warning when `lag` exceeds `threshold` (again every
/// [`SLOT_LAG_WARN_EVERY`] while it does), and when it is back under; returns when it last
/// warned (`None`: under the threshold).
fn warn(slot: &str, lag: i64, threshold: Option<u64>, warned: Option<Instant>) -> Option<Instant> {
    let threshold = threshold?;
    if u64::try_from(lag).unwrap_or(0) <= threshold {
        if warned.is_some() {
            tracing::info!(
                slot,
                lag_bytes = lag,
                threshold_bytes = threshold,
                "The replication slot's lag is back under sluice.slot.lag.warn.bytes."
            );
        }
        return None;
    }
    if warned.is_some_and(|t| t.elapsed() < SLOT_LAG_WARN_EVERY) {
        return warned;
    }
    tracing::warn!(
        slot,
        lag_bytes = lag,
        threshold_bytes = threshold,
        "The replication slot retains more WAL than sluice.slot.lag.warn.bytes: the server \
         keeps this WAL until the connector confirms it. Check that the task runs and that \
         Kafka accepts its records; an abandoned slot must be dropped."
    );
    Some(Instant::now())
}

/// One table's snapshot progress.
#[derive(Debug)]
pub struct TableProgress {
    scanned: Gauge,
}

impl TableProgress {
    /// `n` more rows of the table were read.
    pub fn add(&self, n: u64) {
        self.scanned.increment(n as f64);
    }
}

/// The slot-lag poller; dropping it stops the polling.
#[derive(Debug)]
pub struct SlotLagPoller(JoinHandle<()>);

impl Drop for SlotLagPoller {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warns_over_the_threshold_and_not_again_at_once() {
        assert_eq!(warn("s", 10, None, None), None);
        assert_eq!(warn("s", 10, Some(10), None), None);
        let first = warn("s", 11, Some(10), None);
        assert!(first.is_some());
        assert_eq!(warn("s", 12, Some(10), first), first);
        assert_eq!(warn("s", 5, Some(10), first), None);
    }

    #[test]
    fn the_queue_gauge_follows_hand_offs() {
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        metrics::with_local_recorder(&recorder, || {
            let id = TaskIdentity {
                connector: "pg".into(),
                task: 0,
            };
            let m = PgMetrics::new(Some(&id), "ignored", 2048);
            m.enqueued(100);
            m.emitted(100);
            m.enqueued(50);
            m.not_enqueued(50);
            m.taken(60);
            let p = m.snapshot_table("public.items", Some(1000));
            p.add(400);
            p.add(600);
        });
        let text = handle.render();
        for line in [
            r#"sluice_postgres_events_total{connector="pg",task="0"} 100"#,
            r#"sluice_postgres_queue_records{connector="pg",task="0"} 40"#,
            r#"sluice_postgres_queue_capacity_records{connector="pg",task="0"} 2048"#,
            r#"sluice_postgres_snapshot_rows_scanned{connector="pg",task="0",table="public.items"} 1000"#,
            r#"sluice_postgres_snapshot_rows_estimated{connector="pg",task="0",table="public.items"} 1000"#,
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "no line {line} in:\n{text}"
            );
        }
    }
}
