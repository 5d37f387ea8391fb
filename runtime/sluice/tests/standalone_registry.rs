//! `sluice standalone` with `sluice.schema.registry.listeners` serves the Schema Registry from
//! the worker process, next to Kafka Connect's REST API, on the worker's Kafka cluster.

mod worker_process;

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use worker_process::{Worker, free_port, temp};

async fn wait_ok(client: &reqwest::Client, url: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = client.get(url).send().await
            && r.status().is_success()
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{url} did not answer within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_worker_serves_the_schema_registry_on_its_own_listener() {
    let kafka = sluice_testkit::services().kafka();
    let (connect_port, registry_port) = (free_port(), free_port());
    let worker_file = temp("worker", "properties");
    std::fs::write(
        &worker_file,
        format!(
            "bootstrap.servers={}\nlisteners=http://127.0.0.1:{connect_port}\n\
             offset.storage.file.filename={}\n\
             sluice.schema.registry.listeners=http://127.0.0.1:{registry_port}\n\
             sluice.schema.registry.topic={}\nsluice.schema.registry.replication.factor=1\n",
            kafka.bootstrap,
            temp("offsets", "jsonl").display(),
            sluice_testkit::unique_name("schemas"),
        ),
    )
    .unwrap();
    let log_file = temp("worker", "log");
    let worker = Worker::start_with(
        connect_port,
        &worker_file,
        &[],
        &[("RUST_LOG", "warn")],
        Stdio::from(std::fs::File::create(&log_file).unwrap()),
    );
    let client = reqwest::Client::new();
    let registry = format!("http://127.0.0.1:{registry_port}");
    wait_ok(&client, &format!("{}/", worker.base)).await;
    wait_ok(&client, &format!("{registry}/subjects")).await;

    // Kafka Connect's root on the worker's listener, the registry's API on its own.
    let root: Value = client
        .get(format!("{}/", worker.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        root["kafka_cluster_id"].is_string(),
        "Connect's root: {root}"
    );
    let schema = r#"{"type":"record","name":"Key","namespace":"embedded","fields":[{"name":"id","type":"long"}]}"#;
    let r = client
        .post(format!("{registry}/subjects/embedded-key/versions"))
        .header("content-type", "application/vnd.schemaregistry.v1+json")
        .json(&json!({ "schema": schema }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .expect("an id");
    let got: Value = client
        .get(format!("{registry}/schemas/ids/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["schema"].as_str(), Some(schema));

    let status = worker.terminate().await;
    assert!(
        status.success(),
        "clean exit on SIGTERM with the registry running, got {status}"
    );
    // Reading the schemas topic to its end is not an error: librdkafka's end-of-partition
    // events must not reach the log at ERROR (they did, once per start, before the store's
    // consumer had its own client context).
    let log = std::fs::read_to_string(&log_file).unwrap();
    assert!(
        !log.contains("ERROR") && !log.contains("PartitionEOF"),
        "the worker logged errors:\n{log}"
    );
}
