//! [`StandaloneHerder`]: Kafka Connect's standalone mode — one process, no worker group.
//! Connector configs and statuses live in memory (they are re-created from the command line at
//! each start), source offsets in the file `offset.storage.file.filename`.
//!
//! # A single-owner actor
//! One tokio task (the actor, `actor.rs`) owns every piece of state: the stores, the running
//! connector instances and task loops. A REST call is a message (a closure run on the actor's
//! state) with a `oneshot` reply; task loops and connectors report through an event channel the
//! same task drains. Since only that task mutates anything, operations on one connector never
//! interleave (a delete cannot run half-way through a create), and no lock is held across an
//! `await`. The price is that a slow operation (stopping a source task waits up to
//! `offset.flush.timeout.ms` for its final flush) delays the next request, as Java's
//! `StandaloneHerder` (whose methods are `synchronized`) does too.
//!
//! # Statuses
//! The actor alone writes the status store: `RUNNING`/`FAILED` as the loops report them (each
//! task incarnation has a number, and reports from a replaced incarnation are dropped), and
//! `PAUSED`/`STOPPED`/`UNASSIGNED` when it changes a connector's target state.
//! The topics each connector's tasks use (KIP-558) are recorded there too, as the loops
//! report them (`topics.rs`).
//!
//! # What pause does
//! Pausing stops the task loops (offsets flushed, consumers leave their groups) and shows
//! `PAUSED`; resuming starts new loops from the stored task configs. The connector instance
//! stays started. This is simpler than Java's in-place pause and equally correct: a restarted
//! source task resumes from its flushed offsets, a sink task from its committed offsets.

mod actor;
mod lifecycle;
mod loggers;
mod offsets;
mod queries;
mod tasks;
mod topics;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use futures::future::BoxFuture;
use sluice_api::config::ConfigDef;
use sluice_rest::{
    ConfigInfos, ConfigPatch, ConfigUpdate, ConnectorConfig, ConnectorInfo, ConnectorOffsets,
    ConnectorStateInfo, ConnectorTaskId, Error as RestError, Health, Herder, InitialState,
    LogLevel, LoggerLevel, Message, PluginInfo, RestartRequest, ServerInfo, TaskInfo, TaskState,
};
use tokio::sync::{mpsc, oneshot};

use self::actor::Actor;
use self::topics::TrackingConfig;
use super::log_levels::LogLevels;
use super::plugins::PluginCatalog;
use crate::kafka::Properties;
use crate::stores::{
    ConfigStore, FileOffsetStore, MemoryConfigStore, MemoryStatusStore, OffsetStore, StatusStore,
};

/// How many requests may wait for the actor before callers wait to enqueue.
const QUEUE: usize = 64;

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

/// A message for the actor: runs on its state, replies through a `oneshot` it captured.
type Job = Box<dyn for<'a> FnOnce(&'a mut Actor) -> BoxFuture<'a, ()> + Send>;

/// The standalone herder (see the module doc). Cheap to share: it is the sending half of the
/// actor's queue.
#[derive(Clone)]
pub struct StandaloneHerder {
    jobs: mpsc::Sender<Job>,
}

impl fmt::Debug for StandaloneHerder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StandaloneHerder")
            .field("running", &!self.jobs.is_closed())
            .finish()
    }
}

impl StandaloneHerder {
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
        let (jobs, rx) = mpsc::channel(QUEUE);
        let actor = Actor::new(
            config,
            catalog,
            configs,
            Arc::new(offsets),
            statuses,
            tracking,
            log_levels,
        );
        tokio::spawn(actor.run(rx));
        Ok(StandaloneHerder { jobs })
    }

    /// Runs `f` on the actor and returns its answer.
    async fn call<T, F>(&self, f: F) -> Result<T, RestError>
    where
        T: Send + 'static,
        F: for<'a> FnOnce(&'a mut Actor) -> BoxFuture<'a, Result<T, RestError>> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |actor| {
            Box::pin(async move {
                let _ = tx.send(f(actor).await);
            })
        });
        let stopped = || RestError::Unavailable("The worker is shutting down.".into());
        self.jobs.send(job).await.map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }

    /// Graceful shutdown: stops every task (source offsets flushed, sink offsets committed) and
    /// every connector, then the actor. Later calls answer 503.
    pub async fn shutdown(&self) {
        if let Err(e) = self.call(|a| Box::pin(a.shutdown())).await {
            tracing::debug!(error = %e, "The herder was already stopped.");
        }
    }
}

#[async_trait]
impl Herder for StandaloneHerder {
    async fn server_info(&self) -> Result<ServerInfo, RestError> {
        self.call(|a| Box::pin(async move { Ok(a.server_info()) }))
            .await
    }

    async fn health(&self) -> Health {
        match self.call(|_| Box::pin(async { Ok(()) })).await {
            Ok(()) => Health::Ready,
            Err(e) => Health::Unhealthy(e.to_string()),
        }
    }

    async fn connectors(&self) -> Result<Vec<String>, RestError> {
        self.call(|a| Box::pin(async move { Ok(a.connector_names()) }))
            .await
    }

    async fn connector_info(&self, connector: &str) -> Result<ConnectorInfo, RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(async move { a.connector_info(&c) }))
            .await
    }

    async fn connector_config(&self, connector: &str) -> Result<ConnectorConfig, RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(async move { a.connector_info(&c).map(|i| i.config) }))
            .await
    }

    async fn put_connector_config(
        &self,
        connector: &str,
        config: ConnectorConfig,
        allow_replace: bool,
        initial_state: Option<InitialState>,
    ) -> Result<ConfigUpdate, RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(a.put_config(c, config, allow_replace, initial_state)))
            .await
    }

    async fn patch_connector_config(
        &self,
        connector: &str,
        patch: ConfigPatch,
    ) -> Result<ConnectorInfo, RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(a.patch_config(c, patch))).await
    }

    async fn delete_connector(&self, connector: &str) -> Result<(), RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(a.delete(c))).await
    }

    async fn connector_status(&self, connector: &str) -> Result<ConnectorStateInfo, RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(async move { a.connector_status(&c) }))
            .await
    }

    async fn task_configs(&self, connector: &str) -> Result<Vec<TaskInfo>, RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(async move { a.task_infos(&c) }))
            .await
    }

    async fn task_status(&self, task: &ConnectorTaskId) -> Result<TaskState, RestError> {
        let t = task.clone();
        self.call(move |a| Box::pin(async move { a.task_status(&t) }))
            .await
    }

    async fn restart_connector(&self, connector: &str) -> Result<(), RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(a.restart_connector(c))).await
    }

    async fn restart_connector_and_tasks(
        &self,
        request: RestartRequest,
    ) -> Result<ConnectorStateInfo, RestError> {
        self.call(move |a| Box::pin(a.restart_connector_and_tasks(request)))
            .await
    }

    async fn restart_task(&self, task: &ConnectorTaskId) -> Result<(), RestError> {
        let t = task.clone();
        self.call(move |a| Box::pin(a.restart_task(t))).await
    }

    async fn pause_connector(&self, connector: &str) -> Result<(), RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(a.set_target(c, InitialState::Paused)))
            .await
    }

    async fn resume_connector(&self, connector: &str) -> Result<(), RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(a.set_target(c, InitialState::Running)))
            .await
    }

    async fn stop_connector(&self, connector: &str) -> Result<(), RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(a.set_target(c, InitialState::Stopped)))
            .await
    }

    async fn connector_offsets(&self, connector: &str) -> Result<ConnectorOffsets, RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(a.offsets(c))).await
    }

    async fn alter_connector_offsets(
        &self,
        connector: &str,
        offsets: ConnectorOffsets,
    ) -> Result<Message, RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(a.alter_offsets(c, Some(offsets))))
            .await
    }

    async fn reset_connector_offsets(&self, connector: &str) -> Result<Message, RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(a.alter_offsets(c, None))).await
    }

    async fn connector_active_topics(&self, connector: &str) -> Result<Vec<String>, RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(async move { a.active_topics(&c) }))
            .await
    }

    async fn reset_connector_active_topics(&self, connector: &str) -> Result<(), RestError> {
        let c = connector.to_string();
        self.call(move |a| Box::pin(a.reset_active_topics(c))).await
    }

    async fn plugins(&self) -> Result<Vec<PluginInfo>, RestError> {
        self.call(|a| Box::pin(async move { Ok(a.plugin_infos()) }))
            .await
    }

    async fn plugin_config(&self, plugin: &str) -> Result<ConfigDef, RestError> {
        let p = plugin.to_string();
        self.call(move |a| Box::pin(async move { a.plugin_config(&p) }))
            .await
    }

    async fn validate_connector_config(
        &self,
        plugin: &str,
        config: ConnectorConfig,
    ) -> Result<ConfigInfos, RestError> {
        let p = plugin.to_string();
        self.call(move |a| Box::pin(a.validate(p, config))).await
    }

    async fn loggers(&self) -> Result<BTreeMap<String, LoggerLevel>, RestError> {
        self.call(|a| Box::pin(async move { Ok(a.loggers()) }))
            .await
    }

    async fn logger(&self, name: &str) -> Result<LoggerLevel, RestError> {
        let n = name.to_string();
        self.call(move |a| Box::pin(async move { a.logger(&n) }))
            .await
    }

    async fn set_worker_logger_level(
        &self,
        namespace: &str,
        level: LogLevel,
    ) -> Result<Vec<String>, RestError> {
        let n = namespace.to_string();
        self.call(move |a| Box::pin(async move { a.set_logger_level(&n, level) }))
            .await
    }

    async fn set_cluster_logger_level(
        &self,
        namespace: &str,
        level: LogLevel,
    ) -> Result<(), RestError> {
        // A standalone worker is the whole cluster.
        self.set_worker_logger_level(namespace, level)
            .await
            .map(|_| ())
    }
}
