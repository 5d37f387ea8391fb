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

pub(super) use super::worker_rest::listen_addr;
use super::worker_rest::{bind, kafka_cluster_id, serve, worker_id};
use crate::plugins::Plugins;
use crate::worker_config::{DEFAULT_BOOTSTRAP, load_connector, load_worker};

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
    let rest = bind(&worker).await?;
    let registry = super::embedded_registry::start(&worker).await?;
    let config = StandaloneConfig {
        worker_id: worker_id(&worker, &rest.host, rest.address.port()),
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
    serve(rest, herder, registry, "standalone").await
}
