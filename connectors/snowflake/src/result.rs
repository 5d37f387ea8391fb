//! Result sets: Snowflake's two encodings decoded into one row representation.
//!
//! Snowflake answers a query with the column descriptions in `rowtype` and the rows either as
//! an Arrow IPC stream in `rowsetBase64` (`queryResultFormat = arrow`: queries, DDL, `COPY`) or
//! as JSON arrays of strings in `rowset` (`json`: DML counts, and every result for clients that
//! ask for JSON). Both decode into [`Row`]s of typed [`Value`]s, keyed by the names in `rowtype`,
//! so callers never see which encoding the server chose. The type of each value comes from the
//! column's Snowflake logical type (`rowtype[i].type`, repeated as `logicalType` in the Arrow
//! field metadata), with the physical Arrow type only telling how it is stored; see
//! the `arrow` and `json` submodules for the per-type encodings.
//!
//! Results larger than one answer are split by Snowflake into `chunks` downloaded from cloud
//! storage; this client rejects such results with [`Error::Unsupported`] rather than returning a
//! truncated result (the sink's own statements return a handful of rows).

mod arrow;
mod json;

use std::fmt;
use std::sync::Arc;

use crate::error::{self, Error, Result};
use crate::wire::QueryData;

/// One result column, from `rowtype`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The column name, as Snowflake reports it (upper-case for unquoted identifiers; DML
    /// results use names such as `number of rows inserted`).
    pub name: String,
    /// The Snowflake logical type, lower-case: `fixed`, `real`, `text`, `boolean`, `date`,
    /// `time`, `timestamp_ntz`, `timestamp_ltz`, `timestamp_tz`, `variant`, `object`, `array`,
    /// `binary`, ….
    pub sf_type: String,
    /// Precision of `fixed` columns.
    pub precision: Option<u32>,
    /// Scale of `fixed` columns; fractional-second digits of time and timestamp columns.
    pub scale: Option<i32>,
    /// Whether the column may hold NULL.
    pub nullable: bool,
}

/// One value of a result row.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value {
    /// SQL NULL.
    Null,
    /// `BOOLEAN`.
    Boolean(bool),
    /// `NUMBER` with scale 0 that fits in an `i64`.
    Integer(i64),
    /// Any other `NUMBER`, as exact decimal text (`-12.50`).
    Decimal(String),
    /// `FLOAT` / `REAL` / `DOUBLE`.
    Real(f64),
    /// `VARCHAR` / `CHAR` / `STRING`.
    Text(String),
    /// `VARIANT`, `OBJECT` or `ARRAY`, as JSON text.
    Variant(String),
    /// `BINARY`.
    Binary(Vec<u8>),
    /// `DATE`: days since 1970-01-01.
    Date(i32),
    /// `TIME`: nanoseconds since midnight.
    Time(i64),
    /// `TIMESTAMP_NTZ`/`_LTZ`/`_TZ`: seconds and nanoseconds since the epoch (UTC for `_TZ`
    /// and `_LTZ`, wall-clock for `_NTZ`), with the offset in minutes for `_TZ`.
    Timestamp {
        /// Whole seconds since 1970-01-01T00:00:00.
        epoch_seconds: i64,
        /// Nanoseconds within the second.
        nanos: u32,
        /// Offset from UTC in minutes (`TIMESTAMP_TZ` only).
        offset_minutes: Option<i32>,
    },
}

impl Value {
    /// Whether this is SQL NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The text of a `Text`, `Variant` or `Decimal` value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(s) | Value::Variant(s) | Value::Decimal(s) => Some(s),
            _ => None,
        }
    }

    /// The value of an `Integer`, or of a `Decimal` whose text is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Integer(i) => Some(*i),
            Value::Decimal(s) => s.parse().ok(),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    /// Snowflake-like text: numbers and text as-is, dates as days, times as nanoseconds,
    /// timestamps as `seconds.nanoseconds[ offset]`, binary as upper-case hex, NULL as `NULL`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("NULL"),
            Value::Boolean(b) => write!(f, "{b}"),
            Value::Integer(i) => write!(f, "{i}"),
            Value::Decimal(s) | Value::Text(s) | Value::Variant(s) => f.write_str(s),
            Value::Real(r) => write!(f, "{r}"),
            Value::Binary(b) => b.iter().try_for_each(|byte| write!(f, "{byte:02X}")),
            Value::Date(d) => write!(f, "{d}"),
            Value::Time(t) => write!(f, "{t}"),
            Value::Timestamp {
                epoch_seconds,
                nanos,
                offset_minutes,
            } => {
                write!(f, "{epoch_seconds}.{nanos:09}")?;
                match offset_minutes {
                    Some(offset) => write!(f, " {offset:+}"),
                    None => Ok(()),
                }
            }
        }
    }
}

/// One result row: its values in column order, with the columns to look them up by name.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    columns: Arc<[Column]>,
    values: Vec<Value>,
}

impl Row {
    /// The value of the column named exactly `name` (Snowflake upper-cases unquoted names).
    pub fn get(&self, name: &str) -> Option<&Value> {
        let index = self.columns.iter().position(|c| c.name == name)?;
        self.values.get(index)
    }

    /// The values in column order.
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// The columns of the result this row belongs to.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }
}

/// The decoded answer to one statement.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryResult {
    /// Snowflake's query id (for `QUERY_HISTORY` and support).
    pub query_id: Option<String>,
    /// Snowflake's statement type id (e.g. `0x1000` SELECT, `0x3100` INSERT, `0x3400` MERGE).
    pub statement_type_id: Option<i64>,
    columns: Arc<[Column]>,
    rows: Vec<Row>,
}

impl QueryResult {
    /// The result columns.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The result rows.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// For DML: the number in the first row's column `name` (`number of rows inserted`,
    /// `number of rows updated`, `number of rows deleted`), when present.
    pub fn count(&self, name: &str) -> Option<i64> {
        self.rows.first()?.get(name)?.as_i64()
    }
}

/// Decodes the `data` of a successful query answer.
pub(crate) fn decode(data: QueryData, sql: &str) -> Result<QueryResult> {
    let fail = |detail: String| Error::Decode {
        sql: error::shorten(sql),
        detail,
    };
    if data.chunks.as_ref().is_some_and(|c| !c.is_empty()) {
        return Err(Error::Unsupported {
            action: format!("reading the result of `{}`", error::shorten(sql)),
            what: "downloading result chunks (a result too large for one answer)".into(),
        });
    }
    let columns: Arc<[Column]> = data
        .rowtype
        .iter()
        .map(|r| Column {
            name: r.name.clone(),
            sf_type: r.sf_type.to_ascii_lowercase(),
            precision: r.precision,
            scale: r.scale,
            nullable: r.nullable.unwrap_or(true),
        })
        .collect();
    let format = data
        .query_result_format
        .as_deref()
        .unwrap_or("json")
        .to_ascii_lowercase();
    let raw_rows = match format.as_str() {
        "arrow" => match data.rowset_base64.as_deref() {
            Some(b64) if !b64.is_empty() => arrow::decode(b64, &columns).map_err(fail)?,
            _ => Vec::new(),
        },
        "json" => json::decode(data.rowset.unwrap_or_default(), &columns).map_err(fail)?,
        other => return Err(fail(format!("unknown queryResultFormat '{other}'"))),
    };
    let rows = raw_rows
        .into_iter()
        .map(|values| Row {
            columns: Arc::clone(&columns),
            values,
        })
        .collect();
    Ok(QueryResult {
        query_id: data.query_id,
        statement_type_id: data.statement_type_id,
        columns,
        rows,
    })
}

/// The logical kinds of columns that need a specific decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Fixed,
    Real,
    Text,
    Variant,
    Boolean,
    Binary,
    Date,
    Time,
    TimestampNtz,
    TimestampTz,
}

impl Kind {
    fn of(sf_type: &str) -> Kind {
        match sf_type {
            "fixed" => Kind::Fixed,
            "real" => Kind::Real,
            "variant" | "object" | "array" => Kind::Variant,
            "boolean" => Kind::Boolean,
            "binary" => Kind::Binary,
            "date" => Kind::Date,
            "time" => Kind::Time,
            "timestamp_ntz" | "timestamp_ltz" | "timestamp" => Kind::TimestampNtz,
            "timestamp_tz" => Kind::TimestampTz,
            _ => Kind::Text,
        }
    }
}

/// A `NUMBER` stored as an integer scaled by `10^scale`, as [`Value::Integer`] or exact decimal.
fn number(unscaled: i128, scale: i32) -> Value {
    // Snowflake scales are 0..=37; a non-positive scale is an integer.
    if scale <= 0 {
        return match i64::try_from(unscaled) {
            Ok(i) => Value::Integer(i),
            Err(_) => Value::Decimal(unscaled.to_string()),
        };
    }
    let digits = unscaled.unsigned_abs().to_string();
    let scale = scale as usize;
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    let sign = if unscaled < 0 { "-" } else { "" };
    Value::Decimal(format!("{sign}{int}.{frac}"))
}

/// A count of `10^-scale` second units since the epoch, as seconds and nanoseconds.
fn scaled_seconds(units: i64, scale: i32) -> Option<(i64, u32)> {
    let scale = u32::try_from(scale.clamp(0, 9)).ok()?;
    let per_second = 10i64.pow(scale);
    let seconds = units.div_euclid(per_second);
    let nanos = units.rem_euclid(per_second) * 10i64.pow(9 - scale);
    Some((seconds, u32::try_from(nanos).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_exact_decimal_text() {
        assert_eq!(number(150, 2), Value::Decimal("1.50".into()));
        assert_eq!(number(-5, 3), Value::Decimal("-0.005".into()));
        assert_eq!(number(42, 0), Value::Integer(42));
        assert_eq!(
            number(i128::from(i64::MAX) + 1, 0),
            Value::Decimal("9223372036854775808".into())
        );
    }

    #[test]
    fn scaled_seconds_split_before_the_epoch_too() {
        assert_eq!(scaled_seconds(1_500, 3), Some((1, 500_000_000)));
        assert_eq!(scaled_seconds(-1, 3), Some((-1, 999_000_000)));
    }
}
