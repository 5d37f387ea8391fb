//! The write plan: what [`super::encode`] does at each position of a (Connect schema, Avro
//! schema) pair, decided once. Fields are matched by name, so the Avro schema may be the one
//! derived from the Connect schema or another compatible one (the subject's latest with
//! `use.latest.version`): Avro fields the Connect schema lacks are written from their default.
//! Unions are resolved here: `null` goes to the null branch, a value to the first branch whose
//! type can hold the Connect type, and a Connect `io.confluent.connect.avro.Union` struct to the
//! branch named like its non-null field.

use sluice_api::{Schema, Type, logical};

use super::defaults::write_default;
use super::model::{AvroSchema, Primitive};
use super::schema::AVRO_TYPE_UNION;
use super::to_connect::{is_map_entry, union_member_name};

/// Which Connect value variant an Avro `int`/`long` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IntKind {
    I8,
    I16,
    I32,
    Date,
    Time,
    I64,
    Timestamp,
}

impl IntKind {
    pub(crate) fn of(schema: &Schema) -> Option<IntKind> {
        Some(match (schema.ty(), schema.name()) {
            (Type::Int32, Some(logical::DATE_NAME)) => IntKind::Date,
            (Type::Int32, Some(logical::TIME_NAME)) => IntKind::Time,
            (Type::Int64, Some(logical::TIMESTAMP_NAME)) => IntKind::Timestamp,
            (Type::Int8, _) => IntKind::I8,
            (Type::Int16, _) => IntKind::I16,
            (Type::Int32, _) => IntKind::I32,
            (Type::Int64, _) => IntKind::I64,
            _ => return None,
        })
    }
}

/// How one schema position is written.
#[derive(Debug, Clone)]
pub(crate) enum WritePlan {
    Boolean,
    Int(IntKind),
    Long(IntKind),
    Float,
    Double,
    String,
    Enum(Vec<String>),
    Bytes,
    Fixed(usize),
    Decimal {
        scale: i32,
        fixed: Option<usize>,
    },
    Array(Box<WritePlan>),
    StringMap(Box<WritePlan>),
    /// A Connect map as an array of `{key, value}` records (`key_first`: field order).
    EntryMap {
        key: Box<WritePlan>,
        value: Box<WritePlan>,
        key_first: bool,
    },
    Record {
        schema: Schema,
        fields: Vec<FieldPlan>,
    },
    /// A union of `null` and one other type.
    Optional {
        null_index: Option<u32>,
        value_index: u32,
        inner: Box<WritePlan>,
    },
    /// A Connect `io.confluent.connect.avro.Union` struct: (Connect field, Avro branch, plan).
    Union {
        schema: Schema,
        null_index: Option<usize>,
        branches: Vec<(usize, usize, WritePlan)>,
    },
    /// Bytes precomputed from an Avro field default (field absent from the Connect schema).
    Constant(Vec<u8>),
}

/// One Avro record field: which Connect field feeds it.
#[derive(Debug, Clone)]
pub(crate) struct FieldPlan {
    pub(crate) name: String,
    pub(crate) source: Option<usize>,
    pub(crate) plan: WritePlan,
}

/// Compiles the plan writing values of `connect` with the Avro schema `avro`.
pub(crate) fn compile(connect: &Schema, avro: &AvroSchema) -> Result<WritePlan, String> {
    let mismatch = || {
        format!(
            "the Connect schema {connect} cannot be written as the Avro type {}",
            avro.type_name()
        )
    };
    Ok(match avro {
        AvroSchema::Union(branches) => {
            let null_index = branches.iter().position(AvroSchema::is_null);
            if connect.ty() == Type::Struct && connect.name() == Some(AVRO_TYPE_UNION) {
                let mut out = Vec::new();
                for (fi, f) in connect.fields().iter().enumerate() {
                    let bi = branches
                        .iter()
                        .position(|b| {
                            !b.is_null() && union_member_name(b, false) == f.name()
                                || b.full_name().as_deref() == Some(f.name())
                        })
                        .ok_or_else(|| {
                            format!(
                                "no branch of the Avro union matches the Connect union field {}",
                                f.name()
                            )
                        })?;
                    out.push((fi, bi, compile(f.schema(), &branches[bi])?));
                }
                WritePlan::Union {
                    schema: connect.clone(),
                    null_index,
                    branches: out,
                }
            } else {
                let (vi, inner) = branches
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| !b.is_null())
                    .find_map(|(i, b)| compile(connect, b).ok().map(|p| (i, p)))
                    .ok_or_else(mismatch)?;
                let small = |i: usize| u32::try_from(i).map_err(|_| "union too large".to_string());
                WritePlan::Optional {
                    null_index: null_index.map(small).transpose()?,
                    value_index: small(vi)?,
                    inner: Box::new(inner),
                }
            }
        }
        AvroSchema::Record(r) => {
            if connect.ty() != Type::Struct {
                return Err(mismatch());
            }
            for f in connect.fields() {
                if !r.fields.iter().any(|af| af.name == f.name()) {
                    return Err(format!(
                        "{} is not a field of the Avro record {}",
                        f.name(),
                        r.name.full()
                    ));
                }
            }
            let mut fields = Vec::with_capacity(r.fields.len());
            for af in &r.fields {
                let plan = match connect.field(&af.name) {
                    Some(cf) => FieldPlan {
                        name: af.name.clone(),
                        source: Some(cf.index()),
                        plan: compile(cf.schema(), &af.schema)
                            .map_err(|e| format!("field {}: {e}", af.name))?,
                    },
                    None => {
                        let default = af.default.as_ref().ok_or_else(|| {
                            format!(
                                "the Avro field {} is not in the Connect schema and has no default",
                                af.name
                            )
                        })?;
                        let mut bytes = Vec::new();
                        write_default(&mut bytes, &af.schema, default)
                            .map_err(|e| format!("field {}: {e}", af.name))?;
                        FieldPlan {
                            name: af.name.clone(),
                            source: None,
                            plan: WritePlan::Constant(bytes),
                        }
                    }
                };
                fields.push(plan);
            }
            WritePlan::Record {
                schema: connect.clone(),
                fields,
            }
        }
        AvroSchema::Array(items, _) => match connect.ty() {
            Type::Array => {
                let element = connect.value_schema().ok_or_else(mismatch)?;
                WritePlan::Array(Box::new(compile(element, items)?))
            }
            Type::Map if is_map_entry(items) => {
                let AvroSchema::Record(entry) = items.as_ref() else {
                    return Err(mismatch());
                };
                let (Some(ks), Some(vs)) = (connect.key_schema(), connect.value_schema()) else {
                    return Err(mismatch());
                };
                let find = |n: &str| entry.fields.iter().position(|f| f.name == n);
                let (Some(k), Some(v)) = (find("key"), find("value")) else {
                    return Err(mismatch());
                };
                WritePlan::EntryMap {
                    key: Box::new(compile(ks, &entry.fields[k].schema)?),
                    value: Box::new(compile(vs, &entry.fields[v].schema)?),
                    key_first: k < v,
                }
            }
            _ => return Err(mismatch()),
        },
        AvroSchema::Map(values, _) => {
            let (Type::Map, Some(ks), Some(vs)) =
                (connect.ty(), connect.key_schema(), connect.value_schema())
            else {
                return Err(mismatch());
            };
            if ks.ty() != Type::String {
                return Err(mismatch());
            }
            WritePlan::StringMap(Box::new(compile(vs, values)?))
        }
        AvroSchema::Enum(e) if connect.ty() == Type::String => WritePlan::Enum(e.symbols.clone()),
        AvroSchema::Fixed(f) if connect.ty() == Type::Bytes => match connect.name() {
            Some(logical::DECIMAL_NAME) => WritePlan::Decimal {
                scale: logical::decimal_scale(connect).map_err(|e| e.to_string())?,
                fixed: Some(f.size),
            },
            _ => WritePlan::Fixed(f.size),
        },
        AvroSchema::Primitive(p, _) => {
            let kind = IntKind::of(connect);
            match (p, connect.ty()) {
                (Primitive::Boolean, Type::Boolean) => WritePlan::Boolean,
                (Primitive::Int, Type::Int8 | Type::Int16 | Type::Int32) => {
                    WritePlan::Int(kind.ok_or_else(mismatch)?)
                }
                (Primitive::Long, Type::Int64) => WritePlan::Long(kind.ok_or_else(mismatch)?),
                (Primitive::Float, Type::Float32) => WritePlan::Float,
                (Primitive::Double, Type::Float64) => WritePlan::Double,
                (Primitive::String, Type::String) => WritePlan::String,
                (Primitive::Bytes, Type::Bytes) => match connect.name() {
                    Some(logical::DECIMAL_NAME) => WritePlan::Decimal {
                        scale: logical::decimal_scale(connect).map_err(|e| e.to_string())?,
                        fixed: None,
                    },
                    _ => WritePlan::Bytes,
                },
                _ => return Err(mismatch()),
            }
        }
        _ => return Err(mismatch()),
    })
}
