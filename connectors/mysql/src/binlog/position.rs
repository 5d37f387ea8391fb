//! Where a binlog stream starts, and where it is: the data a source offset is made of.
//!
//! A binlog position must be restartable: after a crash the stream is reopened at the last
//! stored [`BinlogOffset`] and must deliver every change after it exactly once more at most
//! (never skip one). Binlog positions inside a transaction are not valid dump starting points
//! (the server replays whole event groups, and a row event needs the table map before it), so
//! an offset names the start of the *current transaction* (`file`/`pos`, and `gtids`, the
//! position *before* it) plus how much of the transaction was already delivered: `event`
//! events after its GTID event, then `row` rows of the next row event. This is the shape of
//! Debezium's MySQL/MariaDB offsets (`file`, `pos`, `gtids`, `event`, `row`), so they can move
//! between Debezium and Sluice. [`StartPosition::Resume`] replays from such an offset and
//! skips what was delivered.

use std::fmt;

use crate::gtid::GtidPosition;

/// A binlog file and a byte position in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FilePosition {
    /// The binlog file name, e.g. `mysql-bin.000003`.
    pub file: String,
    /// The byte offset of an event start in that file (4 is the first event).
    pub pos: u64,
}

impl fmt::Display for FilePosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.pos)
    }
}

/// Where a binlog stream starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartPosition {
    /// At an event boundary of a binlog file (`SHOW MASTER STATUS` gives the current end).
    /// It should be a transaction boundary: row events before the first GTID event are
    /// delivered without a GTID.
    File(FilePosition),
    /// After the transactions of a MariaDB GTID position (`@@gtid_binlog_pos` gives the
    /// current one): the first transaction delivered is the one following it in each domain.
    Gtid(GtidPosition),
    /// From a stored offset: reopen at the start of the offset's transaction (by its `gtids`
    /// when it has them, else by `file`/`pos`) and skip what the offset says was delivered.
    Resume(BinlogOffset),
}

/// The position of a delivered change, in the shape of a Debezium MySQL/MariaDB offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinlogOffset {
    /// The binlog file of `pos`.
    pub file: String,
    /// Inside a transaction: where its GTID event starts. Between transactions: where the
    /// next event starts.
    pub pos: u64,
    /// The GTID position of all transactions committed before `pos`.
    pub gtids: GtidPosition,
    /// How many events after `pos` were fully delivered.
    pub event: u64,
    /// How many rows of the event after those were delivered.
    pub row: u64,
    /// The `server_id` of the event's origin (0 when no event was read yet).
    pub server_id: u32,
    /// The event's timestamp, seconds since the epoch (0 when no event was read yet).
    pub ts_sec: u32,
}

impl BinlogOffset {
    /// Whether resuming from this offset must skip events or rows of a transaction.
    pub fn is_mid_transaction(&self) -> bool {
        self.event > 0 || self.row > 0
    }
}
