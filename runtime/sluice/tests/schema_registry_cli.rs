//! `sluice schema-registry` runs as a service against the real broker: it answers the REST API,
//! keeps ids across a restart of the process, and stops cleanly on SIGTERM.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(bootstrap: &str, topic: &str, port: u16) -> Service {
    let child = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args([
            "schema-registry",
            "--bootstrap-servers",
            bootstrap,
            "--topic",
            topic,
        ])
        .args([
            "--listeners",
            &format!("http://127.0.0.1:{port}"),
            "--replication-factor",
            "1",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the sluice binary starts");
    Service(child)
}

async fn wait_ready(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = client.get(format!("{base}/subjects")).send().await
            && r.status().is_success()
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the registry at {base} did not come up within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn registry_service_registers_survives_restart_and_stops_on_sigterm() {
    let kafka = sluice_testkit::services().kafka();
    let topic = sluice_testkit::unique_name("schemas");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let schema = r#"{"type":"record","name":"Key","namespace":"cli.test","fields":[{"name":"id","type":"long"}]}"#;

    let mut service = start(&kafka.bootstrap, &topic, port);
    wait_ready(&client, &base).await;
    let body = serde_json::json!({ "schema": schema });
    let r = client
        .post(format!("{base}/subjects/cli-test-key/versions"))
        .header("content-type", "application/vnd.schemaregistry.v1+json")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let id = r.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .expect("an id");

    // SIGTERM: the process exits by itself, successfully.
    let pid = service.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = service.0.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "sluice did not stop within 20 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "clean exit on SIGTERM, got {status}");

    // A new process on the same topic serves the same id.
    let _service = start(&kafka.bootstrap, &topic, port);
    wait_ready(&client, &base).await;
    let r = client
        .get(format!("{base}/schemas/ids/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let got = r.json::<serde_json::Value>().await.unwrap();
    assert_eq!(got["schema"].as_str(), Some(schema));
}
