//! JSON → Connect: schemas (Java's `JsonConverter.asConnectSchema`) and values
//! (`convertToConnect`), from the borrowed tree of [`super::parse`].
//!
//! Java's rules are kept: a schema needs a string `type`; `optional` is true only for the JSON
//! `true`; `name`/`version`/`doc` of the wrong JSON type are ignored; parameters must be strings;
//! a missing or `null` payload field takes the schema default (with `replace.null.with.default`),
//! else `null` if optional, else it is an error; extra payload members are ignored.
//!
//! Where Java silently coerces, Sluice reports instead, naming the JSON path: a string where an
//! integer is expected, an integer out of the schema type's range, a fraction for an integer type
//! (Java would read `0` or truncate). Two deliberate extensions: `"NaN"`, `"Infinity"` and
//! `"-Infinity"` read back as floats (Java writes them but reads `0.0`), and a numeric decimal is
//! rescaled to the schema's scale when that is exact (Java keeps the text's scale and later fails
//! to write it).

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sluice_api::{Decimal, Schema, SchemaBuilder, Struct, Type, Value, logical};

use super::Problem;
use super::parse::Node;

/// Reads a schema; `Ok(None)` for JSON `null`.
pub(crate) fn schema(
    node: &Node<'_>,
    replace_null_with_default: bool,
) -> Result<Option<Schema>, Problem> {
    if *node == Node::Null {
        return Ok(None);
    }
    let Some(Node::String(type_name)) = node.get("type") else {
        return Err(Problem::new("a schema must contain a string 'type' field"));
    };
    let child = |key: &str, what: &str| -> Result<Schema, Problem> {
        let n = node
            .get(key)
            .filter(|n| **n != Node::Null)
            .ok_or_else(|| Problem::new(format!("{what} schema did not specify '{key}'")))?;
        schema(n, replace_null_with_default)?
            .ok_or_else(|| Problem::new(format!("{what} schema has a null '{key}'")))
            .map_err(|e| e.at(key))
    };
    let mut builder = match type_name.as_ref() {
        "boolean" => SchemaBuilder::boolean(),
        "int8" => SchemaBuilder::int8(),
        "int16" => SchemaBuilder::int16(),
        "int32" => SchemaBuilder::int32(),
        "int64" => SchemaBuilder::int64(),
        "float" => SchemaBuilder::float32(),
        "double" => SchemaBuilder::float64(),
        "bytes" => SchemaBuilder::bytes(),
        "string" => SchemaBuilder::string(),
        "array" => SchemaBuilder::array(child("items", "an array")?),
        "map" => SchemaBuilder::map(child("keys", "a map")?, child("values", "a map")?),
        "struct" => {
            let Some(Node::Array(fields)) = node.get("fields") else {
                return Err(Problem::new("a struct schema's 'fields' is not an array"));
            };
            let mut b = SchemaBuilder::struct_();
            for (i, field) in fields.iter().enumerate() {
                let Some(Node::String(name)) = field.get("field") else {
                    return Err(Problem::new("a struct field has no string 'field' name")
                        .at(format!("fields[{i}]")));
                };
                let field_schema = schema(field, replace_null_with_default)
                    .map_err(|e| e.at(name.as_ref()))?
                    .ok_or_else(|| {
                        Problem::new("a struct field schema is null").at(name.as_ref())
                    })?;
                b = b.field(name.as_ref(), field_schema);
            }
            b
        }
        other => return Err(Problem::new(format!("unknown schema type: {other}"))),
    };
    if let Some(Node::Bool(true)) = node.get("optional") {
        builder = builder.optional();
    }
    if let Some(Node::String(name)) = node.get("name") {
        builder = builder.name(name.as_ref());
    }
    if let Some(Node::Number(v)) = node.get("version")
        && is_integral(v)
    {
        let version = v
            .parse::<i32>()
            .map_err(|_| Problem::new(format!("schema version {v} is not a 32-bit integer")))?;
        builder = builder.version(version);
    }
    if let Some(Node::String(doc)) = node.get("doc") {
        builder = builder.doc(doc.as_ref());
    }
    if let Some(Node::Object(params)) = node.get("parameters") {
        // An empty object stays an (empty) parameter map, so it is written back as read (Java
        // would drop it).
        builder = builder.parameters(std::iter::empty::<(String, String)>());
        for (k, v) in params {
            let Node::String(v) = v else {
                return Err(
                    Problem::new("schema parameters must have string values").at(k.as_ref())
                );
            };
            builder = builder.parameter(k.as_ref(), v.as_ref());
        }
    }
    let built = builder.build().map_err(|e| Problem::new(e.to_string()))?;
    match node.get("default") {
        None => Ok(Some(built)),
        Some(default_node) => {
            let default = value(Some(&built), Some(default_node), replace_null_with_default)
                .map_err(|e| e.at("(default)"))?;
            if default.is_null() {
                return Ok(Some(built));
            }
            SchemaBuilder::from_schema(&built)
                .default_value(default)
                .build()
                .map(Some)
                .map_err(|e| Problem::new(e.to_string()))
        }
    }
}

/// Whether a JSON number's text is an integer literal (no fraction, no exponent).
fn is_integral(text: &str) -> bool {
    !text.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'))
}

fn integer(node: &Node<'_>, ty: Type) -> Result<i64, Problem> {
    match node {
        Node::Number(text) if is_integral(text) => text
            .parse::<i64>()
            .map_err(|_| Problem::new(format!("{text} is out of range for {ty}"))),
        Node::Number(text) => Err(Problem::new(format!(
            "{text} is not an integer, as {ty} requires"
        ))),
        other => Err(Problem::new(format!(
            "expected an integer for {ty}, found {}",
            other.type_name()
        ))),
    }
}

fn narrow<T: TryFrom<i64>>(v: i64, ty: Type) -> Result<T, Problem> {
    T::try_from(v).map_err(|_| Problem::new(format!("{v} is out of range for {ty}")))
}

/// The float named by a JSON string Jackson writes for non-finite numbers.
fn non_finite(text: &str) -> Option<f64> {
    match text {
        "NaN" => Some(f64::NAN),
        "Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

fn float_text<'n>(node: &'n Node<'_>, ty: Type) -> Result<Result<&'n str, f64>, Problem> {
    match node {
        Node::Number(text) => Ok(Ok(text)),
        Node::String(s) => non_finite(s).map(Err).ok_or_else(|| {
            Problem::new(format!(
                "expected a number for {ty}, found the string \"{s}\""
            ))
        }),
        other => Err(Problem::new(format!(
            "expected a number for {ty}, found {}",
            other.type_name()
        ))),
    }
}

fn base64(text: &str) -> Result<Vec<u8>, Problem> {
    STANDARD
        .decode(text)
        .map_err(|e| Problem::new(format!("invalid base64 for bytes: {e}")))
}

fn expected(what: &str, node: &Node<'_>) -> Problem {
    Problem::new(format!("expected {what}, found {}", node.type_name()))
}

/// Reads a value; `node` is `None` for a missing struct member.
pub(crate) fn value(
    schema: Option<&Schema>,
    node: Option<&Node<'_>>,
    replace_null_with_default: bool,
) -> Result<Value, Problem> {
    let Some(schema) = schema else {
        return node.map_or(Ok(Value::Null), schemaless);
    };
    let node = match node {
        None | Some(Node::Null) => {
            if replace_null_with_default && let Some(default) = schema.default_value() {
                return Ok(default.clone());
            }
            if schema.is_optional() {
                return Ok(Value::Null);
            }
            return Err(Problem::new(format!(
                "invalid null value for required {} field",
                schema.ty()
            )));
        }
        Some(n) => n,
    };
    if let Some(name) = schema.name()
        && let Some(v) = logical_value(schema, name, node)?
    {
        return Ok(v);
    }
    let ty = schema.ty();
    Ok(match ty {
        Type::Boolean => match node {
            Node::Bool(b) => Value::Boolean(*b),
            other => return Err(expected("a boolean", other)),
        },
        Type::Int8 => Value::Int8(narrow(integer(node, ty)?, ty)?),
        Type::Int16 => Value::Int16(narrow(integer(node, ty)?, ty)?),
        Type::Int32 => Value::Int32(narrow(integer(node, ty)?, ty)?),
        Type::Int64 => Value::Int64(integer(node, ty)?),
        Type::Float32 => Value::Float32(match float_text(node, ty)? {
            Ok(text) => text
                .parse::<f32>()
                .map_err(|_| Problem::new(format!("{text} is not a float")))?,
            Err(special) => special as f32,
        }),
        Type::Float64 => Value::Float64(match float_text(node, ty)? {
            Ok(text) => text
                .parse::<f64>()
                .map_err(|_| Problem::new(format!("{text} is not a double")))?,
            Err(special) => special,
        }),
        Type::String => match node {
            Node::String(s) => Value::String(s.as_ref().into()),
            other => return Err(expected("a string", other)),
        },
        Type::Bytes => match node {
            Node::String(s) => Value::Bytes(base64(s)?),
            other => return Err(expected("a base64 string for bytes", other)),
        },
        Type::Array => {
            let Node::Array(items) = node else {
                return Err(expected("an array", node));
            };
            let element = schema.value_schema();
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                out.push(
                    value(element, Some(item), replace_null_with_default)
                        .map_err(|e| e.at(format!("[{i}]")))?,
                );
            }
            Value::Array(out)
        }
        Type::Map => map(schema, node, replace_null_with_default)?,
        Type::Struct => {
            let Node::Object(members) = node else {
                return Err(expected("an object for a struct", node));
            };
            let mut st = Struct::new(schema.clone()).map_err(|e| Problem::new(e.to_string()))?;
            for (i, field) in schema.fields().iter().enumerate() {
                let member = member(members, i, field.name());
                let v = value(Some(field.schema()), member, replace_null_with_default)
                    .map_err(|e| e.at(field.name()))?;
                if !v.is_null() {
                    st.put_at(i, v)
                        .map_err(|e| Problem::new(e.to_string()).at(field.name()))?;
                }
            }
            Value::Struct(st)
        }
    })
}

/// The member for field `index`: members usually come in field order, so look there first.
fn member<'m, 'a>(
    members: &'m [(Cow<'a, str>, Node<'a>)],
    index: usize,
    name: &str,
) -> Option<&'m Node<'a>> {
    if let Some((k, v)) = members.get(index)
        && k == name
    {
        return Some(v);
    }
    members
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn map(schema: &Schema, node: &Node<'_>, replace: bool) -> Result<Value, Problem> {
    let (Some(ks), Some(vs)) = (schema.key_schema(), schema.value_schema()) else {
        return Err(Problem::new("a map schema has no key or value schema"));
    };
    let mut out = Vec::new();
    if ks.ty() == Type::String {
        let Node::Object(members) = node else {
            return Err(expected("an object for a map with string keys", node));
        };
        for (k, v) in members {
            let key = value(Some(ks), Some(&Node::String(k.clone())), replace)
                .map_err(|e| e.at(k.as_ref()))?;
            out.push((
                key,
                value(Some(vs), Some(v), replace).map_err(|e| e.at(k.as_ref()))?,
            ));
        }
    } else {
        let Node::Array(entries) = node else {
            return Err(expected("an array of [key, value] pairs for a map", node));
        };
        for (i, entry) in entries.iter().enumerate() {
            let Node::Array(pair) = entry else {
                return Err(expected("a [key, value] pair", entry).at(format!("[{i}]")));
            };
            let [k, v] = pair.as_slice() else {
                return Err(Problem::new(format!(
                    "a map entry must have 2 elements, found {}",
                    pair.len()
                ))
                .at(format!("[{i}]")));
            };
            out.push((
                value(Some(ks), Some(k), replace).map_err(|e| e.at(format!("[{i}].key")))?,
                value(Some(vs), Some(v), replace).map_err(|e| e.at(format!("[{i}].value")))?,
            ));
        }
    }
    Ok(Value::Map(out))
}

/// Kafka's logical types; `Ok(None)` when `name` is not one of them.
fn logical_value(schema: &Schema, name: &str, node: &Node<'_>) -> Result<Option<Value>, Problem> {
    Ok(Some(match name {
        logical::DECIMAL_NAME => {
            let scale = logical::decimal_scale(schema).map_err(|e| Problem::new(e.to_string()))?;
            let d = match node {
                Node::Number(text) => {
                    let parsed: Decimal = text
                        .parse()
                        .map_err(|e: sluice_api::Error| Problem::new(e.to_string()))?;
                    parsed.with_scale(scale).ok_or_else(|| {
                        Problem::new(format!(
                            "decimal {text} cannot be represented with the schema's scale {scale}"
                        ))
                    })?
                }
                Node::String(s) => Decimal::from_unscaled_bytes(&base64(s)?, scale)
                    .map_err(|e| Problem::new(format!("invalid bytes for a Decimal: {e}")))?,
                other => return Err(expected("a number or base64 string for a Decimal", other)),
            };
            Value::Decimal(d)
        }
        logical::DATE_NAME => Value::Date(narrow(integer(node, Type::Int32)?, Type::Int32)?),
        logical::TIME_NAME => {
            let ms: i32 = narrow(integer(node, Type::Int32)?, Type::Int32)?;
            if !(0..logical::MILLIS_PER_DAY).contains(&ms) {
                return Err(Problem::new(format!("Time {ms} ms is outside one day")));
            }
            Value::Time(ms)
        }
        logical::TIMESTAMP_NAME => Value::Timestamp(integer(node, Type::Int64)?),
        _ => return Ok(None),
    }))
}

/// A value without a schema: integers are int64, other numbers float64, objects string-keyed maps.
fn schemaless(node: &Node<'_>) -> Result<Value, Problem> {
    Ok(match node {
        Node::Null => Value::Null,
        Node::Bool(b) => Value::Boolean(*b),
        Node::Number(text) if is_integral(text) => Value::Int64(
            text.parse()
                .map_err(|_| Problem::new(format!("{text} is out of range for INT64")))?,
        ),
        Node::Number(text) => Value::Float64(
            text.parse()
                .map_err(|_| Problem::new(format!("{text} is not a double")))?,
        ),
        Node::String(s) => Value::String(s.as_ref().into()),
        Node::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, n)| schemaless(n).map_err(|e| e.at(format!("[{i}]"))))
                .collect::<Result<_, _>>()?,
        ),
        Node::Object(members) => Value::Map(
            members
                .iter()
                .map(|(k, n)| {
                    Ok((
                        Value::String(k.as_ref().into()),
                        schemaless(n).map_err(|e| e.at(k.as_ref()))?,
                    ))
                })
                .collect::<Result<_, Problem>>()?,
        ),
    })
}
