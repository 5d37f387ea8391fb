//! The acked producer (a source task's producer) answers every token exactly once, with the
//! partition and offset its record really has when read back, and reports a record it cannot
//! deliver as a failure carrying that record's token.

use std::collections::BTreeMap;
use std::time::Duration;

use sluice_worker::kafka::acked::AckedRecord;
use sluice_worker::kafka::{AckedProducer, Admin, Properties, TopicReader};

const WAIT: Duration = Duration::from_secs(60);

fn worker() -> Properties {
    [(
        "bootstrap.servers".to_string(),
        sluice_testkit::services().kafka().bootstrap,
    )]
    .into()
}

#[tokio::test]
async fn every_token_is_acknowledged_once_where_its_record_landed() -> anyhow::Result<()> {
    let topic = sluice_testkit::unique_name("acked");
    let admin = Admin::new(&worker(), &Properties::new(), Duration::from_secs(30))?;
    assert!(admin.create_topic(&topic, 3, 1, &[]).await?);
    let (sender, mut deliveries) = AckedProducer::new(&worker(), &Properties::new())?.split();
    let n = 2_000;
    let headers: [(&str, Option<&[u8]>); 1] = [("h", Some(b"v".as_slice()))];
    for i in 0..n {
        let value = format!("value-{i}");
        let record = AckedRecord {
            topic: &topic,
            key: Some(value.as_bytes()),
            value: Some(value.as_bytes()),
            ..Default::default()
        };
        sender
            .send(&record, headers.iter().copied(), i)
            .map_err(|e| anyhow::anyhow!("send {i}: {e}"))?;
    }
    let mut acked = BTreeMap::new();
    while acked.len() < n {
        let ack = tokio::time::timeout(WAIT, deliveries.next()).await?;
        let (partition, offset, _) = ack.result?;
        assert!(
            acked.insert(ack.token, (partition, offset)).is_none(),
            "token {} acknowledged twice",
            ack.token
        );
    }
    assert!(
        deliveries.try_next().is_none(),
        "more acknowledgements than records"
    );

    let mut reader = TopicReader::open(&worker(), &topic, &Properties::new(), WAIT).await?;
    let records = reader.read_to_end(WAIT).await?;
    assert_eq!(records.len(), n);
    for r in records {
        let value = String::from_utf8(r.value.clone().unwrap_or_default().to_vec())?;
        let token: usize = value.trim_start_matches("value-").parse()?;
        assert_eq!(
            acked.get(&token),
            Some(&(r.partition, r.offset)),
            "{value} was acknowledged elsewhere than where it landed"
        );
        assert_eq!(r.headers.len(), 1, "{value} lost its header");
    }
    Ok(())
}

#[tokio::test]
async fn an_undeliverable_record_fails_with_its_token() -> anyhow::Result<()> {
    // Partition 7 of a one-partition topic: librdkafka fails it once the metadata is known.
    let topic = sluice_testkit::unique_name("acked-fail");
    let admin = Admin::new(&worker(), &Properties::new(), Duration::from_secs(30))?;
    assert!(admin.create_topic(&topic, 1, 1, &[]).await?);
    let overrides: Properties = [("message.timeout.ms".to_string(), "5000".to_string())].into();
    let (sender, mut deliveries) = AckedProducer::new(&worker(), &overrides)?.split();
    let record = AckedRecord {
        topic: &topic,
        partition: Some(7),
        value: Some(b"lost".as_slice()),
        ..Default::default()
    };
    match sender.send(&record, std::iter::empty(), 42) {
        // Rejected at once (metadata already cached): nothing was enqueued.
        Err(e) => assert!(e.to_string().contains("partition"), "{e}"),
        Ok(()) => {
            let ack = tokio::time::timeout(WAIT, deliveries.next()).await?;
            assert_eq!(ack.token, 42);
            assert!(
                ack.result.is_err(),
                "an undeliverable record was acknowledged"
            );
        }
    }
    Ok(())
}
