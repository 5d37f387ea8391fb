//! `sluice schema-registry`: the Schema Registry as a standalone service.
//!
//! Flags take the Confluent image's environment variables too
//! (`SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS`, `SCHEMA_REGISTRY_LISTENERS`, …), so a
//! docker-compose file written for `confluentinc/cp-schema-registry` works unchanged.

use anyhow::Context;
use sluice_schema_registry::{Registry, RegistryConfig};

/// Options of `sluice schema-registry`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Kafka bootstrap servers holding the schemas topic (`kafkastore.bootstrap.servers`).
    #[arg(long, env = "SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS")]
    bootstrap_servers: String,

    /// Where to listen, `http://host:port` (`listeners`).
    #[arg(
        long,
        env = "SCHEMA_REGISTRY_LISTENERS",
        default_value = "http://0.0.0.0:8081"
    )]
    listeners: String,

    /// The schemas topic (`kafkastore.topic`).
    #[arg(
        long,
        env = "SCHEMA_REGISTRY_KAFKASTORE_TOPIC",
        default_value = "_schemas"
    )]
    topic: String,

    /// Replication factor when creating the topic (`kafkastore.topic.replication.factor`).
    #[arg(
        long,
        env = "SCHEMA_REGISTRY_KAFKASTORE_TOPIC_REPLICATION_FACTOR",
        default_value_t = 3
    )]
    replication_factor: i32,
}

pub(crate) async fn run(args: Args) -> anyhow::Result<()> {
    let addr = listen_addr(&args.listeners)?;
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {addr} (listeners={}): is the port taken?",
                args.listeners
            )
        })?;
    let mut config = RegistryConfig::new(&args.bootstrap_servers).with_topic(&args.topic);
    config.replication_factor = args.replication_factor;
    let registry = Registry::open(config).await.with_context(|| {
        format!(
            "cannot open the schemas topic '{}' on {}",
            args.topic, args.bootstrap_servers
        )
    })?;
    tracing::info!(address = %listener.local_addr()?, topic = %args.topic, "Schema Registry listening.");
    registry.run(listener, crate::shutdown::signal()).await?;
    tracing::info!("Schema Registry stopped.");
    Ok(())
}

/// `http://host:port` (the first of a comma list) → `host:port`.
fn listen_addr(listeners: &str) -> anyhow::Result<String> {
    let first = listeners.split(',').next().unwrap_or_default().trim();
    let rest = first.strip_prefix("http://").with_context(|| {
        format!("listener '{first}' is not http://host:port (TLS listeners are not supported yet)")
    })?;
    Ok(rest.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::listen_addr;

    #[test]
    fn listeners_are_parsed_like_confluents() {
        assert_eq!(listen_addr("http://0.0.0.0:8081").unwrap(), "0.0.0.0:8081");
        assert_eq!(
            listen_addr("http://127.0.0.1:1/, http://x:2").unwrap(),
            "127.0.0.1:1"
        );
        assert!(listen_addr("https://h:1").is_err());
    }
}
