//! Streaming: `pgoutput` messages from the slot turned into change events, transaction by
//! transaction.
//!
//! Per message: Relation messages (re)build the table's schemas when its columns differ
//! (a schema change becomes a new value schema on the next event); Insert → `c`; Update → `u`,
//! or delete + tombstone + create when the old key tuple shows a primary-key change; Delete →
//! `d` + tombstone; Truncate → `t` per captured table; Begin/Commit frame the transaction
//! (BEGIN/END metadata events, emitted lazily so transactions without captured changes stay
//! silent, as in Debezium); logical decoding messages → `m` records (see `messages.rs`, also
//! for their offsets). Offsets and the skipping of already stored events on resume are
//! argued in `offsets.rs`; the slot is confirmed only by the task, from stored offsets.
//!
//! # Sparse positions
//!
//! A change event carries its position (`stream_offset`) only once per
//! `sluice.offsets.every.events` events (64 by default), and the last event of every
//! transaction gets one when its COMMIT arrives (through [`Emitter::position_last`]; with
//! transaction metadata the END event carries the commit's position instead). The others carry
//! an empty offset, which the worker reads as "no new position" (see
//! `SourceRecord::source_offset`). Every position given is exactly the one the event had when
//! every event had one, so resuming from any stored position skips what `offsets.rs` argues;
//! a crash only re-sends up to that many − 1 more acknowledged events of the transaction (never
//! fewer: no loss). Why: building the ten-key offset map of every event was a few per cent of
//! the stream's CPU. A KeepAlive inside a transaction does not flush the batch, so the last
//! event is still there to take its position at COMMIT.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sluice_cdc::{Op, SnapshotMarker};
use tokio::sync::watch;

use super::config::PostgresConfig;
use super::emitter::{Emitter, Stopped};
use super::events::{EventBuilder, SourceInfo, TxBlock, now_micros};
use super::messages::{self, MessageEvents};
use super::offsets::{Resume, StreamPosition, stream_offset};
use super::tables::{TableId, TableSchema};
use crate::error::{Error, Result};
use crate::lsn::Lsn;
use crate::pgoutput::{ColumnValue, LogicalMessage, Message, OldTuple, Relation, TupleData};
use crate::replication::{ReplicationStream, StreamEvent, StreamOptions};

struct Txn {
    xid: i64,
    ts_us: i64,
    first_lsn: Option<Lsn>,
    total: i64,
    per_table: Vec<(String, i64)>,
    began: bool,
}

impl Txn {
    fn id(&self) -> String {
        format!("{}:{}", self.xid, self.first_lsn.map_or(0, |l| l.0))
    }

    /// Counts one event of `table`, returning (total order, data collection order).
    fn count(&mut self, table: &str) -> (i64, i64) {
        self.total += 1;
        let n = match self.per_table.iter_mut().find(|(t, _)| t == table) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                self.per_table.push((table.to_string(), 1));
                1
            }
        };
        (self.total, n)
    }
}

/// The streaming state of one task.
pub struct Streamer<'a> {
    config: &'a PostgresConfig,
    events: &'a EventBuilder,
    catalog: tokio_postgres::Client,
    relations: HashMap<u32, (Relation, Option<Arc<TableSchema>>)>,
    txn: Option<Txn>,
    last_commit: Option<Lsn>,
    resume: Resume,
    skipping: bool,
    last_emit: Instant,
    /// Change events since the last one given a position.
    unpositioned: u32,
    /// The position of the last change event, if it was not given one.
    pending: Option<StreamPosition>,
    /// Built at the first logical decoding message.
    messages: Option<MessageEvents>,
}

impl std::fmt::Debug for Streamer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Streamer")
            .field("last_commit", &self.last_commit)
            .finish_non_exhaustive()
    }
}

fn texts(tuple: &TupleData) -> (Vec<Option<&[u8]>>, Vec<bool>) {
    let values = tuple
        .0
        .iter()
        .map(|v| match v {
            ColumnValue::Text(b) | ColumnValue::Binary(b) => Some(b.as_ref()),
            ColumnValue::Null | ColumnValue::UnchangedToast => None,
        })
        .collect();
    let unchanged = tuple
        .0
        .iter()
        .map(|v| matches!(v, ColumnValue::UnchangedToast))
        .collect();
    (values, unchanged)
}

impl<'a> Streamer<'a> {
    /// A streamer that resumes after what `resume` says is stored; `catalog` is an ordinary
    /// connection used to read table definitions.
    pub fn new(
        config: &'a PostgresConfig,
        events: &'a EventBuilder,
        catalog: tokio_postgres::Client,
        resume: Resume,
        last_commit: Option<Lsn>,
    ) -> Self {
        Streamer {
            config,
            events,
            catalog,
            relations: HashMap::new(),
            txn: None,
            last_commit,
            resume,
            skipping: false,
            last_emit: Instant::now(),
            unpositioned: 0,
            pending: None,
            messages: None,
        }
    }

    /// Streams from `start` until the task stops (`Ok`) or an error ends it. `confirm` carries
    /// the positions the task may confirm to the slot.
    pub async fn run(
        &mut self,
        start: Lsn,
        mut confirm: watch::Receiver<Lsn>,
        emitter: &mut Emitter,
    ) -> Result<()> {
        let options = StreamOptions::new(
            &self.config.slot,
            vec![self.config.publication.clone()],
            start,
        )
        .with_status_interval(self.config.status_interval);
        let mut stream = ReplicationStream::start(&self.config.connection, options).await?;
        let tick = self
            .config
            .heartbeat_interval
            .unwrap_or(Duration::from_secs(3600));
        let mut heartbeat = tokio::time::interval(tick);
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                event = stream.recv() => {
                    let Some(event) = event? else { break };
                    let outcome = match event {
                        StreamEvent::Message(m) => self.on_message(m.wal_start, m.message, emitter).await?,
                        // Inside a transaction its COMMIT flushes (and may still give the
                        // last event its position, see "Sparse positions").
                        StreamEvent::KeepAlive { .. } if self.txn.is_some() => Ok(()),
                        StreamEvent::KeepAlive { .. } => emitter.flush().await,
                    };
                    if outcome == Err(Stopped) {
                        break;
                    }
                }
                changed = confirm.changed() => {
                    if changed.is_err() { break }
                    let lsn = *confirm.borrow_and_update();
                    stream.confirm_flushed(lsn);
                }
                _ = heartbeat.tick(), if self.config.heartbeat_interval.is_some() => {
                    if self.heartbeat(emitter).await? == Err(Stopped) { break }
                }
            }
        }
        // Best effort: the session ends either way; errors here lose nothing.
        let _ = stream.shutdown().await;
        Ok(())
    }

    async fn heartbeat(&mut self, emitter: &mut Emitter) -> Result<Result<(), Stopped>> {
        let Some(interval) = self.config.heartbeat_interval else {
            return Ok(Ok(()));
        };
        if self.txn.is_some() || self.last_emit.elapsed() < interval {
            return Ok(Ok(()));
        }
        if let Some(query) = &self.config.heartbeat_action_query {
            self.catalog.batch_execute(query).await.map_err(|e| {
                Error::from_postgres(
                    e,
                    "running heartbeat.action.query",
                    &self.config.connection.user,
                )
            })?;
        }
        let Some(lsn) = self.last_commit else {
            return Ok(Ok(()));
        };
        let pos = StreamPosition {
            lsn,
            lsn_commit: Some(lsn),
            tx_id: None,
            ts_usec: None,
            message_type: "HEARTBEAT",
        };
        let record = self.events.heartbeat(stream_offset(&pos, None))?;
        self.last_emit = Instant::now();
        if emitter.push(record).await.is_err() {
            return Ok(Err(Stopped));
        }
        Ok(emitter.flush().await)
    }

    async fn table(&mut self, relation_id: u32) -> Result<Option<Arc<TableSchema>>> {
        match self.relations.get(&relation_id) {
            Some((_, table)) => Ok(table.clone()),
            None => Err(Error::Protocol {
                command: "START_REPLICATION".into(),
                detail: format!(
                    "a change of relation {relation_id} arrived before its Relation message"
                ),
            }),
        }
    }

    async fn on_relation(&mut self, relation: Relation) -> Result<()> {
        let id = TableId {
            schema: relation.namespace.clone(),
            table: relation.name.clone(),
        };
        let incoming: Vec<String> = relation.columns.iter().map(|c| c.name.clone()).collect();
        let table = if self.config.captures(&id.schema, &id.table) {
            match self.relations.get(&relation.id) {
                Some((_, Some(t))) if t.incoming == incoming => Some(t.clone()),
                _ => Some(Arc::new(
                    TableSchema::load_streamed(
                        &self.catalog,
                        self.config,
                        &id,
                        &relation,
                        self.events.source_schema(),
                    )
                    .await?,
                )),
            }
        } else {
            None
        };
        self.relations.insert(relation.id, (relation, table));
        Ok(())
    }

    fn position(&self, lsn: Lsn, message_type: &'static str) -> StreamPosition {
        StreamPosition {
            lsn,
            lsn_commit: self.last_commit,
            tx_id: self.txn.as_ref().map(|t| t.xid),
            ts_usec: self.txn.as_ref().map(|t| t.ts_us),
            message_type,
        }
    }

    /// Starts an event of data collection `collection` (a table's `schema.table`) at `lsn`:
    /// BEGIN if first, counts; returns the source info, transaction block and offset.
    async fn begin_event(
        &mut self,
        collection: &str,
        lsn: Lsn,
        message_type: &'static str,
        emitter: &mut Emitter,
    ) -> Result<Result<(SourceInfo, Option<TxBlock>, sluice_api::OffsetMap), Stopped>> {
        let metadata = self.config.transaction_metadata;
        let Some(txn) = self.txn.as_mut() else {
            return Err(Error::Protocol {
                command: "START_REPLICATION".into(),
                detail: "a change arrived outside a transaction".into(),
            });
        };
        if txn.first_lsn.is_none() {
            txn.first_lsn = Some(lsn);
        }
        let mut begin = None;
        if metadata && !txn.began {
            txn.began = true;
            begin = Some((txn.id(), txn.ts_us));
        }
        let (total, order) = txn.count(collection);
        let block = metadata.then(|| TxBlock {
            id: txn.id(),
            total_order: total,
            data_collection_order: order,
        });
        self.unpositioned += 1;
        let positioned = self.unpositioned >= self.config.offsets_every_events;
        let orders = (metadata && positioned).then(|| txn.per_table.clone());
        let info = SourceInfo {
            ts_us: txn.ts_us,
            snapshot: SnapshotMarker::False,
            last_commit: self.last_commit,
            lsn,
            tx_id: Some(txn.xid),
        };
        let pos = self.position(lsn, message_type);
        if let Some((id, ts)) = begin {
            let begin_pos = self.position(lsn, "BEGIN");
            let record =
                self.events
                    .transaction(&id, ts, None, stream_offset(&begin_pos, Some(&[])))?;
            if emitter.push(record).await.is_err() {
                return Ok(Err(Stopped));
            }
        }
        let offset = if positioned {
            self.unpositioned = 0;
            self.pending = None;
            stream_offset(&pos, orders.as_deref())
        } else {
            self.pending = Some(pos);
            sluice_api::OffsetMap::new()
        };
        Ok(Ok((info, block, offset)))
    }

    fn skip(&self, lsn: Lsn) -> bool {
        self.skipping
            || self
                .txn
                .as_ref()
                .is_some_and(|t| self.resume.skips_event(t.xid, lsn))
    }

    async fn on_message(
        &mut self,
        wal_start: Option<Lsn>,
        message: Message,
        emitter: &mut Emitter,
    ) -> Result<Result<(), Stopped>> {
        let lsn = wal_start.unwrap_or_default();
        let skipped = self.config.skipped;
        let config = self.config;
        let placeholder = config.unavailable_placeholder.as_str();
        match message {
            Message::Begin(b) => {
                self.pending = None;
                self.skipping = self.resume.skips_transaction(b.final_lsn);
                self.txn = Some(Txn {
                    xid: i64::from(b.xid),
                    ts_us: pg_micros_to_unix(b.commit_time_micros),
                    first_lsn: None,
                    total: 0,
                    per_table: Vec::new(),
                    began: false,
                });
            }
            Message::Commit(c) => {
                let txn = self.txn.take();
                let was_skipping = std::mem::take(&mut self.skipping);
                // Without metadata, the transaction's last event takes its own position (with
                // metadata, the END event below carries the commit's).
                if let Some(pos) = self.pending.take()
                    && !txn.as_ref().is_some_and(|t| t.began)
                    && emitter.position_last(stream_offset(&pos, None))
                {
                    self.unpositioned = 0;
                }
                if let Some(txn) = txn.filter(|t| t.began && !was_skipping) {
                    let pos = StreamPosition {
                        lsn: c.end_lsn,
                        lsn_commit: Some(c.end_lsn),
                        tx_id: Some(txn.xid),
                        ts_usec: Some(txn.ts_us),
                        message_type: "COMMIT",
                    };
                    let id = format!("{}:{}", txn.xid, c.end_lsn.0);
                    let record = self.events.transaction(
                        &id,
                        txn.ts_us,
                        Some(&txn.per_table),
                        stream_offset(&pos, Some(&txn.per_table)),
                    )?;
                    if emitter.push(record).await.is_err() {
                        return Ok(Err(Stopped));
                    }
                }
                self.last_commit = Some(c.end_lsn);
                return Ok(emitter.flush().await);
            }
            Message::Relation(r) => self.on_relation(r).await?,
            Message::Insert(i) => {
                let Some(table) = self.table(i.relation_id).await? else {
                    return Ok(Ok(()));
                };
                if skipped.create || self.skip(lsn) {
                    return Ok(Ok(()));
                }
                let (values, unchanged) = texts(&i.new);
                let after = table.row(&values, &unchanged, placeholder)?;
                let (info, tx, offset) = match self
                    .begin_event(&table.qualified, lsn, "INSERT", emitter)
                    .await?
                {
                    Ok(v) => v,
                    Err(s) => return Ok(Err(s)),
                };
                let record =
                    self.events
                        .create(&table, Op::Create, after, &info, tx.as_ref(), offset)?;
                return Ok(self.push(emitter, vec![record]).await);
            }
            Message::Update(u) => {
                let Some(table) = self.table(u.relation_id).await? else {
                    return Ok(Ok(()));
                };
                if skipped.update || self.skip(lsn) {
                    return Ok(Ok(()));
                }
                let (values, unchanged) = texts(&u.new);
                let after = table.row(&values, &unchanged, placeholder)?;
                let before = match &u.old {
                    Some(OldTuple::Full(t)) => {
                        let (v, un) = texts(t);
                        Some(table.row(&v, &un, placeholder)?)
                    }
                    Some(OldTuple::Key(t)) => Some(table.key_only_row(&texts(t).0)?),
                    None => None,
                };
                let old_key = match &before {
                    Some(b) => table.key(b)?,
                    None => None,
                };
                let new_key = table.key(&after)?;
                let key_changed = old_key.is_some() && old_key != new_key;
                if key_changed {
                    let (Some(before), Some(old_key), Some(new_key)) = (before, old_key, new_key)
                    else {
                        return Ok(Ok(()));
                    };
                    let (info, tx, offset) = match self
                        .begin_event(&table.qualified, lsn, "UPDATE", emitter)
                        .await?
                    {
                        Ok(v) => v,
                        Err(s) => return Ok(Err(s)),
                    };
                    let mut records = self.events.delete(
                        &table,
                        before,
                        &info,
                        tx.as_ref(),
                        offset,
                        Some(&new_key),
                    )?;
                    let (info, tx, offset) = match self
                        .begin_event(&table.qualified, lsn, "UPDATE", emitter)
                        .await?
                    {
                        Ok(v) => v,
                        Err(s) => return Ok(Err(s)),
                    };
                    records.push(self.events.create_after_key_change(
                        &table,
                        after,
                        &old_key,
                        &info,
                        tx.as_ref(),
                        offset,
                    )?);
                    return Ok(self.push(emitter, records).await);
                }
                // Debezium shows `before` only when the old row is complete (REPLICA IDENTITY FULL).
                let before = match &u.old {
                    Some(OldTuple::Full(_)) => before,
                    _ => None,
                };
                let (info, tx, offset) = match self
                    .begin_event(&table.qualified, lsn, "UPDATE", emitter)
                    .await?
                {
                    Ok(v) => v,
                    Err(s) => return Ok(Err(s)),
                };
                let record =
                    self.events
                        .update(&table, before, after, &info, tx.as_ref(), offset)?;
                return Ok(self.push(emitter, vec![record]).await);
            }
            Message::Delete(d) => {
                let Some(table) = self.table(d.relation_id).await? else {
                    return Ok(Ok(()));
                };
                if skipped.delete || self.skip(lsn) {
                    return Ok(Ok(()));
                }
                let before = match &d.old {
                    OldTuple::Full(t) => {
                        let (v, un) = texts(t);
                        table.row(&v, &un, placeholder)?
                    }
                    OldTuple::Key(t) => table.key_only_row(&texts(t).0)?,
                };
                let (info, tx, offset) = match self
                    .begin_event(&table.qualified, lsn, "DELETE", emitter)
                    .await?
                {
                    Ok(v) => v,
                    Err(s) => return Ok(Err(s)),
                };
                let records =
                    self.events
                        .delete(&table, before, &info, tx.as_ref(), offset, None)?;
                return Ok(self.push(emitter, records).await);
            }
            Message::Truncate(t) => {
                if skipped.truncate || self.skip(lsn) {
                    return Ok(Ok(()));
                }
                for relation_id in t.relation_ids {
                    let Some(table) = self.table(relation_id).await? else {
                        continue;
                    };
                    let (info, tx, offset) = match self
                        .begin_event(&table.qualified, lsn, "TRUNCATE", emitter)
                        .await?
                    {
                        Ok(v) => v,
                        Err(s) => return Ok(Err(s)),
                    };
                    let record = self.events.truncate(&table, &info, tx.as_ref(), offset)?;
                    if let Err(s) = self.push(emitter, vec![record]).await {
                        return Ok(Err(s));
                    }
                }
            }
            Message::Message(m) => return self.on_logical_message(m, emitter).await,
            // Origins and types carry nothing Debezium emits.
            _ => {}
        }
        Ok(Ok(()))
    }

    /// A logical decoding message (see `messages.rs` for its record and offsets).
    async fn on_logical_message(
        &mut self,
        message: LogicalMessage,
        emitter: &mut Emitter,
    ) -> Result<Result<(), Stopped>> {
        if !self.config.emits_message(&message.prefix) {
            return Ok(Ok(()));
        }
        if self.messages.is_none() {
            self.messages = Some(MessageEvents::new(self.config, self.events)?);
        }
        if message.transactional {
            let position = messages::position_in_transaction(message.lsn);
            if self.skip(position) {
                return Ok(Ok(()));
            }
            let (mut info, tx, offset) = match self
                .begin_event(
                    messages::COLLECTION,
                    position,
                    messages::MESSAGE_TYPE,
                    emitter,
                )
                .await?
            {
                Ok(v) => v,
                Err(s) => return Ok(Err(s)),
            };
            info.lsn = message.lsn;
            let record = self.message_record(&message, &info, tx.as_ref(), offset)?;
            return Ok(self.push(emitter, vec![record]).await);
        }
        if self.txn.is_some() {
            // pgoutput sends a transaction whole at its commit; a version 1 session never
            // interleaves anything with it. Emitting here would make the message's offset
            // claim the open transaction as done.
            return Err(Error::Protocol {
                command: "START_REPLICATION".into(),
                detail: format!(
                    "a non-transactional logical decoding message (prefix '{}', LSN {}) arrived inside a transaction",
                    message.prefix, message.lsn
                ),
            });
        }
        if self.resume.skips_transaction(message.lsn) {
            return Ok(Ok(()));
        }
        // A commit of its own at its LSN (see `messages.rs`).
        self.last_commit = Some(message.lsn);
        let ts_us = now_micros().0;
        let info = SourceInfo {
            ts_us,
            snapshot: SnapshotMarker::False,
            last_commit: self.last_commit,
            lsn: message.lsn,
            tx_id: None,
        };
        let pos = StreamPosition {
            lsn: message.lsn,
            lsn_commit: self.last_commit,
            tx_id: None,
            ts_usec: Some(ts_us),
            message_type: messages::MESSAGE_TYPE,
        };
        let record = self.message_record(&message, &info, None, stream_offset(&pos, None))?;
        if self.push(emitter, vec![record]).await.is_err() {
            return Ok(Err(Stopped));
        }
        Ok(emitter.flush().await)
    }

    fn message_record(
        &self,
        message: &LogicalMessage,
        info: &SourceInfo,
        tx: Option<&TxBlock>,
        offset: sluice_api::OffsetMap,
    ) -> Result<sluice_api::SourceRecord> {
        let Some(builder) = self.messages.as_ref() else {
            return Err(Error::Protocol {
                command: "START_REPLICATION".into(),
                detail: "the logical decoding message schemas were not built".into(),
            });
        };
        builder.record(self.events, message, info, tx, offset)
    }

    async fn push(
        &mut self,
        emitter: &mut Emitter,
        records: Vec<sluice_api::SourceRecord>,
    ) -> Result<(), Stopped> {
        self.last_emit = Instant::now();
        for r in records {
            emitter.push(r).await?;
        }
        Ok(())
    }
}

/// PostgreSQL timestamps count microseconds from 2000-01-01; Unix from 1970-01-01.
fn pg_micros_to_unix(pg: i64) -> i64 {
    const PG_EPOCH_OFFSET_US: i64 = 946_684_800_000_000;
    pg.saturating_add(PG_EPOCH_OFFSET_US)
}
