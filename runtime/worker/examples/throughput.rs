//! Throughput measurement for `bench/worker.sh`: how fast records reach a topic, and how fast
//! the broker takes the same records from a plain producer (the ceiling).
//!
//! ```text
//! throughput watch   BOOTSTRAP TOPIC RECORDS   # sample the topic's end every second until RECORDS
//! throughput produce BOOTSTRAP TOPIC RECORDS   # produce RECORDS datagen records, JSON with schema
//! throughput replay  BOOTSTRAP FROM:TO RECORDS # produce RECORDS copies of FROM's records to TO
//! throughput create  BOOTSTRAP TOPIC PARTITIONS
//! throughput drain   BOOTSTRAP TOPIC RECORDS   # read RECORDS as a sink task does (owned records)
//! throughput drain-raw BOOTSTRAP TOPIC RECORDS # the same consumer, borrowed messages
//! ```
//!
//! `THROUGHPUT_PROPS="consumer.fetch.wait.max.ms=10;…"` adds worker-style client properties.
//!
//! # How the end is measured
//! `watch` reads every partition of the topic from the beginning with a plain librdkafka
//! consumer (no group, no decoding) and takes, every 200 ms, the offset after the last record
//! it received in each partition: the topic's end as of the last Fetch. (Tansu answers
//! ListOffsets(latest) wrongly, see `sluice_worker::kafka::reader`, so the end is not asked
//! for.) The consumer costs the broker its fetches and this process a little CPU, the same in
//! both scenarios; it lags the true end by at most one fetch (`fetch.wait.max.ms` = 100 ms).
//! The rate reported is the records between the last sample that saw none and the first that
//! saw them all, over the time between them, so the worker's start-up is not counted (±200 ms);
//! `peak_1s` is the best rate over 4 consecutive sampling intervals (0.8 s).
//!
//! # What `produce` sends
//! The same bytes the worker sends for a `DatagenConnector` with both converters set to
//! `JsonConverter` (`schemas.enable=true`): an int64 key with its schema and the default
//! 10-column struct with its schema. 10,000 distinct records are converted up front and sent
//! in turn, so the loop measures the client and the broker, not the generator. The producer is
//! the worker's own ([`Producer`]: idempotent, `acks=all`, lz4, `linger.ms=5`).
//!
//! `replay` takes the first 10,000 records of a topic a connector filled (key, value and
//! headers, byte for byte) and sends them in turn to another topic the same way: the broker's
//! ceiling for exactly the records that connector writes.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Header, Headers, Message, OwnedHeaders};
use rdkafka::producer::FutureRecord;
use rdkafka::{Offset, TopicPartitionList};
use sluice_api::{Schema, Value};
use sluice_builtin::datagen::Generator;
use sluice_converters::{Converter, JsonConverter};
use sluice_worker::kafka::config::client_config;
use sluice_worker::kafka::{Admin, Producer, Properties};

/// Distinct records converted before `produce` starts.
const POOL: u64 = 10_000;
/// Sends awaiting their acknowledgement in `produce` (librdkafka batches them).
const IN_FLIGHT: usize = 50_000;
/// How often `watch` samples the end.
const SAMPLE: Duration = Duration::from_millis(200);

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, bootstrap, topic, records] = args.as_slice() else {
        anyhow::bail!(
            "usage: throughput watch|produce|replay|create|drain|drain-raw BOOTSTRAP TOPIC RECORDS|PARTITIONS"
        );
    };
    let records: u64 = records.parse()?;
    let mut worker: Properties = [("bootstrap.servers".to_string(), bootstrap.clone())].into();
    // Extra client properties in the worker's form (`consumer.fetch.wait.max.ms=10;…`).
    if let Ok(extra) = std::env::var("THROUGHPUT_PROPS") {
        for (k, v) in extra.split(';').filter_map(|kv| kv.split_once('=')) {
            worker.insert(k.trim().to_string(), v.trim().to_string());
        }
    }
    match mode.as_str() {
        "watch" => watch(&worker, topic, records),
        "produce" => tokio::runtime::Runtime::new()?.block_on(async {
            let pool = datagen_pool(topic)?;
            produce(&worker, topic, &pool, records).await
        }),
        "replay" => {
            let (from, to) = topic
                .split_once(':')
                .ok_or_else(|| anyhow::anyhow!("replay takes FROM:TO topics"))?;
            let pool = read_pool(&worker, from)?;
            tokio::runtime::Runtime::new()?.block_on(produce(&worker, to, &pool, records))
        }
        "drain" | "drain-raw" => tokio::runtime::Runtime::new()?.block_on(drain(
            &worker,
            topic,
            records,
            mode == "drain",
        )),
        "create" => tokio::runtime::Runtime::new()?.block_on(async {
            let admin = Admin::new(&worker, &Properties::new(), Duration::from_secs(30))?;
            admin
                .create_topic(topic, i32::try_from(records)?, 1, &[])
                .await?;
            Ok(())
        }),
        other => {
            anyhow::bail!("unknown mode '{other}': use watch, produce, replay, create or drain")
        }
    }
}

/// Samples the topic's end every second until it holds `records` records; prints the samples
/// and a summary line.
fn watch(worker: &Properties, topic: &str, records: u64) -> anyhow::Result<()> {
    let defaults = [
        ("group.id", "sluice-bench-watch"),
        ("enable.auto.commit", "false"),
        ("fetch.wait.max.ms", "100"),
        ("fetch.max.bytes", "52428800"),
    ];
    let consumer: BaseConsumer =
        client_config(worker, "consumer", &defaults, &Properties::new())?.create()?;
    // The topic may not exist yet: wait for it to have partitions.
    let started = Instant::now();
    let partitions = loop {
        let md = consumer.fetch_metadata(Some(topic), Duration::from_secs(5))?;
        let found: Vec<i32> = md
            .topics()
            .iter()
            .filter(|t| t.name() == topic && t.error().is_none())
            .flat_map(|t| t.partitions().iter().map(|p| p.id()))
            .collect();
        if !found.is_empty() {
            break found;
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(300),
            "topic '{topic}' did not appear within 300 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let mut tpl = TopicPartitionList::new();
    for p in &partitions {
        tpl.add_partition_offset(topic, *p, Offset::Beginning)?;
    }
    consumer.assign(&tpl)?;
    let mut ends: BTreeMap<i32, i64> = BTreeMap::new();
    // The topic is empty when the watch starts (the bench starts it first).
    let mut samples: Vec<(f64, u64)> = vec![(0.0, 0)];
    let t0 = Instant::now();
    let mut next_sample = t0 + SAMPLE;
    loop {
        if let Some(m) = consumer.poll(Duration::from_millis(50)) {
            let m = m?;
            ends.insert(m.partition(), m.offset() + 1);
        }
        let now = Instant::now();
        if now >= next_sample {
            next_sample += SAMPLE;
            let end: i64 = ends.values().sum();
            let t = now.duration_since(t0).as_secs_f64();
            println!("sample t={t:.2}s end={end}");
            samples.push((t, end as u64));
            if end as u64 >= records {
                break;
            }
            anyhow::ensure!(
                t < 900.0,
                "the topic holds {end} of {records} records after 900 s"
            );
        }
    }
    // From the last sample before records arrived to the first sample holding them all.
    let first = samples
        .iter()
        .rposition(|(_, n)| *n == 0)
        .map_or(samples[0], |i| samples[i]);
    let last = samples[samples.len() - 1];
    let secs = last.0 - first.0;
    let rate = (last.1 - first.1) as f64 / secs;
    let peak = samples
        .windows(5)
        .map(|w| (w[4].1 - w[0].1) as f64 / (w[4].0 - w[0].0))
        .fold(0.0, f64::max);
    println!(
        "result records={} seconds={secs:.2} rate={rate:.0} peak_1s={peak:.0}",
        last.1 - first.1
    );
    Ok(())
}

/// A record to send: key, value and headers.
type PoolRecord = (Vec<u8>, Vec<u8>, Vec<(String, Vec<u8>)>);

/// `POOL` datagen records (JSON with schemas, see the module doc).
fn datagen_pool(topic: &str) -> anyhow::Result<Vec<PoolRecord>> {
    let generator = Generator::new(Vec::new())?;
    let json = JsonConverter::default();
    let key_schema = Schema::int64();
    let mut pool = Vec::with_capacity(POOL as usize);
    for n in 0..POOL {
        let key = json.from_connect(topic, Some(&key_schema), &Value::Int64(n as i64))?;
        let value = json.from_connect(topic, Some(generator.schema()), &generator.value(n)?)?;
        pool.push((
            key.unwrap_or_default(),
            value.unwrap_or_default(),
            Vec::new(),
        ));
    }
    Ok(pool)
}

/// The first `POOL` records of `topic` (or all it holds), byte for byte.
fn read_pool(worker: &Properties, topic: &str) -> anyhow::Result<Vec<PoolRecord>> {
    let defaults = [
        ("group.id", "sluice-bench-replay"),
        ("enable.auto.commit", "false"),
        ("fetch.wait.max.ms", "100"),
    ];
    let consumer: BaseConsumer =
        client_config(worker, "consumer", &defaults, &Properties::new())?.create()?;
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(topic, 0, Offset::Beginning)?;
    consumer.assign(&tpl)?;
    let mut pool = Vec::with_capacity(POOL as usize);
    let started = Instant::now();
    while (pool.len() as u64) < POOL && started.elapsed() < Duration::from_secs(30) {
        let Some(m) = consumer.poll(Duration::from_millis(500)) else {
            if !pool.is_empty() {
                break;
            }
            continue;
        };
        let m = m?;
        let headers = m.headers().map_or_else(Vec::new, |h| {
            h.iter()
                .map(|h| (h.key.to_string(), h.value.unwrap_or_default().to_vec()))
                .collect()
        });
        pool.push((
            m.key().unwrap_or_default().to_vec(),
            m.payload().unwrap_or_default().to_vec(),
            headers,
        ));
    }
    anyhow::ensure!(
        !pool.is_empty(),
        "topic '{topic}' holds no record to replay"
    );
    Ok(pool)
}

/// Produces `records` records from `pool` in turn as fast as the producer takes them, then
/// waits for every acknowledgement.
async fn produce(
    worker: &Properties,
    topic: &str,
    pool: &[PoolRecord],
    records: u64,
) -> anyhow::Result<()> {
    let bytes: usize = pool
        .iter()
        .map(|(k, v, h)| {
            k.len() + v.len() + h.iter().map(|(n, v)| n.len() + v.len()).sum::<usize>()
        })
        .sum();
    println!(
        "record size: {} bytes on average (key + value + headers), {} distinct records",
        bytes / pool.len(),
        pool.len()
    );
    let producer = Producer::new(worker, &Properties::new())?;
    let started = Instant::now();
    let mut acks = FuturesUnordered::new();
    for n in 0..records {
        let (key, value, headers) = &pool[(n % pool.len() as u64) as usize];
        let mut record = FutureRecord::to(topic).key(key).payload(value);
        if !headers.is_empty() {
            record = record.headers(headers.iter().fold(
                OwnedHeaders::new_with_capacity(headers.len()),
                |h, (key, value)| {
                    h.insert(Header {
                        key,
                        value: Some(value),
                    })
                },
            ));
        }
        loop {
            match producer.inner().send_result(record) {
                Ok(ack) => {
                    acks.push(ack);
                    break;
                }
                Err((_, r)) => {
                    // The local queue is full: wait for an acknowledgement, then retry.
                    record = r;
                    match acks.next().await {
                        Some(ack) => {
                            ack?.map_err(|(e, _)| e)?;
                        }
                        None => tokio::time::sleep(Duration::from_millis(1)).await,
                    }
                }
            }
        }
        while acks.len() >= IN_FLIGHT {
            if let Some(ack) = acks.next().await {
                ack?.map_err(|(e, _)| e)?;
            }
        }
    }
    while let Some(ack) = acks.next().await {
        ack?.map_err(|(e, _)| e)?;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "produced records={records} seconds={secs:.1} rate={:.0}",
        records as f64 / secs
    );
    Ok(())
}

/// Reads `records` records of the topic from the beginning with the worker's group consumer
/// (a new group each run) and prints the rate from the first record to the last: `owned`
/// takes each as the sink task does (`GroupConsumer::recv`, an owned `Record`), otherwise only
/// the borrowed librdkafka message's payload length is read.
async fn drain(worker: &Properties, topic: &str, records: u64, owned: bool) -> anyhow::Result<()> {
    let overrides: Properties = [("auto.offset.reset".to_string(), "earliest".to_string())].into();
    let group = format!("sluice-bench-drain-{}", std::process::id());
    let consumer = sluice_worker::kafka::GroupConsumer::new(worker, &group, &overrides)?;
    consumer.subscribe(&[topic])?;
    consumer.recv().await?;
    let t0 = Instant::now();
    let mut bytes = 0u64;
    for _ in 1..records {
        bytes += if owned {
            consumer.recv().await?.value.map_or(0, |v| v.len() as u64)
        } else {
            let m = consumer.inner().recv().await?;
            m.payload().map_or(0, |v| v.len() as u64)
        };
    }
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "result records={records} seconds={secs:.2} rate={:.0} value_mb_s={:.1}",
        records as f64 / secs,
        bytes as f64 / 1e6 / secs
    );
    Ok(())
}
