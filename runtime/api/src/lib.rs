//! The connector SPI and data model every other crate speaks: Kafka Connect's `Schema`/`Value`/
//! `Struct`, `SourceRecord`/`SinkRecord`, the connector and task traits, `ConfigDef` and validation.
//!
//! This crate is a leaf: it must never depend on a Kafka client, a database driver, an HTTP stack or
//! any other Sluice crate, so connectors can be written and tested against it alone.
//!
//! The data model mirrors Java's `org.apache.kafka.connect.data` package:
//!
//! | Java | Sluice |
//! |---|---|
//! | `Schema`, `ConnectSchema` | [`Schema`] (immutable, `Arc`-shared) with [`Type`] and [`Field`] |
//! | `SchemaBuilder` | [`SchemaBuilder`] (checks in [`SchemaBuilder::build`]) |
//! | `Object` values | [`Value`] |
//! | `Struct` | [`Struct`] |
//! | `BigDecimal` | [`Decimal`] |
//! | `Decimal`, `Date`, `Time`, `Timestamp` | [`logical`] |
//! | `ConnectSchema.validateValue` | [`validate_value`] |
//! | `SchemaAndValue` | [`SchemaAndValue`] |
//! | `SourceRecord`, `SinkRecord`, `ConnectHeaders` | [`SourceRecord`], [`SinkRecord`], [`Headers`] |
//! | `ConfigDef`, `ConfigValue` | [`config`] |

mod builder;
pub mod config;
pub mod connector;
mod decimal;
mod encoded;
mod error;
mod header;
pub mod logical;
mod record;
mod schema;
mod struct_;
mod validate;
mod value;

pub use builder::SchemaBuilder;
/// The string type of [`Value::String`], re-exported so connectors need not depend on it.
pub use compact_str::{CompactString, ToCompactString, format_compact};
pub use config::{
    ConfigDef, ConfigKey, ConfigType, ConfigValue, Importance, ParsedConfig, Validator, Width,
};
pub use decimal::Decimal;
pub use encoded::{EncodedValue, ValueEncoding};
pub use error::{Error, Result};
pub use header::{Header, Headers};
pub use record::{OffsetMap, SinkRecord, SourceRecord, TimestampType};
pub use schema::{Field, Schema, SchemaAndValue, Type};
pub use struct_::Struct;
pub use validate::validate_value;
pub use value::Value;
