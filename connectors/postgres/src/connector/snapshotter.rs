//! The initial snapshot: every captured table read through one consistent snapshot, as `op: r`
//! events with Debezium's `source.snapshot` markers.
//!
//! A new snapshot reads the snapshot exported by the slot's creation (a redone snapshot
//! recreates the slot), so streaming from the slot's consistent point continues exactly where
//! the snapshot ends (see the crate doc). A resumed snapshot reads a fresh snapshot from the
//! stored table and key on; why that loses nothing is argued in `offsets.rs`.
//!
//! Tables are read in (schema, table) order. A table with a primary key is read in key order in
//! chunks of `snapshot.fetch.size` rows (keyset pagination, see `keyset.rs`), and a record's
//! offset names the table and the key of its row — every [`OFFSET_EVERY_ROWS`] rows and at the
//! end of each table; the rows between give no new position — so an interrupted snapshot
//! resumes after the last stored position. A table without a primary key, or with a
//! `snapshot.select.statement.overrides` query, is read whole through a server-side cursor,
//! `snapshot.fetch.size` rows per round trip; its records' offsets name only the table, so a
//! resumed snapshot reads it again from its first row. Either way memory stays bounded whatever
//! the table size. Markers need one record of look-ahead (`last_in_data_collection`, `last`),
//! so each row is held until the next one is read. A resumed snapshot emits no `first` marker:
//! its first record continues a snapshot that already began.
//!
//! Progress (rows read of each table against the planner's estimate, `pg_class.reltuples`) is
//! logged every [`PROGRESS_INTERVAL`] and when a table is done.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use sluice_api::{OffsetMap, Struct};
use sluice_cdc::{Op, SnapshotMarker};
use tokio_postgres::{SimpleQueryMessage, SimpleQueryRow};

use super::config::PostgresConfig;
use super::emitter::{Emitter, Stopped};
use super::events::{EventBuilder, SourceInfo};
use super::keyset::{PrimaryKey, primary_key};
use super::offsets::{KeyValues, SnapshotPosition, snapshot_offset};
use super::tables::{TableId, TableSchema};
use crate::error::{Error, Result};
use crate::lsn::Lsn;

/// A snapshot row carries its full offset (its position) only every this many rows, and at the
/// end of each table; the rows between carry an empty offset, which the worker reads as "no new
/// position" (see `SourceRecord::source_offset`). Building the ten-field offset was the largest
/// allocation of a snapshot row (8 % of the snapshot's CPU in `perf`). A crash replays at most
/// this many rows more than with an offset per row: the resumed snapshot starts after the last
/// stored position, which is never after a row that was not durably in Kafka.
pub const OFFSET_EVERY_ROWS: u64 = 64;

/// How often the progress of the table being read is logged.
pub const PROGRESS_INTERVAL: Duration = Duration::from_secs(10);

/// How a snapshot ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every table was read; this many rows (by this run, for a resumed snapshot).
    Done(u64),
    /// The task is stopping.
    Stopped,
}

/// What a snapshot reads through and stamps on its records.
#[derive(Debug, Clone, Copy)]
pub struct Snapshot<'a> {
    /// A connection inside the snapshot transaction.
    pub client: &'a tokio_postgres::Client,
    /// The connector's configuration.
    pub config: &'a PostgresConfig,
    /// The record builder.
    pub events: &'a EventBuilder,
    /// Where streaming continues after the snapshot (every record's `lsn`).
    pub lsn: Lsn,
    /// The snapshot transaction's id.
    pub tx_id: i64,
}

/// The index in `tables` of the table a stored position names, `None` when it is no longer
/// captured.
pub fn resume_index(tables: &[TableId], position: &SnapshotPosition) -> Option<usize> {
    tables.iter().position(|t| *t == position.table)
}

struct Pending {
    table: usize,
    /// The row's number in this run of the snapshot, from 0.
    seq: u64,
    row: Struct,
    key: Option<Vec<String>>,
    first_overall: bool,
    first_in_table: bool,
}

/// The tables read so far and the row held back for look-ahead.
struct Emitting<'s, 'a> {
    snapshot: &'s Snapshot<'a>,
    ts_us: i64,
    schemas: Vec<TableSchema>,
    /// Per entry of `schemas`: the position its records carry (the key values set per row).
    positions: Vec<SnapshotPosition>,
    pending: Option<Pending>,
    rows: u64,
    resumed: bool,
}

impl Emitting<'_, '_> {
    /// Emits the held row, now that the next one (of table `next_table`, `None`: none) is known.
    async fn release(
        &mut self,
        next_table: Option<usize>,
        emitter: &mut Emitter,
    ) -> Result<Result<(), Stopped>> {
        let Some(p) = self.pending.take() else {
            return Ok(Ok(()));
        };
        let last_overall = next_table.is_none();
        let last_in_table = next_table != Some(p.table);
        // Debezium's precedence: last, first, last in the table, first in the table (so a
        // one-row snapshot is "last" and a one-row table "last_in_data_collection").
        let marker = if last_overall {
            SnapshotMarker::Last
        } else if p.first_overall {
            SnapshotMarker::First
        } else if last_in_table {
            SnapshotMarker::LastInDataCollection
        } else if p.first_in_table {
            SnapshotMarker::FirstInDataCollection
        } else {
            SnapshotMarker::True
        };
        let s = self.snapshot;
        let info = SourceInfo {
            ts_us: self.ts_us,
            snapshot: marker,
            last_commit: None,
            lsn: s.lsn,
            tx_id: Some(s.tx_id),
        };
        let offset = if last_overall {
            snapshot_offset(s.lsn, s.tx_id, self.ts_us, true, None)
        } else if last_in_table || p.seq % OFFSET_EVERY_ROWS == 0 {
            let position = &mut self.positions[p.table];
            if let (Some(after), Some(key)) = (position.after.as_mut(), p.key) {
                after.values = key;
            }
            snapshot_offset(s.lsn, s.tx_id, self.ts_us, false, Some(position))
        } else {
            // No new position (see `OFFSET_EVERY_ROWS`).
            OffsetMap::new()
        };
        let record =
            s.events
                .create(&self.schemas[p.table], Op::Read, p.row, &info, None, offset)?;
        Ok(emitter.push(record).await)
    }

    /// Holds `row` of table `table` back, emitting the previously held one.
    async fn hold(
        &mut self,
        table: usize,
        row: Struct,
        key: Option<Vec<String>>,
        first_in_table: bool,
        emitter: &mut Emitter,
    ) -> Result<Result<(), Stopped>> {
        if let Err(s) = self.release(Some(table), emitter).await? {
            return Ok(Err(s));
        }
        self.pending = Some(Pending {
            table,
            seq: self.rows,
            row,
            key,
            first_overall: self.rows == 0 && !self.resumed,
            first_in_table,
        });
        self.rows += 1;
        Ok(Ok(()))
    }
}

/// How one table's rows are fetched.
enum Reader {
    /// The whole table (or the override query) through a server-side cursor.
    Cursor { query: String, open: bool },
    /// Primary-key order, one chunk per query, after `after`.
    Keyset {
        key: PrimaryKey,
        after: Option<Vec<String>>,
    },
}

impl Reader {
    /// The next chunk of at most `size` rows; fewer means the table is done.
    async fn next(
        &mut self,
        client: &tokio_postgres::Client,
        table: &TableId,
        size: usize,
    ) -> std::result::Result<Vec<SimpleQueryMessage>, tokio_postgres::Error> {
        match self {
            Reader::Cursor { query, open } => {
                if !*open {
                    client
                        .batch_execute(&format!(
                            "DECLARE sluice_snapshot NO SCROLL CURSOR FOR {query}"
                        ))
                        .await?;
                    *open = true;
                }
                client
                    .simple_query(&format!("FETCH FORWARD {size} FROM sluice_snapshot"))
                    .await
            }
            Reader::Keyset { key, after } => {
                client
                    .simple_query(&key.chunk_query(table, after.as_deref(), size))
                    .await
            }
        }
    }

    async fn close(
        &mut self,
        client: &tokio_postgres::Client,
    ) -> Result<(), tokio_postgres::Error> {
        match self {
            Reader::Cursor { open: true, .. } => {
                client.batch_execute("CLOSE sluice_snapshot").await
            }
            _ => Ok(()),
        }
    }
}

/// The progress of one table, logged every [`PROGRESS_INTERVAL`].
struct Progress {
    table: String,
    estimate: Option<u64>,
    rows: u64,
    started: Instant,
    logged: Instant,
}

impl Progress {
    fn new(table: String, estimate: Option<u64>) -> Progress {
        let now = Instant::now();
        Progress {
            table,
            estimate,
            rows: 0,
            started: now,
            logged: now,
        }
    }

    fn add(&mut self, rows: u64) {
        self.rows += rows;
        if self.logged.elapsed() >= PROGRESS_INTERVAL {
            self.logged = Instant::now();
            self.log("Snapshot progress.");
        }
    }

    fn log(&self, message: &str) {
        let seconds = self.started.elapsed().as_secs_f64();
        let rate = if seconds > 0.0 {
            self.rows as f64 / seconds
        } else {
            0.0
        };
        match self.estimate {
            Some(estimate) => tracing::info!(
                table = %self.table,
                rows = self.rows,
                estimated_rows = estimate,
                percent = %format!("{:.1}", 100.0 * self.rows as f64 / estimate.max(1) as f64),
                rows_per_second = rate.round(),
                "{message}"
            ),
            None => tracing::info!(
                table = %self.table,
                rows = self.rows,
                estimated_rows = "unknown (never analyzed)",
                rows_per_second = rate.round(),
                "{message}"
            ),
        }
    }
}

/// The planner's row estimate of `id` (summed over partitions), `None` when never analyzed.
async fn estimated_rows(s: &Snapshot<'_>, id: &TableId) -> Result<Option<u64>> {
    let row = s
        .client
        .query_one(
            "WITH t AS (SELECT format('%I.%I', $1::text, $2::text)::regclass::oid AS oid)
             SELECT sum(greatest(c.reltuples, 0))::float8, bool_or(c.reltuples >= 0)
               FROM pg_class c, t
              WHERE c.relkind <> 'p'
                AND (c.oid = t.oid OR c.oid IN (SELECT relid FROM pg_partition_tree(t.oid)))",
            &[&id.schema, &id.table],
        )
        .await
        .map_err(|e| {
            Error::from_postgres(
                e,
                &format!("reading the row estimate of {}", id.qualified()),
                &s.config.connection.user,
            )
        })?;
    let known: Option<bool> = row.get(1);
    let estimate: Option<f64> = row.get(0);
    Ok(estimate.filter(|_| known == Some(true)).map(|e| e as u64))
}

/// `col=value, …` for logs.
fn describe(key: &KeyValues) -> String {
    key.columns
        .iter()
        .zip(&key.values)
        .map(|(c, v)| format!("{c}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads `tables` (from `from` on, when resuming) through `s`.
pub async fn run(
    s: &Snapshot<'_>,
    tables: &[TableId],
    from: Option<&SnapshotPosition>,
    emitter: &mut Emitter,
) -> Result<Outcome> {
    let ts_us = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
        .unwrap_or_default();
    let first = match from {
        None => 0,
        Some(p) => resume_index(tables, p).ok_or_else(|| Error::Protocol {
            command: "resuming the snapshot".into(),
            detail: format!("table {} is no longer captured", p.table.qualified()),
        })?,
    };
    let mut state = Emitting {
        snapshot: s,
        ts_us,
        schemas: Vec::new(),
        positions: Vec::new(),
        pending: None,
        rows: 0,
        resumed: from.is_some(),
    };
    for (index, id) in tables.iter().enumerate().skip(first) {
        let resume = from.filter(|_| index == first);
        if read_table(&mut state, id, resume, emitter).await? == Err(Stopped) {
            return Ok(Outcome::Stopped);
        }
    }
    if state.release(None, emitter).await? == Err(Stopped) || emitter.flush().await == Err(Stopped)
    {
        return Ok(Outcome::Stopped);
    }
    tracing::info!(
        rows = state.rows,
        tables = tables.len() - first,
        resumed = from.is_some(),
        "Snapshot completed."
    );
    Ok(Outcome::Done(state.rows))
}

/// Reads one table; `resume` is the stored position when the snapshot resumes at this table.
async fn read_table(
    state: &mut Emitting<'_, '_>,
    id: &TableId,
    resume: Option<&SnapshotPosition>,
    emitter: &mut Emitter,
) -> Result<Result<(), Stopped>> {
    let s = state.snapshot;
    let config = s.config;
    let user = &config.connection.user;
    let overridden = config.snapshot_override(&id.schema, &id.table);
    let key = match overridden {
        Some(_) => None,
        None => primary_key(s.client, id, user).await?,
    };
    let mut after = None;
    if let Some(p) = resume {
        match (&p.after, &key) {
            (Some(stored), Some(k)) if stored.columns == k.columns => {
                tracing::info!(
                    table = %id.qualified(),
                    key = %describe(stored),
                    "Resuming the snapshot of table {} after key ({}).",
                    id.qualified(),
                    describe(stored)
                );
                after = Some(stored.values.clone());
            }
            (Some(stored), _) => tracing::warn!(
                table = %id.qualified(),
                "Resuming the snapshot of table {}: its primary key is no longer ({}), so it is read again from its first row.",
                id.qualified(),
                stored.columns.join(", ")
            ),
            (None, _) => tracing::info!(
                table = %id.qualified(),
                "Resuming the snapshot at table {}, from its first row (it was being read whole).",
                id.qualified()
            ),
        }
    }
    let mut reader = match key.clone() {
        Some(key) => Reader::Keyset { key, after },
        None => Reader::Cursor {
            query: overridden
                .map_or_else(|| format!("SELECT * FROM {}", id.quoted()), str::to_string),
            open: false,
        },
    };
    let mut progress = Progress::new(id.qualified(), estimated_rows(s, id).await?);
    let scanned = emitter
        .metrics()
        .snapshot_table(&id.qualified(), progress.estimate);
    tracing::info!(
        table = %id.qualified(),
        estimated_rows = progress.estimate,
        order = if key.is_some() { "primary key" } else { "whole table" },
        "Snapshotting table."
    );
    let context = format!("reading {} for the snapshot", id.qualified());
    let sql_err = |e| Error::from_postgres(e, &context, user);
    let size = config.snapshot_fetch_size;
    // Set by the first row: the table's index in `state.schemas` and where its key columns are.
    let mut table: Option<(usize, Option<Vec<usize>>)> = None;
    let mut first_in_table = true;
    loop {
        let messages = reader.next(s.client, id, size).await.map_err(sql_err)?;
        let mut last: Option<&SimpleQueryRow> = None;
        let mut fetched = 0usize;
        for m in &messages {
            let SimpleQueryMessage::Row(row) = m else {
                continue;
            };
            fetched += 1;
            if table.is_none() {
                table = Some(start_table(state, id, row, key.as_ref()).await?);
            }
            let Some((index, key_at)) = &table else {
                continue;
            };
            let index = *index;
            let schema = &state.schemas[index];
            let values: Vec<Option<&[u8]>> = (0..schema.width)
                .map(|i| row.get(i).map(str::as_bytes))
                .collect();
            let struct_row = schema.row(&values, &[], &config.unavailable_placeholder)?;
            let key_values = key_at.as_ref().map(|at| key_text(row, at));
            if let Err(stop) = state
                .hold(index, struct_row, key_values, first_in_table, emitter)
                .await?
            {
                return Ok(Err(stop));
            }
            first_in_table = false;
            last = Some(row);
        }
        progress.add(fetched as u64);
        scanned.add(fetched as u64);
        if let (Reader::Keyset { after, .. }, Some(row), Some((_, Some(at)))) =
            (&mut reader, last, &table)
        {
            *after = Some(key_text(row, at));
        }
        if fetched < size {
            break;
        }
    }
    reader.close(s.client).await.map_err(sql_err)?;
    progress.log("Snapshotted table.");
    Ok(Ok(()))
}

/// The text of a row's key columns (never NULL in a primary key).
fn key_text(row: &SimpleQueryRow, at: &[usize]) -> Vec<String> {
    at.iter()
        .map(|&i| row.get(i).unwrap_or_default().to_string())
        .collect()
}

/// On a table's first row: loads its schema (for the columns the query returns), registers its
/// position, and finds its key columns among the returned ones.
async fn start_table(
    state: &mut Emitting<'_, '_>,
    id: &TableId,
    row: &SimpleQueryRow,
    key: Option<&PrimaryKey>,
) -> Result<(usize, Option<Vec<usize>>)> {
    let s = state.snapshot;
    let names: Vec<String> = row.columns().iter().map(|c| c.name().to_string()).collect();
    let key_at = match key {
        None => None,
        Some(k) => Some(
            k.columns
                .iter()
                .map(|c| {
                    names
                        .iter()
                        .position(|n| n == c)
                        .ok_or_else(|| Error::Protocol {
                            command: format!("reading {} for the snapshot", id.qualified()),
                            detail: format!("the primary-key column '{c}' is not in the rows read"),
                        })
                })
                .collect::<Result<Vec<usize>>>()?,
        ),
    };
    state.schemas.push(
        TableSchema::load(
            s.client,
            s.config,
            id,
            Some(names),
            s.events.source_schema(),
        )
        .await?,
    );
    state.positions.push(SnapshotPosition {
        table: id.clone(),
        after: key.map(|k| KeyValues {
            columns: k.columns.clone(),
            values: Vec::new(),
        }),
    });
    Ok((state.schemas.len() - 1, key_at))
}
