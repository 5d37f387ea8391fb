//! Connect value schema → Parquet schema, as Confluent's `ParquetFormat` gets it (AvroData's Avro
//! schema through parquet-avro's `AvroSchemaConverter`), plus the [`Node`] tree that shreds
//! values into the schema's leaf columns.
//!
//! | Connect | Parquet |
//! |---|---|
//! | `int8`, `int16`, `int32` | `INT32` |
//! | `int64` (also Debezium's `MicroTimestamp`, `NanoTimestamp`, `MicroTime`: their schema is `int64`) | `INT64` |
//! | `float32` / `float64` | `FLOAT` / `DOUBLE` |
//! | `boolean` | `BOOLEAN` |
//! | `string` | `BINARY (STRING)` |
//! | `bytes` | `BINARY` |
//! | `Decimal` with `connect.decimal.precision` ≤ 38 | `FIXED_LEN_BYTE_ARRAY (DECIMAL(p,s))`, the fewest bytes for `p` |
//! | `Decimal` otherwise | `BINARY (DECIMAL(p,s))`, `p` = the parameter or AvroData's default 64 |
//! | `Date` | `INT32 (DATE)` |
//! | `Time` | `INT32 (TIME(MILLIS, UTC))` |
//! | `Timestamp` | `INT64 (TIMESTAMP(MILLIS, UTC))` |
//! | `struct` | group (the value itself is the message) |
//! | `array` | `LIST`: `repeated <item> array` (parquet-avro's old two-level layout), or — when some array of the schema has optional items, as Confluent switches then — `repeated group list { <item> element }` |
//! | `map` | `MAP`: `repeated group key_value { required <key> key; <value> value }` |
//!
//! An optional Connect schema is an `OPTIONAL` field, a required one `REQUIRED`.
//!
//! Two deviations from Confluent, both for the readers' sake: decimals with a known precision up
//! to 38 are fixed-length (parquet-avro writes `BINARY` for every decimal; Spark, Hive, Athena and
//! Redshift Spectrum read both), and a map whose keys are not strings is a Parquet `MAP` with
//! typed keys (AvroData turns it into an array of `MapEntry` records).

use std::ops::Range;
use std::sync::Arc;

use ::parquet::basic::{LogicalType, Repetition, TimeUnit, Type as Physical};
use ::parquet::schema::types::{Type as PqType, TypePtr};
use sluice_api::logical::{
    DATE_NAME, DECIMAL_NAME, DECIMAL_PRECISION_PARAM, TIME_NAME, TIMESTAMP_NAME, decimal_scale,
};
use sluice_api::{Schema, Type};

/// Confluent's message name for an unnamed value schema (AvroData's default record name).
const DEFAULT_MESSAGE_NAME: &str = "io.confluent.connect.avro.ConnectDefault";
/// AvroData's precision for a decimal without `connect.decimal.precision`.
const DEFAULT_DECIMAL_PRECISION: i32 = 64;
/// The largest precision written as a fixed-length decimal (16 bytes, Redshift's maximum).
const MAX_FIXED_PRECISION: i32 = 38;

/// How a leaf column's values are taken from Connect values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LeafKind {
    /// `BOOLEAN`.
    Boolean,
    /// `INT32` from `int8`/`int16`/`int32`.
    Int32,
    /// `INT32 (DATE)`: days since the epoch.
    Date,
    /// `INT32 (TIME_MILLIS)`: milliseconds since midnight.
    Time,
    /// `INT64`.
    Int64,
    /// `INT64 (TIMESTAMP_MILLIS)`.
    Timestamp,
    /// `FLOAT`.
    Float,
    /// `DOUBLE`.
    Double,
    /// `BINARY (STRING)`.
    String,
    /// `BINARY`.
    Bytes,
    /// `BINARY (DECIMAL)`: the unscaled value's minimal two's complement bytes.
    DecimalBinary {
        /// The schema's scale.
        scale: i32,
    },
    /// `FIXED_LEN_BYTE_ARRAY (DECIMAL)`: the unscaled value sign-extended to `len` bytes.
    DecimalFixed {
        /// The schema's scale.
        scale: i32,
        /// The schema's precision (values with more digits are refused).
        precision: i32,
        /// Bytes per value.
        len: usize,
    },
}

/// One node of the shredding tree, in schema order; leaves are numbered depth-first, so the
/// columns under a node are a contiguous range.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// A primitive column.
    Leaf {
        /// The column's index.
        column: usize,
        /// Whether the field is `OPTIONAL` (adds a definition level).
        optional: bool,
        /// How values are converted.
        kind: LeafKind,
    },
    /// A struct.
    Group {
        /// Whether the group is `OPTIONAL`.
        optional: bool,
        /// The fields, in the struct's order.
        fields: Vec<Node>,
        /// The columns under it.
        columns: Range<usize>,
    },
    /// An array.
    List {
        /// Whether the list is `OPTIONAL`.
        optional: bool,
        /// The item (`REQUIRED`-like in the two-level layout, where the repeated field is the item).
        element: Box<Node>,
        /// The repetition level of its items.
        rep: i16,
        /// The columns under it.
        columns: Range<usize>,
    },
    /// A map.
    Map {
        /// Whether the map is `OPTIONAL`.
        optional: bool,
        /// The key (always `REQUIRED`).
        key: Box<Node>,
        /// The value.
        value: Box<Node>,
        /// The repetition level of its entries.
        rep: i16,
        /// The columns under it.
        columns: Range<usize>,
    },
}

impl Node {
    /// The leaf columns under this node.
    pub(crate) fn columns(&self) -> Range<usize> {
        match self {
            Node::Leaf { column, .. } => *column..*column + 1,
            Node::Group { columns, .. }
            | Node::List { columns, .. }
            | Node::Map { columns, .. } => columns.clone(),
        }
    }
}

/// The Parquet schema of a file and its shredding tree.
#[derive(Debug, Clone)]
pub(crate) struct FileLayout {
    /// The message type.
    pub(crate) schema: TypePtr,
    /// The root group (the value struct).
    pub(crate) root: Node,
    /// The kind of every leaf column, by column index.
    pub(crate) leaves: Vec<LeafKind>,
}

/// Maps a value schema (which must be a struct) to a Parquet file layout.
pub(crate) fn layout(value_schema: &Schema) -> Result<FileLayout, String> {
    if value_schema.ty() != Type::Struct {
        return Err(format!(
            "the value schema is {}, not a struct; Parquet files hold records (use a struct \
             value, e.g. unwrap primitives with an SMT such as HoistField)",
            value_schema.ty()
        ));
    }
    let mut b = Builder {
        leaves: Vec::new(),
        rep: 0,
        three_level_lists: has_array_of_optional_items(value_schema),
    };
    let (fields, nodes) = b.fields(value_schema)?;
    let name = value_schema.name().unwrap_or(DEFAULT_MESSAGE_NAME);
    let schema = PqType::group_type_builder(name)
        .with_fields(fields)
        .build()
        .map_err(|e| e.to_string())?;
    Ok(FileLayout {
        schema: Arc::new(schema),
        root: Node::Group {
            optional: false,
            fields: nodes,
            columns: 0..b.leaves.len(),
        },
        leaves: b.leaves,
    })
}

/// Confluent's `schemaHasArrayOfOptionalItems`: whether some array (anywhere) has optional items,
/// which switches every list of the file to the three-level layout.
fn has_array_of_optional_items(schema: &Schema) -> bool {
    match schema.ty() {
        Type::Struct => schema
            .fields()
            .iter()
            .any(|f| has_array_of_optional_items(f.schema())),
        Type::Map => schema
            .value_schema()
            .is_some_and(has_array_of_optional_items),
        Type::Array => schema
            .value_schema()
            .is_some_and(|e| e.is_optional() || has_array_of_optional_items(e)),
        _ => false,
    }
}

/// The fewest bytes whose two's complement holds every unscaled value of `precision` digits.
pub(crate) fn decimal_bytes(precision: i32) -> usize {
    let max = 10_u128.pow(precision.clamp(1, MAX_FIXED_PRECISION).unsigned_abs());
    // n bytes hold magnitudes up to 2^(8n-1) - 1.
    (1..=16)
        .find(|n| max <= 1_u128 << (8 * n - 1))
        .unwrap_or(16)
}

struct Builder {
    leaves: Vec<LeafKind>,
    rep: i16,
    three_level_lists: bool,
}

fn repetition(schema: &Schema) -> Repetition {
    if schema.is_optional() {
        Repetition::OPTIONAL
    } else {
        Repetition::REQUIRED
    }
}

impl Builder {
    fn fields(&mut self, schema: &Schema) -> Result<(Vec<TypePtr>, Vec<Node>), String> {
        if schema.fields().is_empty() {
            return Err(format!(
                "the struct {} has no fields, and Parquet cannot store an empty group",
                schema.name().unwrap_or("(unnamed)")
            ));
        }
        let mut types = Vec::with_capacity(schema.fields().len());
        let mut nodes = Vec::with_capacity(schema.fields().len());
        for f in schema.fields() {
            let (t, n) = self.convert(f.name(), f.schema(), repetition(f.schema()))?;
            types.push(Arc::new(t));
            nodes.push(n);
        }
        Ok((types, nodes))
    }

    fn convert(
        &mut self,
        name: &str,
        schema: &Schema,
        rep: Repetition,
    ) -> Result<(PqType, Node), String> {
        let optional = rep == Repetition::OPTIONAL;
        let first = self.leaves.len();
        let group = |fields: Vec<TypePtr>, logical: Option<LogicalType>| {
            PqType::group_type_builder(name)
                .with_repetition(rep)
                .with_logical_type(logical)
                .with_fields(fields)
                .build()
                .map_err(|e| format!("field '{name}': {e}"))
        };
        match schema.ty() {
            Type::Struct => {
                let (types, fields) = self.fields(schema)?;
                let node = Node::Group {
                    optional,
                    fields,
                    columns: first..self.leaves.len(),
                };
                Ok((group(types, None)?, node))
            }
            Type::Array => {
                let item = schema
                    .value_schema()
                    .ok_or_else(|| format!("the array '{name}' has no item schema"))?;
                self.rep += 1;
                let level = self.rep;
                let (inner, element) = if self.three_level_lists {
                    let (t, n) = self.convert("element", item, repetition(item))?;
                    let list = PqType::group_type_builder("list")
                        .with_repetition(Repetition::REPEATED)
                        .with_fields(vec![Arc::new(t)])
                        .build()
                        .map_err(|e| format!("field '{name}': {e}"))?;
                    (list, n)
                } else {
                    self.convert("array", item, Repetition::REPEATED)?
                };
                self.rep -= 1;
                let node = Node::List {
                    optional,
                    element: Box::new(element),
                    rep: level,
                    columns: first..self.leaves.len(),
                };
                Ok((group(vec![Arc::new(inner)], Some(LogicalType::List))?, node))
            }
            Type::Map => {
                let (k, v) = schema
                    .key_schema()
                    .zip(schema.value_schema())
                    .ok_or_else(|| format!("the map '{name}' has no key or value schema"))?;
                self.rep += 1;
                let level = self.rep;
                let (kt, kn) = self.convert("key", k, Repetition::REQUIRED)?;
                let (vt, vn) = self.convert("value", v, repetition(v))?;
                self.rep -= 1;
                let entries = PqType::group_type_builder("key_value")
                    .with_repetition(Repetition::REPEATED)
                    .with_fields(vec![Arc::new(kt), Arc::new(vt)])
                    .build()
                    .map_err(|e| format!("field '{name}': {e}"))?;
                let node = Node::Map {
                    optional,
                    key: Box::new(kn),
                    value: Box::new(vn),
                    rep: level,
                    columns: first..self.leaves.len(),
                };
                Ok((
                    group(vec![Arc::new(entries)], Some(LogicalType::Map))?,
                    node,
                ))
            }
            _ => {
                let (t, kind) = leaf(name, schema, rep)?;
                let column = self.leaves.len();
                self.leaves.push(kind);
                Ok((
                    t,
                    Node::Leaf {
                        column,
                        optional,
                        kind,
                    },
                ))
            }
        }
    }
}

/// The Parquet type of a primitive field.
fn leaf(name: &str, schema: &Schema, rep: Repetition) -> Result<(PqType, LeafKind), String> {
    use LeafKind as K;
    let millis = TimeUnit::MILLIS;
    let (physical, logical, kind) = match (schema.ty(), schema.name()) {
        (Type::Bytes, Some(DECIMAL_NAME)) => return decimal(name, schema, rep),
        (Type::Int32, Some(DATE_NAME)) => (Physical::INT32, Some(LogicalType::Date), K::Date),
        (Type::Int32, Some(TIME_NAME)) => (
            Physical::INT32,
            Some(LogicalType::time(true, millis)),
            K::Time,
        ),
        (Type::Int64, Some(TIMESTAMP_NAME)) => (
            Physical::INT64,
            Some(LogicalType::timestamp(true, millis)),
            K::Timestamp,
        ),
        (Type::Int8 | Type::Int16 | Type::Int32, _) => (Physical::INT32, None, K::Int32),
        (Type::Int64, _) => (Physical::INT64, None, K::Int64),
        (Type::Float32, _) => (Physical::FLOAT, None, K::Float),
        (Type::Float64, _) => (Physical::DOUBLE, None, K::Double),
        (Type::Boolean, _) => (Physical::BOOLEAN, None, K::Boolean),
        (Type::String, _) => (Physical::BYTE_ARRAY, Some(LogicalType::String), K::String),
        (Type::Bytes, _) => (Physical::BYTE_ARRAY, None, K::Bytes),
        (ty @ (Type::Array | Type::Map | Type::Struct), _) => {
            return Err(format!("field '{name}': {ty} is not a primitive type"));
        }
    };
    let t = PqType::primitive_type_builder(name, physical)
        .with_repetition(rep)
        .with_logical_type(logical)
        .build()
        .map_err(|e| format!("field '{name}': {e}"))?;
    Ok((t, kind))
}

fn decimal(name: &str, schema: &Schema, rep: Repetition) -> Result<(PqType, LeafKind), String> {
    let scale = decimal_scale(schema).map_err(|e| format!("field '{name}': {e}"))?;
    let precision = match schema.parameter(DECIMAL_PRECISION_PARAM) {
        Some(p) => p.trim().parse::<i32>().map_err(|_| {
            format!("field '{name}': {DECIMAL_PRECISION_PARAM} is '{p}', not an integer")
        })?,
        None => DEFAULT_DECIMAL_PRECISION,
    };
    if precision < 1 || scale < 0 || scale > precision {
        return Err(format!(
            "field '{name}': a Parquet DECIMAL needs 0 <= scale <= precision and precision >= 1, \
             not scale {scale} and precision {precision}"
        ));
    }
    let fixed =
        schema.parameter(DECIMAL_PRECISION_PARAM).is_some() && precision <= MAX_FIXED_PRECISION;
    let (builder, kind) = if fixed {
        let len = decimal_bytes(precision);
        (
            PqType::primitive_type_builder(name, Physical::FIXED_LEN_BYTE_ARRAY)
                .with_length(i32::try_from(len).unwrap_or(16)),
            LeafKind::DecimalFixed {
                scale,
                precision,
                len,
            },
        )
    } else {
        (
            PqType::primitive_type_builder(name, Physical::BYTE_ARRAY),
            LeafKind::DecimalBinary { scale },
        )
    };
    let t = builder
        .with_repetition(rep)
        .with_logical_type(Some(LogicalType::decimal(scale, precision)))
        .with_precision(precision)
        .with_scale(scale)
        .build()
        .map_err(|e| format!("field '{name}': {e}"))?;
    Ok((t, kind))
}

#[cfg(test)]
mod tests {
    use ::parquet::schema::printer::print_schema;
    use sluice_api::{SchemaBuilder, logical};

    use super::*;

    fn printed(schema: &Schema) -> String {
        let mut out = Vec::new();
        print_schema(&mut out, &layout(schema).unwrap().schema);
        String::from_utf8(out).unwrap()
    }

    fn squash(s: &str) -> String {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn decimal_widths() {
        assert_eq!(decimal_bytes(1), 1);
        assert_eq!(decimal_bytes(2), 1);
        assert_eq!(decimal_bytes(3), 2);
        assert_eq!(decimal_bytes(9), 4);
        assert_eq!(decimal_bytes(10), 5);
        assert_eq!(decimal_bytes(18), 8);
        assert_eq!(decimal_bytes(19), 9);
        assert_eq!(decimal_bytes(38), 16);
    }

    #[test]
    fn primitives_and_logical_types() {
        let schema = SchemaBuilder::struct_()
            .name("shop.Order")
            .field("a", Schema::int8())
            .field("b", Schema::optional_int64())
            .field("c", Schema::string())
            .field("d", logical::date().build().unwrap())
            .field("t", logical::time().optional().build().unwrap())
            .field("ts", logical::timestamp().build().unwrap())
            .field(
                "price",
                logical::decimal(2)
                    .parameter("connect.decimal.precision", "10")
                    .build()
                    .unwrap(),
            )
            .field("loose", logical::decimal(3).optional().build().unwrap())
            .field(
                "micros",
                SchemaBuilder::int64()
                    .name("io.debezium.time.MicroTimestamp")
                    .version(1)
                    .build()
                    .unwrap(),
            )
            .field("blob", Schema::optional_bytes())
            .field("ok", Schema::boolean())
            .field("f", Schema::float32())
            .field("g", Schema::float64())
            .build()
            .unwrap();
        assert_eq!(
            squash(&printed(&schema)),
            squash(
                "message shop.Order {
                  REQUIRED INT32 a;
                  OPTIONAL INT64 b;
                  REQUIRED BYTE_ARRAY c (STRING);
                  REQUIRED INT32 d (DATE);
                  OPTIONAL INT32 t (TIME(MILLIS,true));
                  REQUIRED INT64 ts (TIMESTAMP(MILLIS,true));
                  REQUIRED FIXED_LEN_BYTE_ARRAY (5) price (DECIMAL(10,2));
                  OPTIONAL BYTE_ARRAY loose (DECIMAL(64,3));
                  REQUIRED INT64 micros;
                  OPTIONAL BYTE_ARRAY blob;
                  REQUIRED BOOLEAN ok;
                  REQUIRED FLOAT f;
                  REQUIRED DOUBLE g;
                }"
            )
        );
    }

    #[test]
    fn nested_groups_lists_and_maps() {
        let row = SchemaBuilder::struct_()
            .name("db.t.Value")
            .optional()
            .field("id", Schema::int32())
            .field(
                "tags",
                SchemaBuilder::array(Schema::string()).build().unwrap(),
            )
            .build()
            .unwrap();
        let schema = SchemaBuilder::struct_()
            .name("db.t.Envelope")
            .field("before", row.clone())
            .field("after", row)
            .field(
                "attrs",
                SchemaBuilder::map(Schema::string(), Schema::optional_int64())
                    .optional()
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        let l = layout(&schema).unwrap();
        assert_eq!(l.leaves.len(), 6);
        assert_eq!(
            squash(&printed(&schema)),
            squash(
                "message db.t.Envelope {
                  OPTIONAL group before {
                    REQUIRED INT32 id;
                    REQUIRED group tags (LIST) { REPEATED BYTE_ARRAY array (STRING); }
                  }
                  OPTIONAL group after {
                    REQUIRED INT32 id;
                    REQUIRED group tags (LIST) { REPEATED BYTE_ARRAY array (STRING); }
                  }
                  OPTIONAL group attrs (MAP) {
                    REPEATED group key_value {
                      REQUIRED BYTE_ARRAY key (STRING);
                      OPTIONAL INT64 value;
                    }
                  }
                }"
            )
        );
    }

    #[test]
    fn an_array_of_optional_items_switches_every_list_to_three_levels() {
        let schema = SchemaBuilder::struct_()
            .field("a", SchemaBuilder::array(Schema::int32()).build().unwrap())
            .field(
                "b",
                SchemaBuilder::array(Schema::optional_string())
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        assert_eq!(
            squash(&printed(&schema)),
            squash(
                "message io.confluent.connect.avro.ConnectDefault {
                  REQUIRED group a (LIST) { REPEATED group list { REQUIRED INT32 element; } }
                  REQUIRED group b (LIST) { REPEATED group list { OPTIONAL BYTE_ARRAY element (STRING); } }
                }"
            )
        );
    }

    #[test]
    fn values_that_are_not_records_and_bad_decimals_are_refused() {
        let e = layout(&Schema::string()).unwrap_err();
        assert!(e.contains("not a struct"), "{e}");
        let negative = SchemaBuilder::struct_()
            .field("x", logical::decimal(-2).build().unwrap())
            .build()
            .unwrap();
        let e = layout(&negative).unwrap_err();
        assert!(e.contains("scale -2"), "{e}");
        let empty = SchemaBuilder::struct_()
            .field("x", SchemaBuilder::struct_().name("E").build().unwrap())
            .build()
            .unwrap();
        assert!(layout(&empty).unwrap_err().contains("no fields"));
    }
}
