//! The `source` block of change events: the fields common to every Debezium connector
//! (`SchemaFactory.sourceInfoSchemaBuilder`, version 1) followed by each connector's own, in
//! Debezium's order.

use sluice_api::{Schema, SchemaBuilder, Value};

use crate::Result;

/// The values `source.snapshot` may take (an `io.debezium.data.Enum`).
pub const SNAPSHOT_ALLOWED: &str =
    "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental";

/// Where an event stands relative to the snapshot (`source.snapshot`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotMarker {
    /// A snapshot row, neither first nor last.
    True,
    /// The first row of the snapshot.
    First,
    /// The first row of a table in the snapshot.
    FirstInDataCollection,
    /// The last row of a table in the snapshot.
    LastInDataCollection,
    /// The last row of the snapshot.
    Last,
    /// A streamed change.
    False,
    /// A row read by an incremental snapshot.
    Incremental,
}

impl SnapshotMarker {
    /// The text Debezium writes.
    pub fn as_str(self) -> &'static str {
        match self {
            SnapshotMarker::True => "true",
            SnapshotMarker::First => "first",
            SnapshotMarker::FirstInDataCollection => "first_in_data_collection",
            SnapshotMarker::LastInDataCollection => "last_in_data_collection",
            SnapshotMarker::Last => "last",
            SnapshotMarker::False => "false",
            SnapshotMarker::Incremental => "incremental",
        }
    }
}

/// The common fields, ready for a connector to append its own.
fn common(name: &str) -> Result<SchemaBuilder> {
    let snapshot = SchemaBuilder::string()
        .optional()
        .name("io.debezium.data.Enum")
        .version(1)
        .parameter("allowed", SNAPSHOT_ALLOWED)
        .default_value(Value::String("false".into()))
        .build()?;
    Ok(SchemaBuilder::struct_()
        .name(name)
        .version(1)
        .field("version", Schema::string())
        .field("connector", Schema::string())
        .field("name", Schema::string())
        .field("ts_ms", Schema::int64())
        .field("snapshot", snapshot)
        .field("db", Schema::string())
        .field("sequence", Schema::optional_string())
        .field("ts_us", Schema::optional_int64())
        .field("ts_ns", Schema::optional_int64()))
}

/// `io.debezium.connector.postgresql.Source`.
pub fn postgres_source_schema() -> Result<Schema> {
    Ok(common("io.debezium.connector.postgresql.Source")?
        .field("schema", Schema::string())
        .field("table", Schema::string())
        .field("txId", Schema::optional_int64())
        .field("lsn", Schema::optional_int64())
        .field("xmin", Schema::optional_int64())
        .field("origin", Schema::optional_string())
        .field("origin_lsn", Schema::optional_int64())
        .build()?)
}

/// `io.debezium.connector.<connector>.Source` for the binlog connectors (`mysql`, `mariadb`).
pub fn binlog_source_schema(connector: &str) -> Result<Schema> {
    Ok(
        common(&format!("io.debezium.connector.{connector}.Source"))?
            .field("table", Schema::optional_string())
            .field("server_id", Schema::int64())
            .field("gtid", Schema::optional_string())
            .field("file", Schema::string())
            .field("pos", Schema::int64())
            .field("row", Schema::int32())
            .field("thread", Schema::optional_int64())
            .field("query", Schema::optional_string())
            .build()?,
    )
}
