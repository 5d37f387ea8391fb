//! Avro binary body → Connect value, read directly with a [`ReadPlan`] compiled from the writer's
//! Avro schema and the Connect schema derived from it ([`super::to_connect`]).
//!
//! Reading never trusts the bytes: every length and count is checked against what is left before
//! anything is allocated, varints longer than 10 bytes, negative lengths, union indexes out of
//! range, invalid UTF-8 and empty decimals are errors naming the byte offset, and nesting is
//! bounded by the schema (which has no recursion). Bytes after the body are ignored, as Java's
//! deserializer does.

use sluice_api::{CompactString, Decimal, Schema, Struct, Type, Value, logical};

use super::encode::IntKind;
use super::model::{AvroSchema, Primitive};
use super::schema::AVRO_TYPE_UNION;
use super::to_connect::{is_map_entry, union_member_name};

/// How one schema position is read.
#[derive(Debug, Clone)]
pub(crate) enum ReadPlan {
    Null,
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
    Array(Box<ReadPlan>),
    StringMap(Box<ReadPlan>),
    EntryMap {
        key: Box<ReadPlan>,
        value: Box<ReadPlan>,
        key_first: bool,
    },
    Record {
        schema: Schema,
        fields: Vec<(usize, ReadPlan)>,
    },
    /// Per branch: `None` for null, else the plan.
    Optional(Vec<Option<ReadPlan>>),
    /// A Connect union struct: per branch, `None` for null or (Connect field, plan).
    Union {
        schema: Schema,
        branches: Vec<Option<(usize, ReadPlan)>>,
    },
}

/// Compiles the plan reading `avro` (the writer schema) into values of `connect`.
pub(crate) fn compile(
    avro: &AvroSchema,
    connect: &Schema,
    enhanced: bool,
) -> Result<ReadPlan, String> {
    let mismatch = || {
        format!(
            "the Avro type {} cannot be read as {connect}",
            avro.type_name()
        )
    };
    Ok(match avro {
        AvroSchema::Union(branches) => {
            if connect.ty() == Type::Struct && connect.name() == Some(AVRO_TYPE_UNION) {
                let mut out = Vec::with_capacity(branches.len());
                for b in branches {
                    if b.is_null() {
                        out.push(None);
                        continue;
                    }
                    let name = union_member_name(b, enhanced);
                    let f = connect.field(&name).ok_or_else(mismatch)?;
                    out.push(Some((f.index(), compile(b, f.schema(), enhanced)?)));
                }
                ReadPlan::Union {
                    schema: connect.clone(),
                    branches: out,
                }
            } else {
                let mut out = Vec::with_capacity(branches.len());
                for b in branches {
                    out.push(if b.is_null() {
                        None
                    } else {
                        Some(compile(b, connect, enhanced)?)
                    });
                }
                ReadPlan::Optional(out)
            }
        }
        AvroSchema::Record(r) => {
            if connect.ty() != Type::Struct {
                return Err(mismatch());
            }
            let mut fields = Vec::with_capacity(r.fields.len());
            for af in &r.fields {
                let cf = connect.field(&af.name).ok_or_else(mismatch)?;
                fields.push((cf.index(), compile(&af.schema, cf.schema(), enhanced)?));
            }
            ReadPlan::Record {
                schema: connect.clone(),
                fields,
            }
        }
        AvroSchema::Array(items, _) => match connect.ty() {
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
                ReadPlan::EntryMap {
                    key: Box::new(compile(&entry.fields[k].schema, ks, enhanced)?),
                    value: Box::new(compile(&entry.fields[v].schema, vs, enhanced)?),
                    key_first: k < v,
                }
            }
            Type::Array => {
                let element = connect.value_schema().ok_or_else(mismatch)?;
                ReadPlan::Array(Box::new(compile(items, element, enhanced)?))
            }
            _ => return Err(mismatch()),
        },
        AvroSchema::Map(values, _) => {
            let (Type::Map, Some(vs)) = (connect.ty(), connect.value_schema()) else {
                return Err(mismatch());
            };
            ReadPlan::StringMap(Box::new(compile(values, vs, enhanced)?))
        }
        AvroSchema::Enum(e) => ReadPlan::Enum(e.symbols.clone()),
        AvroSchema::Fixed(f) => match connect.name() {
            Some(logical::DECIMAL_NAME) => ReadPlan::Decimal {
                scale: logical::decimal_scale(connect).map_err(|e| e.to_string())?,
                fixed: Some(f.size),
            },
            _ => ReadPlan::Fixed(f.size),
        },
        AvroSchema::Primitive(p, _) => match p {
            Primitive::Null => ReadPlan::Null,
            Primitive::Boolean => ReadPlan::Boolean,
            Primitive::Int => ReadPlan::Int(IntKind::of(connect).ok_or_else(mismatch)?),
            Primitive::Long => ReadPlan::Long(IntKind::of(connect).ok_or_else(mismatch)?),
            Primitive::Float => ReadPlan::Float,
            Primitive::Double => ReadPlan::Double,
            Primitive::String => ReadPlan::String,
            Primitive::Bytes => match connect.name() {
                Some(logical::DECIMAL_NAME) => ReadPlan::Decimal {
                    scale: logical::decimal_scale(connect).map_err(|e| e.to_string())?,
                    fixed: None,
                },
                _ => ReadPlan::Bytes,
            },
        },
    })
}

/// The fewest bytes a value of this plan takes (to bound item counts before allocating).
fn min_size(plan: &ReadPlan) -> usize {
    match plan {
        ReadPlan::Null => 0,
        ReadPlan::Float => 4,
        ReadPlan::Double => 8,
        ReadPlan::Fixed(n) => *n,
        ReadPlan::Decimal { fixed: Some(n), .. } => *n,
        ReadPlan::Record { fields, .. } => fields.iter().map(|(_, p)| min_size(p)).sum(),
        _ => 1,
    }
}

/// Most items accepted in one block of zero-size items (a hostile count cannot exhaust memory).
const MAX_EMPTY_ITEMS: usize = 1 << 20;

/// A cursor over the body.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0 }
    }

    fn err(&self, what: &str) -> String {
        format!(
            "{what} at byte {} of the Avro body ({} bytes)",
            self.pos,
            self.bytes.len()
        )
    }

    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if n > self.remaining() {
            return Err(self.err(&format!("truncated data: {n} more bytes needed")));
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn long(&mut self) -> Result<i64, String> {
        let mut n: u64 = 0;
        for shift in (0..70).step_by(7) {
            let Some(&b) = self.bytes.get(self.pos) else {
                return Err(self.err("truncated data: a varint is cut short"));
            };
            self.pos += 1;
            if shift == 63 && b > 1 {
                return Err(self.err("malformed varint: more than 64 bits"));
            }
            n |= u64::from(b & 0x7F) << shift;
            if b & 0x80 == 0 {
                return Ok(((n >> 1) as i64) ^ -((n & 1) as i64));
            }
        }
        Err(self.err("malformed varint: longer than 10 bytes"))
    }

    fn int(&mut self) -> Result<i32, String> {
        let v = self.long()?;
        i32::try_from(v).map_err(|_| self.err(&format!("an Avro int is out of range ({v})")))
    }

    fn len(&mut self) -> Result<usize, String> {
        let n = self.long()?;
        let n = usize::try_from(n).map_err(|_| self.err(&format!("negative length {n}")))?;
        if n > self.remaining() {
            return Err(self.err(&format!(
                "truncated data: a length of {n} bytes exceeds what is left"
            )));
        }
        Ok(n)
    }

    /// The item count of the next block (0 ends), skipping a block's byte size.
    fn block(&mut self, item: &ReadPlan) -> Result<usize, String> {
        let mut n = self.long()?;
        if n < 0 {
            n = n
                .checked_neg()
                .ok_or_else(|| self.err("malformed block count"))?;
            self.long()?;
        }
        let n = usize::try_from(n).map_err(|_| self.err("malformed block count"))?;
        let min = min_size(item);
        let limit = self.remaining().checked_div(min).unwrap_or(MAX_EMPTY_ITEMS);
        if n > limit {
            return Err(self.err(&format!(
                "truncated data: a block of {n} items cannot fit in what is left"
            )));
        }
        Ok(n)
    }

    fn string(&mut self) -> Result<CompactString, String> {
        let n = self.len()?;
        let at = self.pos;
        let raw = self.take(n)?;
        CompactString::from_utf8(raw)
            .map_err(|_| format!("invalid UTF-8 in a string at byte {at} of the Avro body"))
    }

    fn branch(&mut self, count: usize) -> Result<usize, String> {
        let i = self.long()?;
        usize::try_from(i)
            .ok()
            .filter(|i| *i < count)
            .ok_or_else(|| {
                self.err(&format!(
                    "union branch index {i} out of range (the union has {count})"
                ))
            })
    }

    /// Reads one value.
    pub(crate) fn read(&mut self, plan: &ReadPlan) -> Result<Value, String> {
        Ok(match plan {
            ReadPlan::Null => Value::Null,
            ReadPlan::Boolean => Value::Boolean(self.take(1)?[0] == 1),
            ReadPlan::Int(kind) | ReadPlan::Long(kind) => {
                let v = self.long()?;
                let int = |r: &Self| {
                    i32::try_from(v)
                        .map_err(|_| r.err(&format!("an Avro int is out of range ({v})")))
                };
                match kind {
                    // Java narrows with `byteValue()`/`shortValue()`.
                    IntKind::I8 => Value::Int8(int(self)? as i8),
                    IntKind::I16 => Value::Int16(int(self)? as i16),
                    IntKind::I32 => Value::Int32(int(self)?),
                    IntKind::Date => Value::Date(int(self)?),
                    IntKind::Time => Value::Time(int(self)?),
                    IntKind::I64 => Value::Int64(v),
                    IntKind::Timestamp => Value::Timestamp(v),
                }
            }
            ReadPlan::Float => {
                let b = self.take(4)?;
                Value::Float32(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            }
            ReadPlan::Double => {
                let b = self.take(8)?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                Value::Float64(f64::from_le_bytes(a))
            }
            ReadPlan::String => Value::String(self.string()?),
            ReadPlan::Enum(symbols) => {
                let i = self.int()?;
                let s = usize::try_from(i)
                    .ok()
                    .and_then(|i| symbols.get(i))
                    .ok_or_else(|| self.err(&format!("enum symbol index {i} out of range")))?;
                Value::String(s.as_str().into())
            }
            ReadPlan::Bytes => {
                let n = self.len()?;
                Value::Bytes(self.take(n)?.to_vec())
            }
            ReadPlan::Fixed(n) => Value::Bytes(self.take(*n)?.to_vec()),
            ReadPlan::Decimal { scale, fixed } => {
                let n = match fixed {
                    Some(n) => *n,
                    None => self.len()?,
                };
                let b = self.take(n)?;
                Value::Decimal(
                    Decimal::from_unscaled_bytes(b, *scale)
                        .map_err(|e| self.err(&e.to_string()))?,
                )
            }
            ReadPlan::Array(item) => {
                let mut out = Vec::new();
                loop {
                    let n = self.block(item)?;
                    if n == 0 {
                        break;
                    }
                    out.reserve(n);
                    for _ in 0..n {
                        out.push(self.read(item)?);
                    }
                }
                Value::Array(out)
            }
            ReadPlan::StringMap(vp) => {
                let mut out = Vec::new();
                loop {
                    let n = self.block(&ReadPlan::String)?;
                    if n == 0 {
                        break;
                    }
                    out.reserve(n);
                    for _ in 0..n {
                        let k = self.string()?;
                        let v = self.read(vp)?;
                        out.push((Value::String(k), v));
                    }
                }
                Value::Map(out)
            }
            ReadPlan::EntryMap {
                key,
                value,
                key_first,
            } => {
                let mut out = Vec::new();
                let entry_min = ReadPlan::Record {
                    schema: Schema::boolean(),
                    fields: vec![(0, (**key).clone()), (0, (**value).clone())],
                };
                loop {
                    let n = self.block(&entry_min)?;
                    if n == 0 {
                        break;
                    }
                    for _ in 0..n {
                        let (k, v) = if *key_first {
                            let k = self.read(key)?;
                            (k, self.read(value)?)
                        } else {
                            let v = self.read(value)?;
                            (self.read(key)?, v)
                        };
                        out.push((k, v));
                    }
                }
                Value::Map(out)
            }
            ReadPlan::Record { schema, fields } => {
                // Every value comes from the plan derived from this very schema, so it fits its
                // field by construction: checking each one again (`Struct::put_at`) was ~3 % of
                // the S3 sink's CPU. Debug builds still check the whole struct.
                let mut values = vec![Value::Null; schema.fields().len()];
                for (index, p) in fields {
                    values[*index] = self.read(p)?;
                }
                Value::Struct(
                    Struct::from_values(schema.clone(), values).map_err(|e| e.to_string())?,
                )
            }
            ReadPlan::Optional(branches) => {
                let i = self.branch(branches.len())?;
                match &branches[i] {
                    None => Value::Null,
                    Some(p) => self.read(p)?,
                }
            }
            ReadPlan::Union { schema, branches } => {
                let i = self.branch(branches.len())?;
                match &branches[i] {
                    None => Value::Null,
                    Some((field, p)) => {
                        let v = self.read(p)?;
                        let mut s = Struct::new(schema.clone()).map_err(|e| e.to_string())?;
                        s.put_at(*field, v).map_err(|e| self.err(&e.to_string()))?;
                        Value::Struct(s)
                    }
                }
            }
        })
    }
}
