//! Log sequence numbers: positions in PostgreSQL's write-ahead log.
//!
//! An LSN is a 64-bit byte offset into the WAL. PostgreSQL prints it as two hexadecimal halves,
//! `high/low` (`16/B374D848`), uppercase without leading zeros; that is also what Debezium stores
//! in its source offsets (as the decimal `u64`, `lsn`), so both forms must round-trip exactly.
//!
//! Sluice has its own type rather than re-exporting `pgwire_replication::Lsn` so the connector's
//! public API (offsets, metrics) does not change when the replication transport does.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

/// A position in the write-ahead log (`pg_lsn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Lsn(pub u64);

impl Lsn {
    /// The invalid / "no position" LSN, `0/0`.
    pub const ZERO: Lsn = Lsn(0);

    /// The raw 64-bit value (what Debezium's `lsn` offset field holds).
    pub const fn as_u64(self) -> u64 {
        self.0
    }

    /// Parses PostgreSQL's `high/low` text form; each half is 1 to 8 hex digits, either case.
    pub fn parse(text: &str) -> Result<Lsn, Error> {
        let invalid = |reason: &str| Error::InvalidLsn {
            input: text.to_string(),
            reason: reason.to_string(),
        };
        let (high, low) = text
            .split_once('/')
            .ok_or_else(|| invalid("no '/' between the two halves"))?;
        let half = |part: &str| -> Result<u64, Error> {
            // `from_str_radix` would also accept a leading '+', which no PostgreSQL LSN has.
            if part.is_empty() || part.len() > 8 || !part.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(invalid("each half must be 1 to 8 hexadecimal digits"));
            }
            u64::from_str_radix(part, 16).map_err(|_| invalid("not hexadecimal"))
        };
        Ok(Lsn((half(high)? << 32) | half(low)?))
    }
}

impl fmt::Display for Lsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:X}/{:X}", self.0 >> 32, self.0 & 0xFFFF_FFFF)
    }
}

impl FromStr for Lsn {
    type Err = Error;

    fn from_str(s: &str) -> Result<Lsn, Error> {
        Lsn::parse(s)
    }
}

impl From<u64> for Lsn {
    fn from(value: u64) -> Lsn {
        Lsn(value)
    }
}

impl From<Lsn> for u64 {
    fn from(lsn: Lsn) -> u64 {
        lsn.0
    }
}

impl From<pgwire_replication::Lsn> for Lsn {
    fn from(lsn: pgwire_replication::Lsn) -> Lsn {
        Lsn(lsn.as_u64())
    }
}

impl From<Lsn> for pgwire_replication::Lsn {
    fn from(lsn: Lsn) -> pgwire_replication::Lsn {
        pgwire_replication::Lsn::from_u64(lsn.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Lsn;

    #[test]
    fn parses_and_formats_like_postgres() {
        let lsn = Lsn::parse("16/B374D848").unwrap();
        assert_eq!(lsn.as_u64(), 0x16_B374_D848);
        assert_eq!(lsn.to_string(), "16/B374D848");
        assert_eq!(Lsn::parse("0/0").unwrap(), Lsn::ZERO);
        assert_eq!(Lsn::ZERO.to_string(), "0/0");
        assert_eq!(
            Lsn::parse("00000016/0b374d84").unwrap().to_string(),
            "16/B374D84"
        );
        assert_eq!(Lsn(u64::MAX).to_string(), "FFFFFFFF/FFFFFFFF");
        assert_eq!("FFFFFFFF/FFFFFFFF".parse::<Lsn>().unwrap(), Lsn(u64::MAX));
    }

    #[test]
    fn rejects_malformed_text() {
        for bad in [
            "",
            "16",
            "/1",
            "1/",
            "+1/2",
            "1/-2",
            "123456789/0",
            "G/0",
            "1/2/3",
            " 1/2",
        ] {
            let err = Lsn::parse(bad).unwrap_err();
            assert!(err.to_string().contains("invalid LSN"), "{bad}: {err}");
        }
    }

    #[test]
    fn orders_by_wal_position() {
        assert!(Lsn::parse("1/0").unwrap() > Lsn::parse("0/FFFFFFFF").unwrap());
    }
}
