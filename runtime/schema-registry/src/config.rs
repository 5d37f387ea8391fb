//! The registry's configuration, with Confluent Schema Registry's defaults.
//!
//! | Field | Confluent property | Default |
//! |---|---|---|
//! | `bootstrap_servers` | `kafkastore.bootstrap.servers` | — |
//! | `topic` | `kafkastore.topic` | `_schemas` |
//! | `replication_factor` | `kafkastore.topic.replication.factor` | 3 (capped at the live brokers) |
//! | `default_compatibility` | `schema.compatibility.level` | `BACKWARD` |
//! | `store_timeout` | `kafkastore.timeout.ms` | 10 s (Confluent: 500 ms) |
//! | `init_timeout` | `kafkastore.init.timeout.ms` | 60 s |
//! | `client_properties` | `kafkastore.*` client settings | none |

use std::collections::BTreeMap;
use std::time::Duration;

use crate::compat::CompatibilityLevel;

/// The default name of the schemas topic.
pub const DEFAULT_TOPIC: &str = "_schemas";

/// How to reach the Kafka store and how the registry behaves.
#[derive(Debug, Clone)]
pub struct RegistryConfig {
    /// `host:port[,host:port…]` of the Kafka cluster holding the schemas topic.
    pub bootstrap_servers: String,
    /// The schemas topic (1 partition, `cleanup.policy=compact`; created when absent).
    pub topic: String,
    /// Replication factor of the topic when the registry creates it (capped at the number of
    /// live brokers, with a warning, as Confluent does).
    pub replication_factor: i32,
    /// Compatibility level when neither the subject nor the global config sets one.
    pub default_compatibility: CompatibilityLevel,
    /// How long a write may wait for the broker's acknowledgement and for the record to be read
    /// back.
    pub store_timeout: Duration,
    /// How long start-up may take to create or check the topic and read it to the end.
    pub init_timeout: Duration,
    /// Extra librdkafka properties for all the registry's Kafka clients (security settings,
    /// `client.id`…), applied after the registry's own defaults.
    pub client_properties: BTreeMap<String, String>,
}

impl RegistryConfig {
    /// A configuration with Confluent's defaults for the cluster at `bootstrap_servers`.
    pub fn new(bootstrap_servers: impl Into<String>) -> Self {
        RegistryConfig {
            bootstrap_servers: bootstrap_servers.into(),
            topic: DEFAULT_TOPIC.to_string(),
            replication_factor: 3,
            default_compatibility: CompatibilityLevel::Backward,
            store_timeout: Duration::from_secs(10),
            init_timeout: Duration::from_secs(60),
            client_properties: BTreeMap::new(),
        }
    }

    /// Sets the schemas topic.
    pub fn with_topic(mut self, topic: impl Into<String>) -> Self {
        self.topic = topic.into();
        self
    }

    /// Sets an extra librdkafka property.
    pub fn with_client_property(
        mut self,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.client_properties.insert(key.into(), value.into());
        self
    }
}
