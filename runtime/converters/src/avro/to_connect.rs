//! Avro schema → Kafka Connect schema, as Confluent's `AvroData.toConnectSchema` (7.x) does it.
//!
//! The inverse of [`super::schema`]: `connect.type` restores `int8`/`int16`, logical types restore
//! Kafka's `Decimal`/`Date`/`Time`/`Timestamp` (a decimal's precision becomes the
//! `connect.decimal.precision` parameter unless it is the default 64), `connect.name`,
//! `connect.version`, `connect.doc` and `connect.parameters` are read back, a union of `null` and
//! one type becomes that type made optional, any other union the `io.confluent.connect.avro.Union`
//! struct (one optional field per branch), an array of `MapEntry` records a map, an enum a string
//! with the enum's symbols as parameters.
//!
//! Defaults: a record field's Avro default wins over the type's `connect.default`; when a field
//! default exists without `connect.default` the schema gets the parameter
//! `io.confluent.connect.avro.field.default=true` (so writing it back does not add a
//! `connect.default`). Fields whose type is a union take their default from `connect.default`
//! only, as in Java. The top-level schema takes the registry version when it has no
//! `connect.version`.

use sluice_api::{Schema, SchemaBuilder, Type, logical};

use super::defaults::{default_from_avro, json_text};
use super::model::{AvroSchema, Json, Primitive};
use super::schema::{
    AVRO_ENUM_DEFAULT_PREFIX_PROP, AVRO_ENUM_DOC_PREFIX_PROP, AVRO_FIELD_DEFAULT_FLAG_PROP,
    AVRO_FIELD_DOC_PREFIX_PROP, AVRO_RECORD_DOC_PROP, AVRO_TYPE_ENUM, AVRO_TYPE_UNION,
    AvroDataConfig, CONNECT_AVRO_FIXED_SIZE_PROP, DECIMAL_PRECISION_DEFAULT,
    DEFAULT_SCHEMA_FULL_NAME, MAP_ENTRY_TYPE_NAME, NAMESPACE,
};

/// Converts an Avro schema to the Connect schema AvroData derives; `version` (the registry
/// version) applies to the top level when it carries no `connect.version`.
pub fn to_connect_schema(
    schema: &AvroSchema,
    version: Option<i32>,
    config: &AvroDataConfig,
) -> Result<Schema, String> {
    Converter { config }.convert(schema, false, None, version)
}

/// Whether an array's element record is AvroData's encoding of a map entry.
pub(crate) fn is_map_entry(items: &AvroSchema) -> bool {
    let AvroSchema::Record(r) = items else {
        return false;
    };
    (r.name.namespace.as_deref() == Some(NAMESPACE) && r.name.name == MAP_ENTRY_TYPE_NAME)
        || items.prop("connect.internal.type").and_then(Json::as_str) == Some(MAP_ENTRY_TYPE_NAME)
}

/// The Connect field name of a union branch (Java's `unionMemberFieldName`).
pub(crate) fn union_member_name(branch: &AvroSchema, enhanced: bool) -> String {
    match branch {
        AvroSchema::Record(_) | AvroSchema::Enum(_) | AvroSchema::Fixed(_) => {
            let full = branch.full_name().unwrap_or_default();
            if enhanced {
                full
            } else {
                full.rsplit('.').next().unwrap_or_default().to_string()
            }
        }
        other => other.type_name().to_string(),
    }
}

struct Converter<'a> {
    config: &'a AvroDataConfig,
}

/// A schema being built, with the name and version kept aside so a logical type's own name and
/// version can be checked against the properties (Java reads them back from its builder).
struct Draft {
    builder: SchemaBuilder,
    name: Option<String>,
    version: Option<i32>,
}

impl Draft {
    fn new(builder: SchemaBuilder) -> Self {
        Draft {
            builder,
            name: None,
            version: None,
        }
    }

    /// A logical type's builder: its own name and version 1 (Kafka's `Decimal.builder`, …).
    fn logical(ty: Type, name: &str) -> Self {
        let builder = match ty {
            Type::Bytes => SchemaBuilder::bytes(),
            Type::Int64 => SchemaBuilder::int64(),
            _ => SchemaBuilder::int32(),
        };
        Draft {
            builder,
            name: Some(name.to_string()),
            version: Some(1),
        }
    }
}

fn number_prop(schema: &AvroSchema, key: &str) -> Result<Option<i64>, String> {
    match schema.prop(key) {
        None => Ok(None),
        Some(Json::Int(v)) => Ok(Some(*v)),
        Some(Json::Double(v)) => Ok(Some(*v as i64)),
        Some(Json::Float(v)) => Ok(Some(*v as i64)),
        Some(other) => Err(format!(
            "the '{key}' property must be a number, not {other:?}"
        )),
    }
}

impl Converter<'_> {
    fn convert(
        &self,
        schema: &AvroSchema,
        force_optional: bool,
        field_default: Option<&Json>,
        version: Option<i32>,
    ) -> Result<Schema, String> {
        let connect_type = schema.prop("connect.type").and_then(Json::as_str);
        let logical_type = schema.prop("logicalType").and_then(Json::as_str);
        let meta = self.config.connect_meta_data;
        let mut draft = match schema {
            AvroSchema::Primitive(p, _) => match p {
                Primitive::Null => {
                    return Err(
                        "Standalone null schemas are not supported by this converter".into(),
                    );
                }
                Primitive::Boolean => Draft::new(SchemaBuilder::boolean()),
                Primitive::Bytes => self.bytes(schema, logical_type)?,
                Primitive::Double => Draft::new(SchemaBuilder::float64()),
                Primitive::Float => Draft::new(SchemaBuilder::float32()),
                Primitive::Int => match (connect_type, logical_type) {
                    (None, None) => Draft::new(SchemaBuilder::int32()),
                    (_, Some(lt)) if lt.eq_ignore_ascii_case("date") => {
                        Draft::logical(Type::Int32, logical::DATE_NAME)
                    }
                    (_, Some(lt)) if lt.eq_ignore_ascii_case("time-millis") => {
                        Draft::logical(Type::Int32, logical::TIME_NAME)
                    }
                    (_, Some(_)) => Draft::new(SchemaBuilder::int32()),
                    (Some("int8"), None) => Draft::new(SchemaBuilder::int8()),
                    (Some("int16"), None) => Draft::new(SchemaBuilder::int16()),
                    (Some(other), None) => {
                        return Err(format!(
                            "unknown Connect type annotation '{other}' on an Avro int"
                        ));
                    }
                },
                Primitive::Long => match logical_type {
                    Some(lt) if lt.eq_ignore_ascii_case("timestamp-millis") => {
                        Draft::logical(Type::Int64, logical::TIMESTAMP_NAME)
                    }
                    _ => Draft::new(SchemaBuilder::int64()),
                },
                Primitive::String => Draft::new(SchemaBuilder::string()),
            },
            AvroSchema::Fixed(f) => {
                let mut d = self.bytes(schema, logical_type)?;
                d.builder = d
                    .builder
                    .parameter(CONNECT_AVRO_FIXED_SIZE_PROP, f.size.to_string());
                d
            }
            AvroSchema::Array(items, _) => {
                if is_map_entry(items) {
                    let AvroSchema::Record(entry) = items.as_ref() else {
                        return Err("map entry is not a record".into());
                    };
                    let find = |n: &str| entry.fields.iter().find(|f| f.name == n);
                    let (2, Some(k), Some(v)) = (entry.fields.len(), find("key"), find("value"))
                    else {
                        return Err("Found map encoded as array of key-value pairs, but array elements do not match the expected format.".into());
                    };
                    let ks = self.convert(&k.schema, false, None, None)?;
                    let vs = self.convert(&v.schema, false, None, None)?;
                    Draft::new(SchemaBuilder::map(ks, vs))
                } else {
                    Draft::new(SchemaBuilder::array(
                        self.convert(items, false, None, None)?,
                    ))
                }
            }
            AvroSchema::Map(values, _) => Draft::new(SchemaBuilder::map(
                Schema::string(),
                self.convert(values, false, None, None)?,
            )),
            AvroSchema::Record(r) => {
                let mut b = SchemaBuilder::struct_();
                if meta && let Some(doc) = &r.doc {
                    b = b.parameter(AVRO_RECORD_DOC_PROP, doc.clone());
                }
                for f in &r.fields {
                    if meta && let Some(doc) = &f.doc {
                        b = b.parameter(
                            format!("{AVRO_FIELD_DOC_PREFIX_PROP}{}", f.name),
                            doc.clone(),
                        );
                    }
                    let fs = self
                        .convert(&f.schema, false, f.default.as_ref(), None)
                        .map_err(|e| format!("field {}: {e}", f.name))?;
                    b = b.field(f.name.clone(), fs);
                }
                Draft::new(b)
            }
            AvroSchema::Enum(e) => {
                let mut b = SchemaBuilder::string();
                if meta {
                    if let Some(doc) = &e.doc {
                        b = b.parameter(
                            format!("{AVRO_ENUM_DOC_PREFIX_PROP}{}", e.name.name),
                            doc.clone(),
                        );
                    }
                    if let Some(d) = &e.default {
                        b = b.parameter(
                            format!("{AVRO_ENUM_DEFAULT_PREFIX_PROP}{}", e.name.name),
                            d.clone(),
                        );
                    }
                }
                b = b.parameter(AVRO_TYPE_ENUM, e.name.full());
                for s in &e.symbols {
                    b = b.parameter(format!("{AVRO_TYPE_ENUM}.{s}"), s.clone());
                }
                Draft::new(b)
            }
            AvroSchema::Union(branches) => {
                let plain_null = |b: &AvroSchema| matches!(b, AvroSchema::Primitive(Primitive::Null, p) if p.is_empty());
                if branches.len() == 2
                    && branches.iter().any(plain_null)
                    && let Some(other) = branches.iter().find(|b| !plain_null(b))
                {
                    return self.convert(other, true, None, None);
                }
                let mut b = SchemaBuilder::struct_().name(AVRO_TYPE_UNION);
                let mut names = Vec::new();
                for branch in branches {
                    if branch.is_null() {
                        b = b.optional();
                        continue;
                    }
                    let name = union_member_name(branch, self.config.enhanced_schema_support);
                    if names.contains(&name) {
                        return Err(
                            "Multiple union schemas map to the Connect union field name".into()
                        );
                    }
                    names.push(name.clone());
                    b = b.field(name, self.convert(branch, true, None, None)?);
                }
                let built = b.build().map_err(|e| e.to_string())?;
                return Ok(built);
            }
        };

        if meta && let Some(doc) = schema.prop("connect.doc").and_then(Json::as_str) {
            draft.builder = draft.builder.doc(doc);
        }
        let version = match schema.prop("connect.version") {
            Some(Json::Int(v)) => Some(*v as i32),
            Some(other) => return Err(format!("Invalid Connect version found: {other:?}")),
            None => version,
        };
        if let Some(v) = version.filter(|v| *v >= 0) {
            match draft.version {
                Some(existing) if existing != v => {
                    return Err(format!(
                        "Mismatched versions: version already added to SchemaBuilder ({existing}) differs from version in source schema ({v})"
                    ));
                }
                _ => draft.version = Some(v),
            }
        }
        if meta && let Some(params) = schema.prop("connect.parameters") {
            let Json::Object(members) = params else {
                return Err(format!(
                    "Expected JSON object for schema parameters but found: {params:?}"
                ));
            };
            for (k, v) in members {
                let Json::String(v) = v else {
                    return Err(format!(
                        "Expected schema parameter values to be strings but found: {v:?}"
                    ));
                };
                draft.builder = draft.builder.parameter(k.clone(), v.clone());
            }
        }
        for (k, v) in schema.props() {
            if k.starts_with("avro") {
                let text = match v {
                    Json::String(s) => s.clone(),
                    other => json_text(other),
                };
                draft.builder = draft.builder.parameter(k.clone(), text);
            }
        }
        let connect_default = schema.prop("connect.default");
        let default = match field_default {
            None => connect_default,
            Some(d) => {
                if meta && connect_default.is_none() {
                    draft.builder = draft
                        .builder
                        .parameter(AVRO_FIELD_DEFAULT_FLAG_PROP, "true");
                }
                Some(d)
            }
        };
        let name = match schema.prop("connect.name") {
            Some(Json::String(n)) => Some(n.clone()),
            Some(other) => return Err(format!("Invalid schema name: {other:?}")),
            None => schema.full_name(),
        };
        if let Some(n) = name.filter(|n| !n.starts_with(DEFAULT_SCHEMA_FULL_NAME)) {
            match &draft.name {
                Some(existing) if *existing != n => {
                    return Err(format!(
                        "Mismatched names: name already added to SchemaBuilder ({existing}) differs from name in source schema ({n})"
                    ));
                }
                _ => draft.name = Some(n),
            }
        }
        let mut builder = draft.builder;
        if let Some(n) = draft.name {
            builder = builder.name(n);
        }
        if let Some(v) = draft.version {
            builder = builder.version(v);
        }
        if force_optional {
            builder = builder.optional();
        }
        let built = builder.build().map_err(|e| e.to_string())?;
        let Some(default) = default else {
            return Ok(built);
        };
        match default_from_avro(&built, schema, default)? {
            None => Ok(built),
            Some(v) => SchemaBuilder::from_schema(&built)
                .default_value(v)
                .build()
                .map_err(|e| e.to_string()),
        }
    }

    fn bytes(&self, schema: &AvroSchema, logical_type: Option<&str>) -> Result<Draft, String> {
        if !logical_type.is_some_and(|lt| lt.eq_ignore_ascii_case("decimal")) {
            return Ok(Draft::new(SchemaBuilder::bytes()));
        }
        let scale =
            number_prop(schema, "scale")?.ok_or("scale must be specified and must be a number.")?;
        let mut d = Draft::logical(Type::Bytes, logical::DECIMAL_NAME);
        d.builder = d
            .builder
            .parameter(logical::DECIMAL_SCALE_PARAM, scale.to_string());
        if let Some(p) = number_prop(schema, "precision")?
            && p != DECIMAL_PRECISION_DEFAULT
        {
            d.builder = d
                .builder
                .parameter(logical::DECIMAL_PRECISION_PARAM, p.to_string());
        }
        Ok(d)
    }
}
