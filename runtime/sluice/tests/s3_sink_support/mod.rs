//! Shared by the `s3_sink*` tests: a `sluice standalone` worker on the test broker with the
//! JSON converter (schemas on), a fresh bucket on the test S3 server (moto), records produced
//! to Kafka, and the objects read back — names from the bucket listing, Avro contents through
//! `fastavro` (an independent reader, in the test services' Python environment).
//!
//! The worker binary is copied once per test process before its first start, so every restart
//! of a kill test runs the same build even if the shared target directory is rebuilt meanwhile.
// Each test binary uses only some of these helpers.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sluice_files::ObjectStore;
use sluice_s3::{S3Store, S3StoreConfig};
use sluice_worker::kafka::{Admin, ProduceRecord, Producer, Properties};

/// How long the worker may take to answer and run its connectors.
pub(crate) const WAIT: Duration = Duration::from_secs(90);

/// A port nobody listens on right now.
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A fresh path in the temporary directory.
pub(crate) fn temp(prefix: &str, ext: &str) -> PathBuf {
    std::env::temp_dir().join(format!("{}.{ext}", sluice_testkit::unique_name(prefix)))
}

/// Whether the binary at `path` has the S3 sink compiled in.
fn has_s3_sink(path: &Path) -> bool {
    const MARK: &[u8] = b"io.confluent.connect.s3.S3SinkConnector";
    std::fs::read(path).is_ok_and(|b| b.windows(MARK.len()).any(|w| w == MARK))
}

/// This test process's copy of the `sluice` binary.
///
/// The target directory may be shared with builds of other feature sets, which relink
/// `target/<profile>/sluice` to their own build; then the newest build of this package that has
/// the S3 sink is taken from `deps/`.
fn binary() -> &'static Path {
    static COPY: OnceLock<PathBuf> = OnceLock::new();
    COPY.get_or_init(|| {
        let main = PathBuf::from(env!("CARGO_BIN_EXE_sluice"));
        let source = if has_s3_sink(&main) {
            main
        } else {
            let deps = main.parent().unwrap().join("deps");
            let mut builds: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(&deps)
                .unwrap()
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("sluice-") && !n.contains('.'))
                })
                .filter_map(|p| Some((p.metadata().ok()?.modified().ok()?, p)))
                .collect();
            builds.sort();
            builds
                .into_iter()
                .rev()
                .map(|(_, p)| p)
                .find(|p| has_s3_sink(p))
                .expect("no build of sluice with the s3 feature: run `cargo build -p sluice`")
        };
        let copy = temp("sluice-bin", "exe");
        std::fs::copy(&source, &copy).expect("copy the sluice binary");
        copy
    })
}

/// A running `sluice standalone`; dropped, it is killed.
#[derive(Debug)]
pub(crate) struct Worker {
    child: Child,
    /// The REST API's base URL.
    pub(crate) base: String,
}

impl Worker {
    /// Starts `sluice standalone worker_file connectors…` (the file sets `listeners`).
    pub(crate) fn start(port: u16, worker_file: &Path, connectors: &[&Path]) -> Worker {
        let log = std::env::var("SLUICE_TEST_LOG").unwrap_or_else(|_| "warn".into());
        let child = Command::new(binary())
            .arg("standalone")
            .arg(worker_file)
            .args(connectors)
            .env("RUST_LOG", log)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the sluice binary starts");
        Worker {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    /// Waits until connector `name` and all its tasks are RUNNING.
    pub(crate) async fn wait_running(&mut self, client: &reqwest::Client, name: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(s) = self.exited() {
                panic!("sluice exited ({s}) before connector '{name}' ran");
            }
            let v = status(self, client, name).await;
            if v["connector"]["state"] == "RUNNING"
                && v["tasks"]
                    .as_array()
                    .is_some_and(|t| !t.is_empty() && t.iter().all(|t| t["state"] == "RUNNING"))
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {name} to run: {v}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The process's peak resident memory (VmHWM) in bytes.
    pub(crate) fn peak_rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().strip_suffix("kB"))
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap()
            * 1024
    }

    /// The exit status if the process has ended.
    pub(crate) fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().unwrap()
    }

    /// SIGKILL, then reaps the process.
    pub(crate) fn kill_9(mut self) {
        signal("KILL", self.child.id());
        let status = self.child.wait().unwrap();
        assert!(!status.success(), "a killed worker cannot exit 0: {status}");
    }

    /// SIGTERM, then waits (up to 60 s) for the worker to exit; returns its status.
    pub(crate) async fn terminate(mut self) -> ExitStatus {
        signal("TERM", self.child.id());
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(s) = self.exited() {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "sluice did not stop within 60 s of SIGTERM"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Sends signal `name` to `pid` (the `kill` command; no unsafe code in tests).
pub(crate) fn signal(name: &str, pid: u32) {
    let ok = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{name} {pid} failed");
}

/// The record schema every test produces (a JsonConverter envelope's `schema`).
pub(crate) fn order_schema() -> Value {
    json!({"type": "struct", "name": "shop.Order", "optional": false, "fields": [
        {"field": "id", "type": "int64", "optional": false},
        {"field": "region", "type": "string", "optional": false},
        {"field": "ts", "type": "int64", "optional": false},
        {"field": "note", "type": "string", "optional": true},
    ]})
}

/// An order's payload.
pub(crate) fn order(id: i64, region: &str, ts: i64) -> Value {
    json!({"id": id, "region": region, "ts": ts, "note": format!("order {id} {}", "x".repeat(40))})
}

/// A JsonConverter envelope (`schemas.enable=true`) of an order.
pub(crate) fn envelope(payload: &Value) -> Vec<u8> {
    serde_json::to_vec(&json!({"schema": order_schema(), "payload": payload})).unwrap()
}

/// The test servers, a fresh topic and a fresh bucket.
pub(crate) struct Env {
    pub(crate) bootstrap: String,
    pub(crate) topic: String,
    pub(crate) bucket: String,
    pub(crate) store: S3Store,
    pub(crate) s3: sluice_testkit::S3,
    pub(crate) producer: Producer,
}

impl Env {
    /// Creates a topic of `partitions` partitions and a bucket.
    pub(crate) async fn new(prefix: &str, partitions: i32) -> Env {
        let kafka = sluice_testkit::services().kafka();
        let s3 = sluice_testkit::services().s3();
        let props: Properties = [("bootstrap.servers".to_string(), kafka.bootstrap.clone())].into();
        let admin = Admin::new(&props, &Properties::new(), Duration::from_secs(30)).unwrap();
        let topic = sluice_testkit::unique_name(prefix);
        assert!(
            admin
                .create_topic(&topic, partitions, 1, &[])
                .await
                .unwrap()
        );
        let bucket = sluice_testkit::unique_name(prefix)
            .to_lowercase()
            .replace('_', "-");
        let store = S3Store::connect(
            S3StoreConfig::new(&bucket, &s3.region)
                .with_endpoint(&s3.endpoint, true)
                .with_credentials(&s3.access_key, &s3.secret_key),
        )
        .await
        .unwrap();
        store.create_bucket().await.unwrap();
        let producer = Producer::new(&props, &Properties::new()).unwrap();
        Env {
            bootstrap: kafka.bootstrap,
            topic,
            bucket,
            store,
            s3,
            producer,
        }
    }

    /// The S3 sink config for this topic and bucket, plus `extra`.
    pub(crate) fn sink_config(&self, extra: &[(&str, &str)]) -> Value {
        let mut c = json!({
            "connector.class": "io.confluent.connect.s3.S3SinkConnector",
            "tasks.max": "1",
            "topics": self.topic,
            "s3.bucket.name": self.bucket,
            "s3.region": self.s3.region,
            "store.url": self.s3.endpoint,
            "aws.access.key.id": self.s3.access_key,
            "aws.secret.access.key": self.s3.secret_key,
        });
        for (k, v) in extra {
            c[*k] = json!(v);
        }
        c
    }

    /// Produces `payloads` as JsonConverter envelopes to `partition`, in order, each
    /// acknowledged before the next is sent (so offsets follow the order given).
    pub(crate) async fn produce(&self, partition: i32, payloads: &[Value]) {
        for p in payloads {
            let value = envelope(p);
            self.producer
                .send(ProduceRecord {
                    topic: &self.topic,
                    partition: Some(partition),
                    value: Some(&value),
                    ..ProduceRecord::default()
                })
                .await
                .unwrap();
        }
    }

    /// Every object under `topics/`, with its bytes.
    pub(crate) async fn objects(&self) -> BTreeMap<String, Vec<u8>> {
        let mut out = BTreeMap::new();
        for meta in self.store.list("topics/").await.unwrap() {
            let body = self.store.get(&meta.key).await.unwrap();
            out.insert(meta.key, body.to_vec());
        }
        out
    }

    /// Waits until the bucket holds exactly `keys` (in any order), then returns the objects.
    pub(crate) async fn wait_for_keys(&self, keys: &[String]) -> BTreeMap<String, Vec<u8>> {
        let deadline = Instant::now() + WAIT;
        let want: Vec<String> = {
            let mut k = keys.to_vec();
            k.sort();
            k
        };
        loop {
            let got: Vec<String> = self
                .store
                .list("topics/")
                .await
                .unwrap()
                .into_iter()
                .map(|m| m.key)
                .collect();
            if got == want {
                return self.objects().await;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for objects {want:?}; the bucket holds {got:?}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// A standalone worker for the sink tests: JSON values with schemas, string keys, commits
/// every second.
pub(crate) fn start_worker(env: &Env, extra: &str) -> (Worker, PathBuf) {
    let port = free_port();
    let file = temp("s3-worker", "properties");
    std::fs::write(
        &file,
        format!(
            "bootstrap.servers={}\nlisteners=http://127.0.0.1:{port}\n\
             offset.storage.file.filename={}\noffset.flush.interval.ms=1000\n\
             key.converter=org.apache.kafka.connect.storage.StringConverter\n\
             value.converter=org.apache.kafka.connect.json.JsonConverter\n\
             consumer.session.timeout.ms=10000\nconsumer.heartbeat.interval.ms=1000\n{extra}",
            env.bootstrap,
            temp("s3-offsets", "jsonl").display()
        ),
    )
    .unwrap();
    (Worker::start(port, &file, &[]), file)
}

/// Creates connector `name` with `config` and waits until it and its task run.
pub(crate) async fn create(
    worker: &mut Worker,
    client: &reqwest::Client,
    name: &str,
    config: &Value,
) {
    wait_rest(worker, client).await;
    let r = client
        .post(format!("{}/connectors", worker.base))
        .json(&json!({"name": name, "config": config}))
        .send()
        .await
        .unwrap();
    let status = r.status();
    assert_eq!(status, 201, "create {name}: {}", r.text().await.unwrap());
    worker.wait_running(client, name).await;
}

/// Waits for the worker's REST API.
pub(crate) async fn wait_rest(worker: &mut Worker, client: &reqwest::Client) {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(s) = worker.exited() {
            panic!("sluice exited ({s}) before its REST API answered");
        }
        if client.get(format!("{}/", worker.base)).send().await.is_ok() {
            return;
        }
        assert!(Instant::now() < deadline, "the REST API did not answer");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The key of an object of the Default partitioner.
pub(crate) fn default_key(topic: &str, partition: i32, offset: i64, ext: &str) -> String {
    format!("topics/{topic}/partition={partition}/{topic}+{partition}+{offset:010}{ext}")
}

/// The JSON documents of a JSON-lines object.
pub(crate) fn json_lines(bytes: &[u8]) -> Vec<Value> {
    std::str::from_utf8(bytes)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The records of an Avro container file, read by `fastavro`, as JSON, and the file's
/// schema.
pub(crate) fn avro_records(bytes: &[u8]) -> (Value, Vec<Value>) {
    let path = temp("s3-object", "avro");
    std::fs::write(&path, bytes).unwrap();
    let python = std::env::var("HOME")
        .map(|h| format!("{h}/.cache/sluice/venv/bin/python"))
        .unwrap();
    let script = "import fastavro, json, sys\n\
        with open(sys.argv[1], 'rb') as f:\n\
        \x20   r = fastavro.reader(f)\n\
        \x20   print(json.dumps({'schema': r.writer_schema, 'records': list(r)}, default=str))\n";
    let out = Command::new(python)
        .args(["-c", script, path.to_str().unwrap()])
        .output()
        .expect("the test services' Python runs");
    assert!(
        out.status.success(),
        "fastavro failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let _ = std::fs::remove_file(&path);
    (
        v["schema"].clone(),
        v["records"].as_array().unwrap().clone(),
    )
}

/// The connector's status document (`Null` while the worker does not answer).
pub(crate) async fn status(worker: &Worker, client: &reqwest::Client, name: &str) -> Value {
    match client
        .get(format!("{}/connectors/{name}/status", worker.base))
        .send()
        .await
    {
        Ok(r) => r.json().await.unwrap_or(Value::Null),
        Err(_) => Value::Null,
    }
}
