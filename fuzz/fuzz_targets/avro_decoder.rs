//! Arbitrary bytes as Confluent wire-format Avro records of a Debezium envelope (the converter
//! bench's 10-column event), and arbitrary text as Avro schemas: errors, never panics. A record
//! that decodes must re-encode with the same schema.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sluice_converters::avro::{
    AvroDataConfig, AvroReader, AvroWriter, from_connect_schema, parse_schema, to_connect_schema, wire,
};
use sluice_converters::{Converter, ConverterConfig, JsonConverter};

fn codec() -> &'static (AvroReader, AvroWriter) {
    static CODEC: OnceLock<(AvroReader, AvroWriter)> = OnceLock::new();
    CODEC.get_or_init(|| {
        let mut cfg = ConverterConfig::new();
        cfg.insert("converter.type".into(), "value".into());
        let json = JsonConverter::from_config(&cfg).expect("json converter");
        let fixture = include_bytes!("../../runtime/converters/benches/fixtures/envelope_10col.json");
        let event = json.to_connect("fuzz", Some(fixture)).expect("fixture");
        let connect = event.schema.expect("fixture has a schema");
        let data = AvroDataConfig::default();
        let avro = from_connect_schema(&connect, &data).expect("avro schema");
        let reader = AvroReader::new(&avro, None, &data).expect("reader");
        let writer = AvroWriter::new(reader.connect_schema(), &avro).expect("writer");
        (reader, writer)
    })
}

fuzz_target!(|data: &[u8]| {
    let (reader, writer) = codec();
    let body = match wire::split(data) {
        Ok((_, body)) => body,
        Err(_) => data,
    };
    if let Ok(value) = reader.read(body) {
        let mut out = Vec::new();
        writer.write(&value, &mut out).expect("a decoded record re-encodes");
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(schema) = parse_schema(text) {
            let _ = to_connect_schema(&schema, None, &AvroDataConfig::default());
        }
    }
});
