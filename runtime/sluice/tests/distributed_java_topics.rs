//! A distributed worker started on internal topics written by Java Kafka Connect sees what Java
//! left there: the connectors, their configs and task configs, their target states and their
//! source offsets.
//!
//! The records of `golden/internal/` (Kafka Connect 4.3 with Debezium's PostgreSQL connector)
//! are produced byte for byte, each to the partition Java wrote it to, into fresh topics that
//! have Kafka Connect's partition counts. Two points of the golden connector's life are
//! replayed: just after it was created STOPPED (config records 0–2), and after it was
//! re-created and its task configs committed (records 0–7). The golden's whole offsets and
//! status topics are there in both.

mod distributed_common;

use std::time::Duration;

use distributed_common::{ClusterNames, DistributedWorker, client_properties, read_topic, texts};
use serde_json::{Value, json};
use sluice_worker::kafka::{Admin, InternalTopic, ProduceRecord, Producer, Properties};

const NAME: &str = "golden-pg";

/// The golden records of one topic: (offset, partition, key bytes, value bytes).
fn golden(file: &str) -> Vec<(i64, i32, String, Option<String>)> {
    let text =
        std::fs::read_to_string(sluice_testkit::golden(&format!("internal/{file}"))).unwrap();
    text.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["offset"].as_i64().unwrap(),
                v["partition"].as_i64().unwrap() as i32,
                v["key_text"].as_str().unwrap().to_string(),
                v["value_text"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// Creates the three topics as Kafka Connect would (1, 25 and 5 partitions, compacted) and
/// writes the golden records there: the config records up to `last_config` (inclusive), all of
/// the offsets and status records.
async fn write_java_topics(names: &ClusterNames, last_config: i64) {
    let worker = client_properties();
    let admin = Admin::new(&worker, &Properties::new(), Duration::from_secs(30)).unwrap();
    for topic in [
        InternalTopic::config_topic(&names.configs, 1),
        InternalTopic::offsets_topic(&names.offsets, 25, 1),
        InternalTopic::status_topic(&names.statuses, 5, 1),
    ] {
        admin.ensure_internal_topic(&topic).await.unwrap();
    }
    let producer = Producer::new(&worker, &Properties::new()).unwrap();
    let sets = [
        (&names.configs, "configs.jsonl", last_config),
        (&names.offsets, "offsets.jsonl", i64::MAX),
        (&names.statuses, "status.jsonl", i64::MAX),
    ];
    for (topic, file, last) in sets {
        for (offset, partition, key, value) in golden(file) {
            if offset > last {
                continue;
            }
            producer
                .send(ProduceRecord {
                    topic,
                    partition: Some(partition),
                    key: Some(key.as_bytes()),
                    value: value.as_deref().map(str::as_bytes),
                    ..Default::default()
                })
                .await
                .unwrap();
        }
    }
}

/// The `properties` of the golden config record at `offset`, as JSON (its key order kept).
fn golden_properties(offset: i64) -> Value {
    let (_, _, _, value) = golden("configs.jsonl")
        .into_iter()
        .find(|(o, ..)| *o == offset)
        .unwrap();
    let v: Value = serde_json::from_str(&value.unwrap()).unwrap();
    v["properties"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connector_java_created_stopped_is_seen_stopped_with_its_config_and_offsets() {
    let names = ClusterNames::fresh("dist-java-stopped");
    write_java_topics(&names, 2).await;
    let worker = DistributedWorker::start(&names, &[], &[]).await;

    assert_eq!(worker.get("/connectors").await, (200, json!([NAME])));
    let (status, config) = worker.get(&format!("/connectors/{NAME}/config")).await;
    assert_eq!(status, 200);
    // Same entries in the same order (the order Java wrote them in).
    assert_eq!(
        serde_json::to_string(&config).unwrap(),
        serde_json::to_string(&golden_properties(2)).unwrap()
    );
    assert_eq!(
        worker.get(&format!("/connectors/{NAME}/tasks")).await,
        (200, json!([]))
    );
    let status = worker
        .eventually("STOPPED", &format!("/connectors/{NAME}/status"), |s| {
            s["connector"]["state"] == "STOPPED"
        })
        .await;
    assert_eq!(status["connector"]["worker_id"], json!(worker.id));
    assert_eq!(status["tasks"], json!([]));
    // The offsets Java's worker answered just before the connector was deleted: the last
    // record of the golden offsets topic.
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(sluice_testkit::golden(
            "internal/rest_offsets_before_delete.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let (status, offsets) = worker.get(&format!("/connectors/{NAME}/offsets")).await;
    assert_eq!((status, &offsets), (200, &expected));
    assert_eq!(
        serde_json::to_string(&offsets["offsets"][0]["offset"]).unwrap(),
        serde_json::to_string(&expected["offsets"][0]["offset"]).unwrap(),
        "offset keys in Java's order"
    );
    assert!(worker.terminate().await.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connector_java_started_is_started_with_java_s_task_configs() {
    let names = ClusterNames::fresh("dist-java-started");
    write_java_topics(&names, 7).await;
    let worker = DistributedWorker::start(&names, &[], &[]).await;

    assert_eq!(worker.get("/connectors").await, (200, json!([NAME])));
    let (_, config) = worker.get(&format!("/connectors/{NAME}/config")).await;
    assert_eq!(
        serde_json::to_string(&config).unwrap(),
        serde_json::to_string(&golden_properties(5)).unwrap()
    );
    // Target state STARTED: the worker tries to run it (this test has no PostgreSQL at the
    // golden's address, so it may fail, or the plugin may not be compiled in).
    let status = worker
        .eventually(
            "the connector started or failed",
            &format!("/connectors/{NAME}/status"),
            |s| s["connector"]["state"] == "RUNNING" || s["connector"]["state"] == "FAILED",
        )
        .await;
    let (_, tasks) = worker.get(&format!("/connectors/{NAME}/tasks")).await;
    assert!(worker.terminate().await.success());
    // Java's committed task config is in force unless this worker's connector generated a
    // different one (as Java's would) and committed it after Java's records.
    let task_records: Vec<(String, Option<String>)> = read_topic(&names.configs)
        .await
        .iter()
        .map(texts)
        .filter(|(k, _)| k.starts_with("task-"))
        .collect();
    let in_force = match task_records.as_slice() {
        [_java] => golden_properties(6),
        [_java, .., (key, Some(ours))] => {
            assert_eq!(key, &format!("task-{NAME}-0"), "{status}");
            serde_json::from_str::<Value>(ours).unwrap()["properties"].clone()
        }
        other => panic!("unexpected task records {other:?}"),
    };
    assert_eq!(
        tasks,
        json!([{"id": {"connector": NAME, "task": 0}, "config": in_force}]),
        "{status}"
    );
    assert_eq!(
        serde_json::to_string(&tasks[0]["config"]).unwrap(),
        serde_json::to_string(&in_force).unwrap(),
        "task config keys in the stored order"
    );
}
