//! Benchmarks of the S3 sink (ignored tests, run in release by `bench/s3_sink.sh`; figures in
//! docs/benchmarks.md):
//!
//! - `throughput`: Avro records of about 300 bytes (AvroConverter, the worker's own Schema
//!   Registry) are produced to Kafka first; then the sink drains the topic into the S3 server
//!   (Avro or JSON files, `BENCH_FORMAT`). The rate is the input (Kafka value) bytes of the files
//!   published between the first and the last object, over that time, so the group join is not
//!   counted. The S3 server's own write throughput is measured the same way: objects of the
//!   same size, `sluice.upload.concurrency` at a time, from the same client, with bodies
//!   signed the same way (`BENCH_PAYLOAD_SIGNING`: false by default, as the sink does against
//!   an https:// endpoint such as AWS's; auto or true to sign as over plain HTTP).
//! - `memory_200_partitions`: 200 partitions stream into files that never fill
//!   (`flush.size` = 10^9) under a 64 MiB budget: the budget must close files early, every
//!   record must be stored, and the worker's peak RSS must stay under budget + 60 MB.

mod s3_sink_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use s3_sink_support::{Env, create, json_lines, start_worker, worker_with_registry};
use serde_json::{Value, json};
use sluice_files::ObjectStore;
use sluice_s3::{PayloadSigning, S3Store, S3StoreConfig};
use sluice_worker::kafka::ProduceRecord;

fn env_or(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const SCHEMA: &str = r#"{"type":"record","name":"Order","namespace":"bench","fields":[{"name":"id","type":"long"},{"name":"customer","type":"string"},{"name":"region","type":"string"},{"name":"amount","type":"double"},{"name":"ts","type":"long"},{"name":"note","type":"string"}]}"#;

fn zigzag(out: &mut Vec<u8>, v: i64) {
    let mut n = ((v << 1) ^ (v >> 63)) as u64;
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn string(out: &mut Vec<u8>, s: &str) {
    zigzag(out, s.len() as i64);
    out.extend_from_slice(s.as_bytes());
}

/// A record in Confluent's wire format (magic byte, schema id, Avro body), about 300 bytes.
fn avro_record(schema_id: u32, i: i64) -> Vec<u8> {
    let mut out = vec![0];
    out.extend_from_slice(&schema_id.to_be_bytes());
    zigzag(&mut out, i);
    string(&mut out, &format!("customer-{:06}", i % 100_000));
    string(
        &mut out,
        ["eu-west", "us-east", "ap-south"][(i % 3) as usize],
    );
    out.extend_from_slice(&(i as f64 * 0.25).to_le_bytes());
    zigzag(&mut out, 1_714_557_600_000 + i);
    let note: String = (0..240)
        .map(|k| (b'a' + ((i as usize + k) % 26) as u8) as char)
        .collect();
    string(&mut out, &note);
    out
}

/// Produces `records` to the topic's partitions round-robin; returns the value bytes.
async fn produce(env: &Env, schema_id: u32, records: usize, partitions: i32) -> u64 {
    let mut bytes = 0u64;
    let chunk = 20_000;
    for first in (0..records).step_by(chunk) {
        let mut set = tokio::task::JoinSet::new();
        for i in first..(first + chunk).min(records) {
            let value = avro_record(schema_id, i as i64);
            bytes += value.len() as u64;
            let producer = env.producer.clone();
            let topic = env.topic.clone();
            set.spawn(async move {
                producer
                    .send(ProduceRecord {
                        topic: &topic,
                        partition: Some((i % partitions as usize) as i32),
                        value: Some(&value),
                        ..ProduceRecord::default()
                    })
                    .await
                    .unwrap();
            });
        }
        while set.join_next().await.is_some() {}
    }
    bytes
}

/// The CPU time (user + system) process `pid` has used, in seconds (`/proc/<pid>/stat`,
/// clock ticks of 1/100 s).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

/// Reads `records` records of the topic with the worker's group consumer, configured with the
/// same `consumer.*` worker properties as the sink (`extra`, one `key=value` per line); returns
/// the seconds from the first record to the last (the group join is not counted).
async fn consume_ceiling(env: &Env, records: usize, extra: &str) -> f64 {
    let mut worker: sluice_worker::kafka::Properties =
        [("bootstrap.servers".to_string(), env.bootstrap.clone())].into();
    for (k, v) in extra.lines().filter_map(|l| l.split_once('=')) {
        worker.insert(k.trim().to_string(), v.trim().to_string());
    }
    let consumer = sluice_worker::kafka::GroupConsumer::new(
        &worker,
        &sluice_testkit::unique_name("bench-read"),
        &[("auto.offset.reset".to_string(), "earliest".to_string())].into(),
    )
    .unwrap();
    consumer.subscribe(&[&env.topic]).unwrap();
    let first = tokio::time::timeout(Duration::from_secs(120), consumer.recv())
        .await
        .expect("no record within 120 s")
        .unwrap();
    assert!(first.value.is_some());
    let started = Instant::now();
    for _ in 1..records {
        consumer.recv().await.unwrap();
    }
    started.elapsed().as_secs_f64()
}

async fn register(client: &reqwest::Client, registry: &str, topic: &str) -> u32 {
    let r: Value = client
        .post(format!("{registry}/subjects/{topic}-value/versions"))
        .header("content-type", "application/vnd.schemaregistry.v1+json")
        .json(&json!({ "schema": SCHEMA }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["id"].as_u64().unwrap() as u32
}

fn mb(bytes: f64) -> f64 {
    bytes / 1e6
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run by bench/s3_sink.sh in release"]
async fn throughput() {
    let records = env_or("BENCH_RECORDS", 1_000_000);
    let partitions = env_or("BENCH_PARTITIONS", 1) as i32;
    let flush = env_or("BENCH_FLUSH_SIZE", 50_000);
    let concurrency = env_or("BENCH_UPLOAD_CONCURRENCY", 4);
    let format = std::env::var("BENCH_FORMAT").unwrap_or_else(|_| "avro".into());
    let signing = std::env::var("BENCH_PAYLOAD_SIGNING").unwrap_or_else(|_| "false".into());
    let (format_class, ext) = match format.as_str() {
        "json" => ("io.confluent.connect.s3.format.json.JsonFormat", ".json"),
        "parquet" => (
            "io.confluent.connect.s3.format.parquet.ParquetFormat",
            ".snappy.parquet",
        ),
        _ => ("io.confluent.connect.s3.format.avro.AvroFormat", ".avro"),
    };
    let env = Env::new("bench", partitions).await;
    let client = reqwest::Client::new();
    // Extra worker properties, one `key=value` per `;` (e.g. consumer fetch sizes).
    let extra = std::env::var("BENCH_WORKER_EXTRA")
        .unwrap_or_default()
        .replace(';', "\n");
    let (mut worker, registry) = worker_with_registry(&env, &client, &extra).await;
    let schema_id = register(&client, &registry, &env.topic).await;

    let started = Instant::now();
    let input = produce(&env, schema_id, records, partitions).await;
    let took = started.elapsed().as_secs_f64();
    let per_record = input as f64 / records as f64;
    println!(
        "result produce: {records} records, {:.1} MB, {per_record:.0} bytes/record, {:.0} records/s",
        mb(input as f64),
        records as f64 / took
    );

    // The broker's own read throughput: the same records read by the kind of consumer the
    // sink task uses (the worker's group consumer, default settings), nothing done with them.
    let consumed = consume_ceiling(&env, records, &extra).await;
    println!(
        "result broker read ceiling: {records} records in {consumed:.2} s, {:.0} records/s, {:.1} MB/s",
        records as f64 / consumed,
        mb(input as f64) / consumed
    );

    // The S3 server's own write throughput: objects of the sink's file size, written by the
    // same client `concurrency` at a time.
    let file_bytes = (flush as f64 * per_record * 0.95) as usize; // Avro bodies are a bit smaller
    let body = Bytes::from(vec![b'x'; file_bytes]);
    let objects = (input as usize / file_bytes).clamp(4, 40);
    // Bodies are signed the same way as the sink's (`BENCH_PAYLOAD_SIGNING`, default false:
    // what the sink does by default against an https:// endpoint such as AWS's).
    let store = Arc::new(
        S3Store::connect(
            S3StoreConfig::new(&env.bucket, &env.s3.region)
                .with_endpoint(&env.s3.endpoint, true)
                .with_credentials(&env.s3.access_key, &env.s3.secret_key)
                .with_payload_signing(
                    PayloadSigning::parse(&signing).expect("auto, true or false"),
                ),
        )
        .await
        .unwrap(),
    );
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for _ in 0..concurrency {
        let (store, body, next) = (store.clone(), body.clone(), next.clone());
        set.spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if i >= objects {
                    return;
                }
                store
                    .put(&format!("ceiling/{i:06}"), body.clone())
                    .await
                    .unwrap();
            }
        });
    }
    while set.join_next().await.is_some() {}
    let took = started.elapsed().as_secs_f64();
    let ceiling = mb((objects * file_bytes) as f64) / took;
    println!("result s3 ceiling: {objects} objects of {file_bytes} bytes, {ceiling:.1} MB/s");

    // Extra connector properties, `key=value` separated by `;` (e.g. sluice.buffer.max.bytes).
    let sink_extra = std::env::var("BENCH_SINK_EXTRA").unwrap_or_default();
    let mut config = env.sink_config(&[
        ("format.class", format_class),
        ("flush.size", &flush.to_string()),
        ("value.converter", "io.confluent.connect.avro.AvroConverter"),
        ("value.converter.schema.registry.url", &registry),
        ("sluice.upload.concurrency", &concurrency.to_string()),
        ("sluice.s3.payload.signing", &signing),
    ]);
    for (k, v) in sink_extra.split(';').filter_map(|kv| kv.split_once('=')) {
        config[k.trim()] = json!(v.trim());
    }
    create(&mut worker, &client, "bench-sink", &config).await;
    let expected = records / flush;
    let mut first: Option<(Instant, usize, f64)> = None;
    let deadline = Instant::now() + Duration::from_secs(1800);
    let last = loop {
        let n = env
            .store
            .list(&format!("topics/{}/", env.topic))
            .await
            .unwrap()
            .iter()
            .filter(|o| o.key.ends_with(ext))
            .count();
        let now = Instant::now();
        if n > 0 && first.is_none() {
            first = Some((now, n, cpu_seconds(worker.pid())));
        }
        if n >= expected {
            break now;
        }
        assert!(
            now < deadline,
            "only {n} of {expected} objects after 30 minutes"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let (t0, n0, cpu0) = first.unwrap();
    let cpu = cpu_seconds(worker.pid()) - cpu0;
    let secs = (last - t0).as_secs_f64();
    let bytes = (expected - n0) as f64 * flush as f64 * per_record;
    let rate = mb(bytes) / secs;
    println!(
        "result sink: {format} files, {expected} objects of {flush} records; {:.0} records/s, \
         {rate:.1} MB/s of input over {secs:.1} s ({:.0} % of the S3 ceiling, {:.0} % of the \
         broker's read ceiling); worker peak RSS {:.0} MB",
        bytes / per_record / secs,
        100.0 * rate / ceiling,
        100.0 * rate / (mb(input as f64) / consumed),
        worker.peak_rss() as f64 / 1e6
    );
    println!(
        "result sink cpu: {cpu:.2} s of worker CPU over {secs:.1} s ({:.0} % of a core): \
         {:.2} µs per record, {:.0} MB of input per CPU-second",
        100.0 * cpu / secs,
        cpu * 1e6 * per_record / bytes,
        mb(bytes) / cpu
    );
    let status = worker.terminate().await;
    assert!(status.success(), "clean exit: {status}");
}

/// The consumer settings of both memory runs: librdkafka's own buffers are outside the sink's
/// budget (its defaults allow a 64 MiB prefetch queue and 50 MiB fetch responses). A fetch
/// response stays in memory until the last of its records is consumed, and with 200
/// partitions many are partly consumed at once, so the response size matters most: 8 MiB
/// responses kept ~100 MB, 1 MiB ones ~40 MB.
const CONSUMER_LIMITS: &str = "consumer.queued.max.messages.kbytes=4096\n\
    consumer.fetch.max.bytes=1048576\nconsumer.queued.min.messages=1000\n\
    consumer.max.partition.fetch.bytes=131072\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run by bench/s3_sink.sh in release"]
async fn memory_200_partitions() {
    let partitions = 200;
    let records = env_or("BENCH_MEMORY_RECORDS", 400_000);
    let budget: u64 = 64 << 20;
    let env = Env::new("bench-mem", partitions).await;
    let client = reqwest::Client::new();
    let limits = format!(
        "{CONSUMER_LIMITS}{}\n",
        std::env::var("BENCH_WORKER_EXTRA")
            .unwrap_or_default()
            .replace(';', "\n")
    );
    let (mut worker, registry) = worker_with_registry(&env, &client, &limits).await;
    let schema_id = register(&client, &registry, &env.topic).await;
    let input = produce(&env, schema_id, records, partitions).await;
    println!(
        "result memory produce: {records} records, {:.1} MB over {partitions} partitions",
        mb(input as f64)
    );

    // First the worker's own share: the same consumption into a FileStreamSink (which holds
    // at most 1 MB), in this worker; then the S3 sink in a fresh worker.
    let out = std::env::temp_dir().join(sluice_testkit::unique_name("bench-mem-file"));
    let file_config = json!({
        "connector.class": "FileStreamSink", "topics": env.topic, "file": out,
        "value.converter": "io.confluent.connect.avro.AvroConverter",
        "value.converter.schema.registry.url": registry,
    });
    create(&mut worker, &client, "bench-mem-file", &file_config).await;
    let deadline = Instant::now() + Duration::from_secs(600);
    while std::fs::read(&out).map_or(0, |b| b.iter().filter(|c| **c == b'\n').count()) < records {
        assert!(
            Instant::now() < deadline,
            "the FileStreamSink did not finish"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let file_peak = worker.peak_rss();
    let _ = std::fs::remove_file(&out);
    // The first worker keeps serving the registry; the FileStreamSink goes.
    client
        .delete(format!("{}/connectors/bench-mem-file", worker.base))
        .send()
        .await
        .unwrap();
    let registry_worker = worker;

    let (mut worker, _) = start_worker(
        &env,
        &format!("{limits}key.converter=org.apache.kafka.connect.storage.StringConverter\n"),
    );
    let config = env.sink_config(&[
        (
            "format.class",
            "io.confluent.connect.s3.format.json.JsonFormat",
        ),
        ("flush.size", "1000000000"),
        ("value.converter", "io.confluent.connect.avro.AvroConverter"),
        ("value.converter.schema.registry.url", &registry),
        ("sluice.buffer.max.bytes", &budget.to_string()),
    ]);
    create(&mut worker, &client, "bench-mem-sink", &config).await;
    // The budget closes files early; the records left in open files are below the budget and
    // stay there (no size or time rule applies), so wait until the stored count stops rising.
    let started = Instant::now();
    let mut stored = 0usize;
    let mut stable = 0;
    while (stored == 0 || stable < 10) && started.elapsed() < Duration::from_secs(900) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now: usize = env
            .objects()
            .await
            .values()
            .map(|b| json_lines(b).len())
            .sum();
        stable = if now == stored { stable + 1 } else { 0 };
        stored = now;
    }
    let peak = worker.peak_rss();
    println!(
        "result memory: {stored} of {records} records stored by budget-driven rotation; peak RSS \
         {:.0} MB with the S3 sink, {:.0} MB with a FileStreamSink on the same records (the \
         worker's own share), budget {:.0} MB: the sink's share is {:.0} MB",
        peak as f64 / 1e6,
        file_peak as f64 / 1e6,
        budget as f64 / 1e6,
        (peak as f64 - file_peak as f64) / 1e6
    );
    assert!(
        stored > records / 2,
        "the budget must have closed files early"
    );
    assert!(
        // Allowance over the budget: the last batch taken, the HTTP client's buffers and the
        // allocator's slack.
        peak < file_peak + budget + 20_000_000,
        "the S3 sink's share of the peak RSS ({peak} - {file_peak}) is over its budget"
    );
    if peak > budget + 60_000_000 {
        println!(
            "result memory: peak RSS is over budget + 60 MB because of the worker's own share \
             ({:.0} MB with a FileStreamSink)",
            file_peak as f64 / 1e6
        );
    }
    let status = worker.terminate().await;
    assert!(status.success(), "clean exit: {status}");
    drop(registry_worker);
}
