//! Avro throughput on the same typical Debezium change event as `envelope.rs` (a 10-column row in
//! the PostgreSQL connector's envelope, benches/fixtures/envelope_10col.json).
//!
//! `cargo bench -p sluice-converters --bench avro_envelope`. The schema is known in every case:
//! this measures the per-record hot path (direct encoding over the compiled plan, wire header
//! included; decoding into Connect structs), not registry round trips, which happen once per
//! schema.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sluice_converters::avro::{
    AvroDataConfig, AvroReader, AvroWriter, from_connect_schema, parse_schema, schema_text, wire,
};
use sluice_converters::{Converter, ConverterConfig, JsonConverter};

fn avro(c: &mut Criterion) {
    let mut json = JsonConverter::default();
    json.configure(&ConverterConfig::new(), false)
        .expect("JsonConverter");
    let event = json
        .to_connect(
            "orders",
            Some(include_bytes!("fixtures/envelope_10col.json")),
        )
        .expect("fixture parses");
    let schema = event.schema.clone().expect("fixture has a schema");
    let config = AvroDataConfig::default();
    let avro = from_connect_schema(&schema, &config).expect("maps to Avro");
    let writer = AvroWriter::new(&schema, &avro).expect("writer");
    let reader = AvroReader::new(
        &parse_schema(&schema_text(&avro).expect("text")).expect("parses"),
        None,
        &config,
    )
    .expect("reader");
    let mut bytes = Vec::new();
    wire::write_header(&mut bytes, 1);
    writer.write(&event.value, &mut bytes).expect("encodes");

    let mut g = c.benchmark_group("avro");
    g.throughput(Throughput::Elements(1));
    g.bench_function("encode", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(256);
            wire::write_header(&mut out, 1);
            writer.write(&event.value, &mut out).expect("encodes");
            out
        })
    });
    g.bench_function("decode", |b| {
        b.iter(|| {
            let (_, body) = wire::split(&bytes).expect("framed");
            reader.read(body).expect("decodes")
        })
    });
    g.bench_function("schema_text", |b| {
        b.iter(|| schema_text(&from_connect_schema(&schema, &config).expect("maps")).expect("text"))
    });
    g.finish();
}

criterion_group!(benches, avro);
criterion_main!(benches);
