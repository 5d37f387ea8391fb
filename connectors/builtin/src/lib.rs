//! The built-in connectors and the plugin registry.
//!
//! - [`file_source`]: Kafka's `FileStreamSourceConnector` (lines of a file or stdin → a topic),
//!   offsets compatible with Java's.
//! - [`file_sink`]: Kafka's `FileStreamSinkConnector` (record values → lines of a file or
//!   stdout).
//! - [`datagen`]: a deterministic, resumable data generator for benchmarks.
//! - [`registry`]: `connector.class` names and aliases → constructors, with Kafka's alias rules.
//!
//! The connectors implement the typed SPI of [`sluice_api::connector`]; the registry hands them
//! out type-erased. They need no external service, which makes them the first connectors the
//! worker's task loops run, and the test connectors of the end-to-end suite.

pub mod datagen;
mod error;
pub mod file_sink;
pub mod file_source;
pub mod registry;

pub use error::{Error, Result};
pub use registry::{Constructor, PluginDesc, PluginRegistry, builtin_plugins};
