//! Values as text, as Kafka's `Values.convertToString` writes them (what `SimpleHeaderConverter`
//! puts in a header).
//!
//! At the top level a string is written as it is and bytes as base64; inside arrays, maps and
//! structs strings and bytes are quoted, with `\` and `"` escaped in strings. Numbers use Java's
//! `toString` (`1.0E10`, `NaN`), `null` is `null`, arrays are `[a,b]`, maps `{k:v}` in entry
//! order, structs `{"field":value}` with field defaults applied, and logical dates are formatted by
//! [`format_millis`](super::temporal::format_millis). Every Sluice value has a text form, so
//! writing never fails.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sluice_api::Value;

use super::temporal::{format_millis, value_millis};
use crate::json::{java_double_text, java_float_text};

/// Appends `value` to `out` (Java's `Values.append`).
pub(super) fn append(out: &mut String, value: &Value, embedded: bool) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int8(v) => out.push_str(&v.to_string()),
        Value::Int16(v) => out.push_str(&v.to_string()),
        Value::Int32(v) => out.push_str(&v.to_string()),
        Value::Int64(v) => out.push_str(&v.to_string()),
        Value::Float32(v) => out.push_str(&java_float_text(*v)),
        Value::Float64(v) => out.push_str(&java_double_text(*v)),
        Value::Decimal(d) => out.push_str(&d.to_string()),
        Value::String(s) if embedded => {
            out.push('"');
            out.push_str(&s.replace('\\', "\\\\").replace('"', "\\\""));
            out.push('"');
        }
        Value::String(s) => out.push_str(s),
        Value::Bytes(b) if embedded => {
            out.push('"');
            out.push_str(&STANDARD.encode(b));
            out.push('"');
        }
        Value::Bytes(b) => out.push_str(&STANDARD.encode(b)),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                append(out, item, true);
            }
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                append(out, k, true);
                out.push(':');
                append(out, v, true);
            }
            out.push('}');
        }
        Value::Struct(s) => {
            out.push('{');
            for (i, field) in s.schema().fields().iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                append(out, &Value::String(field.name().into()), true);
                out.push(':');
                append(out, s.get_field(field), true);
            }
            out.push('}');
        }
        Value::Date(_) | Value::Time(_) | Value::Timestamp(_) => {
            out.push_str(&format_millis(value_millis(value).unwrap_or_default()));
        }
    }
}
