//! [`DistributedHerder`]: Kafka Connect's distributed mode. Everything a worker knows lives in
//! the three compacted internal topics, in Kafka Connect's exact formats, so a restarted worker
//! (or a Java one) picks up where it left off:
//!
//! | topic | holds | store |
//! |---|---|---|
//! | `config.storage.topic` (1 partition) | connector and task configs, target states, restart requests, the session key | [`KafkaConfigStore`] |
//! | `offset.storage.topic` (25) | source offsets | [`KafkaOffsetStore`] |
//! | `status.storage.topic` (5) | connector, task and topic statuses | [`KafkaStatusStore`] |
//!
//! At start the worker creates the topics if missing (compacted, with the configured partitions
//! and replication factors; an existing topic that is not compacted is refused) and reads them
//! to the end, then joins the worker group `group.id` with protocol type `connect`
//! (`membership.rs`). Connectors and tasks run on the worker the group's leader assigns them to
//! (`assignor.rs`, `cluster.rs`); the actor that runs them is the standalone herder's
//! ([`crate::herder::actor`]): REST writes go to the config topic, and what runs changes when
//! the worker reads the records back.
//!
//! | Module | What |
//! |---|---|
//! | `config.rs` | the distributed worker keys (`group.id`, `connect.protocol`, timeouts, session key) |
//! | `cluster.rs` | the actor's group state: generation, ownership, acting on assignments, session keys |
//! | `membership.rs` | the task that joins, syncs, heartbeats and leaves |
//! | `assignor.rs` | the leader's assignment of connectors and tasks (eager and cooperative) |
//! | `session_key.rs` | random session keys (KIP-507) |
//!
//! # Limits (several workers are a later step)
//! A group of one is complete. With several workers, members agree on assignments and each runs
//! its share, but a worker writes config records itself instead of forwarding REST writes and
//! task configs to the leader (Kafka Connect's followers forward them, signed with the session
//! key), plain restarts of an instance another worker runs answer 409, and running work is not
//! rebalanced onto a new worker (new work goes to the least loaded one).

mod assignor;
mod cluster;
pub mod config;
mod membership;
mod session_key;

use std::sync::Arc;

use tokio::sync::{Notify, watch};

pub(crate) use self::cluster::{Cluster, ClusterEvent};
pub use self::config::{ConnectProtocol, DistributedSettings};
use self::membership::Membership;
use super::actor::{
    Actor, Configs, HerderHandle, Offsets, Parts, Statuses, TrackingConfig, WorkerInfo,
};
use super::log_levels::LogLevels;
use super::plugins::PluginCatalog;
use crate::kafka::{GroupMember, Properties};
use crate::stores::{
    ConfigStore, KafkaConfigStore, KafkaOffsetStore, KafkaStatusStore, OffsetStore, StatusStore,
};

/// What a distributed worker is configured with.
#[derive(Debug, Clone)]
pub struct DistributedConfig {
    /// The worker properties: `bootstrap.servers`, `group.id`, the three
    /// `*.storage.topic`s with their partitions and replication factors, converters, timeouts,
    /// `producer.*`, `consumer.*`, `admin.*`, … (see [`DistributedSettings`]).
    pub worker: Properties,
    /// This worker's id in statuses: `host:port` of its advertised REST listener.
    pub worker_id: String,
    /// The URL other workers reach this worker's REST API at (`http://host:port/`), sent in
    /// its group metadata.
    pub rest_url: String,
    /// The Kafka cluster id shown by `GET /`.
    pub kafka_cluster_id: String,
}

/// Marker of the distributed mode for [`HerderHandle`].
#[derive(Debug)]
pub enum Distributed {}

/// The distributed herder (see the module doc): a handle to its actor.
pub type DistributedHerder = HerderHandle<Distributed>;

impl HerderHandle<Distributed> {
    /// Creates or checks the internal topics, reads them to the end, starts the actor and the
    /// group membership. Returns before the worker has joined the group: `GET /health`
    /// answers "starting" until it has its first assignment. With `log_levels`,
    /// `PUT /admin/loggers/…` changes the process's log levels; without, it only records them.
    pub async fn start(
        config: DistributedConfig,
        catalog: Arc<dyn PluginCatalog>,
        log_levels: Option<Arc<dyn LogLevels>>,
    ) -> crate::Result<Self> {
        let settings = Arc::new(DistributedSettings::from_worker(
            &config.worker,
            &config.worker_id,
        )?);
        let tracking = TrackingConfig::from_worker(&config.worker)?;
        let member = GroupMember::new(
            config
                .worker
                .get("bootstrap.servers")
                .map_or("", String::as_str),
            settings.group.clone(),
        )?;
        let mut offsets = KafkaOffsetStore::new(settings.offsets.clone());
        offsets.start().await?;
        let mut statuses = KafkaStatusStore::new(settings.statuses.clone());
        statuses.start().await?;
        let mut configs = KafkaConfigStore::new(settings.configs.clone());
        configs.start().await?;
        tracing::info!(group = %settings.group.group_id, "Read the internal topics; joining the worker group.");
        let configs = Arc::new(Configs::Kafka(configs));
        let actor = Actor::new(Parts {
            info: WorkerInfo {
                worker: config.worker,
                worker_id: config.worker_id,
                kafka_cluster_id: config.kafka_cluster_id,
            },
            catalog,
            configs: Arc::clone(&configs),
            offsets: Arc::new(Offsets::Kafka(offsets)),
            statuses: Statuses::Kafka(statuses),
            log_levels,
            tracking,
        });
        let rejoin = Arc::new(Notify::new());
        let (stop, stop_rx) = watch::channel(false);
        let membership = Membership {
            member,
            settings: Arc::clone(&settings),
            url: config.rest_url,
            configs,
            events: actor.event_sender(),
            rejoin: Arc::clone(&rejoin),
            stop: stop_rx,
        };
        let task = tokio::spawn(membership.run());
        let actor = actor.with_cluster(Cluster::new(settings, rejoin, stop, task));
        Ok(Self::spawn(actor))
    }
}
