//! The actor both herders run: the state a worker owns (stores, connector instances, task
//! loops), its loop, and the events that running connectors, task loops and (distributed) the
//! group membership send it. The standalone and distributed herders differ only in the stores
//! they hand it (memory/file or the three Kafka topics) and in [`Cluster`] (none: this process
//! owns everything).
//!
//! # A single-owner actor
//! One tokio task owns every piece of state. A REST call is a message (a closure run on the
//! actor's state, `handle.rs`) with a `oneshot` reply; task loops, connectors and the group
//! membership report through an event channel the same task drains. Since only that task
//! mutates anything, operations on one connector never interleave (a delete cannot run half-way
//! through a create), and no lock is held across an `await`. The price is that a slow operation
//! (stopping a source task waits up to `offset.flush.timeout.ms` for its final flush) delays
//! the next request, as Java's `StandaloneHerder` (`synchronized` methods) and
//! `DistributedHerder` (one herder thread) do too.
//!
//! # The config store is the source of truth
//! A REST write only writes the config store (`writes.rs`); what runs changes when the actor
//! applies the [`ConfigChange`]s the store announces (`changes.rs`), Kafka Connect's
//! `KafkaConfigBackingStore` callback. With the Kafka store those changes come from reading the
//! config topic back, so a write made by another worker, or before a restart, is applied the
//! same way as our own. A write waits for its own changes to be applied before it answers, so
//! a client that reads after a write sees its effect, as with Kafka's standalone herder.
//!
//! # Statuses
//! The actor alone writes the status store: `RUNNING`/`FAILED` as the loops report them (each
//! task incarnation has a number, and reports from a replaced incarnation are dropped), and
//! `PAUSED`/`STOPPED`/`UNASSIGNED` when it changes a connector's target state. The topics each
//! connector's tasks use (KIP-558) are recorded there too (`topics.rs`). Statuses carry the
//! group generation (0 in standalone mode).
//!
//! # What pause does
//! Pausing stops the task loops (offsets flushed, consumers leave their groups) and shows
//! `PAUSED`; resuming starts new loops from the stored task configs. The connector instance
//! stays started. This is simpler than Java's in-place pause and equally correct: a restarted
//! source task resumes from its flushed offsets, a sink task from its committed offsets.

mod backends;
mod changes;
mod handle;
mod lifecycle;
mod loggers;
mod offsets;
mod queries;
mod statuses;
mod tasks;
mod topics;
mod writes;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use sluice_api::connector::{ConnectorRequest, DynSinkConnector, DynSourceConnector};
use sluice_protocol::State;
use sluice_rest::{Error as RestError, LoggerLevel};
use tokio::sync::{broadcast, mpsc};

pub(crate) use self::backends::{Configs, Offsets, Statuses};
pub use self::handle::HerderHandle;
pub(crate) use self::handle::Job;
use self::tasks::TaskRun;
pub(crate) use self::topics::TrackingConfig;
use crate::config_state::ConfigChange;
use crate::herder::distributed::{Cluster, ClusterEvent};
use crate::herder::log_levels::LogLevels;
use crate::herder::plugins::{Plugin, PluginCatalog};
use crate::kafka::Properties;
use crate::stores::{ConfigStore, OffsetStore, StatusStore};

/// How often the actor looks at time-driven cluster duties (the session key's expiry).
const TICK: Duration = Duration::from_secs(30);

/// Who this worker is, whatever its mode.
#[derive(Debug, Clone)]
pub(crate) struct WorkerInfo {
    /// The worker properties (`bootstrap.servers`, converters, `producer.*`, `consumer.*`, …).
    pub(crate) worker: Properties,
    /// This worker's id in statuses: the `host:port` of its REST listener.
    pub(crate) worker_id: String,
    /// The Kafka cluster id shown by `GET /`.
    pub(crate) kafka_cluster_id: String,
}

/// A started connector instance.
#[derive(Debug)]
pub(crate) enum Instance {
    Source(Box<dyn DynSourceConnector>),
    Sink(Box<dyn DynSinkConnector>),
}

impl Instance {
    /// The instance's task configurations for `max` tasks.
    pub(crate) fn task_configs(
        &self,
        max: usize,
    ) -> sluice_api::connector::ConnectResult<Vec<sluice_api::connector::TaskConfig>> {
        match self {
            Instance::Source(c) => c.task_configs(max),
            Instance::Sink(c) => c.task_configs(max),
        }
    }

    /// Stops the instance, logging a failure (nothing else can be done with it).
    pub(crate) async fn stop(mut self) {
        let r = match &mut self {
            Instance::Source(c) => c.stop().await,
            Instance::Sink(c) => c.stop().await,
        };
        if let Err(e) = r {
            tracing::warn!(error = %e.report(), "The connector's stop failed.");
        }
    }
}

/// What runs of one connector on this worker.
#[derive(Debug)]
pub(crate) struct Running {
    /// The plugin.
    pub(crate) plugin: Plugin,
    /// The started instance, `None` when stopped, failed to start, or owned by another worker.
    pub(crate) instance: Option<Instance>,
    /// The connector config the instance was started with.
    pub(crate) config: sluice_protocol::Properties,
    /// Which start of the instance this is (events of older ones are dropped).
    pub(crate) incarnation: u64,
    /// The task loops, by task number.
    pub(crate) tasks: BTreeMap<u32, TaskRun>,
}

/// A report to the actor from something it started.
#[derive(Debug)]
pub(crate) enum Event {
    /// A task loop changed state (only `RUNNING` and `FAILED` are forwarded).
    Task {
        connector: String,
        task: u32,
        incarnation: u64,
        state: State,
        trace: Option<String>,
    },
    /// A task used a topic for the first time since it started or since the last reset.
    Topic {
        connector: String,
        task: u32,
        topic: String,
        /// When (ms since the epoch).
        discovered: i64,
    },
    /// A connector asked something of the worker through its context.
    Connector {
        connector: String,
        incarnation: u64,
        request: ConnectorRequest,
    },
    /// The worker group's membership (distributed mode).
    Cluster(ClusterEvent),
}

/// What the actor is started with: its identity, plugins and started stores.
#[derive(Debug)]
pub(crate) struct Parts {
    pub(crate) info: WorkerInfo,
    pub(crate) catalog: Arc<dyn PluginCatalog>,
    pub(crate) configs: Arc<Configs>,
    pub(crate) offsets: Arc<Offsets>,
    pub(crate) statuses: Statuses,
    pub(crate) log_levels: Option<Arc<dyn LogLevels>>,
    pub(crate) tracking: TrackingConfig,
}

/// Everything a herder owns.
#[derive(Debug)]
pub(crate) struct Actor {
    pub(crate) config: WorkerInfo,
    pub(crate) catalog: Arc<dyn PluginCatalog>,
    pub(crate) configs: Arc<Configs>,
    pub(crate) offsets: Arc<Offsets>,
    pub(crate) statuses: Statuses,
    /// Changes of the config store not applied yet.
    changes: broadcast::Receiver<ConfigChange>,
    changes_closed: bool,
    pub(crate) running: BTreeMap<String, Running>,
    pub(crate) events: mpsc::UnboundedSender<Event>,
    events_rx: Option<mpsc::UnboundedReceiver<Event>>,
    pub(crate) next_incarnation: u64,
    pub(crate) loggers: BTreeMap<String, LoggerLevel>,
    /// Applies logger levels to the process; `None`: the table above is all there is.
    pub(crate) log_levels: Option<Arc<dyn LogLevels>>,
    pub(crate) tracking: TrackingConfig,
    /// The worker group (distributed mode); `None`: standalone, this process owns everything.
    pub(crate) cluster: Option<Cluster>,
    stopping: bool,
}

/// Turns any worker failure into a 500 for the REST caller.
pub(crate) fn internal(e: impl std::fmt::Display) -> RestError {
    RestError::Internal(e.to_string())
}

impl Actor {
    /// An actor on started stores; it subscribes to the config store's changes now, so every
    /// change after this point is applied.
    pub(crate) fn new(parts: Parts) -> Self {
        let (events, events_rx) = mpsc::unbounded_channel();
        let root = LoggerLevel {
            level: "INFO".into(),
            last_modified: None,
        };
        Actor {
            changes: parts.configs.subscribe(),
            changes_closed: false,
            config: parts.info,
            catalog: parts.catalog,
            configs: parts.configs,
            offsets: parts.offsets,
            statuses: parts.statuses,
            running: BTreeMap::new(),
            events,
            events_rx: Some(events_rx),
            next_incarnation: 0,
            loggers: [("root".to_string(), root)].into(),
            log_levels: parts.log_levels,
            tracking: parts.tracking,
            cluster: None,
            stopping: false,
        }
    }

    /// Puts this actor in a worker group (distributed mode).
    pub(crate) fn with_cluster(mut self, cluster: Cluster) -> Self {
        self.cluster = Some(cluster);
        self
    }

    /// A sender for events (the group membership reports through it).
    pub(crate) fn event_sender(&self) -> mpsc::UnboundedSender<Event> {
        self.events.clone()
    }

    /// Serves requests, events and config changes until [`Actor::shutdown`] ran or every handle
    /// is dropped (then shuts down the same way).
    pub(crate) async fn run(mut self, mut jobs: mpsc::Receiver<Job>) {
        let Some(mut events) = self.events_rx.take() else {
            return;
        };
        let mode = if self.cluster.is_some() {
            "distributed"
        } else {
            "standalone"
        };
        tracing::info!(worker_id = %self.config.worker_id, mode, "The herder is running.");
        let mut tick = tokio::time::interval(TICK);
        while !self.stopping {
            tokio::select! {
                job = jobs.recv() => match job {
                    Some(job) => job(&mut self).await,
                    None => {
                        let _ = self.shutdown().await;
                    }
                },
                Some(event) = events.recv() => self.on_event(event).await,
                change = self.changes.recv(), if !self.changes_closed => {
                    self.on_change_received(change).await;
                }
                _ = tick.tick(), if self.cluster.is_some() => self.on_tick().await,
            }
        }
        tracing::info!(mode, "The herder stopped.");
    }

    /// A change from the subscription, or how it failed.
    async fn on_change_received(
        &mut self,
        change: Result<ConfigChange, broadcast::error::RecvError>,
    ) {
        match change {
            Ok(change) => self.apply_change(change).await,
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(
                    missed,
                    "Fell behind the config store's changes; re-reading all connectors."
                );
                self.resync().await;
            }
            Err(broadcast::error::RecvError::Closed) => self.changes_closed = true,
        }
    }

    /// Applies every change announced so far (including those the applying itself causes,
    /// such as task configs written by a started connector).
    /// Answers the changes applied.
    pub(crate) async fn apply_pending_changes(&mut self) -> Vec<ConfigChange> {
        use broadcast::error::TryRecvError;
        let mut applied = Vec::new();
        loop {
            match self.changes.try_recv() {
                Ok(change) => {
                    applied.push(change.clone());
                    self.apply_change(change).await;
                }
                Err(TryRecvError::Lagged(missed)) => {
                    tracing::warn!(
                        missed,
                        "Fell behind the config store's changes; re-reading all connectors."
                    );
                    self.resync().await;
                }
                Err(TryRecvError::Empty) => return applied,
                Err(TryRecvError::Closed) => {
                    self.changes_closed = true;
                    return applied;
                }
            }
        }
    }

    /// Forgets the changes announced so far (the caller is about to make everything match the
    /// current snapshot, which holds them).
    pub(crate) fn discard_pending_changes(&mut self) {
        self.changes = self.changes.resubscribe();
    }

    /// Stops every task and connector (offsets flushed and committed), leaves the group, then
    /// stops the stores.
    pub(crate) async fn shutdown(&mut self) -> Result<(), RestError> {
        if self.stopping {
            return Ok(());
        }
        self.stopping = true;
        tracing::info!(
            connectors = self.running.len(),
            "Stopping all connectors and tasks."
        );
        let names: Vec<String> = self.running.keys().cloned().collect();
        for name in names {
            self.release(&name).await;
        }
        if let Some(cluster) = self.cluster.as_mut() {
            cluster.leave().await;
        }
        if let Some(configs) = Arc::get_mut(&mut self.configs)
            && let Err(e) = configs.stop().await
        {
            tracing::warn!(error = %e, "Could not stop the config store.");
        }
        if let Err(e) = self.statuses.stop().await {
            tracing::warn!(error = %e, "Could not stop the status store.");
        }
        if let Some(offsets) = Arc::get_mut(&mut self.offsets)
            && let Err(e) = offsets.stop().await
        {
            tracing::warn!(error = %e, "Could not stop the offset store.");
        }
        Ok(())
    }

    async fn on_event(&mut self, event: Event) {
        match event {
            Event::Task {
                connector,
                task,
                incarnation,
                state,
                trace,
            } => {
                let current = self
                    .running
                    .get(&connector)
                    .and_then(|r| r.tasks.get(&task))
                    .is_some_and(|t| t.incarnation == incarnation);
                if current {
                    self.put_task_status(&connector, task, state, trace).await;
                }
            }
            Event::Topic {
                connector,
                task,
                topic,
                discovered,
            } => self.record_topic(connector, task, topic, discovered).await,
            Event::Connector {
                connector,
                incarnation,
                request,
            } => {
                let current = self
                    .running
                    .get(&connector)
                    .is_some_and(|r| r.incarnation == incarnation && r.instance.is_some());
                if !current {
                    return;
                }
                match request {
                    ConnectorRequest::Failed(e) => {
                        tracing::error!(connector = %connector, error = %e.report(), "The connector failed.");
                        self.put_connector_status(&connector, State::Failed, Some(e.report()))
                            .await;
                    }
                    ConnectorRequest::ReconfigureTasks => self.reconfigure_tasks(&connector).await,
                    other => {
                        tracing::warn!(connector = %connector, request = ?other, "Ignoring a connector request this worker does not know.");
                    }
                }
            }
            Event::Cluster(event) => self.on_cluster_event(event).await,
        }
    }

    /// Whether this worker runs `connector`'s instance (standalone: always).
    pub(crate) fn owns_connector(&self, connector: &str) -> bool {
        self.cluster
            .as_ref()
            .is_none_or(|c| c.owns(connector, sluice_protocol::group::CONNECTOR_TASK))
    }

    /// Whether this worker runs task `task` of `connector` (standalone: always).
    pub(crate) fn owns_task(&self, connector: &str, task: u32) -> bool {
        self.cluster
            .as_ref()
            .is_none_or(|c| c.owns(connector, i32::try_from(task).unwrap_or(i32::MAX)))
    }

    /// The plugin of `connector`: the one it runs with, else the one its stored
    /// `connector.class` names (`Err`: why there is none).
    pub(crate) fn plugin_of(&self, connector: &str) -> Result<Plugin, String> {
        if let Some(r) = self.running.get(connector) {
            return Ok(r.plugin.clone());
        }
        let stored = self
            .stored(connector)
            .ok_or_else(|| format!("Connector {connector} not found"))?;
        let class = stored
            .config
            .iter()
            .find(|(k, _)| k == crate::herder::validation::CONNECTOR_CLASS)
            .and_then(|(_, v)| v.clone())
            .ok_or_else(|| format!("Connector {connector} has no connector.class"))?;
        self.catalog.lookup(&class)
    }
}
