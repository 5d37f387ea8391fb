//! The connector SPI and data model every other crate speaks: Kafka Connect's `Schema`/`Value`/
//! `Struct`, `SourceRecord`/`SinkRecord`, the connector and task traits, `ConfigDef` and validation.
//!
//! This crate is a leaf: it must never depend on a Kafka client, a database driver, an HTTP stack or
//! any other Sluice crate, so connectors can be written and tested against it alone.

mod error;

pub use error::{Error, Result};
