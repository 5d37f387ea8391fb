//! Kafka Connect's logical types — `Decimal`, `Date`, `Time`, `Timestamp` — as named schemas
//! (Java's `org.apache.kafka.connect.data.{Decimal,Date,Time,Timestamp}`).
//!
//! A logical type is a primitive schema with a well-known name (and, for `Decimal`, a `scale`
//! parameter); its values use the dedicated [`Value`](crate::Value) variants. Debezium's semantic
//! types (`io.debezium.time.MicroTimestamp`, `io.debezium.data.Json`, …) are ordinary named
//! primitives built with [`SchemaBuilder`] by the connectors; nothing about them lives here.

use crate::builder::SchemaBuilder;
use crate::error::{Error, Result};
use crate::schema::Schema;

/// Name of the `Decimal` logical type.
pub const DECIMAL_NAME: &str = "org.apache.kafka.connect.data.Decimal";
/// The `Decimal` parameter holding the scale.
pub const DECIMAL_SCALE_PARAM: &str = "scale";
/// The parameter Debezium and Confluent use for a decimal's precision.
pub const DECIMAL_PRECISION_PARAM: &str = "connect.decimal.precision";
/// Name of the `Date` logical type (days since the epoch, on `int32`).
pub const DATE_NAME: &str = "org.apache.kafka.connect.data.Date";
/// Name of the `Time` logical type (milliseconds since midnight, on `int32`).
pub const TIME_NAME: &str = "org.apache.kafka.connect.data.Time";
/// Name of the `Timestamp` logical type (milliseconds since the epoch, on `int64`).
pub const TIMESTAMP_NAME: &str = "org.apache.kafka.connect.data.Timestamp";
/// Milliseconds in a day: the exclusive upper bound of a `Time`.
pub const MILLIS_PER_DAY: i32 = 86_400_000;

/// A builder for a `Decimal` schema of the given scale (Java's `Decimal.builder(scale)`:
/// `bytes`, the logical name, version 1, parameter `scale`).
pub fn decimal(scale: i32) -> SchemaBuilder {
    SchemaBuilder::bytes()
        .name(DECIMAL_NAME)
        .parameter(DECIMAL_SCALE_PARAM, scale.to_string())
        .version(1)
}

/// A builder for a `Date` schema (`int32`, the logical name, version 1).
pub fn date() -> SchemaBuilder {
    SchemaBuilder::int32().name(DATE_NAME).version(1)
}

/// A builder for a `Time` schema (`int32`, the logical name, version 1).
pub fn time() -> SchemaBuilder {
    SchemaBuilder::int32().name(TIME_NAME).version(1)
}

/// A builder for a `Timestamp` schema (`int64`, the logical name, version 1).
pub fn timestamp() -> SchemaBuilder {
    SchemaBuilder::int64().name(TIMESTAMP_NAME).version(1)
}

/// The scale of a `Decimal` schema, from its `scale` parameter.
pub fn decimal_scale(schema: &Schema) -> Result<i32> {
    let text = schema.parameter(DECIMAL_SCALE_PARAM).ok_or_else(|| {
        Error::data(format!(
            "Invalid Decimal schema {schema}: the '{DECIMAL_SCALE_PARAM}' parameter is missing"
        ))
    })?;
    text.trim().parse::<i32>().map_err(|_| {
        Error::data(format!(
            "Invalid Decimal schema {schema}: parameter '{DECIMAL_SCALE_PARAM}' is '{text}', not an integer"
        ))
    })
}

/// Whether the schema is one of Kafka's four logical types.
pub fn is_logical(schema: &Schema) -> bool {
    matches!(
        schema.name(),
        Some(DECIMAL_NAME | DATE_NAME | TIME_NAME | TIMESTAMP_NAME)
    )
}
