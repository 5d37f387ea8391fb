//! Kafka Connect schemas: [`Type`], [`Field`] and the immutable, shared [`Schema`].
//!
//! A `Schema` is an `Arc` around its description, so cloning it is a reference-count increment
//! and the same schema can be shared by every record of a table. Equality is structural, as
//! Java's `ConnectSchema.equals` (type, optional, default, name, version, doc, parameters, fields,
//! key and value schemas), with a pointer-equality fast path: the common case — a record built with
//! the very schema its struct was built with — costs one comparison.
//!
//! Parameters keep their insertion order (Java uses a `LinkedHashMap`), because converters write
//! them in that order and the bytes on Kafka must match Java's. A schema distinguishes "no
//! parameters" from "an empty parameter map" for the same reason: Java writes `"parameters":{}`
//! for the latter.

use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, LazyLock};

use crate::builder::SchemaBuilder;
use crate::value::Value;

/// The type of a Kafka Connect schema (Java's `Schema.Type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Type {
    /// 8-bit signed integer.
    Int8,
    /// 16-bit signed integer.
    Int16,
    /// 32-bit signed integer.
    Int32,
    /// 64-bit signed integer.
    Int64,
    /// IEEE 754 single precision.
    Float32,
    /// IEEE 754 double precision.
    Float64,
    /// `true` or `false`.
    Boolean,
    /// A UTF-8 string.
    String,
    /// A byte sequence.
    Bytes,
    /// An ordered list of values of one schema.
    Array,
    /// Key/value pairs, keys and values each of one schema.
    Map,
    /// Named fields, in order, each with its own schema.
    Struct,
}

impl Type {
    /// Every type, in Java's declaration order.
    pub const ALL: [Type; 12] = [
        Type::Int8,
        Type::Int16,
        Type::Int32,
        Type::Int64,
        Type::Float32,
        Type::Float64,
        Type::Boolean,
        Type::String,
        Type::Bytes,
        Type::Array,
        Type::Map,
        Type::Struct,
    ];

    /// Java's `Schema.Type.getName()`: `int8`, …, `float32`, `float64`, `boolean`, `string`, ….
    pub fn name(self) -> &'static str {
        match self {
            Type::Int8 => "int8",
            Type::Int16 => "int16",
            Type::Int32 => "int32",
            Type::Int64 => "int64",
            Type::Float32 => "float32",
            Type::Float64 => "float64",
            Type::Boolean => "boolean",
            Type::String => "string",
            Type::Bytes => "bytes",
            Type::Array => "array",
            Type::Map => "map",
            Type::Struct => "struct",
        }
    }

    /// Whether this is a primitive (not array, map or struct) type.
    pub fn is_primitive(self) -> bool {
        !matches!(self, Type::Array | Type::Map | Type::Struct)
    }
}

impl fmt::Display for Type {
    /// Java's enum constant name (`INT32`, `STRUCT`, …), as in Kafka's error messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name().to_ascii_uppercase())
    }
}

/// One field of a struct schema: its name, position and schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub(crate) name: String,
    pub(crate) index: usize,
    pub(crate) schema: Schema,
}

impl Field {
    /// The field's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The field's position in its struct (0-based).
    pub fn index(&self) -> usize {
        self.index
    }

    /// The field's schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }
}

/// The description behind a [`Schema`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SchemaInner {
    pub(crate) ty: Type,
    pub(crate) optional: bool,
    pub(crate) default: Option<Value>,
    pub(crate) name: Option<String>,
    pub(crate) version: Option<i32>,
    pub(crate) doc: Option<String>,
    pub(crate) parameters: Option<Vec<(String, String)>>,
    pub(crate) fields: Vec<Field>,
    pub(crate) key: Option<Schema>,
    pub(crate) value: Option<Schema>,
    /// Field positions by name (structs only); not part of equality in spirit, derived from
    /// `fields`, so comparing it is redundant but harmless.
    pub(crate) by_name: HashMap<String, usize>,
}

/// An immutable Kafka Connect schema, cheap to clone and share (Java's `ConnectSchema`).
///
/// Build one with [`SchemaBuilder`] (or the shortcuts such as [`Schema::int32`]).
#[derive(Clone)]
pub struct Schema(pub(crate) Arc<SchemaInner>);

macro_rules! shared_primitives {
    ($($required:ident, $optional:ident => $ty:expr;)*) => {
        $(
            #[doc = concat!("The shared required `", stringify!($required), "` schema (Java's `",
                stringify!($required), "` constant).")]
            pub fn $required() -> Schema {
                static S: LazyLock<Schema> = LazyLock::new(|| Schema::primitive($ty, false));
                S.clone()
            }

            #[doc = concat!("The shared optional `", stringify!($required), "` schema.")]
            pub fn $optional() -> Schema {
                static S: LazyLock<Schema> = LazyLock::new(|| Schema::primitive($ty, true));
                S.clone()
            }
        )*
    };
}

impl Schema {
    shared_primitives! {
        int8, optional_int8 => Type::Int8;
        int16, optional_int16 => Type::Int16;
        int32, optional_int32 => Type::Int32;
        int64, optional_int64 => Type::Int64;
        float32, optional_float32 => Type::Float32;
        float64, optional_float64 => Type::Float64;
        boolean, optional_boolean => Type::Boolean;
        string, optional_string => Type::String;
        bytes, optional_bytes => Type::Bytes;
    }

    /// A primitive schema with nothing but a type and optionality.
    fn primitive(ty: Type, optional: bool) -> Schema {
        Schema(Arc::new(SchemaInner {
            ty,
            optional,
            default: None,
            name: None,
            version: None,
            doc: None,
            parameters: None,
            fields: Vec::new(),
            key: None,
            value: None,
            by_name: HashMap::new(),
        }))
    }

    /// Starts a builder of the given type (Java's `SchemaBuilder.type(t)`); for arrays and maps
    /// prefer [`SchemaBuilder::array`] and [`SchemaBuilder::map`], which take the element schemas.
    pub fn builder(ty: Type) -> SchemaBuilder {
        SchemaBuilder::new(ty)
    }

    /// The schema's type.
    pub fn ty(&self) -> Type {
        self.0.ty
    }

    /// Whether `null` is a valid value.
    pub fn is_optional(&self) -> bool {
        self.0.optional
    }

    /// The default value, used when a value is `null`.
    pub fn default_value(&self) -> Option<&Value> {
        self.0.default.as_ref()
    }

    /// The schema's name (e.g. `org.apache.kafka.connect.data.Decimal`, `dbserver1.public.t.Value`).
    pub fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }

    /// The schema's version.
    pub fn version(&self) -> Option<i32> {
        self.0.version
    }

    /// The schema's documentation.
    pub fn doc(&self) -> Option<&str> {
        self.0.doc.as_deref()
    }

    /// The parameters in insertion order; `None` when none were ever set (as opposed to an
    /// explicitly empty map).
    pub fn parameters(&self) -> Option<&[(String, String)]> {
        self.0.parameters.as_deref()
    }

    /// One parameter's value.
    pub fn parameter(&self, key: &str) -> Option<&str> {
        self.0
            .parameters
            .as_ref()?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The fields of a struct schema, in order (empty for other types).
    pub fn fields(&self) -> &[Field] {
        &self.0.fields
    }

    /// The field with this name (structs only).
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.0.by_name.get(name).map(|&i| &self.0.fields[i])
    }

    /// The key schema of a map schema.
    pub fn key_schema(&self) -> Option<&Schema> {
        self.0.key.as_ref()
    }

    /// The element schema of an array, or the value schema of a map.
    pub fn value_schema(&self) -> Option<&Schema> {
        self.0.value.as_ref()
    }

    /// Whether both handles point at the very same schema object (a cheap identity check).
    pub fn ptr_eq(a: &Schema, b: &Schema) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }

    /// A stable address of the shared schema object, for identity-keyed caches.
    pub fn addr(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }
}

impl PartialEq for Schema {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || *self.0 == *other.0
    }
}

impl Eq for Schema {}

impl Hash for Schema {
    /// Hashes the identifying parts (type, optional, name, version, field names and types): equal
    /// schemas hash equally, and the hash stays cheap for wide structs.
    fn hash<H: Hasher>(&self, state: &mut H) {
        let s = &self.0;
        s.ty.hash(state);
        s.optional.hash(state);
        s.name.hash(state);
        s.version.hash(state);
        s.fields.len().hash(state);
        for f in &s.fields {
            f.name.hash(state);
            f.schema.0.ty.hash(state);
        }
    }
}

impl fmt::Debug for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for Schema {
    /// Java's `ConnectSchema.toString()`: `Schema{name:TYPE}` or `Schema{TYPE}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "Schema{{{name}:{}}}", self.ty()),
            None => write!(f, "Schema{{{}}}", self.ty()),
        }
    }
}

/// A schema (absent for schemaless data) with a value, as converters return them (Java's
/// `SchemaAndValue`).
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaAndValue {
    /// The schema, `None` for schemaless data.
    pub schema: Option<Schema>,
    /// The value, [`Value::Null`] for a tombstone.
    pub value: Value,
}

impl SchemaAndValue {
    /// The null schema and value (a tombstone).
    pub const NULL: SchemaAndValue = SchemaAndValue {
        schema: None,
        value: Value::Null,
    };

    /// Pairs a schema and a value.
    pub fn new(schema: Option<Schema>, value: Value) -> Self {
        SchemaAndValue { schema, value }
    }
}
