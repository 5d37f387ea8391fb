//! Making what runs match the config store: [`Actor::reconcile`] starts or stops a connector's
//! instance and task loops and writes their statuses for its stored config and target state,
//! whatever state it was in (running, paused, stopped, failed). Every change applied from the
//! config store ends here, so each caller only says *which* connector changed; one function
//! decides *how* to get there.
//!
//! In a worker group only what this worker owns is touched: the connector's instance (which
//! generates the task configs) on its owner, each task loop on the task's owner. In standalone
//! mode the worker owns everything.

use sluice_api::connector::ConnectorContext;
use sluice_protocol::{State, TargetState};

use super::{Actor, Event, Instance, Running};
use crate::config_state::Connector as StoredConnector;
use crate::herder::plugins::PluginConstructor;
use crate::herder::validation::{from_properties, tasks_max};
use crate::stores::ConfigStore;

impl Actor {
    /// The connector as the config store has it now.
    pub(crate) fn stored(&self, connector: &str) -> Option<StoredConnector> {
        self.configs.snapshot().connector(connector).cloned()
    }

    /// Makes what runs of `name` here match its stored config and target state (see the
    /// module doc).
    pub(crate) async fn reconcile(&mut self, name: &str) {
        let Some(stored) = self.stored(name) else {
            return;
        };
        let owns_connector = self.owns_connector(name);
        if stored.target_state == TargetState::Stopped {
            // A stopped connector needs no plugin: one this worker lacks is still STOPPED.
            self.ensure_running(name, false).await;
            self.stop_tasks(name).await;
            if owns_connector {
                self.stop_instance(name).await;
                self.remove_task_statuses(name, 0).await;
                if !stored.tasks.is_empty()
                    && let Err(e) = self.configs.put_task_configs(name, Vec::new()).await
                {
                    tracing::warn!(connector = name, error = %e, "Could not clear the task configs.");
                }
                self.put_connector_status(name, State::Stopped, None).await;
            }
            return;
        }
        if !self.ensure_running(name, true).await {
            return;
        }
        if owns_connector {
            let started = self.running.get(name).is_some_and(|r| r.instance.is_some());
            if !started && !self.start_instance(name).await {
                return;
            }
        }
        if stored.target_state == TargetState::Started {
            if owns_connector {
                self.put_connector_status(name, State::Running, None).await;
            }
            self.start_tasks(name).await;
        } else {
            self.stop_tasks(name).await;
            let count = self.stored(name).map_or(0, |c| c.tasks.len());
            for task in 0..count as u32 {
                if self.owns_task(name, task) {
                    self.put_task_status(name, task, State::Paused, None).await;
                }
            }
            if owns_connector {
                self.put_connector_status(name, State::Paused, None).await;
            }
        }
    }

    /// Makes sure `name` has its [`Running`] entry (its plugin, from the stored
    /// `connector.class`). An unknown plugin answers `false`, and with `report` shows the
    /// connector `FAILED` on its owner.
    async fn ensure_running(&mut self, name: &str, report: bool) -> bool {
        if self.running.contains_key(name) {
            return true;
        }
        match self.plugin_of(name) {
            Ok(plugin) => {
                let running = Running {
                    plugin,
                    instance: None,
                    config: Vec::new(),
                    incarnation: 0,
                    tasks: Default::default(),
                };
                self.running.insert(name.to_string(), running);
                true
            }
            Err(reason) => {
                if report && self.owns_connector(name) {
                    tracing::error!(connector = name, error = %reason, "The connector's plugin is not available.");
                    self.put_connector_status(name, State::Failed, Some(reason))
                        .await;
                }
                false
            }
        }
    }

    /// Stops the connector instance, if started.
    pub(crate) async fn stop_instance(&mut self, name: &str) {
        if let Some(instance) = self.running.get_mut(name).and_then(|r| r.instance.take()) {
            instance.stop().await;
        }
    }

    /// Stops everything of `name` running here. In a worker group, writes `UNASSIGNED` for what
    /// it stopped, as Kafka Connect does when an instance stops on shutdown or revocation.
    pub(crate) async fn release(&mut self, name: &str) {
        let Some(r) = self.running.get(name) else {
            return;
        };
        let tasks: Vec<u32> = r.tasks.keys().copied().collect();
        let instance = r.instance.is_some();
        self.stop_tasks(name).await;
        self.stop_instance(name).await;
        if self.cluster.is_some() {
            self.put_unassigned(name, instance, &tasks).await;
        }
    }

    /// Starts a new connector instance and writes its task configs when they changed (or the
    /// stored ones are inconsistent); on a failure shows the connector `FAILED` and answers
    /// `false`.
    async fn start_instance(&mut self, name: &str) -> bool {
        let (Some(stored), Some(plugin)) = (
            self.stored(name),
            self.running.get(name).map(|r| r.plugin.clone()),
        ) else {
            return false;
        };
        self.next_incarnation += 1;
        let incarnation = self.next_incarnation;
        let events = self.events.clone();
        let connector = name.to_string();
        let ctx = ConnectorContext::new(move |request| {
            let event = Event::Connector {
                connector: connector.clone(),
                incarnation,
                request,
            };
            // The actor is gone only at shutdown, when nothing is left to act on.
            let _ = events.send(event);
        });
        let task_class = plugin.task_class.clone();
        let mut instance = match plugin.constructor {
            PluginConstructor::Source(make) => Instance::Source(make()),
            PluginConstructor::Sink(make) => Instance::Sink(make()),
        };
        let props = stored.config.clone();
        let started = match &mut instance {
            Instance::Source(c) => c.start(props, ctx).await,
            Instance::Sink(c) => c.start(props, ctx).await,
        };
        let max = tasks_max(&from_properties(&stored.config));
        let tasks = match started.and_then(|()| instance.task_configs(max)) {
            Ok(tasks) => with_worker_keys(
                tasks,
                &task_class,
                &stored.config,
                matches!(instance, Instance::Sink(_)),
            ),
            Err(e) => {
                tracing::error!(connector = name, error = %e.report(), "The connector failed to start.");
                instance.stop().await;
                self.put_connector_status(name, State::Failed, Some(e.report()))
                    .await;
                return false;
            }
        };
        if let Some(r) = self.running.get_mut(name) {
            r.instance = Some(instance);
            r.config = stored.config.clone();
            r.incarnation = incarnation;
        }
        if tasks != stored.tasks || stored.inconsistent {
            self.replace_tasks(name, tasks).await;
        }
        true
    }

    /// Stops the task loops, writes new task configs, and drops the statuses of tasks that no
    /// longer exist. The caller (re)starts loops.
    async fn replace_tasks(&mut self, name: &str, tasks: Vec<sluice_api::connector::TaskConfig>) {
        self.stop_tasks(name).await;
        let count = tasks.len() as u32;
        if let Err(e) = self.configs.put_task_configs(name, tasks).await {
            tracing::warn!(connector = name, error = %e, "Could not write the task configs.");
        }
        self.remove_task_statuses(name, count).await;
    }

    /// New task configs are wanted (the connector asked, or the stored set is inconsistent):
    /// applied (tasks restarted) if they differ from the stored ones, or always with `force`.
    pub(crate) async fn regenerate_tasks(&mut self, name: &str, force: bool) {
        let Some(stored) = self.stored(name) else {
            return;
        };
        let config = from_properties(&stored.config);
        let Some(r) = self.running.get(name) else {
            return;
        };
        let Some(instance) = r.instance.as_ref() else {
            return;
        };
        let (task_class, sink) = (
            r.plugin.task_class.clone(),
            matches!(instance, Instance::Sink(_)),
        );
        match instance.task_configs(tasks_max(&config)) {
            Ok(tasks) => {
                let tasks = with_worker_keys(tasks, &task_class, &stored.config, sink);
                if force || tasks != stored.tasks {
                    tracing::info!(
                        connector = name,
                        tasks = tasks.len(),
                        "Reconfiguring the connector's tasks."
                    );
                    self.replace_tasks(name, tasks).await;
                    self.reconcile(name).await;
                }
            }
            Err(e) => {
                self.put_connector_status(name, State::Failed, Some(e.report()))
                    .await;
            }
        }
    }

    /// A connector asked for new task configs through its context.
    pub(crate) async fn reconfigure_tasks(&mut self, name: &str) {
        self.regenerate_tasks(name, false).await;
    }
}

/// What Kafka Connect's worker adds to each task config the connector returns
/// (`Worker.connectorTaskConfigs`): `task.class`, and for a sink the connector's `topics` or
/// `topics.regex`, so every task config says what the task runs and reads.
fn with_worker_keys(
    tasks: Vec<sluice_api::connector::TaskConfig>,
    task_class: &str,
    connector: &sluice_api::connector::Properties,
    sink: bool,
) -> Vec<sluice_api::connector::TaskConfig> {
    let copied: Vec<(String, Option<String>)> = if sink {
        connector
            .iter()
            .filter(|(k, _)| k == "topics" || k == "topics.regex")
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    tasks
        .into_iter()
        .map(|mut t| {
            for (k, v) in std::iter::once(("task.class".to_string(), Some(task_class.to_string())))
                .chain(copied.iter().cloned())
            {
                t.retain(|(key, _)| *key != k);
                t.push((k, v));
            }
            t
        })
        .collect()
}
