//! Integers, floats and `numeric`.
//!
//! - `int2/int4/int8` → `int16/int32/int64`; `real`/`double precision` → `float32/float64`,
//!   with PostgreSQL's `NaN`, `Infinity`, `-Infinity` as the IEEE values (the JSON converter
//!   writes them as strings, as Java's does).
//! - `numeric(p,s)` (`precise` mode) → Connect `Decimal` with parameters `scale` = s and
//!   `connect.decimal.precision` = p; the unscaled value is exact (parsed from the decimal
//!   text, never through a float).
//! - unconstrained `numeric` → `io.debezium.data.VariableScaleDecimal` {`scale`, `value`}, the
//!   scale being the number of fraction digits in the text (PostgreSQL prints a numeric with
//!   exactly its stored display scale, so this is the scale Debezium's `BigDecimal` carries).
//! - `NaN` numerics become `null` in `precise` mode (a `Decimal` cannot hold NaN), as in
//!   Debezium.

use sluice_api::{Decimal, Schema, SchemaBuilder, Struct, Value};

/// `(precision, scale)` of a `numeric` type modifier (`((p << 16) | s) + 4`), `None` for an
/// unconstrained `numeric` (-1).
pub fn precision_scale(typmod: i32) -> Option<(i32, i32)> {
    if typmod < 4 {
        return None;
    }
    let packed = typmod - 4;
    // The scale is an 11-bit signed field since PostgreSQL 15 (negative scales).
    let scale = ((packed & 0x7ff) ^ 1024) - 1024;
    Some(((packed >> 16) & 0xffff, scale))
}

/// The schema builder of `io.debezium.data.VariableScaleDecimal` (required; the caller sets
/// optionality).
pub fn variable_scale_decimal_schema() -> SchemaBuilder {
    SchemaBuilder::struct_()
        .name("io.debezium.data.VariableScaleDecimal")
        .version(1)
        .doc("Variable scaled decimal")
        .field("scale", Schema::int32())
        .field("value", Schema::bytes())
}

fn int<T: std::str::FromStr>(text: &str, what: &str) -> Result<T, String> {
    text.parse::<T>()
        .map_err(|_| format!("not a {what} integer"))
}

/// An `int2` value.
pub fn int16(text: &str) -> Result<Value, String> {
    int::<i16>(text, "16-bit").map(Value::Int16)
}

/// An `int4` value.
pub fn int32(text: &str) -> Result<Value, String> {
    int::<i32>(text, "32-bit").map(Value::Int32)
}

/// An `int8` (or `oid`) value.
pub fn int64(text: &str) -> Result<Value, String> {
    int::<i64>(text, "64-bit").map(Value::Int64)
}

/// A `float8` from PostgreSQL's text (shortest round-trip digits, or the special values).
fn parse_f64(text: &str) -> Result<f64, String> {
    match text {
        "NaN" => Ok(f64::NAN),
        "Infinity" => Ok(f64::INFINITY),
        "-Infinity" => Ok(f64::NEG_INFINITY),
        _ => text
            .parse::<f64>()
            .map_err(|_| "not a floating-point number".to_string()),
    }
}

/// A `float4` value.
pub fn float32(text: &str) -> Result<Value, String> {
    match text {
        "NaN" => Ok(Value::Float32(f32::NAN)),
        "Infinity" => Ok(Value::Float32(f32::INFINITY)),
        "-Infinity" => Ok(Value::Float32(f32::NEG_INFINITY)),
        // Parsed directly as f32: PostgreSQL prints the shortest text that reads back to the
        // same float4, which an f64 round trip could misround.
        _ => text
            .parse::<f32>()
            .map(Value::Float32)
            .map_err(|_| "not a floating-point number".to_string()),
    }
}

/// A `float8` value.
pub fn float64(text: &str) -> Result<Value, String> {
    parse_f64(text).map(Value::Float64)
}

/// A numeric's text as a [`Decimal`], `None` for `NaN` (and the infinities of PostgreSQL 14+,
/// which a `Decimal` cannot hold either).
fn parse_decimal(text: &str) -> Result<Option<Decimal>, String> {
    if matches!(text, "NaN" | "Infinity" | "-Infinity") {
        return Ok(None);
    }
    text.parse::<Decimal>()
        .map(Some)
        .map_err(|e| format!("not a decimal number: {e}"))
}

/// A `numeric(p,s)` value in `precise` mode: a `Decimal` of the column's scale.
pub fn decimal(text: &str, scale: i32) -> Result<Value, String> {
    let Some(d) = parse_decimal(text)? else {
        return Ok(Value::Null);
    };
    let d = if d.scale() == scale {
        d
    } else {
        d.with_scale(scale)
            .ok_or_else(|| format!("does not fit the column's scale {scale}"))?
    };
    Ok(Value::Decimal(d))
}

/// An unconstrained `numeric` value: a `VariableScaleDecimal` struct of `schema`.
pub fn variable_scale_decimal(text: &str, schema: &Schema) -> Result<Value, String> {
    let Some(d) = parse_decimal(text)? else {
        return Ok(Value::Null);
    };
    let mut row = Struct::new(schema.clone()).map_err(|e| e.to_string())?;
    row.put("scale", Value::Int32(d.scale()))
        .and_then(|r| r.put("value", Value::Bytes(d.unscaled_bytes().to_vec())))
        .map_err(|e| e.to_string())?;
    Ok(Value::Struct(row))
}

/// A `numeric` value in `double` mode (`NaN` stays NaN).
pub fn decimal_double(text: &str) -> Result<Value, String> {
    parse_f64(text).map(Value::Float64)
}

/// A `numeric` value in `string` mode: the plain decimal text (`NaN` → `"NAN"`, Debezium's
/// spelling).
pub fn decimal_string(text: &str) -> Result<Value, String> {
    if text == "NaN" {
        return Ok(Value::String("NAN".into()));
    }
    parse_decimal(text)?;
    Ok(Value::String(text.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_typmod() {
        // numeric(10,2): ((10 << 16) | 2) + 4
        assert_eq!(precision_scale((10 << 16 | 2) + 4), Some((10, 2)));
        assert_eq!(precision_scale((5 << 16) + 4), Some((5, 0)));
        // numeric(3,-2) (PostgreSQL 15): scale stored as 11-bit two's complement.
        assert_eq!(
            precision_scale((3 << 16 | (0x7ff & -2i32)) + 4),
            Some((3, -2))
        );
        assert_eq!(precision_scale(-1), None);
    }

    #[test]
    fn decimals_and_nan() {
        let Value::Decimal(d) = decimal("-0.01", 2).unwrap() else {
            panic!()
        };
        assert_eq!(d.unscaled_bytes(), &[0xff]);
        assert!(decimal("NaN", 2).unwrap().is_null());
        let Value::Decimal(d) = decimal("1.5", 2).unwrap() else {
            panic!()
        };
        assert_eq!((d.unscaled_bytes(), d.scale()), (&[0u8, 150][..], 2));
        assert!(
            matches!(float32("-Infinity").unwrap(), Value::Float32(f) if f == f32::NEG_INFINITY)
        );
        assert!(int16("40000").is_err());
    }
}
