//! Dates, times and timestamps in header text: what Kafka's `Values` reads with a lenient
//! `java.text.SimpleDateFormat` and writes with `Values.dateFormatFor`.
//!
//! Reading (`parseAsTemporal`): `\:` becomes `:`, then the text's length (in UTF-16 units, as
//! Java counts) picks one pattern — 13 → `HH:mm:ss.SSS'Z'` (`Time`), 24 →
//! `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'` (`Timestamp`), 10 → `yyyy-MM-dd` (`Date`) — and the text must
//! match it the way a lenient `SimpleDateFormat` matches:
//! - each number may be preceded by spaces or tabs, may carry a `-` sign, uses any Unicode
//!   decimal digits, takes as many digits as there are (`2019-8-123` is a date), and may have an
//!   `E` exponent (Java's `DecimalFormat`); its `int` value is taken as Java's `intValue()`;
//! - literals must match exactly; text after the pattern is ignored;
//! - out-of-range fields roll over (`2019-13-45` is 2020-02-14; `25:00:00.000Z` is a `Time` of
//!   25 hours, as Java's `java.util.Date`);
//! - the calendar is Java's `GregorianCalendar`: Julian before 1582-10-15 (`0001-01-01` is two
//!   days before the proleptic Gregorian one), lenient about the ten missing days.
//!
//! This is written here rather than with `chrono` or `time`: those parse strict ISO-8601, while
//! matching Java means its lenient field rules and its Julian/Gregorian calendar.
//!
//! Time zone: Java uses the JVM's default zone; Sluice uses UTC, which is what Java does in the
//! usual Kafka Connect deployments (containers run in UTC). `NaN` and `∞` as numbers (which
//! `DecimalFormat` reads as 0 and `Integer.MAX_VALUE`) are not accepted (such text reads as Java
//! would read it if it were no time), and a `Time` beyond ±24 days (a five-digit hour, which Java
//! keeps in its `java.util.Date`) does not fit Sluice's `i32` `Time`, so it reads as a STRING of
//! its text.
//!
//! Writing (`dateFormatFor`): by the milliseconds alone, not the schema — below one day
//! (negative included) as `HH:mm:ss.SSS'Z'`, whole days as `yyyy-MM-dd`, anything else as the
//! timestamp pattern. So a date before 1970-01-02 is written as `00:00:00.000Z` and reads back as a
//! `Time`: that is Java's behaviour, kept for identical bytes.

use std::sync::LazyLock;

use sluice_api::{Schema, Value, logical};

use super::number::java_digit;
use super::shape::{Parsed, Shape};

const DAY_MS: i64 = 86_400_000;
/// The fixed day number (days since Gregorian 0001-01-01, which is day 1) of 1970-01-01.
const EPOCH_FIXED: i64 = 719_163;
/// The fixed day number of the Gregorian cutover, 1582-10-15.
const CUTOVER_FIXED: i64 = 577_736;
const CUTOVER_YEAR: i32 = 1582;

static DATE_SCHEMA: LazyLock<Option<Schema>> = LazyLock::new(|| logical::date().build().ok());
static TIME_SCHEMA: LazyLock<Option<Schema>> = LazyLock::new(|| logical::time().build().ok());
static TIMESTAMP_SCHEMA: LazyLock<Option<Schema>> =
    LazyLock::new(|| logical::timestamp().build().ok());

#[derive(Debug, Clone, Copy)]
enum Item {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    Milli,
    Lit(char),
}

use Item::*;

const DATE: &[Item] = &[Year, Lit('-'), Month, Lit('-'), Day];
const TIME: &[Item] = &[
    Hour,
    Lit(':'),
    Minute,
    Lit(':'),
    Second,
    Lit('.'),
    Milli,
    Lit('Z'),
];
const TIMESTAMP: &[Item] = &[
    Year,
    Lit('-'),
    Month,
    Lit('-'),
    Day,
    Lit('T'),
    Hour,
    Lit(':'),
    Minute,
    Lit(':'),
    Second,
    Lit('.'),
    Milli,
    Lit('Z'),
];

/// The calendar fields a pattern sets; date fields default to 1970-01-01, time fields to 0.
#[derive(Debug, Default)]
struct Fields {
    year: Option<i32>,
    month: Option<i32>,
    day: Option<i32>,
    time: [i32; 4],
}

/// Kafka's `parseAsTemporal`: a `Time`, `Timestamp` or `Date`, or `None`.
pub(super) fn parse_as_temporal(token: &str) -> Option<Parsed> {
    let token = token.replace("\\:", ":");
    let chars: Vec<char> = token.chars().collect();
    match token.encode_utf16().count() {
        13 => {
            let ms = to_millis(&parse_fields(&chars, TIME)?);
            Some(match i32::try_from(ms) {
                Ok(ms) => (Shape::Plain(TIME_SCHEMA.clone()?), Value::Time(ms)),
                // Java's `Time` holds any `java.util.Date`; Sluice's holds an `i32`.
                Err(_) => (Shape::Plain(Schema::string()), Value::String(token.into())),
            })
        }
        24 => {
            let ms = to_millis(&parse_fields(&chars, TIMESTAMP)?);
            Some((
                Shape::Plain(TIMESTAMP_SCHEMA.clone()?),
                Value::Timestamp(ms),
            ))
        }
        10 => {
            let ms = to_millis(&parse_fields(&chars, DATE)?);
            let days = i32::try_from(ms.div_euclid(DAY_MS)).ok()?;
            Some((Shape::Plain(DATE_SCHEMA.clone()?), Value::Date(days)))
        }
        _ => None,
    }
}

fn parse_fields(text: &[char], pattern: &[Item]) -> Option<Fields> {
    let mut fields = Fields::default();
    let mut pos = 0;
    for item in pattern {
        if let Lit(c) = item {
            if text.get(pos) != Some(c) {
                return None;
            }
            pos += 1;
            continue;
        }
        let v = parse_number(text, &mut pos)?;
        match item {
            Year => fields.year = Some(v),
            // Java stores the zero-based month `value - 1`, in int arithmetic.
            Month => fields.month = Some(v.wrapping_sub(1)),
            Day => fields.day = Some(v),
            Hour => fields.time[0] = v,
            Minute => fields.time[1] = v,
            Second => fields.time[2] = v,
            Milli => fields.time[3] = v,
            Lit(_) => {}
        }
    }
    Some(fields)
}

/// One lenient number: blanks, an optional `-`, digits, an optional `E[-]digits` exponent;
/// Java's `Number.intValue()` of the result.
fn parse_number(text: &[char], pos: &mut usize) -> Option<i32> {
    let mut p = *pos;
    while matches!(text.get(p), Some(' ' | '\t')) {
        p += 1;
    }
    let negative = text.get(p) == Some(&'-');
    if negative {
        p += 1;
    }
    let digits = take_digits(text, &mut p);
    if digits.is_empty() {
        return None;
    }
    let mut exponent: i64 = 0;
    if text.get(p) == Some(&'E') {
        let mut q = p + 1;
        let exp_negative = text.get(q) == Some(&'-');
        if exp_negative {
            q += 1;
        }
        let exp_digits = take_digits(text, &mut q);
        let parsed = exp_digits
            .trim_start_matches('0')
            .parse::<i64>()
            .ok()
            .or_else(|| exp_digits.chars().all(|c| c == '0').then_some(0));
        if let (false, Some(e)) = (exp_digits.is_empty(), parsed) {
            // Java keeps the exponent as an `int`.
            let e = i64::from(e as i32);
            exponent = if exp_negative { -e } else { e };
            p = q;
        }
    }
    *pos = p;
    Some(int_value(negative, &digits, exponent))
}

fn take_digits(text: &[char], p: &mut usize) -> String {
    let mut digits = String::new();
    while let Some(d) = text.get(*p).and_then(|&c| java_digit(c)) {
        digits.push(char::from(b'0' + d));
        *p += 1;
    }
    digits
}

/// `DecimalFormat` gives a `Long` for a whole number within `long` (whose `intValue` keeps the
/// low 32 bits), otherwise a `Double` (whose `intValue` truncates and saturates).
fn int_value(negative: bool, digits: &str, exponent: i64) -> i32 {
    let significant = digits.trim_start_matches('0');
    let stripped = significant.trim_end_matches('0');
    if stripped.is_empty() {
        return 0;
    }
    let exponent = exponent.saturating_add((significant.len() - stripped.len()) as i64);
    if exponent >= 0 {
        let mut v: Option<i128> = stripped.parse().ok();
        for _ in 0..exponent.min(40) {
            v = v.and_then(|v| v.checked_mul(10));
        }
        let v = v.map(|v| if negative { -v } else { v });
        if let Some(long) = v.and_then(|v| i64::try_from(v).ok()) {
            return long as i32;
        }
    }
    let sign = if negative { "-" } else { "" };
    format!("{sign}{stripped}e{exponent}")
        .parse::<f64>()
        .map_or(0, |d| d as i32)
}

/// Java's lenient `GregorianCalendar.computeTime` in UTC, for the fields a pattern set.
fn to_millis(f: &Fields) -> i64 {
    let [h, m, s, ms] = f.time.map(i64::from);
    let time_of_day = ((h * 60 + m) * 60 + s) * 1000 + ms;
    let day_carry = time_of_day.div_euclid(DAY_MS);
    let time_of_day = time_of_day.rem_euclid(DAY_MS);
    let year = f.year.unwrap_or(1970);
    let day_offset = f.day.map_or(0, |d| i64::from(d) - 1);
    let fixed_in = |julian: bool| {
        let (mut y, mut month) = (year, f.month.unwrap_or(0));
        if !(0..12).contains(&month) {
            y = y.wrapping_add(month.div_euclid(12));
            month = month.rem_euclid(12);
        }
        day_carry + fixed_date(julian, i64::from(y), i64::from(month) + 1, 1) + day_offset
    };
    let fixed = if year < CUTOVER_YEAR {
        fixed_in(true)
    } else {
        let gregorian = fixed_in(false);
        if gregorian >= CUTOVER_FIXED {
            gregorian
        } else {
            fixed_in(true)
        }
    };
    (fixed - EPOCH_FIXED)
        .wrapping_mul(DAY_MS)
        .wrapping_add(time_of_day)
}

fn is_leap(julian: bool, year: i64) -> bool {
    if julian {
        year.rem_euclid(4) == 0
    } else {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }
}

/// The fixed day number of a (Julian or Gregorian) date with astronomical year numbering
/// (year 0 is 1 BC), as Java's `sun.util.calendar` computes it.
fn fixed_date(julian: bool, year: i64, month: i64, day: i64) -> i64 {
    let prev = year - 1;
    let mut days = day + 365 * prev + (367 * month - 362).div_euclid(12);
    days += if julian {
        // The Julian 0001-01-01 is the Gregorian 0000-12-30, fixed day -1.
        -2 + prev.div_euclid(4)
    } else {
        prev.div_euclid(4) - prev.div_euclid(100) + prev.div_euclid(400)
    };
    if month > 2 {
        days -= if is_leap(julian, year) { 1 } else { 2 };
    }
    days
}

/// The Gregorian (year, month, day) of a fixed day number (used from 1970 on, where Java's
/// calendar is Gregorian).
fn civil_from_fixed(fixed: i64) -> (i64, i64, i64) {
    // Estimate the year from the mean year length, then correct it.
    let mut year = (400 * fixed).div_euclid(146_097) + 1;
    while fixed_date(false, year, 1, 1) > fixed {
        year -= 1;
    }
    while fixed_date(false, year + 1, 1, 1) <= fixed {
        year += 1;
    }
    let prior = fixed - fixed_date(false, year, 1, 1);
    let correction = if fixed < fixed_date(false, year, 3, 1) {
        0
    } else if is_leap(false, year) {
        1
    } else {
        2
    };
    let month = (12 * (prior + correction) + 373).div_euclid(367);
    let day = fixed - fixed_date(false, year, month, 1) + 1;
    (year, month, day)
}

/// Java's `Values.dateFormatFor(date).format(date)` in UTC.
pub(super) fn format_millis(ms: i64) -> String {
    let fixed = ms.div_euclid(DAY_MS) + EPOCH_FIXED;
    let tod = ms.rem_euclid(DAY_MS);
    let time = format!(
        "{:02}:{:02}:{:02}.{:03}Z",
        tod / 3_600_000,
        tod / 60_000 % 60,
        tod / 1000 % 60,
        tod % 1000
    );
    // Java's quirk: anything before 1970-01-02, negative values included, prints as a time.
    if ms < DAY_MS {
        return time;
    }
    let (year, month, day) = civil_from_fixed(fixed);
    let date = format!("{year:04}-{month:02}-{day:02}");
    if ms % DAY_MS == 0 {
        date
    } else {
        format!("{date}T{time}")
    }
}

/// The milliseconds since the epoch of a logical date, time or timestamp value.
pub(super) fn value_millis(value: &Value) -> Option<i64> {
    match *value {
        Value::Date(days) => Some(i64::from(days) * DAY_MS),
        Value::Time(ms) => Some(i64::from(ms)),
        Value::Timestamp(ms) => Some(ms),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(text: &str) -> Option<i64> {
        parse_as_temporal(text).and_then(|(_, v)| value_millis(&v))
    }

    #[test]
    fn reads_java_values() {
        // Values printed by Kafka 4.3 on Java 17 in UTC.
        assert_eq!(millis("2019-08-23T14:34:54.346Z"), Some(1_566_570_894_346));
        assert_eq!(millis("12:34:56.789Z"), Some(45_296_789));
        assert_eq!(millis("0001-01-01"), Some(-62_135_769_600_000));
        assert_eq!(millis("1582-10-10"), Some(-12_218_860_800_000));
        assert_eq!(millis("2019- 8-23"), Some(1_566_518_400_000));
        assert_eq!(
            millis("2019-08-2x"),
            Some(1_564_704_000_000),
            "text after the pattern"
        );
        assert_eq!(millis("2019-08-xx"), None);
        assert_eq!(millis("12:34:56.78Z"), None, "12 characters is no pattern");
    }

    #[test]
    fn formats_what_it_reads() {
        for text in [
            "1970-01-02",
            "2024-02-29",
            "9999-12-31",
            "2019-08-23T14:34:54.346Z",
            "2100-03-01T00:00:00.001Z",
            "00:00:00.000Z",
            "23:59:59.999Z",
        ] {
            let ms = millis(text).unwrap();
            assert_eq!(format_millis(ms), text);
        }
        assert_eq!(
            format_millis(-1),
            "23:59:59.999Z",
            "negative values print as a time"
        );
        let first = millis("0001-01-01").unwrap();
        assert_eq!(format_millis(first), "00:00:00.000Z");
    }
}
