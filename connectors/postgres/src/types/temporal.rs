//! Dates, times, timestamps and intervals, from PostgreSQL's ISO text output.
//!
//! - `date` → days since 1970-01-01 (proleptic Gregorian, as `LocalDate.toEpochDay`), `BC`
//!   years mapped to astronomical years (1 BC = year 0).
//! - `time` → microseconds (or milliseconds, truncated, for precision ≤ 3) since midnight;
//!   `24:00:00` is PostgreSQL's end of day, 86 400 s.
//! - `timetz` → `ZonedTime` string: the time moved to UTC (wrapping around midnight), printed
//!   `HH:MM:SS[.fraction]Z` with the fraction's trailing zeros dropped (Java's
//!   `ISO_OFFSET_TIME`), e.g. `23:59:59.999999-08` → `07:59:59.999999Z`.
//! - `timestamp` → microseconds (or milliseconds) since the epoch, the text read as UTC;
//!   `±infinity` → Debezium's sentinels.
//! - `timestamptz` → `ZonedTimestamp` string in UTC with exactly six fraction digits
//!   (`2000-01-01T12:00:00.000000Z`), whatever the session time zone that printed it.
//! - `interval` → `MicroDuration`: computed as Debezium's `MicroDuration.durationMicros` does,
//!   in `f64` with a month of 365.25/12 days, then truncated, so the rounding matches Java's.

use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};
use sluice_api::Value;

use super::IntervalMode;

const MICROS_PER_SECOND: i64 = 1_000_000;
const MICROS_PER_DAY: i64 = 86_400 * MICROS_PER_SECOND;
/// Debezium's microsecond values for `timestamp 'infinity'` / `'-infinity'`.
const POSITIVE_INFINITY_MICROS: i64 = 9_223_372_036_825_200_000;
const NEGATIVE_INFINITY_MICROS: i64 = -9_223_372_036_832_400_000;

fn unix_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

/// Splits a trailing ` BC` era marker off.
fn strip_bc(text: &str) -> (&str, bool) {
    match text.strip_suffix(" BC") {
        Some(rest) => (rest, true),
        None => (text, false),
    }
}

/// `YYYY-MM-DD` (year of four or more digits) as a date, `bc` meaning the year is BC.
fn parse_date(text: &str, bc: bool) -> Result<NaiveDate, String> {
    let bad = || "not an ISO date (the server must use DateStyle ISO)".to_string();
    let mut parts = text.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let year: i32 = y.parse().map_err(|_| bad())?;
    let year = if bc { 1 - year } else { year };
    let month: u32 = m.parse().map_err(|_| bad())?;
    let day: u32 = d.parse().map_err(|_| bad())?;
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(bad)
}

fn epoch_days(date: NaiveDate) -> i64 {
    (date - unix_epoch()).num_days()
}

/// `HH:MM:SS[.ffffff]` as microseconds since midnight (up to 24:00:00 inclusive).
fn parse_time(text: &str) -> Result<i64, String> {
    let bad = || format!("not a time of day HH:MM:SS[.ffffff]: '{text}'");
    let (hms, fraction) = match text.split_once('.') {
        Some((hms, f)) => (hms, f),
        None => (text, ""),
    };
    let mut parts = hms.split(':');
    let (Some(h), Some(m), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let field = |t: &str| -> Result<i64, String> {
        if t.len() != 2 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        t.parse::<i64>().map_err(|_| bad())
    };
    let (h, m, s) = (field(h)?, field(m)?, field(s)?);
    if fraction.len() > 6 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let micros = format!("{fraction:0<6}")
        .parse::<i64>()
        .map_err(|_| bad())?;
    let total = ((h * 60 + m) * 60 + s) * MICROS_PER_SECOND + micros;
    if m > 59 || s > 59 || total > MICROS_PER_DAY {
        return Err(bad());
    }
    Ok(total)
}

/// Splits `<local part>±HH[:MM[:SS]]` into the local part and the offset in seconds; the
/// sign is searched after `from` (to skip a date's dashes).
fn split_offset(text: &str, from: usize) -> Result<(&str, i64), String> {
    let bad = || format!("no UTC offset (±HH[:MM[:SS]]) at the end of '{text}'");
    let at = text
        .get(from..)
        .and_then(|tail| tail.rfind(['+', '-']))
        .map(|i| i + from)
        .ok_or_else(bad)?;
    let (local, offset) = text.split_at(at);
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let mut seconds = 0i64;
    let mut unit = 3600;
    for part in offset[1..].split(':') {
        if unit == 0 || part.len() != 2 {
            return Err(bad());
        }
        seconds += part.parse::<i64>().map_err(|_| bad())? * unit;
        unit /= 60;
    }
    Ok((local, sign * seconds))
}

/// Splits `YYYY-MM-DD HH:MM:SS[.f]…` at the space.
fn split_date_time(text: &str) -> Result<(&str, &str), String> {
    text.split_once(' ')
        .ok_or_else(|| "not an ISO timestamp (the server must use DateStyle ISO)".to_string())
}

/// A `timestamp` as microseconds since the epoch (the text read as UTC).
fn timestamp_micros_of(text: &str) -> Result<i64, String> {
    match text {
        "infinity" => return Ok(POSITIVE_INFINITY_MICROS),
        "-infinity" => return Ok(NEGATIVE_INFINITY_MICROS),
        _ => {}
    }
    let (text, bc) = strip_bc(text);
    let (date, time) = split_date_time(text)?;
    let days = epoch_days(parse_date(date, bc)?);
    Ok(days * MICROS_PER_DAY + parse_time(time)?)
}

/// The fraction of `micros` (0..1 000 000) with its trailing zeros dropped: `.789`, or empty.
fn short_fraction(micros: i64) -> String {
    if micros == 0 {
        return String::new();
    }
    let digits = format!("{micros:06}");
    format!(".{}", digits.trim_end_matches('0'))
}

/// A `date` value: `io.debezium.time.Date` days (or Connect `Date` in `connect` mode).
pub fn date(text: &str, connect: bool) -> Result<Value, String> {
    let (text, bc) = strip_bc(text);
    let days = epoch_days(parse_date(text, bc)?);
    let days = i32::try_from(days).map_err(|_| "date out of range".to_string())?;
    Ok(if connect {
        Value::Date(days)
    } else {
        Value::Int32(days)
    })
}

/// A `time(p ≤ 3)` value: `io.debezium.time.Time` milliseconds (or Connect `Time`).
pub fn time_millis(text: &str, connect: bool) -> Result<Value, String> {
    // At most 86 400 000, so the cast cannot truncate.
    let millis = (parse_time(text)? / 1000) as i32;
    Ok(if connect {
        Value::Time(millis)
    } else {
        Value::Int32(millis)
    })
}

/// A `time` value: `io.debezium.time.MicroTime` microseconds.
pub fn time_micros(text: &str) -> Result<Value, String> {
    parse_time(text).map(Value::Int64)
}

/// A `timetz` value: `io.debezium.time.ZonedTime`, in UTC.
pub fn timetz(text: &str) -> Result<Value, String> {
    let (local, offset) = split_offset(text, 1)?;
    let utc = (parse_time(local)? - offset * MICROS_PER_SECOND).rem_euclid(MICROS_PER_DAY);
    let seconds = utc / MICROS_PER_SECOND;
    Ok(Value::String(sluice_api::format_compact!(
        "{:02}:{:02}:{:02}{}Z",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60,
        short_fraction(utc % MICROS_PER_SECOND)
    )))
}

/// A `timestamp(p ≤ 3)` value: `io.debezium.time.Timestamp` milliseconds (or Connect
/// `Timestamp`).
pub fn timestamp_millis(text: &str, connect: bool) -> Result<Value, String> {
    let millis = timestamp_micros_of(text)?.div_euclid(1000);
    Ok(if connect {
        Value::Timestamp(millis)
    } else {
        Value::Int64(millis)
    })
}

/// A `timestamp` value: `io.debezium.time.MicroTimestamp` microseconds.
pub fn timestamp_micros(text: &str) -> Result<Value, String> {
    timestamp_micros_of(text).map(Value::Int64)
}

/// A `timestamptz` value: `io.debezium.time.ZonedTimestamp`, UTC, six fraction digits.
pub fn timestamptz(text: &str) -> Result<Value, String> {
    if text == "infinity" || text == "-infinity" {
        return Ok(Value::String(text.into()));
    }
    let (text, bc) = strip_bc(text);
    let (date, _) = split_date_time(text)?;
    let (local, offset) = split_offset(text, date.len())?;
    let (date, time) = split_date_time(local)?;
    let micros = epoch_days(parse_date(date, bc)?) * MICROS_PER_DAY + parse_time(time)?
        - offset * MICROS_PER_SECOND;
    let date = unix_epoch()
        .checked_add_signed(chrono::TimeDelta::days(micros.div_euclid(MICROS_PER_DAY)))
        .ok_or_else(|| "timestamp out of range".to_string())?;
    let of_day = micros.rem_euclid(MICROS_PER_DAY);
    let seconds = of_day / MICROS_PER_SECOND;
    let year = date.year();
    // Written digit by digit into one buffer: every event of a table with a timestamptz
    // column goes through here, and `format!` was a visible share of the streaming profile.
    let mut out = String::with_capacity(28);
    if (0..=9999).contains(&year) {
        push_digits(&mut out, year.unsigned_abs().into(), 4);
    } else {
        let _ = write!(out, "{year:+05}");
    }
    out.push('-');
    push_digits(&mut out, date.month().into(), 2);
    out.push('-');
    push_digits(&mut out, date.day().into(), 2);
    out.push('T');
    push_digits(&mut out, seconds.unsigned_abs() / 3600, 2);
    out.push(':');
    push_digits(&mut out, seconds.unsigned_abs() / 60 % 60, 2);
    out.push(':');
    push_digits(&mut out, seconds.unsigned_abs() % 60, 2);
    out.push('.');
    push_digits(&mut out, (of_day % MICROS_PER_SECOND).unsigned_abs(), 6);
    out.push('Z');
    Ok(Value::String(out.into()))
}

/// Appends the last `width` decimal digits of `n`, zero-padded.
fn push_digits(out: &mut String, n: u64, width: u32) {
    for i in (0..width).rev() {
        let digit = (n / 10u64.pow(i)) % 10;
        out.push(char::from(b'0' + digit as u8));
    }
}

/// The fields of a `postgres`-style interval, as pgjdbc's `PGInterval` splits them.
#[derive(Debug, Default, PartialEq)]
struct IntervalParts {
    years: i32,
    months: i32,
    days: i32,
    hours: i32,
    minutes: i32,
    seconds: f64,
}

/// Parses `[N year[s]] [N mon[s]] [N day[s]] [[-]HH:MM:SS[.f]]` (IntervalStyle `postgres`).
fn parse_interval(text: &str) -> Result<IntervalParts, String> {
    let bad = |why: &str| {
        format!("not a PostgreSQL interval ({why}; the server must use IntervalStyle postgres)")
    };
    let mut parts = IntervalParts::default();
    let mut tokens = text.split_whitespace();
    while let Some(token) = tokens.next() {
        if token.contains(':') {
            let negative = token.starts_with('-');
            let unsigned = token.trim_start_matches(['-', '+']);
            let mut hms = unsigned.splitn(3, ':');
            let (Some(h), Some(m), Some(s)) = (hms.next(), hms.next(), hms.next()) else {
                return Err(bad("bad time part"));
            };
            let sign = if negative { -1 } else { 1 };
            parts.hours = sign * h.parse::<i32>().map_err(|_| bad("bad hours"))?;
            parts.minutes = sign * m.parse::<i32>().map_err(|_| bad("bad minutes"))?;
            parts.seconds = f64::from(sign) * s.parse::<f64>().map_err(|_| bad("bad seconds"))?;
            continue;
        }
        let n: i32 = token.parse().map_err(|_| bad("bad number"))?;
        let unit = tokens.next().ok_or_else(|| bad("number without unit"))?;
        match unit.trim_end_matches('s') {
            "year" => parts.years = n,
            "mon" => parts.months = n,
            "day" => parts.days = n,
            _ => return Err(bad("unknown unit")),
        }
    }
    Ok(parts)
}

/// An `interval` value: `MicroDuration` microseconds or an ISO-8601 `Interval` string.
pub fn interval(text: &str, mode: IntervalMode) -> Result<Value, String> {
    let p = parse_interval(text)?;
    match mode {
        IntervalMode::Numeric => {
            // Debezium's MicroDuration.durationMicros, in the same f64 operations and order so
            // the truncated result is the same.
            let days_per_month = 365.25 / 12.0;
            let days = f64::from(p.years * 12 + p.months) * days_per_month + f64::from(p.days);
            let seconds = ((days * 24.0 + f64::from(p.hours)) * 60.0 + f64::from(p.minutes)) * 60.0
                + p.seconds;
            Ok(Value::Int64((seconds * 1e6) as i64))
        }
        IntervalMode::String => {
            let seconds = format!("{:.6}", p.seconds);
            let seconds = seconds.trim_end_matches('0').trim_end_matches('.');
            Ok(Value::String(sluice_api::format_compact!(
                "P{}Y{}M{}DT{}H{}M{}S",
                p.years,
                p.months,
                p.days,
                p.hours,
                p.minutes,
                seconds
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_offsets() {
        assert_eq!(
            time_micros("24:00:00").unwrap().as_i64(),
            Some(MICROS_PER_DAY)
        );
        assert_eq!(
            timetz("23:59:59.999999-08").unwrap().as_str(),
            Some("07:59:59.999999Z")
        );
        assert_eq!(
            timetz("13:45:56.789+05:30").unwrap().as_str(),
            Some("08:15:56.789Z")
        );
        assert_eq!(
            timestamptz("2024-02-29 13:45:56.123456+01")
                .unwrap()
                .as_str(),
            Some("2024-02-29T12:45:56.123456Z")
        );
        assert_eq!(
            timestamptz("1970-01-01 05:30:00+05:30").unwrap().as_str(),
            Some("1970-01-01T00:00:00.000000Z")
        );
        assert_eq!(date("0001-01-01", false).unwrap().as_i64(), Some(-719_162));
        assert_eq!(
            date("0001-12-31 BC", false).unwrap().as_i64(),
            Some(-719_163)
        );
        assert!(time_micros("13:45").is_err());
    }

    #[test]
    fn intervals_as_debezium() {
        let micros = |t| {
            interval(t, IntervalMode::Numeric)
                .unwrap()
                .as_i64()
                .unwrap()
        };
        assert_eq!(
            micros("1 year 2 mons 3 days 04:05:06.789"),
            37_091_106_789_000
        );
        assert_eq!(micros("-1 days -00:00:01"), -86_401_000_000);
        assert_eq!(micros("00:00:00"), 0);
        assert!(interval("P1Y", IntervalMode::Numeric).is_err());
    }
}
