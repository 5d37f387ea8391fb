//! A source task that is abandoned mid-stream (as by a crash: no final flush) and started again
//! with the same offsets topic resumes right after the last stored offset: no record is
//! skipped, and the only duplicates are the records of the unflushed window.

mod source_common;

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{Value, json};
use sluice_api::OffsetMap;
use sluice_builtin::datagen::DatagenTask;
use sluice_worker::kafka::Record;
use sluice_worker::stores::OffsetStore;
use sluice_worker::task::TaskState;

use source_common::*;

const N: u64 = 20_000;
const K: u64 = 3_000;

fn keys(records: &[Record]) -> Vec<u64> {
    records
        .iter()
        .map(|r| serde_json::from_slice(r.key.as_deref().expect("a key")).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_task_resumes_after_the_flushed_offset() {
    let topic = topic("restart", 3).await;
    let offsets_topic = sluice_testkit::unique_name("offsets");
    let offsets = offset_store(&offsets_topic).await;
    let connector = sluice_testkit::unique_name("restart");
    let partition: OffsetMap = json!({"topic": topic, "task": 0, "tasks": 1})
        .as_object()
        .unwrap()
        .clone();
    let stored_position = |offsets: std::sync::Arc<sluice_worker::stores::KafkaOffsetStore>| {
        let (connector, partition) = (connector.clone(), partition.clone());
        async move {
            offsets
                .get(&connector, &partition)
                .await
                .unwrap()
                .and_then(|o| o.get("position").and_then(Value::as_u64))
        }
    };

    // Run 1: paced so that it is mid-stream when at least K records are stored.
    let config = props(&[
        ("topic", &topic),
        ("records", &N.to_string()),
        ("rate", "5000"),
        ("batch.size", "100"),
    ]);
    let first = runner(
        &connector,
        Box::new(DatagenTask::default()),
        config.clone(),
        json_converters(),
        offsets.clone(),
        settings(&[("offset.flush.interval.ms", "200")], &config),
    )
    .spawn();
    eventually("K records to be stored", || {
        let offsets = offsets.clone();
        let stored_position = &stored_position;
        async move { stored_position(offsets).await.filter(|p| *p >= K) }
    })
    .await;
    first.cancel();
    assert!(matches!(first.join().await, TaskState::Failed { .. }));
    // What the abandoned run stored (read by a new store instance: a restarted worker).
    let restarted = offset_store(&offsets_topic).await;
    let flushed = stored_position(restarted.clone())
        .await
        .expect("run 1 stored an offset");
    assert!((K..N).contains(&flushed), "stopped mid-stream at {flushed}");
    // Let the abandoned producer's last deliveries settle before reading run 1's records.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let run1 = keys(&read_all(&topic).await);
    let run1_set: BTreeSet<u64> = run1.iter().copied().collect();
    assert_eq!(run1_set.len(), run1.len(), "run 1 wrote each record once");
    assert!(
        (0..flushed).all(|k| run1_set.contains(&k)),
        "every record before the stored offset was written by run 1"
    );

    // Run 2: same connector, same offsets topic, unpaced.
    let config = props(&[
        ("topic", &topic),
        ("records", &N.to_string()),
        ("batch.size", "1000"),
    ]);
    let second = runner(
        &connector,
        Box::new(DatagenTask::default()),
        config.clone(),
        json_converters(),
        restarted.clone(),
        settings(&[], &config),
    )
    .spawn();
    eventually("the last position to be stored", || {
        let offsets = restarted.clone();
        let stored_position = &stored_position;
        async move { (stored_position(offsets).await == Some(N)).then_some(()) }
    })
    .await;
    assert_eq!(second.stop_and_join().await, TaskState::Stopped);

    let all = keys(&read_all(&topic).await);
    let mut run2: Vec<u64> = {
        // Run 2's records: everything beyond run 1's, per occurrence count.
        let mut seen = run1.clone();
        seen.sort_unstable();
        let mut rest = all.clone();
        rest.sort_unstable();
        let mut run2 = Vec::new();
        let mut i = 0;
        for k in rest {
            if i < seen.len() && seen[i] == k {
                i += 1;
            } else {
                run2.push(k);
            }
        }
        assert_eq!(i, seen.len(), "run 1's records are all still there");
        run2
    };
    run2.sort_unstable();
    assert_eq!(
        run2,
        (flushed..N).collect::<Vec<_>>(),
        "run 2 resumed exactly after the stored offset {flushed}: no gap, each record once"
    );
    let duplicates: BTreeSet<u64> = run2
        .iter()
        .copied()
        .filter(|k| run1_set.contains(k))
        .collect();
    assert!(
        duplicates.iter().all(|k| *k >= flushed),
        "duplicates only from the unflushed window"
    );
    assert_eq!(
        duplicates.len() as u64,
        run1.len() as u64 - flushed,
        "every record run 1 wrote after the stored offset, and only those, is duplicated"
    );
    let distinct: BTreeSet<u64> = all.iter().copied().collect();
    assert_eq!(distinct, (0..N).collect(), "nothing is missing");
    eprintln!(
        "restart: run 1 wrote {} records, stored {flushed}; {} duplicates",
        run1.len(),
        duplicates.len()
    );
}
