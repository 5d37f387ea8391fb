//! A record the converter cannot convert: with `errors.tolerance=none` the task fails with an
//! error that names the topic and the record; with `all` the record is skipped, the others
//! are published in order and the offsets move past the skipped ones.

mod source_common;

use std::time::Duration;

use serde_json::json;
use sluice_api::connector::{ConnectResult, SourceTask, SourceTaskContext, TaskConfig};
use sluice_api::{OffsetMap, Schema, SourceRecord, Value};
use sluice_worker::stores::OffsetStore;
use sluice_worker::task::TaskState;

use source_common::*;

const RECORDS: i32 = 100;

/// Every tenth record (9, 19, …) has a required INT32 value schema and a null value, which
/// the JsonConverter refuses.
fn is_bad(i: i32) -> bool {
    i % 10 == 9
}

fn partition() -> OffsetMap {
    json!({"test": "errors"}).as_object().unwrap().clone()
}

/// A test source that returns `RECORDS` records in its first poll, then nothing.
#[derive(Debug, Default)]
struct SometimesBadTask {
    topic: String,
    done: bool,
}

impl SourceTask for SometimesBadTask {
    async fn start(&mut self, props: TaskConfig, _ctx: SourceTaskContext) -> ConnectResult<()> {
        self.topic = props
            .iter()
            .find(|(k, _)| k == "topic")
            .and_then(|(_, v)| v.clone())
            .expect("topic");
        Ok(())
    }

    async fn poll(&mut self) -> ConnectResult<Vec<SourceRecord>> {
        if self.done {
            tokio::time::sleep(Duration::from_millis(100)).await;
            return Ok(Vec::new());
        }
        self.done = true;
        Ok((0..RECORDS)
            .map(|i| {
                let offset = json!({"n": i + 1}).as_object().unwrap().clone();
                let value = if is_bad(i) {
                    Value::Null
                } else {
                    Value::Int32(i)
                };
                SourceRecord::new(
                    partition(),
                    offset,
                    self.topic.clone(),
                    None,
                    Value::Null,
                    Some(Schema::int32()),
                    value,
                )
            })
            .collect())
    }

    async fn stop(&mut self) -> ConnectResult<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tolerance_none_fails_the_task_naming_the_record() {
    let topic = topic("errors-none", 1).await;
    let offsets = offset_store(&sluice_testkit::unique_name("offsets")).await;
    let connector = sluice_testkit::unique_name("errors-none");
    let config = props(&[("topic", &topic)]);
    let handle = runner(
        &connector,
        Box::new(SometimesBadTask::default()),
        config.clone(),
        json_converters(),
        offsets.clone(),
        settings(&[], &config),
    )
    .spawn();
    let state = tokio::time::timeout(WAIT, handle.join()).await.unwrap();
    let TaskState::Failed { trace } = state else {
        panic!("expected FAILED, got {state:?}");
    };
    eprintln!("FAILED trace: {trace}");
    assert!(trace.contains(&topic), "names the topic: {trace}");
    assert!(
        trace.contains("the value of a record"),
        "names the part: {trace}"
    );
    assert!(
        trace.contains(r#"offset {"n":10}"#),
        "names the record: {trace}"
    );
    assert!(
        trace.contains("errors.tolerance=all"),
        "says what to do: {trace}"
    );
    // Only the records before the bad one could be acknowledged, so the stored offset (if any
    // flush ran) never passes them.
    let stored = offsets.get(&connector, &partition()).await.unwrap();
    assert!(
        stored.is_none() || stored == Some(json!({"n": 9}).as_object().unwrap().clone()),
        "offsets never run past the failed record: {stored:?}"
    );
    let records = read_all(&topic).await;
    assert!(
        records.len() <= 9,
        "nothing after the failed record was sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tolerance_all_skips_bad_records_and_continues() {
    let topic = topic("errors-all", 1).await;
    let offsets = offset_store(&sluice_testkit::unique_name("offsets")).await;
    let connector = sluice_testkit::unique_name("errors-all");
    let config = props(&[("topic", &topic), ("errors.tolerance", "all")]);
    let handle = runner(
        &connector,
        Box::new(SometimesBadTask::default()),
        config.clone(),
        json_converters(),
        offsets.clone(),
        settings(&[], &config),
    )
    .spawn();
    eventually("the last offset to be stored", || {
        let (offsets, connector) = (offsets.clone(), connector.clone());
        async move {
            let stored = offsets.get(&connector, &partition()).await.unwrap()?;
            (stored.get("n") == Some(&json!(RECORDS))).then_some(())
        }
    })
    .await;
    assert_eq!(handle.status(), TaskState::Running);
    assert_eq!(handle.stop_and_join().await, TaskState::Stopped);
    let values: Vec<i32> = read_all(&topic)
        .await
        .iter()
        .map(|r| {
            let v: serde_json::Value = serde_json::from_slice(r.value.as_deref().unwrap()).unwrap();
            v["payload"].as_i64().unwrap() as i32
        })
        .collect();
    let expected: Vec<i32> = (0..RECORDS).filter(|i| !is_bad(*i)).collect();
    assert_eq!(values, expected);
}
