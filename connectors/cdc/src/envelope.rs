//! Debezium's change-event envelope (Debezium ≥ 2.7 layout, Connect `version` 2):
//!
//! ```text
//! <topic>.Envelope { before: <Value>?, after: <Value>?, source: <Source>, transaction: event.block?,
//!                    op: string, ts_ms: int64?, ts_us: int64?, ts_ns: int64? }
//! ```
//!
//! The field order is part of the contract: it decides the Avro schema text, hence the Schema
//! Registry versions consumers see (golden/events hold the reference).

use sluice_api::{Schema, SchemaBuilder};

use crate::Result;

/// The kind of change an event carries (`op`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// A row read by a snapshot (`r`).
    Read,
    /// An insert (`c`).
    Create,
    /// An update (`u`).
    Update,
    /// A delete (`d`).
    Delete,
    /// A truncate (`t`).
    Truncate,
    /// A logical decoding message (`m`).
    Message,
}

impl Op {
    /// The one-letter code Debezium writes.
    pub fn code(self) -> &'static str {
        match self {
            Op::Read => "r",
            Op::Create => "c",
            Op::Update => "u",
            Op::Delete => "d",
            Op::Truncate => "t",
            Op::Message => "m",
        }
    }

    /// Parses a one-letter code.
    pub fn from_code(code: &str) -> Option<Op> {
        Some(match code {
            "r" => Op::Read,
            "c" => Op::Create,
            "u" => Op::Update,
            "d" => Op::Delete,
            "t" => Op::Truncate,
            "m" => Op::Message,
            _ => return None,
        })
    }
}

/// The `transaction` block (`event.block`, version 1): the transaction id, the event's position
/// in the transaction, and its position among the transaction's events for the same table.
pub fn transaction_block_schema() -> Result<Schema> {
    Ok(SchemaBuilder::struct_()
        .optional()
        .name("event.block")
        .version(1)
        .field("id", Schema::string())
        .field("total_order", Schema::int64())
        .field("data_collection_order", Schema::int64())
        .build()?)
}

/// The envelope schema of `topic`, whose `before`/`after` rows follow `row` (the table's
/// `<topic>.Value` struct; it is made optional here if it is not) and whose `source` block
/// follows `source`.
pub fn envelope_schema(topic: &str, row: &Schema, source: &Schema) -> Result<Schema> {
    let row = if row.is_optional() {
        row.clone()
    } else {
        SchemaBuilder::from_schema(row).optional().build()?
    };
    Ok(SchemaBuilder::struct_()
        .name(format!("{topic}.Envelope"))
        .version(2)
        .field("before", row.clone())
        .field("after", row)
        .field("source", source.clone())
        .field("transaction", transaction_block_schema()?)
        .field("op", Schema::string())
        .field("ts_ms", Schema::optional_int64())
        .field("ts_us", Schema::optional_int64())
        .field("ts_ns", Schema::optional_int64())
        .build()?)
}
