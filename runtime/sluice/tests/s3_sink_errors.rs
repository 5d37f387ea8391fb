//! Bad S3 settings fail the task at once with a trace that says what to fix: a bucket that
//! does not exist, and credentials the server does not know (a private moto server with
//! authentication enforced, since the shared one accepts any key). An invalid configuration is
//! refused by `config/validate` before anything runs.

mod s3_sink_support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use s3_sink_support::{Env, WAIT, Worker, free_port, start_worker, status, wait_rest};
use serde_json::{Value, json};

/// Waits until the task of `name` is FAILED; returns its trace.
async fn failed_trace(worker: &Worker, client: &reqwest::Client, name: &str) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let v = status(worker, client, name).await;
        if v["tasks"][0]["state"] == "FAILED" {
            return v["tasks"][0]["trace"]
                .as_str()
                .unwrap_or_default()
                .to_string();
        }
        assert!(Instant::now() < deadline, "the task did not fail: {v}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn post(worker: &Worker, client: &reqwest::Client, name: &str, config: &Value) {
    let r = client
        .post(format!("{}/connectors", worker.base))
        .json(&json!({"name": name, "config": config}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

#[tokio::test]
async fn a_missing_bucket_fails_the_task_with_a_clear_trace() {
    let env = Env::new("s3-nobucket", 1).await;
    let (mut worker, _) = start_worker(&env, "");
    let client = reqwest::Client::new();
    wait_rest(&mut worker, &client).await;
    let mut config = env.sink_config(&[
        (
            "format.class",
            "io.confluent.connect.s3.format.json.JsonFormat",
        ),
        ("flush.size", "10"),
    ]);
    config["s3.bucket.name"] = json!("sluice-no-such-bucket");
    post(&worker, &client, "s3-nobucket", &config).await;
    let trace = failed_trace(&worker, &client, "s3-nobucket").await;
    assert!(
        trace.contains("bucket 'sluice-no-such-bucket' does not exist")
            && trace.contains("s3.bucket.name"),
        "{trace}"
    );
}

/// A moto server of this test alone, requiring valid IAM credentials on every request.
struct AuthMoto(Child);

impl Drop for AuthMoto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn unknown_credentials_fail_the_task_with_a_clear_trace() {
    let port = free_port();
    let home = std::env::var("HOME").unwrap();
    let moto = AuthMoto(
        Command::new(format!("{home}/.cache/sluice/venv/bin/moto_server"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("INITIAL_NO_AUTH_ACTION_COUNT", "0")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server from the test services' Python environment"),
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "the private moto server did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let env = Env::new("s3-badkey", 1).await;
    let (mut worker, _) = start_worker(&env, "");
    let client = reqwest::Client::new();
    wait_rest(&mut worker, &client).await;
    let mut config = env.sink_config(&[
        (
            "format.class",
            "io.confluent.connect.s3.format.json.JsonFormat",
        ),
        ("flush.size", "10"),
    ]);
    config["store.url"] = json!(format!("http://127.0.0.1:{port}"));
    config["aws.access.key.id"] = json!("AKIAUNKNOWNKEY000000");
    post(&worker, &client, "s3-badkey", &config).await;
    let trace = failed_trace(&worker, &client, "s3-badkey").await;
    assert!(
        trace.contains("S3 does not know this access key id: fix aws.access.key.id"),
        "{trace}"
    );
    assert!(
        !trace.contains(&env.s3.secret_key),
        "the secret must not appear: {trace}"
    );
    drop(moto);
}

#[tokio::test]
async fn an_unsupported_setting_is_refused_by_validation() {
    let env = Env::new("s3-validate", 1).await;
    let (mut worker, _) = start_worker(&env, "");
    let client = reqwest::Client::new();
    wait_rest(&mut worker, &client).await;
    let mut config = env.sink_config(&[
        (
            "format.class",
            "io.confluent.connect.s3.format.json.JsonFormat",
        ),
        ("flush.size", "10"),
        ("s3.wan.mode", "true"),
    ]);
    config["name"] = json!("s3-validate");
    let r = client
        .put(format!(
            "{}/connector-plugins/S3SinkConnector/config/validate",
            worker.base
        ))
        .json(&config)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error_count"], 1, "one error, on s3.wan.mode");
    let errors: Vec<&Value> = v["configs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["value"]["name"] == "s3.wan.mode")
        .flat_map(|c| c["value"]["errors"].as_array().unwrap())
        .collect();
    assert!(
        errors
            .iter()
            .any(|e| e.as_str().unwrap().contains("not supported yet")),
        "{v}"
    );
    // And creating it is refused with Kafka Connect's 400.
    let r = client
        .post(format!("{}/connectors", worker.base))
        .json(&json!({"name": "s3-validate", "config": config}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}
