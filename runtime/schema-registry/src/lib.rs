//! A Confluent-compatible Schema Registry served by Sluice, so a plain Apache Kafka cluster needs
//! nothing else: the REST API that serializers and converters use, with schemas stored in a
//! compacted Kafka topic (`_schemas`) in Confluent Schema Registry's record format.
//!
//! Depends on Kafka (rdkafka) and Avro; never on the worker, the connectors or the REST API of
//! Kafka Connect.
//!
//! # How it fits together
//! ```text
//!  REST (axum) ──► Registry ──reads──► State ◄──apply── every record of the topic, in order
//!   api/           registry.rs          state.rs            ▲
//!                     │ changes                             │ consumer (partition 0)
//!                     ▼                                     │
//!                  store task: plan (plan.rs) ─► produce ─► topic ─► read back ─► reply
//! ```
//! The topic is the only source of truth: the state is a function of its records
//! (`records.rs` has their format), rebuilt by reading it to the end at start-up. Every change
//! is planned against the state, written, and answered only once it has been read back, by a
//! single task — so ids are global and stable across restarts, and concurrent registrations of
//! one schema get one id.
//!
//! Schemas are Avro only. A schema's identity is Java Avro's canonical string of it (see
//! [`AvroSchema::canonical`]); compatibility follows Java's schema-resolution check with
//! Confluent's messages (`compat.rs`, `avro/resolution.rs`). The text first registered under an
//! id is kept byte for byte and returned for that id.
//!
//! # Use
//! ```no_run
//! # async fn run() -> sluice_schema_registry::Result<()> {
//! use sluice_schema_registry::{Registry, RegistryConfig};
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8081").await.map_err(sluice_schema_registry::Error::Http)?;
//! let config = RegistryConfig::new("localhost:9092");
//! Registry::serve(config, listener, async { let _ = tokio::signal::ctrl_c().await; }).await
//! # }
//! ```

mod api;
mod avro;
mod compat;
mod config;
mod error;
mod plan;
mod records;
mod registry;
mod state;
mod store;
mod types;

pub use api::CONTENT_TYPE;
pub use avro::{AvroSchema, canonical_form};
pub use compat::CompatibilityLevel;
pub use config::{DEFAULT_TOPIC, RegistryConfig};
pub use error::{Error, Result};
pub use plan::VersionSpec;
pub use registry::Registry;
pub use types::{SchemaById, SchemaRequest, SubjectVersion};
