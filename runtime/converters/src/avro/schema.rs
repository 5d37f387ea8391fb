//! Kafka Connect schema → Avro schema, as Confluent's `AvroData.fromConnectSchema` (7.x) does it.
//!
//! The rules (each one visible in the golden schemas of `golden/events/*/avro/`):
//! - primitives map one to one; `int8`/`int16` become `int` with `"connect.type"`;
//! - a struct becomes a record whose name and namespace are the Connect name split at its last dot
//!   (`io.confluent.connect.avro.ConnectDefault`, `ConnectDefault2`, … when unnamed);
//! - an optional schema becomes the union `["null",T]`, or `[T,"null"]` when it has a non-null
//!   default — except an optional *struct*, which is always `["null",record]`, because AvroData
//!   builds that union before metadata is attached;
//! - metadata goes on the non-union schema in this order: `connect.doc`, `connect.version`,
//!   `connect.parameters`, `connect.default`, `connect.name`, `connect.type`, then the logical
//!   type (`logicalType` after `scale`/`precision` for decimals, which come first as the base
//!   schema's own properties), then Connect parameters whose key starts with `avro`;
//! - a record field gets `"default"`: the Connect default if any (floats widened to double, as
//!   Avro's `JacksonUtils` round trip does), else `null` when optional;
//! - a map with non-string (or optional string) keys is an array of `MapEntry {key, value}`
//!   records; an `io.confluent.connect.avro.Union` struct becomes an Avro union;
//! - with `enhanced.avro.schema.support`, a string carrying `io.confluent.connect.avro.Enum`
//!   parameters becomes an Avro enum; a named bytes schema with `connect.fixed.size` a `fixed`.
//!
//! Equal Connect schemas met twice in one conversion map to the same Avro value, so the text writer
//! references the second occurrence by name (Debezium's `after` → `"Value"`), as Java's
//! per-conversion `schemaMap` achieves.

use std::collections::HashMap;
use std::sync::Arc;

use sluice_api::{Schema, Type, logical};

use super::defaults::{default_from_connect, widen_floats};
use super::model::{
    AvroSchema, EnumSchema, FixedSchema, Json, Name, Primitive, Props, Record, RecordField,
};

/// Namespace of AvroData's own types.
pub const NAMESPACE: &str = "io.confluent.connect.avro";
/// Simple name given to unnamed structs (numbered from the second one on).
pub const DEFAULT_SCHEMA_NAME: &str = "ConnectDefault";
/// Full name of the first unnamed struct.
pub const DEFAULT_SCHEMA_FULL_NAME: &str = "io.confluent.connect.avro.ConnectDefault";
/// Record name of the entries of a map with non-string keys.
pub const MAP_ENTRY_TYPE_NAME: &str = "MapEntry";
/// Connect struct name standing for an Avro union.
pub const AVRO_TYPE_UNION: &str = "io.confluent.connect.avro.Union";
/// Connect parameter naming the Avro enum a string came from.
pub const AVRO_TYPE_ENUM: &str = "io.confluent.connect.avro.Enum";
/// Parameter marking a default that came from an Avro field default.
pub const AVRO_FIELD_DEFAULT_FLAG_PROP: &str = "io.confluent.connect.avro.field.default";
/// Parameter holding an Avro record's doc.
pub const AVRO_RECORD_DOC_PROP: &str = "io.confluent.connect.avro.record.doc";
/// Prefix of parameters holding Avro field docs.
pub const AVRO_FIELD_DOC_PREFIX_PROP: &str = "io.confluent.connect.avro.field.doc.";
/// Prefix of parameters holding Avro enum docs.
pub const AVRO_ENUM_DOC_PREFIX_PROP: &str = "io.confluent.connect.avro.enum.doc.";
/// Prefix of parameters holding Avro enum defaults.
pub const AVRO_ENUM_DEFAULT_PREFIX_PROP: &str = "io.confluent.connect.avro.enum.default.";
/// Parameter holding a fixed type's size.
pub const CONNECT_AVRO_FIXED_SIZE_PROP: &str = "connect.fixed.size";
/// Precision used when a Connect decimal has none.
pub const DECIMAL_PRECISION_DEFAULT: i64 = 64;

/// The AvroData options that shape the mapping (Confluent's `AvroDataConfig`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AvroDataConfig {
    /// `connect.meta.data` (default true): write/read the `connect.*` properties.
    pub connect_meta_data: bool,
    /// `enhanced.avro.schema.support` (default false): Avro enums and full union member names.
    pub enhanced_schema_support: bool,
}

impl Default for AvroDataConfig {
    fn default() -> Self {
        AvroDataConfig {
            connect_meta_data: true,
            enhanced_schema_support: false,
        }
    }
}

/// Converts a Connect schema to the Avro schema AvroData derives for it.
pub fn from_connect_schema(schema: &Schema, config: &AvroDataConfig) -> Result<AvroSchema, String> {
    let mut ctx = Context {
        config,
        seen: HashMap::new(),
        unnamed: 0,
    };
    ctx.convert(schema, false)
}

struct Context<'a> {
    config: &'a AvroDataConfig,
    /// Schemas converted so far in this conversion (Java's `schemaMap` and cache).
    seen: HashMap<(Schema, bool), AvroSchema>,
    /// Unnamed structs named so far.
    unnamed: usize,
}

impl Context<'_> {
    fn convert(&mut self, schema: &Schema, ignore_optional: bool) -> Result<AvroSchema, String> {
        let key = (schema.clone(), ignore_optional);
        if let Some(done) = self.seen.get(&key) {
            return Ok(done.clone());
        }
        let converted = self.convert_new(schema, ignore_optional)?;
        self.seen.insert(key, converted.clone());
        Ok(converted)
    }

    fn default_name(&mut self) -> Name {
        self.unnamed += 1;
        let name = if self.unnamed > 1 {
            format!("{DEFAULT_SCHEMA_NAME}{}", self.unnamed)
        } else {
            DEFAULT_SCHEMA_NAME.to_string()
        };
        Name {
            name,
            namespace: Some(NAMESPACE.to_string()),
        }
    }

    fn convert_new(
        &mut self,
        schema: &Schema,
        ignore_optional: bool,
    ) -> Result<AvroSchema, String> {
        let mut connect_type = None;
        let mut base = match schema.ty() {
            Type::Int8 => {
                connect_type = Some("int8");
                AvroSchema::primitive(Primitive::Int)
            }
            Type::Int16 => {
                connect_type = Some("int16");
                AvroSchema::primitive(Primitive::Int)
            }
            Type::Int32 => AvroSchema::primitive(Primitive::Int),
            Type::Int64 => AvroSchema::primitive(Primitive::Long),
            Type::Float32 => AvroSchema::primitive(Primitive::Float),
            Type::Float64 => AvroSchema::primitive(Primitive::Double),
            Type::Boolean => AvroSchema::primitive(Primitive::Boolean),
            Type::String => self.string_base(schema),
            Type::Bytes => bytes_base(schema)?,
            Type::Array => {
                let items = schema
                    .value_schema()
                    .ok_or("array schema without element schema")?;
                AvroSchema::Array(Box::new(self.convert(items, false)?), Vec::new())
            }
            Type::Map => self.map_base(schema)?,
            Type::Struct => {
                if schema.name() == Some(AVRO_TYPE_UNION) {
                    let mut branches = Vec::new();
                    if schema.is_optional() {
                        branches.push(AvroSchema::primitive(Primitive::Null));
                    }
                    for f in schema.fields() {
                        branches.push(self.convert(&non_optional(f.schema())?, true)?);
                    }
                    return Ok(AvroSchema::Union(branches));
                }
                if schema.is_optional() {
                    let inner = self.convert(&non_optional(schema)?, false)?;
                    return Ok(AvroSchema::Union(vec![
                        AvroSchema::primitive(Primitive::Null),
                        inner,
                    ]));
                }
                self.record(schema)?
            }
        };
        self.add_metadata(&mut base, schema, connect_type)?;
        if !ignore_optional && schema.is_optional() {
            let null = AvroSchema::primitive(Primitive::Null);
            return Ok(AvroSchema::Union(if schema.default_value().is_some() {
                vec![base, null]
            } else {
                vec![null, base]
            }));
        }
        Ok(base)
    }

    fn string_base(&self, schema: &Schema) -> AvroSchema {
        let enum_name = schema.parameter(AVRO_TYPE_ENUM);
        let (true, Some(enum_name)) = (self.config.enhanced_schema_support, enum_name) else {
            return AvroSchema::primitive(Primitive::String);
        };
        let simple = Name::from_full(schema.name().unwrap_or(DEFAULT_SCHEMA_FULL_NAME)).name;
        let prefix = format!("{AVRO_TYPE_ENUM}.");
        let symbols = schema
            .parameters()
            .unwrap_or_default()
            .iter()
            .filter(|(k, _)| k.starts_with(&prefix))
            .map(|(_, v)| v.clone())
            .collect();
        AvroSchema::Enum(Arc::new(EnumSchema {
            name: Name::from_full(enum_name),
            doc: schema
                .parameter(&format!("{AVRO_ENUM_DOC_PREFIX_PROP}{simple}"))
                .map(str::to_string),
            symbols,
            default: schema
                .parameter(&format!("{AVRO_ENUM_DEFAULT_PREFIX_PROP}{simple}"))
                .map(str::to_string),
            props: Vec::new(),
            aliases: Vec::new(),
        }))
    }

    fn map_base(&mut self, schema: &Schema) -> Result<AvroSchema, String> {
        let (Some(ks), Some(vs)) = (schema.key_schema(), schema.value_schema()) else {
            return Err("map schema without key or value schema".into());
        };
        if ks.ty() == Type::String && !ks.is_optional() {
            return Ok(AvroSchema::Map(
                Box::new(self.convert(vs, false)?),
                Vec::new(),
            ));
        }
        let (name, props) = match schema.name() {
            None => (
                Name {
                    name: MAP_ENTRY_TYPE_NAME.to_string(),
                    namespace: Some(NAMESPACE.to_string()),
                },
                Vec::new(),
            ),
            Some(n) => (
                Name::from_full(n),
                vec![(
                    "connect.internal.type".to_string(),
                    Json::String(MAP_ENTRY_TYPE_NAME.to_string()),
                )],
            ),
        };
        let fields = vec![self.field("key", ks, None)?, self.field("value", vs, None)?];
        let entry = AvroSchema::Record(Arc::new(Record {
            name,
            doc: None,
            fields,
            props,
            aliases: Vec::new(),
        }));
        Ok(AvroSchema::Array(Box::new(entry), Vec::new()))
    }

    fn record(&mut self, schema: &Schema) -> Result<AvroSchema, String> {
        let name = match schema.name() {
            Some(n) => Name::from_full(n),
            None => self.default_name(),
        };
        let mut fields = Vec::with_capacity(schema.fields().len());
        for f in schema.fields() {
            let doc = schema.parameter(&format!("{AVRO_FIELD_DOC_PREFIX_PROP}{}", f.name()));
            fields.push(self.field(f.name(), f.schema(), doc)?);
        }
        Ok(AvroSchema::Record(Arc::new(Record {
            name,
            doc: schema.parameter(AVRO_RECORD_DOC_PROP).map(str::to_string),
            fields,
            props: Vec::new(),
            aliases: Vec::new(),
        })))
    }

    fn field(
        &mut self,
        name: &str,
        schema: &Schema,
        doc: Option<&str>,
    ) -> Result<RecordField, String> {
        let default = match schema.default_value() {
            Some(v) => Some(widen_floats(default_from_connect(schema, v)?)),
            None if schema.is_optional() => Some(Json::Null),
            None => None,
        };
        Ok(RecordField {
            name: name.to_string(),
            schema: self.convert(schema, false)?,
            doc: doc.map(str::to_string),
            default,
            order: None,
            aliases: Vec::new(),
            props: Vec::new(),
        })
    }

    fn add_metadata(
        &self,
        base: &mut AvroSchema,
        schema: &Schema,
        connect_type: Option<&str>,
    ) -> Result<(), String> {
        let mut props: Props = Vec::new();
        if self.config.connect_meta_data {
            if let Some(doc) = schema.doc() {
                props.push(("connect.doc".into(), Json::String(doc.into())));
            }
            if let Some(v) = schema.version() {
                props.push(("connect.version".into(), Json::Int(v.into())));
            }
            if let Some(params) = schema.parameters() {
                let kept: Vec<(String, Json)> = params
                    .iter()
                    .filter(|(k, _)| k != AVRO_FIELD_DEFAULT_FLAG_PROP)
                    .map(|(k, v)| (k.clone(), Json::String(v.clone())))
                    .collect();
                if !kept.is_empty() {
                    props.push(("connect.parameters".into(), Json::Object(kept)));
                }
            }
            if let Some(d) = schema.default_value()
                && schema.parameter(AVRO_FIELD_DEFAULT_FLAG_PROP).is_none()
            {
                props.push(("connect.default".into(), default_from_connect(schema, d)?));
            }
            if let Some(n) = schema.name() {
                props.push(("connect.name".into(), Json::String(n.into())));
            }
            if let Some(t) = connect_type {
                props.push(("connect.type".into(), Json::String(t.into())));
            }
        }
        let logical_type = match schema.name() {
            Some(logical::DECIMAL_NAME) => Some("decimal"),
            Some(logical::TIME_NAME) => Some("time-millis"),
            Some(logical::TIMESTAMP_NAME) => Some("timestamp-millis"),
            Some(logical::DATE_NAME) => Some("date"),
            _ => None,
        };
        if let Some(lt) = logical_type {
            props.push(("logicalType".into(), Json::String(lt.into())));
        }
        for (k, v) in schema.parameters().unwrap_or_default() {
            if k.starts_with("avro") && !props.iter().any(|(p, _)| p == k) {
                props.push((k.clone(), Json::String(v.clone())));
            }
        }
        match base {
            AvroSchema::Primitive(_, p) | AvroSchema::Array(_, p) | AvroSchema::Map(_, p) => {
                p.extend(props)
            }
            AvroSchema::Record(r) => Arc::make_mut(r).props.extend(props),
            AvroSchema::Enum(e) => Arc::make_mut(e).props.extend(props),
            AvroSchema::Fixed(f) => Arc::make_mut(f).props.extend(props),
            AvroSchema::Union(_) => {}
        }
        Ok(())
    }
}

/// The bytes base schema: `fixed` for a named schema with `connect.fixed.size`, otherwise
/// `bytes`, with `scale` and `precision` first for decimals.
fn bytes_base(schema: &Schema) -> Result<AvroSchema, String> {
    let mut props = Vec::new();
    if schema.name() == Some(logical::DECIMAL_NAME) {
        let scale = int_param(schema, logical::DECIMAL_SCALE_PARAM)?
            .ok_or("a Decimal schema needs the 'scale' parameter")?;
        let precision = int_param(schema, logical::DECIMAL_PRECISION_PARAM)?
            .unwrap_or(DECIMAL_PRECISION_DEFAULT);
        props.push(("scale".to_string(), Json::Int(scale)));
        props.push(("precision".to_string(), Json::Int(precision)));
    }
    if let (Some(name), Some(size)) = (
        schema.name(),
        schema.parameter(CONNECT_AVRO_FIXED_SIZE_PROP),
    ) {
        let size = size.trim().parse::<usize>().map_err(|_| {
            format!("parameter '{CONNECT_AVRO_FIXED_SIZE_PROP}' is '{size}', not a size")
        })?;
        return Ok(AvroSchema::Fixed(Arc::new(FixedSchema {
            name: Name::from_full(name),
            doc: None,
            size,
            props,
            aliases: Vec::new(),
        })));
    }
    Ok(AvroSchema::Primitive(Primitive::Bytes, props))
}

fn int_param(schema: &Schema, key: &str) -> Result<Option<i64>, String> {
    match schema.parameter(key) {
        None => Ok(None),
        Some(text) => text
            .trim()
            .parse::<i32>()
            .map(|v| Some(i64::from(v)))
            .map_err(|_| format!("parameter '{key}' of {schema} is '{text}', not an integer")),
    }
}

/// A required copy of a schema (Java's `AvroData.nonOptional`).
pub(crate) fn non_optional(schema: &Schema) -> Result<Schema, String> {
    if !schema.is_optional() {
        return Ok(schema.clone());
    }
    sluice_api::SchemaBuilder::from_schema(schema)
        .required()
        .build()
        .map_err(|e| e.to_string())
}
