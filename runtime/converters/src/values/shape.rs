//! Inferred schemas and how `Values.parseString` unifies the elements of an array or the keys and
//! values of a map (Kafka's `SchemaMerger`, `mergeSchemas` and `alignListEntriesWithSchema`).
//!
//! Java can describe an array whose element schema is unknown (`[]`, `[null]`, `[1,"a"]`) and a
//! map whose key or value schema is unknown; a Sluice [`Schema`] always has them, so inference
//! works on [`Shape`], which can, and [`Shape::to_schema`] says `None` where Java would return a
//! schema with a `null` part.
//!
//! Merging (every inferred schema is required, so two schemas of one type merge to the newer):
//! - same type → the newer schema, whatever the names (a `Date` after an INT32 gives `Date`);
//! - two numeric types (INT8 < INT16 < INT32 < INT64 < FLOAT32 < FLOAT64, logical `Date`/`Time`
//!   counting as INT32 and `Timestamp` as INT64) → the wider one;
//! - anything else → no common schema, and merging stops.
//!
//! Aligning then converts every element to the common schema as Java's `Values.convertTo` does
//! with no source schema: integers widen or become floats, numbers become `Date` days, `Time` or
//! `Timestamp` milliseconds, dates stay as they are. A conversion Java refuses (a `null` element, a
//! date to a plain integer, a `Time` outside one day) fails the whole array or map, which then
//! reads as text.

use sluice_api::{Schema, SchemaBuilder, Type, Value, logical};

/// Java's `DataException` inside the parser: the structure is not what it seemed, so the caller
/// falls back to reading the text as a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fail {
    /// The text is not a valid value here (Java's `DataException`).
    Data,
    /// Nested deeper than the parser allows (Java would eventually overflow its stack).
    TooDeep,
}

/// A schema as Java infers it, possibly with unknown parts.
#[derive(Debug, Clone)]
pub(super) enum Shape {
    /// A complete schema (primitives and logical types).
    Plain(Schema),
    /// An array, with its element schema when one is common to all elements.
    Array(Option<Box<Shape>>),
    /// A map, with its key and value schemas when known.
    Map(Option<Box<Shape>>, Option<Box<Shape>>),
}

/// A parsed value with its inferred schema.
pub(super) type Parsed = (Shape, Value);

impl Shape {
    fn ty(&self) -> Type {
        match self {
            Shape::Plain(s) => s.ty(),
            Shape::Array(_) => Type::Array,
            Shape::Map(..) => Type::Map,
        }
    }

    /// The Sluice schema, or `None` where Java's has a `null` element, key or value schema.
    pub(super) fn to_schema(&self) -> Option<Schema> {
        match self {
            Shape::Plain(s) => Some(s.clone()),
            Shape::Array(element) => SchemaBuilder::array(element.as_ref()?.to_schema()?)
                .build()
                .ok(),
            Shape::Map(key, value) => {
                SchemaBuilder::map(key.as_ref()?.to_schema()?, value.as_ref()?.to_schema()?)
                    .build()
                    .ok()
            }
        }
    }
}

/// Finds the schema common to a sequence of inferred schemas (Java's `SchemaMerger`).
#[derive(Debug, Default)]
pub(super) struct Merger {
    common: Option<Shape>,
    incompatible: bool,
}

impl Merger {
    /// Adds one element's schema (`None` for a `null` element, which fits any schema).
    pub(super) fn merge(&mut self, latest: Option<&Shape>) {
        let Some(latest) = latest else { return };
        if self.incompatible {
            return;
        }
        self.common = match self.common.take() {
            None => Some(latest.clone()),
            Some(previous) => {
                let merged = merge_shapes(&previous, latest);
                self.incompatible = merged.is_none();
                merged
            }
        };
    }

    /// The common schema, if the elements have one.
    pub(super) fn common(&self) -> Option<&Shape> {
        self.common.as_ref()
    }
}

/// The position of a numeric type in Java's widening order.
fn numeric_rank(ty: Type) -> Option<u8> {
    Some(match ty {
        Type::Int8 => 0,
        Type::Int16 => 1,
        Type::Int32 => 2,
        Type::Int64 => 3,
        Type::Float32 => 4,
        Type::Float64 => 5,
        _ => return None,
    })
}

fn merge_shapes(previous: &Shape, latest: &Shape) -> Option<Shape> {
    let (p, l) = (previous.ty(), latest.ty());
    if p == l {
        return Some(latest.clone());
    }
    let (pr, lr) = (numeric_rank(p)?, numeric_rank(l)?);
    Some(if pr > lr { previous } else { latest }.clone())
}

/// Converts one element to the common schema (Java's `convertTo(schema, null, value)`).
pub(super) fn align(target: &Shape, value: Value) -> Result<Value, Fail> {
    let schema = match target {
        _ if value.is_null() => return Err(Fail::Data), // every inferred schema is required
        Shape::Array(_) => {
            return if matches!(value, Value::Array(_)) {
                Ok(value)
            } else {
                Err(Fail::Data)
            };
        }
        Shape::Map(..) => {
            return if matches!(value, Value::Map(_)) {
                Ok(value)
            } else {
                Err(Fail::Data)
            };
        }
        Shape::Plain(schema) => schema,
    };
    let name = schema.name();
    let as_long = |v: &Value| v.as_i64().ok_or(Fail::Data);
    let is_date_like = matches!(value, Value::Date(_) | Value::Time(_) | Value::Timestamp(_));
    Ok(match schema.ty() {
        // Only values of the same type merge into these; Java returns them unchanged.
        Type::String | Type::Boolean | Type::Bytes | Type::Struct => value,
        Type::Array | Type::Map => value,
        Type::Int8 => match value {
            Value::Int8(_) => value,
            v => Value::Int8(as_long(&v)? as i8),
        },
        Type::Int16 => match value {
            Value::Int16(_) => value,
            v => Value::Int16(as_long(&v)? as i16),
        },
        Type::Int32 if name == Some(logical::DATE_NAME) => {
            if is_date_like {
                value
            } else {
                Value::Date(as_long(&value)? as i32)
            }
        }
        Type::Int32 if name == Some(logical::TIME_NAME) => {
            if is_date_like {
                value
            } else {
                let ms = as_long(&value)? as i32;
                if !(0..=logical::MILLIS_PER_DAY).contains(&ms) {
                    return Err(Fail::Data);
                }
                Value::Time(ms)
            }
        }
        Type::Int32 => match value {
            Value::Int32(_) => value,
            v => Value::Int32(as_long(&v)? as i32),
        },
        Type::Int64 if name == Some(logical::TIMESTAMP_NAME) => match value {
            Value::Timestamp(_) => value,
            Value::Date(days) => {
                Value::Timestamp(i64::from(days) * i64::from(logical::MILLIS_PER_DAY))
            }
            Value::Time(ms) => Value::Timestamp(i64::from(ms)),
            v => Value::Timestamp(as_long(&v)?),
        },
        Type::Int64 => match value {
            Value::Int64(_) => value,
            v => Value::Int64(as_long(&v)?),
        },
        Type::Float32 => match value {
            Value::Float32(_) => value,
            // Java: (float) of the double value, so a long rounds twice.
            v => Value::Float32(as_long(&v)? as f64 as f32),
        },
        Type::Float64 => match value {
            Value::Float64(_) => value,
            Value::Float32(f) => Value::Float64(f64::from(f)),
            v => Value::Float64(as_long(&v)? as f64),
        },
    })
}
