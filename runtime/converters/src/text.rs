//! Java's `toString()` of Connect primitives, shared by the String and header converters.

use sluice_api::Value;

use crate::json::{java_double_text, java_float_text};

/// The text Java's `Object.toString()` gives for a primitive Connect value, or `None` for values
/// whose Java text is not meaningful (bytes print as `[B@1f2a…`, structs and collections in a
/// Java-specific layout, dates in the JVM's time zone).
pub(crate) fn java_to_string(value: &Value) -> Option<String> {
    Some(match value {
        Value::String(s) => s.to_string(),
        Value::Boolean(b) => b.to_string(),
        Value::Int8(v) => v.to_string(),
        Value::Int16(v) => v.to_string(),
        Value::Int32(v) => v.to_string(),
        Value::Int64(v) => v.to_string(),
        Value::Float32(v) => java_float_text(*v),
        Value::Float64(v) => java_double_text(*v),
        Value::Decimal(d) => d.to_string(),
        _ => return None,
    })
}
