//! The S3 server goes down for a minute while records keep arriving: the S3 sink task stays
//! RUNNING, its uploads retry with growing pauses (`s3.retry.backoff.ms` doubling up to 30 s),
//! and once the server is back every record is stored exactly once, in Confluent's object names.
//!
//! The test runs a moto server of its own on a free port (killing it disturbs no other test)
//! and kills it with SIGKILL for `S3_OUTAGE_SECS` seconds (default 60), then starts it again on
//! the same port. moto keeps everything in memory, so the restarted server has lost the bucket
//! and the objects: it is started with the bucket already created (in moto's own backend,
//! before its port opens — as a real S3 bucket outlives an outage, and so the sink can never
//! see a missing bucket, which is a definite error). The objects written before the kill are
//! read before it, at a moment when no upload can run (every partition holds exactly
//! `flush.size` multiples, so no file is open), and the final check spans the objects read
//! before the kill plus those in the bucket after the recovery: every record of the topic in
//! exactly one object, consecutive offsets from the object's name, no name written twice.
//!
//! Runtime: the outage plus 20–40 s (the worker, the phase before the kill, and up to 30 s
//! of backoff after the server is back).

mod s3_sink_support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use s3_sink_support::{Env, WAIT, Worker, create, free_port, json_lines, order, status, temp};
use serde_json::{Value, json};
use sluice_files::ObjectStore;
use sluice_s3::{S3Store, S3StoreConfig};
use sluice_worker::kafka::{ProduceRecord, Properties, TopicReader};

const NAME: &str = "s3-outage";
const PARTITIONS: i32 = 3;
const FLUSH: i64 = 100;
/// Records per second produced while the server is down and after it is back.
const RATE: u64 = 30;
/// The worker's retry warning (`sluice_files::sink::upload`).
const RETRY_WARNING: &str = "failed with a retriable error; retrying";

/// moto's own threaded server with `bucket` created in its backend before the port opens.
const MOTO_WITH_BUCKET: &str = "\
import sys, time
from moto.core import DEFAULT_ACCOUNT_ID
from moto.s3.models import s3_backends
from moto.server import ThreadedMotoServer
port, bucket, region = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s3_backends[DEFAULT_ACCOUNT_ID]['aws'].create_bucket(bucket, region)
ThreadedMotoServer(ip_address='127.0.0.1', port=port, verbose=False).start()
while True:
    time.sleep(3600)
";

/// A moto server of this test alone; dropped, it is killed.
struct PrivateMoto(Child);

impl PrivateMoto {
    /// Starts moto on `port` with `bucket` in `region`, and waits until it answers.
    async fn start(port: u16, bucket: &str, region: &str) -> PrivateMoto {
        let python = format!(
            "{}/.cache/sluice/venv/bin/python",
            std::env::var("HOME").unwrap()
        );
        let moto = PrivateMoto(
            Command::new(python)
                .args(["-c", MOTO_WITH_BUCKET, &port.to_string(), bucket, region])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("moto from the test services' Python environment"),
        );
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "the private moto server did not start on port {port}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        moto
    }

    /// SIGKILL, then reaps the process: the port is closed when this returns.
    fn kill_9(mut self) {
        self.0.kill().unwrap();
        self.0.wait().unwrap();
    }
}

impl Drop for PrivateMoto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn outage() -> Duration {
    Duration::from_secs(
        std::env::var("S3_OUTAGE_SECS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(60),
    )
}

/// Produces the next `n` records to `partition`, each acknowledged before the next.
async fn produce(env: &Env, next_id: &mut i64, partition: i32, n: i64) {
    for _ in 0..n {
        let id = *next_id;
        *next_id += 1;
        let value = s3_sink_support::envelope(&order(id, "eu", 1_714_557_600_000 + id));
        let key = id.to_string();
        env.producer
            .send(ProduceRecord {
                topic: &env.topic,
                partition: Some(partition),
                key: Some(key.as_bytes()),
                value: Some(&value),
                ..ProduceRecord::default()
            })
            .await
            .unwrap();
    }
}

/// Produces `RATE` records a second, round robin over the partitions, until `stop`; returns the
/// records produced per partition.
fn spawn_producer(
    env: Arc<Env>,
    first_id: i64,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<(i64, BTreeMap<i32, i64>)> {
    tokio::spawn(async move {
        let mut next_id = first_id;
        let mut counts: BTreeMap<i32, i64> = (0..PARTITIONS).map(|p| (p, 0)).collect();
        let started = Instant::now();
        let mut sent = 0u64;
        while !stop.load(Ordering::SeqCst) {
            let partition = (sent % PARTITIONS as u64) as i32;
            produce(&env, &mut next_id, partition, 1).await;
            *counts.get_mut(&partition).unwrap() += 1;
            sent += 1;
            let due = Duration::from_secs_f64(sent as f64 / RATE as f64);
            if let Some(wait) = due.checked_sub(started.elapsed()) {
                tokio::time::sleep(wait).await;
            }
        }
        (next_id, counts)
    })
}

/// The JSON lines of every object under `topics/` not in `cache` yet, added to it.
async fn read_new(store: &S3Store, cache: &mut BTreeMap<String, Vec<Value>>) {
    for meta in store.list("topics/").await.unwrap() {
        if let std::collections::btree_map::Entry::Vacant(slot) = cache.entry(meta.key) {
            let body = store.get(slot.key()).await.unwrap();
            slot.insert(json_lines(&body));
        }
    }
}

/// (partition, first offset) of a Default-partitioner JSON object of `topic`.
fn parse_key(topic: &str, key: &str) -> (i32, i64) {
    let rest = key
        .strip_prefix(&format!("topics/{topic}/partition="))
        .unwrap_or_else(|| panic!("unexpected object {key}"));
    let (p, name) = rest.split_once('/').unwrap();
    let partition: i32 = p.parse().unwrap();
    let offset = name
        .strip_prefix(&format!("{topic}+{partition}+"))
        .and_then(|n| n.strip_suffix(".json"))
        .filter(|n| n.len() == 10)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("not a Confluent object name: {key}"));
    (partition, offset)
}

/// Whether the status document says the connector and its task run.
fn running(v: &Value) -> bool {
    v["connector"]["state"] == "RUNNING"
        && v["tasks"]
            .as_array()
            .is_some_and(|t| t.len() == 1 && t[0]["state"] == "RUNNING")
}

/// `text` without ANSI colour sequences (`ESC [ … m`).
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The `retry_in` pauses of the worker's retry warnings, in seconds.
fn retry_pauses(log: &str) -> Vec<f64> {
    log.lines()
        .filter(|l| l.contains(RETRY_WARNING))
        .filter_map(|l| {
            let v = l.split("retry_in=").nth(1)?.split_whitespace().next()?;
            if let Some(ms) = v.strip_suffix("ms") {
                ms.parse::<f64>().ok().map(|m| m / 1000.0)
            } else {
                v.strip_suffix('s')?.parse().ok()
            }
        })
        .collect()
}

fn start_worker(env: &Env, log: &Path) -> Worker {
    let port = free_port();
    let file = temp("s3-outage-worker", "properties");
    std::fs::write(
        &file,
        format!(
            "bootstrap.servers={}\nlisteners=http://127.0.0.1:{port}\n\
             offset.storage.file.filename={}\noffset.flush.interval.ms=1000\n\
             key.converter=org.apache.kafka.connect.storage.StringConverter\n\
             value.converter=org.apache.kafka.connect.json.JsonConverter\n\
             consumer.session.timeout.ms=10000\nconsumer.heartbeat.interval.ms=1000\n",
            env.bootstrap,
            temp("s3-outage-offsets", "jsonl").display()
        ),
    )
    .unwrap();
    let stderr = std::fs::File::create(log).unwrap();
    Worker::start_with(
        port,
        &file,
        &[],
        &[("RUST_LOG", "warn")],
        Stdio::from(stderr),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_minute_s3_outage_is_ridden_out_without_loss() {
    let test_started = Instant::now();
    let outage = outage();
    let env = Arc::new(Env::new("s3-outage", PARTITIONS).await);
    let moto_port = free_port();
    let endpoint = format!("http://127.0.0.1:{moto_port}");
    let moto = PrivateMoto::start(moto_port, &env.bucket, &env.s3.region).await;
    let store = S3Store::connect(
        S3StoreConfig::new(&env.bucket, &env.s3.region)
            .with_endpoint(&endpoint, true)
            .with_credentials(&env.s3.access_key, &env.s3.secret_key),
    )
    .await
    .unwrap();
    store
        .check_access("topics/")
        .await
        .expect("the private moto server holds the bucket");

    let log = temp("s3-outage-worker", "log");
    let mut worker = start_worker(&env, &log);
    let client = reqwest::Client::new();
    let mut config = env.sink_config(&[
        (
            "format.class",
            "io.confluent.connect.s3.format.json.JsonFormat",
        ),
        ("flush.size", &FLUSH.to_string()),
    ]);
    config["store.url"] = json!(endpoint);
    create(&mut worker, &client, NAME, &config).await;

    // Before the outage: two full files per partition, all stored, none open.
    let mut next_id = 0;
    for p in 0..PARTITIONS {
        produce(&env, &mut next_id, p, 2 * FLUSH).await;
    }
    let mut before: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let deadline = Instant::now() + WAIT;
    while before.values().map(Vec::len).sum::<usize>() < (2 * FLUSH * PARTITIONS as i64) as usize {
        assert!(
            Instant::now() < deadline,
            "the records before the outage were not stored: {:?}",
            before.keys().collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
        read_new(&store, &mut before).await;
    }
    eprintln!(
        "{} objects stored before the outage ({:?} in)",
        before.len(),
        test_started.elapsed()
    );

    // The outage: the server is killed while records keep arriving.
    moto.kill_9();
    let killed = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let producer = spawn_producer(env.clone(), next_id, stop.clone());
    let mut checks = 0;
    while killed.elapsed() < outage {
        tokio::time::sleep(Duration::from_secs(2)).await;
        if let Some(s) = worker.exited() {
            panic!("the worker exited ({s}) during the S3 outage");
        }
        let v = status(&worker, &client, NAME).await;
        assert!(
            running(&v),
            "the connector and its task must stay RUNNING while S3 is down \
             ({:?} into the outage): {v}",
            killed.elapsed()
        );
        checks += 1;
    }
    let during = std::fs::read_to_string(&log).unwrap();
    assert!(
        during.contains(RETRY_WARNING),
        "the worker logged no upload retry during the outage; its log:\n{during}"
    );
    eprintln!("RUNNING at each of {checks} checks during the {outage:?} outage");

    // The server is back (its bucket too, empty); records keep arriving a little longer.
    let _moto = PrivateMoto::start(moto_port, &env.bucket, &env.s3.region).await;
    let restarted = Instant::now();
    tokio::time::sleep(Duration::from_secs(5)).await;
    stop.store(true, Ordering::SeqCst);
    let (mut next_id, counts) = producer.await.unwrap();
    // Fill every partition's last file, so every record is due for upload.
    for (p, n) in &counts {
        produce(&env, &mut next_id, *p, (FLUSH - n % FLUSH) % FLUSH).await;
    }

    // The topic: what the objects must hold.
    let props: Properties = [("bootstrap.servers".to_string(), env.bootstrap.clone())].into();
    let mut reader = TopicReader::open(&props, &env.topic, &Properties::new(), WAIT)
        .await
        .unwrap();
    let mut topic: BTreeMap<(i32, i64), Value> = BTreeMap::new();
    let deadline = Instant::now() + WAIT;
    while topic.len() < next_id as usize {
        for r in reader.read_to_end(WAIT).await.unwrap() {
            let v: Value = serde_json::from_slice(r.value.as_deref().unwrap()).unwrap();
            topic.insert((r.partition, r.offset), v["payload"].clone());
        }
        assert!(
            Instant::now() < deadline,
            "the topic holds {} of {next_id} records",
            topic.len()
        );
    }
    let total = topic.len();

    // Recovery: everything produced lands (within the 30 s backoff cap plus the uploads).
    let mut after: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let deadline = Instant::now() + Duration::from_secs(150);
    loop {
        read_new(&store, &mut after).await;
        let stored = before
            .values()
            .chain(after.values())
            .map(Vec::len)
            .sum::<usize>();
        if stored >= total {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "only {stored} of {total} records are stored {:?} after S3 came back",
            restarted.elapsed()
        );
        let v = status(&worker, &client, NAME).await;
        assert!(running(&v), "the task must recover, not fail: {v}");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    eprintln!(
        "all {total} records stored {:?} after S3 came back",
        restarted.elapsed()
    );
    // A moment more, so a late duplicate upload would show.
    tokio::time::sleep(Duration::from_secs(3)).await;
    read_new(&store, &mut after).await;
    let v = status(&worker, &client, NAME).await;
    assert!(running(&v), "RUNNING after the recovery: {v}");
    let exit = worker.terminate().await;
    assert!(exit.success(), "clean exit: {exit}");

    // No name written both before and after the outage (the restarted server starts empty,
    // so a name in both is a file uploaded twice).
    let twice: Vec<&String> = after.keys().filter(|k| before.contains_key(*k)).collect();
    assert!(twice.is_empty(), "objects uploaded twice: {twice:?}");
    let mut objects: BTreeMap<(i32, i64), &Vec<Value>> = BTreeMap::new();
    for (key, lines) in before.iter().chain(after.iter()) {
        objects.insert(parse_key(&env.topic, key), lines);
    }
    // Each object holds consecutive offsets from its name; together they cover the topic once.
    let mut next: BTreeMap<i32, i64> = (0..PARTITIONS).map(|p| (p, 0)).collect();
    for ((partition, first), lines) in &objects {
        assert_eq!(
            *first, next[partition],
            "partition {partition}: an object starts at {first} but the previous one ends \
             before {} (a gap or an overlap: lost or duplicated records)",
            next[partition]
        );
        for (i, line) in lines.iter().enumerate() {
            let offset = first + i as i64;
            assert_eq!(
                Some(line),
                topic.get(&(*partition, offset)),
                "partition {partition} offset {offset}"
            );
        }
        next.insert(*partition, first + lines.len() as i64);
    }
    let covered: i64 = next.values().sum();
    assert_eq!(
        covered as usize, total,
        "every record of the topic is stored exactly once"
    );

    // The retries backed off: pauses from s3.retry.backoff.ms's 200 ms up to the cap.
    let text = strip_ansi(&std::fs::read_to_string(&log).unwrap());
    let pauses = retry_pauses(&text);
    let longest = pauses.iter().copied().fold(0.0, f64::max);
    let shortest = pauses.iter().copied().fold(f64::INFINITY, f64::min);
    // Pauses double: a one-minute outage reaches 25.6 s (then the 30 s cap).
    let expected_longest = (outage.as_secs_f64() / 4.0).min(10.0);
    assert!(
        shortest <= 0.2 && longest >= expected_longest,
        "the upload retries must back off from 200 ms to at least {expected_longest} s; \
         pauses seen: {pauses:?}"
    );
    let sample = text.lines().find(|l| l.contains(RETRY_WARNING)).unwrap();
    assert!(
        sample.contains("the connection to S3 failed"),
        "the retry warning says why: {sample}"
    );
    eprintln!(
        "{} objects ({} before, {} after the outage) hold the {total} records exactly once; \
         {} retry warnings, pauses {shortest} s to {longest} s; the test took {:?}",
        objects.len(),
        before.len(),
        after.len(),
        pauses.len(),
        test_started.elapsed()
    );
    eprintln!("a retry warning: {sample}");
}
