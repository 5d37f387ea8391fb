//! PostgreSQL column types → Kafka Connect schemas and values, exactly as Debezium's PostgreSQL
//! connector emits them (checked byte for byte against Debezium's JSON output by
//! `tests/type_mapping_golden.rs`).
//!
//! A [`ColumnType`] (what the catalog or a `pgoutput` Relation message says about a column) is
//! resolved once into a [`ColumnMapping`]: its Connect schema (name, version, parameters,
//! optionality, default) under the configured [`TypeModes`], and the converter that turns the
//! column's values — in PostgreSQL's *text* format, as `pgoutput` and `COPY` send them — into
//! Connect [`Value`]s. Resolving up front means the per-row path does no catalog lookups and
//! an unsupported type is reported once, when the table is first seen ([`TypeError::Unsupported`]).
//!
//! Families: [`numeric`] (integers, floats, `numeric`), [`money`], [`temporal`] (date, time,
//! timestamps, interval), [`text`] (strings, bool, bytea, uuid, json, enums), [`bits`] (bit
//! strings), [`geometric`] (`point`, and the text of the other geometric types), [`hstore`],
//! [`array`] (one-dimensional arrays of any of those), [`default`] (column defaults Debezium
//! reflects in the schema) and [`catalog`] (reading the column types of a table). Network
//! types, ranges, `citext`, `ltree`, `tsvector`, `"char"` and `name` are strings.
//!
//! A type without a mapping is [`TypeError::Unsupported`]; the connector then leaves the
//! column out, as Debezium does, unless `include.unknown.datatypes` asks for the bytes of its
//! text ([`ColumnMapping::new`]). Arrays of unmapped types are always left out, as Debezium
//! leaves out `money[]`.
//!
//! The text parsers assume the server's default output settings, which are also those of a
//! walsender: `DateStyle=ISO`, `IntervalStyle=postgres`, `bytea_output=hex`,
//! `extra_float_digits >= 1`. Any other text is rejected with a [`TypeError::BadValue`] naming
//! the setting, never silently misread.

pub mod array;
pub mod bits;
pub mod catalog;
pub mod default;
mod error;
pub mod geometric;
pub mod hstore;
mod mode;
pub mod money;
pub mod numeric;
mod oid;
pub mod temporal;
pub mod text;

use sluice_api::{Schema, SchemaBuilder, Struct, Value};

pub use error::TypeError;
pub use mode::{BinaryMode, DecimalMode, HstoreMode, IntervalMode, TimePrecisionMode, TypeModes};
pub use oid::{PgScalar, array_element};

use crate::pgoutput::Oid;

/// What Sluice knows about a column's type: from the catalog (`pg_attribute`, `pg_type`,
/// `pg_attrdef`, `pg_enum`) or from a `pgoutput` Relation message plus the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnType {
    /// The column name (the Connect field name).
    pub column: String,
    /// The type OID (`atttypid`); for a domain, the OID of its base type.
    pub oid: Oid,
    /// The type modifier (`atttypmod`; for a domain, its `typtypmod`); -1 when none.
    pub type_modifier: i32,
    /// The type as PostgreSQL prints it (`format_type(oid, typmod)`), for messages.
    pub type_name: String,
    /// Whether the column may be null (`NOT attnotnull`).
    pub nullable: bool,
    /// The column's default expression (`pg_get_expr(adbin, adrelid)`), if any.
    pub default_expr: Option<String>,
    /// For an enum type, its labels in `enumsortorder`; `None` for every other type.
    pub enum_labels: Option<Vec<String>>,
    /// The base type's `typname` (`hstore`, `_citext`, `int4`, …); empty when unknown.
    pub base_type_name: String,
    /// For an array type, its element type's `typname`; `None` otherwise or when unknown.
    pub element_type_name: Option<String>,
}

/// How one kind of value is represented; chosen from the type, its modifier and the modes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Bool,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    /// `numeric(p,s)` in `precise` mode.
    Decimal {
        precision: i32,
        scale: i32,
    },
    /// Unconstrained `numeric` in `precise` mode: `VariableScaleDecimal`.
    VariableDecimal,
    DecimalDouble,
    DecimalString,
    /// Any value whose text is the Connect string (text, varchar, char, uuid, json, xml, enum).
    Str,
    Binary(BinaryMode),
    Date {
        connect: bool,
    },
    TimeMillis {
        connect: bool,
    },
    TimeMicros,
    TimeTz,
    TimestampMillis {
        connect: bool,
    },
    TimestampMicros,
    TimestampTz,
    Interval(IntervalMode),
    /// `money` as a decimal of the `money.fraction.digits` scale, a double or a string.
    Money(DecimalMode, i32),
    /// `bit(1)`.
    BitBool,
    /// Other bit strings: `io.debezium.data.Bits` of the declared length.
    Bits {
        length: i32,
    },
    Point,
    Hstore(HstoreMode),
    /// A type without a mapping under `include.unknown.datatypes`: the bytes of its text
    /// (geometric types as the JDBC driver prints them).
    UnknownBytes {
        geometric: bool,
    },
    Array(Box<Kind>),
}

/// A column resolved to its Connect schema and value converter.
#[derive(Debug, Clone)]
pub struct ColumnMapping {
    column: String,
    type_name: String,
    kind: Kind,
    schema: Schema,
}

impl ColumnMapping {
    /// Resolves `column` under `modes`; fails with [`TypeError::Unsupported`] for a type
    /// Sluice does not map (the error names the column and the type).
    pub fn new(column: &ColumnType, modes: &TypeModes) -> Result<ColumnMapping, TypeError> {
        let unsupported = || TypeError::Unsupported {
            column: column.column.clone(),
            type_name: column.type_name.clone(),
            oid: column.oid,
        };
        let typmod = column.type_modifier;
        let (kind, builder) = if let Some(labels) = &column.enum_labels {
            let builder = SchemaBuilder::string()
                .name("io.debezium.data.Enum")
                .version(1)
                .parameter("allowed", labels.join(","));
            (Kind::Str, builder)
        } else if let Some(scalar) = PgScalar::from_oid(column.oid)
            .or_else(|| PgScalar::from_extension_name(&column.base_type_name))
        {
            let kind = scalar_kind(scalar, typmod, modes);
            let builder = scalar_schema(&kind, scalar);
            (kind, builder)
        } else if let Some(element) = array_element(column.oid).or_else(|| {
            column
                .element_type_name
                .as_deref()
                .and_then(PgScalar::from_extension_name)
        }) {
            let kind = scalar_kind(element, typmod, modes);
            let element_schema = scalar_schema(&kind, element)
                .optional()
                .build()
                .map_err(|e| schema_error(column, e))?;
            (
                Kind::Array(Box::new(kind)),
                SchemaBuilder::array(element_schema),
            )
        } else if modes.include_unknown
            && column.element_type_name.is_none()
            && !column.base_type_name.starts_with('_')
        {
            let geometric = geometric::is_other_geometric(column.oid);
            (Kind::UnknownBytes { geometric }, SchemaBuilder::bytes())
        } else {
            return Err(unsupported());
        };
        let mut mapping = ColumnMapping {
            column: column.column.clone(),
            type_name: column.type_name.clone(),
            kind,
            // Replaced just below, once the builder is complete.
            schema: Schema::optional_string(),
        };
        let mut builder = if column.nullable {
            builder.optional()
        } else {
            builder
        };
        // The default is converted with the column's own converter, so it needs the schema
        // without the default first (only the variable-scale decimal struct uses it).
        mapping.schema = builder
            .clone()
            .build()
            .map_err(|e| schema_error(column, e))?;
        if let Some(default) = default::reflected_default(column, &mapping) {
            builder = builder.default_value(default);
            mapping.schema = builder.build().map_err(|e| schema_error(column, e))?;
        }
        Ok(mapping)
    }

    /// The column name.
    pub fn column(&self) -> &str {
        &self.column
    }

    /// The column's Connect schema (a field of the table's row struct).
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Converts a value in PostgreSQL's text format (`None` for SQL `NULL`) to a Connect value.
    pub fn value(&self, text: Option<&[u8]>) -> Result<Value, TypeError> {
        let Some(bytes) = text else {
            return Ok(Value::Null);
        };
        let text = std::str::from_utf8(bytes).map_err(|_| {
            self.bad_value(
                &String::from_utf8_lossy(bytes),
                "not UTF-8 (the database must use client_encoding UTF8)".into(),
            )
        })?;
        self.value_of_str(text)
    }

    /// As [`ColumnMapping::value`], for a non-null value already known to be UTF-8.
    pub fn value_of_str(&self, text: &str) -> Result<Value, TypeError> {
        convert(&self.kind, &self.schema, text).map_err(|reason| self.bad_value(text, reason))
    }

    fn bad_value(&self, text: &str, reason: String) -> TypeError {
        TypeError::BadValue {
            column: self.column.clone(),
            type_name: self.type_name.clone(),
            text: text.chars().take(200).collect(),
            reason,
        }
    }
}

/// The row struct schema `name` with one field per mapped column, in order (Debezium's
/// `<prefix>.<schema>.<table>.Value` / `.Key`); `optional` for the `Value` struct.
pub fn row_schema(
    name: &str,
    columns: &[ColumnMapping],
    optional: bool,
) -> Result<Schema, TypeError> {
    let mut builder = SchemaBuilder::struct_().name(name);
    if optional {
        builder = builder.optional();
    }
    for column in columns {
        builder = builder.field(column.column.clone(), column.schema.clone());
    }
    builder.build().map_err(|e| TypeError::Schema {
        column: name.to_string(),
        detail: e.to_string(),
    })
}

/// A row struct of `schema` (from [`row_schema`] over `columns`) from one text value per
/// column (`None` = SQL `NULL`).
pub fn row_value(
    schema: &Schema,
    columns: &[ColumnMapping],
    texts: &[Option<&[u8]>],
) -> Result<Struct, TypeError> {
    let fail = |column: &str, e: sluice_api::Error| TypeError::Schema {
        column: column.to_string(),
        detail: e.to_string(),
    };
    let mut row = Struct::new(schema.clone()).map_err(|e| fail("<row>", e))?;
    for (index, (column, text)) in columns.iter().zip(texts).enumerate() {
        let value = column.value(*text)?;
        row.put_at(index, value)
            .map_err(|e| fail(&column.column, e))?;
    }
    Ok(row)
}

fn schema_error(column: &ColumnType, e: sluice_api::Error) -> TypeError {
    TypeError::Schema {
        column: column.column.clone(),
        detail: e.to_string(),
    }
}

/// The representation of a scalar type under the modes (Debezium's
/// `PostgresValueConverter.schemaBuilder`).
fn scalar_kind(scalar: PgScalar, typmod: i32, modes: &TypeModes) -> Kind {
    use PgScalar as P;
    let connect = modes.time == TimePrecisionMode::Connect;
    // time/timestamp typmod is the fractional precision; -1 means unspecified (6).
    let precision = if typmod < 0 { 6 } else { typmod };
    match scalar {
        P::Bool => Kind::Bool,
        P::Int2 => Kind::Int16,
        P::Int4 => Kind::Int32,
        P::Int8 | P::Oid => Kind::Int64,
        P::Float4 => Kind::Float32,
        P::Float8 => Kind::Float64,
        P::Numeric => match modes.decimal {
            DecimalMode::Double => Kind::DecimalDouble,
            DecimalMode::String => Kind::DecimalString,
            DecimalMode::Precise => match numeric::precision_scale(typmod) {
                Some((precision, scale)) => Kind::Decimal { precision, scale },
                None => Kind::VariableDecimal,
            },
        },
        P::Text | P::Varchar | P::Bpchar | P::Uuid | P::Json | P::Jsonb | P::Xml => Kind::Str,
        P::Bytea => Kind::Binary(modes.binary),
        P::Date => Kind::Date { connect },
        P::Time if connect => Kind::TimeMillis { connect },
        P::Time if modes.time == TimePrecisionMode::Adaptive && precision <= 3 => {
            Kind::TimeMillis { connect }
        }
        P::Time => Kind::TimeMicros,
        P::Timetz => Kind::TimeTz,
        P::Timestamp if connect || precision <= 3 => Kind::TimestampMillis { connect },
        P::Timestamp => Kind::TimestampMicros,
        P::Timestamptz => Kind::TimestampTz,
        P::Interval => Kind::Interval(modes.interval),
        P::Char
        | P::Name
        | P::Cidr
        | P::Inet
        | P::Macaddr
        | P::Macaddr8
        | P::Range
        | P::Citext
        | P::Ltree
        | P::Tsvector => Kind::Str,
        P::Money => Kind::Money(modes.decimal, modes.money_fraction_digits),
        // `bit` without a length is bit(1).
        P::Bit if typmod <= 1 => Kind::BitBool,
        // An unbounded `varbit` has no declared length; the JDBC driver reports its column
        // size as the largest int, which Debezium then puts in the parameter (unverified).
        P::Bit | P::Varbit => Kind::Bits {
            length: if typmod > 0 { typmod } else { i32::MAX },
        },
        P::Point => Kind::Point,
        P::Hstore => Kind::Hstore(modes.hstore),
    }
}

/// The (required) schema builder of a scalar kind.
fn scalar_schema(kind: &Kind, scalar: PgScalar) -> SchemaBuilder {
    let named = |b: SchemaBuilder, name: &str| b.name(name).version(1);
    match kind {
        Kind::Bool => SchemaBuilder::boolean(),
        Kind::Int16 => SchemaBuilder::int16(),
        Kind::Int32 => SchemaBuilder::int32(),
        Kind::Int64 => SchemaBuilder::int64(),
        Kind::Float32 => SchemaBuilder::float32(),
        Kind::Float64 | Kind::DecimalDouble => SchemaBuilder::float64(),
        Kind::Decimal { precision, scale } => sluice_api::logical::decimal(*scale).parameter(
            sluice_api::logical::DECIMAL_PRECISION_PARAM,
            precision.to_string(),
        ),
        Kind::VariableDecimal => numeric::variable_scale_decimal_schema(),
        Kind::DecimalString => SchemaBuilder::string(),
        Kind::Str => match scalar {
            PgScalar::Uuid => named(SchemaBuilder::string(), "io.debezium.data.Uuid"),
            PgScalar::Json | PgScalar::Jsonb => {
                named(SchemaBuilder::string(), "io.debezium.data.Json")
            }
            PgScalar::Xml => named(SchemaBuilder::string(), "io.debezium.data.Xml"),
            PgScalar::Ltree => named(SchemaBuilder::string(), "io.debezium.data.Ltree"),
            PgScalar::Tsvector => named(SchemaBuilder::string(), "io.debezium.data.Tsvector"),
            _ => SchemaBuilder::string(),
        },
        Kind::Binary(BinaryMode::Bytes) => SchemaBuilder::bytes(),
        Kind::Binary(_) => SchemaBuilder::string(),
        Kind::Date { connect: true } => sluice_api::logical::date(),
        Kind::Date { connect: false } => named(SchemaBuilder::int32(), "io.debezium.time.Date"),
        Kind::TimeMillis { connect: true } => sluice_api::logical::time(),
        Kind::TimeMillis { connect: false } => {
            named(SchemaBuilder::int32(), "io.debezium.time.Time")
        }
        Kind::TimeMicros => named(SchemaBuilder::int64(), "io.debezium.time.MicroTime"),
        Kind::TimeTz => named(SchemaBuilder::string(), "io.debezium.time.ZonedTime"),
        Kind::TimestampMillis { connect: true } => sluice_api::logical::timestamp(),
        Kind::TimestampMillis { connect: false } => {
            named(SchemaBuilder::int64(), "io.debezium.time.Timestamp")
        }
        Kind::TimestampMicros => named(SchemaBuilder::int64(), "io.debezium.time.MicroTimestamp"),
        Kind::TimestampTz => named(SchemaBuilder::string(), "io.debezium.time.ZonedTimestamp"),
        Kind::Interval(IntervalMode::Numeric) => {
            named(SchemaBuilder::int64(), "io.debezium.time.MicroDuration")
        }
        Kind::Interval(IntervalMode::String) => {
            named(SchemaBuilder::string(), "io.debezium.time.Interval")
        }
        // Arrays are built by the caller around the element schema.
        Kind::Money(DecimalMode::Precise, scale) => sluice_api::logical::decimal(*scale),
        Kind::Money(DecimalMode::Double, _) => SchemaBuilder::float64(),
        Kind::Money(DecimalMode::String, _) => SchemaBuilder::string(),
        Kind::BitBool => SchemaBuilder::boolean(),
        Kind::Bits { length } => named(SchemaBuilder::bytes(), "io.debezium.data.Bits")
            .parameter("length", length.to_string()),
        Kind::Point => geometric::point_schema(),
        Kind::Hstore(HstoreMode::Json) => named(SchemaBuilder::string(), "io.debezium.data.Json"),
        Kind::Hstore(HstoreMode::Map) => {
            SchemaBuilder::map(Schema::string(), Schema::optional_string())
        }
        Kind::UnknownBytes { .. } => SchemaBuilder::bytes(),
        Kind::Array(element) => scalar_schema(element, scalar),
    }
}

/// Converts one non-null text value; the error is the reason, the caller adds the column.
fn convert(kind: &Kind, schema: &Schema, text: &str) -> Result<Value, String> {
    match kind {
        Kind::Bool => text::boolean(text),
        Kind::Int16 => numeric::int16(text),
        Kind::Int32 => numeric::int32(text),
        Kind::Int64 => numeric::int64(text),
        Kind::Float32 => numeric::float32(text),
        Kind::Float64 => numeric::float64(text),
        Kind::Decimal { scale, .. } => numeric::decimal(text, *scale),
        Kind::VariableDecimal => numeric::variable_scale_decimal(text, schema),
        Kind::DecimalDouble => numeric::decimal_double(text),
        Kind::DecimalString => numeric::decimal_string(text),
        Kind::Str => Ok(Value::String(text.into())),
        Kind::Binary(mode) => text::bytea(text, *mode),
        Kind::Date { connect } => temporal::date(text, *connect),
        Kind::TimeMillis { connect } => temporal::time_millis(text, *connect),
        Kind::TimeMicros => temporal::time_micros(text),
        Kind::TimeTz => temporal::timetz(text),
        Kind::TimestampMillis { connect } => temporal::timestamp_millis(text, *connect),
        Kind::TimestampMicros => temporal::timestamp_micros(text),
        Kind::TimestampTz => temporal::timestamptz(text),
        Kind::Interval(mode) => temporal::interval(text, *mode),
        Kind::Money(mode, scale) => {
            let plain = money::plain_decimal(text)?;
            match mode {
                DecimalMode::Precise => numeric::decimal(&plain, *scale),
                DecimalMode::Double => numeric::decimal_double(&plain),
                DecimalMode::String => numeric::decimal_string(&plain),
            }
        }
        Kind::BitBool => bits::bit_boolean(text),
        Kind::Bits { .. } => bits::bits(text),
        Kind::Point => geometric::point(text, schema),
        Kind::Hstore(mode) => hstore::value(text, *mode),
        Kind::UnknownBytes { geometric: true } => {
            Ok(Value::Bytes(geometric::java_text(text)?.into_bytes()))
        }
        Kind::UnknownBytes { geometric: false } => Ok(Value::Bytes(text.as_bytes().to_vec())),
        Kind::Array(element) => {
            let element_schema = schema
                .value_schema()
                .ok_or_else(|| "array schema without an element schema".to_string())?;
            let items = array::parse(text)?
                .into_iter()
                .map(|item| match item {
                    None => Ok(Value::Null),
                    Some(item) => convert(element, element_schema, &item),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::Array(items))
        }
    }
}
