//! MySQL and MariaDB change-data-capture source, compatible with Debezium's MySQL and MariaDB
//! connectors: a consistent snapshot, then the row-based binlog (MariaDB GTIDs or file/position)
//! as Debezium-envelope change events.
//!
//! Modules so far: [`gtid`] (MariaDB GTIDs, GTID positions and MariaDB's own binlog events)
//! and [`binlog`] (the binlog client: positioning, decoding rows into typed values, offsets).
//!
//! Depends on the data model and `sluice-cdc`; never on the worker, a Kafka client or the REST API.

pub mod binlog;
mod error;
pub mod gtid;

pub use error::{Error, Result};
