//! Shared by the `distributed_*.rs` tests: `sluice distributed` processes (the built binary) on
//! fresh internal topics of the test broker, their REST API, and reading topics back.
// Each test binary uses a different subset.
#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use sluice_worker::kafka::{Properties, Record, TopicReader};

/// How long a worker may take to join its group and run its connectors (a rebalance on the test
/// broker takes about half the session timeout).
pub const WAIT: Duration = Duration::from_secs(90);

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A fresh path in the temporary directory.
pub fn temp(prefix: &str, ext: &str) -> PathBuf {
    std::env::temp_dir().join(format!("{}.{ext}", sluice_testkit::unique_name(prefix)))
}

/// The names one cluster of workers shares: its group and its three internal topics.
#[derive(Debug, Clone)]
pub struct ClusterNames {
    pub group: String,
    pub configs: String,
    pub offsets: String,
    pub statuses: String,
}

impl ClusterNames {
    /// Names nobody used before.
    pub fn fresh(prefix: &str) -> Self {
        let base = sluice_testkit::unique_name(prefix);
        ClusterNames {
            group: format!("{base}-group"),
            configs: format!("{base}-configs"),
            offsets: format!("{base}-offsets"),
            statuses: format!("{base}-status"),
        }
    }

    /// The worker properties of a member listening on `port`: the test broker, replication
    /// factor 1 (one broker), Kafka Connect's default partitions, a 10 s session (see the
    /// broker notes), 1 s offset flushes, string converters; `extra` added last.
    pub fn worker_properties(&self, port: u16, extra: &[(&str, &str)]) -> String {
        let kafka = sluice_testkit::services().kafka();
        let mut text = format!(
            "bootstrap.servers={}\n\
             group.id={}\n\
             config.storage.topic={}\nconfig.storage.replication.factor=1\n\
             offset.storage.topic={}\noffset.storage.replication.factor=1\n\
             status.storage.topic={}\nstatus.storage.replication.factor=1\n\
             session.timeout.ms=10000\nheartbeat.interval.ms=3000\n\
             offset.flush.interval.ms=1000\n\
             key.converter=org.apache.kafka.connect.storage.StringConverter\n\
             value.converter=org.apache.kafka.connect.storage.StringConverter\n\
             listeners=http://127.0.0.1:{port}\n",
            kafka.bootstrap, self.group, self.configs, self.offsets, self.statuses
        );
        for (k, v) in extra {
            text.push_str(&format!("{k}={v}\n"));
        }
        text
    }
}

/// The worker properties for the test broker alone (to read and write topics in tests).
pub fn client_properties() -> Properties {
    let kafka = sluice_testkit::services().kafka();
    [("bootstrap.servers".to_string(), kafka.bootstrap)].into()
}

/// Every record of `topic`, in offset order per partition.
pub async fn read_topic(topic: &str) -> Vec<Record> {
    let mut reader = TopicReader::open(
        &client_properties(),
        topic,
        &Properties::new(),
        Duration::from_secs(30),
    )
    .await
    .unwrap();
    reader.read_to_end(Duration::from_secs(30)).await.unwrap()
}

/// A record's key and value as text (`None`: tombstone).
pub fn texts(r: &Record) -> (String, Option<String>) {
    let text = |b: &[u8]| String::from_utf8(b.to_vec()).unwrap();
    (
        text(r.key.as_deref().unwrap_or_default()),
        r.value.as_deref().map(text),
    )
}

/// A running `sluice distributed`; dropped, it is killed (a failing test leaves no process).
#[derive(Debug)]
pub struct DistributedWorker {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The worker id statuses show (`127.0.0.1:<port>`).
    pub id: String,
    /// Its stderr (the logs).
    pub log: PathBuf,
    file: PathBuf,
}

impl Drop for DistributedWorker {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let _ = std::fs::remove_file(&self.file);
    }
}

impl DistributedWorker {
    /// Starts a member of `names` on a free port with `extra` worker properties and `env`
    /// variables (e.g. `CONNECT_*`), and waits until `GET /health` says it is ready (it has
    /// joined the group and acted on its assignment).
    pub async fn start(
        names: &ClusterNames,
        extra: &[(&str, &str)],
        env: &[(&str, &str)],
    ) -> DistributedWorker {
        let port = free_port();
        let file = temp("dist-worker", "properties");
        std::fs::write(&file, names.worker_properties(port, extra)).unwrap();
        let mut worker = Self::spawn(&file, port, env);
        worker.wait_ready().await;
        worker
    }

    /// Starts `sluice distributed file` without waiting.
    pub fn spawn(file: &Path, port: u16, env: &[(&str, &str)]) -> DistributedWorker {
        let log = temp("dist-worker", "log");
        let level = std::env::var("SLUICE_TEST_LOG").unwrap_or_else(|_| "info".into());
        let child = Command::new(env!("CARGO_BIN_EXE_sluice"))
            .arg("distributed")
            .arg(file)
            .env("RUST_LOG", level)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("the sluice binary starts");
        DistributedWorker {
            child,
            base: format!("http://127.0.0.1:{port}"),
            id: format!("127.0.0.1:{port}"),
            log,
            file: file.to_path_buf(),
        }
    }

    /// Waits until `GET /health` answers 200.
    pub async fn wait_ready(&mut self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "sluice distributed exited ({status}) before it was ready; log:\n{}",
                    self.log_text()
                );
            }
            if let Ok(r) = client.get(format!("{}/health", self.base)).send().await
                && r.status().as_u16() == 200
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "sluice distributed was not ready within {WAIT:?}; log: {}",
                self.log.display()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The worker's log so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGTERM, then waits (up to 60 s) for the worker to exit by itself; returns its status.
    pub async fn terminate(mut self) -> ExitStatus {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -TERM failed");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "sluice distributed did not stop within 60 s of SIGTERM"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// `GET path` → (status, JSON body or `null`).
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let r = reqwest::Client::new()
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// `method path` with a JSON body → (status, JSON body or `null`).
    pub async fn send(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let client = reqwest::Client::new();
        let url = format!("{}{path}", self.base);
        let mut req = client.request(method.parse().unwrap(), url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// `POST /connectors` for `name` with `config` (and an `initial_state` if given); the
    /// answer must be 201.
    pub async fn create(&self, name: &str, config: &Value, initial_state: Option<&str>) {
        let mut body = serde_json::json!({"name": name, "config": config});
        if let Some(state) = initial_state {
            body["initial_state"] = Value::from(state);
        }
        let (status, answer) = self.send("POST", "/connectors", Some(body)).await;
        assert_eq!(status, 201, "creating {name}: {answer}");
    }

    /// Polls `GET path` until `check` accepts the body; panics after [`WAIT`] naming `what`.
    pub async fn eventually(
        &self,
        what: &str,
        path: &str,
        check: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let (status, body) = self.get(path).await;
            if status == 200 && check(&body) {
                return body;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}: last answer {status} {body}; log: {}",
                self.log.display()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Whether a `/connectors/<name>/status` body says the connector and all its tasks run.
pub fn running(status: &Value) -> bool {
    status["connector"]["state"] == "RUNNING"
        && status["tasks"]
            .as_array()
            .is_some_and(|t| !t.is_empty() && t.iter().all(|t| t["state"] == "RUNNING"))
}

/// Creates a one-partition topic for connector data.
pub async fn data_topic(prefix: &str) -> String {
    let admin = sluice_worker::kafka::Admin::new(
        &client_properties(),
        &Properties::new(),
        Duration::from_secs(30),
    )
    .unwrap();
    let name = sluice_testkit::unique_name(prefix);
    assert!(admin.create_topic(&name, 1, 1, &[]).await.unwrap());
    name
}

/// Writes `lines` lines `line <i>` for `i` in `range` at the end of `file`.
pub fn append_lines(file: &Path, range: std::ops::Range<usize>) {
    use std::io::Write;
    let text: String = range.map(|i| format!("line {i}\n")).collect();
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
        .unwrap();
    f.write_all(text.as_bytes()).unwrap();
}
