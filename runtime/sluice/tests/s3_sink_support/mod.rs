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
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sluice_files::ObjectStore;
use sluice_s3::{S3Store, S3StoreConfig};
use sluice_worker::kafka::{Admin, ProduceRecord, Producer, Properties};

// The worker process (start, wait for RUNNING, kill -9, SIGTERM) is the one every binary test
// uses; this module adds what the S3 sink tests need around it.
#[path = "../worker_process/mod.rs"]
mod worker_process;
pub(crate) use worker_process::{WAIT, Worker, free_port, temp};

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

/// A worker (see [`start_worker`]) that also serves its own Schema Registry; returns the
/// registry's URL once it answers.
pub(crate) async fn worker_with_registry(
    env: &Env,
    client: &reqwest::Client,
    extra: &str,
) -> (Worker, String) {
    let registry_port = free_port();
    let registry = format!("http://127.0.0.1:{registry_port}");
    let (mut worker, _) = start_worker(
        env,
        &format!(
            "sluice.schema.registry.listeners={registry}\n\
             sluice.schema.registry.topic={}\nsluice.schema.registry.replication.factor=1\n{extra}",
            sluice_testkit::unique_name("test-schemas")
        ),
    );
    wait_rest(&mut worker, client).await;
    wait_registry(client, &registry).await;
    (worker, registry)
}

/// Waits until the Schema Registry at `registry` answers.
pub(crate) async fn wait_registry(client: &reqwest::Client, registry: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while client
        .get(format!("{registry}/subjects"))
        .send()
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "the registry did not answer");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
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
    worker.wait_running(client, &[name]).await;
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

/// Reads a Parquet (pyarrow) or Avro (fastavro) object: its codec, schema (pyarrow's column
/// types, or the Avro schema) and records, with logical types as plain JSON.
const READER: &str = r#"
import base64, datetime, decimal, json, sys
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
def plain(v):
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, (bytes, bytearray)):
        return base64.b64encode(v).decode()
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=datetime.timezone.utc)
        return (v - EPOCH) // datetime.timedelta(milliseconds=1)
    if isinstance(v, datetime.date):
        return (v - datetime.date(1970, 1, 1)).days
    return v
kind, path = sys.argv[1], sys.argv[2]
if kind == "parquet":
    import pyarrow.parquet as pq
    f = pq.ParquetFile(path)
    table = f.read()
    out = {"codec": f.metadata.row_group(0).column(0).compression,
           "schema": {field.name: str(field.type) for field in table.schema},
           "records": [plain(r) for r in table.to_pylist()]}
else:
    import fastavro
    with open(path, "rb") as fh:
        r = fastavro.reader(fh)
        records = [plain(x) for x in r]
        meta = {k: v if isinstance(v, str) else v.decode() for k, v in r.metadata.items()}
    out = {"codec": meta["avro.codec"], "schema": json.loads(meta["avro.schema"]),
           "records": records}
print(json.dumps(out))
"#;

pub(crate) fn read_object(kind: &str, bytes: &[u8]) -> Value {
    let path = temp("s3-object", kind);
    std::fs::write(&path, bytes).unwrap();
    let python = std::env::var("HOME")
        .map(|h| format!("{h}/.cache/sluice/venv/bin/python"))
        .unwrap();
    let out = Command::new(python)
        .args(["-c", READER, kind, path.to_str().unwrap()])
        .output()
        .expect("the test services' Python runs");
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "{kind} reader failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
