//! PostgreSQL change-data-capture source, compatible with Debezium's PostgreSQL connector:
//! logical replication with the `pgoutput` plugin, a snapshot consistent with the replication
//! slot, and Debezium-envelope change events.
//!
//! Depends on the data model and `sluice-cdc`; never on the worker, a Kafka client or the REST API.
//!
//! # Snapshot → stream handover
//!
//! ```text
//!  replication session A        ordinary session B              replication session C
//!  CREATE_REPLICATION_SLOT
//!    … EXPORT_SNAPSHOT ───────► BEGIN REPEATABLE READ READ ONLY
//!  (consistent point P,         SET TRANSACTION SNAPSHOT 'S'
//!   snapshot S)                 SELECT … (sees commits < P)
//!  release (export ends)        …                               START_REPLICATION … LOGICAL P
//!                               COMMIT                          (delivers commits ≥ P)
//! ```
//!
//! The slot is created atomically with its snapshot: the server computes P and S together, so
//! every transaction is either visible in S (committed before P) or decoded from the slot
//! (committed at or after P), never both and never neither. Session A must stay idle until B has
//! imported S ([`slot::ExportedSlot`] holds it); C may start at any time since the slot retains
//! WAL from P until a position is confirmed ([`replication::ReplicationStream::confirm_flushed`]).
//!
//! The connector plugin itself is [`connector`] (config, snapshot, streaming, offsets).
//!
//! Modules: [`lsn`] (WAL positions), [`pgoutput`] (message decoding), [`connection`] (where to
//! connect), [`slot`] (creation with an exported snapshot, state, drop), [`snapshot`] (reading
//! through the exported snapshot), [`replication`] (the decoded stream and confirmation).

pub mod connection;
pub mod connector;
mod error;
pub mod lsn;
pub mod pgoutput;
pub mod replication;
pub mod slot;
pub mod snapshot;
pub mod tls;
pub mod types;

pub use connection::PgConnectionConfig;
pub use connector::{PostgresConnector, PostgresConnectorTask};
pub use error::{Error, Result};
pub use lsn::Lsn;
pub use replication::{ReplicationStream, StreamEvent, StreamOptions, WalMessage};
pub use slot::{ExportedSlot, SlotState, create_slot_with_snapshot, drop_slot, slot_state};
pub use snapshot::SnapshotTransaction;
pub use tls::{TlsMode, TlsOptions};
