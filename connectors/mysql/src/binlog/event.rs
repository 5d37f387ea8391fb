//! What a binlog stream yields: transaction boundaries, row changes and statements, each
//! with the offset to store once it is durably delivered.

use std::sync::Arc;

use super::position::BinlogOffset;
use super::table::TableSchema;
use super::value::ColumnValue;
use crate::gtid::Gtid;

/// The kind of a row change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RowOp {
    /// A WRITE_ROWS row: only an after image.
    Insert,
    /// An UPDATE_ROWS row: before and after images.
    Update,
    /// A DELETE_ROWS row: only a before image.
    Delete,
}

/// One changed row.
#[derive(Debug, Clone, PartialEq)]
pub struct RowChange {
    /// Insert, update or delete.
    pub op: RowOp,
    /// The table as mapped when the row was written; values are in its column order.
    pub table: Arc<TableSchema>,
    /// The row before the change (updates and deletes).
    pub before: Option<Vec<ColumnValue>>,
    /// The row after the change (inserts and updates).
    pub after: Option<Vec<ColumnValue>>,
    /// The GTID of the transaction (`None` only when the stream started inside one).
    pub gtid: Option<Gtid>,
    /// The statement that produced the row, from MariaDB's ANNOTATE_ROWS event. MariaDB only
    /// sends those when the dump request carries the `BINLOG_SEND_ANNOTATE_ROWS_EVENT` flag,
    /// which `mysql_async` 0.37 cannot set, so this is `None` until the driver allows it.
    pub query: Option<Arc<str>>,
    /// The offset after this row.
    pub offset: BinlogOffset,
}

impl RowChange {
    /// The before-image value of column `name`.
    pub fn before_value(&self, name: &str) -> Option<&ColumnValue> {
        let i = self.table.column_index(name)?;
        self.before.as_ref()?.get(i)
    }

    /// The after-image value of column `name`.
    pub fn after_value(&self, name: &str) -> Option<&ColumnValue> {
        let i = self.table.column_index(name)?;
        self.after.as_ref()?.get(i)
    }
}

/// The start of a transaction (a MariaDB GTID event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxBegin {
    /// Its GTID.
    pub gtid: Gtid,
    /// Whether it is a single statement without COMMIT (DDL, non-transactional tables).
    pub standalone: bool,
    /// Whether it is DDL.
    pub ddl: bool,
    /// The offset before the transaction (resuming there replays all of it).
    pub offset: BinlogOffset,
}

/// The end of a transaction (XID, `COMMIT`/`ROLLBACK` statement, or the end of a standalone
/// statement).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxCommit {
    /// Its GTID (`None` only when the stream started inside it).
    pub gtid: Option<Gtid>,
    /// The storage engine's transaction id, for XID-terminated transactions.
    pub xid: Option<u64>,
    /// The offset after the transaction; its `gtids` include this one.
    pub offset: BinlogOffset,
}

/// A statement logged as text (DDL, or anything not row-logged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The default database when it ran.
    pub schema: String,
    /// The SQL text.
    pub sql: String,
    /// The GTID of its transaction.
    pub gtid: Option<Gtid>,
    /// The offset after the statement.
    pub offset: BinlogOffset,
}

/// An event of the binlog stream.
#[derive(Debug, Clone, PartialEq)]
pub enum ChangeEvent {
    /// A transaction starts.
    Begin(TxBegin),
    /// A row changed.
    Row(RowChange),
    /// A transaction ended.
    Commit(TxCommit),
    /// A statement was logged as text.
    Statement(Statement),
    /// The server is alive but has nothing to send (`ConnectOptions::heartbeat_interval`).
    Heartbeat(BinlogOffset),
}

impl ChangeEvent {
    /// The offset to store once this event is durably delivered.
    pub fn offset(&self) -> &BinlogOffset {
        match self {
            ChangeEvent::Begin(e) => &e.offset,
            ChangeEvent::Row(e) => &e.offset,
            ChangeEvent::Commit(e) => &e.offset,
            ChangeEvent::Statement(e) => &e.offset,
            ChangeEvent::Heartbeat(o) => o,
        }
    }
}
