//! [`LogLevels`]: how a herder changes the process's log levels for `PUT /admin/loggers/…`.
//!
//! The worker library does not own the process's `tracing` subscriber (the binary installs
//! it), so the binary hands the herder an implementation of this trait. A herder without one
//! only records the levels it was asked for (its `GET /admin/loggers` table), as before.
//!
//! # Logger names
//! Kafka's logger names are log4j names (`org.apache.kafka.connect`, `root`). Sluice logs
//! through `tracing`, whose targets are Rust module paths (`sluice_worker::task`). An
//! implementation maps a name as follows, and must document any departure:
//! - `root` is the default level: it applies to every target, and (as in Kafka, where setting
//!   `root` sets every logger) replaces every narrower level set before;
//! - any other name is a target prefix taken as it is: `sluice_worker` covers
//!   `sluice_worker::task::…`. Java names are accepted too, but no Sluice code logs under
//!   them, so they change nothing visible (there is no table translating Java classes to Rust
//!   modules: Sluice's modules do not correspond to Kafka's classes one to one).

use std::fmt;

use sluice_rest::LogLevel;

/// Changes the level of a logger namespace in the running process.
pub trait LogLevels: Send + Sync + fmt::Debug {
    /// Sets `namespace` (see the module doc for names) and every logger below it to `level`;
    /// `Err` carries a message for the operator (e.g. a name the filter cannot parse), and
    /// then nothing changed.
    fn set(&self, namespace: &str, level: LogLevel) -> Result<(), String>;
}
