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
//! A snapshot whose last record was never stored is redone from the start (as Debezium does),
//! with the slot dropped and created again so that the new snapshot is the one the slot
//! exports: streaming then continues exactly at its consistent point, as on a first start.
//! Rows the interrupted snapshot sent are sent again; changes committed while no snapshot had
//! completed are represented by the new snapshot's rows rather than as separate events. Both the 3.x form (`"snapshot": "INITIAL"`, `snapshot_completed`) and
//! the older `"snapshot": true` (with `last_snapshot_record`) are read.

use serde_json::Value as Json;
use sluice_api::OffsetMap;

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

/// The offset of a snapshot record.
pub fn snapshot_offset(lsn: Lsn, tx_id: i64, ts_usec: i64, last: bool) -> OffsetMap {
    let mut m = OffsetMap::new();
    m.insert("last_snapshot_record".into(), Json::Bool(last));
    m.insert("lsn".into(), lsn_json(lsn));
    m.insert("txId".into(), Json::from(tx_id));
    m.insert("ts_usec".into(), Json::from(ts_usec));
    m.insert("snapshot".into(), Json::String("INITIAL".into()));
    m.insert("snapshot_completed".into(), Json::Bool(last));
    m
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
    let mut m = OffsetMap::new();
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
        Resume {
            snapshot_incomplete,
            done_through,
            partial,
            lsn,
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
        let ours = snapshot_offset(Lsn(5), 1, 2, true);
        assert!(!Resume::from_offset(&ours).snapshot_incomplete);
        assert!(Resume::from_offset(&snapshot_offset(Lsn(5), 1, 2, false)).snapshot_incomplete);
    }
}
