//! MariaDB global transaction ids.
//!
//! A MariaDB GTID is `domain-server-sequence` (`0-1-42`): the replication domain, the server
//! that first wrote the transaction, and a sequence number that grows within the domain. A
//! *GTID position* (what `@@gtid_binlog_pos`, `@@gtid_current_pos` and `@@slave_connect_state`
//! hold) is the last GTID of each domain, comma-separated. Within a domain transactions are
//! totally ordered, so "the last GTID per domain" fully describes which transactions a
//! replica has applied: this is why [`GtidPosition`] keeps exactly one GTID per domain and
//! [`GtidPosition::advance`] replaces the domain's entry. (MySQL's UUID-based GTID sets are a
//! different format; MariaDB refuses them.)
//!
//! The binlog events MariaDB adds for GTIDs (and two more of its own) are decoded in
//! [`events`], since `mysql_common` hands them back as raw bytes.

pub mod events;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// One MariaDB GTID: `domain-server-sequence`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gtid {
    /// The replication domain (`gtid_domain_id` of the server that wrote it).
    pub domain_id: u32,
    /// The `server_id` of the server that first wrote the transaction.
    pub server_id: u32,
    /// The sequence number within the domain.
    pub seq_no: u64,
}

impl Gtid {
    /// A GTID from its three parts.
    pub fn new(domain_id: u32, server_id: u32, seq_no: u64) -> Gtid {
        Gtid {
            domain_id,
            server_id,
            seq_no,
        }
    }
}

impl fmt::Display for Gtid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{}", self.domain_id, self.server_id, self.seq_no)
    }
}

impl FromStr for Gtid {
    type Err = Error;

    fn from_str(s: &str) -> Result<Gtid> {
        let invalid = |reason: &str| Error::InvalidGtid {
            input: s.to_string(),
            reason: reason.to_string(),
        };
        let mut parts = s.trim().split('-');
        let (Some(domain), Some(server), Some(seq), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid("it must have exactly three parts separated by '-'"));
        };
        // `u32::from_str` accepts a leading '+'; MariaDB does not, so require plain digits.
        let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        if !(digits(domain) && digits(server) && digits(seq)) {
            return Err(invalid("each part must be a non-negative decimal number"));
        }
        Ok(Gtid {
            domain_id: domain
                .parse()
                .map_err(|_| invalid("the domain id does not fit in 32 bits"))?,
            server_id: server
                .parse()
                .map_err(|_| invalid("the server id does not fit in 32 bits"))?,
            seq_no: seq
                .parse()
                .map_err(|_| invalid("the sequence number does not fit in 64 bits"))?,
        })
    }
}

/// A MariaDB GTID position: the last GTID of each replication domain.
///
/// Formats as MariaDB does (`0-1-42,1-2-7`, domains in ascending order); parses MariaDB's
/// format, tolerating spaces and newlines around the commas (`@@gtid_binlog_pos` may contain
/// newlines). The empty string is the empty position (nothing applied yet).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct GtidPosition {
    by_domain: BTreeMap<u32, Gtid>,
}

impl GtidPosition {
    /// The empty position.
    pub fn new() -> GtidPosition {
        GtidPosition::default()
    }

    /// Records `gtid` as the last transaction of its domain, replacing the domain's entry.
    pub fn advance(&mut self, gtid: Gtid) {
        self.by_domain.insert(gtid.domain_id, gtid);
    }

    /// The last GTID of `domain_id`, if any.
    pub fn get(&self, domain_id: u32) -> Option<&Gtid> {
        self.by_domain.get(&domain_id)
    }

    /// Whether the transaction `gtid` is at or before this position in its domain.
    pub fn includes(&self, gtid: &Gtid) -> bool {
        self.get(gtid.domain_id)
            .is_some_and(|last| gtid.seq_no <= last.seq_no)
    }

    /// The GTIDs, one per domain, in ascending domain order.
    pub fn iter(&self) -> impl Iterator<Item = &Gtid> {
        self.by_domain.values()
    }

    /// Whether no domain has a GTID yet.
    pub fn is_empty(&self) -> bool {
        self.by_domain.is_empty()
    }

    /// The number of domains.
    pub fn len(&self) -> usize {
        self.by_domain.len()
    }
}

impl fmt::Display for GtidPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, gtid) in self.by_domain.values().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{gtid}")?;
        }
        Ok(())
    }
}

impl FromStr for GtidPosition {
    type Err = Error;

    fn from_str(s: &str) -> Result<GtidPosition> {
        let mut position = GtidPosition::new();
        if s.trim().is_empty() {
            return Ok(position);
        }
        for part in s.split(',') {
            let gtid: Gtid = part.parse().map_err(|e| match e {
                Error::InvalidGtid { reason, .. } => Error::InvalidGtid {
                    input: s.to_string(),
                    reason: format!("'{}': {reason}", part.trim()),
                },
                other => other,
            })?;
            // MariaDB rejects a position naming a domain twice; so do we, rather than
            // silently keeping one of them.
            if position.by_domain.contains_key(&gtid.domain_id) {
                return Err(Error::InvalidGtid {
                    input: s.to_string(),
                    reason: format!("domain {} appears more than once", gtid.domain_id),
                });
            }
            position.advance(gtid);
        }
        Ok(position)
    }
}

impl FromIterator<Gtid> for GtidPosition {
    /// Later GTIDs of a domain replace earlier ones.
    fn from_iter<I: IntoIterator<Item = Gtid>>(iter: I) -> GtidPosition {
        let mut position = GtidPosition::new();
        for gtid in iter {
            position.advance(gtid);
        }
        position
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gtid_round_trips() {
        let g: Gtid = "0-1-42".parse().unwrap();
        assert_eq!(g, Gtid::new(0, 1, 42));
        assert_eq!(g.to_string(), "0-1-42");
        let max: Gtid = "4294967295-4294967295-18446744073709551615"
            .parse()
            .unwrap();
        assert_eq!(
            max.to_string(),
            "4294967295-4294967295-18446744073709551615"
        );
    }

    #[test]
    fn gtid_rejects_bad_input() {
        for bad in [
            "",
            "0-1",
            "0-1-2-3",
            "a-1-2",
            "0--2",
            "-0-1-2",
            "+0-1-2",
            "0-1-4294967296x",
            "4294967296-1-1",
        ] {
            let err = bad.parse::<Gtid>().unwrap_err();
            assert!(matches!(err, Error::InvalidGtid { .. }), "{bad}: {err}");
        }
    }

    #[test]
    fn position_parses_mariadb_output() {
        let p: GtidPosition = "1-2-7, 0-1-42\n".parse().unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p.get(0), Some(&Gtid::new(0, 1, 42)));
        assert_eq!(p.to_string(), "0-1-42,1-2-7");
        assert_eq!("".parse::<GtidPosition>().unwrap(), GtidPosition::new());
        assert_eq!(GtidPosition::new().to_string(), "");
    }

    #[test]
    fn position_rejects_duplicates_and_garbage() {
        assert!("0-1-1,0-2-2".parse::<GtidPosition>().is_err());
        assert!("0-1-1,".parse::<GtidPosition>().is_err());
        let err = "0-1-1,x".parse::<GtidPosition>().unwrap_err();
        assert!(err.to_string().contains("'x'"), "{err}");
    }

    #[test]
    fn advance_replaces_domain_entry() {
        let mut p = GtidPosition::new();
        p.advance(Gtid::new(0, 1, 5));
        p.advance(Gtid::new(1, 1, 3));
        p.advance(Gtid::new(0, 2, 6));
        assert_eq!(p.to_string(), "0-2-6,1-1-3");
        assert!(p.includes(&Gtid::new(0, 1, 6)));
        assert!(!p.includes(&Gtid::new(0, 1, 7)));
        assert!(!p.includes(&Gtid::new(2, 1, 1)));
        let q: GtidPosition = [Gtid::new(0, 1, 1), Gtid::new(0, 1, 2)]
            .into_iter()
            .collect();
        assert_eq!(q.to_string(), "0-1-2");
    }
}
