//! FileStreamSource returns the file's lines in batches of `batch.size`, each with the source
//! partition `{"filename": <file>}` and offset `{"position": <byte after the line>}`.

mod common;

use std::sync::Arc;

use common::{MemoryOffsets, context, json_map, props, temp_path};
use serde_json::json;
use sluice_api::connector::SourceTask;
use sluice_api::{Type, Value};
use sluice_builtin::file_source::FileStreamSourceTask;

#[tokio::test]
async fn lines_come_in_batches_with_byte_positions() {
    let path = temp_path("file-source-batches");
    std::fs::write(&path, "one\r\ntwo\nthree\rfour\nfive\n").unwrap();
    let file = path.to_str().unwrap();
    let offsets = Arc::new(MemoryOffsets::default());
    let mut task = FileStreamSourceTask::default();
    task.start(
        props(&[("file", file), ("topic", "lines"), ("batch.size", "2")]),
        context(&offsets),
    )
    .await
    .unwrap();

    let mut batches = Vec::new();
    while batches.iter().map(Vec::len).sum::<usize>() < 5 {
        let batch = task.poll().await.unwrap();
        assert!(!batch.is_empty(), "the file has unread lines");
        batches.push(batch);
    }
    assert_eq!(
        batches.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![2, 2, 1]
    );
    let records: Vec<_> = batches.into_iter().flatten().collect();
    let values: Vec<_> = records.iter().map(|r| r.value.clone()).collect();
    assert_eq!(
        values,
        ["one", "two", "three", "four", "five"]
            .map(|s| Value::String(s.into()))
            .to_vec()
    );
    let positions: Vec<_> = records
        .iter()
        .map(|r| r.source_offset["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, vec![5, 9, 15, 20, 25]);
    for r in &records {
        assert_eq!(r.source_partition, json_map(json!({ "filename": file })));
        assert_eq!(r.topic, "lines");
        assert_eq!(r.key, Value::Null);
        assert_eq!(r.value_schema.as_ref().unwrap().ty(), Type::String);
        assert!(r.timestamp.is_some());
    }
    task.stop().await.unwrap();
    std::fs::remove_file(&path).unwrap();
}
