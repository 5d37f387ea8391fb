//! Debezium change events as [`SourceRecord`]s: the envelope (`before`, `after`, `source`,
//! `transaction`, `op`, timestamps), the `source` block, key, headers, tombstones and the
//! transaction metadata events, laid out exactly as Debezium 3.x writes them (checked by
//! `tests/connector_golden.rs` against the golden records).

use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use sluice_api::{CompactString, Headers, OffsetMap, Schema, SourceRecord, Struct, Value};
use sluice_cdc::{Op, SnapshotMarker};

use super::tables::TableSchema;
use crate::error::{Error, Result};
use crate::lsn::Lsn;

/// The Debezium version whose event format Sluice writes; consumers branch on
/// `source.version`, so it names the format, not Sluice's own version.
pub const DEBEZIUM_VERSION: &str = "3.6.3.Final";

/// What the `source` block says about one event.
#[derive(Debug, Clone)]
pub struct SourceInfo {
    /// Commit (or snapshot start) time in microseconds.
    pub ts_us: i64,
    /// The snapshot marker (`false` when streaming).
    pub snapshot: SnapshotMarker,
    /// The end of the last processed commit (first element of `sequence`).
    pub last_commit: Option<Lsn>,
    /// The event's position.
    pub lsn: Lsn,
    /// The transaction id.
    pub tx_id: Option<i64>,
}

/// The transaction block of an event.
#[derive(Debug, Clone)]
pub struct TxBlock {
    /// `<txId>:<first LSN>`.
    pub id: String,
    /// The event's position in the transaction (from 1).
    pub total_order: i64,
    /// The event's position among the transaction's events of its table (from 1).
    pub data_collection_order: i64,
}

/// Builds the records of one connector.
#[derive(Debug, Clone)]
pub struct EventBuilder {
    prefix: CompactString,
    database: CompactString,
    source_schema: Schema,
    partition: OffsetMap,
    tombstones: bool,
    tx_topic: String,
    tx_key_schema: Schema,
    tx_value_schema: Schema,
    tx_collection_schema: Schema,
    tx_block_schema: Schema,
    heartbeat_topic: String,
    heartbeat_key_schema: Schema,
    heartbeat_value_schema: Schema,
    /// Debezium's four `__debezium.context.*` headers, the same on every event.
    context_headers: Headers,
}

/// The current time as (microseconds, nanoseconds) since the Unix epoch.
pub(crate) fn now_micros() -> (i64, i64) {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let nanos = i64::try_from(d.as_nanos()).unwrap_or(i64::MAX);
    (nanos / 1000, nanos)
}

fn cdc(e: sluice_cdc::Error) -> Error {
    Error::Protocol {
        command: "building change event schemas".into(),
        detail: e.to_string(),
    }
}

fn data(e: sluice_api::Error) -> Error {
    Error::Protocol {
        command: "building a change event".into(),
        detail: e.to_string(),
    }
}

impl EventBuilder {
    /// A builder for connector `prefix` capturing `database`.
    pub fn new(
        prefix: &str,
        delimiter: &str,
        tx_suffix: &str,
        heartbeat_prefix: &str,
        database: &str,
        tombstones: bool,
    ) -> Result<EventBuilder> {
        let tx_value_schema = sluice_cdc::transaction_value_schema().map_err(cdc)?;
        let tx_collection_schema = tx_value_schema
            .field("data_collections")
            .and_then(|f| f.schema().value_schema())
            .cloned()
            .ok_or_else(|| {
                cdc(sluice_cdc::Error::Event {
                    table: "transaction".into(),
                    message: "no data_collections item schema".into(),
                })
            })?;
        let heartbeat_key_schema = sluice_api::SchemaBuilder::struct_()
            .name("io.debezium.connector.common.ServerNameKey")
            .field("serverName", Schema::string())
            .build()
            .map_err(data)?;
        let heartbeat_value_schema = sluice_api::SchemaBuilder::struct_()
            .name("io.debezium.connector.common.Heartbeat")
            .field("ts_ms", Schema::int64())
            .build()
            .map_err(data)?;
        let run_id = uuid::Uuid::new_v4().to_string();
        let mut context_headers = Headers::new();
        context_headers
            .add_string("__debezium.context.connectorLogicalName", prefix)
            .add_string("__debezium.context.taskId", "0")
            .add_string("__debezium.context.connectorName", "postgresql")
            .add_string("__debezium.context.runId", run_id);
        Ok(EventBuilder {
            context_headers,
            prefix: prefix.into(),
            database: database.into(),
            source_schema: sluice_cdc::postgres_source_schema().map_err(cdc)?,
            partition: super::offsets::source_partition(prefix),
            tombstones,
            tx_topic: format!(
                "{}{delimiter}{tx_suffix}",
                sluice_cdc::naming::sanitize(prefix)
            ),
            tx_key_schema: sluice_cdc::transaction_key_schema().map_err(cdc)?,
            tx_value_schema,
            tx_collection_schema,
            tx_block_schema: sluice_cdc::transaction_block_schema().map_err(cdc)?,
            heartbeat_topic: format!("{heartbeat_prefix}.{prefix}"),
            heartbeat_key_schema,
            heartbeat_value_schema,
        })
    }

    /// The `source` block schema.
    pub fn source_schema(&self) -> &Schema {
        &self.source_schema
    }

    /// The source partition.
    pub fn partition(&self) -> &OffsetMap {
        &self.partition
    }

    /// `topic.prefix`, the logical server name.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The schema of the `transaction` block (optional `event.block`).
    pub fn transaction_block_schema(&self) -> &Schema {
        &self.tx_block_schema
    }

    fn source(&self, table: &TableSchema, info: &SourceInfo) -> Result<Struct> {
        self.source_block(&table.id.schema, &table.id.table, info)
    }

    /// The `source` block of an event of `schema.table` (both empty for a logical decoding
    /// message).
    pub fn source_block(&self, schema: &str, table: &str, info: &SourceInfo) -> Result<Struct> {
        // `["<last commit>","<lsn>"]`, written into one buffer (this runs for every event).
        let mut sequence = CompactString::with_capacity(48);
        match info.last_commit {
            Some(l) => {
                let _ = write!(sequence, "[\"{}\",", l.0);
            }
            None => sequence.push_str("[null,"),
        }
        let _ = write!(sequence, "\"{}\"]", info.lsn.0);
        let lsn = i64::try_from(info.lsn.0).unwrap_or(i64::MAX);
        // In the order of `sluice_cdc::postgres_source_schema` (version, connector, name,
        // ts_ms, snapshot, db, sequence, ts_us, ts_ns, schema, table, txId, lsn, xmin, origin,
        // origin_lsn); `from_values` skips re-checking them per event (debug builds check).
        let values = vec![
            Value::String(CompactString::const_new(DEBEZIUM_VERSION)),
            Value::String(CompactString::const_new("postgresql")),
            Value::String(self.prefix.clone()),
            Value::Int64(info.ts_us.div_euclid(1000)),
            Value::String(CompactString::const_new(info.snapshot.as_str())),
            Value::String(self.database.clone()),
            Value::String(sequence),
            Value::Int64(info.ts_us),
            Value::Int64(info.ts_us.saturating_mul(1000)),
            Value::String(schema.into()),
            Value::String(table.into()),
            info.tx_id.map_or(Value::Null, Value::Int64),
            Value::Int64(lsn),
            Value::Null,
            Value::Null,
            Value::Null,
        ];
        Struct::from_values(self.source_schema.clone(), values).map_err(data)
    }

    fn headers(&self, extra: Option<(&str, &TableSchema, &Struct)>) -> Headers {
        let Some((name, table, key)) = extra else {
            return self.context_headers.clone();
        };
        let mut h = Headers::new();
        h.add(name, table.key_schema.clone(), Value::Struct(key.clone()));
        for c in self.context_headers.iter() {
            h.add(c.key.clone(), c.schema.clone(), c.value.clone());
        }
        h
    }

    /// The `transaction` block's value: null without transaction metadata.
    pub fn tx_value(&self, tx: Option<&TxBlock>) -> Result<Value> {
        let Some(tx) = tx else { return Ok(Value::Null) };
        let values = vec![
            Value::String(tx.id.as_str().into()),
            Value::Int64(tx.total_order),
            Value::Int64(tx.data_collection_order),
        ];
        Ok(Value::Struct(
            Struct::from_values(self.tx_block_schema.clone(), values).map_err(data)?,
        ))
    }

    /// The envelope value of one change.
    #[allow(clippy::too_many_arguments)]
    fn envelope(
        &self,
        table: &TableSchema,
        op: Op,
        before: Option<Struct>,
        after: Option<Struct>,
        info: &SourceInfo,
        tx: Option<&TxBlock>,
    ) -> Result<Value> {
        let (ts_us, ts_ns) = now_micros();
        // `before`/`after` are rows of `table.value_schema`, checked column by column when
        // they were built (`TableSchema::row`); the envelope does not walk them again.
        let values = vec![
            before.map_or(Value::Null, Value::Struct),
            after.map_or(Value::Null, Value::Struct),
            Value::Struct(self.source(table, info)?),
            self.tx_value(tx)?,
            Value::String(CompactString::const_new(op.code())),
            Value::Int64(ts_us / 1000),
            Value::Int64(ts_us),
            Value::Int64(ts_ns),
        ];
        Ok(Value::Struct(
            Struct::from_values(table.envelope_schema.clone(), values).map_err(data)?,
        ))
    }

    fn record(
        &self,
        table: &TableSchema,
        offset: OffsetMap,
        key: Option<Struct>,
        value: Value,
        headers: Headers,
    ) -> SourceRecord {
        let mut r = SourceRecord::new(
            self.partition.clone(),
            offset,
            table.topic.clone(),
            table.key_schema.clone(),
            key.map_or(Value::Null, Value::Struct),
            (!value.is_null()).then(|| table.envelope_schema.clone()),
            value,
        );
        r.headers = headers;
        r
    }

    /// A read (snapshot) or create event.
    pub fn create(
        &self,
        table: &TableSchema,
        op: Op,
        after: Struct,
        info: &SourceInfo,
        tx: Option<&TxBlock>,
        offset: OffsetMap,
    ) -> Result<SourceRecord> {
        let key = table.key(&after)?;
        let value = self.envelope(table, op, None, Some(after), info, tx)?;
        Ok(self.record(table, offset, key, value, self.headers(None)))
    }

    /// An update event (`before` is `None` unless REPLICA IDENTITY FULL).
    pub fn update(
        &self,
        table: &TableSchema,
        before: Option<Struct>,
        after: Struct,
        info: &SourceInfo,
        tx: Option<&TxBlock>,
        offset: OffsetMap,
    ) -> Result<SourceRecord> {
        let key = table.key(&after)?;
        let value = self.envelope(table, Op::Update, before, Some(after), info, tx)?;
        Ok(self.record(table, offset, key, value, self.headers(None)))
    }

    /// A delete event and, with `tombstones.on.delete`, its tombstone. `new_key` is set when
    /// the delete stands for the old side of a primary-key change.
    pub fn delete(
        &self,
        table: &TableSchema,
        before: Struct,
        info: &SourceInfo,
        tx: Option<&TxBlock>,
        offset: OffsetMap,
        new_key: Option<&Struct>,
    ) -> Result<Vec<SourceRecord>> {
        let key = table.key(&before)?;
        let header = new_key.map(|k| ("__debezium.newkey", table, k));
        let value = self.envelope(table, Op::Delete, Some(before), None, info, tx)?;
        let mut out = vec![self.record(
            table,
            offset.clone(),
            key.clone(),
            value,
            self.headers(header),
        )];
        if self.tombstones {
            out.push(self.record(table, offset, key, Value::Null, self.headers(header)));
        }
        Ok(out)
    }

    /// The create event of the new side of a primary-key change.
    pub fn create_after_key_change(
        &self,
        table: &TableSchema,
        after: Struct,
        old_key: &Struct,
        info: &SourceInfo,
        tx: Option<&TxBlock>,
        offset: OffsetMap,
    ) -> Result<SourceRecord> {
        let key = table.key(&after)?;
        let value = self.envelope(table, Op::Create, None, Some(after), info, tx)?;
        let headers = self.headers(Some(("__debezium.oldkey", table, old_key)));
        Ok(self.record(table, offset, key, value, headers))
    }

    /// A truncate event (null key, no rows).
    pub fn truncate(
        &self,
        table: &TableSchema,
        info: &SourceInfo,
        tx: Option<&TxBlock>,
        offset: OffsetMap,
    ) -> Result<SourceRecord> {
        let value = self.envelope(table, Op::Truncate, None, None, info, tx)?;
        let mut r = self.record(table, offset, None, value, self.headers(None));
        r.key_schema = None;
        Ok(r)
    }

    /// A transaction BEGIN (`counts` = `None`) or END event.
    pub fn transaction(
        &self,
        id: &str,
        ts_us: i64,
        counts: Option<&[(String, i64)]>,
        offset: OffsetMap,
    ) -> Result<SourceRecord> {
        let mut key = Struct::new(self.tx_key_schema.clone()).map_err(data)?;
        key.put_at(0, Value::String(id.into())).map_err(data)?;
        let mut v = Struct::new(self.tx_value_schema.clone()).map_err(data)?;
        v.put_at(
            0,
            Value::String(if counts.is_some() { "END" } else { "BEGIN" }.into()),
        )
        .map_err(data)?;
        v.put_at(1, Value::String(id.into())).map_err(data)?;
        match counts {
            Some(counts) => {
                v.put_at(2, Value::Int64(counts.iter().map(|(_, n)| n).sum()))
                    .map_err(data)?;
                let mut items = Vec::new();
                for (table, n) in counts {
                    let mut c = Struct::new(self.tx_collection_schema.clone()).map_err(data)?;
                    c.put_at(0, Value::String(table.as_str().into()))
                        .map_err(data)?;
                    c.put_at(1, Value::Int64(*n)).map_err(data)?;
                    items.push(Value::Struct(c));
                }
                v.put_at(3, Value::Array(items)).map_err(data)?;
            }
            None => {
                v.put_at(2, Value::Null).map_err(data)?;
                v.put_at(3, Value::Null).map_err(data)?;
            }
        }
        v.put_at(4, Value::Int64(ts_us.div_euclid(1000)))
            .map_err(data)?;
        Ok(SourceRecord::new(
            self.partition.clone(),
            offset,
            self.tx_topic.clone(),
            Some(self.tx_key_schema.clone()),
            Value::Struct(key),
            Some(self.tx_value_schema.clone()),
            Value::Struct(v),
        ))
    }

    /// A heartbeat record carrying `offset`.
    pub fn heartbeat(&self, offset: OffsetMap) -> Result<SourceRecord> {
        let mut key = Struct::new(self.heartbeat_key_schema.clone()).map_err(data)?;
        key.put_at(0, Value::String(self.prefix.clone()))
            .map_err(data)?;
        let mut v = Struct::new(self.heartbeat_value_schema.clone()).map_err(data)?;
        v.put_at(0, Value::Int64(now_micros().0 / 1000))
            .map_err(data)?;
        Ok(SourceRecord::new(
            self.partition.clone(),
            offset,
            self.heartbeat_topic.clone(),
            Some(self.heartbeat_key_schema.clone()),
            Value::Struct(key),
            Some(self.heartbeat_value_schema.clone()),
            Value::Struct(v),
        ))
    }
}
