//! The MariaDB/MySQL binlog client: connect as a replica, dump the row-based binlog from a
//! file position or a MariaDB GTID position, and decode it into typed change events with
//! restartable offsets.
//!
//! ```text
//! BinlogClient::connect ──► gtid_binlog_pos / master_status   (where the binlog is now)
//!        │
//!        └─ start(StartPosition) ──► BinlogStream::next ──► ChangeEvent
//!                                       Begin(gtid) · Row(table, before, after) · Statement · Commit(xid)
//!                                       each with a BinlogOffset to store once delivered
//! ```
//!
//! The connector builds on it like this: take the snapshot at a known GTID position (or file
//! position), then `start(StartPosition::Gtid(that position))`; every transaction committed
//! after the snapshot's position is delivered, none before it. After a restart,
//! `start(StartPosition::Resume(stored offset))` replays from the stored transaction start
//! and skips what was delivered.

mod client;
mod event;
mod options;
mod position;
mod rotate;
mod settings;
mod stream;
mod table;
mod value;

pub use client::BinlogClient;
pub use event::{ChangeEvent, RowChange, RowOp, Statement, TxBegin, TxCommit};
pub use options::ConnectOptions;
pub use position::{BinlogOffset, FilePosition, StartPosition};
pub use settings::ServerSettings;
pub use stream::BinlogStream;
pub use table::{Charsets, ColumnMeta, ColumnType, TableSchema};
pub use value::ColumnValue;
