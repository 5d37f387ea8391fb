//! `PUT /admin/loggers/{name}` changes the running `sluice standalone` process's log levels:
//! started with `RUST_LOG=info`, the worker emits no debug events; after
//! `PUT /admin/loggers/sluice_worker {"level":"DEBUG"}` the worker's debug events (a task
//! stopping when its connector is deleted) appear on stderr, and `GET /admin/loggers` shows
//! the level; after setting `INFO` again they stop. Names the filter cannot hold are 400, an
//! unknown level 404 (Kafka's answer).

mod worker_process;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sluice_worker::kafka::{Admin, Properties};
use worker_process::{WAIT, Worker, free_port, temp};

/// The worker's debug events in the JSON log `path` (targets under `sluice_worker`).
fn worker_debug_events(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["level"] == "DEBUG")
        .collect()
}

async fn put_level(client: &reqwest::Client, base: &str, name: &str, level: &str) -> (u16, Value) {
    let r = client
        .put(format!("{base}/admin/loggers/{name}"))
        .json(&json!({ "level": level }))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Creates a FileStreamSource, waits for it to run, deletes it (its task stops, which the
/// worker logs at debug level).
async fn create_and_delete(client: &reqwest::Client, worker: &mut Worker, bootstrap: &str) {
    let props: Properties = [("bootstrap.servers".to_string(), bootstrap.to_string())].into();
    let admin = Admin::new(&props, &Properties::new(), Duration::from_secs(30)).unwrap();
    let topic = sluice_testkit::unique_name("loggers");
    assert!(admin.create_topic(&topic, 1, 1, &[]).await.unwrap());
    let input = temp("loggers-input", "txt");
    std::fs::write(&input, "a\nb\n").unwrap();
    let name = sluice_testkit::unique_name("loggers-source");
    let r = client
        .post(format!("{}/connectors", worker.base))
        .json(&json!({"name": name, "config": {
            "connector.class": "FileStreamSource",
            "file": input.to_str().unwrap(),
            "topic": topic,
        }}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    worker.wait_running(client, &[&name]).await;
    let r = client
        .delete(format!("{}/connectors/{name}", worker.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_admin_loggers_changes_the_process_log_levels() {
    let kafka = sluice_testkit::services().kafka();
    let port = free_port();
    let worker_file = temp("loggers-worker", "properties");
    std::fs::write(
        &worker_file,
        format!(
            "bootstrap.servers={}\noffset.storage.file.filename={}\n\
             key.converter=org.apache.kafka.connect.storage.StringConverter\n\
             value.converter=org.apache.kafka.connect.storage.StringConverter\n\
             listeners=http://127.0.0.1:{port}\n",
            kafka.bootstrap,
            temp("loggers-offsets", "json").display()
        ),
    )
    .unwrap();
    let log = temp("loggers-stderr", "log");
    let stderr = std::fs::File::create(&log).unwrap();
    let mut worker = Worker::start_with(
        port,
        &worker_file,
        &[],
        &[("RUST_LOG", "info"), ("SLUICE_LOG_FORMAT", "json")],
        Stdio::from(stderr),
    );
    let client = reqwest::Client::new();
    let deadline = Instant::now() + WAIT;
    while client
        .get(format!("{}/", worker.base))
        .send()
        .await
        .is_err()
    {
        assert!(worker.exited().is_none(), "sluice exited at start");
        assert!(Instant::now() < deadline, "the REST API did not answer");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // At INFO, the worker's debug events (e.g. deleting a connector stops its task) are off.
    create_and_delete(&client, &mut worker, &kafka.bootstrap).await;
    assert!(
        worker_debug_events(&log).is_empty(),
        "debug events at RUST_LOG=info: {:?}",
        worker_debug_events(&log)
    );

    let (status, affected) = put_level(&client, &worker.base, "sluice_worker", "debug").await;
    assert_eq!(status, 200, "{affected}");
    assert_eq!(affected, json!(["sluice_worker"]));
    let loggers: Value = client
        .get(format!("{}/admin/loggers", worker.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(loggers["sluice_worker"]["level"], "DEBUG", "{loggers}");
    assert!(
        loggers["sluice_worker"]["last_modified"].is_i64(),
        "{loggers}"
    );
    assert_eq!(loggers["root"]["level"], "INFO", "{loggers}");

    create_and_delete(&client, &mut worker, &kafka.bootstrap).await;
    let events = worker_debug_events(&log);
    assert!(
        events.iter().any(
            |e| e["target"] == "sluice_worker::herder::actor::tasks"
                && e["fields"]["message"] == "The task stopped."
        ),
        "no debug event of a stopped task after PUT sluice_worker DEBUG: {events:?}"
    );
    assert!(
        events.iter().all(|e| e["target"]
            .as_str()
            .is_some_and(|t| t.starts_with("sluice_worker"))),
        "debug events outside sluice_worker: {events:?}"
    );

    // Back to INFO: no more debug events.
    let (status, _) = put_level(&client, &worker.base, "sluice_worker", "INFO").await;
    assert_eq!(status, 200);
    let before = worker_debug_events(&log).len();
    create_and_delete(&client, &mut worker, &kafka.bootstrap).await;
    assert_eq!(worker_debug_events(&log).len(), before);

    // Kafka answers an unknown level with 404; a name no log target can have is 400.
    let (status, body) = put_level(&client, &worker.base, "sluice_worker", "LOUD").await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["message"], "invalid log level 'LOUD'.");
    let (status, body) = put_level(&client, &worker.base, "a%20b", "DEBUG").await;
    assert_eq!(status, 400, "{body}");

    let exit = worker.terminate().await;
    assert!(exit.success(), "sluice exited with {exit}");
}
