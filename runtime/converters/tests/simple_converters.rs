//! StringConverter, ByteArrayConverter and the header converters behave as Kafka's.

use sluice_api::{Decimal, Schema, SchemaBuilder, Struct, Value};
use sluice_converters::{
    ByteArrayConverter, Converter, ConverterConfig, Error, HeaderConverter, JsonConverter,
    SimpleHeaderConverter, StringConverter,
};

fn string_conv() -> StringConverter {
    let mut c = StringConverter::new();
    c.configure(&ConverterConfig::new(), true).unwrap();
    c
}

#[test]
fn string_converter_writes_java_to_string() {
    let c = string_conv();
    let w = |v: Value| String::from_utf8(c.from_connect("t", None, &v).unwrap().unwrap()).unwrap();
    assert_eq!(w("héllo".into()), "héllo");
    assert_eq!(w(42i32.into()), "42");
    assert_eq!(w(true.into()), "true");
    assert_eq!(w(1.0e10f64.into()), "1.0E10");
    assert_eq!(w(0.5f32.into()), "0.5");
    assert_eq!(w(Value::Float64(f64::NAN)), "NaN");
    assert_eq!(w(Value::Decimal(Decimal::from_i128(156, 2))), "1.56");
    assert_eq!(
        c.from_connect("t", Some(&Schema::string()), &Value::Null)
            .unwrap(),
        None
    );
    let s = SchemaBuilder::struct_()
        .field("a", Schema::int32())
        .build()
        .unwrap();
    let st = Struct::new(s).unwrap().with("a", 1i32).unwrap();
    let e = c.from_connect("t", None, &Value::Struct(st)).unwrap_err();
    assert!(matches!(e, Error::Serialize { what: "key", .. }), "{e:?}");
}

#[test]
fn string_converter_reads_optional_strings() {
    let c = string_conv();
    let r = c.to_connect("t", Some("abc".as_bytes())).unwrap();
    assert_eq!(r.schema, Some(Schema::optional_string()));
    assert_eq!(r.value, Value::String("abc".into()));
    let r = c.to_connect("t", None).unwrap();
    assert_eq!(r.schema, Some(Schema::optional_string()));
    assert!(r.value.is_null());
    // Invalid UTF-8 is replaced, as Java's decoder does.
    let r = c.to_connect("t", Some(&[b'a', 0xff])).unwrap();
    assert_eq!(r.value, Value::String("a\u{fffd}".into()));
}

#[test]
fn string_converter_rejects_other_encodings_naming_the_key() {
    let mut config = ConverterConfig::new();
    config.insert("converter.encoding".into(), "UTF-16".into());
    let e = StringConverter::new()
        .configure(&config, false)
        .unwrap_err();
    assert!(
        matches!(&e, Error::Config { key, .. } if key == "converter.encoding"),
        "{e:?}"
    );
    config.insert("converter.encoding".into(), "utf-8".into());
    StringConverter::new().configure(&config, false).unwrap();
}

#[test]
fn byte_array_converter_passes_bytes_through() {
    let mut c = ByteArrayConverter::new();
    c.configure(&ConverterConfig::new(), false).unwrap();
    let bytes = vec![0u8, 1, 255];
    assert_eq!(
        c.from_connect("t", Some(&Schema::bytes()), &Value::Bytes(bytes.clone()))
            .unwrap(),
        Some(bytes.clone())
    );
    assert_eq!(c.from_connect("t", None, &Value::Null).unwrap(), None);
    let r = c.to_connect("t", Some(&bytes)).unwrap();
    assert_eq!(
        (r.schema, r.value),
        (Some(Schema::optional_bytes()), Value::Bytes(bytes))
    );
    let e = c
        .from_connect("t", Some(&Schema::string()), &"x".into())
        .unwrap_err();
    assert!(e.to_string().contains("STRING"), "{e}");
    assert!(c.from_connect("t", None, &"x".into()).is_err());
}

#[test]
fn golden_debezium_headers_round_trip_through_the_simple_header_converter() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/golden/events/pg/all_records.jsonl");
    let text = std::fs::read_to_string(path).unwrap();
    let c = SimpleHeaderConverter;
    let mut n = 0;
    for line in text.lines() {
        let r: serde_json::Value = serde_json::from_str(line).unwrap();
        for h in r["headers"].as_array().unwrap() {
            let key = h[0].as_str().unwrap();
            let Some(value) = h[1].as_str() else { continue };
            let read = c
                .to_connect_header("t", key, Some(value.as_bytes()))
                .unwrap();
            let written = c
                .from_connect_header("t", key, read.schema.as_ref(), &read.value)
                .unwrap()
                .unwrap();
            assert_eq!(written, value.as_bytes());
            // The borrowing form (used by the source task loop) writes the same bytes.
            let borrowed = c
                .from_connect_header_ref("t", key, read.schema.as_ref(), &read.value)
                .unwrap()
                .unwrap();
            assert_eq!(&*borrowed, value.as_bytes());
            n += 1;
        }
    }
    assert!(n > 100, "only {n} headers checked");
}

#[test]
fn json_converter_serves_as_header_converter() {
    let mut c = JsonConverter::default();
    c.configure_header(&ConverterConfig::new()).unwrap();
    let bytes = c
        .from_connect_header("t", "h", Some(&Schema::int32()), &Value::Int32(7))
        .unwrap()
        .unwrap();
    assert_eq!(
        bytes,
        br#"{"schema":{"type":"int32","optional":false},"payload":7}"#
    );
    let read = c.to_connect_header("t", "h", Some(&bytes)).unwrap();
    assert_eq!(read.value, Value::Int32(7));
    let e = c.to_connect_header("t", "h", Some(b"{")).unwrap_err();
    assert!(e.to_string().contains("header"), "{e}");
}
