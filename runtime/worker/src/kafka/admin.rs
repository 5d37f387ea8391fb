//! Topic administration: making sure the worker's internal topics exist and are compacted.
//!
//! The config, offsets and status topics keep the latest value per key forever only if they are
//! compacted; with `cleanup.policy=delete` Kafka drops old records after `retention.ms` and a
//! restarted worker silently forgets connectors and offsets. So, like Kafka Connect
//! (`TopicAdmin.createOrFindTopics` + `verifyTopicCleanupPolicyOnlyCompact`), [`Admin::ensure_internal_topic`]:
//!
//! 1. creates the topic with `cleanup.policy=compact`, the requested partitions and replication
//!    factor (`-1` = the broker's default) — creating first and treating "already exists" as the
//!    normal case avoids a describe/create race between workers starting together;
//! 2. if it existed, reads its configuration with DescribeConfigs and refuses to go on unless the
//!    policy is exactly `compact` (`compact,delete` still deletes), with an error telling the
//!    operator the command that fixes it;
//! 3. for the config topic, also requires exactly one partition (its records must be totally
//!    ordered).
//!
//! A broker may omit entries that keep their default from DescribeConfigs (Tansu returns only
//! explicitly set ones); a missing `cleanup.policy` is therefore the broker default, `delete`.
//! When DescribeConfigs is not authorized, the check is skipped with a warning, as Connect does.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, ResourceSpecifier, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::error::KafkaError;
use rdkafka::types::RDKafkaErrorCode;

use super::config::{Properties, client_config};
use crate::{Error, Result};

/// `cleanup.policy`.
pub const CLEANUP_POLICY: &str = "cleanup.policy";

/// An internal topic the worker needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternalTopic {
    /// Topic name.
    pub name: String,
    /// What the worker keeps there, for error messages ("connector configurations", …).
    pub purpose: String,
    /// Partitions when creating it.
    pub partitions: i32,
    /// Replication factor when creating it; `-1` for the broker's default.
    pub replication_factor: i32,
    /// Whether an existing topic must have exactly `partitions` partitions.
    pub exact_partitions: bool,
}

impl InternalTopic {
    /// The config topic (`config.storage.topic`): always one partition.
    pub fn config_topic(name: impl Into<String>, replication_factor: i32) -> Self {
        InternalTopic {
            name: name.into(),
            purpose: "connector configurations".into(),
            partitions: 1,
            replication_factor,
            exact_partitions: true,
        }
    }

    /// The offsets topic (`offset.storage.topic`; Connect's default is 25 partitions).
    pub fn offsets_topic(
        name: impl Into<String>,
        partitions: i32,
        replication_factor: i32,
    ) -> Self {
        InternalTopic {
            name: name.into(),
            purpose: "source offsets".into(),
            partitions,
            replication_factor,
            exact_partitions: false,
        }
    }

    /// The status topic (`status.storage.topic`; Connect's default is 5 partitions).
    pub fn status_topic(name: impl Into<String>, partitions: i32, replication_factor: i32) -> Self {
        InternalTopic {
            name: name.into(),
            purpose: "connector and task statuses".into(),
            partitions,
            replication_factor,
            exact_partitions: false,
        }
    }
}

/// What [`Admin::ensure_internal_topic`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopicState {
    /// We created it.
    Created,
    /// It existed and is fit for use.
    Existing {
        /// Its partition count.
        partitions: i32,
    },
}

/// An admin client.
pub struct Admin {
    inner: Arc<AdminClient<DefaultClientContext>>,
    timeout: Duration,
}

impl fmt::Debug for Admin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Admin")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Admin {
    /// Builds an admin client from the worker properties (`bootstrap.servers`, security,
    /// `admin.*`) and `overrides`; `timeout` bounds each operation.
    pub fn new(worker: &Properties, overrides: &Properties, timeout: Duration) -> Result<Self> {
        let config = client_config(worker, "admin", &[], overrides)?;
        let inner: AdminClient<DefaultClientContext> =
            config.create().map_err(|source| Error::ClientConfig {
                client: "admin",
                source,
            })?;
        Ok(Admin {
            inner: Arc::new(inner),
            timeout,
        })
    }

    /// The cluster id the brokers report in their metadata (`None` if they report none or do
    /// not answer within the admin timeout). Kafka Connect shows it as `kafka_cluster_id`.
    pub async fn cluster_id(&self) -> Option<String> {
        let inner = Arc::clone(&self.inner);
        let timeout = self.timeout;
        // librdkafka's call blocks until the metadata answer arrives.
        tokio::task::spawn_blocking(move || inner.inner().fetch_cluster_id(timeout))
            .await
            .ok()
            .flatten()
    }

    fn options(&self) -> AdminOptions {
        AdminOptions::new()
            .request_timeout(Some(self.timeout))
            .operation_timeout(Some(self.timeout))
    }

    /// Makes sure `topic` exists, compacted (see the module doc). Safe to call concurrently from
    /// several workers and repeatedly.
    pub async fn ensure_internal_topic(&self, topic: &InternalTopic) -> Result<TopicState> {
        let configs = [(CLEANUP_POLICY, "compact")];
        if self
            .create_topic(
                &topic.name,
                topic.partitions,
                topic.replication_factor,
                &configs,
            )
            .await?
        {
            tracing::info!(topic = %topic.name, partitions = topic.partitions, purpose = %topic.purpose, "Created the internal topic.");
            return Ok(TopicState::Created);
        }
        match self.describe_topic_configs(&topic.name).await {
            Ok(configs) => {
                let policy = configs.get(CLEANUP_POLICY).map_or("delete", String::as_str);
                let policies: Vec<&str> = policy
                    .split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .collect();
                if policies != ["compact"] {
                    return Err(Error::TopicNotCompacted {
                        topic: topic.name.clone(),
                        purpose: topic.purpose.clone(),
                        policy: if configs.contains_key(CLEANUP_POLICY) {
                            policy.to_string()
                        } else {
                            "delete (the broker default)".into()
                        },
                    });
                }
            }
            Err(Error::Kafka { source, .. }) if is_authorization(&source) => {
                tracing::warn!(topic = %topic.name, "Cannot verify that the internal topic is compacted: DescribeConfigs is not authorized. Make sure its cleanup.policy is 'compact'.");
            }
            Err(e) => return Err(e),
        }
        let partitions = self.partition_count(&topic.name).await?;
        if topic.exact_partitions && partitions != topic.partitions {
            return Err(Error::TopicPartitions {
                topic: topic.name.clone(),
                purpose: topic.purpose.clone(),
                expected: topic.partitions,
                actual: partitions,
            });
        }
        tracing::debug!(topic = %topic.name, partitions, "The internal topic exists and is compacted.");
        Ok(TopicState::Existing { partitions })
    }

    /// Creates `name`; returns `false` when it already exists.
    pub async fn create_topic(
        &self,
        name: &str,
        partitions: i32,
        replication_factor: i32,
        configs: &[(&str, &str)],
    ) -> Result<bool> {
        let mut new = NewTopic::new(
            name,
            partitions,
            TopicReplication::Fixed(replication_factor),
        );
        for (k, v) in configs {
            new = new.set(k, v);
        }
        let results = self
            .inner
            .create_topics([&new], &self.options())
            .await
            .map_err(|e| Error::kafka(format!("create topic '{name}'"), e))?;
        match results.into_iter().next() {
            Some(Ok(_)) => Ok(true),
            Some(Err((_, RDKafkaErrorCode::TopicAlreadyExists))) => Ok(false),
            Some(Err((_, code))) => Err(Error::CreateTopic {
                topic: name.to_string(),
                code,
            }),
            None => Err(Error::Topic {
                topic: name.to_string(),
                message: "CreateTopics returned no result".into(),
            }),
        }
    }

    /// Deletes consumer group `group` and with it all its committed offsets; `false` when no
    /// such group exists. The group must have no members.
    pub async fn delete_group(&self, group: &str) -> Result<bool> {
        let results = self
            .inner
            .delete_groups(&[group], &self.options())
            .await
            .map_err(|e| Error::kafka(format!("delete consumer group '{group}'"), e))?;
        match results.into_iter().next() {
            Some(Ok(_)) => Ok(true),
            Some(Err((_, RDKafkaErrorCode::GroupIdNotFound))) => Ok(false),
            Some(Err((_, code))) => Err(Error::Topic {
                topic: group.to_string(),
                message: format!(
                    "deleting consumer group '{group}' failed: {code} (a group with active members cannot be deleted)"
                ),
            }),
            None => Ok(false),
        }
    }

    /// The topic's configuration entries as the broker reports them (name → value; entries
    /// without a value are left out). Some brokers report only explicitly set entries.
    pub async fn describe_topic_configs(&self, name: &str) -> Result<BTreeMap<String, String>> {
        let operation = format!("describe the configuration of topic '{name}'");
        let results = self
            .inner
            .describe_configs([&ResourceSpecifier::Topic(name)], &self.options())
            .await
            .map_err(|e| Error::kafka(operation.clone(), e))?;
        match results.into_iter().next() {
            Some(Ok(resource)) => Ok(resource
                .entries
                .into_iter()
                .filter_map(|e| e.value.map(|v| (e.name, v)))
                .collect()),
            Some(Err(code)) => Err(Error::kafka(operation, KafkaError::AdminOp(code))),
            None => Err(Error::Topic {
                topic: name.to_string(),
                message: "DescribeConfigs returned no result".into(),
            }),
        }
    }

    /// The topic's partition count, from the cluster metadata.
    pub async fn partition_count(&self, name: &str) -> Result<i32> {
        let inner = Arc::clone(&self.inner);
        let (topic, timeout) = (name.to_string(), self.timeout);
        let operation = format!("read metadata of topic '{name}'");
        let metadata = tokio::task::spawn_blocking(move || {
            inner.inner().fetch_metadata(Some(&topic), timeout)
        })
        .await
        .map_err(|_| Error::kafka(operation.clone(), KafkaError::Canceled))?
        .map_err(|e| Error::kafka(operation, e))?;
        let topic = metadata.topics().iter().find(|t| t.name() == name);
        match topic {
            Some(t) if t.error().is_none() => {
                i32::try_from(t.partitions().len()).map_err(|_| Error::Topic {
                    topic: name.to_string(),
                    message: "more partitions than an i32 holds".into(),
                })
            }
            Some(t) => Err(Error::Topic {
                topic: name.to_string(),
                message: format!(
                    "the broker's metadata reports {}",
                    t.error()
                        .map(RDKafkaErrorCode::from)
                        .map_or_else(String::new, |c| c.to_string())
                ),
            }),
            None => Err(Error::Topic {
                topic: name.to_string(),
                message: "the broker's metadata does not list it".into(),
            }),
        }
    }
}

fn is_authorization(e: &KafkaError) -> bool {
    matches!(
        e.rdkafka_error_code(),
        Some(
            RDKafkaErrorCode::TopicAuthorizationFailed
                | RDKafkaErrorCode::ClusterAuthorizationFailed
        )
    )
}
