//! Shared set-up of the sink task tests: topics, producing, a FileStreamSink task run by the
//! runner, and reading back files and committed offsets.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sluice_api::connector::{DynSinkTask, Properties as ConnectorProperties};
use sluice_builtin::file_sink::FileStreamSinkTask;
use sluice_worker::kafka::{Admin, GroupConsumer, ProduceRecord, Producer, Properties};
use sluice_worker::task::sink::SinkTaskRunner;
use sluice_worker::task::{TaskHandle, TaskId};

pub(crate) fn worker() -> Properties {
    [(
        "bootstrap.servers".to_string(),
        sluice_testkit::services().kafka().bootstrap,
    )]
    .into()
}

pub(crate) async fn topic(prefix: &str, partitions: i32) -> anyhow::Result<String> {
    let name = sluice_testkit::unique_name(prefix);
    let admin = Admin::new(&worker(), &Properties::new(), Duration::from_secs(30))?;
    assert!(admin.create_topic(&name, partitions, 1, &[]).await?);
    Ok(name)
}

/// A record to produce: key, value, headers.
pub(crate) type Raw = (Option<Vec<u8>>, Option<Vec<u8>>, Vec<(String, Vec<u8>)>);

/// Produces `records` concurrently; returns the end offset (last + 1) of every partition written.
pub(crate) async fn produce(topic: &str, records: &[Raw]) -> anyhow::Result<BTreeMap<i32, i64>> {
    let producer = Producer::new(&worker(), &Properties::new())?;
    let sends = records.iter().map(|(k, v, h)| {
        let producer = &producer;
        async move {
            let headers: Vec<(&str, Option<&[u8]>)> = h
                .iter()
                .map(|(k, v)| (k.as_str(), Some(v.as_slice())))
                .collect();
            let d = producer
                .send(ProduceRecord {
                    topic,
                    key: k.as_deref(),
                    value: v.as_deref(),
                    headers: &headers,
                    ..Default::default()
                })
                .await?;
            anyhow::Ok(d)
        }
    });
    let delivered = futures::future::try_join_all(sends).await?;
    let mut ends = BTreeMap::new();
    for d in delivered {
        let e = ends.entry(d.partition).or_insert(0);
        *e = (*e).max(d.offset + 1);
    }
    Ok(ends)
}

/// Produces string records keyed by value; returns the end offsets.
pub(crate) async fn produce_strings(
    topic: &str,
    values: &[String],
) -> anyhow::Result<BTreeMap<i32, i64>> {
    let raws: Vec<Raw> = values
        .iter()
        .map(|v| {
            (
                Some(v.clone().into_bytes()),
                Some(v.clone().into_bytes()),
                vec![],
            )
        })
        .collect();
    produce(topic, &raws).await
}

/// A connector configuration for a FileStreamSink: name, topics, 1 s commits, a 10 s session
/// timeout (Tansu forms groups in about half of it), plus `extra`.
pub(crate) fn connector_config(
    name: &str,
    topic: &str,
    extra: &[(&str, &str)],
) -> ConnectorProperties {
    let mut props: Vec<(String, Option<String>)> = [
        ("name", name),
        ("connector.class", "FileStreamSink"),
        ("topics", topic),
        (
            "key.converter",
            "org.apache.kafka.connect.storage.StringConverter",
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.storage.StringConverter",
        ),
        ("offset.flush.interval.ms", "1000"),
        ("consumer.override.session.timeout.ms", "10000"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), Some(v.to_string())))
    .collect();
    props.extend(
        extra
            .iter()
            .map(|(k, v)| (k.to_string(), Some(v.to_string()))),
    );
    props
}

/// Spawns a FileStreamSink task 0 writing to `file`.
pub(crate) fn spawn_file_sink(
    config: &ConnectorProperties,
    file: &Path,
) -> anyhow::Result<TaskHandle> {
    let name = config
        .iter()
        .find(|(k, _)| k == "name")
        .and_then(|(_, v)| v.clone())
        .unwrap();
    // Logs when RUST_LOG is set (e.g. RUST_LOG=sluice_worker=debug with --no-capture).
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    let task: Box<dyn DynSinkTask> = Box::new(FileStreamSinkTask::default());
    let task_config = vec![("file".to_string(), Some(file.display().to_string()))];
    let runner = SinkTaskRunner::new(TaskId::new(name, 0), config, task_config, &worker(), task)?;
    Ok(runner.spawn())
}

pub(crate) fn temp_file(prefix: &str) -> PathBuf {
    std::env::temp_dir().join(format!("{}.txt", sluice_testkit::unique_name(prefix)))
}

pub(crate) fn lines(file: &Path) -> Vec<String> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect()
}

/// Waits until `file` has at least `n` lines (or the time is up), returns its lines.
pub(crate) async fn wait_for_lines(file: &Path, n: usize, timeout: Duration) -> Vec<String> {
    let deadline = Instant::now() + timeout;
    loop {
        let got = lines(file);
        if got.len() >= n || Instant::now() > deadline {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The committed offsets of `group` for partitions `0..partitions` of `topic`.
pub(crate) async fn committed(
    group: &str,
    topic: &str,
    partitions: i32,
) -> anyhow::Result<BTreeMap<i32, Option<i64>>> {
    let consumer = GroupConsumer::new(&worker(), group, &Properties::new())?;
    let parts: Vec<i32> = (0..partitions).collect();
    Ok(consumer
        .committed(topic, &parts, Duration::from_secs(30))
        .await?
        .into_iter()
        .collect())
}
