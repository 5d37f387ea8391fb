//! `GET /metrics` of a real worker: a standalone `sluice` runs a FileStreamSource into a topic
//! and a FileStreamSink out of it; the worker's counters must equal the records the source
//! file held, the topic holds and the sink file received, per connector and task. A deleted
//! connector's task shows `stopped`. A distributed worker serves the same endpoint.

mod distributed_common;
mod prometheus_text;
mod worker_process;

use std::path::Path;
use std::time::{Duration, Instant};

use prometheus_text::{parse, scrape, value, wait_for};
use serde_json::json;
use sluice_worker::kafka::{Admin, Properties, TopicReader};
use worker_process::{WAIT, Worker, free_port, temp};

const LINES: usize = 1_500;

fn write_lines(path: &Path, n: usize) {
    let text: String = (0..n).map(|i| format!("line {i}\n")).collect();
    std::fs::write(path, text).unwrap();
}

/// The number of records in `topic` (read from the beginning until `n` or [`WAIT`]).
async fn count_records(bootstrap: &str, topic: &str, n: usize) -> usize {
    let props: Properties = [("bootstrap.servers".to_string(), bootstrap.to_string())].into();
    let mut reader = TopicReader::open(&props, topic, &Properties::new(), WAIT)
        .await
        .unwrap();
    let deadline = Instant::now() + WAIT;
    let mut count = 0;
    while count < n && Instant::now() < deadline {
        count += reader.read_to_end(WAIT).await.unwrap().len();
    }
    // Anything beyond `n` would show as a larger count too.
    tokio::time::sleep(Duration::from_millis(500)).await;
    count
        + reader
            .read_to_end(Duration::from_secs(5))
            .await
            .unwrap()
            .len()
}

/// Waits until `path` holds `n` lines.
async fn wait_lines(path: &Path, n: usize) -> usize {
    let deadline = Instant::now() + WAIT;
    loop {
        let lines = std::fs::read_to_string(path)
            .map(|t| t.lines().count())
            .unwrap_or(0);
        if lines >= n || Instant::now() > deadline {
            return lines;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standalone_worker_metrics_count_the_records_moved() {
    let kafka = sluice_testkit::services().kafka();
    let props: Properties = [("bootstrap.servers".to_string(), kafka.bootstrap.clone())].into();
    let admin = Admin::new(&props, &Properties::new(), Duration::from_secs(30)).unwrap();
    let topic = sluice_testkit::unique_name("metrics");
    assert!(admin.create_topic(&topic, 1, 1, &[]).await.unwrap());

    let port = free_port();
    let worker_file = temp("metrics-worker", "properties");
    std::fs::write(
        &worker_file,
        format!(
            "bootstrap.servers={}\nlisteners=http://127.0.0.1:{port}\n\
             offset.storage.file.filename={}\noffset.flush.interval.ms=300\n\
             key.converter=org.apache.kafka.connect.storage.StringConverter\n\
             value.converter=org.apache.kafka.connect.storage.StringConverter\n\
             consumer.session.timeout.ms=10000\nconsumer.heartbeat.interval.ms=1000\n",
            kafka.bootstrap,
            temp("metrics-offsets", "json").display()
        ),
    )
    .unwrap();
    let input = temp("metrics-in", "txt");
    write_lines(&input, LINES);
    let output = temp("metrics-out", "txt");
    let source_file = temp("metrics-source", "json");
    std::fs::write(
        &source_file,
        json!({"name": "metrics-source", "config": {
            "connector.class": "FileStreamSource", "file": input.to_str().unwrap(),
            "topic": topic, "batch.size": "200",
        }})
        .to_string(),
    )
    .unwrap();
    let sink_file = temp("metrics-sink", "json");
    std::fs::write(
        &sink_file,
        json!({"name": "metrics-sink", "config": {
            "connector.class": "FileStreamSink", "file": output.to_str().unwrap(),
            "topics": topic,
        }})
        .to_string(),
    )
    .unwrap();
    let mut worker = Worker::start(
        port,
        &worker_file,
        &[source_file.as_path(), sink_file.as_path()],
    );
    let client = reqwest::Client::new();
    worker
        .wait_running(&client, &["metrics-source", "metrics-sink"])
        .await;

    // What really moved: the topic's records and the sink file's lines.
    let in_topic = count_records(&kafka.bootstrap, &topic, LINES).await;
    assert_eq!(in_topic, LINES, "records in {topic}");
    assert_eq!(
        wait_lines(&output, LINES).await,
        LINES,
        "lines the sink wrote"
    );

    let base = worker.base.clone();
    let src = [("connector", "metrics-source"), ("task", "0")];
    let sink = [("connector", "metrics-sink"), ("task", "0")];
    let n = in_topic as f64;
    let within = Duration::from_secs(30);
    wait_for(
        &client,
        &base,
        "sluice_source_record_poll_total",
        &src,
        within,
        |v| v >= n,
    )
    .await;
    wait_for(
        &client,
        &base,
        "sluice_source_record_write_total",
        &src,
        within,
        |v| v >= n,
    )
    .await;
    wait_for(
        &client,
        &base,
        "sluice_sink_record_send_total",
        &sink,
        within,
        |v| v >= n,
    )
    .await;
    wait_for(
        &client,
        &base,
        "sluice_sink_record_active_count",
        &sink,
        within,
        |v| v == 0.0,
    )
    .await;
    wait_for(
        &client,
        &base,
        "sluice_offset_commit_completion_total",
        &sink,
        within,
        |v| v >= 1.0,
    )
    .await;
    wait_for(
        &client,
        &base,
        "sluice_offset_commit_completion_total",
        &src,
        within,
        |v| v >= 1.0,
    )
    .await;

    let samples = parse(&scrape(&client, &base).await);
    let get = |name: &str, labels: &[(&str, &str)]| {
        value(&samples, name, labels).unwrap_or_else(|| panic!("no sample {name}{labels:?}"))
    };
    // Exactly what moved, no more.
    assert_eq!(get("sluice_source_record_poll_total", &src), n);
    assert_eq!(get("sluice_source_record_write_total", &src), n);
    assert_eq!(get("sluice_source_record_active_count", &src), 0.0);
    assert_eq!(get("sluice_sink_record_read_total", &sink), n);
    assert_eq!(get("sluice_sink_record_send_total", &sink), n);
    assert_eq!(get("sluice_sink_partition_count", &sink), 1.0);
    // Every polled record was in one non-empty batch of at most batch.size.
    assert_eq!(get("sluice_batch_size_sum", &src), n);
    let batches = get("sluice_batch_size_count", &src);
    assert!(batches >= n / 200.0 && batches <= n, "{batches} batches");
    assert_eq!(get("sluice_batch_size_sum", &sink), n);
    assert!(get("sluice_offset_commit_seconds_count", &src) >= 1.0);
    for labels in [&src, &sink] {
        let state = |s: &str| get("sluice_task_status", &[labels[0], labels[1], ("status", s)]);
        assert_eq!(state("running"), 1.0);
        assert_eq!(
            state("failed") + state("unassigned") + state("stopped"),
            0.0
        );
    }
    assert_eq!(
        get(
            "sluice_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))]
        ),
        1.0
    );

    // A deleted connector's task loop ends: stopped.
    let r = client
        .delete(format!("{base}/connectors/metrics-source"))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "DELETE: {}", r.status());
    let stopped = [src[0], src[1], ("status", "stopped")];
    wait_for(
        &client,
        &base,
        "sluice_task_status",
        &stopped,
        within,
        |v| v == 1.0,
    )
    .await;
    let running = [src[0], src[1], ("status", "running")];
    wait_for(
        &client,
        &base,
        "sluice_task_status",
        &running,
        within,
        |v| v == 0.0,
    )
    .await;

    let status = worker.terminate().await;
    assert!(status.success(), "clean exit: {status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distributed_worker_serves_metrics() {
    use distributed_common::{ClusterNames, DistributedWorker, append_lines, data_topic};
    let names = ClusterNames::fresh("metrics-dist");
    let worker = DistributedWorker::start(&names, &[], &[]).await;
    let topic = data_topic("metrics-dist").await;
    let input = temp("metrics-dist-in", "txt");
    append_lines(&input, 0..40);
    worker
        .create(
            "dist-source",
            &json!({"connector.class": "FileStreamSource", "file": input.to_str().unwrap(),
                    "topic": topic}),
            None,
        )
        .await;
    let client = reqwest::Client::new();
    let labels = [("connector", "dist-source"), ("task", "0")];
    let written = wait_for(
        &client,
        &worker.base,
        "sluice_source_record_write_total",
        &labels,
        WAIT,
        |v| v >= 40.0,
    )
    .await;
    assert_eq!(written, 40.0);
    assert_eq!(distributed_common::read_topic(&topic).await.len(), 40);
    let samples = parse(&scrape(&client, &worker.base).await);
    assert_eq!(
        value(&samples, "sluice_source_record_poll_total", &labels),
        Some(40.0)
    );
    let status = worker.terminate().await;
    assert!(status.success(), "clean exit: {status}");
}
