//! FileStreamSink appends each record's value as a line, and `pre_commit` flushes the file and
//! answers every offset it was given. Driven through the registry's type-erased interface, as
//! the worker will drive it.

mod common;

use common::{props, temp_path};
use sluice_api::connector::{
    CommitOffsets, ConnectorContext, OffsetAndMetadata, SinkTaskContext, TopicPartition,
};
use sluice_api::{SinkRecord, TimestampType, Value};
use sluice_builtin::{PluginRegistry, builtin_plugins};

fn record(offset: i64, value: Value) -> SinkRecord {
    SinkRecord {
        topic: "events".into(),
        kafka_partition: 0,
        kafka_offset: offset,
        timestamp: None,
        timestamp_type: TimestampType::CreateTime,
        key_schema: None,
        key: Value::Null,
        value_schema: None,
        value,
        encoded_value: None,
        headers: Default::default(),
    }
}

#[tokio::test]
async fn appends_values_and_flushes_in_pre_commit() {
    let path = temp_path("file-sink-append");
    std::fs::write(&path, "existing\n").unwrap();
    let file = path.to_str().unwrap();
    let registry = PluginRegistry::new(builtin_plugins());
    let plugin = registry.lookup("FileStreamSink").unwrap();

    let mut connector = plugin.new_sink().expect("a sink plugin");
    let config = props(&[("file", file), ("topics", "events")]);
    connector
        .start(config, ConnectorContext::new(|_| {}))
        .await
        .unwrap();
    let task_configs = connector.task_configs(2).unwrap();
    assert_eq!(
        task_configs.len(),
        2,
        "one config per task, up to tasks.max"
    );

    let mut task = connector.create_task();
    task.start(task_configs[0].clone(), SinkTaskContext::new())
        .await
        .unwrap();
    let tp = TopicPartition::new("events", 0);
    task.open(std::slice::from_ref(&tp)).await.unwrap();
    task.put(&[
        record(0, Value::String("hello".into())),
        record(1, Value::Int64(42)),
        record(2, Value::Null),
    ])
    .await
    .unwrap();

    let offsets: CommitOffsets = [(tp.clone(), OffsetAndMetadata::new(3))].into();
    let committable = task.pre_commit(offsets.clone()).await.unwrap();
    assert_eq!(committable, offsets);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "existing\nhello\n42\nnull\n"
    );

    task.put(&[record(3, Value::String("more".into()))])
        .await
        .unwrap();
    task.pre_commit([(tp.clone(), OffsetAndMetadata::new(4))].into())
        .await
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "existing\nhello\n42\nnull\nmore\n"
    );
    task.close(&[tp]).await.unwrap();
    task.stop().await.unwrap();
    connector.stop().await.unwrap();
    std::fs::remove_file(&path).unwrap();
}
