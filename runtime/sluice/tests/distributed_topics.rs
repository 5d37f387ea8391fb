//! A distributed worker writes Kafka Connect's exact records to its internal topics.
//!
//! The test replays, through the REST API of a live `sluice distributed` on fresh topics, the
//! operations of `golden/internal/` (Kafka Connect 4.3's topics for one connector's life):
//! create `golden-pg` STOPPED, delete it, create it again running, let it flush offsets, delete
//! it. A FileStreamSource stands in for Debezium's connector, under the same name, so the
//! record keys are the golden's and:
//!
//! - the config topic holds the golden's ten keys in the golden's order, with the golden's
//!   exact bytes for the target state, the commit and the tombstones, the connector and task
//!   configs as Kafka Connect serialises them, and a session key shaped like Java's;
//! - every status record is on the partition the golden's record of the same key is on (Java's
//!   murmur2 partitioner), a status value has the golden's fields in the golden's order (the
//!   STOPPED one is byte-identical up to worker id, generation and version), and the deletion
//!   leaves tombstones;
//! - the offsets record has the `["<connector>",{partition}]` key, on its murmur2 partition, with
//!   the position of the end of the file.

mod distributed_common;

use std::collections::BTreeMap;

use distributed_common::{
    ClusterNames, DistributedWorker, append_lines, data_topic, read_topic, running, temp, texts,
};
use serde_json::{Value, json};
use sluice_protocol::murmur2::partition_for_key;

const NAME: &str = "golden-pg";

/// The golden records of one internal topic: (partition, key text, value text).
fn golden(file: &str) -> Vec<(i32, String, Option<String>)> {
    let text =
        std::fs::read_to_string(sluice_testkit::golden(&format!("internal/{file}"))).unwrap();
    text.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["partition"].as_i64().unwrap() as i32,
                v["key_text"].as_str().unwrap().to_string(),
                v["value_text"].as_str().map(str::to_string),
            )
        })
        .collect()
}

fn source_config(file: &std::path::Path, topic: &str) -> Value {
    json!({
        "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
        "tasks.max": "1",
        "file": file.to_str().unwrap(),
        "topic": topic,
    })
}

/// `{"properties":{…}}` as Kafka Connect writes a connector or task config: compact JSON, the
/// config's own key order.
fn properties_record(config: &Value) -> String {
    format!(
        "{{\"properties\":{}}}",
        serde_json::to_string(config).unwrap()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_internal_topics_hold_kafka_connects_records() {
    let names = ClusterNames::fresh("dist-topics");
    let topic = data_topic("dist-topics-data").await;
    let file = temp("dist-topics-src", "txt");
    append_lines(&file, 0..5);
    let worker = DistributedWorker::start(&names, &[], &[]).await;
    let config = source_config(&file, &topic);

    // 1. Created STOPPED (KIP-980): the target state goes first, no tasks.
    worker.create(NAME, &config, Some("STOPPED")).await;
    worker
        .eventually("STOPPED", &format!("/connectors/{NAME}/status"), |s| {
            s["connector"]["state"] == "STOPPED"
        })
        .await;
    // 2. Deleted, 3. created again, running until its offsets are flushed, 4. deleted.
    assert_eq!(
        worker
            .send("DELETE", &format!("/connectors/{NAME}"), None)
            .await
            .0,
        204
    );
    worker.create(NAME, &config, None).await;
    worker
        .eventually("RUNNING", &format!("/connectors/{NAME}/status"), running)
        .await;
    let end = std::fs::metadata(&file).unwrap().len();
    worker
        .eventually(
            "the offsets of the whole file",
            &format!("/connectors/{NAME}/offsets"),
            |o| o["offsets"][0]["offset"]["position"] == json!(end),
        )
        .await;
    let (_, tasks) = worker.get(&format!("/connectors/{NAME}/tasks")).await;
    let (_, topics) = worker.get(&format!("/connectors/{NAME}/topics")).await;
    assert_eq!(topics[NAME]["topics"], json!([topic]), "{topics}");
    assert_eq!(
        worker
            .send("DELETE", &format!("/connectors/{NAME}"), None)
            .await
            .0,
        204
    );
    let worker_id = worker.id.clone();
    assert!(worker.terminate().await.success());

    // The config topic: the golden's keys, in order; the golden's bytes where they do not
    // depend on the connector's config.
    let ours: Vec<(String, Option<String>)> =
        read_topic(&names.configs).await.iter().map(texts).collect();
    let gold = golden("configs.jsonl");
    let keys =
        |v: &[(String, Option<String>)]| v.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
    let gold_pairs: Vec<(String, Option<String>)> = gold
        .iter()
        .map(|(_, k, v)| (k.clone(), v.clone()))
        .collect();
    assert_eq!(
        keys(&ours),
        keys(&gold_pairs),
        "config topic keys: {ours:#?}"
    );
    let mut created = config.clone();
    created["name"] = json!(NAME);
    for (i, ((key, value), (_, gold_value))) in ours.iter().zip(&gold_pairs).enumerate() {
        let expected = match key.as_str() {
            "session-key" => {
                let v: Value = serde_json::from_str(value.as_deref().unwrap()).unwrap();
                let fields: Vec<&String> = v.as_object().unwrap().keys().collect();
                assert_eq!(fields, ["key", "algorithm", "creation-timestamp"], "{v}");
                assert_eq!(v["algorithm"], "HmacSHA256");
                assert_eq!(
                    v["key"].as_str().unwrap().len(),
                    44,
                    "a 256-bit key in base64"
                );
                assert!(v["creation-timestamp"].is_i64());
                continue;
            }
            k if k == format!("connector-{NAME}") && value.is_some() => {
                Some(properties_record(&created))
            }
            k if k == format!("task-{NAME}-0") => Some(properties_record(&tasks[0]["config"])),
            _ => gold_value.clone(),
        };
        assert_eq!(value, &expected, "config record {i} ({key})");
    }

    // The status topic: same partitions as Java's for the same keys, Java's value layout.
    let gold_status = golden("status.jsonl");
    let gold_partition: BTreeMap<String, i32> = gold_status
        .iter()
        .map(|(p, k, _)| (k.clone(), *p))
        .collect();
    let records = read_topic(&names.statuses).await;
    let mut last: BTreeMap<String, Option<String>> = BTreeMap::new();
    let topic_key = format!("status-topic-{topic}:connector-{NAME}");
    for r in &records {
        let (key, value) = texts(r);
        let expected_partition = match gold_partition.get(&key) {
            Some(p) => *p,
            None => partition_for_key(key.as_bytes(), 5) as i32,
        };
        assert_eq!(r.partition, expected_partition, "partition of {key}");
        if let Some(v) = &value {
            let parsed: Value = serde_json::from_str(v).unwrap();
            let fields: Vec<&String> = parsed.as_object().unwrap().keys().collect();
            if key == topic_key {
                assert_eq!(fields, ["topic"]);
                let t: Vec<&String> = parsed["topic"].as_object().unwrap().keys().collect();
                assert_eq!(t, ["name", "connector", "task", "discoverTimestamp"], "{v}");
                assert_eq!(
                    (
                        parsed["topic"]["name"].as_str(),
                        parsed["topic"]["connector"].as_str()
                    ),
                    (Some(topic.as_str()), Some(NAME))
                );
            } else {
                assert_eq!(
                    fields,
                    ["state", "trace", "worker_id", "generation", "version"],
                    "{key}: {v}"
                );
                assert_eq!(parsed["worker_id"], json!(worker_id), "{v}");
                if key == format!("status-connector-{NAME}") && parsed["state"] == "STOPPED" {
                    // Byte-identical to Java's STOPPED record up to the varying values.
                    let (_, _, golden_stopped) = &gold_status[gold_status
                        .iter()
                        .position(|(_, k, v)| {
                            *k == key && v.as_deref().is_some_and(|v| v.contains("STOPPED"))
                        })
                        .unwrap()];
                    let expected = golden_stopped
                        .as_deref()
                        .unwrap()
                        .replace("127.0.0.1:28083", &worker_id)
                        .replace(
                            "\"generation\":1",
                            &format!("\"generation\":{}", parsed["generation"]),
                        )
                        .replace("\"3.6.3.Final\"", &parsed["version"].to_string());
                    assert_eq!(v, &expected);
                }
            }
        }
        last.insert(key, value);
    }
    for key in [
        format!("status-connector-{NAME}"),
        format!("status-task-{NAME}-0"),
        topic_key.clone(),
    ] {
        assert!(last.contains_key(&key), "no {key} record: {last:#?}");
        assert_eq!(
            last[&key], None,
            "{key} ends with a tombstone after the delete"
        );
    }
    let states: Vec<String> = records
        .iter()
        .map(texts)
        .filter(|(k, _)| *k == format!("status-connector-{NAME}"))
        .map(|(_, v)| {
            v.map_or("null".into(), |v| {
                serde_json::from_str::<Value>(&v).unwrap()["state"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
        })
        .collect();
    assert_eq!(
        states.first().map(String::as_str),
        Some("STOPPED"),
        "{states:?}"
    );
    assert!(states.contains(&"RUNNING".to_string()), "{states:?}");

    // The offsets topic: Java's key bytes on Java's partition, the position of the file's end.
    let offsets = read_topic(&names.offsets).await;
    let key = format!(
        "[\"{NAME}\",{{\"filename\":{}}}]",
        json!(file.to_str().unwrap())
    );
    let last_offset = offsets
        .iter()
        .filter(|r| r.key.as_deref() == Some(key.as_bytes()))
        .last()
        .unwrap_or_else(|| {
            panic!(
                "no offset under {key}: {:?}",
                offsets.iter().map(texts).collect::<Vec<_>>()
            )
        });
    assert_eq!(
        last_offset.partition,
        partition_for_key(key.as_bytes(), 25) as i32
    );
    assert_eq!(
        texts(last_offset).1,
        Some(format!("{{\"position\":{end}}}"))
    );
    let _ = std::fs::remove_file(&file);
}
