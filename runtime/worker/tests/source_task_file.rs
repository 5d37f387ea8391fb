//! FileStreamSource → StringConverter → Kafka through the source task loop: the file's lines
//! are read back exactly, in order, and the stored offset is the file's length. The topic does
//! not exist beforehand: the task creates it from `topic.creation.default.*`.

mod source_common;

use serde_json::json;
use sluice_builtin::file_source::{FileStreamSourceTask, source_partition};
use sluice_worker::stores::OffsetStore;
use sluice_worker::task::TaskState;

use source_common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_lines_are_published_exactly() {
    let topic = sluice_testkit::unique_name("file-lines");
    let path = std::env::temp_dir().join(format!("{}.txt", sluice_testkit::unique_name("lines")));
    let lines: Vec<String> = (0..3000)
        .map(|i| format!("line {i}: {}", "x".repeat(i % 50)))
        .collect();
    let text = lines.join("\n") + "\n";
    std::fs::write(&path, &text).unwrap();
    let file = path.to_str().unwrap().to_string();

    let offsets = offset_store(&sluice_testkit::unique_name("offsets")).await;
    let connector = sluice_testkit::unique_name("file");
    let config = props(&[
        ("file", &file),
        ("topic", &topic),
        ("topic.creation.default.partitions", "1"),
        ("topic.creation.default.replication.factor", "1"),
    ]);
    let handle = runner(
        &connector,
        Box::new(FileStreamSourceTask::default()),
        config.clone(),
        string_converters(),
        offsets.clone(),
        settings(&[], &config),
    )
    .with_admin(admin())
    .spawn();

    let partition = source_partition(Some(&file));
    let length = json!(text.len());
    eventually("the file's length to be stored", || {
        let (offsets, connector, partition) =
            (offsets.clone(), connector.clone(), partition.clone());
        let length = length.clone();
        async move {
            let stored = offsets.get(&connector, &partition).await.unwrap()?;
            (stored.get("position") == Some(&length)).then_some(())
        }
    })
    .await;
    assert_eq!(handle.stop_and_join().await, TaskState::Stopped);

    assert_eq!(admin().partition_count(&topic).await.unwrap(), 1, "created");
    let records = read_all(&topic).await;
    let values: Vec<String> = records
        .iter()
        .map(|r| String::from_utf8(r.value.as_deref().expect("a value").to_vec()).unwrap())
        .collect();
    assert_eq!(values, lines);
    assert!(records.iter().all(|r| r.key.is_none()), "no keys");
    std::fs::remove_file(&path).unwrap();
}
