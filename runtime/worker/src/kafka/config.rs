//! From worker properties to librdkafka client configurations.
//!
//! Kafka Connect builds each client from the worker's connection settings plus the worker
//! properties under the client's prefix (`producer.`, `consumer.`, `admin.`), then per-use
//! overrides. We do the same, in this precedence (later wins):
//!
//! 1. the client's defaults (e.g. the producer's `enable.idempotence=true`, `acks=all`);
//! 2. the worker's shared connection properties ([`SHARED_KEYS`]: `bootstrap.servers`, security);
//! 3. the worker properties under the prefix, with the prefix removed;
//! 4. the caller's overrides (e.g. the config store turning idempotence off, as Connect does).
//!
//! Unlike Java clients, librdkafka rejects properties it does not know, so only [`SHARED_KEYS`] are
//! taken from the unprefixed worker properties (which also hold `group.id`, the converters, …),
//! and a prefixed property librdkafka does not know fails the build with a message naming it.

use std::collections::BTreeMap;

use rdkafka::ClientConfig;

use crate::{Error, Result};

/// Worker properties: `worker.properties` as key → value.
pub type Properties = BTreeMap<String, String>;

/// `bootstrap.servers`.
pub const BOOTSTRAP_SERVERS: &str = "bootstrap.servers";

/// Unprefixed worker properties every client inherits: where the brokers are and how to reach
/// them. (Java's `sasl.jaas.config` and keystore/truststore properties have no librdkafka
/// equivalent and are not translated.)
pub const SHARED_KEYS: &[&str] = &[
    BOOTSTRAP_SERVERS,
    "client.dns.lookup",
    "security.protocol",
    "sasl.mechanism",
    "sasl.username",
    "sasl.password",
    "ssl.ca.location",
    "ssl.certificate.location",
    "ssl.key.location",
    "ssl.key.password",
    "ssl.endpoint.identification.algorithm",
];

/// The configuration of one client: `defaults`, then the worker's shared keys, then the worker's
/// `<prefix>.` properties, then `overrides`.
///
/// Fails when `bootstrap.servers` is missing.
pub fn client_config(
    worker: &Properties,
    prefix: &str,
    defaults: &[(&str, &str)],
    overrides: &Properties,
) -> Result<ClientConfig> {
    let mut config = ClientConfig::new();
    for (k, v) in defaults {
        config.set(*k, *v);
    }
    for key in SHARED_KEYS {
        if let Some(v) = worker.get(*key) {
            config.set(*key, v);
        }
    }
    let dotted = format!("{prefix}.");
    for (k, v) in worker {
        if let Some(key) = k.strip_prefix(&dotted) {
            config.set(key, v);
        }
    }
    for (k, v) in overrides {
        config.set(k, v);
    }
    match config.get(BOOTSTRAP_SERVERS) {
        Some(servers) if !servers.trim().is_empty() => Ok(config),
        _ => Err(Error::Config {
            key: BOOTSTRAP_SERVERS.into(),
            message: "missing; set it to a comma-separated list of host:port of the Kafka brokers"
                .into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> Properties {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn precedence_is_defaults_shared_prefixed_overrides() {
        let worker = props(&[
            ("bootstrap.servers", "b:9092"),
            ("group.id", "connect-cluster"),
            ("producer.linger.ms", "20"),
            ("producer.acks", "1"),
            ("consumer.fetch.min.bytes", "5"),
        ]);
        let config = client_config(
            &worker,
            "producer",
            &[
                ("acks", "all"),
                ("linger.ms", "5"),
                ("compression.type", "lz4"),
            ],
            &props(&[("acks", "all")]),
        )
        .unwrap();
        assert_eq!(config.get("bootstrap.servers"), Some("b:9092"));
        assert_eq!(config.get("linger.ms"), Some("20"));
        assert_eq!(config.get("acks"), Some("all"));
        assert_eq!(config.get("compression.type"), Some("lz4"));
        assert_eq!(config.get("group.id"), None);
        assert_eq!(config.get("fetch.min.bytes"), None);
    }

    #[test]
    fn missing_bootstrap_servers_is_reported() {
        let err = client_config(&Properties::new(), "admin", &[], &Properties::new()).unwrap_err();
        assert!(err.to_string().contains("bootstrap.servers"), "{err}");
    }
}
