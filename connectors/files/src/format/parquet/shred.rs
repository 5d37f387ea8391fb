//! Record shredding (the Dremel encoding Parquet uses): one Connect value becomes, in every leaf
//! column, entries of (repetition level, definition level, value if defined).
//!
//! - The definition level counts the `OPTIONAL` and `REPEATED` fields on the path that are
//!   present; a null (or an empty list) writes one entry below the maximum into every column
//!   under it, and no value.
//! - The repetition level says at which repeated field a new item starts: the first item of a
//!   list continues the parent's level, later items use the list's own level.
//!
//! A struct field that is null takes the field's default, as Connect's `Struct.get` (and so
//! Confluent's writer) does. A null where the schema is required is an error naming the column.

use sluice_api::Value;

use super::columns::{ColumnBuffer, Values};
use super::schema::{LeafKind, Node};

/// A value that cannot be shredded: the column it was found at and what is wrong.
#[derive(Debug)]
pub(crate) struct ShredError {
    /// The leaf column (the first under a group).
    pub(crate) column: usize,
    /// What is wrong.
    pub(crate) message: String,
}

fn error(column: usize, message: impl Into<String>) -> ShredError {
    ShredError {
        column,
        message: message.into(),
    }
}

/// Shreds `value` (a record, at repetition level `rep` and definition level `def` of its
/// parent) into `columns`.
pub(crate) fn shred(
    node: &Node,
    value: &Value,
    rep: i16,
    def: i16,
    columns: &mut [ColumnBuffer],
) -> Result<(), ShredError> {
    if value.is_null() {
        let (optional, first) = match node {
            Node::Leaf {
                optional, column, ..
            } => (*optional, *column),
            Node::Group { optional, .. }
            | Node::List { optional, .. }
            | Node::Map { optional, .. } => (*optional, node.columns().start),
        };
        if !optional {
            return Err(error(
                first,
                "the value is null but the schema requires one",
            ));
        }
        for c in node.columns() {
            columns[c].push_levels(rep, def);
        }
        return Ok(());
    }
    match node {
        Node::Leaf {
            column,
            optional,
            kind,
        } => {
            let col = &mut columns[*column];
            push_value(&mut col.values, *kind, value).map_err(|m| error(*column, m))?;
            col.push_levels(rep, def + i16::from(*optional));
        }
        Node::Group {
            optional,
            fields,
            columns: range,
        } => {
            let Value::Struct(s) = value else {
                return Err(error(range.start, mismatch(value, "a struct")));
            };
            let schema_fields = s.schema().fields();
            if schema_fields.len() != fields.len() {
                return Err(error(
                    range.start,
                    format!(
                        "the struct has {} fields, the file's schema {}",
                        schema_fields.len(),
                        fields.len()
                    ),
                ));
            }
            let def = def + i16::from(*optional);
            for (field, child) in schema_fields.iter().zip(fields) {
                shred(child, s.get_field(field), rep, def, columns)?;
            }
        }
        Node::List {
            optional,
            element,
            rep: level,
            columns: range,
        } => {
            let Value::Array(items) = value else {
                return Err(error(range.start, mismatch(value, "an array")));
            };
            let def = def + i16::from(*optional);
            if items.is_empty() {
                for c in range.clone() {
                    columns[c].push_levels(rep, def);
                }
            }
            for (i, item) in items.iter().enumerate() {
                let r = if i == 0 { rep } else { *level };
                shred(element, item, r, def + 1, columns)?;
            }
        }
        Node::Map {
            optional,
            key,
            value: map_value,
            rep: level,
            columns: range,
        } => {
            let Value::Map(entries) = value else {
                return Err(error(range.start, mismatch(value, "a map")));
            };
            let def = def + i16::from(*optional);
            if entries.is_empty() {
                for c in range.clone() {
                    columns[c].push_levels(rep, def);
                }
            }
            for (i, (k, v)) in entries.iter().enumerate() {
                let r = if i == 0 { rep } else { *level };
                shred(key, k, r, def + 1, columns)?;
                shred(map_value, v, r, def + 1, columns)?;
            }
        }
    }
    Ok(())
}

fn mismatch(value: &Value, want: &str) -> String {
    format!("a {} value where the schema has {want}", value.kind())
}

/// Appends one non-null value to a column of `kind`.
fn push_value(out: &mut Values, kind: LeafKind, value: &Value) -> Result<(), String> {
    use LeafKind as K;
    match (kind, out, value) {
        (K::Boolean, Values::Bool(o), Value::Boolean(v)) => o.push(*v),
        (K::Int32, Values::I32(o), Value::Int8(v)) => o.push(i32::from(*v)),
        (K::Int32, Values::I32(o), Value::Int16(v)) => o.push(i32::from(*v)),
        (K::Int32, Values::I32(o), Value::Int32(v))
        | (K::Date, Values::I32(o), Value::Date(v) | Value::Int32(v))
        | (K::Time, Values::I32(o), Value::Time(v) | Value::Int32(v)) => o.push(*v),
        (K::Int64, Values::I64(o), Value::Int64(v))
        | (K::Timestamp, Values::I64(o), Value::Timestamp(v) | Value::Int64(v)) => o.push(*v),
        (K::Float, Values::F32(o), Value::Float32(v)) => o.push(*v),
        (K::Double, Values::F64(o), Value::Float64(v)) => o.push(*v),
        (K::String, Values::Bytes { data, ends }, Value::String(s)) => {
            data.extend_from_slice(s.as_bytes());
            ends.push(data.len());
        }
        (K::Bytes, Values::Bytes { data, ends }, Value::Bytes(b)) => {
            data.extend_from_slice(b);
            ends.push(data.len());
        }
        (K::DecimalBinary { scale }, Values::Bytes { data, ends }, value) => {
            let d = decimal_at(value, scale)?;
            data.extend_from_slice(d.unscaled_bytes());
            ends.push(data.len());
        }
        (
            K::DecimalFixed {
                scale,
                precision,
                len,
            },
            Values::Fixed { data, .. },
            value,
        ) => {
            let d = decimal_at(value, scale)?;
            let unscaled = d.unscaled_bytes();
            let fits = unscaled.len() <= 16
                && d.unscaled_i128()
                    .is_some_and(|u| u.unsigned_abs() < 10_u128.pow(precision.unsigned_abs()));
            if !fits || unscaled.len() > len {
                return Err(format!(
                    "the decimal {d} has more than the {precision} digits of the field's \
                     precision (connect.decimal.precision)"
                ));
            }
            let fill = if d.is_negative() { 0xFF } else { 0x00 };
            data.extend(std::iter::repeat_n(fill, len - unscaled.len()));
            data.extend_from_slice(unscaled);
        }
        (kind, _, value) => {
            return Err(format!(
                "a {} value cannot be written to a {kind:?} column",
                value.kind()
            ));
        }
    }
    Ok(())
}

/// The decimal in `value` at exactly `scale` (adding zeros is fine; dropping digits is not).
fn decimal_at(value: &Value, scale: i32) -> Result<sluice_api::Decimal, String> {
    let d = match value {
        Value::Decimal(d) => d.clone(),
        // A decimal given as its unscaled bytes, at the schema's scale.
        Value::Bytes(b) => {
            sluice_api::Decimal::from_unscaled_bytes(b, scale).map_err(|e| e.to_string())?
        }
        other => {
            return Err(format!(
                "a {} value cannot be written to a DECIMAL column",
                other.kind()
            ));
        }
    };
    d.with_scale(scale).ok_or_else(|| {
        format!(
            "the decimal {d} has scale {}, more digits after the point than the field's scale {scale}",
            d.scale()
        )
    })
}
