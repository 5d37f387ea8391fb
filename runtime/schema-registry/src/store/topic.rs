//! Creating the schemas topic, or checking an existing one, as Confluent's `KafkaStore` does:
//! one partition (the order of records is the order of changes), `cleanup.policy=compact`
//! (the latest record per key is the state; without compaction the broker would delete
//! schemas after the retention time), replication factor 3 capped at the live brokers.
//!
//! Whether the topic exists is read from the metadata of *all* topics, never by asking for the
//! topic by name: a by-name metadata request may auto-create the topic on brokers that allow it,
//! with the broker's defaults (several partitions, `delete` policy).

use std::sync::Arc;
use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, ResourceSpecifier, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::types::RDKafkaErrorCode;

use crate::config::RegistryConfig;
use crate::{Error, Result};

type Admin = Arc<AdminClient<DefaultClientContext>>;

/// Makes sure the schemas topic exists with one partition and a compact cleanup policy.
pub(crate) async fn ensure_topic(config: &RegistryConfig) -> Result<()> {
    let admin: AdminClient<DefaultClientContext> =
        super::client_config(config)
            .create()
            .map_err(|source| Error::ClientConfig {
                client: "admin client",
                source,
            })?;
    let admin = Arc::new(admin);
    let (partitions, brokers) = describe(&admin, &config.topic, config.init_timeout).await?;
    let topic = &config.topic;
    match partitions {
        Some(1) => {}
        Some(n) => {
            return Err(Error::Topic {
                topic: topic.clone(),
                message: format!(
                    "it has {n} partitions but the registry needs exactly 1 (the order of its records is the order \
                     of changes); use another topic or recreate this one with one partition"
                ),
            });
        }
        None => {
            let replication = config.replication_factor.min(brokers.max(1));
            if replication < config.replication_factor {
                tracing::warn!(
                    topic = %topic, replication, wanted = config.replication_factor,
                    "Creating the schemas topic with a replication factor below the one configured, as only \
                     {brokers} broker(s) are live; in production, add brokers and raise the topic's replication."
                );
            }
            let new = NewTopic::new(topic, 1, TopicReplication::Fixed(replication))
                .set("cleanup.policy", "compact");
            let opts = AdminOptions::new().operation_timeout(Some(config.init_timeout));
            let results = admin
                .create_topics([&new], &opts)
                .await
                .map_err(|e| Error::store("create the schemas topic", e))?;
            for result in results {
                match result {
                    Ok(_) => tracing::info!(topic = %topic, "Created the schemas topic."),
                    Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                    Err((_, code)) => {
                        return Err(Error::Topic {
                            topic: topic.clone(),
                            message: format!("the broker refused to create it: {code}"),
                        });
                    }
                }
            }
            return Ok(());
        }
    }
    check_cleanup_policy(&admin, topic, config.init_timeout).await
}

/// The topic's partition count (`None`: no such topic) and the number of live brokers.
async fn describe(admin: &Admin, topic: &str, timeout: Duration) -> Result<(Option<usize>, i32)> {
    let admin = Arc::clone(admin);
    let name = topic.to_string();
    let metadata = tokio::task::spawn_blocking(move || admin.inner().fetch_metadata(None, timeout))
        .await
        .map_err(|_| Error::StoreStopped)?
        .map_err(|e| Error::store("read the Kafka cluster's metadata", e))?;
    let brokers = i32::try_from(metadata.brokers().len()).unwrap_or(i32::MAX);
    let partitions = metadata
        .topics()
        .iter()
        .find(|t| t.name() == name)
        .map(|t| t.partitions().len());
    Ok((partitions, brokers))
}

/// Fails when the topic's cleanup policy is known and is not `compact`, as Confluent does.
/// Brokers that report only explicitly set configs (Tansu) may say nothing: then a warning.
async fn check_cleanup_policy(admin: &Admin, topic: &str, timeout: Duration) -> Result<()> {
    let opts = AdminOptions::new().request_timeout(Some(timeout));
    let described = match admin
        .describe_configs([&ResourceSpecifier::Topic(topic)], &opts)
        .await
    {
        Ok(described) => described,
        Err(e) => {
            tracing::warn!(topic = %topic, error = %e, "Could not read the schemas topic's configuration; its cleanup policy is not checked.");
            return Ok(());
        }
    };
    let policy = described
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .find_map(|resource| {
            resource
                .get("cleanup.policy")
                .and_then(|entry| entry.value.clone())
        });
    match policy {
        Some(policy) if policy.split(',').any(|p| p.trim() == "compact") => Ok(()),
        Some(policy) => Err(Error::Topic {
            topic: topic.to_string(),
            message: format!(
                "its cleanup.policy is '{policy}' but must be 'compact', or Kafka will delete schemas after the \
                 retention time; set cleanup.policy=compact on it"
            ),
        }),
        None => {
            tracing::warn!(topic = %topic, "The broker did not report the schemas topic's cleanup.policy; make sure it is 'compact'.");
            Ok(())
        }
    }
}
