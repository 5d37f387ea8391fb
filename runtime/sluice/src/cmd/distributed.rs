//! `sluice distributed worker.properties`: Kafka Connect's distributed mode. The worker keeps
//! connector configs, source offsets and statuses in the internal topics
//! (`config.storage.topic`, `offset.storage.topic`, `status.storage.topic`, created compacted
//! when missing) and joins the worker group `group.id`; see
//! `sluice_worker::herder::distributed` for the herder. Connectors are created through the
//! REST API, which listens on `listeners` (default `http://:8083`).
//!
//! Worker keys are Kafka Connect's (`bootstrap.servers`, `group.id`, the storage topics with
//! `.partitions` and `.replication.factor`, `session.timeout.ms`, `heartbeat.interval.ms`,
//! `rebalance.timeout.ms`, `connect.protocol`, `offset.flush.interval.ms`, converters,
//! `rest.advertised.host.name`/`.port`/`.listener`, …); `CONNECT_*` environment variables
//! override the file as in the Confluent images (`CONNECT_GROUP_ID` → `group.id`).
//!
//! The worker id in statuses is `rest.advertised.host.name:rest.advertised.port` (else the
//! listener's host and port), and the URL other workers reach it at is
//! `<rest.advertised.listener>://<worker id>/`.
//!
//! SIGTERM or Ctrl-C stops the REST server, then every task (source offsets flushed, sink
//! offsets committed) and connector, leaves the group (so it rebalances at once), and exits 0.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use sluice_worker::herder::distributed::DistributedSettings;
use sluice_worker::herder::{DistributedConfig, DistributedHerder, LogLevels};

use super::worker_rest::{bind, kafka_cluster_id, serve, worker_id};
use crate::plugins::Plugins;
use crate::worker_config::{DEFAULT_BOOTSTRAP, load_worker};

/// `rest.advertised.listener`: the scheme other workers use to reach this one (`http`).
const REST_ADVERTISED_LISTENER: &str = "rest.advertised.listener";

/// Options of `sluice distributed`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The worker properties file (`bootstrap.servers`, `group.id`, the three storage topics,
    /// converters, `listeners`, …); `CONNECT_*` environment variables override it.
    worker_properties: PathBuf,
}

pub(crate) async fn run(args: Args, log_levels: Arc<dyn LogLevels>) -> anyhow::Result<()> {
    let mut worker = load_worker(&args.worker_properties, std::env::vars())?;
    worker
        .entry("bootstrap.servers".into())
        .or_insert_with(|| DEFAULT_BOOTSTRAP.into());
    let rest = bind(&worker).await?;
    let id = worker_id(&worker, &rest.host, rest.address.port());
    let rest_url = advertised_url(&worker, &id)?;
    // Refuse a bad configuration before reaching out to the brokers.
    DistributedSettings::from_worker(&worker, &id)?;
    let registry = super::embedded_registry::start(&worker).await?;
    let config = DistributedConfig {
        worker_id: id,
        rest_url,
        kafka_cluster_id: kafka_cluster_id(&worker).await,
        worker,
    };
    let herder =
        DistributedHerder::start(config, Arc::new(Plugins::compiled_in()), Some(log_levels))
            .await
            .context("cannot start the distributed worker")?;
    serve(rest, herder, registry, "distributed").await
}

/// `<rest.advertised.listener>://<worker id>/`, the URL in the worker's group metadata.
fn advertised_url(
    worker: &std::collections::BTreeMap<String, String>,
    worker_id: &str,
) -> anyhow::Result<String> {
    let scheme = worker
        .get(REST_ADVERTISED_LISTENER)
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "http".into());
    if scheme != "http" && scheme != "https" {
        bail!("{REST_ADVERTISED_LISTENER}='{scheme}' is not http or https");
    }
    Ok(format!("{scheme}://{worker_id}/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advertised_url_like_kafka_connect() {
        let mut w = std::collections::BTreeMap::new();
        assert_eq!(
            advertised_url(&w, "127.0.0.1:8083").unwrap(),
            "http://127.0.0.1:8083/"
        );
        w.insert(REST_ADVERTISED_LISTENER.to_string(), "HTTPS".to_string());
        assert_eq!(
            advertised_url(&w, "connect-1:443").unwrap(),
            "https://connect-1:443/"
        );
        w.insert(REST_ADVERTISED_LISTENER.to_string(), "ftp".to_string());
        assert!(advertised_url(&w, "h:1").is_err());
    }
}
