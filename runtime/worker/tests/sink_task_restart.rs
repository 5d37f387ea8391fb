//! A second runner in the same group resumes after the offsets the first one committed: every
//! record reaches the file, and none twice after a clean stop (its final commit covers all).

mod sink_common;

use std::time::Duration;

use sink_common::*;
use sluice_worker::task::TaskState;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_task_resumes_after_the_committed_offsets() -> anyhow::Result<()> {
    let topic = topic("sink-restart", 2).await?;
    let name = sluice_testkit::unique_name("file-sink");
    let file = temp_file("sink-restart");
    let config = connector_config(&name, &topic, &[]);

    let first: Vec<String> = (0..1000).map(|i| format!("first-{i}")).collect();
    let ends = produce_strings(&topic, &first).await?;
    let handle = spawn_file_sink(&config, &file)?;
    let got = wait_for_lines(&file, first.len(), Duration::from_secs(90)).await;
    assert_eq!(got.len(), first.len());
    assert_eq!(handle.stop_and_join().await, TaskState::Stopped);
    let committed_after_first = committed(&format!("connect-{name}"), &topic, 2).await?;
    for (p, end) in &ends {
        assert_eq!(committed_after_first[p], Some(*end), "partition {p}");
    }

    let second: Vec<String> = (0..1000).map(|i| format!("second-{i}")).collect();
    produce_strings(&topic, &second).await?;
    let handle = spawn_file_sink(&config, &file)?;
    let total = first.len() + second.len();
    wait_for_lines(&file, total, Duration::from_secs(90)).await;
    assert_eq!(handle.stop_and_join().await, TaskState::Stopped);

    let mut got = lines(&file);
    got.sort();
    let mut want: Vec<String> = first.iter().chain(&second).cloned().collect();
    want.sort();
    assert_eq!(got, want, "no record lost, none repeated");
    std::fs::remove_file(&file).ok();
    Ok(())
}
