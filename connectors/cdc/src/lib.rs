//! What the change-data-capture sources share: the Debezium envelope (`before`, `after`, `source`,
//! `transaction`, `op`, `ts_*`) and its schema names, the `source` block, the transaction
//! metadata topic, and topic naming — built to be identical to what Debezium 3.6 emits, since
//! the schemas decide the bytes on Kafka and the Schema Registry versions consumers see
//! (`tests/golden_schemas.rs` compares them with the golden events).
//!
//! Depends on `sluice-api` only; never on a database driver (those live in the source crates), the
//! worker or the REST API.

pub mod envelope;
mod error;
pub mod naming;
pub mod source;
pub mod transaction;

pub use envelope::{Op, envelope_schema, transaction_block_schema};
pub use error::{Error, Result};
pub use source::{SnapshotMarker, binlog_source_schema, postgres_source_schema};
pub use transaction::{transaction_key_schema, transaction_value_schema};
