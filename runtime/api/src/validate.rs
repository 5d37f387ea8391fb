//! [`validate_value`]: does a value fit a schema? (Java's `ConnectSchema.validateValue`.)
//!
//! The checks are Java's — `null` only for optional schemas, the Java representation expected for
//! the schema type or, for Kafka's logical types, for the logical name; a struct's schema must
//! equal the schema and the struct must be complete; array elements and map entries are checked
//! recursively — plus two Java only finds later, when the value is serialised: a decimal's scale
//! must be the schema's `scale` parameter, and a `Time` must lie within one day.

use crate::error::{Error, Result};
use crate::logical;
use crate::schema::{Schema, Type};
use crate::value::Value;

/// Checks that `value` fits `schema`; `field` names the field in error messages.
pub fn validate_value(field: Option<&str>, schema: &Schema, value: &Value) -> Result<()> {
    let field_name = field.unwrap_or("null");
    if value.is_null() {
        if schema.is_optional() {
            return Ok(());
        }
        return Err(Error::data(format!(
            "Invalid value: null used for required field: \"{field_name}\", schema type: {}",
            schema.ty()
        )));
    }
    let mismatch = || {
        Error::data(format!(
            "Invalid value {} for schema {} of field \"{field_name}\"",
            value.kind(),
            describe(schema)
        ))
    };
    if let Some(name) = schema.name() {
        match name {
            logical::DECIMAL_NAME => {
                let Value::Decimal(d) = value else {
                    return Err(mismatch());
                };
                let scale = logical::decimal_scale(schema)?;
                if d.scale() != scale {
                    return Err(Error::data(format!(
                        "Decimal {d} of field \"{field_name}\" has scale {}, but its schema has scale {scale}",
                        d.scale()
                    )));
                }
                return Ok(());
            }
            logical::DATE_NAME => {
                return if matches!(value, Value::Date(_)) {
                    Ok(())
                } else {
                    Err(mismatch())
                };
            }
            logical::TIME_NAME => {
                let Value::Time(ms) = value else {
                    return Err(mismatch());
                };
                if !(0..logical::MILLIS_PER_DAY).contains(ms) {
                    return Err(Error::data(format!(
                        "Time {ms} ms of field \"{field_name}\" is outside one day (0 to 86399999 ms)"
                    )));
                }
                return Ok(());
            }
            logical::TIMESTAMP_NAME => {
                return if matches!(value, Value::Timestamp(_)) {
                    Ok(())
                } else {
                    Err(mismatch())
                };
            }
            _ => {}
        }
    }
    match (schema.ty(), value) {
        (Type::Int8, Value::Int8(_))
        | (Type::Int16, Value::Int16(_))
        | (Type::Int32, Value::Int32(_))
        | (Type::Int64, Value::Int64(_))
        | (Type::Float32, Value::Float32(_))
        | (Type::Float64, Value::Float64(_))
        | (Type::Boolean, Value::Boolean(_))
        | (Type::String, Value::String(_))
        | (Type::Bytes, Value::Bytes(_)) => Ok(()),
        (Type::Struct, Value::Struct(s)) => {
            if s.schema() != schema {
                return Err(Error::data(format!(
                    "Struct schemas do not match: field \"{field_name}\" expects {}, the struct has {}",
                    describe(schema),
                    describe(s.schema())
                )));
            }
            s.validate()
        }
        (Type::Array, Value::Array(items)) => {
            let element = schema
                .value_schema()
                .ok_or_else(|| Error::data("array schema without element schema"))?;
            items
                .iter()
                .try_for_each(|item| validate_value(field, element, item))
        }
        (Type::Map, Value::Map(entries)) => {
            let (Some(ks), Some(vs)) = (schema.key_schema(), schema.value_schema()) else {
                return Err(Error::data("map schema without key or value schema"));
            };
            entries.iter().try_for_each(|(k, v)| {
                validate_value(field, ks, k)?;
                validate_value(field, vs, v)
            })
        }
        _ => Err(mismatch()),
    }
}

/// `TYPE` or `name (TYPE)`, for messages.
fn describe(schema: &Schema) -> String {
    match schema.name() {
        Some(name) => format!("{name} ({})", schema.ty()),
        None => schema.ty().to_string(),
    }
}
