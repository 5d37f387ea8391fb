//! The REST API's writes: create/update, delete, target states (pause, resume, stop) and
//! restarts.
//!
//! A write that changes the cluster's configuration only writes the config store — with the
//! Kafka store, the very records Kafka Connect writes to the config topic (`connector-<c>`,
//! `target-state-<c>` with `state.v2`, tombstones, `restart-connector-<c>`) — and then applies
//! the changes the store announces (`changes.rs`) before answering, so what runs always follows
//! what the store holds, and a restarted worker rebuilds the same state from it. Plain
//! connector and task restarts are not recorded (Kafka Connect does not record them either):
//! the owner of the instance restarts it directly.

use sluice_protocol::{State, TargetState};
use sluice_rest::{
    ConfigPatch, ConfigUpdate, ConnectorInfo, ConnectorStateInfo, ConnectorTaskId,
    Error as RestError, InitialState, RestartRequest,
};

use super::{Actor, internal};
use crate::config_state::{ConfigChange, RestartRequest as StoredRestart};
use crate::herder::validation::{self, to_properties};
use crate::stores::ConfigStore;

fn target_of(state: InitialState) -> TargetState {
    match state {
        InitialState::Running => TargetState::Started,
        InitialState::Paused => TargetState::Paused,
        InitialState::Stopped => TargetState::Stopped,
    }
}

/// The answer to a 409 for an instance another worker of the group runs.
fn not_owned(what: &str) -> RestError {
    RestError::Conflict(format!(
        "Cannot complete request because {what} is not running on this worker; send it to the \
         worker that runs it"
    ))
}

impl Actor {
    /// `POST /connectors`, `PUT /connectors/{c}/config`.
    pub(crate) async fn put_config(
        &mut self,
        name: String,
        config: sluice_rest::ConnectorConfig,
        allow_replace: bool,
        initial_state: Option<InitialState>,
    ) -> Result<ConfigUpdate, RestError> {
        let plugin = validation::plugin_of(&*self.catalog, &config)?;
        validation::check(&plugin, &config, &self.config.worker).await?;
        let exists = self.stored(&name).is_some();
        if exists && !allow_replace {
            return Err(RestError::already_exists(&name));
        }
        let initial = if exists {
            None
        } else {
            initial_state.map(target_of)
        };
        self.configs
            .put_connector_config(&name, to_properties(&config), initial)
            .await
            .map_err(internal)?;
        tracing::info!(connector = %name, class = %plugin.class, created = !exists, "Connector configuration written.");
        self.apply_pending_changes().await;
        Ok(ConfigUpdate {
            created: !exists,
            info: self.connector_info(&name)?,
        })
    }

    /// `PATCH /connectors/{c}/config`.
    pub(crate) async fn patch_config(
        &mut self,
        name: String,
        patch: ConfigPatch,
    ) -> Result<ConnectorInfo, RestError> {
        let mut config = self.connector_info(&name)?.config;
        config.apply(&patch);
        Ok(self.put_config(name, config, true, None).await?.info)
    }

    /// `DELETE /connectors/{c}`: tombstones for the config and target state; applying them stops
    /// everything and removes the statuses. The source offsets are kept, as Kafka Connect
    /// keeps them.
    pub(crate) async fn delete(&mut self, name: String) -> Result<(), RestError> {
        if self.stored(&name).is_none() {
            return Err(RestError::connector_not_found(&name));
        }
        self.configs
            .remove_connector_config(&name)
            .await
            .map_err(internal)?;
        tracing::info!(connector = %name, "Connector deletion written.");
        self.apply_pending_changes().await;
        Ok(())
    }

    /// Pause, resume and stop: writes the target state. Setting the state a connector already
    /// has changes nothing in the store, and then the connector is reconciled directly (so a
    /// resume still starts what is missing).
    pub(crate) async fn set_target(
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
        tracing::info!(connector = %name, target = ?state, "Connector target state written.");
        let applied = self.apply_pending_changes().await;
        if !applied.contains(&ConfigChange::TargetStateChanged(name.clone())) {
            self.reconcile(&name).await;
        }
        Ok(())
    }

    /// `POST /connectors/{c}/restart`: a new connector instance (its tasks keep running unless
    /// its task configs change).
    pub(crate) async fn restart_connector(&mut self, name: String) -> Result<(), RestError> {
        if self.stored(&name).is_none() {
            return Err(RestError::unknown_connector_restart(&name));
        }
        if !self.owns_connector(&name) {
            return Err(not_owned(&format!("connector {name}")));
        }
        self.stop_instance(&name).await;
        self.reconcile(&name).await;
        Ok(())
    }

    /// `POST /connectors/{c}/restart?includeTasks&onlyFailed` (KIP-745): writes the restart
    /// request (`restart-connector-<c>`) for the owners to act on, and answers the status with
    /// `RESTARTING` for every instance it restarts.
    pub(crate) async fn restart_connector_and_tasks(
        &mut self,
        request: RestartRequest,
    ) -> Result<ConnectorStateInfo, RestError> {
        let name = request.connector.clone();
        if self.stored(&name).is_none() {
            return Err(RestError::unknown_connector_restart(&name));
        }
        let stored = StoredRestart {
            include_tasks: request.include_tasks,
            only_failed: request.only_failed,
        };
        let plan = self.restart_plan(&name, stored)?;
        self.configs
            .put_restart_request(&name, stored)
            .await
            .map_err(internal)?;
        self.apply_pending_changes().await;
        Ok(plan)
    }

    /// The connector's status with `RESTARTING` on what `request` restarts.
    pub(crate) fn restart_plan(
        &self,
        name: &str,
        request: StoredRestart,
    ) -> Result<ConnectorStateInfo, RestError> {
        let mut plan = self.connector_status(name)?;
        if !request.only_failed || plan.connector.state == sluice_rest::State::Failed {
            plan.connector.state = sluice_rest::State::Restarting;
        }
        if request.include_tasks {
            for t in &mut plan.tasks {
                if !request.only_failed || t.state == sluice_rest::State::Failed {
                    t.state = sluice_rest::State::Restarting;
                }
            }
        }
        Ok(plan)
    }

    /// Acts on the restart request read from the config store for `name`: writes `RESTARTING`
    /// for what this worker restarts (as Kafka Connect does), stops it and reconciles.
    pub(crate) async fn process_restart(&mut self, name: &str) {
        let Some(request) = self.configs.snapshot().restart_request(name) else {
            return;
        };
        let Ok(plan) = self.restart_plan(name, request) else {
            tracing::debug!(
                connector = name,
                "No status to restart from; reconciling instead."
            );
            self.reconcile(name).await;
            return;
        };
        let tasks: Vec<u32> = plan
            .tasks
            .iter()
            .filter(|t| t.state == sluice_rest::State::Restarting)
            .map(|t| t.id)
            .filter(|t| self.owns_task(name, *t))
            .collect();
        let connector =
            plan.connector.state == sluice_rest::State::Restarting && self.owns_connector(name);
        tracing::info!(connector = name, restart_connector = connector, tasks = ?tasks, "Restarting.");
        if connector {
            self.put_connector_status(name, State::Restarting, None)
                .await;
        }
        for task in &tasks {
            self.put_task_status(name, *task, State::Restarting, None)
                .await;
        }
        for task in tasks {
            self.stop_task(name, task).await;
        }
        if connector {
            self.stop_instance(name).await;
        }
        self.reconcile(name).await;
    }

    /// `POST /connectors/{c}/tasks/{n}/restart`.
    pub(crate) async fn restart_task(&mut self, id: ConnectorTaskId) -> Result<(), RestError> {
        let stored = self
            .stored(&id.connector)
            .filter(|c| (id.task as usize) < c.tasks.len())
            .ok_or_else(|| RestError::unknown_task(&id.connector, id.task))?;
        if !self.owns_task(&id.connector, id.task) {
            return Err(not_owned(&format!("task {}-{}", id.connector, id.task)));
        }
        self.stop_task(&id.connector, id.task).await;
        if stored.target_state == TargetState::Started {
            self.start_task(&id.connector, id.task).await;
        }
        Ok(())
    }
}
