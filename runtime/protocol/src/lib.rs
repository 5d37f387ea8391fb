//! Sans-io codecs for what Kafka Connect workers write to Kafka and say to each other: the records of
//! the config, offsets and status topics, and the `connect` worker group protocol's metadata and
//! assignments.
//!
//! Pure functions over bytes: no I/O, no async, no Kafka client. Everything here is byte-exact to Java
//! Kafka Connect (the golden records in `shared/golden/internal/` are the yardstick, see
//! `tests/golden_internal.rs`) and property-tested for round-trips.
//!
//! Two rules decide byte compatibility: internal topics carry bare JSON (JsonConverter with
//! `schemas.enable=false`, Jackson's compact output), and offsets are found by the exact bytes
//! of their key.

pub mod config_topic;
mod error;
pub mod group;
pub mod java_order;
pub mod json;
pub mod murmur2;
pub mod offsets_topic;
pub mod status_topic;

pub use config_topic::{ConfigRecord, Properties, SessionKey, TargetState};
pub use error::{Error, Result};
pub use group::{Assignment, ConnectorTasks, WorkerMetadata};
pub use offsets_topic::{OffsetKey, decode_offset, encode_offset};
pub use status_topic::{State, Status, StatusKey, TopicStatus};
