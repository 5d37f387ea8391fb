//! Connect value → Avro binary body, written directly (no intermediate Avro value tree).
//!
//! A [`WritePlan`] is compiled once per (Connect schema, Avro schema) pair and cached by the
//! converter; encoding a record then walks the plan, the schema-checked `Value` and the output
//! buffer together. The plan fixes every decision Java's `AvroData.fromConnectData` +
//! `GenericDatumWriter` make per record: which union branch holds `null`, which Connect field
//! feeds which Avro field (by name), the decimal scale, enum symbols.
//!
//! Avro binary encoding (specification §"Binary Encoding"): `int`/`long` as zig-zag varints,
//! `float`/`double` little-endian IEEE 754, `bytes`/`string` as a long length then the bytes,
//! a union as the branch index (long) then the value, arrays and maps as one block of `count`
//! items followed by a `0` terminator (empty: just `0`), records as their fields in order,
//! enums as the symbol index, fixed as the raw bytes. A Connect decimal is its unscaled value's
//! minimal big-endian two's complement bytes (Java's `BigInteger.toByteArray`).
//!
//! As in Java, a struct field whose value is `null` is written as the field's default when the
//! field schema has one (`Struct.get` semantics); a `null` for a required schema is an error.

use sluice_api::{Value, logical};

pub(crate) use super::plan::{IntKind, WritePlan, compile};
use crate::json::Problem;

/// Appends a zig-zag varint.
#[inline]
pub(crate) fn write_long(out: &mut Vec<u8>, v: i64) {
    let mut n = ((v << 1) ^ (v >> 63)) as u64;
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

#[inline]
pub(crate) fn write_bytes(out: &mut Vec<u8>, b: &[u8]) {
    write_long(out, b.len() as i64);
    out.extend_from_slice(b);
}

fn wrong(plan: &WritePlan, value: &Value) -> Problem {
    Problem::new(format!(
        "a {} value cannot be written as {}",
        value.kind(),
        plan_name(plan)
    ))
}

fn plan_name(plan: &WritePlan) -> &'static str {
    match plan {
        WritePlan::Boolean => "an Avro boolean",
        WritePlan::Int(_) => "an Avro int",
        WritePlan::Long(_) => "an Avro long",
        WritePlan::Float => "an Avro float",
        WritePlan::Double => "an Avro double",
        WritePlan::String => "an Avro string",
        WritePlan::Enum(_) => "an Avro enum",
        WritePlan::Bytes => "Avro bytes",
        WritePlan::Fixed(_) => "an Avro fixed",
        WritePlan::Decimal { .. } => "an Avro decimal",
        WritePlan::Array(_) => "an Avro array",
        WritePlan::StringMap(_) => "an Avro map",
        WritePlan::EntryMap { .. } => "an Avro array of map entries",
        WritePlan::Record { .. } => "an Avro record",
        WritePlan::Optional { .. } | WritePlan::Union { .. } => "an Avro union",
        WritePlan::Constant(_) => "a constant",
    }
}

/// Writes `value` with `plan`.
pub(crate) fn write(out: &mut Vec<u8>, plan: &WritePlan, value: &Value) -> Result<(), Problem> {
    match (plan, value) {
        (
            WritePlan::Optional {
                null_index,
                value_index,
                inner,
            },
            v,
        ) => {
            if v.is_null() {
                let Some(n) = null_index else {
                    return Err(Problem::new(
                        "null is not allowed here (the Avro union has no null branch)",
                    ));
                };
                write_long(out, i64::from(*n));
                return Ok(());
            }
            write_long(out, i64::from(*value_index));
            write(out, inner, v)
        }
        (_, Value::Null) => Err(Problem::new("Found null value for non-optional schema")),
        (WritePlan::Constant(bytes), _) => {
            out.extend_from_slice(bytes);
            Ok(())
        }
        (WritePlan::Boolean, Value::Boolean(b)) => {
            out.push(u8::from(*b));
            Ok(())
        }
        (WritePlan::Int(kind) | WritePlan::Long(kind), v) => {
            let n = match (kind, v) {
                (IntKind::I8, Value::Int8(n)) => i64::from(*n),
                (IntKind::I16, Value::Int16(n)) => i64::from(*n),
                (IntKind::I32, Value::Int32(n)) | (IntKind::Date, Value::Date(n)) => i64::from(*n),
                (IntKind::Time, Value::Time(n)) => {
                    if !(0..=logical::MILLIS_PER_DAY).contains(n) {
                        return Err(Problem::new(
                            "Kafka Connect Time type should not have any date fields set to non-zero values.",
                        ));
                    }
                    i64::from(*n)
                }
                (IntKind::I64, Value::Int64(n)) | (IntKind::Timestamp, Value::Timestamp(n)) => *n,
                _ => return Err(wrong(plan, v)),
            };
            write_long(out, n);
            Ok(())
        }
        (WritePlan::Float, Value::Float32(f)) => {
            out.extend_from_slice(&f.to_le_bytes());
            Ok(())
        }
        (WritePlan::Double, Value::Float64(f)) => {
            out.extend_from_slice(&f.to_le_bytes());
            Ok(())
        }
        (WritePlan::String, Value::String(s)) => {
            write_bytes(out, s.as_bytes());
            Ok(())
        }
        (WritePlan::Enum(symbols), Value::String(s)) => {
            let i = symbols.iter().position(|sym| sym == s).ok_or_else(|| {
                Problem::new(format!(
                    "'{s}' is not a symbol of the Avro enum {symbols:?}"
                ))
            })?;
            write_long(out, i as i64);
            Ok(())
        }
        (WritePlan::Bytes, Value::Bytes(b)) => {
            write_bytes(out, b);
            Ok(())
        }
        (WritePlan::Fixed(size), Value::Bytes(b)) => {
            if b.len() != *size {
                return Err(Problem::new(format!(
                    "{} bytes do not fit an Avro fixed of size {size}",
                    b.len()
                )));
            }
            out.extend_from_slice(b);
            Ok(())
        }
        (WritePlan::Decimal { scale, fixed }, Value::Decimal(d)) => {
            if d.scale() != *scale {
                return Err(Problem::new(format!(
                    "BigDecimal has mismatching scale value for given Decimal schema: {d} has scale {}, the schema {scale}",
                    d.scale()
                )));
            }
            match fixed {
                None => write_bytes(out, d.unscaled_bytes()),
                Some(size) => write_fixed_decimal(out, d.unscaled_bytes(), d.is_negative(), *size)?,
            }
            Ok(())
        }
        (WritePlan::Array(element), Value::Array(items)) => {
            if !items.is_empty() {
                write_long(out, items.len() as i64);
                for (i, item) in items.iter().enumerate() {
                    write(out, element, item).map_err(|e| e.at(format!("[{i}]")))?;
                }
            }
            out.push(0);
            Ok(())
        }
        (WritePlan::StringMap(vp), Value::Map(entries)) => {
            if !entries.is_empty() {
                write_long(out, entries.len() as i64);
                for (k, v) in entries {
                    let Value::String(key) = k else {
                        return Err(Problem::new(format!(
                            "a {} map key cannot be an Avro map key",
                            k.kind()
                        )));
                    };
                    write_bytes(out, key.as_bytes());
                    write(out, vp, v).map_err(|e| e.at(format!("[{key}]")))?;
                }
            }
            out.push(0);
            Ok(())
        }
        (
            WritePlan::EntryMap {
                key,
                value: vp,
                key_first,
            },
            Value::Map(entries),
        ) => {
            if !entries.is_empty() {
                write_long(out, entries.len() as i64);
                for (i, (k, v)) in entries.iter().enumerate() {
                    let at = |e: Problem| e.at(format!("[{i}]"));
                    if *key_first {
                        write(out, key, k).map_err(at)?;
                        write(out, vp, v).map_err(at)?;
                    } else {
                        write(out, vp, v).map_err(at)?;
                        write(out, key, k).map_err(at)?;
                    }
                }
            }
            out.push(0);
            Ok(())
        }
        (WritePlan::Record { schema, fields }, Value::Struct(s)) => {
            if s.schema() != schema {
                return Err(Problem::new(format!(
                    "Mismatching struct schema: the value is a {} but the schema is {schema}",
                    s.schema()
                )));
            }
            let values = s.values();
            let connect_fields = schema.fields();
            for f in fields {
                match f.source {
                    Some(i) => {
                        let v = match &values[i] {
                            Value::Null => connect_fields[i]
                                .schema()
                                .default_value()
                                .unwrap_or(&Value::Null),
                            v => v,
                        };
                        write(out, &f.plan, v).map_err(|e| e.at(f.name.as_str()))?;
                    }
                    None => write(out, &f.plan, &Value::Null).map_err(|e| e.at(f.name.as_str()))?,
                }
            }
            Ok(())
        }
        (
            WritePlan::Union {
                schema,
                null_index,
                branches,
            },
            Value::Struct(s),
        ) => {
            if s.schema() != schema {
                return Err(Problem::new("Mismatching struct schema for an Avro union"));
            }
            for (fi, bi, p) in branches {
                let v = &s.values()[*fi];
                if !v.is_null() {
                    write_long(out, *bi as i64);
                    return write(out, p, v);
                }
            }
            match null_index {
                Some(n) => {
                    write_long(out, *n as i64);
                    Ok(())
                }
                None => Err(Problem::new("Found null value for non-optional schema")),
            }
        }
        (p, v) => Err(wrong(p, v)),
    }
}

/// A decimal in a fixed: sign-extended to the fixed size.
fn write_fixed_decimal(
    out: &mut Vec<u8>,
    unscaled: &[u8],
    negative: bool,
    size: usize,
) -> Result<(), Problem> {
    if unscaled.len() > size {
        return Err(Problem::new(format!(
            "the decimal needs {} bytes, more than the fixed size {size}",
            unscaled.len()
        )));
    }
    let fill = if negative { 0xFF } else { 0 };
    out.extend(std::iter::repeat_n(fill, size - unscaled.len()));
    out.extend_from_slice(unscaled);
    Ok(())
}
