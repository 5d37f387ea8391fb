//! The offset store: one scenario suite run against the memory, file and Kafka stores — offsets
//! read back by a new store instance (a restarted worker), lookups by exact key bytes,
//! tombstones, last write wins within a batch — plus golden checks on Kafka: an offset written by
//! Sluice has Java's key bytes, value bytes and partition, and offsets Java wrote (among junk
//! records) are found by Sluice; and the file's format.

use std::time::Duration;

use serde_json::{Map, Value, json};
use sluice_protocol::encode_offset;
use sluice_worker::Error;
use sluice_worker::kafka::{
    Admin, InternalTopic, ProduceRecord, Producer, Properties as Worker, TopicReader,
};
use sluice_worker::stores::{
    FileOffsetStore, KafkaOffsetStore, KafkaStoreSettings, MemoryOffsetStore, OffsetStore,
    OffsetWrite,
};

const WAIT: Duration = Duration::from_secs(30);

fn worker() -> Worker {
    [(
        "bootstrap.servers".into(),
        sluice_testkit::services().kafka().bootstrap,
    )]
    .into()
}

fn map(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

fn write(connector: &str, partition: Value, offset: Option<Value>) -> OffsetWrite {
    OffsetWrite {
        connector: connector.into(),
        partition: map(partition),
        offset: offset.map(map),
    }
}

async fn get<S: OffsetStore>(s: &S, connector: &str, partition: Value) -> Option<Value> {
    s.get(connector, &map(partition))
        .await
        .unwrap()
        .map(Value::Object)
}

/// `make` opens a new store instance on the same storage (a restarted worker).
async fn scenario<S: OffsetStore>(make: impl Fn() -> S) {
    let mut s = make();
    s.start().await.unwrap();
    let a = json!({"server": "a"});
    let b = json!({"server": "b"});
    let two_keys = json!({"db": "inventory", "table": "orders"});
    s.set(vec![
        write("inv", a.clone(), Some(json!({"lsn": 1}))),
        write(
            "inv",
            b.clone(),
            Some(json!({"lsn": 2, "txId": 3, "snapshot": true})),
        ),
        write(
            "other",
            a.clone(),
            Some(json!({"file": "bin.000001", "pos": 4})),
        ),
        write("inv", two_keys.clone(), Some(json!({"pos": 5}))),
        // Last write of a key in a batch wins.
        write("inv", a.clone(), Some(json!({"lsn": 10}))),
    ])
    .await
    .unwrap();
    assert_eq!(get(&s, "inv", a.clone()).await, Some(json!({"lsn": 10})));
    assert_eq!(
        get(&s, "inv", b.clone()).await,
        Some(json!({"lsn": 2, "txId": 3, "snapshot": true}))
    );
    assert_eq!(
        get(&s, "other", a.clone()).await,
        Some(json!({"file": "bin.000001", "pos": 4}))
    );
    assert_eq!(get(&s, "nobody", a.clone()).await, None);
    // Lookups are by exact key bytes, as in Kafka Connect: key order is part of the key.
    assert_eq!(
        get(&s, "inv", two_keys.clone()).await,
        Some(json!({"pos": 5}))
    );
    assert_eq!(
        get(&s, "inv", json!({"table": "orders", "db": "inventory"})).await,
        None
    );
    let mut parts = s.partitions("inv").await.unwrap();
    parts.sort_by_key(|p| Value::Object(p.clone()).to_string());
    assert_eq!(
        parts,
        vec![map(two_keys.clone()), map(a.clone()), map(b.clone())]
    );

    // A tombstone deletes one partition's offset.
    s.set(vec![write("inv", b.clone(), None)]).await.unwrap();
    assert_eq!(get(&s, "inv", b.clone()).await, None);
    assert_eq!(s.partitions("inv").await.unwrap().len(), 2);
    s.stop().await.unwrap();

    let mut restarted = make();
    restarted.start().await.unwrap();
    assert_eq!(
        get(&restarted, "inv", a.clone()).await,
        Some(json!({"lsn": 10}))
    );
    assert_eq!(
        get(&restarted, "inv", b.clone()).await,
        None,
        "the tombstone survives"
    );
    assert_eq!(
        get(&restarted, "other", a).await,
        Some(json!({"file": "bin.000001", "pos": 4}))
    );
    assert_eq!(restarted.partitions("inv").await.unwrap().len(), 2);
    assert_eq!(restarted.partitions("other").await.unwrap().len(), 1);
    restarted.stop().await.unwrap();
}

#[tokio::test]
async fn memory_scenario() {
    let store = MemoryOffsetStore::new();
    scenario(|| store.clone()).await;
}

#[tokio::test]
async fn file_scenario() {
    let path = std::env::temp_dir().join(sluice_testkit::unique_name("offsets"));
    scenario(|| FileOffsetStore::new(&path)).await;
    std::fs::remove_file(&path).unwrap();
}

fn kafka_settings(partitions: i32) -> KafkaStoreSettings {
    let topic = InternalTopic::offsets_topic(sluice_testkit::unique_name("offsets"), partitions, 1);
    KafkaStoreSettings::new(worker(), topic)
}

#[tokio::test]
async fn kafka_scenario() {
    let settings = kafka_settings(25);
    scenario(|| KafkaOffsetStore::new(settings.clone())).await;
}

struct Golden {
    partition: i32,
    key: String,
    value: String,
}

fn golden() -> Vec<Golden> {
    let text = std::fs::read_to_string(sluice_testkit::golden("internal/offsets.jsonl")).unwrap();
    text.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            Golden {
                partition: v["partition"].as_i64().unwrap() as i32,
                key: v["key_text"].as_str().unwrap().into(),
                value: v["value_text"].as_str().unwrap().into(),
            }
        })
        .collect()
}

fn golden_partition() -> Map<String, Value> {
    map(json!({"server": "dbserver1"}))
}

/// Debezium's offset, written through Sluice's store, is the record Java wrote: same key bytes,
/// same value bytes, same partition of a 25-partition topic.
#[tokio::test]
async fn kafka_writes_the_offset_record_java_wrote() {
    let settings = kafka_settings(25);
    let mut s = KafkaOffsetStore::new(settings.clone());
    s.start().await.unwrap();
    let g = golden();
    let last = g.last().unwrap();
    let offset: Value = serde_json::from_str(&last.value).unwrap();
    s.set(vec![write(
        "golden-pg",
        Value::Object(golden_partition()),
        Some(offset),
    )])
    .await
    .unwrap();
    s.stop().await.unwrap();

    let mut reader = TopicReader::open(&worker(), &settings.topic.name, &Worker::new(), WAIT)
        .await
        .unwrap();
    let records = reader.read_to_end(WAIT).await.unwrap();
    assert_eq!(records.len(), 1);
    let r = &records[0];
    assert_eq!(r.key.as_deref(), Some(last.key.as_bytes()));
    assert_eq!(r.value.as_deref(), Some(last.value.as_bytes()));
    assert_eq!(r.partition, last.partition);
}

/// A worker restarted on an offsets topic Java Kafka Connect wrote finds Debezium's latest offset;
/// records Java's reader skips (junk keys) are skipped.
#[tokio::test]
async fn kafka_reads_the_offsets_java_wrote() {
    let settings = kafka_settings(25);
    let admin = Admin::new(&worker(), &Worker::new(), WAIT).unwrap();
    admin.ensure_internal_topic(&settings.topic).await.unwrap();
    let producer = Producer::new(&worker(), &Worker::new()).unwrap();
    let topic = settings.topic.name.as_str();
    let junk: [(Option<&[u8]>, &[u8]); 5] = [
        (None, b"{}"),
        (Some(b"not json"), b"{}"),
        (Some(br#"["only-connector"]"#), b"{}"),
        (Some(br#"[1,{"server":"dbserver1"}]"#), b"{}"),
        (Some(br#"["golden-pg","dbserver1"]"#), b"{}"),
    ];
    for (key, value) in junk {
        let rec = ProduceRecord {
            topic,
            key,
            value: Some(value),
            ..Default::default()
        };
        producer.send(rec).await.unwrap();
    }
    let g = golden();
    for r in &g {
        let rec = ProduceRecord {
            topic,
            key: Some(r.key.as_bytes()),
            value: Some(r.value.as_bytes()),
            ..Default::default()
        };
        let d = producer.send(rec).await.unwrap();
        assert_eq!(
            d.partition, r.partition,
            "the default partitioner is Java's"
        );
    }

    let mut s = KafkaOffsetStore::new(settings.clone());
    s.start().await.unwrap();
    let found = s
        .get("golden-pg", &golden_partition())
        .await
        .unwrap()
        .expect("Java's offset");
    assert_eq!(encode_offset(&found), g.last().unwrap().value.as_bytes());
    assert_eq!(
        s.partitions("golden-pg").await.unwrap(),
        vec![golden_partition()]
    );
    s.stop().await.unwrap();
}

/// A task that moves to another worker resumes from the offset its previous owner committed.
#[tokio::test]
async fn kafka_offsets_of_another_worker_are_seen() {
    let settings = kafka_settings(5);
    let (mut a, mut b) = (
        KafkaOffsetStore::new(settings.clone()),
        KafkaOffsetStore::new(settings),
    );
    a.start().await.unwrap();
    b.start().await.unwrap();
    assert_eq!(get(&b, "moved", json!({"p": 1})).await, None);
    a.set(vec![write(
        "moved",
        json!({"p": 1}),
        Some(json!({"pos": 7})),
    )])
    .await
    .unwrap();
    assert_eq!(
        get(&b, "moved", json!({"p": 1})).await,
        Some(json!({"pos": 7}))
    );
    a.stop().await.unwrap();
    b.stop().await.unwrap();
}

#[tokio::test]
async fn kafka_refuses_a_topic_that_is_not_compacted() {
    let name = sluice_testkit::unique_name("plainoffsets");
    let admin = Admin::new(&worker(), &Worker::new(), WAIT).unwrap();
    assert!(
        admin
            .create_topic(&name, 3, 1, &[("cleanup.policy", "delete")])
            .await
            .unwrap()
    );
    let topic = InternalTopic::offsets_topic(&name, 25, 1);
    let mut s = KafkaOffsetStore::new(KafkaStoreSettings::new(worker(), topic));
    let err = s.start().await.unwrap_err();
    assert!(
        matches!(&err, Error::TopicNotCompacted { policy, .. } if policy == "delete"),
        "{err:?}"
    );
    assert!(err.to_string().contains("source offsets"), "{err}");
}

/// The file holds one JSON line per partition with the offsets topic's exact key and value
/// bytes, is replaced atomically (no temporary file left), and a Java-serialized file is refused.
#[tokio::test]
async fn file_format_is_json_lines_of_the_topic_bytes() {
    let path = std::env::temp_dir().join(sluice_testkit::unique_name("offsetsfile"));
    let mut s = FileOffsetStore::new(&path);
    s.start().await.unwrap();
    let g = golden();
    let last = g.last().unwrap();
    let offset: Value = serde_json::from_str(&last.value).unwrap();
    s.set(vec![write(
        "golden-pg",
        Value::Object(golden_partition()),
        Some(offset),
    )])
    .await
    .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let line: Value = serde_json::from_str(text.trim_end()).unwrap();
    assert_eq!(text.lines().count(), 1);
    assert_eq!(line, json!({"key": last.key, "value": last.value}));
    let mut tmp = path.clone().into_os_string();
    tmp.push(".tmp");
    assert!(!std::path::Path::new(&tmp).exists());

    std::fs::write(&path, [0xac, 0xed, 0x00, 0x05, 0x73, 0x72]).unwrap();
    let err = FileOffsetStore::new(&path).start().await.unwrap_err();
    assert!(
        matches!(err, Error::OffsetFileCorrupt { line: 1, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("Java serialization"), "{err}");
    std::fs::remove_file(&path).unwrap();
}
