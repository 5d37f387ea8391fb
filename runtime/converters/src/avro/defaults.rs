//! Default values across the mapping: a Connect default as the JSON AvroData writes
//! (`connect.default` and field `"default"`), an Avro default's JSON read back as a Connect value,
//! and an Avro field default written in binary (for a field the Connect schema lacks).
//!
//! Java's quirks kept: bytes travel as ISO-8859-1 text (each byte one char U+0000–U+00FF); a
//! field default goes through Avro's `JacksonUtils` round trip, which widens floats to doubles;
//! a map with string keys is a JSON object, with other keys an array of `[key, value]` pairs.

use sluice_api::{Decimal, Schema, Struct, Type, Value, logical};

use super::encode::{write_bytes, write_long};
use super::model::{AvroSchema, Json, Primitive, RecordField};

/// A Connect default as the JSON AvroData writes for it (Java's `defaultValueFromConnect`).
pub(crate) fn default_from_connect(schema: &Schema, value: &Value) -> Result<Json, String> {
    Ok(match value {
        Value::Null => Json::Null,
        Value::Boolean(b) => Json::Bool(*b),
        Value::Int8(v) => Json::Int((*v).into()),
        Value::Int16(v) => Json::Int((*v).into()),
        Value::Int32(v) | Value::Date(v) | Value::Time(v) => Json::Int((*v).into()),
        Value::Int64(v) | Value::Timestamp(v) => Json::Int(*v),
        Value::Float32(v) => Json::Float(*v),
        Value::Float64(v) => Json::Double(*v),
        Value::String(s) => Json::String(s.to_string()),
        Value::Bytes(b) => Json::String(latin1(b)),
        Value::Decimal(d) => Json::String(latin1(d.unscaled_bytes())),
        Value::Array(items) => {
            let element = schema
                .value_schema()
                .ok_or("array schema without element schema")?;
            Json::Array(
                items
                    .iter()
                    .map(|v| default_from_connect(element, v))
                    .collect::<Result<_, _>>()?,
            )
        }
        Value::Map(entries) => {
            let (Some(ks), Some(vs)) = (schema.key_schema(), schema.value_schema()) else {
                return Err("map schema without key or value schema".into());
            };
            if ks.ty() == Type::String && !ks.is_optional() {
                let mut members = Vec::with_capacity(entries.len());
                for (k, v) in entries {
                    let key = k
                        .as_str()
                        .ok_or("a map default with string keys has a non-string key")?;
                    members.push((key.to_string(), default_from_connect(vs, v)?));
                }
                Json::Object(members)
            } else {
                let mut pairs = Vec::with_capacity(entries.len());
                for (k, v) in entries {
                    pairs.push(Json::Array(vec![
                        default_from_connect(ks, k)?,
                        default_from_connect(vs, v)?,
                    ]));
                }
                Json::Array(pairs)
            }
        }
        Value::Struct(s) => {
            let mut members = Vec::with_capacity(schema.fields().len());
            for f in s.schema().fields() {
                members.push((
                    f.name().to_string(),
                    default_from_connect(f.schema(), s.get_field(f))?,
                ));
            }
            Json::Object(members)
        }
    })
}

/// Java Avro's `JacksonUtils.toObject` → `toJsonNode` round trip of a field default turns every
/// float into a double.
pub(crate) fn widen_floats(json: Json) -> Json {
    match json {
        Json::Float(f) => Json::Double(f64::from(f)),
        Json::Array(items) => Json::Array(items.into_iter().map(widen_floats).collect()),
        Json::Object(members) => Json::Object(
            members
                .into_iter()
                .map(|(k, v)| (k, widen_floats(v)))
                .collect(),
        ),
        other => other,
    }
}

/// Bytes as a string of the chars U+0000–U+00FF (Java's `new String(bytes, ISO_8859_1)`).
pub(crate) fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

pub(crate) fn json_text(v: &Json) -> String {
    let mut out = Vec::new();
    super::text::write_json(&mut out, v);
    String::from_utf8_lossy(&out).into_owned()
}

/// A default's JSON as a Connect value (Java's `defaultValueFromAvro`); `None` for `null`.
pub(crate) fn default_from_avro(
    schema: &Schema,
    avro: &AvroSchema,
    json: &Json,
) -> Result<Option<Value>, String> {
    if matches!(json, Json::Null) {
        return Ok(None);
    }
    let int = || {
        json.as_f64()
            .map(|f| json.as_i64().unwrap_or(f as i64))
            .unwrap_or(0)
    };
    let value = match avro {
        AvroSchema::Primitive(p, _) => match p {
            Primitive::Null => return Ok(None),
            Primitive::Int => match (schema.ty(), schema.name()) {
                (Type::Int8, _) => Value::Int8(int() as i8),
                (Type::Int16, _) => Value::Int16(int() as i16),
                (_, Some(logical::DATE_NAME)) => Value::Date(int() as i32),
                (_, Some(logical::TIME_NAME)) => Value::Time(int() as i32),
                _ => Value::Int32(int() as i32),
            },
            Primitive::Long => match schema.name() {
                Some(logical::TIMESTAMP_NAME) => Value::Timestamp(int()),
                _ => Value::Int64(int()),
            },
            Primitive::Float => Value::Float32(json.as_f64().unwrap_or(0.0) as f32),
            Primitive::Double => Value::Float64(json.as_f64().unwrap_or(0.0)),
            Primitive::Boolean => Value::Boolean(matches!(json, Json::Bool(true))),
            Primitive::String => Value::String(
                json.as_str()
                    .map_or_else(|| json_text(json).into(), Into::into),
            ),
            Primitive::Bytes => bytes_default(schema, json)?,
        },
        AvroSchema::Fixed(_) => bytes_default(schema, json)?,
        AvroSchema::Enum(_) => Value::String(
            json.as_str()
                .map_or_else(|| json_text(json).into(), Into::into),
        ),
        AvroSchema::Array(items, _) => {
            let Json::Array(elems) = json else {
                return Err(format!(
                    "Invalid JSON for array default value: {}",
                    json_text(json)
                ));
            };
            let element = schema
                .value_schema()
                .ok_or("array without element schema")?;
            let mut out = Vec::with_capacity(elems.len());
            for e in elems {
                out.push(default_from_avro(element, items, e)?.unwrap_or(Value::Null));
            }
            Value::Array(out)
        }
        AvroSchema::Map(values, _) => {
            let Json::Object(members) = json else {
                return Err(format!(
                    "Invalid JSON for map default value: {}",
                    json_text(json)
                ));
            };
            let vs = schema.value_schema().ok_or("map without value schema")?;
            let mut out = Vec::with_capacity(members.len());
            for (k, v) in members {
                out.push((
                    Value::String(k.as_str().into()),
                    default_from_avro(vs, values, v)?.unwrap_or(Value::Null),
                ));
            }
            Value::Map(out)
        }
        AvroSchema::Record(r) => {
            let Json::Object(_) = json else {
                return Err(format!(
                    "Invalid JSON for record default value: {}",
                    json_text(json)
                ));
            };
            let mut s = Struct::new(schema.clone()).map_err(|e| e.to_string())?;
            for RecordField {
                name, schema: fa, ..
            } in &r.fields
            {
                let Some(f) = schema.field(name) else {
                    continue;
                };
                let v = match json.get(name) {
                    Some(j) => default_from_avro(f.schema(), fa, j)?.unwrap_or(Value::Null),
                    None => Value::Null,
                };
                s.put_at(f.index(), v).map_err(|e| e.to_string())?;
            }
            Value::Struct(s)
        }
        // A default for a general union is the first branch's value, which a Connect union
        // struct cannot hold as such: Java's result fails its own validation. Dropped here.
        AvroSchema::Union(_) => return Ok(None),
    };
    Ok(Some(value))
}

fn bytes_default(schema: &Schema, json: &Json) -> Result<Value, String> {
    let text = json
        .as_str()
        .ok_or("Invalid binary data in default value")?;
    // Java: `text.getBytes(ISO_8859_1)`, unmappable characters become '?'.
    let bytes: Vec<u8> = text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect();
    if schema.name() == Some(logical::DECIMAL_NAME) {
        let scale = logical::decimal_scale(schema).map_err(|e| e.to_string())?;
        return Decimal::from_unscaled_bytes(&bytes, scale)
            .map(Value::Decimal)
            .map_err(|e| e.to_string());
    }
    Ok(Value::Bytes(bytes))
}

/// Writes an Avro field default (JSON) in binary, for a field the Connect schema lacks.
pub(crate) fn write_default(
    out: &mut Vec<u8>,
    schema: &AvroSchema,
    json: &Json,
) -> Result<(), String> {
    let bad = || {
        format!(
            "the default {json:?} does not fit the Avro type {}",
            schema.type_name()
        )
    };
    match schema {
        AvroSchema::Primitive(p, _) => match (p, json) {
            (Primitive::Null, Json::Null) => {}
            (Primitive::Boolean, Json::Bool(b)) => out.push(u8::from(*b)),
            (Primitive::Int | Primitive::Long, Json::Int(n)) => write_long(out, *n),
            (Primitive::Float, j) => {
                out.extend_from_slice(&(j.as_f64().ok_or_else(bad)? as f32).to_le_bytes())
            }
            (Primitive::Double, j) => {
                out.extend_from_slice(&j.as_f64().ok_or_else(bad)?.to_le_bytes())
            }
            (Primitive::String, Json::String(s)) => write_bytes(out, s.as_bytes()),
            (Primitive::Bytes, Json::String(s)) => {
                let b: Vec<u8> = s
                    .chars()
                    .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                    .collect();
                write_bytes(out, &b);
            }
            _ => return Err(bad()),
        },
        AvroSchema::Union(branches) => {
            let first = branches.first().ok_or_else(bad)?;
            out.push(0);
            write_default(out, first, json)?;
        }
        AvroSchema::Enum(e) => {
            let s = json.as_str().ok_or_else(bad)?;
            let i = e.symbols.iter().position(|x| x == s).ok_or_else(bad)?;
            write_long(out, i as i64);
        }
        AvroSchema::Fixed(f) => {
            let s = json.as_str().ok_or_else(bad)?;
            let b: Vec<u8> = s
                .chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                .collect();
            if b.len() != f.size {
                return Err(bad());
            }
            out.extend_from_slice(&b);
        }
        AvroSchema::Array(items, _) => {
            let Json::Array(elems) = json else {
                return Err(bad());
            };
            if !elems.is_empty() {
                write_long(out, elems.len() as i64);
                for e in elems {
                    write_default(out, items, e)?;
                }
            }
            out.push(0);
        }
        AvroSchema::Map(values, _) => {
            let Json::Object(members) = json else {
                return Err(bad());
            };
            if !members.is_empty() {
                write_long(out, members.len() as i64);
                for (k, v) in members {
                    write_bytes(out, k.as_bytes());
                    write_default(out, values, v)?;
                }
            }
            out.push(0);
        }
        AvroSchema::Record(r) => {
            for f in &r.fields {
                let v = json.get(&f.name).or(f.default.as_ref()).ok_or_else(bad)?;
                write_default(out, &f.schema, v)?;
            }
        }
    }
    Ok(())
}
