//! [`StandaloneHerder`]: Kafka Connect's standalone mode — one process, no worker group.
//! Connector configs and statuses live in memory (they are re-created from the command line at
//! each start), source offsets in the file `offset.storage.file.filename`. Everything else —
//! the single-owner actor, how writes are applied, statuses, pause, offsets — is the actor's
//! ([`crate::herder::actor`]), shared with the distributed herder; in standalone mode it owns
//! every connector and task and writes statuses with generation 0.

use std::sync::Arc;

use super::actor::{
    Actor, Configs, HerderHandle, Offsets, Parts, Statuses, TrackingConfig, WorkerInfo,
};
use super::log_levels::LogLevels;
use super::plugins::PluginCatalog;
use crate::kafka::Properties;
use crate::stores::{
    ConfigStore, FileOffsetStore, MemoryConfigStore, MemoryStatusStore, OffsetStore, StatusStore,
};

/// What a standalone worker is configured with.
#[derive(Debug, Clone)]
pub struct StandaloneConfig {
    /// The worker properties (`bootstrap.servers`, `offset.storage.file.filename`, converters,
    /// `producer.*`, `consumer.*`, …).
    pub worker: Properties,
    /// This worker's id in statuses: the `host:port` of its REST listener, as Kafka writes it.
    pub worker_id: String,
    /// The Kafka cluster id shown by `GET /`. Sluice does not read it from the broker yet, so
    /// the binary passes a placeholder unless told otherwise.
    pub kafka_cluster_id: String,
}

/// Marker of the standalone mode for [`HerderHandle`].
#[derive(Debug)]
pub enum Standalone {}

/// The standalone herder (see the module doc): a handle to its actor.
pub type StandaloneHerder = HerderHandle<Standalone>;

impl HerderHandle<Standalone> {
    /// Opens the stores (reads the offsets file) and starts the actor. `PUT /admin/loggers/…`
    /// only records levels; [`StandaloneHerder::start_with_log_levels`] also applies them.
    pub async fn start(
        config: StandaloneConfig,
        catalog: Arc<dyn PluginCatalog>,
    ) -> crate::Result<Self> {
        Self::start_inner(config, catalog, None).await
    }

    /// Like [`StandaloneHerder::start`], and `PUT /admin/loggers/…` changes the process's log
    /// levels through `log_levels` (the binary's handle on its `tracing` subscriber).
    pub async fn start_with_log_levels(
        config: StandaloneConfig,
        catalog: Arc<dyn PluginCatalog>,
        log_levels: Arc<dyn LogLevels>,
    ) -> crate::Result<Self> {
        Self::start_inner(config, catalog, Some(log_levels)).await
    }

    async fn start_inner(
        config: StandaloneConfig,
        catalog: Arc<dyn PluginCatalog>,
        log_levels: Option<Arc<dyn LogLevels>>,
    ) -> crate::Result<Self> {
        let mut offsets = FileOffsetStore::from_worker(&config.worker)?;
        offsets.start().await?;
        let mut configs = MemoryConfigStore::new();
        configs.start().await?;
        let mut statuses = MemoryStatusStore::new();
        statuses.start().await?;
        let tracking = TrackingConfig::from_worker(&config.worker)?;
        let actor = Actor::new(Parts {
            info: WorkerInfo {
                worker: config.worker,
                worker_id: config.worker_id,
                kafka_cluster_id: config.kafka_cluster_id,
            },
            catalog,
            configs: Arc::new(Configs::Local(configs)),
            offsets: Arc::new(Offsets::Local(offsets)),
            statuses: Statuses::Local(statuses),
            log_levels,
            tracking,
        });
        Ok(Self::spawn(actor))
    }
}
