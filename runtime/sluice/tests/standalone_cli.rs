//! `sluice standalone` as a process against the real broker: a connector file given on the
//! command line is created at start; a FileStreamSource created through `POST /connectors`
//! runs and publishes its file's lines; DELETE removes it; SIGTERM stops the worker cleanly.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sluice_worker::kafka::{Admin, Properties, TopicReader};

const WAIT: Duration = Duration::from_secs(60);

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Kills the worker if the test fails before its SIGTERM.
struct Worker(Child);

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn temp(prefix: &str, ext: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("{}.{ext}", sluice_testkit::unique_name(prefix)))
}

fn write_lines(path: &Path, lines: &[String]) {
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

async fn get_json(client: &reqwest::Client, url: &str) -> Option<Value> {
    let r = client.get(url).send().await.ok()?;
    if !r.status().is_success() {
        return None;
    }
    r.json().await.ok()
}

/// Waits until `GET url` answers 200 with a body `check` accepts.
async fn wait_for(client: &reqwest::Client, url: &str, what: &str, check: impl Fn(&Value) -> bool) {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(v) = get_json(client, url).await
            && check(&v)
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what} at {url}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn running(status: &Value) -> bool {
    status["connector"]["state"] == "RUNNING"
        && status["tasks"]
            .as_array()
            .is_some_and(|t| !t.is_empty() && t.iter().all(|t| t["state"] == "RUNNING"))
}

/// A new one-partition topic (so the file's order is the topic's order).
async fn topic(bootstrap: &str, prefix: &str) -> String {
    let worker: Properties = [("bootstrap.servers".to_string(), bootstrap.to_string())].into();
    let admin = Admin::new(&worker, &Properties::new(), Duration::from_secs(30)).unwrap();
    let name = sluice_testkit::unique_name(prefix);
    assert!(admin.create_topic(&name, 1, 1, &[]).await.unwrap());
    name
}

async fn topic_values(bootstrap: &str, topic: &str, n: usize) -> Vec<String> {
    let worker: Properties = [("bootstrap.servers".to_string(), bootstrap.to_string())].into();
    let deadline = Instant::now() + WAIT;
    let mut reader = TopicReader::open(&worker, topic, &Properties::new(), WAIT)
        .await
        .unwrap();
    let mut values = Vec::new();
    while values.len() < n && Instant::now() < deadline {
        for r in reader.read_to_end(WAIT).await.unwrap() {
            values.push(String::from_utf8(r.value.unwrap().to_vec()).unwrap());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    values
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standalone_serves_the_rest_api_runs_connectors_and_stops_on_sigterm() {
    let kafka = sluice_testkit::services().kafka();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let offsets = temp("cli-offsets", "json");
    let worker_file = temp("worker", "properties");
    std::fs::write(
        &worker_file,
        format!(
            "# standalone worker for the test\nbootstrap.servers={}\n\
             offset.storage.file.filename={}\noffset.flush.interval.ms=200\n\
             key.converter=org.apache.kafka.connect.storage.StringConverter\n\
             value.converter=org.apache.kafka.connect.storage.StringConverter\n\
             listeners=http://127.0.0.1:{port}\n",
            kafka.bootstrap,
            offsets.display()
        ),
    )
    .unwrap();

    // A connector given on the command line, as a JSON file.
    let boot_input = temp("boot-input", "txt");
    let boot_lines: Vec<String> = (0..50).map(|i| format!("boot {i}")).collect();
    write_lines(&boot_input, &boot_lines);
    let boot_topic = topic(&kafka.bootstrap, "cli-boot").await;
    let boot_file = temp("boot-connector", "json");
    std::fs::write(
        &boot_file,
        json!({"name": "boot-source", "config": {
            "connector.class": "FileStreamSource",
            "file": boot_input.to_str().unwrap(),
            "topic": boot_topic,
        }})
        .to_string(),
    )
    .unwrap();

    let child = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .arg("standalone")
        .arg(&worker_file)
        .arg(&boot_file)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the sluice binary starts");
    let mut worker = Worker(child);
    let client = reqwest::Client::new();
    wait_for(&client, &format!("{base}/"), "the REST API", |v| {
        v["version"].is_string()
    })
    .await;
    wait_for(
        &client,
        &format!("{base}/connectors/boot-source/status"),
        "the command-line connector to run",
        running,
    )
    .await;
    assert_eq!(
        topic_values(&kafka.bootstrap, &boot_topic, boot_lines.len()).await,
        boot_lines
    );

    // POST /connectors: 201 with Location, then RUNNING, then the lines in Kafka.
    let input = temp("cli-input", "txt");
    let lines: Vec<String> = (0..200).map(|i| format!("rest {i}")).collect();
    write_lines(&input, &lines);
    let topic = topic(&kafka.bootstrap, "cli-rest").await;
    let r = client
        .post(format!("{base}/connectors"))
        .json(&json!({"name": "rest-source", "config": {
            "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
            "tasks.max": 1,
            "file": input.to_str().unwrap(),
            "topic": topic,
        }}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        format!("{base}/connectors/rest-source")
    );
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["type"], "source");
    assert_eq!(created["config"]["name"], "rest-source");
    wait_for(
        &client,
        &format!("{base}/connectors/rest-source/status"),
        "the created connector to run",
        running,
    )
    .await;
    let status = get_json(&client, &format!("{base}/connectors/rest-source/status"))
        .await
        .unwrap();
    assert_eq!(
        status["connector"]["worker_id"],
        format!("127.0.0.1:{port}")
    );
    assert_eq!(
        topic_values(&kafka.bootstrap, &topic, lines.len()).await,
        lines
    );
    let names = get_json(&client, &format!("{base}/connectors"))
        .await
        .unwrap();
    assert_eq!(names, json!(["boot-source", "rest-source"]));

    // A config error answers Kafka's 400.
    let r = client
        .post(format!("{base}/connectors"))
        .json(&json!({"name": "bad", "config": {"tasks.max": "1"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["message"],
        "Connector config {name=bad, tasks.max=1} contains no connector type"
    );

    // DELETE: 204, then 404.
    let r = client
        .delete(format!("{base}/connectors/rest-source"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let r = client
        .get(format!("{base}/connectors/rest-source"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);

    // SIGTERM: the worker stops its connectors and exits 0 by itself.
    let pid = worker.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = worker.0.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "sluice did not stop within 30 s of SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "clean exit on SIGTERM, got {status}");
    // The boot connector's offsets were flushed at shutdown: the whole file is recorded.
    let stored = std::fs::read_to_string(&offsets).unwrap();
    assert!(
        stored.contains(boot_input.to_str().unwrap()),
        "offsets file holds the boot source's position: {stored}"
    );
    for f in [&offsets, &worker_file, &boot_input, &boot_file, &input] {
        let _ = std::fs::remove_file(f);
    }
}
