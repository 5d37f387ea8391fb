//! Shared set-up of the source task tests: worker properties for the test broker, topics,
//! converters, an offsets topic, and reading a topic back.

#![allow(dead_code)] // each test file uses a different subset

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sluice_api::connector::{DynSourceTask, TaskConfig};
use sluice_converters::{Converter, JsonConverter, SimpleHeaderConverter, StringConverter};
use sluice_worker::kafka::{AckedProducer, Admin, InternalTopic, Properties, Record, TopicReader};
use sluice_worker::stores::{KafkaOffsetStore, KafkaStoreSettings, OffsetStore};
use sluice_worker::task::TaskId;
use sluice_worker::task::source::{RecordConverters, SourceTaskRunner, SourceTaskSettings};

/// Generous bound on waits (the broker is local, but the machine is shared).
pub(crate) const WAIT: Duration = Duration::from_secs(60);

pub(crate) fn worker() -> Properties {
    [(
        "bootstrap.servers".to_string(),
        sluice_testkit::services().kafka().bootstrap,
    )]
    .into()
}

pub(crate) fn admin() -> Admin {
    Admin::new(&worker(), &Properties::new(), Duration::from_secs(30)).unwrap()
}

pub(crate) fn producer() -> AckedProducer {
    AckedProducer::new(&worker(), &Properties::new()).unwrap()
}

/// A new topic with `partitions` partitions.
pub(crate) async fn topic(prefix: &str, partitions: i32) -> String {
    let name = sluice_testkit::unique_name(prefix);
    assert!(
        admin()
            .create_topic(&name, partitions, 1, &[])
            .await
            .unwrap()
    );
    name
}

/// A started Kafka offset store on `topic` (created if missing).
pub(crate) async fn offset_store(topic: &str) -> Arc<KafkaOffsetStore> {
    let mut store = KafkaOffsetStore::new(KafkaStoreSettings::new(
        worker(),
        InternalTopic::offsets_topic(topic, 5, 1),
    ));
    store.start().await.unwrap();
    Arc::new(store)
}

fn configured(
    mut c: impl Converter + 'static,
    props: &[(&str, &str)],
    is_key: bool,
) -> Arc<dyn Converter> {
    let config: HashMap<String, String> = props
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    c.configure(&config, is_key).unwrap();
    Arc::new(c)
}

/// JsonConverter: keys without schemas (plain JSON), values with schemas (the default).
pub(crate) fn json_converters() -> RecordConverters {
    RecordConverters::new(
        configured(
            JsonConverter::default(),
            &[("schemas.enable", "false")],
            true,
        ),
        configured(JsonConverter::default(), &[], false),
        Arc::new(SimpleHeaderConverter),
    )
}

/// StringConverter for keys and values.
pub(crate) fn string_converters() -> RecordConverters {
    RecordConverters::new(
        configured(StringConverter::new(), &[], true),
        configured(StringConverter::new(), &[], false),
        Arc::new(SimpleHeaderConverter),
    )
}

/// Settings from connector properties, with a 100 ms flush interval unless given.
pub(crate) fn settings(
    worker_extra: &[(&str, &str)],
    connector: &TaskConfig,
) -> SourceTaskSettings {
    let mut w = worker();
    w.insert("offset.flush.interval.ms".into(), "100".into());
    for (k, v) in worker_extra {
        w.insert(k.to_string(), v.to_string());
    }
    SourceTaskSettings::from_configs(&w, connector).unwrap()
}

pub(crate) fn props(entries: &[(&str, &str)]) -> TaskConfig {
    entries
        .iter()
        .map(|(k, v)| (k.to_string(), Some(v.to_string())))
        .collect()
}

/// A runner for `task` of connector `connector`, task 0.
pub(crate) fn runner<S: OffsetStore + 'static>(
    connector: &str,
    task: Box<dyn DynSourceTask>,
    config: TaskConfig,
    converters: RecordConverters,
    offsets: Arc<S>,
    settings: SourceTaskSettings,
) -> SourceTaskRunner<S> {
    SourceTaskRunner::new(
        TaskId::new(connector, 0),
        task,
        config,
        converters,
        producer(),
        offsets,
        settings,
    )
}

/// Every record of `topic` up to its current end.
pub(crate) async fn read_all(topic: &str) -> Vec<Record> {
    let mut reader = TopicReader::open(&worker(), topic, &Properties::new(), WAIT)
        .await
        .unwrap();
    reader.read_to_end(WAIT).await.unwrap()
}

/// Polls `check` every 50 ms until it answers `Some`, or panics after `WAIT` naming `what`.
pub(crate) async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(start.elapsed() < WAIT, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
