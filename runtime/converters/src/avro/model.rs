//! The Avro schema model the converter works on: [`AvroSchema`] with its named types
//! ([`Record`], [`EnumSchema`], [`FixedSchema`]) and the JSON values of properties and defaults
//! ([`Json`]).
//!
//! Why not `apache-avro`'s `Schema`: the registry identifies a schema by its exact text, and
//! Confluent's AvroData writes properties in insertion order, distinguishes a `float` default
//! (`1.1`) from a `double` one, and omits namespaces the way Java Avro's `Schema.toString` does.
//! `apache-avro` keeps custom attributes in a sorted map and normalises numbers, so it cannot
//! reproduce that text. This model keeps everything in document order and is written by
//! [`super::text`] and read by [`super::parse`].
//!
//! Named types are shared (`Arc`): a type used twice (Debezium's `before`/`after` both hold the
//! table's `Value` record) is the same object, which is what lets the text writer emit the second
//! occurrence as a name reference, as Java does.

use std::sync::Arc;

/// A JSON value as Java's Jackson tree holds it in a schema's properties and field defaults.
///
/// `Float` and `Double` are kept apart because Jackson writes a `FloatNode` with
/// `Float.toString` (`1.1`) and a `DoubleNode` with `Double.toString`.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integral number (Jackson's `IntNode`/`LongNode`).
    Int(i64),
    /// A single-precision number (Jackson's `FloatNode`).
    Float(f32),
    /// A double-precision number (Jackson's `DoubleNode`).
    Double(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object, members in insertion order.
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number as an `i64`, if this is an integral number.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Json::Int(v) => Some(v),
            _ => None,
        }
    }

    /// The number as an `f64`, if this is any number.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Json::Int(v) => Some(v as f64),
            Json::Float(v) => Some(f64::from(v)),
            Json::Double(v) => Some(v),
            _ => None,
        }
    }
}

/// Schema properties (`connect.name`, `logicalType`, …) in insertion order.
pub type Props = Vec<(String, Json)>;

/// The eight Avro primitive types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Primitive {
    /// `null`.
    Null,
    /// `boolean`.
    Boolean,
    /// `int` (32-bit, zig-zag varint).
    Int,
    /// `long` (64-bit, zig-zag varint).
    Long,
    /// `float` (4 bytes little-endian).
    Float,
    /// `double` (8 bytes little-endian).
    Double,
    /// `bytes` (length-prefixed).
    Bytes,
    /// `string` (length-prefixed UTF-8).
    String,
}

impl Primitive {
    /// The Avro type name.
    pub fn name(self) -> &'static str {
        match self {
            Primitive::Null => "null",
            Primitive::Boolean => "boolean",
            Primitive::Int => "int",
            Primitive::Long => "long",
            Primitive::Float => "float",
            Primitive::Double => "double",
            Primitive::Bytes => "bytes",
            Primitive::String => "string",
        }
    }

    /// The primitive with this Avro type name.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "null" => Primitive::Null,
            "boolean" => Primitive::Boolean,
            "int" => Primitive::Int,
            "long" => Primitive::Long,
            "float" => Primitive::Float,
            "double" => Primitive::Double,
            "bytes" => Primitive::Bytes,
            "string" => Primitive::String,
            _ => return None,
        })
    }
}

/// A full Avro name: simple name and optional namespace.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Name {
    /// The simple name (no dots).
    pub name: String,
    /// The namespace, `None` for the null namespace.
    pub namespace: Option<String>,
}

impl Name {
    /// Splits a dotted full name at its last dot (as Java Avro and AvroData do).
    pub fn from_full(full: &str) -> Self {
        match full.rfind('.') {
            Some(i) => Name {
                name: full[i + 1..].to_string(),
                namespace: Some(full[..i].to_string()),
            },
            None => Name {
                name: full.to_string(),
                namespace: None,
            },
        }
    }

    /// `namespace.name`, or `name` in the null namespace.
    pub fn full(&self) -> String {
        match &self.namespace {
            Some(ns) if !ns.is_empty() => format!("{ns}.{}", self.name),
            _ => self.name.clone(),
        }
    }
}

/// An Avro schema.
#[derive(Debug, Clone, PartialEq)]
pub enum AvroSchema {
    /// A primitive type with its properties (`{"type":"int","connect.type":"int16"}`).
    Primitive(Primitive, Props),
    /// An array of `items`.
    Array(Box<AvroSchema>, Props),
    /// A map from strings to `values`.
    Map(Box<AvroSchema>, Props),
    /// A union of branches (no properties in Avro).
    Union(Vec<AvroSchema>),
    /// A record.
    Record(Arc<Record>),
    /// An enum.
    Enum(Arc<EnumSchema>),
    /// A fixed-size byte string.
    Fixed(Arc<FixedSchema>),
}

/// A record type.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Its full name.
    pub name: Name,
    /// Its documentation.
    pub doc: Option<String>,
    /// Its fields, in order.
    pub fields: Vec<RecordField>,
    /// Its properties.
    pub props: Props,
    /// Its aliases (kept for reading; AvroData never writes any).
    pub aliases: Vec<String>,
}

/// One field of a record.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordField {
    /// The field name.
    pub name: String,
    /// The field type.
    pub schema: AvroSchema,
    /// The field documentation.
    pub doc: Option<String>,
    /// The field default (`Some(Json::Null)` for `"default":null`).
    pub default: Option<Json>,
    /// `"order"` when not ascending.
    pub order: Option<String>,
    /// Field aliases.
    pub aliases: Vec<String>,
    /// Field properties.
    pub props: Props,
}

/// An enum type.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumSchema {
    /// Its full name.
    pub name: Name,
    /// Its documentation.
    pub doc: Option<String>,
    /// The symbols, in order.
    pub symbols: Vec<String>,
    /// The default symbol.
    pub default: Option<String>,
    /// Its properties.
    pub props: Props,
    /// Its aliases.
    pub aliases: Vec<String>,
}

/// A fixed type.
#[derive(Debug, Clone, PartialEq)]
pub struct FixedSchema {
    /// Its full name.
    pub name: Name,
    /// Its documentation.
    pub doc: Option<String>,
    /// The size in bytes.
    pub size: usize,
    /// Its properties.
    pub props: Props,
    /// Its aliases.
    pub aliases: Vec<String>,
}

impl AvroSchema {
    /// A primitive without properties.
    pub fn primitive(p: Primitive) -> Self {
        AvroSchema::Primitive(p, Vec::new())
    }

    /// The schema's properties (empty for unions).
    pub fn props(&self) -> &[(String, Json)] {
        match self {
            AvroSchema::Primitive(_, p) | AvroSchema::Array(_, p) | AvroSchema::Map(_, p) => p,
            AvroSchema::Union(_) => &[],
            AvroSchema::Record(r) => &r.props,
            AvroSchema::Enum(e) => &e.props,
            AvroSchema::Fixed(f) => &f.props,
        }
    }

    /// One property.
    pub fn prop(&self, key: &str) -> Option<&Json> {
        self.props().iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The full name of a named type.
    pub fn full_name(&self) -> Option<String> {
        match self {
            AvroSchema::Record(r) => Some(r.name.full()),
            AvroSchema::Enum(e) => Some(e.name.full()),
            AvroSchema::Fixed(f) => Some(f.name.full()),
            _ => None,
        }
    }

    /// The Avro type name (`record`, `int`, `union`, …).
    pub fn type_name(&self) -> &'static str {
        match self {
            AvroSchema::Primitive(p, _) => p.name(),
            AvroSchema::Array(..) => "array",
            AvroSchema::Map(..) => "map",
            AvroSchema::Union(_) => "union",
            AvroSchema::Record(_) => "record",
            AvroSchema::Enum(_) => "enum",
            AvroSchema::Fixed(_) => "fixed",
        }
    }

    /// Whether this is the `null` type.
    pub fn is_null(&self) -> bool {
        matches!(self, AvroSchema::Primitive(Primitive::Null, _))
    }
}
