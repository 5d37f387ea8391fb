//! The Kafka Connect worker: config/offset/status stores (memory and Kafka), the herder that owns
//! cluster state, the source and sink task loops, offset commit, errors and the dead-letter
//! queue, and the Kafka clients they use.
//!
//! Depends on the data model, the internal-topic codecs and the converters; never on a connector
//! crate (connectors are registered by the binary). For now it depends on `sluice-rest` for the
//! `Herder` trait it implements (an inversion of DESIGN.md §2, explained in [`herder`]).

pub mod config_state;
mod error;
pub mod herder;
pub mod kafka;
pub mod stores;
pub mod task;

pub use error::{Error, Result};
