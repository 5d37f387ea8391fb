//! Datagen → JsonConverter → Kafka through the source task loop: every record arrives exactly
//! once and in order per Kafka partition, the offsets topic holds the task's last position
//! after the stop, and the throughput of the whole path is reported.

mod source_common;

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::{Value, json};
use sluice_api::OffsetMap;
use sluice_builtin::datagen::DatagenTask;
use sluice_worker::stores::OffsetStore;
use sluice_worker::task::TaskState;

use source_common::*;

/// Records generated; `SLUICE_SOURCE_TASK_RECORDS` overrides it for a longer throughput run.
fn records() -> i64 {
    std::env::var("SLUICE_SOURCE_TASK_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000)
}

fn datagen_partition(topic: &str) -> OffsetMap {
    match json!({"topic": topic, "task": 0, "tasks": 1}) {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn datagen_records_arrive_once_in_order_and_offsets_are_stored() {
    let n = records();
    let topic = topic("datagen", 3).await;
    let offsets_topic = sluice_testkit::unique_name("offsets");
    let offsets = offset_store(&offsets_topic).await;
    let connector = sluice_testkit::unique_name("datagen");
    let config = props(&[
        ("topic", &topic),
        ("records", &n.to_string()),
        ("batch.size", "1000"),
    ]);
    let started = Instant::now();
    let handle = runner(
        &connector,
        Box::new(DatagenTask::default()),
        config.clone(),
        json_converters(),
        offsets.clone(),
        settings(&[], &config),
    )
    .spawn();

    let partition = datagen_partition(&topic);
    eventually("the last position to be stored", || {
        let (offsets, connector, partition) =
            (offsets.clone(), connector.clone(), partition.clone());
        async move {
            let stored = offsets.get(&connector, &partition).await.unwrap()?;
            (stored.get("position") == Some(&json!(n))).then_some(())
        }
    })
    .await;
    let elapsed = started.elapsed();
    eprintln!(
        "THROUGHPUT datagen -> JsonConverter -> Kafka: {n} records in {:.2?} = {:.0} records/s (incl. start and one 100 ms offset flush)",
        elapsed,
        n as f64 / elapsed.as_secs_f64()
    );
    assert_eq!(handle.status(), TaskState::Running);
    assert_eq!(handle.stop_and_join().await, TaskState::Stopped);

    let records = read_all(&topic).await;
    assert_eq!(records.len(), n as usize, "every record exactly once");
    let mut per_partition: BTreeMap<i32, Vec<i64>> = BTreeMap::new();
    for r in &records {
        let key: i64 = serde_json::from_slice(r.key.as_deref().expect("a key")).unwrap();
        let value: Value = serde_json::from_slice(r.value.as_deref().expect("a value")).unwrap();
        assert_eq!(value["payload"]["id"], json!(key), "value matches its key");
        assert_eq!(value["schema"]["type"], json!("struct"));
        per_partition.entry(r.partition).or_default().push(key);
    }
    let mut all: Vec<i64> = per_partition.values().flatten().copied().collect();
    all.sort_unstable();
    assert_eq!(all, (0..n).collect::<Vec<_>>(), "no gap, no duplicate");
    for (p, keys) in &per_partition {
        assert!(
            keys.windows(2).all(|w| w[0] < w[1]),
            "partition {p} holds its records in poll order"
        );
    }
    assert!(per_partition.len() > 1, "keys spread over the partitions");
    // The offsets topic (read by a new store: a restarted worker) holds the last position.
    let fresh = offset_store(&offsets_topic).await;
    let stored = fresh.get(&connector, &partition).await.unwrap();
    assert_eq!(
        stored,
        Some(json!({"position": n}).as_object().unwrap().clone())
    );
}
