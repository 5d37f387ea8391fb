//! Property: Connect → JSON → Connect is the identity, for random schemas (nested structs,
//! arrays, maps with string and non-string keys, optional fields, defaults, names, versions, docs,
//! parameters, decimals, dates, times, timestamps, every primitive) with matching random values,
//! with both decimal formats; and for schemaless values with `schemas.enable=false`.

use proptest::prelude::*;
use proptest::test_runner::Config;
use sluice_api::{Decimal, Schema, SchemaBuilder, Struct, Type, Value, logical};
use sluice_converters::{Converter, ConverterConfig, JsonConverter};

#[derive(Debug, Clone)]
enum Leaf {
    Primitive(Type),
    Decimal(i32),
    Date,
    Time,
    Timestamp,
}

fn leaf_kind() -> impl Strategy<Value = Leaf> {
    prop_oneof![
        4 => prop::sample::select(vec![
            Type::Int8, Type::Int16, Type::Int32, Type::Int64, Type::Float32, Type::Float64,
            Type::Boolean, Type::String, Type::Bytes,
        ])
        .prop_map(Leaf::Primitive),
        1 => (-5i32..20).prop_map(Leaf::Decimal),
        1 => Just(Leaf::Date),
        1 => Just(Leaf::Time),
        1 => Just(Leaf::Timestamp),
    ]
}

/// Optional name, version, doc and parameters (names never clash with Kafka's logical types).
#[derive(Debug, Clone)]
struct Meta {
    name: Option<String>,
    version: Option<i32>,
    doc: Option<String>,
    params: Option<Vec<(String, String)>>,
}

fn meta() -> impl Strategy<Value = Meta> {
    (
        proptest::option::of("[a-z][a-z0-9_.]{0,12}"),
        proptest::option::of(any::<i32>()),
        proptest::option::of("\\PC{0,12}"),
        proptest::option::of(prop::collection::vec(("\\PC{1,6}", "\\PC{0,8}"), 0..3)),
    )
        .prop_map(|(name, version, doc, params)| {
            // Keys must be unique to keep their order meaningful.
            let params = params.map(|ps| {
                let mut seen = std::collections::HashSet::new();
                ps.into_iter()
                    .filter(|(k, _)| seen.insert(k.clone()))
                    .collect()
            });
            Meta {
                name,
                version,
                doc,
                params,
            }
        })
}

fn decorate(mut b: SchemaBuilder, optional: bool, meta: Meta, keep_name: bool) -> SchemaBuilder {
    if optional {
        b = b.optional();
    }
    if let (Some(name), true) = (meta.name, keep_name) {
        b = b.name(name);
    }
    if let (Some(v), true) = (meta.version, keep_name) {
        b = b.version(v);
    }
    if let Some(doc) = meta.doc {
        b = b.doc(doc);
    }
    if let Some(params) = meta.params {
        b = b.parameters(params);
    }
    b
}

fn leaf_schema() -> impl Strategy<Value = Schema> {
    (leaf_kind(), any::<bool>(), meta(), any::<bool>())
        .prop_map(|(kind, optional, meta, with_default_slot)| {
            let b = match kind {
                Leaf::Primitive(t) => decorate(SchemaBuilder::new(t), optional, meta, true),
                Leaf::Decimal(scale) => decorate(
                    logical::decimal(scale),
                    optional,
                    Meta {
                        name: None,
                        version: None,
                        params: None,
                        ..meta
                    },
                    false,
                ),
                Leaf::Date => decorate(logical::date(), optional, meta, false),
                Leaf::Time => decorate(logical::time(), optional, meta, false),
                Leaf::Timestamp => decorate(logical::timestamp(), optional, meta, false),
            };
            (b.build().unwrap(), with_default_slot)
        })
        .prop_flat_map(|(schema, with_default)| {
            let default = if with_default {
                non_null_value(&schema).prop_map(Some).boxed()
            } else {
                Just(None).boxed()
            };
            (Just(schema), default)
        })
        .prop_map(|(schema, default)| match default {
            Some(d) => SchemaBuilder::from_schema(&schema)
                .default_value(d)
                .build()
                .unwrap(),
            None => schema,
        })
}

fn schema_strategy() -> impl Strategy<Value = Schema> {
    leaf_schema().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            (inner.clone(), any::<bool>()).prop_map(|(items, optional)| {
                let b = SchemaBuilder::array(items);
                (if optional { b.optional() } else { b }).build().unwrap()
            }),
            (
                prop::sample::select(vec![Schema::string(), Schema::int32(), Schema::int64()]),
                inner.clone(),
                any::<bool>()
            )
                .prop_map(|(keys, values, optional)| {
                    let b = SchemaBuilder::map(keys, values);
                    (if optional { b.optional() } else { b }).build().unwrap()
                }),
            (
                prop::collection::btree_set("\\PC{1,8}", 1..5),
                prop::collection::vec(inner, 5),
                any::<bool>(),
                meta()
            )
                .prop_map(|(names, schemas, optional, meta)| {
                    let mut b = SchemaBuilder::struct_();
                    for (name, s) in names.into_iter().zip(schemas) {
                        b = b.field(name, s);
                    }
                    decorate(b, optional, meta, true).build().unwrap()
                }),
        ]
    })
}

/// A value that fits `schema` and is never null at the top.
fn non_null_value(schema: &Schema) -> BoxedStrategy<Value> {
    match schema.name() {
        Some(logical::DECIMAL_NAME) => {
            let scale = logical::decimal_scale(schema).unwrap();
            return any::<i128>()
                .prop_map(move |u| Value::Decimal(Decimal::from_i128(u, scale)))
                .boxed();
        }
        Some(logical::DATE_NAME) => return any::<i32>().prop_map(Value::Date).boxed(),
        Some(logical::TIME_NAME) => {
            return (0..logical::MILLIS_PER_DAY).prop_map(Value::Time).boxed();
        }
        Some(logical::TIMESTAMP_NAME) => return any::<i64>().prop_map(Value::Timestamp).boxed(),
        _ => {}
    }
    match schema.ty() {
        Type::Int8 => any::<i8>().prop_map(Value::Int8).boxed(),
        Type::Int16 => any::<i16>().prop_map(Value::Int16).boxed(),
        Type::Int32 => any::<i32>().prop_map(Value::Int32).boxed(),
        Type::Int64 => any::<i64>().prop_map(Value::Int64).boxed(),
        Type::Float32 => proptest::num::f32::ANY.prop_map(Value::Float32).boxed(),
        Type::Float64 => proptest::num::f64::ANY.prop_map(Value::Float64).boxed(),
        Type::Boolean => any::<bool>().prop_map(Value::Boolean).boxed(),
        Type::String => any::<String>()
            .prop_map(|s| Value::String(s.into()))
            .boxed(),
        Type::Bytes => prop::collection::vec(any::<u8>(), 0..12)
            .prop_map(Value::Bytes)
            .boxed(),
        Type::Array => {
            let element = schema.value_schema().unwrap().clone();
            prop::collection::vec(value(&element), 0..4)
                .prop_map(Value::Array)
                .boxed()
        }
        Type::Map => {
            let values = schema.value_schema().unwrap().clone();
            let keys = schema.key_schema().unwrap().clone();
            prop::collection::btree_map(map_key(&keys), value(&values), 0..4)
                .prop_map(|m| Value::Map(m.into_iter().map(|(k, v)| (k.into_value(), v)).collect()))
                .boxed()
        }
        Type::Struct => {
            let fields: Vec<_> = schema.fields().iter().map(|f| value(f.schema())).collect();
            let schema = schema.clone();
            fields
                .prop_map(move |values| {
                    let mut s = Struct::new(schema.clone()).unwrap();
                    for (i, v) in values.into_iter().enumerate() {
                        s.put_at(i, v).unwrap();
                    }
                    Value::Struct(s)
                })
                .boxed()
        }
    }
}

/// A value for `schema`: null sometimes when it is optional and has no default (a null with a
/// default is written as the default, which is not an identity).
fn value(schema: &Schema) -> BoxedStrategy<Value> {
    if schema.is_optional() && schema.default_value().is_none() {
        prop_oneof![1 => Just(Value::Null), 4 => non_null_value(schema)].boxed()
    } else {
        non_null_value(schema)
    }
}

/// Ordered, unique map keys.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    S(String),
    I32(i32),
    I64(i64),
}

impl Key {
    fn into_value(self) -> Value {
        match self {
            Key::S(s) => Value::String(s.into()),
            Key::I32(v) => Value::Int32(v),
            Key::I64(v) => Value::Int64(v),
        }
    }
}

fn map_key(schema: &Schema) -> BoxedStrategy<Key> {
    match schema.ty() {
        Type::String => any::<String>().prop_map(Key::S).boxed(),
        Type::Int32 => any::<i32>().prop_map(Key::I32).boxed(),
        _ => any::<i64>().prop_map(Key::I64).boxed(),
    }
}

fn converter(decimal_format: &str) -> JsonConverter {
    let mut config = ConverterConfig::new();
    config.insert("decimal.format".into(), decimal_format.into());
    let mut c = JsonConverter::default();
    c.configure(&config, false).unwrap();
    c
}

fn schema_and_value() -> impl Strategy<Value = (Schema, Value)> {
    schema_strategy().prop_flat_map(|s| {
        let v = value(&s);
        (Just(s), v)
    })
}

proptest! {
    #![proptest_config(Config { cases: 512, ..Config::default() })]

    #[test]
    fn connect_json_connect_is_the_identity((schema, value) in schema_and_value()) {
        for format in ["BASE64", "NUMERIC"] {
            let conv = converter(format);
            let bytes = conv.from_connect("t", Some(&schema), &value).unwrap().unwrap();
            let back = conv.to_connect("t", Some(&bytes)).unwrap();
            prop_assert_eq!(back.schema.as_ref(), Some(&schema), "{}", String::from_utf8_lossy(&bytes));
            prop_assert_eq!(&back.value, &value, "{}", String::from_utf8_lossy(&bytes));
            // And writing again gives the same bytes.
            let again = conv.from_connect("t", back.schema.as_ref(), &back.value).unwrap().unwrap();
            prop_assert_eq!(again, bytes);
        }
    }

    #[test]
    fn schemaless_json_round_trips(value in schemaless_value()) {
        let mut config = ConverterConfig::new();
        config.insert("schemas.enable".into(), "false".into());
        let mut conv = JsonConverter::default();
        conv.configure(&config, true).unwrap();
        let bytes = conv.from_connect("t", None, &value).unwrap();
        let back = conv.to_connect("t", bytes.as_deref()).unwrap();
        prop_assert!(back.schema.is_none());
        prop_assert_eq!(back.value, value);
    }
}

/// The values JSON can carry without a schema: int64, finite float64, boolean, string, arrays
/// and string-keyed maps.
fn schemaless_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(Value::Int64),
        proptest::num::f64::NORMAL.prop_map(Value::Float64),
        any::<bool>().prop_map(Value::Boolean),
        any::<String>().prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(any::<String>(), inner, 0..4).prop_map(|m| {
                Value::Map(
                    m.into_iter()
                        .map(|(k, v)| (Value::String(k.into()), v))
                        .collect(),
                )
            }),
        ]
    })
}
