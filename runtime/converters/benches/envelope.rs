//! Converter throughput on a typical Debezium change event: a 10-column row (bigint, texts, int,
//! decimal, timestamps, boolean, double) in the PostgreSQL connector's envelope with its source
//! block (benches/fixtures/envelope_10col.json, ~4 KB as JSON with schema).
//!
//! `cargo bench -p sluice-converters --bench envelope`; results are recorded in
//! docs/benchmarks.md. The schema is known (cached) in every case: this measures the per-record
//! cost on the hot path, not registry or schema-cache misses.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sluice_converters::{Converter, ConverterConfig, JsonConverter};

fn fixture() -> &'static [u8] {
    include_bytes!("fixtures/envelope_10col.json")
}

fn json(c: &mut Criterion) {
    let mut cfg = ConverterConfig::new();
    cfg.insert("converter.type".into(), "value".into());
    let with_schema = JsonConverter::from_config(&cfg).expect("default JsonConverter");
    let event = with_schema
        .to_connect("orders", Some(fixture()))
        .expect("fixture parses");
    let schema = event.schema.clone();
    let bytes = with_schema
        .from_connect("orders", schema.as_ref(), &event.value)
        .unwrap()
        .unwrap();
    assert_eq!(bytes, fixture(), "the fixture round-trips byte for byte");

    let mut schemaless_cfg = cfg.clone();
    schemaless_cfg.insert("schemas.enable".into(), "false".into());
    let schemaless = JsonConverter::from_config(&schemaless_cfg).unwrap();

    let mut g = c.benchmark_group("json");
    g.throughput(Throughput::Elements(1));
    g.bench_function("encode_with_schema", |b| {
        b.iter(|| {
            with_schema
                .from_connect("orders", schema.as_ref(), &event.value)
                .unwrap()
        })
    });
    g.bench_function("encode_schemaless", |b| {
        b.iter(|| {
            schemaless
                .from_connect("orders", schema.as_ref(), &event.value)
                .unwrap()
        })
    });
    g.bench_function("decode_with_schema", |b| {
        b.iter(|| with_schema.to_connect("orders", Some(&bytes)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, json);
criterion_main!(benches);
