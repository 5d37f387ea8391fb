//! The Kafka Connect worker: config/offset/status stores (memory and Kafka), the herder that owns
//! cluster state, the source and sink task loops, offset commit, errors and the dead-letter
//! queue, and the Kafka clients they use.
//!
//! Depends on the data model, the internal-topic codecs and the converters; never on a connector
//! crate (connectors are registered by the binary) or on the REST API (which depends on this).

pub mod config_state;
mod error;
pub mod kafka;
pub mod stores;
pub mod task;

pub use error::{Error, Result};
