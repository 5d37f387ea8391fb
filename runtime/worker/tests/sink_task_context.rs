//! The runner honours what a sink task asks through its `SinkTaskContext`: a partition paused in
//! `open` delivers nothing until resumed, `reset_offset` redelivers from the requested offset,
//! and `request_commit` commits without waiting for `offset.flush.interval.ms`.

mod sink_common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sink_common::*;
use sluice_api::SinkRecord;
use sluice_api::connector::{
    ConnectResult, DynSinkTask, SinkTask, SinkTaskContext, TaskConfig, TopicPartition,
};
use sluice_worker::kafka::{ProduceRecord, Producer, Properties};
use sluice_worker::task::sink::SinkTaskRunner;
use sluice_worker::task::{TaskId, TaskState};

const PER_PARTITION: i64 = 10;

/// Records every delivered (partition, offset) and drives the context (see the module doc).
#[derive(Debug)]
struct Scripted {
    topic: String,
    delivered: Arc<Mutex<Vec<(i32, i64)>>>,
    ctx: Option<SinkTaskContext>,
    rewound: bool,
    resumed: bool,
}

impl SinkTask for Scripted {
    async fn start(&mut self, _props: TaskConfig, ctx: SinkTaskContext) -> ConnectResult<()> {
        self.ctx = Some(ctx);
        Ok(())
    }

    async fn open(&mut self, partitions: &[TopicPartition]) -> ConnectResult<()> {
        let p1 = TopicPartition::new(self.topic.clone(), 1);
        if !self.resumed && partitions.contains(&p1) {
            self.ctx.as_ref().unwrap().pause(&[p1]);
        }
        Ok(())
    }

    async fn put(&mut self, records: &[SinkRecord]) -> ConnectResult<()> {
        let ctx = self.ctx.as_ref().unwrap();
        let mut delivered = self.delivered.lock().unwrap();
        delivered.extend(records.iter().map(|r| (r.kafka_partition, r.kafka_offset)));
        let last_of_p0 = delivered
            .iter()
            .filter(|d| **d == (0, PER_PARTITION - 1))
            .count();
        if last_of_p0 == 1 && !self.rewound {
            ctx.reset_offset(TopicPartition::new(self.topic.clone(), 0), 3);
            self.rewound = true;
        }
        if last_of_p0 == 2 && !self.resumed {
            ctx.resume(&[TopicPartition::new(self.topic.clone(), 1)]);
            self.resumed = true;
        }
        if delivered.contains(&(1, PER_PARTITION - 1)) {
            ctx.request_commit();
        }
        Ok(())
    }

    async fn stop(&mut self) -> ConnectResult<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_resume_reset_offset_and_request_commit_are_honoured() -> anyhow::Result<()> {
    let topic = topic("sink-context", 2).await?;
    let producer = Producer::new(&worker(), &Properties::new())?;
    for p in 0..2 {
        for i in 0..PER_PARTITION {
            let v = format!("{p}-{i}");
            producer
                .send(ProduceRecord {
                    topic: &topic,
                    partition: Some(p),
                    value: Some(v.as_bytes()),
                    ..Default::default()
                })
                .await?;
        }
    }

    let name = sluice_testkit::unique_name("scripted-sink");
    // Commits only on request: the periodic commit is ten minutes away.
    let config = connector_config(&name, &topic, &[("offset.flush.interval.ms", "600000")]);
    let delivered = Arc::new(Mutex::new(Vec::new()));
    let task: Box<dyn DynSinkTask> = Box::new(Scripted {
        topic: topic.clone(),
        delivered: Arc::clone(&delivered),
        ctx: None,
        rewound: false,
        resumed: false,
    });
    let runner = SinkTaskRunner::new(TaskId::new(&name, 0), &config, vec![], &worker(), task)?;
    let handle = runner.spawn();

    let group = format!("connect-{name}");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let c = committed(&group, &topic, 2).await?;
        if c[&0] == Some(PER_PARTITION) && c[&1] == Some(PER_PARTITION) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not committed on request: {c:?}, delivered {:?}",
            delivered.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_eq!(handle.status(), TaskState::Running);
    assert_eq!(handle.stop_and_join().await, TaskState::Stopped);

    let delivered = delivered.lock().unwrap().clone();
    let p0: Vec<i64> = delivered.iter().filter(|d| d.0 == 0).map(|d| d.1).collect();
    let p1: Vec<i64> = delivered.iter().filter(|d| d.0 == 1).map(|d| d.1).collect();
    let want_p0: Vec<i64> = (0..PER_PARTITION).chain(3..PER_PARTITION).collect();
    assert_eq!(
        p0, want_p0,
        "partition 0 once, then again from the reset offset 3"
    );
    assert_eq!(
        p1,
        (0..PER_PARTITION).collect::<Vec<_>>(),
        "partition 1 once"
    );
    let first_p1 = delivered.iter().position(|d| d.0 == 1).unwrap();
    let replayed_p0 = delivered
        .iter()
        .rposition(|d| *d == (0, PER_PARTITION - 1))
        .unwrap();
    assert!(
        first_p1 > replayed_p0,
        "partition 1 stayed paused until resumed: {delivered:?}"
    );
    Ok(())
}
