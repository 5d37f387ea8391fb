//! PostgreSQL change-data-capture source, compatible with Debezium's PostgreSQL connector:
//! logical replication with the `pgoutput` plugin, a snapshot consistent with the replication
//! slot, and Debezium-envelope change events.
//!
//! Depends on the data model and `sluice-cdc`; never on the worker, a Kafka client or the REST API.

mod error;

pub use error::{Error, Result};
