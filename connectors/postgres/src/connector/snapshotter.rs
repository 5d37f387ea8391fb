//! The initial snapshot: every captured table read through one consistent snapshot, as `op: r`
//! events with Debezium's `source.snapshot` markers.
//!
//! The snapshot is always the one exported by the slot's creation (a redone snapshot recreates
//! the slot), so streaming from the slot's consistent point continues exactly where the
//! snapshot ends: no change lost or duplicated at the handover (see the crate doc).
//!
//! Tables are read in (schema, table) order through a server-side cursor, `snapshot.fetch.size`
//! rows per round trip, so memory stays bounded whatever the table size. Markers need one
//! record of look-ahead (`last_in_data_collection`, `last`), so each row is held until the
//! next one is read.

use std::time::{SystemTime, UNIX_EPOCH};

use sluice_api::Struct;
use sluice_cdc::{Op, SnapshotMarker};
use tokio_postgres::SimpleQueryMessage;

use super::config::PostgresConfig;
use super::emitter::{Emitter, Stopped};
use super::events::{EventBuilder, SourceInfo};
use super::offsets::snapshot_offset;
use super::tables::{TableId, TableSchema};
use crate::error::{Error, Result};
use crate::lsn::Lsn;

/// How a snapshot ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every table was read; this many rows.
    Done(u64),
    /// The task is stopping.
    Stopped,
}

struct Pending {
    table: usize,
    row: Struct,
    first_overall: bool,
    first_in_table: bool,
}

/// Reads `tables` through `client`, which must be inside the snapshot transaction. `lsn` is
/// the position streaming continues from; `tx_id` the snapshot transaction's id.
pub async fn run(
    client: &tokio_postgres::Client,
    config: &PostgresConfig,
    events: &EventBuilder,
    tables: &[TableId],
    lsn: Lsn,
    tx_id: i64,
    emitter: &mut Emitter,
) -> Result<Outcome> {
    let ts_us = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
        .unwrap_or_default();
    let user = &config.connection.user;
    let mut schemas: Vec<TableSchema> = Vec::new();
    let mut pending: Option<Pending> = None;
    let mut rows = 0u64;
    let emit = |p: Pending, next_table: Option<usize>, schemas: &[TableSchema]| {
        let last_overall = next_table.is_none();
        let last_in_table = next_table != Some(p.table);
        let marker = if p.first_overall {
            SnapshotMarker::First
        } else if last_overall {
            SnapshotMarker::Last
        } else if p.first_in_table {
            SnapshotMarker::FirstInDataCollection
        } else if last_in_table {
            SnapshotMarker::LastInDataCollection
        } else {
            SnapshotMarker::True
        };
        let info = SourceInfo {
            ts_us,
            snapshot: marker,
            last_commit: None,
            lsn,
            tx_id: Some(tx_id),
        };
        let offset = snapshot_offset(lsn, tx_id, ts_us, last_overall);
        events.create(&schemas[p.table], Op::Read, p.row, &info, None, offset)
    };
    for id in tables {
        let query = match config.snapshot_override(&id.schema, &id.table) {
            Some(q) => q.to_string(),
            None => format!("SELECT * FROM {}", id.quoted()),
        };
        let context = format!("reading {} for the snapshot", id.qualified());
        let sql_err = |e| Error::from_postgres(e, &context, user);
        client
            .batch_execute(&format!(
                "DECLARE sluice_snapshot NO SCROLL CURSOR FOR {query}"
            ))
            .await
            .map_err(sql_err)?;
        let fetch = format!(
            "FETCH FORWARD {} FROM sluice_snapshot",
            config.snapshot_fetch_size
        );
        let mut first_in_table = true;
        let mut table_index: Option<usize> = None;
        tracing::info!(table = %id.qualified(), "Snapshotting table.");
        loop {
            let messages = client.simple_query(&fetch).await.map_err(sql_err)?;
            let mut fetched = 0usize;
            for m in &messages {
                let SimpleQueryMessage::Row(row) = m else {
                    continue;
                };
                fetched += 1;
                let index = match table_index {
                    Some(i) => i,
                    None => {
                        let names = row.columns().iter().map(|c| c.name().to_string()).collect();
                        schemas.push(
                            TableSchema::load(
                                client,
                                config,
                                id,
                                Some(names),
                                events.source_schema(),
                            )
                            .await?,
                        );
                        *table_index.insert(schemas.len() - 1)
                    }
                };
                let schema = &schemas[index];
                let values: Vec<Option<&[u8]>> = (0..schema.width)
                    .map(|i| row.get(i).map(str::as_bytes))
                    .collect();
                let struct_row = schema.row(&values, &[], &config.unavailable_placeholder)?;
                if let Some(p) = pending.take() {
                    let record = emit(p, Some(index), &schemas)?;
                    if emitter.push(record).await == Err(Stopped) {
                        return Ok(Outcome::Stopped);
                    }
                }
                pending = Some(Pending {
                    table: index,
                    row: struct_row,
                    first_overall: rows == 0,
                    first_in_table,
                });
                first_in_table = false;
                rows += 1;
            }
            if fetched < config.snapshot_fetch_size {
                break;
            }
        }
        client
            .batch_execute("CLOSE sluice_snapshot")
            .await
            .map_err(sql_err)?;
    }
    if let Some(p) = pending.take() {
        let record = emit(p, None, &schemas)?;
        if emitter.push(record).await == Err(Stopped) {
            return Ok(Outcome::Stopped);
        }
    }
    if emitter.flush().await == Err(Stopped) {
        return Ok(Outcome::Stopped);
    }
    tracing::info!(rows, tables = tables.len(), "Snapshot completed.");
    Ok(Outcome::Done(rows))
}
