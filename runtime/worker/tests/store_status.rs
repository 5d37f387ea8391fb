//! The status store: one scenario suite run against the memory and Kafka stores — statuses read
//! back by a new store instance (a restarted worker), the writer's generation rule (`put_safe`),
//! tombstones — plus golden checks on Kafka: Sluice writes the status records Java wrote (same
//! key, value, partition, offset) and reads the status topic Java wrote.

use std::time::Duration;

use serde_json::Value;
use sluice_protocol::{State, Status, StatusKey, TopicStatus};
use sluice_worker::Error;
use sluice_worker::kafka::{
    Admin, InternalTopic, ProduceRecord, Producer, Properties as Worker, TopicReader,
};
use sluice_worker::stores::{
    KafkaStatusStore, KafkaStoreSettings, MemoryStatusStore, StatusStore, StatusUpdate,
};

const WAIT: Duration = Duration::from_secs(30);

fn worker() -> Worker {
    [(
        "bootstrap.servers".into(),
        sluice_testkit::services().kafka().bootstrap,
    )]
    .into()
}

fn status(state: State, worker_id: &str, generation: i32) -> Status {
    Status {
        state,
        trace: None,
        worker_id: worker_id.into(),
        generation,
        version: Some("1.0".into()),
    }
}

fn connector(c: &str, s: Option<Status>) -> StatusUpdate {
    StatusUpdate::Connector {
        connector: c.into(),
        status: s,
    }
}

fn task(c: &str, t: u32, s: Option<Status>) -> StatusUpdate {
    StatusUpdate::Task {
        connector: c.into(),
        task: t,
        status: s,
    }
}

fn topic(c: &str, t: &str, ts: Option<i64>) -> StatusUpdate {
    let status = ts.map(|ts| TopicStatus {
        topic: t.into(),
        connector: c.into(),
        task: 0,
        discover_timestamp: ts,
    });
    StatusUpdate::Topic {
        connector: c.into(),
        topic: t.into(),
        status,
    }
}

/// `make` opens a new store instance on the same storage (a restarted worker).
async fn scenario<S: StatusStore>(make: impl Fn() -> S) {
    let mut s = make();
    s.start().await.unwrap();
    let running = status(State::Running, "w1:8083", 1);
    let failed = Status {
        trace: Some("java.lang.Oops\n\tat X".into()),
        ..status(State::Failed, "w1:8083", 1)
    };
    s.put(connector("c-1", Some(running.clone())))
        .await
        .unwrap();
    s.put(task("c-1", 0, Some(running.clone()))).await.unwrap();
    s.put(task("c-1", 1, Some(failed.clone()))).await.unwrap();
    s.put(connector("d", Some(running.clone()))).await.unwrap();
    s.put(topic("c-1", "orders", Some(1000))).await.unwrap();
    s.put(topic("c-1", "lines", Some(2000))).await.unwrap();
    let check = |snap: sluice_worker::stores::StatusSnapshot| {
        assert_eq!(snap.connectors(), vec!["c-1", "d"]);
        assert_eq!(snap.connector("c-1"), Some(&running));
        assert_eq!(snap.tasks("c-1"), vec![(0, &running), (1, &failed)]);
        assert!(snap.tasks("c").is_empty() && snap.tasks("d").is_empty());
        let topics: Vec<&str> = snap
            .topics("c-1")
            .iter()
            .map(|t| t.topic.as_str())
            .collect();
        assert_eq!(topics, vec!["lines", "orders"]);
    };
    check(s.snapshot());

    // The generation rule: another worker's older UNASSIGNED does not overwrite.
    let newer = status(State::Running, "w2:8083", 5);
    s.put(task("c-1", 0, Some(newer.clone()))).await.unwrap();
    let stale = status(State::Unassigned, "w1:8083", 4);
    assert!(
        !s.put_safe(task("c-1", 0, Some(stale))).await.unwrap(),
        "superseded"
    );
    assert_eq!(s.snapshot().task("c-1", 0), Some(&newer));
    // The same generation from another worker, or any generation from the same worker, may.
    let same_gen = status(State::Unassigned, "w1:8083", 5);
    assert!(
        s.put_safe(task("c-1", 0, Some(same_gen.clone())))
            .await
            .unwrap()
    );
    assert_eq!(s.snapshot().task("c-1", 0), Some(&same_gen));
    let own_older = status(State::Unassigned, "w1:8083", 2);
    assert!(
        s.put_safe(task("c-1", 0, Some(own_older.clone())))
            .await
            .unwrap()
    );
    assert_eq!(s.snapshot().task("c-1", 0), Some(&own_older));
    // A plain put always writes.
    s.put(task("c-1", 0, Some(running.clone()))).await.unwrap();
    check(s.snapshot());
    s.stop().await.unwrap();

    let mut restarted = make();
    restarted.start().await.unwrap();
    check(restarted.snapshot());

    // Tombstones: a task's; a connector's (DESTROYED is written as one) takes its tasks along,
    // not its topics, which have their own.
    restarted
        .put(task("d", 3, Some(running.clone())))
        .await
        .unwrap();
    restarted.put(task("d", 3, None)).await.unwrap();
    assert_eq!(restarted.snapshot().task("d", 3), None);
    restarted
        .put(connector(
            "c-1",
            Some(status(State::Destroyed, "w1:8083", 6)),
        ))
        .await
        .unwrap();
    let snap = restarted.snapshot();
    assert_eq!(snap.connectors(), vec!["d"]);
    assert!(snap.tasks("c-1").is_empty());
    assert_eq!(snap.topics("c-1").len(), 2);
    // The tasks' own tombstones, as Kafka Connect's herder writes them on a delete: a reader
    // replaying the topic may meet the tasks' records (other partitions) after the connector's
    // tombstone, so that alone does not delete them for a restarted worker.
    restarted.put(task("c-1", 0, None)).await.unwrap();
    restarted.put(task("c-1", 1, None)).await.unwrap();
    restarted.put(topic("c-1", "orders", None)).await.unwrap();
    restarted.put(topic("c-1", "lines", None)).await.unwrap();
    assert!(restarted.snapshot().topics("c-1").is_empty());
    restarted.stop().await.unwrap();

    let mut again = make();
    again.start().await.unwrap();
    let snap = again.snapshot();
    assert_eq!(snap.connectors(), vec!["d"]);
    assert!(snap.tasks("c-1").is_empty() && snap.topics("c-1").is_empty());
    assert_eq!(snap.task("d", 3), None);
    again.stop().await.unwrap();
}

#[tokio::test]
async fn memory_scenario() {
    let store = MemoryStatusStore::new();
    scenario(|| store.clone()).await;
}

fn kafka_settings() -> KafkaStoreSettings {
    let topic = InternalTopic::status_topic(sluice_testkit::unique_name("status"), 5, 1);
    KafkaStoreSettings::new(worker(), topic)
}

#[tokio::test]
async fn kafka_scenario() {
    let settings = kafka_settings();
    scenario(|| KafkaStatusStore::new(settings.clone())).await;
}

struct Golden {
    partition: i32,
    offset: i64,
    key: String,
    value: Option<String>,
}

fn golden() -> Vec<Golden> {
    let text = std::fs::read_to_string(sluice_testkit::golden("internal/status.jsonl")).unwrap();
    text.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            Golden {
                partition: v["partition"].as_i64().unwrap() as i32,
                offset: v["offset"].as_i64().unwrap(),
                key: v["key_text"].as_str().unwrap().into(),
                value: v["value_text"].as_str().map(str::to_string),
            }
        })
        .collect()
}

fn update_of(g: &Golden) -> StatusUpdate {
    let value = g.value.as_deref().map(str::as_bytes);
    match StatusKey::parse(&g.key).unwrap() {
        StatusKey::Connector(c) => connector(&c, value.map(|v| Status::decode(v).unwrap())),
        StatusKey::Task {
            connector: c,
            task: t,
        } => task(&c, t, value.map(|v| Status::decode(v).unwrap())),
        StatusKey::Topic { topic, connector } => StatusUpdate::Topic {
            connector,
            topic,
            status: value.map(|v| TopicStatus::decode(v).unwrap()),
        },
    }
}

/// Java's status records, written through Sluice's store in Java's order, are the records Java
/// wrote: same key and value bytes, same partition of a 5-partition topic, same offsets.
#[tokio::test]
async fn kafka_writes_the_status_records_java_wrote() {
    let settings = kafka_settings();
    let mut s = KafkaStatusStore::new(settings.clone());
    s.start().await.unwrap();
    let g = golden();
    for r in &g {
        s.put(update_of(r)).await.unwrap();
    }
    s.stop().await.unwrap();
    let mut reader = TopicReader::open(&worker(), &settings.topic.name, &Worker::new(), WAIT)
        .await
        .unwrap();
    let mut records = reader.read_to_end(WAIT).await.unwrap();
    records.sort_by_key(|r| (r.partition, r.offset));
    assert_eq!(records.len(), g.len());
    for (r, g) in records.iter().zip(&g) {
        assert_eq!(
            (r.partition, r.offset),
            (g.partition, g.offset),
            "{}",
            g.key
        );
        assert_eq!(r.key.as_deref(), Some(g.key.as_bytes()));
        assert_eq!(
            r.value.as_deref(),
            g.value.as_deref().map(str::as_bytes),
            "{}",
            g.key
        );
    }
}

async fn send_raw(producer: &Producer, topic: &str, r: &Golden) {
    let rec = ProduceRecord {
        topic,
        key: Some(r.key.as_bytes()),
        value: r.value.as_deref().map(str::as_bytes),
        ..Default::default()
    };
    assert_eq!(
        producer.send(rec).await.unwrap().partition,
        r.partition,
        "Java's partition"
    );
}

/// A worker started on the status topic Java wrote sees Java's statuses, then their deletion.
#[tokio::test]
async fn kafka_reads_the_status_topic_java_wrote() {
    let settings = kafka_settings();
    let admin = Admin::new(&worker(), &Worker::new(), WAIT).unwrap();
    admin.ensure_internal_topic(&settings.topic).await.unwrap();
    let producer = Producer::new(&worker(), &Worker::new()).unwrap();
    // Partitions 0 and 1 (topics), and partition 3 up to the connector RUNNING in generation 4
    // and its order_lines topic. (Partition 2 holds the task; its order relative to the
    // connector's tombstone on partition 3 is not defined across partitions, for Java too.)
    let g = golden();
    let (first, rest): (Vec<&Golden>, Vec<&Golden>) = g
        .iter()
        .partition(|r| r.partition < 2 || (r.partition == 3 && r.offset <= 6));
    for r in &first {
        send_raw(&producer, &settings.topic.name, r).await;
    }
    let mut s = KafkaStatusStore::new(settings.clone());
    s.start().await.unwrap();
    let snap = s.snapshot();
    let c = snap.connector("golden-pg").expect("connector status");
    assert_eq!(
        (c.state, c.generation, c.version.as_deref()),
        (State::Running, 4, Some("3.6.3.Final"))
    );
    assert_eq!(c.worker_id, "127.0.0.1:28083");
    let topics: Vec<&str> = snap
        .topics("golden-pg")
        .iter()
        .map(|t| t.topic.as_str())
        .collect();
    assert_eq!(
        topics,
        vec!["dbserver1.inventory.order_lines"],
        "the others were reset"
    );

    for r in &rest {
        send_raw(&producer, &settings.topic.name, r).await;
    }
    s.refresh(WAIT).await.unwrap();
    let snap = s.snapshot();
    assert!(snap.connectors().is_empty() && snap.tasks("golden-pg").is_empty());
    assert!(snap.topics("golden-pg").is_empty());
    s.stop().await.unwrap();
}

#[tokio::test]
async fn kafka_refuses_a_topic_that_is_not_compacted() {
    let name = sluice_testkit::unique_name("plainstatus");
    let admin = Admin::new(&worker(), &Worker::new(), WAIT).unwrap();
    assert!(
        admin
            .create_topic(&name, 5, 1, &[("cleanup.policy", "compact,delete")])
            .await
            .unwrap()
    );
    let topic = InternalTopic::status_topic(&name, 5, 1);
    let mut s = KafkaStatusStore::new(KafkaStoreSettings::new(worker(), topic));
    let err = s.start().await.unwrap_err();
    assert!(
        matches!(&err, Error::TopicNotCompacted { policy, .. } if policy == "compact,delete"),
        "{err:?}"
    );
    assert!(!err.is_retriable());
}
