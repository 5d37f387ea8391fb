//! Decoding MariaDB's own binlog events (types 160–163).
//!
//! `mysql_common` knows MySQL's event types only; MariaDB's come back as an `Event` whose
//! `read_data()` is `None`, with the body (post-header and payload, checksum already removed)
//! in `Event::data()`. The layouts, all little-endian:
//!
//! | type | event             | body                                                            |
//! |------|-------------------|-----------------------------------------------------------------|
//! | 160  | ANNOTATE_ROWS     | the SQL text of the statement that produced the next row events |
//! | 161  | BINLOG_CHECKPOINT | file name length u32, file name                                 |
//! | 162  | GTID              | seq_no u64, domain u32, flags u8, [commit_id u64], [XA xid], …  |
//! | 163  | GTID_LIST         | count u32 (low 28 bits; top 4 are flags), count × (domain u32, server u32, seq_no u64) |
//!
//! The GTID event's server id is not in its body: it is the event header's `server_id`, which
//! is why [`MariadbGtidEvent::gtid`] takes it. Fields after the ones decoded here (MariaDB's
//! "extra flags") are ignored: they describe how a replica should apply the transaction, not
//! which transaction it is. Every read is bounds-checked, so truncated input is an
//! [`Error::MalformedEvent`], never a panic.

use crate::error::{Error, Result};
use crate::gtid::Gtid;

/// Event type of MariaDB's ANNOTATE_ROWS event.
pub const ANNOTATE_ROWS_EVENT: u8 = 160;
/// Event type of MariaDB's BINLOG_CHECKPOINT event.
pub const BINLOG_CHECKPOINT_EVENT: u8 = 161;
/// Event type of MariaDB's GTID event.
pub const GTID_EVENT: u8 = 162;
/// Event type of MariaDB's GTID_LIST event.
pub const GTID_LIST_EVENT: u8 = 163;

/// Flags of a MariaDB GTID event (`flags2` in the server source).
pub mod gtid_flags {
    /// The transaction is a single statement without BEGIN/COMMIT (DDL, non-transactional).
    pub const STANDALONE: u8 = 1;
    /// A group-commit id follows the flags.
    pub const GROUP_COMMIT_ID: u8 = 2;
    /// The transaction only touched transactional tables.
    pub const TRANSACTIONAL: u8 = 4;
    /// A replica may apply it in parallel.
    pub const ALLOW_PARALLEL: u8 = 8;
    /// It waited for a row lock held by another transaction.
    pub const WAITED: u8 = 16;
    /// It is DDL.
    pub const DDL: u8 = 32;
    /// It is the PREPARE of an XA transaction; the XA xid follows.
    pub const PREPARED_XA: u8 = 64;
    /// It is the COMMIT/ROLLBACK of an XA transaction; the XA xid follows.
    pub const COMPLETED_XA: u8 = 128;
}

/// An XA transaction id carried by a GTID event of an XA PREPARE/COMMIT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XaXid {
    /// The XA format id.
    pub format_id: u32,
    /// The global transaction id part.
    pub gtrid: Vec<u8>,
    /// The branch qualifier part.
    pub bqual: Vec<u8>,
}

/// A decoded MariaDB GTID event: the start of a transaction (event group).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MariadbGtidEvent {
    /// The sequence number.
    pub seq_no: u64,
    /// The replication domain.
    pub domain_id: u32,
    /// The [`gtid_flags`].
    pub flags: u8,
    /// The group-commit id, when [`gtid_flags::GROUP_COMMIT_ID`] is set.
    pub commit_id: Option<u64>,
    /// The XA xid, for XA PREPARE and XA COMMIT/ROLLBACK.
    pub xa_xid: Option<XaXid>,
}

impl MariadbGtidEvent {
    /// The GTID, given the `server_id` of the event header.
    pub fn gtid(&self, server_id: u32) -> Gtid {
        Gtid::new(self.domain_id, server_id, self.seq_no)
    }

    /// Whether the group is a single statement with no COMMIT/XID after it.
    pub fn is_standalone(&self) -> bool {
        self.flags & gtid_flags::STANDALONE != 0
    }

    /// Whether the group is DDL.
    pub fn is_ddl(&self) -> bool {
        self.flags & gtid_flags::DDL != 0
    }

    /// Whether the group only touched transactional tables.
    pub fn is_transactional(&self) -> bool {
        self.flags & gtid_flags::TRANSACTIONAL != 0
    }
}

/// A decoded GTID_LIST event: the GTID position at the start of a binlog file (or, sent by
/// the server at the start of a GTID-positioned dump, the position the dump starts from).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GtidListEvent {
    /// The top four bits of the count field.
    pub flags: u8,
    /// The GTIDs, as listed (one per domain, possibly more in older servers).
    pub gtids: Vec<Gtid>,
}

/// One of MariaDB's own events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MariadbEvent {
    /// ANNOTATE_ROWS: the statement behind the following row events.
    AnnotateRows(String),
    /// BINLOG_CHECKPOINT: the oldest binlog file still needed for crash recovery.
    BinlogCheckpoint(String),
    /// GTID: the start of an event group.
    Gtid(MariadbGtidEvent),
    /// GTID_LIST: a GTID position.
    GtidList(GtidListEvent),
}

/// Decodes the body of a MariaDB event of type `event_type`; `Ok(None)` when the type is
/// not one of 160–163.
pub fn decode_mariadb_event(event_type: u8, body: &[u8]) -> Result<Option<MariadbEvent>> {
    Ok(Some(match event_type {
        ANNOTATE_ROWS_EVENT => {
            MariadbEvent::AnnotateRows(String::from_utf8_lossy(body).into_owned())
        }
        BINLOG_CHECKPOINT_EVENT => MariadbEvent::BinlogCheckpoint(decode_checkpoint(body)?),
        GTID_EVENT => MariadbEvent::Gtid(decode_gtid(body)?),
        GTID_LIST_EVENT => MariadbEvent::GtidList(decode_gtid_list(body)?),
        _ => return Ok(None),
    }))
}

/// Decodes a GTID event body.
pub fn decode_gtid(body: &[u8]) -> Result<MariadbGtidEvent> {
    let mut r = Reader::new("GTID", body);
    let seq_no = r.u64()?;
    let domain_id = r.u32()?;
    let flags = r.u8()?;
    let commit_id = if flags & gtid_flags::GROUP_COMMIT_ID != 0 {
        Some(r.u64()?)
    } else {
        None
    };
    let xa_xid = if flags & (gtid_flags::PREPARED_XA | gtid_flags::COMPLETED_XA) != 0 {
        let format_id = r.u32()?;
        let gtrid_len = usize::from(r.u8()?);
        let bqual_len = usize::from(r.u8()?);
        Some(XaXid {
            format_id,
            gtrid: r.bytes(gtrid_len)?.to_vec(),
            bqual: r.bytes(bqual_len)?.to_vec(),
        })
    } else {
        None
    };
    Ok(MariadbGtidEvent {
        seq_no,
        domain_id,
        flags,
        commit_id,
        xa_xid,
    })
}

/// Decodes a GTID_LIST event body.
pub fn decode_gtid_list(body: &[u8]) -> Result<GtidListEvent> {
    let mut r = Reader::new("GTID_LIST", body);
    let raw = r.u32()?;
    let count = (raw & 0x0fff_ffff) as usize;
    // Each entry is 16 bytes; check before allocating so a corrupt count cannot make us
    // reserve gigabytes.
    if r.remaining() < count.saturating_mul(16) {
        return Err(Error::malformed(
            "GTID_LIST",
            format!(
                "it announces {count} GTIDs but only {} bytes follow",
                r.remaining()
            ),
        ));
    }
    let mut gtids = Vec::with_capacity(count);
    for _ in 0..count {
        let domain_id = r.u32()?;
        let server_id = r.u32()?;
        let seq_no = r.u64()?;
        gtids.push(Gtid::new(domain_id, server_id, seq_no));
    }
    Ok(GtidListEvent {
        flags: (raw >> 28) as u8,
        gtids,
    })
}

/// Decodes a BINLOG_CHECKPOINT event body into the file name.
pub fn decode_checkpoint(body: &[u8]) -> Result<String> {
    let mut r = Reader::new("BINLOG_CHECKPOINT", body);
    let len = r.u32()? as usize;
    Ok(String::from_utf8_lossy(r.bytes(len)?).into_owned())
}

/// A bounds-checked little-endian reader (a few lines, so no byte-order crate is needed).
struct Reader<'a> {
    event: &'static str,
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(event: &'static str, buf: &'a [u8]) -> Reader<'a> {
        Reader { event, buf, pos: 0 }
    }

    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&end| end <= self.buf.len());
        let Some(end) = end else {
            return Err(Error::malformed(
                self.event,
                format!(
                    "truncated: {n} bytes needed at offset {}, the body has {}",
                    self.pos,
                    self.buf.len()
                ),
            ));
        };
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut out = [0; N];
        out.copy_from_slice(self.bytes(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }

    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gtid_body(seq: u64, domain: u32, flags: u8, tail: &[u8]) -> Vec<u8> {
        let mut b = seq.to_le_bytes().to_vec();
        b.extend_from_slice(&domain.to_le_bytes());
        b.push(flags);
        b.extend_from_slice(tail);
        b
    }

    #[test]
    fn decodes_gtid_with_padding() {
        // What MariaDB writes for an ordinary InnoDB transaction: 6 zero bytes of padding.
        let body = gtid_body(42, 3, gtid_flags::TRANSACTIONAL, &[0; 6]);
        let e = decode_gtid(&body).unwrap();
        assert_eq!((e.seq_no, e.domain_id), (42, 3));
        assert!(e.is_transactional() && !e.is_standalone() && !e.is_ddl());
        assert_eq!(e.commit_id, None);
        assert_eq!(e.gtid(7).to_string(), "3-7-42");
    }

    #[test]
    fn decodes_gtid_commit_id_and_xa() {
        let mut tail = 99u64.to_le_bytes().to_vec();
        tail.extend_from_slice(&1u32.to_le_bytes());
        tail.extend_from_slice(&[2, 1, b'a', b'b', b'c']);
        let flags = gtid_flags::GROUP_COMMIT_ID | gtid_flags::PREPARED_XA;
        let e = decode_gtid(&gtid_body(1, 0, flags, &tail)).unwrap();
        assert_eq!(e.commit_id, Some(99));
        let xid = e.xa_xid.unwrap();
        assert_eq!(
            (xid.format_id, &xid.gtrid[..], &xid.bqual[..]),
            (1, &b"ab"[..], &b"c"[..])
        );
    }

    #[test]
    fn truncated_gtid_is_an_error_at_every_length() {
        let mut tail = 99u64.to_le_bytes().to_vec();
        tail.extend_from_slice(&[0, 0, 0, 0, 5, 5, 1, 2]);
        let flags = gtid_flags::GROUP_COMMIT_ID | gtid_flags::COMPLETED_XA;
        let body = gtid_body(1, 0, flags, &tail);
        assert!(decode_gtid(&body).is_err(), "xid data is 2 bytes short");
        for len in 0..body.len() {
            let err = decode_gtid(&body[..len]).unwrap_err();
            assert!(
                matches!(err, Error::MalformedEvent { event: "GTID", .. }),
                "{err}"
            );
        }
    }

    #[test]
    fn decodes_gtid_list() {
        let mut body = (2u32 | (1 << 28)).to_le_bytes().to_vec();
        for (d, s, q) in [(0u32, 1u32, 10u64), (5, 2, 7)] {
            body.extend_from_slice(&d.to_le_bytes());
            body.extend_from_slice(&s.to_le_bytes());
            body.extend_from_slice(&q.to_le_bytes());
        }
        let list = decode_gtid_list(&body).unwrap();
        assert_eq!(list.flags, 1);
        assert_eq!(list.gtids, vec![Gtid::new(0, 1, 10), Gtid::new(5, 2, 7)]);
        for len in 0..body.len() {
            assert!(decode_gtid_list(&body[..len]).is_err());
        }
        // A huge count with no data is rejected before allocating.
        assert!(decode_gtid_list(&0x0fff_ffffu32.to_le_bytes()).is_err());
        assert_eq!(decode_gtid_list(&0u32.to_le_bytes()).unwrap().gtids, vec![]);
    }

    #[test]
    fn decodes_checkpoint_and_annotate() {
        let mut body = 16u32.to_le_bytes().to_vec();
        body.extend_from_slice(b"mysql-bin.000001");
        assert_eq!(
            decode_mariadb_event(BINLOG_CHECKPOINT_EVENT, &body).unwrap(),
            Some(MariadbEvent::BinlogCheckpoint("mysql-bin.000001".into()))
        );
        assert!(decode_checkpoint(&body[..10]).is_err());
        assert!(decode_checkpoint(&[1, 0]).is_err());
        assert!(decode_checkpoint(&u32::MAX.to_le_bytes()).is_err());
        assert_eq!(
            decode_mariadb_event(ANNOTATE_ROWS_EVENT, b"INSERT INTO t VALUES (1)").unwrap(),
            Some(MariadbEvent::AnnotateRows(
                "INSERT INTO t VALUES (1)".into()
            ))
        );
        assert_eq!(
            decode_mariadb_event(ANNOTATE_ROWS_EVENT, b"").unwrap(),
            Some(MariadbEvent::AnnotateRows(String::new()))
        );
        assert_eq!(decode_mariadb_event(19, b"whatever").unwrap(), None);
        assert!(decode_mariadb_event(GTID_EVENT, &[1, 2, 3]).is_err());
    }
}
