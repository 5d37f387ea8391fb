//! The schemas topic holds Confluent Schema Registry's records, byte for byte as Confluent
//! writes them, and a topic Confluent wrote is read as Confluent would read it — so a registry
//! can be switched either way on an existing `_schemas` topic.

mod common;

use std::time::Duration;

use common::{config, record, start, topic};
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use serde_json::json;

/// Every (key, value) of partition 0 of `topic`, as text.
async fn read_all(topic: &str) -> Vec<(String, Option<String>)> {
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", config(topic).bootstrap_servers)
        .set("group.id", "sluice-test-reader")
        .set("enable.partition.eof", "true")
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(topic, 0, Offset::Beginning)
        .unwrap();
    consumer.assign(&tpl).unwrap();
    let mut out = Vec::new();
    loop {
        match tokio::time::timeout(Duration::from_secs(20), consumer.recv())
            .await
            .expect("read the topic")
        {
            Ok(m) => out.push((
                String::from_utf8(m.key().unwrap().to_vec()).unwrap(),
                m.payload().map(|p| String::from_utf8(p.to_vec()).unwrap()),
            )),
            Err(rdkafka::error::KafkaError::PartitionEOF(_)) => return out,
            Err(e) => panic!("{e}"),
        }
    }
}

#[tokio::test]
async fn records_are_in_confluents_format() {
    let topic = topic("sr-format");
    let sr = start(&topic).await;
    let schema = record("F", r#"{"name":"a","type":"int"}"#);
    sr.register("f-value", &schema).await;
    sr.put("/config/f-value", json!({"compatibility": "FULL"}))
        .await;
    sr.put("/config", json!({"compatibility": "NONE"})).await;
    sr.delete("/subjects/f-value/versions/1").await;
    sr.register("f-value", &record("F", r#"{"name":"b","type":"int"}"#))
        .await;
    sr.delete("/subjects/f-value").await;
    sr.delete("/subjects/f-value?permanent=true").await;
    sr.stop().await;

    let schema_json = serde_json::to_string(&schema).unwrap();
    let other = serde_json::to_string(&record("F", r#"{"name":"b","type":"int"}"#)).unwrap();
    let expected: Vec<(String, Option<String>)> = vec![
        (
            r#"{"keytype":"SCHEMA","subject":"f-value","version":1,"magic":1}"#.into(),
            Some(format!(
                r#"{{"subject":"f-value","version":1,"id":1,"schema":{schema_json},"deleted":false}}"#
            )),
        ),
        (
            r#"{"keytype":"CONFIG","subject":"f-value","magic":0}"#.into(),
            Some(r#"{"subject":"f-value","compatibilityLevel":"FULL"}"#.into()),
        ),
        (
            r#"{"keytype":"CONFIG","magic":0}"#.into(),
            Some(r#"{"compatibilityLevel":"NONE"}"#.into()),
        ),
        (
            r#"{"keytype":"SCHEMA","subject":"f-value","version":1,"magic":1}"#.into(),
            Some(format!(
                r#"{{"subject":"f-value","version":1,"id":1,"schema":{schema_json},"deleted":true}}"#
            )),
        ),
        (
            r#"{"keytype":"SCHEMA","subject":"f-value","version":2,"magic":1}"#.into(),
            Some(format!(
                r#"{{"subject":"f-value","version":2,"id":2,"schema":{other},"deleted":false}}"#
            )),
        ),
        (
            r#"{"keytype":"DELETE_SUBJECT","subject":"f-value","magic":0}"#.into(),
            Some(r#"{"subject":"f-value","version":2}"#.into()),
        ),
        (
            r#"{"keytype":"SCHEMA","subject":"f-value","version":2,"magic":1}"#.into(),
            None,
        ),
        (
            r#"{"keytype":"SCHEMA","subject":"f-value","version":1,"magic":1}"#.into(),
            None,
        ),
        (
            r#"{"keytype":"CONFIG","subject":"f-value","magic":0}"#.into(),
            None,
        ),
    ];
    assert_eq!(read_all(&topic).await, expected);
}

#[tokio::test]
async fn a_topic_written_by_confluent_is_read_like_confluent() {
    let topic = topic("sr-confluent");
    start(&topic).await.stop().await; // creates the topic as the registry wants it

    let a1 = r#"{"type":"record","name":"A","fields":[{"name":"x","type":"int"}]}"#;
    let a2 = r#"{"type":"record","name":"A","fields":[{"name":"x","type":"int"},{"name":"y","type":["null","int"],"default":null}]}"#;
    let b1 = r#"{"type":"enum","name":"B","symbols":["P","Q"]}"#;
    let key = |subject: &str, version: i32| {
        json!({"keytype":"SCHEMA","subject":subject,"version":version,"magic":1}).to_string()
    };
    let records: Vec<(String, Option<String>)> = vec![
        (r#"{"keytype":"NOOP","magic":0}"#.into(), None),
        (r#"{"keytype":"CONFIG","magic":0}"#.into(), Some(r#"{"compatibilityLevel":"FULL"}"#.into())),
        // An old (magic 0) key and a value without "deleted".
        (r#"{"magic":0,"keytype":"SCHEMA","subject":"a-value","version":1}"#.into(),
         Some(json!({"subject":"a-value","version":1,"id":5,"schema":a1}).to_string())),
        (key("a-value", 2), Some(json!({"subject":"a-value","version":2,"id":7,"schemaType":"AVRO","schema":a2,"deleted":false}).to_string())),
        (key("b-value", 1), Some(json!({"subject":"b-value","version":1,"id":6,"schema":b1,"deleted":false}).to_string())),
        (key("b-value", 2), Some(json!({"subject":"b-value","version":2,"id":5,"schema":a1,"deleted":false}).to_string())),
        (r#"{"keytype":"MODE","subject":"a-value","magic":0}"#.into(), Some(r#"{"subject":"a-value","mode":"READWRITE"}"#.into())),
        (r#"{"keytype":"CONFIG","subject":"b-value","magic":0}"#.into(), Some(r#"{"subject":"b-value","compatibilityLevel":"NONE"}"#.into())),
        (r#"{"keytype":"DELETE_SUBJECT","subject":"b-value","magic":0}"#.into(), Some(r#"{"subject":"b-value","version":1}"#.into())),
        // A record that claims id 6 for another schema: ignored, as Confluent does.
        (key("c-value", 1), Some(json!({"subject":"c-value","version":1,"id":6,"schema":a2,"deleted":false}).to_string())),
        ("not json".into(), Some("garbage".into())),
        (key("gone", 1), Some(json!({"subject":"gone","version":1,"id":3,"schema":"\"string\"","deleted":true}).to_string())),
        (key("gone", 1), None),
    ];
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", config(&topic).bootstrap_servers)
        .create()
        .unwrap();
    for (k, v) in &records {
        let mut r = FutureRecord::<str, str>::to(&topic).partition(0).key(k);
        if let Some(v) = v {
            r = r.payload(v);
        }
        producer
            .send(r, Duration::from_secs(10))
            .await
            .map_err(|(e, _)| e)
            .unwrap();
    }

    let sr = start(&topic).await;
    assert_eq!(
        sr.get("/subjects").await.json,
        json!(["a-value", "b-value"])
    );
    assert_eq!(
        sr.get("/subjects/a-value/versions/1").await.json,
        json!({"subject":"a-value","version":1,"id":5,"schema":a1})
    );
    assert_eq!(
        sr.get("/subjects/a-value/versions/latest").await.json["id"],
        json!(7)
    );
    assert_eq!(sr.get("/subjects/b-value/versions").await.json, json!([2]));
    assert_eq!(
        sr.get("/subjects/b-value/versions?deleted=true").await.json,
        json!([1, 2])
    );
    assert_eq!(sr.get("/schemas/ids/6").await.json, json!({"schema": b1}));
    assert_eq!(sr.get("/subjects/c-value/versions").await.code(), 40401);
    assert_eq!(sr.get("/schemas/ids/3").await.code(), 40403, "hard-deleted");
    assert_eq!(
        sr.get("/config").await.json,
        json!({"compatibilityLevel": "FULL"})
    );
    assert_eq!(
        sr.get("/config/b-value").await.json,
        json!({"compatibilityLevel": "NONE"})
    );
    // Known schema under a new subject: its id; a new schema: the largest id + 1.
    assert_eq!(sr.register("d-value", a2).await, 7);
    assert_eq!(sr.register("e-value", r#""long""#).await, 8);
    sr.stop().await;
}
