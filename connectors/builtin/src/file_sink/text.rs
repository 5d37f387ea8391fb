//! A record value as one line of text, as Java's `String.valueOf(value)` prints it where that
//! is meaningful: strings as they are, `null`, numbers, booleans, lists as `[a, b]`, maps as
//! `{k=v, k2=v2}`, structs as `Struct{name=value,…}` (null fields left out, as Kafka's
//! `Struct.toString`).
//!
//! Where Java's output is an accident of the JVM it is not imitated: bytes are written as
//! UTF-8 text (Java prints `[B@<hash>`), `Date`/`Time`/`Timestamp` as their number of days or
//! milliseconds (Java prints them in the JVM's time zone), and doubles as Rust prints them
//! (`1e20` where Java writes `1.0E20`).

use std::fmt::Write;

use sluice_api::Value;

/// The text of `value` (see the module doc).
pub fn value_text(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

fn write_value(out: &mut String, value: &Value) {
    // Writing to a String cannot fail.
    let _ = match value {
        Value::Null => write!(out, "null"),
        Value::Boolean(b) => write!(out, "{b}"),
        Value::Int8(i) => write!(out, "{i}"),
        Value::Int16(i) => write!(out, "{i}"),
        Value::Int32(i) | Value::Date(i) | Value::Time(i) => write!(out, "{i}"),
        Value::Int64(i) | Value::Timestamp(i) => write!(out, "{i}"),
        Value::Float32(f) => write!(out, "{f:?}"),
        Value::Float64(f) => write!(out, "{f:?}"),
        Value::String(s) => write!(out, "{s}"),
        Value::Bytes(b) => write!(out, "{}", String::from_utf8_lossy(b)),
        Value::Decimal(d) => write!(out, "{d}"),
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, v);
            }
            out.push(']');
            Ok(())
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, k);
                out.push('=');
                write_value(out, v);
            }
            out.push('}');
            Ok(())
        }
        Value::Struct(s) => {
            out.push_str("Struct{");
            let mut first = true;
            for (field, v) in s.schema().fields().iter().zip(s.values()) {
                if v.is_null() {
                    continue;
                }
                if !first {
                    out.push(',');
                }
                first = false;
                out.push_str(field.name());
                out.push('=');
                write_value(out, v);
            }
            out.push('}');
            Ok(())
        }
    };
}

#[cfg(test)]
mod tests {
    use sluice_api::{Schema, SchemaBuilder, Struct};

    use super::*;

    #[test]
    fn renders_like_java_to_string() {
        assert_eq!(value_text(&Value::String("héllo".into())), "héllo");
        assert_eq!(value_text(&Value::Null), "null");
        assert_eq!(value_text(&Value::Int64(-3)), "-3");
        assert_eq!(value_text(&Value::Float64(1.0)), "1.0");
        assert_eq!(
            value_text(&Value::Array(vec![Value::Int32(1), Value::Int32(2)])),
            "[1, 2]"
        );
        assert_eq!(
            value_text(&Value::Map(vec![(
                Value::String("k".into()),
                Value::Boolean(true)
            )])),
            "{k=true}"
        );
        let schema = SchemaBuilder::struct_()
            .field("id", Schema::int32())
            .field("name", Schema::optional_string())
            .field("tag", Schema::optional_string())
            .build()
            .unwrap();
        let s = Struct::new(schema)
            .unwrap()
            .with("id", 7)
            .unwrap()
            .with("tag", "x")
            .unwrap();
        assert_eq!(value_text(&Value::Struct(s)), "Struct{id=7,tag=x}");
    }
}
