//! A record the value converter cannot read: with `errors.tolerance=all` it goes to the
//! dead-letter queue with its original bytes and the `__connect.errors.*` headers and the task
//! carries on; with `none` the task fails with a trace naming the record, and the committed
//! offset does not pass it.

mod sink_common;

use std::collections::BTreeMap;
use std::time::Duration;

use sink_common::*;
use sluice_worker::kafka::{Properties, TopicReader};
use sluice_worker::task::TaskState;

const POISON: &[u8] = b"{\"not\": json";
const POISON_AT: usize = 7;

/// 20 JSON string records on one partition, the one at `POISON_AT` unreadable JSON.
fn records() -> Vec<Raw> {
    (0..20)
        .map(|i| {
            let value = if i == POISON_AT {
                POISON.to_vec()
            } else {
                format!("\"v-{i}\"").into_bytes()
            };
            (
                Some(format!("k-{i}").into_bytes()),
                Some(value),
                vec![("origin".to_string(), b"test".to_vec())],
            )
        })
        .collect()
}

fn json_values(extra: &[(&'static str, String)]) -> Vec<(&'static str, String)> {
    let mut v = vec![
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter".to_string(),
        ),
        ("value.converter.schemas.enable", "false".to_string()),
    ];
    v.extend(extra.iter().cloned());
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tolerated_poison_goes_to_the_dead_letter_queue_with_context_headers() -> anyhow::Result<()>
{
    let topic = topic("sink-poison", 1).await?;
    let dlq = sluice_testkit::unique_name("sink-dlq");
    produce(&topic, &records()).await?;

    let name = sluice_testkit::unique_name("file-sink");
    let file = temp_file("sink-poison");
    let extra = json_values(&[
        ("errors.tolerance", "all".into()),
        ("errors.log.enable", "true".into()),
        ("errors.deadletterqueue.topic.name", dlq.clone()),
        (
            "errors.deadletterqueue.topic.replication.factor",
            "1".into(),
        ),
        (
            "errors.deadletterqueue.context.headers.enable",
            "true".into(),
        ),
    ]);
    let extra: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let handle = spawn_file_sink(&connector_config(&name, &topic, &extra), &file)?;
    wait_for_lines(&file, 19, Duration::from_secs(90)).await;
    assert_eq!(handle.stop_and_join().await, TaskState::Stopped);

    let want: Vec<String> = (0..20)
        .filter(|i| *i != POISON_AT)
        .map(|i| format!("v-{i}"))
        .collect();
    assert_eq!(
        lines(&file),
        want,
        "every readable record reached the file, in order"
    );
    let committed = committed(&format!("connect-{name}"), &topic, 1).await?;
    assert_eq!(
        committed[&0],
        Some(20),
        "the skipped record is committed past"
    );

    let mut reader =
        TopicReader::open(&worker(), &dlq, &Properties::new(), Duration::from_secs(30)).await?;
    let dead = reader.read_to_end(Duration::from_secs(30)).await?;
    assert_eq!(dead.len(), 1, "{dead:?}");
    let dead = &dead[0];
    assert_eq!(dead.value.as_deref(), Some(POISON), "original value bytes");
    assert_eq!(
        dead.key.as_deref(),
        Some(format!("k-{POISON_AT}").as_bytes())
    );
    let headers: BTreeMap<&str, String> = dead
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str(),
                String::from_utf8_lossy(v.as_deref().unwrap_or_default()).into_owned(),
            )
        })
        .collect();
    assert_eq!(headers["origin"], "test", "original headers are kept");
    assert_eq!(headers["__connect.errors.topic"], topic);
    assert_eq!(headers["__connect.errors.partition"], "0");
    assert_eq!(headers["__connect.errors.offset"], POISON_AT.to_string());
    assert_eq!(headers["__connect.errors.connector.name"], name);
    assert_eq!(headers["__connect.errors.task.id"], "0");
    assert_eq!(headers["__connect.errors.stage"], "VALUE_CONVERTER");
    assert_eq!(
        headers["__connect.errors.class.name"],
        "org.apache.kafka.connect.json.JsonConverter"
    );
    assert_eq!(
        headers["__connect.errors.exception.class.name"],
        "org.apache.kafka.connect.errors.DataException"
    );
    assert!(headers["__connect.errors.exception.message"].contains(&topic));
    assert!(
        headers["__connect.errors.exception.stacktrace"]
            .starts_with("org.apache.kafka.connect.errors.DataException: ")
    );
    std::fs::remove_file(&file).ok();
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untolerated_poison_fails_the_task_and_is_not_committed_past() -> anyhow::Result<()> {
    let topic = topic("sink-poison-none", 1).await?;
    produce(&topic, &records()).await?;

    let name = sluice_testkit::unique_name("file-sink");
    let file = temp_file("sink-poison-none");
    let extra = json_values(&[]);
    let extra: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let handle = spawn_file_sink(&connector_config(&name, &topic, &extra), &file)?;
    let state = tokio::time::timeout(Duration::from_secs(90), handle.join()).await?;
    let trace = state
        .trace()
        .unwrap_or_else(|| panic!("the task failed: {state:?}"));
    assert!(
        trace.contains("Tolerance exceeded in error handler"),
        "{trace}"
    );
    assert!(
        trace.contains(&format!("topic '{topic}', partition 0, offset {POISON_AT}")),
        "{trace}"
    );
    assert!(trace.contains("VALUE_CONVERTER"), "{trace}");

    let committed = committed(&format!("connect-{name}"), &topic, 1).await?;
    assert!(
        committed[&0].is_none_or(|o| o <= POISON_AT as i64),
        "committed {committed:?} passes the failed record"
    );
    let written = lines(&file);
    assert!(written.len() <= POISON_AT, "{written:?}");
    std::fs::remove_file(&file).ok();
    Ok(())
}
