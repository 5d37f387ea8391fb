//! What both worker commands (`standalone`, `distributed`) share: the REST listener
//! (`listeners`, default `http://:8083` on all interfaces), the worker id statuses show
//! (`rest.advertised.host.name`/`.port`), the Kafka cluster id for `GET /`, and serving the REST
//! API until SIGTERM or Ctrl-C, after which the herder stops every task and connector.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use sluice_worker::herder::HerderHandle;
use tokio::net::TcpListener;

use super::embedded_registry::EmbeddedRegistry;
use crate::worker_config::DEFAULT_LISTENERS;

/// The worker's bound REST listener.
#[derive(Debug)]
pub(super) struct RestListener {
    /// The socket.
    pub(super) listener: TcpListener,
    /// The host of `listeners` (empty: all interfaces).
    pub(super) host: String,
    /// The address bound (the real port when `listeners` asked for port 0).
    pub(super) address: SocketAddr,
    /// `access.control.allow.origin` and `access.control.allow.methods` (CORS).
    pub(super) cors: (String, String),
}

/// Binds the first of the worker's `listeners`.
pub(super) async fn bind(
    worker: &sluice_worker::kafka::Properties,
) -> anyhow::Result<RestListener> {
    let listeners = worker
        .get("listeners")
        .cloned()
        .unwrap_or_else(|| DEFAULT_LISTENERS.into());
    let (host, port) = listen_addr(&listeners)?;
    let bind_host = if host.is_empty() { "0.0.0.0" } else { host };
    let listener = TcpListener::bind((bind_host, port))
        .await
        .with_context(|| {
            format!(
                "cannot listen on {bind_host}:{port} (listeners={listeners}): is the port taken?"
            )
        })?;
    let address = listener.local_addr()?;
    let setting = |k: &str| worker.get(k).cloned().unwrap_or_default();
    let cors = (
        setting("access.control.allow.origin"),
        setting("access.control.allow.methods"),
    );
    Ok(RestListener {
        listener,
        host: host.to_string(),
        address,
        cors,
    })
}

/// Serves the REST API over `herder` until the process is asked to stop, then shuts the herder
/// down gracefully (and the embedded Schema Registry, if any).
pub(super) async fn serve<M: Send + Sync + 'static>(
    rest: RestListener,
    herder: HerderHandle<M>,
    registry: Option<EmbeddedRegistry>,
    mode: &str,
) -> anyhow::Result<()> {
    tracing::info!(address = %rest.address, "Sluice {mode} worker started.");
    let config = sluice_rest::RestConfig {
        allow_origin: rest.cors.0.clone(),
        allow_methods: rest.cors.1.clone(),
        metrics: crate::recorder::render(),
        ..sluice_rest::RestConfig::default()
    };
    let router =
        sluice_rest::router_with(Arc::new(herder.clone()), config).map_err(anyhow::Error::msg)?;
    sluice_rest::serve(rest.listener, router, crate::shutdown::signal()).await?;
    herder.shutdown().await;
    if let Some(registry) = registry {
        registry.stop().await;
    }
    tracing::info!("Sluice {mode} worker stopped.");
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
pub(super) fn worker_id(
    worker: &std::collections::BTreeMap<String, String>,
    host: &str,
    port: u16,
) -> String {
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
pub(super) async fn kafka_cluster_id(worker: &sluice_worker::kafka::Properties) -> String {
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
