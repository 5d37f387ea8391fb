//! Two distributed workers share the work of one group, and the survivor takes it all over.
//!
//! Clusters of several workers are a later step (see `sluice_worker::herder::distributed`'s
//! limits); this checks that what exists already holds together: connectors created through
//! the REST API of the worker that is not the leader are placed by the leader's assignor on
//! both workers, each connector and task runs on exactly one worker (its status names it), and
//! when one worker stops (SIGTERM: it leaves the group) the other runs everything. Every
//! rebalance takes about half the session timeout on the test broker, so this takes a minute.

mod distributed_common;

use std::collections::BTreeSet;

use distributed_common::{
    ClusterNames, DistributedWorker, append_lines, data_topic, running, temp,
};
use serde_json::{Value, json};

const CONNECTORS: [&str; 3] = ["x", "y", "z"];

/// The worker ids in `/connectors?expand=status` when every connector and task runs.
fn placement(all: &Value) -> Option<BTreeSet<String>> {
    let mut workers = BTreeSet::new();
    for name in CONNECTORS {
        let status = &all[name]["status"];
        if !running(status) {
            return None;
        }
        workers.insert(status["connector"]["worker_id"].as_str()?.to_string());
        for t in status["tasks"].as_array()? {
            workers.insert(t["worker_id"].as_str()?.to_string());
        }
    }
    Some(workers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_share_the_connectors_and_one_takes_over() {
    let names = ClusterNames::fresh("dist-two");
    let file = temp("dist-two-src", "txt");
    append_lines(&file, 0..10);
    let a = DistributedWorker::start(&names, &[], &[]).await;
    let b = DistributedWorker::start(&names, &[], &[]).await;
    for name in CONNECTORS {
        let topic = data_topic("dist-two-data").await;
        let config = json!({
            "connector.class": "FileStreamSource",
            "tasks.max": "1",
            "file": file.to_str().unwrap(),
            "topic": topic,
        });
        b.create(name, &config, None).await;
    }
    let both: BTreeSet<String> = [a.id.clone(), b.id.clone()].into();
    let all = a
        .eventually(
            "every connector and task running, on both workers",
            "/connectors?expand=status",
            |all| placement(all).is_some_and(|w| w == both),
        )
        .await;
    // Each worker's answer agrees (the statuses come from the shared status topic).
    let (_, from_b) = b.get("/connectors?expand=status").await;
    assert_eq!(placement(&from_b), placement(&all));

    assert!(b.terminate().await.success());
    let only_a: BTreeSet<String> = [a.id.clone()].into();
    a.eventually(
        "every connector and task running on the survivor",
        "/connectors?expand=status",
        |all| placement(all).is_some_and(|w| w == only_a),
    )
    .await;
    assert!(a.terminate().await.success());
    let _ = std::fs::remove_file(&file);
}
