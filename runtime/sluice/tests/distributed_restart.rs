//! A distributed worker restarted on its internal topics sees the same connectors, configs,
//! target states and offsets, and its source resumes where the last flush left it.
//!
//! Worker A (settings from a properties file, the group id from `CONNECT_GROUP_ID` as the
//! Confluent image passes it, the eager group protocol) runs three FileStreamSource
//! connectors: one running, one paused, one stopped. SIGTERM must exit 0 after flushing offsets and leaving the group. Worker B, a
//! new process on another port with the same topics, must show the same three connectors with
//! the same configs and states and the same offsets, and the running source must go on from
//! its flushed position: the lines written while no worker ran reach the topic, and no line
//! is produced twice.

mod distributed_common;

use std::time::{Duration, Instant};

use distributed_common::{
    ClusterNames, DistributedWorker, WAIT, append_lines, data_topic, read_topic, running, temp,
    texts,
};
use serde_json::{Value, json};

fn source(file: &std::path::Path, topic: &str) -> Value {
    json!({
        "connector.class": "FileStreamSource",
        "tasks.max": "1",
        "file": file.to_str().unwrap(),
        "topic": topic,
    })
}

/// The values of `topic`, waiting until there are `n` (failing if more arrive).
async fn values(topic: &str, n: usize) -> Vec<String> {
    let deadline = Instant::now() + WAIT;
    loop {
        let v: Vec<String> = read_topic(topic)
            .await
            .iter()
            .filter_map(|r| texts(r).1)
            .collect();
        assert!(v.len() <= n, "more than {n} records in {topic}: {v:?}");
        if v.len() == n {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "{topic} has {} of {n} records",
            v.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_worker_resumes_from_the_internal_topics() {
    let names = ClusterNames::fresh("dist-restart");
    // The group id comes from the environment, as in the Confluent image; the file says
    // something else, which the variable overrides.
    let env = [("CONNECT_GROUP_ID", names.group.as_str())];
    let file_group = [("group.id", "overridden-by-the-environment")];
    let (run_file, paused_file, stopped_file) = (
        temp("dist-restart-run", "txt"),
        temp("dist-restart-paused", "txt"),
        temp("dist-restart-stopped", "txt"),
    );
    let (run_topic, paused_topic, stopped_topic) = (
        data_topic("dist-restart-run").await,
        data_topic("dist-restart-paused").await,
        data_topic("dist-restart-stopped").await,
    );
    for f in [&run_file, &paused_file, &stopped_file] {
        append_lines(f, 0..10);
    }

    // A speaks the eager protocol, B the default (sessioned): the topics are the same either way.
    let eager = [file_group[0], ("connect.protocol", "eager")];
    let a = DistributedWorker::start(&names, &eager, &env).await;
    let configs = [
        ("run", source(&run_file, &run_topic)),
        ("paused", source(&paused_file, &paused_topic)),
        ("stopped", source(&stopped_file, &stopped_topic)),
    ];
    for (name, config) in &configs {
        a.create(name, config, None).await;
    }
    for (name, _) in &configs {
        a.eventually(name, &format!("/connectors/{name}/status"), running)
            .await;
    }
    // Every line read and its offset flushed, then pause one and stop another.
    let end = std::fs::metadata(&run_file).unwrap().len();
    for (name, _) in &configs {
        a.eventually(
            "flushed offsets",
            &format!("/connectors/{name}/offsets"),
            |o| o["offsets"][0]["offset"]["position"] == json!(end),
        )
        .await;
    }
    assert_eq!(a.send("PUT", "/connectors/paused/pause", None).await.0, 202);
    assert_eq!(a.send("PUT", "/connectors/stopped/stop", None).await.0, 204);
    a.eventually("PAUSED", "/connectors/paused/status", |s| {
        s["connector"]["state"] == "PAUSED"
    })
    .await;
    a.eventually("STOPPED", "/connectors/stopped/status", |s| {
        s["connector"]["state"] == "STOPPED"
    })
    .await;
    let (_, before) = a.get("/connectors?expand=info").await;
    let (_, stopped_offsets) = a.get("/connectors/stopped/offsets").await;
    let status = a.terminate().await;
    assert!(
        status.success(),
        "SIGTERM must stop the worker cleanly: {status}"
    );
    assert_eq!(values(&run_topic, 10).await.len(), 10);

    // Lines written while no worker runs.
    append_lines(&run_file, 10..15);
    append_lines(&paused_file, 10..12);

    let b = DistributedWorker::start(&names, &file_group, &env).await;
    let (_, after) = b.get("/connectors?expand=info").await;
    assert_eq!(
        after, before,
        "the same connectors with the same configs and tasks"
    );
    for (name, state) in [
        ("run", "RUNNING"),
        ("paused", "PAUSED"),
        ("stopped", "STOPPED"),
    ] {
        let body = b
            .eventually(state, &format!("/connectors/{name}/status"), |s| {
                s["connector"]["state"] == state
            })
            .await;
        assert_eq!(body["connector"]["worker_id"], json!(b.id), "{body}");
    }
    assert_eq!(
        b.get("/connectors/stopped/offsets").await.1,
        stopped_offsets,
        "the stopped connector's offsets survive the restart"
    );
    // The running source resumes after its flushed position: exactly the 15 lines, once.
    let lines = values(&run_topic, 15).await;
    let expected: Vec<String> = (0..15).map(|i| format!("line {i}")).collect();
    assert_eq!(lines, expected);
    // The paused one has produced nothing new; resumed, it goes on from its own position.
    assert_eq!(values(&paused_topic, 10).await.len(), 10);
    assert_eq!(
        b.send("PUT", "/connectors/paused/resume", None).await.0,
        202
    );
    assert_eq!(values(&paused_topic, 12).await.len(), 12);
    assert!(b.terminate().await.success());
    for f in [&run_file, &paused_file, &stopped_file] {
        let _ = std::fs::remove_file(f);
    }
}
