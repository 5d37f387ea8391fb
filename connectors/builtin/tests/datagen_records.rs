//! The data generator produces exactly `records` records with values that depend only on the
//! record number, splits the numbers between tasks, resumes after the stored position, and
//! respects `rate`.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

use common::{MemoryOffsets, context, props};
use sluice_api::connector::{Connector, ConnectorContext, SourceConnector, SourceTask};
use sluice_api::{SourceRecord, Value};
use sluice_builtin::datagen::{DatagenConnector, DatagenTask, Generator};

async fn drain(task: &mut DatagenTask, n: usize) -> Vec<SourceRecord> {
    let mut out = Vec::new();
    while out.len() < n {
        let batch = task.poll().await.unwrap();
        assert!(!batch.is_empty(), "records are left to generate");
        out.extend(batch);
    }
    out
}

fn id(r: &SourceRecord) -> i64 {
    match r.key {
        Value::Int64(n) => n,
        ref other => panic!("unexpected key {other:?}"),
    }
}

#[tokio::test]
async fn generates_records_deterministically_and_stops_at_the_count() {
    let offsets = Arc::new(MemoryOffsets::default());
    let cfg = props(&[("topic", "bench"), ("records", "25"), ("batch.size", "10")]);
    let mut task = DatagenTask::default();
    task.start(cfg.clone(), context(&offsets)).await.unwrap();
    let records = drain(&mut task, 25).await;
    assert_eq!(records.len(), 25);
    assert_eq!(
        records.iter().map(id).collect::<Vec<_>>(),
        (0..25).collect::<Vec<_>>()
    );
    assert!(
        task.poll().await.unwrap().is_empty(),
        "all records were generated"
    );

    let generator = Generator::new(Vec::new()).unwrap();
    for r in &records {
        let n = id(r) as u64;
        assert_eq!(r.value, generator.value(n).unwrap());
        assert_eq!(r.topic, "bench");
        let s = r.value.as_struct().unwrap();
        assert_eq!(s.values().len(), 10);
        assert_eq!(s.get("id").unwrap(), &Value::Int64(n as i64));
    }
    assert_eq!(records[9].source_offset["position"], 10);

    // A second run generates the same records.
    let mut again = DatagenTask::default();
    again.start(cfg, context(&offsets)).await.unwrap();
    assert_eq!(drain(&mut again, 25).await, records);
}

#[tokio::test]
async fn resumes_after_the_stored_position() {
    let offsets = Arc::new(MemoryOffsets::default());
    let cfg = props(&[
        ("topic", "bench"),
        ("records", "10"),
        ("columns", "id:int64,name:string"),
    ]);
    let mut task = DatagenTask::default();
    task.start(cfg.clone(), context(&offsets)).await.unwrap();
    let first = drain(&mut task, 10).await;
    offsets.set(
        first[3].source_partition.clone(),
        first[3].source_offset.clone(),
    );

    let mut resumed = DatagenTask::default();
    resumed.start(cfg, context(&offsets)).await.unwrap();
    let rest = drain(&mut resumed, 6).await;
    assert_eq!(rest, first[4..].to_vec());
}

#[tokio::test]
async fn tasks_share_the_numbers_without_overlap() {
    let mut connector = DatagenConnector::default();
    connector
        .start(
            props(&[("topic", "bench"), ("records", "11")]),
            ConnectorContext::new(|_| {}),
        )
        .await
        .unwrap();
    let configs = connector.task_configs(3).unwrap();
    assert_eq!(configs.len(), 3);
    let offsets = Arc::new(MemoryOffsets::default());
    let mut seen = BTreeSet::new();
    let mut total = 0;
    for (i, cfg) in configs.into_iter().enumerate() {
        let mut task = connector.create_task();
        task.start(cfg, context(&offsets)).await.unwrap();
        let expected = [4, 4, 3][i];
        let records = drain(&mut task, expected).await;
        assert_eq!(records.len(), expected);
        total += records.len();
        seen.extend(records.iter().map(id));
        assert_eq!(records[0].source_partition["task"], i as u64);
    }
    assert_eq!(total, 11);
    assert_eq!(seen, (0..11).collect());
}

#[tokio::test]
async fn rate_limits_the_records_per_second() {
    let offsets = Arc::new(MemoryOffsets::default());
    let mut task = DatagenTask::default();
    task.start(
        props(&[("topic", "bench"), ("records", "30"), ("rate", "100")]),
        context(&offsets),
    )
    .await
    .unwrap();
    let started = Instant::now();
    drain(&mut task, 30).await;
    let elapsed = started.elapsed().as_secs_f64();
    // 30 records at 100/s: the last is due 0.29 s after the first.
    assert!(
        elapsed >= 0.28,
        "30 records at 100/s took only {elapsed:.3} s"
    );
    assert!(elapsed < 2.0, "30 records at 100/s took {elapsed:.3} s");
}
