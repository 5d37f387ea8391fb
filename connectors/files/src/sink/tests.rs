//! The commit protocol against the in-memory store: names, contents, committable offsets,
//! timers, multipart streaming, back-pressure, and replays that rewrite the same objects.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use sluice_api::connector::{CommitOffsets, OffsetAndMetadata, TopicPartition};
use sluice_api::{SinkRecord, TimestampType, Value};

use super::{FileSink, SinkSettings};
use crate::{Error, MemoryStore};

const HOUR: i64 = 3_600_000;

fn settings(extra: &[(&str, &str)]) -> SinkSettings {
    let mut props: BTreeMap<&str, &str> = [
        (
            "format.class",
            "io.confluent.connect.s3.format.json.JsonFormat",
        ),
        ("flush.size", "3"),
    ]
    .into();
    props.extend(extra.iter().copied());
    let props = props
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    SinkSettings::from_props(&props).unwrap()
}

fn record(partition: i32, offset: i64) -> SinkRecord {
    SinkRecord {
        topic: "t".into(),
        kafka_partition: partition,
        kafka_offset: offset,
        timestamp: Some(offset * 1_000),
        timestamp_type: TimestampType::CreateTime,
        key_schema: None,
        key: Value::Null,
        value_schema: None,
        value: Value::Int64(offset),
        encoded_value: None,
        headers: Default::default(),
    }
}

fn records(partition: i32, offsets: std::ops::Range<i64>) -> Vec<SinkRecord> {
    offsets.map(|o| record(partition, o)).collect()
}

/// Puts offsets `0..batches * 50_000` of partition 0, 50,000 records per `put`.
async fn put_in_batches(s: &mut FileSink, batches: i64) {
    for batch in 0..batches {
        s.put(&records(0, batch * 50_000..(batch + 1) * 50_000), 0)
            .await
            .unwrap();
    }
}

fn delivered(partition: i32, next: i64) -> CommitOffsets {
    [(
        TopicPartition::new("t", partition),
        OffsetAndMetadata::new(next),
    )]
    .into()
}

fn sink(store: &MemoryStore, s: SinkSettings) -> FileSink {
    let mut sink = FileSink::new(s, Arc::new(store.clone()));
    sink.open(&[TopicPartition::new("t", 0)], 0);
    sink
}

/// Every object's lines as offsets, by key.
fn contents(store: &MemoryStore) -> BTreeMap<String, Vec<i64>> {
    store
        .snapshot()
        .into_iter()
        .map(|(k, v)| {
            let offsets = std::str::from_utf8(&v)
                .unwrap()
                .lines()
                .map(|l| l.parse().unwrap())
                .collect();
            (k, offsets)
        })
        .collect()
}

/// Asserts that every offset in `0..n` is in exactly one object.
fn exactly_once(store: &MemoryStore, n: i64) {
    let mut seen: Vec<i64> = contents(store).into_values().flatten().collect();
    seen.sort_unstable();
    assert_eq!(seen, (0..n).collect::<Vec<_>>(), "{:?}", contents(store));
}

#[tokio::test]
async fn flush_size_names_contents_and_commits() {
    let store = MemoryStore::new();
    let mut s = sink(&store, settings(&[]));
    s.put(&records(0, 0..7), 0).await.unwrap();
    let committed = s.pre_commit(&delivered(0, 7), Duration::from_secs(5)).await;
    assert_eq!(committed, delivered(0, 6), "the open file starts at 6");
    assert_eq!(
        contents(&store),
        [
            (
                "topics/t/partition=0/t+0+0000000000.json".to_string(),
                vec![0, 1, 2]
            ),
            (
                "topics/t/partition=0/t+0+0000000003.json".to_string(),
                vec![3, 4, 5]
            ),
        ]
        .into()
    );
    assert_eq!(s.open_records(), 1);
    let m = s.metrics();
    assert_eq!(
        (m.records_written, m.objects_published, m.open_files),
        (7, 2, 1)
    );
}

#[tokio::test]
async fn scheduled_rotation_fires_without_new_records() {
    let store = MemoryStore::new();
    let mut s = sink(
        &store,
        settings(&[
            ("flush.size", "1000"),
            ("rotate.schedule.interval.ms", "60000"),
            ("timezone", "UTC"),
        ]),
    );
    s.put(&records(0, 0..5), 1_000).await.unwrap();
    s.put(&[], 59_000).await.unwrap();
    assert_eq!(
        s.pre_commit(&delivered(0, 5), Duration::ZERO).await,
        delivered(0, 0)
    );
    // The deadline (one minute after midnight) passes: an empty put closes the file.
    s.put(&[], 60_000).await.unwrap();
    let committed = s.pre_commit(&delivered(0, 5), Duration::from_secs(5)).await;
    assert_eq!(committed, delivered(0, 5));
    assert_eq!(
        contents(&store),
        [(
            "topics/t/partition=0/t+0+0000000000.json".to_string(),
            vec![0, 1, 2, 3, 4]
        )]
        .into()
    );
}

#[tokio::test]
async fn the_rotate_interval_timer_closes_a_quiet_partitions_file() {
    let store = MemoryStore::new();
    let mut s = sink(
        &store,
        settings(&[
            ("flush.size", "1000"),
            ("rotate.interval.ms", "600000"),
            (
                "partitioner.class",
                "io.confluent.connect.storage.partitioner.HourlyPartitioner",
            ),
            ("locale", "en-US"),
            ("timezone", "UTC"),
            ("timestamp.extractor", "Record"),
        ]),
    );
    s.put(&records(0, 0..3), HOUR).await.unwrap();
    s.put(&[], HOUR + 599_999).await.unwrap();
    assert!(store.snapshot().is_empty());
    s.put(&[], HOUR + 600_000).await.unwrap();
    s.pre_commit(&delivered(0, 3), Duration::from_secs(5)).await;
    assert_eq!(
        contents(&store),
        [(
            "topics/t/year=1970/month=01/day=01/hour=00/t+0+0000000000.json".to_string(),
            vec![0, 1, 2]
        )]
        .into()
    );
}

#[tokio::test]
async fn large_files_stream_as_parts_and_arrive_whole() {
    let store = MemoryStore::new();
    let mut s = FileSink::new(
        settings(&[("flush.size", "600000")]).with_part_size(5 << 20),
        Arc::new(store.clone()),
    );
    s.open(&[TopicPartition::new("t", 0)], 0);
    // ~6.6 MB of JSON lines: more than one 5 MiB part.
    put_in_batches(&mut s, 12).await;
    assert!(
        s.metrics().buffered_bytes < 5 << 20,
        "the first part left the buffer"
    );
    s.put(&[], 0).await.unwrap();
    assert_eq!(
        s.pre_commit(&delivered(0, 600_000), Duration::from_secs(5))
            .await,
        delivered(0, 600_000)
    );
    exactly_once(&store, 600_000);
    assert_eq!(store.snapshot().len(), 1);
}

#[tokio::test]
async fn an_outage_pauses_put_without_losing_or_doubling_records() {
    let store = MemoryStore::new();
    let mut s = sink(
        &store,
        settings(&[
            ("flush.size", "100"),
            ("sluice.buffer.max.bytes", "1048576"),
        ]),
    );
    s.put(&records(0, 0..500), 0).await.unwrap();
    store.set_down(true);
    let mut next = 500;
    let mut paused = false;
    // ~8 bytes a record: the 1 MiB budget fills after ~130,000 records.
    while next < 400_000 {
        let batch = records(0, next..next + 500);
        match s.put(&batch, 0).await {
            Ok(()) => next += 500,
            Err(Error::Backpressure { message }) => {
                assert!(message.contains("simulated outage"), "{message}");
                paused = true;
                break;
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert!(paused, "the budget must stop the task");
    assert_eq!(
        s.pre_commit(&delivered(0, next), Duration::ZERO).await,
        delivered(0, 0)
    );
    store.set_down(false);
    // The worker redelivers the refused batch; then the rest.
    let end = next + 20_000;
    while next < end {
        s.put(&records(0, next..next + 500), 0).await.unwrap();
        next += 500;
    }
    let committed = s
        .pre_commit(&delivered(0, next), Duration::from_secs(30))
        .await;
    assert_eq!(committed, delivered(0, next));
    exactly_once(&store, next);
}

#[tokio::test]
async fn a_redelivered_batch_is_not_written_twice() {
    let store = MemoryStore::new();
    let mut s = sink(&store, settings(&[]));
    s.put(&records(0, 0..5), 0).await.unwrap();
    s.put(&records(0, 3..6), 0).await.unwrap();
    s.pre_commit(&delivered(0, 6), Duration::from_secs(5)).await;
    exactly_once(&store, 6);
}

/// A first attempt cuts files by the wall clock, uploads them and dies before committing; the
/// replay (same records, another clock) must rewrite exactly those objects.
#[tokio::test]
async fn a_replay_rewrites_the_objects_of_the_first_attempt() {
    let store = MemoryStore::new();
    let timed = || {
        settings(&[
            ("flush.size", "4"),
            ("rotate.schedule.interval.ms", "60000"),
            ("timezone", "UTC"),
        ])
    };
    let mut first = sink(&store, timed());
    first.put(&records(0, 0..2), 1_000).await.unwrap();
    first.put(&records(0, 2..7), 61_000).await.unwrap(); // schedule cut before 2, size cut after 5
    first.put(&records(0, 7..9), 121_000).await.unwrap(); // schedule cut before 7
    first
        .pre_commit(&delivered(0, 9), Duration::from_secs(5))
        .await;
    let names: Vec<String> = store.snapshot().into_keys().collect();
    assert_eq!(
        names,
        ["0000000000", "0000000002", "0000000006"]
            .iter()
            .map(|o| format!("topics/t/partition=0/t+0+{o}.json"))
            .collect::<Vec<_>>()
    );
    drop(first); // killed: nothing was committed

    let mut replay = sink(&store, timed());
    replay.put(&records(0, 0..12), 500_000).await.unwrap();
    replay.put(&[], 700_000).await.unwrap();
    let committed = replay
        .pre_commit(&delivered(0, 12), Duration::from_secs(5))
        .await;
    assert_eq!(committed, delivered(0, 12));
    // Cut at 2 and 6 (the leftovers), then by size: 6..10, 10..12.
    assert_eq!(
        contents(&store)
            .into_iter()
            .map(|(k, v)| (k[25..35].to_string(), v))
            .collect::<Vec<_>>(),
        vec![
            ("0000000000".into(), vec![0, 1]),
            ("0000000002".into(), vec![2, 3, 4, 5]),
            ("0000000006".into(), vec![6, 7, 8, 9]),
            ("0000000010".into(), vec![10, 11]),
        ]
    );
    exactly_once(&store, 12);
}

#[tokio::test]
async fn null_values_fail_or_are_skipped() {
    let store = MemoryStore::new();
    let mut tombstone = record(0, 0);
    tombstone.value = Value::Null;
    let mut s = sink(&store, settings(&[]));
    let err = s.put(&[tombstone.clone()], 0).await.unwrap_err();
    assert!(err.to_string().contains("behavior.on.null.values"), "{err}");
    let mut s = sink(&store, settings(&[("behavior.on.null.values", "ignore")]));
    let mut batch = vec![tombstone];
    batch.extend(records(0, 1..4));
    s.put(&batch, 0).await.unwrap();
    s.pre_commit(&delivered(0, 4), Duration::from_secs(5)).await;
    assert_eq!(
        contents(&store),
        [(
            "topics/t/partition=0/t+0+0000000001.json".to_string(),
            vec![1, 2, 3]
        )]
        .into()
    );
}

#[tokio::test]
async fn tagging_names_each_objects_offsets_and_count() {
    let store = MemoryStore::new();
    let tags = |first: i64, last: i64, count: u64| {
        Some(vec![
            ("startOffset".to_string(), first.to_string()),
            ("endOffset".to_string(), last.to_string()),
            ("recordCount".to_string(), count.to_string()),
        ])
    };
    // Whole-object puts.
    let mut s = sink(
        &store,
        settings(&[]).with_tagging(super::Tagging::IgnoreErrors),
    );
    s.put(&records(0, 0..7), 0).await.unwrap();
    s.pre_commit(&delivered(0, 7), Duration::from_secs(5)).await;
    assert_eq!(
        store.tags("topics/t/partition=0/t+0+0000000000.json"),
        tags(0, 2, 3)
    );
    assert_eq!(
        store.tags("topics/t/partition=0/t+0+0000000003.json"),
        tags(3, 5, 3)
    );
    assert_eq!(
        store.tags("topics/t/partition=0/t+0+0000000006.json"),
        None,
        "still open"
    );

    // A multipart upload is tagged once completed; without tagging nothing is tagged.
    let store = MemoryStore::new();
    let mut s = FileSink::new(
        settings(&[("flush.size", "800000")])
            .with_part_size(5 << 20)
            .with_tagging(super::Tagging::FailOnError),
        Arc::new(store.clone()),
    );
    s.open(&[TopicPartition::new("t", 0)], 0);
    put_in_batches(&mut s, 16).await;
    assert!(
        s.metrics().buffered_bytes < 5 << 20,
        "a part left the buffer: the file is a multipart upload"
    );
    s.put(&[], 0).await.unwrap();
    s.pre_commit(&delivered(0, 800_000), Duration::from_secs(5))
        .await;
    assert_eq!(
        store.tags("topics/t/partition=0/t+0+0000000000.json"),
        tags(0, 799_999, 800_000)
    );
    let plain = MemoryStore::new();
    let mut s = sink(&plain, settings(&[]));
    s.put(&records(0, 0..3), 0).await.unwrap();
    s.pre_commit(&delivered(0, 3), Duration::from_secs(5)).await;
    assert_eq!(plain.snapshot().len(), 1);
    assert_eq!(plain.tags("topics/t/partition=0/t+0+0000000000.json"), None);
}

#[tokio::test]
async fn keys_headers_and_tombstones_go_to_aligned_side_files() {
    let json = "io.confluent.connect.s3.format.json.JsonFormat";
    let store = MemoryStore::new();
    let mut s = sink(
        &store,
        settings(&[
            ("store.kafka.keys", "true"),
            ("keys.format.class", json),
            ("store.kafka.headers", "true"),
            ("headers.format.class", json),
            ("behavior.on.null.values", "write"),
        ]),
    );
    let mut batch = records(0, 0..5);
    for r in &mut batch {
        r.key = Value::Int64(r.kafka_offset * 10);
        r.headers.add_string("h", format!("v{}", r.kafka_offset));
    }
    batch[1].value = Value::Null;
    // A key schema change closes the files like a value schema change.
    batch[4].key_schema = Some(sluice_api::Schema::int64());
    s.put(&batch, 0).await.unwrap();
    s.pre_commit(&delivered(0, 5), Duration::from_secs(5)).await;
    let text: BTreeMap<String, String> = store
        .snapshot()
        .into_iter()
        .map(|(k, v)| (k, String::from_utf8(v.to_vec()).unwrap()))
        .collect();
    let h = |o: i64| format!("{{\"headers\":[{{\"key\":\"h\",\"value\":\"v{o}\"}}]}}\n");
    let expected: BTreeMap<String, String> = [
        (
            "topics/t/partition=0/t+0+0000000000.json",
            "0\n2\n".to_string(),
        ),
        (
            "topics/t/partition=0/t+0+0000000000.keys.json",
            "0\n20\n".into(),
        ),
        (
            "topics/t/partition=0/t+0+0000000000.headers.json",
            h(0) + &h(2),
        ),
        ("topics/t/tombstone/t+0+0000000001.keys.json", "10\n".into()),
        ("topics/t/tombstone/t+0+0000000001.headers.json", h(1)),
        ("topics/t/partition=0/t+0+0000000003.json", "3\n".into()),
        (
            "topics/t/partition=0/t+0+0000000003.keys.json",
            "30\n".into(),
        ),
        ("topics/t/partition=0/t+0+0000000003.headers.json", h(3)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(text, expected);
}

#[tokio::test]
async fn side_file_settings_and_records_that_cannot_be_written_name_the_key() {
    let props = |extra: &[(&str, &str)]| {
        let mut p: crate::Props = [
            (
                "format.class",
                "io.confluent.connect.s3.format.json.JsonFormat",
            ),
            ("flush.size", "3"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        p.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        SinkSettings::from_props(&p)
    };
    let e = props(&[("behavior.on.null.values", "write")]).unwrap_err();
    assert!(e.to_string().contains("store.kafka.keys=true"), "{e}");
    let e = props(&[("store.kafka.keys", "true"), ("keys.format.class", "Csv")]).unwrap_err();
    assert!(e.to_string().contains("keys.format.class"), "{e}");
    let s = props(&[("store.kafka.keys", "true")]).unwrap();
    assert_eq!(s.views[1].extension, ".keys.avro");

    // A record without a key fails before anything is written, and nothing is committable.
    let store = MemoryStore::new();
    let mut s = sink(&store, settings(&[("store.kafka.keys", "true")]));
    let e = s.put(&records(0, 0..2), 0).await.unwrap_err();
    assert!(e.to_string().contains("store.kafka.keys"), "{e}");
    assert!(store.snapshot().is_empty());
}
