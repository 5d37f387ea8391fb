//! Time-based rotation fires on a timer: a quiet partition's last file is uploaded within
//! `rotate.schedule.interval.ms` (or within `rotate.interval.ms` of wall time for record-time
//! rotation) without any new record arriving — where Confluent's sink waits for the next record.

mod s3_sink_support;

use std::time::{Duration, Instant};

use s3_sink_support::{Env, create, default_key, json_lines, order, start_worker};
use serde_json::Value;

/// 2024-05-01T10:00:00Z.
const TEN_AM: i64 = 1_714_557_600_000;

/// Waits until the stored objects hold `n` records in total; returns them in key order and
/// when that happened.
async fn wait_records(
    env: &Env,
    n: usize,
    within: Duration,
) -> (Vec<(String, Vec<Value>)>, Instant) {
    let deadline = Instant::now() + within;
    loop {
        let objects: Vec<(String, Vec<Value>)> = env
            .objects()
            .await
            .into_iter()
            .map(|(k, v)| (k, json_lines(&v)))
            .collect();
        if objects.iter().map(|(_, v)| v.len()).sum::<usize>() >= n {
            return (objects, Instant::now());
        }
        assert!(
            Instant::now() < deadline,
            "no file was uploaded within {within:?} without new records; objects: {objects:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn scheduled_rotation_uploads_a_quiet_partitions_file() {
    let env = Env::new("s3-schedule", 1).await;
    let (mut worker, _) = start_worker(&env, "");
    let client = reqwest::Client::new();
    let config = env.sink_config(&[
        (
            "format.class",
            "io.confluent.connect.s3.format.json.JsonFormat",
        ),
        ("flush.size", "1000"),
        ("rotate.schedule.interval.ms", "5000"),
        ("timezone", "UTC"),
    ]);
    create(&mut worker, &client, "s3-schedule", &config).await;
    // Let the task join its group and open the partition.
    tokio::time::sleep(Duration::from_secs(8)).await;

    let records: Vec<Value> = (0..3).map(|i| order(i, "eu", TEN_AM)).collect();
    env.produce(0, &records).await;
    let produced = Instant::now();
    // Far from flush.size, and no record follows: only the timer can close the file. The
    // deadline is at most one interval after the first record, the timer runs every second.
    let (objects, at) = wait_records(&env, 3, Duration::from_secs(12)).await;
    eprintln!("uploaded {:?} after the last record", at - produced);
    assert_eq!(objects[0].0, default_key(&env.topic, 0, 0, ".json"));
    let all: Vec<Value> = objects.into_iter().flat_map(|(_, v)| v).collect();
    assert_eq!(all, records);
    let status = worker.terminate().await;
    assert!(status.success(), "clean exit: {status}");
}

#[tokio::test]
async fn record_time_rotation_has_a_wall_clock_timer() {
    let env = Env::new("s3-interval", 1).await;
    let (mut worker, _) = start_worker(&env, "");
    let client = reqwest::Client::new();
    let config = env.sink_config(&[
        (
            "format.class",
            "io.confluent.connect.s3.format.json.JsonFormat",
        ),
        ("flush.size", "1000"),
        ("rotate.interval.ms", "4000"),
        (
            "partitioner.class",
            "io.confluent.connect.storage.partitioner.HourlyPartitioner",
        ),
        ("locale", "en-US"),
        ("timezone", "UTC"),
        ("timestamp.extractor", "RecordField"),
        ("timestamp.field", "ts"),
    ]);
    create(&mut worker, &client, "s3-interval", &config).await;
    tokio::time::sleep(Duration::from_secs(8)).await;

    let records: Vec<Value> = (0..2).map(|i| order(i, "eu", TEN_AM + i)).collect();
    env.produce(0, &records).await;
    let produced = Instant::now();
    let (objects, at) = wait_records(&env, 2, Duration::from_secs(12)).await;
    let took = at - produced;
    eprintln!("uploaded {took:?} after the last record");
    let t = &env.topic;
    assert_eq!(
        objects,
        [(
            format!("topics/{t}/year=2024/month=05/day=01/hour=10/{t}+0+0000000000.json"),
            records
        )]
    );
    // Not before the interval: the timer measures how long the file was open.
    assert!(
        took >= Duration::from_millis(3_500),
        "closed too early: {took:?}"
    );
    let status = worker.terminate().await;
    assert!(status.success(), "clean exit: {status}");
}
