//! The Schema Registry served from a worker process, so one Sluice process can be the whole
//! Connect + registry deployment. Enabled by the worker property
//! `sluice.schema.registry.listeners` (e.g. `http://:8081`); the registry listens there — not on
//! the worker's own listener, since both APIs answer `GET /` — and keeps its schemas in the
//! worker's Kafka cluster (`bootstrap.servers`).
//!
//! Worker properties (Sluice's own, prefixed so they never clash with Kafka Connect's):
//! - `sluice.schema.registry.listeners`: where to serve the registry; unset = not served.
//! - `sluice.schema.registry.topic`: the schemas topic, default `_schemas`.
//! - `sluice.schema.registry.replication.factor`: when creating the topic, default 3.

use std::collections::BTreeMap;

use anyhow::Context;
use sluice_schema_registry::{Registry, RegistryConfig};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Worker property: where to serve the Schema Registry.
pub(crate) const LISTENERS: &str = "sluice.schema.registry.listeners";
/// Worker property: the schemas topic.
pub(crate) const TOPIC: &str = "sluice.schema.registry.topic";
/// Worker property: the schemas topic's replication factor when created.
pub(crate) const REPLICATION_FACTOR: &str = "sluice.schema.registry.replication.factor";

/// A registry running inside the worker process.
#[derive(Debug)]
pub(crate) struct EmbeddedRegistry {
    stop: oneshot::Sender<()>,
    task: JoinHandle<sluice_schema_registry::Result<()>>,
}

/// Starts the registry if `sluice.schema.registry.listeners` is set.
pub(crate) async fn start(
    worker: &BTreeMap<String, String>,
) -> anyhow::Result<Option<EmbeddedRegistry>> {
    let Some(listeners) = worker.get(LISTENERS).filter(|l| !l.trim().is_empty()) else {
        return Ok(None);
    };
    let (host, port) = super::standalone::listen_addr(listeners)?;
    let host = if host.is_empty() { "0.0.0.0" } else { host };
    let listener = tokio::net::TcpListener::bind((host, port))
        .await
        .with_context(|| {
            format!("cannot listen on {host}:{port} ({LISTENERS}={listeners}): is the port taken?")
        })?;
    let bootstrap = worker.get("bootstrap.servers").cloned().unwrap_or_default();
    let mut config = RegistryConfig::new(&bootstrap)
        .with_topic(worker.get(TOPIC).map_or("_schemas", String::as_str));
    if let Some(rf) = worker.get(REPLICATION_FACTOR) {
        config.replication_factor = rf
            .trim()
            .parse()
            .with_context(|| format!("{REPLICATION_FACTOR}='{rf}' is not a number"))?;
    }
    let registry = Registry::open(config)
        .await
        .with_context(|| format!("cannot open the Schema Registry's topic on {bootstrap}"))?;
    tracing::info!(address = %listener.local_addr()?, "Schema Registry served by this worker.");
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(registry.run(listener, async move {
        let _ = stopped.await;
    }));
    Ok(Some(EmbeddedRegistry { stop, task }))
}

impl EmbeddedRegistry {
    /// Stops serving and closes the store.
    pub(crate) async fn stop(self) {
        let _ = self.stop.send(());
        match self.task.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "The Schema Registry stopped with an error."),
            Err(e) => tracing::warn!(error = %e, "The Schema Registry task ended abnormally."),
        }
    }
}
