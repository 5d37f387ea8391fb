//! The JSON result encoding: `rowset` is an array of rows, each an array of strings or `null`.
//!
//! Snowflake's text forms per logical type (as the official drivers parse them): `fixed` is the
//! decimal number; `real` a float; `boolean` `1`/`0` (or `true`/`false`); `date` the days since
//! the epoch; `time` seconds since midnight with a fraction; `timestamp_ntz`/`_ltz` seconds since
//! the epoch with a fraction; `timestamp_tz` the same followed by a space and the offset in
//! minutes plus 1440; `binary` hex; `variant`/`object`/`array` JSON text.

use super::{Column, Kind, Value};

/// Decodes every row; a row with the wrong number of values is an error.
pub(super) fn decode(
    rowset: Vec<Vec<Option<String>>>,
    columns: &[Column],
) -> Result<Vec<Vec<Value>>, String> {
    rowset
        .into_iter()
        .enumerate()
        .map(|(r, row)| {
            if row.len() != columns.len() {
                return Err(format!(
                    "row {r} has {} values for {} columns",
                    row.len(),
                    columns.len()
                ));
            }
            row.into_iter()
                .zip(columns)
                .map(|(text, column)| match text {
                    None => Ok(Value::Null),
                    Some(text) => value(&text, column).ok_or_else(|| {
                        format!(
                            "row {r}: '{text}' is not a valid {} for column {}",
                            column.sf_type, column.name
                        )
                    }),
                })
                .collect()
        })
        .collect()
}

fn value(text: &str, column: &Column) -> Option<Value> {
    Some(match Kind::of(&column.sf_type) {
        Kind::Fixed => match column.scale.unwrap_or(0) {
            s if s <= 0 => text
                .parse()
                .map(Value::Integer)
                .unwrap_or_else(|_| Value::Decimal(text.to_string())),
            _ => Value::Decimal(text.to_string()),
        },
        Kind::Real => Value::Real(text.parse().ok()?),
        Kind::Text => Value::Text(text.to_string()),
        Kind::Variant => Value::Variant(text.to_string()),
        Kind::Boolean => Value::Boolean(match text.to_ascii_lowercase().as_str() {
            "1" | "true" => true,
            "0" | "false" => false,
            _ => return None,
        }),
        Kind::Binary => Value::Binary(hex(text)?),
        Kind::Date => Value::Date(text.parse().ok()?),
        Kind::Time => {
            let (seconds, nanos) = seconds_fraction(text)?;
            Value::Time(
                seconds
                    .checked_mul(1_000_000_000)?
                    .checked_add(i64::from(nanos))?,
            )
        }
        Kind::TimestampNtz => {
            let (epoch_seconds, nanos) = seconds_fraction(text)?;
            Value::Timestamp {
                epoch_seconds,
                nanos,
                offset_minutes: None,
            }
        }
        Kind::TimestampTz => {
            let (instant, offset) = text.split_once(' ')?;
            let (epoch_seconds, nanos) = seconds_fraction(instant)?;
            let offset: i32 = offset.parse().ok()?;
            Value::Timestamp {
                epoch_seconds,
                nanos,
                offset_minutes: Some(offset - 1440),
            }
        }
    })
}

/// `"-1.25"` → `(-2, 750_000_000)`: floor seconds and non-negative nanoseconds.
fn seconds_fraction(text: &str) -> Option<(i64, u32)> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let seconds: i64 = int.parse().ok()?;
    let nanos: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<9}").parse().ok()?
    };
    let negative = int.starts_with('-');
    let total = i128::from(seconds) * 1_000_000_000
        + if negative {
            -i128::from(nanos)
        } else {
            i128::from(nanos)
        };
    let seconds = i64::try_from(total.div_euclid(1_000_000_000)).ok()?;
    let nanos = u32::try_from(total.rem_euclid(1_000_000_000)).ok()?;
    Some((seconds, nanos))
}

fn hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(sf_type: &str, scale: Option<i32>) -> Column {
        Column {
            name: "C".into(),
            sf_type: sf_type.into(),
            precision: None,
            scale,
            nullable: true,
        }
    }

    #[test]
    fn snowflake_text_forms_decode_per_logical_type() {
        let cases = [
            (col("fixed", Some(0)), "42", Value::Integer(42)),
            (
                col("fixed", Some(2)),
                "-1.50",
                Value::Decimal("-1.50".into()),
            ),
            (col("boolean", None), "1", Value::Boolean(true)),
            (col("binary", None), "0aFF", Value::Binary(vec![0x0a, 0xff])),
            (col("date", None), "19724", Value::Date(19724)),
            (
                col("time", Some(9)),
                "45296.5",
                Value::Time(45_296_500_000_000),
            ),
            (
                col("timestamp_ntz", Some(9)),
                "-1.25",
                Value::Timestamp {
                    epoch_seconds: -2,
                    nanos: 750_000_000,
                    offset_minutes: None,
                },
            ),
            (
                col("timestamp_tz", Some(9)),
                "1700000000.000000001 1500",
                Value::Timestamp {
                    epoch_seconds: 1_700_000_000,
                    nanos: 1,
                    offset_minutes: Some(60),
                },
            ),
        ];
        for (column, text, expected) in cases {
            assert_eq!(
                value(text, &column),
                Some(expected),
                "{text} as {}",
                column.sf_type
            );
        }
        assert_eq!(value("maybe", &col("boolean", None)), None);
    }
}
