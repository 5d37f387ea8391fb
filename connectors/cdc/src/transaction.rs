//! The transaction metadata topic (`provide.transaction.metadata=true`): a BEGIN and an END event
//! per transaction, keyed by the transaction id.

use sluice_api::{Schema, SchemaBuilder};

use crate::Result;

/// `io.debezium.connector.common.TransactionMetadataKey`: `{ id: string }`.
pub fn transaction_key_schema() -> Result<Schema> {
    Ok(SchemaBuilder::struct_()
        .name("io.debezium.connector.common.TransactionMetadataKey")
        .version(1)
        .field("id", Schema::string())
        .build()?)
}

/// `io.debezium.connector.common.TransactionMetadataValue`: status (`BEGIN`/`END`), id, the
/// event count and per-table counts (END only), and the commit time.
pub fn transaction_value_schema() -> Result<Schema> {
    let collection = SchemaBuilder::struct_()
        .optional()
        .name("event.collection")
        .version(1)
        .field("data_collection", Schema::string())
        .field("event_count", Schema::int64())
        .build()?;
    Ok(SchemaBuilder::struct_()
        .name("io.debezium.connector.common.TransactionMetadataValue")
        .version(1)
        .field("status", Schema::string())
        .field("id", Schema::string())
        .field("event_count", Schema::optional_int64())
        .field(
            "data_collections",
            SchemaBuilder::array(collection).optional().build()?,
        )
        .field("ts_ms", Schema::int64())
        .build()?)
}
