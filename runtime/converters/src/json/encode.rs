//! Connect → JSON bytes: values (Java's `JsonConverter.convertToJson`) and schemas
//! (`asJsonSchema`), written directly into the output buffer.
//!
//! Schema objects use Java's key order — `type`, then `items` | `keys`,`values` | `fields`, then
//! `optional`, `name`, `version`, `doc`, `parameters`, `default`, and for a struct field `field`
//! last (Jackson's `ObjectNode` keeps insertion order, and `asJsonSchema` inserts in this order;
//! the golden records confirm it). Null handling follows Java: a `null` with a schema default is
//! written as the default when `replace.null.with.default` is on, as `null` when the schema is
//! optional, and is an error otherwise.
//!
//! Extension over Java: a struct written without a schema uses the struct's own schema (Java fails
//! with "Mismatching schema.").

use sluice_api::{Schema, Type, Value, logical};

use super::Problem;
use super::config::{DecimalFormat, JsonConverterConfig};
use super::write::{write_base64, write_f32, write_f64, write_i64, write_str};

/// The JSON name of a Connect type (`float32` is `float`, `float64` is `double`).
pub(crate) fn json_type_name(ty: Type) -> &'static str {
    match ty {
        Type::Float32 => "float",
        Type::Float64 => "double",
        other => other.name(),
    }
}

/// Writes values and schemas with one configuration.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Encoder<'c> {
    pub(crate) config: &'c JsonConverterConfig,
}

impl Encoder<'_> {
    /// Writes `value` (with its schema, if any) as JSON.
    pub(crate) fn value(
        &self,
        out: &mut Vec<u8>,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<(), Problem> {
        if value.is_null() {
            let Some(schema) = schema else {
                out.extend_from_slice(b"null");
                return Ok(());
            };
            if self.config.replace_null_with_default
                && let Some(default) = schema.default_value()
                && !default.is_null()
            {
                return self.value(out, Some(schema), default);
            }
            if schema.is_optional() {
                out.extend_from_slice(b"null");
                return Ok(());
            }
            return Err(Problem::new(
                "null value for a field that is required and has no default value",
            ));
        }
        if let Some(s) = schema
            && let Some(name) = s.name()
            && self.logical(out, s, name, value)?
        {
            return Ok(());
        }
        let ty = match schema {
            Some(s) => s.ty(),
            None => inferred_type(value)?,
        };
        let mismatch = || {
            Problem::new(format!(
                "invalid value {} for a schema of type {ty}",
                value.kind()
            ))
        };
        match (ty, value) {
            (Type::Boolean, Value::Boolean(b)) => {
                out.extend_from_slice(if *b { b"true" } else { b"false" });
            }
            (Type::Int8, Value::Int8(v)) => write_i64(out, i64::from(*v)),
            (Type::Int16, Value::Int16(v)) => write_i64(out, i64::from(*v)),
            (Type::Int32, Value::Int32(v)) => write_i64(out, i64::from(*v)),
            (Type::Int64, Value::Int64(v)) => write_i64(out, *v),
            (Type::Float32, Value::Float32(v)) => write_f32(out, *v),
            (Type::Float64, Value::Float64(v)) => write_f64(out, *v),
            (Type::String, Value::String(s)) => write_str(out, s),
            (Type::Bytes, Value::Bytes(b)) => write_base64(out, b),
            (Type::Array, Value::Array(items)) => {
                let element = schema.and_then(Schema::value_schema);
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    self.value(out, element, item)
                        .map_err(|e| e.at(format!("[{i}]")))?;
                }
                out.push(b']');
            }
            (Type::Map, Value::Map(entries)) => self.map(out, schema, entries)?,
            (Type::Struct, Value::Struct(st)) => {
                let schema = match schema {
                    Some(s) if s != st.schema() => {
                        return Err(Problem::new(format!(
                            "mismatching schema: the struct has {}, the record schema is {s}",
                            st.schema()
                        )));
                    }
                    Some(s) => s,
                    None => st.schema(),
                };
                out.push(b'{');
                for (i, (field, v)) in schema.fields().iter().zip(st.values()).enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write_str(out, field.name());
                    out.push(b':');
                    self.value(out, Some(field.schema()), v)
                        .map_err(|e| e.at(field.name()))?;
                }
                out.push(b'}');
            }
            _ => return Err(mismatch()),
        }
        Ok(())
    }

    /// Writes a Kafka logical value; `Ok(false)` if `name` is not a logical type.
    fn logical(
        &self,
        out: &mut Vec<u8>,
        schema: &Schema,
        name: &str,
        value: &Value,
    ) -> Result<bool, Problem> {
        let wrong = |expected: &str| {
            Problem::new(format!(
                "invalid value {} for logical type {name}; expected {expected}",
                value.kind()
            ))
        };
        match name {
            logical::DECIMAL_NAME => {
                let Value::Decimal(d) = value else {
                    return Err(wrong("a Decimal"));
                };
                match self.config.decimal_format {
                    DecimalFormat::Numeric => out.extend_from_slice(d.to_string().as_bytes()),
                    DecimalFormat::Base64 => {
                        let scale = logical::decimal_scale(schema)
                            .map_err(|e| Problem::new(e.to_string()))?;
                        if d.scale() != scale {
                            return Err(Problem::new(format!(
                                "decimal {d} has scale {}, but its schema has scale {scale}",
                                d.scale()
                            )));
                        }
                        write_base64(out, d.unscaled_bytes());
                    }
                }
            }
            logical::DATE_NAME => match value {
                Value::Date(days) => write_i64(out, i64::from(*days)),
                _ => return Err(wrong("a Date")),
            },
            logical::TIME_NAME => match value {
                Value::Time(ms) => write_i64(out, i64::from(*ms)),
                _ => return Err(wrong("a Time")),
            },
            logical::TIMESTAMP_NAME => match value {
                Value::Timestamp(ms) => write_i64(out, *ms),
                _ => return Err(wrong("a Timestamp")),
            },
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Maps with string keys are JSON objects; other maps are arrays of `[key, value]` pairs.
    fn map(
        &self,
        out: &mut Vec<u8>,
        schema: Option<&Schema>,
        entries: &[(Value, Value)],
    ) -> Result<(), Problem> {
        let key_schema = schema.and_then(Schema::key_schema);
        let value_schema = schema.and_then(Schema::value_schema);
        let object_mode = match key_schema {
            Some(ks) => ks.ty() == Type::String,
            None => entries.iter().all(|(k, _)| matches!(k, Value::String(_))),
        };
        if object_mode {
            out.push(b'{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                let key = match k {
                    Value::String(s) => s.as_str(),
                    Value::Null => {
                        return Err(Problem::new("a map with string keys has a null key"));
                    }
                    other => {
                        return Err(Problem::new(format!(
                            "invalid map key {} for a map with string keys",
                            other.kind()
                        )));
                    }
                };
                write_str(out, key);
                out.push(b':');
                self.value(out, value_schema, v).map_err(|e| e.at(key))?;
            }
            out.push(b'}');
        } else {
            out.push(b'[');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.push(b'[');
                self.value(out, key_schema, k)
                    .map_err(|e| e.at(format!("[{i}].key")))?;
                out.push(b',');
                self.value(out, value_schema, v)
                    .map_err(|e| e.at(format!("[{i}].value")))?;
                out.extend_from_slice(b"]");
            }
            out.push(b']');
        }
        Ok(())
    }

    /// Writes a schema as JSON; `field` adds the trailing `"field"` member of a struct field.
    pub(crate) fn schema(
        &self,
        out: &mut Vec<u8>,
        schema: &Schema,
        field: Option<&str>,
    ) -> Result<(), Problem> {
        out.extend_from_slice(b"{\"type\":\"");
        out.extend_from_slice(json_type_name(schema.ty()).as_bytes());
        out.push(b'"');
        match schema.ty() {
            Type::Array => {
                out.extend_from_slice(b",\"items\":");
                let items = schema
                    .value_schema()
                    .ok_or_else(|| Problem::new("an array schema has no element schema"))?;
                self.schema(out, items, None)?;
            }
            Type::Map => {
                let (Some(ks), Some(vs)) = (schema.key_schema(), schema.value_schema()) else {
                    return Err(Problem::new("a map schema has no key or value schema"));
                };
                out.extend_from_slice(b",\"keys\":");
                self.schema(out, ks, None)?;
                out.extend_from_slice(b",\"values\":");
                self.schema(out, vs, None)?;
            }
            Type::Struct => {
                out.extend_from_slice(b",\"fields\":[");
                for (i, f) in schema.fields().iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    self.schema(out, f.schema(), Some(f.name()))
                        .map_err(|e| e.at(f.name()))?;
                }
                out.push(b']');
            }
            _ => {}
        }
        out.extend_from_slice(if schema.is_optional() {
            b",\"optional\":true"
        } else {
            b",\"optional\":false"
        });
        if let Some(name) = schema.name() {
            out.extend_from_slice(b",\"name\":");
            write_str(out, name);
        }
        if let Some(version) = schema.version() {
            out.extend_from_slice(b",\"version\":");
            write_i64(out, i64::from(version));
        }
        if let Some(doc) = schema.doc() {
            out.extend_from_slice(b",\"doc\":");
            write_str(out, doc);
        }
        if let Some(params) = schema.parameters() {
            out.extend_from_slice(b",\"parameters\":{");
            for (i, (k, v)) in params.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(out, k);
                out.push(b':');
                write_str(out, v);
            }
            out.push(b'}');
        }
        if let Some(default) = schema.default_value()
            && !default.is_null()
        {
            out.extend_from_slice(b",\"default\":");
            self.value(out, Some(schema), default)
                .map_err(|e| e.at("(default)"))?;
        }
        if let Some(field) = field {
            out.extend_from_slice(b",\"field\":");
            write_str(out, field);
        }
        out.push(b'}');
        Ok(())
    }
}

/// The schema type of a schemaless value (Java's `ConnectSchema.schemaType(value.getClass())`).
fn inferred_type(value: &Value) -> Result<Type, Problem> {
    Ok(match value {
        Value::Boolean(_) => Type::Boolean,
        Value::Int8(_) => Type::Int8,
        Value::Int16(_) => Type::Int16,
        Value::Int32(_) => Type::Int32,
        Value::Int64(_) => Type::Int64,
        Value::Float32(_) => Type::Float32,
        Value::Float64(_) => Type::Float64,
        Value::String(_) => Type::String,
        Value::Bytes(_) => Type::Bytes,
        Value::Array(_) => Type::Array,
        Value::Map(_) => Type::Map,
        Value::Struct(_) => Type::Struct,
        Value::Null => return Err(Problem::new("null has no schema type")),
        Value::Decimal(_) | Value::Date(_) | Value::Time(_) | Value::Timestamp(_) => {
            return Err(Problem::new(format!(
                "a {} value needs its logical schema; it cannot be written without a schema",
                value.kind()
            )));
        }
    })
}
