//! Two runners of the same connector share its partitions: when the second joins, the group
//! rebalances (the first closes what it loses, the second opens what it gets), and when the first
//! leaves the second takes everything over. No record is lost (each reaches one of the files at
//! least once) and the offsets end up committed to the end.

mod sink_common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use sink_common::*;
use sluice_worker::task::TaskState;

fn union(a: &[String], b: &[String]) -> BTreeSet<String> {
    a.iter().chain(b).cloned().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partitions_move_between_members_without_loss() -> anyhow::Result<()> {
    let topic = topic("sink-rebalance", 4).await?;
    let name = sluice_testkit::unique_name("file-sink");
    let config = connector_config(&name, &topic, &[]);
    let (file_a, file_b) = (temp_file("sink-rebalance-a"), temp_file("sink-rebalance-b"));

    let mut all: Vec<String> = (0..500).map(|i| format!("early-{i}")).collect();
    let mut ends: BTreeMap<i32, i64> = produce_strings(&topic, &all).await?;
    let a = spawn_file_sink(&config, &file_a)?;
    assert_eq!(
        wait_for_lines(&file_a, 500, Duration::from_secs(90))
            .await
            .len(),
        500
    );

    // The second member joins; keep producing until it has received records of its own.
    let b = spawn_file_sink(&config, &file_b)?;
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut round = 0;
    while lines(&file_b).is_empty() {
        assert!(
            Instant::now() < deadline,
            "the second member never got a partition"
        );
        let batch: Vec<String> = (0..50).map(|i| format!("round-{round}-{i}")).collect();
        for (p, e) in produce_strings(&topic, &batch).await? {
            let end = ends.entry(p).or_insert(0);
            *end = (*end).max(e);
        }
        all.extend(batch);
        round += 1;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(a.status(), TaskState::Running);
    assert_eq!(b.status(), TaskState::Running);

    // The first leaves: the second takes over all partitions and catches up.
    assert_eq!(a.stop_and_join().await, TaskState::Stopped);
    let want: BTreeSet<String> = all.iter().cloned().collect();
    let deadline = Instant::now() + Duration::from_secs(90);
    while !union(&lines(&file_a), &lines(&file_b)).is_superset(&want) {
        assert!(
            Instant::now() < deadline,
            "records missing after the rebalance"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    // Let the second member's commit after its takeover happen, then stop it.
    assert_eq!(b.stop_and_join().await, TaskState::Stopped);

    assert_eq!(
        union(&lines(&file_a), &lines(&file_b)),
        want,
        "nothing lost, nothing invented"
    );
    let committed = committed(&format!("connect-{name}"), &topic, 4).await?;
    for (p, end) in &ends {
        assert_eq!(
            committed[p],
            Some(*end),
            "partition {p} committed to its end"
        );
    }
    std::fs::remove_file(&file_a).ok();
    std::fs::remove_file(&file_b).ok();
    Ok(())
}
