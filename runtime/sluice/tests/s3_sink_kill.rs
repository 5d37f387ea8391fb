//! `kill -9` of a `sluice standalone` running the S3 sink while records stream into Kafka, several
//! times, then a clean finish: every record of the topic must be in exactly one object — no
//! offset missing, none in two objects — and each object must hold exactly the records of the
//! offsets its name and length say.
//!
//! The sink rotates by `flush.size` *and* by the wall clock (`rotate.schedule.interval.ms`), so
//! a replay cuts its files at other offsets than the killed run did: the exactly-once result
//! rests on the recovery scan (objects written after the last commit are found and rewritten
//! under the same names), not only on deterministic rotation.
//!
//! Each kill lands while the task writes: after a restart the test waits until the worker's
//! metrics show records written, then kills at a random moment of the next 8 s. (Killing at a
//! fixed delay after the restart mostly hit a task still waiting for its group to drop the
//! killed member, which writes nothing.)
//!
//! Two value encodings run the same test: JsonConverter envelopes into JSON-lines objects (the
//! sink decodes and re-encodes every record), and Confluent Avro through the worker's own Schema
//! Registry into Avro container files, where the sink copies each record's Avro body into the
//! file as it arrived (`sluice.avro.passthrough`); the Avro objects are read back with
//! `apache-avro`, an implementation independent of the sink's writer.
//!
//! CI size by default (50,000 records, 5 kills); the acceptance run is
//! `S3_KILL_RECORDS=1000000 S3_KILL_KILLS=20 cargo nextest run -p sluice --test s3_sink_kill
//! --run-ignored all` (what `bench/s3_kill.sh` does), or set the variables for the default test.

mod prometheus_text;
mod s3_sink_support;

use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hasher};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use prometheus_text::poll_for;
use s3_sink_support::{
    Env, WAIT, Worker, envelope, free_port, json_lines, order, status, temp, wait_registry,
};
use serde_json::{Value, json};
use sluice_converters::{AvroConverter, Converter, JsonConverter};
use sluice_worker::kafka::{ProduceRecord, Properties, TopicReader};

const PARTITIONS: i32 = 2;

fn env_or(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A small xorshift generator; the seed is printed and can be forced with `SLUICE_CRASH_SEED`.
struct Rng(u64);

impl Rng {
    fn new() -> Rng {
        let seed = std::env::var("SLUICE_CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::collections::hash_map::RandomState::new()
                    .build_hasher()
                    .finish()
                    | 1
            });
        eprintln!("s3_sink_kill seed: {seed}");
        Rng(seed)
    }

    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn start(port: u16, worker_file: &Path, connector_file: &Path) -> Worker {
    Worker::start(port, worker_file, &[connector_file])
}

/// How the test encodes the values it produces, and how it reads them back from the topic and
/// from the sink's objects.
struct Values {
    json: JsonConverter,
    /// Set for Confluent Avro values (registered in the worker's own Schema Registry), written
    /// into Avro container files; `None` for JsonConverter envelopes into JSON-lines files.
    avro: Option<AvroConverter>,
}

impl Values {
    fn new(registry: Option<&str>) -> Values {
        let mut json = JsonConverter::default();
        json.configure(&Default::default(), false).unwrap();
        let avro = registry.map(|url| {
            let mut avro = AvroConverter::default();
            avro.configure(
                &[("schema.registry.url".to_string(), url.to_string())].into(),
                false,
            )
            .unwrap();
            avro
        });
        Values { json, avro }
    }

    /// The object name's extension.
    fn extension(&self) -> &'static str {
        if self.avro.is_some() {
            ".avro"
        } else {
            ".json"
        }
    }

    /// A record value for `payload` (an order).
    async fn encode(&self, topic: &str, payload: &Value) -> Vec<u8> {
        let envelope = envelope(payload);
        let Some(avro) = &self.avro else {
            return envelope;
        };
        let data = self.json.to_connect(topic, Some(&envelope)).unwrap();
        avro.from_connect_async(topic, data.schema.as_ref(), &data.value)
            .await
            .unwrap()
            .unwrap()
    }

    /// The payload (as the JsonConverter writes it) of a record value read from the topic.
    async fn decode(&self, topic: &str, bytes: &[u8]) -> Value {
        let converted;
        let envelope = match &self.avro {
            None => bytes,
            Some(avro) => {
                let data = avro.to_connect_async(topic, Some(bytes)).await.unwrap();
                converted = self
                    .json
                    .from_connect(topic, data.schema.as_ref(), &data.value)
                    .unwrap()
                    .unwrap();
                &converted
            }
        };
        let v: Value = serde_json::from_slice(envelope).unwrap();
        v["payload"].clone()
    }

    /// The records of an object, as JSON.
    fn records(&self, key: &str, body: &[u8]) -> Vec<Value> {
        if self.avro.is_none() {
            return json_lines(body);
        }
        apache_avro::Reader::new(body)
            .unwrap_or_else(|e| panic!("{key} is not an Avro container file: {e}"))
            .map(|r| {
                let record = r.unwrap_or_else(|e| panic!("{key}: unreadable record: {e}"));
                Value::try_from(record).unwrap()
            })
            .collect()
    }
}

/// Produces `total` records spread over the partitions, `rate` per second, in the background.
fn spawn_producer(
    env: &Env,
    values: &Arc<Values>,
    total: usize,
    rate: usize,
) -> tokio::task::JoinHandle<()> {
    let producer = env.producer.clone();
    let topic = env.topic.clone();
    let values = values.clone();
    tokio::spawn(async move {
        let chunk = 1000;
        let started = Instant::now();
        for first in (0..total).step_by(chunk) {
            let mut set = tokio::task::JoinSet::new();
            for i in first..(first + chunk).min(total) {
                let producer = producer.clone();
                let topic = topic.clone();
                let values = values.clone();
                set.spawn(async move {
                    let payload = order(i as i64, "eu", 1_714_557_600_000 + i as i64);
                    let value = values.encode(&topic, &payload).await;
                    let key = i.to_string();
                    producer
                        .send(ProduceRecord {
                            topic: &topic,
                            partition: Some((i % PARTITIONS as usize) as i32),
                            key: Some(key.as_bytes()),
                            value: Some(&value),
                            ..ProduceRecord::default()
                        })
                        .await
                        .unwrap();
                });
            }
            while set.join_next().await.is_some() {}
            let due = Duration::from_secs_f64((first + chunk) as f64 / rate as f64);
            if let Some(wait) = due.checked_sub(started.elapsed()) {
                tokio::time::sleep(wait).await;
            }
        }
    })
}

/// How long a restarted task is given to write its first record before it is killed anyway.
const WRITING_WAIT: Duration = Duration::from_secs(20);

/// How long the last files may take to be stored once the stream has ended.
const STORED_WAIT: Duration = Duration::from_secs(120);

/// Waits (up to [`WRITING_WAIT`]) until the worker's task of connector `name` has written a
/// record since it started; whether it has.
async fn wait_writing(client: &reqwest::Client, base: &str, name: &str) -> bool {
    let task = [("connector", name), ("task", "0")];
    let written = "sluice_file_sink_records_written_total";
    poll_for(client, base, written, &task, WRITING_WAIT, |v| v > 0.0)
        .await
        .is_ok()
}

/// Records in the topic and in the bucket, by partition: what a stuck run reports.
fn counts_by_partition(
    topic: &BTreeMap<(i32, i64), Value>,
    objects: &BTreeMap<(i32, i64), Vec<Value>>,
) -> BTreeMap<i32, (usize, usize)> {
    let mut counts = BTreeMap::<i32, (usize, usize)>::new();
    for (partition, _) in topic.keys() {
        counts.entry(*partition).or_default().0 += 1;
    }
    for ((partition, _), records) in objects {
        counts.entry(*partition).or_default().1 += records.len();
    }
    counts
}

/// Every object of the bucket as (partition, first offset) → records, checking each name.
async fn objects_by_offset(env: &Env, values: &Values) -> BTreeMap<(i32, i64), Vec<Value>> {
    let prefix = format!("topics/{}/partition=", env.topic);
    let mut out = BTreeMap::new();
    for (key, body) in env.objects().await {
        let rest = key
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("unexpected object {key}"));
        let (p, name) = rest.split_once('/').unwrap();
        let partition: i32 = p.parse().unwrap();
        let offset = name
            .strip_prefix(&format!("{}+{partition}+", env.topic))
            .and_then(|n| n.strip_suffix(values.extension()))
            .filter(|n| n.len() == 10)
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("not a Confluent object name: {key}"));
        out.insert((partition, offset), values.records(&key, &body));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_while_streaming_writes_every_record_exactly_once() {
    run(
        env_or("S3_KILL_RECORDS", 50_000),
        env_or("S3_KILL_KILLS", 5),
        Encoding::Json,
    )
    .await;
}

/// The same with Avro values copied into Avro files.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_while_streaming_avro_copies_every_record_exactly_once() {
    run(
        env_or("S3_KILL_RECORDS", 50_000),
        env_or("S3_KILL_KILLS", 5),
        Encoding::Avro,
    )
    .await;
}

/// The acceptance size: 1,000,000 records, 20 kills (about five minutes).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long: run by bench/s3_kill.sh"]
async fn kill_9_twenty_times_over_a_million_records() {
    run(
        env_or("S3_KILL_RECORDS", 1_000_000),
        env_or("S3_KILL_KILLS", 20),
        Encoding::Json,
    )
    .await;
}

/// The acceptance size with Avro values copied into Avro files.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long: run by bench/s3_kill.sh"]
async fn kill_9_twenty_times_over_a_million_avro_records() {
    run(
        env_or("S3_KILL_RECORDS", 1_000_000),
        env_or("S3_KILL_KILLS", 20),
        Encoding::Avro,
    )
    .await;
}

#[derive(Clone, Copy, PartialEq)]
enum Encoding {
    Json,
    Avro,
}

async fn run(records: usize, kills: usize, encoding: Encoding) {
    let env = Env::new("s3-kill", PARTITIONS).await;
    // The connector's name is its consumer group's (`connect-<name>`): unique per run, so the
    // JSON and Avro runs, which nextest starts side by side, never share a group (a member of
    // one run's group killed would stall the other's rebalances).
    let name = sluice_testkit::unique_name("s3-kill");
    let port = free_port();
    // The Avro run's worker serves the Schema Registry itself (schemas kept in a Kafka topic),
    // on the same port after every restart.
    let registry = format!("http://127.0.0.1:{}", free_port());
    let registry_lines = match encoding {
        Encoding::Json => String::new(),
        Encoding::Avro => format!(
            "sluice.schema.registry.listeners={registry}\n\
             sluice.schema.registry.topic={}\nsluice.schema.registry.replication.factor=1\n",
            sluice_testkit::unique_name("s3-kill-schemas")
        ),
    };
    let worker_file = temp("s3-kill-worker", "properties");
    std::fs::write(
        &worker_file,
        format!(
            "bootstrap.servers={}\nlisteners=http://127.0.0.1:{port}\n\
             offset.storage.file.filename={}\noffset.flush.interval.ms=10000\n\
             key.converter=org.apache.kafka.connect.storage.StringConverter\n\
             value.converter=org.apache.kafka.connect.json.JsonConverter\n\
             consumer.session.timeout.ms=6000\nconsumer.heartbeat.interval.ms=1000\n\
             {registry_lines}",
            env.bootstrap,
            temp("s3-kill-offsets", "jsonl").display()
        ),
    )
    .unwrap();
    let connector_file = temp("s3-kill-connector", "json");
    let mut extra = vec![
        (
            "format.class",
            "io.confluent.connect.s3.format.json.JsonFormat",
        ),
        ("flush.size", "997"),
        ("rotate.schedule.interval.ms", "3000"),
        ("timezone", "UTC"),
    ];
    if encoding == Encoding::Avro {
        extra[0].1 = "io.confluent.connect.s3.format.avro.AvroFormat";
        extra.push(("value.converter", "io.confluent.connect.avro.AvroConverter"));
        extra.push(("value.converter.schema.registry.url", &registry));
    }
    let config = env.sink_config(&extra);
    std::fs::write(
        &connector_file,
        json!({"name": name, "config": config}).to_string(),
    )
    .unwrap();

    let client = reqwest::Client::new();
    let mut rng = Rng::new();
    let mut worker = start(port, &worker_file, &connector_file);
    let values = Arc::new(match encoding {
        Encoding::Json => Values::new(None),
        Encoding::Avro => {
            wait_registry(&client, &registry).await;
            Values::new(Some(&registry))
        }
    });
    // The Avro converter registers the schema here, before the first kill; the producer then
    // encodes from its cache while the worker (and its registry) is down.
    values.encode(&env.topic, &order(0, "eu", 0)).await;
    // The records stream for about as long as the kills take (13–15 s each: 6 s until the
    // killed member leaves the group, a rebalance round, the pause), so every restarted task has
    // records to write.
    let rate = (records / (kills.max(1) * 15)).max(500);
    let producer = spawn_producer(&env, &values, records, rate);
    let mut while_writing = 0;
    let began = Instant::now();
    for k in 0..kills {
        worker.wait_running(&client, &[name.as_str()]).await;
        // A restarted task first waits for its group (several seconds while the killed member
        // is still in it): kill it once it writes, at a random moment in the next 8 s — during
        // the catch-up, an upload, before or after the first commit (10 s after the start).
        let writing = wait_writing(&client, &worker.base, &name).await;
        while_writing += usize::from(writing);
        let pause = Duration::from_secs_f64(rng.unit() * 8.0);
        tokio::time::sleep(pause).await;
        let since = if writing {
            "began writing"
        } else {
            "had written nothing (WRITING_WAIT)"
        };
        eprintln!(
            "kill {} of {kills} at {:.1?}, {pause:?} after the task {since}",
            k + 1,
            began.elapsed()
        );
        worker.kill_9();
        worker = start(port, &worker_file, &connector_file);
    }
    producer.await.unwrap();
    eprintln!("{while_writing} of {kills} kills hit a task that was writing");

    // Read the topic: the records every object must hold, by offset.
    let props: Properties = [("bootstrap.servers".to_string(), env.bootstrap.clone())].into();
    let mut reader = TopicReader::open(&props, &env.topic, &Properties::new(), WAIT)
        .await
        .unwrap();
    let mut topic: BTreeMap<(i32, i64), Value> = BTreeMap::new();
    let deadline = Instant::now() + WAIT;
    while topic.len() < records {
        for r in reader.read_to_end(WAIT).await.unwrap() {
            let payload = values.decode(&env.topic, r.value.as_deref().unwrap()).await;
            topic.insert((r.partition, r.offset), payload);
        }
        assert!(
            Instant::now() < deadline,
            "the topic holds {} records",
            topic.len()
        );
    }
    let total = topic.len();
    eprintln!("{total} records in the topic (the producer may have written a few twice)");

    // The scheduled rotation closes the last files; wait until every offset is stored (a few
    // seconds: the restarted task joins its group, then the 3 s schedule fires). The deadline
    // leaves room, under nextest's limit for this test, for a failure that says where it stands.
    let deadline = Instant::now() + STORED_WAIT;
    let objects = loop {
        let objects = objects_by_offset(&env, &values).await;
        let stored: usize = objects.values().map(Vec::len).sum();
        if stored >= total {
            break objects;
        }
        assert!(
            Instant::now() < deadline,
            "only {stored} of {total} records are stored {STORED_WAIT:?} after the topic was \
             read; (topic, stored) records by partition: {:?}; connector status: {}",
            counts_by_partition(&topic, &objects),
            status(&worker, &client, &name).await
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    let status = worker.terminate().await;
    assert!(status.success(), "clean exit: {status}");

    // Each object holds consecutive offsets from its name; together they cover the topic once.
    let mut next: BTreeMap<i32, i64> = (0..PARTITIONS).map(|p| (p, 0)).collect();
    for ((partition, first), lines) in &objects {
        let expected_first = next[partition];
        assert_eq!(
            *first, expected_first,
            "partition {partition}: an object starts at {first} but the previous one ends \
             before {expected_first} (a gap or an overlap: lost or duplicated records)"
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
    let covered: usize = next.values().map(|n| *n as usize).sum();
    assert_eq!(
        covered, total,
        "every record of the topic is stored exactly once"
    );
    eprintln!(
        "{} objects hold the {total} records exactly once",
        objects.len()
    );
}
