//! Converters between Kafka Connect's data model and bytes on Kafka: `JsonConverter`,
//! `AvroConverter` (Confluent's `AvroData` mapping and wire format, with a Schema Registry client),
//! `StringConverter` and `ByteArrayConverter`.
//!
//! Depends only on `sluice-api` and codec libraries; never on the worker, a Kafka client or a
//! connector.

mod error;

pub use error::{Error, Result};
