//! `sluice standalone worker.properties [connector.properties|connector.json …]`: Kafka
//! Connect's standalone mode. One process runs every connector; configs and statuses are kept in
//! memory (the files given on the command line are created at each start), source offsets in
//! `offset.storage.file.filename`. The REST API listens on `listeners` (default
//! `http://:8083`, all interfaces). SIGTERM or Ctrl-C stops the REST server, then every task
//! (source offsets flushed, sink offsets committed) and connector, and exits 0.
//!
//! `PUT /admin/loggers/…` changes the process's log levels (see `logging.rs` for how Kafka's
//! logger names map to `tracing` targets).
//!
//! `GET /` shows the `kafka_cluster_id` the brokers report in their metadata (else the worker
//! property `sluice.kafka.cluster.id`, else `unknown`).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use sluice_rest::Herder;
use sluice_worker::herder::{LogLevels, StandaloneConfig, StandaloneHerder};

use crate::plugins::Plugins;
use crate::worker_config::{load_connector, load_worker};

/// Kafka Connect's default REST listener.
const DEFAULT_LISTENERS: &str = "http://:8083";
/// Kafka's default `bootstrap.servers`.
const DEFAULT_BOOTSTRAP: &str = "localhost:9092";

/// Options of `sluice standalone`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The worker properties file (`bootstrap.servers`, `offset.storage.file.filename`,
    /// converters, `listeners`, …); `CONNECT_*` environment variables override it.
    worker_properties: PathBuf,

    /// Connector configurations to create at start: `.json` (`{"name":…,"config":{…}}` or a
    /// flat map) or `.properties` files.
    connectors: Vec<PathBuf>,
}

pub(crate) async fn run(args: Args, log_levels: Arc<dyn LogLevels>) -> anyhow::Result<()> {
    let mut worker = load_worker(&args.worker_properties, std::env::vars())?;
    worker
        .entry("bootstrap.servers".into())
        .or_insert_with(|| DEFAULT_BOOTSTRAP.into());
    // Read every connector file first, so a typo fails before anything starts.
    let connectors = args
        .connectors
        .iter()
        .map(|p| load_connector(p))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let listeners = worker
        .get("listeners")
        .cloned()
        .unwrap_or_else(|| DEFAULT_LISTENERS.into());
    let (host, port) = listen_addr(&listeners)?;
    let bind_host = if host.is_empty() { "0.0.0.0" } else { host };
    let listener = tokio::net::TcpListener::bind((bind_host, port))
        .await
        .with_context(|| {
            format!(
                "cannot listen on {bind_host}:{port} (listeners={listeners}): is the port taken?"
            )
        })?;
    let bound = listener.local_addr()?;
    let registry = super::embedded_registry::start(&worker).await?;
    let config = StandaloneConfig {
        worker_id: worker_id(&worker, host, bound.port()),
        kafka_cluster_id: kafka_cluster_id(&worker).await,
        worker,
    };
    let herder = StandaloneHerder::start_with_log_levels(
        config,
        Arc::new(Plugins::compiled_in()),
        log_levels,
    )
    .await
    .context("cannot start the standalone worker")?;
    for (name, config) in connectors {
        if let Err(e) = herder
            .put_connector_config(&name, config, false, None)
            .await
        {
            herder.shutdown().await;
            bail!("cannot create connector '{name}' given on the command line: {e}");
        }
        tracing::info!(connector = %name, "Created the connector given on the command line.");
    }
    tracing::info!(address = %bound, "Sluice standalone worker started.");
    let router = sluice_rest::router(Arc::new(herder.clone()));
    sluice_rest::serve(listener, router, crate::shutdown::signal()).await?;
    herder.shutdown().await;
    if let Some(registry) = registry {
        registry.stop().await;
    }
    tracing::info!("Sluice standalone worker stopped.");
    Ok(())
}

/// The first of a comma-separated `listeners` list, `http://host:port` → (host, port); the
/// host may be empty (all interfaces).
pub(super) fn listen_addr(listeners: &str) -> anyhow::Result<(&str, u16)> {
    let first = listeners.split(',').next().unwrap_or_default().trim();
    let rest = first.strip_prefix("http://").with_context(|| {
        format!("listener '{first}' is not http://host:port (TLS listeners are not supported yet)")
    })?;
    let rest = rest.trim_end_matches('/');
    let (host, port) = rest
        .rsplit_once(':')
        .with_context(|| format!("listener '{first}' has no port"))?;
    let port = port
        .parse()
        .with_context(|| format!("listener '{first}': '{port}' is not a port number"))?;
    Ok((host.trim_start_matches('[').trim_end_matches(']'), port))
}

/// The id statuses show: `rest.advertised.host.name`:`rest.advertised.port` when set, else
/// the listener's host (or this machine's name when it listens on all interfaces) and port.
fn worker_id(worker: &std::collections::BTreeMap<String, String>, host: &str, port: u16) -> String {
    let host = match worker.get("rest.advertised.host.name") {
        Some(h) if !h.trim().is_empty() => h.trim().to_string(),
        _ if !host.is_empty() && host != "0.0.0.0" => host.to_string(),
        _ => std::env::var("HOSTNAME").unwrap_or_else(|_| "localhost".into()),
    };
    let port = worker
        .get("rest.advertised.port")
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or(port);
    format!("{host}:{port}")
}

/// The Kafka cluster id for `GET /`: asked from the brokers at start; the worker property
/// `sluice.kafka.cluster.id`, else `unknown`, when they cannot tell.
async fn kafka_cluster_id(worker: &sluice_worker::kafka::Properties) -> String {
    let asked = match sluice_worker::kafka::Admin::new(
        worker,
        &Default::default(),
        std::time::Duration::from_secs(10),
    ) {
        Ok(admin) => admin.cluster_id().await,
        Err(e) => {
            tracing::warn!(error = %e, "Cannot create an admin client to read the Kafka cluster id.");
            None
        }
    };
    asked
        .or_else(|| worker.get("sluice.kafka.cluster.id").cloned())
        .unwrap_or_else(|| {
            tracing::warn!(
                "The brokers did not report a cluster id; GET / shows kafka_cluster_id \"unknown\"."
            );
            "unknown".into()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listeners_like_kafka_connect() {
        assert_eq!(listen_addr("http://:8083").unwrap(), ("", 8083));
        assert_eq!(
            listen_addr("http://127.0.0.1:1/,http://x:2").unwrap(),
            ("127.0.0.1", 1)
        );
        assert!(listen_addr("https://h:1").is_err());
        assert!(listen_addr("http://h").is_err());
    }

    #[test]
    fn worker_id_prefers_the_advertised_name() {
        let mut w = std::collections::BTreeMap::new();
        assert_eq!(worker_id(&w, "127.0.0.1", 8083), "127.0.0.1:8083");
        w.insert(
            "rest.advertised.host.name".to_string(),
            "connect-1".to_string(),
        );
        w.insert("rest.advertised.port".to_string(), "9000".to_string());
        assert_eq!(worker_id(&w, "", 8083), "connect-1:9000");
    }
}
