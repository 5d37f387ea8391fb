//! Reading a topic to the end never loses a record, even when calls time out part way: what a
//! failed call had read is returned by the next one (its positions had already moved past it).

use std::time::Duration;

use sluice_worker::kafka::{Admin, ProduceRecord, Producer, Properties, TopicReader};

#[tokio::test]
async fn reads_that_time_out_part_way_lose_nothing() -> anyhow::Result<()> {
    let worker: Properties = [(
        "bootstrap.servers".to_string(),
        sluice_testkit::services().kafka().bootstrap,
    )]
    .into();
    let topic = sluice_testkit::unique_name("reader");
    let admin = Admin::new(&worker, &Properties::new(), Duration::from_secs(30))?;
    assert!(admin.create_topic(&topic, 3, 1, &[]).await?);

    let producer = Producer::new(&worker, &Properties::new())?;
    let values: Vec<String> = (0..3000).map(|i| format!("v{i:05}")).collect();
    let sends = values.iter().map(|v| {
        producer.send(ProduceRecord {
            topic: &topic,
            key: Some(v.as_bytes()),
            value: Some(v.as_bytes()),
            ..Default::default()
        })
    });
    futures::future::try_join_all(sends).await?;

    let mut reader =
        TopicReader::open(&worker, &topic, &Properties::new(), Duration::from_secs(30)).await?;
    let mut got = Vec::new();
    let mut timeouts = 0;
    // Start with timeouts too short to finish, then give it time.
    for timeout_ms in [1u64, 2, 5, 10, 20, 30_000] {
        match reader.read_to_end(Duration::from_millis(timeout_ms)).await {
            Ok(records) => {
                got.extend(records);
                break;
            }
            Err(_) => timeouts += 1,
        }
    }
    assert!(
        timeouts > 0,
        "no read timed out: the test did not exercise a partial read"
    );
    // Exactly once with respect to the log: no (partition, offset) twice, and as many records as
    // the partitions' ends add up to. (Under load the broker may store a retried send twice at
    // two offsets; that is the producer's business, not the reader's.)
    let mut seen = std::collections::BTreeSet::new();
    for r in &got {
        assert!(
            seen.insert((r.partition, r.offset)),
            "record {}@{} returned twice",
            r.partition,
            r.offset
        );
    }
    let end: i64 = reader.positions().values().map(|p| p.unwrap_or(0)).sum();
    assert_eq!(
        got.len() as i64,
        end,
        "every record of the log exactly once"
    );
    let read: std::collections::BTreeSet<String> = got
        .iter()
        .map(|r| String::from_utf8_lossy(r.value.as_deref().unwrap_or_default()).into_owned())
        .collect();
    assert_eq!(
        read,
        values.iter().cloned().collect(),
        "every value produced is read"
    );
    Ok(())
}
