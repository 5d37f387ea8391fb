//! `GET /metrics` of a standalone `sluice` running the S3 sink against the test S3 server: the
//! file sink's metrics (records written, objects committed and their bytes, open files, the
//! records not yet committable) and the worker's sink counters equal what the bucket holds and
//! what was produced.

mod prometheus_text;
mod s3_sink_support;

use std::time::Duration;

use prometheus_text::{parse, scrape, value, wait_for};
use s3_sink_support::{Env, create, default_key, json_lines, order, start_worker};

/// 2024-05-01T10:00:00Z.
const TEN_AM: i64 = 1_714_557_600_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_sink_metrics_match_the_bucket() {
    let env = Env::new("s3-metrics", 1).await;
    let (mut worker, _) = start_worker(&env, "");
    let client = reqwest::Client::new();
    let config = env.sink_config(&[
        (
            "format.class",
            "io.confluent.connect.s3.format.json.JsonFormat",
        ),
        ("flush.size", "10"),
    ]);
    create(&mut worker, &client, "s3-metrics", &config).await;
    // 25 records: two files of 10 are committed, 5 records stay in the open file.
    let records: Vec<_> = (0..25).map(|i| order(i, "eu", TEN_AM)).collect();
    env.produce(0, &records).await;
    let keys = [
        default_key(&env.topic, 0, 0, ".json"),
        default_key(&env.topic, 0, 10, ".json"),
    ];
    let objects = env.wait_for_keys(&keys).await;
    assert!(objects.values().all(|o| json_lines(o).len() == 10));
    let stored_bytes: usize = objects.values().map(Vec::len).sum();

    let base = worker.base.clone();
    let task = [("connector", "s3-metrics"), ("task", "0")];
    let within = Duration::from_secs(30);
    wait_for(
        &client,
        &base,
        "sluice_file_sink_objects_committed_total",
        &task,
        within,
        |v| v >= 2.0,
    )
    .await;
    wait_for(
        &client,
        &base,
        "sluice_file_sink_records_written_total",
        &task,
        within,
        |v| v >= 25.0,
    )
    .await;
    let samples = parse(&scrape(&client, &base).await);
    let get = |name: &str| {
        value(&samples, name, &task).unwrap_or_else(|| panic!("no sample {name}{task:?}"))
    };
    assert_eq!(get("sluice_file_sink_records_written_total"), 25.0);
    assert_eq!(get("sluice_file_sink_objects_committed_total"), 2.0);
    assert_eq!(
        get("sluice_file_sink_bytes_written_total"),
        stored_bytes as f64
    );
    assert_eq!(get("sluice_file_sink_upload_retries_total"), 0.0);
    assert_eq!(get("sluice_file_sink_open_files"), 1.0);
    assert_eq!(get("sluice_file_sink_commit_lag_records"), 5.0);
    assert!(get("sluice_file_sink_buffered_bytes") > 0.0);
    assert_eq!(get("sluice_file_sink_in_flight_bytes"), 0.0);
    let mean = get("sluice_file_sink_upload_mean_seconds");
    assert!(mean > 0.0 && mean < 30.0, "mean upload time {mean} s");
    // The worker's side of the same task.
    assert_eq!(get("sluice_sink_record_read_total"), 25.0);
    assert_eq!(get("sluice_sink_record_send_total"), 25.0);
    assert_eq!(get("sluice_sink_partition_count"), 1.0);

    let status = worker.terminate().await;
    assert!(status.success(), "clean exit: {status}");
}
