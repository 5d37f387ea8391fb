//! The envelope, source block and transaction schemas Sluice builds are the ones Debezium 3.6
//! wrote: for every golden change event (PostgreSQL and MySQL), the envelope built from the
//! event's row schema equals the golden value schema and serializes to the same JSON bytes.

use serde_json::Value as Json;
use sluice_api::Schema;
use sluice_cdc::{
    binlog_source_schema, envelope_schema, postgres_source_schema, transaction_key_schema,
    transaction_value_schema,
};
use sluice_converters::{ConverterConfig, JsonConverter};

fn json_converter() -> JsonConverter {
    let mut cfg = ConverterConfig::new();
    cfg.insert("converter.type".into(), "value".into());
    JsonConverter::from_config(&cfg).unwrap()
}

/// The topic and the key and value schemas (JSON bytes) of one golden record.
struct GoldenSchemas {
    topic: String,
    value: Option<Vec<u8>>,
    key: Option<Vec<u8>>,
}

fn golden(connector: &str) -> Vec<GoldenSchemas> {
    let path = sluice_testkit::golden(&format!("events/{connector}/all_records.jsonl"));
    let schema_of = |text: Option<&str>| {
        text.map(|t| serde_json::from_str::<Json>(t).unwrap())
            .and_then(|v| {
                let s = v.get("schema")?;
                (!s.is_null()).then(|| serde_json::to_vec(s).unwrap())
            })
    };
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|l| {
            let r: Json = serde_json::from_str(l).unwrap();
            GoldenSchemas {
                topic: r["topic"].as_str().unwrap().to_string(),
                value: schema_of(r["value_text"].as_str()),
                key: schema_of(r["key_text"].as_str()),
            }
        })
        .collect()
}

fn check_envelopes(connector: &str, source: &Schema) -> usize {
    let json = json_converter();
    let mut checked = 0;
    for GoldenSchemas { topic, value, .. } in golden(connector) {
        let Some(bytes) = value else { continue };
        let expected = json.schema_from_json(&bytes).unwrap().unwrap();
        if !expected.name().is_some_and(|n| n.ends_with(".Envelope")) {
            continue;
        }
        let row = expected
            .field("before")
            .expect("an envelope has before")
            .schema()
            .clone();
        let built = envelope_schema(&topic, &row, source).unwrap();
        assert_eq!(built, expected, "envelope of {topic}");
        assert_eq!(
            json.schema_to_json(&built).unwrap().as_ref(),
            json.schema_to_json(&expected).unwrap().as_ref()
        );
        checked += 1;
    }
    checked
}

#[test]
fn postgres_envelopes_match_debezium() {
    let n = check_envelopes("pg", &postgres_source_schema().unwrap());
    assert!(n >= 20, "only {n} envelopes checked");
}

#[test]
fn mysql_envelopes_match_debezium() {
    let n = check_envelopes("mysql", &binlog_source_schema("mysql").unwrap());
    assert!(n >= 20, "only {n} envelopes checked");
}

#[test]
fn transaction_topic_schemas_match_debezium() {
    let json = json_converter();
    let mut checked = 0;
    for GoldenSchemas {
        topic,
        value: value_schema,
        key: key_schema,
    } in golden("pg")
    {
        if topic != "dbserver1.transaction" {
            continue;
        }
        let key = json
            .schema_from_json(&key_schema.unwrap())
            .unwrap()
            .unwrap();
        let value = json
            .schema_from_json(&value_schema.unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(transaction_key_schema().unwrap(), key);
        assert_eq!(transaction_value_schema().unwrap(), value);
        checked += 1;
    }
    assert!(checked > 0, "no transaction records in the golden");
}
