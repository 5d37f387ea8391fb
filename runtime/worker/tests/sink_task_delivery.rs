//! A sink task run by the runner delivers every record of its topics to the task exactly as
//! written, and commits the consumer offsets up to the end once the task flushed them.

mod sink_common;

use std::collections::BTreeMap;
use std::time::Duration;

use sink_common::*;
use sluice_worker::task::TaskState;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_thousand_records_reach_the_file_and_offsets_are_committed_to_the_end()
-> anyhow::Result<()> {
    let topic = topic("sink-delivery", 3).await?;
    let values: Vec<String> = (0..5000).map(|i| format!("line-{i}")).collect();
    let ends = produce_strings(&topic, &values).await?;
    assert_eq!(ends.values().sum::<i64>(), 5000);

    let name = sluice_testkit::unique_name("file-sink");
    let file = temp_file("sink-delivery");
    let handle = spawn_file_sink(&connector_config(&name, &topic, &[]), &file)?;
    let before_stop = wait_for_lines(&file, values.len(), Duration::from_secs(90)).await;
    assert_eq!(
        before_stop.len(),
        values.len(),
        "every record was flushed by a periodic commit"
    );
    assert_eq!(handle.status(), TaskState::Running);
    assert_eq!(handle.stop_and_join().await, TaskState::Stopped);

    let mut got = lines(&file);
    got.sort();
    let mut want = values.clone();
    want.sort();
    assert_eq!(
        got, want,
        "the file holds exactly the records written, once each"
    );

    let committed = committed(&format!("connect-{name}"), &topic, 3).await?;
    let want: BTreeMap<i32, Option<i64>> = ends.iter().map(|(p, e)| (*p, Some(*e))).collect();
    assert_eq!(
        committed, want,
        "committed offsets are the end of every partition"
    );
    std::fs::remove_file(&file).ok();
    Ok(())
}
