//! Connector lifecycle on the actor: create/update, delete, target states (pause, resume,
//! stop), restarts, and task reconfiguration.
//!
//! Every change goes the same way: write the config store first (the source of truth), then
//! [`Actor::reconcile`] makes what runs match it — start the connector instance and its task
//! configs when missing, start or stop task loops, write statuses. So each operation only says
//! *what* it wants; one function decides *how* to get there, whatever state the connector was
//! in (running, paused, stopped, failed).

use sluice_api::connector::ConnectorContext;
use sluice_protocol::{State, TargetState};
use sluice_rest::{
    ConfigPatch, ConfigUpdate, ConnectorInfo, ConnectorStateInfo, ConnectorTaskId,
    Error as RestError, InitialState, RestartRequest,
};

use super::actor::{Actor, Event, Instance, Running, internal};
use crate::config_state::Connector as StoredConnector;
use crate::herder::plugins::PluginConstructor;
use crate::herder::validation::{self, from_properties, tasks_max, to_properties};
use crate::stores::{ConfigStore, StatusStore, StatusUpdate};

fn target_of(state: InitialState) -> TargetState {
    match state {
        InitialState::Running => TargetState::Started,
        InitialState::Paused => TargetState::Paused,
        InitialState::Stopped => TargetState::Stopped,
    }
}

impl Actor {
    pub(super) fn stored(&self, connector: &str) -> Option<StoredConnector> {
        self.configs.snapshot().connector(connector).cloned()
    }

    /// `POST /connectors`, `PUT /connectors/{c}/config`.
    pub(super) async fn put_config(
        &mut self,
        name: String,
        config: sluice_rest::ConnectorConfig,
        allow_replace: bool,
        initial_state: Option<InitialState>,
    ) -> Result<ConfigUpdate, RestError> {
        let plugin = validation::plugin_of(&*self.catalog, &config)?;
        validation::check(&plugin, &config).await?;
        let exists = self.stored(&name).is_some();
        if exists && !allow_replace {
            return Err(RestError::already_exists(&name));
        }
        let initial = if exists {
            self.stop_tasks(&name).await;
            self.stop_instance(&name).await;
            None
        } else {
            initial_state.map(target_of)
        };
        self.configs
            .put_connector_config(&name, to_properties(&config), initial)
            .await
            .map_err(internal)?;
        tracing::info!(connector = %name, class = %plugin.class, created = !exists, "Connector configuration written.");
        match self.running.get_mut(&name) {
            Some(r) => r.plugin = plugin,
            None => {
                let running = Running {
                    plugin,
                    instance: None,
                    incarnation: 0,
                    tasks: Default::default(),
                };
                self.running.insert(name.clone(), running);
            }
        }
        self.reconcile(&name).await;
        Ok(ConfigUpdate {
            created: !exists,
            info: self.connector_info(&name)?,
        })
    }

    /// `PATCH /connectors/{c}/config`.
    pub(super) async fn patch_config(
        &mut self,
        name: String,
        patch: ConfigPatch,
    ) -> Result<ConnectorInfo, RestError> {
        let mut config = self.connector_info(&name)?.config;
        config.apply(&patch);
        Ok(self.put_config(name, config, true, None).await?.info)
    }

    /// `DELETE /connectors/{c}`: stops everything, removes the config and the statuses. The
    /// source offsets are kept, as Kafka Connect keeps them.
    pub(super) async fn delete(&mut self, name: String) -> Result<(), RestError> {
        if self.stored(&name).is_none() {
            return Err(RestError::connector_not_found(&name));
        }
        self.stop_tasks(&name).await;
        self.stop_instance(&name).await;
        self.configs
            .remove_connector_config(&name)
            .await
            .map_err(internal)?;
        self.remove_task_statuses(&name, 0).await;
        // Kafka Connect forgets a deleted connector's topics too (tombstones in the golden
        // status topic).
        self.remove_topic_statuses(&name).await;
        let tombstone = StatusUpdate::Connector {
            connector: name.clone(),
            status: None,
        };
        self.statuses.put(tombstone).await.map_err(internal)?;
        self.running.remove(&name);
        tracing::info!(connector = %name, "Connector deleted.");
        Ok(())
    }

    /// Pause, resume and stop: writes the target state, then reconciles.
    pub(super) async fn set_target(
        &mut self,
        name: String,
        state: InitialState,
    ) -> Result<(), RestError> {
        if self.stored(&name).is_none() {
            return Err(RestError::unknown_connector(&name));
        }
        self.configs
            .put_target_state(&name, target_of(state))
            .await
            .map_err(internal)?;
        tracing::info!(connector = %name, target = ?state, "Connector target state changed.");
        self.reconcile(&name).await;
        Ok(())
    }

    /// `POST /connectors/{c}/restart`: a new connector instance (its tasks keep running unless
    /// its task configs change).
    pub(super) async fn restart_connector(&mut self, name: String) -> Result<(), RestError> {
        if self.stored(&name).is_none() {
            return Err(RestError::unknown_connector_restart(&name));
        }
        self.stop_instance(&name).await;
        self.reconcile(&name).await;
        Ok(())
    }

    /// `POST /connectors/{c}/restart?includeTasks&onlyFailed` (KIP-745): answers the status
    /// with `RESTARTING` for every instance it restarts, after restarting them.
    pub(super) async fn restart_connector_and_tasks(
        &mut self,
        request: RestartRequest,
    ) -> Result<ConnectorStateInfo, RestError> {
        let name = request.connector.clone();
        if self.stored(&name).is_none() {
            return Err(RestError::unknown_connector_restart(&name));
        }
        let mut plan = self.connector_status(&name)?;
        let restart_connector =
            !request.only_failed || plan.connector.state == sluice_rest::State::Failed;
        if restart_connector {
            plan.connector.state = sluice_rest::State::Restarting;
        }
        let mut tasks = Vec::new();
        if request.include_tasks {
            for t in &mut plan.tasks {
                if !request.only_failed || t.state == sluice_rest::State::Failed {
                    t.state = sluice_rest::State::Restarting;
                    tasks.push(t.id);
                }
            }
        }
        for task in tasks {
            self.stop_task(&name, task).await;
        }
        if restart_connector {
            self.stop_instance(&name).await;
        }
        self.reconcile(&name).await;
        Ok(plan)
    }

    /// `POST /connectors/{c}/tasks/{n}/restart`.
    pub(super) async fn restart_task(&mut self, id: ConnectorTaskId) -> Result<(), RestError> {
        let stored = self
            .stored(&id.connector)
            .filter(|c| (id.task as usize) < c.tasks.len())
            .ok_or_else(|| RestError::unknown_task(&id.connector, id.task))?;
        self.stop_task(&id.connector, id.task).await;
        if stored.target_state == TargetState::Started {
            self.start_task(&id.connector, id.task).await;
        }
        Ok(())
    }

    /// Stops the connector instance, if started.
    pub(super) async fn stop_instance(&mut self, name: &str) {
        if let Some(instance) = self.running.get_mut(name).and_then(|r| r.instance.take()) {
            instance.stop().await;
        }
    }

    /// Makes what runs match the stored config and target state (see the module doc).
    pub(super) async fn reconcile(&mut self, name: &str) {
        let Some(stored) = self.stored(name) else {
            return;
        };
        if stored.target_state == TargetState::Stopped {
            self.stop_tasks(name).await;
            self.stop_instance(name).await;
            self.remove_task_statuses(name, 0).await;
            if !stored.tasks.is_empty()
                && let Err(e) = self.configs.put_task_configs(name, Vec::new()).await
            {
                tracing::warn!(connector = name, error = %e, "Could not clear the task configs.");
            }
            self.put_connector_status(name, State::Stopped, None).await;
            return;
        }
        let started = self.running.get(name).is_some_and(|r| r.instance.is_some());
        if !started && !self.start_instance(name).await {
            return;
        }
        if stored.target_state == TargetState::Started {
            self.put_connector_status(name, State::Running, None).await;
            self.start_tasks(name).await;
        } else {
            self.stop_tasks(name).await;
            let count = self.stored(name).map_or(0, |c| c.tasks.len());
            for task in 0..count as u32 {
                self.put_task_status(name, task, State::Paused, None).await;
            }
            self.put_connector_status(name, State::Paused, None).await;
        }
    }

    /// Starts a new connector instance and writes its task configs when they changed; on a
    /// failure shows the connector `FAILED` and answers `false`.
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
            r.incarnation = incarnation;
        }
        if tasks != stored.tasks {
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

    /// A connector asked for new task configs: applied (tasks restarted) if they differ.
    pub(super) async fn reconfigure_tasks(&mut self, name: &str) {
        let Some(stored) = self.stored(name) else {
            return;
        };
        let config = from_properties(&stored.config);
        let Some(instance) = self.running.get(name).and_then(|r| r.instance.as_ref()) else {
            return;
        };
        match instance.task_configs(tasks_max(&config)) {
            Ok(tasks) if tasks != stored.tasks => {
                tracing::info!(
                    connector = name,
                    tasks = tasks.len(),
                    "Reconfiguring the connector's tasks."
                );
                self.replace_tasks(name, tasks).await;
                self.reconcile(name).await;
            }
            Ok(_) => {}
            Err(e) => {
                self.put_connector_status(name, State::Failed, Some(e.report()))
                    .await;
            }
        }
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
