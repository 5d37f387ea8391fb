//! Byte-exactness against Kafka's JsonConverter: every key and value Debezium (PostgreSQL and
//! MySQL connectors) wrote through Java's JsonConverter (`schemas.enable=true`) is read by Sluice's
//! JsonConverter and written back, and must come out identical; the customers envelope is also
//! built from scratch with the Sluice API and must serialise to the golden bytes.

use std::path::PathBuf;

use sluice_api::{Schema, SchemaBuilder, Struct, Value};
use sluice_converters::{Converter, ConverterConfig, JsonConverter};

fn golden_dir() -> PathBuf {
    sluice_testkit::golden("events")
}

struct GoldenRecord {
    line: usize,
    topic: String,
    key: Option<String>,
    value: Option<String>,
}

fn records(connector: &str) -> Vec<GoldenRecord> {
    let path = golden_dir().join(connector).join("all_records.jsonl");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read the golden file {}: {e}", path.display()));
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let r: serde_json::Value = serde_json::from_str(l).unwrap();
            GoldenRecord {
                line: i + 1,
                topic: r["topic"].as_str().unwrap().to_string(),
                key: r["key_text"].as_str().map(str::to_string),
                value: r["value_text"].as_str().map(str::to_string),
            }
        })
        .collect()
}

fn converter(is_key: bool) -> JsonConverter {
    let mut c = JsonConverter::default();
    c.configure(&ConverterConfig::new(), is_key).unwrap();
    c
}

fn assert_round_trip(connector: &str) -> usize {
    let keys = converter(true);
    let values = converter(false);
    let recs = records(connector);
    assert!(
        recs.len() >= 40,
        "{connector}: too few golden records ({})",
        recs.len()
    );
    let mut checked = 0;
    for r in &recs {
        for (conv, text, what) in [(&keys, &r.key, "key"), (&values, &r.value, "value")] {
            let bytes = text.as_ref().map(|t| t.as_bytes());
            let read = conv
                .to_connect(&r.topic, bytes)
                .unwrap_or_else(|e| panic!("{connector} line {} {what}: {e}", r.line));
            let written = conv
                .from_connect(&r.topic, read.schema.as_ref(), &read.value)
                .unwrap_or_else(|e| panic!("{connector} line {} {what}: {e}", r.line));
            match (text, written) {
                (None, None) => {}
                (Some(expected), Some(actual)) => {
                    let actual = String::from_utf8(actual).unwrap();
                    if *expected != actual {
                        let at = expected
                            .bytes()
                            .zip(actual.bytes())
                            .position(|(a, b)| a != b)
                            .unwrap_or(expected.len().min(actual.len()));
                        let from = at.saturating_sub(80);
                        panic!(
                            "{connector} line {} {what} differs at byte {at}:\n golden: …{}\n sluice: …{}",
                            r.line,
                            &expected[from..(at + 80).min(expected.len())],
                            &actual[from..(at + 80).min(actual.len())],
                        );
                    }
                }
                (expected, actual) => panic!(
                    "{connector} line {} {what}: golden is {:?}, Sluice wrote {:?}",
                    r.line,
                    expected.is_some(),
                    actual.map(|a| String::from_utf8_lossy(&a).into_owned())
                ),
            }
            checked += 1;
        }
    }
    checked
}

#[test]
fn every_postgres_record_round_trips_byte_for_byte() {
    assert_eq!(assert_round_trip("pg"), 2 * records("pg").len());
}

#[test]
fn every_mysql_record_round_trips_byte_for_byte() {
    assert_eq!(assert_round_trip("mysql"), 2 * records("mysql").len());
}

/// Debezium's PostgreSQL `customers` envelope, built with the Sluice API.
fn customers_envelope() -> Schema {
    let row = SchemaBuilder::struct_()
        .name("dbserver1.inventory.customers.Value")
        .field(
            "id",
            SchemaBuilder::int32().default_value(0i32).build().unwrap(),
        )
        .field("first_name", Schema::string())
        .field("last_name", Schema::string())
        .field("email", Schema::string())
        .optional()
        .build()
        .unwrap();
    let snapshot = SchemaBuilder::string()
        .name("io.debezium.data.Enum")
        .version(1)
        .parameter(
            "allowed",
            "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental",
        )
        .default_value("false")
        .optional()
        .build()
        .unwrap();
    let source = SchemaBuilder::struct_()
        .name("io.debezium.connector.postgresql.Source")
        .version(1)
        .field("version", Schema::string())
        .field("connector", Schema::string())
        .field("name", Schema::string())
        .field("ts_ms", Schema::int64())
        .field("snapshot", snapshot)
        .field("db", Schema::string())
        .field("sequence", Schema::optional_string())
        .field("ts_us", Schema::optional_int64())
        .field("ts_ns", Schema::optional_int64())
        .field("schema", Schema::string())
        .field("table", Schema::string())
        .field("txId", Schema::optional_int64())
        .field("lsn", Schema::optional_int64())
        .field("xmin", Schema::optional_int64())
        .field("origin", Schema::optional_string())
        .field("origin_lsn", Schema::optional_int64())
        .build()
        .unwrap();
    let block = SchemaBuilder::struct_()
        .name("event.block")
        .version(1)
        .field("id", Schema::string())
        .field("total_order", Schema::int64())
        .field("data_collection_order", Schema::int64())
        .optional()
        .build()
        .unwrap();
    SchemaBuilder::struct_()
        .name("dbserver1.inventory.customers.Envelope")
        .version(2)
        .field("before", row.clone())
        .field("after", row)
        .field("source", source)
        .field("transaction", block)
        .field("op", Schema::string())
        .field("ts_ms", Schema::optional_int64())
        .field("ts_us", Schema::optional_int64())
        .field("ts_ns", Schema::optional_int64())
        .build()
        .unwrap()
}

#[test]
fn customers_envelope_schema_and_value_match_the_golden() {
    let golden = records("pg")
        .into_iter()
        .find(|r| r.topic == "dbserver1.inventory.customers" && r.value.is_some())
        .expect("a customers record in the golden data");
    let conv = converter(false);
    let expected_schema = customers_envelope();
    let read = conv
        .to_connect(&golden.topic, golden.value.as_deref().map(str::as_bytes))
        .unwrap();
    assert_eq!(read.schema.as_ref(), Some(&expected_schema));

    // Build the first snapshot record from scratch and compare bytes.
    let row_schema = expected_schema.field("after").unwrap().schema().clone();
    let after = Struct::new(row_schema)
        .unwrap()
        .with("id", 1i32)
        .unwrap()
        .with("first_name", "Sally")
        .unwrap()
        .with("last_name", "Thomas")
        .unwrap()
        .with("email", "sally.thomas@acme.com")
        .unwrap();
    let source_schema = expected_schema.field("source").unwrap().schema().clone();
    let source = Struct::new(source_schema)
        .unwrap()
        .with("version", "3.6.3.Final")
        .unwrap()
        .with("connector", "postgresql")
        .unwrap()
        .with("name", "dbserver1")
        .unwrap()
        .with("ts_ms", 1795294179828i64)
        .unwrap()
        .with("snapshot", "first_in_data_collection")
        .unwrap()
        .with("db", "inventory")
        .unwrap()
        .with("sequence", "[null,\"478745296\"]")
        .unwrap()
        .with("ts_us", 1795294179828813i64)
        .unwrap()
        .with("ts_ns", 1795294179828813000i64)
        .unwrap()
        .with("schema", "inventory")
        .unwrap()
        .with("table", "customers")
        .unwrap()
        .with("txId", 2457i64)
        .unwrap()
        .with("lsn", 478745296i64)
        .unwrap();
    let envelope = Struct::new(expected_schema.clone())
        .unwrap()
        .with("after", after)
        .unwrap()
        .with("source", source)
        .unwrap()
        .with("op", "r")
        .unwrap()
        .with("ts_ms", 1795294179964i64)
        .unwrap()
        .with("ts_us", 1795294179964968i64)
        .unwrap()
        .with("ts_ns", 1795294179964968922i64)
        .unwrap();
    assert_eq!(read.value, Value::Struct(envelope.clone()));
    let bytes = conv
        .from_connect(
            &golden.topic,
            Some(&expected_schema),
            &Value::Struct(envelope),
        )
        .unwrap()
        .unwrap();
    assert_eq!(String::from_utf8(bytes).unwrap(), golden.value.unwrap());
}
