//! Every record Java Kafka Connect 4.3 wrote to its internal topics for one connector's life
//! (shared/golden/internal/*.jsonl) decodes, re-encodes to the identical key and value bytes,
//! and lands on the same partition under Kafka's default partitioner.

use serde_json::Value;
use sluice_protocol::murmur2::partition_for_key;
use sluice_protocol::{
    ConfigRecord, OffsetKey, Status, StatusKey, TopicStatus, decode_offset, encode_offset,
};

struct Golden {
    partition: u32,
    key: String,
    value: Option<String>,
}

fn golden(file: &str) -> Vec<Golden> {
    let path = sluice_testkit::golden(&format!("internal/{file}"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let records: Vec<Golden> = text
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            Golden {
                partition: v["partition"].as_u64().unwrap() as u32,
                key: v["key_text"].as_str().unwrap().to_string(),
                value: v["value_text"].as_str().map(str::to_string),
            }
        })
        .collect();
    assert!(!records.is_empty(), "{} has no records", path.display());
    records
}

#[test]
fn config_topic_records_are_byte_identical() {
    let records = golden("configs.jsonl");
    for g in &records {
        let rec = ConfigRecord::decode(&g.key, g.value.as_deref().map(str::as_bytes))
            .unwrap_or_else(|e| panic!("{}: {e}", g.key))
            .unwrap_or_else(|| panic!("{}: not recognised", g.key));
        assert_eq!(rec.key(), g.key);
        let encoded = rec.encode_value().map(|v| String::from_utf8(v).unwrap());
        assert_eq!(encoded, g.value, "value of {}", g.key);
        assert_eq!(partition_for_key(g.key.as_bytes(), 1), g.partition);
    }
    // The life covers every kind the golden run produced.
    for prefix in [
        "session-key",
        "target-state-",
        "connector-",
        "task-",
        "commit-",
    ] {
        assert!(
            records.iter().any(|g| g.key.starts_with(prefix)),
            "no {prefix} record in the golden"
        );
    }
}

#[test]
fn status_topic_records_are_byte_identical() {
    for g in golden("status.jsonl") {
        let key = StatusKey::parse(&g.key).unwrap_or_else(|| panic!("unparsed key {}", g.key));
        assert_eq!(key.to_string(), g.key);
        // Java's status topic has 5 partitions by default (status.storage.partitions).
        assert_eq!(
            partition_for_key(g.key.as_bytes(), 5),
            g.partition,
            "partition of {}",
            g.key
        );
        let Some(value) = g.value else { continue };
        let encoded = match key {
            StatusKey::Topic { .. } => TopicStatus::decode(value.as_bytes()).unwrap().encode(),
            _ => Status::decode(value.as_bytes()).unwrap().encode(),
        };
        assert_eq!(
            String::from_utf8(encoded).unwrap(),
            value,
            "value of {}",
            g.key
        );
    }
}

#[test]
fn offsets_topic_records_are_byte_identical() {
    for g in golden("offsets.jsonl") {
        let key =
            OffsetKey::decode(g.key.as_bytes()).unwrap_or_else(|| panic!("unparsed key {}", g.key));
        assert_eq!(String::from_utf8(key.encode()).unwrap(), g.key);
        // offset.storage.partitions defaults to 25.
        assert_eq!(
            partition_for_key(g.key.as_bytes(), 25),
            g.partition,
            "partition of {}",
            g.key
        );
        let value = decode_offset(g.value.as_deref().map(str::as_bytes)).unwrap();
        let encoded = value.map(|v| String::from_utf8(encode_offset(&v)).unwrap());
        assert_eq!(encoded, g.value, "offset value");
    }
}

#[test]
fn offset_key_matches_debezium_postgres_key() {
    let mut partition = serde_json::Map::new();
    partition.insert("server".into(), Value::String("dbserver1".into()));
    let key = OffsetKey {
        connector: "golden-pg".into(),
        partition,
    };
    assert_eq!(key.encode(), br#"["golden-pg",{"server":"dbserver1"}]"#);
}
