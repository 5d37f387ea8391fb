//! Test harness for Sluice's integration tests: reaches the real servers started by
//! `tests/services/start.sh` and hands each test unique names so tests run in parallel without
//! colliding.
//!
//! Connection details come from `$SLUICE_SERVICES_DIR/services.env` (default
//! `/tmp/sluice-services/services.env`), written by the start script; a variable of the same name
//! in the environment wins, so a developer can point tests at other servers. When no servers were
//! started at all, the first test to ask runs the start script itself (under a file lock, so
//! parallel test processes start them once) and leaves them running for the next tests.
//!
//! A test that needs a server that is not answering **panics** with the server's name, address
//! and log file: a missing server is a failed test, never a silently passing one.
//!
//! Dev-dependency only: no product crate may depend on this one.

mod golden;
mod names;
mod services;

pub use golden::{golden, golden_dir};
pub use names::{unique_ident, unique_name};
pub use services::{Azurite, Kafka, MariaDb, Postgres, S3, Services, Snowflake, services};
