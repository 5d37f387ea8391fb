//! Decoding one `pgoutput` payload into a [`Message`].

use bytes::Bytes;

use super::reader::Reader;
use super::{
    Begin, Column, ColumnValue, Commit, Delete, Insert, LogicalMessage, Message, OldTuple, Origin,
    Relation, ReplicaIdentity, Truncate, TupleData, TypeInfo, Update,
};
use crate::lsn::Lsn;

/// A `pgoutput` payload that could not be decoded: names the message type and the byte offset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot decode the pgoutput {message_type} message at byte {offset}: {reason}; \
     the replication stream is corrupt or from an unsupported protocol version (Sluice speaks proto_version 1)"
)]
pub struct DecodeError {
    message_type: &'static str,
    offset: usize,
    reason: String,
}

impl DecodeError {
    pub(super) fn new(
        message_type: &'static str,
        offset: usize,
        reason: impl Into<String>,
    ) -> Self {
        DecodeError {
            message_type,
            offset,
            reason: reason.into(),
        }
    }

    /// The message type being decoded ("Insert", …; "unknown" when the tag was not recognised).
    pub fn message_type(&self) -> &'static str {
        self.message_type
    }

    /// The byte offset in the payload where decoding failed.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// What was wrong.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// Decodes one `pgoutput` (protocol version 1) message from the payload of an `XLogData`.
///
/// Column values are zero-copy slices of `payload`.
pub fn decode(payload: Bytes) -> Result<Message, DecodeError> {
    let Some(&tag) = payload.first() else {
        return Err(DecodeError::new(
            "unknown",
            0,
            "empty payload, expected a message tag",
        ));
    };
    let kind = match tag {
        b'B' => "Begin",
        b'C' => "Commit",
        b'O' => "Origin",
        b'R' => "Relation",
        b'Y' => "Type",
        b'I' => "Insert",
        b'U' => "Update",
        b'D' => "Delete",
        b'T' => "Truncate",
        b'M' => "Message",
        b'S' | b'E' | b'c' | b'A' | b'P' | b'K' | b'r' | b'p' => {
            return Err(DecodeError::new(
                "unknown",
                0,
                format!(
                    "message tag '{}' belongs to a newer protocol version (streaming or two-phase)",
                    char::from(tag)
                ),
            ));
        }
        other => {
            return Err(DecodeError::new(
                "unknown",
                0,
                format!("unknown message tag 0x{other:02X}"),
            ));
        }
    };
    let mut r = Reader::new(payload, 1, kind);
    let message = match tag {
        b'B' => Message::Begin(Begin {
            final_lsn: Lsn(r.u64("the final LSN")?),
            commit_time_micros: r.i64("the commit timestamp")?,
            xid: r.u32("the transaction id")?,
        }),
        b'C' => Message::Commit(Commit {
            flags: r.u8("the flags")?,
            commit_lsn: Lsn(r.u64("the commit LSN")?),
            end_lsn: Lsn(r.u64("the end LSN")?),
            commit_time_micros: r.i64("the commit timestamp")?,
        }),
        b'O' => Message::Origin(Origin {
            commit_lsn: Lsn(r.u64("the origin commit LSN")?),
            name: r.cstring("the origin name")?,
        }),
        b'R' => Message::Relation(relation(&mut r)?),
        b'Y' => Message::Type(TypeInfo {
            oid: r.u32("the type OID")?,
            namespace: r.cstring("the namespace")?,
            name: r.cstring("the type name")?,
        }),
        b'I' => {
            let relation_id = r.u32("the relation id")?;
            expect_tag(&mut r, b'N', "the new tuple")?;
            Message::Insert(Insert {
                relation_id,
                new: tuple(&mut r)?,
            })
        }
        b'U' => Message::Update(update(&mut r)?),
        b'D' => {
            let relation_id = r.u32("the relation id")?;
            let old = match r.u8("the old tuple tag")? {
                b'K' => OldTuple::Key(tuple(&mut r)?),
                b'O' => OldTuple::Full(tuple(&mut r)?),
                other => return Err(bad_tag(&r, other, "'K' or 'O'")),
            };
            Message::Delete(Delete { relation_id, old })
        }
        b'T' => Message::Truncate(truncate(&mut r)?),
        _ => Message::Message(logical_message(&mut r)?),
    };
    r.finish()?;
    Ok(message)
}

/// The error for an unexpected sub-message tag just read (offset points at it).
fn bad_tag(r: &Reader, got: u8, expected: &str) -> DecodeError {
    r.error_at(
        r.offset() - 1,
        format!("expected {expected}, found byte 0x{got:02X}"),
    )
}

fn expect_tag(r: &mut Reader, expected: u8, what: &str) -> Result<(), DecodeError> {
    let got = r.u8(what)?;
    if got == expected {
        Ok(())
    } else {
        Err(bad_tag(
            r,
            got,
            &format!("'{}' before {what}", char::from(expected)),
        ))
    }
}

fn relation(r: &mut Reader) -> Result<Relation, DecodeError> {
    let id = r.u32("the relation id")?;
    let namespace = r.cstring("the namespace")?;
    let name = r.cstring("the relation name")?;
    let replica_identity = match r.u8("the replica identity")? {
        b'd' => ReplicaIdentity::Default,
        b'n' => ReplicaIdentity::Nothing,
        b'f' => ReplicaIdentity::Full,
        b'i' => ReplicaIdentity::Index,
        other => return Err(bad_tag(r, other, "replica identity 'd', 'n', 'f' or 'i'")),
    };
    let count = r.count16("the column count")?;
    // Each column takes at least 10 bytes (flags, empty name, type, modifier).
    let mut columns = Vec::with_capacity(count.min(r.remaining() / 10));
    for _ in 0..count {
        columns.push(Column {
            is_key: r.u8("the column flags")? & 1 != 0,
            name: r.cstring("the column name")?,
            type_oid: r.u32("the column type OID")?,
            type_modifier: r.i32("the column type modifier")?,
        });
    }
    Ok(Relation {
        id,
        namespace,
        name,
        replica_identity,
        columns,
    })
}

fn update(r: &mut Reader) -> Result<Update, DecodeError> {
    let relation_id = r.u32("the relation id")?;
    let mut old = None;
    let mut tag = r.u8("the tuple tag")?;
    if tag == b'K' || tag == b'O' {
        let t = tuple(r)?;
        old = Some(if tag == b'K' {
            OldTuple::Key(t)
        } else {
            OldTuple::Full(t)
        });
        tag = r.u8("the new tuple tag")?;
    }
    if tag != b'N' {
        return Err(bad_tag(r, tag, "'N' (or 'K'/'O' then 'N')"));
    }
    Ok(Update {
        relation_id,
        old,
        new: tuple(r)?,
    })
}

fn truncate(r: &mut Reader) -> Result<Truncate, DecodeError> {
    let count = r.count32("the relation count")?;
    let options = r.u8("the options")?;
    let mut relation_ids = Vec::with_capacity(count.min(r.remaining() / 4));
    for _ in 0..count {
        relation_ids.push(r.u32("a relation id")?);
    }
    Ok(Truncate {
        cascade: options & 1 != 0,
        restart_identity: options & 2 != 0,
        relation_ids,
    })
}

fn logical_message(r: &mut Reader) -> Result<LogicalMessage, DecodeError> {
    let transactional = r.u8("the flags")? & 1 != 0;
    let lsn = Lsn(r.u64("the message LSN")?);
    let prefix = r.cstring("the prefix")?;
    let len = r.count32("the content length")?;
    let content = r.bytes(len, "the content")?;
    Ok(LogicalMessage {
        transactional,
        lsn,
        prefix,
        content,
    })
}

/// `TupleData`: a column count, then per column a kind byte and, for `t`/`b`, a length and data.
fn tuple(r: &mut Reader) -> Result<TupleData, DecodeError> {
    let count = r.count16("the tuple column count")?;
    let mut values = Vec::with_capacity(count.min(r.remaining()));
    for _ in 0..count {
        let value = match r.u8("the column value kind")? {
            b'n' => ColumnValue::Null,
            b'u' => ColumnValue::UnchangedToast,
            kind @ (b't' | b'b') => {
                let len = r.count32("the value length")?;
                let data = r.bytes(len, "the column value")?;
                if kind == b't' {
                    ColumnValue::Text(data)
                } else {
                    ColumnValue::Binary(data)
                }
            }
            other => return Err(bad_tag(r, other, "column kind 'n', 'u', 't' or 'b'")),
        };
        values.push(value);
    }
    Ok(TupleData(values))
}
