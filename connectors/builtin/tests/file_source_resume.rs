//! FileStreamSource resumes from the stored byte position, and emits a last line only once its
//! terminator has been written.

mod common;

use std::io::Write;
use std::sync::Arc;

use common::{MemoryOffsets, context, json_map, props, temp_path};
use serde_json::json;
use sluice_api::Value;
use sluice_api::connector::SourceTask;
use sluice_builtin::file_source::FileStreamSourceTask;

fn values(records: &[sluice_api::SourceRecord]) -> Vec<String> {
    records
        .iter()
        .map(|r| match &r.value {
            Value::String(s) => s.to_string(),
            other => panic!("not a string: {other:?}"),
        })
        .collect()
}

#[tokio::test]
async fn resumes_after_the_stored_position() {
    let path = temp_path("file-source-resume");
    std::fs::write(&path, "alpha\nbeta\ngamma\n").unwrap();
    let file = path.to_str().unwrap();
    let offsets = Arc::new(MemoryOffsets::default());
    // The first run's offset after "alpha\n" was committed.
    offsets.set(
        json_map(json!({ "filename": file })),
        json_map(json!({ "position": 6 })),
    );
    let mut task = FileStreamSourceTask::default();
    task.start(props(&[("file", file), ("topic", "t")]), context(&offsets))
        .await
        .unwrap();
    let records = task.poll().await.unwrap();
    assert_eq!(values(&records), vec!["beta", "gamma"]);
    assert_eq!(
        records[1].source_offset,
        json_map(json!({ "position": 17 }))
    );
    task.stop().await.unwrap();
    std::fs::remove_file(&path).unwrap();
}

#[tokio::test]
async fn a_partial_last_line_waits_for_its_newline() {
    let path = temp_path("file-source-partial");
    std::fs::write(&path, "first\nsec").unwrap();
    let file = path.to_str().unwrap();
    let offsets = Arc::new(MemoryOffsets::default());
    let mut task = FileStreamSourceTask::default();
    task.start(props(&[("file", file), ("topic", "t")]), context(&offsets))
        .await
        .unwrap();
    assert_eq!(values(&task.poll().await.unwrap()), vec!["first"]);
    assert!(
        task.poll().await.unwrap().is_empty(),
        "an unterminated line is not emitted"
    );

    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    f.write_all(b"ond\nthird\n").unwrap();
    f.flush().unwrap();
    let records = task.poll().await.unwrap();
    assert_eq!(values(&records), vec!["second", "third"]);
    assert_eq!(
        records[0].source_offset,
        json_map(json!({ "position": 13 }))
    );
    assert_eq!(
        records[1].source_offset,
        json_map(json!({ "position": 19 }))
    );
    task.stop().await.unwrap();

    // A new task resuming from the last committed position sees nothing more.
    offsets.set(
        json_map(json!({ "filename": file })),
        records[1].source_offset.clone(),
    );
    let mut task = FileStreamSourceTask::default();
    task.start(props(&[("file", file), ("topic", "t")]), context(&offsets))
        .await
        .unwrap();
    assert!(task.poll().await.unwrap().is_empty());
    task.stop().await.unwrap();
    std::fs::remove_file(&path).unwrap();
}

#[tokio::test]
async fn waits_for_a_file_that_does_not_exist_yet() {
    let path = temp_path("file-source-missing");
    let file = path.to_str().unwrap();
    let offsets = Arc::new(MemoryOffsets::default());
    let mut task = FileStreamSourceTask::default();
    task.start(props(&[("file", file), ("topic", "t")]), context(&offsets))
        .await
        .unwrap();
    assert!(task.poll().await.unwrap().is_empty());
    std::fs::write(&path, "late\n").unwrap();
    assert_eq!(values(&task.poll().await.unwrap()), vec!["late"]);
    task.stop().await.unwrap();
    std::fs::remove_file(&path).unwrap();
}

#[tokio::test]
async fn a_malformed_stored_offset_is_a_definite_error() {
    let path = temp_path("file-source-bad-offset");
    std::fs::write(&path, "x\n").unwrap();
    let file = path.to_str().unwrap();
    let offsets = Arc::new(MemoryOffsets::default());
    offsets.set(
        json_map(json!({ "filename": file })),
        json_map(json!({ "position": "ten" })),
    );
    let mut task = FileStreamSourceTask::default();
    task.start(props(&[("file", file), ("topic", "t")]), context(&offsets))
        .await
        .unwrap();
    let e = task.poll().await.unwrap_err();
    assert!(!e.is_retriable());
    assert!(e.to_string().contains("\"ten\""), "{e}");
    std::fs::remove_file(&path).unwrap();
}
