//! The actor: the state the standalone herder owns, its loop, and the events that running
//! connectors and task loops send it (see the parent module doc for why one task owns it all).

use std::collections::BTreeMap;
use std::sync::Arc;

use sluice_api::connector::{ConnectorRequest, DynSinkConnector, DynSourceConnector};
use sluice_protocol::{State, Status};
use sluice_rest::{Error as RestError, LoggerLevel};
use tokio::sync::mpsc;

use super::tasks::TaskRun;
use super::topics::TrackingConfig;
use super::{Job, StandaloneConfig};
use crate::herder::log_levels::LogLevels;
use crate::herder::plugins::{Plugin, PluginCatalog};
use crate::stores::{
    ConfigStore, FileOffsetStore, MemoryConfigStore, MemoryStatusStore, OffsetStore, StatusStore,
    StatusUpdate,
};

/// A started connector instance.
#[derive(Debug)]
pub(super) enum Instance {
    Source(Box<dyn DynSourceConnector>),
    Sink(Box<dyn DynSinkConnector>),
}

impl Instance {
    /// The instance's task configurations for `max` tasks.
    pub(super) fn task_configs(
        &self,
        max: usize,
    ) -> sluice_api::connector::ConnectResult<Vec<sluice_api::connector::TaskConfig>> {
        match self {
            Instance::Source(c) => c.task_configs(max),
            Instance::Sink(c) => c.task_configs(max),
        }
    }

    /// Stops the instance, logging a failure (nothing else can be done with it).
    pub(super) async fn stop(mut self) {
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
pub(super) struct Running {
    /// The plugin.
    pub(super) plugin: Plugin,
    /// The started instance, `None` when stopped or failed to start.
    pub(super) instance: Option<Instance>,
    /// Which start of the instance this is (events of older ones are dropped).
    pub(super) incarnation: u64,
    /// The task loops, by task number.
    pub(super) tasks: BTreeMap<u32, TaskRun>,
}

/// A report to the actor from something it started.
#[derive(Debug)]
pub(super) enum Event {
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
}

/// Everything the standalone herder owns.
#[derive(Debug)]
pub(crate) struct Actor {
    pub(super) config: StandaloneConfig,
    pub(super) catalog: Arc<dyn PluginCatalog>,
    pub(super) configs: MemoryConfigStore,
    pub(super) offsets: Arc<FileOffsetStore>,
    pub(super) statuses: MemoryStatusStore,
    pub(super) running: BTreeMap<String, Running>,
    pub(super) events: mpsc::UnboundedSender<Event>,
    events_rx: Option<mpsc::UnboundedReceiver<Event>>,
    pub(super) next_incarnation: u64,
    pub(super) loggers: BTreeMap<String, LoggerLevel>,
    /// Applies logger levels to the process; `None`: the table above is all there is.
    pub(super) log_levels: Option<Arc<dyn LogLevels>>,
    pub(super) tracking: TrackingConfig,
    stopping: bool,
}

/// Turns any worker failure into a 500 for the REST caller.
pub(super) fn internal(e: impl std::fmt::Display) -> RestError {
    RestError::Internal(e.to_string())
}

impl Actor {
    pub(super) fn new(
        config: StandaloneConfig,
        catalog: Arc<dyn PluginCatalog>,
        configs: MemoryConfigStore,
        offsets: Arc<FileOffsetStore>,
        statuses: MemoryStatusStore,
        tracking: TrackingConfig,
        log_levels: Option<Arc<dyn LogLevels>>,
    ) -> Self {
        let (events, events_rx) = mpsc::unbounded_channel();
        let root = LoggerLevel {
            level: "INFO".into(),
            last_modified: None,
        };
        Actor {
            config,
            catalog,
            configs,
            offsets,
            statuses,
            running: BTreeMap::new(),
            events,
            events_rx: Some(events_rx),
            next_incarnation: 0,
            loggers: [("root".to_string(), root)].into(),
            log_levels,
            tracking,
            stopping: false,
        }
    }

    /// Serves requests and events until [`Actor::shutdown`] ran or every handle is dropped
    /// (then shuts down the same way).
    pub(super) async fn run(mut self, mut jobs: mpsc::Receiver<Job>) {
        let Some(mut events) = self.events_rx.take() else {
            return;
        };
        tracing::info!(worker_id = %self.config.worker_id, "The standalone herder is running.");
        while !self.stopping {
            tokio::select! {
                job = jobs.recv() => match job {
                    Some(job) => job(&mut self).await,
                    None => {
                        let _ = self.shutdown().await;
                    }
                },
                Some(event) = events.recv() => self.on_event(event).await,
            }
        }
        tracing::info!("The standalone herder stopped.");
    }

    /// Stops every task and connector (offsets flushed and committed), then the stores.
    pub(super) async fn shutdown(&mut self) -> Result<(), RestError> {
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
            self.stop_tasks(&name).await;
            if let Some(instance) = self.running.get_mut(&name).and_then(|r| r.instance.take()) {
                instance.stop().await;
            }
        }
        if let Err(e) = self.configs.stop().await {
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
        }
    }

    /// The version the statuses of `connector` show.
    fn version(&self, connector: &str) -> Option<String> {
        self.running
            .get(connector)
            .map(|r| r.plugin.version.clone())
    }

    fn status(&self, state: State, trace: Option<String>, version: Option<String>) -> Status {
        Status {
            state,
            trace,
            worker_id: self.config.worker_id.clone(),
            generation: 0,
            version,
        }
    }

    /// Writes a connector's status (logged on failure: the memory store does not fail).
    pub(super) async fn put_connector_status(
        &self,
        connector: &str,
        state: State,
        trace: Option<String>,
    ) {
        let status = self.status(state, trace, self.version(connector));
        let update = StatusUpdate::Connector {
            connector: connector.to_string(),
            status: Some(status),
        };
        if let Err(e) = self.statuses.put(update).await {
            tracing::warn!(connector, error = %e, "Could not write the connector's status.");
        }
    }

    /// Writes a task's status.
    pub(super) async fn put_task_status(
        &self,
        connector: &str,
        task: u32,
        state: State,
        trace: Option<String>,
    ) {
        let version = match state {
            State::Unassigned => None,
            _ => self.version(connector),
        };
        let status = self.status(state, trace, version);
        let update = StatusUpdate::Task {
            connector: connector.to_string(),
            task,
            status: Some(status),
        };
        if let Err(e) = self.statuses.put(update).await {
            tracing::warn!(connector, task, error = %e, "Could not write the task's status.");
        }
    }

    /// Removes the statuses of `connector`'s tasks numbered `from` and above (a tombstone per
    /// task, as Kafka Connect writes; see `stores::status`).
    pub(super) async fn remove_task_statuses(&self, connector: &str, from: u32) {
        let snapshot = self.statuses.snapshot();
        for (task, _) in snapshot.tasks(connector) {
            if task < from {
                continue;
            }
            let update = StatusUpdate::Task {
                connector: connector.to_string(),
                task,
                status: None,
            };
            if let Err(e) = self.statuses.put(update).await {
                tracing::warn!(connector, task, error = %e, "Could not remove the task's status.");
            }
        }
    }
}
