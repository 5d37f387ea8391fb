//! What the change-data-capture sources share: the Debezium envelope (`before`, `after`, `source`,
//! `transaction`, `op`, `ts_*`) and its schema names, the `source` block, snapshot/stream bookkeeping
//! and signals.
//!
//! Depends on `sluice-api` only; never on a database driver (those live in the source crates), the
//! worker or the REST API.

mod error;

pub use error::{Error, Result};
