//! The `timezone` setting: the zone in which time partitions and scheduled rotations are
//! aligned (Joda's `DateTimeZone` in Confluent's sinks).
//!
//! Only zones with a fixed offset are supported: `UTC`, `GMT`, `Etc/UTC`, `Etc/GMT`, `Z` and
//! offsets `±HH`, `±HH:mm`, `±HHmm`. For those, Joda's `convertUTCToLocal` /
//! `convertLocalToUTC` are exact additions of the offset, so the results match Java exactly.
//! Region zones (`America/New_York`) need a time-zone database with daylight-saving rules; they
//! are rejected with a clear message rather than silently treated as UTC.

use crate::{Error, Result};

/// A time zone with a fixed offset from UTC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeZone {
    id: String,
    offset_ms: i64,
}

impl TimeZone {
    /// UTC.
    pub fn utc() -> Self {
        TimeZone {
            id: "UTC".to_string(),
            offset_ms: 0,
        }
    }

    /// Parses a zone id; `key` names the setting in errors.
    pub fn parse(key: &str, id: &str) -> Result<Self> {
        let id = id.trim();
        if id.is_empty() {
            return Err(Error::config(
                key,
                "Timezone cannot be empty; set e.g. UTC or +02:00",
            ));
        }
        if matches!(
            id,
            "UTC" | "GMT" | "Etc/UTC" | "Etc/GMT" | "Z" | "UCT" | "Etc/UCT"
        ) {
            return Ok(TimeZone::utc());
        }
        let offset = parse_offset(id).ok_or_else(|| {
            Error::config(
                key,
                format!(
                    "'{id}' is not supported: only UTC and fixed offsets like +02:00 or -0530 are \
                     (region zones with daylight-saving rules are not yet)"
                ),
            )
        })?;
        Ok(TimeZone {
            id: id.to_string(),
            offset_ms: offset,
        })
    }

    /// The id as configured.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The offset from UTC in milliseconds.
    pub fn offset_ms(&self) -> i64 {
        self.offset_ms
    }

    /// Joda's `convertUTCToLocal`: the local wall time, as milliseconds, of instant `utc_ms`.
    pub fn utc_to_local(&self, utc_ms: i64) -> i64 {
        utc_ms + self.offset_ms
    }

    /// Joda's `convertLocalToUTC`: the instant of local wall time `local_ms`.
    pub fn local_to_utc(&self, local_ms: i64) -> i64 {
        local_ms - self.offset_ms
    }
}

/// `±HH`, `±HH:mm`, `±HHmm` → milliseconds.
fn parse_offset(id: &str) -> Option<i64> {
    let (sign, rest) = match id.as_bytes().first()? {
        b'+' => (1, &id[1..]),
        b'-' => (-1, &id[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) || !(digits.len() == 2 || digits.len() == 4) {
        return None;
    }
    if rest.contains(':') && rest.len() != 5 {
        return None;
    }
    let hours: i64 = digits[..2].parse().ok()?;
    let minutes: i64 = if digits.len() == 4 {
        digits[2..].parse().ok()?
    } else {
        0
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some(sign * (hours * 3_600_000 + minutes * 60_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_utc_and_offsets() {
        assert_eq!(TimeZone::parse("timezone", "UTC").unwrap().offset_ms(), 0);
        assert_eq!(TimeZone::parse("timezone", "GMT").unwrap().offset_ms(), 0);
        assert_eq!(
            TimeZone::parse("timezone", "+02:00").unwrap().offset_ms(),
            7_200_000
        );
        assert_eq!(
            TimeZone::parse("timezone", "-0530").unwrap().offset_ms(),
            -(5 * 3_600_000 + 30 * 60_000)
        );
        assert_eq!(
            TimeZone::parse("timezone", "+05").unwrap().offset_ms(),
            18_000_000
        );
    }

    #[test]
    fn rejects_regions_and_garbage_naming_the_key() {
        for bad in ["America/New_York", "", "+2", "+25:00", "UTC+2", "+02:0"] {
            let err = TimeZone::parse("timezone", bad).unwrap_err().to_string();
            assert!(err.contains("'timezone'"), "{bad}: {err}");
        }
    }
}
