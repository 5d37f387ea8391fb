//! Timestamp extractors (`timestamp.extractor`): where a record's time comes from for time-based
//! partitioning and `rotate.interval.ms`.
//!
//! * `Wallclock`: the caller's `now` (non-deterministic: a replay may land elsewhere).
//! * `Record`: the Kafka record timestamp; a record without one is an error.
//! * `RecordField`: the value field `timestamp.field` (dotted path for nested structs or maps):
//!   a `Timestamp` logical value, an int32/int64 of epoch milliseconds, or an ISO-8601 string.
//!   Struct fields of other types are errors, as in Confluent's `RecordFieldTimestampExtractor`.

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use sluice_api::{SinkRecord, Value};

use super::{TIMESTAMP_EXTRACTOR_CONFIG, TIMESTAMP_FIELD_CONFIG};
use crate::config::{self, Props};
use crate::{Error, Result};

/// Where a record's timestamp comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimestampExtractor {
    /// The wall clock at processing time.
    Wallclock,
    /// The Kafka record timestamp.
    Record,
    /// A field of the value (dotted path).
    RecordField(String),
}

impl TimestampExtractor {
    /// Reads `timestamp.extractor` (default `Wallclock`; Confluent's nested class names
    /// accepted) and `timestamp.field` (default `timestamp`).
    pub fn from_props(props: &Props) -> Result<Self> {
        let name = config::string(props, TIMESTAMP_EXTRACTOR_CONFIG, "Wallclock");
        let simple = name
            .strip_prefix("io.confluent.connect.storage.partitioner.TimeBasedPartitioner$")
            .and_then(|s| s.strip_suffix("TimestampExtractor"))
            .unwrap_or(&name);
        match simple {
            "Wallclock" => Ok(TimestampExtractor::Wallclock),
            "Record" => Ok(TimestampExtractor::Record),
            "RecordField" => Ok(TimestampExtractor::RecordField(config::string(
                props,
                TIMESTAMP_FIELD_CONFIG,
                "timestamp",
            ))),
            _ => Err(Error::config(
                TIMESTAMP_EXTRACTOR_CONFIG,
                format!("'{name}' is not supported; use Wallclock, Record or RecordField"),
            )),
        }
    }

    /// Whether the extracted time depends only on the record (replays give the same result).
    pub fn is_deterministic(&self) -> bool {
        !matches!(self, TimestampExtractor::Wallclock)
    }

    /// The timestamp of `record` in epoch milliseconds; `now_ms` is used by `Wallclock`.
    pub fn extract(&self, record: &SinkRecord, now_ms: i64) -> Result<i64> {
        match self {
            TimestampExtractor::Wallclock => Ok(now_ms),
            TimestampExtractor::Record => record.timestamp.ok_or_else(|| {
                Error::partition(
                    record,
                    "the record has no timestamp (timestamp.extractor=Record)",
                )
            }),
            TimestampExtractor::RecordField(path) => from_field(record, path),
        }
    }
}

fn from_field(record: &SinkRecord, path: &str) -> Result<i64> {
    let fail = |m: String| Error::partition(record, format!("timestamp.field '{path}': {m}"));
    let value = record.value_decoded().map_err(&fail)?;
    let mut current = value.as_ref();
    if !matches!(current, Value::Struct(_) | Value::Map(_)) {
        return Err(fail(format!(
            "the value is {}, not a Struct or Map",
            current.kind()
        )));
    }
    for segment in path.split('.') {
        current = match current {
            Value::Struct(s) => s
                .get(segment)
                .map_err(|_| fail(format!("no field '{segment}'")))?,
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| matches!(k, Value::String(s) if s == segment))
                .map(|(_, v)| v)
                .ok_or_else(|| fail(format!("no key '{segment}'")))?,
            other => return Err(fail(format!("cannot descend into {}", other.kind()))),
        };
    }
    match current {
        Value::Timestamp(ms) | Value::Int64(ms) => Ok(*ms),
        Value::Int32(v) => Ok(i64::from(*v)),
        Value::String(s) => parse_iso(s).ok_or_else(|| {
            fail(format!(
                "'{s}' is not an ISO-8601 date-time (e.g. 2024-05-01T13:00:00Z)"
            ))
        }),
        other => Err(fail(format!(
            "unsupported type {} (use a Timestamp, int32/int64 epoch millis or ISO string)",
            other.kind()
        ))),
    }
}

/// ISO-8601 date-times as Joda's `dateTimeParser` reads the common forms: with an offset or
/// `Z`, or without (read as UTC), or a bare date.
fn parse_iso(s: &str) -> Option<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(t.and_utc().timestamp_millis());
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp_millis())
}
