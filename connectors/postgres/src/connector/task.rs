//! `PostgresConnectorTask`: the source task. A background reader (setup, snapshot, stream)
//! fills a bounded queue that `poll` drains; `commit` confirms positions to the slot.
//!
//! # Confirming the slot
//!
//! `commit_record` sees each record Kafka acknowledged, in order; `commit` is called once the
//! offsets of every acknowledged record are stored. Only then is the highest acknowledged
//! record's `lsn` sent to the reader, which confirms it to the server. Confirming an event's
//! own LSN is safe mid-transaction: PostgreSQL re-sends every transaction committing after the
//! confirmed position, and a transaction committing at or before it was delivered — and so
//! acknowledged — before this event (the stream is in commit order).
//!
//! During a snapshot nothing moves the slot: every snapshot record's `lsn` is the consistent
//! point, so the highest acknowledged `lsn` is at most that point, and the reader only reads
//! the confirmed positions once it streams. The slot of an unfinished snapshot therefore stays
//! at its consistent point, which is what lets a restart resume the snapshot on the same slot
//! (see `offsets.rs`).

use std::time::Duration;

use sluice_api::connector::{
    ConnectError, ConnectResult, RecordMetadata, SourceTask, SourceTaskContext, TaskConfig,
};
use sluice_api::{OffsetMap, SourceRecord};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::config::PostgresConfig;
use super::emitter::{Batch, Emitter};
use super::events::EventBuilder;
use super::metrics::{PgMetrics, SlotLagPoller};
use super::offsets::Resume;
use super::setup;
use super::snapshot_start::SnapshotReader;
use super::snapshotter::{self, Outcome, Snapshot};
use super::streamer::Streamer;
use super::tables::captured_tables;
use crate::error::{Error, Result};
use crate::lsn::Lsn;
use crate::slot::{create_slot_with_snapshot, drop_slot};

struct Running {
    rx: mpsc::Receiver<Batch>,
    confirm: watch::Sender<Lsn>,
    acked: Option<Lsn>,
    reader: JoinHandle<()>,
    config: PostgresConfig,
    done: bool,
    metrics: PgMetrics,
    /// The source timestamp (`ts_usec`) of the last record acknowledged since the last poll.
    acked_ts: Option<i64>,
    _slot_lag: SlotLagPoller,
}

/// The PostgreSQL source task (see the module doc).
#[derive(Default)]
pub struct PostgresConnectorTask {
    running: Option<Running>,
}

impl std::fmt::Debug for PostgresConnectorTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresConnectorTask")
            .field("running", &self.running.is_some())
            .finish()
    }
}

pub(crate) fn connect_error(e: Error) -> ConnectError {
    let message = e.to_string();
    if e.is_transient() {
        ConnectError::retriable_with(message, e)
    } else {
        ConnectError::definite_with(message, e)
    }
}

impl SourceTask for PostgresConnectorTask {
    async fn start(&mut self, props: TaskConfig, ctx: SourceTaskContext) -> ConnectResult<()> {
        let config = PostgresConfig::parse(&props)?;
        let events = EventBuilder::new(
            &config.prefix,
            &config.delimiter,
            &config.transaction_topic_suffix,
            &config.heartbeat_prefix,
            &config.connection.database,
            config.tombstones_on_delete,
        )
        .map_err(connect_error)?;
        let stored = ctx.offset_reader().offset(events.partition()).await?;
        let metrics = PgMetrics::new(ctx.identity(), &config.prefix, config.max_queue_size);
        let (emitter, rx) = Emitter::channel(
            config.max_batch_size,
            config.max_queue_size,
            metrics.clone(),
        );
        let (confirm, confirm_rx) = watch::channel(Lsn::default());
        let span = tracing::info_span!("postgres", connector = %config.prefix, task = 0);
        let reader_config = config.clone();
        let reader = tokio::spawn(tracing::Instrument::instrument(
            async move {
                let mut emitter = emitter;
                if let Err(e) =
                    read(&reader_config, &events, stored, confirm_rx, &mut emitter).await
                {
                    tracing::error!(error = %e, "The PostgreSQL reader failed.");
                    emitter.fail(e).await;
                }
            },
            span,
        ));
        self.running = Some(Running {
            rx,
            confirm,
            acked: None,
            reader,
            _slot_lag: metrics.poll_slot_lag(&config),
            config,
            done: false,
            metrics,
            acked_ts: None,
        });
        Ok(())
    }

    async fn poll(&mut self) -> ConnectResult<Vec<SourceRecord>> {
        let Some(r) = self.running.as_mut() else {
            return Ok(Vec::new());
        };
        if let Some(ts) = r.acked_ts.take() {
            r.metrics.acknowledged(ts);
        }
        if r.done {
            tokio::time::sleep(Duration::from_millis(500)).await;
            return Ok(Vec::new());
        }
        match tokio::time::timeout(Duration::from_millis(500), r.rx.recv()).await {
            Err(_) => Ok(Vec::new()),
            Ok(Some(Ok(batch))) => {
                r.metrics.taken(batch.len());
                Ok(batch)
            }
            Ok(Some(Err(e))) => Err(connect_error(e)),
            Ok(None) => {
                // The reader finished (initial_only after its snapshot).
                r.done = true;
                Ok(Vec::new())
            }
        }
    }

    fn commit_record(
        &mut self,
        record: &SourceRecord,
        metadata: Option<&RecordMetadata>,
    ) -> ConnectResult<()> {
        let Some(r) = self.running.as_mut() else {
            return Ok(());
        };
        // The record's `lsn` (snapshot records carry the consistent point) and `ts_usec`.
        // Called for every record: one pass over the offset's few entries instead of two
        // hashed lookups (SipHash of the keys showed in the streaming profile).
        let (mut lsn, mut ts) = (None, None);
        for (k, v) in &record.source_offset {
            match k.as_str() {
                "lsn" => lsn = v.as_i64().and_then(|v| u64::try_from(v).ok()).map(Lsn),
                "ts_usec" => ts = v.as_i64(),
                _ => {}
            }
        }
        if metadata.is_some() && ts.is_some() {
            r.acked_ts = ts;
        }
        if let Some(lsn) = lsn {
            r.acked = Some(r.acked.map_or(lsn, |a| a.max(lsn)));
        }
        Ok(())
    }

    async fn commit(&mut self) -> ConnectResult<()> {
        if let Some((r, lsn)) = self.running.as_ref().and_then(|r| r.acked.map(|a| (r, a))) {
            r.confirm.send_replace(lsn);
        }
        Ok(())
    }

    async fn stop(&mut self) -> ConnectResult<()> {
        let Some(r) = self.running.take() else {
            return Ok(());
        };
        let Running {
            rx,
            confirm,
            mut reader,
            config,
            ..
        } = r;
        drop(rx);
        drop(confirm);
        if tokio::time::timeout(Duration::from_secs(10), &mut reader)
            .await
            .is_err()
        {
            reader.abort();
        }
        if config.drop_slot_on_stop {
            drop_slot(&config.connection, &config.slot)
                .await
                .map_err(connect_error)?;
        }
        Ok(())
    }
}

/// The reader: setup, snapshot if needed, then streaming until the task stops.
async fn read(
    config: &PostgresConfig,
    events: &EventBuilder,
    stored: Option<OffsetMap>,
    confirm: watch::Receiver<Lsn>,
    emitter: &mut Emitter,
) -> Result<()> {
    let client = config
        .connection
        .connect("connecting to capture changes")
        .await?;
    setup::check_server(&client, config).await?;
    let tables = captured_tables(&client, config).await?;
    setup::ensure_publication(&client, config, &tables).await?;
    let mut resume = stored.as_ref().map(Resume::from_offset);
    let mut plan = setup::plan(config, resume.as_ref()).await?;
    if let Some(p) = &plan.resume_snapshot
        && snapshotter::resume_index(&tables, p).is_none()
    {
        tracing::warn!(
            table = %p.table.qualified(),
            "The unfinished snapshot stopped at a table that is no longer captured; taking a new snapshot."
        );
        plan.resume_snapshot = None;
    }
    tracing::info!(
        ?plan,
        tables = tables.len(),
        "Starting the PostgreSQL source."
    );
    let mut start = resume.as_ref().and_then(|r| r.lsn).unwrap_or_default();
    if plan.snapshot {
        // A resumed snapshot keeps the slot, still at the stored consistent point (`start`); a
        // new one recreates it so the new snapshot is the one it exports (see `offsets.rs`).
        let reader = match (&plan.resume_snapshot, resume.as_ref().and_then(|r| r.lsn)) {
            (Some(_), Some(lsn)) => SnapshotReader::resumed(config, lsn).await?,
            _ => SnapshotReader::new_slot(config, plan.slot_exists).await?,
        };
        start = reader.lsn;
        let snapshot = Snapshot {
            client: reader.client(),
            config,
            events,
            lsn: reader.lsn,
            tx_id: reader.tx_id,
        };
        let from = plan.resume_snapshot.as_ref();
        emitter.metrics().snapshot_running(true);
        let outcome = snapshotter::run(&snapshot, &tables, from, emitter).await?;
        emitter.metrics().snapshot_running(false);
        reader.commit().await?;
        if outcome == Outcome::Stopped {
            return Ok(());
        }
        // Snapshot offsets say nothing about streaming: it starts at the consistent point.
        resume = None;
    } else if !plan.slot_exists {
        let slot = create_slot_with_snapshot(&config.connection, &config.slot).await?;
        start = slot.consistent_point;
        slot.release();
    }
    if !plan.stream {
        tracing::info!("snapshot.mode=initial_only: not streaming.");
        return Ok(());
    }
    let last_commit = resume.as_ref().and_then(|r| r.done_through);
    let mut streamer = Streamer::new(
        config,
        events,
        client,
        resume.unwrap_or_default(),
        last_commit,
    );
    streamer.run(start, confirm, emitter).await
}
