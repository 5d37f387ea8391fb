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
    let mut read: Vec<String> = got
        .iter()
        .map(|r| String::from_utf8_lossy(r.value.as_deref().unwrap_or_default()).into_owned())
        .collect();
    read.sort();
    assert_eq!(read.len(), values.len(), "every record exactly once");
    assert_eq!(read, values);
    Ok(())
}
