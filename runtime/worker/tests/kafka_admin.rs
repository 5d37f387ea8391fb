//! Internal topics: created compacted, re-ensured idempotently, and an existing topic that is not
//! compacted (or a config topic with several partitions) is refused with an actionable error.

use std::time::Duration;

use sluice_worker::Error;
use sluice_worker::kafka::{Admin, InternalTopic, Properties, TopicState};

fn admin() -> Admin {
    let worker: Properties = [(
        "bootstrap.servers".to_string(),
        sluice_testkit::services().kafka().bootstrap,
    )]
    .into();
    Admin::new(&worker, &Properties::new(), Duration::from_secs(30)).expect("admin client")
}

#[tokio::test]
async fn creates_a_compacted_topic_and_re_ensuring_is_idempotent() -> anyhow::Result<()> {
    let admin = admin();
    let topic = InternalTopic::offsets_topic(sluice_testkit::unique_name("offsets"), 3, 1);

    assert_eq!(
        admin.ensure_internal_topic(&topic).await?,
        TopicState::Created
    );

    let configs = admin.describe_topic_configs(&topic.name).await?;
    assert_eq!(
        configs.get("cleanup.policy").map(String::as_str),
        Some("compact"),
        "{configs:?}"
    );
    assert_eq!(admin.partition_count(&topic.name).await?, 3);

    // A second worker (or a restart) finds it and accepts it, twice.
    assert_eq!(
        admin.ensure_internal_topic(&topic).await?,
        TopicState::Existing { partitions: 3 }
    );
    assert_eq!(
        admin.ensure_internal_topic(&topic).await?,
        TopicState::Existing { partitions: 3 }
    );
    Ok(())
}

#[tokio::test]
async fn an_existing_topic_that_is_not_compacted_is_refused() -> anyhow::Result<()> {
    let admin = admin();

    // Created without any cleanup.policy: the broker default, delete.
    let plain = sluice_testkit::unique_name("plain");
    assert!(admin.create_topic(&plain, 1, 1, &[]).await?);
    let err = admin
        .ensure_internal_topic(&InternalTopic::config_topic(&plain, 1))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TopicNotCompacted { .. }), "{err:?}");
    assert!(!err.is_retriable());
    let msg = err.to_string();
    assert!(
        msg.contains(&plain) && msg.contains("cleanup.policy=delete"),
        "{msg}"
    );
    assert!(msg.contains("connector configurations"), "{msg}");
    assert!(
        msg.contains(&format!(
            "--entity-name {plain} --add-config cleanup.policy=compact"
        )),
        "{msg}"
    );

    // Explicitly `delete`, and `compact,delete` (which still deletes old records).
    for policy in ["delete", "compact,delete"] {
        let name = sluice_testkit::unique_name("policy");
        assert!(
            admin
                .create_topic(&name, 5, 1, &[("cleanup.policy", policy)])
                .await?
        );
        let err = admin
            .ensure_internal_topic(&InternalTopic::status_topic(&name, 5, 1))
            .await
            .unwrap_err();
        match &err {
            Error::TopicNotCompacted {
                topic,
                policy: found,
                ..
            } => {
                assert_eq!(topic, &name);
                assert_eq!(found, policy);
            }
            other => panic!("expected TopicNotCompacted for {policy}, got {other:?}"),
        }
    }
    Ok(())
}

#[tokio::test]
async fn a_config_topic_must_have_exactly_one_partition() -> anyhow::Result<()> {
    let admin = admin();
    let name = sluice_testkit::unique_name("configs");
    assert!(
        admin
            .create_topic(&name, 2, 1, &[("cleanup.policy", "compact")])
            .await?
    );

    let err = admin
        .ensure_internal_topic(&InternalTopic::config_topic(&name, 1))
        .await
        .unwrap_err();
    match &err {
        Error::TopicPartitions {
            expected, actual, ..
        } => assert_eq!((*expected, *actual), (1, 2)),
        other => panic!("expected TopicPartitions, got {other:?}"),
    }
    assert!(err.to_string().contains("exactly 1 partition"), "{err}");

    // The same topic is fine as an offsets topic, whatever its partition count.
    let offsets = InternalTopic::offsets_topic(&name, 25, 1);
    assert_eq!(
        admin.ensure_internal_topic(&offsets).await?,
        TopicState::Existing { partitions: 2 }
    );
    Ok(())
}
