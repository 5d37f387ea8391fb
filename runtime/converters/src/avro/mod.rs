//! Confluent's `AvroConverter`: Kafka Connect data ↔ Avro in the Confluent wire format, with the
//! schema mapping of Confluent's `AvroData` (7.x) reproduced byte for byte.
//!
//! ```text
//!  Connect schema ──schema::from_connect_schema──▶ AvroSchema ──text::schema_text──▶ registry text
//!        ▲                                              │
//!        └──────────to_connect::to_connect_schema───────┘◀──parse::parse_schema── registry text
//!  Connect value ──encode (WritePlan)──▶ Avro body ──decode (ReadPlan)──▶ Connect value
//! ```
//!
//! Byte-exactness is the point: the Schema Registry identifies a schema by its text, so the text
//! Sluice registers must be the one Java registers, or switching a connector from Java to Sluice
//! would create new schema versions (and ids) for every subject. `tests/avro_golden.rs` checks
//! every key and value schema Debezium's PostgreSQL and MySQL connectors produced against the
//! schema text Confluent's AvroData 7.0 derived for it, and every record's Avro bytes.
//!
//! Wire format: byte 0 is the magic `0x00`, bytes 1–4 the schema id (big-endian), then the Avro
//! binary body ([`wire`]). A Connect `null` value is a Kafka `null` (tombstone).
//!
//! The hot path never touches the registry: once a (schema, topic) pair has an id, encoding is a
//! cache lookup plus a direct write over the compiled plan (no Avro value tree is built).

mod bridge;
mod config;
mod converter;
mod decode;
mod defaults;
mod encode;
mod model;
mod parse;
mod passthrough;
mod plan;
mod registry;
mod schema;
mod text;
mod to_connect;
pub mod wire;

use sluice_api::{Schema, Value};

pub use config::{
    AUTO_REGISTER_SCHEMAS_CONFIG, AvroConverterConfig, BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG,
    BASIC_AUTH_USER_INFO_CONFIG, BasicAuth, CONNECT_META_DATA_CONFIG,
    ENHANCED_AVRO_SCHEMA_SUPPORT_CONFIG, KEY_SUBJECT_NAME_STRATEGY_CONFIG,
    LATEST_COMPATIBILITY_STRICT_CONFIG, NORMALIZE_SCHEMAS_CONFIG, SCHEMA_REGISTRY_URL_CONFIG,
    SCHEMAS_CACHE_SIZE_CONFIG, SCRUB_INVALID_NAMES_CONFIG, SubjectNameStrategy,
    USE_LATEST_VERSION_CONFIG, VALUE_SUBJECT_NAME_STRATEGY_CONFIG,
};
pub use converter::AvroConverter;
pub use model::{
    AvroSchema, EnumSchema, FixedSchema, Json, Name, Primitive, Props, Record, RecordField,
};
pub use parse::parse_schema;
pub use passthrough::{AvroEncoding, same_encoding};
pub use registry::{CachedRegistry, RegisteredSchema, SchemaRegistryClient};
pub use schema::{
    AVRO_ENUM_DEFAULT_PREFIX_PROP, AVRO_ENUM_DOC_PREFIX_PROP, AVRO_FIELD_DEFAULT_FLAG_PROP,
    AVRO_FIELD_DOC_PREFIX_PROP, AVRO_RECORD_DOC_PROP, AVRO_TYPE_ENUM, AVRO_TYPE_UNION,
    AvroDataConfig, CONNECT_AVRO_FIXED_SIZE_PROP, DECIMAL_PRECISION_DEFAULT,
    DEFAULT_SCHEMA_FULL_NAME, DEFAULT_SCHEMA_NAME, MAP_ENTRY_TYPE_NAME, NAMESPACE,
    from_connect_schema,
};
pub use text::schema_text;
pub use to_connect::to_connect_schema;

use crate::error::{Error, Result};

/// Writes Connect values of one schema as Avro bodies of one Avro schema (compiled once).
#[derive(Debug, Clone)]
pub struct AvroWriter {
    plan: encode::WritePlan,
}

impl AvroWriter {
    /// Compiles the writer; the Avro schema is usually [`from_connect_schema`] of `connect`, but
    /// may be any compatible one (fields matched by name, as with `use.latest.version`).
    pub fn new(connect: &Schema, avro: &AvroSchema) -> Result<Self> {
        Ok(AvroWriter {
            plan: encode::compile(connect, avro).map_err(Error::AvroSchema)?,
        })
    }

    /// Appends the Avro binary body of `value` to `out`.
    pub fn write(&self, value: &Value, out: &mut Vec<u8>) -> Result<()> {
        encode::write(out, &self.plan, value)
            .map_err(|p| Error::Data(sluice_api::Error::data(p.to_string())))
    }
}

/// Reads Avro bodies written with one (writer) Avro schema into Connect values.
#[derive(Debug, Clone)]
pub struct AvroReader {
    schema: Schema,
    encoding: std::sync::Arc<AvroEncoding>,
}

impl AvroReader {
    /// Compiles a reader for bodies written with `writer`, producing values of the Connect schema
    /// AvroData derives from it (`version` for the top level, as the registry version).
    pub fn new(writer: &AvroSchema, version: Option<i32>, config: &AvroDataConfig) -> Result<Self> {
        let schema = to_connect_schema(writer, version, config).map_err(Error::AvroSchema)?;
        let plan = decode::compile(writer, &schema, config.enhanced_schema_support)
            .map_err(Error::AvroSchema)?;
        Ok(AvroReader {
            schema,
            encoding: std::sync::Arc::new(AvroEncoding::new(writer.clone(), plan)),
        })
    }

    /// The Connect schema of the values read.
    pub fn connect_schema(&self) -> &Schema {
        &self.schema
    }

    /// The encoding of the bodies read, for [`sluice_api::EncodedValue`]s.
    pub fn encoding(&self) -> std::sync::Arc<AvroEncoding> {
        self.encoding.clone()
    }

    /// Reads one body; truncated or malformed bytes give an error naming the byte offset.
    pub fn read(&self, body: &[u8]) -> Result<Value> {
        decode::Reader::new(body)
            .read(self.encoding.plan())
            .map_err(|m| Error::Data(sluice_api::Error::data(m)))
    }
}
