//! Sans-io codecs for what Kafka Connect workers write to Kafka and say to each other: the records of
//! the config, offsets and status topics, and the `connect` worker group protocol's metadata and
//! assignments.
//!
//! Pure functions over bytes: no I/O, no async, no Kafka client. Everything here is byte-exact to Java
//! Kafka Connect and property-tested for round-trips.

mod error;

pub use error::{Error, Result};
