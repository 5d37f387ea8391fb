//! MySQL and MariaDB change-data-capture source, compatible with Debezium's MySQL and MariaDB
//! connectors: a consistent snapshot, then the row-based binlog (MariaDB GTIDs or file/position)
//! as Debezium-envelope change events.
//!
//! Depends on the data model and `sluice-cdc`; never on the worker, a Kafka client or the REST API.

mod error;

pub use error::{Error, Result};
