//! Converters between Kafka Connect's data model and bytes on Kafka: `JsonConverter`,
//! `AvroConverter` (Confluent's `AvroData` mapping and wire format, with a Schema Registry client),
//! `StringConverter` and `ByteArrayConverter`.
//!
//! Depends only on `sluice-api` and codec libraries; never on the worker, a Kafka client or a
//! connector.
//!
//! Every converter implements [`Converter`]: configured once from string properties, then
//! `from_connect` (Connect → bytes, `None` for a tombstone) and `to_connect` (bytes → Connect).
//! The JSON converter is byte-identical to Kafka's (see [`json`]); [`StringConverter`] and
//! [`ByteArrayConverter`] follow Kafka's; header values use [`HeaderConverter`]
//! ([`SimpleHeaderConverter`] infers types from header text as Java's `Values.parseString`, see
//! [`Values`]). The Avro converter
//! ([`avro`]) reproduces Confluent's `AvroData` schema mapping and the Confluent wire format, with
//! a caching Schema Registry client.

pub mod avro;
mod bytes;
mod converter;
mod error;
mod header;
pub mod json;
mod string;
mod text;
mod values;

pub use avro::{AvroConverter, AvroConverterConfig};
pub use bytes::ByteArrayConverter;
pub use converter::{CONVERTER_TYPE_CONFIG, Converter, ConverterConfig, ConverterType};
pub use error::{Error, Result};
pub use header::{HeaderConverter, SimpleHeaderConverter};
pub use json::{JsonConverter, JsonConverterConfig};
pub use string::{ENCODING_CONFIG, StringConverter};
pub use values::Values;
