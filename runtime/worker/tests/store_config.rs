//! The config store: one scenario suite run against the memory store and the Kafka store —
//! writes read back by a new store instance (a restarted worker), task configs applied only on
//! their commit, tombstones, and the config topic Java Kafka Connect wrote replayed raw — plus
//! Kafka-only checks: Sluice writes the very records Java wrote, another worker's writes arrive
//! through the background reader, and a non-compacted topic is refused.

use std::time::Duration;

use serde_json::Value;
use sluice_protocol::{ConfigRecord, Properties, SessionKey, TargetState};
use sluice_worker::Error;
use sluice_worker::config_state::{ConfigChange, RestartRequest};
use sluice_worker::kafka::{
    Admin, InternalTopic, ProduceRecord, Producer, Properties as Worker, TopicReader,
};
use sluice_worker::stores::{ConfigStore, KafkaConfigStore, KafkaStoreSettings, MemoryConfigStore};
use tokio::sync::broadcast;

const WAIT: Duration = Duration::from_secs(30);

/// Where a store's records live; `open` is a new store instance on the same records.
trait Backend {
    type Store: ConfigStore;
    fn open(&self) -> Self::Store;
    /// Writes one raw record, as another worker (or Java Kafka Connect) would.
    async fn append_raw(&self, key: &str, value: Option<&[u8]>);
}

struct Memory(MemoryConfigStore);

impl Backend for Memory {
    type Store = MemoryConfigStore;
    fn open(&self) -> MemoryConfigStore {
        self.0.clone()
    }
    async fn append_raw(&self, key: &str, value: Option<&[u8]>) {
        self.0.append(ConfigRecord::decode(key, value).unwrap());
    }
}

struct Kafka {
    settings: KafkaStoreSettings,
    producer: Producer,
}

fn worker() -> Worker {
    [(
        "bootstrap.servers".into(),
        sluice_testkit::services().kafka().bootstrap,
    )]
    .into()
}

impl Kafka {
    async fn new() -> Kafka {
        let topic = InternalTopic::config_topic(sluice_testkit::unique_name("configs"), 1);
        let admin = Admin::new(&worker(), &Worker::new(), WAIT).unwrap();
        admin.ensure_internal_topic(&topic).await.unwrap();
        Kafka {
            settings: KafkaStoreSettings::new(worker(), topic),
            producer: Producer::new(&worker(), &Worker::new()).unwrap(),
        }
    }
}

impl Backend for Kafka {
    type Store = KafkaConfigStore;
    fn open(&self) -> KafkaConfigStore {
        KafkaConfigStore::new(self.settings.clone())
    }
    async fn append_raw(&self, key: &str, value: Option<&[u8]>) {
        let topic = &self.settings.topic.name;
        let record = ProduceRecord {
            topic,
            key: Some(key.as_bytes()),
            value,
            ..Default::default()
        };
        self.producer.send(record).await.unwrap();
    }
}

fn props(kv: &[(&str, &str)]) -> Properties {
    kv.iter()
        .map(|(k, v)| (k.to_string(), Some(v.to_string())))
        .collect()
}

fn drain(rx: &mut broadcast::Receiver<ConfigChange>) -> Vec<ConfigChange> {
    std::iter::from_fn(|| rx.try_recv().ok()).collect()
}

async fn lifecycle<B: Backend>(b: B) {
    let mut s = b.open();
    s.start().await.unwrap();
    let mut rx = s.subscribe();
    let orders = props(&[
        ("connector.class", "Orders"),
        ("tasks.max", "2"),
        ("name", "orders"),
    ]);
    s.put_connector_config("orders", orders.clone(), Some(TargetState::Paused))
        .await
        .unwrap();
    let c = s.snapshot().connector("orders").cloned().expect("created");
    assert_eq!((c.config, c.target_state), (orders, TargetState::Paused));
    assert!(c.tasks.is_empty());

    let (t0, t1) = (props(&[("task", "0")]), props(&[("task", "1")]));
    s.put_task_configs("orders", vec![t0.clone(), t1.clone()])
        .await
        .unwrap();
    assert_eq!(
        s.snapshot().connector("orders").unwrap().tasks,
        vec![t0, t1]
    );
    let only = props(&[("task", "only")]);
    s.put_task_configs("orders", vec![only.clone()])
        .await
        .unwrap();
    assert_eq!(
        s.snapshot().connector("orders").unwrap().tasks,
        vec![only],
        "shrunk to one"
    );

    s.put_target_state("orders", TargetState::Stopped)
        .await
        .unwrap();
    let restart = RestartRequest {
        include_tasks: true,
        only_failed: false,
    };
    s.put_restart_request("orders", restart).await.unwrap();
    let key = SessionKey {
        key: "c2VjcmV0".into(),
        algorithm: "HmacSHA256".into(),
        creation_timestamp: 42,
    };
    s.put_session_key(key.clone()).await.unwrap();
    let snap = s.snapshot();
    assert_eq!(
        snap.connector("orders").unwrap().target_state,
        TargetState::Stopped
    );
    assert_eq!(snap.restart_request("orders"), Some(restart));
    assert_eq!(snap.session_key(), Some(&key));

    // Deleted, then re-created without a state: the tombstones cleared the STOPPED state.
    s.remove_connector_config("orders").await.unwrap();
    assert!(s.snapshot().connector("orders").is_none());
    let dashed = props(&[("connector.class", "X"), ("name", "a-b-1")]);
    s.put_connector_config("a-b-1", dashed.clone(), None)
        .await
        .unwrap();
    s.put_task_configs("a-b-1", vec![props(&[("k", "v")])])
        .await
        .unwrap();
    s.put_connector_config("orders", props(&[("name", "orders")]), None)
        .await
        .unwrap();
    let snap = s.snapshot();
    assert_eq!(
        snap.connector("orders").unwrap().target_state,
        TargetState::Started
    );
    assert!(snap.connector("orders").unwrap().tasks.is_empty());
    assert_eq!(
        snap.connector("a-b-1").unwrap().tasks.len(),
        1,
        "names with '-' work"
    );

    let (o, d) = ("orders".to_string(), "a-b-1".to_string());
    assert_eq!(
        drain(&mut rx),
        vec![
            ConfigChange::ConnectorUpdated(o.clone()),
            ConfigChange::TasksCommitted(o.clone()),
            ConfigChange::TasksCommitted(o.clone()),
            ConfigChange::TargetStateChanged(o.clone()),
            ConfigChange::RestartRequested(o.clone()),
            ConfigChange::SessionKeyUpdated,
            ConfigChange::ConnectorRemoved(o.clone()),
            ConfigChange::ConnectorUpdated(d.clone()),
            ConfigChange::TasksCommitted(d.clone()),
            ConfigChange::ConnectorUpdated(o.clone()),
        ]
    );

    // A restarted worker reads the same state.
    let mut restarted = b.open();
    restarted.start().await.unwrap();
    let (a, r) = (s.snapshot(), restarted.snapshot());
    assert_eq!(a.connector_names(), r.connector_names());
    for name in a.connector_names() {
        assert_eq!(a.connector(name), r.connector(name), "{name}");
    }
    assert_eq!(r.session_key(), Some(&key));
    assert_eq!(r.next_offset, a.next_offset);
    restarted.stop().await.unwrap();
    s.stop().await.unwrap();
}

async fn tasks_apply_only_on_commit<B: Backend>(b: B) {
    let mut s = b.open();
    s.start().await.unwrap();
    s.put_connector_config("c", props(&[("name", "c")]), None)
        .await
        .unwrap();
    let task = |n: u32| props(&[("task", &n.to_string())]);
    let raw = |n: u32| ConfigRecord::Task {
        connector: "c".into(),
        task: n,
        properties: Some(task(n)),
    };
    for n in 0..2 {
        b.append_raw(&raw(n).key(), raw(n).encode_value().as_deref())
            .await;
    }
    s.refresh(WAIT).await.unwrap();
    assert!(
        s.snapshot().connector("c").unwrap().tasks.is_empty(),
        "no commit yet"
    );
    // A worker (re)starting between the task records and the commit sees no tasks either.
    let mut other = b.open();
    other.start().await.unwrap();
    assert!(other.snapshot().connector("c").unwrap().tasks.is_empty());

    // A commit naming 3 tasks when 2 were written: inconsistent, nothing applied.
    b.append_raw("commit-c", Some(br#"{"tasks":3}"#)).await;
    s.refresh(WAIT).await.unwrap();
    let c = s.snapshot().connector("c").cloned().unwrap();
    assert!(c.inconsistent && c.tasks.is_empty());
    b.append_raw("commit-c", Some(br#"{"tasks":2}"#)).await;
    s.refresh(WAIT).await.unwrap();
    let c = s.snapshot().connector("c").cloned().unwrap();
    assert!(!c.inconsistent);
    assert_eq!(c.tasks, vec![task(0), task(1)]);
    other.refresh(WAIT).await.unwrap();
    assert_eq!(other.snapshot().connector("c").unwrap().tasks.len(), 2);
    other.stop().await.unwrap();
    s.stop().await.unwrap();
}

struct Golden {
    offset: i64,
    partition: i32,
    key: String,
    value: Option<String>,
}

fn golden() -> Vec<Golden> {
    let text = std::fs::read_to_string(sluice_testkit::golden("internal/configs.jsonl")).unwrap();
    let lines: Vec<Golden> = text
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            Golden {
                offset: v["offset"].as_i64().unwrap(),
                partition: v["partition"].as_i64().unwrap() as i32,
                key: v["key_text"].as_str().unwrap().into(),
                value: v["value_text"].as_str().map(str::to_string),
            }
        })
        .collect();
    assert_eq!(lines.len(), 10);
    lines
}

fn golden_props(g: &Golden) -> Properties {
    match ConfigRecord::decode(&g.key, g.value.as_deref().map(str::as_bytes)).unwrap() {
        Some(
            ConfigRecord::Connector {
                properties: Some(p),
                ..
            }
            | ConfigRecord::Task {
                properties: Some(p),
                ..
            },
        ) => p,
        other => panic!("not a config: {other:?}"),
    }
}

/// A worker started on the config topic Java Kafka Connect wrote follows the connector's life.
async fn reads_the_topic_java_wrote<B: Backend>(b: B) {
    let g = golden();
    let append = |range: std::ops::RangeInclusive<usize>| {
        let b = &b;
        let g = &g;
        async move {
            for r in &g[range] {
                b.append_raw(&r.key, r.value.as_deref().map(str::as_bytes))
                    .await;
            }
        }
    };
    append(0..=2).await;
    let mut s = b.open();
    s.start().await.unwrap();
    let c = s
        .snapshot()
        .connector("golden-pg")
        .cloned()
        .expect("created by Java");
    assert_eq!(
        c.target_state,
        TargetState::Stopped,
        "created with initial_state=STOPPED"
    );
    assert_eq!(c.config, golden_props(&g[2]));

    append(3..=7).await;
    s.refresh(WAIT).await.unwrap();
    let c = s
        .snapshot()
        .connector("golden-pg")
        .cloned()
        .expect("re-created");
    assert_eq!(c.target_state, TargetState::Started);
    assert_eq!(c.tasks, vec![golden_props(&g[6])]);

    let mut rx = s.subscribe();
    append(8..=9).await;
    s.refresh(WAIT).await.unwrap();
    assert!(s.snapshot().connector_names().is_empty());
    assert_eq!(
        drain(&mut rx),
        vec![ConfigChange::ConnectorRemoved("golden-pg".into())]
    );

    let mut restarted = b.open();
    restarted.start().await.unwrap();
    let r = restarted.snapshot();
    assert!(r.connector_names().is_empty());
    assert_eq!(r.session_key().unwrap().creation_timestamp, 1795294151810);
    assert_eq!(r.next_offset, 10);
    restarted.stop().await.unwrap();
    s.stop().await.unwrap();
}

#[tokio::test]
async fn memory_lifecycle() {
    lifecycle(Memory(MemoryConfigStore::new())).await;
}

#[tokio::test]
async fn kafka_lifecycle() {
    lifecycle(Kafka::new().await).await;
}

#[tokio::test]
async fn memory_tasks_apply_only_on_commit() {
    tasks_apply_only_on_commit(Memory(MemoryConfigStore::new())).await;
}

#[tokio::test]
async fn kafka_tasks_apply_only_on_commit() {
    tasks_apply_only_on_commit(Kafka::new().await).await;
}

#[tokio::test]
async fn memory_reads_the_topic_java_wrote() {
    reads_the_topic_java_wrote(Memory(MemoryConfigStore::new())).await;
}

#[tokio::test]
async fn kafka_reads_the_topic_java_wrote() {
    reads_the_topic_java_wrote(Kafka::new().await).await;
}

/// The connector's life Java went through, done through Sluice's store, leaves the same records
/// (key, value, partition, offset) on the topic.
#[tokio::test]
async fn kafka_writes_the_records_java_wrote() {
    let g = golden();
    let b = Kafka::new().await;
    let mut s = b.open();
    s.start().await.unwrap();
    let key = match ConfigRecord::decode(&g[0].key, g[0].value.as_deref().map(str::as_bytes)) {
        Ok(Some(ConfigRecord::SessionKey(k))) => k,
        other => panic!("{other:?}"),
    };
    s.put_session_key(key).await.unwrap();
    s.put_connector_config("golden-pg", golden_props(&g[2]), Some(TargetState::Stopped))
        .await
        .unwrap();
    s.remove_connector_config("golden-pg").await.unwrap();
    s.put_connector_config("golden-pg", golden_props(&g[5]), None)
        .await
        .unwrap();
    s.put_task_configs("golden-pg", vec![golden_props(&g[6])])
        .await
        .unwrap();
    s.remove_connector_config("golden-pg").await.unwrap();
    s.stop().await.unwrap();

    let mut reader = TopicReader::open(&worker(), &b.settings.topic.name, &Worker::new(), WAIT)
        .await
        .unwrap();
    let records = reader.read_to_end(WAIT).await.unwrap();
    assert_eq!(records.len(), g.len());
    for (r, g) in records.iter().zip(&g) {
        assert_eq!((r.partition, r.offset), (g.partition, g.offset));
        assert_eq!(r.key.as_deref(), Some(g.key.as_bytes()));
        assert_eq!(
            r.value.as_deref(),
            g.value.as_deref().map(str::as_bytes),
            "value of {}",
            g.key
        );
    }
}

/// A change written by one worker reaches another worker's subscribers through its background
/// reader, without that worker asking.
#[tokio::test]
async fn kafka_other_workers_changes_arrive_in_the_background() {
    let b = Kafka::new().await;
    let (mut a, mut other) = (b.open(), b.open());
    a.start().await.unwrap();
    other.start().await.unwrap();
    let mut rx = other.subscribe();
    a.put_connector_config("bg", props(&[("name", "bg")]), None)
        .await
        .unwrap();
    let change = tokio::time::timeout(WAIT, rx.recv())
        .await
        .expect("in time")
        .unwrap();
    assert_eq!(change, ConfigChange::ConnectorUpdated("bg".into()));
    assert!(other.snapshot().connector("bg").is_some());
    a.stop().await.unwrap();
    other.stop().await.unwrap();
}

#[tokio::test]
async fn kafka_refuses_a_topic_that_is_not_compacted() {
    let name = sluice_testkit::unique_name("plainconfig");
    let admin = Admin::new(&worker(), &Worker::new(), WAIT).unwrap();
    assert!(admin.create_topic(&name, 1, 1, &[]).await.unwrap());
    let settings = KafkaStoreSettings::new(worker(), InternalTopic::config_topic(&name, 1));
    let mut s = KafkaConfigStore::new(settings);
    let err = s.start().await.unwrap_err();
    assert!(matches!(err, Error::TopicNotCompacted { .. }), "{err:?}");
    assert!(err.to_string().contains("cleanup.policy=compact"), "{err}");
    let err = s
        .put_target_state("x", TargetState::Paused)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::StoreNotRunning { .. }), "{err:?}");
}
