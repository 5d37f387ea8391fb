//! Source partition and offsets, in Debezium's PostgreSQL form, and how a stored offset says
//! where to resume.
//!
//! # Why resuming neither loses nor skips
//!
//! Every streamed record's offset carries `lsn` (its own WAL position; for a commit, the
//! commit's end), `lsn_commit` (the end of the last transaction completely processed before
//! it) and `txId`. The worker stores offsets only of records Kafka acknowledged, and the task
//! confirms to the slot only the `lsn` of such stored offsets (see `task.rs`), so the slot
//! never moves past an event that is not durable in Kafka and PostgreSQL re-sends every
//! transaction that committed after the confirmed position. On restart the stream skips:
//! - transactions whose commit end is at or before `lsn_commit` (or `lsn` for a stored
//!   `COMMIT`): all their events are stored already;
//! - in the transaction `txId` of a stored mid-transaction offset, the events at or before
//!   `lsn`: they were acknowledged, the rest of that transaction is re-sent.
//!
//! # Resuming an interrupted snapshot
//!
//! Every snapshot record's `lsn` is the slot's consistent point P (the position the snapshot's
//! first read is consistent with). Besides Debezium's fields, a snapshot record that is not the
//! last one carries Sluice's position fields ([`SnapshotPosition`], prefix `sluice_snapshot_`):
//! the table being read — every table before it in snapshot order was completely emitted — and,
//! for a table read in primary-key order, the key of that record's row, so every row of the
//! table up to that key was emitted. Java Debezium ignores these fields; a Debezium offset
//! without them keeps Debezium's behaviour.
//!
//! When the stored offset is an unfinished snapshot with a position, and the slot still exists
//! with its `confirmed_flush_lsn` at P, the snapshot is resumed instead of redone:
//! 1. The slot is kept. Its confirmed position is still P: while the snapshot runs, every
//!    acknowledged record's `lsn` is P, so the task never confirms beyond it, and nothing else
//!    streams from the slot. So the slot still holds every transaction committed after P.
//! 2. A new `REPEATABLE READ` transaction reads the database as of now (snapshot S2, later
//!    than P) and emits the rows after the stored key of the stored table, then every
//!    following table. Those records keep `lsn` = P.
//! 3. Then streaming starts at P, as after an uninterrupted snapshot.
//!
//! Why no change is lost: a row emitted before the interruption was read as of P; a row emitted
//! after it was read as of S2, which includes every transaction committed before S2. The
//! stream then delivers every transaction committed after P, so every change after a row's
//! snapshot value reaches Kafka after that value, and each row's last event is its final state.
//! Nothing is skipped on the stream side either: the stored snapshot offset has no streaming
//! position, so no transaction is treated as already stored.
//!
//! What differs from an uninterrupted snapshot: the transactions committed between P and S2
//! are re-sent by the stream *after* the rows read as of S2 may already show their effects. So
//! for such a row the stream's first events can carry older values than its snapshot record (a
//! later one always brings it to the final state), an insert may follow the snapshot record of
//! the same row, and a delete may concern a row the snapshot never showed. Consumers that apply
//! events in order (upserts by key) converge to the database; consumers must not assume that a
//! row's streamed events are all newer than its snapshot record. Rows emitted after the stored
//! position by the interrupted run (not yet stored when it died) are sent again. A table read
//! whole (no primary key, or a `snapshot.select.statement.overrides` query) restarts from its
//! first row. A captured table created after P that sorts before the stored table is not read
//! by the resumed snapshot: its rows reach Kafka through the stream, since its creation and
//! inserts come after P (with `publication.autocreate.mode=filtered`, only from when the
//! publication includes it, as for any table created while the connector is down).
//!
//! A snapshot without a stored position (nothing stored yet, or an offset written by Debezium)
//! is redone from the start (as Debezium does), with the slot dropped and created again so that
//! the new snapshot is the one the slot exports: streaming then continues exactly at its
//! consistent point, as on a first start. Rows the interrupted snapshot sent are sent again;
//! changes committed while no snapshot had completed are represented by the new snapshot's rows
//! rather than as separate events. Both the 3.x form (`"snapshot": "INITIAL"`,
//! `snapshot_completed`) and the older `"snapshot": true` (with `last_snapshot_record`) are read.

use serde_json::Value as Json;
use sluice_api::OffsetMap;

use super::tables::TableId;
use crate::lsn::Lsn;

/// The source partition of a connector: `{"server": <topic.prefix>}`.
pub fn source_partition(prefix: &str) -> OffsetMap {
    let mut m = OffsetMap::new();
    m.insert("server".into(), Json::String(prefix.to_string()));
    m
}

fn lsn_json(lsn: Lsn) -> Json {
    // LSNs are written as Java longs; real LSNs are far below i64::MAX.
    Json::from(i64::try_from(lsn.0).unwrap_or(i64::MAX))
}

/// The offset of a snapshot record: Debezium's fields, then (unless it is the last record)
/// where the snapshot stands.
pub fn snapshot_offset(
    lsn: Lsn,
    tx_id: i64,
    ts_usec: i64,
    last: bool,
    position: Option<&SnapshotPosition>,
) -> OffsetMap {
    // Sized up front (built for every snapshot row): six fields and up to four of the position.
    let mut m = OffsetMap::with_capacity(10);
    m.insert("last_snapshot_record".into(), Json::Bool(last));
    m.insert("lsn".into(), lsn_json(lsn));
    m.insert("txId".into(), Json::from(tx_id));
    m.insert("ts_usec".into(), Json::from(ts_usec));
    m.insert("snapshot".into(), Json::String("INITIAL".into()));
    m.insert("snapshot_completed".into(), Json::Bool(last));
    if let Some(p) = position.filter(|_| !last) {
        p.write(&mut m);
    }
    m
}

/// Offset field: the schema of the table the snapshot is reading.
pub const POSITION_SCHEMA: &str = "sluice_snapshot_schema";
/// Offset field: the table the snapshot is reading.
pub const POSITION_TABLE: &str = "sluice_snapshot_table";
/// Offset field: the primary-key columns, in key order, as a JSON array of names (a string,
/// since offset values are primitives).
pub const POSITION_KEY_COLUMNS: &str = "sluice_snapshot_key_columns";
/// Offset field: the key of the last row emitted, as a JSON array of the columns' text values
/// (PostgreSQL's output form, which its input accepts back).
pub const POSITION_KEY: &str = "sluice_snapshot_key";

/// Where an unfinished snapshot stands (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotPosition {
    /// The table being read; every table before it in snapshot order was completely emitted.
    pub table: TableId,
    /// The primary key of the last row of `table` emitted; `None` for a table read whole,
    /// which is then read again from its first row.
    pub after: Option<KeyValues>,
}

/// A primary key's column names and one row's values of them (as text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValues {
    /// The key columns, in key order.
    pub columns: Vec<String>,
    /// The row's value of each, in PostgreSQL's text form.
    pub values: Vec<String>,
}

impl SnapshotPosition {
    /// Adds the position fields to a snapshot record's offset.
    pub fn write(&self, offset: &mut OffsetMap) {
        offset.insert(
            POSITION_SCHEMA.into(),
            Json::String(self.table.schema.clone()),
        );
        offset.insert(
            POSITION_TABLE.into(),
            Json::String(self.table.table.clone()),
        );
        if let Some(key) = &self.after {
            // Serialized straight from the strings (this runs for every snapshot row).
            let text = |v: &[String]| Json::String(serde_json::to_string(v).unwrap_or_default());
            offset.insert(POSITION_KEY_COLUMNS.into(), text(&key.columns));
            offset.insert(POSITION_KEY.into(), text(&key.values));
        }
    }

    /// Reads the position fields of a stored offset: `Ok(None)` when there are none (a
    /// Debezium offset, or Sluice's before it had them), `Err` saying what is malformed.
    pub fn read(offset: &OffsetMap) -> Result<Option<SnapshotPosition>, String> {
        let string = |k: &str| -> Result<Option<&str>, String> {
            match offset.get(k) {
                None | Some(Json::Null) => Ok(None),
                Some(Json::String(s)) => Ok(Some(s)),
                Some(other) => Err(format!("'{k}' is {other}, not a string")),
            }
        };
        let (Some(schema), Some(table)) = (string(POSITION_SCHEMA)?, string(POSITION_TABLE)?)
        else {
            return match string(POSITION_SCHEMA)?.or(string(POSITION_TABLE)?) {
                Some(_) => Err(format!(
                    "'{POSITION_SCHEMA}' and '{POSITION_TABLE}' must be given together"
                )),
                None => Ok(None),
            };
        };
        let list = |k: &str, text: &str| -> Result<Vec<String>, String> {
            serde_json::from_str::<Vec<String>>(text)
                .map_err(|e| format!("'{k}' is not a JSON array of strings ({e}): {text}"))
        };
        let after = match (string(POSITION_KEY_COLUMNS)?, string(POSITION_KEY)?) {
            (None, None) => None,
            (Some(c), Some(v)) => {
                let key = KeyValues {
                    columns: list(POSITION_KEY_COLUMNS, c)?,
                    values: list(POSITION_KEY, v)?,
                };
                if key.columns.is_empty() || key.columns.len() != key.values.len() {
                    return Err(format!(
                        "'{POSITION_KEY_COLUMNS}' names {} columns but '{POSITION_KEY}' has {} values",
                        key.columns.len(),
                        key.values.len()
                    ));
                }
                Some(key)
            }
            _ => {
                return Err(format!(
                    "'{POSITION_KEY_COLUMNS}' and '{POSITION_KEY}' must be given together"
                ));
            }
        };
        Ok(Some(SnapshotPosition {
            table: TableId {
                schema: schema.to_string(),
                table: table.to_string(),
            },
            after,
        }))
    }
}

/// Where the stream stands when a record is emitted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamPosition {
    /// The record's own position (a commit's end for COMMIT).
    pub lsn: Lsn,
    /// The end of the last completely processed transaction, if any.
    pub lsn_commit: Option<Lsn>,
    /// The transaction id.
    pub tx_id: Option<i64>,
    /// The commit time in microseconds.
    pub ts_usec: Option<i64>,
    /// `INSERT`, `UPDATE`, `DELETE`, `TRUNCATE`, `COMMIT`, `BEGIN`, `HEARTBEAT`.
    pub message_type: &'static str,
}

/// The offset of a streamed record; `orders` are the per-table event counts of the
/// transaction so far (with transaction metadata).
pub fn stream_offset(pos: &StreamPosition, orders: Option<&[(String, i64)]>) -> OffsetMap {
    // Sized up front: built for every streamed event, and growing the map rehashes it.
    let mut m = OffsetMap::with_capacity(7 + orders.map_or(0, <[_]>::len));
    if let (Some(_), Some(tx)) = (orders, pos.tx_id) {
        m.insert("transaction_id".into(), Json::String(tx.to_string()));
    }
    m.insert("lsn_proc".into(), lsn_json(pos.lsn));
    m.insert("messageType".into(), Json::String(pos.message_type.into()));
    if let Some(c) = pos.lsn_commit {
        m.insert("lsn_commit".into(), lsn_json(c));
    }
    m.insert("lsn".into(), lsn_json(pos.lsn));
    if let Some(tx) = pos.tx_id {
        m.insert("txId".into(), Json::from(tx));
    }
    if let Some(ts) = pos.ts_usec {
        m.insert("ts_usec".into(), Json::from(ts));
    }
    for (table, n) in orders.unwrap_or_default() {
        m.insert(
            format!("transaction_data_collection_order_{table}"),
            Json::from(*n),
        );
    }
    m
}

/// What a stored offset says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resume {
    /// A snapshot was running and did not finish.
    pub snapshot_incomplete: bool,
    /// Every transaction ending at or before this is done.
    pub done_through: Option<Lsn>,
    /// A partly stored transaction: its id and the last stored event's position.
    pub partial: Option<(i64, Lsn)>,
    /// The stored `lsn`.
    pub lsn: Option<Lsn>,
    /// Where the unfinished snapshot stands, when the offset says (Sluice's position fields).
    pub snapshot_position: Option<SnapshotPosition>,
}

fn lsn_of(offset: &OffsetMap, key: &str) -> Option<Lsn> {
    offset
        .get(key)
        .and_then(Json::as_i64)
        .and_then(|v| u64::try_from(v).ok())
        .map(Lsn)
}

impl Resume {
    /// Reads a stored offset (Sluice's or Java Debezium's).
    pub fn from_offset(offset: &OffsetMap) -> Resume {
        let flag = |k: &str| offset.get(k).and_then(Json::as_bool).unwrap_or(false);
        let in_snapshot = match offset.get("snapshot") {
            Some(Json::Bool(b)) => *b,
            Some(Json::String(s)) => !s.is_empty() && !s.eq_ignore_ascii_case("false"),
            _ => false,
        };
        let snapshot_incomplete =
            in_snapshot && !flag("last_snapshot_record") && !flag("snapshot_completed");
        let lsn = lsn_of(offset, "lsn");
        let lsn_commit = lsn_of(offset, "lsn_commit");
        let is_commit = offset.get("messageType").and_then(Json::as_str) == Some("COMMIT");
        let tx_id = offset.get("txId").and_then(Json::as_i64);
        let (done_through, partial) = if in_snapshot {
            // Snapshot offsets name the slot's consistent point: nothing streamed yet.
            (None, None)
        } else if is_commit || offset.get("messageType").is_none() {
            (lsn.max(lsn_commit), None)
        } else {
            (lsn_commit, tx_id.zip(lsn))
        };
        let snapshot_position = if snapshot_incomplete {
            SnapshotPosition::read(offset).unwrap_or_else(|problem| {
                tracing::warn!(
                    %problem,
                    "The stored offset's snapshot position is malformed; the snapshot is redone from the start."
                );
                None
            })
        } else {
            None
        };
        Resume {
            snapshot_incomplete,
            done_through,
            partial,
            lsn,
            snapshot_position,
        }
    }

    /// Whether the events of transaction `xid` ending at `end` were all stored already.
    pub fn skips_transaction(&self, end: Lsn) -> bool {
        self.done_through.is_some_and(|d| end <= d)
    }

    /// Whether an event of transaction `xid` at `lsn` was stored already.
    pub fn skips_event(&self, xid: i64, lsn: Lsn) -> bool {
        self.partial.is_some_and(|(tx, at)| tx == xid && lsn <= at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> OffsetMap {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn java_debezium_commit_offset_resumes_after_the_commit() {
        let r = Resume::from_offset(&parse(
            r#"{"transaction_id":"2458","lsn_proc":478745872,"messageType":"COMMIT","lsn_commit":478745872,"lsn":478745872,"txId":2458,"ts_usec":1795294188482304}"#,
        ));
        assert!(!r.snapshot_incomplete);
        assert!(r.skips_transaction(Lsn(478745872)));
        assert!(!r.skips_transaction(Lsn(478745873)));
        assert_eq!(r.partial, None);
    }

    #[test]
    fn mid_transaction_offset_skips_only_stored_events() {
        let r = Resume::from_offset(&parse(
            r#"{"lsn_proc":200,"messageType":"INSERT","lsn_commit":100,"lsn":200,"txId":7,"ts_usec":1}"#,
        ));
        assert!(r.skips_transaction(Lsn(100)));
        assert!(!r.skips_transaction(Lsn(300)));
        assert!(r.skips_event(7, Lsn(200)));
        assert!(!r.skips_event(7, Lsn(201)));
        assert!(!r.skips_event(8, Lsn(150)));
    }

    #[test]
    fn both_snapshot_forms_are_read() {
        let old = Resume::from_offset(&parse(
            r#"{"snapshot":true,"last_snapshot_record":false,"lsn":5,"txId":1,"ts_usec":1}"#,
        ));
        assert!(old.snapshot_incomplete);
        let old_done = Resume::from_offset(&parse(
            r#"{"snapshot":true,"last_snapshot_record":true,"lsn":5,"txId":1,"ts_usec":1}"#,
        ));
        assert!(!old_done.snapshot_incomplete);
        let new = Resume::from_offset(&parse(
            r#"{"snapshot":"INITIAL","snapshot_completed":false,"lsn":5}"#,
        ));
        assert!(new.snapshot_incomplete);
        let ours = snapshot_offset(Lsn(5), 1, 2, true, None);
        assert!(!Resume::from_offset(&ours).snapshot_incomplete);
        assert!(
            Resume::from_offset(&snapshot_offset(Lsn(5), 1, 2, false, None)).snapshot_incomplete
        );
    }

    fn keyed() -> SnapshotPosition {
        SnapshotPosition {
            table: TableId {
                schema: "Sales \"EU\"".into(),
                table: "order.items".into(),
            },
            after: Some(KeyValues {
                columns: vec!["region".into(), "id".into()],
                values: vec!["it's, \\ \"odd\" ü".into(), "42".into()],
            }),
        }
    }

    #[test]
    fn a_snapshot_position_round_trips_through_a_stored_offset() {
        for position in [
            keyed(),
            SnapshotPosition {
                table: TableId {
                    schema: "public".into(),
                    table: "no_key".into(),
                },
                after: None,
            },
        ] {
            let offset = snapshot_offset(Lsn(77), 3, 4, false, Some(&position));
            // Through the bytes the worker stores.
            let stored: OffsetMap =
                serde_json::from_str(&Json::Object(offset).to_string()).unwrap();
            let r = Resume::from_offset(&stored);
            assert!(r.snapshot_incomplete);
            assert_eq!(r.lsn, Some(Lsn(77)));
            assert_eq!(r.done_through, None);
            assert_eq!(r.snapshot_position, Some(position));
        }
    }

    #[test]
    fn position_fields_are_primitive_prefixed_and_leave_debeziums_unchanged() {
        let with = snapshot_offset(Lsn(77), 3, 4, false, Some(&keyed()));
        let without = snapshot_offset(Lsn(77), 3, 4, false, None);
        let debezium: OffsetMap = with
            .iter()
            .filter(|(k, _)| !k.starts_with("sluice_snapshot_"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        assert_eq!(debezium, without);
        assert_eq!(with.len(), without.len() + 4);
        assert!(with.values().all(|v| !v.is_array() && !v.is_object()));
        assert_eq!(
            with[POSITION_KEY],
            Json::from(r#"["it's, \\ \"odd\" ü","42"]"#)
        );
        assert_eq!(with[POSITION_KEY_COLUMNS], Json::from(r#"["region","id"]"#));
    }

    #[test]
    fn the_last_snapshot_record_carries_no_position() {
        let last = snapshot_offset(Lsn(77), 3, 4, true, Some(&keyed()));
        assert!(!last.keys().any(|k| k.starts_with("sluice_snapshot_")));
        let r = Resume::from_offset(&last);
        assert!(!r.snapshot_incomplete);
        assert_eq!(r.snapshot_position, None);
    }

    #[test]
    fn offsets_without_a_position_keep_debeziums_behaviour() {
        // Java Debezium's unfinished snapshot: redone from the start.
        let java = Resume::from_offset(&parse(
            r#"{"last_snapshot_record":false,"lsn":24023128,"txId":555,"ts_usec":1,"snapshot":"INITIAL","snapshot_completed":false}"#,
        ));
        assert!(java.snapshot_incomplete);
        assert_eq!(java.snapshot_position, None);
        // A streaming offset never resumes a snapshot, whatever extra fields it has.
        let streaming = Resume::from_offset(&parse(
            r#"{"lsn_proc":200,"messageType":"INSERT","lsn_commit":100,"lsn":200,"txId":7,"sluice_snapshot_schema":"public","sluice_snapshot_table":"t"}"#,
        ));
        assert_eq!(streaming.snapshot_position, None);
    }

    #[test]
    fn a_malformed_position_falls_back_to_a_new_snapshot() {
        let base = r#""snapshot":"INITIAL","snapshot_completed":false,"lsn":5"#;
        for fields in [
            r#""sluice_snapshot_schema":"public""#,
            r#""sluice_snapshot_schema":"public","sluice_snapshot_table":7"#,
            r#""sluice_snapshot_schema":"public","sluice_snapshot_table":"t","sluice_snapshot_key":"[\"1\"]""#,
            r#""sluice_snapshot_schema":"public","sluice_snapshot_table":"t","sluice_snapshot_key_columns":"[\"id\"]","sluice_snapshot_key":"[\"1\",\"2\"]""#,
            r#""sluice_snapshot_schema":"public","sluice_snapshot_table":"t","sluice_snapshot_key_columns":"[]","sluice_snapshot_key":"[]""#,
            r#""sluice_snapshot_schema":"public","sluice_snapshot_table":"t","sluice_snapshot_key_columns":"id","sluice_snapshot_key":"1""#,
        ] {
            let r = Resume::from_offset(&parse(&format!("{{{base},{fields}}}")));
            assert!(r.snapshot_incomplete, "{fields}");
            assert_eq!(r.snapshot_position, None, "{fields}");
        }
    }
}
