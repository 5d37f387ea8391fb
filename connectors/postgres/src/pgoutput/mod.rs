//! The `pgoutput` logical replication messages, protocol version 1, as typed values.
//!
//! PostgreSQL's built-in output plugin sends one message per `XLogData` payload: a one-byte tag
//! followed by big-endian fields (the "Logical Replication Message Formats" chapter of the
//! PostgreSQL manual). [`decode`] turns one payload into a [`Message`]. Column values stay
//! slices of the received buffer ([`Bytes`]), so decoding a row copies no value data; only
//! names (relation, column, type, origin, message prefix) become `String`s.
//!
//! Correctness of the decoder rests on three rules, each covered by the unit tests:
//! - every read is bounds-checked, so a truncated or garbage payload yields a [`DecodeError`]
//!   naming the message type and the byte offset, never a panic or an out-of-bounds slice;
//! - counts read from the wire never size an allocation beyond what the remaining bytes could
//!   hold, so a forged count cannot exhaust memory;
//! - a payload must be consumed exactly: trailing bytes are an error, because they mean the
//!   decoder and the server disagree about the format and later fields would be misread.
//!
//! Version 2+ streaming messages (`S`, `E`, `c`, `A`) are never sent to a version 1 session and
//! are reported as unsupported.

mod decode;
mod reader;
#[cfg(test)]
mod tests;

use bytes::Bytes;

use crate::error::{Error, Result};
use crate::lsn::Lsn;

pub use decode::{DecodeError, decode};

/// A PostgreSQL object identifier (relation or type OID).
pub type Oid = u32;

/// One decoded `pgoutput` message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// `B`: a transaction starts.
    Begin(Begin),
    /// `C`: the transaction commits.
    Commit(Commit),
    /// `O`: the transaction came from another replication origin.
    Origin(Origin),
    /// `R`: the description of a table, sent before its first change in the session and again
    /// after it changed.
    Relation(Relation),
    /// `Y`: a non-built-in data type used by a following relation.
    Type(TypeInfo),
    /// `I`: a row was inserted.
    Insert(Insert),
    /// `U`: a row was updated.
    Update(Update),
    /// `D`: a row was deleted.
    Delete(Delete),
    /// `T`: tables were truncated.
    Truncate(Truncate),
    /// `M`: a logical decoding message (`pg_logical_emit_message`).
    Message(LogicalMessage),
}

impl Message {
    /// The name of the message type, as the PostgreSQL manual spells it.
    pub fn kind(&self) -> &'static str {
        match self {
            Message::Begin(_) => "Begin",
            Message::Commit(_) => "Commit",
            Message::Origin(_) => "Origin",
            Message::Relation(_) => "Relation",
            Message::Type(_) => "Type",
            Message::Insert(_) => "Insert",
            Message::Update(_) => "Update",
            Message::Delete(_) => "Delete",
            Message::Truncate(_) => "Truncate",
            Message::Message(_) => "Message",
        }
    }
}

/// `B`: the start of a committed transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Begin {
    /// The LSN of the transaction's commit record.
    pub final_lsn: Lsn,
    /// Commit time, microseconds since 2000-01-01 00:00:00 UTC (PostgreSQL's epoch).
    pub commit_time_micros: i64,
    /// The transaction id.
    pub xid: u32,
}

/// `C`: the end of a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// Flags; unused by protocol version 1 (always 0).
    pub flags: u8,
    /// The LSN of the commit record.
    pub commit_lsn: Lsn,
    /// The LSN just past the commit record: where a restart resumes after this transaction,
    /// and the position to confirm once the transaction is durably processed.
    pub end_lsn: Lsn,
    /// Commit time, microseconds since 2000-01-01 00:00:00 UTC.
    pub commit_time_micros: i64,
}

/// `O`: the replication origin of the current transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The commit LSN on the origin server.
    pub commit_lsn: Lsn,
    /// The origin's name.
    pub name: String,
}

/// `pg_class.relreplident`: which old values an update or delete carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicaIdentity {
    /// `d`: the primary key.
    Default,
    /// `n`: nothing (updates and deletes cannot be replicated).
    Nothing,
    /// `f`: all columns.
    Full,
    /// `i`: the columns of a chosen unique index.
    Index,
}

/// One column of a [`Relation`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Whether the column is part of the replica identity key (flag bit 1).
    pub is_key: bool,
    /// The column name.
    pub name: String,
    /// The OID of the column's data type.
    pub type_oid: Oid,
    /// The type modifier (`atttypmod`), -1 when none.
    pub type_modifier: i32,
}

/// `R`: the description of a published table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    /// The relation's OID; changes refer to the table by it.
    pub id: Oid,
    /// The schema name (empty for `pg_catalog`).
    pub namespace: String,
    /// The table name.
    pub name: String,
    /// The table's replica identity setting.
    pub replica_identity: ReplicaIdentity,
    /// The published columns, in the order tuples carry their values.
    pub columns: Vec<Column>,
}

impl Relation {
    /// Pairs each value of `tuple` with its column name, in column order.
    ///
    /// Fails when the tuple does not have one value per column, which means the relation
    /// description is stale (a missed `Relation` message).
    pub fn named<'a>(&'a self, tuple: &'a TupleData) -> Result<Vec<(&'a str, &'a ColumnValue)>> {
        if tuple.0.len() != self.columns.len() {
            return Err(Error::SchemaMismatch {
                relation: format!("{}.{}", self.namespace, self.name),
                relation_columns: self.columns.len(),
                tuple_columns: tuple.0.len(),
            });
        }
        Ok(self
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .zip(tuple.0.iter())
            .collect())
    }
}

/// `Y`: a data type that is not built in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeInfo {
    /// The type's OID.
    pub oid: Oid,
    /// The schema name (empty for `pg_catalog`).
    pub namespace: String,
    /// The type name.
    pub name: String,
}

/// One column value of a [`TupleData`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnValue {
    /// `n`: SQL NULL.
    Null,
    /// `u`: an unchanged TOASTed value whose content was not sent.
    UnchangedToast,
    /// `t`: the value in the type's text output format (UTF-8 on Sluice's connections).
    Text(Bytes),
    /// `b`: the value in the type's binary send format.
    Binary(Bytes),
}

impl ColumnValue {
    /// The value as text, when it is a text-format value that is valid UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            ColumnValue::Text(b) => std::str::from_utf8(b).ok(),
            _ => None,
        }
    }

    /// The raw bytes of a text or binary value.
    pub fn bytes(&self) -> Option<&Bytes> {
        match self {
            ColumnValue::Text(b) | ColumnValue::Binary(b) => Some(b),
            ColumnValue::Null | ColumnValue::UnchangedToast => None,
        }
    }
}

/// The values of one row, in the column order of its [`Relation`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TupleData(pub Vec<ColumnValue>);

/// The old row of an update or delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OldTuple {
    /// `K`: only the replica identity key columns carry values (others are null).
    Key(TupleData),
    /// `O`: the whole old row (`REPLICA IDENTITY FULL`).
    Full(TupleData),
}

impl OldTuple {
    /// The old values, whichever kind.
    pub fn tuple(&self) -> &TupleData {
        match self {
            OldTuple::Key(t) | OldTuple::Full(t) => t,
        }
    }
}

/// `I`: an inserted row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insert {
    /// The OID of the table.
    pub relation_id: Oid,
    /// The new row.
    pub new: TupleData,
}

/// `U`: an updated row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    /// The OID of the table.
    pub relation_id: Oid,
    /// The old key or row, when the replica identity requires it and it changed (key) or is
    /// `FULL` (row).
    pub old: Option<OldTuple>,
    /// The new row.
    pub new: TupleData,
}

/// `D`: a deleted row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delete {
    /// The OID of the table.
    pub relation_id: Oid,
    /// The old key or row.
    pub old: OldTuple,
}

/// `T`: truncated tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Truncate {
    /// `TRUNCATE … CASCADE` (option bit 1).
    pub cascade: bool,
    /// `TRUNCATE … RESTART IDENTITY` (option bit 2).
    pub restart_identity: bool,
    /// The OIDs of the truncated tables.
    pub relation_ids: Vec<Oid>,
}

/// `M`: a message written with `pg_logical_emit_message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogicalMessage {
    /// Whether it was emitted as part of a transaction (flag bit 1).
    pub transactional: bool,
    /// The LSN of the message.
    pub lsn: Lsn,
    /// The application-chosen prefix.
    pub prefix: String,
    /// The content, uninterpreted.
    pub content: Bytes,
}
