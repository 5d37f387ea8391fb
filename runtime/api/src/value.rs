//! [`Value`]: a Kafka Connect value, with or without a schema.
//!
//! One variant per Java representation: the twelve schema types, plus the four Kafka logical types
//! whose Java class differs from their underlying type (`BigDecimal` → [`Value::Decimal`],
//! `java.util.Date` → [`Value::Date`]/[`Value::Time`]/[`Value::Timestamp`]). Debezium's semantic
//! types (`io.debezium.time.MicroTimestamp`, …) are plain primitives, as in Java.
//!
//! Equality follows Java's `equals`: floats are equal when their bits are (so `NaN == NaN` and
//! `0.0 != -0.0`, as `Double.equals`), and maps are equal when they hold the same entries in any
//! order. That makes `Value` a proper `Eq` type.

use compact_str::CompactString;

use crate::decimal::Decimal;
use crate::struct_::Struct;

/// A Kafka Connect value.
#[derive(Debug, Clone)]
pub enum Value {
    /// Java `null`: an absent optional value, or a tombstone.
    Null,
    /// `boolean`.
    Boolean(bool),
    /// `int8`.
    Int8(i8),
    /// `int16`.
    Int16(i16),
    /// `int32`.
    Int32(i32),
    /// `int64`.
    Int64(i64),
    /// `float32`.
    Float32(f32),
    /// `float64`.
    Float64(f64),
    /// `string`. A [`CompactString`] keeps strings of up to 24 bytes inline: most strings of a
    /// change event (the source block's names, short text columns) then cost no allocation,
    /// which is a measurable share of a CDC pipeline's CPU.
    String(CompactString),
    /// `bytes`.
    Bytes(Vec<u8>),
    /// `array`: elements in order.
    Array(Vec<Value>),
    /// `map`: entries in insertion order (converters write them in this order).
    Map(Vec<(Value, Value)>),
    /// `struct`.
    Struct(Struct),
    /// Logical `org.apache.kafka.connect.data.Decimal` (on `bytes`).
    Decimal(Decimal),
    /// Logical `org.apache.kafka.connect.data.Date` (on `int32`): days since 1970-01-01.
    Date(i32),
    /// Logical `org.apache.kafka.connect.data.Time` (on `int32`): milliseconds since midnight.
    Time(i32),
    /// Logical `org.apache.kafka.connect.data.Timestamp` (on `int64`): milliseconds since the epoch.
    Timestamp(i64),
}

impl Value {
    /// Whether this is [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// A short name of the variant, for error messages (`Int32`, `Struct`, `Decimal`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "Null",
            Value::Boolean(_) => "Boolean",
            Value::Int8(_) => "Int8",
            Value::Int16(_) => "Int16",
            Value::Int32(_) => "Int32",
            Value::Int64(_) => "Int64",
            Value::Float32(_) => "Float32",
            Value::Float64(_) => "Float64",
            Value::String(_) => "String",
            Value::Bytes(_) => "Bytes",
            Value::Array(_) => "Array",
            Value::Map(_) => "Map",
            Value::Struct(_) => "Struct",
            Value::Decimal(_) => "Decimal",
            Value::Date(_) => "Date",
            Value::Time(_) => "Time",
            Value::Timestamp(_) => "Timestamp",
        }
    }

    /// The string, if this is a [`Value::String`].
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, if this is one of the integer variants (widened).
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Int8(v) => Some(v.into()),
            Value::Int16(v) => Some(v.into()),
            Value::Int32(v) => Some(v.into()),
            Value::Int64(v) => Some(v),
            _ => None,
        }
    }

    /// The struct, if this is a [`Value::Struct`].
    pub fn as_struct(&self) -> Option<&Struct> {
        match self {
            Value::Struct(s) => Some(s),
            _ => None,
        }
    }
}

fn f32_eq(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

fn f64_eq(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

fn map_eq(a: &[(Value, Value)], b: &[(Value, Value)]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    if a.iter().zip(b).all(|(x, y)| x == y) {
        return true;
    }
    // Same entries in another order (Java maps compare as sets of entries).
    a.iter()
        .all(|(k, v)| b.iter().any(|(k2, v2)| k == k2 && v == v2))
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        use Value::*;
        match (self, other) {
            (Null, Null) => true,
            (Boolean(a), Boolean(b)) => a == b,
            (Int8(a), Int8(b)) => a == b,
            (Int16(a), Int16(b)) => a == b,
            (Int32(a), Int32(b)) => a == b,
            (Int64(a), Int64(b)) => a == b,
            (Float32(a), Float32(b)) => f32_eq(*a, *b),
            (Float64(a), Float64(b)) => f64_eq(*a, *b),
            (String(a), String(b)) => a == b,
            (Bytes(a), Bytes(b)) => a == b,
            (Array(a), Array(b)) => a == b,
            (Map(a), Map(b)) => map_eq(a, b),
            (Struct(a), Struct(b)) => a == b,
            (Decimal(a), Decimal(b)) => a == b,
            (Date(a), Date(b)) => a == b,
            (Time(a), Time(b)) => a == b,
            (Timestamp(a), Timestamp(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Value {}

macro_rules! from_impls {
    ($($t:ty => $variant:ident;)*) => {
        $(
            impl From<$t> for Value {
                fn from(v: $t) -> Self {
                    Value::$variant(v.into())
                }
            }
        )*
    };
}

from_impls! {
    bool => Boolean;
    i8 => Int8;
    i16 => Int16;
    i32 => Int32;
    i64 => Int64;
    f32 => Float32;
    f64 => Float64;
    String => String;
    &str => String;
    Vec<u8> => Bytes;
    &[u8] => Bytes;
    Vec<Value> => Array;
    Struct => Struct;
    Decimal => Decimal;
}

impl<T: Into<Value>> From<Option<T>> for Value {
    /// `None` becomes [`Value::Null`].
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}
