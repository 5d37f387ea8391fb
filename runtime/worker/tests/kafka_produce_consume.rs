//! The idempotent producer's records are read back by a group consumer that commits, a new
//! member of the same group resumes after the committed offsets, and reading a topic to the end
//! (the end taken from Fetch high watermarks) returns exactly what was written.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use bytes::Bytes;
use sluice_worker::kafka::{
    Admin, GroupConsumer, PartitionOffset, ProduceRecord, Producer, Properties, Record, TopicReader,
};

/// Generous: the first fetch of a group waits for its first rebalance (~5 s on Tansu).
const WAIT: Duration = Duration::from_secs(60);

fn worker() -> Properties {
    [(
        "bootstrap.servers".to_string(),
        sluice_testkit::services().kafka().bootstrap,
    )]
    .into()
}

async fn topic(partitions: i32) -> anyhow::Result<String> {
    let name = sluice_testkit::unique_name("records");
    let admin = Admin::new(&worker(), &Properties::new(), Duration::from_secs(30))?;
    assert!(admin.create_topic(&name, partitions, 1, &[]).await?);
    Ok(name)
}

/// Produces `values` concurrently (so librdkafka batches several records per request), keyed by
/// value, and returns where each landed.
async fn produce(
    producer: &Producer,
    topic: &str,
    values: &[String],
) -> anyhow::Result<BTreeMap<String, (i32, i64)>> {
    let sends = values.iter().map(|v| async move {
        let d = producer
            .send(ProduceRecord {
                topic,
                key: Some(v.as_bytes()),
                value: Some(v.as_bytes()),
                ..Default::default()
            })
            .await?;
        anyhow::Ok((v.clone(), (d.partition, d.offset)))
    });
    futures::future::try_join_all(sends)
        .await
        .map(|v| v.into_iter().collect())
}

/// A consumer of `group`. Tansu forms a group about half a session timeout after the first join,
/// so the session timeout is Kafka Connect's worker value (10 s) rather than the consumer
/// default (45 s): each rebalance then takes ~5 s instead of ~23 s.
fn group_consumer(group: &str) -> anyhow::Result<GroupConsumer> {
    let overrides: Properties = [("session.timeout.ms".to_string(), "10000".to_string())].into();
    Ok(GroupConsumer::new(&worker(), group, &overrides)?)
}

async fn recv_n(consumer: &GroupConsumer, n: usize) -> anyhow::Result<Vec<Record>> {
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        out.push(tokio::time::timeout(WAIT, consumer.recv()).await??);
    }
    Ok(out)
}

fn value(r: &Record) -> String {
    String::from_utf8_lossy(r.value.as_deref().unwrap_or_default()).into_owned()
}

#[tokio::test]
async fn a_group_consumer_commits_and_a_new_member_resumes_after_the_commit() -> anyhow::Result<()>
{
    let topic = topic(3).await?;
    let group = sluice_testkit::unique_name("sink");
    let producer = Producer::new(&worker(), &Properties::new())?;
    let first: Vec<String> = (0..30).map(|i| format!("first-{i}")).collect();
    let written = produce(&producer, &topic, &first).await?;
    assert_eq!(written.len(), 30);
    assert!(
        written
            .values()
            .map(|(p, _)| p)
            .collect::<BTreeSet<_>>()
            .len()
            > 1,
        "keys spread over partitions: {written:?}"
    );

    let consumer = group_consumer(&group)?;
    consumer.subscribe(&[&topic])?;
    let records = recv_n(&consumer, first.len()).await?;
    let got: BTreeSet<String> = records.iter().map(value).collect();
    assert_eq!(got, first.iter().cloned().collect::<BTreeSet<_>>());
    for r in &records {
        assert_eq!(
            written[&value(r)],
            (r.partition, r.offset),
            "record read back where it was written"
        );
        assert_eq!(r.key.as_deref(), r.value.as_deref());
    }

    // Commit the next offset of every partition read.
    let mut next: BTreeMap<i32, i64> = BTreeMap::new();
    for r in &records {
        let e = next.entry(r.partition).or_default();
        *e = (*e).max(r.offset + 1);
    }
    let offsets: Vec<PartitionOffset> = next
        .iter()
        .map(|(p, o)| PartitionOffset {
            topic: topic.clone(),
            partition: *p,
            offset: *o,
        })
        .collect();
    consumer.commit(&offsets).await?;
    let committed = consumer
        .committed(&topic, &[0, 1, 2], Duration::from_secs(10))
        .await?;
    for (p, o) in &committed {
        assert_eq!(
            *o,
            next.get(p).copied(),
            "committed offset of partition {p}"
        );
    }
    drop(consumer); // closes: leaves the group without committing anything more

    let late: Vec<String> = (0..5).map(|i| format!("late-{i}")).collect();
    produce(&producer, &topic, &late).await?;

    let resumed = group_consumer(&group)?;
    resumed.subscribe(&[&topic])?;
    let records = recv_n(&resumed, late.len()).await?;
    let got: BTreeSet<String> = records.iter().map(value).collect();
    assert_eq!(
        got,
        late.iter().cloned().collect::<BTreeSet<_>>(),
        "only records after the committed offsets"
    );
    // Nothing before the commit comes back.
    let extra = tokio::time::timeout(Duration::from_secs(3), resumed.recv()).await;
    assert!(
        extra.is_err(),
        "unexpected record after the resumed ones: {extra:?}"
    );
    Ok(())
}

#[tokio::test]
async fn read_to_end_returns_exactly_what_was_written() -> anyhow::Result<()> {
    let topic = topic(3).await?;
    let producer = Producer::new(&worker(), &Properties::new())?;
    let first: Vec<String> = (0..40).map(|i| format!("v-{i}")).collect();
    let written = produce(&producer, &topic, &first).await?;

    // A tombstone with headers, on an explicit partition.
    let tombstone = producer
        .send(ProduceRecord {
            topic: &topic,
            partition: Some(2),
            key: Some(b"gone"),
            value: None,
            headers: &[("h1", Some(b"x")), ("h2", None)],
        })
        .await?;
    assert_eq!(tombstone.partition, 2);

    let mut reader = TopicReader::open(
        &worker(),
        &topic,
        &Properties::new(),
        Duration::from_secs(30),
    )
    .await?;
    let records = reader.read_to_end(WAIT).await?;
    assert_eq!(
        records.len(),
        first.len() + 1,
        "exactly the records written"
    );
    let values: BTreeSet<String> = records
        .iter()
        .filter(|r| r.value.is_some())
        .map(value)
        .collect();
    assert_eq!(values, first.iter().cloned().collect::<BTreeSet<_>>());
    let t = records
        .iter()
        .find(|r| r.value.is_none())
        .expect("the tombstone");
    assert_eq!(
        (t.partition, t.offset, t.key.as_deref()),
        (2, tombstone.offset, Some(&b"gone"[..]))
    );
    assert_eq!(
        t.headers,
        vec![
            ("h1".to_string(), Some(Bytes::from_static(b"x"))),
            ("h2".to_string(), None)
        ]
    );

    // The positions are the high watermarks: one past the last offset written per partition.
    let mut ends: BTreeMap<i32, i64> = BTreeMap::new();
    for (p, o) in written
        .values()
        .copied()
        .chain([(tombstone.partition, tombstone.offset)])
    {
        let e = ends.entry(p).or_default();
        *e = (*e).max(o + 1);
    }
    for (p, pos) in reader.positions() {
        assert_eq!(*pos, ends.get(p).copied(), "position of partition {p}");
    }

    // Nothing new: the next read returns nothing (and does not wait for a stale end).
    assert!(reader.read_to_end(WAIT).await?.is_empty());

    // Written after the first read: the next read returns exactly those.
    let more: Vec<String> = (0..7).map(|i| format!("more-{i}")).collect();
    produce(&producer, &topic, &more).await?;
    let records = reader.read_to_end(WAIT).await?;
    let values: BTreeSet<String> = records.iter().map(value).collect();
    assert_eq!(records.len(), more.len());
    assert_eq!(values, more.iter().cloned().collect::<BTreeSet<_>>());
    Ok(())
}
