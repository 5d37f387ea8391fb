//! The Arrow result encoding: `rowsetBase64` is a base64 Arrow IPC *stream* (schema message,
//! then record batches), one Arrow column per `rowtype` column.
//!
//! Snowflake's physical layout per logical type (the one the official drivers' Arrow readers
//! expect, and the one fakesnow writes): `fixed` as Int8–Int64 holding the value scaled by
//! `10^scale` (or Decimal128); `real` Float64; text and semi-structured types Utf8; `boolean`
//! Boolean; `date` Date32; `time` an integer of `10^-scale` seconds; `timestamp_ntz`/`_ltz`
//! either an Int64 of `10^-scale` seconds or a struct `{epoch: seconds, fraction: nanoseconds}`;
//! `timestamp_tz` a struct `{epoch, timezone}` (epoch scaled) or `{epoch, fraction, timezone}`,
//! the timezone being the offset in minutes plus 1440. The scale is read from the field's
//! `scale` metadata, falling back to `rowtype`.

use std::io::Cursor;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch, StructArray};
use arrow_ipc::reader::StreamReader;
use arrow_schema::{DataType, Field};
use base64::Engine as _;

use super::{Column, Kind, Value, number, scaled_seconds};

/// Decodes every record batch of the stream into rows.
pub(super) fn decode(rowset_base64: &str, columns: &[Column]) -> Result<Vec<Vec<Value>>, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(rowset_base64.trim())
        .map_err(|e| format!("rowsetBase64 is not base64: {e}"))?;
    let reader = StreamReader::try_new(Cursor::new(bytes), None)
        .map_err(|e| format!("not an Arrow IPC stream: {e}"))?;
    let mut rows = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| format!("bad Arrow record batch: {e}"))?;
        decode_batch(&batch, columns, &mut rows)?;
    }
    Ok(rows)
}

fn decode_batch(
    batch: &RecordBatch,
    columns: &[Column],
    rows: &mut Vec<Vec<Value>>,
) -> Result<(), String> {
    if batch.num_columns() != columns.len() {
        return Err(format!(
            "Arrow batch has {} columns, rowtype {}",
            batch.num_columns(),
            columns.len()
        ));
    }
    let first = rows.len();
    rows.extend((0..batch.num_rows()).map(|_| Vec::with_capacity(columns.len())));
    let schema = batch.schema();
    for (index, column) in columns.iter().enumerate() {
        let field = schema.field(index);
        let array = batch.column(index);
        let scale = field_scale(field).or(column.scale).unwrap_or(0);
        let kind = Kind::of(&column.sf_type);
        for (offset, row) in rows[first..].iter_mut().enumerate() {
            let value = if array.is_null(offset) {
                Some(Value::Null)
            } else {
                cell(array, offset, kind, scale)
            };
            match value {
                Some(v) => row.push(v),
                None => {
                    return Err(format!(
                        "column {} ({}) stored as Arrow {} is not supported",
                        column.name,
                        column.sf_type,
                        array.data_type()
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The `scale` metadata Snowflake puts on each Arrow field.
fn field_scale(field: &Field) -> Option<i32> {
    field.metadata().get("scale")?.parse().ok()
}

/// One non-null cell; `None` when the Arrow type does not fit the logical type.
fn cell(array: &ArrayRef, i: usize, kind: Kind, scale: i32) -> Option<Value> {
    Some(match array.data_type() {
        DataType::Null => Value::Null,
        DataType::Boolean => Value::Boolean(array.as_boolean().value(i)),
        DataType::Int8 => integer(
            i64::from(array.as_primitive::<Int8Type>().value(i)),
            kind,
            scale,
        )?,
        DataType::Int16 => integer(
            i64::from(array.as_primitive::<Int16Type>().value(i)),
            kind,
            scale,
        )?,
        DataType::Int32 => integer(
            i64::from(array.as_primitive::<Int32Type>().value(i)),
            kind,
            scale,
        )?,
        DataType::Int64 => integer(array.as_primitive::<Int64Type>().value(i), kind, scale)?,
        DataType::Decimal128(_, s) => number(
            array.as_primitive::<Decimal128Type>().value(i),
            i32::from(*s),
        ),
        DataType::Float32 => Value::Real(f64::from(array.as_primitive::<Float32Type>().value(i))),
        DataType::Float64 => Value::Real(array.as_primitive::<Float64Type>().value(i)),
        DataType::Utf8 => text(array.as_string::<i32>().value(i), kind),
        DataType::LargeUtf8 => text(array.as_string::<i64>().value(i), kind),
        DataType::Utf8View => text(array.as_string_view().value(i), kind),
        DataType::Binary => Value::Binary(array.as_binary::<i32>().value(i).to_vec()),
        DataType::LargeBinary => Value::Binary(array.as_binary::<i64>().value(i).to_vec()),
        DataType::FixedSizeBinary(_) => {
            Value::Binary(array.as_fixed_size_binary().value(i).to_vec())
        }
        DataType::Date32 => Value::Date(array.as_primitive::<Date32Type>().value(i)),
        DataType::Struct(_) => timestamp_struct(array.as_struct(), i, kind, scale)?,
        _ => return None,
    })
}

/// An integer column: a scaled number, a time of day, or a scaled timestamp.
fn integer(v: i64, kind: Kind, scale: i32) -> Option<Value> {
    Some(match kind {
        Kind::Time => {
            let (seconds, nanos) = scaled_seconds(v, scale)?;
            Value::Time(seconds * 1_000_000_000 + i64::from(nanos))
        }
        Kind::TimestampNtz => {
            let (epoch_seconds, nanos) = scaled_seconds(v, scale)?;
            Value::Timestamp {
                epoch_seconds,
                nanos,
                offset_minutes: None,
            }
        }
        Kind::Date => Value::Date(i32::try_from(v).ok()?),
        Kind::Boolean => Value::Boolean(v != 0),
        _ => number(i128::from(v), scale),
    })
}

fn text(s: &str, kind: Kind) -> Value {
    match kind {
        Kind::Variant => Value::Variant(s.to_string()),
        _ => Value::Text(s.to_string()),
    }
}

/// Snowflake's timestamp structs (see the module doc).
fn timestamp_struct(array: &StructArray, i: usize, kind: Kind, scale: i32) -> Option<Value> {
    if !matches!(kind, Kind::TimestampNtz | Kind::TimestampTz) {
        return None;
    }
    let epoch = array
        .column_by_name("epoch")?
        .as_primitive_opt::<Int64Type>()?
        .value(i);
    let fraction = match array.column_by_name("fraction") {
        Some(f) => Some(f.as_primitive_opt::<Int32Type>()?.value(i)),
        None => None,
    };
    let offset_minutes = match array.column_by_name("timezone") {
        Some(tz) => Some(tz.as_primitive_opt::<Int32Type>()?.value(i) - 1440),
        None => None,
    };
    let (epoch_seconds, nanos) = match fraction {
        Some(fraction) => (epoch, u32::try_from(fraction).ok()?),
        None => scaled_seconds(epoch, scale)?,
    };
    Some(Value::Timestamp {
        epoch_seconds,
        nanos,
        offset_minutes,
    })
}
