//! Bad input never panics and always gets an error that says what is wrong: wrong magic byte,
//! bytes too short for the header, an unreachable registry (a retriable error), truncated and
//! garbage Avro bodies, hostile lengths and counts, and Connect values that do not fit their
//! schema (reported with the field path, before any registry call).

use proptest::prelude::*;
use sluice_api::{Decimal, Schema, SchemaBuilder, Struct, Value, logical};
use sluice_converters::avro::{
    AvroDataConfig, AvroReader, AvroWriter, from_connect_schema, parse_schema, wire,
};
use sluice_converters::{AvroConverter, Converter, ConverterConfig, Error};

fn golden(path: &str) -> String {
    std::fs::read_to_string(sluice_testkit::golden(path)).unwrap()
}

/// (schema text, body) of every golden PostgreSQL record with a value.
fn golden_bodies() -> Vec<(String, Vec<u8>)> {
    let reg: serde_json::Value =
        serde_json::from_str(&golden("events/pg/avro/registry.json")).unwrap();
    let mut out = Vec::new();
    for l in golden("events/pg/avro/avro_records.jsonl").lines() {
        let r: serde_json::Value = serde_json::from_str(l).unwrap();
        let Some(h) = r["value_avro_hex"].as_str() else {
            continue;
        };
        let bytes: Vec<u8> = (0..h.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
            .collect();
        let (id, body) = wire::split(&bytes).unwrap();
        let text = reg
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"].as_u64() == Some(u64::from(id)))
            .unwrap()["schema"]
            .as_str()
            .unwrap()
            .to_string();
        out.push((text, body.to_vec()));
    }
    out
}

fn reader(text: &str) -> AvroReader {
    AvroReader::new(
        &parse_schema(text).unwrap(),
        None,
        &AvroDataConfig::default(),
    )
    .unwrap()
}

/// A converter pointed at a port where nothing listens.
fn unreachable_converter(is_key: bool) -> AvroConverter {
    let mut cfg = ConverterConfig::new();
    cfg.insert("schema.registry.url".into(), "http://127.0.0.1:9".into());
    let mut c = AvroConverter::default();
    c.configure(&cfg, is_key).unwrap();
    c
}

#[test]
fn wire_header_errors() {
    assert!(wire::split(&[]).unwrap_err().contains("empty"));
    let e = wire::split(&[1, 0, 0, 0, 1, 2]).unwrap_err();
    assert!(e.contains("Unknown magic byte 0x01"), "{e}");
    let e = wire::split(&[0, 0, 1]).unwrap_err();
    assert!(e.contains("too short"), "{e}");
    assert_eq!(wire::split(&[0, 0, 0, 1, 2, 9]).unwrap(), (258, &[9u8][..]));
}

#[test]
fn converter_rejects_foreign_bytes_before_asking_the_registry() {
    let c = unreachable_converter(false);
    let e = c.to_connect("t", Some(br#"{"schema":null}"#)).unwrap_err();
    match &e {
        Error::Deserialize {
            topic,
            what,
            message,
        } => {
            assert_eq!((topic.as_str(), *what), ("t", "value"));
            assert!(message.contains("Unknown magic byte 0x7b"), "{message}");
        }
        other => panic!("expected a deserialization error, got {other:?}"),
    }
    assert!(!e.is_retriable());
    assert!(matches!(
        c.to_connect("t", Some(&[0, 0])),
        Err(Error::Deserialize { .. })
    ));
    assert_eq!(
        c.to_connect("t", None).unwrap(),
        sluice_api::SchemaAndValue::NULL
    );
    assert_eq!(c.from_connect("t", None, &Value::Null).unwrap(), None);
}

#[test]
fn unconfigured_converter_names_the_missing_key() {
    let e = AvroConverter::default()
        .to_connect("t", Some(&[0, 0, 0, 0, 1]))
        .unwrap_err();
    assert!(
        matches!(&e, Error::Config { key, .. } if key == "schema.registry.url"),
        "{e}"
    );
    let mut c = AvroConverter::default();
    let e = c.configure(&ConverterConfig::new(), false).unwrap_err();
    assert!(
        matches!(&e, Error::Config { key, .. } if key == "schema.registry.url"),
        "{e}"
    );
    let mut cfg = ConverterConfig::new();
    cfg.insert("schema.registry.url".into(), "localhost:8081".into());
    assert!(
        matches!(c.configure(&cfg, false), Err(Error::Config { key, .. }) if key == "schema.registry.url")
    );
    cfg.insert("schema.registry.url".into(), "http://localhost:8081".into());
    cfg.insert(
        "value.subject.name.strategy".into(),
        "io.example.Nope".into(),
    );
    assert!(
        matches!(c.configure(&cfg, false), Err(Error::Config { key, .. }) if key == "value.subject.name.strategy")
    );
    cfg.remove("value.subject.name.strategy");
    cfg.insert("basic.auth.credentials.source".into(), "USER_INFO".into());
    assert!(
        matches!(c.configure(&cfg, false), Err(Error::Config { key, .. }) if key == "basic.auth.user.info")
    );
}

#[test]
fn unreachable_registry_is_a_retriable_error() {
    let c = unreachable_converter(true);
    let e = c.to_connect("t", Some(&[0, 0, 0, 0, 42, 2])).unwrap_err();
    match &e {
        Error::Registry { request, .. } => assert!(request.contains("id 42"), "{request}"),
        other => panic!("expected a registry error, got {other:?}"),
    }
    assert!(e.is_retriable(), "{e}");

    let schema = SchemaBuilder::struct_()
        .name("k.Key")
        .field("id", Schema::int64())
        .build()
        .unwrap();
    let value = Value::Struct(
        Struct::new(schema.clone())
            .unwrap()
            .with("id", 5i64)
            .unwrap(),
    );
    let e = c.from_connect("t", Some(&schema), &value).unwrap_err();
    assert!(
        matches!(&e, Error::Registry { request, .. } if request.contains("'t-key'")),
        "{e}"
    );
    assert!(e.is_retriable());
}

#[test]
fn a_value_that_does_not_fit_fails_before_the_registry_is_asked() {
    let c = unreachable_converter(false);
    let schema = SchemaBuilder::struct_()
        .name("v.Value")
        .field("id", Schema::int64())
        .build()
        .unwrap();
    // A struct of another schema with the same shape but another name.
    let other = SchemaBuilder::struct_()
        .name("v.Other")
        .field("id", Schema::int64())
        .build()
        .unwrap();
    let value = Value::Struct(Struct::new(other).unwrap().with("id", 5i64).unwrap());
    let e = c.from_connect("t", Some(&schema), &value).unwrap_err();
    assert!(
        matches!(&e, Error::Serialize { message, .. } if message.contains("Mismatching struct schema")),
        "{e}"
    );
    assert!(!e.is_retriable());
}

#[test]
fn truncated_bodies_are_errors() {
    for (text, body) in golden_bodies().into_iter().take(12) {
        let r = reader(&text);
        r.read(&body).unwrap();
        for cut in 0..body.len() {
            let e = r
                .read(&body[..cut])
                .expect_err("a truncated body must not decode");
            let msg = e.to_string();
            assert!(
                msg.contains("truncated") || msg.contains("at byte"),
                "{msg}"
            );
        }
    }
}

#[test]
fn hostile_lengths_and_indexes_are_errors() {
    let s = |t: &str| reader(t);
    // A string claiming 2^62 bytes.
    let e = s(r#""string""#)
        .read(&[0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])
        .unwrap_err();
    assert!(e.to_string().contains("exceeds what is left"), "{e}");
    // A negative length.
    assert!(
        s(r#""bytes""#)
            .read(&[0x01])
            .unwrap_err()
            .to_string()
            .contains("negative length")
    );
    // A varint of 11 bytes.
    let e = s(r#""long""#).read(&[0xff; 11]).unwrap_err();
    assert!(e.to_string().contains("malformed varint"), "{e}");
    // An int out of range.
    assert!(
        s(r#""int""#)
            .read(&[0x80, 0x80, 0x80, 0x80, 0x20])
            .unwrap_err()
            .to_string()
            .contains("out of range")
    );
    // An array announcing a billion longs in three bytes.
    let e = s(r#"{"type":"array","items":"long"}"#)
        .read(&[0x80, 0xa8, 0xd6, 0xb9, 0x07, 0x02])
        .unwrap_err();
    assert!(e.to_string().contains("cannot fit"), "{e}");
    // A union index out of range.
    let e = s(r#"["null","string"]"#).read(&[0x04]).unwrap_err();
    assert!(
        e.to_string().contains("union branch index 2 out of range"),
        "{e}"
    );
    // Invalid UTF-8.
    assert!(
        s(r#""string""#)
            .read(&[0x04, 0xc3, 0x28])
            .unwrap_err()
            .to_string()
            .contains("UTF-8")
    );
    // An empty decimal.
    let dec = r#"{"type":"bytes","scale":2,"precision":10,"connect.version":1,"connect.parameters":{"scale":"2"},"connect.name":"org.apache.kafka.connect.data.Decimal","logicalType":"decimal"}"#;
    assert!(s(dec).read(&[0x00]).is_err());
}

#[test]
fn values_that_do_not_fit_are_reported_with_their_path() {
    let inner = SchemaBuilder::struct_()
        .name("a.Inner")
        .field("n", Schema::int32())
        .field("d", logical::decimal(2).optional().build().unwrap())
        .field("t", logical::time().optional().build().unwrap())
        .build()
        .unwrap();
    let outer = SchemaBuilder::struct_()
        .name("a.Outer")
        .field("inner", inner.clone())
        .build()
        .unwrap();
    let avro = from_connect_schema(&outer, &AvroDataConfig::default()).unwrap();
    let writer = AvroWriter::new(&outer, &avro).unwrap();
    let write = |inner_value: Struct| {
        let v = Value::Struct(
            Struct::new(outer.clone())
                .unwrap()
                .with("inner", inner_value)
                .unwrap(),
        );
        let mut out = Vec::new();
        writer.write(&v, &mut out).map(|_| out)
    };
    // Fine.
    write(Struct::new(inner.clone()).unwrap().with("n", 1i32).unwrap()).unwrap();
    // Struct::put validates what it is given, so the bad values the writer can meet are unset
    // required fields: at the top level, and inside a nested struct.
    let mut out = Vec::new();
    let e = writer
        .write(
            &Value::Struct(Struct::new(outer.clone()).unwrap()),
            &mut out,
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("'inner'") && e.contains("null"), "{e}");
    let inner_writer = AvroWriter::new(
        &inner,
        &from_connect_schema(&inner, &AvroDataConfig::default()).unwrap(),
    )
    .unwrap();
    let e = inner_writer
        .write(
            &Value::Struct(Struct::new(inner.clone()).unwrap()),
            &mut out,
        )
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("'n'") && e.contains("Found null value for non-optional schema"),
        "{e}"
    );
    // A wrong top-level value kind.
    let mut out = Vec::new();
    let e = writer
        .write(&Value::Int32(3), &mut out)
        .unwrap_err()
        .to_string();
    assert!(e.contains("Int32") && e.contains("record"), "{e}");
    // A decimal of another scale, through a writer over the bare decimal schema.
    let dec_schema = logical::decimal(2).build().unwrap();
    let dec_writer = AvroWriter::new(
        &dec_schema,
        &from_connect_schema(&dec_schema, &AvroDataConfig::default()).unwrap(),
    )
    .unwrap();
    let e = dec_writer
        .write(&Value::Decimal(Decimal::from_i128(5, 3)), &mut out)
        .unwrap_err()
        .to_string();
    assert!(e.contains("mismatching scale"), "{e}");
    // A Time beyond one day.
    let time_schema = logical::time().build().unwrap();
    let time_writer = AvroWriter::new(
        &time_schema,
        &from_connect_schema(&time_schema, &AvroDataConfig::default()).unwrap(),
    )
    .unwrap();
    assert!(
        time_writer
            .write(&Value::Time(90_000_000), &mut out)
            .is_err()
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Random bytes, and golden bodies with one byte changed, never panic the reader.
    #[test]
    fn garbage_never_panics(garbage in prop::collection::vec(any::<u8>(), 0..64), at in any::<usize>(), byte in any::<u8>()) {
        for (text, body) in golden_bodies().into_iter().step_by(7) {
            let r = reader(&text);
            let _ = r.read(&garbage);
            let mut changed = body.clone();
            let i = at % changed.len();
            changed[i] = byte;
            let _ = r.read(&changed);
        }
    }
}
