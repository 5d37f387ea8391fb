//! Partitioners encode records as Confluent's storage-common partitioners do.

use sluice_api::{Schema, SchemaBuilder, SinkRecord, Struct, TimestampType, Type, Value, logical};
use sluice_files::partitioner::TimeBasedPartitioner;
use sluice_files::{Error, Props, TimeZone, partitioner_from_props};

// 2024-05-01T13:07:09.045Z
const T: i64 = 1_714_568_829_045;

fn props(pairs: &[(&str, &str)]) -> Props {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn record(
    partition: i32,
    timestamp: Option<i64>,
    schema: Option<Schema>,
    value: Value,
) -> SinkRecord {
    SinkRecord {
        topic: "orders".into(),
        kafka_partition: partition,
        kafka_offset: 77,
        timestamp,
        timestamp_type: TimestampType::CreateTime,
        key_schema: None,
        key: Value::Null,
        value_schema: schema,
        value,
        encoded_value: None,
        headers: Default::default(),
    }
}

fn order_schema() -> Schema {
    SchemaBuilder::struct_()
        .name("shop.Order")
        .field("region", Schema::string())
        .field("shop", Schema::int32())
        .field("vip", Schema::boolean())
        .field("note", Schema::optional_string())
        .field("price", Schema::float64())
        .field("small", Schema::int8())
        .field("big", Schema::int64())
        .field(
            "country",
            SchemaBuilder::new(Type::String)
                .optional()
                .default_value("NL")
                .build()
                .unwrap(),
        )
        .field("created", logical::timestamp().build().unwrap())
        .field("created_ms", Schema::int64())
        .field("created_iso", Schema::string())
        .build()
        .unwrap()
}

fn order() -> (Schema, Value) {
    let schema = order_schema();
    let s = Struct::new(schema.clone())
        .unwrap()
        .with("region", "eu-west")
        .unwrap()
        .with("shop", 7)
        .unwrap()
        .with("vip", true)
        .unwrap()
        .with("price", 9.5)
        .unwrap()
        .with("small", Value::Int8(-3))
        .unwrap()
        .with("big", Value::Int64(1 << 40))
        .unwrap()
        .with("created", Value::Timestamp(T))
        .unwrap()
        .with("created_ms", Value::Int64(T - 3_600_000))
        .unwrap()
        .with("created_iso", "2023-12-31T23:30:00+01:00")
        .unwrap();
    (schema, Value::Struct(s))
}

#[test]
fn default_partitioner_by_any_class_name() {
    for class in [
        None,
        Some("io.confluent.connect.storage.partitioner.DefaultPartitioner"),
        Some("DefaultPartitioner"),
    ] {
        let p = match class {
            Some(c) => props(&[("partitioner.class", c)]),
            None => props(&[]),
        };
        let partitioner = partitioner_from_props(&p).unwrap();
        assert_eq!(
            partitioner
                .encode_partition(&record(5, None, None, Value::Null), 0)
                .unwrap(),
            "partition=5"
        );
        assert!(partitioner.timestamp_extractor().is_none());
    }
    let err =
        partitioner_from_props(&props(&[("partitioner.class", "com.example.Mine")])).unwrap_err();
    assert!(
        matches!(&err, Error::Config { key, .. } if key == "partitioner.class"),
        "{err}"
    );
}

#[test]
fn field_partitioner_encodes_integer_string_and_boolean_fields() {
    let (schema, value) = order();
    let p = partitioner_from_props(&props(&[
        (
            "partitioner.class",
            "io.confluent.connect.storage.partitioner.FieldPartitioner",
        ),
        (
            "partition.field.name",
            "region, shop,vip,small,big,note,country",
        ),
    ]))
    .unwrap();
    let r = record(0, None, Some(schema), value);
    assert_eq!(
        p.encode_partition(&r, 0).unwrap(),
        "region=eu-west/shop=7/vip=true/small=-3/big=1099511627776/note=null/country=NL"
    );
    let custom = partitioner_from_props(&props(&[
        ("partitioner.class", "FieldPartitioner"),
        ("partition.field.name", "region,shop"),
        ("directory.delim", "#"),
    ]))
    .unwrap();
    let encoded = custom.encode_partition(&r, 0).unwrap();
    assert_eq!(encoded, "region=eu-west#shop=7");
    assert_eq!(
        custom.partitioned_path("orders", &encoded),
        "orders#region=eu-west#shop=7"
    );
}

#[test]
fn field_partitioner_rejects_what_java_rejects() {
    let (schema, value) = order();
    let r = record(0, None, Some(schema), value);
    let fails = |field: &str, r: &SinkRecord| {
        let p = partitioner_from_props(&props(&[
            ("partitioner.class", "FieldPartitioner"),
            ("partition.field.name", field),
        ]))
        .unwrap();
        let err = p.encode_partition(r, 0).unwrap_err();
        assert!(
            matches!(err, Error::Partition { offset: 77, .. }),
            "{field}: {err}"
        );
        err.to_string()
    };
    assert!(fails("price", &r).contains("float64"));
    assert!(fails("missing", &r).contains("missing"));
    assert!(fails("region", &record(0, None, None, Value::String("x".into()))).contains("Struct"));
    assert!(
        partitioner_from_props(&props(&[("partitioner.class", "FieldPartitioner")])).is_err(),
        "no field names"
    );
}

fn time_props(extra: &[(&str, &str)]) -> Props {
    let mut p = props(&[
        (
            "partitioner.class",
            "io.confluent.connect.storage.partitioner.TimeBasedPartitioner",
        ),
        ("partition.duration.ms", "3600000"),
        ("path.format", "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH/"),
        ("locale", "en-US"),
        ("timezone", "UTC"),
        ("timestamp.extractor", "Record"),
    ]);
    for (k, v) in extra {
        p.insert(k.to_string(), v.to_string());
    }
    p
}

#[test]
fn time_based_with_record_timestamps_and_trailing_delimiter() {
    let p = partitioner_from_props(&time_props(&[])).unwrap();
    let r = record(0, Some(T), None, Value::Null);
    let encoded = p.encode_partition(&r, 0).unwrap();
    assert_eq!(encoded, "year=2024/month=05/day=01/hour=13");
    assert_eq!(
        p.partitioned_path("orders", &encoded),
        "orders/year=2024/month=05/day=01/hour=13"
    );
    assert!(p.timestamp_extractor().unwrap().is_deterministic());
    let err = p
        .encode_partition(&record(0, None, None, Value::Null), 0)
        .unwrap_err();
    assert!(err.to_string().contains("no timestamp"), "{err}");
}

#[test]
fn time_based_buckets_by_duration_in_the_zone() {
    // 15-minute buckets: 13:07 → 13:00.
    let p = partitioner_from_props(&time_props(&[
        ("partition.duration.ms", "900000"),
        ("path.format", "YYYY-MM-dd/HH-mm"),
    ]))
    .unwrap();
    assert_eq!(
        p.encode_partition(&record(0, Some(T), None, Value::Null), 0)
            .unwrap(),
        "2024-05-01/13-00"
    );
    // Daily buckets in +11:00: 13:07Z is already 00:07 on May 2 there.
    let p = partitioner_from_props(&time_props(&[
        (
            "partitioner.class",
            "io.confluent.connect.storage.partitioner.DailyPartitioner",
        ),
        ("timezone", "+11:00"),
    ]))
    .unwrap();
    assert_eq!(
        p.encode_partition(&record(0, Some(T), None, Value::Null), 0)
            .unwrap(),
        "year=2024/month=05/day=02"
    );
    // Java's bucket arithmetic truncates toward zero, so instants just before the epoch fall
    // in the bucket starting at the epoch; reproduced on purpose.
    assert_eq!(
        TimeBasedPartitioner::bucket_start(3_600_000, -1, &TimeZone::utc()),
        0
    );
    let hourly =
        partitioner_from_props(&time_props(&[("partitioner.class", "HourlyPartitioner")])).unwrap();
    assert_eq!(
        hourly
            .encode_partition(&record(0, Some(-1), None, Value::Null), 0)
            .unwrap(),
        "year=1970/month=01/day=01/hour=00"
    );
}

#[test]
fn hourly_preset_uses_the_directory_delimiter() {
    let p = partitioner_from_props(&time_props(&[
        ("partitioner.class", "HourlyPartitioner"),
        ("directory.delim", "|"),
        // Presets ignore these two.
        ("partition.duration.ms", "60000"),
        ("path.format", "HH"),
    ]))
    .unwrap();
    assert_eq!(
        p.encode_partition(&record(0, Some(T), None, Value::Null), 0)
            .unwrap(),
        "year=2024|month=05|day=01|hour=13"
    );
}

#[test]
fn wallclock_uses_the_callers_clock() {
    let p = partitioner_from_props(&time_props(&[("timestamp.extractor", "Wallclock")])).unwrap();
    let r = record(0, Some(0), None, Value::Null);
    assert_eq!(
        p.encode_partition(&r, T).unwrap(),
        "year=2024/month=05/day=01/hour=13"
    );
    assert!(!p.timestamp_extractor().unwrap().is_deterministic());
}

#[test]
fn record_field_extractor_reads_timestamps_numbers_iso_strings_and_nested_fields() {
    let (schema, value) = order();
    let r = record(0, None, Some(schema.clone()), value.clone());
    let encode = |field: &str, r: &SinkRecord| {
        partitioner_from_props(&time_props(&[
            ("timestamp.extractor", "RecordField"),
            ("timestamp.field", field),
        ]))
        .unwrap()
        .encode_partition(r, 0)
    };
    assert_eq!(
        encode("created", &r).unwrap(),
        "year=2024/month=05/day=01/hour=13"
    );
    assert_eq!(
        encode("created_ms", &r).unwrap(),
        "year=2024/month=05/day=01/hour=12"
    );
    assert_eq!(
        encode("created_iso", &r).unwrap(),
        "year=2023/month=12/day=31/hour=22"
    );
    assert!(encode("price", &r).is_err());
    assert!(encode("nope", &r).is_err());

    // Nested: a struct inside the value, and a schemaless map.
    let outer_schema = SchemaBuilder::struct_()
        .field("order", schema)
        .build()
        .unwrap();
    let outer = Struct::new(outer_schema.clone())
        .unwrap()
        .with("order", value)
        .unwrap();
    let nested = record(0, None, Some(outer_schema), Value::Struct(outer));
    assert_eq!(
        encode("order.created", &nested).unwrap(),
        "year=2024/month=05/day=01/hour=13"
    );
    let map = Value::Map(vec![(
        Value::String("meta".into()),
        Value::Map(vec![(Value::String("ts".into()), Value::Int64(T))]),
    )]);
    let schemaless = record(0, None, None, map);
    assert_eq!(
        encode("meta.ts", &schemaless).unwrap(),
        "year=2024/month=05/day=01/hour=13"
    );
}

#[test]
fn time_based_config_errors_name_the_key() {
    let key_of = |extra: &[(&str, &str)]| match partitioner_from_props(&time_props(extra)) {
        Err(Error::Config { key, .. }) => key,
        other => panic!("expected a config error, got {other:?}"),
    };
    assert_eq!(
        key_of(&[("partition.duration.ms", "-1")]),
        "partition.duration.ms"
    );
    assert_eq!(
        key_of(&[("partition.duration.ms", "0")]),
        "partition.duration.ms"
    );
    assert_eq!(key_of(&[("path.format", "/")]), "path.format");
    assert_eq!(key_of(&[("path.format", "YYYY/MMM")]), "path.format");
    assert_eq!(key_of(&[("locale", " ")]), "locale");
    assert_eq!(key_of(&[("timezone", "")]), "timezone");
    assert_eq!(key_of(&[("timezone", "Europe/Paris")]), "timezone");
    assert_eq!(
        key_of(&[("timestamp.extractor", "Mine")]),
        "timestamp.extractor"
    );
}
